"""A mergeable summary of a model's scores on one batch of data (optionally with labels).

Counts on a fine histogram of the logit z (thresholds.SCORE_BINS) plus exact sums: everything
the monitor, sliced evaluation and expected-performance estimation need, in memory of the order
of one histogram whatever the number of rows, and the same whether the rows came in one piece,
in chunks or from Dask partitions.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ..loss import log_loss_pointwise, sigmoid
from ..metrics import average_precision, hosmer_lemeshow, roc_auc
from .thresholds import ECE_BINS, HL_GROUPS, SCORE_BINS, SCORE_LIMIT

__all__ = ["ScoreSummary", "score_bin", "expected_calibration_error"]

_SUMS = ("n", "z", "p", "pq", "entropy", "entropy_var", "pred_pos", "p_pred_pos", "pq_pred_pos",
         "p_pred_neg", "pq_pred_neg", "y", "loss", "loss_sq", "tp", "fp", "fn", "tn", "brier")


def score_bin(z: NDArray) -> NDArray:
    """Index of each logit's bin among SCORE_BINS equal bins of [−SCORE_LIMIT, SCORE_LIMIT]."""
    width = 2 * SCORE_LIMIT / SCORE_BINS
    k = np.floor((np.clip(z, -SCORE_LIMIT, SCORE_LIMIT) + SCORE_LIMIT) / width)
    return np.minimum(k, SCORE_BINS - 1).astype(np.int64)


def expected_calibration_error(count: ArrayLike, mean_pred: ArrayLike, observed: ArrayLike) -> float:
    """ECE = Σ_b (n_b / n)·|observed rate_b − mean predicted_b| over non-empty bins."""
    n = np.asarray(count, dtype=np.float64)
    keep = n > 0
    gap = np.abs(np.asarray(observed, float)[keep] - np.asarray(mean_pred, float)[keep])
    return float(np.sum(n[keep] * gap) / n[keep].sum())


