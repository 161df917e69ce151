"""What every statistics module shares: parameter names, the training objective, the summary
table and its printout. It imports only the core, so the statistics modules above it
(inference, firth, separation, diagnostics, margins) never import each other in a circle."""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
from numpy.typing import ArrayLike, NDArray

from ..design import Design
from ..objective import Objective

__all__ = [
    "INTERCEPT_NAME",
    "InferenceError",
    "LogitSummary",
    "feature_names",
    "param_names",
    "training_objective",
    "model_theta",
    "check_alpha",
    "count",
    "offset_of",
    "unpenalized",
    "reorder",
    "stats_header",
]

INTERCEPT_NAME = "(Intercept)"  # R's name; statsmodels says "const"


class InferenceError(ValueError):
    """Standard errors would be meaningless for this fit (and the message says why)."""


@dataclass
class LogitSummary:
    """The coefficient table (``.table``, a DataFrame) and the model statistics (``.stats``).

    ``str(summary)`` is the readable printout; ``summary["std_err"]`` and ``summary.loc[...]``
    reach into the table.
    """

    table: pd.DataFrame
    stats: dict[str, Any]
    notes: list[str] = field(default_factory=list)
    method: str = "mle"  # "mle", "firth" or "penalized"
    cov: pd.DataFrame | None = None
    alpha: float = 0.05

    def to_frame(self) -> pd.DataFrame:
        """The coefficient table as a DataFrame (a copy)."""
        return self.table.copy()

    def __getitem__(self, key: Any) -> Any:
        return self.table[key]

    @property
    def loc(self):  # noqa: ANN201 - pandas indexer
        return self.table.loc

    def __str__(self) -> str:
        return _format(self)

    def __repr__(self) -> str:
        return _format(self)

    def _repr_html_(self) -> str:
        notes = "".join(f"<p><b>Note:</b> {html.escape(n)}</p>" for n in self.notes)
        st = pd.Series({k: v for k, v in self.stats.items() if not isinstance(v, (dict, list))})
        return notes + self.table.to_html(float_format=lambda v: f"{v:.4g}") + st.to_frame(
            "value").to_html()


# -- helpers ----------------------------------------------------------------------------------
def feature_names(model: Any) -> list[str]:
    """``feature_names_in_`` when the model was fit on a DataFrame, else x0, x1, …"""
    names = getattr(model, "feature_names_in_", None)
    if names is not None:
        return [str(n) for n in names]
    return [f"x{j}" for j in range(model.coef_.shape[1])]


def param_names(model: Any) -> list[str]:
    """Parameter names in θ order: features, then the intercept (when fitted)."""
    names = feature_names(model)
    return names + [INTERCEPT_NAME] if model.fit_intercept else names


def offset_of(objective: Objective) -> NDArray | None:
    """The objective's fixed per-example offset oᵢ (zᵢ = x̃ᵢᵀθ + oᵢ), or None."""
    return getattr(objective, "offset", None)


def unpenalized(X: Any, y: ArrayLike, sample_weight: ArrayLike | None, fit_intercept: bool,
                offset: ArrayLike | None = None) -> Objective:
    """The λ = 0 objective on a raw design (with the offset, when there is one)."""
    design = X if isinstance(X, Design) else Design(X)
    if offset is None:
        return Objective(design, y, sample_weight, lam=0.0, fit_intercept=fit_intercept)
    return Objective(design, y, sample_weight, lam=0.0, fit_intercept=fit_intercept,
                     offset=np.asarray(offset, dtype=np.float64).ravel())


def training_objective(
    model: Any, X: ArrayLike | None = None, y: ArrayLike | None = None,
    sample_weight: ArrayLike | None = None, offset: ArrayLike | None = None,
) -> Objective:
    """The unpenalized J on the raw (unstandardized) training design, for inference.

    Uses the data the model kept from ``fit`` (not kept across pickling), its offset included,
    unless X, y (and ``offset``) are given.
    """
    if X is None:
        src = getattr(model, "_fit_objective", None)
        if src is None:
            raise InferenceError(
                "this model no longer holds its training data (it was pickled or copied); "
                "call summary(X, y) with the training data."
            )
        return unpenalized(src.design.X, src.y, src.sample_weight, model.fit_intercept,
                           offset_of(src))
    if y is None:
        raise ValueError("summary(X, y): pass y together with X.")
    Xa = X if sp.issparse(X) else np.asarray(X, dtype=np.float64)
    if Xa.ndim != 2 or Xa.shape[1] != model.coef_.shape[1]:
        raise ValueError(f"X must have {model.coef_.shape[1]} columns like the training data.")
    y_arr = np.asarray(y).ravel()
    y01 = (y_arr == model.classes_[1]).astype(np.float64)
    if not np.all(np.isin(y_arr, model.classes_)):
        raise ValueError(f"y has labels other than the model's classes {list(model.classes_)}.")
    sw = None if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
    if model.class_weight is not None:
        from sklearn.utils.class_weight import compute_sample_weight

        cw = compute_sample_weight(model.class_weight, y_arr)
        sw = cw if sw is None else sw * cw
    return unpenalized(Xa, y01, sw, model.fit_intercept, offset)


