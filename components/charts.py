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


# --- Evaluation: confusion matrix, ROC, precision-recall, metrics vs threshold, folds -------------

def confusion_matrix_chart(cells: pd.DataFrame, title: str = "") -> alt.LayerChart:
    """A 2x2 heatmap from components.evaluation.confusion_frame: each cell shows its name (TN, FP,
    FN, TP), its count and its share of the actual class (the row-normalised matrix)."""
    base = alt.Chart(cells).encode(
        x=alt.X("predicted:N", title="predicted", sort=None,
                axis=alt.Axis(labelAngle=0, orient="top", labelLimit=130)),
        y=alt.Y("actual:N", title="actual", sort=None, axis=alt.Axis(labelLimit=110)),
    )
    heat = base.mark_rect(stroke="white", strokeWidth=2).encode(
        color=alt.Color("share of actual:Q", legend=None, scale=alt.Scale(domain=[0, 1], scheme="blues")),
        tooltip=["cell", "actual", "predicted", "count", alt.Tooltip("share of actual:Q", format=".1%")],
    )
    dark = alt.condition("datum['share of actual'] > 0.6", alt.value("white"), alt.value(BLACK))
    label = base.mark_text(dy=-24, fontSize=13).encode(text="cell:N", color=dark)
    count = base.mark_text(fontSize=24, fontWeight="bold").encode(text=alt.Text("count:Q", format="d"), color=dark)
    share = base.mark_text(dy=22, fontSize=13).encode(text=alt.Text("share of actual:Q", format=".1%"), color=dark)
    return alt.layer(heat, label, count, share).properties(title=title, height=HEIGHT - 40, width=260)


def _operating_point(x: float, y: float, x_col: str, y_col: str) -> alt.Chart:
    point = pd.DataFrame({x_col: [x], y_col: [y]})
    return alt.Chart(point).mark_point(size=160, filled=True, color=VERMILION, stroke=BLACK).encode(
        x=f"{x_col}:Q", y=f"{y_col}:Q", tooltip=[alt.Tooltip(f"{x_col}:Q", format=".3f"),
                                                 alt.Tooltip(f"{y_col}:Q", format=".3f")])


def roc_chart(roc: pd.DataFrame, point: tuple[float, float], auc: float, height: int = HEIGHT) -> alt.LayerChart:
    """ROC curve (columns FPR, TPR, threshold), the chance diagonal and the current operating point."""
    # Drawn in roc_curve's own order (order=index): points sharing an FPR must not be re-sorted.
    curve = alt.Chart(roc.reset_index()).mark_line(color=BLUE).encode(
        x=alt.X("FPR:Q", title="false positive rate (1 - specificity)", scale=alt.Scale(domain=[0, 1])),
        y=alt.Y("TPR:Q", title="true positive rate (recall)", scale=alt.Scale(domain=[0, 1])),
        order="index:Q",
        tooltip=[alt.Tooltip("threshold:Q", format=".3f"), "FPR", "TPR"])
    chance = alt.Chart(pd.DataFrame({"FPR": [0, 1], "TPR": [0, 1]})).mark_line(
        color="gray", strokeDash=[4, 4]).encode(x="FPR:Q", y="TPR:Q")
    title = f"ROC curve, AUC = {auc:.3f}" if auc == auc else "ROC curve (one class only in test)"
    return alt.layer(chance, curve, _operating_point(*point, "FPR", "TPR")).properties(
        title=title, height=height, width="container")


def pr_chart(pr: pd.DataFrame, point: tuple[float, float], ap: float, prevalence: float,
             height: int = HEIGHT) -> alt.LayerChart:
    """Precision-recall curve, the no-skill line at the positive prevalence, the operating point."""
    # A step plot in precision_recall_curve's order, as scikit-learn's PrecisionRecallDisplay draws it.
    curve = alt.Chart(pr.reset_index()).mark_line(color=ORANGE, interpolate="step-after").encode(
        x=alt.X("recall:Q", scale=alt.Scale(domain=[0, 1])),
        y=alt.Y("precision:Q", scale=alt.Scale(domain=[0, 1])),
        order="index:Q",
        tooltip=[alt.Tooltip("threshold:Q", format=".3f"), "recall", "precision"])
    baseline = alt.Chart(pd.DataFrame({"precision": [prevalence]})).mark_rule(
        color="gray", strokeDash=[4, 4]).encode(y="precision:Q")
    title = f"Precision-recall, AP = {ap:.3f}" if ap == ap else "Precision-recall (no positives in test)"
    return alt.layer(baseline, curve, _operating_point(*point, "recall", "precision")).properties(
        title=title, height=height, width="container")


