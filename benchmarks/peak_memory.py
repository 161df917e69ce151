"""Where a fit's extra memory goes: ``python -m benchmarks.peak_memory tfidf_l2 [--scale 1]``.

One warm-up fit (imports, compiled kernels), then the default solver's fit under tracemalloc:
its peak as a share of X, the number the headline table reports. With ``--where`` (needs
``pip install memray``) the allocations alive at the high-water mark, largest first, each with
the lines that made it: the map that showed, e.g., SciPy's products allocating per CG step.
"""

from __future__ import annotations

import argparse
import gc
import tempfile
import tracemalloc
import warnings
from pathlib import Path

from .problems import SUITES, Problem, make_problem


def _fit(P: Problem, tol: float):
    from logitlab import LogisticRegression

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return LogisticRegression(lam=P.lam, l1_ratio=P.l1_ratio, tol=tol).fit(P.X, P.y, P.sample_weight)


def peak_share(P: Problem, tol: float = 1e-6) -> tuple[float, str]:
    """(peak extra bytes of a warm fit, the solver it used), measured as the benchmark does."""
    solver = _fit(P, tol).solver_
    gc.collect()
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    try:
        _fit(P, tol)
        peak = tracemalloc.get_traced_memory()[1] - base
    finally:
        tracemalloc.stop()
    return float(peak), solver


def high_water(P: Problem, tol: float = 1e-6, top: int = 15) -> list[str]:
    """The largest allocations alive at a warm fit's high-water mark (memray), one line each."""
    import memray

    _fit(P, tol)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "fit.bin"
        with memray.Tracker(str(path)):
            _fit(P, tol)
        records = memray.FileReader(str(path)).get_high_watermark_allocation_records(merge_threads=True)
        lines = []
        for rec in sorted(records, key=lambda r: -r.size)[:top]:
            where = " <- ".join(f"{fn}@{Path(file).name}:{line}" for fn, file, line in rec.stack_trace()[:3])
            lines.append(f"{rec.size / 1e6:7.3f} MB  {where}")
    return lines


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("problem", choices=sorted({n for names in SUITES.values() for n in names}))
    ap.add_argument("--scale", type=float, default=1.0, help="row scale, as in python -m benchmarks")
    ap.add_argument("--tol", type=float, default=1e-6)
    ap.add_argument("--where", action="store_true", help="list the allocations at the peak (memray)")
    args = ap.parse_args()
    P = make_problem(args.problem, scale=args.scale)
    peak, solver = peak_share(P, args.tol)
    print(f"{P.description}: {solver}, peak extra {peak / 1e6:.2f} MB = {100 * peak / P.x_bytes:.1f} % of X "
          f"({P.x_bytes / 1e6:.1f} MB)")
    if args.where:
        print("\n".join(high_water(P, args.tol)))


if __name__ == "__main__":
    main()
