"""Plotly figures for a trained model: how J fell, where the examples sit on the sigmoid, and the
cost landscape with gradient descent's path (the evaluation figures are in :mod:`logitlab.plots_eval`).

Builders only — each returns a ``plotly.graph_objects.Figure`` and never shows or saves it, so the
HTML report and the lab can both use them. Every number comes from the core: J and its gradient
from :class:`~logitlab.objective.Objective`, paths from
:func:`~logitlab.solvers.gradient_descent` (``record_path=True``).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import plotly.graph_objects as go
from numpy.typing import NDArray
from plotly.subplots import make_subplots

from .design import Design
from .loss import sigmoid
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
