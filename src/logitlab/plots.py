"""Plotly figures for a trained model: how J fell, where the examples sit on the sigmoid, the cost
landscape with gradient descent's path, and the evaluation curves.

Builders only — each returns a ``plotly.graph_objects.Figure`` and never shows or saves it, so the
HTML report and the lab can both use them. Every number comes from the core: J and its gradient
from :class:`~logitlab.objective.Objective`, paths from
:func:`~logitlab.solvers.gradient_descent` (``record_path=True``), curves from
:mod:`logitlab.metrics`.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import plotly.graph_objects as go
from numpy.typing import NDArray
from plotly.subplots import make_subplots

from . import metrics as M
from .design import Design
from .loss import log_loss_pointwise, sigmoid
from .objective import Objective
from .solvers import gradient_descent

__all__ = [
    "Landscape",
    "landscape",
    "slice_gradient_descent",
    "learning_curve_figure",
    "sigmoid_figure",
    "contour_figure",
    "surface_figure",
    "loss_comparison_figure",
    "roc_figure",
    "pr_figure",
    "calibration_figure",
    "confusion_figure",
    "threshold_figure",
    "coefficients_figure",
    "largest_loss_figure",
]

#: Class colours, the same in the report and the lab: red is class 1 (positive), blue class 0.
#: No other series uses them, so a red mark always means "positive".
NEG, POS = "#1f77b4", "#d62728"
#: Colours for series that are not classes (runs, data parts, metrics).
SERIES = ["#6b3fd6", "#b06a00", "#0f8b8d", "#555555"]
INTERCEPT = "b (intercept)"

#: The camera and proportions that show a whole cost surface (the default crops its corners).
SCENE_VIEW = {"aspectmode": "manual", "aspectratio": {"x": 1, "y": 1, "z": 0.7},
              "camera": {"eye": {"x": 1.6, "y": -1.6, "z": 1.05}}}


def _layout(fig: go.Figure, title: str, height: int = 420) -> go.Figure:
    fig.update_layout(title=title, height=height, template="plotly_white",
                      margin={"l": 60, "r": 30, "t": 60, "b": 50})
    return fig


# -- the cost landscape ---------------------------------------------------------------------
class _SliceDesign(Design):
    """Two (or one) columns of the training design plus fixed scores from the other parameters,
    so J over the chosen parameters is an ordinary Objective gradient descent can minimize."""

    def __init__(self, X: NDArray, offset, scale, fixed_scores: NDArray) -> None:
        super().__init__(X, offset, scale)
        self.fixed_scores = fixed_scores

    def matvec(self, w: NDArray, out: NDArray | None = None) -> NDArray:
        z = super().matvec(w, out)
        z += self.fixed_scores
        return z


@dataclass
class Landscape:
    """J on a grid over two parameters (the rest held at θ*), for one loss."""

    axes: list[int]
    names: list[str]
    x: NDArray
    y: NDArray
    Z: NDArray
    optimum: NDArray
    J_optimum: float
    loss: str


def _param_names(objective: Objective, feature_names: list[str]) -> list[str]:
    return list(feature_names) + ([INTERCEPT] if objective.fit_intercept else [])


def default_axes(objective: Objective, theta: NDArray) -> list[int]:
    """The intercept and the strongest weight (or the two strongest weights without intercept)."""
    w, _ = objective.split(theta)
    order = [int(i) for i in np.argsort(-np.abs(w), kind="stable")]
    if objective.fit_intercept:
        return [order[0], objective.n_params - 1]
    return order[:2] if len(order) > 1 else order


def _half_widths(objective: Objective, theta: NDArray, axes: list[int], widen: float) -> NDArray:
    out = []
    for k in axes:
        if objective.fit_intercept and k == objective.n_params - 1:
            unit = 1.0
        else:
            e = np.zeros(objective.n_params)
            e[k] = 1.0
            unit = 1.0 / max(float(np.std(objective.direction_scores(e))), 1e-12)
        out.append(widen * max(1.5 * abs(float(theta[k])), 2.0 * unit))
    return np.array(out)


def _slice_order(objective: Objective, axes: list[int]) -> list[int]:
    """The slice objective's parameter order: the chosen weights (in ``axes`` order), then b."""
    b_axis = objective.n_params - 1 if objective.fit_intercept else None
    return [a for a in axes if a != b_axis] + ([b_axis] if b_axis in axes else [])


