"""The course's routes: its content, drill checks, the reorder check, flash-card numbers and
concept to code. Every number is computed here by the core (loss, objective, solvers, metrics);
the page only shows it. Progress and card schedules live in the learner's browser."""

from __future__ import annotations

import importlib
import inspect
import warnings
from typing import Any

import numpy as np
from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from .. import metrics
from ..loss import log_loss_pointwise, sigmoid
from ..objective import Objective
from ..penalty import ElasticNet
from ..solvers import gradient_descent
from . import course_content as C
from . import scenarios
from .common import LabInputError, Param, Prepared, StateRequest, clean, make_objective, quiet, solve

router = APIRouter(prefix="/api/course")

#: the drill's learning-rate question is decided by runs of at most this many steps
LR_MAX_STEPS = 2000


def _logit(p: float) -> float:
    return float(np.log(p) - np.log1p(-p))


def _loss(y: float, p: float) -> float:
    """The per-example log-loss at probability p, computed by the core from the logit."""
    return float(log_loss_pointwise(np.array([y]), np.array([_logit(p)]))[0])


def _dataset_objective(name: str, lam: float = 0.0, l1_ratio: float = 0.0, loss: str = "log",
               standardize: bool = False) -> tuple[Objective, Prepared]:
    data = scenarios.load(name)
    req = StateRequest(X=data["X"], y=data["y"], lam=lam, l1_ratio=l1_ratio, loss=loss,
                       standardize=standardize, theta=[0.0] * (len(data["X"][0]) + 1))
    prep = Prepared(req)
    return prep.objective, prep


_COMPUTE = {
    "loss_y1_0.01": lambda: _loss(1, 0.01),
    "loss_y1_0.99": lambda: _loss(1, 0.99),
    "loss_y1_0.8": lambda: _loss(1, 0.8),
    "loss_y0_0.3": lambda: _loss(0, 0.3),
    "J_zero_hours": lambda: _dataset_objective("hours")[0].value(np.zeros(2)),
    "sigmoid_slope": lambda: float(sigmoid(np.array([0.0]))[0] * (1 - sigmoid(np.array([0.0]))[0])),
    "J_three": lambda: float(np.mean([_loss(1, 0.9), _loss(0, 0.2), _loss(1, 0.6)])),
}


@router.get("")
def course() -> dict[str, Any]:
    """Everything the course shows: lessons, drill tasks, decisions, the pipeline's steps (in a
    fixed shuffled order), interview questions, flash cards with their computed numbers."""
    cards = []
    for card in C.CARDS:
        c = dict(card)
        if "compute" in c:
            c["value"] = _COMPUTE[c["compute"]]()
            c["back"] = c["back"].format(value=f"{c['value']:.4g}")
        cards.append(c)
    order = np.random.default_rng(7).permutation(len(C.PIPELINE))
    return clean({
        "lessons": C.LESSONS, "drill": C.DRILL, "decisions": C.DECISIONS,
        "pipeline": [{"id": C.PIPELINE[i]["id"], "label": C.PIPELINE[i]["label"]} for i in order],
        "interview": C.INTERVIEW, "cards": cards, "glossary": C.GLOSSARY,
        "concepts": {k: v["title"] for k, v in C.CONCEPTS.items()},
    })


class DrillAnswer(BaseModel):
    """A drill answer: the chosen option (predict tasks) or the lab's settings (target tasks)."""

    model_config = ConfigDict(extra="forbid")
    answer: str | None = Field(None, max_length=100)
    theta: list[Param] | None = Field(None, min_length=2, max_length=3)
    lam: float | None = Field(None, ge=0.0, le=1e6, allow_inf_nan=False)


def _check_j_below(a: DrillAnswer, task: dict) -> dict[str, Any]:
    obj, _ = _dataset_objective("hours")
    theta = _need_theta(a, 2)
    J = obj.value(theta)
    ok = J < task["target"]
    best = solve(obj, None)
    return {"correct": ok, "value": J, "reveal": {"J": J, "J_min": obj.value(best.theta),
                                                  "theta_min": best.theta},
            "feedback": f"J = {J:.4f} at w = {theta[0]:.3g}, b = {theta[1]:.3g}: " +
            ("below 0.45. " if ok else "not below 0.45 yet. ") +
            ("" if ok else task["hint"])}


