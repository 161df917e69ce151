"""The training report: one self-contained HTML file that works offline.

plotly.js is inlined from the installed plotly package (never fetched from a network); every
figure comes from :mod:`logitlab.plots`, every number from the core.
"""

from __future__ import annotations

import html
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio
from numpy.typing import NDArray

from . import __version__
from . import plots as P
from . import plots_eval as PE
from .objective import Objective
from .solvers import gradient_descent

__all__ = ["ReportInput", "FIGURES", "build_figures", "render_report", "plotly_js"]

#: rows beyond which the landscapes and the gradient-descent comparison use a random subset
MAX_ROWS = 10_000

#: the most gradient-descent steps drawn on the cost landscape (at --learning-rate; 0.1 needs ~1000 on
#: standardized data)
GD_PATH_STEPS = 3_000

#: how much wider than the contour map the log-loss/MSE comparison looks (plateaus need room)
WIDEN = 8.0

#: figure id → section heading, in report order
FIGURES = {
    "learning-curve": "Learning curve",
    "sigmoid": "The sigmoid and the examples",
    "cost-contour": "Cost landscape: contour map",
    "cost-surface": "Cost landscape: 3D surface",
    "loss-vs-mse": "Log-loss vs MSE on the sigmoid",
    "roc": "ROC curve",
    "pr": "Precision-recall curve",
    "calibration": "Calibration",
    "confusion": "Confusion matrix",
    "threshold": "Precision, recall and F1 against the threshold",
    "coefficients": "Coefficients",
    "path": "Regularization path",
    "cv-curve": "Cross-validation curve",
    "largest-loss": "Largest-loss examples",
}

#: rows beyond which the regularization path and the CV curve use a random subset
MAX_CV_ROWS = 5_000

#: Plotly's options for every figure: no control may send the data anywhere (no cloud, Chart
#: Studio or link buttons) and the toolbar keeps the local tools only.
PLOT_CONFIG = {"displaylogo": False, "responsive": True, "showSendToCloud": False, "showEditInChartStudio": False,
               "showLink": False, "sendData": False, "linkText": "", "plotlyServerURL": "", "topojsonURL": "",
               "modeBarButtonsToRemove": ["lasso2d", "select2d", "sendDataToCloud", "editInChartStudio"]}


@dataclass
class ReportInput:
    """What the report shows: a fitted estimator (its training objective and result), the data
    parts with their scores, the threshold and how it was chosen."""

    model: Any  # fitted logitlab.LogisticRegression
    feature_names: list[str]
    labels: tuple[Any, Any]
    y_train: NDArray
    z_train: NDArray
    rows_train: NDArray
    X_train: NDArray
    y_test: NDArray
    z_test: NDArray
    rows_test: NDArray
    X_test: NDArray
    threshold: float
    metrics: dict[str, dict[str, float]]
    source: str
    target: str
    cost_fp: float | None = None
    cost_fn: float | None = None
    learning_rate: float = 0.1
    landscape_axes: list[int] | None = None
    info: dict[str, Any] = field(default_factory=dict)
    cv: Any = None  # the fitted LogisticRegressionCV that chose λ (``--lam auto``), if any
    slices: dict[str, Any] | None = None  # logitlab.monitoring.evaluate_slices result (``train --slice-by``)


def plotly_js() -> str:
    """plotly.min.js from the installed plotly package."""
    from plotly.offline import get_plotlyjs

    return get_plotlyjs()


def illustration_objective(obj: Objective, max_rows: int | None = None) -> tuple[Objective, str]:
    """The training objective, or on large data the same J on a seeded random subset of rows
    (λ scaled so λ/m, the per-example penalty weight, is unchanged) and a note saying so: the
    landscapes evaluate J a few thousand times and would otherwise take minutes."""
    m = obj.n_samples
    max_rows = MAX_ROWS if max_rows is None else max_rows
    if m <= max_rows:
        return obj, ""
    idx = np.sort(np.random.default_rng(0).choice(m, max_rows, replace=False))
    sub = _objective(obj.loss, obj.design.rows(idx), obj.y[idx], obj.sample_weight[idx], obj.lam * max_rows / m,
                     obj.l1_ratio, obj.fit_intercept)
    return sub, f", on a random {max_rows:,} of the {m:,} training rows"


