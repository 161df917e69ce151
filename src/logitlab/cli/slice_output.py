"""Printing sliced evaluation (``evaluate --slice-by``) as a table, with its warnings."""

from __future__ import annotations

import math
from typing import Any

from rich.table import Table

from .console import err, out

__all__ = ["print_slices"]

_HEAD = ["slice", "n", "pos", "log-loss", "AUC", "prec", "recall", "mean p", "obs", "worse"]


def _cell(v: Any) -> str:
    if isinstance(v, float):
        return "—" if not math.isfinite(v) else f"{v:.3f}"
    return str(v)


def print_slices(result: dict[str, Any]) -> None:
    """The slice table on stdout, one warning line per small slice on stderr."""
    from ..monitoring.slices import slice_rows

    table = Table(title=f"metrics by {', '.join(result['by'])} at threshold {result['threshold']:.4g} "
                        f"({result['level']:.0%} intervals in --json)", title_justify="left")
    for i, h in enumerate(_HEAD):
        edge = i in (0, len(_HEAD) - 1)
        table.add_column(h, justify="left" if edge else "right", overflow="fold", no_wrap=not edge,
                         min_width=(18 if i == 0 else 10) if edge else None)
    for row in slice_rows(result):
        table.add_row(*[_cell(v) for v in row])
    out.print(table)
    for line in result["warnings"]:
        err.print(f"warning: {line}", markup=False, style="yellow")
    if result["flagged"]:
        out.print(f"worse than the whole data: {'; '.join(result['flagged'])}", markup=False)
