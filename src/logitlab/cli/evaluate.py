# ruff: noqa: B008  (typer declares options as argument defaults)
"""``logitlab evaluate``: a saved model's metrics and confusion matrix on labelled data."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import typer

from ..data import Labels, encode_labels, read_table
from ..model_io import load_model, to_json
from .console import out
from .contract_options import (
    ON_VIOLATION_OPTION,
    RANGE_MARGIN_OPTION,
    UNSEEN_OPTION,
    checked_scorer,
    contract_warn,
    finish_contract,
    show_evaluation,
)
from .errors import user_errors
from .options import BATCH_ROWS_OPTION, STREAM_ABOVE_OPTION, check_threshold
from .results import metrics, metrics_table

__all__ = ["evaluate"]


def evaluate(
    model_path: Path = typer.Argument(..., metavar="MODEL", help="model.json written by `logitlab train`."),
    data: Path = typer.Argument(..., metavar="DATA", help="CSV or Parquet file with the features and the target."),
    target: str | None = typer.Option(None, "--target", "-t", help="Target column (default: the model's)."),
    as_json: bool = typer.Option(False, "--json", help="Print the metrics as JSON."),
    threshold: float | None = typer.Option(None, "--threshold", help="Override the model's threshold."),
    slice_by: list[str] = typer.Option([], "--slice-by", help="Also report the metrics per value of this column "
                                       "(repeat once for pairs of values)."),
    on_violation: str = ON_VIOLATION_OPTION,
    unseen: str = UNSEEN_OPTION,
    range_margin: float = RANGE_MARGIN_OPTION,
    out_of_core: bool | None = typer.Option(
        None, "--out-of-core/--in-memory", show_default=False,
        help="Evaluate DATA (file or directory) chunk by chunk in bounded memory; AUC and average precision "
             "then come from a 65 536-bin score histogram (within ~1e-4). Default: when DATA is larger than "
             "--stream-above."),
    stream_above: float = STREAM_ABOVE_OPTION,
    batch_rows: int = BATCH_ROWS_OPTION,
) -> None:
    """Metrics of a saved model on labelled data: log-loss, accuracy, precision, recall, F1, ROC AUC."""
    with user_errors():
        check_threshold(threshold)
        from .stream import streaming_mode

        if streaming_mode(data, out_of_core, stream_above, None)[0] != "memory":
            from ..monitoring.evaluation import evaluate_data

            res = evaluate_data(model_path, data, target, threshold, slice_by, on_violation, unseen, range_margin,
                                batch_rows, contract_warn)
            show_evaluation(res, load_model(model_path), model_path, data, target, as_json)
            return
        saved = checked_scorer(load_model(model_path), on_violation, unseen, range_margin)
        frame = read_table(data)
        labels = saved.labels if target is None else Labels(target, saved.labels.negative, saved.labels.positive)
        y = encode_labels(frame, labels)
        p = saved.predict_proba_frame(frame)
        scored = np.isfinite(p)  # rows left unscored by --unseen warn are not evaluated
        y, p = y[scored], p[scored]
        violations = finish_contract(saved)
        t = saved.threshold if threshold is None else threshold
        m = metrics(y, p, t)
        slices = None
        if slice_by:
            from ..monitoring.slices import evaluate_slices

            slices = evaluate_slices(saved.saved, frame, slice_by, labels.target, t, unseen)
        from ..metrics import confusion_matrix

        (tn, fp), (fn, tp) = confusion_matrix(y, (p > t).astype(float))
        if as_json:
            doc = {"model": str(model_path), "data": str(data), "target": labels.target,
                   "positive": labels.positive, "metrics": m,
                   "confusion_matrix": {"tn": int(tn), "fp": int(fp), "fn": int(fn), "tp": int(tp)},
                   "violations": [v.to_dict() for v in violations]}
            if slices is not None:
                doc["slices"] = slices
            sys.stdout.write(to_json(doc))
            return
        out.print(metrics_table({str(data.name): m}, title=f"metrics at threshold {t:.4g}"))
        out.print(f"confusion matrix: TN {int(tn)}  FP {int(fp)}  FN {int(fn)}  TP {int(tp)} "
                  f"(positive = {labels.positive!r})")
        if slices is not None:
            from .slice_output import print_slices

            print_slices(slices)
