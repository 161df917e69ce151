"""model.summary(): maximum-likelihood inference checked against statsmodels' Logit and GLM.

References: statsmodels 0.14+ ``Logit`` (params, bse, tvalues, pvalues, conf_int, llf, llnull,
aic, bic, prsquared, llr, llr_pvalue) and ``GLM(..., freq_weights=...)`` for frequency
weights, on two real data sets: statsmodels' ``spector`` (Spector & Mazzeo 1980, 32 students)
and a 5-feature subset of the Wisconsin breast-cancer data (not separated; checked by the LP).
"""

from __future__ import annotations

import pickle

import numpy as np
import pandas as pd
import pytest

sm = pytest.importorskip("statsmodels.api")

from logitlab import LogisticRegression, SeparationWarning  # noqa: E402
from logitlab.datasets import load_dataset  # noqa: E402
from logitlab.stats.inference import INTERCEPT_NAME, InferenceError  # noqa: E402

RTOL = 1e-6
BC_COLS = ["mean radius", "mean texture", "mean smoothness", "mean concavity", "worst symmetry"]


def _spector():
    d = sm.datasets.spector.load_pandas()
    return d.exog.astype(float), d.endog.astype(int)


def _breast_cancer_subset():
    df, target = load_dataset("breast_cancer")
    return df[BC_COLS], (df[target] == "malignant").astype(int)


def _statsmodels(X, y, **fit_kw):
    Xc = sm.add_constant(X, prepend=True)
    return sm.Logit(y, Xc).fit(disp=0, tol=1e-12, maxiter=200, **fit_kw)


def _ours(X, y, **kw):
    return LogisticRegression(lam=0, tol=1e-11, **kw).fit(X, y)


@pytest.mark.parametrize("data", [_spector, _breast_cancer_subset], ids=["spector", "breast_cancer"])
def test_summary_matches_statsmodels_logit(data):
    X, y = data()
    ref = _statsmodels(X, y)
    s = _ours(X, y).summary()
    t = s.table
    assert list(t.index) == [INTERCEPT_NAME] + list(X.columns)
    np.testing.assert_allclose(t["coef"], ref.params.values, rtol=RTOL)
    np.testing.assert_allclose(t["std_err"], ref.bse.values, rtol=RTOL)
    np.testing.assert_allclose(t["z"], ref.tvalues.values, rtol=RTOL)
    np.testing.assert_allclose(t["p_value"], ref.pvalues.values, rtol=RTOL)
    ci = ref.conf_int(alpha=0.05).values
    np.testing.assert_allclose(t["ci_lower_0.95"], ci[:, 0], rtol=RTOL)
    np.testing.assert_allclose(t["ci_upper_0.95"], ci[:, 1], rtol=RTOL)
    np.testing.assert_allclose(t["odds_ratio"], np.exp(ref.params.values), rtol=RTOL)
    np.testing.assert_allclose(t["or_ci_lower_0.95"], np.exp(ci[:, 0]), rtol=RTOL)
    st = s.stats
    for ours, theirs in [
        ("log_likelihood", ref.llf), ("null_log_likelihood", ref.llnull), ("aic", ref.aic),
        ("bic", ref.bic), ("pseudo_r2_mcfadden", ref.prsquared), ("lr_stat", ref.llr),
        ("lr_pvalue", ref.llr_pvalue), ("deviance", -2 * ref.llf),
    ]:
        assert st[ours] == pytest.approx(theirs, rel=RTOL), ours
    assert st["df_model"] == ref.df_model and st["df_resid"] == ref.df_resid
    np.testing.assert_allclose(s.cov.values, ref.cov_params().values, rtol=1e-5)


def test_confidence_level_is_settable():
    X, y = _spector()
    ref = _statsmodels(X, y)
    t = _ours(X, y).summary(alpha=0.10).table
    ci = ref.conf_int(alpha=0.10).values
    np.testing.assert_allclose(t["ci_lower_0.9"], ci[:, 0], rtol=RTOL)
    np.testing.assert_allclose(t["ci_upper_0.9"], ci[:, 1], rtol=RTOL)


