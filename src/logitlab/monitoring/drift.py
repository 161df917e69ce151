"""Drift statistics against the training contract: PSI, the two-sample KS statistic on the
contract's percentile grid, χ² on category counts, and each feature's share of the score's shift.

The pure functions take shares or counts (tested against hand computations and scipy); the
accumulators count one chunk at a time and merge, so drift needs one pass over the data.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray
from scipy.stats import chi2_contingency, kstwo

from .thresholds import PSI_EPSILON

__all__ = ["psi", "ks_on_grid", "chi2_categories", "NumericCounts", "CategoryCounts", "psi_bins"]


def psi(expected: ArrayLike, actual: ArrayLike, epsilon: float = PSI_EPSILON) -> float:
    """Population stability index Σ (a − e)·ln(a / e) over bins; empty shares become ``epsilon``."""
    e = np.asarray(expected, dtype=np.float64)
    a = np.asarray(actual, dtype=np.float64)
    e = np.where(e > 0, e, epsilon)
    a = np.where(a > 0, a, epsilon)
    return float(np.sum((a - e) * np.log(a / e)))


def ks_on_grid(cdf_ref: ArrayLike, cdf_cur: ArrayLike, n_ref: int, n_cur: int) -> dict[str, float]:
    """Two-sample KS: D = max |F_ref − F_cur| over the grid; p-value from the Kolmogorov
    distribution at n = round(n_ref·n_cur/(n_ref + n_cur)), as scipy's ks_2samp(method="asymp").

    On a grid holding every value of both samples D is the exact statistic; otherwise a lower
    bound of it, short by at most the largest step of F between neighbouring grid points.
    """
    d = float(np.max(np.abs(np.asarray(cdf_ref, float) - np.asarray(cdf_cur, float))))
    en = n_ref * n_cur / (n_ref + n_cur)
    return {"statistic": d, "pvalue": float(kstwo.sf(d, np.round(en)))}


def chi2_categories(ref_counts: ArrayLike, cur_counts: ArrayLike) -> dict[str, float]:
    """Pearson χ² test of homogeneity on the 2 × k table of counts (categories empty in both dropped)."""
    table = np.array([ref_counts, cur_counts], dtype=np.float64)
    table = table[:, table.sum(axis=0) > 0]
    if table.shape[1] < 2 or np.any(table.sum(axis=1) == 0):
        return {"statistic": 0.0, "pvalue": 1.0, "dof": 0}
    stat, pvalue, dof, _ = chi2_contingency(table, correction=False)
    return {"statistic": float(stat), "pvalue": float(pvalue), "dof": int(dof)}


def psi_bins(grid: list[float], cdf: ArrayLike) -> tuple[NDArray, NDArray]:
    """The decile bins (−∞, e₁], (e₁, e₂], …, (e_k, ∞) from a percentile grid: indices of the
    distinct deciles in the grid, and the shares of a distribution whose CDF on the grid is ``cdf``."""
    from .thresholds import PERCENTILES

    want = [PERCENTILES.index(q) for q in (10.0, 20.0, 30.0, 40.0, 50.0, 60.0, 70.0, 80.0, 90.0)]
    values = np.asarray(grid, dtype=np.float64)
    keep: list[int] = []
    for i in want:
        if not keep or values[i] > values[keep[-1]]:
            keep.append(i)
    c = np.asarray(cdf, dtype=np.float64)[keep]
    return np.asarray(keep), np.diff(np.r_[0.0, c, 1.0])


class NumericCounts:
    """Counts of one numeric column on the contract's percentile grid, its sum and its size."""

    def __init__(self, grid: list[float]) -> None:
        self.grid = np.asarray(grid, dtype=np.float64)
        self.below = np.zeros(self.grid.size + 1)  # values with j grid points strictly below them
        self.n, self.total = 0, 0.0

    def update(self, values: NDArray) -> NumericCounts:
        v = np.asarray(values, dtype=np.float64)
        v = v[np.isfinite(v)]
        self.below += np.bincount(np.searchsorted(self.grid, v, side="left"), minlength=self.grid.size + 1)
        self.n += v.size
        self.total += float(v.sum())
        return self

    def merge(self, other: NumericCounts) -> NumericCounts:
        self.below += other.below
        self.n += other.n
        self.total += other.total
        return self

    def cdf(self) -> NDArray:
        """Share of the values ≤ each grid point."""
        return np.cumsum(self.below)[: self.grid.size] / max(self.n, 1)

    def mean(self) -> float:
        return self.total / self.n if self.n else float("nan")

    def drift(self, entry: dict[str, Any], n_ref: int) -> dict[str, Any]:
        """PSI on the training deciles and KS on the grid against a contract entry of ``n_ref`` values."""
        idx, train_shares = psi_bins(entry["percentiles"], entry["cdf"])
        cur = self.cdf()
        cur_shares = np.diff(np.r_[0.0, cur[idx], 1.0])
        return {"psi": psi(train_shares, cur_shares), "test": "ks",
                **ks_on_grid(entry["cdf"], cur, max(n_ref, 1), max(self.n, 1)),
                "training_shares": train_shares.tolist(), "shares": cur_shares.tolist(),
                "mean": self.mean(), "training_mean": entry.get("mean"), "n": self.n}


class CategoryCounts:
    """Counts of one categorical column's values (as strings)."""

    def __init__(self) -> None:
        self.counts: Counter = Counter()

    def update(self, values: NDArray) -> CategoryCounts:
        counts = pd.Series(values).dropna().astype(str).value_counts()
        self.counts.update(dict(zip(counts.index, counts.to_numpy().tolist(), strict=True)))
        return self

    def merge(self, other: CategoryCounts) -> CategoryCounts:
        self.counts.update(other.counts)
        return self

    def drift(self, entry: dict[str, Any]) -> dict[str, Any]:
        """PSI and χ² over the training categories plus one bin for all unseen ones."""
        cats = list(entry["counts"])
        ref = np.array([entry["counts"][c] for c in cats] + [0], dtype=np.float64)
        unseen = sum(v for k, v in self.counts.items() if k not in entry["counts"])
        cur = np.array([self.counts.get(c, 0) for c in cats] + [unseen], dtype=np.float64)
        n = cur.sum()
        ref_sh, cur_sh = ref / ref.sum(), cur / max(n, 1)
        return {"psi": psi(ref_sh, cur_sh), "test": "chi2", **chi2_categories(ref, cur),
                "categories": cats + ["(unseen)"], "training_shares": ref_sh.tolist(),
                "shares": cur_sh.tolist(), "n": int(n)}
