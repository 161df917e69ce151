"""The lab's CSV upload: list a file's columns, then turn two of them and a label into a data set.

The parsing runs in a worker thread (never on the event loop) behind a size cap and a column
cap counted on the header line before pandas reads anything."""

from __future__ import annotations

import io
from typing import Annotated, Any

import numpy as np
import pandas as pd
from fastapi import APIRouter, File, Form, UploadFile
from starlette.concurrency import run_in_threadpool

from . import scenarios
from .common import LIMITS, LabInputError, clean

router = APIRouter(prefix="/api")


@router.post("/upload")
async def upload(
    file: Annotated[UploadFile, File()],
    x1: Annotated[str | None, Form()] = None,
    x2: Annotated[str | None, Form()] = None,
    label: Annotated[str | None, Form()] = None,
    positive: Annotated[str | None, Form()] = None,
) -> dict[str, Any]:
    """A user's CSV: without column names, list its columns; with x1 (and x2) and label, return
    the data set (rows with a missing value dropped, the first max_rows kept)."""
    cap = LIMITS["max_upload_bytes"]
    content = await file.read(cap + 1)
    if len(content) > cap:
        raise LabInputError("file", f"is larger than {cap // 1_000_000} MB; upload a smaller CSV.")
    # pandas on a wide file can take seconds: a worker thread keeps the server answering
    return await run_in_threadpool(_parse, content, file.filename or "upload", x1, x2, label, positive)


def _read_frame(content: bytes) -> pd.DataFrame:
    """The CSV as a DataFrame, after refusing what would be slow or ambiguous to parse."""
    if not content.strip():
        raise LabInputError("file", "is empty.")
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise LabInputError("file", "is not UTF-8 text; save it as a CSV (UTF-8).") from None
    header = text.lstrip().split("\n", 1)[0]
    widest = max(header.count(sep) for sep in (",", ";", "\t")) + 1
    if widest > LIMITS["max_upload_columns"]:  # counted before parsing: a wide file is refused at once
        raise LabInputError("file", f"has {widest} columns; at most {LIMITS['max_upload_columns']} "
                            "are accepted. Keep the feature and label columns you need.")
    df = None
    for sep in (",", ";", "\t"):  # the usual separators, in order; no guessing beyond them
        try:
            df = pd.read_csv(io.StringIO(text), sep=sep, nrows=LIMITS["max_rows"] * 4, dtype=str)
        except Exception as exc:  # pandas raises many kinds for bad CSV
            raise LabInputError("file", f"could not be read as CSV ({type(exc).__name__}: "
                                f"{str(exc).splitlines()[0][:200]}).") from None
        if df.shape[1] >= 2:
            break
    if df.shape[1] < 2:
        raise LabInputError("file", "needs at least two columns: a feature and a label.")
    if df.shape[0] < 2:
        raise LabInputError("file", "needs at least two data rows.")
    return df


def _parse(content: bytes, filename: str, x1: str | None, x2: str | None, label: str | None,
           positive: str | None) -> dict[str, Any]:
    """The column listing (no columns chosen) or the data set (columns chosen)."""
    df = _read_frame(content)
    df.columns = [str(c) for c in df.columns]
    numeric = {c: pd.to_numeric(df[c], errors="coerce") for c in df.columns}

    def is_numeric(c: str) -> bool:  # at least 90 % of the present values parse as numbers
        present = int(df[c].notna().sum())
        return present > 0 and numeric[c].notna().sum() >= 0.9 * present

    columns = [{
        "name": c,
        "numeric": bool(is_numeric(c)),
        "n_unique": int(df[c].nunique(dropna=True)),
        "values": [str(v) for v in sorted(df[c].dropna().astype(str).unique())[:20]],
    } for c in df.columns]
    if x1 is None and label is None:
        binary = [c["name"] for c in columns if c["n_unique"] == 2]
        feats = [c["name"] for c in columns if c["numeric"] and c["name"] not in binary[-1:]]
        return {"columns": columns, "n_rows": int(df.shape[0]),
                "guess": {"x1": feats[0] if feats else None,
                          "x2": feats[1] if len(feats) > 1 else None,
                          "label": binary[-1] if binary else None}}
    for field, name in (("x1", x1), ("x2", x2), ("label", label)):
        if name is not None and name != "" and name not in df.columns:
            raise LabInputError(field, f"column {name!r} is not in the file "
                                f"(columns: {', '.join(df.columns[:20])}).")
    if not x1:
        raise LabInputError("x1", "choose a feature column.")
    if not label:
        raise LabInputError("label", "choose the label column.")
    feats = [x1] + ([x2] if x2 else [])
    if label in feats:
        raise LabInputError("label", "must differ from the feature columns.")
    if x2 and x2 == x1:
        raise LabInputError("x2", "must differ from x1.")
    for field, name in zip(("x1", "x2"), feats, strict=False):
        if not is_numeric(name):
            raise LabInputError(field, f"column {name!r} is not numeric.")
    frame = pd.DataFrame({f: numeric[f] for f in feats})
    frame["__label"] = df[label].astype("string")
    n_before = len(frame)
    frame = frame.replace([np.inf, -np.inf], np.nan).dropna()
    dropped = n_before - len(frame)
    labels = sorted(frame["__label"].unique().tolist(), key=_label_key)
    if len(labels) == 1:
        everywhere = df[label].dropna().astype(str).unique().tolist()
        where = ("" if len(everywhere) == 1 else
                 f" once the {dropped} incomplete row(s) are dropped (the file has {len(everywhere)})")
        raise LabInputError("label", f"column {label!r} has a single value, {labels[0]!r}{where}: "
                            "logistic regression needs examples of both classes. Add rows of the "
                            "other class or choose another label column.")
    if len(labels) != 2:
        raise LabInputError("label", f"column {label!r} must have exactly two values; it has "
                            f"{len(labels)} ({', '.join(map(str, labels[:6]))}). Choose a 0/1 or "
                            "yes/no column as the label.")
    pos = positive if positive else labels[-1]
    if pos not in labels:
        raise LabInputError("positive", f"{pos!r} is not a value of {label!r} "
                            f"({labels[0]!r} or {labels[1]!r}).")
    note = []
    if dropped:
        note.append(f"{dropped} row(s) with a missing or non-numeric value dropped")
    if len(frame) > LIMITS["max_rows"]:
        note.append(f"only the first {LIMITS['max_rows']} of {len(frame)} rows kept")
        frame = frame.iloc[: LIMITS["max_rows"]]
    if len(frame) < 2:
        raise LabInputError("file", "fewer than two complete rows remain after dropping missing values.")
    Xu = frame[feats].to_numpy(dtype=float)
    if np.abs(Xu).max() > 1e12:
        raise LabInputError("file", "feature values above 1e12 are not accepted.")
    yv = (frame["__label"] == pos).to_numpy(dtype=float)
    if yv.min() == yv.max():
        raise LabInputError("label", "only one class remains after dropping incomplete rows.")
    data = {
        "name": "upload", "title": f"Your CSV: {filename}",
        "description": f"{len(frame)} rows; features {', '.join(feats)}; label {label} "
                       f"(positive = {pos}).", "X": Xu, "y": yv, "features": feats,
        "target": label, "positive": str(pos), "note": "; ".join(note),
    }
    data["suggested"] = scenarios.suggested_settings("upload", Xu)
    return clean(data)


def _label_key(v: str) -> tuple[int, float | str]:
    try:
        return (0, float(v))
    except ValueError:
        return (1, v)
