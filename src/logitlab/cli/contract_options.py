# ruff: noqa: B008  (typer declares options as argument defaults)
"""The data-contract options of ``predict`` and ``evaluate`` (and ``monitor``), and how their
violations are printed: one ``warning:`` line each on stderr, or one ``error:`` line and exit 2."""

from __future__ import annotations

from typing import Any

import typer

from ..monitoring.checking import CheckedScorer
from ..monitoring.thresholds import DEFAULT_ON_VIOLATION, DEFAULT_UNSEEN, RANGE_MARGIN
from .console import err, out

__all__ = ["ON_VIOLATION_OPTION", "UNSEEN_OPTION", "RANGE_MARGIN_OPTION", "contract_warn", "checked_scorer",
           "finish_contract", "show_evaluation"]

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


def show_evaluation(res: dict[str, Any], saved: Any, model_path: Any, data: Any, target: str | None,
                    as_json: bool) -> None:
    """Print a streamed evaluation (monitoring.evaluation.evaluate_data) as `evaluate` prints its own."""
    import sys

    from ..model_io import to_json
    from .results import metrics_table

    m, cm = res["metrics"], res["confusion_matrix"]
    target = target or saved.labels.target
    if as_json:
        doc = {"model": str(model_path), "data": str(data), "target": target, "positive": saved.labels.positive,
               "metrics": m, "confusion_matrix": cm, "violations": [v.to_dict() for v in res["violations"]]}
        if res["slices"] is not None:
            doc["slices"] = res["slices"]
        sys.stdout.write(to_json(doc))
        return
    out.print(metrics_table({str(data.name): m}, title=f"metrics at threshold {m['threshold']:.4g} (streamed)"))
    out.print(f"confusion matrix: TN {cm['tn']}  FP {cm['fp']}  FN {cm['fn']}  TP {cm['tp']} "
              f"(positive = {saved.labels.positive!r})")
    if res["slices"] is not None:
        from .slice_output import print_slices

        print_slices(res["slices"])
