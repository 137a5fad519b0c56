"""Hold-out and k-fold evaluation of a binary (or one-vs-rest) classifier at a decision threshold.

Expensive work (fitting) happens in :func:`fit_holdout` and :func:`cross_validate_folds`; everything a
threshold changes is computed from their cached scores, so moving the threshold never refits.
Convention everywhere: a row is predicted positive when its score is >= the threshold.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np
import pandas as pd
from joblib import Parallel, delayed, parallel_config
from sklearn import metrics
from sklearn.dummy import DummyClassifier
from sklearn.model_selection import KFold, StratifiedKFold, train_test_split

from components import models

FIT_COUNT = {"n": 0}  # how many estimators were fitted in this process; tests check cheap moves add none
_FIT_COUNT_LOCK = threading.Lock()  # fold fits may run on several threads
# Fits that run on two threads: models whose fit releases the GIL and is long enough for a second
# thread to pay. Their k fold fits run two at a time, and the SVM's calibration folds too (Platt
# scaling cross-validates inside every fit). Measured on the cockpit's churn table, 5 folds: SVM
# 844 -> 543 ms (its hold-out fit 164 -> 123 ms), gradient boosting 291 -> 240 ms (breast_cancer
# 582 -> 370 ms). For the others a thread pool costs more than it saves (logistic regression
# 19 -> 33 ms) or gains nothing (random forest 385 -> 369 ms).
TWO_THREADS = ("SVM (RBF)", "Gradient boosting")
# The SVM's k fold fits run on three threads: five folds on two run in three rounds, the last with one
# core idle; with three the system shares the two cores over the last folds (churn, 5 folds, median of
# 8: 599 -> 523 ms). Gradient boosting gains nothing from a third (282 -> 282 ms) and loses with five.
FOLD_THREADS = {"SVM (RBF)": 3}

THRESHOLD_KEY, THRESHOLD_DEFAULT, THRESHOLD_STEP = "eval.threshold", 0.5, 0.01
TEST_SIZE_KEY, TEST_SIZE_DEFAULT, TEST_SIZE_RANGE = "eval.test_size", 0.25, (0.1, 0.5, 0.05)
STRATIFY_KEY, POSITIVE_KEY, MODEL_KEY = "eval.stratify", "eval.positive", "eval.model"
FOLDS_KEY, FOLDS_DEFAULT, FOLDS_RANGE = "eval.k", 5, (2, 10)
CV_STRATIFIED_KEY, CV_SHUFFLE_KEY = "eval.cv_stratified", "eval.cv_shuffle"
METRIC_NAMES = ("accuracy", "precision", "recall", "F1", "specificity")

# The class a learner cares about, where the bundled label order would make it class 0.
POSITIVE_DEFAULTS = {"breast_cancer": "malignant", "churn": "churned"}


def default_positive(dataset_name: str, class_names: tuple[str, ...]) -> str:
    return POSITIVE_DEFAULTS.get(dataset_name, class_names[-1])


def binarize(y, positive_index: int) -> np.ndarray:
    """One-vs-rest labels: 1 for the positive class, 0 for every other."""
    return (np.asarray(y) == positive_index).astype(int)


def _fit(model_name: str, value, seed: int, X, y):
    """Fit the chosen model; training rows of a single class (unshuffled folds of sorted data) get
    a constant DummyClassifier, since no classifier can learn from one class."""
    with _FIT_COUNT_LOCK:
        FIT_COUNT["n"] += 1
    if len(np.unique(y)) < 2:
        return DummyClassifier(strategy="prior").fit(X, y)
    return models.build_model(model_name, value, seed).fit(X, y)


def _threads(model_name: str) -> int:
    return 2 if model_name in TWO_THREADS else 1


@dataclass(frozen=True)
class Holdout:
    """A fitted model's scores on the test split: all any threshold needs."""
    y_test: np.ndarray  # 0/1
    scores: np.ndarray  # P(positive)
    test_index: np.ndarray  # row positions in the dataset
    n_train: int
    train_positive: int


def fit_holdout(X: pd.DataFrame, y_binary: np.ndarray, model_name: str, value, test_size: float,
                stratify: bool, seed: int) -> Holdout:
    idx = np.arange(len(y_binary))
    train, test = train_test_split(idx, test_size=test_size, random_state=seed,
                                   stratify=y_binary if stratify else None)
    with parallel_config(backend="threading", n_jobs=_threads(model_name)):
        model = _fit(model_name, value, seed, X.iloc[train], y_binary[train])
    scores = model.predict_proba(X.iloc[test])[:, list(model.classes_).index(1)] \
        if 1 in model.classes_ else np.zeros(len(test))
    return Holdout(y_binary[test], scores, test, len(train), int(y_binary[train].sum()))


