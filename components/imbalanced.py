"""Imbalanced-data lab: shrink the minority class, resample with imbalanced-learn, compare remedies.

All resampling happens inside an ``imblearn.pipeline.Pipeline`` so that it touches training data only.
Written by hand (no library has it): the minority subsampling that sets the class ratio, the
bookkeeping that tells synthetic/removed points apart for the 2-D drawing, and the code export.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import altair as alt
import numpy as np
import pandas as pd
from imblearn.combine import SMOTEENN
from imblearn.ensemble import BalancedRandomForestClassifier, EasyEnsembleClassifier
from imblearn.over_sampling import ADASYN, SMOTE, RandomOverSampler
from imblearn.pipeline import Pipeline
from imblearn.under_sampling import RandomUnderSampler, TomekLinks
from sklearn import metrics
from sklearn.ensemble import AdaBoostClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import PolynomialFeatures, StandardScaler

from components import boundary, charts, datasets, evaluation, memo
from components.code_export import dataset_code
from components.wording import change, relation

# ---- widgets: one source of truth -------------------------------------------------------------
DATA_KEY, RATIO_KEY, STRATEGY_KEY, K_KEY, WEIGHT_KEY, WEIGHT_RATIO_KEY, THRESHOLD_KEY = (
    "imbalance.data", "imbalance.ratio", "imbalance.strategy", "imbalance.k", "imbalance.weight",
    "imbalance.weight_ratio", "imbalance.threshold")
SIDEBAR = "sidebar dataset"
# churn (the project's telecom table) shows the accuracy paradox at its starkest: at a 5% share the plain
# model predicts "stays" for everyone, so its accuracy equals the baseline's and its recall is 0.
DATA_OPTIONS = ("churn", SIDEBAR, "moons", "circles", "blobs", "xor")
DATA_DEFAULT = "churn"
RATIO_MIN, RATIO_MAX, RATIO_DEFAULT, RATIO_STEP = 0.01, 0.50, 0.05, 0.01
NONE, ROS, SMOTE_, ADASYN_, RUS, TOMEK, SMOTEENN_, BRF, EASY = (
    "none", "random over-sampling", "SMOTE", "ADASYN", "random under-sampling", "Tomek links",
    "SMOTE-ENN", "balanced random forest", "EasyEnsemble")
STRATEGIES = (NONE, ROS, SMOTE_, ADASYN_, RUS, TOMEK, SMOTEENN_, BRF, EASY)
STRATEGY_DEFAULT = NONE
ENSEMBLES = (BRF, EASY)
USES_K = (SMOTE_, ADASYN_, SMOTEENN_)
K_MIN, K_MAX, K_DEFAULT = 1, 15, 5
WEIGHTS = ("none", "balanced", "custom")
WEIGHT_DEFAULT = "none"
WEIGHT_RATIO_MIN, WEIGHT_RATIO_MAX, WEIGHT_RATIO_DEFAULT = 1, 100, 10
COMPARE_KEY = "imbalance.compare"
THRESHOLD_MIN, THRESHOLD_MAX, THRESHOLD_DEFAULT, THRESHOLD_STEP = 0.01, 0.99, 0.50, 0.01

TEST_SIZE = 0.3
MIN_POSITIVES = 3  # per split: below this no curve or SMOTE neighbour makes sense
RATIO_SWEEP = (0.5, 0.3, 0.2, 0.1, 0.05, 0.02, 0.01)
MAX_ROWS = 2000  # larger tables are subsampled (stratified) so every refit stays interactive


# ---- data ---------------------------------------------------------------------------------------
def binarize(y: np.ndarray) -> tuple[np.ndarray, int]:
    """Positive class = the least frequent one (ties: the highest label); one-vs-rest if multi-class."""
    y = np.asarray(y).astype(int)
    counts = np.bincount(y)
    present = [c for c in range(len(counts)) if counts[c] > 0]
    pos = min(present, key=lambda c: (counts[c], -c))
    return (y == pos).astype(int), pos


def subsample_minority(y: np.ndarray, ratio: float, rng: np.random.Generator) -> tuple[np.ndarray, bool]:
    """Row indices keeping every negative and enough positives that positives/all ~= ratio.

    Returns (sorted indices, floored) where floored says MIN_POSITIVES overrode the ratio.
    """
    y = np.asarray(y)
    pos, neg = np.flatnonzero(y == 1), np.flatnonzero(y == 0)
    want = int(round(ratio * len(neg) / (1.0 - ratio)))
    n_keep = min(len(pos), max(MIN_POSITIVES, want))
    keep = np.sort(rng.choice(pos, size=n_keep, replace=False))
    return np.sort(np.concatenate([neg, keep])), want < MIN_POSITIVES


@dataclass
class Split:
    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    feature_names: list[str]
    positive: int
    floored: bool = False


def make_split(X: pd.DataFrame, y: pd.Series, ratio: float, seed: int) -> Split:
    """Stratified split first, then the same minority share imposed on both splits independently."""
    Xv = np.asarray(X, dtype=float)
    yb, pos = binarize(np.asarray(y))
    if len(yb) > MAX_ROWS:
        Xv, _, yb, _ = train_test_split(Xv, yb, train_size=MAX_ROWS, stratify=yb, random_state=seed)
    X_tr, X_te, y_tr, y_te = train_test_split(Xv, yb, test_size=TEST_SIZE, stratify=yb, random_state=seed)
    rng = np.random.default_rng(seed)
    i_tr, f1 = subsample_minority(y_tr, ratio, rng)
    i_te, f2 = subsample_minority(y_te, ratio, rng)
    return Split(X_tr[i_tr], y_tr[i_tr], X_te[i_te], y_te[i_te], list(X.columns), pos, f1 or f2)


# ---- models -------------------------------------------------------------------------------------
def class_weight(weight: str, weight_ratio: float):
    return {"none": None, "balanced": "balanced"}.get(weight, {0: 1.0, 1: float(weight_ratio)})


def effective_k(k: int, n_pos: int) -> int:
    """SMOTE/ADASYN need k neighbours among the other minority points."""
    return max(0, min(int(k), n_pos - 1))


def build_pipeline(strategy: str, k: int, weight: str, weight_ratio: float, seed: int, two_d: bool,
                   n_pos: int) -> tuple[Pipeline, str]:
    """The model for a strategy, resampling inside the pipeline. Returns (pipeline, note)."""
    note = ""
    steps: list = [("scale", StandardScaler())]
    if strategy in ENSEMBLES:
        if weight != "none":
            note = "Class weights apply to the logistic regression; the balanced ensembles balance each bag instead."
        if strategy == BRF:
            model = BalancedRandomForestClassifier(n_estimators=50, min_samples_leaf=2, sampling_strategy="auto",
                                                   replacement=False, bootstrap=True, random_state=seed)
        else:
            model = EasyEnsembleClassifier(n_estimators=10, estimator=AdaBoostClassifier(n_estimators=10),
                                           random_state=seed)
        return Pipeline(steps + [("model", model)]), note
    kk = effective_k(k, n_pos)
    sampler = None
    if strategy in (SMOTE_, ADASYN_, SMOTEENN_) and kk < 1:
        note = f"{strategy} needs at least 2 minority points in training; showing no resampling."
    elif strategy == ROS:
        sampler = RandomOverSampler(random_state=seed)
    elif strategy == SMOTE_:
        sampler = SMOTE(k_neighbors=kk, random_state=seed)
    elif strategy == ADASYN_:
        sampler = ADASYN(n_neighbors=kk, random_state=seed)
    elif strategy == RUS:
        sampler = RandomUnderSampler(random_state=seed)
    elif strategy == TOMEK:
        sampler = TomekLinks()
    elif strategy == SMOTEENN_:
        sampler = SMOTEENN(smote=SMOTE(k_neighbors=kk, random_state=seed), random_state=seed)
    if sampler is not None and kk < int(k) and strategy in (SMOTE_, ADASYN_, SMOTEENN_):
        note = f"Only {n_pos} minority points in training: k lowered from {k} to {kk}."
    if sampler is not None:
        steps.append(("resample", sampler))
    if two_d:
        steps.append(("poly", PolynomialFeatures(3, include_bias=False)))
    steps.append(("model", LogisticRegression(C=1.0, max_iter=5000,
                                              class_weight=class_weight(weight, weight_ratio))))
    return Pipeline(steps), note


def _row_set(X: np.ndarray) -> set:
    return {tuple(r) for r in np.round(X, 9)}


@dataclass
class Result:
    proba: np.ndarray  # P(positive) on the test split
    y_test: np.ndarray
    counts: pd.DataFrame  # class, stage, count
    note: str = ""
    grid: pd.DataFrame | None = None  # 2-D only: the boundary
    points: pd.DataFrame | None = None  # 2-D only: train points with marker original/synthetic/removed
    extra: dict = field(default_factory=dict)


def resampled_counts(pipe: Pipeline, strategy: str, X: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The training set the model actually saw (re-run the fitted pipeline's sampler, deterministic)."""
    Xs = pipe.named_steps["scale"].transform(X)
    if "resample" in pipe.named_steps:
        from sklearn.base import clone
        Xr, yr = clone(pipe.named_steps["resample"]).fit_resample(Xs, y)
        return Xr, np.asarray(yr)
    return Xs, y


