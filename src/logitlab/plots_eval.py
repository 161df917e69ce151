"""Plotly figures that evaluate a trained model: ROC, precision-recall, calibration, the confusion
matrix, metrics against the threshold, the coefficients and the largest-loss examples.

Builders only, as in :mod:`logitlab.plots` (whose class colours and layout they share); every curve
comes from :mod:`logitlab.metrics`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import plotly.graph_objects as go
from numpy.typing import NDArray
from plotly.subplots import make_subplots

from . import metrics as M
from .loss import log_loss_pointwise, sigmoid
from .plots import NEG, POS, SERIES, _layout

__all__ = ["roc_figure", "pr_figure", "calibration_figure", "confusion_figure", "threshold_figure",
           "coefficients_figure", "largest_loss_figure"]


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
