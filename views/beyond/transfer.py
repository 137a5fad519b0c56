"""Transfer learning: feature extraction vs fine-tuning vs from scratch, digits 0–4 → 5–9."""
import streamlit as st

from components import transfer as T
from components.ui import common, controls, show

EXPLANATION = (
    "The chart shows, for each number of labelled target images, the test accuracy of three ways to learn the "
    "target digits: a new linear classifier on the source network's frozen hidden layer, the whole source network "
    "fine-tuned (with a learning rate ten times smaller than from scratch's), and the same network trained from "
    "scratch. The loss curves compare how fast fine-tuning and from-scratch training fit the few labels. All runs "
    "are seeded: the same seed gives the same numbers.")

IN_PRACTICE = (
    "**In practice.** With images you take a VGG/ResNet/EfficientNet pre-trained on ImageNet (1.3M images): "
    "*feature extraction* = drop the classifier head, freeze the convolutional layers, train a new head (few labels, "
    "cheap); *fine-tuning* = then unfreeze the top blocks (or all) with a small learning rate (on this page ten "
    "times smaller than from scratch). With text, BERT-style "
    "encoders pre-trained on billions of words are fine-tuned end to end with a new classification head, or used "
    "frozen as sentence embeddings. The source there is huge and general, which is why transfer usually pays there.")

TRAINED_KEY = "_transfer.trained"  # training settings this session has seen finish (no progress bar for them)


def training_controls() -> T.TransferSettings:
    """The controls that retrain (heavy); the labels slider lives in its panel."""
    c1, c2, c3 = st.columns(3)
    direction = controls.bound(c1.selectbox, "Source → target task", T.DIRECTIONS,
                               index=T.DIRECTIONS.index(T.DIRECTION_DEFAULT), key=T.DIRECTION_KEY)
    hidden = controls.bound(c2.select_slider, "Hidden units (source network)", T.HIDDEN_OPTIONS,
                            value=T.HIDDEN_DEFAULT, key=T.HIDDEN_KEY)
    epochs = controls.bound(c3.select_slider, "Target training epochs", T.EPOCH_OPTIONS, value=T.EPOCHS_DEFAULT,
                            key=T.EPOCHS_KEY,
                            help="The same number of epochs for fine-tuning and from scratch (fine-tuning takes "
                                 "smaller steps: its learning rate is ten times smaller).")
    return T.TransferSettings(direction, int(hidden), int(epochs), common.seed())


def train_every_count(s: T.TransferSettings, shown: int) -> None:
    """Fine-tune and train from scratch at every other label count, with a progress bar the first time."""
    trained = st.session_state.setdefault(TRAINED_KEY, set())
    if s.training in trained:
        return
    rest = [n for n in T.LABEL_GRID if n != shown]
    bar = st.progress(0.0)
    for i, n in enumerate(rest):
        bar.progress(i / len(rest), text=f"Fine-tuning and training from scratch on {n} labels "
                                         f"({i + 2} of {len(T.LABEL_GRID)} label counts)…")
        T.label_result(*s.training, n)
    bar.empty()
    trained.add(s.training)


@st.fragment
def labels_panel(s: T.TransferSettings) -> None:
    """Everything the labels slider changes: it reads cached results and swaps two small datasets into
    the charts. After a new training setting, the count shown is trained first and the rest after it."""
    n = controls.bound(st.select_slider, "Labelled target examples", T.LABEL_GRID, value=T.LABELS_DEFAULT,
                       key=T.LABELS_KEY, help="Precomputed for every value: moving it does not retrain.")
    row = T.label_result(*s.training, n)
    cols = st.columns(3)
    for col, m in zip(cols, T.METHODS):
        col.metric(m.capitalize(), f"{row[m]:.3f}",
                   delta=f"{row[m] - row[T.METHODS[2]]:+.3f} vs scratch" if m != T.METHODS[2] else None)
    st.caption(T.best_caption(row))
    train_every_count(s, n)
    view = T.results(*s.training)
    frames = T.label_frames(view, row["n"])
    show.chart(view["accuracy_spec"], moving=frames)
    with st.expander("Accuracy table"):
        st.dataframe(view["accuracy_table"], hide_index=True)
    show.chart(view["loss_spec"], moving=frames)
    st.caption(f"Training loss on the {row['n']} labelled target examples.")
    with st.expander("Loss per epoch"):
        st.dataframe(view["losses"][row["n"]][1])
    common.show_code(T.export_code(s.direction, s.hidden, s.epochs, s.seed, n))


st.title("Transfer learning")
st.caption("A network learns one digits task (the source); can what it learned help with another task (the "
           "target) when only a few target labels exist?")
settings = training_controls()
source_acc = T.source_network(settings.direction, settings.hidden, settings.seed)[1]
sizes = T.sizes(settings.direction, settings.seed)
st.markdown(T.methods_text(settings.hidden, settings.epochs, *T.task_texts(settings.direction), source_acc,
                           sizes["n_test"], sizes["n_pool"]))
labels_panel(settings)
st.markdown(T.results(*settings.training)["scenario"] + "\n\n" + T.READING_GUIDE + "\n\n" + IN_PRACTICE)
common.page_footer(None, EXPLANATION)
