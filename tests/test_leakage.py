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
        box = at.success if lk.within_noise(r) else at.info  # green only when the held-out noise explains the gap
        assert box and box[0].value.startswith("**Correct:**")
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
    assert out["se_leaky"] == pytest.approx(r.se_leaky)
    assert out["se_correct"] == pytest.approx(r.se_correct)


@pytest.mark.parametrize("model_name,trend", [(lk.TS_LINEAR, True), (lk.TS_FOREST, False)])
def test_exported_time_series_script_follows_the_model_and_the_trend(model_name, trend):
    r = lk.time_series_experiment(4, model_name, trend)
    out = run_exported_script(lk.export_code(lk.TIME, 4, ts_model=model_name, trend=trend))
    for key, want in (("leaky", r.leaky), ("correct", r.correct), ("held_out_correct", r.held_correct),
                      ("se_correct", r.se_correct)):
        assert out[key] == pytest.approx(want), key


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


# ---- the generated sentences, against numbers computed here -----------------------------------------
def _se_of_mean(errors):
    """The standard error of a mean of autocorrelated errors, written out: AR(1) effective size."""
    d = errors - errors.mean()
    r = min(max(np.sum(d[:-1] * d[1:]) / np.sum(d * d), 0.0), 0.95)
    n_eff = len(errors) * (1 - r) / (1 + r)
    return errors.std(ddof=1) / np.sqrt(n_eff), n_eff


def _independent_time_series(seed, model_name, trend):
    """The time-series experiment by hand: the series, the lags, both CV schemes, the held-out future."""
    from sklearn.ensemble import RandomForestRegressor
    from sklearn.linear_model import LinearRegression
    from sklearn.model_selection import KFold, TimeSeriesSplit
    rng = np.random.default_rng(seed)
    z = rng.normal(scale=0.5, size=400)
    e = np.zeros(400)
    for i in range(1, 400):
        e[i] = 0.8 * e[i - 1] + z[i]
    t = np.arange(400)
    s = (0.03 if trend else 0.0) * t + 2 * np.sin(2 * np.pi * t / 25) + e
    X = np.column_stack([s[2:399], s[1:398], s[0:397]])
    y = s[3:]
    cut = len(y) - 80

    def model():
        return LinearRegression() if model_name == lk.TS_LINEAR else \
            RandomForestRegressor(n_estimators=30, min_samples_leaf=2, random_state=seed)

    def cv_mae(cv):
        scores, above = [], []
        for tr, te in cv.split(X[:cut]):
            scores.append(np.mean(np.abs(model().fit(X[tr], y[tr]).predict(X[te]) - y[te])))
            above.append(np.mean(y[te] > y[tr].max()))
        return np.mean(scores), np.mean(above)

    leaky, above_shuffled = cv_mae(KFold(5, shuffle=True, random_state=seed))
    correct, above_ordered = cv_mae(TimeSeriesSplit(3, test_size=80))
    errors = np.abs(model().fit(X[:cut], y[:cut]).predict(X[cut:]) - y[cut:])
    se, n_eff = _se_of_mean(errors)
    return dict(leaky=leaky, correct=correct, held=errors.mean(), se=se, n_eff=n_eff,
                above={lk.SHUFFLED_FOLDS: above_shuffled, lk.ORDERED_FOLDS: above_ordered,
                       lk.FUTURE: np.mean(y[cut:] > y[:cut].max())})


def _check_verdicts(said, leaky, correct, held_leaky, held_correct, se_leaky, se_correct, same_model):
    for box, est, held, se in (("leaky", leaky, held_leaky, se_leaky), ("correct", correct, held_correct, se_correct)):
        gap = abs(est - held)
        k = round(gap / se, 1)
        assert f"Off by {gap:.3f}: {k:.1f} standard errors of the held-out score (SE {se:.3f}" in said[box], box
        assert ("own noise can explain it" in said[box]) == (k <= 2.0), box
        assert ("more than the held-out set's noise alone explains" in said[box]) == (k > 2.0), box
    d_l, d_c = abs(leaky - held_leaky), abs(correct - held_correct)
    if round(d_l, 3) == round(d_c, 3):
        assert said["closer"].startswith("Both estimates")
    elif d_c < d_l:
        assert said["closer"].startswith("The correct estimate is the closer")
    else:
        assert said["closer"].startswith("Here the leaky estimate is the closer")
    if same_model and round(d_l, 3) != round(d_c, 3):
        assert ("would reverse that" in said["closer"]) == (abs(held_correct - (leaky + correct) / 2) < se_correct)


