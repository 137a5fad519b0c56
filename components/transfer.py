"""Transfer learning on digits: a network trained on 0–4 (source) reused for 5–9 (target).

Three ways to learn the target from a few labels:
(a) feature extraction: the source network's hidden layer, frozen, feeds a new logistic regression;
(b) fine-tuning: start from the source weights with (a)'s classifier as the output layer, then train
    every weight on the target with a learning rate ten times smaller than training from scratch;
(c) from scratch: the same architecture, randomly initialised, the same number of epochs.

The networks are scikit-learn's ``MLPClassifier(solver="adam")``, each trained with one ``fit`` of
exactly ``epochs`` passes (no early stop); the exported script does the same and reproduces the
page's accuracies. One fit per network, not one partial_fit per epoch: the per-call checks had been
most of the time of a curve.
"""
from __future__ import annotations

import copy
import functools
from dataclasses import dataclass

import altair as alt
import numpy as np
import pandas as pd
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from components import charts, memo
from components.models import quiet_convergence

# ---- widget keys, defaults, options (one source of truth; the tests import them) ----
LABELS_KEY, HIDDEN_KEY, EPOCHS_KEY, DIRECTION_KEY = (
    "transfer.labels", "transfer.hidden", "transfer.epochs", "transfer.direction")
LABEL_GRID = (10, 20, 50, 100, 200, 500)
LABELS_DEFAULT = 20  # few labels: where transfer's gain over from scratch is clear (page_lessons)
HIDDEN_OPTIONS = (16, 32, 64, 128)
HIDDEN_DEFAULT = 64
EPOCH_OPTIONS = (10, 30, 60)
EPOCHS_DEFAULT = 30
DIRECTIONS = ("0–4 → 5–9", "5–9 → 0–4", "0–4 → 0–4 from a noisy scanner")
SCANNER_NOISE = 0.3  # pixel noise (images scaled to 0..1) of the "noisy scanner" target domain
# the page opens on the scenario where transfer pays (page_lessons); 0–4 → 5–9 shows no gain (READING_GUIDE)
DIRECTION_DEFAULT = DIRECTIONS[2]

SOURCE_EPOCHS = 20
BATCH = 64
TARGET_TEST_SIZE = 0.3
LEARNING_RATE = 3e-3  # Adam's step size for the source network and for training from scratch
# Fine-tuning takes small steps so that a few target labels adjust the source's weights instead of
# overwriting them (the usual advice: a learning rate 10 to 100 times smaller than from scratch).
FINE_TUNE_LEARNING_RATE = 3e-4
METHODS = ("feature extraction (frozen)", "fine-tuning", "from scratch")
N_CLASSES = 5


@dataclass(frozen=True)
class TransferSettings:
    """The page's controls. Training depends on (direction, hidden, epochs, seed); the labels slider
    only picks which label count's precomputed results are shown."""
    direction: str = DIRECTION_DEFAULT
    hidden: int = HIDDEN_DEFAULT
    epochs: int = EPOCHS_DEFAULT
    seed: int = 0
    labels: int = LABELS_DEFAULT

    @property
    def training(self) -> tuple[str, int, int, int]:
        return self.direction, self.hidden, self.epochs, self.seed


@functools.lru_cache(maxsize=1)
def _digits() -> tuple[np.ndarray, np.ndarray]:
    """load_digits scaled to 0..1, read once per process (parsing the bundled file took ~15 ms a call)."""
    d = load_digits()
    X, y = d.data / 16.0, d.target
    X.setflags(write=False)
    y.setflags(write=False)
    return X, y


