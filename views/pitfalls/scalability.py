"""Scalability: batch solver vs SGD vs out-of-core partial_fit as n grows; PCA to shrink the width;
what the batch size of mini-batch gradient descent changes (and what partial_fit's chunk size does not)."""
import pandas as pd
import streamlit as st

from components import charts
from components import scalability as S
from components.ui import chart_cache, common, controls

st.title("Scalability")
st.caption("How fit time and accuracy grow with the number of rows for a batch solver, stochastic gradient "
           "descent and out-of-core streaming, what PCA buys by shrinking the width, and what the batch size of "
           "mini-batch gradient descent changes. Times are measured live on this machine.")

seed = common.seed()
c1, c2, c3 = st.columns(3)
max_n = controls.bound(c1.select_slider, "Largest training set (rows)", S.MAX_N_OPTIONS, value=S.MAX_N_DEFAULT, key=S.MAX_N_KEY)
width = controls.bound(c2.select_slider, "Features (width)", S.WIDTH_OPTIONS, value=S.WIDTH_DEFAULT, key=S.WIDTH_KEY, help=f"{S.N_INFORMATIVE} informative, the rest redundant or noise.")
n_comp = controls.bound(c3.select_slider, "PCA components", S.PCA_OPTIONS, value=S.PCA_DEFAULT, key=S.PCA_KEY)
max_n, width, n_comp = int(max_n), int(width), int(n_comp)


@st.cache_data(max_entries=256, show_spinner=False)
def get_fit(method: str, n: int, width: int, seed: int, n_comp: int) -> dict:
    """One point of the race, cached per (method, n): a control refits only the points it changes."""
    return S.race_fit(method, n, width, seed, n_comp)


@st.cache_data(max_entries=32, show_spinner=False)
def get_stream_curve(max_n: int, width: int, chunk: int, seed: int):
    return S.stream_curve(max_n, width, chunk, seed)


@st.cache_data(max_entries=32, show_spinner=False)
def get_gd_curve(max_n: int, width: int, batch: int, seed: int):
    return S.gd_curve(max_n, width, batch, seed)


@st.cache_data(max_entries=32, show_spinner=False)
def get_gd_table(max_n: int, width: int, seed: int):
    return S.gd_table(max_n, width, seed)


@st.cache_data(max_entries=32, show_spinner=False)
def get_pca_variance(max_n: int, width: int, n_comp: int, seed: int) -> float:
    return S.pca_variance(max_n, width, n_comp, seed)


@st.cache_data(max_entries=32, show_spinner=False)
def get_code(max_n: int, width: int, n_comp: int, batch: int, seed: int) -> str:
    return S.export_code(max_n, width, n_comp, batch, seed)


@st.cache_data(max_entries=32, show_spinner=False)
def race_tables(rows: tuple) -> tuple:
    race = pd.DataFrame([dict(r) for r in rows])
    return race, S.slopes(race)


grid = S.n_grid(max_n)
points = [(n, m) for n in grid for m in S.METHODS]
bar = st.progress(0.0, text="Fitting every method at every n (first time only)…")
rows = []
for i, (n, m) in enumerate(points):
    # only PCA → batch solver depends on the number of components: the other points stay cached when it moves
    rows.append(get_fit(m, n, width, seed, n_comp if m == S.PCA_LR else 0))
    bar.progress((i + 1) / len(points), text=f"n = {n:,}: {m} done")
bar.empty()
race, sl = race_tables(tuple(tuple(r.items()) for r in rows))


RACE_HEIGHT = 380  # the legend below the plot takes ~100 px of the chart's height


def _race_legend(chart):
    """Method names are long ("batch solver (LogisticRegression, lbfgs)"): a right-hand legend cut them at
    25 characters, so the legend goes below the plot, in two columns, in the table's order."""
    chart.encoding.color.sort = list(S.METHODS)
    return chart.configure_legend(orient="bottom", columns=2, labelLimit=0)


