"""Evaluation charts: confusion matrix, ROC, precision-recall, metrics vs threshold, folds."""
from __future__ import annotations

import copy
import functools

import altair as alt
import numpy as np
import pandas as pd

from components.charts.core import (
    BLACK,
    BLUE,
    HEIGHT,
    OKABE_ITO,
    ORANGE,
    SCRUB_COLUMN,
    SKY,
    VERMILION,
    _arrow_of,
    as_chart,
    scrubbable,
)
from components.evaluation import (
    THRESHOLD_DEFAULT,
    THRESHOLD_STEP,
    confusion_at,
    finite_thresholds,
    threshold_frames,
    threshold_frames_grid,
)


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
                    pr: pd.DataFrame, ap: float, sweep: pd.DataFrame, *, key: str | None = None,
                    lo: float = 0.0, hi: float = 1.0, step: float = THRESHOLD_STEP) -> dict[str, dict]:
    """The four threshold-driven charts of one fitted model (confusion, roc, pr, sweep). With ``key``
    (the threshold slider's widget key and its range) each holds its threshold datasets at every
    threshold of the slider and follows the slider in the browser (charts.scrubbable); without, they
    are drawn at the default threshold until a page swaps in the current one (with_datasets)."""
    at = threshold_frames(confusion_at(y_test, scores, THRESHOLD_DEFAULT), THRESHOLD_DEFAULT, positive, roc, pr)
    specs = {
        "confusion": confusion_matrix_spec(at["cells"], positive),
        "roc": roc_spec(roc, auc, at["roc_point"]),
        "pr": pr_spec(pr, ap, float(np.mean(y_test)), at["pr_point"]),
        "sweep": threshold_metrics_spec(sweep, at["at"], height=220),
    }
    if key is None:
        return specs
    grid = np.round(np.arange(lo, hi + step / 2, step), 10)
    stacked = threshold_frames_grid(y_test, scores, grid, positive, roc, pr, SCRUB_COLUMN)
    return {name: scrubbable(spec, key, stacked, lo, hi, step) for name, spec in specs.items()}


def folds_spec(runs: pd.DataFrame) -> dict:
    """Which rows each fold tests, from components.evaluation.fold_runs; a class strip on top."""
    lanes = ("class",) + tuple(sorted((lane for lane in runs["lane"].unique() if lane != "class"),
                                      key=lambda s: int(s.split()[-1])))
    return _spec("folds", (lanes,), {"runs": runs})


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
