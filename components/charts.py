"""Altair chart builders shared by every page. Each takes DataFrames and returns an ``alt.Chart``.

Colours come from the Okabe–Ito palette, which stays distinguishable for colour-blind viewers.

Every encoding is a channel object (``alt.X("a:Q")``, ``alt.Tooltip(c)``, ``alt.ColorValue(**alt.condition(...))``),
never a bare shorthand string or condition dict: Altair turns those into channels with ``from_dict``, which
hashes every class of the Vega-Lite schema on each call (2-5 ms per channel, measured with Altair 6.3;
a channel object costs 0.01 ms). A chart with six string channels cost 14 ms to build. The spec is the
same either way; tests/test_charts.py keeps these files to channel objects.
"""
from __future__ import annotations

import copy
import functools
import hashlib
import json

import altair as alt
import numpy as np
import pandas as pd

from components.evaluation import THRESHOLD_DEFAULT, confusion_at, finite_thresholds, threshold_frames

OKABE_ITO = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"]
BLUE, ORANGE, GREEN, VERMILION, PURPLE, SKY, YELLOW, BLACK = OKABE_ITO
HEIGHT = 280

# Boundary grids (80x80 = 6,400 cells) exceed Altair's default 5,000-row guard; every builder here
# gets bounded data (grids of fixed resolution, sampled points), so the guard only gets in the way.
alt.data_transformers.disable_max_rows()


def _tooltips(columns) -> list[alt.Tooltip]:
    """One tooltip channel per column (channel objects, not names: see the module docstring)."""
    return [alt.Tooltip(c) for c in columns]


def boundary_chart(grid: pd.DataFrame, points: pd.DataFrame, title: str = "", height: int = 320,
                   width: int | str = "container", extra: alt.Chart | None = None) -> alt.LayerChart:
    """A 2-D decision boundary: the model's probability of class 1 as a background, points on top.

    grid: columns x1, x2, proba (a regular grid, see components.boundary.grid_predictions).
    points: columns x1, x2, label (str), class (its integer code), split ("train"/"test"); optional "size"
    for sample weights, optional "marker" to mark points (e.g. "support vector", "synthetic").
    """
    cells, x_domain, y_domain = _background_cells(grid)
    background = alt.Chart(cells).mark_rect(opacity=0.55).encode(
        x=alt.X("x1:Q", title="x1", scale=alt.Scale(domain=x_domain, nice=False)),
        x2=alt.X2("x1b:Q"),
        y=alt.Y("x2:Q", title="x2", scale=alt.Scale(domain=y_domain, nice=False)),
        y2=alt.Y2("x2b:Q"),
        # a short gradient leaves room for the class and split legends below it
        color=alt.Color("proba:Q", title="P(class 1)", legend=alt.Legend(gradientLength=90),
                        scale=alt.Scale(domain=[0, 0.5, 1], range=[BLUE, "#f7f7f7", ORANGE])),
    )
    contour = alt.Chart(on_boundary(grid)).mark_point(
        size=4, color=BLACK, filled=True, opacity=0.6).encode(x=alt.X("x1:Q"), y=alt.Y("x2:Q"))
    enc = dict(
        x=alt.X("x1:Q"), y=alt.Y("x2:Q"),
        # colours in class-code order, not alphabetical: "benign" is class 1 of breast_cancer and must be
        # orange like the P(class 1) background, though it sorts before "malignant"
        color=alt.Color("label:N", title="class", sort=alt.EncodingSortField(field="class", op="min"),
                        scale=alt.Scale(range=[BLUE, ORANGE, GREEN, VERMILION])),
        shape=alt.Shape("split:N", title="split", scale=alt.Scale(domain=["train", "test"],
                                                                    range=["circle", "triangle-up"])),
        tooltip=_tooltips(c for c in points.columns if c in ("x1", "x2", "label", "split", "size", "marker")),
    )
    # Legends on the right are cut off at the plot's height: with an extra layer's legends the split
    # legend ended at "split / train", and the seven weight sizes hid the split legend. Those go below.
    if extra is not None:
        enc["shape"].legend = alt.Legend(orient="bottom", direction="horizontal")
    if "size" in points:
        enc["size"] = alt.Size("size:Q", title="weight", scale=alt.Scale(range=[10, 400]),
                               legend=alt.Legend(orient="bottom", direction="horizontal", columns=4))
    dots = alt.Chart(points).mark_point(filled=True, stroke=BLACK, strokeWidth=0.6, opacity=0.9).encode(**enc)
    layers = [background, contour, dots]
    if extra is not None:
        layers.append(extra)
    # independent shapes: an extra layer's markers (synthetic, removed) keep their own, not train/test's
    return alt.layer(*layers).properties(title=title, height=height, width=width).resolve_scale(
        color="independent", shape="independent")


def on_boundary(grid: pd.DataFrame) -> pd.DataFrame:
    """The grid cells on the decision boundary, drawn as its line: class-1 cells (P >= 0.5) next to a
    class-0 cell (left, right, below or above), a line one cell wide wherever the prediction flips.

    A band |P - 0.5| < 0.04 drew patches instead of a line where P stays near 0.5 without crossing it
    (an RBF SVM far from its data) and a gap where P jumps across 0.5 (a tree). A grid that is not a
    full regular one falls back to that band."""
    p = grid["proba"].to_numpy()
    u1, i1 = np.unique(grid["x1"].to_numpy(), return_inverse=True)
    u2, i2 = np.unique(grid["x2"].to_numpy(), return_inverse=True)
    if len(grid) != len(u1) * len(u2):
        return grid[np.abs(p - 0.5) < 0.04]
    side = np.zeros((len(u2), len(u1)), dtype=bool)
    side[i2, i1] = p >= 0.5
    flip = np.zeros_like(side)
    across = side[:, 1:] != side[:, :-1]
    flip[:, 1:] |= across
    flip[:, :-1] |= across
    up = side[1:, :] != side[:-1, :]
    flip[1:, :] |= up
    flip[:-1, :] |= up
    return grid[(flip & side)[i2, i1]]


def _background_cells(grid: pd.DataFrame) -> tuple[pd.DataFrame, list[float], list[float]]:
    """The background's rectangles (each cell spans to the next grid line) and the axes' domains."""
    xs = grid["x1"].drop_duplicates().sort_values()
    ys = grid["x2"].drop_duplicates().sort_values()
    dx = float(xs.diff().median()) if len(xs) > 1 else 1.0
    dy = float(ys.diff().median()) if len(ys) > 1 else 1.0
    cells = grid.assign(x1b=grid["x1"] + dx, x2b=grid["x2"] + dy)
    return cells, [float(xs.min()), float(xs.max() + dx)], [float(ys.min()), float(ys.max() + dy)]


def member_boundary_chart(grid: pd.DataFrame, title: str = "", height: int = 210) -> alt.LayerChart:
    """A small boundary of one ensemble member: the background only, without legends (the big chart
    beside it explains the colours; a legend would squeeze the small plot)."""
    empty = pd.DataFrame({"x1": [], "x2": [], "label": [], "class": [], "split": []})
    chart = boundary_chart(grid, empty, title=title, height=height)
    # config.legend.disable does not hide a legend the encoding spells out (the colour ramp's): drop them
    for layer in chart.layer:
        for channel in ("color", "shape", "size"):
            enc = getattr(layer.encoding, channel, alt.Undefined)
            if enc is not alt.Undefined:
                enc.legend = None
    return chart


def _log_x() -> alt.Scale:
    """A log x axis that ends where the data ends: a "nice" one ran on to the next power of ten
    (1,000 after a largest training set of 500), leaving most of the plot empty."""
    return alt.Scale(type="log", nice=False)