def fit_strategy(split: Split, strategy: str, k: int, weight: str, weight_ratio: float, seed: int,
                 two_d: bool) -> Result:
    n_pos = int(split.y_train.sum())
    pipe, note = build_pipeline(strategy, k, weight, weight_ratio, seed, two_d, n_pos)
    try:
        pipe.fit(split.X_train, split.y_train)
    except (ValueError, RuntimeError) as exc:  # e.g. ADASYN finding no majority neighbours
        note = f"{strategy} could not resample this split ({str(exc).splitlines()[0][:160]}); showing no resampling."
        pipe, _ = build_pipeline(NONE, k, weight, weight_ratio, seed, two_d, n_pos)
        pipe.fit(split.X_train, split.y_train)
        strategy = NONE
    proba = pipe.predict_proba(split.X_test)[:, 1]
    before = np.bincount(split.y_train, minlength=2)
    if strategy in ENSEMBLES:
        after = np.array([n_pos, n_pos])  # each bag/tree: majority undersampled to the minority count
        after_label = "after (each bag)"
    else:
        Xr, yr = resampled_counts(pipe, strategy, split.X_train, split.y_train)
        after = np.bincount(yr, minlength=2)
        after_label = "after"
    counts = pd.DataFrame({
        "class": ["majority (0)", "minority (1)"] * 2,
        "stage": ["before"] * 2 + [after_label] * 2,
        "count": [int(before[0]), int(before[1]), int(after[0]), int(after[1])],
    })
    res = Result(proba, split.y_test, counts, note, extra={"strategy": strategy, "n_pos_train": n_pos})
    if two_d:
        res.grid = boundary.grid_predictions(pipe, np.vstack([split.X_train, split.X_test]), resolution=60)
        pts = boundary.points_frame(split.X_train, split.y_train, class_names=["majority (0)", "minority (1)"])
        pts["marker"] = "original"
        if strategy not in ENSEMBLES and "resample" in pipe.named_steps:
            scaler = pipe.named_steps["scale"]
            Xs = scaler.transform(split.X_train)
            orig, new = _row_set(Xs), _row_set(Xr)
            removed = np.array([tuple(r) not in new for r in np.round(Xs, 9)])
            pts.loc[removed, "marker"] = "removed"
            synth_mask = np.array([tuple(r) not in orig for r in np.round(Xr, 9)])
            if synth_mask.any():
                Xsyn = scaler.inverse_transform(Xr[synth_mask])
                syn = boundary.points_frame(Xsyn, yr[synth_mask], class_names=["majority (0)", "minority (1)"])
                syn["marker"] = "synthetic"
                pts = pd.concat([pts, syn], ignore_index=True)
        res.points = pts
    return res


