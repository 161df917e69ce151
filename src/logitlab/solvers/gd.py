"""Batch (or mini-batch) gradient descent exactly as the lessons describe it.

    repeat:  w ← w − α·∂J/∂w,  b ← b − α·∂J/∂b   (simultaneously)

Under an L1 part the step is followed by the soft-threshold (proximal gradient, ISTA), so
gradient descent still minimizes the same J and gives exact zeros.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from ..objective import Objective
from ..penalty import soft_threshold
from .base import Callback, Recorder, SolverResult, blas_guard, start_point

__all__ = ["gradient_descent"]

_RISES_BEFORE_DIVERGED = 3


def _prox(obj: Objective, theta: NDArray, step: float) -> NDArray:
    if obj.penalty.l1 == 0.0:
        return theta
    w, b = obj.split(theta)
    return obj.join(soft_threshold(w, step * obj.penalty.l1), b)


@blas_guard
def gradient_descent(
    obj: Objective,
    theta0: NDArray | None,
    learning_rate: float = 0.1,
    tol: float = 1e-6,
    max_iter: int = 10_000,
    batch_size: int | None = None,
    random_state: int | None = None,
    callback: Callback | None = None,
    record_path: bool = False,
) -> SolverResult:
    """Minimize J by fixed-step gradient descent; stops when the KKT residual ≤ tol.

    Full batch: one iteration is one step, and J rising three steps in a row or becoming
    non-finite is reported as divergence (the step α is then too large for J's curvature).
    With ``batch_size`` each iteration is one epoch of shuffled mini-batches.
    """
    if not (np.isfinite(learning_rate) and learning_rate > 0):
        raise ValueError(f"learning_rate must be a positive number; got {learning_rate!r}.")
    theta = start_point(obj, theta0)
    rec = Recorder(callback, record_path)
    J = obj.value(theta)
    rec.record(0, theta, J)
    rises = 0
    rng = np.random.default_rng(random_state)
    batches = None
    if batch_size is not None:
        if batch_size < 1:
            raise ValueError(f"batch_size must be ≥ 1; got {batch_size!r}.")
        batches = _MiniBatches(obj, batch_size, rng)
    status, message, it = "max_iter", "", 0
    kkt = obj.kkt_residual(theta)
    for it in range(1, max_iter + 1):
        if kkt <= tol:
            status, it = "converged", it - 1
            break
        if batches is None:
            _, g = obj.smooth_value_grad(theta)
            theta = _prox(obj, theta - learning_rate * g, learning_rate)
        else:
            for sub in batches.epoch():
                _, g = sub.smooth_value_grad(theta)
                theta = _prox(obj, theta - learning_rate * g, learning_rate)
        J_new = obj.value(theta)
        rec.record(it, theta, J_new)
        if not np.isfinite(J_new) or not np.all(np.isfinite(theta)):
            status = "diverged"
            message = f"J became non-finite at iteration {it}: learning_rate={learning_rate:g} is too large."
            break
        rises = rises + 1 if J_new > J * (1 + 1e-12) + 1e-300 else 0
        J = J_new
        if batches is None and rises >= _RISES_BEFORE_DIVERGED:
            status = "diverged"
            message = (
                f"J rose {rises} iterations in a row (to {J:.6g} at iteration {it}): "
                f"learning_rate={learning_rate:g} is too large for this data; lower it "
                "or standardize the features."
            )
            break
        if batches is None and obj.lam == 0 and obj.loss == "log" and obj.separates(theta):
            status = "separated"
            message = "the data are linearly separable: with lam=0 the weights grow without bound."
            break
        kkt = obj.kkt_residual(theta)
        if rec.stopped:
            break
    else:
        kkt = obj.kkt_residual(theta)
        if kkt <= tol:
            status = "converged"
    if status == "max_iter" and kkt <= tol:
        status = "converged"
    return rec.result(obj, theta, "gd", status, it, kkt if status != "diverged" else np.inf, message)


class _MiniBatches:
    """Shuffled row blocks of the objective, each scaled so its gradient estimates J's."""

    def __init__(self, obj: Objective, batch_size: int, rng: np.random.Generator) -> None:
        self.obj, self.batch_size, self.rng = obj, batch_size, rng

    def epoch(self):
        obj = self.obj
        m = obj.n_samples
        order = self.rng.permutation(m)
        for start in range(0, m, self.batch_size):
            idx = np.sort(order[start : start + self.batch_size])
            yield Objective(
                obj.design.rows(idx),
                obj.y[idx],
                obj.sample_weight[idx],
                lam=obj.lam * len(idx) / m,  # keeps λ/m, the per-example penalty weight
                l1_ratio=obj.l1_ratio,
                fit_intercept=obj.fit_intercept,
                loss=obj.loss,
            )
