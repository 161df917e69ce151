"""How feature columns become numbers: numeric as they are, text one-hot; every bad cell named with its row."""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from .errors import DataError, DataWarning, is_number, shown

__all__ = ["Encoding", "fit_encoding", "encode_features", "check_feature_scale", "MAX_CATEGORIES",
           "MAX_ABS_FEATURE", "NUMERIC_SHARE", "MISSING_MARKERS"]

#: default cap on the distinct values of a text column that is one-hot encoded
MAX_CATEGORIES = 50


def _kind(series: pd.Series) -> str:
    dt = series.dtype
    if pd.api.types.is_bool_dtype(dt) or pd.api.types.is_numeric_dtype(dt):
        return "numeric"
    if pd.api.types.is_datetime64_any_dtype(dt) or pd.api.types.is_timedelta64_dtype(dt):
        return "datetime"
    first = series.dropna().head(1).tolist()
    if first and isinstance(first[0], list | tuple | dict | np.ndarray):  # Parquet list/struct/map
        return "nested"
    return "categorical"


@dataclass
class Encoding:
    """How input columns become model features: numeric columns as they are, text columns
    one-hot against a reference level (the first in sorted order), named ``column=value``."""

    columns: list[dict[str, Any]]

    @property
    def feature_names(self) -> list[str]:
        names: list[str] = []
        for c in self.columns:
            if c["kind"] == "numeric":
                names.append(c["name"])
            else:
                names.extend(f"{c['name']}={v}" for v in c["categories"][1:])
        return names

    @property
    def input_columns(self) -> list[str]:
        return [c["name"] for c in self.columns]

    def to_dict(self) -> dict[str, Any]:
        return {"columns": self.columns, "feature_names": self.feature_names}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Encoding:
        return cls([dict(c) for c in d["columns"]])


def fit_encoding(
    frame: pd.DataFrame, target: str, drop: list[str] | None = None,
    max_categories: int = MAX_CATEGORIES,
) -> Encoding:
    """Decide each feature column's encoding from the training data (every column but the target).

    A constant column is left out with a :class:`DataWarning` (it carries no information)."""
    drop = list(drop or [])
    missing = [c for c in drop if c not in frame.columns]
    if missing:
        raise DataError(f"--drop names columns that are not in the data: {shown(missing)}.")
    cols: list[dict[str, Any]] = []
    for name in frame.columns:
        if name == target or name in drop:
            continue
        column = _encode_column(name, frame[name], max_categories)
        if column is not None:
            cols.append(column)
    if not cols:
        raise DataError(
            f"no feature columns are left besides the target {target!r}; the data needs at least one."
        )
    encoding = Encoding(cols)
    _check_unique_names(encoding)
    return encoding


def _encode_column(name: str, s: pd.Series, max_categories: int) -> dict[str, Any] | None:
    """One column's encoding, or None (with a warning) for a constant column."""
    kind = _kind(s)
    if kind == "datetime":
        raise DataError(
            f"column {name!r} holds dates/times, which the model cannot use as they are; "
            f"convert it to numbers or leave it out with --drop {name!r}."
        )
    if kind == "nested":
        raise DataError(
            f"column {name!r} holds lists or records, not one number or text per cell; "
            f"flatten it into columns or leave it out with --drop {name!r}."
        )
    if kind == "numeric":
        v = s.to_numpy(dtype=np.float64, na_value=np.nan)
        if v.size and not np.isnan(v).any() and np.all(v == v[0]):
            _constant(name, _json_scalar(s.iloc[0]))
            return None
        return {"name": name, "kind": "numeric"}
    if s.isna().any():
        _missing_error(name, s)
    _refuse_numeric_with_junk(name, s)
    cats = sorted({str(v) for v in s.to_numpy()})
    if len(cats) > max_categories:
        raise DataError(
            f"column {name!r} is not numeric and has {len(cats)} distinct values, too many to "
            f"one-hot encode (limit --max-categories {max_categories}); convert it to numbers, "
            f"leave it out with --drop {name!r}, or raise the limit."
        )
    if len(cats) < 2:
        _constant(name, cats[0])
        return None
    return {"name": name, "kind": "categorical", "categories": cats, "reference": cats[0]}


def _json_scalar(v: Any) -> Any:
    return v.item() if isinstance(v, np.generic) else v


def _constant(name: str, value: Any) -> None:
    warnings.warn(f"column {name!r} is constant ({value!r} in every row) and is left out: it carries "
                  "no information.", DataWarning, stacklevel=4)


#: a text column whose cells are numbers in at least this share of the rows is a numeric column
#: with bad cells (a typo, a missing-value marker such as '?', a decimal comma), not a category
NUMERIC_SHARE = 0.5