# ---- metrics ------------------------------------------------------------------------------------
def threshold_metrics(y: np.ndarray, proba: np.ndarray, threshold: float) -> dict:
    """The cockpit's metrics at the threshold (components.evaluation) plus what imbalance adds:
    balanced accuracy (the mean of recall and specificity) and the false-positive rate."""
    (tn, fp), (fn, tp) = evaluation.confusion_at(np.asarray(y), np.asarray(proba), threshold)
    m = evaluation.metrics_from_counts(tn, fp, fn, tp)
    return {"accuracy": m["accuracy"], "precision": m["precision"], "recall": m["recall"], "f1": m["F1"],
            "specificity": m["specificity"], "balanced_accuracy": (m["recall"] + m["specificity"]) / 2,
            "tn": int(tn), "fp": int(fp), "fn": int(fn), "tp": int(tp),
            "fpr": fp / (fp + tn) if fp + tn else 0.0}


def majority_accuracy(y_test: np.ndarray) -> float:
    """Accuracy of always predicting the majority (negative) class: the accuracy paradox's baseline."""
    return float(np.mean(np.asarray(y_test) == 0))


def ranking_scores(y: np.ndarray, proba: np.ndarray) -> dict:
    if len(np.unique(y)) < 2:
        return {"roc_auc": float("nan"), "ap": float("nan")}
    return {"roc_auc": float(metrics.roc_auc_score(y, proba)),
            "ap": float(metrics.average_precision_score(y, proba))}


