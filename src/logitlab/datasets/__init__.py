"""Bundled data sets, so a newcomer can run everything with no file of their own.

- ``hours``: 20 students, hours studied → passed (0/1), the classic one-feature example
  (Wikipedia, "Logistic regression"); its published maximum-likelihood fit is
  b = −4.0777, w = 1.5046.
- ``breast_cancer``: the Wisconsin diagnostic set scikit-learn ships (569 × 30), with the
  target ``diagnosis`` as "malignant"/"benign" (so the positive class, the larger label,
  is "malignant").
- ``anes96``: 944 respondents of the 1996 American National Election Study (the subset
  statsmodels ships as ``statsmodels.datasets.anes96``, which it marks public domain; ANES,
  electionstudies.org), target ``vote`` (0 = Clinton, 1 = Dole) with population (1000s), TV
  news per week, self/Clinton/Dole left-right placements (1–7), party identification (0–6),
  age, education (1–7) and income (1–24) as integers — real data on which the maximum-likelihood
  estimate exists, for the statistics examples.
"""

from __future__ import annotations

from importlib import resources

import pandas as pd

__all__ = ["load_dataset", "list_datasets", "DATASETS"]

DATASETS = {
    "breast_cancer": "Wisconsin diagnostic breast cancer, 569 × 30, target 'diagnosis'",
    "hours": "hours studied → passed, 20 students, one feature, target 'passed'",
    "anes96": "1996 US election survey, 944 × 9, target 'vote' (1 = Dole), public domain",
}


def list_datasets() -> dict[str, str]:
    """Names of the bundled data sets with a one-line description."""
    return dict(DATASETS)


def load_dataset(name: str = "breast_cancer") -> tuple[pd.DataFrame, str]:
    """(DataFrame, target column name) for a bundled data set."""
    if name == "hours":
        with resources.files(__package__).joinpath("hours.csv").open("r") as fh:
            return pd.read_csv(fh), "passed"
    if name == "anes96":
        with resources.files(__package__).joinpath("anes96.csv").open("r") as fh:
            return pd.read_csv(fh), "vote"
    if name == "breast_cancer":
        from sklearn.datasets import load_breast_cancer

        bunch = load_breast_cancer(as_frame=True)
        frame = bunch.frame.copy()
        frame = frame.drop(columns="target")
        frame["diagnosis"] = bunch.target.map({0: "malignant", 1: "benign"}).astype(str)
        return frame, "diagnosis"
    raise ValueError(
        f"unknown data set {name!r}; choose one of: {', '.join(sorted(DATASETS))}."
    )
