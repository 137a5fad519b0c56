"""Load test: many visitors at once against a real Streamlit server, through Streamlit's own protocol.

    python scripts/load_test.py --sessions 30 --minutes 5 --phases 3     (what ``make load`` runs)
    python scripts/load_test.py --url http://127.0.0.1:8500 --pids 101,102  (a running server or nginx)

Each simulated visitor is what a browser tab does on the wire: it GETs the page (keeping its own
cookies, so a load balancer's sticky cookie works), opens the websocket at ``/_stcore/stream`` and sends
the ``BackMsg`` protobufs the frontend sends: a rerun with the page and the link's query string, then a
rerun with the new value of one widget (with the widget's fragment id when the widget sits in an
``st.fragment``, as the frontend does), or with another page's hash to navigate. It reads every
``ForwardMsg`` until the run's ``script_finished``. Half of the visitors arrive by a cold deep link (a
random page with random values for a few of its controls, learnt from what earlier runs drew), half open
Home and navigate; then each moves random controls, changes page, and now and then opens a new link,
with a few seconds of reading between moves, until the phase ends. Visitors arrive within the first
minute, as a class does when the teacher shares a link.

Why the protocol and not Chromium: the latency a class feels under load is the server's (the script
runs of every visitor share one Python process); the browser's own drawing time does not grow with the
number of visitors and ``make bench`` measures it. Thirty Chromium tabs would need ~3-5 GB and most of
the two cores this runs on, so the load generator would mostly measure itself; thirty protocol clients
cost a few per cent of one core.

Reported: errors (exception boxes, error boxes, "Page not found", lost connections, runs that never
finish), interactions done, latency per interaction (median and p95, per kind: open, navigate, move),
the server's resident memory over time (``/proc/<pid>/status``) and its largest caches
(``/_stcore/metrics``). Exits non-zero on any error, or when a memory target given is missed.
A first "tour" phase is one visitor alone seeing every page: the single-user latency and memory figure.
"""
from __future__ import annotations

import argparse
import asyncio
import http.cookiejar
import json
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import websockets  # noqa: E402  (installed with streamlit)
from streamlit.proto.Alert_pb2 import Alert  # noqa: E402
from streamlit.proto.BackMsg_pb2 import BackMsg  # noqa: E402
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg  # noqa: E402
from streamlit.proto.Slider_pb2 import Slider  # noqa: E402
from streamlit.proto.WidgetStates_pb2 import WidgetState  # noqa: E402

from components import catalog  # noqa: E402

PAGES = ("",) + tuple(p.url_path for p in catalog.PAGES)  # "" is Home
MOVABLE = ("slider", "selectbox", "radio", "checkbox", "number_input", "multiselect", "button_group")
RUN_TIMEOUT = 180.0  # seconds a run may take before it counts as never finishing
FINISHED_OK = (ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY)


# ------------------------------------------------------------------------------------ widgets
@dataclass
class Widget:
    id: str
    key: str  # the widget's key (its URL parameter)
    kind: str  # the Element oneof: slider, selectbox, ...
    proto: object
    fragment_id: str  # "" outside fragments


def _widget_key(wid: str, proto) -> str:
    key = getattr(proto, "query_param_key", "")
    return key or (wid.split("-", 2)[2] if wid.startswith("$$ID-") and wid.count("-") >= 2 else "")


def random_choice(w: Widget, rng: random.Random) -> tuple[WidgetState, list[str]] | None:
    """A random valid value for a widget: (its WidgetState, the same value as URL values), or None."""
    p, s = w.proto, WidgetState(id=w.id)
    if w.kind == "slider":
        if p.options:  # a select slider: values are the formatted options
            n = 2 if len(p.default) == 2 else 1
            picked = sorted(rng.sample(range(len(p.options)), n)) if len(p.options) >= n else [0] * n
            values = [p.options[i] for i in picked]
            s.string_array_value.data.extend(values)
            return s, values
        if p.data_type not in (Slider.INT, Slider.FLOAT) or p.step <= 0:
            return None
        steps = int(round((p.max - p.min) / p.step))
        picked = sorted(rng.randint(0, steps) for _ in range(2 if len(p.default) == 2 else 1))
        values = [round(p.min + i * p.step, 10) for i in picked]
        if p.data_type == Slider.INT:
            values = [int(round(v)) for v in values]
        s.double_array_value.data.extend(values)
        return s, [str(v) for v in values]
    if w.kind in ("selectbox", "radio"):
        if not p.options:
            return None
        value = rng.choice(list(p.options))
        s.string_value = value
        return s, [value]
    if w.kind == "checkbox":
        value = rng.random() < 0.5
        s.bool_value = value
        return s, ["true" if value else "false"]
    if w.kind == "number_input":
        step = p.step or 1
        value = p.default + step * rng.randint(-5, 5)
        if p.has_min:
            value = max(value, p.min)
        if p.has_max:
            value = min(value, p.max)
        if p.data_type == p.INT:
            s.int_value = int(value)
            return s, [str(int(value))]
        s.double_value = float(value)
        return s, [str(value)]
    if w.kind in ("multiselect", "button_group"):
        options = [o.content for o in p.options] if w.kind == "button_group" else list(p.options)
        if not options:
            return None
        single = w.kind == "button_group" and p.click_mode == p.SINGLE_SELECT
        values = [rng.choice(options)] if single else rng.sample(options, rng.randint(1, min(3, len(options))))
        s.string_array_value.data.extend(values)
        return s, values
    return None