def _objective(loss: str, design: Any, y: NDArray, sample_weight: NDArray | None, lam: float,
               l1_ratio: float, fit_intercept: bool) -> Objective:
    """This module's one construction of an objective for a named loss (log, or the teaching MSE),
    so moving MSE/hinge to their own datafits changes one call."""
    return Objective(design, y, sample_weight, lam=lam, l1_ratio=l1_ratio, fit_intercept=fit_intercept,
                     loss=loss)


def _gd_history(obj: Objective, learning_rate: float, tol: float, max_iter: int = 500) -> tuple[list[float], str]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = gradient_descent(obj, obj.initial_theta(), learning_rate=learning_rate, tol=tol,
                               max_iter=max_iter)
    return res.history, res.status


def build_figures(r: ReportInput) -> dict[str, go.Figure]:
    """Every figure of the report, keyed by the ids in :data:`FIGURES`."""
    m = r.model
    full: Objective = m._fit_objective
    obj, sub_note = illustration_objective(full)
    theta = np.asarray(m.result_.theta, dtype=np.float64)
    std = " (standardized units)" if m.standardize else ""
    figs: dict[str, go.Figure] = {}

    runs: dict[str, Any] = {f"{m.solver_} (the fit)": m.history_}
    if m.solver_ != "gd":
        hist, status = _gd_history(obj, r.learning_rate, m.tol)
        runs[f"gradient descent, α = {r.learning_rate:g} ({status})"] = hist
    figs["learning-curve"] = P.learning_curve_figure(runs, J_min=None if sub_note else float(m.objective_["J"]))

    z_all = np.r_[r.z_train, r.z_test]
    y_all = np.r_[r.y_train, r.y_test]
    split = np.r_[np.zeros(r.z_train.size, bool), np.ones(r.z_test.size, bool)]
    figs["sigmoid"] = P.sigmoid_figure(z_all, y_all, r.labels, r.threshold,
                                       split=split if r.z_test.size else None)

    axes = r.landscape_axes or P.default_axes(obj, theta)
    ls = P.landscape(obj, theta, axes, r.feature_names)
    start = np.array([ls.x[int(0.1 * (ls.x.size - 1))], ls.y[int(0.9 * (ls.y.size - 1))]])
    # the path uses --learning-rate (the CLI says it is also the report's); only if that diverges on
    # this slice does it fall back to the largest safe step, and the label says so
    path, path_J, rate, status = P.slice_gradient_descent(obj, theta, axes, start, learning_rate=r.learning_rate,
                                                          max_iter=GD_PATH_STEPS)
    fell_back = ""
    if status == "diverged":
        path, path_J, rate, status = P.slice_gradient_descent(obj, theta, axes, start)
        fell_back = f"; --learning-rate {r.learning_rate:g} diverges here"
    label = f"gradient descent from a start point (α = {rate:.3g}, {len(path) - 1} steps, {status}{fell_back})"
    note = ("" if obj.n_params <= 2 else ", other parameters at θ*") + sub_note
    figs["cost-contour"] = P.contour_figure(ls, path, title=f"J over {ls.names[0]} and {ls.names[1]}{std}{note}")
    figs["cost-contour"].data[1].name = label
    figs["cost-surface"] = P.surface_figure(ls, path, path_J, title=f"J as a surface{std}{note} (drag to rotate)")
    wide = P.landscape(obj, theta, axes, r.feature_names, n=31, widen=WIDEN)
    mse_obj = _objective("mse", obj.design, obj.y, obj.sample_weight, obj.lam, obj.l1_ratio, obj.fit_intercept)
    mse = P.landscape(mse_obj, theta, axes, r.feature_names, n=31, widen=WIDEN)
    figs["loss-vs-mse"] = P.loss_comparison_figure(wide, mse)
    if sub_note:
        figs["loss-vs-mse"].update_layout(title=figs["loss-vs-mse"].layout.title.text + sub_note)
        figs["learning-curve"].update_layout(
            title=figs["learning-curve"].layout.title.text + f" (the gradient-descent run{sub_note.lstrip(',')})")

    sets = {"train": (r.y_train, _p(r.z_train))}
    if r.z_test.size:
        sets = {"held-out": (r.y_test, _p(r.z_test)), **sets}
    figs["roc"] = PE.roc_figure(sets)
    figs["pr"] = PE.pr_figure(sets)
    figs["calibration"] = PE.calibration_figure(sets)
    part, (y_eval, p_eval) = next(iter(sets.items()))
    figs["confusion"] = PE.confusion_figure(y_eval, p_eval, r.threshold, r.labels, part=part)
    figs["threshold"] = PE.threshold_figure(y_eval, p_eval, r.threshold, r.cost_fp, r.cost_fn, part=part)

    w, _ = obj.split(theta)
    figs["coefficients"] = PE.coefficients_figure(r.feature_names, w, unit=std)

    figs["path"], figs["cv-curve"] = path_and_cv_figures(r)

    coef = m.coef_.ravel()
    top = np.argsort(-np.abs(w), kind="stable")[:5]
    X_all = np.vstack([r.X_train, r.X_test]) if r.X_test.size else r.X_train
    features = {r.feature_names[j]: X_all[:, j] for j in top if coef[j] != 0}
    parts = np.where(split, "held-out", "train")
    figs["largest-loss"] = PE.largest_loss_figure(y_all, z_all, r.labels, np.r_[r.rows_train, r.rows_test],
                                                 parts, features)
    return figs


