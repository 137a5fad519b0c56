"""Ensembles lab: bagging (bootstrap trees and their vote, out-of-bag score, variance reduction) and
boosting (AdaBoost sample weights round by round, staged errors, gradient boosting beside it).

scikit-learn fits everything. Written by hand, because no library exposes them: AdaBoost's sample
weights at each round (rebuilt from the fitted stumps and their estimator weights with SAMME's own
update rule, checked in the tests against ``estimator_errors_``), the running vote of the first k
bagged trees (one BaggingClassifier of BAG_N_MAX trees serves every smaller ensemble: its first k
members are what a fit of k draws, checked in the tests), the bias-variance decomposition of the
predictions across resampled training sets, and the sentences about what is on screen.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
import sklearn
from sklearn.ensemble import AdaBoostClassifier, BaggingClassifier, GradientBoostingClassifier
from sklearn.metrics import accuracy_score
from sklearn.model_selection import train_test_split
from sklearn.tree import DecisionTreeClassifier

from components import charts, datasets
from components.boundary import GRID_RESOLUTION, grid_for, points_frame
from components.code_export import dataset_code
from components.wording import change, relation

TEST_SIZE = 0.3
MEMBER_RESOLUTION = 60
STAGED_RESOLUTION = 60  # boosting keeps one grid per round: coarser, so the round slider redraws fast
MEMBERS_SHOWN = 3
VARIANCE_REPLICAS = 8  # resampled training sets for the variance comparison
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


def variance_by_trees(ds: datasets.Dataset, bootstrap: bool, max_samples: float, seed: int) -> pd.DataFrame:
    """Bias-variance of the bagged vote, k = 1..VARIANCE_TREES trees (k = 1: one bagged tree).

    VARIANCE_REPLICAS bootstrap resamples of the training split stand in for independent training sets
    (the generator of a 2-D set cannot supply them: make_blobs draws new centres with every seed). The
    whole ensemble is refitted on each; at every test point x with label y, over the resamples r:

    - variance: the sample variance (ddof=1) of P_r(x), the prediction's spread between training sets;
    - bias² + noise: (mean_r P_r(x) - y)² - variance / R, the squared gap between the average prediction
      and the label, unbiased for its expected value (the raw gap carries variance / R more, which would
      make one tree look more biased than many). The label's own noise is in it: no model removes that;
    - error: the mean over resamples of (P_r(x) - y)², the Brier score, which is exactly the sum of the two.

    Each is averaged over the test points. Bagging written out (draw each tree's sample, fit, average):
    the same procedure as BaggingClassifier without its per-tree overhead, which doubled the cost."""
    X_tr, X_te, y_tr, y_te = split(ds, seed)
    # float32 as the trees use internally: fit and predict skip scikit-learn's input checks
    X_tr, X_te = np.ascontiguousarray(X_tr, dtype=np.float32), np.ascontiguousarray(X_te, dtype=np.float32)
    rng = np.random.default_rng(seed)
    with sklearn.config_context(skip_parameter_validation=True):  # constant, valid parameters
        preds = np.array(_variance_replicas(X_tr, X_te, y_tr, bootstrap, max_samples, rng))  # replica x k x point
    variance = preds.var(axis=0, ddof=1)
    bias_noise = (preds.mean(axis=0) - y_te) ** 2 - variance / VARIANCE_REPLICAS
    return pd.DataFrame({"n_trees": np.arange(1, VARIANCE_TREES + 1), "variance": variance.mean(axis=1),
                         "bias² + noise": bias_noise.mean(axis=1),
                         "error": ((preds - y_te) ** 2).mean(axis=(0, 2))})


def _variance_replicas(X_tr, X_te, y_tr, bootstrap: bool, max_samples: float, rng) -> list:
    """Each replica's vote of its first k trees at the test points, k = 1..VARIANCE_TREES."""
    preds = []
    for _ in range(VARIANCE_REPLICAS):
        idx = rng.integers(0, len(X_tr), len(X_tr))
        X_r, y_r = X_tr[idx], y_tr[idx]
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
    return (f"Over {VARIANCE_REPLICAS} resamples: variance {variance_change(var['variance'])} from 1 to "
            f"{int(var['n_trees'].iloc[-1])} trees")


def variance_chart(var: pd.DataFrame):
    """Bias² + noise, variance and their sum against the number of trees in the vote; the legend below,
    as the chart takes half the page."""
    parts = var.rename(columns={"error": "error (their sum)"}).melt(
        id_vars="n_trees", value_vars=["bias² + noise", "variance", "error (their sum)"], var_name="part")
    return charts.line_chart(parts, "n_trees", "value", color="part", x_title="trees in the vote",
                             y_title="squared error of P(class 1)", title=variance_title(var)).configure_legend(
        orient="bottom", labelLimit=0)


def variance_sentence(var: pd.DataFrame) -> str:
    first, last = var.iloc[0], var.iloc[-1]
    return (f"Over {VARIANCE_REPLICAS} bootstrap resamples of the training split, going from one tree to the vote "
            f"of {int(last['n_trees'])}, the variance of P(class 1), averaged over the test points, "
            f"{change(first['variance'], last['variance'])} ({variance_change(var['variance'])}), while bias² + "
            f"noise {change(first['bias² + noise'], last['bias² + noise'])}. The vote of k trees has the same "
            f"expected prediction as one tree, so averaging cannot move the bias: that line moves only by the "
            f"noise of estimating it from {VARIANCE_REPLICAS} resamples.")


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


def adaboost_weights(ada: AdaBoostClassifier, X: np.ndarray, y: np.ndarray) -> np.ndarray:
    """The sample weights each round's stump was fitted with, rebuilt with SAMME's update:
    w <- w * exp(alpha_m * [stump m is wrong]), normalised; round 1 starts uniform."""
    n = len(y)
    w = np.full(n, 1.0 / n)
    out = []
    for est, alpha in zip(ada.estimators_, ada.estimator_weights_):
        out.append(w)
        incorrect = est.predict(X) != y
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
    stage_proba = np.array([p[:, 1] for p in ada.staged_predict_proba(grid)], dtype=np.float32)
    rows, test_accuracy = [], {}
    for name, model in (("AdaBoost", ada), ("gradient boosting", gb)):
        for split_name, X, y in (("train", X_tr, y_tr), ("test", X_te, y_te)):
            wrong = np.array([pred != y for pred in model.staged_predict(X)])
            rows += [(k, f"{name} {split_name}", float(np.mean(w))) for k, w in enumerate(wrong, start=1)]
            if split_name == "test":
                test_accuracy[name] = np.mean(~wrong, axis=1)  # mean(pred == y), as model.score computes it
    return BoostingResult(points_frame(X_tr, y_tr, X_te, y_te, ds.target_names), grid, stage_proba,
                          adaboost_weights(ada, X_tr, y_tr), ada.estimator_weights_[:rounds].copy(),
                          ada.estimator_errors_[:rounds].copy(), pd.DataFrame(rows, columns=["round", "series", "error"]),
                          rounds, float(test_accuracy["AdaBoost"][-1]), float(test_accuracy["gradient boosting"][-1]),
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


# ------------------------------------------------------------------ round charts, swapped not rebuilt
def round_title(r: int) -> list[str]:
    # two lines: at half the page in presenter type one line ended in "dot size = wei…"
    return [f"AdaBoost after {r} round{'s' if r > 1 else ''}", "dot size = sample weight"]


def round_templates(b: BoostingResult) -> tuple[dict, dict]:
    """Vega-Lite specs of round 1 (boundary and staged errors), converted once per fit
    (charts.to_spec). Other rounds are the same specs with their data swapped (see round_charts):
    building and converting a chart costs far more."""
    grid, points, r = round_view(b, 1)
    return charts.to_spec(round_boundary_chart(grid, points, r)), charts.to_spec(errors_chart(b.errors, r))


def round_boundary_chart(grid: pd.DataFrame, points: pd.DataFrame, r: int):
    """The ensemble's boundary after round r, dots sized by weight. Four legends (weight, split,
    P(class 1), class) need more height than the plot, or the last ones are cut off."""
    return charts.boundary_chart(grid, points, title=round_title(r), height=560)


def errors_chart(errors: pd.DataFrame, r: int):
    """Staged train and test error of both boosters, a rule at round r; the legend below, or in half
    the page it squeezes the plot to a sliver. One column: two were cut off at presenter type
    ("gradient boo")."""
    return charts.line_chart(errors, "round", "error", color="series", y_title="error rate",
                             title="Staged train and test error", rule_x=r, height=540).configure_legend(
        orient="bottom", columns=1, labelLimit=0)


def round_charts(b: BoostingResult, templates: tuple[dict, dict], round_: int) -> tuple[dict, dict, pd.DataFrame, int]:
    """The two specs at ``round_``: the background grid's P(class 1) and the boundary cells
    (charts.swap_grid), the points' weights and the error chart's rule swapped into copies of the
    templates. tests/test_ensembles.py checks them against a rebuild."""
    boundary_t, errors_t = templates
    grid, points, r = round_view(b, round_)
    boundary = charts.swap_layer_data(charts.swap_grid(boundary_t, grid, round_title(r)), {2: points})
    errors = charts.swap_layer_data(errors_t, {1: pd.DataFrame({"round": [r]})})  # the rule of charts.line_chart
    return boundary, errors, points, r


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