# ------------------------------------------------------------------------------------ statistics
@dataclass
class Stats:
    latencies: dict[str, list[float]] = field(default_factory=lambda: {"open": [], "navigate": [], "move": []})
    errors: list[str] = field(default_factory=list)
    known: dict[str, dict[str, Widget]] = field(default_factory=dict)  # page -> key -> widget, for deep links

    def interactions(self) -> int:
        return sum(len(v) for v in self.latencies.values())


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, int(round(q * (len(ordered) - 1)))))]


def summary(values: list[float]) -> dict:
    return {"n": len(values), "median_s": round(statistics.median(values), 3) if values else None,
            "p95_s": round(percentile(values, 0.95), 3) if values else None,
            "max_s": round(max(values), 3) if values else None}


# ------------------------------------------------------------------------------------ a visitor
class RunError(Exception):
    pass


class Visitor:
    """One browser tab: its cookies, its websocket, the widgets of its current page."""

    def __init__(self, base: str, name: str, rng: random.Random, stats: Stats):
        self.base, self.name, self.rng, self.stats = base.rstrip("/"), name, rng, stats
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        self.ws = None
        self.page = ""
        self.query = ""
        self.pages: dict[str, str] = {}  # url path -> page script hash (from new_session)
        self.widgets: dict[str, Widget] = {}
        self.states: dict[str, WidgetState] = {}  # values this visitor set, sent with every rerun

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()
            self.ws = None

    async def open(self, page: str, query: str, kind: str = "open") -> None:
        """A new tab on ``/<page>?<query>``: GET the page (cookies), then a new websocket session."""
        await self.close()
        url = f"{self.base}/{page}" + (f"?{query}" if query else "")
        t0 = time.perf_counter()
        await asyncio.to_thread(lambda: self.opener.open(url, timeout=60).read())
        cookie = "; ".join(f"{c.name}={c.value}" for c in self.jar)
        ws_url = "ws" + self.base[4:] + "/_stcore/stream"
        self.ws = await websockets.connect(
            ws_url, subprotocols=["streamlit"], origin=self.base, max_size=None, ping_interval=None,
            additional_headers={"Cookie": cookie} if cookie else None, open_timeout=60)
        self.page, self.query, self.widgets, self.states = page, query, {}, {}
        msg = BackMsg()
        msg.rerun_script.query_string = query
        msg.rerun_script.page_name = page
        await self._run(msg, kind, t0=t0)

    async def navigate(self, page: str) -> None:
        """Click another page in the sidebar: same session, that page's script hash."""
        msg = BackMsg()
        msg.rerun_script.page_script_hash = self.pages.get(page, "")
        msg.rerun_script.page_name = page
        msg.rerun_script.query_string = self.query
        msg.rerun_script.widget_states.widgets.extend(self.states.values())
        self.page = page
        await self._run(msg, "navigate")

    async def move(self) -> bool:
        """Move one random control of the page to a random valid value; False when none can move."""
        movable = [w for w in self.widgets.values() if w.kind in MOVABLE and w.key and not w.proto.disabled]
        self.rng.shuffle(movable)
        for w in movable:
            choice = random_choice(w, self.rng)
            if choice is None:
                continue
            self.states[w.id] = choice[0]
            msg = BackMsg()
            msg.rerun_script.page_script_hash = self.pages.get(self.page, "")
            msg.rerun_script.page_name = self.page
            msg.rerun_script.query_string = self.query
            msg.rerun_script.fragment_id = w.fragment_id
            msg.rerun_script.widget_states.widgets.extend(self.states.values())
            await self._run(msg, "move", what=w.key)
            return True
        return False

    async def _run(self, msg: BackMsg, kind: str, t0: float | None = None, what: str = "") -> None:
        t0 = time.perf_counter() if t0 is None else t0
        fragment = msg.rerun_script.fragment_id
        where = f"{self.name} {kind} /{self.page}" + (f" {what}" if what else "")
        try:
            await self.ws.send(msg.SerializeToString())
            errors, seen = await asyncio.wait_for(self._read_until_finished(fragment), RUN_TIMEOUT)
        except asyncio.TimeoutError:
            self.stats.errors.append(f"{where}: run never finished within {RUN_TIMEOUT:.0f} s")
            await self.close()
            raise RunError from None
        except websockets.ConnectionClosed as exc:
            self.stats.errors.append(f"{where}: lost connection ({exc})")
            self.ws = None
            raise RunError from None
        self.stats.latencies[kind].append(time.perf_counter() - t0)
        self.stats.errors.extend(f"{where}: {e}" for e in errors)
        if not fragment:  # a full run redraws the page: forget widgets it no longer shows
            self.widgets = seen
            self.states = {i: s for i, s in self.states.items() if i in seen}
        else:
            self.widgets.update(seen)
        known = self.stats.known.setdefault(self.page, {})
        for w in seen.values():
            if w.key and getattr(w.proto, "query_param_key", ""):
                known.setdefault(w.key, w)
        if errors:
            raise RunError

    async def _read_until_finished(self, fragment: str) -> tuple[list[str], dict[str, Widget]]:
        errors: list[str] = []
        seen: dict[str, Widget] = {}
        while True:
            raw = await self.ws.recv()
            fwd = ForwardMsg()
            fwd.ParseFromString(raw)
            kind = fwd.WhichOneof("type")
            if kind == "new_session":
                self.pages.update({p.url_pathname: p.page_script_hash for p in fwd.new_session.app_pages})
            elif kind == "page_info_changed":
                self.query = fwd.page_info_changed.query_string
            elif kind == "page_not_found":
                errors.append(f"Page not found ({fwd.page_not_found.page_name!r})")
            elif kind == "delta" and fwd.delta.WhichOneof("type") == "new_element":
                el = fwd.delta.new_element
                ek = el.WhichOneof("type")
                if ek == "exception":
                    errors.append(f"exception box: {el.exception.type}: {el.exception.message[:200]}")
                elif ek == "alert" and el.alert.format == Alert.ERROR:
                    errors.append(f"error box: {el.alert.body[:200]}")
                elif ek in MOVABLE or ek in ("text_input", "text_area", "file_uploader", "button"):
                    proto = getattr(el, ek)
                    wid = getattr(proto, "id", "")
                    if wid:
                        seen[wid] = Widget(wid, _widget_key(wid, proto), ek, proto, fwd.delta.fragment_id or fragment)
            elif kind == "script_finished":
                status = fwd.script_finished
                if status == ForwardMsg.FINISHED_WITH_COMPILE_ERROR:
                    errors.append("script finished with a compile error")
                if status in FINISHED_OK or status == ForwardMsg.FINISHED_WITH_COMPILE_ERROR:
                    return errors, seen

    def deep_link(self) -> tuple[str, str]:
        """A random page and a query string with random values for up to three of its known controls."""
        page = self.rng.choice(PAGES)
        params: dict[str, list[str]] = {"app.seed": [str(self.rng.randint(0, 9999))]} if self.rng.random() < 0.3 else {}
        known = list(self.stats.known.get(page, {}).values())
        for w in self.rng.sample(known, min(len(known), self.rng.randint(1, 3))):
            if w.kind in MOVABLE and w.key.split(".")[0] != "app":
                choice = random_choice(w, self.rng)
                if choice is not None:
                    params[w.key] = choice[1]
        return page, urlencode(params, doseq=True)


