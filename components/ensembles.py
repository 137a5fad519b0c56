"""Ensembles lab: bagging (bootstrap trees and their vote, out-of-bag score, variance reduction) and
boosting (AdaBoost sample weights round by round, staged errors, gradient boosting beside it).

scikit-learn fits everything. Written by hand, because no library exposes them: AdaBoost's sample
weights at each round (rebuilt from the fitted stumps and their estimator weights with SAMME's own
update rule, checked in the tests against ``estimator_errors_``), the running vote of the first k
bagged trees (one BaggingClassifier of BAG_N_MAX trees serves every smaller ensemble: its first k
members are what a fit of k draws, checked in the tests), the bias-variance decomposition of the
predictions across training sets drawn afresh from the data's generator, AdaBoost's staged predictions
from one prediction per weak learner (checked against staged_predict_proba), and the sentences about
what is on screen.

The page (views/models/ensembles.py) reads everything through the cached functions at the end of each
section. Its scrubbing controls (the number of trees in the vote, the boosting rounds and the round
shown) never change a chart's spec: each chart holds what they move (the vote's image, boundary and
label, the rules, the round's image, boundary and weights) at every position of the sliders, computed
once per fit (bagging_stacked, boosting_stacked), and shows the rows of the sliders' positions
(charts.scrubbable), so the browser redraws it as a slider moves, with no round trip. bagging_frames
and boosting_frames give the same rows at one position (the tests compare them).
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass

import altair as alt
import numpy as np
import pandas as pd
import sklearn
import sklearn.datasets as skd
from sklearn.ensemble import AdaBoostClassifier, BaggingClassifier, GradientBoostingClassifier
from sklearn.metrics import accuracy_score
from sklearn.model_selection import train_test_split
from sklearn.tree import DecisionTreeClassifier

from components import charts, datasets, memo
from components.boundary import GRID_RESOLUTION, grid_for, points_frame
from components.charts.boundary import (
    image_boundary_chart,
    image_extent,
    name_layer_data,
    proba_colours,
    probability_image,
    retarget,
)
from components.charts.core import filter_views
from components.code_export import dataset_code
from components.wording import change, relation

TEST_SIZE = 0.3
MEMBER_RESOLUTION = 60
STAGED_RESOLUTION = 60  # boosting keeps one grid per round: coarser, so the round slider redraws fast
MEMBERS_SHOWN = 3
VARIANCE_REPLICAS = 8  # training sets drawn afresh from the generator for the variance comparison
VARIANCE_TREES = 20  # bagged trees per replica (the curve runs from 1 tree to this many)

VIEW_KEY, VIEWS = "ensembles.view", ("Bagging", "Boosting")
DATASET_KEY, DATASET_DEFAULT = "ensembles.dataset", "moons"
BAG_N_KEY, BAG_N_DEFAULT, BAG_N_MIN, BAG_N_MAX = "ensembles.bag_n", 25, 1, 100
BOOTSTRAP_KEY, BOOTSTRAP_DEFAULT = "ensembles.bootstrap", True
MAX_SAMPLES_KEY, MAX_SAMPLES_DEFAULT, MAX_SAMPLES_MIN, MAX_SAMPLES_MAX, MAX_SAMPLES_STEP = (
    "ensembles.max_samples", 1.0, 0.1, 1.0, 0.1)
ADA_N_KEY, ADA_N_DEFAULT, ADA_N_MIN, ADA_N_MAX = "ensembles.ada_n", 50, 1, 200
ADA_LR_VALUES = (0.01, 0.1, 0.5, 1.0, 2.0)
ADA_LR_KEY, ADA_LR_DEFAULT = "ensembles.ada_lr", 1.0
BASE_DEPTH_KEY, BASE_DEPTH_DEFAULT, BASE_DEPTH_MIN, BASE_DEPTH_MAX = "ensembles.base_depth", 1, 1, 4
ROUND_KEY, ROUND_DEFAULT, ROUND_MIN, ROUND_MAX = "ensembles.round", 5, 1, 200


def split(ds: datasets.Dataset, seed: int):
    X, y = ds.X.to_numpy(dtype=float), ds.y.to_numpy()
    return train_test_split(X, y, test_size=TEST_SIZE, random_state=seed, stratify=y)


def positive_column(model, X: np.ndarray, **kwargs) -> np.ndarray:
    """P(class 1) of a fitted member, also when its bootstrap sample held one class only."""
    p = model.predict_proba(X, **kwargs)
    classes = list(model.classes_)
    return p[:, classes.index(1)] if 1 in classes else np.zeros(len(X))


def grid_frame(grid: np.ndarray, proba: np.ndarray) -> pd.DataFrame:
    return pd.DataFrame({"x1": grid[:, 0], "x2": grid[:, 1], "proba": proba})


# ------------------------------------------------------------------ bagging
@dataclass
class BaggingMembers:
    """One BaggingClassifier of BAG_N_MAX trees, fitted once, with every member's P(class 1) kept.

    The first k members of a seeded BaggingClassifier are the members a fresh fit with n_estimators=k
    would draw (the same seeds, in the same order; tests/test_ensembles.py checks it), so the ensemble
    of any size up to BAG_N_MAX is read from this one fit: the number-of-trees slider never refits."""
    grid_xy: np.ndarray  # (cells, 2): the 80 x 80 boundary grid
    grid_proba: np.ndarray  # (BAG_N_MAX, cells) float32: each member's P(class 1) on the grid
    train_proba: np.ndarray  # (BAG_N_MAX, n_train): each member's P(class 1) on the training rows
    test_proba: np.ndarray  # (BAG_N_MAX, n_test)
    out_of_bag: np.ndarray | None  # (BAG_N_MAX, n_train) bool: rows left out of each member's sample
    y_train: np.ndarray
    y_test: np.ndarray
    points: pd.DataFrame
    members: list  # (title, 60 x 60 grid frame, test accuracy) of the first MEMBERS_SHOWN trees
    single_tree_test_accuracy: float


@dataclass
class BaggingResult:
    grid: pd.DataFrame
    points: pd.DataFrame
    members: list  # (title, grid frame, test accuracy)
    train_accuracy: float
    test_accuracy: float
    oob_score: float | None
    single_tree_test_accuracy: float
    by_k: pd.DataFrame  # n_trees, split, accuracy: the vote of the first k trees, k = 1..BAG_N_MAX


def fit_bagging_members(ds: datasets.Dataset, bootstrap: bool, max_samples: float, seed: int) -> BaggingMembers:
    """Fit BAG_N_MAX bagged trees once; predict every member on the training rows, the test rows and
    the grid in one call per tree."""
    X_tr, X_te, y_tr, y_te = split(ds, seed)
    # constant, valid parameters: skipping scikit-learn's per-tree parameter checks changes no number
    with warnings.catch_warnings(), sklearn.config_context(skip_parameter_validation=True):
        warnings.simplefilter("ignore", UserWarning)  # "a low number of bootstrap samples" on tiny sets
        bag = BaggingClassifier(DecisionTreeClassifier(), n_estimators=BAG_N_MAX, bootstrap=bootstrap,
                                max_samples=max_samples, random_state=seed, n_jobs=1).fit(X_tr, y_tr)
    X_all = np.vstack([X_tr, X_te])
    grid = grid_for(X_all, GRID_RESOLUTION)
    small = grid_for(X_all, MEMBER_RESOLUTION)
    # one prediction per tree for all rows; float32 as the trees use internally: no input checks
    stacked = np.ascontiguousarray(np.vstack([X_tr, X_te, grid]), dtype=np.float32)
    proba = np.array([positive_column(t, stacked, check_input=False) for t in bag.estimators_], dtype=np.float32)
    n_tr, n_te = len(X_tr), len(X_te)
    members = []
    for i, tree in enumerate(bag.estimators_[:MEMBERS_SHOWN]):
        members.append((f"tree {i + 1}", grid_frame(small, positive_column(tree, small)),
                        float(accuracy_score(y_te, (proba[i, n_tr:n_tr + n_te] > 0.5).astype(int)))))
    oob = None
    if bootstrap:
        oob = np.ones((BAG_N_MAX, n_tr), dtype=bool)
        for i, samples in enumerate(bag.estimators_samples_):
            oob[i, samples] = False
    single = DecisionTreeClassifier(random_state=seed).fit(X_tr, y_tr)
    return BaggingMembers(grid, proba[:, n_tr + n_te:], proba[:, :n_tr], proba[:, n_tr:n_tr + n_te], oob, y_tr, y_te,
                          points_frame(X_tr, y_tr, X_te, y_te, ds.target_names), members,
                          float(single.score(X_te, y_te)))


def vote(proba: np.ndarray) -> np.ndarray:
    """BaggingClassifier's prediction from the average P(class 1): argmax, so a tie goes to class 0."""
    return (proba > 0.5).astype(int)


