"""Bring-your-own-CSV: good files become datasets, hostile ones get a clear message, never a crash."""
import re
import time
import tracemalloc
import warnings
from dataclasses import dataclass
from typing import Callable

import numpy as np
import pandas as pd
import pytest

from components import code_export, datasets
from components import evaluation as ev
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


# ------------------------------------------------------------------------------- the hostile corpus
# Each file is bytes built here: what a visitor might upload, on purpose or not. Every one is either
# refused with a message saying why (``refused``: a fragment of it) or used correctly (``check``
# states what "correctly" means for it, and the cockpit's computations run on it without error).
def _rows(n: int, fmt) -> bytes:
    return "".join(fmt(i) for i in range(n)).encode()


def _table(header: str, n: int, fmt, sep: str = ",") -> bytes:
    return (header + "\n").encode() + _rows(n, lambda i: fmt(i) + "\n")


_RNG = np.random.default_rng(0)
JUNK = bytes(_RNG.integers(1, 256, size=3000, dtype=np.uint8))  # binary noise with no NUL byte
LONG = "a_very_long_measurement_name_that_goes_on_and_on_beyond_sixty_characters_"


@dataclass
class Upload:
    name: str
    raw: bytes
    target: str | None = None  # None: the last column (the page's default)
    refused: str | None = None  # a fragment of the message; None: the file must be usable
    check: Callable[[datasets.Dataset, list[str]], None] | None = None


def _expect(**want):
    """A check: the dataset's task, shape, classes, and a note containing each given fragment."""
    def check(d: datasets.Dataset, notes: list[str]) -> None:
        if "task" in want:
            assert d.task == want["task"]
        if "shape" in want:
            assert d.X.shape == want["shape"], d.X.shape
        if "classes" in want:
            assert d.target_names == want["classes"]
        if "columns" in want:
            assert list(d.X.columns) == want["columns"]
        for fragment in want.get("notes", ()):
            assert any(fragment in n for n in notes), notes
        if "values" in want:
            for col, values in want["values"].items():
                np.testing.assert_allclose(d.X[col].to_numpy()[:len(values)], values)
    return check


