"""Sliced evaluation: the metrics per value (or value pair) of one or two columns, with
confidence intervals, small slices warned about and slices worse than the whole flagged.

Each slice keeps a :class:`ScoreSummary`, so this runs chunk by chunk (files past memory, Dask)
with the same result as in memory. Intervals: Wilson for proportions (precision, recall, the
observed positive rate), Hanley–McNeil for AUC, the normal approximation for the mean log-loss.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import norm

from ..data import DataError, Labels
from ._sources import labels01
from .scores import ScoreSummary
from .scoring import as_saved_model, score_frame
from .thresholds import CI_LEVEL, MAX_SLICES, SMALL_SLICE

__all__ = ["wilson_interval", "hanley_mcneil_se", "SliceState", "evaluate_slices", "slice_rows"]

#: a numeric slice column with more distinct values than this is cut at its training quartiles
_MAX_NUMERIC_LEVELS = 10


def wilson_interval(successes: float, n: float, level: float = CI_LEVEL) -> tuple[float, float]:
    """Wilson score interval for a proportion (sensible for small n and proportions near 0 or 1)."""
    if n <= 0:
        return (float("nan"), float("nan"))
    z = norm.ppf(0.5 + level / 2)
    p = successes / n
    den = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / den
    half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / den
    return (float(centre - half), float(centre + half))


def hanley_mcneil_se(auc: float, n_pos: float, n_neg: float) -> float:
    """Standard error of an AUC (Hanley & McNeil 1982, exponential approximation)."""
    q1, q2 = auc / (2 - auc), 2 * auc * auc / (1 + auc)
    var = (auc * (1 - auc) + (n_pos - 1) * (q1 - auc * auc) + (n_neg - 1) * (q2 - auc * auc)) / (n_pos * n_neg)
    return float(np.sqrt(max(var, 0.0)))


def _row(name: str, s: ScoreSummary, level: float) -> dict[str, Any]:
    """One slice's metrics with intervals."""
    m = s.metrics()
    n, pos = s.sums["n"], s.sums["y"]
    z = norm.ppf(0.5 + level / 2)
    sd = np.sqrt(max(s.sums["loss_sq"] / n - m["log_loss"] ** 2, 0.0) / max(n - 1, 1))
    pred_pos = s.sums["tp"] + s.sums["fp"]
    row = {"slice": name, "n": int(n), "positives": int(pos), "log_loss": m["log_loss"],
           "log_loss_ci": [m["log_loss"] - z * sd, m["log_loss"] + z * sd],
           "roc_auc": m["roc_auc"], "roc_auc_ci": [float("nan"), float("nan")],
           "precision": m["precision"], "precision_ci": list(wilson_interval(s.sums["tp"], pred_pos, level)),
           "recall": m["recall"], "recall_ci": list(wilson_interval(s.sums["tp"], pos, level)),
           "mean_predicted": m["mean_probability"], "observed_rate": m["positive_rate"],
           "observed_rate_ci": list(wilson_interval(pos, n, level)), "ece": m["ece"]}
    if 0 < pos < n:
        se = hanley_mcneil_se(m["roc_auc"], pos, n - pos)
        row["roc_auc_ci"] = [max(m["roc_auc"] - z * se, 0.0), min(m["roc_auc"] + z * se, 1.0)]
    row["small"] = bool(n < SMALL_SLICE or min(pos, n - pos) < 10)
    return row


def _worse(row: dict[str, Any], whole: dict[str, Any]) -> list[str]:
    """Metrics whose interval lies entirely on the bad side of the whole data's value."""
    out = []
    tol = 1e-9  # an interval ending at the whole's value (e.g. both 1.0) is not "worse"
    if row["log_loss_ci"][0] > whole["log_loss"] + tol:
        out.append("log_loss")
    for key in ("roc_auc", "precision", "recall"):
        hi = row[f"{key}_ci"][1]
        if np.isfinite(hi) and np.isfinite(whole[key]) and hi < whole[key] - tol:
            out.append(key)
    lo, hi = row["observed_rate_ci"]
    if not lo <= row["mean_predicted"] <= hi:
        out.append("calibration")
    return out


