"""Offsets (R's ``glm(..., offset = o)``, statsmodels' ``GLM(..., offset=o)``): the summary, the
null model, residuals, influence and prediction intervals against statsmodels to 1e-8; Firth
with an offset against an independent maximization of ℓ*; frequency weights by row repetition.
Needs ``LogisticRegression.fit(..., offset=)`` from the core (skipped before it exists)."""

from __future__ import annotations

import inspect

import numpy as np
import pytest
from scipy import optimize
from scipy.special import expit

from logitlab import LogisticRegression

sm = pytest.importorskip("statsmodels.api")
pytestmark = pytest.mark.skipif("offset" not in inspect.signature(LogisticRegression.fit).parameters,
                                reason="the estimator has no offset yet (core redesign)")
RTOL = 1e-8


@pytest.fixture(scope="module")
def data():
    d = sm.datasets.anes96.load_pandas().data
    X = d[["selfLR", "ClinLR", "DoleLR", "age", "educ"]].astype(float)
    y = d["vote"].astype(float)
    offset = 0.3 * (d["PID"].to_numpy() - 3.0)  # a known effect of party identification
    glm = sm.GLM(y, sm.add_constant(X), family=sm.families.Binomial(), offset=offset).fit(tol=1e-14)
    return X, y, offset, LogisticRegression(lam=0).fit(X, y, offset=offset), glm


def test_summary_with_offset_matches_statsmodels_glm(data):
    X, y, offset, m, glm = data
    s = m.summary()
    np.testing.assert_allclose(s.table["coef"], glm.params, rtol=RTOL)
    np.testing.assert_allclose(s.table["std_err"], glm.bse, rtol=RTOL)
    # GLM's SEs lag one IRLS step (4e-11); tiny p-values magnify that, so p against Logit's
    logit = sm.Logit(y, sm.add_constant(X), offset=offset).fit(disp=0, tol=1e-14)
    np.testing.assert_allclose(s.table["p_value"], logit.pvalues, rtol=RTOL)
    st = s.stats
    assert st["log_likelihood"] == pytest.approx(glm.llf, rel=RTOL)
    assert st["null_log_likelihood"] == pytest.approx(glm.llnull, rel=RTOL)  # intercept + offset
    assert st["deviance"] == pytest.approx(-2 * glm.llf, rel=RTOL)
    assert st["null_deviance"] - st["deviance"] == pytest.approx(glm.null_deviance - glm.deviance, rel=RTOL)
    assert st["aic"] == pytest.approx(glm.aic, rel=RTOL)


def test_diagnostics_with_offset_match_statsmodels_glm(data):
    from logitlab.stats import diagnostics as D
    from logitlab.stats.margins import predict_interval

    X, y, offset, m, glm = data
    np.testing.assert_allclose(D.residuals(m, "deviance"), glm.resid_deviance, rtol=RTOL)
    np.testing.assert_allclose(D.residuals(m, "pearson"), glm.resid_pearson, rtol=RTOL)
    inf = glm.get_influence()
    f = D.influence(m)
    np.testing.assert_allclose(f["hat"], inf.hat_matrix_diag, rtol=1e-7)
    np.testing.assert_allclose(f["cooks_d"], inf.cooks_distance[0], rtol=1e-7)
    pi = predict_interval(m, X.iloc[:8], offset=offset[:8])
    frame = glm.get_prediction(sm.add_constant(X).iloc[:8], offset=offset[:8]).summary_frame()
    np.testing.assert_allclose(pi["probability"], frame["mean"], rtol=RTOL)
    np.testing.assert_allclose(pi["ci_lower_0.95"], frame["mean_ci_lower"], rtol=1e-7)


def test_offset_with_frequency_weights_is_row_repetition(data):
    X, y, offset, _, _ = data
    w = np.random.default_rng(1).integers(0, 3, len(y))
    rep = np.repeat(np.arange(len(y)), w)
    a = LogisticRegression(lam=0).fit(X, y, sample_weight=w, offset=offset).summary(cov_type="HC1")
    b = LogisticRegression(lam=0).fit(X.iloc[rep], y.iloc[rep], offset=offset[rep]).summary(cov_type="HC1")
    np.testing.assert_allclose(a.table["std_err"], b.table["std_err"], rtol=1e-9)
    assert a.stats["null_log_likelihood"] == pytest.approx(b.stats["null_log_likelihood"], rel=1e-10)


def test_firth_with_offset_maximizes_the_penalized_likelihood(data):
    from logitlab.stats.firth_corrections import flic

    X, y, offset, _, _ = data
    Xs, ys, os_ = X.iloc[:120], y.iloc[:120].to_numpy(), offset[:120]
    m = LogisticRegression(lam=0, firth=True).fit(Xs, ys, offset=os_)
    Xt = np.column_stack([np.ones(len(ys)), Xs])

    def neg_pen(beta):
        z = Xt @ beta + os_
        p = expit(z)
        info = Xt.T @ (Xt * (p * (1 - p))[:, None])
        return -(np.sum(ys * z - np.logaddexp(0, z)) + 0.5 * np.linalg.slogdet(info)[1])

    ref = optimize.minimize(neg_pen, np.zeros(Xt.shape[1]), method="BFGS", options={"gtol": 1e-10})
    theta = np.r_[m.intercept_, m.coef_.ravel()]
    np.testing.assert_allclose(theta, ref.x, rtol=1e-5, atol=1e-6)
    assert neg_pen(theta) <= ref.fun + 1e-9
    fl = flic(m)  # the intercept given Firth's slopes and the offset: glm(y ~ 1, offset = η + o)
    eta = np.asarray(Xs) @ m.coef_.ravel() + os_
    glm = sm.GLM(ys, np.ones((len(ys), 1)), family=sm.families.Binomial(), offset=eta).fit(tol=1e-14)
    assert fl.table.iloc[0]["coef"] == pytest.approx(glm.params[0], rel=RTOL)
