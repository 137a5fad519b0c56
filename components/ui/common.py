"""Global controls (dataset, seed, presenter mode, share link) and helpers every page uses."""
from __future__ import annotations

import gc
import hashlib
import importlib
import re
import threading
from urllib.parse import urlencode

import pandas as pd
import streamlit as st
import streamlit.components.v2 as components_v2

from components import catalog, class_link, datasets, page_lessons
from components.ui import controls

# One source of truth for the global sidebar's keys, defaults and ranges.
DATASET_KEY, SEED_KEY, N_SAMPLES_KEY, NOISE_KEY, PRESENTER_KEY = (
    "app.dataset", "app.seed", "app.n_samples", "app.noise", "app.presenter")
UPLOAD_KEY, UPLOAD_TARGET_KEY = "app.upload", "app.upload_target"  # a file cannot live in a URL: not bound
DATASET_OPTIONS = (datasets.PAGE_PICK, *datasets.NAMES, datasets.UPLOAD)
SEED_DEFAULT, SEED_MIN, SEED_MAX = 42, 0, 9999
N_SAMPLES_DEFAULT, N_SAMPLES_MIN, N_SAMPLES_MAX, N_SAMPLES_STEP = 300, 50, 2000, 50
NOISE_DEFAULT, NOISE_MIN, NOISE_MAX, NOISE_STEP = 0.25, 0.0, 1.0, 0.05
NOT_HERE_HELP = "Not used on this page: it brings its own data. The value is kept for the other pages."
OWN_SETS_HELP = "Not used on this page: it picks its own 2-D set. The value is kept for the other pages."

# Metric labels and values are markdown containers too: the paragraph rule is kept to st.markdown, or
# it set a metric's value (and label) to 1.15rem, the value smaller than its label. Segmented controls
# wrap instead of scrolling sideways out of their column (six models did not fit at 1280 px).
PRESENTER_CSS = """<style>
html, body, [data-testid="stAppViewContainer"] { font-size: 19px; }
[data-testid="stMarkdown"] [data-testid="stMarkdownContainer"] p,
[data-testid="stMarkdown"] [data-testid="stMarkdownContainer"] li { font-size: 1.15rem; }
[data-testid="stMetricValue"], [data-testid="stMetricValue"] p { font-size: 2.4rem; line-height: 1.25; }
[data-testid="stMetricLabel"] p { font-size: 1rem; }
[data-testid="stButtonGroup"] div:has(> button) { flex-wrap: wrap; }
</style>"""


def global_sidebar(data: str = catalog.SHARED_DATASET) -> None:
    """Draw the controls every page shares. Called once per run from app.py with what the page
    takes from them (catalog.PageSpec.data): the ones it never reads are greyed out, with why, but
    keep their values (and their place in the URL) for the next page."""
    own_sets, own_data = data == catalog.OWN_2D_SETS, data == catalog.OWN_DATA
    with st.sidebar:
        choice = controls.bound(st.selectbox, "Dataset", DATASET_OPTIONS, index=0,
                              key=DATASET_KEY, disabled=own_sets or own_data,
                              help=(NOT_HERE_HELP if own_data else OWN_SETS_HELP if own_sets else
                                    "Each page's pick opens every page on the dataset that shows its lesson best. "
                                    "A dataset you pick is shared by every page; pages that need another kind "
                                    "of task say so."))
        if choice == datasets.UPLOAD:  # drawn on every page: an undrawn uploader would forget the file
            _upload_controls()
        # Enabled on every page that reads a dataset: pages that draw decision boundaries use the
        # generated 2-D sets even when the shared dataset is a table.
        generation_help = NOT_HERE_HELP if own_data else None
        controls.bound(st.slider, "Samples (generated 2-D sets)", N_SAMPLES_MIN, N_SAMPLES_MAX, N_SAMPLES_DEFAULT, N_SAMPLES_STEP,
                  key=N_SAMPLES_KEY, disabled=own_data, help=generation_help)
        controls.bound(st.slider, "Noise (generated 2-D sets)", NOISE_MIN, NOISE_MAX, NOISE_DEFAULT, NOISE_STEP,
                  key=NOISE_KEY, disabled=own_data, help=generation_help)
        controls.bound(st.number_input, "Random seed", SEED_MIN, SEED_MAX, SEED_DEFAULT, 1, key=SEED_KEY,
                        help="Every split, fold and model uses it: same seed, same numbers.")
        controls.bound(st.toggle, "Presenter mode", key=PRESENTER_KEY,
                  help="Bigger type for projectors; hides the code and the long explanations.")
        if choice != datasets.UPLOAD and not own_data:
            name = dataset_name()
            st.caption(("This page picks its own 2-D set; the samples and noise above apply to it." if own_sets else
                        f"Here: **{name}**. " + datasets.REGISTRY[name].description if choice == datasets.PAGE_PICK
                        else datasets.REGISTRY[name].description))
    if presenter():
        st.html(PRESENTER_CSS)


