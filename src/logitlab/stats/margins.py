"""Average marginal effects, marginal effects at the means, and predicted probabilities with
confidence intervals — statsmodels' ``get_margeff`` and ``get_prediction``, R's ``margins`` and
``predict(..., se.fit = TRUE)`` — by the delta method at the polished MLE.

With p(x) = σ(x̃ᵀθ), the effect of feature j is ∂p/∂xⱼ = p(1−p)·βⱼ, averaged over the rows
(frequency-weighted) or taken at the weighted mean row. Its Jacobian in θ is
p(1−p)·[(1 − 2p)·βⱼ·x̃ᵀ + eⱼᵀ], so Var = J·Σ·Jᵀ with Σ the covariance of θ̂. Binary and
dummy features are treated as continuous (statsmodels' default ``dummy=False``).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray
from scipy import stats

from .. import loss as L
from .base import check_alpha
from .inference import covariance
from .mle import MLE, fitted_mle

__all__ = ["marginal_effects", "predict_interval", "as_design"]


def _wald_frame(est: NDArray, cov: NDArray, names: list[str], alpha: float,
                label: str) -> pd.DataFrame:
    se = np.sqrt(np.maximum(np.diag(cov), 0.0))
    with np.errstate(divide="ignore", invalid="ignore"):
        z = est / se
    q = stats.norm.ppf(1 - alpha / 2)
    return pd.DataFrame(
        {label: est, "std_err": se, "z": z, "p_value": 2 * stats.norm.sf(np.abs(z)),
         f"ci_lower_{1 - alpha:g}": est - q * se, f"ci_upper_{1 - alpha:g}": est + q * se},
        index=pd.Index(names, name="feature"),
    )


def _theta_cov(mle: MLE, cov_type: str) -> NDArray:
    return covariance(mle.objective, mle.theta, cov_type, mle.names, None,
                      mle.inverse_information())


def marginal_effects(model: Any, at: str = "overall", *, dummy: bool = False,
                     alpha: float = 0.05, cov_type: str = "nonrobust", X: ArrayLike | None = None,
                     y: ArrayLike | None = None, sample_weight: ArrayLike | None = None
                     ) -> pd.DataFrame:
    """dP(y=1)/dxⱼ with delta-method SEs: ``at="overall"`` averages over the training rows
    (AME, R's ``margins``), ``at="mean"`` evaluates at the (weighted) mean row (MEM).
    ``dummy=True``: for 0/1 features the discrete change P(xⱼ=1) − P(xⱼ=0) instead (statsmodels'
    ``dummy=True``; R's margins for factors)."""
    if at not in ("overall", "mean"):
        raise ValueError(f"at must be 'overall' (average marginal effects) or 'mean'; got {at!r}.")
    alpha = check_alpha(alpha)
    mle = fitted_mle(model, X, y, sample_weight)
    Xt = mle.design_matrix()
    s = mle.weights
    p_feat = mle.objective.n_features
    beta = mle.theta[:p_feat]
    z = mle.linear_predictor()  # offset included
    if at == "mean":  # the mean row, and the mean offset (the mean linear predictor)
        Xt = (s @ Xt / s.sum())[None, :]
        z = np.array([s @ z / s.sum()])
        s = np.ones(1)
    binary = _binary_columns(mle) if dummy else []
    d = L.log_loss_curvature(z)                         # p(1 − p)
    dd = d * (1.0 - 2.0 * L.sigmoid(z))                 # ∂[p(1 − p)]/∂z
    share = s / s.sum()
    effect = (share @ d) * beta
    # J[j] = Σ share·[dd·βⱼ·x̃ᵀ + d·eⱼᵀ]
    J = np.outer(beta, share * dd @ Xt)
    J[:, :p_feat] += np.eye(p_feat) * (share @ d)
    for j in binary:  # discrete change: σ(z with xⱼ = 1) − σ(z with xⱼ = 0), and its gradient
        x = Xt[:, j]
        X1, X0 = Xt.copy(), Xt.copy()
        X1[:, j], X0[:, j] = 1.0, 0.0
        z1, z0 = z + beta[j] * (1.0 - x), z - beta[j] * x
        effect[j] = share @ (L.sigmoid(z1) - L.sigmoid(z0))
        J[j] = share * L.log_loss_curvature(z1) @ X1 - share * L.log_loss_curvature(z0) @ X0
    cov = J @ _theta_cov(mle, cov_type) @ J.T
    names = mle.names[:p_feat]
    return _wald_frame(effect, cov, names, alpha, "dy/dx")


def _binary_columns(mle: MLE) -> list[int]:
    """The features whose values (on rows with weight) are all 0 or 1."""
    X = mle.design_matrix()[mle.weights > 0, :mle.objective.n_features]
    return [j for j in range(X.shape[1]) if np.all((X[:, j] == 0) | (X[:, j] == 1))]


def as_design(model: Any, X: ArrayLike) -> NDArray:
    """New rows as the model's feature matrix: DataFrame columns matched by the names the
    model was fit with; arrays must have the same number of columns."""
    names = getattr(model, "feature_names_in_", None)
    if names is not None and hasattr(X, "columns"):
        missing = [n for n in names if n not in X.columns]
        if missing:
            raise ValueError(f"X lacks the model's columns {missing}.")
        X = X[list(names)]
    Xa = np.asarray(X, dtype=np.float64)
    if Xa.ndim == 1:
        Xa = Xa[None, :]
    if Xa.shape[1] != model.coef_.shape[1]:
        raise ValueError(f"X must have {model.coef_.shape[1]} columns like the training data; "
                         f"got {Xa.shape[1]}.")
    return Xa


def predict_interval(model: Any, X: ArrayLike, *, alpha: float = 0.05,
                     cov_type: str = "nonrobust", offset: ArrayLike | None = None
                     ) -> pd.DataFrame:
    """P(y=1 | x) with a confidence interval: the Wald interval of the logit
    η = x̃ᵀθ̂ ± z·√(x̃ᵀΣx̃), mapped through σ (so it stays in [0, 1]; statsmodels'
    ``GLMResults.get_prediction``). Uses the polished MLE, so ``probability`` can differ from
    ``predict_proba`` by the fit's tolerance. ``offset`` adds a known term to η."""
    alpha = check_alpha(alpha)
    mle = fitted_mle(model)
    Xa = as_design(model, X)
    if mle.fit_intercept:
        Xa = np.column_stack([Xa, np.ones(Xa.shape[0])])
    eta = Xa @ mle.theta
    if offset is not None:
        eta = eta + np.asarray(offset, dtype=np.float64).ravel()
    cov = _theta_cov(mle, cov_type)
    se = np.sqrt(np.maximum(np.einsum("ij,jk,ik->i", Xa, cov, Xa), 0.0))
    q = stats.norm.ppf(1 - alpha / 2)
    index = X.index if isinstance(X, pd.DataFrame) else None
    return pd.DataFrame({
        "probability": L.sigmoid(eta), f"ci_lower_{1 - alpha:g}": L.sigmoid(eta - q * se),
        f"ci_upper_{1 - alpha:g}": L.sigmoid(eta + q * se), "logit": eta, "logit_se": se,
    }, index=index)
