"""What a visitor can see of the server: a short error, never a traceback, a message or a path."""
from __future__ import annotations

import tomllib
from pathlib import Path

from streamlit import config
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent


def deployed_error_details() -> str:
    return tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())["client"]["showErrorDetails"]


def test_visitors_see_a_short_error_without_traceback_message_or_path():
    """The deployed config's value, applied to a page that fails with a server path in its message:
    the error box keeps the exception's type and Streamlit's generic sentence, nothing else."""
    value = deployed_error_details()
    assert value in ("type", "none")  # Streamlit 1.67's values; the legacy False still shows tracebacks
    before = config.get_option("client.showErrorDetails")
    config.set_option("client.showErrorDetails", value)
    try:
        at = AppTest.from_string("raise ValueError('/srv/app/components/secret.py: bad value 42')").run()
    finally:
        config.set_option("client.showErrorDetails", before)
    box = at.exception[0]
    shown = " ".join([box.value, box.message, *box.stack_trace, box.proto.message])
    assert not box.stack_trace and "secret" not in shown and "/srv" not in shown and "42" not in shown
    assert "error" in box.value.lower()