def path_and_cv_figures(r: ReportInput) -> tuple[go.Figure, go.Figure]:
    """Coefficients against λ and the 5-fold CV log-loss against λ, with the chosen and the model's λ.

    The CV that chose λ (``--lam auto``) is shown as it ran; otherwise a 5-fold CV over a 30-λ grid
    runs on the train part (a seeded subset of at most MAX_CV_ROWS rows) with the model's settings,
    so a user sees where their λ sits. The path is computed on the same rows and the same grid.
    """
    from .cv import LogisticRegressionCV
    from .path import regularization_path
    from .stats.plots import cv_figure, path_figure

    m = r.model
    X, y = r.X_train, r.y_train
    note = ""
    cv = r.cv
    if cv is None:
        if y.size > MAX_CV_ROWS:
            idx = np.sort(np.random.default_rng(0).choice(y.size, MAX_CV_ROWS, replace=False))
            X, y = X[idx], y[idx]
            note = f" (a random {MAX_CV_ROWS:,} of the {r.y_train.size:,} training rows)"
        cv = LogisticRegressionCV(n_lams=30, l1_ratio=m.l1_ratio, cv=5, standardize=m.standardize,
                                  class_weight=m.class_weight, fit_intercept=m.fit_intercept,
                                  random_state=0, refit=False)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            cv.fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        path = regularization_path(X, y, l1_ratio=m.l1_ratio, lams=cv.lams_, standardize=m.standardize,
                                   fit_intercept=m.fit_intercept)
    path.feature_names = list(r.feature_names)
    path_fig = path_figure(path, cv.lam_best_, cv.lam_1se_, title=f"Regularization path{note}")
    cv_fig = cv_figure(cv, title=f"5-fold cross-validated log-loss{note}; the CV's choice: λ = {cv.lam_:.4g}")
    lam = float(m.objective_["lam"])
    if lam > 0:  # named in the legend: a label on the line sat on a tick and was crossed by the others
        for fig in (path_fig, cv_fig):
            fig.add_vline(x=float(np.log10(lam)), line_color="crimson", line_dash="dot")
            fig.add_trace(go.Scatter(x=[None], y=[None], mode="lines", name=f"this model's λ = {lam:.3g}",
                                     line={"color": "crimson", "dash": "dot"}, showlegend=True))
    return path_fig, cv_fig


def _p(z: NDArray) -> NDArray:
    from .loss import sigmoid

    return sigmoid(z)


