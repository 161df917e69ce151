"""scikit-learn's own estimator checks, and the protocol logitlab implements without importing it.

``LogisticRegression`` does not inherit scikit-learn's BaseEstimator (importing ``sklearn.base``
costs ≈ 1.5 s, more than a first fit): it implements the estimator protocol itself and passes
every one of scikit-learn's checks. Skipped checks, and why, would be listed in EXPECTED_FAILED.
"""

from __future__ import annotations

import pickle
import subprocess
import sys
import textwrap
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.utils.estimator_checks import parametrize_with_checks

from logitlab import LogisticRegression

# Checks we deliberately fail, with the reason (none today: every check passes for L2, L1 and gd):
EXPECTED_FAILED: dict[str, str] = {}

with warnings.catch_warnings():
    # scikit-learn warns about every estimator not derived from its BaseEstimator; this one
    # implements the protocol itself, which is what the checks below verify
    warnings.filterwarnings("ignore", message="Estimator LogisticRegression does not inherit",
                            category=UserWarning)
    _CHECKS = parametrize_with_checks(
        [LogisticRegression(), LogisticRegression(lam=0.5, l1_ratio=1.0),
         LogisticRegression(solver="gd", max_iter=20_000, learning_rate=0.5, tol=1e-9)],
        expected_failed_checks=lambda est: EXPECTED_FAILED,
    )


@_CHECKS
def test_sklearn_estimator_checks(estimator, check):
    check(estimator)


