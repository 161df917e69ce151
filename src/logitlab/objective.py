"""J(w, b): the mean weighted loss plus the elastic-net penalty, with its gradient and Hessian.

    J(w, b) = (1/m)·Σ sᵢ·ℓ(yᵢ, w·xᵢ + b) + (λ/m)·(a·‖w‖₁ + (1−a)/2·‖w‖²)

This is the single place the math of the model lives: every solver, the CLI, the report, the
lab and the distributed code evaluate J through :class:`Objective`. Parameters travel as one
vector θ = (w₁ … w_p, b) (b only when the intercept is fitted).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np
import scipy.sparse as sp
from numpy.typing import ArrayLike, NDArray
from scipy.special import expit

from . import loss as L
from .design import Design
from .penalty import ElasticNet

__all__ = ["Objective", "LossName", "lam_to_C", "C_to_lam", "lam_to_alpha", "alpha_to_lam"]

LossName = Literal["log", "mse", "hinge"]

_POINTWISE = {
    "log": (L.log_loss_pointwise, L.log_loss_derivative),
    "mse": (L.mse_sigmoid_pointwise, L.mse_sigmoid_derivative),
    "hinge": (L.hinge_pointwise, L.hinge_derivative),
}


def _axpy(a: float, x: NDArray, y: NDArray) -> None:
    """y += a·x in place, with no temporary a·x (BLAS daxpy for contiguous float64 vectors)."""
    global _daxpy
    if _daxpy is None:
        from scipy.linalg.blas import daxpy as _daxpy
    if (x.dtype == y.dtype == np.float64 and x.flags.c_contiguous and y.flags.c_contiguous
            and y.flags.writeable and x.shape == y.shape):
        out = _daxpy(x, y, a=a)
        if out is y:  # f2py wrote in place (it does for a contiguous float64 y)
            return
        y[...] = out  # pragma: no cover - defensive
        return
    y += a * x


_daxpy = None


def lam_to_C(lam: float) -> float:
    """scikit-learn's C for our λ: C = 1/λ (λ = 0 ↔ C = ∞, i.e. ``penalty=None``)."""
    return np.inf if lam == 0 else 1.0 / lam


def C_to_lam(C: float) -> float:
    """Our λ for scikit-learn's C: λ = 1/C."""
    if C <= 0:
        raise ValueError(f"C must be > 0; got {C!r}.")
    return 0.0 if np.isinf(C) else 1.0 / C


def lam_to_alpha(lam: float, n_samples: int) -> float:
    """glmnet / glum / skglm ``alpha`` and Spark's ``regParam`` for our λ: α = λ/m.

    Valid when those libraries are run without their own standardization and with the
    same l1_ratio (glmnet's ``alpha`` mixing argument is our l1_ratio, its ``lambda`` is α).
    """
    return lam / n_samples


def alpha_to_lam(alpha: float, n_samples: int) -> float:
    """Our λ from glmnet/glum/skglm ``alpha`` or Spark ``regParam``: λ = α·m."""
    return alpha * n_samples


@dataclass
class ObjectiveParts:
    """J split into what the lessons name: the data loss and the penalty."""

    data_loss: float
    penalty: float

    @property
    def total(self) -> float:
        return self.data_loss + self.penalty


_SEPARATION_CHUNK = 1 << 12  # examples per chunk of Objective.separates
_MIXED_CHUNK = 1 << 11  # entries per float32 × float64 product: NumPy's cast buffer, 16 kB


def _held(theta: NDArray) -> NDArray:
    """θ as the cache may keep it: itself when nothing can write to it (read-only, owning its
    data: a solver that never edits its iterate says so), else a copy."""
    if not theta.flags.writeable and theta.base is None:
        return theta
    return theta.copy()


