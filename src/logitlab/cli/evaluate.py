# ruff: noqa: B008  (typer declares options as argument defaults)
"""``logitlab evaluate``: a saved model's metrics and confusion matrix on labelled data."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from ..data import Labels, encode_labels, read_table
from ..model_io import load_model, to_json
from .console import out
from .errors import user_errors
from .options import check_threshold
from .results import metrics, metrics_table

__all__ = ["evaluate"]


def evaluate(
    model_path: Path = typer.Argument(..., metavar="MODEL", help="model.json written by `logitlab train`."),
    data: Path = typer.Argument(..., metavar="DATA", help="CSV or Parquet file with the features and the target."),
    target: str | None = typer.Option(None, "--target", "-t", help="Target column (default: the model's)."),
    as_json: bool = typer.Option(False, "--json", help="Print the metrics as JSON."),
    threshold: float | None = typer.Option(None, "--threshold", help="Override the model's threshold."),
) -> None:
    """Metrics of a saved model on labelled data: log-loss, accuracy, precision, recall, F1, ROC AUC."""
    with user_errors():
        check_threshold(threshold)
        saved = load_model(model_path)
        frame = read_table(data)
        labels = saved.labels if target is None else Labels(target, saved.labels.negative, saved.labels.positive)
        y = encode_labels(frame, labels)
        p = saved.predict_proba_frame(frame)
        t = saved.threshold if threshold is None else threshold
        m = metrics(y, p, t)
        from ..metrics import confusion_matrix

        (tn, fp), (fn, tp) = confusion_matrix(y, (p > t).astype(float))
        if as_json:
            doc = {"model": str(model_path), "data": str(data), "target": labels.target,
                   "positive": labels.positive, "metrics": m,
                   "confusion_matrix": {"tn": int(tn), "fp": int(fp), "fn": int(fn), "tp": int(tp)}}
            sys.stdout.write(to_json(doc))
            return
        out.print(metrics_table({str(data.name): m}, title=f"metrics at threshold {t:.4g}"))
        out.print(f"confusion matrix: TN {int(tn)}  FP {int(fp)}  FN {int(fn)}  TP {int(tp)} "
                  f"(positive = {labels.positive!r})")
