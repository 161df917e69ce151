"""Run problems × adapters × tolerances and collect time, suboptimality, KKT, passes, memory.

Timing discipline (the machine is shared): a warm-up run per solver absorbs compilation and
caches, every point is the median of several runs, and logitlab and its peers are always
timed in the same process and the same minutes, so their ratio is what to read.

Threads: every library is timed at each thread count of ``threads`` (default 1 and 2), set by
``thread_limit`` for BLAS and OpenMP (threadpoolctl), numba, and logitlab's own BLAS cap.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import importlib
import os
import platform
import time
import tracemalloc
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass

import numpy as np

from .peers import Adapter, adapters_for
from .problems import PROBLEMS, Problem, make_problem

__all__ = ["Run", "run_benchmark", "reference", "contenders", "thread_limit", "TARGET"]

TARGET = 1e-6  # relative suboptimality of the headline
# a sweep ends two decades below the target: tighter tolerances only cost more time, and some
# never get closer (liblinear's penalized intercept leaves it 1e-9 above J*: its 1e-8 fit took 64 s)
STOP_SUBOPT = 1e-8


@dataclass
class Run:
    """One (problem, solver, tolerance) point."""

    problem: str
    solver: str
    library: str
    tol: float
    seconds: float
    subopt: float
    kkt: float
    passes: float
    peak_mb: float | None = None
    peak_frac: float | None = None
    error: str = ""
    threads: int = 1


@functools.cache
def _load_thread_pools() -> None:
    """Import every library whose thread pools ``thread_limit`` must reach: threadpoolctl only
    limits the BLAS and OpenMP runtimes already loaded (glum's OpenMP loads with glum)."""
    for name in ("numpy", "scipy.linalg", "sklearn.linear_model", "glum", "skglm", "numba",
                 "statsmodels.api"):
        with contextlib.suppress(ImportError):
            importlib.import_module(name)


@contextlib.contextmanager
def thread_limit(n: int) -> Iterator[None]:
    """Every library at ``n`` threads: BLAS and OpenMP pools (threadpoolctl: scikit-learn,
    glum's OpenMP, SciPy), numba's thread count, and ``LOGITLAB_BLAS_THREADS``, which
    otherwise lets logitlab use fewer BLAS threads than allowed when the cores look busy."""
    import numba
    from threadpoolctl import threadpool_limits

    _load_thread_pools()
    env = os.environ.get("LOGITLAB_BLAS_THREADS")
    numba_before = numba.get_num_threads()
    os.environ["LOGITLAB_BLAS_THREADS"] = str(n)
    numba.set_num_threads(min(n, numba.config.NUMBA_NUM_THREADS))
    try:
        with threadpool_limits(limits=n):
            yield
    finally:
        numba.set_num_threads(numba_before)
        if env is None:
            os.environ.pop("LOGITLAB_BLAS_THREADS", None)
        else:
            os.environ["LOGITLAB_BLAS_THREADS"] = env


def _objective(P: Problem):
    from logitlab.objective import Objective

    return Objective(P.X, P.y, P.sample_weight, lam=P.lam, l1_ratio=P.l1_ratio)


def reference(P: Problem) -> tuple[float, float, np.ndarray]:
    """J* by a very tight logitlab solve, with its KKT residual as the certificate."""
    from logitlab.solvers import SOLVERS, choose_solver

    obj = _objective(P)
    name = choose_solver(obj.n_params, P.is_sparse, obj.penalty.l1 > 0)
    fn, _, _ = SOLVERS[name]
    res = fn(obj, obj.initial_theta(), tol=1e-12, max_iter=500)
    theta = res.theta
    if name == "newton-cg" or obj.penalty.l1 > 0:  # polish: a second tight solve from the answer
        res2 = fn(obj, theta, tol=1e-13, max_iter=500)
        if obj.value(res2.theta) <= obj.value(theta):
            theta = res2.theta
    return obj.value(theta), obj.kkt_residual(theta), theta


def pass_seconds(P: Problem, repeats: int = 7) -> float:
    """Median time of one X·w plus one Xᵀ·r (NumPy/SciPy): the unit of "passes"."""
    rng = np.random.default_rng(0)
    w = rng.standard_normal(P.X.shape[1]).astype(P.X.dtype)
    r = rng.standard_normal(P.X.shape[0]).astype(P.X.dtype)
    ts = []
    for _ in range(repeats + 1):
        t = time.perf_counter()
        P.X @ w
        P.X.T @ r
        ts.append(time.perf_counter() - t)
    return float(np.median(ts[1:]))


_MIN_TIMING = 0.05  # seconds: a fit shorter than this is timed as the mean of a loop of fits


def _timed(ad: Adapter, P: Problem, tol: float) -> tuple[float, np.ndarray]:
    """Seconds per fit, and its θ. Fits of a few milliseconds are timed over a loop lasting
    ≥ 50 ms (as timeit does): one such fit alone is mostly timer and scheduler noise."""
    gc.collect()
    t = time.perf_counter()
    theta = ad.fit(P, tol)
    sec = time.perf_counter() - t
    if sec < _MIN_TIMING:  # loop until the loop itself lasts ≥ 50 ms (a cold first fit may mislead)
        k, t = 0, time.perf_counter()
        while k == 0 or time.perf_counter() - t < _MIN_TIMING:
            ad.fit(P, tol)
            k += 1
        sec = (time.perf_counter() - t) / k
    return sec, theta


def _peak(ad: Adapter, P: Problem, tol: float) -> float:
    """Peak bytes allocated during a fit (tracemalloc: NumPy buffers included; memory that
    compiled code mallocs itself, e.g. inside BLAS or numba, is not seen)."""
    gc.collect()
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    try:
        ad.fit(P, tol)
        peak = tracemalloc.get_traced_memory()[1] - base
    finally:
        tracemalloc.stop()
    return float(peak)


CONTENDER_FACTOR = 4.0  # re-time runs within this factor of the fastest peer's time to TARGET


def contenders(runs: list[Run], budget: float) -> list[int]:
    """Indices of the runs worth re-timing: those that could decide the headline.

    A run slower than ``CONTENDER_FACTOR`` × the fastest peer's first time to the target is
    not close to deciding who is fastest, and at seconds per fit one measurement already has
    little relative noise; re-timing it four more times is what made the full suite last
    hours. Without a peer at the target, runs under ``budget / 4`` are re-timed.
    """
    peer_hits = [r.seconds for r in runs
                 if r.library != "logitlab" and not r.error and r.subopt <= TARGET]
    limit = CONTENDER_FACTOR * min(peer_hits) if peer_hits else budget / 4
    return [i for i, r in enumerate(runs) if not r.error and r.seconds <= min(limit, budget / 4)]


def _sweep(ad: Adapter, P: Problem, obj, J_star: float, t_pass: float, budget: float,
           log, threads: int = 1) -> list[Run]:
    """One solver's tolerances, loosest first, after a warm-up run.

    Stops at (J−J*)/J* ≤ ``STOP_SUBOPT``, when a run exceeds ``budget`` seconds, or when the solver's
    runs have used ``budget`` seconds together: a slow peer's curve is cut short instead of
    the suite lasting hours. The warm-up does not count (it holds the compilation: skglm's
    took 8 s at the quick size), unless it is kept as the first measurement.
    """
    try:
        warm, warm_theta = _timed(ad, P, ad.tols[0])  # warm-up: compilation, caches, imports
    except Exception as exc:  # a peer that cannot run this problem is reported, not fatal
        run = Run(P.name, ad.name, ad.library, ad.tols[0], np.nan, np.nan, np.nan, np.nan,
                  error=f"{type(exc).__name__}: {exc}"[:200], threads=threads)
        log(f"  {ad.name:28s} failed: {run.error}")
        return [run]
    runs: list[Run] = []
    spent = 0.0
    for i, tol in enumerate(ad.tols):
        if i == 0 and warm > budget / 4:  # too slow to repeat: the warm-up run is the measurement
            sec, theta = warm, warm_theta
        else:
            sec, theta = _timed(ad, P, tol)
        spent += sec
        J = obj.value(theta)
        sub = (J - J_star) / abs(J_star)
        kkt = obj.kkt_residual(theta)
        runs.append(Run(P.name, ad.name, ad.library, tol, sec, sub, kkt, sec / t_pass, threads=threads))
        log(f"  {ad.name:28s} tol={tol:<7.0e} {sec:8.3f} s  subopt={sub:9.2e}  KKT={kkt:8.1e}")
        if sub <= STOP_SUBOPT or sec > budget or spent > budget:
            break
    return runs


def _retime(adapters: dict[str, Adapter], P: Problem, runs: list[Run], idx: list[int], rounds: int,
            times: dict[int, list[float]]) -> None:
    """Re-time the runs ``idx`` in round-robin order, so logitlab and its peers meet the same
    background load; appends each time to ``times``."""
    for _round in range(rounds):
        for i in idx:
            sec, _ = _timed(adapters[runs[i].solver], P, runs[i].tol)
            times[i].append(sec)


def _at_threads(n: int, adapters: dict[str, Adapter], P: Problem, first: list[Run], obj,
                J_star: float, t_pass: float, repeats: int, budget: float, log) -> list[Run]:
    """Every solver at ``n`` threads, at the tolerance where it was fastest to the target at the
    first thread count (a solver that never reached it has no time to compare). Timed once
    each; the contenders at ``n`` threads (``contenders``) up to 3 times in all. A solver
    whose first-count time exceeds ``budget`` is not re-run (its seconds-long fit would only
    lengthen the suite; it is far from the fastest)."""
    runs: list[Run] = []
    for name, ad in adapters.items():
        hits = [r for r in first if r.solver == name and not r.error and r.subopt <= TARGET]
        if not hits:
            continue
        best = min(hits, key=lambda r: r.seconds)
        if best.seconds > budget:
            log(f"  {name:28s} {n} threads: not re-run ({best.seconds:.1f} s > budget {budget:.0f} s)")
            continue
        sec, theta = _timed(ad, P, best.tol)
        sub = (obj.value(theta) - J_star) / abs(J_star)
        runs.append(Run(P.name, name, ad.library, best.tol, sec, sub, obj.kkt_residual(theta),
                        sec / t_pass, threads=n))
        log(f"  {name:28s} {n} threads tol={best.tol:<7.0e} {sec:8.3f} s  subopt={sub:9.2e}")
    times = {i: [r.seconds] for i, r in enumerate(runs)}
    # at most 3 timings each: the further counts are a comparison, not the headline's tolerance sweep
    _retime(adapters, P, runs, contenders(runs, budget), min(repeats, 3) - 1, times)
    for i, r in enumerate(runs):
        r.seconds = float(np.median(times[i]))
        r.passes = r.seconds / t_pass
    return runs


def run_problem(P: Problem, repeats: int = 3, budget: float = 30.0, include: set[str] | None = None,
                log=print, threads: Sequence[int] = (1,)) -> dict:
    """All adapters on one problem; returns the problem's record with every run.

    At the first thread count: phase 1 sweeps each solver's tolerances once (``_sweep``),
    phase 2 re-times the contenders (``contenders``) repeats − 1 times, each point reporting
    the median. At each further thread count, every solver's fastest point to the target is
    timed again (``_at_threads``). Peak memory is measured at the first thread count.
    """
    obj = _objective(P)
    t0 = time.perf_counter()
    J_star, kkt_star, theta_star = reference(P)
    log(f"[{P.name}] {P.description}: J* = {J_star:.12g} (KKT {kkt_star:.1e}, "
        f"{time.perf_counter() - t0:.1f} s)")
    t_pass = pass_seconds(P)
    P.info["seconds_cap"] = budget  # bounds the iterations of solvers whose fits can run away
    adapters = {a.name: a for a in adapters_for(P, include)}
    runs: list[Run] = []
    with thread_limit(threads[0]):
        for ad in adapters.values():
            runs += _sweep(ad, P, obj, J_star, t_pass, budget, log, threads=threads[0])
        times = {i: [r.seconds] for i, r in enumerate(runs) if not r.error}
        _retime(adapters, P, runs, contenders(runs, budget), repeats - 1, times)
        for idx, r in enumerate(runs):
            if not r.error:
                r.seconds = float(np.median(times[idx]))
                r.passes = r.seconds / t_pass
        for ad in adapters.values():  # peak memory of the cheapest run that reached the target
            ok = [r for r in runs if r.solver == ad.name and r.subopt <= TARGET and not r.error]
            if ok:
                best = min(ok, key=lambda r: r.seconds)
                try:
                    best.peak_mb = _peak(ad, P, best.tol) / 2**20
                    best.peak_frac = best.peak_mb * 2**20 / P.x_bytes
                except Exception:  # pragma: no cover - memory is informative only
                    pass
    first = list(runs)
    for n in threads[1:]:
        with thread_limit(n):
            runs += _at_threads(n, adapters, P, first, obj, J_star, t_pass, repeats, budget, log)
    w_star = obj.split(theta_star)[0]
    support = float(np.count_nonzero(w_star) / w_star.size) if P.l1_ratio > 0 and P.lam > 0 else None
    return {
        "name": P.name, "description": P.description, "J_star": J_star, "kkt_star": kkt_star,
        "pass_seconds": t_pass, "x_mb": P.x_bytes / 2**20, "shape": list(P.X.shape),
        "sparse": bool(P.is_sparse), "runs": [asdict(r) for r in runs], "threads": list(threads),
        "skipped": P.info.get("skipped", []), "support": support,
    }


def headline(record: dict, threads: int | None = None) -> dict:
    """Time to ≤ 1e-6 per solver at one thread count (default: the first); logitlab's default
    against the fastest peer."""
    n = record.get("threads", [1])[0] if threads is None else threads
    best: dict[str, dict] = {}
    for r in record["runs"]:
        if r["error"] or not (r["subopt"] <= TARGET) or r.get("threads", 1) != n:
            continue
        if r["solver"] not in best or r["seconds"] < best[r["solver"]]["seconds"]:
            best[r["solver"]] = r
    peers = {k: v for k, v in best.items() if v["library"] != "logitlab"}
    ours = best.get("logitlab auto")
    fastest = min(peers.values(), key=lambda r: r["seconds"]) if peers else None
    ratio = ours["seconds"] / fastest["seconds"] if ours and fastest else float("nan")
    return {"best": best, "ours": ours, "fastest_peer": fastest, "ratio": ratio, "threads": n}


def library_speedups(record: dict) -> dict[str, dict[int, float]]:
    """Each library's fastest time to the target at each thread count (its fastest solver)."""
    out: dict[str, dict[int, float]] = {}
    for n in record.get("threads", [1]):
        for r in headline(record, n)["best"].values():
            lib = "logitlab default" if r["solver"] == "logitlab auto" else r["library"]
            if r["solver"].startswith("logitlab") and r["solver"] != "logitlab auto":
                continue  # logitlab's other solvers are not what a user gets by default
            cur = out.setdefault(lib, {})
            cur[n] = min(cur.get(n, np.inf), r["seconds"])
    return out


def machine() -> str:
    """A one-line description of where the numbers came from."""
    import os

    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return (f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, "
            f"load average at start {load:.1f}")


def run_benchmark(names: list[str] | None = None, scale: float = 1.0, repeats: int = 3,
                  budget: float = 30.0, include: set[str] | None = None, log=print,
                  threads: Sequence[int] = (1,)) -> dict:
    """Run the benchmark; returns {machine, records, ...}; each record holds its headline at the
    first thread count (``headline``) and at every count (``headlines``, keyed by the count)."""
    start = time.perf_counter()
    mach = machine()
    records = []
    for name in names or PROBLEMS:  # one problem's data in memory at a time
        P = make_problem(name, scale)
        rec = run_problem(P, repeats=repeats, budget=budget, include=include, log=log, threads=threads)
        rec["headline"] = headline(rec)
        rec["headlines"] = {str(n): headline(rec, n) for n in threads}
        rec["speedups"] = {lib: {str(n): t for n, t in v.items()} for lib, v in library_speedups(rec).items()}
        records.append(rec)
        del P
        gc.collect()
    return {"machine": mach, "scale": scale, "repeats": repeats, "records": records, "threads": list(threads),
            "seconds": time.perf_counter() - start, "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}