class Objective:
    """The cost J(θ) of a binary linear classifier on (X, y), with everything solvers need.

    ``loss`` is "log" (the model's loss) or, for comparison in the lab and the report,
    "mse" (½(σ(z) − y)², so J's data term is (1/2m)·Σ(ŷ − y)²) or "hinge".
    """

    def __init__(
        self,
        X: NDArray | sp.spmatrix | Design,
        y: ArrayLike,
        sample_weight: ArrayLike | None = None,
        lam: float = 0.0,
        l1_ratio: float = 0.0,
        fit_intercept: bool = True,
        loss: LossName = "log",
    ) -> None:
        self.design = X if isinstance(X, Design) else Design(X)
        self.y = np.asarray(y).ravel()
        if self.y.dtype not in (np.float32, np.float64):  # float32 0/1 labels stay as given
            self.y = self.y.astype(np.float64)
        m = self.design.n_samples
        if self.y.shape[0] != m:
            raise ValueError(f"X has {m} rows but y has {self.y.shape[0]} values.")
        # unit weights as a read-only broadcast of 1.0: no m-vector (memory ≤ 10 % of X at p = 20)
        self._unit_weights = sample_weight is None
        self.sample_weight = (
            np.broadcast_to(np.float64(1.0), (m,)) if sample_weight is None
            else np.asarray(sample_weight, dtype=np.float64)
        )
        self.penalty = ElasticNet(float(lam), float(l1_ratio), m)
        self.fit_intercept = bool(fit_intercept)
        if loss not in _POINTWISE:
            raise ValueError(f"loss must be one of {sorted(_POINTWISE)}; got {loss!r}.")
        self.loss = loss
        self._cache_theta: NDArray | None = None
        self._cache_z: NDArray | None = None
        self._terms: dict[str, object] = {}  # f, r, d of the log-loss at the cached θ
        self._pending: tuple | None = None  # (θ, terms) of the last line-search trial point
        self._scratch: NDArray | None = None  # d∘u of the Hessian-vector products, reused

    # -- shape ---------------------------------------------------------------------------
    @property
    def unit_weights(self) -> bool:
        """True when no sample weights were given (they are the broadcast 1.0, no vector)."""
        return self._unit_weights

    @property
    def n_samples(self) -> int:
        return self.design.n_samples

    @property
    def n_features(self) -> int:
        return self.design.n_features

    @property
    def n_params(self) -> int:
        return self.n_features + int(self.fit_intercept)

    @property
    def lam(self) -> float:
        return self.penalty.lam

    @property
    def l1_ratio(self) -> float:
        return self.penalty.l1_ratio

    def split(self, theta: NDArray) -> tuple[NDArray, float]:
        """θ → (w, b)."""
        theta = np.asarray(theta, dtype=np.float64)
        if self.fit_intercept:
            return theta[:-1], float(theta[-1])
        return theta, 0.0

    def join(self, w: ArrayLike, b: float = 0.0) -> NDArray:
        """(w, b) → θ."""
        w = np.asarray(w, dtype=np.float64).ravel()
        return np.append(w, b) if self.fit_intercept else w.copy()

    def initial_theta(self) -> NDArray:
        """w = 0 and b at the log-odds of the weighted base rate: the best constant model."""
        theta = np.zeros(self.n_params)
        if self.fit_intercept and self.loss == "log":
            s, y = self.sample_weight, self.y
            if self.unit_weights:  # the mean, accumulated in float64, no temporary
                rate = float(np.mean(y, dtype=np.float64))
            else:  # in chunks: float32 labels would otherwise be cast to a float64 copy first
                step = 1 << 16
                rate = math.fsum(float(np.dot(s[a:a + step], y[a:a + step]))
                                 for a in range(0, y.shape[0], step)) / float(s.sum())
            rate = min(max(rate, 1e-12), 1 - 1e-12)
            theta[-1] = np.log(rate / (1 - rate))
        return theta

    # -- evaluations ---------------------------------------------------------------------
    def scores(self, theta: NDArray) -> NDArray:
        """z = X·w + b for every example (cached for the last θ)."""
        theta = np.asarray(theta, dtype=np.float64)
        if self._is_cached(theta):
            return self._cache_z
        self._terms = {}
        self._cache_z = None  # free the old scores before the new ones exist
        w, b = self.split(theta)
        if w.any():
            z = self.design.matvec(w)
            if b:
                z += b
        else:  # w = 0 (every cold start): the scores are the intercept, no pass over X
            z = np.full(self.n_samples, b)
        self._cache_theta, self._cache_z = _held(theta), z
        return z

    def set_scores(self, theta: NDArray, z: NDArray) -> None:
        """Tell the objective z = X̃w + b at θ (a solver that updates z along its steps saves a pass)."""
        self._cache_theta = np.array(theta, dtype=np.float64, copy=True)
        self._cache_z = z
        self._terms, self._pending = {}, None

    def direction_scores(self, v: NDArray, out: NDArray | None = None) -> NDArray:
        """X̃·v_w + v_b: how the scores change per unit step along the direction v (into ``out``,
        an m-vector, when given)."""
        vw, vb = self.split(v)
        u = self.design.matvec(vw, out)
        if self.fit_intercept and vb:
            u += vb
        return u

    def scores_work(self) -> NDArray:
        """The m-vector the Hessian-vector products work in, for a solver to hold one direction's
        scores between two products (it is overwritten by the next :meth:`hessp_into`)."""
        if self._scratch is None:
            self._scratch = np.empty(self.n_samples)
        return self._scratch

    def release_work(self) -> None:
        """Drop the work m-vector until the next product needs it (a solver whose next phase
        makes no product then holds one m-vector less)."""
        self._scratch = None

    def value_along(self, theta: NDArray, z: NDArray, u: NDArray, t: float, smooth: bool = False) -> float:
        """J (or its smooth part) at a line search's trial point θ, whose scores z + t·u are never
        stored: a trial costs no m-vector. Its residual is kept for :meth:`step_scores`."""
        if self.loss != "log":
            return self.value_from_scores(theta, z + t * u, smooth)
        w, _ = self.split(theta)
        pen = self.penalty.smooth_value(w) if smooth else self.penalty.value(w)
        self._terms = {}  # the current point's r, d: recomputed from z if ever asked again
        m = self.n_samples
        pending, self._pending = self._pending, None
        r = pending[1].get("r") if pending is not None else None
        r = np.empty(m) if r is None else r  # the last trial's residual buffer, reused
        f = L.log_loss_terms(self.y, z, self.sample_weight, 1.0 / m, residual=r, direction=u, step=t)
        self._pending = (theta, {"f": f, "r": r})
        return f + pen

    def slope_along(self, theta: NDArray, z: NDArray, u: NDArray, t: float, direction: NDArray) -> float:
        """d/dt of the smooth part of J at the trial point θ (scores z + t·u) along ``direction``,
        from the residual :meth:`value_along` left: exact where J's differences are rounding."""
        pending = self._pending
        if self.loss != "log" or pending is None or pending[0] is not theta:
            return self.slope_from_scores(theta, z + t * u, direction, u)
        w, _ = self.split(theta)
        dw, _ = self.split(direction)
        return float(np.dot(pending[1]["r"], u) + self.penalty.l2 * np.dot(w, dw))

    def step_scores(self, theta: NDArray, z: NDArray, u: NDArray, t: float) -> NDArray:
        """Move to the accepted trial point θ: z += t·u in place (z, the current scores, is not
        copied) and the trial's loss terms carry over. θ becomes the objective's (read-only)
        cached point; returns the scores."""
        pending, self._pending = self._pending, None
        if t:
            _axpy(t, u, z)
        theta.flags.writeable = False  # held, not copied: a solver must not write to it now
        self._cache_theta, self._cache_z = theta, z
        self._terms = pending[1] if pending is not None and pending[0] is theta else {}
        return z

    def value_from_scores(self, theta: NDArray, z: NDArray, smooth: bool = False) -> float:
        """J(θ) (or its smooth part) given the scores z at θ: no pass over X."""
        w, _ = self.split(theta)
        pen = self.penalty.smooth_value(w) if smooth else self.penalty.value(w)
        return self._data_loss_from_scores(z) + pen

    def slope_from_scores(self, theta: NDArray, z: NDArray, direction: NDArray, u: NDArray) -> float:
        """d/dt of the smooth part of J at θ along ``direction`` (u = its scores): no pass over X.

        Exact where J's own differences drown in rounding, so line searches can still tell
        progress at the floating-point floor.
        """
        w, _ = self.split(theta)
        dw, _ = self.split(direction)
        if self.loss == "log":
            r = np.empty(self.n_samples)
            L.log_loss_terms(self.y, z, self.sample_weight, value=False, residual=r)
        else:
            _, derivative = _POINTWISE[self.loss]
            r = self.sample_weight * derivative(self.y, z)
        return float(np.dot(r, u) / self.n_samples + self.penalty.l2 * np.dot(w, dw))

    def _data_loss_from_scores(self, z: NDArray) -> float:
        if self.loss == "log":
            if z is self._cache_z:
                return float(self._log_terms(self._cache_theta, f=True)["f"])
            return L.log_loss_terms(self.y, z, self.sample_weight, 1.0 / self.n_samples)
        pointwise, _ = _POINTWISE[self.loss]
        return float(np.dot(self.sample_weight, pointwise(self.y, z)) / self.n_samples)

    def _terms_at(self, theta: NDArray) -> dict:
        """What is cached for θ (empty if θ is not the cached point)."""
        return self._terms if self._is_cached(np.asarray(theta, dtype=np.float64)) else {}

    def _is_cached(self, theta: NDArray) -> bool:
        """θ (float64) is the point whose scores and terms are cached: by identity first (the
        solver's own read-only iterate), else by value."""
        cached = self._cache_theta
        return cached is not None and (theta is cached or np.array_equal(theta, cached))

    def _log_terms(self, theta: NDArray, f: bool = False, r: bool = False, d: bool = False) -> dict:
        """The log-loss's mean value f, residual r = s∘(σ(z) − y)/m and curvature d = s∘σσ'/m
        at θ, each computed once per θ, and together in one loop (``loss.log_loss_terms``)."""
        z = self.scores(theta)
        t = self._terms
        need_f, need_r, need_d = f and "f" not in t, r and "r" not in t, d and "d" not in t
        if need_f or need_r or need_d:
            m = self.n_samples
            res = np.empty(m) if need_r else None
            curv = np.empty(m) if need_d else None
            val = L.log_loss_terms(self.y, z, self.sample_weight, 1.0 / m, value=need_f,
                                   residual=res, curvature=curv)
            if need_f:
                t["f"] = val
            if need_r:
                t["r"] = res
            if need_d:
                t["d"] = curv
        return t

    def data_loss(self, theta: NDArray) -> float:
        """(1/m)·Σ sᵢ·ℓ(yᵢ, zᵢ): the mean (weighted) loss, without the penalty."""
        if self.loss == "log":
            return float(self._log_terms(theta, f=True)["f"])
        return self._data_loss_from_scores(self.scores(theta))

    def value(self, theta: NDArray) -> float:
        """J(θ), penalty included."""
        w, _ = self.split(theta)
        return self.data_loss(theta) + self.penalty.value(w)

    def parts(self, theta: NDArray) -> ObjectiveParts:
        """J(θ) as data loss + penalty."""
        w, _ = self.split(theta)
        return ObjectiveParts(self.data_loss(theta), self.penalty.value(w))

    def smooth_value(self, theta: NDArray) -> float:
        """The differentiable part of J: data loss + the L2 part of the penalty."""
        w, _ = self.split(theta)
        return self.data_loss(theta) + self.penalty.smooth_value(w)

    def _grad_from_residual(self, r: NDArray, w: NDArray, out: NDArray | None = None) -> NDArray:
        """(X̃ᵀr + λ(1−a)/m·w, Σr): the gradient for the residual r, or H·v for r = d∘(X̃v) and
        w = v_w; written into ``out`` (θ-shaped) when given."""
        g = np.empty(self.n_params) if out is None else out
        self.design.rmatvec(r, out=g[: self.n_features])
        return self._finish_gradient(g, w, float(r.sum()) if self.fit_intercept else 0.0)

    def _finish_gradient(self, g: NDArray, w: NDArray, r_sum: float) -> NDArray:
        """g (θ-shaped, X̃ᵀr in its first p entries) completed in place: + λ(1−a)/m·w, and Σr
        for the intercept. The one place the smooth gradient's penalty and intercept are added."""
        if self.penalty.l2:
            _axpy(self.penalty.l2, w, g[: self.n_features])
        if self.fit_intercept:
            g[-1] = r_sum
        return g

    def _full_gradient(self, gw: NDArray, w: NDArray, r_sum: float) -> NDArray:
        """∇ of the smooth part from an X̃ᵀr already formed (the one-read Newton products) and Σr,
        in a new θ-vector."""
        g = np.empty(self.n_params)
        g[: self.n_features] = gw
        return self._finish_gradient(g, w, r_sum)

    def smooth_value_grad(self, theta: NDArray) -> tuple[float, NDArray]:
        """Value and gradient of the smooth part (data loss + L2):

        ∂/∂w = (1/m)·Xᵀ(s∘(ŷ − y)) + λ(1−a)/m·w,   ∂/∂b = (1/m)·Σ sᵢ(ŷᵢ − yᵢ).

        For the log-loss the gradient is the one cached for θ, read-only (copy it to edit it).
        """
        w, _ = self.split(theta)
        if self.loss == "log":
            t = self._log_terms(theta, f=True, r="g" not in self._terms_at(theta))
            f, r = float(t["f"]), t.get("r")
            if "g" not in t:  # kept per θ: a solver's last gradient is the caller's KKT check
                t["g"] = self._grad_from_residual(r, w)
                t["g"].flags.writeable = False  # returned as is (no copy): callers copy to edit
                del r
                t.pop("r", None)  # its job is done: one m-vector less while the solver works
            return f + self.penalty.smooth_value(w), t["g"]
        else:
            z = self.scores(theta)
            _, derivative = _POINTWISE[self.loss]
            r = self.sample_weight * derivative(self.y, z) / self.n_samples
            f = self._data_loss_from_scores(z)
        return f + self.penalty.smooth_value(w), self._grad_from_residual(r, w)

    def gradient(self, theta: NDArray) -> NDArray:
        """∇ of the smooth part of J (the whole gradient when l1_ratio·λ = 0)."""
        return self.smooth_value_grad(theta)[1]

    def curvature_weights(self, theta: NDArray, single: bool = False) -> NDArray:
        """dᵢ = sᵢ·σ(zᵢ)(1 − σ(zᵢ))/m: the Hessian of the data loss is X̃ᵀ·diag(d)·X̃.

        ``single``: d may be float32 (half an m-vector; for Hessian-vector products, where a
        7-digit curvature costs a truncated Newton step nothing)."""
        self._require_log_loss("the Hessian")
        if not single:
            return self._log_terms(theta, d=True)["d"]
        t = self._terms_at(theta)
        if "d" in t or "d32" in t:
            return t.get("d", t.get("d32"))
        z = self.scores(theta)
        d = np.empty(self.n_samples, dtype=np.float32)
        L.log_loss_terms(self.y, z, self.sample_weight, 1.0 / self.n_samples, value=False, curvature=d)
        self._terms["d32"] = d
        return d

    def hessian(self, theta: NDArray) -> NDArray:
        """The (p+1) × (p+1) Hessian of the smooth part, intercept last."""
        d = self.curvature_weights(theta)
        H_ww = self.design.gram(d)
        H_ww[np.diag_indices_from(H_ww)] += self.penalty.l2
        if not self.fit_intercept:
            return H_ww
        h_wb = self.design.rmatvec(d)
        H = np.empty((self.n_params, self.n_params))
        H[:-1, :-1] = H_ww
        H[:-1, -1] = H[-1, :-1] = h_wb
        H[-1, -1] = d.sum()
        return H

    def hessp(self, theta: NDArray, v: NDArray) -> NDArray:
        """Hessian-vector product H(θ)·v in two passes over X, never forming H."""
        return self.hessp_into(theta, v)

    def hessp_into(self, theta: NDArray, v: NDArray, d: NDArray | None = None,
                   out: NDArray | None = None) -> NDArray:
        """H(θ)·v into ``out`` (a new vector if None) with d(θ) given or computed; works in
        :meth:`scores_work`, so CG's products allocate nothing."""
        d = self.curvature_weights(theta) if d is None else d
        v = np.asarray(v, dtype=np.float64)
        vw, vb = self.split(v)
        du = self.design.matvec(vw, out=self.scores_work())
        if self.fit_intercept and vb:
            du += vb
        if d.dtype == du.dtype:
            np.multiply(d, du, out=du)
        else:  # in chunks: a mixed-dtype ufunc casts through a buffer of up to 64 kB
            for a in range(0, du.shape[0], _MIXED_CHUNK):
                np.multiply(du[a:a + _MIXED_CHUNK], d[a:a + _MIXED_CHUNK], out=du[a:a + _MIXED_CHUNK])
        return self._grad_from_residual(du, vw, out)

    def newton_model(self, theta: NDArray, stride: int = 1, single: bool = False,
                     value: bool = True) -> tuple[float, NDArray, NDArray]:
        """(f, ∇f, H) of the smooth part at θ with gradient and Hessian in one pass over X.

        ``stride``/``single`` sub-sample or round the Hessian only (see Design.newton_system);
        ``value=False`` skips f (returned as NaN) when the caller already has it.
        """
        self._require_log_loss("the Hessian")
        w, _ = self.split(theta)
        t = self._log_terms(theta, f=value, r=True, d=True)
        r, d = t["r"], t["d"]
        A, gw = self.design.newton_system(d, r, stride=stride, single=single)
        f = float(t["f"]) + self.penalty.smooth_value(w) if value else float("nan")
        p = self.n_features
        A[np.arange(p), np.arange(p)] += self.penalty.l2
        g = self._full_gradient(gw, w, float(r.sum()))
        t["g"] = g.copy()
        if self.fit_intercept:
            return f, g, A
        return f, g, np.ascontiguousarray(A[:p, :p])

    def advance(self, theta: NDArray, direction: NDArray, hessian: bool = True, stride: int = 1,
                single: bool = False) -> tuple[float, NDArray, NDArray | None]:
        """(f, ∇f, H or None) of the smooth part at θ + direction, in one read of X.

        The scores move in place (z += X̃·direction, block by block, see Design.advance) and each
        block's loss terms are computed while the block is in cache, so the new point's value,
        gradient and (sampled) Hessian cost one pass where scores-then-model costs two. The
        objective's cached point becomes θ + direction; a caller that rejects the step asks for
        θ's scores again (one more pass). ``stride``/``single`` as in :meth:`newton_model`.
        """
        self._require_log_loss("the Hessian")
        theta = np.asarray(theta, dtype=np.float64)
        direction = np.asarray(direction, dtype=np.float64)
        z = self.scores(theta)
        self._terms, self._pending = {}, None  # θ's terms go: their memory is reused below
        dw, db = self.split(direction)
        m = self.n_samples
        # r and d live one row block at a time (the block's products are all that need them),
        # so a step holds no m-vector beyond z: the next point's gradient is cached instead
        r_buf, d_buf = np.empty(0), np.empty(0)
        blocks: list[float] = []
        y, s = self.y, self.sample_weight

        def terms(a: int, b: int) -> tuple[NDArray, NDArray | None]:
            nonlocal r_buf, d_buf
            if r_buf.shape[0] < b - a:
                r_buf = np.empty(b - a)
                d_buf = np.empty(b - a) if hessian else d_buf
            rb = r_buf[:b - a]
            db_ = d_buf[:b - a] if hessian else None
            blocks.append(L.log_loss_terms(y[a:b], z[a:b], s[a:b], 1.0 / m, residual=rb,
                                           curvature=db_))
            return rb, db_

        A, gw, r_sum = self.design.advance(dw, db if self.fit_intercept else 0.0, z, terms,
                                    hessian=hessian, stride=stride, single=single)
        theta_new = theta + direction
        self._cache_theta, self._cache_z = theta_new, z
        f_data = math.fsum(blocks)
        self._terms = {"f": f_data}
        w, _ = self.split(theta_new)
        f = f_data + self.penalty.smooth_value(w)
        g = self._full_gradient(gw, w, r_sum)
        self._terms["g"] = g.copy()
        if A is None:
            return f, g, None
        p = self.n_features
        A[np.arange(p), np.arange(p)] += self.penalty.l2
        return f, g, (A if self.fit_intercept else np.ascontiguousarray(A[:p, :p]))

    def subsample(self, step: int) -> Objective:
        """The same J estimated on every ``step``-th example: a small problem whose solution is a
        good start for this one. X is a strided view (copied only when its layout would make
        the view slow: F order, sparse), y and the weights small copies; λ is scaled so that
        λ/m, the penalty's weight, is unchanged."""
        X = self.design.X
        Xs = X[::step]
        if not sp.issparse(Xs) and not X.flags.c_contiguous:
            Xs = np.ascontiguousarray(Xs)
        design = Design(Xs, self.design.offset, self.design.scale)
        ms = design.n_samples
        return Objective(design, self.y[::step].copy(),
                         None if self.unit_weights else self.sample_weight[::step].copy(),
                         lam=self.lam * ms / self.n_samples, l1_ratio=self.l1_ratio,
                         fit_intercept=self.fit_intercept, loss=self.loss)

    def kkt_violation(self, theta: NDArray, grad: NDArray | None = None) -> NDArray:
        """Per-parameter distance of 0 from ∂J(θ); all zero exactly at the minimum."""
        g = self.gradient(theta) if grad is None else grad
        w, _ = self.split(theta)
        gw = g[:-1] if self.fit_intercept else g
        viol = self.penalty.kkt_violation(w, gw)
        return np.append(viol, abs(g[-1])) if self.fit_intercept else viol

    def kkt_residual(self, theta: NDArray, grad: NDArray | None = None) -> float:
        """max |violation|: the gradient's ∞-norm for a smooth J, the KKT residual under L1."""
        return float(np.max(self.kkt_violation(theta, grad), initial=0.0))

    def margins(self, theta: NDArray) -> NDArray:
        """tᵢ·zᵢ with tᵢ = ±1: positive where the example is on its class's side."""
        return (2.0 * self.y - 1.0) * self.scores(theta)

    def separates(self, theta: NDArray) -> bool:
        """True when θ classifies every weighted example strictly correctly: proof of separation.

        Read in chunks, stopping at the first misclassified one: a solver asks at every step,
        and short of separation the first chunk nearly always holds a mistake."""
        z = self.scores(theta)
        for a in range(0, z.shape[0], _SEPARATION_CHUNK):
            b = a + _SEPARATION_CHUNK
            # boolean only; a NaN score is on neither side
            correct = np.where(self.y[a:b] > 0.5, z[a:b] > 0, z[a:b] < 0)
            if not self.unit_weights:
                correct |= self.sample_weight[a:b] <= 0  # an example of weight 0 does not count
            if not correct.all():
                return False
        return True

    def _require_log_loss(self, what: str) -> None:
        if self.loss != "log":
            raise ValueError(f"{what} is only available for the log-loss, not {self.loss!r}.")

    # -- documentation ------------------------------------------------------------------
    def formula(self) -> str:
        """The objective this instance minimizes, in words and symbols."""
        data = {
            "log": "(1/m)·Σ sᵢ·[−yᵢ log σ(zᵢ) − (1−yᵢ) log(1−σ(zᵢ))]",
            "mse": "(1/m)·Σ sᵢ·½(σ(zᵢ) − yᵢ)²",
            "hinge": "(1/m)·Σ sᵢ·max(0, 1 − tᵢ·zᵢ)",
        }[self.loss]
        z = "zᵢ = w·xᵢ + b" if self.fit_intercept else "zᵢ = w·xᵢ"
        return (
            f"J(w, b) = {data} + (λ/m)·(a·‖w‖₁ + (1−a)/2·‖w‖²), {z}, "
            f"λ = {self.lam:g}, a = {self.l1_ratio:g}, m = {self.n_samples}"
            + ("" if not self.fit_intercept else "; the intercept b is not penalized")
        )

    def describe(self, theta: NDArray) -> dict[str, float | str]:
        """The objective at θ: formula, its parts, and λ in the conventions of other libraries."""
        parts = self.parts(theta)
        return {
            "formula": self.formula(),
            "data_loss": parts.data_loss,
            "penalty": parts.penalty,
            "J": parts.total,
            "lam": self.lam,
            "l1_ratio": self.l1_ratio,
            "n_samples": self.n_samples,
            "sklearn_C": lam_to_C(self.lam),
            "glmnet_alpha": lam_to_alpha(self.lam, self.n_samples),
            "kkt_residual": self.kkt_residual(theta),
        }


def predicted_probability(z: NDArray) -> NDArray:
    """ŷ = σ(z): probabilities are an output, computed last."""
    return expit(z)
