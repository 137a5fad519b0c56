"""Imbalanced-data lab: component numbers against direct imbalanced-learn / scikit-learn computations,
and the page driven through AppTest."""
from __future__ import annotations

import json
from unittest import mock

import numpy as np
import pytest
from imblearn.over_sampling import SMOTE
from imblearn.pipeline import make_pipeline
from sklearn import metrics
from sklearn.dummy import DummyClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler

from components import datasets
from components import imbalanced as im
from tests.apptest_utils import assert_clean, chart_specs, metric_values, open_page, run_exported_script
from tests.chart_utils import without_scrub_starts

PAGE = "views/pitfalls/imbalanced.py"
SEED = 42


@pytest.fixture(scope="module")
def cancer():
    return datasets.load("breast_cancer")


def test_binarize_picks_least_frequent_class():
    y = np.array([0] * 10 + [1] * 3 + [2] * 7)
    yb, pos = im.binarize(y)
    assert pos == 1 and yb.sum() == 3
    _, pos_tie = im.binarize(np.array([0, 0, 1, 1]))
    assert pos_tie == 1


@pytest.mark.parametrize("ratio", [0.5, 0.2, 0.1, 0.05])
def test_split_imposes_the_minority_share(cancer, ratio):
    from sklearn.model_selection import train_test_split
    sp = im.make_split(cancer.X, cancer.y, ratio, SEED)
    assert sp.positive == 0  # breast_cancer's minority: malignant
    _, _, y_tr, _ = train_test_split(cancer.X, cancer.y, test_size=im.TEST_SIZE, stratify=cancer.y,
                                     random_state=SEED)
    n_neg, available = int((y_tr == 1).sum()), int((y_tr == 0).sum())
    assert int((sp.y_train == 0).sum()) == n_neg  # every majority row kept
    assert int(sp.y_train.sum()) == min(available, round(ratio * n_neg / (1 - ratio)))
    if ratio <= 0.2:
        assert abs(sp.y_train.mean() - ratio) < 0.01
        assert abs(sp.y_test.mean() - ratio) < 0.02


def test_smote_inside_pipeline_matches_direct_imblearn(cancer):
    sp = im.make_split(cancer.X, cancer.y, 0.1, SEED)
    res = im.fit_strategy(sp, im.SMOTE_, 5, "none", 1, SEED, two_d=False)
    # independent: the textbook imblearn pipeline
    pipe = make_pipeline(StandardScaler(), SMOTE(k_neighbors=5, random_state=SEED),
                         LogisticRegression(max_iter=5000))
    pipe.fit(sp.X_train, sp.y_train)
    np.testing.assert_allclose(res.proba, pipe.predict_proba(sp.X_test)[:, 1], rtol=1e-6, atol=1e-9)
    _, yr = SMOTE(k_neighbors=5, random_state=SEED).fit_resample(StandardScaler().fit_transform(sp.X_train),
                                                                 sp.y_train)
    after = res.counts[res.counts["stage"] == "after"]["count"].tolist()
    assert after == np.bincount(yr).tolist() and after[0] == after[1]
    before = res.counts[res.counts["stage"] == "before"]["count"].tolist()
    assert before == np.bincount(sp.y_train).tolist()


def test_threshold_metrics_and_majority_baseline(cancer):
    sp = im.make_split(cancer.X, cancer.y, 0.1, SEED)
    res = im.fit_strategy(sp, im.NONE, 5, "balanced", 1, SEED, two_d=False)
    for t in (0.1, 0.5, 0.9):
        m = im.threshold_metrics(res.y_test, res.proba, t)
        pred = (res.proba >= t).astype(int)
        assert m["recall"] == pytest.approx(metrics.recall_score(res.y_test, pred))
        assert m["precision"] == pytest.approx(metrics.precision_score(res.y_test, pred, zero_division=0))
        assert m["balanced_accuracy"] == pytest.approx(metrics.balanced_accuracy_score(res.y_test, pred))
    dummy = DummyClassifier(strategy="most_frequent").fit(sp.X_train, sp.y_train)
    assert im.majority_accuracy(res.y_test) == pytest.approx(dummy.score(sp.X_test, sp.y_test))
    assert im.majority_accuracy(res.y_test) > 0.85


