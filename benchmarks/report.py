"""Markdown tables and a plot from a benchmark result."""

from __future__ import annotations

import math
from pathlib import Path

__all__ = ["markdown", "plot", "ratio_table", "TARGET_RATIO"]

TARGET_RATIO = 0.5  # issue 20's target: logitlab's default at most half the fastest peer's time


def _fmt_t(x) -> str:
    return "—" if x is None or not math.isfinite(x) else (f"{x:.3g} s" if x >= 0.01 else f"{1e3 * x:.2g} ms")


def _fmt_mem(run: dict | None) -> str:
    if not run or run.get("peak_frac") is None:
        return "—"
    return f"{run['peak_mb']:.1f} MB ({100 * run['peak_frac']:.1f} % of X)"


def _ratio(h: dict) -> str:
    """The ratio, bold with ✗ when it misses the ≤ 0.5 target."""
    r = h["ratio"]
    if not math.isfinite(r):
        return "—"
    return f"{r:.2f}" if r <= TARGET_RATIO else f"**{r:.2f} ✗**"


def _speedup(rec: dict, lib: str | None, threads: list[int]) -> str:
    t = rec.get("speedups", {}).get(lib or "", {})
    a, b = (t.get(str(n)) for n in threads[:2]) if len(threads) > 1 else (None, None)
    return f"{a / b:.2f}×" if a and b else "—"


def ratio_table(result: dict) -> list[str]:
    """One row a problem: logitlab's default and the fastest peer at each thread count, the
    ratio (✗ where it misses ≤ 0.5), and the 1 → 2 thread speed-up of both libraries."""
    threads = result.get("threads", [1])
    head = "| problem |"
    rule = "| --- |"
    for n in threads:
        head += f" logitlab, {n}t | fastest peer, {n}t | ratio {n}t |"
        rule += " --- | --- | --- |"
    if len(threads) > 1:
        head += f" speed-up {threads[0]}→{threads[1]}t: logitlab | fastest peer's library |"
        rule += " --- | --- |"
    lines = [head, rule]
    for rec in result["records"]:
        hs = rec.get("headlines") or {str(threads[0]): rec["headline"]}
        row = f"| {rec['description']} |"
        for n in threads:
            h = hs[str(n)]
            ours, peer = h["ours"], h["fastest_peer"]
            row += (f" {_fmt_t(ours['seconds']) if ours else 'not reached'} |"
                    f" {peer['solver'] + ' ' + _fmt_t(peer['seconds']) if peer else '—'} | {_ratio(h)} |")
        if len(threads) > 1:
            peer = hs[str(threads[0])]["fastest_peer"]
            row += f" {_speedup(rec, 'logitlab default', threads)} | " \
                   f"{_speedup(rec, peer['library'] if peer else None, threads)} |"
        lines.append(row)
    return lines


