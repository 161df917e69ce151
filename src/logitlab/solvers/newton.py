"""Newton's method for the smooth case (λ·a = 0): Cholesky on the Hessian, Armijo line search.

Each iteration forms the gradient and the (p+1)² Hessian in two passes over X and solves
H·d = −g. Logistic J is self-concordant-like, so from the base-rate start it takes 5–10
iterations to machine precision.
"""

from __future__ import annotations

import numpy as np
import scipy.linalg as la
from numpy.typing import NDArray

from ..objective import Objective
from .base import Callback, Recorder, SolverResult

__all__ = ["newton_cholesky", "armijo"]


def armijo(f, theta: NDArray, f0: float, direction: NDArray, slope: float, max_halvings: int = 60):
    """Backtrack t = 1, ½, ¼ … until f(θ + t·d) ≤ f(θ) + 10⁻⁴·t·slope; (t, f) or (0, f0)."""
    t = 1.0
    for _ in range(max_halvings):
        f_new = f(theta + t * direction)
        if np.isfinite(f_new) and f_new <= f0 + 1e-4 * t * slope:
            return t, f_new
        t *= 0.5
    return 0.0, f0


def _newton_direction(H: NDArray, g: NDArray) -> NDArray:
    try:
        c = la.cho_factor(H, lower=True, check_finite=False)
        d = -la.cho_solve(c, g, check_finite=False)
        if np.all(np.isfinite(d)):
            return d
    except la.LinAlgError:
        pass
    # Singular Hessian (collinear features with λ = 0, or saturated examples): least squares.
    d, *_ = la.lstsq(H, -g, check_finite=False)
    return d


def newton_cholesky(
    obj: Objective,
    theta0: NDArray,
    tol: float = 1e-8,
    max_iter: int = 100,
    callback: Callback | None = None,
    record_path: bool = False,
) -> SolverResult:
    """Minimize the smooth J by damped Newton steps until ‖∇J‖∞ ≤ tol."""
    if obj.penalty.l1 > 0:
        raise ValueError("newton-cholesky handles L2 or no penalty; use 'cd' for L1/elastic net.")
    theta = np.array(theta0, dtype=np.float64, copy=True)
    rec = Recorder(callback, record_path)
    status, message, it = "max_iter", "", 0
    f, g = obj.smooth_value_grad(theta)
    rec.record(0, theta, f)
    kkt = float(np.max(np.abs(g)))
    separable_check = obj.lam == 0 and obj.loss == "log"
    for it in range(1, max_iter + 1):
        if kkt <= tol:
            status, it = "converged", it - 1
            break
        if separable_check and obj.separates(theta):
            status, it = "separated", it - 1
            message = "the data are linearly separable: with lam=0 the weights grow without bound."
            break
        H = obj.hessian(theta)
        d = _newton_direction(H, g)
        slope = float(np.dot(g, d))
        if slope >= 0:  # numerically singular H gave an ascent direction: fall back to −g
            d, slope = -g, -float(np.dot(g, g))
        t, f_new = armijo(obj.smooth_value, theta, f, d, slope)
        if t == 0.0:
            # No decrease is representable: we sit at J's floating-point floor.
            status = "converged" if kkt <= max(tol, 1e-3 * np.sqrt(tol)) else "max_iter"
            message = f"line search found no decrease at ‖∇J‖∞={kkt:.3g} (precision floor)."
            it -= 1
            break
        theta = theta + t * d
        f, g = obj.smooth_value_grad(theta)
        kkt = float(np.max(np.abs(g)))
        rec.record(it, theta, f)
        if rec.stopped:
            break
    else:
        if kkt <= tol:
            status = "converged"
    if status == "max_iter" and kkt <= tol:
        status = "converged"
    return rec.result(obj, theta, "newton-cholesky", status, it, kkt, message)