CORPUS = [
    # --- not a table at all
    Upload("empty", b"", refused="empty"),
    Upload("blank lines", b"   \n\n", refused="empty"),
    Upload("png image", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", refused="binary"),
    Upload("binary junk without a NUL byte", JUNK, refused="binary"),
    Upload("one column", b"only_one_column\n1\n2\n3\n", refused="two columns"),
    Upload("header only", b"a,b,c\n", refused="complete rows"),
    Upload("duplicate column names", b"a,a\n1,2\n", refused="unique"),
    Upload("unterminated quote", b'a,b\n"unterminated,1\n', refused="CSV"),
    Upload("ragged rows", _table("a,b,t", 30, lambda i: f"{i},{i},{i % 2}" + (",9,9" if i == 7 else "")),
           refused="CSV"),
    Upload("300 columns", ",".join(f"c{i}" for i in range(300)).encode() + b"\n" + b"1," * 299 + b"1\n",
           refused="columns"),
    Upload("327,000 columns", b",".join(b"col%06d" % i for i in range(327_000)) + b"\n1,2\n", refused="columns"),
    Upload("too many rows", b"x,y\n" + b"1,0\n" * (datasets.MAX_ROWS + 5), refused="rows"),
    # --- a table that cannot make a classification or regression task
    Upload("single target value", _table("x,t", 30, lambda i: f"{i},1"), refused="single value"),
    Upload("too few rows", _table("x,t", 5, lambda i: f"{i},{i % 2}"), refused="at least 20"),
    Upload("every feature missing", _table("x,t", 30, lambda i: f"NaN,{i % 2}"), refused="two columns"),
    Upload("only an id column", _table("id,t", 40, lambda i: f"u{i},{i % 2}"), refused="No usable feature"),
    Upload("30 text classes", _table("x,t", 60, lambda i: f"{i},c{i % 30}"), refused="classes"),
    Upload("every class under 10 rows", _table("x,t", 40, lambda i: f"{i},c{i % 8}"), refused="rows each"),
    # --- files that look odd but can be used
    Upload("Excel's sep= first line", b"sep=;\n" + _table("x;y;t", 40, lambda i: f"{i};{i * 2};{'ab'[i % 2]}"),
           check=_expect(shape=(40, 2), classes=("a", "b"), columns=["x", "y"])),
    Upload("a class with a single row", _table("x,y,t", 41, lambda i: f"{i},{i % 5},{'rare' if i == 40 else 'ab'[i % 2]}"),
           check=_expect(classes=("a", "b"), shape=(40, 2), notes=["fewer than 10 rows"])),
    Upload("twenty single-row classes", _table("x,y,t", 60, lambda i: f"{i},{i % 3},{f'one{i}' if i >= 40 else 'ab'[i % 2]}"),
           check=_expect(classes=("a", "b"), shape=(40, 2), notes=["20 classes"])),
    Upload("a single-row class under Excel's sep= line",
           b"sep=;\n" + _table("x;t", 41, lambda i: f"{i};{'z' if i == 0 else 'ab'[i % 2]}"),
           check=_expect(classes=("a", "b"), shape=(40, 1))),
    Upload("extreme values", _table("x,big,t", 40, lambda i: f"{i},{'1e308' if i % 10 == 0 else i},{i % 2}"),
           check=_expect(shape=(36, 2), notes=["too large"])),
    Upload("infinities as text", _table("x,t", 40, lambda i: f"{'inf' if i == 3 else '-inf' if i == 4 else i},{i % 2}"),
           check=_expect(shape=(38, 1), notes=["missing values"])),
    Upload("long headers that collide", _table(f"{LONG}1,{LONG}2,{LONG}3", 40, lambda i: f"{i},{i % 7},{i % 2}"),
           check=_expect(shape=(40, 2))),
    Upload("one-hot name collision", _table("colour_red,colour,t", 40, lambda i: f"{i},{'red' if i % 2 else 'blue'},{i % 3 == 0}"),
           check=_expect(shape=(40, 3))),
    Upload("thousands separators", _table("x,amount,t", 40, lambda i: f'{i},"{1000 + i * 1000:,}.5",{i % 2}'),
           check=_expect(values={"amount": [1000.5, 2000.5, 3000.5]}, notes=["amount"])),
    Upload("decimal commas with semicolons", _table("x;price;t", 40, lambda i: f"{i};{i},5;{i % 2}"),
           check=_expect(values={"price": [0.5, 1.5, 2.5]}, shape=(40, 2))),
    Upload("European thousands and decimals", _table("x;price;t", 40, lambda i: f"{i};{1000 + i * 1000:,}".replace(",", ".") + f",25;{i % 2}"),
           check=_expect(values={"price": [1000.25, 2000.25]})),
    Upload("semicolons inside cells", _table("x,note,t", 40, lambda i: f"{i},a;b{i % 3},{i % 2}"),
           check=_expect(columns=["x", "note_a;b0", "note_a;b1", "note_a;b2"])),
    Upload("an all-empty column", _table("x,empty,y,t", 40, lambda i: f"{i},,{i % 4},{i % 2}"),
           check=_expect(columns=["x", "y"], notes=["empty"])),
    Upload("a trailing comma on every line", _table("x,y,t,", 40, lambda i: f"{i},{i % 4},{i % 2},"),
           check=_expect(columns=["x", "y"])),
    Upload("question marks for missing values", _table("x,y,t", 40, lambda i: f"{i},{'?' if i == 5 else i % 4},{i % 2}"),
           check=_expect(shape=(39, 2))),
    Upload("blank column names", _table(",,t", 40, lambda i: f"{i},{i % 3},{i % 2}"), check=_expect(shape=(40, 2))),
    Upload("UTF-8 with a byte-order mark", "\ufeffx,t\n".encode() + _rows(40, lambda i: f"{i},{i % 2}\n"),
           check=_expect(columns=["x"])),
    Upload("UTF-16 from Excel", ("x\tt\n" + "".join(f"{i}\t{'ja' if i % 2 else 'nej'}\n" for i in range(40))).encode("utf-16"),
           check=_expect(classes=("ja", "nej"), shape=(40, 1))),
    Upload("Windows line endings", _table("x,t", 40, lambda i: f"{i},{i % 2}\r"), check=_expect(shape=(40, 1))),
    Upload("tabs", _table("x\ty\tt", 40, lambda i: f"{i}\t{i % 3}\t{i % 2}"), check=_expect(shape=(40, 2))),
    Upload("pipes", _table("x|y|t", 40, lambda i: f"{i}|{i % 3}|{i % 2}"), check=_expect(shape=(40, 2))),
    Upload("quoted newlines in cells", _table("x,comment,t", 40, lambda i: f'{i},"line one\nline {i % 2}",{i % 2}'),
           check=_expect(shape=(40, 3))),
    Upload("booleans as the target", _table("x,t", 40, lambda i: f"{i},{i % 3 == 0}"), check=_expect(classes=("False", "True"))),
    Upload("a regression target", _table("x,t", 40, lambda i: f"{i},{i * 0.37:.3f}"), check=_expect(task=datasets.REGRESSION)),
    Upload("formulas and HTML in cells", b"<b>x</b>,=cmd|calc,t\n" + _rows(40, lambda i: f"{i},=1+{i},{i % 2}\n"),
           check=_expect(columns=["<b>x</b>"], notes=["dropped text columns"])),
    Upload("a class label written as a Markdown image", _table("x,t", 40, lambda i: f"{i},{'![x](http://example.invalid/p.png)' if i % 2 else 'ok'}"),
           check=_expect(classes=("![x](http://example.invalid/p.png)", "ok"))),
    Upload("a very long text cell", _table("x,note,t", 40, lambda i: f"{i},{'z' * 200_000 if i == 3 else 'a'},{i % 2}"),
           check=_expect(shape=(40, 3))),
]


USABLE = [u for u in CORPUS if u.refused is None]


def test_the_corpus_is_large_and_has_both_kinds():
    assert len(CORPUS) >= 30 and len(USABLE) >= 15 and len(CORPUS) - len(USABLE) >= 15
    assert len({u.name for u in CORPUS}) == len(CORPUS)


def _load(u: Upload) -> tuple[datasets.Dataset, list[str]]:
    table = read_csv(u.raw)
    return from_table(table, u.target or table.columns[-1])


@pytest.mark.parametrize("u", [u for u in CORPUS if u.refused], ids=lambda u: u.name)
def test_hostile_file_is_refused_with_a_clear_message(u):
    with pytest.raises(DatasetError, match=re.escape(u.refused)) as caught:
        _load(u)
    message = str(caught.value)
    assert 10 < len(message) < 300 and "Traceback" not in message and "Error:" not in message


@pytest.mark.parametrize("u", USABLE, ids=lambda u: u.name)
def test_odd_but_usable_file_is_used_correctly(u):
    d, notes = _load(u)
    u.check(d, notes)
    assert np.isfinite(d.X.to_numpy(dtype=float)).all() and not d.X.columns.duplicated().any()
    assert len(d.X) == len(d.y) >= datasets.MIN_ROWS
    if d.task == datasets.CLASSIFICATION:
        counts = np.bincount(d.y.to_numpy(), minlength=d.n_classes)
        assert counts.min() >= datasets.MIN_CLASS_ROWS >= ev.FOLDS_RANGE[1]


@pytest.mark.parametrize("u", [u for u in USABLE if u.name != "a regression target"], ids=lambda u: u.name)
def test_the_cockpit_computes_on_every_usable_file(u):
    """Every class as the positive one, the test share's ends, k's ends, stratified or not: what the
    cockpit fits on an upload raises nothing and warns of no class too small to split."""
    d, _ = _load(u)
    lo, hi, _ = ev.TEST_SIZE_RANGE
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=".*least populated class.*")
        for positive in range(d.n_classes):
            y = ev.binarize(d.y, positive)
            for test_size in (lo, hi):
                for stratify in (True, False):
                    ev.fit_holdout(d.X, y, "Decision tree", 4, test_size, stratify, 0)
            for k in (ev.FOLDS_RANGE[0], ev.FOLDS_RANGE[1]):
                ev.cross_validate_folds(d.X, y, "Decision tree", 4, k, True, True, 0)
        h = ev.fit_holdout(d.X, ev.binarize(d.y, d.n_classes - 1), "Logistic regression", 1.0, 0.25, True, 0)
        assert np.isfinite(h.scores).all()


