"""The regularization term (λ/m)·(a·‖w‖₁ + (1−a)/2·‖w‖²), split into its smooth and L1 parts.

Solvers see two numbers: ``l2`` = λ(1−a)/m, the curvature the smooth part adds, and
``l1`` = λa/m, the soft-threshold level. The intercept is never penalized.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

__all__ = ["ElasticNet", "soft_threshold"]


def soft_threshold(x: NDArray | float, level: float) -> NDArray | float:
    """The proximal map of level·|·|: shrink toward 0 by ``level``, exactly 0 inside it."""
    return np.sign(x) * np.maximum(np.abs(x) - level, 0.0)


@dataclass(frozen=True)
class ElasticNet:
    """λ/m·(a‖w‖₁ + (1−a)/2‖w‖²) with λ = ``lam``, a = ``l1_ratio``, m = ``n_samples``."""

    lam: float
    l1_ratio: float
    n_samples: int

    def __post_init__(self) -> None:
        if not np.isfinite(self.lam) or self.lam < 0:
            raise ValueError(f"lam must be a finite number ≥ 0 (0 = no penalty); got {self.lam!r}.")
        if not (0.0 <= self.l1_ratio <= 1.0):
            raise ValueError(
                f"l1_ratio must lie in [0, 1] (0 = L2, 1 = L1, between = elastic net); "
                f"got {self.l1_ratio!r}."
            )
        if self.n_samples <= 0:
            raise ValueError("the penalty needs the number of examples m > 0.")

    @property
    def l1(self) -> float:
        """Weight of ‖w‖₁ in J: λ·a/m."""
        return self.lam * self.l1_ratio / self.n_samples

    @property
    def l2(self) -> float:
        """Weight of ½‖w‖² in J: λ·(1−a)/m."""
        return self.lam * (1.0 - self.l1_ratio) / self.n_samples

    @property
    def is_smooth(self) -> bool:
        """True when no L1 part is active, so gradient-based smooth solvers apply."""
        return self.l1 == 0.0

    def value(self, w: NDArray) -> float:
        """The penalty's contribution to J at weights w (intercept excluded by the caller)."""
        return float(self.l1 * np.abs(w).sum() + 0.5 * self.l2 * np.dot(w, w))

    def smooth_value(self, w: NDArray) -> float:
        """The differentiable (L2) part of the penalty."""
        return float(0.5 * self.l2 * np.dot(w, w))

    def l1_value(self, w: NDArray) -> float:
        """The non-smooth (L1) part of the penalty."""
        return float(self.l1 * np.abs(w).sum())

    def kkt_violation(self, w: NDArray, smooth_grad_w: NDArray) -> NDArray:
        """Distance of 0 from the subdifferential of J in each weight, given ∇ of the smooth part.

        Zero everywhere exactly at the optimum; the stopping criterion of every solver under L1.
        """
        g = np.asarray(smooth_grad_w, dtype=np.float64)
        if self.l1 == 0.0:
            return np.abs(g)
        nonzero = w != 0
        return np.where(
            nonzero,
            np.abs(g + self.l1 * np.sign(w)),
            np.maximum(np.abs(g) - self.l1, 0.0),
        )
