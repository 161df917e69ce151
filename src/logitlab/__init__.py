"""logitlab: logistic regression done right, from its cost function up."""

from __future__ import annotations

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
from .objective import C_to_lam, Objective, alpha_to_lam, lam_to_alpha, lam_to_C
from .path import regularization_path
from .separation import detect_separation

__version__ = "0.1.0"

__all__ = [
    "LogisticRegression",
    "LogisticRegressionCV",
    "regularization_path",
    "detect_separation",
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
    "__version__",
]