async def visitor_loop(v: Visitor, deadline: float, arrive_within: float, think: tuple[float, float]) -> None:
    """Arrive (half by a cold deep link), then move controls, change page, now and then open a new link."""
    await asyncio.sleep(v.rng.uniform(0, arrive_within))
    fresh = True
    while time.monotonic() < deadline:
        try:
            if fresh:
                fresh = False
                if v.rng.random() < 0.5:
                    await v.open(*v.deep_link())
                else:
                    await v.open("", "")
                    await asyncio.sleep(v.rng.uniform(*think))
                    await v.navigate(v.rng.choice(PAGES[1:]))
            else:
                r = v.rng.random()
                if r < 0.75:
                    if not await v.move():
                        await v.navigate(v.rng.choice(PAGES))
                elif r < 0.92:
                    await v.navigate(v.rng.choice([p for p in PAGES if p != v.page]))
                else:
                    fresh = True
                    continue
        except RunError:
            fresh = True  # after an error the tab is reloaded, as a visitor would
        except (OSError, websockets.InvalidHandshake, websockets.ConnectionClosed) as exc:
            v.stats.errors.append(f"{v.name}: could not connect ({type(exc).__name__}: {exc})")
            fresh = True
        await asyncio.sleep(min(v.rng.uniform(*think), max(0.0, deadline - time.monotonic())))
    await v.close()


