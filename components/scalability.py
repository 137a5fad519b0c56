"""Scalability: a batch solver vs SGD vs out-of-core ``partial_fit`` (vs PCA first) as n grows, and
what the batch size of mini-batch gradient descent changes.

Fit times are measured on this machine (they vary run to run; the scores do not: every model is seeded).
Growth exponents are the slopes of log(time) against log(n): 1 means linear in n.

Two things are easy to confuse and the page keeps them apart:
- ``SGDClassifier.partial_fit`` on chunks (out-of-core learning) makes one update per ROW inside each
  call, so the chunk size sets how many rows sit in memory at once, not the number of steps; in
  stream order (``shuffle=False``) every chunk size gives the same model.
- mini-batch gradient descent makes one step per BATCH, along the average gradient of its rows:
  the batch size sets the number of steps per pass and the noise of each step.
"""
from __future__ import annotations

import functools
import math
import time
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.special import expit
from sklearn.datasets import make_classification
from sklearn.decomposition import PCA
from sklearn.linear_model import LogisticRegression, SGDClassifier
from sklearn.pipeline import make_pipeline

from components import charts, memo

# ---- widget keys, defaults, options (one source of truth; the tests import them) ----
MAX_N_KEY, WIDTH_KEY, PCA_KEY, BATCH_KEY = ("scalab.max_n", "scalab.width", "scalab.pca", "scalab.batch")
MAX_N_OPTIONS = (2_000, 5_000, 10_000, 20_000)
MAX_N_DEFAULT = 10_000
WIDTH_OPTIONS = (20, 50, 100)
WIDTH_DEFAULT = 50
PCA_OPTIONS = (2, 5, 10, 20)
PCA_DEFAULT = 10
BATCH_OPTIONS = (16, 64, 256, 1024)  # the batch size of mini-batch GD and the chunk size of partial_fit
BATCH_DEFAULT = 64

N_INFORMATIVE = 8
TEST_N = 4_000
RACE_CHUNK = 256  # the chunk size of the timing race's partial_fit stream (the batch section has its own slider)
SGD_EPOCHS = 5
CURVE_POINTS = 60
CURVE_ROWS = 5_000  # the batch section streams at most this many rows (chunks of 16 = 313 partial_fit calls)
SGD_PARAMS = dict(loss="log_loss", learning_rate="invscaling", eta0=0.05)  # a decaying step: stable and accurate
# partial_fit in stream order: by default each call shuffles the rows of its own chunk, so two chunk sizes
# visit the rows in different orders and end a hair apart; in stream order they make the same updates
STREAM_PARAMS = dict(SGD_PARAMS, shuffle=False)
# mini-batch GD's constant step: small, so the number of steps decides (from 0.1 up, the noise of
# batch-16 steps blurs that on some seeds)
GD_LEARNING_RATE = 0.02

BATCH_LR = "batch solver (LogisticRegression, lbfgs)"
SGD = f"SGD (SGDClassifier, {SGD_EPOCHS} epochs)"
STREAM = f"out-of-core SGD (partial_fit, chunks of {RACE_CHUNK}, 1 pass)"
PCA_LR = "PCA → batch solver"
METHODS = (BATCH_LR, SGD, STREAM, PCA_LR)

EXPONENT = "time exponent (slope of log t vs log n)"
ITERATIONS = "iterations (lbfgs) or epochs (SGD)"


def n_grid(max_n: int) -> list[int]:
    """Roughly geometric sample counts from 1,000 up to max_n."""
    base = [1_000, 2_000, 5_000, 10_000, 20_000]
    return [n for n in base if n < max_n] + [max_n]


@functools.lru_cache(maxsize=4)
def make_data(width: int, seed: int):
    """The first rows are the training pool (every n takes a prefix), the last TEST_N the test set.

    A wide binary problem (make_classification: N_INFORMATIVE informative columns, the rest
    redundant or noise) with a fixed test set of TEST_N rows. Features come out roughly unit-scaled,
    which SGD needs (in real data, put a StandardScaler first). Generated once per (width, seed) and
    process (~85 ms a call; every fit, the curves and the PCA share it), read-only."""
    max_n = max(MAX_N_OPTIONS)
    X, y = make_classification(n_samples=max_n + TEST_N, n_features=width, n_informative=N_INFORMATIVE,
                               n_redundant=min(10, width - N_INFORMATIVE), flip_y=0.02, class_sep=1.0,
                               random_state=seed)
    X.setflags(write=False)
    y.setflags(write=False)
    return X[:max_n], y[:max_n], X[max_n:], y[max_n:]