def test_a_file_with_327000_columns_is_refused_before_it_is_parsed():
    raw = next(u.raw for u in CORPUS if u.name == "327,000 columns")
    assert len(raw) > 2_000_000
    t0 = time.perf_counter()
    with pytest.raises(DatasetError, match="327,000 columns"):
        read_csv(raw)
    seconds = time.perf_counter() - t0
    tracemalloc.start()
    with pytest.raises(DatasetError):
        read_csv(raw)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert seconds < 1.0 and peak < 60 * 2**20, (seconds, peak / 2**20)  # was 4.3 s and 386 MB


@pytest.mark.parametrize("u", USABLE, ids=lambda u: u.name)
def test_exported_code_rebuilds_every_usable_file(u, tmp_path):
    d, _ = _load(u)
    target = u.target or read_csv(u.raw).columns[-1]
    path = tmp_path / "your_file.csv"
    path.write_bytes(u.raw)
    ns: dict = {}
    exec(code_export.dataset_code(datasets.UPLOAD, target=target, filename=str(path)), ns)
    assert list(ns["X"].columns) == list(d.X.columns)
    np.testing.assert_allclose(ns["X"].to_numpy(dtype=float), d.X.to_numpy(dtype=float))
    np.testing.assert_array_equal(np.asarray(ns["y"], dtype=float), d.y.to_numpy(dtype=float))


