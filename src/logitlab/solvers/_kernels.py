"""Compiled kernels (numba, cached on disk): sparse products on the stored CSR/CSC arrays
(float64 accumulation whatever X's dtype, so float32 data is never cast as a whole) and
coordinate-descent epochs on the Newton quadratic model.

The product loops are written with ``prange`` but compiled serially: measured on the shared
2-core machine, numba's thread pool made a 5M-nonzero product 10–15× slower under load (the
workers wait on busy cores), while SciPy's serial loop and this one stay fast.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange


@njit(cache=True, nogil=True)
def major_dot(indptr, indices, data, x, out):  # pragma: no cover - compiled
    """out[i] = Σₖ data[k]·x[indices[k]] over the i-th compressed row (CSR) or column (CSC)."""
    n = indptr.shape[0] - 1
    for i in prange(n):
        s = 0.0
        for k in range(indptr[i], indptr[i + 1]):
            s += np.float64(data[k]) * x[indices[k]]
        out[i] = s


@njit(cache=True, nogil=True)
def major_dot_sq(indptr, indices, data, x, out):  # pragma: no cover - compiled
    """out[i] = Σₖ data[k]²·x[indices[k]]: weighted squared norms of rows (CSR) / columns (CSC)."""
    n = indptr.shape[0] - 1
    for i in prange(n):
        s = 0.0
        for k in range(indptr[i], indptr[i + 1]):
            v = np.float64(data[k])
            s += v * v * x[indices[k]]
        out[i] = s


@njit(cache=True, nogil=True)
def _scatter(indptr, indices, data, x, buf, square):  # pragma: no cover - compiled
    n = indptr.shape[0] - 1
    n_chunks = buf.shape[0]
    for c in prange(n_chunks):
        lo = c * n // n_chunks
        hi = (c + 1) * n // n_chunks
        acc = buf[c]
        for i in range(lo, hi):
            xi = x[i]
            if xi == 0.0:
                continue
            for k in range(indptr[i], indptr[i + 1]):
                v = np.float64(data[k])
                acc[indices[k]] += (v * v if square else v) * xi


def scatter_add(indptr, indices, data, x, out, square=False) -> None:
    """out[j] = Σᵢ Σ_{k in major i, indices[k]=j} data[k]·x[i]: Xᵀr for CSR, X·w for CSC.

    Each thread accumulates its share of the majors into its own row of a small buffer
    (threads × len(out) floats), summed at the end: no atomics, deterministic.
    """
    n_chunks = 1  # serial (see the module note); the buffer layout allows per-thread chunks
    buf = np.zeros((n_chunks, out.shape[0]))
    _scatter(indptr, indices, data, x, buf, square)
    np.sum(buf, axis=0, out=out)


@njit(cache=True, nogil=True)
def column_moments(indptr, indices, data, d, by_row, first, second):  # pragma: no cover - compiled
    """first[j] = Σᵢ dᵢ·xᵢⱼ and second[j] = Σᵢ dᵢ·xᵢⱼ² in one read of the stored values
    (``by_row``: CSR, scattered by column; else CSC, one column per major)."""
    n = indptr.shape[0] - 1
    if by_row:
        first[:] = 0.0
        second[:] = 0.0
        for i in range(n):
            di = d[i]
            if di == 0.0:
                continue
            for k in range(indptr[i], indptr[i + 1]):
                v = np.float64(data[k]) * di
                j = indices[k]
                first[j] += v
                second[j] += v * np.float64(data[k])
    else:
        for j in range(n):
            a = 0.0
            b = 0.0
            for k in range(indptr[j], indptr[j + 1]):
                v = np.float64(data[k])
                t = v * d[indices[k]]
                a += t
                b += t * v
            first[j] = a
            second[j] = b


@njit(cache=True, nogil=True)
def sqrt_weighted_rows(X, d, first, stride, out):  # pragma: no cover - compiled
    """out[i] = √dₖ·[xₖ, 1] for k = first + i·stride: the rows of the Newton matrix's rank-k
    update, cast to out's dtype in the same loop (NumPy's broadcast multiply with a cast runs
    row by row through a buffered loop, 3–4× slower)."""
    p = X.shape[1]
    for i in range(out.shape[0]):
        k = first + i * stride
        si = np.sqrt(d[k])
        for j in range(p):
            out[i, j] = X[k, j] * si
        out[i, p] = si


@njit(cache=True, nogil=True)
def csr_select_columns(indptr, indices, data, col_map, n_sel):  # pragma: no cover - compiled
    """The columns j with col_map[j] ≥ 0 of a CSR matrix, as CSC arrays (indptr, row indices,
    data in X's own dtype), in two reads of X and no other copy: the working-set block."""
    n_rows = indptr.shape[0] - 1
    counts = np.zeros(n_sel + 1, dtype=np.int64)
    for k in range(indptr[n_rows]):
        c = col_map[indices[k]]
        if c >= 0:
            counts[c + 1] += 1
    for c in range(n_sel):
        counts[c + 1] += counts[c]
    out_ptr = counts.copy()
    nnz = counts[n_sel]
    rows = np.empty(nnz, dtype=np.int32)
    vals = np.empty(nnz, dtype=data.dtype)
    fill = counts[:n_sel].copy()
    for i in range(n_rows):
        for k in range(indptr[i], indptr[i + 1]):
            c = col_map[indices[k]]
            if c >= 0:
                pos = fill[c]
                rows[pos] = i
                vals[pos] = data[k]
                fill[c] = pos + 1
    return out_ptr, rows, vals


@njit(cache=True)
def _soft(x, level):
    if x > level:
        return x - level
    if x < -level:
        return x + level
    return 0.0


@njit(cache=True)
def cd_gram(H, g, theta, l1, n_penalized, max_epochs, tol):  # pragma: no cover - compiled
    """Minimize g·δ + ½δᵀHδ + l1·Σ_{j<n_penalized}|θⱼ+δⱼ| over δ by cyclic coordinate descent.

    H is the full (smooth) Hessian. Returns the new point θ+δ and the epochs used; stops
    when no coordinate moves the model by more than ``tol`` (largest |Δⱼ|·Hⱼⱼ).
    """
    n = theta.shape[0]
    v = theta.copy()
    Hd = np.zeros(n)
    epochs = 0
    for _ in range(max_epochs):
        epochs += 1
        biggest = 0.0
        for j in range(n):
            a = H[j, j]
            if a <= 0.0:
                continue
            q = g[j] + Hd[j]
            old = v[j]
            u = old - q / a
            new = _soft(u, l1 / a) if j < n_penalized else u
            delta = new - old
            if delta != 0.0:
                v[j] = new
                for k in range(n):
                    Hd[k] += delta * H[j, k]
                step = abs(delta) * a
                if step > biggest:
                    biggest = step
        if biggest <= tol:
            break
    return v, epochs


@njit(cache=True)
def _solve_small(C, rhs):  # pragma: no cover - compiled
    """C·x = rhs for a tiny dense system, Gaussian elimination with partial pivoting."""
    n = rhs.shape[0]
    A = C.copy()
    x = rhs.copy()
    for k in range(n):
        piv = k
        for i in range(k + 1, n):
            if abs(A[i, k]) > abs(A[piv, k]):
                piv = i
        if A[piv, k] == 0.0:
            return x, False
        if piv != k:
            for j in range(n):
                A[k, j], A[piv, j] = A[piv, j], A[k, j]
            x[k], x[piv] = x[piv], x[k]
        for i in range(k + 1, n):
            f = A[i, k] / A[k, k]
            for j in range(k, n):
                A[i, j] -= f * A[k, j]
            x[i] -= f * x[k]
    for k in range(n - 1, -1, -1):
        s = x[k]
        for j in range(k + 1, n):
            s -= A[k, j] * x[j]
        x[k] = s / A[k, k]
    return x, True


@njit(cache=True)
def _model_value(g, w, v, vb, b, us, c, d, l1, l2, working_set, fit_intercept):  # pragma: no cover
    """g·δ + ½(Σᵢ dᵢuᵢ² + l2‖δ‖²) + l1‖v‖₁ over the working set: the Newton model (+ L1) up to
    a constant, with u = us + c = X̃δ + δ_b."""
    s = 0.0
    for jj in range(working_set.shape[0]):
        j = working_set[jj]
        delta = v[j] - w[j]
        s += g[j] * delta + 0.5 * l2 * delta * delta + l1 * abs(v[j])
    if fit_intercept:
        s += g[g.shape[0] - 1] * (vb - b)
    q = 0.0
    for i in range(us.shape[0]):
        ui = us[i] + c
        q += d[i] * ui * ui
    return s + 0.5 * q


@njit(cache=True)
def _scores_of(indptr, indices, data, scale, w, v, working_set, us):  # pragma: no cover
    """us = X̃_W·(v − w) over the working set's columns."""
    us[:] = 0.0
    for jj in range(working_set.shape[0]):
        j = working_set[jj]
        c = (v[j] - w[j]) / scale[j]
        if c != 0.0:
            for k in range(indptr[j], indptr[j + 1]):
                us[indices[k]] += c * np.float64(data[k])


@njit(cache=True)
def cd_csc(
    indptr, indices, data, scale, d, g, w, b, fit_intercept, l1, l2, diag, mu, d_sum,
    working_set, max_epochs, tol, anderson=5,
):  # pragma: no cover - compiled
    """Coordinate descent on the Newton model for a CSC X (columns scaled by 1/scale).

    With an intercept the model is taken in the coordinates b′ = b + μ·w (μⱼ: column j's
    d-weighted mean, ``diag``: its d-weighted variance + l2), where the intercept decouples:
    its step is −g_b/Σd at once, and a weight's step no longer has to be undone by it (for
    non-negative features such as tf-idf that coupling is what slows plain CD down by orders
    of magnitude). The scores' change u = X̃·(v − w) + (vb − b) is kept as a sparse part plus
    one shift, so each coordinate still costs one sparse column; u is returned, and the line
    search then needs no pass over X. Only the columns in ``working_set`` move; the outer
    solver checks the KKT conditions of all. Every ``anderson`` epochs the last iterates are
    extrapolated (Anderson acceleration, as in skglm/celer): the extrapolated point replaces
    the current one only if it lowers the model, so it can only help.
    """
    m = d.shape[0]
    v = w.copy()
    us = np.zeros(m)
    gb = g[g.shape[0] - 1] if fit_intercept else 0.0
    b_step = -gb / d_sum if fit_intercept and d_sum > 0.0 else 0.0
    c = b_step  # u = us + c; c is the intercept's step in the original coordinates
    nws = working_set.shape[0]
    K = anderson
    use_aa = K > 0 and nws > 1
    hist = np.empty((K + 1, nws)) if use_aa else np.empty((1, 1))
    us_acc = np.empty(m) if use_aa else np.empty(0)
    stored = 0
    if use_aa:
        for jj in range(nws):
            hist[0, jj] = v[working_set[jj]]
        stored = 1
    epochs = 0
    for _ in range(max_epochs):
        epochs += 1
        biggest = 0.0
        for jj in range(nws):
            j = working_set[jj]
            a = diag[j]
            if a <= 0.0:
                continue
            s = 0.0
            for k in range(indptr[j], indptr[j + 1]):
                s += np.float64(data[k]) * d[indices[k]] * us[indices[k]]
            # ∂/∂δⱼ in the decoupled coordinates: gⱼ − μⱼg_b + Σᵢdᵢ(x̃ᵢⱼ − μⱼ)uᵢ + l2·δⱼ, where
            # Σᵢdᵢuᵢ = Σd·b_step stays fixed and Σᵢdᵢx̃ᵢⱼ = μⱼ·Σd
            q = g[j] - mu[j] * gb + s / scale[j] + mu[j] * d_sum * (c - b_step) + l2 * (v[j] - w[j])
            old = v[j]
            new = _soft(old - q / a, l1 / a)
            delta = new - old
            if delta != 0.0:
                v[j] = new
                cj = delta / scale[j]
                for k in range(indptr[j], indptr[j + 1]):
                    us[indices[k]] += cj * np.float64(data[k])
                c -= delta * mu[j]
                step = abs(delta) * a
                if step > biggest:
                    biggest = step
        if biggest <= tol:
            break
        if use_aa:
            for jj in range(nws):
                hist[stored, jj] = v[working_set[jj]]
            stored += 1
            if stored == K + 1:
                stored = 0
                # residuals r_k = x_{k+1} − x_k; c ∝ (RRᵀ)⁻¹·1, Σc = 1; x_acc = Σ c_k x_{k+1}
                C = np.zeros((K, K))
                for p1 in range(K):
                    for p2 in range(p1, K):
                        acc = 0.0
                        for t in range(nws):
                            acc += (hist[p1 + 1, t] - hist[p1, t]) * (hist[p2 + 1, t] - hist[p2, t])
                        C[p1, p2] = acc
                        C[p2, p1] = acc
                reg = 1e-10 * max(np.trace(C), 1e-300)
                for p1 in range(K):
                    C[p1, p1] += reg
                z, ok = _solve_small(C, np.ones(K))
                zsum = z.sum()
                if ok and zsum != 0.0 and np.isfinite(zsum):
                    coef = z / zsum
                    v_acc = v.copy()
                    c_acc = b_step
                    for jj in range(nws):
                        acc = 0.0
                        for p1 in range(K):
                            acc += coef[p1] * hist[p1 + 1, jj]
                        j = working_set[jj]
                        v_acc[j] = acc
                        c_acc -= mu[j] * (acc - w[j])
                    _scores_of(indptr, indices, data, scale, w, v_acc, working_set, us_acc)
                    q_acc = _model_value(g, w, v_acc, b + c_acc, b, us_acc, c_acc, d, l1, l2,
                                         working_set, fit_intercept)
                    q_cur = _model_value(g, w, v, b + c, b, us, c, d, l1, l2, working_set, fit_intercept)
                    if q_acc < q_cur:
                        v = v_acc
                        c = c_acc
                        us, us_acc = us_acc, us
                for jj in range(nws):
                    hist[0, jj] = v[working_set[jj]]
                stored = 1
    for i in range(m):
        us[i] += c
    return v, b + c, us, epochs


@njit(cache=True, nogil=True)
def csr_block_gram(indptr, indices, data, col_map, inv_scale, d, G):  # pragma: no cover - compiled
    """G = [[X̃_WᵀDX̃_W, X̃_Wᵀd], [dᵀX̃_W, Σd]] for the columns W (col_map[j] ≥ 0 gives j's place)
    of a CSR X scaled by inv_scale, in one read of X's rows: the Newton model of a working set
    without any column access. G ((|W|+1)², zeroed by the caller) may be float32 or float64.
    X must be canonical (sorted, no duplicate entries; ``Design`` makes it so): each row then
    holds a column at most once, in increasing order, so its pairs fill the upper triangle."""
    n = G.shape[0] - 1
    m = indptr.shape[0] - 1
    cols = np.empty(n, dtype=np.int64)
    vals = np.empty(n)
    d_sum = 0.0
    for i in range(m):
        di = d[i]
        if di == 0.0:
            continue
        d_sum += di
        c = 0
        for k in range(indptr[i], indptr[i + 1]):
            a = col_map[indices[k]]
            if a >= 0:
                cols[c] = a
                vals[c] = np.float64(data[k]) * inv_scale[a]
                c += 1
        for q in range(c):
            a = cols[q]
            va = vals[q] * di
            G[a, n] += va
            for t in range(q, c):
                G[a, cols[t]] += va * vals[t]
    G[n, n] += d_sum
    for a in range(n + 1):
        for b in range(a + 1, n + 1):
            G[b, a] = G[a, b]


@njit(cache=True, nogil=True)
def index_counts(indices, out):  # pragma: no cover - compiled
    """out[j] += how often j occurs in ``indices``: a CSR matrix's nonzeros per column, without
    the int64 copy of the indices that np.bincount would make."""
    for k in range(indices.shape[0]):
        out[indices[k]] += 1
    return out


@njit(cache=True, nogil=True)
def decouple_intercept(H, g, n):  # pragma: no cover - compiled
    """In place: H[:n, :n] −= c·cᵀ/s and g[:n] −= (c/s)·g[n], with c = H[:n, n], s = H[n, n]:
    the Newton model in the coordinates b′ = b + μ·w (μ = c/s), where the intercept is
    decoupled from the weights (the Schur complement). Returns μ; H's last row and column
    are left as they were."""
    s = np.float64(H[n, n])
    mu = np.empty(n)
    for j in range(n):
        mu[j] = np.float64(H[j, n]) / s
    for a in range(n):
        ca = np.float64(H[a, n])
        floor = 1e-12 * np.float64(H[a, a])  # a column nearly constant over the rows cancels
        for b in range(n):
            H[a, b] -= ca * mu[b]
        if H[a, a] < floor:
            H[a, a] = floor
    gb = g[n]
    for j in range(n):
        g[j] -= mu[j] * gb
    return mu


@njit(cache=True, nogil=True)
def row_pairs(indptr, indices, col_map, stride):  # pragma: no cover - compiled
    """Σ over every stride-th row of c(c+1)/2, c = the row's entries j with col_map[j] ≥ 0."""
    total = 0.0
    for i in range(0, indptr.shape[0] - 1, stride):
        c = 0
        for k in range(indptr[i], indptr[i + 1]):
            if col_map[indices[k]] >= 0:
                c += 1
        total += 0.5 * c * (c + 1)
    return total