def make_model(method: str, seed: int, n_components: int = PCA_DEFAULT):
    if method == BATCH_LR:
        return LogisticRegression(max_iter=1000)
    if method == SGD:
        return SGDClassifier(**SGD_PARAMS, max_iter=SGD_EPOCHS, tol=None, random_state=seed)
    if method == STREAM:
        return SGDClassifier(**STREAM_PARAMS, random_state=seed)
    if method == PCA_LR:
        return make_pipeline(PCA(n_components=n_components, random_state=seed), LogisticRegression(max_iter=1000))
    raise KeyError(method)


def stream_fit(model, X, y, chunk: int):
    """Out-of-core learning: one pass over the rows in chunks of `chunk`, one partial_fit call each
    (here the chunks are slices of an array in memory; in real use each is read from disk)."""
    classes = np.unique(y)
    for start in range(0, len(y), chunk):
        model.partial_fit(X[start:start + chunk], y[start:start + chunk], classes=classes)
    return model


def fit(method: str, X, y, seed: int, n_components: int = PCA_DEFAULT):
    """Fit one method; out-of-core SGD streams the rows once in RACE_CHUNK chunks through partial_fit."""
    model = make_model(method, seed, n_components)
    if method == STREAM:
        return stream_fit(model, X, y, RACE_CHUNK)
    return model.fit(X, y)


def iterations(method: str, model) -> int:
    """lbfgs iterations of the batch solvers, epochs of SGD (one pass for the stream)."""
    if method == BATCH_LR:
        return int(model.n_iter_[0])
    if method == PCA_LR:
        return int(model[-1].n_iter_[0])
    if method == SGD:
        return int(model.n_iter_)
    return 1


TIMING_REPEATS = 3  # a short fit is timed up to this many times and the fastest run kept (as timeit does)
TIMING_BUDGET = 0.05  # s: repeats stop once this much time is spent, so only fits of a few ms repeat


@functools.lru_cache(maxsize=8)
def warm_up(width: int, seed: int) -> bool:
    """One throw-away fit of every method per process before any is timed: the first fit pays for
    lazy imports and first-call set-up (a 1,000-row lbfgs fit took 10x its later time, which once
    gave the batch solver a negative growth exponent)."""
    X, y, _, _ = make_data(width, seed)
    for method in METHODS:
        fit(method, X[:500], y[:500], seed, min(PCA_DEFAULT, width))
    return True


def race_fit(method: str, n: int, width: int, seed: int, n_components: int = PCA_DEFAULT) -> dict:
    """Fit time and test accuracy of one method on the first n training rows (n_components matters
    for PCA_LR only: the page caches one point per (method, n), so a new PCA size refits PCA_LR alone).
    The time is the fastest of up to TIMING_REPEATS fits within TIMING_BUDGET: a fit of a few ms is
    at the mercy of the scheduler, and the minimum is the least disturbed estimate of its cost. Every
    repeat builds the same seeded model."""
    X, y, X_test, y_test = make_data(width, seed)
    warm_up(width, seed)
    best, spent = float("inf"), 0.0
    for _ in range(TIMING_REPEATS):
        t0 = time.perf_counter()
        model = fit(method, X[:n], y[:n], seed, n_components)
        dt = time.perf_counter() - t0
        best, spent = min(best, dt), spent + dt
        if spent >= TIMING_BUDGET:
            break
    return {"n": n, "method": method, "fit time (s)": best, "test accuracy": float(model.score(X_test, y_test)),
            ITERATIONS: iterations(method, model)}


def race_point(n: int, width: int, n_components: int, seed: int) -> list[dict]:
    """Fit time and test accuracy of every method on the first n training rows."""
    return [race_fit(method, n, width, seed, n_components) for method in METHODS]


def race(max_n: int, width: int, n_components: int, seed: int) -> pd.DataFrame:
    """Every method at every n of the grid (the page calls race_point per n, cached, with progress)."""
    return pd.DataFrame([r for n in n_grid(max_n) for r in race_point(n, width, n_components, seed)])