def curve_frames(y: np.ndarray, proba: np.ndarray) -> tuple[pd.DataFrame, pd.DataFrame]:
    fpr, tpr, _ = metrics.roc_curve(y, proba)
    prec, rec, _ = metrics.precision_recall_curve(y, proba)
    return (pd.DataFrame({"false positive rate": fpr, "true positive rate": tpr}),
            pd.DataFrame({"recall": rec, "precision": prec}))


# The comparison: every strategy without class weights, and class_weight='balanced' without resampling.
BALANCED_WEIGHTS = "class_weight=balanced"
COMPARED = STRATEGIES + (BALANCED_WEIGHTS,)


def compared_model(label: str) -> tuple[str, str]:
    """(strategy, class weight) of one row of the comparison."""
    return (NONE, "balanced") if label == BALANCED_WEIGHTS else (label, "none")


def comparison_row(label: str, res: Result) -> dict:
    """One row of the comparison: a fitted strategy's metrics at threshold 0.5 and its ranking scores."""
    m = threshold_metrics(res.y_test, res.proba, 0.5)
    ranking = ranking_scores(res.y_test, res.proba)
    return {"strategy": label, "recall": m["recall"], "precision": m["precision"], "F1": m["f1"],
            "balanced accuracy": m["balanced_accuracy"], "ROC AUC": ranking["roc_auc"], "AP": ranking["ap"]}


def compare_strategies(split: Split, k: int, seed: int, two_d: bool) -> pd.DataFrame:
    """Every strategy (no class weight) plus class_weight='balanced', on the same split, threshold 0.5."""
    rows = []
    for label in COMPARED:
        strategy, weight = compared_model(label)
        rows.append(comparison_row(label, fit_strategy(split, strategy, k, weight, 1.0, seed, two_d=two_d)))
    return pd.DataFrame(rows)


NO_SKILL_AP = "no-skill AP (positive share)"


def sweep_rows(share: float, res: Result, split: Split) -> list[dict]:
    """One share of the sweep: the plain model's ROC AUC and AP, and the no-skill AP (the positive share)."""
    sc = ranking_scores(res.y_test, res.proba)
    return [{"minority share": share, "metric": "ROC AUC", "value": sc["roc_auc"]},
            {"minority share": share, "metric": "average precision (AP)", "value": sc["ap"]},
            {"minority share": share, "metric": NO_SKILL_AP, "value": float(split.y_test.mean())}]


def ratio_sweep(X: pd.DataFrame, y: pd.Series, seed: int, two_d: bool) -> pd.DataFrame:
    """ROC AUC and average precision of the plain model as the minority share falls, and the AP of a
    model without skill: a constant score's AP is exactly the test split's positive share (a random
    ranking's expected AP is close to it, a little higher when positives are few)."""
    rows = []
    for r in RATIO_SWEEP:
        split = make_split(X, y, r, seed)
        rows += sweep_rows(r, fit_strategy(split, NONE, K_DEFAULT, "none", 1.0, seed, two_d), split)
    return pd.DataFrame(rows)


