"""Decision-boundary data for 2-D classifiers: a probability grid plus the labelled points; and fast
conversion of charts with large frames (fast_spec), with data swapped into a converted chart
(swap_layer_data, swap_grid) so that scrubbing through precomputed states builds no Altair chart."""
from __future__ import annotations

import numpy as np
import pandas as pd

GRID_RESOLUTION = 80  # per axis: sharp enough for a projector, cheap enough to predict instantly


def grid_for(X: np.ndarray, resolution: int = GRID_RESOLUTION, margin: float = 0.1) -> np.ndarray:
    """A regular grid covering X's bounding box plus a margin, shape (resolution**2, 2)."""
    X = np.asarray(X, dtype=float)
    lo, hi = X.min(axis=0), X.max(axis=0)
    pad = (hi - lo) * margin + 1e-9
    g1 = np.linspace(lo[0] - pad[0], hi[0] + pad[0], resolution)
    g2 = np.linspace(lo[1] - pad[1], hi[1] + pad[1], resolution)
    a, b = np.meshgrid(g1, g2)
    return np.column_stack([a.ravel(), b.ravel()])


def positive_proba(model, X: np.ndarray) -> np.ndarray:
    """P(class 1) when the model has predict_proba, else a logistic squash of decision_function."""
    if hasattr(model, "predict_proba"):
        return model.predict_proba(X)[:, 1]
    return 1.0 / (1.0 + np.exp(-model.decision_function(X)))


def grid_predictions(model, X: np.ndarray, resolution: int = GRID_RESOLUTION) -> pd.DataFrame:
    grid = grid_for(X, resolution)
    return pd.DataFrame({"x1": grid[:, 0], "x2": grid[:, 1], "proba": positive_proba(model, grid)})


def points_frame(X_train, y_train, X_test=None, y_test=None, class_names=None) -> pd.DataFrame:
    """Train and test points in one frame with a readable label and a split column."""
    def frame(X, y, split):
        X = np.asarray(X, dtype=float)
        y = np.asarray(y)
        labels = [str(class_names[int(v)]) if class_names is not None else str(v) for v in y]
        return pd.DataFrame({"x1": X[:, 0], "x2": X[:, 1], "label": labels, "split": split})
    parts = [frame(X_train, y_train, "train")]
    if X_test is not None:
        parts.append(frame(X_test, y_test, "test"))
    return pd.concat(parts, ignore_index=True)


# ------------------------------------------------------------------ charts with big data, converted fast
def fast_spec(chart) -> dict:
    """``charts.to_spec(chart)`` without Altair's row-by-row serialisation of the data.

    to_spec has Altair turn every DataFrame into a list of row dicts, then rebuilds a DataFrame from
    them for Arrow: most of the cost of converting a boundary chart (6,400 grid cells). Here Altair
    converts the chart with one row of each DataFrame (enough to infer the field types) and every
    frame goes to Arrow directly under its own name. tests/test_gallery.py checks it against to_spec."""
    from components import charts

    full: list[pd.DataFrame | None] = []

    def shrink(part):
        data = getattr(part, "data", None)
        if not isinstance(data, pd.DataFrame) or len(data) <= 1:
            full.append(None)
            return part
        full.append(data)
        part = part.copy(deep=False)
        part.data = data.iloc[:1]
        return part

    top = shrink(chart)
    layered = isinstance(getattr(top, "layer", None), list)
    if layered:
        top = top if top is not chart else top.copy(deep=False)
        top.layer = [shrink(layer) for layer in top.layer]
    spec = charts.to_spec(top)
    parts = [spec] + (spec["layer"] if layered else [])
    datasets = spec.get("datasets", {})
    replaced = set()
    for part, data in zip(parts, full):
        if data is None:
            continue
        name, arrow = arrow_dataset(data)
        replaced.add(part["data"]["name"])
        part["data"] = {"name": name}
        datasets[name] = arrow
    kept = {p["data"]["name"] for p in parts if isinstance(p.get("data"), dict) and "name" in p["data"]}
    spec["datasets"] = {k: v for k, v in datasets.items() if k not in replaced or k in kept}
    return spec


def arrow_dataset(frame: pd.DataFrame) -> tuple[str, bytes]:
    """A frame as a named Vega-Lite dataset in Arrow (the name from its content)."""
    import hashlib

    import pyarrow as pa

    table = pa.Table.from_pandas(frame, preserve_index=False)
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    data = sink.getvalue().to_pybytes()
    return "data-" + hashlib.md5(data).hexdigest()[:16], data


def swap_layer_data(spec: dict, frames: dict[int, pd.DataFrame], **top) -> dict:
    """A converted layered chart (fast_spec) with the data of some layers replaced (layer index ->
    frame, in the columns the chart's builder would have given it) and top-level keys (e.g. title)
    set; datasets no layer uses any more are dropped."""
    layers = list(spec["layer"])
    top_data = spec.get("data")
    fresh = {}
    for i, frame in frames.items():
        name, data = arrow_dataset(frame)
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


def swap_grid(spec: dict, grid: pd.DataFrame, title: str) -> dict:
    """Another probability grid on the same cells, in a boundary chart already converted (fast_spec of
    charts.boundary_chart): the background's P(class 1) and the boundary cells (|P - 0.5| < 0.04, as
    boundary_chart draws it) are swapped, the rest is kept. Costs ~2 ms where building the chart
    costs ~30 ms. The tests check the result equals converting a freshly built chart."""
    import pyarrow as pa

    background = spec["layer"][0]
    cells = pa.ipc.open_stream(spec["datasets"][background["data"]["name"]]).read_pandas()
    if not (np.array_equal(cells["x1"].to_numpy(), grid["x1"].to_numpy())
            and np.array_equal(cells["x2"].to_numpy(), grid["x2"].to_numpy())):
        raise ValueError("swap_grid needs the template's grid cells")
    cells["proba"] = grid["proba"].to_numpy()
    contour = grid[(grid["proba"] - 0.5).abs() < 0.04]
    # Altair sends an empty frame without columns
    return swap_layer_data(spec, {0: cells, 1: contour if len(contour) else pd.DataFrame()}, title=title)


def draw(builder, *args, target=None, **kwargs) -> None:
    """Like components.ui.chart_cache.draw (convert once per input, replay the dict), converting with
    fast_spec: for charts with large frames, such as decision boundaries."""
    import streamlit as st

    code = getattr(builder, "__code__", None)
    builder_id = f"{code.co_filename if code else builder.__module__}:{builder.__qualname__}"
    if "<" in builder.__qualname__:
        raise ValueError(f"chart builders must be module-level functions, got {builder_id}")
    (target or st).vega_lite_chart(spec=_cached_spec(builder_id, builder, args, kwargs))


def _fast_spec_of(builder_id: str, _builder, args: tuple, kwargs: dict) -> dict:
    return fast_spec(_builder(*args, **kwargs))


try:  # a module-level cache shared by every page (bounded: a boundary spec holds ~100 kB of Arrow)
    import streamlit as _st

    _cached_spec = _st.cache_data(max_entries=256, show_spinner=False)(_fast_spec_of)
except ImportError:  # pragma: no cover
    _cached_spec = _fast_spec_of
