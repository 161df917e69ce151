"""Expected performance without labels (confidence-based performance estimation, as NannyML's
CBPE): if the model's probabilities are calibrated on the new data, each label is a Bernoulli
draw with probability p = σ(z), which fixes the distribution of every metric.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy.stats import norm

from .scores import ScoreSummary
from .thresholds import EXPECTED_DRAWS, EXPECTED_LEVEL

__all__ = ["expected_performance", "ASSUMPTIONS"]

ASSUMPTIONS = (
    "The model's probabilities are calibrated on the new data: among rows scored p, a share p is "
    "positive. This holds when only the inputs' distribution moved (covariate shift) within the region "
    "the model was trained on, and fails under concept drift (the link between inputs and label changed) "
    "or label shift; check calibration whenever labels arrive.",
    "Labels are independent of each other given the scores.",
    "The intervals cover the sampling noise of the labels only, at the stated level; they say nothing "
    "about whether the assumptions above hold.",
)


def _draws_auc(count: np.ndarray, mean_p: np.ndarray, draws: int, seed: int) -> np.ndarray:
    """AUC of ``draws`` label sets drawn bin by bin (binomial: conservative for unequal p in a bin)."""
    rng = np.random.default_rng(seed)
    n = count.astype(np.int64)
    out = []
    for start in range(0, draws, 50):
        b = min(50, draws - start)
        pos = rng.binomial(n, np.clip(mean_p, 0.0, 1.0), size=(b, n.size)).astype(np.float64)
        neg = n - pos
        below = np.cumsum(neg, axis=1) - neg
        num = np.sum(pos * (below + neg / 2), axis=1)
        den = pos.sum(axis=1) * neg.sum(axis=1)
        out.append(np.where(den > 0, num / np.where(den > 0, den, 1), np.nan))
    return np.concatenate(out)


def _interval(estimate: float, sd: float, z: float) -> dict[str, float]:
    return {"estimate": float(estimate), "sd": float(sd), "lower": float(estimate - z * sd),
            "upper": float(estimate + z * sd)}


def expected_performance(summary: ScoreSummary, level: float = EXPECTED_LEVEL, draws: int = EXPECTED_DRAWS,
                         seed: int = 0) -> dict[str, Any]:
    """Expected accuracy, precision, recall, log-loss, positive rate and ROC AUC with intervals."""
    if not 0 < level < 1:
        raise ValueError(f"level must lie in (0, 1); got {level!r}.")
    s, n = summary.sums, summary.sums["n"]
    if n == 0:
        raise ValueError("expected performance needs at least one scored row.")
    zc = float(norm.ppf(0.5 + level / 2))
    a, b = s["p_pred_pos"], s["p_pred_neg"]  # expected true positives and false negatives
    pred_neg = n - s["pred_pos"]
    out = {
        "accuracy": _interval((a + pred_neg - b) / n, np.sqrt(s["pq"]) / n, zc),
        "log_loss": _interval(s["entropy"] / n, np.sqrt(s["entropy_var"]) / n, zc),
        "positive_rate": _interval(s["p"] / n, np.sqrt(s["pq"]) / n, zc),
    }
    if s["pred_pos"] > 0:
        out["precision"] = _interval(a / s["pred_pos"], np.sqrt(s["pq_pred_pos"]) / s["pred_pos"], zc)
    if a + b > 0:  # recall = A/(A+B) with A, B sums over disjoint rows: delta method
        var = (b * b * s["pq_pred_pos"] + a * a * s["pq_pred_neg"]) / (a + b) ** 4
        out["recall"] = _interval(a / (a + b), np.sqrt(var), zc)
    used, count, mean_p, expected_pos = summary._bins()
    if used.size > 1:
        auc = summary.binned_auc(positives=expected_pos)
        sims = _draws_auc(count, mean_p, draws, seed)
        out["roc_auc"] = _interval(auc, float(np.nanstd(sims, ddof=1)), zc)
    return {"level": level, "n": int(n), "threshold": summary.threshold, "metrics": out,
            "method": "confidence-based performance estimation: labels drawn as Bernoulli(p) from the model's "
                      "own probabilities; sums are exact, the AUC's spread comes from "
                      f"{draws} seeded draws on the score histogram",
            "assumptions": list(ASSUMPTIONS)}
