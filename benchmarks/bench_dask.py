"""logitlab beside dask-ml's LogisticRegression: same data, same LocalCluster, same objective.

    python benchmarks/bench_dask.py --rows 1_000_000 --features 20 --lam 1.0 --save

The objective. dask-ml (dask_glm underneath) minimizes  Σᵢ ℓ(yᵢ, xᵢ·β) + (1/C)·‖β‖²/2  over
*every* coefficient, the intercept included (``add_intercept`` appends a column of ones, and
the L2 regularizer sums β² over all of β), after standardizing X itself (``normalize=True``).
logitlab minimizes  J = (1/m)·Σᵢ ℓ(yᵢ, x̃ᵢ·w + b) + λ/(2m)·‖w‖²  with the intercept free. To
compare on one function, the data are standardized once here (exact column means / standard
deviations), a column of ones is appended, and both fit *without* an intercept of their own
(dask-ml with ``normalize=False``): then dask-ml's objective is m·J with λ = 1/C, exactly.

Every solution — logitlab's and dask-ml's — is scored by the same code, logitlab's
chunk-summed J over the Dask partitions; J* is the best value found, and the suboptimality
is (J − J*)/J*. "logitlab s to this J" is the time logitlab's run first reached a J at least
as low as the dask-ml run's (from its per-iteration timestamps).
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

import numpy as np


def make_data(rows: int, p: int, chunk: int, seed: int = 0):
    """Standardized X with a ones column, and 0/1 y, generated and kept on the workers."""
    import dask
    import dask.array as da

    rs = da.random.RandomState(seed)
    w = np.random.default_rng(seed).normal(size=p) / np.sqrt(p)
    X = rs.normal(size=(rows, p), chunks=(chunk, p)) * np.linspace(0.5, 3.0, p) + 0.2
    noise = rs.logistic(size=rows, chunks=chunk)
    y = ((X @ w + 0.3 + noise) > 0).astype(np.float64)
    X, y = dask.persist(X, y)
    mean, std = dask.compute(X.mean(axis=0), X.std(axis=0))
    Xs = (X - mean) / std
    X1 = da.concatenate([Xs, da.ones((rows, 1), chunks=(chunk, 1))], axis=1).rechunk((chunk, p + 1))
    X1, y = dask.persist(X1, y)
    dask.compute(X1.sum(), y.sum())  # materialized before any timing
    return X1, y


def run_logitlab(X1, y, lam: float, solver: str, tol: float) -> dict:
    """Fit with per-iteration timestamps."""
    from logitlab import LogisticRegression

    trace: list[tuple[float, float]] = []
    t0 = time.perf_counter()
    est = LogisticRegression(lam=lam, solver=solver, tol=tol, fit_intercept=False,
                             standardize=False, max_iter=1000)
    est.fit(X1, y, callback=lambda it, theta, J: trace.append((time.perf_counter() - t0, float(J))))
    secs = time.perf_counter() - t0
    return {"library": "logitlab", "solver": solver, "settings": f"tol={tol:g}", "seconds": secs,
            "beta": est.coef_.ravel(), "n_iter": int(est.n_iter_[0]), "status": est.status_,
            "passes": float(est.objective_["n_passes"]), "trace": trace}


def run_daskml(X1, y, lam: float, solver: str, **kw) -> dict:
    """dask-ml's LogisticRegression on the same arrays (no intercept, no normalization)."""
    from dask_ml.linear_model import LogisticRegression

    est = LogisticRegression(penalty="l2", C=1.0 / lam, solver=solver, fit_intercept=False,
                             solver_kwargs={"normalize": False, **kw.pop("solver_kwargs", {})}, **kw)
    t0 = time.perf_counter()
    est.fit(X1, y)
    secs = time.perf_counter() - t0
    settings = ", ".join(f"{k}={v}" for k, v in kw.items()) or "defaults"
    return {"library": "dask-ml", "solver": solver, "settings": settings, "seconds": secs,
            "beta": np.asarray(est.coef_).ravel()}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--features", type=int, default=20)
    ap.add_argument("--chunk-rows", type=int, default=100_000)
    ap.add_argument("--lam", type=float, default=1.0)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--long-iter", type=int, default=500, help="max_iter of the long proximal_grad run")
    ap.add_argument("--save", action="store_true", help="write benchmarks/results/dask.{json,md}")
    ap.add_argument("--render", type=Path, help="only print the table of a saved dask.json")
    args = ap.parse_args()
    if args.render:
        doc = json.loads(args.render.read_text())
        return print(render(doc["info"], doc["runs"]))

    import distributed

    from logitlab.distributed import DaskSource
    from logitlab.outofcore import ChunkedObjective

    cluster = distributed.LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True,
                                       dashboard_address=None)
    client = distributed.Client(cluster)
    try:
        X1, y = make_data(args.rows, args.features, args.chunk_rows)
        src = DaskSource(X1, y, persist=False)
        src.scan()
        src.classes, src.n_samples = np.array([0.0, 1.0]), args.rows
        objective = ChunkedObjective(src, lam=args.lam, fit_intercept=False)

        plan = [
            lambda: run_logitlab(X1, y, args.lam, "newton-cholesky", 1e-10),
            lambda: run_logitlab(X1, y, args.lam, "lbfgs", 1e-10),
            lambda: run_daskml(X1, y, args.lam, "lbfgs"),
            lambda: run_daskml(X1, y, args.lam, "lbfgs", tol=1e-10, max_iter=500),
            lambda: run_daskml(X1, y, args.lam, "admm"),
            lambda: run_daskml(X1, y, args.lam, "proximal_grad"),
            lambda: run_daskml(X1, y, args.lam, "proximal_grad", tol=1e-14, max_iter=args.long_iter),
        ]
        runs = []
        for job in plan:
            r = job()
            r["J"] = objective.value(r["beta"])  # one implementation scores every solution
            print(f"{r['library']} {r['solver']} ({r['settings']}): {r['seconds']:.2f} s, "
                  f"J = {r['J']:.15g}", flush=True)
            runs.append(r)
        info = {"rows": args.rows, "features": args.features, "chunk_rows": args.chunk_rows,
                "lam": args.lam, "C": 1.0 / args.lam, "workers": args.workers,
                "threads_per_worker": 1, "load_avg": os.getloadavg()[0], "cpus": os.cpu_count()}
    finally:
        client.close()
        cluster.close()

    runs = [{k: (v.tolist() if isinstance(v, np.ndarray) else v) for k, v in r.items()} for r in runs]
    text = render(info, runs)
    print(text)
    if args.save:
        out = Path(__file__).parent / "results"
        (out / "dask.json").write_text(json.dumps({"info": info, "runs": runs}, indent=1) + "\n")
        (out / "dask.md").write_text(text)