def model_theta(model: Any, objective: Objective) -> NDArray:
    """θ = (w, b) in the original units of X."""
    return objective.join(model.coef_.ravel(), float(model.intercept_[0]))


def reorder(names: list[str], fit_intercept: bool) -> list[int]:
    """Table order: intercept first (as R and statsmodels print it), then the features."""
    idx = list(range(len(names)))
    return [idx[-1]] + idx[:-1] if fit_intercept else idx


def count(n: float) -> int | float:
    """A sum of frequency weights as an int when it is whole (prints "32", not "32.0000")."""
    n = float(n)
    return int(n) if n.is_integer() and abs(n) < 2**53 else n


def check_alpha(alpha: float) -> float:
    """1 − level must lie strictly between 0 and 1."""
    if not 0 < float(alpha) < 1:
        raise ValueError(f"alpha (1 − confidence level) must lie in (0, 1); got {alpha!r}.")
    return float(alpha)


def stats_header(model: Any, fit: dict[str, Any], method: str, cov_type: str) -> dict[str, Any]:
    head = {
        "method": {"mle": "maximum likelihood", "firth": "Firth penalized likelihood",
                   "penalized": "penalized (elastic net)"}[method],
        "cov_type": cov_type if method == "mle" else "n/a",
        "positive_class": str(model.classes_[1]),
        "converged": bool(getattr(model, "converged_", True)),
        "n_iter": int(np.asarray(getattr(model, "n_iter_", [0])).ravel()[0]),
    }
    head.update(fit)
    return head


# -- printout ---------------------------------------------------------------------------------
def _fmt(v: Any) -> str:
    if v is None:
        return "—"
    if isinstance(v, (bool, np.bool_)):
        return str(bool(v))
    if isinstance(v, (int, np.integer)):
        return str(int(v))
    if isinstance(v, (float, np.floating)):
        if np.isnan(v):
            return "—"
        if v != 0 and (abs(v) < 1e-3 or abs(v) >= 1e6):
            return f"{v:.3e}"
        return f"{v:.4f}" if abs(v) < 1e4 else f"{v:.1f}"
    return str(v)


def _format(s: LogitSummary) -> str:
    title = {
        "mle": "Logistic regression (maximum likelihood)",
        "firth": "Logistic regression (Firth's bias-reduced penalized likelihood)",
        "penalized": "Logistic regression (PENALIZED — no standard errors)",
        "flic": "Logistic regression (Firth with intercept correction, FLIC)",
        "flac": "Logistic regression (Firth with added covariate, FLAC)",
    }[s.method]
    st = s.stats
    left = [
        ("Positive class", st.get("positive_class")), ("No. observations", st.get("n_obs")),
        ("Df model", st.get("df_model")), ("Df residuals", st.get("df_resid")),
        ("Converged", st.get("converged")), ("Iterations", st.get("n_iter")),
        ("Covariance", st.get("cov_type")),
    ]
    right = [
        ("Log-likelihood", st.get("log_likelihood")), ("Null log-lik.", st.get("null_log_likelihood")),
        ("Deviance", st.get("deviance")), ("AIC", st.get("aic")), ("BIC", st.get("bic")),
        ("McFadden R²", st.get("pseudo_r2_mcfadden")),
        (f"LR χ²({st.get('lr_df')})", st.get("lr_stat")), ("LR p-value", st.get("lr_pvalue")),
    ]
    if "mean_probability" in st:  # FLIC/FLAC: the calibration they are for
        right = right[:3] + [("Mean p̂", st["mean_probability"]), ("Event rate", st["event_rate"])]
    width = 78
    lines = [title.center(width), "=" * width]
    for i in range(max(len(left), len(right))):
        lk, lv = left[i] if i < len(left) else ("", "")
        rk, rv = right[i] if i < len(right) else ("", "")
        lines.append(f"{lk:<18}{_fmt(lv):>18}   {rk:<18}{_fmt(rv):>18}")
    lines.append("=" * width)
    for note in s.notes:
        lines.append(f"NOTE: {note}")
    if s.notes:
        lines.append("-" * width)
    t = s.table.copy()
    lines.append(t.to_string(float_format=_fmt))
    lines.append("=" * width)
    return "\n".join(lines)