def test_a_first_fit_does_not_import_scikit_learn():
    """import + fit + predict on NumPy and CSR input (L2, L1, unpenalized) loads no scikit-learn
    module (nor pandas, nor SciPy's optimizers: the separation check's LP is not needed here)."""
    code = textwrap.dedent("""
        import sys
        import numpy as np, scipy.sparse as sp
        import logitlab
        rng = np.random.default_rng(0)
        X = rng.standard_normal((3000, 8)); y = (X[:, 0] + rng.standard_normal(3000) > 0).astype(float)
        Xs = sp.random(3000, 4000, density=0.01, format="csr", random_state=1)
        for model, data in [(logitlab.LogisticRegression(), X), (logitlab.LogisticRegression(lam=0.5), Xs),
                            (logitlab.LogisticRegression(lam=2.0, l1_ratio=1.0), Xs),
                            (logitlab.LogisticRegression(lam=1.0, solver="newton-cg"), X.astype(np.float32)),
                            (logitlab.LogisticRegression(lam=0.0), X)]:
            model.fit(data, y, sample_weight=np.full(3000, 2.0))
            model.predict(data); model.predict_proba(data); model.decision_function(data)
            assert model.converged_
        print(sorted(m for m in sys.modules if m.split(".")[0] in ("sklearn", "pandas")
                     or m.startswith("scipy.optimize")))
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", out.stdout


def test_the_protocol_works_inside_scikit_learn(cancer_std):
    """clone, Pipeline, GridSearchCV, is_classifier, repr, HTML repr, pickling and metadata
    routing behave as for a BaseEstimator subclass."""
    import sklearn
    from sklearn.base import clone, is_classifier
    from sklearn.model_selection import GridSearchCV
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    X, y = cancer_std
    est = LogisticRegression(lam=0.5, tol=1e-8)
    assert is_classifier(est)
    assert repr(est) == "LogisticRegression(lam=0.5, tol=1e-08)"
    assert "LogisticRegression" in est._repr_html_()
    twin = clone(est)
    assert twin is not est and twin.get_params() == est.get_params()
    with pytest.raises(ValueError, match="Invalid parameter 'C'"):
        est.set_params(C=1.0)

    search = GridSearchCV(make_pipeline(StandardScaler(), LogisticRegression()),
                          {"logisticregression__lam": [0.01, 1.0, 100.0]}, cv=3).fit(X, y)
    assert search.best_params_["logisticregression__lam"] in (0.01, 1.0)
    assert search.best_estimator_[-1].lam == search.best_params_["logisticregression__lam"]
    assert search.score(X, y) > 0.95

    fitted = LogisticRegression(lam=0.5).fit(X, y)
    back = pickle.loads(pickle.dumps(fitted))
    np.testing.assert_array_equal(back.predict_proba(X), fitted.predict_proba(X))
    assert "_fit_objective" not in back.__dict__

    w = np.random.default_rng(3).uniform(0.5, 2.0, X.shape[0])
    with sklearn.config_context(enable_metadata_routing=True):
        routed = LogisticRegression(lam=0.5, tol=1e-10).set_fit_request(sample_weight=True)
        assert isinstance(routed, LogisticRegression)
        assert routed.get_metadata_routing().fit.requests["sample_weight"] is True
        pipe = make_pipeline(routed).fit(X, y, sample_weight=w)
        requested = pickle.loads(pickle.dumps(routed))  # the request objects belong to it
        assert requested.get_metadata_routing().fit.requests["sample_weight"] is True
    direct = LogisticRegression(lam=0.5, tol=1e-10).fit(X, y, sample_weight=w)
    np.testing.assert_allclose(pipe[-1].coef_, direct.coef_, rtol=1e-12)
    with sklearn.config_context(display="text"):  # as scikit-learn's: no HTML, IPython shows text
        assert not hasattr(est, "_repr_html_")


def test_a_users_subclass_keeps_the_protocol():
    """A subclass whose methods call super() still has scikit-learn's repr and routing (the
    twin is an instance of the subclass)."""
    import sklearn

    class Weighted(LogisticRegression):
        def get_params(self, deep=True):
            return super().get_params(deep)

    est = Weighted(lam=2.0)
    assert repr(est) == "Weighted(lam=2.0)"
    with sklearn.config_context(enable_metadata_routing=True):
        assert est.set_fit_request(sample_weight=True) is est
        assert est.get_metadata_routing().fit.requests["sample_weight"] is True


@pytest.mark.parametrize("make", [
    lambda X: X, lambda X: np.asfortranarray(X, dtype=np.float32), lambda X: sp.csr_matrix(X),
    lambda X: sp.csc_matrix(X).astype(np.float32),
])
def test_checked_in_place_inputs_give_scikit_learns_results(cancer_std, make):
    """Input checked without scikit-learn fits exactly as the same data sent through its
    validate_data (forced here by an ndarray subclass or a COO matrix, which take the general
    path), and a model fitted on a DataFrame and refitted on an array forgets its feature
    names as scikit-learn's own estimators do."""
    import pandas as pd
    from sklearn.utils.validation import validate_data

    class Marked(np.ndarray):  # not a plain ndarray: goes through scikit-learn's checks
        pass

    X, y = cancer_std
    Xm = make(X)
    ours = LogisticRegression(lam=1.0, tol=1e-10).fit(Xm, y)
    general = Xm.tocoo() if sp.issparse(Xm) else Xm.view(Marked)
    checked = LogisticRegression(lam=1.0, tol=1e-10).fit(general, y)
    np.testing.assert_allclose(ours.coef_, checked.coef_, rtol=1e-10, atol=1e-12)
    assert ours.n_features_in_ == checked.n_features_in_ == X.shape[1]
    probe = LogisticRegression()
    Xv, yv = validate_data(probe, Xm, y, accept_sparse=["csr", "csc"], dtype=[np.float64, np.float32])
    assert Xv is Xm and np.array_equal(yv, y)  # scikit-learn passes such X through unchanged, as we do

    named = LogisticRegression().fit(pd.DataFrame(X, columns=[f"f{j}" for j in range(X.shape[1])]), y)
    assert list(named.feature_names_in_)[:2] == ["f0", "f1"]
    with pytest.warns(UserWarning, match="does not have valid feature names"):
        named.predict(X)
    named.fit(Xm, y)
    assert not hasattr(named, "feature_names_in_")


def test_bad_input_still_gets_scikit_learns_errors():
    """Anything not plainly numeric goes through scikit-learn's checks and their messages."""
    from sklearn.exceptions import NotFittedError

    X = np.random.default_rng(0).standard_normal((20, 3))
    y = np.r_[np.zeros(10), np.ones(10)]
    bad = X.copy()
    bad[3, 1] = np.nan
    with pytest.raises(ValueError, match="Input X contains NaN"):
        LogisticRegression().fit(bad, y)
    with pytest.raises(ValueError, match="Reshape your data"):
        LogisticRegression().fit(X[:, 0], y)
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        LogisticRegression().fit(X, y[:-1])
    with pytest.raises(NotFittedError, match="not fitted yet"):
        LogisticRegression().predict(X)
    model = LogisticRegression().fit(X.tolist(), y.tolist())  # lists: converted by scikit-learn
    with pytest.raises(ValueError, match="X has 2 features, but LogisticRegression is expecting 3"):
        model.predict(X[:, :2])
