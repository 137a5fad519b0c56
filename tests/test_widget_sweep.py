"""Generic reliability sweep: every page, every keyed widget, its extremes and every option.

Pages are discovered from the catalogue and widgets from what each page draws, so a new page is
covered without new test code. Each widget is moved on its own and then put back.
"""
from __future__ import annotations

import pytest

from tests.apptest_utils import ALL_PAGES, open_page, problems, widgets

HOSTILE_TEXT = "'; DROP TABLE x; -- <script>alert(1)</script> ∑≠ " + "x" * 300


def candidate_values(kind: str, w) -> list:
    if kind in ("slider", "select_slider"):
        if kind == "select_slider":
            opts = list(w.options)
            lo, hi = opts[0], opts[-1]
        else:
            lo, hi = w.min, w.max
        if isinstance(w.value, (tuple, list)):
            return [(lo, lo), (lo, hi), (hi, hi)]
        return [lo, hi]
    if kind in ("selectbox", "radio"):
        return list(w.options)
    if kind == "multiselect":
        return [[], list(w.options)]
    if kind == "button_group":
        return list(w.options)
    if kind == "number_input":
        lo = w.min if w.min is not None else None
        hi = w.max if w.max is not None else None
        return [v for v in (lo, hi) if v is not None]
    if kind in ("toggle", "checkbox"):
        return [not w.value]
    if kind in ("text_input", "text_area"):
        return ["", HOSTILE_TEXT]
    return []


def set_widget(at, kind: str, key: str, value) -> None:
    w = getattr(at, kind)(key=key)
    if kind == "selectbox" and isinstance(value, str) and value in list(w.options):
        w.select_index(list(w.options).index(value))
    elif kind == "select_slider" and isinstance(value, str):
        w.set_value(value)
    elif kind == "button_group":
        w.set_value([value] if isinstance(w.value, list) else value)
    else:
        w.set_value(value)


def sweep_widget(at, key: str, kind: str, seen: set, failures: list, depth: int = 0) -> None:
    """Move one widget through its values; widgets a choice reveals (another model's controls,
    another view) are swept too, once each, while that choice is on screen."""
    original = widgets(at)[key][1].value
    for value in candidate_values(kind, widgets(at)[key][1]):
        if key not in widgets(at) or widgets(at)[key][1].proto.disabled:
            break  # a previous value hid or disabled it
        set_widget(at, kind, key, value)
        at.run()
        found = problems(at)
        if found:
            failures.append(f"{key}={value!r}: {found[0][:300]}")
            continue
        if depth == 0 and kind in ("selectbox", "radio", "button_group"):
            for new_key, (new_kind, _) in widgets(at).items():
                if new_key not in seen:
                    seen.add(new_key)
                    sweep_widget(at, new_key, new_kind, seen, failures, depth + 1)
    if key in widgets(at) and not widgets(at)[key][1].proto.disabled:
        getattr(at, kind)(key=key).set_value(original)
        at.run()


@pytest.mark.slow
@pytest.mark.parametrize("path", ALL_PAGES)
def test_every_widget_to_extremes(path):
    at = open_page(path)
    assert not problems(at), problems(at)
    failures: list[str] = []
    seen = set(widgets(at))
    for key, (kind, _) in list(widgets(at).items()):
        if key in widgets(at):
            sweep_widget(at, key, kind, seen, failures)
    assert not failures, "\n".join(failures)
