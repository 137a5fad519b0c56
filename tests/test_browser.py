"""Real Chromium: what only a browser shows (cold deep links, URL state, charts drawn, no error box).

Skips with the reason where Chromium or Playwright is missing; CI sets ML_EXPLORER_REQUIRE_BROWSER=1
so that a missing browser fails instead.
"""
from __future__ import annotations

import re
from urllib.parse import parse_qs, urlparse

import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import confusion_matrix
from sklearn.model_selection import train_test_split
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from components import catalog, datasets, home
from tests.browser_utils import chromium_page, settle, skip_module_without_browser, streamlit_server

pytestmark = pytest.mark.browser

skip_module_without_browser()


def error_boxes(page) -> int:
    return page.locator("[data-testid='stException'], [data-testid='stAlertContentError']").count()


def threshold_input(page):
    """Streamlit's slider is a visually hidden <input type=range> labelled with the widget's label."""
    return page.locator("input[type='range'][aria-label^='Decision threshold']")


def metric(page, label: str) -> str:
    box = page.locator("[data-testid='stMetric']").filter(has=page.get_by_text(label, exact=True)).first
    return box.locator("[data-testid='stMetricValue']").inner_text().strip()


def expected(model, seed, threshold):
    """Metrics and confusion counts computed here with scikit-learn, independently of the app."""
    d = datasets.load("churn")  # the cockpit's own pick, "churned" positive
    y = (d.y.to_numpy() == 1).astype(int)
    X_tr, X_te, y_tr, y_te = train_test_split(d.X, y, test_size=0.25, random_state=seed, stratify=y)
    s = model.fit(X_tr, y_tr).predict_proba(X_te)[:, 1]
    (tn, fp), (fn, tp) = confusion_matrix(y_te, (s >= threshold).astype(int))
    return ({"precision": f"{tp / (tp + fp):.3f}", "recall": f"{tp / (tp + fn):.3f}",
             "specificity": f"{tn / (tn + fp):.3f}"},
            {"TN": str(tn), "FP": str(fp), "FN": str(fn), "TP": str(tp)})


def drawn_confusion(page) -> dict[str, str]:
    """The counts the browser drew in the confusion-matrix chart (SVG text: names, then counts)."""
    chart = page.locator("[data-testid='stVegaLiteChart']").first
    texts = chart.locator("svg text").evaluate_all("els => els.map(e => e.textContent)")
    return dict(zip(texts[0:4], texts[4:8]))


def test_cold_deep_link_lands_and_restores_controls_and_numbers():
    """The first visit after a server start opens a deep link: no 'Page not found', state restored."""
    with streamlit_server() as base, chromium_page() as page:
        page.goto(base + "/cockpit?eval.threshold=0.3&eval.model=k-NN&eval.knn_k=15&app.seed=7")
        settle(page)
        assert "Page not found" not in page.content()
        assert error_boxes(page) == 0
        assert page.get_by_role("heading", name="Evaluation cockpit").count() == 1
        assert threshold_input(page).input_value() == "0.3"
        want, counts = expected(make_pipeline(StandardScaler(), KNeighborsClassifier(n_neighbors=15)), 7, 0.3)
        for label, value in want.items():
            assert metric(page, label) == value, label
        assert drawn_confusion(page) == counts


def test_every_page_loads_from_the_navigation_with_charts_and_no_error():
    with streamlit_server() as base, chromium_page() as page:
        outside = []  # the app works offline: nothing may be requested from another host
        page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(base) else None)
        page.goto(base + "/")
        settle(page)
        assert error_boxes(page) == 0
        # Home's five pictures, each with its marks drawn at the plot's height (not squeezed to nothing)
        page.wait_for_function("document.querySelectorAll('.vega-embed svg').length >= 5", timeout=30_000)
        heights = page.locator(".vega-embed svg").evaluate_all(
            "svgs => svgs.map(s => Math.max(0, ...[...s.querySelectorAll('g.role-mark')]"
            ".map(g => g.getBBox().height)))")
        assert len(heights) == 5 and min(heights) >= 0.6 * home.HEIGHT, heights
        for spec in catalog.PAGES:
            # the link's text ends with the title; a plain substring match would take "Question bank"
            # (its icon's ligature text is "quiz") for "Quiz"
            link = page.locator("[data-testid='stSidebarNav'] a").filter(has_text=re.compile(re.escape(spec.title) + "$"))
            link.first.click()
            page.wait_for_url(re.compile(f"/{spec.url_path}"))
            settle(page)
            assert error_boxes(page) == 0, spec.title
            if spec.section in ("Interview", "Teach"):  # practice and lesson pages: text, no experiment
                continue
            assert page.locator("[data-testid='stVegaLiteChart']").count() > 0, f"no chart on {spec.title}"
            page.wait_for_selector("[data-testid='stVegaLiteChart'] canvas, [data-testid='stVegaLiteChart'] svg",
                                   timeout=30_000)
        # data: and blob: URLs are made inside the page (images, downloads), not fetched from a host
        assert not [u for u in outside if not u.startswith(("data:", "blob:"))], outside


def test_moving_the_threshold_updates_url_and_numbers_without_errors():
    with streamlit_server() as base, chromium_page() as page:
        page.goto(base + "/cockpit")
        settle(page)
        slider = threshold_input(page)
        slider.focus()
        for _ in range(20):
            page.keyboard.press("ArrowLeft")
        page.wait_for_function("() => window.location.search.includes('eval.threshold')", timeout=10_000)
        settle(page)
        assert slider.input_value() == "0.3"
        assert parse_qs(urlparse(page.url).query)["eval.threshold"] == ["0.3"]
        want, counts = expected(make_pipeline(StandardScaler(), LogisticRegression(C=1.0, max_iter=5000)), 42, 0.3)
        for label, value in want.items():
            assert metric(page, label) == value, label
        assert drawn_confusion(page) == counts  # re-counted in the browser from the threshold parameter
        assert error_boxes(page) == 0
        # The sidebar's share link is this view's address, and its button copies it.
        share = page.locator("[data-testid='stSidebar'] .ml-share")
        assert share.locator("code").inner_text() == page.url
        page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base)
        share.locator("button").click()
        share.locator("button", has_text="Copied").wait_for(timeout=5_000)
        assert page.evaluate("() => navigator.clipboard.readText()") == page.url
        # The link reproduces the view in a new visit.
        page.goto(page.url)
        settle(page)
        assert threshold_input(page).input_value() == "0.3"


def test_presenter_mode_enlarges_metric_values_and_keeps_choices_on_screen():
    """At a projector's 1280 px: a metric's value must be bigger than its label (a paragraph rule once
    shrank values below labels) and no row of choice buttons may run out of its column."""
    with streamlit_server() as base, chromium_page(height=720) as page:
        page.goto(base + "/gallery?app.presenter=true")
        settle(page)
        sizes = page.evaluate("""() => {
          const px = sel => [...document.querySelectorAll(sel)].map(e => parseFloat(getComputedStyle(e).fontSize));
          const rows = [...document.querySelectorAll('[data-testid="stButtonGroup"] div:has(> button)')];
          return {value: px('[data-testid="stMetricValue"] p'), label: px('[data-testid="stMetricLabel"] p'),
                  overflow: rows.map(d => d.scrollWidth - d.clientWidth)}; }""")
        assert error_boxes(page) == 0
        assert sizes["value"] and min(sizes["value"]) > 1.8 * max(sizes["label"])
        assert sizes["overflow"] and max(sizes["overflow"]) <= 0
