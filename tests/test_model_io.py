"""The model file: exact round trip, validation of foreign or damaged files, atomic writes."""

from __future__ import annotations

import json
import os

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression as SkLR

from logitlab.data import Encoding, Labels, encode_features
from logitlab.model_io import (
    FORMAT,
    SCHEMA_VERSION,
    ModelFileError,
    SavedModel,
    atomic_write_text,
    load_model,
    to_json,
)


def frame(n: int = 50, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame({"age": rng.normal(40, 10, n), "plan": rng.choice(["basic", "gold", "pro"], n),
                         "churn": rng.choice(["stay", "leave"], n)})


def saved(rng_seed: int = 1) -> SavedModel:
    rng = np.random.default_rng(rng_seed)
    enc = Encoding([{"name": "age", "kind": "numeric"},
                    {"name": "plan", "kind": "categorical", "categories": ["basic", "gold", "pro"],
                     "reference": "basic"}])
    coef = rng.normal(size=3) / 7  # values with long decimal expansions
    return SavedModel(enc, Labels("churn", "leave", "stay"), coef, float(rng.normal() / 3), 0.35,
                      {"logitlab_version": "0.1.0", "training": {"n_iter": 7, "J": float("nan")}})


def test_round_trip_is_exact(tmp_path) -> None:
    m = saved()
    path = tmp_path / "model.json"
    m.save(path)
    back = load_model(path)
    np.testing.assert_array_equal(back.coef, m.coef)  # shortest-repr floats round-trip bit for bit
    assert back.intercept == m.intercept and back.threshold == 0.35
    assert back.feature_names == ["age", "plan=gold", "plan=pro"]
    f = frame()
    np.testing.assert_array_equal(back.predict_proba_frame(f), m.predict_proba_frame(f))
    assert back.to_json() == m.to_json()
    doc = json.loads(path.read_text())
    assert doc["format"] == FORMAT and doc["schema_version"] == SCHEMA_VERSION
    assert doc["training"]["J"] is None  # NaN is not JSON: written as null


def test_probabilities_equal_an_independent_fit(tmp_path) -> None:
    """A model file holding scikit-learn's coefficients predicts what scikit-learn predicts."""
    f = frame(200)
    enc = Encoding([{"name": "age", "kind": "numeric"},
                    {"name": "plan", "kind": "categorical", "categories": ["basic", "gold", "pro"],
                     "reference": "basic"}])
    X = encode_features(f, enc)
    sk = SkLR(C=10.0, max_iter=1000).fit(X, (f["churn"] == "stay").to_numpy())
    m = SavedModel(enc, Labels("churn", "leave", "stay"), sk.coef_.ravel(), float(sk.intercept_[0]), 0.5, {})
    m.save(tmp_path / "m.json")
    # columns in another order: matched by name
    p = load_model(tmp_path / "m.json").predict_proba_frame(f[["churn", "plan", "age"]])
    np.testing.assert_allclose(p, sk.predict_proba(X)[:, 1], rtol=1e-14)
    labels = load_model(tmp_path / "m.json").predict_labels(p)
    assert labels == list(np.where(sk.predict(X), "stay", "leave"))


@pytest.mark.parametrize("content, message", [
    ("not json at all", "not JSON"),
    ("[1, 2, 3]", "is not a logitlab model file"),
    (json.dumps({"format": "sklearn-pickle"}), "is not a logitlab model file"),
])
def test_foreign_files_are_refused(tmp_path, content, message) -> None:
    (tmp_path / "x.json").write_text(content)
    with pytest.raises(ModelFileError, match=message):
        load_model(tmp_path / "x.json")


def test_versions_and_damage_are_refused(tmp_path) -> None:
    doc = json.loads(saved().to_json())
    for version in (0, 3, "1", None):
        d = dict(doc, schema_version=version)
        (tmp_path / "v.json").write_text(json.dumps(d))
        with pytest.raises(ModelFileError, match="this logitlab reads versions 1, 2"):
            load_model(tmp_path / "v.json")
    damaged = dict(doc, coefficients={"names": doc["coefficients"]["names"], "values": [1.0, 2.0]})
    (tmp_path / "d.json").write_text(json.dumps(damaged))
    with pytest.raises(ModelFileError, match="coefficients do not match the encoding"):
        load_model(tmp_path / "d.json")
    missing = {k: v for k, v in doc.items() if k != "intercept"}
    (tmp_path / "e.json").write_text(json.dumps(missing))
    with pytest.raises(ModelFileError, match="damaged"):
        load_model(tmp_path / "e.json")
    with pytest.raises(ModelFileError, match="is a directory"):
        load_model(tmp_path)
    with pytest.raises(ModelFileError, match="no such model file"):
        load_model(tmp_path / "nope.json")


def test_atomic_write_keeps_the_old_file_when_interrupted(tmp_path, monkeypatch) -> None:
    path = tmp_path / "model.json"
    path.write_text("OLD")

    def boom(src, dst):
        raise KeyboardInterrupt  # the run is interrupted just before the rename

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(KeyboardInterrupt):
        atomic_write_text(path, "NEW" * 1000)
    assert path.read_text() == "OLD"
    assert [p.name for p in tmp_path.iterdir()] == ["model.json"]  # the temporary file is gone
    monkeypatch.undo()
    atomic_write_text(path, "NEW")
    assert path.read_text() == "NEW" and oct(path.stat().st_mode & 0o777) == "0o644"


def test_to_json_is_strict() -> None:
    text = to_json({"a": np.float64(0.1), "b": np.array([1, 2]), "c": float("inf"), "d": np.int64(3)})
    assert json.loads(text) == {"a": 0.1, "b": [1, 2], "c": None, "d": 3}
