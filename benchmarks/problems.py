"""The benchmark problems: seeded generators of the kinds in issue 5, plus a shipped real data set.

* dense: correlated Gaussian features (an AR(1) covariance, ρ = 0.5, between neighbours) and a
  non-separable signal: true weights with a few large and many small entries, scaled so the
  Bayes error is about 15 %; labels drawn from the logistic model itself.
* tf-idf: bag-of-words rows, word ranks from a Zipf law (exponent 1.1) over the vocabulary,
  about 50 distinct words per document (0.1 % dense for 50,000 words), tf-idf weighted and
  L2-normalized per row like scikit-learn's TfidfVectorizer; labels from a sparse logistic
  model on 2 % of the words. The L1 problem's λ keeps 2.5 % of the weights nonzero at every
  scale (found by bisection: the issue's "~3 % nonzero").
* breast_cancer: scikit-learn's bundled data, standardized, L2 λ = 1.
* issue 20's wider suite: the sparse text families of ``text.py`` (``text_*``: three encodings,
  Zipf 0.8–1.3, supports 0.5–10 %, 10k–1M rows, λ found for each family's support) and the
  small dense family (``small_*``: 500 × 10 to 20,000 × 200, L2 λ = 1 and L1 at 0.05·λmax),
  where a fit's fixed cost dominates; the small ones keep their size at every ``scale``.

No real sparse corpus ships inside an installed package: scikit-learn's bundled files are small
dense tables (iris, wine, digits, diabetes, breast cancer; 20 newsgroups and RCV1 download), and
skglm, glum and statsmodels ship none (statsmodels' data sets are small dense tables).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from .text import TEXT_FAMILIES, text_data

__all__ = ["Problem", "PROBLEMS", "SUITES", "SMALL", "make_problems", "make_problem", "calibration"]


@dataclass
class Problem:
    """One benchmark problem: data, and the objective's λ and l1_ratio (J as in logitlab)."""

    name: str
    X: NDArray | sp.spmatrix
    y: NDArray
    lam: float
    l1_ratio: float
    description: str
    sample_weight: NDArray | None = None
    info: dict = field(default_factory=dict)

    @property
    def is_sparse(self) -> bool:
        return sp.issparse(self.X)

    @property
    def kind(self) -> str:
        if self.lam == 0:
            return "unpenalized"
        if self.l1_ratio == 0:
            return "l2"
        return "l1" if self.l1_ratio == 1 else "enet"

    def column_major(self) -> NDArray | sp.csc_matrix:
        """X as CSC (sparse) or Fortran-ordered (dense): the layout glum's IRLS-CD and skglm
        ask for in their documentation. Made once per problem and cached, so the conversion is
        not part of any fit's time (a user converts once for many fits)."""
        if "column_major" not in self.info:
            self.info["column_major"] = (sp.csc_matrix(self.X) if self.is_sparse
                                         else np.asfortranarray(self.X))
        return self.info["column_major"]

    @property
    def x_bytes(self) -> int:
        """X's own size, as logitlab's memory budgets count it (a sparse X: values, indices, pointers)."""
        from logitlab.design import Design

        return Design(self.X).stored_bytes()


def dense_data(m: int, p: int, seed: int, n_signal: int | None = None, rho: float = 0.5,
               dtype=np.float64) -> tuple[NDArray, NDArray]:
    """Correlated Gaussian X (AR(1), ρ) and labels from a logistic model (≈15 % Bayes error)."""
    rng = np.random.default_rng(seed)
    X = np.empty((m, p), dtype=dtype)
    prev = rng.standard_normal(m)
    X[:, 0] = prev
    s = np.sqrt(1 - rho**2)
    for j in range(1, p):
        prev = rho * prev + s * rng.standard_normal(m)
        X[:, j] = prev
    k = p if n_signal is None else n_signal
    w = np.zeros(p)
    idx = rng.choice(p, k, replace=False)
    w[idx] = rng.standard_normal(k) * np.where(rng.random(k) < 0.2, 1.0, 0.2)
    z = X @ w
    z *= 2.0 / max(z.std(), 1e-12)
    z += 0.3
    y = (rng.random(m) < 1 / (1 + np.exp(-z))).astype(np.float64)
    return X, y


