"""The load test in short (``make load`` runs the full one): a few visitors at once against a real
server for half a minute, half of them by cold deep links, every run finished without an error."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_a_few_concurrent_visitors_get_no_error(tmp_path):
    out = tmp_path / "load.json"
    done = subprocess.run(
        [sys.executable, "scripts/load_test.py", "--sessions", "4", "--minutes", "0.4", "--phases", "1",
         "--settle", "0", "--no-tour", "--max-rss", "0", "--max-tour-rss", "0", "--think-min", "0.5",
         "--think-max", "2", "--json", str(out), "--log", str(tmp_path / "server.log")],
        cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    run = json.loads(out.read_text())["runs"][0]
    assert run["errors"] == 0 and run["interactions"] >= 8, run
    assert run["open"]["n"] >= 4 and run["move"]["n"] >= 1, run
