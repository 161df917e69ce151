"""Firth's bias-reduced logistic regression (Firth 1993; Heinze & Schemper 2002).

Maximizes the Jeffreys-penalized log-likelihood

    ℓ*(θ) = ℓ(θ) + ½·log det I(θ),   ℓ = −m·J,   I = m·∇²J   (J: the core's mean loss, λ = 0)

whose score is U*(θ) = Xᵀ(s∘(y − p) + h∘(½ − p)), hᵢ the diagonal of the weighted hat matrix
W^½X̃ I⁻¹ X̃ᵀW^½. The estimates are always finite — also under complete or quasi-complete
separation — and their O(1/n) bias is removed. As R's logistf, we fit by Fisher scoring on U*
with step-halving on ℓ* (steps capped at 5 per coordinate), report Wald standard errors
√diag I(θ̃)⁻¹, and base intervals and tests on the *profile penalized likelihood*:

    {c : 2·(ℓ*(θ̃) − max_{θⱼ = c} ℓ*(θ)) ≤ χ²₁(1 − α)},   p-value from the same statistic at c = 0.

Sample weights are frequency weights (logistf's ``weights``). Every ℓ, ∇ℓ and I is taken from
:class:`~logitlab.objective.Objective`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import scipy.linalg as la
import scipy.sparse as sp
from numpy.typing import ArrayLike, NDArray
from scipy import optimize, stats
from scipy.special import expit

from .design import Design
from .objective import Objective
from .solvers.base import Callback, Recorder, SolverResult

__all__ = ["firth_solve", "firth_fit", "FirthFit", "penalized_loglik", "profile_interval",
           "firth_summary"]

_MAX_STEP = 5.0    # logistf's maxstep
_MAX_HALVINGS = 25  # logistf's maxhs


def _dense_design(obj: Objective) -> NDArray:
    """X̃ as the objective sees it (standardized when it is), with the intercept column last."""
    d = obj.design
    X = d.X.toarray() if sp.issparse(d.X) else np.asarray(d.X, dtype=np.float64)
    X = np.array(X, dtype=np.float64, copy=True)
    if d.offset is not None:
        X -= d.offset
    if d.scale is not None:
        X /= d.scale
    if obj.fit_intercept:
        X = np.column_stack([X, np.ones(X.shape[0])])
    return X


@dataclass
class _State:
    """ℓ*, its score and the information at one θ."""

    theta: NDArray
    pen_loglik: float
    loglik: float
    score: NDArray
    info: NDArray
    chol: Any


def _evaluate(obj: Objective, Xt: NDArray | None, theta: NDArray,
              jeffreys: bool = True) -> _State | None:
    m = obj.n_samples
    loglik = -m * obj.data_loss(theta)
    info = m * obj.hessian(theta)
    try:
        chol = la.cho_factor(info, lower=True, check_finite=False)
    except (la.LinAlgError, ValueError):
        return None
    logdet = 2.0 * float(np.sum(np.log(np.diag(chol[0]))))
    if not np.isfinite(loglik) or not np.isfinite(logdet):
        return None
    if not jeffreys:  # plain likelihood: the same machinery profiles the MLE (R's confint)
        return _State(theta, loglik, loglik, -m * obj.gradient(theta), info, chol)
    p = expit(obj.scores(theta))
    d = m * obj.curvature_weights(theta)  # sᵢ pᵢ (1 − pᵢ)
    V = la.solve_triangular(chol[0], Xt.T, lower=True, check_finite=False)  # L⁻¹ X̃ᵀ
    h = d * np.einsum("ij,ij->j", V, V)
    score = -m * obj.gradient(theta) + Xt.T @ (h * (0.5 - p))
    return _State(theta, loglik + 0.5 * logdet, loglik, score, info, chol)


def penalized_loglik(obj: Objective, theta: NDArray) -> float:
    """ℓ*(θ) = ℓ(θ) + ½ log det I(θ)."""
    m = obj.n_samples
    sign, logdet = np.linalg.slogdet(m * obj.hessian(theta))
    return -m * obj.data_loss(theta) + 0.5 * logdet if sign > 0 else -np.inf


@dataclass
class FirthFit:
    """Where the Firth iteration ended."""

    theta: NDArray
    pen_loglik: float
    loglik: float
    info: NDArray
    n_iter: int
    converged: bool
    score_max: float


def firth_fit(
    obj: Objective, theta0: NDArray | None = None, fixed: NDArray | None = None,
    tol: float = 1e-10, max_iter: int = 100, recorder: Recorder | None = None,
    jeffreys: bool = True,
) -> FirthFit:
    """Maximize ℓ* over the parameters not ``fixed`` (a boolean mask; fixed ones stay at θ₀).

    Converged when the free part of the score and of the step are both below ``tol``.
    ``jeffreys=False`` maximizes the plain log-likelihood ℓ instead (for profile-likelihood
    intervals of the MLE).
    """
    if obj.loss != "log" or obj.lam != 0:
        raise ValueError("Firth's method is for the unpenalized log-loss (lam=0).")
    Xt = _dense_design(obj) if jeffreys else None
    theta = obj.initial_theta() if theta0 is None else np.array(theta0, dtype=np.float64)
    free = np.ones(theta.size, bool) if fixed is None else ~np.asarray(fixed, bool)
    st = _evaluate(obj, Xt, theta, jeffreys)
    if st is None:
        raise ValueError("Firth: the information matrix is singular at the start (collinear X?).")
    converged, it = False, 0
    for it in range(1, max_iter + 1):
        g = st.score[free]
        I_ff = st.info[np.ix_(free, free)]
        try:
            step_f = la.cho_solve(la.cho_factor(I_ff, check_finite=False), g, check_finite=False)
        except (la.LinAlgError, ValueError):
            step_f = la.lstsq(I_ff, g)[0]
        big = np.max(np.abs(step_f), initial=0.0)
        if big > _MAX_STEP:
            step_f *= _MAX_STEP / big
        step = np.zeros_like(theta)
        step[free] = step_f
        if np.max(np.abs(g), initial=0.0) <= tol and np.max(np.abs(step_f), initial=0.0) <= tol:
            converged, it = True, it - 1
            break
        t, new = 1.0, None
        for _ in range(_MAX_HALVINGS):
            cand = _evaluate(obj, Xt, theta + t * step, jeffreys)
            if cand is not None and cand.pen_loglik >= st.pen_loglik - 1e-12 * abs(st.pen_loglik):
                new = cand
                break
            t *= 0.5
        if new is None:  # no ascent representable: at the optimum to precision
            converged = np.max(np.abs(g), initial=0.0) <= max(tol, 1e-6)
            it -= 1
            break
        theta, st = new.theta, new
        if recorder is not None:
            recorder.record(it, theta, -st.pen_loglik / obj.n_samples)
            if recorder.stopped:
                break
    g = st.score[free]
    if not converged and np.max(np.abs(g), initial=0.0) <= max(tol, 1e-8):
        converged = True
    return FirthFit(theta, st.pen_loglik, st.loglik, st.info, it, converged,
                    float(np.max(np.abs(g), initial=0.0)))


def firth_solve(
    obj: Objective, theta0: NDArray, tol: float = 1e-6, max_iter: int = 100,
    callback: Callback | None = None, record_path: bool = False,
) -> SolverResult:
    """The estimator's ``firth=True`` fit, returned as a core :class:`SolverResult`.

    ``tol`` bounds the score of the *mean* penalized loss, like the other solvers' KKT residual;
    iterations continue to 1e-10 at no extra cost because Fisher scoring converges quadratically.
    """
    if obj.lam != 0:
        raise ValueError(
            f"firth=True replaces the penalty by Jeffreys' prior; use lam=0 (got lam={obj.lam})."
        )
    rec = Recorder(callback, record_path)
    rec.record(0, theta0, -penalized_loglik(obj, theta0) / obj.n_samples)
    fit = firth_fit(obj, theta0, tol=min(1e-10 * obj.n_samples, tol * obj.n_samples),
                    max_iter=max(max_iter, 1), recorder=rec)
    kkt = fit.score_max / obj.n_samples
    status = "converged" if fit.converged or kkt <= tol else "max_iter"
    return rec.result(obj, fit.theta, "firth", status, fit.n_iter, kkt,
                      "Firth penalized likelihood (Fisher scoring with step-halving)")


def _constrained_max(obj: Objective, theta_start: NDArray, j: int, value: float,
                     jeffreys: bool = True) -> FirthFit:
    fixed = np.zeros(theta_start.size, bool)
    fixed[j] = True
    th = theta_start.copy()
    th[j] = value
    return firth_fit(obj, th, fixed=fixed, tol=1e-9, max_iter=200, jeffreys=jeffreys)


def profile_interval(
    obj: Objective, fit: FirthFit, j: int, alpha: float = 0.05, se: float | None = None,
    jeffreys: bool = True,
) -> tuple[float, float, float, float]:
    """(lower, upper, χ², p) for parameter j from the profile penalized likelihood.

    χ² = 2(ℓ*(θ̃) − max_{θⱼ=0} ℓ*) is logistf's penalized likelihood-ratio statistic; with
    ``jeffreys=False`` the same for the plain likelihood at the MLE (R's ``confint.glm``).
    """
    crit = stats.chi2.ppf(1 - alpha, 1)
    top = fit.pen_loglik
    est = fit.theta[j]
    if se is None or not np.isfinite(se) or se <= 0:
        se = 1.0
    cache: dict[float, NDArray] = {}

    def excess(c: float, start: NDArray) -> float:
        try:
            res = _constrained_max(obj, start, j, c, jeffreys)
        except ValueError:  # information collapses (probabilities saturate): far beyond the bound
            cache[c] = start
            return 1e6
        cache[c] = res.theta
        return 2.0 * (top - res.pen_loglik) - crit

    bounds = []
    for sign in (-1.0, 1.0):
        start = fit.theta
        inner, step = est, se
        outer = est + sign * step
        val = excess(outer, start)
        n = 0
        while val < 0 and n < 40:
            start = cache[outer]
            inner, step = outer, step * 2
            outer = est + sign * step
            val = excess(outer, start)
            n += 1
        if val < 0:
            bounds.append(sign * np.inf)
            continue
        warm = cache.get(inner, fit.theta)
        root = optimize.brentq(lambda c, w=warm: excess(c, w), min(inner, outer),
                               max(inner, outer), xtol=1e-10, rtol=1e-12)
        bounds.append(root)
    zero = _constrained_max(obj, fit.theta, j, 0.0, jeffreys)
    chisq = max(2.0 * (top - zero.pen_loglik), 0.0)
    return bounds[0], bounds[1], chisq, float(stats.chi2.sf(chisq, 1))


@dataclass
class ProfileResult:
    """Estimates, covariance and profile intervals in the original units of X."""

    theta: NDArray
    cov: NDArray
    lower: NDArray
    upper: NDArray
    chi2: NDArray
    p_value: NDArray
    fit: FirthFit  # on the scaled problem
    scaled: Objective
    factor: NDArray  # θ_scaled = θ · factor


def _scaled(obj: Objective) -> tuple[Objective, NDArray]:
    """The same model on X/σ (no centering, so the intercept keeps its meaning): better
    conditioned for Newton and root finding; θ_scaled = θ·(σ, 1)."""
    X = obj.design.X
    if sp.issparse(X):
        mean = np.asarray(X.mean(axis=0)).ravel()
        sq = np.asarray(X.multiply(X).mean(axis=0)).ravel()
        sd = np.sqrt(np.maximum(sq - mean**2, 0.0))
    else:
        sd = np.asarray(X, dtype=np.float64).std(axis=0)
    sd = np.where(sd > 0, sd, 1.0)
    scaled = Objective(Design(X, None, sd), obj.y, obj.sample_weight, lam=0.0,
                       fit_intercept=obj.fit_intercept)
    factor = np.append(sd, 1.0) if obj.fit_intercept else sd
    return scaled, factor


def profile_all(obj: Objective, theta: NDArray, alpha: float = 0.05,
                jeffreys: bool = True) -> ProfileResult:
    """Refit (ℓ* or ℓ) from θ and profile every parameter; computed on X/σ, reported in X units."""
    scaled, factor = _scaled(obj)
    fit = firth_fit(scaled, theta * factor, tol=1e-10, jeffreys=jeffreys)
    cov_s = la.inv(fit.info)
    se_s = np.sqrt(np.diag(cov_s))
    rows = [profile_interval(scaled, fit, j, alpha, se_s[j], jeffreys)
            for j in range(theta.size)]
    lo, hi, chisq, p = (np.array(v) for v in zip(*rows, strict=True))
    return ProfileResult(fit.theta / factor, cov_s / np.outer(factor, factor), lo / factor,
                         hi / factor, chisq, p, fit, scaled, factor)


def firth_summary(
    model: Any, X: ArrayLike | None = None, y: ArrayLike | None = None,
    sample_weight: ArrayLike | None = None, *, alpha: float = 0.05,
) -> Any:
    """The logistf-style table: coef, Wald SE, profile penalized-likelihood CI, χ² and p."""
    from .inference import (
        LogitSummary,
        _reorder,
        _stats_header,
        model_theta,
        param_names,
        training_objective,
    )

    obj = training_objective(model, X, y, sample_weight)
    names = param_names(model)
    theta = model_theta(model, obj)
    prof = profile_all(obj, theta, alpha, jeffreys=True)  # θ̃ is invariant to the scaling
    cov, lo, hi, chisq, p = prof.cov, prof.lower, prof.upper, prof.chi2, prof.p_value
    se = np.sqrt(np.diag(cov))
    lo_name, hi_name = f"ci_lower_{1 - alpha:g}", f"ci_upper_{1 - alpha:g}"
    table = pd.DataFrame(
        {"coef": prof.theta, "std_err": se, lo_name: lo, hi_name: hi, "chi2": chisq,
         "p_value": p, "odds_ratio": np.exp(prof.theta), f"or_{lo_name}": np.exp(lo),
         f"or_{hi_name}": np.exp(hi)},
        index=pd.Index(names, name="parameter"),
    )
    order = _reorder(names, model.fit_intercept)
    table = table.iloc[order]
    # model statistics: the penalized LR test against the Firth intercept-only model
    k = obj.n_params
    null_fixed = np.zeros(k, bool)
    null_fixed[: obj.n_features] = True
    null_theta = np.zeros(k)
    if obj.fit_intercept:
        null_theta[-1] = obj.initial_theta()[-1]
    null = firth_fit(prof.scaled, null_theta, fixed=null_fixed, tol=1e-10)
    fit = prof.fit
    shift = float(np.sum(np.log(prof.factor)))  # ½log det I in X units = scaled value + Σ log σⱼ
    n = float(obj.sample_weight.sum())
    df_model = k - int(obj.fit_intercept)
    llr = 2.0 * (fit.pen_loglik - null.pen_loglik)
    fit_stats = {
        "n_obs": n, "n_params": k, "df_model": df_model, "df_resid": n - k,
        "log_likelihood": fit.loglik, "penalized_log_likelihood": fit.pen_loglik + shift,
        "null_log_likelihood": null.loglik,
        "null_penalized_log_likelihood": null.pen_loglik + shift,
        "deviance": -2.0 * fit.loglik, "aic": np.nan, "bic": np.nan,
        "pseudo_r2_mcfadden": np.nan, "lr_stat": llr, "lr_df": df_model,
        "lr_pvalue": float(stats.chi2.sf(llr, df_model)) if df_model > 0 else np.nan,
    }
    notes = [
        "Firth's penalized likelihood: intervals and p-values come from the profile penalized "
        "likelihood (not Wald); std_err is √diag I(θ̃)⁻¹; the LR test compares penalized "
        "log-likelihoods with the Firth intercept-only model (as logistf)."
    ]
    ordered = [names[i] for i in order]
    cov_df = pd.DataFrame(cov[np.ix_(order, order)], index=ordered, columns=ordered)
    return LogitSummary(table, _stats_header(model, fit_stats, "firth", "n/a"), notes,
                        "firth", cov_df, alpha)
