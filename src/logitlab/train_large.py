"""``logitlab train`` past memory: streamed from Parquet/CSV, or on a running Dask cluster.

Chosen by :func:`streaming_mode`: ``--dask-scheduler ADDRESS`` trains on that cluster,
``--out-of-core`` (or a file larger than ``--stream-above`` GiB) streams the file(s), or a
directory of them, in chunks on this machine. The fit itself is exact on every training row (the
chunk-summed :class:`~logitlab.outofcore.ChunkedObjective`); nothing ever holds the data:

* the train / held-out split is a seeded hash of each row's position (:func:`row_uniform`),
  computed inside every chunk, so it is the same streamed or on Dask (not stratified);
* metrics are computed after the fit in one more pass, on a seeded random sample of at most
  ``--metrics-sample`` rows per part (all of the part when it is smaller: then exact);
* the report's figures use a seeded sample of at most 10,000 rows per part, and say so.

Feature columns must be numeric here (text columns are one-hot encoded only in memory).
"""

from __future__ import annotations

import os
import time
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from .data import DataError, Encoding, Labels, _json_value, fit_labels

__all__ = ["STREAM_ABOVE_GIB", "data_size", "streaming_mode", "train_streamed"]

#: default size (GiB on disk) above which ``logitlab train`` streams DATA instead of loading it
STREAM_ABOVE_GIB = 1.0
#: rows per part the report's figures use
REPORT_ROWS = 10_000


class StreamUsageError(DataError):
    """A bad option for streamed or Dask training (exit 2, one line)."""


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


# -- reading ---------------------------------------------------------------------------------
def _open_local(data: Path, target: str) -> Any:
    """A pyarrow dataset on DATA (file or directory, Parquet or CSV)."""
    import pyarrow.dataset as ds

    from .outofcore import detect_format

    if not data.exists():
        raise StreamUsageError(f"{data}: no such file or directory; check the path.")
    try:
        return ds.dataset(str(data), format=detect_format(data))
    except Exception as exc:  # ArrowInvalid, OSError …
        raise StreamUsageError(f"{data}: not readable as Parquet/CSV ({' '.join(str(exc).split())[:200]}).") from None


def _local_label_values(source: Any, target: str) -> tuple[list, int]:
    """Distinct values and null count of the target column, streamed (one column read)."""
    import pyarrow.compute as pc

    values: dict = {}
    nulls = 0
    for batch in source.batches([target]):
        col = batch.column(0)
        nulls += col.null_count
        for v in pc.unique(col.drop_null()).to_pylist():
            values[v] = True
        if len(values) > 2:
            break  # already an error; fit_labels words it
    return list(values), nulls


def _labels(values: list, nulls: int, target: str, positive: str | None) -> tuple[Labels, tuple]:
    """The Labels (as saved in model.json) and the raw (negative, positive) values they map."""
    if nulls:
        raise StreamUsageError(f"target column {target!r} has {nulls} missing value(s); every row "
                               "needs a label: drop those rows or fill them.")
    labels = fit_labels(pd.DataFrame({target: pd.Series(values, dtype=object)}), target, positive)
    raw = {str(_json_value(v)): v for v in values}
    return labels, (raw[str(labels.negative)], raw[str(labels.positive)])


def _features(columns: list[str], target: str, drop: list[str]) -> list[str]:
    missing = [c for c in drop if c not in columns]
    if missing:
        raise StreamUsageError(f"--drop names columns that are not in the data: {', '.join(map(repr, missing))}.")
    if target not in columns:
        shown = ", ".join(columns[:12]) + (", …" if len(columns) > 12 else "")
        raise StreamUsageError(f"target column {target!r} is not in the data; columns are: {shown}.")
    feats = [c for c in columns if c != target and c not in drop]
    if not feats:
        raise StreamUsageError(f"no feature columns are left besides the target {target!r}.")
    return feats


