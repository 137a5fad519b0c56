"""Scalability: batch solver vs SGD vs out-of-core partial_fit as n grows; PCA to shrink the width;
what the batch size of mini-batch gradient descent changes (and what partial_fit's chunk size does not)."""
import streamlit as st

from components import scalability as S
from components.ui import common, controls, show

st.title("Scalability")
st.caption("How fit time and accuracy grow with the number of rows for a batch solver, stochastic gradient "
           "descent and out-of-core streaming, what PCA buys by shrinking the width, and what the batch size of "
           "mini-batch gradient descent changes. Times are measured live on this machine.")



def shared_controls() -> S.Settings:
    c1, c2, c3 = st.columns(3)
    max_n = controls.bound(c1.select_slider, "Largest training set (rows)", S.MAX_N_OPTIONS, value=S.MAX_N_DEFAULT,
                           key=S.MAX_N_KEY)
    width = controls.bound(c2.select_slider, "Features (width)", S.WIDTH_OPTIONS, value=S.WIDTH_DEFAULT,
                           key=S.WIDTH_KEY, help=f"{S.N_INFORMATIVE} informative, the rest redundant or noise.")
    n_comp = controls.bound(c3.select_slider, "PCA components", S.PCA_OPTIONS, value=S.PCA_DEFAULT, key=S.PCA_KEY)
    return S.Settings(int(max_n), int(width), int(n_comp), common.seed())


def race_panel(s: S.Settings) -> None:
    """The heavy part: every method at every n, each point fitted once (progress on the first visit)."""
    st.subheader("The race as n grows")
    points = S.race_points(s)
    bar = st.progress(0.0, text="Fitting every method at every n (first time only)…")
    for i, (n, method, components) in enumerate(points):
        S.cached_race_fit(method, n, s.width, s.seed, components)
        bar.progress((i + 1) / len(points), text=f"n = {n:,}: {method} done")
    bar.empty()
    view = S.race_view(s)
    show.chart(view["time"])
    show.chart(view["accuracy"])
    st.dataframe(view["slopes"], hide_index=True)
    with st.expander("Every fit: times and scores"):
        st.dataframe(view["race"], hide_index=True)
    st.markdown(view["text"])


@st.fragment
def batch_panel(s: S.Settings) -> None:
    """Batch size: its control reruns this panel only."""
    st.subheader("Batch size: mini-batch gradient descent vs out-of-core partial_fit")
    batch = int(controls.bound(st.select_slider, "Batch size (mini-batch GD) = chunk size (partial_fit)",
                               S.BATCH_OPTIONS, value=S.BATCH_DEFAULT, key=S.BATCH_KEY,
                               help="Mini-batch gradient descent takes one step per batch; partial_fit "
                                    "reads one chunk per call and updates once per row inside it."))
    view = S.batch_view(s, batch)
    gd, stream = view["gd"], view["stream"]
    a, b, c, d = st.columns(4)
    # short labels (presenter type cuts long ones in four columns); the detail in help
    a.metric("Mini-batch GD steps", f"{int(gd['gradient steps'].iloc[-1]):,}",
             help="Gradient steps in one pass of mini-batch gradient descent: one per batch.")
    b.metric("Mini-batch GD log-loss", f"{gd['held-out log-loss'].iloc[-1]:.4f}",
             help="Held-out log-loss after one pass of mini-batch gradient descent.")
    c.metric("partial_fit calls", f"{int(stream['partial_fit calls'].iloc[-1]):,}",
             help="One call per chunk of the stream.")
    d.metric("partial_fit updates", f"{int(stream['SGD updates'].iloc[-1]):,}",
             help="SGDClassifier's own count of weight updates (t_ - 1): one per row, whatever the chunk size.")
    show.chart(view["curve"])
    st.caption("Mini-batch gradient descent at every batch size of the slider, one pass each:")
    st.dataframe(view["table"], hide_index=True)
    st.markdown(view["text"])
    with st.expander("Loss curve numbers"):
        st.caption(S.gd_label(batch))
        st.dataframe(gd, hide_index=True)
        st.caption(S.stream_label(batch))
        st.dataframe(stream, hide_index=True)
    common.show_code(S.cached_export_code(s, batch))


settings = shared_controls()
# the batch panel is light (one pass per curve): it draws before the race, which fits every method at every n
batch_panel(settings)
race_panel(settings)

st.subheader("When to move to a distributed engine")
st.markdown(
    "Not run here (this app runs on one small machine) — what changes when the data outgrows one machine:\n"
    "- **First exhaust one machine**: sample, use `float32`, sparse matrices, `partial_fit` streaming from disk "
    "(as above), `n_jobs`, PCA or feature hashing. Data that fits on one machine's disk can usually be "
    "handled this way, and it is far simpler to run and debug.\n"
    "- **Spark MLlib** when the data already lives in a Spark/Hadoop lake (many TB): the model is rewritten in "
    "MLlib's API, every optimiser iteration is a distributed pass, and the algorithm list is shorter.\n"
    "- **Dask-ML** to keep the pandas/scikit-learn API over chunked arrays: `Incremental` wraps any estimator "
    "with `partial_fit`; a few estimators have truly distributed solvers.\n"
    "- **Ray** (or joblib on Dask) when the work is many independent fits — hyper-parameter search, CV, ensembles — "
    "rather than one huge fit: the code barely changes.\n"
    "The costs: data shuffling over the network, serialisation, cluster set-up and debugging. Distributed "
    "training is slower per row than one machine's memory; it only wins when one machine cannot hold or finish the job.")
st.caption("The snippets below are not run here: each needs a package this app does not install and a "
           "cluster, as its first line says.")
tabs = st.tabs(list(S.DISTRIBUTED))
for tab, (engine, snippet) in zip(tabs, S.DISTRIBUTED.items()):
    with tab:
        st.caption(f"Needs {S.snippet_needs(snippet)}.")
        st.code(snippet, language="python")

common.page_footer(
    code=None,  # in the batch panel, where the batch size is current
    explanation=(
        "The first chart plots each method's measured fit time against the number of training rows on log–log "
        "axes: a straight line of slope 1 means time grows in proportion to n. The second shows what that time "
        "buys in test accuracy. In the batch-size section both curves follow one pass over the same first rows "
        f"(at most {S.CURVE_ROWS:,}), scored on held-out rows at evenly spaced points: mini-batch gradient "
        f"descent (a few lines of numpy, one step per batch along its average gradient, at a fixed learning rate "
        f"of {S.GD_LEARNING_RATE}) and out-of-core SGD (`SGDClassifier.partial_fit` on chunks, one update per "
        "row). The table runs mini-batch gradient descent at every batch size of the slider."),
)
