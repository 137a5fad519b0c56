"""The one way a page puts a chart on screen.

A chart reaches the page as a Vega-Lite dict that the lab's cached computation built (a charts
builder, then charts.to_spec, or a charts.*_spec function): a rerun with the same settings sends the
cached dict, no Altair. ``moving`` swaps small named datasets into it for scrubbing controls (a
threshold, a round, a row): the spec stays byte-identical, so the browser updates the drawn chart in
place instead of embedding it again.
"""
from __future__ import annotations

import streamlit as st

from components import charts


def chart(spec: dict, *, target=None, moving: dict[str, list[dict]] | None = None) -> None:
    """Draw ``spec`` in ``target`` (a column or container; default: the page)."""
    (target or st).vega_lite_chart(spec=charts.with_datasets(spec, moving) if moving else spec)
