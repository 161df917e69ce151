"""The design matrix as solvers see it: products with X, never a copy of X.

Standardization is applied implicitly, X_std = (X − μ)/σ, so that a sparse X stays sparse
and a large dense X is not duplicated. For sparse X only scaling is done (μ = 0): centering
would densify it, which is the same choice as scikit-learn's ``StandardScaler(with_mean=False)``.

X is used exactly as given: C or F order, CSR or CSC, float32 or float64 (a sparse X whose
stored entries are unsorted or duplicated is first summed into a canonical copy). Dense float32 is
read in row blocks cast to float64 (a bounded buffer, never a full copy), so every product
accumulates in float64; CSR/CSC products run in compiled kernels (numba, both cores) that
read the stored arrays directly, whatever their dtype.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable, Iterator

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

try:  # SciPy's sparse product loops, which write into a given vector (a private module, so optional)
    from scipy.sparse import _sparsetools
except ImportError:  # pragma: no cover - present in every SciPy release since 0.14
    _sparsetools = None

__all__ = ["Design"]

_BLOCK_ROWS = 8192  # rows per block when forming XᵀDX: bounds extra memory to block × p floats
_BLOCK_BYTES = 1 << 21  # ≈ 2 MB per block buffer: stays in cache, ≪ 10 % of any large X


@functools.cache
def _kernels():
    """The compiled kernels' module (numba: imported only when a sparse product needs it;
    looked up once, an import statement per call costs ~2 µs on small fits)."""
    from .solvers import _kernels as K

    return K


def _kernels_loaded() -> bool:
    """True once numba's kernels are imported (then they are the fastest path; until then a
    NumPy path avoids paying numba's import for one product)."""
    return "logitlab.solvers._kernels" in sys.modules


def _product_into(X: sp.spmatrix, x: NDArray, out: NDArray | None, transpose: bool) -> bool:
    """out ← X·x (or Xᵀ·x) for a float64 CSR/CSC X through SciPy's own compiled loop, which
    accumulates into a given vector (SciPy's ``@`` allocates a new one per product; CG runs
    dozens). False when there is no ``out`` or SciPy's loop is not importable."""
    if out is None or _sparsetools is None or not (out.flags.c_contiguous and out.dtype == np.float64):
        return False
    x = np.ascontiguousarray(x, dtype=np.float64)
    m, p = X.shape
    by_rows = (X.format == "csr") != transpose  # CSR·x, or the CSC view of a CSR's transpose
    n_row, n_col = (m, p) if not transpose else (p, m)
    out[:] = 0.0
    kernel = _sparsetools.csr_matvec if by_rows else _sparsetools.csc_matvec
    kernel(n_row, n_col, X.indptr, X.indices, X.data, x, out)
    return True


def _into(out: NDArray | None, value: NDArray) -> NDArray:
    """``value`` written into ``out`` (the caller's buffer), or ``value`` itself if there is none."""
    if out is None:
        return value
    out[:] = value
    return out


