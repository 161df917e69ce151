"""`logitlab monitor`, `compare` and the contract options of `predict`/`evaluate`, end to end
through the real command (subprocesses), on copies of the bundled breast-cancer data."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from logitlab.datasets import load_dataset

ENV = {k: v for k, v in os.environ.items() if k != "LOGITLAB_DEBUG"}
RULES = "psi>0.25,ece>0.05,auc_drop>0.02"


def run(*args: object, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "logitlab", *map(str, args)], cwd=cwd, capture_output=True,
                          text=True, env=ENV, timeout=300)


@pytest.fixture(scope="module")
def work(tmp_path_factory) -> Path:
    """A model trained on the bundled data (as a CSV), an unshifted and a shifted copy, and a
    second model (stronger penalty) for champion/challenger."""
    d = tmp_path_factory.mktemp("monitor_cli")
    frame, _ = load_dataset("breast_cancer")
    frame.to_csv(d / "data.csv", index=False)
    shifted = frame.copy()
    shifted["mean radius"] *= 1.5
    shifted["worst texture"] += 8
    shifted.to_csv(d / "shifted.csv", index=False)
    far = frame.copy()
    far["mean radius"] *= 3  # beyond the training range by more than the margin
    far.to_csv(d / "far.csv", index=False)
    for name, lam in (("old", "1"), ("new", "30")):
        r = run("train", "data.csv", "--target", "diagnosis", "--lam", lam, "--out", name, "--no-report", "-q", cwd=d)
        assert r.returncode == 0, r.stderr
    return d


def test_the_unshifted_copy_passes_the_gate_and_the_shifted_copy_trips_it(work) -> None:
    ok = run("monitor", "old/model.json", "data.csv", "--target", "diagnosis", "--out", "m_ok", "--fail-on", RULES,
             cwd=work)
    assert ok.returncode == 0, ok.stderr
    doc = json.loads((work / "m_ok" / "monitor.json").read_text())
    assert doc["gate"]["passed"] and doc["violations"] == [] and doc["n_rows"] == 569
    bad = run("monitor", "old/model.json", "shifted.csv", "--target", "diagnosis", "--out", "m_bad",
              "--fail-on", RULES, cwd=work)
    assert bad.returncode == 3, bad.stderr
    gate_lines = [ln for ln in bad.stderr.splitlines() if ln.startswith("gate:")]
    doc = json.loads((work / "m_bad" / "monitor.json").read_text())
    assert gate_lines == doc["gate"]["breached"] and len(gate_lines) >= 1
    assert re.fullmatch(r"gate: psi = [0-9.]+ > 0\.25 \(feature '(mean radius|worst texture)'\)", gate_lines[0])
    assert {f["name"] for f in doc["features"][:2]} == {"mean radius", "worst texture"}  # ranked by |w|·shift
    # without labels: expected performance, its assumptions, and a label-free gate
    r = run("monitor", "old/model.json", "shifted.csv", "--out", "m_nolab", "--fail-on", "auc_drop>0.02", cwd=work)
    assert r.returncode == 2 and r.stderr.strip() == (
        "error: --fail-on: 'auc_drop' cannot be computed for this data (it needs labels: give --target).")
    r = run("monitor", "old/model.json", "shifted.csv", "--out", "m_nolab", "--fail-on", "score_psi>0.1", cwd=work)
    assert r.returncode == 3 and "expected AUC" in r.stdout
    doc = json.loads((work / "m_nolab" / "monitor.json").read_text())
    assert "metrics" not in doc and "calibrated" in doc["expected"]["assumptions"][0]


def test_monitor_html_is_offline(work) -> None:
    text = (work / "m_bad" / "monitor.html").read_text()
    assert not re.search(r"(https?:|wss?:)?//[a-z0-9.-]+\.[a-z]{2,}", text, re.I)
    assert "<script" not in text and "Feature drift" in text and "gate: psi" in text


def test_bad_rules_and_bad_options_are_one_line(work) -> None:
    r = run("monitor", "old/model.json", "data.csv", "--fail-on", "psi>>1", cwd=work)
    assert r.returncode == 2 and r.stderr.startswith("error: --fail-on: cannot read the rule 'psi>>1'")
    r = run("predict", "old/model.json", "data.csv", "--on-violation", "explode", cwd=work)
    assert r.returncode == 2 and "--on-violation must be one of error, warn, ignore" in r.stderr


def test_predict_and_evaluate_check_the_contract(work) -> None:
    r = run("predict", "old/model.json", "far.csv", "--out", "p.csv", cwd=work)
    assert r.returncode == 0 and (work / "p.csv").exists()
    assert "warning: column 'mean radius':" in r.stderr and "outside the training range" in r.stderr
    r = run("predict", "old/model.json", "far.csv", "--out", "p_err.csv", "--on-violation", "error", cwd=work)
    assert r.returncode == 2 and r.stderr.startswith("error: 1 contract violation(s) (--on-violation error): "
                                                     "column 'mean radius'")
    assert not (work / "p_err.csv").exists()
    streamed = run("predict", "old/model.json", "far.csv", "--out", "p_s.csv", "--out-of-core",
                   "--batch-rows", "100", cwd=work)
    assert [ln for ln in streamed.stderr.splitlines() if ln.startswith("warning")] == \
        [ln for ln in r.stderr.replace("error: 1 contract violation(s) (--on-violation error): ", "warning: ")
         .splitlines()]
    pd.testing.assert_frame_equal(pd.read_csv(work / "p.csv"), pd.read_csv(work / "p_s.csv"))
    r = run("evaluate", "old/model.json", "far.csv", "--json", "--on-violation", "warn", cwd=work)
    doc = json.loads(r.stdout)
    assert [v["kind"] for v in doc["violations"]] == ["out_of_range"]
    assert doc["violations"][0]["message"] in r.stderr


def test_evaluate_slice_by(work) -> None:
    frame = pd.read_csv(work / "data.csv")
    frame["size"] = pd.cut(frame["mean area"], [0, 500, 800, 10_000], labels=["small", "medium", "large"])
    frame.to_csv(work / "sliced.csv", index=False)
    r = run("evaluate", "old/model.json", "sliced.csv", "--slice-by", "size", "--json", "--on-violation", "ignore",
            cwd=work)
    assert r.returncode == 0, r.stderr
    s = json.loads(r.stdout)["slices"]
    assert [row["slice"] for row in s["slices"]] == ["size=small", "size=medium", "size=large"]
    assert sum(row["n"] for row in s["slices"]) == 569
    assert all(row["roc_auc_ci"][0] <= row["roc_auc"] <= row["roc_auc_ci"][1] for row in s["slices"]
               if row["roc_auc"] == row["roc_auc"])
    table = run("evaluate", "old/model.json", "sliced.csv", "--slice-by", "size", "--on-violation", "ignore", cwd=work)
    assert "metrics by size" in table.stdout and "size=medium" in table.stdout.replace("\n", "")
    # train --slice-by: the held-out part's slices in the report's section
    r = run("train", "sliced.csv", "--target", "diagnosis", "--slice-by", "size", "--out", "sliced_model", "-q",
            cwd=work)
    assert r.returncode == 0, r.stderr
    page = (work / "sliced_model" / "report.html").read_text()
    assert "<section id='slices'>" in page and "Sliced evaluation by size" in page and "size=large" in page


def test_evaluate_out_of_core_on_a_directory(work) -> None:
    parts = work / "parts"
    parts.mkdir(exist_ok=True)
    frame = pd.read_csv(work / "far.csv")
    frame.iloc[:300].to_parquet(parts / "a.parquet", index=False)
    frame.iloc[300:].to_parquet(parts / "b.parquet", index=False)
    whole = json.loads(run("evaluate", "old/model.json", "far.csv", "--json", cwd=work).stdout)
    r = run("evaluate", "old/model.json", "parts", "--out-of-core", "--batch-rows", "64", "--json", cwd=work)
    assert r.returncode == 0, r.stderr
    streamed = json.loads(r.stdout)
    assert streamed["confusion_matrix"] == whole["confusion_matrix"]
    assert streamed["violations"] == whole["violations"] and "warning: column 'mean radius'" in r.stderr
    for key, value in whole["metrics"].items():
        tol = 1e-4 if key in ("roc_auc", "average_precision") else 1e-12
        assert streamed["metrics"][key] == pytest.approx(value, rel=tol, abs=tol), key


def test_compare_champion_and_challenger(work) -> None:
    r = run("compare", "old/model.json", "new/model.json", "data.csv", "--json", cwd=work)
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    rows = {row["metric"]: row for row in doc["rows"]}
    assert rows["roc_auc"]["method"] == "DeLong" and rows["log_loss"]["method"] == "bootstrap"
    assert rows["log_loss"]["difference"] > 0 and rows["log_loss"]["better"] == "old"  # λ = 30 underfits
    lo, hi = rows["roc_auc"]["ci"]
    assert lo < rows["roc_auc"]["difference"] < hi
    table = run("compare", "old/model.json", "new/model.json", "data.csv", cwd=work)
    assert "roc_auc" in table.stdout and "DeLong" in table.stdout
