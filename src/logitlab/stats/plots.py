"""Plotly figures for the statistics: the regularization path, the CV curve and a forest plot.

Builders only — they return ``plotly.graph_objects.Figure`` and never show or save, so the
report (static HTML) and the lab (JSON via ``fig.to_json()``) can both use them.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import plotly.graph_objects as go

from ..path import RegularizationPath
from .base import INTERCEPT_NAME, LogitSummary

__all__ = ["path_figure", "cv_figure", "forest_figure"]


def _lam_lines(fig: go.Figure, lams: dict[str, float | None]) -> None:
    dash = {"best": "solid", "1se": "dash"}
    for label, lam in lams.items():
        if lam is None:
            continue
        fig.add_vline(x=float(np.log10(lam)), line_dash=dash.get(label, "dot"),
                      line_color="grey",
                      annotation_text=f"λ {label} = {lam:.3g}", annotation_position="top")


def path_figure(
    path: RegularizationPath, lam_best: float | None = None, lam_1se: float | None = None,
    max_labels: int = 12, title: str | None = None,
) -> go.Figure:
    """Coefficients against log₁₀ λ (λ decreasing to the right, as glmnet draws it)."""
    x = np.log10(path.lams)
    names = path.feature_names or [f"x{j}" for j in range(path.coefs.shape[1])]
    order = np.argsort(-np.abs(path.coefs[-1]))
    fig = go.Figure()
    for rank, j in enumerate(order):
        fig.add_trace(go.Scatter(
            x=x, y=path.coefs[:, j], mode="lines", name=names[j],
            showlegend=rank < max_labels,
            customdata=np.column_stack([path.lams, path.n_nonzero]),
            hovertemplate=(f"<b>{names[j]}</b><br>λ=%{{customdata[0]:.4g}}<br>"
                           "coef=%{y:.4g}<br>nonzero=%{customdata[1]}<extra></extra>"),
        ))
    _lam_lines(fig, {"best": lam_best, "1se": lam_1se})
    kind = {1.0: "lasso (L1)", 0.0: "ridge (L2)"}.get(path.l1_ratio,
                                                      f"elastic net, l1_ratio={path.l1_ratio:g}")
    fig.update_layout(
        title=title or f"Regularization path — {kind}",
        xaxis_title="log₁₀ λ", yaxis_title="coefficient (units of x)",
        xaxis_autorange="reversed", template="plotly_white", legend_title="feature",
    )
    fig.add_hline(y=0.0, line_color="black", line_width=1)
    return fig


def cv_figure(cv: Any, title: str | None = None) -> go.Figure:
    """The CV curve: mean held-out score ± one standard error per λ, with both rules' λ."""
    from sklearn.utils.validation import check_is_fitted

    check_is_fitted(cv)
    x = np.log10(cv.lams_)
    se = cv.cv_se_
    name = cv.scoring if isinstance(cv.scoring, str) else "score"
    fig = go.Figure(go.Scatter(
        x=x, y=cv.cv_mean_, mode="markers+lines", name=f"mean {name}",
        error_y={"type": "data", "array": se, "visible": True},
        customdata=np.column_stack([cv.lams_, cv.cv_std_]),
        hovertemplate="λ=%{customdata[0]:.4g}<br>mean=%{y:.5g}<br>std=%{customdata[1]:.3g}"
                      "<extra></extra>",
    ))
    _lam_lines(fig, {"best": cv.lam_best_, "1se": cv.lam_1se_})
    better = "higher" if cv.greater_is_better_ else "lower"
    fig.update_layout(
        title=title or f"{cv.n_folds_}-fold cross-validation ({name}, {better} is better); "
                       f"chosen λ = {cv.lam_:.4g} ({cv.rule})",
        xaxis_title="log₁₀ λ", yaxis_title=f"held-out {name} (mean ± 1 s.e.)",
        xaxis_autorange="reversed", template="plotly_white",
    )
    return fig


def forest_figure(summary: LogitSummary, include_intercept: bool = False,
                  title: str | None = None) -> go.Figure:
    """Odds ratios with their confidence intervals on a log axis (a forest plot)."""
    t = summary.table
    if not include_intercept:
        t = t.drop(index=[INTERCEPT_NAME], errors="ignore")
    lo = next(c for c in t.columns if c.startswith("or_ci_lower"))
    hi = next(c for c in t.columns if c.startswith("or_ci_upper"))
    orr = t["odds_ratio"].to_numpy()
    fig = go.Figure(go.Scatter(
        x=orr, y=list(t.index), mode="markers",
        error_x={"type": "data", "symmetric": False, "array": t[hi].to_numpy() - orr,
                 "arrayminus": orr - t[lo].to_numpy()},
        hovertemplate="%{y}: OR=%{x:.4g}<extra></extra>",
    ))
    fig.add_vline(x=1.0, line_dash="dash", line_color="grey")
    level = 1 - summary.alpha
    fig.update_layout(
        title=title or f"Odds ratios with {level:.0%} intervals ({summary.stats.get('method')})",
        xaxis_type="log", xaxis_title="odds ratio (log scale)", template="plotly_white",
        yaxis_autorange="reversed",
    )
    return fig
