"""Chart builders: specs are valid Vega-Lite, and the threshold parameter selects the right points."""
import altair as alt
import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from components import charts
from components import evaluation as ev
from tests.chart_utils import assert_converts_like_streamlit

RNG = np.random.default_rng(1)
Y = RNG.integers(0, 2, 120)
S = np.clip(Y * 0.35 + RNG.random(120) * 0.65, 0, 1).round(2)


def layers(spec):
    return spec.get("layer", [])


def frames_at(t: float, positive: str = "yes") -> dict[str, list[dict]]:
    return ev.threshold_frames(ev.confusion_at(Y, S, t), t, positive, ev.roc_frame(Y, S)[0], ev.pr_frame(Y, S)[0])


def rows(spec: dict, name: str) -> list[dict]:
    return pa.ipc.open_stream(spec["datasets"][name]).read_all().to_pylist()


@pytest.mark.parametrize("t", [0.0, 0.1, 0.35, 0.5, 0.77, 0.99, 1.0])
def test_operating_points_and_cells_equal_the_confusion_counts(t):
    """Counted here from the scores, independently of the curves the points are read from."""
    pred = S >= t
    tp, fp = int((pred & (Y == 1)).sum()), int((pred & (Y == 0)).sum())
    fn, tn = int((~pred & (Y == 1)).sum()), int((~pred & (Y == 0)).sum())
    at = frames_at(t)
    (roc_point,), (pr_point,) = at["roc_point"], at["pr_point"]
    assert roc_point["FPR"] == pytest.approx(fp / (fp + tn))
    assert roc_point["TPR"] == pytest.approx(tp / (tp + fn))
    assert pr_point["recall"] == pytest.approx(tp / (tp + fn))
    assert pr_point["precision"] == pytest.approx(tp / (tp + fp) if tp + fp else 1.0)
    cells = {c["cell"]: c for c in at["cells"]}
    assert {name: c["count"] for name, c in cells.items()} == {"TN": tn, "FP": fp, "FN": fn, "TP": tp}
    assert cells["FN"]["share"] == pytest.approx(fn / (fn + tp))
    assert at["at"] == [{"threshold": t}]


def test_a_threshold_move_changes_only_the_threshold_datasets():
    """The browser applies a change confined to named datasets in place; anything else re-embeds."""
    roc, auc = ev.roc_frame(Y, S)
    pr, ap = ev.pr_frame(Y, S)
    specs = charts.threshold_specs(Y, S, "yes", roc, auc, pr, ap, ev.threshold_sweep(Y, S))
    for name, spec in specs.items():
        a, b = charts.with_datasets(spec, frames_at(0.2)), charts.with_datasets(spec, frames_at(0.8))
        assert {k: v for k, v in a.items() if k != "datasets"} == {k: v for k, v in b.items() if k != "datasets"}
        changed = {n for n in a["datasets"] if a["datasets"][n] != b["datasets"][n]}
        assert changed and changed <= set(charts.THRESHOLD_DATASETS), (name, changed)
        assert "params" not in a


def test_class_names_reach_the_confusion_chart_as_data_not_code():
    spec = charts.confusion_matrix_spec(frames_at(0.5, 'say "hi"')["cells"], 'say "hi"')
    assert {row["actual"] for row in rows(spec, "cells")} == {'say "hi"', 'not say "hi"'}
    assert spec["encoding"]["x"]["sort"] == ['not say "hi"', 'say "hi"']


def test_every_cockpit_chart_validates_against_the_vega_lite_schema():
    roc, auc = ev.roc_frame(Y, S)
    pr, ap = ev.pr_frame(Y, S)
    at = frames_at(0.5)
    res = ev.cross_validate_folds(pd.DataFrame({"s": S}), Y, "Decision tree", 2, 3, True, True, 0)
    for chart in (charts.confusion_matrix_chart(at["cells"], "yes"), charts.roc_chart(roc, auc, at["roc_point"]),
                  charts.pr_chart(pr, ap, float(Y.mean()), at["pr_point"]), charts.threshold_metrics_chart(
                      ev.threshold_sweep(Y, S), at["at"]), charts.folds_chart(ev.fold_runs(res.assignment))):
        chart.to_dict(validate=True)  # raises on a schema error


