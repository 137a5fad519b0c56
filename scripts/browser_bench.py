"""Every control of every page, timed in real Chromium: keypress -> first chart changed, first visible
change, and last change on screen (ms, median and p95).

Used by scripts/benchmark.py (``make bench``); run alone with
    python scripts/browser_bench.py [--pages cockpit,gallery] [--repeats 6]

Each control is driven from the keyboard, as a user would (a slider: arrow keys; a select box: open
with arrow down, pick the next option; a toggle or checkbox: Space; a radio group: arrow keys; a segmented control: Enter
on the next button; a number input: Enter on its + button; a text input: a word typed or removed, then Enter; a multiselect: Backspace removes the last
choice, then the next press puts it back). Slider presses walk up the range, so most moves are values
not seen before (a refit where the control is expensive); choices cycle through their options.

The clock starts at the keydown (captured on the document before Streamlit sees it) and a
MutationObserver in the page records:
- first chart: the first change inside any Vega-Lite chart's drawing (a chart redrawn in the browser by a
  scrubbing slider, updated in place or re-embedded; not the hidden inputs scrubbing charts follow);
- first visible: the first change of what the page shows outside the control itself (a chart, a
  number, a text, a table), ignoring spinners, the running indicator and elements greyed as stale;
- last: the last such change before the app is idle and nothing has changed for 600 ms.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from components import catalog  # noqa: E402

OBSERVER = """(widgetClass) => {
    window.__bench = {widgetClass};
    if (window.__benchInstalled) return;
    window.__benchInstalled = true;
    // .vega-bindings: the hidden inputs that scrubbing charts follow (components/ui/scrub.py); a change
    // there is not yet a redrawn chart, so only the chart's own marks count
    const ignored = '[data-testid="stStatusWidget"], [data-testid="stSpinner"], [data-testid="stToolbar"], '
                  + 'header, [data-testid="stDecoration"], [data-testid="stSkeleton"], .vega-bindings';
    const start = () => {
        const b = window.__bench;
        b.t0 = performance.now(); b.chart = null; b.visible = null; b.last = null;
    };
    document.addEventListener('keydown', start, true);
    document.addEventListener('mousedown', start, true);
    new MutationObserver((muts) => {
        const b = window.__bench;
        if (b.t0 === undefined) return;
        const now = performance.now();
        for (const m of muts) {
            const el = m.target.nodeType === 1 ? m.target : m.target.parentElement;
            if (!el || !el.closest('[data-testid="stMain"], [data-testid="stSidebar"]')) continue;
            if (el.closest(ignored)) continue;
            if (b.widgetClass && el.closest('.' + b.widgetClass)) continue;
            const inChart = el.closest('[data-testid="stVegaLiteChart"]');
            if (m.type === 'attributes' && !inChart) continue;  // stale greying, focus rings
            if (inChart && b.chart === null) b.chart = now;
            if (b.visible === null) b.visible = now;
            b.last = now;
        }
    }).observe(document.body, {subtree: true, childList: true, attributes: true, characterData: true});
}"""

IDLE = "[data-testid='stApp'][data-test-script-state='notRunning']"


@dataclass
class Timing:
    page: str
    key: str
    kind: str
    chart: list[float] = field(default_factory=list)
    visible: list[float] = field(default_factory=list)
    last: list[float] = field(default_factory=list)
    unchanged: int = 0


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def css_class(key: str) -> str:
    return "st-key-" + key.replace(".", "-")


def wait_quiet(page, quiet_ms: int = 600, timeout: float = 60_000) -> None:
    page.wait_for_timeout(50)
    page.wait_for_selector(IDLE, timeout=timeout)
    page.wait_for_function(
        f"() => {{ const b = window.__bench; const t = b.last ?? b.t0; return performance.now() - t > {quiet_ms}; }}",
        timeout=timeout)
    page.wait_for_selector(IDLE, timeout=timeout)


def controls_on(page) -> list[tuple[str, str]]:
    """(key, Streamlit element type) of every keyed widget drawn in the main area."""
    return page.evaluate("""() => Array.from(document.querySelectorAll('[data-testid="stMain"] [class*="st-key-"]'))
        .map(e => {
            const cls = Array.from(e.classList).find(c => c.startsWith('st-key-'));
            const w = e.querySelector('[data-testid]');
            return [cls, w ? w.getAttribute('data-testid') : ''];
        })""")


def press(page, box, kind: str, step: int) -> bool:
    """One user move on the control in ``box`` (a locator of its element container); False when this
    kind of control is not driven."""
    if kind == "stSlider":
        slider = box.locator("input[type='range'], [role='slider']").first
        slider.focus()
        at_max = slider.evaluate("e => Number(e.value ?? e.getAttribute('aria-valuenow')) >= "
                                 "Number(e.max || e.getAttribute('aria-valuemax'))")
        at_min = slider.evaluate("e => Number(e.value ?? e.getAttribute('aria-valuenow')) <= "
                                 "Number(e.min || e.getAttribute('aria-valuemin'))")
        going_up = (step // 4) % 2 == 0
        page.keyboard.press("ArrowLeft" if (at_max or (not going_up and not at_min)) else "ArrowRight")
        return True
    if kind == "stSelectbox":
        # the keyboard opens the list wherever the box sits (a click on some boxes low on a long page did not)
        box.locator("input[role='combobox']").first.focus()
        page.keyboard.press("ArrowDown")
        try:
            page.wait_for_selector("[role='option']", timeout=3000)
        except Exception:
            return False
        options = page.locator("[role='option']")
        n = options.count()
        if n < 2:
            page.keyboard.press("Escape")
            return False
        current = next((i for i in range(n) if options.nth(i).get_attribute("aria-selected") == "true"), 0)
        options.nth((current + 1 + step // n) % n if (current + 1) % n != current else 0).click()
        return True
    if kind == "stCheckbox":
        box.locator("input").first.focus()
        page.keyboard.press("Space")
        return True
    if kind == "stRadio":
        box.locator("input[type='radio']:checked").first.focus()
        page.keyboard.press("ArrowDown")
        return True
    if kind == "stButtonGroup":
        buttons = box.locator("button")
        n = buttons.count()
        pressed = next((i for i in range(n) if buttons.nth(i).get_attribute("aria-checked") == "true"
                        or "Active" in (buttons.nth(i).get_attribute("data-testid") or "")), 0)
        buttons.nth((pressed + 1) % n).focus()
        page.keyboard.press("Enter")
        return True
    if kind == "stNumberInput":
        box.locator("[data-testid='stNumberInputStepUp']").first.focus()
        page.keyboard.press("Enter")
        return True
    if kind == "stTextInput":
        field = box.locator("input").first
        field.focus()
        page.keyboard.press("End")
        if step % 2 == 0:
            page.keyboard.type(" great")
        else:
            for _ in range(len(" great")):
                page.keyboard.press("Backspace")
        page.keyboard.press("Enter")
        return True
    if kind == "stMultiSelect":
        box.locator("input").first.click()
        page.wait_for_timeout(100)
        if step % 2 == 0:
            page.keyboard.press("Backspace")
        else:
            page.keyboard.press("ArrowDown")
            page.keyboard.press("Enter")
        page.keyboard.press("Escape")
        return True
    return False


def reveal(page, box) -> None:
    """Show a control drawn in a tab that is not open or in a closed expander, as a user would: click the
    page's tabs in turn, then the expander around it."""
    if box.count() == 0 or box.is_visible():
        return
    tabs = page.locator("[data-testid='stMain'] [role='tab']")
    for i in range(tabs.count()):
        tabs.nth(i).click()
        page.wait_for_timeout(150)
        if box.is_visible():
            return
    summary = box.locator("xpath=ancestor::details[1]/summary")
    if summary.count():
        summary.first.click()
        page.wait_for_timeout(150)


