# ruff: noqa: B008  (typer declares options as argument defaults)
"""``logitlab compare``: champion (OLD) against challenger (NEW) on the same labelled data."""

from __future__ import annotations

import sys
from pathlib import Path

import typer
from rich.table import Table

from .console import out
from .errors import user_errors

__all__ = ["compare"]


def compare(
    old: Path = typer.Argument(..., metavar="OLD", help="The champion's model.json."),
    new: Path = typer.Argument(..., metavar="NEW", help="The challenger's model.json."),
    data: Path = typer.Argument(..., metavar="DATA", help="Labelled CSV or Parquet file (or a directory of them)."),
    target: str | None = typer.Option(None, "--target", "-t", help="Target column (default: OLD's)."),
    as_json: bool = typer.Option(False, "--json", help="Print the comparison as JSON."),
    seed: int = typer.Option(0, "--seed", help="Seed of the paired bootstrap."),
) -> None:
    """Each metric of both models, the difference new − old and its paired 95 % interval."""
    with user_errors():
        from ..model_io import to_json
        from ..monitoring.compare import compare_models

        result = compare_models(old, new, data, target, seed=seed)
    if as_json:
        sys.stdout.write(to_json(result))
        return
    table = Table(title=f"{old.name} (old) vs {new.name} (new) on {result['n']} rows", title_justify="left")
    for h in ("metric", "old", "new", "new − old", f"{result['level']:.0%} interval", "method", "better"):
        table.add_column(h, justify="right" if h not in ("metric", "method", "better") else "left")
    for r in result["rows"]:
        table.add_row(r["metric"], f"{r['old']:.4f}", f"{r['new']:.4f}", f"{r['difference']:+.4f}",
                      f"[{r['ci'][0]:+.4f}, {r['ci'][1]:+.4f}]", r["method"], r["better"])
    out.print(table)
