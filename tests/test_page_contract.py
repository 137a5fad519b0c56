"""The page contract (README, "How it is built"), checked on every page script in views/:
no Streamlit cache in a view (cached compute lives in components/ behind components.memo), every
bound widget drawn through components/ui/controls.bound, every chart through components/ui/show.chart,
the footer's interview questions from the bank (one source), and no components module importing
streamlit."""
from __future__ import annotations

import re

import pytest

from components import catalog
from tests.apptest_utils import ROOT

VIEWS = ["views/home.py"] + [p.path for p in catalog.PAGES]
RULES = {
    "no st.cache_data / st.cache_resource in a view": re.compile(r"\bst\.cache_(data|resource)\b"),
    "widgets bound through controls.bound": re.compile(r"bind\s*=\s*\"query-params\""),
    "charts drawn through show.chart": re.compile(r"\.(vega_lite_chart|altair_chart)\(|chart_cache\."),
    "interview questions from the bank, not a list in the view": re.compile(r"^QUESTIONS\s*=|questions=\[", re.M),
}


@pytest.mark.parametrize("path", VIEWS)
def test_page_follows_the_contract(path):
    text = (ROOT / path).read_text()
    broken = [rule for rule, pattern in RULES.items() if pattern.search(text)]
    assert not broken, f"{path}: {broken}"


def test_components_never_import_streamlit():
    offenders = [str(f.relative_to(ROOT)) for f in (ROOT / "components").rglob("*.py")
                 if "ui" not in f.relative_to(ROOT / "components").parts
                 and re.search(r"^\s*(import|from)\s+streamlit\b", f.read_text(), re.M)]
    assert not offenders, offenders


# A link that shows each scrubbing slider (the default state may hide or disable it).
SCRUB_STATES = {"fair.threshold_a": {"fair.threshold_mode": "one per group"},
                "fair.threshold_b": {"fair.threshold_mode": "one per group"},
                "overfit.alpha": {"overfit.view": "Regularisation path", "overfit.penalty": "ridge (L2)"},
                "ensembles.ada_n": {"ensembles.view": "Boosting"}, "ensembles.round": {"ensembles.view": "Boosting"}}
SCRUB_SLIDERS = [(p.path, key) for p in catalog.PAGES for key in p.scrub_keys]


@pytest.mark.parametrize("path, key", SCRUB_SLIDERS)
def test_a_scrubbing_slider_moves_its_charts_in_the_browser(path, key):
    """Every scrubbing slider (PageSpec.scrub_keys) feeds at least one chart that follows it in the browser
    (charts.scrubbable, components/ui/scrub.py), starting at the slider's value. A scrubbing control that
    is not a slider swaps datasets after the server's run instead (show.chart's moving=)."""
    import json

    from components import charts
    from tests.apptest_utils import open_page

    at = open_page(path, SCRUB_STATES.get(key))
    sliders = [w for w in at.slider if w.key == key] + [w for w in at.select_slider if w.key == key]
    if not sliders:
        assert key in [w.key for w in at.selectbox], f"{key} is drawn on {path}"
        pytest.skip(f"{key} is a select box: it swaps datasets (moving=)")
    param = charts.scrub_param(key)
    starts = [p["value"] for c in at.get("vega_lite_chart") for p in json.loads(c.proto.spec).get("params", [])
              if p["name"] == param]
    assert starts, f"no chart follows {key}"
    slider = sliders[0]
    # a select slider's input element holds the option's index, so its charts' positions are indices
    value = slider.value if slider in at.slider else list(slider.options).index(str(slider.value))
    assert all(v == value for v in starts), (starts, value)