# What the labs import that Home does not (scikit-learn and SciPy: about 0.9 s on the 2-core host).
WARM_MODULES = ("sklearn.ensemble", "sklearn.linear_model", "sklearn.model_selection", "sklearn.metrics",
                "sklearn.pipeline", "sklearn.preprocessing", "sklearn.neighbors", "sklearn.svm", "sklearn.tree",
                "scipy.stats", "components.evaluation", "components.charts.evaluation")
WARM_UP_THREAD = "ml-explorer-warm-up"


@st.cache_resource(show_spinner=False)
def warm_up_in_background() -> threading.Thread:
    """Once per process, after the first page is drawn: import WARM_MODULES in a background thread, so
    a cold server draws Home without them and the first lab opened finds them loaded (or waits only for
    the rest), then move every object alive (modules, classes, the libraries' tables, the first caches)
    out of the cyclic garbage collector's reach. Its full collections walked them all: a ~100 ms pause
    on a random rerun (120 round-slider moves on the Ensembles lab: max 125 ms, 35-45 ms frozen). They
    live as long as the process anyway; objects made later are collected as before."""
    def work() -> None:
        for name in WARM_MODULES:
            importlib.import_module(name)
        gc.collect()
        gc.freeze()

    thread = threading.Thread(target=work, daemon=True, name=WARM_UP_THREAD)
    thread.start()
    return thread


def current_url() -> str:
    """The current view's full URL: every bound widget is in the query string."""
    params = {k: st.query_params.get_all(k) for k in st.query_params}
    query = urlencode(params, doseq=True)
    base = str(st.context.url or "").split("?")[0]
    return base + (("?" + query) if query else "")


@st.dialog("Share this view with the class", width="large")
def class_link_dialog() -> None:
    """The view's URL as a large QR code and as text, for students to open on their phones."""
    url = current_url()
    left, right = st.columns([1, 1])
    left.image(class_link.qr_png(url), caption="Scan to open this exact view", width=420)
    right.markdown("Or type this address:")
    right.code(url, language=None, wrap_lines=True)
    right.caption("The link holds every setting of the page, the seed included: everyone sees the same numbers. "
                  "Nothing about the visitor is in it.")


def presenter_bar() -> None:
    """In presenter mode the sidebar is collapsed: the class link stays one click away on the page."""
    if presenter():
        if st.button("Share with the class (QR code)", key="app.share_qr_top", icon=":material/qr_code_2:"):
            class_link_dialog()