def line_chart(df: pd.DataFrame, x: str, y: str, color: str | None = None, title: str = "",
               x_title: str | None = None, y_title: str | None = None, height: int = HEIGHT,
               log_x: bool = False, rule_x: float | None = None, zero_y: bool = True) -> alt.Chart:
    """A generic line chart in long format, with an optional vertical rule (the current setting).
    ``zero_y=False`` zooms the y axis on the data: scores a few points apart (0.92 vs 0.97) otherwise
    sit on top of each other near the top of a 0-1 axis."""
    enc = dict(
        x=alt.X(f"{x}:Q", title=x_title or x, scale=_log_x() if log_x else alt.Undefined),
        y=alt.Y(f"{y}:Q", title=y_title or y, scale=alt.Undefined if zero_y else alt.Scale(zero=False)),
        tooltip=_tooltips(df.columns),
    )
    if color:
        enc["color"] = alt.Color(f"{color}:N", title=color, scale=alt.Scale(range=OKABE_ITO))
    chart = alt.Chart(df).mark_line(point=len(df) <= 60).encode(**enc)
    if rule_x is not None:
        rule = alt.Chart(pd.DataFrame({x: [rule_x]})).mark_rule(color=BLACK, strokeDash=[4, 3]).encode(x=alt.X(f"{x}:Q"))
        chart = chart + rule
    return chart.properties(title=title, height=height, width="container")


def bar_chart(df: pd.DataFrame, x: str, y: str, color: str | None = None, title: str = "",
              height: int = HEIGHT, sort: str | None = "-x", x_title: str | None = None) -> alt.Chart:
    """Horizontal bars (category on y), e.g. importances or scores per strategy."""
    enc = dict(x=alt.X(f"{x}:Q", title=x_title or x),
               # Streamlit's theme thins out overlapping labels; every category must stay named
               y=alt.Y(f"{y}:N", title=None, sort=sort, axis=alt.Axis(labelOverlap=False, labelLimit=220)),
               tooltip=_tooltips(df.columns))
    if color:
        enc["color"] = alt.Color(f"{color}:N", title=color, scale=alt.Scale(range=OKABE_ITO))
        enc["yOffset"] = alt.YOffset(f"{color}:N")
    # at least 20 px per category, room for its label
    height = max(height, 20 * df[y].nunique() * (df[color].nunique() if color else 1))
    return alt.Chart(df).mark_bar().encode(**enc).properties(title=title, height=height, width="container")


def score_dot_chart(df: pd.DataFrame, x: str, y: str, reference: float | None = None, reference_label: str = "",
                    title: str = "", height: int = HEIGHT, x_title: str | None = None, color: str | None = None,
                    color_order: list[str] | None = None, log_x: bool = False) -> alt.Chart:
    """One dot per category (on y, in the frame's order; with ``color``, one dot per colour within
    each category, offset in ``color_order``) on an axis zoomed to the scores, with an optional
    dashed reference line (e.g. the score on complete data). For scores a few hundredths apart,
    which bars from zero draw as equal lengths. ``log_x`` for positive values orders of magnitude
    apart (errors of 1 and 57: on a linear axis, or as bars, the small ones were slivers)."""
    enc = dict(x=alt.X(f"{x}:Q", title=x_title or x, scale=alt.Scale(type="log") if log_x else alt.Scale(zero=False)),
               y=alt.Y(f"{y}:N", title=None, sort=None, axis=alt.Axis(labelOverlap=False, labelLimit=220)),
               tooltip=_tooltips(df.columns))
    mark = dict(filled=True, size=110, opacity=1)
    if color:
        order = color_order or list(dict.fromkeys(df[color]))
        enc["color"] = alt.Color(f"{color}:N", title=color, sort=order,
                                 scale=alt.Scale(domain=order, range=OKABE_ITO[:len(order)]))
        enc["yOffset"] = alt.YOffset(f"{color}:N", sort=order)
    else:
        mark["color"] = BLUE
    chart = alt.Chart(df).mark_point(**mark).encode(**enc)
    if reference is not None:
        ref = pd.DataFrame({x: [reference], "label": [reference_label]})
        chart = chart + alt.Chart(ref).mark_rule(color=BLACK, strokeDash=[4, 3]).encode(
            x=alt.X(f"{x}:Q"), tooltip=[alt.Tooltip("label:N", title=""), alt.Tooltip(f"{x}:Q")])
    height = max(height, (12 * df[color].nunique() + 8 if color else 24) * df[y].nunique())
    return chart.properties(title=title, height=height, width="container")


def histogram(df: pd.DataFrame, value: str, color: str | None = None, title: str = "", bins: int = 30,
              height: int = 220, facet: str | None = None, steps: bool = False) -> alt.Chart:
    """Overlaid histograms of one value column, coloured by a category (e.g. before/after).
    ``steps`` draws each as an outline: three or more overlaid filled histograms blend into one colour
    (the missing-data lab's observed cells vanished between the truth and the imputed table)."""
    enc = dict(x=alt.X(f"{value}:Q", bin=alt.Bin(maxbins=bins), title=value),
               y=alt.Y("count():Q", stack=None, title="count"))
    if color:
        enc["color"] = alt.Color(f"{color}:N", title=color, scale=alt.Scale(range=OKABE_ITO))
        if steps:  # a dash pattern per category too: where two outlines coincide, both stay visible
            enc["strokeDash"] = alt.StrokeDash(f"{color}:N", title=color)
    mark = alt.Chart(df).mark_line(interpolate="step", strokeWidth=2.5) if steps else alt.Chart(df).mark_bar(opacity=0.55)
    chart = mark.encode(**enc).properties(height=height, width="container")
    if facet:
        chart = chart.properties(width=220).facet(facet=f"{facet}:N", columns=3)
    return chart.properties(title=title)


# --- Evaluation: confusion matrix, ROC, precision-recall, metrics vs threshold, folds -------------


# Altair's default theme; Streamlit switches it off before converting a chart, so to_spec drops it too.
_DEFAULT_THEME_VIEW = {"continuousWidth": 300, "continuousHeight": 300}


def to_spec(chart: alt.TopLevelMixin) -> dict:
    """A chart as the Vega-Lite dict st.vega_lite_chart draws, with its data already in Arrow.

    Streamlit's altair_chart converts a chart on every rerun: schema validation plus data
    serialisation, 20-40 ms per chart on this project's pages. A page that keeps this dict (see
    components/ui/chart_cache.py) pays that once per input. The result matches what altair_chart
    sends (tests/test_charts.py compares them): the same marks and encodings, Altair's default theme
    removed, every DataFrame as a named Arrow IPC dataset (st.vega_lite_chart passes bytes through).

    Altair would turn each DataFrame into a list of row dicts first (most of the cost for a 6,400-cell
    boundary grid), so it converts the chart with one row of each frame (enough to infer field
    types) and the whole frame goes to Arrow directly under its own name.
    """
    frames: dict[tuple, pd.DataFrame] = {}
    light = _one_row_frames(chart, (), frames)
    spec = chart.to_dict(validate=False) if light is None else light.to_dict(validate=False)
    _drop_default_theme(spec)
    datasets = {name: _arrow_bytes(pd.DataFrame.from_records(rows)) for name, rows in spec.get("datasets", {}).items()}
    for path, frame in frames.items():
        part = spec
        for step in path:
            part = part[step]
        arrow = _arrow_bytes(frame)
        name = _dataset_name(arrow)
        part["data"] = {"name": name}
        datasets[name] = arrow
    used = json.dumps({k: v for k, v in spec.items() if k != "datasets"})
    spec["datasets"] = {name: data for name, data in datasets.items() if json.dumps(name) in used}
    return spec


_SUBCHARTS = ("layer", "hconcat", "vconcat", "concat")


