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


# A link that shows each scrubbing control (the default state may hide or disable it).
SCRUB_STATES = {"fair.threshold_a": {"fair.threshold_mode": "one per group"},
                "fair.threshold_b": {"fair.threshold_mode": "one per group"},
                "overfit.alpha": {"overfit.view": "Regularisation path", "overfit.penalty": "ridge (L2)"},
                "ensembles.ada_n": {"ensembles.view": "Boosting"}, "ensembles.round": {"ensembles.view": "Boosting"}}
SCRUB_SLIDERS = [(p.path, key) for p in catalog.PAGES for key in p.scrub_keys]


@pytest.mark.parametrize("path, key", SCRUB_SLIDERS)
def test_a_scrubbing_control_moves_its_charts_in_the_browser(path, key):
    """Every scrubbing control (PageSpec.scrub_keys: a slider or a radio group) feeds at least one chart that
    follows it in the browser (charts.scrubbable, components/ui/scrub.py), starting at its value."""
    import json

    from components import charts
    from tests.apptest_utils import open_page

    at = open_page(path, SCRUB_STATES.get(key))
    controls = [w for kind in (at.slider, at.select_slider, at.radio) for w in kind if w.key == key]
    assert controls, f"{key} is a slider or a radio group on {path} (the browser follows no other control)"
    param = charts.scrub_param(key)
    starts = [p["value"] for c in at.get("vega_lite_chart") for p in json.loads(c.proto.spec).get("params", [])
              if p["name"] == param]
    assert starts, f"no chart follows {key}"
    control = controls[0]
    # a select slider's input element holds the option's index, a radio group's position is the checked
    # option's index: their charts' positions are indices
    value = control.value if control in at.slider else list(control.options).index(str(control.value))
    assert all(v == value for v in starts), (starts, value)