def _check_l1_zero(a: DrillAnswer, task: dict) -> dict[str, Any]:
    if a.lam is None:
        raise LabInputError("lam", "send the λ to check.")
    obj, _ = _dataset_objective("overlapping", lam=a.lam, l1_ratio=1.0)
    with quiet():
        warnings.simplefilter("ignore")
        res = solve(obj, None)
    w = res.theta[:-1]
    zeros = int(np.sum(w == 0.0))
    ok = zeros == 1
    advice = {0: "No weight is 0 yet: raise λ.", 2: "Both weights are 0: λ is past λ_max; lower it."}
    return {"correct": ok, "value": zeros, "reveal": {"w": w, "b": res.theta[-1], "lam": a.lam},
            "feedback": f"At λ = {a.lam:.4g} the fitted weights are ({w[0]:.4g}, {w[1]:.4g}). " +
            ("Exactly one is 0: L1 switched that feature off." if ok else advice.get(zeros, ""))}


def _need_theta(a: DrillAnswer, size: int) -> np.ndarray:
    if a.theta is None or len(a.theta) != size:
        raise LabInputError("theta", f"send the {size} numbers of θ to check.")
    return np.asarray(a.theta, dtype=np.float64)


def _predict_confident_right() -> tuple[str, dict, str]:
    lo, hi = _loss(1, 0.9), _loss(1, 0.99)
    answer = "falls" if hi < lo else ("rises" if hi > lo else "stays the same")
    return answer, {"loss_0.9": lo, "loss_0.99": hi}, (
        f"ℓ = −log ŷ goes from {lo:.4f} to {hi:.4f}: J falls by {(lo - hi) / 20:.4f} on the 20 "
        "hours examples. Being more confident and right always lowers the log-loss.")


def _predict_confident_wrong() -> tuple[str, dict, str]:
    v = _loss(1, 0.01)
    options = [0.01, 0.69, 4.6]
    answer = ["0.01", "0.69", "4.6"][int(np.argmin([abs(v - o) for o in options]))]
    return answer, {"loss": v}, (f"−log(0.01) = {v:.4f}: a confident mistake costs about 460 times "
                                 "as much as a confident hit (−log 0.99 ≈ 0.01). It is finite: "
                                 "only ŷ = 0 exactly would make it infinite.")


def _predict_mse_convex() -> tuple[str, dict, str]:
    obj, prep = _dataset_objective("hours")
    mse = make_objective("mse", prep.design(prep.X), prep.y, None, 0.0, 0.0)
    theta = np.array([-5.0, 15.0])  # the plateau preset's start, where every ŷ is confidently wrong
    h = 1e-4
    H = np.empty((2, 2))
    for j in range(2):  # Hessian by central differences of the core's gradient
        e = np.zeros(2)
        e[j] = h
        H[:, j] = (mse.gradient(theta + e) - mse.gradient(theta - e)) / (2 * h)
    eig = np.linalg.eigvalsh(0.5 * (H + H.T))
    answer = "no" if eig.min() < 0 else "yes, one bowl"
    return answer, {"theta": theta, "hessian_eigenvalues": eig}, (
        f"At w = −5, b = 15 the Hessian of the MSE cost has eigenvalues {eig[0]:.3g} and {eig[1]:.3g}: "
        "a negative one means the surface curves downward there, so it is not convex. The log-loss "
        "Hessian (1/m)·Σ ŷ(1 − ŷ)·x̃x̃ᵀ is never negative.")


def _predict_first_step() -> tuple[str, dict, str]:
    obj, _ = _dataset_objective("hours")
    g = obj.gradient(np.zeros(2))
    step = -0.1 * g[0]
    answer = "increase w" if step > 0 else ("decrease w" if step < 0 else "leave w")
    return answer, {"gradient": g}, (
        f"∂J/∂w = (1/m)·Σ(ŷ − y)·x = {g[0]:.4f} at θ = 0: negative, because students who passed "
        "studied longer, so −α∂J/∂w > 0 and w increases.")


