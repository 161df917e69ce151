"""The contract for Python users of :class:`logitlab.LogisticRegression`: ``record_contract_for``
sets ``model.contract_`` and gives the :class:`SavedModel` that monitoring, slices and the
contract check take (numeric columns, as the estimator sees them)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from ..data import Encoding, Labels
from ..model_io import SavedModel
from .contract import training_contract

__all__ = ["record_contract_for", "saved_model_of"]


def _frame(model: Any, X: Any) -> pd.DataFrame:
    if isinstance(X, pd.DataFrame):
        return X
    names = getattr(model, "feature_names_in_", None)
    X = np.asarray(X, dtype=np.float64)
    return pd.DataFrame(X, columns=list(names) if names is not None else [f"x{j}" for j in range(X.shape[1])])


def saved_model_of(model: Any, columns: list[str], threshold: float = 0.5, target: str = "y") -> SavedModel:
    """A fitted estimator as a :class:`SavedModel` over numeric ``columns`` (its contract, if set, kept)."""
    classes = list(getattr(model, "classes_", [0, 1]))
    encoding = Encoding([{"name": c, "kind": "numeric"} for c in columns])
    doc = {"contract": model.contract_} if getattr(model, "contract_", None) is not None else {}
    return SavedModel(encoding, Labels(target, classes[0], classes[1]), np.asarray(model.coef_, float).ravel().copy(),
                      float(np.ravel(model.intercept_)[0]), float(threshold), doc)


def record_contract_for(model: Any, X: Any, y: ArrayLike | None = None, threshold: float = 0.5,
                        X_held_out: Any = None, y_held_out: ArrayLike | None = None,
                        target: str = "y") -> SavedModel:
    """Record the contract of a fitted estimator on its training data ``X`` (labels ``y``; ``target``
    names the label column new data will carry): sets ``model.contract_`` and returns the
    saved-model view used by ``logitlab.monitor``, ``evaluate_slices`` and ``check_contract``."""
    frame = _frame(model, X)
    saved = saved_model_of(model, [str(c) for c in frame.columns], threshold, target)
    frame.columns = [str(c) for c in frame.columns]
    z = saved.decision_function(frame.to_numpy(dtype=np.float64))
    classes = list(getattr(model, "classes_", [0, 1]))
    y01 = None if y is None else (np.asarray(y).ravel() == classes[1]).astype(np.float64)
    z_ho = y_ho = None
    if X_held_out is not None:
        z_ho = saved.decision_function(_frame(model, X_held_out).to_numpy(dtype=np.float64))
        y_ho = (np.asarray(y_held_out).ravel() == classes[1]).astype(np.float64)
    if y01 is None:
        from .contract import record_contract

        model.contract_ = record_contract(frame, saved.encoding, z, None, None, threshold)
    else:
        model.contract_ = training_contract(frame, saved.encoding, z, y01, None, threshold, z_ho, y_ho)
    model.contract_["columns"].setdefault(target, {"type": "number", "role": "target"})
    saved.doc["contract"] = model.contract_
    return saved
