"""Issue 19 through the real command: bad files, options and model files end in exit status 2 and
one ``error:`` line saying what is wrong and what to do, before any fit, and nothing is written
or replaced. Each case failed on the code before the fix (a traceback, exit 1, a silent
reinterpretation, or a replaced model.json).
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

ENV = {k: v for k, v in os.environ.items() if k != "LOGITLAB_DEBUG"}
N = 300


def frame(n: int = N, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    df = pd.DataFrame({"a": rng.normal(size=n).round(6), "b": rng.normal(size=n).round(6)})
    df["y"] = (rng.random(n) < 1 / (1 + np.exp(-(df.a - df.b)))).astype(int)
    return df


def first_held_out_row(test_size: float = 0.25, seed: int = 0) -> int:
    """Index of the first row the streamed split holds out (its seeded hash of the position)."""
    from logitlab.outofcore import row_uniform

    return int(np.flatnonzero(row_uniform(seed, 0, N) < test_size)[0])


def _write_files(d: Path) -> None:
    df = frame()
    df.to_csv(d / "good.csv", index=False)
    df.to_parquet(d / "good.parquet")
    junk = df.assign(a=df.a.astype(object))
    junk.loc[17, "a"] = "abc"
    junk.to_csv(d / "junk.csv", index=False)
    comma = df.assign(a=df.a.astype(object))
    comma.loc[5, "a"] = "1,5"
    comma.to_csv(d / "comma.csv", index=False)
    q = df.assign(n=np.arange(N) % 7).astype({"n": object})
    q.loc[9, "n"] = "?"
    q.to_csv(d / "qmark.csv", index=False)
    rng = np.random.default_rng(1)
    df.assign(col=rng.choice(["a", "b"], N), **{"col=b": rng.normal(size=N)}).to_csv(d / "collide.csv", index=False)
    df.assign(city=rng.choice(["Malmö", "Göteborg"], N)).to_csv(d / "latin1.csv", index=False, encoding="latin-1")
    import pyarrow as pa
    import pyarrow.parquet as pq

    pq.write_table(pa.table({"a": df.a, "y": df.y, "tags": pa.array([[1, 2]] * N)}), d / "lists.parquet")
    df.assign(t=np.arange(N) % 3).to_csv(d / "three.csv", index=False)
    huge = df.copy()
    huge.loc[3, "a"] = 1.7e308
    huge.to_csv(d / "huge.csv", index=False)
    held = df.copy()
    held.loc[first_held_out_row(), "a"] = np.nan
    held.to_parquet(d / "heldnan.parquet")
    (d / "emptydir").mkdir()
    (d / "mixed").mkdir()
    df.iloc[:150].to_parquet(d / "mixed" / "p1.parquet")
    df.iloc[150:].to_csv(d / "mixed" / "p2.csv", index=False)
    (d / "schemas").mkdir()
    df.iloc[:150].to_parquet(d / "schemas" / "p1.parquet")
    df.iloc[150:].drop(columns="b").assign(c=1.0).to_parquet(d / "schemas" / "p2.parquet")
    (d / "ckdir").mkdir()
    (d / "garbage.npz").write_text("not a checkpoint\n")
    meta = dict(key=np.array("k"), history=np.zeros(1), n_iter=np.array(1), n_passes=np.array(1.0))
    np.savez(d / "shape.npz", theta=np.zeros(5), **meta)
    np.savez(d / "nan.npz", theta=np.array([np.nan, 0.0, 0.0]), **meta)
    (d / "preddir").mkdir()
    (d / "nested.json").write_text("[" * 100_000 + "]" * 100_000)
    with (d / "big.json").open("wb") as fh:
        fh.truncate(51 * 2**20)


@pytest.fixture(scope="module")
def work(tmp_path_factory) -> Path:
    from logitlab.cli import app

    d = tmp_path_factory.mktemp("hardening")
    _write_files(d)
    r = CliRunner().invoke(app, ["train", str(d / "good.csv"), "-t", "y", "--no-report", "-q", "-o", str(d / "m")])
    assert r.exit_code == 0, r.output
    shutil.move(d / "m" / "model.json", d / "model.json")
    (d / "m").rmdir()
    doc = json.loads((d / "model.json").read_text())
    doc["labels"]["positive"] = doc["labels"]["negative"]
    (d / "samelabels.json").write_text(json.dumps(doc))
    for out in ("prev", "prevdir"):  # an earlier run's outputs, which a failing run must leave as they are
        (d / out).mkdir()
        (d / out / "model.json").write_text("OLD MODEL")
    (d / "prev" / "report.html").write_text("OLD REPORT")
    (d / "prevdir" / "report.html").mkdir()  # report.html cannot be written: model.json must stay
    return d


TRAIN = ("train", "-t", "y", "-o", "prev", "-q")
CASES = {
    # item 3: outputs land together or not at all, checked before the fit
    "report.html is a directory": (("train", "good.csv", "-t", "y", "-o", "prevdir"),
                                   ["prevdir/report.html is a directory"]),
    "predict -o a directory": (("predict", "model.json", "good.csv", "-o", "preddir"), ["preddir is a directory"]),
    # item 5 and the streamed inputs
    "held-out NaN, streamed": ((*TRAIN, "heldnan.parquet", "--out-of-core"),
                               [f"data row {first_held_out_row() + 1} (a held-out row)", "missing (NaN)"]),
    "empty directory": ((*TRAIN, "emptydir", "--out-of-core"), ["holds no data files"]),
    "Parquet and CSV mixed": ((*TRAIN, "mixed", "--out-of-core"), ["mixes Parquet and CSV"]),
    "Parquet schemas differ": ((*TRAIN, "schemas", "--out-of-core"), ["p2.parquet has other columns", "lacks 'b'"]),
    # checkpoints
    "checkpoint is a directory": ((*TRAIN, "good.parquet", "--out-of-core", "--checkpoint", "ckdir"),
                                  ["--checkpoint ckdir is a directory"]),
    "checkpoint is garbage": ((*TRAIN, "good.parquet", "--out-of-core", "--checkpoint", "garbage.npz"),
                              ["not a logitlab checkpoint", "delete it"]),
    "checkpoint of the wrong shape": ((*TRAIN, "good.parquet", "--out-of-core", "--checkpoint", "shape.npz"),
                                      ["shape (5,)", "3 parameters"]),
    "checkpoint with NaN": ((*TRAIN, "good.parquet", "--out-of-core", "--checkpoint", "nan.npz"),
                            ["missing or infinite", "delete it"]),
    "checkpoint in memory": ((*TRAIN, "good.csv", "--checkpoint", "fit.npz"), ["streamed fits only", "--out-of-core"]),
    # cells and columns
    "junk in a numeric column": ((*TRAIN, "junk.csv"), ["'abc' (data row 18)", "--drop 'a'"]),
    "decimal comma": ((*TRAIN, "comma.csv"), ["'1,5' (data row 6)", "decimals with a point"]),
    "? in an integer column": ((*TRAIN, "qmark.csv"), ["'?' (data row 10)", "marks a missing value"]),
    "column-name collision": ((*TRAIN, "collide.csv"), ["'col=b'", "rename one of those columns"]),
    "latin-1 CSV": ((*TRAIN, "latin1.csv"), ["not UTF-8", "data row 1", "iconv"]),
    "Parquet list column": ((*TRAIN, "lists.parquet"), ["'tags' holds lists", "--drop 'tags'"]),
    "numpy reprs": ((*TRAIN, "three.csv", "-t", "t"), ["it has 3 (0, 1, 2)"]),
    "feature at 1.7e308": ((*TRAIN, "huge.csv"), ["'a' holds 1.7e+308 at data row 4", "rescale"]),
    # model files
    "deeply nested model JSON": (("predict", "nested.json", "good.csv"), ["nested too deeply"]),
    "model file over the limit": (("predict", "big.json", "good.csv"), ["51 MiB", "at most 50 MiB"]),
    "equal labels in the model": (("evaluate", "samelabels.json", "good.csv"), ["labels are both 0"]),
    # option values no fit can use
    "--tol inf": ((*TRAIN, "good.csv", "--tol", "inf"), ["--tol must be a finite number > 0"]),
    "negative cost": ((*TRAIN, "good.csv", "--cost-fp", "-1"), ["--cost-fp must be a finite number ≥ 0"]),
    "NaN cost": ((*TRAIN, "good.csv", "--cost-fn", "nan"), ["--cost-fn must be a finite number ≥ 0"]),
    # the lab's options
    "lab --port 99999": (("lab", "--port", "99999"), ["--port 99999 is not a port number"]),
}


@pytest.mark.parametrize("case", list(CASES))
def test_bad_input_is_one_line_and_writes_nothing(work: Path, case: str, monkeypatch) -> None:
    from logitlab.cli import app

    monkeypatch.chdir(work)
    monkeypatch.delenv("LOGITLAB_DEBUG", raising=False)
    args, expected = CASES[case]
    before = sorted(p.relative_to(work) for p in work.rglob("*"))
    r = CliRunner().invoke(app, list(args))
    lines = [ln for ln in r.stderr.splitlines() if ln.strip()]
    assert r.exit_code == 2, (r.exit_code, r.output)
    assert len(lines) == 1 and lines[0].startswith("error: "), r.stderr
    for text in expected:
        assert text in lines[0], lines[0]
    assert "np." not in lines[0] and "Traceback" not in r.output
    assert sorted(p.relative_to(work) for p in work.rglob("*")) == before  # nothing new, no temporary file
    for out in ("prev", "prevdir"):
        assert (work / out / "model.json").read_text() == "OLD MODEL"


def test_constant_columns_are_left_out_with_a_warning(work: Path, tmp_path: Path) -> None:
    from logitlab.cli import app

    df = frame().assign(k=3.0, city="Lund")
    df.to_csv(tmp_path / "const.csv", index=False)
    r = CliRunner().invoke(app, ["train", str(tmp_path / "const.csv"), "-t", "y", "--no-report", "-q",
                                 "-o", str(tmp_path / "o")])
    assert r.exit_code == 0, r.output
    warned = [ln for ln in r.stderr.splitlines() if ln.startswith("warning:")]
    assert warned == ["warning: column 'k' is constant (3.0 in every row) and is left out: it carries no information.",
                      "warning: column 'city' is constant ('Lund' in every row) and is left out: it carries no "
                      "information."]
    model = json.loads((tmp_path / "o" / "model.json").read_text())
    assert model["coefficients"]["names"] == ["a", "b"]


def test_write_outputs_lands_all_files_or_none(tmp_path: Path, monkeypatch) -> None:
    """A rename failing after another file was renamed puts that file back (and removes a new one)."""
    from logitlab.cli import outputs

    (tmp_path / "model.json").write_text("OLD MODEL")
    real = os.replace
    calls = []

    def failing_second(src, dst):
        calls.append(dst)
        if len(calls) == 2:
            raise OSError(28, "No space left on device", str(dst))
        return real(src, dst)

    monkeypatch.setattr(outputs.os, "replace", failing_second)
    files = {tmp_path / "model.json": "NEW MODEL", tmp_path / "report.html": "NEW REPORT"}
    with pytest.raises(outputs.OutputError, match="No space left on device.*no output file was changed"):
        outputs.write_outputs(files)
    monkeypatch.setattr(outputs.os, "replace", real)
    assert (tmp_path / "model.json").read_text() == "OLD MODEL"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.json"]


def run(*args: str, cwd: Path, prefix: tuple[str, ...] = ()) -> subprocess.CompletedProcess:
    return subprocess.run([*prefix, sys.executable, "-m", "logitlab", *map(str, args)], cwd=cwd,
                          capture_output=True, text=True, env=ENV, timeout=300)


def test_huge_coefficients_predict_and_evaluate_without_warnings(work: Path, tmp_path: Path) -> None:
    doc = json.loads((work / "model.json").read_text())
    doc["coefficients"]["values"] = [1.5e308, 1.5e308]
    doc["intercept"] = -1.5e308  # z = 1.5e308·(a + b − 1): overflows to ±inf on most rows
    (tmp_path / "huge.json").write_text(json.dumps(doc))
    pred = run("predict", tmp_path / "huge.json", work / "good.csv", cwd=tmp_path)
    ev = run("evaluate", tmp_path / "huge.json", work / "good.csv", "--json", cwd=tmp_path)
    for r in (pred, ev):
        assert r.returncode == 0, r.stderr
        assert "Warning" not in r.stderr and "overflow" not in r.stderr, r.stderr
    df = frame()
    p = pd.read_csv(pd.io.common.StringIO(pred.stdout))["probability"].to_numpy()
    s = (df.a + df.b - 1).to_numpy()
    np.testing.assert_array_equal(p[s != 0], (s[s != 0] > 0).astype(float))
    assert json.loads(ev.stdout)["metrics"]["n"] == N


def _read_only_prefix(path: Path) -> tuple[str, ...]:
    """A command prefix that runs the command with ``path`` bind-mounted read-only (a real EROFS)."""
    unshare = shutil.which("unshare")
    if unshare is None:
        pytest.skip("needs unshare(1) to mount a read-only file system")
    probe = subprocess.run([unshare, "-rm", "sh", "-c", f"mount --bind -o ro {path} {path} && touch {path}/x"],
                           capture_output=True, text=True)
    if "Read-only file system" not in probe.stderr:
        pytest.skip(f"cannot mount a read-only file system here ({probe.stderr.strip()[:80]})")
    return (unshare, "-rm", "sh", "-c", f'mount --bind -o ro {path} {path} && exec "$@"', "sh")


def test_read_only_out_is_refused_before_the_fit(work: Path, tmp_path: Path) -> None:
    ro = tmp_path / "ro"
    ro.mkdir()
    (ro / "model.json").write_text("OLD MODEL")
    prefix = _read_only_prefix(ro)
    results = {
        "train": run("train", work / "good.csv", "-t", "y", "-o", ro, "-q", cwd=tmp_path, prefix=prefix),
        "predict": run("predict", work / "model.json", work / "good.csv", "-o", ro / "p.csv", cwd=tmp_path,
                       prefix=prefix),
        "checkpoint": run("train", work / "good.parquet", "--out-of-core", "-t", "y", "-o", tmp_path / "o",
                          "--checkpoint", ro / "fit.npz", "-q", cwd=tmp_path, prefix=prefix),
    }
    for name, r in results.items():
        lines = [ln for ln in r.stderr.splitlines() if ln.strip()]
        assert r.returncode == 2, (name, r.stderr)
        assert len(lines) == 1 and "cannot write in" in lines[0] and "Read-only file system" in lines[0], r.stderr
        assert "iteration" not in r.stderr  # refused before the fit
    assert (ro / "model.json").read_text() == "OLD MODEL"
    assert sorted(p.name for p in ro.iterdir()) == ["model.json"]
    assert not (tmp_path / "o").exists()


def test_lab_on_a_busy_port_is_one_line(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        r = run("lab", "--port", port, cwd=tmp_path)
    lines = [ln for ln in r.stderr.splitlines() if ln.strip()]
    assert r.returncode == 2, r.stderr
    assert len(lines) == 1 and lines[0].startswith("error: ") and f"127.0.0.1:{port}" in lines[0], r.stderr
    assert "running at" not in r.stdout
