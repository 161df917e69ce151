"""The lab's JSON API: every number the page shows is computed here, by logitlab's core.

The page sends the whole problem (points, labels, θ, λ, …) with each request, so the server
keeps no state and a click that adds a point is just one more row. Inputs are validated with
pydantic (a 422 names the offending field); sizes are capped so no request can hang the server.
"""

from __future__ import annotations

import io
import math
import warnings
from typing import Annotated, Any, Literal

import numpy as np
import pandas as pd
from fastapi import APIRouter, File, Form, HTTPException, UploadFile
from numpy.typing import NDArray
from pydantic import BaseModel, ConfigDict, Field

from .. import __version__, metrics
from ..design import Design
from ..loss import log_loss, log_loss_pointwise, mse_sigmoid_pointwise, sigmoid
from ..objective import Objective
from ..solvers import gradient_descent, lbfgs, newton_cholesky, prox_newton
from . import scenarios

__all__ = ["router", "LIMITS", "LabInputError"]

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

router = APIRouter(prefix="/api")


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
        return Objective(
            self.design(self.X), self.y, sample_weight=self.sample_weight,
            lam=self.req.lam if lam is None else lam, l1_ratio=self.req.l1_ratio, loss=loss,
        )

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


def _quiet():
    return warnings.catch_warnings()


def _padded(lo: float, hi: float, frac: float = 0.08) -> tuple[float, float]:
    span = hi - lo if hi > lo else max(abs(hi), 1.0)
    return lo - frac * span, hi + frac * span


# -- endpoints -----------------------------------------------------------------------------
@router.get("/meta")
def meta() -> dict[str, Any]:
    """Data sets, presets and limits: what the page builds its menus from."""
    return {
        "version": __version__,
        "datasets": [{"name": k, "title": t, "description": d}
                     for k, (t, d) in scenarios.DATASETS.items()],
        "presets": scenarios.PRESETS,
        "limits": LIMITS,
    }


@router.get("/dataset/{name}")
def dataset(name: str) -> dict[str, Any]:
    """A built-in data set with suggested slider ranges and a start point."""
    if name not in scenarios.DATASETS:
        raise LabInputError("name", f"unknown data set {name!r}; choose one of "
                            f"{', '.join(scenarios.DATASETS)}.")
    data = scenarios.load(name)
    data["suggested"] = scenarios.suggested_settings(name, np.asarray(data["X"]))
    return clean(data)


@router.post("/state")
def state(req: StateRequest) -> dict[str, Any]:
    """Everything the concept drill shows at θ: J and its parts, ∇J, the per-example table,
    the sigmoid or probability map, the loss curves and the threshold metrics."""
    prep = Prepared(req)
    obj = prep.objective
    theta = prep.theta(req.theta, "theta")
    with _quiet():
        warnings.simplefilter("ignore")
        parts = obj.parts(theta)
        grad = obj.gradient(theta)
        z = obj.scores(theta).copy()
    p_hat = sigmoid(z)
    loss_logits = log_loss_pointwise(prep.y, z)
    out: dict[str, Any] = {
        "J": parts.total,
        "data_loss": parts.data_loss,
        "penalty": parts.penalty,
        "loss": obj.loss,
        "formula": obj.formula(),
        "gradient": grad,
        "gradient_norm": float(np.linalg.norm(grad)),
        "next_theta": theta - req.learning_rate * grad,
        "m": int(prep.y.size),
        "n_positive": int(prep.y.sum()),
    }
    if obj.loss == "log" and req.loss_form == "naive":
        # the lessons' formula on probabilities with no clipping (eps=0): log(0) once ŷ rounds to 0 or 1
        with np.errstate(all="ignore"):
            naive = np.array([log_loss(prep.y[i:i + 1], p_hat[i:i + 1], eps=0.0)
                              for i in range(prep.y.size)])
            w = np.ones_like(naive) if prep.sample_weight is None else prep.sample_weight
            naive_data = float(np.sum(w * naive) / prep.y.size)
        out["naive_data_loss"] = naive_data
        out["naive_J"] = naive_data + parts.penalty
        out["shown_J"] = out["naive_J"]
    else:
        naive = None
        out["shown_J"] = parts.total
    example_loss = loss_logits if obj.loss == "log" else mse_sigmoid_pointwise(prep.y, z)
    k = min(req.table_rows, prep.y.size)
    out["table"] = {
        "x": prep.X[:k], "y": prep.y[:k], "z": z[:k], "p": p_hat[:k], "loss": example_loss[:k],
        "naive": None if naive is None else naive[:k],
        "shown": k, "total": int(prep.y.size),
    }
    out["p_all"] = p_hat
    out["loss_all"] = example_loss
    out["log_loss_all"] = loss_logits
    out["loss_curves"] = _loss_curves()
    out["view"] = _model_view(prep, theta, req.grid)
    out["threshold"] = _threshold_view(prep.y, p_hat, req, prep.sample_weight)
    return clean(out)


