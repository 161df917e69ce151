"""Out-of-core training: J, its gradient and Hessian summed chunk by chunk, same solvers.

A :class:`ChunkedObjective` has the interface the solvers use (value, smooth_value_grad,
newton_model, hessp, kkt_residual, …) but never holds the data: every evaluation is one pass
over a *source* (Parquet/CSV files streamed with pyarrow datasets here, Dask partitions in
:mod:`logitlab.distributed`) in which each chunk is evaluated by the core's own
:class:`~logitlab.objective.Objective` and the per-chunk sums are reduced on the client. No
formula is re-derived: a chunk's mean loss times its rows is its share of m·J.

Score vectors z = X̃θ (which in-memory solvers keep to make line searches free) are
represented symbolically by :class:`LinearScores` (the θ-shaped vector they are the image
of), so memory stays bounded by the chunk size and the model: a line search then costs one
pass per trial step, and every pass is counted in ``design.n_passes``.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .design import Design
from .estimator import NEGATIVE_WEIGHTS, NO_POSITIVE_WEIGHT
from .objective import Objective
from .penalty import ElasticNet

__all__ = [
    "ChunkedObjective",
    "FileSource",
    "detect_format",
    "LinearScores",
    "fit_chunked",
    "is_large_input",
    "iter_batches",
    "map_labels",
    "row_uniform",
]


def row_uniform(seed: int, start: int, n: int) -> NDArray:
    """A seeded uniform in [0, 1) per global row index start…start+n−1 (splitmix64 hash).

    Depends on the row's position in the data only, never on how it is chunked, so a train /
    held-out split made with it is the same streamed, on Dask or in memory.
    """
    with np.errstate(over="ignore"):
        x = (np.arange(start, start + n, dtype=np.uint64) + np.uint64(seed & (2**64 - 1))
             * np.uint64(0x9E3779B97F4A7C15))
        x = x + np.uint64(0x9E3779B97F4A7C15)
        x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        x = x ^ (x >> np.uint64(31))
    return (x >> np.uint64(11)).astype(np.float64) * 2.0**-53


def map_labels(y: NDArray, labels: Sequence[Any]) -> NDArray:
    """y as 0/1 floats for labels = (negative, positive); any other value is an error naming it."""
    neg, pos = labels
    y = np.asarray(y)
    is_pos, is_neg = y == pos, y == neg
    bad = ~(is_pos | is_neg)
    if np.any(bad):
        shown = ", ".join(repr(v) for v in list(dict.fromkeys(y[bad].tolist()))[:3])
        raise ValueError(f"the label column holds values other than {neg!r} and {pos!r} "
                         f"(e.g. {shown}); every row needs one of the two labels.")
    return is_pos.astype(np.float64)


def _row_mask(u: NDArray, rows: tuple[float, float] | None) -> NDArray | None:
    """Rows whose uniform lies in [lo, hi), or None for every row."""
    if rows is None:
        return None
    return (u >= rows[0]) & (u < rows[1])


# -- per-chunk evaluation (module level: it is shipped to Dask workers) --------------------
def chunk_eval(X: NDArray, y01: NDArray, sw: NDArray, theta: NDArray, kind: str,
               settings: dict, v: NDArray | None = None) -> tuple:
    """One chunk's share (×rows, so shares add up) of what ``kind`` asks for, by Objective."""
    m_c = X.shape[0]
    if m_c == 0:
        return None
    obj = Objective(Design(X, settings["offset"], settings["scale"]), y01, sw, lam=0.0,
                    fit_intercept=settings["fit_intercept"], loss=settings["loss"])
    if kind == "fg":
        f, g = obj.smooth_value_grad(theta)
        return (f * m_c, g * m_c)
    if kind == "fgH":
        f, g, H = obj.newton_model(theta)
        return (f * m_c, g * m_c, H * m_c)
    if kind == "hessp":
        return (obj.hessp(theta, v) * m_c,)
    if kind == "curv":  # Σd, Σ dᵢ·x̃ᵢⱼ² (the Hessian's diagonal) and Σ dᵢ·x̃ᵢⱼ (its intercept column)
        d = obj.curvature_weights(theta)
        first, second = obj.design.column_moments(d)
        return (np.array([d.sum() * m_c]), second * m_c, first * m_c)
    if kind == "sep":
        return (np.array([0.0 if obj.separates(theta) else 1.0]),)
    raise ValueError(f"unknown chunk evaluation {kind!r}")


