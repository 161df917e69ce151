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


@pytest.mark.parametrize("path", ["numpy", "compiled"])
def test_fused_loss_terms_match_the_pointwise_formulas(path):
    """log_loss_terms (one loop: value, residual, curvature) equals the separate loss.py
    formulas, stays exact in the tails, and its sum is as accurate as math.fsum's."""
    import math

    from logitlab import loss as L

    rng = np.random.default_rng(7)
    m = 200_001
    z = rng.standard_normal(m) * 4
    z[:6] = [40.0, -40.0, 1000.0, -1000.0, 0.0, -0.0]
    y = (rng.random(m) < 0.4).astype(np.float64)
    y[:4] = [1.0, 0.0, 1.0, 0.0]
    s = rng.uniform(0.1, 3.0, m)
    r, d = np.empty(m), np.empty(m)

    def terms(z0, u, step):
        if path == "numpy":
            return L._log_terms_numpy(y, z0, s, 1.0 / m, True, r, d, u, step)
        return float(L._compiled_terms()(y, z0, s, 1.0 / m, True, r, d, u, step))

    f = terms(z, L._EMPTY, 0.0)
    pointwise = s * L.log_loss_pointwise(y, z)
    assert f == pytest.approx(math.fsum(pointwise) / m, rel=1e-14 if path == "compiled" else 1e-12)
    np.testing.assert_allclose(r, s * L.log_loss_derivative(y, z) / m, rtol=1e-13, atol=1e-300)
    np.testing.assert_allclose(d, s * L.log_loss_curvature(z) / m, rtol=1e-13, atol=1e-300)
    # a line search's trial point: the terms at z₀ + t·u, the scores never stored
    u = rng.standard_normal(m)
    z0 = z - 0.25 * u
    f_trial = terms(z0, u, 0.25)
    z_trial = z0 + 0.25 * u
    assert f_trial == pytest.approx(math.fsum(s * L.log_loss_pointwise(y, z_trial)) / m, rel=1e-12)
    np.testing.assert_allclose(r, s * L.log_loss_derivative(y, z_trial) / m, rtol=1e-12, atol=1e-300)
    one = np.ones(1)
    assert L.log_loss_terms(one, np.array([40.0]), one) == pytest.approx(4.248354255291589e-18, rel=1e-12)


