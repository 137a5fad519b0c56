"""Decision boundaries on 2-D sets and the layers drawn over them; a tree's structure; digit images."""
from __future__ import annotations

import json

import altair as alt
import numpy as np
import pandas as pd

from components.charts.core import (
    BLACK,
    BLUE,
    GREEN,
    HEIGHT,
    OKABE_ITO,
    ORANGE,
    PURPLE,
    SKY,
    VERMILION,
    _log_x,
    _tooltips,
    swap_layer_data,
)


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
    """A small boundary of one ensemble member (grid: x1, x2, proba): its probability image and 0.5 line,
    without points or legends (the big chart beside it explains the colours)."""
    return image_boundary_chart(probability_image(grid), on_boundary(grid)[["x1", "x2"]], pd.DataFrame(),
                                *image_extent(grid), legend=False, title=title, height=height)


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


def name_layer_data(spec: dict, names: dict[int, str]) -> dict:
    """A converted layered chart (to_spec) whose layers read their data under stable names (layer index
    -> name) instead of content hashes, for a page to replace per move (charts.with_datasets): a
    scrubbing control then changes those datasets only and the spec stays byte-identical, so the
    browser updates the drawn chart in place. Each layer keeps its current rows until replaced."""
    layers = list(spec["layer"])
    data = dict(spec["datasets"])
    for i, name in names.items():
        data[name] = data[layers[i]["data"]["name"]]
        layers[i] = {**layers[i], "data": {"name": name}}
    used = json.dumps({k: v for k, v in spec.items() if k not in ("datasets", "layer")}) + json.dumps(layers)
    return {**spec, "layer": layers, "datasets": {k: v for k, v in data.items() if json.dumps(k) in used}}


# ---- boundaries drawn as one image: for charts a scrubbing control redraws ----------------------
# A boundary_chart draws P(class 1) as one rectangle per grid cell (6,400 on an 80 x 80 grid). Every
# redraw re-encodes and repaints each of them: measured in Chromium on the loaded test machine, a
# move of the Ensembles lab's trees slider kept the page's main thread busy 0.8-1.6 s (re-embedded or
# updated in place alike). Here the cells are the pixels of one PNG, coloured in Python exactly as
# the legend's scale colours them; a redraw swaps one image.
PROBA_RANGE = (BLUE, "#f7f7f7", ORANGE)  # P(class 1) = 0, 0.5, 1, as boundary_chart's background
BACKGROUND_OPACITY = 0.55  # as boundary_chart's background
POINT_TYPES = {"x1": "Q", "x2": "Q", "label": "N", "class": "Q", "split": "N", "size": "Q", "marker": "N"}


def _rgb(colour: str) -> np.ndarray:
    return np.array([int(colour[i:i + 2], 16) for i in (1, 3, 5)], dtype=float)


def proba_colours(proba: np.ndarray) -> np.ndarray:
    """RGBA bytes for P(class 1) values: PROBA_RANGE interpolated linearly in RGB (the legend's scale
    interpolates the same way, interpolate="rgb"), at BACKGROUND_OPACITY."""
    stops = np.array([_rgb(c) for c in PROBA_RANGE])
    p = np.clip(np.asarray(proba, dtype=float), 0, 1)
    channels = [np.interp(p, [0, 0.5, 1], stops[:, c]) for c in range(3)]
    alpha = np.full(p.shape, BACKGROUND_OPACITY * 255)
    return np.rint(np.stack(channels + [alpha], axis=-1)).astype(np.uint8)


