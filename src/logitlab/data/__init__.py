"""Reading tables (CSV, Parquet) and turning them into the numbers a model needs.

Everything a user can get wrong about a data file is checked here and reported as a
:class:`DataError` whose message is one line saying what is wrong and what to do; the CLI turns
it into exit status 2. The encoding (which columns, numeric or one-hot, the label mapping) is a
plain JSON-able dict, saved inside the model file so prediction encodes new data identically.
"""

from __future__ import annotations

from .encoding import MAX_ABS_FEATURE, MAX_CATEGORIES, Encoding, check_feature_scale, encode_features, fit_encoding
from .errors import DataError, DataWarning, json_value
from .labels import Labels, encode_labels, fit_labels
from .tables import read_table

__all__ = [
    "DataError",
    "DataWarning",
    "read_table",
    "Encoding",
    "Labels",
    "fit_encoding",
    "fit_labels",
    "encode_features",
    "encode_labels",
    "MAX_CATEGORIES",
    "json_value",
    "check_feature_scale",
    "MAX_ABS_FEATURE",
]

