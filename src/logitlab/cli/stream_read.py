"""Reading data past memory for ``train``/``predict``: open a file or directory, find the labels and features.

Nothing here reads more than the target column; the fit's passes are the scaling ring's.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from ..data import MAX_ABS_FEATURE, DataError, Labels, check_feature_scale, fit_labels, json_value
from .errors import one_line

__all__ = ["StreamUsageError", "check_directory", "data_files", "open_local", "label_values", "stream_labels",
           "feature_columns", "dask_frame", "check_checkpoint", "validate_rows", "first_bad_value"]


class StreamUsageError(DataError):
    """A bad option or input for streamed or Dask training (exit 2, one line)."""


PARQUET_SUFFIXES = (".parquet", ".pq", ".parq")
CSV_SUFFIXES = (".csv", ".csv.gz")


def data_files(directory: Path) -> list[Path]:
    """The files a pyarrow dataset on ``directory`` reads (hidden and ``_``-prefixed ones skipped)."""
    return sorted(f for f in directory.rglob("*") if f.is_file()
                  and not any(part.startswith((".", "_")) for part in f.relative_to(directory).parts))


def check_directory(directory: Path) -> None:
    """A directory to stream holds data files of one format, all with the same columns."""
    files = data_files(directory)
    parquet = [f for f in files if f.name.lower().endswith(PARQUET_SUFFIXES)]
    csv = [f for f in files if f.name.lower().endswith(CSV_SUFFIXES)]
    other = [f for f in files if f not in parquet and f not in csv]
    if not parquet and not csv:
        raise StreamUsageError(f"{directory} holds no data files (*.parquet or *.csv); put the data "
                               "there, or give a file.")
    if parquet and csv:
        raise StreamUsageError(f"{directory} mixes Parquet and CSV files ({len(parquet)} and {len(csv)}); "
                               "a directory is read as one format: convert or move one kind out.")
    if other:
        raise StreamUsageError(f"{directory} holds files that are neither Parquet nor CSV (e.g. "
                               f"{other[0].relative_to(directory)}); move them out of the data directory.")
    _check_same_columns(parquet or csv, directory)


def _columns(path: Path) -> list[str]:
    """A data file's column names, read from its footer (Parquet) or header line (CSV)."""
    try:
        if path.name.lower().endswith(PARQUET_SUFFIXES):
            import pyarrow.parquet as pq

            return list(pq.read_schema(path).names)
        import pyarrow.csv as pacsv

        with pacsv.open_csv(path) as reader:
            return list(reader.schema.names)
    except Exception as exc:  # ArrowInvalid, OSError …
        raise StreamUsageError(f"{path}: not readable as {'Parquet' if path.suffix != '.csv' else 'CSV'} "
                               f"({one_line(exc)[:200]}).") from None


def _check_same_columns(files: list[Path], directory: Path) -> None:
    first = _columns(files[0])
    for f in files[1:]:
        cols = _columns(f)
        if set(cols) != set(first):
            missing = [c for c in first if c not in cols]
            extra = [c for c in cols if c not in first]
            what = "; ".join(part for part in (
                f"lacks {', '.join(map(repr, missing[:5]))}" if missing else "",
                f"adds {', '.join(map(repr, extra[:5]))}" if extra else "") if part)
            raise StreamUsageError(f"{f.relative_to(directory)} has other columns than "
                                   f"{files[0].relative_to(directory)} ({what}); every file of {directory} "
                                   "needs the same columns.")


def open_local(data: Path) -> Any:
    """A pyarrow dataset on DATA (file or directory, Parquet or CSV)."""
    import pyarrow.dataset as ds

    from .scaling import detect_format

    if not data.exists():
        raise StreamUsageError(f"{data}: no such file or directory; check the path.")
    if data.is_dir():
        check_directory(data)
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
    plain = [v.item() if isinstance(v, np.generic) else v for v in values]  # messages show 1, not np.int64(1)
    raw = {str(json_value(v)): v for v in plain}
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


def check_checkpoint(path: Path, n_params: int) -> None:
    """An existing --checkpoint file holds a finite θ of this fit's size (else a clear error, before the fit)."""
    if not path.exists():
        return
    what = None
    try:
        stored = np.load(path, allow_pickle=False)
        if not isinstance(stored, np.lib.npyio.NpzFile):
            raise ValueError("a single array, not a checkpoint archive")
        with stored:
            theta = np.asarray(stored["theta"], dtype=np.float64)
            for key in ("key", "history", "n_iter", "n_passes"):
                stored[key]
    except KeyError as exc:
        what = f"no {exc} entry: not a logitlab checkpoint"
    except Exception:  # not a zip archive, text, pickled data … (numpy's advice to unpickle is no help)
        what = "something that is not a logitlab checkpoint (a NumPy .npz archive written by a streamed fit)"
    else:
        if theta.shape != (n_params,):
            what = (f"a θ of shape {theta.shape}, but this fit has {n_params} parameters "
                    "(one per feature and the intercept): it belongs to another fit")
        elif not np.all(np.isfinite(theta)):
            what = "a θ with missing or infinite values: it is damaged"
    if what is not None:
        raise StreamUsageError(f"--checkpoint {path} holds {what}; delete it to start the fit afresh, "
                               "or choose another file.")


def first_bad_value(X: NDArray, y: NDArray, sw: NDArray, u: NDArray, first: int, names: list[str],
                    test_size: float) -> str | None:
    """The first missing or infinite feature value of a chunk, worded for the user (or None).

    Module level: shipped to Dask workers."""
    if X.size == 0 or np.max(np.abs(X)) <= MAX_ABS_FEATURE:  # one reduction; NaN and ±inf fail it too
        return None
    bad = ~np.isfinite(X)
    if not bad.any():
        try:
            check_feature_scale(X, names)
        except DataError as exc:  # its row is the chunk's: say the file's
            i = int(np.argwhere(np.abs(X) > MAX_ABS_FEATURE)[0][0])
            return str(exc).replace(f"at data row {i + 1},", f"at data row {first + i + 1},")
        return None
    i, j = np.argwhere(bad)[0]
    part = "held-out" if u[i] < test_size else "training"
    kind = "missing (NaN)" if np.isnan(X[i, j]) else "infinite"
    return (f"column {names[j]!r} has a {kind} value at data row {first + int(i) + 1} (a {part} row); "
            "fill or drop those rows before training.")


def validate_rows(source: Any, features: list[str], test_size: float) -> None:
    """Every row, held-out rows included, checked as the fit checks its training rows: before the fit,
    in one pass (the fit reads only its training rows, and the held-out ones were read after it)."""
    try:
        found = source.map_chunks(first_bad_value, features, test_size)
    except ValueError as exc:  # a label outside the two, in any row
        raise StreamUsageError(one_line(exc)) from None
    problem = next((f for f in found if f is not None), None)
    if problem is not None:
        raise StreamUsageError(problem)