class SliceState:
    """Per-slice score summaries for one model on labelled data, chunk by chunk."""

    def __init__(self, by: list[str], threshold: float, cuts: dict[str, list[float]] | None = None) -> None:
        if not 1 <= len(by) <= 2:
            raise DataError("--slice-by takes one or two columns.")
        self.by, self.threshold, self.cuts = list(by), float(threshold), dict(cuts or {})
        self.slices: dict[str, ScoreSummary] = {}
        self.whole = ScoreSummary(threshold, True)

    def _keys(self, frame: pd.DataFrame) -> pd.Series:
        parts = []
        for col in self.by:
            s = frame[col]
            if col in self.cuts:
                edges = self.cuts[col]
                idx = np.searchsorted(edges, s.to_numpy(dtype=np.float64, na_value=np.nan), side="left")
                bounds = [-np.inf, *edges, np.inf]
                text = pd.Series([f"({bounds[i]:.4g}, {bounds[i + 1]:.4g}]" for i in idx], index=s.index)
            else:
                text = s.map(lambda v: str(v.item() if isinstance(v, np.generic) else v))
            parts.append(f"{col}=" + text.where(s.notna(), "(missing)"))
        return parts[0] if len(parts) == 1 else parts[0] + ", " + parts[1]

    def update(self, frame: pd.DataFrame, z: np.ndarray, y: np.ndarray) -> SliceState:
        keys = self._keys(frame).to_numpy()
        self.whole.update(z, y)
        for key in pd.unique(keys):
            rows = keys == key
            if key not in self.slices:
                if len(self.slices) >= MAX_SLICES:
                    raise DataError(f"--slice-by makes more than {MAX_SLICES} slices; slice by a column with "
                                    "fewer values (or bin it first).")
                self.slices[key] = ScoreSummary(self.threshold, True)
            self.slices[key].update(z[rows], y[rows])
        return self

    def merge(self, other: SliceState) -> SliceState:
        self.whole.merge(other.whole)
        for key, s in other.slices.items():
            if key in self.slices:
                self.slices[key].merge(s)
            else:
                self.slices[key] = s
        return self

    def result(self, level: float = CI_LEVEL) -> dict[str, Any]:
        """The table: the whole data, then every slice (largest first), flags and warnings."""
        whole = _row("(all)", self.whole, level)
        rows = [_row(k, s, level) for k, s in sorted(self.slices.items(), key=lambda kv: (-kv[1].n, kv[0]))]
        warnings = []
        for r in rows:
            r["worse"] = _worse(r, whole)
            if r["small"]:
                warnings.append(f"slice {r['slice']}: only {r['n']} rows ({r['positives']} positive); "
                                "its metrics are uncertain, read them with their intervals.")
        return {"by": self.by, "threshold": self.threshold, "level": level, "whole": whole, "slices": rows,
                "warnings": warnings, "flagged": [r["slice"] for r in rows if r["worse"]],
                "method": "AUC from the score histogram; intervals: Wilson (proportions), Hanley–McNeil (AUC), "
                          "normal approximation (log-loss). A slice is flagged when an interval lies entirely "
                          "on the worse side of the whole data's value, or its observed positive rate's "
                          "interval excludes its mean predicted probability."}


def slice_cuts(saved: Any, by: list[str], sample: pd.DataFrame | None) -> dict[str, list[float]]:
    """Quartile cuts (from the contract) for numeric features with many distinct values."""
    contract = saved.contract or {}
    cuts = {}
    for col in by:
        f = (contract.get("features") or {}).get(col)
        many = sample is not None and col in sample and pd.api.types.is_numeric_dtype(sample[col]) and \
            sample[col].nunique() > _MAX_NUMERIC_LEVELS
        if f is not None and f["kind"] == "numeric" and many:
            from .thresholds import PERCENTILES

            q = [f["percentiles"][PERCENTILES.index(v)] for v in (25.0, 50.0, 75.0)]
            cuts[col] = sorted(set(q))
    return cuts


def evaluate_slices(model: Any, data: Any, by: list[str] | str, target: str | None = None,
                    threshold: float | None = None, unseen: str = "error", level: float = CI_LEVEL,
                    batch_rows: int | None = None) -> dict[str, Any]:
    """Metrics per slice of ``data`` (DataFrame, CSV/Parquet file or directory, Dask DataFrame).

    ``by`` is one column or two; numeric features with more than 10 distinct values are cut at
    their training quartiles. ``target`` defaults to the model's; ``threshold`` to the model's.
    """
    from . import _sources

    saved = as_saved_model(model)
    by = [by] if isinstance(by, str) else list(by)
    labels = saved.labels if target is None else Labels(target, saved.labels.negative, saved.labels.positive)
    types = _sources.column_types(data)
    for col in by + [labels.target]:
        if col not in types:
            raise DataError(f"column {col!r} is not in the data (--slice-by / --target).")
    t = saved.threshold if threshold is None else float(threshold)
    columns = list(dict.fromkeys(saved.encoding.input_columns + by + [labels.target]))
    first = next(iter(_sources.iter_frames(data, columns, 10_000)), None)  # to tell numeric slice columns
    cuts = slice_cuts(saved, by, first)

    def one(frame: pd.DataFrame) -> SliceState:
        z, scored = score_frame(saved, frame, unseen)
        y = labels01(frame, labels)
        return SliceState(by, t, cuts).update(frame[scored], z[scored], y[scored])

    state = SliceState(by, t, cuts)
    parts = (_sources.map_partitions(data, one) if _sources.is_dask(data)
             else (one(f) for f in _sources.iter_frames(data, columns, batch_rows or _sources.BATCH_ROWS)))
    for part in parts:
        state.merge(part)
    return state.result(level)


def slice_rows(result: dict[str, Any]) -> list[list[Any]]:
    """Table rows (slice, n, positives, log-loss, AUC, precision, recall, mean p, observed, flags)."""
    rows = []
    for r in [result["whole"], *result["slices"]]:
        flags = ", ".join(r.get("worse", [])) + (" (small)" if r.get("small") and r is not result["whole"] else "")
        rows.append([r["slice"], r["n"], r["positives"], r["log_loss"], r["roc_auc"], r["precision"], r["recall"],
                     r["mean_predicted"], r["observed_rate"], flags.strip()])
    return rows