def threshold_metrics_chart(sweep: pd.DataFrame, threshold: float, height: int = HEIGHT) -> alt.LayerChart:
    """Each metric against the threshold (long format: threshold, metric, value) with a rule at the
    current threshold."""
    lines = alt.Chart(sweep).mark_line().encode(
        x=alt.X("threshold:Q", scale=alt.Scale(domain=[0, 1])),
        y=alt.Y("value:Q", title="score", scale=alt.Scale(domain=[0, 1])),
        color=alt.Color("metric:N", scale=alt.Scale(range=OKABE_ITO), sort=None),
        strokeDash=alt.StrokeDash("metric:N", sort=None),
        tooltip=["metric", alt.Tooltip("threshold:Q", format=".2f"), alt.Tooltip("value:Q", format=".3f")])
    rule = alt.Chart(pd.DataFrame({"threshold": [threshold]})).mark_rule(color=BLACK, strokeWidth=2).encode(
        x="threshold:Q")
    return alt.layer(lines, rule).properties(title="Metrics vs threshold", height=height, width="container")


def folds_chart(runs: pd.DataFrame) -> alt.Chart:
    """Which rows each fold tests, from components.evaluation.fold_runs; a class strip on top."""
    lanes = ["class"] + sorted((lane for lane in runs["lane"].unique() if lane != "class"),
                               key=lambda s: int(s.split()[-1]))
    return alt.Chart(runs).mark_rect().encode(
        x=alt.X("start:Q", title="row of the dataset (file order)"), x2="end:Q",
        y=alt.Y("lane:N", sort=lanes, title=None),
        color=alt.Color("kind:N", title=None, scale=alt.Scale(
            domain=["train", "test", "positive", "other"], range=["#d9d9d9", VERMILION, ORANGE, SKY])),
        tooltip=["lane", "kind", "start", "end"],
    ).properties(height=alt.Step(22), width="container",
                 title="k-fold cross-validation: test rows of each fold")


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
        tooltip=tips,
    ).properties(title=title, height=height or 30 * len(order) + 20, width="container")


def waterfall_chart(df: pd.DataFrame, title: str = "", height: int | None = None) -> alt.LayerChart:
    """A waterfall: bars from start to end for each step, in df's order, coloured by kind
    ("base", "pushes up", "pushes down", "output"), with each contribution written beside its bar.

    df: columns step, start, end, contribution, kind, order."""
    base = alt.Chart(df).encode(y=alt.Y("step:N", sort=alt.EncodingSortField("order"), title=None))
    bars = base.mark_bar().encode(
        x=alt.X("start:Q", title="model output", scale=alt.Scale(zero=False)), x2="end:Q",
        color=alt.Color("kind:N", title=None, scale=alt.Scale(
            domain=["base", "pushes up", "pushes down", "output"], range=[SKY, VERMILION, BLUE, BLACK])),
        tooltip=["step", "contribution", "start", "end"],
    )
    labels = base.mark_text(align="left", dx=4).encode(
        x=alt.X("max_end:Q"), text=alt.Text("contribution:Q", format="+.3g"),
    ).transform_calculate(max_end="max(datum.start, datum.end)")
    return alt.layer(bars, labels).properties(title=title, height=height or 26 * len(df) + 20, width="container")


def ice_chart(ice: pd.DataFrame, average: pd.DataFrame, x: str, y_title: str = "prediction",
              title: str = "", height: int = HEIGHT) -> alt.LayerChart:
    """Partial dependence with ICE: one thin line per row (ice: columns x, line, prediction) under
    the thick average curve (average: columns x, average)."""
    lines = alt.Chart(ice).mark_line(strokeWidth=1, opacity=0.25, color=SKY).encode(
        x=alt.X(f"{x}:Q", title=x), y=alt.Y("prediction:Q", title=y_title), detail="line:N")
    avg = alt.Chart(average).mark_line(strokeWidth=4, color=VERMILION, point=True).encode(
        x=f"{x}:Q", y="average:Q", tooltip=[x, "average"])
    return alt.layer(lines, avg).properties(title=title, height=height, width="container")


# --- Imbalanced data: resampled points over a decision boundary ----------------------------------

def marked_points_layer(points: pd.DataFrame) -> alt.Chart:
    """An overlay for boundary_chart(extra=...): points whose "marker" column is "synthetic" (made by
    an over-sampler such as SMOTE, green diamonds) or "removed" (dropped by an under-sampler or a
    cleaning step, black crosses drawn over the original dot). points: columns x1, x2, label, marker."""
    shown = points[points["marker"].isin(["synthetic", "removed"])]
    return alt.Chart(shown).mark_point(filled=True, size=70, strokeWidth=1.5).encode(
        x="x1:Q", y="x2:Q",
        shape=alt.Shape("marker:N", title="resampling", scale=alt.Scale(
            domain=["synthetic", "removed"], range=["diamond", "cross"])),
        color=alt.Color("marker:N", title="resampling", scale=alt.Scale(
            domain=["synthetic", "removed"], range=[GREEN, BLACK])),
        tooltip=["x1", "x2", "label", "marker"],
    )
