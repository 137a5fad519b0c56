"""Bring-your-own-CSV: good files become datasets, hostile ones get a clear message, never a crash."""
import numpy as np
import pandas as pd
import pytest

from components import datasets
from components.datasets import DatasetError, from_table, read_csv

GOOD = b"a,b,colour,label\n" + b"".join(
    f"{i},{i % 7 * 0.5},{['red', 'blue'][i % 2]},{['yes', 'no'][i % 3 == 0]}\n".encode() for i in range(60))


def test_good_file_becomes_a_classification_dataset():
    d, notes = from_table(read_csv(GOOD), "label")
    assert d.task == datasets.CLASSIFICATION and d.target_names == ("no", "yes")
    assert list(d.X.columns) == ["a", "b", "colour_blue", "colour_red"]
    assert (d.y == 1).sum() == sum(1 for i in range(60) if i % 3 != 0)
    assert notes == []


def test_numeric_target_with_many_values_is_regression_and_missing_rows_dropped():
    rows = [f"{i},{np.sin(i):.4f}" for i in range(50)] + [",1.0", "3,"]
    d, notes = from_table(read_csv(("x,y\n" + "\n".join(rows)).encode()), "y")
    assert d.task == datasets.REGRESSION and len(d.X) == 50
    assert any("missing" in n for n in notes)


def test_semicolons_and_latin1_are_read():
    raw = "x;y;name\n".encode() + "".join(f"{i};{i % 2};caf\xe9\n" for i in range(30)).encode("latin-1")
    d, _ = from_table(read_csv(raw), "y")
    assert d.X.shape == (30, 2)


@pytest.mark.parametrize("raw, fragment", [
    (b"", "empty"),
    (b"   \n\n", "empty"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
    (b"only_one_column\n1\n2\n3\n", "two columns"),
    (b"a,a\n1,2\n", "unique"),
    (b'a,b\n"unterminated,1\n', "CSV"),
    (",".join(f"c{i}" for i in range(300)).encode() + b"\n" + b"1," * 299 + b"1\n", "columns"),
])
def test_hostile_files_get_a_clear_message(raw, fragment):
    with pytest.raises(DatasetError, match=fragment):
        read_csv(raw)


@pytest.mark.parametrize("table, target, fragment", [
    (pd.DataFrame({"x": range(30), "t": 1}), "t", "single value"),
    (pd.DataFrame({"x": range(5), "t": [0, 1, 0, 1, 0]}), "t", "at least 20"),
    (pd.DataFrame({"x": [np.nan] * 30, "t": [0, 1] * 15}), "t", "complete rows"),
    (pd.DataFrame({"id": [f"u{i}" for i in range(40)], "t": [0, 1] * 20}), "t", "No usable feature"),
    (pd.DataFrame({"x": range(30), "t": [f"c{i}" for i in range(30)]}), "t", "classes"),
    (pd.DataFrame({"x": range(30)}), "missing_column", "no column"),
])
def test_unusable_tables_get_a_clear_message(table, target, fragment):
    with pytest.raises(DatasetError, match=fragment):
        from_table(table, target)


def test_formula_and_html_text_stay_plain_data():
    raw = b'<script>alert(1)</script>,=cmd|calc,t\n' + b"".join(f"{i},=1+{i},{i % 2}\n".encode() for i in range(40))
    d, notes = from_table(read_csv(raw), "t")
    assert "<script>alert(1)</script>" in d.X.columns  # a name, never rendered as HTML by the app
    assert any("dropped text columns" in n for n in notes)


def test_too_many_rows_is_refused():
    raw = b"x,y\n" + b"1,0\n" * (datasets.MAX_ROWS + 5)
    with pytest.raises(DatasetError, match="rows"):
        read_csv(raw)


def test_exported_upload_code_rebuilds_the_same_data(tmp_path):
    from components import code_export
    (tmp_path / "your_file.csv").write_bytes(GOOD)
    ns: dict = {}
    code = code_export.dataset_code(datasets.UPLOAD, target="label", filename=str(tmp_path / "your_file.csv"))
    exec(code, ns)
    d, _ = from_table(read_csv(GOOD), "label")
    np.testing.assert_allclose(ns["X"].to_numpy(dtype=float), d.X.to_numpy(dtype=float))
    np.testing.assert_array_equal(ns["y"].to_numpy(), d.y.to_numpy())


def test_cockpit_uses_an_uploaded_csv_and_bad_files_get_a_message():
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import confusion_matrix
    from sklearn.model_selection import train_test_split
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from tests.apptest_utils import assert_clean, open_page
    from tests.test_cockpit import PAGE, shown_confusion

    at = open_page(PAGE, query={"app.dataset": datasets.UPLOAD})
    assert_clean(at)
    at.file_uploader(key="app.upload").set_value(("good.csv", GOOD, "text/csv")).run()
    assert_clean(at)
    assert list(at.selectbox(key="eval.positive").options) == ["no", "yes"]
    d, _ = from_table(read_csv(GOOD), "label")
    y = (d.y.to_numpy() == 1).astype(int)  # default positive: the last class, "yes"
    X_tr, X_te, y_tr, y_te = train_test_split(d.X, y, test_size=0.25, random_state=42, stratify=y)
    s = make_pipeline(StandardScaler(), LogisticRegression(max_iter=5000)).fit(X_tr, y_tr).predict_proba(X_te)[:, 1]
    assert shown_confusion(at) == confusion_matrix(y_te, (s >= 0.5).astype(int)).tolist()

    at.file_uploader(key="app.upload").set_value(("bad.csv", b"\x00\x01garbage", "text/csv")).run()
    assert not at.exception
    assert any("cannot be used" in e.value for e in at.error)