def _loss_curves() -> dict[str, Any]:
    """−log(ŷ) and −log(1−ŷ) over ŷ ∈ (0, 1): the two halves of the per-example log-loss,
    evaluated by the core in logit space at z = logit(ŷ)."""
    z = np.linspace(-7.0, 7.0, 241)
    p = sigmoid(z)
    return {"p": p, "pos": log_loss_pointwise(np.ones_like(z), z),
            "neg": log_loss_pointwise(np.zeros_like(z), z)}


def _model_view(prep: Prepared, theta: NDArray, grid: int) -> dict[str, Any]:
    """The sigmoid over x (1 feature) or the probability map and boundary (2 features)."""
    X = prep.X
    if prep.p == 1:
        lo, hi = _padded(float(X[:, 0].min()), float(X[:, 0].max()), 0.15)
        xs = np.linspace(lo, hi, 301)
        z = prep.scores_at(xs[:, None], theta)
        boundary = None
        # where z = 0: found from the scores at two points (z is affine in x)
        z0, z1 = prep.scores_at(np.array([[0.0], [1.0]]), theta)
        if z1 != z0:
            boundary = float(-z0 / (z1 - z0))
        return {"kind": "sigmoid", "x": xs, "p": sigmoid(z), "boundary": boundary,
                "x_range": [lo, hi]}
    (x0lo, x0hi), (x1lo, x1hi) = (_padded(float(X[:, j].min()), float(X[:, j].max()))
                                  for j in range(2))
    g0 = np.linspace(x0lo, x0hi, grid)
    g1 = np.linspace(x1lo, x1hi, grid)
    G0, G1 = np.meshgrid(g0, g1)
    pts = np.column_stack([G0.ravel(), G1.ravel()])
    P = sigmoid(prep.scores_at(pts, theta)).reshape(grid, grid)
    # the boundary z = 0 is a line; z is affine, so three evaluations give its coefficients
    z00, z10, z01 = prep.scores_at(np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0]]), theta)
    a, b, c = z10 - z00, z01 - z00, z00
    line = None
    if abs(b) > 1e-300 and abs(b) >= abs(a) * 1e-12:
        xs = np.array([x0lo, x0hi])
        line = {"x": xs, "y": -(a * xs + c) / b}
    elif abs(a) > 1e-300:
        line = {"x": np.array([-c / a, -c / a]), "y": np.array([x1lo, x1hi])}
    return {"kind": "map", "x": g0, "y": g1, "p": P, "boundary": line,
            "x_range": [x0lo, x0hi], "y_range": [x1lo, x1hi]}


def _threshold_view(y: NDArray, p: NDArray, req: StateRequest, sw: NDArray | None) -> dict[str, Any]:
    """Precision, recall and F1 against the threshold, the cost-optimal threshold, and the
    confusion matrix and error cost at the chosen one."""
    table = metrics.threshold_table(y, p, np.linspace(0, 1, 101))
    t = req.threshold
    pred = (p > t).astype(float)
    cm = metrics.confusion_matrix(y, pred)
    (tn, fp), (fn, tp) = cm
    out = {
        "curve": {k: table[k] for k in ("threshold", "precision", "recall", "f1", "accuracy")},
        "current": {
            "threshold": t,
            "accuracy": metrics.accuracy(y, pred),
            "precision": metrics.precision(y, pred),
            "recall": metrics.recall(y, pred),
            "f1": metrics.f1(y, pred),
            "tn": tn, "fp": fp, "fn": fn, "tp": tp,
            "cost": (req.cost_fp * fp + req.cost_fn * fn) / y.size,
        },
        "chosen": None,
    }
    if req.cost_fp + req.cost_fn > 0:
        out["chosen"] = metrics.choose_threshold(y, p, req.cost_fp, req.cost_fn).as_dict()
    if 0 < y.sum() < y.size:
        out["roc_auc"] = metrics.roc_auc(y, p)
    return out


