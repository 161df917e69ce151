"""After training: the data contract, sliced evaluation, drift and calibration monitoring, the
rollback gate and champion/challenger comparison (issue 18).

Imports are lazy, as in :mod:`logitlab`: each name loads its module on first use.
"""

from __future__ import annotations

import importlib
from typing import Any

_LAZY = {
    "record_contract": "contract",
    "record_contract_for": "estimators",
    "saved_model_of": "estimators",
    "Contract": "contract",
    "ContractChecker": "checks",
    "ContractViolationError": "checks",
    "Violation": "checks",
    "check_contract": "checking",
    "score_frame": "scoring",
    "monitor": "monitor",
    "MonitorReport": "monitor",
    "evaluate_slices": "slices",
    "compare_models": "compare",
    "parse_rules": "gate",
    "evaluate_gate": "gate",
    "expected_performance": "expected",
    "psi": "drift",
    "ks_on_grid": "drift",
    "chi2_categories": "drift",
    "expected_calibration_error": "scores",
}

__all__ = sorted(_LAZY)


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'logitlab.monitoring' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