_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;color:#222;background:#fafafa}
header{background:#1f3a5f;color:#fff;padding:18px 32px}
header h1{margin:0 0 4px 0;font-size:24px} header p{margin:0;opacity:.85}
main{max-width:1200px;margin:0 auto;padding:16px 32px}
nav{margin:12px 0;font-size:14px} nav a{margin-right:12px;color:#1f3a5f}
section{background:#fff;border:1px solid #e3e3e3;border-radius:6px;margin:18px 0;padding:12px 18px}
h2{font-size:18px;margin:6px 0 8px 0} p.note{color:#555;font-size:14px;margin:4px 0 8px 0}
table.kv{border-collapse:collapse;font-size:14px;margin:6px 0}
table.kv td,table.kv th{border-bottom:1px solid #eee;padding:4px 10px;text-align:right}
table.kv td:first-child,table.kv th:first-child{text-align:left}
table.info td{text-align:left}
code{background:#f2f2f2;padding:1px 4px;border-radius:3px}
"""

_NOTES = {
    "learning-curve": "J per iteration of the solver that fit the model; when that is not gradient descent, "
                      "plain gradient descent from the same start is shown beside it. Right: the gap to the "
                      "minimum on a log scale (a straight line is linear convergence).",
    "sigmoid": "The curve is ŷ = σ(z); each example is drawn at its score z in a strip at its true label "
               "(positives above, negatives below; a sample on large data). Positives far left and negatives "
               "far right are the confident mistakes.",
    "cost-contour": "J over two parameters. The white path is gradient descent from a start point; the star is "
                    "the optimum found by the fit.",
    "cost-surface": "The same cost as a surface: a single convex bowl for the log-loss.",
    "loss-vs-mse": "Over a wider range of the same two parameters: the log-loss stays a convex bowl, while the "
                   "squared error of the sigmoid flattens into plateaus where its gradient vanishes.",
    "roc": "True-positive rate against false-positive rate over all thresholds.",
    "pr": "Precision against recall; more informative than ROC when positives are rare.",
    "calibration": "Do predicted probabilities mean what they say? Points on the diagonal do.",
    "confusion": "Counts at the chosen threshold, with row percentages.",
    "threshold": "How the threshold trades precision for recall; the chosen threshold is marked.",
    "coefficients": "The fitted weights; exact zeros (from an L1 penalty) are marked.",
    "largest-loss": "The examples the model gets most confidently wrong: worth a look for label errors.",
    "path": "Every coefficient as λ falls from λ_max (where an L1 penalty zeroes them all) to almost no "
            "penalty, each fit warm-started from the last; the lines mark the λ cross-validation picks and "
            "this model's λ.",
    "cv-curve": "Held-out log-loss (mean ± 1 standard error over 5 stratified folds) against λ: too much "
                "penalty underfits (right), too little overfits (left). 'best' is the minimum, '1se' the "
                "largest λ within one standard error of it.",
}


def _kv_table(rows: list[tuple[str, str]]) -> str:
    return "<table class='kv info'>" + "".join(
        f"<tr><td>{html.escape(k)}</td><td>{html.escape(v)}</td></tr>" for k, v in rows) + "</table>"


def _metrics_table(metrics: dict[str, dict[str, float]]) -> str:
    keys = ["log_loss", "accuracy", "precision", "recall", "f1", "roc_auc", "average_precision", "brier", "n"]
    parts = list(metrics)
    head = "<tr><th>metric</th>" + "".join(f"<th>{html.escape(p)}</th>" for p in parts) + "</tr>"
    body = ""
    for k in keys:
        cells = ""
        for p in parts:
            v = metrics[p].get(k, float("nan"))
            cells += f"<td>{int(v)}</td>" if k == "n" else f"<td>{v:.4f}</td>"
        body += f"<tr><td>{k}</td>{cells}</tr>"
    return f"<table class='kv'>{head}{body}</table>"


def _slices_section(r: ReportInput) -> str:
    """Sliced evaluation (``train --slice-by``), drawn by the monitoring package; '' otherwise."""
    if r.slices is None:
        return ""
    from .monitoring.html import slices_section

    return slices_section(r.slices)


def _statistics_section(r: ReportInput) -> str:
    """The summary() table (SE, z, p, CI, odds ratios) for an unpenalized fit; '' otherwise."""
    m = r.model
    if getattr(m, "lam", 1.0) != 0 or getattr(m, "firth", False):
        return ""
    try:
        s = m.summary()
    except (ImportError, ValueError) as exc:  # e.g. separation: the estimates do not exist
        return ("<section id='statistics'><h2>Statistics</h2><p class='note'>No standard errors: "
                f"{html.escape(' '.join(str(exc).split()))}</p></section>")
    s.stats["positive_class"] = str(r.labels[1])
    from .stats.overview import diagnostics_overview  # HL test, marginal effects, influence

    return ("<section id='statistics'><h2>Statistics (maximum likelihood, train part)</h2>"
            f"{s._repr_html_()}{diagnostics_overview(m).to_html()}</section>")


#: The report's extra sections, in page order, each ``f(ReportInput) -> str`` returning one
#: ``<section id='…'>`` (or '' to leave it out). To add a section, write its function in your own
#: module and append it here; nothing else in this file needs to change.
EXTRA_SECTIONS: list[Callable[[ReportInput], str]] = [_statistics_section, _slices_section]


def render_report(r: ReportInput, figures: dict[str, go.Figure] | None = None) -> str:
    """The report as one HTML string (plotly.js inlined; no network address is fetched)."""
    figs = build_figures(r) if figures is None else figures
    m = r.model
    o = m.objective_
    info = [
        ("data", r.source), ("target", f"{r.target}: {r.labels[1]!r} = 1 (positive), {r.labels[0]!r} = 0"),
        ("examples", f"{r.y_train.size} train, {r.y_test.size} held-out"),
        ("features", str(len(r.feature_names))),
        ("λ (lam)", f"{o['lam']:g}"), ("l1_ratio", f"{o['l1_ratio']:g}"),
        ("standardized", str(bool(m.standardize))),
        ("solver", f"{m.solver_}: {int(m.n_iter_[0])} iterations, {m.status_}, KKT residual {o['kkt_residual']:.2g}"),
        ("J at the solution", f"{o['J']:.6g} = data loss {o['data_loss']:.6g} + penalty {o['penalty']:.6g}"),
        ("threshold", f"{r.threshold:.4g}" + (f" (minimizes {r.cost_fp:g}·FP + {r.cost_fn:g}·FN on the train part)"
                                              if r.cost_fp is not None else "")),
        *[(k, str(v)) for k, v in r.info.items()],
    ]
    sections = []
    for fid, heading in FIGURES.items():
        div = pio.to_html(figs[fid], full_html=False, include_plotlyjs=False, div_id=f"fig-{fid}",
                          config=PLOT_CONFIG)
        sections.append(f"<section id='{fid}'><h2>{html.escape(heading)}</h2>"
                        f"<p class='note'>{html.escape(_NOTES[fid])}</p>{div}</section>")
    nav = " ".join(f"<a href='#{fid}'>{html.escape(h)}</a>" for fid, h in FIGURES.items())
    formula = html.escape(o["formula"])
    js = plotly_js().replace("</script", "<\\/script")
    return (
        "<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>logitlab report: {html.escape(r.source)}</title><style>{_CSS}</style>"
        f"<script type='text/javascript'>{js}</script></head><body>"
        f"<header><h1>logitlab report</h1><p>{html.escape(r.source)} → {html.escape(r.target)} · "
        f"logitlab {__version__}</p></header><main>"
        f"<section id='summary'><h2>Summary</h2>{_kv_table(info)}"
        f"<p class='note'>Objective: <code>{formula}</code></p>"
        f"<h2>Metrics</h2>{_metrics_table(r.metrics)}</section>{''.join(f(r) for f in EXTRA_SECTIONS)}"
        f"<nav>{nav}</nav>{''.join(sections)}</main></body></html>\n"
    )