def slice_objective(objective: Objective, theta: NDArray, axes: list[int]) -> Objective:
    """J as a function of the ``axes`` parameters alone, the others fixed at θ (an Objective;
    its J differs from the full one by the constant penalty of the fixed weights)."""
    d = objective.design
    order = _slice_order(objective, axes)
    w_axes = [a for a in order if not (objective.fit_intercept and a == objective.n_params - 1)]
    rest = np.array(theta, dtype=np.float64, copy=True)
    rest[axes] = 0.0
    fixed = np.array(objective.scores(rest), copy=True)
    Xs = d.X[:, w_axes].toarray() if d.is_sparse else np.asarray(d.X)[:, w_axes]
    off = None if d.offset is None else d.offset[w_axes]
    sc = None if d.scale is None else d.scale[w_axes]
    sd = _SliceDesign(np.asarray(Xs, dtype=np.float64), off, sc, fixed)
    return _objective(objective.loss, sd, objective.y, objective.sample_weight, objective.lam,
                      objective.l1_ratio, len(w_axes) < len(order))


def _objective(loss: str, design: Design, y: NDArray, sample_weight: NDArray | None, lam: float,
               l1_ratio: float, fit_intercept: bool) -> Objective:
    """This module's one construction of an objective for a named loss (log, or the teaching MSE),
    so moving MSE/hinge to their own datafits changes one call."""
    return Objective(design, y, sample_weight, lam=lam, l1_ratio=l1_ratio, fit_intercept=fit_intercept,
                     loss=loss)


def landscape(
    objective: Objective, theta: NDArray, axes: list[int], feature_names: list[str],
    n: int = 41, widen: float = 1.0,
) -> Landscape:
    """J (this objective's loss) on an n × n grid around θ over ``axes``, the others held at θ.

    Evaluated through the slice objective (two columns, so each point costs one pass over m
    numbers) plus the constant penalty of the fixed weights: exactly the full J.
    """
    theta = np.asarray(theta, dtype=np.float64)
    half = _half_widths(objective, theta, axes, widen)
    mid = theta[axes]
    x = np.linspace(mid[0] - half[0], mid[0] + half[0], n)
    y = np.linspace(mid[1] - half[1], mid[1] + half[1], n)
    sobj = slice_objective(objective, theta, axes)
    perm = [axes.index(a) for a in _slice_order(objective, axes)]
    s = theta[_slice_order(objective, axes)]
    const = objective.value(theta) - sobj.value(s)
    Z = np.empty((n, n))
    u = np.empty(2)
    with np.errstate(over="ignore"):
        for i, yv in enumerate(y):
            for j, xv in enumerate(x):
                u[0], u[1] = xv, yv
                Z[i, j] = sobj.value(u[perm]) + const
    names = _param_names(objective, feature_names)
    return Landscape(list(axes), [names[a] for a in axes], x, y, Z, theta[axes],
                     float(objective.value(theta)), objective.loss)


