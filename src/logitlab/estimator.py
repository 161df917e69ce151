"""``LogisticRegression``: a thin scikit-learn estimator over the objective and the solvers."""

from __future__ import annotations

import numbers
import os
import warnings
from typing import Any

import numpy as np
import scipy.sparse as sp
from numpy.typing import ArrayLike, NDArray
from scipy.special import expit, logit

from ._sklearn_protocol import EstimatorProtocol, plain_matrix, plain_vector, raise_not_fitted
from .design import Design
from .objective import Objective
from .solvers import SOLVERS, Callback, SolverResult, choose_solver

__all__ = ["LogisticRegression"]

_ACCEPT_SPARSE = ["csr", "csc"]
# the two ways sample weights can be unusable, said the same way by every fit (in memory,
# cross-validated, streamed, on Dask)
NEGATIVE_WEIGHTS = "sample_weight must be ≥ 0; found negative weights."
NO_POSITIVE_WEIGHT = "every sample weight is zero; at least one example must have a positive weight."


def checked_weights(sample_weight: ArrayLike, X: Any) -> NDArray:
    """sample_weight as a float64 vector by scikit-learn's checks (length, dtype, finiteness);
    whether the values are usable (≥ 0, not all zero) the caller says, in logitlab's words:
    scikit-learn ≥ 1.9 would otherwise reject all-zero weights in a sentence of its own."""
    import inspect

    from sklearn.utils.validation import _check_sample_weight

    lenient = "allow_all_zero_weights" in inspect.signature(_check_sample_weight).parameters
    return _check_sample_weight(sample_weight, X, dtype=np.float64,
                                **({"allow_all_zero_weights": True} if lenient else {}))


def binary_labels(y: ArrayLike, dtype: type = np.float64) -> tuple[NDArray, NDArray]:
    """(classes, y01): the two distinct labels sorted, and y as 0/1 (of ``dtype``; float32 holds
    0 and 1 exactly in half the memory) with the larger as 1."""
    y = np.asarray(y)
    if y.ndim != 1:
        y = y.ravel() if y.ndim == 2 and y.shape[1] == 1 else y
    if y.ndim != 1:
        raise ValueError(f"y must be one label per example (1-D); got shape {y.shape}.")
    if y.dtype.kind == "f" and not np.all(np.isfinite(y)):
        raise ValueError("y contains NaN or infinity; every example needs a label.")
    if y.dtype == object and any(v is None or (isinstance(v, float) and v != v) for v in y):
        raise ValueError("y contains missing labels (None/NaN); every example needs a label.")
    fast = _two_numeric_labels(y, dtype)
    if fast is not None:
        return fast
    from sklearn.utils.multiclass import type_of_target

    target = type_of_target(y)
    if target == "continuous":
        raise ValueError(
            "Unknown label type: y looks continuous; logistic regression needs two classes."
        )
    classes, y01 = np.unique(y, return_inverse=True)
    if classes.size != 2:
        shown = ", ".join(repr(c.item() if isinstance(c, np.generic) else c) for c in classes[:5]) + (
            " …" if classes.size > 5 else "")
        raise ValueError(
            f"Only binary classification is supported: binary logistic regression needs "
            f"exactly 2 classes in y; got {classes.size} "
            f"class{'es' if classes.size != 1 else ''} ({shown}). "
            + ("Add examples of the other class." if classes.size < 2 else
               "Merge the labels into two, or fit one model per class.")
        )
    return classes, y01.astype(dtype)


def _two_numeric_labels(y: NDArray, dtype: type = np.float64) -> tuple[NDArray, NDArray] | None:
    """(classes, y01) in O(m) when y is numeric with exactly two distinct values, else None
    (then the general path, with its sort and its error messages, decides)."""
    if y.dtype.kind not in "biuf" or y.size == 0:
        return None
    lo, hi = y.min(), y.max()
    if lo == hi:
        return None
    is_hi = y == hi
    if not np.all(is_hi | (y == lo)):
        return None
    classes = np.array([lo, hi], dtype=y.dtype)
    if lo == 0 and hi == 1 and y.dtype in (np.float32, np.float64):
        y01 = y.view()  # already 0/1 floats: used as given (read-only), no m-vector
        y01.flags.writeable = False
        return classes, y01
    return classes, is_hi.astype(dtype)


