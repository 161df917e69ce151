"""Solvers: each takes an :class:`~logitlab.objective.Objective` and a start θ₀ (None: the
objective's cold start, made by the solver), returns a :class:`SolverResult`, and never
touches I/O. Compiled kernels (numba) load lazily, only when
a solver or a sparse product needs them."""

from __future__ import annotations

from .base import Callback, SolverResult
from .gd import gradient_descent
from .newton import newton_cholesky
from .prox_newton import GRAM_MAX_PARAMS, prox_newton
from .quasi_newton import lbfgs, newton_cg

__all__ = [
    "SOLVERS",
    "SolverResult",
    "Callback",
    "choose_solver",
    "gradient_descent",
    "newton_cholesky",
    "newton_cg",
    "lbfgs",
    "prox_newton",
]

#: name → (function, handles L1, default max_iter)
SOLVERS = {
    "gd": (gradient_descent, True, 10_000),
    "newton-cholesky": (newton_cholesky, False, 100),
    "newton-cg": (newton_cg, False, 200),
    "lbfgs": (lbfgs, False, 1000),
    "cd": (prox_newton, True, 200),
}


def choose_solver(n_params: int, is_sparse: bool, has_l1: bool) -> str:
    """``solver="auto"``: proximal Newton/CD under L1; Newton-Cholesky while the Hessian is
    small; truncated Newton (Newton-CG) for many features."""
    if has_l1:
        return "cd"
    if n_params <= GRAM_MAX_PARAMS:
        return "newton-cholesky"
    return "newton-cg"