def confusion_at(y_true: np.ndarray, scores: np.ndarray, threshold: float) -> np.ndarray:
    """[[TN, FP], [FN, TP]] at the threshold (scikit-learn's layout: rows true, columns predicted).
    Counted with numpy: it runs on every threshold move, and metrics.confusion_matrix's input checks
    cost 2 ms of it; the tests compare it with metrics.confusion_matrix."""
    actual = np.asarray(y_true) == 1
    predicted = np.asarray(scores) >= threshold
    tp = int(np.count_nonzero(actual & predicted))
    fn = int(np.count_nonzero(actual)) - tp
    fp = int(np.count_nonzero(predicted)) - tp
    return np.array([[len(actual) - tp - fn - fp, fp], [fn, tp]])


def metrics_from_counts(tn, fp, fn, tp) -> dict[str, float]:
    """Accuracy, precision, recall, F1, specificity; an undefined ratio (0/0) is reported as 0,
    as scikit-learn does with zero_division=0."""
    def ratio(a, b):
        return float(a / b) if b else 0.0
    precision, recall = ratio(tp, tp + fp), ratio(tp, tp + fn)
    return {"accuracy": ratio(tp + tn, tn + fp + fn + tp), "precision": precision, "recall": recall,
            "F1": ratio(2 * precision * recall, precision + recall), "specificity": ratio(tn, tn + fp)}


def metrics_at(y_true, scores, threshold) -> dict[str, float]:
    (tn, fp), (fn, tp) = confusion_at(y_true, scores, threshold)
    return metrics_from_counts(tn, fp, fn, tp)


def confusion_frame(cm: np.ndarray, positive: str) -> pd.DataFrame:
    """Long format for the chart and its table: counts and row-normalised shares."""
    names = [f"not {positive}", positive]
    rows = []
    for i in range(2):
        total = cm[i].sum()
        for j in range(2):
            rows.append({"actual": names[i], "predicted": names[j], "count": int(cm[i, j]),
                         "share of actual": float(cm[i, j] / total) if total else 0.0,
                         "cell": [["TN", "FP"], ["FN", "TP"]][i][j]})
    return pd.DataFrame(rows)


def roc_frame(y_true, scores) -> tuple[pd.DataFrame, float]:
    if len(np.unique(y_true)) < 2:
        return pd.DataFrame({"FPR": [0.0, 1.0], "TPR": [0.0, 1.0], "threshold": [np.inf, -np.inf]}), float("nan")
    fpr, tpr, thr = metrics.roc_curve(y_true, scores, drop_intermediate=False)
    return pd.DataFrame({"FPR": fpr, "TPR": tpr, "threshold": thr}), float(metrics.roc_auc_score(y_true, scores))


def pr_frame(y_true, scores) -> tuple[pd.DataFrame, float]:
    if y_true.sum() == 0:
        return pd.DataFrame({"recall": [0.0, 1.0], "precision": [1.0, 0.0], "threshold": [np.inf, -np.inf]}), float("nan")
    precision, recall, thr = metrics.precision_recall_curve(y_true, scores, drop_intermediate=False)
    thr = np.append(thr, np.inf)  # the last (recall 0, precision 1) point has no threshold
    frame = pd.DataFrame({"recall": recall, "precision": precision, "threshold": thr})
    return frame, float(metrics.average_precision_score(y_true, scores))


ABOVE_EVERY_SCORE = 2.0  # stands in for scikit-learn's +inf curve threshold (JSON has no infinity)


def finite_thresholds(curve: pd.DataFrame) -> pd.DataFrame:
    """A ROC or precision-recall frame with its infinite curve thresholds replaced (charts need JSON)."""
    return curve.assign(threshold=_finite(curve["threshold"].to_numpy()))


def _finite(thresholds: np.ndarray) -> np.ndarray:
    return np.where(np.isposinf(thresholds), ABOVE_EVERY_SCORE, np.where(np.isneginf(thresholds), -1.0, thresholds))


def operating_point(curve: pd.DataFrame, threshold: float) -> dict:
    """The point of a ROC or precision-recall frame (roc_frame, pr_frame) where "score >= threshold"
    sits: the curve row with the smallest curve threshold at or above it, as one record. Its rates
    are exactly those of the confusion matrix at the threshold (tests/test_charts.py checks this)."""
    thresholds = _finite(curve["threshold"].to_numpy())
    above = np.flatnonzero(thresholds >= threshold)
    i = int(above[np.argmin(thresholds[above])])
    return {**{c: float(curve[c].iat[i]) for c in curve.columns if c != "threshold"}, "threshold": float(threshold)}