def tfidf_data(m: int, vocab: int, words_per_doc: int, seed: int) -> tuple[sp.csr_matrix, NDArray]:
    """Bag-of-words tf-idf rows (Zipf word ranks), L2-normalized, as CSR; labels from a
    sparse logistic model."""
    rng = np.random.default_rng(seed)
    ranks = np.arange(1, vocab + 1, dtype=np.float64)
    prob = ranks**-1.1
    prob /= prob.sum()
    lengths = rng.poisson(words_per_doc * 1.3, m) + 1  # tokens; repeats shrink the distinct count
    rows = np.repeat(np.arange(m), lengths)
    cols = rng.choice(vocab, size=rows.size, p=prob)
    counts = sp.csr_matrix((np.ones(rows.size), (rows, cols)), shape=(m, vocab))
    counts.sum_duplicates()
    df = np.bincount(counts.indices, minlength=vocab)
    idf = np.log((1 + m) / (1 + df)) + 1
    X = counts.multiply(idf[None, :]).tocsr()
    norms = np.sqrt(np.asarray(X.multiply(X).sum(axis=1)).ravel())
    X = sp.csr_matrix(sp.diags(1 / np.maximum(norms, 1e-12)) @ X)
    X.sort_indices()
    w = np.zeros(vocab)
    k = max(1, vocab // 50)
    idx = rng.choice(min(vocab, 10 * k), k, replace=False)
    w[idx] = rng.standard_normal(k) * 8
    z = X @ w
    z = 2.0 * (z - z.mean()) / max(z.std(), 1e-12)
    y = (rng.random(m) < 1 / (1 + np.exp(-z))).astype(np.float64)
    return X, y


_L1_SUPPORT = 0.025  # the tf-idf L1 problem's share of nonzero weights (the "~3 %")


def _lam_for_fraction(X, y, l1_ratio: float, fraction: float) -> float:
    """λ at ``fraction`` of λ_max, the smallest λ that gives w = 0 (for L1/elastic net)."""
    m = X.shape[0]
    r = (y - y.mean()) / m
    g = np.abs(np.asarray(X.T @ r).ravel()).max()
    return float(fraction * g * m / l1_ratio)


def _fraction_for_support(X, y, l1_ratio: float, target: float, start: float, within: float = 0.2) -> float:
    """The fraction of λ_max whose solution keeps ``target`` of the weights nonzero (within
    ±``within``, 20 % by default): bisection in log λ from ``start``, each point a logitlab fit to 1e-6 (at 1e-4 the
    working set may not have grown to the support yet). The issue defines its tf-idf L1 problem by its ~3 % nonzero
    weights, which one fixed fraction does not keep when rows and vocabulary shrink:
    0.012·λ_max leaves 2.5 % at 100k × 50k but 29 % at 20k × 10k."""
    from logitlab import LogisticRegression

    lo, hi = np.log(1e-3), np.log(0.9)
    fraction = start
    for _ in range(20):
        lam = _lam_for_fraction(X, y, l1_ratio, fraction)
        coef = LogisticRegression(lam=lam, l1_ratio=l1_ratio, tol=1e-6).fit(X, y).coef_
        kept = np.count_nonzero(coef) / X.shape[1]
        if abs(kept - target) <= within * target:
            break
        lo, hi = (np.log(fraction), hi) if kept > target else (lo, np.log(fraction))
        fraction = float(np.exp(0.5 * (lo + hi)))
    return fraction


def _calibrated(name: str) -> bool:
    """Whether the problem's λ is found by fits (``_fraction_for_support``)."""
    return name == "tfidf_l1" or name in TEXT_FAMILIES


def calibration(name: str, scale: float = 1.0, seed: int = 0) -> dict:
    """The keyword arguments with which ``make_problem`` rebuilds ``name`` without running a
    fit (a fresh-process timing needs that): the L1 problem's λ/λ_max; nothing for the others,
    whose data are then not built here."""
    if not _calibrated(name):
        return {}
    return {"fraction": make_problem(name, scale, seed).info["fraction"]}


def make_problem(name: str, scale: float = 1.0, seed: int = 0, fraction: float | None = None) -> Problem:
    """One named problem; ``scale`` < 1 shrinks the number of rows (and the vocabulary).
    ``fraction``: the L1 problem's λ/λ_max when already known (``info["fraction"]`` of an
    earlier build), so that no fit runs to find it (a fresh-process timing needs that)."""
    def rows(n: int) -> int:
        return max(200, int(n * scale))

    if name == "dense_l2":
        X, y = dense_data(rows(200_000), 100, seed)
        return Problem(name, X, y, 1.0, 0.0, f"dense {X.shape[0]:,} × {X.shape[1]}, L2 λ=1")
    if name == "tall_l2":
        X, y = dense_data(rows(1_000_000), 20, seed + 1)
        return Problem(name, X, y, 1.0, 0.0, f"tall dense {X.shape[0]:,} × {X.shape[1]}, L2 λ=1")
    if name in ("tfidf_l1", "tfidf_l2"):
        m = rows(100_000)
        vocab = max(500, int(50_000 * scale))
        X, y = tfidf_data(m, vocab, 50, seed + 2)
        dens = X.nnz / (X.shape[0] * X.shape[1])
        if name == "tfidf_l2":
            return Problem(name, X, y, 1.0, 0.0,
                           f"sparse tf-idf {m:,} × {vocab:,} ({100 * dens:.2g} % dense), L2 λ=1")
        if fraction is None:
            fraction = _fraction_for_support(X, y, 1.0, _L1_SUPPORT, start=0.012)
        lam = _lam_for_fraction(X, y, 1.0, fraction)
        return Problem(name, X, y, lam, 1.0,
                       f"sparse tf-idf {m:,} × {vocab:,} ({100 * dens:.2g} % dense), L1 λ={fraction:.2g}·λmax",
                       info={"fraction": fraction})
    if name == "dense_unpen":
        X, y = dense_data(rows(100_000), 50, seed + 3)
        return Problem(name, X, y, 0.0, 0.0, f"dense {X.shape[0]:,} × {X.shape[1]}, unpenalized")
    if name == "dense_enet":
        X, y = dense_data(rows(200_000), 100, seed + 4, n_signal=30)
        lam = _lam_for_fraction(X, y, 0.5, 0.02)
        return Problem(name, X, y, lam, 0.5,
                       f"dense {X.shape[0]:,} × {X.shape[1]}, elastic net a=0.5 λ=0.02·λmax")
    if name in TEXT_FAMILIES:
        return _text_problem(name, scale, fraction)
    if name in SMALL:
        return _small_problem(name, seed)
    if name == "breast_cancer":
        from sklearn.datasets import load_breast_cancer

        X, y = load_breast_cancer(return_X_y=True)
        X = (X - X.mean(0)) / X.std(0)
        return Problem(name, np.ascontiguousarray(X), y.astype(np.float64), 1.0, 0.0,
                       "breast cancer (scikit-learn) 569 × 30 standardized, L2 λ=1")
    raise ValueError(f"unknown problem {name!r}; choose from {[n for v in SUITES.values() for n in v]}")


def _text_problem(name: str, scale: float, fraction: float | None) -> Problem:
    """A ``text.py`` family, λ found so the solution keeps the family's share nonzero."""
    f = TEXT_FAMILIES[name]
    X, y = text_data(f, scale)
    if fraction is None:
        # ±10 %: issue 20 defines its problem by a 1,388-word support
        fraction = _fraction_for_support(X, y, f.l1_ratio, f.support, start=0.05, within=0.1)
    lam = _lam_for_fraction(X, y, f.l1_ratio, fraction)
    return Problem(name, X, y, lam, f.l1_ratio, f.describe(X.shape[0], X.shape[1], X.nnz),
                   info={"fraction": fraction, "family": f})


# the small dense family: (rows, features); each at L2 λ = 1 and at L1 λ = 0.05·λmax
_SMALL_SIZES = [(500, 10), (2_000, 20), (5_000, 50), (20_000, 200)]
SMALL = [f"small_{kind}_{m}x{p}" for m, p in _SMALL_SIZES for kind in ("l2", "l1")]


def _small_problem(name: str, seed: int) -> Problem:
    """A small dense problem (fixed size at every scale: its per-fit overhead is the point)."""
    _, kind, shape = name.split("_")
    m, p = (int(v) for v in shape.split("x"))
    X, y = dense_data(m, p, seed + 5 + p, n_signal=max(2, p // 4))
    if kind == "l2":
        return Problem(name, X, y, 1.0, 0.0, f"small dense {m:,} × {p}, L2 λ=1")
    lam = _lam_for_fraction(X, y, 1.0, 0.05)
    return Problem(name, X, y, lam, 1.0, f"small dense {m:,} × {p}, L1 λ=0.05·λmax")


PROBLEMS = ["dense_l2", "tall_l2", "tfidf_l1", "tfidf_l2", "dense_unpen", "dense_enet", "breast_cancer"]
# ``--suite``: "core" (the default run: issue 5's problems and issue 20's own L1 text problem),
# "wide" (every sparse text family) and "small" (the small dense family and breast cancer)
SUITES = {
    "core": PROBLEMS + ["text_raw_l1"],
    "wide": list(TEXT_FAMILIES),
    "small": SMALL + ["breast_cancer"],
}


def make_problems(names: list[str] | None = None, scale: float = 1.0, seed: int = 0) -> list[Problem]:
    """The named problems (default: all) at the given row scale."""
    return [make_problem(n, scale, seed) for n in (names or PROBLEMS)]