def _dask_frame(data: Path) -> Any:
    import dask.dataframe as dd

    from .outofcore import detect_format

    fmt = detect_format(data)
    if fmt == "csv":
        return dd.read_csv(str(data / "*.csv") if data.is_dir() else str(data))
    return dd.read_parquet(str(data))


# -- evaluation pass (module level: shipped to Dask workers) ----------------------------------
def _eval_chunk(X: NDArray, y: NDArray, sw: NDArray, u: NDArray, first: int, model: Any,
                cuts: dict) -> dict:
    """Per part: row count, and (y, z, row) of the sampled rows (+ X of the report's rows)."""
    out: dict = {}
    z = None
    for part, (lo, hi, s_hi, r_hi) in cuts.items():
        in_part = (u >= lo) & (u < hi)
        take = in_part & (u < s_hi)
        rep = take & (u < r_hi)
        if z is None and np.any(take):
            z = model.decision_function(X)
        out[part] = {
            "n": int(in_part.sum()),
            "y": y[take], "z": z[take] if z is not None else np.empty(0),
            "report_rows": first + np.flatnonzero(rep), "report_X": X[rep], "report_y": y[rep],
            "report_z": z[rep] if z is not None else np.empty(0),
        }
    return out


def _gather(chunks: list[dict], part: str) -> dict:
    got = [c[part] for c in chunks]
    cat = (lambda k: np.concatenate([g[k] for g in got]) if got else np.empty(0))  # noqa: E731
    return {"n": sum(g["n"] for g in got), "y": cat("y"), "z": cat("z"),
            "report_rows": cat("report_rows").astype(np.int64), "report_y": cat("report_y"),
            "report_z": cat("report_z"),
            "report_X": np.vstack([g["report_X"] for g in got]) if got else np.empty((0, 0))}


def _fraction(cap: int, expected: float) -> float:
    return 1.0 if expected <= cap else cap / expected


# -- the command ---------------------------------------------------------------------------------
def train_streamed(
    *, data: Path | None, target: str | None, dataset: str | None, out_dir: Path, params: dict,
    mode: str, why: str, dask_scheduler: str | None, positive: str | None, drop: list[str],
    test_size: float, seed: int, threshold: float | None, cost_fp: float | None,
    cost_fn: float | None, landscape: str | None, summary: bool, lam_auto: bool, report: bool,
    quiet: bool, batch_rows: int, checkpoint: Path | None, metrics_sample: int,
    learning_rate: float,
) -> None:
    """Train out of core or on Dask and write model.json (and report.html) as the in-memory path."""
    from . import cli

    out = cli.out
    if data is None or dataset is not None:
        raise StreamUsageError(f"training {mode} needs a DATA file or directory (not --dataset).")
    if target is None:
        raise StreamUsageError("--target is required with a data file: name the column to predict.")
    if lam_auto:
        raise StreamUsageError(f"--lam auto (cross-validation) is in-memory only; give a number to train {mode}.")
    if summary:
        raise StreamUsageError(f"--summary (standard errors) is in-memory only; leave it out to train {mode}.")
    if not 0 <= test_size < 1:
        raise StreamUsageError(f"--test-size must be in [0, 1) (0 = no held-out part); got {test_size:g}.")
    if metrics_sample < 1:
        raise StreamUsageError(f"--metrics-sample must be ≥ 1; got {metrics_sample}.")
    if checkpoint is not None and mode == "dask":
        raise StreamUsageError("--checkpoint resumes out-of-core fits; on Dask a lost worker's "
                               "partitions are recomputed by the cluster instead.")
    t0 = time.perf_counter()
    rows_train = None if test_size == 0 else (test_size, 1.0)

    if mode == "dask":
        from .distributed import DaskSource, connect

        try:
            client = connect(dask_scheduler, timeout="10s")
        except OSError as exc:
            raise StreamUsageError(f"cannot reach the Dask scheduler at {dask_scheduler} "
                                   f"({' '.join(str(exc).split())[:160]}); start one with "
                                   "`dask scheduler` and `dask worker ADDRESS`.") from None
        try:
            frame = _dask_frame(data)
            features = _features([str(c) for c in frame.columns], target, drop)
            frame = frame[features + [target]]
            col = frame[target]
            values, nulls = client.compute([col.dropna().unique(), col.isna().sum()], sync=True)
            labels, raw = _labels(list(values), int(nulls), target, positive)
            source = DaskSource(frame, target, labels=raw, rows=rows_train, seed=seed)
            n_workers = len(client.scheduler_info().get("workers", {}))
            if not quiet:
                out.print(f"training on the Dask cluster at {dask_scheduler} ({n_workers} workers, "
                          f"{source.n_partitions} partitions of {data})")
            _train_and_write(source, _context(locals()))
        finally:
            client.close()
        return
    from .outofcore import FileSource

    dset = _open_local(data, target)
    features = _features(list(dset.schema.names), target, drop)
    try:
        source = FileSource(data, target, features=features, batch_rows=batch_rows,
                            checkpoint=checkpoint, progress=not quiet, rows=rows_train, seed=seed)
    except ValueError as exc:
        raise StreamUsageError(" ".join(str(exc).split())) from None
    values, nulls = _local_label_values(source, target)
    labels, raw = _labels(values, nulls, target, positive)
    source.labels = raw
    if not quiet:
        out.print(f"streaming {data} in chunks of {batch_rows:,} rows ({why})")
    _train_and_write(source, _context(locals()))


