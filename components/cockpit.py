"""The Evaluation cockpit's settings and its "Show the code" script (the numbers the page shows)."""
from __future__ import annotations

from dataclasses import dataclass

from components import code_export, models


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


def script(s: CockpitSettings) -> str:
    """A standalone scikit-learn script that reproduces every number of the cockpit."""
    splitter = "StratifiedKFold" if s.cv_stratified else "KFold"
    rs = str(s.seed) if s.cv_shuffle else "None"
    return f'''"""Evaluation cockpit, reproduced: {s.model} on {s.dataset}, positive class "{s.positive}"."""
import json

import numpy as np
from sklearn import metrics
from sklearn.dummy import DummyClassifier
from sklearn.model_selection import {splitter}, train_test_split
{models.IMPORTS}

{code_export.dataset_code(s.dataset, s.n_samples, s.noise, s.seed, target=s.upload_target)}
y = (np.asarray(y) == {s.positive_index}).astype(int)  # one-vs-rest: "{s.positive}" is class 1

def make_model():
    return {models.model_code(s.model, s.value, s.seed)}

# Hold-out evaluation
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
results["fold accuracy"] = fold_accuracy
print(json.dumps({{k: (float(v) if k not in ("confusion", "fold accuracy") else v) for k, v in results.items()}}))
'''
