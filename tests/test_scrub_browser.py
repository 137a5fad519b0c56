"""Scrubbing in real Chromium (components/ui/scrub.py): the threshold charts follow the slider in the
browser without being embedded again, and what they draw agrees with the numbers the server computes
for the same threshold, also after a chart is embedded again (a resize) in the middle of a session."""
from __future__ import annotations

import pytest

from components import charts
from components import evaluation as ev
from components import imbalanced as im
from tests.browser_utils import chromium_page, settle, skip_module_without_browser, streamlit_server

pytestmark = pytest.mark.browser

skip_module_without_browser()

# The counts the confusion matrix draws (its cell names and bold counts, in drawing order), the
# metrics the server wrote, the slider's value and the hidden inputs the charts follow.
STATE = """([key, param]) => {
  const box = document.querySelector('.st-key-' + key.replace(/[^A-Za-z0-9_-]/g, '-'));
  const chart = Array.from(document.querySelectorAll('[data-testid="stVegaLiteChart"]'))
    .find(c => Array.from(c.querySelectorAll('text')).some(t => t.textContent.startsWith('Confusion matrix')));
  const texts = Array.from(chart.querySelectorAll('g.mark-text text')).map(t => t.textContent);
  const names = texts.filter(t => ['TN', 'FP', 'FN', 'TP'].includes(t));
  const counts = texts.filter(t => /^[0-9]+$/.test(t)).map(Number);
  const metrics = {};
  for (const m of document.querySelectorAll('[data-testid="stMetric"]')) {
    metrics[m.querySelector('[data-testid="stMetricLabel"]').innerText.trim()] =
      m.querySelector('[data-testid="stMetricValue"]').innerText.trim();
  }
  return {slider: box.querySelector('input[type="range"]').value, names, counts, metrics,
          hidden: Array.from(document.querySelectorAll(`input[name="${param}"]`)).map(e => e.value),
          embeds: Array.from(document.querySelectorAll('.vega-embed')).map(e => e.__scrubTag ?? null)};
}"""
TAG = "() => document.querySelectorAll('.vega-embed').forEach((e, i) => { e.__scrubTag = i; })"


@pytest.fixture(scope="module")
def server():
    with streamlit_server() as base:
        yield base


def state(page, key: str) -> dict:
    return page.evaluate(STATE, [key, charts.scrub_param(key)])


def cells(s: dict) -> dict[str, int]:
    assert len(s["names"]) == len(s["counts"]) == 4, s
    return dict(zip(s["names"], s["counts"]))


def assert_drawn_matches_server(s: dict, recall_label: str, precision_label: str) -> None:
    c = cells(s)
    tp, fp, fn, tn = c["TP"], c["FP"], c["FN"], c["TN"]
    assert s["metrics"][recall_label] == f"{tp / (tp + fn):.3f}", (s, c)
    assert s["metrics"][precision_label] == f"{(tp / (tp + fp) if tp + fp else 0.0):.3f}", (s, c)
    assert s["metrics"]["accuracy" if "accuracy" in s["metrics"] else "Model accuracy"] == \
        f"{(tp + tn) / (tp + fp + fn + tn):.3f}", (s, c)


# imbalanced: its default model predicts no minority row above ~0.2 (the accuracy paradox), so it starts low
@pytest.mark.parametrize("url_path, key, start_at, press, recall, precision", [
    ("cockpit", ev.THRESHOLD_KEY, 0.5, "ArrowRight", "recall", "precision"),
    ("imbalanced", im.THRESHOLD_KEY, 0.15, "ArrowLeft", "Recall (minority)", "Precision"),
])
def test_threshold_charts_follow_the_slider_in_place_and_agree_with_the_server(server, url_path, key, start_at, press,
                                                                               recall, precision):
    with chromium_page(1280, 900) as page:
        page.goto(f"{server}/{url_path}?{key}={start_at}")
        settle(page)
        page.wait_for_timeout(800)
        start = state(page, key)
        assert start["hidden"] and set(start["hidden"]) == {start["slider"]}, start
        assert_drawn_matches_server(start, recall, precision)
        page.evaluate(TAG)
        slider = page.locator(f".st-key-{key.replace('.', '-')} input[type='range']")
        slider.focus()
        for _ in range(9):  # faster than the server's runs: the charts must keep up on their own
            page.keyboard.press(press)
            page.wait_for_timeout(40)
        page.wait_for_timeout(150)
        moving = state(page, key)
        assert set(moving["hidden"]) == {moving["slider"]}, moving
        assert cells(moving) != cells(start), "the confusion matrix did not follow the slider"
        settle(page)
        page.wait_for_timeout(500)
        after = state(page, key)
        step = 0.01 if press == "ArrowRight" else -0.01
        assert round(float(after["slider"]), 2) == round(start_at + 9 * step, 2), after
        assert None not in after["embeds"], "a chart was embedded again while the slider moved"
        assert_drawn_matches_server(after, recall, precision)
        assert f"{key}={after['slider']}" in page.url
        # a new width embeds the charts again: they must start at the slider's value, not the spec's
        page.set_viewport_size({"width": 1000, "height": 900})
        page.wait_for_timeout(1500)
        resized = state(page, key)
        assert set(resized["hidden"]) == {after["slider"]}, resized
        assert cells(resized) == cells(after), (resized, after)