# The view's address as text with a copy button. It is read in the browser: a panel that reruns alone
# (a fragment, such as a scrubbing threshold) changes the URL without rerunning this sidebar, and a
# link written by the server would then be stale. Not st.code: its first use on a page loads
# Streamlit's syntax highlighter (1.5 MB of JavaScript to parse: 0.25-0.4 s of a cold first page).
# Trusted, fixed code; the address is written as text, never as HTML.
SHARE_LINK_JS = """
export default function({ parentElement }) {
  if (parentElement.querySelector('.ml-share')) { return; }
  const box = document.createElement('div');
  box.className = 'ml-share';
  const link = document.createElement('code');
  const copy = document.createElement('button');
  copy.type = 'button';
  copy.textContent = 'Copy link';
  const show = () => { if (link.textContent !== window.location.href) { link.textContent = window.location.href; } };
  copy.addEventListener('click', async () => {
    show();
    try {
      await navigator.clipboard.writeText(link.textContent);
      copy.textContent = 'Copied';
    } catch (e) {  // no clipboard (plain http on another host): select the link for Ctrl+C
      window.getSelection().selectAllChildren(link);
      copy.textContent = 'Press Ctrl+C';
    }
    setTimeout(() => { copy.textContent = 'Copy link'; }, 1500);
  });
  box.append(link, copy);
  parentElement.appendChild(box);
  show();
  const timer = setInterval(() => { if (box.isConnected) { show(); } else { clearInterval(timer); } }, 300);
}
"""
SHARE_LINK_CSS = """
.ml-share code { display: block; font-family: var(--st-code-font, monospace); font-size: 0.8rem;
  overflow-wrap: anywhere; padding: 0.5rem 0.75rem; border-radius: 0.5rem;
  background: var(--st-code-background-color, rgba(128, 128, 128, 0.1)); color: var(--st-text-color); }
.ml-share button { margin-top: 0.25rem; font: inherit; font-size: 0.8rem; cursor: pointer; padding: 0.15rem 0.6rem;
  border-radius: 0.5rem; border: 1px solid var(--st-border-color, rgba(128, 128, 128, 0.4));
  background: var(--st-background-color, transparent); color: var(--st-text-color); }
"""
_share_link = components_v2.component("ml_explorer_share_link", js=SHARE_LINK_JS, css=SHARE_LINK_CSS)


def share_link_box() -> None:
    """Show a link that reproduces the current view, and the class link (QR) behind a button."""
    with st.sidebar:
        st.caption("Share this view")
        _share_link(key="app.share_link")
        if st.button("Share with the class (QR code)", key="app.share_qr", icon=":material/qr_code_2:"):
            class_link_dialog()


@st.cache_data(max_entries=8, show_spinner=False)
def _parse_upload(raw: bytes) -> pd.DataFrame:
    return datasets.read_csv(raw)


@st.cache_data(max_entries=8, show_spinner=False)
def _upload_dataset(raw: bytes, target: str) -> tuple[datasets.Dataset, list[str]]:
    return datasets.from_table(_parse_upload(raw), target)


def _upload_controls() -> None:
    """File and target pickers; a bad file gets a plain message, never a traceback."""
    file = st.file_uploader("CSV file (at most 20,000 rows)", type=["csv", "txt"], key=UPLOAD_KEY)
    if file is None:
        st.caption("Until a file is uploaded, each page uses its own pick.")
        return
    try:
        table = _parse_upload(file.getvalue())
        columns = list(table.columns)
        target = st.selectbox("Target column", columns, index=len(columns) - 1, key=UPLOAD_TARGET_KEY)
        ds, notes = _upload_dataset(file.getvalue(), target)
    except datasets.DatasetError as exc:  # the message repeats the file's names: shown as text, never as Markdown
        st.error(f"This file cannot be used: {controls.escape(str(exc))}")
        return
    st.caption(f"{len(ds.X)} rows, {ds.X.shape[1]} features, {ds.task}. " + controls.escape("; ".join(notes)))
    st.caption("The Evaluation cockpit uses your file; other pages use the built-in datasets.")


def uploaded_dataset() -> tuple[datasets.Dataset, str] | None:
    """The uploaded dataset and a digest of the file (for cache keys), when one is usable."""
    file = st.session_state.get(UPLOAD_KEY)
    target = st.session_state.get(UPLOAD_TARGET_KEY)
    if st.session_state.get(DATASET_KEY) != datasets.UPLOAD or file is None or target is None:
        return None
    raw = file.getvalue()
    try:
        ds, _ = _upload_dataset(raw, target)
    except datasets.DatasetError:
        return None
    return ds, hashlib.sha1(raw).hexdigest()


def presenter() -> bool:
    return bool(st.session_state.get(PRESENTER_KEY, False))


def seed() -> int:
    return int(st.session_state.get(SEED_KEY, SEED_DEFAULT))


def dataset_name() -> str:
    """The built-in dataset this page uses: the one picked in the sidebar, or the page's own lesson
    dataset (components/page_lessons.py) under "each page's pick" and while "your CSV" is chosen
    (an upload reaches only the pages that ask for it: see current_dataset)."""
    name = st.session_state.get(DATASET_KEY, datasets.PAGE_PICK)
    if name in (datasets.PAGE_PICK, datasets.UPLOAD):
        return page_lessons.dataset(st.session_state.get(PAGE_KEY, ""))
    return name