def slice_gradient_descent(
    objective: Objective, theta: NDArray, axes: list[int], start: NDArray,
    learning_rate: float | None = None, max_iter: int = 400, tol: float = 1e-6,
) -> tuple[NDArray, NDArray, float, str]:
    """Gradient descent over the ``axes`` parameters from ``start`` (the others fixed at θ).

    Returns (path of the two parameters in ``axes`` order, the full J along it, the learning
    rate, the solver's status). Without a learning rate it tries 1/λ_max of the slice's Hessian
    at θ and halves it until gradient descent does not diverge.
    """
    theta = np.asarray(theta, dtype=np.float64)
    order = _slice_order(objective, axes)
    perm = [axes.index(a) for a in order]
    sobj = slice_objective(objective, theta, axes)
    s0 = np.asarray(start, dtype=np.float64)[perm]
    if learning_rate is None:
        top = float(np.linalg.eigvalsh(sobj.hessian(theta[order]))[-1]) if objective.loss == "log" else 1.0
        rates = [0.5 / max(top, 1e-12) / 2**k for k in range(10)]
    else:
        rates = [learning_rate]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for rate in rates:
            res = gradient_descent(sobj, s0, learning_rate=rate, tol=tol, max_iter=max_iter,
                                   record_path=True)
            if res.status != "diverged":
                break
    P = np.empty((len(res.path), 2))
    P[:, perm] = np.array(res.path)
    const = objective.value(theta) - sobj.value(theta[order])
    J = np.array([sobj.value(pt) + const for pt in res.path])
    return P, J, rate, res.status


def _path_traces_2d(path: NDArray | None) -> list[go.Scatter]:
    if path is None or len(path) == 0:
        return []
    return [
        go.Scatter(x=path[:, 0], y=path[:, 1], mode="lines+markers", name="gradient descent",
                   line={"color": "white", "width": 2}, marker={"size": 4, "color": "white"}),
        go.Scatter(x=[path[0, 0]], y=[path[0, 1]], mode="markers", name="start",
                   marker={"symbol": "circle-open", "size": 12, "color": "white", "line": {"width": 3}}),
    ]


def contour_figure(ls: Landscape, path: NDArray | None = None, title: str | None = None) -> go.Figure:
    """Contour map of J over two parameters, the optimum and gradient descent's path."""
    fig = go.Figure(go.Contour(x=ls.x, y=ls.y, z=ls.Z, colorscale="Viridis", ncontours=30,
                               colorbar={"title": "J"}, name="J",
                               hovertemplate=f"{ls.names[0]}=%{{x:.4g}}<br>{ls.names[1]}=%{{y:.4g}}"
                                             "<br>J=%{z:.5g}<extra></extra>"))
    for tr in _path_traces_2d(path):
        fig.add_trace(tr)
    fig.add_trace(go.Scatter(x=[ls.optimum[0]], y=[ls.optimum[1]], mode="markers", name="optimum θ*",
                             marker={"symbol": "star", "size": 16, "color": "#ffdd00",
                                     "line": {"width": 1, "color": "black"}}))
    fig.update_xaxes(title=ls.names[0])
    fig.update_yaxes(title=ls.names[1])
    fig.update_layout(legend={"orientation": "h", "x": 0, "y": -0.16, "yanchor": "top"})
    fig = _layout(fig, title or f"Cost landscape J({ls.names[0]}, {ls.names[1]}), other parameters at θ*",
                  height=540)
    fig.update_layout(margin={"l": 60, "r": 30, "t": 60, "b": 110})  # room for the legend under the axis
    return fig


def surface_figure(ls: Landscape, path: NDArray | None = None, path_J: NDArray | None = None,
                   title: str | None = None) -> go.Figure:
    """The same J as a rotatable 3D surface, with the optimum and gradient descent's path on it."""
    fig = go.Figure(go.Surface(x=ls.x, y=ls.y, z=ls.Z, colorscale="Viridis", opacity=0.92,
                               name="J", colorbar={"title": "J"}))
    if path is not None and path_J is not None and len(path):
        fig.add_trace(go.Scatter3d(x=path[:, 0], y=path[:, 1], z=path_J, mode="lines+markers",
                                   name="gradient descent", line={"color": "white", "width": 5},
                                   marker={"size": 2, "color": "white"}))
    fig.add_trace(go.Scatter3d(x=[ls.optimum[0]], y=[ls.optimum[1]], z=[ls.J_optimum], mode="markers",
                               name="optimum θ*", marker={"size": 6, "color": "#ffdd00", "symbol": "diamond"}))
    fig.update_layout(scene={"xaxis_title": ls.names[0], "yaxis_title": ls.names[1], "zaxis_title": "J",
                             **SCENE_VIEW},
                      legend={"orientation": "h", "x": 0, "y": 0, "yanchor": "top"})
    fig = _layout(fig, title or "Cost surface (drag to rotate)", height=620)
    fig.update_layout(margin={"l": 10, "r": 10, "t": 60, "b": 40})  # a 3D scene needs no axis margins
    return fig


