"""Phones and projectors, measured in real Chromium on every page (issue: teach with it).

- 390x844 (a student's phone): no horizontal scroll of the page, every chart within the screen.
- 1280x720 and 1920x1080 in presenter mode: no horizontal scroll, the sidebar collapsed, chart axis
  labels and facet headers at least 18 px and titles at least 22 px (the charts' own Vega-Lite config),
  and the widest chart at least half the screen wide.

Each test prints what it measured per page (run with -s to see it): the numbers for the closing note.
"""
from __future__ import annotations

import pytest

from components import catalog
from tests.browser_utils import chromium_page, settle, skip_module_without_browser, streamlit_server

pytestmark = pytest.mark.browser

skip_module_without_browser()

PATHS = [""] + [p.url_path for p in catalog.PAGES]

MEASURE = """() => {
  const main = document.querySelector('[data-testid="stMain"]');
  const sidebar = document.querySelector('[data-testid="stSidebar"]');
  const px = (root, sel) => Array.from(root.querySelectorAll(sel)).map(t => parseFloat(getComputedStyle(t).fontSize));
  const charts = Array.from(document.querySelectorAll('[data-testid="stVegaLiteChart"]')).map(c => {
    const r = c.getBoundingClientRect();
    // a facet's panel captions and row/column headers are labels (>= 18 px); a title heads the whole chart
    const inPanel = t => t.closest('.role-scope, [class*="header"]') !== null;
    const titles = Array.from(c.querySelectorAll('.role-title-text text'));
    const headers = Array.from(c.querySelectorAll('[class*="header"] text')).concat(titles.filter(inPanel));
    const size = t => parseFloat(getComputedStyle(t).fontSize);
    return {width: r.width, right: r.right, axis: px(c, '.role-axis-label text').concat(headers.map(size)),
            title: titles.filter(t => !inPanel(t)).map(size)};
  });
  return {viewport: window.innerWidth, page: document.documentElement.scrollWidth,
          main: main ? main.scrollWidth - main.clientWidth : 0,
          sidebar: sidebar ? sidebar.getBoundingClientRect().width : 0, charts};
}"""


def measure(page, base: str, url_path: str, query: str) -> dict:
    page.goto(f"{base}/{url_path}{query}")
    settle(page)
    page.wait_for_timeout(800)  # charts finish their first draw
    return page.evaluate(MEASURE)


def overflow(m: dict) -> list[str]:
    out = []
    if m["page"] > m["viewport"] + 1 or m["main"] > 1:
        out.append(f"horizontal scroll ({m['page']} px page, {m['main']} px main overflow)")
    out += [f"chart ends at {c['right']:.0f} px" for c in m["charts"] if c["right"] > m["viewport"] + 1]
    return out


@pytest.fixture(scope="module")
def server():
    with streamlit_server() as base:
        yield base


def test_every_page_fits_a_phone(server):
    problems = {}
    with chromium_page(390, 844) as page:
        for url_path in PATHS:
            m = measure(page, server, url_path, "")
            print(f"390x844 {url_path or 'home'}: page {m['page']} px, widest chart "
                  f"{max((c['right'] for c in m['charts']), default=0):.0f} px right edge")
            found = overflow(m)
            if found:
                problems[url_path or "home"] = found
    assert not problems, problems


@pytest.mark.parametrize("width,height", [(1280, 720), (1920, 1080)])
def test_every_page_reads_from_the_back_of_the_room(server, width, height):
    problems = {}
    with chromium_page(width, height) as page:
        for url_path in PATHS:
            m = measure(page, server, url_path, "?app.presenter=true")
            found = overflow(m)
            if m["sidebar"] > 1:
                found.append(f"sidebar open ({m['sidebar']:.0f} px)")
            axis = [s for c in m["charts"] for s in c["axis"]]
            titles = [s for c in m["charts"] for s in c["title"]]
            print(f"{width}x{height} {url_path or 'home'}: page {m['page']} px, sidebar {m['sidebar']:.0f} px, "
                  f"widest chart {max((c['width'] for c in m['charts']), default=0):.0f} px, smallest label "
                  f"{min(axis, default=0):.0f} px, smallest title {min(titles, default=0):.0f} px")
            if axis and min(axis) < 18:
                found.append(f"axis labels down to {min(axis):.0f} px")
            if titles and min(titles) < 22:
                found.append(f"chart titles down to {min(titles):.0f} px")
            if m["charts"] and max(c["width"] for c in m["charts"]) < width / 2:
                found.append(f"widest chart {max(c['width'] for c in m['charts']):.0f} px")
            if found:
                problems[url_path or "home"] = found
    assert not problems, problems
