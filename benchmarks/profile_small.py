"""Where a small fit's time goes: ``python -m benchmarks.profile_small [--problems a,b] [--fits N]
[--cprofile]``.

On problems where the solve takes a millisecond (the small family, breast cancer), the fixed
cost of a fit decides the ratio to the peers. This splits one ``LogisticRegression.fit`` into
its public stages by timers wrapped around them for the duration of the measurement:

* validation: the parameter checks, X/y/weights validation, standardization;
* set-up: building the Design and the Objective, choosing the solver, the start;
* solve: the solver function (``solvers.SOLVERS``), everything it does inside;
* after the solve: storing the coefficients and the post-fit checks (warnings, separation);
* other: what the fit spends outside these (the difference to the fit's own time).

A stage whose function is not found (the estimator is being redesigned) is listed as missing and
its time falls into "other". Nested stages count once, in the outermost. ``--cprofile`` adds
cProfile's top functions by own time for each problem. Nothing is written to disk.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import functools
import io
import pstats
import time
import warnings
from collections.abc import Callable, Iterator

from .problems import SUITES, Problem, make_problem

__all__ = ["profile_fit", "STAGES"]

# stage → (module or class path, attribute) of the functions timed for it
STAGES: dict[str, list[tuple[str, str]]] = {
    "validation": [("LogisticRegression", "_check_params"), ("LogisticRegression", "_validate_fit_data"),
                   ("LogisticRegression", "_standardization")],
    "set-up": [("estimator", "Design"), ("estimator", "Objective"), ("estimator", "choose_solver"),
               ("LogisticRegression", "_start")],
    "after the solve": [("LogisticRegression", "_store"), ("LogisticRegression", "_warn")],
}


class _Clock:
    """Accumulates seconds per stage; only the outermost timed call counts."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self.depth = 0

    def wrap(self, stage: str, fn: Callable) -> Callable:
        @functools.wraps(fn)
        def timed(*args, **kwargs):
            if self.depth:
                return fn(*args, **kwargs)
            self.depth += 1
            t = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                self.seconds[stage] = self.seconds.get(stage, 0.0) + time.perf_counter() - t
                self.depth -= 1

        return timed


@contextlib.contextmanager
def _instrumented(clock: _Clock) -> Iterator[list[str]]:
    """Wrap the stages' functions (and every solver) in timers; restore them on exit. Yields
    the names of stage functions that were not found."""
    import logitlab.estimator as est
    from logitlab.solvers import SOLVERS

    owners = {"estimator": est, "LogisticRegression": est.LogisticRegression}
    saved: list[tuple[object, str, object]] = []
    missing: list[str] = []
    for stage, targets in STAGES.items():
        for owner, attr in targets:
            obj = owners[owner]
            fn = obj.__dict__.get(attr) if isinstance(obj, type) else getattr(obj, attr, None)
            if fn is None:
                missing.append(f"{owner}.{attr}")
                continue
            saved.append((obj, attr, fn))
            setattr(obj, attr, clock.wrap(stage, fn))
    solvers = dict(SOLVERS)
    for name, (fn, *rest) in solvers.items():
        SOLVERS[name] = (clock.wrap("solve", fn), *rest)
    try:
        yield missing
    finally:
        SOLVERS.update(solvers)
        for obj, attr, fn in saved:
            setattr(obj, attr, fn)


def profile_fit(P: Problem, fits: int = 200) -> dict:
    """Mean seconds per fit of logitlab's default on ``P``, split into stages (after one
    warm-up fit, which holds imports and compilation)."""
    from logitlab import LogisticRegression

    def fit():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return LogisticRegression(lam=P.lam, l1_ratio=P.l1_ratio, tol=1e-6).fit(P.X, P.y)

    model = fit()
    t = time.perf_counter()
    for _ in range(fits):
        fit()
    plain = (time.perf_counter() - t) / fits  # without the timers' own cost
    clock = _Clock()
    with _instrumented(clock) as missing:
        t = time.perf_counter()
        for _ in range(fits):
            fit()
        total = (time.perf_counter() - t) / fits
    parts = {k: v / fits for k, v in clock.seconds.items()}
    parts["other"] = total - sum(parts.values())
    return {"problem": P.description, "fit": plain, "instrumented": total, "parts": parts,
            "solver": getattr(model, "solver_", "?"), "n_iter": int(getattr(model, "n_iter_", [0])[0]),
            "missing": missing}


def _cprofile(P: Problem, fits: int, top: int = 15) -> str:
    from logitlab import LogisticRegression

    prof = cProfile.Profile()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        LogisticRegression(lam=P.lam, l1_ratio=P.l1_ratio, tol=1e-6).fit(P.X, P.y)
        prof.enable()
        for _ in range(fits):
            LogisticRegression(lam=P.lam, l1_ratio=P.l1_ratio, tol=1e-6).fit(P.X, P.y)
        prof.disable()
    out = io.StringIO()
    pstats.Stats(prof, stream=out).sort_stats("tottime").print_stats(top)
    return out.getvalue()


_ORDER = ["validation", "set-up", "solve", "after the solve", "other"]


def table(rows: list[dict]) -> str:
    """A markdown table: µs per fit and each stage's share."""
    lines = ["| problem | fit | " + " | ".join(_ORDER) + " | solver (iterations) |",
             "| --- | --- | " + " | ".join("---" for _ in _ORDER) + " | --- |"]
    for r in rows:
        inst = r["instrumented"]
        cells = [f"{1e6 * r['parts'].get(k, 0.0):.0f} µs ({100 * r['parts'].get(k, 0.0) / inst:.0f} %)"
                 for k in _ORDER]
        lines.append(f"| {r['problem']} | {1e6 * r['fit']:.0f} µs | " + " | ".join(cells)
                     + f" | {r['solver']} ({r['n_iter']}) |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.profile_small", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--problems", default=",".join(SUITES["small"]))
    ap.add_argument("--fits", type=int, default=200, help="fits timed per problem (after a warm-up)")
    ap.add_argument("--cprofile", action="store_true", help="also print cProfile's top functions")
    args = ap.parse_args(argv)
    rows = []
    for name in args.problems.split(","):
        P = make_problem(name)
        rows.append(profile_fit(P, args.fits))
        if args.cprofile:
            print(f"## {P.description}\n{_cprofile(P, args.fits)}")
    print(table(rows))
    missing = sorted({m for r in rows for m in r["missing"]})
    if missing:
        print(f"\nnot found (their time is in 'other'): {', '.join(missing)}")
    print("\n'fit' is the mean of the fits without timers; the stages come from a second, timed loop.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
