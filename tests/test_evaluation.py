"""Unit tests of components.evaluation against independent computations."""
import itertools

import numpy as np
import pytest
from sklearn import metrics
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import (
    KFold,
    StratifiedKFold,
    cross_val_score,
    train_test_split,
)
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from components import datasets
from components import evaluation as ev

RNG = np.random.default_rng(0)
Y = RNG.integers(0, 2, 200)
S = np.clip(Y * 0.3 + RNG.random(200) * 0.7, 0, 1).round(2)  # ties on purpose


def brute_counts(y, s, t):
    tp = sum(1 for a, b in zip(y, s) if a == 1 and b >= t)
    fp = sum(1 for a, b in zip(y, s) if a == 0 and b >= t)
    fn = sum(1 for a, b in zip(y, s) if a == 1 and b < t)
    tn = sum(1 for a, b in zip(y, s) if a == 0 and b < t)
    return tn, fp, fn, tp


@pytest.mark.parametrize("t", [0.0, 0.13, 0.5, 0.51, 0.99, 1.0])
def test_confusion_and_metrics_match_brute_force_and_sklearn(t):
    tn, fp, fn, tp = brute_counts(Y, S, t)
    assert ev.confusion_at(Y, S, t).tolist() == [[tn, fp], [fn, tp]]
    pred = (S >= t).astype(int)
    m = ev.metrics_at(Y, S, t)
    assert m["accuracy"] == pytest.approx(metrics.accuracy_score(Y, pred))
    assert m["precision"] == pytest.approx(metrics.precision_score(Y, pred, zero_division=0))
    assert m["recall"] == pytest.approx(metrics.recall_score(Y, pred, zero_division=0))
    assert m["F1"] == pytest.approx(metrics.f1_score(Y, pred, zero_division=0))
    assert m["specificity"] == pytest.approx(tn / (tn + fp) if tn + fp else 0.0)


def test_known_values_by_hand():
    y = np.array([1, 1, 1, 0, 0, 0, 0, 1])
    s = np.array([0.9, 0.8, 0.3, 0.6, 0.2, 0.1, 0.4, 0.7])
    m = ev.metrics_at(y, s, 0.5)  # TP=3 (0.9,0.8,0.7), FP=1 (0.6), FN=1 (0.3), TN=3
    assert m == pytest.approx({"accuracy": 6 / 8, "precision": 3 / 4, "recall": 3 / 4, "F1": 3 / 4,
                               "specificity": 3 / 4})
    nothing = ev.metrics_at(y, s, 1.0)
    assert nothing["precision"] == 0 and nothing["recall"] == 0 and nothing["specificity"] == 1


def test_threshold_sweep_equals_pointwise_metrics():
    sweep = ev.threshold_sweep(Y, S)
    assert set(sweep["metric"]) == set(ev.METRIC_NAMES)
    assert len(sweep) == 101 * 5
    for t in (0.0, 0.25, 0.37, 0.5, 0.82, 1.0):
        got = sweep[np.isclose(sweep["threshold"], t)].set_index("metric")["value"]
        want = ev.metrics_at(Y, S, t)
        tn, fp, fn, tp = brute_counts(Y, S, t)
        assert got["accuracy"] == pytest.approx((tp + tn) / len(Y))
        for name in ev.METRIC_NAMES:
            assert got[name] == pytest.approx(want[name])


def test_auc_is_the_mann_whitney_probability():
    pos, neg = S[Y == 1], S[Y == 0]
    pairs = [(1.0 if p > n else 0.5 if p == n else 0.0) for p, n in itertools.product(pos, neg)]
    frame, auc = ev.roc_frame(Y, S)
    assert auc == pytest.approx(np.mean(pairs))
    assert frame["FPR"].iloc[0] == 0 and frame["TPR"].iloc[-1] == 1
    assert np.trapezoid(frame["TPR"], frame["FPR"]) == pytest.approx(auc)


