"""scikit-learn's own estimator checks. Skipped checks, and why, are listed in EXPECTED_FAILED."""

from __future__ import annotations

from sklearn.utils.estimator_checks import parametrize_with_checks

from logitlab import LogisticRegression

# Checks we deliberately fail, with the reason (none today: every check passes for L2, L1 and gd):
EXPECTED_FAILED: dict[str, str] = {}


@parametrize_with_checks(
    [LogisticRegression(), LogisticRegression(lam=0.5, l1_ratio=1.0),
     LogisticRegression(solver="gd", max_iter=20_000, learning_rate=0.5, tol=1e-9)],
    expected_failed_checks=lambda est: EXPECTED_FAILED,
)
def test_sklearn_estimator_checks(estimator, check):
    check(estimator)
