"""The README's statistics example runs as pasted (on the bundled data) and prints counts as
integers."""

from __future__ import annotations

import contextlib
import io
import re
import warnings
from pathlib import Path


def test_readme_statistics_example_runs_as_pasted():
    text = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    section = text[text.index("## Statistics: inference"):]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    out = io.StringIO()
    with contextlib.redirect_stdout(out), warnings.catch_warnings():
        warnings.simplefilter("error")  # no warning either: the example is clean
        exec(compile(code, "README.md", "exec"), {})
    printed = out.getvalue()
    assert "No. observations                 944" in printed and "944.0" not in printed
    assert "C(PID)6" in printed and "age:educ" in printed
    assert "Complete separation" in printed and "Firth" in printed
