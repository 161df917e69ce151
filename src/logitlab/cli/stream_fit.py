"""The streamed fit and what follows it: one evaluation pass, model.json and report.html.

The evaluation pass's chunk function is module level so it can be shipped to Dask workers.
"""

from __future__ import annotations

import contextlib
import copy
import time
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from ..data import Encoding, Labels
from .console import err, out, warn_lines
from .errors import one_line
from .outputs import print_written, write_outputs
from .results import landscape_axes, metrics, print_training, saved_model, threshold_rule
from .stream_read import StreamUsageError

if TYPE_CHECKING:
    from .train_options import TrainOptions

__all__ = ["REPORT_ROWS", "StreamRun", "train_and_write", "eval_chunk"]

#: rows per part the report's figures use
REPORT_ROWS = 10_000


@dataclass
class StreamRun:
    """A streamed training run: its options, the estimator's parameters, and what was read so far."""

    opts: TrainOptions
    params: dict
    labels: Labels
    features: list[str]
    mode: str  # "out-of-core" or "dask"
    t0: float


def eval_chunk(X: NDArray, y: NDArray, sw: NDArray, u: NDArray, first: int, model: Any, cuts: dict) -> dict:
    """Per part: row count, and (y, z, row) of the sampled rows (+ X of the report's rows)."""
    result: dict = {}
    z = None
    for part, (lo, hi, s_hi, r_hi) in cuts.items():
        in_part = (u >= lo) & (u < hi)
        take = in_part & (u < s_hi)
        rep = take & (u < r_hi)
        if z is None and np.any(take):
            z = model.decision_function(X)
        result[part] = {
            "n": int(in_part.sum()),
            "y": y[take], "z": z[take] if z is not None else np.empty(0),
            "report_rows": first + np.flatnonzero(rep), "report_X": X[rep], "report_y": y[rep],
            "report_z": z[rep] if z is not None else np.empty(0),
        }
    return result


def gather(chunks: list[dict], part: str) -> dict:
    """One part's pieces from every chunk, concatenated."""
    got = [c[part] for c in chunks]

    def cat(key: str) -> NDArray:
        return np.concatenate([g[key] for g in got]) if got else np.empty(0)

    return {"n": sum(g["n"] for g in got), "y": cat("y"), "z": cat("z"),
            "report_rows": cat("report_rows").astype(np.int64), "report_y": cat("report_y"),
            "report_z": cat("report_z"),
            "report_X": np.vstack([g["report_X"] for g in got]) if got else np.empty((0, 0))}


def fraction(cap: int, expected: float) -> float:
    """The sampled fraction that keeps about ``cap`` of ``expected`` rows (1 when all fit)."""
    return 1.0 if expected <= cap else cap / expected


def shippable(model: Any) -> Any:
    """A copy holding coefficients only (no data source), cheap to send to workers."""
    local = copy.copy(model)
    local._fit_objective = None
    local.result_ = None
    return local


def fit_streamed(source: Any, run: StreamRun) -> tuple[Any, float]:
    """The fit (one line per iteration on stderr) and its seconds; warnings as one line each."""
    from .. import LogisticRegression

    quiet = run.opts.quiet
    model = LogisticRegression(**run.params)
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
            raise StreamUsageError(one_line(exc)) from None
    if model.status_ == "diverged" or not np.all(np.isfinite(model.coef_)):
        raise StreamUsageError(f"the fit diverged: {model.result_.message} Try a smaller "
                               "--learning-rate or --standardize; nothing was written.")
    warn_lines(caught)
    return model, time.perf_counter() - t_fit


def evaluation_pass(source: Any, model: Any, run: StreamRun) -> dict[str, dict]:
    """One more pass: row counts per part, a seeded sample of (y, z) for the metrics, and
    ≤ REPORT_ROWS rows per part (with X) for the report's figures."""
    cap, t = int(run.opts.metrics_sample), run.opts.test_size
    m_train = int(model.objective_["n_samples"])
    m_total = m_train / (1 - t)
    f_tr, f_te = fraction(cap, m_train), fraction(cap, t * m_total)
    g_tr, g_te = fraction(REPORT_ROWS, m_train), fraction(REPORT_ROWS, t * m_total)
    cuts = {"train": (t, 1.0, t + (1 - t) * f_tr, t + (1 - t) * g_tr)}
    if t > 0:
        cuts["held-out"] = (0.0, t, t * f_te, t * g_te)
    if not run.opts.quiet:
        err.print("evaluating (one more pass)…", markup=False)
    chunks = source.map_chunks(eval_chunk, shippable(model), cuts)
    return {k: gather(chunks, k) for k in cuts}


def attach_report_objective(model: Any, tr: dict) -> None:
    """A small in-memory Objective on the report's training rows: same standardization, λ scaled
    so λ/m is unchanged; what the printed tables, model.json and the figures read."""
    from ..design import Design
    from ..objective import Objective

    offset, scale = model._chunked_standardization
    m_train = int(model.objective_["n_samples"])
    n_rep = tr["report_y"].size
    model._fit_objective = Objective(
        Design(tr["report_X"], offset, scale), tr["report_y"], lam=model.lam * n_rep / m_train,
        l1_ratio=model.l1_ratio, fit_intercept=model.fit_intercept)


