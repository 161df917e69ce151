# ruff: noqa: B008  (typer declares options as argument defaults)
"""The ``logitlab`` command: train, predict and evaluate on CSV/Parquet files, and open the lab.

Bad input ends with exit status 2 and one line on stderr saying what is wrong and what to do;
no traceback, and no output file is touched (files are written atomically, and only after
everything they hold has been computed).
"""

from __future__ import annotations

import contextlib
import io
import os
import sys
import time
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import typer
from rich.console import Console
from rich.table import Table

from . import __version__
from .data import DataError, Encoding, Labels, encode_features, encode_labels, fit_encoding, fit_labels, read_table
from .model_io import SavedModel, atomic_write_bytes, atomic_write_text, load_model, to_json

app = typer.Typer(
    name="logitlab",
    help="Binary logistic regression from the command line: train, predict, evaluate, explore.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)

METRIC_ROWS = ["log_loss", "accuracy", "precision", "recall", "f1", "roc_auc", "average_precision", "brier"]


class UsageError(DataError):
    """A bad option value or combination (reported like bad data: exit 2, one line)."""


def _fail(message: str, code: int = 2) -> typer.Exit:
    err.print(f"error: {message}", markup=False)
    return typer.Exit(code)


@contextlib.contextmanager
def _errors() -> Iterator[None]:
    """Turn user errors into one line and exit 2; anything unexpected into one line and exit 1."""
    try:
        yield
    except typer.Exit:
        raise
    except DataError as exc:
        raise _fail(str(exc)) from None
    except KeyboardInterrupt:
        raise _fail("interrupted; no output file was changed.", 130) from None
    except Exception as exc:
        if os.environ.get("LOGITLAB_DEBUG"):
            raise
        msg = " ".join(str(exc).split())
        raise _fail(f"{type(exc).__name__}: {msg} (set LOGITLAB_DEBUG=1 to see the traceback)", 1) from None


def _warn_lines(caught: list[warnings.WarningMessage]) -> None:
    seen = set()
    for w in caught:
        text = " ".join(str(w.message).split())
        if text not in seen:
            seen.add(text)
            err.print(f"warning: {text}", markup=False, style="yellow")


# -- train ---------------------------------------------------------------------------------------
# options shared by train and predict (streaming files larger than memory)
STREAM_ABOVE_OPTION = typer.Option(1.0, "--stream-above", help="GiB on disk above which DATA is streamed.")
BATCH_ROWS_OPTION = typer.Option(262_144, "--batch-rows", help="Rows per chunk when streaming.")

@dataclass
class Prepared:
    """A data set ready to fit: the encoded design, 0/1 labels, and how they were made."""

    X: Any
    y: Any
    encoding: Encoding
    labels: Labels
    source: str


def _load_training_data(data: Path | None, dataset: str | None, target: str | None) -> tuple[Any, str, str]:
    """(frame, target column, description of the source) from a file or a bundled data set."""
    if data is not None:
        if dataset is not None:
            raise UsageError("give either a DATA file or --dataset, not both.")
        frame = read_table(data)
        if target is None:
            raise UsageError(
                f"--target is required with a data file: name the column to predict "
                f"(columns: {', '.join(list(frame.columns)[:12])}{', …' if frame.shape[1] > 12 else ''})."
            )
        return frame, target, str(data)
    from .datasets import list_datasets, load_dataset

    name = dataset or "breast_cancer"
    if name not in list_datasets():
        raise UsageError(f"unknown --dataset {name!r}; choose one of: {', '.join(sorted(list_datasets()))}.")
    frame, default_target = load_dataset(name)
    return frame, target or default_target, f"bundled data set {name!r}"


def _parse_lam(lam: str) -> float | None:
    """A number ≥ 0, or None for "auto" (cross-validation)."""
    if lam.strip().lower() == "auto":
        return None
    try:
        value = float(lam)
    except ValueError:
        raise UsageError(f"--lam must be a number ≥ 0 or 'auto'; got {lam!r}.") from None
    if not np.isfinite(value) or value < 0:
        raise UsageError(f"--lam must be a finite number ≥ 0 (0 = no penalty) or 'auto'; got {lam!r}.")
    return value


def _split(y: Any, test_size: float, seed: int) -> tuple[Any, Any]:
    """Seeded, stratified train/held-out row indices."""
    idx = np.arange(y.size)
    if not 0 <= test_size < 1:
        raise UsageError(f"--test-size must be in [0, 1) (0 = no held-out part); got {test_size:g}.")
    if test_size == 0:
        return idx, idx[:0]
    n_test = int(np.ceil(test_size * y.size))
    if n_test < 2 or y.size - n_test < 2:
        raise UsageError(f"--test-size {test_size:g} leaves too few rows of {y.size} for one part; "
                         "use --test-size 0 to train on everything.")
    from sklearn.model_selection import train_test_split

    try:
        tr, te = train_test_split(idx, test_size=test_size, random_state=seed, stratify=y)
    except ValueError:  # a class too small to stratify
        tr, te = train_test_split(idx, test_size=test_size, random_state=seed)
    if len(np.unique(y[tr])) < 2:
        raise UsageError("the training part holds only one class; use a smaller --test-size or more data.")
    return np.sort(tr), np.sort(te)


class FitProgress:
    """A progress bar with the live cost J, drawn only once a fit has run longer than a moment."""

    def __init__(self, solver: str, total: int | None, enabled: bool = True, delay: float = 0.4) -> None:
        self.solver, self.total, self.enabled, self.delay = solver, total, enabled, delay
        self.start = time.perf_counter()
        self.progress = None
        self.task = None
        self.last = 0.0

    def __call__(self, iteration: int, theta: Any, J: float) -> None:
        if not self.enabled:
            return None
        now = time.perf_counter()
        if self.progress is None:
            if now - self.start < self.delay:
                return None
            from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

            self.progress = Progress(
                SpinnerColumn(), TextColumn("fitting ({task.fields[solver]})"), BarColumn(),
                TextColumn("iteration {task.completed:.0f}"), TextColumn("J = {task.fields[J]}"),
                TimeElapsedColumn(), console=err, transient=True, auto_refresh=False,
            )
            self.progress.start()
            self.task = self.progress.add_task("fit", total=self.total, solver=self.solver, J=f"{J:.8g}")
        if now - self.last > 0.1:
            self.last = now
            self.progress.update(self.task, completed=iteration, J=f"{J:.8g}")
            self.progress.refresh()
        return None

    def close(self) -> None:
        if self.progress is not None:
            self.progress.stop()


def _fit(prep_X: Any, y: Any, params: dict[str, Any], show_progress: bool) -> Any:
    """Fit the estimator with the progress bar; warnings come back as one line each."""
    from . import LogisticRegression
    from .solvers import SOLVERS

    model = LogisticRegression(**params)
    total = params.get("max_iter") or (SOLVERS[params["solver"]][2] if params["solver"] in SOLVERS else None)
    progress = FitProgress(params["solver"], total, enabled=show_progress)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            model.fit(prep_X, y, callback=progress)
        except ValueError as exc:
            raise UsageError(" ".join(str(exc).split())) from None
        finally:
            progress.close()
    if model.status_ == "diverged" or not np.all(np.isfinite(model.coef_)):
        msg = " ".join(model.result_.message.split()) or "the weights became non-finite."
        raise UsageError(f"the fit diverged: {msg} Try --learning-rate {params['learning_rate'] / 10:g} "
                         "or --standardize; nothing was written.")
    _warn_lines(caught)
    return model


def _cv_lam(X: Any, y: Any, params: dict[str, Any], seed: int) -> Any:
    """The 5-fold cross-validation (logitlab.cv) that chooses λ for --lam auto (``.lam_``)."""
    try:
        from .cv import LogisticRegressionCV
    except ImportError:
        raise UsageError("--lam auto needs logitlab.cv, which this installation lacks; give a number.") from None
    cv = LogisticRegressionCV(l1_ratio=params["l1_ratio"], cv=5, solver=params["solver"], tol=params["tol"],
                              max_iter=params["max_iter"], standardize=params["standardize"], random_state=seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with err.status("choosing λ by 5-fold cross-validation…"):
            cv.fit(X, y)
    return cv


def _threshold_rule(y: Any, p: Any, threshold: float | None, cost_fp: float | None, cost_fn: float | None,
                    chosen_on: str) -> tuple[float, dict[str, Any]]:
    """The decision threshold and how it was chosen: given (default 0.5), or the expected-cost minimum
    on (y, p) when a cost of a false positive or a false negative is given (the other defaults to 1)."""
    if cost_fp is None and cost_fn is None:
        return (0.5 if threshold is None else threshold), {"kind": "fixed"}
    from .metrics import choose_threshold

    cfp, cfn = cost_fp if cost_fp is not None else 1.0, cost_fn if cost_fn is not None else 1.0
    choice = choose_threshold(y, p, cfp, cfn)
    return choice.threshold, {"kind": "cost", "cost_fp": cfp, "cost_fn": cfn, "chosen_on": chosen_on,
                              **choice.as_dict()}


def _metrics(y: Any, p: Any, threshold: float) -> dict[str, float]:
    from .metrics import classification_summary

    return classification_summary(y, p, threshold)


def _metrics_table(parts: dict[str, dict[str, float]], title: str = "metrics") -> Table:
    table = Table(title=title, title_justify="left")
    table.add_column("metric")
    for name, m in parts.items():
        table.add_column(f"{name} (n={int(m['n'])})", justify="right")
    for key in METRIC_ROWS:
        table.add_row(key, *[("—" if not np.isfinite(m[key]) else f"{m[key]:.4f}") for m in parts.values()])
    return table


def _coef_table(names: list[str], coef: Any, std_coef: Any | None, limit: int = 20) -> Table:
    order = np.argsort(-np.abs(std_coef if std_coef is not None else coef), kind="stable")
    table = Table(title="coefficients (largest first)", title_justify="left")
    table.add_column("feature")
    table.add_column("weight", justify="right")
    if std_coef is not None:
        table.add_column("per std. dev.", justify="right")
    for j in order[:limit]:
        row = [names[j], f"{coef[j]:.6g}"] + ([f"{std_coef[j]:.4g}"] if std_coef is not None else [])
        table.add_row(*row)
    if len(order) > limit:
        table.add_row(f"… {len(order) - limit} more in model.json", "", *([""] if std_coef is not None else []))
    return table


def _landscape_axes(spec: str | None, names: list[str], fit_intercept: bool) -> list[int] | None:
    """--landscape "A,B": two parameter names (features, or b / intercept)."""
    if spec is None:
        return None
    parts = [s.strip() for s in spec.split(",")]
    if len(parts) != 2 or parts[0] == parts[1]:
        raise UsageError(f"--landscape needs two different parameter names separated by a comma; got {spec!r}.")
    idx = []
    for p in parts:
        if p in ("b", "intercept") and fit_intercept:
            idx.append(len(names))
        elif p in names:
            idx.append(names.index(p))
        else:
            raise UsageError(f"--landscape: {p!r} is not a parameter; use 'b' or a feature name such as {names[0]!r}.")
    return idx


@app.command()
def train(
    data: Path | None = typer.Argument(None, metavar="DATA", show_default=False,
                                       help="CSV or Parquet file; omit to use a bundled data set."),
    target: str | None = typer.Option(None, "--target", "-t", help="Column to predict (two values)."),
    dataset: str | None = typer.Option(None, "--dataset", "-d",
                                       help="Bundled data set when no DATA: breast_cancer (default) or hours."),
    out_dir: Path = typer.Option(Path("out"), "--out", "-o", help="Directory for model.json and report.html."),
    lam: str = typer.Option("1.0", "--lam", help="Regularization strength λ ≥ 0 (C = 1/λ), or 'auto' for 5-fold CV."),
    l1_ratio: float = typer.Option(0.0, "--l1-ratio", help="0 = L2 (ridge), 1 = L1 (lasso), between = elastic net."),
    solver: str = typer.Option("auto", "--solver", help="auto, newton-cholesky, newton-cg, lbfgs, cd or gd."),
    learning_rate: float = typer.Option(0.1, "--learning-rate", help="Gradient-descent step α (also the report's)."),
    max_iter: int | None = typer.Option(None, "--max-iter", help="Iteration cap (default: the solver's own)."),
    tol: float = typer.Option(1e-8, "--tol", help="Stop when the KKT residual (gradient norm) is below this "
                              "(1e-8: the saved coefficients within ~1e-5 of the optimum even on nearly "
                              "separable data; Newton's last step costs one more pass)."),
    standardize: bool = typer.Option(True, "--standardize/--no-standardize",
                                     help="Fit on standardized features (coefficients reported in original units)."),
    class_weight: str | None = typer.Option(None, "--class-weight", help="'balanced' to weight the classes equally."),
    test_size: float = typer.Option(0.25, "--test-size", help="Fraction held out for evaluation (0 = none)."),
    seed: int = typer.Option(0, "--seed", help="Seed of the held-out split."),
    threshold: float | None = typer.Option(None, "--threshold", help="Threshold on P(positive), default 0.5."),
    cost_fp: float | None = typer.Option(None, "--cost-fp", help="Cost of a false positive (sets the threshold)."),
    cost_fn: float | None = typer.Option(None, "--cost-fn", help="Cost of a false negative (sets the threshold)."),
    positive: str | None = typer.Option(None, "--positive", help="Target value to treat as positive (1)."),
    drop: list[str] = typer.Option([], "--drop", help="Column to leave out (repeatable), e.g. an ID."),
    max_categories: int = typer.Option(50, "--max-categories", help="Most distinct values a text column may have."),
    landscape: str | None = typer.Option(
        None, "--landscape", help="Two parameters for the cost landscape, e.g. 'b,age' (default: b, largest weight)."),
    summary: bool = typer.Option(False, "--summary", help="Also print the statistical summary (SE, z, p, CI)."),
    report: bool = typer.Option(True, "--report/--no-report", help="Write report.html."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Print only where the files went."),
    out_of_core: bool | None = typer.Option(
        None, "--out-of-core/--in-memory", show_default=False,
        help="Stream DATA (Parquet/CSV file or directory) in chunks instead of loading it "
             "(default: streamed when DATA is larger than --stream-above)."),
    stream_above: float = STREAM_ABOVE_OPTION,
    batch_rows: int = BATCH_ROWS_OPTION,
    checkpoint: Path | None = typer.Option(
        None, "--checkpoint", help="Streamed fits: save θ here each iteration; rerun to resume."),
    metrics_sample: int = typer.Option(
        1_000_000, "--metrics-sample",
        help="Streamed/Dask: metrics on a seeded sample of at most this many rows per part."),
    dask_scheduler: str | None = typer.Option(
        None, "--dask-scheduler",
        help="Train on a running Dask cluster, e.g. tcp://host:8786 (DATA readable by its workers)."),
) -> None:
    """Train a model and write DIR/model.json and DIR/report.html."""
    with _errors():
        lam_value = _parse_lam(lam)
        if threshold is not None and (cost_fp is not None or cost_fn is not None):
            raise UsageError("give either --threshold or --cost-fp/--cost-fn, not both.")
        if threshold is not None and not 0 < threshold < 1:
            raise UsageError(f"--threshold must lie strictly between 0 and 1; got {threshold:g}.")
        if class_weight not in (None, "balanced"):
            raise UsageError(f"--class-weight must be 'balanced' (or left out); got {class_weight!r}.")
        if out_dir.exists() and not out_dir.is_dir():
            raise UsageError(f"--out {out_dir} is a file; give a directory for model.json and report.html.")
        if summary:
            _require_inference()
        from .train_large import streaming_mode

        mode, why = streaming_mode(data, out_of_core, stream_above, dask_scheduler)
        if mode != "memory":  # past memory: streamed chunks or a Dask cluster (train_large.py)
            from .train_large import train_streamed

            params = dict(lam=lam_value if lam_value is not None else 1.0, l1_ratio=l1_ratio, solver=solver,
                          tol=tol, max_iter=max_iter, learning_rate=learning_rate, standardize=standardize,
                          class_weight=class_weight, random_state=seed)
            return train_streamed(
                data=data, target=target, dataset=dataset, out_dir=out_dir, params=params, mode=mode, why=why,
                dask_scheduler=dask_scheduler, positive=positive, drop=drop, test_size=test_size, seed=seed,
                threshold=threshold, cost_fp=cost_fp, cost_fn=cost_fn, landscape=landscape, summary=summary,
                lam_auto=lam_value is None, report=report, quiet=quiet, batch_rows=batch_rows,
                checkpoint=checkpoint, metrics_sample=metrics_sample, learning_rate=learning_rate)

        frame, target_col, source = _load_training_data(data, dataset, target)
        labels = fit_labels(frame, target_col, positive)
        encoding = fit_encoding(frame, target_col, drop=drop, max_categories=max_categories)
        X = encode_features(frame, encoding)
        y = encode_labels(frame, labels)
        names = encoding.feature_names
        tr, te = _split(y, test_size, seed)

        params = dict(lam=1.0, l1_ratio=l1_ratio, solver=solver, tol=tol, max_iter=max_iter,
                      learning_rate=learning_rate, standardize=standardize, class_weight=class_weight,
                      random_state=seed)
        lam_selection, cv = "given", None
        if lam_value is None:
            lam_selection = "5-fold cross-validation on the train part (log-loss)"
            cv = _cv_lam(X[tr], y[tr], params, seed)
            lam_value = float(cv.lam_)
            if not quiet:
                out.print(f"λ chosen by 5-fold cross-validation: {lam_value:.6g}")
        params["lam"] = lam_value
        axes = _landscape_axes(landscape, names, True)

        frame_X = pd.DataFrame(X, columns=names, copy=False)  # so the model knows its feature names
        model = _fit(frame_X.iloc[tr], y[tr], params, show_progress=not quiet)
        z_tr = model.decision_function(frame_X.iloc[tr])
        z_te = model.decision_function(frame_X.iloc[te]) if te.size else np.empty(0)
        from .loss import sigmoid

        p_tr, p_te = sigmoid(z_tr), sigmoid(z_te)
        threshold, rule = _threshold_rule(y[tr], p_tr, threshold, cost_fp, cost_fn, "train")
        parts = {"train": _metrics(y[tr], p_tr, threshold)}
        if te.size:
            parts["held-out"] = _metrics(y[te], p_te, threshold)

        saved = _saved_model(model, encoding, labels, threshold, rule, parts, source,
                             dict(n_train=int(tr.size), n_test=int(te.size), test_size=test_size, seed=seed,
                                  lam_selection=lam_selection))
        model_text = saved.to_json()
        report_text = None
        if report:
            from .report import ReportInput, render_report

            with err.status("building the report…") if not quiet else contextlib.nullcontext():
                report_text = render_report(ReportInput(
                    model=model, feature_names=names, labels=(labels.negative, labels.positive),
                    y_train=y[tr], z_train=z_tr, rows_train=tr + 1, X_train=X[tr],
                    y_test=y[te], z_test=z_te, rows_test=te + 1, X_test=X[te],
                    threshold=threshold, metrics=parts, source=source, target=target_col,
                    cost_fp=rule.get("cost_fp"), cost_fn=rule.get("cost_fn"),
                    learning_rate=learning_rate, landscape_axes=axes, cv=cv,
                ))

        model_path, report_path = out_dir / "model.json", out_dir / "report.html"
        atomic_write_text(model_path, model_text)
        if report_text is not None:
            atomic_write_text(report_path, report_text)

        if not quiet:
            _print_training(model, labels, names, parts, threshold, rule, summary)
        out.print(f"model:  {model_path}")
        if report_text is not None:
            out.print(f"report: {report_path}")


def _require_inference() -> None:
    try:
        import logitlab.inference  # noqa: F401
    except ImportError:
        raise UsageError("--summary needs logitlab.inference, which this installation lacks.") from None


def _print_training(model: Any, labels: Labels, names: list[str], parts: dict, threshold: float,
                    rule: dict, summary: bool) -> None:
    out.print(f"labels: {labels.positive!r} → 1 (positive), {labels.negative!r} → 0")
    o = model.objective_
    out.print(f"fit: {model.solver_}, {int(model.n_iter_[0])} iterations, {model.status_}; "
              f"J = {o['J']:.6g} (data loss {o['data_loss']:.6g} + penalty {o['penalty']:.6g}), "
              f"λ = {o['lam']:g}, l1_ratio = {o['l1_ratio']:g}")
    how = (f" (minimizes {rule['cost_fp']:g}·FP + {rule['cost_fn']:g}·FN on the train part)"
           if rule["kind"] == "cost" else "")
    out.print(f"threshold: {threshold:.4g}{how}")
    out.print(_metrics_table(parts))
    coef = model.coef_.ravel()
    std = model._fit_objective.design.scale
    out.print(_coef_table(names, coef, coef * std if std is not None else None))
    out.print(f"intercept: {model.intercept_[0]:.6g}")
    if summary:
        try:
            stats = model.summary()
            stats.stats["positive_class"] = str(labels.positive)  # the user's label, not the encoded 1
            out.print(str(stats), markup=False)
        except ValueError as exc:  # e.g. inference under separation
            err.print(f"warning: no summary: {' '.join(str(exc).split())}", markup=False, style="yellow")


def _saved_model(model: Any, encoding: Encoding, labels: Labels, threshold: float, rule: dict,
                 parts: dict, source: str, split: dict) -> SavedModel:
    o = model.objective_
    d = model._fit_objective.design
    doc = {
        "logitlab_version": __version__,
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "threshold_rule": rule,
        "standardization": {
            "applied": bool(model.standardize),
            "note": "coefficients are in the units of the input columns; these are the means and "
                    "standard deviations the penalty was applied on",
            "mean": None if d.offset is None else d.offset.tolist(),
            "scale": None if d.scale is None else d.scale.tolist(),
        },
        "hyperparameters": {k: model.get_params()[k] for k in
                            ("lam", "l1_ratio", "solver", "tol", "max_iter", "learning_rate", "fit_intercept",
                             "standardize", "class_weight")},
        "training": {
            "source": source, **split, "solver": model.solver_, "status": model.status_,
            "n_iter": int(model.n_iter_[0]), "J": o["J"], "data_loss": o["data_loss"], "penalty": o["penalty"],
            "kkt_residual": o["kkt_residual"], "formula": o["formula"],
            "sklearn_C": o["sklearn_C"], "glmnet_alpha": o["glmnet_alpha"], "metrics": parts,
        },
    }
    return SavedModel(encoding, labels, model.coef_.ravel().copy(), float(model.intercept_[0]), threshold, doc)


# -- predict / evaluate --------------------------------------------------------------------------
@app.command()
def predict(
    model_path: Path = typer.Argument(..., metavar="MODEL", help="model.json written by `logitlab train`."),
    data: Path = typer.Argument(..., metavar="DATA", help="CSV or Parquet file with the feature columns (any order)."),
    out_file: Path | None = typer.Option(None, "--out", "-o", help="Write CSV (or .parquet) here instead of stdout."),
    threshold: float | None = typer.Option(None, "--threshold", help="Override the model's threshold."),
    id_column: str | None = typer.Option(None, "--id", help="Copy this column into the output."),
    out_of_core: bool | None = typer.Option(
        None, "--out-of-core/--in-memory", show_default=False,
        help="Score DATA (file or directory) chunk by chunk, writing as it goes "
             "(default: when DATA is larger than --stream-above)."),
    stream_above: float = STREAM_ABOVE_OPTION,
    batch_rows: int = BATCH_ROWS_OPTION,
) -> None:
    """Probability of the positive label and the predicted label for every row."""
    with _errors():
        if threshold is not None and not 0 < threshold < 1:
            raise UsageError(f"--threshold must lie strictly between 0 and 1; got {threshold:g}.")
        saved = load_model(model_path)
        from .train_large import streaming_mode

        if streaming_mode(data, out_of_core, stream_above, None)[0] != "memory":
            from .train_large import predict_streamed

            n = predict_streamed(saved, data, out_file, threshold, id_column, batch_rows)
            if out_file is not None:
                err.print(f"{n} predictions → {out_file} (probability = P({saved.labels.positive!r}); "
                          "streamed)", markup=False)
            return
        frame = read_table(data)
        if id_column is not None and id_column not in frame.columns:
            raise UsageError(f"--id column {id_column!r} is not in the data.")
        p = saved.predict_proba_frame(frame)
        result = pd.DataFrame({"probability": p, "prediction": saved.predict_labels(p, threshold)})
        if id_column is not None:
            result.insert(0, id_column, frame[id_column].to_numpy())
        if out_file is None:
            sys.stdout.write(result.to_csv(index=False, float_format="%.17g"))
            return
        if out_file.suffix.lower() in (".parquet", ".pq"):
            buf = io.BytesIO()
            result.to_parquet(buf, index=False)
            atomic_write_bytes(out_file, buf.getvalue())
        else:
            atomic_write_text(out_file, result.to_csv(index=False, float_format="%.17g"))
        err.print(f"{len(result)} predictions → {out_file} (probability = P({saved.labels.positive!r}))",
                  markup=False)


@app.command()
def evaluate(
    model_path: Path = typer.Argument(..., metavar="MODEL", help="model.json written by `logitlab train`."),
    data: Path = typer.Argument(..., metavar="DATA", help="CSV or Parquet file with the features and the target."),
    target: str | None = typer.Option(None, "--target", "-t", help="Target column (default: the model's)."),
    as_json: bool = typer.Option(False, "--json", help="Print the metrics as JSON."),
    threshold: float | None = typer.Option(None, "--threshold", help="Override the model's threshold."),
) -> None:
    """Metrics of a saved model on labelled data: log-loss, accuracy, precision, recall, F1, ROC AUC."""
    with _errors():
        if threshold is not None and not 0 < threshold < 1:
            raise UsageError(f"--threshold must lie strictly between 0 and 1; got {threshold:g}.")
        saved = load_model(model_path)
        frame = read_table(data)
        labels = saved.labels if target is None else Labels(target, saved.labels.negative, saved.labels.positive)
        y = encode_labels(frame, labels)
        p = saved.predict_proba_frame(frame)
        t = saved.threshold if threshold is None else threshold
        m = _metrics(y, p, t)
        from .metrics import confusion_matrix

        (tn, fp), (fn, tp) = confusion_matrix(y, (p > t).astype(float))
        if as_json:
            doc = {"model": str(model_path), "data": str(data), "target": labels.target,
                   "positive": labels.positive, "metrics": m,
                   "confusion_matrix": {"tn": int(tn), "fp": int(fp), "fn": int(fn), "tp": int(tp)}}
            sys.stdout.write(to_json(doc))
            return
        out.print(_metrics_table({str(data.name): m}, title=f"metrics at threshold {t:.4g}"))
        out.print(f"confusion matrix: TN {int(tn)}  FP {int(fp)}  FN {int(fn)}  TP {int(tp)} "
                  f"(positive = {labels.positive!r})")


# -- the lab -------------------------------------------------------------------------------------
@app.command()
def lab(
    host: str = typer.Option("127.0.0.1", "--host", help="Interface to listen on."),
    port: int = typer.Option(8765, "--port", help="Port to listen on."),
    open_browser: bool = typer.Option(False, "--open", help="Open the lab in a web browser."),
) -> None:
    """Start the interactive lab (a local web page) for the cost function and gradient descent."""
    try:
        from .lab.server import serve
    except ImportError as exc:
        raise _fail(f"the lab is not available ({exc}); install it with: pip install 'logitlab[lab]'.") from None
    with _errors():
        serve(host=host, port=port, open_browser=open_browser)


@app.command()
def version() -> None:
    """Print the logitlab version."""
    out.print(f"logitlab {__version__}")


def main() -> None:
    """Entry point for ``python -m logitlab``: without a command it trains (on the default data set
    when no file is given), so ``python -m logitlab`` alone gives a model and a report."""
    args = sys.argv[1:]
    commands = {c.name or c.callback.__name__ for c in app.registered_commands}
    if not args or (args[0] not in commands and args[0] not in ("-h", "--help")):
        args = ["train", *args]
    app(args=args, prog_name="logitlab")


__all__ = ["app", "main"]