_CONTEXT = ("quiet", "params", "labels", "features", "test_size", "seed", "mode", "metrics_sample",
            "threshold", "cost_fp", "cost_fn", "landscape", "report", "learning_rate", "out_dir",
            "data", "dask_scheduler", "t0")


def _context(scope: dict) -> dict:
    """The settings and prepared pieces the fit-and-write step reads."""
    return {k: scope[k] for k in _CONTEXT}


def _train_and_write(source: Any, ctx: dict) -> None:
    """Fit on ``source``, evaluate in one more pass, write model.json / report.html."""
    from . import LogisticRegression, cli
    from .design import Design
    from .loss import sigmoid
    from .objective import Objective

    out, err, quiet = cli.out, cli.err, ctx["quiet"]
    params, labels, features = ctx["params"], ctx["labels"], ctx["features"]
    test_size, seed, mode = ctx["test_size"], ctx["seed"], ctx["mode"]
    model = LogisticRegression(**params)
    t_fit = time.perf_counter()

    def show(it: int, theta: NDArray, J: float) -> None:
        if not quiet:
            err.print(f"iteration {it}: J = {J:.10g} ({time.perf_counter() - t_fit:.1f} s)",
                      markup=False, highlight=False)

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            model.fit(source, callback=show)
        except ValueError as exc:
            raise StreamUsageError(" ".join(str(exc).split())) from None
    if model.status_ == "diverged" or not np.all(np.isfinite(model.coef_)):
        raise StreamUsageError(f"the fit diverged: {model.result_.message} Try a smaller "
                               "--learning-rate or --standardize; nothing was written.")
    cli._warn_lines(caught)
    fit_seconds = time.perf_counter() - t_fit
    m_train = int(model.objective_["n_samples"])

    # one more pass: row counts per part, a seeded sample of (y, z) for the metrics, and
    # ≤ REPORT_ROWS rows per part (with X) for the report's figures
    cap = int(ctx["metrics_sample"])
    t = test_size
    m_total = m_train / (1 - t)
    f_tr, f_te = _fraction(cap, m_train), _fraction(cap, t * m_total)
    g_tr, g_te = _fraction(REPORT_ROWS, m_train), _fraction(REPORT_ROWS, t * m_total)
    cuts = {"train": (t, 1.0, t + (1 - t) * f_tr, t + (1 - t) * g_tr)}
    if t > 0:
        cuts["held-out"] = (0.0, t, t * f_te, t * g_te)
    local = _shippable(model)
    if not quiet:
        err.print("evaluating (one more pass)…", markup=False)
    chunks = source.map_chunks(_eval_chunk, local, cuts)
    parts_data = {k: _gather(chunks, k) for k in cuts}
    tr = parts_data["train"]
    te = parts_data.get("held-out")

    threshold, rule = cli._threshold_rule(tr["y"], sigmoid(tr["z"]), ctx["threshold"], ctx["cost_fp"],
                                          ctx["cost_fn"], "train (sample)")
    parts = {"train": cli._metrics(tr["y"], sigmoid(tr["z"]), threshold)}
    if te is not None and te["n"]:
        parts["held-out"] = cli._metrics(te["y"], sigmoid(te["z"]), threshold)
    sampling = {k: {"rows": int(v["n"]), "sampled": int(v["y"].size),
                    "exact": bool(v["y"].size == v["n"])} for k, v in parts_data.items()}

    # a small in-memory Objective on the report's training rows: same standardization, λ scaled
    # so λ/m is unchanged; what the printed tables, model.json and the figures read
    offset, scale = model._chunked_standardization
    n_rep = tr["report_y"].size
    model._fit_objective = Objective(
        Design(tr["report_X"], offset, scale), tr["report_y"], lam=model.lam * n_rep / m_train,
        l1_ratio=model.l1_ratio, fit_intercept=model.fit_intercept)
    split = {"n_train": m_train, "n_test": int(te["n"]) if te is not None else 0,
             "test_size": test_size, "seed": seed, "lam_selection": "given",
             "mode": mode, "split": "seeded hash of the row position (not stratified)",
             "metrics_sample": sampling, "n_passes": float(model.objective_["n_passes"]),
             "fit_seconds": fit_seconds}
    encoding = Encoding([{"name": c, "kind": "numeric"} for c in features])
    where = str(ctx["data"]) + (f" (Dask cluster {ctx['dask_scheduler']})" if mode == "dask" else "")
    saved = cli._saved_model(model, encoding, labels, threshold, rule, parts, where, split)
    model_text = saved.to_json()
    report_text = None
    if ctx["report"]:
        from .report import ReportInput, render_report

        axes = cli._landscape_axes(ctx["landscape"], features, True)
        empty = np.empty(0)
        info = {"training": f"{mode}: the fit read all {m_train:,} training rows "
                            f"({model.objective_['n_passes']:.0f} passes)",
                "metrics": "; ".join(f"{k}: {'all' if s['exact'] else 'a seeded sample of'} "
                                     f"{s['sampled']:,} of {s['rows']:,} rows"
                                     for k, s in sampling.items()),
                "figures": f"a seeded sample of ≤ {REPORT_ROWS:,} rows per part"}
        with err.status("building the report…") if not quiet else _null():
            report_text = render_report(ReportInput(
                model=model, feature_names=features, labels=(labels.negative, labels.positive),
                y_train=tr["report_y"], z_train=tr["report_z"], rows_train=tr["report_rows"] + 1,
                X_train=tr["report_X"],
                y_test=te["report_y"] if te is not None else empty,
                z_test=te["report_z"] if te is not None else empty,
                rows_test=(te["report_rows"] + 1) if te is not None else empty.astype(int),
                X_test=te["report_X"] if te is not None else np.empty((0, len(features))),
                threshold=threshold, metrics=parts, source=str(ctx["data"]), target=labels.target,
                cost_fp=rule.get("cost_fp"), cost_fn=rule.get("cost_fn"),
                learning_rate=ctx["learning_rate"], landscape_axes=axes, info=info,
            ))
    out_dir = ctx["out_dir"]
    model_path, report_path = out_dir / "model.json", out_dir / "report.html"
    from .model_io import atomic_write_text

    atomic_write_text(model_path, model_text)
    if report_text is not None:
        atomic_write_text(report_path, report_text)
    if not quiet:
        cli._print_training(model, labels, features, parts, threshold, rule, False)
        for k, s in sampling.items():
            how = "all" if s["exact"] else "a seeded random sample of"
            out.print(f"{k} metrics on {how} {s['sampled']:,} of {s['rows']:,} rows")
        out.print(f"{mode}: {model.objective_['n_passes']:.0f} passes over the data, fit "
                  f"{fit_seconds:.1f} s, total {time.perf_counter() - ctx['t0']:.1f} s")
    out.print(f"model:  {model_path}")
    if report_text is not None:
        out.print(f"report: {report_path}")


