"""Draw an Altair chart once per input, then replay it: a rerun with the same data costs no Altair.

Pages call ``draw(charts.some_chart, df, ..., target=column)`` instead of
``column.altair_chart(charts.some_chart(df, ...))``. The builder runs and the chart is converted
(charts.to_spec) only when its arguments change; otherwise the cached Vega-Lite dict is sent as is.
Measured on the Scaling lab: building and converting its charts was about 70 % of a rerun.
"""
from __future__ import annotations

from typing import Any, Callable

import streamlit as st

from components import charts
from components.ui import show

MAX_SPECS = 512  # bounded: a spec holds its data (a boundary grid is about 100 kB of Arrow)


@st.cache_data(max_entries=MAX_SPECS, show_spinner=False)
def _spec(builder_id: str, _builder: Callable[..., Any], args: tuple, kwargs: dict) -> dict:
    # builder_id stands in for the (unhashable) function in the cache key
    return charts.to_spec(_builder(*args, **kwargs))


def spec(builder: Callable[..., Any], *args, **kwargs) -> dict:
    """The cached Vega-Lite dict of ``builder(*args, **kwargs)`` (arguments must be hashable by
    st.cache_data: DataFrames, numbers, strings, tuples; not charts)."""
    # the file, not just the module: page scripts all run as __main__
    code = getattr(builder, "__code__", None)
    builder_id = f"{code.co_filename if code else builder.__module__}:{builder.__qualname__}"
    if "<" in builder.__qualname__:  # lambdas and local functions would share a name in the cache key
        raise ValueError(f"chart builders must be module-level functions, got {builder_id}")
    return _spec(builder_id, builder, args, kwargs)


def draw(builder: Callable[..., Any], *args, target=None, **kwargs) -> None:
    """Draw ``builder(*args, **kwargs)`` in ``target`` (a column or container; default: the page)."""
    show.chart(spec(builder, *args, **kwargs), target=target)
