"""What every lab route shares: the limits, the request models, the validated problem
(:class:`Prepared`) with its Objective, and the JSON cleaning.

The page sends the whole problem (points, labels, θ, λ, …) with each request, so the server
keeps no state and a click that adds a point is just one more row. Inputs are validated with
pydantic (a 422 names the offending field); sizes are capped so no request can hang the server.
"""

from __future__ import annotations

import math
import warnings
from typing import Annotated, Any, Literal

import numpy as np
from fastapi import HTTPException
from numpy.typing import NDArray
from pydantic import BaseModel, ConfigDict, Field

from ..design import Design
from ..objective import Objective
from ..solvers import gradient_descent, lbfgs, newton_cholesky, prox_newton

__all__ = ["LIMITS", "LabInputError", "Problem", "Prepared", "clean", "solve", "make_objective"]

#: Caps that bound the work of any one request.
LIMITS = {
    "max_rows": 5000,
    "max_features": 2,
    "max_grid": 121,
    "max_map_grid": 101,
    "max_iterations": 5000,
    "max_upload_bytes": 2_000_000,
    "max_upload_columns": 200,
    "max_table_rows": 200,
    "max_abs_param": 1e6,
    "max_lam": 1e6,
    "max_learning_rate": 100.0,
    "max_local_minima_starts": 8,
    "max_path_lams": 50,
    "max_folds": 10,
}

Finite = Annotated[float, Field(allow_inf_nan=False)]
Param = Annotated[float, Field(allow_inf_nan=False, ge=-LIMITS["max_abs_param"],
                               le=LIMITS["max_abs_param"])]
Label = Annotated[float, Field(allow_inf_nan=False, ge=0, le=1)]
Row = Annotated[list[Finite], Field(min_length=1, max_length=LIMITS["max_features"])]

class LabInputError(HTTPException):
    """A 422 whose message starts with the name of the field at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(status_code=422, detail=f"{field}: {message}")
        self.field = field


# -- request models ------------------------------------------------------------------------
class Problem(BaseModel):
    """The data and the objective's settings: what J(θ) is."""

    model_config = ConfigDict(extra="forbid")

    X: list[Row] = Field(min_length=2, max_length=LIMITS["max_rows"])
    y: list[Label] = Field(min_length=2, max_length=LIMITS["max_rows"])
    lam: float = Field(0.0, ge=0.0, le=LIMITS["max_lam"], allow_inf_nan=False)
    l1_ratio: float = Field(0.0, ge=0.0, le=1.0, allow_inf_nan=False)
    loss: Literal["log", "mse"] = "log"
    standardize: bool = False
    class_weight: Literal["none", "balanced"] = "none"


class StateRequest(Problem):
    theta: list[Param] = Field(min_length=2, max_length=3)
    learning_rate: float = Field(0.1, gt=0.0, le=LIMITS["max_learning_rate"], allow_inf_nan=False)
    threshold: float = Field(0.5, ge=0.0, le=1.0, allow_inf_nan=False)
    cost_fp: float = Field(1.0, ge=0.0, le=1e6, allow_inf_nan=False)
    cost_fn: float = Field(1.0, ge=0.0, le=1e6, allow_inf_nan=False)
    loss_form: Literal["logits", "naive"] = "logits"
    grid: int = Field(61, ge=5, le=LIMITS["max_map_grid"])
    table_rows: int = Field(30, ge=1, le=LIMITS["max_table_rows"])


class Range(BaseModel):
    model_config = ConfigDict(extra="forbid")
    lo: Param
    hi: Param


class LandscapeRequest(Problem):
    theta: list[Param] = Field(min_length=2, max_length=3)
    losses: list[Literal["log", "mse"]] = Field(["log"], min_length=1, max_length=2)
    n: int = Field(41, ge=5, le=LIMITS["max_grid"])
    x_range: Range | None = None
    y_range: Range | None = None
    include: list[list[Param]] = Field(default_factory=list, max_length=LIMITS["max_iterations"] + 1)
    find_minima: bool = False


class GDRequest(Problem):
    theta0: list[Param] = Field(min_length=2, max_length=3)
    learning_rate: float = Field(0.1, gt=0.0, le=LIMITS["max_learning_rate"], allow_inf_nan=False)
    iterations: int = Field(100, ge=1, le=LIMITS["max_iterations"])
    tol: float = Field(1e-6, gt=0.0, le=1.0, allow_inf_nan=False)


class PathRequest(Problem):
    """The path and CV curve over n_lams values of λ (λ_max down), with k stratified folds."""

    n_lams: int = Field(30, ge=2, le=LIMITS["max_path_lams"])
    folds: int = Field(5, ge=2, le=LIMITS["max_folds"])
    seed: int = Field(0, ge=0, le=2**31 - 1)
    features: list[Annotated[str, Field(max_length=200)]] = Field(
        default_factory=list, max_length=LIMITS["max_features"])