def task_split(direction: str = DIRECTION_DEFAULT, seed: int = 0):
    """Digits scaled to [0, 1]; source = one half of the digits, target = the other half.

    Returns (X_src, y_src, X_tgt_pool, y_tgt_pool, X_tgt_test, y_tgt_test, target_digits); target
    labels are recoded 0..4 (digit - offset) so the output layer has the same five units."""
    X, y = _digits()
    if direction == DIRECTIONS[2]:
        # same classes, new domain: half of the 0–4 images stay clean (source), the other half get noise
        m = y < 5
        X_src, X_t, y_src, y_t = train_test_split(X[m], y[m], test_size=0.5, random_state=seed, stratify=y[m])
        X_t = X_t + np.random.default_rng(seed).normal(0, SCANNER_NOISE, X_t.shape)
        tgt_digits = (0, 1, 2, 3, 4)
    else:
        src_digits, tgt_digits = ((0, 1, 2, 3, 4), (5, 6, 7, 8, 9)) if direction == DIRECTIONS[0] else \
            ((5, 6, 7, 8, 9), (0, 1, 2, 3, 4))
        s = np.isin(y, src_digits)
        X_src, y_src = X[s], y[s] - min(src_digits)
        X_t, y_t = X[~s], y[~s] - min(tgt_digits)
    X_pool, X_test, y_pool, y_test = train_test_split(X_t, y_t, test_size=TARGET_TEST_SIZE, random_state=seed,
                                                      stratify=y_t)
    return X_src, y_src, X_pool, y_pool, X_test, y_test, tgt_digits


def labelled_subset(X_pool, y_pool, n: int, seed: int):
    """The first n rows of a seeded, stratified-by-round-robin shuffle of the target pool: every
    class is represented once n >= 5, and a larger n keeps the smaller n's rows (nested sets)."""
    rng = np.random.default_rng(seed)
    per_class = [rng.permutation(np.flatnonzero(y_pool == c)) for c in np.unique(y_pool)]
    order = [idx[i] for i in range(max(len(p) for p in per_class)) for idx in per_class if i < len(idx)]
    take = np.array(order[:min(n, len(order))])
    return X_pool[take], y_pool[take]


def new_net(hidden: int, seed: int, n: int, epochs: int) -> MLPClassifier:
    """Exactly `epochs` passes of mini-batch Adam with fit (n_iter_no_change so large that it never
    stops early; the ConvergenceWarning this earns is silenced by quiet_convergence)."""
    return MLPClassifier(hidden_layer_sizes=(hidden,), learning_rate_init=LEARNING_RATE, batch_size=min(BATCH, n),
                         max_iter=epochs, n_iter_no_change=10**6, random_state=seed)


def glorot(rs: np.random.RandomState, fan_in: int, fan_out: int) -> tuple[np.ndarray, np.ndarray]:
    """MLPClassifier's initialisation of one layer (uniform, bound sqrt(6 / (fan_in + fan_out)))."""
    bound = np.sqrt(6.0 / (fan_in + fan_out))
    return rs.uniform(-bound, bound, (fan_in, fan_out)), rs.uniform(-bound, bound, fan_out)


@quiet_convergence  # a fixed number of epochs: max_iter is reached on purpose
def train_source(direction: str, hidden: int, seed: int) -> tuple[MLPClassifier, float]:
    """The source network (SOURCE_EPOCHS epochs) and its accuracy on a held-out 25% of the source digits."""
    X_src, y_src, *_ = task_split(direction, seed)
    Xa, Xb, ya, yb = train_test_split(X_src, y_src, test_size=0.25, random_state=seed, stratify=y_src)
    net = new_net(hidden, seed, len(ya), SOURCE_EPOCHS).fit(Xa, ya)
    return net, float(net.score(Xb, yb))


def hidden_features(net: MLPClassifier, X) -> np.ndarray:
    """The frozen hidden layer: relu(X W1 + b1), exactly what the network computes internally."""
    return np.maximum(X @ net.coefs_[0] + net.intercepts_[0], 0.0)


def probe_head(source: MLPClassifier, X, y) -> tuple[np.ndarray, np.ndarray]:
    """The feature-extraction classifier (extract: standardise, then logistic regression on the frozen
    hidden layer) folded into one output layer on the raw hidden activations: coef / scale and
    intercept - coef . mean / scale. Softmax of h W + b is then exactly that classifier's predict_proba."""
    probe = extract(source, X, y)
    scaler, lr = probe[0], probe[-1]
    weights = lr.coef_ / scaler.scale_
    return weights.T, lr.intercept_ - weights @ scaler.mean_


