"""The model file: a versioned JSON document (never pickle), and atomic writes.

The schema is described in docs/model-schema.md. A saved model holds everything prediction
needs — the encoding of the input columns, the label mapping, the coefficients in the units of
the input columns and the intercept — plus what the training run did, so it can be read by a
person or by any language without logitlab.
"""

from __future__ import annotations

import json
import math
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.special import expit

from .data import DataError, Encoding, Labels, encode_features

__all__ = [
    "FORMAT",
    "SCHEMA_VERSION",
    "ModelFileError",
    "SavedModel",
    "load_model",
    "atomic_write_text",
    "atomic_write_bytes",
    "to_json",
]

FORMAT = "logitlab-model"
#: 2 added the data contract (``contract``, docs/model-schema.md); version-1 files still load
SCHEMA_VERSION = 2
READABLE_VERSIONS = (1, 2)


#: the largest model file read (50 MiB ≈ two million coefficients with their names): anything larger is
#: not a file `logitlab train` wrote, and reading it whole could exhaust memory
MAX_MODEL_BYTES = 50 * 2**20


class ModelFileError(DataError):
    """The model file is missing, unreadable, not a logitlab model, or from another schema version."""


def _clean(obj: Any) -> Any:
    """JSON-able copy: numpy → Python, NaN/±inf → None (strict JSON has neither)."""
    if isinstance(obj, dict):
        return {str(k): _clean(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_clean(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return [_clean(v) for v in obj.tolist()]
    if isinstance(obj, np.generic):
        obj = obj.item()
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    return obj


def to_json(obj: Any) -> str:
    """Strict JSON text (floats written with their shortest exact repr, so they round-trip)."""
    return json.dumps(_clean(obj), indent=2, ensure_ascii=False, allow_nan=False) + "\n"


@dataclass
class SavedModel:
    """A trained model as stored: encoding, labels, coefficients, intercept, threshold, metadata."""

    encoding: Encoding
    labels: Labels
    coef: NDArray
    intercept: float
    threshold: float
    doc: dict[str, Any]

    @property
    def feature_names(self) -> list[str]:
        return self.encoding.feature_names

    @property
    def contract(self) -> dict[str, Any] | None:
        """The data contract recorded at training (schema version 2), or None for older files."""
        return self.doc.get("contract")

    def decision_function(self, X: NDArray) -> NDArray:
        """z = X·w + b, computed as the estimator computes it. Scores beyond the float range (huge
        coefficients) are ±inf, i.e. P = 1 or 0, with no overflow warning."""
        with np.errstate(over="ignore", invalid="ignore"):
            z = np.asarray(X @ self.coef, dtype=np.float64).ravel() + self.intercept
            if not np.all(np.isfinite(z)):  # recompute scaled down: the sign of an overflowing sum
                s = max(float(np.max(np.abs(self.coef), initial=0.0)), abs(self.intercept))
                scaled = (np.asarray(X @ (self.coef / s), dtype=np.float64).ravel() + self.intercept / s) * s
                z = np.where(np.isfinite(z), z, scaled)
        if np.isnan(z).any():
            row = int(np.flatnonzero(np.isnan(z))[0]) + 1
            raise DataError(f"the model's score of data row {row} is undefined (its terms overflow to +inf "
                            "and -inf); the model's coefficients are too large for this data: retrain it, "
                            "e.g. with a larger --lam.")
        return z

    def predict_proba_frame(self, frame) -> NDArray:  # noqa: ANN001 - pandas DataFrame
        """P(positive label) for each row of a DataFrame (feature columns matched by name)."""
        return expit(self.decision_function(encode_features(frame, self.encoding)))

    def predict_labels(self, p: NDArray, threshold: float | None = None) -> list[Any]:
        """The positive label where p > threshold, the negative one elsewhere."""
        t = self.threshold if threshold is None else threshold
        return [self.labels.positive if v > t else self.labels.negative for v in p]

    def to_dict(self) -> dict[str, Any]:
        d = dict(self.doc)
        d.update({
            "format": FORMAT,
            "schema_version": SCHEMA_VERSION,
            "labels": self.labels.to_dict(),
            "encoding": self.encoding.to_dict(),
            "coefficients": {"names": self.feature_names, "values": self.coef.tolist()},
            "intercept": float(self.intercept),
            "threshold": float(self.threshold),
        })
        order = ["format", "schema_version", "logitlab_version", "created", "labels", "encoding",
                 "coefficients", "intercept", "threshold"]
        return {k: d[k] for k in order if k in d} | {k: v for k, v in d.items() if k not in order}

    def to_json(self) -> str:
        return to_json(self.to_dict())

    def save(self, path: str | Path) -> None:
        """Write the model file atomically."""
        atomic_write_text(path, self.to_json())


def _bad(path: Path, what: str) -> ModelFileError:
    return ModelFileError(f"{path}: {what}")


def load_model(path: str | Path) -> SavedModel:
    """Read and validate a model file written by :meth:`SavedModel.save`."""
    p = Path(path)
    if not p.exists():
        raise _bad(p, "no such model file; give the model.json that `logitlab train` wrote.")
    if p.is_dir():
        hint = " (did you mean model.json inside it?)" if (p / "model.json").exists() else ""
        raise _bad(p, f"is a directory, not a model file{hint}.")
    size = p.stat().st_size
    if size > MAX_MODEL_BYTES:
        raise _bad(p, f"is {size / 2**20:.0f} MiB, larger than any logitlab model file (at most "
                      f"{MAX_MODEL_BYTES // 2**20} MiB); give the model.json that `logitlab train` wrote.")
    try:
        text = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise _bad(p, f"cannot read the model file ({exc}).") from None
    try:
        d = json.loads(text)
    except json.JSONDecodeError:
        raise _bad(p, "is not a logitlab model file (not JSON); give the model.json that "
                      "`logitlab train` wrote.") from None
    except RecursionError:
        raise _bad(p, "is not a logitlab model file (JSON nested too deeply); give the model.json "
                      "that `logitlab train` wrote.") from None
    if not isinstance(d, dict) or d.get("format") != FORMAT:
        raise _bad(p, "is not a logitlab model file (no \"format\": \"logitlab-model\"); give the "
                      "model.json that `logitlab train` wrote.")
    version = d.get("schema_version")
    if version not in READABLE_VERSIONS:
        raise _bad(p, f"has model schema version {version!r} (written by logitlab "
                      f"{d.get('logitlab_version', '?')}); this logitlab reads versions "
                      f"{', '.join(map(str, READABLE_VERSIONS))}. "
                      "Retrain the model or use a matching logitlab.")
    try:
        encoding = Encoding.from_dict(d["encoding"])
        labels = Labels.from_dict(d["labels"])
        names = list(d["coefficients"]["names"])
        coef = np.array(d["coefficients"]["values"], dtype=np.float64)
        intercept = float(d["intercept"])
        threshold = float(d["threshold"])
        for c in encoding.columns:
            if c["kind"] not in ("numeric", "categorical"):
                raise ValueError(f"unknown column kind {c['kind']!r}")
    except (KeyError, TypeError, ValueError) as exc:
        raise _bad(p, f"is a damaged logitlab model file ({type(exc).__name__}: {exc}).") from None
    if str(labels.negative) == str(labels.positive):
        raise _bad(p, f"is a damaged logitlab model file (its negative and positive labels are both "
                      f"{labels.positive!r}); retrain the model.")
    if names != encoding.feature_names or coef.shape != (len(names),):
        raise _bad(p, "is a damaged logitlab model file (coefficients do not match the encoding).")
    if not (np.all(np.isfinite(coef)) and math.isfinite(intercept) and 0 < threshold < 1):
        raise _bad(p, "is a damaged logitlab model file (non-finite coefficients or a bad threshold).")
    return SavedModel(encoding, labels, coef, intercept, threshold, d)


def atomic_write_bytes(path: str | Path, data: bytes) -> None:
    """Write to a temporary file in the same directory, fsync, then rename over ``path``:
    readers see the old file or the new one, never half of one."""
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{p.name}.", suffix=".tmp", dir=p.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, p)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def atomic_write_text(path: str | Path, text: str) -> None:
    """UTF-8 text, written atomically."""
    atomic_write_bytes(path, text.encode("utf-8"))
