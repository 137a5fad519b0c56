"""Helpers to drive pages through Streamlit's AppTest, starting from app.py as a user would."""
from __future__ import annotations

import json
from pathlib import Path

from streamlit.testing.v1 import AppTest

from components import catalog

ROOT = Path(__file__).resolve().parent.parent
HOME = "views/home.py"
ALL_PAGES = [HOME] + [p.path for p in catalog.PAGES]

# Widget collections that AppTest exposes and the sweep knows how to move.
WIDGET_TYPES = ("slider", "select_slider", "selectbox", "radio", "multiselect", "number_input",
                "toggle", "checkbox", "button_group", "text_input", "text_area")


def open_page(path: str = HOME, query: dict | None = None, timeout: float = 120) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=timeout)
    for k, v in (query or {}).items():
        at.query_params[k] = v
    at.run()
    if path != HOME:
        at.switch_page(path)
        at.run()
    return at


def problems(at: AppTest) -> list[str]:
    """Exceptions, error boxes and deprecation notices on screen."""
    out = [f"exception: {e.value}" for e in at.exception]
    out += [f"error box: {e.value}" for e in at.error]
    out += [f"warning: {w.value}" for w in at.warning if "deprecat" in str(w.value).lower()]
    return out


def assert_clean(at: AppTest, context: str = "") -> None:
    found = problems(at)
    assert not found, f"{context}: " + "; ".join(found)


def widgets(at: AppTest) -> dict[str, tuple[str, object]]:
    """Every keyed widget on screen: key -> (type name, element)."""
    found: dict[str, tuple[str, object]] = {}
    for kind in WIDGET_TYPES:
        for w in getattr(at, kind):
            if getattr(w, "key", None):
                found[w.key] = (kind, w)
    return found


def chart_specs(at: AppTest) -> list[dict]:
    return [json.loads(c.proto.spec) for c in at.get("vega_lite_chart")]


def metric_values(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def run_exported_script(code: str, timeout: float = 300) -> dict:
    """Run a "Show the code" script in a fresh interpreter; its last stdout line is a JSON object
    of the numbers the page shows (the convention every exported script follows)."""
    import subprocess
    import sys
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "exported.py"
        script.write_text(code)
        done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                              timeout=timeout, cwd=tmp)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def recording(calls: list, name: str, fn):
    """``fn``, appending ``name`` to ``calls`` on every call: for tests of the order panels compute in."""
    def run(*args, **kwargs):
        calls.append(name)
        return fn(*args, **kwargs)
    return run