def test_fast_specs_carry_this_fits_data_and_title():
    """The cached layouts are filled with each call's own rows: two fits never share data."""
    roc_a, auc_a = ev.roc_frame(Y, S)
    roc_b, auc_b = ev.roc_frame(Y[::-1], S)
    point = frames_at(0.5)["roc_point"]
    a, b = charts.roc_spec(roc_a, auc_a, point), charts.roc_spec(roc_b, auc_b, point)
    assert a["title"] == ["ROC curve", f"AUC = {auc_a:.3f}"] and b["title"] == ["ROC curve", f"AUC = {auc_b:.3f}"]
    assert [r["TPR"] for r in rows(a, "roc")] == pytest.approx(roc_a["TPR"].tolist())
    assert [r["TPR"] for r in rows(b, "roc")] == pytest.approx(roc_b["TPR"].tolist())
    assert a["layer"] == b["layer"]  # one layout
    a["layer"].clear()
    assert charts.roc_spec(roc_a, auc_a, point)["layer"] == b["layer"]  # edits never reach the cache
    pr, ap = ev.pr_frame(Y, S)
    assert rows(charts.pr_spec(pr, ap, 0.123, frames_at(0.5)["pr_point"]), "baseline") == [{"precision": 0.123}]


_FRAME = pd.DataFrame({"v": [1.5, 2.0, 0.5], "k": ["a", "b", "c"], "g": ["u", "u", "w"],
                       "c": pd.Categorical(["x", "y", "x"])})


def _layered_shared_data() -> alt.LayerChart:
    base = alt.Chart(_FRAME).encode(x="v:Q", y="k:N", color="c:N")  # one frame, lifted to the layer chart
    return base.mark_line() + base.mark_point()


@pytest.mark.parametrize("build", [
    lambda: charts.bar_chart(pd.DataFrame({"v": [1.5, 2.0], "k": ["a", "b"]}), "v", "k", title="bars"),
    lambda: charts.line_chart(pd.DataFrame({"x": [1, 2, 3], "y": [0.1, 0.4, 0.2], "s": ["u", "u", "v"]}),
                              "x", "y", color="s", rule_x=2),
    lambda: charts.boundary_chart(
        pd.DataFrame({"x1": [0.0, 1.0, 0.0, 1.0], "x2": [0.0, 0.0, 1.0, 1.0], "proba": [0.1, 0.4, 0.6, 0.9]}),
        pd.DataFrame({"x1": [0.2], "x2": [0.8], "label": ["1"], "class": [1], "split": ["train"]}), title="b")
    .configure_legend(gradientLength=80),
    lambda: alt.hconcat(charts.bar_chart(_FRAME, "v", "k"), _layered_shared_data()),
    lambda: alt.vconcat(_layered_shared_data(), alt.Chart(_FRAME).mark_point().encode(x="v", y="k")),
    lambda: alt.Chart(_FRAME).mark_point().encode(x="v:Q", y="k:N").facet(column="g:N"),
    lambda: alt.Chart(_FRAME).mark_rect().encode(x="v:O", color="v:Q").properties(width=40).facet(
        facet=alt.Facet("k:N", title=None), columns=2).properties(title="wrapped facets"),
    lambda: charts.histogram(_FRAME, "v", color="c", facet="g"),
    lambda: alt.hconcat(alt.Chart(_FRAME).mark_point().encode(x="v:Q").facet(row="g:N"),  # left to Altair
                        charts.bar_chart(_FRAME, "v", "k")),
])
def test_to_spec_sends_what_streamlit_altair_chart_sends(build):
    """to_spec must be a drop-in for Streamlit's own conversion (st.altair_chart)."""
    assert_converts_like_streamlit(build())


