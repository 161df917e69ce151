"""Firth's bias-reduced logistic regression (Firth 1993; Heinze & Schemper 2002).

Maximizes the Jeffreys-penalized log-likelihood

    ℓ*(θ) = ℓ(θ) + ½·log det I(θ),   ℓ = −m·J,   I = m·∇²J   (J: the core's mean loss, λ = 0)

whose score is U*(θ) = X̃ᵀ(s∘(y − p) + h∘(½ − p)), hᵢ the diagonal of the weighted hat matrix
W^½X̃ I⁻¹ X̃ᵀW^½. The estimates are always finite — also under complete or quasi-complete
separation — and their O(1/n) bias is removed. Intervals and tests come from the *profile
penalized likelihood* (R's logistf defaults):

    {c : 2·(ℓ*(θ̃) − max_{θⱼ = c} ℓ*(θ)) ≤ χ²₁(1 − α)},   p-value from the same statistic at c = 0.

Numerics (what makes the 30-feature, completely separated breast-cancer fit converge):

- everything is computed in *internal* coordinates: features centred and scaled to unit
  spread (ℓ* changes by a constant, Σ log σⱼ, under this affine map, so θ̃ maps back exactly);
- hat values, log det I and the Newton system come from a QR factorization of √W·X̃
  (never from XᵀWX, whose condition number is the square);
- Newton steps use the exact Hessian of ℓ* (I plus the second derivative of ½ log det I, see
  :meth:`FirthProblem.neg_hessian`), falling back to Fisher scoring (logistf's step) where the
  Hessian is not negative definite; logistf's step control: steps capped at 5 per coordinate,
  step-halving on ℓ*; converged when both the modified score and the step are below tolerance;
- profile bounds: constrained Newton fits warm-started by a tangent predictor along the profile
  path, and safeguarded Newton root finding on the signed root √(2(ℓ̂* − ℓ*ₚ(c))), which is
  nearly linear in c (its slope is the constrained fit's Lagrange multiplier); if a constrained
  fit finds a higher ℓ* than the fit (ℓ* need not be concave), the fit restarts from there.

Sample weights are frequency weights (logistf's ``weights``). ℓ, its gradient, the curvature
weights and the linear predictor are taken from :class:`~logitlab.objective.Objective`.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import scipy.linalg as la
import scipy.sparse as sp
from numpy.typing import ArrayLike, NDArray
from scipy import stats

from ..design import Design
from ..loss import sigmoid
from ..objective import Objective
from ..solvers.base import Callback, Recorder, SolverResult, blas_threads
from .base import (
    LogitSummary,
    count,
    model_theta,
    offset_of,
    param_names,
    reorder,
    stats_header,
    training_objective,
)

__all__ = ["firth_solve", "firth_fit", "FirthFit", "FirthProblem", "penalized_loglik",
           "profile_all", "ProfileResult", "firth_summary"]

_MAX_STEP = 5.0     # logistf's maxstep (internal, standardized units)
_MAX_HALVINGS = 25  # logistf's maxhs
_XTOL = 1e-8        # converged when the last step is below this (standardized units) …
_GTOL = 1e-9        # … and the score is below this × Σ weights


def offset_kwargs(obj: Objective) -> dict[str, Any]:
    """``offset=`` for a derived objective: the fixed offset travels with the data."""
    offset = offset_of(obj)
    return {} if offset is None else {"offset": offset}


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


def _blas_context(size: int) -> contextlib.AbstractContextManager:
    """One BLAS thread for the many small factorizations (a busy pool spin-waits)."""
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=1 if size < 4_000_000 else blas_threads(), user_api="blas")


@dataclass
class _State:
    """ℓ*, its score and the QR of √W·X̃ at one θ (internal coordinates)."""

    theta: NDArray
    pen_loglik: float
    loglik: float
    score: NDArray
    R: NDArray
    Q: NDArray
    p: NDArray
    h: NDArray

    @property
    def info(self) -> NDArray:
        """Fisher information RᵀR = X̃ᵀWX̃."""
        return self.R.T @ self.R


class FirthProblem:
    """ℓ* (or ℓ with ``jeffreys=False``) of an unpenalized Objective, in standardized coordinates.

    θ_obj = A·θ_int maps the internal parameters back to the objective's; the internal design
    has every feature centred (when there is an intercept) and scaled to unit spread.
    """

    def __init__(self, obj: Objective, jeffreys: bool = True) -> None:
        if obj.loss != "log" or obj.lam != 0:
            raise ValueError("Firth's method is for the unpenalized log-loss (lam=0).")
        self.obj, self.jeffreys, self.fit_intercept = obj, jeffreys, obj.fit_intercept
        Xo = _dense_design(obj)
        p = obj.n_features
        feats = Xo[:, :p]
        mu = feats.mean(axis=0) if obj.fit_intercept else np.zeros(p)
        sd = np.sqrt(np.mean((feats - mu) ** 2, axis=0))
        sd = np.where(sd > 0, sd, 1.0)
        self.inner = Objective(Design(feats, mu if obj.fit_intercept else None, sd), obj.y,
                               obj.sample_weight, lam=0.0, fit_intercept=obj.fit_intercept,
                               **offset_kwargs(obj))
        self.X = _dense_design(self.inner)
        k = self.X.shape[1]
        A = np.zeros((k, k))
        A[:p, :p] = np.diag(1.0 / sd)
        if obj.fit_intercept:
            A[p, :p] = -mu / sd
            A[p, p] = 1.0
        self.A = A                                  # θ_obj = A θ_int
        self.A_inv = la.inv(A)
        self.shift = float(np.sum(np.log(sd)))      # ½ log det I_obj = ½ log det I_int + shift
        self.m = obj.n_samples
        self.n = float(obj.sample_weight.sum())
        self.gtol = _GTOL * max(1.0, self.n)
        # the exact penalty Hessian costs O(m²k) (m ≤ 3000) or O(mk³): from the start on small
        # data, only once Fisher scoring (logistf's step) is seen to converge slowly on larger
        self.hessian_first = self.m <= 3000 or not jeffreys
        self.hessian_affordable = self.m <= 3000 or self.m * k**3 <= 2e9

    def to_internal(self, theta_obj: NDArray) -> NDArray:
        """θ_int = A⁻¹ θ_obj."""
        return self.A_inv @ np.asarray(theta_obj, dtype=np.float64)

    def to_obj(self, theta_int: NDArray) -> NDArray:
        """θ_obj = A θ_int."""
        return self.A @ theta_int

    def context(self) -> contextlib.AbstractContextManager:
        """BLAS thread cap for this problem's size."""
        return _blas_context(self.X.size)

    def evaluate(self, theta: NDArray) -> _State | None:
        """ℓ*, U* and the QR at θ (internal); None where I is singular or ℓ* not finite."""
        inner, m = self.inner, self.m
        loglik = -m * inner.data_loss(theta)
        grad = -m * inner.gradient(theta)
        w = m * inner.curvature_weights(theta)          # sᵢ pᵢ (1 − pᵢ)
        p = sigmoid(inner.scores(theta))
        Q, R = self._factor(np.sqrt(w)[:, None] * self.X)
        if Q is None:
            return None
        diag = np.abs(np.diag(R))
        if not np.isfinite(loglik) or diag.min(initial=np.inf) <= 1e-300 or not np.all(
                np.isfinite(R)):
            return None
        if not self.jeffreys:
            return _State(theta, loglik, loglik, grad, R, Q, p, np.zeros(0))
        h = np.einsum("ij,ij->i", Q, Q)
        logdet = 2.0 * float(np.sum(np.log(diag)))
        score = grad + self.X.T @ (h * (0.5 - p))
        return _State(theta, loglik + 0.5 * logdet, loglik, score, R, Q, p, h)

    def ridge_starts(self, fractions: tuple[float, ...] = (0.01, 0.1)) -> list[NDArray]:
        """Internal θ of ridge fits with λ = f·m on the standardized design: extra starting
        points, because ℓ* need not be concave under separation (see :func:`firth_solve`)."""
        from ..solvers import SOLVERS

        spec = SOLVERS["newton-cholesky"]  # a SolverSpec after the core redesign, a tuple before
        fn = spec.function if hasattr(spec, "function") else spec[0]
        out = []
        for f in fractions:
            ridge = Objective(self.inner.design, self.inner.y, self.inner.sample_weight,
                              lam=f * self.m, fit_intercept=self.fit_intercept,
                              **offset_kwargs(self.inner))
            res = fn(ridge, ridge.initial_theta(), tol=1e-8, max_iter=100)
            if np.all(np.isfinite(res.theta)):
                out.append(res.theta)
        return out

    def saturated(self, st: _State) -> bool:
        """Some fitted probability within 1e-6 of 0 or 1: the separated regime, where ℓ* can
        have several local maxima."""
        p = st.p
        return bool(np.min(np.minimum(p, 1.0 - p), initial=1.0) < 1e-6)

    def _factor(self, A: NDArray) -> tuple[NDArray | None, NDArray]:
        """A = QR. Householder QR (NumPy's; SciPy's is far slower here) up to 3000 rows; beyond,
        R from the Cholesky factor of AᵀA (BLAS-3, ~3× faster) and Q = AR⁻¹, unless AᵀA is
        too ill-conditioned for that (diag(R) spread beyond 1e-5), then QR again."""
        if A.shape[0] > 3000:
            try:
                R = la.cholesky(A.T @ A, lower=False, check_finite=False)
                d = np.abs(np.diag(R))
                if d.min() > 1e-5 * d.max():
                    return la.solve_triangular(R, A.T, trans="T", check_finite=False).T, R
            except (la.LinAlgError, ValueError):
                pass
        if not np.all(np.isfinite(A)):
            return None, np.empty((0, 0))
        return np.linalg.qr(A)

    def neg_hessian(self, st: _State) -> NDArray:
        """−∇²ℓ* = I − ½X̃ᵀdiag(h(1 − 6p(1−p)))X̃ + ½X̃ᵀD(QQᵀ∘QQᵀ)DX̃, D = diag(1 − 2p).

        From ∂I/∂θₐ = X̃ᵀdiag(wᵢ(1−2pᵢ)x̃ᵢₐ)X̃ and √(wᵢwₗ)·x̃ᵢᵀI⁻¹x̃ₗ = (QQᵀ)ᵢₗ;
        plain Fisher information for ``jeffreys=False`` (logit: observed = expected).
        """
        info = st.info
        if not self.jeffreys:
            return info
        X, Q, p = self.X, st.Q, st.p
        t1 = X.T @ (X * (st.h * (1.0 - 6.0 * p * (1.0 - p)))[:, None])
        B = (1.0 - 2.0 * p)[:, None] * X
        m, k = Q.shape
        if m <= 3000:  # m×m Gram of the hat matrix: O(m²k), fastest for small m
            G = Q @ Q.T
            G *= G
            t2 = B.T @ (G @ B)
        else:  # Khatri-Rao: (QQᵀ)∘² = KKᵀ, Kᵢ = Qᵢ ⊗ Qᵢ, so Bᵀ(QQᵀ)∘²B = MMᵀ, M = BᵀK: O(mk³)
            M = np.zeros((k, k * k))
            step = max(1, 2_000_000 // (k * k))
            for s in range(0, m, step):
                Qc = Q[s:s + step]
                M += B[s:s + step].T @ (Qc[:, :, None] * Qc[:, None, :]).reshape(len(Qc), k * k)
            t2 = M @ M.T
        H = info - 0.5 * t1 + 0.5 * t2
        return 0.5 * (H + H.T)

    # -- maximization --------------------------------------------------------------------
    def maximize(self, theta0: NDArray, basis: NDArray | None = None, max_iter: int = 100,
                 recorder: Recorder | None = None, gain_tol: float = 0.0) -> FirthFit:
        """Maximize ℓ* over θ₀ + N·v (N = ``basis``, orthonormal columns; all of θ when None).

        Newton with the exact Hessian (its absolute eigenvalues where it is not negative
        definite; Fisher scoring first on large data until that contracts slowly), steps capped
        at 5, step-halving on ℓ*; converged when the projected score is below
        ``gtol`` and the step below 1e-8 (internal units), as logistf's gconv/xconv — or, with
        ``gain_tol`` > 0 (profile fits), once a Newton step predicts a gain gᵀd below it.
        """
        st = self.evaluate(np.asarray(theta0, dtype=np.float64))
        if st is None:
            raise ValueError("Firth: the information matrix is singular at the start "
                             "(collinear or constant columns?).")
        converged, it = False, 0
        use_hessian, prev_gmax = self.hessian_first, np.inf
        for it in range(1, max_iter + 1):
            g = st.score if basis is None else basis.T @ st.score
            gmax = np.max(np.abs(g), initial=0.0)
            if not use_hessian and gmax > 0.2 * prev_gmax and self.hessian_affordable:
                use_hessian = True  # Fisher scoring contracts slowly here: switch to Newton
            step, exact = self._newton_step(st, g, basis, use_hessian)
            smax = np.max(np.abs(step), initial=0.0)
            if gmax <= self.gtol and smax <= _XTOL:
                converged, it = True, it - 1
                break
            gain = float(g @ (step if basis is None else basis.T @ step))
            last = gain <= gain_tol and (exact or gmax <= 0.01 * prev_gmax)
            prev_gmax = gmax
            if smax > _MAX_STEP:
                step *= _MAX_STEP / smax
            new, t = None, 1.0
            noise = 1e-13 * (1.0 + abs(st.pen_loglik))
            for _ in range(_MAX_HALVINGS):
                cand = self.evaluate(st.theta + t * step)
                if cand is not None and (cand.pen_loglik > st.pen_loglik or (
                        cand.pen_loglik >= st.pen_loglik - noise and smax * t <= 1e-6)):
                    new = cand
                    break
                t *= 0.5
            if new is None:  # no ascent representable: at the optimum to rounding
                converged = gmax <= 1e3 * self.gtol
                it -= 1
                break
            st = new
            if recorder is not None:
                recorder.record(it, self.to_obj(st.theta), -(st.pen_loglik + self.shift) / self.m)
                if recorder.stopped:
                    break
            if last:
                converged = True
                break
        g = st.score if basis is None else basis.T @ st.score
        return self._result(st, it, converged, float(np.max(np.abs(g), initial=0.0)))

    def _newton_step(self, st: _State, g: NDArray, basis: NDArray | None,
                     use_hessian: bool = True) -> tuple[NDArray, bool]:
        """(direction, exact): the Newton direction on ℓ* in the subspace, exact when −∇²ℓ* is
        positive definite there; otherwise its eigenvalues are replaced by their absolute values
        (floored at 1e-8·max), which still ascends along directions of negative curvature.
        ``use_hessian=False``: Fisher scoring, I⁻¹U* (logistf's step)."""
        H = self.neg_hessian(st) if use_hessian else st.info
        self._last_H = H
        if basis is not None:
            H = basis.T @ H @ basis
        try:
            d = la.cho_solve(la.cho_factor(H, check_finite=False), g, check_finite=False)
            if np.all(np.isfinite(d)) and float(g @ d) > 0:
                return (d if basis is None else basis @ d), use_hessian
        except (la.LinAlgError, ValueError):
            pass
        lam, V = la.eigh(H, check_finite=False)
        lam = np.maximum(np.abs(lam), 1e-8 * max(np.abs(lam).max(initial=0.0), 1e-300))
        d = V @ ((V.T @ g) / lam)
        return (d if basis is None else basis @ d), False

    def _result(self, st: _State, n_iter: int, converged: bool, score_max: float) -> FirthFit:
        Rinv = la.solve_triangular(st.R, np.eye(st.R.shape[0]), check_finite=False)
        cov_int = Rinv @ Rinv.T
        return FirthFit(
            theta=self.to_obj(st.theta), pen_loglik=st.pen_loglik + self.shift,
            loglik=st.loglik, info=self.A_inv.T @ st.info @ self.A_inv,
            n_iter=n_iter, converged=converged, score_max=score_max,
            cov=self.A @ cov_int @ self.A.T, theta_internal=st.theta, score_internal=st.score,
        )

    def constrained(self, j: int, value: float, start_obj: NDArray,
                    basis_cache: dict[int, tuple[NDArray, NDArray]] | None = None) -> FirthFit:
        """max ℓ* subject to θ_obj[j] = value, from ``start_obj`` (projected onto the constraint)."""
        a, N = self._constraint(j, basis_cache)
        base = a * value / float(a @ a)
        start = self.to_internal(start_obj)
        start = base + N @ (N.T @ (start - base))
        return self.maximize(start, basis=N, max_iter=200, gain_tol=1e-8)

    def _constraint(self, j: int, cache: dict | None) -> tuple[NDArray, NDArray]:
        if cache is not None and j in cache:
            return cache[j]
        a = self.A[j].copy()                        # θ_obj[j] = aᵀ θ_int
        N = la.null_space(a[None, :])
        if cache is not None:
            cache[j] = (a, N)
        return a, N


def penalized_loglik(obj: Objective, theta: NDArray) -> float:
    """ℓ*(θ) = ℓ(θ) + ½ log det I(θ) in the objective's units."""
    prob = FirthProblem(obj)
    st = prob.evaluate(prob.to_internal(theta))
    return -np.inf if st is None else st.pen_loglik + prob.shift


@dataclass
class FirthFit:
    """Where the Firth iteration ended (θ, ℓ*, I and I⁻¹ in the objective's units)."""

    theta: NDArray
    pen_loglik: float
    loglik: float
    info: NDArray
    n_iter: int
    converged: bool
    score_max: float
    cov: NDArray | None = None
    theta_internal: NDArray | None = None
    score_internal: NDArray | None = None


def firth_fit(
    obj: Objective, theta0: NDArray | None = None, max_iter: int = 100,
    recorder: Recorder | None = None, jeffreys: bool = True,
) -> FirthFit:
    """Maximize ℓ* (or ℓ with ``jeffreys=False``) over all parameters from θ₀ (objective units)."""
    prob = FirthProblem(obj, jeffreys)
    theta = obj.initial_theta() if theta0 is None else np.asarray(theta0, dtype=np.float64)
    with prob.context():
        return prob.maximize(prob.to_internal(theta), max_iter=max_iter, recorder=recorder)


def firth_solve(
    obj: Objective, theta0: NDArray | None, tol: float = 1e-6, max_iter: int = 100,
    callback: Callback | None = None, record_path: bool = False, multistart: bool = True,
) -> SolverResult:
    """The estimator's ``firth=True`` fit, returned as a core :class:`SolverResult`.

    ℓ* is not always concave: under separation with collinear columns it can have several
    local maxima (30-feature breast cancer: the path from the null model — logistf's start —
    ends 1.9 below the best found). So on small data (≤ 3000 rows) or when probabilities
    saturate, the fit is repeated from two ridge solutions (λ = 0.01m, 0.1m, standardized) and
    the highest converged maximum is kept (``multistart=False``: the null start only).

    Iterates to the internal criteria (score ≤ 1e-9·Σs, step ≤ 1e-8 in standardized units)
    — Newton converges quadratically, so that costs one or two extra steps; ``kkt_residual`` is
    the mean modified score in the objective's units.
    """
    if obj.lam != 0:
        raise ValueError(
            f"firth=True replaces the penalty by Jeffreys' prior; use lam=0 (got lam={obj.lam})."
        )
    if theta0 is None:  # a cold start: the null model
        theta0 = obj.initial_theta()
    prob = FirthProblem(obj)
    rec = Recorder(callback, record_path)
    message = "Firth penalized likelihood (Newton on ℓ* with step-halving)"
    with prob.context():
        start = prob.to_internal(theta0)
        st0 = prob.evaluate(start)
        if st0 is not None:
            rec.record(0, theta0, -(st0.pen_loglik + prob.shift) / obj.n_samples)
        fit = prob.maximize(start, max_iter=max(max_iter, 1), recorder=rec)
        st = prob.evaluate(fit.theta_internal)
        if multistart and st is not None and not rec.stopped and (
                prob.m <= 3000 or prob.saturated(st)):
            n_iter = fit.n_iter
            for s0 in prob.ridge_starts():
                try:
                    other = prob.maximize(s0, max_iter=max(max_iter, 1))
                except ValueError:
                    continue
                n_iter += other.n_iter
                if other.converged and other.pen_loglik > fit.pen_loglik + 1e-9 * (
                        1.0 + abs(fit.pen_loglik)):
                    message += (f"; a ridge start reached a higher maximum (ℓ* "
                                f"{other.pen_loglik:.6g} vs {fit.pen_loglik:.6g})")
                    fit = other
            fit.n_iter = n_iter
            st = prob.evaluate(fit.theta_internal)
    score_obj = prob.A_inv.T @ st.score if st is not None else np.full(obj.n_params, np.inf)
    kkt = float(np.max(np.abs(score_obj))) / obj.n_samples
    status = "converged" if fit.converged else "max_iter"
    return rec.result(obj, fit.theta, "firth", status, fit.n_iter, kkt, message)


# -- profile penalized likelihood -----------------------------------------------------------
@dataclass
class ProfileResult:
    """Estimates, covariance and profile intervals in the objective's units."""

    theta: NDArray
    cov: NDArray
    lower: NDArray
    upper: NDArray
    chi2: NDArray
    p_value: NDArray
    fit: FirthFit
    problem: FirthProblem
    n_fits: int = 0
    restarts: int = 0


class _BetterMaximum(Exception):
    """A constrained fit found ℓ* above the 'maximum': ℓ* has another, higher local maximum."""

    def __init__(self, theta: NDArray) -> None:
        super().__init__("higher penalized likelihood found while profiling")
        self.theta = theta


class _Profile:
    """The profile of parameter j: constrained optima, each warm-started from its nearest
    computed neighbours by linear extrapolation of the path θ(c)."""

    def __init__(self, prob: FirthProblem, fit: FirthFit, j: int, cache: dict,
                 curvature_cov: NDArray | None = None) -> None:
        self.prob, self.fit, self.j, self.cache = prob, fit, j, cache
        self.top = fit.pen_loglik
        cov = fit.cov if curvature_cov is None else curvature_cov
        self.slope0 = cov[:, j] / cov[j, j]          # dθ/dc at θ̂ (conditional mean)
        self.se0 = float(np.sqrt(cov[j, j]))         # curvature of the profile at θ̂
        # (c, θ(c), statistic, d statistic/dc, dθ/dc)
        self.points: list[tuple[float, NDArray, float, float, NDArray]] = [
            (fit.theta[j], fit.theta, 0.0, 0.0, self.slope0)]
        self.n_fits = 0

    def _start(self, c: float) -> NDArray:
        """Tangent predictor from the nearest computed point of the path θ(c)."""
        c1, t1, _, _, slope = min(self.points, key=lambda q: abs(q[0] - c))
        return t1 + (c - c1) * slope

    def _tangent(self, res: FirthFit) -> NDArray:
        """dθ/dc at a constrained optimum: a/|a|² + N·dv, (NᵀHN)·dv = −NᵀH·a/|a|² (objective units)."""
        prob = self.prob
        a, N = prob._constraint(self.j, self.cache)
        H = getattr(prob, "_last_H", None) if res.n_iter > 0 else None
        if H is None:
            st = prob.evaluate(res.theta_internal)
            if st is not None:
                H = prob.neg_hessian(st) if prob.hessian_first else st.info
        if H is None:
            return self.slope0
        e = a / float(a @ a)
        try:
            dv = -la.solve(N.T @ H @ N, N.T @ (H @ e), assume_a="sym", check_finite=False)
        except (la.LinAlgError, ValueError):
            return self.slope0
        t = prob.A @ (e + N @ dv)
        return t if np.all(np.isfinite(t)) else self.slope0

    def stat(self, c: float) -> tuple[float, float]:
        """(2·(ℓ̂* − max_{θⱼ=c} ℓ*), its derivative in c); (∞, nan) where p saturates."""
        for q in self.points:
            if q[0] == c:
                return q[2], q[3]
        self.n_fits += 1
        try:
            res = self.prob.constrained(self.j, c, self._start(c), self.cache)
        except (ValueError, la.LinAlgError):
            return np.inf, np.nan
        gap = self.top - res.pen_loglik
        if gap < -1e-7 * (1.0 + abs(self.top)):
            raise _BetterMaximum(res.theta)
        a = self.prob.A[self.j]
        slope = float(a @ res.score_internal) / float(a @ a)   # dℓ*ₚ/dc (Lagrange multiplier)
        val = max(2.0 * gap, 0.0)
        self.points.append((c, res.theta, val, -2.0 * slope, self._tangent(res)))
        return val, -2.0 * slope

    def bound(self, sign: float, crit: float) -> float:
        """The c on side ``sign`` where the statistic reaches ``crit`` (±∞ if it never does).

        Safeguarded Newton on the signed root ρ(c) = √stat(c) − √crit (nearly linear in c;
        dρ/dc = stat′/(2ρ) from the constrained fit's Lagrange multiplier), bisecting once the
        root is bracketed and Newton leaves the bracket.
        """
        est = self.fit.theta[self.j]
        se = self.se0
        target = np.sqrt(crit)
        inner, outer = est, None
        dist = target * (se if np.isfinite(se) and se > 0 else 1.0)
        c = est + sign * dist
        for _ in range(100):
            val, dval = self.stat(c)
            rho = np.sqrt(min(val, 1e12))
            f = rho - target
            if abs(f) <= 1e-7 * target:
                return c
            if f < 0:
                inner = c
            else:
                outer = c
            if outer is not None and abs(outer - inner) <= 1e-11 * (1.0 + abs(c)):
                return 0.5 * (inner + outer)
            drho = dval / (2.0 * rho) if rho > 0 and np.isfinite(dval) else np.nan
            new = c - f / drho if np.isfinite(drho) and drho * sign > 0 else np.nan
            if abs(f) <= 1e-4 * target and np.isfinite(new) and (
                    outer is None or min(inner, outer) < new < max(inner, outer)):
                return new  # Newton converges quadratically: the next ρ is off by ~f²
            if outer is None:
                far = abs(c - est)
                if not np.isfinite(new) or sign * (new - c) > 2.0 * far:
                    new = est + sign * 3.0 * far  # far constrained fits are slow: ≤ ×3 a time
                elif sign * (new - c) < 0:  # overshoot estimate: stay outside the inner point
                    new = c + sign * 0.5 * far
                if abs(new - est) > 1e8 * (1.0 + abs(est)):
                    return sign * np.inf
            else:
                lo, hi = min(inner, outer), max(inner, outer)
                if not (np.isfinite(new) and lo < new < hi):
                    new = 0.5 * (inner + outer)
            c = new
        return c


def _curvature_cov(prob: FirthProblem, fit: FirthFit) -> NDArray | None:
    """(−∇²ℓ*)⁻¹ at θ̂ in objective units: the profile's curvature and tangent at the maximum
    (differs from I⁻¹ where the penalty's curvature matters, e.g. under separation)."""
    st = prob.evaluate(fit.theta_internal)
    if st is None:
        return None
    try:
        H_inv = la.inv(prob.neg_hessian(st) if prob.hessian_affordable else st.info,
                       check_finite=False)
    except (la.LinAlgError, ValueError):
        return None
    if not np.all(np.isfinite(H_inv)) or np.any(np.diag(H_inv) <= 0):
        return None
    return prob.A @ H_inv @ prob.A.T


def profile_all(obj: Objective, theta: NDArray, alpha: float = 0.05,
                jeffreys: bool = True, max_restarts: int = 3) -> ProfileResult:
    """Refit (ℓ* or ℓ) from θ and profile every parameter (objective units).

    If a profile fit finds a higher ℓ* than the fit (ℓ* need not be concave: it happens on the
    separated, collinear 30-feature breast-cancer data), the maximization restarts from there.
    """
    prob = FirthProblem(obj, jeffreys)
    crit = float(stats.chi2.ppf(1 - alpha, 1))
    cache: dict[int, tuple[NDArray, NDArray]] = {}
    start = np.asarray(theta, dtype=np.float64)
    k = start.size
    n_fits, restarts = 0, 0
    with prob.context():
        while True:
            fit = prob.maximize(prob.to_internal(start), max_iter=200)
            curv = _curvature_cov(prob, fit)
            lo, hi, chisq = np.empty(k), np.empty(k), np.empty(k)
            try:
                for j in range(k):
                    prof = _Profile(prob, fit, j, cache, curv)
                    try:
                        lo[j] = prof.bound(-1.0, crit)
                        hi[j] = prof.bound(1.0, crit)
                        chisq[j] = prof.stat(0.0)[0]
                    finally:
                        n_fits += prof.n_fits
                break
            except _BetterMaximum as better:
                if restarts >= max_restarts:
                    raise ValueError("the penalized likelihood keeps finding higher maxima "
                                     "while profiling; the fit is not reliable.") from None
                restarts += 1
                start = better.theta
    res = ProfileResult(fit.theta, fit.cov, lo, hi, chisq, stats.chi2.sf(chisq, 1), fit, prob,
                        n_fits)
    res.restarts = restarts
    return res


def firth_summary(
    model: Any, X: ArrayLike | None = None, y: ArrayLike | None = None,
    sample_weight: ArrayLike | None = None, *, alpha: float = 0.05,
) -> Any:
    """The logistf-style table: coef, Wald SE, profile penalized-likelihood CI, χ² and p."""
    obj = training_objective(model, X, y, sample_weight)
    names = param_names(model)
    theta = model_theta(model, obj)
    prof = profile_all(obj, theta, alpha, jeffreys=True)
    cov, lo, hi, chisq, p = prof.cov, prof.lower, prof.upper, prof.chi2, prof.p_value
    se = np.sqrt(np.diag(cov))
    lo_name, hi_name = f"ci_lower_{1 - alpha:g}", f"ci_upper_{1 - alpha:g}"
    with np.errstate(over="ignore"):  # odds ratios of huge coefficients are +inf, as in R
        table = pd.DataFrame(
            {"coef": prof.theta, "std_err": se, lo_name: lo, hi_name: hi, "chi2": chisq,
             "p_value": p, "odds_ratio": np.exp(prof.theta), f"or_{lo_name}": np.exp(lo),
             f"or_{hi_name}": np.exp(hi)},
            index=pd.Index(names, name="parameter"),
        )
    order = reorder(names, model.fit_intercept)
    table = table.iloc[order]
    # the penalized LR test against the model with every slope 0 (penalty of the full model,
    # as logistf's null log-likelihood)
    k = obj.n_params
    fit, pr = prof.fit, prof.problem
    with pr.context():
        if obj.fit_intercept:
            e = np.zeros(k)
            e[-1] = 1.0
            null_theta = obj.initial_theta()
            N = pr.A_inv @ e
            null = pr.maximize(pr.to_internal(null_theta), basis=(N / la.norm(N))[:, None])
        else:
            st = pr.evaluate(np.zeros(k))
            null = pr._result(st, 0, True, 0.0)
    n = count(obj.sample_weight.sum())
    df_model = k - int(obj.fit_intercept)
    llr = max(2.0 * (fit.pen_loglik - null.pen_loglik), 0.0)
    fit_stats = {
        "n_obs": n, "n_params": k, "df_model": df_model, "df_resid": n - k,
        "log_likelihood": fit.loglik, "penalized_log_likelihood": fit.pen_loglik,
        "null_log_likelihood": null.loglik,
        "null_penalized_log_likelihood": null.pen_loglik,
        "deviance": -2.0 * fit.loglik, "aic": -llr + 2.0 * df_model, "bic": np.nan,
        "pseudo_r2_mcfadden": np.nan, "lr_stat": llr, "lr_df": df_model,
        "lr_pvalue": float(stats.chi2.sf(llr, df_model)) if df_model > 0 else np.nan,
        "score_max": fit.score_max, "profile_fits": prof.n_fits,
        "profile_restarts": prof.restarts,
    }
    notes = [
        "Firth's penalized likelihood: intervals and p-values come from the profile penalized "
        "likelihood (not Wald); std_err is √diag I(θ̃)⁻¹; the LR test compares penalized "
        "log-likelihoods with the Firth intercept-only model (as logistf). AIC is logistf's "
        "extractAIC: −2(ℓ*(θ̃) − ℓ*(null)) + 2·df, relative to that null model, for comparing "
        "Firth fits of the same data; BIC is not defined for it."
    ]
    if prof.restarts:
        notes.append("profiling found a higher penalized likelihood than the fitted model "
                     "(ℓ* is not concave here); the table reports that higher maximum, so it "
                     "differs from model.coef_.")
    if not fit.converged:
        notes.append(f"the Firth iteration did not reach its tolerance (max |U*| = "
                     f"{fit.score_max:.2e}): estimates and intervals are not final.")
    ordered = [names[i] for i in order]
    cov_df = pd.DataFrame(cov[np.ix_(order, order)], index=ordered, columns=ordered)
    return LogitSummary(table, stats_header(model, fit_stats, "firth", "n/a"), notes,
                        "firth", cov_df, alpha)
