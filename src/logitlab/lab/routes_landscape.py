"""The lab's routes over many θ: the cost landscape (with MSE's plateaus and local minima) and
the regularization path with its cross-validation curve."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
from fastapi import APIRouter
from numpy.typing import NDArray

from ..objective import Objective
from ..solvers import gradient_descent, lbfgs
from .common import LIMITS, LabInputError, LandscapeRequest, PathRequest, Prepared, clean, quiet, solve

router = APIRouter(prefix="/api")


@router.post("/landscape")
def landscape(req: LandscapeRequest) -> dict[str, Any]:
    """J over a grid of two parameters: (w, b) for one feature, (w₁, w₂) at the current b for two;
    for MSE also its plateaus and the local minima found."""
    prep = Prepared(req)
    theta = prep.theta(req.theta, "theta")
    include = [prep.theta(t, "include") for t in req.include]
    axes = [0, 1]
    names = ["w", "b"] if prep.p == 1 else ["w₁", "w₂"]
    optimum = None
    with quiet():
        warnings.simplefilter("ignore")
        if "log" in req.losses or req.x_range is None or req.y_range is None:
            opt = solve(prep.make_objective("log"), None)
            if np.all(np.isfinite(opt.theta)) and opt.status != "separated":
                optimum = {"theta": opt.theta, "J": prep.make_objective("log").value(opt.theta),
                           "status": opt.status}
    if req.x_range is not None and req.y_range is not None:
        xr = (req.x_range.lo, req.x_range.hi)
        yr = (req.y_range.lo, req.y_range.hi)
        if not xr[1] > xr[0]:
            raise LabInputError("x_range", "hi must be greater than lo.")
        if not yr[1] > yr[0]:
            raise LabInputError("y_range", "hi must be greater than lo.")
    else:
        pts = [theta] + include + ([optimum["theta"]] if optimum else [])
        xr, yr = _auto_ranges(prep, np.array([[t[axes[0]], t[axes[1]]] for t in pts]))
    gx = np.linspace(xr[0], xr[1], req.n)
    gy = np.linspace(yr[0], yr[1], req.n)
    surfaces: dict[str, Any] = {}
    for loss in dict.fromkeys(req.losses):
        obj = prep.make_objective(loss)
        Z = np.empty((req.n, req.n))
        G = np.empty((req.n, req.n)) if (loss == "mse" and req.find_minima) else None
        t = theta.copy()
        with quiet():
            warnings.simplefilter("ignore")
            for i, v in enumerate(gy):
                for j, u in enumerate(gx):
                    t[axes[0]], t[axes[1]] = u, v
                    if G is None:
                        Z[i, j] = obj.value(t)
                    else:
                        f, g = obj.smooth_value_grad(t)
                        Z[i, j] = obj.value(t)
                        G[i, j] = np.linalg.norm(g[axes])
        entry: dict[str, Any] = {"z": Z, "min": float(Z.min()), "max": float(Z.max())}
        if loss == "mse" and req.find_minima:
            entry.update(_mse_features(prep, obj, theta, gx, gy, Z, G, axes))
        surfaces[loss] = entry
    return clean({
        "axes": names, "fixed": None if prep.p == 1 else {"name": "b", "value": float(theta[2])},
        "x": gx, "y": gy, "x_range": list(xr), "y_range": list(yr),
        "surfaces": surfaces, "optimum": optimum,
    })


def _auto_ranges(prep: Prepared, pts: NDArray) -> tuple[tuple[float, float], tuple[float, float]]:
    """A frame around the given parameter points, wide enough to show the bowl's shape."""
    Xd = prep.X if prep.scale is None else (prep.X - prep.offset) / prep.scale
    hints = [1.0 / max(float(Xd[:, j].std()), 1e-12) for j in range(prep.p)] + [1.0]
    hint = hints[:2] if prep.p == 2 else [hints[0], hints[1]]
    out = []
    for k in range(2):
        lo, hi = float(pts[:, k].min()), float(pts[:, k].max())
        span = max(hi - lo, 2.0 * hint[k], 0.2 * max(abs(lo), abs(hi)))
        mid = 0.5 * (lo + hi)
        half = 0.5 * span * 1.6
        out.append((mid - half, mid + half))
    return out[0], out[1]


