"""The Evaluation cockpit's settings, its cached computations and its "Show the code" script."""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from components import charts, code_export, datasets, memo, models
from components import evaluation as ev


@dataclass(frozen=True)
class CockpitSettings:
    dataset: str
    positive: str  # class name treated as positive (one-vs-rest)
    positive_index: int
    model: str
    value: object  # the model's main hyper-parameter
    test_size: float
    stratify: bool
    k: int
    cv_stratified: bool
    cv_shuffle: bool
    threshold: float
    seed: int
    n_samples: int = 300
    noise: float = 0.25
    upload_target: str = ""  # the target column when the dataset is an uploaded CSV
    data_key: tuple = ()  # plain values that identify the dataset (common.dataset_key), for cache keys


@dataclass(frozen=True)
class Holdout:
    """One fitted model's test scores and every threshold-independent curve, with their charts."""
    fit: ev.Holdout
    roc: pd.DataFrame
    auc: float
    pr: pd.DataFrame
    ap: float
    sweep: pd.DataFrame
    specs: dict  # the four threshold-driven charts (charts.threshold_specs)


@memo.cached(max_entries=64, progress="Fitting the model…")
def holdout(_data: datasets.Dataset, data_key: tuple, positive: str, positive_index: int, model: str, value,
            test_size: float, stratify: bool, seed: int) -> Holdout:
    """Fit once on the training split; a threshold move then only re-counts these test scores."""
    y = ev.binarize(_data.y, positive_index)
    h = ev.fit_holdout(_data.X, y, model, value, test_size, stratify, seed)
    roc, auc = ev.roc_frame(h.y_test, h.scores)
    pr, ap = ev.pr_frame(h.y_test, h.scores)
    sweep = ev.threshold_sweep(h.y_test, h.scores)
    return Holdout(h, roc, auc, pr, ap, sweep, charts.threshold_specs(h.y_test, h.scores, positive, roc, auc,
                                                                     pr, ap, sweep, key=ev.THRESHOLD_KEY))


@memo.cached(max_entries=64)
def folds_layout(_data: datasets.Dataset, data_key: tuple, positive_index: int, k: int, stratified: bool,
                 shuffle: bool, seed: int) -> dict:
    """The chart of which rows each fold tests: it needs no model, so the page draws it before the fits."""
    y = ev.binarize(_data.y, positive_index)
    return charts.folds_spec(ev.fold_runs(ev.fold_assignment(y, k, stratified, shuffle, seed)))


@memo.cached(max_entries=64, progress="Fitting one model per fold…")
def folds(_data: datasets.Dataset, data_key: tuple, positive_index: int, model: str, value, k: int,
          stratified: bool, shuffle: bool, seed: int) -> pd.DataFrame:
    """Per-fold scores: one model fitted per fold."""
    return ev.cross_validate_folds(_data.X, ev.binarize(_data.y, positive_index), model, value, k,
                                   stratified, shuffle, seed).scores


def _preamble(s: CockpitSettings, purpose: str, imports: str) -> str:
    return f'''"""Evaluation cockpit, reproduced ({purpose}): {s.model} on {s.dataset}."""
# positive class: {s.positive!r}
import json

import numpy as np
from sklearn import metrics
{imports}
{models.IMPORTS}

{code_export.dataset_code(s.dataset, s.n_samples, s.noise, s.seed, target=s.upload_target)}
y = (np.asarray(y) == {s.positive_index}).astype(int)  # one-vs-rest: class {s.positive_index} is 1

def make_model():
    return {models.model_code(s.model, s.value, s.seed)}
'''


def holdout_script(s: CockpitSettings) -> str:
    """A standalone scikit-learn script that reproduces the hold-out panel at the threshold."""
    return _preamble(s, "hold-out split at a threshold", "from sklearn.model_selection import train_test_split") + f'''
X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size={s.test_size!r}, random_state={s.seed}, stratify={"y" if s.stratify else "None"})
model = make_model().fit(X_train, y_train)
scores = model.predict_proba(X_test)[:, 1]
threshold = {s.threshold!r}
y_pred = (scores >= threshold).astype(int)
tn, fp, fn, tp = metrics.confusion_matrix(y_test, y_pred, labels=[0, 1]).ravel()
results = {{
    "confusion": [[int(tn), int(fp)], [int(fn), int(tp)]],
    "accuracy": metrics.accuracy_score(y_test, y_pred),
    "precision": metrics.precision_score(y_test, y_pred, zero_division=0),
    "recall": metrics.recall_score(y_test, y_pred, zero_division=0),
    "F1": metrics.f1_score(y_test, y_pred, zero_division=0),
    "specificity": tn / (tn + fp) if tn + fp else 0.0,
    "ROC AUC": metrics.roc_auc_score(y_test, scores),
    "average precision": metrics.average_precision_score(y_test, scores),
}}
print(f"Confusion matrix at threshold {{threshold}} (rows: actual 0/1, columns: predicted 0/1)")
print(np.array(results["confusion"]))
for name, value in results.items():
    if name != "confusion":
        print(f"{{name:>18}}: {{value:.4f}}")
print(json.dumps({{k: (float(v) if k != "confusion" else v) for k, v in results.items()}}))
'''


def folds_script(s: CockpitSettings) -> str:
    """A standalone scikit-learn script that reproduces the k-fold panel's per-fold accuracy."""
    splitter = "StratifiedKFold" if s.cv_stratified else "KFold"
    rs = str(s.seed) if s.cv_shuffle else "None"
    return _preamble(s, "k-fold cross-validation", f"from sklearn.dummy import DummyClassifier\n"
                                                    f"from sklearn.model_selection import {splitter}") + f'''
# k-fold cross-validation over every row in file order (accuracy at the 0.5 threshold)
cv = {splitter}(n_splits={s.k}, shuffle={s.cv_shuffle}, random_state={rs})
fold_accuracy = []
for train, test in cv.split(X, y):
    # Unshuffled folds of sorted data can train on one class: then only a constant guess is possible.
    one_class = len(np.unique(y[train])) < 2
    fold_model = (DummyClassifier(strategy="prior") if one_class else make_model()).fit(X.iloc[train], y[train])
    classes = list(fold_model.classes_)
    proba = fold_model.predict_proba(X.iloc[test])[:, classes.index(1)] if 1 in classes else np.zeros(len(test))
    fold_accuracy.append(metrics.accuracy_score(y[test], proba >= 0.5))
print("fold accuracy:", np.round(fold_accuracy, 4), f"mean {{np.mean(fold_accuracy):.4f}} "
      f"std {{np.std(fold_accuracy, ddof=1):.4f}}")
print(json.dumps({{"fold accuracy": fold_accuracy}}))
'''
