# ruff: noqa: B008  (typer declares options as argument defaults)
"""The data-contract options of ``predict`` and ``evaluate`` (and ``monitor``), and how their
violations are printed: one ``warning:`` line each on stderr, or one ``error:`` line and exit 2."""

from __future__ import annotations

from typing import Any

import typer

from ..monitoring.checking import CheckedScorer
from ..monitoring.thresholds import DEFAULT_ON_VIOLATION, DEFAULT_UNSEEN, RANGE_MARGIN
from .console import err

__all__ = ["ON_VIOLATION_OPTION", "UNSEEN_OPTION", "RANGE_MARGIN_OPTION", "contract_warn", "checked_scorer",
           "finish_contract"]

ON_VIOLATION_OPTION = typer.Option(
    DEFAULT_ON_VIOLATION, "--on-violation",
    help="What a broken data contract does: error (exit 2, nothing written), warn (one line each), ignore.")
UNSEEN_OPTION = typer.Option(
    DEFAULT_UNSEEN, "--unseen",
    help="Categories never seen in training: error, warn (those rows get no prediction), or zero "
         "(scored as the reference level, all one-hot columns zero).")
RANGE_MARGIN_OPTION = typer.Option(
    RANGE_MARGIN, "--range-margin",
    help="Values further than this × the training range outside it are violations.")


def contract_warn(line: str) -> None:
    """One contract warning on stderr."""
    err.print(f"warning: {line}", markup=False, style="yellow")


def checked_scorer(saved: Any, on_violation: str, unseen: str, margin: float) -> CheckedScorer:
    """The saved model wrapped so that scoring checks its contract."""
    return CheckedScorer(saved, on_violation, unseen, margin)


def finish_contract(scorer: Any) -> list[Any]:
    """Print (or raise) the contract's verdict on everything scored; the violations."""
    return scorer.finish(contract_warn) if isinstance(scorer, CheckedScorer) else []