def test_undersampling_and_ensembles_counts(cancer):
    sp = im.make_split(cancer.X, cancer.y, 0.1, SEED)
    n_pos = int(sp.y_train.sum())
    for s in (im.RUS, im.BRF, im.EASY):
        res = im.fit_strategy(sp, s, 5, "none", 1, SEED, two_d=False)
        after = res.counts[res.counts["stage"] != "before"]["count"].tolist()
        assert after == [n_pos, n_pos], s
        assert 0.5 < metrics.roc_auc_score(res.y_test, res.proba) <= 1


def test_two_d_smote_marks_synthetic_points():
    ds = datasets.load("moons", n_samples=300, noise=0.25, seed=SEED)
    sp = im.make_split(ds.X, ds.y, 0.1, SEED)
    res = im.fit_strategy(sp, im.SMOTE_, 5, "none", 1, SEED, two_d=True)
    n_syn = int((res.points["marker"] == "synthetic").sum())
    assert n_syn == int((sp.y_train == 0).sum() - sp.y_train.sum())
    assert set(res.points.loc[res.points["marker"] == "synthetic", "label"]) == {"minority (1)"}
    tomek = im.fit_strategy(sp, im.TOMEK, 5, "none", 1, SEED, two_d=True)
    removed = int((tomek.points["marker"] == "removed").sum())
    after = tomek.counts[tomek.counts["stage"] == "after"]["count"].sum()
    assert removed == len(sp.y_train) - after


def test_ratio_sweep_no_skill_ap_is_the_share():
    ds = datasets.load("churn")
    sw = im.ratio_sweep(ds.X, ds.y, SEED, two_d=False)
    no_skill = sw[sw["metric"] == im.NO_SKILL_AP].set_index("minority share")["value"]
    for r in (0.3, 0.1, 0.02):
        y_test = im.make_split(ds.X, ds.y, r, SEED).y_test
        # a model that gives every row the same score: its AP is exactly the positive share
        assert no_skill[r] == pytest.approx(metrics.average_precision_score(y_test, np.zeros(len(y_test))))
        assert no_skill[r] == pytest.approx(r, abs=0.01)
    ap = sw[sw["metric"] == "average precision (AP)"].set_index("minority share")["value"]
    auc = sw[sw["metric"] == "ROC AUC"].set_index("minority share")["value"]
    assert ap[0.5] - ap[0.02] > 0.3  # AP falls with the share ...
    assert abs(auc[0.5] - auc[0.02]) < 0.15  # ... ROC AUC hardly moves


# ---- AppTest ------------------------------------------------------------------------------------
def test_page_renders_and_shows_the_paradox():
    at = open_page(PAGE)
    assert_clean(at, PAGE)
    m = metric_values(at)
    ds = datasets.load(im.DATA_DEFAULT)
    sp = im.make_split(ds.X, ds.y, im.RATIO_DEFAULT, SEED)
    res = im.fit_strategy(sp, im.STRATEGY_DEFAULT, im.K_DEFAULT, "none", 1, SEED, two_d=False)
    pred = res.proba >= 0.5
    assert float(m["Majority-class accuracy"]) == pytest.approx(np.mean(sp.y_test == 0), abs=5e-4)
    assert float(m["Model accuracy"]) == pytest.approx(metrics.accuracy_score(res.y_test, pred), abs=5e-4)
    assert float(m["Recall (minority)"]) == pytest.approx(metrics.recall_score(res.y_test, pred), abs=5e-4)
    # the paradox: the plain model is no more accurate than "always the majority" and finds few positives
    assert float(m["Model accuracy"]) <= float(m["Majority-class accuracy"]) + 0.01
    assert float(m["Recall (minority)"]) < 0.2
    titles = json.dumps(chart_specs(at))
    assert '["ROC curve", "AUC = ' in titles and '["Precision-recall", "AP = ' in titles
    at.selectbox(key=im.STRATEGY_KEY).set_value(im.SMOTE_).run()  # the remedy
    assert_clean(at)
    assert float(metric_values(at)["Recall (minority)"]) > 0.5


def test_ratio_changes_majority_accuracy_and_threshold_does_not_refit():
    at = open_page(PAGE, query={"imbalance.data": "moons", "imbalance.strategy": "none"})
    assert_clean(at)
    before = metric_values(at)
    at.slider(key=im.RATIO_KEY).set_value(0.3).run()
    assert_clean(at)
    assert float(metric_values(at)["Majority-class accuracy"]) < float(before["Majority-class accuracy"])
    with mock.patch.object(im, "fit_strategy", wraps=im.fit_strategy) as spy:
        at.slider(key=im.THRESHOLD_KEY).set_value(0.2).run()
        assert spy.call_count == 0
        m_low = metric_values(at)
        at.slider(key=im.THRESHOLD_KEY).set_value(0.8).run()
        assert spy.call_count == 0
        m_high = metric_values(at)
        assert float(m_low["Recall (minority)"]) >= float(m_high["Recall (minority)"])
        assert m_low != m_high
        at.selectbox(key=im.STRATEGY_KEY).set_value(im.RUS).run()
        assert spy.call_count >= 1
    assert_clean(at)