def _one_row_frames(chart, path: tuple, frames: dict) -> alt.TopLevelMixin | None:
    """A shallow copy of chart whose DataFrames (here and in sub-charts) keep only their first row;
    the full frames are recorded in `frames` by their path in the spec. None when nothing changed or
    the chart has a shape this does not follow (repeats, facets inside other charts or over data set on
    the inner chart): then Altair converts the full frames."""
    if not isinstance(getattr(chart, "spec", alt.Undefined), alt.utils.schemapi.UndefinedType):
        # a facet over its own frame (the inner chart holds no data): the same one-row conversion
        if (path == () and isinstance(chart, alt.FacetChart) and isinstance(chart.data, pd.DataFrame)
                and isinstance(getattr(chart.spec, "data", alt.Undefined), alt.utils.schemapi.UndefinedType)):
            out = chart.copy(deep=False)
            out.data = chart.data.iloc[:1]
            frames[path] = chart.data
            return out
        return None
    out, changed = chart, False
    data = getattr(chart, "data", alt.Undefined)
    if isinstance(data, pd.DataFrame):  # empty ones too: Arrow keeps their columns, as Streamlit's does
        out = chart.copy(deep=False)
        out.data = data.iloc[:1]
        frames[path] = data
        changed = True
    for key in _SUBCHARTS:
        subs = getattr(chart, key, alt.Undefined)
        if not isinstance(subs, list):
            continue
        light = []
        for i, sub in enumerate(subs):
            if not isinstance(sub, alt.TopLevelMixin | alt.Chart | alt.LayerChart):
                light.append(sub)
                continue
            got = _one_row_frames(sub, path + (key, i), frames)
            if got is None and any(p[:len(path) + 2] == path + (key, i) for p in frames):
                return None
            light.append(sub if got is None else got)
            changed |= got is not None
        if changed:
            out = out if out is not chart else chart.copy(deep=False)
            setattr(out, key, light)
    return out if changed else None


def _drop_default_theme(spec: dict) -> None:
    view = spec.get("config", {}).get("view")
    if view is not None:
        for k, v in _DEFAULT_THEME_VIEW.items():
            if view.get(k) == v:
                del view[k]
        if not view:
            del spec["config"]["view"]
        if not spec["config"]:
            del spec["config"]


def _arrow_bytes(frame: pd.DataFrame) -> bytes:
    import pyarrow as pa

    table = pa.Table.from_pandas(frame, preserve_index=False)
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return sink.getvalue().to_pybytes()


def _dataset_name(arrow: bytes) -> str:
    return "data-" + hashlib.md5(arrow).hexdigest()[:16]


# Scrubbing through precomputed states: a converted chart (to_spec) with new data swapped in, so a
# slider that only picks another state builds no Altair chart.
def swap_layer_data(spec: dict, frames: dict[int, pd.DataFrame], **top) -> dict:
    """A converted layered chart (to_spec) with the data of some layers replaced (layer index ->
    frame, in the columns the chart's builder would have given it) and top-level keys (e.g. title)
    set; datasets no layer uses any more are dropped."""
    layers = list(spec["layer"])
    top_data = spec.get("data")
    fresh = {}
    for i, frame in frames.items():
        data = _arrow_bytes(frame)
        name = _dataset_name(data)
        fresh[name] = data
        if "data" not in layers[i] and top_data is not None and len(layers) == 1:
            top_data = {"name": name}  # Altair lifts the data of a lone layer to the chart
        else:
            layers[i] = {**layers[i], "data": {"name": name}}
    used = {part["data"]["name"] for part in layers + [{"data": top_data or {}}] if "name" in part.get("data", {})}
    datasets = {k: v for k, v in spec["datasets"].items() if k in used} | fresh
    out = {**spec, **top, "layer": layers, "datasets": datasets}
    if top_data is not None:
        out["data"] = top_data
    return out


def swap_top_data(spec: dict, frame: pd.DataFrame) -> dict:
    """A converted single-view chart (to_spec, data at the top level) with another frame of the same
    columns as its data: for a chart whose spec depends on its rows only through the data (bins and
    counts computed by Vega-Lite, no domains taken from the rows). The tests compare it with
    converting the chart built on the new frame."""
    if "layer" in spec or "name" not in spec.get("data", {}):
        raise ValueError("swap_top_data needs a single view with its data at the top level")
    data = _arrow_bytes(frame)
    name = _dataset_name(data)
    return {**spec, "data": {"name": name}, "datasets": {name: data}}


def swap_grid(spec: dict, grid: pd.DataFrame, title: str) -> dict:
    """Another probability grid on the same cells, in a boundary chart already converted (to_spec of
    boundary_chart): the background's P(class 1) and the boundary cells (on_boundary) are swapped,
    the rest is kept. Costs ~2 ms where building the chart costs ~30 ms. The tests check the result equals converting a freshly built chart."""
    import pyarrow as pa

    background = spec["layer"][0]
    cells = pa.ipc.open_stream(spec["datasets"][background["data"]["name"]]).read_pandas()
    if not (np.array_equal(cells["x1"].to_numpy(), grid["x1"].to_numpy())
            and np.array_equal(cells["x2"].to_numpy(), grid["x2"].to_numpy())):
        raise ValueError("swap_grid needs the template's grid cells")
    cells["proba"] = grid["proba"].to_numpy()
    return swap_layer_data(spec, {0: cells, 1: on_boundary(grid)}, title=title)


def swap_boundary(spec: dict, grid: pd.DataFrame, points: pd.DataFrame | None, title: str) -> dict:
    """A boundary chart already converted (to_spec of boundary_chart or member_boundary_chart),
    redrawn for a grid on other cells, e.g. another dataset: the background cells, the boundary
    cells, the axes' domains and (unless None: a member chart has no points) the points are
    replaced; encodings, legends and sizes are kept. The points need the columns the template's
    points had. Costs a few ms where building and converting the chart costs 25-30; the tests
    check the result equals converting a freshly built chart."""
    cells, x_domain, y_domain = _background_cells(grid)
    frames = {0: cells, 1: on_boundary(grid)}
    if points is not None:
        frames[2] = points
    out = swap_layer_data(spec, frames, title=title)
    background = out["layer"][0]
    encoding = dict(background["encoding"])
    for channel, domain in (("x", x_domain), ("y", y_domain)):
        encoding[channel] = {**encoding[channel], "scale": {**encoding[channel]["scale"], "domain": domain}}
    out["layer"][0] = {**background, "encoding": encoding}
    return out


def set_param(spec: dict, name: str, value) -> dict:
    """A copy of a chart's spec (``chart.to_dict()``) with one top-level parameter's value replaced."""
    out = dict(spec)
    out["params"] = [dict(p, value=value) if p.get("name") == name else p for p in spec.get("params", [])]
    return out


def _records(frame: pd.DataFrame) -> list[dict]:
    """Rows as JSON-ready dicts, sanitised the way Altair's own data transformer does it."""
    return alt.utils.sanitize_pandas_dataframe(frame.copy()).to_dict("records")


def _operating_point(data: str, x_col: str, y_col: str) -> alt.Chart:
    """The operating point at the current threshold: a one-row dataset the page recomputes on every
    threshold move (components.evaluation.threshold_frames), so the spec itself never changes."""
    return alt.Chart(alt.NamedData(name=data)).mark_point(
        size=160, filled=True, color=VERMILION, stroke=BLACK, opacity=1).encode(
        x=alt.X(f"{x_col}:Q"), y=alt.Y(f"{y_col}:Q"),
        tooltip=[alt.Tooltip("threshold:Q", format=".2f"), alt.Tooltip(f"{x_col}:Q", format=".3f"),
                 alt.Tooltip(f"{y_col}:Q", format=".3f")])