# ---- sentences about what is on screen ----------------------------------------------------------
# Each takes the numbers the page shows and returns its sentence (comparisons: components.wording).
def paradox_sentence(majority_accuracy: float, accuracy: float, recall: float, threshold: float) -> str:
    """The accuracy paradox at this threshold, from the metrics on screen."""
    return (f"At threshold {threshold:.2f} the model's accuracy ({accuracy:.3f}) is "
            f"{relation(accuracy, majority_accuracy)} that of always predicting the majority "
            f"({majority_accuracy:.3f}), which finds no minority row; the model finds {recall:.0%} of them "
            f"(recall {recall:.3f}).")


def ap_sentence(roc_auc: float, ap: float, positive_share: float) -> str:
    """The current model's AP against its no-skill line."""
    if np.isnan(ap) or np.isnan(roc_auc):
        return "The test split holds one class only: ROC AUC (and AP without positives) is undefined."
    return (f"Here ROC AUC is {roc_auc:.3f} and AP is {ap:.3f}, {relation(ap, positive_share)} the no-skill AP "
            f"of {positive_share:.3f} (the test split's positive share).")


def sweep_sentence(sw: pd.DataFrame) -> str:
    """What the sweep shows from the largest minority share to the smallest, read from its numbers."""
    wide = sw.pivot(index="minority share", columns="metric", values="value").dropna().sort_index(ascending=False)
    if len(wide) < 2:
        return ""
    hi, lo = wide.iloc[0], wide.iloc[-1]
    auc, ap = "ROC AUC", "average precision (AP)"
    d_auc, d_ap = round(abs(hi[auc] - lo[auc]), 3), round(abs(hi[ap] - lo[ap]), 3)
    size = "more than" if d_ap > d_auc else "less than" if d_ap < d_auc else "as much as"
    gaps = (wide[ap] - wide[NO_SKILL_AP]).round(3)
    if (gaps > 0).all():
        line = (f"AP stays above its no-skill line at every share (at the smallest, {lo[ap]:.3f} against "
                f"{lo[NO_SKILL_AP]:.3f}): it would reach that line only if the ranking lost all its skill.")
    else:
        at = ", ".join(f"{r:g}" for r in gaps[gaps <= 0].index)
        line = f"AP is at or below its no-skill line at share{'s' if (gaps <= 0).sum() > 1 else ''} {at}."
    return (f"From a minority share of {wide.index[0]:g} (test split: {hi[NO_SKILL_AP]:.1%} positive) to "
            f"{wide.index[-1]:g} ({lo[NO_SKILL_AP]:.1%}), ROC AUC {change(hi[auc], lo[auc])} "
            f"and AP {change(hi[ap], lo[ap])}: AP moved {size} ROC AUC. {line}")


# ---- the page: settings, cached fits and charts -------------------------------------------------
RULE = "rule"  # the sweep chart's dashed line at the slider's share: a named dataset the share slider moves


@dataclass(frozen=True)
class Settings:
    """The lab's controls: the key of its computations and what "Show the code" prints."""
    data: str  # the dataset's name (the Data control, or the sidebar's dataset)
    ratio: float
    strategy: str
    k: int
    weight: str
    weight_ratio: float
    threshold: float
    seed: int
    n_samples: int = 0  # a generated 2-D set's size and noise (the sidebar's); 0 for a real dataset
    noise: float = 0.0

    @property
    def data_key(self) -> tuple:
        return self.data, self.seed, self.n_samples, self.noise

    @property
    def fit_key(self) -> tuple:
        """What the chosen strategy's fit reads. Settings a strategy ignores are normalised (their sliders
        are disabled), so that moving them never refits."""
        k = self.k if self.strategy in USES_K else K_DEFAULT
        weight_ratio = self.weight_ratio if self.weight == "custom" else WEIGHT_RATIO_DEFAULT
        return self.strategy, k, self.weight, weight_ratio