def _shippable(model: Any) -> Any:
    """A copy holding coefficients only (no data source), cheap to send to workers."""
    import copy

    local = copy.copy(model)
    local._fit_objective = None
    local.result_ = None
    return local


def _null() -> Any:
    import contextlib

    return contextlib.nullcontext()



# -- predict past memory -------------------------------------------------------------------------
def predict_streamed(saved: Any, data: Path, out_file: Path | None, threshold: float | None,
                     id_column: str | None, batch_rows: int) -> int:
    """Score DATA chunk by chunk with the saved encoding, writing rows as they come; rows written.

    The output (CSV, or Parquet by suffix) goes to a temporary file renamed over ``out_file``
    at the end, so a failure leaves no partial file; without ``out_file`` CSV goes to stdout.
    """
    import sys
    import tempfile

    import pyarrow as pa
    import pyarrow.parquet as pq

    from .outofcore import detect_format, iter_batches

    if batch_rows < 1:
        raise StreamUsageError(f"--batch-rows must be ≥ 1; got {batch_rows}.")
    dset = _open_local(data, "")
    names = list(dset.schema.names)
    missing = [c for c in saved.encoding.input_columns if c not in names]
    if missing:
        raise StreamUsageError(f"the data lacks feature column(s) the model needs: {', '.join(map(repr, missing))}; "
                               "columns are matched by name, in any order.")
    if id_column is not None and id_column not in names:
        raise StreamUsageError(f"--id column {id_column!r} is not in the data.")
    cols = list(dict.fromkeys(saved.encoding.input_columns + ([id_column] if id_column else [])))
    parquet = out_file is not None and out_file.suffix.lower() in (".parquet", ".pq")
    tmp = None
    if out_file is not None:
        out_file.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=f".{out_file.name}.", suffix=".tmp", dir=out_file.parent)
        os.close(fd)
        tmp = Path(name)
    n, writer, text = 0, None, None
    try:
        if tmp is not None and not parquet:
            text = tmp.open("w", newline="")
        for batch in iter_batches(dset, detect_format(data), cols, batch_rows):
            frame = batch.to_pandas()
            p = saved.predict_proba_frame(frame)
            result = pd.DataFrame({"probability": p, "prediction": saved.predict_labels(p, threshold)})
            if id_column is not None:
                result.insert(0, id_column, frame[id_column].to_numpy())
            if parquet:
                table = pa.Table.from_pandas(result, preserve_index=False)
                if writer is None:
                    writer = pq.ParquetWriter(str(tmp), table.schema)
                writer.write_table(table.cast(writer.schema))
            else:
                chunk = result.to_csv(index=False, header=n == 0, float_format="%.17g")
                (text if text is not None else sys.stdout).write(chunk)
            n += len(result)
        if parquet and writer is None:  # no rows: still a valid, empty Parquet file
            pq.write_table(pa.table({"probability": pa.array([], pa.float64()),
                                     "prediction": pa.array([], pa.string())}), str(tmp))
        if writer is not None:
            writer.close()
            writer = None
        if text is not None:
            text.flush()
            os.fsync(text.fileno())
            text.close()
            text = None
        if tmp is not None:
            os.chmod(tmp, 0o644)
            os.replace(tmp, out_file)
            tmp = None
    finally:
        if writer is not None:
            writer.close()
        if text is not None:
            text.close()
        if tmp is not None:
            tmp.unlink(missing_ok=True)
    return n
