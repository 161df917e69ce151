"""The benchmark package's wider suite (issue 20): problem families, peers, threads, outputs.

Tiny scales only; nothing here times anything. References are independent: scikit-learn's
TfidfTransformer for the encodings, a least-squares slope for the Zipf exponent, skglm's
estimator run tightly for the reference J*.
"""

from __future__ import annotations

import os

import numpy as np
import pytest
import scipy.sparse as sp

from benchmarks.peers import LIBLINEAR_INTERCEPT_SCALING, _liblinear, _skglm_estimator, adapters_for
from benchmarks.problems import SMALL, SUITES, make_problem
from benchmarks.run import TARGET, headline, library_speedups, reference, run_problem, thread_limit
from benchmarks.text import TEXT_FAMILIES, encode, text_data, zipf_counts


def _tiny_scale(name: str) -> float:
    """A scale giving about 5,000 rows (the vocabulary shrinks with it)."""
    return min(1.0, 5_000 / TEXT_FAMILIES[name].rows)


# -- the sparse text families ----------------------------------------------------------------
@pytest.mark.parametrize("encoding", ["raw", "l2", "binary"])
def test_encodings_match_scikit_learns_vectorizers(encoding):
    """raw = TfidfTransformer(norm=None), l2 = TfidfTransformer() (unit rows), binary = presence."""
    from sklearn.feature_extraction.text import TfidfTransformer

    counts = zipf_counts(3_000, 800, 30, 1.1, np.random.default_rng(1))
    X = encode(counts, encoding)
    assert sp.isspmatrix_csr(X) and X.has_sorted_indices and X.shape == counts.shape
    if encoding == "binary":
        ref = (counts > 0).astype(np.float64)
    else:
        ref = TfidfTransformer(norm=None if encoding == "raw" else "l2").fit_transform(counts)
    np.testing.assert_allclose(X.toarray(), ref.toarray(), rtol=1e-12, atol=1e-15)
    norms = np.sqrt(np.asarray(X.multiply(X).sum(axis=1)).ravel())
    if encoding == "l2":
        np.testing.assert_allclose(norms, 1.0, rtol=1e-12)
    else:  # unnormalized rows: their norms grow with the document's length
        assert norms.min() > 1.5 and np.ptp(norms) > 1.0


@pytest.mark.parametrize("zipf", [0.8, 1.1, 1.3])
def test_word_frequencies_follow_the_families_zipf_exponent(zipf):
    """The slope of log(token count) on log(rank) over the 200 most frequent words is −s."""
    counts = zipf_counts(20_000, 2_000, 50, zipf, np.random.default_rng(2))
    freq = np.asarray(counts.sum(axis=0)).ravel()[:200]
    slope = np.polyfit(np.log(np.arange(1, 201)), np.log(freq), 1)[0]
    assert abs(-slope - zipf) < 0.05, slope


def test_issue_20s_problem_is_raw_tfidf_with_about_50_distinct_words_a_row():
    f = TEXT_FAMILIES["text_raw_l1"]
    assert (f.rows, f.vocab, f.encoding, f.l1_ratio) == (100_000, 50_000, "raw", 1.0)
    assert round(f.support * f.vocab) == 1388 and round(f.relevant * f.vocab) == 500
    counts = zipf_counts(2_000, f.vocab, f.words_per_doc, f.zipf, np.random.default_rng(3))
    assert 40 <= np.diff(counts.indptr).mean() <= 60
    X, y = text_data(f, scale=0.02)  # 2,000 × 1,000
    assert X.shape == (2_000, 1_000) and set(np.unique(y)) == {0.0, 1.0}
    assert X.max() > 1.5  # raw tf-idf: count × idf, not scaled to unit rows


def test_the_wide_suite_spans_the_issues_ranges():
    fams = [TEXT_FAMILIES[n] for n in SUITES["wide"]]
    assert {f.encoding for f in fams} == {"raw", "l2", "binary"}
    assert min(f.zipf for f in fams) == 0.8 and max(f.zipf for f in fams) == 1.3
    assert min(f.support for f in fams) == 0.005 and max(f.support for f in fams) == 0.10
    assert min(f.rows for f in fams) == 10_000 and max(f.rows for f in fams) == 1_000_000
    assert {f.l1_ratio for f in fams} == {1.0, 0.5}


