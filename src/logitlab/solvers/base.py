"""What every solver returns and how it reports progress."""

from __future__ import annotations

import contextlib
import functools
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import numpy as np
from numpy.typing import NDArray

__all__ = ["SolverResult", "Callback", "Recorder", "SolverStatus", "blas_guard", "blas_threads",
           "stop_reason", "SEPARATED"]

#: called after every iteration with (iteration, θ, J); returning True stops the solver.
Callback = Callable[[int, NDArray, float], "bool | None"]

SolverStatus = str  # "converged" | "max_iter" | "diverged" | "separated" | "stopped"


@dataclass
class SolverResult:
    """What a solver did: where it ended, whether it converged and how J fell on the way."""

    theta: NDArray
    solver: str
    status: SolverStatus
    n_iter: int
    kkt_residual: float
    history: list[float] = field(default_factory=list)
    path: list[NDArray] | None = None
    n_passes: float = 0.0
    seconds: float = 0.0
    message: str = ""

    @property
    def converged(self) -> bool:
        return self.status == "converged"


SEPARATED = "the data are linearly separable: with lam=0 the weights grow without bound."


def start_point(obj: Any, theta0: NDArray | None, copy: bool = True) -> NDArray:
    """The solver's first iterate: the objective's cold start (w = 0, b at the base rate's
    log-odds) when ``theta0`` is None, else the caller's θ₀ as float64 (a copy unless ``copy``
    is False). A cold start made here is the solver's alone, so it is dropped when the iterate
    moves on: no p-vector is held through the fit. The solver's own start is read-only (every
    solver makes a new θ per step), so the objective's score cache keeps it without a copy."""
    if theta0 is None:
        theta = obj.initial_theta()
    elif copy:
        theta = np.array(theta0, dtype=np.float64, copy=True)
    else:
        return np.asarray(theta0, dtype=np.float64)
    theta.flags.writeable = False
    return theta


def stop_reason(obj: Any, theta: NDArray, kkt: float, tol: float, separable_check: bool) -> tuple[str, str] | None:
    """Why a solver stops before its next step: (status, message) when converged or, with
    ``separable_check`` (λ = 0), when θ already separates the classes; None to go on."""
    if kkt <= tol:
        return "converged", ""
    if separable_check and obj.separates(theta):
        return "separated", SEPARATED
    return None


def decoupled_moments(first: NDArray, second: NDArray, d_sum: float, floor: NDArray | float) -> tuple[NDArray, NDArray]:
    """(μ, v): each column's d-weighted mean μ = Σdx/Σd and variance v = Σdx² − μ·Σdx (at least
    ``floor``: a column nearly constant over the rows cancels). They are the Newton model in the
    coordinates b′ = b + μ·w, where the intercept decouples: v is the diagonal of the Schur
    complement H_ww − H_wb·H_bwᵀ/H_bb, which CD and CG's preconditioner see instead of Σdx²."""
    mu = first / d_sum
    return mu, np.maximum(second - first * mu, floor)


class Recorder:
    """Keeps J per iteration (and optionally θ), calls the user's callback, times the run."""

    def __init__(self, callback: Callback | None = None, record_path: bool = False) -> None:
        self.callback = callback
        self.history: list[float] = []
        self.path: list[NDArray] | None = [] if record_path else None
        self.start = time.perf_counter()
        self.stopped = False

    def record(self, iteration: int, theta: NDArray, J: float) -> None:
        self.history.append(float(J))
        if self.path is not None:
            self.path.append(np.array(theta, dtype=np.float64, copy=True))
        if self.callback is not None and self.callback(iteration, theta, J):
            self.stopped = True

    def result(
        self, objective, theta: NDArray, solver: str, status: str, n_iter: int,
        kkt: float, message: str = "",
    ) -> SolverResult:
        return SolverResult(
            theta=np.asarray(theta, dtype=np.float64),
            solver=solver,
            status="stopped" if self.stopped and status != "converged" else status,
            n_iter=n_iter,
            kkt_residual=float(kkt),
            history=self.history,
            path=self.path,
            n_passes=objective.design.n_passes,
            seconds=time.perf_counter() - self.start,
            message=message,
        )


_F = TypeVar("_F", bound=Callable[..., Any])
_controller: Any = None  # threadpoolctl's controller, made once (≈ 0.1 ms per limit after that)


_CORES = os.cpu_count() or 1
_SMALL = 1 << 17  # entries of X and of its Hessian below which no BLAS call is worth a thread


def blas_threads() -> int:
    """BLAS threads worth using now: the cores not already busy (1-minute load average), ≥ 1.

    A BLAS thread pool larger than the idle cores spin-waits on busy ones: measured on the
    shared 2-core machine at load 5–7, a 40,000 × 100 Newton solve took 7–20 s with 2
    OpenBLAS threads and 0.5 s with one, and a 20,000 × 10,000 tf-idf Newton-CG 1.1 s against
    0.2 s (its 10⁴-long dot products alone). ``LOGITLAB_BLAS_THREADS`` overrides the estimate.
    """
    forced = os.environ.get("LOGITLAB_BLAS_THREADS")
    if forced:
        return max(1, int(forced))
    cores = _CORES
    try:
        load = os.getloadavg()[0]
    except (AttributeError, OSError):  # pragma: no cover - platforms without a load average
        return cores
    return max(1, min(cores, int(cores - load + 0.5)))


def _blas_limit(obj: Any) -> contextlib.AbstractContextManager:
    """A context capping BLAS threads at :func:`blas_threads` (nothing when all cores are idle)."""
    global _controller
    design = getattr(obj, "design", None)
    if design is not None and (design.n_samples + design.n_features + 1) * (design.n_features + 1) < _SMALL:
        return contextlib.nullcontext()  # BLAS runs products (and factorizations) this small on one thread
    n = blas_threads()
    if n >= _CORES:
        return contextlib.nullcontext()
    try:
        if _controller is None:
            from threadpoolctl import ThreadpoolController

            _controller = ThreadpoolController()
        return _controller.limit(limits=n, user_api="blas")
    except Exception:  # pragma: no cover - threadpoolctl missing or unable: run as is
        return contextlib.nullcontext()


def blas_guard(fn: _F) -> _F:
    """Run a solver with BLAS threads capped at the idle cores (see :func:`blas_threads`)."""

    @functools.wraps(fn)
    def run(obj: Any, *args: Any, **kwargs: Any) -> Any:
        with _blas_limit(obj):
            return fn(obj, *args, **kwargs)

    return run  # type: ignore[return-value]
