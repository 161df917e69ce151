"""FLIC and FLAC (Puhr et al. 2017; logistf's flic/flac), Firth's AIC and its refusal of robust
covariances.

References: logistf's printed values for sex2 (2 decimals; easystats/parameters' snapshot of
model_parameters(flic(...)) and model_parameters(flac(...)), tests/testthat/_snaps/windows/
model_parameters.logistf.md) and, to 1e-8, statsmodels fits of the two definitions: FLIC's
intercept is ``GLM(y, 1, offset=η)``, FLAC is ``GLM`` on the augmented data with Firth's hat
values computed here by hand. Frequency weights: sex2's 36 distinct rows with counts against
its 239 rows.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy.special import expit
from test_firth import sex2

from logitlab import LogisticRegression
from logitlab.stats.firth_corrections import flac, flic
from logitlab.stats.inference import InferenceError

sm = pytest.importorskip("statsmodels.api")

# logistf (easystats' snapshot): coef, lower, upper, p — intercept, age, oc, vic, vicl, vis, dia
FLIC_INTERCEPT = (0.13, -0.82, 1.08, 0.358)
FLAC = [(0.12, -0.81, 1.07, 0.797), (-1.10, -1.95, -0.31, 0.006), (-0.07, -0.93, 0.79, 0.879),
        (2.28, 1.29, 3.43, None), (-2.11, -3.24, -1.13, None), (-0.79, -1.60, 0.01, 0.053),
        (3.18, 0.87, 7.99, 0.003)]
FLAC_SE = [0.48, 0.42, 0.43, 0.54, 0.53, 0.41, 1.53]
FLAC_CHI2 = [0.07, 7.55, 0.02, 23.37, 19.45, 3.74, 8.54]


@pytest.fixture(scope="module")
def fitted():
    X, y, _ = sex2()
    m = LogisticRegression(lam=0, firth=True).fit(X, y)
    return X, y, m, flic(m), flac(m)


def _hat_by_hand(X, y, theta):
    Xt = np.column_stack([np.ones(len(y)), X])
    p = expit(Xt @ theta)
    W = p * (1 - p)
    A = Xt * np.sqrt(W)[:, None]
    return np.einsum("ij,jk,ik->i", A, np.linalg.inv(A.T @ A), A)


def test_flic_matches_logistf_and_its_definition(fitted):
    X, y, m, fl, _ = fitted
    t = fl.table
    b, lo, hi, p = FLIC_INTERCEPT
    assert t.iloc[0]["coef"] == pytest.approx(b, abs=0.005)
    assert t.iloc[0][["ci_lower_0.95", "ci_upper_0.95"]].tolist() == pytest.approx([lo, hi], abs=0.005)
    assert t.iloc[0]["p_value"] == pytest.approx(p, abs=5e-4)
    firth = m.summary().table
    np.testing.assert_allclose(t.iloc[1:]["coef"], firth.iloc[1:]["coef"], rtol=1e-12)
    eta = np.asarray(X) @ t.iloc[1:]["coef"].to_numpy()
    ref = sm.GLM(y, np.ones((len(y), 1)), family=sm.families.Binomial(), offset=eta).fit(tol=1e-14)
    assert t.iloc[0]["coef"] == pytest.approx(ref.params[0], rel=1e-8)
    assert t.iloc[0]["p_value"] == pytest.approx(ref.pvalues[0], rel=1e-8)
    assert fl.stats["mean_probability"] == pytest.approx(y.mean(), rel=1e-12)
    assert "FLIC" in str(fl) and "Mean p̂" in str(fl)


def test_flac_matches_logistf_and_statsmodels_on_the_augmented_data(fitted):
    X, y, m, _, fa = fitted
    t = fa.table
    for (coef, lo, hi, p), (_, row) in zip(FLAC, t.iterrows(), strict=True):
        assert row["coef"] == pytest.approx(coef, abs=0.005)
        assert [row["ci_lower_0.95"], row["ci_upper_0.95"]] == pytest.approx([lo, hi], abs=0.005)
        assert row["p_value"] < 0.001 if p is None else row["p_value"] == pytest.approx(p, abs=6e-4)
    np.testing.assert_allclose(t["std_err"], FLAC_SE, atol=0.005)
    np.testing.assert_allclose(t["chi2"], FLAC_CHI2, atol=0.005)
    theta = m.summary().table["coef"].to_numpy()
    h = _hat_by_hand(np.asarray(X), y, theta)
    n = len(y)
    Xa = np.column_stack([np.ones(3 * n), np.vstack([X, X, X]), np.r_[np.zeros(n), np.ones(2 * n)]])
    ya = np.r_[y, y, 1 - y]
    ref = sm.GLM(ya, Xa, family=sm.families.Binomial(), freq_weights=np.r_[np.ones(n), h / 2, h / 2]
                 ).fit(tol=1e-14)
    np.testing.assert_allclose(t["coef"], ref.params[:-1], rtol=1e-8)
    np.testing.assert_allclose(t["std_err"], ref.bse[:-1], rtol=1e-7)  # GLM's lagged IRLS weights
    pa = expit(Xa @ ref.params)  # the information at statsmodels' estimate, by hand: 1e-8
    info = Xa.T @ (Xa * (np.r_[np.ones(n), h / 2, h / 2] * pa * (1 - pa))[:, None])
    np.testing.assert_allclose(t["std_err"], np.sqrt(np.diag(np.linalg.inv(info)))[:-1], rtol=1e-8)
    assert fa.stats["mean_probability"] == pytest.approx(y.mean(), rel=1e-10)


def test_flic_flac_frequency_weights_equal_repeated_rows(fitted):
    _, _, _, fl, fa = fitted
    Xs, ys, n = sex2(expanded=False)
    mw = LogisticRegression(lam=0, firth=True).fit(Xs, ys, sample_weight=n)
    cols = ["coef", "std_err", "ci_lower_0.95", "ci_upper_0.95", "p_value"]
    np.testing.assert_allclose(flic(mw).table[cols], fl.table[cols], rtol=1e-7, atol=1e-9)
    np.testing.assert_allclose(flac(mw).table[cols], fa.table[cols], rtol=1e-7, atol=1e-9)


def test_firth_aic_is_logistfs_and_robust_covariances_are_refused(fitted):
    X, y, m, _, _ = fitted
    st = m.summary().stats
    assert st["aic"] == pytest.approx(-st["lr_stat"] + 2 * 6, rel=1e-12)
    with pytest.raises(InferenceError, match="hat values"):
        m.summary(cov_type="HC0")
    with pytest.raises(ValueError, match="Firth fit"):
        flic(LogisticRegression(lam=0, tol=1e-3).fit(X.iloc[:, :2], y))
