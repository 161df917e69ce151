"""Solver adapters: logitlab's solvers and the peers', each fitting the same J.

Every adapter maps logitlab's J(w, b) = (1/m)Σℓ + (λ/m)(a‖w‖₁ + (1−a)/2‖w‖²) to the peer's
parametrization (scikit-learn: C = 1/λ; glum, skglm: alpha = λ/m; statsmodels: λ = 0 only),
runs it at one of its own tolerances, and returns θ = (w, b).

Each peer runs as its documentation recommends (see the README's "peer choices"): glum's
IRLS-CD and skglm get X column-major (CSC, or Fortran order when dense), converted once per
problem outside the clock (``Problem.column_major``); scikit-learn gets X as stored (C order or
CSR, what its docs ask for). liblinear penalizes its intercept like a weight: it runs on L1
problems with ``intercept_scaling`` = ``LIBLINEAR_INTERCEPT_SCALING``, which makes that penalty
(λ/m)·|b|/scaling negligible; the benchmark scores its (w, b) on J like every other solver's.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from .problems import Problem

__all__ = ["Adapter", "adapters_for"]


@dataclass
class Adapter:
    """A named solver: ``fit(problem, tol) -> θ`` and the tolerances to sweep (loose → tight)."""

    name: str
    library: str
    fit: Callable[[Problem, float], NDArray]
    tols: list[float]

    @property
    def is_logitlab(self) -> bool:
        return self.library == "logitlab"


def _theta(coef, intercept) -> NDArray:
    return np.append(np.asarray(coef, dtype=np.float64).ravel(), float(np.ravel(intercept)[0]))


# -- logitlab --------------------------------------------------------------------------------
def _logitlab(solver: str):
    def fit(P: Problem, tol: float) -> NDArray:
        from logitlab import LogisticRegression

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model = LogisticRegression(lam=P.lam, l1_ratio=P.l1_ratio, solver=solver, tol=tol,
                                       max_iter=10_000 if solver == "lbfgs" else None)
            model.fit(P.X, P.y, P.sample_weight)
        return _theta(model.coef_, model.intercept_)

    return fit


_LL_TOLS = [1e-3, 1e-4, 1e-5, 1e-6, 1e-7, 1e-8]


def _iteration_cap(P: Problem, key: str, default: int) -> int:
    """max_iter for a solver whose single fit can run away (sag, saga, liblinear): the
    iterations that fit in the per-solver budget (``P.info["seconds_cap"]``, set by the run) at
    the seconds per iteration of its previous fit on this problem. saga's L1 fit of issue 20's
    text problem took 121 s at 1e-6 at the quick scale (2.4 s at 1e-5) against a 10 s budget."""
    per = P.info.get("seconds_per_iter", {}).get(key)
    cap = P.info.get("seconds_cap")
    return default if not (per and cap) else int(max(10, min(default, cap / per)))


def _note_iterations(P: Problem, key: str, seconds: float, n_iter) -> None:
    P.info.setdefault("seconds_per_iter", {})[key] = seconds / max(1, int(np.max(n_iter)))


_RUNAWAY = {"sag", "saga"}  # stochastic solvers whose tight fits may take minutes


# -- scikit-learn ----------------------------------------------------------------------------
def _sklearn(solver: str):
    def fit(P: Problem, tol: float) -> NDArray:
        from sklearn.linear_model import LogisticRegression

        C = np.inf if P.lam == 0 else 1.0 / P.lam
        max_iter = _iteration_cap(P, solver, 100_000) if solver in _RUNAWAY else 100_000
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model = LogisticRegression(C=C, l1_ratio=P.l1_ratio if P.lam > 0 else 0.0, solver=solver,
                                       tol=tol, max_iter=max_iter)
            t = time.perf_counter()
            model.fit(P.X, P.y, sample_weight=P.sample_weight)
            _note_iterations(P, solver, time.perf_counter() - t, model.n_iter_)
        return _theta(model.coef_, model.intercept_)

    return fit


# liblinear's intercept is the weight of a synthetic feature of value ``intercept_scaling``, and that
# weight is L1-penalized: the intercept b pays (λ/m)·|b|/scaling. At the default scaling 1 the
# optimum moved by 5.7e-5 relative in J (issue 20's text problem at 20k × 10k), at 100 by
# 1.3e-7, at 1000 by 1.3e-9 (its fits as fast: 0.6 s to 5e-8 against 0.5 s to 2e-7 at 100),
# at 10⁴ by 1.6e-11 but its tight fits took 13–33 s instead of 0.5–2 s.
LIBLINEAR_INTERCEPT_SCALING = 1000.0


def _liblinear(P: Problem, tol: float) -> NDArray:
    from sklearn.linear_model import LogisticRegression

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = LogisticRegression(C=1.0 / P.lam, l1_ratio=1.0, solver="liblinear", tol=tol,
                                   max_iter=_iteration_cap(P, "liblinear", 1000),
                                   intercept_scaling=LIBLINEAR_INTERCEPT_SCALING, random_state=0)
        t = time.perf_counter()
        model.fit(P.X, P.y, sample_weight=P.sample_weight)
        _note_iterations(P, "liblinear", time.perf_counter() - t, model.n_iter_)
    return _theta(model.coef_, model.intercept_)


# -- glum ------------------------------------------------------------------------------------
def _glum(solver: str):
    def fit(P: Problem, tol: float) -> NDArray:
        from glum import GeneralizedLinearRegressor

        sw = np.ones(P.X.shape[0]) if P.sample_weight is None else P.sample_weight
        alpha = P.lam / sw.sum()  # glum divides the loss by Σs, logitlab by m
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model = GeneralizedLinearRegressor(
                family="binomial", alpha=alpha, l1_ratio=P.l1_ratio, solver=solver,
                gradient_tol=tol, max_iter=1000, fit_intercept=True, copy_X=False,
            )
            # IRLS-CD: CSC or Fortran order, as glum's docs ask (else it copies X in fit)
            model.fit(P.column_major() if solver == "irls-cd" else P.X, P.y, sample_weight=P.sample_weight)
        return _theta(model.coef_, model.intercept_)

    return fit


# -- skglm -----------------------------------------------------------------------------------
def _skglm(solver: str):
    def fit(P: Problem, tol: float) -> NDArray:
        from skglm import GeneralizedLinearEstimator
        from skglm.datafits import Logistic
        from skglm.penalties import L1, L1_plus_L2
        from skglm.solvers import ProxNewton

        m = P.X.shape[0]
        alpha = P.lam / m
        # L2 as L1_plus_L2 with l1_ratio = 0: skglm's ProxNewton needs a prox, which L2 lacks
        pen = L1(alpha) if P.l1_ratio == 1 else L1_plus_L2(alpha, P.l1_ratio)
        if solver == "ProxNewton":
            sol = ProxNewton(tol=tol, max_iter=200, fit_intercept=True)
        else:
            raise ValueError(f"unknown skglm solver {solver!r}")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model = GeneralizedLinearEstimator(Logistic(), pen, sol)
            model.fit(P.column_major(), 2 * P.y - 1)  # skglm works on CSC / Fortran order
        intercept = getattr(model, "intercept_", 0.0)
        return _theta(model.coef_, intercept)

    return fit


def _skglm_estimator(P: Problem, tol: float) -> NDArray:
    """skglm's own ``SparseLogisticRegression``, the estimator skglm users call (its ProxNewton
    with skglm's defaults), at alpha = λ/m and one of its tolerances."""
    from skglm import SparseLogisticRegression

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = SparseLogisticRegression(alpha=P.lam / P.X.shape[0], l1_ratio=P.l1_ratio, tol=tol)
        model.fit(P.column_major(), P.y)
    return _theta(model.coef_, model.intercept_)


