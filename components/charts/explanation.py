"""Model explanations: SHAP beeswarm and waterfall, partial dependence with ICE curves."""
from __future__ import annotations

import altair as alt
import pandas as pd

from components.charts.core import BLACK, BLUE, HEIGHT, SKY, VERMILION, _tooltips


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
