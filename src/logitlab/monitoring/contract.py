"""The data contract recorded at training: per feature its type, range, percentiles, missing
share and category counts; the training score distribution; the class balance.

It is a plain JSON-able dict stored in model.json under ``contract`` (docs/model-schema.md),
a few kilobytes: 23 percentiles per numeric feature, the counts per category.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from .thresholds import CONTRACT_VERSION, PERCENTILES

__all__ = ["record_contract", "type_family", "numeric_summary", "compatible_types", "Contract"]


def type_family(dtype: Any) -> str:
    """"number", "boolean", "datetime" or "text" for a pandas/numpy dtype or a pyarrow type."""
    text = str(dtype).lower()
    if text.startswith(("bool",)):
        return "boolean"
    if text.startswith(("int", "uint", "float", "double", "halffloat", "decimal")):
        return "number"
    if "datetime" in text or text.startswith(("timestamp", "date", "time", "duration", "timedelta")):
        return "datetime"
    if text == "null":
        return "null"
    return "text"


def compatible_types(trained: str, seen: str) -> bool:
    """Whether a column read as ``seen`` can stand for one trained as ``trained`` (booleans and
    numbers are interchangeable as 0/1; an all-empty column is "null" and matches anything)."""
    numeric = {"number", "boolean"}
    return trained == seen or (trained in numeric and seen in numeric) or "null" in (trained, seen)


def numeric_summary(values: NDArray) -> dict[str, Any]:
    """Range, mean, standard deviation, percentiles and the training CDF at each percentile."""
    v = values[np.isfinite(values)]
    if v.size == 0:
        return {"min": None, "max": None, "mean": None, "std": None, "percentiles": [], "cdf": []}
    q = np.percentile(v, PERCENTILES)
    vs = np.sort(v)
    cdf = np.searchsorted(vs, q, side="right") / v.size  # share of training values ≤ each percentile
    return {"min": float(vs[0]), "max": float(vs[-1]), "mean": float(np.mean(v)), "std": float(np.std(v)),
            "percentiles": q.tolist(), "cdf": cdf.tolist()}


def _feature_entry(series: pd.Series, column: dict[str, Any]) -> dict[str, Any]:
    missing = series.isna().to_numpy()
    entry: dict[str, Any] = {"kind": column["kind"], "type": type_family(series.dtype),
                             "missing_share": float(missing.mean()) if missing.size else 0.0}
    if column["kind"] == "numeric":
        entry.update(numeric_summary(series.to_numpy(dtype=np.float64, na_value=np.nan)))
    else:
        counts = pd.Series([str(v) for v in series[~missing].to_numpy()]).value_counts()
        entry["counts"] = {c: int(counts.get(c, 0)) for c in column["categories"]}
    return entry


def record_contract(
    frame: pd.DataFrame, encoding: Any, scores: ArrayLike, y: ArrayLike | None = None,
    target: str | None = None, threshold: float = 0.5,
) -> dict[str, Any]:
    """The contract of a model trained on ``frame`` (the rows it was fitted on).

    ``encoding`` is the model's :class:`logitlab.data.Encoding`, ``scores`` its logits z on those
    rows, ``y`` their 0/1 labels. Every column of ``frame`` is recorded with its type and role
    (feature, target or ignored), so scoring can tell extra and retyped columns apart.
    """
    z = np.asarray(scores, dtype=np.float64).ravel()
    if z.size != len(frame):
        raise ValueError(f"scores has {z.size} values for {len(frame)} rows.")
    features = {c["name"]: _feature_entry(frame[c["name"]], c) for c in encoding.columns}
    roles = {}
    for name in frame.columns:
        role = "feature" if name in features else ("target" if name == target else "ignored")
        roles[str(name)] = {"type": type_family(frame[name].dtype), "role": role}
    p = 1.0 / (1.0 + np.exp(-z))
    score = numeric_summary(z) | {"mean_probability": float(p.mean()),
                                  "predicted_positive_share": float(np.mean(p > threshold))}
    doc: dict[str, Any] = {"version": CONTRACT_VERSION, "n_rows": int(len(frame)), "columns": roles,
                           "features": features, "score": score}
    if y is not None:
        yy = np.asarray(y, dtype=np.float64).ravel()
        doc["class_balance"] = {"n": int(yy.size), "positive_share": float(yy.mean())}
    return doc


class Contract:
    """Read access to a contract dict (as stored in model.json)."""

    def __init__(self, doc: dict[str, Any]) -> None:
        if not isinstance(doc, dict) or doc.get("version") != CONTRACT_VERSION:
            raise ValueError(f"unsupported contract version {doc.get('version') if isinstance(doc, dict) else doc!r}; "
                             f"this logitlab reads version {CONTRACT_VERSION}.")
        self.doc = doc
        self.features: dict[str, dict[str, Any]] = doc["features"]
        self.columns: dict[str, dict[str, Any]] = doc["columns"]
        self.score: dict[str, Any] = doc["score"]
        self.n_rows = int(doc["n_rows"])

    @property
    def positive_share(self) -> float | None:
        cb = self.doc.get("class_balance")
        return None if cb is None else float(cb["positive_share"])

    def to_dict(self) -> dict[str, Any]:
        return self.doc


def training_contract(
    frame: pd.DataFrame, encoding: Any, scores: ArrayLike, y: ArrayLike, target: str | None, threshold: float,
    held_out_scores: ArrayLike | None = None, held_out_y: ArrayLike | None = None,
) -> dict[str, Any]:
    """The contract of the train part plus the metrics later data are compared with: the
    held-out part's when there is one (an honest baseline), else the train part's."""
    from .scores import ScoreSummary

    doc = record_contract(frame, encoding, scores, y, target, threshold)
    held = held_out_scores is not None and np.asarray(held_out_scores).size > 0
    z, yy, part = (held_out_scores, held_out_y, "held-out") if held else (scores, y, "train")
    doc["metrics"] = ScoreSummary(threshold, True).update(z, yy).metrics() | {"part": part}
    return doc