@pytest.mark.parametrize("seed", [4, 42, 7])
@pytest.mark.parametrize("trend", [True, False])
def test_time_series_sentences_at_several_seeds(seed, trend):
    """Each comparison the time-series panel states, against the experiment rebuilt by hand, for both models."""
    res = {m: lk.time_series_experiment(seed, m, trend) for m in lk.TS_MODELS}
    mine = {m: _independent_time_series(seed, m, trend) for m in lk.TS_MODELS}
    for m, r in res.items():
        want = mine[m]
        assert (r.leaky, r.correct, r.held_correct, r.se_correct, r.n_effective) == pytest.approx(
            (want["leaky"], want["correct"], want["held"], want["se"], want["n_eff"]))
        assert r.beyond == pytest.approx(want["above"])
        _check_verdicts(lk.verdicts(r), want["leaky"], want["correct"], want["held"], want["held"], want["se"],
                        want["se"], True)
        other = lk.TS_LINEAR if m == lk.TS_FOREST else lk.TS_FOREST
        story = lk.time_series_story(r, m, res[other], other)
        a = want["above"]
        assert (f"{100 * a[lk.SHUFFLED_FOLDS]:.0f}% in the shuffled folds" in story
                and f"{100 * a[lk.ORDERED_FOLDS]:.0f}% in the time-ordered folds" in story
                and f"{100 * a[lk.FUTURE]:.0f}% in the held-out future" in story)
        if m == lk.TS_FOREST and a[lk.ORDERED_FOLDS] != a[lk.FUTURE]:
            further = "further" if a[lk.ORDERED_FOLDS] > a[lk.FUTURE] else "less far"
            side = "above" if want["correct"] > want["held"] else "below"
            assert f"climbed {further} past" in story and f"their estimate is {side} the held-out error" in story
        for name, w in ((m, want), (other, mine[other])):
            opt = w["held"] - w["leaky"]
            if round(opt, 3) != 0:
                word = "below" if opt > 0 else "above"
                assert f"{word} the held-out error by {abs(opt):.3f} for the {name}" in story


def test_at_seed_4_the_page_says_the_leaky_estimate_landed_closer():
    """The case the old text got wrong: the time-ordered estimate is further from this held-out future."""
    r = lk.time_series_experiment(4)
    assert abs(r.correct - r.held_correct) > abs(r.leaky - r.held_leaky)
    said = lk.verdicts(r)
    assert said["closer"].startswith("Here the leaky estimate is the closer")
    assert "the usual noise" not in said["correct"] + said["leaky"]


@pytest.mark.parametrize("seed", [0, 4, 42])
def test_classification_sentences_at_several_seeds(seed):
    """Selection, SMOTE, scaling and the target leak: the binomial standard errors recomputed here (the bootstrap
    F1's has its own test against f1_score), then every stated comparison."""
    churn = datasets.load("churn")
    cases = [lk.feature_selection_experiment(500, 20, seed), lk.target_leak_experiment(churn.X, churn.y, 0.05, seed)]
    for name in ("churn", "breast_cancer"):  # the data the page offers: churn, and the sidebar's dataset
        ds = datasets.load(name)
        cases += [lk.preprocessing_experiment(ds.X, ds.y, prep, seed) for prep in lk.PREPS]
    for r in cases:
        if r.metric == "accuracy":
            se_l, se_c = (np.sqrt(a * (1 - a) / r.n_held) for a in (r.held_leaky, r.held_correct))
        else:
            se_l = se_c = r.se_correct
            assert se_c > 0
        assert (r.se_leaky, r.se_correct) == pytest.approx((se_l, se_c))
        _check_verdicts(lk.verdicts(r), r.leaky, r.correct, r.held_leaky, r.held_correct, se_l, se_c, r.same_model)


