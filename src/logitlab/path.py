"""The regularization path: J minimized on a log grid of λ from λ_max down, warm-started.

With the core's convention J = (1/m)·Σ sᵢℓᵢ + (λ/m)·(a‖w‖₁ + (1−a)/2‖w‖²), the weights are all
zero exactly when 0 lies in the subdifferential at w = 0 (intercept at its optimum, the
log-odds of the weighted base rate b₀):

    λ_max = m · max_j |∂J_data/∂w_j (w = 0, b = b₀)| / a.

For a = 0 (ridge) no finite λ zeroes the weights; as glmnet does, λ_max is then computed with
a = 0.001. The default grid runs to λ_min = ``lam_min_ratio``·λ_max (1e-4 when m > p, else 1e-2,
glmnet's defaults), equally spaced in log λ; for ridge it runs to ``lam_min_ratio`` times the
lasso λ_max instead (glmnet's ridge grid stops 1000× higher and often misses the optimum).
Each fit starts from the previous solution; with ``screening=True`` and a > 0 the
sequential strong rule (Tibshirani et al. 2012) drops features with |∇ⱼ| < a(2λₖ − λₖ₋₁)/m
before solving and re-admits any that then violate the KKT conditions, so the answer is exact.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp
from numpy.typing import ArrayLike, NDArray

from .design import Design
from .estimator import LogisticRegression, binary_labels
from .objective import Objective
from .solvers import SOLVERS, choose_solver

__all__ = ["RegularizationPath", "regularization_path", "lam_max", "lam_grid", "default_grid"]

_RIDGE_A = 1e-3  # glmnet's stand-in l1_ratio for λ_max when a = 0


@dataclass
class RegularizationPath:
    """Coefficients per λ (rows follow ``lams``, largest first), in the original units of X."""

    lams: NDArray
    coefs: NDArray
    intercepts: NDArray
    n_iter: NDArray
    status: list[str]
    kkt_residual: NDArray
    l1_ratio: float
    lam_max: float
    feature_names: list[str] = field(default_factory=list)
    n_screened: NDArray | None = None  # features kept by the strong rule at each λ
    deviance: NDArray | None = None  # −2ℓ on the training data at each λ
    null_deviance: float = float("nan")  # −2ℓ of the intercept-only model

    @property
    def dev_ratio(self) -> NDArray:
        """Fraction of the null deviance explained at each λ (glmnet's ``dev.ratio``)."""
        return 1.0 - self.deviance / self.null_deviance

    @property
    def n_nonzero(self) -> NDArray:
        """Number of nonzero weights at each λ (the glmnet ``df``)."""
        return (self.coefs != 0).sum(axis=1)

    @property
    def Cs(self) -> NDArray:
        """scikit-learn's C = 1/λ for every λ."""
        return 1.0 / self.lams

    def to_frame(self):  # noqa: ANN201 - pandas DataFrame
        """Long table (lam, feature, coef) for plotting and reports."""
        import pandas as pd

        names = self.feature_names or [f"x{j}" for j in range(self.coefs.shape[1])]
        wide = pd.DataFrame(self.coefs, columns=names)
        wide["lam"] = self.lams
        return wide.melt(id_vars="lam", var_name="feature", value_name="coef")


def _prepare(X, y, sample_weight, standardize: bool):
    """Validated float arrays, y as 0/1, and the standardizing Design (like the estimator's)."""
    X = X if sp.issparse(X) else np.asarray(X, dtype=np.float64)
    if not sp.issparse(X) and X.ndim != 2:
        raise ValueError(f"X must be 2-D; got shape {X.shape}.")
    _, y01 = binary_labels(y)
    sw = None if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
    est = LogisticRegression(standardize=standardize)
    offset, scale = est._standardization(X, sw)
    return X, y01, sw, Design(X, offset, scale)


def lam_max(
    X: ArrayLike, y: ArrayLike, l1_ratio: float = 1.0, sample_weight: ArrayLike | None = None,
    fit_intercept: bool = True, standardize: bool = False,
) -> float:
    """The smallest λ at which every weight is zero: m·‖∇_w J_data(0, b₀)‖∞ / a."""
    _, y01, sw, design = _prepare(X, y, sample_weight, standardize)
    return _lam_max(Objective(design, y01, sw, fit_intercept=fit_intercept), l1_ratio)


def _lam_max(obj0: Objective, l1_ratio: float) -> float:
    g = obj0.gradient(obj0.initial_theta())
    gw = g[:-1] if obj0.fit_intercept else g
    a = l1_ratio if l1_ratio > 0 else _RIDGE_A
    return float(obj0.n_samples * np.max(np.abs(gw), initial=0.0) / a)


def default_grid(obj0: Objective, l1_ratio: float, n_lams: int,
                 lam_min_ratio: float | None) -> tuple[NDArray, float]:
    """(grid, λ_max): λ_max down to lam_min_ratio·λ_max; for ridge (a = 0) down to
    lam_min_ratio times the lasso λ_max, so the small-λ end is covered as for a > 0."""
    top = _lam_max(obj0, l1_ratio)
    if lam_min_ratio is None:
        lam_min_ratio = 1e-4 if obj0.n_samples > obj0.n_features else 1e-2
    if l1_ratio > 0:
        return lam_grid(top, n_lams, lam_min_ratio), top
    return lam_grid(top, n_lams, lam_min_ratio * _RIDGE_A), top


def lam_grid(lam_hi: float, n_lams: int = 100, lam_min_ratio: float = 1e-4) -> NDArray:
    """n_lams values from lam_hi down to lam_min_ratio·lam_hi, equally spaced in log λ."""
    if n_lams < 1:
        raise ValueError(f"n_lams must be ≥ 1; got {n_lams}.")
    if not 0 < lam_min_ratio < 1:
        raise ValueError(f"lam_min_ratio must lie in (0, 1); got {lam_min_ratio}.")
    if n_lams == 1:
        return np.array([lam_hi])
    return np.geomspace(lam_hi, lam_hi * lam_min_ratio, n_lams)


def _solve_path(
    design: Design, y01: NDArray, sw: NDArray | None, lams: NDArray, l1_ratio: float,
    fit_intercept: bool, solver: str, tol: float, max_iter: int | None, screening: bool,
) -> tuple[NDArray, NDArray, NDArray, list[str], NDArray, NDArray]:
    """θ, iterations, KKT residuals, statuses, kept features and deviance per λ, warm-started."""
    p = design.n_features
    k = p + int(fit_intercept)
    thetas = np.zeros((lams.size, k))
    n_iter = np.zeros(lams.size, dtype=np.int64)
    kkts = np.zeros(lams.size)
    kept = np.full(lams.size, p, dtype=np.int64)
    dev = np.zeros(lams.size)
    status: list[str] = []
    obj0 = Objective(design, y01, sw, fit_intercept=fit_intercept)
    theta = obj0.initial_theta()
    prev_lam = None
    for i, lam in enumerate(lams):
        obj = Objective(design, y01, sw, lam=float(lam), l1_ratio=l1_ratio,
                        fit_intercept=fit_intercept)
        name = solver
        if name == "auto":
            name = choose_solver(obj.n_params, design.is_sparse, obj.penalty.l1 > 0)
        fn, handles_l1, default_max_iter = SOLVERS[name]
        if obj.penalty.l1 > 0 and not handles_l1:
            raise ValueError(f"solver {name!r} cannot handle an L1 part; use 'cd' or 'auto'.")
        iters = default_max_iter if max_iter is None else int(max_iter)
        if screening and l1_ratio > 0 and prev_lam is not None and name == "cd":
            res, n_kept = _screened_solve(obj, fn, theta, tol, iters, lam, prev_lam, l1_ratio)
        else:
            res, n_kept = fn(obj, theta, tol=tol, max_iter=iters), p
        theta = res.theta
        thetas[i], n_iter[i], kkts[i], kept[i] = theta, res.n_iter, res.kkt_residual, n_kept
        dev[i] = 2.0 * obj.n_samples * obj.data_loss(theta)
        status.append(res.status)
        prev_lam = lam
    return thetas, n_iter, kkts, status, kept, dev


def _screened_solve(obj: Objective, fn, theta, tol, iters, lam, prev_lam, l1_ratio):
    """Sequential strong rule: solve on the survivors, then add KKT violators until none."""
    p = obj.n_features
    g = obj.gradient(theta)
    gw = g[:p]
    w, b = obj.split(theta)
    keep = (np.abs(gw) >= l1_ratio * (2 * lam - prev_lam) / obj.n_samples) | (w != 0)
    n_iter_total = 0
    for _ in range(p + 1):
        idx = np.flatnonzero(keep)
        sub_design = _columns(obj.design, idx)
        sub = Objective(sub_design, obj.y, obj.sample_weight, lam=obj.lam,
                        l1_ratio=obj.l1_ratio, fit_intercept=obj.fit_intercept)
        res = fn(sub, sub.join(w[idx], b), tol=tol, max_iter=iters)
        n_iter_total += res.n_iter
        w_sub, b = sub.split(res.theta)
        w = np.zeros(p)
        w[idx] = w_sub
        full = obj.join(w, b)
        viol = obj.kkt_violation(full)[:p]
        bad = (~keep) & (viol > tol)
        if not bad.any():
            res.theta = full
            res.n_iter = n_iter_total
            res.kkt_residual = obj.kkt_residual(full)
            return res, int(keep.sum())
        keep |= bad
    res.theta = full
    return res, int(keep.sum())


def _columns(design: Design, idx: NDArray) -> Design:
    X = design.X[:, idx]
    off = None if design.offset is None else design.offset[idx]
    sc = None if design.scale is None else design.scale[idx]
    return Design(X, off, sc)


def _to_original(thetas: NDArray, design: Design, fit_intercept: bool) -> tuple[NDArray, NDArray]:
    p = design.n_features
    W = thetas[:, :p]
    B = thetas[:, p] if fit_intercept else np.zeros(thetas.shape[0])
    coefs = W / design.scale if design.scale is not None else W.copy()
    intercepts = B - (coefs @ design.offset if design.offset is not None else 0.0)
    if not fit_intercept:
        intercepts = np.zeros_like(B)
    return coefs, intercepts


def regularization_path(
    X: ArrayLike,
    y: ArrayLike,
    l1_ratio: float = 1.0,
    n_lams: int = 100,
    lam_min_ratio: float | None = None,
    lams: ArrayLike | None = None,
    sample_weight: ArrayLike | None = None,
    fit_intercept: bool = True,
    standardize: bool = False,
    solver: str = "auto",
    tol: float = 1e-6,
    max_iter: int | None = None,
    screening: bool = True,
) -> RegularizationPath:
    """Fit J for every λ on a decreasing grid (λ_max first), warm-starting each from the last.

    ``lams`` overrides the grid (sorted decreasing). Coefficients are in the units of X even
    when ``standardize=True`` (which, as in the estimator, penalizes the standardized ones).
    """
    if not 0 <= l1_ratio <= 1:
        raise ValueError(f"l1_ratio must lie in [0, 1]; got {l1_ratio!r}.")
    names = [str(c) for c in X.columns] if hasattr(X, "columns") else []
    X, y01, sw, design = _prepare(X, y, sample_weight, standardize)
    obj0 = Objective(design, y01, sw, fit_intercept=fit_intercept)
    grid, top = default_grid(obj0, float(l1_ratio), n_lams, lam_min_ratio)
    if lams is not None:
        grid = np.sort(np.asarray(lams, dtype=np.float64).ravel())[::-1]
        if np.any(grid <= 0):
            raise ValueError("every λ on a path must be > 0 (use LogisticRegression(lam=0)).")
    thetas, n_iter, kkts, status, kept, dev = _solve_path(
        design, y01, sw, grid, float(l1_ratio), fit_intercept, solver, tol, max_iter, screening,
    )
    coefs, intercepts = _to_original(thetas, design, fit_intercept)
    null_dev = 2.0 * obj0.n_samples * obj0.data_loss(obj0.initial_theta())
    return RegularizationPath(grid, coefs, intercepts, n_iter, status, kkts, float(l1_ratio),
                              top, names, kept, dev, null_dev)
