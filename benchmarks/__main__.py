"""``python -m benchmarks [--quick] [--suite core|wide|small|all] [--problems a,b] [--include names]
[--threads 1,2] [--out DIR]``.

Results go to a directory outside the repository (``<tmp>/logitlab-benchmarks``) unless
``--out`` names one: a run never rewrites the tracked tables in ``benchmarks/results`` by itself.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

from .first_fit import first_fit_table
from .problems import SUITES
from .report import markdown, plot
from .run import run_benchmark


def default_out() -> Path:
    """Where a run writes unless told: the system's temporary directory, never a tracked file."""
    return Path(tempfile.gettempdir()) / "logitlab-benchmarks"


def _problems(suite: str, problems: str) -> list[str]:
    if problems:
        return [n for n in problems.split(",") if n]
    names: list[str] = []
    for s in (SUITES if suite == "all" else suite.split(",")):
        if s not in SUITES:
            raise SystemExit(f"error: unknown suite {s!r}; choose from {', '.join(SUITES)} or all")
        names += [n for n in SUITES[s] if n not in names]
    return names


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and write results.md, results.json and suboptimality.png."""
    ap = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    ap.add_argument("--quick", action="store_true", help="rows ÷ 5, 3 repeats: a few minutes")
    ap.add_argument("--suite", default="core",
                    help="core (default: issue 5's problems and issue 20's L1 text problem), wide (the "
                         "sparse text families), small (small dense problems and breast cancer), all, "
                         "or a comma-separated list")
    ap.add_argument("--problems", default="", help="comma-separated problem names (overrides --suite)")
    ap.add_argument("--include", default="", help="only these solvers/libraries (plus logitlab auto)")
    ap.add_argument("--scale", type=float, default=None, help="row scale (overrides --quick)")
    ap.add_argument("--repeats", type=int, default=None)
    ap.add_argument("--no-first-fit", action="store_true", help="skip the fresh-process first-fit timing")
    ap.add_argument("--threads", default="1,2",
                    help="thread counts every library is timed at (BLAS, OpenMP, numba), e.g. 1 or 1,2")
    ap.add_argument("--out", default=None, help=f"output directory (default {default_out()})")
    args = ap.parse_args(argv)
    scale = args.scale if args.scale is not None else (0.2 if args.quick else 1.0)
    repeats = args.repeats if args.repeats is not None else (3 if args.quick else 5)
    budget = 10.0 if args.quick else 40.0
    names = _problems(args.suite, args.problems)
    threads = tuple(int(t) for t in args.threads.split(",") if t.strip())
    include = {s.strip() for s in args.include.split(",") if s.strip()} or None
    out = Path(args.out) if args.out else default_out()
    out.mkdir(parents=True, exist_ok=True)

    def log(msg: str) -> None:
        print(msg, flush=True)

    result = run_benchmark(names, scale=scale, repeats=repeats, budget=budget, include=include, log=log,
                           threads=threads)
    command = "python -m benchmarks" + (" --quick" if args.quick else "") + (
        f" --suite {args.suite}" if args.suite != "core" and not args.problems else "") + (
        f" --problems {args.problems}" if args.problems else "") + (
        f" --scale {args.scale}" if args.scale is not None else "") + (
        f" --repeats {args.repeats}" if args.repeats is not None else "") + (
        f" --threads {args.threads}" if args.threads != "1,2" else "") + (
        " --no-first-fit" if args.no_first_fit else "") + (
        f' --include "{args.include}"' if args.include else "") + (
        f" --out {args.out}" if args.out else "")
    text = markdown(result, command)
    if not args.no_first_fit:
        ff = first_fit_table(scale=scale, log=log)
        result["first_fit"] = ff["rows"]
        text += "\n" + ff["markdown"]
    (out / "results.md").write_text(text)
    (out / "results.json").write_text(json.dumps(result, indent=1, default=_jsonable))
    plot(result, out / "suboptimality.png")
    log(f"\nwrote {out / 'results.md'}, {out / 'results.json'}, {out / 'suboptimality.png'}")
    print(text)
    return 0


def _jsonable(x):
    """NumPy scalars as floats; anything else (a problem family's parameters) as its text."""
    try:
        return float(x)
    except (TypeError, ValueError):
        return str(x)


if __name__ == "__main__":
    sys.exit(main())