def add_shares(a: tuple | None, b: tuple | None) -> tuple | None:
    """Sum two per-chunk results (None = an empty chunk)."""
    if a is None:
        return b
    if b is None:
        return a
    return tuple(x + y for x, y in zip(a, b, strict=True))


class LinearScores:
    """z = X̃·c_w + c_b for a θ-shaped c, never materialized (linear in c, like the scores)."""

    __array_ufunc__ = None  # ndarray ⊕ LinearScores defers to the methods below

    def __init__(self, coef: NDArray) -> None:
        self.coef = np.asarray(coef, dtype=np.float64)

    def __add__(self, other: Any) -> LinearScores:
        if isinstance(other, LinearScores):
            return LinearScores(self.coef + other.coef)
        if np.isscalar(other) and other == 0:
            return self
        return NotImplemented

    __radd__ = __add__

    def __sub__(self, other: Any) -> LinearScores:
        return self + (-1.0) * other

    def __mul__(self, t: Any) -> LinearScores:
        if np.isscalar(t):
            return LinearScores(float(t) * self.coef)
        return NotImplemented

    __rmul__ = __mul__

    def __neg__(self) -> LinearScores:
        return LinearScores(-self.coef)


class _Curvature:
    """The curvature weights d(θ) as a handle: only their sum and products are ever needed."""

    def __init__(self, objective: ChunkedObjective, theta: NDArray) -> None:
        self.objective, self.theta = objective, np.array(theta, dtype=np.float64, copy=True)

    def sum(self, dtype: Any = None) -> float:
        return self.objective._curvature(self.theta)[0]


class ChunkedDesign:
    """What solvers read from ``objective.design``: pass count, sparsity, weighted norms."""

    is_sparse = False

    def __init__(self, objective: ChunkedObjective, n_samples: int, n_features: int) -> None:
        self._objective = objective
        self.n_samples, self.n_features = n_samples, n_features
        self.n_passes = 0.0  # full reads of the data

    def column_sq_norms(self, d: _Curvature) -> NDArray:
        """Σᵢ dᵢ·x̃ᵢⱼ² per column (one pass, shared with Σd)."""
        return self._objective._curvature(d.theta)[1]

    def column_moments(self, d: _Curvature) -> tuple[NDArray, NDArray]:
        """(Σᵢ dᵢ·x̃ᵢⱼ, Σᵢ dᵢ·x̃ᵢⱼ²) per column, from the same pass."""
        _, second, first = self._objective._curvature(d.theta)
        return first, second


