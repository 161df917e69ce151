"""Warnings logitlab raises when a fit cannot be trusted as it stands."""

from __future__ import annotations

from sklearn.exceptions import ConvergenceWarning

__all__ = ["ConvergenceWarning", "DivergenceWarning", "SeparationWarning"]


class DivergenceWarning(ConvergenceWarning):
    """Gradient descent made J rise or overflow: the learning rate is too large."""


class SeparationWarning(ConvergenceWarning):
    """The classes are linearly separable, so the unpenalized maximum-likelihood estimate
    does not exist: the weights grow without bound. Add a penalty (lam > 0)."""
