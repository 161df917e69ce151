"""Every solver reaches the same J* (relative 1e-8) on small versions of the benchmark problems.

Dense (C and F order) and sparse (CSR and CSC), float32 and float64, with and without sample
weights, smooth (L2, unpenalized) and non-smooth (L1, elastic net). The reference J* comes
from an independent library run very tightly: scikit-learn's Newton-Cholesky for smooth J,
glum's IRLS-CD for L1/elastic net. Speed must never buy a wrong answer.
"""

from __future__ import annotations

import tracemalloc
import warnings

import numpy as np
import pytest
import scipy.sparse as sp

from benchmarks.problems import dense_data, tfidf_data
from logitlab import LogisticRegression
from logitlab.design import Design
from logitlab.objective import Objective
from logitlab.solvers import SOLVERS

REL = 1e-8


def _data(kind: str, fmt: str, dtype, weighted: bool):
    if kind == "dense":
        X, y = dense_data(1500, 12, seed=3)
        X = np.asfortranarray(X, dtype=dtype) if fmt == "F" else np.ascontiguousarray(X, dtype=dtype)
    else:
        X, y = tfidf_data(1200, 300, 20, seed=4)
        X = (X.tocsc() if fmt == "csc" else X.tocsr()).astype(dtype)
    sw = np.random.default_rng(5).uniform(0.2, 3.0, X.shape[0]) if weighted else None
    return X, y, sw


def _reference(X, y, sw, lam: float, l1_ratio: float) -> float:
    """J* from scikit-learn (smooth) or glum (L1/elastic net), evaluated by logitlab's J."""
    obj = Objective(X, y, sw, lam=lam, l1_ratio=l1_ratio)
    Xd = X.astype(np.float64)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if l1_ratio == 0:
            from sklearn.linear_model import LogisticRegression

            C = np.inf if lam == 0 else 1.0 / lam
            m = LogisticRegression(C=C, solver="newton-cholesky", tol=1e-14, max_iter=500)
            m.fit(Xd.toarray() if sp.issparse(Xd) else Xd, y, sample_weight=sw)
        else:
            from glum import GeneralizedLinearRegressor

            s = np.ones(len(y)) if sw is None else sw
            m = GeneralizedLinearRegressor(family="binomial", alpha=lam / s.sum(), l1_ratio=l1_ratio,
                                           solver="irls-cd", gradient_tol=1e-13, max_iter=1000)
            m.fit(sp.csc_matrix(Xd) if sp.issparse(Xd) else Xd, y, sample_weight=sw)
    return obj.value(obj.join(np.ravel(m.coef_), float(np.ravel(m.intercept_)[0])))


CASES = [
    ("dense", "C", np.float64), ("dense", "F", np.float32),
    ("sparse", "csr", np.float64), ("sparse", "csc", np.float32), ("sparse", "csr", np.float32),
]
PENALTIES = [(1.0, 0.0), (0.0, 0.0), (None, 1.0), (None, 0.5)]  # None: a fraction of λ_max


def _lam(X, y, l1_ratio, lam):
    if lam is not None:
        return lam
    r = (y - y.mean()) / X.shape[0]
    return 0.1 * float(np.abs(np.asarray(X.T @ r)).max()) * X.shape[0] / l1_ratio


@pytest.mark.parametrize("kind,fmt,dtype", CASES)
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("lam,l1_ratio", PENALTIES)
def test_every_solver_reaches_the_reference_optimum(kind, fmt, dtype, weighted, lam, l1_ratio):
    if kind == "sparse" and lam == 0.0:
        pytest.skip("unpenalized fits are benchmarked on dense data only (tf-idf can separate)")
    X, y, sw = _data(kind, fmt, dtype, weighted)
    lam = _lam(X, y, l1_ratio, lam)
    J_ref = _reference(X, y, sw, lam, l1_ratio)
    for name, (fn, handles_l1, _) in SOLVERS.items():
        if l1_ratio > 0 and not handles_l1:
            continue
        if name == "gd":
            continue  # first-order; checked separately on one problem below
        obj = Objective(X, y, sw, lam=lam, l1_ratio=l1_ratio)
        res = fn(obj, obj.initial_theta(), tol=1e-10, max_iter=2000)
        J = obj.value(res.theta)
        assert res.status == "converged", (name, res.status, res.kkt_residual, res.message)
        assert J <= J_ref * (1 + REL), (name, J, J_ref)
        assert J >= J_ref * (1 - REL), (name, J, J_ref)  # the reference itself is optimal
        if l1_ratio > 0:
            w, _ = obj.split(res.theta)
            assert np.any(w == 0) and np.any(w != 0)


def test_gradient_descent_reaches_the_same_optimum():
    X, y, _ = _data("dense", "C", np.float64, False)
    J_ref = _reference(X, y, None, 1.0, 0.0)
    obj = Objective(X, y, lam=1.0)
    res = SOLVERS["gd"][0](obj, obj.initial_theta(), learning_rate=1.0, tol=1e-9, max_iter=50_000)
    assert abs(obj.value(res.theta) - J_ref) <= REL * J_ref


