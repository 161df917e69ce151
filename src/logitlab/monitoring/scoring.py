"""Scoring a chunk under the contract: the unseen-category policy, then the saved model's logits."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from ..data import encode_features
from ..model_io import SavedModel, load_model
from .checks import unseen_policy

__all__ = ["as_saved_model", "score_frame", "contract_of"]


def as_saved_model(model: Any) -> SavedModel:
    """A :class:`SavedModel` from itself or the path of a model.json."""
    if isinstance(model, SavedModel):
        return model
    if isinstance(model, (str, Path)):
        return load_model(model)
    if hasattr(model, "coef_") and getattr(model, "contract_", None) is not None:  # a fitted estimator
        from .estimators import saved_model_of

        roles = model.contract_.get("columns", {})
        target = next((c for c, r in roles.items() if r.get("role") == "target"), "y")
        return saved_model_of(model, list(model.contract_["features"]), target=target)
    raise TypeError(f"expected a model.json path or a logitlab.model_io.SavedModel; got {type(model).__name__}.")


def contract_of(saved: SavedModel) -> dict[str, Any]:
    """The contract stored in the model file; a clear error for files written before contracts."""
    from ..data import DataError

    doc = saved.doc.get("contract")
    if doc is None:
        raise DataError("this model file has no data contract (written before logitlab recorded one, "
                        "schema version 1); retrain it to check and monitor data against its training data.")
    return doc


def score_frame(saved: SavedModel, frame: pd.DataFrame, unseen: str = "error",
                skip_incomplete: bool = False) -> tuple[NDArray, NDArray]:
    """(z, scored) for a chunk: logits of every row, and which rows have one.

    Unseen categories follow ``unseen``: "error" raises (as encode_features does), "zero" scores
    the row at the reference level (all one-hot columns zero), "warn" leaves it unscored (z = NaN).
    ``skip_incomplete`` leaves rows with a missing feature value unscored instead of raising.
    """
    unseen_policy(unseen)
    scored = np.ones(len(frame), dtype=bool)
    if skip_incomplete:
        frame, scored = _fill_incomplete(saved, frame)
    if unseen != "error":
        fixed = None
        for c in saved.encoding.columns:
            if c["kind"] != "categorical" or c["name"] not in frame.columns:
                continue
            s = frame[c["name"]]
            as_text = s.astype(str)  # categories are stored as text
            bad = (~as_text.isin(c["categories"]) & s.notna()).to_numpy()
            if bad.any():
                if fixed is None:
                    fixed = frame.copy()
                fixed[c["name"]] = as_text.where(~bad, c["reference"])
                if unseen == "warn":
                    scored = scored & ~bad
        frame = frame if fixed is None else fixed
    z = saved.decision_function(encode_features(frame, saved.encoding))
    if not scored.all():
        z = z.copy()
        z[~scored] = np.nan
    return z, scored


def _fill_incomplete(saved: SavedModel, frame: pd.DataFrame) -> tuple[pd.DataFrame, NDArray]:
    """The frame with missing feature values filled by a placeholder, and the rows that had none."""
    cols = [c for c in saved.encoding.columns if c["name"] in frame.columns]
    missing = np.zeros(len(frame), dtype=bool)
    for c in cols:
        missing |= frame[c["name"]].isna().to_numpy()
    if not missing.any():
        return frame, ~missing
    fixed = frame.copy()
    for c in cols:
        fixed[c["name"]] = fixed[c["name"]].fillna(0.0 if c["kind"] == "numeric" else c["reference"])
    return fixed, ~missing
