"""The diagnostics a report or a ``--summary`` printout shows beside the coefficient table:
the Hosmer–Lemeshow test, the average marginal effects and the most influential rows — one
object, rendered as text for the terminal or as HTML for the report."""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Any

import pandas as pd

from ..metrics import HosmerLemeshow
from .diagnostics import goodness_of_fit, influence
from .margins import marginal_effects

__all__ = ["DiagnosticsOverview", "diagnostics_overview"]


def _four(v: float) -> str:
    return f"{v:.4g}"


@dataclass(frozen=True)
class DiagnosticsOverview:
    """HL test, average marginal effects (dy/dx, SE, p) and the ``top`` rows by Cook's distance."""

    hosmer_lemeshow: HosmerLemeshow
    margins: pd.DataFrame
    influential: pd.DataFrame

    def hl_line(self) -> str:
        hl = self.hosmer_lemeshow
        return (f"Hosmer–Lemeshow: χ²({hl.dof}) = {hl.statistic:.4f}, p = {hl.pvalue:.4g} "
                f"({hl.n.size} groups by deciles of p̂; a small p says the probabilities are "
                "miscalibrated)")

    def to_text(self) -> str:
        """Plain text for the terminal."""
        me = self.margins[["dy/dx", "std_err", "p_value"]]
        rows = self.influential[["hat", "cooks_d", "std_resid_deviance"]]
        return "\n".join([
            self.hl_line(),
            "Average marginal effects (dP/dx, delta-method SE):",
            me.to_string(float_format=_four),
            "Most influential rows (Cook's distance; row = position in the data fitted):",
            rows.to_string(float_format=_four),
        ])

    def to_html(self) -> str:
        """HTML for the report (escaped; tables by pandas)."""
        me = self.margins[["dy/dx", "std_err", "p_value"]].to_html(float_format=_four)
        rows = self.influential[["hat", "cooks_d", "std_resid_deviance"]].to_html(float_format=_four)
        return (f"<p>{html.escape(self.hl_line())}</p>"
                f"<h3>Average marginal effects (dP/dx)</h3>{me}"
                f"<h3>Most influential rows (Cook's distance)</h3>{rows}")


def diagnostics_overview(model: Any, top: int = 5) -> DiagnosticsOverview:
    """The overview of a maximum-likelihood fit on its kept training data (raises
    :class:`~.base.InferenceError` where the statistics do not apply: penalized, Firth,
    separated)."""
    infl = influence(model)
    infl.index.name = "row"
    return DiagnosticsOverview(goodness_of_fit(model), marginal_effects(model),
                               infl.nlargest(top, "cooks_d"))