def script(s: Settings, fitted_strategy: str, n_pos_train: int) -> str:
    """The runnable script for these settings (fitted_strategy: the strategy actually fitted, NONE when a
    resampler failed on this split)."""
    return export_code(s.data, s.ratio, fitted_strategy, s.k, s.weight, s.weight_ratio, s.threshold, s.seed,
                       s.n_samples or 300, s.noise, n_pos_train=n_pos_train)


def _load(name: str, seed: int, n_samples: int, noise: float) -> datasets.Dataset:
    return datasets.load(name, n_samples=n_samples, noise=noise, seed=seed)


@memo.cached(max_entries=16)
def target_names(name: str, seed: int, n_samples: int, noise: float) -> tuple:
    return tuple(_load(name, seed, n_samples, noise).target_names)


@memo.cached(max_entries=64, shared=True)  # read-only arrays: every rerun reads them, none writes
def split_at(name: str, ratio: float, seed: int, n_samples: int, noise: float) -> Split:
    """The stratified split with the minority share imposed on both halves (make_split)."""
    ds = _load(name, seed, n_samples, noise)
    return make_split(ds.X, ds.y, ratio, seed)


# one entry: one model's test scores, and on a 2-D set its 60 x 60 boundary grid and points (~0.2 MB); shared
# and read-only, so a rerun does not copy the eight fits it reads. Its callers show the progress (a spinner, or a
# bar per strategy).
@memo.cached(max_entries=96, shared=True)
def fitted(name: str, ratio: float, strategy: str, k: int, weight: str, weight_ratio: float, seed: int,
           n_samples: int, noise: float) -> Result:
    """One strategy fitted on one split: the page's chosen strategy, each row of the comparison and each
    share of the sweep are entries of this one cache, so a control refits only the strategies it reaches
    (the k slider: SMOTE, ADASYN and SMOTE-ENN)."""
    return fit_strategy(split_at(name, ratio, seed, n_samples, noise), strategy, k, weight, weight_ratio, seed,
                        name in datasets.TWO_D)


@dataclass
class Dashboard:
    """The chosen strategy's fit, its threshold-free curves and every chart's spec (the threshold charts hold
    every threshold and follow the slider in the browser: no refit, no rebuild, no re-embed)."""
    res: Result
    roc: pd.DataFrame
    auc: float
    pr: pd.DataFrame
    ap: float
    specs: dict  # counts, the four threshold charts (charts.threshold_specs), boundary on 2-D sets


# one entry: the chosen model's fit and the specs of its six charts (~0.5 MB on a 2-D set); shared, read-only
@memo.cached(max_entries=32, shared=True, progress="Fitting…")
def dashboard(name: str, ratio: float, strategy: str, k: int, weight: str, weight_ratio: float, seed: int,
              n_samples: int, noise: float) -> Dashboard:
    res = fitted(name, ratio, strategy, k, weight, weight_ratio, seed, n_samples, noise)
    roc, auc = evaluation.roc_frame(res.y_test, res.proba)
    pr, ap = evaluation.pr_frame(res.y_test, res.proba)
    specs = {
        "counts": charts.to_spec(charts.bar_chart(res.counts, x="count", y="stage", color="class", sort=None,
                                                  height=200, title="Training rows per class")),
        **charts.threshold_specs(res.y_test, res.proba, "minority", roc, auc, pr, ap,
                                 evaluation.threshold_sweep(res.y_test, res.proba), key=THRESHOLD_KEY,
                                 lo=THRESHOLD_MIN, hi=THRESHOLD_MAX, step=THRESHOLD_STEP),
    }
    if res.grid is not None:
        base = res.points[res.points["marker"] != "synthetic"]
        extra = charts.marked_points_layer(res.points)
        if (strategy, weight) != (NONE, "none"):  # the plain model's boundary, to see how far the remedy moved it
            plain = fitted(name, ratio, NONE, K_DEFAULT, "none", WEIGHT_RATIO_DEFAULT, seed, n_samples, noise)
            extra = charts.reference_boundary_layer(plain.grid, "plain model (no remedy)", over=extra)
        specs["boundary"] = charts.to_spec(charts.boundary_chart(
            res.grid, base, height=380, extra=extra, title=f"{res.extra['strategy']}: boundary on the training data"))
    return Dashboard(res, roc, auc, pr, ap, specs)


