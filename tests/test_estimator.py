"""The estimator against independent oracles: scikit-learn (C = 1/λ), statsmodels (λ = 0) and
the published maximum-likelihood fit of the hours-studied data; failure modes and bad input."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression as SkLogisticRegression

import logitlab
from logitlab import DivergenceWarning, LogisticRegression, SeparationWarning
from logitlab.datasets import load_dataset
from logitlab.exceptions import ConvergenceWarning
from logitlab.objective import Objective


def _J(X, y, model, lam, l1_ratio=0.0, sw=None):
    theta = np.append(model.coef_.ravel(), model.intercept_)
    return Objective(X, y, sw, lam=lam, l1_ratio=l1_ratio).value(theta)


def test_hours_studied_matches_published_mle():
    # Wikipedia "Logistic regression", the 20-student example: b = −4.0777, w = 1.5046
    df, target = load_dataset("hours")
    model = LogisticRegression(lam=0).fit(df[["hours"]], df[target])
    assert model.intercept_[0] == pytest.approx(-4.0777, abs=1e-4)
    assert model.coef_[0, 0] == pytest.approx(1.5046, abs=1e-4)
    assert model.converged_


@pytest.mark.parametrize("lam", [0.1, 1.0, 30.0])
@pytest.mark.parametrize("scaled", [True, False])
def test_l2_matches_sklearn(cancer, cancer_std, lam, scaled):
    X, y = cancer_std if scaled else cancer
    sk = SkLogisticRegression(C=1 / lam, solver="newton-cholesky", tol=1e-12, max_iter=1000).fit(X, y)
    ours = LogisticRegression(lam=lam, tol=1e-10).fit(X, y)
    assert _J(X, y, ours, lam) <= _J(X, y, sk, lam) * (1 + 1e-12)
    assert _J(X, y, ours, lam) == pytest.approx(_J(X, y, sk, lam), rel=1e-10)
    np.testing.assert_allclose(ours.coef_, sk.coef_, rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(ours.predict_proba(X), sk.predict_proba(X), atol=1e-8)


@pytest.mark.parametrize("l1_ratio", [1.0, 0.5])
@pytest.mark.parametrize("lam", [1.0, 10.0])
def test_l1_and_elastic_net_match_sklearn(cancer_std, l1_ratio, lam):
    X, y = cancer_std
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        sk = SkLogisticRegression(
            C=1 / lam, l1_ratio=l1_ratio, solver="saga", tol=1e-14, max_iter=300_000
        ).fit(X, y)
    ours = LogisticRegression(lam=lam, l1_ratio=l1_ratio, tol=1e-12).fit(X, y)
    assert ours.solver_ == "cd"
    J_ours, J_sk = _J(X, y, ours, lam, l1_ratio), _J(X, y, sk, lam, l1_ratio)
    assert J_ours <= J_sk * (1 + 1e-12)
    assert J_ours == pytest.approx(J_sk, rel=1e-9)
    np.testing.assert_allclose(ours.coef_, sk.coef_, atol=1e-6)
    # exact zeros where scikit-learn has them
    np.testing.assert_array_equal(ours.coef_ == 0, np.abs(sk.coef_) < 1e-10)
    assert np.sum(ours.coef_ == 0) > 0


@pytest.mark.parametrize("scaled", [True, False])
def test_unpenalized_matches_statsmodels(cancer, cancer_std, scaled):
    sm = pytest.importorskip("statsmodels.api")
    X, y = cancer_std if scaled else cancer
    cols = [0, 1, 4, 6, 8]  # a well-conditioned, non-separable subset
    Xc = X[:, cols]
    ref = sm.Logit(y, sm.add_constant(Xc)).fit(method="newton", tol=1e-12, disp=0)
    ours = LogisticRegression(lam=0, tol=1e-10).fit(Xc, y)
    np.testing.assert_allclose(ours.coef_.ravel(), ref.params[1:], rtol=1e-7)
    assert ours.intercept_[0] == pytest.approx(ref.params[0], rel=1e-7)
    assert -ours.objective_["J"] * len(y) == pytest.approx(ref.llf, rel=1e-10)


@pytest.mark.parametrize("l1_ratio", [0.0, 0.5, 1.0])
def test_every_solver_reaches_the_same_optimum(cancer_std, l1_ratio):
    X, y = cancer_std
    lam = 2.0
    solvers = ["cd", "gd"] + ([] if l1_ratio else ["newton-cholesky", "newton-cg", "lbfgs"])
    J = {}
    for solver in solvers:
        kw = {"learning_rate": 1.0, "max_iter": 200_000, "tol": 1e-9} if solver == "gd" else {"tol": 1e-10}
        model = LogisticRegression(lam=lam, l1_ratio=l1_ratio, solver=solver, **kw).fit(X, y)
        J[solver] = model.objective_["J"]
    ref = min(J.values())
    for solver, value in J.items():
        assert value == pytest.approx(ref, rel=1e-8), solver


@pytest.mark.parametrize("fmt", ["csr", "csc"])
@pytest.mark.parametrize("l1_ratio", [0.0, 1.0])
def test_sparse_equals_dense(cancer_std, fmt, l1_ratio):
    X, y = cancer_std
    Xd = np.where(np.abs(X) < 0.5, 0.0, X)
    Xs = sp.csr_matrix(Xd) if fmt == "csr" else sp.csc_matrix(Xd)
    dense = LogisticRegression(lam=1.0, l1_ratio=l1_ratio, tol=1e-10).fit(Xd, y)
    sparse = LogisticRegression(lam=1.0, l1_ratio=l1_ratio, tol=1e-10).fit(Xs, y)
    np.testing.assert_allclose(sparse.coef_, dense.coef_, atol=1e-8)
    assert sparse.objective_["J"] == pytest.approx(dense.objective_["J"], rel=1e-12)


def test_standardize_reports_original_units(cancer, cancer_std):
    X, y = cancer
    Xs, _ = cancer_std
    on_std = LogisticRegression(lam=1.0, tol=1e-10).fit(Xs, y)
    model = LogisticRegression(lam=1.0, standardize=True, tol=1e-10).fit(X, y)
    np.testing.assert_allclose(model.coef_.ravel() * X.std(0), on_std.coef_.ravel(), rtol=1e-7)
    np.testing.assert_allclose(model.decision_function(X), on_std.decision_function(Xs), atol=1e-7)
    assert model.objective_["standardized"]


def test_standardize_makes_gradient_descent_faster(cancer):
    # Unscaled, the largest stable step is ~1e-6 (1e-5 diverges) and 300 steps leave J far
    # from its optimum; standardized, α = 2 gets within 1e-3: the lessons' point on scaling.
    X, y = cancer
    J_raw = LogisticRegression(lam=1.0, tol=1e-10).fit(X, y).objective_["J"]
    J_std = LogisticRegression(lam=1.0, standardize=True, tol=1e-10).fit(X, y).objective_["J"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        raw = LogisticRegression(lam=1.0, solver="gd", learning_rate=1e-6, max_iter=300).fit(X, y)
        too_big = LogisticRegression(lam=1.0, solver="gd", learning_rate=1e-5, max_iter=300).fit(X, y)
        std = LogisticRegression(lam=1.0, solver="gd", learning_rate=2.0, max_iter=300,
                                 standardize=True).fit(X, y)
    assert too_big.status_ == "diverged"
    assert raw.history_[-1] - J_raw > 0.1
    assert std.history_[-1] - J_std < 1e-3
    assert np.all(np.diff(std.history_) <= 1e-15)  # monotone: a stable step never raises J


def test_minibatch_gradient_descent_gets_close(cancer_std):
    X, y = cancer_std
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        mb = LogisticRegression(lam=1.0, solver="gd", learning_rate=0.1, batch_size=32,
                                max_iter=200, random_state=0).fit(X, y)
    ref = LogisticRegression(lam=1.0).fit(X, y).objective_["J"]
    assert mb.history_[-1] < ref * 1.02
    assert len(mb.history_) == 201


def test_class_weight_and_sample_weight_match_sklearn(cancer_std, rng):
    X, y = cancer_std
    sw = rng.random(len(y)) * 2
    for cw in ["balanced", {0: 3.0, 1: 0.5}]:
        sk = SkLogisticRegression(C=0.5, class_weight=cw, solver="newton-cholesky", tol=1e-12).fit(X, y, sw)
        ours = LogisticRegression(lam=2.0, class_weight=cw, tol=1e-10).fit(X, y, sample_weight=sw)
        np.testing.assert_allclose(ours.coef_, sk.coef_, rtol=1e-6, atol=1e-8)


def test_arbitrary_labels_and_pandas():
    df, target = load_dataset("breast_cancer")
    X = df.drop(columns=target)
    model = LogisticRegression(lam=1.0, standardize=True).fit(X, df[target])
    assert list(model.classes_) == ["benign", "malignant"]
    assert list(model.feature_names_in_) == list(X.columns)
    assert set(model.predict(X)) == {"benign", "malignant"}
    assert model.score(X, df[target]) > 0.97


def test_threshold_moves_predictions(cancer_std):
    X, y = cancer_std
    model = LogisticRegression(lam=1.0).fit(X, y)
    p = model.predict_proba(X)[:, 1]
    np.testing.assert_array_equal(model.predict(X, threshold=0.9), (p > 0.9).astype(float))
    strict = LogisticRegression(lam=1.0, threshold=0.9).fit(X, y)
    assert strict.predict(X).sum() < model.predict(X).sum()


def test_warm_start_continues(cancer_std):
    X, y = cancer_std
    model = LogisticRegression(lam=1.0, warm_start=True).fit(X, y)
    model.fit(X, y)
    assert model.n_iter_[0] <= 1


def test_predict_proba_is_exact_in_the_tails():
    X = np.array([[-1.0], [1.0], [0.5], [-0.5]])
    model = LogisticRegression(lam=1.0).fit(X, [0, 1, 1, 0])
    model.coef_ = np.array([[1000.0]])
    P = model.predict_proba(np.array([[-1.0], [1.0]]))
    assert P[0, 1] == pytest.approx(np.exp(-1000 + model.intercept_[0]), rel=1e-6) or P[0, 1] == 0.0
    assert P[1, 0] >= 0 and np.all(np.isfinite(P))


# -- failure modes ------------------------------------------------------------------------

def test_perfect_separation_warns_quickly():
    rng = np.random.default_rng(0)
    X = np.r_[rng.normal(-3, 1, (50, 2)), rng.normal(3, 1, (50, 2))]
    y = np.r_[np.zeros(50), np.ones(50)]
    X[:, 1] = rng.normal(size=100)
    X[:, 0] = np.where(y == 1, np.abs(X[:, 0]) + 0.1, -np.abs(X[:, 0]) - 0.1)
    for solver in ["auto", "gd", "lbfgs", "cd"]:
        with pytest.warns(SeparationWarning, match="grow without bound"):
            model = LogisticRegression(lam=0, solver=solver).fit(X, y)
        assert model.status_ == "separated"
        assert model.n_iter_[0] < 50
        assert model.score(X, y) == 1.0
    # a penalty cures it
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert LogisticRegression(lam=1.0).fit(X, y).converged_


def test_divergence_names_the_learning_rate(cancer):
    X, y = cancer
    with pytest.warns(DivergenceWarning, match="learning_rate=5"):
        model = LogisticRegression(lam=1.0, solver="gd", learning_rate=5.0, max_iter=1000).fit(X, y)
    assert model.status_ == "diverged"
    assert model.n_iter_[0] < 50


def test_not_converged_warning_says_what_and_how(cancer_std):
    X, y = cancer_std
    with pytest.warns(ConvergenceWarning, match=r"'gd' did not converge in 5 iterations.*gradient norm.*max_iter"):
        LogisticRegression(lam=1.0, solver="gd", max_iter=5).fit(X, y)


@pytest.mark.parametrize(
    "X, y, match",
    [
        (np.ones((3, 2)), [1, 1, 1], "exactly 2 classes.*got 1 class"),
        (np.ones((3, 2)), [0, 1, 2], r"exactly 2 classes.*got 3 classes \(0, 1, 2\)"),
        (np.array([[1.0, np.nan], [0, 1]]), [0, 1], "NaN"),
        (np.array([[1.0, np.inf], [0, 1]]), [0, 1], "infinity"),
        (np.ones((3, 2)), [0, 1], "inconsistent numbers of samples"),
        (np.ones((0, 2)), [], "0 sample"),
        (np.ones((2, 2)), [0.0, np.nan], "NaN"),
    ],
)
def test_bad_input_is_a_clear_value_error(X, y, match):
    with pytest.raises(ValueError, match=match):
        LogisticRegression().fit(X, y)


@pytest.mark.parametrize(
    "params, match",
    [({"lam": -1}, "lam must be"), ({"l1_ratio": 1.5}, "l1_ratio must lie"),
     ({"solver": "magic"}, "solver must be"), ({"threshold": 1.0}, "threshold"),
     ({"solver": "newton-cholesky", "l1_ratio": 1.0}, "cannot handle an L1")],
)
def test_bad_parameters_are_clear(cancer_std, params, match):
    X, y = cancer_std
    with pytest.raises(ValueError, match=match):
        LogisticRegression(**params).fit(X[:50], y[:50])


def test_describe_objective(cancer_std):
    X, y = cancer_std
    model = LogisticRegression(lam=4.0, l1_ratio=0.25).fit(X, y)
    text = model.describe_objective()
    assert "λ = 4" in text and "scikit-learn C = 0.25" in text
    assert f"alpha = Spark regParam = {4.0 / len(y):g}" in text


def test_pipeline_and_grid_search(cancer):
    from sklearn.model_selection import GridSearchCV
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    X, y = cancer
    pipe = make_pipeline(StandardScaler(), LogisticRegression())
    search = GridSearchCV(pipe, {"logisticregression__lam": [0.1, 1.0, 10.0]}, cv=3).fit(X, y)
    assert search.best_score_ > 0.95
    assert search.best_params_["logisticregression__lam"] in (0.1, 1.0, 10.0)


def test_top_level_api_exists():
    for name in ["sigmoid", "log_loss", "log_loss_from_logits", "LogisticRegression", "lam_to_C"]:
        assert hasattr(logitlab, name)
    assert isinstance(pd.DataFrame, type)


@pytest.mark.parametrize("bad,message", [
    (np.zeros(40), "every sample weight is zero; at least one example must have a positive weight."),
    (np.r_[np.ones(39), -1.0], "sample_weight must be ≥ 0; found negative weights."),
])
def test_unusable_weights_get_the_same_one_line_error_from_every_fit(tmp_path, bad, message):
    """In memory (plain arrays or lists), cross-validated and streamed from a file, unusable
    sample weights end with the same sentence."""
    import pandas as pd

    from logitlab import LogisticRegressionCV

    rng = np.random.default_rng(70)
    X = rng.standard_normal((40, 2))
    y = np.r_[np.zeros(20), np.ones(20)]
    path = tmp_path / "weighted.csv"
    pd.DataFrame({"a": X[:, 0], "b": X[:, 1], "y": y, "w": bad}).to_csv(path, index=False)
    fits = [
        lambda: LogisticRegression().fit(X, y, sample_weight=bad),
        lambda: LogisticRegression().fit(X.tolist(), y.tolist(), sample_weight=bad.tolist()),
        lambda: LogisticRegressionCV(cv=2).fit(X, y, sample_weight=bad),
        lambda: LogisticRegression().fit(str(path), "y", sample_weight="w"),
    ]
    for fit in fits:
        with pytest.raises(ValueError) as err:
            fit()
        assert str(err.value) == message