@quiet_convergence  # a fixed number of epochs: max_iter is reached on purpose
def fine_tune(source: MLPClassifier, X, y, epochs: int, seed: int) -> MLPClassifier:
    """Copy the source network, give it the linear probe's output layer (probe_head: at epoch 0 it *is*
    feature extraction), then train every weight on the target labels with a fresh optimiser
    (MLPClassifier: warm_start=True, fit) and the small FINE_TUNE_LEARNING_RATE. A random new head had to
    be learnt in the same few Adam
    steps (with 10 labels one epoch is one mini-batch) and scored below chance with 16 hidden units and
    10 epochs: the head, not the transferred layer, was untrained. Training the head first and then
    every layer is the usual recipe (Keras' transfer-learning guide; "linear probing then fine-tuning")."""
    net = copy.deepcopy(source)
    net.coefs_[-1], net.intercepts_[-1] = probe_head(source, X, y)
    net.loss_curve_ = []  # the target epochs' losses only
    if epochs == 0:
        return net
    net.set_params(warm_start=True, max_iter=epochs, batch_size=min(BATCH, len(y)), random_state=seed,
                   learning_rate_init=FINE_TUNE_LEARNING_RATE)
    return net.fit(X, y)


@quiet_convergence  # a fixed number of epochs: max_iter is reached on purpose
def scratch(X, y, hidden: int, epochs: int, seed: int) -> MLPClassifier:
    return new_net(hidden, seed + 1, len(y), epochs).fit(X, y)


def extract(source: MLPClassifier, X, y):
    """A new linear classifier on the frozen hidden activations (standardised: lbfgs converges fast)."""
    return make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000)).fit(hidden_features(source, X), y)


def extraction_accuracies(source: MLPClassifier, direction: str, seed: int, grid=LABEL_GRID) -> dict[int, float]:
    """(a) at every label count: test accuracy of a new linear classifier on the frozen hidden layer.
    It does not depend on the target epochs, so the page caches it per source network."""
    _, _, X_pool, y_pool, X_test, y_test, _ = task_split(direction, seed)
    H_test = hidden_features(source, X_test)
    out = {}
    for n in grid:
        X, y = labelled_subset(X_pool, y_pool, n, seed)
        out[len(y)] = float(extract(source, X, y).score(H_test, y_test))
    return out


def run_one(source, X_pool, y_pool, X_test, y_test, n: int, hidden: int, epochs: int, seed: int,
            fe_acc: float | None = None) -> dict:
    """Accuracy on the target test set of the three approaches with n labelled target examples
    (fe_acc: feature extraction's accuracy when already known)."""
    X, y = labelled_subset(X_pool, y_pool, n, seed)
    if fe_acc is None:
        fe_acc = float(extract(source, X, y).score(hidden_features(source, X_test), y_test))
    ft = fine_tune(source, X, y, epochs, seed)
    sc = scratch(X, y, hidden, epochs, seed)
    return {
        "n": len(y),
        METHODS[0]: fe_acc,
        METHODS[1]: float(ft.score(X_test, y_test)),
        METHODS[2]: float(sc.score(X_test, y_test)),
        "loss fine-tuning": list(ft.loss_curve_),
        "loss from scratch": list(sc.loss_curve_),
    }


def label_row(source: MLPClassifier, direction: str, hidden: int, epochs: int, seed: int, n: int,
              extraction: dict[int, float] | None = None) -> dict:
    """run_one for one label count of the task (feature extraction's accuracy taken from
    extraction_accuracies when given). The page caches one row per label count."""
    _, _, X_pool, y_pool, X_test, y_test, _ = task_split(direction, seed)
    fe = extraction.get(min(n, len(y_pool))) if extraction else None
    return run_one(source, X_pool, y_pool, X_test, y_test, n, hidden, epochs, seed, fe)


def source_as_is(source: MLPClassifier, direction: str, seed: int) -> float | None:
    """The source network itself on the target test set, with no target label at all: only meaningful
    when the target has the source's classes (the noisy scanner); None otherwise."""
    if direction != DIRECTIONS[2]:
        return None
    *_, X_test, y_test, _ = task_split(direction, seed)
    return float(source.score(X_test, y_test))


def target_sizes(direction: str, seed: int) -> dict:
    """What the page says about the target task: its digits, test images and labelled pool."""
    _, _, _, y_pool, _, y_test, tgt_digits = task_split(direction, seed)
    return {"target_digits": tgt_digits, "n_test": len(y_test), "n_pool": len(y_pool)}


