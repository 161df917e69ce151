"""The per-example loss and the cost: the lessons' worked numbers, and exactness in logit space."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from scipy.special import logit

import logitlab
from logitlab import loss as L


@pytest.mark.parametrize(
    "y, p, expected",
    [(1, 0.01, 4.605), (1, 0.99, 0.01005), (1, 0.8, 0.2231), (0, 0.3, 0.3567)],
)
def test_lessons_per_example_numbers(y, p, expected):
    assert logitlab.log_loss([y], [p]) == pytest.approx(expected, abs=5e-4)
    # the same from the logit, with no probability in between
    assert logitlab.log_loss_from_logits([y], [logit(p)]) == pytest.approx(expected, abs=5e-4)


def test_lessons_mean_of_three():
    y, p = [1, 0, 1], [0.90, 0.20, 0.60]
    assert logitlab.log_loss(y, p) == pytest.approx(0.2798, abs=5e-5)
    exact = -(np.log(0.9) + np.log(0.8) + np.log(0.6)) / 3
    assert logitlab.log_loss(y, p) == pytest.approx(exact, rel=1e-15)


def test_log_loss_clips_at_dtype_epsilon():
    eps = np.finfo(np.float64).eps
    assert logitlab.log_loss([1], [0.0]) == pytest.approx(-np.log(eps), rel=1e-12)
    eps32 = np.finfo(np.float32).eps
    assert logitlab.log_loss([1], np.array([0.0], np.float32)) == pytest.approx(-np.log(eps32), rel=1e-6)


def test_log_loss_matches_sklearn(rng):
    from sklearn.metrics import log_loss as sk_log_loss

    y = rng.integers(0, 2, 500)
    p = rng.random(500)
    w = rng.random(500)
    assert logitlab.log_loss(y, p) == pytest.approx(sk_log_loss(y, p), rel=1e-12)
    assert logitlab.log_loss(y, p, w) == pytest.approx(sk_log_loss(y, p, sample_weight=w), rel=1e-12)


def test_logit_space_exact_at_1000_without_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        z = np.array([1000.0, -1000.0, 1000.0, -1000.0])
        y = np.array([1, 0, 0, 1])
        per = L.log_loss_pointwise(y, z)
    assert per[0] == 0.0 and per[1] == 0.0
    assert per[2] == 1000.0 and per[3] == 1000.0
    assert logitlab.log_loss_from_logits(y, z) == 500.0


def test_logit_space_keeps_tiny_losses():
    # log(1 + e^-40) = 4.248e-18: the naive form 1 - σ(40) rounds to 0 and loses it entirely
    assert L.log_loss_pointwise(1, 40.0) == pytest.approx(np.exp(-40.0), rel=1e-12)
    assert L.log_loss_pointwise(0, -40.0) == pytest.approx(np.exp(-40.0), rel=1e-12)


def test_sigmoid_exact_and_warning_free():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        s = logitlab.sigmoid(np.array([-1e4, -745.0, -40.0, 0.0, 40.0, 1e4]))
    assert s[0] == 0.0 and s[-1] == 1.0 and s[3] == 0.5
    assert s[2] == pytest.approx(np.exp(-40) / (1 + np.exp(-40)), rel=1e-15)
    assert s[1] == pytest.approx(np.exp(-745.0), rel=1e-3)  # subnormal, still not 0


def test_derivatives_against_finite_differences():
    z = np.linspace(-30, 30, 41)
    h = 1e-6
    for y in (0.0, 1.0):
        fd = (L.log_loss_pointwise(y, z + h) - L.log_loss_pointwise(y, z - h)) / (2 * h)
        np.testing.assert_allclose(L.log_loss_derivative(y, z), fd, atol=1e-8)
        fd2 = (L.log_loss_derivative(y, z + h) - L.log_loss_derivative(y, z - h)) / (2 * h)
        np.testing.assert_allclose(L.log_loss_curvature(z), fd2, atol=1e-8)
        fdm = (L.mse_sigmoid_pointwise(y, z + h) - L.mse_sigmoid_pointwise(y, z - h)) / (2 * h)
        np.testing.assert_allclose(L.mse_sigmoid_derivative(y, z), fdm, atol=1e-8)


def test_hinge():
    np.testing.assert_array_equal(L.hinge_pointwise([1, 1, 0, 0], [2.0, 0.5, -2.0, 0.5]), [0, 0.5, 0, 1.5])


def test_mismatched_and_empty_inputs_are_clear():
    with pytest.raises(ValueError, match="one per example"):
        logitlab.log_loss([1, 0], [0.5])
    with pytest.raises(ValueError, match="at least one"):
        logitlab.log_loss_from_logits([], [])
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        logitlab.log_loss([1], [1.5])
