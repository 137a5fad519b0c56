"""Fairness and ethics lab: a generated lending table with a sensitive attribute (``group``), a proxy
(``area_income``) and historical bias in the labels at a chosen strength; per-group rates at one
threshold or one per group, the parity criteria, the accuracy-fairness frontier, why the criteria
cannot all hold when base rates differ, and three mitigations.

The metrics come from fairlearn: selection rate, true- and false-positive rates (and scikit-learn's precision)
per group, through a ``MetricFrame`` for the cached comparisons and called on each group directly on a
threshold move (``quick_group_rates``: a MetricFrame per move cost seven times as much); the differences
between groups are taken as MetricFrame.difference takes them. The mitigations are fairlearn's
``ThresholdOptimizer`` (post-processing) and ``ExponentiatedGradient`` (in-training constraints).
Written by hand, because no library has it or teaching needs it:
- the bias mechanism (sample_data/make_lending.py keeps the latent truth; ``approved`` applies the
  bias at the strength the learner picks);
- Kamiran-Calders reweighing: fairlearn 0.15 has no reweighing, and it is a few lines (``reweighing``);
- the threshold sweep behind the frontier (``sweep``): every group's counts at every threshold of the
  slider's 0.01 grid, vectorised. A MetricFrame computes one threshold at a time: the grid took 15 s
  that way, against a few milliseconds; the tests check the sweep against MetricFrame;
- the sentences, generated from the numbers on screen.

Nothing here imports streamlit; the page (views/pitfalls/fairness.py) draws what these functions return.
"""
from __future__ import annotations

import copy
import functools
import json
import warnings
from dataclasses import dataclass
from functools import partial

import altair as alt
import numpy as np
import pandas as pd
from fairlearn.metrics import MetricFrame, false_positive_rate, selection_rate, true_positive_rate
from fairlearn.postprocessing import ThresholdOptimizer
from fairlearn.reductions import DemographicParity, EqualizedOdds, ExponentiatedGradient
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, precision_score, roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from components import charts, memo
from components.datasets import SAMPLE_DATA
from components.wording import relation

# ---- widgets: one source of truth (the page and the tests import these) ---------------------------
BIAS_KEY, USE_GROUP_KEY, USE_PROXY_KEY, LABELS_KEY = "fair.bias", "fair.use_group", "fair.use_proxy", "fair.labels"
MODE_KEY, THRESHOLD_KEY, THRESHOLD_A_KEY, THRESHOLD_B_KEY = (
    "fair.threshold_mode", "fair.threshold", "fair.threshold_a", "fair.threshold_b")
MITIGATION_KEY, CONSTRAINT_KEY, COMPARE_KEY = "fair.mitigation", "fair.constraint", "fair.compare"
SCRUB_KEYS = (THRESHOLD_KEY, THRESHOLD_A_KEY, THRESHOLD_B_KEY)

BIAS_MIN, BIAS_MAX, BIAS_STEP, BIAS_DEFAULT = 0.0, 0.8, 0.05, 0.3
RECORDED, TRUTH = "recorded decisions", "true creditworthiness"
LABEL_OPTIONS = (RECORDED, TRUTH)
SHARED, PER_GROUP = "one threshold", "one per group"
MODES = (SHARED, PER_GROUP)
THRESHOLD_MIN, THRESHOLD_MAX, THRESHOLD_STEP, THRESHOLD_DEFAULT = 0.0, 1.0, 0.01, 0.5
NONE, REWEIGHING, POSTPROCESSING, REDUCTION = (
    "none", "reweighing (before training)", "threshold optimiser (after training)",
    "exponentiated gradient (during training)")
MITIGATIONS = (NONE, REWEIGHING, POSTPROCESSING, REDUCTION)
DEMOGRAPHIC_PARITY, EQUALISED_ODDS = "demographic parity", "equalised odds"
CONSTRAINTS = (DEMOGRAPHIC_PARITY, EQUALISED_ODDS)
USES_CONSTRAINT = (POSTPROCESSING, REDUCTION)

# ---- the data -----------------------------------------------------------------------------------
LENDING_CSV = SAMPLE_DATA / "lending.csv"
GROUP, PROXY, CREDITWORTHY = "group", "area_income", "creditworthy"
OWN_COLUMNS = ("income", "debt_ratio", "years_employed", "missed_payments")
GROUPS = ("A", "B")
DISADVANTAGED = "B"  # the group whose creditworthy applicants the historical bias refused
GROUP_FEATURE = "group_B"  # the sensitive attribute as a model input (1 for group B)
TEST_SIZE = 0.4
PARITY_TOLERANCE = 0.05  # "about equal" for the frontier sentence: a difference of at most 0.05

FIT_COUNT = {"n": 0}  # estimators fitted in this process; tests check that threshold moves add none

# The four headline numbers, labelled as on screen (the question bank's checks read these labels).
ACCURACY, DP_DIFF, EOPP_DIFF, EODDS_DIFF = (
    "Accuracy", "Demographic parity difference", "Equal opportunity difference", "Equalised odds difference")
HEADLINE = (ACCURACY, DP_DIFF, EOPP_DIFF, EODDS_DIFF)
MITIGATED = " (mitigated)"  # the mitigation panel's labels: HEADLINE + MITIGATED

# fairlearn's metrics per group; precision is undefined (NaN) for a group with no one approved. Accuracy and the
# group sizes are counted outside the MetricFrame, which costs about six times its metrics' own work per metric.
RATE_METRICS = {"selection rate": selection_rate, "TPR": true_positive_rate, "FPR": false_positive_rate,
                "precision": partial(precision_score, zero_division=np.nan)}
RATE_ORDER = ("base rate", "selection rate", "TPR", "FPR", "precision")


@dataclass(frozen=True)
class FairnessSettings:
    """Every control of the page: the cache keys of its computations and what "Show the code" prints."""
    bias: float = BIAS_DEFAULT
    use_group: bool = False
    use_proxy: bool = True
    labels: str = RECORDED
    seed: int = 42
    mode: str = SHARED
    threshold: float = THRESHOLD_DEFAULT
    threshold_a: float = THRESHOLD_DEFAULT
    threshold_b: float = THRESHOLD_DEFAULT
    mitigation: str = NONE
    constraint: str = DEMOGRAPHIC_PARITY

    @property
    def cuts(self) -> tuple[float, float]:
        """(group A's threshold, group B's threshold)."""
        return (self.threshold, self.threshold) if self.mode == SHARED else (self.threshold_a, self.threshold_b)

    @property
    def model_key(self) -> tuple:
        """What the fitted model depends on (the thresholds and the labels measured against do not)."""
        return self.bias, self.use_group, self.use_proxy, self.seed


@memo.cached(max_entries=1, shared=True)
def lending() -> pd.DataFrame:
    """The generated table (sample_data/make_lending.py), read once; callers never modify it."""
    return pd.read_csv(LENDING_CSV)


def approved(table: pd.DataFrame, bias: float, seed: int) -> np.ndarray:
    """The recorded (historical) decisions: creditworthy, except that each creditworthy applicant of group B
    was refused with probability ``bias``. One uniform draw per row from the seed, so a stronger bias
    refuses a superset of the applicants a weaker one refused."""
    draw = np.random.default_rng(seed).random(len(table))
    refused = (table[GROUP].to_numpy() == DISADVANTAGED) & (draw < bias)
    return (table[CREDITWORTHY].to_numpy().astype(bool) & ~refused).astype(int)


def feature_columns(use_group: bool, use_proxy: bool) -> list[str]:
    return list(OWN_COLUMNS) + ([PROXY] if use_proxy else []) + ([GROUP_FEATURE] if use_group else [])


def design(table: pd.DataFrame, use_group: bool, use_proxy: bool) -> pd.DataFrame:
    """The model's inputs: the applicant's own columns, optionally area income and the group (0/1)."""
    X = table[list(OWN_COLUMNS) + ([PROXY] if use_proxy else [])].astype(float)
    if use_group:
        X = X.assign(**{GROUP_FEATURE: (table[GROUP] == DISADVANTAGED).astype(float)})
    return X