class ChunkedObjective:
    """J of :class:`~logitlab.objective.Objective` over data read in chunks from ``source``.

    ``source.map_reduce(kind, theta, settings, v)`` runs :func:`chunk_eval` on every chunk and
    returns the summed shares; ``source`` also knows m, p and the weighted base rate.
    """

    split = Objective.split
    join = Objective.join
    kkt_violation = Objective.kkt_violation
    kkt_residual = Objective.kkt_residual
    formula = Objective.formula
    describe = Objective.describe
    _require_log_loss = Objective._require_log_loss

    def __init__(self, source: Any, lam: float = 0.0, l1_ratio: float = 0.0,
                 fit_intercept: bool = True, loss: str = "log",
                 offset: NDArray | None = None, scale: NDArray | None = None) -> None:
        self.source = source
        self.penalty = ElasticNet(float(lam), float(l1_ratio), source.n_samples)
        self.fit_intercept = bool(fit_intercept)
        self.loss = loss
        self.design = ChunkedDesign(self, source.n_samples, source.n_features)
        self.settings = {"offset": offset, "scale": scale, "fit_intercept": self.fit_intercept,
                         "loss": loss}
        self._fg: tuple[NDArray, float, NDArray] | None = None
        self._curv: tuple[NDArray, tuple[float, NDArray]] | None = None

    # -- shape ---------------------------------------------------------------------------
    n_samples = property(lambda self: self.source.n_samples)
    n_features = property(lambda self: self.source.n_features)
    n_params = property(lambda self: self.n_features + int(self.fit_intercept))
    lam = property(lambda self: self.penalty.lam)
    l1_ratio = property(lambda self: self.penalty.l1_ratio)

    def initial_theta(self) -> NDArray:
        """w = 0, b = log-odds of the weighted base rate (as Objective.initial_theta)."""
        theta = np.zeros(self.n_params)
        if self.fit_intercept and self.loss == "log":
            rate = min(max(self.source.weighted_rate, 1e-12), 1 - 1e-12)
            theta[-1] = np.log(rate / (1 - rate))
        return theta

    # -- passes --------------------------------------------------------------------------
    def _pass(self, kind: str, theta: NDArray, v: NDArray | None = None) -> tuple:
        out = self.source.map_reduce(kind, np.asarray(theta, dtype=np.float64), self.settings, v)
        self.design.n_passes += 1.0
        if out is None:
            raise ValueError("the data source yielded no rows.")
        return out

    def _data_fg(self, theta: NDArray) -> tuple[float, NDArray]:
        """Σ-of-chunks (mean data loss, its gradient) at θ; one pass, cached for the last θ."""
        theta = np.asarray(theta, dtype=np.float64)
        if self._fg is not None and np.array_equal(self._fg[0], theta):
            return self._fg[1], self._fg[2]
        f, g = self._pass("fg", theta)
        m = self.n_samples
        self._fg = (theta.copy(), float(f) / m, g / m)
        return self._fg[1], self._fg[2]

    def _curvature(self, theta: NDArray) -> tuple[float, NDArray, NDArray]:
        if self._curv is None or not np.array_equal(self._curv[0], theta):
            self._require_log_loss("the Hessian")
            s, sq, first = self._pass("curv", theta)
            m = self.n_samples
            self._curv = (np.array(theta, copy=True), (float(s[0]) / m, sq / m, first / m))
        return self._curv[1]

    def _add_l2(self, theta: NDArray, g: NDArray) -> NDArray:
        w, _ = self.split(theta)
        g = g.copy()
        g[: self.n_features] += self.penalty.l2 * w
        return g

    # -- evaluations (the Objective interface) ---------------------------------------------
    def data_loss(self, theta: NDArray) -> float:
        """(1/m)·Σ sᵢ·ℓ(yᵢ, zᵢ) over every chunk."""
        return self._data_fg(theta)[0]

    def value(self, theta: NDArray) -> float:
        """J(θ), penalty included."""
        w, _ = self.split(theta)
        return self.data_loss(theta) + self.penalty.value(w)

    def parts(self, theta: NDArray):
        """J(θ) as data loss + penalty."""
        from .objective import ObjectiveParts

        w, _ = self.split(theta)
        return ObjectiveParts(self.data_loss(theta), self.penalty.value(w))

    def smooth_value(self, theta: NDArray) -> float:
        """Data loss + the L2 part of the penalty."""
        w, _ = self.split(theta)
        return self.data_loss(theta) + self.penalty.smooth_value(w)

    def smooth_value_grad(self, theta: NDArray) -> tuple[float, NDArray]:
        """Value and gradient of the smooth part, in one pass."""
        f, g = self._data_fg(theta)
        w, _ = self.split(theta)
        return f + self.penalty.smooth_value(w), self._add_l2(theta, g)

    def gradient(self, theta: NDArray) -> NDArray:
        """∇ of the smooth part of J."""
        return self.smooth_value_grad(theta)[1]

    def newton_model(self, theta: NDArray, stride: int = 1, single: bool = False,
                     value: bool = True) -> tuple[float, NDArray, NDArray]:
        """(f, ∇f, H) of the smooth part in one pass; always the exact, full Hessian."""
        self._require_log_loss("the Hessian")
        theta = np.asarray(theta, dtype=np.float64)
        f, g, H = self._pass("fgH", theta)
        m = self.n_samples
        f, g, H = float(f) / m, g / m, H / m
        self._fg = (theta.copy(), f, g)
        w, _ = self.split(theta)
        p = self.n_features
        H[np.arange(p), np.arange(p)] += self.penalty.l2
        return f + self.penalty.smooth_value(w), self._add_l2(theta, g), H

    def hessian(self, theta: NDArray) -> NDArray:
        """The Hessian of the smooth part, intercept last (one pass)."""
        return self.newton_model(theta)[2]

    def hessp(self, theta: NDArray, v: NDArray) -> NDArray:
        """H(θ)·v in one pass, never forming H."""
        v = np.asarray(v, dtype=np.float64)
        (hv,) = self._pass("hessp", theta, v)
        hv = hv / self.n_samples
        vw, _ = self.split(v)
        hv[: self.n_features] += self.penalty.l2 * vw
        return hv

    def curvature_weights(self, theta: NDArray, single: bool = False) -> _Curvature:
        """A handle on d(θ): its sum and weighted column norms cost one pass when asked."""
        self._require_log_loss("the Hessian")
        return _Curvature(self, theta)

    def hessp_into(self, theta: NDArray, v: NDArray, d: Any = None, out: NDArray | None = None) -> NDArray:
        """H·v (into ``out`` when given), as the in-memory Objective's."""
        hv = self.hessp(theta, v)
        if out is None:
            return hv
        out[:] = hv
        return out

    def scores_work(self) -> None:
        """No work vector: scores are never held."""
        return None

    def release_work(self) -> None:
        """Nothing to release (no work vector)."""

    # scores are symbolic: a line search evaluates J at θ itself (one pass per trial)
    def scores(self, theta: NDArray) -> LinearScores:
        """The scores at θ, as a handle."""
        return LinearScores(theta)

    def direction_scores(self, v: NDArray, out: Any = None) -> LinearScores:
        """The scores of a direction, as a handle."""
        return LinearScores(v)

    def set_scores(self, theta: NDArray, z: Any) -> None:
        """Nothing to cache: scores are never held."""

    def step_scores(self, theta: NDArray, z: Any, u: Any, t: float) -> LinearScores:
        """The accepted trial point's scores, as a handle."""
        return LinearScores(theta)

    def value_from_scores(self, theta: NDArray, z: Any, smooth: bool = False) -> float:
        """J (or its smooth part) at θ: one pass."""
        return self.smooth_value(theta) if smooth else self.value(theta)

    def value_along(self, theta: NDArray, z: Any, u: Any, t: float, smooth: bool = False) -> float:
        """J (or its smooth part) at the trial point θ: one pass."""
        return self.value_from_scores(theta, z, smooth)

    def slope_along(self, theta: NDArray, z: Any, u: Any, t: float, direction: NDArray) -> float:
        """d/dt of the smooth part at the trial point θ along ``direction``: ∇f·d."""
        return self.slope_from_scores(theta, z, direction, u)

    def slope_from_scores(self, theta: NDArray, z: Any, direction: NDArray, u: Any) -> float:
        """d/dt of the smooth part along ``direction``: ∇f·d (same pass as the value)."""
        return float(np.dot(self.gradient(theta), direction))

    def separates(self, theta: NDArray) -> bool:
        """True when θ classifies every weighted example strictly correctly (one pass)."""
        (bad,) = self._pass("sep", theta)
        return bool(bad[0] == 0)


