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
