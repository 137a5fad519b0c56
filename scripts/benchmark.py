"""Latency benchmark: server time per interaction on every page, beside that page's floor.

    python scripts/benchmark.py [--pages cockpit,gallery] [--repeats 12] [--no-browser]

For each page (discovered from components/catalog.py) it opens the page in AppTest from app.py and
times reruns:
- floor: the page rerun with nothing changed (its drawing cost alone);
- for every keyed widget on the page: "new" = the widget set to a value not seen before in this
  process (a cache miss: a refit where the control is expensive), "repeat" = values already seen
  (cache hits; a cheap control is always this).
It prints median and p95 in ms per interaction, with the ratio of the repeat median to the floor.
Then, in Chromium, the time from a keypress on the cockpit's threshold slider to the last change on
screen. Numbers from a loaded machine are slower; compare rows of the same run.

AppTest compiles the app and page scripts again on every run (it makes a new ScriptCache per run);
a Streamlit server compiles each script once and reuses the bytecode. By default the benchmark
shares one ScriptCache across runs, as the server does, so the figures are the scripts' run time
(about 10-15 ms less per rerun); --recompile measures AppTest as it comes.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from components import catalog  # noqa: E402
from tests.apptest_utils import HOME, open_page, widgets  # noqa: E402
from tests.test_widget_sweep import candidate_values, set_widget  # noqa: E402


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def fmt(values: list[float]) -> str:
    if not values:
        return f"{'-':>7} {'-':>7}"
    return f"{statistics.median(values):7.1f} {pct(values, 0.95):7.1f}"


def share_script_cache() -> None:
    """Compile each script once, as a server does (see the module docstring)."""
    from streamlit.runtime.scriptrunner.script_cache import ScriptCache
    from streamlit.testing.v1 import app_test, local_script_runner

    shared = ScriptCache()
    app_test.ScriptCache = local_script_runner.ScriptCache = lambda: shared


def timed_run(at) -> float:
    t = time.perf_counter()
    at.run()
    return (time.perf_counter() - t) * 1000


def widget_values(kind: str, w, repeats: int) -> list:
    """Distinct values to visit: a slider's range in steps, every option of a choice, both states."""
    if kind == "slider" and not isinstance(w.value, (tuple, list)):
        lo, hi, step = float(w.min), float(w.max), float(w.step or 1)
        n = int(round((hi - lo) / step))
        picks = sorted({int(round(i * n / max(1, repeats - 1))) for i in range(repeats)})
        values = [lo + p * step for p in picks]
        return [int(v) if isinstance(w.value, int) else round(v, 10) for v in values]
    if kind == "select_slider":
        return list(w.options)
    return candidate_values(kind, w)


def bench_page(path: str, repeats: int, include_globals: bool, query: dict | None = None) -> list[tuple]:
    at = open_page(path, query=query)
    at.run()  # warm the page's caches at the defaults
    floor = [timed_run(at) for _ in range(repeats)]
    rows = [(path, "(floor: rerun, nothing changed)", [], floor, floor)]
    for key, (kind, w) in widgets(at).items():
        if key.startswith("app.") and not include_globals:
            continue
        if w.proto.disabled or kind in ("text_input", "text_area"):
            continue
        original = w.value
        values = [v for v in widget_values(kind, w, repeats) if v != original] or []
        if not values:
            continue
        new, repeat = [], []
        try:
            for v in values[:repeats]:  # first visits: cache misses
                set_widget(at, kind, key, v)
                new.append(timed_run(at))
                getattr(at, kind)(key=key).set_value(original)
                repeat.append(timed_run(at))  # back to a value already seen
            for i in range(repeats):  # revisits: cache hits
                set_widget(at, kind, key, values[i % len(values)])
                repeat.append(timed_run(at))
            getattr(at, kind)(key=key).set_value(original)
            at.run()
        except Exception as exc:  # a widget hidden by another value; report and go on
            print(f"  ({key}: stopped early: {type(exc).__name__})", file=sys.stderr)
        rows.append((path, key, new, repeat, floor))
    return rows


STARTUP_PAGES = ("views/home.py", "views/evaluation/cockpit.py", "views/beyond/interpretability.py",
                 "views/beyond/applications.py")


def startup_times() -> list[tuple[str, float, float]]:
    """Per page: a fresh interpreter's time to import the app and draw that page first (ms), and the
    whole process's wall time (ms). Heavy packages (shap, statsmodels, optuna, imbalanced-learn) are
    imported only by their pages, so Home and the cockpit should start well below the others."""
    import json
    import subprocess

    out = []
    for path in STARTUP_PAGES:
        probe = ("import json, time; t = time.perf_counter(); from tests.apptest_utils import open_page; "
                 f"open_page({path!r}); print(json.dumps((time.perf_counter() - t) * 1000))")
        t = time.perf_counter()
        done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=600)
        wall = (time.perf_counter() - t) * 1000
        first = json.loads(done.stdout.strip().splitlines()[-1]) if done.returncode == 0 else float("nan")
        out.append((path, first, wall))
    return out