# -- file sources -----------------------------------------------------------------------
def is_large_input(X: Any) -> bool:
    """True for inputs that fit() hands to the out-of-core or Dask paths."""
    if isinstance(X, (str, os.PathLike, FileSource)):
        return True
    mod = type(X).__module__
    return mod.startswith("dask") or hasattr(X, "map_reduce")


def iter_batches(dataset: Any, format: str, cols: list[str], batch_rows: int,
                 types: dict | None = None) -> Iterator[Any]:
    """Record batches of ``cols`` from a pyarrow dataset, file after file, pulled one at a time.

    Not ``Dataset.to_batches``: its scanner decodes ahead of a slow consumer until its
    back-pressure limit (~1 GiB), so memory would follow the data, not the chunk size. CSV
    columns get ``types`` (default: the dataset's schema), so no block re-infers them.
    """
    files = list(getattr(dataset, "files", None) or [])
    if format == "parquet":
        import pyarrow.parquet as pq

        for f in files:
            with pq.ParquetFile(f, pre_buffer=False) as pf:
                yield from pf.iter_batches(batch_size=batch_rows, columns=cols, use_threads=False)
        return
    import pyarrow.csv as pacsv

    types = types or {c: dataset.schema.field(c).type for c in cols}
    for f in files:
        reader = pacsv.open_csv(
            f, read_options=pacsv.ReadOptions(block_size=max(1 << 20, 64 * batch_rows)),
            convert_options=pacsv.ConvertOptions(include_columns=cols, column_types=types))
        for big in reader:
            for at in range(0, big.num_rows, batch_rows):
                yield big.slice(at, batch_rows)


