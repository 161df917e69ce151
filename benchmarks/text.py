"""Sparse text families for the wider L1 and elastic-net suite (issue 20).

Every family draws documents the same way: word ranks from a Zipf law ``p(r) ∝ r^−s`` over the
vocabulary, a Poisson number of tokens per document (repeats shrink the distinct count to
about ``words_per_doc``), then one of three encodings:

* ``raw``: tf-idf without row normalization (scikit-learn's ``TfidfVectorizer(norm=None)``:
  count × smooth idf), the rows of issue 20's problem;
* ``l2``: the same, each row scaled to unit L2 norm (``TfidfVectorizer``'s default);
* ``binary``: bag-of-words presence, 1.0 per distinct word (``CountVectorizer(binary=True)``).

Labels come from a sparse logistic model on ``relevant`` words drawn among the most frequent
(issue 20: 500 relevant words among the most frequent of 50,000). The penalty's λ is then
found so that the solution keeps a set share of the vocabulary nonzero (the family's support),
as the issue defines its problem by its support (~1,388 words).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

__all__ = ["TextFamily", "TEXT_FAMILIES", "zipf_counts", "encode", "text_data"]


@dataclass(frozen=True)
class TextFamily:
    """One sparse text problem: its generator's parameters and the penalty's target support."""

    rows: int
    vocab: int
    encoding: str  # "raw", "l2" or "binary"
    zipf: float  # the Zipf exponent s of the word ranks
    support: float  # share of the vocabulary nonzero at the solution (λ is found for it)
    l1_ratio: float = 1.0
    words_per_doc: int = 50
    relevant: float = 0.01  # share of the vocabulary that drives the labels
    top: float = 0.04  # the relevant words are drawn among this share of the most frequent
    seed: int = 20

    def describe(self, m: int, vocab: int, nnz: int) -> str:
        """A table row's name: encoding, size, density, exponent and penalty."""
        enc = {"raw": "raw tf-idf", "l2": "tf-idf, rows L2-normalized", "binary": "binary bag-of-words"}
        pen = "L1" if self.l1_ratio == 1 else f"elastic net a={self.l1_ratio:g}"
        return (f"{enc[self.encoding]} {m:,} × {vocab:,} ({100 * nnz / (m * vocab):.2g} % dense), "
                f"Zipf {self.zipf:g}, {pen}, {100 * self.support:.2g} % support")


# The wide suite's families at full size (--quick divides rows and vocabulary by 5). Together they
# span the ranges: three encodings, Zipf exponents 0.8–1.3, supports 0.5–10 % of the
# vocabulary, 10k to 1M rows, L1 and elastic net.
TEXT_FAMILIES: dict[str, TextFamily] = {
    # issue 20's problem exactly: raw tf-idf 100k × 50k, ~50 distinct words a row, labels from
    # 500 relevant words among the most frequent (2,000), λ for a 1,388-word support (2.78 %)
    "text_raw_l1": TextFamily(100_000, 50_000, "raw", 1.1, 1388 / 50_000),
    "text_l2_l1_z0.8": TextFamily(100_000, 50_000, "l2", 0.8, 0.005, seed=21),
    "text_binary_l1_z1.3": TextFamily(100_000, 20_000, "binary", 1.3, 0.10, seed=22),
    "text_raw_enet_z1.0": TextFamily(100_000, 50_000, "raw", 1.0, 0.05, l1_ratio=0.5, seed=23),
    "text_l2_enet_z1.2": TextFamily(50_000, 20_000, "l2", 1.2, 0.01, l1_ratio=0.5, seed=24),
    "text_l2_l1_10k": TextFamily(10_000, 5_000, "l2", 1.0, 0.05, seed=25),
    "text_binary_l1_1m": TextFamily(1_000_000, 10_000, "binary", 1.1, 0.02, words_per_doc=20, seed=26),
}


def zipf_counts(m: int, vocab: int, words_per_doc: int, zipf: float, rng: np.random.Generator
                ) -> sp.csr_matrix:
    """Word counts (CSR, float64): ranks from p(r) ∝ r^−zipf, Poisson document lengths."""
    prob = np.arange(1, vocab + 1, dtype=np.float64) ** -zipf
    prob /= prob.sum()
    lengths = rng.poisson(words_per_doc * 1.3, m) + 1  # tokens; repeats shrink the distinct count
    rows = np.repeat(np.arange(m), lengths)
    cols = rng.choice(vocab, size=rows.size, p=prob)
    counts = sp.csr_matrix((np.ones(rows.size), (rows, cols)), shape=(m, vocab))
    counts.sum_duplicates()
    counts.sort_indices()
    return counts


def encode(counts: sp.csr_matrix, encoding: str) -> sp.csr_matrix:
    """Counts → the family's encoding: ``raw`` tf-idf, ``l2``-normalized tf-idf or ``binary``."""
    if encoding == "binary":
        X = counts.copy()
        X.data[:] = 1.0
        return X
    m = counts.shape[0]
    df = np.bincount(counts.indices, minlength=counts.shape[1])
    idf = np.log((1 + m) / (1 + df)) + 1  # scikit-learn's smooth idf
    X = sp.csr_matrix(counts.multiply(idf[None, :]))
    if encoding == "l2":
        norms = np.sqrt(np.asarray(X.multiply(X).sum(axis=1)).ravel())
        X = sp.csr_matrix(sp.diags(1 / np.maximum(norms, 1e-12)) @ X)
    elif encoding != "raw":
        raise ValueError(f"unknown encoding {encoding!r}; use 'raw', 'l2' or 'binary'")
    X.sort_indices()
    return X


def text_data(f: TextFamily, scale: float = 1.0) -> tuple[sp.csr_matrix, NDArray]:
    """The family's X (CSR) and 0/1 labels at a row scale (the vocabulary shrinks with the
    rows, as in issue 5's quick suite, so the density stays the issue's order)."""
    rng = np.random.default_rng(f.seed)
    m = max(200, int(f.rows * scale))
    vocab = max(200, int(f.vocab * min(1.0, scale)))
    X = encode(zipf_counts(m, vocab, f.words_per_doc, f.zipf, rng), f.encoding)
    k = max(1, int(f.relevant * vocab))
    pool = max(k, int(f.top * vocab))  # the most frequent words are the lowest ranks
    w = np.zeros(vocab)
    idx = rng.choice(pool, k, replace=False)
    w[idx] = rng.standard_normal(k)
    z = np.asarray(X @ w).ravel()
    z = 2.0 * (z - z.mean()) / max(z.std(), 1e-12)
    y = (rng.random(m) < 1 / (1 + np.exp(-z))).astype(np.float64)
    return X, y
