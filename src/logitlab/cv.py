"""``LogisticRegressionCV``: λ chosen by stratified, seeded k-fold cross-validation over the path.

Each fold fits the whole warm-started path on its training part and scores every λ on its
held-out part. The CV curve and its standard error are glmnet's (``cv.glmnet``'s ``cvcompute``):
with fold weights Wₖ (the held-out sample weights' sum, the fold size without weights),

    cvm = Σ Wₖ·scoreₖ / Σ Wₖ,     cvsd = √( [Σ Wₖ·(scoreₖ − cvm)² / Σ Wₖ] / (K − 1) ).

The chosen λ is the best cvm, or — ``rule="1se"``, glmnet's ``lambda.1se`` — the largest λ whose
cvm is within cvsd (at the best λ) of the best. The model is then refit on all the data.

Scores: ``"log_loss"`` (default, lower is better), ``"roc_auc"`` (higher is better) or
``"expected_cost"``: the mean cost per example, cost_fp·FP + cost_fn·FN, when predicting
positive above the Bayes threshold cost_fp/(cost_fp + cost_fn) (lower is better).
"""

from __future__ import annotations

import numbers
import warnings
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.model_selection import StratifiedKFold
from sklearn.utils.class_weight import compute_sample_weight
from sklearn.utils.validation import check_is_fitted, validate_data

from . import metrics
from .estimator import NEGATIVE_WEIGHTS, NO_POSITIVE_WEIGHT, LogisticRegression, binary_labels, checked_weights
from .loss import log_loss_from_logits
from .objective import Objective
from .path import _prepare, _solve_path, _to_original, default_grid

__all__ = ["LogisticRegressionCV", "cv_score", "fold_mean_and_se"]

_LOWER_IS_BETTER = {"log_loss": True, "roc_auc": False, "expected_cost": True}


def cv_score(
    scoring: str | Callable, y01: NDArray, z: NDArray, sample_weight: NDArray | None = None,
    cost_fp: float = 1.0, cost_fn: float = 1.0,
) -> float:
    """One held-out score from labels and logits z (callables get (y01, p, sample_weight))."""
    if callable(scoring):
        from scipy.special import expit

        return float(scoring(y01, expit(z), sample_weight))
    if scoring == "log_loss":
        return log_loss_from_logits(y01, z, sample_weight)
    if scoring == "roc_auc":
        return metrics.roc_auc(y01, z, sample_weight)
    if scoring == "expected_cost":
        t = cost_fp / (cost_fp + cost_fn)
        pred = (z > np.log(t / (1 - t))).astype(np.float64) if 0 < t < 1 else (
            np.ones_like(z) if t == 0 else np.zeros_like(z))
        (tn, fp), (fn, tp) = metrics.confusion_matrix(y01, pred, sample_weight)
        total = y01.size if sample_weight is None else float(np.sum(sample_weight))
        return float((cost_fp * fp + cost_fn * fn) / total)
    raise ValueError(
        f"scoring must be 'log_loss', 'roc_auc', 'expected_cost' or a callable; got {scoring!r}."
    )


def fold_mean_and_se(scores: NDArray, fold_weight: NDArray) -> tuple[NDArray, NDArray]:
    """glmnet's cvm and cvsd per λ from (n_folds, n_lams) scores: the fold-weighted mean and
    √(weighted mean of squared deviations / (K − 1)) (``cv.glmnet``, ``cvcompute``)."""
    w = np.asarray(fold_weight, dtype=np.float64)
    k = scores.shape[0]
    if k < 2:
        raise ValueError("the standard error over folds needs at least 2 folds.")
    mean = w @ scores / w.sum()
    var = w @ (scores - mean) ** 2 / w.sum()
    return mean, np.sqrt(var / (k - 1))


