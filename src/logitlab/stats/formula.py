"""R-style model formulas: ``logitlab.logit("vote ~ age + C(educ) + selfLR:age", data=df)``.

The formula is parsed and the design built by formulaic (a maintained implementation of R's and
patsy's formula grammar): ``C(x)`` and string columns become treatment-coded dummies against the
first level, ``a:b`` an interaction and ``a*b`` both main effects and it, ``- 1`` / ``+ 0``
drops the intercept, and functions such as ``np.log(x)`` apply. Columns are named as R names
them (``C(educ)2``, ``selfLR:age``), and the intercept is the estimator's own (unpenalized)
intercept. New data for prediction go through the same model spec, so the dummy levels match.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

__all__ = ["logit", "FormulaModel", "r_name"]

_LEVEL = re.compile(r"\[(?:T\.)?([^\]]*)\]")  # formulaic's "C(x)[T.2]" → R's "C(x)2"


def r_name(column: str) -> str:
    """A formulaic column name as R prints it: treatment levels appended, brackets dropped."""
    return _LEVEL.sub(r"\1", column)


def _formulaic() -> Any:
    try:
        import formulaic
    except ImportError as exc:  # pragma: no cover - formulaic is a dependency
        raise ImportError("logitlab.logit needs formulaic: pip install formulaic") from exc
    return formulaic


class FormulaModel:
    """A logistic regression fit from a formula: the fitted :class:`LogisticRegression`
    (``.model``) on the design the formula builds, and the statistics on it."""

    def __init__(self, formula: str, model: Any, spec: Any, columns: list[str],
                 response: str, n_dropped: int) -> None:
        self.formula, self.model, self.spec = formula, model, spec
        self.columns, self.response, self.n_dropped = columns, response, n_dropped

    def __repr__(self) -> str:
        return f"FormulaModel({self.formula!r}, {len(self.columns)} columns)"

    def design(self, data: pd.DataFrame) -> pd.DataFrame:
        """New data as the fitted model's design (same dummies and transformations)."""
        X = self.spec.get_model_matrix(data)
        X = pd.DataFrame(np.asarray(X, dtype=np.float64), index=X.index,
                         columns=[r_name(c) for c in X.columns])
        return X.drop(columns="Intercept", errors="ignore")[self.columns]

    @property
    def params(self) -> pd.Series:
        """Coefficients by R's names, intercept first (the fit's, not polished)."""
        values = np.r_[self.model.intercept_, self.model.coef_.ravel()] if \
            self.model.fit_intercept else self.model.coef_.ravel()
        names = (["(Intercept)"] if self.model.fit_intercept else []) + list(self.columns)
        return pd.Series(values, index=names)

    def summary(self, **kwargs: Any) -> Any:
        """The same table as ``LogisticRegression.summary`` (exact at the MLE), R's names."""
        out = self.model.summary(**kwargs)
        out.notes.insert(0, f"formula: {self.formula}" + (
            f" ({self.n_dropped} rows with missing values dropped)" if self.n_dropped else ""))
        return out

    def predict_proba(self, data: pd.DataFrame) -> NDArray:
        """P(y = positive class) for new data."""
        return self.model.predict_proba(self.design(data))[:, 1]

    def predict(self, data: pd.DataFrame) -> NDArray:
        """Labels for new data at the model's threshold."""
        return self.model.predict(self.design(data))

    def predict_interval(self, data: pd.DataFrame, **kwargs: Any) -> pd.DataFrame:
        """Probabilities with confidence intervals (see :func:`.margins.predict_interval`)."""
        from .margins import predict_interval

        return predict_interval(self.model, self.design(data), **kwargs)

    def marginal_effects(self, at: str = "overall", **kwargs: Any) -> pd.DataFrame:
        """Average (or at-the-means) marginal effects with SEs (:func:`.margins.marginal_effects`)."""
        from .margins import marginal_effects

        return marginal_effects(self.model, at=at, **kwargs)

    def residuals(self, kind: str = "deviance") -> NDArray:
        """Residuals of the training rows (:func:`.diagnostics.residuals`)."""
        from .diagnostics import residuals

        return residuals(self.model, kind)

    def influence(self) -> pd.DataFrame:
        """Hat values, Cook's distance and dfbeta (:func:`.diagnostics.influence`)."""
        from .diagnostics import influence

        return influence(self.model)

    def goodness_of_fit(self, n_groups: int = 10) -> Any:
        """Hosmer–Lemeshow test (:func:`.diagnostics.goodness_of_fit`)."""
        from .diagnostics import goodness_of_fit

        return goodness_of_fit(self.model, n_groups)

    def variance_inflation(self) -> pd.Series:
        """VIF of each design column (:func:`.diagnostics.variance_inflation`)."""
        from .diagnostics import variance_inflation

        return variance_inflation(self.model)


def _response(formula: Any, data: pd.DataFrame, mm: Any) -> tuple[str, pd.Series]:
    """(name, labels): a plain column as it is (strings, booleans and 0/1 alike), else the
    formula's evaluated left-hand side, which must be one column (or a two-level dummy)."""
    lhs = str(formula.lhs).strip()
    if lhs in data.columns:
        return lhs, data.loc[mm.rhs.index, lhs]
    y = mm.lhs
    if y is None or y.shape[1] not in (1, 2):
        raise ValueError(f"the response {lhs!r} must be one column of two classes.")
    return lhs, pd.Series(np.asarray(y)[:, -1], index=y.index, name=r_name(y.columns[-1]))


def _column(data: pd.DataFrame, values: ArrayLike | str | None, rows: pd.Index) -> NDArray | None:
    """A per-row vector given as a column name or values, on the rows the formula kept."""
    if values is None:
        return None
    if isinstance(values, str):
        values = data[values]
    return np.asarray(pd.Series(np.asarray(values, float), index=data.index).loc[rows])


def logit(formula: str, data: pd.DataFrame, *, weights: ArrayLike | str | None = None,
          offset: ArrayLike | str | None = None, lam: float = 0.0, firth: bool = False,
          **estimator_kwargs: Any) -> FormulaModel:
    """Fit ``response ~ terms`` on ``data`` by maximum likelihood (``lam``/``firth`` as in
    :class:`LogisticRegression`); ``weights`` are frequency weights and ``offset`` a fixed term
    added to the logit (R's ``offset=``), each a column name or values. Rows with a missing
    value in any variable of the formula are dropped, as R's ``glm``."""
    from ..estimator import LogisticRegression

    if "~" not in formula:
        raise ValueError(f"a formula needs a response: 'y ~ x1 + x2'; got {formula!r}.")
    formulaic = _formulaic()
    parsed = formulaic.Formula(formula)
    mm = formulaic.model_matrix(formula, data, na_action="drop")
    name, y = _response(parsed, data, mm)
    rhs = mm.rhs
    has_intercept = "Intercept" in rhs.columns
    X = pd.DataFrame(np.asarray(rhs, dtype=np.float64), index=rhs.index,
                     columns=[r_name(c) for c in rhs.columns]).drop(columns="Intercept",
                                                                     errors="ignore")
    if X.shape[1] == 0:
        raise ValueError("the formula has no terms besides the intercept; add a feature.")
    sw, off = _column(data, weights, X.index), _column(data, offset, X.index)
    model = LogisticRegression(lam=lam, firth=firth, fit_intercept=has_intercept,
                               **estimator_kwargs)
    model.fit(X, y.to_numpy(), sample_weight=sw, **({} if off is None else {"offset": off}))
    return FormulaModel(formula, model, rhs.model_spec, list(X.columns), name,
                        len(data) - len(X))