def test_exported_upload_code_rebuilds_the_same_data(tmp_path):
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


def _markdown_bodies(at) -> list[str]:
    """The Markdown source of every element that renders Markdown: texts, captions, alerts, labels."""
    bodies = [e.value for e in at.markdown] + [e.value for e in at.caption]
    bodies += [e.value for kind in ("error", "warning", "info", "success") for e in getattr(at, kind)]
    bodies += [m.label for m in at.metric] + [e.label for e in at.expander]
    return bodies


IMAGE = "![x](http://example.invalid/p.png)"


def test_text_from_a_visitors_file_is_never_rendered_as_markdown():
    """A class label, a column name and a target written as Markdown images reach captions, notes and
    error messages escaped: the browser shows the text and fetches nothing."""
    from tests.apptest_utils import open_page
    from tests.test_cockpit import PAGE

    labels = _table(f"x,{IMAGE},t", 40, lambda i: f"{i},u{i},{IMAGE if i % 2 else 'ok'}")  # an id column dropped
    constant = _table(f"x,{IMAGE}", 30, lambda i: f"{i},1")  # refused: the target has a single value
    at = open_page(PAGE, query={"app.dataset": datasets.UPLOAD})
    at.file_uploader(key="app.upload").set_value(("labels.csv", labels, "text/csv")).run()
    at.selectbox(key="eval.positive").set_value(IMAGE).run()  # the caption under the metrics names it
    steps = [("labels.csv", at)]
    at = open_page(PAGE, query={"app.dataset": datasets.UPLOAD})
    at.file_uploader(key="app.upload").set_value(("constant.csv", constant, "text/csv")).run()
    steps.append(("constant.csv", at))
    for name, at in steps:
        assert not at.exception
        shown = [b for b in _markdown_bodies(at) if "example" in b]
        assert len(shown) >= 2 if name == "labels.csv" else shown, f"{name}: {shown}"
        assert all("](" not in b and "<img" not in b for b in shown), shown


def test_exported_cockpit_script_keeps_a_hostile_label_inside_its_string():
    """A class label with quotes and a newline cannot end the script's string and add code to it."""
    from components import cockpit

    label = 'a"""\nimport os; os.system("echo owned")  # '
    s = cockpit.CockpitSettings(dataset=datasets.UPLOAD, positive=label, positive_index=1, model="Decision tree",
                                value=4, test_size=0.25, stratify=True, k=5, cv_stratified=True, cv_shuffle=True,
                                threshold=0.5, seed=0, upload_target="t")
    for script in (cockpit.holdout_script(s), cockpit.folds_script(s)):
        compile(script, "exported.py", "exec")
        assert "\nimport os" not in script


def test_a_target_that_is_not_a_column_gets_a_message():
    with pytest.raises(DatasetError, match="no column"):
        from_table(pd.DataFrame({"x": range(30), "t": [0, 1] * 15}), "missing_column")
