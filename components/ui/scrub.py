"""Scrubbing in the browser: a slider's charts follow it as it moves, with no server round trip.

A scrubbing chart (components.charts.scrubbable) holds every position's rows and shows those of a
Vega-Lite parameter named after the slider's key (charts.scrub_param). Streamlit's slider is a real
``<input type="range">`` (React Aria), its radio group real ``<input type="radio">`` elements; :data:`JS`
watches every slider's value and every radio group's checked index in the page and copies it into the
parameter's input element in every chart that follows that control, so the charts redraw in the same
frame as the thumb (about 10-20 ms), while Streamlit sends the value to the server as usual:
the URL, the page's numbers and its sentences come from the server's run, as for any control.

:func:`bridge` mounts that code once per browser tab (app.py). :func:`anchor` is the parameter's
starting value in the spec: the slider's value at the page's last full run, kept through the slider's
own fragment reruns so that the spec the server sends stays byte-identical and the browser never
re-embeds the chart while it is scrubbed. A chart embedded again for another reason (a resize) starts
at that value and the bridge sets it to the slider's at once.
"""
from __future__ import annotations

import streamlit as st
import streamlit.components.v2 as components_v2
from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

from components import charts

ANCHORS = "_scrub.anchors"  # session: widget key -> the parameter's value in the spec

# Trusted, fixed code (no visitor content reaches it). Names: charts.scrub_param, from the slider's
# st-key-* class (Streamlit writes the key with "." as "-"; both become "_" here and in Python).
JS = """
export default function() {
  if (window.__mlExplorerScrub) { return; }
  window.__mlExplorerScrub = true;
  const style = document.createElement('style');
  style.textContent = 'form.vega-bindings:has(input[name^="scrub__"]) { display: none !important; }';
  document.head.appendChild(style);
  const nameOf = (el) => {
    const box = el.closest('[class*="st-key-"]');
    if (!box) { return null; }
    const cls = Array.from(box.classList).find(c => c.startsWith('st-key-'));
    return 'scrub__' + cls.slice(7).replace(/[^A-Za-z0-9]/g, '_');
  };
  const set = (input, value) => {
    if (input.value !== value) { input.value = value; input.dispatchEvent(new Event('input')); }
  };
  const push = (name, value) => {
    for (const input of document.querySelectorAll(`form.vega-bindings input[name="${name}"]`)) { set(input, value); }
  };
  // a radio group's position is the selected option's index (React Aria marks it data-selected)
  const radioValue = (group) => {
    const options = Array.from(group.querySelectorAll('[data-testid="stRadioOption"]'));
    const marked = options.findIndex(o => o.hasAttribute('data-selected'));
    return String(marked >= 0 ? marked : options.findIndex(o => o.querySelector('input:checked')));
  };
  const current = (name) => {
    for (const slider of document.querySelectorAll('[data-testid="stSlider"] input[type="range"]')) {
      if (nameOf(slider) === name) { return slider.value; }
    }
    for (const group of document.querySelectorAll('[data-testid="stRadio"]')) {
      if (nameOf(group) === name) { return radioValue(group); }
    }
    return null;
  };
  new MutationObserver((mutations) => {
    for (const m of mutations) {
      if (m.type === 'attributes') {
        const el = m.target;
        const group = m.attributeName === 'data-selected' ? el.closest('[data-testid="stRadio"]') : null;
        if (group) {
          const name = nameOf(group);
          if (name) { push(name, radioValue(group)); }
        } else if (el.type === 'range' && el.closest('[data-testid="stSlider"]')) {
          const name = nameOf(el);
          if (name) { push(name, el.value); }
        }
        continue;
      }
      for (const node of m.addedNodes) {
        if (node.nodeType !== 1) { continue; }
        const found = node.matches('input[name^="scrub__"]') ? [node] : node.querySelectorAll('input[name^="scrub__"]');
        for (const input of found) {
          const value = current(input.name);
          if (value !== null) { set(input, value); }
        }
      }
    }
  }).observe(document.body, {subtree: true, childList: true, attributes: true, attributeFilter: ['value', 'data-selected']});
}
"""
_bridge = components_v2.component("ml_explorer_scrub_bridge", js=JS, isolate_styles=False)


def bridge() -> None:
    """Install the browser side once per tab (the code returns at once when it is already there)."""
    _bridge(key="app.scrub_bridge", data={"v": 1})


def _in_fragment_rerun() -> bool:
    ctx = get_script_run_ctx()
    return bool(ctx and ctx.fragment_ids_this_run)


def anchor(key: str, value: float) -> float:
    """The scrubbing parameter's value to write into the spec (see the module docstring)."""
    anchors = st.session_state.setdefault(ANCHORS, {})
    if key not in anchors or not _in_fragment_rerun():
        anchors[key] = value
    return anchors[key]


def with_position(spec: dict, key: str, value: float) -> dict:
    """``spec`` (charts.scrubbable) starting at the slider's position."""
    return charts.set_param(spec, charts.scrub_param(key), anchor(key, value))