def browser_threshold_latency(samples: int = 20) -> list[float] | None:
    """Keypress on the threshold slider -> last DOM change on screen, in ms, measured in the page."""
    from tests.browser_utils import browser_missing_reason, chromium_page, settle, streamlit_server

    reason = browser_missing_reason()
    if reason:
        print(f"browser figure skipped: {reason}")
        return None
    with streamlit_server() as base, chromium_page() as page:
        page.goto(base + "/cockpit")
        settle(page)
        page.evaluate("""() => {
            document.addEventListener('keydown', () => { window.__t0 = performance.now(); }, true);
            new MutationObserver(() => { window.__last = performance.now(); })
                .observe(document.body, {subtree: true, childList: true, attributes: true, characterData: true});
        }""")
        slider = page.locator("input[type='range'][aria-label^='Decision threshold']")
        slider.focus()
        out = []
        for i in range(samples + 2):
            page.keyboard.press("ArrowRight" if i % 2 == 0 else "ArrowLeft")
            settle(page)
            page.wait_for_function("() => performance.now() - window.__last > 400", timeout=10_000)
            if i >= 2:  # the first moves warm up the fragment path
                out.append(page.evaluate("() => window.__last - window.__t0"))
        return out


# Heavy controls whose page draws its cheap parts before its slow one (the CV comparison last):
# the browser shows the first redrawn chart long before the rerun ends. (page, slider label prefix)
REDRAW_SLIDERS = (("/missing-data", "Missing %"), ("/scaling", "Outlier rows"))


def browser_redraw_latency(path: str, label: str, presses: int = 6) -> list[tuple[float, float]] | None:
    """ArrowRight on a slider (each press a value not seen before: a refit) -> (first chart redrawn,
    last change on screen), in ms, measured in the page. Both include the slider's own debounce
    (~200 ms before Streamlit sends the value). "First chart redrawn" is the first chart whose
    DOM changes; a chart that only swaps its data in place may redraw unseen, so the true first
    feedback can come earlier."""
    from tests.browser_utils import browser_missing_reason, chromium_page, settle, streamlit_server

    if browser_missing_reason():
        return None
    with streamlit_server() as base, chromium_page() as page:
        page.goto(base + path)
        settle(page)
        page.evaluate("""() => {
            document.addEventListener('keydown', () => { window.__t0 = performance.now(); window.__chart = null; }, true);
            new MutationObserver((muts) => {
                const now = performance.now();
                window.__last = now;
                for (const m of muts) {
                    const el = m.target.nodeType === 1 ? m.target : m.target.parentElement;
                    if (m.type === 'childList' && el && el.closest('[data-testid="stVegaLiteChart"]')
                        && window.__chart === null) { window.__chart = now; }
                }
            }).observe(document.body, {subtree: true, childList: true, attributes: true, characterData: true});
        }""")
        page.locator(f"input[type='range'][aria-label^='{label}']").first.focus()
        out = []
        for _ in range(presses):
            page.keyboard.press("ArrowRight")
            page.wait_for_timeout(200)
            settle(page)
            page.wait_for_function("() => performance.now() - window.__last > 600", timeout=60_000)
            out.append(tuple(page.evaluate("() => [window.__chart - window.__t0, window.__last - window.__t0]")))
        return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pages", default="", help="comma-separated url paths (default: all, and home)")
    ap.add_argument("--repeats", type=int, default=12)
    ap.add_argument("--globals", action="store_true", help="also time the sidebar's shared controls per page")
    ap.add_argument("--no-browser", action="store_true")
    ap.add_argument("--query", action="append", default=[], metavar="KEY=VALUE",
                    help="open the pages with this URL parameter (e.g. ensembles.view=Boosting), to time the "
                         "controls of a view other than the default; repeatable")
    ap.add_argument("--recompile", action="store_true", help="let AppTest recompile the scripts on every run")
    a = ap.parse_args()
    if not a.recompile:
        share_script_cache()
    wanted = [p for p in a.pages.split(",") if p]
    paths = ([HOME] if not wanted else []) + [p.path for p in catalog.PAGES if not wanted or p.url_path in wanted]
    print(f"{'page':34s} {'interaction':34s} {'new: median p95':>16} {'repeat: med p95':>16} "
          f"{'floor: med p95':>16} {'rep/floor':>9}")
    for path in paths:
        t = time.perf_counter()
        rows = bench_page(path, a.repeats, a.globals or path == HOME, dict(q.split("=", 1) for q in a.query))
        for page, key, new, repeat, floor in rows:
            ratio = statistics.median(repeat) / statistics.median(floor) if repeat else float("nan")
            print(f"{Path(page).stem:34s} {key:34s} {fmt(new):>16} {fmt(repeat):>16} {fmt(floor):>16} {ratio:9.2f}")
        print(f"  ({Path(path).stem}: {time.perf_counter() - t:.1f} s)", flush=True)
    if not wanted:
        print("\nStart-up, fresh interpreter: import the app and draw the page once (AppTest)")
        for path, first, wall in startup_times():
            print(f"  {Path(path).stem:32s} first page {first:7.0f} ms   whole process {wall:7.0f} ms")
    if not a.no_browser:
        lat = browser_threshold_latency()
        if lat:
            print(f"\nChromium, cockpit threshold keypress -> last change on screen: median "
                  f"{statistics.median(lat):.0f} ms, p95 {pct(lat, 0.95):.0f} ms over {len(lat)} keypresses")
        for path, label in REDRAW_SLIDERS:
            if wanted and path.strip("/") not in wanted:
                continue
            got = browser_redraw_latency(path, label)
            if got:
                first, last = [g[0] for g in got], [g[1] for g in got]
                print(f"Chromium, {path} '{label}' (new values): first chart redrawn median {statistics.median(first):.0f} "
                      f"/ p95 {pct(first, 0.95):.0f} ms, last change median {statistics.median(last):.0f} / p95 "
                      f"{pct(last, 0.95):.0f} ms over {len(got)} keypresses")


if __name__ == "__main__":
    main()
