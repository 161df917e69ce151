"""Shared fixtures: real data sets the tests use as ground truth."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.datasets import load_breast_cancer


@pytest.fixture(scope="session")
def cancer():
    """Breast-cancer X (unscaled), y in {0, 1}."""
    X, y = load_breast_cancer(return_X_y=True)
    return X, y.astype(float)


@pytest.fixture(scope="session")
def cancer_std(cancer):
    """Breast-cancer X standardized column-wise (population std), y."""
    X, y = cancer
    return (X - X.mean(0)) / X.std(0), y


@pytest.fixture()
def rng():
    return np.random.default_rng(20261122)