def accuracy_by_k(m: BaggingMembers) -> pd.DataFrame:
    """Train and test accuracy of the vote of the first k trees, k = 1..BAG_N_MAX."""
    k = np.arange(1, BAG_N_MAX + 1)[:, None]
    parts = []
    for name, proba, y in (("train", m.train_proba, m.y_train), ("test", m.test_proba, m.y_test)):
        mean = np.cumsum(proba, axis=0, dtype=np.float64) / k
        parts.append(pd.DataFrame({"n_trees": k[:, 0], "split": name, "accuracy": (vote(mean) == y).mean(axis=1)}))
    return pd.concat(parts, ignore_index=True)


def oob_score(m: BaggingMembers, n: int) -> float | None:
    """scikit-learn's out-of-bag score of the first n trees: each training row gets the summed class
    probabilities of the trees that left it out; argmax, so rows no tree left out count as class 0."""
    if m.out_of_bag is None:
        return None
    mask = m.out_of_bag[:n]
    p1 = np.where(mask, m.train_proba[:n], 0.0).sum(axis=0, dtype=np.float64)
    p0 = np.where(mask, 1.0 - m.train_proba[:n], 0.0).sum(axis=0, dtype=np.float64)
    return float(np.mean((p1 > p0).astype(int) == m.y_train))


def bagging_at(m: BaggingMembers, n: int, by_k: pd.DataFrame | None = None) -> BaggingResult:
    """The ensemble of the first n trees, read from the fitted members: no refit."""
    n = int(min(max(n, 1), BAG_N_MAX))
    grid = grid_frame(m.grid_xy, m.grid_proba[:n].mean(axis=0, dtype=np.float64))
    train = float(np.mean(vote(m.train_proba[:n].mean(axis=0, dtype=np.float64)) == m.y_train))
    test = float(np.mean(vote(m.test_proba[:n].mean(axis=0, dtype=np.float64)) == m.y_test))
    return BaggingResult(grid, m.points, m.members, train, test, oob_score(m, n), m.single_tree_test_accuracy,
                         accuracy_by_k(m) if by_k is None else by_k)


def fit_bagging(ds: datasets.Dataset, n_estimators: int, bootstrap: bool, max_samples: float,
                seed: int) -> BaggingResult:
    return bagging_at(fit_bagging_members(ds, bootstrap, max_samples, seed), n_estimators)


def draw_sample(rng: np.random.Generator, n_rows: int, bootstrap: bool, max_samples: float) -> np.ndarray:
    """Row indices of one bagged tree's sample: max_samples x n_rows rows, with or without replacement."""
    size = max(1, int(max_samples * n_rows))
    return rng.integers(0, n_rows, size) if bootstrap else rng.permutation(n_rows)[:size]


BLOB_CENTRE_BOX = (-10.0, 10.0)  # make_blobs' default center_box


def fresh_training_set(name: str, n_rows: int, noise: float, seed: int, draw_seed: int) -> tuple[np.ndarray, np.ndarray]:
    """A training set of n_rows drawn afresh from the process that generated the 2-D set `name` with
    `seed` (components.datasets, same noise), with its own random state draw_seed.

    moons, circles and xor have a fixed shape: each draw is the generator called with another seed.
    make_blobs picks new centres with every seed, so for blobs the centres are the ones `seed` picked
    (the first draws of its random state) and only the points are drawn afresh: the generator's random
    state for draw_seed advances past the centres first, exactly as make_blobs does, so draw_seed = seed
    reproduces the page's own set (tests/test_ensembles.py checks all four)."""
    if name == "moons":
        return skd.make_moons(n_samples=n_rows, noise=noise, random_state=draw_seed)
    if name == "circles":
        return skd.make_circles(n_samples=n_rows, noise=noise, factor=0.5, random_state=draw_seed)
    if name == "xor":
        return datasets.xor(n_rows, noise, draw_seed)
    if name == "blobs":
        centres = np.random.RandomState(seed).uniform(*BLOB_CENTRE_BOX, size=(2, 2))
        state = np.random.RandomState(draw_seed)
        state.uniform(*BLOB_CENTRE_BOX, size=(2, 2))  # make_blobs draws its centres first
        return skd.make_blobs(n_samples=n_rows, centers=centres, cluster_std=1.0 + 4 * noise, random_state=state)
    raise KeyError(name)


