"""Reading CSV/Parquet and encoding: types, one-hot names, label mapping, and every data error."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from logitlab.data import DataError, encode_features, encode_labels, fit_encoding, fit_labels, read_table


@pytest.fixture()
def table() -> pd.DataFrame:
    return pd.DataFrame({
        "balance": [100.5, 2000.0, 50.25, 900.0, 10.0, 1500.0],
        "student": ["No", "Yes", "No", "No", "Yes", "No"],
        "tier": ["b", "c", "a", "a", "c", "b"],
        "active": [True, False, True, True, False, True],
        "count": [1, 2, 3, 4, 5, 6],
        "default": ["No", "Yes", "No", "Yes", "No", "Yes"],
    })


def test_csv_and_parquet_read_the_same(tmp_path, table) -> None:
    table.to_csv(tmp_path / "t.csv", index=False)
    table.to_parquet(tmp_path / "t.parquet", index=False)
    table.to_parquet(tmp_path / "no_suffix", index=False)  # recognized by its magic bytes
    a, b, c = (read_table(tmp_path / n) for n in ("t.csv", "t.parquet", "no_suffix"))
    for f in (a, b, c):
        assert list(f.columns) == list(table.columns)
        np.testing.assert_array_equal(f["balance"].to_numpy(float), table["balance"].to_numpy())
        assert list(f["student"]) == list(table["student"])


def test_encoding_names_and_values(table) -> None:
    enc = fit_encoding(table, "default")
    assert enc.feature_names == ["balance", "student=Yes", "tier=b", "tier=c", "active", "count"]
    X = encode_features(table, enc)
    np.testing.assert_array_equal(X[:, 1], (table["student"] == "Yes").to_numpy(float))
    np.testing.assert_array_equal(X[:, 2:4], np.column_stack([table["tier"] == "b", table["tier"] == "c"]))
    np.testing.assert_array_equal(X[:, 4], table["active"].to_numpy(float))
    # same numbers from shuffled columns; extra columns are ignored
    X2 = encode_features(table[["count", "tier", "default", "active", "student", "balance"]].assign(x=1), enc)
    np.testing.assert_array_equal(X, X2)


def test_labels(table) -> None:
    lab = fit_labels(table, "default")
    assert (lab.negative, lab.positive) == ("No", "Yes")
    np.testing.assert_array_equal(encode_labels(table, lab), (table["default"] == "Yes").to_numpy(float))
    flipped = fit_labels(table, "default", positive="No")
    assert (flipped.negative, flipped.positive) == ("Yes", "No")
    assert lab.to_dict()["mapping"] == {"No": 0, "Yes": 1}
    assert fit_labels(table, "active").positive is True
    ints = table.assign(y=[0, 1, 0, 1, 1, 0])
    assert fit_labels(ints, "y").positive == 1
    with pytest.raises(DataError, match="--positive 'maybe' is not a value"):
        fit_labels(table, "default", positive="maybe")


@pytest.mark.parametrize("change, message", [
    (lambda t: t.assign(balance=[1.0, np.nan, 2, 3, 4, 5]),
     "'balance' has 1 missing \\(NaN\\) value\\(s\\) \\(first at data row 2\\)"),
    (lambda t: t.assign(balance=[1.0, 2, np.inf, -np.inf, 4, 5]), "'balance' has 2 infinite value"),
    (lambda t: t.assign(student=["No", None, "No", "No", "Yes", "No"]), "'student' has 1 missing value"),
    (lambda t: t.assign(when=pd.to_datetime(["2024-01-01"] * 6)), "'when' holds dates/times"),
    (lambda t: t.assign(default=["a", "b", "c", "a", "b", "c"]), "exactly two distinct values; it has 3"),
    (lambda t: t.assign(default=["a"] * 6), "exactly two distinct values; it has 1"),
    (lambda t: t.assign(default=["a", None, "b", "a", "b", "a"]), "'default' has 1 missing value"),
    (lambda t: t.rename(columns={"default": "target"}), "target column 'default' is not in the data"),
    (lambda t: t[["default"]], "no feature columns are left"),
])
def test_data_errors(table, change, message) -> None:
    bad = change(table)
    with pytest.raises(DataError, match=message):
        lab = fit_labels(bad, "default")
        enc = fit_encoding(bad, "default")
        encode_features(bad, enc)
        encode_labels(bad, lab)


def test_too_many_categories_and_drop(table) -> None:
    wide = table.assign(id=[f"id{i}" for i in range(6)])
    with pytest.raises(DataError, match="'id' is not numeric and has 6 distinct values.*--drop 'id'"):
        fit_encoding(wide, "default", max_categories=5)
    assert "id=id1" not in fit_encoding(wide, "default", drop=["id"]).feature_names
    assert len(fit_encoding(wide, "default", max_categories=6).feature_names) == 6 + 5
    with pytest.raises(DataError, match="--drop names columns that are not in the data"):
        fit_encoding(table, "default", drop=["nope"])
    # a constant text column carries nothing and is left out
    assert "c=x" not in fit_encoding(table.assign(c="x"), "default").feature_names


def test_prediction_data_errors(table) -> None:
    enc = fit_encoding(table, "default")
    with pytest.raises(DataError, match="lacks feature column\\(s\\) the model needs: 'tier', 'count'"):
        encode_features(table.drop(columns=["tier", "count"]), enc)
    with pytest.raises(DataError, match="'tier' has values the model never saw in training \\('z'\\)"):
        encode_features(table.assign(tier=["a", "b", "z", "a", "b", "c"]), enc)
    with pytest.raises(DataError, match="'balance' must be numeric but holds text such as 'lots'"):
        encode_features(table.assign(balance=["1", "lots", "3", "4", "5", "6"]), enc)


@pytest.mark.parametrize("content, message", [
    (b"", "is empty"),
    (b"a,b,y\n", "header but no data rows"),
    (b"a,b\n1,2,3\n4\n", "not a readable CSV file"),
    (b"\x00\x01\x02garbage", "not a readable"),
])
def test_unreadable_files(tmp_path, content, message) -> None:
    (tmp_path / "f.csv").write_bytes(content)
    with pytest.raises(DataError, match=message):
        read_table(tmp_path / "f.csv")


def test_missing_and_directory(tmp_path) -> None:
    with pytest.raises(DataError, match="no such file"):
        read_table(tmp_path / "none.csv")
    with pytest.raises(DataError, match="is a directory"):
        read_table(tmp_path)
