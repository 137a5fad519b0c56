"""chart_cache: a rerun with unchanged inputs must not rebuild the chart; new inputs must."""
from streamlit.testing.v1 import AppTest

SCRIPT = '''
import pandas as pd
import streamlit as st
from components import charts
from components.ui import chart_cache

calls = st.session_state.setdefault("calls", [])

def counted_bar(df, title):
    calls.append(title)
    return charts.bar_chart(df, "v", "k", title=title)

n = st.slider("rows", 1, 5, 2, key="n")
chart_cache.draw(counted_bar, pd.DataFrame({"v": [float(i) for i in range(n)], "k": [f"k{i}" for i in range(n)]}),
                 "bars")
'''


def test_same_inputs_reuse_the_spec_new_inputs_rebuild_it():
    at = AppTest.from_string(SCRIPT).run()
    assert not at.exception
    at.run()
    assert at.session_state["calls"] == ["bars"]  # second run: cache hit
    at.slider(key="n").set_value(4).run()
    assert at.session_state["calls"] == ["bars", "bars"]  # the data changed: rebuilt
    import json
    spec = json.loads(at.get("vega_lite_chart")[0].proto.spec)
    assert spec["title"] == "bars" and spec["mark"]["type"] == "bar"


def test_lambdas_are_refused():
    import pytest

    from components.ui import chart_cache
    with pytest.raises(ValueError):
        chart_cache.spec(lambda: None)
