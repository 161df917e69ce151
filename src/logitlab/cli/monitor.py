# ruff: noqa: B008  (typer declares options as argument defaults)
"""``logitlab monitor``: drift, calibration and expected performance of a saved model on new
data, written to DIR/monitor.json and DIR/monitor.html; ``--fail-on`` turns it into a gate."""

from __future__ import annotations

from pathlib import Path

import typer

from .console import err, out
from .contract_options import RANGE_MARGIN_OPTION, contract_warn
from .errors import user_errors

__all__ = ["monitor"]


def monitor(
    model_path: Path = typer.Argument(..., metavar="MODEL", help="model.json written by `logitlab train`."),
    data: Path = typer.Argument(..., metavar="DATA", help="CSV or Parquet file, or a directory of them (streamed)."),
    target: str | None = typer.Option(None, "--target", "-t", help="Label column: adds calibration and metrics."),
    reference: Path | None = typer.Option(
        None, "--reference", help="Training data to compare with instead of the contract in the model file."),
    out_dir: Path = typer.Option(Path("monitor"), "--out", "-o", help="Directory for monitor.json and monitor.html."),
    fail_on: str | None = typer.Option(
        None, "--fail-on", help="Gate rules, e.g. \"psi>0.25,ece>0.05,auc_drop>0.02\": exit 3 when one is breached."),
    range_margin: float = RANGE_MARGIN_OPTION,
    batch_rows: int = typer.Option(262_144, "--batch-rows", help="Rows per chunk (memory stays bounded)."),
) -> None:
    """Data drift, score shift, calibration and (expected) performance against training; a rollback gate."""
    with user_errors():
        from ..monitoring.gate import GATE_EXIT_CODE, parse_rules
        from ..monitoring.monitor import monitor as run_monitor

        parse_rules(fail_on)  # a bad rule fails before the pass over the data
        report = run_monitor(model_path, data, target, reference, fail_on=fail_on, margin=range_margin,
                             batch_rows=batch_rows)
        json_path, html_path = report.save(out_dir)
    doc = report.doc
    for v in doc["violations"]:
        contract_warn(v["message"])
    drifting = [f for f in doc["features"] if f["drift"] != "stable"]
    out.print(f"{doc['n_rows']} rows; score PSI {doc['score']['psi']:.4g}; "
              f"{len(drifting)} of {len(doc['features'])} features drifting", markup=False)
    for f in drifting[:5]:
        out.print(f"  {f['name']}: PSI {f['psi']:.4g}, {f['test']} p = {f['pvalue']:.3g}, "
                  f"moves the mean logit by {f['score_shift']:+.4g}", markup=False)
    if "metrics" in doc:
        m, ref = doc["metrics"], doc.get("reference_metrics") or {}
        out.print(f"AUC {m['roc_auc']:.4f} (training {ref.get('roc_auc', float('nan')):.4f}); "
                  f"ECE {m['ece']:.4f}; Hosmer–Lemeshow p = {doc['calibration']['hosmer_lemeshow']['pvalue']:.3g}",
                  markup=False)
    else:
        e = doc["expected"]["metrics"]
        if "roc_auc" in e:
            out.print(f"expected AUC {e['roc_auc']['estimate']:.4f} [{e['roc_auc']['lower']:.4f}, "
                      f"{e['roc_auc']['upper']:.4f}], expected accuracy {e['accuracy']['estimate']:.4f} "
                      "(no labels: assumes the model is calibrated on this data)", markup=False)
    out.print(f"monitor: {json_path}\nmonitor: {html_path}", markup=False)
    if not report.passed:
        for line in report.breached:
            err.print(line, markup=False)
        raise typer.Exit(GATE_EXIT_CODE)