def detect_format(path: str | os.PathLike) -> str:
    """"csv" for a .csv file or a directory of them, else "parquet"."""
    first = str(path)
    if os.path.isdir(first):
        names = [n for n in sorted(os.listdir(first)) if not n.startswith((".", "_"))]
        return "csv" if names and all(n.endswith((".csv", ".csv.gz")) for n in names) else "parquet"
    return "csv" if first.endswith((".csv", ".csv.gz")) else "parquet"


class FileSource:
    """Parquet files (a file or a directory) or CSV, streamed in chunks with pyarrow datasets.

    ``target`` names the label column, ``weight`` an optional sample-weight column; features
    are the remaining columns (or ``features``). ``checkpoint`` is a file where θ and J's
    history are written atomically after every iteration: a fit interrupted by a crash or a
    kill resumes from its last completed iteration when run again with the same file.

    ``labels = (negative, positive)`` maps the label column to 0/1 (other values are an error);
    ``rows = (lo, hi)`` keeps only the rows whose :func:`row_uniform` (``seed``) lies in
    [lo, hi): a seeded train / held-out split that never reads the data into memory.
    """

    def __init__(self, path: str | os.PathLike | Sequence[str], target: str,
                 features: Sequence[str] | None = None, weight: str | None = None,
                 format: str | None = None, batch_rows: int = 65_536,
                 checkpoint: str | os.PathLike | None = None, progress: bool = False,
                 labels: Sequence[Any] | None = None, rows: tuple[float, float] | None = None,
                 seed: int = 0) -> None:
        import pyarrow as pa
        import pyarrow.dataset as ds

        self.path = path
        if format is None:
            format = detect_format(path[0] if isinstance(path, (list, tuple)) else path)
        self.format = format
        src = [str(p) for p in path] if isinstance(path, (list, tuple)) else str(path)
        self.dataset = ds.dataset(src, format=format)
        names = self.dataset.schema.names
        for col in [target] + ([weight] if weight else []):
            if col not in names:
                raise ValueError(f"column {col!r} is not in {path!s} (columns: {names}).")
        self.target, self.weight = target, weight
        self.features = list(features) if features is not None else [
            c for c in names if c not in (target, weight)]
        if not self.features:
            raise ValueError(f"{path!s} has no feature columns besides {target!r}.")
        for c in self.features + ([weight] if weight else []):
            if c not in names:
                raise ValueError(f"column {c!r} is not in {path!s} (columns: {names}).")
            t = self.dataset.schema.field(c).type
            if not (pa.types.is_integer(t) or pa.types.is_floating(t) or pa.types.is_boolean(t)
                    or pa.types.is_null(t)):
                raise ValueError(f"column {c!r} is {t}, not numeric: out-of-core training reads "
                                 "numeric feature columns only; encode it as numbers or leave it out.")
        if int(batch_rows) < 1:
            raise ValueError(f"batch_rows must be ≥ 1; got {batch_rows}.")
        self.batch_rows = int(batch_rows)
        self.labels = None if labels is None else tuple(labels)
        self.rows = None if rows is None else (float(rows[0]), float(rows[1]))
        self.seed = int(seed)
        self.checkpoint = None if checkpoint is None else Path(checkpoint)
        self.progress = progress
        self.classes: NDArray | None = None
        self.class_factor: NDArray | None = None
        self.n_features = len(self.features)

    def _read(self) -> Iterator[tuple[NDArray, NDArray, NDArray, int]]:
        """(X, y, sample weights, index of the chunk's first row) per chunk, every row."""
        cols = self.features + [self.target] + ([self.weight] if self.weight else [])
        start = 0
        for batch in self.batches(cols):
            if batch.num_rows == 0:
                continue
            X = np.empty((batch.num_rows, len(self.features)))
            for j, c in enumerate(self.features):
                X[:, j] = batch.column(c).to_numpy(zero_copy_only=False)
            y = batch.column(self.target).to_numpy(zero_copy_only=False)
            sw = (batch.column(self.weight).to_numpy(zero_copy_only=False).astype(np.float64)
                  if self.weight else np.ones(batch.num_rows))
            if self.labels is not None:
                y = map_labels(y, self.labels)
            yield X, y, sw, start
            start += batch.num_rows

    def batches(self, cols: list[str]) -> Iterator[Any]:
        """Record batches of ``cols``, file after file (see :func:`iter_batches`)."""
        import pyarrow as pa

        schema = self.dataset.schema
        types = {c: (schema.field(c).type if c == self.target else pa.float64()) for c in cols}
        return iter_batches(self.dataset, self.format, cols, self.batch_rows, types)

    def raw_chunks(self) -> Iterator[tuple[NDArray, NDArray, NDArray]]:
        """(X, y as stored or mapped by ``labels``, sample weights) per chunk of kept rows."""
        for X, y, sw, start in self._read():
            if self.rows is not None:
                keep = _row_mask(row_uniform(self.seed, start, X.shape[0]), self.rows)
                X, y, sw = X[keep], y[keep], sw[keep]
            if X.shape[0]:
                yield X, y, sw

    def map_chunks(self, fn: Callable[..., Any], *args: Any) -> list:
        """[fn(X, y, s, u, first_row, *args)] over every chunk, all rows (u: the row uniforms)."""
        return [fn(X, y, sw, row_uniform(self.seed, start, X.shape[0]), start, *args)
                for X, y, sw, start in self._read()]

    def chunks(self) -> Iterator[tuple[NDArray, NDArray, NDArray]]:
        """(X, y01, s) per chunk, labels mapped to 0/1 and class weights applied."""
        for X, y, sw in self.raw_chunks():
            y01 = (y == self.classes[1]).astype(np.float64)
            if self.class_factor is not None:
                sw = sw * self.class_factor[y01.astype(int)]
            yield X, y01, sw

    def scan(self) -> dict:
        """One pass for m, the classes, the weighted class totals and column mean/std."""
        m, s1, s2 = 0, None, None
        totals: dict = {}
        for X, y, sw in self.raw_chunks():
            if np.any(sw < 0):
                raise ValueError(NEGATIVE_WEIGHTS)
            _check_finite(X, self.features, m)
            m += X.shape[0]
            s1 = X.sum(axis=0) if s1 is None else s1 + X.sum(axis=0)
            s2 = (X * X).sum(axis=0) if s2 is None else s2 + (X * X).sum(axis=0)
            for c in np.unique(y):
                key = c.item() if hasattr(c, "item") else c
                totals[key] = totals.get(key, 0.0) + float(sw[y == c].sum())
        return {"m": m, "sum": s1, "sumsq": s2, "totals": totals}

    def map_reduce(self, kind: str, theta: NDArray, settings: dict, v: NDArray | None = None):
        """Sum of :func:`chunk_eval` over every chunk: one pass, with a progress bar if asked."""
        out = None
        bar = _progress(self.progress, self.n_samples, kind)
        for X, y01, sw in self.chunks():
            out = add_shares(out, chunk_eval(X, y01, sw, theta, kind, settings, v))
            bar(X.shape[0])
        bar(None)
        return out

    def fingerprint(self) -> str:
        """Files, sizes and modification times: a checkpoint only resumes on the same data."""
        files = sorted(getattr(self.dataset, "files", []) or [])
        info = [(f, os.path.getsize(f), os.path.getmtime(f)) for f in files if os.path.exists(f)]
        return hashlib.sha256(json.dumps([info, self.features, self.target, self.weight,
                                          repr(self.labels), self.rows, self.seed]).encode()
                              ).hexdigest()