def open_fresh(page, url: str) -> None:
    page.goto(url)
    page.wait_for_selector(IDLE, timeout=120_000)
    page.evaluate(OBSERVER, "")
    page.wait_for_timeout(800)
    page.wait_for_selector(IDLE, timeout=120_000)


# Controls that the default state disables or hides, and a link that enables them: the bench times them
# from that state (the rest of the page as in its default state).
ENABLING = {
    "unsupervised": ["unsup.algorithm=DBSCAN", "unsup.algorithm=agglomerative"],
    # alpha scrubs the regularisation path (in the fit view it refits); then the fit view's other controls
    "overfitting": ["overfit.view=Regularisation%20path&overfit.penalty=ridge%20(L2)", "overfit.penalty=ridge%20(L2)"],
    "ensembles": ["ensembles.view=Boosting"],
    "fairness": ["fair.threshold_mode=one%20per%20group", "fair.mitigation=exponentiated%20gradient%20(during%20training)"],
    "imbalanced": ["imbalance.strategy=SMOTE&imbalance.weight=custom"],
    "features": ["features.tsne=true"],
}


def bench_page(page, base: str, url_path: str, repeats: int, keys: list[str] | None = None,
               query: str = "", skip: set[str] = frozenset()) -> list[Timing]:
    """Each control from the page's default state, or the state ``query`` opens (a fresh load per
    control: a previous control may have hidden it)."""
    url = f"{base}/{url_path}" + (f"?{query}" if query else "")
    open_fresh(page, url)
    out = []
    for i, (cls, kind) in enumerate(controls_on(page)):
        key = cls[len("st-key-"):]
        if (keys is not None and key not in keys) or key in skip:
            continue
        if out or i:
            open_fresh(page, url)
        timing = Timing(url_path + (f"?{query}" if query else ""), key, kind)
        reveal(page, page.locator(f"[data-testid='stMain'] .{cls}").first)
        for step in range(repeats + 1):
            box = page.locator(f"[data-testid='stMain'] .{cls}").first
            if box.count() == 0 or box.locator("input:disabled, button:disabled").count():
                break
            page.evaluate("(c) => { window.__bench.widgetClass = c; }", cls)
            if not press(page, box, kind, step):
                break
            try:
                wait_quiet(page)
            except Exception:  # a run that never settles is reported, not fatal
                timing.unchanged += 1
                continue
            b = page.evaluate("() => window.__bench")
            if step == 0:
                continue  # the first move warms the path (fragment registration, caches of the page)
            if b.get("visible") is None:
                timing.unchanged += 1
                continue
            t0 = b["t0"]
            timing.visible.append(b["visible"] - t0)
            timing.last.append(b["last"] - t0)
            if b.get("chart") is not None:
                timing.chart.append(b["chart"] - t0)
        out.append(timing)
    return out


