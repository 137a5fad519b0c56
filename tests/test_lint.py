"""The repository passes ruff with the rules in ruff.toml (imports sorted, no unused names, no syntax slips)."""
import subprocess
import sys

from tests.apptest_utils import ROOT


def test_ruff_is_clean():
    done = subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", str(ROOT)], capture_output=True,
                          text=True, cwd=ROOT)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-1000:]
