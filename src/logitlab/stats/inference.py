"""Maximum-likelihood inference for a fitted :class:`~logitlab.LogisticRegression`.

With λ = 0, J(θ) = (1/m)·Σ sᵢ·ℓᵢ is the mean negative log-likelihood, so

    log-likelihood  ℓ(θ) = −m·J(θ),      observed Fisher information  I(θ) = m·∇²J(θ),

and the covariance of θ̂ is I(θ̂)⁻¹ (for the logit link observed = expected information).
Everything below is evaluated through :class:`~logitlab.objective.Objective` — the
Hessian, the gradient and the loss are never re-derived here.

Sample weights are **frequency weights** (statsmodels' ``GLM(freq_weights=…)``, R's
``glm(weights=…)`` for 0/1 data): an example of weight 3 counts as three identical
examples, so the information is Σ sᵢ·pᵢ(1−pᵢ)·x̃ᵢx̃ᵢᵀ and the sample size in BIC is Σ sᵢ.
(Weights that only rebalance classes — ``class_weight`` — are not frequencies; for them the
probability-weight sandwich is ``cov_type="cluster"`` with one cluster per row.)

Standardized fits are reported in the original units: the statistics are computed on the
raw design at the back-transformed coefficients, exactly as statsmodels' ``Logit`` does.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
from numpy.typing import ArrayLike, NDArray
from scipy import stats

from .. import loss as L
from ..objective import Objective
from .base import (
    INTERCEPT_NAME,
    InferenceError,
    LogitSummary,
    check_alpha,
    count,
    feature_names,
    model_theta,
    param_names,
    reorder,
    stats_header,
    training_objective,
)
from .firth import firth_summary, profile_all
from .mle import fitted_mle

__all__ = [
    "LogitSummary",
    "InferenceError",
    "summarize",
    "training_objective",
    "covariance",
    "feature_names",
    "INTERCEPT_NAME",
]

_COV_TYPES = ("nonrobust", "HC0", "HC1", "HC2", "HC3", "cluster")


def _score_residuals(objective: Objective, theta: NDArray) -> NDArray:
    """rᵢ = pᵢ − yᵢ: one copy's score is rᵢ·x̃ᵢ (a row of weight sᵢ stands for sᵢ copies)."""
    return L.log_loss_derivative(objective.y, objective.scores(theta))


def hat_values(objective: Objective, theta: NDArray, inv: NDArray) -> NDArray:
    """Leverage of one copy of each row, hᵢ = pᵢ(1−pᵢ)·x̃ᵢᵀI⁻¹x̃ᵢ with I = Σ sⱼpⱼ(1−pⱼ)x̃ⱼx̃ⱼᵀ:
    with frequency weights, exactly each duplicate's hat value in the row-repeated data (and
    R's ``hatvalues``, statsmodels' ``get_hat_matrix_diag`` without weights)."""
    X = objective.design.X
    X = X.toarray() if sp.issparse(X) else np.asarray(X, dtype=np.float64)
    if objective.fit_intercept:
        X = np.column_stack([X, np.ones(X.shape[0])])
    return L.log_loss_curvature(objective.scores(theta)) * np.einsum("ij,jk,ik->i", X, inv, X)


def _score_outer(objective: Objective, v: NDArray) -> NDArray:
    """Σᵢ vᵢ x̃ᵢx̃ᵢᵀ (the sandwich's meat for vᵢ = sᵢ·ωᵢ·rᵢ²), by the design's weighted Gram."""
    design = objective.design
    G = design.gram(v)
    if not objective.fit_intercept:
        return G
    k = objective.n_params
    M = np.empty((k, k))
    M[:-1, :-1] = G
    M[:-1, -1] = M[-1, :-1] = design.rmatvec(v)
    M[-1, -1] = v.sum()
    return M