TARGETS = {"scrub": ("chart", 100), "visible": ("visible", 300), "last": ("last", 1000), "heavy": ("last", 2000)}


def target_of(t: Timing) -> tuple[str, float, list[float]]:
    """The issue's targets: a scrubbing control's charts updated within 100 ms (p95); any other control's
    first visible change within 300 ms and everything within 1 s, or 2 s when it feeds a heavy panel."""
    spec = next((p for p in catalog.PAGES if p.url_path == t.page.split("?")[0]), None)
    key = t.key.replace("-", ".", 1)
    if spec and key in spec.scrub_keys:
        return "scrub <= 100 ms (charts)", 100, t.chart or t.visible
    if spec and key in spec.heavy_keys:
        return "heavy: last <= 2 s", 2000, t.last
    return "visible <= 300 ms, last <= 1 s", 300, t.visible


def fmt(values: list[float]) -> str:
    return f"{statistics.median(values):6.0f} {pct(values, 0.95):6.0f}" if values else f"{'-':>6} {'-':>6}"


def report(timings: list[Timing]) -> tuple[int, int]:
    print(f"\n{'page':18s} {'control':28s} {'kind':14s} {'chart med p95':>14} {'visible med p95':>16} "
          f"{'last med p95':>14}  target")
    met = total = 0
    for t in timings:
        name, limit, values = target_of(t)
        ok = bool(values) and pct(values, 0.95) <= limit
        if "last <= 1 s" in name:
            ok = ok and bool(t.last) and pct(t.last, 0.95) <= 1000
        total += 1
        met += ok
        note = f"  ({t.unchanged} moves changed nothing)" if t.unchanged else ""
        print(f"{t.page:18s} {t.key:28s} {t.kind:14s} {fmt(t.chart):>14} {fmt(t.visible):>16} {fmt(t.last):>14}  "
              f"{'ok  ' if ok else 'MISS'} {name}{note}")
    return met, total


def run(pages: list[str], repeats: int) -> tuple[list[Timing], tuple[int, int]]:
    from tests.browser_utils import browser_missing_reason, chromium_page, streamlit_server

    reason = browser_missing_reason()
    if reason:
        print(f"browser benchmark skipped: {reason}")
        return [], (0, 0)
    timings: list[Timing] = []
    with streamlit_server() as base, chromium_page(1280, 900) as page:
        for url_path in pages:
            t = time.perf_counter()
            try:
                got = bench_page(page, base, url_path, repeats)
                for query in ENABLING.get(url_path, []):
                    more = bench_page(page, base, url_path, repeats, query=query,
                                      skip={t.key for t in got if t.visible})
                    timed = {t.key for t in more if t.visible}
                    got = [t for t in got if t.key not in timed] + [t for t in more if t.visible]
            except Exception as exc:
                print(f"  ({url_path}: stopped: {type(exc).__name__}: {str(exc)[:200]})", flush=True)
                continue
            timings += got
            print(f"  ({url_path}: {len(got)} controls, {time.perf_counter() - t:.0f} s)", flush=True)
    return timings, report(timings)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pages", default="", help="comma-separated url paths (default: every page)")
    ap.add_argument("--repeats", type=int, default=6)
    a = ap.parse_args()
    pages = [p for p in a.pages.split(",") if p] or [p.url_path for p in catalog.PAGES]
    _, (met, total) = run(pages, a.repeats)
    print(f"\nSUMMARY (Chromium): {met} of {total} controls meet their target")


if __name__ == "__main__":
    main()
