"""Where rows come from: a DataFrame, a CSV/Parquet file or directory (streamed), or a Dask
DataFrame. The only module of the package that imports logitlab's out-of-core and Dask code,
so their move to ``logitlab.scale`` changes one line here.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pandas as pd

from ..data import DataError
from ..outofcore import detect_format, iter_batches, map_labels, row_uniform  # → ..scale when the core redesign lands

__all__ = ["is_dask", "iter_frames", "column_types", "map_partitions", "labels01", "count_rows", "row_uniform",
           "BATCH_ROWS"]

#: rows per chunk when streaming a file (memory ≈ this × columns × 8 bytes, plus the histograms)
BATCH_ROWS = 262_144


def is_dask(data: Any) -> bool:
    """True for a Dask DataFrame."""
    return type(data).__module__.startswith("dask") and hasattr(data, "to_delayed")


def _dataset(path: str | os.PathLike) -> tuple[Any, str]:
    import pyarrow.dataset as ds

    p = Path(path)
    if not p.exists():
        raise DataError(f"{p}: no such file or directory; check the path.")
    fmt = detect_format(p)
    try:
        return ds.dataset(str(p), format=fmt), fmt
    except Exception as exc:  # pyarrow: ArrowInvalid, OSError …
        raise DataError(f"{p}: not a readable {fmt} file or directory ({' '.join(str(exc).split())[:200]}).") from None


def column_types(data: Any) -> dict[str, Any]:
    """Column name → dtype (pandas) or pyarrow type (files), without reading rows."""
    if isinstance(data, (str, os.PathLike)):
        schema = _dataset(data)[0].schema
        return {name: schema.field(name).type for name in schema.names}
    return {str(k): v for k, v in data.dtypes.items()}


def count_rows(path: str | os.PathLike) -> int:
    """Rows of a file or directory (Parquet: from the metadata; CSV: one scan)."""
    return int(_dataset(path)[0].count_rows())


def iter_frames(data: Any, columns: list[str] | None = None, batch_rows: int = BATCH_ROWS) -> Iterator[pd.DataFrame]:
    """Chunks of at most ``batch_rows`` rows (only ``columns`` when given) as pandas DataFrames."""
    if batch_rows < 1:
        raise DataError(f"batch rows must be ≥ 1; got {batch_rows}.")
    if isinstance(data, (str, os.PathLike)):
        dataset, fmt = _dataset(data)
        cols = [c for c in (columns or dataset.schema.names) if c in dataset.schema.names]
        for batch in iter_batches(dataset, fmt, cols, batch_rows):
            yield batch.to_pandas()
        return
    if is_dask(data):
        for part in data.to_delayed():  # one partition in memory at a time
            frame = part.compute()
            yield frame if columns is None else frame[[c for c in columns if c in frame.columns]]
        return
    frame = data if columns is None else data[[c for c in columns if c in data.columns]]
    for start in range(0, max(len(frame), 1), batch_rows):
        yield frame.iloc[start:start + batch_rows]


def labels01(frame: pd.DataFrame, labels: Any) -> Any:
    """The target as 0/1: vectorized when the values are the labels as saved, else encode_labels
    (which also accepts e.g. 1.0 for a saved 1 and says which labels are unknown)."""
    from ..data import encode_labels

    col = frame[labels.target]
    if not col.isna().any():
        try:
            return map_labels(col.to_numpy(), (labels.negative, labels.positive))
        except ValueError:
            pass
    return encode_labels(frame, labels)


def map_partitions(data: Any, fn: Callable[[pd.DataFrame], Any]) -> list[Any]:
    """``fn`` on every partition of a Dask DataFrame where it lives; the small results come back."""
    import dask

    return list(dask.compute(*[dask.delayed(fn)(part) for part in data.to_delayed()]))