# Threshold-driven charts scrub without a re-embed: their spec (marks, encodings, titles) does not
# depend on the threshold; what moves is a few small named datasets (the four confusion cells, the
# operating points, the rule's position) that the page recomputes and swaps in (with_datasets).
# Streamlit's frontend applies a change that is only in a named dataset to the live Vega view in
# place; any change in the spec itself (a parameter's value, a title) re-embeds the chart.
#
# Each evaluation chart is a layout (marks, encodings; data referenced by name) plus named datasets.
# Altair builds a layout once per process and its few static arguments (_layout is cached): a refit
# then only fills in the datasets and the title, instead of paying Altair's ~40 ms per chart again.
# The *_spec functions return Vega-Lite dicts for st.vega_lite_chart; the *_chart functions wrap the
# same dicts as Altair charts.
THRESHOLD_DATASETS = ("cells", "roc_point", "pr_point", "at")


def _confusion_layout(positive: str) -> alt.LayerChart:
    negative = f"not {positive}"
    dark = alt.ColorValue(**alt.condition("datum.share > 0.6", alt.value("white"), alt.value(BLACK)))
    heat = alt.Chart().mark_rect(stroke="white", strokeWidth=2).encode(
        color=alt.Color(field="share", type="quantitative", legend=None,
                        scale=alt.Scale(domain=[0, 1], scheme="blues")),
        tooltip=[alt.Tooltip(field=f, type="nominal") for f in ("cell", "actual", "predicted")]
        + [alt.Tooltip(field="count", type="quantitative"),
           alt.Tooltip(field="share", type="quantitative", format=".1%", title="share of actual")],
    )
    label = alt.Chart().mark_text(dy=-28, fontSize=13).encode(text=alt.Text(field="cell", type="nominal"), color=dark)
    count = alt.Chart().mark_text(fontSize=24, fontWeight="bold").encode(
        text=alt.Text(field="count", type="quantitative", format="d"), color=dark)
    share = alt.Chart().mark_text(dy=22, fontSize=13).encode(
        text=alt.Text(field="share", type="quantitative", format=".1%"), color=dark)
    return alt.layer(heat, label, count, share, data=alt.NamedData(name="cells")).encode(
        # class names break into lines at spaces, so "not malignant" fits a narrow column
        x=alt.X(field="predicted", type="nominal", title="predicted", sort=[negative, positive],
                axis=alt.Axis(labelAngle=0, orient="top", labelExpr="split(datum.label, ' ')")),
        y=alt.Y(field="actual", type="nominal", title="actual", sort=[negative, positive],
                axis=alt.Axis(labelExpr="split(datum.label, ' ')", labelLimit=90)),
    ).properties(title="Confusion matrix at the threshold", height=HEIGHT, width=260)


def _roc_layout(height: int) -> alt.LayerChart:
    # Drawn in roc_curve's own order (order=index): points sharing an FPR must not be re-sorted.
    curve = alt.Chart(alt.NamedData(name="roc")).mark_line(color=BLUE).encode(
        # axis titles on two lines: in a third of the page (presenter type) the one-line y title was taller
        # than the plot, pushing the chart title out of the frame, and the x title was cut off
        x=alt.X("FPR:Q", title=["false positive rate", "(1 − specificity)"], scale=alt.Scale(domain=[0, 1])),
        y=alt.Y("TPR:Q", title=["true positive rate", "(recall)"], scale=alt.Scale(domain=[0, 1])),
        order=alt.Order("index:Q"),
        tooltip=[alt.Tooltip("threshold:Q", format=".3f"), alt.Tooltip("FPR:Q"), alt.Tooltip("TPR:Q")])
    chance = alt.Chart(pd.DataFrame({"FPR": [0, 1], "TPR": [0, 1]})).mark_line(
        color="gray", strokeDash=[4, 4]).encode(x=alt.X("FPR:Q"), y=alt.Y("TPR:Q"))
    return alt.layer(chance, curve, _operating_point("roc_point", "FPR", "TPR")).properties(
        height=height, width="container")


def _pr_layout(height: int) -> alt.LayerChart:
    # A step plot in precision_recall_curve's order, as scikit-learn's PrecisionRecallDisplay draws it.
    curve = alt.Chart(alt.NamedData(name="pr")).mark_line(color=ORANGE, interpolate="step-after").encode(
        x=alt.X("recall:Q", scale=alt.Scale(domain=[0, 1])),
        y=alt.Y("precision:Q", scale=alt.Scale(domain=[0, 1])),
        order=alt.Order("index:Q"),
        tooltip=[alt.Tooltip("threshold:Q", format=".3f"), alt.Tooltip("recall:Q"), alt.Tooltip("precision:Q")])
    baseline = alt.Chart(alt.NamedData(name="baseline")).mark_rule(
        color="gray", strokeDash=[4, 4]).encode(y=alt.Y("precision:Q"))
    return alt.layer(baseline, curve, _operating_point("pr_point", "recall", "precision")).properties(
        height=height, width="container")


def _sweep_layout(height: int) -> alt.LayerChart:
    lines = alt.Chart(alt.NamedData(name="sweep")).mark_line().encode(
        x=alt.X("threshold:Q", scale=alt.Scale(domain=[0, 1])),
        y=alt.Y("value:Q", title="score", scale=alt.Scale(domain=[0, 1])),
        color=alt.Color("metric:N", scale=alt.Scale(range=OKABE_ITO), sort=None),
        strokeDash=alt.StrokeDash("metric:N", sort=None),
        tooltip=[alt.Tooltip("metric:N"), alt.Tooltip("threshold:Q", format=".2f"), alt.Tooltip("value:Q", format=".3f")])
    rule = alt.Chart(alt.NamedData(name="at")).mark_rule(color=BLACK, strokeWidth=2).encode(
        x=alt.X("threshold:Q"), tooltip=[alt.Tooltip("threshold:Q", format=".2f")])
    return alt.layer(lines, rule).properties(title="Metrics vs threshold", height=height, width="container")


def _folds_layout(lanes: tuple[str, ...]) -> alt.Chart:
    return alt.Chart(alt.NamedData(name="runs")).mark_rect().encode(
        x=alt.X("start:Q", title="row of the dataset (file order)"), x2=alt.X2("end:Q"),
        y=alt.Y("lane:N", sort=list(lanes), title=None),
        color=alt.Color("kind:N", title=None, scale=alt.Scale(
            domain=["train", "test", "positive", "other"], range=["#d9d9d9", VERMILION, ORANGE, SKY])),
        tooltip=[alt.Tooltip("lane:N"), alt.Tooltip("kind:N"), alt.Tooltip("start:Q"), alt.Tooltip("end:Q")],
    ).properties(height=alt.Step(22), width="container",
                 title="k-fold cross-validation: test rows of each fold")


_LAYOUTS = {"confusion": _confusion_layout, "roc": _roc_layout, "pr": _pr_layout, "sweep": _sweep_layout,
            "folds": _folds_layout}


@functools.lru_cache(maxsize=64)
def _layout(kind: str, *static) -> dict:
    return _LAYOUTS[kind](*static).to_dict(validate=False)


def _spec(kind: str, static: tuple, datasets: dict[str, pd.DataFrame | list[dict]],
          title: str | list[str] | None = None) -> dict:
    layout = _layout(kind, *static)
    spec = copy.deepcopy(layout)  # the cached layout must never see a caller's edits
    spec["datasets"] = {**layout.get("datasets", {}), **{n: _arrow_of(f) for n, f in datasets.items()}}
    if title is not None:
        spec["title"] = title
    return spec


