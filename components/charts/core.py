"""Shared by every chart family: the colour-blind-safe palette, sizes, and the conversion of charts
to the Vega-Lite dicts st.vega_lite_chart draws (Arrow datasets, swaps for scrubbing)."""
from __future__ import annotations

import hashlib
import json
import re
from typing import Mapping

import altair as alt
import pandas as pd

OKABE_ITO = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"]
BLUE, ORANGE, GREEN, VERMILION, PURPLE, SKY, YELLOW, BLACK = OKABE_ITO
HEIGHT = 280


# Boundary grids (80x80 = 6,400 cells) exceed Altair's default 5,000-row guard; every builder here
# gets bounded data (grids of fixed resolution, sampled points), so the guard only gets in the way.
alt.data_transformers.disable_max_rows()


def _tooltips(columns) -> list[alt.Tooltip]:
    """One tooltip channel per column (channel objects, not names: see the package docstring)."""
    return [alt.Tooltip(c) for c in columns]


def _log_x() -> alt.Scale:
    """A log x axis that ends where the data ends: a "nice" one ran on to the next power of ten
    (1,000 after a largest training set of 500), leaving most of the plot empty."""
    return alt.Scale(type="log", nice=False)


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


def set_param(spec: dict, name: str, value) -> dict:
    """A copy of a chart's spec (``chart.to_dict()``) with one top-level parameter's value replaced."""
    out = dict(spec)
    out["params"] = [dict(p, value=value) if p.get("name") == name else p for p in spec.get("params", [])]
    return out


def _records(frame: pd.DataFrame) -> list[dict]:
    """Rows as JSON-ready dicts, sanitised the way Altair's own data transformer does it."""
    return alt.utils.sanitize_pandas_dataframe(frame.copy()).to_dict("records")


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


# Scrubbing in the browser. A scrubbing control (a threshold, a round, a row) is a Streamlit slider; its
# charts carry every position's rows at once, each tagged with its position (SCRUB_COLUMN), and show the
# rows of the position held by a Vega-Lite parameter (scrub_param). In the browser the parameter follows
# the slider's own input element as it moves (components/ui/scrub.py), so the charts redraw in the page
# with no server round trip and no re-embedding (the spec never changes); the server still receives the
# slider's value, keeps it in the URL and recomputes the page's numbers from it.
SCRUB_COLUMN = "_scrub"


def scrub_param(key: str) -> str:
    """The Vega-Lite parameter that follows the slider with widget key ``key`` (components/ui/scrub.py
    derives the same name from the slider's element: letters and digits kept, anything else "_")."""
    return "scrub__" + re.sub(r"[^A-Za-z0-9]", "_", key)


def slices(positions: Mapping[float, Mapping[str, list[dict] | pd.DataFrame]],
           column: str = SCRUB_COLUMN) -> dict[str, pd.DataFrame]:
    """Moving datasets at every position of a slider (position -> name -> rows, what a page would swap in
    at that position with with_datasets), stacked per name and tagged with the position (in ``column``)."""
    stacked: dict[str, list[pd.DataFrame]] = {}
    for position, frames in positions.items():
        for name, rows in frames.items():
            frame = rows if isinstance(rows, pd.DataFrame) else pd.DataFrame.from_records(rows)
            stacked.setdefault(name, []).append(frame.assign(**{column: float(position)}))
    return {name: pd.concat(parts, ignore_index=True) for name, parts in stacked.items()}


def filter_views(node, names: set[str], test: str):
    """A copy of ``node`` in which every view that reads one of ``names`` first keeps the rows of the
    parameter's position (a filter prepended to its transforms: later transforms see only those rows)."""
    if isinstance(node, list):
        return [filter_views(item, names, test) for item in node]
    if not isinstance(node, dict):
        return node
    out = {k: (v if k in ("datasets", "data") else filter_views(v, names, test)) for k, v in node.items()}
    data = node.get("data")
    if isinstance(data, dict) and data.get("name") in names:
        out["transform"] = [{"filter": test}] + list(node.get("transform", []))
    return out


