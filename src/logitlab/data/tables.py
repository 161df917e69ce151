"""Reading a CSV or Parquet file into a DataFrame, with every problem of the file as one clear line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from .errors import DataError, shown

__all__ = ["read_table", "PARQUET_SUFFIXES"]

PARQUET_SUFFIXES = {".parquet", ".pq", ".parq"}


def read_table(path: str | Path) -> pd.DataFrame:
    """A CSV or Parquet file as a DataFrame (read with pyarrow); Parquet by suffix or magic bytes."""
    p = Path(path)
    if not p.exists():
        raise DataError(f"{p}: no such file; check the path.")
    if p.is_dir():
        raise DataError(f"{p} is a directory; give a CSV or Parquet file.")
    try:
        with p.open("rb") as fh:
            head = fh.read(4)
    except OSError as exc:
        raise DataError(f"{p}: cannot read the file ({exc.strerror or exc}); check its permissions.") from None
    if p.stat().st_size == 0:
        raise DataError(f"{p} is empty; it needs a header row and at least one data row.")
    is_parquet = p.suffix.lower() in PARQUET_SUFFIXES or head == b"PAR1"
    try:
        if is_parquet:
            import pyarrow.parquet as pq

            table = pq.read_table(p)
        else:
            import pyarrow.csv as pacsv

            table = pacsv.read_csv(p)
    except Exception as exc:  # pyarrow raises ArrowInvalid, OSError, UnicodeDecodeError…
        kind = "Parquet" if is_parquet else "CSV"
        detail = " ".join(str(exc).split())[:200]
        raise DataError(f"{p}: not a readable {kind} file ({detail}).") from None
    if not is_parquet:
        _check_text_encoding(p, table)
    frame = table.to_pandas()
    if frame.shape[1] == 0:
        raise DataError(f"{p} has no columns; it needs a header row naming them.")
    if frame.shape[0] == 0:
        raise DataError(f"{p} has a header but no data rows.")
    frame.columns = [str(c) for c in frame.columns]
    dup = frame.columns[frame.columns.duplicated()].tolist()
    if dup:
        raise DataError(f"{p}: column names repeat ({shown(dup)}); give every column its own name.")
    return frame


def _check_text_encoding(p: Path, table: Any) -> None:
    """pyarrow keeps CSV cells that are not UTF-8 as raw bytes; refuse such a file, naming the cell
    (stored as text they would become "b'Malm\\xf6'", and never match the same data saved as UTF-8)."""
    import pyarrow as pa

    for name, col in zip(table.column_names, table.columns, strict=True):
        if pa.types.is_binary(col.type) or pa.types.is_large_binary(col.type):
            values = col.to_pylist()
            row = next((i for i, v in enumerate(values) if _not_utf8(v)), 0)
            raise DataError(
                f"{p} is not UTF-8 text: column {name!r} holds {values[row]!r} at data row {row + 1} "
                "(Latin-1 or Windows-1252?); save the file as UTF-8, e.g. "
                f"`iconv -f latin1 -t utf-8 {p.name} > utf8.csv`."
            )


def _not_utf8(v: Any) -> bool:
    if not isinstance(v, bytes):
        return False
    try:
        v.decode("utf-8")
    except UnicodeDecodeError:
        return True
    return False