def variance_by_trees(ds: datasets.Dataset, bootstrap: bool, max_samples: float, seed: int,
                      noise: float) -> pd.DataFrame:
    """Bias-variance of the bagged vote, k = 1..VARIANCE_TREES trees (k = 1: one bagged tree), over
    independent training sets, as the textbook decomposition defines it.

    VARIANCE_REPLICAS training sets, each as large as the page's training split, are drawn afresh from the
    generator of the 2-D set (fresh_training_set; `noise` is the set's noise); the whole ensemble is fitted
    on each and predicts the page's test points. At every test point x with label y, over the sets r:

    - variance: the sample variance (ddof=1) of P_r(x), the prediction's spread between training sets;
    - bias² + noise: (mean_r P_r(x) - y)² - variance / R, the squared gap between the average prediction
      and the label, unbiased for its expected value (the raw gap carries variance / R more, which would
      make one tree look more biased than many). The label's own noise is in it: no model removes that;
    - error: the mean over the sets of (P_r(x) - y)², the Brier score, which is exactly the sum of the two.

    Each is averaged over the test points. Bagging written out (draw each tree's sample, fit, average):
    the same procedure as BaggingClassifier without its per-tree overhead, which doubled the cost."""
    X_tr, X_te, y_tr, y_te = split(ds, seed)
    rng = np.random.default_rng(seed)
    draw_seeds = rng.integers(2 ** 31 - 1, size=VARIANCE_REPLICAS)
    sets = [fresh_training_set(ds.name, len(y_tr), noise, seed, int(d)) for d in draw_seeds]
    # float32 as the trees use internally: fit and predict skip scikit-learn's input checks
    X_te = np.ascontiguousarray(X_te, dtype=np.float32)
    sets = [(np.ascontiguousarray(X, dtype=np.float32), y) for X, y in sets]
    with sklearn.config_context(skip_parameter_validation=True):  # constant, valid parameters
        preds = np.array(_variance_replicas(sets, X_te, bootstrap, max_samples, rng))  # set x k x point
    variance = preds.var(axis=0, ddof=1)
    bias_noise = (preds.mean(axis=0) - y_te) ** 2 - variance / VARIANCE_REPLICAS
    return pd.DataFrame({"n_trees": np.arange(1, VARIANCE_TREES + 1), "variance": variance.mean(axis=1),
                         "bias² + noise": bias_noise.mean(axis=1),
                         "error": ((preds - y_te) ** 2).mean(axis=(0, 2))})


def _variance_replicas(sets: list, X_te, bootstrap: bool, max_samples: float, rng) -> list:
    """Each training set's vote of its first k trees at the test points, k = 1..VARIANCE_TREES."""
    preds = []
    for X_r, y_r in sets:
        member = []
        for _ in range(VARIANCE_TREES):
            rows = draw_sample(rng, len(X_r), bootstrap, max_samples)
            tree = DecisionTreeClassifier(random_state=int(rng.integers(2 ** 31 - 1)))
            tree.fit(X_r[rows], y_r[rows], check_input=False)
            member.append(positive_column(tree, X_te, check_input=False))
        preds.append(np.cumsum(member, axis=0) / np.arange(1, VARIANCE_TREES + 1)[:, None])
    return preds


# ------------------------------------------------------------------ sentences about the bagging view
# Each takes the numbers the page shows and returns its sentence (comparisons: components.wording).
def variance_change(variance: pd.Series) -> str:
    """The relative change of the variance from one tree to the most, e.g. "−72 %" or "+6 %"."""
    first, last = float(variance.iloc[0]), float(variance.iloc[-1])
    if first <= 0:
        return "±0 %"
    pct = round(100 * (last / first - 1))
    return "±0 %" if pct == 0 else f"{'−' if pct < 0 else '+'}{abs(pct)} %"


def variance_title(var: pd.DataFrame) -> str:
    return (f"Over {VARIANCE_REPLICAS} fresh training sets: variance {variance_change(var['variance'])} from 1 to "
            f"{int(var['n_trees'].iloc[-1])} trees")


def variance_chart(var: pd.DataFrame) -> alt.Chart:
    """Bias² + noise, variance and their sum against the number of trees in the vote, over the page's
    width with the legend on the right: Streamlit fits the whole chart (title, legend, axes) into its
    height, and with the legend below the plot was drawn 50 px tall and the title dropped."""
    parts = var.rename(columns={"error": "error (their sum)"}).melt(
        id_vars="n_trees", value_vars=["bias² + noise", "variance", "error (their sum)"], var_name="part")
    return alt.Chart(parts).mark_line(point=True).encode(
        x=alt.X("n_trees:Q", title="trees in the vote"), y=alt.Y("value:Q", title="squared error of P(class 1)"),
        color=alt.Color("part:N", title=None, scale=alt.Scale(range=charts.OKABE_ITO), legend=alt.Legend(labelLimit=0)),
        tooltip=[alt.Tooltip("n_trees:Q"), alt.Tooltip("part:N"), alt.Tooltip("value:Q", format=".4f")],
    ).properties(title=variance_title(var), height=charts.HEIGHT, width="container")


def variance_sentence(var: pd.DataFrame) -> str:
    first, last = var.iloc[0], var.iloc[-1]
    return (f"Over {VARIANCE_REPLICAS} training sets drawn afresh from the data's generator, going from one tree "
            f"to the vote of {int(last['n_trees'])}, the variance of P(class 1), averaged over the test points, "
            f"{change(first['variance'], last['variance'])} ({variance_change(var['variance'])}), while bias² + "
            f"noise {change(first['bias² + noise'], last['bias² + noise'])}. The vote of k trees has the same "
            f"expected prediction as one tree, so averaging cannot move the bias: that line moves only by the "
            f"noise of estimating it from {VARIANCE_REPLICAS} training sets.")


def variance_caption(dataset: str, noise: float, n_train: int, bootstrap: bool, max_samples: float) -> str:
    """How the bias-variance chart's training sets were made, from the settings on screen."""
    where = ("the same two centres, new points" if dataset == "blobs" else "the same shape, new points")
    sample = (f"a bootstrap sample of {max_samples:.0%} of its rows" if bootstrap
              else "all its rows" if max_samples >= 1 else f"{max_samples:.0%} of its rows drawn without replacement")
    return (f"{VARIANCE_REPLICAS} independent training sets of {n_train} rows, each drawn afresh from the {dataset} "
            f"generator at noise {noise:g} ({where}); on each, {VARIANCE_TREES} trees, each fitted on {sample}. The "
            "test points are the page's own test split.")


def out_of_bag_left_out(m: BaggingMembers, n: int) -> tuple[float, int]:
    """Over the first n trees: the mean share of training rows each tree's sample left out, and the
    number of rows no tree left out (no out-of-bag vote; scikit-learn's score counts them as class 0)."""
    mask = m.out_of_bag[:n]
    return float(mask.mean()), int((~mask.any(axis=0)).sum())


def expected_left_out(n_rows: int, max_samples: float) -> float:
    """Chance that a row is missing from a bootstrap sample of max(1, int(max_samples * n)) draws, as
    scikit-learn sizes it: (1 - 1/n)^draws, about e^-1 = 37 % for n draws."""
    draws = max(1, int(max_samples * n_rows))
    return (1 - 1 / n_rows) ** draws


