# ruff: noqa: B008  (typer declares options as argument defaults)
"""Options shared by several commands, and the checks of option values made before any work."""

from __future__ import annotations

import numpy as np
import typer

from .errors import UsageError

__all__ = ["STREAM_ABOVE_OPTION", "BATCH_ROWS_OPTION", "STREAM_ABOVE_GIB", "parse_lam", "check_threshold"]

#: default size (GiB on disk) above which ``train`` and ``predict`` stream DATA instead of loading it
STREAM_ABOVE_GIB = 1.0

STREAM_ABOVE_OPTION = typer.Option(STREAM_ABOVE_GIB, "--stream-above", help="GiB on disk above which DATA is streamed.")
BATCH_ROWS_OPTION = typer.Option(262_144, "--batch-rows", help="Rows per chunk when streaming.")


def parse_lam(lam: str) -> float | None:
    """A number ≥ 0, or None for "auto" (cross-validation)."""
    if lam.strip().lower() == "auto":
        return None
    try:
        value = float(lam)
    except ValueError:
        raise UsageError(f"--lam must be a number ≥ 0 or 'auto'; got {lam!r}.") from None
    if not np.isfinite(value) or value < 0:
        raise UsageError(f"--lam must be a finite number ≥ 0 (0 = no penalty) or 'auto'; got {lam!r}.")
    return value


def check_threshold(threshold: float | None) -> None:
    """--threshold, when given, lies strictly between 0 and 1."""
    if threshold is not None and not 0 < threshold < 1:
        raise UsageError(f"--threshold must lie strictly between 0 and 1; got {threshold:g}.")
