"""Regularization path and LogisticRegressionCV.

References: the analytic λ_max (computed here directly with NumPy as max|Xᵀ(y − ȳ)|/a), glum's
elastic-net GLM (alpha = λ/m, an independent L1 solver) for points on the L1 path, independent
cold-start LogisticRegression fits, and scikit-learn's LogisticRegressionCV (Cs = 1/λ) on the
same folds and grid for the chosen λ and the whole CV curve.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.model_selection import StratifiedKFold

from logitlab import LogisticRegression, LogisticRegressionCV, Objective, regularization_path
from logitlab.datasets import load_dataset
from logitlab.path import lam_max


@pytest.fixture(scope="module")
def bc10():
    """Breast cancer, first 10 features standardized (population std), y = malignant."""
    df, target = load_dataset("breast_cancer")
    X = df.drop(columns=target).values[:, :10]
    X = (X - X.mean(0)) / X.std(0)
    return X, (df[target] == "malignant").astype(int).values


@pytest.mark.parametrize("l1_ratio", [1.0, 0.5])
def test_first_step_is_the_analytic_lam_max(bc10, l1_ratio):
    X, y = bc10
    expected = np.abs(X.T @ (y - y.mean())).max() / l1_ratio
    path = regularization_path(X, y, l1_ratio=l1_ratio, n_lams=10, tol=1e-10)
    assert path.lam_max == pytest.approx(expected, rel=1e-12)
    assert path.lams[0] == pytest.approx(expected, rel=1e-12)
    assert np.all(path.coefs[0] == 0) and path.n_nonzero[0] == 0
    assert path.intercepts[0] == pytest.approx(np.log(y.mean() / (1 - y.mean())), rel=1e-9)
    # just below λ_max exactly one weight leaves zero; above it every weight stays zero
    below = LogisticRegression(lam=0.999 * expected, l1_ratio=l1_ratio, tol=1e-12).fit(X, y)
    above = LogisticRegression(lam=1.001 * expected, l1_ratio=l1_ratio, tol=1e-12).fit(X, y)
    assert np.count_nonzero(below.coef_) == 1 and np.count_nonzero(above.coef_) == 0


def test_lam_max_with_weights_and_the_grid(bc10):
    X, y = bc10
    w = np.linspace(0.5, 2.0, len(y))
    ybar = np.dot(w, y) / w.sum()
    assert lam_max(X, y, 1.0, sample_weight=w) == pytest.approx(
        np.abs(X.T @ (w * (y - ybar))).max(), rel=1e-12)
    path = regularization_path(X, y, l1_ratio=1.0, n_lams=25, lam_min_ratio=1e-3)
    assert path.lams.size == 25 and path.lams[-1] == pytest.approx(path.lams[0] * 1e-3)
    np.testing.assert_allclose(np.diff(np.log(path.lams)), np.log(1e-3) / 24)
    np.testing.assert_allclose(path.Cs, 1 / path.lams)


def test_l1_path_matches_glum(bc10):
    glum = pytest.importorskip("glum")
    X, y = bc10
    m = len(y)
    path = regularization_path(X, y, l1_ratio=1.0, n_lams=20, lam_min_ratio=1e-3, tol=1e-10)
    for i in (3, 8, 14, 19):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ref = glum.GeneralizedLinearRegressor(
                family="binomial", alpha=path.lams[i] / m, l1_ratio=1.0, gradient_tol=1e-12,
                max_iter=1000,
            ).fit(X, y)
        np.testing.assert_allclose(path.coefs[i], ref.coef_, atol=1e-6)
        assert path.intercepts[i] == pytest.approx(ref.intercept_, abs=1e-6)
        assert (path.coefs[i] != 0).sum() == (np.abs(ref.coef_) > 1e-8).sum()


def test_warm_started_path_equals_cold_fits_and_screening_is_exact(bc10):
    X, y = bc10
    screened = regularization_path(X, y, l1_ratio=0.7, n_lams=15, tol=1e-10)
    plain = regularization_path(X, y, l1_ratio=0.7, n_lams=15, tol=1e-10, screening=False)
    assert all(s == "converged" for s in screened.status)
    assert np.any(screened.n_screened < X.shape[1])  # the strong rule did discard features
    for i in range(0, 15, 3):
        cold = LogisticRegression(lam=screened.lams[i], l1_ratio=0.7, tol=1e-10).fit(X, y)
        np.testing.assert_allclose(screened.coefs[i], cold.coef_.ravel(), atol=1e-6)
        np.testing.assert_allclose(plain.coefs[i], cold.coef_.ravel(), atol=1e-6)
        obj = Objective(X, y, lam=screened.lams[i], l1_ratio=0.7)
        assert obj.kkt_residual(obj.join(screened.coefs[i], screened.intercepts[i])) < 1e-8


def test_standardized_path_in_original_units():
    df, target = load_dataset("breast_cancer")
    X = df.drop(columns=target).iloc[:, :6]
    y = df[target]
    path = regularization_path(X, y, l1_ratio=1.0, n_lams=8, standardize=True, tol=1e-10)
    assert path.feature_names == list(X.columns)
    for i in (2, 5, 7):
        est = LogisticRegression(lam=path.lams[i], l1_ratio=1.0, standardize=True,
                                 tol=1e-10).fit(X, y)
        np.testing.assert_allclose(path.coefs[i], est.coef_.ravel(), rtol=1e-5, atol=1e-8)
    long = path.to_frame()
    assert set(long.columns) == {"lam", "feature", "coef"} and len(long) == 8 * 6


def _sklearn_cv(X, y, folds, lams, scoring):
    from sklearn.linear_model import LogisticRegressionCV as SkCV

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sk = SkCV(Cs=1 / lams, cv=folds, scoring=scoring, solver="lbfgs", tol=1e-10,
                  max_iter=10_000).fit(X, y)
    scores = np.asarray(sk.scores_[1] if isinstance(sk.scores_, dict) else sk.scores_)
    scores = scores.reshape(len(folds), -1)
    return sk, scores


@pytest.mark.parametrize("scoring", ["log_loss", "roc_auc"])
def test_cv_picks_the_same_lam_as_scikit_learn(bc10, scoring):
    X, y = bc10
    folds = list(StratifiedKFold(5, shuffle=True, random_state=0).split(X, y))
    lams = np.geomspace(300.0, 0.03, 25)
    ours = LogisticRegressionCV(lams=lams, cv=folds, scoring=scoring, tol=1e-10).fit(X, y)
    sk, sk_scores = _sklearn_cv(X, y, folds, lams,
                                "neg_log_loss" if scoring == "log_loss" else "roc_auc")
    assert ours.lam_ == pytest.approx(1 / sk.C_[0], rel=1e-12)
    sign = -1.0 if scoring == "log_loss" else 1.0
    np.testing.assert_allclose(ours.cv_scores_, sign * sk_scores, rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(ours.coef_, sk.coef_, rtol=1e-4, atol=1e-6)


def test_one_standard_error_rule(bc10):
    X, y = bc10
    cv = LogisticRegressionCV(l1_ratio=1.0, n_lams=30, cv=5, rule="1se", random_state=3).fit(X, y)
    best = cv.best_index_
    se = cv.cv_std_[best] / np.sqrt(cv.n_folds_)
    ok = np.flatnonzero(cv.cv_mean_ <= cv.cv_mean_[best] + se)
    assert cv.lam_ == cv.lam_1se_ == cv.lams_[ok.min()] and cv.lam_ >= cv.lam_best_
    assert cv.best_estimator_.lam == cv.lam_ and cv.C_ == pytest.approx(1 / cv.lam_)
    assert cv.lams_[0] == pytest.approx(np.abs(X.T @ (y - y.mean())).max())
    frame = cv.cv_frame()
    assert frame["one_se"].sum() == 1 and frame.loc[frame["one_se"], "lam"].item() == cv.lam_


def test_expected_cost_scoring_by_hand(bc10):
    X, y = bc10
    folds = list(StratifiedKFold(4, shuffle=True, random_state=1).split(X, y))
    lams = np.geomspace(100.0, 0.1, 8)
    cv = LogisticRegressionCV(lams=lams, cv=folds, scoring="expected_cost", cost_fp=1.0,
                              cost_fn=5.0, tol=1e-10).fit(X, y)
    t = 1.0 / 6.0  # Bayes threshold cost_fp / (cost_fp + cost_fn)
    for i in (0, 4, 7):
        costs = []
        for train, test in folds:
            with warnings.catch_warnings():  # 1e-10 can sit at the precision floor
                warnings.simplefilter("ignore")
                m = LogisticRegression(lam=lams[i], tol=1e-10).fit(X[train], y[train])
            pred = m.predict_proba(X[test])[:, 1] > t
            fp = np.sum(pred & (y[test] == 0))
            fn = np.sum(~pred & (y[test] == 1))
            costs.append((1.0 * fp + 5.0 * fn) / len(test))
        sizes = [len(test) for _, test in folds]  # glmnet weights each fold by its size
        assert cv.cv_mean_[i] == pytest.approx(np.average(costs, weights=sizes), abs=1e-12)
    assert not cv.greater_is_better_


def test_folds_are_stratified_and_seeded(bc10):
    X, y = bc10
    a = LogisticRegressionCV(n_lams=6, random_state=7).fit(X, y)
    b = LogisticRegressionCV(n_lams=6, random_state=7).fit(X, y)
    np.testing.assert_array_equal(a.cv_scores_, b.cv_scores_)
    folds = list(StratifiedKFold(5, shuffle=True, random_state=7).split(X, y))
    c = LogisticRegressionCV(n_lams=6, cv=folds).fit(X, y)
    np.testing.assert_allclose(a.cv_scores_, c.cv_scores_, rtol=1e-12)


@pytest.mark.filterwarnings("ignore:the best λ is the smallest")
def test_sklearn_compatibility_and_labels():
    df, target = load_dataset("breast_cancer")
    X, y = df.drop(columns=target).iloc[:, :5], df[target]
    cv = LogisticRegressionCV(n_lams=5, standardize=True)
    cv2 = clone(cv).fit(X, y)
    assert set(cv2.classes_) == {"benign", "malignant"}
    assert cv2.predict(X.iloc[:3]).dtype == object
    np.testing.assert_allclose(cv2.predict_proba(X).sum(axis=1), 1.0)
    assert cv2.summary().method == "penalized"
    with pytest.raises(ValueError, match="rule"):
        LogisticRegressionCV(rule="2se").fit(X, y)
    with pytest.raises(ValueError, match="scoring"):
        LogisticRegressionCV(scoring="accuracy").fit(X, y)


def test_plot_builders(bc10):
    import statsmodels.api as sm

    from logitlab.stats.plots import cv_figure, forest_figure, path_figure

    X, y = bc10
    cv = LogisticRegressionCV(l1_ratio=1.0, n_lams=12, rule="1se").fit(X, y)
    path = regularization_path(X, y, l1_ratio=1.0, lams=cv.lams_)
    fig = path_figure(path, lam_best=cv.lam_best_, lam_1se=cv.lam_1se_)
    assert len(fig.data) == X.shape[1]
    np.testing.assert_allclose(fig.data[0].x, np.log10(path.lams))
    assert len(fig.layout.shapes) >= 2  # the two λ lines (+ the zero line)
    fig2 = cv_figure(cv)
    np.testing.assert_allclose(fig2.data[0].y, cv.cv_mean_)
    np.testing.assert_allclose(fig2.data[0].error_y.array, cv.cv_std_ / np.sqrt(5))
    d = sm.datasets.spector.load_pandas()
    s = LogisticRegression(lam=0).fit(d.exog, d.endog).summary()
    fig3 = forest_figure(s)
    assert list(fig3.data[0].y) == ["GPA", "TUCE", "PSI"]
    np.testing.assert_allclose(fig3.data[0].x, s.table["odds_ratio"].values[1:])
    assert fig3.to_json()  # serializable for the lab and the report


def test_passes_scikit_learn_estimator_checks():
    from sklearn.utils.estimator_checks import check_estimator

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        results = check_estimator(LogisticRegressionCV(n_lams=5, cv=3), on_fail=None)
    failed = [r["check_name"] for r in results if r["status"] == "failed"]
    assert failed == []


def test_ridge_grid_reaches_small_lams_and_edge_warning(bc10):
    X, y = bc10
    lasso_top = np.abs(X.T @ (y - y.mean())).max()
    path = regularization_path(X, y, l1_ratio=0.0, n_lams=8)
    assert path.lams[0] == pytest.approx(lasso_top / 1e-3)  # glmnet's ridge λ_max (a = 0.001)
    assert path.lams[-1] == pytest.approx(lasso_top * 1e-4)  # same small end as the lasso grid
    with pytest.warns(UserWarning, match="smallest on the grid"):
        LogisticRegressionCV(lams=[1000.0, 300.0, 100.0], cv=3).fit(X, y)


def test_path_deviance_matches_statsmodels_llf(bc10):
    import statsmodels.api as sm

    X, y = bc10
    path = regularization_path(X, y, l1_ratio=1.0, n_lams=6, tol=1e-10)
    null = sm.Logit(y, np.ones((len(y), 1))).fit(disp=0)
    assert path.null_deviance == pytest.approx(-2 * null.llf, rel=1e-10)
    assert path.dev_ratio[0] == pytest.approx(0.0, abs=1e-12)
    i = 5
    llf = sm.Logit(y, sm.add_constant(X)).loglike(np.r_[path.intercepts[i], path.coefs[i]])
    assert path.deviance[i] == pytest.approx(-2 * llf, rel=1e-10)
    assert np.all(np.diff(path.deviance) <= 1e-9)  # less penalty, better fit


def test_class_weight_matches_scikit_learn(bc10):
    X, y = bc10
    folds = list(StratifiedKFold(4, shuffle=True, random_state=2).split(X, y))
    lams = np.geomspace(100.0, 0.05, 12)
    ours = LogisticRegressionCV(lams=lams, cv=folds, tol=1e-10, class_weight="balanced").fit(X, y)
    from sklearn.linear_model import LogisticRegressionCV as SkCV

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sk = SkCV(Cs=1 / lams, cv=folds, scoring="neg_log_loss", tol=1e-10, max_iter=10_000,
                  class_weight="balanced").fit(X, y)
    assert ours.lam_ == pytest.approx(1 / sk.C_[0])
    np.testing.assert_allclose(ours.coef_, sk.coef_, rtol=1e-4, atol=1e-6)
