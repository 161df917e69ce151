"""logitlab.metrics equals scikit-learn to 1e-12, with and without sample weights and ties."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn import metrics as skm
from sklearn.calibration import calibration_curve as sk_calibration_curve

from logitlab import metrics as M


@pytest.fixture(params=[0, 1, 2], ids=["continuous", "ties", "imbalanced"])
def data(request):
    rng = np.random.default_rng(request.param)
    n = 400
    if request.param == 2:
        y = (rng.random(n) < 0.05).astype(int)
    else:
        y = rng.integers(0, 2, n)
    p = np.clip(0.3 * y + rng.random(n) * 0.7, 0, 1)
    if request.param == 1:
        p = np.round(p, 1)
    return y, p, rng.random(n) * 3


@pytest.mark.parametrize("weighted", [False, True])
def test_threshold_metrics(data, weighted):
    y, p, w = data
    sw = w if weighted else None
    pred = (p > 0.5).astype(int)
    assert M.accuracy(y, pred, sw) == pytest.approx(skm.accuracy_score(y, pred, sample_weight=sw), abs=1e-12)
    expected_precision = skm.precision_score(y, pred, sample_weight=sw, zero_division=0)
    assert M.precision(y, pred, sw) == pytest.approx(expected_precision, abs=1e-12)
    assert M.recall(y, pred, sw) == pytest.approx(skm.recall_score(y, pred, sample_weight=sw), abs=1e-12)
    assert M.f1(y, pred, sw) == pytest.approx(skm.f1_score(y, pred, sample_weight=sw, zero_division=0), abs=1e-12)
    expected = skm.confusion_matrix(y, pred, sample_weight=sw)
    np.testing.assert_allclose(M.confusion_matrix(y, pred, sw), expected, atol=1e-12)


@pytest.mark.parametrize("weighted", [False, True])
def test_probability_and_ranking_metrics(data, weighted):
    y, p, w = data
    sw = w if weighted else None
    assert M.log_loss(y, p, sw) == pytest.approx(skm.log_loss(y, p, sample_weight=sw), abs=1e-12)
    assert M.brier_score(y, p, sw) == pytest.approx(skm.brier_score_loss(y, p, sample_weight=sw), abs=1e-12)
    assert M.roc_auc(y, p, sw) == pytest.approx(skm.roc_auc_score(y, p, sample_weight=sw), abs=1e-12)
    expected_ap = skm.average_precision_score(y, p, sample_weight=sw)
    assert M.average_precision(y, p, sw) == pytest.approx(expected_ap, abs=1e-12)


def test_curves(data):
    y, p, _ = data
    prec, rec, thr = M.precision_recall_curve(y, p)
    prec2, rec2, thr2 = skm.precision_recall_curve(y, p, drop_intermediate=False)
    np.testing.assert_allclose(prec, prec2, atol=1e-12)
    np.testing.assert_allclose(rec, rec2, atol=1e-12)
    np.testing.assert_allclose(thr, thr2, atol=1e-12)
    fpr, tpr, _ = M.roc_curve(y, p)
    fpr2, tpr2, _ = skm.roc_curve(y, p, drop_intermediate=False)
    np.testing.assert_allclose(fpr, fpr2, atol=1e-12)
    np.testing.assert_allclose(tpr, tpr2, atol=1e-12)
    true, pred, _ = M.calibration_curve(y, p, n_bins=10)
    true2, pred2 = sk_calibration_curve(y, p, n_bins=10)
    np.testing.assert_allclose(true, true2, atol=1e-12)
    np.testing.assert_allclose(pred, pred2, atol=1e-12)


def test_threshold_table_agrees_with_direct_counts(data):
    y, p, _ = data
    table = M.threshold_table(y, p, [0.2, 0.5, 0.8])
    for k, t in enumerate([0.2, 0.5, 0.8]):
        pred = (p > t).astype(int)
        assert table["precision"][k] == pytest.approx(skm.precision_score(y, pred, zero_division=0), abs=1e-12)
        assert table["recall"][k] == pytest.approx(skm.recall_score(y, pred), abs=1e-12)
        assert table["f1"][k] == pytest.approx(skm.f1_score(y, pred, zero_division=0), abs=1e-12)


def test_choose_threshold_minimizes_expected_cost(data):
    y, p, _ = data
    choice = M.choose_threshold(y, p, cost_fp=1.0, cost_fn=5.0)
    grid = np.linspace(0, 1, 2001)
    costs = [np.sum((p > t) & (y == 0)) * 1.0 + np.sum((p <= t) & (y == 1)) * 5.0 for t in grid]
    assert choice.cost_per_example * len(y) == pytest.approx(min(costs), abs=1e-9)
    assert choice.bayes_threshold == pytest.approx(1 / 6)
    pred = p > choice.threshold
    assert choice.false_positives == np.sum(pred & (y == 0))
    assert choice.false_negatives == np.sum(~pred & (y == 1))


def test_costly_misses_lower_the_threshold(data):
    y, p, _ = data
    cheap = M.choose_threshold(y, p, cost_fp=5.0, cost_fn=1.0)
    costly = M.choose_threshold(y, p, cost_fp=1.0, cost_fn=5.0)
    assert costly.threshold <= cheap.threshold


def test_bad_metric_input():
    with pytest.raises(ValueError, match="0/1"):
        M.accuracy([0, 2], [0, 1])
    with pytest.raises(ValueError, match="both classes"):
        M.roc_auc([1, 1], [0.2, 0.3])
    with pytest.raises(ValueError, match="values"):
        M.brier_score([1, 0], [0.2])


def test_hosmer_lemeshow_by_hand():
    """Eight points, four groups: R's type-7 breaks (0.1, 0.275, 0.45, 0.625, 0.8) put two points
    in each group; Σ (O−E)²/E over both classes computed by hand."""
    p = np.arange(1, 9) / 10
    y = np.array([0, 0, 1, 0, 1, 1, 0, 1])
    hl = M.hosmer_lemeshow(y, p, n_groups=4)
    np.testing.assert_allclose(hl.lower, [0.1, 0.275, 0.45, 0.625], rtol=1e-12)
    np.testing.assert_allclose(hl.n, [2, 2, 2, 2])
    np.testing.assert_allclose(hl.observed, [0, 1, 2, 1])
    np.testing.assert_allclose(hl.expected, [0.3, 0.7, 1.1, 1.5], rtol=1e-12)
    by_hand = (0.09 / 0.3 + 0.09 / 1.7) + (0.09 / 0.7 + 0.09 / 1.3)
    by_hand += (0.81 / 1.1 + 0.81 / 0.9) + (0.25 / 1.5 + 0.25 / 0.5)
    assert hl.statistic == pytest.approx(by_hand, rel=1e-12)
    assert hl.dof == 2
    assert hl.pvalue == pytest.approx(np.exp(-by_hand / 2), rel=1e-12)  # χ²₂ survival = e^(−x/2)
    assert hl.table()["observed_0"].tolist() == [2, 1, 0, 1]


def test_hosmer_lemeshow_weights_are_row_repetitions():
    rng = np.random.default_rng(3)
    p = rng.random(60)
    y = (rng.random(60) < p).astype(float)
    w = rng.integers(0, 4, 60)
    a = M.hosmer_lemeshow(y, p, sample_weight=w)
    b = M.hosmer_lemeshow(np.repeat(y, w), np.repeat(p, w))
    assert a.statistic == pytest.approx(b.statistic, rel=1e-12)
    assert a.dof == b.dof == 8
    np.testing.assert_allclose(a.n, b.n)
    np.testing.assert_allclose(a.expected, b.expected, rtol=1e-12)


def test_hosmer_lemeshow_tied_breaks_merge_groups():
    p = np.r_[np.full(50, 0.2), np.linspace(0.3, 0.9, 50)]
    y = (np.arange(100) % 3 == 0).astype(float)
    hl = M.hosmer_lemeshow(y, p)
    assert hl.n.sum() == 100 and hl.n[0] == 50  # the five tied deciles are one group
    assert hl.dof == hl.n.size - 2 == 4
    with pytest.raises(ValueError, match="n_groups"):
        M.hosmer_lemeshow(y, p, n_groups=2)


def test_weighted_quantile_is_type_7():
    rng = np.random.default_rng(1)
    x, w = rng.random(31), rng.integers(1, 5, 31)
    q = np.linspace(0, 1, 11)
    np.testing.assert_allclose(M.weighted_quantile(x, q), np.quantile(x, q), rtol=1e-14)
    np.testing.assert_allclose(M.weighted_quantile(x, q, w), np.quantile(np.repeat(x, w), q), rtol=1e-14)