class Design:
    """X (dense or SciPy sparse, float32 or float64, any layout) with optional offset μ and scale σ."""

    def __init__(
        self,
        X: NDArray | sp.spmatrix,
        offset: NDArray | None = None,
        scale: NDArray | None = None,
    ) -> None:
        if sp.issparse(X) and X.format in ("csr", "csc") and not X.has_canonical_format:
            # duplicate stored entries (SciPy allows them) would be counted apart by the compiled
            # kernels: they are summed into a canonical copy (indices sorted too). Canonical
            # input, what SciPy's constructors and scikit-learn's vectorizers produce, is used as is.
            X = X.copy()
            X.sum_duplicates()
        self.X = X
        self.is_sparse = sp.issparse(X)
        self.n_samples, self.n_features = X.shape
        if self.is_sparse and offset is not None and np.any(offset != 0):
            raise ValueError("a sparse design cannot be centered without densifying it.")
        self.offset = None if offset is None else np.asarray(offset, dtype=np.float64)
        self.scale = None if scale is None else np.asarray(scale, dtype=np.float64)
        self.n_passes = 0.0  # data reads: one X·w or one Xᵀ·r counts a half pass
        self._format = X.format if self.is_sparse else None
        if self.is_sparse and self._format not in ("csr", "csc"):
            self._format = None  # COO, LIL…: SciPy's own products
        self._compressed_ok = self._format is not None and X.indices.dtype == X.indptr.dtype
        self._column_nnz: NDArray | None = None

    # -- helpers --------------------------------------------------------------------------
    @property
    def _block(self) -> int:
        return max(256, min(_BLOCK_ROWS * 4, _BLOCK_BYTES // (8 * max(self.n_features, 1))))

    def _coef_in_x_units(self, w: NDArray) -> tuple[NDArray, float]:
        """w/σ and the constant −μ·(w/σ): X_std·w = X·(w/σ) − μ·(w/σ)."""
        w_x = w if self.scale is None else w / self.scale
        shift = 0.0 if self.offset is None else -float(np.dot(self.offset, w_x))
        return w_x, shift

    def _raw_matvec(self, w_x: NDArray, out: NDArray | None = None) -> NDArray:
        """X·w_x of the stored X in float64, into ``out`` when given (no new m-vector)."""
        X = self.X
        if self.is_sparse:
            if self._compressed_ok and X.dtype == np.float64 and _product_into(X, w_x, out, False):
                return out
            if not self._compressed_ok or X.dtype == np.float64:  # SciPy: no copy for float64
                return _into(out, np.asarray(X @ w_x, dtype=np.float64).ravel())
            K = _kernels()
            out = np.empty(self.n_samples) if out is None else out
            if self._format == "csr":
                K.major_dot(X.indptr, X.indices, X.data, w_x, out)
            else:
                K.scatter_add(X.indptr, X.indices, X.data, w_x, out, False)
            return out
        if X.dtype == np.float64:
            if out is not None:
                return np.matmul(X, w_x, out=out)
            return np.asarray(X @ w_x, dtype=np.float64)
        # float32 (or other) dense: cast row blocks, accumulate in float64, no full copy
        out = np.empty(self.n_samples) if out is None else out
        bs = self._block
        for start in range(0, self.n_samples, bs):
            stop = min(start + bs, self.n_samples)
            out[start:stop] = np.asarray(X[start:stop], dtype=np.float64) @ w_x
        return out

    def _raw_rmatvec(self, r: NDArray, square: bool = False, out: NDArray | None = None) -> NDArray:
        """Xᵀr (or (X∘X)ᵀr with ``square``) of the stored X, in float64 (into ``out`` for the
        plain product of a CSR/CSC or dense float64 X, else a new p-vector)."""
        X = self.X
        r = np.asarray(r, dtype=np.float64)
        if not square and out is not None:
            if self.is_sparse and self._compressed_ok and X.dtype == np.float64:
                if _product_into(X, r, out, True):
                    return out
            elif not self.is_sparse and X.dtype == np.float64:
                return np.matmul(r, X, out=out)
            return _into(out, self._raw_rmatvec(r))
        if self.is_sparse:
            if not square and (not self._compressed_ok or X.dtype == np.float64):
                return np.asarray(X.T @ r, dtype=np.float64).ravel()
            if not self._compressed_ok:
                Xs = X.multiply(X) if square else X
                return np.asarray(Xs.T @ r, dtype=np.float64).ravel()
            if square and not _kernels_loaded() and _sparsetools is not None:
                return self._moments_blocked(r, first=False)[1]
            K = _kernels()
            out = np.empty(self.n_features)
            if self._format == "csc":
                K.major_dot_sq(X.indptr, X.indices, X.data, r, out) if square else K.major_dot(
                    X.indptr, X.indices, X.data, r, out
                )
            else:
                K.scatter_add(X.indptr, X.indices, X.data, r, out, square)
            return out
        out = np.zeros(self.n_features)
        if X.dtype == np.float64 and not square:
            return np.asarray(X.T @ r, dtype=np.float64)
        bs = self._block
        for start in range(0, self.n_samples, bs):
            stop = min(start + bs, self.n_samples)
            B = np.asarray(X[start:stop], dtype=np.float64)
            out += (B * B).T @ r[start:stop] if square else B.T @ r[start:stop]
        return out

    def _moments_blocked(self, d: NDArray, first: bool) -> tuple[NDArray | None, NDArray]:
        """(Xᵀd if ``first``, (X∘X)ᵀd) of a CSR/CSC X without numba: SciPy's compiled product
        loop over blocks of ≈ 2¹⁴ stored values (their squares a 128 kB buffer, d cast to
        float64 a block of rows at a time), accumulating into the results. Never a squared copy
        of X, nor a p-vector per block; X's stored values are only read."""
        X = self.X
        indptr, indices, data = X.indptr, X.indices, X.data
        n_major = indptr.shape[0] - 1
        m, p = self.n_samples, self.n_features
        csr = self._format == "csr"
        out1 = np.zeros(p) if first else None
        out2 = np.zeros(p)
        if not csr:  # a column block reads every row of d
            d = np.asarray(d, dtype=np.float64)
        target = 1 << 14
        a = 0
        while a < n_major:
            b = int(np.searchsorted(indptr, indptr[a] + target, side="right")) - 1
            b = min(max(b, a + 1), n_major)
            k0, k1 = int(indptr[a]), int(indptr[b])
            ptr, idx = indptr[a:b + 1] - indptr[a], indices[k0:k1]
            vals = np.asarray(data[k0:k1], dtype=np.float64)
            squares = np.square(vals)
            if csr:  # rows a..b: Xᵀ over them is their block's transpose, a CSC p × (b − a)
                x = np.asarray(d[a:b], dtype=np.float64)
                for values, out in ((vals, out1), (squares, out2)):
                    if out is not None:
                        _sparsetools.csc_matvec(p, b - a, ptr, idx, values, x, out)
            else:  # columns a..b: their block's transpose is a CSR (b − a) × m
                for values, out in ((vals, out1), (squares, out2)):
                    if out is not None:
                        part = out[a:b]
                        _sparsetools.csr_matvec(b - a, m, ptr, idx, values, d, part)
            a = b
        return out1, out2

    # -- products -------------------------------------------------------------------------
    def matvec(self, w: NDArray, out: NDArray | None = None) -> NDArray:
        """X_std · w, in float64 (written into ``out``, an m-vector, when given)."""
        self.n_passes += 0.5
        w_x, shift = self._coef_in_x_units(np.asarray(w, dtype=np.float64))
        z = self._raw_matvec(w_x, out)
        if shift:
            z += shift
        return z

    def rmatvec(self, r: NDArray, out: NDArray | None = None) -> NDArray:
        """X_stdᵀ · r, in float64 (written into ``out``, a p-vector, when given)."""
        self.n_passes += 0.5
        r = np.asarray(r, dtype=np.float64)
        g = self._raw_rmatvec(r, out=out)
        if self.offset is not None:
            g -= self.offset * r.sum()
        if self.scale is not None:
            g /= self.scale
        return g

    def gram(self, d: NDArray) -> NDArray:
        """X_stdᵀ·diag(d)·X_std as a dense p × p array (d ≥ 0 or not), exact in float64."""
        d = np.asarray(d, dtype=np.float64)
        if not self.is_sparse and np.all(d >= 0):
            return self.newton_system(d)[0][:-1, :-1]
        self.n_passes += 1.0
        X = self.X
        p = self.n_features
        if self.is_sparse:
            return self._standardize_system(_sparse_system(X, d))[:p, :p]
        A = np.zeros((p + 1, p + 1))  # [[XᵀDX, XᵀD1], [1ᵀDX, Σd]] of the stored X
        for start, stop, Xb in self.row_blocks():  # weights of either sign: no √d, a plain product
            A[:p, :p] += Xb.T @ (Xb * d[start:stop, None])
        A[:p, p] = A[p, :p] = self._raw_rmatvec(d)
        A[p, p] = d.sum()
        return self._standardize_system(A)[:p, :p]

    def row_blocks(self) -> Iterator[tuple[int, int, NDArray]]:
        """Dense X in row blocks of ≈ 2 MB as float64 (a view when X is float64, else a cast copy
        of that block only): the unit every one-read computation walks."""
        X = self.X
        bs = self._block
        for start in range(0, self.n_samples, bs):
            stop = min(start + bs, self.n_samples)
            Xb = X[start:stop]
            yield start, stop, Xb if Xb.dtype == np.float64 else np.asarray(Xb, dtype=np.float64)

    def newton_system(
        self, d: NDArray, r: NDArray | None = None, stride: int = 1, single: bool = False
    ) -> tuple[NDArray, NDArray | None]:
        """The Newton model in one pass over X: (A, X_stdᵀr) with A the (p+1)² matrix
        [[X̃ᵀDX̃, X̃ᵀd], [dᵀX̃, Σd]] (intercept last) for weights d ≥ 0.

        Dense X is read once in row blocks: each block gives its share of Xᵀr (while in cache)
        and of A through a BLAS rank-k update (syrk) of √d∘[X, 1]. ``stride`` > 1 forms A from
        every stride-th row only (a sub-sampled Hessian, rescaled), ``single`` accumulates A in
        float32 (twice as fast; the gradient stays float64). Both only approximate the
        curvature, which Newton tolerates; the gradient that decides convergence is exact.
        """
        d = np.asarray(d, dtype=np.float64)
        p = self.n_features
        X = self.X
        if self.is_sparse:
            self.n_passes += 1.0
            rows = slice(None, None, stride)
            A = _sparse_system(X[rows] if stride > 1 else X, d[rows] * stride)
            g = None if r is None else self._raw_rmatvec(r)
            return self._standardize_system(A), None if g is None else self._standardize_grad(g, r.sum())
        self.n_passes += 0.5 / stride + (0.5 if r is not None else 0.0)
        gram = _SampledGram(p, stride, single, min(self._block, -(-self.n_samples // stride)))
        g = None if r is None else np.zeros(p)
        for start, stop, Xb in self.row_blocks():
            if g is not None:
                g += Xb.T @ r[start:stop]
            gram.add(start, Xb, d[start:stop])
        A = self._standardize_system(gram.result())
        return A, None if g is None else self._standardize_grad(g, float(np.sum(r)))

    def advance(
        self, w: NDArray, shift: float, z: NDArray,
        terms: Callable[[int, int], tuple[NDArray, NDArray | None]],
        hessian: bool = True, stride: int = 1, single: bool = False,
    ) -> tuple[NDArray | None, NDArray, float]:
        """A Newton step's products in one read of X: z += X_std·w + shift, block by block; after
        each block, ``terms(a, b)`` returns the residual r and curvature d of rows a..b at their
        new scores, and the block, still in cache, adds its share of X_stdᵀr and (if ``hessian``)
        of the sampled Newton matrix. Returns (A or None, X_stdᵀr) as :meth:`newton_system` does,
        and Σr (the intercept's gradient).

        Two reads become one: z at the new point, and the gradient and Hessian there. Sparse X
        takes the same steps in two products.
        """
        w_x, const = self._coef_in_x_units(np.asarray(w, dtype=np.float64))
        const += shift
        if self.is_sparse:
            z += self.matvec(w)
            if shift:
                z += shift
            r, d = terms(0, self.n_samples)
            if hessian:
                return (*self.newton_system(d, r, stride=stride, single=single), float(r.sum()))
            return None, self.rmatvec(r), float(r.sum())
        p = self.n_features
        self.n_passes += 0.5 + (0.5 / stride if hessian else 0.0)
        gram = _SampledGram(p, stride, single, min(self._block, -(-self.n_samples // stride))) if hessian else None
        g = np.zeros(p)
        r_sum = 0.0
        for start, stop, Xb in self.row_blocks():
            zb = z[start:stop]
            zb += Xb @ w_x
            if const:
                zb += const
            rb, db = terms(start, stop)
            g += Xb.T @ rb
            r_sum += float(rb.sum())
            if gram is not None:
                gram.add(start, Xb, db)
        A = None if gram is None else self._standardize_system(gram.result())
        return A, self._standardize_grad(g, r_sum), r_sum

    def _standardize_grad(self, g: NDArray, r_sum: float) -> NDArray:
        """Xᵀr of the stored X → X_stdᵀr."""
        if self.offset is not None:
            g = g - self.offset * r_sum
        if self.scale is not None:
            g = g / self.scale
        return g

    def _standardize_system(self, A: NDArray) -> NDArray:
        """[[XᵀDX, XᵀD1], [1ᵀDX, Σd]] of the stored X → the same for X_std, in place."""
        p = self.n_features
        xd = A[:p, p].copy()
        if self.offset is not None:
            mu = self.offset
            A[:p, :p] += -np.outer(xd, mu) - np.outer(mu, xd) + A[p, p] * np.outer(mu, mu)
            A[:p, p] = A[p, :p] = xd - A[p, p] * mu
        if self.scale is not None:
            A[:p, :p] /= np.outer(self.scale, self.scale)
            A[:p, p] /= self.scale
            A[p, :p] = A[:p, p]
        return A

    def rows(self, index: NDArray) -> Design:
        """The design restricted to some rows (for mini-batches); copies only those rows."""
        return Design(self.X[index], self.offset, self.scale)

    def column_sq_norms(self, d: NDArray) -> NDArray:
        """Σᵢ dᵢ·X_std[i, j]² for every column j: the diagonal of X_stdᵀ D X_std."""
        d = np.asarray(d, dtype=np.float64)
        sq = self._raw_rmatvec(d, square=True)
        self.n_passes += 0.5
        if self.offset is not None:
            xd = self._raw_rmatvec(d)
            sq = sq - 2 * self.offset * xd + d.sum() * self.offset**2
        if self.scale is not None:
            sq = sq / self.scale**2
        return sq

    def column_moments(self, d: NDArray) -> tuple[NDArray, NDArray]:
        """(X_stdᵀd, Σᵢ dᵢ·X_std[i, j]²): the Hessian's intercept column and its diagonal, from
        one read of a sparse X's stored values (compiled once numba is loaded, else SciPy's
        loop in blocks; a float32 d, truncated Newton's, is read as is either way)."""
        d = np.asarray(d)
        if d.dtype not in (np.float32, np.float64):
            d = d.astype(np.float64)
        if not (self.is_sparse and self._compressed_ok):
            d = np.asarray(d, dtype=np.float64)
            return self.rmatvec(d), self.column_sq_norms(d)
        X = self.X
        if _kernels_loaded() or _sparsetools is None:
            first, second = np.empty(self.n_features), np.empty(self.n_features)
            _kernels().column_moments(X.indptr, X.indices, X.data, d, self._format == "csr",
                                      first, second)
        else:  # numba not loaded yet: SciPy's loop rather than paying numba's import here
            first, second = self._moments_blocked(d, first=True)
        self.n_passes += 0.5
        if self.scale is not None:
            first /= self.scale
            second /= self.scale**2
        return first, second

    def own_columns(self) -> tuple[NDArray, NDArray, NDArray, NDArray] | None:
        """(indptr, indices, data, σ) of a CSC X itself, for column-wise solvers to read in
        place (no working-set copy); None for any other layout."""
        if not (self.is_sparse and self._format == "csc" and self._compressed_ok):
            return None
        X = self.X
        sigma = np.ones(self.n_features) if self.scale is None else self.scale
        return X.indptr, X.indices, X.data, sigma

    def stored_bytes(self) -> int:
        """X's own size in bytes (a sparse X's values, indices and pointers)."""
        X = self.X
        if self.is_sparse and self._format is not None:
            return int(X.data.nbytes + X.indices.nbytes + X.indptr.nbytes)
        return int(X.data.nbytes if self.is_sparse else X.nbytes)

    def column_nnz(self) -> NDArray:
        """Stored values per column of a sparse X (counted once, then kept: p integers)."""
        if self._column_nnz is None:
            X = self.X
            if self._format == "csr":
                small = X.nnz < np.iinfo(np.int32).max  # counts in int32: half the p-vector
                counts = np.zeros(self.n_features, dtype=np.int32 if small else np.int64)
                self._column_nnz = _kernels().index_counts(X.indices, counts)
            else:
                self._column_nnz = np.diff(sp.csc_matrix(X).indptr)  # a CSC X: its own indptr, no copy
        return self._column_nnz

    def _column_map(self, columns: NDArray) -> NDArray:
        """col_map[j] = the position of column j among ``columns``, −1 elsewhere: how the compiled
        row-wise kernels pick a subset of a CSR X's columns."""
        col_map = np.full(self.n_features, -1, dtype=np.int32)
        col_map[np.asarray(columns, dtype=np.int64)] = np.arange(len(columns))
        return col_map

    def block_pairs(self, columns: NDArray, stride: int = 16) -> float:
        """Σᵢ cᵢ(cᵢ+1)/2 with cᵢ the row's entries in the given columns of a CSR X, estimated on
        every ``stride``-th row: the number of updates :meth:`block_system` makes."""
        X = self.X
        return float(_kernels().row_pairs(X.indptr, X.indices, self._column_map(columns), stride)) * stride

    def block_system(self, columns: NDArray, d: NDArray, single: bool = False) -> NDArray:
        """[[X̃_WᵀDX̃_W, X̃_Wᵀd], [dᵀX̃_W, Σd]] for the sorted columns W of a sparse X (weights
        d ≥ 0): the Newton matrix of a working set. A CSR X is read once, row by row, and no
        column is copied (``single``: stored in float32, half the memory; it only shapes the
        step); other layouts go through SciPy's products on X[:, W]."""
        if not self.is_sparse:
            raise ValueError("block_system is for sparse designs.")
        columns = np.asarray(columns, dtype=np.int64)
        d = np.asarray(d)
        if d.dtype != np.float32:
            d = np.asarray(d, dtype=np.float64)
        n = columns.size
        X = self.X
        inv_scale = np.ones(n) if self.scale is None else 1.0 / self.scale[columns]
        self.n_passes += 0.5
        dtype = np.float32 if single else np.float64
        if self._format == "csr" and self._compressed_ok:
            G = np.zeros((n + 1, n + 1), dtype=dtype)
            _kernels().csr_block_gram(X.indptr, X.indices, X.data, self._column_map(columns), inv_scale, d, G)
            return G
        Xc = X if self._format is not None else sp.csc_matrix(X)  # COO, LIL…: no column indexing
        return _sparse_system(sp.csc_matrix(Xc[:, columns]) @ sp.diags(inv_scale), d).astype(dtype, copy=False)

    def column_block(self, columns: NDArray) -> tuple[NDArray, NDArray, NDArray, NDArray]:
        """The chosen columns of a sparse X as CSC arrays (indptr, indices, data, σ) for
        coordinate descent on a working set: a copy of those columns only, never of X."""
        if not self.is_sparse:
            raise ValueError("column_block is for sparse designs.")
        columns = np.asarray(columns, dtype=np.int64)
        X = self.X
        sigma = np.ones(columns.size) if self.scale is None else self.scale[columns]
        if self._format == "csr" and self._compressed_ok:  # one compiled pass, no SciPy temporaries
            indptr, indices, data = _kernels().csr_select_columns(
                X.indptr, X.indices, X.data, self._column_map(columns), columns.size)
            self.n_passes += 0.5
            return indptr, indices, data, sigma
        if self._format == "csc":
            sub = X[:, columns]
        else:
            sub = sp.csc_matrix(X[:, columns]) if self._format == "csr" else sp.csc_matrix(X)[:, columns]
        sub = sp.csc_matrix(sub)
        self.n_passes += 0.5 * (sub.nnz / max(X.nnz, 1)) if self._format == "csc" else 0.5
        return sub.indptr, sub.indices, sub.data, sigma


def _sparse_system(Xs: sp.spmatrix, d: NDArray) -> NDArray:
    """[[XᵀDX, XᵀD1], [1ᵀDX, Σd]] of a sparse X as a dense (p+1)² float64 array, by SciPy's
    products (the Newton matrix where no compiled row-wise kernel applies)."""
    p = Xs.shape[1]
    A = np.empty((p + 1, p + 1))
    A[:p, :p] = (Xs.T @ sp.diags(d) @ Xs).toarray()
    A[:p, p] = A[p, :p] = np.asarray(Xs.T @ d).ravel()
    A[p, p] = d.sum()
    return A


@functools.cache
def _syrk(dtype: type) -> Callable:
    """BLAS syrk for float32 or float64 (SciPy's linalg loads on first use, not at import)."""
    from scipy.linalg import blas

    return blas.ssyrk if dtype == np.float32 else blas.dsyrk


class _SampledGram:
    """Σ dᵢ·[xᵢ, 1][xᵢ, 1]ᵀ over every ``stride``-th row, fed block by block (rescaled by the
    stride, so it estimates the full sum): a BLAS rank-k update of √d∘[X, 1], in float32 when
    ``single`` (twice the speed; the curvature only shapes Newton's step). Sampled rows gather
    in a buffer of at most 128 kB (≥ 256 rows) and go to BLAS when it is full: a rank-k update
    is only efficient for large k, and a block holds just 1/stride of its rows."""

    _BUFFER_BYTES = 1 << 17
    _SYRK_MIN = 64  # from p + 1 = 64 syrk on the buffer's transpose (no copy, half the flops)
    # beats NumPy's Bᵀ·B, 1.7× at p = 100; below, NumPy's is 10–20 % faster

    def __init__(self, p: int, stride: int, single: bool, block_rows: int) -> None:
        self.p, self.stride = p, stride
        dtype = np.float32 if single else np.float64
        self._syrk = _syrk(dtype)
        fit = max(256, self._BUFFER_BYTES // (np.dtype(dtype).itemsize * (p + 1)))
        # a block at most a quarter larger than the buffer goes whole: one BLAS call, not a
        # second, tiny one (569 × 31: 8 µs of a 37 µs update)
        rows = block_rows if block_rows <= fit + fit // 4 else fit
        self._buf = np.empty((max(rows, 1), p + 1), dtype=dtype)
        self._fill = 0
        self._A = np.zeros((p + 1, p + 1), dtype=dtype, order="F")

    def add(self, start: int, Xb: NDArray, d: NDArray) -> None:
        """Rows start … start+len(Xb) of X with their weights d."""
        first = (-start) % self.stride
        n_rows = len(range(first, Xb.shape[0], self.stride))
        compiled = _kernels_loaded() and Xb.dtype == np.float64 and d.dtype == np.float64
        done = 0
        while done < n_rows:
            n = min(n_rows - done, self._buf.shape[0] - self._fill)
            rows = self._buf[self._fill:self._fill + n]
            at = first + done * self.stride
            if compiled:
                _kernels().sqrt_weighted_rows(Xb, d, at, self.stride, rows)
            else:
                stop = at + (n - 1) * self.stride + 1
                sb = np.sqrt(d[at:stop:self.stride])
                np.multiply(Xb[at:stop:self.stride], sb[:, None], out=rows[:, :self.p], casting="unsafe")
                rows[:, self.p] = sb
            self._fill += n
            done += n
            if self._fill == self._buf.shape[0]:
                self._flush()

    def _flush(self) -> None:
        if self._fill:
            B = self._buf[:self._fill]
            if self.p + 1 < self._SYRK_MIN:
                self._A += B.T @ B
            else:  # Bᵀ is Fortran-ordered: BLAS reads it in place (passing B with trans=1 would
                # make SciPy copy it to Fortran order first)
                self._A = self._syrk(1.0, B.T, beta=1.0, c=self._A, trans=0, lower=0, overwrite_c=1)
            self._fill = 0

    def result(self) -> NDArray:
        """The symmetric (p+1)² sum in float64."""
        self._flush()
        A = np.array(self._A, dtype=np.float64)  # a C-ordered float64 copy
        if self.p + 1 >= self._SYRK_MIN:  # syrk filled the upper triangle only
            A = np.triu(A)
            A += np.triu(A, 1).T
        if self.stride > 1:
            A *= self.stride
        return A