class LogisticRegressionCV(ClassifierMixin, BaseEstimator):
    """Logistic regression with λ picked by k-fold cross-validation over the regularization path.

    Parameters
    ----------
    lams : the λ grid (any order; searched from the largest), or None for ``n_lams`` values
        from λ_max (computed on all the data) down to ``lam_min_ratio``·λ_max.
    n_lams, lam_min_ratio : the default grid (see :func:`logitlab.regularization_path`).
    l1_ratio : a ∈ [0, 1] as in :class:`LogisticRegression`.
    cv : number of stratified folds (shuffled with ``random_state``), a scikit-learn splitter,
        or an iterable of (train, test) index pairs.
    scoring : "log_loss" (default), "roc_auc", "expected_cost" or callable(y01, p, w) → higher
        is better.
    cost_fp, cost_fn : the costs for ``scoring="expected_cost"``.
    rule : "best" or "1se" (the largest λ within one standard error of the best).
    class_weight : None, "balanced" or {label: weight}, applied to training (not to the
        held-out scores, as in scikit-learn).
    refit : refit at the chosen λ on all the data (needed for predict).
    Other parameters are passed to the refit :class:`LogisticRegression`.

    Attributes
    ----------
    lams_ : the grid, decreasing.  cv_scores_ : (n_folds, n_lams) held-out scores.
    cv_mean_, cv_se_ : glmnet's cvm and cvsd (fold-weighted mean and its standard error);
    cv_std_ = cv_se_·√K, the fold-weighted standard deviation with the K − 1 divisor.
    lam_ : the chosen λ.
    best_index_, lam_best_, lam_1se_ : both rules' choices.  C_ : 1/lam_ (scikit-learn's C).
    best_estimator_ : the refit model; coef_, intercept_, classes_ mirror it.
    """

    def __init__(
        self,
        lams: ArrayLike | None = None,
        n_lams: int = 50,
        lam_min_ratio: float | None = None,
        l1_ratio: float = 0.0,
        cv: int | Any = 5,
        scoring: str | Callable = "log_loss",
        cost_fp: float = 1.0,
        cost_fn: float = 1.0,
        rule: str = "best",
        refit: bool = True,
        solver: str = "auto",
        tol: float = 1e-6,
        max_iter: int | None = None,
        fit_intercept: bool = True,
        standardize: bool = False,
        threshold: float = 0.5,
        random_state: int | None = 0,
        screening: bool = True,
        class_weight: dict | str | None = None,
    ) -> None:
        self.lams = lams
        self.n_lams = n_lams
        self.lam_min_ratio = lam_min_ratio
        self.l1_ratio = l1_ratio
        self.cv = cv
        self.scoring = scoring
        self.cost_fp = cost_fp
        self.cost_fn = cost_fn
        self.rule = rule
        self.refit = refit
        self.solver = solver
        self.tol = tol
        self.max_iter = max_iter
        self.fit_intercept = fit_intercept
        self.standardize = standardize
        self.threshold = threshold
        self.random_state = random_state
        self.screening = screening
        self.class_weight = class_weight

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_class = False
        tags.input_tags.sparse = True
        return tags

    def _splits(self, y01: NDArray, X) -> list[tuple[NDArray, NDArray]]:
        if isinstance(self.cv, numbers.Integral):
            if self.cv < 2:
                raise ValueError(f"cv must be ≥ 2 folds; got {self.cv}.")
            splitter = StratifiedKFold(int(self.cv), shuffle=True, random_state=self.random_state)
            return list(splitter.split(np.zeros(y01.size), y01))
        if hasattr(self.cv, "split"):
            return list(self.cv.split(X, y01))
        if isinstance(self.cv, Iterable):
            return [(np.asarray(a), np.asarray(b)) for a, b in self.cv]
        raise ValueError("cv must be an int, a scikit-learn splitter or (train, test) pairs.")

    def fit(self, X: ArrayLike, y: ArrayLike, sample_weight: ArrayLike | None = None
            ) -> LogisticRegressionCV:
        """Cross-validate the path, choose λ, refit on all the data."""
        if self.rule not in ("best", "1se"):
            raise ValueError(f"rule must be 'best' or '1se'; got {self.rule!r}.")
        if not callable(self.scoring) and self.scoring not in _LOWER_IS_BETTER:
            raise ValueError(
                "scoring must be 'log_loss', 'roc_auc', 'expected_cost' or a callable; "
                f"got {self.scoring!r}."
            )
        X_checked, y_checked = validate_data(
            self, X, y, accept_sparse=["csr", "csc"], dtype=[np.float64, np.float32],
        )
        classes, y01 = binary_labels(y_checked)
        if sample_weight is not None:
            sample_weight = checked_weights(sample_weight, X_checked)
            if np.any(sample_weight < 0):
                raise ValueError(NEGATIVE_WEIGHTS)
            if not np.any(sample_weight > 0):
                raise ValueError(NO_POSITIVE_WEIGHT)
        fit_weight = sample_weight
        if self.class_weight is not None:  # training only; held-out scores use sample_weight
            cw = compute_sample_weight(self.class_weight, y_checked)
            fit_weight = cw if sample_weight is None else sample_weight * cw
        X_arr, _, sw, design_all = _prepare(X_checked, y_checked, fit_weight, self.standardize)
        score_w = None if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
        l1_ratio = float(self.l1_ratio)
        if self.lams is None:
            grid, _ = default_grid(
                Objective(design_all, y01, sw, fit_intercept=self.fit_intercept), l1_ratio,
                int(self.n_lams), self.lam_min_ratio,
            )
        else:
            grid = np.sort(np.asarray(self.lams, dtype=np.float64).ravel())[::-1]
            if np.any(grid <= 0):
                raise ValueError("every λ in lams must be > 0.")
        splits = self._splits(y01, X_arr)
        scores = np.empty((len(splits), grid.size))
        for f, (train, test) in enumerate(splits):
            swtr = None if sw is None else sw[train]
            if np.unique(y01[train]).size < 2:
                raise ValueError(f"fold {f} has one class only in its training part.")
            design = _prepare(X_arr[train], y01[train], swtr, self.standardize)[3]
            thetas, *_ = _solve_path(design, y01[train], swtr, grid, l1_ratio,
                                     self.fit_intercept, self.solver, float(self.tol),
                                     self.max_iter, self.screening)
            coefs, intercepts = _to_original(thetas, design, self.fit_intercept)
            Xte = X_arr[test]
            Z = np.asarray(Xte @ coefs.T) + intercepts  # (n_test, n_lams)
            swte = None if score_w is None else score_w[test]
            for i in range(grid.size):
                scores[f, i] = cv_score(self.scoring, y01[test], Z[:, i], swte,
                                        float(self.cost_fp), float(self.cost_fn))
        lower = _LOWER_IS_BETTER.get(self.scoring, False) if not callable(self.scoring) else False
        fold_weight = np.array([len(test) if score_w is None else float(score_w[test].sum())
                                for _, test in splits])
        mean, se = fold_mean_and_se(scores, fold_weight)
        std = se * np.sqrt(len(splits))
        signed = mean if lower else -mean
        best = int(np.argmin(signed))  # first = largest λ among ties
        within = np.flatnonzero(signed <= signed[best] + se[best])
        one_se = int(within.min())  # grid is decreasing: the smallest index is the largest λ
        self.lams_ = grid
        self.cv_scores_ = scores
        self.cv_mean_, self.cv_std_, self.cv_se_ = mean, std, se
        self.cv_scores_mean_, self.cv_scores_std_ = mean, std  # aliases
        self.greater_is_better_ = not lower
        self.best_index_, self.index_1se_ = best, one_se
        self.lam_best_, self.lam_1se_ = float(grid[best]), float(grid[one_se])
        self.lam_ = self.lam_best_ if self.rule == "best" else self.lam_1se_
        if best == grid.size - 1 and grid.size > 2:
            warnings.warn(
                f"the best λ is the smallest on the grid ({grid[-1]:.3g}): the optimum may lie "
                "below it; lower lam_min_ratio or pass lams.", UserWarning, stacklevel=2,
            )
        self.C_ = 1.0 / self.lam_
        self.n_folds_ = len(splits)
        self.classes_ = classes
        if self.refit:
            est = LogisticRegression(
                lam=self.lam_, l1_ratio=l1_ratio, solver=self.solver, tol=self.tol,
                max_iter=self.max_iter, fit_intercept=self.fit_intercept,
                standardize=self.standardize, threshold=self.threshold,
                class_weight=self.class_weight,
            )
            est.fit(X, y, sample_weight=sample_weight)
            self.best_estimator_ = est
            self.coef_, self.intercept_ = est.coef_, est.intercept_
            self.n_iter_ = est.n_iter_
        return self

    def _refit_model(self) -> LogisticRegression:
        check_is_fitted(self)
        if not hasattr(self, "best_estimator_"):
            raise AttributeError("refit=False: there is no model to predict with; refit=True.")
        return self.best_estimator_

    def decision_function(self, X: ArrayLike) -> NDArray:
        """Logits of the model refit at the chosen λ."""
        return self._refit_model().decision_function(X)

    def predict_proba(self, X: ArrayLike) -> NDArray:
        """Class probabilities of the refit model."""
        return self._refit_model().predict_proba(X)

    def predict_log_proba(self, X: ArrayLike) -> NDArray:
        """Log class probabilities of the refit model."""
        return self._refit_model().predict_log_proba(X)

    def predict(self, X: ArrayLike, threshold: float | None = None) -> NDArray:
        """Labels from the refit model at its threshold."""
        return self._refit_model().predict(X, threshold)

    def summary(self, *args: Any, **kwargs: Any) -> Any:
        """The refit (penalized) model's table: coefficients and odds ratios, no standard errors."""
        return self._refit_model().summary(*args, **kwargs)

    def cv_frame(self):  # noqa: ANN201 - pandas DataFrame
        """The CV curve as a table: lam, C, mean, std, and which λ each rule chose."""
        import pandas as pd

        check_is_fitted(self)
        return pd.DataFrame({
            "lam": self.lams_, "C": 1.0 / self.lams_, "mean": self.cv_mean_, "std": self.cv_std_,
            "best": np.arange(self.lams_.size) == self.best_index_,
            "one_se": np.arange(self.lams_.size) == self.index_1se_,
        })