def out_of_bag_sentence(left_out: float, expected: float, no_vote: int, n_trees: int) -> str:
    text = (f"Each tree's bootstrap sample left out {left_out:.0%} of the training rows on average "
            f"(expected: {expected:.0%}).")
    if no_vote:
        rows, are, get = ("rows", "are", "get") if no_vote > 1 else ("row", "is", "gets")
        text += (f" {no_vote} {rows} {are} in all {n_trees} samples and {get} no out-of-bag vote: scikit-learn's "
                 "score counts them as predicted class 0.")
    return text


def vote_sentence(n: int, vote_test: float, single_test: float, member_tests: list[float]) -> str:
    members = ", ".join(f"{a:.3f}" for a in member_tests)
    return (f"The vote of {n} tree{'s' if n > 1 else ''} scores a test accuracy of {vote_test:.3f}, "
            f"{relation(vote_test, single_test)} one full tree on all the training rows ({single_test:.3f}); "
            f"the {len(member_tests)} bagged trees drawn score {members}.")


# ------------------------------------------------------------------ boosting
@dataclass
class BoostingResult:
    points: pd.DataFrame  # train then test points
    grid_xy: np.ndarray  # (cells, 2)
    stage_proba: np.ndarray  # (rounds, cells) float32: the ensemble's P(class 1) after each round
    weights: np.ndarray  # (rounds, n_train): sample weights used to fit each round's stump (sum 1)
    estimator_weights: np.ndarray
    estimator_errors: np.ndarray
    errors: pd.DataFrame  # round, series, error
    rounds: int  # rounds actually fitted (AdaBoost stops early on a perfect stump)
    ada_test_accuracy: float
    gb_test_accuracy: float
    ada_staged_test_accuracy: np.ndarray  # (rounds,): AdaBoost's test accuracy after each round
    gb_staged_test_accuracy: np.ndarray  # (n_rounds,): gradient boosting's, after each stage


def adaboost_weights(ada: AdaBoostClassifier, X: np.ndarray, y: np.ndarray,
                     predictions: np.ndarray | None = None) -> np.ndarray:
    """The sample weights each round's stump was fitted with, rebuilt with SAMME's update:
    w <- w * exp(alpha_m * [stump m is wrong]), normalised; round 1 starts uniform.
    predictions: each learner's predicted classes on X (rounds x rows), when already computed."""
    n = len(y)
    w = np.full(n, 1.0 / n)
    out = []
    for m, (est, alpha) in enumerate(zip(ada.estimators_, ada.estimator_weights_)):
        out.append(w)
        incorrect = (est.predict(X) if predictions is None else predictions[m]) != y
        with np.errstate(divide="ignore"):  # a zero weight stays zero: log 0 = -inf, as in scikit-learn's update
            w = np.exp(np.log(w) + alpha * incorrect * (w > 0))
        w = w / w.sum()
    return np.array(out)


def boosting_models(n_rounds: int, learning_rate: float, depth: int, seed: int):
    ada = AdaBoostClassifier(DecisionTreeClassifier(max_depth=depth), n_estimators=n_rounds,
                             learning_rate=learning_rate, random_state=seed)
    gb = GradientBoostingClassifier(n_estimators=n_rounds, learning_rate=learning_rate, max_depth=depth,
                                    random_state=seed)
    return ada, gb


def staged_decision(ada: AdaBoostClassifier, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A binary AdaBoost's decision function after each round on the rows X (rounds x rows), with each
    learner's predicted classes (rounds x rows).

    scikit-learn's staged_decision_function predicts every learner again on every call; here each learner
    predicts all the rows once (train, test and the grid stacked), then the same running sums as
    scikit-learn's, in the same order, give every round (tests/test_ensembles.py checks them against
    staged_predict and staged_predict_proba)."""
    if len(ada.classes_) != 2:
        raise ValueError("staged_decision is written for two classes")
    rows = np.ascontiguousarray(X, dtype=np.float32)  # the trees' own dtype: no input checks per learner
    predictions = np.array([est.predict(rows, check_input=False) for est in ada.estimators_])
    classes = ada.classes_[:, np.newaxis]
    out = np.empty((len(predictions), len(rows)))
    pred, norm = None, 0.0
    for m, (weight, predicted) in enumerate(zip(ada.estimator_weights_, predictions)):
        norm += weight
        current = np.where((predicted == classes).T, weight, -weight)  # SAMME with K = 2: -1/(K-1) * weight
        pred = current if pred is None else pred + current
        signed = pred.copy()
        signed[:, 0] *= -1
        out[m] = (signed / norm).sum(axis=1)
    return out, predictions


def fit_boosting(ds: datasets.Dataset, n_rounds: int, learning_rate: float, depth: int, seed: int) -> BoostingResult:
    """Fit AdaBoost and gradient boosting once and keep every round's state for the round slider.

    Raises ValueError (from scikit-learn) when the first weak learner is no better than chance."""
    X_tr, X_te, y_tr, y_te = split(ds, seed)
    ada, gb = boosting_models(n_rounds, learning_rate, depth, seed)
    with sklearn.config_context(skip_parameter_validation=True):  # constant, valid parameters
        ada.fit(X_tr, y_tr)
        gb.fit(X_tr, y_tr)
    rounds = len(ada.estimators_)
    grid = grid_for(np.vstack([X_tr, X_te]), STAGED_RESOLUTION)
    n_tr, n_te = len(X_tr), len(X_te)
    decision, predictions = staged_decision(ada, np.vstack([X_tr, X_te, grid]))
    # P(class 1) = softmax([-d, d] / 2)[1], as AdaBoostClassifier.predict_proba computes it
    stage_proba = (1.0 / (1.0 + np.exp(-decision[:, n_tr + n_te:]))).astype(np.float32)
    ada_wrong = {"train": ada.classes_.take(decision[:, :n_tr] > 0) != y_tr,
                 "test": ada.classes_.take(decision[:, n_tr:n_tr + n_te] > 0) != y_te}
    rows, test_accuracy = [], {}
    for name in ("AdaBoost", "gradient boosting"):
        for split_name, X, y in (("train", X_tr, y_tr), ("test", X_te, y_te)):
            wrong = ada_wrong[split_name] if name == "AdaBoost" else np.array([p != y for p in gb.staged_predict(X)])
            rows += [(k, f"{name} {split_name}", float(np.mean(w))) for k, w in enumerate(wrong, start=1)]
            if split_name == "test":
                test_accuracy[name] = np.mean(~wrong, axis=1)  # mean(pred == y), as model.score computes it
    return BoostingResult(points_frame(X_tr, y_tr, X_te, y_te, ds.target_names), grid, stage_proba,
                          adaboost_weights(ada, X_tr, y_tr, predictions[:, :n_tr]),
                          ada.estimator_weights_[:rounds].copy(), ada.estimator_errors_[:rounds].copy(),
                          pd.DataFrame(rows, columns=["round", "series", "error"]), rounds,
                          float(test_accuracy["AdaBoost"][-1]), float(test_accuracy["gradient boosting"][-1]),
                          test_accuracy["AdaBoost"], test_accuracy["gradient boosting"])


def first_rounds(b: BoostingResult, n_rounds: int) -> BoostingResult:
    """The result of an ``n_rounds`` fit, read from a fit of at least as many rounds.

    Both boosters add one learner per round and never revisit earlier ones, and with a fixed
    random_state the learners' seeds are drawn in the same order: the first n rounds of a longer
    run *are* an n-round run (tests/test_ensembles.py checks against fresh fits). So the rounds
    control only refits when it goes beyond the longest run fitted so far."""
    if n_rounds > len(b.gb_staged_test_accuracy):
        raise ValueError(f"only {len(b.gb_staged_test_accuracy)} rounds were fitted, not {n_rounds}")
    r = min(n_rounds, b.rounds)  # AdaBoost may have stopped early
    errors = b.errors[b.errors["round"] <= n_rounds].reset_index(drop=True)
    return BoostingResult(b.points, b.grid_xy, b.stage_proba[:r], b.weights[:r], b.estimator_weights[:r],
                          b.estimator_errors[:r], errors, r, float(b.ada_staged_test_accuracy[r - 1]),
                          float(b.gb_staged_test_accuracy[n_rounds - 1]), b.ada_staged_test_accuracy[:r],
                          b.gb_staged_test_accuracy[:n_rounds])


def staged_errors(b: BoostingResult, series: str) -> np.ndarray:
    """One series' error after each round, rounds in order (e.g. "AdaBoost train")."""
    return b.errors[b.errors["series"] == series].sort_values("round")["error"].to_numpy()


