"""Memory stays bounded on a shared server: every cache has a bound, st.cache_data has a total size
budget, and freed memory goes back to the system. ``make load`` measures the result (README)."""
from __future__ import annotations

import ast
import threading
import tomllib
from pathlib import Path

from streamlit.byte_util import config_max_cache_data_size_to_bytes

ROOT = Path(__file__).resolve().parent.parent


def _cache_decorators():
    """(where, decorator call, function) for every st.cache_data / st.cache_resource in the app."""
    for path in [ROOT / "app.py", *sorted((ROOT / "views").rglob("*.py")), *sorted((ROOT / "components").rglob("*.py"))]:
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if not isinstance(node, ast.FunctionDef):
                continue
            for dec in node.decorator_list:
                target = dec.func if isinstance(dec, ast.Call) else dec
                if isinstance(target, ast.Attribute) and target.attr in ("cache_data", "cache_resource"):
                    yield f"{path.relative_to(ROOT)}:{node.lineno} {node.name}", dec, node


def test_every_cache_is_bounded_by_its_number_of_entries():
    """A cache with arguments keeps at most max_entries results; one without arguments holds one."""
    unbounded = []
    for where, dec, fn in _cache_decorators():
        has_args = bool(fn.args.args or fn.args.posonlyargs or fn.args.kwonlyargs or fn.args.vararg)
        bounded = isinstance(dec, ast.Call) and any(k.arg == "max_entries" for k in dec.keywords)
        if has_args and not bounded:
            unbounded.append(where)
    assert not unbounded, unbounded


def test_st_cache_data_has_a_total_size_budget():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    budget = config_max_cache_data_size_to_bytes(config["server"]["maxCacheDataSize"])
    assert budget is not None and 64 * 2**20 <= budget <= 256 * 2**20


def test_freed_memory_is_given_back_on_glibc():
    from components.ui import memory

    assert memory.give_back_freed_memory() is True  # Linux with glibc, as on Community Cloud
    assert memory.give_back_freed_memory() is True  # a second call (every run calls it) starts nothing
    assert sum(t.name == memory.THREAD_NAME and t.daemon for t in threading.enumerate()) == 1