@pytest.mark.parametrize("data", [_spector, _breast_cancer_subset], ids=["spector", "breast_cancer"])
def test_robust_hc0_matches_statsmodels(data):
    X, y = data()
    ref = _statsmodels(X, y, cov_type="HC0")
    t = _ours(X, y).summary(cov_type="HC0").table
    np.testing.assert_allclose(t["std_err"], ref.bse.values, rtol=RTOL)
    np.testing.assert_allclose(t["p_value"], ref.pvalues.values, rtol=RTOL)


def test_hc1_is_hc0_with_small_sample_factor():
    """HC1 = HC0·n/(n−k) (R sandwich / Stata convention; statsmodels' Logit treats HC1 as HC0)."""
    X, y = _spector()
    m = _ours(X, y)
    se0 = m.summary(cov_type="HC0").table["std_err"].values
    se1 = m.summary(cov_type="HC1").table["std_err"].values
    n, k = len(y), X.shape[1] + 1
    np.testing.assert_allclose(se1, se0 * np.sqrt(n / (n - k)), rtol=1e-12)


def test_standardized_fit_reports_original_units():
    X, y = _breast_cancer_subset()
    ref = _statsmodels(X, y)
    t = LogisticRegression(lam=0, tol=1e-9, standardize=True).fit(X, y).summary().table
    np.testing.assert_allclose(t["coef"], ref.params.values, rtol=1e-6)
    np.testing.assert_allclose(t["std_err"], ref.bse.values, rtol=1e-6)


def test_sample_weights_are_frequency_weights():
    """Integer weights = duplicated rows; and equal statsmodels GLM(freq_weights=...)."""
    X, y = _spector()
    w = np.tile([1, 2, 3, 1], 8).astype(float)
    sw = _ours(X, y).fit(X, y, sample_weight=w).summary()
    rep = np.repeat(np.arange(len(y)), w.astype(int))
    dup = _ours(X.iloc[rep], y.iloc[rep]).summary()
    np.testing.assert_allclose(sw.table["std_err"], dup.table["std_err"], rtol=1e-7)
    assert sw.stats["bic"] == pytest.approx(dup.stats["bic"], rel=1e-9)
    assert sw.stats["n_obs"] == w.sum()
    glm = sm.GLM(y, sm.add_constant(X), family=sm.families.Binomial(), freq_weights=w).fit(
        tol=1e-12)
    np.testing.assert_allclose(sw.table["coef"], glm.params.values, rtol=1e-6)
    np.testing.assert_allclose(sw.table["std_err"], glm.bse.values, rtol=1e-6)
    assert sw.stats["log_likelihood"] == pytest.approx(glm.llf, rel=1e-8)


def test_unnamed_features_and_no_intercept():
    X, y = _spector()
    ref = sm.Logit(y.values, X.values).fit(disp=0, tol=1e-12)
    s = LogisticRegression(lam=0, fit_intercept=False, tol=1e-11).fit(X.values, y.values).summary()
    assert list(s.table.index) == ["x0", "x1", "x2"]
    np.testing.assert_allclose(s.table["std_err"], ref.bse, rtol=RTOL)
    assert s.stats["aic"] == pytest.approx(ref.aic, rel=RTOL)
    # without an intercept the null model is p = 1/2 (R's glm convention)
    assert s.stats["null_log_likelihood"] == pytest.approx(len(y) * np.log(0.5), rel=1e-12)


def test_printout_is_readable():
    X, y = _spector()
    text = str(_ours(X, y).summary())
    for piece in ("maximum likelihood", "GPA", "(Intercept)", "AIC", "BIC", "McFadden",
                  "LR p-value", "std_err", "odds_ratio"):
        assert piece in text


def test_penalized_fit_says_standard_errors_do_not_apply():
    X, y = _spector()
    s = LogisticRegression(lam=1.0).fit(X, y).summary()
    assert s.method == "penalized"
    assert "do not apply" in str(s) and "PENALIZED" in str(s)
    assert s.table["std_err"].isna().all() and s.table["p_value"].isna().all()
    assert np.isfinite(s.table["coef"]).all()
    assert np.isnan(s.stats["aic"])