def _predict_learning_rate() -> tuple[str, dict, str]:
    obj, _ = _dataset_objective("hours")
    runs = {}
    with quiet():
        warnings.simplefilter("ignore")
        for a in ("0.05", "0.5", "1", "2.5"):
            r = gradient_descent(obj, np.zeros(2), float(a), 1e-6, LR_MAX_STEPS)
            runs[a] = {"status": r.status, "n_iter": r.n_iter}
    done = {a: r["n_iter"] for a, r in runs.items() if r["status"] == "converged"}
    answer = min(done, key=done.get)
    text = "; ".join(f"α = {a}: {r['status']} after {r['n_iter']} steps" for a, r in runs.items())
    return answer, {"runs": runs}, (f"{text}. The largest α below the divergence limit "
                                    "(2 / largest curvature of J) is fastest.")


def _predict_threshold() -> tuple[str, dict, str]:
    obj, prep = _dataset_objective("hours")
    theta = solve(obj, None).theta
    p = sigmoid(obj.scores(theta))
    r5 = metrics.recall(prep.y, (p > 0.5).astype(float))
    r8 = metrics.recall(prep.y, (p > 0.8).astype(float))
    answer = "falls" if r8 < r5 else ("rises" if r8 > r5 else "stays the same")
    return answer, {"recall_0.5": r5, "recall_0.8": r8}, (
        f"Recall goes from {r5:.3f} to {r8:.3f}: a higher threshold predicts 'pass' for fewer "
        "students, so fewer of those who passed are found (recall can only fall or stay).")


_PREDICT = {"confident_right": _predict_confident_right, "confident_wrong": _predict_confident_wrong,
            "mse_convex": _predict_mse_convex, "first_step": _predict_first_step,
            "learning_rate": _predict_learning_rate, "threshold_recall": _predict_threshold}
_TARGET = {"j_below": _check_j_below, "l1_zero": _check_l1_zero}


@router.post("/drill/{task_id}")
def drill(task_id: str, a: DrillAnswer) -> dict[str, Any]:
    """Check a drill answer with the core; the feedback says why it is right or wrong."""
    task = next((t for t in C.DRILL if t["id"] == task_id), None)
    if task is None:
        raise LabInputError("task", f"unknown drill task {task_id!r}.")
    if task["kind"] == "target":
        return clean({"task": task_id, **_TARGET[task_id](a, task)})
    if a.answer not in task["options"]:
        raise LabInputError("answer", f"choose one of: {', '.join(task['options'])}.")
    answer, reveal, why = _PREDICT[task_id]()
    ok = a.answer == answer
    return clean({"task": task_id, "correct": ok, "answer": answer, "reveal": reveal,
                  "feedback": ("Right. " if ok else f"Not quite: the answer is “{answer}”. ") + why})


class Order(BaseModel):
    model_config = ConfigDict(extra="forbid")
    order: list[str] = Field(min_length=1, max_length=20)


@router.post("/reorder")
def reorder(req: Order) -> dict[str, Any]:
    """Check the pipeline's order: each step placed right or explained (leakage, skew, …)."""
    ids = [s["id"] for s in C.PIPELINE]
    if sorted(req.order) != sorted(ids):
        raise LabInputError("order", f"send each of the {len(ids)} steps once: {', '.join(ids)}.")
    steps = {s["id"]: s for s in C.PIPELINE}
    placed = []
    for pos, sid in enumerate(req.order):
        ok = ids[pos] == sid
        placed.append({"id": sid, "ok": ok, "position": pos + 1, "belongs": ids.index(sid) + 1,
                       "why": "" if ok else steps[sid]["misplaced"]})
    n_ok = sum(p["ok"] for p in placed)
    return {"correct": n_ok == len(ids), "n_correct": n_ok, "placed": placed}