def split(table: pd.DataFrame, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Train and test row numbers, stratified by group (the same split at every bias strength)."""
    train, test = train_test_split(np.arange(len(table)), test_size=TEST_SIZE, random_state=seed,
                                   stratify=table[GROUP])
    return train, test


def make_model() -> Pipeline:
    return Pipeline([("scale", StandardScaler()), ("model", LogisticRegression(max_iter=1000))])


@dataclass(frozen=True)
class Prepared:
    """One setting's training and test data; labels are the recorded decisions unless named ``truth``."""
    X_train: pd.DataFrame
    X_test: pd.DataFrame
    y_train: np.ndarray
    group_train: np.ndarray
    group_test: np.ndarray
    recorded_test: np.ndarray
    truth_test: np.ndarray


def prepare(bias: float, use_group: bool, use_proxy: bool, seed: int) -> Prepared:
    table = lending()
    y = approved(table, bias, seed)
    X = design(table, use_group, use_proxy)
    train, test = split(table, seed)
    group = table[GROUP].to_numpy()
    return Prepared(X.iloc[train], X.iloc[test], y[train], group[train], group[test], y[test],
                    table[CREDITWORTHY].to_numpy()[test])


@memo.cached(max_entries=32, shared=True, progress="Fitting the logistic regression…")
def plain_model(bias: float, use_group: bool, use_proxy: bool, seed: int) -> Pipeline:
    """The unmitigated model, trained on the recorded decisions (read-only: the threshold optimiser
    wraps it without refitting)."""
    p = prepare(bias, use_group, use_proxy, seed)
    FIT_COUNT["n"] += 1
    return make_model().fit(p.X_train, p.y_train)


@dataclass(frozen=True)
class Scored:
    """The test split as the plain model scores it: all any threshold needs."""
    scores: np.ndarray  # P(approved)
    group: np.ndarray
    recorded: np.ndarray
    truth: np.ndarray
    weights: pd.DataFrame  # feature, weight (coefficient on the standardised column)

    def labels(self, which: str) -> np.ndarray:
        return self.truth if which == TRUTH else self.recorded


@memo.cached(max_entries=32)
def scored(bias: float, use_group: bool, use_proxy: bool, seed: int) -> Scored:
    p = prepare(bias, use_group, use_proxy, seed)
    model = plain_model(bias, use_group, use_proxy, seed)
    weights = pd.DataFrame({"feature": list(p.X_train.columns),
                            "weight": model.named_steps["model"].coef_[0].round(4)})
    return Scored(model.predict_proba(p.X_test)[:, 1], p.group_test, p.recorded_test, p.truth_test, weights)


def decide(scores: np.ndarray, group: np.ndarray, t_a: float, t_b: float) -> np.ndarray:
    """Approve when the score reaches the applicant's group's threshold."""
    return (scores >= np.where(group == "A", t_a, t_b)).astype(int)


def label_names(labels: str) -> tuple[str, str]:
    """(positive, negative) as the page names them for these labels."""
    return ("approved", "refused") if labels == RECORDED else ("creditworthy", "not creditworthy")


# ---- per-group rates (fairlearn) ----------------------------------------------------------------
@dataclass(frozen=True)
class Rates:
    by_group: pd.DataFrame  # index: group; base rate, selection rate, TPR, FPR, precision, applicants
    accuracy: float
    demographic_parity: float  # largest difference in selection rate between groups
    equal_opportunity: float  # ... in true-positive rate
    equalised_odds: float  # the larger of the TPR and FPR differences

    def headline(self) -> dict[str, float]:
        return {ACCURACY: self.accuracy, DP_DIFF: self.demographic_parity, EOPP_DIFF: self.equal_opportunity,
                EODDS_DIFF: self.equalised_odds}


def _rates(by_group: pd.DataFrame, accuracy: float) -> Rates:
    """The differences as MetricFrame.difference(method="between_groups") takes them: largest minus smallest."""
    def gap(column: str) -> float:
        return float(by_group[column].max() - by_group[column].min())
    return Rates(by_group, accuracy, gap("selection rate"), gap("TPR"), max(gap("TPR"), gap("FPR")))


def _completed(by_group: pd.DataFrame, y_true: np.ndarray, group: np.ndarray) -> pd.DataFrame:
    by_group.insert(0, "base rate", [float(np.mean(y_true[group == g])) for g in GROUPS])
    by_group["applicants"] = [int(np.sum(group == g)) for g in GROUPS]
    return by_group


def group_rates(y_true: np.ndarray, y_pred: np.ndarray, group: np.ndarray) -> Rates:
    """fairlearn's MetricFrame per group, and its between-group differences (as fairlearn's
    demographic_parity_difference, equal_opportunity_difference and equalized_odds_difference compute them,
    from one frame instead of three). For the cached comparisons: one frame per model."""
    frame = MetricFrame(metrics=RATE_METRICS, y_true=y_true, y_pred=y_pred,
                        sensitive_features=pd.Series(group, name=GROUP))
    return _rates(_completed(frame.by_group.reindex(list(GROUPS)), y_true, group),
                  float(accuracy_score(y_true, y_pred)))


def quick_group_rates(y_true: np.ndarray, y_pred: np.ndarray, group: np.ndarray) -> Rates:
    """The same numbers from the same fairlearn metric functions, called on each group's rows without a
    MetricFrame: a threshold move computes one set, and a MetricFrame cost 50 ms of CPU there against 7 ms
    (its bookkeeping is about six times its four metrics' own work; load 16 on 2 cores). tests/test_fairness.py
    checks that the two agree."""
    rows = {}
    for g in GROUPS:
        rows[g] = {name: float(metric(y_true[group == g], y_pred[group == g])) for name, metric in RATE_METRICS.items()}
    by_group = pd.DataFrame.from_dict(rows, orient="index")
    by_group.index.name = GROUP
    return _rates(_completed(by_group, y_true, group), float(accuracy_score(y_true, y_pred)))


@memo.cached(max_entries=256)  # one entry: a two-row table and four numbers
def rates_at(bias: float, use_group: bool, use_proxy: bool, labels: str, seed: int, t_a: float,
             t_b: float) -> Rates:
    """The threshold panel's numbers at a pair of thresholds (the same threshold twice for one threshold)."""
    s = scored(bias, use_group, use_proxy, seed)
    return quick_group_rates(s.labels(labels), decide(s.scores, s.group, t_a, t_b), s.group)


# ---- the data panel ------------------------------------------------------------------------------
@dataclass(frozen=True)
class DataView:
    counts: pd.DataFrame  # per group: applicants, creditworthy, approved, creditworthy but refused
    proxy_auc: float  # how well area income alone tells the groups apart (ROC AUC)
    income_auc: float  # ... the applicant's own income
    specs: dict


@memo.cached(max_entries=16, shared=True, progress="Applying the historical bias…")  # read-only
def data_view(bias: float, seed: int) -> DataView:
    table = lending()
    y = approved(table, bias, seed)
    truth = table[CREDITWORTHY].to_numpy()
    group = table[GROUP].to_numpy()
    counts = pd.DataFrame({
        "group": list(GROUPS),
        "applicants": [int((group == g).sum()) for g in GROUPS],
        "creditworthy": [int(truth[group == g].sum()) for g in GROUPS],
        "approved": [int(y[group == g].sum()) for g in GROUPS],
        "creditworthy but refused": [int((truth[group == g] & (1 - y[group == g])).sum()) for g in GROUPS]})
    is_a = group == "A"
    proxy_auc = float(roc_auc_score(is_a, table[PROXY]))
    income_auc = float(roc_auc_score(is_a, table["income"]))
    rates = pd.DataFrame({
        "group": np.repeat(list(GROUPS), 2),
        "labels": [TRUTH, RECORDED] * 2,
        "rate": [counts.loc[i, c] / counts.loc[i, "applicants"] for i in range(2) for c in ("creditworthy", "approved")]})
    specs = {"base_rates": base_rates_spec(rates),
             "proxy": proxy_spec(table[[GROUP, PROXY]])}
    return DataView(counts, proxy_auc, income_auc, specs)


def data_sentence(counts: pd.DataFrame, bias: float) -> str:
    """What the bias did to the recorded decisions, from the counts on screen."""
    a, b = (counts.set_index("group").loc[g] for g in GROUPS)
    worthy_b, approved_b, lost = int(b["creditworthy"]), int(b["approved"]), int(b["creditworthy but refused"])
    text = (f"Of the {int(b['applicants']):,} applicants in group B, {worthy_b / b['applicants']:.1%} are creditworthy "
            f"and {approved_b / b['applicants']:.1%} were approved")
    if lost:
        text += (f": at a bias strength of {bias:.2f} the historical decisions refused {lost} of the {worthy_b} "
                 f"creditworthy ({lost / worthy_b:.1%})")
    else:
        text += ": with no bias the recorded decisions are the truth"
    return (text + f". Group A's {int(a['applicants']):,} applicants' recorded decisions are their true "
            f"creditworthiness: {a['creditworthy'] / a['applicants']:.1%} creditworthy, {a['approved'] / a['applicants']:.1%} approved.")


def proxy_sentence(proxy_auc: float, income_auc: float) -> str:
    return (f"Area income alone tells group A from group B with a ROC AUC of {proxy_auc:.3f} (0.5: not at all, "
            f"1: perfectly), the applicant's own income with {income_auc:.3f}: delete the group column and area income "
            "still carries it.")


# ---- fairness through unawareness -----------------------------------------------------------------
UNAWARENESS = (  # (row name, use_group, use_proxy)
    ("group and area income", True, True),
    ("area income, no group (unaware)", False, True),
    ("neither", False, False),
    ("group, no area income", True, False),
)


@memo.cached(max_entries=16, progress="Fitting one model per set of inputs…")
def unawareness(bias: float, labels: str, seed: int) -> pd.DataFrame:
    """The plain model with and without the group and the proxy, at one threshold of 0.5."""
    rows = []
    for name, use_group, use_proxy in UNAWARENESS:
        r = rates_at(bias, use_group, use_proxy, labels, seed, THRESHOLD_DEFAULT, THRESHOLD_DEFAULT)
        rows.append({"inputs": name, "uses group": use_group, "uses area income": use_proxy,
                     **r.headline(), "selection rate A": r.by_group.loc["A", "selection rate"],
                     "selection rate B": r.by_group.loc["B", "selection rate"]})
    return pd.DataFrame(rows)


def unawareness_sentence(table: pd.DataFrame) -> str:
    """Does dropping the group column close the gap? Read from the table on screen."""
    dp = table.set_index("inputs")[DP_DIFF]
    aware, unaware, neither = dp[UNAWARENESS[0][0]], dp[UNAWARENESS[1][0]], dp[UNAWARENESS[2][0]]
    text = (f"Dropping the group column moves the demographic-parity difference from {aware:.3f} to {unaware:.3f}")
    if round(unaware, 3) > round(neither, 3):
        text += (f"; dropping area income too brings it to {neither:.3f}: area income was carrying part of the "
                 "group into the model. Fairness through unawareness fails when a proxy remains")
    else:
        text += (f", and dropping area income too gives {neither:.3f} ({relation(neither, unaware)} it): here the "
                 "proxy adds no gap of its own")
    if round(neither, 3) > 0:
        text += (". What remains comes from the groups' different incomes and, with bias, from labels that "
                 "refused group B more often")
    return text + "."


# ---- the threshold sweep, the frontier ----------------------------------------------------------
THRESHOLDS = np.round(np.arange(101) * THRESHOLD_STEP, 2)  # the slider's grid
CLOUD_STEP = 10  # the chart's grey cloud: every 10th threshold of each group (11 x 11 pairs)


def sweep(scores: np.ndarray, y: np.ndarray, group: np.ndarray) -> pd.DataFrame:
    """Per group, counts and rates at every threshold of the grid (approve when score >= threshold)."""
    parts = []
    for g in GROUPS:
        s, yy = scores[group == g], y[group == g]
        chosen = s[:, None] >= THRESHOLDS[None, :]
        tp = (chosen & (yy[:, None] == 1)).sum(axis=0)
        fp = (chosen & (yy[:, None] == 0)).sum(axis=0)
        n, pos = len(yy), int(yy.sum())
        neg = n - pos
        parts.append(pd.DataFrame({
            "group": g, "threshold": THRESHOLDS, "n": n, "positives": pos, "TP": tp, "FP": fp,
            "selection rate": (tp + fp) / n,
            "TPR": tp / pos if pos else np.full(len(THRESHOLDS), np.nan),
            "FPR": fp / neg if neg else np.full(len(THRESHOLDS), np.nan),
            "correct": tp + neg - fp}))
    return pd.concat(parts, ignore_index=True)


def pair_grid(sw: pd.DataFrame) -> pd.DataFrame:
    """Accuracy and the two differences for every pair (group A's threshold, group B's threshold)."""
    a, b = (sw[sw["group"] == g].reset_index(drop=True) for g in GROUPS)
    n = int(a["n"].iloc[0] + b["n"].iloc[0])

    def outer(column: str) -> tuple[np.ndarray, np.ndarray]:
        return a[column].to_numpy()[:, None], b[column].to_numpy()[None, :]

    ca, cb = outer("correct")
    sa, sb = outer("selection rate")
    ta, tb = outer("TPR")
    fa, fb = outer("FPR")
    k = len(THRESHOLDS)
    return pd.DataFrame({
        "threshold A": np.repeat(THRESHOLDS, k), "threshold B": np.tile(THRESHOLDS, k),
        "accuracy": ((ca + cb) / n).ravel(),
        "DP difference": np.abs(sa - sb).ravel(),
        "EO difference": np.maximum(np.abs(ta - tb), np.abs(fa - fb)).ravel()})


def frontier(grid: pd.DataFrame, x: str) -> pd.DataFrame:
    """The pairs no other pair beats (a smaller difference ``x`` and at least the accuracy, or the same
    difference and more accuracy): the accuracy-fairness frontier, in order of ``x``."""
    ordered = grid.dropna(subset=[x]).sort_values([x, "accuracy"], ascending=[True, False], kind="stable")
    best_before = ordered["accuracy"].cummax().shift(fill_value=-np.inf)
    return ordered[ordered["accuracy"] > best_before].reset_index(drop=True)


def frontier_sentence(grid: pd.DataFrame, x: str, name: str) -> str:
    """The accuracy that parity (a difference within PARITY_TOLERANCE) costs, read from the grid."""
    valid = grid.dropna(subset=[x])
    best = valid.sort_values(["accuracy", x], ascending=[False, True], kind="stable").iloc[0]
    fair = valid[valid[x] <= PARITY_TOLERANCE + 1e-12]
    text = (f"Over all {len(valid):,} pairs of thresholds, the most accurate reaches {best['accuracy']:.3f} with a "
            f"difference of {best[x]:.3f} in {name}")
    if best[x] <= PARITY_TOLERANCE + 1e-12:
        return text + f", already within {PARITY_TOLERANCE:.2f}: {name} costs no accuracy here."
    if fair.empty:
        return text + f"; no pair keeps the {name} difference within {PARITY_TOLERANCE:.2f}."
    top = fair.sort_values(["accuracy", x], ascending=[False, True], kind="stable").iloc[0]
    cost = round(best["accuracy"], 3) - round(top["accuracy"], 3)
    within = (f"; the best within {PARITY_TOLERANCE:.2f} reaches {top['accuracy']:.3f} (thresholds "
              f"{top['threshold A']:.2f} for A, {top['threshold B']:.2f} for B)")
    if cost <= 0:
        return text + within + f": at this precision {name} costs no accuracy here."
    return text + within + f": {name} within {PARITY_TOLERANCE:.2f} costs {cost:.3f} of accuracy here."


def position_sentence(frontiers: dict[str, pd.DataFrame], accuracy: float, dp: float, eo: float) -> str:
    """Where the current thresholds (a pair of the grid) sit against the frontiers. The most accurate pair with
    a difference no larger than yours is a frontier point: the frontier is the running best."""
    parts = []
    for x, name, here in (("DP difference", "demographic parity", dp), ("EO difference", "equalised odds", eo)):
        xs, acc = frontiers[x][x].to_numpy(), frontiers[x]["accuracy"].to_numpy()
        reach = float(acc[xs <= here + 1e-12].max())
        if round(reach, 3) > round(accuracy, 3):
            parts.append(f"another pair reaches {reach:.3f} accuracy without a larger {name} difference")
        else:
            parts.append(f"no pair is more accurate without a larger {name} difference (on the frontier)")
    return f"At your threshold(s) (accuracy {accuracy:.3f}): " + "; ".join(parts) + "."


# ---- why the criteria conflict ----------------------------------------------------------------------
def impossibility_sentences(by_group: pd.DataFrame, positive: str) -> list[str]:
    """The parity criteria against each other, with the numbers on screen (per-group base rate,
    selection rate, TPR, FPR, precision). Each sentence is arithmetic on those numbers: in every group
    selection rate = FPR + (TPR - FPR) x base rate, and Chouldechova's identity
    FPR = p / (1 - p) x (1 - PPV) / PPV x TPR (p the base rate, PPV the precision)."""
    a, b = by_group.loc["A"], by_group.loc["B"]
    pa, pb = float(a["base rate"]), float(b["base rate"])
    ta, fa, sa, ppv_a = float(a["TPR"]), float(a["FPR"]), float(a["selection rate"]), float(a["precision"])
    fb = float(b["FPR"])
    if round(pa, 3) == round(pb, 3):
        return [f"The base rates are equal at this precision ({pa:.3f} {positive} in both groups): the conflicts "
                "between the criteria need them to differ."]
    out = [f"Base rates differ: {pa:.1%} of group A and {pb:.1%} of group B are {positive} in the test split."]
    if round(ta, 3) == round(fa, 3):
        out.append(f"At this threshold group A's TPR equals its FPR ({ta:.3f}): the decisions ignore the label, the "
                   "one kind of classifier for which equal selection rates and equal error rates can hold together.")
    else:
        same_odds = fa + (ta - fa) * pb
        out.append(
            f"**Equalised odds against demographic parity.** Give group B group A's TPR ({ta:.3f}) and FPR "
            f"({fa:.3f}) and it would be approved at {same_odds:.3f} against group A's {sa:.3f}: selection rate = "
            f"FPR + (TPR − FPR) × base rate, so the gap is ({ta:.3f} − {fa:.3f}) × ({pa:.3f} − {pb:.3f}) = "
            f"{(ta - fa) * (pa - pb):.3f}. Only TPR = FPR, a classifier no better than a coin, closes it.")
    if 0 < pb < 1:
        need = (sa - fb * (1 - pb)) / pb
        text = (f"**Demographic parity against equal opportunity.** To approve group B at group A's rate ({sa:.3f}) "
                f"with its FPR kept at {fb:.3f}, group B would need a TPR of ({sa:.3f} − {fb:.3f} × (1 − {pb:.3f})) / "
                f"{pb:.3f} = {need:.3f}")
        if need > 1:
            text += ": more than 1, impossible, so its FPR would have to rise as well."
        elif need < 0:
            text += ": below 0, impossible, so its FPR would have to fall as well."
        elif relation(need, ta) == "equal to":
            text += f", equal to group A's {ta:.3f}: at this FPR both hold, with FPRs of {fb:.3f} (B) and {fa:.3f} (A)."
        else:
            text += (f", {relation(need, ta)} group A's {ta:.3f}: at this FPR, equal selection rates mean unequal "
                     "true-positive rates.")
        out.append(text)
    if ppv_a == ppv_a and ppv_a > 0 and 0 < pa < 1 and 0 < pb < 1:
        implied = pb / (1 - pb) * (1 - ppv_a) / ppv_a * ta
        text = (f"**Predictive parity against equal error rates** (Chouldechova). In every group FPR = p / (1 − p) × "
                f"(1 − precision) / precision × TPR, with p the base rate (group A: {pa:.3f} / {1 - pa:.3f} × "
                f"{1 - ppv_a:.3f} / {ppv_a:.3f} × {ta:.3f} = {fa:.3f}). Give group B group A's precision and TPR, "
                f"and its base rate of {pb:.3f} forces an FPR of {implied:.3f}")
        if ppv_a == 1:
            text += (", equal to group A's: with a precision of 1 no one is approved wrongly, and this conflict needs "
                     "some false positives.")
        elif relation(implied, fa) == "equal to":
            odds = pb / (1 - pb) / (pa / (1 - pa))
            text += (f", equal to group A's at this precision: the FPRs must still differ by a factor of {odds:.2f} "
                     "(the ratio of the base rates' odds), a gap too small to show at three decimals.")
        else:
            text += f", {relation(implied, fa)} group A's {fa:.3f}: equal precision and equal TPRs mean unequal FPRs."
        out.append(text)
    return out


# ---- the threshold panel's cached view ----------------------------------------------------------------
@dataclass(frozen=True)
class ThresholdView:
    sweep: pd.DataFrame
    grid: pd.DataFrame  # every pair of thresholds
    frontiers: dict  # "DP difference" / "EO difference" -> frontier rows
    frontier_text: str  # the two frontier sentences (they do not depend on the thresholds)
    specs: dict  # mode -> rates, scores, frontier_dp, frontier_eo, following that mode's sliders (scrub_specs)
    rates_table: dict  # group -> (thresholds x RATE_ORDER) array: the bars at every threshold of the grid
    pairs_table: np.ndarray  # (threshold A, threshold B, [accuracy, DP difference, EO difference])
    score_top: float  # the histogram's tallest bar: each group's cut spans its half of the chart


SCORE_BIN = 0.05


def score_histogram(scores: np.ndarray, y: np.ndarray, group: np.ndarray, names: tuple[str, str]) -> pd.DataFrame:
    """Applicants per score bin (0.05 wide), group and label; group B's counts negative, drawn below the axis.
    Binned here, not in the chart: 80 rows cost the browser far less than 1,200 points."""
    bins = np.clip((scores / SCORE_BIN).astype(int), 0, int(round(1 / SCORE_BIN)) - 1)
    rows = []
    for g in GROUPS:
        for label, name in ((1, names[0]), (0, names[1])):
            counts = np.bincount(bins[(group == g) & (y == label)], minlength=int(round(1 / SCORE_BIN)))
            for b, c in enumerate(counts):
                rows.append((g, name, round(b * SCORE_BIN, 2), round((b + 1) * SCORE_BIN, 2), int(c),
                             int(c) if g == "A" else -int(c)))
    frame = pd.DataFrame(rows, columns=["group", "label", "start", "end", "count", "signed"])
    return frame.astype({"group": "category", "label": "category"})


# shared: read-only, and a copy per rerun would unpickle the 10,201-pair grid and the charts' data (~1 MB)
@memo.cached(max_entries=32, shared=True, progress="Sweeping every pair of thresholds…")
def threshold_view(bias: float, use_group: bool, use_proxy: bool, labels: str, seed: int) -> ThresholdView:
    """Everything the thresholds do not change, and the charts they move, holding every threshold."""
    s = scored(bias, use_group, use_proxy, seed)
    y = s.labels(labels)
    sw = sweep(s.scores, y, s.group)
    grid = pair_grid(sw)
    fronts = {x: frontier(grid, x) for x in ("DP difference", "EO difference")}
    positive, negative = label_names(labels)
    hist = score_histogram(s.scores, y, s.group, (positive, negative))
    top = float(hist.groupby(["group", "start"], observed=True)["count"].sum().max())
    rates_table, pairs_table = _rates_table(sw), _pairs_table(grid)
    shared_rows = scrub_stacks(sw, rates_table, top, per_group=False)
    on_cloud = grid["threshold A"].isin(THRESHOLDS[::CLOUD_STEP]) & grid["threshold B"].isin(THRESHOLDS[::CLOUD_STEP])
    shared = grid[grid["threshold A"] == grid["threshold B"]]
    specs = {
        "rates": rates_spec(shared_rows["rates"]),
        "scores": scores_spec(hist, (positive, negative), top, shared_rows["cuts"]),
        **{key: frontier_spec(x, title, grid[on_cloud], fronts[x], shared, shared_rows["current"])
           for key, x, title in (("frontier_dp", "DP difference", "demographic-parity difference"),
                                 ("frontier_eo", "EO difference", "equalised-odds difference"))},
    }
    text = " ".join(frontier_sentence(grid, x, name) for x, name in (("DP difference", "demographic parity"),
                                                                      ("EO difference", "equalised odds")))
    return ThresholdView(sw, grid, fronts, text, scrub_specs(specs, sw, rates_table, top), rates_table,
                         pairs_table, top)


def _rates_table(sw: pd.DataFrame) -> dict[str, np.ndarray]:
    out = {}
    for g in GROUPS:
        part = sw[sw["group"] == g]
        chosen = (part["TP"] + part["FP"]).to_numpy()
        precision = np.divide(part["TP"].to_numpy(), chosen, out=np.full(len(part), np.nan), where=chosen > 0)
        base = part["positives"].to_numpy() / part["n"].to_numpy()
        out[g] = np.column_stack([base, part["selection rate"], part["TPR"], part["FPR"], precision]).astype(float)
    return out


def _pairs_table(grid: pd.DataFrame) -> np.ndarray:
    k = len(THRESHOLDS)
    return grid[["accuracy", "DP difference", "EO difference"]].to_numpy(dtype=float).reshape(k, k, 3)


def _frames(rates_table: dict, pairs_table: np.ndarray, top: float, t_a: float,
            t_b: float) -> dict[str, list[dict]]:
    i, j = (int(round(t / THRESHOLD_STEP)) for t in (t_a, t_b))
    bars = [{"group": g, "metric": m, "value": None if v != v else float(v)}
            for g, k in (("A", i), ("B", j)) for m, v in zip(RATE_ORDER, rates_table[g][k])]
    accuracy, dp, eo = (float(v) for v in pairs_table[i, j])
    return {
        "rates": bars,
        "cuts": [{"group": "A", "threshold": float(t_a), "from": 0.0, "to": top},
                 {"group": "B", "threshold": float(t_b), "from": 0.0, "to": -top}],
        "current": [{"series": "your threshold(s)", "threshold A": float(t_a), "threshold B": float(t_b),
                     "accuracy": accuracy, "DP difference": dp, "EO difference": eo}],
    }


def threshold_frames(view: ThresholdView, t_a: float, t_b: float) -> dict[str, list[dict]]:
    """What the charts show at one pair of thresholds (the per-group bars, each group's cut, the current
    point), looked up in the cached sweep; tests/test_fairness.py checks them against the panel's fairlearn
    numbers and the charts' stacked rows (scrub_stacks) against them."""
    return _frames(view.rates_table, view.pairs_table, view.score_top, t_a, t_b)


# Scrubbing in the browser (charts.scrubbable). With one threshold every moving row follows its slider; with one
# per group each group's rows follow that group's slider, tagged in its own column. The current point depends on
# both thresholds: rather than 10,201 stacked pairs, "current" holds each group's counts and rates at every
# threshold and the frontier charts combine the two rows the sliders select (frontier_chart), as pair_grid does.
GROUP_SCRUB_COLUMNS = {g: f"{charts.SCRUB_COLUMN}_{g}" for g in GROUPS}
SCRUBBED_BY = {SHARED: ((THRESHOLD_KEY, charts.SCRUB_COLUMN),),  # mode -> (slider key, its rows' tag column)
               PER_GROUP: ((THRESHOLD_A_KEY, GROUP_SCRUB_COLUMNS["A"]), (THRESHOLD_B_KEY, GROUP_SCRUB_COLUMNS["B"]))}


def scrub_stacks(sw: pd.DataFrame, rates_table: dict, top: float, per_group: bool) -> dict[str, pd.DataFrame]:
    """The moving datasets at every threshold of the slider(s): each group's rows tagged with its threshold,
    in charts.SCRUB_COLUMN (one threshold) or in its own column (GROUP_SCRUB_COLUMNS, one per group)."""
    parts: dict[str, list[pd.DataFrame]] = {"rates": [], "cuts": [], "current": []}
    k, m = len(THRESHOLDS), len(RATE_ORDER)
    for g in GROUPS:
        tag = GROUP_SCRUB_COLUMNS[g] if per_group else charts.SCRUB_COLUMN
        part = sw[sw["group"] == g]
        parts["rates"].append(pd.DataFrame({"group": g, "metric": np.tile(RATE_ORDER, k),
                                            "value": rates_table[g].ravel(), tag: np.repeat(THRESHOLDS, m)}))
        parts["cuts"].append(pd.DataFrame({"group": g, "threshold": THRESHOLDS, "from": 0.0,
                                           "to": top if g == "A" else -top, tag: THRESHOLDS}))
        parts["current"].append(pd.DataFrame({
            "series": SERIES[3], "group": g,
            "threshold A": THRESHOLDS if g == "A" else np.nan, "threshold B": THRESHOLDS if g == "B" else np.nan,
            "correct": part["correct"].to_numpy(dtype=float), "n": part["n"].to_numpy(dtype=float),
            "selection rate": part["selection rate"].to_numpy(dtype=float),
            "TPR": part["TPR"].to_numpy(dtype=float), "FPR": part["FPR"].to_numpy(dtype=float), tag: THRESHOLDS}))
    return {name: pd.concat(frames, ignore_index=True) for name, frames in parts.items()}


def scrub_specs(specs: dict[str, dict], sw: pd.DataFrame, rates_table: dict, top: float) -> dict[str, dict]:
    """Per mode, the four threshold charts following that mode's slider(s) in the browser."""
    out = {}
    for mode, sliders in SCRUBBED_BY.items():
        stacked = scrub_stacks(sw, rates_table, top, per_group=mode == PER_GROUP)
        out[mode] = {}
        for name, spec in specs.items():
            for key, column in sliders:
                spec = charts.scrubbable(spec, key, stacked, THRESHOLD_MIN, THRESHOLD_MAX, THRESHOLD_STEP, column)
            out[mode][name] = spec
    return out


def scrub_positions(mode: str, t_a: float, t_b: float) -> list[tuple[str, float]]:
    """The (slider key, value) pairs the threshold charts of ``mode`` follow (show.chart's scrub)."""
    return [(THRESHOLD_KEY, t_a)] if mode == SHARED else [(THRESHOLD_A_KEY, t_a), (THRESHOLD_B_KEY, t_b)]


# ---- mitigation ------------------------------------------------------------------------------------
def reweighing(group: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Kamiran and Calders' reweighing (2012): each (group, label) cell gets the weight P(group) x P(label) /
    P(group, label), its expected frequency if label and group were independent over its observed one, so
    that in the weighted training data the label no longer depends on the group. Written by hand: fairlearn
    0.15 has no reweighing, and it is these few lines."""
    frame = pd.DataFrame({"g": group, "y": y})
    p_group = frame["g"].map(frame["g"].value_counts(normalize=True))
    p_label = frame["y"].map(frame["y"].value_counts(normalize=True))
    p_cell = frame.groupby(["g", "y"])["y"].transform("size") / len(frame)
    return (p_group * p_label / p_cell).to_numpy()


@dataclass(frozen=True)
class Mitigated:
    method: str
    constraint: str  # "" for reweighing
    decisions: np.ndarray  # test decisions (0/1)
    detail: pd.DataFrame  # what the method chose: weights, thresholds or the mixture of classifiers
    fits: int  # estimators fitted


def _operation_text(op) -> str:
    return f"score {op.operator} {op.threshold:.3f}"


def _threshold_detail(optimiser: ThresholdOptimizer) -> pd.DataFrame:
    """The optimiser's per-group rule: a mix of two thresholds (and for equalised odds, sometimes a constant)."""
    rows = []
    for g in GROUPS:
        rule = optimiser.interpolated_thresholder_.interpolation_dict[g]
        text = (f"{_operation_text(rule['operation0'])} with probability {float(rule['p0']):.2f}, "
                f"{_operation_text(rule['operation1'])} with probability {float(rule['p1']):.2f}")
        if float(rule.get("p_ignore", 0.0)) > 0:
            text += (f"; then, with probability {float(rule['p_ignore']):.2f}, approve with probability "
                     f"{float(rule['prediction_constant']):.2f} instead")
        rows.append({"group": g, "decision rule": text})
    return pd.DataFrame(rows)


@memo.cached(max_entries=32, progress="Training with the mitigation…")
def mitigate(method: str, constraint: str, bias: float, use_group: bool, use_proxy: bool, seed: int) -> Mitigated:
    """One mitigation on one setting, trained on the recorded decisions (the labels a lender has on record)."""
    p = prepare(bias, use_group, use_proxy, seed)
    if method == REWEIGHING:
        weights = reweighing(p.group_train, p.y_train)
        model = make_model().fit(p.X_train, p.y_train, model__sample_weight=weights)
        FIT_COUNT["n"] += 1
        scores = model.predict_proba(p.X_test)[:, 1]
        cells = (pd.DataFrame({"group": p.group_train, "label": np.where(p.y_train == 1, "approved", "refused"),
                               "weight": weights}).groupby(["group", "label"], as_index=False)
                 .agg(rows=("weight", "size"), weight=("weight", "first")))
        return Mitigated(method, "", decide(scores, p.group_test, THRESHOLD_DEFAULT, THRESHOLD_DEFAULT), cells, 1)
    if method == POSTPROCESSING:
        optimiser = ThresholdOptimizer(
            estimator=plain_model(bias, use_group, use_proxy, seed), prefit=True, predict_method="predict_proba",
            constraints="demographic_parity" if constraint == DEMOGRAPHIC_PARITY else "equalized_odds",
            objective="accuracy_score")
        optimiser.fit(p.X_train, p.y_train, sensitive_features=p.group_train)
        FIT_COUNT["n"] += 1
        decisions = optimiser.predict(p.X_test, sensitive_features=p.group_test, random_state=seed)
        return Mitigated(method, constraint, np.asarray(decisions).astype(int), _threshold_detail(optimiser), 1)
    if method == REDUCTION:
        moment = DemographicParity() if constraint == DEMOGRAPHIC_PARITY else EqualizedOdds()
        reduction = ExponentiatedGradient(make_model(), constraints=moment, sample_weight_name="model__sample_weight")
        with warnings.catch_warnings():
            # fairlearn 0.15's reductions grow a pandas Series with .at and set a bool into a float Series;
            # pandas 3.1 warns that both will fail in pandas 4 (Pandas4Warning). Harmless with the pinned
            # versions: silenced for warnings raised from fairlearn's own code only, so any other drift
            # still fails the tests.
            warnings.filterwarnings("ignore", category=pd.errors.Pandas4Warning, module=r"fairlearn\.")
            reduction.fit(p.X_train, p.y_train, sensitive_features=p.group_train)
        FIT_COUNT["n"] += int(reduction.n_oracle_calls_)
        decisions = reduction.predict(p.X_test, random_state=seed)
        used = np.flatnonzero(reduction.weights_.to_numpy() > 0)
        detail = pd.DataFrame({"classifier": [f"#{i + 1}" for i in used],
                               "share of decisions": reduction.weights_.to_numpy()[used].round(3)})
        return Mitigated(method, constraint, np.asarray(decisions).astype(int), detail,
                         int(reduction.n_oracle_calls_))
    raise ValueError(f"unknown mitigation {method!r}")


def method_name(method: str, constraint: str) -> str:
    if method == NONE:
        return "plain model (threshold 0.5)"
    if method == REWEIGHING:
        return "reweighing"
    short = "threshold optimiser" if method == POSTPROCESSING else "exponentiated gradient"
    return f"{short}, {constraint}"


COMPARED = ((REWEIGHING, ""), (POSTPROCESSING, DEMOGRAPHIC_PARITY), (POSTPROCESSING, EQUALISED_ODDS),
            (REDUCTION, DEMOGRAPHIC_PARITY), (REDUCTION, EQUALISED_ODDS))


def constraint_used(method: str, constraint: str) -> str:
    """The constraint a method reads ("" when it has none): moving the constraint never refits reweighing."""
    return constraint if method in USES_CONSTRAINT else ""


@dataclass(frozen=True)
class MitigationView:
    plain: Rates
    methods: dict  # method name -> Rates, in the order computed
    details: dict  # method name -> what the method chose (a table)
    table: pd.DataFrame  # one row per model: the headline numbers and the per-group selection rates
    specs: dict  # "dp", "eo": accuracy against each difference, the plain model's frontier beside


@memo.cached(max_entries=32, shared=True)  # read-only; its charts carry the frontier's data
def mitigation_view(chosen: tuple, bias: float, use_group: bool, use_proxy: bool, labels: str,
                    seed: int) -> MitigationView:
    """The plain model at 0.5 and each (method, constraint) in ``chosen``, measured against ``labels``
    (each mitigation is cached on its own: the page computes them one by one, with progress)."""
    s = scored(bias, use_group, use_proxy, seed)
    y = s.labels(labels)
    plain = rates_at(bias, use_group, use_proxy, labels, seed, THRESHOLD_DEFAULT, THRESHOLD_DEFAULT)
    methods, details = {}, {}
    for method, constraint in chosen:
        m = mitigate(method, constraint, bias, use_group, use_proxy, seed)
        name = method_name(method, constraint)
        methods[name] = group_rates(y, m.decisions, s.group)
        details[name] = m.detail
    rows = [{"model": method_name(NONE, ""), **_row(plain)}] + [{"model": k, **_row(r)} for k, r in methods.items()]
    table = pd.DataFrame(rows)
    view = threshold_view(bias, use_group, use_proxy, labels, seed)
    shared = view.grid[view.grid["threshold A"] == view.grid["threshold B"]]
    points = table.rename(columns={ACCURACY: "accuracy", DP_DIFF: "DP difference", EODDS_DIFF: "EO difference"})
    specs = {key: methods_spec(x, title, view.frontiers[x], shared, points[["model", "accuracy", "DP difference",
                                                                             "EO difference"]])
             for key, x, title in (("dp", "DP difference", "demographic-parity difference"),
                                   ("eo", "EO difference", "equalised-odds difference"))}
    return MitigationView(plain, methods, details, table, specs)


def _row(r: Rates) -> dict:
    return {**r.headline(), "selection rate A": r.by_group.loc["A", "selection rate"],
            "selection rate B": r.by_group.loc["B", "selection rate"], "TPR A": r.by_group.loc["A", "TPR"],
            "TPR B": r.by_group.loc["B", "TPR"]}


def mitigation_sentence(name: str, plain: Rates, mitigated: Rates) -> str:
    """What the mitigation did to the headline numbers on screen."""
    def moved(label: str, before: float, after: float) -> str:
        b, a = round(before, 3), round(after, 3)
        if a == b:
            return f"left the {label} at {before:.3f}"
        return f"{'cut' if a < b else 'raised'} the {label} from {before:.3f} to {after:.3f}"
    parts = [moved("demographic-parity difference", plain.demographic_parity, mitigated.demographic_parity),
             moved("equalised-odds difference", plain.equalised_odds, mitigated.equalised_odds),
             moved("accuracy", plain.accuracy, mitigated.accuracy)]
    return f"Against the plain model at 0.5, {name} " + ", ".join(parts[:-1]) + " and " + parts[-1] + "."


# ---- charts (specific to this page; Altair channel objects, data by name) ----------------------------
GROUP_SCALE = alt.Scale(domain=list(GROUPS), range=[charts.BLUE, charts.ORANGE])
SERIES = ("pairs of thresholds", "frontier", "one shared threshold", "your threshold(s)")
SERIES_SCALE = alt.Scale(domain=list(SERIES), range=["#b0b0b0", charts.BLACK, charts.SKY, charts.VERMILION])


def _spec(builder, static: tuple, datasets: dict[str, pd.DataFrame | list[dict]]) -> dict:
    """A chart whose data are all named, as the Vega-Lite dict st.vega_lite_chart draws, with its datasets in
    Arrow (as charts.to_spec does); the threshold charts then hold every threshold (scrub_specs). The chart itself is
    built once per builder and static arguments (_layout): Altair cost 25-45 ms per chart, paid on every
    refit before."""
    spec = copy.deepcopy(_layout(builder, *static))  # the cached layout must never see a caller's edits
    spec["datasets"] = {n: charts._arrow_of(f) for n, f in datasets.items()}
    return spec


@functools.lru_cache(maxsize=32)
def _layout(builder, *static) -> dict:
    spec = builder(*static).to_dict(validate=False)
    charts._drop_default_theme(spec)
    # fit the width only: the height is the plot's, so a legend below it adds to the chart instead of squeezing
    # the plot (Streamlit's default, "fit", fits the legend, titles and plot together into the height)
    spec["autosize"] = {"type": "fit-x", "contains": "padding"}
    return spec


def base_rates_chart() -> alt.Chart:
    return alt.Chart(alt.NamedData(name="base_rates")).mark_bar().encode(
        x=alt.X("rate:Q", title="share of the group's applicants", scale=alt.Scale(domain=[0, 1]),
                axis=alt.Axis(format="%")),
        y=alt.Y("group:N", title="group", sort=list(GROUPS)),
        yOffset=alt.YOffset("labels:N", sort=[TRUTH, RECORDED]),
        color=alt.Color("labels:N", title=None, sort=[TRUTH, RECORDED],
                        scale=alt.Scale(domain=[TRUTH, RECORDED], range=[charts.GREEN, charts.VERMILION]),
                        legend=alt.Legend(orient="bottom")),
        tooltip=[alt.Tooltip("group:N"), alt.Tooltip("labels:N"), alt.Tooltip("rate:Q", format=".1%")],
    ).properties(title="Creditworthy vs approved, per group", height=160, width="container")


def base_rates_spec(rates: pd.DataFrame) -> dict:
    return _spec(base_rates_chart, (), {"base_rates": rates})


def proxy_chart() -> alt.Chart:
    return alt.Chart(alt.NamedData(name="proxy")).mark_bar(opacity=0.55, binSpacing=0).encode(
        x=alt.X(f"{PROXY}:Q", bin=alt.Bin(maxbins=40), title="area income (median of the postcode, k€)"),
        y=alt.Y("count():Q", title="applicants", stack=None),
        color=alt.Color("group:N", scale=GROUP_SCALE, title="group", legend=alt.Legend(orient="bottom")),
        tooltip=[alt.Tooltip("group:N"), alt.Tooltip(f"{PROXY}:Q", bin=alt.Bin(maxbins=40), title="area income"),
                 alt.Tooltip("count():Q", title="applicants")],
    ).properties(title="The proxy: area income by group", height=160, width="container")


def proxy_spec(frame: pd.DataFrame) -> dict:
    return _spec(proxy_chart, (), {"proxy": frame})


def rates_chart() -> alt.Chart:
    return alt.Chart(alt.NamedData(name="rates")).mark_bar().encode(
        x=alt.X("metric:N", sort=list(RATE_ORDER), title=None, axis=alt.Axis(labelAngle=0)),
        xOffset=alt.XOffset("group:N", sort=list(GROUPS)),
        y=alt.Y("value:Q", title="rate", scale=alt.Scale(domain=[0, 1])),
        color=alt.Color("group:N", scale=GROUP_SCALE, title="group", legend=alt.Legend(orient="bottom")),
        tooltip=[alt.Tooltip("group:N"), alt.Tooltip("metric:N"), alt.Tooltip("value:Q", format=".3f")],
    ).properties(title="Per-group rates at the threshold(s)", height=220, width="container")


def rates_spec(rows: pd.DataFrame) -> dict:
    return _spec(rates_chart, (), {"rates": rows})


def scores_chart(label_domain: tuple[str, str]) -> alt.LayerChart:
    """Scores per group as a mirrored histogram (group A above the axis, group B below), each group's threshold
    a black rule across its half."""
    x = alt.X("start:Q", bin="binned", title="model score P(approved)", scale=alt.Scale(domain=[0, 1]),
              axis=alt.Axis(tickCount=10))
    bars = alt.Chart(alt.NamedData(name="hist")).mark_bar(stroke="white", strokeWidth=0.5).encode(
        x=x, x2=alt.X2("end:Q"),
        y=alt.Y("signed:Q", stack="zero", title="applicants (A up, B down)",
                axis=alt.Axis(labelExpr="abs(datum.value)")),
        color=alt.Color("label:N", title=None, scale=alt.Scale(domain=list(label_domain),
                                                                range=[charts.GREEN, charts.VERMILION]),
                        legend=alt.Legend(orient="bottom")),
        tooltip=[alt.Tooltip("group:N"), alt.Tooltip("label:N"), alt.Tooltip("start:Q", title="score from"),
                 alt.Tooltip("end:Q", title="score to"), alt.Tooltip("count:Q", title="applicants")])
    names = alt.Chart(alt.NamedData(name="group_names")).mark_text(align="left", fontWeight="bold", dx=2).encode(
        x=alt.X("x:Q"), y=alt.Y("y:Q"), text=alt.Text("text:N"))
    cuts = alt.Chart(alt.NamedData(name="cuts")).mark_rule(color=charts.BLACK, strokeWidth=3).encode(
        x=alt.X("threshold:Q"), y=alt.Y("from:Q"), y2=alt.Y2("to:Q"),
        tooltip=[alt.Tooltip("group:N"), alt.Tooltip("threshold:Q", format=".2f")])
    return alt.layer(bars, names, cuts).properties(
        title="Scores per group; approved right of the line", height=240, width="container")


def scores_spec(hist: pd.DataFrame, label_domain: tuple[str, str], top: float, cuts: pd.DataFrame) -> dict:
    names = [{"x": 0.0, "y": top * 1.05, "text": "group A"}, {"x": 0.0, "y": -top * 1.05, "text": "group B"}]
    return _spec(scores_chart, (label_domain,), {"hist": hist, "group_names": names, "cuts": cuts})


def _frontier_encoding(x: str, x_title: str) -> dict:
    return {"x": alt.X(field=x, type="quantitative", title=x_title),
            "y": alt.Y(field="accuracy", type="quantitative", title="accuracy", scale=alt.Scale(zero=False))}


def _pair_tooltip(x: str) -> list[alt.Tooltip]:
    return [alt.Tooltip(field="threshold A", type="quantitative", format=".2f"),
            alt.Tooltip(field="threshold B", type="quantitative", format=".2f"),
            alt.Tooltip(field="accuracy", type="quantitative", format=".3f"),
            alt.Tooltip(field=x, type="quantitative", format=".3f")]


# The current point from the two rows of "current" the sliders keep (one per group): pair_grid's numbers.
CURRENT_AGGREGATE = (("threshold A", "max", "threshold A"), ("threshold B", "max", "threshold B"),
                     ("correct", "sum", "correct"), ("n", "sum", "n"),
                     ("selection_max", "max", "selection rate"), ("selection_min", "min", "selection rate"),
                     ("tpr_max", "max", "TPR"), ("tpr_min", "min", "TPR"), ("fpr_max", "max", "FPR"),
                     ("fpr_min", "min", "FPR"))
CURRENT_CALCULATE = {"accuracy": "datum.correct / datum.n",
                     "DP difference": "datum.selection_max - datum.selection_min",
                     "EO difference": "max(datum.tpr_max - datum.tpr_min, datum.fpr_max - datum.fpr_min)"}


def frontier_chart(x: str, x_title: str) -> alt.LayerChart:
    enc = _frontier_encoding(x, x_title)
    colour = alt.Color(field="series", type="nominal", title=None, scale=SERIES_SCALE,
                       legend=alt.Legend(orient="bottom", columns=2))
    cloud = alt.Chart(alt.NamedData(name="cloud")).mark_circle(size=14, opacity=0.5).encode(
        **enc, color=colour, tooltip=_pair_tooltip(x))
    front = alt.Chart(alt.NamedData(name="frontier")).mark_line(interpolate="step-after", strokeWidth=2).encode(
        **enc, color=colour, order=alt.Order(field=x, type="quantitative"), tooltip=_pair_tooltip(x))
    shared = alt.Chart(alt.NamedData(name="shared")).mark_line(strokeDash=[5, 3], strokeWidth=2).encode(
        **enc, color=colour, order=alt.Order(field="threshold A", type="quantitative"), tooltip=_pair_tooltip(x))
    current = alt.Chart(alt.NamedData(name="current")).transform_aggregate(
        aggregate=[alt.AggregatedFieldDef(op=op, field=field, **{"as": name}) for name, op, field in CURRENT_AGGREGATE],
        groupby=["series"],
    ).transform_calculate(**CURRENT_CALCULATE).mark_point(
        size=180, filled=True, stroke=charts.BLACK, opacity=1).encode(**enc, color=colour, tooltip=_pair_tooltip(x))
    return alt.layer(cloud, front, shared, current).properties(
        title=f"Accuracy vs {x_title}", height=260, width="container")


def _with_series(frame: pd.DataFrame, x: str, series: str) -> pd.DataFrame:
    """The columns one frontier chart reads, in float32 (every threshold move sends them again)."""
    return frame[["threshold A", "threshold B", "accuracy", x]].astype(np.float32).assign(
        series=pd.Categorical([series] * len(frame)))


def frontier_spec(x: str, x_title: str, cloud: pd.DataFrame, front: pd.DataFrame, shared: pd.DataFrame,
                  current: pd.DataFrame) -> dict:
    return _spec(frontier_chart, (x, x_title), {
        "cloud": _with_series(cloud, x, SERIES[0]), "frontier": _with_series(front, x, SERIES[1]),
        "shared": _with_series(shared, x, SERIES[2]), "current": current})


MODEL_NAMES = ("plain model (threshold 0.5)", "reweighing", "threshold optimiser, demographic parity",
               "threshold optimiser, equalised odds", "exponentiated gradient, demographic parity",
               "exponentiated gradient, equalised odds")
MODEL_SCALE = alt.Scale(domain=list(MODEL_NAMES), range=[charts.BLACK, charts.GREEN, charts.BLUE, charts.SKY,
                                                         charts.VERMILION, charts.PURPLE])


def methods_chart(x: str, x_title: str) -> alt.LayerChart:
    """The mitigated models as points beside the plain model's frontier (solid) and its one-threshold curve
    (dashed); the lines' meaning is in the caption, the points' in the legend."""
    enc = _frontier_encoding(x, x_title)
    front = alt.Chart(alt.NamedData(name="frontier")).mark_line(
        interpolate="step-after", strokeWidth=2, color=charts.BLACK, opacity=0.6).encode(
        **enc, order=alt.Order(field=x, type="quantitative"))
    shared = alt.Chart(alt.NamedData(name="shared")).mark_line(
        strokeDash=[5, 3], strokeWidth=2, color=charts.SKY, opacity=0.8).encode(
        **enc, order=alt.Order(field="threshold A", type="quantitative"))
    points = alt.Chart(alt.NamedData(name="methods")).mark_point(size=150, filled=True, opacity=1,
                                                                 stroke=charts.BLACK).encode(
        **enc, color=alt.Color(field="model", type="nominal", title=None, scale=MODEL_SCALE,
                               legend=alt.Legend(orient="bottom", columns=1, labelLimit=320)),
        tooltip=[alt.Tooltip(field="model", type="nominal"),
                 alt.Tooltip(field="accuracy", type="quantitative", format=".3f"),
                 alt.Tooltip(field=x, type="quantitative", format=".3f")])
    return alt.layer(front, shared, points).properties(
        title=["Mitigations", f"accuracy vs {x_title}"], height=260, width="container")


def methods_spec(x: str, x_title: str, front: pd.DataFrame, shared: pd.DataFrame, points: pd.DataFrame) -> dict:
    return _spec(methods_chart, (x, x_title), {
        "frontier": front[["accuracy", "DP difference", "EO difference"]],
        "shared": shared[["threshold A", "accuracy", "DP difference", "EO difference"]],
        "methods": points})


# ---- "Show the code" -------------------------------------------------------------------------------
def _preamble(s: FairnessSettings, purpose: str) -> str:
    columns = list(OWN_COLUMNS) + ([PROXY] if s.use_proxy else [])
    group_line = (f'X["{GROUP_FEATURE}"] = (table["group"] == "B").astype(float)  # the sensitive attribute as an input\n'
                  if s.use_group else "")
    labels = "approved" if s.labels == RECORDED else 'table["creditworthy"].to_numpy()'
    return f'''"""Fairness and ethics lab, reproduced ({purpose}).

Synthetic loan applicants (ML Explorer's sample_data/lending.csv); the historical bias refused each
creditworthy applicant of group B with probability {s.bias:.2f}."""
import json

import numpy as np
import pandas as pd
from fairlearn.metrics import (MetricFrame, count, demographic_parity_difference, equal_opportunity_difference,
                               equalized_odds_difference, false_positive_rate, selection_rate, true_positive_rate)
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, precision_score
from sklearn.model_selection import train_test_split
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

table = pd.read_csv({str(LENDING_CSV)!r})
draw = np.random.default_rng({s.seed}).random(len(table))  # one draw per applicant
refused = (table["group"] == "B").to_numpy() & (draw < {s.bias!r})
approved = (table["creditworthy"].to_numpy().astype(bool) & ~refused).astype(int)  # the recorded decisions

X = table[{columns!r}].astype(float)
{group_line}train, test = train_test_split(np.arange(len(table)), test_size={TEST_SIZE}, random_state={s.seed},
                               stratify=table["group"])
group = table["group"].to_numpy()
y_true = {labels}[test]  # measured against the {s.labels}


def make_model():
    return Pipeline([("scale", StandardScaler()), ("model", LogisticRegression(max_iter=1000))])


def report(y_pred):
    """fairlearn's per-group rates and the three differences."""
    frame = MetricFrame(
        metrics={{"selection rate": selection_rate, "TPR": true_positive_rate, "FPR": false_positive_rate,
                 "precision": lambda t, p: precision_score(t, p, zero_division=np.nan), "count": count}},
        y_true=y_true, y_pred=y_pred, sensitive_features=pd.Series(group[test], name="group"))
    print(frame.by_group.round(3))
    return {{
        "{ACCURACY}": accuracy_score(y_true, y_pred),
        "{DP_DIFF}": demographic_parity_difference(y_true, y_pred, sensitive_features=group[test]),
        "{EOPP_DIFF}": equal_opportunity_difference(y_true, y_pred, sensitive_features=group[test]),
        "{EODDS_DIFF}": equalized_odds_difference(y_true, y_pred, sensitive_features=group[test]),
        "by group": {{g: {{k: float(v) for k, v in row.items()}} for g, row in frame.by_group.iterrows()}},
    }}
'''


def threshold_script(s: FairnessSettings) -> str:
    """A standalone script that reproduces the threshold panel's numbers at the current thresholds."""
    t_a, t_b = s.cuts
    return _preamble(s, "per-group rates at the thresholds") + f'''

model = make_model().fit(X.iloc[train], approved[train])  # trained on the recorded decisions
scores = model.predict_proba(X.iloc[test])[:, 1]
cut = np.where(group[test] == "A", {t_a!r}, {t_b!r})  # group A's threshold, group B's threshold
y_pred = (scores >= cut).astype(int)
results = report(y_pred)
for name, value in results.items():
    if name != "by group":
        print(f"{{name:>30}}: {{value:.4f}}")
print(json.dumps(results))
'''


def mitigation_script(s: FairnessSettings) -> str:
    """A standalone script that reproduces the mitigation panel's chosen mitigation."""
    head = _preamble(s, f"mitigation: {method_name(s.mitigation, constraint_used(s.mitigation, s.constraint))}")
    if s.mitigation == REWEIGHING:
        body = '''
# Kamiran-Calders reweighing: weight = P(group) P(label) / P(group, label), on the training rows
cells = pd.DataFrame({"g": group[train], "y": approved[train]})
weights = (cells["g"].map(cells["g"].value_counts(normalize=True))
           * cells["y"].map(cells["y"].value_counts(normalize=True))
           / (cells.groupby(["g", "y"])["y"].transform("size") / len(cells))).to_numpy()
model = make_model().fit(X.iloc[train], approved[train], model__sample_weight=weights)
y_pred = (model.predict_proba(X.iloc[test])[:, 1] >= 0.5).astype(int)
'''
    elif s.mitigation == POSTPROCESSING:
        name = "demographic_parity" if s.constraint == DEMOGRAPHIC_PARITY else "equalized_odds"
        body = f'''
from fairlearn.postprocessing import ThresholdOptimizer

model = make_model().fit(X.iloc[train], approved[train])
optimiser = ThresholdOptimizer(estimator=model, prefit=True, predict_method="predict_proba",
                               constraints="{name}", objective="accuracy_score")
optimiser.fit(X.iloc[train], approved[train], sensitive_features=group[train])
y_pred = optimiser.predict(X.iloc[test], sensitive_features=group[test], random_state={s.seed})
'''
    elif s.mitigation == REDUCTION:
        moment = "DemographicParity" if s.constraint == DEMOGRAPHIC_PARITY else "EqualizedOdds"
        body = f'''
import warnings

from fairlearn.reductions import {moment}, ExponentiatedGradient

reduction = ExponentiatedGradient(make_model(), constraints={moment}(), sample_weight_name="model__sample_weight")
with warnings.catch_warnings():  # fairlearn 0.15 under pandas 3: Pandas4Warning from fairlearn's own code
    warnings.filterwarnings("ignore", category=pd.errors.Pandas4Warning, module=r"fairlearn\\.")
    reduction.fit(X.iloc[train], approved[train], sensitive_features=group[train])
y_pred = reduction.predict(X.iloc[test], random_state={s.seed})
'''
    else:
        body = '''
model = make_model().fit(X.iloc[train], approved[train])
y_pred = (model.predict_proba(X.iloc[test])[:, 1] >= 0.5).astype(int)
'''
    return head + body + '''results = report(y_pred)
for name, value in results.items():
    if name != "by group":
        print(f"{name:>30}: {value:.4f}")
print(json.dumps(results))
'''


def results_json(rates: Rates) -> str:
    """The page's numbers in the exported scripts' JSON shape (for comparing)."""
    return json.dumps({**rates.headline(), "by group": {g: rates.by_group.loc[g].to_dict() for g in GROUPS}})
