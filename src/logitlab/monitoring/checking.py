"""Scoring with the contract checked: a drop-in for :class:`SavedModel` in the predict paths
(in memory and streamed, chunk by chunk), and :func:`check_contract` for the Python API."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.special import expit

from .checks import ContractChecker, ContractViolationError, Violation, check_option, respond
from .scoring import as_saved_model, contract_of, score_frame
from .thresholds import DEFAULT_ON_VIOLATION, DEFAULT_UNSEEN, ON_VIOLATION, RANGE_MARGIN

__all__ = ["CheckedScorer", "check_contract", "NO_CONTRACT"]

NO_CONTRACT = ("this model file has no data contract (schema version 1), so the data were not checked "
               "against the training data; retrain it to record one.")


class CheckedScorer:
    """Scores chunks like ``SavedModel.predict_proba_frame`` while counting contract violations.

    ``on_violation="error"`` raises as soon as the running totals break the contract (before any
    output file is renamed into place); ``unseen`` is the unseen-category policy (error|warn|zero).
    """

    def __init__(self, model: Any, on_violation: str = DEFAULT_ON_VIOLATION, unseen: str = DEFAULT_UNSEEN,
                 margin: float = RANGE_MARGIN) -> None:
        self.saved = as_saved_model(model)
        self.on_violation = check_option("--on-violation", on_violation, ON_VIOLATION)
        self.unseen = unseen
        contract = self.saved.contract
        self.checker = ContractChecker(contract, margin) if contract is not None else None
        self.n_unscored = 0

    def __getattr__(self, name: str) -> Any:  # encoding, labels, threshold … of the saved model
        return getattr(self.saved, name)

    def check_schema(self, types: dict[str, Any]) -> None:
        """Check the columns once from the whole source's schema (streamed chunks hold only some)."""
        if self.checker is not None:
            self.checker.check_schema(types)

    def predict_proba_frame(self, frame: Any) -> NDArray:
        """P(positive) per row; NaN for rows left unscored by ``unseen="warn"``."""
        return expit(self.scores_frame(frame))  # as SavedModel.predict_proba_frame: the same bits as before

    def scores_frame(self, frame: Any) -> NDArray:
        """The logit z per row (NaN where unscored), the contract counted and enforced."""
        if self.checker is not None:
            self.checker.update(frame)
            found = self.checker.violations()
            if self.unseen == "error":
                unseen = [v for v in found if v.kind == "unseen_category"]
                if unseen:
                    raise ContractViolationError(unseen, "--unseen error; or choose --unseen warn|zero")
            if self.on_violation == "error" and found:
                raise ContractViolationError(found)
        z, scored = score_frame(self.saved, frame, self.unseen)
        self.n_unscored += int((~scored).sum())
        return z

    def predict_labels(self, p: NDArray, threshold: float | None = None) -> list[Any]:
        """The predicted label per row; None where there is no probability."""
        labels = self.saved.predict_labels(np.nan_to_num(p), threshold)
        return [lab if np.isfinite(v) else None for lab, v in zip(labels, p, strict=True)]

    def violations(self) -> list[Violation]:
        return [] if self.checker is None else self.checker.violations()

    def finish(self, warn: Any) -> list[Violation]:
        """Respond to the totals (raise, or ``warn(line)`` per violation); the violations."""
        if self.checker is None:
            if self.on_violation != "ignore":
                warn(NO_CONTRACT)
            return []
        found = self.checker.violations()
        respond(found, self.on_violation, warn)
        if self.n_unscored and self.on_violation != "ignore":
            warn(f"{self.n_unscored} row(s) with unseen categories were left unscored (--unseen warn).")
        return found


def check_contract(model: Any, data: Any, margin: float = RANGE_MARGIN, batch_rows: int | None = None
                   ) -> list[Violation]:
    """The contract violations of ``data`` (DataFrame, CSV/Parquet file or directory, Dask DataFrame)."""
    from . import _sources

    saved = as_saved_model(model)
    contract = contract_of(saved)
    checker = ContractChecker(contract, margin)
    checker.check_schema(_sources.column_types(data))
    if _sources.is_dask(data):
        for other in _sources.map_partitions(data, lambda f: ContractChecker(contract, margin).update(f)):
            checker.merge(other)
    else:
        for frame in _sources.iter_frames(data, list(contract["features"]), batch_rows or _sources.BATCH_ROWS):
            checker.update(frame)
    return checker.violations()
