"""The data contract: recorded at training, each violation kind caught with its exact message,
no false alarm on fresh samples from the training distribution, the unseen-category policies."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from logitlab.data import encode_features, encode_labels, fit_encoding, fit_labels
from logitlab.model_io import SavedModel, load_model
from logitlab.monitoring import check_contract
from logitlab.monitoring.checking import CheckedScorer
from logitlab.monitoring.checks import ContractViolationError
from logitlab.monitoring.contract import training_contract


def sample(seed: int, n: int = 1000) -> pd.DataFrame:
    """A mixed table: normal, uniform, exponential, Poisson, binary and categorical features."""
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({
        "x_normal": rng.normal(10, 2, n), "x_uniform": rng.uniform(0, 1, n), "x_expo": rng.exponential(3, n),
        "x_count": rng.poisson(3, n), "x_flag": rng.integers(0, 2, n),
        "colour": rng.choice(["red", "green", "blue"], n, p=[0.5, 0.3, 0.2]),
    })
    z = 0.4 * (frame.x_normal - 10) + frame.x_uniform - 0.2 * frame.x_expo + 0.5 * (frame.colour == "red")
    frame["y"] = np.where(rng.uniform(size=n) < 1 / (1 + np.exp(-z)), "yes", "no")
    frame["id"] = np.arange(n)
    return frame


def make_model(frame: pd.DataFrame, target: str = "y", drop: tuple[str, ...] = ("id",)) -> SavedModel:
    """A saved model with its contract, fitted on ``frame`` as `logitlab train` would (no split)."""
    from logitlab import LogisticRegression

    labels = fit_labels(frame, target)
    enc = fit_encoding(frame, target, drop=list(drop))
    X, y = encode_features(frame, enc), encode_labels(frame, labels)
    m = LogisticRegression(lam=1.0).fit(X, y)
    saved = SavedModel(enc, labels, m.coef_.ravel().copy(), float(m.intercept_[0]), 0.5, {})
    z = saved.decision_function(X)
    saved.doc["contract"] = training_contract(frame, enc, z, y, target, 0.5)
    return saved


@pytest.fixture(scope="module")
def model() -> SavedModel:
    return make_model(sample(0))


def messages(model: SavedModel, frame: pd.DataFrame) -> list[str]:
    return [v.message for v in check_contract(model, frame)]


def test_contract_is_recorded_small_and_round_trips(model, tmp_path) -> None:
    c = model.contract
    assert c["version"] == 1 and c["n_rows"] == 1000
    assert c["columns"]["id"] == {"type": "number", "role": "ignored"}
    assert c["columns"]["y"] == {"type": "text", "role": "target"}
    f = c["features"]["x_normal"]
    train = sample(0)["x_normal"]
    assert f["min"] == train.min() and f["max"] == train.max() and f["missing_share"] == 0.0
    assert f["percentiles"][11] == pytest.approx(np.median(train), abs=0)
    assert c["features"]["colour"]["counts"] == sample(0)["colour"].value_counts().to_dict()
    assert c["class_balance"]["positive_share"] == pytest.approx(np.mean(sample(0)["y"] == "yes"), abs=0)
    model.save(tmp_path / "model.json")
    text = (tmp_path / "model.json").read_text()
    assert len(json.dumps(json.loads(text)["contract"])) < 8_000  # kilobytes, not megabytes
    assert load_model(tmp_path / "model.json").contract == json.loads(json.dumps(c))


def test_no_violation_on_the_training_data(model) -> None:
    assert messages(model, sample(0)) == []


def test_each_violation_kind_has_its_exact_message(model) -> None:
    f = model.contract["features"]
    lo, hi = f["x_normal"]["min"], f["x_normal"]["max"]
    frame = sample(1)
    assert messages(model, frame.drop(columns="x_uniform")) == [
        "column 'x_uniform': missing from the data; the model needs it"]
    assert messages(model, frame.assign(extra=1.0)) == [
        "column 'extra': not in the training data (extra column, ignored)"]
    assert messages(model, frame.assign(x_count=frame.x_count.astype(str))) == [
        "column 'x_count': read as text, trained as number"]
    far = frame.copy()
    far.loc[:2, "x_normal"] = [hi + 3 * (hi - lo), hi + 2 * (hi - lo), 1e6]
    allowed = f"[{lo - (hi - lo):.6g}, {hi + (hi - lo):.6g}]"
    assert messages(model, far) == [
        f"column 'x_normal': 3 value(s) (0.30%) outside the training range [{lo:.6g}, {hi:.6g}] by more than the "
        f"margin (allowed {allowed}); most extreme 1e+06"]
    new = frame.copy()
    new.loc[:9, "colour"] = ["purple"] * 7 + ["teal"] * 3
    assert messages(model, new) == [
        "column 'colour': 10 value(s) (1.00%) in categories never seen in training: 'purple', 'teal'"]
    holes = frame.copy()
    holes.loc[:49, "x_expo"] = np.nan
    assert messages(model, holes) == ["column 'x_expo': 5.00% missing (50 of 1000), training 0.00%"]


def test_missing_rate_is_judged_against_the_training_share() -> None:
    train = sample(3)
    train.loc[::10, "x_normal"] = np.nan  # 10 % missing at training
    from logitlab.monitoring.checks import ContractChecker
    from logitlab.monitoring.contract import record_contract

    enc = fit_encoding(train.fillna(0.0), "y", drop=["id"])
    doc = record_contract(train, enc, np.zeros(len(train)))
    assert doc["features"]["x_normal"]["missing_share"] == pytest.approx(0.1)
    fresh = sample(4)
    fresh.loc[::9, "x_normal"] = np.nan  # 11.1 %: within sampling noise
    assert ContractChecker(doc).update(fresh).violations() == []
    fresh.loc[::4, "x_normal"] = np.nan  # 250 + 112 − 28 rows
    [v] = ContractChecker(doc).update(fresh).violations()
    assert v.message == "column 'x_normal': 33.40% missing (334 of 1000), training 10.00%"


def test_at_most_one_percent_false_alarms_on_fresh_samples(model) -> None:
    alarms = [messages(model, sample(seed)) for seed in range(100, 200)]
    assert sum(bool(a) for a in alarms) <= 1, [a for a in alarms if a]


def test_unseen_category_policies(model) -> None:
    frame = sample(5).iloc[:20].copy()
    frame.loc[:1, "colour"] = "purple"
    message = "column 'colour': 2 value(s) (10.00%) in categories never seen in training: 'purple'"
    with pytest.raises(ContractViolationError) as info:
        CheckedScorer(model, "warn", "error").predict_proba_frame(frame)
    assert str(info.value) == f"1 contract violation(s) (--unseen error; or choose --unseen warn|zero): {message}"
    lines: list[str] = []
    warn = CheckedScorer(model, "warn", "warn")
    p = warn.predict_proba_frame(frame)
    warn.finish(lines.append)
    assert np.isnan(p[:2]).all() and np.isfinite(p[2:]).all()
    assert warn.predict_labels(p)[:2] == [None, None]
    assert lines == [message, "2 row(s) with unseen categories were left unscored (--unseen warn)."]
    zero = CheckedScorer(model, "warn", "zero")
    pz = zero.predict_proba_frame(frame)
    reference = frame.assign(colour=frame.colour.where(frame.colour != "purple", "blue"))  # first sorted level
    np.testing.assert_array_equal(pz, model.predict_proba_frame(reference))
    np.testing.assert_array_equal(pz[2:], p[2:])


def test_on_violation_error_and_ignore(model) -> None:
    frame = sample(6).assign(extra=0)
    with pytest.raises(ContractViolationError, match=r"^1 contract violation\(s\) \(--on-violation error\): "
                                                      r"column 'extra': not in the training data"):
        CheckedScorer(model, "error").predict_proba_frame(frame)
    lines: list[str] = []
    s = CheckedScorer(model, "ignore")
    s.predict_proba_frame(frame)
    assert s.finish(lines.append)[0].kind == "extra_column" and lines == []


def test_a_model_file_without_contract_still_loads_and_scores(model, tmp_path) -> None:
    doc = json.loads(model.to_json())
    doc["schema_version"] = 1
    del doc["contract"]
    (tmp_path / "v1.json").write_text(json.dumps(doc))
    old = load_model(tmp_path / "v1.json")
    assert old.contract is None
    lines: list[str] = []
    s = CheckedScorer(old)
    p = s.predict_proba_frame(sample(7))
    s.finish(lines.append)
    np.testing.assert_array_equal(p, model.predict_proba_frame(sample(7)))
    assert lines and "no data contract" in lines[0]