def covariance(
    objective: Objective, theta: NDArray, cov_type: str = "nonrobust",
    names: list[str] | None = None, groups: ArrayLike | None = None,
    inv: NDArray | None = None,
) -> NDArray:
    """Covariance of θ̂: I⁻¹ (model-based) or a sandwich I⁻¹·M·I⁻¹ (R's sandwich definitions).

    Frequency weights throughout: row i stands for sᵢ copies with score rᵢx̃ᵢ each, rᵢ = pᵢ − yᵢ,
    and leverage hᵢ (:func:`hat_values`), so the row-repeated data give the same covariance.
    HC0 M = Σ sᵢrᵢ²x̃ᵢx̃ᵢᵀ; HC1 = HC0·n/(n−k), n = Σsᵢ; HC2 M = Σ sᵢrᵢ²x̃ᵢx̃ᵢᵀ/(1−hᵢ);
    HC3 M = Σ sᵢrᵢ²x̃ᵢx̃ᵢᵀ/(1−hᵢ)² (``sandwich::vcovHC`` for a glm); cluster M = Σ_g ḡ_gḡ_gᵀ,
    ḡ_g = Σ_{i∈g} sᵢrᵢx̃ᵢ, times G/(G−1)·(n−1)/(n−k) (Stata's and statsmodels' default
    correction), ``groups`` one label per row (a row's copies share its cluster).
    """
    from .mle import information, inverse

    if cov_type not in _COV_TYPES:
        raise ValueError(f"cov_type must be one of {_COV_TYPES}; got {cov_type!r}.")
    if (groups is not None) != (cov_type == "cluster"):
        raise ValueError("groups=... goes with cov_type='cluster' (and only with it).")
    names = names or [f"θ{j}" for j in range(objective.n_params)]
    inv = inverse(information(objective, theta), names) if inv is None else inv
    if cov_type == "nonrobust":
        return inv
    s = np.asarray(objective.sample_weight, dtype=np.float64)
    n, k = float(s.sum()), objective.n_params
    r = _score_residuals(objective, theta)
    if cov_type == "cluster":
        meat, n_groups = _cluster_meat(objective, s * r, groups)
        return inv @ meat @ inv * (n_groups / (n_groups - 1.0) * (n - 1.0) / (n - k))
    v = s * r * r
    if cov_type in ("HC2", "HC3"):
        one_minus_h = 1.0 - hat_values(objective, theta, inv)
        if np.any(one_minus_h[s > 0] <= 1e-12):
            raise InferenceError(f"{cov_type} needs every leverage below 1; some example has "
                                 "hᵢ = 1 (it alone determines a parameter).")
        v = v / np.where(s > 0, one_minus_h, 1.0) ** (1 if cov_type == "HC2" else 2)
    cov = inv @ _score_outer(objective, v) @ inv
    if cov_type == "HC1":
        cov *= n / (n - k)
    return cov


def _cluster_meat(objective: Objective, r: NDArray, groups: ArrayLike) -> tuple[NDArray, int]:
    """Σ_g ḡ_g ḡ_gᵀ with ḡ_g = Σ_{i∈g} rᵢx̃ᵢ (one column per group of a sparse indicator)."""
    g = np.asarray(groups).ravel()
    if g.shape[0] != objective.n_samples:
        raise ValueError(f"groups needs one label per row ({objective.n_samples}); got {g.shape[0]}.")
    _, codes = np.unique(g, return_inverse=True)
    n_groups = int(codes.max()) + 1
    if n_groups < 2:
        raise ValueError("cluster-robust standard errors need at least 2 groups.")
    m = objective.n_samples
    S = sp.csr_matrix((r, (codes, np.arange(m))), shape=(n_groups, m))  # rows: Σ_{i∈g} rᵢ eᵢᵀ
    X = objective.design.X
    sums = S @ X
    sums = sums.toarray() if sp.issparse(sums) else np.asarray(sums)
    if objective.fit_intercept:
        sums = np.column_stack([sums, np.asarray(S.sum(axis=1)).ravel()])
    return sums.T @ sums, n_groups


def log_likelihoods(objective: Objective, theta: NDArray) -> tuple[float, float]:
    """(ℓ(θ̂), ℓ of the null model): every slope 0, the intercept at its MLE (given the offset,
    if any), or p = σ(offset) without intercept."""
    from .mle import null_theta

    m = objective.n_samples
    return -m * objective.data_loss(theta), -m * objective.data_loss(null_theta(objective))