def _check_finite(X: NDArray, names: Sequence[str] | None, first_row: int) -> None:
    """A clear error for missing (NaN/null) or infinite feature values."""
    bad = ~np.isfinite(X)
    if np.any(bad):
        i, j = np.argwhere(bad)[0]
        name = repr(names[j]) if names is not None else f"{j}"
        raise ValueError(f"feature column {name} has missing or infinite values (first at kept row "
                         f"{first_row + i + 1}); fill or drop those rows before training.")


def _progress(enabled: bool, total: int, kind: str) -> Callable[[int | None], None]:
    """A rich progress bar for one pass (rows read), or a no-op."""
    if not enabled:
        return lambda n: None
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    what = {"fg": "J and gradient", "fgH": "J, gradient and Hessian", "hessp": "Hessian·vector",
            "curv": "curvature", "sep": "separation check"}.get(kind, kind)
    console = Console(stderr=True)
    if not console.is_terminal:  # a log file gets no bars (the CLI prints one line per iteration)
        return lambda n: None
    prog = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                    TextColumn("rows"), TimeElapsedColumn(), TimeRemainingColumn(),
                    console=console, transient=True)
    prog.start()
    task = prog.add_task(f"pass over the data ({what})", total=total)

    def advance(n: int | None) -> None:
        if n is None:
            prog.stop()
        else:
            prog.advance(task, n)

    return advance


