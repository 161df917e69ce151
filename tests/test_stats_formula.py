"""logitlab.logit(formula, data): R-style formulas through formulaic, checked against
statsmodels' formula API (patsy) on the bundled anes96 data, R's column names, the same
summary(), new-data prediction through the same dummies, weights, missing rows."""

from __future__ import annotations

import numpy as np
import pytest

smf = pytest.importorskip("statsmodels.formula.api")

import logitlab  # noqa: E402
from logitlab.datasets import load_dataset  # noqa: E402
from logitlab.stats.formula import r_name  # noqa: E402

FORMULA = "vote ~ age + C(educ) + selfLR:age + party"


@pytest.fixture(scope="module")
def anes():
    df, _ = load_dataset("anes96")
    return df.assign(party=np.where(df.PID <= 2, "dem", np.where(df.PID >= 4, "rep", "ind")))


def test_formula_fit_matches_statsmodels_with_r_names(anes):
    f = logitlab.logit(FORMULA, data=anes)
    ref = smf.logit(FORMULA, data=anes).fit(disp=0, tol=1e-14)
    t = f.summary().table
    assert list(t.index) == ["(Intercept)", "age", "C(educ)2", "C(educ)3", "C(educ)4", "C(educ)5",
                             "C(educ)6", "C(educ)7", "partyind", "partyrep", "selfLR:age"]
    theirs = ref.params.rename(lambda c: "(Intercept)" if c == "Intercept" else r_name(c))
    bse = ref.bse.rename(lambda c: "(Intercept)" if c == "Intercept" else r_name(c))
    np.testing.assert_allclose(t["coef"], theirs[t.index], rtol=1e-8)
    np.testing.assert_allclose(t["std_err"], bse[t.index], rtol=1e-8)
    assert f.summary().stats["log_likelihood"] == pytest.approx(ref.llf, rel=1e-10)
    assert "formula: " + FORMULA in str(f.summary())


def test_new_data_use_the_same_dummies(anes):
    f = logitlab.logit(FORMULA, data=anes)
    new = anes.iloc[[5, 0, 17]]  # fewer levels than the training data: still 6 educ dummies
    ref = smf.logit(FORMULA, data=anes).fit(disp=0, tol=1e-14)
    np.testing.assert_allclose(f.predict_proba(new), ref.predict(new), rtol=1e-6)
    assert f.predict_interval(new).shape == (3, 5)
    assert set(f.predict(new)) <= {0, 1}


def test_string_response_no_intercept_weights_and_missing_rows(anes):
    d = anes.assign(who=np.where(anes.vote == 1, "dole", "clinton"))
    a = logitlab.logit("who ~ selfLR + age", data=d)
    b = logitlab.logit("vote ~ selfLR + age", data=d)
    np.testing.assert_allclose(a.params, b.params)  # "dole" > "clinton": the positive class
    c = logitlab.logit("vote ~ C(educ) - 1", data=d)
    assert "(Intercept)" not in c.params.index and "C(educ)1" in c.params.index
    w = np.random.default_rng(0).integers(1, 4, len(d))
    rep = d.loc[d.index.repeat(w)].reset_index(drop=True)
    fw = logitlab.logit("vote ~ selfLR + age", data=d.assign(w=w), weights="w")
    fr = logitlab.logit("vote ~ selfLR + age", data=rep)
    np.testing.assert_allclose(fw.summary().table["std_err"], fr.summary().table["std_err"], rtol=1e-9)
    holes = d.astype({"age": float}).copy()
    holes.loc[[3, 8], "age"] = np.nan
    m = logitlab.logit("vote ~ selfLR + age", data=holes)
    assert m.n_dropped == 2 and "2 rows with missing values dropped" in str(m.summary())
    with pytest.raises(ValueError, match="response"):
        logitlab.logit("selfLR + age", data=d)
