"""`logitlab monitor`: one pass over new data → contract violations, feature and score drift
against training, calibration and metrics when labels are given, expected performance when not,
and the rollback gate. The pass keeps counts only, so its memory does not grow with the rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..data import DataError, Labels, encode_labels
from ..model_io import SavedModel, atomic_write_text, to_json
from ._sources import labels01
from .checks import ContractChecker
from .contract import Contract, type_family
from .drift import CategoryCounts, NumericCounts
from .expected import expected_performance
from .gate import evaluate_gate, parse_rules
from .scores import ScoreSummary
from .scoring import as_saved_model, contract_of, score_frame
from .thresholds import DRIFT_PVALUE, PSI_MAJOR, PSI_MODERATE, RANGE_MARGIN

__all__ = ["MonitorState", "MonitorReport", "monitor", "reference_metrics"]


class MonitorState:
    """Everything the monitor counts, for one chunk or the sum of many (:meth:`merge`)."""

    def __init__(self, saved: SavedModel, contract: dict[str, Any], labels: Labels | None,
                 margin: float = RANGE_MARGIN, unseen: str = "warn") -> None:
        self.saved, self.labels, self.unseen = saved, labels, unseen
        self.checker = ContractChecker(contract, margin)
        feats = contract["features"]
        self.numeric = {n: NumericCounts(f["percentiles"]) for n, f in feats.items()
                        if f["kind"] == "numeric" and f.get("percentiles")}
        self.categories = {n: CategoryCounts() for n, f in feats.items() if f["kind"] == "categorical"}
        self.score_grid = NumericCounts(contract["score"]["percentiles"])
        self.scores = ScoreSummary(saved.threshold, labels is not None)
        self.unscored = 0

    def update(self, frame: Any) -> MonitorState:
        """Count one chunk (a pandas DataFrame)."""
        self.checker.update(frame)
        for name, counts in self.numeric.items():
            if name in frame.columns and type_family(frame[name].dtype) in ("number", "boolean"):
                counts.update(frame[name].to_numpy(dtype=np.float64, na_value=np.nan))
        for name, counts in self.categories.items():
            if name in frame.columns:
                counts.update(frame[name].to_numpy())
        z, scored = score_frame(self.saved, frame, self.unseen, skip_incomplete=True)
        y = labels01(frame, self.labels)[scored] if self.labels is not None else None
        self.scores.update(z[scored], y)
        self.score_grid.update(z[scored])
        self.unscored += int((~scored).sum())
        return self

    def merge(self, other: MonitorState) -> MonitorState:
        self.checker.merge(other.checker)
        for name, counts in self.numeric.items():
            counts.merge(other.numeric[name])
        for name, counts in self.categories.items():
            counts.merge(other.categories[name])
        self.score_grid.merge(other.score_grid)
        self.scores.merge(other.scores)
        self.unscored += other.unscored
        return self


def reference_metrics(saved: SavedModel, contract: dict[str, Any]) -> dict[str, Any] | None:
    """The metrics to compare against: the contract's (held-out part) or the model file's."""
    if contract.get("metrics"):
        return contract["metrics"]
    parts = (saved.doc.get("training") or {}).get("metrics") or {}
    return parts.get("held-out") or parts.get("train")


def _drift_level(d: dict[str, Any]) -> str:
    if d["psi"] > PSI_MAJOR:
        return "major"
    if d["psi"] > PSI_MODERATE or d["pvalue"] < DRIFT_PVALUE:
        return "moderate"
    return "stable"


def _feature_rows(state: MonitorState, contract: dict[str, Any]) -> list[dict[str, Any]]:
    """Per feature: PSI, the test, and its contribution w·Δ to the shift of the mean logit."""
    saved, n_rows = state.saved, int(contract["n_rows"])
    weight = dict(zip(saved.feature_names, saved.coef.tolist(), strict=True))
    rows = []
    for col in saved.encoding.columns:
        name, entry = col["name"], contract["features"][col["name"]]
        if name in state.numeric:
            if state.numeric[name].n == 0:
                continue
            n_ref = int(round(n_rows * (1 - float(entry.get("missing_share") or 0))))
            d = state.numeric[name].drift(entry, n_ref)
            shift = weight[name] * (d["mean"] - entry["mean"])
        elif name in state.categories:
            d = state.categories[name].drift(entry)
            if d["n"] == 0:
                continue
            shares = dict(zip(d["categories"], zip(d["training_shares"], d["shares"], strict=True), strict=True))
            shift = sum(weight[f"{name}={c}"] * (shares[c][1] - shares[c][0]) for c in col["categories"][1:])
        else:
            continue
        rows.append({"name": name, "kind": col["kind"], "score_shift": float(shift), **d})
    rows.sort(key=lambda r: -abs(r["score_shift"]))
    for rank, r in enumerate(rows, 1):
        r["rank"], r["drift"] = rank, _drift_level(r)
    return rows


def summarize(state: MonitorState, contract: dict[str, Any], meta: dict[str, Any]) -> dict[str, Any]:
    """The monitor.json document from the counts."""
    s, saved = state.scores, state.saved
    if s.n == 0:
        raise DataError("no row could be scored (every row has a missing feature value or an unseen category).")
    score = state.score_grid.drift(contract["score"], int(contract["n_rows"]))
    score.update(mean_logit=s.sums["z"] / s.n, training_mean_logit=contract["score"]["mean"],
                 mean_probability=s.sums["p"] / s.n, training_mean_probability=contract["score"]["mean_probability"],
                 predicted_positive_share=s.sums["pred_pos"] / s.n,
                 training_predicted_positive_share=contract["score"]["predicted_positive_share"])
    score["drift"] = _drift_level(score)
    doc: dict[str, Any] = {
        **meta, "n_rows": state.checker.n_rows, "n_scored": s.n, "n_unscored": state.unscored,
        "labelled": s.labelled, "threshold": saved.threshold,
        "violations": [v.to_dict() for v in state.checker.violations()],
        "features": _feature_rows(state, contract), "score": score,
        "reference_metrics": reference_metrics(saved, contract),
        "class_balance": {"training": (contract.get("class_balance") or {}).get("positive_share")},
        "expected": expected_performance(s),
    }
    if s.labelled:
        doc["metrics"] = s.metrics()
        doc["class_balance"]["current"] = doc["metrics"]["positive_rate"]
        doc["calibration"] = {"reliability": s.reliability(), "ece": s.ece_value(),
                              "hosmer_lemeshow": s.hosmer_lemeshow()}
    return doc


@dataclass
class MonitorReport:
    """A monitor result: the monitor.json document, and the gate's verdict when rules were given."""

    doc: dict[str, Any]
    breached: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.breached

    def to_json(self) -> str:
        return to_json(self.doc)

    def to_html(self) -> str:
        from .html import render_monitor

        return render_monitor(self.doc)

    def save(self, out_dir: str | Path) -> tuple[Path, Path]:
        """Write DIR/monitor.json and DIR/monitor.html (atomically); their paths."""
        d = Path(out_dir)
        if d.exists() and not d.is_dir():
            raise DataError(f"--out {d} is a file; give a directory for monitor.json and monitor.html.")
        json_text, html_text = self.to_json(), self.to_html()
        atomic_write_text(d / "monitor.json", json_text)
        atomic_write_text(d / "monitor.html", html_text)
        return d / "monitor.json", d / "monitor.html"