@router.post("/landscape")
def landscape(req: LandscapeRequest) -> dict[str, Any]:
    """J over a grid of two parameters: (w, b) for one feature, (w₁, w₂) at the current b for two;
    for MSE also its plateaus and the local minima found."""
    prep = Prepared(req)
    theta = prep.theta(req.theta, "theta")
    include = [prep.theta(t, "include") for t in req.include]
    axes = [0, 1]
    names = ["w", "b"] if prep.p == 1 else ["w₁", "w₂"]
    optimum = None
    with _quiet():
        warnings.simplefilter("ignore")
        if "log" in req.losses or req.x_range is None or req.y_range is None:
            opt = _fit(prep, prep.make_objective("log"), None)
            if np.all(np.isfinite(opt.theta)) and opt.status != "separated":
                optimum = {"theta": opt.theta, "J": prep.make_objective("log").value(opt.theta),
                           "status": opt.status}
    if req.x_range is not None and req.y_range is not None:
        xr = (req.x_range.lo, req.x_range.hi)
        yr = (req.y_range.lo, req.y_range.hi)
        if not xr[1] > xr[0]:
            raise LabInputError("x_range", "hi must be greater than lo.")
        if not yr[1] > yr[0]:
            raise LabInputError("y_range", "hi must be greater than lo.")
    else:
        pts = [theta] + include + ([optimum["theta"]] if optimum else [])
        xr, yr = _auto_ranges(prep, np.array([[t[axes[0]], t[axes[1]]] for t in pts]))
    gx = np.linspace(xr[0], xr[1], req.n)
    gy = np.linspace(yr[0], yr[1], req.n)
    surfaces: dict[str, Any] = {}
    for loss in dict.fromkeys(req.losses):
        obj = prep.make_objective(loss)
        Z = np.empty((req.n, req.n))
        G = np.empty((req.n, req.n)) if (loss == "mse" and req.find_minima) else None
        t = theta.copy()
        with _quiet():
            warnings.simplefilter("ignore")
            for i, v in enumerate(gy):
                for j, u in enumerate(gx):
                    t[axes[0]], t[axes[1]] = u, v
                    if G is None:
                        Z[i, j] = obj.value(t)
                    else:
                        f, g = obj.smooth_value_grad(t)
                        Z[i, j] = obj.value(t)
                        G[i, j] = np.linalg.norm(g[axes])
        entry: dict[str, Any] = {"z": Z, "min": float(Z.min()), "max": float(Z.max())}
        if loss == "mse" and req.find_minima:
            entry.update(_mse_features(prep, obj, theta, gx, gy, Z, G, axes))
        surfaces[loss] = entry
    return clean({
        "axes": names, "fixed": None if prep.p == 1 else {"name": "b", "value": float(theta[2])},
        "x": gx, "y": gy, "x_range": list(xr), "y_range": list(yr),
        "surfaces": surfaces, "optimum": optimum,
    })


def _auto_ranges(prep: Prepared, pts: NDArray) -> tuple[tuple[float, float], tuple[float, float]]:
    """A frame around the given parameter points, wide enough to show the bowl's shape."""
    Xd = prep.X if prep.scale is None else (prep.X - prep.offset) / prep.scale
    hints = [1.0 / max(float(Xd[:, j].std()), 1e-12) for j in range(prep.p)] + [1.0]
    hint = hints[:2] if prep.p == 2 else [hints[0], hints[1]]
    out = []
    for k in range(2):
        lo, hi = float(pts[:, k].min()), float(pts[:, k].max())
        span = max(hi - lo, 2.0 * hint[k], 0.2 * max(abs(lo), abs(hi)))
        mid = 0.5 * (lo + hi)
        half = 0.5 * span * 1.6
        out.append((mid - half, mid + half))
    return out[0], out[1]


