"""The rollback gate: rules such as ``psi>0.25,ece>0.05,auc_drop>0.02`` checked against a
monitor result; every breached rule is one line, so a scheduler or CI job can stop a rollout.
"""

from __future__ import annotations

import operator
import re
from dataclasses import asdict, dataclass
from typing import Any

from ..data import DataError

__all__ = ["Rule", "parse_rules", "gate_values", "evaluate_gate", "GATE_METRICS", "GATE_EXIT_CODE"]

#: exit status of `logitlab monitor` when a rule is breached (2 is kept for bad input)
GATE_EXIT_CODE = 3

_OPS = {">=": operator.ge, "<=": operator.le, ">": operator.gt, "<": operator.lt}

#: gate metric → what it is (the values come from monitor.json)
GATE_METRICS = {
    "psi": "largest PSI of any feature against training",
    "score_psi": "PSI of the score (logit) distribution against training",
    "ks": "largest KS statistic of any numeric feature",
    "violations": "number of contract violations",
    "ece": "expected calibration error (needs labels)",
    "hl_pvalue": "Hosmer–Lemeshow p-value (needs labels; breach with '<')",
    "auc": "ROC AUC (needs labels)",
    "auc_drop": "training AUC − current AUC (needs labels)",
    "log_loss": "log-loss (needs labels)",
    "log_loss_rise": "current log-loss − training log-loss (needs labels)",
    "accuracy_drop": "training accuracy − current accuracy (needs labels)",
    "precision_drop": "training precision − current precision (needs labels)",
    "recall_drop": "training recall − current recall (needs labels)",
    "expected_auc_drop": "training AUC − expected AUC from the model's own probabilities (no labels needed)",
    "expected_accuracy_drop": "training accuracy − expected accuracy (no labels needed)",
}


@dataclass
class Rule:
    """One rule: metric, comparison and limit; breached when ``metric op limit`` holds."""

    metric: str
    op: str
    limit: float

    def __str__(self) -> str:
        return f"{self.metric}{self.op}{self.limit:g}"


def parse_rules(spec: str | None) -> list[Rule]:
    """Rules from "name>value,name<value,…" (ops > >= < <=); one clear error for a bad one."""
    if spec is None or not spec.strip():
        return []
    rules = []
    for part in spec.split(","):
        m = re.fullmatch(r"\s*([a-z_]+)\s*(>=|<=|>|<)\s*([-+0-9.eE]+)\s*", part)
        if not m:
            raise DataError(f"--fail-on: cannot read the rule {part.strip()!r}; write e.g. "
                            "\"psi>0.25,ece>0.05,auc_drop>0.02\".")
        name, op, value = m.groups()
        if name not in GATE_METRICS:
            raise DataError(f"--fail-on: unknown metric {name!r}; choose from {', '.join(GATE_METRICS)}.")
        try:
            limit = float(value)
        except ValueError:
            raise DataError(f"--fail-on: {value!r} in {part.strip()!r} is not a number.") from None
        rules.append(Rule(name, op, limit))
    return rules


def gate_values(result: dict[str, Any]) -> dict[str, tuple[float, str]]:
    """Each gate metric's value in a monitor result, with what it refers to (e.g. the feature)."""
    vals: dict[str, tuple[float, str]] = {"violations": (float(len(result["violations"])), "")}
    feats = result["features"]
    if feats:
        top = max(feats, key=lambda f: f["psi"])
        vals["psi"] = (top["psi"], f"feature {top['name']!r}")
        ks = [f for f in feats if f["test"] == "ks"]
        if ks:
            top = max(ks, key=lambda f: f["statistic"])
            vals["ks"] = (top["statistic"], f"feature {top['name']!r}")
    vals["score_psi"] = (result["score"]["psi"], "")
    ref = result.get("reference_metrics") or {}
    exp = result["expected"]["metrics"]
    for key, name in (("roc_auc", "expected_auc_drop"), ("accuracy", "expected_accuracy_drop")):
        if key in exp and ref.get(key) is not None:
            vals[name] = (ref[key] - exp[key]["estimate"], f"training {ref[key]:.4g}")
    cur = result.get("metrics")
    if cur:
        vals["ece"] = (cur["ece"], "")
        vals["hl_pvalue"] = (result["calibration"]["hosmer_lemeshow"]["pvalue"], "")
        vals["auc"] = (cur["roc_auc"], "")
        vals["log_loss"] = (cur["log_loss"], "")
        for key, name, sign in (("roc_auc", "auc_drop", 1), ("log_loss", "log_loss_rise", -1),
                                ("accuracy", "accuracy_drop", 1), ("precision", "precision_drop", 1),
                                ("recall", "recall_drop", 1)):
            if ref.get(key) is not None:
                vals[name] = (sign * (ref[key] - cur[key]), f"training {ref[key]:.4g}, now {cur[key]:.4g}")
    return vals


def evaluate_gate(rules: list[Rule], result: dict[str, Any]) -> dict[str, Any]:
    """Each rule's value and whether it is breached; one message line per breached rule."""
    values = gate_values(result)
    checked, lines = [], []
    for rule in rules:
        if rule.metric not in values:
            need = "labels: give --target" if "needs labels" in GATE_METRICS[rule.metric] else "training metrics"
            raise DataError(f"--fail-on: {rule.metric!r} cannot be computed for this data (it needs {need}).")
        value, about = values[rule.metric]
        breached = bool(_OPS[rule.op](value, rule.limit))
        checked.append(asdict(rule) | {"value": value, "breached": breached, "about": about})
        if breached:
            where = f" ({about})" if about else ""
            lines.append(f"gate: {rule.metric} = {value:.4g} {rule.op} {rule.limit:g}{where}")
    return {"rules": checked, "breached": lines, "passed": not lines}
