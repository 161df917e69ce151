"""The options of ``logitlab train`` in one object, shared by the in-memory and the streamed paths."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["TrainOptions"]


@dataclass
class TrainOptions:
    """Every option of ``logitlab train``, as given on the command line."""

    data: Path | None
    target: str | None
    dataset: str | None
    out_dir: Path
    lam: str
    l1_ratio: float
    solver: str
    learning_rate: float
    max_iter: int | None
    tol: float
    standardize: bool
    class_weight: str | None
    test_size: float
    seed: int
    threshold: float | None
    cost_fp: float | None
    cost_fn: float | None
    positive: str | None
    drop: list[str]
    max_categories: int
    landscape: str | None
    summary: bool
    report: bool
    quiet: bool
    out_of_core: bool | None
    stream_above: float
    batch_rows: int
    checkpoint: Path | None
    metrics_sample: int
    dask_scheduler: str | None
    slice_by: list[str] = field(default_factory=list)  # report's sliced evaluation (held-out part)

    def estimator_params(self, lam: float) -> dict[str, Any]:
        """The LogisticRegression parameters these options ask for, at penalty ``lam``."""
        return dict(lam=lam, l1_ratio=self.l1_ratio, solver=self.solver, tol=self.tol, max_iter=self.max_iter,
                    learning_rate=self.learning_rate, standardize=self.standardize,
                    class_weight=self.class_weight, random_state=self.seed)
