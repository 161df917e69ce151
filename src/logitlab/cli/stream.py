"""``logitlab train`` past memory: streamed from Parquet/CSV, or on a running Dask cluster.

Chosen by :func:`streaming_mode`: ``--dask-scheduler ADDRESS`` trains on that cluster,
``--out-of-core`` (or a file larger than ``--stream-above`` GiB) streams the file(s), or a
directory of them, in chunks on this machine. The fit itself is exact on every training row (the
scaling ring's chunk-summed objective); nothing ever holds the data:

* the train / held-out split is a seeded hash of each row's position (``row_uniform``),
  computed inside every chunk, so it is the same streamed or on Dask (not stratified);
* metrics are computed after the fit in one more pass, on a seeded random sample of at most
  ``--metrics-sample`` rows per part (all of the part when it is smaller: then exact);
* the report's figures use a seeded sample of at most 10,000 rows per part, and say so.

Feature columns must be numeric here (text columns are one-hot encoded only in memory).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING

from .console import out
from .errors import one_line
from .outputs import check_output_file
from .stream_fit import StreamRun, train_and_write
from .stream_read import (
    StreamUsageError,
    check_checkpoint,
    dask_frame,
    feature_columns,
    label_values,
    open_local,
    stream_labels,
    validate_rows,
)

if TYPE_CHECKING:
    from .train_options import TrainOptions

__all__ = ["data_size", "streaming_mode", "train_streamed"]


def data_size(path: Path) -> int:
    """Bytes on disk of a file, or of every file under a directory."""
    if path.is_dir():
        return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())
    return path.stat().st_size


def streaming_mode(data: Path | None, out_of_core: bool | None, stream_above: float,
                   dask_scheduler: str | None) -> tuple[str, str]:
    """("memory" | "out-of-core" | "dask", why): how ``logitlab train`` reads DATA."""
    if dask_scheduler:
        return "dask", f"on the Dask cluster at {dask_scheduler}"
    if out_of_core is False or data is None:
        return "memory", ""
    if out_of_core:
        return "out-of-core", "--out-of-core"
    if not data.exists():
        return "memory", ""  # read_table reports the missing file
    if data.is_dir():  # streamed only when asked: a directory may hold anything
        raise StreamUsageError(f"{data} is a directory; give a CSV or Parquet file, or add "
                               "--out-of-core to stream every Parquet/CSV file in it.")
    if stream_above < 0:
        raise StreamUsageError(f"--stream-above must be ≥ 0 GiB; got {stream_above:g}.")
    size = data_size(data)
    if size > stream_above * 2**30:
        return "out-of-core", f"DATA is {size / 2**30:.2f} GiB > --stream-above {stream_above:g} GiB"
    return "memory", ""


def check_stream_options(opts: TrainOptions, lam_value: float | None, mode: str) -> None:
    """The options that do not apply past memory, refused before anything is read."""
    if opts.data is None or opts.dataset is not None:
        raise StreamUsageError(f"training {mode} needs a DATA file or directory (not --dataset).")
    if opts.target is None:
        raise StreamUsageError("--target is required with a data file: name the column to predict.")
    if lam_value is None:
        raise StreamUsageError(f"--lam auto (cross-validation) is in-memory only; give a number to train {mode}.")
    if opts.summary:
        raise StreamUsageError(f"--summary (standard errors) is in-memory only; leave it out to train {mode}.")
    if not 0 <= opts.test_size < 1:
        raise StreamUsageError(f"--test-size must be in [0, 1) (0 = no held-out part); got {opts.test_size:g}.")
    if opts.metrics_sample < 1:
        raise StreamUsageError(f"--metrics-sample must be ≥ 1; got {opts.metrics_sample}.")
    if opts.checkpoint is not None and mode == "dask":
        raise StreamUsageError("--checkpoint resumes out-of-core fits; on Dask a lost worker's "
                               "partitions are recomputed by the cluster instead.")
    if opts.checkpoint is not None:
        check_output_file(opts.checkpoint, "--checkpoint", "fit.ckpt.npz")


def train_streamed(opts: TrainOptions, lam_value: float | None, mode: str, why: str) -> None:
    """Train out of core or on Dask and write model.json (and report.html) as the in-memory path does."""
    check_stream_options(opts, lam_value, mode)
    t0 = time.perf_counter()
    params = opts.estimator_params(lam_value if lam_value is not None else 1.0)
    if mode == "dask":
        train_on_dask(opts, params, t0)
    else:
        train_out_of_core(opts, params, why, t0)


def train_on_dask(opts: TrainOptions, params: dict, t0: float) -> None:
    """Connect to the cluster, read the labels there, fit and write."""
    from .scaling import DaskSource, connect

    data, target = opts.data, opts.target
    rows_train = None if opts.test_size == 0 else (opts.test_size, 1.0)
    try:
        client = connect(opts.dask_scheduler, timeout="10s")
    except OSError as exc:
        raise StreamUsageError(f"cannot reach the Dask scheduler at {opts.dask_scheduler} "
                               f"({one_line(exc)[:160]}); start one with "
                               "`dask scheduler` and `dask worker ADDRESS`.") from None
    try:
        frame = dask_frame(data)
        features = feature_columns([str(c) for c in frame.columns], target, opts.drop)
        frame = frame[features + [target]]
        col = frame[target]
        values, nulls = client.compute([col.dropna().unique(), col.isna().sum()], sync=True)
        labels, raw = stream_labels(list(values), int(nulls), target, opts.positive)
        source = DaskSource(frame, target, labels=raw, rows=rows_train, seed=opts.seed)
        validate_rows(source, features, opts.test_size)
        n_workers = len(client.scheduler_info().get("workers", {}))
        if not opts.quiet:
            out.print(f"training on the Dask cluster at {opts.dask_scheduler} ({n_workers} workers, "
                      f"{source.n_partitions} partitions of {data})")
        train_and_write(source, StreamRun(opts, params, labels, features, "dask", t0))
    finally:
        client.close()


def train_out_of_core(opts: TrainOptions, params: dict, why: str, t0: float) -> None:
    """Open the file(s), read the labels in one column pass, fit chunk by chunk and write."""
    from .scaling import FileSource

    data, target = opts.data, opts.target
    rows_train = None if opts.test_size == 0 else (opts.test_size, 1.0)
    dset = open_local(data)
    features = feature_columns(list(dset.schema.names), target, opts.drop)
    if opts.checkpoint is not None:
        check_checkpoint(opts.checkpoint, len(features) + 1)
    try:
        source = FileSource(data, target, features=features, batch_rows=opts.batch_rows,
                            checkpoint=opts.checkpoint, progress=not opts.quiet, rows=rows_train, seed=opts.seed)
    except ValueError as exc:
        raise StreamUsageError(one_line(exc)) from None
    values, nulls = label_values(source, target)
    labels, raw = stream_labels(values, nulls, target, opts.positive)
    source.labels = raw
    validate_rows(source, features, opts.test_size)
    if not opts.quiet:
        out.print(f"streaming {data} in chunks of {opts.batch_rows:,} rows ({why})")
    train_and_write(source, StreamRun(opts, params, labels, features, "out-of-core", t0))