def loss_comparison_figure(log_ls: Landscape, mse_ls: Landscape) -> go.Figure:
    """Log-loss J beside MSE-on-sigmoid J over the same parameters: a convex bowl beside a
    non-convex surface whose flat plateaus stall gradient descent."""
    fig = make_subplots(rows=1, cols=2, specs=[[{"type": "surface"}, {"type": "surface"}]],
                        subplot_titles=("log-loss (convex)", "MSE on the sigmoid ½(σ(z) − y)² (non-convex)"))
    fig.add_trace(go.Surface(x=log_ls.x, y=log_ls.y, z=log_ls.Z, colorscale="Viridis", showscale=False,
                             name="log-loss J"), row=1, col=1)
    fig.add_trace(go.Surface(x=mse_ls.x, y=mse_ls.y, z=mse_ls.Z, colorscale="Cividis", showscale=False,
                             name="MSE J"), row=1, col=2)
    for scene in ("scene", "scene2"):
        fig.layout[scene].update(xaxis_title=log_ls.names[0], yaxis_title=log_ls.names[1], zaxis_title="J",
                                 **SCENE_VIEW)
    fig = _layout(fig, "Same data, same parameters: log-loss vs MSE on the sigmoid", height=560)
    fig.update_layout(margin={"l": 10, "r": 10, "t": 80, "b": 20})
    return fig


# -- training --------------------------------------------------------------------------------
def learning_curve_figure(runs: dict[str, list[float] | NDArray], J_min: float | None = None) -> go.Figure:
    """J per iteration for each run (left) and J − J_min on a log scale (right)."""
    fig = make_subplots(rows=1, cols=2, subplot_titles=("J per iteration", "J − J* (log scale)"))
    colors = SERIES
    finite = [float(np.nanmin(np.where(np.isfinite(h), h, np.nan))) for h in map(np.asarray, runs.values())
              if np.any(np.isfinite(h))]
    lo = J_min if J_min is not None else (min(finite) if finite else 0.0)
    for k, (name, hist) in enumerate(runs.items()):
        h = np.asarray(hist, dtype=np.float64)
        it = np.arange(h.size)
        c = colors[k % len(colors)]
        fig.add_trace(go.Scatter(x=it, y=h, mode="lines+markers" if h.size < 60 else "lines", name=name,
                                 line={"color": c}, legendgroup=name), row=1, col=1)
        gap = h - lo
        gap = np.where(gap > 0, gap, np.nan)
        fig.add_trace(go.Scatter(x=it, y=gap, mode="lines+markers" if h.size < 60 else "lines", name=name,
                                 line={"color": c}, legendgroup=name, showlegend=False), row=1, col=2)
    fig.update_xaxes(title="iteration")
    fig.update_yaxes(title="J", row=1, col=1)
    fig.update_yaxes(type="log", exponentformat="e", row=1, col=2)
    return _layout(fig, "Learning curve: how the cost J fell")