def _mse_features(prep, obj, theta, gx, gy, Z, G, axes) -> dict[str, Any]:
    """Plateaus (flat but high: |∇J| tiny while J is far above its minimum) and local minima
    (grid cells lower than their 8 neighbours, refined by L-BFGS on the same MSE objective)."""
    zmin, zmax = float(Z.min()), float(Z.max())
    gmax = float(G.max()) if G.size else 0.0
    high = Z > zmin + 0.25 * (zmax - zmin)
    flat = G < 0.03 * gmax
    pi, pj = np.nonzero(high & flat)
    plateau = {"x": gx[pj], "y": gy[pi], "fraction": float(np.mean(high & flat))}
    cands = []
    n = Z.shape[0]
    for i in range(1, n - 1):
        for j in range(1, n - 1):
            block = Z[i - 1:i + 2, j - 1:j + 2]
            if Z[i, j] <= block.min():
                cands.append((Z[i, j], i, j))
    cands.sort()
    minima: list[dict[str, Any]] = []
    xspan, yspan = gx[-1] - gx[0], gy[-1] - gy[0]
    for _, i, j in cands[: LIMITS["max_local_minima_starts"]]:
        start = theta.copy()
        start[axes[0]], start[axes[1]] = gx[j], gy[i]
        if prep.p == 2:  # minimize in the slice's two coordinates only: b is held fixed
            res = _slice_minimize(obj, start, axes)
        else:
            res = lbfgs(obj, start, 1e-8, 500) if obj.penalty.l1 == 0 else \
                gradient_descent(obj, start, 0.5, 1e-8, 2000)
        th = res.theta if not isinstance(res, np.ndarray) else res
        u, v = th[axes[0]], th[axes[1]]
        if not (gx[0] <= u <= gx[-1] and gy[0] <= v <= gy[-1]):
            continue
        if any(abs(u - m["x"]) < 0.02 * xspan and abs(v - m["y"]) < 0.02 * yspan for m in minima):
            continue
        minima.append({"x": u, "y": v, "J": obj.value(th)})
    minima.sort(key=lambda m: m["J"])
    for k, m in enumerate(minima):
        m["kind"] = "lowest found" if k == 0 else "local minimum"
    return {"plateau": plateau, "minima": minima}


def _slice_minimize(obj: Objective, start: NDArray, axes: list[int]) -> NDArray:
    """Minimize J over two coordinates with the rest fixed (SciPy L-BFGS on Objective's J, ∇J)."""
    import scipy.optimize as opt

    def fg(u: NDArray) -> tuple[float, NDArray]:
        t = start.copy()
        t[axes] = u
        f, g = obj.smooth_value_grad(t)
        return f, g[axes]

    res = opt.minimize(fg, start[axes], jac=True, method="L-BFGS-B", options={"maxiter": 500})
    t = start.copy()
    t[axes] = res.x
    return t



@router.post("/path")
def path(req: PathRequest) -> dict[str, Any]:
    """The regularization path (weights against λ) and the k-fold CV log-loss curve over the
    same grid, with the best and 1-SE λ, both from logitlab's path and LogisticRegressionCV."""
    from ..cv import LogisticRegressionCV
    from ..path import regularization_path

    prep = Prepared(req)
    n1 = int(prep.y.sum())
    n0 = int(prep.y.size) - n1
    if min(n0, n1) == 0:
        raise LabInputError("y", "the path and cross-validation need both classes in y.")
    if min(n0, n1) < req.folds:
        raise LabInputError("folds", f"{req.folds} stratified folds need at least {req.folds} "
                            f"examples of each class; y has {n1} of class 1 and {n0} of class 0. "
                            "Use fewer folds or add points.")
    # screening=False: with at most two features the strong rule saves nothing, and on data
    # where it keeps no feature the screened path failed (issue 19, item 4)
    with quiet():
        warnings.simplefilter("ignore")
        rp = regularization_path(prep.X, prep.y, l1_ratio=req.l1_ratio, n_lams=req.n_lams,
                                 sample_weight=prep.sample_weight, standardize=req.standardize,
                                 screening=False)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            cv = LogisticRegressionCV(
                lams=rp.lams, l1_ratio=req.l1_ratio, cv=req.folds, scoring="log_loss",
                refit=False, standardize=req.standardize, random_state=req.seed, screening=False,
                class_weight="balanced" if req.class_weight == "balanced" else None,
            ).fit(prep.X, prep.y)
    names = list(req.features[: prep.p]) + [f"x{j + 1}" for j in range(len(req.features), prep.p)]
    notes = [str(w.message) for w in caught if "best λ is the smallest" in str(w.message)]
    if req.loss != "log":
        notes.append("the path and CV always use the log-loss (the lab's MSE loss is for contrast only).")
    return clean({
        "lams": rp.lams, "lam_max": rp.lam_max, "l1_ratio": rp.l1_ratio,
        "features": names, "coefs": rp.coefs.T, "intercepts": rp.intercepts,
        "n_nonzero": rp.n_nonzero,
        "cv_mean": cv.cv_mean_, "cv_std": cv.cv_std_,
        "cv_se": cv.cv_se_, "folds": cv.n_folds_, "seed": req.seed,
        "lam_best": cv.lam_best_, "lam_1se": cv.lam_1se_,
        "best_index": cv.best_index_, "index_1se": cv.index_1se_,
        "lam_current": req.lam, "scoring": "log_loss", "notes": notes,
    })