@st.cache_data(max_entries=32, show_spinner=False)
def _load(name: str, n_samples: int, noise: float, seed: int) -> datasets.Dataset:
    return datasets.load(name, n_samples=n_samples, noise=noise, seed=seed)


def dataset_key(allow_upload: bool = False) -> tuple:
    """Plain values that identify the current dataset, for cache keys of page computations."""
    upload = uploaded_dataset() if allow_upload else None
    if upload is not None:
        return (datasets.UPLOAD, upload[1], st.session_state.get(UPLOAD_TARGET_KEY))
    name = dataset_name()
    if name in datasets.TWO_D:
        return (name, int(st.session_state.get(N_SAMPLES_KEY, N_SAMPLES_DEFAULT)),
                float(st.session_state.get(NOISE_KEY, NOISE_DEFAULT)), seed())
    return (name,)


def current_dataset(allow_upload: bool = False) -> datasets.Dataset:
    """The dataset chosen in the sidebar, cached; generation parameters matter only for 2-D sets.
    Pages that handle any table pass allow_upload=True to get an uploaded CSV."""
    upload = uploaded_dataset() if allow_upload else None
    if upload is not None:
        return upload[0]
    name = dataset_name()
    return two_d_dataset(name) if name in datasets.TWO_D else _load(name, 0, 0.0, 0)


def two_d_dataset(name: str) -> datasets.Dataset:
    """A generated 2-D set (moons, circles, blobs, xor) with the sidebar's samples, noise and seed."""
    return _load(name, int(st.session_state.get(N_SAMPLES_KEY, N_SAMPLES_DEFAULT)),
                 float(st.session_state.get(NOISE_KEY, NOISE_DEFAULT)), seed())


def require_task(ds: datasets.Dataset, task: str) -> bool:
    """Tell the learner when the shared dataset does not fit this page; return whether it fits."""
    if ds.task == task:
        return True
    fitting = ", ".join(datasets.names(task=task))
    st.info(f"This page needs a {task} dataset and **{ds.name}** is {ds.task}. "
            f"Pick one of {fitting} in the sidebar.")
    return False


def show_code(code: str) -> None:
    """The "Show the code" expander: a runnable script for the current settings (hidden when presenting)."""
    if not presenter():
        with st.expander("Show the code (runnable scikit-learn script for these settings)"):
            st.code(code, language="python")


def first_sentence(text: str) -> tuple[str, str]:
    """(the first sentence, the rest) of a Markdown paragraph; a sentence ends at . ! or ? followed by
    a space and a capital, a digit or Markdown emphasis."""
    parts = re.split(r"(?<=[.!?])\s+(?=[A-Z0-9*_`])", text.strip(), maxsplit=1)
    return parts[0], (parts[1] if len(parts) > 1 else "")


PAGE_KEY = "_app.page"  # not a widget: the url_path of the page this run draws (set by app.py)


def set_page(url_path: str) -> None:
    st.session_state[PAGE_KEY] = url_path


def page_footer(code: str | None, explanation: str, *, questions: list[str] | tuple[str, ...] = ()) -> None:
    """The end of every page: what you are seeing, the interview questions, the runnable code.
    A lab lists the question bank's entries for its page, each a link to its model answer (one source:
    the bank, never a list in the view); ``questions`` serves the Interview pages, which pass their own
    linked list. Pass code=None when the page shows its code elsewhere (e.g. inside a fragment)."""
    st.divider()
    st.markdown("#### What you are seeing")
    if presenter():  # one line from the back of the room; the rest a click away
        first, rest = first_sentence(explanation)
        st.markdown(first)
        if rest:
            with st.expander("The rest of the explanation"):
                st.markdown(rest)
    else:
        st.markdown(explanation)
    if not presenter():
        from components.ui import interview  # imports this module

        linked = interview.page_questions(st.session_state.get(PAGE_KEY, ""))
        st.markdown("#### Interview questions on this page's topic")
        if linked:
            st.caption("Each opens its model answer, common mistakes and follow-ups in the question bank.")
        st.markdown("\n".join(f"- {q}" for q in (questions or linked)))
    if code is not None:
        show_code(code)
