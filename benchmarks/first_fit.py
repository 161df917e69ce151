"""Fresh-process first fit: ``import`` plus the first ``fit``, timed in a new interpreter.

The data are generated before the clock starts; what is timed is what a user waits for the
first time: importing the library (and loading cached compiled kernels) and fitting once.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

from .problems import calibration

__all__ = ["first_fit_table"]

_CASES = {
    "dense_l2": ("logitlab.LogisticRegression(lam=P.lam)",
                 "sklearn.linear_model.LogisticRegression(C=1/P.lam)"),
    "tfidf_l2": ("logitlab.LogisticRegression(lam=P.lam)",
                 "sklearn.linear_model.LogisticRegression(C=1/P.lam)"),
    "tfidf_l1": ("logitlab.LogisticRegression(lam=P.lam, l1_ratio=1.0)",
                 "sklearn.linear_model.LogisticRegression(C=1/P.lam, l1_ratio=1.0, solver='saga')"),
}

_SCRIPT = """
import sys, time, json
sys.path.insert(0, {root!r})
from benchmarks.problems import make_problem
P = make_problem({name!r}, {scale!r}, **{known!r})
assert "logitlab" not in sys.modules  # the problem was built without fitting anything
t = time.perf_counter()
import {module}
model = {ctor}
model.fit(P.X, P.y)
print(json.dumps(time.perf_counter() - t))
"""


def _fresh(name: str, scale: float, module: str, ctor: str, known: dict) -> float:
    code = _SCRIPT.format(root=str(Path(__file__).resolve().parent.parent), name=name, scale=scale,
                          module=module, ctor=ctor, known=known)
    out = subprocess.run([sys.executable, "-W", "ignore", "-c", textwrap.dedent(code)],
                         capture_output=True, text=True, check=True)
    return float(json.loads(out.stdout.strip().splitlines()[-1]))


def first_fit_table(scale: float = 1.0, names: list[str] | None = None, log=print) -> dict:
    """Import + first fit in a fresh process, logitlab default vs scikit-learn default."""
    rows = []
    for name in names or list(_CASES):
        ours_ctor, sk_ctor = _CASES[name]
        # a λ found by fits is found here, so that the fresh processes only rebuild the data
        known = calibration(name, scale)
        ours = _fresh(name, scale, "logitlab", ours_ctor, known)
        sk = _fresh(name, scale, "sklearn.linear_model", sk_ctor, known)
        rows.append({"problem": name, "logitlab": ours, "sklearn": sk})
        log(f"  first fit {name}: logitlab {ours:.2f} s, scikit-learn {sk:.2f} s")
    md = ["Fresh process, import + first fit (data generated before the clock starts):", "",
          "| problem | logitlab (default) | scikit-learn (default solver, its tol) | ratio |",
          "| --- | --- | --- | --- |"]
    md += [f"| {r['problem']} | {r['logitlab']:.2f} s | {r['sklearn']:.2f} s | {r['logitlab'] / r['sklearn']:.2f} |"
           for r in rows]
    return {"rows": rows, "markdown": "\n".join(md) + "\n"}