def _mse_features(prep, obj, theta, gx, gy, Z, G, axes) -> dict[str, Any]:
    """Plateaus (flat but high: |∇J| tiny while J is far above its minimum) and local minima
    (grid cells lower than their 8 neighbours, refined by L-BFGS on the same MSE objective)."""
    zmin, zmax = float(Z.min()), float(Z.max())
    gmax = float(G.max()) if G.size else 0.0
    high = Z > zmin + 0.25 * (zmax - zmin)
    flat = G < 0.03 * gmax
    pi, pj = np.nonzero(high & flat)
    plateau = {"x": gx[pj], "y": gy[pi], "fraction": float(np.mean(high & flat))}
    cands = []
    n = Z.shape[0]
    for i in range(1, n - 1):
        for j in range(1, n - 1):
            block = Z[i - 1:i + 2, j - 1:j + 2]
            if Z[i, j] <= block.min():
                cands.append((Z[i, j], i, j))
    cands.sort()
    minima: list[dict[str, Any]] = []
    xspan, yspan = gx[-1] - gx[0], gy[-1] - gy[0]
    for _, i, j in cands[: LIMITS["max_local_minima_starts"]]:
        start = theta.copy()
        start[axes[0]], start[axes[1]] = gx[j], gy[i]
        if prep.p == 2:  # minimize in the slice's two coordinates only: b is held fixed
            res = _slice_minimize(obj, start, axes)
        else:
            res = lbfgs(obj, start, 1e-8, 500) if obj.penalty.l1 == 0 else \
                gradient_descent(obj, start, 0.5, 1e-8, 2000)
        th = res.theta if not isinstance(res, np.ndarray) else res
        u, v = th[axes[0]], th[axes[1]]
        if not (gx[0] <= u <= gx[-1] and gy[0] <= v <= gy[-1]):
            continue
        if any(abs(u - m["x"]) < 0.02 * xspan and abs(v - m["y"]) < 0.02 * yspan for m in minima):
            continue
        minima.append({"x": u, "y": v, "J": obj.value(th)})
    minima.sort(key=lambda m: m["J"])
    for k, m in enumerate(minima):
        m["kind"] = "lowest found" if k == 0 else "local minimum"
    return {"plateau": plateau, "minima": minima}


def _slice_minimize(obj: Objective, start: NDArray, axes: list[int]) -> NDArray:
    """Minimize J over two coordinates with the rest fixed (SciPy L-BFGS on Objective's J, ∇J)."""
    import scipy.optimize as opt

    def fg(u: NDArray) -> tuple[float, NDArray]:
        t = start.copy()
        t[axes] = u
        f, g = obj.smooth_value_grad(t)
        return f, g[axes]

    res = opt.minimize(fg, start[axes], jac=True, method="L-BFGS-B", options={"maxiter": 500})
    t = start.copy()
    t[axes] = res.x
    return t


def _fit(prep: Prepared, obj: Objective, theta0: NDArray | None):
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


@router.post("/fit")
def fit(req: FitRequest) -> dict[str, Any]:
    """Jump to the minimum of J with the core's solver (the 'answer' gradient descent walks to)."""
    prep = Prepared(req)
    theta0 = None if req.theta0 is None else prep.theta(req.theta0, "theta0")
    with _quiet():
        warnings.simplefilter("ignore")
        res = _fit(prep, prep.objective, theta0)
        J = prep.objective.value(res.theta)
    return clean({"theta": res.theta, "status": res.status, "solver": res.solver,
                  "n_iter": res.n_iter, "message": res.message, "J": J,
                  "kkt_residual": res.kkt_residual})


@router.post("/gd")
def gd(req: GDRequest) -> dict[str, Any]:
    """Batch gradient descent from θ₀, recording every θ and J.

    When the data are separable and λ = 0 the core stops at the first separating θ and says
    so; the lab then keeps stepping (as plain gradient descent would) so the learner sees the
    weights grow while J creeps toward 0.
    """
    prep = Prepared(req)
    obj = prep.objective
    theta0 = prep.theta(req.theta0, "theta0")
    path: list[NDArray] = []
    history: list[float] = []
    separated_at = None
    status, message = "max_iter", ""
    theta = theta0
    done = 0
    with _quiet():
        warnings.simplefilter("ignore")
        while True:
            res = gradient_descent(obj, theta, req.learning_rate, req.tol,
                                   req.iterations - done, record_path=True)
            skip = 1 if path else 0  # each run records its start, already the previous end
            path.extend(res.path[skip:])
            history.extend(res.history[skip:])
            done += res.n_iter
            theta = res.theta
            status, message = res.status, res.message
            if res.status == "separated":
                if separated_at is None:
                    separated_at = done
                if done < req.iterations and res.n_iter > 0:
                    continue
            break
        grad = obj.gradient(theta) if np.all(np.isfinite(theta)) else np.full(theta.size, np.nan)
    P = np.array(path)
    out = {
        "path": P, "history": history, "status": status, "message": message,
        "n_iter": done, "theta": theta, "J": history[-1] if history else None,
        "gradient": grad, "w_norm": np.linalg.norm(P[:, :prep.p], axis=1),
        "separated_at": separated_at,
    }
    if separated_at is not None:
        out["status"] = "separated"
        out["message"] = (
            f"The classes are linearly separable: at iteration {separated_at} every point was "
            "already on its side of the line. With λ = 0, J keeps falling toward 0 only as ‖w‖ → ∞,"
            " so gradient descent never converges; raise λ to get a finite minimum.")
    return clean(out)


