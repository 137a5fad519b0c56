"""The threshold dashboard shared by the Evaluation cockpit and the Imbalanced-data lab: confusion
matrix, ROC and precision-recall operating points, metrics vs threshold.

Charts are built once per fitted model (charts.threshold_specs, inside the pages' cached fits) and hold
their threshold datasets (the confusion cells, two operating points, the rule) at every threshold of the
slider: in the browser they follow the slider as it moves, with no round trip and no re-embedding
(components/ui/scrub.py); the server's run then updates the page's numbers.
"""
from __future__ import annotations

from components import evaluation as ev
from components.ui import show


def snap(threshold: float) -> float:
    """The slider's value on its 0.01 grid: a browser stepping by arrow keys can send 0.30000000000000004,
    which would count a score of exactly 0.3 as negative."""
    return round(round(float(threshold) / ev.THRESHOLD_STEP) * ev.THRESHOLD_STEP, 10)


def draw(specs: dict[str, dict], key: str, threshold: float) -> None:
    """Confusion matrix | ROC | precision-recall, then metrics vs threshold, at the slider ``key``'s
    ``threshold`` (charts.threshold_specs built with that key)."""
    c1, c2, c3 = show.columns([1.2, 1, 1])
    show.chart(specs["confusion"], target=c1, scrub=(key, threshold))
    show.chart(specs["roc"], target=c2, scrub=(key, threshold))
    show.chart(specs["pr"], target=c3, scrub=(key, threshold))
    show.chart(specs["sweep"], scrub=(key, threshold))
