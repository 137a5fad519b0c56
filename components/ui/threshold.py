"""The threshold dashboard shared by the Evaluation cockpit and the Imbalanced-data lab: confusion
matrix, ROC and precision-recall operating points, metrics vs threshold.

Charts are built once per fitted model (build_specs, called inside the pages' cached fits) with the
threshold as a Vega-Lite parameter; draw() only swaps that parameter's value, so a threshold move
costs no refit and no chart rebuild.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from components import charts
from components import evaluation as ev


def build_specs(y_test: np.ndarray, scores: np.ndarray, positive: str, roc: pd.DataFrame, auc: float,
                pr: pd.DataFrame, ap: float, sweep: pd.DataFrame) -> dict[str, dict]:
    """Vega-Lite specs of the four threshold-driven charts (tests/test_charts.py validates them)."""
    t = ev.THRESHOLD_DEFAULT
    frame = pd.DataFrame({"actual": y_test, "score": scores})
    return {
        "confusion": charts.confusion_matrix_spec(frame, positive, t),
        "roc": charts.roc_spec(roc, auc, t),
        "pr": charts.pr_spec(pr, ap, float(np.mean(y_test)), t),
        "sweep": charts.threshold_metrics_spec(sweep, t, height=220),
    }


def snap(threshold: float) -> float:
    """The slider's value on its 0.01 grid: a browser stepping by arrow keys can send 0.30000000000000004,
    which would count a score of exactly 0.3 as negative."""
    return round(round(float(threshold) / ev.THRESHOLD_STEP) * ev.THRESHOLD_STEP, 10)


def draw(specs: dict[str, dict], threshold: float) -> None:
    """Confusion matrix | ROC | precision-recall, then metrics vs threshold, at the threshold."""
    moved = {name: charts.set_param(spec, charts.THRESHOLD_PARAM, threshold) for name, spec in specs.items()
             if name in ("confusion", "roc", "pr", "sweep")}
    c1, c2, c3 = st.columns([1.2, 1, 1])
    c1.vega_lite_chart(spec=moved["confusion"])
    c2.vega_lite_chart(spec=moved["roc"])
    c3.vega_lite_chart(spec=moved["pr"])
    st.vega_lite_chart(spec=moved["sweep"])
