"""Residuals, influence, VIF, Hosmer–Lemeshow, marginal effects, prediction intervals and nested
tests, each against statsmodels to 1e-8 on real data (spector: Spector & Mazzeo 1980; anes96:
vote Clinton 0 / Dole 1 on eight covariates) at the default fitting tolerance, and each by row
repetition for the frequency-weight convention (per-row quantities: those of one copy)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

sm = pytest.importorskip("statsmodels.api")
from statsmodels.stats.outliers_influence import variance_inflation_factor  # noqa: E402

from logitlab import LogisticRegression  # noqa: E402
from logitlab.metrics import hosmer_lemeshow  # noqa: E402
from logitlab.stats import diagnostics as D  # noqa: E402
from logitlab.stats.margins import marginal_effects, predict_interval  # noqa: E402
from logitlab.stats.nested import lr_test, wald_test  # noqa: E402

RTOL = 1e-8


def spector():
    d = sm.datasets.spector.load_pandas()
    return d.exog.astype(float), d.endog.astype(float)


def anes96():
    d = sm.datasets.anes96.load_pandas().data
    cols = ["logpopul", "TVnews", "selfLR", "ClinLR", "DoleLR", "age", "educ", "income"]
    return d[cols], d["vote"].astype(float)


@pytest.fixture(scope="module", params=[spector, anes96], ids=["spector", "anes96"])
def fits(request):
    X, y = request.param()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        glm = sm.GLM(y, sm.add_constant(X), family=sm.families.Binomial()).fit(tol=1e-14)
        logit = sm.Logit(y, sm.add_constant(X)).fit(disp=0, tol=1e-14)
    return X, y, LogisticRegression(lam=0).fit(X, y), glm, logit


def test_residuals_match_statsmodels(fits):
    X, y, m, glm, _ = fits
    for kind, ref in [("response", glm.resid_response), ("pearson", glm.resid_pearson),
                      ("deviance", glm.resid_deviance), ("working", glm.resid_working),
                      ("standardized_pearson", glm.get_influence().resid_studentized)]:
        np.testing.assert_allclose(D.residuals(m, kind), ref, rtol=RTOL, err_msg=kind)
    h = glm.get_hat_matrix_diag()  # R's rstandard: deviance residual / √(1 − h)
    np.testing.assert_allclose(D.residuals(m, "standardized"), glm.resid_deviance / np.sqrt(1 - h),
                               rtol=RTOL)
    with pytest.raises(ValueError, match="kind"):
        D.residuals(m, "raw")


def test_influence_matches_statsmodels(fits):
    X, y, m, glm, _ = fits
    inf = glm.get_influence()
    f = D.influence(m)
    np.testing.assert_allclose(f["hat"], inf.hat_matrix_diag, rtol=RTOL)
    np.testing.assert_allclose(f["cooks_d"], inf.cooks_distance[0], rtol=RTOL)
    assert list(f.columns[4:]) == ["dfbeta_(Intercept)"] + [f"dfbeta_{c}" for c in X.columns]
    np.testing.assert_allclose(f.iloc[:, 4:].values, inf.d_params, rtol=RTOL, atol=1e-12 * np.abs(
        inf.d_params).max())


def test_vif_matches_statsmodels(fits):
    X, y, m, _, _ = fits
    Xc = sm.add_constant(X).values
    ref = [variance_inflation_factor(Xc, i) for i in range(1, Xc.shape[1])]
    np.testing.assert_allclose(D.variance_inflation(m), ref, rtol=RTOL)
    np.testing.assert_allclose(D.variance_inflation(X), ref, rtol=RTOL)
    assert list(D.variance_inflation(m).index) == list(X.columns)


def test_hosmer_lemeshow_of_the_model_uses_the_polished_probabilities(fits):
    X, y, m, _, logit = fits
    hl = D.goodness_of_fit(m)
    ref = hosmer_lemeshow(y, logit.predict(), 10)
    assert hl.statistic == pytest.approx(ref.statistic, rel=RTOL) and hl.dof == ref.dof


@pytest.mark.parametrize("at", ["overall", "mean"])
def test_marginal_effects_match_get_margeff(fits, at):
    X, y, m, _, logit = fits
    ref = logit.get_margeff(at=at)
    t = marginal_effects(m, at=at)
    np.testing.assert_allclose(t["dy/dx"], ref.margeff, rtol=RTOL)
    np.testing.assert_allclose(t["std_err"], ref.margeff_se, rtol=RTOL)
    np.testing.assert_allclose(t["p_value"], ref.pvalues, rtol=RTOL)
    ci = ref.conf_int()
    np.testing.assert_allclose(t["ci_lower_0.95"], ci[:, 0], rtol=RTOL)


@pytest.mark.parametrize("at", ["overall", "mean"])
def test_discrete_change_for_binary_features_matches_get_margeff_dummy(at):
    """spector's PSI is 0/1: dummy=True gives P(PSI=1) − P(PSI=0) (statsmodels' dummy=True)."""
    X, y = spector()
    m = LogisticRegression(lam=0).fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = sm.Logit(y, sm.add_constant(X)).fit(disp=0, tol=1e-14).get_margeff(at=at, dummy=True)
    t = marginal_effects(m, at=at, dummy=True)
    np.testing.assert_allclose(t["dy/dx"], ref.margeff, rtol=RTOL)
    np.testing.assert_allclose(t["std_err"], ref.margeff_se, rtol=RTOL)
    assert t.loc["PSI", "dy/dx"] != pytest.approx(marginal_effects(m, at=at).loc["PSI", "dy/dx"])


def test_prediction_intervals_match_get_prediction(fits):
    """statsmodels' GLM evaluates its covariance at the IRLS weights one step before the end
    (its bse differ from Logit's by ~1e-10); the reference is therefore built from Logit's
    covariance the way get_prediction builds it, and checked against get_prediction at 1e-8."""
    X, y, m, glm, logit = fits
    pi = predict_interval(m, X.iloc[:10])
    frame = glm.get_prediction(sm.add_constant(X).iloc[:10]).summary_frame()
    np.testing.assert_allclose(pi["probability"], frame["mean"], rtol=RTOL)
    np.testing.assert_allclose(pi["ci_lower_0.95"], frame["mean_ci_lower"], rtol=RTOL)
    np.testing.assert_allclose(pi["ci_upper_0.95"], frame["mean_ci_upper"], rtol=RTOL)
    Xc = sm.add_constant(X).iloc[:10].values
    se = np.sqrt(np.einsum("ij,jk,ik->i", Xc, logit.cov_params().values, Xc))
    np.testing.assert_allclose(pi["logit_se"], se, rtol=RTOL)


def test_nested_lr_and_wald_tests_match_statsmodels(fits):
    X, y, m, _, logit = fits
    keep = list(X.columns[:1])
    small = LogisticRegression(lam=0).fit(X[keep], y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref_small = sm.Logit(y, sm.add_constant(X[keep])).fit(disp=0, tol=1e-14)
    lr = lr_test(small, m)
    assert lr.statistic == pytest.approx(2 * (logit.llf - ref_small.llf), rel=RTOL)
    assert lr.df == X.shape[1] - 1
    drop = list(X.columns[1:])
    w = wald_test(m, drop)
    ref = logit.wald_test(", ".join(f"{c} = 0" for c in drop), scalar=True, use_f=False)
    assert w.statistic == pytest.approx(ref.statistic, rel=RTOL)
    assert w.pvalue == pytest.approx(ref.pvalue, rel=1e-7, abs=1e-300)
    R = np.zeros((1, X.shape[1] + 1))
    R[0, 1], R[0, 2] = 1.0, -1.0  # β₁ − β₂ = 0.5, columns as the summary (intercept first)
    ref2 = logit.wald_test((R, np.array([0.5])), scalar=True, use_f=False)
    assert wald_test(m, R, [0.5]).statistic == pytest.approx(ref2.statistic, rel=RTOL)
    with pytest.raises(ValueError, match="restricted"):
        lr_test(m, small)


# -- frequency weights: row repetition --------------------------------------------------------
@pytest.fixture(scope="module")
def repeated():
    X, y = spector()
    w = np.random.default_rng(5).integers(0, 4, len(y)).astype(float)
    w[:2] = [2, 3]
    rep = np.repeat(np.arange(len(y)), w.astype(int))
    mw = LogisticRegression(lam=0).fit(X, y, sample_weight=w)
    mr = LogisticRegression(lam=0).fit(X.iloc[rep], y.iloc[rep])
    return X, y, w, rep, mw, mr


def test_weighted_residuals_and_influence_are_those_of_each_copy(repeated):
    X, y, w, rep, mw, mr = repeated
    for kind in ("response", "pearson", "deviance", "working", "standardized",
                 "standardized_pearson"):
        np.testing.assert_allclose(D.residuals(mw, kind)[rep], D.residuals(mr, kind), rtol=1e-9)
    np.testing.assert_allclose(D.influence(mw).values[rep], D.influence(mr).values, rtol=1e-8,
                               atol=1e-14)


def test_weighted_vif_hl_margins_predictions_and_tests_are_row_repetitions(repeated):
    X, y, w, rep, mw, mr = repeated
    np.testing.assert_allclose(D.variance_inflation(mw), D.variance_inflation(mr), rtol=1e-10)
    np.testing.assert_allclose(D.variance_inflation(X, w), D.variance_inflation(X.iloc[rep]), rtol=1e-10)
    a, b = D.goodness_of_fit(mw), D.goodness_of_fit(mr)
    assert a.statistic == pytest.approx(b.statistic, rel=1e-9) and a.dof == b.dof
    for at in ("overall", "mean"):
        np.testing.assert_allclose(marginal_effects(mw, at=at).values, marginal_effects(mr, at=at).values,
                                   rtol=1e-9)
    np.testing.assert_allclose(predict_interval(mw, X).values, predict_interval(mr, X).values, rtol=1e-9)
    sw = LogisticRegression(lam=0).fit(X[["GPA"]], y, sample_weight=w)
    sr = LogisticRegression(lam=0).fit(X[["GPA"]].iloc[rep], y.iloc[rep])
    assert lr_test(sw, mw).statistic == pytest.approx(lr_test(sr, mr).statistic, rel=1e-9)
    for cov_type in ("nonrobust", "HC0", "HC3"):
        assert wald_test(mw, ["TUCE", "PSI"], cov_type=cov_type).statistic == pytest.approx(
            wald_test(mr, ["TUCE", "PSI"], cov_type=cov_type).statistic, rel=1e-9)