def boosting_sentence(name: str, train_error: np.ndarray, test_error: np.ndarray) -> str:
    """What a booster's staged errors did over its rounds, and where its test error was lowest."""
    best = int(np.argmin(np.round(test_error, 3)))  # the first round at the lowest error shown
    text = (f"{name[0].upper() + name[1:]}: over {len(train_error)} round{'s' if len(train_error) > 1 else ''} "
            f"its training error {change(train_error[0], train_error[-1])} and its test error "
            f"{change(test_error[0], test_error[-1])}")
    if round(test_error[best], 3) < round(test_error[-1], 3):
        text += f"; the test error was lowest ({test_error[best]:.3f}) at round {best + 1} and ended higher"
    return text + "."


def boosting_sentences(b: BoostingResult) -> str:
    return " ".join(boosting_sentence(name, staged_errors(b, f"{name} train"), staged_errors(b, f"{name} test"))
                    for name in ("AdaBoost", "gradient boosting"))


# ------------------------------------------------------------------ charts: fixed specs, named datasets that move
# The scrubbing controls (trees in the vote, rounds, the round shown) move only these datasets, which the
# charts hold at every position (bagging_stacked, boosting_stacked); the specs are built once per fit and
# never carry the current number of trees or round in a title: a corner label reads it from a one-row
# dataset instead. The boundaries these controls redraw are one image each (charts.image_boundary_chart):
# thousands of cells repainted per move kept the browser busy for most of a second.
VOTE_IMAGE, VOTE_BOUNDARY, VOTE_LABEL, TREES_RULE = "vote_image", "vote_boundary", "vote_label", "trees_rule"
ROUND_IMAGE, ROUND_BOUNDARY, ROUND_POINTS, ROUND_LABEL = "round_image", "round_boundary", "round_points", "round_label"
ERRORS, ROUND_RULE = "staged_errors", "round_rule"
BOOSTING_MOVING = (ROUND_IMAGE, ROUND_BOUNDARY, ROUND_POINTS, ROUND_LABEL, ERRORS, ROUND_RULE)
SERIES = ("AdaBoost test", "AdaBoost train", "gradient boosting test", "gradient boosting train")
BY_K_TITLE = ["Vote of the first k trees", "dashed: the trees in the vote"]
ROUND_TITLE = ["AdaBoost's vote, round by round", "dot size = sample weight"]


def corner_label(name: str) -> list[alt.Chart]:
    """Text in the plot's top-left corner, read from a one-row named dataset (column label), haloed so it
    reads over any background."""
    base = alt.Chart(alt.NamedData(name=name))
    return [base.mark_text(align="left", baseline="top", fontSize=13, fontWeight="bold", **paint).encode(
        x=alt.XValue(6), y=alt.YValue(6), text=alt.Text("label:N"))
        for paint in ({"stroke": "white", "strokeWidth": 4, "color": "white"}, {"color": charts.BLACK})]


def label_rows(text: str) -> pd.DataFrame:
    return pd.DataFrame({"label": [text]})


def with_corner_label(chart: alt.LayerChart, name: str) -> alt.LayerChart:
    out = chart.copy(deep=False)
    out.layer = [*chart.layer, *corner_label(name)]
    return out


def vote_title(dataset: str) -> str:
    return f"The bagged trees' vote on {dataset}"


def trees_label(n: int) -> str:
    return f"vote of {n} tree{'s' if n > 1 else ''}"


def _with_named(spec: dict, frames: dict[str, pd.DataFrame]) -> dict:
    """A converted chart with its named datasets present (with_datasets replaces only names it has)."""
    return {**spec, "datasets": {**spec.get("datasets", {}), **{n: charts._arrow_bytes(f) for n, f in frames.items()}}}


