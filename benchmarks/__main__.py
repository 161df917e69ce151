"""``python -m benchmarks [--quick] [--problems a,b] [--include names] [--out DIR]``."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from .first_fit import first_fit_table
from .problems import PROBLEMS
from .report import markdown, plot
from .run import run_benchmark


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and write results.md, results.json and suboptimality.png."""
    ap = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    ap.add_argument("--quick", action="store_true", help="rows ÷ 5, 3 repeats: a few minutes")
    ap.add_argument("--problems", default=",".join(PROBLEMS), help="comma-separated problem names")
    ap.add_argument("--include", default="", help="only these solvers/libraries (plus logitlab auto)")
    ap.add_argument("--scale", type=float, default=None, help="row scale (overrides --quick)")
    ap.add_argument("--repeats", type=int, default=None)
    ap.add_argument("--no-first-fit", action="store_true", help="skip the fresh-process first-fit timing")
    ap.add_argument("--threads", type=int, default=None,
                    help="cap BLAS/OpenMP threads for every library (threadpoolctl), e.g. 1 on a busy machine")
    ap.add_argument("--out", default=str(Path(__file__).parent / "results"))
    args = ap.parse_args(argv)
    scale = args.scale if args.scale is not None else (0.2 if args.quick else 1.0)
    repeats = args.repeats if args.repeats is not None else (3 if args.quick else 5)
    budget = 10.0 if args.quick else 40.0
    names = [n for n in args.problems.split(",") if n]
    include = {s.strip() for s in args.include.split(",") if s.strip()} or None
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    def log(msg: str) -> None:
        print(msg, flush=True)

    if args.threads:
        from threadpoolctl import threadpool_limits

        with threadpool_limits(limits=args.threads):
            result = run_benchmark(names, scale=scale, repeats=repeats, budget=budget, include=include, log=log)
        result["machine"] += f", BLAS/OpenMP threads capped at {args.threads}"
    else:
        result = run_benchmark(names, scale=scale, repeats=repeats, budget=budget, include=include, log=log)
    command = "python -m benchmarks" + (" --quick" if args.quick else "") + (
        f" --problems {args.problems}" if args.problems != ",".join(PROBLEMS) else "") + (
        f" --repeats {args.repeats}" if args.repeats is not None else "") + (
        f" --threads {args.threads}" if args.threads else "") + (
        " --no-first-fit" if args.no_first_fit else "") + (
        f' --include "{args.include}"' if args.include else "") + (
        f" --out {args.out}" if args.out != ap.get_default("out") else "")
    text = markdown(result, command)
    if not args.no_first_fit:
        ff = first_fit_table(scale=scale, log=log)
        result["first_fit"] = ff["rows"]
        text += "\n" + ff["markdown"]
    (out / "results.md").write_text(text)
    (out / "results.json").write_text(json.dumps(result, indent=1, default=float))
    plot(result, out / "suboptimality.png")
    log(f"\nwrote {out / 'results.md'}, {out / 'results.json'}, {out / 'suboptimality.png'}")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