def plain_fit(name: str, share: float, seed: int, n_samples: int, noise: float) -> Result:
    """The plain model (no remedy) at one share: one point of the sweep."""
    return fitted(name, share, NONE, K_DEFAULT, "none", WEIGHT_RATIO_DEFAULT, seed, n_samples, noise)


@memo.cached(max_entries=16, progress="Refitting the plain model at every share…")
def sweep_view(name: str, seed: int, n_samples: int, noise: float) -> tuple[pd.DataFrame, dict]:
    """ratio_sweep from the cached plain fits, and its chart: the slider's share is a dashed rule (RULE)."""
    rows = []
    for r in RATIO_SWEEP:
        rows += sweep_rows(r, plain_fit(name, r, seed, n_samples, noise), split_at(name, r, seed, n_samples, noise))
    sw = pd.DataFrame(rows)
    chart = charts.line_chart(sw, "minority share", "value", color="metric", log_x=True, y_title="score",
                              height=260, title="No resampling: ROC AUC and AP as the minority share falls")
    # the log axis would otherwise run on to 1 although the largest share is 0.5
    chart.encoding.x.scale = alt.Scale(type="log", domain=[float(sw["minority share"].min()),
                                                           float(sw["minority share"].max())], nice=False)
    here = alt.Chart(pd.DataFrame({"minority share": [RATIO_DEFAULT]})).mark_rule(
        color="black", strokeDash=[4, 4]).encode(x=alt.X("minority share:Q"))
    return sw, charts.named_datasets(charts.to_spec(chart + here), {1: RULE})


def comparison_fit(name: str, ratio: float, label: str, k: int, seed: int, n_samples: int, noise: float) -> Result:
    """One remedy of the comparison, through the shared cache of fits (k only where the strategy uses it)."""
    strategy, weight = compared_model(label)
    return fitted(name, ratio, strategy, k if strategy in USES_K else K_DEFAULT, weight, WEIGHT_RATIO_DEFAULT, seed,
                  n_samples, noise)


@memo.cached(max_entries=16, progress="Fitting every strategy…")
def comparison(name: str, ratio: float, k: int, seed: int, n_samples: int, noise: float) -> tuple[pd.DataFrame, dict]:
    """compare_strategies from the cached fits, and its chart."""
    table = pd.DataFrame([comparison_row(label, comparison_fit(name, ratio, label, k, seed, n_samples, noise))
                          for label in COMPARED])
    long = table.melt(id_vars="strategy", value_vars=["recall", "precision", "balanced accuracy", "AP"],
                      var_name="metric", value_name="score")
    spec = charts.to_spec(charts.bar_chart(long, x="score", y="strategy", color="metric", sort=None, height=520,
                                           title="Same split, different remedies (logistic regression; the balanced "
                                                 "ensembles bring their own trees)"))
    return table, spec


# ---- code export --------------------------------------------------------------------------------
_SAMPLER_CODE = {
    NONE: None,
    ROS: "RandomOverSampler(random_state=SEED)",
    SMOTE_: "SMOTE(k_neighbors=K, random_state=SEED)",
    ADASYN_: "ADASYN(n_neighbors=K, random_state=SEED)",
    RUS: "RandomUnderSampler(random_state=SEED)",
    TOMEK: "TomekLinks()",
    SMOTEENN_: "SMOTEENN(smote=SMOTE(k_neighbors=K, random_state=SEED), random_state=SEED)",
}


