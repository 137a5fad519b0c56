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
