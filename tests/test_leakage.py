"""Data-leakage lab: each leak inflates its estimate above the truly held-out score, the correct
procedure lands near it; numbers checked by independent loops; the page through AppTest."""
from __future__ import annotations

from unittest import mock

import numpy as np
import pytest
from sklearn.feature_selection import f_classif
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, train_test_split

from components import datasets
from components import leakage as lk
from tests.apptest_utils import assert_clean, metric_values, open_page, run_exported_script

PAGE = "views/pitfalls/leakage.py"
SEED = 42


@pytest.fixture(scope="module")
def results():
    cancer, churn = datasets.load("breast_cancer"), datasets.load("churn")
    return {
        "selection": lk.feature_selection_experiment(2000, 20, SEED),
        "smote": lk.preprocessing_experiment(churn.X, churn.y, lk.PREP_SMOTE, SEED),
        "smote_cancer": lk.preprocessing_experiment(cancer.X, cancer.y, lk.PREP_SMOTE, SEED),
        "scale": lk.preprocessing_experiment(cancer.X, cancer.y, lk.PREP_SCALE, SEED),
        "target": lk.target_leak_experiment(churn.X, churn.y, 0.05, SEED),
        "time": lk.time_series_experiment(SEED),
    }


@pytest.mark.parametrize("name,tol", [("selection", 0.08), ("smote", 0.12), ("target", 0.05), ("time", 0.15)])
def test_leaky_estimate_lies_and_correct_one_is_close(results, name, tol):
    r = results[name]
    sign = 1 if r.higher_is_better else -1
    # the leaky estimate is more optimistic than the held-out truth, by a clear margin
    assert sign * (r.leaky - r.held_leaky) > 0.1
    # the correct estimate is within the tolerance of the held-out score, and closer than the leaky one
    assert abs(r.correct - r.held_correct) < tol
    assert abs(r.correct - r.held_correct) < abs(r.leaky - r.held_leaky)


def test_feature_selection_on_noise_matches_a_hand_written_fold_loop(results):
    r = results["selection"]
    X, y, X_hold, y_hold = lk.noise_data(2000, SEED)
    cv = StratifiedKFold(5, shuffle=True, random_state=SEED)
    correct, leaky = [], []
    top_all = np.argsort(f_classif(X, y)[0])[::-1][:20]  # chosen with every row (the leak)
    for tr, te in cv.split(X, y):
        top = np.argsort(f_classif(X[tr], y[tr])[0])[::-1][:20]  # chosen with the training fold only
        correct.append(LogisticRegression().fit(X[tr][:, top], y[tr]).score(X[te][:, top], y[te]))
        leaky.append(LogisticRegression().fit(X[tr][:, top_all], y[tr]).score(X[te][:, top_all], y[te]))
    assert r.correct == pytest.approx(np.mean(correct))
    assert r.leaky == pytest.approx(np.mean(leaky))
    assert r.leaky > 0.7  # far better than chance on pure noise ...
    assert abs(r.held_correct - 0.5) < 0.05  # ... while new data says coin flip
    assert abs(r.correct - 0.5) < 0.08
    assert r.same_model


def test_target_leak_held_out_of_leaky_model_is_about_majority_rate(results):
    r = results["target"]
    assert r.leaky > 0.9
    assert not r.same_model
    assert r.held_leaky == pytest.approx(r.chance, abs=0.02)  # nobody called yet: predicts "stays"
    assert r.held_correct > r.held_leaky


def test_time_series_splits_are_time_ordered():
    X, y = lk.lag_matrix(lk.time_series(SEED))
    assert X.shape == (lk.TS_LENGTH - lk.TS_LAGS, lk.TS_LAGS)
    np.testing.assert_allclose(X[1:, 0], y[:-1])  # lag 1 is the previous target
    s = lk.series_frame(SEED)
    assert (s["part"] == "held-out future").sum() == lk.TS_HOLDOUT
    assert s.loc[s["part"] == "held-out future", "t"].min() > s.loc[s["part"] == "development", "t"].max()


