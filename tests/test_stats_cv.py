"""The 1-SE rule is glmnet's: fold-weighted cvm and cvsd as ``cv.glmnet`` computes them
(``cvcompute``: fold weights = Σ held-out weights; cvsd = √(weighted mean of (cvmₖ − cvm)² / (K−1))),
checked against a hand computation and glmnet's ``getmin`` rule written out here."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from logitlab import LogisticRegression, LogisticRegressionCV
from logitlab.cv import fold_mean_and_se
from logitlab.datasets import load_dataset
from logitlab.loss import log_loss


def test_fold_mean_and_se_by_hand():
    """Three folds of weights 1, 2, 1 scoring 0.5, 0.7, 0.6: cvm = 2.5/4 = 0.625;
    weighted mean square deviation (0.125² + 2·0.075² + 0.025²)/4 = 0.006875; /(K−1) = 2."""
    scores = np.array([[0.5, 1.0], [0.7, 1.0], [0.6, 1.0]])
    mean, se = fold_mean_and_se(scores, np.array([1.0, 2.0, 1.0]))
    assert mean[0] == pytest.approx(0.625, rel=1e-15)
    assert se[0] == pytest.approx(np.sqrt(0.006875 / 2), rel=1e-14)
    assert mean[1] == 1.0 and se[1] == 0.0


def _glmnet_by_hand(scores, fold_weight):
    """cv.glmnet's cvm, cvsd and getmin (lambda.min, lambda.1se) with loops."""
    K, L = scores.shape
    W = sum(fold_weight)
    cvm = [sum(fold_weight[k] * scores[k, j] for k in range(K)) / W for j in range(L)]
    cvsd = [np.sqrt(sum(fold_weight[k] * (scores[k, j] - cvm[j]) ** 2 for k in range(K)) / W / (K - 1))
            for j in range(L)]
    best = min(range(L), key=lambda j: (cvm[j], j))  # λ decreasing: the first is the largest
    one_se = min(j for j in range(L) if cvm[j] <= cvm[best] + cvsd[best])
    return np.array(cvm), np.array(cvsd), best, one_se


@pytest.fixture(scope="module")
def unequal_folds_cv():
    df, target = load_dataset("breast_cancer")
    X = df.drop(columns=target).values[:, :10]
    y = (df[target] == "malignant").astype(int).values
    r = np.random.default_rng(7)
    fold = r.integers(0, 5, len(y))  # unequal fold sizes: 111, 106, 112, 111, 129
    folds = [(np.flatnonzero(fold != k), np.flatnonzero(fold == k)) for k in range(5)]
    w = r.integers(1, 4, len(y)).astype(float)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cv = LogisticRegressionCV(n_lams=30, l1_ratio=1.0, cv=folds, rule="1se",
                                  standardize=True).fit(X, y, sample_weight=w)
    return cv, X, y, w, folds


def test_one_se_rule_is_glmnets(unequal_folds_cv):
    cv, X, y, w, folds = unequal_folds_cv
    fold_weight = [w[test].sum() for _, test in folds]
    cvm, cvsd, best, one_se = _glmnet_by_hand(cv.cv_scores_, fold_weight)
    np.testing.assert_allclose(cv.cv_mean_, cvm, rtol=1e-13)
    np.testing.assert_allclose(cv.cv_se_, cvsd, rtol=1e-12)
    np.testing.assert_allclose(cv.cv_std_, cvsd * np.sqrt(5), rtol=1e-12)
    assert (cv.best_index_, cv.index_1se_) == (best, one_se)
    assert cv.lam_ == cv.lam_1se_ == cv.lams_[one_se]
    # the rule the issue reported (unweighted sd with ddof 0, /√K) picks another λ here
    m0, s0 = cv.cv_scores_.mean(0), cv.cv_scores_.std(0) / np.sqrt(5)
    b0 = int(np.argmin(m0))
    assert np.flatnonzero(m0 <= m0[b0] + s0[b0]).min() != one_se


def test_fold_scores_are_weighted_held_out_log_loss(unequal_folds_cv):
    """The per-fold scores the rule averages: one fold refit by hand at one λ."""
    cv, X, y, w, folds = unequal_folds_cv
    train, test = folds[2]
    j = cv.index_1se_
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m = LogisticRegression(lam=cv.lams_[j], l1_ratio=1.0, standardize=True, tol=1e-10).fit(
            X[train], y[train], sample_weight=w[train])
    expected = log_loss(y[test], m.predict_proba(X[test])[:, 1], w[test])
    assert cv.cv_scores_[2, j] == pytest.approx(expected, rel=1e-4)
