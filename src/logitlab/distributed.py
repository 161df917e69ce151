"""Dask: fit on Dask arrays and DataFrames with the in-memory solvers, predict lazily.

Every evaluation of J (value, gradient, Hessian, Hessian-vector product) maps
:func:`logitlab.outofcore.chunk_eval` — the core :class:`~logitlab.objective.Objective` on one
block — over the partitions where they live, and sums the small per-block results (p or
(p+1)² floats) on the client: the data are never gathered. Whatever scheduler is active is
used: a ``distributed.Client`` (``connect(address)`` or your own), else Dask's local threads.

A worker lost mid-fit is handled by Dask: its partitions are recomputed from the graph on
the remaining workers and the pass is re-run, so the model is the same. When Dask gives up
(``KilledWorker``: the same task killed workers too often, or no worker is left) the fit
stops with a :class:`DaskFitError` naming the pass, and no model is stored.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from .estimator import NEGATIVE_WEIGHTS
from .outofcore import _check_finite, _row_mask, add_shares, chunk_eval, map_labels, row_uniform

__all__ = ["DaskSource", "DaskFitError", "connect", "predict_proba"]


class DaskFitError(RuntimeError):
    """A pass over the Dask partitions failed: the fit stopped and stored no model."""


def connect(address: str | None = None, **kwargs: Any):
    """A ``distributed.Client`` on a running scheduler (``tcp://host:8786``), used by fit."""
    from distributed import Client

    return Client(address, **kwargs)


def _labels_to01(y: NDArray, classes: NDArray) -> NDArray:
    return (np.asarray(y).ravel() == classes[1]).astype(np.float64)


def _block_arrays(xb: Any, yb: Any, swb: Any, features: list | None, target: str | None,
                  weight: str | None):
    """(X, y, s) of one partition: a NumPy block triple or a pandas frame."""
    if features is not None:  # pandas partition
        X = xb[features].to_numpy(dtype=np.float64)
        y = (xb[target] if target is not None else yb).to_numpy()
        if weight is not None:
            sw = xb[weight].to_numpy(dtype=np.float64)
        elif swb is not None:
            sw = np.asarray(swb, dtype=np.float64).ravel()
        else:
            sw = np.ones(X.shape[0])
        return X, y, sw
    X = np.asarray(xb)
    y = np.asarray(yb).ravel()
    sw = np.ones(X.shape[0]) if swb is None else np.asarray(swb, dtype=np.float64).ravel()
    return X, y, sw


def _block_kept(xb: Any, yb: Any, swb: Any, layout: tuple, prep: tuple):
    """(X, y, s) of one partition: labels mapped, only the rows of the split kept."""
    X, y, sw = _block_arrays(xb, yb, swb, *layout)
    labels, rows, seed, start = prep
    if labels is not None:
        y = map_labels(y, labels)
    if rows is not None:
        keep = _row_mask(row_uniform(seed, start, X.shape[0]), rows)
        X, y, sw = X[keep], y[keep], sw[keep]
    return X, y, sw


def _block_all(xb: Any, yb: Any, swb: Any, layout: tuple, prep: tuple, fn: Any, args: tuple):
    """fn(X, y, s, u, first_row, *args) on every row of one partition (see map_chunks)."""
    X, y, sw = _block_arrays(xb, yb, swb, *layout)
    labels, _, seed, start = prep
    if labels is not None:
        y = map_labels(y, labels)
    return fn(X, y, sw, row_uniform(seed, start, X.shape[0]), start, *args)


def _block_scan(xb, yb, swb, layout, prep) -> dict:
    X, y, sw = _block_kept(xb, yb, swb, layout, prep)
    _check_finite(X, layout[0], 0)
    totals: dict = {}
    for c in np.unique(y):
        key = c.item() if hasattr(c, "item") else c
        totals[key] = float(sw[y == c].sum())
    if np.any(sw < 0):
        raise ValueError(NEGATIVE_WEIGHTS)
    return {"m": X.shape[0], "sum": X.sum(axis=0), "sumsq": (X * X).sum(axis=0),
            "totals": totals, "p": X.shape[1]}


def _block_eval(xb, yb, swb, layout, prep, classes, class_factor, theta, kind, settings, v):
    X, y, sw = _block_kept(xb, yb, swb, layout, prep)
    y01 = _labels_to01(y, classes)
    if class_factor is not None:
        sw = sw * class_factor[y01.astype(int)]
    return chunk_eval(X, y01, sw, theta, kind, settings, v)


class DaskSource:
    """Blocks of a Dask array (rows × all columns) or partitions of a Dask DataFrame.

    ``labels`` / ``rows`` / ``seed`` as in :class:`~logitlab.outofcore.FileSource`: a label
    mapping to 0/1 and a seeded row split applied where the partitions live.
    """

    checkpoint = None

    def __init__(self, X: Any, y: Any = None, sample_weight: Any = None,
                 persist: bool = True, labels: Any = None,
                 rows: tuple[float, float] | None = None, seed: int = 0) -> None:
        import dask
        import dask.array as da

        self.classes: NDArray | None = None
        self.class_factor: NDArray | None = None
        if hasattr(X, "map_partitions"):  # Dask DataFrame
            target = y if isinstance(y, str) else None
            weight = sample_weight if isinstance(sample_weight, str) else None
            for col in (target, weight):
                if col is not None and col not in X.columns:
                    raise ValueError(f"column {col!r} is not in the Dask DataFrame "
                                     f"(columns: {list(X.columns)}).")
            self.features = [c for c in X.columns if c not in (target, weight)]
            for c in self.features:
                kind = X.dtypes[c].kind
                if kind not in "biuf":
                    raise ValueError(f"column {c!r} is {X.dtypes[c]}, not numeric: Dask training "
                                     "reads numeric feature columns only; encode or drop it.")
            self.layout = (self.features, target, weight)
            if persist:
                X = X.persist()
            self._keep = [X]  # persisted collections hold their futures: keep them alive
            self._x = X.to_delayed()
            self._y = ([None] * len(self._x) if target is not None
                       else _series_blocks(y, persist, self._keep))
            self._w = ([None] * len(self._x) if weight is not None or sample_weight is None
                       else _series_blocks(sample_weight, persist, self._keep))
        else:  # Dask array
            if X.ndim != 2:
                raise ValueError(f"X must be 2-D; got a Dask array of shape {X.shape}.")
            if y is None:
                raise ValueError("fit(dask_array, y): y must be a Dask (or NumPy) array of labels.")
            X = X.rechunk({1: -1})
            y = da.asarray(y).rechunk((X.chunks[0],))
            sw = None if sample_weight is None else da.asarray(sample_weight).rechunk((X.chunks[0],))
            if persist:
                X, y, sw = dask.persist(X, y, sw)
            self._keep = [X, y, sw]
            self.features = None
            self.layout = (None, None, None)
            self._x = list(X.to_delayed().ravel())
            self._y = list(y.to_delayed().ravel())
            self._w = [None] * len(self._x) if sw is None else list(sw.to_delayed().ravel())
        self.n_features = 0
        self.n_partitions = len(self._x)
        self.labels = None if labels is None else tuple(labels)
        self.rows = None if rows is None else (float(rows[0]), float(rows[1]))
        self.seed = int(seed)
        self._starts: list[int] | None = None
        if not hasattr(X, "map_partitions"):
            self._starts = [0, *np.cumsum(X.chunks[0])[:-1].tolist()]

    def _prep(self, exact: bool = False) -> list[tuple]:
        """Per partition: (labels, rows, seed, index of its first row)."""
        if self._starts is None and (exact or self.rows is not None):
            self._starts = self._row_starts()
        starts = self._starts if self._starts is not None else [0] * self.n_partitions
        return [(self.labels, self.rows, self.seed, int(s)) for s in starts]

    def _row_starts(self) -> list[int]:
        """Global index of each partition's first row (one cheap pass: partition lengths)."""
        from dask import delayed

        lengths = self._compute([delayed(len)(x) for x in self._x], "row count")
        return [0, *np.cumsum(lengths)[:-1].tolist()]

    def map_chunks(self, fn: Any, *args: Any) -> list:
        """[fn(X, y, s, u, first_row, *args)] over every partition, computed on the workers."""
        from dask import delayed

        prep = self._prep(exact=True)
        return self._compute([delayed(_block_all)(x, y, w, self.layout, pr, fn, args)
                              for x, y, w, pr in zip(self._x, self._y, self._w, prep, strict=True)],
                             "evaluation")

    def _compute(self, tasks: list, what: str) -> list:
        import dask

        try:
            return list(dask.compute(*tasks))
        except Exception as exc:
            name = type(exc).__name__
            if name in ("KilledWorker", "CommClosedError", "FutureCancelledError", "CancelledError"):
                raise DaskFitError(
                    f"the Dask cluster lost the {what} pass ({name}: {exc}); the fit stopped "
                    "and no model was stored. Check the workers' memory and logs, then refit "
                    "(a checkpointed fit resumes from its last iteration).") from exc
            raise

    def scan(self) -> dict:
        """One pass for m, p, the classes' weighted totals and the column sums."""
        from dask import delayed

        parts = self._compute([delayed(_block_scan)(x, y, w, self.layout, pr)
                               for x, y, w, pr in zip(self._x, self._y, self._w, self._prep(),
                                                      strict=True)], "scan")
        totals: dict = {}
        for part in parts:
            for k, v in part["totals"].items():
                totals[k] = totals.get(k, 0.0) + v
        self.n_features = parts[0]["p"]
        return {"m": sum(p["m"] for p in parts), "sum": sum(p["sum"] for p in parts),
                "sumsq": sum(p["sumsq"] for p in parts), "totals": totals}

    def map_reduce(self, kind: str, theta: NDArray, settings: dict, v: NDArray | None = None):
        """Per-partition shares computed where the data live, summed on the client."""
        from dask import delayed

        tasks = [delayed(_block_eval)(x, y, w, self.layout, pr, self.classes, self.class_factor,
                                      theta, kind, settings, v)
                 for x, y, w, pr in zip(self._x, self._y, self._w, self._prep(), strict=True)]
        out = None
        for part in self._compute(tasks, kind):
            out = add_shares(out, part)
        return out


def _series_blocks(s: Any, persist: bool, keep: list) -> list:
    s = s.persist() if persist else s
    keep.append(s)
    return list(s.to_delayed()) if hasattr(s, "to_delayed") else [s]


def _proba_block(X: NDArray, est: Any) -> NDArray:
    return est.predict_proba(np.asarray(X, dtype=np.float64))


def _proba_frame(df: Any, est: Any, features: list, columns: list):
    import pandas as pd

    return pd.DataFrame(est.predict_proba(df[features].to_numpy(dtype=np.float64)),
                        columns=columns, index=df.index)


def predict_proba(est: Any, X: Any) -> Any:
    """P(classes) per row as a lazy Dask array (n × 2) or DataFrame (one column per class)."""
    import copy

    local = copy.copy(est)  # shipped to the workers: coefficients only, no data
    local._fit_objective = None
    if hasattr(X, "map_partitions"):
        import pandas as pd

        features = getattr(est, "feature_columns_", None) or [
            c for c in X.columns][: est.n_features_in_]
        columns = [str(c) for c in est.classes_]
        meta = pd.DataFrame({c: pd.Series(dtype="float64") for c in columns})
        return X.map_partitions(_proba_frame, local, features, columns, meta=meta)
    X = X.rechunk({1: -1})
    return X.map_blocks(_proba_block, local, dtype=np.float64, chunks=(X.chunks[0], (2,)))
