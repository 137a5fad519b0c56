"""Every control of every page, timed in real Chromium: keypress -> first chart changed, first visible
change, and last change on screen (ms, median and p95).

Used by scripts/benchmark.py (``make bench``); run alone with
    python scripts/browser_bench.py [--pages cockpit,gallery] [--repeats 6]

Each control is driven from the keyboard, as a user would (a slider: arrow keys; a select box: open
with arrow down, pick the next option; a toggle, checkbox or expander: Space, or Enter on its header; a
radio group: arrow keys, or Space on the first option while none is picked; a segmented control: Enter on
the next button; a number input: Enter on its + button, or an answer typed into an empty one; a text input
or text area: a word typed or removed, then Enter or Ctrl+Enter; a multiselect: Backspace removes the last
choice, then the next press puts it back; a button: Enter). Slider presses walk up the range, so most moves
are values not seen before (a refit where the control is expensive); choices cycle through their options.

The clock starts at the keydown (captured on the document before Streamlit sees it) and a
MutationObserver in the page records:
- first chart: the first change inside any Vega-Lite chart's drawing (a chart redrawn in the browser by a
  scrubbing slider, updated in place or re-embedded; not the hidden inputs scrubbing charts follow);
- first visible: the first change of what the page shows outside the control itself (a chart, a
  number, a text, a table, a control enabled or disabled; an expander's content is not "itself", only its
  header), ignoring spinners, the running indicator and elements greyed as stale. An st.dataframe is drawn
  on a canvas, which no MutationObserver sees, and its hidden DOM text follows ~200 ms later (the mock
  interview's ratings: canvas at 120-180 ms, text at 310-385 ms), so its text drawn on the canvas counts;
- last: the last such change before the app is idle and nothing has changed for 600 ms.
A download button is timed from the key press to the browser's download starting (measured in Python, a
few ms of messaging included); a file uploader from the file chosen in its dialog (two progress files in
turn, so each upload changes what the page counts).

States. A control is timed from the page's default state, or from the state an ``ENABLING`` entry reaches
where the default hides or disables it: a link, or a link and untimed moves of other controls (a ``Via``:
the quiz's Check needs an answer picked, the mock interview's ratings need the interview run). Every load
starts as a new visitor (the browser's stored interview progress is cleared). A move is made where the
previous move left the page, unless the control is gone or disabled there (a button that moved the page on,
such as Check or Start) or its second move in a row would change nothing (``FROM_STATE_EACH_MOVE``: a first
answer, Forget my progress, a lesson's Next): then the state is reached again (fresh load and moves) first.

Cost. The page is not reloaded between two controls when the previous control left it in the state the
next one starts from: the same fingerprint (URL, everything the main area shows, every keyed control's
value, enabled state and open expanders). A toggle moved an odd number of times is pressed once more,
untimed, to get there. The question bank's 187 answers (expanders in one fragment, one code path on
different texts) take 3 timed moves each (open, close, open; then closed untimed), whatever --repeats
says, and only the first of them per load a warm-up move: the fragment is warm after it, and an answer's
first opening is what a reader meets. At 5 repeats that times every control of the bank in 11.4 min,
~3.5 s per answer, most of it the 600 ms quiet window after each move; the old bench reloaded the page
for each of its 194 controls (~7 min at 3 repeats) and drove none of the expanders.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from components import catalog  # noqa: E402

OBSERVER = """(own) => {
    window.__bench = {own};
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
    window.__benchStart = start;  // a file chosen in the file dialog restarts the clock
    document.addEventListener('keydown', start, true);
    document.addEventListener('mousedown', start, true);
    // a table (st.dataframe) is drawn on a canvas, and its DOM text follows ~200 ms later: its drawing counts
    const fillText = CanvasRenderingContext2D.prototype.fillText;
    CanvasRenderingContext2D.prototype.fillText = function (...args) {
        const b = window.__bench;
        if (b.t0 !== undefined && this.canvas.closest) {
            const table = this.canvas.closest('[data-testid="stMain"] [data-testid^="stDataFrame"], '
                                              + '[data-testid="stSidebar"] [data-testid^="stDataFrame"]');
            if (table && !(b.own && table.closest(b.own))) {
                const now = performance.now();
                if (b.visible === null) b.visible = now;
                b.last = now;
            }
        }
        return fillText.apply(this, args);
    };
    new MutationObserver((muts) => {
        const b = window.__bench;
        if (b.t0 === undefined) return;
        const now = performance.now();
        for (const m of muts) {
            const el = m.target.nodeType === 1 ? m.target : m.target.parentElement;
            if (!el || !el.closest('[data-testid="stMain"], [data-testid="stSidebar"]')) continue;
            if (el.closest(ignored)) continue;
            if (b.own && el.closest(b.own)) continue;  // the control itself
            const inChart = el.closest('[data-testid="stVegaLiteChart"]');
            // attributes outside charts are stale greying and focus rings, except a control enabled or disabled
            // (the quiz's Check button, usable once an answer is picked)
            if (m.type === 'attributes' && !inChart && m.attributeName !== 'disabled') continue;
            if (inChart && b.chart === null) b.chart = now;
            if (b.visible === null) b.visible = now;
            b.last = now;
        }
    }).observe(document.body, {subtree: true, childList: true, attributes: true, characterData: true});
}"""

IDLE = "[data-testid='stApp'][data-test-script-state='notRunning']"
CLEAR_STORAGE = "if (window.top === window) { try { window.localStorage.clear(); } catch (e) {} }"


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


# The app is idle and nothing on screen has changed for quietMs since the keydown or the last change.
QUIET = """([idle, quietMs]) => {
    const b = window.__bench;
    return document.querySelector(idle) !== null && performance.now() - (b.last ?? b.t0) > quietMs;
}"""


def wait_quiet(page, quiet_ms: int = 600, timeout: float = 60_000) -> None:
    page.wait_for_function(QUIET, arg=[IDLE, quiet_ms], timeout=timeout)


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
        checked = box.locator("input[type='radio']:checked")
        if checked.count():
            checked.first.focus()
            page.keyboard.press("ArrowDown")
        else:  # a group with nothing picked yet (the quiz's answer): Space picks the first option
            box.locator("input[type='radio']").first.focus()
            page.keyboard.press("Space")
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
        field = box.locator("input").first
        if field.input_value() == "":  # an empty answer box (the quiz's computed metric): type an answer
            field.focus()
            page.keyboard.type("0.5")
            page.keyboard.press("Enter")
            return True
        box.locator("[data-testid='stNumberInputStepUp']").first.focus()
        page.keyboard.press("Enter")
        return True
    if kind in ("stTextInput", "stTextArea"):
        field = box.locator("input, textarea").first
        field.focus()
        page.keyboard.press("Control+End")
        if step % 2 == 0:
            page.keyboard.type(" great")
        else:
            for _ in range(len(" great")):
                page.keyboard.press("Backspace")
        page.keyboard.press("Enter" if kind == "stTextInput" else "Control+Enter")  # a text area applies on Ctrl+Enter
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
    if kind in ("stButton", "stDownloadButton", "stFileUploader"):
        # a file uploader: its Upload button, or "Add files" beside the file it holds (not "Remove")
        box.locator("button:not([aria-label^='Remove'])").first.focus()
        page.keyboard.press("Enter")
        return True
    if kind == "stExpander":  # opens or closes it
        box.locator("summary").first.focus()
        page.keyboard.press("Enter")
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


# What the page shows and every keyed control's value (a hash): two equal fingerprints are the same state
# for the bench, so a control can start where the previous one left the page without a reload.
FINGERPRINT = """() => {
    const main = document.querySelector('[data-testid="stMain"]');
    const parts = [location.pathname + location.search, main ? main.innerText : ''];
    for (const e of document.querySelectorAll('[data-testid="stMain"] [class*="st-key-"]')) {
        parts.push(Array.from(e.classList).find(c => c.startsWith('st-key-')));
        for (const x of e.querySelectorAll('input, textarea, button, details'))
            parts.push([x.value ?? '', x.checked, x.disabled, x.open, x.getAttribute('aria-checked'),
                        x.getAttribute('data-testid')].join(','));
    }
    const s = parts.join('\\u0001');
    let h = 0;
    for (let i = 0; i < s.length; i++) h = (Math.imul(h, 31) + s.charCodeAt(i)) | 0;
    return s.length + ':' + h;
}"""


def fingerprint(page) -> str:
    return page.evaluate(FINGERPRINT)


def back_to(page, state: str, timeout: float = 2000) -> None:
    """Wait until the page shows ``state`` again (an expander closes with an animation: its ``open`` falls
    a few hundred ms after its content went), or give up quietly: the next control then reloads."""
    try:
        page.wait_for_function(f"(state) => ({FINGERPRINT})() === state", arg=state, timeout=timeout, polling=100)
    except Exception:
        pass


@dataclass(frozen=True)
class Via:
    """A state the default page does not show: the link that opens it (``query``, on the page ``path`` when
    the controls to time are drawn on another page), then the keys of the controls pressed in turn (``moves``,
    untimed, each once as ``press`` moves it) to reach it; ``only``: the keys to time there (default: all)."""
    query: str = ""
    moves: tuple[str, ...] = ()
    path: str = ""
    only: tuple[str, ...] | None = None
    name: str = ""  # shown instead of the query

    def label(self, url_path: str) -> str:
        where = f" @{self.path}" if self.path else ""
        state = f" ({self.name})" if self.name else (f"?{self.query}" if self.query else "")
        return url_path + where + state + "".join(f" >{m.split('.', 1)[-1]}" for m in self.moves)


def lesson_step(lesson_id: str, number: int) -> Via:
    """The lesson bar's Previous and Next on a lesson step (its link), the Teach section's controls."""
    from urllib.parse import urlencode

    from components import lessons

    lesson = next(les for les in lessons.load() if les.id == lesson_id)
    step = lesson.steps[number - 1]
    return Via(urlencode(step.query(lesson_id, number)), path=step.page, only=("lesson.prev", "lesson.next"),
               name=f"{lesson_id} step {number}")


# Controls that the default state disables or hides, and a link (a string) or a link and moves (a Via) that
# enable them: the bench times them from that state (the rest of the page as in its default state).
ENABLING = {
    "unsupervised": ["unsup.algorithm=DBSCAN", "unsup.algorithm=agglomerative"],
    # alpha scrubs the regularisation path (in the fit view it refits); then the fit view's other controls
    "overfitting": ["overfit.view=Regularisation%20path&overfit.penalty=ridge%20(L2)", "overfit.penalty=ridge%20(L2)"],
    "ensembles": ["ensembles.view=Boosting"],
    "fairness": ["fair.threshold_mode=one%20per%20group", "fair.mitigation=exponentiated%20gradient%20(during%20training)"],
    "imbalanced": ["imbalance.strategy=SMOTE&imbalance.weight=custom"],
    "features": ["features.tsne=true"],
    # the default item (seed 1, mixed) asks a multiple-choice question: Check once an answer is picked, Next
    # once it is checked; flash cards: Reveal, then the three ratings; seed 24 auto-graded: a computed metric
    "quiz": [Via(moves=("quiz.choice",)), Via(moves=("quiz.choice", "quiz.check")), "quiz.mode=Flash%20cards",
             Via("quiz.mode=Flash%20cards", ("quiz.reveal",)), "quiz.mode=Auto-graded&quiz.seed=24"],
    # answering (notes, next, stop), then the summary (ratings, transcript, start again)
    "mock-interview": [Via(moves=("mock.start",)), Via(moves=("mock.start", "mock.stop"))],
    "star": [Via(moves=("star.situation",))],  # a draft typed: its export is enabled
    # the lesson paths page links to steps; a step's page shows the lesson bar. Step 4 of the threshold lesson:
    # Previous stays on the cockpit, Next opens the Imbalanced lab
    "lessons": [lesson_step("threshold-roc", 4)],
}

# Controls whose second move in a row changes nothing on screen, so each move starts from the state again:
# the learner's answer to a quiz item starts empty, and picking one enables Check (a second pick changes
# nothing else); forgetting the progress shows "forgotten", and forgetting it again shows the same.
# A lesson step's Previous and Next open another step, so each of their moves starts from the same step.
FROM_STATE_EACH_MOVE = {"quiz.choice", "quiz.number", "interview.progress_forget", "lesson.prev", "lesson.next"}
# Keyed elements that are no control: the bridge that keeps interview progress in the browser's storage.
NOT_CONTROLS = {"stBidiComponentIsolated"}
# One press undoes the previous one: after an odd number of moves one more (untimed) restores the state.
TOGGLES = {"stExpander", "stCheckbox"}
# Many controls of one kind, each the same code path on its own data: the question bank's answers (187
# expanders in one fragment). Each gets this many timed moves (open, close, open, then closed again
# untimed), and only the first of them on a page load a warm-up move: the fragment is warm after it, and
# an answer's first opening is what a reader meets, so it is timed too.
FEWER_REPEATS = {"bank.open_": 3}
TIMEOUT_MS = 60_000


def fewer_repeats(key: str, repeats: int) -> tuple[str | None, int]:
    """(the group of many same-kind controls ``key`` belongs to or None, its timed moves)."""
    group = next((g for g in FEWER_REPEATS if key.startswith(g)), None)
    return group, (min(repeats, FEWER_REPEATS[group]) if group else repeats)


def moves_plan(warm: bool, timed: int) -> list[bool]:
    """Per move, whether it is timed: a warm-up move first when ``warm``, then ``timed`` timed moves."""
    return [False] * warm + [True] * timed


def own_selector(cls: str, kind: str) -> str:
    """What the observer ignores as the control itself: the whole control, but for an expander its header
    only (what it shows when opened is the change to time)."""
    return f".{cls} summary" if kind == "stExpander" else f".{cls}"


def locate(page, cls: str):
    return page.locator(f"[data-testid='stMain'] .{cls}").first


# In one round trip: is the control drawn, enabled (its first field or button is not disabled: a number
# input's step buttons are, at the ends of its range or while it is empty) and visible; and the observer is
# told to ignore it as the control itself (``own_selector``)
PROBE = """([cls, own]) => {
    const box = document.querySelector('[data-testid="stMain"] .' + cls);
    window.__bench.own = own;
    if (!box) return {present: false, enabled: false, visible: false};
    const first = box.querySelector('input, textarea, button');
    return {present: true, enabled: !first || !(first.disabled || first.getAttribute('aria-disabled') === 'true'),
            visible: box.checkVisibility()};
}"""


def probe(page, cls: str, kind: str) -> dict:
    return page.evaluate(PROBE, [cls, own_selector(cls, kind)])


def kind_of(box) -> str:
    inner = box.locator("[data-testid]").first
    return (inner.get_attribute("data-testid") or "") if inner.count() else ""


def progress_files(folder: Path) -> list[Path]:
    """Two different progress files to upload in turn (each upload then changes what the page counts)."""
    from components import progress as pg
    from components import question_bank as qb

    ids = [q.id for q in qb.load()[:2]]
    docs = [pg.record_rating(pg.empty(), ids[0], pg.RATINGS[0]),
            pg.record_rating(pg.record_rating(pg.empty(), ids[0], pg.RATINGS[1]), ids[1], pg.RATINGS[2])]
    paths = [folder / f"progress-{i}.json" for i in range(len(docs))]
    for path, doc in zip(paths, docs):
        path.write_text(pg.encode(doc))
    return paths


def timed_move(page, box, kind: str, step: int, uploads: list[Path]) -> dict | None:
    """Press the control once and wait until the page is quiet; the observer's times (ms after the keydown),
    or None when this kind is not driven. A download is timed from the key press to the browser's download
    starting (in Python, a few ms of messaging included); an upload from the file chosen in the dialog."""
    if kind == "stDownloadButton":
        t = time.perf_counter()
        with page.expect_download(timeout=TIMEOUT_MS) as download:
            press(page, box, kind, step)
        arrived = (time.perf_counter() - t) * 1000
        download.value.cancel()
        wait_quiet(page)
        b = page.evaluate("() => window.__bench")
        last = max(arrived, b["last"] - b["t0"]) if b.get("last") is not None else arrived
        return {"t0": 0.0, "visible": arrived, "last": last,
                "chart": None if b.get("chart") is None else b["chart"] - b["t0"]}
    if kind == "stFileUploader":
        with page.expect_file_chooser(timeout=TIMEOUT_MS) as chooser:
            press(page, box, kind, step)
        page.evaluate("() => window.__benchStart()")
        chooser.value.set_files(uploads[step % len(uploads)])
        wait_quiet(page)
        return page.evaluate("() => window.__bench")
    if not press(page, box, kind, step):
        return None
    wait_quiet(page)
    return page.evaluate("() => window.__bench")


def setup_move(page, key: str) -> None:
    """Press ``key``'s control once, untimed, and wait until the page is quiet (a step towards a state)."""
    cls = css_class(key)
    box = locate(page, cls)
    reveal(page, box)
    kind = kind_of(box)
    found = probe(page, cls, kind)
    if not (found["present"] and found["enabled"]) or not press(page, box, kind, 0):
        raise RuntimeError(f"cannot press {key} on the way to the state to time")
    wait_quiet(page, quiet_ms=300)


