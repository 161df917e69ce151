"""Markdown tables and a plot from a benchmark result."""

from __future__ import annotations

import math
from pathlib import Path

__all__ = ["markdown", "plot"]


def _fmt_t(x) -> str:
    return "—" if x is None or not math.isfinite(x) else (f"{x:.3g} s" if x >= 0.01 else f"{1e3 * x:.2g} ms")


def _fmt_mem(run: dict | None) -> str:
    if not run or run.get("peak_frac") is None:
        return "—"
    return f"{run['peak_mb']:.1f} MB ({100 * run['peak_frac']:.1f} % of X)"


def markdown(result: dict, command: str) -> str:
    """The headline table (logitlab's default vs the fastest peer) and per-problem details."""
    lines = [
        f"Machine: {result['machine']}; {result['date']}; row scale {result['scale']}, "
        f"median of {result['repeats']} runs after a warm-up; total {result['seconds'] / 60:.1f} min.",
        f"Reproduce: `{command}`",
        "",
        "Time to reach (J − J*)/J* ≤ 1e-6 (J* from a tight solve, KKT residual shown); ratio = "
        "logitlab default ÷ fastest peer, same run (target ≤ 0.5).",
        "",
        "| problem | logitlab default | passes | fastest peer | its time | passes | ratio "
        "| peak extra memory: logitlab | fastest peer |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for rec in result["records"]:
        h = rec["headline"]
        ours, peer = h["ours"], h["fastest_peer"]
        mem = f"{_fmt_mem(ours)} | {_fmt_mem(peer)}"
        lines.append(
            f"| {rec['description']} | {_fmt_t(ours['seconds']) if ours else 'not reached'} | "
            f"{ours['passes']:.1f} | " if ours else f"| {rec['description']} | not reached | — | "
        )
        lines[-1] += (
            f"{peer['solver'] if peer else '—'} | {_fmt_t(peer['seconds']) if peer else '—'} | "
            f"{peer['passes']:.1f} | " if peer else "— | — | — | "
        )
        lines[-1] += f"{h['ratio']:.2f} | {mem} |" if math.isfinite(h["ratio"]) else f"— | {mem} |"
    for rec in result["records"]:
        lines += [
            "",
            f"### {rec['description']}",
            "",
            f"X: {rec['x_mb']:.1f} MB; J* = {rec['J_star']:.12g} (KKT residual {rec['kkt_star']:.1e}); "
            f"one pass (X·w + Xᵀ·r) = {1e3 * rec['pass_seconds']:.1f} ms.",
            "",
            "| solver | time to ≤1e-6 | passes | tol used | (J−J*)/J* | KKT residual | peak extra memory |",
            "| --- | --- | --- | --- | --- | --- | --- |",
        ]
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
                lines.append(f"| {n} | not reached | — | — | {why} | — | — |")
                continue
            mem = "—" if b.get("peak_mb") is None else f"{b['peak_mb']:.1f} MB ({100 * b['peak_frac']:.1f} %)"
            lines.append(
                f"| {n} | {_fmt_t(b['seconds'])} | {b['passes']:.1f} | {b['tol']:.0e} | {b['subopt']:.1e} | "
                f"{b['kkt']:.1e} | {mem} |"
            )
    return "\n".join(lines) + "\n"


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
                         if r["solver"] == name and not r["error"])
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
