"""The design matrix as solvers see it: products with X, never a copy of X.

Standardization is applied implicitly, X_std = (X − μ)/σ, so that a sparse X stays sparse
and a large dense X is not duplicated. For sparse X only scaling is done (μ = 0): centering
would densify it, which is the same choice as scikit-learn's ``StandardScaler(with_mean=False)``.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

__all__ = ["Design"]

_BLOCK_ROWS = 8192  # rows per block when forming XᵀDX: bounds extra memory to block × p floats


class Design:
    """X (dense or SciPy sparse, float32 or float64, any layout) with optional offset μ and scale σ."""

    def __init__(
        self,
        X: NDArray | sp.spmatrix,
        offset: NDArray | None = None,
        scale: NDArray | None = None,
    ) -> None:
        self.X = X
        self.is_sparse = sp.issparse(X)
        self.n_samples, self.n_features = X.shape
        if self.is_sparse and offset is not None and np.any(offset != 0):
            raise ValueError("a sparse design cannot be centered without densifying it.")
        self.offset = None if offset is None else np.asarray(offset, dtype=np.float64)
        self.scale = None if scale is None else np.asarray(scale, dtype=np.float64)
        self.n_passes = 0.0  # data reads: one X·w or one Xᵀ·r counts a half pass

    def _coef_in_x_units(self, w: NDArray) -> tuple[NDArray, float]:
        """w/σ and the constant −μ·(w/σ): X_std·w = X·(w/σ) − μ·(w/σ)."""
        w_x = w if self.scale is None else w / self.scale
        shift = 0.0 if self.offset is None else -float(np.dot(self.offset, w_x))
        return w_x, shift

    def matvec(self, w: NDArray) -> NDArray:
        """X_std · w, in float64."""
        self.n_passes += 0.5
        w_x, shift = self._coef_in_x_units(np.asarray(w, dtype=np.float64))
        X = self.X
        if self.is_sparse or X.dtype == np.float64:
            z = np.asarray(X @ w_x, dtype=np.float64).ravel()
        else:
            z = np.asarray(X @ w_x.astype(X.dtype), dtype=np.float64)
        if shift:
            z += shift
        return z

    def rmatvec(self, r: NDArray) -> NDArray:
        """X_stdᵀ · r, in float64."""
        self.n_passes += 0.5
        r = np.asarray(r, dtype=np.float64)
        X = self.X
        if self.is_sparse:
            g = np.asarray(X.T @ r, dtype=np.float64).ravel()
        elif X.dtype == np.float64:
            g = X.T @ r
        else:
            g = np.asarray(X.T @ r.astype(X.dtype), dtype=np.float64)
        if self.offset is not None:
            g = g - self.offset * r.sum()
        if self.scale is not None:
            g = g / self.scale
        return g

    def gram(self, d: NDArray) -> NDArray:
        """X_stdᵀ·diag(d)·X_std as a dense p × p array, formed block by block (BLAS syrk-like)."""
        self.n_passes += 1.0
        d = np.asarray(d, dtype=np.float64)
        X = self.X
        p = self.n_features
        if self.is_sparse:
            G = (X.T @ sp.diags(d) @ X).toarray()
            G = np.asarray(G, dtype=np.float64)
        else:
            G = np.zeros((p, p))
            for start in range(0, self.n_samples, _BLOCK_ROWS):
                stop = min(start + _BLOCK_ROWS, self.n_samples)
                B = np.asarray(X[start:stop], dtype=np.float64) * np.sqrt(d[start:stop])[:, None]
                G += B.T @ B
        if self.offset is not None:
            # (X−1μᵀ)ᵀD(X−1μᵀ) = XᵀDX − (XᵀDd-part)μᵀ − μ(…)ᵀ + (Σd)μμᵀ
            xd = self._raw_rmatvec(d)
            G = G - np.outer(xd, self.offset) - np.outer(self.offset, xd)
            G += d.sum() * np.outer(self.offset, self.offset)
        if self.scale is not None:
            G = G / np.outer(self.scale, self.scale)
        return G

    def _raw_rmatvec(self, r: NDArray) -> NDArray:
        X = self.X
        if self.is_sparse:
            return np.asarray(X.T @ r, dtype=np.float64).ravel()
        return np.asarray(X.T @ r.astype(X.dtype), dtype=np.float64)

    def rows(self, index: NDArray) -> Design:
        """The design restricted to some rows (for mini-batches); copies only those rows."""
        return Design(self.X[index], self.offset, self.scale)

    def column_sq_norms(self, d: NDArray) -> NDArray:
        """Σᵢ dᵢ·X_std[i, j]² for every column j: the diagonal of X_stdᵀ D X_std."""
        d = np.asarray(d, dtype=np.float64)
        X = self.X
        if self.is_sparse:
            sq = np.asarray(X.multiply(X).T @ d, dtype=np.float64).ravel()
        else:
            sq = np.zeros(self.n_features)
            for start in range(0, self.n_samples, _BLOCK_ROWS):
                stop = min(start + _BLOCK_ROWS, self.n_samples)
                B = np.asarray(X[start:stop], dtype=np.float64)
                sq += (B * B).T @ d[start:stop]
        self.n_passes += 0.5
        if self.offset is not None:
            xd = self._raw_rmatvec(d)
            sq = sq - 2 * self.offset * xd + d.sum() * self.offset**2
        if self.scale is not None:
            sq = sq / self.scale**2
        return sq
