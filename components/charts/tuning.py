"""Hyper-parameter search: the score surface with the trials, and the best score so far."""
from __future__ import annotations

import altair as alt
import pandas as pd

from components.charts.core import BLACK, GREEN, ORANGE, SKY, VERMILION, _tooltips


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
