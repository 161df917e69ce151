"""The target column's two labels: which is positive, and the 0/1 coding of a table's rows."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from .errors import DataError, json_value, shown

__all__ = ["Labels", "fit_labels", "encode_labels"]


@dataclass
class Labels:
    """The two labels of the target: ``negative`` ↦ 0 and ``positive`` ↦ 1."""

    target: str
    negative: Any
    positive: Any

    def to_dict(self) -> dict[str, Any]:
        return {"target": self.target, "negative": self.negative, "positive": self.positive,
                "mapping": {str(self.negative): 0, str(self.positive): 1}}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Labels:
        return cls(str(d["target"]), d["negative"], d["positive"])


def fit_labels(frame: pd.DataFrame, target: str, positive: str | None = None) -> Labels:
    """The label mapping for ``target``: the larger label is positive unless ``positive`` names one."""
    if target not in frame.columns:
        raise DataError(
            f"target column {target!r} is not in the data; columns are: {shown(frame.columns, 12)}."
        )
    col = frame[target]
    n_missing = int(col.isna().sum())
    if n_missing:
        first = int(np.flatnonzero(col.isna().to_numpy())[0]) + 1
        raise DataError(
            f"target column {target!r} has {n_missing} missing value(s) (first at data row {first}); "
            "every row needs a label: drop those rows or fill them."
        )
    values = pd.unique(col)
    if len(values) != 2:
        raise DataError(
            f"target column {target!r} must hold exactly two distinct values; it has {len(values)} "
            f"({shown(sorted(values, key=str))}). Pick a two-valued column or merge the labels into two."
        )
    try:
        neg, pos = sorted(values)
    except TypeError:
        neg, pos = sorted(values, key=str)
    neg, pos = json_value(neg), json_value(pos)
    if positive is not None:
        if str(positive) == str(pos):
            pass
        elif str(positive) == str(neg):
            neg, pos = pos, neg
        else:
            raise DataError(
                f"--positive {positive!r} is not a value of {target!r}; its values are {neg!r} and {pos!r}."
            )
    return Labels(target, neg, pos)


def encode_labels(frame: pd.DataFrame, labels: Labels) -> NDArray:
    """y as 0/1 floats under the saved mapping; labels outside it are an error naming them."""
    if labels.target not in frame.columns:
        raise DataError(
            f"target column {labels.target!r} is not in the data; columns are: {shown(frame.columns, 12)}."
        )
    col = frame[labels.target]
    if col.isna().any():
        raise DataError(f"target column {labels.target!r} has missing values; every row needs a label.")
    as_str = col.map(lambda v: str(json_value(v))).to_numpy()
    pos, neg = str(labels.positive), str(labels.negative)
    unknown = sorted(set(as_str) - {pos, neg})
    if unknown:
        raise DataError(
            f"target column {labels.target!r} holds labels the model does not know ({shown(unknown)}); "
            f"it was trained on {labels.negative!r} and {labels.positive!r}."
        )
    return (as_str == pos).astype(np.float64)


