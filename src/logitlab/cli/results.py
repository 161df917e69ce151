"""What a training run reports and saves: threshold, metrics, the printed tables and model.json's body.

Shared by the in-memory and the streamed ``train`` (:mod:`.train`, :mod:`.stream`).
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import numpy as np
from rich.table import Table

from .. import __version__
from ..data import Encoding, Labels
from ..model_io import SavedModel
from .console import err, out
from .errors import UsageError, one_line

__all__ = ["METRIC_ROWS", "threshold_rule", "metrics", "metrics_table", "coef_table", "landscape_axes",
           "print_training", "saved_model", "fitted_design"]

METRIC_ROWS = ["log_loss", "accuracy", "precision", "recall", "f1", "roc_auc", "average_precision", "brier"]


def fitted_design(model: Any) -> Any:
    """The fitted estimator's design (its ``offset``/``scale`` are the standardization the penalty saw).

    The one place the CLI reads the estimator's training objective (kept for ``summary()``)."""
    return model._fit_objective.design


def threshold_rule(y: Any, p: Any, threshold: float | None, cost_fp: float | None, cost_fn: float | None,
                   chosen_on: str) -> tuple[float, dict[str, Any]]:
    """The decision threshold and how it was chosen: given (default 0.5), or the expected-cost minimum
    on (y, p) when a cost of a false positive or a false negative is given (the other defaults to 1)."""
    if cost_fp is None and cost_fn is None:
        return (0.5 if threshold is None else threshold), {"kind": "fixed"}
    from ..metrics import choose_threshold

    cfp, cfn = cost_fp if cost_fp is not None else 1.0, cost_fn if cost_fn is not None else 1.0
    choice = choose_threshold(y, p, cfp, cfn)
    return choice.threshold, {"kind": "cost", "cost_fp": cfp, "cost_fn": cfn, "chosen_on": chosen_on,
                              **choice.as_dict()}


def metrics(y: Any, p: Any, threshold: float) -> dict[str, float]:
    """The metrics of one part (log-loss, accuracy, … at ``threshold``), from logitlab.metrics."""
    from ..metrics import classification_summary

    return classification_summary(y, p, threshold)


def metrics_table(parts: dict[str, dict[str, float]], title: str = "metrics") -> Table:
    table = Table(title=title, title_justify="left")
    table.add_column("metric")
    for name, m in parts.items():
        table.add_column(f"{name} (n={int(m['n'])})", justify="right")
    for key in METRIC_ROWS:
        table.add_row(key, *[("—" if not np.isfinite(m[key]) else f"{m[key]:.4f}") for m in parts.values()])
    return table


def coef_table(names: list[str], coef: Any, std_coef: Any | None, limit: int = 20) -> Table:
    order = np.argsort(-np.abs(std_coef if std_coef is not None else coef), kind="stable")
    table = Table(title="coefficients (largest first)", title_justify="left")
    table.add_column("feature")
    table.add_column("weight", justify="right")
    if std_coef is not None:
        table.add_column("per std. dev.", justify="right")
    for j in order[:limit]:
        row = [names[j], f"{coef[j]:.6g}"] + ([f"{std_coef[j]:.4g}"] if std_coef is not None else [])
        table.add_row(*row)
    if len(order) > limit:
        table.add_row(f"… {len(order) - limit} more in model.json", "", *([""] if std_coef is not None else []))
    return table


def landscape_axes(spec: str | None, names: list[str], fit_intercept: bool) -> list[int] | None:
    """--landscape "A,B": two parameter names (features, or b / intercept)."""
    if spec is None:
        return None
    parts = [s.strip() for s in spec.split(",")]
    if len(parts) != 2 or parts[0] == parts[1]:
        raise UsageError(f"--landscape needs two different parameter names separated by a comma; got {spec!r}.")
    idx = []
    for p in parts:
        if p in ("b", "intercept") and fit_intercept:
            idx.append(len(names))
        elif p in names:
            idx.append(names.index(p))
        else:
            raise UsageError(f"--landscape: {p!r} is not a parameter; use 'b' or a feature name such as {names[0]!r}.")
    return idx


def print_training(model: Any, labels: Labels, names: list[str], parts: dict, threshold: float,
                   rule: dict, summary: bool) -> None:
    """The training run's printout: labels, fit, threshold, metrics and coefficients (and the summary)."""
    out.print(f"labels: {labels.positive!r} → 1 (positive), {labels.negative!r} → 0")
    o = model.objective_
    out.print(f"fit: {model.solver_}, {int(model.n_iter_[0])} iterations, {model.status_}; "
              f"J = {o['J']:.6g} (data loss {o['data_loss']:.6g} + penalty {o['penalty']:.6g}), "
              f"λ = {o['lam']:g}, l1_ratio = {o['l1_ratio']:g}")
    how = (f" (minimizes {rule['cost_fp']:g}·FP + {rule['cost_fn']:g}·FN on the train part)"
           if rule["kind"] == "cost" else "")
    out.print(f"threshold: {threshold:.4g}{how}")
    out.print(metrics_table(parts))
    coef = model.coef_.ravel()
    std = fitted_design(model).scale
    out.print(coef_table(names, coef, coef * std if std is not None else None))
    out.print(f"intercept: {model.intercept_[0]:.6g}")
    if summary:
        try:
            stats = model.summary()
            stats.stats["positive_class"] = str(labels.positive)  # the user's label, not the encoded 1
            out.print(str(stats), markup=False)
            if stats.method == "mle":  # HL test, marginal effects, influential rows
                from ..stats.overview import diagnostics_overview
                out.print(diagnostics_overview(model).to_text(), markup=False)
        except ValueError as exc:  # e.g. inference under separation
            err.print(f"warning: no summary: {one_line(exc)}", markup=False, style="yellow")


def saved_model(model: Any, encoding: Encoding, labels: Labels, threshold: float, rule: dict,
                parts: dict, source: str, split: dict) -> SavedModel:
    """The model file's content: coefficients, encoding, labels, threshold and how the run went."""
    o = model.objective_
    d = fitted_design(model)
    doc = {
        "logitlab_version": __version__,
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "threshold_rule": rule,
        "standardization": {
            "applied": bool(model.standardize),
            "note": "coefficients are in the units of the input columns; these are the means and "
                    "standard deviations the penalty was applied on",
            "mean": None if d.offset is None else d.offset.tolist(),
            "scale": None if d.scale is None else d.scale.tolist(),
        },
        "hyperparameters": {k: model.get_params()[k] for k in
                            ("lam", "l1_ratio", "solver", "tol", "max_iter", "learning_rate", "fit_intercept",
                             "standardize", "class_weight")},
        "training": {
            "source": source, **split, "solver": model.solver_, "status": model.status_,
            "n_iter": int(model.n_iter_[0]), "J": o["J"], "data_loss": o["data_loss"], "penalty": o["penalty"],
            "kkt_residual": o["kkt_residual"], "formula": o["formula"],
            "sklearn_C": o["sklearn_C"], "glmnet_alpha": o["glmnet_alpha"], "metrics": parts,
        },
    }
    return SavedModel(encoding, labels, model.coef_.ravel().copy(), float(model.intercept_[0]), threshold, doc)
