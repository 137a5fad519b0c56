"""Latency benchmark: server time per interaction on every page, beside that page's floor.

    python scripts/benchmark.py [--pages cockpit,gallery] [--repeats 12] [--no-browser]

For each page (discovered from components/catalog.py) it opens the page in AppTest from app.py and
times reruns:
- floor: the page rerun with nothing changed (its drawing cost alone);
- for every keyed widget on the page: "new" = the widget set to a value not seen before in this
  process (a cache miss: a refit where the control is expensive), "repeat" = values already seen
  (cache hits; a cheap control is always this).
It prints median and p95 in ms per interaction, with the ratio of the repeat median to the floor.
Then, in Chromium (scripts/browser_bench.py), every control of every page: keypress -> first chart
changed, first visible change and last change; the cold start of a fresh server; and a summary line
of how many floors and controls meet their targets. Numbers from a loaded machine are slower;
compare rows of the same run.

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
sys.path.insert(0, str(ROOT / "scripts"))

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


def bench_page(path: str, repeats: int, include_globals: bool, query: dict | None = None,
               floors_only: bool = False) -> list[tuple]:
    at = open_page(path, query=query)
    at.run()  # warm the page's caches at the defaults
    floor = [timed_run(at) for _ in range(repeats)]
    rows = [(path, "(floor: rerun, nothing changed)", [], floor, floor)]
    if floors_only:
        return rows
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


def cold_start() -> list[tuple[str, float]]:
    """A fresh server: seconds from the process start until a page is drawn in Chromium (Home first,
    then the heaviest pages' first visits on the same server). The visitor's browser is open before the
    clock starts: its own launch is not the server's time."""
    from tests.browser_utils import browser_missing_reason, chromium_page, streamlit_server

    if browser_missing_reason():
        return []
    idle = "[data-testid='stApp'][data-test-script-state='notRunning']"
    # drawn: the script has finished and every chart on screen has its drawing (a chart's JavaScript
    # loads on the first chart of a visit, after the script may already be done; a chart in a closed
    # expander or another tab is not drawn until it is shown)
    charts_drawn = ("() => [...document.querySelectorAll(\"[data-testid='stVegaLiteChart']\")].every("
                    "c => !c.checkVisibility() || !c.getBoundingClientRect().height || c.querySelector('canvas, svg'))")

    def wait_drawn(page) -> None:
        page.wait_for_selector(idle, timeout=120_000)
        page.wait_for_function(charts_drawn, timeout=120_000, polling=20)

    out = []
    with chromium_page() as page:
        t = time.perf_counter()
        with streamlit_server() as base:
            page.goto(base + "/")
            wait_drawn(page)
            out.append(("server start -> Home drawn", time.perf_counter() - t))
            for url in HEAVIEST_PAGES:
                t = time.perf_counter()
                page.goto(base + "/" + url)
                wait_drawn(page)
                out.append((f"first visit of /{url}", time.perf_counter() - t))
    return out


HEAVIEST_PAGES = ("interpretability", "missing-data", "applications")
FLOOR_TARGET_MS, HOME_TARGET_S, HEAVY_PAGE_TARGET_S = 60, 3.0, 4.0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pages", default="", help="comma-separated url paths (default: all, and home)")
    ap.add_argument("--repeats", type=int, default=12)
    ap.add_argument("--browser-repeats", type=int, default=6)
    ap.add_argument("--globals", action="store_true", help="also time the sidebar's shared controls per page")
    ap.add_argument("--no-browser", action="store_true")
    ap.add_argument("--floors-only", action="store_true", help="AppTest: time each page's floor, not every widget")
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
    floors = {}
    for path in paths:
        t = time.perf_counter()
        rows = bench_page(path, a.repeats, a.globals or path == HOME, dict(q.split("=", 1) for q in a.query),
                          floors_only=a.floors_only)
        for page, key, new, repeat, floor in rows:
            ratio = statistics.median(repeat) / statistics.median(floor) if repeat else float("nan")
            print(f"{Path(page).stem:34s} {key:34s} {fmt(new):>16} {fmt(repeat):>16} {fmt(floor):>16} {ratio:9.2f}")
            floors[page] = floor
        print(f"  ({Path(path).stem}: {time.perf_counter() - t:.1f} s)", flush=True)
    if not wanted:
        print("\nStart-up, fresh interpreter: import the app and draw the page once (AppTest)")
        for path, first, wall in startup_times():
            print(f"  {Path(path).stem:32s} first page {first:7.0f} ms   whole process {wall:7.0f} ms")
    summary = [f"page floors (AppTest p95 <= {FLOOR_TARGET_MS} ms): "
               f"{sum(pct(f, 0.95) <= FLOOR_TARGET_MS for f in floors.values())} of {len(floors)}"]
    if not a.no_browser:
        import browser_bench

        urls = [p.url_path for p in catalog.PAGES if not wanted or p.url_path in wanted]
        _, (met, total) = browser_bench.run(urls, a.browser_repeats)
        summary.append(f"controls within their target (Chromium): {met} of {total}")
        if not wanted:
            print("\nCold start (fresh server, Chromium)")
            for name, seconds in cold_start():
                limit = HOME_TARGET_S if "Home" in name else HEAVY_PAGE_TARGET_S
                print(f"  {name:40s} {seconds:5.2f} s  {'ok' if seconds <= limit else 'MISS'} (<= {limit:.0f} s)")
    print("\nSUMMARY: " + "; ".join(summary))


if __name__ == "__main__":
    main()