@pytest.mark.parametrize("name", list(TEXT_FAMILIES))
def test_text_family_support_and_reference_optimum(name):
    """Each family at ~5,000 rows: the reference solution keeps the family's share of the
    vocabulary nonzero (λ's bisection aims within ±10 %; ±25 % or one word here), its KKT
    residual certifies it, and skglm's estimator run tightly finds the same J*."""
    f = TEXT_FAMILIES[name]
    P = make_problem(name, _tiny_scale(name))
    m, vocab = P.X.shape
    assert m == max(200, int(f.rows * _tiny_scale(name))) and P.l1_ratio == f.l1_ratio
    J_star, kkt, theta = reference(P)
    assert kkt < 1e-8
    share = np.count_nonzero(theta[:-1]) / vocab
    assert abs(share - f.support) <= max(0.25 * f.support, 1.5 / vocab), (share, f.support)
    theta_sk = _skglm_estimator(P, 1e-10)
    from logitlab.objective import Objective

    J_sk = Objective(P.X, P.y, lam=P.lam, l1_ratio=P.l1_ratio).value(theta_sk)
    assert -1e-12 <= (J_sk - J_star) / J_star <= 1e-8


def test_small_family_shapes_and_reference():
    shapes = {make_problem(n).X.shape for n in SMALL}
    assert shapes == {(500, 10), (2_000, 20), (5_000, 50), (20_000, 200)}
    for name in ("small_l2_500x10", "small_l1_2000x20", "breast_cancer"):
        P = make_problem(name, scale=0.2)  # the small problems keep their size at every scale
        assert not P.is_sparse and P.X.flags.c_contiguous
        J_star, kkt, theta = reference(P)
        assert kkt < 1e-8 and J_star > 0
        if P.kind == "l1":
            assert 0 < np.count_nonzero(theta[:-1]) < P.X.shape[1]
    assert make_problem("small_l2_5000x50", scale=0.2).X.shape == (5_000, 50)


# -- peers -------------------------------------------------------------------------------------
def test_new_peers_on_l1_and_elastic_net_return_the_uniform_record():
    """liblinear and skglm's estimator on L1, skglm's estimator (not liblinear) on elastic net,
    glum on sparse L1: each sweep yields Run records that reach 1e-6 of the reference J*."""
    new = {"sklearn liblinear", "skglm SparseLogisticRegression", "glum irls-cd", "sklearn saga"}
    for name, expected in (("text_l2_l1_10k", new), ("text_l2_enet_z1.2", new - {"sklearn liblinear"})):
        P = make_problem(name, _tiny_scale(name) / 2)
        assert {a.name for a in adapters_for(P)} >= expected
        rec = run_problem(P, repeats=1, budget=5.0, include=new, log=lambda m: None)
        keys = set(rec["runs"][0])
        assert keys >= {"problem", "solver", "library", "tol", "seconds", "subopt", "kkt", "passes", "threads"}
        assert {r["solver"] for r in rec["runs"]} == expected | {"logitlab auto"}
        assert not any(r["error"] for r in rec["runs"])
        assert set(headline(rec)["best"]) == expected | {"logitlab auto"}  # each reached TARGET


def test_liblinear_adapter_makes_its_intercept_penalty_negligible():
    """liblinear L1-penalizes its intercept; at intercept_scaling = 1 an imbalanced problem's
    optimum moves by more than the 1e-6 target, with the adapter's scaling it does not."""
    from sklearn.linear_model import LogisticRegression

    from logitlab.objective import Objective

    P = make_problem("small_l1_2000x20")
    P.y = (P.y.astype(bool) & (np.arange(P.y.size) % 4 == 0)).astype(np.float64)  # ~12 % positives
    J_star, _, _ = reference(P)
    obj = Objective(P.X, P.y, lam=P.lam, l1_ratio=1.0)
    ours = (obj.value(_liblinear(P, 1e-8)) - J_star) / J_star
    plain = LogisticRegression(C=1 / P.lam, l1_ratio=1.0, solver="liblinear", tol=1e-8).fit(P.X, P.y)
    theirs = (obj.value(np.append(plain.coef_.ravel(), plain.intercept_)) - J_star) / J_star
    assert LIBLINEAR_INTERCEPT_SCALING >= 100
    assert ours <= TARGET < theirs, (ours, theirs)


# -- threads -----------------------------------------------------------------------------------
def test_thread_limit_sets_every_pool_and_restores_them():
    import numba
    from threadpoolctl import threadpool_info

    from logitlab.solvers.base import blas_threads

    before_env = os.environ.get("LOGITLAB_BLAS_THREADS")
    before_numba = numba.get_num_threads()
    before_pools = [p["num_threads"] for p in threadpool_info()]
    with thread_limit(1):
        assert os.environ["LOGITLAB_BLAS_THREADS"] == "1" and blas_threads() == 1
        assert numba.get_num_threads() == 1
        info = threadpool_info()
        assert {p["user_api"] for p in info} >= {"blas", "openmp"}  # glum's OpenMP is loaded too
        assert all(p["num_threads"] == 1 for p in info)
    assert os.environ.get("LOGITLAB_BLAS_THREADS") == before_env
    assert numba.get_num_threads() == before_numba
    assert [p["num_threads"] for p in threadpool_info()][: len(before_pools)] == before_pools