#: two J values within this relative distance are "the same objective value" (summation noise)
SAME_J = 1e-12


def render(info: dict, runs: list[dict]) -> str:
    """The markdown table: J, suboptimality, and logitlab's time to each run's J."""
    J_star = min(r["J"] for r in runs)
    fast = {r["solver"]: r for r in runs if r["library"] == "logitlab"}
    cell = (lambda v: "—" if v is None else f"{v:.2f}")  # noqa: E731
    lines = [
        f"# logitlab vs dask-ml on a {info['workers']}-process LocalCluster",
        "",
        f"{info['rows']:,} rows × {info['features']} features (+ a ones column), "
        f"{info['rows'] // info['chunk_rows']} chunks, λ = {info['lam']:g} (dask-ml C = {info['C']:g}); "
        f"J* = {J_star:.15g} (the best J found); machine: {info['cpus']} cores, 1-min load average "
        f"{info['load_avg']:.1f} at the end (shared with other jobs). \"s to this J\": when logitlab's "
        f"run first reached J ≤ (this J)·(1 + {SAME_J:g}).",
        "",
        "| library | solver | settings | seconds | J | (J − J*)/J* | logitlab newton-cholesky s to this J "
        "| logitlab lbfgs s to this J |",
        "|---|---|---|---:|---:|---:|---:|---:|",
    ]
    for r in runs:
        to = {s: next((t for t, J in f["trace"] if J <= r["J"] * (1 + SAME_J)), None)
              for s, f in fast.items()}
        extra = f", {r['n_iter']} it., {r['passes']:.0f} passes" if r["library"] == "logitlab" else ""
        lines.append(f"| {r['library']} | {r['solver']} | {r['settings']}{extra} | {r['seconds']:.2f} | "
                     f"{r['J']:.12g} | {(r['J'] - J_star) / J_star:.2e} | {cell(to.get('newton-cholesky'))} | "
                     f"{cell(to.get('lbfgs'))} |")
    lines += [
        "",
        "One objective for both: dask-ml minimizes Σᵢ ℓ(yᵢ, xᵢ·β) + (1/C)·‖β‖²/2 over every coefficient, "
        "its intercept included, after standardizing X itself. Here X is standardized once, a ones column "
        "is appended, and both libraries fit without an intercept of their own (dask-ml with "
        "`normalize=False`). dask-ml's objective is then m·J with λ = 1/C. The same logitlab code "
        "(a chunk-summed J over the Dask partitions) computes J for every solution. The logitlab times "
        "include its scan pass.",
        "",
        f"Reproduce: `python benchmarks/bench_dask.py --rows {info['rows']} --features {info['features']} "
        f"--chunk-rows {info['chunk_rows']} --lam {info['lam']:g} --save`",
    ]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