def establish(page, url: str, via: Via) -> str:
    """Load ``url`` afresh (a new session, no stored progress) and make ``via``'s moves; its fingerprint."""
    open_fresh(page, url)
    for key in via.moves:
        setup_move(page, key)
    return fingerprint(page)


def bench_page(page, base: str, url_path: str, repeats: int, keys: list[str] | None = None,
               via: Via | str = Via(), skip: set[str] = frozenset(), uploads: list[Path] = ()) -> list[Timing]:
    """Each control from the page's default state, or the state ``via`` reaches. A control starts from a
    fresh load of that state unless the previous control left the page in it (same fingerprint). A move is
    made in the state the previous move left, except where the control is gone or disabled there (a button
    that moved the page on) or changes nothing when moved twice (FROM_STATE_EACH_MOVE): then the state is reached again first."""
    via = Via(via) if isinstance(via, str) else via
    url = f"{base}/{via.path or url_path}" + (f"?{via.query}" if via.query else "")
    if via.only is not None:
        keys = [k.replace(".", "-") for k in via.only if keys is None or k.replace(".", "-") in keys]
    label = via.label(url_path)
    state = establish(page, url, via)
    warmed: set[str] = set()
    out = []
    for cls, kind in controls_on(page):
        key = cls[len("st-key-"):]
        dotted = key.replace("-", ".", 1)
        if kind in NOT_CONTROLS or (keys is not None and key not in keys) or key in skip:
            continue
        if fingerprint(page) != state:  # the previous control left another state
            state = establish(page, url, via)
            warmed.clear()
        group, timed = fewer_repeats(dotted, repeats)
        plan = moves_plan(group is None or group not in warmed, timed)
        timing = Timing(label, key, kind)
        box = locate(page, cls)  # a locator: found again at each use
        for step, is_timed in enumerate(plan):
            found = probe(page, cls, kind)
            if step and (dotted in FROM_STATE_EACH_MOVE or not (found["present"] and found["enabled"])):
                establish(page, url, via)
                warmed.clear()
                found = probe(page, cls, kind)
            if found["present"] and not found["visible"]:
                reveal(page, box)
            if not (found["present"] and found["enabled"]):
                break
            try:
                b = timed_move(page, box, kind, step, uploads)
            except Exception:  # a run that never settles is reported, not fatal
                timing.unchanged += 1
                continue
            if b is None:
                break
            if not is_timed:
                continue  # the first move warms the path (fragment registration, caches of the page)
            if b.get("visible") is None:
                timing.unchanged += 1
                continue
            t0 = b["t0"]
            timing.visible.append(b["visible"] - t0)
            timing.last.append(b["last"] - t0)
            if b.get("chart") is not None:
                timing.chart.append(b["chart"] - t0)
        if group:
            warmed.add(group)
        if kind in TOGGLES and len(plan) % 2 and fingerprint(page) != state:
            found = probe(page, cls, kind)
            if found["present"] and found["enabled"] and press(page, locate(page, cls), kind, len(plan)):
                wait_quiet(page, quiet_ms=200)
                back_to(page, state)
        out.append(timing)
    return out