def test_run_problem_reports_every_solver_at_each_thread_count():
    P = make_problem("small_l1_500x10")
    rec = run_problem(P, repeats=1, budget=5.0, include={"sklearn liblinear", "skglm SparseLogisticRegression"},
                      log=lambda m: None, threads=(1, 2))
    by_threads = {n: {r["solver"] for r in rec["runs"] if r["threads"] == n} for n in (1, 2)}
    assert by_threads[2] == by_threads[1] == {"logitlab auto", "sklearn liblinear", "skglm SparseLogisticRegression"}
    for n in (1, 2):
        h = headline(rec, n)
        assert h["threads"] == n and h["ours"]["threads"] == n and np.isfinite(h["ratio"])
    ups = library_speedups(rec)
    assert set(ups) == {"logitlab default", "scikit-learn", "skglm"} and all(set(v) == {1, 2} for v in ups.values())


def test_ratio_table_marks_misses_and_computes_speedups():
    from benchmarks.report import ratio_table

    def run(solver, lib, sec, threads):
        return {"solver": solver, "library": lib, "seconds": sec, "subopt": 1e-8, "error": "",
                "threads": threads, "passes": 1.0, "tol": 1e-6, "kkt": 0.0}

    rec = {"description": "p", "threads": [1, 2],
           "runs": [run("logitlab auto", "logitlab", 0.2, 1), run("peer a", "peerlib", 0.5, 1),
                    run("logitlab auto", "logitlab", 0.1, 2), run("peer a", "peerlib", 0.125, 2)]}
    rec["headline"] = headline(rec)
    rec["headlines"] = {str(n): headline(rec, n) for n in (1, 2)}
    rec["speedups"] = {k: {str(n): t for n, t in v.items()} for k, v in library_speedups(rec).items()}
    (row,) = ratio_table({"threads": [1, 2], "records": [rec]})[2:]
    cells = [c.strip() for c in row.split("|")[1:-1]]
    assert cells[3] == "0.40" and cells[6] == "**0.80 ✗**"  # 0.2/0.5 meets ≤ 0.5; 0.1/0.125 misses
    assert cells[7] == "2.00×" and cells[8] == "4.00×"


# -- outputs -----------------------------------------------------------------------------------
def test_a_run_writes_outside_the_repository_unless_given_out(tmp_path, monkeypatch):
    import tempfile
    from pathlib import Path

    import benchmarks.__main__ as cli

    tracked = Path(cli.__file__).parent / "results" / "results.md"
    before = tracked.stat().st_mtime_ns if tracked.exists() else None
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    cli.main(["--problems", "small_l2_500x10", "--include", "sklearn lbfgs", "--threads", "1",
              "--repeats", "1", "--no-first-fit"])
    written = tmp_path / "logitlab-benchmarks"
    assert {p.name for p in written.iterdir()} == {"results.md", "results.json", "suboptimality.png"}
    assert "small dense 500 × 10" in (written / "results.md").read_text()
    assert (tracked.stat().st_mtime_ns if tracked.exists() else None) == before


def test_profile_small_splits_a_fit_and_removes_its_timers():
    from benchmarks.profile_small import profile_fit
    from logitlab.solvers import SOLVERS

    solvers = {k: v[0] for k, v in SOLVERS.items()}
    out = profile_fit(make_problem("small_l2_500x10"), fits=5)
    assert out["missing"] == [] and out["solver"] == "newton-cholesky"
    parts = out["parts"]
    assert set(parts) == {"validation", "set-up", "solve", "after the solve", "other"}
    assert all(v > 0 for k, v in parts.items() if k != "other")
    assert parts["solve"] > parts["set-up"]
    assert {k: v[0] for k, v in SOLVERS.items()} == solvers  # the timers are gone


def test_runaway_solvers_get_the_iterations_that_fit_the_budget():
    """sag, saga and liblinear: max_iter = budget ÷ the seconds per iteration of their previous
    fit on the problem (unbounded before any fit or without a budget)."""
    from benchmarks.peers import _iteration_cap, _note_iterations

    P = make_problem("small_l1_500x10")
    assert _iteration_cap(P, "saga", 100_000) == 100_000  # no budget, no previous fit
    P.info["seconds_cap"] = 10.0
    assert _iteration_cap(P, "saga", 100_000) == 100_000  # no previous fit yet
    _note_iterations(P, "saga", 2.0, np.array([40]))  # 0.05 s an iteration
    assert _iteration_cap(P, "saga", 100_000) == 200 and _iteration_cap(P, "saga", 150) == 150
    _note_iterations(P, "saga", 30.0, np.array([10]))
    assert _iteration_cap(P, "saga", 100_000) == 10  # never below 10
