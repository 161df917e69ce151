"""The maximum-likelihood estimate to full precision, whatever tolerance fitted the model.

A fit stopped at ‖∇J‖∞ ≤ 1e-6 can sit 1e-4 from the MLE on rare events (the intercept's
curvature is tiny there), which moves p-values by percents. Every statistic is therefore
computed at a *polished* θ: full Newton steps on the unpenalized objective (the core's
``gradient`` and ``hessian``, never a re-derived loss) until the step stops shrinking, i.e.
until the score is at its rounding level. Newton converges quadratically from any fit the
solvers report as converged, so this costs two or three Hessians.

:class:`MLE` bundles what the statistics modules share: the objective on the raw design, the
polished θ, the parameter names, the information and its inverse.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.linalg as la
import scipy.sparse as sp
from numpy.typing import ArrayLike, NDArray

from ..objective import Objective
from .base import InferenceError, feature_names, param_names, training_objective

__all__ = ["Polished", "polish", "MLE", "fitted_mle", "MAX_PARAMS"]

MAX_PARAMS = 5000  # a dense (p+1)² covariance beyond this is a memory problem, not a table
# A Newton step below this many standard errors is rounding: θ is the MLE to double precision.
_ROUNDING_STEP = 1e-12
_MAX_STEPS = 30  # quadratic convergence needs ~3 from a converged fit; more means trouble


@dataclass(frozen=True)
class Polished:
    """Where polishing ended: θ, the Newton steps taken, how far θ moved from the fit, the
    last step in standard errors and the largest |score| (∂ℓ/∂θ) at θ."""

    theta: NDArray
    n_steps: int
    moved: float
    last_step_se: float
    score_max: float
    at_rounding: bool

    def note(self) -> str:
        """One sentence for the summary: what was done and how exact θ is."""
        if self.n_steps == 0:
            return (f"statistics at the MLE (the fit was already exact: Newton step "
                    f"{self.last_step_se:.1e} SE, max |score| {self.score_max:.1e}).")
        where = "at rounding level" if self.at_rounding else "NOT at rounding level"
        return (f"statistics at the MLE polished by {self.n_steps} Newton step"
                f"{'s' if self.n_steps != 1 else ''} from the fitted coefficients (moved by "
                f"≤ {self.moved:.1e}; last step {self.last_step_se:.1e} SE, max |score| "
                f"{self.score_max:.1e}: {where}).")


def _newton_step(objective: Objective, theta: NDArray) -> tuple[NDArray, NDArray] | None:
    """(d, se): the Newton step −H⁻¹∇J and the standard errors √diag(I⁻¹) at θ; None where
    the Hessian is not positive definite (collinear columns: nothing to polish)."""
    g = objective.gradient(theta)
    H = objective.hessian(theta)
    try:
        c = la.cho_factor(H, lower=True, check_finite=False)
    except (la.LinAlgError, ValueError):
        return None
    d = -la.cho_solve(c, g, check_finite=False)
    h_inv_diag = la.cho_solve(c, np.eye(H.shape[0]), check_finite=False).diagonal()
    return d, np.sqrt(np.abs(h_inv_diag) / objective.n_samples)  # I = m·H


def polish(objective: Objective, theta: ArrayLike, max_steps: int = _MAX_STEPS) -> Polished:
    """Newton on the unpenalized J from θ until a step is below 1e-12 standard errors or stops
    shrinking (the rounding floor); a step that raises J beyond rounding is halved."""
    if objective.lam != 0 or objective.loss != "log":
        raise ValueError("polishing is for the unpenalized log-likelihood (lam=0).")
    start = np.array(theta, dtype=np.float64, copy=True)
    theta = start.copy()
    prev, n_steps, at_rounding = np.inf, 0, False
    size = np.inf
    for _ in range(max_steps):
        step = _newton_step(objective, theta)
        if step is None:
            break
        d, se = step
        size = float(np.max(np.abs(d) / se, initial=0.0))
        if size <= _ROUNDING_STEP or (size >= 0.5 * prev and size < 1e-6):
            at_rounding = True  # below 1e-12 SE, or stalled near it: the rounding floor
            break
        f0 = objective.value(theta)
        noise = 8 * np.finfo(float).eps * max(abs(f0), 1e-300)
        t = 1.0
        while t > 1e-8 and not objective.value(theta + t * d) <= f0 + noise:
            t *= 0.5
        if t <= 1e-8:
            break
        theta = theta + t * d
        n_steps += 1
        prev = size
    score = objective.n_samples * objective.gradient(theta)
    return Polished(theta, n_steps, float(np.max(np.abs(theta - start), initial=0.0)), size,
                    float(np.max(np.abs(score), initial=0.0)), at_rounding)


@dataclass
class MLE:
    """The unpenalized fit at its polished MLE, in θ order (features, then the intercept)."""

    objective: Objective
    theta: NDArray
    names: list[str]
    polished: Polished
    model: Any = field(repr=False, default=None)
    notes: list[str] = field(default_factory=list)
    _inv: NDArray | None = field(default=None, repr=False)

    @property
    def fit_intercept(self) -> bool:
        return self.objective.fit_intercept

    @property
    def n_obs(self) -> float:
        """Σ sᵢ: the number of observations the frequency weights stand for."""
        return float(self.objective.sample_weight.sum())

    @property
    def weights(self) -> NDArray:
        return np.asarray(self.objective.sample_weight, dtype=np.float64)

    def design_matrix(self) -> NDArray:
        """X̃ dense, the intercept column last (θ order)."""
        X = self.objective.design.X
        X = X.toarray() if sp.issparse(X) else np.asarray(X, dtype=np.float64)
        return np.column_stack([X, np.ones(X.shape[0])]) if self.fit_intercept else X

    def linear_predictor(self) -> NDArray:
        return np.array(self.objective.scores(self.theta), dtype=np.float64)

    def information(self) -> NDArray:
        """Observed Fisher information m·∇²J(θ̂) = Σ sᵢ pᵢ(1−pᵢ) x̃ᵢ x̃ᵢᵀ."""
        return information(self.objective, self.theta)

    def inverse_information(self) -> NDArray:
        """I(θ̂)⁻¹, the model-based covariance (computed once)."""
        if self._inv is None:
            self._inv = inverse(self.information(), self.names)
        return self._inv


def offset_intercept(y: NDArray, s: NDArray, eta: NDArray) -> float:
    """The ML intercept b of ``glm(y ~ 1, offset = η, weights = s)``: Σ sᵢ(yᵢ − σ(b + ηᵢ)) = 0,
    by Newton on this concave one-dimensional likelihood (to rounding)."""
    from ..loss import sigmoid

    rate = float(s @ y / s.sum())
    b = float(np.log(rate / (1 - rate)) - np.average(eta, weights=s))
    for _ in range(100):
        p = sigmoid(b + eta)
        step = float(s @ (y - p)) / float(s @ (p * (1 - p)))
        b += step
        if abs(step) <= 1e-15 * (1.0 + abs(b)):
            break
    return b


def null_theta(objective: Objective) -> NDArray:
    """θ of the null model (every slope 0): the intercept at the weighted base rate, or, with an
    offset, the ML intercept given the offset (R's null deviance); θ = 0 without intercept."""
    from .base import offset_of

    theta0 = objective.initial_theta()
    offset = offset_of(objective)
    if offset is not None and objective.fit_intercept:
        s = np.asarray(objective.sample_weight, dtype=np.float64)
        theta0[-1] = offset_intercept(np.asarray(objective.y, dtype=np.float64), s, offset)
    return theta0


def information(objective: Objective, theta: NDArray) -> NDArray:
    """Observed Fisher information m·∇²J(θ) (λ = 0): Σ sᵢ pᵢ(1−pᵢ) x̃ᵢ x̃ᵢᵀ."""
    if objective.n_params > MAX_PARAMS:
        raise InferenceError(
            f"{objective.n_params} parameters: a dense covariance matrix is not computed "
            f"beyond {MAX_PARAMS}; select features first."
        )
    return objective.n_samples * objective.hessian(theta)


def inverse(info: NDArray, names: list[str]) -> NDArray:
    """I⁻¹ by Cholesky; a singular I means collinear features (or separation): say which."""
    try:
        c = la.cho_factor(info, lower=True)
        return la.cho_solve(c, np.eye(info.shape[0]))
    except la.LinAlgError:
        pass
    s = la.svdvals(info)
    if s[-1] <= 1e-12 * s[0]:
        _, _, vt = la.svd(info)
        involved = [names[j] for j in np.flatnonzero(np.abs(vt[-1]) > 1e-3)]
        raise InferenceError(
            "the Fisher information is singular: these parameters are not identified "
            f"(collinear columns or a constant column): {', '.join(involved)}. Drop one of them."
        )
    return la.inv(info)


_CACHE: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def fitted_mle(model: Any, X: ArrayLike | None = None, y: ArrayLike | None = None,
               sample_weight: ArrayLike | None = None, *, check_separation: bool = True) -> MLE:
    """The polished MLE of a fitted ``lam=0`` model (on its kept training data unless X, y are
    given); cached per model and fit, so several statistics polish once.

    Under separation (the LP check of :mod:`.separation`) the MLE does not exist: raises
    :class:`InferenceError` naming the features.
    """
    from sklearn.utils.validation import check_is_fitted

    check_is_fitted(model)
    if model.lam != 0 or getattr(model, "firth", False):
        what = "Firth" if getattr(model, "firth", False) else "penalized"
        raise InferenceError(f"this statistic needs the maximum-likelihood fit (lam=0); the "
                             f"model is a {what} fit.")
    key = (id(getattr(model, "_fit_objective", None)), model.coef_.tobytes(),
           float(model.intercept_[0]), check_separation)
    if X is None:
        hit = _CACHE.get(model)
        if hit is not None and hit[0] == key:
            return hit[1]
    objective = training_objective(model, X, y, sample_weight)
    notes = _separation_notes(model, objective) if check_separation else []
    theta = objective.join(model.coef_.ravel(), float(model.intercept_[0]))
    polished = polish(objective, theta)
    mle = MLE(objective, polished.theta, param_names(model), polished, model, notes)
    if X is None:
        _CACHE[model] = (key, mle)
    return mle


def _separation_notes(model: Any, objective: Objective) -> list[str]:
    """Raise where the LP finds separation; the LP's note when it was skipped (too large)."""
    from .separation import detect_separation

    report = detect_separation(objective.design.X, objective.y, objective.sample_weight,
                               fit_intercept=objective.fit_intercept,
                               feature_names=feature_names(model))
    if report.separated:
        raise InferenceError(report.message(with_remedy=True))
    return [report.note] if report.skipped else []
