"""Tests between nested models and of sets of coefficients: the likelihood-ratio test of a
restricted fit against a fuller one (statsmodels' ``compare_lr_test``, R's
``anova(small, big, test = "Chisq")``) and the Wald χ² test of linear restrictions Rθ = q
(statsmodels' ``wald_test(..., use_f=False)``), both at the polished MLEs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import stats

from .base import INTERCEPT_NAME, reorder
from .inference import covariance
from .mle import fitted_mle

__all__ = ["TestResult", "lr_test", "wald_test"]


@dataclass(frozen=True)
class TestResult:
    """A χ² test: the statistic, its degrees of freedom and p-value, and which test it was."""

    statistic: float
    df: int
    pvalue: float
    method: str

    def __str__(self) -> str:
        return f"{self.method}: χ²({self.df}) = {self.statistic:.4f}, p = {self.pvalue:.4g}"


def _log_likelihood(model: Any) -> tuple[float, int, Any]:
    mle = fitted_mle(model)
    return -mle.objective.n_samples * mle.objective.data_loss(mle.theta), mle.objective.n_params, mle


def lr_test(restricted: Any, full: Any) -> TestResult:
    """LR = 2(ℓ_full − ℓ_restricted) on k_full − k_restricted degrees of freedom. Both models
    must be maximum-likelihood fits of the same labels and weights, the first nested in the
    second (its features a subset, which the names are checked for when both have them)."""
    ll_r, k_r, mle_r = _log_likelihood(restricted)
    ll_f, k_f, mle_f = _log_likelihood(full)
    same = (mle_r.objective.n_samples == mle_f.objective.n_samples
            and np.array_equal(mle_r.objective.y, mle_f.objective.y)
            and np.array_equal(mle_r.weights, mle_f.weights))
    if not same:
        raise ValueError("the two models were not fit to the same labels and weights; a "
                         "likelihood-ratio test needs the same data.")
    if k_f <= k_r:
        raise ValueError(f"the full model has {k_f} parameters, the restricted one {k_r}: pass "
                         "the restricted (smaller) model first.")
    names_r, names_f = set(mle_r.names), set(mle_f.names)
    both_named = hasattr(restricted, "feature_names_in_") and hasattr(full, "feature_names_in_")
    if both_named and not names_r <= names_f:
        raise ValueError(f"the restricted model is not nested in the full one: it has "
                         f"{sorted(names_r - names_f)}, which the full model lacks.")
    stat = max(2.0 * (ll_f - ll_r), 0.0)
    df = k_f - k_r
    return TestResult(stat, df, float(stats.chi2.sf(stat, df)), "likelihood-ratio test")


def _restriction(names: list[str], constraints: Any, q: ArrayLike | None
                 ) -> tuple[NDArray, NDArray]:
    """(R, q) in θ order from parameter names (each = 0) or an R matrix whose columns follow
    the summary table (intercept first)."""
    if isinstance(constraints, str):
        constraints = [constraints]
    k = len(names)
    if all(isinstance(c, str) for c in constraints):
        unknown = [c for c in constraints if c not in names]
        if unknown:
            raise ValueError(f"unknown parameters {unknown}; the model has {names}.")
        R = np.zeros((len(constraints), k))
        for row, c in enumerate(constraints):
            R[row, names.index(c)] = 1.0
        qv = np.zeros(len(constraints)) if q is None else np.asarray(q, float).ravel()
        return R, qv
    table_R = np.atleast_2d(np.asarray(constraints, dtype=np.float64))
    if table_R.shape[1] != k:
        raise ValueError(f"R needs {k} columns (the summary's rows, intercept first).")
    order = reorder(names, INTERCEPT_NAME in names)
    R = np.zeros_like(table_R)
    R[:, order] = table_R
    qv = np.zeros(R.shape[0]) if q is None else np.asarray(q, float).ravel()
    return R, qv


def wald_test(model: Any, constraints: Any, q: ArrayLike | None = None, *,
              cov_type: str = "nonrobust", groups: ArrayLike | None = None) -> TestResult:
    """W = (Rθ̂ − q)ᵀ(RΣRᵀ)⁻¹(Rθ̂ − q) ~ χ²(rows of R). ``constraints``: parameter names
    (jointly = 0, e.g. ``["TUCE", "PSI"]``) or a matrix R with columns in the summary's order
    (intercept first) and ``q`` its right-hand side (default 0)."""
    mle = fitted_mle(model)
    R, qv = _restriction(mle.names, constraints, q)
    if qv.shape[0] != R.shape[0]:
        raise ValueError(f"q needs {R.shape[0]} values, one per restriction.")
    cov = covariance(mle.objective, mle.theta, cov_type, mle.names, groups,
                     mle.inverse_information())
    diff = R @ mle.theta - qv
    stat = float(diff @ np.linalg.solve(R @ cov @ R.T, diff))
    df = R.shape[0]
    return TestResult(stat, df, float(stats.chi2.sf(stat, df)), f"Wald test ({cov_type})")