def test_smote_leak_is_smaller_on_an_easy_dataset(results):
    r = results["smote_cancer"]  # honest F1 is already ~0.9: less room to lie
    assert r.leaky > r.correct and r.leaky > r.held_leaky
    assert results["smote"].leaky - results["smote"].held_leaky > r.leaky - r.held_leaky


def test_scaling_leak_is_small_but_measured(results):
    r = results["scale"]
    assert abs(r.leaky - r.correct) < 0.05
    assert 0.8 < r.held_correct <= 1


# ---- AppTest ------------------------------------------------------------------------------------
def test_default_page_numbers_and_toggle_does_not_recompute(results):
    at = open_page(PAGE)
    assert_clean(at, PAGE)
    m = metric_values(at)
    r = results["selection"]
    assert m["Leaky CV estimate"] == f"{r.leaky:.3f}"
    assert m["Correct CV estimate"] == f"{r.correct:.3f}"
    assert m["Truly held-out"] == f"{r.held_correct:.3f}"
    assert at.warning and "Leaky" in at.warning[0].value
    with mock.patch.object(lk, "feature_selection_experiment", wraps=lk.feature_selection_experiment) as spy:
        at.toggle(key=lk.LEAKY_KEY).set_value(False).run()
        assert spy.call_count == 0
        assert at.success and "Correct" in at.success[0].value
        at.slider(key=lk.K_KEY).set_value(60).run()
        assert spy.call_count == 1
    assert_clean(at)
    assert float(metric_values(at)["Leaky CV estimate"]) > r.leaky  # more noise features picked, bigger lie


@pytest.mark.parametrize("experiment", lk.EXPERIMENTS)
def test_each_experiment_from_the_url(results, experiment):
    at = open_page(PAGE, query={"leakage.experiment": experiment})
    assert_clean(at, experiment)
    assert at.selectbox(key=lk.EXPERIMENT_KEY).value == experiment
    m = metric_values(at)
    key = {lk.SELECTION: "selection", lk.PREPROCESSING: "smote", lk.TARGET: "target", lk.TIME: "time"}[experiment]
    assert m["Leaky CV estimate"] == f"{results[key].leaky:.3f}"


def test_regression_dataset_gets_a_message():
    at = open_page(PAGE, query={"leakage.experiment": lk.PREPROCESSING, "app.dataset": "diabetes",
                                "leakage.data": lk.SIDEBAR})
    assert_clean(at)
    assert any("classification" in i.value for i in at.info)


@pytest.mark.parametrize("experiment,prep", [(lk.SELECTION, lk.PREP_SMOTE), (lk.PREPROCESSING, lk.PREP_SMOTE),
                                             (lk.PREPROCESSING, lk.PREP_SCALE), (lk.TARGET, lk.PREP_SMOTE),
                                             (lk.TIME, lk.PREP_SMOTE)])
def test_exported_script_gives_both_versions_and_the_same_numbers(results, experiment, prep):
    key = {lk.SELECTION: "selection", lk.TARGET: "target", lk.TIME: "time"}.get(
        experiment, "smote" if prep == lk.PREP_SMOTE else "scale")
    r = results[key]
    dataset = "churn" if key == "smote" else "breast_cancer"
    code = lk.export_code(experiment, SEED, n_features=2000, k=20, prep=prep, leak_noise=0.05, dataset=dataset)
    assert "LEAKY" in code and "CORRECT" in code
    out = run_exported_script(code)
    assert out["leaky"] == pytest.approx(r.leaky)
    assert out["correct"] == pytest.approx(r.correct)
    assert out["held_out_leaky"] == pytest.approx(r.held_leaky)
    assert out["held_out_correct"] == pytest.approx(r.held_correct)