def _resolve(dotted: str) -> Any:
    """The object named by a dotted path: the longest importable module, then attributes."""
    parts = dotted.split(".")
    for k in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:k]))
        except ModuleNotFoundError:
            continue
        for name in parts[k:]:
            obj = getattr(obj, name)
        return obj
    raise LookupError(dotted)


def _concept(name: str) -> dict[str, str]:
    if name not in C.CONCEPTS:
        raise LabInputError("concept", f"unknown concept {name!r}; choose one of {', '.join(C.CONCEPTS)}.")
    return C.CONCEPTS[name]


@router.get("/code/{name}")
def code(name: str) -> dict[str, Any]:
    """The real source of the function that implements the concept (``inspect.getsource``)."""
    entry = _concept(name)
    fn = inspect.unwrap(_resolve(entry["function"]))
    lines, start = inspect.getsourcelines(fn)
    return {"concept": name, "title": entry["title"], "function": entry["function"],
            "file": inspect.getsourcefile(fn).split("site-packages/")[-1].split("src/")[-1],
            "line": start, "source": "".join(lines)}


@router.post("/code/{name}")
def call(name: str, req: StateRequest) -> dict[str, Any]:
    """A live call of the concept's function on the lab's current state (first rows shown)."""
    _concept(name)
    prep = Prepared(req)
    obj = prep.objective
    theta = prep.theta(req.theta, "theta")
    k = min(5, prep.y.size)
    with quiet():
        warnings.simplefilter("ignore")
        z = obj.scores(theta).copy()
        out = _CALLS[name](prep, obj, theta, z, k, req)
    return clean({"concept": name, **out})


def _call_threshold(prep, obj, theta, z, k, req) -> dict[str, Any]:
    p = sigmoid(z)
    choice = metrics.choose_threshold(prep.y, p, req.cost_fp, req.cost_fn)
    return {"call": f"metrics.choose_threshold(y, ŷ, cost_fp={req.cost_fp:g}, cost_fn={req.cost_fn:g})",
            "result": choice.as_dict()}


def _call_gd(prep, obj, theta, z, k, req) -> dict[str, Any]:
    r = gradient_descent(obj, theta, req.learning_rate, 1e-12, 1)
    return {"call": f"gradient_descent(objective, θ, learning_rate={req.learning_rate:g}, max_iter=1)",
            "result": {"theta_before": theta, "theta_after": r.theta, "J_before": obj.value(theta),
                       "J_after": obj.value(r.theta), "status": r.status}}


_CALLS = {
    "sigmoid": lambda prep, obj, theta, z, k, req: {
        "call": f"sigmoid(z[:{k}])", "result": {"z": z[:k], "sigmoid": sigmoid(z[:k])}},
    "log_loss": lambda prep, obj, theta, z, k, req: {
        "call": f"log_loss_pointwise(y[:{k}], z[:{k}])",
        "result": {"y": prep.y[:k], "z": z[:k], "loss": log_loss_pointwise(prep.y[:k], z[:k])}},
    "J": lambda prep, obj, theta, z, k, req: {
        "call": "Objective(X, y, lam, l1_ratio).value(θ)",
        "result": {"theta": theta, "J": obj.value(theta), "data_loss": obj.parts(theta).data_loss,
                   "penalty": obj.parts(theta).penalty}},
    "gradient": lambda prep, obj, theta, z, k, req: {
        "call": "Objective(X, y, lam, l1_ratio).smooth_value_grad(θ)",
        "result": dict(zip(("value", "gradient"), obj.smooth_value_grad(theta), strict=True))},
    "gd_update": _call_gd,
    "penalty": lambda prep, obj, theta, z, k, req: {
        "call": f"ElasticNet(lam={req.lam:g}, l1_ratio={req.l1_ratio:g}, n_samples={prep.y.size}).value(w)",
        "result": {"w": theta[:-1], "penalty": ElasticNet(req.lam, req.l1_ratio, prep.y.size).value(theta[:-1]),
                   "penalty_in_J": obj.parts(theta).penalty}},
    "threshold": _call_threshold,
}