def threshold_frames(cm: np.ndarray, threshold: float, positive: str, roc: pd.DataFrame,
                     pr: pd.DataFrame) -> dict[str, list[dict]]:
    """What the threshold moves in the charts (charts.THRESHOLD_DATASETS), as records: the four
    confusion cells of cm (confusion_at), the ROC and precision-recall operating points, and the
    rule on the metrics-vs-threshold chart. Plain records, no DataFrames: this runs on every move."""
    names = (f"not {positive}", positive)
    cells = []
    for i in range(2):
        total = int(cm[i].sum())
        for j in range(2):
            cells.append({"cell": (("TN", "FP"), ("FN", "TP"))[i][j], "actual": names[i], "predicted": names[j],
                          "count": int(cm[i, j]), "share": float(cm[i, j] / total) if total else 0.0})
    return {"cells": cells, "roc_point": [operating_point(roc, threshold)],
            "pr_point": [operating_point(pr, threshold)], "at": [{"threshold": float(threshold)}]}


def _operating_points(curve: pd.DataFrame, grid: np.ndarray) -> pd.DataFrame:
    """operating_point at every threshold of ``grid`` at once (the same rows: the first of the smallest
    curve thresholds at or above each)."""
    thresholds = _finite(curve["threshold"].to_numpy())
    order = np.argsort(thresholds, kind="stable")
    at = np.minimum(np.searchsorted(thresholds[order], grid, side="left"), len(order) - 1)
    rows = curve.drop(columns="threshold").iloc[order[at]].reset_index(drop=True).astype(float)
    return rows.assign(threshold=grid.astype(float))


def threshold_frames_grid(y_true, scores, grid: np.ndarray, positive: str, roc: pd.DataFrame,
                          pr: pd.DataFrame, column: str) -> dict[str, pd.DataFrame]:
    """threshold_frames at every threshold of ``grid``, stacked: each frame has the rows of every
    threshold, tagged with it in ``column`` (charts.scrubbable). tests/test_charts.py compares each
    threshold's rows with threshold_frames."""
    grid = np.asarray(grid, dtype=float)
    y = np.asarray(y_true).astype(bool)
    pred = np.asarray(scores)[None, :] >= grid[:, None]
    counts = {"TN": (~pred & ~y).sum(1), "FP": (pred & ~y).sum(1), "FN": (~pred & y).sum(1), "TP": (pred & y).sum(1)}
    negatives, positives = int((~y).sum()), int(y.sum())
    names = (f"not {positive}", positive)
    parts = []
    for cell, actual, predicted, total in (("TN", 0, 0, negatives), ("FP", 0, 1, negatives),
                                           ("FN", 1, 0, positives), ("TP", 1, 1, positives)):
        parts.append(pd.DataFrame({"cell": cell, "actual": names[actual], "predicted": names[predicted],
                                   "count": counts[cell].astype(int),
                                   "share": counts[cell] / total if total else 0.0, column: grid}))
    cells = pd.concat(parts).sort_values(column, kind="stable").reset_index(drop=True)
    return {"cells": cells,
            "roc_point": _operating_points(roc, grid).assign(**{column: grid}),
            "pr_point": _operating_points(pr, grid).assign(**{column: grid}),
            "at": pd.DataFrame({"threshold": grid, column: grid})}


def threshold_sweep(y_true, scores, step: float = THRESHOLD_STEP) -> pd.DataFrame:
    """Every metric at every threshold on a 0..1 grid, long format (threshold, metric, value)."""
    grid = np.round(np.arange(0.0, 1.0 + step / 2, step), 10)
    y = np.asarray(y_true).astype(bool)
    pred = np.asarray(scores)[None, :] >= grid[:, None]
    tp = (pred & y).sum(1)
    fp = (pred & ~y).sum(1)
    fn = (~pred & y).sum(1)
    tn = (~pred & ~y).sum(1)
    rows = [metrics_from_counts(*c) for c in zip(tn, fp, fn, tp)]
    wide = pd.DataFrame(rows).assign(threshold=grid)
    return wide.melt(id_vars="threshold", var_name="metric", value_name="value")


def splitter(k: int, stratified: bool, shuffle: bool, seed: int):
    kind = StratifiedKFold if stratified else KFold
    return kind(n_splits=k, shuffle=shuffle, random_state=seed if shuffle else None)