@router.post("/path")
def path(req: PathRequest) -> dict[str, Any]:
    """The regularization path (weights against λ) and the k-fold CV log-loss curve over the
    same grid, with the best and 1-SE λ, both from logitlab's path and LogisticRegressionCV."""
    from ..cv import LogisticRegressionCV
    from ..path import regularization_path

    prep = Prepared(req)
    n1 = int(prep.y.sum())
    n0 = int(prep.y.size) - n1
    if min(n0, n1) == 0:
        raise LabInputError("y", "the path and cross-validation need both classes in y.")
    if min(n0, n1) < req.folds:
        raise LabInputError("folds", f"{req.folds} stratified folds need at least {req.folds} "
                            f"examples of each class; y has {n1} of class 1 and {n0} of class 0. "
                            "Use fewer folds or add points.")
    with _quiet():
        warnings.simplefilter("ignore")
        rp = regularization_path(prep.X, prep.y, l1_ratio=req.l1_ratio, n_lams=req.n_lams,
                                 sample_weight=prep.sample_weight, standardize=req.standardize)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            cv = LogisticRegressionCV(
                lams=rp.lams, l1_ratio=req.l1_ratio, cv=req.folds, scoring="log_loss",
                refit=False, standardize=req.standardize, random_state=req.seed,
                class_weight="balanced" if req.class_weight == "balanced" else None,
            ).fit(prep.X, prep.y)
    names = list(req.features[: prep.p]) + [f"x{j + 1}" for j in range(len(req.features), prep.p)]
    notes = [str(w.message) for w in caught if "best λ is the smallest" in str(w.message)]
    if req.loss != "log":
        notes.append("the path and CV always use the log-loss (the lab's MSE loss is for contrast only).")
    return clean({
        "lams": rp.lams, "lam_max": rp.lam_max, "l1_ratio": rp.l1_ratio,
        "features": names, "coefs": rp.coefs.T, "intercepts": rp.intercepts,
        "n_nonzero": rp.n_nonzero,
        "cv_mean": cv.cv_mean_, "cv_std": cv.cv_std_,
        "cv_se": cv.cv_se_, "folds": cv.n_folds_, "seed": req.seed,
        "lam_best": cv.lam_best_, "lam_1se": cv.lam_1se_,
        "best_index": cv.best_index_, "index_1se": cv.index_1se_,
        "lam_current": req.lam, "scoring": "log_loss", "notes": notes,
    })


