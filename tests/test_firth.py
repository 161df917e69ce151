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
- logistf's own output (R, logistf defaults pl=TRUE, alpha=0.05), as recorded in the test suite
  of the Python port firthlogist (github.com/jzluo/firthlogist, tests/test_firthlogist.py,
  "compare with logistf for logistf::sex2" and the endometrial fixture): sex2 coefficients and
  profile CIs to 8 significant digits, endometrial coefficients, intercept and profile CIs.
  logistf's penalized LR χ² and p for sex2 (2 and 3 decimals) as printed by easystats/parameters'
  snapshot of model_parameters(logistf(case ~ age+oc+vic+vicl+vis+dia, sex2))
  (tests/testthat/_snaps/windows/model_parameters.logistf.md).
- sex2 data (logistf::sex2, 239 women, urinary tract infection): the text copy in firthlogist
  (tests/sex2.csv), aggregated here into its 36 distinct rows with counts; the row count 239 and
  130 cases match logistf's documentation.
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
    # logistf's own digits (firthlogist's fixture); logistf stops at xconv = 1e-5
    np.testing.assert_allclose(m.coef_.ravel(), [2.92927330, -0.03475175, -2.60416387], atol=2e-6)
    assert m.intercept_[0] == pytest.approx(3.77455951, abs=2e-6)
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


def test_endometrial_profile_intervals_equal_logistf(endo_fit):
    m, _, _ = endo_fit
    t = m.summary().table
    ci = t[["ci_lower_0.95", "ci_upper_0.95"]].loc[["NV", "PI", "EH", "(Intercept)"]].values
    published = [[0.6097244, 7.85463171], [-0.1244587, 0.04045547],
                 [-4.3651832, -1.23272106], [1.0825371, 7.20928050]]
    np.testing.assert_allclose(ci, published, rtol=2e-6, atol=2e-6)


# logistf::sex2 as (case, age, oc, vic, vicl, vis, dia, count)
_SEX2 = """0 0 0 0 0 1 0 1|0 0 0 1 0 0 0 2|0 0 0 1 0 1 0 1|0 0 0 1 1 0 0 8|0 0 0 1 1 1 0 18
0 0 1 0 0 0 0 42|0 0 1 0 0 1 0 1|0 0 1 1 0 0 0 1|0 0 1 1 1 0 0 5|0 0 1 1 1 1 0 6
0 1 0 1 1 0 0 2|0 1 0 1 1 1 0 4|0 1 1 0 0 0 0 14|0 1 1 0 0 1 0 1|0 1 1 1 0 0 0 1
0 1 1 1 1 1 0 2|1 0 0 0 0 1 0 1|1 0 0 1 0 0 0 14|1 0 0 1 0 1 0 3|1 0 0 1 1 0 0 10
1 0 0 1 1 1 0 12|1 0 0 1 1 1 1 1|1 0 1 0 0 0 0 44|1 0 1 0 0 0 1 3|1 0 1 1 0 0 0 15
1 0 1 1 0 0 1 1|1 0 1 1 0 1 0 2|1 0 1 1 1 0 0 7|1 0 1 1 1 1 0 3|1 1 0 1 0 0 0 2
1 1 0 1 0 1 0 1|1 1 0 1 0 1 1 1|1 1 0 1 1 0 0 1|1 1 0 1 1 1 1 1|1 1 1 0 0 0 0 5
1 1 1 1 0 0 0 3"""
_SEX2_COLS = ["age", "oc", "vic", "vicl", "vis", "dia"]
# logistf (firthlogist's fixture): intercept first, then age, oc, vic, vicl, vis, dia
_SEX2_COEF = [0.12025405, -1.10598131, -0.06881673, 2.26887464, -2.11140817, -0.78831694,
              3.09601166]
_SEX2_CI = [[-0.8185591, 1.07315122], [-1.9737884, -0.30742514], [-0.9414363, 0.78920202],
            [1.2730216, 3.43543273], [-3.2608611, -1.11773495], [-1.6080879, 0.01518468],
            [0.7745682, 8.03029352]]
# logistf's χ² (2 decimals) and p (3 decimals; "< .001" → below 0.001), easystats' snapshot
_SEX2_CHI2 = [0.06, 7.51, 0.02, 22.93, 19.10, 3.70, 7.90]
_SEX2_P = [0.802, 0.006, 0.875, None, None, 0.054, 0.005]


def sex2(expanded: bool = True) -> tuple[pd.DataFrame, np.ndarray, np.ndarray | None]:
    """(X, case, counts) — one row per woman when ``expanded``, else the 36 distinct rows."""
    rows = np.array([r.split() for r in _SEX2.replace("\n", "|").split("|")], dtype=int)
    X = pd.DataFrame(rows[:, 1:7].astype(float), columns=_SEX2_COLS)
    y, n = rows[:, 0], rows[:, 7].astype(float)
    assert len(rows) == 36 and n.sum() == 239 and n[y == 1].sum() == 130
    if not expanded:
        return X, y, n
    idx = np.repeat(np.arange(len(y)), n.astype(int))
    return X.iloc[idx].reset_index(drop=True), y[idx], None


