"""The one way a page puts a chart on screen.

A chart reaches the page as a Vega-Lite dict that the lab's cached computation built (a charts
builder, then charts.to_spec, or a charts.*_spec function): a rerun with the same settings sends the
cached dict, no Altair. ``scrub`` ties a chart that holds every position of a slider to that slider,
so the browser redraws it as the slider moves, before the server's run (components/ui/scrub.py);
``moving`` swaps small named datasets into it after the server's run: the spec stays byte-identical,
so the browser updates the drawn chart in place instead of embedding it again.
"""
from __future__ import annotations

import streamlit as st

from components import charts
from components.ui import scrub as scrub_ui

PRESENTER_KEY = "app.presenter"  # components.ui.common.PRESENTER_KEY (common imports this module)


def chart(spec: dict, *, target=None, moving: dict[str, list[dict]] | None = None,
          scrub: tuple[str, float] | list[tuple[str, float]] | None = None) -> None:
    """Draw ``spec`` in ``target`` (a column or container; default: the page); in presenter mode with
    the projector's type sizes (charts.PRESENTER_CONFIG). ``scrub``: (slider key, its value) for a chart
    built by charts.scrubbable, which follows that slider in the browser (components/ui/scrub.py); a list
    of them for a chart that follows several sliders."""
    for key, value in ([scrub] if isinstance(scrub, tuple) else scrub or []):
        spec = scrub_ui.with_position(spec, key, value)
    if moving:
        spec = charts.with_datasets(spec, moving)
    if st.session_state.get(PRESENTER_KEY, False):
        spec = charts.for_presenter(spec)
    (target or st).vega_lite_chart(spec=spec)


def columns(spec) -> list:
    """Columns for a row of charts (st.columns' spec: a count or relative widths). In presenter mode each
    chart gets its own full-width row instead: at 1280 px a third of the page is a 330 px chart, unreadable
    from the back of a room, and the main chart of a panel should span at least half the screen."""
    if st.session_state.get(PRESENTER_KEY, False):
        count = spec if isinstance(spec, int) else len(spec)
        return [st.container() for _ in range(count)]
    return st.columns(spec)