def _arrow_of(data: pd.DataFrame | list[dict]) -> bytes:
    """A dataset as Arrow IPC bytes, which st.vega_lite_chart passes through unconverted."""
    if isinstance(data, pd.DataFrame):
        return _arrow_bytes(data)
    import pyarrow as pa

    table = pa.Table.from_pylist(data)
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return sink.getvalue().to_pybytes()


def with_datasets(spec: dict, frames: dict[str, pd.DataFrame | list[dict]]) -> dict:
    """A copy of a spec with some of its named datasets replaced (names the spec does not use are
    ignored); the rest of the spec is shared, not copied. For scrubbing: the spec stays byte-identical
    and the browser updates the drawn chart in place."""
    datasets = spec.get("datasets", {})
    return {**spec, "datasets": {**datasets, **{n: _arrow_of(f) for n, f in frames.items() if n in datasets}}}


def confusion_matrix_spec(cells: list[dict], positive: str) -> dict:
    """The 2x2 confusion matrix: cells from components.evaluation.threshold_frames (cell, actual,
    predicted, count, share of the actual class); each cell shows its name, count and share."""
    return _spec("confusion", (str(positive),), {"cells": cells})


def roc_spec(roc: pd.DataFrame, auc: float, point: list[dict], height: int = HEIGHT) -> dict:
    """ROC curve (columns FPR, TPR, threshold from roc_curve), the chance diagonal and the operating
    point (one row: threshold, FPR, TPR)."""
    # two lines: three charts share a row, and on one line the number was cut off ("AP = …") in presenter mode
    title = ["ROC curve", f"AUC = {auc:.3f}"] if auc == auc else ["ROC curve", "(one class only in test)"]
    return _spec("roc", (height,), {"roc": finite_thresholds(roc).reset_index(), "roc_point": point}, title)


def pr_spec(pr: pd.DataFrame, ap: float, prevalence: float, point: list[dict], height: int = HEIGHT) -> dict:
    """Precision-recall curve, the no-skill line at the positive prevalence, and the operating point
    (one row: threshold, recall, precision; with no positive prediction, the curve's own (0, 1) end)."""
    title = ["Precision-recall", f"AP = {ap:.3f}"] if ap == ap else ["Precision-recall", "(no positives in test)"]
    return _spec("pr", (height,), {"pr": finite_thresholds(pr).reset_index(),
                                   "baseline": pd.DataFrame({"precision": [prevalence]}), "pr_point": point}, title)


def threshold_metrics_spec(sweep: pd.DataFrame, at: list[dict], height: int = HEIGHT) -> dict:
    """Each metric against the threshold (long format: threshold, metric, value) with a rule at the
    current threshold (one row: threshold)."""
    return _spec("sweep", (height,), {"sweep": sweep, "at": at})


def threshold_specs(y_test: np.ndarray, scores: np.ndarray, positive: str, roc: pd.DataFrame, auc: float,
                    pr: pd.DataFrame, ap: float, sweep: pd.DataFrame) -> dict[str, dict]:
    """The four threshold-driven charts of one fitted model (confusion, roc, pr, sweep), drawn at the
    default threshold until a page swaps in the current one (with_datasets + threshold_frames)."""
    at = threshold_frames(confusion_at(y_test, scores, THRESHOLD_DEFAULT), THRESHOLD_DEFAULT, positive, roc, pr)
    return {
        "confusion": confusion_matrix_spec(at["cells"], positive),
        "roc": roc_spec(roc, auc, at["roc_point"]),
        "pr": pr_spec(pr, ap, float(np.mean(y_test)), at["pr_point"]),
        "sweep": threshold_metrics_spec(sweep, at["at"], height=220),
    }


def folds_spec(runs: pd.DataFrame) -> dict:
    """Which rows each fold tests, from components.evaluation.fold_runs; a class strip on top."""
    lanes = ("class",) + tuple(sorted((lane for lane in runs["lane"].unique() if lane != "class"),
                                      key=lambda s: int(s.split()[-1])))
    return _spec("folds", (lanes,), {"runs": runs})


def as_chart(spec: dict) -> alt.TopLevelMixin:
    """An Altair chart of a spec dict (for callers that compose, save or validate charts); Arrow
    datasets become rows again."""
    import pyarrow as pa

    datasets = {n: pa.ipc.open_stream(d).read_all().to_pylist() if isinstance(d, bytes) else d
                for n, d in spec.get("datasets", {}).items()}
    kind = alt.LayerChart if "layer" in spec else alt.Chart
    return kind.from_dict({**spec, "datasets": datasets}, validate=False)


def confusion_matrix_chart(cells: list[dict], positive: str) -> alt.LayerChart:
    return as_chart(confusion_matrix_spec(cells, positive))


def roc_chart(roc: pd.DataFrame, auc: float, point: list[dict], height: int = HEIGHT) -> alt.LayerChart:
    return as_chart(roc_spec(roc, auc, point, height))


def pr_chart(pr: pd.DataFrame, ap: float, prevalence: float, point: list[dict], height: int = HEIGHT) -> alt.LayerChart:
    return as_chart(pr_spec(pr, ap, prevalence, point, height))


def threshold_metrics_chart(sweep: pd.DataFrame, at: list[dict], height: int = HEIGHT) -> alt.LayerChart:
    return as_chart(threshold_metrics_spec(sweep, at, height))


def folds_chart(runs: pd.DataFrame) -> alt.Chart:
    return as_chart(folds_spec(runs))


def beeswarm_chart(df: pd.DataFrame, title: str = "", height: int | None = None) -> alt.Chart:
    """A SHAP-style beeswarm: one point per (row, feature), SHAP value on x, features on y (ordered
    as they first appear in df), jittered within each band, coloured by the feature's value rank.

    df: columns feature, shap, value rank (0..1), jitter (-1..1); optional feature value, row."""
    order = list(dict.fromkeys(df["feature"]))
    tips = [c for c in ("feature", "shap", "feature value", "row") if c in df.columns]
    return alt.Chart(df).mark_circle(size=22, opacity=0.75).encode(
        x=alt.X("shap:Q", title="SHAP value (effect on the model output)"),
        y=alt.Y("feature:N", sort=order, title=None),
        yOffset=alt.YOffset("jitter:Q", scale=alt.Scale(domain=[-1.6, 1.6])),
        color=alt.Color("value rank:Q", title="feature value (rank)",
                        scale=alt.Scale(domain=[0, 1], range=[BLUE, VERMILION])),
        tooltip=_tooltips(tips),
    ).properties(title=title, height=height or 30 * len(order) + 20, width="container")


def waterfall_chart(df: pd.DataFrame, title: str = "", height: int | None = None) -> alt.LayerChart:
    """A waterfall: bars from start to end for each step, in df's order, coloured by kind
    ("base", "pushes up", "pushes down", "output"), with each contribution written beside its bar.

    df: columns step, start, end, contribution, kind, order."""
    base = alt.Chart(df).encode(y=alt.Y("step:N", sort=alt.EncodingSortField("order"), title=None))
    bars = base.mark_bar().encode(
        x=alt.X("start:Q", title="model output", scale=alt.Scale(zero=False)), x2=alt.X2("end:Q"),
        color=alt.Color("kind:N", title=None, scale=alt.Scale(
            domain=["base", "pushes up", "pushes down", "output"], range=[SKY, VERMILION, BLUE, BLACK])),
        tooltip=[alt.Tooltip("step"), alt.Tooltip("contribution"), alt.Tooltip("start"), alt.Tooltip("end")],
    )
    labels = base.mark_text(align="left", dx=4).encode(
        x=alt.X("max_end:Q", title="model output"), text=alt.Text("contribution:Q", format="+.3g"),
    ).transform_calculate(max_end="max(datum.start, datum.end)")
    return alt.layer(bars, labels).properties(title=title, height=height or 26 * len(df) + 20, width="container")