def _fit_stats(objective: Objective, theta: NDArray, k: int) -> dict[str, Any]:
    llf, llnull = log_likelihoods(objective, theta)
    n = count(objective.sample_weight.sum())
    df_model = k - int(objective.fit_intercept)
    llr = 2.0 * (llf - llnull)
    return {
        "n_obs": n,
        "n_params": k,
        "df_model": df_model,
        "df_resid": n - k,
        "log_likelihood": llf,
        "null_log_likelihood": llnull,
        "deviance": -2.0 * llf,
        "null_deviance": -2.0 * llnull,
        "aic": -2.0 * llf + 2.0 * k,
        "bic": -2.0 * llf + np.log(n) * k,
        "pseudo_r2_mcfadden": 1.0 - llf / llnull if llnull != 0 else np.nan,
        "lr_stat": llr,
        "lr_df": df_model,
        "lr_pvalue": float(stats.chi2.sf(llr, df_model)) if df_model > 0 else np.nan,
    }


def wald_table(
    names: list[str], theta: NDArray, cov: NDArray | None, alpha: float,
    fit_intercept: bool,
) -> pd.DataFrame:
    """coef, std_err, z, p_value, Wald interval and odds ratios, intercept first."""
    q = stats.norm.ppf(1 - alpha / 2)
    lo_name, hi_name = f"ci_lower_{1 - alpha:g}", f"ci_upper_{1 - alpha:g}"
    if cov is None:
        se = np.full(theta.shape, np.nan)
    else:
        se = np.sqrt(np.maximum(np.diag(cov), 0.0))
    with np.errstate(divide="ignore", invalid="ignore"):
        z = theta / se
    p = 2.0 * stats.norm.sf(np.abs(z))
    lo, hi = theta - q * se, theta + q * se
    order = reorder(names, fit_intercept)
    table = pd.DataFrame(
        {
            "coef": theta, "std_err": se, "z": z, "p_value": p, lo_name: lo, hi_name: hi,
            "odds_ratio": np.exp(theta), f"or_{lo_name}": np.exp(lo), f"or_{hi_name}": np.exp(hi),
        },
        index=pd.Index(names, name="parameter"),
    )
    return table.iloc[order]