async def tour(base: str, stats: Stats, seed: int, moves_per_page: int = 2) -> None:
    """One visitor alone: Home, then every page from the navigation, moving a few controls on each."""
    v = Visitor(base, "tour", random.Random(seed), stats)
    await v.open("", "")
    for page in PAGES[1:]:
        try:
            await v.navigate(page)
            for _ in range(moves_per_page):
                await v.move()
        except RunError:
            await v.open(page, "")
    await v.close()


# ------------------------------------------------------------------------------------ the server
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_healthy(base: str, timeout: float = 120, proc: subprocess.Popen | None = None) -> None:
    end = time.time() + timeout
    while time.time() < end:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"the server exited with {proc.returncode}")
        try:
            if urllib.request.urlopen(base + "/_stcore/health", timeout=2).read() == b"ok":
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"{base} did not become healthy in {timeout:.0f} s")


def start_server(port: int, log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
         "--server.port", str(port), "--server.address", "127.0.0.1", "--server.fileWatcherType", "none",
         "--browser.gatherUsageStats", "false"],
        cwd=ROOT, stdout=log.open("w"), stderr=subprocess.STDOUT)


def rss_mb(pids: list[int]) -> float:
    """Resident memory of the largest server process (MB), from /proc: VmRSS. With replicas each
    process is a separate budget (one machine or container each), so the largest one is what counts."""
    sizes = [0.0]
    for pid in pids:
        try:
            text = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        sizes.append(int(re.search(r"VmRSS:\s+(\d+) kB", text).group(1)) / 1024)
    return max(sizes)


def cpu_seconds(pids: list[int]) -> float:
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / ticks  # utime + stime
    return total


def loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def cache_sizes(bases: list[str]) -> dict[str, int]:
    """Bytes per cached function, summed over the servers (Streamlit's /_stcore/metrics)."""
    sizes: dict[str, int] = {}
    for base in bases:
        try:
            text = urllib.request.urlopen(base + "/_stcore/metrics", timeout=30).read().decode()
        except OSError:
            continue
        for m in re.finditer(r'^cache_memory_bytes\{cache_type="(\w+)",cache="([^"]*)"\} (\d+)', text, re.M):
            name = f"{m.group(2) or m.group(1)} ({m.group(1)})"
            sizes[name] = sizes.get(name, 0) + int(m.group(3))
    return dict(sorted(sizes.items(), key=lambda kv: -kv[1]))


class MemoryWatch:
    """Samples the servers' RSS every second while a phase runs."""

    def __init__(self, pids: list[int]):
        self.pids, self.samples = pids, []  # (seconds since start, MB, load average)
        self.t0 = time.monotonic()

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            self.samples.append((round(time.monotonic() - self.t0, 1), round(rss_mb(self.pids), 1), loadavg()))
            try:
                await asyncio.wait_for(stop.wait(), 1.0)
            except asyncio.TimeoutError:
                pass

    def now(self) -> float:
        return round(rss_mb(self.pids), 1)


async def phase(base: str, sessions: int, seconds: float, seed: int, watch: MemoryWatch,
                think: tuple[float, float]) -> Stats:
    stats = Stats()
    deadline = time.monotonic() + seconds
    stop = asyncio.Event()
    sampler = asyncio.create_task(watch.run(stop))
    rng = random.Random(seed)
    visitors = [Visitor(base, f"v{i}", random.Random(rng.random()), stats) for i in range(sessions)]
    arrive = min(60.0, seconds / 3)
    await asyncio.gather(*(visitor_loop(v, deadline, arrive, think) for v in visitors))
    stop.set()
    await sampler
    return stats


