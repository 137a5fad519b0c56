"""Transfer learning: feature extraction vs fine-tuning vs from scratch, digits 0–4 → 5–9."""
import altair as alt
import streamlit as st

from components import charts
from components import transfer as T
from components.ui import chart_cache, common, controls

st.title("Transfer learning")
st.caption("A network learns one digits task (the source); can what it learned help with another task (the "
           "target) when only a few target labels exist?")

seed = common.seed()
c1, c2, c3 = st.columns(3)
direction = controls.bound(c1.selectbox, "Source → target task", T.DIRECTIONS, index=T.DIRECTIONS.index(T.DIRECTION_DEFAULT),
                         key=T.DIRECTION_KEY)
hidden = controls.bound(c2.select_slider, "Hidden units (source network)", T.HIDDEN_OPTIONS, value=T.HIDDEN_DEFAULT,
                          key=T.HIDDEN_KEY)
epochs = controls.bound(c3.select_slider, "Target training epochs", T.EPOCH_OPTIONS, value=T.EPOCHS_DEFAULT, key=T.EPOCHS_KEY,
                          help="The same number of epochs for fine-tuning and from scratch (fine-tuning takes "
                               "smaller steps: its learning rate is ten times smaller).")


@st.cache_resource(max_entries=16, show_spinner=False)
def get_source(direction: str, hidden: int, seed: int):
    """The source network and its accuracy, per architecture: the target epochs do not touch it."""
    return T.train_source(direction, hidden, seed)


@st.cache_data(max_entries=16, show_spinner=False)
def get_extraction(direction: str, hidden: int, seed: int) -> dict:
    """Feature extraction's accuracy at every label count: depends on the source network only."""
    return T.extraction_accuracies(get_source(direction, hidden, seed)[0], direction, seed)


@st.cache_data(max_entries=128, show_spinner=False)
def get_row(direction: str, hidden: int, epochs: int, seed: int, n: int) -> dict:
    """The three accuracies and two loss curves at one label count, once per (architecture, epochs)."""
    return T.label_row(get_source(direction, hidden, seed)[0], direction, hidden, epochs, seed, n,
                       get_extraction(direction, hidden, seed))


@st.cache_data(max_entries=32, show_spinner=False)
def get_experiment(direction: str, hidden: int, epochs: int, seed: int) -> dict:
    """T.experiment's result from the cached parts, assembled once per setting: the labels slider
    only reads it."""
    return {"source_acc": get_source(direction, hidden, seed)[1],
            "rows": [get_row(direction, hidden, epochs, seed, n) for n in T.LABEL_GRID],
            **T.target_sizes(direction, seed)}


@st.cache_data(max_entries=16, show_spinner=False)
def get_as_is(direction: str, hidden: int, seed: int) -> float | None:
    return T.source_as_is(get_source(direction, hidden, seed)[0], direction, seed)


@st.cache_data(max_entries=32, show_spinner=False)
def get_accuracy_table(key: tuple):
    return T.accuracy_wide(get_experiment(*key))


@st.cache_data(max_entries=128, show_spinner=False)
def get_losses(key: tuple, n: int):
    """One label count's loss curves, long (for the chart) and wide (for the table): pandas work done
    once, not on every move of the labels slider."""
    losses = T.loss_long(next(r for r in get_experiment(*key)["rows"] if r["n"] == n))
    return losses, losses.pivot(index="epoch", columns="method", values="training loss")


@st.cache_data(max_entries=16, show_spinner=False)
def get_code(direction: str, hidden: int, epochs: int, seed: int, n: int) -> str:
    return T.export_code(direction, hidden, epochs, seed, n)


def _accuracy_chart(key: tuple, n: int):
    acc = T.accuracy_long(get_experiment(*key))
    # the three methods differ by a few points: zoomed on the data, the scale's numbers say where it starts
    return charts.line_chart(acc, x="labelled target examples", y="test accuracy", color="method",
                             title="Target test accuracy vs labelled target examples", log_x=True, rule_x=n,
                             zero_y=False)