def test_swap_top_data_equals_a_histogram_built_on_the_new_rows():
    """The Missing-data lab builds each column's histogram once and swaps every input's rows in."""
    from tests.chart_utils import canonical
    rng = np.random.default_rng(3)

    def rows(n, shift):
        return pd.DataFrame({"column": "x", "value": rng.normal(shift, 1, n),
                             "version": rng.choice(["truth", "observed", "after imputation"], n),
                             "strategy": rng.choice(["", "mean", "k-NN"], n)})

    def build(df):
        return charts.histogram(df, "value", color="version", bins=25, title="x", steps=True).add_params(
            alt.param(name="inspect", value="k-NN")).transform_filter("datum.strategy === inspect")

    first, other = rows(300, 0.0), rows(500, 2.0)
    template = charts.to_spec(build(first))
    ours_text, ours = canonical(charts.swap_top_data(template, other))
    theirs_text, theirs = canonical(charts.to_spec(build(other)))
    assert ours_text == theirs_text and len(ours) == len(theirs) == 1
    pd.testing.assert_frame_equal(ours[0], theirs[0], check_exact=True)
    assert canonical(template)[1][0]["value"].tolist() == first["value"].tolist()  # the template is untouched
    with pytest.raises(ValueError):
        charts.swap_top_data(charts.to_spec(build(first) + build(first)), other)


def test_score_dot_chart_zooms_on_the_scores_and_marks_the_reference():
    df = pd.DataFrame({"strategy": ["mean", "k-NN", "iterative"], "CV score": [0.962, 0.968, 0.971]})
    chart = charts.score_dot_chart(df, "CV score", "strategy", reference=0.975, reference_label="complete data")
    spec = chart.to_dict(validate=True)
    dots, rule = spec["layer"]
    assert dots["encoding"]["x"]["scale"] == {"zero": False}
    assert dots["encoding"]["y"]["sort"] is None  # the frame's order, not alphabetical
    assert dots["mark"]["type"] == "point" and rule["mark"]["type"] == "rule"
    assert_converts_like_streamlit(chart, min_datasets=2)
    assert "layer" not in charts.score_dot_chart(df, "CV score", "strategy").to_dict()
    grouped = df.assign(scaler=["b", "a", "b"])
    spec = charts.score_dot_chart(grouped, "CV score", "strategy", color="scaler", color_order=["a", "b"]).to_dict(
        validate=True)
    assert spec["encoding"]["color"]["scale"]["domain"] == ["a", "b"]  # the given order, not the data's
    assert spec["encoding"]["yOffset"]["sort"] == ["a", "b"]


def _shorthand_channels(path) -> list[str]:
    """Encodings written as bare strings, condition dicts or lists of column names in one file."""
    import ast

    src = path.read_text()
    found = []

    def bare(node) -> bool:
        if isinstance(node, ast.JoinedStr) or (isinstance(node, ast.Constant) and isinstance(node.value, str)):
            return True
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute | ast.Name):
            return getattr(node.func, "attr", getattr(node.func, "id", None)) in ("condition", "list")
        return False

    for node in ast.walk(ast.parse(src)):
        encodings = []
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "encode":
            encodings = node.keywords
        elif (isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name) and node.targets[0].id == "enc"
              and isinstance(node.value, ast.Call) and getattr(node.value.func, "id", None) == "dict"):
            encodings = node.value.keywords
        for kw in encodings:
            values = kw.value.elts if isinstance(kw.value, ast.List) else [kw.value]
            found += [f"{path.name}:{v.lineno} {kw.arg}={ast.get_source_segment(src, v)}" for v in values if bare(v)]
    return found


def test_encodings_are_channel_objects_not_shorthand_strings():
    """Altair wraps a shorthand string (or a condition dict) with from_dict, 2-5 ms per channel; a
    channel object costs 0.01 ms. The Vega-Lite spec is the same, so only speed tells them apart."""
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    files = [*sorted((root / "components" / "charts").glob("*.py")), *sorted((root / "views").rglob("*.py"))]
    found = [hit for f in files for hit in _shorthand_channels(f)]
    assert not found, found


def test_shorthand_guard_sees_strings_conditions_and_column_lists(tmp_path):
    f = tmp_path / "chart.py"
    f.write_text('c.encode(x="a:Q", y=alt.Y("b:Q"), tooltip=["a", alt.Tooltip("b")],\n'
                 '         color=alt.condition(t, alt.value(1), alt.value(2)))\n'
                 'enc = dict(x=f"{x}:Q", tooltip=list(df.columns))\n')
    assert sorted(h.split(" ", 1)[1] for h in _shorthand_channels(f)) == sorted([
        'x="a:Q"', 'tooltip="a"', "color=alt.condition(t, alt.value(1), alt.value(2))", 'x=f"{x}:Q"',
        "tooltip=list(df.columns)"])