def test_separated_data_refuse_standard_errors():
    X = pd.DataFrame({"dose": [1.0, 2, 3, 4, 5, 6, 7, 8], "noise": [1.0, 0, 1, 0, 0, 1, 1, 0]})
    y = np.array([0, 0, 0, 0, 1, 1, 1, 1])
    with pytest.warns(SeparationWarning, match="(?s)Complete separation.*dose"):
        m = LogisticRegression(lam=0).fit(X, y)
    with pytest.raises(InferenceError, match="(?s)Complete separation.*dose.*firth=True"):
        m.summary()


def test_pickled_model_needs_data_again():
    X, y = _spector()
    m = _ours(X, y)
    expected = m.summary().table
    clone = pickle.loads(pickle.dumps(m))
    assert not hasattr(clone, "_fit_objective")
    with pytest.raises(InferenceError, match="summary\\(X, y\\)"):
        clone.summary()
    pd.testing.assert_frame_equal(clone.summary(X, y).table, expected)


def test_bad_arguments():
    X, y = _spector()
    m = _ours(X, y)
    with pytest.raises(ValueError, match="cov_type"):
        m.summary(cov_type="HC9")
    with pytest.raises(ValueError, match="alpha"):
        m.summary(alpha=1.5)


def test_hours_studied_matches_the_published_table():
    """Wikipedia, "Logistic regression", the hours-studied example: b = −4.0777, w = 1.5046,
    Wald z = −2.3 and 2.4, p = 0.021 and 0.017 (as printed, rounded)."""
    df, target = load_dataset("hours")
    t = LogisticRegression(lam=0, tol=1e-10).fit(df[["hours"]], df[target]).summary().table
    assert t.loc[INTERCEPT_NAME, "coef"] == pytest.approx(-4.0777, abs=1e-4)
    assert t.loc["hours", "coef"] == pytest.approx(1.5046, abs=1e-4)
    assert round(t.loc[INTERCEPT_NAME, "z"], 1) == -2.3 and round(t.loc["hours", "z"], 1) == 2.4
    assert round(t.loc[INTERCEPT_NAME, "p_value"], 3) == 0.021
    assert round(t.loc["hours", "p_value"], 3) == 0.017


def test_profile_likelihood_intervals_by_statsmodels_offsets():
    """ci_method="profile" (R's confint for a glm): at each bound c, the statsmodels GLM with
    βⱼ fixed at c through an offset has 2(ℓ̂ − ℓ(c)) = χ²₁(0.95); lr_chi2 is 2(ℓ̂ − ℓ(βⱼ=0))."""
    from scipy import stats

    X, y = _spector()
    s = _ours(X, y).summary(ci_method="profile")
    Xc = sm.add_constant(X, prepend=True)
    llf = sm.Logit(y, Xc).fit(disp=0, tol=1e-12).llf
    crit = stats.chi2.ppf(0.95, 1)
    for j, name in enumerate(Xc.columns):
        row = s.table.iloc[j]
        rest = Xc.drop(columns=name)
        for c in (row["ci_lower_0.95"], row["ci_upper_0.95"]):
            glm = sm.GLM(y, rest, family=sm.families.Binomial(), offset=c * Xc[name]).fit(
                tol=1e-12)
            assert 2 * (llf - glm.llf) == pytest.approx(crit, abs=1e-6), (name, c)
        dropped = sm.GLM(y, rest, family=sm.families.Binomial()).fit(tol=1e-12)
        assert row["lr_chi2"] == pytest.approx(2 * (llf - dropped.llf), rel=1e-6)
    np.testing.assert_allclose(s.table["or_ci_upper_0.95"], np.exp(s.table["ci_upper_0.95"]))
    assert "profile-likelihood" in str(s)


def test_standardize_without_intercept_keeps_the_model():
    """With fit_intercept=False, standardize only scales (centering would add a hidden intercept)."""
    X, y = _spector()
    a = LogisticRegression(lam=0, fit_intercept=False, standardize=True, tol=1e-10).fit(X, y)
    b = LogisticRegression(lam=0, fit_intercept=False, tol=1e-10).fit(X, y)
    np.testing.assert_allclose(a.coef_, b.coef_, rtol=1e-6)
    np.testing.assert_allclose(a.summary().table["std_err"], b.summary().table["std_err"], rtol=1e-6)


