"""Residuals, influence, variance inflation and goodness of fit for a maximum-likelihood fit —
what R's ``residuals``/``rstandard``/``hatvalues``/``cooks.distance``/``dfbeta`` and statsmodels'
``GLMResults.resid_*``/``get_influence()`` give, evaluated at the polished MLE.

Frequency weights: a row of weight sᵢ stands for sᵢ identical observations, and every per-row
quantity here is that of **one** of those copies (its residual, leverage, Cook's distance, the
change in θ̂ when that copy is deleted) — exactly what the row-repeated data give for each
duplicate. The fit's information I = Σ sⱼpⱼ(1−pⱼ)x̃ⱼx̃ⱼᵀ carries the weights.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from .. import loss as L
from ..metrics import HosmerLemeshow, hosmer_lemeshow
from .base import reorder
from .inference import hat_values
from .mle import MLE, fitted_mle

__all__ = ["residuals", "influence", "variance_inflation", "goodness_of_fit", "RESIDUAL_KINDS"]

RESIDUAL_KINDS = ("response", "pearson", "deviance", "working", "standardized",
                  "standardized_pearson")


def _parts(mle: MLE) -> tuple[NDArray, NDArray, NDArray]:
    """(y, p, z) at the polished MLE."""
    z = mle.linear_predictor()
    return np.asarray(mle.objective.y, dtype=np.float64), L.sigmoid(z), z


def residuals(model: Any, kind: str = "deviance", X: ArrayLike | None = None,
              y: ArrayLike | None = None, sample_weight: ArrayLike | None = None) -> NDArray:
    """Per-row residuals of one copy: ``response`` y − p; ``pearson`` (y − p)/√(p(1−p));
    ``deviance`` sign(y − p)·√(2ℓᵢ) (ℓᵢ the log-loss from the logit); ``working`` (y − p)/(p(1−p));
    ``standardized`` deviance/√(1−h) (R's ``rstandard``); ``standardized_pearson``
    pearson/√(1−h) (statsmodels' ``resid_studentized``)."""
    if kind not in RESIDUAL_KINDS:
        raise ValueError(f"kind must be one of {RESIDUAL_KINDS}; got {kind!r}.")
    mle = fitted_mle(model, X, y, sample_weight)
    return _residuals(mle, kind)


def _residuals(mle: MLE, kind: str) -> NDArray:
    y, p, z = _parts(mle)
    variance = L.log_loss_curvature(z)  # p(1 − p) without cancellation in the tails
    if kind == "response":
        return y - p
    if kind == "pearson":
        return (y - p) / np.sqrt(variance)
    if kind == "working":
        return (y - p) / variance
    deviance = np.sign(y - p) * np.sqrt(2.0 * L.log_loss_pointwise(y, z))
    if kind == "deviance":
        return deviance
    one_minus_h = 1.0 - hat_values(mle.objective, mle.theta, mle.inverse_information())
    base = deviance if kind == "standardized" else (y - p) / np.sqrt(variance)
    return base / np.sqrt(one_minus_h)


def influence(model: Any, X: ArrayLike | None = None, y: ArrayLike | None = None,
              sample_weight: ArrayLike | None = None) -> pd.DataFrame:
    """One row per example: ``hat`` (leverage), ``cooks_d`` (Cook's distance, one-step:
    r²ₚₛ·h/((1−h)·k), statsmodels' ``cooks_distance``), ``std_resid_pearson``,
    ``std_resid_deviance`` and ``dfbeta_<parameter>``: θ̂ − θ̂₍₋ᵢ₎ by the one-step formula
    I⁻¹x̃ᵢ(yᵢ − pᵢ)/(1 − hᵢ) (statsmodels' ``d_params``, R's ``dfbeta``), intercept first."""
    mle = fitted_mle(model, X, y, sample_weight)
    inv = mle.inverse_information()
    yy, p, _ = _parts(mle)
    h = hat_values(mle.objective, mle.theta, inv)
    std_pearson = _residuals(mle, "standardized_pearson")
    k = mle.objective.n_params
    cooks = std_pearson**2 * h / ((1.0 - h) * k)
    dfbeta = (mle.design_matrix() @ inv) * ((yy - p) / (1.0 - h))[:, None]
    order = reorder(mle.names, mle.fit_intercept)
    frame = pd.DataFrame({"hat": h, "cooks_d": cooks, "std_resid_pearson": std_pearson,
                          "std_resid_deviance": _residuals(mle, "standardized")})
    for j in order:
        frame[f"dfbeta_{mle.names[j]}"] = dfbeta[:, j]
    return frame


def variance_inflation(model_or_X: Any, sample_weight: ArrayLike | None = None) -> pd.Series:
    """Variance inflation factor of each feature: 1/(1 − R²ⱼ) for regressing feature j on the
    others and a constant (statsmodels' ``variance_inflation_factor`` on a design with a
    constant); the diagonal of the inverse (weighted) correlation matrix. A fitted model gives
    its training features (and weights)."""
    if hasattr(model_or_X, "coef_"):
        mle = fitted_mle(model_or_X, check_separation=False)
        X, names, w = mle.design_matrix(), list(mle.names), mle.weights
        if mle.fit_intercept:
            X, names = X[:, :-1], names[:-1]
    else:
        names = ([str(c) for c in model_or_X.columns] if hasattr(model_or_X, "columns") else None)
        X = np.asarray(model_or_X, dtype=np.float64)
        names = names or [f"x{j}" for j in range(X.shape[1])]
        w = np.ones(X.shape[0]) if sample_weight is None else np.asarray(sample_weight, float)
    if X.shape[1] < 2:
        raise ValueError("variance inflation factors need at least two features.")
    mean = w @ X / w.sum()
    centred = X - mean
    cov = (centred * w[:, None]).T @ centred / w.sum()
    sd = np.sqrt(np.diag(cov))
    if np.any(sd == 0):
        constant = [names[j] for j in np.flatnonzero(sd == 0)]
        raise ValueError(f"constant feature(s) {constant}: "
                         "their variance inflation is undefined; drop them.")
    corr = cov / np.outer(sd, sd)
    return pd.Series(np.diag(np.linalg.inv(corr)), index=pd.Index(names, name="feature"),
                     name="vif")


def goodness_of_fit(model: Any, n_groups: int = 10, X: ArrayLike | None = None,
                    y: ArrayLike | None = None, sample_weight: ArrayLike | None = None
                    ) -> HosmerLemeshow:
    """Hosmer–Lemeshow test of the fit on its training data (deciles of p̂ at the polished MLE,
    frequency weights), as :func:`logitlab.metrics.hosmer_lemeshow`."""
    mle = fitted_mle(model, X, y, sample_weight)
    yy, p, _ = _parts(mle)
    return hosmer_lemeshow(yy, p, n_groups, mle.weights)