def _grid(proba_of) -> pd.DataFrame:
    from components.boundary import grid_for
    g = grid_for(np.array([[0.0, 0.0], [1.0, 1.0]]), 20, margin=0.0)
    return pd.DataFrame({"x1": g[:, 0], "x2": g[:, 1], "proba": proba_of(g[:, 0], g[:, 1])})


def test_boundary_cells_are_where_the_prediction_flips():
    # P = x1: the prediction flips between x1 = 9/19 and 10/19; the line is the class-1 column beside it
    line = charts.on_boundary(_grid(lambda a, b: a))
    assert sorted(set(np.round(line["x1"], 6))) == [round(10 / 19, 6)] and len(line) == 20
    # P near 0.5 everywhere but never crossing it (an RBF SVM far from its data): no boundary at all
    assert charts.on_boundary(_grid(lambda a, b: 0.5 + 0.01 * b + 1e-3)).empty
    # a jump straight across 0.5 (a tree's step) is still a line
    step = charts.on_boundary(_grid(lambda a, b: np.where(b > 0.5, 0.9, 0.1)))
    assert len(step) == 20 and (step["proba"] == 0.9).all()
    # not a full regular grid: the band around 0.5
    ragged = _grid(lambda a, b: a).iloc[:-3]
    np.testing.assert_array_equal(charts.on_boundary(ragged).index,
                                  ragged.index[(ragged["proba"] - 0.5).abs() < 0.04])


def _png_pixels(url: str) -> np.ndarray:
    import base64
    import io

    from PIL import Image

    return np.asarray(Image.open(io.BytesIO(base64.b64decode(url.split(",", 1)[1]))).convert("RGBA"))


def test_class_regions_and_gap_maps_are_one_image_coloured_as_their_scales():
    """Each cell of the multi-class maps is one pixel: the predicted class's Okabe-Ito colour at the
    opacity 0.05 + 0.70 (confidence - 1/K) / (1 - 1/K); the gap map white (0) to black (1)."""
    from components.charts.core import OKABE_ITO

    classes = ["a", "b", "c"]
    xs, ys = np.meshgrid([0.0, 0.5, 1.0], [10.0, 20.0])  # 3 columns, 2 rows
    cells = pd.DataFrame({"x1": xs.ravel(), "x2": ys.ravel(), "predicted": ["a", "b", "c", "c", "b", "a"],
                          "confidence": [1 / 3, 0.5, 1.0, 0.9, 2 / 3, 0.4], "differs": [False] * 5 + [True],
                          "gap": [0.0, 0.25, 0.5, 0.75, 1.0, 0.1]})
    points = pd.DataFrame({"x1": [0.1], "x2": [12.0], "label": ["a"], "split": ["train"]})
    spec = charts.class_regions_chart(cells, points, classes).to_dict()
    image = spec["layer"][0]
    assert image["mark"]["type"] == "image"
    row = spec["datasets"][image["data"]["name"]][0]
    assert (row["x1"], row["x1b"], row["x2"], row["x2b"]) == (0.0, 1.5, 10.0, 30.0)
    pixels = _png_pixels(row["url"])
    assert pixels.shape == (2, 3, 4)
    for _, cell in cells.iterrows():
        r, c = (1 if cell["x2"] == 10.0 else 0), int(cell["x1"] * 2)  # the top row holds the largest x2
        hexcode = OKABE_ITO[classes.index(cell["predicted"])]
        expected = [int(hexcode[i:i + 2], 16) for i in (1, 3, 5)]
        alpha = 0.05 + 0.70 * (cell["confidence"] - 1 / 3) / (2 / 3)
        assert list(pixels[r, c, :3]) == expected
        assert abs(int(pixels[r, c, 3]) - 255 * alpha) <= 0.5
    gap = charts.probability_gap_chart(cells).to_dict()
    gap_row = gap["datasets"][gap["layer"][0]["data"]["name"]][0]
    grey = _png_pixels(gap_row["url"])
    for _, cell in cells.iterrows():
        r, c = (1 if cell["x2"] == 10.0 else 0), int(cell["x1"] * 2)
        assert abs(int(grey[r, c, 0]) - 255 * (1 - cell["gap"])) <= 0.5 and grey[r, c, 3] == 255
        assert grey[r, c, 0] == grey[r, c, 1] == grey[r, c, 2]
