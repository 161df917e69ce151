"""What every solver returns and how it reports progress."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

__all__ = ["SolverResult", "Callback", "Recorder", "SolverStatus"]

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