def _reference_contract(saved: SavedModel, reference: Any, target: str | None) -> dict[str, Any]:
    """A contract recorded from reference data (instead of the model's), in memory."""
    from ..data import read_table
    from .contract import record_contract

    frame = read_table(reference) if isinstance(reference, (str, Path)) else reference
    z, scored = score_frame(saved, frame, "warn", skip_incomplete=True)
    frame, z = frame[scored], z[scored]
    y = None
    if target is not None and target in frame.columns:
        y = encode_labels(frame, Labels(target, saved.labels.negative, saved.labels.positive))
    doc = record_contract(frame, saved.encoding, z, y, target, saved.threshold)
    if y is not None:
        doc["metrics"] = ScoreSummary(saved.threshold, True).update(z, y).metrics() | {"part": "reference"}
    return doc


def monitor(model: Any, data: Any, target: str | None = None, reference: Any = None, *,
            fail_on: str | None = None, margin: float = RANGE_MARGIN, unseen: str = "warn",
            batch_rows: int | None = None) -> MonitorReport:
    """Monitor ``data`` (DataFrame, CSV/Parquet file or directory, or Dask DataFrame) for a model.

    ``target`` names the label column (then calibration and metrics are computed), ``reference``
    is training data to compare with instead of the contract stored in the model file, and
    ``fail_on`` holds gate rules such as "psi>0.25,ece>0.05,auc_drop>0.02".
    """
    from . import _sources

    saved = as_saved_model(model)
    rules = parse_rules(fail_on)
    contract = _reference_contract(saved, reference, target) if reference is not None else contract_of(saved)
    Contract(contract)  # version check
    labels = None if target is None else Labels(target, saved.labels.negative, saved.labels.positive)
    if labels is not None and target not in _sources.column_types(data):
        raise DataError(f"target column {target!r} is not in the data.")
    columns = list(dict.fromkeys(saved.encoding.input_columns + ([target] if target else [])))
    state = MonitorState(saved, contract, labels, margin, unseen)
    state.checker.check_schema(_sources.column_types(data))
    if _sources.is_dask(data):
        def part(frame: Any) -> MonitorState:
            chunk = frame[[c for c in columns if c in frame]]
            return MonitorState(saved, contract, labels, margin, unseen).update(chunk)

        for other in _sources.map_partitions(data, part):
            state.merge(other)
    else:
        for frame in _sources.iter_frames(data, columns, batch_rows or _sources.BATCH_ROWS):
            state.update(frame)
    meta = {"model": str(model) if isinstance(model, (str, Path)) else None,
            "data": str(data) if isinstance(data, (str, Path)) else type(data).__name__,
            "target": target, "reference": "given data" if reference is not None else "training contract"}
    doc = summarize(state, contract, meta)
    if rules:
        doc["gate"] = evaluate_gate(rules, doc)
    return MonitorReport(doc, doc.get("gate", {}).get("breached", []))
