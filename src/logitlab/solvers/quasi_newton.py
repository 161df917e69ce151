"""Smooth solvers for many features, where a (p+1)² Hessian is too big: a truncated Newton
(preconditioned CG on exact Hessian-vector products, Armijo) and L-BFGS, both on the same J,
both tracking the scores z so a line search never reads X, both stopping on ‖∇J‖∞ ≤ tol."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from ..objective import Objective, _axpy
from .base import Callback, Recorder, SolverResult, blas_guard, decoupled_moments, start_point, stop_reason
from .newton import line_search_scores

__all__ = ["lbfgs", "newton_cg"]

_PRECOND_DRIFT = 0.5  # rebuild the preconditioner once the scores moved this much (RMS) since


def _require_smooth(obj: Objective, name: str) -> None:
    if obj.penalty.l1 > 0:
        raise ValueError(f"{name} handles L2 or no penalty; use 'cd' for L1/elastic net.")


def _pcg(obj: Objective, theta: NDArray, g: NDArray, dcurv: NDArray, precond: _Diagonal,
         rtol: float, max_cg: int) -> tuple[NDArray, int]:
    """Approximately solve H·δ = −g by CG preconditioned with M (``precond``); returns (δ, CG
    steps). Four vectors of θ's length of its own (δ, r, p, H·p) and the objective's one work
    m-vector: M⁻¹r is folded into the next direction without being stored, and every product
    writes into one buffer.
    """
    n = g.shape[0]
    delta = np.zeros(n)
    r = -g
    p = np.empty(n)
    rs, x_b = precond.inner(r)
    precond.combine(r, x_b, 0.0, p)
    Hp = np.empty(n)
    g_norm = float(np.linalg.norm(g))
    k = 0
    for k in range(1, max_cg + 1):
        obj.hessp_into(theta, p, dcurv, out=Hp)
        curv = float(np.dot(p, Hp))
        if curv <= 0 or not np.isfinite(curv):  # flat or numerically negative: stop here
            if k == 1:
                delta[:] = p  # the preconditioned steepest descent M⁻¹(−g)
            break
        alpha = rs / curv
        _axpy(alpha, p, delta)
        _axpy(-alpha, Hp, r)
        if np.linalg.norm(r) <= rtol * g_norm:
            break
        rs_new, x_b = precond.inner(r)
        precond.combine(r, x_b, rs_new / rs, p)
        rs = rs_new
    return delta, k


class _Diagonal:
    """A diagonal preconditioner M for CG, optionally in the intercept-decoupled coordinates
    (see :func:`_centered_diagonal`). Stored in float32 (a preconditioner needs no more digits,
    and it is two of the solver's p-vectors) and applied a block at a time, so M⁻¹r is never
    held whole: CG folds it straight into its next direction."""

    _BLOCK = 1 << 12  # entries per block: two work buffers of 32 and 16 kB

    def __init__(self, inv_var: NDArray, mu: NDArray | None = None, d_sum: float = 1.0) -> None:
        self.inv_var = np.asarray(inv_var, dtype=np.float32)
        self.coupled = mu is not None
        self.mu = None if mu is None else np.asarray(mu, dtype=np.float32)
        self.d_sum = float(d_sum)
        size = min(self._BLOCK, self.inv_var.shape[0])
        self._x = np.empty(size)  # one block of M⁻¹r, reused block after block
        self._shift = np.empty(size, dtype=np.float32) if self.coupled else None

    def _blocks(self, r: NDArray):
        """(a, b, (M⁻¹r)_w[a:b]) block by block: x_w = (r_w − μ·r_b)/v (coupled), else r/v.
        Each block lives in the same buffer: the caller uses it before asking for the next."""
        n_w = self.inv_var.shape[0]
        r_b = float(r[n_w]) if self.coupled else 0.0
        for a in range(0, n_w, self._BLOCK):
            b = min(a + self._BLOCK, n_w)
            x = np.multiply(r[a:b], self.inv_var[a:b], out=self._x[:b - a])
            if self.coupled and r_b:
                shift = np.multiply(self.mu[a:b], self.inv_var[a:b], out=self._shift[:b - a])
                shift *= r_b
                x -= shift
            yield a, b, x

    def inner(self, r: NDArray) -> tuple[float, float]:
        """(r·M⁻¹r, the intercept's entry of M⁻¹r: x_b = r_b/Σd − μ·x_w)."""
        acc_rx = acc_mu = 0.0
        for a, b, x in self._blocks(r):
            acc_rx += float(np.dot(r[a:b], x))
            if self.coupled:
                acc_mu += float(np.dot(self.mu[a:b], x))
        if not self.coupled:
            return acc_rx, 0.0
        r_b = float(r[-1])
        x_b = r_b / self.d_sum - acc_mu
        return acc_rx + r_b * x_b, x_b

    def combine(self, r: NDArray, x_b: float, beta: float, p: NDArray) -> NDArray:
        """p ← M⁻¹r + β·p in place (β = 0: p ← M⁻¹r, whatever p held); x_b from :meth:`inner`."""
        for a, b, x in self._blocks(r):
            if beta:
                p[a:b] *= beta
                p[a:b] += x
            else:
                p[a:b] = x
        if self.coupled:
            p[-1] = x_b + beta * p[-1] if beta else x_b
        return p

    def __call__(self, r: NDArray) -> NDArray:
        """M⁻¹r as a new vector."""
        return self.combine(r, self.inner(r)[1], 0.0, np.empty(r.shape[0]))


def _centered_diagonal(obj: Objective, dcurv: NDArray) -> _Diagonal:
    """M for the Hessian's diagonal taken after centering the features (implicitly).

    With an intercept, H = [[A, c], [cᵀ, s]] (c = X̃ᵀd, s = Σd) couples b to every feature,
    strongly so for non-negative features such as tf-idf, and a plain diagonal leaves CG to
    find that coupling (measured on tf-idf 100k × 50k: 55 CG products with it, 22 without an
    intercept). In the coordinates b' = b + μ·w, μ = c/s, the Hessian is block diagonal,
    [[A − ccᵀ/s, 0], [0, s]]; this preconditioner is the diagonal there, mapped back:
    M⁻¹ = T·diag(A − c²/s, s)⁻¹·Tᵀ with T = [[I, 0], [−μᵀ, 1]]. Its diagonal is the
    d-weighted variance of each column (plus the L2 weight), so it is positive: SPD for CG.
    """
    l2 = obj.penalty.l2
    if not obj.fit_intercept:
        diag = obj.design.column_sq_norms(dcurv) + l2
        diag = np.maximum(diag, 1e-12 * max(float(diag.max(initial=0.0)), 1e-300))
        return _Diagonal(1.0 / diag)
    c, diag = obj.design.column_moments(dcurv)
    diag += l2
    floor = 1e-12 * max(float(diag.max(initial=0.0)), 1e-300)
    s = max(float(dcurv.sum(dtype=np.float64)), 1e-300)
    mu, var = decoupled_moments(c, diag, s, floor)
    del c, diag
    np.reciprocal(var, out=var)
    return _Diagonal(var, mu, s)


@blas_guard
def newton_cg(
    obj: Objective, theta0: NDArray | None, tol: float = 1e-8, max_iter: int = 200,
    callback: Callback | None = None, record_path: bool = False, max_cg: int = 250,
) -> SolverResult:
    """Truncated Newton: preconditioned CG on exact Hessian-vector products, never forming H.

    The inner CG stops at relative residual η = min(½, √(‖g‖/‖g₀‖)) (Eisenstat–Walker-like
    forcing: loose far away, tight near the optimum, so convergence is superlinear) and is
    preconditioned by the Hessian's diagonal (one more pass: Σᵢ dᵢx̃ᵢⱼ²). Armijo backtracking
    on the scores z + t·X̃δ (X̃δ formed once after CG), whose trial points are never stored.
    """
    _require_smooth(obj, "newton-cg")
    theta = start_point(obj, theta0, copy=False)  # never written in place: each step makes a new θ
    rec = Recorder(callback, record_path)
    z = obj.scores(theta)
    f, g = obj.smooth_value_grad(theta)
    rec.record(0, theta, f)
    kkt = float(np.max(np.abs(g)))
    g0 = max(float(np.linalg.norm(g)), 1e-300)
    status, message, it, floor_hits = "max_iter", "", 0, 0
    separable_check = obj.lam == 0 and obj.loss == "log"
    precond, drift = None, np.inf  # drift: how far the scores moved since precond was built
    for it in range(1, max_iter + 1):
        stop = stop_reason(obj, theta, kkt, tol, separable_check)
        if stop:
            (status, message), it = stop, it - 1
            break
        dcurv = obj.curvature_weights(theta, single=True)
        if drift > _PRECOND_DRIFT:  # a typical d = σσ' moved little since: keep the old one
            precond, drift = None, 0.0  # the old one goes before the new one is built
            precond = _centered_diagonal(obj, dcurv)
        eta = min(0.5, np.sqrt(float(np.linalg.norm(g)) / g0))
        delta, _ = _pcg(obj, theta, g, dcurv, precond, eta, max_cg)
        del dcurv
        # X̃δ in the products' work vector: one more half pass, where summing it along CG would
        # hold one more m-vector through every product
        u = obj.direction_scores(delta, out=obj.scores_work())
        slope = float(np.dot(g, delta))
        if slope >= 0:
            delta = -precond(g)
            u = obj.direction_scores(delta, out=obj.scores_work())
            slope = float(np.dot(g, delta))
        t, f_new, theta_new, z = line_search_scores(obj, theta, z, f, delta, u, slope)
        if t == 0.0:
            status = "converged" if kkt <= max(tol, 1e-3 * np.sqrt(tol)) else "max_iter"
            message = f"line search found no decrease at ‖∇J‖∞={kkt:.3g} (precision floor)."
            it -= 1
            floor_hits += 1
            break
        drift += t * float(np.sqrt(np.dot(u, u) / u.size)) if isinstance(u, np.ndarray) and u.size else np.inf
        theta = theta_new
        del delta, u, theta_new
        f, g = obj.smooth_value_grad(theta)
        kkt = float(np.max(np.abs(g)))
        rec.record(it, theta, f)
        if rec.stopped:
            break
    if status == "max_iter" and kkt <= tol:
        status = "converged"
    return rec.result(obj, theta, "newton-cg", status, it, kkt, message)


@blas_guard
def lbfgs(
    obj: Objective, theta0: NDArray | None, tol: float = 1e-8, max_iter: int = 1000,
    callback: Callback | None = None, record_path: bool = False, memory: int = 10,
) -> SolverResult:
    """Limited-memory BFGS on the smooth J; stops when ‖∇J‖∞ ≤ tol.

    One X̃·d and one X̃ᵀr per iteration: the backtracking line search runs on z + t·X̃d, and
    at J's rounding floor it falls back on the exact slope (see ``line_search_scores``), so
    it converges to tolerances where a value-only line search gives up. Curvature pairs with
    sᵀy ≤ 0 (rounding) are skipped; a failed line search clears the memory and retries once
    along −∇J before declaring the precision floor.
    """
    _require_smooth(obj, "lbfgs")
    theta = start_point(obj, theta0)
    rec = Recorder(callback, record_path)
    z = obj.scores(theta)
    f, g = obj.smooth_value_grad(theta)
    rec.record(0, theta, f)
    kkt = float(np.max(np.abs(g)))
    S: list[NDArray] = []
    Y: list[NDArray] = []
    status, message, it = "max_iter", "", 0
    separable_check = obj.lam == 0 and obj.loss == "log"
    for it in range(1, max_iter + 1):
        stop = stop_reason(obj, theta, kkt, tol, separable_check)
        if stop:
            (status, message), it = stop, it - 1
            break
        # two-loop recursion
        q = g.copy()
        alphas = []
        for s_, y_ in zip(reversed(S), reversed(Y), strict=False):
            rho = 1.0 / float(np.dot(y_, s_))
            a = rho * float(np.dot(s_, q))
            q -= a * y_
            alphas.append((rho, a))
        if S:
            q *= float(np.dot(S[-1], Y[-1]) / np.dot(Y[-1], Y[-1]))
        else:
            q *= min(1.0, 1.0 / max(float(np.linalg.norm(g)), 1e-300))
        for (s_, y_), (rho, a) in zip(zip(S, Y, strict=False), reversed(alphas), strict=False):
            b_ = rho * float(np.dot(y_, q))
            q += (a - b_) * s_
        d = -q
        slope = float(np.dot(g, d))
        if slope >= 0:
            S.clear(), Y.clear()
            d, slope = -g, -float(np.dot(g, g))
        u = obj.direction_scores(d)
        t, f_new, theta_new, z_new = line_search_scores(obj, theta, z, f, d, u, slope)
        if t == 0.0 and S:
            S.clear(), Y.clear()
            d = -g * min(1.0, 1.0 / max(float(np.linalg.norm(g)), 1e-300))
            slope = float(np.dot(g, d))
            u = obj.direction_scores(d)
            t, f_new, theta_new, z_new = line_search_scores(obj, theta, z, f, d, u, slope)
        if t == 0.0:
            status = "converged" if kkt <= max(tol, 1e-3 * np.sqrt(tol)) else "max_iter"
            message = f"line search found no decrease at ‖∇J‖∞={kkt:.3g} (precision floor)."
            it -= 1
            break
        f_new, g_new = obj.smooth_value_grad(theta_new)
        s_vec, y_vec = theta_new - theta, g_new - g
        if float(np.dot(s_vec, y_vec)) > 1e-12 * float(np.dot(y_vec, y_vec)) and np.dot(y_vec, y_vec) > 0:
            S.append(s_vec)
            Y.append(y_vec)
            if len(S) > memory:
                S.pop(0), Y.pop(0)
        theta, z, f, g = theta_new, z_new, f_new, g_new
        kkt = float(np.max(np.abs(g)))
        rec.record(it, theta, f)
        if rec.stopped:
            break
    if status == "max_iter" and kkt <= tol:
        status = "converged"
    return rec.result(obj, theta, "lbfgs", status, it, kkt, message)