def grid_image(cells: pd.DataFrame, rgba: np.ndarray) -> pd.DataFrame:
    """Colours of the cells of a regular grid (cells: x1, x2; rgba: one row of 4 bytes per cell, in the
    same order) as one row: the image's extent (x1, x1b, x2, x2b, each cell spanning to the next grid
    line as in boundary_chart) and a PNG data URL with one pixel per cell, the top row at the largest x2."""
    import base64
    import io

    from PIL import Image

    xs, ix = np.unique(cells["x1"].to_numpy(), return_inverse=True)
    ys, iy = np.unique(cells["x2"].to_numpy(), return_inverse=True)
    pixels = np.zeros((len(ys), len(xs), 4), dtype=np.uint8)  # a cell the grid lacks stays transparent
    pixels[iy, ix] = np.asarray(rgba, dtype=np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(pixels[::-1], "RGBA").save(buffer, format="PNG")
    dx = float(np.median(np.diff(xs))) if len(xs) > 1 else 1.0
    dy = float(np.median(np.diff(ys))) if len(ys) > 1 else 1.0
    return pd.DataFrame({"x1": [float(xs[0])], "x1b": [float(xs[-1] + dx)], "x2": [float(ys[0])],
                         "x2b": [float(ys[-1] + dy)],
                         "url": ["data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()]})


def probability_image(grid: pd.DataFrame) -> pd.DataFrame:
    """P(class 1) on a regular grid (x1, x2, proba) as one image (grid_image) in proba_colours."""
    return grid_image(grid, proba_colours(grid["proba"].to_numpy()))


def _data(frame_or_name: pd.DataFrame | str):
    return alt.NamedData(name=frame_or_name) if isinstance(frame_or_name, str) else frame_or_name


def image_layer(image: pd.DataFrame | str, x_domain: list[float], y_domain: list[float], x_title: str = "x1",
                y_title: str = "x2") -> alt.Chart:
    """A grid_image (a frame, or the name of a dataset a page swaps in) drawn over its extent, the axes
    fixed to x_domain and y_domain (image_extent of its grid)."""
    return alt.Chart(_data(image)).mark_image(aspect=False, smooth=False).encode(
        x=alt.X("x1:Q", title=x_title, scale=alt.Scale(domain=list(x_domain), nice=False)), x2=alt.X2("x1b:Q"),
        y=alt.Y("x2:Q", title=y_title, scale=alt.Scale(domain=list(y_domain), nice=False)), y2=alt.Y2("x2b:Q"),
        url=alt.Url("url:N"))


def image_boundary_chart(image: pd.DataFrame | str, contour: pd.DataFrame | str, points: pd.DataFrame,
                         x_domain: list[float], y_domain: list[float], *, points_name: str | None = None,
                         legend: bool = True, title: str | list[str] = "", height: int = 320,
                         extra: alt.Chart | alt.LayerChart | None = None) -> alt.LayerChart:
    """boundary_chart with the background as one image (probability_image) and the axes fixed to
    x_domain and y_domain (the image's extent). image and contour (on_boundary of the grid) are frames,
    or names of datasets a page swaps in per move; so are the points (points_name; `points` then gives
    their columns, with an optional "size" for sample weights). legend=False: no legends, for a small
    member chart beside a big one. extra: layers drawn on top, as in boundary_chart (the shape legend
    then goes below the plot, where the extra layer's legends have room)."""
    background = image_layer(image, x_domain, y_domain)
    line = alt.Chart(_data(contour)).mark_point(size=4, color=BLACK, filled=True, opacity=0.6).encode(
        x=alt.X("x1:Q"), y=alt.Y("x2:Q"))
    layers = [background, line]
    if legend:  # the colour legend of the image, from an invisible layer on the same scale
        layers.append(alt.Chart(pd.DataFrame({"proba": [0.0, 0.5, 1.0]})).mark_point(opacity=0).encode(
            x=alt.XValue(0), y=alt.YValue(0),
            color=alt.Color("proba:Q", title="P(class 1)", legend=alt.Legend(gradientLength=90),
                            scale=alt.Scale(domain=[0, 0.5, 1], range=list(PROBA_RANGE), interpolate="rgb"))))
    if len(points.columns):
        hide = {} if legend else {"legend": None}
        enc = dict(
            x=alt.X("x1:Q"), y=alt.Y("x2:Q"),
            color=alt.Color("label:N", title="class", sort=alt.EncodingSortField(field="class", op="min"),
                            scale=alt.Scale(range=[BLUE, ORANGE, GREEN, VERMILION]), **hide),
            shape=alt.Shape("split:N", title="split", scale=alt.Scale(domain=["train", "test"],
                                                                        range=["circle", "triangle-up"]), **hide),
            tooltip=[alt.Tooltip(f"{c}:{POINT_TYPES[c]}") for c in points.columns
                     if c in ("x1", "x2", "label", "split", "size", "marker")])
        if "size" in points:
            enc["size"] = alt.Size("size:Q", title="weight", scale=alt.Scale(range=[10, 400]),
                                   legend=alt.Legend(orient="bottom", direction="horizontal", columns=4)
                                   if legend else None)
        if extra is not None and legend:
            enc["shape"].legend = alt.Legend(orient="bottom", direction="horizontal")
        layers.append(alt.Chart(_data(points_name or points)).mark_point(
            filled=True, stroke=BLACK, strokeWidth=0.6, opacity=0.9).encode(**enc))
    if extra is not None:
        layers.append(extra)
    return alt.layer(*layers).properties(title=title, height=height, width="container").resolve_scale(
        color="independent", shape="independent")


def retarget(spec: dict, x_domain: list[float], y_domain: list[float], frames: dict[int, pd.DataFrame],
             title: str | list[str]) -> dict:
    """An image_boundary_chart already converted (to_spec), redrawn for other data: the axes' domains,
    the title and the data of the layers in `frames` (index -> frame, e.g. another fit's points) are
    replaced; named datasets stay. A few ms where building and converting costs 20-40; the tests check
    it equals converting a chart built on the new data."""
    out = swap_layer_data(spec, frames, title=title)
    background = out["layer"][0]
    encoding = dict(background["encoding"])
    for channel, domain in (("x", x_domain), ("y", y_domain)):
        encoding[channel] = {**encoding[channel], "scale": {**encoding[channel]["scale"], "domain": list(domain)}}
    out["layer"][0] = {**background, "encoding": encoding}
    return out


def image_extent(grid: pd.DataFrame) -> tuple[list[float], list[float]]:
    """The axes' domains of a boundary drawn from this grid (each cell spans to the next grid line)."""
    _, x_domain, y_domain = _background_cells(grid)
    return x_domain, y_domain


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
        facet=alt.Facet("image:N", title=None), columns=columns,
    ).properties(title=title).configure_header(labelFontSize=12)  # config: presenter mode can enlarge it


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


def class_borders(cells: pd.DataFrame, column: str = "predicted") -> pd.DataFrame:
    """The cells of a regular grid whose ``column`` (a predicted class) differs from a neighbour's (left,
    right, below or above): drawn as dots they trace the borders between the regions, for any number of
    classes (on_boundary traces P(class 1) = 0.5 for two)."""
    u1, i1 = np.unique(cells["x1"].to_numpy(), return_inverse=True)
    u2, i2 = np.unique(cells["x2"].to_numpy(), return_inverse=True)
    codes = pd.factorize(cells[column])[0]
    grid = np.full((len(u2), len(u1)), -1)
    grid[i2, i1] = codes
    flip = np.zeros(grid.shape, dtype=bool)
    across = grid[:, 1:] != grid[:, :-1]
    flip[:, 1:] |= across
    flip[:, :-1] |= across
    up = grid[1:, :] != grid[:-1, :]
    flip[1:, :] |= up
    flip[:-1, :] |= up
    return cells.loc[flip[i2, i1], ["x1", "x2"]]


def class_regions_chart(cells: pd.DataFrame, points: pd.DataFrame, classes: list[str], title: str = "",
                        x_title: str = "x1", y_title: str = "x2", height: int = 440) -> alt.LayerChart:
    """Decision regions of a classifier with any number of classes: each grid cell in its predicted class's
    colour, the more opaque the surer the model (its largest probability, from 1/K up to 1), the borders
    between regions in black, small crosses on the cells where ``differs`` is True (another model predicts
    another class there; the page's caption says so), and the points on top in the same class colours.
    The class legend goes below the plot, which keeps the width of its column (the height includes it);
    the page's caption says what the shading and the shapes (circles train, triangles test) mean.

    cells: a regular grid with x1, x2, predicted (a class name), confidence (the largest probability) and
    differs (bool). points: x1, x2, label (a class name), split ("train"/"test"), in the tooltip."""
    k = len(classes)
    # One PNG, one pixel per cell, as probability_image: the class colour at the opacity the confidence
    # sets, linear from 0.05 at 1/K to 0.75 at 1 (with 3,600 rectangles per map, a new multi-class set
    # took about 0.4 s longer to draw in Chromium).
    colour_of = {c: _rgb(OKABE_ITO[i]) for i, c in enumerate(classes)}
    rgb = np.array([colour_of[c] for c in cells["predicted"]]).reshape(-1, 3)
    alpha = 0.05 + 0.70 * np.clip((cells["confidence"].to_numpy(dtype=float) - 1 / k) / (1 - 1 / k), 0, 1)
    background = image_layer(grid_image(cells, np.rint(np.column_stack([rgb, 255 * alpha]))), *image_extent(cells),
                             x_title, y_title)
    colour = alt.Scale(domain=list(classes), range=OKABE_ITO[:k])
    below = dict(orient="bottom", direction="horizontal")
    borders = alt.Chart(class_borders(cells)).mark_point(size=4, color=BLACK, filled=True, opacity=0.6).encode(
        x=alt.X("x1:Q"), y=alt.Y("x2:Q"))
    crosses = alt.Chart(cells.loc[cells["differs"], ["x1", "x2"]]).mark_point(
        shape="cross", size=10, filled=True, color=BLACK, opacity=0.4).encode(x=alt.X("x1:Q"), y=alt.Y("x2:Q"))
    dots = alt.Chart(points).mark_point(filled=True, stroke=BLACK, strokeWidth=0.6, opacity=0.9).encode(
        x=alt.X("x1:Q"), y=alt.Y("x2:Q"),
        color=alt.Color("label:N", title="class", scale=colour, legend=alt.Legend(**below)),
        shape=alt.Shape("split:N", title="split", scale=alt.Scale(domain=["train", "test"],
                                                                    range=["circle", "triangle-up"]), legend=None),
        tooltip=_tooltips(("x1", "x2", "label", "split")),
    )
    return alt.layer(background, borders, crosses, dots).properties(title=title, height=height, width="container")


def probability_gap_chart(cells: pd.DataFrame, title: str = "", x_title: str = "x1", y_title: str = "x2",
                          height: int = 300) -> alt.Chart:
    """How far two models' probabilities are apart in each cell of a regular grid (cells: x1, x2, gap in
    0..1, e.g. the largest difference over the classes), white for none to black for 1: one PNG, one
    pixel per cell, coloured as the legend's scale (linear in RGB) colours it."""
    grey = np.rint(255 * (1 - np.clip(cells["gap"].to_numpy(dtype=float), 0, 1)))
    image = grid_image(cells, np.column_stack([grey, grey, grey, np.full_like(grey, 255)]))
    legend = alt.Chart(pd.DataFrame({"gap": [0.0, 1.0]})).mark_point(opacity=0).encode(
        x=alt.XValue(0), y=alt.YValue(0),
        color=alt.Color("gap:Q", title="largest gap",
                        scale=alt.Scale(domain=[0, 1], range=["#ffffff", BLACK], interpolate="rgb"),
                        legend=alt.Legend(orient="bottom", direction="horizontal", gradientLength=120)))
    return alt.layer(image_layer(image, *image_extent(cells), x_title, y_title), legend).properties(
        title=title, height=height, width="container")