# -- checkpoints --------------------------------------------------------------------------
def _save_checkpoint(path: Path, key: str, theta: NDArray, history: list[float],
                     n_iter: int, n_passes: float) -> None:
    """θ, J's history and the counters, written to a temp file and renamed (atomic)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    with os.fdopen(fd, "wb") as fh:
        np.savez(fh, key=np.array(key), theta=theta, history=np.asarray(history),
                 n_iter=np.array(n_iter), n_passes=np.array(n_passes))
    os.replace(tmp, path)


def _load_checkpoint(path: Path | None, key: str) -> dict | None:
    if path is None or not path.exists():
        return None
    with np.load(path) as z:
        if str(z["key"]) != key:
            raise ValueError(
                f"checkpoint {path} belongs to another fit (different data or settings); "
                "delete it or choose another checkpoint file.")
        return {k: z[k] for k in ("theta", "history", "n_iter", "n_passes")}


# -- the estimator's entry point ----------------------------------------------------------
def _prepare_source(X: Any, y: Any, sample_weight: Any) -> Any:
    if isinstance(X, (str, os.PathLike)):
        if not isinstance(y, str):
            raise ValueError("fit(path, y): y must name the label column in the file(s).")
        return FileSource(X, target=y, weight=sample_weight if isinstance(sample_weight, str) else None)
    if isinstance(X, FileSource):
        return X
    if hasattr(X, "map_reduce") and hasattr(X, "scan"):
        return X
    from .distributed import DaskSource  # Dask collections

    return DaskSource(X, y, sample_weight)


def fit_chunked(est: Any, X: Any, y: Any = None, sample_weight: Any = None, *,
                callback: Callable | None = None) -> Any:
    """``LogisticRegression.fit`` on a file path, a :class:`FileSource` or a Dask collection."""
    from .estimator import binary_labels
    from .solvers import SOLVERS, choose_solver

    est._check_params()
    if est.firth:
        raise ValueError("firth=True is in-memory only.")
    source = _prepare_source(X, y, sample_weight)
    stats = source.scan()
    m = stats["m"]
    if m == 0:
        raise ValueError("X has no examples; fit needs at least one row of each class.")
    labels = np.array(sorted(stats["totals"]))
    classes, _ = binary_labels(labels)
    source.classes = classes
    source.n_samples = m
    totals = np.array([stats["totals"][c.item() if hasattr(c, "item") else c] for c in classes])
    if est.class_weight is not None:
        if est.class_weight == "balanced":
            source.class_factor = totals.sum() / (2.0 * totals)
        elif isinstance(est.class_weight, dict):
            source.class_factor = np.array([float(est.class_weight.get(c, 1.0)) for c in classes])
        else:
            raise ValueError(f"class_weight must be None, 'balanced' or a dict; got {est.class_weight!r}.")
    factor = np.ones(2) if source.class_factor is None else source.class_factor
    weighted = totals * factor
    if not weighted.sum() > 0:
        raise ValueError(NO_POSITIVE_WEIGHT)
    source.weighted_rate = float(weighted[1] / weighted.sum())
    offset = scale = None
    if est.standardize:
        mean = stats["sum"] / m
        std = np.sqrt(np.maximum(stats["sumsq"] / m - mean**2, 0.0))
        scale = np.where(std > 0, std, 1.0)
        offset = mean if est.fit_intercept else None
    obj = ChunkedObjective(source, est.lam, est.l1_ratio, est.fit_intercept, offset=offset,
                           scale=scale)
    solver = est.solver
    if solver == "auto":
        solver = choose_solver(obj.n_params, False, obj.penalty.l1 > 0)
    fn, handles_l1, default_max_iter = SOLVERS[solver]
    if obj.penalty.l1 > 0 and not handles_l1:
        raise ValueError(f"solver {solver!r} cannot handle an L1 part; use 'cd', 'gd' or 'auto'.")
    kwargs: dict[str, Any] = {}
    if solver == "gd":
        if est.batch_size is not None:
            raise ValueError("mini-batch gd (batch_size) is in-memory only; out of core "
                             "use full-batch gd or a Newton/L-BFGS solver.")
        kwargs["learning_rate"] = float(est.learning_rate)
    max_iter = default_max_iter if est.max_iter is None else int(est.max_iter)
    theta0 = est._start(obj, offset, scale)

    ckpt = getattr(source, "checkpoint", None)
    key = ""
    prior: dict | None = None
    if ckpt is not None:
        key = hashlib.sha256(json.dumps([source.fingerprint(), est.lam, est.l1_ratio, solver,
                                         est.fit_intercept, est.standardize, est.tol,
                                         str(est.class_weight)]).encode()).hexdigest()
        prior = _load_checkpoint(ckpt, key)
    done_iter, done_passes, done_hist = 0, 0.0, []
    if prior is not None:
        theta0 = prior["theta"]
        done_iter, done_passes = int(prior["n_iter"]), float(prior["n_passes"])
        done_hist = [float(h) for h in prior["history"]]
        max_iter = max(1, max_iter - done_iter)

    def on_iteration(it: int, theta: NDArray, J: float):
        if ckpt is not None:
            hist = done_hist + [float(J)] if (it > 0 or not done_hist) else done_hist
            done_hist[:] = hist
            _save_checkpoint(ckpt, key, theta, hist, done_iter + it,
                             done_passes + obj.design.n_passes)
        return callback(done_iter + it, theta, J) if callback is not None else None

    result = fn(obj, theta0, tol=float(est.tol), max_iter=max_iter, callback=on_iteration, **kwargs)
    if prior is not None:
        result.history = done_hist if ckpt is not None else result.history
        result.n_iter += done_iter
        result.n_passes += done_passes
    est.n_features_in_ = obj.n_features
    if getattr(source, "features", None) is not None:
        est.feature_columns_ = list(source.features)
    est._store(result, obj, classes, offset, scale)
    est._fit_objective = None  # holds a data source, not data: nothing for summary()
    est._chunked_standardization = (offset, scale)  # what the penalty was applied on
    if result.status != "converged":
        _warn(est, result)
    return est


def _warn(est: Any, result: Any) -> None:
    import warnings

    from .exceptions import ConvergenceWarning, DivergenceWarning, SeparationWarning

    if result.status == "separated":
        warnings.warn("The classes are perfectly separable: with lam=0 the weights grow without "
                      "bound. Add a penalty, e.g. lam=1.", SeparationWarning, stacklevel=3)
    elif result.status == "diverged":
        warnings.warn(f"Gradient descent diverged: {result.message}", DivergenceWarning, stacklevel=3)
    elif result.status in ("max_iter", "stopped"):
        warnings.warn(f"Solver {result.solver!r} did not converge in {result.n_iter} iterations "
                      f"(KKT residual {result.kkt_residual:.3g}); increase max_iter.",
                      ConvergenceWarning, stacklevel=3)
