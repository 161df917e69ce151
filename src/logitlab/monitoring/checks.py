"""The contract checked at scoring: missing, extra and retyped columns, values beyond the
training range by more than a margin, unseen categories and missing-value rates.

A :class:`ContractChecker` counts per chunk (:meth:`update`) and adds chunks (:meth:`merge`);
the violations are decided on the totals, so a file scored in one piece, streamed in chunks or
spread over Dask partitions gives the same lines.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import binom

from ..data import DataError
from .contract import Contract, compatible_types, type_family
from .thresholds import MISSING_ALPHA, ON_VIOLATION, RANGE_MARGIN, SHOW_VALUES, UNSEEN_POLICIES

__all__ = ["Violation", "ContractChecker", "ContractViolationError", "respond", "check_option"]

#: distinct unseen values remembered per column (the message shows the most frequent)
_KEEP_UNSEEN = 1000


class ContractViolationError(DataError):
    """Scoring data broke the model's contract and the response is "error"."""

    def __init__(self, violations: list[Violation], why: str = "--on-violation error") -> None:
        self.violations = violations
        lines = "; ".join(v.message for v in violations)
        super().__init__(f"{len(violations)} contract violation(s) ({why}): {lines}")


@dataclass
class Violation:
    """One broken clause: its kind, the column, one line naming both and the figure."""

    kind: str  # missing_column | extra_column | retyped | out_of_range | unseen_category | missing_rate
    column: str
    message: str
    figures: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def check_option(name: str, value: str, allowed: tuple[str, ...]) -> str:
    """``value`` if it is one of ``allowed``, else a one-line error naming the choices."""
    if value not in allowed:
        raise DataError(f"{name} must be one of {', '.join(allowed)}; got {value!r}.")
    return value


def _fmt(v: float) -> str:
    return f"{v:.6g}"


@dataclass
class _Counts:
    n: int = 0
    missing: int = 0
    below: int = 0
    above: int = 0
    lowest: float = np.inf
    highest: float = -np.inf
    unseen: Counter = field(default_factory=Counter)

    def add(self, other: _Counts) -> None:
        self.n += other.n
        self.missing += other.missing
        self.below += other.below
        self.above += other.above
        self.lowest = min(self.lowest, other.lowest)
        self.highest = max(self.highest, other.highest)
        self.unseen.update(other.unseen)


