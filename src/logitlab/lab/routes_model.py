"""The lab's routes for one point θ: the data sets, the state at θ (J, ∇J, the table, the
sigmoid or probability map, the threshold metrics), gradient descent and the jump to the minimum."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
from fastapi import APIRouter
from numpy.typing import NDArray

from .. import __version__, metrics
from ..loss import log_loss, log_loss_pointwise, mse_sigmoid_pointwise, sigmoid
from ..solvers import gradient_descent
from . import scenarios
from .common import LIMITS, FitRequest, GDRequest, LabInputError, Prepared, StateRequest, clean, padded, quiet, solve
from .course_content import GLOSSARY

router = APIRouter(prefix="/api")


@router.get("/meta")
def meta() -> dict[str, Any]:
    """Data sets, presets and limits: what the page builds its menus from."""
    return {
        "version": __version__,
        "datasets": [{"name": k, "title": t, "description": d}
                     for k, (t, d) in scenarios.DATASETS.items()],
        "presets": scenarios.PRESETS,
        "glossary": GLOSSARY,
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
    with quiet():
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
        lo, hi = padded(float(X[:, 0].min()), float(X[:, 0].max()), 0.15)
        xs = np.linspace(lo, hi, 301)
        z = prep.scores_at(xs[:, None], theta)
        boundary = None
        # where z = 0: found from the scores at two points (z is affine in x)
        z0, z1 = prep.scores_at(np.array([[0.0], [1.0]]), theta)
        if z1 != z0:
            boundary = float(-z0 / (z1 - z0))
        return {"kind": "sigmoid", "x": xs, "p": sigmoid(z), "boundary": boundary,
                "x_range": [lo, hi]}
    (x0lo, x0hi), (x1lo, x1hi) = (padded(float(X[:, j].min()), float(X[:, j].max()))
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



@router.post("/fit")
def fit(req: FitRequest) -> dict[str, Any]:
    """Jump to the minimum of J with the core's solver (the 'answer' gradient descent walks to)."""
    prep = Prepared(req)
    theta0 = None if req.theta0 is None else prep.theta(req.theta0, "theta0")
    with quiet():
        warnings.simplefilter("ignore")
        res = solve(prep.objective, theta0)
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
    with quiet():
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