def export_code(data_name: str, ratio: float, strategy: str, k: int, weight: str, weight_ratio: float,
                threshold: float, seed: int, n_samples: int = 300, noise: float = 0.25,
                n_pos_train: int | None = None) -> str:
    """A standalone script for the current settings; its last stdout line is JSON of the page's numbers."""
    two_d = data_name in ("moons", "circles", "blobs", "xor")
    kk = effective_k(k, n_pos_train if n_pos_train is not None else k + 1)
    cw = class_weight(weight, weight_ratio)
    if strategy in ENSEMBLES:
        if strategy == BRF:
            model = ("BalancedRandomForestClassifier(n_estimators=50, min_samples_leaf=2, sampling_strategy='auto',\n"
                     "                                       replacement=False, bootstrap=True, random_state=SEED)")
        else:
            model = ("EasyEnsembleClassifier(n_estimators=10, estimator=AdaBoostClassifier(n_estimators=10),\n"
                     "                               random_state=SEED)")
        steps = f"[('scale', StandardScaler()), ('model', {model})]"
    else:
        sampler = _SAMPLER_CODE[strategy] if kk >= 1 or strategy in (ROS, RUS, TOMEK, NONE) else None
        parts = ["('scale', StandardScaler())"]
        if sampler:
            parts.append(f"('resample', {sampler})")
        if two_d:
            parts.append("('poly', PolynomialFeatures(3, include_bias=False))")
        parts.append(f"('model', LogisticRegression(C=1.0, max_iter=5000, class_weight={cw!r}))")
        steps = "[\n    " + ",\n    ".join(parts) + ",\n]"
    load = dataset_code(data_name, n_samples, noise, seed)
    return f'''"""Imbalanced data: {strategy}, minority share {ratio:.2f}, threshold {threshold:.2f} (ML Explorer)."""
import json

import numpy as np
import pandas as pd
from imblearn.combine import SMOTEENN
from imblearn.ensemble import BalancedRandomForestClassifier, EasyEnsembleClassifier
from imblearn.over_sampling import ADASYN, SMOTE, RandomOverSampler
from imblearn.pipeline import Pipeline  # resampling inside the pipeline touches training data only
from imblearn.under_sampling import RandomUnderSampler, TomekLinks
from sklearn import metrics
from sklearn.ensemble import AdaBoostClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import PolynomialFeatures, StandardScaler

SEED, RATIO, K, THRESHOLD = {seed}, {ratio}, {kk}, {threshold}
MIN_POSITIVES = {MIN_POSITIVES}

{load}
# Positive class = the least frequent one (one-vs-rest if there are more than two classes).
counts = np.bincount(y.to_numpy().astype(int))
present = [c for c in range(len(counts)) if counts[c] > 0]
positive = min(present, key=lambda c: (counts[c], -c))
Xv, yb = X.to_numpy(dtype=float), (y.to_numpy() == positive).astype(int)
if len(yb) > {MAX_ROWS}:
    Xv, _, yb, _ = train_test_split(Xv, yb, train_size={MAX_ROWS}, stratify=yb, random_state=SEED)
X_tr, X_te, y_tr, y_te = train_test_split(Xv, yb, test_size={TEST_SIZE}, stratify=yb, random_state=SEED)


def subsample_minority(y, rng):
    """Keep every negative and enough positives that positives / all ~= RATIO."""
    pos, neg = np.flatnonzero(y == 1), np.flatnonzero(y == 0)
    n_keep = min(len(pos), max(MIN_POSITIVES, int(round(RATIO * len(neg) / (1.0 - RATIO)))))
    keep = np.sort(rng.choice(pos, size=n_keep, replace=False))
    return np.sort(np.concatenate([neg, keep]))


rng = np.random.default_rng(SEED)
i_tr = subsample_minority(y_tr, rng)
i_te = subsample_minority(y_te, rng)
X_tr, y_tr, X_te, y_te = X_tr[i_tr], y_tr[i_tr], X_te[i_te], y_te[i_te]

pipe = Pipeline({steps})
pipe.fit(X_tr, y_tr)
proba = pipe.predict_proba(X_te)[:, 1]
pred = (proba >= THRESHOLD).astype(int)
print(metrics.classification_report(y_te, pred, zero_division=0))
print("confusion matrix [[tn, fp], [fn, tp]]:", metrics.confusion_matrix(y_te, pred, labels=[0, 1]).tolist())
print(json.dumps({{
    "majority_accuracy": float(np.mean(y_te == 0)),
    "accuracy": metrics.accuracy_score(y_te, pred),
    "recall": metrics.recall_score(y_te, pred, zero_division=0),
    "precision": metrics.precision_score(y_te, pred, zero_division=0),
    "roc_auc": metrics.roc_auc_score(y_te, proba),
    "ap": metrics.average_precision_score(y_te, proba),
}}))
'''