def _loss_chart(key: tuple, n: int):
    losses = get_losses(key, n)[0]
    chart = charts.line_chart(losses, x="epoch", y="training loss", color="method",
                              title=f"Training loss on the {n} target labels")
    # the same colour per method as in the accuracy chart above (only two of the three methods have a loss)
    shown = [m for m in T.METHODS if m in set(losses["method"])]
    chart.encoding.color.scale = alt.Scale(domain=shown, range=[charts.OKABE_ITO[T.METHODS.index(m)] for m in shown])
    return chart


key = (direction, int(hidden), int(epochs), seed)
bar = st.progress(0.0, text="Training the source network (first time only)…")
get_source(direction, int(hidden), seed)
get_extraction(direction, int(hidden), seed)
for i, n_labels in enumerate(T.LABEL_GRID):
    bar.progress((i + 1) / (len(T.LABEL_GRID) + 1), text=f"Fine-tuning and training from scratch on {n_labels} labels…")
    get_row(*key, n_labels)
bar.empty()
res = get_experiment(*key)

if direction == T.DIRECTIONS[2]:
    src_text = "half of the images of digits 0–4"
    tgt_text = (f"the other half of the 0–4 images, as read by a noisy scanner (pixel noise σ = {T.SCANNER_NOISE} "
                "on a 0–1 scale): same classes, new domain")
else:
    src_text = "digits " + ("0–4" if direction == T.DIRECTIONS[0] else "5–9")
    tgt_text = "digits " + ("5–9" if direction == T.DIRECTIONS[0] else "0–4") + ": new classes, same kind of image"
st.markdown(T.methods_text(int(hidden), int(epochs), src_text, tgt_text, res["source_acc"], res["n_test"],
                           res["n_pool"]))


@st.fragment
def by_labels():
    n = controls.bound(st.select_slider, "Labelled target examples", T.LABEL_GRID, value=T.LABELS_DEFAULT, key=T.LABELS_KEY, help="Precomputed for every value: moving it does not retrain.")
    row = next(r for r in res["rows"] if r["n"] == min(n, res["n_pool"]))
    cols = st.columns(3)
    for col, m in zip(cols, T.METHODS):
        col.metric(m.capitalize(), f"{row[m]:.3f}",
                   delta=f"{row[m] - row[T.METHODS[2]]:+.3f} vs scratch" if m != T.METHODS[2] else None)
    st.caption(T.best_caption(row))
    chart_cache.draw(_accuracy_chart, key, row["n"])
    with st.expander("Accuracy table"):
        st.dataframe(get_accuracy_table(key), hide_index=True)
    chart_cache.draw(_loss_chart, key, row["n"])
    with st.expander("Loss per epoch"):
        st.dataframe(get_losses(key, row["n"])[1])


by_labels()

st.markdown(
    T.scenario_text(res, get_as_is(direction, int(hidden), seed)) + "\n\n" + T.READING_GUIDE + "\n\n"
    "**In practice.** With images you take a VGG/ResNet/EfficientNet pre-trained on ImageNet (1.3M images): "
    "*feature extraction* = drop the classifier head, freeze the convolutional layers, train a new head (few labels, "
    "cheap); *fine-tuning* = then unfreeze the top blocks (or all) with a small learning rate (on this page ten "
    "times smaller than from scratch). With text, BERT-style "
    "encoders pre-trained on billions of words are fine-tuned end to end with a new classification head, or used "
    "frozen as sentence embeddings. The source there is huge and general, which is why transfer usually pays there.")

n_now = int(st.session_state.get(T.LABELS_KEY, T.LABELS_DEFAULT))
common.page_footer(
    questions=[
        "What is transfer learning, and when does it help?",
        "Feature extraction vs fine-tuning: what is frozen, what is trained, and when do you choose each?",
        "Why use a smaller learning rate when fine-tuning a pre-trained network?",
        "What is negative transfer?",
        "How would you adapt a ResNet pre-trained on ImageNet (or BERT) to a new task with 500 labelled examples?",
    ],
    code=get_code(direction, int(hidden), int(epochs), seed, n_now),
    explanation=(
        "The chart shows, for each number of labelled target images, the test accuracy of three ways to learn the "
        "target digits: a new linear classifier on the source network's frozen hidden layer, the whole source network "
        "fine-tuned (with a learning rate ten times smaller than from scratch's), and the same network trained from "
        "scratch. The loss curves compare how fast fine-tuning and from-scratch training fit the few labels. All runs "
        "are seeded: the same seed gives the same numbers."),
)
