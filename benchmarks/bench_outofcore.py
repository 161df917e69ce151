"""Out-of-core benchmark: train on a Parquet file several times larger than the memory allowed.

    python benchmarks/bench_outofcore.py --rows 10_000_000 --features 20 --limit-gib 1.0

Writes the data once (seeded; row groups of 250k rows), then fits in a child process whose
address space is capped with RLIMIT_AS (``--limit-gib``) and reports rows/s (rows read per
second over all passes), passes, wall time and the child's peak RSS (ru_maxrss). With
``--verify`` the parent also fits in memory (no cap) and prints the differences. ``--save``
appends the run to benchmarks/results/outofcore.json.

RLIMIT_AS caps the *address space*, which is stricter than RSS: the child therefore runs with
one BLAS thread, two malloc arenas, chunk-sized arrays mmapped (so freed chunks go back to
the system) and Arrow's system allocator (jemalloc alone reserves ~1.3 GiB of address space
it never touches).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np


def write_data(path: Path, rows: int, p: int, seed: int = 0, group: int = 250_000) -> None:
    """A seeded logistic problem, written in row groups so writing needs little memory."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    rng = np.random.default_rng(seed)
    w = rng.normal(size=p) / np.sqrt(p)
    names = [f"x{j}" for j in range(p)]
    schema = pa.schema([(n, pa.float64()) for n in names] + [("y", pa.int8())])
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    with pq.ParquetWriter(tmp, schema) as writer:
        for start in range(0, rows, group):
            n = min(group, rows - start)
            X = rng.normal(size=(n, p))
            y = (X @ w + 0.3 + rng.logistic(size=n) > 0).astype(np.int8)
            cols = [pa.array(X[:, j]) for j in range(p)] + [pa.array(y)]
            writer.write_table(pa.Table.from_arrays(cols, schema=schema))
    os.replace(tmp, path)