def test_url_sets_widgets_and_2d_boundary_shows_synthetic_points():
    at = open_page(PAGE, query={"imbalance.data": "moons", "imbalance.strategy": "SMOTE",
                                "imbalance.ratio": "0.15", "imbalance.threshold": "0.3"})
    assert_clean(at)
    assert at.selectbox(key=im.DATA_KEY).value == "moons"
    assert at.slider(key=im.RATIO_KEY).value == pytest.approx(0.15)
    assert at.slider(key=im.THRESHOLD_KEY).value == pytest.approx(0.3)
    specs = json.dumps(chart_specs(at))
    assert "synthetic" in specs
    assert '"title": "boundary"' in specs  # the plain model's boundary drawn for comparison


def test_regression_dataset_gets_a_message_and_compare_table_works():
    at = open_page(PAGE, query={"app.dataset": "diabetes", "imbalance.data": im.SIDEBAR})
    assert_clean(at)
    assert any("classification" in i.value for i in at.info)
    at = open_page(PAGE, query={"imbalance.data": "moons", "imbalance.compare": "true"})
    assert_clean(at)
    table = at.dataframe[-1].value
    assert len(table) == len(im.STRATEGIES) + 1
    assert {"recall", "precision", "F1", "balanced accuracy", "ROC AUC", "AP"} <= set(table.columns)


@pytest.mark.parametrize("data,strategy,weight", [("breast_cancer", "SMOTE", "none"),
                                                  ("moons", "balanced random forest", "none"),
                                                  ("churn", "none", "custom")])
def test_exported_script_reproduces_the_numbers(data, strategy, weight):
    ds = datasets.load(data, n_samples=300, noise=0.25, seed=SEED)
    two_d = data in datasets.TWO_D
    sp = im.make_split(ds.X, ds.y, 0.1, SEED)
    res = im.fit_strategy(sp, strategy, 5, weight, 7, SEED, two_d=two_d)
    code = im.export_code(data, 0.1, strategy, 5, weight, 7, 0.4, SEED, 300, 0.25,
                          n_pos_train=int(sp.y_train.sum()))
    out = run_exported_script(code)
    m = im.threshold_metrics(res.y_test, res.proba, 0.4)
    assert out["recall"] == pytest.approx(m["recall"])
    assert out["precision"] == pytest.approx(m["precision"])
    assert out["majority_accuracy"] == pytest.approx(im.majority_accuracy(res.y_test))
    assert out["roc_auc"] == pytest.approx(im.ranking_scores(res.y_test, res.proba)["roc_auc"], abs=1e-9)


@pytest.mark.parametrize("name", datasets.names(task=datasets.CLASSIFICATION))
def test_every_strategy_survives_every_dataset_at_extreme_ratios(name):
    ds = datasets.load(name, n_samples=100, noise=0.3, seed=SEED)  # small 2-D sets: the hardest case
    two_d = name in datasets.TWO_D
    for ratio in (im.RATIO_MIN, im.RATIO_MAX):
        sp = im.make_split(ds.X, ds.y, ratio, SEED)
        assert sp.y_train.sum() >= im.MIN_POSITIVES - 1 and sp.y_test.sum() >= 1
        for s in im.STRATEGIES:
            res = im.fit_strategy(sp, s, im.K_MAX, "custom", im.WEIGHT_RATIO_MAX, SEED, two_d=two_d)
            assert np.isfinite(res.proba).all() and len(res.proba) == len(sp.y_test), (name, ratio, s)