# -- the entry point ------------------------------------------------------------------------
def summarize(
    model: Any, X: ArrayLike | None = None, y: ArrayLike | None = None,
    sample_weight: ArrayLike | None = None, *, alpha: float = 0.05,
    cov_type: str = "nonrobust", ci_method: str = "wald", check_separation: bool = True,
    groups: ArrayLike | None = None,
) -> LogitSummary:
    """The statistician's table for a fitted model (what ``model.summary()`` returns).

    - λ = 0: Wald inference from the inverse observed information (or a sandwich), plus
      ℓ, ℓ₀, deviance, AIC, BIC, McFadden's R² and the LR test against the null model.
      ``ci_method="profile"`` gives profile-likelihood intervals instead (R's ``confint``
      for a glm), with the likelihood-ratio χ² and p-value of each coefficient.
      Under separation (checked by linear programming) this raises :class:`InferenceError`
      naming the features, because the estimates do not exist.
    - ``firth=True``: Firth's estimates with profile penalized-likelihood intervals and
      penalized likelihood-ratio p-values (as R's logistf).
    - λ > 0: coefficients and odds ratios only, with a note that these standard errors do
      not apply to penalized estimates (the columns are NaN rather than misleading).
    """
    from sklearn.utils.validation import check_is_fitted

    check_is_fitted(model)
    alpha = check_alpha(alpha)
    if getattr(model, "firth", False):
        if cov_type != "nonrobust" or groups is not None:
            raise InferenceError(
                f"cov_type={cov_type!r} is not offered for Firth fits: a sandwich covariance "
                "needs independent per-row scores, and Firth's modified score adds "
                "hᵢ(½ − pᵢ)x̃ᵢ, whose hat values hᵢ depend on every row; neither logistf nor "
                "brglm2 defines one. Firth's summary uses profile penalized-likelihood "
                "intervals and tests instead, which need no covariance. For robust standard "
                "errors, fit lam=0 where the maximum-likelihood estimate exists.")

        return firth_summary(model, X, y, sample_weight, alpha=alpha)
    names = param_names(model)
    if model.lam > 0:
        objective = training_objective(model, X, y, sample_weight)
        theta = model_theta(model, objective)
        k = objective.n_params
        fit = _fit_stats(objective, theta, k)
        for key in ("aic", "bic", "lr_stat", "lr_pvalue"):
            fit[key] = np.nan
        note = (
            f"PENALIZED FIT (lam={model.lam:g}, l1_ratio={model.l1_ratio:g}): the coefficients "
            "are shrunk toward 0, so maximum-likelihood standard errors, z, p-values and "
            "intervals do not apply and are not shown (NaN). Refit with lam=0 (or firth=True) "
            "for inference, or bootstrap the penalized fit."
        )
        table = wald_table(names, theta, None, alpha, model.fit_intercept)
        return LogitSummary(table, stats_header(model, fit, "penalized", cov_type), [note],
                            "penalized", None, alpha)
    mle = fitted_mle(model, X, y, sample_weight, check_separation=check_separation)
    objective, theta, notes = mle.objective, mle.theta, list(mle.notes)
    if model.class_weight is not None:
        notes.append(
            "class_weight multiplies the sample weights, which these statistics treat as "
            "frequency weights (weight k = k identical rows); rebalancing weights are not "
            "frequencies, so for them use cov_type='cluster' with groups=range(n_rows) (each "
            "row its own cluster: the probability-weight sandwich Σ(sᵢrᵢx̃ᵢ)(sᵢrᵢx̃ᵢ)ᵀ)."
        )
    if not getattr(model, "converged_", True) and not mle.polished.at_rounding:
        notes.append(
            f"the solver did not converge (status {model.status_!r}): the estimates and their "
            "standard errors are not final."
        )
    k = objective.n_params
    cov = covariance(objective, theta, cov_type, names, groups, mle.inverse_information())
    table = wald_table(names, theta, cov, alpha, model.fit_intercept)
    if ci_method == "profile":
        table = _profile_columns(objective, theta, names, alpha, table)
        notes.append("intervals are profile-likelihood intervals (R's confint); lr_chi2 and "
                     "lr_p_value test each coefficient = 0 by likelihood ratio.")
    elif ci_method != "wald":
        raise ValueError(f"ci_method must be 'wald' or 'profile'; got {ci_method!r}.")
    fit = _fit_stats(objective, theta, k)
    fit.update(polish_steps=mle.polished.n_steps, score_max=mle.polished.score_max)
    notes.append(mle.polished.note())
    if cov_type == "cluster":
        notes.append(f"standard errors are cluster-robust ({len(np.unique(np.asarray(groups)))} "
                     "groups; small-sample factor G/(G−1)·(n−1)/(n−k)).")
    elif cov_type != "nonrobust":
        notes.append(f"standard errors are heteroskedasticity-robust ({cov_type} sandwich).")
    order = reorder(names, model.fit_intercept)
    ordered = [names[i] for i in order]
    cov_df = pd.DataFrame(cov[np.ix_(order, order)], index=ordered, columns=ordered)
    return LogitSummary(table, stats_header(model, fit, "mle", cov_type), notes, "mle",
                        cov_df, alpha)


def _profile_columns(
    objective: Objective, theta: NDArray, names: list[str], alpha: float, table: pd.DataFrame,
) -> pd.DataFrame:
    """Replace the Wald interval by the profile-likelihood one; add the LR χ² and p-value."""
    prof = profile_all(objective, theta, alpha, jeffreys=False)
    lo, hi, chisq, p = (pd.Series(v, index=names)
                        for v in (prof.lower, prof.upper, prof.chi2, prof.p_value))
    lo_name, hi_name = f"ci_lower_{1 - alpha:g}", f"ci_upper_{1 - alpha:g}"
    table = table.copy()
    table[lo_name], table[hi_name] = lo[table.index], hi[table.index]
    table[f"or_{lo_name}"], table[f"or_{hi_name}"] = np.exp(table[lo_name]), np.exp(table[hi_name])
    table["lr_chi2"], table["lr_p_value"] = chisq[table.index], p[table.index]
    return table


