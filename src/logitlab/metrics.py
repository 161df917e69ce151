"""Binary classification metrics: probability quality (log-loss, Brier), ranking (ROC AUC,
average precision) and the threshold metrics that decide operational success.

Labels are 0/1 (or booleans); scores are probabilities or any monotone score. A prediction
is positive where the probability is above the threshold, as in ``LogisticRegression.predict``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.stats import chi2

from .loss import log_loss

__all__ = [
    "accuracy",
    "precision",
    "recall",
    "f1",
    "confusion_matrix",
    "log_loss",
    "roc_curve",
    "roc_auc",
    "precision_recall_curve",
    "average_precision",
    "brier_score",
    "calibration_curve",
    "threshold_table",
    "choose_threshold",
    "ThresholdChoice",
    "classification_summary",
    "hosmer_lemeshow",
    "HosmerLemeshow",
    "weighted_quantile",
]


def _binary(y: ArrayLike, name: str = "y_true") -> NDArray:
    y = np.asarray(y).ravel()
    if y.dtype == bool:
        return y.astype(np.float64)
    if y.size and not np.all(np.isin(y, (0, 1))):
        raise ValueError(f"{name} must hold 0/1 labels; found {np.unique(y)[:5]}.")
    return y.astype(np.float64)


def _weights(sample_weight: ArrayLike | None, n: int) -> NDArray:
    if sample_weight is None:
        return np.ones(n)
    sw = np.asarray(sample_weight, dtype=np.float64).ravel()
    if sw.shape[0] != n:
        raise ValueError(f"sample_weight has {sw.shape[0]} values for {n} examples.")
    return sw


def _pair(y_true, y_other, other="y_pred"):
    y = _binary(y_true)
    o = np.asarray(y_other, dtype=np.float64).ravel()
    if y.shape != o.shape:
        raise ValueError(f"y_true has {y.size} values but {other} has {o.size}.")
    if y.size == 0:
        raise ValueError("metrics need at least one example; got none.")
    if not np.all(np.isfinite(o)):
        raise ValueError(f"{other} contains NaN or infinity.")
    return y, o


def confusion_matrix(y_true: ArrayLike, y_pred: ArrayLike, sample_weight: ArrayLike | None = None) -> NDArray:
    """[[TN, FP], [FN, TP]] (rows: true class 0, 1; columns: predicted 0, 1), as scikit-learn."""
    y, p = _pair(y_true, y_pred)
    p = _binary(p, "y_pred")
    sw = _weights(sample_weight, y.size)
    tp = float(np.sum(sw * y * p))
    fp = float(np.sum(sw * (1 - y) * p))
    fn = float(np.sum(sw * y * (1 - p)))
    tn = float(np.sum(sw * (1 - y) * (1 - p)))
    cm = np.array([[tn, fp], [fn, tp]])
    return cm.astype(np.int64) if sample_weight is None else cm


def _ratio(num: float, den: float) -> float:
    return float(num / den) if den > 0 else 0.0


def accuracy(y_true: ArrayLike, y_pred: ArrayLike, sample_weight: ArrayLike | None = None) -> float:
    """Fraction of examples classified correctly."""
    (tn, fp), (fn, tp) = confusion_matrix(y_true, y_pred, sample_weight)
    return _ratio(tn + tp, tn + fp + fn + tp)


def precision(y_true: ArrayLike, y_pred: ArrayLike, sample_weight: ArrayLike | None = None) -> float:
    """TP / (TP + FP): of the predicted positives, the fraction truly positive (0 if none predicted)."""
    (_, fp), (_, tp) = confusion_matrix(y_true, y_pred, sample_weight)
    return _ratio(tp, tp + fp)


def recall(y_true: ArrayLike, y_pred: ArrayLike, sample_weight: ArrayLike | None = None) -> float:
    """TP / (TP + FN): of the true positives, the fraction found (0 if there are none)."""
    (_, _), (fn, tp) = confusion_matrix(y_true, y_pred, sample_weight)
    return _ratio(tp, tp + fn)


def f1(y_true: ArrayLike, y_pred: ArrayLike, sample_weight: ArrayLike | None = None) -> float:
    """Harmonic mean of precision and recall: 2TP / (2TP + FP + FN)."""
    (_, fp), (fn, tp) = confusion_matrix(y_true, y_pred, sample_weight)
    return _ratio(2 * tp, 2 * tp + fp + fn)


def brier_score(y_true: ArrayLike, y_prob: ArrayLike, sample_weight: ArrayLike | None = None) -> float:
    """Mean squared error of the probabilities, (1/m)·Σ(ŷ − y)²."""
    y, p = _pair(y_true, y_prob, "y_prob")
    sw = _weights(sample_weight, y.size)
    return float(np.dot(sw, (p - y) ** 2) / sw.sum())


def _cumulative_counts(y, score, sw):
    """Weighted TP and FP counts when predicting positive for score ≥ each distinct score."""
    order = np.argsort(-score, kind="mergesort")
    s, yy, ww = score[order], y[order], sw[order]
    last_of_tie = np.r_[np.flatnonzero(np.diff(s)), s.size - 1]
    tps = np.cumsum(ww * yy)[last_of_tie]
    fps = np.cumsum(ww * (1 - yy))[last_of_tie]
    return fps, tps, s[last_of_tie]


def roc_curve(
    y_true: ArrayLike, y_score: ArrayLike, sample_weight: ArrayLike | None = None
) -> tuple[NDArray, NDArray, NDArray]:
    """(false-positive rate, true-positive rate, thresholds), starting at (0, 0) with threshold ∞."""
    y, s = _pair(y_true, y_score, "y_score")
    sw = _weights(sample_weight, y.size)
    fps, tps, thr = _cumulative_counts(y, s, sw)
    if tps[-1] <= 0 or fps[-1] <= 0:
        raise ValueError("ROC needs both classes in y_true; only one is present.")
    fpr = np.r_[0.0, fps / fps[-1]]
    tpr = np.r_[0.0, tps / tps[-1]]
    return fpr, tpr, np.r_[np.inf, thr]


def roc_auc(y_true: ArrayLike, y_score: ArrayLike, sample_weight: ArrayLike | None = None) -> float:
    """Area under the ROC curve: the probability a random positive outranks a random negative."""
    fpr, tpr, _ = roc_curve(y_true, y_score, sample_weight)
    return float(np.trapezoid(tpr, fpr))


def precision_recall_curve(
    y_true: ArrayLike, y_score: ArrayLike, sample_weight: ArrayLike | None = None
) -> tuple[NDArray, NDArray, NDArray]:
    """(precision, recall, thresholds) for ``score ≥ threshold``, thresholds increasing;
    the last point is (1, 0) without a threshold, as in scikit-learn (drop_intermediate=False)."""
    y, s = _pair(y_true, y_score, "y_score")
    sw = _weights(sample_weight, y.size)
    fps, tps, thr = _cumulative_counts(y, s, sw)
    if tps[-1] <= 0:
        raise ValueError("precision-recall needs at least one positive in y_true.")
    prec = np.divide(tps, tps + fps, out=np.ones_like(tps), where=(tps + fps) > 0)
    rec = tps / tps[-1]
    return np.r_[prec[::-1], 1.0], np.r_[rec[::-1], 0.0], thr[::-1]


def average_precision(y_true: ArrayLike, y_score: ArrayLike, sample_weight: ArrayLike | None = None) -> float:
    """AP = Σₙ (Rₙ − Rₙ₋₁)·Pₙ: precision averaged over the recall gained at each threshold."""
    prec, rec, _ = precision_recall_curve(y_true, y_score, sample_weight)
    return float(-np.sum(np.diff(rec) * prec[:-1]))


def calibration_curve(
    y_true: ArrayLike, y_prob: ArrayLike, n_bins: int = 10, strategy: str = "uniform"
) -> tuple[NDArray, NDArray, NDArray]:
    """(observed positive rate, mean predicted probability, count) per non-empty bin."""
    y, p = _pair(y_true, y_prob, "y_prob")
    if np.any((p < 0) | (p > 1)):
        raise ValueError("y_prob must hold probabilities in [0, 1].")
    if strategy == "uniform":
        edges = np.linspace(0.0, 1.0, n_bins + 1)
    elif strategy == "quantile":
        edges = np.percentile(p, np.linspace(0, 100, n_bins + 1))
    else:
        raise ValueError(f"strategy must be 'uniform' or 'quantile'; got {strategy!r}.")
    ids = np.searchsorted(edges[1:-1], p)  # an edge value falls in the lower bin, as in scikit-learn
    count = np.bincount(ids, minlength=len(edges))
    true_sum = np.bincount(ids, weights=y, minlength=len(edges))
    pred_sum = np.bincount(ids, weights=p, minlength=len(edges))
    keep = count > 0
    return true_sum[keep] / count[keep], pred_sum[keep] / count[keep], count[keep]


def threshold_table(
    y_true: ArrayLike, y_prob: ArrayLike, thresholds: ArrayLike | None = None,
    sample_weight: ArrayLike | None = None,
) -> dict[str, NDArray]:
    """Counts and precision/recall/F1/accuracy when predicting positive for ŷ > t, per threshold t."""
    y, p = _pair(y_true, y_prob, "y_prob")
    sw = _weights(sample_weight, y.size)
    t = np.linspace(0.0, 1.0, 101) if thresholds is None else np.asarray(thresholds, float).ravel()
    order = np.argsort(p, kind="mergesort")
    ps, ys, ws = p[order], y[order], sw[order]
    # examples with ŷ ≤ t are predicted negative: index of the first ŷ > t
    cut = np.searchsorted(ps, t, side="right")
    neg_pos = np.r_[0.0, np.cumsum(ws * ys)]  # weighted positives among the first k
    neg_all = np.r_[0.0, np.cumsum(ws)]
    fn = neg_pos[cut]
    tn = neg_all[cut] - fn
    tp = neg_pos[-1] - fn
    fp = (neg_all[-1] - neg_pos[-1]) - tn
    with np.errstate(invalid="ignore", divide="ignore"):
        prec = np.where(tp + fp > 0, tp / (tp + fp), 0.0)
        rec = np.where(tp + fn > 0, tp / (tp + fn), 0.0)
        f = np.where(2 * tp + fp + fn > 0, 2 * tp / (2 * tp + fp + fn), 0.0)
    return {
        "threshold": t, "tp": tp, "fp": fp, "fn": fn, "tn": tn,
        "precision": prec, "recall": rec, "f1": f, "accuracy": (tp + tn) / neg_all[-1],
    }


@dataclass
class ThresholdChoice:
    """The threshold that minimizes the expected cost, its cost per example, and the
    Bayes threshold cost_fp / (cost_fp + cost_fn) that is optimal for calibrated ŷ."""

    threshold: float
    cost_per_example: float
    false_positives: float
    false_negatives: float
    bayes_threshold: float

    def as_dict(self) -> dict[str, float]:
        return asdict(self)


def choose_threshold(
    y_true: ArrayLike, y_prob: ArrayLike, cost_fp: float = 1.0, cost_fn: float = 1.0,
    sample_weight: ArrayLike | None = None,
) -> ThresholdChoice:
    """The threshold t minimizing cost_fp·FP + cost_fn·FN on (y, ŷ), predicting ŷ > t.

    Candidates are midpoints between consecutive distinct ŷ (and the ends), so the choice
    does not sit on a training example; ties go to the threshold nearest the Bayes one.
    """
    if not (cost_fp >= 0 and cost_fn >= 0) or cost_fp + cost_fn <= 0:
        raise ValueError("costs must be ≥ 0 and not both 0.")
    y, p = _pair(y_true, y_prob, "y_prob")
    u = np.unique(p)
    candidates = np.r_[0.0, (u[:-1] + u[1:]) / 2, min(1.0, u[-1] + (1 - u[-1]) / 2)]
    candidates = np.clip(candidates, 1e-12, 1 - 1e-12)
    table = threshold_table(y, p, candidates, sample_weight)
    cost = cost_fp * table["fp"] + cost_fn * table["fn"]
    bayes = cost_fp / (cost_fp + cost_fn)
    best = np.flatnonzero(cost <= cost.min() * (1 + 1e-12) + 1e-300)
    k = best[np.argmin(np.abs(candidates[best] - bayes))]
    total = _weights(sample_weight, y.size).sum()
    return ThresholdChoice(
        float(candidates[k]), float(cost[k] / total), float(table["fp"][k]),
        float(table["fn"][k]), float(bayes),
    )


def classification_summary(
    y_true: ArrayLike, y_prob: ArrayLike, threshold: float = 0.5,
    sample_weight: ArrayLike | None = None,
) -> dict[str, float]:
    """The standard table: log-loss, Brier, accuracy, precision, recall, F1, ROC AUC, AP."""
    y, p = _pair(y_true, y_prob, "y_prob")
    pred = (p > threshold).astype(np.float64)
    both = 0 < y.sum() < y.size
    return {
        "log_loss": log_loss(y, p, sample_weight),
        "brier": brier_score(y, p, sample_weight),
        "accuracy": accuracy(y, pred, sample_weight),
        "precision": precision(y, pred, sample_weight),
        "recall": recall(y, pred, sample_weight),
        "f1": f1(y, pred, sample_weight),
        "roc_auc": roc_auc(y, p, sample_weight) if both else float("nan"),
        "average_precision": average_precision(y, p, sample_weight) if y.sum() > 0 else float("nan"),
        "threshold": float(threshold),
        "n": float(y.size),
    }


def weighted_quantile(x: ArrayLike, q: ArrayLike, sample_weight: ArrayLike | None = None) -> NDArray:
    """R's default (type 7) quantiles of x with frequency weights: with integer weights, exactly
    the quantiles of the sample in which each row is repeated weight times."""
    x = np.asarray(x, dtype=np.float64).ravel()
    sw = _weights(sample_weight, x.size)
    keep = sw > 0
    order = np.argsort(x[keep], kind="mergesort")
    xs, cum = x[keep][order], np.cumsum(sw[keep][order])
    h = (cum[-1] - 1.0) * np.asarray(q, dtype=np.float64)  # position in the expanded sample
    lo = np.floor(h)
    below, above = _expanded_value(xs, cum, lo), _expanded_value(xs, cum, lo + 1)
    return below + (h - lo) * (above - below)


def _expanded_value(xs: NDArray, cum: NDArray, i: NDArray) -> NDArray:
    """The value at 0-based position i of the row-repeated sorted sample: the first sorted
    value whose cumulative weight exceeds i."""
    return xs[np.minimum(np.searchsorted(cum, i, side="right"), xs.size - 1)]


@dataclass(frozen=True)
class HosmerLemeshow:
    """Hosmer–Lemeshow goodness of fit: χ² = Σ_groups Σ_classes (O − E)²/E on ``dof`` degrees of
    freedom; per group the bounds of ŷ, the (weighted) count and observed/expected positives."""

    statistic: float
    dof: int
    pvalue: float
    lower: NDArray
    upper: NDArray
    n: NDArray
    observed: NDArray
    expected: NDArray

    def table(self) -> dict[str, NDArray]:
        """The per-group table, negatives included (observed_0 = n − observed)."""
        return {
            "lower": self.lower, "upper": self.upper, "n": self.n,
            "observed_1": self.observed, "expected_1": self.expected,
            "observed_0": self.n - self.observed, "expected_0": self.n - self.expected,
        }


def hosmer_lemeshow(
    y_true: ArrayLike, y_prob: ArrayLike, n_groups: int = 10, sample_weight: ArrayLike | None = None
) -> HosmerLemeshow:
    """Hosmer–Lemeshow test, grouped as R's ``ResourceSelection::hoslem.test``: breaks at the
    quantiles of ŷ (type 7, duplicates merged), ``cut(..., include.lowest = TRUE)``.

    Weights are frequency weights (weighted quantiles and counts). ``dof`` = number of groups
    formed − 2; R keeps g − 2 when tied breaks merge groups (the two agree otherwise).
    """
    y, p = _pair(y_true, y_prob, "y_prob")
    if np.any((p < 0) | (p > 1)):
        raise ValueError("y_prob must hold probabilities in [0, 1].")
    if int(n_groups) != n_groups or n_groups < 3:
        raise ValueError(f"n_groups must be an integer ≥ 3; got {n_groups!r}.")
    sw = _weights(sample_weight, y.size)
    breaks = np.unique(weighted_quantile(p, np.linspace(0.0, 1.0, int(n_groups) + 1), sw))
    if breaks.size < 2:
        raise ValueError("Hosmer–Lemeshow needs at least two distinct predicted probabilities.")
    # intervals (b_{k-1}, b_k], the first closed on the left (include.lowest)
    ids = np.clip(np.searchsorted(breaks, p, side="left") - 1, 0, breaks.size - 2)
    size = breaks.size - 1
    n = np.bincount(ids, weights=sw, minlength=size)
    observed = np.bincount(ids, weights=sw * y, minlength=size)
    expected = np.bincount(ids, weights=sw * p, minlength=size)
    used = n > 0  # an empty interval (possible with ties) is not a group
    n, observed, expected = n[used], observed[used], expected[used]
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = (observed - expected) ** 2 / expected + (observed - expected) ** 2 / (n - expected)
    statistic = float(np.sum(terms))
    dof = int(used.sum()) - 2
    pvalue = float(chi2.sf(statistic, dof)) if dof > 0 else float("nan")
    return HosmerLemeshow(statistic, dof, pvalue, breaks[:-1][used], breaks[1:][used], n, observed, expected)
