"""The threshold dashboard shared by the Evaluation cockpit and the Imbalanced-data lab: confusion
matrix, ROC and precision-recall operating points, metrics vs threshold.

Charts are built once per fitted model (charts.threshold_specs, inside the pages' cached fits). Their
specs never depend on the threshold: a move recomputes four tiny datasets (the confusion cells, two
operating points, the rule) and swaps them in, so the browser updates the drawn charts in place
instead of embedding them again (components/charts/evaluation.py).
"""
from __future__ import annotations

from components import evaluation as ev
from components.ui import show


def snap(threshold: float) -> float:
    """The slider's value on its 0.01 grid: a browser stepping by arrow keys can send 0.30000000000000004,
    which would count a score of exactly 0.3 as negative."""
    return round(round(float(threshold) / ev.THRESHOLD_STEP) * ev.THRESHOLD_STEP, 10)


def draw(specs: dict[str, dict], frames: dict[str, list[dict]]) -> None:
    """Confusion matrix | ROC | precision-recall, then metrics vs threshold, with the threshold's
    datasets (components.evaluation.threshold_frames) swapped into the cached specs."""
    c1, c2, c3 = show.columns([1.2, 1, 1])
    show.chart(specs["confusion"], target=c1, moving=frames)
    show.chart(specs["roc"], target=c2, moving=frames)
    show.chart(specs["pr"], target=c3, moving=frames)
    show.chart(specs["sweep"], moving=frames)