def slopes(df: pd.DataFrame) -> pd.DataFrame:
    """Growth exponent of fit time in n per method: slope of log(time) vs log(n) (least squares)."""
    out = []
    for method, g in df.groupby("method", sort=False):
        t = np.maximum(g["fit time (s)"].to_numpy(), 1e-6)
        b = np.polyfit(np.log(g["n"].to_numpy()), np.log(t), 1)[0] if len(g) > 1 else float("nan")
        out.append({"method": method, EXPONENT: float(b),
                    "time at largest n (s)": float(g["fit time (s)"].iloc[-1]),
                    "accuracy at largest n": float(g["test accuracy"].iloc[-1])})
    return pd.DataFrame(out)


def binary_log_loss(y, p1) -> float:
    """sklearn.metrics.log_loss for 0/1 labels and P(class 1), without its input checks (~2.5 ms a
    call, 60 calls per curve): probabilities clipped to [eps, 1 - eps], mean of -log P(true class)."""
    eps = np.finfo(float).eps
    p1 = np.clip(p1, eps, 1 - eps)
    return float(-np.mean(np.where(np.asarray(y) == 1, np.log(p1), np.log1p(-p1))))


def stream_curve(max_n: int, width: int, chunk: int, seed: int, points: int = CURVE_POINTS) -> pd.DataFrame:
    """One pass of out-of-core SGD (partial_fit in stream order) over the first rows: held-out log-loss
    after evenly spaced chunks (at most `points` evaluations so small chunks stay cheap), with the
    calls made and the SGD updates done so far (the model's own count, t_ - 1)."""
    X, y, X_test, y_test = make_data(width, seed)
    X, y = X[:min(max_n, CURVE_ROWS)], y[:min(max_n, CURVE_ROWS)]
    model = SGDClassifier(**STREAM_PARAMS, random_state=seed)
    classes = np.unique(y)
    n_chunks = math.ceil(len(y) / chunk)
    every = max(1, n_chunks // points)
    recs = []
    for c in range(n_chunks):
        model.partial_fit(X[c * chunk:(c + 1) * chunk], y[c * chunk:(c + 1) * chunk], classes=classes)
        if (c + 1) % every == 0 or c == n_chunks - 1:
            # one pass over the test rows: predict_proba is expit(decision), predict is decision > 0
            d = model.decision_function(X_test)
            recs.append({"rows seen": min((c + 1) * chunk, len(y)), "partial_fit calls": c + 1,
                         "SGD updates": int(model.t_ - 1), "held-out log-loss": binary_log_loss(y_test, expit(d)),
                         "held-out accuracy": float(np.mean((d > 0).astype(int) == y_test))})
    return pd.DataFrame(recs)


def logistic_gradient(w: np.ndarray, b: float, X: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, float]:
    """Gradient of the mean log-loss of logistic regression, P(y = 1 | x) = σ(x·w + b), over the rows
    X, y: (Xᵀ r / m, mean r) with the residuals r = σ(Xw + b) − y."""
    residual = expit(X @ w + b) - y
    return X.T @ residual / len(y), float(residual.sum()) / len(y)


def minibatch_gd_pass(X, y, batch: int, learning_rate: float = GD_LEARNING_RATE, every: int = 0) -> list[tuple]:
    """One pass of mini-batch gradient descent for logistic regression from zero weights: the rows in
    order, one step of size `learning_rate` along the average gradient of each batch.

    Written by hand because scikit-learn's linear models have no mini-batch gradient descent:
    SGDClassifier updates once per row, even inside partial_fit. (MLPClassifier with no hidden layer and
    solver="sgd" takes the same steps, but it hides them; the tests check these lines against it.)
    Returns snapshots (steps, rows seen, w, b) after every `every`-th step (every > 0) and after the last."""
    w, b = np.zeros(X.shape[1]), 0.0
    steps = math.ceil(len(y) / batch)
    snapshots = []
    for step in range(1, steps + 1):
        start = (step - 1) * batch
        grad_w, grad_b = logistic_gradient(w, b, X[start:start + batch], y[start:start + batch])
        w, b = w - learning_rate * grad_w, b - learning_rate * grad_b
        if (every and step % every == 0) or step == steps:
            snapshots.append((step, min(step * batch, len(y)), w, b))
    return snapshots


def _held_out(snapshots: list[tuple], X_test, y_test) -> list[tuple[float, float]]:
    """(log-loss, accuracy) of each snapshot on the test rows: binary_log_loss and the accuracy of
    decision > 0, for all snapshots at once (one matrix product, one column per snapshot)."""
    decision = X_test @ np.array([s[2] for s in snapshots]).T + np.array([s[3] for s in snapshots])
    eps = np.finfo(float).eps
    p1 = np.clip(expit(decision), eps, 1 - eps)
    positive = (np.asarray(y_test) == 1)[:, None]
    losses = -np.mean(np.where(positive, np.log(p1), np.log1p(-p1)), axis=0)
    accuracies = np.mean((decision > 0) == positive, axis=0)
    return [(float(loss), float(acc)) for loss, acc in zip(losses, accuracies)]


def gd_curve(max_n: int, width: int, batch: int, seed: int, points: int = CURVE_POINTS) -> pd.DataFrame:
    """One pass of mini-batch gradient descent over the same rows as stream_curve: held-out log-loss
    after evenly spaced steps (at most about `points` of them)."""
    X, y, X_test, y_test = make_data(width, seed)
    rows = min(max_n, CURVE_ROWS)
    every = max(1, math.ceil(rows / batch) // points)
    snapshots = minibatch_gd_pass(X[:rows], y[:rows], batch, every=every)
    scores = _held_out(snapshots, X_test, y_test)
    return pd.DataFrame([{"rows seen": rows_seen, "gradient steps": step, "held-out log-loss": loss,
                          "held-out accuracy": acc} for (step, rows_seen, _, _), (loss, acc) in zip(snapshots, scores)])


def gd_table(max_n: int, width: int, seed: int) -> pd.DataFrame:
    """Every batch size of the slider: gradient steps in one pass of mini-batch gradient descent and the
    held-out scores after it (the same rows as the curves)."""
    X, y, X_test, y_test = make_data(width, seed)
    rows = min(max_n, CURVE_ROWS)
    finals = [minibatch_gd_pass(X[:rows], y[:rows], batch)[-1] for batch in BATCH_OPTIONS]
    scores = _held_out(finals, X_test, y_test)
    return pd.DataFrame([{"batch size": batch, "gradient steps per pass": step,
                          "held-out log-loss after one pass": loss, "held-out accuracy after one pass": acc}
                         for batch, (step, _, _, _), (loss, acc) in zip(BATCH_OPTIONS, finals, scores)])


def gd_label(batch: int) -> str:
    return f"mini-batch gradient descent (batch {batch})"


def stream_label(chunk: int) -> str:
    return f"out-of-core SGD (partial_fit, chunks of {chunk})"


def curve_frame(gd: pd.DataFrame, stream: pd.DataFrame, batch: int) -> pd.DataFrame:
    """Both curves in long format for one chart: held-out log-loss against rows seen."""
    cols = ["rows seen", "held-out log-loss"]
    return pd.concat([gd[cols].assign(method=gd_label(batch)), stream[cols].assign(method=stream_label(batch))],
                     ignore_index=True)


def pca_variance(max_n: int, width: int, n_components: int, seed: int) -> float:
    X, *_ = make_data(width, seed)
    X = X[:max_n]
    return float(PCA(n_components=n_components, random_state=seed).fit(X).explained_variance_ratio_.sum())


# ---- the page's sentences, generated from the numbers on screen ----

def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def _leaders(values: pd.Series, decimals: int, best: str) -> list:
    """The labels whose value, rounded as the text shows it, equals the best rounded value (ties kept)."""
    shown = values.round(decimals)
    target = shown.min() if best == "min" else shown.max()
    return list(shown.index[shown == target])


def _names(names: list[str]) -> str:
    bold = [f"**{n}**" for n in names]
    return bold[0] if len(bold) == 1 else ", ".join(bold[:-1]) + " and " + bold[-1]


def _compare(a: float, b: float, words: tuple[str, str, str]) -> str:
    """words[0] if a < b, words[1] if a > b, words[2] if equal (compare values rounded as shown)."""
    return words[0] if a < b else words[1] if a > b else words[2]


def race_text(race: pd.DataFrame, max_n: int, width: int, n_comp: int, pca_kept: float) -> str:
    """What the race shows at the largest n, every comparison read off the race's own numbers."""
    sl = slopes(race).set_index("method")
    ms = (sl["time at largest n (s)"] * 1000).round(1)  # as shown: milliseconds, one decimal
    acc = sl["accuracy at largest n"].round(3)
    exp = sl[EXPONENT].round(1) + 0.0  # + 0.0: no "-0.0"
    its = race[race["n"] == max_n].set_index("method")[ITERATIONS]
    fastest, most_accurate = _leaders(ms, 1, "min"), _leaders(acc, 3, "max")
    calls = math.ceil(max_n / RACE_CHUNK)
    grid = n_grid(max_n)
    parts = [
        f"At n = {max_n:,} the fastest fit took **{ms[fastest[0]]:.1f} ms**: {_names(fastest)}. The best test "
        f"accuracy, **{acc[most_accurate[0]]:.3f}**, is reached by {_names(most_accurate)}.",
        f"One pass of out-of-core SGD (`partial_fit` on {calls} chunks of {RACE_CHUNK} rows) took "
        f"**{ms[STREAM]:.1f} ms** for accuracy **{acc[STREAM]:.3f}**; {SGD_EPOCHS} epochs of `SGDClassifier.fit` "
        f"took **{ms[SGD]:.1f} ms** for **{acc[SGD]:.3f}**; the batch solver took **{ms[BATCH_LR]:.1f} ms** for "
        f"**{acc[BATCH_LR]:.3f}** after **{its[BATCH_LR]}** lbfgs iterations.",
        _compare(ms[STREAM], ms[SGD], (
            f"The single streaming pass took less time than {SGD_EPOCHS} epochs of `fit`.",
            f"The single streaming pass took longer than {SGD_EPOCHS} epochs of `fit`: each of its {calls} calls "
            "pays `partial_fit`'s fixed cost (input checks, set-up), which `fit` pays once.",
            f"The single streaming pass took as long as {SGD_EPOCHS} epochs of `fit` (to the 0.1 ms shown).")),
        "In theory both cost O(n·d) per pass over the data: an SGD epoch is one pass, an lbfgs iteration at "
        "least one. What streaming buys is memory: the batch solver needs the whole matrix in memory, "
        "`partial_fit` only one chunk at a time.",
        f"Here fit time scaled as n^**{exp[BATCH_LR]:.1f}** for the batch solver and n^**{exp[SGD]:.1f}** for SGD: "
        + _compare(exp[BATCH_LR], exp[SGD], ("the batch solver's exponent is the lower.", "the batch solver's "
                                             "exponent is the higher.", "equal exponents to one decimal."))
        + (" A negative exponent means the measured time fell as n grew: timing noise or, for lbfgs, fewer "
           "iterations at the larger n (every fit's iterations are in the table above)."
           if min(exp[BATCH_LR], exp[SGD]) < 0 else "")
        + f" (Slopes of log time on log n over n = {grid[0]:,} to {max_n:,}"
        + (", only two sizes" if len(grid) == 2 else "")
        + f"; each time is the fastest of up to {TIMING_REPEATS} fits. Over so short a range the exponents are "
        "noisy: rerun and they move by tenths or more.)",
    ]
    if n_comp < width:
        parts.append(
            f"PCA to {n_comp} components keeps **{pca_kept:.1%}** of the variance of the {width} columns, so the "
            f"solver works on {n_comp} columns instead of {width}. With the PCA's own pass, PCA → batch solver "
            f"took **{ms[PCA_LR]:.1f} ms** against **{ms[BATCH_LR]:.1f} ms** for the batch solver on all columns ("
            + _compare(ms[PCA_LR], ms[BATCH_LR], ("faster", "slower", "as fast"))
            + f") and scored **{acc[PCA_LR]:.3f}** against **{acc[BATCH_LR]:.3f}**.")
    else:
        parts.append(
            f"PCA to {n_comp} components of {width} columns keeps **{pca_kept:.1%}** of the variance and shrinks "
            f"nothing: the solver still works on {width} columns, after the PCA's own pass (PCA → batch solver "
            f"took **{ms[PCA_LR]:.1f} ms** against **{ms[BATCH_LR]:.1f} ms** for the batch solver alone).")
    parts.append("A fit of a few milliseconds is mostly fixed cost (input checks, set-up), which flattens the "
                 "curves at small n: read the slopes between the larger n.")
    return " ".join(parts)


def batch_text(table: pd.DataFrame, stream: pd.DataFrame, chunk: int) -> str:
    """What the batch section shows: mini-batch gradient descent over the batch sizes (the table) and
    partial_fit in chunks of the chosen size (the last row of its curve)."""
    steps = dict(zip(table["batch size"], table["gradient steps per pass"]))
    loss = table.set_index("batch size")["held-out log-loss after one pass"].round(4)  # as shown
    first, last = BATCH_OPTIONS[0], BATCH_OPTIONS[-1]
    rows = int(stream["rows seen"].iloc[-1])
    diffs = np.diff(loss.to_numpy())
    if (diffs > 0).all():
        trend = (f"rises with the batch size, from **{loss[first]:.4f}** at {first} to **{loss[last]:.4f}** at "
                 f"{last:,}: fewer steps, less progress per pass")
    elif (diffs < 0).all():
        trend = f"falls as the batch grows, from **{loss[first]:.4f}** at {first} to **{loss[last]:.4f}** at {last:,}"
    else:
        low, high = _leaders(loss, 4, "min")[0], _leaders(loss, 4, "max")[0]
        trend = (f"is lowest at batch {low:,} (**{loss[low]:.4f}**) and highest at batch {high:,} "
                 f"(**{loss[high]:.4f}**)")
    final = stream.iloc[-1]
    return (
        f"Mini-batch gradient descent over {rows:,} rows takes **{steps[first]}** steps per pass at batch {first} "
        f"and **{steps[last]}** at batch {last:,}: one step per batch, along the average gradient of its rows. "
        f"At a fixed learning rate of {GD_LEARNING_RATE} its held-out log-loss after one pass {trend}. "
        "A larger batch gives a less noisy step (the variance of an average of B gradients falls as 1/B), so it "
        "tolerates a larger learning rate, and it fills vectorised hardware better: in practice the rate is raised "
        "with the batch size. Here it stays fixed. "
        f"`partial_fit` in chunks of {chunk:,} made **{int(final['partial_fit calls']):,}** calls and "
        f"**{int(final['SGD updates']):,}** SGD updates: `SGDClassifier` updates once per row inside each call, so "
        "in stream order every chunk size makes the same updates and ends with the same model (held-out "
        f"log-loss **{final['held-out log-loss']:.4f}**). The chunk size sets how many rows a stream holds in "
        "memory, not the number of steps.")


def export_code(max_n: int, width: int, n_comp: int, batch: int, seed: int) -> str:
    """A standalone script; last stdout line = JSON of the page's scores (times vary, so they are printed only)."""
    return f'''import json
import time

import numpy as np
from scipy.special import expit
from sklearn.datasets import make_classification
from sklearn.decomposition import PCA
from sklearn.linear_model import LogisticRegression, SGDClassifier
from sklearn.metrics import log_loss
from sklearn.pipeline import make_pipeline

SEED, N, WIDTH, N_COMPONENTS, BATCH = {seed}, {max_n}, {width}, {n_comp}, {batch}
POOL, TEST_N = {max(MAX_N_OPTIONS)}, {TEST_N}  # every n takes a prefix of the same pool
SGD = dict(loss="log_loss", learning_rate="invscaling", eta0=0.05)
X, y = make_classification(n_samples=POOL + TEST_N, n_features=WIDTH, n_informative={N_INFORMATIVE},
                           n_redundant={min(10, width - N_INFORMATIVE)}, flip_y=0.02, class_sep=1.0, random_state=SEED)
X, y, X_test, y_test = X[:N], y[:N], X[POOL:], y[POOL:]


def stream_fit(model, X, y, chunk):
    """Out-of-core learning: one partial_fit call per chunk (in real use each chunk is read from disk)."""
    for start in range(0, len(y), chunk):
        model.partial_fit(X[start:start + chunk], y[start:start + chunk], classes=[0, 1])
    return model


# the race at the largest n
models = {{
    "batch": LogisticRegression(max_iter=1000),                        # whole data per step (lbfgs)
    "sgd": SGDClassifier(**SGD, max_iter={SGD_EPOCHS}, tol=None, random_state=SEED),
    "pca_batch": make_pipeline(PCA(n_components=N_COMPONENTS, random_state=SEED), LogisticRegression(max_iter=1000)),
}}
acc = {{}}
for name, model in models.items():
    t0 = time.perf_counter(); model.fit(X, y); dt = time.perf_counter() - t0
    acc[name] = model.score(X_test, y_test)
    print(f"{{name:>10}}: fit {{dt:.3f}} s, test accuracy {{acc[name]:.4f}}")
# shuffle=False: the rows in stream order (by default partial_fit shuffles inside each chunk)
stream = stream_fit(SGDClassifier(**SGD, shuffle=False, random_state=SEED), X, y, {RACE_CHUNK})
acc["stream"] = stream.score(X_test, y_test)
print(f"    stream: one pass in chunks of {RACE_CHUNK}, test accuracy {{acc['stream']:.4f}}")

# batch size, on the first ROWS rows: partial_fit in chunks of BATCH makes one update per row ...
ROWS = min(N, {CURVE_ROWS})
chunked = stream_fit(SGDClassifier(**SGD, shuffle=False, random_state=SEED), X[:ROWS], y[:ROWS], BATCH)
stream_loss = log_loss(y_test, chunked.predict_proba(X_test))
print(f"partial_fit, chunks of {{BATCH}}: {{int(chunked.t_ - 1)}} updates, held-out log-loss {{stream_loss:.4f}}")


# ... while mini-batch gradient descent makes one step per batch (scikit-learn's linear models have none)
def minibatch_gd_pass(X, y, batch, learning_rate):
    """One pass of mini-batch gradient descent for logistic regression, from zero weights."""
    w, b = np.zeros(X.shape[1]), 0.0
    for start in range(0, len(y), batch):
        Xb, yb = X[start:start + batch], y[start:start + batch]
        residual = expit(Xb @ w + b) - yb  # the mean log-loss's gradient is (Xb.T @ residual, sum residual) / rows
        w, b = w - learning_rate * Xb.T @ residual / len(yb), b - learning_rate * residual.mean()
    return w, b


gd_loss = {{}}
for size in {BATCH_OPTIONS}:
    w, b = minibatch_gd_pass(X[:ROWS], y[:ROWS], size, learning_rate={GD_LEARNING_RATE})
    gd_loss[str(size)] = log_loss(y_test, expit(X_test @ w + b))
    print(f"mini-batch GD, batch {{size:>4}}: {{-(-ROWS // size):>3}} steps per pass, "
          f"held-out log-loss {{gd_loss[str(size)]:.4f}}")
print(json.dumps({{**{{k: float(v) for k, v in acc.items()}}, "stream_log_loss": float(stream_loss),
                  "stream_updates": int(chunked.t_ - 1), "gd_log_loss": gd_loss}}))
'''


# Snippets for engines this app does not run. The first line names what a snippet needs
# ("# needs: ..."): the page shows it, and tests/test_code_snippets.py checks such a snippet for
# syntax and for names it uses without importing or defining them, instead of importing its packages.
DISTRIBUTED = {
    "Spark MLlib": """# needs: pyspark and a Spark cluster
from pyspark.ml.classification import LogisticRegression
from pyspark.ml.feature import VectorAssembler
from pyspark.sql import SparkSession

spark = SparkSession.builder.getOrCreate()              # the session of the cluster the job runs on
df = spark.read.parquet("s3://bucket/events/")          # partitions spread over executors
feature_cols = [c for c in df.columns if c != "label"]
df = VectorAssembler(inputCols=feature_cols, outputCol="features").transform(df)
model = LogisticRegression(maxIter=20, regParam=0.01).fit(df)   # each iteration = one pass over the cluster""",
    "Dask-ML": """# needs: dask-ml and a Dask cluster
import dask.dataframe as dd
from dask.distributed import Client
from dask_ml.linear_model import LogisticRegression
from dask_ml.wrappers import Incremental
from sklearn.linear_model import SGDClassifier

client = Client("tcp://scheduler:8786")                # the cluster's scheduler
df = dd.read_parquet("s3://bucket/events/")            # lazy, chunked like a pandas DataFrame
feature_cols = [c for c in df.columns if c != "label"]
X, y = df[feature_cols].to_dask_array(lengths=True), df["label"].to_dask_array(lengths=True)
LogisticRegression().fit(X, y)                         # distributed solver (admm / lbfgs over chunks)
Incremental(SGDClassifier(loss="log_loss")).fit(X, y, classes=[0, 1])   # partial_fit chunk by chunk""",
    "Ray": """# needs: ray and a Ray cluster
import joblib
import ray
from ray.util.joblib import register_ray
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV

ray.init(address="auto")                               # join the running cluster
register_ray()                                         # "ray" becomes a joblib backend
X, y = make_classification(n_samples=100_000, n_features=50, random_state=0)
search = GridSearchCV(LogisticRegression(max_iter=1000), {"C": [0.01, 0.1, 1, 10]}, cv=5, n_jobs=-1)
with joblib.parallel_config(backend="ray"):            # scikit-learn's joblib jobs run on the Ray cluster
    search.fit(X, y)                                   # 20 independent fits: embarrassingly parallel""",
}


def snippet_needs(code: str) -> str | None:
    """What a snippet's first line says it needs ("# needs: ray and a Ray cluster" -> "ray and a Ray cluster")."""
    first = code.splitlines()[0] if code else ""
    return first.removeprefix("# needs:").strip() if first.startswith("# needs:") else None


# ---- cached compute for the page (components.memo: Streamlit's caches on the server) -------------
@dataclass(frozen=True)
class Settings:
    max_n: int
    width: int
    n_comp: int
    seed: int


@memo.cached(max_entries=256)
def cached_race_fit(method: str, n: int, width: int, seed: int, n_components: int) -> dict:
    """One point of the race, cached per (method, n): a control refits only the points it changes
    (only PCA → batch solver depends on the number of components; the page passes 0 for the others)."""
    return race_fit(method, n, width, seed, n_components)


def race_points(s: Settings) -> list[tuple[int, str, int]]:
    """(n, method, components argument) of every point the race needs, in drawing order."""
    return [(n, m, s.n_comp if m == PCA_LR else 0) for n in n_grid(s.max_n) for m in METHODS]


RACE_HEIGHT = 380  # the legend below the plot takes ~100 px of the chart's height


def _race_legend(chart):
    """Method names are long ("batch solver (LogisticRegression, lbfgs)"): a right-hand legend cut them at
    25 characters, so the legend goes below the plot, in two columns, in the table's order."""
    chart.encoding.color.sort = list(METHODS)
    return chart.configure_legend(orient="bottom", columns=2, labelLimit=0)


@memo.cached(max_entries=32)
def race_view(s: Settings) -> dict:
    """The race's table, growth exponents, both charts' specs and the generated text (every point cached)."""
    race = pd.DataFrame([cached_race_fit(m, n, s.width, s.seed, c) for n, m, c in race_points(s)])
    table = slopes(race)
    time_spec = charts.to_spec(_race_legend(charts.loglog_chart(
        race, x="n", y="fit time (s)", color="method", title="Fit time vs rows (log–log: slope = growth exponent)",
        height=RACE_HEIGHT)))
    # zoomed on the scores: the methods end within a point or two of each other
    accuracy_spec = charts.to_spec(_race_legend(charts.line_chart(
        race, x="n", y="test accuracy", color="method", log_x=True, title=f"Test accuracy on {TEST_N:,} held-out rows",
        height=RACE_HEIGHT, zero_y=False)))
    text = race_text(race, s.max_n, s.width, s.n_comp, pca_variance(s.max_n, s.width, s.n_comp, s.seed))
    return {"race": race, "slopes": table, "time": time_spec, "accuracy": accuracy_spec, "text": text}


@memo.cached(max_entries=32)
def batch_view(s: Settings, batch: int) -> dict:
    """Mini-batch gradient descent and partial_fit at one batch size, the table over every batch size,
    the curve chart's spec and the generated text."""
    gd = gd_curve(s.max_n, s.width, batch, s.seed)
    stream = stream_curve(s.max_n, s.width, batch, s.seed)
    table = gd_table_cached(s.max_n, s.width, s.seed)
    curve = curve_frame(gd, stream, batch)
    chart = charts.line_chart(curve, x="rows seen", y="held-out log-loss", color="method",
                              zero_y=False,  # the fall, not the zero
                              title=f"One pass over {int(curve['rows seen'].max()):,} rows, batches or chunks of "
                                    f"{batch}")
    chart.encoding.color.sort = [gd_label(batch), stream_label(batch)]
    return {"gd": gd, "stream": stream, "table": table, "text": batch_text(table, stream, batch),
            "curve": charts.to_spec(chart.configure_legend(orient="bottom", labelLimit=0))}


@memo.cached(max_entries=16)
def gd_table_cached(max_n: int, width: int, seed: int) -> pd.DataFrame:
    """Every batch size of the slider, one pass each: shared by all batch sizes of one race."""
    return gd_table(max_n, width, seed)


@memo.cached(max_entries=32)
def cached_export_code(s: Settings, batch: int) -> str:
    return export_code(s.max_n, s.width, s.n_comp, batch, s.seed)
