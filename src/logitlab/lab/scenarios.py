"""The lab's data sets and failure-mode presets: what a learner can load with one click.

Generated sets are drawn from fixed seeds so every learner (and every test) sees the same
points. Presets are plain settings (data set, θ, λ, α, …) for a trigger and a remedy; the
numbers they produce come from the core, through the API, like everything else.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..datasets import load_dataset

__all__ = ["DATASETS", "PRESETS", "load", "dataset_names"]

#: name → (title, one-line description)
DATASETS: dict[str, tuple[str, str]] = {
    "hours": ("Hours studied → passed (1 feature)",
              "The lessons' example: 20 students, hours studied and whether they passed."),
    "overlapping": ("Two overlapping clouds (2 features)",
                    "Two Gaussian classes that overlap: the minimum of J is finite and unique."),
    "separable": ("Perfectly separable (2 features)",
                  "A line splits the classes exactly: with λ = 0, J has no minimum."),
    "imbalanced": ("Imbalanced 95/5 (2 features)",
                   "190 negatives and 10 positives: accuracy looks great while recall can be 0."),
    "badly_scaled": ("Badly scaled (2 features)",
                     "x₂ is 100× wider than x₁: the cost surface is a long narrow valley."),
    "breast_cancer": ("Breast cancer: mean radius & mean texture",
                      "Two features of the Wisconsin diagnostic set; positive = malignant."),
}


def dataset_names() -> list[str]:
    """Names of the built-in data sets, in menu order."""
    return list(DATASETS)


def _blobs(n0: int, n1: int, mu0, mu1, sd0, sd1, seed: int) -> tuple[NDArray, NDArray]:
    rng = np.random.default_rng(seed)
    X0 = rng.normal(mu0, sd0, size=(n0, 2))
    X1 = rng.normal(mu1, sd1, size=(n1, 2))
    X = np.vstack([X0, X1])
    y = np.r_[np.zeros(n0), np.ones(n1)]
    return np.round(X, 3), y


def _generate(name: str) -> tuple[NDArray, NDArray, list[str]]:
    if name == "overlapping":
        X, y = _blobs(40, 40, (-0.8, -0.5), (0.8, 0.6), 1.0, 1.0, seed=11)
        return X, y, ["x₁", "x₂"]
    if name == "separable":
        X, y = _blobs(30, 30, (-1.6, -1.2), (1.6, 1.2), 0.7, 0.7, seed=7)
        return X, y, ["x₁", "x₂"]
    if name == "imbalanced":
        X, y = _blobs(190, 10, (0.0, 0.0), (0.8, 0.6), 1.0, 1.0, seed=5)
        return X, y, ["x₁", "x₂"]
    if name == "badly_scaled":
        X, y = _blobs(40, 40, (-0.6, -0.6), (0.6, 0.6), 1.0, 1.0, seed=3)
        X[:, 1] = np.round(100.0 * X[:, 1], 1)
        return X, y, ["x₁ (spread ≈ 1)", "x₂ (spread ≈ 100)"]
    raise KeyError(name)


def load(name: str) -> dict[str, Any]:
    """A built-in data set as plain lists: X (m × p), y (0/1), feature and target names."""
    if name not in DATASETS:
        raise KeyError(name)
    title, description = DATASETS[name]
    if name == "hours":
        df, target = load_dataset("hours")
        X = df[["hours"]].to_numpy(dtype=float)
        y = df[target].to_numpy(dtype=float)
        features, target_name, positive = ["hours studied"], "passed", "1"
    elif name == "breast_cancer":
        df, target = load_dataset("breast_cancer")
        X = df[["mean radius", "mean texture"]].to_numpy(dtype=float)
        y = (df[target] == "malignant").to_numpy(dtype=float)
        features, target_name, positive = ["mean radius", "mean texture"], target, "malignant"
    else:
        X, y, features = _generate(name)
        target_name, positive = "y", "1"
    return {
        "name": name,
        "title": title,
        "description": description,
        "X": X.tolist(),
        "y": y.tolist(),
        "features": features,
        "target": target_name,
        "positive": positive,
    }


#: Failure-mode presets. ``trigger`` and ``remedy`` are settings applied by the page (keys:
#: dataset, theta, lam, l1_ratio, alpha, iterations, loss, standardize, class_weight,
#: threshold, loss_form, action); ``effect`` names what the page measures to show it.
PRESETS: dict[str, dict[str, Any]] = {}

_DEFAULTS: dict[str, dict[str, Any]] = {
    "hours": {"learning_rate": 0.5, "iterations": 500, "standardize": False},
    "overlapping": {"learning_rate": 1.0, "iterations": 200, "standardize": False},
    "separable": {"learning_rate": 1.0, "iterations": 1000, "standardize": False},
    "imbalanced": {"learning_rate": 1.0, "iterations": 300, "standardize": False},
    "badly_scaled": {"learning_rate": 0.0019, "iterations": 300, "standardize": False},
    "breast_cancer": {"learning_rate": 1.0, "iterations": 300, "standardize": True},
    "upload": {"learning_rate": 1.0, "iterations": 300, "standardize": True},
}


def _nice(x: float) -> float:
    """Round up to 1, 1.5, 2, 3 or 5 × a power of ten, for slider ends."""
    if x <= 0:
        return 1.0
    e = 10.0 ** np.floor(np.log10(x))
    for k in (1.0, 1.5, 2.0, 3.0, 5.0, 10.0):
        if x <= k * e * (1 + 1e-12):
            return float(k * e)
    return float(10 * e)


def suggested_settings(name: str, X: NDArray) -> dict[str, Any]:
    """Start point, learning rate, iterations and slider ranges that suit the data's scale.

    Weight ranges are ±8/σⱼ in raw units (±8 once standardized) and the intercept's range
    covers −w·x̄ for such weights, so the minimum is always reachable with the sliders.
    """
    X = np.asarray(X, dtype=np.float64)
    sd = X.std(axis=0)
    sd = np.where(sd > 0, sd, 1.0)
    mean_ratio = float(np.max(np.abs(X.mean(axis=0)) / sd))
    base = dict(_DEFAULTS.get(name, _DEFAULTS["upload"]))
    base.update({
        "theta0": [0.0] * (X.shape[1] + 1),
        "lam": 0.0,
        "l1_ratio": 0.0,
        "w_range_raw": [_nice(8.0 / s) for s in sd],
        "b_range_raw": _nice(10.0 + 8.0 * X.shape[1] * mean_ratio),
        "w_range_std": [8.0] * X.shape[1],
        "b_range_std": 10.0,
    })
    return base


def _preset(title: str, sentence: str, trigger: dict, remedy: dict, effect: str,
            **extra: Any) -> dict[str, Any]:
    return {"title": title, "sentence": sentence, "trigger": trigger, "remedy": remedy,
            "effect": effect, **extra}


PRESETS.update({
    "log0": _preset(
        "log(0) in the naive formula",
        "With w = 20 the hardest-working students get z > 37, where σ(z) rounds to exactly 1.0 in "
        "float64; the lessons' formula then multiplies 0 by log(1 − ŷ) = log(0) = −∞ and J "
        "becomes nan, while the same loss written in the logit z, softplus(∓z), stays exact.",
        {"label": "Make the model overconfident", "dataset": "hours", "theta": [20.0, -55.0],
         "loss": "log", "loss_form": "naive", "standardize": False, "action": "state"},
        {"label": "Compute the loss from the logit z", "loss_form": "logits", "action": "state"},
        effect="J_finite",
    ),
    "separation": _preset(
        "Perfect separation, λ = 0",
        "Every point is on its side of a line, so scaling w up always lowers J: gradient descent "
        "never stops, ‖w‖ grows without bound and the sigmoid becomes a cliff; any λ > 0 adds a "
        "cost for large w and gives a finite minimum.",
        {"label": "Run GD with λ = 0", "dataset": "separable", "theta": [0.0, 0.0, 0.0],
         "lam": 0.0, "learning_rate": 1.0, "iterations": 1000, "loss": "log",
         "standardize": False, "loss_form": "logits", "action": "gd"},
        {"label": "Add λ = 1 and rerun", "lam": 1.0, "theta": [0.0, 0.0, 0.0], "action": "gd"},
        effect="not_separated",
    ),
    "scaling": _preset(
        "Unscaled features",
        "x₂ spreads 100× wider than x₁, so J is a narrow valley: any step small enough not to "
        "blow up across the valley (w₂) crawls along it (w₁), and 300 steps end far from the "
        "minimum; standardizing makes the bowl round and GD converges.",
        {"label": "Run GD on raw features", "dataset": "badly_scaled", "theta": [0.0, 0.0, 0.0],
         "lam": 0.0, "learning_rate": 0.0019, "iterations": 300, "loss": "log",
         "standardize": False, "loss_form": "logits", "action": "gd"},
        {"label": "Standardize, α = 2, rerun", "standardize": True, "learning_rate": 2.0,
         "theta": [0.0, 0.0, 0.0], "action": "gd"},
        effect="converged",
    ),
    "learning_rate": _preset(
        "Learning rate too large",
        "With α = 2.5 each step overshoots the bottom of the valley by more than it gains, so J "
        "rises step after step and the core reports divergence; α = 0.5 walks down smoothly.",
        {"label": "Run GD with α = 2.5", "dataset": "hours", "theta": [0.0, 0.0], "lam": 0.0,
         "learning_rate": 2.5, "iterations": 200, "loss": "log", "standardize": False,
         "loss_form": "logits", "action": "gd"},
        {"label": "Lower α to 0.5", "learning_rate": 0.5, "iterations": 500,
         "theta": [0.0, 0.0], "action": "gd"},
        effect="not_diverged",
    ),
    "mse_plateau": _preset(
        "MSE on a plateau",
        "Starting where every prediction is confidently wrong, ½(ŷ − y)² has gradient "
        "(ŷ − y)·ŷ(1 − ŷ) ≈ 0, so 500 steps of GD barely move; the log-loss gradient there is "
        "ŷ − y ≈ ±1 and the same start reaches the minimum.",
        {"label": "Run GD on MSE from w = −5, b = 15", "dataset": "hours",
         "theta": [-5.0, 15.0], "lam": 0.0, "learning_rate": 1.0, "iterations": 500,
         "loss": "mse", "standardize": False, "loss_form": "logits", "action": "gd"},
        {"label": "Use the log-loss, same start", "loss": "log", "learning_rate": 0.5,
         "theta": [-5.0, 15.0], "action": "gd"},
        effect="fits_data",
    ),
    "imbalance": _preset(
        "95/5 imbalance",
        "The fitted model never gives a positive ŷ > 0.5, so at the default threshold it predicts "
        "'negative' for everyone: accuracy 95 %, recall 0; weighting the classes equally (or "
        "lowering the threshold to the cost-optimal one) finds most positives.",
        {"label": "Fit, threshold 0.5", "dataset": "imbalanced", "theta": [0.0, 0.0, 0.0],
         "lam": 0.0, "loss": "log", "standardize": False, "class_weight": "none",
         "threshold": 0.5, "cost_fp": 1.0, "cost_fn": 1.0, "loss_form": "logits", "action": "fit"},
        {"label": "Balanced class weights, refit", "class_weight": "balanced", "action": "fit"},
        effect="recall_positive",
        remedy2={"label": "Or: threshold from costs (FN = 19 × FP)", "cost_fp": 1.0,
                 "cost_fn": 19.0, "threshold": "chosen", "action": "fit"},
    ),
})
