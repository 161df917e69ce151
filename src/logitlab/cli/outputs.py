"""Writing a run's output files (model.json, report.html, predictions)."""

from __future__ import annotations

from pathlib import Path

from ..model_io import atomic_write_text
from .console import out

__all__ = ["write_outputs", "print_written"]


def write_outputs(files: dict[Path, str]) -> None:
    """Write each file atomically (a reader sees the old file or the new one, never half of one)."""
    for path, text in files.items():
        atomic_write_text(path, text)


def print_written(files: dict[Path, str]) -> None:
    """Where the run's files went (``model:`` and ``report:`` lines)."""
    for path in files:
        label = "model: " if path.name == "model.json" else "report:"
        out.print(f"{label} {path}")