def boundary_frames(grid: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """What a redrawn boundary sends: the probability image and the cells on the 0.5 boundary."""
    return probability_image(grid), charts.on_boundary(grid)[["x1", "x2"]]


def vote_chart(points: pd.DataFrame, x_domain: list[float], y_domain: list[float], dataset: str):
    """The vote of the bagged trees: its image, boundary and corner label are the named datasets
    bagging_frames fills."""
    return with_corner_label(image_boundary_chart(VOTE_IMAGE, VOTE_BOUNDARY, points, x_domain, y_domain,
                                                         title=vote_title(dataset), height=400), VOTE_LABEL)


def by_k_chart(by_k: pd.DataFrame):
    """Train and test accuracy of the vote of the first k trees, a rule (dataset TREES_RULE) at the trees
    in the vote; the y axis zoomed on the data (gains of a few points)."""
    return charts.line_chart(by_k, "n_trees", "accuracy", color="split", title=BY_K_TITLE, x_title="trees in the vote",
                             rule_x=1, zero_y=False)


def round_boundary_chart(points: pd.DataFrame, x_domain: list[float], y_domain: list[float]):
    """The ensemble's boundary after a round, dots sized by weight (image, boundary, points and label:
    the named datasets boosting_frames fills). Four legends (weight, split, P(class 1), class) need more
    height than the plot, or the last ones are cut off."""
    return with_corner_label(image_boundary_chart(ROUND_IMAGE, ROUND_BOUNDARY, points, x_domain, y_domain,
                                                         points_name=ROUND_POINTS, title=ROUND_TITLE, height=560),
                             ROUND_LABEL)


def errors_chart(height: int = 540):
    """Staged train and test error of both boosters (named dataset ERRORS: round, series, error) and a
    rule at the round shown (ROUND_RULE: round); the legend below, or in half the page it squeezes the
    plot to a sliver. One column: two were cut off at presenter type ("gradient boo"). The legend's
    settings sit on the encoding, not in a chart-level config (see variance_chart)."""
    lines = alt.Chart(alt.NamedData(name=ERRORS)).mark_line().encode(
        x=alt.X("round:Q", title="round"), y=alt.Y("error:Q", title="error rate"),
        color=alt.Color("series:N", title="series", scale=alt.Scale(domain=list(SERIES), range=charts.OKABE_ITO[:4]),
                        legend=alt.Legend(orient="bottom", columns=1, labelLimit=0)),
        tooltip=[alt.Tooltip("round:Q"), alt.Tooltip("series:N"), alt.Tooltip("error:Q", format=".3f")])
    rule = alt.Chart(alt.NamedData(name=ROUND_RULE)).mark_rule(color=charts.BLACK, strokeDash=[4, 3]).encode(
        x=alt.X("round:Q"))
    return alt.layer(lines, rule).properties(title="Staged train and test error", height=height, width="container")


VOTE_POINTS_LAYER = 3  # image, boundary, legend, points (image_boundary_chart), then the corner label


def _placeholder_points(size: bool) -> pd.DataFrame:
    points = points_frame(np.zeros((1, 2)), np.array([0]), np.ones((1, 2)), np.array([1]), ("class 0", "class 1"))
    return points.assign(size=1.0) if size else points


@memo.cached(max_entries=1, shared=True)
def chart_templates() -> dict[str, dict]:
    """Every chart of the page built and converted once per process on placeholder data; each fit
    retargets them to its axes, points and title (charts.boundary.retarget, tested equal to a chart built
    on the fit's own data). Building and converting costs 20-40 ms a chart; retargeting a few."""
    grid = grid_frame(grid_for(np.array([[0.0, 0.0], [1.0, 1.0]]), 2), np.array([0.2, 0.4, 0.6, 0.8]))
    extent = image_extent(grid)
    by_k = pd.DataFrame({"n_trees": np.tile(np.arange(1, 32), 2), "split": np.repeat(["train", "test"], 31),
                         "accuracy": 0.5})  # more than 60 rows, as every fit's: lines without points
    return {"vote": charts.to_spec(vote_chart(_placeholder_points(size=False), *extent, "")),
            "member": charts.to_spec(charts.member_boundary_chart(grid)),
            "by_k": name_layer_data(charts.to_spec(by_k_chart(by_k)), {1: TREES_RULE}),
            "round": charts.to_spec(round_boundary_chart(_placeholder_points(size=True), *extent)),
            "errors": charts.to_spec(errors_chart())}


def stacked_boundaries(grid_xy: np.ndarray, proba: np.ndarray, positions: np.ndarray) -> tuple[pd.DataFrame,
                                                                                            pd.DataFrame]:
    """boundary_frames of the grids (grid_xy, proba[i]) for every position i at once, each row tagged with
    positions[i] (charts.SCRUB_COLUMN): the same images (one PNG each, coloured in one pass) and the same
    boundary cells (on_boundary's rule on all the grids at once), in the same order; the tests compare."""
    import base64
    import io

    from PIL import Image

    xs, ix = np.unique(grid_xy[:, 0], return_inverse=True)
    ys, iy = np.unique(grid_xy[:, 1], return_inverse=True)
    cube = np.full((len(proba), len(ys), len(xs)), np.nan)
    cube[:, iy, ix] = proba
    colours = proba_colours(cube[:, ::-1])  # the top row at the largest x2, as probability_image
    urls = []
    for pixels in colours:
        buffer = io.BytesIO()
        Image.fromarray(pixels, "RGBA").save(buffer, format="PNG")
        urls.append("data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode())
    dx = float(np.median(np.diff(xs))) if len(xs) > 1 else 1.0
    dy = float(np.median(np.diff(ys))) if len(ys) > 1 else 1.0
    column = charts.SCRUB_COLUMN
    images = pd.DataFrame({"x1": float(xs[0]), "x1b": float(xs[-1] + dx), "x2": float(ys[0]),
                           "x2b": float(ys[-1] + dy), "url": urls, column: positions.astype(float)})
    # on_boundary: class-1 cells next to a class-0 cell (left, right, below or above)
    side = cube >= 0.5
    flip = np.zeros_like(side)
    across = side[:, :, 1:] != side[:, :, :-1]
    flip[:, :, 1:] |= across
    flip[:, :, :-1] |= across
    up = side[:, 1:, :] != side[:, :-1, :]
    flip[:, 1:, :] |= up
    flip[:, :-1, :] |= up
    at, cell = np.nonzero((flip & side)[:, iy, ix])  # position-major, cells in the grid's order
    lines = pd.DataFrame({"x1": grid_xy[cell, 0], "x2": grid_xy[cell, 1], column: positions[at].astype(float)})
    return images, lines


def _at_position(position: str) -> str:
    """The filter keeping the rows of ``position`` (a Vega expression of the sliders' parameters), within
    half a step as charts.scrubbable's."""
    return f"abs(datum['{charts.SCRUB_COLUMN}'] - ({position})) < 0.5"


def _follow(spec: dict, stacked: dict[str, pd.DataFrame], tests: dict[str, str],
            sliders: tuple[tuple[str, int, int], ...]) -> dict:
    """``spec`` with its moving datasets replaced by their rows at every position (``stacked``), each view
    reading dataset ``name`` keeping the rows that pass ``tests[name]``, and one parameter per slider
    (key, lo, hi; step 1) following it in the browser (charts.scrubbable: components/ui/scrub.py). Here a
    chart can follow two sliders (the rounds and the round shown): charts.scrubbable follows one."""
    for key, lo, hi in sliders:
        spec = charts.scrubbable(spec, key, {}, lo, hi, 1)  # the parameter only
    out = {"datasets": {**spec["datasets"], **{n: charts._arrow_bytes(f) for n, f in stacked.items()}}}
    body = {k: v for k, v in spec.items() if k != "datasets"}
    for name, test in tests.items():
        body = filter_views(body, {name}, test)
    return body | out


def bagging_stacked(m: BaggingMembers) -> dict[str, pd.DataFrame]:
    """bagging_frames at every number of trees the slider offers (BAG_N_MIN..BAG_N_MAX), stacked and
    tagged with it (charts.SCRUB_COLUMN): the vote of the first n trees is the running mean."""
    n = np.arange(BAG_N_MIN, BAG_N_MAX + 1)
    # the running sum in float64, row after row, as mean(axis=0, dtype=float64) adds them (the tests compare)
    votes = np.cumsum(m.grid_proba, axis=0, dtype=np.float64)[n - 1] / n[:, None]
    image, line = stacked_boundaries(m.grid_xy, votes, n)
    column = charts.SCRUB_COLUMN
    return {VOTE_IMAGE: image, VOTE_BOUNDARY: line,
            VOTE_LABEL: pd.DataFrame({"label": [trees_label(int(k)) for k in n], column: n.astype(float)}),
            TREES_RULE: pd.DataFrame({"n_trees": n, column: n.astype(float)})}


def bagging_chart_specs(m: BaggingMembers, by_k: pd.DataFrame, dataset: str) -> dict:
    """The vote chart and the first-k chart, holding the vote at every number of trees (bagging_stacked)
    and following the slider BAG_N_KEY, and the first members' small boundaries; once per fit."""
    t = chart_templates()
    x_domain, y_domain = image_extent(grid_frame(m.grid_xy, np.zeros(len(m.grid_xy))))
    stacked = bagging_stacked(m)
    vote = _with_named(retarget(t["vote"], x_domain, y_domain, {VOTE_POINTS_LAYER: m.points}, vote_title(dataset)),
                       bagging_frames(m, BAG_N_DEFAULT))
    members = [retarget(t["member"], *image_extent(grid), dict(enumerate(boundary_frames(grid))),
                        f"{title.capitalize()}: test acc {acc:.3f}") for title, grid, acc in m.members]
    by_k_spec = charts.swap_layer_data(t["by_k"], {0: by_k})
    return {"vote": charts.scrubbable(vote, BAG_N_KEY, stacked, BAG_N_MIN, BAG_N_MAX, 1), "members": members,
            "by_k": charts.scrubbable(by_k_spec, BAG_N_KEY, stacked, BAG_N_MIN, BAG_N_MAX, 1)}


def bagging_frames(m: BaggingMembers, n: int) -> dict[str, pd.DataFrame]:
    """What a move of the number of trees changes: the vote's image and boundary, the corner label and
    the first-k chart's rule (bagging_stacked holds them at every n)."""
    n = int(min(max(n, 1), BAG_N_MAX))
    image, line = boundary_frames(grid_frame(m.grid_xy, m.grid_proba[:n].mean(axis=0, dtype=np.float64)))
    return {VOTE_IMAGE: image, VOTE_BOUNDARY: line, VOTE_LABEL: label_rows(trees_label(n)),
            TREES_RULE: pd.DataFrame({"n_trees": [n]})}


WEIGHT_COLUMN = "size after round "  # + the round: boosting_stacked's points' size at each round


def weight_column(round_: int) -> str:
    """The column of the round's point sizes in boosting_stacked's points."""
    return f"{WEIGHT_COLUMN}{round_}"


def boosting_stacked(b: BoostingResult) -> dict[str, pd.DataFrame]:
    """boosting_frames at every round fitted, for the charts to follow the rounds and the round shown.

    The round chart shows round min(round shown, rounds, rounds fitted) (round_view of first_rounds):
    its image, boundary, label and rule are stacked by that round (charts.SCRUB_COLUMN), one state per
    round fitted. Only the points' sizes change from round to round, so the points come once with one
    size column per round (weight_column): stacking whole points would send every point once per round
    (4 MB at 300 points, 27 MB at 2,000). The staged errors are the run's, every round: the chart keeps
    those up to the rounds (boosting_specs)."""
    r = np.arange(1, b.rounds + 1)
    image, line = stacked_boundaries(b.grid_xy, b.stage_proba.astype(float).round(4), r)
    column = charts.SCRUB_COLUMN
    n_train = b.weights.shape[1]
    sizes = np.ones((b.rounds, len(b.points)))
    sizes[:, :n_train] = b.weights * n_train  # 1 = the average weight; test points at the average size
    points = pd.concat([b.points, pd.DataFrame(sizes.T, columns=[weight_column(k) for k in r])], axis=1)
    return {ROUND_IMAGE: image, ROUND_BOUNDARY: line, ROUND_POINTS: points,
            ROUND_LABEL: pd.DataFrame({"label": [f"after round {k}" for k in r], column: r.astype(float)}),
            ERRORS: b.errors, ROUND_RULE: pd.DataFrame({"round": r, column: r.astype(float)})}


def boosting_chart_specs(b: BoostingResult) -> dict:
    """The round chart and the staged-errors chart, holding every round (boosting_stacked) and following
    the rounds (ADA_N_KEY) and the round shown (ROUND_KEY) in the browser."""
    t = chart_templates()
    first = boosting_frames(b, 1)[0]
    rounds, round_ = charts.scrub_param(ADA_N_KEY), charts.scrub_param(ROUND_KEY)
    shown = f"min({round_}, {rounds}, {b.rounds})"  # round_view of first_rounds
    at_shown = _at_position(shown)
    stacked = boosting_stacked(b)
    sliders = ((ADA_N_KEY, ADA_N_MIN, ADA_N_MAX), (ROUND_KEY, ROUND_MIN, ROUND_MAX))
    round_spec = _with_named(retarget(t["round"], *image_extent(round_view(b, 1)[0]), {}, ROUND_TITLE), first)
    round_spec = _follow(round_spec, {n: stacked[n] for n in (ROUND_IMAGE, ROUND_BOUNDARY, ROUND_POINTS, ROUND_LABEL)},
                         {ROUND_IMAGE: at_shown, ROUND_BOUNDARY: at_shown, ROUND_LABEL: at_shown}, sliders)
    layers = list(round_spec["layer"])  # the points read their size at the round shown
    layers[VOTE_POINTS_LAYER] = {**layers[VOTE_POINTS_LAYER], "transform": [
        {"calculate": f"datum['{WEIGHT_COLUMN}' + ({shown})]", "as": "size"}]}
    errors_spec = _follow(_with_named(t["errors"], first), {n: stacked[n] for n in (ERRORS, ROUND_RULE)},
                          {ERRORS: f"datum['round'] <= {rounds}", ROUND_RULE: at_shown}, sliders)
    return {"round": round_spec | {"layer": layers}, "errors": errors_spec}


def round_view(b: BoostingResult, round_: int) -> tuple[pd.DataFrame, pd.DataFrame, int]:
    """The ensemble's boundary after ``round_`` rounds and the points sized by the weights that
    round's stump was fitted with (test points at the average size). Cheap: no refit."""
    r = int(min(max(round_, 1), b.rounds))
    grid = grid_frame(b.grid_xy, b.stage_proba[r - 1].astype(float).round(4))
    n_train = b.weights.shape[1]
    points = b.points.copy()
    size = np.ones(len(points))
    size[:n_train] = b.weights[r - 1] * n_train  # 1 = the average weight
    points["size"] = size
    return grid, points, r


def boosting_frames(b: BoostingResult, round_: int) -> tuple[dict[str, pd.DataFrame], int]:
    """What a move of the rounds or of the round shown changes, for b = the first n rounds (first_rounds):
    the boundary after the round shown, the points' weights, the corner label, the staged errors up to n
    and the rule at the round (boosting_stacked holds them at every round). Returns them and the round
    shown."""
    grid, points, r = round_view(b, round_)
    image, line = boundary_frames(grid)
    return {ROUND_IMAGE: image, ROUND_BOUNDARY: line, ROUND_POINTS: points, ROUND_LABEL: label_rows(f"after round {r}"),
            ERRORS: b.errors, ROUND_RULE: pd.DataFrame({"round": [r]})}, r


# ------------------------------------------------------------------ the page: settings and cached computations
@dataclass(frozen=True)
class EnsembleSettings:
    """The page's controls: the 2-D set (with the sidebar's samples, noise and seed) and each view's knobs."""
    dataset: str = DATASET_DEFAULT
    n_samples: int = 300
    noise: float = 0.25
    seed: int = 42
    n_trees: int = BAG_N_DEFAULT
    bootstrap: bool = BOOTSTRAP_DEFAULT
    max_samples: float = MAX_SAMPLES_DEFAULT
    n_rounds: int = ADA_N_DEFAULT
    learning_rate: float = ADA_LR_DEFAULT
    depth: int = BASE_DEPTH_DEFAULT
    round_shown: int = ROUND_DEFAULT

    @property
    def data(self) -> tuple[str, int, float, int]:
        return self.dataset, self.n_samples, self.noise, self.seed


def load(dataset: str, n_samples: int, noise: float, seed: int) -> datasets.Dataset:
    return datasets.load(dataset, n_samples=n_samples, noise=noise, seed=seed)


# one entry: BAG_N_MAX trees' predictions on 6,400 cells and the rows, ~3 MB
# One entry: BAG_N_MAX fitted trees on up to 2,000 points, about 4-6 MB, the largest cache of the app
# (92 MB at 16 entries after a class): few entries, and gone after an hour unused.
@memo.cached(max_entries=8, ttl=3600, shared=True, progress=f"Bagging {BAG_N_MAX} trees once…")
def bagging_members(dataset: str, n_samples: int, noise: float, seed: int, bootstrap: bool,
                    max_samples: float) -> BaggingMembers:
    """Every member of the largest ensemble, fitted once: smaller ensembles are its first trees.
    Shared, not copied, on every rerun (read-only)."""
    return fit_bagging_members(load(dataset, n_samples, noise, seed), bootstrap, max_samples, seed)


@memo.cached(max_entries=16)
def bagging_specs(dataset: str, n_samples: int, noise: float, seed: int, bootstrap: bool, max_samples: float) -> dict:
    """The bagging view's charts and the first-k table, once per fit (bagging_chart_specs)."""
    m = bagging_members(dataset, n_samples, noise, seed, bootstrap, max_samples)
    by_k = accuracy_by_k(m)
    return bagging_chart_specs(m, by_k, dataset) | {"by_k_table": by_k}


@memo.cached(max_entries=32, progress=f"Refitting the bagged vote on {VARIANCE_REPLICAS} fresh training sets…")
def variance(dataset: str, n_samples: int, noise: float, seed: int, bootstrap: bool,
             max_samples: float) -> tuple[pd.DataFrame, dict]:
    """The bias-variance curve over fresh training sets and its chart."""
    var = variance_by_trees(load(dataset, n_samples, noise, seed), bootstrap, max_samples, seed, noise)
    return var, charts.to_spec(variance_chart(var))


# one entry: ADA_N_MAX rounds of states on 3,600 cells, ~3 MB
# One entry: both boosters' 200 rounds and their staged predictions on the grid, about 5 MB.
@memo.cached(max_entries=8, shared=True, progress=f"Boosting: fitting all {ADA_N_MAX} rounds once…")
def boosting_run(dataset: str, n_samples: int, noise: float, seed: int, learning_rate: float,
                 depth: int) -> BoostingResult | str:
    """Both boosters fitted once at the rounds slider's maximum: any number of rounds is then its first
    rounds (first_rounds), so neither slider refits. A message when AdaBoost cannot start."""
    try:
        return fit_boosting(load(dataset, n_samples, noise, seed), ADA_N_MAX, learning_rate, depth, seed)
    except ValueError as exc:  # the first weak learner is no better than chance
        return str(exc)


@memo.cached(max_entries=16)
def boosting_specs(dataset: str, n_samples: int, noise: float, seed: int, learning_rate: float, depth: int) -> dict:
    """The boosting view's charts, once per fit."""
    return boosting_chart_specs(boosting_run(dataset, n_samples, noise, seed, learning_rate, depth))


# ------------------------------------------------------------------ code export
def export_code(dataset: str, n_samples: int, noise: float, seed: int, n_estimators: int, bootstrap: bool,
                max_samples: float, n_rounds: int, learning_rate: float, depth: int) -> str:
    oob = "bag.oob_score_" if bootstrap else "None"
    return f'''import json

import numpy as np
import pandas as pd
from sklearn.ensemble import AdaBoostClassifier, BaggingClassifier, GradientBoostingClassifier
from sklearn.model_selection import train_test_split
from sklearn.tree import DecisionTreeClassifier

{dataset_code(dataset, n_samples, noise, seed).rstrip()}
X_train, X_test, y_train, y_test = train_test_split(np.asarray(X, dtype=float), np.asarray(y), test_size={TEST_SIZE},
                                                    random_state={seed}, stratify=y)

# Bagging: {n_estimators} full-depth trees, bootstrap={bootstrap}, max_samples={max_samples!r}
bag = BaggingClassifier(DecisionTreeClassifier(), n_estimators={n_estimators}, bootstrap={bootstrap},
                        max_samples={max_samples!r}, oob_score={bootstrap}, random_state={seed}).fit(X_train, y_train)
single = DecisionTreeClassifier(random_state={seed}).fit(X_train, y_train)
print(f"bagging test accuracy {{bag.score(X_test, y_test):.3f}} vs one tree {{single.score(X_test, y_test):.3f}}")

# Boosting: {n_rounds} rounds of depth-{depth} trees, learning rate {learning_rate!r}
ada = AdaBoostClassifier(DecisionTreeClassifier(max_depth={depth}), n_estimators={n_rounds},
                         learning_rate={learning_rate!r}, random_state={seed}).fit(X_train, y_train)
gb = GradientBoostingClassifier(n_estimators={n_rounds}, learning_rate={learning_rate!r}, max_depth={depth},
                                random_state={seed}).fit(X_train, y_train)
staged_test_error = [float(np.mean(p != y_test)) for p in ada.staged_predict(X_test)]
print("AdaBoost test error by round:", np.round(staged_test_error, 3).tolist())
print(json.dumps({{"bagging_test_accuracy": bag.score(X_test, y_test), "oob_score": {oob},
                  "single_tree_test_accuracy": single.score(X_test, y_test),
                  "adaboost_test_accuracy": ada.score(X_test, y_test), "adaboost_rounds": len(ada.estimators_),
                  "gradient_boosting_test_accuracy": gb.score(X_test, y_test)}}))
'''
