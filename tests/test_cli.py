"""The ``logitlab`` command run for real, in subprocesses: training on the bundled data sets and on
files, prediction and evaluation, and every bad input of issue 3 (exit 2, one line, no traceback,
no partial files). References: scikit-learn for coefficients and metrics, the published fit of the
hours data. Independent commands run concurrently to keep the file fast on a loaded machine.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression as SkLR
from sklearn.metrics import accuracy_score, f1_score, log_loss, roc_auc_score
from sklearn.model_selection import train_test_split

ENV = {k: v for k, v in os.environ.items() if k != "LOGITLAB_DEBUG"}


def run(*args: str, cwd: Path, script: bool = False) -> subprocess.CompletedProcess:
    cmd = [shutil.which("logitlab") or "logitlab"] if script else [sys.executable, "-m", "logitlab"]
    return subprocess.run([*cmd, *map(str, args)], cwd=cwd, capture_output=True, text=True,
                          env=ENV, timeout=300)


def run_many(jobs: dict[str, tuple], cwd: Path) -> dict[str, subprocess.CompletedProcess]:
    with ThreadPoolExecutor(max_workers=4) as pool:
        futures = {name: pool.submit(run, *args, cwd=cwd) for name, args in jobs.items()}
        return {name: f.result() for name, f in futures.items()}


def credit_frame(n: int = 400, seed: int = 3) -> pd.DataFrame:
    """A small credit-default table: numeric, Yes/No and four-level text features, Yes/No target."""
    rng = np.random.default_rng(seed)
    balance = rng.gamma(4.0, 300.0, n).round(2)
    income = rng.normal(40.0, 12.0, n).round(1)
    student = rng.choice(["No", "Yes"], n, p=[0.7, 0.3])
    region = rng.choice(["East", "North", "South", "West"], n)
    z = -6 + 0.004 * balance - 0.02 * income + 0.8 * (student == "Yes") + 0.7 * (region == "South")
    default = np.where(rng.random(n) < 1 / (1 + np.exp(-z)), "Yes", "No")
    return pd.DataFrame({"balance": balance, "student": student, "income": income,
                         "region": region, "default": default})


def sklearn_reference(X: np.ndarray, y: np.ndarray, lam: float) -> tuple[np.ndarray, float]:
    """scikit-learn's fit at C = 1/λ on population-standardized X, mapped back to X's units."""
    mu, sd = X.mean(0), X.std(0)
    sk = SkLR(C=1 / lam, tol=1e-12, max_iter=10_000).fit((X - mu) / sd, y)
    coef = sk.coef_.ravel() / sd
    return coef, float(sk.intercept_[0] - mu @ coef)


def onehot(df: pd.DataFrame) -> tuple[np.ndarray, list[str]]:
    """The encoding the issue asks for, built independently: numeric as is, text one-hot
    against the first level in sorted order, named column=value."""
    cols, names = [], []
    for c in ["balance", "student", "income", "region"]:
        if not pd.api.types.is_numeric_dtype(df[c]):
            for v in sorted(df[c].unique())[1:]:
                cols.append((df[c] == v).to_numpy(float))
                names.append(f"{c}={v}")
        else:
            cols.append(df[c].to_numpy(float))
            names.append(c)
    return np.column_stack(cols), names


@pytest.fixture(scope="module")
def work(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("cli")
    credit_frame().to_csv(d / "credit.csv", index=False)
    return d


@pytest.fixture(scope="module")
def trained(work: Path) -> dict[str, subprocess.CompletedProcess]:
    """The training runs the tests below inspect, run concurrently."""
    credit = work / "credit.csv"
    credit_frame().to_parquet(work / "credit.parquet", index=False)
    return run_many({
        "default": (),  # python -m logitlab with no arguments: breast cancer, report included
        "hours": ("train", "--dataset", "hours", "--lam", "0", "--test-size", "0", "--no-standardize",
                  "--no-report", "--out", "hours", "--tol", "1e-10"),
        "credit": ("train", credit, "--target", "default", "--lam", "1", "--test-size", "0",
                   "--tol", "1e-10", "--out", "credit", "--no-report"),
        "parquet": ("train", work / "credit.parquet", "-t", "default", "--lam", "1", "--test-size", "0",
                    "--tol", "1e-10", "--out", "credit-pq", "--no-report", "--quiet"),
        "cost": ("train", credit, "--target", "default", "--cost-fp", "1", "--cost-fn", "5",
                 "--out", "cost", "--no-report", "--quiet"),
    }, work)


def test_default_run_trains_on_breast_cancer(work: Path, trained) -> None:
    r = trained["default"]
    assert r.returncode == 0, r.stderr
    assert "'malignant' → 1 (positive), 'benign' → 0" in r.stdout
    for word in ("log_loss", "accuracy", "precision", "recall", "f1", "roc_auc", "held-out (n=143)",
                 "out/model.json", "out/report.html"):
        assert word in r.stdout
    model = json.loads((work / "out" / "model.json").read_text())
    assert model["format"] == "logitlab-model" and model["schema_version"] == 2
    # the report the command wrote: every figure, and no address outside the inlined plotly.js
    # (whose own URLs are inert here; see test_report.py, which also loads it in Chromium)
    from logitlab.report import FIGURES, plotly_js

    page = (work / "out" / "report.html").read_text(encoding="utf-8")
    for fid in FIGURES:
        assert page.count(f'"fig-{fid}"') >= 2, fid  # the div and its Plotly.newPlot call
    rest = page.replace(plotly_js().replace("</script", "<\\/script"), "")
    assert len(rest) < len(page) - 1_000_000
    assert "http://" not in rest and "https://" not in rest and "src=" not in rest

    from sklearn.datasets import load_breast_cancer

    X, y01 = load_breast_cancer(return_X_y=True)
    y = (y01 == 0).astype(float)  # 'malignant' (sklearn's 0) is the positive label
    tr, te = train_test_split(np.arange(y.size), test_size=0.25, random_state=0, stratify=y)
    coef, b = sklearn_reference(X[np.sort(tr)], y[np.sort(tr)], lam=1.0)
    np.testing.assert_allclose(model["coefficients"]["values"], coef, rtol=1e-4, atol=1e-6)
    assert model["intercept"] == pytest.approx(b, rel=1e-4)
    from logitlab.design import Design
    from logitlab.objective import Objective

    Xt = X[np.sort(tr)]
    mu, sd = Xt.mean(0), Xt.std(0)
    obj = Objective(Design(Xt, mu, sd), y[np.sort(tr)], lam=1.0)  # J on standardized weights
    def J(c, c0):
        return obj.value(obj.join(np.asarray(c) * sd, c0 + float(mu @ np.asarray(c))))
    assert J(model["coefficients"]["values"], model["intercept"]) == pytest.approx(J(coef, b), rel=1e-9)
    p = 1 / (1 + np.exp(-(X[np.sort(te)] @ coef + b)))
    held = model["training"]["metrics"]["held-out"]
    assert held["log_loss"] == pytest.approx(log_loss(y[np.sort(te)], p), rel=1e-4)
    assert held["roc_auc"] == pytest.approx(roc_auc_score(y[np.sort(te)], p), rel=1e-6)
    assert held["accuracy"] > 0.95


def test_hours_matches_the_published_fit(work: Path, trained) -> None:
    r = trained["hours"]
    assert r.returncode == 0, r.stderr
    model = json.loads((work / "hours" / "model.json").read_text())
    assert model["coefficients"]["names"] == ["hours"]
    assert model["coefficients"]["values"][0] == pytest.approx(1.5046, abs=5e-5)
    assert model["intercept"] == pytest.approx(-4.0777, abs=5e-5)
    assert not (work / "hours" / "report.html").exists()


def test_string_labels_and_categorical_columns(work: Path, trained) -> None:
    r = trained["credit"]
    assert r.returncode == 0, r.stderr
    assert "'Yes' → 1 (positive), 'No' → 0" in r.stdout
    model = json.loads((work / "credit" / "model.json").read_text())
    X, names = onehot(credit_frame())
    assert model["coefficients"]["names"] == names
    assert model["labels"]["mapping"] == {"No": 0, "Yes": 1}
    cols = {c["name"]: c for c in model["encoding"]["columns"]}
    assert cols["region"]["categories"] == ["East", "North", "South", "West"]
    assert cols["student"]["reference"] == "No"
    y = (credit_frame()["default"] == "Yes").to_numpy(float)
    coef, b = sklearn_reference(X, y, lam=1.0)
    np.testing.assert_allclose(model["coefficients"]["values"], coef, rtol=1e-5, atol=1e-8)
    assert model["intercept"] == pytest.approx(b, rel=1e-5)
    # Parquet gives the same model
    assert trained["parquet"].returncode == 0, trained["parquet"].stderr
    pq = json.loads((work / "credit-pq" / "model.json").read_text())
    np.testing.assert_allclose(pq["coefficients"]["values"], model["coefficients"]["values"], rtol=1e-12)


def test_cost_based_threshold_minimizes_cost_on_train(work: Path, trained) -> None:
    r = trained["cost"]
    assert r.returncode == 0, r.stderr
    model = json.loads((work / "cost" / "model.json").read_text())
    rule, t = model["threshold_rule"], model["threshold"]
    assert rule["kind"] == "cost" and rule["cost_fn"] == 5 and t < 0.5
    df = credit_frame()
    X, _ = onehot(df)
    y = (df["default"] == "Yes").to_numpy(float)
    tr = np.sort(train_test_split(np.arange(y.size), test_size=0.25, random_state=0, stratify=y)[0])
    p = 1 / (1 + np.exp(-(X[tr] @ np.array(model["coefficients"]["values"]) + model["intercept"])))

    def cost(th: float) -> float:
        pred = p > th
        return float(np.sum(pred & (y[tr] == 0)) * 1 + np.sum(~pred & (y[tr] == 1)) * 5)

    assert cost(t) == min(cost(th) for th in np.r_[0.0, np.sort(p), 1.0])


def test_predict_with_reordered_columns_round_trips(work: Path, trained) -> None:
    df = credit_frame(n=60, seed=11)
    df[["region", "default", "income", "balance", "student"]].to_csv(work / "new.csv", index=False)
    model_path = work / "credit" / "model.json"
    res = run_many({
        "file": ("predict", model_path, work / "new.csv", "--out", work / "pred.csv"),
        "eval": ("evaluate", model_path, work / "new.csv", "--json"),
        "eval_table": ("evaluate", model_path, work / "new.csv", "--target", "default"),
    }, work)
    for r in res.values():
        assert r.returncode == 0, r.stderr
    pred = pd.read_csv(work / "pred.csv")
    assert list(pred.columns) == ["probability", "prediction"]

    model = json.loads(model_path.read_text())
    X, _ = onehot(df)
    p_ref = 1 / (1 + np.exp(-(X @ np.array(model["coefficients"]["values"]) + model["intercept"])))
    np.testing.assert_allclose(pred["probability"], p_ref, rtol=1e-13)
    assert list(pred["prediction"]) == list(np.where(p_ref > model["threshold"], "Yes", "No"))

    # round trip: the saved file, loaded again, gives the very same probabilities as the
    # estimator fitted in this process on the same data with the same settings
    from logitlab import LogisticRegression
    from logitlab.model_io import load_model

    train = credit_frame()
    X_train, _ = onehot(train)
    est = LogisticRegression(lam=1.0, tol=1e-10, standardize=True, random_state=0).fit(
        X_train, (train["default"] == "Yes").to_numpy(float))
    p_est = est.predict_proba(X)[:, 1]
    p_loaded = load_model(model_path).predict_proba_frame(df)
    np.testing.assert_array_equal(p_loaded, pred["probability"].to_numpy())
    # a fit in another process may sum in another order (BLAS threads under load): equal to the solver's tolerance
    np.testing.assert_allclose(p_loaded, p_est, rtol=1e-9, atol=1e-12)

    doc = json.loads(res["eval"].stdout)
    y = (df["default"] == "Yes").to_numpy(float)
    m = doc["metrics"]
    assert m["log_loss"] == pytest.approx(log_loss(y, p_ref), rel=1e-10)
    assert m["roc_auc"] == pytest.approx(roc_auc_score(y, p_ref), rel=1e-12)
    assert m["accuracy"] == pytest.approx(accuracy_score(y, p_ref > 0.5))
    assert m["f1"] == pytest.approx(f1_score(y, p_ref > 0.5))
    assert "roc_auc" in res["eval_table"].stdout and "confusion matrix" in res["eval_table"].stdout


# -- bad input --------------------------------------------------------------------------------
def _write_bad_inputs(d: Path) -> None:
    good = credit_frame(n=80)
    (d / "empty.csv").write_text("")
    (d / "garbage.parquet").write_text("this is not parquet\n")
    three = good.copy()
    three.loc[:5, "default"] = "Maybe"
    three.to_csv(d / "three.csv", index=False)
    nan = good.copy()
    nan.loc[7, "income"] = np.nan
    nan.to_csv(d / "nan.csv", index=False)
    inf = good.copy()
    inf["income"] = inf["income"].astype(object)
    inf.loc[3, "income"] = "inf"
    inf.to_csv(d / "inf.csv", index=False)
    ids = good.copy()
    ids["customer"] = [f"C{i:05d}" for i in range(len(ids))]
    ids.to_csv(d / "ids.csv", index=False)
    good.drop(columns="income").to_csv(d / "lacking.csv", index=False)
    relabel = good.copy()
    relabel["default"] = relabel["default"].map({"Yes": "Y", "No": "N"})
    relabel.to_csv(d / "relabel.csv", index=False)
    (d / "other.json").write_text(json.dumps({"coef": [1, 2], "intercept": 0}))


@pytest.fixture(scope="module")
def bad(work: Path, trained) -> tuple[Path, dict[str, subprocess.CompletedProcess]]:
    d = work / "bad"
    d.mkdir()
    _write_bad_inputs(d)
    model = json.loads((work / "credit" / "model.json").read_text())
    model["schema_version"] = 99
    (d / "future.json").write_text(json.dumps(model))
    shutil.copy(work / "credit" / "model.json", d / "model.json")
    old = d / "old"  # an earlier run's output, which a failing run must leave untouched
    old.mkdir()
    (old / "model.json").write_text("OLD MODEL")
    (old / "report.html").write_text("OLD REPORT")
    T = ("train", "--no-report", "--out", "old")
    jobs = {
        "missing file": (*T, "nope.csv", "--target", "default"),
        "unreadable file": (*T, "garbage.parquet", "--target", "default"),
        "empty file": (*T, "empty.csv", "--target", "default"),
        "target absent": (*T, "three.csv", "--target", "defaulted"),
        "target three-valued": (*T, "three.csv", "--target", "default"),
        "NaN feature": (*T, "nan.csv", "--target", "default"),
        "too many categories": (*T, "ids.csv", "--target", "default"),
        "not a model": ("predict", "other.json", "lacking.csv", "--out", "old/pred.csv"),
        "future schema": ("predict", "future.json", "lacking.csv", "--out", "old/pred.csv"),
        "lacking feature": ("predict", "model.json", "lacking.csv", "--out", "old/pred.csv"),
    }
    return d, run_many(jobs, d)


BAD_CASES = {
    "missing file": "no such file", "unreadable file": "not a readable Parquet file",
    "empty file": "is empty", "target absent": "'defaulted' is not in the data",
    "target three-valued": "exactly two distinct values",
    "NaN feature": "'income' has 1 missing (NaN) value",
    "too many categories": "'customer' is not numeric and has 80 distinct values",
    "not a model": "is not a logitlab model file",
    "future schema": "schema version 99", "lacking feature": "lacks feature column(s) the model needs: 'income'",
}


@pytest.mark.parametrize("case", list(BAD_CASES))
def test_bad_input_exits_2_with_one_line(bad, case: str) -> None:
    d, results = bad
    r = results[case]
    assert r.returncode == 2, (r.stdout, r.stderr)
    lines = [ln for ln in r.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, r.stderr
    assert lines[0].startswith("error: ") and BAD_CASES[case] in lines[0], lines[0]
    assert "Traceback" not in r.stderr + r.stdout
    # nothing partial: the earlier outputs are intact and no temporary or new file appeared
    assert sorted(p.name for p in (d / "old").iterdir()) == ["model.json", "report.html"]
    assert (d / "old" / "model.json").read_text() == "OLD MODEL"


def test_console_script_and_help(work: Path) -> None:
    res = run_many({"help": ("train", "--help")}, work)
    assert res["help"].returncode == 0
    for opt in ("--target", "--dataset", "--lam", "--l1-ratio", "--solver", "--learning-rate", "--max-iter",
                "--standardize", "--class-weight", "--test-size", "--threshold", "--cost-fp", "--cost-fn",
                "--positive", "--out", "--summary"):
        assert opt in res["help"].stdout
    if shutil.which("logitlab"):
        r = run("--help", cwd=work, script=True)
        assert r.returncode == 0 and "predict" in r.stdout and "evaluate" in r.stdout


# -- more bad input, through the same command in-process (each subprocess costs a cold import) --
IN_PROCESS = {
    "directory": (["train", ".", "--target", "default"], "is a directory"),
    "inf feature": (["train", "inf.csv", "--target", "default"], "'income' has 1 infinite value"),
    "header only": (["train", "header.csv", "--target", "default"], "no data rows"),
    "no --target": (["train", "three.csv"], "--target is required"),
    "one-valued target": (["train", "one.csv", "--target", "default"], "exactly two distinct values"),
    "numeric many-valued target": (["train", "three.csv", "-t", "income"], "exactly two distinct"),
    "positive not a label": (["train", "inf.csv", "-t", "student", "--positive", "Maybe"], "--positive 'Maybe'"),
    "negative lam": (["train", "--dataset", "hours", "--lam", "-1"], "--lam must be"),
    "lam not a number": (["train", "--dataset", "hours", "--lam", "big"], "--lam must be a number"),
    "threshold and costs": (["train", "--dataset", "hours", "--threshold", "0.3", "--cost-fp", "2"], "not both"),
    "threshold out of range": (["train", "--dataset", "hours", "--threshold", "1.5"], "strictly between 0 and 1"),
    "unknown dataset": (["train", "--dataset", "iris"], "unknown --dataset 'iris'"),
    "unknown solver": (["train", "--dataset", "hours", "--solver", "magic"], "solver must be"),
    "diverging gradient descent": (["train", "--solver", "gd", "--learning-rate", "1000", "--no-standardize"],
                                   "the fit diverged: J rose 3 iterations in a row"),
    "unknown landscape parameter": (["train", "-d", "hours", "--landscape", "b,age"], "'age' is not a parameter"),
    "L1 with newton": (["train", "--dataset", "hours", "--l1-ratio", "1", "--solver", "lbfgs"], "cannot handle an L1"),
    "model not JSON": (["predict", "notjson.json", "three.csv"], "not JSON"),
    "missing model": (["evaluate", "nothere.json", "three.csv"], "no such model file"),
    "model directory": (["predict", ".", "three.csv"], "is a directory"),
    "NaN at predict": (["predict", "model.json", "nan.csv"], "'income' has 1 missing (NaN) value"),
    "unseen category": (["predict", "model.json", "newregion.csv"], "in categories never seen in training: 'Atlantis'"),
    "text in numeric": (["predict", "model.json", "textnum.csv"], "must be numeric but holds text"),
    "unknown labels": (["evaluate", "model.json", "relabel.csv"], "labels the model does not know"),
    "evaluate without target": (["evaluate", "model.json", "lacking_target.csv"], "'default' is not in the data"),
}


@pytest.fixture(scope="module")
def in_process_dir(tmp_path_factory) -> Path:
    from typer.testing import CliRunner

    from logitlab.cli import app

    d = tmp_path_factory.mktemp("in_process")
    _write_bad_inputs(d)
    credit_frame().to_csv(d / "credit.csv", index=False)
    r = CliRunner().invoke(app, ["train", str(d / "credit.csv"), "-t", "default", "--no-report", "-q",
                                 "--out", str(d / "trained")])
    assert r.exit_code == 0, r.output
    (d / "trained" / "model.json").rename(d / "model.json")
    (d / "trained").rmdir()
    good = credit_frame(n=80)
    (d / "header.csv").write_text("balance,income,default\n")
    one = good.copy()
    one["default"] = "No"
    one.to_csv(d / "one.csv", index=False)
    (d / "notjson.json").write_text("coef = [1, 2]\n")
    nr = good.copy()
    nr.loc[2, "region"] = "Atlantis"
    nr.to_csv(d / "newregion.csv", index=False)
    tn = good.copy()
    tn["income"] = tn["income"].astype(object)
    tn.loc[4, "income"] = "n/a-ish"
    tn.to_csv(d / "textnum.csv", index=False)
    good.drop(columns="default").to_csv(d / "lacking_target.csv", index=False)
    return d


@pytest.mark.parametrize("case", list(IN_PROCESS))
def test_more_bad_input_in_process(in_process_dir: Path, case: str, monkeypatch) -> None:
    from typer.testing import CliRunner

    from logitlab.cli import app

    monkeypatch.chdir(in_process_dir)
    monkeypatch.delenv("LOGITLAB_DEBUG", raising=False)
    args, expected = IN_PROCESS[case]
    before = sorted(p.name for p in in_process_dir.iterdir())
    r = CliRunner().invoke(app, [*args, "--out" if args[0] == "train" else "--threshold",
                                 "fresh" if args[0] == "train" else "0.5"])
    assert r.exit_code == 2, r.output
    lines = [ln for ln in r.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: ") and expected in lines[0], r.stderr
    assert r.exception is None or isinstance(r.exception, SystemExit)
    assert sorted(p.name for p in in_process_dir.iterdir()) == before  # no output, no temporary file


# -- options served by the other rings, imported lazily --------------------------------------
def test_summary_and_lam_auto(tmp_path, monkeypatch) -> None:
    from typer.testing import CliRunner

    from logitlab.cli import app

    monkeypatch.chdir(tmp_path)
    r = CliRunner().invoke(app, ["train", "-d", "hours", "--lam", "0", "--test-size", "0", "--summary",
                                 "--no-report", "--tol", "1e-10"])
    assert r.exit_code == 0, r.output
    # the published Wald table of the hours example: SE 1.7610 (intercept), 0.6287 (hours)
    row = next(ln for ln in r.stdout.splitlines() if ln.startswith("hours "))
    assert "1.5046" in row and "0.6287" in row
    r = CliRunner().invoke(app, ["train", "-d", "breast_cancer", "--lam", "auto", "--no-report", "-o", "cv"])
    assert r.exit_code == 0, r.output
    lam = float(re.search(r"λ chosen by 5-fold cross-validation: ([0-9.e+-]+)", r.stdout).group(1))
    saved = json.loads((tmp_path / "cv" / "model.json").read_text())
    assert saved["hyperparameters"]["lam"] == pytest.approx(lam, rel=1e-5)


@pytest.mark.parametrize("module, args, message", [
    ("logitlab.lab.server", ["lab"], "the lab is not available"),
    ("logitlab.stats.inference", ["train", "-d", "hours", "--summary"], "--summary needs logitlab.inference"),
    ("logitlab.cv", ["train", "-d", "hours", "--lam", "auto"], "--lam auto needs logitlab.cv"),
])
def test_missing_ring_modules_exit_2(tmp_path, monkeypatch, module, args, message) -> None:
    from typer.testing import CliRunner

    from logitlab.cli import app

    monkeypatch.chdir(tmp_path)
    monkeypatch.setitem(sys.modules, module, None)  # makes `import module` raise ImportError
    r = CliRunner().invoke(app, args)
    assert r.exit_code == 2 and r.stderr.startswith("error: ") and message in r.stderr, r.output
    assert list(tmp_path.iterdir()) == []


def test_lab_command_calls_serve(monkeypatch) -> None:
    from typer.testing import CliRunner

    import logitlab.lab.server as server
    from logitlab.cli import app

    calls = []
    monkeypatch.setattr(server, "serve", lambda **kw: calls.append(kw))
    r = CliRunner().invoke(app, ["lab", "--port", "9999", "--open"])
    assert r.exit_code == 0, r.output
    assert calls == [{"host": "127.0.0.1", "port": 9999, "open_browser": True}]


def test_landscape_over_named_parameters(tmp_path, monkeypatch) -> None:
    from typer.testing import CliRunner

    from logitlab.cli import app

    monkeypatch.chdir(tmp_path)
    r = CliRunner().invoke(app, ["train", "-d", "hours", "--landscape", "hours,b", "--l1-ratio", "0.5", "-q"])
    assert r.exit_code == 0, r.output
    page = (tmp_path / "out" / "report.html").read_text()
    assert "J over hours and b (intercept)" in page
