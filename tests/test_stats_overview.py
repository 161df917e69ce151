"""`logitlab train --summary` and the report's Statistics section show the diagnostics beside
the coefficient table: Hosmer–Lemeshow, average marginal effects, the most influential rows —
with the numbers of the library functions on the same fit."""

from __future__ import annotations

import re

import pytest

from logitlab import LogisticRegression
from logitlab.datasets import load_dataset
from logitlab.stats.diagnostics import goodness_of_fit, influence
from logitlab.stats.margins import marginal_effects
from logitlab.stats.overview import diagnostics_overview


def test_overview_is_the_library_functions():
    df, target = load_dataset("anes96")
    m = LogisticRegression(lam=0).fit(df[["selfLR", "PID", "age"]], df[target])
    o = diagnostics_overview(m, top=3)
    assert o.hosmer_lemeshow.statistic == goodness_of_fit(m).statistic
    assert o.margins.equals(marginal_effects(m))
    assert list(o.influential.index) == list(influence(m).nlargest(3, "cooks_d").index)
    assert "Hosmer–Lemeshow: χ²(8)" in o.to_text() and "<h3>Average marginal effects" in o.to_html()


def test_cli_summary_and_report_show_the_diagnostics(tmp_path):
    from typer.testing import CliRunner

    from logitlab.cli import app

    r = CliRunner().invoke(app, ["train", "-d", "hours", "--lam", "0", "--test-size", "0",
                                 "--summary", "-o", str(tmp_path / "out")])
    assert r.exit_code == 0, r.output
    df, target = load_dataset("hours")
    m = LogisticRegression(lam=0).fit(df.drop(columns=target), df[target])
    hl = goodness_of_fit(m)
    shown = re.search(r"Hosmer–Lemeshow: χ²\((\d+)\) = ([0-9.]+)", r.stdout)
    assert shown and int(shown.group(1)) == hl.dof
    assert float(shown.group(2)) == pytest.approx(hl.statistic, abs=5e-5)
    assert "Average marginal effects" in r.stdout and "Most influential rows" in r.stdout
    page = (tmp_path / "out" / "report.html").read_text()
    section = page[page.index("id='statistics'"):]
    section = section[: section.index("</section>")]
    assert "Hosmer–Lemeshow" in section and "Most influential rows" in section