def sigmoid_figure(z: NDArray, y01: NDArray, labels: tuple[Any, Any], threshold: float,
                   split: NDArray | None = None, max_points: int = 1500, seed: int = 0) -> go.Figure:
    """σ(z) with the examples at their scores z in two strips, positives above ŷ = 1 and negatives
    below ŷ = 0, jittered vertically: on the curve itself thousands of points hid one class under
    the other. At most ``max_points`` per class are drawn (a seeded sample)."""
    z = np.asarray(z, dtype=np.float64)
    y01 = np.asarray(y01)
    rng = np.random.default_rng(seed)
    lim = max(6.0, float(np.percentile(np.abs(z), 99)) * 1.1)
    grid = np.linspace(-lim, lim, 400)
    fig = go.Figure(go.Scatter(x=grid, y=sigmoid(grid), mode="lines", name="σ(z) = 1/(1+e^−z)",
                               line={"color": "black"}))
    for cls, color, label in ((0, NEG, labels[0]), (1, POS, labels[1])):
        sel = np.flatnonzero(y01 == cls)
        shown = sel if sel.size <= max_points else np.sort(rng.choice(sel, max_points, replace=False))
        zc = np.clip(z[shown], -lim, lim)
        strip = 1.04 + 0.1 * rng.random(shown.size) if cls == 1 else -0.04 - 0.1 * rng.random(shown.size)
        sym = None if split is None else np.where(np.asarray(split)[shown], "x", "circle")
        sample = "" if shown.size == sel.size else f", {shown.size:,} of {sel.size:,} shown"
        fig.add_trace(go.Scatter(x=zc, y=strip, mode="markers", name=f"true: {label}{sample}",
                                 marker={"color": color, "size": 6, "opacity": 0.5, "symbol": sym},
                                 customdata=np.column_stack([shown, sigmoid(z[shown])]),
                                 hovertemplate="row %{customdata[0]}<br>z=%{x:.3f}<br>ŷ=%{customdata[1]:.3f}"
                                               "<extra></extra>"))
    z_t = float(np.log(threshold / (1 - threshold)))
    fig.add_hline(y=threshold, line_dash="dash", line_color="grey",
                  annotation_text=f"threshold {threshold:.3g}")
    fig.add_vline(x=z_t, line_dash="dot", line_color="grey")
    fig.update_xaxes(title="score z = w·x + b")
    fig.update_yaxes(title="ŷ = σ(z) = P(positive)", range=[-0.17, 1.17],
                     tickvals=[0, 0.25, 0.5, 0.75, 1])
    title = "The sigmoid with the examples on it"
    if split is not None:
        title += " (× = held-out)"
    return _layout(fig, title, height=460)


# -- evaluation ------------------------------------------------------------------------------
def _thin(*arrays: NDArray, k: int = 2000) -> tuple[NDArray, ...]:
    """At most k evenly spaced points of a curve (ends kept), so large data keep the page light."""
    n = len(arrays[0])
    if n <= k:
        return arrays
    idx = np.unique(np.linspace(0, n - 1, k).round().astype(int))
    return tuple(np.asarray(a)[idx] for a in arrays)


def _sets(sets: dict[str, tuple[NDArray, NDArray]]) -> list[tuple[str, NDArray, NDArray, dict]]:
    styles = [{"color": SERIES[0]}, {"color": SERIES[1], "dash": "dash"}]
    return [(name, np.asarray(y), np.asarray(p), styles[k % 2]) for k, (name, (y, p)) in enumerate(sets.items())]


def roc_figure(sets: dict[str, tuple[NDArray, NDArray]]) -> go.Figure:
    """ROC curves (TPR against FPR) with their AUC, one per data part."""
    fig = go.Figure(go.Scatter(x=[0, 1], y=[0, 1], mode="lines", name="chance",
                               line={"color": "grey", "dash": "dot"}))
    for name, y, p, style in _sets(sets):
        if not 0 < y.sum() < y.size:
            continue
        fpr, tpr, _ = M.roc_curve(y, p)
        fpr, tpr = _thin(fpr, tpr)
        fig.add_trace(go.Scatter(x=fpr, y=tpr, mode="lines", line=style,
                                 name=f"{name} (AUC {M.roc_auc(y, p):.3f})"))
    fig.update_xaxes(title="false-positive rate", range=[0, 1])
    fig.update_yaxes(title="true-positive rate (recall)", range=[0, 1.02])
    return _layout(fig, "ROC curve")