def test_the_page_charts_validate_against_the_vega_lite_schema():
    """The page builds its cached specs with validate=False (speed); validate the same builders here."""
    from components import charts, evaluation
    ds = datasets.load("moons", n_samples=300, noise=0.25, seed=SEED)
    sp = im.make_split(ds.X, ds.y, 0.1, SEED)
    res = im.fit_strategy(sp, im.SMOTE_, 5, "none", 1, SEED, two_d=True)
    plain = im.fit_strategy(sp, im.NONE, 5, "none", 1, SEED, two_d=True)
    roc, auc = evaluation.roc_frame(res.y_test, res.proba)
    pr, ap = evaluation.pr_frame(res.y_test, res.proba)
    at = evaluation.threshold_frames(evaluation.confusion_at(res.y_test, res.proba, 0.5), 0.5, "minority", roc, pr)
    for chart in (charts.bar_chart(res.counts, x="count", y="stage", color="class", sort=None),
                  charts.confusion_matrix_chart(at["cells"], "minority"), charts.roc_chart(roc, auc, at["roc_point"]),
                  charts.pr_chart(pr, ap, float(res.y_test.mean()), at["pr_point"]),
                  charts.threshold_metrics_chart(evaluation.threshold_sweep(res.y_test, res.proba), at["at"]),
                  charts.boundary_chart(res.grid, res.points[res.points["marker"] != "synthetic"],
                                        extra=charts.reference_boundary_layer(
                                            plain.grid, "plain", over=charts.marked_points_layer(res.points)))):
        chart.to_dict(validate=True)


def test_the_caption_names_the_class_and_says_when_the_share_is_above_the_datas_own():
    at = open_page(PAGE, query={im.DATA_KEY: "churn", im.RATIO_KEY: "0.5"})
    assert_clean(at)
    text = " ".join(c.value for c in at.caption)
    y = datasets.load("churn").y
    assert "positive (minority) class = **churned**" in text
    assert f"The data's own minority share is {y.mean():.1%}" in text  # 0.5 asked, the data has a third
    at = open_page(PAGE, query={im.DATA_KEY: "churn", im.RATIO_KEY: "0.1"})
    assert "The data's own minority share" not in " ".join(c.value for c in at.caption)


# ---- sentences about the screen: generated from the numbers, checked against direct fits --------
SENTENCE_SEEDS = (0, 1, 2)


def shown(a: float, b: float) -> str:
    """The comparison a reader sees at three decimals, written out for the tests."""
    a, b = float(f"{a:.3f}"), float(f"{b:.3f}")
    return "above" if a > b else "below" if a < b else "equal to"


def moved(first: float, last: float) -> str:
    word = {"below": "fell", "above": "rose", "equal to": "stayed"}[shown(last, first)]
    return f"stayed at {first:.3f}" if word == "stayed" else f"{word} from {first:.3f} to {last:.3f}"


def plain_model_scores(X_tr, y_tr, X_te, two_d: bool) -> np.ndarray:
    """The lab's plain model written out: scaled, cubic features on 2-D sets, logistic regression."""
    from sklearn.pipeline import make_pipeline as sk_pipeline
    from sklearn.preprocessing import PolynomialFeatures
    steps = [StandardScaler()] + ([PolynomialFeatures(3, include_bias=False)] if two_d else [])
    return sk_pipeline(*steps, LogisticRegression(C=1.0, max_iter=5000)).fit(X_tr, y_tr).predict_proba(X_te)[:, 1]


@pytest.mark.parametrize("name", ["churn", "moons", "xor"])
@pytest.mark.parametrize("seed", SENTENCE_SEEDS)
def test_sweep_and_ap_sentences_hold(name, seed):
    ds = datasets.load(name, n_samples=300, noise=0.25, seed=seed)
    two_d = name in datasets.TWO_D
    rows = {}
    for r in im.RATIO_SWEEP:
        sp = im.make_split(ds.X, ds.y, r, seed)
        p = plain_model_scores(sp.X_train, sp.y_train, sp.X_test, two_d)
        rows[r] = (metrics.roc_auc_score(sp.y_test, p), metrics.average_precision_score(sp.y_test, p),
                   sp.y_test.mean())
        if r == im.RATIO_DEFAULT or r == 0.05:
            text = im.ap_sentence(rows[r][0], rows[r][1], rows[r][2])
            assert f"ROC AUC is {rows[r][0]:.3f} and AP is {rows[r][1]:.3f}, {shown(rows[r][1], rows[r][2])} the " \
                   f"no-skill AP of {rows[r][2]:.3f}" in text
    text = im.sweep_sentence(im.ratio_sweep(ds.X, ds.y, seed, two_d))
    (auc_hi, ap_hi, share_hi), (auc_lo, ap_lo, share_lo) = rows[max(rows)], rows[min(rows)]
    assert f"ROC AUC {moved(auc_hi, auc_lo)} and AP {moved(ap_hi, ap_lo)}" in text
    d_ap, d_auc = float(f"{abs(ap_hi - ap_lo):.3f}"), float(f"{abs(auc_hi - auc_lo):.3f}")
    assert f"AP moved {'more than' if d_ap > d_auc else 'less than' if d_ap < d_auc else 'as much as'} ROC AUC" in text
    above = all(float(f"{ap - share:.3f}") > 0 for _, ap, share in rows.values())
    assert ("AP stays above its no-skill line at every share" in text) == above
    assert f"(test split: {share_hi:.1%} positive) to {min(rows):g} ({share_lo:.1%})" in text


