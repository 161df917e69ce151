"""Monitoring throughput: `logitlab monitor` on a large Parquet file, against one streamed
`logitlab predict` pass over the same file, each in its own process (peak RSS and CPU time
from wait4; rows per CPU-second is the figure that survives a shared machine).

    python benchmarks/bench_monitor.py --rows 10_000_000 [--save]

The data (seeded: numeric features, one text feature, a label) are written to /tmp, never to
the repository; the model is trained on a 100k-row sample of the same distribution. With
``--save`` the run is appended to benchmarks/results/monitor.json.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

LEVELS = np.array(["north", "south", "east", "west", "centre"])


def write_data(path: Path, rows: int, p: int, seed: int, group: int = 250_000) -> None:
    """A seeded logistic problem with one categorical column, written row group by row group."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    rng = np.random.default_rng(seed)
    w = np.random.default_rng(0).normal(size=p) / np.sqrt(p)
    names = [f"x{j}" for j in range(p)]
    schema = pa.schema([(n, pa.float64()) for n in names] + [("region", pa.string()), ("y", pa.int8())])
    tmp = path.with_suffix(".tmp")
    with pq.ParquetWriter(tmp, schema) as writer:
        for start in range(0, rows, group):
            n = min(group, rows - start)
            X = rng.normal(size=(n, p))
            region = rng.integers(0, LEVELS.size, n)
            y = (X @ w + 0.3 * (region == 0) + rng.logistic(size=n) > 0).astype(np.int8)
            cols = [pa.array(X[:, j]) for j in range(p)] + [pa.array(LEVELS[region]), pa.array(y)]
            writer.write_table(pa.Table.from_arrays(cols, schema=schema))
    os.replace(tmp, path)


def run(cmd: list[str]) -> dict[str, float]:
    """Wall time and peak RSS (MiB) of one command in its own process."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    err = proc.stderr.read().decode()
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 3):  # 3: a gate rule breached, still a full run
        raise RuntimeError(f"{' '.join(cmd)} failed ({code}): {err[-500:]}")
    return {"seconds": wall, "cpu_seconds": usage.ru_utime + usage.ru_stime, "peak_rss_mib": usage.ru_maxrss / 1024}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=10_000_000)
    ap.add_argument("--features", type=int, default=10)
    ap.add_argument("--dir", type=Path, default=Path("/tmp/logitlab-bench-monitor"))
    ap.add_argument("--save", action="store_true")
    args = ap.parse_args()
    args.dir.mkdir(parents=True, exist_ok=True)
    data, sample = args.dir / f"data-{args.rows}.parquet", args.dir / "train.parquet"
    if not data.exists():
        t = time.perf_counter()
        write_data(data, args.rows, args.features, seed=1)
        print(f"wrote {data} ({data.stat().st_size / 2**20:.0f} MiB) in {time.perf_counter() - t:.0f} s")
    if not sample.exists():
        write_data(sample, 100_000, args.features, seed=2)
    model = args.dir / "model"
    cli = [sys.executable, "-m", "logitlab"]
    subprocess.run(cli + ["train", str(sample), "--target", "y", "--out", str(model), "--no-report", "-q"],
                   check=True, stdout=subprocess.DEVNULL)
    predict = run(cli + ["predict", str(model / "model.json"), str(data), "--out-of-core",
                         "--out", str(args.dir / "pred.parquet"), "--on-violation", "ignore"])
    unlabelled = run(cli + ["monitor", str(model / "model.json"), str(data), "--out", str(args.dir / "m0")])
    labelled = run(cli + ["monitor", str(model / "model.json"), str(data), "--target", "y",
                          "--out", str(args.dir / "m1")])
    result = {"rows": args.rows, "features": args.features + 1, "file_mib": data.stat().st_size / 2**20,
              "cpus": os.cpu_count(), "note": "shared machine (other sessions running)"}
    for name, r in (("predict", predict), ("monitor", unlabelled), ("monitor_labelled", labelled)):
        result[name] = r | {"rows_per_s": args.rows / r["seconds"], "rows_per_cpu_s": args.rows / r["cpu_seconds"]}
    print(json.dumps(result, indent=2))
    if args.save:
        out = Path(__file__).parent / "results" / "monitor.json"
        runs = json.loads(out.read_text()) if out.exists() else []
        out.write_text(json.dumps(runs + [result], indent=2) + "\n")


if __name__ == "__main__":
    main()