def ice_chart(ice: pd.DataFrame, average: pd.DataFrame, x: str, y_title: str = "prediction",
              title: str = "", height: int = HEIGHT) -> alt.LayerChart:
    """Partial dependence with ICE: one thin line per row (ice: columns x, line, prediction) under
    the thick average curve (average: columns x, average)."""
    lines = alt.Chart(ice).mark_line(strokeWidth=1, opacity=0.25, color=SKY).encode(
        x=alt.X(f"{x}:Q", title=x), y=alt.Y("prediction:Q", title=y_title), detail=alt.Detail("line:N"))
    avg = alt.Chart(average).mark_line(strokeWidth=4, color=VERMILION, point=True).encode(
        x=alt.X(f"{x}:Q"), y=alt.Y("average:Q"), tooltip=[alt.Tooltip(x), alt.Tooltip("average")])
    return alt.layer(lines, avg).properties(title=title, height=height, width="container")


# --- Imbalanced data: resampled points over a decision boundary ----------------------------------

def marked_points_layer(points: pd.DataFrame) -> alt.Chart:
    """An overlay for boundary_chart(extra=...): points whose "marker" column is "synthetic" (made by
    an over-sampler such as SMOTE, green diamonds) or "removed" (dropped by an under-sampler or a
    cleaning step, black crosses drawn over the original dot). points: columns x1, x2, label, marker."""
    shown = points[points["marker"].isin(["synthetic", "removed"])]
    return alt.Chart(shown).mark_point(filled=True, size=70, strokeWidth=1.5).encode(
        x=alt.X("x1:Q"), y=alt.Y("x2:Q"),
        shape=alt.Shape("marker:N", title="resampling", scale=alt.Scale(
            domain=["synthetic", "removed"], range=["diamond", "cross"])),
        color=alt.Color("marker:N", title="resampling", scale=alt.Scale(
            domain=["synthetic", "removed"], range=[GREEN, BLACK])),
        tooltip=[alt.Tooltip("x1"), alt.Tooltip("x2"), alt.Tooltip("label"), alt.Tooltip("marker")],
    )


def reference_boundary_layer(grid: pd.DataFrame, label: str = "without resampling",
                             over: alt.Chart | None = None) -> alt.Chart | alt.LayerChart:
    """An overlay for boundary_chart(extra=...): another model's 0.5 boundary (grid: x1, x2, proba) as
    grey dots, so a page can show how far a remedy moved the boundary; `over` is layered on top."""
    line = on_boundary(grid).assign(boundary=label)
    ref = alt.Chart(line).mark_point(size=6, filled=True, opacity=0.8).encode(
        x=alt.X("x1:Q"), y=alt.Y("x2:Q"),
        # below the plot, with boundary_chart's split legend: on the right it pushed the others past the
        # plot's height. Same title and orient for stroke and fill: Vega-Lite merges them into one entry.
        stroke=alt.Stroke("boundary:N", title="boundary", scale=alt.Scale(range=["#7f7f7f"]),
                          legend=alt.Legend(orient="bottom")),
        fill=alt.Fill("boundary:N", title="boundary", scale=alt.Scale(range=["#7f7f7f"]),
                      legend=alt.Legend(orient="bottom")),
    )
    return alt.layer(ref, over) if over is not None else ref


# --- Tuning: a score surface with the trials of a search on top ----------------------------------

def surface_chart(surface: pd.DataFrame, x: str, y: str, value: str = "score",
                  trials: pd.DataFrame | None = None, color: str | None = None, label: str | None = None,
                  value_domain: tuple[float, float] | None = None, title: str = "",
                  height: int = 360, step: int | None = None) -> alt.LayerChart:
    """A heatmap of a regular grid (columns x, y, value; e.g. CV score over log10 C x log10 gamma) with
    optional points on top (trials: columns x, y, plus `color` to tell strategies apart and `label`
    to write each point's order). value_domain clamps the colour scale (e.g. R² far below 0).
    step: when given, only trials with trial <= the Vega-Lite parameter STEP_PARAM are drawn, so a page
    can replay a search by swapping that value in the cached spec (set_param), without a rebuild."""
    xs = surface[x].drop_duplicates().sort_values()
    ys = surface[y].drop_duplicates().sort_values()
    dx = float(xs.diff().median()) if len(xs) > 1 else 1.0
    dy = float(ys.diff().median()) if len(ys) > 1 else 1.0
    cells = surface.assign(_x0=surface[x] - dx / 2, _x1=surface[x] + dx / 2,
                           _y0=surface[y] - dy / 2, _y1=surface[y] + dy / 2)
    scale = alt.Scale(scheme="viridis", domain=list(value_domain), clamp=True) if value_domain \
        else alt.Scale(scheme="viridis")
    heat = alt.Chart(cells).mark_rect().encode(
        x=alt.X("_x0:Q", title=x, scale=alt.Scale(domain=[float(xs.min() - dx / 2), float(xs.max() + dx / 2)],
                                                  nice=False)),
        x2=alt.X2("_x1:Q"),
        y=alt.Y("_y0:Q", title=y, scale=alt.Scale(domain=[float(ys.min() - dy / 2), float(ys.max() + dy / 2)],
                                                  nice=False)),
        y2=alt.Y2("_y1:Q"),
        color=alt.Color(f"{value}:Q", title=value, scale=scale),
        tooltip=[alt.Tooltip(f"{x}:Q", format=".2f"), alt.Tooltip(f"{y}:Q", format=".2f"),
                 alt.Tooltip(f"{value}:Q", format=".4f")],
    )
    layers = [heat]
    if trials is not None and len(trials):
        enc = dict(x=alt.X(f"{x}:Q"), y=alt.Y(f"{y}:Q"), tooltip=_tooltips(trials.columns))
        if color:
            enc["shape"] = alt.Shape(f"{color}:N", title=color)
            enc["fill"] = alt.Fill(f"{color}:N", title=color, scale=alt.Scale(range=[ORANGE, SKY, VERMILION, GREEN]))
        base = alt.Chart(trials)
        if step is not None:
            base = base.transform_filter(f"datum.trial <= {STEP_PARAM}")
        layers.append(base.mark_point(size=110, filled=True, stroke=BLACK, strokeWidth=1, opacity=0.95).encode(**enc))
        if label:
            for paint in ({"stroke": "white", "strokeWidth": 3, "color": "white"}, {"color": BLACK}):  # haloed
                layers.append(base.mark_text(dy=-12, fontSize=11, fontWeight="bold", **paint).encode(
                    x=alt.X(f"{x}:Q"), y=alt.Y(f"{y}:Q"), text=alt.Text(f"{label}:Q")))
    chart = alt.layer(*layers)
    if step is not None:
        chart = chart.add_params(alt.param(name=STEP_PARAM, value=int(step)))
    return chart.properties(title=title, height=height, width="container").resolve_scale(color="independent")


STEP_PARAM = "step"


def best_so_far_chart(trials: pd.DataFrame, step: int, y_title: str = "best so far",
                      height: int = 360) -> alt.LayerChart:
    """Best score so far against the number of trials, one line per strategy (trials: columns
    strategy, trial, best so far), with a rule at the Vega-Lite parameter STEP_PARAM (set_param)."""
    lines = alt.Chart(trials).mark_line(point=len(trials) <= 200).encode(
        x=alt.X("trial:Q", title="budget spent (trials; a halving trial on fewer rows costs less)"),
        y=alt.Y("best so far:Q", title=y_title, scale=alt.Scale(zero=False)),
        color=alt.Color("strategy:N", title=None, scale=alt.Scale(range=[ORANGE, SKY, VERMILION, GREEN])),
        strokeDash=alt.StrokeDash("strategy:N", title=None),
        tooltip=[alt.Tooltip("strategy"), alt.Tooltip("trial"), alt.Tooltip("best so far:Q", format=".4f")])
    rule = alt.Chart(pd.DataFrame({"at": [0]})).transform_calculate(t=STEP_PARAM).mark_rule(
        color=BLACK, strokeDash=[4, 3]).encode(x=alt.X("t:Q"))
    return alt.layer(lines, rule).add_params(alt.param(name=STEP_PARAM, value=int(step))).properties(
        title="Best score so far vs number of trials", height=height, width="container")


