"""scikit-learn's estimator protocol, without importing scikit-learn until something needs it.

Importing ``sklearn.base`` costs ≈ 1.5 s (it pulls in scipy.stats and pandas): more than a
whole first fit of a 200,000 × 100 problem. So :class:`EstimatorProtocol` implements what
scikit-learn asks of an estimator (get_params/set_params, tags, clone-ability, score, pickling)
itself, and the richer parts (its repr, HTML repr and metadata routing) through a *twin*: an
instance of a subclass that adds scikit-learn's BaseEstimator, sharing this one's ``__dict__``,
made the first time one of those is asked for (scikit-learn is then in use anyway).

Input checks follow the same rule: a plain float ndarray or CSR/CSC matrix, finite, with
numeric 1-D labels, is checked here in O(1) extra memory; anything else (lists, DataFrames,
object or complex dtypes, NaN, wrong shapes) goes to scikit-learn's ``validate_data``, so the
errors and conversions are exactly scikit-learn's.
"""

from __future__ import annotations

import functools
import inspect
from collections import defaultdict
from typing import Any

import numpy as np
import scipy.sparse as sp

__all__ = ["EstimatorProtocol", "plain_matrix", "plain_vector", "raise_not_fitted"]

_FLOATS = (np.dtype(np.float64), np.dtype(np.float32))


def plain_matrix(X: Any) -> bool:
    """True for a finite, non-empty 2-D float32/float64 ndarray or CSR/CSC matrix: input that
    scikit-learn's check_array would pass through unchanged (no copy, no conversion)."""
    if type(X) is np.ndarray:
        if X.ndim != 2 or X.dtype not in _FLOATS or X.shape[0] < 1 or X.shape[1] < 1:
            return False
        return bool(np.isfinite(X.sum(dtype=np.float64)))  # a sum, not an m × p mask of flags
    if sp.issparse(X) and X.format in ("csr", "csc"):
        if X.dtype not in _FLOATS or X.shape[0] < 1 or X.shape[1] < 1 or X.ndim != 2:
            return False
        return bool(np.isfinite(X.data.sum(dtype=np.float64)))
    return False


def plain_vector(v: Any, n: int) -> bool:
    """True for a finite 1-D numeric ndarray of length n."""
    if type(v) is not np.ndarray or v.ndim != 1 or v.shape[0] != n or v.dtype.kind not in "biuf":
        return False
    return v.dtype.kind != "f" or bool(np.isfinite(v.sum(dtype=np.float64)))


def raise_not_fitted(estimator: Any) -> None:
    """scikit-learn's NotFittedError (what its checks and users expect), with its message."""
    from sklearn.exceptions import NotFittedError

    raise NotFittedError(
        f"This {type(estimator).__name__} instance is not fitted yet. Call 'fit' with "
        "appropriate arguments before using this estimator."
    )


def _raise_attribute_error(self: Any, name: str) -> Any:
    raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")


@functools.cache
def _twin_class(cls: type) -> type:
    """A subclass of ``cls`` that also derives from scikit-learn's ClassifierMixin and
    BaseEstimator and takes their repr, HTML repr and metadata routing (scikit-learn generates
    its ``set_*_request`` methods for it): instances of it are instances of ``cls`` too, so a
    user's subclass methods, ``super()`` included, run on them unchanged."""
    from sklearn.base import BaseEstimator, ClassifierMixin

    def sklearn_attr(name: str) -> Any:
        for klass in BaseEstimator.__mro__:  # the raw attribute: properties stay properties
            if name in vars(klass):
                return vars(klass)[name]
        raise AttributeError(name)

    namespace: dict[str, Any] = {name: sklearn_attr(name) for name in _THROUGH_TWIN}
    namespace.update(__getattr__=_raise_attribute_error, __module__=cls.__module__,
                     __qualname__=cls.__qualname__, __doc__=cls.__doc__)
    return type(cls.__name__, (cls, ClassifierMixin, BaseEstimator), namespace)


_THROUGH_TWIN = ("__repr__", "_repr_html_", "_repr_mimebundle_", "get_metadata_routing")