class FitRequest(Problem):
    theta0: list[Param] | None = Field(None, min_length=2, max_length=3)


# -- helpers -------------------------------------------------------------------------------
def clean(value: Any) -> Any:
    """JSON-safe copy: arrays to lists, non-finite floats to the strings "nan", "inf", "-inf"."""
    if isinstance(value, dict):
        return {k: clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [clean(v) for v in value]
    if isinstance(value, np.ndarray):
        if value.dtype.kind in "iub" or (value.dtype.kind == "f" and np.isfinite(value).all()):
            return value.tolist()  # nothing to replace: skip the per-element walk (most of a response)
        return clean(value.tolist())
    if isinstance(value, (np.floating, float)):
        f = float(value)
        if math.isfinite(f):
            return f
        return "nan" if math.isnan(f) else ("inf" if f > 0 else "-inf")
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.bool_):
        return bool(value)
    return value


class Prepared:
    """The request's arrays, its design (standardized or not) and its Objective."""

    def __init__(self, req: Problem, loss: str | None = None) -> None:
        X = np.asarray(req.X, dtype=np.float64) if _rectangular(req.X) else None
        if X is None:
            raise LabInputError("X", "every row must have the same number of features (1 or 2).")
        y = np.asarray(req.y, dtype=np.float64)
        if X.shape[0] != y.shape[0]:
            raise LabInputError("y", f"has {y.shape[0]} labels but X has {X.shape[0]} rows.")
        if not np.all((y == 0) | (y == 1)):
            raise LabInputError("y", "labels must be 0 or 1.")
        self.X, self.y = X, y
        self.p = X.shape[1]
        self.offset = self.scale = None
        if req.standardize:
            sd = X.std(axis=0)
            if np.any(sd == 0):
                j = int(np.flatnonzero(sd == 0)[0]) + 1
                raise LabInputError("standardize", f"feature {j} is constant; it cannot be standardized.")
            self.offset, self.scale = X.mean(axis=0), sd
        self.sample_weight = None
        if req.class_weight == "balanced":
            if y.min() == y.max():
                raise LabInputError("class_weight", "'balanced' needs both classes in y.")
            n1 = y.sum()
            n0 = y.size - n1
            # scikit-learn's rule: weight m / (2·m_class), so both classes carry equal total weight
            self.sample_weight = np.where(y == 1, y.size / (2 * n1), y.size / (2 * n0))
        self.req = req
        self.objective = self.make_objective(loss or req.loss)

    def design(self, X: NDArray) -> Design:
        return Design(X, self.offset, self.scale)

    def make_objective(self, loss: str, lam: float | None = None) -> Objective:
        return make_objective(loss, self.design(self.X), self.y, self.sample_weight,
                              self.req.lam if lam is None else lam, self.req.l1_ratio)

    def theta(self, values: list[float], field: str) -> NDArray:
        theta = np.asarray(values, dtype=np.float64)
        if theta.size != self.p + 1:
            raise LabInputError(
                field, f"needs {self.p + 1} numbers (w₁…w_{self.p}, b) for {self.p} feature(s); "
                f"got {theta.size}.")
        return theta

    def scores_at(self, points: NDArray, theta: NDArray) -> NDArray:
        """z = w·x + b at arbitrary points, through the same Objective machinery as the data."""
        grid_obj = Objective(self.design(points), np.zeros(points.shape[0]))
        return grid_obj.scores(theta)


def _rectangular(rows: list[list[float]]) -> bool:
    return len({len(r) for r in rows}) == 1


def quiet():
    return warnings.catch_warnings()


def padded(lo: float, hi: float, frac: float = 0.08) -> tuple[float, float]:
    span = hi - lo if hi > lo else max(abs(hi), 1.0)
    return lo - frac * span, hi + frac * span


def solve(obj: Objective, theta0: NDArray | None):
    """Run the core solver that suits J: Newton for the smooth log-loss, proximal Newton under
    L1, L-BFGS for the smooth MSE, proximal gradient descent for MSE with L1."""
    t0 = obj.initial_theta() if theta0 is None else theta0
    if obj.loss == "log":
        if obj.penalty.l1 > 0:
            return prox_newton(obj, t0, 1e-8, 200)
        return newton_cholesky(obj, t0, 1e-8, 100)
    if obj.penalty.l1 > 0:
        return gradient_descent(obj, t0, 0.5, 1e-8, 5000)
    return lbfgs(obj, t0, 1e-8, 1000)




def make_objective(loss: str, design: Design, y: NDArray, sample_weight: NDArray | None,
                   lam: float, l1_ratio: float) -> Objective:
    """The lab's one place that builds an objective for a named loss ("log" or the teaching
    "mse"), so the move of MSE/hinge to their own datafits changes a single call."""
    return Objective(design, y, sample_weight=sample_weight, lam=lam, l1_ratio=l1_ratio, loss=loss)