@dataclass(frozen=True)
class FoldResult:
    assignment: pd.DataFrame  # row, fold, role ("train"/"test"), positive (0/1)
    scores: pd.DataFrame  # fold, n_test, positive share, accuracy, ROC AUC, F1


def cross_validate_folds(X: pd.DataFrame, y_binary: np.ndarray, model_name: str, value, k: int,
                         stratified: bool, shuffle: bool, seed: int) -> FoldResult:
    """k-fold CV over every row in file order (as cross_val_score(model, X, y) does), keeping which
    rows each fold tests so the folds can be drawn. Accuracy and F1 use the 0.5 threshold. ROC AUC
    is undefined (NaN) for a fold whose test rows hold one class only, and F1 for a fold whose test
    rows hold no positive (its recall is 0/0: scikit-learn's zero_division would score it 0 and
    drag the mean down for a fold that measured nothing)."""
    score_rows = []
    splits = list(splitter(k, stratified, shuffle, seed).split(X, y_binary))
    fitted = Parallel(n_jobs=FOLD_THREADS.get(model_name, _threads(model_name)), prefer="threads")(
        delayed(_fit)(model_name, value, seed, X.iloc[train], y_binary[train]) for train, _ in splits)
    for f, ((train, test), model) in enumerate(zip(splits, fitted), start=1):
        if 1 in model.classes_:
            proba = model.predict_proba(X.iloc[test])[:, list(model.classes_).index(1)]
        else:
            proba = np.zeros(len(test))
        yt = y_binary[test]
        pred = (proba >= 0.5).astype(int)
        score_rows.append({
            "fold": f, "n_test": len(test), "positive share": float(yt.mean()),
            "one class in training": len(np.unique(y_binary[train])) < 2,
            "accuracy": float(metrics.accuracy_score(yt, pred)),
            "ROC AUC": float(metrics.roc_auc_score(yt, proba)) if len(np.unique(yt)) == 2 else float("nan"),
            "F1": float(metrics.f1_score(yt, pred, zero_division=0)) if yt.any() else float("nan"),
        })
    return FoldResult(_assignment(y_binary, splits), pd.DataFrame(score_rows))


def fold_assignment(y_binary: np.ndarray, k: int, stratified: bool, shuffle: bool, seed: int) -> pd.DataFrame:
    """Which rows each fold tests (row, fold, role "train"/"test", positive 0/1): the splitter's folds,
    no model needed, so a page can draw them before the fits."""
    return _assignment(y_binary, list(splitter(k, stratified, shuffle, seed).split(np.zeros((len(y_binary), 1)),
                                                                                     y_binary)))


def _assignment(y_binary: np.ndarray, splits: list) -> pd.DataFrame:
    n, k = len(y_binary), len(splits)
    role = np.full((k, n), "train", dtype=object)
    for f, (_, test) in enumerate(splits):
        role[f, test] = "test"
    return pd.DataFrame({
        "row": np.tile(np.arange(n), k), "fold": np.repeat(np.arange(1, k + 1), n),
        "role": role.ravel(), "positive": np.tile(y_binary, k),
    })


def fold_summary(scores: pd.DataFrame) -> pd.DataFrame:
    """Mean and standard deviation (ddof=1, as a sample of folds) of each fold score over the folds
    where it is defined, and how many those are ("folds")."""
    cols = ["accuracy", "ROC AUC", "F1"]
    return pd.DataFrame({"mean": scores[cols].mean(), "std": scores[cols].std(ddof=1),
                         "folds": scores[cols].notna().sum()}).rename_axis("score")


def fold_runs(assignment: pd.DataFrame) -> pd.DataFrame:
    """Run-length encode the fold assignment (and the class strip) so drawing n x k cells stays light.

    Returns rows (lane, start, end, kind): lane "fold 1".."fold k" with kind train/test, and a lane
    "class" with kind positive/other; [start, end) are row positions.
    """
    def runs(values: np.ndarray, lane: str) -> list[dict]:
        change = np.flatnonzero(values[1:] != values[:-1]) + 1
        starts = np.concatenate([[0], change])
        ends = np.concatenate([change, [len(values)]])
        return [{"lane": lane, "start": int(s), "end": int(e), "kind": str(values[s])} for s, e in zip(starts, ends)]

    out = []
    first = assignment[assignment["fold"] == assignment["fold"].min()].sort_values("row")
    out += runs(np.where(first["positive"].to_numpy() == 1, "positive", "other"), "class")
    for f, part in assignment.groupby("fold", sort=True):
        out += runs(part.sort_values("row")["role"].to_numpy(), f"fold {f}")
    return pd.DataFrame(out)
