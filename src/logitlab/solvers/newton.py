"""Newton's method for the smooth case (λ·a = 0): Cholesky on the Hessian, Armijo line search.

Each iteration forms the gradient and the (p+1)² Hessian in two passes over X and solves
H·d = −g. Logistic J is self-concordant-like, so from the base-rate start it takes 5–10
iterations to machine precision.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import scipy.linalg as la
from numpy.typing import NDArray

from ..objective import Objective
from .base import Callback, Recorder, SolverResult, blas_guard, start_point, stop_reason

__all__ = ["newton_cholesky", "armijo"]


def armijo(f, theta: NDArray, f0: float, direction: NDArray, slope: float, max_halvings: int = 60):
    """Backtrack t = 1, ½, ¼ … until f(θ + t·d) ≤ f(θ) + 10⁻⁴·t·slope; (t, f) or (0, f0)."""
    t = 1.0
    for _ in range(max_halvings):
        f_new = f(theta + t * direction)
        if np.isfinite(f_new) and f_new <= f0 + 1e-4 * t * slope:
            return t, f_new
        t *= 0.5
    return 0.0, f0


def _newton_direction(H: NDArray, g: NDArray) -> NDArray:
    # LAPACK's Cholesky directly: SciPy's cho_factor/cho_solve wrappers cost 13 µs of checks
    # per call, which is most of a Newton step on a small problem (p = 30: 5 µs this way)
    if H.dtype == np.float64 and g.dtype == np.float64:
        potrf, potrs = la.lapack.dpotrf, la.lapack.dpotrs
    else:
        potrf, potrs = la.lapack.get_lapack_funcs(("potrf", "potrs"), (H, g))
    c, info = potrf(H, lower=1, clean=0)
    if info == 0:
        d, info = potrs(c, g, lower=1)
        if info == 0 and np.isfinite(d).all():
            return -d
    # Singular Hessian (collinear features with λ = 0, or saturated examples): least squares.
    d, *_ = la.lstsq(H, -g, check_finite=False)
    return d


def line_search_scores(obj: Objective, theta: NDArray, z: NDArray, f0: float, direction: NDArray,
                       u: NDArray, slope: float, smooth: bool = True, max_halvings: int = 60,
                       t0: float = 1.0, max_doublings: int = 0):
    """Armijo backtracking along θ + t·d using z + t·u (u = X̃·d): no pass over X.

    At J's floating-point floor, where f(θ + t·d) − f(θ) is pure rounding, a step is also
    accepted when f did not rise beyond rounding and the exact slope along d shrank to at most
    half its start (convexity then certifies progress toward the line's minimum).
    With ``max_doublings``, a first trial accepted while J still falls at a quarter of the
    starting rate is lengthened (t = 2, 4, …, each one loss evaluation) while J keeps falling.
    Trial points' scores are never stored (``value_along``); the accepted one's are z, moved in
    place. Returns (t, f, θ_new, z_new), or (0, f0, θ, z) when no step is acceptable.
    """
    t = t0
    noise = 8 * np.finfo(float).eps * max(abs(f0), 1e-300)
    for halving in range(max_halvings):
        cand = direction * t
        cand += theta
        f_new = obj.value_along(cand, z, u, t, smooth=smooth)
        if np.isfinite(f_new):
            if f_new <= f0 + 1e-4 * t * slope or (smooth and f_new <= f0 + noise and abs(
                    obj.slope_along(cand, z, u, t, direction)) <= 0.5 * abs(slope)):
                if halving == 0 and max_doublings:
                    t, f_new, cand = _lengthen(obj, theta, z, direction, u, slope, t, f_new, cand,
                                               smooth, max_doublings)
                return t, f_new, cand, obj.step_scores(cand, z, u, t)
        t *= 0.5
    return 0.0, f0, theta, z


def _lengthen(obj: Objective, theta: NDArray, z: NDArray, direction: NDArray, u: NDArray, slope: float,
              t: float, f: float, cand: NDArray, smooth: bool, max_doublings: int):
    """(t, f, θ) after doubling an accepted step while J falls. J is convex along the line,
    so a slope at t still below a quarter of the starting one (slope < 0) says its minimum is
    well beyond: near-separable data, where Newton's model underestimates how far to go
    (breast cancer 569 × 30: 8 → 5 steps)."""
    for _ in range(max_doublings):
        if not obj.slope_along(cand, z, u, t, direction) <= 0.25 * slope:
            break
        longer = direction * (2.0 * t)
        longer += theta
        f_longer = obj.value_along(longer, z, u, 2.0 * t, smooth=smooth)
        if not f_longer < f:
            break
        t, f, cand = 2.0 * t, f_longer, longer
    return t, f, cand


def _hessian_plan(obj: Objective) -> tuple[int, bool]:
    """(stride, float32?) for the Hessian: every stride-th row (≥ 100·p rows kept, stride ≤ 16)
    and float32 accumulation when p is large enough for the syrk to dominate."""
    m, p = obj.n_samples, obj.n_features
    single = (not obj.design.is_sparse) and p >= 32
    stride = max(1, min(16, m // max(100 * p, 5000)))
    return stride, single


_COARSE_STEP = 16  # the coarse problem keeps every 16th example …
_COARSE_MIN_ROWS = 20  # … when that leaves ≥ 20 per parameter
_COARSE_MIN_SAMPLE = 1000  # … and ≥ 1000 rows
_COARSE_ITER = 3  # Newton steps on the sample: its optimum is only within sampling error anyway
_REUSE = 0.3  # keep the Hessian while each step shrinks ‖∇J‖∞ at least this much
_REUSE_MIN_SIZE = 1_000_000  # entries of X below which Newton rebuilds its Hessian every step
_RESAMPLE = 0.5  # a fresh sampled Hessian that shrinks it less than this: sample more rows
_SEARCH_MAX_SIZE = 1 << 17  # entries of X up to which Newton line-searches each step on the
# scores (one product more than the one-read step) and may lengthen it (breast cancer: 8 → 5)


def _bfgs_update(H: NDArray, s: NDArray, y: NDArray) -> NDArray:
    """H corrected along the step s so that H·s = y (the gradient's change): the BFGS update,
    skipped when the curvature condition sᵀy > 0 fails."""
    Hs = H @ s
    sHs, sy = float(s @ Hs), float(s @ y)
    if sy <= 1e-12 * np.sqrt(float(y @ y) * float(s @ s)) or sHs <= 0:
        return H
    return H - np.outer(Hs, Hs) / sHs + np.outer(y, y) / sy


def _coarse_start(obj: Objective, theta0: NDArray,
                  solve: Callable[..., tuple[SolverResult, NDArray]] | None = None,
                  ) -> tuple[NDArray, NDArray] | None:
    """(θ, H): the minimizer of the same J on every 16th example (solved the same way, so
    coarser first when that is large too) and that problem's last Hessian, or None when the
    problem is too small to gain from it.

    A sample's optimum lies within its sampling error of the full one: for a cold start it
    replaces Newton's first, damped iterations (each a full read of X) by iterations on 1/16
    of the rows, leaving 2–3 full ones. Its Hessian is the full problem's Hessian sampled on
    those rows, so the first full step needs no Hessian of its own. Only from w = 0: a
    caller's warm start is kept. ``solve`` (default: Newton's own iterations) returns
    (result, last Hessian) for the sample.
    """
    w0, _ = obj.split(theta0)
    if obj.loss != "log" or obj.design.is_sparse or w0.any() or not hasattr(obj, "subsample"):
        return None
    m_sub = -(-obj.n_samples // _COARSE_STEP)
    if m_sub < max(_COARSE_MIN_ROWS * obj.n_params, _COARSE_MIN_SAMPLE):
        return None
    sub = obj.subsample(_COARSE_STEP)
    res, H = (solve or _newton_cholesky)(sub, theta0, tol=1e-5, max_iter=_COARSE_ITER)
    obj.design.n_passes += sub.design.n_passes * sub.n_samples / obj.n_samples
    if res.status not in ("converged", "max_iter") or not np.all(np.isfinite(res.theta)):
        return None  # e.g. the sample is separable when the data are not
    return res.theta, H


class _NewtonHessian:
    """The Hessian of Newton's quadratic model, and the policy newton_cholesky and proximal
    Newton's Gram path share: which rows it samples, when it is rebuilt, how steps correct it.

    Formed on every ``stride``-th row (float32 when ``single``); kept while a step shrinks the
    KKT residual at least 3× (on problems large enough for a new Hessian to cost anything);
    corrected by each accepted step's exact secant pair (BFGS) unless it is exact and new; a
    new sampled Hessian that still makes slow progress brings twice the rows the next time.
    """

    def __init__(self, obj: Objective) -> None:
        self.stride, self.single = _hessian_plan(obj) if obj.loss == "log" else (1, False)
        self.big = obj.n_samples * obj.n_params >= _REUSE_MIN_SIZE  # else a new one costs nothing
        self.reuse = self.big
        self.fresh = True  # H was formed at the current θ
        self.H: NDArray | None = None

    def start(self, obj: Objective, theta: NDArray, coarse: tuple[NDArray, NDArray] | None,
              l1_value: Callable[[NDArray], float]) -> tuple[NDArray, float, NDArray]:
        """(θ, f, ∇f) to start from: the coarse solution if it lowers J (``l1_value`` adds the
        non-smooth part), read in one pass, else θ; sets the first Hessian."""
        if coarse is not None:
            f0 = obj.smooth_value(theta) + l1_value(theta)  # w = 0: no pass over X
            # the coarse Hessian is this one on every 16th row: kept when the planned sample
            # would be no larger, else the first step forms the planned sample
            own = self.stride < _COARSE_STEP
            f, g, H_new = obj.advance(theta, coarse[0] - theta, hessian=own, stride=self.stride,
                                      single=self.single)
            if f + l1_value(coarse[0]) < f0:
                self.H, self.fresh = (H_new if own else coarse[1]), own
                return coarse[0], f, g
        return theta, *self.rebuild(obj, theta)

    def rebuild(self, obj: Objective, theta: NDArray, full: bool = False) -> tuple[float, NDArray]:
        """A new Hessian at θ (on every row when ``full``) with f and ∇f from the same read."""
        if full:
            self.stride = 1
        f, g, self.H = obj.newton_model(theta, stride=self.stride, single=self.single)
        self.fresh = True
        return f, g

    def accept(self, H_new: NDArray | None, step: NDArray, g_change: NDArray) -> None:
        """A step was taken; ``H_new`` is the Hessian its read formed (None when kept)."""
        self.fresh = H_new is not None
        exact = self.stride == 1 and not self.single
        self.H = H_new if self.fresh and exact else _bfgs_update(H_new if self.fresh else self.H, step,
                                                                   g_change)

    def judge(self, t: float, kkt_old: float, kkt: float, tol: float) -> None:
        """After a step of length t: keep H for the next one, or sample more rows."""
        ratio = kkt / kkt_old if kkt_old > 0 else 0.0
        self.reuse = t == 1.0 and ratio <= _REUSE and self.big
        if self.fresh and self.stride > 1 and t == 1.0 and ratio > _RESAMPLE and kkt > tol:
            self.stride //= 2  # full steps but slow progress: sample more rows from the next build


@blas_guard
def newton_cholesky(
    obj: Objective,
    theta0: NDArray | None,
    tol: float = 1e-8,
    max_iter: int = 100,
    callback: Callback | None = None,
    record_path: bool = False,
) -> SolverResult:
    """Minimize the smooth J by damped Newton steps until ‖∇J‖∞ ≤ tol.

    From a cold start the problem is first solved on every 16th example (see
    :func:`_coarse_start`). Each full iteration then reads X once: the step's scores, the loss
    terms, the gradient and (when needed) the Hessian at the new point come from the same
    row blocks (``Objective.advance``); the Armijo test at t = 1 needs nothing more, and only a
    rejected step costs the extra passes of a backtracking search.

    The Hessian is formed on every k-th row only (k ≤ 16, at least 100·p rows kept;
    float32-accumulated for p ≥ 32): the curvature only shapes the step, the exact gradient
    decides convergence. It is reused while steps shrink ‖∇J‖∞ at least 3×, rebuilt otherwise;
    a fresh one that still makes slow progress brings twice the rows the next time; when the
    line search fails on a sampled Hessian the full one is used.
    """
    return _newton_cholesky(obj, theta0, tol, max_iter, callback, record_path)[0]


def _newton_cholesky(obj, theta0, tol=1e-8, max_iter=100, callback=None, record_path=False):
    """newton_cholesky's iterations; returns (result, the last Hessian model)."""
    if obj.penalty.l1 > 0:
        raise ValueError("newton-cholesky handles L2 or no penalty; use 'cd' for L1/elastic net.")
    theta = start_point(obj, theta0)
    rec = Recorder(callback, record_path)
    status, message, it = "max_iter", "", 0
    model = _NewtonHessian(obj)
    can_advance = obj.loss == "log" and hasattr(obj, "advance")
    coarse = _coarse_start(obj, theta) if can_advance else None
    theta, f, g = model.start(obj, theta, coarse, lambda th: 0.0)
    # each step in one read of X, except on a small X (≤ 1 MB): there it searches along the
    # scores (the extra product costs next to nothing) and a full step may be lengthened
    one_read = can_advance and obj.n_samples * obj.n_params > _SEARCH_MAX_SIZE
    rec.record(0, theta, f)
    kkt = float(np.abs(g).max())
    separable_check = obj.lam == 0 and obj.loss == "log"
    for it in range(1, max_iter + 1):
        stop = stop_reason(obj, theta, kkt, tol, separable_check)
        if stop:
            (status, message), it = stop, it - 1
            break
        d = _newton_direction(model.H, g)
        slope = float(np.dot(g, d))
        if slope >= 0:  # numerically singular H gave an ascent direction: fall back to −g
            d, slope = -g, -float(np.dot(g, g))
        accepted = False
        if one_read:
            # the full step, read once; kept when Armijo holds (or, at J's floating-point
            # floor, when f did not rise beyond rounding and the slope along d halved)
            f_new, g_new, H_new = obj.advance(theta, d, hessian=not model.reuse, stride=model.stride,
                                              single=model.single)
            noise = 8 * np.finfo(float).eps * max(abs(f), 1e-300)
            if np.isfinite(f_new) and (f_new <= f + 1e-4 * slope or (
                    f_new <= f + noise and abs(float(np.dot(g_new, d))) <= 0.5 * abs(slope))):
                accepted, t = True, 1.0
                model.accept(H_new, d, g_new - g)
                theta, f, g = theta + d, f_new, g_new
        if not accepted:
            z = obj.scores(theta)
            u = obj.direction_scores(d)
            t, f_new, theta_new, z_new = line_search_scores(obj, theta, z, f, d, u, slope,
                                                            t0=0.5 if one_read else 1.0,
                                                            max_doublings=0 if one_read else 3)
            if t == 0.0:
                if model.stride > 1:  # the sampled curvature failed us: retry with the full Hessian
                    _, g = model.rebuild(obj, theta, full=True)
                    continue
                # No decrease is representable: we sit at J's floating-point floor.
                status = "converged" if kkt <= max(tol, 1e-3 * np.sqrt(tol)) else "max_iter"
                message = f"line search found no decrease at ‖∇J‖∞={kkt:.3g} (precision floor)."
                it -= 1
                break
            theta = theta_new
            _, g = model.rebuild(obj, theta)
            f = f_new
        kkt_old, kkt = kkt, float(np.abs(g).max())
        model.judge(t, kkt_old, kkt, tol)
        rec.record(it, theta, f)
        if rec.stopped:
            break
    else:
        if kkt <= tol:
            status = "converged"
    if status == "max_iter" and kkt <= tol:
        status = "converged"
    return rec.result(obj, theta, "newton-cholesky", status, it, kkt, message), model.H