def report_phase(name: str, stats: Stats, seconds: float, cpu: float) -> dict:
    all_lat = [x for v in stats.latencies.values() for x in v]
    out = {"phase": name, "interactions": stats.interactions(),
           "per_minute": round(stats.interactions() / (seconds / 60), 1),
           "server_cpu_s": round(cpu, 1), "errors": len(stats.errors), "latency": summary(all_lat),
           **{k: summary(v) for k, v in stats.latencies.items()}, "load_average": loadavg()}
    lat = out["latency"]
    print(f"  {name}: {out['interactions']} interactions ({out['per_minute']}/min), server CPU {out['server_cpu_s']} s, "
          f"errors {out['errors']}; latency median {lat['median_s']} s, p95 {lat['p95_s']} s, max {lat['max_s']} s; "
          + ", ".join(f"{k} {out[k]['n']}× median {out[k]['median_s']} p95 {out[k]['p95_s']}"
                      for k in ("open", "navigate", "move")) + f"; load average {out['load_average']}", flush=True)
    for e in list(dict.fromkeys(stats.errors))[:20]:
        print(f"    ERROR {e}", flush=True)
    return out


async def main_async(args) -> int:
    server = stack = None
    log = Path(args.log)
    # Servers started here report what their st.cache_resource entries hold in bytes (not a count);
    # it costs a walk over the cached objects, once per phase.
    os.environ["STREAMLIT_SERVER_ENABLE_EXPENSIVE_MEMORY_STATS"] = "true"
    if args.replicas:
        sys.path.insert(0, str(ROOT / "deploy"))
        from replicas import Stack

        stack = Stack(args.replicas, free_port(), Path(tempfile.mkdtemp(prefix="ml-explorer-load-")))
        try:
            stack.start()
        except BaseException:
            stack.stop()
            raise
        base, pids, metric_bases = stack.base, stack.pids, stack.app_bases
        print(f"{args.replicas} replicas behind nginx (deploy/replicas.py): {', '.join(stack.app_bases)}; "
              f"logs in {stack.run_dir}", flush=True)
    elif args.url:
        base = args.url.rstrip("/")
        pids = [int(p) for p in args.pids.split(",") if p] if args.pids else []
        metric_bases = [b.rstrip("/") for b in args.metrics.split(",")] if args.metrics else [base]
    else:
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = start_server(port, log)
        pids, metric_bases = [server.pid], [base]
    failures: list[str] = []
    result: dict = {"sessions": args.sessions, "seconds": args.seconds, "phases": args.phases, "url": base,
                    "replicas": args.replicas or 1, "load_average_start": loadavg()}
    try:
        wait_healthy(base, proc=server)
        watch = MemoryWatch(pids)
        print(f"load test on {base}: server RSS {watch.now()} MB at start; load average {loadavg()}", flush=True)
        if args.tour:
            stats, t0, c0 = Stats(), time.monotonic(), cpu_seconds(pids)
            await tour(base, stats, args.seed)
            result["tour"] = report_phase("tour (one visitor, every page)", stats, time.monotonic() - t0,
                                          cpu_seconds(pids) - c0)
            result["tour"]["rss_mb"] = watch.now()
            print(f"    server RSS after one visitor saw every page: {result['tour']['rss_mb']} MB", flush=True)
            if stats.errors:
                failures.append("errors in the tour")
            if args.max_tour_rss and result["tour"]["rss_mb"] > args.max_tour_rss:
                failures.append(f"RSS after the tour {result['tour']['rss_mb']} MB > {args.max_tour_rss} MB")
        result["runs"] = []
        for i in range(args.phases):
            t0, c0 = time.monotonic(), cpu_seconds(pids)
            stats = await phase(base, args.sessions, args.seconds, args.seed + i + 1, watch,
                                (args.think_min, args.think_max))
            out = report_phase(f"phase {i + 1} ({args.sessions} sessions × {args.seconds:.0f} s)", stats,
                               time.monotonic() - t0, cpu_seconds(pids) - c0)
            phase_samples = [s for s in watch.samples if s[0] >= t0 - watch.t0]
            during = [s[1] for s in phase_samples]
            out["rss_peak_mb"] = max(during) if during else None
            print("    server RSS every 30 s (MB): " + " ".join(f"{s[1]:.0f}" for s in phase_samples[::30]), flush=True)
            out["rss_end_mb"] = watch.now()
            if args.settle:
                print(f"    sessions closed; waiting {args.settle:.0f} s for the server to let them go", flush=True)
                await asyncio.sleep(args.settle)
            out["rss_after_mb"] = watch.now()
            sizes = cache_sizes(metric_bases)
            out["caches_total_mb"] = round(sum(v for k, v in sizes.items() if "st_cache_data" in k) / 2**20, 1)
            out["caches_mb"] = {k: round(v / 2**20, 2) for k, v in list(sizes.items())[:12]}
            out["error_messages"] = list(dict.fromkeys(stats.errors))[:50]
            print(f"    server RSS: peak {out['rss_peak_mb']} MB, at the end {out['rss_end_mb']} MB, "
                  f"after they left {out['rss_after_mb']} MB", flush=True)
            print(f"    st.cache_data holds {out['caches_total_mb']} MB; largest caches (MB): " + ", ".join(f"{k} {v}" for k, v in list(out["caches_mb"].items())[:6]),
                  flush=True)
            result["runs"].append(out)
            if stats.errors:
                failures.append(f"{len(stats.errors)} errors in phase {i + 1}")
            if args.max_rss and out["rss_peak_mb"] and out["rss_peak_mb"] > args.max_rss:
                failures.append(f"peak RSS {out['rss_peak_mb']} MB > {args.max_rss} MB in phase {i + 1}")
        ends = [r["rss_after_mb"] for r in result["runs"]]
        if len(ends) >= 3 and args.growth:
            spread = (max(ends[-3:]) - min(ends[-3:])) / min(ends[-3:])
            result["rss_spread_last_three"] = round(spread, 3)
            print(f"  RSS after each phase: {ends} MB (last three within {spread:.1%})", flush=True)
            if spread > args.growth:
                failures.append(f"RSS after the last three phases spreads {spread:.1%} > {args.growth:.0%}")
        result["rss_timeline"] = watch.samples
    finally:
        if stack is not None:
            stack.stop()
        if server is not None:
            server.terminate()
            try:
                server.wait(15)
            except subprocess.TimeoutExpired:
                server.kill()
    result["failures"] = failures
    result["load_average_end"] = loadavg()
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=1))
    print("PASS" if not failures else "FAIL: " + "; ".join(failures), flush=True)
    return 1 if failures else 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sessions", type=int, default=30, help="visitors at once")
    ap.add_argument("--minutes", type=float, default=5.0, help="length of each load phase")
    ap.add_argument("--phases", type=int, default=3, help="load phases in a row (memory must not grow)")
    ap.add_argument("--settle", type=float, default=150.0,
                    help="seconds to wait after a phase before measuring memory (Streamlit keeps a closed "
                         "session for server.disconnectedSessionTTL, 120 s)")
    ap.add_argument("--tour", action=argparse.BooleanOptionalAction, default=True,
                    help="first, one visitor alone sees every page (single-user latency and memory)")
    ap.add_argument("--think-min", type=float, default=1.0, help="seconds a visitor reads between moves (min)")
    ap.add_argument("--think-max", type=float, default=4.0, help="(max)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--replicas", type=int, default=0,
                    help="start this many app processes behind nginx (deploy/replicas.py) and test through nginx")
    ap.add_argument("--url", help="test a running server (or nginx) instead of starting one")
    ap.add_argument("--pids", help="with --url: the server processes whose memory to sample (comma-separated)")
    ap.add_argument("--metrics", help="with --url: base URLs whose /_stcore/metrics to read (default: --url)")
    ap.add_argument("--max-tour-rss", type=float, default=600.0,
                    help="MB after the tour, largest process (0: no check)")
    ap.add_argument("--max-rss", type=float, default=1500.0,
                    help="peak MB during the phases, largest process (0: no check)")
    ap.add_argument("--growth", type=float, default=0.10,
                    help="the RSS after the last three phases must lie within this fraction (0: no check)")
    ap.add_argument("--json", help="write every number here")
    ap.add_argument("--log", default="/tmp/ml-explorer-load-server.log", help="the started server's output")
    args = ap.parse_args(argv)
    args.seconds = args.minutes * 60
    return asyncio.run(main_async(args))


if __name__ == "__main__":
    sys.exit(main())