def tile_chart(df: pd.DataFrame, x: str, y: str, color: str, title: str = "", height: int = HEIGHT,
               domain: list | None = None, palette: list | None = None, x_sort=None, y_sort=None,
               quantitative: bool = False, y_labels: bool = True) -> alt.Chart:
    """A grid of tiles (x and y categorical or ordinal), coloured by a category or a number.

    E.g. a missingness pattern (row x column, missing/observed) or which features each method picked.
    """
    if quantitative:
        col = alt.Color(f"{color}:Q", title=color, scale=alt.Scale(scheme="blues"))
    else:
        col = alt.Color(f"{color}:N", title=color,
                        scale=alt.Scale(domain=domain, range=palette or OKABE_ITO) if domain else
                        alt.Scale(range=palette or OKABE_ITO))
    return alt.Chart(df).mark_rect(stroke="white", strokeWidth=0.3).encode(
        x=alt.X(f"{x}:O", title=x, sort=x_sort, axis=alt.Axis(labelLimit=160)),
        y=alt.Y(f"{y}:O", title=y, sort=y_sort,
                axis=alt.Axis(labelLimit=200, labelOverlap=False) if y_labels else alt.Axis(labels=False, ticks=False)),
        color=col, tooltip=_tooltips(df.columns),
    ).properties(title=title, height=height, width="container")


def scatter_chart(df: pd.DataFrame, x: str, y: str, color: str | None = None, title: str = "",
                  height: int = HEIGHT, x_title: str | None = None, y_title: str | None = None,
                  shape: str | None = None, size: int = 40, opacity: float = 0.8,
                  rule_y: float | None = None) -> alt.Chart:
    """Points coloured by a category (e.g. a 2-D projection coloured by class, draws vs the truth),
    with an optional dashed horizontal rule (e.g. zero error)."""
    enc = dict(x=alt.X(f"{x}:Q", title=x_title or x, scale=alt.Scale(zero=False)),
               y=alt.Y(f"{y}:Q", title=y_title or y, scale=alt.Scale(zero=False)),
               tooltip=_tooltips(df.columns))
    if color:
        enc["color"] = alt.Color(f"{color}:N", title=color, scale=alt.Scale(range=OKABE_ITO))
    if shape:
        enc["shape"] = alt.Shape(f"{shape}:N", title=shape)
    chart = alt.Chart(df).mark_point(filled=True, size=size, opacity=opacity).encode(**enc)
    if rule_y is not None:
        chart = chart + alt.Chart(pd.DataFrame({y: [rule_y]})).mark_rule(color=BLACK, strokeDash=[4, 3]).encode(
            y=alt.Y(f"{y}:Q"))
    return chart.properties(title=title, height=height, width="container")


def loglog_chart(df: pd.DataFrame, x: str, y: str, color: str, title: str = "", height: int = HEIGHT) -> alt.Chart:
    """Lines on log–log axes, where a power law t ∝ n^b is a straight line of slope b."""
    return alt.Chart(df).mark_line(point=True).encode(
        x=alt.X(f"{x}:Q", title=x, scale=alt.Scale(type="log")),
        y=alt.Y(f"{y}:Q", title=y, scale=alt.Scale(type="log")),
        color=alt.Color(f"{color}:N", title=color, scale=alt.Scale(range=OKABE_ITO)),
        tooltip=_tooltips(df.columns),
    ).properties(title=title, height=height, width="container")


def strip_chart(df: pd.DataFrame, value: str, row: str, color: str | None = None, title: str = "",
                row_height: int = 34, independent_x: bool = True, width: int = 520) -> alt.FacetChart:
    """One strip of ticks per category (e.g. a feature under each scaler), each strip with its own
    x axis when ``independent_x``: where the bulk sits relative to the extremes is what shows."""
    enc = dict(x=alt.X(f"{value}:Q", title=None, scale=alt.Scale(zero=False)), tooltip=_tooltips(df.columns))
    if color:
        enc["color"] = alt.Color(f"{color}:N", title=color, scale=alt.Scale(range=[BLUE, VERMILION, GREEN]))
    chart = alt.Chart(df).mark_tick(thickness=1.5, opacity=0.7).encode(**enc).properties(
        height=row_height, width=width)
    chart = chart.facet(row=alt.Row(f"{row}:N", title=None, sort=list(dict.fromkeys(df[row])),
                                    header=alt.Header(labelAngle=0, labelAlign="left")))
    if independent_x:
        chart = chart.resolve_scale(x="independent")
    return chart.properties(title=title)


# --- Models and overfitting: points with fitted lines, boundary overlays --------------------------

def points_lines_chart(points: pd.DataFrame | None, lines: pd.DataFrame | None, x_title: str = "x",
                       y_title: str = "y", title: str = "", height: int = HEIGHT, rule_y: float | None = None,
                       y_domain: tuple[float, float] | None = None, log_x: bool = False) -> alt.LayerChart:
    """Scatter points under fitted curves, e.g. a regression fit, a sigmoid, residuals.

    points: columns x, y, group (str; colour and shape); lines: columns x, y, series (str; one colour
    and legend entry each, dashed when the name starts with "true"); optional "line" column on lines to
    draw several lines of one series (e.g. many bootstrap fits in one colour), optional opacity column
    "alpha" (0..1) for faint curves; optional rule at y = rule_y.
    """
    yscale = alt.Scale(domain=list(y_domain), clamp=True) if y_domain else alt.Scale(zero=False)
    xscale = _log_x() if log_x else alt.Scale(zero=False)
    layers = []
    if points is not None and len(points):
        layers.append(alt.Chart(points).mark_point(filled=True, size=40, opacity=0.75, stroke=BLACK,
                                                   strokeWidth=0.4).encode(
            x=alt.X("x:Q", title=x_title, scale=xscale), y=alt.Y("y:Q", title=y_title, scale=yscale),
            color=alt.Color("group:N", title=None, scale=alt.Scale(range=[BLUE, ORANGE, GREEN, VERMILION])),
            shape=alt.Shape("group:N", title=None),
            tooltip=_tooltips(points.columns)))
    if lines is not None and len(lines):
        enc = dict(
            x=alt.X("x:Q", title=x_title, scale=xscale), y=alt.Y("y:Q", title=y_title, scale=yscale),
            color=alt.Color("series:N", title=None,
                            scale=alt.Scale(range=[BLACK, VERMILION, GREEN, PURPLE, SKY, BLUE, ORANGE])),
            strokeDash=alt.StrokeDash("dash:N", legend=None, scale=alt.Scale(domain=["solid", "dashed"],
                                                                            range=[[1, 0], [5, 4]])),
            detail=alt.Detail("line:N" if "line" in lines else "series:N"),
        )
        if "alpha" in lines:
            enc["opacity"] = alt.Opacity("alpha:Q", legend=None, scale=None)
        dash = np.where(lines["series"].astype(str).str.startswith("true"), "dashed", "solid")
        layers.append(alt.Chart(lines.assign(dash=dash)).mark_line(strokeWidth=2.5, clip=True).encode(**enc))
    if rule_y is not None:
        layers.append(alt.Chart(pd.DataFrame({"y": [rule_y]})).mark_rule(color="gray", strokeDash=[4, 4])
                      .encode(y=alt.Y("y:Q")))
    return alt.layer(*layers).properties(title=title, height=height, width="container").resolve_scale(
        color="independent", shape="independent")


