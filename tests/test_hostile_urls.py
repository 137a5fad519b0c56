"""Hostile link values: every kind of bad value for every keyed control gives the default or the nearest
valid value with a visible note, never a traceback, and never renders markup from the URL.

Each page is opened once per kind of bad value with that value on every one of its keys at once (a key
per control of the page's default state), so the sweep stays fast; the controls layer
(components/ui/controls.py) must then show a note for each key it corrected."""
from __future__ import annotations

import re

import pytest

from components.ui import controls
from tests.apptest_utils import ALL_PAGES, open_page, problems, widgets

HOSTILE = {
    "not a number": "abc",
    "out of range": "-1e9",
    "nan": "nan",
    "inf": "inf",
    "huge": "1e400",
    "unknown option": "no-such-option",
    "empty": "",
    "very long": "9" * 10_000,
    "markup": "<img src=x onerror=alert(1)>![x](http://example.invalid/x.png)",
}


def test_escape_leaves_no_markdown_or_html_active():
    text = controls.escape("<b>x</b> ![i](http://e/x.png) [l](http://e) *a* _b_ `c` $d$")
    for raw in ("<b>", "![", "](", "*a*", "_b_", "`c`", "$d$"):
        assert raw not in text


def draws_its_controls_through_the_layer(path: str) -> bool:
    from tests.apptest_utils import ROOT
    return "controls.bound(" in (ROOT / path).read_text() or path == "views/home.py"


@pytest.mark.parametrize("path", [p for p in ALL_PAGES if draws_its_controls_through_the_layer(p)])
def test_every_kind_of_bad_link_value_on_every_key(path):
    keys = [k for k, (kind, w) in widgets(open_page(path)).items()
            if kind not in ("text_input", "text_area") and not w.proto.disabled]
    for name, value in HOSTILE.items():
        at = open_page(path, {k: value for k in keys})
        assert not problems(at), f"{name}: {problems(at)[:2]}"
        for text in (str(m.value) for m in list(at.markdown) + list(at.caption)):
            assert not re.search(r"(?<!\\)<img|(?<!\\)!\[x\]\(", text), (name, text[:200])
        for key, (kind, w) in widgets(at).items():
            if key in keys and (kind, value) != ("multiselect", ""):
                assert key not in at.query_params or at.query_params[key] != value or kind == "text_input", (name, key)