def _refuse_numeric_with_junk(name: str, s: pd.Series) -> None:
    """A mostly numeric text column: name its non-numbers and their rows instead of one-hot encoding."""
    text = s.astype(str).str.strip()
    numbers = pd.to_numeric(text, errors="coerce")
    if numbers.notna().sum() < NUMERIC_SHARE * len(text):
        return
    bad = np.flatnonzero(numbers.isna().to_numpy())
    firsts: dict[str, int] = {}
    for i in bad:
        firsts.setdefault(text.iloc[i], int(i) + 1)
    shown = ", ".join(f"{v!r} (data row {r})" for v, r in list(firsts.items())[:3])
    more = f" and {len(firsts) - 3} more" if len(firsts) > 3 else ""
    hints = []
    if any(v in MISSING_MARKERS for v in firsts):
        hints.append("if it marks a missing value, fill or drop those rows")
    if any(is_number(v.replace(",", ".")) for v in firsts):
        hints.append("write decimals with a point, e.g. 1.5")
    hint = "; ".join(hints + [f"fix them, or leave the column out with --drop {name!r}"])
    raise DataError(f"column {name!r} holds numbers except for {bad.size} cell(s): {shown}{more}; {hint}.")


#: cell texts that commonly mean "missing" in exported tables
MISSING_MARKERS = {"?", "NA", "N/A", "n/a", "na", "-", "--", ".", "null", "NULL", "None", "none", "missing"}


def _check_unique_names(encoding: Encoding) -> None:
    """One-hot names (``col=value``) must not collide with another column's name."""
    names = encoding.feature_names
    seen: set[str] = set()
    for n in names:
        if n in seen:
            owners = [c["name"] for c in encoding.columns
                      if (c["kind"] == "numeric" and c["name"] == n)
                      or (c["kind"] == "categorical" and n in (f"{c['name']}={v}" for v in c["categories"]))]
            raise DataError(
                f"two features would both be named {n!r} (from columns {shown(owners)}); rename one "
                f"of those columns in the file, or leave one out with --drop {owners[-1]!r}."
            )
        seen.add(n)


def _missing_error(name: str, s: pd.Series) -> None:
    bad = np.flatnonzero(s.isna().to_numpy())
    raise DataError(
        f"column {name!r} has {bad.size} missing value(s) (first at data row {bad[0] + 1}); "
        f"fill or drop those rows, or leave the column out with --drop {name!r}."
    )


def encode_features(frame: pd.DataFrame, encoding: Encoding) -> NDArray:
    """The float64 design matrix for ``frame`` under ``encoding``; columns matched by name."""
    missing = [c for c in encoding.input_columns if c not in frame.columns]
    if missing:
        raise DataError(
            f"the data lacks feature column(s) the model needs: {shown(missing)}; "
            "columns are matched by name, in any order."
        )
    blocks: list[NDArray] = []
    for c in encoding.columns:
        name, s = c["name"], frame[c["name"]]
        if c["kind"] == "numeric":
            if _kind(s) != "numeric":
                bad = [v for v in s.dropna().to_numpy() if not is_number(v)][:3]
                raise DataError(
                    f"column {name!r} must be numeric but holds text such as {shown(bad)}; "
                    "fix those values or leave the column out of the file."
                )
            v = s.to_numpy(dtype=np.float64, na_value=np.nan)
            if not np.all(np.isfinite(v)):
                nan, inf = np.isnan(v), np.isinf(v)
                first = int(np.flatnonzero(~np.isfinite(v))[0]) + 1
                what = " and ".join(
                    part for part, n in (("missing (NaN)", nan.sum()), ("infinite", inf.sum())) if n
                )
                raise DataError(
                    f"column {name!r} has {int((~np.isfinite(v)).sum())} {what} value(s) "
                    f"(first at data row {first}); fill or drop those rows before training or predicting."
                )
            blocks.append(v[:, None])
        else:
            if s.isna().any():
                _missing_error(name, s)
            vals = np.array([str(v) for v in s.to_numpy()], dtype=object)
            cats = c["categories"]
            unseen = sorted(set(vals) - set(cats))
            if unseen:
                raise DataError(
                    f"column {name!r} has values the model never saw in training ({shown(unseen)}); "
                    f"known values: {shown(cats)}."
                )
            blocks.append(np.column_stack([(vals == v).astype(np.float64) for v in cats[1:]]))
    return np.ascontiguousarray(np.hstack(blocks))


#: the largest |value| a feature may hold for training: the fit forms sums of squares and products
#: of the columns (variances, XᵀWX), which overflow past ~1e154; 1e100 leaves room for 1e108 rows
MAX_ABS_FEATURE = 1e100


def check_feature_scale(X: NDArray, names: list[str]) -> None:
    """Refuse training data whose values are too large for the fit's arithmetic, naming one of them."""
    too_big = np.abs(X) > MAX_ABS_FEATURE
    if too_big.any():
        i, j = np.argwhere(too_big)[0]
        raise DataError(
            f"column {names[j]!r} holds {X[i, j]:.3g} at data row {i + 1}, beyond ±{MAX_ABS_FEATURE:.0e}: "
            "too large for the fit's sums of squares; rescale the column (e.g. divide it by a power of "
            "ten) or fix the value."
        )