@pytest.mark.parametrize("name", datasets.names(task=datasets.CLASSIFICATION))
def test_preprocessing_experiment_runs_on_every_classification_dataset(name):
    ds = datasets.load(name, n_samples=100, noise=0.3, seed=SEED)
    for prep in lk.PREPS:
        r = lk.preprocessing_experiment(ds.X, ds.y, prep, SEED)
        values = [r.leaky, r.correct, r.held_leaky, r.held_correct]
        assert all(np.isfinite(values)) and all(0 <= v <= 1 for v in values), (name, prep, values)


@pytest.mark.parametrize("experiment", lk.EXPERIMENTS)
def test_every_control_of_every_experiment_at_its_extremes(experiment):
    """The generic sweep only sees the default experiment's controls; this moves the others'."""
    from tests.apptest_utils import widgets
    at = open_page(PAGE, query={"leakage.experiment": experiment})
    own = {k: v for k, v in widgets(at).items() if k.startswith("leakage.") and k != lk.EXPERIMENT_KEY}
    for key, (kind, w) in own.items():
        values = {"slider": [w.min, w.max] if kind == "slider" else None,
                  "selectbox": list(w.options) if kind == "selectbox" else None,
                  "toggle": [not w.value] if kind == "toggle" else None}[kind]
        for v in values:
            getattr(at, kind)(key=key).set_value(v).run()
            assert_clean(at, f"{experiment} {key}={v!r}")


def test_preprocessing_on_the_sidebar_dataset(results):
    at = open_page(PAGE, query={"leakage.experiment": lk.PREPROCESSING, "leakage.data": lk.SIDEBAR})
    assert_clean(at)
    assert metric_values(at)["Leaky CV estimate"] == f"{results['smote_cancer'].leaky:.3f}"
    at.selectbox(key=lk.PREP_KEY).set_value(lk.PREP_SCALE).run()
    assert_clean(at)
    assert metric_values(at)["Correct CV estimate"] == f"{results['scale'].correct:.3f}"


def test_smote_leak_is_scored_on_real_rows_at_the_real_class_share(results):
    """SMOTE before the split: the leaky folds are scored on their original rows only, so the gap to the
    correct estimate is the leak itself, not F1's dependence on a 50 % positive share."""
    from imblearn.over_sampling import SMOTE
    from sklearn.metrics import f1_score
    from sklearn.neighbors import KNeighborsClassifier
    from sklearn.preprocessing import StandardScaler

    from components.imbalanced import binarize, subsample_minority
    churn = datasets.load("churn")
    Xv, (yb, _) = np.asarray(churn.X, dtype=float), binarize(np.asarray(churn.y))
    X_dev, _, y_dev, _ = train_test_split(Xv, yb, test_size=lk.TEST_SIZE, stratify=yb, random_state=SEED)
    keep, _ = subsample_minority(y_dev, lk.SMOTE_SHARE, np.random.default_rng(SEED))
    X_dev, y_dev = X_dev[keep], y_dev[keep]
    n_pos = int(y_dev.sum())
    k = max(1, min(5, n_pos - -(-n_pos // lk.FOLDS) - 1))
    Z = StandardScaler().fit_transform(X_dev)
    X_res, y_res = SMOTE(k_neighbors=k, random_state=SEED).fit_resample(Z, y_dev)
    np.testing.assert_array_equal(X_res[:len(y_dev)], Z)  # the real rows come first
    scores, shares = [], []
    for tr, te in StratifiedKFold(lk.FOLDS, shuffle=True, random_state=SEED).split(X_res, y_res):
        te = te[te < len(y_dev)]
        scores.append(f1_score(y_res[te], KNeighborsClassifier().fit(X_res[tr], y_res[tr]).predict(X_res[te])))
        shares.append(y_res[te].mean())
    assert results["smote"].leaky == pytest.approx(np.mean(scores))
    assert np.mean(shares) == pytest.approx(lk.SMOTE_SHARE, abs=0.02)
