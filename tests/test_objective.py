"""J, its gradient and Hessian against finite differences; the λ conventions; MSE non-convexity."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

import logitlab
from logitlab.design import Design
from logitlab.objective import Objective


def _problem(rng, n=60, p=5, sparse=False):
    X = rng.normal(size=(n, p))
    if sparse:
        X[rng.random(X.shape) < 0.6] = 0.0
        X = sp.csr_matrix(X)
    y = (rng.random(n) < 0.4).astype(float)
    w = rng.random(n) + 0.5
    return X, y, w


def _fd_grad(f, theta, h=1e-6):
    g = np.zeros_like(theta)
    for j in range(theta.size):
        e = np.zeros_like(theta)
        e[j] = h
        g[j] = (f(theta + e) - f(theta - e)) / (2 * h)
    return g


@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("loss", ["log", "mse"])
def test_gradient_matches_finite_differences(rng, sparse, fit_intercept, loss):
    X, y, w = _problem(rng, sparse=sparse)
    obj = Objective(X, y, w, lam=0.7, l1_ratio=0.0, fit_intercept=fit_intercept, loss=loss)
    theta = rng.normal(size=obj.n_params)
    np.testing.assert_allclose(obj.gradient(theta), _fd_grad(obj.value, theta), rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("sparse", [False, True])
def test_hessian_and_hessp_match_finite_differences(rng, sparse):
    X, y, w = _problem(rng, sparse=sparse)
    obj = Objective(X, y, w, lam=0.3, fit_intercept=True)
    theta = rng.normal(size=obj.n_params)
    H = obj.hessian(theta)
    H_fd = np.column_stack([_fd_grad(lambda t, j=j: obj.gradient(t)[j], theta) for j in range(obj.n_params)]).T
    np.testing.assert_allclose(H, H_fd, rtol=1e-5, atol=1e-8)
    v = rng.normal(size=obj.n_params)
    np.testing.assert_allclose(obj.hessp(theta, v), H @ v, rtol=1e-12, atol=1e-14)


def test_value_is_the_documented_formula(rng):
    X, y, w = _problem(rng)
    lam, a = 2.5, 0.3
    obj = Objective(X, y, w, lam=lam, l1_ratio=a)
    theta = rng.normal(size=obj.n_params)
    wt, b = theta[:-1], theta[-1]
    p = 1 / (1 + np.exp(-(X @ wt + b)))
    m = X.shape[0]
    expected = np.mean(w * -(y * np.log(p) + (1 - y) * np.log(1 - p)))
    expected += lam / m * (a * np.abs(wt).sum() + (1 - a) / 2 * wt @ wt)
    assert obj.value(theta) == pytest.approx(expected, rel=1e-13)
    parts = obj.parts(theta)
    assert parts.total == pytest.approx(expected, rel=1e-13)


def test_lessons_penalty_conventions(rng):
    X, y, _ = _problem(rng)
    m = X.shape[0]
    theta = rng.normal(size=X.shape[1] + 1)
    wt = theta[:-1]
    l2 = Objective(X, y, lam=3.0, l1_ratio=0.0)
    l1 = Objective(X, y, lam=3.0, l1_ratio=1.0)
    base = Objective(X, y, lam=0.0).value(theta)
    assert l2.value(theta) - base == pytest.approx(3.0 / (2 * m) * np.sum(wt**2), rel=1e-12)
    assert l1.value(theta) - base == pytest.approx(3.0 / m * np.sum(np.abs(wt)), rel=1e-12)
    # the intercept is never penalized
    t2 = theta.copy()
    t2[-1] += 5.0
    assert l2.value(t2) - Objective(X, y, lam=0.0).value(t2) == pytest.approx(l2.value(theta) - base)


def test_lambda_conversions():
    assert logitlab.lam_to_C(4.0) == 0.25 and logitlab.C_to_lam(0.25) == 4.0
    assert logitlab.lam_to_C(0.0) == np.inf and logitlab.C_to_lam(np.inf) == 0.0
    assert logitlab.lam_to_alpha(50.0, 100) == 0.5 and logitlab.alpha_to_lam(0.5, 100) == 50.0
    with pytest.raises(ValueError):
        logitlab.C_to_lam(0)


def test_standardized_design_equals_explicit_standardization(rng):
    X, y, w = _problem(rng)
    mu, sd = X.mean(0), X.std(0)
    implicit = Objective(Design(X, mu, sd), y, w, lam=1.0)
    explicit = Objective((X - mu) / sd, y, w, lam=1.0)
    theta = rng.normal(size=implicit.n_params)
    assert implicit.value(theta) == pytest.approx(explicit.value(theta), rel=1e-13)
    np.testing.assert_allclose(implicit.gradient(theta), explicit.gradient(theta), rtol=1e-11, atol=1e-13)
    np.testing.assert_allclose(implicit.hessian(theta), explicit.hessian(theta), rtol=1e-10, atol=1e-13)


def test_invalid_penalty_is_clear():
    X = np.eye(3)
    with pytest.raises(ValueError, match="lam must be"):
        Objective(X, [0, 1, 0], lam=-1)
    with pytest.raises(ValueError, match="l1_ratio must lie"):
        Objective(X, [0, 1, 0], l1_ratio=1.5)


def test_describe_states_formula_and_numbers(rng):
    X, y, _ = _problem(rng)
    obj = Objective(X, y, lam=2.0, l1_ratio=0.5)
    theta = rng.normal(size=obj.n_params)
    d = obj.describe(theta)
    assert "λ = 2" in d["formula"] and "a = 0.5" in d["formula"] and f"m = {X.shape[0]}" in d["formula"]
    assert d["J"] == pytest.approx(obj.value(theta))
    assert d["sklearn_C"] == 0.5 and d["glmnet_alpha"] == pytest.approx(2.0 / X.shape[0])