@pytest.mark.parametrize("name", ["churn", "moons"])
@pytest.mark.parametrize("seed", SENTENCE_SEEDS)
def test_paradox_sentence_holds(name, seed):
    ds = datasets.load(name, n_samples=300, noise=0.25, seed=seed)
    sp = im.make_split(ds.X, ds.y, 0.05, seed)
    p = plain_model_scores(sp.X_train, sp.y_train, sp.X_test, name in datasets.TWO_D)
    for t in (0.2, 0.5):
        pred = (p >= t).astype(int)
        acc, recall = metrics.accuracy_score(sp.y_test, pred), metrics.recall_score(sp.y_test, pred, zero_division=0)
        majority = np.mean(sp.y_test == 0)
        text = im.paradox_sentence(im.majority_accuracy(sp.y_test), acc, recall, t)
        assert f"accuracy ({acc:.3f}) is {shown(acc, majority)} that of always predicting the majority " \
               f"({majority:.3f})" in text
        assert f"the model finds {recall:.0%} of them (recall {recall:.3f})" in text


def test_the_page_says_what_it_shows():
    at = open_page(PAGE)
    assert_clean(at)
    text = " ".join(m.value for m in at.markdown)
    assert "falls towards the share itself" not in text
    ds = datasets.load(im.DATA_DEFAULT)
    sp = im.make_split(ds.X, ds.y, im.RATIO_DEFAULT, SEED)
    p = plain_model_scores(sp.X_train, sp.y_train, sp.X_test, False)
    auc, ap = metrics.roc_auc_score(sp.y_test, p), metrics.average_precision_score(sp.y_test, p)
    assert f"**On screen now:** Here ROC AUC is {auc:.3f} and AP is {ap:.3f}" in text
    captions = " ".join(c.value for c in at.caption)
    assert "AP moved" in captions and "At threshold 0.50 the model's accuracy" in captions
    titles = json.dumps(chart_specs(at))
    assert "far more than ROC AUC" not in titles
    assert any(im.NO_SKILL_AP in map(str, d.value.columns) for d in at.dataframe)


# ---- panels, caches and scrubbing ---------------------------------------------------------------
def chart_title(spec: str) -> str:
    """A chart's title, or its first layer's (the sweep's title sits on its line layer)."""
    spec = json.loads(spec)
    return json.dumps(spec.get("title") or spec.get("layer", [{}])[0].get("title"))


def drawn(at) -> dict:
    """Every chart on screen by title: (its spec as sent, without data; its datasets by name)."""
    return {chart_title(c.proto.spec): (c.proto.spec, {d.name: d.data.data for d in c.proto.datasets})
            for c in at.get("vega_lite_chart")}


SWEEP_TITLE = json.dumps("No resampling: ROC AUC and AP as the minority share falls")


def test_light_panels_come_first_and_the_comparisons_last():
    at = open_page(PAGE, query={im.COMPARE_KEY: "true"})
    assert_clean(at)
    titles = [chart_title(c.proto.spec) for c in at.get("vega_lite_chart")]
    assert titles[0] == json.dumps("Confusion matrix at the threshold")
    assert titles.index(SWEEP_TITLE) > titles.index(json.dumps("Metrics vs threshold"))
    assert titles[-1].startswith('"Same split, different remedies')
    assert not at.get("progress")  # the bars are gone once every fit is done


