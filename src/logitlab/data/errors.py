"""The error and warning data problems raise, and the small helpers their messages use."""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["DataError", "DataWarning", "shown", "json_value", "is_number"]


class DataError(ValueError):
    """Bad input from the user: the message is one line, says what is wrong and what to do."""


class DataWarning(UserWarning):
    """Something about the data the user should know (e.g. a constant column left out); one line."""


def shown(values: Any, limit: int = 5) -> str:
    """Values for a message: their reprs (numpy scalars as Python's), the first ``limit`` of them."""
    vals = [v.item() if isinstance(v, np.generic) else v for v in values]  # 1, not np.int64(1)
    out = ", ".join(repr(v) for v in vals[:limit])
    return out + (f", … ({len(vals)} in all)" if len(vals) > limit else "")


def json_value(v: Any) -> Any:
    """A label as a plain JSON value (numpy scalars → Python)."""
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, float) and v.is_integer():
        return int(v)
    return v


def is_number(v: Any) -> bool:
    """Whether ``float(v)`` succeeds."""
    try:
        float(v)
    except (TypeError, ValueError):
        return False
    return True