@pytest.fixture(scope="module")
def sex2_summary():
    X, y, _ = sex2()
    m = LogisticRegression(lam=0, firth=True).fit(X, y)
    return m, m.summary()


def test_sex2_matches_logistf(sex2_summary):
    m, s = sex2_summary
    assert m.converged_
    t = s.table
    assert list(t.index) == ["(Intercept)", *_SEX2_COLS]
    np.testing.assert_allclose(t["coef"], _SEX2_COEF, atol=1e-6)
    np.testing.assert_allclose(t[["ci_lower_0.95", "ci_upper_0.95"]].values, _SEX2_CI,
                               rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(t["chi2"], _SEX2_CHI2, atol=0.005)
    for p, ref in zip(t["p_value"], _SEX2_P, strict=True):
        assert p < 0.001 if ref is None else p == pytest.approx(ref, abs=5e-4)


def test_sex2_frequency_weights_equal_expanded_rows(sex2_summary):
    _, s = sex2_summary
    X, y, n = sex2(expanded=False)
    sw = LogisticRegression(lam=0, firth=True).fit(X, y, sample_weight=n).summary()
    cols = ["coef", "std_err", "ci_lower_0.95", "ci_upper_0.95", "chi2", "p_value"]
    np.testing.assert_allclose(sw.table[cols].values, s.table[cols].values, rtol=1e-7, atol=1e-9)
    assert sw.stats["lr_stat"] == pytest.approx(s.stats["lr_stat"], rel=1e-8)


@pytest.mark.parametrize("rows", [36, 3500], ids=["sex2-gram", "synthetic-khatri-rao"])
def test_penalized_hessian_equals_finite_differences_of_the_score(rows):
    """−∇²ℓ* from the QR (incl. the second derivative of ½log det I) = central differences of U*
    (both forms of the penalty term: m×m Gram up to 3000 rows, Khatri-Rao beyond)."""
    from logitlab.objective import Objective
    from logitlab.stats.firth import FirthProblem

    X, y, n = sex2(expanded=False)
    if rows > 36:
        rng = np.random.default_rng(1)
        idx = rng.integers(0, 36, size=rows)
        X, y, n = X.iloc[idx] + rng.normal(scale=0.3, size=(rows, 6)), y[idx], None
    obj = Objective(X.values, y.astype(float), n, lam=0.0)
    prob = FirthProblem(obj)
    rng = np.random.default_rng(0)
    theta = rng.normal(scale=0.7, size=obj.n_params)
    st = prob.evaluate(theta)
    H = prob.neg_hessian(st)
    eps = 1e-5
    fd = np.column_stack([(prob.evaluate(theta + eps * e).score
                           - prob.evaluate(theta - eps * e).score) / (2 * eps)
                          for e in np.eye(obj.n_params)])
    np.testing.assert_allclose(H, -fd, rtol=1e-6, atol=1e-6 * np.abs(H).max())
    # and U* itself is the gradient of ℓ* (central differences of the value)
    g = [(prob.evaluate(theta + eps * e).pen_loglik - prob.evaluate(theta - eps * e).pen_loglik)
         / (2 * eps) for e in np.eye(obj.n_params)]
    np.testing.assert_allclose(st.score, g, rtol=1e-6, atol=1e-6)


def _breast_cancer(columns=None):
    from logitlab.datasets import load_dataset

    df, tg = load_dataset("breast_cancer")
    X = df.drop(columns=tg)
    if columns is not None:
        X = X.iloc[:, columns]
    return X, (df[tg] == "malignant").astype(int).values


@pytest.mark.parametrize("columns", [slice(0, 30, 3), slice(20, 30)], ids=["every-third", "worst"])
def test_breast_cancer_subset_maximum_equals_independent_bfgs(columns):
    """10 breast-cancer columns: ℓ*'s maximum and argmax = BFGS on ℓ* written out with NumPy.

    On the ten 'worst …' columns ℓ* has two local maxima: Newton or Fisher scoring from the
    null model (logistf's start) stops at the lower one (ℓ* 2.69 lower, coefficients up to 19
    apart in standardized units); the ridge restarts of firth_solve reach BFGS's."""
    X, y = _breast_cancer(columns)
    m = LogisticRegression(lam=0, firth=True).fit(X, y)
    assert m.converged_ and m.result_.kkt_residual < 1e-9
    Xv = X.values
    mu, sd = Xv.mean(0), Xv.std(0)
    Xt = np.column_stack([np.ones(len(y)), (Xv - mu) / sd])  # same ℓ*, up to Σ log σ
    ref, top = _independent_max(Xt, y.astype(float))
    ours = np.r_[m.intercept_[0] + m.coef_[0] @ mu, m.coef_[0] * sd]
    assert _pen_loglik(ours, Xt, y.astype(float), np.ones(len(y))) == pytest.approx(top, abs=1e-7)
    np.testing.assert_allclose(ours, ref, rtol=1e-3, atol=1e-3)
    if columns == slice(20, 30):
        from logitlab.stats.firth import firth_solve, penalized_loglik

        obj = m._fit_objective
        single = firth_solve(obj, obj.initial_theta(), multistart=False)
        best = penalized_loglik(obj, obj.join(m.coef_.ravel(), m.intercept_[0]))
        assert single.status == "converged"
        assert penalized_loglik(obj, single.theta) == pytest.approx(best - 2.6906, abs=1e-3)


def test_breast_cancer_all_30_features_converges_with_real_profile_statistics():
    """Complete separation + collinear columns: tight modified score, finite profile intervals,
    every penalized LR χ² > 0, and each bound at χ²₁(.95) by an independent constrained BFGS."""
    from logitlab import detect_separation

    X, y = _breast_cancer()
    assert detect_separation(X.values, y).kind == "complete"
    m = LogisticRegression(lam=0, firth=True).fit(X, y)
    assert m.converged_ and m.status_ == "converged"
    assert m.result_.kkt_residual < 1e-8  # mean modified score, raw units
    s = m.summary()
    t = s.table
    assert s.stats["score_max"] < 1e-6
    assert np.all(t["chi2"] > 0) and np.all(np.isfinite(t[["ci_lower_0.95", "ci_upper_0.95"]]))
    assert np.all((t["ci_lower_0.95"] < t["coef"]) & (t["coef"] < t["ci_upper_0.95"]))
    assert s.stats["lr_stat"] > 0
    # the table's estimate is a local maximum of ℓ* by an independent check: BFGS (analytic
    # gradient written out here) started there cannot climb, and ℓ* matches the printout
    Xv = X.values
    mu, sd = Xv.mean(0), Xv.std(0)
    Xt = np.column_stack([np.ones(len(y)), (Xv - mu) / sd])
    yv = y.astype(float)
    coef = t["coef"]
    b = np.r_[coef["(Intercept)"] + coef[X.columns].values @ mu, coef[X.columns].values * sd]
    top = _pen_loglik(b, Xt, yv, np.ones(len(yv)))
    assert top + np.log(sd).sum() == pytest.approx(s.stats["penalized_log_likelihood"], abs=1e-8)

    def neg(beta):
        z = Xt @ beta
        p = expit(z)
        w = p * (1 - p)
        info = Xt.T @ (Xt * w[:, None])
        h = w * np.einsum("ij,ij->i", Xt @ np.linalg.inv(info), Xt)
        return (-(np.sum(yv * z - np.logaddexp(0, z)) + 0.5 * np.linalg.slogdet(info)[1]),
                -Xt.T @ (yv - p + h * (0.5 - p)))

    assert np.max(np.abs(neg(b)[1])) < 1e-5
    res = optimize.minimize(neg, b, jac=True, method="BFGS", options={"gtol": 1e-10})
    assert -res.fun <= top + 1e-7
    # ℓ* has several local maxima here; ours is at least as high as BFGS's from β = 0
    res0 = optimize.minimize(neg, np.zeros(Xt.shape[1]), jac=True, method="BFGS",
                             options={"gtol": 1e-9, "maxiter": 20000})
    assert top >= -res0.fun - 1e-7


def test_large_data_path_fisher_first_and_cholesky_factor():
    """Beyond 3000 rows (Fisher scoring first, Cholesky-based factor, Khatri-Rao Hessian):
    the estimate, a profile bound and a penalized LR χ² equal independent BFGS answers."""
    rng = np.random.default_rng(3)
    m = 4000
    X = rng.normal(size=(m, 4)) * [1.0, 10.0, 0.1, 3.0] + [0.0, 50.0, 0.0, -2.0]
    z = X @ [0.8, -0.05, 4.0, 0.3] - 0.5
    y = (rng.random(m) < expit(z)).astype(float)
    fit = LogisticRegression(lam=0, firth=True).fit(X, y)
    assert fit.converged_
    Xt = np.column_stack([np.ones(m), X])
    start = np.r_[fit.intercept_[0], fit.coef_[0]]
    ref, top = _independent_max(Xt, y, start=start + 0.05)
    np.testing.assert_allclose(start, ref, rtol=1e-4, atol=1e-5)  # BFGS: numeric gradient
    assert _pen_loglik(start, Xt, y, np.ones(m)) >= top - 1e-9     # ours at least as high
    t = fit.summary().table
    crit = stats.chi2.ppf(0.95, 1)
    _, val = _independent_max(Xt, y, fixed=(3, t.loc["x2", "ci_upper_0.95"]), start=start)
    assert 2 * (top - val) == pytest.approx(crit, abs=1e-4)
    _, val0 = _independent_max(Xt, y, fixed=(1, 0.0), start=start)
    assert t.loc["x0", "chi2"] == pytest.approx(2 * (top - val0), rel=1e-4)
