"""``logitlab predict`` past memory: score DATA chunk by chunk, writing rows as they come."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path
from typing import Any

import pandas as pd

from ..model_io import SavedModel
from .stream_read import StreamUsageError, open_local

__all__ = ["predict_streamed"]


def check_columns(saved: SavedModel, names: list[str], id_column: str | None) -> list[str]:
    """The columns to read: the model's inputs (all present) and the --id column."""
    missing = [c for c in saved.encoding.input_columns if c not in names]
    if missing:
        raise StreamUsageError(f"the data lacks feature column(s) the model needs: {', '.join(map(repr, missing))}; "
                               "columns are matched by name, in any order.")
    if id_column is not None and id_column not in names:
        raise StreamUsageError(f"--id column {id_column!r} is not in the data.")
    return list(dict.fromkeys(saved.encoding.input_columns + ([id_column] if id_column else [])))


def score_batch(saved: SavedModel, batch: Any, threshold: float | None, id_column: str | None) -> pd.DataFrame:
    """One chunk's output rows: (id,) probability, prediction."""
    frame = batch.to_pandas()
    p = saved.predict_proba_frame(frame)
    result = pd.DataFrame({"probability": p, "prediction": saved.predict_labels(p, threshold)})
    if id_column is not None:
        result.insert(0, id_column, frame[id_column].to_numpy())
    return result


def predict_streamed(saved: SavedModel, data: Path, out_file: Path | None, threshold: float | None,
                     id_column: str | None, batch_rows: int) -> int:
    """Score DATA chunk by chunk with the saved encoding, writing rows as they come; rows written.

    The output (CSV, or Parquet by suffix) goes to a temporary file renamed over ``out_file``
    at the end, so a failure leaves no partial file; without ``out_file`` CSV goes to stdout.
    """
    from .scaling import detect_format, iter_batches

    if batch_rows < 1:
        raise StreamUsageError(f"--batch-rows must be ≥ 1; got {batch_rows}.")
    dset = open_local(data)
    cols = check_columns(saved, list(dset.schema.names), id_column)
    batches = (score_batch(saved, b, threshold, id_column)
               for b in iter_batches(dset, detect_format(data), cols, batch_rows))
    if out_file is None:
        n = 0
        for result in batches:
            sys.stdout.write(result.to_csv(index=False, header=n == 0, float_format="%.17g"))
            n += len(result)
        return n
    out_file.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{out_file.name}.", suffix=".tmp", dir=out_file.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        parquet = out_file.suffix.lower() in (".parquet", ".pq")
        n = write_parquet(tmp, batches) if parquet else write_csv(tmp, batches)
        os.chmod(tmp, 0o644)
        os.replace(tmp, out_file)
    finally:
        tmp.unlink(missing_ok=True)
    return n


def write_csv(path: Path, batches: Any) -> int:
    """Every batch's rows as CSV (header once), fsynced; rows written."""
    n = 0
    with path.open("w", newline="") as text:
        for result in batches:
            text.write(result.to_csv(index=False, header=n == 0, float_format="%.17g"))
            n += len(result)
        text.flush()
        os.fsync(text.fileno())
    return n


def write_parquet(path: Path, batches: Any) -> int:
    """Every batch's rows as one Parquet file (a valid empty file when there are none); rows written."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    n, writer = 0, None
    try:
        for result in batches:
            table = pa.Table.from_pandas(result, preserve_index=False)
            if writer is None:
                writer = pq.ParquetWriter(str(path), table.schema)
            writer.write_table(table.cast(writer.schema))
            n += len(result)
    finally:
        if writer is not None:
            writer.close()
    if n == 0 and writer is None:
        pq.write_table(pa.table({"probability": pa.array([], pa.float64()),
                                 "prediction": pa.array([], pa.string())}), str(path))
    return n
