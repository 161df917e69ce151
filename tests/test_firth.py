"""Firth's bias-reduced logistic regression (``LogisticRegression(firth=True)``).

Sources:
- Heinze & Schemper (2002), "A solution to the problem of separation in logistic regression",
  Statist. Med. 21:2409-2419, endometrial example (HG ~ NV + PI + EH, 79 patients): published
  Firth estimates NV 2.9293, PI −0.0347, EH −2.6042 (as quoted to 4 decimals in our issue and
  logistf's documentation of the example). The intercept is checked against an independent
  maximization of the penalized likelihood below (3.7746; the paper's table lists 3.77).
- Firth (1993) / Heinze & Schemper (2002): for a 2×2 table the Firth estimate is the log odds
  ratio with ½ added to every cell (Haldane's correction) — an analytic reference, finite even
  with an empty cell (data from the question "Understanding confidence intervals in Firth
  penalized logistic regression", stats.stackexchange.com/q/130558: X yes 0/22, X no 7/356).
- The profile penalized-likelihood intervals and penalized LR p-values (logistf's defaults) are
  checked by their definition with an independent SciPy maximization of
  ℓ*(β) = Σ wᵢ[yᵢzᵢ − log(1 + e^zᵢ)] + ½ log det XᵀWX written out here with NumPy.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import optimize, stats
from scipy.special import expit
from sklearn.base import clone
from test_separation import endometrial

from logitlab import LogisticRegression


def _pen_loglik(beta, X, y, w):
    z = X @ beta
    p = expit(z)
    info = X.T @ (X * (w * p * (1 - p))[:, None])
    return float(np.sum(w * (y * z - np.logaddexp(0, z))) + 0.5 * np.linalg.slogdet(info)[1])


def _independent_max(X, y, w=None, fixed=None, start=None):
    """Maximize ℓ* with BFGS (optionally with one coordinate j fixed at c)."""
    w = np.ones(len(y)) if w is None else w
    k = X.shape[1]
    free = np.ones(k, bool)
    base = np.zeros(k) if start is None else np.array(start, float)
    if fixed is not None:
        j, c = fixed
        free[j] = False
        base[j] = c

    def negll(v):
        b = base.copy()
        b[free] = v
        return -_pen_loglik(b, X, y, w)

    res = optimize.minimize(negll, base[free], method="BFGS", options={"gtol": 1e-9})
    b = base.copy()
    b[free] = res.x
    return b, -res.fun


@pytest.fixture(scope="module")
def endo_fit():
    df = endometrial()
    X, y = df[["NV", "PI", "EH"]], df["HG"]
    return LogisticRegression(lam=0, firth=True).fit(X, y), X, y


def test_endometrial_matches_published_estimates(endo_fit):
    m, X, y = endo_fit
    assert m.converged_ and m.status_ == "converged"
    np.testing.assert_allclose(m.coef_.ravel(), [2.9293, -0.0347, -2.6042], atol=6e-5)
    Xt = np.column_stack([np.ones(len(y)), X.values])
    ref, _ = _independent_max(Xt, y.values.astype(float), start=np.r_[3.0, 2.0, 0.0, -2.0])
    np.testing.assert_allclose(m.intercept_[0], ref[0], atol=2e-5)
    np.testing.assert_allclose(m.coef_.ravel(), ref[1:], atol=2e-5)
    assert m.intercept_[0] == pytest.approx(3.7746, abs=1e-4)


def test_endometrial_profile_intervals_and_tests_by_definition(endo_fit):
    m, X, y = endo_fit
    s = m.summary()
    assert s.method == "firth"
    t = s.table
    assert list(t.index) == ["(Intercept)", "NV", "PI", "EH"]
    assert np.all(np.isfinite(t[["ci_lower_0.95", "ci_upper_0.95"]].values))
    Xt = np.column_stack([np.ones(len(y)), X.values])
    yv = y.values.astype(float)
    top = _pen_loglik(t["coef"].values, Xt, yv, np.ones(len(yv)))
    crit = stats.chi2.ppf(0.95, 1)
    for j, name in enumerate(t.index):
        for col in ("ci_lower_0.95", "ci_upper_0.95"):
            _, val = _independent_max(Xt, yv, fixed=(j, t.loc[name, col]),
                                      start=t["coef"].values)
            assert 2 * (top - val) == pytest.approx(crit, abs=2e-4), (name, col)
        _, val0 = _independent_max(Xt, yv, fixed=(j, 0.0), start=t["coef"].values)
        assert t.loc[name, "chi2"] == pytest.approx(2 * (top - val0), abs=2e-4)
        assert t.loc[name, "p_value"] == pytest.approx(stats.chi2.sf(2 * (top - val0), 1),
                                                       rel=1e-3)
    # NV's interval is finite although its ML estimate is +∞, and excludes 0
    assert 0 < t.loc["NV", "ci_lower_0.95"] < t.loc["NV", "coef"] < t.loc["NV", "ci_upper_0.95"]
    # Wald SEs are √diag I(θ̃)⁻¹
    p = expit(Xt @ t["coef"].values)
    cov = np.linalg.inv(Xt.T @ (Xt * (p * (1 - p))[:, None]))
    np.testing.assert_allclose(t["std_err"], np.sqrt(np.diag(cov)), rtol=1e-6)
    assert "profile penalized" in str(s)


def _two_by_two(weighted: bool):
    # (x, y, count): X yes has 0 events / 22 non-events; X no has 7 events / 356 non-events
    rows = [(1, 1, 0), (1, 0, 22), (0, 1, 7), (0, 0, 356)]
    X = np.array([[r[0]] for r in rows], float)
    y = np.array([r[1] for r in rows])
    w = np.array([r[2] for r in rows], float)
    keep = w > 0
    X, y, w = X[keep], y[keep], w[keep]
    if weighted:
        return X, y, w
    rep = np.repeat(np.arange(len(y)), w.astype(int))
    return X[rep], y[rep], None


@pytest.mark.parametrize("weighted", [True, False], ids=["frequency-weights", "expanded"])
def test_two_by_two_table_is_haldane_corrected_log_odds_ratio(weighted):
    X, y, w = _two_by_two(weighted)
    m = LogisticRegression(lam=0, firth=True, tol=1e-10).fit(X, y, sample_weight=w)
    log_or = np.log((0 + 0.5) * (356 + 0.5) / ((22 + 0.5) * (7 + 0.5)))
    assert m.coef_[0, 0] == pytest.approx(log_or, abs=1e-8)
    assert m.intercept_[0] == pytest.approx(np.log(7.5 / 356.5), abs=1e-8)


def test_complete_separation_gives_finite_estimates_and_intervals():
    X = pd.DataFrame({"dose": [1.0, 2, 3, 4, 5, 6, 7, 8]})
    y = np.array([0, 0, 0, 0, 1, 1, 1, 1])
    m = LogisticRegression(lam=0, firth=True).fit(X, y)
    assert m.converged_ and np.all(np.isfinite(m.coef_))
    ref, _ = _independent_max(np.column_stack([np.ones(8), X.values]), y.astype(float))
    np.testing.assert_allclose([m.intercept_[0], m.coef_[0, 0]], ref, atol=1e-5)
    t = m.summary().table
    assert np.isfinite(t.loc["dose", "ci_lower_0.95"]) and t.loc["dose", "ci_lower_0.95"] > 0


def test_firth_is_invariant_to_standardization(endo_fit):
    m, X, y = endo_fit
    ms = LogisticRegression(lam=0, firth=True, standardize=True).fit(X, y)
    np.testing.assert_allclose(ms.coef_, m.coef_, atol=1e-8)
    np.testing.assert_allclose(ms.intercept_, m.intercept_, atol=1e-8)


def test_firth_shrinks_small_sample_bias_toward_zero():
    """Firth's estimates are pulled toward 0 relative to the MLE on non-separated data."""
    import statsmodels.api as sm

    d = sm.datasets.spector.load_pandas()
    mle = LogisticRegression(lam=0).fit(d.exog, d.endog)
    fir = LogisticRegression(lam=0, firth=True).fit(d.exog, d.endog)
    assert np.all(np.abs(fir.coef_) < np.abs(mle.coef_))


def test_firth_needs_lam_zero_and_is_a_parameter():
    X = np.array([[0.0], [1], [2], [3]])
    y = np.array([0, 1, 0, 1])
    with pytest.raises(ValueError, match="lam=0"):
        LogisticRegression(lam=1.0, firth=True).fit(X, y)
    m = LogisticRegression(lam=0, firth=True)
    assert m.get_params()["firth"] is True and clone(m).firth is True