def test_average_precision_by_its_definition():
    frame, ap = ev.pr_frame(Y, S)
    # AP = sum over distinct thresholds (descending) of (R_n - R_{n-1}) * P_n
    total, prev_recall = 0.0, 0.0
    for t in sorted(set(S), reverse=True):
        tn, fp, fn, tp = brute_counts(Y, S, t)
        recall, precision = tp / (tp + fn), tp / (tp + fp)
        total += (recall - prev_recall) * precision
        prev_recall = recall
    assert ap == pytest.approx(total)
    assert frame["recall"].iloc[-1] == 0 and frame["precision"].iloc[-1] == 1


def test_degenerate_curves_do_not_crash():
    ones = np.ones(10, dtype=int)
    assert np.isnan(ev.roc_frame(ones, np.linspace(0, 1, 10))[1])
    assert np.isnan(ev.pr_frame(np.zeros(10, dtype=int), np.linspace(0, 1, 10))[1])


def breast_cancer_binary():
    d = datasets.load("breast_cancer")
    return d, ev.binarize(d.y, d.target_names.index("malignant"))


def test_fit_holdout_matches_a_direct_sklearn_fit():
    d, y = breast_cancer_binary()
    h = ev.fit_holdout(d.X, y, "Logistic regression", 1.0, 0.25, True, 42)
    X_tr, X_te, y_tr, y_te = train_test_split(d.X, y, test_size=0.25, random_state=42, stratify=y)
    direct = make_pipeline(StandardScaler(), LogisticRegression(C=1.0, max_iter=5000)).fit(X_tr, y_tr)
    np.testing.assert_array_equal(h.y_test, y_te)
    np.testing.assert_allclose(h.scores, direct.predict_proba(X_te)[:, 1])
    assert y.sum() == 212  # 212 malignant tumours in the bundled set


def test_cross_validation_matches_cross_val_score_and_covers_each_row_once():
    d, y = breast_cancer_binary()
    res = ev.cross_validate_folds(d.X, y, "Logistic regression", 1.0, 5, True, True, 42)
    direct = cross_val_score(make_pipeline(StandardScaler(), LogisticRegression(C=1.0, max_iter=5000)),
                             d.X, y, cv=StratifiedKFold(5, shuffle=True, random_state=42), scoring="accuracy")
    np.testing.assert_allclose(res.scores["accuracy"], direct)
    tests = res.assignment[res.assignment["role"] == "test"]
    assert sorted(tests["row"]) == list(range(len(y)))
    summary = ev.fold_summary(res.scores)
    assert summary.loc["accuracy", "std"] == pytest.approx(np.std(direct, ddof=1))


@pytest.mark.parametrize("model_name, value", [("SVM (RBF)", 1.0), ("Gradient boosting", 10)])
def test_models_fitted_on_two_threads_score_as_scikit_learn_does(model_name, value):
    """The fold fits run on two threads (an SVM's on three, its calibration folds on two): the scores are those of
    scikit-learn's own sequential cross-validation and hold-out fit of the same model."""
    assert model_name in ev.TWO_THREADS
    from sklearn.base import clone

    from components import models

    d, y = breast_cancer_binary()
    X = d.X.iloc[::2]
    y = y[::2]
    res = ev.cross_validate_folds(X, y, model_name, value, 4, True, True, 3)
    direct = cross_val_score(clone(models.build_model(model_name, value, 3)), X, y,
                             cv=StratifiedKFold(4, shuffle=True, random_state=3), scoring="roc_auc")
    np.testing.assert_allclose(res.scores["ROC AUC"], direct)
    h = ev.fit_holdout(X, y, model_name, value, 0.3, True, 3)
    train, test = train_test_split(np.arange(len(y)), test_size=0.3, random_state=3, stratify=y)
    alone = models.build_model(model_name, value, 3).fit(X.iloc[train], y[train])
    np.testing.assert_allclose(h.scores, alone.predict_proba(X.iloc[test])[:, 1])