def pr_figure(sets: dict[str, tuple[NDArray, NDArray]]) -> go.Figure:
    """Precision against recall with the average precision, and each part's base rate."""
    fig = go.Figure()
    for name, y, p, style in _sets(sets):
        if y.sum() <= 0:
            continue
        prec, rec, _ = M.precision_recall_curve(y, p)
        prec, rec = _thin(prec, rec)
        fig.add_trace(go.Scatter(x=rec, y=prec, mode="lines", line={**style, "shape": "hv"},
                                 name=f"{name} (AP {M.average_precision(y, p):.3f})"))
        # the base rate as a dotted line named in the legend: two parts' annotations overlapped
        fig.add_trace(go.Scatter(x=[0, 1], y=[float(y.mean())] * 2, mode="lines", hoverinfo="skip",
                                 line={"color": style["color"], "dash": "dot", "width": 1},
                                 name=f"{name} base rate {y.mean():.2f} (a model that guesses)"))
    fig.update_xaxes(title="recall", range=[0, 1])
    fig.update_yaxes(title="precision", range=[0, 1.05])
    return _layout(fig, "Precision-recall curve")


def calibration_figure(sets: dict[str, tuple[NDArray, NDArray]], n_bins: int = 10) -> go.Figure:
    """Observed positive rate against mean predicted probability per bin (the diagonal is perfect)."""
    fig = go.Figure(go.Scatter(x=[0, 1], y=[0, 1], mode="lines", name="perfectly calibrated",
                               line={"color": "grey", "dash": "dot"}))
    for name, y, p, style in _sets(sets):
        obs, pred, count = M.calibration_curve(y, p, n_bins=n_bins)
        fig.add_trace(go.Scatter(x=pred, y=obs, mode="lines+markers", line=style, name=name,
                                 marker={"size": 6 + 14 * np.sqrt(count / count.max())},
                                 customdata=count,
                                 hovertemplate="predicted %{x:.3f}<br>observed %{y:.3f}<br>"
                                               "%{customdata} examples<extra></extra>"))
    fig.update_xaxes(title="mean predicted probability", range=[0, 1])
    fig.update_yaxes(title="observed fraction positive", range=[-0.02, 1.02])
    return _layout(fig, f"Calibration ({n_bins} bins; marker size ∝ √count)")


def confusion_figure(y: NDArray, p: NDArray, threshold: float, labels: tuple[Any, Any],
                     part: str = "held-out") -> go.Figure:
    """The confusion matrix at the chosen threshold, counts and row percentages."""
    cm = M.confusion_matrix(y, (np.asarray(p) > threshold).astype(float))
    rows = cm.sum(axis=1, keepdims=True)
    pct = np.divide(cm, rows, out=np.zeros(cm.shape), where=rows > 0)
    names = [f"{labels[0]}", f"{labels[1]}"]
    text = [[f"{['TN', 'FP'][j] if i == 0 else ['FN', 'TP'][j]}<br>{cm[i, j]}<br>({pct[i, j]:.0%})"
             for j in range(2)] for i in range(2)]
    fig = go.Figure(go.Heatmap(z=pct, x=[f"predicted {n}" for n in names], y=[f"true {n}" for n in names],
                               text=text, texttemplate="%{text}", colorscale="Blues", zmin=0, zmax=1,
                               showscale=False, hoverinfo="skip"))
    fig.update_yaxes(autorange="reversed")
    return _layout(fig, f"Confusion matrix on the {part} part at threshold {threshold:.3g}", height=400)