class LogisticRegression(EstimatorProtocol):
    """Binary logistic regression minimizing

        J(w, b) = (1/m)·Σ sᵢ·ℓ(yᵢ, w·xᵢ + b) + (λ/m)·(a·‖w‖₁ + (1−a)/2·‖w‖²)

    with λ = ``lam`` and a = ``l1_ratio``; ``lam=0`` is the maximum-likelihood fit. In
    scikit-learn's terms C = 1/λ; in glmnet/glum/skglm's, alpha = λ/m.

    Parameters
    ----------
    lam : λ ≥ 0, the regularization strength.
    l1_ratio : a ∈ [0, 1]; 0 is L2 (ridge), 1 is L1 (lasso), between is elastic net.
    solver : "auto", "newton-cholesky", "newton-cg", "lbfgs", "cd" or "gd".
    tol : stop when the KKT residual (‖∇J‖∞ in the smooth case) is at most this.
    max_iter : iteration cap; None uses the solver's own default.
    learning_rate : α for ``solver="gd"``.
    batch_size : mini-batch size for ``solver="gd"`` (None = full batch).
    fit_intercept : fit the unpenalized intercept b.
    standardize : fit on (x − mean)/std (scale only for sparse X); coefficients are
        reported in the original units, the penalty acts on the standardized ones.
    class_weight : None, "balanced" or {label: weight}; multiplies the sample weights.
    warm_start : start from the previous fit's coefficients.
    threshold : probability above which ``predict`` says the positive class.
    random_state : seeds the mini-batch shuffling.
    firth : fit Firth's bias-reduced (Jeffreys-penalized) likelihood instead (needs lam=0);
        finite even under separation, see ``logitlab.stats.firth``.
    """

    def __init__(
        self,
        lam: float = 1.0,
        l1_ratio: float = 0.0,
        solver: str = "auto",
        tol: float = 1e-6,
        max_iter: int | None = None,
        learning_rate: float = 0.1,
        batch_size: int | None = None,
        fit_intercept: bool = True,
        standardize: bool = False,
        class_weight: dict | str | None = None,
        warm_start: bool = False,
        threshold: float = 0.5,
        random_state: int | None = None,
        firth: bool = False,
    ) -> None:
        self.lam = lam
        self.l1_ratio = l1_ratio
        self.solver = solver
        self.tol = tol
        self.max_iter = max_iter
        self.learning_rate = learning_rate
        self.batch_size = batch_size
        self.fit_intercept = fit_intercept
        self.standardize = standardize
        self.class_weight = class_weight
        self.warm_start = warm_start
        self.threshold = threshold
        self.random_state = random_state
        self.firth = firth

    # -- fitting ------------------------------------------------------------------------
    def _check_params(self) -> None:
        if not isinstance(self.lam, numbers.Real) or not np.isfinite(self.lam) or self.lam < 0:
            raise ValueError(f"lam must be a finite number ≥ 0 (0 = no penalty); got {self.lam!r}.")
        if not isinstance(self.l1_ratio, numbers.Real) or not 0 <= self.l1_ratio <= 1:
            raise ValueError(
                f"l1_ratio must lie in [0, 1] (0 = L2, 1 = L1, between = elastic net); "
                f"got {self.l1_ratio!r}."
            )
        if self.solver != "auto" and self.solver not in SOLVERS:
            raise ValueError(
                f"solver must be 'auto' or one of {sorted(SOLVERS)}; got {self.solver!r}."
            )
        if not isinstance(self.tol, numbers.Real) or not self.tol > 0:
            raise ValueError(f"tol must be a positive number; got {self.tol!r}.")
        if self.max_iter is not None and (
            not isinstance(self.max_iter, numbers.Integral) or self.max_iter < 1
        ):
            raise ValueError(f"max_iter must be a positive integer or None; got {self.max_iter!r}.")
        if not isinstance(self.threshold, numbers.Real) or not 0 < self.threshold < 1:
            raise ValueError(f"threshold must lie strictly between 0 and 1; got {self.threshold!r}.")
        if not isinstance(self.learning_rate, numbers.Real) or not self.learning_rate > 0:
            raise ValueError(f"learning_rate must be a positive number; got {self.learning_rate!r}.")

    def _validate_fit_data(self, X, y, sample_weight):
        plain = plain_matrix(X) and plain_vector(y, X.shape[0])
        if plain:  # what scikit-learn's checks would pass unchanged, checked without importing it
            self.n_features_in_ = X.shape[1]
            self.__dict__.pop("feature_names_in_", None)
        else:
            from sklearn.utils.validation import validate_data

            X, y = validate_data(
                self, X, y, accept_sparse=_ACCEPT_SPARSE, dtype=[np.float64, np.float32],
                y_numeric=False, multi_output=False, order=None,
            )
        if X.shape[0] == 0:
            raise ValueError("X has no examples; fit needs at least one row of each class.")
        classes, y01 = binary_labels(y, np.float32)  # the objective reads float32 y as it is
        if sample_weight is None and self.class_weight is None:
            return X, y01, None, classes  # unit weights: the objective needs no vector of ones
        if plain and (sample_weight is None or plain_vector(sample_weight, X.shape[0])):
            sw = np.ones(X.shape[0]) if sample_weight is None else np.array(sample_weight, dtype=np.float64)
        else:
            sw = checked_weights(sample_weight, X)
        if np.any(sw < 0):
            raise ValueError(NEGATIVE_WEIGHTS)
        if self.class_weight is not None:
            sw = sw * self._class_weights(y01, classes, sw)
        if not np.any(sw > 0):
            raise ValueError(NO_POSITIVE_WEIGHT)
        return X, y01, sw, classes

    def _class_weights(self, y01: NDArray, classes: NDArray, sw: NDArray) -> NDArray:
        """Per-example factor from ``class_weight``; "balanced" equalizes the weighted class
        totals: Σs / (2·Σ_{class} s), which is n / (2·n_class) for unit weights."""
        if isinstance(self.class_weight, str):
            if self.class_weight != "balanced":
                raise ValueError(
                    f"class_weight must be None, 'balanced' or a dict; got {self.class_weight!r}."
                )
            totals = np.array([sw[y01 == 0].sum(), sw[y01 == 1].sum()])
            per_class = sw.sum() / (2.0 * totals)
        elif isinstance(self.class_weight, dict):
            unknown = set(self.class_weight) - set(classes.tolist())
            if unknown:
                raise ValueError(
                    f"class_weight names labels {sorted(map(str, unknown))} that are not in y "
                    f"(classes: {list(classes)})."
                )
            per_class = np.array([float(self.class_weight.get(c, 1.0)) for c in classes])
        else:
            raise ValueError(
                f"class_weight must be None, 'balanced' or a dict; got {self.class_weight!r}."
            )
        return per_class[y01.astype(int)]

    def _standardization(self, X, sw) -> tuple[NDArray | None, NDArray | None]:
        if not self.standardize:
            return None, None
        if sp.issparse(X):
            mean = np.asarray(X.mean(axis=0)).ravel()
            sq = np.asarray(X.multiply(X).mean(axis=0)).ravel()
            std = np.sqrt(np.maximum(sq - mean**2, 0.0))
            offset = None
        else:
            mean = np.asarray(X.mean(axis=0, dtype=np.float64))
            std = np.asarray(X.std(axis=0, dtype=np.float64))
            offset = mean if self.fit_intercept else None  # centering implies an intercept
        std = np.where(std > 0, std, 1.0)
        return offset, std

    def fit(
        self,
        X: ArrayLike,
        y: ArrayLike | None = None,
        sample_weight: ArrayLike | None = None,
        *,
        callback: Callback | None = None,
    ) -> LogisticRegression:
        """Fit by minimizing J; ``callback(iteration, θ, J)`` sees every iteration."""
        if isinstance(X, (str, os.PathLike)) or type(X).__module__.startswith("dask") or hasattr(X, "map_reduce"):
            from .outofcore import fit_chunked  # Parquet/CSV paths and Dask: chunk-summed J

            return fit_chunked(self, X, y, sample_weight, callback=callback)
        self._check_params()
        X, y01, sw, classes = self._validate_fit_data(X, y, sample_weight)
        offset, scale = self._standardization(X, sw)
        objective = Objective(
            Design(X, offset, scale), y01, sw, lam=float(self.lam),
            l1_ratio=float(self.l1_ratio), fit_intercept=self.fit_intercept,
        )
        solver = self.solver
        if solver == "auto":
            solver = choose_solver(objective.n_params, sp.issparse(X), objective.penalty.l1 > 0)
        fn, handles_l1, default_max_iter = SOLVERS[solver]
        if objective.penalty.l1 > 0 and not handles_l1:
            raise ValueError(
                f"solver {solver!r} cannot handle an L1 part (l1_ratio={self.l1_ratio}, "
                f"lam={self.lam}); use solver='cd', 'gd' or 'auto'."
            )
        theta0 = self._start(objective, offset, scale)
        max_iter = default_max_iter if self.max_iter is None else int(self.max_iter)
        kwargs: dict[str, Any] = {}
        if solver == "gd":
            kwargs.update(
                learning_rate=float(self.learning_rate), batch_size=self.batch_size,
                random_state=self.random_state,
            )
        if self.firth:
            from .stats.firth import firth_solve  # ring module, imported only when asked for

            result = firth_solve(objective, theta0, tol=float(self.tol), max_iter=max_iter,
                                 callback=callback)
        else:
            result = fn(objective, theta0, tol=float(self.tol), max_iter=max_iter,
                        callback=callback, **kwargs)
        self._store(result, objective, classes, offset, scale)
        self._warn(result, max_iter)
        return self

    def _start(self, objective: Objective, offset, scale) -> NDArray | None:
        """θ₀ from the previous fit with ``warm_start``; None for a cold start, which the solver
        makes itself (and so holds no second copy of θ through the fit)."""
        if not (self.warm_start and hasattr(self, "coef_")):
            return None
        coef = self.coef_.ravel()
        if coef.size != objective.n_features:
            raise ValueError(
                f"warm_start: the previous fit had {coef.size} features, this X has "
                f"{objective.n_features}; refit with warm_start=False."
            )
        w = coef * (1.0 if scale is None else scale)
        b = float(self.intercept_[0]) + (0.0 if offset is None else float(offset @ coef))
        return objective.join(w, b)

    def _store(self, result: SolverResult, objective: Objective, classes, offset, scale) -> None:
        w, b = objective.split(result.theta)
        coef = w / scale if scale is not None else w.copy()
        intercept = b - (float(offset @ coef) if offset is not None else 0.0)
        self.classes_ = classes
        self.coef_ = coef.reshape(1, -1)
        self.intercept_ = np.array([intercept if self.fit_intercept else 0.0])
        self.n_iter_ = np.array([result.n_iter], dtype=np.int32)
        self.converged_ = result.converged
        self.status_ = result.status
        self.history_ = np.asarray(result.history)
        self.solver_ = result.solver
        self.result_ = result
        self.objective_ = objective.describe(result.theta)
        self.objective_["standardized"] = bool(self.standardize)
        self.objective_["solver"] = result.solver
        self.objective_["n_iter"] = result.n_iter
        self.objective_["n_passes"] = result.n_passes
        self._fit_objective = objective  # for summary(); dropped when pickled

    def _warn(self, result: SolverResult, max_iter: int) -> None:
        if self.lam == 0 and not self.firth and result.status != "diverged":
            from .stats.separation import separation_warning  # LP check: complete vs quasi, features

            if separation_warning(self, result):
                return
        if result.status == "converged":
            return  # nothing to say, and the warnings' module (it loads scikit-learn's) stays unloaded
        from .exceptions import ConvergenceWarning, DivergenceWarning, SeparationWarning

        if result.status == "separated":
            warnings.warn(
                "The two classes are perfectly separable by a hyperplane, so with lam=0 the "
                "maximum-likelihood estimate does not exist: the weights grow without bound "
                f"and probabilities go to 0 and 1 (stopped after {result.n_iter} iterations "
                "at a separating hyperplane). Add a penalty, e.g. lam=1.",
                SeparationWarning, stacklevel=3,
            )
        elif result.status == "diverged":
            warnings.warn(
                f"Gradient descent diverged: {result.message} Try learning_rate="
                f"{self.learning_rate / 10:g} or standardize=True.",
                DivergenceWarning, stacklevel=3,
            )
        elif result.status in ("max_iter", "stopped"):
            fix = ("increase max_iter, raise learning_rate or set standardize=True"
                   if result.solver == "gd" else "increase max_iter or set standardize=True")
            if self.lam == 0:
                fix += ", or add a penalty (lam > 0) in case the classes are nearly separable"
            warnings.warn(
                f"Solver {result.solver!r} did not converge in {result.n_iter} iterations: the "
                f"final gradient norm (KKT residual) is {result.kkt_residual:.3g}, above "
                f"tol={self.tol:g}. To fix: {fix}.",
                ConvergenceWarning, stacklevel=3,
            )

    # -- prediction ---------------------------------------------------------------------
    def decision_function(self, X: ArrayLike) -> NDArray:
        """Scores z = w·x + b (logits); positive means the positive class at threshold ½."""
        if not hasattr(self, "coef_"):
            raise_not_fitted(self)
        if not (plain_matrix(X) and X.shape[1] == self.n_features_in_
                and not hasattr(self, "feature_names_in_")):
            from sklearn.utils.validation import validate_data  # its checks and messages

            X = validate_data(self, X, accept_sparse=_ACCEPT_SPARSE,
                              dtype=[np.float64, np.float32], reset=False)
        z = X @ self.coef_.ravel().astype(X.dtype, copy=False)
        return np.asarray(z, dtype=np.float64).ravel() + self.intercept_[0]

    def predict_proba(self, X: ArrayLike) -> NDArray:
        """[P(classes_[0]), P(classes_[1])] per row, each computed from z without cancellation."""
        if type(X).__module__.startswith("dask"):
            from .distributed import predict_proba  # lazy: a Dask collection in, one out

            return predict_proba(self, X)
        z = self.decision_function(X)
        return np.column_stack([expit(-z), expit(z)])

    def predict_log_proba(self, X: ArrayLike) -> NDArray:
        """Log-probabilities, from logits: −softplus(∓z)."""
        z = self.decision_function(X)
        return np.column_stack([-np.logaddexp(0, z), -np.logaddexp(0, -z)])

    def predict(self, X: ArrayLike, threshold: float | None = None) -> NDArray:
        """The positive class where P(positive) > threshold (default: the ``threshold`` param)."""
        t = self.threshold if threshold is None else threshold
        if not 0 < t < 1:
            raise ValueError(f"threshold must lie strictly between 0 and 1; got {t!r}.")
        z = self.decision_function(X)
        return self.classes_[(z > logit(t)).astype(int)]

    def __getstate__(self) -> dict:
        state = self.__dict__.copy()
        state.pop("_fit_objective", None)  # never pickle the training data
        return state

    def summary(self, X: ArrayLike | None = None, y: ArrayLike | None = None,
                sample_weight: ArrayLike | None = None, *, alpha: float = 0.05,
                cov_type: str = "nonrobust", ci_method: str = "wald",
                groups: ArrayLike | None = None):
        """Coefficient table with standard errors, z, p, intervals, odds ratios and fit statistics.

        cov_type: "nonrobust", "HC0"–"HC3", or "cluster" with ``groups`` (one label per row).
        """
        from .stats.inference import summarize  # ring module, imported only when asked for

        return summarize(self, X, y, sample_weight, alpha=alpha, cov_type=cov_type,
                         ci_method=ci_method, groups=groups)

    def describe_objective(self) -> str:
        """What this model minimized, with the numbers at the solution."""
        if not hasattr(self, "objective_"):
            raise_not_fitted(self)
        o = self.objective_
        return (
            f"{o['formula']}\n"
            f"at the solution: J = {o['J']:.10g} = data loss {o['data_loss']:.10g} + penalty "
            f"{o['penalty']:.10g}\n"
            f"equivalents: scikit-learn C = {o['sklearn_C']:g}, glmnet/glum/skglm alpha = "
            f"Spark regParam = {o['glmnet_alpha']:g}"
            + (" (on standardized features)" if o["standardized"] else "")
            + f"\nsolver {o['solver']}: {o['n_iter']} iterations, KKT residual "
            f"{o['kkt_residual']:.3g}, {self.status_}"
        )
