"""URL-bound widgets that survive any link: ``controls.bound(c1.slider, "Label", 0, 10, 5, key=...)``.

Every control of the app is drawn through ``bound``: it binds the widget to the URL
(``bind="query-params"``) and first checks the link's value for it. Streamlit seeds a bound widget
from the URL before any page code runs and drops most values it cannot use, silently; a few it
cannot parse raise inside Streamlit (``app.seed=inf``: OverflowError), and an empty value for a
segmented control reaches the page as None. Here a value the widget cannot take is replaced before
the widget reads it: by the nearest valid value where there is one (a number out of range or off
the slider's steps), otherwise by the widget's default. The visitor sees a short note under the
control saying what the link asked for and what is shown; the note escapes the link's text, so
markup in a URL is shown as text and never rendered.
"""
from __future__ import annotations

import inspect
import math
from contextlib import contextmanager
from typing import Any, Callable

import streamlit as st

MAX_SHOWN = 40  # characters of a rejected value repeated in the note
MAX_URL_VALUE = 500  # longer values are never a valid choice or number

_CHOICES = ("selectbox", "radio", "segmented_control", "pills", "select_slider")
_NUMBERS = ("slider", "number_input")
_FLAGS = ("toggle", "checkbox")
_MARKDOWN_SPECIAL = "\\`*_{}[]<>()#+-.!|~$:"


def escape(text: str) -> str:
    """Plain text for a Markdown caption: every character Markdown or HTML could act on is escaped."""
    return "".join("\\" + c if c in _MARKDOWN_SPECIAL else c for c in text.replace("\n", " "))


def _arguments(widget: Callable, label: str, args: tuple, kwargs: dict) -> dict:
    signature = inspect.signature(getattr(st, widget.__name__))
    bound = signature.bind_partial(label, *args, **kwargs)
    return dict(bound.arguments)


def _formatted(options, format_func: Callable | None) -> list[str]:
    return [str((format_func or str)(o)) for o in options]


def _number_fix(raw: str, a: dict) -> tuple[str | None, str]:
    """The value a number widget should read instead of raw (None: its default), and why."""
    try:
        value = float(raw)
    except ValueError:
        return None, "is not a number"
    if not math.isfinite(value):
        return None, "is not a finite number"
    lo, hi, step = a.get("min_value"), a.get("max_value"), a.get("step")
    value_is_int = all(isinstance(x, int) and not isinstance(x, bool)
                       for x in (lo, hi, a.get("value"), step) if x is not None)
    fixed = value
    if lo is not None and fixed < lo:
        fixed = lo
    if hi is not None and fixed > hi:
        fixed = hi
    if step and lo is not None:
        fixed = lo + round((fixed - lo) / step) * step
        fixed = min(fixed, hi) if hi is not None else fixed
    if value_is_int:
        fixed = int(round(fixed))
    else:
        fixed = round(fixed, 10)
    if fixed == value:
        return raw, ""
    return (str(fixed), "is outside the control's range" if (lo is not None and value < lo) or
            (hi is not None and value > hi) else "is not on the control's steps")


def _check(kind: str, raw: list[str], a: dict) -> tuple[list[str] | None, str]:
    """(values the widget should read, or None to drop the parameter; why) for a link's values."""
    if kind != "multiselect" and len(raw) > 1:
        raw = raw[:1]
        why = "appears more than once"
    else:
        why = ""
    if kind in ("text_input", "text_area"):
        limit = a.get("max_chars") or MAX_URL_VALUE
        return ([raw[0][:limit]], "is too long") if len(raw[0]) > limit else (raw, why)
    if any(len(v) > MAX_URL_VALUE for v in raw):
        return None, "is too long"
    if kind == "multiselect":
        allowed = set(_formatted(a.get("options", ()), a.get("format_func")))
        kept = [v for v in raw if v in allowed or v == ""]
        return (kept, why) if kept == raw else (kept or None, "names options the control does not have")
    value = raw[0]
    if value == "":
        return None, "is empty"
    if kind in _NUMBERS:
        if kind == "slider" and isinstance(a.get("value"), (tuple, list)):
            return raw, why  # a range slider: Streamlit checks its pair
        fixed, reason = _number_fix(value, a)
        return ([fixed] if fixed is not None else None), (reason or why)
    if kind in _CHOICES:
        allowed = _formatted(a.get("options", ()), a.get("format_func"))
        return (raw, why) if value in allowed else (None, "is not one of the options")
    if kind in _FLAGS:
        return (raw, why) if value.lower() in ("true", "false") else (None, "is not true or false")
    return raw, why


@contextmanager
def _link_params():
    """Streamlit's query-parameter state for this session. A bound widget seeds itself from the values
    the page was opened with (its "initial" query parameters), not from st.query_params, so a fix must
    reach those; there is no public API for it, so this uses the pinned Streamlit's internals
    (tests/test_hostile_urls.py fails if they change)."""
    from streamlit.runtime.state.session_state_proxy import get_session_state

    with get_session_state().query_params() as qp:
        yield qp


def _fix_link_value(key: str, kind: str, label: str, args: tuple, kwargs: dict, widget: Callable) -> str:
    """Replace the link's value for ``key`` if the widget cannot take it; the note to show (or "")."""
    with _link_params() as qp:
        raw = qp._initial_query_params.get(key)
        if not raw:
            return ""
        fixed, why = _check(kind, list(raw), _arguments(widget, label, args, kwargs))
        if fixed == list(raw):
            return ""
        if fixed is None:
            qp._initial_query_params.pop(key, None)
            qp.remove_param(key)
        else:
            qp._initial_query_params[key] = fixed
            qp._set_item_internal(key, fixed if len(fixed) > 1 else fixed[0])
            qp._send_query_param_msg()
    shown = escape(raw[0][:MAX_SHOWN]) + ("…" if len(raw[0]) > MAX_SHOWN else "")
    return f"The link's value for *{escape(label)}* (“{shown}”) {why}"


def _keep_in_range(key: str, a: dict) -> None:
    """A number control whose range follows the data (the images there are to show) keeps a value the
    new range holds: the session's value is moved to the nearest end before the widget reads it."""
    value, lo, hi = st.session_state.get(key), a.get("min_value"), a.get("max_value")
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        return  # not set yet, or a range slider's pair
    if lo is not None and value < lo:
        st.session_state[key] = lo
    elif hi is not None and value > hi:
        st.session_state[key] = hi


NOTES_KEY = "_controls.link_notes"  # key -> (note, value shown): a note stays until the control moves


def bound(widget: Callable, label: str, *args: Any, key: str, **kwargs: Any) -> Any:
    """Draw ``widget`` (``st.slider``, ``column.selectbox``, …) bound to the URL under ``key``, after
    replacing a link value it cannot take (see the module docstring). Returns the widget's value."""
    kind = widget.__name__
    note = _fix_link_value(key, kind, label, args, kwargs, widget)
    if kind in _NUMBERS:
        _keep_in_range(key, _arguments(widget, label, args, kwargs))
    value = widget(label, *args, key=key, bind="query-params", **kwargs)
    notes = st.session_state.setdefault(NOTES_KEY, {})
    if note:
        notes[key] = (note, value)
    if key in notes:
        note, shown = notes[key]
        if shown != value:
            del notes[key]
        else:
            where = getattr(widget, "__self__", None)
            (where if where is not None and hasattr(where, "caption") else st).caption(
                f":warning: {note}; showing {escape(str(value))[:MAX_SHOWN * 2]}.")
    return value