@router.post("/upload")
async def upload(
    file: Annotated[UploadFile, File()],
    x1: Annotated[str | None, Form()] = None,
    x2: Annotated[str | None, Form()] = None,
    label: Annotated[str | None, Form()] = None,
    positive: Annotated[str | None, Form()] = None,
) -> dict[str, Any]:
    """A user's CSV: without column names, list its columns; with x1 (and x2) and label, return
    the data set (rows with a missing value dropped, the first max_rows kept)."""
    cap = LIMITS["max_upload_bytes"]
    content = await file.read(cap + 1)
    if len(content) > cap:
        raise LabInputError("file", f"is larger than {cap // 1_000_000} MB; upload a smaller CSV.")
    if not content.strip():
        raise LabInputError("file", "is empty.")
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise LabInputError("file", "is not UTF-8 text; save it as a CSV (UTF-8).") from None
    df = None
    for sep in (",", ";", "\t"):  # the usual separators, in order; no guessing beyond them
        try:
            df = pd.read_csv(io.StringIO(text), sep=sep, nrows=LIMITS["max_rows"] * 4)
        except Exception as exc:  # pandas raises many kinds for bad CSV
            raise LabInputError("file", f"could not be read as CSV ({type(exc).__name__}: "
                                f"{str(exc).splitlines()[0][:200]}).") from None
        if df.shape[1] >= 2:
            break
    if df.shape[1] < 2:
        raise LabInputError("file", "needs at least two columns: a feature and a label.")
    if df.shape[1] > LIMITS["max_upload_columns"]:
        raise LabInputError("file", f"has {df.shape[1]} columns; at most "
                            f"{LIMITS['max_upload_columns']} are accepted.")
    if df.shape[0] < 2:
        raise LabInputError("file", "needs at least two data rows.")
    df.columns = [str(c) for c in df.columns]
    numeric = {c: pd.to_numeric(df[c], errors="coerce") for c in df.columns}

    def is_numeric(c: str) -> bool:  # at least 90 % of the present values parse as numbers
        present = int(df[c].notna().sum())
        return present > 0 and numeric[c].notna().sum() >= 0.9 * present

    columns = [{
        "name": c,
        "numeric": bool(is_numeric(c)),
        "n_unique": int(df[c].nunique(dropna=True)),
        "values": [str(v) for v in sorted(df[c].dropna().astype(str).unique())[:20]],
    } for c in df.columns]
    if x1 is None and label is None:
        binary = [c["name"] for c in columns if c["n_unique"] == 2]
        feats = [c["name"] for c in columns if c["numeric"] and c["name"] not in binary[-1:]]
        return {"columns": columns, "n_rows": int(df.shape[0]),
                "guess": {"x1": feats[0] if feats else None,
                          "x2": feats[1] if len(feats) > 1 else None,
                          "label": binary[-1] if binary else None}}
    for field, name in (("x1", x1), ("x2", x2), ("label", label)):
        if name is not None and name != "" and name not in df.columns:
            raise LabInputError(field, f"column {name!r} is not in the file "
                                f"(columns: {', '.join(df.columns[:20])}).")
    if not x1:
        raise LabInputError("x1", "choose a feature column.")
    if not label:
        raise LabInputError("label", "choose the label column.")
    feats = [x1] + ([x2] if x2 else [])
    if label in feats:
        raise LabInputError("label", "must differ from the feature columns.")
    if x2 and x2 == x1:
        raise LabInputError("x2", "must differ from x1.")
    for field, name in zip(("x1", "x2"), feats, strict=False):
        if not is_numeric(name):
            raise LabInputError(field, f"column {name!r} is not numeric.")
    frame = pd.DataFrame({f: numeric[f] for f in feats})
    frame["__label"] = df[label].astype("string")
    n_before = len(frame)
    frame = frame.replace([np.inf, -np.inf], np.nan).dropna()
    dropped = n_before - len(frame)
    labels = sorted(frame["__label"].unique().tolist(), key=_label_key)
    if len(labels) != 2:
        raise LabInputError("label", f"column {label!r} must have exactly two values; it has "
                            f"{len(labels)} ({', '.join(map(str, labels[:6]))}).")
    pos = positive if positive else labels[-1]
    if pos not in labels:
        raise LabInputError("positive", f"{pos!r} is not a value of {label!r} "
                            f"({labels[0]!r} or {labels[1]!r}).")
    note = []
    if dropped:
        note.append(f"{dropped} row(s) with a missing or non-numeric value dropped")
    if len(frame) > LIMITS["max_rows"]:
        note.append(f"only the first {LIMITS['max_rows']} of {len(frame)} rows kept")
        frame = frame.iloc[: LIMITS["max_rows"]]
    if len(frame) < 2:
        raise LabInputError("file", "fewer than two complete rows remain after dropping missing values.")
    Xu = frame[feats].to_numpy(dtype=float)
    if np.abs(Xu).max() > 1e12:
        raise LabInputError("file", "feature values above 1e12 are not accepted.")
    yv = (frame["__label"] == pos).to_numpy(dtype=float)
    if yv.min() == yv.max():
        raise LabInputError("label", "only one class remains after dropping incomplete rows.")
    data = {
        "name": "upload", "title": f"Your CSV: {file.filename or 'upload'}",
        "description": f"{len(frame)} rows; features {', '.join(feats)}; label {label} "
                       f"(positive = {pos}).", "X": Xu, "y": yv, "features": feats,
        "target": label, "positive": str(pos), "note": "; ".join(note),
    }
    data["suggested"] = scenarios.suggested_settings("upload", Xu)
    return clean(data)


def _label_key(v: str) -> tuple[int, float | str]:
    try:
        return (0, float(v))
    except ValueError:
        return (1, v)