class EstimatorProtocol:
    """What scikit-learn requires of a classifier, implemented without importing it."""

    _estimator_type = "classifier"

    # -- parameters (as sklearn.base.BaseEstimator) -------------------------------------------
    @classmethod
    def _get_param_names(cls) -> list[str]:
        """The constructor's parameter names, sorted: the estimator's parameters."""
        params = [p for p in inspect.signature(cls.__init__).parameters.values()
                  if p.name != "self" and p.kind != p.VAR_KEYWORD]
        if any(p.kind == p.VAR_POSITIONAL for p in params):
            raise RuntimeError(f"{cls.__name__} must list its parameters in __init__ (no *args).")
        return sorted(p.name for p in params)

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        """The parameters, as set in the constructor (and nested ones with ``deep``)."""
        out: dict[str, Any] = {}
        for key in self._get_param_names():
            value = getattr(self, key)
            if deep and hasattr(value, "get_params") and not isinstance(value, type):
                out.update((f"{key}__{k}", v) for k, v in value.get_params().items())
            out[key] = value
        return out

    def set_params(self, **params: Any) -> EstimatorProtocol:
        """Set parameters (``component__param`` for nested ones); returns the estimator."""
        if not params:
            return self
        valid = self.get_params(deep=True)
        nested: dict[str, dict[str, Any]] = defaultdict(dict)
        for key, value in params.items():
            key, delim, sub_key = key.partition("__")
            if key not in valid:
                raise ValueError(
                    f"Invalid parameter {key!r} for estimator {type(self).__name__}. "
                    f"Valid parameters are: {self._get_param_names()!r}."
                )
            if delim:
                nested[key][sub_key] = value
            else:
                setattr(self, key, value)
                valid[key] = value
        for key, sub_params in nested.items():
            valid[key].set_params(**sub_params)
        return self

    # -- what scikit-learn reads --------------------------------------------------------------
    def __sklearn_tags__(self):
        """A binary classifier that needs y and accepts sparse X."""
        from sklearn.utils import ClassifierTags, Tags, TargetTags

        tags = Tags(estimator_type="classifier", target_tags=TargetTags(required=True),
                    transformer_tags=None, regressor_tags=None,
                    classifier_tags=ClassifierTags(multi_class=False))
        tags.input_tags.sparse = True
        return tags

    def score(self, X: Any, y: Any, sample_weight: Any = None) -> float:
        """Accuracy of ``predict(X)`` against y (scikit-learn's ClassifierMixin.score)."""
        from sklearn.metrics import accuracy_score

        return float(accuracy_score(y, self.predict(X), sample_weight=sample_weight))

    def __getstate__(self) -> dict:
        return self.__dict__.copy()

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)

    # -- through the twin ---------------------------------------------------------------------
    def _twin(self) -> Any:
        twin = object.__new__(_twin_class(type(self)))
        twin.__dict__ = self.__dict__  # one state: what the twin records, this estimator has
        return twin

    def __repr__(self) -> str:
        return repr(self._twin())

    @property
    def _repr_html_(self) -> Any:
        # a property, as scikit-learn's: it raises AttributeError unless display="diagram",
        # so that IPython falls back to the text repr
        return self._twin()._repr_html_

    def _repr_mimebundle_(self, **kwargs: Any) -> dict:
        return self._twin()._repr_mimebundle_(**kwargs)

    def get_metadata_routing(self) -> Any:
        """scikit-learn's metadata request of this estimator (for routing meta-estimators)."""
        return self._twin().get_metadata_routing()

    def __getattr__(self, name: str) -> Any:
        # set_fit_request, set_score_request, …: scikit-learn generates them per class; the
        # twin's record the request in the shared state, and return this estimator
        if name.startswith("set_") and name.endswith("_request") and not name.startswith("set__"):
            twin = self._twin()
            method = getattr(twin, name)

            @functools.wraps(method)
            def request(**kwargs: Any) -> EstimatorProtocol:
                method(**kwargs)
                _claim_requests(self, twin)
                return self

            return request
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")


def _claim_requests(estimator: Any, twin: Any) -> None:
    """scikit-learn's request objects keep a reference to the estimator that made them: make it
    this one, not its twin (whose class pickle cannot find under its name)."""
    request = estimator.__dict__.get("_metadata_request")
    if request is None:
        return
    for obj in (request, *vars(request).values()):
        if getattr(obj, "owner", None) is twin:
            obj.owner = estimator
