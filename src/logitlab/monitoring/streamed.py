"""The contract of a model trained past memory: one pass over DATA counts the exact range,
mean, missing share and size of every feature, and keeps a seeded sample of at most
``sample_rows`` rows (chosen by a hash of the row position, so the same however the file is
chunked) from which the percentiles, the score distribution and the class balance come."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ..data import encode_features
from . import _sources
from .contract import record_contract

__all__ = ["streamed_contract"]


def streamed_contract(path: Any, saved: Any, target: str, threshold: float, sample_rows: int = 1_000_000,
                      seed: int = 0, batch_rows: int = _sources.BATCH_ROWS) -> dict[str, Any]:
    """The contract of ``saved`` from the file or directory ``path`` (both parts of a split)."""
    total = _sources.count_rows(path)
    frac = min(1.0, sample_rows / max(total, 1))
    names = saved.encoding.input_columns
    exact = {n: {"n": 0, "missing": 0, "sum": 0.0, "min": np.inf, "max": -np.inf} for n in names}
    samples, start = [], 0
    for frame in _sources.iter_frames(path, None, batch_rows):
        keep = _sources.row_uniform(seed, start, len(frame)) < frac
        start += len(frame)
        samples.append(frame[keep])
        for n in names:
            v = frame[n].to_numpy(dtype=np.float64, na_value=np.nan)
            ok = np.isfinite(v)
            e = exact[n]
            e["n"] += v.size
            e["missing"] += int((~ok).sum())
            if ok.any():
                e["sum"] += float(v[ok].sum())
                e["min"], e["max"] = min(e["min"], float(v[ok].min())), max(e["max"], float(v[ok].max()))
    sample = pd.concat(samples, ignore_index=True)
    complete = sample[names].notna().all(axis=1).to_numpy()
    sample = sample[complete]
    z = saved.decision_function(encode_features(sample, saved.encoding))
    y = _sources.labels01(sample, saved.labels) if target in sample.columns else None
    doc = record_contract(sample, saved.encoding, z, y, target, threshold)
    for n in names:
        f, e = doc["features"][n], exact[n]
        valid = e["n"] - e["missing"]
        f.update(min=e["min"], max=e["max"], mean=e["sum"] / max(valid, 1), missing_share=e["missing"] / max(e["n"], 1))
        if f["percentiles"]:
            f["percentiles"][0], f["percentiles"][-1] = e["min"], e["max"]
    doc["n_rows"] = total
    doc["sampled"] = {"rows": int(len(sample)), "of": total,
                      "note": "percentiles, score and class balance from a seeded sample of both parts; "
                              "range, mean and missing share exact"}
    return doc
