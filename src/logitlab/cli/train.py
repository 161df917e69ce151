# ruff: noqa: B008  (typer declares options as argument defaults)
"""``logitlab train``: fit a model on a CSV/Parquet file or a bundled data set, write model.json and report.html.

The options are checked first; then the data are read in memory here, or streamed / sent to a
Dask cluster by :mod:`.stream` when DATA is large or ``--out-of-core`` / ``--dask-scheduler`` asks.
"""

from __future__ import annotations

import contextlib
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import typer

from ..data import (
    DataWarning,
    Encoding,
    Labels,
    check_feature_scale,
    encode_features,
    encode_labels,
    fit_encoding,
    fit_labels,
    read_table,
)
from .console import err, out, warn_lines
from .errors import UsageError, one_line, user_errors
from .options import BATCH_ROWS_OPTION, STREAM_ABOVE_OPTION, check_threshold, parse_lam
from .outputs import check_writable_dir, print_written, write_outputs
from .progress import FitProgress
from .results import landscape_axes, metrics, print_training, saved_model, threshold_rule
from .train_options import TrainOptions

__all__ = ["train", "run_train", "fit_with_progress"]


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
    slice_by: list[str] = typer.Option(
        [], "--slice-by", help="Report the held-out metrics per value of this column (repeat once for pairs)."),
) -> None:
    """Train a model and write DIR/model.json and DIR/report.html."""
    opts = TrainOptions(
        data=data, target=target, dataset=dataset, out_dir=out_dir, lam=lam, l1_ratio=l1_ratio, solver=solver,
        learning_rate=learning_rate, max_iter=max_iter, tol=tol, standardize=standardize,
        class_weight=class_weight, test_size=test_size, seed=seed, threshold=threshold, cost_fp=cost_fp,
        cost_fn=cost_fn, positive=positive, drop=drop, max_categories=max_categories, landscape=landscape,
        summary=summary, report=report, quiet=quiet, out_of_core=out_of_core, stream_above=stream_above,
        batch_rows=batch_rows, checkpoint=checkpoint, metrics_sample=metrics_sample,
        dask_scheduler=dask_scheduler, slice_by=slice_by)
    with user_errors():
        run_train(opts)


def run_train(opts: TrainOptions) -> None:
    """Check the options, then train in memory or past memory (:mod:`.stream`)."""
    lam_value = parse_lam(opts.lam)
    check_train_options(opts)
    check_writable_dir(opts.out_dir, ["model.json"] + (["report.html"] if opts.report else []))
    if opts.summary:
        require_inference()
    from .stream import streaming_mode

    mode, why = streaming_mode(opts.data, opts.out_of_core, opts.stream_above, opts.dask_scheduler)
    if mode != "memory":  # past memory: streamed chunks or a Dask cluster
        from .stream import train_streamed

        train_streamed(opts, lam_value, mode, why)
        return
    if opts.checkpoint is not None:
        raise UsageError("--checkpoint saves and resumes streamed fits only, and DATA is read into memory "
                         "here; add --out-of-core to stream it, or leave --checkpoint out.")
    train_in_memory(opts, lam_value)


def check_train_options(opts: TrainOptions) -> None:
    """The option values no fit could use, refused before anything is read."""
    if opts.threshold is not None and (opts.cost_fp is not None or opts.cost_fn is not None):
        raise UsageError("give either --threshold or --cost-fp/--cost-fn, not both.")
    check_threshold(opts.threshold)
    if opts.class_weight not in (None, "balanced"):
        raise UsageError(f"--class-weight must be 'balanced' (or left out); got {opts.class_weight!r}.")
    if not (np.isfinite(opts.tol) and opts.tol > 0):  # tol = inf would stop at the start, "converged"
        raise UsageError(f"--tol must be a finite number > 0 (e.g. 1e-8); got {opts.tol:g}.")
    for name, cost in (("--cost-fp", opts.cost_fp), ("--cost-fn", opts.cost_fn)):
        if cost is not None and not (np.isfinite(cost) and cost >= 0):
            raise UsageError(f"{name} must be a finite number ≥ 0; got {cost:g}.")
    if opts.cost_fp == 0 and opts.cost_fn == 0:
        raise UsageError("--cost-fp and --cost-fn cannot both be 0: give at least one a positive cost.")


def require_inference() -> None:
    try:
        import logitlab.stats.inference  # noqa: F401
    except ImportError:
        raise UsageError("--summary needs logitlab.inference, which this installation lacks.") from None


# -- in memory -----------------------------------------------------------------------------------
@dataclass
class Prepared:
    """A data set ready to fit: the encoded design, 0/1 labels, and how they were made."""

    X: Any
    y: Any
    encoding: Encoding
    labels: Labels
    source: str
    target: str
    frame: Any = None  # the table as read (its contract is recorded at training)


def load_training_data(data: Path | None, dataset: str | None, target: str | None) -> tuple[Any, str, str]:
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
    from ..datasets import list_datasets, load_dataset

    name = dataset or "breast_cancer"
    if name not in list_datasets():
        raise UsageError(f"unknown --dataset {name!r}; choose one of: {', '.join(sorted(list_datasets()))}.")
    frame, default_target = load_dataset(name)
    return frame, target or default_target, f"bundled data set {name!r}"


