"""Plain charts: lines, bars, dots, histograms, tiles, scatters, strips, series and paths."""
from __future__ import annotations

import altair as alt
import pandas as pd

from components.charts.core import BLACK, BLUE, GREEN, HEIGHT, OKABE_ITO, ORANGE, VERMILION, _log_x, _tooltips


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
