"""Reading data past memory for ``train``/``predict``: open a file or directory, find the labels and features.

Nothing here reads more than the target column; the fit's passes are the scaling ring's.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from ..data import DataError, Labels, fit_labels, json_value
from .errors import one_line

__all__ = ["StreamUsageError", "open_local", "label_values", "stream_labels", "feature_columns", "dask_frame"]


class StreamUsageError(DataError):
    """A bad option or input for streamed or Dask training (exit 2, one line)."""


def open_local(data: Path) -> Any:
    """A pyarrow dataset on DATA (file or directory, Parquet or CSV)."""
    import pyarrow.dataset as ds

    from .scaling import detect_format

    if not data.exists():
        raise StreamUsageError(f"{data}: no such file or directory; check the path.")
    try:
        return ds.dataset(str(data), format=detect_format(data))
    except Exception as exc:  # ArrowInvalid, OSError …
        raise StreamUsageError(f"{data}: not readable as Parquet/CSV ({one_line(exc)[:200]}).") from None


def label_values(source: Any, target: str) -> tuple[list, int]:
    """Distinct values and null count of the target column, streamed (one column read)."""
    import pyarrow.compute as pc

    values: dict = {}
    nulls = 0
    for batch in source.batches([target]):
        col = batch.column(0)
        nulls += col.null_count
        for v in pc.unique(col.drop_null()).to_pylist():
            values[v] = True
        if len(values) > 2:
            break  # already an error; fit_labels words it
    return list(values), nulls


def stream_labels(values: list, nulls: int, target: str, positive: str | None) -> tuple[Labels, tuple]:
    """The Labels (as saved in model.json) and the raw (negative, positive) values they map."""
    if nulls:
        raise StreamUsageError(f"target column {target!r} has {nulls} missing value(s); every row "
                               "needs a label: drop those rows or fill them.")
    labels = fit_labels(pd.DataFrame({target: pd.Series(values, dtype=object)}), target, positive)
    raw = {str(json_value(v)): v for v in values}
    return labels, (raw[str(labels.negative)], raw[str(labels.positive)])


def feature_columns(columns: list[str], target: str, drop: list[str]) -> list[str]:
    """Every column but the target and the dropped ones (checked to exist)."""
    missing = [c for c in drop if c not in columns]
    if missing:
        raise StreamUsageError(f"--drop names columns that are not in the data: {', '.join(map(repr, missing))}.")
    if target not in columns:
        shown = ", ".join(columns[:12]) + (", …" if len(columns) > 12 else "")
        raise StreamUsageError(f"target column {target!r} is not in the data; columns are: {shown}.")
    feats = [c for c in columns if c != target and c not in drop]
    if not feats:
        raise StreamUsageError(f"no feature columns are left besides the target {target!r}.")
    return feats


def dask_frame(data: Path) -> Any:
    """A lazy Dask DataFrame over DATA (CSV or Parquet, a file or a directory)."""
    import dask.dataframe as dd

    from .scaling import detect_format

    fmt = detect_format(data)
    if fmt == "csv":
        return dd.read_csv(str(data / "*.csv") if data.is_dir() else str(data))
    return dd.read_parquet(str(data))
