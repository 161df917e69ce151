"""FLIC and FLAC: Firth's logistic regression with the average predicted probability made equal
to the observed event rate (Puhr, Heinze, Nold, Lusa & Geroldinger 2017, Statist. Med. 36:2302;
R's ``logistf::flic`` and ``logistf::flac``).

Firth's penalty pulls every probability toward ½, so on rare events the mean of p̂ exceeds the
event rate. Both corrections keep Firth's finite slopes under separation and remove that bias:

- **FLIC** keeps Firth's slopes β̃ and re-estimates the intercept by maximum likelihood with
  the offset ηᵢ = xᵢᵀβ̃ (``glm(y ~ 1, offset = η)``). Its Wald interval uses the SE from the full
  information at the FLIC fit, its p-value the intercept-only offset fit's Wald test (as logistf).
- **FLAC** refits by maximum likelihood on augmented data: each row once (weight sᵢ) and twice
  more as pseudo-rows with responses y and 1 − y, weighted hᵢ/2 (hᵢ Firth's hat values), with an
  indicator of the pseudo-rows as an extra covariate; its coefficient is dropped. Intervals and
  p-values are that fit's profile likelihood (logistf's defaults).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray
from scipy import stats

from ..loss import sigmoid
from ..objective import Objective
from .base import (
    LogitSummary,
    check_alpha,
    count,
    model_theta,
    offset_of,
    param_names,
    reorder,
    stats_header,
    training_objective,
    unpenalized,
)
from .firth import FirthProblem, firth_fit, firth_summary, profile_all
from .mle import information, inverse, offset_intercept, polish

__all__ = ["flic", "flac"]


def _firth_model(model: Any) -> None:
    if not getattr(model, "firth", False):
        raise ValueError("FLIC/FLAC correct a Firth fit: fit LogisticRegression(lam=0, firth=True).")
    if not model.fit_intercept:
        raise ValueError("FLIC/FLAC correct the intercept: the model needs fit_intercept=True.")


def flic(model: Any, X: ArrayLike | None = None, y: ArrayLike | None = None,
         sample_weight: ArrayLike | None = None, *, alpha: float = 0.05) -> LogitSummary:
    """The FLIC table: Firth's slopes (profile penalized-likelihood intervals and p-values) with
    the maximum-likelihood intercept given them. ``stats["mean_probability"]`` equals the
    (weighted) event rate."""
    _firth_model(model)
    alpha = check_alpha(alpha)
    base = firth_summary(model, X, y, sample_weight, alpha=alpha)
    obj = training_objective(model, X, y, sample_weight)
    theta = firth_fit(obj, model_theta(model, obj)).theta
    s, yy = np.asarray(obj.sample_weight, dtype=np.float64), np.asarray(obj.y, dtype=np.float64)
    eta = obj.scores(theta) - theta[-1]
    b = offset_intercept(yy, s, eta)
    theta_flic = np.r_[theta[:-1], b]
    names = param_names(model)
    se_full = float(np.sqrt(inverse(information(obj, theta_flic), names)[-1, -1]))
    p = sigmoid(eta + b)
    se_offset = 1.0 / np.sqrt(float(s @ (p * (1 - p))))  # glm(y ~ 1, offset = η)'s SE
    q = stats.norm.ppf(1 - alpha / 2)
    table = base.table.copy()
    lo, hi = f"ci_lower_{1 - alpha:g}", f"ci_upper_{1 - alpha:g}"
    row = table.index[0]
    table.loc[row, ["coef", "std_err", lo, hi]] = [b, se_full, b - q * se_full, b + q * se_full]
    table.loc[row, "chi2"] = (b / se_offset) ** 2
    table.loc[row, "p_value"] = 2 * stats.norm.sf(abs(b / se_offset))
    table.loc[row, ["odds_ratio", f"or_{lo}", f"or_{hi}"]] = np.exp(table.loc[row, ["coef", lo, hi]]
                                                                     .to_numpy(dtype=float))
    st = dict(base.stats, method="FLIC (Firth with intercept correction)",
              mean_probability=float(s @ p / s.sum()), event_rate=float(s @ yy / s.sum()))
    notes = ["FLIC (Puhr et al. 2017; logistf's flic): Firth's slopes with the maximum-"
             "likelihood intercept given them, so the mean predicted probability equals the "
             "event rate. The intercept's interval is Wald with the full information's SE; its "
             "p-value is the offset fit's Wald test (as logistf)."]
    return LogitSummary(table, st, notes + base.notes[1:], "flic", None, alpha)


def _augmented(obj: Objective, h: NDArray) -> Objective:
    """Rows once (weight s) and twice as pseudo-rows (y and 1 − y, weight h/2), with the
    pseudo-row indicator as the last feature."""
    X = obj.design.X
    X = X.toarray() if hasattr(X, "toarray") else np.asarray(X, dtype=np.float64)
    m = X.shape[0]
    Xa = np.column_stack([np.vstack([X, X, X]), np.r_[np.zeros(m), np.ones(2 * m)]])
    y = np.asarray(obj.y, dtype=np.float64)
    s = np.asarray(obj.sample_weight, dtype=np.float64)
    offset = offset_of(obj)
    return unpenalized(Xa, np.r_[y, y, 1 - y], np.r_[s, h / 2, h / 2], True,
                       None if offset is None else np.r_[offset, offset, offset])


def flac(model: Any, X: ArrayLike | None = None, y: ArrayLike | None = None,
         sample_weight: ArrayLike | None = None, *, alpha: float = 0.05) -> LogitSummary:
    """The FLAC table: maximum likelihood on the augmented data (pseudo-indicator dropped), with
    its profile-likelihood intervals and LR p-values (logistf's ``flac``)."""
    _firth_model(model)
    alpha = check_alpha(alpha)
    obj = training_objective(model, X, y, sample_weight)
    firth = firth_fit(obj, model_theta(model, obj))
    prob = FirthProblem(obj)
    h = prob.evaluate(prob.to_internal(firth.theta)).h  # weighted hat values (include s)
    aug = _augmented(obj, h)
    start = np.r_[firth.theta[:-1], 0.0, firth.theta[-1]]
    theta = polish(aug, start, max_steps=100).theta  # damped Newton from Firth's estimate
    prof = profile_all(aug, theta, alpha, jeffreys=False)
    cov = inverse(information(aug, theta), [*param_names(model)[:-1], "pseudo", "(Intercept)"])
    keep = [j for j in range(aug.n_params) if j != aug.n_features - 1]  # drop the indicator
    names = param_names(model)
    lo, hi = f"ci_lower_{1 - alpha:g}", f"ci_upper_{1 - alpha:g}"
    est = theta[keep]
    with np.errstate(over="ignore"):
        table = pd.DataFrame(
            {"coef": est, "std_err": np.sqrt(np.diag(cov)[keep]), lo: prof.lower[keep],
             hi: prof.upper[keep], "chi2": prof.chi2[keep], "p_value": prof.p_value[keep],
             "odds_ratio": np.exp(est), f"or_{lo}": np.exp(prof.lower[keep]),
             f"or_{hi}": np.exp(prof.upper[keep])},
            index=pd.Index(names, name="parameter"),
        ).iloc[reorder(names, True)]
    s, yy = np.asarray(obj.sample_weight, dtype=np.float64), np.asarray(obj.y, dtype=np.float64)
    p = sigmoid(obj.scores(est))
    k = obj.n_params
    fit_stats = {"n_obs": count(s.sum()), "n_params": k, "df_model": k - 1,
                 "df_resid": count(s.sum()) - k, "mean_probability": float(s @ p / s.sum()),
                 "event_rate": float(s @ yy / s.sum()),
                 "pseudo_coef": float(theta[aug.n_features - 1])}
    st = stats_header(model, fit_stats, "firth", "n/a")
    st["method"] = "FLAC (Firth with added covariate)"
    notes = ["FLAC (Puhr et al. 2017; logistf's flac): maximum likelihood on the data augmented "
             "by Firth's pseudo-rows (weights h/2, responses y and 1 − y) with an indicator of "
             "them as a covariate; intervals and p-values are that fit's profile likelihood."]
    return LogitSummary(table, st, notes, "flac", None, alpha)