def test_f1_standard_error_is_the_bootstrap_of_f1():
    from sklearn.metrics import f1_score
    rng = np.random.default_rng(3)
    y_true = rng.integers(0, 2, 150)
    y_pred = np.where(rng.random(150) < 0.7, y_true, 1 - y_true)
    idx = np.random.default_rng(11).integers(0, 150, (200, 150))
    want = np.std([f1_score(y_true[i], y_pred[i], zero_division=0) for i in idx], ddof=1)
    assert lk.f1_bootstrap_se(y_true, y_pred, 11, n_boot=200) == pytest.approx(want)


def test_a_forest_never_predicts_above_its_largest_training_target():
    """The page's reason a forest cannot follow a trend."""
    for seed in (0, 4, 42):
        X, y = lk.lag_matrix(lk.time_series(seed))
        cut = len(y) - lk.TS_HOLDOUT
        pred = lk.ts_model(lk.TS_FOREST, seed).fit(X[:cut], y[:cut]).predict(X[cut:])
        assert pred.max() <= y[:cut].max() + 1e-12
        assert (y[cut:] > y[:cut].max()).any()  # while the future does climb past it


def test_the_time_series_lesson_holds_over_ten_series():
    """The explanation's claims, over the ten series the page's repeat uses from seed 0: with the trend the
    forest's shuffled estimate is far below the held-out error nearly every time; without the trend it is about
    right; a linear model on the same lags is flattered little."""
    forest = lk.time_series_repeats(0, lk.TS_FOREST, True)
    flat = lk.time_series_repeats(0, lk.TS_FOREST, False)
    linear = lk.time_series_repeats(0, lk.TS_LINEAR, True)
    gap = forest["held-out future"] - forest["shuffled CV"]
    assert (gap > 0).sum() >= 9 and gap.mean() > 0.25
    assert abs(forest["time-ordered CV"].mean() - forest["held-out future"].mean()) < 0.15  # unbiased on average
    assert abs(flat["held-out future"].mean() - flat["shuffled CV"].mean()) < 0.05
    lin_gap = (linear["held-out future"] - linear["shuffled CV"]).mean()
    assert lin_gap < 0.05 and lin_gap < gap.mean() / 4
    text = lk.repeats_sentence(forest, lk.TS_FOREST)
    assert f"shuffled CV averaged {forest['shuffled CV'].mean():.3f}" in text
    assert f"below the held-out error in {(gap > 0).sum()} of 10 series" in text


def test_time_series_page_model_trend_and_repeat():
    at = open_page(PAGE, query={lk.EXPERIMENT_KEY: lk.TIME, "app.seed": "4"})
    assert_clean(at)
    r = lk.time_series_experiment(4)
    assert at.warning[0].value == " ".join([lk.verdicts(r)["leaky"], lk.verdicts(r)["closer"]])
    story = next(m.value for m in at.markdown if m.value.startswith("A forest predicts"))
    assert "Same lags, linear regression" in story
    at.selectbox(key=lk.TS_MODEL_KEY).set_value(lk.TS_LINEAR).run()
    at.toggle(key=lk.TS_TREND_KEY).set_value(False).run()
    assert_clean(at)
    lin = lk.time_series_experiment(4, lk.TS_LINEAR, False)
    assert metric_values(at)["Leaky CV estimate"] == f"{lin.leaky:.3f}"
    assert any(m.value.startswith("A linear model on the lags") for m in at.markdown)
    at.toggle(key=lk.TS_REPEAT_KEY).set_value(True).run()
    assert_clean(at)
    reps = lk.time_series_repeats(4, lk.TS_LINEAR, False)
    assert any(m.value == lk.repeats_sentence(reps, lk.TS_LINEAR) for m in at.markdown)
    assert "shuffled K-fold wrong" not in " ".join(m.value for m in at.markdown)
