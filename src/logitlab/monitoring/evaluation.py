"""`evaluate` past memory: the metrics, confusion matrix, contract violations and slices of a
saved model on labelled data streamed chunk by chunk (or over Dask partitions), in one pass.
AUC and average precision come from the score histogram (within ~1e-4 of the exact values)."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..data import DataError, Labels
from . import _sources
from .checking import CheckedScorer
from .scores import ScoreSummary
from .slices import SliceState, slice_cuts
from .thresholds import DEFAULT_ON_VIOLATION, DEFAULT_UNSEEN, RANGE_MARGIN

__all__ = ["evaluate_data"]


class _EvalState:
    def __init__(self, scorer: CheckedScorer, labels: Labels, t: float, by: list[str], cuts: dict) -> None:
        self.scorer, self.labels = scorer, labels
        self.whole = ScoreSummary(t, True)
        self.slices = SliceState(by, t, cuts) if by else None

    def update(self, frame: Any) -> _EvalState:
        z = self.scorer.scores_frame(frame)
        scored = np.isfinite(z)
        y = _sources.labels01(frame, self.labels)
        self.whole.update(z[scored], y[scored])
        if self.slices is not None:
            self.slices.update(frame[scored], z[scored], y[scored])
        return self

    def merge(self, other: _EvalState) -> _EvalState:
        self.whole.merge(other.whole)
        if self.scorer.checker is not None:
            self.scorer.checker.merge(other.scorer.checker)
        self.scorer.n_unscored += other.scorer.n_unscored
        if self.slices is not None:
            self.slices.merge(other.slices)
        return self


def evaluate_data(model: Any, data: Any, target: str | None = None, threshold: float | None = None,
                  slice_by: list[str] | None = None, on_violation: str = DEFAULT_ON_VIOLATION,
                  unseen: str = DEFAULT_UNSEEN, margin: float = RANGE_MARGIN, batch_rows: int | None = None,
                  warn: Any = None) -> dict[str, Any]:
    """Metrics (as logitlab.metrics.classification_summary's keys), confusion matrix, violations and
    slices of ``model`` on ``data`` (DataFrame, CSV/Parquet file or directory, Dask DataFrame)."""
    scorer = CheckedScorer(model, on_violation, unseen, margin)
    saved = scorer.saved
    labels = saved.labels if target is None else Labels(target, saved.labels.negative, saved.labels.positive)
    types = _sources.column_types(data)
    by = list(slice_by or [])
    for col in [labels.target, *by]:
        if col not in types:
            raise DataError(f"column {col!r} is not in the data (--target / --slice-by).")
    scorer.check_schema(types)
    t = saved.threshold if threshold is None else float(threshold)
    first = next(iter(_sources.iter_frames(data, None, 10_000)), None) if by else None
    cuts = slice_cuts(saved, by, first)
    state = _EvalState(scorer, labels, t, by, cuts)
    if _sources.is_dask(data):
        def part(frame: Any) -> _EvalState:
            local = CheckedScorer(saved, "ignore" if on_violation == "error" else on_violation, unseen, margin)
            local.check_schema(types)
            return _EvalState(local, labels, t, by, cuts).update(frame)

        for other in _sources.map_partitions(data, part):
            state.merge(other)
    else:
        for frame in _sources.iter_frames(data, None, batch_rows or _sources.BATCH_ROWS):
            state.update(frame)
    violations = scorer.finish(warn or (lambda line: None))
    s = state.whole.sums
    if state.whole.n == 0:
        raise DataError("no row could be scored.")
    m = state.whole.metrics()
    metrics = {k: m[k] for k in ("log_loss", "brier", "accuracy", "precision", "recall", "f1", "roc_auc",
                                 "average_precision", "threshold", "n")}
    return {"metrics": metrics, "violations": violations,
            "confusion_matrix": {k: int(s[k]) for k in ("tn", "fp", "fn", "tp")},
            "slices": state.slices.result() if state.slices is not None else None}
