"""logitlab: logistic regression done right, from its cost function up.

Imports are lazy (PEP 562): ``import logitlab`` loads nothing heavy; each public name
imports its module the first time it is used, so a first fit pays only for what it needs.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

#: public name → the submodule that defines it
_LAZY = {
    "LogisticRegression": "estimator",
    "LogisticRegressionCV": "cv",
    "regularization_path": "path",
    "detect_separation": "stats.separation",
    "logit": "stats.formula",
    "Objective": "objective",
    "sigmoid": "loss",
    "log_loss": "loss",
    "log_loss_from_logits": "loss",
    "log_loss_pointwise": "loss",
    "mse_sigmoid_pointwise": "loss",
    "hinge_pointwise": "loss",
    "lam_to_C": "objective",
    "C_to_lam": "objective",
    "lam_to_alpha": "objective",
    "alpha_to_lam": "objective",
    "ConvergenceWarning": "exceptions",
    "DivergenceWarning": "exceptions",
    "SeparationWarning": "exceptions",
    "monitor": "monitoring",
    "evaluate_slices": "monitoring",
    "check_contract": "monitoring",
    "record_contract_for": "monitoring",
    "compare_models": "monitoring",
}

__all__ = [
    "LogisticRegression",
    "LogisticRegressionCV",
    "regularization_path",
    "detect_separation",
    "logit",
    "Objective",
    "sigmoid",
    "log_loss",
    "log_loss_from_logits",
    "log_loss_pointwise",
    "mse_sigmoid_pointwise",
    "hinge_pointwise",
    "lam_to_C",
    "C_to_lam",
    "lam_to_alpha",
    "alpha_to_lam",
    "ConvergenceWarning",
    "DivergenceWarning",
    "SeparationWarning",
    "monitor",
    "evaluate_slices",
    "check_contract",
    "record_contract_for",
    "compare_models",
    "__version__",
]

if TYPE_CHECKING:  # static checkers and IDEs see the eager imports
    from .cv import LogisticRegressionCV
    from .estimator import LogisticRegression
    from .exceptions import ConvergenceWarning, DivergenceWarning, SeparationWarning
    from .loss import (
        hinge_pointwise,
        log_loss,
        log_loss_from_logits,
        log_loss_pointwise,
        mse_sigmoid_pointwise,
        sigmoid,
    )
    from .monitoring import check_contract, compare_models, evaluate_slices, monitor, record_contract_for
    from .objective import C_to_lam, Objective, alpha_to_lam, lam_to_alpha, lam_to_C
    from .path import regularization_path
    from .stats.formula import logit
    from .stats.separation import detect_separation


def __getattr__(name: str) -> Any:
    """Import a public name's module on first use (keeps ``import logitlab`` cheap)."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'logitlab' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    """The public names, loaded or not."""
    return sorted(set(globals()) | set(_LAZY))
