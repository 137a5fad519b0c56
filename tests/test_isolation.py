"""Two visitors at once, in two browser contexts (separate cookies, separate sessions) on one server:
what one of them enters never appears in the other's session, also not through the shared caches.

PRIVATE_INPUTS lists what a visitor can enter that is theirs alone; each entry says how to enter it
with a marker word and how to find that word on screen. Pages that keep more of a visitor's input
(quiz progress, a STAR draft) add an entry here.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import pytest

from tests.browser_utils import CHROMIUM, CHROMIUM_ARGS, settle, skip_module_without_browser, streamlit_server

pytestmark = pytest.mark.browser

skip_module_without_browser()


@dataclass(frozen=True)
class PrivateInput:
    name: str
    path: str  # where the visitor enters it (path and query)
    enter: Callable  # (page, marker) -> None: enter the input carrying the marker word, wait until shown


def csv_with(marker: str) -> bytes:
    """A usable CSV whose target column and one class are named after the marker."""
    rows = "".join(f"{i},{i % 5},{marker if i % 2 else 'alpha'}\n" for i in range(60))
    return f"x,y,{marker}_target\n{rows}".encode()


def upload(page, marker: str) -> None:
    page.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files(
        files=[{"name": f"{marker}.csv", "mimeType": "text/csv", "buffer": csv_with(marker)}])
    settle(page)
    from playwright.sync_api import expect
    expect(page.locator("[data-testid='stMain']")).to_contain_text(f"(“{marker}”)", timeout=60_000)  # the caption


def star_draft(page, marker: str) -> None:
    """A STAR story's Situation, typed and committed (Ctrl+Enter), then kept as the visitor's draft."""
    box = page.locator(".st-key-star-situation textarea").first
    box.fill(f"At {marker} we had a churn model to ship in a week.")
    box.press("Control+Enter")
    settle(page)


PRIVATE_INPUTS = [
    PrivateInput("an uploaded CSV", "/cockpit?app.dataset=your+CSV", upload),
    PrivateInput("a STAR draft", "/star", star_draft),
]


def visible_text(page) -> str:
    """Everything on screen, with what text boxes hold (a typed value is not part of the page's HTML)."""
    typed = page.locator("textarea, input").evaluate_all("els => els.map(e => e.value).join(' ')")
    return page.locator("body").inner_text() + page.content() + typed


@pytest.mark.parametrize("item", PRIVATE_INPUTS, ids=lambda i: i.name)
def test_one_visitors_input_never_reaches_another_visitor(item):
    from playwright.sync_api import sync_playwright

    with streamlit_server() as base, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            ann, bob = (browser.new_context(viewport={"width": 1280, "height": 900}).new_page() for _ in range(2))
            for page in (ann, bob):
                page.goto(base + item.path)
                settle(page)
            item.enter(ann, "annsecret")
            bob.reload()  # a fresh session for Bob, with Ann's input in the server's caches
            settle(bob)
            assert "annsecret" not in visible_text(bob)
            item.enter(bob, "bobsecret")  # the same kind of input, cached beside Ann's
            assert "annsecret" not in visible_text(bob) and "bobsecret" in visible_text(bob)
            ann.locator("body").press("r")  # Streamlit's shortcut: rerun Ann's page
            settle(ann)
            assert "annsecret" in visible_text(ann) and "bobsecret" not in visible_text(ann)
        finally:
            browser.close()
