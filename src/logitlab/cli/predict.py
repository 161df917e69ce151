# ruff: noqa: B008  (typer declares options as argument defaults)
"""``logitlab predict``: P(positive) and the predicted label for every row of a file, with a saved model."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pandas as pd
import typer

from ..data import read_table
from ..model_io import SavedModel, load_model
from .console import err
from .contract_options import ON_VIOLATION_OPTION, RANGE_MARGIN_OPTION, UNSEEN_OPTION, checked_scorer, finish_contract
from .errors import UsageError, user_errors
from .options import BATCH_ROWS_OPTION, STREAM_ABOVE_OPTION, check_threshold
from .outputs import check_output_file, write_outputs

__all__ = ["predict"]


def predict(
    model_path: Path = typer.Argument(..., metavar="MODEL", help="model.json written by `logitlab train`."),
    data: Path = typer.Argument(..., metavar="DATA", help="CSV or Parquet file with the feature columns (any order)."),
    out_file: Path | None = typer.Option(None, "--out", "-o", help="Write CSV (or .parquet) here instead of stdout."),
    threshold: float | None = typer.Option(None, "--threshold", help="Override the model's threshold."),
    id_column: str | None = typer.Option(None, "--id", help="Copy this column into the output."),
    out_of_core: bool | None = typer.Option(
        None, "--out-of-core/--in-memory", show_default=False,
        help="Score DATA (file or directory) chunk by chunk, writing as it goes "
             "(default: when DATA is larger than --stream-above)."),
    stream_above: float = STREAM_ABOVE_OPTION,
    batch_rows: int = BATCH_ROWS_OPTION,
    on_violation: str = ON_VIOLATION_OPTION,
    unseen: str = UNSEEN_OPTION,
    range_margin: float = RANGE_MARGIN_OPTION,
) -> None:
    """Probability of the positive label and the predicted label for every row."""
    with user_errors():
        check_threshold(threshold)
        if out_file is not None:
            check_output_file(out_file)
        saved = checked_scorer(load_model(model_path), on_violation, unseen, range_margin)
        from .stream import streaming_mode

        if streaming_mode(data, out_of_core, stream_above, None)[0] != "memory":
            from ..monitoring._sources import column_types
            from .stream_predict import predict_streamed

            saved.check_schema(column_types(data))  # chunks hold only the model's columns
            n = predict_streamed(saved, data, out_file, threshold, id_column, batch_rows)
            finish_contract(saved)  # violations summed over the chunks
            if out_file is not None:
                err.print(f"{n} predictions → {out_file} (probability = P({saved.labels.positive!r}); "
                          "streamed)", markup=False)
            return
        predict_in_memory(saved, data, out_file, threshold, id_column)


def predict_in_memory(saved: SavedModel, data: Path, out_file: Path | None, threshold: float | None,
                      id_column: str | None) -> None:
    """Read DATA whole, score it, and write CSV (or Parquet by suffix) to ``out_file`` or stdout."""
    frame = read_table(data)
    if id_column is not None and id_column not in frame.columns:
        raise UsageError(f"--id column {id_column!r} is not in the data.")
    p = saved.predict_proba_frame(frame)
    result = pd.DataFrame({"probability": p, "prediction": saved.predict_labels(p, threshold)})
    if id_column is not None:
        result.insert(0, id_column, frame[id_column].to_numpy())
    finish_contract(saved)  # before anything is written: "error" leaves no output
    if out_file is None:
        sys.stdout.write(result.to_csv(index=False, float_format="%.17g"))
        return
    if out_file.suffix.lower() in (".parquet", ".pq"):
        buf = io.BytesIO()
        result.to_parquet(buf, index=False)
        write_outputs({out_file: buf.getvalue()})
    else:
        write_outputs({out_file: result.to_csv(index=False, float_format="%.17g")})
    err.print(f"{len(result)} predictions → {out_file} (probability = P({saved.labels.positive!r}))",
              markup=False)
