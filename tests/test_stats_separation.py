"""Separation reports name the responsible features — the smallest set that separates, or
every smallest set when several do — with the user's column names, on constructed data where
noise columns sit beside the separating ones (the issue's case: x0 alone separates, the report
named x0…x4)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from test_separation import _certify, endometrial

from logitlab import LogisticRegression, SeparationWarning, detect_separation


@pytest.fixture
def noisy():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 5))
    return X, (X[:, 0] > 0).astype(int)


def test_one_separating_feature_among_noise_is_named_alone(noisy):
    X, y = noisy
    r = detect_separation(X, y)
    assert r.kind == "complete"
    assert r.features == ["x0"] and r.directions == {"x0": 1.0}
    assert r.alternatives == [] and r.smallest
    assert "x1" not in r.message()
    _certify(r, X, y)


def test_dataframe_columns_name_the_features(noisy):
    X, y = noisy
    df = pd.DataFrame(X, columns=["age", "dose", "noise a", "noise b", "noise c"])
    assert detect_separation(df, y).features == ["age"]
    with pytest.warns(SeparationWarning, match=r"Features involved: age \(\+∞\)\.") as rec:
        LogisticRegression(lam=0).fit(df, y)
    assert "noise" not in str(rec[0].message)


def test_several_smallest_sets_are_all_listed(noisy):
    X, y = noisy
    X = X.copy()
    X[:, 3] = -3.0 * X[:, 0] + 1e-3 * X[:, 3]  # x3 now separates on its own too (sign −)
    r = detect_separation(X, y)
    assert sorted([r.features, *r.alternatives]) == [["x0"], ["x3"]]
    assert "2 different sets of 1 feature each separate on their own: {x0}; {x3}." in r.message()


def test_two_features_separating_jointly_among_noise():
    rng = np.random.default_rng(1)
    a, b = rng.normal(size=300), rng.normal(size=300)
    X = np.column_stack([a, rng.normal(size=300), b, rng.normal(size=(300, 3))])
    y = (a + b > 0).astype(int)
    r = detect_separation(X, y)
    assert r.features == ["x0", "x2"] and r.alternatives == [] and r.smallest
    assert r.directions == {"x0": 1.0, "x2": 1.0}
    _certify(r, X, y)


def test_quasi_complete_sparse_category_with_noise_columns():
    """Endometrial: NV (neovasculization) quasi-separates; three noise columns added."""
    df = endometrial()
    rng = np.random.default_rng(2)
    X = df[["NV", "PI", "EH"]].assign(**{f"noise{j}": rng.normal(size=len(df)) for j in range(3)})
    r = detect_separation(X, df["HG"])
    assert r.kind == "quasi-complete" and r.features == ["NV"] and r.alternatives == []
    _certify(r, X.values, df["HG"].values)


def test_budget_ends_the_search_and_the_report_says_so(noisy, monkeypatch):
    """On large data the LP budget (nonzeros summed over the subset LPs) can end the search
    before every feature was tried: the set still separates and the message says so."""
    import logitlab.stats.separation as S

    X, y = noisy
    monkeypatch.setattr(S, "SUBSET_LP_WORK", 2 * X.size)  # two LPs' worth
    r = detect_separation(X, y)
    assert r.kind == "complete" and "x0" in r.features and not r.irreducible
    assert "not reduced further" in r.message()
    _certify(r, X, y)