def test_a_threshold_move_changes_no_dataset_and_refits_nothing():
    """The threshold charts hold every threshold: a move changes only where their parameter starts (and in
    the browser, where the slider's fragment reruns alone, not even that: components/ui/scrub.py)."""
    from components import charts
    at = open_page(PAGE, query={im.DATA_KEY: "moons", im.STRATEGY_KEY: im.SMOTE_})
    before = drawn(at)
    param = charts.scrub_param(im.THRESHOLD_KEY)
    with mock.patch.object(im, "fit_strategy", wraps=im.fit_strategy) as spy:
        for t in (0.2, 0.73):
            at.slider(key=im.THRESHOLD_KEY).set_value(t).run()
            after = drawn(at)
            for title, (spec, data) in before.items():
                assert without_scrub_starts(after[title][0]) == without_scrub_starts(spec), title
                assert after[title][1] == data, title
                values = [p["value"] for p in json.loads(after[title][0]).get("params", []) if p["name"] == param]
                assert values in ([], [t]), (title, values)
            assert sum(param in spec for spec, _ in after.values()) == 4
            before = after
        assert spy.call_count == 0


def test_the_share_slider_refits_the_chosen_model_only_and_moves_the_sweep_rule():
    at = open_page(PAGE)
    before = drawn(at)[SWEEP_TITLE]
    with mock.patch.object(im, "fit_strategy", wraps=im.fit_strategy) as spy:
        at.slider(key=im.RATIO_KEY).set_value(0.07).run()  # not one of the sweep's shares
        assert spy.call_count == 1
    assert_clean(at)
    spec, data = drawn(at)[SWEEP_TITLE]
    assert spec == before[0]  # the sweep chart is not embedded again: only its dashed rule moves
    assert {n for n in data if data[n] != before[1][n]} == {im.RULE}
    import pyarrow as pa
    assert pa.ipc.open_stream(data[im.RULE]).read_pandas()["minority share"].tolist() == [0.07]


def test_each_strategy_is_cached_on_its_own_inputs():
    """With the comparison on, picking a strategy reuses its row's fit, the class weight refits the chosen
    model only, and k refits only the strategies that use it."""
    at = open_page(PAGE, query={im.DATA_KEY: "moons", im.COMPARE_KEY: "true"})
    assert_clean(at)
    with mock.patch.object(im, "fit_strategy", wraps=im.fit_strategy) as spy:
        at.selectbox(key=im.STRATEGY_KEY).set_value(im.SMOTE_).run()
        assert spy.call_count == 0  # the comparison fitted SMOTE on this split already
        at.selectbox(key=im.WEIGHT_KEY).set_value("balanced").run()
        assert [c.args[1] for c in spy.call_args_list] == [im.SMOTE_]
        spy.reset_mock()
        at.slider(key=im.K_KEY).set_value(3).run()
        refitted = sorted(c.args[1] for c in spy.call_args_list)
    assert_clean(at)
    # the chosen SMOTE with balanced weights, and the comparison's three strategies that use k
    assert refitted == sorted([im.SMOTE_, *im.USES_K])


def test_the_comparison_table_against_direct_pipelines():
    """Rows of the page's comparison against pipelines written out here (imbalanced-learn, scikit-learn)."""
    from imblearn.under_sampling import RandomUnderSampler
    from sklearn.preprocessing import PolynomialFeatures
    at = open_page(PAGE, query={im.DATA_KEY: "moons", im.COMPARE_KEY: "true", im.RATIO_KEY: "0.2"})
    table = at.dataframe[-1].value.set_index("strategy")
    ds = datasets.load("moons", n_samples=300, noise=0.25, seed=SEED)
    sp = im.make_split(ds.X, ds.y, 0.2, SEED)
    cubic = PolynomialFeatures(3, include_bias=False)
    for label, pipe in (
            (im.RUS, make_pipeline(StandardScaler(), RandomUnderSampler(random_state=SEED), cubic,
                                   LogisticRegression(max_iter=5000))),
            (im.BALANCED_WEIGHTS, make_pipeline(StandardScaler(), cubic,
                                                LogisticRegression(max_iter=5000, class_weight="balanced")))):
        p = pipe.fit(sp.X_train, sp.y_train).predict_proba(sp.X_test)[:, 1]
        pred = (p >= 0.5).astype(int)
        assert table.loc[label, "recall"] == pytest.approx(metrics.recall_score(sp.y_test, pred), abs=1e-9)
        assert table.loc[label, "precision"] == pytest.approx(metrics.precision_score(sp.y_test, pred,
                                                                                      zero_division=0), abs=1e-9)
        assert table.loc[label, "AP"] == pytest.approx(metrics.average_precision_score(sp.y_test, p), abs=1e-9)
    pd_table = im.compare_strategies(sp, im.K_DEFAULT, SEED, True).set_index("strategy")
    np.testing.assert_allclose(table.to_numpy(dtype=float), pd_table.to_numpy(dtype=float), rtol=1e-12)