@pytest.mark.parametrize("stratified, shuffle", [(True, True), (False, False), (False, True)])
def test_fold_assignment_marks_the_rows_each_splitter_fold_tests(stratified, shuffle):
    """The fold chart is drawn before any fit from fold_assignment: each fold's test rows are those of
    scikit-learn's (Stratified)KFold on the same labels."""
    _, y = breast_cancer_binary()
    assignment = ev.fold_assignment(y, 4, stratified, shuffle, 5)
    kind = StratifiedKFold if stratified else KFold
    cv = kind(4, shuffle=shuffle, random_state=5 if shuffle else None)
    for f, (_, test) in enumerate(cv.split(np.zeros((len(y), 1)), y), start=1):
        fold = assignment[assignment["fold"] == f]
        assert fold["row"].tolist() == list(range(len(y)))
        assert sorted(fold.loc[fold["role"] == "test", "row"]) == sorted(test)
        assert fold["positive"].tolist() == list(y)


def test_unshuffled_unstratified_folds_on_sorted_iris_test_one_class():
    d = datasets.load("iris")
    y = ev.binarize(d.y, 2)  # virginica: the last 50 rows of the file
    res = ev.cross_validate_folds(d.X, y, "Logistic regression", 1.0, 3, False, False, 0)
    assert res.scores["positive share"].tolist() == [0.0, 0.0, 1.0]
    assert res.scores["ROC AUC"].isna().all()
    assert res.scores["F1"].isna().tolist() == [True, True, False]  # no positive to recall in folds 1 and 2
    assert ev.fold_summary(res.scores)["folds"].tolist() == [3, 0, 1]


def test_fold_means_skip_only_the_folds_where_a_score_is_undefined():
    """5 unshuffled folds on iris (virginica = the last 50 rows): AUC exists in one fold, F1 in two;
    the summary averages those and counts them, against scikit-learn fold by fold."""
    d = datasets.load("iris")
    y = ev.binarize(d.y, 2)
    res = ev.cross_validate_folds(d.X, y, "Logistic regression", 1.0, 5, False, False, 0)
    auc, f1 = [], []
    for train, test in KFold(5).split(d.X):
        model = make_pipeline(StandardScaler(), LogisticRegression(C=1.0, max_iter=5000)).fit(d.X.iloc[train], y[train])
        p = model.predict_proba(d.X.iloc[test])[:, 1]
        auc.append(metrics.roc_auc_score(y[test], p) if len(set(y[test])) == 2 else np.nan)
        f1.append(metrics.f1_score(y[test], p >= 0.5) if y[test].any() else np.nan)
    np.testing.assert_allclose(res.scores["ROC AUC"], auc)
    np.testing.assert_allclose(res.scores["F1"], f1)
    summary = ev.fold_summary(res.scores)
    assert summary.loc["ROC AUC", "folds"] == 1 and summary.loc["F1", "folds"] == 2
    assert summary.loc["F1", "mean"] == pytest.approx(np.nanmean(f1))


def test_fold_runs_reconstruct_the_assignment():
    d, y = breast_cancer_binary()
    res = ev.cross_validate_folds(d.X, y, "Decision tree", 2, 4, True, True, 1)
    runs = ev.fold_runs(res.assignment)
    for f in range(1, 5):
        lane = runs[runs["lane"] == f"fold {f}"]
        rebuilt = np.concatenate([[k] * (e - s) for s, e, k in zip(lane["start"], lane["end"], lane["kind"])])
        want = res.assignment[res.assignment["fold"] == f].sort_values("row")["role"].to_numpy()
        np.testing.assert_array_equal(rebuilt, want)
    strip = runs[runs["lane"] == "class"]
    assert (strip["end"] - strip["start"])[strip["kind"] == "positive"].sum() == y.sum()


def test_confusion_frame_normalises_by_actual_class():
    cells = ev.confusion_frame(np.array([[8, 2], [1, 3]]), "yes")
    share = cells.set_index("cell")["share of actual"]
    assert share.to_dict() == pytest.approx({"TN": 0.8, "FP": 0.2, "FN": 0.25, "TP": 0.75})


def test_snap_removes_float_noise_from_stepped_sliders():
    from components.ui.threshold import snap
    t = 0.5
    for _ in range(20):
        t -= 0.01  # what arrow keys do in the browser
    assert t != 0.3 and snap(t) == 0.3
    s = np.array([0.3, 0.29999999, 0.31])
    assert ev.confusion_at(np.array([1, 1, 1]), s, snap(t)).tolist() == [[0, 0], [1, 2]]
