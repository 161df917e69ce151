"""Out of core and on Dask: monitoring, the contract check and sliced evaluation give the same
results as in memory (a directory of Parquet files streamed in small chunks; Dask partitions)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from test_monitoring_contract import make_model, sample

from logitlab.monitoring import check_contract, evaluate_slices, monitor


def assert_same(a, b, path="") -> None:
    """Equal documents: numbers to 1e-12 (relative), everything else exactly."""
    if isinstance(a, dict):
        assert set(a) == set(b), path
        for k in a:
            assert_same(a[k], b[k], f"{path}.{k}")
    elif isinstance(a, list):
        assert len(a) == len(b), path
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            assert_same(x, y, f"{path}[{i}]")
    elif isinstance(a, float) and not isinstance(a, bool):
        assert (math.isnan(a) and math.isnan(b)) or a == pytest.approx(b, rel=1e-12, abs=1e-15), (path, a, b)
    else:
        assert a == b, (path, a, b)


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    model = make_model(sample(0))
    new = sample(11, 3000)
    new["x_normal"] += 1.5  # some drift
    new.loc[:4, "colour"] = "purple"  # and a few unseen categories
    new["band"] = np.where(new.x_uniform > 0.5, "high", "low")
    d = tmp_path_factory.mktemp("parts")
    for i, start in enumerate((0, 1000, 2000)):
        new.iloc[start:start + 1000].to_parquet(d / f"part-{i}.parquet", index=False)
    return model, new, d


def _doc(report):
    doc = dict(report.doc)
    doc.pop("data")
    return doc


def test_monitor_streamed_and_dask_equal_in_memory(setup) -> None:
    dd = pytest.importorskip("dask.dataframe")
    model, new, d = setup
    memory = monitor(model, new, target="y", fail_on="psi>0.25,auc_drop>0.05")
    streamed = monitor(model, str(d), target="y", fail_on="psi>0.25,auc_drop>0.05", batch_rows=257)
    on_dask = monitor(model, dd.from_pandas(new, npartitions=4), target="y", fail_on="psi>0.25,auc_drop>0.05")
    assert memory.doc["n_rows"] == 3000 and memory.doc["n_unscored"] == 5
    assert [v["kind"] for v in memory.doc["violations"]] == ["extra_column", "unseen_category"]
    assert memory.breached == [f"gate: psi = {memory.doc['features'][0]['psi']:.4g} > 0.25 (feature 'x_normal')"]
    assert_same(_doc(memory), _doc(streamed))
    assert_same(_doc(memory), _doc(on_dask))
    memory_unlabelled = monitor(model, new)
    assert_same(_doc(memory_unlabelled), _doc(monitor(model, str(d), batch_rows=100)))


def test_contract_check_and_slices_streamed_and_dask_equal_in_memory(setup) -> None:
    dd = pytest.importorskip("dask.dataframe")
    model, new, d = setup
    lines = [v.message for v in check_contract(model, new)]
    assert lines == [v.message for v in check_contract(model, str(d), batch_rows=333)]
    assert lines == [v.message for v in check_contract(model, dd.from_pandas(new, npartitions=3))]
    clean = new[new.colour != "purple"]
    memory = evaluate_slices(model, clean, ["band", "colour"])
    assert len(memory["slices"]) == 6 and memory["whole"]["n"] == 2995
    streamed = evaluate_slices(model, str(d), ["band", "colour"], unseen="warn", batch_rows=200)
    assert_same(memory, streamed)
    assert_same(memory, evaluate_slices(model, dd.from_pandas(clean, npartitions=5), ["band", "colour"]))


def test_slices_agree_with_the_metrics_module(setup) -> None:
    from logitlab.metrics import classification_summary

    model, new, _ = setup
    clean = new[new.colour != "purple"]
    res = evaluate_slices(model, clean, "band")
    for row in res["slices"]:
        part = clean[clean.band == row["slice"].split("=")[1]]
        y = (part.y == "yes").to_numpy(float)
        m = classification_summary(y, model.predict_proba_frame(part), 0.5)
        assert row["n"] == len(part) and row["log_loss"] == pytest.approx(m["log_loss"], rel=1e-12)
        assert row["precision"] == pytest.approx(m["precision"], abs=1e-15)
        assert row["recall"] == pytest.approx(m["recall"], abs=1e-15)
        assert row["roc_auc"] == pytest.approx(m["roc_auc"], abs=1e-4)
    assert isinstance(pd.DataFrame(res["slices"]), pd.DataFrame)


def test_python_api_on_a_fitted_estimator() -> None:
    """record_contract_for sets model.contract_; logitlab.monitor / check_contract / evaluate_slices
    take the estimator itself."""
    import logitlab

    rng = np.random.default_rng(8)
    X = pd.DataFrame(rng.normal(size=(3000, 3)), columns=["a", "b", "c"])
    y = (X.a - 0.5 * X.b + rng.logistic(size=3000) > 0).astype(int)
    model = logitlab.LogisticRegression().fit(X[:2000], y[:2000])
    saved = logitlab.record_contract_for(model, X[:2000], y[:2000], X_held_out=X[2000:], y_held_out=y[2000:])
    assert model.contract_["metrics"]["part"] == "held-out" and model.contract_["n_rows"] == 2000
    np.testing.assert_allclose(saved.predict_proba_frame(X[2000:]), model.predict_proba(X[2000:])[:, 1], rtol=1e-12)
    new = X[2000:].assign(y=y[2000:])
    assert logitlab.check_contract(model, new) == []
    calm = logitlab.monitor(model, new, target="y", fail_on="psi>0.25,auc_drop>0.02")
    assert calm.passed and calm.doc["metrics"]["roc_auc"] == pytest.approx(
        model.contract_["metrics"]["roc_auc"], abs=1e-12)  # the same rows as the baseline
    moved = logitlab.monitor(model, new.assign(a=new.a + 1.0), target="y", fail_on="psi>0.25")
    assert moved.breached[0].endswith("(feature 'a')") and moved.doc["features"][0]["name"] == "a"
    res = logitlab.evaluate_slices(model, new.assign(g=np.where(new.c > 0, "pos", "neg")), "g")
    assert sorted(r["slice"] for r in res["slices"]) == ["g=neg", "g=pos"]


def test_streamed_training_contract(tmp_path) -> None:
    """A model trained past memory gets its contract in one more pass: exact range, mean and
    missing share; percentiles from a seeded sample (all rows when they fit: then as in memory)."""
    from logitlab.monitoring.contract import record_contract
    from logitlab.monitoring.streamed import streamed_contract

    frame = sample(0, 4000).drop(columns=["colour"])
    model = make_model(frame)
    path = tmp_path / "train.parquet"
    frame.to_parquet(path, index=False, row_group_size=700)
    full = streamed_contract(path, model, "y", 0.5, sample_rows=10_000, batch_rows=900)
    z = model.decision_function(frame[model.encoding.input_columns].to_numpy(float))
    want = record_contract(frame, model.encoding, z, (frame.y == "yes").to_numpy(float), "y", 0.5)
    for name in model.encoding.input_columns:
        for key in ("min", "max", "percentiles", "cdf", "missing_share"):
            assert full["features"][name][key] == want["features"][name][key], (name, key)
        assert full["features"][name]["mean"] == pytest.approx(want["features"][name]["mean"], rel=1e-12)
    assert full["score"]["percentiles"] == pytest.approx(want["score"]["percentiles"], rel=1e-12)
    part = streamed_contract(path, model, "y", 0.5, sample_rows=1000, batch_rows=900)
    assert 800 < part["sampled"]["rows"] < 1200 and part["n_rows"] == 4000
    for name in model.encoding.input_columns:
        assert part["features"][name]["min"] == want["features"][name]["min"]
        assert part["features"][name]["max"] == want["features"][name]["max"]
        assert part["features"][name]["mean"] == pytest.approx(want["features"][name]["mean"], rel=1e-12)
    assert_same(part, streamed_contract(path, model, "y", 0.5, sample_rows=1000, batch_rows=333))  # chunking-free


def test_reference_data_instead_of_the_stored_contract(setup) -> None:
    """--reference TRAIN_DATA: drift against given data; with the training rows themselves, the
    same drift figures as against the contract recorded from them."""
    model, new, _ = setup
    stored = monitor(model, new, target="y").doc
    given = monitor(model, new, target="y", reference=sample(0)).doc
    assert given["reference"] == "given data" and stored["reference"] == "training contract"
    assert_same(stored["features"], given["features"])
    assert_same(stored["score"], given["score"])
    clean = new[new.colour != "purple"]
    other = monitor(model, clean, target="y", reference=clean).doc  # against itself: no drift at all
    assert max(f["psi"] for f in other["features"]) < 1e-9 and other["score"]["psi"] < 1e-9


def test_evaluate_streamed_and_dask_equal_in_memory(setup) -> None:
    """`evaluate --out-of-core` (monitoring.evaluation): the same metrics, confusion matrix,
    violations and slices streamed, on Dask and in memory; exact but for the binned AUC / AP."""
    dd = pytest.importorskip("dask.dataframe")
    from logitlab.metrics import classification_summary
    from logitlab.monitoring.evaluation import evaluate_data

    model, new, d = setup
    memory = evaluate_data(model, new, slice_by=["band"], unseen="warn")
    streamed = evaluate_data(model, str(d), slice_by=["band"], unseen="warn", batch_rows=111)
    on_dask = evaluate_data(model, dd.from_pandas(new, npartitions=3), slice_by=["band"], unseen="warn")
    for other in (streamed, on_dask):
        assert_same(memory["metrics"], other["metrics"])
        assert memory["confusion_matrix"] == other["confusion_matrix"]
        assert [v.message for v in memory["violations"]] == [v.message for v in other["violations"]]
        assert_same(memory["slices"], other["slices"])
    clean = new[new.colour != "purple"]
    exact = classification_summary((clean.y == "yes").to_numpy(float), model.predict_proba_frame(clean), 0.5)
    for key, value in memory["metrics"].items():
        tol = 1e-4 if key in ("roc_auc", "average_precision") else 1e-12
        assert value == pytest.approx(exact[key], rel=tol, abs=tol), key


def test_compare_reads_files_and_dask_like_frames(setup) -> None:
    dd = pytest.importorskip("dask.dataframe")
    from logitlab.monitoring import compare_models

    model, new, d = setup
    other = make_model(sample(1))
    memory = compare_models(model, other, new, unseen="warn", replicates=200)
    assert memory["n"] == 2995
    assert_same(memory, compare_models(model, other, str(d), unseen="warn", replicates=200))
    assert_same(memory, compare_models(model, other, dd.from_pandas(new, npartitions=3), unseen="warn",
                                       replicates=200))
