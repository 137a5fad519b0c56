"""Real Chromium: the Interview section's progress lives in the visitor's browser. It survives a reload
(a new server session) and another browser does not see it.

Skips with the reason where Chromium or Playwright is missing; CI sets ML_EXPLORER_REQUIRE_BROWSER=1
so that a missing browser fails instead.
"""
from __future__ import annotations

import pytest

from components.ui import progress_store
from tests.browser_utils import chromium_page, settle, skip_module_without_browser, streamlit_server

pytestmark = pytest.mark.browser

skip_module_without_browser()

RATED = "Questions rated (all time)"


def metric(page, label: str) -> str:
    box = page.locator("[data-testid='stMetric']").filter(has=page.get_by_text(label, exact=True)).first
    return box.locator("[data-testid='stMetricValue']").inner_text().strip()


def wait_for_metric(page, label: str, value: str, timeout: float = 30_000) -> None:
    """The stored progress arrives a moment after the first run (the browser answers, the page reruns)."""
    page.wait_for_function(
        """([label, value]) => [...document.querySelectorAll('[data-testid="stMetric"]')].some(m =>
             m.innerText.includes(label) && m.querySelector('[data-testid="stMetricValue"]').innerText.trim() === value)""",
        arg=[label, value], timeout=timeout)


def stored(page) -> str | None:
    return page.evaluate(f"() => window.localStorage.getItem({progress_store.STORAGE_KEY!r})")


def test_quiz_progress_survives_a_reload_and_stays_in_its_own_browser():
    with streamlit_server() as base:
        with chromium_page() as page:
            page.goto(base + "/quiz?quiz.mode=Flash+cards&quiz.seed=3")
            settle(page)
            assert metric(page, RATED) == "0"
            page.get_by_role("button", name="Reveal the model answer").click()
            settle(page)
            page.get_by_role("button", name="Not yet").click()
            settle(page)
            assert metric(page, RATED) == "1"
            page.wait_for_function(f"() => (window.localStorage.getItem({progress_store.STORAGE_KEY!r}) || '')"
                                   ".includes('not yet')", timeout=10_000)
            page.reload()
            settle(page)
            wait_for_metric(page, RATED, "1")  # a new session: the count came back from the browser
            # a STAR draft, typed and reloaded
            page.goto(base + "/star")
            settle(page)
            box = page.get_by_role("textbox", name="Situation", exact=True)
            box.fill("At a telecom company, churn was 4% a month.")
            box.blur()
            settle(page)
            page.reload()
            settle(page)
            page.wait_for_function("() => [...document.querySelectorAll('textarea')].some(t => "
                                   "t.value.includes('churn was 4% a month'))", timeout=30_000)
        with chromium_page() as other:  # another browser profile: another visitor
            other.goto(base + "/quiz?quiz.mode=Flash+cards&quiz.seed=3")
            settle(other)
            other.wait_for_timeout(1500)
            settle(other)
            assert metric(other, RATED) == "0"
            assert stored(other) is None or "not yet" not in stored(other)
            other.goto(base + "/star")
            settle(other)
            assert not other.evaluate("() => [...document.querySelectorAll('textarea')].some(t => t.value)")


def test_the_mock_interview_countdown_runs_in_the_browser_without_reruns():
    with streamlit_server() as base, chromium_page() as page:
        page.goto(base + "/mock-interview?mock.n=3&mock.seconds=60")
        settle(page)
        page.get_by_role("button", name="Start the interview").click()
        settle(page)
        page.wait_for_selector(".mlx-countdown", state="attached", timeout=30_000)  # a loaded machine draws it late
        left = "() => parseInt(getComputedStyle(document.querySelector('.mlx-countdown')).getPropertyValue('--mlx-left'))"
        page.evaluate("() => { document.querySelector('.mlx-countdown').dataset.mark = 'first'; }")
        before = page.evaluate(left)
        page.wait_for_timeout(3000)
        after = page.evaluate(left)
        assert 55 <= before <= 60 and 2 <= before - after <= 4, (before, after)
        # the same element kept counting: no rerun redrew it in between
        assert page.evaluate("() => document.querySelector('.mlx-countdown').dataset.mark") == "first"
