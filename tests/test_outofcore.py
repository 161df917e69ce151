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


# -- `logitlab train` past memory, run for real in a subprocess ------------------------------------
def _cli(*args, cwd):
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k != "LOGITLAB_DEBUG"}
    return subprocess.run([sys.executable, "-m", "logitlab", "train", *map(str, args)], cwd=cwd,
                          capture_output=True, text=True, env=env, timeout=600)


def _split_reference(X, y, lam, test_size=0.25, seed=0, **kw):
    """The in-memory fit on the CLI's training rows: u(row) ≥ test_size (row_uniform, seed)."""
    from logitlab.outofcore import row_uniform

    u = row_uniform(seed, 0, len(y))
    tr = u >= test_size
    y01 = (y == "yes").astype(float)
    ref = LogisticRegression(lam=lam, tol=1e-10, standardize=True, **kw).fit(X[tr], y01[tr])
    return ref, u, y01


def test_cli_out_of_core_equals_in_memory_fit_of_its_train_rows(data, tmp_path):
    """A file over --stream-above is streamed: the model is the in-memory fit of the same rows."""
    import json

    from logitlab.metrics import classification_summary

    X, y, d = data
    res = _cli(d / "all.parquet", "-t", "label", "--stream-above", 0, "--batch-rows", 700, "--lam", 2,
               "--tol", 1e-10, "-o", tmp_path / "out", "--checkpoint", tmp_path / "ck.npz", cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    assert "streaming" in res.stdout and "held-out metrics on all" in res.stdout
    doc = json.loads((tmp_path / "out" / "model.json").read_text())
    ref, u, y01 = _split_reference(X, y, 2.0)
    np.testing.assert_allclose(doc["coefficients"]["values"], ref.coef_.ravel(), rtol=0, atol=1e-8)
    assert abs(doc["intercept"] - ref.intercept_[0]) <= 1e-8
    assert abs(doc["training"]["J"] - ref.objective_["J"]) <= 1e-10 * ref.objective_["J"]
    te = u < 0.25
    assert doc["training"]["n_train"] == int((~te).sum()) and doc["training"]["n_test"] == int(te.sum())
    assert doc["labels"]["positive"] == "yes" and doc["encoding"]["feature_names"] == [f"x{j}" for j in range(P)]
    p = ref.predict_proba(X)[:, 1]
    want = classification_summary(y01[te], p[te], 0.5)
    for k in ("log_loss", "accuracy", "roc_auc", "brier"):
        assert abs(doc["training"]["metrics"]["held-out"][k] - want[k]) <= 1e-10, k
    with np.load(tmp_path / "ck.npz") as z:  # the resumable state of the last iteration
        assert int(z["n_iter"]) == doc["training"]["n_iter"]
    html = (tmp_path / "out" / "report.html").read_text()
    assert "a seeded sample" in html and "out-of-core" in html


def test_cli_streams_a_directory_with_sampled_metrics(data, tmp_path):
    """--out-of-core streams a directory; --metrics-sample takes the stated seeded sample."""
    import json

    from logitlab.metrics import classification_summary

    X, y, d = data
    res = _cli(d / "parts", "-t", "label", "--out-of-core", "--metrics-sample", 300, "--lam", 2, "--tol", 1e-10,
               "--no-report", "-q", "-o", tmp_path / "out", cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    doc = json.loads((tmp_path / "out" / "model.json").read_text())
    assert doc["training"]["mode"] == "out-of-core"
    ref, u, y01 = _split_reference(X, y, 2.0)
    np.testing.assert_allclose(doc["coefficients"]["values"], ref.coef_.ravel(), rtol=0, atol=1e-8)
    n_tr = int((u >= 0.25).sum())
    f = 300 / (0.25 * n_tr / 0.75)  # the sampled fraction of the held-out part
    sample = u < 0.25 * f
    s = doc["training"]["metrics_sample"]["held-out"]
    assert s["sampled"] == int(sample.sum()) and not s["exact"] and s["rows"] == int((u < 0.25).sum())
    want = classification_summary(y01[sample], ref.predict_proba(X[sample])[:, 1], 0.5)
    assert abs(doc["training"]["metrics"]["held-out"]["log_loss"] - want["log_loss"]) <= 1e-10


def test_cli_streamed_bad_input_is_one_line(data, tmp_path):
    """Text feature columns, --lam auto and --summary are clear errors (exit 2) when streaming."""
    from typer.testing import CliRunner

    from logitlab.cli import app

    X, y, d = data
    df = pd.read_parquet(d / "all.parquet")
    df["city"] = "x"
    df.to_parquet(tmp_path / "text.parquet")
    runner = CliRunner()
    for args, msg in [
        ([tmp_path / "text.parquet", "-t", "label", "--out-of-core"], "not numeric"),
        ([d / "all.parquet", "-t", "label", "--out-of-core", "--lam", "auto"], "in-memory only"),
        ([d / "all.parquet", "-t", "nope", "--out-of-core"], "not in the data"),
        ([d / "all.parquet", "-t", "x0", "--drop", "label", "--out-of-core"], "exactly two distinct values"),
        ([d / "parts", "-t", "label"], "add --out-of-core"),
    ]:
        res = runner.invoke(app, ["train", *map(str, args), "-q", "--no-report", "-o", str(tmp_path / "o")])
        assert res.exit_code == 2, (args, res.output)
        assert msg in res.output and "Traceback" not in res.output, res.output
    assert not (tmp_path / "o").exists()


def test_cli_predict_streamed_equals_in_memory(data, tmp_path):
    """`logitlab predict --out-of-core` (chunks of 700, a directory) writes what the in-memory
    predict writes for the same rows: CSV and Parquet, with an id column, atomically."""
    from typer.testing import CliRunner

    from logitlab.cli import app
    from logitlab.data import Encoding, Labels
    from logitlab.model_io import SavedModel

    X, y, d = data
    ref = LogisticRegression(lam=2.0).fit(X, (y == "yes").astype(float))
    enc = Encoding([{"name": f"x{j}", "kind": "numeric"} for j in range(P)])
    SavedModel(enc, Labels("label", "no", "yes"), ref.coef_.ravel(), float(ref.intercept_[0]), 0.5,
               {}).save(tmp_path / "model.json")
    df = pd.read_parquet(d / "all.parquet")
    df["key"] = np.arange(M) * 7
    df.to_parquet(tmp_path / "all.parquet")
    runner = CliRunner()
    args = ["predict", str(tmp_path / "model.json"), "--id", "key"]
    r1 = runner.invoke(app, [*args, str(tmp_path / "all.parquet"), "-o", str(tmp_path / "mem.csv")])
    r2 = runner.invoke(app, [*args, str(tmp_path / "all.parquet"), "--out-of-core", "--batch-rows", "700",
                             "-o", str(tmp_path / "ooc.csv")])
    r3 = runner.invoke(app, [*args, str(tmp_path / "all.parquet"), "--stream-above", "0", "--batch-rows",
                             "700", "-o", str(tmp_path / "ooc.parquet")])
    for r in (r1, r2, r3):
        assert r.exit_code == 0, r.output
    assert (tmp_path / "ooc.csv").read_text() == (tmp_path / "mem.csv").read_text()
    got = pd.read_parquet(tmp_path / "ooc.parquet")
    np.testing.assert_allclose(got["probability"], ref.predict_proba(X)[:, 1], rtol=1e-15)
    assert list(got["key"]) == list(df["key"]) and set(got["prediction"]) <= {"yes", "no"}
    bad = runner.invoke(app, ["predict", str(tmp_path / "model.json"), str(d / "parts"), "--out-of-core",
                              "--id", "nope", "-o", str(tmp_path / "x.csv")])
    assert bad.exit_code == 2 and "--id column" in bad.output and not (tmp_path / "x.csv").exists()
    assert not [f for f in tmp_path.iterdir() if f.name.endswith(".tmp")]
