"""Drift and calibration statistics against hand computations, scipy, statsmodels and the
metrics module; expected performance's stated intervals against data drawn from the model."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from logitlab.metrics import calibration_curve, hosmer_lemeshow, roc_auc
from logitlab.monitoring.compare import delong_paired
from logitlab.monitoring.drift import CategoryCounts, NumericCounts, chi2_categories, ks_on_grid, psi
from logitlab.monitoring.expected import expected_performance
from logitlab.monitoring.scores import ScoreSummary, expected_calibration_error
from logitlab.monitoring.slices import hanley_mcneil_se, wilson_interval


def test_psi_by_hand() -> None:
    e, a = [0.25, 0.25, 0.5], [0.2, 0.3, 0.5]
    hand = (0.2 - 0.25) * np.log(0.2 / 0.25) + (0.3 - 0.25) * np.log(0.3 / 0.25)
    assert psi(e, a) == pytest.approx(hand, abs=1e-12)
    # an empty bin counts as 1e-4 (Evidently's smoothing), so PSI stays finite
    assert psi([0.5, 0.5, 0.0], [0.4, 0.4, 0.2]) == pytest.approx(
        2 * (0.4 - 0.5) * np.log(0.4 / 0.5) + (0.2 - 1e-4) * np.log(0.2 / 1e-4), abs=1e-12)


def test_ks_on_a_grid_holding_every_value_is_scipys_two_sample_ks() -> None:
    rng = np.random.default_rng(1)
    ref, cur = rng.integers(0, 15, 700).astype(float), rng.integers(1, 17, 400).astype(float)
    grid = np.unique(np.r_[ref, cur])
    F = [np.searchsorted(np.sort(x), grid, side="right") / x.size for x in (ref, cur)]
    got = ks_on_grid(F[0], F[1], ref.size, cur.size)
    want = stats.ks_2samp(ref, cur, method="asymp")
    assert got["statistic"] == pytest.approx(want.statistic, abs=1e-12)
    assert got["pvalue"] == pytest.approx(want.pvalue, rel=1e-12, abs=1e-300)
    # the accumulator gives the same CDF on that grid, chunk by chunk
    counts = NumericCounts(grid.tolist()).update(cur[:150]).merge(NumericCounts(grid.tolist()).update(cur[150:]))
    np.testing.assert_allclose(counts.cdf(), F[1], rtol=0, atol=1e-15)


def test_chi2_is_scipys_contingency_test_and_counts_unseen_levels() -> None:
    ref, cur = [50, 30, 20, 0], [40, 45, 10, 5]
    want = stats.chi2_contingency(np.array([ref, cur]), correction=False)
    got = chi2_categories(ref, cur)
    assert got["statistic"] == pytest.approx(want[0], abs=1e-12) and got["pvalue"] == pytest.approx(want[1], rel=1e-12)
    d = CategoryCounts().update(np.array(["a"] * 40 + ["b"] * 45 + ["c"] * 10 + ["zz"] * 5, dtype=object)).drift(
        {"counts": {"a": 50, "b": 30, "c": 20}})
    assert d["statistic"] == pytest.approx(want[0], abs=1e-12) and d["categories"][-1] == "(unseen)"
    assert d["psi"] == pytest.approx(psi([0.5, 0.3, 0.2, 0.0], [0.4, 0.45, 0.1, 0.05]), abs=1e-12)


def test_ece_and_reliability_by_hand_and_as_calibration_curve() -> None:
    rng = np.random.default_rng(2)
    z = rng.normal(0, 2, 3000)
    p = 1 / (1 + np.exp(-z))
    y = (rng.uniform(size=z.size) < p ** 1.3).astype(float)  # miscalibrated on purpose
    s = ScoreSummary(0.5, True).update(z[:1000], y[:1000]).merge(ScoreSummary(0.5, True).update(z[1000:], y[1000:]))
    obs, pred, count = calibration_curve(y, p, n_bins=10)
    hand = np.sum(count * np.abs(obs - pred)) / count.sum()
    assert s.ece_value() == pytest.approx(hand, abs=1e-12)
    assert expected_calibration_error(count, pred, obs) == pytest.approx(hand, abs=1e-12)
    rel = s.reliability()
    np.testing.assert_allclose(rel["observed"], obs, atol=1e-12)
    np.testing.assert_allclose(rel["mean_predicted"], pred, atol=1e-12)


def test_hosmer_lemeshow_matches_metrics_module() -> None:
    # a few distinct probabilities (as a model on categorical inputs): every bin holds one value
    rng = np.random.default_rng(3)
    z = rng.choice(np.linspace(-3, 3, 25), 4000)
    y = (rng.uniform(size=z.size) < 1 / (1 + np.exp(-z))).astype(float)
    p = 1 / (1 + np.exp(-z))
    s = ScoreSummary(0.5, True).update(z, y)
    want = hosmer_lemeshow(y, p, 10)
    got = s.hosmer_lemeshow()
    assert got["statistic"] == pytest.approx(want.statistic, rel=1e-12) and got["dof"] == want.dof
    assert got["pvalue"] == pytest.approx(want.pvalue, rel=1e-10)
    # continuous scores: grouped on the score histogram, close to the exact grouping
    zc = rng.normal(0, 1.5, 4000)
    yc = (rng.uniform(size=zc.size) < 1 / (1 + np.exp(-zc))).astype(float)
    got = ScoreSummary(0.5, True).update(zc, yc).hosmer_lemeshow()
    assert got["statistic"] == pytest.approx(hosmer_lemeshow(yc, 1 / (1 + np.exp(-zc))).statistic, rel=0.02)


def test_binned_auc_is_within_1e4_of_the_exact_auc() -> None:
    rng = np.random.default_rng(4)
    z = rng.normal(0, 2, 20000)
    y = (rng.uniform(size=z.size) < 1 / (1 + np.exp(-z))).astype(float)
    assert ScoreSummary(0.5, True).update(z, y).binned_auc() == pytest.approx(roc_auc(y, z), abs=1e-4)
    zd = np.round(z, 1)  # tied scores, each in its own bin: exact
    assert ScoreSummary(0.5, True).update(zd, y).binned_auc() == pytest.approx(roc_auc(y, zd), abs=1e-12)


def test_delong_matches_its_placement_value_definition() -> None:
    rng = np.random.default_rng(5)
    y = rng.integers(0, 2, 120).astype(bool)
    a = y + rng.normal(0, 1, 120)
    b = np.round(0.5 * a + rng.normal(0, 0.8, 120), 1)  # ties too
    pos, neg = np.flatnonzero(y), np.flatnonzero(~y)

    def psi_(s):  # ψ(x_i, y_j) = 1 if positive above, ½ if tied
        return (s[pos][:, None] > s[neg][None, :]) + 0.5 * (s[pos][:, None] == s[neg][None, :])

    P = [psi_(a), psi_(b)]
    v10 = np.array([m.mean(axis=1) for m in P])
    v01 = np.array([m.mean(axis=0) for m in P])
    S = np.cov(v10) / pos.size + np.cov(v01) / neg.size
    got = delong_paired(y, a, b)
    assert got["auc_a"] == pytest.approx(P[0].mean(), abs=1e-12) and got["auc_b"] == pytest.approx(roc_auc(y, b))
    assert got["se"] ** 2 == pytest.approx(S[0, 0] + S[1, 1] - 2 * S[0, 1], rel=1e-10)


def test_wilson_and_hanley_mcneil() -> None:
    from statsmodels.stats.proportion import proportion_confint

    for k, n in [(0, 10), (3, 10), (10, 10), (47, 200)]:
        np.testing.assert_allclose(wilson_interval(k, n), proportion_confint(k, n, 0.05, "wilson"), atol=1e-12)
    # Hanley & McNeil (1982) by hand: A = 0.9, 50 + 50 cases
    q1, q2 = 0.9 / 1.1, 2 * 0.81 / 1.9
    assert hanley_mcneil_se(0.9, 50, 50) == pytest.approx(
        np.sqrt((0.09 + 49 * (q1 - 0.81) + 49 * (q2 - 0.81)) / 2500), abs=1e-15)
    # … and the spread of simulated AUCs under its exponential model (P(X₊ > X₋) = 1/(1 + r) = 0.9)
    rng = np.random.default_rng(6)
    y = np.r_[np.ones(50), np.zeros(50)]
    aucs = [roc_auc(y, np.r_[rng.exponential(9.0, 50), rng.exponential(1.0, 50)]) for _ in range(2000)]
    assert hanley_mcneil_se(0.9, 50, 50) == pytest.approx(np.std(aucs), rel=0.06)


def test_expected_performance_covers_the_realised_metrics() -> None:
    """On data drawn from the model, the realised AUC and accuracy fall in the stated (99 %)
    intervals in at least 95 of 100 seeded trials."""
    hits = {"roc_auc": 0, "accuracy": 0, "log_loss": 0}
    for seed in range(100):
        rng = np.random.default_rng(1000 + seed)
        X = rng.normal(size=(1500, 3))
        z = X @ np.array([1.2, -0.6, 0.3]) - 0.4
        y = (rng.uniform(size=z.size) < 1 / (1 + np.exp(-z))).astype(float)
        est = expected_performance(ScoreSummary(0.5, False).update(z), seed=seed)["metrics"]
        realised = {"roc_auc": roc_auc(y, z), "accuracy": float(np.mean((z > 0) == (y > 0.5))),
                    "log_loss": ScoreSummary(0.5, True).update(z, y).metrics()["log_loss"]}
        for k in hits:
            hits[k] += est[k]["lower"] <= realised[k] <= est[k]["upper"]
    assert min(hits.values()) >= 95, hits