def _time_chart(race):
    return _race_legend(charts.loglog_chart(race, x="n", y="fit time (s)", color="method",
                                            title="Fit time vs rows (log–log: slope = growth exponent)",
                                            height=RACE_HEIGHT))


def _accuracy_chart(race):
    # zoomed on the scores: the methods end within a point or two of each other
    return _race_legend(charts.line_chart(race, x="n", y="test accuracy", color="method", log_x=True,
                                          title=f"Test accuracy on {S.TEST_N:,} held-out rows", height=RACE_HEIGHT,
                                          zero_y=False))


def _curve_chart(gd, stream, batch: int):
    curve = S.curve_frame(gd, stream, batch)
    chart = charts.line_chart(curve, x="rows seen", y="held-out log-loss", color="method",
                              zero_y=False,  # the fall, not the zero
                              title=f"One pass over {int(curve['rows seen'].max()):,} rows, batches or chunks of "
                                    f"{batch}")
    chart.encoding.color.sort = [S.gd_label(batch), S.stream_label(batch)]
    return chart.configure_legend(orient="bottom", labelLimit=0)


st.subheader("The race as n grows")
chart_cache.draw(_time_chart, race)
chart_cache.draw(_accuracy_chart, race)
st.dataframe(sl, hide_index=True)
with st.expander("Every fit: times and scores"):
    st.dataframe(race, hide_index=True)
st.markdown(S.race_text(race, max_n, width, n_comp, get_pca_variance(max_n, width, n_comp, seed)))


@st.fragment
def batch_section():
    st.subheader("Batch size: mini-batch gradient descent vs out-of-core partial_fit")
    batch = int(controls.bound(st.select_slider, "Batch size (mini-batch GD) = chunk size (partial_fit)", S.BATCH_OPTIONS,
                                 value=S.BATCH_DEFAULT, key=S.BATCH_KEY,
                                 help="Mini-batch gradient descent takes one step per batch; partial_fit "
                                      "reads one chunk per call and updates once per row inside it."))
    gd = get_gd_curve(max_n, width, batch, seed)
    stream = get_stream_curve(max_n, width, batch, seed)
    table = get_gd_table(max_n, width, seed)
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
    chart_cache.draw(_curve_chart, gd, stream, batch)
    st.caption("Mini-batch gradient descent at every batch size of the slider, one pass each:")
    st.dataframe(table, hide_index=True)
    st.markdown(S.batch_text(table, stream, batch))
    with st.expander("Loss curve numbers"):
        st.caption(S.gd_label(batch))
        st.dataframe(gd, hide_index=True)
        st.caption(S.stream_label(batch))
        st.dataframe(stream, hide_index=True)


batch_section()

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
    questions=[
        "How would you train a model on data that does not fit in memory?",
        "Batch gradient descent vs SGD vs mini-batch: trade-offs in speed, noise and convergence?",
        "How does the cost of training a linear model grow with the number of rows and features?",
        "When would you use PCA or other dimensionality reduction to speed up training?",
        "When do you need Spark or Dask, and what changes in your code?",
    ],
    code=get_code(max_n, width, n_comp, int(st.session_state.get(S.BATCH_KEY, S.BATCH_DEFAULT)), seed),
    explanation=(
        "The first chart plots each method's measured fit time against the number of training rows on log–log "
        "axes: a straight line of slope 1 means time grows in proportion to n. The second shows what that time "
        "buys in test accuracy. In the batch-size section both curves follow one pass over the same first rows "
        f"(at most {S.CURVE_ROWS:,}), scored on held-out rows at evenly spaced points: mini-batch gradient "
        f"descent (a few lines of numpy, one step per batch along its average gradient, at a fixed learning rate "
        f"of {S.GD_LEARNING_RATE}) and out-of-core SGD (`SGDClassifier.partial_fit` on chunks, one update per "
        "row). The table runs mini-batch gradient descent at every batch size of the slider."),
)