@pytest.mark.parametrize("data", [_spector, _breast_cancer_subset], ids=["spector", "breast_cancer"])
@pytest.mark.parametrize("kind", ["HC2", "HC3"])
def test_hc2_hc3_from_statsmodels_glm_leverages(data, kind):
    """HC2/HC3 as R's sandwich::vcovHC(glm): meat Σ (yᵢ−pᵢ)² x̃ᵢx̃ᵢᵀ/(1−hᵢ)^δ, δ = 1, 2.

    Oracle pieces from statsmodels' binomial GLM: bread = cov_params(), residuals
    resid_response, leverages get_hat_matrix_diag() (diagonal of W^½X(XᵀWX)⁻¹XᵀW^½)."""
    X, y = data()
    Xc = sm.add_constant(X, prepend=True).values
    res = sm.GLM(np.asarray(y, float), Xc, family=sm.families.Binomial()).fit(tol=1e-12)
    h = np.asarray(res.get_hat_matrix_diag())
    e = np.asarray(res.resid_response)
    delta = 1 if kind == "HC2" else 2
    meat = Xc.T @ (Xc * (e**2 / (1 - h) ** delta)[:, None])
    bread = res.cov_params()
    ref_se = np.sqrt(np.diag(bread @ meat @ bread))
    t = _ours(X, y).summary(cov_type=kind).table
    np.testing.assert_allclose(t["std_err"], ref_se, rtol=1e-6)
    se0 = _ours(X, y).summary(cov_type="HC0").table["std_err"]
    assert np.all(t["std_err"].values > se0.values)  # leverage corrections inflate


@pytest.mark.parametrize("data", [_spector, _breast_cancer_subset], ids=["spector", "breast_cancer"])
def test_cluster_robust_matches_statsmodels(data):
    X, y = data()
    groups = np.arange(len(y)) % 7 if len(y) < 100 else np.arange(len(y)) // 25
    ref = _statsmodels(X, y, cov_type="cluster", cov_kwds={"groups": groups})
    s = _ours(X, y).summary(cov_type="cluster", groups=groups)
    np.testing.assert_allclose(s.table["std_err"], ref.bse.values, rtol=RTOL)
    np.testing.assert_allclose(s.table["p_value"], ref.pvalues.values, rtol=RTOL)
    np.testing.assert_allclose(s.cov.values, ref.cov_params().values, rtol=1e-5)
    assert "cluster-robust" in str(s)
    with pytest.raises(ValueError, match="groups"):
        _ours(X, y).summary(cov_type="cluster")
    with pytest.raises(ValueError, match="groups"):
        _ours(X, y).summary(groups=groups)


def test_cli_summary_shows_the_users_positive_label_and_report_has_the_table(tmp_path):
    """`logitlab train --summary` prints the user's label ('yes'), not the encoded 1.0, and
    report.html carries the same table (SE 0.6287 for hours: the published Wald table)."""
    from typer.testing import CliRunner

    from logitlab.cli import app

    df, target = load_dataset("hours")
    data = df.assign(**{target: np.where(df[target] == 1, "yes", "no")})
    path = tmp_path / "hours.csv"
    data.to_csv(path, index=False)
    r = CliRunner().invoke(app, ["train", str(path), "--target", target, "--positive", "yes",
                                 "--lam", "0", "--test-size", "0", "--summary", "--tol", "1e-10",
                                 "-o", str(tmp_path / "out")])
    assert r.exit_code == 0, r.output
    line = next(ln for ln in r.stdout.splitlines() if ln.startswith("Positive class"))
    assert line.split()[2] == "yes" and "1.0" not in line.split("Log-likelihood")[0]
    html_text = (tmp_path / "out" / "report.html").read_text()
    section = html_text[html_text.index("id='statistics'"):]
    section = section[: section.index("</section>")]
    assert "Statistics (maximum likelihood" in section and "0.6287" in section
    assert ">yes<" in section  # positive_class in the statistics table
