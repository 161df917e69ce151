"""Dask arrays and DataFrames on a 2-process LocalCluster equal the in-memory fit; faults; lazy predict."""

from __future__ import annotations

import os
import signal
import time
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

da = pytest.importorskip("dask.array")
dd = pytest.importorskip("dask.dataframe")
distributed = pytest.importorskip("distributed")

from logitlab import LogisticRegression  # noqa: E402
from logitlab.distributed import DaskFitError  # noqa: E402

M, P = 4000, 6


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                       dashboard_address=None)
    c = distributed.Client(cluster)
    yield c
    c.close()
    cluster.close()


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(3)
    X = rng.normal(size=(M, P))
    y = (X @ rng.normal(size=P) + rng.logistic(size=M) > 0).astype(int)
    return X, y


def _check(est, ref):
    assert abs(est.objective_["J"] - ref.objective_["J"]) <= 1e-10 * ref.objective_["J"]
    np.testing.assert_allclose(est.coef_, ref.coef_, rtol=0, atol=1e-8)
    np.testing.assert_allclose(est.intercept_, ref.intercept_, rtol=0, atol=1e-8)


@pytest.mark.parametrize("params", [{"lam": 1.0}, {"lam": 0.0, "solver": "lbfgs"}])
def test_dask_array_equals_in_memory(client, data, params):
    X, y = data
    ref = LogisticRegression(tol=1e-10, **params).fit(X, y)
    est = LogisticRegression(tol=1e-10, **params).fit(
        da.from_array(X, chunks=(900, 3)), da.from_array(y, chunks=900))
    _check(est, ref)
    assert est.objective_["n_passes"] >= est.n_iter_[0]


def test_dask_dataframe_l1_and_lazy_predict(client, data):
    X, y = data
    df = pd.DataFrame(X, columns=[f"f{j}" for j in range(P)])
    df["target"] = np.where(y == 1, "b", "a")
    df["w"] = 1.0 + (np.arange(M) % 3)
    ddf = dd.from_pandas(df, npartitions=4)
    ref = LogisticRegression(lam=400.0, l1_ratio=0.7, tol=1e-10).fit(X, df["target"], df["w"])
    est = LogisticRegression(lam=400.0, l1_ratio=0.7, tol=1e-10).fit(ddf, "target", "w")
    _check(est, ref)
    proba = est.predict_proba(ddf)
    assert isinstance(proba, dd.DataFrame)  # lazy: nothing computed yet
    np.testing.assert_allclose(proba.compute().to_numpy(), ref.predict_proba(X), atol=1e-12)
    arr = est.predict_proba(da.from_array(X, chunks=(1000, P)))
    assert isinstance(arr, da.Array) and arr.shape == (M, 2)
    np.testing.assert_allclose(arr.compute(), ref.predict_proba(X), atol=1e-12)


def test_worker_killed_mid_fit_finishes_correctly(client, data):
    """SIGKILL one worker process at iteration 2: Dask recomputes its partitions, same model."""
    X, y = data
    ref = LogisticRegression(lam=1.0, solver="lbfgs", tol=1e-10).fit(X, y)
    killed = []

    def kill(it, theta, J):
        if it == 2 and not killed:
            pids = client.run(os.getpid)
            victim = sorted(pids)[0]
            os.kill(pids[victim], signal.SIGKILL)
            killed.append(victim)
            time.sleep(0.3)

    est = LogisticRegression(lam=1.0, solver="lbfgs", tol=1e-10).fit(
        da.from_array(X, chunks=(500, P)), da.from_array(y, chunks=500), callback=kill)
    assert killed
    _check(est, ref)
    client.wait_for_workers(2, timeout=60)  # the nanny restarts it for the next tests


def _die_once(block, flag: str):
    """Test helper run inside a task: the first task to find the flag file SIGKILLs its worker."""
    try:
        os.remove(flag)  # exactly one task wins the flag
    except FileNotFoundError:
        return block
    os.kill(os.getpid(), signal.SIGKILL)