def experiment(direction: str, hidden: int, epochs: int, seed: int, grid=LABEL_GRID, progress=None,
               source: tuple[MLPClassifier, float] | None = None, extraction: dict[int, float] | None = None) -> dict:
    """Source network once, then the three approaches at every label count of the grid (the page
    assembles the same dict from label_row, cached per label count, with the source network and
    extraction_accuracies cached per architecture: a new number of epochs retrains only fine-tuning
    and from scratch)."""
    source, source_acc = source or train_source(direction, hidden, seed)
    rows = []
    for i, n in enumerate(grid):
        rows.append(label_row(source, direction, hidden, epochs, seed, n, extraction))
        if progress:
            progress((i + 1) / len(grid), n)
    return {"source_acc": source_acc, "rows": rows, **target_sizes(direction, seed)}


def best_methods(row: dict) -> list[str]:
    """The methods with the highest accuracy in one row of the experiment (several when they tie)."""
    top = max(row[m] for m in METHODS)
    return [m for m in METHODS if row[m] == top]


def _names(methods: list[str]) -> str:
    bold = [f"**{m}**" for m in methods]
    return bold[0] if len(bold) == 1 else ", ".join(bold[:-1]) + " and " + bold[-1]


def best_caption(row: dict) -> str:
    """The caption under the three metrics: which method is best at the label count shown."""
    best = best_methods(row)
    if len(best) == 1:
        return f"With {row['n']} labels the best is {_names(best)}."
    return f"With {row['n']} labels {_names(best)} tie for best ({row[best[0]]:.3f})."


def transfer_gap(row: dict) -> float:
    """The better transfer method's accuracy minus from scratch's (> 0: transfer pays)."""
    return max(row[METHODS[0]], row[METHODS[1]]) - row[METHODS[2]]


def scenario_text(res: dict, as_is: float | None = None) -> str:
    """The reading of the accuracy table on screen: which method wins with the fewest labels, whether
    transfer pays, how the gap looks with the most labels, whether the frozen features then trail from
    scratch, and (same classes) the source network used as is."""
    fewest, most = res["rows"][0], res["rows"][-1]
    best = best_methods(fewest)
    verb = "scores best" if len(best) == 1 else "tie for best"
    text = (f"**In this scenario**, with {fewest['n']} labels, {_names(best)} {verb}: "
            + ", ".join(f"{m} {fewest[m]:.3f}" for m in METHODS) + ". ")
    gap = round(transfer_gap(fewest), 9)
    if gap > 0:
        text += f"Transfer pays here: the better transfer method is {gap:.3f} ahead of from scratch."
    elif gap == 0:
        text += "Transfer ties with from scratch here; the next paragraph says when it pays."
    else:
        text += f"Transfer does not pay here (from scratch is {-gap:.3f} ahead); the next paragraph says when it does."
    late = round(transfer_gap(most), 9)
    text += f" With {most['n']} labels the gap (better transfer method − from scratch) is {late:+.3f}"
    if late < 0:
        text += ": from scratch is ahead there."
    elif late == 0:
        text += ": from scratch has caught up." if gap > 0 else ": a tie."
    elif gap <= 0:
        text += ": transfer is ahead there."
    elif late < gap:
        text += f", narrower than with {fewest['n']} labels."
    else:
        text += f", no narrower than with {fewest['n']} labels."
    trail = round(most[METHODS[2]] - most[METHODS[0]], 9)
    if trail > 0:
        text += (f" There the frozen features trail from scratch by {trail:.3f}; a frozen layer cannot adapt to the "
                 "target, the other two can.")
    if as_is is not None:
        beats_all = as_is > max(fewest[m] for m in METHODS)
        text += (f" Same classes, so the source network can also be used **as is**, with no target label: "
                 f"**{as_is:.3f}** on the noisy test images"
                 + (", better than all three: with this few labels, try the model you have before training anything."
                    if beats_all else "."))
    return text


