"""The learner's interview progress, kept in their own browser (localStorage), never on the server.

The document (components/progress.py) lives in the session while a page is open. A tiny Streamlit
component (``st.components.v2.component``, JavaScript only, no HTML) bridges it to the browser:

- :func:`load`, drawn once per page run, asks the browser for the stored document the first time in a
  session; the answer arrives as the component's ``stored`` state and is merged, in a callback (so
  before the page draws), with anything the learner did in the meantime (:func:`progress.combine`).
- Every later run hands the browser the current document to store (``save``). Nothing is written
  before the stored copy has arrived, so opening a page never wipes what the browser kept.
- :func:`save` does the same from inside a fragment, whose reruns do not reach the page-level mount.

Changes go through :func:`update` in widget callbacks, which run before the page does, so the document
handed to the browser in a run already holds that run's change. :func:`file_panel` offers the same
document as a download and takes it back as an upload (another browser, another machine).
"""
from __future__ import annotations

from typing import Callable

import streamlit as st
import streamlit.components.v2 as components_v2

from components import progress as pg

STORAGE_KEY = "ml-explorer.interview-progress.v1"  # the browser's localStorage entry
DOC = "_interview.progress"  # session: the progress document
LOADED = "_interview.progress_loaded"  # session: the browser's stored copy has been merged
GENERATION = "_interview.progress_generation"  # session: +1 whenever the document is replaced from outside
MESSAGE = "_interview.progress_message"  # session: what the last upload did
LOAD_KEY, UPLOAD_KEY, FORGET_KEY = "interview.store", "interview.progress_file", "interview.progress_forget"

# Trusted, fixed code (no visitor content reaches it): store what Python passes, and read once when asked.
JS = """
export default function({ data, setStateValue }) {
  if (!data || !data.key) { return; }
  if (typeof data.save === "string") {
    try { window.localStorage.setItem(data.key, data.save); } catch (e) { /* storage blocked: no persistence */ }
  }
  if (data.read) {
    let stored = null;
    try { stored = window.localStorage.getItem(data.key); } catch (e) { stored = null; }
    setStateValue("stored", stored === null ? "" : stored);
  }
}
"""
_store = components_v2.component("ml_explorer_progress_store", js=JS)


def current() -> dict:
    return st.session_state.get(DOC) or pg.empty()


def generation() -> int:
    return st.session_state.get(GENERATION, 0)


def update(change: Callable[..., dict], *args) -> None:
    """Apply ``change(document, *args)`` (a components.progress function) to the session's document."""
    st.session_state[DOC] = change(current(), *args)


def replace(doc: dict, final: bool = False) -> None:
    """Put ``doc`` in place of the session's document (widgets that show it redraw from it). ``final``: it
    also replaces what the browser holds, which is then never read in this session."""
    st.session_state[DOC] = doc
    st.session_state[GENERATION] = generation() + 1
    if final:
        st.session_state[LOADED] = True


def _on_stored() -> None:
    if st.session_state.get(LOADED):
        return
    stored = (st.session_state.get(LOAD_KEY) or {}).get("stored")
    if stored is None:
        return
    st.session_state[LOADED] = True
    if stored:
        try:
            replace(pg.combine(pg.decode(stored), current()))
        except pg.ProgressError as exc:  # a corrupt entry: keep the session's, tell the learner, overwrite it later
            st.session_state[MESSAGE] = f"The progress stored in this browser could not be read ({exc}); starting afresh."


def _mount(key: str, read: bool, on_change: Callable | None) -> None:
    loaded = bool(st.session_state.get(LOADED))
    data = {"key": STORAGE_KEY, "read": read and not loaded, "save": pg.encode(current()) if loaded else None}
    kwargs = {"on_stored_change": on_change} if on_change else {}
    _store(key=key, data=data, default={"stored": None} if on_change else None, **kwargs)


def load() -> None:
    """Draw once per page run, outside fragments and near the top (the browser's answer then interrupts
    the first run early): reads the browser's copy once per session, then stores the current document
    after every run."""
    _mount(LOAD_KEY, True, _on_stored)


def save(site: str) -> None:
    """Draw at the end of a fragment whose controls change the document: stores it after the fragment's reruns."""
    _mount(f"interview.store_{site}", False, None)


def _on_upload() -> None:
    file = st.session_state.get(UPLOAD_KEY)
    if file is None:
        return
    try:
        replace(pg.decode(file.getvalue()), final=True)
        st.session_state[MESSAGE] = f"Progress loaded from {file.name}."
    except pg.ProgressError as exc:
        st.session_state[MESSAGE] = f"{file.name} was not loaded: {exc}."


def _forget() -> None:
    replace(pg.empty(), final=True)
    st.session_state[MESSAGE] = "Progress forgotten in this browser."


def file_panel() -> None:
    """Where the progress lives, and the file fallback: download it, upload it elsewhere, or forget it."""
    totals = pg.totals(current())
    with st.expander("Your progress: kept in this browser only"):
        st.caption("Ratings, results, STAR drafts and checklist ticks are stored in this browser's local storage, "
                   "never on the server, and nobody else can see them. Download them to keep a copy or to continue "
                   "on another browser; uploading a file replaces what this browser holds.")
        st.caption(f"Now: {totals['seen']} question(s) seen, {totals['rated']} rated, {totals['asked']} auto-graded "
                   f"item(s) answered, {len(current().get('star', {}))} STAR draft(s).")
        c1, c2, c3 = st.columns([1, 2, 1])
        c1.download_button("Download progress", pg.encode(current()), file_name=pg.FILE_NAME,
                           mime="application/json", key="interview.progress_download", icon=":material/download:")
        c2.file_uploader("Upload a progress file", type=["json"], key=UPLOAD_KEY, on_change=_on_upload,
                         label_visibility="collapsed")
        c3.button("Forget my progress", key=FORGET_KEY, on_click=_forget, icon=":material/delete:")
        message = st.session_state.pop(MESSAGE, None)
        if message:
            st.caption(message)