def prepare(opts: TrainOptions) -> Prepared:
    """Read the data and encode it: features as numbers (text one-hot), the target as 0/1."""
    frame, target_col, source = load_training_data(opts.data, opts.dataset, opts.target)
    labels = fit_labels(frame, target_col, opts.positive)
    with warnings.catch_warnings(record=True) as caught:  # e.g. a constant column left out
        warnings.simplefilter("always", DataWarning)
        encoding = fit_encoding(frame, target_col, drop=opts.drop, max_categories=opts.max_categories)
    warn_lines(caught)
    X = encode_features(frame, encoding)
    check_feature_scale(X, encoding.feature_names)
    y = encode_labels(frame, labels)
    return Prepared(X, y, encoding, labels, source, target_col, frame)


def split_rows(y: Any, test_size: float, seed: int) -> tuple[Any, Any]:
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


def fit_with_progress(X: Any, y: Any, params: dict[str, Any], show_progress: bool) -> Any:
    """Fit the estimator with the progress bar; warnings come back as one line each."""
    from .. import LogisticRegression
    from ..solvers import SOLVERS

    model = LogisticRegression(**params)
    total = params.get("max_iter") or (SOLVERS[params["solver"]][2] if params["solver"] in SOLVERS else None)
    progress = FitProgress(params["solver"], total, enabled=show_progress)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            model.fit(X, y, callback=progress)
        except ValueError as exc:
            raise UsageError(one_line(exc)) from None
        finally:
            progress.close()
    if model.status_ == "diverged" or not np.all(np.isfinite(model.coef_)):
        msg = one_line(model.result_.message) or "the weights became non-finite."
        raise UsageError(f"the fit diverged: {msg} Try --learning-rate {params['learning_rate'] / 10:g} "
                         "or --standardize; nothing was written.")
    warn_lines(caught)
    return model


def cv_lam(X: Any, y: Any, params: dict[str, Any], seed: int) -> Any:
    """The 5-fold cross-validation (logitlab.cv) that chooses λ for --lam auto (``.lam_``)."""
    try:
        from ..cv import LogisticRegressionCV
    except ImportError:
        raise UsageError("--lam auto needs logitlab.cv, which this installation lacks; give a number.") from None
    cv = LogisticRegressionCV(l1_ratio=params["l1_ratio"], cv=5, solver=params["solver"], tol=params["tol"],
                              max_iter=params["max_iter"], standardize=params["standardize"], random_state=seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with err.status("choosing λ by 5-fold cross-validation…"):
            cv.fit(X, y)
    return cv


def train_in_memory(opts: TrainOptions, lam_value: float | None) -> None:
    """Load, split, (choose λ,) fit, score both parts, then write model.json and report.html together."""
    prep = prepare(opts)
    names = prep.encoding.feature_names
    tr, te = split_rows(prep.y, opts.test_size, opts.seed)
    params = opts.estimator_params(1.0)
    lam_selection, cv = "given", None
    if lam_value is None:
        lam_selection = "5-fold cross-validation on the train part (log-loss)"
        cv = cv_lam(prep.X[tr], prep.y[tr], params, opts.seed)
        lam_value = float(cv.lam_)
        if not opts.quiet:
            out.print(f"λ chosen by 5-fold cross-validation: {lam_value:.6g}")
    params["lam"] = lam_value
    axes = landscape_axes(opts.landscape, names, True)

    frame_X = pd.DataFrame(prep.X, columns=names, copy=False)  # so the model knows its feature names
    model = fit_with_progress(frame_X.iloc[tr], prep.y[tr], params, show_progress=not opts.quiet)
    z_tr = model.decision_function(frame_X.iloc[tr])
    z_te = model.decision_function(frame_X.iloc[te]) if te.size else np.empty(0)
    from ..loss import sigmoid

    y = prep.y
    threshold, rule = threshold_rule(y[tr], sigmoid(z_tr), opts.threshold, opts.cost_fp, opts.cost_fn, "train")
    parts = {"train": metrics(y[tr], sigmoid(z_tr), threshold)}
    if te.size:
        parts["held-out"] = metrics(y[te], sigmoid(z_te), threshold)

    saved = saved_model(model, prep.encoding, prep.labels, threshold, rule, parts, prep.source,
                        dict(n_train=int(tr.size), n_test=int(te.size), test_size=opts.test_size, seed=opts.seed,
                             lam_selection=lam_selection))
    from ..monitoring.contract import training_contract

    saved.doc["contract"] = training_contract(prep.frame.iloc[tr], prep.encoding, z_tr, y[tr], prep.target,
                                              threshold, z_te, y[te])
    files = {opts.out_dir / "model.json": saved.to_json()}
    slices = None
    if opts.slice_by:  # on the held-out part (the train part when there is none)
        from ..monitoring.slices import evaluate_slices

        slices = evaluate_slices(saved, prep.frame.iloc[te if te.size else tr], opts.slice_by, prep.target)
    if opts.report:
        from ..report import ReportInput, render_report

        with err.status("building the report…") if not opts.quiet else contextlib.nullcontext():
            files[opts.out_dir / "report.html"] = render_report(ReportInput(
                model=model, feature_names=names, labels=(prep.labels.negative, prep.labels.positive),
                y_train=y[tr], z_train=z_tr, rows_train=tr + 1, X_train=prep.X[tr],
                y_test=y[te], z_test=z_te, rows_test=te + 1, X_test=prep.X[te],
                threshold=threshold, metrics=parts, source=prep.source, target=prep.target,
                cost_fp=rule.get("cost_fp"), cost_fn=rule.get("cost_fn"),
                learning_rate=opts.learning_rate, landscape_axes=axes, cv=cv, slices=slices,
            ))
    write_outputs(files)
    if not opts.quiet:
        print_training(model, prep.labels, names, parts, threshold, rule, opts.summary)
        if slices is not None:
            from .slice_output import print_slices

            print_slices(slices)
    print_written(files)