def threshold_figure(y: NDArray, p: NDArray, threshold: float, cost_fp: float | None = None,
                     cost_fn: float | None = None, part: str = "held-out") -> go.Figure:
    """Precision, recall and F1 against the threshold, the chosen one marked (and the cost, if given)."""
    t = np.linspace(0.0, 1.0, 201)
    table = M.threshold_table(y, p, t)
    fig = make_subplots(specs=[[{"secondary_y": cost_fp is not None}]])
    for key, color in (("precision", SERIES[0]), ("recall", SERIES[2]), ("f1", "#1d7a3a"),
                       ("accuracy", "#999999")):
        fig.add_trace(go.Scatter(x=t, y=table[key], mode="lines", name=key, line={"color": color}))
    if cost_fp is not None and cost_fn is not None:
        cost = (cost_fp * table["fp"] + cost_fn * table["fn"]) / len(y)
        fig.add_trace(go.Scatter(x=t, y=cost, mode="lines", name=f"cost per example (FP {cost_fp:g}, FN {cost_fn:g})",
                                 line={"color": "black", "dash": "dash"}), secondary_y=True)
        fig.update_yaxes(title="expected cost per example", secondary_y=True)
    fig.add_vline(x=threshold, line_color="black", annotation_text=f"chosen {threshold:.3g}")
    fig.update_xaxes(title="threshold t (predict positive when ŷ > t)", range=[0, 1])
    fig.update_yaxes(title="metric", range=[0, 1.02], secondary_y=False)
    return _layout(fig, f"Precision, recall and F1 against the threshold ({part} part)")


def coefficients_figure(names: list[str], coef: NDArray, unit: str = "") -> go.Figure:
    """Coefficients sorted by size; exact zeros (L1) shown as hollow markers at 0."""
    coef = np.asarray(coef, dtype=np.float64)
    order = np.argsort(np.abs(coef), kind="stable")
    n = [names[i] for i in order]
    c = coef[order]
    zero = c == 0
    colors = np.where(c > 0, POS, NEG)
    fig = go.Figure(go.Bar(x=c, y=n, orientation="h", marker_color=colors.tolist(), name="weight",
                           hovertemplate="%{y}: %{x:.5g}<extra></extra>"))
    if zero.any():
        fig.add_trace(go.Scatter(x=np.zeros(int(zero.sum())), y=[n[i] for i in np.flatnonzero(zero)],
                                 mode="markers", name="exactly 0 (L1)",
                                 marker={"symbol": "circle-open", "size": 9, "color": "black"}))
    fig.update_xaxes(title=f"weight w{unit}", zeroline=True, zerolinecolor="black")
    n_zero = int(zero.sum())
    title = f"Coefficients{unit}: {coef.size - n_zero} non-zero, {n_zero} exactly zero"
    return _layout(fig, title, height=max(320, 22 * len(names) + 120))


def largest_loss_figure(y01: NDArray, z: NDArray, labels: tuple[Any, Any], rows: NDArray,
                        parts: NDArray, features: dict[str, NDArray], k: int = 15) -> go.Figure:
    """The k examples with the largest loss ℓ(y, z): the confidently wrong ones, as a table."""
    y01 = np.asarray(y01, dtype=np.float64)
    loss = log_loss_pointwise(y01, np.asarray(z, dtype=np.float64))
    top = np.argsort(-loss, kind="stable")[:k]
    p = sigmoid(np.asarray(z)[top])
    cols = {
        "data row": [int(r) for r in np.asarray(rows)[top]],
        "part": [str(s) for s in np.asarray(parts)[top]],
        "true label": [str(labels[int(v)]) for v in y01[top]],
        f"P({labels[1]})": [f"{v:.4f}" for v in p],
        "loss ℓ": [f"{v:.3f}" for v in loss[top]],
    }
    for name, vals in features.items():
        cols[name] = [f"{v:.4g}" for v in np.asarray(vals)[top]]
    fig = go.Figure(go.Table(header={"values": list(cols), "fill_color": "#eeeeee", "align": "left"},
                             cells={"values": list(cols.values()), "align": "left"}))
    return _layout(fig, f"The {len(top)} examples with the largest loss (confidently wrong first)",
                   height=130 + 22 * len(top))
