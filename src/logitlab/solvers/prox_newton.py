"""Proximal Newton for L1 and elastic net: exact zeros, quadratic convergence near the optimum.

Each outer iteration builds the Newton quadratic model of the smooth part (data loss + L2)
and minimizes it plus the L1 term by coordinate descent (glmnet's inner loop), then takes an
Armijo step on the full J. With few parameters the model is the dense Hessian itself; with
many sparse features, coordinate descent walks the columns of a CSC X on a working set of
the nonzero and KKT-violating features.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from ..objective import Objective
from ._kernels import cd_csc, cd_gram
from .base import Callback, Recorder, SolverResult

__all__ = ["prox_newton", "GRAM_MAX_PARAMS"]

GRAM_MAX_PARAMS = 2000  # above this a (p+1)² Hessian costs more than walking the columns


def prox_newton(
    obj: Objective,
    theta0: NDArray,
    tol: float = 1e-8,
    max_iter: int = 200,
    callback: Callback | None = None,
    record_path: bool = False,
    max_epochs: int = 1000,
) -> SolverResult:
    """Minimize J (any λ, any l1_ratio) until the KKT residual ≤ tol."""
    theta = np.array(theta0, dtype=np.float64, copy=True)
    rec = Recorder(callback, record_path)
    l1, l2 = obj.penalty.l1, obj.penalty.l2
    p = obj.n_features
    use_gram = obj.n_params <= GRAM_MAX_PARAMS or not obj.design.is_sparse
    X_csc = None
    if not use_gram:
        X_csc = obj.design.X if sp.isspmatrix_csc(obj.design.X) else sp.csc_matrix(obj.design.X)
        scale = obj.design.scale if obj.design.scale is not None else np.ones(p)
    F = obj.value(theta)
    rec.record(0, theta, F)
    _, g = obj.smooth_value_grad(theta)
    kkt = obj.kkt_residual(theta, g)
    status, message, it = "max_iter", "", 0
    separable_check = obj.lam == 0 and obj.loss == "log"
    for it in range(1, max_iter + 1):
        if kkt <= tol:
            status, it = "converged", it - 1
            break
        if separable_check and obj.separates(theta):
            status, it = "separated", it - 1
            message = "the data are linearly separable: with lam=0 the weights grow without bound."
            break
        inner_tol = max(0.1 * kkt, 0.01 * tol) * 0.1
        if use_gram:
            H = obj.hessian(theta)
            target, _ = cd_gram(H, g, theta, l1, p, max_epochs, inner_tol)
        else:
            d = obj.curvature_weights(theta)
            diag = obj.design.column_sq_norms(d) + l2
            w, b = obj.split(theta)
            gw = g[:p]
            ws = np.flatnonzero((w != 0) | (np.abs(gw) > l1)).astype(np.int64)
            v, vb, _ = cd_csc(
                X_csc.indptr, X_csc.indices, np.asarray(X_csc.data, dtype=np.float64), scale,
                d, g, w, b, obj.fit_intercept, l1, l2, diag, float(d.sum()), ws, max_epochs,
                inner_tol,
            )
            target = obj.join(v, vb)
        direction = target - theta
        w, _ = obj.split(theta)
        v, _ = obj.split(target)
        decrease = float(np.dot(g, direction)) + l1 * (np.abs(v).sum() - np.abs(w).sum())
        t, F_new = 1.0, F
        for _ in range(60):
            cand = theta + t * direction
            F_new = obj.value(cand)
            if F_new <= F + 1e-4 * t * min(decrease, 0.0) + 1e-15 * abs(F):
                break
            t *= 0.5
        else:
            status = "converged" if kkt <= max(tol, 1e-3 * np.sqrt(tol)) else "max_iter"
            message = f"line search found no decrease at KKT residual {kkt:.3g} (precision floor)."
            it -= 1
            break
        theta = theta + t * direction
        F = F_new
        _, g = obj.smooth_value_grad(theta)
        kkt = obj.kkt_residual(theta, g)
        rec.record(it, theta, F)
        if rec.stopped:
            break
    else:
        if kkt <= tol:
            status = "converged"
    if status == "max_iter" and kkt <= tol:
        status = "converged"
    return rec.result(obj, theta, "cd", status, it, kkt, message)