def test_worker_killed_inside_a_pass_finishes_correctly(client, data, tmp_path):
    """A worker SIGKILLed while it runs a task of iteration 2's passes: the task is rerun elsewhere."""
    import sys

    import cloudpickle

    from logitlab.distributed import DaskSource

    cloudpickle.register_pickle_by_value(sys.modules[__name__])  # workers cannot import tests
    X, y = data
    flag = tmp_path / "die"
    Xd = da.from_array(X, chunks=(500, P)).map_blocks(_die_once, str(flag), dtype=np.float64)
    src = DaskSource(Xd, da.from_array(y, chunks=500), persist=False)  # blocks recomputed per pass
    ref = LogisticRegression(lam=1.0, solver="newton-cholesky", tol=1e-10).fit(X, y)
    est = LogisticRegression(lam=1.0, solver="newton-cholesky", tol=1e-10).fit(
        src, callback=lambda it, theta, J: flag.touch() if it == 1 else None)
    assert not flag.exists()  # a task consumed it: a worker died mid-pass
    _check(est, ref)
    client.wait_for_workers(2, timeout=60)


def test_lost_pass_is_a_clear_error(client, data, monkeypatch):
    """When Dask gives up on a pass (KilledWorker), fit raises DaskFitError and stores nothing."""
    import dask

    X, y = data
    real = dask.compute
    calls = []

    def flaky(*args, **kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise distributed.KilledWorker("_block_eval-0", SimpleNamespace(address="tcp://x:1"), 3)
        return real(*args, **kwargs)

    monkeypatch.setattr(dask, "compute", flaky)
    est = LogisticRegression(lam=1.0)
    with pytest.raises(DaskFitError, match="no model was stored"):
        est.fit(da.from_array(X, chunks=(1000, P)), da.from_array(y, chunks=1000))
    assert not hasattr(est, "coef_")


def test_cli_dask_scheduler_trains_on_the_running_cluster(client, data, tmp_path):
    """`logitlab train --dask-scheduler ADDRESS` (3 Parquet files → 3 partitions on the cluster)
    gives the in-memory fit of its training rows (the seeded row-hash split) and exact metrics."""
    import json
    import subprocess
    import sys

    from logitlab.metrics import classification_summary
    from logitlab.outofcore import row_uniform

    X, y = data
    df = pd.DataFrame(X, columns=[f"f{j}" for j in range(P)])
    df["id"] = np.arange(M)
    df["target"] = np.where(y == 1, "spam", "ham")
    (tmp_path / "parts").mkdir()
    for k in range(3):
        df.iloc[k * 1500:(k + 1) * 1500].to_parquet(tmp_path / "parts" / f"p{k}.parquet")
    address = client.scheduler.address
    env = {k: v for k, v in os.environ.items() if k != "LOGITLAB_DEBUG"}
    res = subprocess.run([sys.executable, "-m", "logitlab", "train", str(tmp_path / "parts"), "-t", "target",
                          "--drop", "id", "--dask-scheduler", address, "--lam", "3", "--tol", "1e-10",
                          "--test-size", "0.3", "--seed", "5", "--no-report", "-o", str(tmp_path / "out")],
                         capture_output=True, text=True, env=env, timeout=600)
    assert res.returncode == 0, res.stderr
    assert "training on the Dask cluster" in res.stdout and "3 partitions" in res.stdout
    doc = json.loads((tmp_path / "out" / "model.json").read_text())
    u = row_uniform(5, 0, M)
    tr = u >= 0.3
    ref = LogisticRegression(lam=3.0, tol=1e-10, standardize=True).fit(X[tr], y[tr])
    np.testing.assert_allclose(doc["coefficients"]["values"], ref.coef_.ravel(), rtol=0, atol=1e-8)
    assert abs(doc["intercept"] - ref.intercept_[0]) <= 1e-8
    assert doc["training"]["mode"] == "dask" and doc["training"]["n_train"] == int(tr.sum())
    want = classification_summary(y[~tr], ref.predict_proba(X[~tr])[:, 1], 0.5)
    assert abs(doc["training"]["metrics"]["held-out"]["roc_auc"] - want["roc_auc"]) <= 1e-12