def methods_text(hidden: int, epochs: int, source_text: str, target_text: str, source_acc: float, n_test: int,
                 n_pool: int) -> str:
    """The setting and the three methods, with the numbers they run with."""
    ratio = round(LEARNING_RATE / FINE_TUNE_LEARNING_RATE)
    return (
        f"**Source**: an `MLPClassifier` (Adam, learning rate {LEARNING_RATE:g}) with one hidden layer of {hidden} "
        f"ReLU units, trained on {source_text} ({SOURCE_EPOCHS} epochs; held-out source accuracy "
        f"**{source_acc:.3f}**). **Target**: {target_text}; {n_test} test images, up to {n_pool} labelled ones to "
        "learn from.\n"
        "- **Feature extraction**: the source's hidden layer, frozen, turns each image into features for a new "
        "logistic regression.\n"
        f"- **Fine-tuning**: the source network with feature extraction's classifier as its new output layer (the "
        f"head trained first), then {epochs} more epochs on the target, every weight free to move, with a learning "
        f"rate {ratio} times smaller ({FINE_TUNE_LEARNING_RATE:g}): small steps adjust the source's weights "
        "instead of overwriting them.\n"
        f"- **From scratch**: the same architecture, random start, the same {epochs} epochs at the source's "
        f"learning rate ({LEARNING_RATE:g}).")


# The scenario comparison below is not computed on the page: tests/test_transfer.py checks each of its claims
# on seeds 0, 1, 2 and 42 at the default settings (the settings the text names), and the pixel baseline on the
# two new-classes directions.
GUIDE_SEEDS = (0, 1, 2, 42)
PIXEL_BASELINE_LABELS, PIXEL_BASELINE_FLOOR = 500, 0.95
SCANNER_MARGIN = 0.05
READING_GUIDE = (
    "**How to read it.** Transfer pays most when the target has few labels and the source learned features the "
    "target needs; with plenty of labels, training from scratch can learn such features itself. Compare the "
    f"scenarios at the default settings ({HIDDEN_DEFAULT} hidden units, {EPOCHS_DEFAULT} epochs), where on each of "
    "the seeds " + ", ".join(map(str, GUIDE_SEEDS[:-1])) + f" and {GUIDE_SEEDS[-1]} the following holds. "
    "**0–4 → 0–4 from a noisy scanner** (same classes, new domain) shows transfer paying: with 10 or 20 labels "
    f"both transfer methods beat from scratch, the frozen features by more than {SCANNER_MARGIN * 100:.0f} points. "
    "**0–4 → 5–9** (new classes) shows no gain: with 10 or 20 labels neither beats from scratch. On 8×8 digits "
    "the "
    "raw pixels are already good features (a logistic regression on the raw pixels of "
    f"{PIXEL_BASELINE_LABELS} labelled target images scores above {PIXEL_BASELINE_FLOOR:.2f} on the target's test "
    "images), and features tuned to tell 0–4 apart add little for 5–9: a tie or a loss, *negative transfer*, is a "
    "real outcome.")


def accuracy_long(res: dict) -> pd.DataFrame:
    recs = [{"labelled target examples": r["n"], "method": m, "test accuracy": r[m]}
            for r in res["rows"] for m in METHODS]
    return pd.DataFrame(recs)


def accuracy_wide(res: dict) -> pd.DataFrame:
    return pd.DataFrame([{"labelled target examples": r["n"], **{m: r[m] for m in METHODS}} for r in res["rows"]])


def loss_long(row: dict) -> pd.DataFrame:
    recs = []
    for m in ("fine-tuning", "from scratch"):
        recs += [{"epoch": i + 1, "method": m, "training loss": v} for i, v in enumerate(row["loss " + m])]
    return pd.DataFrame(recs)