def test_products_do_not_copy_X():
    """float32 dense and CSR/CSC products allocate far less than X (no cast, no layout copy)."""
    rng = np.random.default_rng(0)
    X32 = np.asfortranarray(rng.standard_normal((200_000, 40)).astype(np.float32))
    Xs = sp.random(100_000, 5_000, density=0.01, format="csr", random_state=0, dtype=np.float32)
    for X in (X32, Xs, Xs.tocsc()):
        D = Design(X, scale=np.full(X.shape[1], 2.0))
        w, r = np.ones(X.shape[1]), np.ones(X.shape[0])
        D.matvec(w), D.rmatvec(r), D.column_sq_norms(r)  # warm-up (compilation)
        nbytes = X.nbytes if not sp.issparse(X) else X.data.nbytes + X.indices.nbytes
        tracemalloc.start()
        z = D.matvec(w)
        g = D.rmatvec(r)
        D.column_sq_norms(r)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        assert peak < 0.25 * nbytes + 3 * 8 * X.shape[0], (type(X), peak, nbytes)
        Xd = X.astype(np.float64)
        np.testing.assert_allclose(z, np.asarray(Xd @ (w / 2)).ravel(), rtol=1e-10)
        np.testing.assert_allclose(g, np.asarray(Xd.T @ r).ravel() / 2, rtol=1e-10)