def outline_layer(margin: pd.DataFrame | None = None, circled: pd.DataFrame | None = None,
                  circled_title: str = "support vector") -> alt.LayerChart:
    """An overlay for boundary_chart(extra=...): green dotted level lines (margin: cells x1, x2 on the
    line, e.g. where an SVM's decision function is +-1; the boundary itself stays black) and black rings
    around chosen points (circled: x1, x2)."""
    layers = []
    if margin is not None and len(margin):
        layers.append(alt.Chart(margin).mark_point(size=5, color=GREEN, filled=True, opacity=1.0)
                      .encode(x=alt.X("x1:Q"), y=alt.Y("x2:Q")))
    if circled is not None and len(circled):
        layers.append(alt.Chart(circled.assign(ring=circled_title)).mark_point(
            size=170, strokeWidth=1.6, filled=False).encode(
            x=alt.X("x1:Q"), y=alt.Y("x2:Q"),
            stroke=alt.Stroke("ring:N", title=None, scale=alt.Scale(range=[BLACK])),
            tooltip=_tooltips(("x1", "x2", "ring"))))
    if not layers:
        layers.append(alt.Chart(pd.DataFrame({"x1": [], "x2": []})).mark_point().encode(x=alt.X("x1:Q"), y=alt.Y("x2:Q")))
    return alt.layer(*layers)


def pixel_images_chart(df: pd.DataFrame, columns: int = 6, size: int = 90, title: str = "") -> alt.FacetChart:
    """Small greyscale images side by side (e.g. misclassified digits): df has one row per pixel with
    columns image (caption), row, col, ink (0 = white, larger = darker)."""
    return alt.Chart(df).mark_rect().encode(
        x=alt.X("col:O", axis=None), y=alt.Y("row:O", axis=None),
        color=alt.Color("ink:Q", scale=alt.Scale(scheme="greys"), legend=None),
        tooltip=[alt.Tooltip("image"), alt.Tooltip("row"), alt.Tooltip("col"), alt.Tooltip("ink")],
    ).properties(width=size, height=size).facet(
        facet=alt.Facet("image:N", title=None, header=alt.Header(labelFontSize=12)), columns=columns,
    ).properties(title=title)


def time_series_chart(df: pd.DataFrame, x: str, y: str, color: str, title: str = "", height: int = HEIGHT,
                      rule_x=None) -> alt.Chart:
    """Lines over a temporal x (long format), with an optional vertical rule (e.g. the forecast origin).
    The first series (the actual one) is solid; each other has its own dash, so forecasts that lie on
    top of each other stay apart."""
    series = list(dict.fromkeys(df[color]))
    dashes = [[1, 0], [6, 3], [2, 2], [10, 3, 2, 3], [4, 4]]
    chart = alt.Chart(df).mark_line(strokeWidth=2).encode(
        x=alt.X(f"{x}:T", title=x), y=alt.Y(f"{y}:Q", title=y, scale=alt.Scale(zero=False)),
        color=alt.Color(f"{color}:N", title=color, sort=series, scale=alt.Scale(range=[BLACK] + OKABE_ITO)),
        strokeDash=alt.StrokeDash(f"{color}:N", title=color, sort=series,
                                  scale=alt.Scale(domain=series, range=dashes[:len(series)])),
        tooltip=_tooltips(df.columns),
    )
    if rule_x is not None:
        chart = chart + alt.Chart(pd.DataFrame({x: [rule_x]})).mark_rule(color=BLACK, strokeDash=[2, 2]).encode(
            x=alt.X(f"{x}:T"))
    return chart.properties(title=title, height=height, width="container")


def path_chart(df: pd.DataFrame, x: str, y: str, line: str, color: str, title: str = "", height: int = HEIGHT,
               log_x: bool = True, rule_x: float | None = None, x_title: str | None = None,
               y_title: str | None = None) -> alt.LayerChart:
    """Many lines (one per ``line``, e.g. a feature's coefficient path) coloured by a category
    (e.g. real vs noise feature), with an optional vertical rule at the current setting."""
    base = alt.Chart(df).mark_line(strokeWidth=2, opacity=0.85).encode(
        x=alt.X(f"{x}:Q", title=x_title or x, scale=_log_x() if log_x else alt.Undefined),
        y=alt.Y(f"{y}:Q", title=y_title or y),
        detail=alt.Detail(f"{line}:N"),
        color=alt.Color(f"{color}:N", title=color, scale=alt.Scale(range=[BLUE, VERMILION, GREEN, ORANGE])),
        tooltip=_tooltips(df.columns),
    )
    layers = [base]
    if rule_x is not None:
        layers.append(alt.Chart(pd.DataFrame({x: [rule_x]})).mark_rule(color=BLACK, strokeDash=[4, 3]).encode(
            x=alt.X(f"{x}:Q")))
    return alt.layer(*layers).properties(title=title, height=height, width="container")


def tree_chart(nodes: pd.DataFrame, edges: pd.DataFrame, title: str = "", height: int = 380) -> alt.LayerChart:
    """A decision tree drawn top-down: edges as lines, each node a circle coloured by its share of
    class 1 (the boundary charts' blue-white-orange scale) with its test or its leaf's vote below.

    nodes: columns x, depth, label, samples, p1 (0..1), leaf (bool); edges: x, depth, x2, depth2, side."""
    n_depth = int(nodes["depth"].max()) if len(nodes) else 0
    y_scale = alt.Scale(domain=[n_depth + 0.6, -0.4], nice=False)
    x_scale = alt.Scale(domain=[float(nodes["x"].min()) - 0.6, float(nodes["x"].max()) + 0.6], nice=False)
    axis_off = dict(axis=None)
    lines = alt.Chart(edges).mark_rule(color="gray", strokeWidth=1.2).encode(
        x=alt.X("x:Q", scale=x_scale, **axis_off), y=alt.Y("depth:Q", scale=y_scale, **axis_off),
        x2=alt.X2("x2:Q"), y2=alt.Y2("depth2:Q"),
        strokeDash=alt.StrokeDash("side:N", title="condition", scale=alt.Scale(domain=["yes", "no"],
                                                                             range=[[1, 0], [4, 3]])))
    # two legend sizes, the smallest and largest node: four circles up to 500 px² ran off the chart's edge
    sizes = [int(nodes["samples"].min()), int(nodes["samples"].max())] if len(nodes) else alt.Undefined
    dots = alt.Chart(nodes).mark_circle(stroke=BLACK, strokeWidth=0.8, opacity=1).encode(
        x=alt.X("x:Q", scale=x_scale, **axis_off), y=alt.Y("depth:Q", scale=y_scale, **axis_off),
        size=alt.Size("samples:Q", title="samples", scale=alt.Scale(range=[60, 500]),
                      legend=alt.Legend(values=sizes)),
        color=alt.Color("p1:Q", title="share of class 1",
                        scale=alt.Scale(domain=[0, 0.5, 1], range=[BLUE, "#f7f7f7", ORANGE])),
        tooltip=_tooltips(("label", "samples", "p1", "depth")))
    # haloed labels: the edges to the children run through the text under each node
    text = [alt.Chart(nodes).mark_text(dy=16, fontSize=11, **paint).encode(
        x=alt.X("x:Q", scale=x_scale, **axis_off), y=alt.Y("depth:Q", scale=y_scale, **axis_off),
        text=alt.Text("label:N")) for paint in ({"stroke": "white", "strokeWidth": 3}, {})]
    return alt.layer(lines, dots, *text).properties(title=title, height=height, width="container")