def export_code(direction: str, hidden: int, epochs: int, seed: int, n: int) -> str:
    """A standalone script for the current settings; last stdout line = JSON of the three accuracies."""
    if direction == DIRECTIONS[2]:
        split_code = f"""m = y < 5                                               # same classes, new domain
X_src, X_t, y_src, y_t = train_test_split(X[m], y[m], test_size=0.5, random_state=SEED, stratify=y[m])
X_t = X_t + np.random.default_rng(SEED).normal(0, {SCANNER_NOISE}, X_t.shape)   # the noisy scanner"""
    else:
        src = "(0, 1, 2, 3, 4)" if direction == DIRECTIONS[0] else "(5, 6, 7, 8, 9)"
        split_code = f"""SOURCE_DIGITS = {src}
s = np.isin(y, SOURCE_DIGITS)
X_src, y_src = X[s], y[s] - min(SOURCE_DIGITS)           # source task: 5 digits, labels 0..4
X_t, y_t = X[~s], y[~s] - y[~s].min()                   # target task: the other 5, labels 0..4"""
    return f'''import copy
import json
import warnings
import numpy as np
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

warnings.filterwarnings("ignore", category=ConvergenceWarning)  # a fixed number of epochs, on purpose
SEED, HIDDEN, EPOCHS, N_LABELS = {seed}, {hidden}, {epochs}, {n}

d = load_digits()
X, y = d.data / 16.0, d.target
{split_code}
X_pool, X_test, y_pool, y_test = train_test_split(X_t, y_t, test_size={TARGET_TEST_SIZE}, random_state=SEED, stratify=y_t)

def net(seed, n, epochs):
    # exactly `epochs` passes of mini-batch Adam (n_iter_no_change so large that it never stops early)
    return MLPClassifier(hidden_layer_sizes=(HIDDEN,), learning_rate_init={LEARNING_RATE}, batch_size=min({BATCH}, n),
                         max_iter=epochs, n_iter_no_change=10**6, random_state=seed)

# 1. the source network
Xa, Xb, ya, yb = train_test_split(X_src, y_src, test_size=0.25, random_state=SEED, stratify=y_src)
source = net(SEED, len(ya), {SOURCE_EPOCHS}).fit(Xa, ya)
print("source-task accuracy:", round(source.score(Xb, yb), 4))

# 2. a few labelled target examples (round-robin over classes from a seeded shuffle)
rng = np.random.default_rng(SEED)
per_class = [rng.permutation(np.flatnonzero(y_pool == c)) for c in np.unique(y_pool)]
order = [idx[i] for i in range(max(map(len, per_class))) for idx in per_class if i < len(idx)]
take = np.array(order[:N_LABELS])
X_few, y_few = X_pool[take], y_pool[take]

# (a) feature extraction: the frozen hidden layer feeds a new linear classifier
hidden = lambda A: np.maximum(A @ source.coefs_[0] + source.intercepts_[0], 0.0)
fe = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000)).fit(hidden(X_few), y_few)

# (b) fine-tuning: source weights, (a)'s classifier folded into the output layer (train the head first),
#     then every weight trained on the target with a 10x smaller learning rate (small steps adjust the
#     source's weights instead of overwriting them); warm_start keeps the weights, fit starts a fresh optimiser
ft = copy.deepcopy(source)
scaler, lr = fe[0], fe[-1]
ft.coefs_[-1], ft.intercepts_[-1] = (lr.coef_ / scaler.scale_).T, lr.intercept_ - (lr.coef_ / scaler.scale_) @ scaler.mean_
ft.set_params(warm_start=True, max_iter=EPOCHS, batch_size=min({BATCH}, len(y_few)), random_state=SEED,
              learning_rate_init={FINE_TUNE_LEARNING_RATE!r})
ft.loss_curve_ = []                                     # the target epochs' losses only
ft.fit(X_few, y_few)

# (c) from scratch: same architecture, random start, same epochs
sc = net(SEED + 1, len(y_few), EPOCHS).fit(X_few, y_few)

acc = {{"feature extraction (frozen)": fe.score(hidden(X_test), y_test),
       "fine-tuning": ft.score(X_test, y_test), "from scratch": sc.score(X_test, y_test)}}
for k, v in acc.items():
    print(f"{{k:>28}}: {{v:.4f}}")
print(json.dumps({{**{{k: float(v) for k, v in acc.items()}},
                  "loss fine-tuning": ft.loss_curve_, "loss from scratch": sc.loss_curve_}}))
'''


# ---- the page's cached computations: each part cached on its own inputs ----
@memo.cached(max_entries=16, shared=True, progress="Training the source network…")
def source_network(direction: str, hidden: int, seed: int) -> tuple[MLPClassifier, float]:
    """The source network and its held-out accuracy, per architecture: the target epochs do not touch it."""
    return train_source(direction, hidden, seed)


@memo.cached(max_entries=16, progress="Feature extraction at every label count…")
def extraction(direction: str, hidden: int, seed: int) -> dict[int, float]:
    """Feature extraction's accuracy at every label count: it depends on the source network only."""
    return extraction_accuracies(source_network(direction, hidden, seed)[0], direction, seed)