@pytest.mark.parametrize("fmt", ["csr", "csc"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_squared_column_norms_leave_X_untouched(fmt, dtype):
    """Σᵢ dᵢ·xᵢⱼ² by the NumPy blocks and by the numba kernel equals SciPy's (X∘X)ᵀd, and
    neither path writes into X's stored values."""
    X = sp.random(3000, 400, density=0.02, format=fmt, random_state=1, dtype=dtype)
    before = X.data.copy()
    d = np.random.default_rng(2).random(3000)
    ref = np.asarray(X.astype(np.float64).multiply(X.astype(np.float64)).T @ d).ravel()
    D = Design(X)
    np.testing.assert_allclose(D._moments_blocked(d, first=False)[1], ref, rtol=1e-12)
    from logitlab.solvers import _kernels  # noqa: F401  (loads numba: the compiled path)

    np.testing.assert_allclose(D.column_sq_norms(d), ref, rtol=1e-12)
    np.testing.assert_array_equal(X.data, before)


def test_benchmark_runs_on_a_tiny_problem(tmp_path):
    from benchmarks.report import markdown, plot
    from benchmarks.run import run_benchmark

    result = run_benchmark(["breast_cancer", "tfidf_l1"], scale=0.004, repeats=1, budget=5.0,
                           include={"sklearn saga", "sklearn lbfgs", "glum irls-cd"}, log=lambda m: None)
    for rec in result["records"]:
        assert rec["kkt_star"] < 1e-8
        h = rec["headline"]
        assert h["ours"] is not None and h["ours"]["subopt"] <= 1e-6
        assert np.isfinite(h["ratio"])
    text = markdown(result, "python -m benchmarks --quick")
    assert "logitlab default" in text and "breast cancer" in text
    plot(result, tmp_path / "plot.png")
    assert (tmp_path / "plot.png").stat().st_size > 1000


def test_benchmark_sweep_stops_when_a_solver_has_used_its_budget(monkeypatch):
    """A slow peer's sweep ends once its runs have used the budget (the warm-up, which holds
    compilation, not counted), and a warm-up slower than a quarter of it is the first
    measurement, not run twice."""
    import benchmarks.run as br
    from benchmarks.peers import Adapter

    class Flat:  # every θ is 1e-3 above J* = 1: the sweep never reaches 1e-10 by itself
        def value(self, theta):
            return 1.001

        def kkt_residual(self, theta):
            return 1e-3

    def sweep(seconds, budget):
        clock = iter(seconds)
        monkeypatch.setattr(br, "_timed", lambda ad, P, tol: (next(clock), np.zeros(2)))
        ad = Adapter("peer", "peer", None, [1e-2, 1e-3, 1e-4, 1e-5, 1e-6, 1e-8])
        P = type("P", (), {"name": "p"})()
        return br._sweep(ad, P, Flat(), 1.0, 0.1, budget, log=lambda m: None)

    runs = sweep([1.0] * 7, budget=4.5)  # 5 runs = 5 s > 4.5; the warm-up is not one of them
    assert [r.tol for r in runs] == [1e-2, 1e-3, 1e-4, 1e-5, 1e-6]
    assert [r.passes for r in runs] == [10.0] * 5
    runs = sweep([2.0, 1.0, 9.0], budget=4.0)  # warm-up 2 s > 4/4: it is the 1e-2 point
    assert [(r.tol, r.seconds) for r in runs] == [(1e-2, 2.0), (1e-3, 1.0), (1e-4, 9.0)]


def test_benchmark_re_times_only_runs_that_could_decide_the_headline():
    """Phase 2 re-times runs within 4× of the fastest peer's time to 1e-6 (logitlab's included),
    never one over a quarter of the budget, and without any peer at 1e-6 those under budget/4."""
    from benchmarks.run import Run, contenders

    def run(lib, sec, sub, error=""):
        return Run("p", lib, lib, 1e-4, sec, sub, 0.0, 1.0, error=error)

    runs = [run("logitlab", 0.1, 1e-8), run("fast", 0.5, 1e-3), run("fast", 1.0, 1e-7),
            run("slow", 3.9, 1e-7), run("slow", 4.1, 1e-9), run("broken", np.nan, np.nan, "boom")]
    assert contenders(runs, budget=40.0) == [0, 1, 2, 3]
    assert contenders(runs, budget=8.0) == [0, 1, 2]  # 3.9 s > budget / 4
    no_peer = [run("logitlab", 0.1, 1e-8), run("peer", 9.0, 1e-3), run("peer", 11.0, 1e-4)]
    assert contenders(no_peer, budget=40.0) == [0, 1]


def test_first_fit_is_timed_in_a_process_that_has_fitted_nothing():
    """benchmarks.first_fit: the L1 problem's λ is found by fits, so the parent finds it and the
    fresh process only rebuilds the data (its script asserts logitlab is not yet imported)."""
    from benchmarks.first_fit import first_fit_table

    table = first_fit_table(scale=0.004, names=["tfidf_l1"], log=lambda m: None)
    (row,) = table["rows"]
    assert row["problem"] == "tfidf_l1" and 0 < row["logitlab"] < 60 and 0 < row["sklearn"] < 60
    assert "| tfidf_l1 |" in table["markdown"]


def test_peak_memory_tool_measures_what_the_benchmark_does():
    """benchmarks.peak_memory: a warm fit's tracemalloc peak, positive and below X's own size
    on a tiny tf-idf problem (the default solver there holds a few vectors, never X)."""
    from benchmarks.peak_memory import peak_share
    from benchmarks.problems import make_problem

    P = make_problem("tfidf_l2", scale=0.05)  # 2,500 features: newton-cg's side of "auto"
    peak, solver = peak_share(P)
    assert solver == "newton-cg"
    assert 0 < peak < P.x_bytes


@pytest.mark.parametrize("l1_ratio", [1.0, 0.5])
def test_cd_converges_fast_on_badly_conditioned_features(l1_ratio):
    """Features centred at 100 make the Hessian ill-conditioned (the intercept column is nearly a
    feature): coordinate descent alone gives inexact Newton steps (174 outer iterations measured at
    tol 1e-8 before the exact step on the support). Proximal Newton must stay quadratic and reach
    glum's J* (scikit-learn's saga does not converge here)."""
    rng = np.random.RandomState(0)
    X = rng.normal(loc=100, size=(100, 2))
    y = rng.randint(0, 2, size=100).astype(float)
    lam = 0.5
    m = LogisticRegression(lam=lam, l1_ratio=l1_ratio, tol=1e-10).fit(X, y)
    assert m.solver_ == "cd" and m.converged_
    assert m.n_iter_[0] <= 10
    J_star = _reference(X, y, None, lam, l1_ratio)
    J = Objective(X, y, lam=lam, l1_ratio=l1_ratio).value(np.r_[m.coef_.ravel(), m.intercept_])
    assert J <= J_star * (1 + 1e-10)
    assert J == pytest.approx(J_star, rel=1e-9)


@pytest.mark.parametrize("fmt,dtype", [("C", np.float64), ("F", np.float32)])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("lam", [1.0, 0.0])
def test_newton_from_a_coarse_start_reaches_the_reference(monkeypatch, fmt, dtype, weighted, lam):
    """Large enough for Newton's cold start on every 16th row (and for its one-read full steps
    with sampled, BFGS-corrected Hessians): the answer is still scikit-learn's J* to 1e-8 (and
    the coarse start did run: it is the only thing that calls Objective.subsample)."""
    from logitlab.solvers import newton

    X, y = dense_data(24_000, 12, seed=8)
    X = np.asfortranarray(X, dtype=dtype) if fmt == "F" else np.ascontiguousarray(X, dtype=dtype)
    sw = np.random.default_rng(9).uniform(0.2, 3.0, X.shape[0]) if weighted else None
    calls = []
    real = Objective.subsample
    monkeypatch.setattr(Objective, "subsample", lambda self, k: calls.append(k) or real(self, k))
    J_ref = _reference(X, y, sw, lam, 0.0)
    for standardize in (False, True):
        m = LogisticRegression(lam=lam, tol=1e-9, standardize=standardize).fit(X, y, sw)
        assert m.solver_ == "newton-cholesky" and m.converged_
        J = Objective(X, y, sw, lam=lam).value(np.r_[m.coef_.ravel(), m.intercept_])
        if not standardize:
            assert J == pytest.approx(J_ref, rel=REL)
            assert m.n_iter_[0] <= 8
    assert calls and set(calls) == {newton._COARSE_STEP}


@pytest.mark.parametrize("fmt", ["csr", "csc"])
@pytest.mark.parametrize("compiled", [False, True])
def test_column_moments_are_the_hessians_intercept_column_and_diagonal(fmt, compiled, monkeypatch):
    """(X̃ᵀd, Σ dᵢx̃ᵢⱼ²) by the compiled one-read kernel and by SciPy's loop in blocks (X has
    several) equal the dense Hessian's intercept column and diagonal (scaled design included),
    for d in float64 and in float32 (truncated Newton's curvature, read as is)."""
    import logitlab.design as design_module

    X = sp.random(2500, 300, density=0.05, format=fmt, random_state=3, dtype=np.float64)
    scale = np.random.default_rng(4).uniform(0.5, 2.0, 300)
    if compiled:
        from logitlab.solvers import _kernels  # noqa: F401
    else:
        monkeypatch.setattr(design_module, "_kernels_loaded", lambda: False)
    Xs = X.toarray() / scale
    for dtype in (np.float64, np.float32):
        d = np.random.default_rng(5).random(2500).astype(dtype)
        first, second = Design(X, scale=scale).column_moments(d)
        d64 = d.astype(np.float64)
        np.testing.assert_allclose(first, Xs.T @ d64, rtol=1e-12)
        np.testing.assert_allclose(second, (Xs * Xs).T @ d64, rtol=1e-12)


def test_newton_cg_preconditioner_is_the_centered_diagonal():
    """M⁻¹ = T·diag(TᵀHT)⁻¹·Tᵀ with T the change of variables b' = b + μ·w that decouples the
    intercept: checked against the dense Hessian. And it is what makes CG short on tf-idf
    (non-negative features all coupled to the intercept): fewer products than the plain diagonal."""
    from logitlab.solvers import quasi_newton as qn

    X, y = tfidf_data(3000, 800, 20, seed=6)
    obj = Objective(X, y, lam=1.0)
    theta = np.zeros(obj.n_params)
    theta[-1] = 0.3
    d = obj.curvature_weights(theta)
    H = obj.hessian(theta)
    p = obj.n_features
    mu = H[:p, p] / H[p, p]
    T = np.eye(p + 1)
    T[p, :p] = -mu
    Hc = T.T @ H @ T
    np.testing.assert_allclose(Hc[:p, p], 0.0, atol=1e-12 * np.abs(H).max())
    M_inv = T @ np.diag(1.0 / np.diag(Hc)) @ T.T
    r = np.random.default_rng(7).standard_normal(p + 1)
    # stored in float32 (a preconditioner's digits): M⁻¹r to float32's precision
    np.testing.assert_allclose(qn._centered_diagonal(obj, d)(r), M_inv @ r, rtol=1e-6)

    g = obj.gradient(theta)
    diag = np.append(obj.design.column_sq_norms(d) + obj.penalty.l2, d.sum())
    _, k_plain = qn._pcg(obj, theta, g, d, qn._Diagonal(1.0 / diag), 1e-6, 500)
    _, k_centered = qn._pcg(obj, theta, g, d, qn._centered_diagonal(obj, d), 1e-6, 500)
    assert k_centered < 0.7 * k_plain, (k_centered, k_plain)


@pytest.mark.parametrize("kind", ["tall dense", "tf-idf", "tf-idf 20k", "tf-idf 20k L1"])
def test_default_fit_needs_under_a_tenth_of_X_in_extra_memory(kind):
    """A whole fit (validation, start, solver, the stored result) under 10 % of X.

    Tall dense (p = 20, one m-vector is 5 % of X): labels as float32, unit weights as a
    broadcast 1.0, the loss terms one row block at a time and z moved in place. tf-idf 100k ×
    50k (47 nonzeros a row: one m-vector 1.4 % of X, one p-vector 0.7 %; 8.6 %, 19 % on round
    4's code): truncated Newton holds z, a float32 curvature, one work m-vector and five
    p-vectors; line-search trials never store their scores; labels already 0/1 are used as
    given; the solver makes its own cold start and the score cache holds it uncopied. The
    quick suite's 20k × 10k (X of 11 MB, so the fixed buffers weigh 5× more: 9.7 % for L2 on
    round 6's code, 10.7 % before; L1 at 2.5 % nonzero weights through the working set's
    Newton matrix: 9.2 %)."""
    lam, l1_ratio = 1.0, 0.0
    if kind == "tall dense":
        X, y = dense_data(400_000, 20, seed=12)
        warm, solver = 50_000, "newton-cholesky"
    elif kind == "tf-idf":
        X, y = tfidf_data(100_000, 50_000, 50, seed=14)
        warm, solver = 5000, "newton-cg"
    else:
        from benchmarks.problems import make_problem

        P = make_problem("tfidf_l1" if kind.endswith("L1") else "tfidf_l2", scale=0.2)
        X, y, lam, l1_ratio = P.X, P.y, P.lam, P.l1_ratio
        warm, solver = 5000, "cd" if l1_ratio else "newton-cg"
    x_bytes = Design(X).stored_bytes()
    LogisticRegression(lam=lam, l1_ratio=l1_ratio).fit(X[:warm], y[:warm])  # imports, compilation
    tracemalloc.start()
    model = LogisticRegression(lam=lam, l1_ratio=l1_ratio, tol=1e-6).fit(X, y)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert model.converged_ and model.solver_ == solver
    assert peak < 0.10 * x_bytes, peak / x_bytes


@pytest.mark.parametrize("kind", ["dense", "sparse"])
def test_solvers_make_the_cold_start_themselves(kind):
    """θ₀ = None is the objective's cold start, made by the solver: the same optimum as when the
    caller passes initial_theta(), and a caller's θ₀ is never written to."""
    X, y, _ = _data(kind, "C" if kind == "dense" else "csr", np.float64, False)
    lam = 1.0
    for name, (fn, _, _) in SOLVERS.items():
        if name == "gd":
            continue
        a = Objective(X, y, lam=lam)
        own = fn(a, None, tol=1e-9, max_iter=500)
        b = Objective(X, y, lam=lam)
        theta0 = b.initial_theta()
        given = fn(b, theta0, tol=1e-9, max_iter=500)
        np.testing.assert_array_equal(theta0, b.initial_theta())
        assert own.status == given.status == "converged", name
        np.testing.assert_allclose(own.theta, given.theta, rtol=1e-12, atol=1e-14, err_msg=name)


def test_quick_tfidf_l1_keeps_the_issues_share_of_nonzero_weights():
    """The benchmark's tf-idf L1 problem is defined by its ~2.5 % nonzero weights at every
    scale: 0.012·λmax (right at 100k × 50k) leaves 29 % at the quick 20k × 10k, so λ is found
    by bisection there."""
    from benchmarks.problems import make_problem

    P = make_problem("tfidf_l1", scale=0.2)
    coef = LogisticRegression(lam=P.lam, l1_ratio=1.0, tol=1e-8).fit(P.X, P.y).coef_
    assert 0.02 <= np.count_nonzero(coef) / P.X.shape[1] <= 0.03
    assert "0.012·λmax" not in P.description


@pytest.mark.parametrize("l1_ratio", [1.0, 0.5])
@pytest.mark.parametrize("weighted", [False, True])
def test_prox_newton_from_a_coarse_start_reaches_glums_optimum(monkeypatch, l1_ratio, weighted):
    """Dense L1 / elastic net large enough for the coarse start and the one-read steps: glum's
    J* to 1e-8, the same exact zeros, and the coarse start did run."""
    X, y = dense_data(24_000, 12, seed=10, n_signal=5)
    sw = np.random.default_rng(11).uniform(0.2, 3.0, X.shape[0]) if weighted else None
    lam = _lam(X, y, l1_ratio, None)
    calls = []
    real = Objective.subsample
    monkeypatch.setattr(Objective, "subsample", lambda self, k: calls.append(k) or real(self, k))
    m = LogisticRegression(lam=lam, l1_ratio=l1_ratio, tol=1e-10).fit(X, y, sw)
    assert m.solver_ == "cd" and m.converged_ and calls
    J = Objective(X, y, sw, lam=lam, l1_ratio=l1_ratio).value(np.r_[m.coef_.ravel(), m.intercept_])
    J_ref = _reference(X, y, sw, lam, l1_ratio)
    assert J == pytest.approx(J_ref, rel=REL)
    assert J <= J_ref * (1 + 1e-12)
    assert 0 < np.count_nonzero(m.coef_) < X.shape[1]


def test_l1_on_csc_reads_the_columns_in_place():
    """Coordinate descent on a CSC X walks X's own columns: the same answer as from CSR (which
    needs a working-set copy of the columns), in a fraction of the extra memory."""
    X, y = tfidf_data(8000, 3000, 30, seed=13)
    lam = _lam(X, y, 1.0, None) * 0.15
    peaks, thetas = {}, {}
    for fmt in ("csr", "csc"):
        Xf = X.tocsc() if fmt == "csc" else X.tocsr()
        LogisticRegression(lam=lam, l1_ratio=1.0, tol=1e-9).fit(Xf, y)  # warm-up
        tracemalloc.start()
        m = LogisticRegression(lam=lam, l1_ratio=1.0, tol=1e-9).fit(Xf, y)
        peaks[fmt] = tracemalloc.get_traced_memory()[1] / (Xf.data.nbytes + Xf.indices.nbytes)
        tracemalloc.stop()
        assert m.converged_ and m.solver_ == "cd"
        thetas[fmt] = np.r_[m.coef_.ravel(), m.intercept_]
    obj = Objective(X, y, lam=lam, l1_ratio=1.0)
    assert obj.value(thetas["csc"]) == pytest.approx(obj.value(thetas["csr"]), rel=1e-10)
    assert peaks["csc"] < 0.5 * peaks["csr"], peaks


@pytest.mark.parametrize("fmt", ["csr", "csr-unsorted", "csc", "coo"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("single", [False, True])
def test_block_system_is_the_working_sets_newton_matrix(fmt, dtype, single):
    """[[X̃_WᵀDX̃_W, X̃_Wᵀd], [dᵀX̃_W, Σd]] read from X's rows equals the dense computation, for
    a scaled design, rows whose indices are not sorted, and the SciPy path of other layouts."""
    X = sp.random(900, 400, density=0.04, format="csr", random_state=21, dtype=np.float64).astype(dtype)
    if fmt == "csr-unsorted":  # reverse each row's stored order: same matrix, unsorted indices
        X = X.copy()
        for i in range(X.shape[0]):
            a, b = X.indptr[i], X.indptr[i + 1]
            X.indices[a:b] = X.indices[a:b][::-1].copy()
            X.data[a:b] = X.data[a:b][::-1].copy()
        X.has_sorted_indices = False
    elif fmt in ("csc", "coo"):
        X = X.asformat(fmt)
    scale = np.random.default_rng(22).uniform(0.5, 2.0, 400)
    d = np.random.default_rng(23).random(900)
    W = np.sort(np.random.default_rng(24).choice(400, 57, replace=False))
    G = Design(X, scale=scale).block_system(W, d, single=single)
    assert G.dtype == (np.float32 if single else np.float64)
    XW = np.column_stack([X.toarray().astype(np.float64)[:, W] / scale[W], np.ones(900)])
    expected = XW.T @ (XW * d[:, None])
    np.testing.assert_allclose(G, expected, rtol=2e-6 if single else 1e-12, atol=1e-6 if single else 1e-12)


@pytest.mark.parametrize("dtype,weighted,l1_ratio,fit_intercept", [
    (np.float64, False, 1.0, True), (np.float32, True, 1.0, True),
    (np.float64, True, 0.5, True), (np.float64, False, 1.0, False),
])
def test_wide_csr_l1_takes_the_working_set_gram_to_glums_optimum(monkeypatch, dtype, weighted, l1_ratio,
                                                                  fit_intercept):
    """Sparse L1 / elastic net with more features than the full Hessian allows: on CSR the
    working set's Newton matrix is read from X's rows (no column copy) and proximal Newton
    reaches glum's J* to 1e-8, with the matrix whole or in blocks (a memory budget too small
    for it: one Gauss–Seidel sweep over the blocks per step); forcing the column path instead
    gives the same optimum."""
    import importlib

    import logitlab.design as design_module

    pn = importlib.import_module("logitlab.solvers.prox_newton")  # the module, not the function
    X, y = tfidf_data(6000, 2500, 25, seed=31)
    X = X.astype(dtype)
    sw = np.random.default_rng(32).uniform(0.2, 3.0, X.shape[0]) if weighted else None
    lam = _lam(X, y, l1_ratio, None) * 0.3
    calls = []
    real = design_module.Design.block_system
    monkeypatch.setattr(design_module.Design, "block_system",
                        lambda self, *a, **k: calls.append(a[0].size) or real(self, *a, **k))
    thetas = {}
    for path in ("gram", "blocks", "columns"):
        calls.clear()
        if path == "gram":
            monkeypatch.setattr(pn, "_GRAM_MEMORY", 1.0)
        elif path == "blocks":
            monkeypatch.setattr(pn, "_GRAM_MEMORY", 2e-4)
            monkeypatch.setattr(pn, "_GRAM_FLOOR", 0)
        else:
            monkeypatch.setattr(pn, "_block_gram_fits", lambda obj, ws: False)
        m = LogisticRegression(lam=lam, l1_ratio=l1_ratio, tol=1e-10, fit_intercept=fit_intercept).fit(X, y, sw)
        assert m.solver_ == "cd" and m.converged_
        assert bool(calls) == (path != "columns")
        if path == "gram":
            whole = len(calls)
        elif path == "blocks":
            assert len(calls) > whole, (len(calls), whole)  # several matrices a step
        thetas[path] = np.r_[m.coef_.ravel(), m.intercept_] if fit_intercept else m.coef_.ravel()
    obj = Objective(X, y, sw, lam=lam, l1_ratio=l1_ratio, fit_intercept=fit_intercept)
    if fit_intercept:
        J_ref = _reference(X, y, sw, lam, l1_ratio)
    else:  # no intercept: liblinear solves exactly this J (it only penalizes an intercept it fits)
        from sklearn.linear_model import LogisticRegression as SkLR

        sk = SkLR(C=1 / lam, l1_ratio=1.0, solver="liblinear", fit_intercept=False, tol=1e-8, max_iter=10_000)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            sk.fit(X.astype(np.float64), y, sample_weight=sw)
        J_ref = obj.value(np.ravel(sk.coef_))
    for path, theta in thetas.items():
        assert obj.value(theta) == pytest.approx(J_ref, rel=REL), path
        assert obj.value(theta) <= J_ref * (1 + 1e-12), path
    w = thetas["gram"][: X.shape[1]]
    assert 20 < np.count_nonzero(w) < 0.5 * X.shape[1]


def test_newton_direction_solves_by_cholesky_and_falls_back_on_a_singular_hessian():
    """The LAPACK Cholesky step equals a dense solve; a singular Hessian (a duplicated column,
    λ = 0) gets the least-squares step instead, and a fit with such a column still reaches the
    optimum of the same model without it (the duplicate splits the weight evenly)."""
    from logitlab.solvers.newton import _newton_direction

    rng = np.random.default_rng(40)
    A = rng.standard_normal((50, 6))
    H, g = A.T @ A, rng.standard_normal(6)
    np.testing.assert_allclose(_newton_direction(H, g), -np.linalg.solve(H, g), rtol=1e-12)
    H32 = H.astype(np.float32)
    np.testing.assert_allclose(_newton_direction(H32, g.astype(np.float32)), -np.linalg.solve(H, g), rtol=1e-3)
    B = np.column_stack([A[:, :3], A[:, :1]])  # 4 columns, rank 3
    Hs, gs = B.T @ B, B.T @ rng.standard_normal(50)
    d = _newton_direction(Hs, gs)
    np.testing.assert_allclose(d, -np.linalg.pinv(Hs) @ gs, rtol=1e-8, atol=1e-10)

    X, y = dense_data(3000, 4, seed=41)
    Xd = np.column_stack([X, X[:, 0]])
    full = LogisticRegression(lam=0.0, solver="newton-cholesky", tol=1e-9).fit(Xd, y)
    base = LogisticRegression(lam=0.0, solver="newton-cholesky", tol=1e-9).fit(X, y)
    assert full.converged_
    J = Objective(Xd, y).value(np.r_[full.coef_.ravel(), full.intercept_])
    assert J == pytest.approx(Objective(X, y).value(np.r_[base.coef_.ravel(), base.intercept_]), rel=1e-10)


def _tfidf_model(seed: int = 50):
    """A Newton model at a non-trivial point of a tf-idf L1 problem: (X CSC, d, g, θ, l1, l2)."""
    X, y = tfidf_data(3000, 600, 25, seed=seed)
    lam = _lam(X, y, 1.0, None) * 0.2
    obj = Objective(X, y, lam=lam, l1_ratio=0.9)
    res = SOLVERS["cd"][0](obj, obj.initial_theta(), tol=1e-3, max_iter=3)
    theta = res.theta
    d = obj.curvature_weights(theta)
    _, g = obj.smooth_value_grad(theta)
    return sp.csc_matrix(X), d, g, theta, obj.penalty.l1, obj.penalty.l2, obj.hessian(theta)


def _model_kkt(H, g, theta, v, l1, p):
    """Largest violation of the model's optimality conditions at v (weights penalized by l1,
    the intercept last and free): 0 exactly at the model's minimizer."""
    grad = g + H @ (v - theta)
    w, gw = v[:p], grad[:p]
    viol = np.where(w != 0, np.abs(gw + l1 * np.sign(w)), np.maximum(np.abs(gw) - l1, 0.0))
    return max(float(viol.max()), abs(float(grad[p])))


def test_decoupled_intercept_is_the_schur_complement():
    """decouple_intercept leaves H_ww − H_wb·H_bwᵀ/H_bb and g_w − μ·g_b (μ = H_wb/H_bb) in place."""
    from logitlab.solvers._kernels import decouple_intercept

    _, _, g, _, _, _, H = _tfidf_model()
    p = H.shape[0] - 1
    for dtype in (np.float64, np.float32):
        A, gg = H.astype(dtype), g.copy()
        mu = decouple_intercept(A, gg, p)
        np.testing.assert_allclose(mu, H[:p, p] / H[p, p], rtol=1e-6 if dtype == np.float32 else 1e-14)
        S = H[:p, :p] - np.outer(H[:p, p], H[:p, p]) / H[p, p]
        np.testing.assert_allclose(A[:p, :p], S, rtol=1e-4 if dtype == np.float32 else 1e-10,
                                   atol=1e-7 * np.abs(H).max())
        np.testing.assert_allclose(gg[:p], g[:p] - mu * g[p], rtol=1e-10, atol=1e-15)


@pytest.mark.parametrize("anderson", [0, 5])
def test_column_cd_reaches_the_models_minimizer_in_few_epochs(anderson):
    """CD over CSC columns in the decoupled coordinates returns the model's exact minimizer
    (its optimality conditions hold to 1e-10, checked on the dense model) and the scores of
    its step, within 40 epochs: with non-negative tf-idf features, CD in the original
    coordinates needs hundreds (the intercept undoes every step)."""
    from logitlab.solvers._kernels import cd_csc, column_moments

    X, d, g, theta, l1, l2, H = _tfidf_model()
    p = X.shape[1]
    w, b = theta[:p], theta[p]
    first, second = np.empty(p), np.empty(p)
    column_moments(X.indptr, X.indices, X.data, d, False, first, second)
    d_sum = float(d.sum())
    mu = first / d_sum
    diag = second - first * first / d_sum + l2
    v, vb, u, epochs = cd_csc(X.indptr, X.indices, X.data, np.ones(p), d, g, w.copy(), b, True, l1, l2,
                              diag, mu, d_sum, np.arange(p), 1000, 1e-13, anderson)
    target = np.append(v, vb)
    assert _model_kkt(H, g, theta, target, l1, p) < 1e-10
    assert epochs <= 40, epochs
    np.testing.assert_allclose(u, X @ (v - w) + (vb - b), rtol=1e-10, atol=1e-14)
    assert 0 < np.count_nonzero(v) < p


def _with_duplicates(X, fmt: str):
    """The same matrix in CSR or CSC with every stored value split into two stored halves
    (SciPy keeps duplicate entries until sum_duplicates)."""
    X = X.asformat(fmt)
    indptr = np.r_[0, np.cumsum(2 * np.diff(X.indptr))]
    kind = sp.csr_matrix if fmt == "csr" else sp.csc_matrix
    return kind((np.repeat(X.data / 2, 2), np.repeat(X.indices, 2), indptr), shape=X.shape)


@pytest.mark.parametrize("fmt", ["csr", "csc"])
def test_duplicate_stored_entries_fit_as_their_sums(fmt):
    """A sparse X storing entries twice (allowed by SciPy, invisible to input checks) fits
    exactly as its canonical form, on both L1 paths and for L2 (it used to crash the working
    set's matrix kernel and mislead coordinate descent)."""
    X, y = tfidf_data(3000, 2500, 25, seed=31)
    Xd = _with_duplicates(X, fmt)
    assert Xd.format == fmt and not Xd.has_canonical_format and abs(Xd - X).max() < 1e-15
    lam = _lam(X, y, 1.0, None) * 0.3
    for l1_ratio, lam_ in ((1.0, lam), (0.0, 1.0)):
        clean = LogisticRegression(lam=lam_, l1_ratio=l1_ratio, tol=1e-10).fit(X.asformat(fmt), y)
        dup = LogisticRegression(lam=lam_, l1_ratio=l1_ratio, tol=1e-10).fit(Xd, y)
        assert dup.converged_
        np.testing.assert_allclose(dup.coef_, clean.coef_, rtol=1e-7, atol=1e-9)
    assert not Xd.has_canonical_format  # the caller's matrix is left as it was


def test_a_large_mean_column_switches_the_working_set_matrix_to_float64(monkeypatch):
    """A year-like column (mean 2017, spread 1.7) cancels in a float32 Newton matrix once the
    intercept is taken out; the working-set path detects it, builds float64, and reaches the
    optimum the column path reaches."""
    import importlib

    import logitlab.design as design_module

    pn = importlib.import_module("logitlab.solvers.prox_newton")
    rng = np.random.default_rng(60)
    Xt, _ = tfidf_data(8000, 2000, 25, seed=61)
    year = rng.integers(2015, 2021, 8000).astype(float)
    X = sp.hstack([Xt, sp.csr_matrix(year[:, None])]).tocsr()
    z = 0.6 * (year - 2017.5) + 3 * (Xt @ rng.standard_normal(2000))
    y = (rng.random(8000) < 1 / (1 + np.exp(-(z - z.mean())))).astype(float)
    lam = _lam(X, y, 1.0, None) * 0.05
    kinds = []
    real = design_module.Design.block_system
    monkeypatch.setattr(design_module.Design, "block_system",
                        lambda self, cols, d, single=False: kinds.append(single) or real(self, cols, d, single))
    gram = LogisticRegression(lam=lam, l1_ratio=1.0, tol=1e-9).fit(X, y)
    assert gram.converged_ and False in kinds and kinds[-1] is False
    monkeypatch.setattr(pn, "_block_gram_fits", lambda obj, ws: False)
    cols = LogisticRegression(lam=lam, l1_ratio=1.0, tol=1e-9).fit(X, y)
    obj = Objective(X, y, lam=lam, l1_ratio=1.0)
    J = [obj.value(np.r_[m.coef_.ravel(), m.intercept_]) for m in (gram, cols)]
    assert J[0] == pytest.approx(J[1], rel=1e-10)
    assert gram.coef_[0, -1] != 0  # the year matters


def test_denser_rows_make_the_working_set_matrix_too_costly():
    """The matrix is chosen only while its pairs of entries per row cost at most 16 column
    epochs: tf-idf rows (≈ 50 words) take it, rows with 10 % of 2,500 columns do not."""
    from logitlab.solvers.prox_newton import _block_gram_fits

    X, y = tfidf_data(4000, 3000, 30, seed=62)
    obj = Objective(X, y, lam=1.0, l1_ratio=1.0)
    ws = np.arange(0, 3000, 40)  # 75 frequent and rare words
    assert _block_gram_fits(obj, ws)
    Xd = sp.random(4000, 2500, density=0.1, format="csr", random_state=63)
    dense_rows = Objective(Xd, y, lam=1.0, l1_ratio=1.0)
    ws = np.arange(0, 2500, 2500 // 380)[:380]  # ≈ 38 working-set entries per row
    assert (ws.size + 1) ** 2 <= dense_rows.design.column_nnz()[ws].sum()  # the storage rule alone says yes
    assert not _block_gram_fits(dense_rows, ws)


def test_newton_lengthens_full_steps_on_small_nearly_separable_data():
    """Breast cancer (569 × 30, standardized, λ = 1: nearly separable, the optimum far from 0):
    Newton's full steps undershoot, J still falling fast at t = 1. On a small X the line search
    runs on the scores and doubles such a step while J falls: 6 steps to ‖∇J‖ ≤ 1e-8 where
    plain Newton takes 9, to scikit-learn's optimum."""
    from sklearn.datasets import load_breast_cancer

    X, y = load_breast_cancer(return_X_y=True)
    X = (X - X.mean(0)) / X.std(0)
    y = y.astype(float)
    obj = Objective(X, y, lam=1.0)
    res = SOLVERS["newton-cholesky"][0](obj, None, tol=1e-8)
    assert res.status == "converged" and res.n_iter <= 6, res.n_iter
    J_ref = _reference(X, y, None, 1.0, 0.0)
    assert obj.value(res.theta) == pytest.approx(J_ref, rel=1e-8)
