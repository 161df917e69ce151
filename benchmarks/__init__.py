"""logitlab's solver benchmark: problems × solvers (logitlab and its peers) × tolerances.

``python -m benchmarks --quick`` (a few minutes) or ``python -m benchmarks`` (the full suite,
under an hour on 2 cores) writes ``benchmarks/results/results.md``, ``results.json`` and
``time_to_1e-6.png``. Not part of the test suite; ``tests/test_solvers_agree.py`` only checks
that it runs on a tiny problem.
"""

from .problems import PROBLEMS, Problem, make_problems
from .run import run_benchmark

__all__ = ["PROBLEMS", "Problem", "make_problems", "run_benchmark"]