def _vm_peak_mib() -> float:
    """Peak virtual address space (what RLIMIT_AS caps), from /proc (Linux)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmPeak:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def child(args: argparse.Namespace) -> None:
    """Fit under the memory cap; print one JSON line."""
    if args.limit_gib:
        cap = int(args.limit_gib * 2**30)
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    from logitlab import LogisticRegression
    from logitlab.outofcore import FileSource

    src = FileSource(args.data, "y", batch_rows=args.batch_rows, progress=args.progress)
    t0 = time.perf_counter()
    est = LogisticRegression(lam=args.lam, solver=args.solver, tol=args.tol).fit(src)
    secs = time.perf_counter() - t0
    passes = est.objective_["n_passes"] + 1  # + the scan pass (m, classes, means)
    print(json.dumps({
        "rows": est.objective_["n_samples"], "solver": est.solver_, "status": est.status_,
        "n_iter": int(est.n_iter_[0]), "passes": passes, "seconds": secs,
        "rows_per_s": passes * est.objective_["n_samples"] / secs,
        "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "peak_address_space_mib": _vm_peak_mib(),
        "J": est.objective_["J"], "kkt": est.objective_["kkt_residual"],
        "coef": est.coef_.ravel().tolist(), "intercept": float(est.intercept_[0]),
    }))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=10_000_000)
    ap.add_argument("--features", type=int, default=20)
    ap.add_argument("--data", type=Path, default=None)
    ap.add_argument("--batch-rows", type=int, default=262_144)
    ap.add_argument("--limit-gib", type=float, default=1.0)
    ap.add_argument("--solver", default="newton-cholesky")
    ap.add_argument("--lam", type=float, default=1.0)
    ap.add_argument("--tol", type=float, default=1e-8)
    ap.add_argument("--progress", action="store_true")
    ap.add_argument("--verify", action="store_true", help="also fit in memory and compare")
    ap.add_argument("--verify-tol", type=float, default=1e-10, help="tol of the in-memory reference fit")
    ap.add_argument("--verify-solver", default="lbfgs",
                    help="solver of the in-memory reference fit")
    ap.add_argument("--save", action="store_true", help="append to benchmarks/results/outofcore.json")
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.data is None:
        args.data = Path("/tmp/logitlab-bench") / f"ooc_{args.rows}x{args.features}.parquet"
    if args.child:
        return child(args)
    if not args.data.exists():
        t = time.perf_counter()
        write_data(args.data, args.rows, args.features)
        print(f"wrote {args.data} in {time.perf_counter() - t:.1f} s")
    size = args.data.stat().st_size
    dense = args.rows * args.features * 8
    print(f"file {size / 2**30:.2f} GiB on disk, {dense / 2**30:.2f} GiB as float64 in memory; "
          f"cap {args.limit_gib:g} GiB (RLIMIT_AS)")
    cmd = [sys.executable, __file__, "--child", "--data", str(args.data), "--batch-rows",
           str(args.batch_rows), "--limit-gib", str(args.limit_gib), "--solver", args.solver,
           "--lam", str(args.lam), "--tol", str(args.tol)] + (["--progress"] if args.progress else [])
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1",
               MALLOC_ARENA_MAX="2", MALLOC_MMAP_THRESHOLD_="1048576",
               ARROW_DEFAULT_MEMORY_POOL="system")
    out = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if out.returncode != 0:
        sys.exit(f"child failed:\n{out.stderr[-3000:]}")
    res = json.loads(out.stdout.strip().splitlines()[-1])
    res.update(features=args.features, batch_rows=args.batch_rows, limit_gib=args.limit_gib,
               file_gib=size / 2**30, dense_gib=dense / 2**30, lam=args.lam, tol=args.tol,
               load_avg=os.getloadavg()[0], cpus=os.cpu_count())
    print(f"{res['solver']}: {res['status']} in {res['n_iter']} iterations, {res['passes']:.0f} passes, "
          f"{res['seconds']:.1f} s, {res['rows_per_s'] / 1e6:.2f} M rows/s, peak RSS "
          f"{res['peak_rss_mib']:.0f} MiB (address space {res['peak_address_space_mib']:.0f} MiB), "
          f"J = {res['J']:.12g}, KKT {res['kkt']:.2g}")
    if args.verify:
        import pyarrow.parquet as pq

        from logitlab import LogisticRegression

        t = pq.read_table(args.data)
        X = np.column_stack([t.column(f"x{j}").to_numpy() for j in range(args.features)])
        y = t.column("y").to_numpy()
        del t
        ref = LogisticRegression(lam=args.lam, solver=args.verify_solver, tol=args.verify_tol).fit(X, y)
        # and the in-memory Objective at the out-of-core solution: its KKT residual says how far
        # that solution is from the in-memory optimum (coefficient error ≲ residual / curvature)
        from logitlab.objective import Objective

        obj = Objective(X, (y == 1).astype(np.float64), lam=args.lam)
        theta = np.r_[res["coef"], res["intercept"]]
        dcoef = float(np.max(np.abs(ref.coef_.ravel() - np.array(res["coef"]))))
        res["verify"] = {"in_memory_J": ref.objective_["J"], "in_memory_tol": args.verify_tol,
                         "in_memory_solver": ref.solver_, "in_memory_status": ref.status_,
                         "in_memory_kkt": ref.objective_["kkt_residual"],
                         "rel_J_diff": abs(ref.objective_["J"] - res["J"]) / ref.objective_["J"],
                         "max_coef_diff": dcoef,
                         "in_memory_J_at_ooc_theta": obj.value(theta),
                         "in_memory_kkt_at_ooc_theta": obj.kkt_residual(theta)}
        print("in memory: " + ", ".join(f"{k} {v:.3g}" if isinstance(v, float) else f"{k} {v}"
                                        for k, v in res["verify"].items()))
    summary = {k: v for k, v in res.items() if k != "coef"}
    print(json.dumps(summary))
    if args.save:
        path = Path(__file__).parent / "results" / "outofcore.json"
        runs = json.loads(path.read_text()) if path.exists() else []
        runs.append(summary)
        path.write_text(json.dumps(runs, indent=1) + "\n")


if __name__ == "__main__":
    main()
