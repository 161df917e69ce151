"""Separation detection by linear programming (Konis 2007) and the estimator's hook.

References: the endometrial cancer data (Heinze & Schemper 2002, Statist. Med. 21:2409-2419;
the 79 rows as published in Agresti's "Foundations of Linear and Generalized Linear Models"
data file Endometrial.dat, github.com/alanagresti/categorical-data). brglm2's separation
vignette (vignettes/separation.Rmd, github.com/ikosmidis/brglm2) reports for
HG ~ NV + PI + EH that the data are separated, that NV's estimate is +∞ and that the
estimates of the intercept, PI and EH are finite. Every "separated" verdict below is also
checked with a certificate: the returned direction β has tᵢ·x̃ᵢᵀβ ≥ 0 for all i and > 0 on
the separated examples.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from logitlab import LogisticRegression, SeparationWarning, detect_separation
from logitlab.datasets import load_dataset
from logitlab.stats.inference import InferenceError

_ROWS = """
0 13 1.64 0|0 16 2.26 0|0 8 3.14 0|0 34 2.68 0|0 20 1.28 0|0 5 2.31 0|0 17 1.80 0|0 10 1.68 0
0 26 1.56 0|0 17 2.31 0|0 8 2.01 0|0 7 1.89 0|0 20 3.15 0|0 10 1.23 0|0 18 1.27 0|0 16 1.76 0
0 18 2.00 0|0 8 2.64 1|0 29 0.88 1|0 12 1.27 1|0 20 1.37 1|1 38 0.97 1|1 22 1.14 1|1 7 0.88 1
1 25 0.91 1|1 15 0.58 1|0 7 0.97 1|0 28 1.50 0|0 11 1.33 0|0 19 2.37 0|0 10 1.82 0|0 10 3.13 0
0 18 1.31 0|0 14 1.92 0|0 21 1.64 0|0 11 2.01 0|0 17 1.88 0|0 25 1.93 0|0 16 2.11 0|0 19 1.29 0
0 15 1.72 0|0 33 0.75 0|0 24 1.92 0|0 48 1.84 1|0 12 1.11 1|0 19 1.61 1|0 2 1.18 1|1 22 1.44 1
1 40 1.18 1|1 5 0.93 1|1 0 1.17 1|0 21 1.19 1|0 15 1.06 1|0 29 2.02 0|0 15 2.29 0|0 12 2.33 0
0 3 2.90 0|0 20 1.70 0|0 23 1.41 0|0 12 2.25 0|0 22 1.54 0|0 42 1.97 0|0 15 1.75 0|0 13 2.16 0
0 14 2.57 0|0 19 1.37 0|0 12 3.61 0|0 13 2.04 0|0 10 2.17 0|0 12 1.69 1|1 49 0.27 1|0 6 1.84 1
0 5 1.30 1|0 17 0.96 1|1 11 1.01 1|1 21 0.98 1|0 5 0.35 1|1 19 1.02 1|0 33 0.85 1
"""


def endometrial() -> pd.DataFrame:
    """79 × (NV, PI, EH, HG) as floats (HG as int)."""
    rows = [r.split() for r in _ROWS.replace("\n", "|").split("|") if r.strip()]
    df = pd.DataFrame(rows, columns=["NV", "PI", "EH", "HG"]).astype(float)
    df["HG"] = df["HG"].astype(int)
    assert df.shape == (79, 4) and df["HG"].sum() == 30
    return df


def _certify(report, X, y, fit_intercept=True):
    X = np.asarray(X, dtype=float)
    Xt = np.column_stack([X, np.ones(len(y))]) if fit_intercept else X
    margins = (2 * np.asarray(y) - 1) * (Xt @ report.direction)
    scale = np.abs(margins).max()
    assert np.all(margins >= -1e-9 * scale)
    assert np.all(margins[report.separated_index] > 1e-9 * scale)
    others = np.setdiff1d(np.arange(len(y)), report.separated_index)
    np.testing.assert_allclose(margins[others], 0.0, atol=1e-8 * scale)


def test_complete_separation_one_feature():
    X = np.array([[1.0], [2], [3], [4], [5], [6]])
    y = np.array([0, 0, 0, 1, 1, 1])
    r = detect_separation(X, y, feature_names=["dose"])
    assert r.kind == "complete" and r.separated and r.n_separated == 6
    assert r.features == ["dose"] and r.directions == {"dose": 1.0}
    assert "Complete separation" in r.message() and "firth=True" in r.message()
    _certify(r, X, y)


def test_quasi_complete_separation_names_the_tied_examples():
    X = np.array([[1.0], [2], [3], [3], [4], [5]])
    y = np.array([0, 0, 0, 1, 1, 1])
    r = detect_separation(X, y)
    assert r.kind == "quasi-complete" and r.n_separated == 4
    np.testing.assert_array_equal(r.separated_index, [0, 1, 4, 5])
    _certify(r, X, y)


def test_overlapping_classes_are_not_separated():
    X = np.array([[1.0], [2], [3], [4], [5], [6]])
    y = np.array([0, 1, 0, 1, 0, 1])
    r = detect_separation(X, y)
    assert r.kind == "none" and not r.separated and r.features == []


def test_endometrial_nv_is_plus_infinity_as_brglm2_reports():
    df = endometrial()
    X, y = df[["NV", "PI", "EH"]], df["HG"]
    r = detect_separation(X.values, y.values, feature_names=list(X.columns))
    assert r.kind == "quasi-complete"
    assert r.features == ["NV"] and r.directions == {"NV": 1.0}
    assert not r.intercept_involved
    # the separated examples are exactly the 13 patients with neovasculization, all high grade
    np.testing.assert_array_equal(r.separated_index, np.flatnonzero(df["NV"].values == 1))
    _certify(r, X.values, y.values)


def test_breast_cancer_all_30_features_completely_separated():
    df, target = load_dataset("breast_cancer")
    X, y = df.drop(columns=target).values, (df[target] == "malignant").astype(int).values
    r = detect_separation(X, y)
    assert r.kind == "complete" and r.n_separated == len(y)
    _certify(r, X, y)


def test_sparse_input_and_zero_weights():
    X = np.array([[1.0], [2], [3], [4], [5], [6], [2.5]])
    y = np.array([0, 0, 0, 1, 1, 1, 1])  # the last example breaks separation ...
    assert detect_separation(X, y).kind == "none"
    w = np.array([1, 1, 1, 1, 1, 1, 0.0])  # ... unless it has weight 0
    r = detect_separation(sp.csr_matrix(X), y, sample_weight=w)
    assert r.kind == "complete" and r.n_separated == 6


def test_no_intercept_model():
    X = np.array([[1.0], [2], [-1], [-2]])
    y = np.array([1, 1, 0, 0])
    assert detect_separation(X, y, fit_intercept=False).kind == "complete"
    y2 = np.array([1, 0, 0, 1])
    assert detect_separation(X, y2, fit_intercept=False).kind == "none"


def test_estimator_hook_says_quasi_complete_and_names_nv():
    """A lam=0 fit 'converges' at NV≈16 (the gradient vanishes); the hook still warns."""
    df = endometrial()
    with pytest.warns(SeparationWarning, match="(?s)Quasi-complete separation.*NV"):
        m = LogisticRegression(lam=0).fit(df[["NV", "PI", "EH"]], df["HG"])
    assert m.separation_.kind == "quasi-complete"
    with pytest.raises(InferenceError, match="(?s)Quasi-complete.*NV"):
        m.summary()


def test_estimator_hook_complete_separation():
    X = pd.DataFrame({"score": [0.1, 0.2, 0.3, 0.7, 0.8, 0.9]})
    y = [0, 0, 0, 1, 1, 1]
    with pytest.warns(SeparationWarning, match="(?s)Complete separation.*score"):
        LogisticRegression(lam=0).fit(X, y)


def test_no_warning_when_the_mle_exists():
    import statsmodels.api as sm

    d = sm.datasets.spector.load_pandas()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        LogisticRegression(lam=0).fit(d.exog, d.endog)