def scrubbable(spec: dict, key: str, stacked: Mapping[str, pd.DataFrame], lo: float, hi: float, step: float,
               column: str = SCRUB_COLUMN) -> dict:
    """A spec whose named datasets that move with the slider ``key`` hold every position's rows.

    ``stacked`` maps each moving dataset's name to its rows at every value the slider can take (lo..hi
    by step), tagged with that value in ``column`` (see slices); names the spec does not have are
    ignored. A row with no value (null) in ``column`` does not follow this slider: one dataset can hold
    rows that follow different sliders, each tagged in its own column, with one call per slider (the same
    ``stacked`` each time; a view keeps the rows every filter keeps). The parameter is bound to an input
    element Vega generates (hidden by components/ui/scrub.py) with the slider's range and step, so a value
    set on it snaps as the slider's does. Its starting value is the slider's when the chart is drawn
    (show.chart sets it)."""
    datasets = dict(spec.get("datasets", {}))
    names = {name for name in stacked if name in datasets}
    param = scrub_param(key)
    for name in names:
        datasets[name] = _arrow_bytes(stacked[name])
    # within half a step: the slider's value and the position are the same decimal, parsed in two places
    tag = f"datum['{column}']"
    test = f"!isValid({tag}) || abs({tag} - {param}) < {step / 2!r}"
    out = filter_views({k: v for k, v in spec.items() if k != "datasets"}, names, test)
    out["params"] = list(spec.get("params", [])) + [
        {"name": param, "value": lo, "bind": {"input": "range", "min": lo, "max": hi, "step": step}}]
    out["datasets"] = datasets
    return out


def named_datasets(spec: dict, names: dict[int | None, str]) -> dict:
    """A converted chart (to_spec) with some datasets under stable names, for scrubbing controls that
    swap them (with_datasets) instead of changing the spec: ``names`` maps a layer's index (None: the
    chart's top-level data) to the name its data takes. Content-hash names change with the content;
    these do not, so a spec built once stays byte-identical while its datasets move."""
    out = {**spec, "datasets": dict(spec.get("datasets", {}))}
    if "layer" in spec:
        out["layer"] = list(spec["layer"])
    for where, name in names.items():
        part = out if where is None else out["layer"][where]
        old = part["data"]["name"]
        data = out["datasets"][old]
        part = dict(part, data={"name": name})
        if where is None:
            out["data"] = part["data"]
        else:
            out["layer"][where] = part
        out["datasets"][name] = data
    used = json.dumps({k: v for k, v in out.items() if k != "datasets"})
    out["datasets"] = {n: d for n, d in out["datasets"].items() if json.dumps(n) in used}
    return out


def as_chart(spec: dict) -> alt.TopLevelMixin:
    """An Altair chart of a spec dict (for callers that compose, save or validate charts); Arrow
    datasets become rows again."""
    import pyarrow as pa

    datasets = {n: pa.ipc.open_stream(d).read_all().to_pylist() if isinstance(d, bytes) else d
                for n, d in spec.get("datasets", {}).items()}
    kind = alt.LayerChart if "layer" in spec else alt.Chart
    return kind.from_dict({**spec, "datasets": datasets}, validate=False)


# Presenter mode (a projector at the back of a room): type sizes in the chart's own Vega-Lite config,
# so they apply inside the SVG where page CSS cannot reach. Axis labels >= 18 px, titles >= 22 px.
PRESENTER_CONFIG = {
    "axis": {"labelFontSize": 18, "titleFontSize": 20, "labelLimit": 260},
    "legend": {"labelFontSize": 18, "titleFontSize": 18, "symbolSize": 160, "labelLimit": 260},
    "header": {"labelFontSize": 18, "titleFontSize": 20},
    "title": {"fontSize": 22, "subtitleFontSize": 18},
}


def for_presenter(spec: dict) -> dict:
    """A copy of a spec with the presenter type sizes merged over its own config (the chart's own
    settings for other keys are kept)."""
    config = dict(spec.get("config", {}))
    for part, sizes in PRESENTER_CONFIG.items():
        config[part] = {**config.get(part, {}), **sizes}
    return {**spec, "config": config}


def stable_names(spec: dict, prefix: str) -> dict:
    """A converted chart (to_spec) whose datasets are named by their place in the spec (``prefix``, then
    ``prefix-1``, ``prefix-2``, … in the order the spec first reads them) instead of by their content's
    hash. When new numbers leave the rest of the spec as it was, only the datasets change, and the
    browser redraws the chart in place instead of embedding it again (see with_datasets)."""
    order: list[str] = []

    def walk(node) -> None:
        if isinstance(node, dict):
            data = node.get("data")
            if isinstance(data, dict) and data.get("name") in spec.get("datasets", {}) and data["name"] not in order:
                order.append(data["name"])
            for key, value in node.items():
                if key != "datasets":
                    walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)
    walk(spec)
    names = {old: prefix if i == 0 else f"{prefix}-{i}" for i, old in enumerate(order)}
    text = json.dumps({k: v for k, v in spec.items() if k != "datasets"})
    for old, new in names.items():
        text = text.replace(json.dumps(old), json.dumps(new))
    out = json.loads(text)
    if "datasets" in spec:
        out["datasets"] = {names.get(n, n): data for n, data in spec["datasets"].items()}
    return out