def test_objective_caches_terms_per_theta(rng):
    """Value, gradient and curvature at one θ agree whichever is asked first (shared cache),
    and a line-search trial's terms carry over only to the point they came from."""
    X, y, w = _problem(rng)
    theta = rng.normal(size=X.shape[1] + 1)
    a = Objective(X, y, w, lam=0.5)
    f1, g1 = a.smooth_value_grad(theta)
    d1 = a.curvature_weights(theta).copy()
    b = Objective(X, y, w, lam=0.5)
    d2 = b.curvature_weights(theta).copy()
    f2, g2 = b.smooth_value_grad(theta)
    assert f1 == f2
    np.testing.assert_array_equal(g1, g2)
    np.testing.assert_array_equal(d1, d2)
    step = rng.normal(size=theta.size) * 0.1
    c = Objective(X, y, w, lam=0.5)
    f_ref, g_ref = c.smooth_value_grad(theta + step)
    for last in ("accepted", "other"):  # the trial's residual carries over only to its own θ
        b = Objective(X, y, w, lam=0.5)
        b.smooth_value_grad(theta)
        z, u = b.scores(theta), b.direction_scores(step)
        cand, other = theta + step, theta + 0.5 * step
        if last == "other":
            b.value_along(cand, z, u, 1.0, smooth=True)
            b.value_along(other, z, u, 0.5, smooth=True)
        else:
            b.value_along(other, z, u, 0.5, smooth=True)
            assert b.value_along(cand, z, u, 1.0, smooth=True) == pytest.approx(f_ref, rel=1e-14)
        z_new = b.step_scores(cand, z, u, 1.0)
        np.testing.assert_allclose(z_new, X @ cand[:-1] + cand[-1], rtol=1e-12)
        f4, g4 = b.smooth_value_grad(cand)
        assert f4 == pytest.approx(f_ref, rel=1e-14)
        np.testing.assert_allclose(g4, g_ref, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("layout", ["C", "F", "float32", "standardized", "csr"])
@pytest.mark.parametrize("stride", [1, 3])
def test_advance_equals_scores_then_newton_model(rng, layout, stride):
    """One read (Objective.advance: scores moved in place, loss terms and products per row block)
    gives the same value, gradient and sampled Hessian at θ + d as the two-pass route, which
    in turn matches finite differences (test above); the scores it leaves are X̃(θ + d)."""
    X, y, w = _problem(rng, n=9000, p=6)
    offset = scale = None
    if layout == "F":
        X = np.asfortranarray(X)
    elif layout == "float32":
        X = X.astype(np.float32)
    elif layout == "standardized":
        X = X * 3.0 + 2.0
        offset, scale = X.mean(0), X.std(0)
    elif layout == "csr":
        X[rng.random(X.shape) < 0.7] = 0.0
        X = sp.csr_matrix(X)
    theta = rng.normal(size=7) * 0.3
    step = rng.normal(size=7) * 0.2
    one = Objective(Design(X, offset, scale), y, w, lam=0.7)
    one.scores(theta)
    f1, g1, H1 = one.advance(theta, step, stride=stride, single=False)
    two = Objective(Design(X, offset, scale), y, w, lam=0.7)
    f2, g2, H2 = two.newton_model(theta + step, stride=stride, single=False)
    assert f1 == pytest.approx(f2, rel=1e-13)
    np.testing.assert_allclose(g1, g2, rtol=1e-11, atol=1e-15)
    np.testing.assert_allclose(H1, H2, rtol=1e-11, atol=1e-14)
    np.testing.assert_allclose(one.scores(theta + step), two.scores(theta + step), rtol=1e-12, atol=1e-12)
    # without the Hessian: the same value and gradient, and the gradient is the cached one
    three = Objective(Design(X, offset, scale), y, w, lam=0.7)
    f3, g3, H3 = three.advance(theta, step, hessian=False)
    assert H3 is None and f3 == pytest.approx(f2, rel=1e-13)
    np.testing.assert_allclose(three.gradient(theta + step), g2, rtol=1e-11, atol=1e-15)


@pytest.mark.parametrize("compiled", [False, True], ids=["numpy-rows", "compiled-rows"])
@pytest.mark.parametrize("p, single", [(40, False), (70, False), (70, True)])
def test_advance_spans_many_row_blocks(rng, monkeypatch, compiled, p, single):
    """Rows split over many 2 MB blocks (and a sampled Hessian whose stride does not divide the
    block size, gathered in many BLAS buffers) give the same model as one dense evaluation:
    with the rows scaled by NumPy or by the compiled kernel, the Hessian's rank-k updates by
    NumPy's Bᵀ·B (p + 1 < 64) or by syrk, in float64 or float32."""
    import logitlab.design as D

    monkeypatch.setattr(D, "_kernels_loaded", lambda: compiled)
    n = 30_000
    X = rng.normal(size=(n, p))
    y = (rng.random(n) < 0.3).astype(float)
    theta, step = rng.normal(size=p + 1) * 0.05, rng.normal(size=p + 1) * 0.05
    obj = Objective(X, y, None, lam=1.0)
    f, g, H = obj.advance(theta, step, stride=7, single=single)
    z = X @ (theta + step)[:-1] + (theta + step)[-1]
    s = 1 / (1 + np.exp(-z))
    g_ref = np.append(X.T @ (s - y) / n + (theta + step)[:-1] / n, np.mean(s - y))
    np.testing.assert_allclose(g, g_ref, rtol=1e-10, atol=1e-14)
    rows = np.arange(0, n, 7)
    Xa = np.column_stack([X[rows], np.ones(rows.size)])
    dd = (s * (1 - s))[rows] * 7 / n
    H_ref = Xa.T @ (Xa * dd[:, None])
    H_ref[np.arange(p), np.arange(p)] += 1.0 / n
    np.testing.assert_allclose(H, H_ref, rtol=1e-5 if single else 1e-10, atol=1e-8 if single else 1e-14)
    f_ref = np.mean(np.logaddexp(0, z) - y * z) + 0.5 * np.sum((theta + step)[:-1] ** 2) / n
    assert f == pytest.approx(f_ref, rel=1e-12)


@pytest.mark.parametrize("sparse", [False, True])
def test_design_gram_with_signed_weights_equals_the_explicit_product(rng, sparse):
    """X_stdᵀ·diag(d)·X_std for weights of either sign (the sandwich estimators' meat), through
    the implicit centering and scaling, equals the product on an explicitly standardized X."""
    X = rng.normal(size=(400, 6)) * 3.0 + 1.0
    d = rng.normal(size=400)
    sd = X.std(0)
    if sparse:
        X[rng.random(X.shape) < 0.6] = 0.0
        X, mu = sp.csr_matrix(X), None
        Xs = X.toarray() / sd
    else:
        mu = X.mean(0)
        Xs = (X - mu) / sd
    G = Design(X, mu, sd).gram(d)
    np.testing.assert_allclose(G, Xs.T @ (Xs * d[:, None]), rtol=1e-11, atol=1e-11)


def test_separates_means_every_weighted_margin_is_positive():
    """separates(θ) ⟺ tᵢ·zᵢ > 0 for every example with weight > 0 (tᵢ = ±1): a zero score
    separates nothing, and an example of weight 0 does not count."""
    X = np.array([[1.0], [2.0], [-1.0], [-3.0]])
    y = np.array([1.0, 1.0, 0.0, 0.0])
    assert Objective(X, y).separates(np.array([1.0, 0.0]))
    assert not Objective(X, y).separates(np.array([-1.0, 0.0]))
    assert not Objective(X, y).separates(np.array([1.0, -1.0]))  # z = 0 on the first example
    assert not Objective(X, np.zeros(4)).separates(np.array([np.nan, 0.0]))  # NaN separates nothing
    assert not Objective(X, np.zeros(4), sample_weight=np.ones(4)).separates(np.array([np.nan, 0.0]))
    y_bad = np.array([1.0, 0.0, 0.0, 0.0])  # the second example is on the wrong side
    assert not Objective(X, y_bad).separates(np.array([1.0, 0.0]))
    assert Objective(X, y_bad, sample_weight=[1.0, 0.0, 1.0, 1.0]).separates(np.array([1.0, 0.0]))
    rng = np.random.default_rng(5)
    Xr, theta = rng.standard_normal((300, 3)), rng.standard_normal(4)
    yr = (Xr @ theta[:3] + theta[3] > 0).astype(float)
    for flip in (False, True):  # separated by θ; then one label flipped
        if flip:
            yr[17] = 1 - yr[17]
        margins = (2 * yr - 1) * (Xr @ theta[:3] + theta[3])
        assert Objective(Xr, yr).separates(theta) == bool(np.all(margins > 0)) == (not flip)
        assert Objective(Xr, yr, sample_weight=np.ones(300)).separates(theta) == (not flip)


@pytest.mark.parametrize("weighted", [False, True])
def test_separates_reads_every_chunk_until_a_mistake(weighted):
    """Objective.separates stops at the first chunk holding a misclassified example, so a
    mistake in the last chunk only (or only on a zero-weight example) must still be seen."""
    from logitlab import objective as O

    m = 3 * O._SEPARATION_CHUNK + 18  # even: no example at x = 0
    X = np.linspace(-1.0, 1.0, m)[:, None]
    y = (X[:, 0] > 0).astype(float)
    s = np.ones(m) if weighted else None
    theta = np.array([5.0, 0.0])  # z = 5x: every example on its side …
    assert Objective(X, y, s).separates(theta)
    y_bad = y.copy()
    y_bad[-1] = 0.0  # … but the very last
    assert not Objective(X, y_bad, s).separates(theta)
    if weighted:
        s_bad = s.copy()
        s_bad[-1] = 0.0  # an example of weight 0 does not count
        assert Objective(X, y_bad, s_bad).separates(theta)


@pytest.mark.parametrize("path", ["numpy", "compiled"])
def test_fused_loss_terms_with_unit_weights_as_a_broadcast(path):
    """Unit weights arrive as a stride-0 broadcast of 1.0 (no m-vector); the terms equal those
    with an explicit vector of ones, across chunk boundaries."""
    from logitlab import loss as L

    rng = np.random.default_rng(3)
    m = 3 * L._COMPILED_CHUNK + 5
    z = rng.standard_normal(m) * 3
    y = (rng.random(m) < 0.5).astype(np.float64)
    fn = L._log_terms_numpy if path == "numpy" else L._compiled_terms()
    r1, d1, r2, d2 = (np.empty(m) for _ in range(4))
    f1 = fn(y, z, np.broadcast_to(np.float64(1.0), (m,)), 1.0 / m, True, r1, d1, L._EMPTY, 0.0)
    f2 = fn(y, z, np.ones(m), 1.0 / m, True, r2, d2, L._EMPTY, 0.0)
    assert f1 == pytest.approx(f2, rel=1e-14)
    assert f1 == pytest.approx(float(np.mean(L.log_loss_pointwise(y, z))), rel=1e-13)
    np.testing.assert_array_equal(r1, r2)
    np.testing.assert_array_equal(d1, d2)
