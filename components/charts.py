"""Altair chart builders shared by every page. Each takes DataFrames and returns an ``alt.Chart``.

Colours come from the Okabe–Ito palette, which stays distinguishable for colour-blind viewers.
"""
from __future__ import annotations

import altair as alt
import pandas as pd

OKABE_ITO = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"]
BLUE, ORANGE, GREEN, VERMILION, PURPLE, SKY, YELLOW, BLACK = OKABE_ITO
HEIGHT = 280

# Boundary grids (80x80 = 6,400 cells) exceed Altair's default 5,000-row guard; every builder here
# gets bounded data (grids of fixed resolution, sampled points), so the guard only gets in the way.
alt.data_transformers.disable_max_rows()


def boundary_chart(grid: pd.DataFrame, points: pd.DataFrame, title: str = "", height: int = 320,
                   width: int | str = "container", extra: alt.Chart | None = None) -> alt.LayerChart:
    """A 2-D decision boundary: the model's probability of class 1 as a background, points on top.

    grid: columns x1, x2, proba (a regular grid, see components.boundary.grid_predictions).
    points: columns x1, x2, label (str), split ("train"/"test"); optional "size" for sample weights,
    optional "marker" to mark points (e.g. "support vector", "synthetic").
    """
    xs = grid["x1"].drop_duplicates().sort_values()
    ys = grid["x2"].drop_duplicates().sort_values()
    dx = float(xs.diff().median()) if len(xs) > 1 else 1.0
    dy = float(ys.diff().median()) if len(ys) > 1 else 1.0
    cells = grid.assign(x1b=grid["x1"] + dx, x2b=grid["x2"] + dy)
    background = alt.Chart(cells).mark_rect(opacity=0.55).encode(
        x=alt.X("x1:Q", title="x1", scale=alt.Scale(domain=[float(xs.min()), float(xs.max() + dx)], nice=False)),
        x2="x1b:Q",
        y=alt.Y("x2:Q", title="x2", scale=alt.Scale(domain=[float(ys.min()), float(ys.max() + dy)], nice=False)),
        y2="x2b:Q",
        color=alt.Color("proba:Q", title="P(class 1)",
                        scale=alt.Scale(domain=[0, 0.5, 1], range=[BLUE, "#f7f7f7", ORANGE])),
    )
    contour = alt.Chart(grid[(grid["proba"] - 0.5).abs() < 0.04]).mark_point(
        size=4, color=BLACK, filled=True, opacity=0.6).encode(x="x1:Q", y="x2:Q")
    enc = dict(
        x="x1:Q", y="x2:Q",
        color=alt.Color("label:N", title="class", scale=alt.Scale(range=[BLUE, ORANGE, GREEN, VERMILION])),
        shape=alt.Shape("split:N", title="split", scale=alt.Scale(domain=["train", "test"],
                                                                    range=["circle", "triangle-up"])),
        tooltip=[c for c in points.columns if c in ("x1", "x2", "label", "split", "size", "marker")],
    )
    if "size" in points:
        enc["size"] = alt.Size("size:Q", title="weight", scale=alt.Scale(range=[10, 400]))
    dots = alt.Chart(points).mark_point(filled=True, stroke=BLACK, strokeWidth=0.6, opacity=0.9).encode(**enc)
    layers = [background, contour, dots]
    if extra is not None:
        layers.append(extra)
    return alt.layer(*layers).properties(title=title, height=height, width=width).resolve_scale(color="independent")


def line_chart(df: pd.DataFrame, x: str, y: str, color: str | None = None, title: str = "",
               x_title: str | None = None, y_title: str | None = None, height: int = HEIGHT,
               log_x: bool = False, rule_x: float | None = None) -> alt.Chart:
    """A generic line chart in long format, with an optional vertical rule (the current setting)."""
    enc = dict(
        x=alt.X(f"{x}:Q", title=x_title or x, scale=alt.Scale(type="log") if log_x else alt.Undefined),
        y=alt.Y(f"{y}:Q", title=y_title or y),
        tooltip=list(df.columns),
    )
    if color:
        enc["color"] = alt.Color(f"{color}:N", title=color, scale=alt.Scale(range=OKABE_ITO))
    chart = alt.Chart(df).mark_line(point=len(df) <= 60).encode(**enc)
    if rule_x is not None:
        rule = alt.Chart(pd.DataFrame({x: [rule_x]})).mark_rule(color=BLACK, strokeDash=[4, 3]).encode(x=f"{x}:Q")
        chart = chart + rule
    return chart.properties(title=title, height=height, width="container")


def bar_chart(df: pd.DataFrame, x: str, y: str, color: str | None = None, title: str = "",
              height: int = HEIGHT, sort: str | None = "-x", x_title: str | None = None) -> alt.Chart:
    """Horizontal bars (category on y), e.g. importances or scores per strategy."""
    enc = dict(x=alt.X(f"{x}:Q", title=x_title or x), y=alt.Y(f"{y}:N", title=None, sort=sort),
               tooltip=list(df.columns))
    if color:
        enc["color"] = alt.Color(f"{color}:N", title=color, scale=alt.Scale(range=OKABE_ITO))
        enc["yOffset"] = f"{color}:N"
    return alt.Chart(df).mark_bar().encode(**enc).properties(title=title, height=height, width="container")


def histogram(df: pd.DataFrame, value: str, color: str | None = None, title: str = "", bins: int = 30,
              height: int = 220, facet: str | None = None) -> alt.Chart:
    """Overlaid histograms of one value column, coloured by a category (e.g. before/after)."""
    enc = dict(x=alt.X(f"{value}:Q", bin=alt.Bin(maxbins=bins), title=value),
               y=alt.Y("count():Q", stack=None, title="count"))
    if color:
        enc["color"] = alt.Color(f"{color}:N", title=color, scale=alt.Scale(range=OKABE_ITO))
    chart = alt.Chart(df).mark_bar(opacity=0.55).encode(**enc).properties(height=height, width="container")
    if facet:
        chart = chart.properties(width=220).facet(facet=f"{facet}:N", columns=3)
    return chart.properties(title=title)