TARGETS = {"scrub": ("chart", 100), "visible": ("visible", 300), "last": ("last", 1000), "heavy": ("last", 2000)}


def target_of(t: Timing) -> tuple[str, float, list[float]]:
    """The issue's targets: a scrubbing control's charts updated within 100 ms (p95); any other control's
    first visible change within 300 ms and everything within 1 s, or 2 s when it feeds a heavy panel."""
    spec = next((p for p in catalog.PAGES if p.url_path == t.page.split("?")[0].split(" ")[0]), None)
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
    with streamlit_server() as base, chromium_page(1280, 900) as page, tempfile.TemporaryDirectory() as folder:
        # every load starts as a new visitor: no interview progress kept from an earlier control's moves
        page.context.add_init_script(CLEAR_STORAGE)
        uploads = progress_files(Path(folder))
        for url_path in pages:
            t = time.perf_counter()
            try:
                got = bench_page(page, base, url_path, repeats, uploads=uploads)
                for via in ENABLING.get(url_path, []):
                    more = bench_page(page, base, url_path, repeats, via=via, uploads=uploads,
                                      skip={t.key for t in got if t.visible})
                    timed = {t.key for t in more if t.visible}
                    got = [t for t in got if t.key not in timed] + [t for t in more if t.visible]
            except Exception as exc:
                print(f"  ({url_path}: stopped: {type(exc).__name__}: {str(exc)[:200]})", flush=True)
                continue
            timings += got
            print(f"  ({url_path}: {len(got)} controls, {time.perf_counter() - t:.0f} s)", flush=True)
    return timings, report(timings)


def pages_from(arg: str) -> list[str]:
    """The url paths --pages names (comma-separated), or every page of the catalog when it names none."""
    return [p for p in arg.split(",") if p] or [p.url_path for p in catalog.PAGES]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pages", default="", help="comma-separated url paths (default: every page)")
    ap.add_argument("--repeats", type=int, default=6)
    a = ap.parse_args()
    pages = pages_from(a.pages)
    _, (met, total) = run(pages, a.repeats)
    print(f"\nSUMMARY (Chromium): {met} of {total} controls meet their target")


if __name__ == "__main__":
    main()
