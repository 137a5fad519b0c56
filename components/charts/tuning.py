"""Hyper-parameter search: the score surface with the trials, and the best score so far.

Both charts replay a search without changing their spec: what moves is a few named datasets with
stable names (the trials drawn so far, the rule at the current trial), which hold every replay step
and follow the step slider in the browser (components.tuning.replay_scrubbed, charts.scrubbable).
Every scale that data could change is fixed here: the strategies' colours, shapes and dashes have an
explicit domain, so a strategy appearing at a later trial does not re-map the others.
"""
from __future__ import annotations

from typing import Sequence

import altair as alt
import pandas as pd

from components.charts.core import BLACK, _arrow_bytes, to_spec

TRIALS_DATA = "trials"  # the trials drawn on the surface, up to the current trial
STEP_DATA = "step"  # one row, column "trial": the current trial (the best-so-far chart's rule)
LINES_DATA = "best_lines"  # every trial's best score so far: one line per strategy
MOVING = (TRIALS_DATA, STEP_DATA, LINES_DATA)

TRIAL_COLUMNS = {"strategy": "N", "trial": "Q", "log10 C": "Q", "log10 gamma": "Q", "score": "Q",
                 "best so far": "Q", "rows used": "Q", "rung": "Q"}  # Vega-Lite types of a trial's fields


def trials_frame(trials: pd.DataFrame) -> pd.DataFrame:
    """Trials in the columns (and order) of a named trials dataset: the same Arrow schema on every move.
    Columns a run lacks (rows used, rung: successive halving only) are filled with nulls."""
    out = trials.reindex(columns=list(TRIAL_COLUMNS))
    return out.astype({c: "float64" for c, kind in TRIAL_COLUMNS.items() if kind == "Q"}).astype(
        {"strategy": "object"})


def _with_named(spec: dict, frames: dict[str, pd.DataFrame]) -> dict:
    """A converted chart with its named datasets present (with_datasets replaces only names it has)."""
    return {**spec, "datasets": {**spec.get("datasets", {}), **{n: _arrow_bytes(f) for n, f in frames.items()}}}


def surface_chart(surface: pd.DataFrame, x: str, y: str, value: str = "score", *,
                  strategies: Sequence[str] = (), colours: Sequence[str] = (), label: bool = False,
                  halving: bool = False, value_domain: tuple[float, float] | None = None, title: str = "",
                  height: int = 360) -> alt.LayerChart:
    """A heatmap of a regular grid (columns x, y, value; e.g. CV score over log10 C x log10 gamma) with
    the trials on top, read from the named dataset TRIALS_DATA (columns TRIAL_COLUMNS): filled points
    whose colour and shape tell the strategies apart (fixed domain `strategies`, `colours` in the same
    order), with each point's trial number written beside it when `label`. value_domain clamps the
    colour scale (e.g. R² far below 0). `halving`: the tooltip adds the rows used and the rung."""
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
    shown = ["strategy", "trial", x, y, "score", "best so far"] + (["rows used", "rung"] if halving else [])
    four_decimals = (x, y, "score", "best so far")
    tooltip = [alt.Tooltip(f"{c}:{TRIAL_COLUMNS[c]}", format=".4f") if c in four_decimals
               else alt.Tooltip(f"{c}:{TRIAL_COLUMNS[c]}") for c in shown]
    base = alt.Chart(alt.NamedData(name=TRIALS_DATA))
    points = base.mark_point(size=110, filled=True, stroke=BLACK, strokeWidth=1, opacity=0.95).encode(
        x=alt.X(f"{x}:Q"), y=alt.Y(f"{y}:Q"), tooltip=tooltip,
        shape=alt.Shape("strategy:N", title="strategy", scale=alt.Scale(domain=list(strategies))),
        fill=alt.Fill("strategy:N", title="strategy", scale=alt.Scale(domain=list(strategies), range=list(colours))))
    layers = [heat, points]
    if label:
        for paint in ({"stroke": "white", "strokeWidth": 3, "color": "white"}, {"color": BLACK}):  # haloed
            layers.append(base.mark_text(dy=-12, fontSize=11, fontWeight="bold", **paint).encode(
                x=alt.X(f"{x}:Q"), y=alt.Y(f"{y}:Q"), text=alt.Text("trial:Q")))
    return alt.layer(*layers).properties(title=title, height=height, width="container").resolve_scale(
        color="independent")


def surface_spec(surface: pd.DataFrame, x: str, y: str, value: str = "score", **kwargs) -> dict:
    """surface_chart as a Vega-Lite dict, with an empty TRIALS_DATA for the page to fill on every move."""
    return _with_named(to_spec(surface_chart(surface, x, y, value, **kwargs)),
                       {TRIALS_DATA: trials_frame(pd.DataFrame())})


def best_so_far_chart(*, strategies: Sequence[str], colours: Sequence[str], y_title: str = "best so far",
                      height: int = 420) -> alt.LayerChart:
    """Best score so far against the budget spent, one line per strategy (named dataset LINES_DATA:
    strategy, trial, best so far), and a dashed rule at the current trial (named dataset STEP_DATA: one
    row, column trial). Two fifths of the page: the legend goes below the plot, one strategy a line (in
    two columns the second was cut off), or the plot is a sliver. Streamlit fits the whole chart into
    its height, legend included: 420 px leaves the plot about the surface's height."""
    domain = alt.Scale(domain=list(strategies), range=list(colours))
    lines = alt.Chart(alt.NamedData(name=LINES_DATA)).mark_line(point=True).encode(
        x=alt.X("trial:Q", title="trials (halving: a trial on fewer rows costs less)"),
        y=alt.Y("best so far:Q", title=y_title, scale=alt.Scale(zero=False)),
        color=alt.Color("strategy:N", title=None, scale=domain,
                        legend=alt.Legend(orient="bottom", direction="vertical", labelLimit=0)),
        strokeDash=alt.StrokeDash("strategy:N", title=None, scale=alt.Scale(domain=list(strategies)),
                                  legend=alt.Legend(orient="bottom", direction="vertical", labelLimit=0)),
        tooltip=[alt.Tooltip("strategy:N"), alt.Tooltip("trial:Q"), alt.Tooltip("best so far:Q", format=".4f")])
    rule = alt.Chart(alt.NamedData(name=STEP_DATA)).mark_rule(color=BLACK, strokeDash=[4, 3]).encode(
        x=alt.X("trial:Q"))
    return alt.layer(lines, rule).properties(title="Best score so far vs number of trials", height=height,
                                             width="container")


def best_so_far_spec(**kwargs) -> dict:
    """best_so_far_chart as a Vega-Lite dict, with empty named datasets for the page to fill."""
    return _with_named(to_spec(best_so_far_chart(**kwargs)),
                       {LINES_DATA: trials_frame(pd.DataFrame())[["strategy", "trial", "best so far"]],
                        STEP_DATA: pd.DataFrame({"trial": [0.0]})})