class ScoreSummary:
    """Histogram counts and exact sums of z, p = σ(z) and, with labels, the outcomes."""

    def __init__(self, threshold: float, labelled: bool) -> None:
        self.threshold, self.labelled = float(threshold), bool(labelled)
        self.sums = dict.fromkeys(_SUMS, 0.0)
        self.count = np.zeros(SCORE_BINS)
        self.p_sum = np.zeros(SCORE_BINS)
        self.pos = np.zeros(SCORE_BINS) if labelled else None
        self.ece = np.zeros((3, ECE_BINS))  # rows: count, Σp, Σy

    def update(self, z: ArrayLike, y: ArrayLike | None = None) -> ScoreSummary:
        """Add a batch of logits (and their 0/1 labels when labelled)."""
        z = np.asarray(z, dtype=np.float64).ravel()
        p = sigmoid(z)
        pq = p * (1 - p)
        k = score_bin(z)
        self.count += np.bincount(k, minlength=SCORE_BINS)
        self.p_sum += np.bincount(k, weights=p, minlength=SCORE_BINS)
        up = p > self.threshold
        s = self.sums
        s["n"] += z.size
        s["z"] += float(z.sum())
        s["p"] += float(p.sum())
        s["pq"] += float(pq.sum())
        s["entropy"] += float(log_loss_pointwise(p, z).sum())  # E[ℓ] under y ~ Bernoulli(p)
        s["entropy_var"] += float((z * z * pq).sum())  # Var[ℓ] = z²·p(1−p)
        s["pred_pos"] += float(up.sum())
        s["p_pred_pos"] += float(p[up].sum())
        s["pq_pred_pos"] += float(pq[up].sum())
        s["p_pred_neg"] += float(p[~up].sum())
        s["pq_pred_neg"] += float(pq[~up].sum())
        e = np.minimum((p * ECE_BINS).astype(np.int64), ECE_BINS - 1)
        self.ece[0] += np.bincount(e, minlength=ECE_BINS)
        self.ece[1] += np.bincount(e, weights=p, minlength=ECE_BINS)
        if self.labelled:
            yy = np.asarray(y, dtype=np.float64).ravel()
            if yy.size != z.size:
                raise ValueError(f"y has {yy.size} values for {z.size} scores.")
            self.pos += np.bincount(k, weights=yy, minlength=SCORE_BINS)
            loss = log_loss_pointwise(yy, z)
            s["y"] += float(yy.sum())
            s["loss"] += float(loss.sum())
            s["loss_sq"] += float((loss * loss).sum())
            s["tp"] += float((yy * up).sum())
            s["fp"] += float(((1 - yy) * up).sum())
            s["fn"] += float((yy * ~up).sum())
            s["tn"] += float(((1 - yy) * ~up).sum())
            s["brier"] += float(((p - yy) ** 2).sum())
            self.ece[2] += np.bincount(e, weights=yy, minlength=ECE_BINS)
        return self

    def merge(self, other: ScoreSummary) -> ScoreSummary:
        """Add another summary of the same model (another chunk)."""
        for key in _SUMS:
            self.sums[key] += other.sums[key]
        self.count += other.count
        self.p_sum += other.p_sum
        self.ece += other.ece
        if self.labelled:
            self.pos += other.pos
        return self

    @property
    def n(self) -> int:
        return int(self.sums["n"])

    # -- binned rows: one (score, weight) pair per non-empty bin and class ------------------------
    def _bins(self) -> tuple[NDArray, NDArray, NDArray, NDArray]:
        used = np.flatnonzero(self.count > 0)
        count = self.count[used]
        mean_p = self.p_sum[used] / count
        pos = self.pos[used] if self.labelled else mean_p * count
        return used, count, mean_p, pos

    def binned_auc(self, positives: NDArray | None = None) -> float:
        """ROC AUC from the histogram (pairs in one bin count one half), via metrics.roc_auc."""
        used, count, _, pos = self._bins()
        pos = pos if positives is None else positives
        neg = count - pos
        y = np.r_[np.ones(used.size), np.zeros(used.size)]
        return roc_auc(y, np.r_[used, used].astype(float), np.r_[pos, neg])

    def binned_average_precision(self) -> float:
        """Average precision from the histogram (metrics.average_precision on the bins as weighted rows)."""
        used, count, _, pos = self._bins()
        y = np.r_[np.ones(used.size), np.zeros(used.size)]
        return average_precision(y, np.r_[used, used].astype(float), np.r_[pos, count - pos])

    def metrics(self) -> dict[str, float]:
        """Labelled metrics: log-loss, accuracy, precision, recall, F1, AUC, Brier, ECE, positive rate."""
        if not self.labelled:
            raise ValueError("metrics need labels; this summary has none.")
        s, n = self.sums, self.sums["n"]
        tp, fp, fn = s["tp"], s["fp"], s["fn"]
        both = 0 < s["y"] < n
        return {
            "log_loss": s["loss"] / n, "accuracy": (tp + s["tn"]) / n,
            "precision": tp / (tp + fp) if tp + fp else 0.0, "recall": tp / (tp + fn) if tp + fn else 0.0,
            "f1": 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 0.0,
            "roc_auc": self.binned_auc() if both else float("nan"), "brier": s["brier"] / n,
            "average_precision": self.binned_average_precision() if s["y"] > 0 else float("nan"),
            "ece": self.ece_value(), "positive_rate": s["y"] / n, "mean_probability": s["p"] / n,
            "threshold": self.threshold, "n": n,
        }

    def reliability(self) -> dict[str, list[float]]:
        """Reliability curve: per non-empty probability bin its count, mean p and observed rate."""
        count, psum, ysum = self.ece
        keep = count > 0
        out = {"bin_lower": (np.arange(ECE_BINS) / ECE_BINS)[keep].tolist(), "count": count[keep].tolist(),
               "mean_predicted": (psum[keep] / count[keep]).tolist()}
        if self.labelled:
            out["observed"] = (ysum[keep] / count[keep]).tolist()
        return out

    def ece_value(self) -> float:
        count, psum, ysum = self.ece
        keep = count > 0
        return expected_calibration_error(count[keep], psum[keep] / count[keep], ysum[keep] / count[keep])

    def hosmer_lemeshow(self) -> dict[str, Any]:
        """Hosmer–Lemeshow (metrics.hosmer_lemeshow) on the histogram's bins as weighted rows."""
        _, count, mean_p, pos = self._bins()
        y = np.r_[np.ones(count.size), np.zeros(count.size)]
        hl = hosmer_lemeshow(y, np.r_[mean_p, mean_p], HL_GROUPS, np.r_[pos, count - pos])
        return {"statistic": hl.statistic, "dof": hl.dof, "pvalue": hl.pvalue,
                "groups": {"n": np.asarray(hl.n).tolist(), "observed": np.asarray(hl.observed).tolist(),
                           "expected": np.asarray(hl.expected).tolist()}}