@memo.cached(max_entries=128)  # one entry: three accuracies and two loss curves (at most 60 numbers each)
def label_result(direction: str, hidden: int, epochs: int, seed: int, n: int) -> dict:
    """The three approaches at one label count of the grid (``n`` as on the slider; the row's "n" is
    the number of labels actually used, fewer when the pool is smaller)."""
    return label_row(source_network(direction, hidden, seed)[0], direction, hidden, epochs, seed, n,
                     extraction(direction, hidden, seed))


@memo.cached(max_entries=16)
def sizes(direction: str, seed: int) -> dict:
    return target_sizes(direction, seed)


@memo.cached(max_entries=16)
def as_is(direction: str, hidden: int, seed: int) -> float | None:
    return source_as_is(source_network(direction, hidden, seed)[0], direction, seed)


def task_texts(direction: str) -> tuple[str, str]:
    """What the source and the target task are, in words."""
    if direction == DIRECTIONS[2]:
        return ("half of the images of digits 0–4",
                f"the other half of the 0–4 images, as read by a noisy scanner (pixel noise σ = {SCANNER_NOISE} "
                "on a 0–1 scale): same classes, new domain")
    source = "digits " + ("0–4" if direction == DIRECTIONS[0] else "5–9")
    return source, "digits " + ("5–9" if direction == DIRECTIONS[0] else "0–4") + ": new classes, same kind of image"


LABELS_FIELD = "labelled target examples"
AT_DATASET, LOSSES_DATASET = "at", "losses"  # what the labels slider moves in the two charts


def accuracy_spec(res: dict) -> dict:
    """Test accuracy against the number of labels, with a rule at the count shown (dataset "at")."""
    # the three methods differ by a few points: zoomed on the data, the scale's numbers say where it starts
    chart = charts.line_chart(accuracy_long(res), x=LABELS_FIELD, y="test accuracy", color="method",
                              title="Target test accuracy vs labelled target examples", log_x=True,
                              rule_x=LABELS_DEFAULT, zero_y=False)
    return charts.named_datasets(charts.to_spec(chart), {1: AT_DATASET})


def loss_spec(res: dict) -> dict:
    """Training loss per epoch of fine-tuning and from scratch at one label count (dataset "losses")."""
    losses = loss_long(res["rows"][0])
    chart = charts.line_chart(losses, x="epoch", y="training loss", color="method",
                              title="Training loss per epoch on the labelled target examples")
    # the same colour per method as in the accuracy chart (only two of the three methods have a loss)
    shown = [m for m in METHODS if m in set(losses["method"])]
    chart.encoding.color.scale = alt.Scale(domain=shown, range=[charts.OKABE_ITO[METHODS.index(m)] for m in shown])
    return charts.named_datasets(charts.to_spec(chart), {None: LOSSES_DATASET})


# shared: read-only (specs, tables, texts) and read on every run, where a copy per caller cost ~10 ms of
# unpickling; the page never modifies it
@memo.cached(max_entries=32, shared=True)
def results(direction: str, hidden: int, epochs: int, seed: int) -> dict:
    """The experiment at every label count (from label_result's cache), its two charts, its tables and
    the scenario's reading, once per training setting: the labels slider only reads them."""
    res = {"source_acc": source_network(direction, hidden, seed)[1],
           "rows": [label_result(direction, hidden, epochs, seed, n) for n in LABEL_GRID],
           **sizes(direction, seed)}
    losses = {}
    for row in res["rows"]:
        long = loss_long(row)
        losses[row["n"]] = (long.to_dict("records"), long.pivot(index="epoch", columns="method",
                                                                 values="training loss"))
    return {"res": res, "accuracy_table": accuracy_wide(res), "accuracy_spec": accuracy_spec(res),
            "loss_spec": loss_spec(res), "losses": losses,
            "scenario": scenario_text(res, as_is(direction, hidden, seed))}


def label_frames(view: dict, n: int) -> dict[str, list[dict]]:
    """The two small datasets the labels slider moves (``n``: the labels actually used)."""
    return {AT_DATASET: [{LABELS_FIELD: n}], LOSSES_DATASET: view["losses"][n][0]}
