"""Pointwise losses in logit space: the sigmoid, the log-loss and its derivatives.

Everything here takes scores ``z = w·x + b`` (logits), never probabilities, so no
``log(sigmoid(z))`` is ever formed: that is what keeps the loss exact at |z| = 1000.
The mean log-loss from probabilities (the lessons' formula) is here too, for metrics.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.special import expit

__all__ = [
    "sigmoid",
    "softplus",
    "log_loss_pointwise",
    "log_loss_from_logits",
    "log_loss",
    "log_loss_derivative",
    "log_loss_curvature",
    "mse_sigmoid_pointwise",
    "hinge_pointwise",
]


def sigmoid(z: ArrayLike) -> NDArray:
    """σ(z) = 1 / (1 + e^(−z)), exact and warning-free for every finite float (±1e4 included)."""
    z = np.asarray(z)
    if not np.issubdtype(z.dtype, np.floating):
        z = z.astype(np.float64)
    return expit(z)


def softplus(x: ArrayLike) -> NDArray:
    """log(1 + eˣ) without overflow or cancellation: max(x, 0) + log1p(e^(−|x|))."""
    x = np.asarray(x)
    if not np.issubdtype(x.dtype, np.floating):
        x = x.astype(np.float64)
    return np.maximum(x, 0) + np.log1p(np.exp(-np.abs(x)))


def log_loss_pointwise(y: ArrayLike, z: ArrayLike) -> NDArray:
    """Per-example log-loss ℓ(y, z) = −y·log σ(z) − (1−y)·log(1 − σ(z)), from the logit z.

    Uses −log σ(z) = softplus(−z) and −log(1−σ(z)) = softplus(z), each exact, so a
    confidently right example (y=1, z=40) gives 4.2e−18, not 0, and z=±1000 stays finite.
    """
    y = np.asarray(y, dtype=np.float64)
    z = np.asarray(z, dtype=np.float64)
    return y * softplus(-z) + (1.0 - y) * softplus(z)


def log_loss_from_logits(
    y_true: ArrayLike, z: ArrayLike, sample_weight: ArrayLike | None = None
) -> float:
    """Mean log-loss computed from scores z (logits); the numerically safe form of J's data term."""
    y_true = np.asarray(y_true, dtype=np.float64).ravel()
    z = np.asarray(z, dtype=np.float64).ravel()
    if y_true.shape != z.shape:
        raise ValueError(
            f"y_true has {y_true.size} values but z has {z.size}; pass one score per example."
        )
    if y_true.size == 0:
        raise ValueError("log_loss_from_logits needs at least one example; got none.")
    losses = log_loss_pointwise(y_true, z)
    if sample_weight is None:
        return float(np.mean(losses))
    sw = np.asarray(sample_weight, dtype=np.float64).ravel()
    return float(np.dot(sw, losses) / sw.sum())


def log_loss(
    y_true: ArrayLike,
    y_prob: ArrayLike,
    sample_weight: ArrayLike | None = None,
    eps: float | None = None,
) -> float:
    """Mean log-loss from probabilities, J = −(1/m) Σ [y log ŷ + (1−y) log(1−ŷ)], as the lessons write it.

    ŷ is clipped to [eps, 1 − eps] with eps the machine epsilon of ŷ's dtype (2.2e−16 for
    float64), the same rule as scikit-learn, so ŷ = 0 for a positive costs 36.04, not inf.
    Prefer :func:`log_loss_from_logits` when scores are at hand: it needs no clipping.
    """
    y_true = np.asarray(y_true, dtype=np.float64).ravel()
    y_prob = np.asarray(y_prob)
    if not np.issubdtype(y_prob.dtype, np.floating):
        y_prob = y_prob.astype(np.float64)
    if eps is None:
        eps = float(np.finfo(y_prob.dtype).eps)
    y_prob = y_prob.astype(np.float64).ravel()
    if y_true.shape != y_prob.shape:
        raise ValueError(
            f"y_true has {y_true.size} values but y_prob has {y_prob.size}; pass one per example."
        )
    if y_true.size == 0:
        raise ValueError("log_loss needs at least one example; got none.")
    if np.any((y_prob < 0) | (y_prob > 1)) or not np.all(np.isfinite(y_prob)):
        raise ValueError("y_prob must hold probabilities in [0, 1]; found values outside.")
    p = np.clip(y_prob, eps, 1 - eps)
    losses = -(y_true * np.log(p) + (1 - y_true) * np.log1p(-p))
    if sample_weight is None:
        return float(np.mean(losses))
    sw = np.asarray(sample_weight, dtype=np.float64).ravel()
    return float(np.dot(sw, losses) / sw.sum())


def log_loss_derivative(y: ArrayLike, z: ArrayLike) -> NDArray:
    """∂ℓ/∂z = σ(z) − y = ŷ − y: the lessons' error term, from which ∇J = (1/m)·Xᵀ(ŷ − y)."""
    return expit(np.asarray(z, dtype=np.float64)) - np.asarray(y, dtype=np.float64)


def log_loss_curvature(z: ArrayLike) -> NDArray:
    """∂²ℓ/∂z² = σ(z)·(1 − σ(z)), written σ(z)·σ(−z) to stay accurate in both tails."""
    z = np.asarray(z, dtype=np.float64)
    return expit(z) * expit(-z)


def mse_sigmoid_pointwise(y: ArrayLike, z: ArrayLike) -> NDArray:
    """Per-example ½(σ(z) − y)²: squared error on the sigmoid, the non-convex alternative."""
    r = expit(np.asarray(z, dtype=np.float64)) - np.asarray(y, dtype=np.float64)
    return 0.5 * r * r


def mse_sigmoid_derivative(y: ArrayLike, z: ArrayLike) -> NDArray:
    """∂/∂z of ½(σ(z) − y)² = (σ(z) − y)·σ(z)·(1 − σ(z)); it vanishes on the plateaus."""
    z = np.asarray(z, dtype=np.float64)
    p = expit(z)
    return (p - np.asarray(y, dtype=np.float64)) * p * expit(-z)


def hinge_pointwise(y: ArrayLike, z: ArrayLike) -> NDArray:
    """Per-example hinge loss max(0, 1 − t·z) with t = 2y − 1 ∈ {−1, +1} (the SVM loss)."""
    t = 2.0 * np.asarray(y, dtype=np.float64) - 1.0
    return np.maximum(0.0, 1.0 - t * np.asarray(z, dtype=np.float64))


def hinge_derivative(y: ArrayLike, z: ArrayLike) -> NDArray:
    """A subgradient of the hinge loss in z: −t where the margin t·z < 1, else 0."""
    t = 2.0 * np.asarray(y, dtype=np.float64) - 1.0
    return np.where(t * np.asarray(z, dtype=np.float64) < 1.0, -t, 0.0)
