"""Smooth solvers for many features, where a (p+1)² Hessian is too big: SciPy's L-BFGS and a
truncated Newton (Newton-CG on Hessian-vector products), both on the same J."""

from __future__ import annotations

import numpy as np
import scipy.optimize as opt
from numpy.typing import NDArray

from ..objective import Objective
from .base import Callback, Recorder, SolverResult

__all__ = ["lbfgs", "newton_cg"]


class _Stop(Exception):
    pass


def _run(obj, theta0, tol, max_iter, callback, record_path, method, name):
    if obj.penalty.l1 > 0:
        raise ValueError(f"{name} handles L2 or no penalty; use 'cd' for L1/elastic net.")
    rec = Recorder(callback, record_path)
    theta0 = np.array(theta0, dtype=np.float64, copy=True)
    rec.record(0, theta0, obj.smooth_value(theta0))
    state = {"it": 0, "theta": theta0, "separated": False}

    def on_iteration(xk):
        state["it"] += 1
        state["theta"] = np.array(xk, copy=True)
        rec.record(state["it"], xk, obj.smooth_value(xk))
        if obj.kkt_residual(xk) <= tol:
            raise _Stop
        if obj.lam == 0 and obj.loss == "log" and obj.separates(xk):
            state["separated"] = True
            raise _Stop
        if rec.stopped:
            raise _Stop

    options = {"maxiter": max_iter}
    kwargs = {}
    if method == "L-BFGS-B":
        options.update(gtol=tol, ftol=0.0, maxcor=30, maxls=50)
    else:
        options.update(xtol=1e-30)
        kwargs["hessp"] = obj.hessp
    try:
        res = opt.minimize(
            obj.smooth_value_grad, theta0, jac=True, method=method,
            callback=on_iteration, options=options, **kwargs,
        )
        theta = res.x
    except _Stop:
        theta = state["theta"]
    kkt = obj.kkt_residual(theta)
    if state["separated"]:
        status = "separated"
        message = "the data are linearly separable: with lam=0 the weights grow without bound."
    else:
        status = "converged" if kkt <= tol else "max_iter"
        message = ""
    return rec.result(obj, theta, name, status, state["it"], kkt, message)


def lbfgs(
    obj: Objective, theta0: NDArray, tol: float = 1e-8, max_iter: int = 1000,
    callback: Callback | None = None, record_path: bool = False,
) -> SolverResult:
    """Limited-memory BFGS (SciPy) on the smooth J; stops when ‖∇J‖∞ ≤ tol."""
    return _run(obj, theta0, tol, max_iter, callback, record_path, "L-BFGS-B", "lbfgs")


def newton_cg(
    obj: Objective, theta0: NDArray, tol: float = 1e-8, max_iter: int = 200,
    callback: Callback | None = None, record_path: bool = False,
) -> SolverResult:
    """Truncated Newton: CG on exact Hessian-vector products, never forming the Hessian."""
    return _run(obj, theta0, tol, max_iter, callback, record_path, "Newton-CG", "newton-cg")
