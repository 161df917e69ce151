"""Out-of-core fits (Parquet, CSV, directories) equal the in-memory fit; resumable; passes counted."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from logitlab import LogisticRegression
from logitlab.objective import Objective
from logitlab.outofcore import ChunkedObjective, FileSource, fit_chunked

M, P = 3000, 5


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    rng = np.random.default_rng(7)
    X = rng.normal(size=(M, P)) * np.array([1.0, 3.0, 0.5, 2.0, 1.0]) + 0.3
    y = (X @ rng.normal(size=P) + rng.logistic(size=M) > 0.2).astype(int)
    df = pd.DataFrame(X, columns=[f"x{j}" for j in range(P)])
    df["label"] = np.where(y == 1, "yes", "no")
    d = tmp_path_factory.mktemp("ooc")
    df.to_parquet(d / "all.parquet")
    df.to_csv(d / "all.csv", index=False)
    (d / "parts").mkdir()
    for k in range(3):
        df.iloc[k * 1000:(k + 1) * 1000].to_parquet(d / "parts" / f"part-{k}.parquet")
    return X, df["label"].to_numpy(), d


def _check(est, ref):
    J, Jr = est.objective_["J"], ref.objective_["J"]
    assert abs(J - Jr) <= 1e-10 * abs(Jr)
    np.testing.assert_allclose(est.coef_, ref.coef_, rtol=0, atol=1e-8)
    np.testing.assert_allclose(est.intercept_, ref.intercept_, rtol=0, atol=1e-8)
    assert list(est.classes_) == list(ref.classes_)
    assert est.objective_["n_passes"] >= est.n_iter_[0]


@pytest.mark.parametrize("fmt", ["parquet", "csv", "dir"])
@pytest.mark.parametrize("params", [
    {"lam": 2.0},
    {"lam": 0.0, "solver": "lbfgs"},
    {"lam": 600.0, "l1_ratio": 1.0},
    {"lam": 3.0, "l1_ratio": 0.5, "standardize": True, "class_weight": "balanced"},
])
def test_file_fit_equals_in_memory(data, fmt, params):
    X, y, d = data
    path = {"parquet": d / "all.parquet", "csv": d / "all.csv", "dir": d / "parts"}[fmt]
    ref = LogisticRegression(tol=1e-10, **params).fit(X, y)
    est = LogisticRegression(tol=1e-10, **params).fit(FileSource(path, "label", batch_rows=700))
    _check(est, ref)
    if params.get("l1_ratio") == 1.0:
        assert np.array_equal(est.coef_ == 0, ref.coef_ == 0) and np.any(ref.coef_ == 0)


@pytest.mark.parametrize("solver", ["newton-cg", "gd"])
def test_other_solvers(data, solver):
    X, y, d = data
    kw = {"learning_rate": 1.0, "max_iter": 20000} if solver == "gd" else {}
    ref = LogisticRegression(lam=5.0, solver=solver, tol=1e-10, **kw).fit(X, y)
    est = LogisticRegression(lam=5.0, solver=solver, tol=1e-10, **kw).fit(str(d / "all.parquet"), "label")
    _check(est, ref)


def test_chunked_objective_matches_objective(data):
    """Value, gradient, Hessian and H·v summed over chunks equal Objective on all rows."""
    X, y, d = data
    src = FileSource(d / "all.csv", "label", batch_rows=512)
    est = LogisticRegression(lam=1.5, max_iter=1)
    with pytest.warns(Warning):
        fit_chunked(est, src)
    y01 = (y == "yes").astype(float)
    ref = Objective(X, y01, lam=1.5)
    obj = ChunkedObjective(src, lam=1.5)
    theta = np.random.default_rng(1).normal(size=P + 1) * 0.3
    v = np.random.default_rng(2).normal(size=P + 1)
    f, g = obj.smooth_value_grad(theta)
    fr, gr = ref.smooth_value_grad(theta)
    assert abs(f - fr) <= 1e-14 * fr
    np.testing.assert_allclose(g, gr, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(obj.hessian(theta), ref.hessian(theta), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(obj.hessp(theta, v), ref.hessp(theta, v), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(obj.curvature_weights(theta).sum(), ref.curvature_weights(theta).sum(),
                               rtol=1e-13)
    assert obj.separates(theta) == ref.separates(theta)


def test_resume_from_checkpoint(data, tmp_path):
    """A fit killed in iteration 3's callback (3 saved) resumes there and ends at the in-memory answer."""
    X, y, d = data
    ck = tmp_path / "fit.ckpt.npz"
    ref = LogisticRegression(lam=0.5, solver="lbfgs", tol=1e-10).fit(X, y)

    class Interrupt(Exception):
        pass

    def crash(it, theta, J):
        if it == 3:
            raise Interrupt

    with pytest.raises(Interrupt):
        LogisticRegression(lam=0.5, solver="lbfgs", tol=1e-10).fit(
            FileSource(d / "all.parquet", "label", checkpoint=ck), callback=crash)
    with np.load(ck) as z:
        assert int(z["n_iter"]) == 3 and z["history"].size == 4
        first = z["history"].copy()
    seen = []
    est = LogisticRegression(lam=0.5, solver="lbfgs", tol=1e-10).fit(
        FileSource(d / "all.parquet", "label", checkpoint=ck), callback=lambda i, t, J: seen.append(i))
    assert seen[0] == 3  # restarts at the last completed iteration
    np.testing.assert_array_equal(est.history_[:4], first)
    assert est.n_iter_[0] >= 4
    _check(est, ref)
    with pytest.raises(ValueError, match="another fit"):
        LogisticRegression(lam=9.0, solver="lbfgs").fit(
            FileSource(d / "all.parquet", "label", checkpoint=ck))


def test_progress_bar_and_errors(data):
    X, y, d = data
    est = LogisticRegression(lam=1.0).fit(FileSource(d / "all.parquet", "label", progress=True))
    assert est.converged_
    with pytest.raises(ValueError, match="not in"):
        FileSource(d / "all.parquet", "nope")
    with pytest.raises(ValueError, match="name the label column"):
        LogisticRegression().fit(str(d / "all.parquet"), y)
    with pytest.raises(ValueError, match="in-memory only"):
        LogisticRegression(solver="gd", batch_size=10).fit(str(d / "all.parquet"), "label")
