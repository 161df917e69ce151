"""Property-based tests: what must hold for every input, not just the examples."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from logitlab import loss as L
from logitlab.objective import Objective

finite_z = st.floats(min_value=-1e4, max_value=1e4, allow_nan=False)
labels = st.sampled_from([0.0, 1.0])


@given(labels, finite_z)
def test_loss_is_nonnegative_and_finite(y, z):
    value = L.log_loss_pointwise(y, z)
    assert np.isfinite(value) and value >= 0


@given(labels, finite_z)
def test_label_flip_symmetry(y, z):
    # ℓ(y, z) = ℓ(1 − y, −z): relabelling the classes mirrors the logit
    assert L.log_loss_pointwise(y, z) == L.log_loss_pointwise(1 - y, -z)


@given(finite_z)
def test_loss_matches_naive_formula_where_naive_is_safe(z):
    # 1 − p cancels: the naive −log(1−p) carries an absolute error ≈ ε·eᶻ, below 1e-9 relative only for |z| < 15
    if abs(z) < 15:
        p = 1 / (1 + np.exp(-z))
        assert np.isclose(L.log_loss_pointwise(1, z), -np.log(p), rtol=1e-9, atol=1e-15)
        assert np.isclose(L.log_loss_pointwise(0, z), -np.log(1 - p), rtol=1e-9, atol=1e-14)


@settings(max_examples=40, deadline=None)
@given(
    st.integers(min_value=0, max_value=10_000),
    st.floats(min_value=0.0, max_value=5.0),
    st.floats(min_value=0.0, max_value=1.0),
)
def test_cost_is_convex_along_random_lines(seed, lam, l1_ratio):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(30, 3)) * rng.uniform(0.1, 10, size=3)
    y = (rng.random(30) < 0.5).astype(float)
    obj = Objective(X, y, lam=lam, l1_ratio=l1_ratio)
    a, b = rng.normal(size=4) * 3, rng.normal(size=4) * 3
    ts = np.linspace(0, 1, 11)
    values = np.array([obj.value((1 - t) * a + t * b) for t in ts])
    chord = (1 - ts) * values[0] + ts * values[-1]
    assert np.all(values <= chord + 1e-9 * (1 + np.abs(chord)))
    second = values[:-2] - 2 * values[1:-1] + values[2:]
    assert np.all(second >= -1e-9 * (1 + np.abs(values[1:-1])))


def test_mse_on_sigmoid_is_not_convex_along_a_line():
    # One example (x=1, y=1), no intercept: J(w) = ½(σ(w) − 1)². Along w ∈ [−10, 2] the
    # curve is flat on the left plateau and bends the wrong way: a chord lies below it.
    obj = Objective(np.array([[1.0]]), [1.0], fit_intercept=False, loss="mse")
    a, b = np.array([-10.0]), np.array([2.0])
    mid = obj.value((a + b) / 2)
    assert mid > (obj.value(a) + obj.value(b)) / 2 + 0.05
    # the log-loss on the same line is convex
    log = Objective(np.array([[1.0]]), [1.0], fit_intercept=False)
    assert log.value((a + b) / 2) <= (log.value(a) + log.value(b)) / 2


@settings(max_examples=30, deadline=None)
@given(arrays(np.float64, 20, elements=st.floats(-50, 50)), st.integers(0, 10_000))
def test_mean_loss_from_logits_equals_mean_of_pointwise(z, seed):
    y = (np.random.default_rng(seed).random(20) < 0.5).astype(float)
    assert np.isclose(L.log_loss_from_logits(y, z), np.mean(L.log_loss_pointwise(y, z)), rtol=1e-15)
