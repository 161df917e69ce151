"""logitlab's solver benchmark: problems × solvers (logitlab and its peers) × tolerances × threads.

``python -m benchmarks --quick`` (a few minutes) or ``python -m benchmarks`` (the core suite,
under an hour on 2 cores); ``--suite wide`` adds issue 20's sparse text families, ``--suite
small`` the small dense problems. Writes ``results.md``, ``results.json`` and
``suboptimality.png`` to a temporary directory unless ``--out`` names one. Not part of the
test suite; ``tests/test_benchmarks.py`` checks the problems, peers and plumbing at tiny sizes.
"""

from .problems import PROBLEMS, Problem, make_problems
from .run import run_benchmark

__all__ = ["PROBLEMS", "Problem", "make_problems", "run_benchmark"]