class ContractChecker:
    """Counts what the data do against the contract, chunk by chunk."""

    def __init__(self, contract: Contract | dict[str, Any], margin: float = RANGE_MARGIN,
                 missing_alpha: float = MISSING_ALPHA) -> None:
        self.contract = contract if isinstance(contract, Contract) else Contract(contract)
        if not (np.isfinite(margin) and margin >= 0):
            raise DataError(f"the range margin must be a number ≥ 0; got {margin!r}.")
        self.margin, self.missing_alpha = float(margin), float(missing_alpha)
        self.schema: list[Violation] | None = None
        self.counts = {name: _Counts() for name in self.contract.features}
        self.bounds = {}
        for name, f in self.contract.features.items():
            if f["kind"] == "numeric" and f.get("min") is not None:
                width = self.margin * (f["max"] - f["min"])
                self.bounds[name] = (f["min"] - width, f["max"] + width)

    # -- columns -------------------------------------------------------------------------------
    def check_schema(self, types: dict[str, Any]) -> list[Violation]:
        """Missing, extra and retyped columns, from the data's column → dtype (once per source)."""
        if self.schema is not None:
            return self.schema
        found: list[Violation] = []
        seen = {str(k): type_family(v) for k, v in types.items()}
        for name, f in self.contract.features.items():
            if name not in seen:
                found.append(Violation("missing_column", name,
                                       f"column {name!r}: missing from the data; the model needs it", {}))
            elif not compatible_types(f["type"], seen[name]):
                found.append(Violation("retyped", name, f"column {name!r}: read as {seen[name]}, trained as "
                                       f"{f['type']}", {"trained": f["type"], "seen": seen[name]}))
        for name in seen:
            if name not in self.contract.columns:
                found.append(Violation("extra_column", name,
                                       f"column {name!r}: not in the training data (extra column, ignored)", {}))
        self.schema = found
        return found

    # -- values --------------------------------------------------------------------------------
    def update(self, frame: pd.DataFrame) -> ContractChecker:
        """Count one chunk (the schema is checked on the first)."""
        self.check_schema(dict(frame.dtypes.items()))
        for name, f in self.contract.features.items():
            if name not in frame.columns:
                continue
            s = frame[name]
            c = self.counts[name]
            miss = s.isna().to_numpy()
            c.n += miss.size
            c.missing += int(miss.sum())
            if f["kind"] == "numeric":
                if name in self.bounds and type_family(s.dtype) in ("number", "boolean"):
                    v = s.to_numpy(dtype=np.float64, na_value=np.nan)[~miss]
                    lo, hi = self.bounds[name]
                    below, above = v < lo, v > hi
                    c.below += int(below.sum())
                    c.above += int(above.sum())
                    if below.any():
                        c.lowest = min(c.lowest, float(v[below].min()))
                    if above.any():
                        c.highest = max(c.highest, float(v[above].max()))
            else:
                text = s[~miss].astype(str)
                odd = text[~text.isin(list(f["counts"]))].value_counts()
                new = Counter(dict(zip(odd.index, odd.to_numpy().tolist(), strict=True)))
                if new and len(c.unseen) < _KEEP_UNSEEN:
                    c.unseen.update(dict(new.most_common(_KEEP_UNSEEN - len(c.unseen))))
                c.unseen["\0total"] += sum(new.values())
        return self

    def merge(self, other: ContractChecker) -> ContractChecker:
        """Add another checker's counts (chunks of the same data)."""
        if self.schema is None:
            self.schema = other.schema
        for name, c in other.counts.items():
            self.counts[name].add(c)
        return self

    @property
    def n_rows(self) -> int:
        return max((c.n for c in self.counts.values()), default=0)

    def unseen_total(self, name: str) -> int:
        return int(self.counts[name].unseen.get("\0total", 0))

    def violations(self) -> list[Violation]:
        """Every violation on the counts so far, in the contract's column order."""
        found = list(self.schema or [])
        for name, f in self.contract.features.items():
            c = self.counts[name]
            if c.n == 0:
                continue
            found += self._missing_rate(name, f, c) + self._range(name, f, c) + self._unseen(name, c)
        return found

    def _missing_rate(self, name: str, f: dict, c: _Counts) -> list[Violation]:
        share, trained = c.missing / c.n, float(f.get("missing_share") or 0.0)
        if c.missing == 0 or share <= trained:
            return []
        pvalue = float(binom.sf(c.missing - 1, c.n, trained))
        if pvalue >= self.missing_alpha:
            return []
        return [Violation("missing_rate", name, f"column {name!r}: {share:.2%} missing ({c.missing} of {c.n}), "
                          f"training {trained:.2%}", {"share": share, "count": c.missing, "n": c.n,
                                                      "training_share": trained, "pvalue": pvalue})]

    def _range(self, name: str, f: dict, c: _Counts) -> list[Violation]:
        k = c.below + c.above
        if k == 0:
            return []
        lo, hi = self.bounds[name]
        extreme = c.lowest if (c.above == 0 or (c.below and lo - c.lowest > c.highest - hi)) else c.highest
        msg = (f"column {name!r}: {k} value(s) ({k / c.n:.2%}) outside the training range [{_fmt(f['min'])}, "
               f"{_fmt(f['max'])}] by more than the margin (allowed [{_fmt(lo)}, {_fmt(hi)}]); most extreme "
               f"{_fmt(extreme)}")
        return [Violation("out_of_range", name, msg, {"count": k, "share": k / c.n, "below": c.below,
                                                      "above": c.above, "min": f["min"], "max": f["max"],
                                                      "allowed": [lo, hi], "most_extreme": extreme})]

    def _unseen(self, name: str, c: _Counts) -> list[Violation]:
        k = self.unseen_total(name)
        if k == 0:
            return []
        values = [v for v, _ in c.unseen.most_common() if v != "\0total"]
        shown = ", ".join(repr(v) for v in values[:SHOW_VALUES]) + (
            f", … ({len(values)} in all)" if len(values) > SHOW_VALUES else "")
        msg = f"column {name!r}: {k} value(s) ({k / c.n:.2%}) in categories never seen in training: {shown}"
        return [Violation("unseen_category", name, msg, {"count": k, "share": k / c.n, "values": values[:50]})]


def respond(violations: list[Violation], on_violation: str, warn: Any) -> None:
    """Act on violations: raise (error), call ``warn(line)`` once per violation (warn), or nothing."""
    check_option("--on-violation", on_violation, ON_VIOLATION)
    if not violations or on_violation == "ignore":
        return
    if on_violation == "error":
        raise ContractViolationError(violations)
    for v in violations:
        warn(v.message)


def unseen_policy(value: str) -> str:
    """The unseen-category policy, checked."""
    return check_option("--unseen", value, UNSEEN_POLICIES)