def train_and_write(source: Any, run: StreamRun) -> None:
    """Fit on ``source``, evaluate in one more pass, write model.json / report.html."""
    from ..loss import sigmoid

    opts = run.opts
    model, fit_seconds = fit_streamed(source, run)
    m_train = int(model.objective_["n_samples"])
    parts_data = evaluation_pass(source, model, run)
    tr, te = parts_data["train"], parts_data.get("held-out")

    threshold, rule = threshold_rule(tr["y"], sigmoid(tr["z"]), opts.threshold, opts.cost_fp, opts.cost_fn,
                                     "train (sample)")
    parts = {"train": metrics(tr["y"], sigmoid(tr["z"]), threshold)}
    if te is not None and te["n"]:
        parts["held-out"] = metrics(te["y"], sigmoid(te["z"]), threshold)
    sampling = {k: {"rows": int(v["n"]), "sampled": int(v["y"].size),
                    "exact": bool(v["y"].size == v["n"])} for k, v in parts_data.items()}
    attach_report_objective(model, tr)
    split = {"n_train": m_train, "n_test": int(te["n"]) if te is not None else 0,
             "test_size": opts.test_size, "seed": opts.seed, "lam_selection": "given",
             "mode": run.mode, "split": "seeded hash of the row position (not stratified)",
             "metrics_sample": sampling, "n_passes": float(model.objective_["n_passes"]),
             "fit_seconds": fit_seconds}
    encoding = Encoding([{"name": c, "kind": "numeric"} for c in run.features])
    where = str(opts.data) + (f" (Dask cluster {opts.dask_scheduler})" if run.mode == "dask" else "")
    saved = saved_model(model, encoding, run.labels, threshold, rule, parts, where, split)
    if opts.data is not None and Path(opts.data).exists():  # the data contract (one more pass, sampled)
        from ..monitoring.streamed import streamed_contract

        saved.doc["contract"] = streamed_contract(opts.data, saved, run.labels.target, threshold,
                                                  opts.metrics_sample, opts.seed, opts.batch_rows)
    files = {opts.out_dir / "model.json": saved.to_json()}
    if opts.report:
        files[opts.out_dir / "report.html"] = streamed_report(model, run, parts_data, parts, sampling,
                                                              threshold, rule)
    write_outputs(files)
    if not opts.quiet:
        print_training(model, run.labels, run.features, parts, threshold, rule, False)
        for k, s in sampling.items():
            how = "all" if s["exact"] else "a seeded random sample of"
            out.print(f"{k} metrics on {how} {s['sampled']:,} of {s['rows']:,} rows")
        out.print(f"{run.mode}: {model.objective_['n_passes']:.0f} passes over the data, fit "
                  f"{fit_seconds:.1f} s, total {time.perf_counter() - run.t0:.1f} s")
    print_written(files)


def streamed_report(model: Any, run: StreamRun, parts_data: dict, parts: dict, sampling: dict,
                    threshold: float, rule: dict) -> str:
    """report.html from the sampled rows, saying how each part was sampled."""
    from ..report import ReportInput, render_report

    opts, features = run.opts, run.features
    tr, te = parts_data["train"], parts_data.get("held-out")
    m_train = int(model.objective_["n_samples"])
    axes = landscape_axes(opts.landscape, features, True)
    empty = np.empty(0)
    info = {"training": f"{run.mode}: the fit read all {m_train:,} training rows "
                        f"({model.objective_['n_passes']:.0f} passes)",
            "metrics": "; ".join(f"{k}: {'all' if s['exact'] else 'a seeded sample of'} "
                                 f"{s['sampled']:,} of {s['rows']:,} rows" for k, s in sampling.items()),
            "figures": f"a seeded sample of ≤ {REPORT_ROWS:,} rows per part"}
    with err.status("building the report…") if not opts.quiet else contextlib.nullcontext():
        return render_report(ReportInput(
            model=model, feature_names=features, labels=(run.labels.negative, run.labels.positive),
            y_train=tr["report_y"], z_train=tr["report_z"], rows_train=tr["report_rows"] + 1,
            X_train=tr["report_X"],
            y_test=te["report_y"] if te is not None else empty,
            z_test=te["report_z"] if te is not None else empty,
            rows_test=(te["report_rows"] + 1) if te is not None else empty.astype(int),
            X_test=te["report_X"] if te is not None else np.empty((0, len(features))),
            threshold=threshold, metrics=parts, source=str(opts.data), target=run.labels.target,
            cost_fp=rule.get("cost_fp"), cost_fn=rule.get("cost_fn"),
            learning_rate=opts.learning_rate, landscape_axes=axes, info=info,
        ))