# -- statsmodels -----------------------------------------------------------------------------
def _statsmodels(method: str):
    def fit(P: Problem, tol: float) -> NDArray:
        import statsmodels.api as sm

        X = np.column_stack([P.X, np.ones(P.X.shape[0])])  # statsmodels needs the constant column
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res = sm.Logit(P.y, X).fit(method=method, disp=0, maxiter=1000,
                                       **({"tol": tol} if method == "newton" else {"gtol": tol}))
        return np.asarray(res.params, dtype=np.float64)

    return fit


# glum's IRLS-CD on sparse L1 text: 22–107 s a fit at 20,000 × 10,000 (issue 20's text problem
# and its neighbours at the quick scale; one fit, its loosest, already 3–10× the 10 s budget),
# 6–8 s at 20,000 × 4,000; at 50,000 columns one fit would outlast the whole per-solver budget
GLUM_MAX_SPARSE_L1_COLUMNS = 5_000


def adapters_for(P: Problem, include: set[str] | None = None) -> list[Adapter]:
    """Every applicable solver for this problem (logitlab's first, "auto" as the default)."""
    kind, sparse = P.kind, P.is_sparse
    skipped: list[tuple[str, str]] = []
    smooth = kind in ("l2", "unpenalized")
    out: list[Adapter] = [Adapter("logitlab auto", "logitlab", _logitlab("auto"), _LL_TOLS)]
    if smooth:
        if not sparse or P.X.shape[1] <= 2000:
            out.append(Adapter("logitlab newton-cholesky", "logitlab", _logitlab("newton-cholesky"), _LL_TOLS))
        out.append(Adapter("logitlab newton-cg", "logitlab", _logitlab("newton-cg"), _LL_TOLS))
        out.append(Adapter("logitlab lbfgs", "logitlab", _logitlab("lbfgs"), _LL_TOLS))
    out.append(Adapter("logitlab cd", "logitlab", _logitlab("cd"), _LL_TOLS))
    sk_tols = [1e-2, 1e-3, 1e-4, 1e-5, 1e-6, 1e-8]
    if smooth:
        sk = ["lbfgs", "newton-cg", "sag", "saga"]
        if not sparse or P.X.shape[1] <= 2000:
            sk.insert(2, "newton-cholesky")
    else:
        sk = ["saga"]
    out += [Adapter(f"sklearn {s}", "scikit-learn", _sklearn(s), sk_tols) for s in sk]
    if kind == "l1":
        out.append(Adapter("sklearn liblinear", "scikit-learn", _liblinear, sk_tols))
    else:
        skipped.append(("sklearn liblinear", "L1 problems only (its L2 solvers and elastic net differ)"))
    glum_tols = [1e-3, 1e-4, 1e-5, 1e-6, 1e-7, 1e-8]
    gl = ["irls-cd"] if not smooth else ["irls-cd", "irls-ls", "lbfgs"]
    if sparse and smooth:
        gl = ["irls-cd", "lbfgs"]  # irls-ls forms a dense p × p Hessian
    if sparse and P.X.shape[1] > (GLUM_MAX_SPARSE_L1_COLUMNS if not smooth else 2000):
        gl = []
        skipped.append(("glum", "forms a dense p × p Hessian (IRLS) on wide sparse X" if smooth else
                        f"IRLS-CD took 22–107 s a fit on 20,000 × 10,000 text; not run beyond "
                        f"{GLUM_MAX_SPARSE_L1_COLUMNS:,} columns"))
    out += [Adapter(f"glum {s}", "glum", _glum(s), glum_tols) for s in gl]
    sg_tols = [1e-2, 1e-3, 1e-4, 1e-5, 1e-6, 1e-8]
    if kind in ("l1", "enet", "l2"):
        out.append(Adapter("skglm ProxNewton", "skglm", _skglm("ProxNewton"), sg_tols))
    if kind in ("l1", "enet"):
        out.append(Adapter("skglm SparseLogisticRegression", "skglm", _skglm_estimator, sg_tols))
    if kind == "unpenalized" and not sparse:
        out.append(Adapter("statsmodels newton", "statsmodels", _statsmodels("newton"), [1e-4, 1e-6, 1e-8, 1e-10]))
        out.append(Adapter("statsmodels lbfgs", "statsmodels", _statsmodels("lbfgs"), [1e-4, 1e-6, 1e-8]))
    if include:
        out = [a for a in out if a.name in include or a.library in include or a.name == "logitlab auto"]
    P.info["skipped"] = skipped
    return out