def markdown(result: dict, command: str) -> str:
    """The headline tables (logitlab's default vs the fastest peer) and per-problem details."""
    threads = result.get("threads", [1])
    lines = [
        f"Machine: {result['machine']}; {result['date']}; row scale {result['scale']}, "
        f"median of {result['repeats']} runs after a warm-up; threads {', '.join(map(str, threads))}; "
        f"total {result['seconds'] / 60:.1f} min.",
        f"Reproduce: `{command}`",
        "",
        "Time to reach (J − J*)/J* ≤ 1e-6 (J* from a tight solve, KKT residual shown); ratio = "
        f"logitlab default ÷ fastest peer, same run, same thread count (target ≤ {TARGET_RATIO}; "
        "**✗** marks a miss).",
        "",
    ]
    lines += ratio_table(result)
    lines += [
        "",
        f"At {threads[0]} thread{'s' if threads[0] > 1 else ''}, with passes and peak extra memory:",
        "",
        "| problem | logitlab default | passes | fastest peer | its time | passes | ratio "
        "| peak extra memory: logitlab | fastest peer |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for rec in result["records"]:
        h = rec["headline"]
        ours, peer = h["ours"], h["fastest_peer"]
        mem = f"{_fmt_mem(ours)} | {_fmt_mem(peer)}"
        row = (f"| {rec['description']} | {_fmt_t(ours['seconds'])} | {ours['passes']:.1f} | " if ours
               else f"| {rec['description']} | not reached | — | ")
        row += (f"{peer['solver']} | {_fmt_t(peer['seconds'])} | {peer['passes']:.1f} | " if peer
                else "— | — | — | ")
        lines.append(row + f"{_ratio(h)} | {mem} |")
    lines += _details(result)
    return "\n".join(lines) + "\n"


def _details(result: dict) -> list[str]:
    """Per problem: J* and its KKT residual, the solution's support, every solver's time to the
    target at each thread count, and each library's speed-up."""
    threads = result.get("threads", [1])
    lines: list[str] = []
    for rec in result["records"]:
        lines += [
            "",
            f"### {rec['description']}",
            "",
            f"X: {rec['x_mb']:.1f} MB; J* = {rec['J_star']:.12g} (KKT residual {rec['kkt_star']:.1e}); "
            f"one pass (X·w + Xᵀ·r) = {1e3 * rec['pass_seconds']:.1f} ms"
            + (f"; the reference solution keeps {100 * rec['support']:.2f} % of the weights nonzero."
               if rec.get("support") is not None else "."),
            "",
        ]
        ups = rec.get("speedups", {})
        if len(threads) > 1 and ups:
            lines += [f"Speed-up {threads[0]} → {threads[1]} threads (each library's fastest time to 1e-6): "
                      + "; ".join(f"{lib} {_speedup(rec, lib, threads)}" for lib in ups), ""]
        more = "".join(f" time at {n}t |" for n in threads[1:])
        lines += [
            f"| solver | time to ≤1e-6 ({threads[0]}t) | ÷ fastest peer | passes | tol used | (J−J*)/J* "
            f"| KKT residual | peak extra memory |{more}",
            "| --- | --- | --- | --- | --- | --- | --- | --- |" + " --- |" * (len(threads) - 1),
        ]
        fastest = rec["headline"]["fastest_peer"]
        others = [rec.get("headlines", {}).get(str(n), {"best": {}})["best"] for n in threads[1:]]
        best = rec["headline"]["best"]
        names = []
        for r in rec["runs"]:
            if r["solver"] not in names:
                names.append(r["solver"])
        for n in names:
            b = best.get(n)
            if b is None:
                err = next((r["error"] for r in rec["runs"] if r["solver"] == n and r["error"]), "")
                tight = [r for r in rec["runs"] if r["solver"] == n and not r["error"]]
                last = min(tight, key=lambda r: r["subopt"]) if tight else None
                why = err or (f"best {last['subopt']:.1e} in {_fmt_t(last['seconds'])}" if last else "")
                lines.append(f"| {n} | not reached | — | — | — | {why} | — | — |" + " — |" * len(others))
                continue
            mem = "—" if b.get("peak_mb") is None else f"{b['peak_mb']:.1f} MB ({100 * b['peak_frac']:.1f} %)"
            lines.append(
                f"| {n} | {_fmt_t(b['seconds'])} | "
                f"{b['seconds'] / fastest['seconds'] if fastest else float('nan'):.2f} | "
                f"{b['passes']:.1f} | {b['tol']:.0e} | {b['subopt']:.1e} | "
                f"{b['kkt']:.1e} | {mem} |" + "".join(f" {_fmt_t(o[n]['seconds']) if n in o else '—'} |"
                                                      for o in others)
            )
        skipped = rec.get("skipped") or []
        if skipped:
            lines += ["", "Not run: " + "; ".join(f"{a} ({why})" for a, why in skipped) + "."]
    return lines


def plot(result: dict, path: Path) -> None:
    """Suboptimality against time, one panel per problem, one line per solver."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    recs = result["records"]
    n = len(recs)
    cols = min(3, n)
    rows = math.ceil(n / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(5.2 * cols, 3.8 * rows), squeeze=False)
    for ax, rec in zip(axes.ravel(), recs, strict=False):
        names = []
        for r in rec["runs"]:
            if r["solver"] not in names and not r["error"]:
                names.append(r["solver"])
        for name in names:
            pts = sorted((r["seconds"], max(r["subopt"], 1e-16)) for r in rec["runs"]
                         if r["solver"] == name and not r["error"]
                         and r.get("threads", 1) == rec.get("threads", [1])[0])
            style = dict(lw=2.5, color="black") if name == "logitlab auto" else dict(lw=1, alpha=0.8)
            ls = "-" if name.startswith("logitlab") else "--"
            ax.plot([p[0] for p in pts], [p[1] for p in pts], ls, marker="o", ms=3, label=name, **style)
        ax.axhline(1e-6, color="red", lw=0.8)
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_title(rec["description"], fontsize=8)
        ax.set_xlabel("seconds")
        ax.set_ylabel("(J − J*)/J*")
        ax.legend(fontsize=5)
    for ax in axes.ravel()[n:]:
        ax.axis("off")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
