"""Interpretability page: component numbers against independent computations, then the page."""
from unittest import mock

import numpy as np
import pandas as pd
import pytest
from sklearn.ensemble import RandomForestClassifier
from sklearn.inspection import partial_dependence, permutation_importance
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split

from components import datasets
from components import interpretability as I
from tests.apptest_utils import assert_clean, chart_specs, metric_values, open_page, run_exported_script

PAGE = "views/beyond/interpretability.py"
SEED = 42


@pytest.fixture(scope="module")
def bc():
    return datasets.load("breast_cancer")


@pytest.fixture(scope="module")
def forest(bc):
    return I.explain(bc, I.FOREST, SEED)


@pytest.fixture(scope="module")
def linear(bc):
    return I.explain(bc, I.LINEAR, SEED)


def _independent_split(ds):
    return train_test_split(ds.X.astype(float), ds.y, test_size=I.TEST_SIZE, random_state=SEED, stratify=ds.y)


def test_forest_matches_an_independent_fit(bc, forest):
    X_tr, X_te, y_tr, y_te = _independent_split(bc)
    rf = RandomForestClassifier(n_estimators=I.N_ESTIMATORS, min_samples_leaf=2, random_state=SEED).fit(X_tr, y_tr)
    assert forest.test_score == pytest.approx(rf.score(X_te, y_te))
    np.testing.assert_allclose(forest.builtin, rf.feature_importances_)
    perm = permutation_importance(rf, X_te, y_te, scoring="neg_log_loss", n_repeats=I.n_repeats(30), random_state=SEED)
    np.testing.assert_allclose(forest.perm_mean, perm.importances_mean)
    # SHAP additivity against sklearn's own probabilities: base + sum(contributions) = P(class 1)
    np.testing.assert_allclose(forest.base_value + forest.shap_values.sum(axis=1), rf.predict_proba(X_te)[:, 1],
                               atol=1e-9)


def test_linear_shap_adds_up_to_the_logit_and_is_coef_times_centred_x(bc, linear):
    X_tr, X_te, y_tr, y_te = _independent_split(bc)
    lr = LogisticRegression(max_iter=2000).fit((X_tr - X_tr.mean()) / X_tr.std(ddof=0), y_tr)
    Z_te = (X_te - X_tr.mean()) / X_tr.std(ddof=0)
    np.testing.assert_allclose(linear.outputs, lr.decision_function(Z_te), rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(linear.base_value + linear.shap_values.sum(axis=1), linear.outputs, atol=1e-8)
    # For an independent masker, a linear model's SHAP value is coef_j * (z_j - mean_train(z_j)) = coef_j * z_j
    np.testing.assert_allclose(linear.shap_values, lr.coef_[0] * Z_te.to_numpy(), rtol=1e-5, atol=1e-6)


def test_multiclass_and_regression_add_up():
    for name in ("iris", "diabetes"):
        ds = datasets.load(name)
        for kind in I.MODELS:
            e = I.explain(ds, kind, SEED)
            np.testing.assert_allclose(e.base_value + e.shap_values.sum(axis=1), e.outputs, atol=1e-8)
    e = I.explain(datasets.load("iris"), I.FOREST, SEED)
    np.testing.assert_allclose(e.outputs, e.model.predict_proba(e.X_test)[:, 2])


def test_noise_column_fools_impurity_not_permutation(bc):
    e = I.explain(bc, I.FOREST, SEED, noise_feature=True)
    t = I.importance_table(e).set_index("feature")
    assert t.loc[I.NOISE_COLUMN, "share: impurity importance"] > 0.002
    assert t.loc[I.NOISE_COLUMN, "share: impurity importance"] > 2 * t.loc[I.NOISE_COLUMN, "share: permutation"]


def test_waterfall_chains_from_base_to_output(forest):
    wf = I.waterfall_frame(forest, 7)
    assert wf["end"].iloc[0] == pytest.approx(forest.base_value)
    assert wf["end"].iloc[-1] == pytest.approx(forest.outputs[7])
    steps = wf.iloc[1:-1]
    np.testing.assert_allclose(steps["start"].to_numpy()[1:], steps["end"].to_numpy()[:-1])
    assert steps["contribution"].sum() == pytest.approx(forest.shap_values[7].sum())


def test_narrative_names_only_features_the_waterfall_draws(forest):
    """The story and the chart beside it tell the same thing: a feature named as pushing the output up
    or down is one of the waterfall's own bars, not one folded into "other features"."""
    for row in range(len(forest.X_test)):
        wf = I.waterfall_frame(forest, row)
        bars = {step.split(" = ")[0] for step in wf["step"] if " = " in step}
        text = I.narrative(forest, row)
        named = {f for f in forest.feature_names if f"**{f} = " in text}
        assert named <= bars, (row, named - bars)
        down = wf[(wf["kind"] == "pushes down") & wf["step"].str.contains(" = ")]
        if down.empty:
            assert f"Pushing it down: nothing among the {I.WATERFALL_TOP} largest contributions" in text


def test_lime_surrogate_recovers_a_linear_model():
    ds = datasets.load("diabetes")
    e = I.explain(ds, I.LINEAR, SEED)  # standardised ridge: exactly linear in the raw features
    p = len(e.feature_names)
    res = I.lime_surrogate(e, 3, n_features=p, seed=SEED)
    assert res["fidelity"] == pytest.approx(1.0, abs=1e-9)
    assert res["surrogate_at_row"] == pytest.approx(res["model_at_row"], rel=1e-6)
    ridge, scaler = e.model[-1], e.model[0]
    sd = e.X_train.to_numpy().std(axis=0)
    expected = dict(zip(e.feature_names, ridge.coef_ / scaler.scale_ * sd))  # per training std
    for f, w in zip(res["weights"]["feature"], res["weights"]["weight"]):
        assert w == pytest.approx(expected[f], rel=1e-6, abs=1e-6)
    small = I.lime_surrogate(e, 3, n_features=3, seed=SEED)
    assert len(small["weights"]) == 3 and small["fidelity"] < 1.0
    # the page's split: model outputs once per row, then the k-feature fit
    samples = I.lime_samples(e, 3, seed=SEED)
    again = I.lime_fit(e.feature_names, samples, 3)
    assert again["fidelity"] == small["fidelity"] and again["weights"].equals(small["weights"])


@pytest.mark.parametrize("kind", [I.FOREST, I.LINEAR])
def test_lime_outputs_for_every_row_equal_one_row_at_a_time(forest, kind):
    """The page asks the model about every row's neighbourhood in blocks, once per fit: each row's
    line must be the model's output on that row's perturbed copies, built here independently."""
    e = forest if kind == I.FOREST else I.explain(datasets.load("breast_cancer"), I.LINEAR, SEED)
    outputs = I.lime_outputs(e, seed=SEED, rows_per_call=7)  # blocks that do not divide the rows
    assert outputs.shape == (len(e.X_test), I.LIME_SAMPLES)
    sd = e.X_train.to_numpy(dtype=float).std(axis=0)
    Z = np.random.default_rng(SEED).normal(size=(I.LIME_SAMPLES, len(e.feature_names)))
    Z[0] = 0.0
    for row in (0, 8, len(e.X_test) - 1):
        copies = pd.DataFrame(e.X_test.to_numpy(dtype=float)[row] + Z * sd * I.LIME_SCALE, columns=e.feature_names)
        direct = e.model.predict_proba(copies)[:, e.class_index] if kind == I.FOREST else \
            e.model.decision_function(copies)
        np.testing.assert_allclose(outputs[row], direct, rtol=1e-9, atol=1e-12)
        a = I.lime_fit(e.feature_names, I.lime_samples(e, row, seed=SEED, outputs=outputs), 4)
        b = I.lime_fit(e.feature_names, I.lime_samples(e, row, seed=SEED), 4)
        assert a["weights"]["feature"].tolist() == b["weights"]["feature"].tolist()
        np.testing.assert_allclose(a["weights"]["weight"], b["weights"]["weight"], rtol=1e-7, atol=1e-9)


def test_pdp_matches_sklearn(forest):
    feature = I.ranked_features(forest)[0]
    pd_df, ice_df = I.pdp_frame(forest, feature, seed=SEED)
    X = forest.X_train.sample(I.ICE_LINES, random_state=SEED)
    ref = partial_dependence(forest.model, X, [feature], kind="average", grid_resolution=I.PDP_GRID)
    np.testing.assert_allclose(pd_df["average"], ref["average"][0])
    assert ice_df["line"].nunique() == I.ICE_LINES
    # the average of the ICE lines is the PDP
    np.testing.assert_allclose(ice_df.groupby(feature)["prediction"].mean().to_numpy(), pd_df["average"])


@pytest.mark.parametrize("name, kind", [("iris", I.LINEAR), ("diabetes", I.FOREST), ("wine", I.FOREST),
                                        ("churn", I.LINEAR)])
def test_pdp_grid_and_ice_match_sklearn_on_every_feature(name, kind):
    """The frames the page draws hold partial_dependence(kind="both")'s grid, ICE lines and average for
    the explained class, for every feature (few-valued ones use their values), multi-class included."""
    e = I.explain(datasets.load(name), kind, SEED)
    k = e.class_index if e.task == datasets.CLASSIFICATION else 0
    X = e.X_train.sample(min(I.ICE_LINES, len(e.X_train)), random_state=SEED)
    for feature in e.feature_names:
        pd_df, ice_df = I.pdp_frame(e, feature, seed=SEED)
        ref = partial_dependence(e.model, X, [feature], kind="both", grid_resolution=I.PDP_GRID)
        avg, ind = np.asarray(ref["average"]), np.asarray(ref["individual"])
        row = k if avg.shape[0] > 1 else 0
        np.testing.assert_allclose(pd_df[feature], ref["grid_values"][0], rtol=0, atol=1e-12)
        np.testing.assert_allclose(pd_df["average"], avg[row], rtol=1e-9, atol=1e-12)
        mine = ice_df.pivot(index="line", columns=feature, values="prediction").to_numpy()
        np.testing.assert_allclose(mine, ind[row], rtol=1e-9, atol=1e-12)


def test_exported_script_reproduces_the_numbers(forest, bc):
    out = run_exported_script(I.export_code("breast_cancer", I.FOREST, SEED, False, 7))
    mine = I.page_numbers(forest, 7)
    assert out["top_permutation_feature"] == mine["top_permutation_feature"]
    for k in ("test_score", "base_value", "row_output", "row_shap_sum"):
        assert out[k] == pytest.approx(mine[k], abs=1e-9), k
    out = run_exported_script(I.export_code("xor", I.LINEAR, SEED, True, 3, 200, 0.3))
    e = I.explain(datasets.load("xor", 200, 0.3, SEED), I.LINEAR, SEED, True)
    assert out["row_output"] == pytest.approx(I.page_numbers(e, 3)["row_output"], abs=1e-9)


# ---------------------------------------------------------------- the page
def test_page_renders_and_adds_up():
    at = open_page(PAGE)
    assert_clean(at, PAGE)
    m = metric_values(at)
    assert m["Base + sum of SHAP"] == m["Model output"]
    assert m["Explained output"] == "P(benign)"
    assert len(at.get("vega_lite_chart")) >= 5


def test_row_change_reads_cache_and_model_change_refits():
    with mock.patch.object(I, "explain", wraps=I.explain) as spy:
        at = open_page(PAGE, query={"app.seed": "7"})
        calls = spy.call_count
        story = lambda: next(m.value for m in at.markdown if m.value.startswith("For this row"))
        before = story()
        at.slider(key=I.ROW_KEY).set_value(11).run()
        assert_clean(at)
        assert spy.call_count == calls, "changing the explained row must not refit"
        m = metric_values(at)
        assert story() != before
        assert m["Base + sum of SHAP"] == m["Model output"]
        at.slider(key=I.LIME_K_KEY).set_value(2).run()
        assert spy.call_count == calls
        at.selectbox(key=I.MODEL_KEY).set_value(I.LINEAR).run()
        assert_clean(at)
        assert spy.call_count == calls + 1
        assert metric_values(at)["Explained output"].startswith("log-odds")


def test_row_switch_reads_cached_shap_values_only():
    """Another row: no refit, no explainer, no new SHAP values; the numbers still come from those values."""
    at = open_page(PAGE)
    e = I.explain(datasets.load("breast_cancer"), I.FOREST, 42)  # the page's default fit, independently
    with mock.patch.object(I.shap, "TreeExplainer", wraps=I.shap.TreeExplainer) as tree, \
            mock.patch.object(I.shap, "LinearExplainer", wraps=I.shap.LinearExplainer) as linear, \
            mock.patch.object(I, "explain", wraps=I.explain) as fit, \
            mock.patch.object(I, "output_function", wraps=I.output_function) as model_calls:
        for row in (5, 23, 5):
            at.slider(key=I.ROW_KEY).set_value(row).run()
            assert_clean(at)
            m = metric_values(at)
            assert m["Model output"] == f"{e.model.predict_proba(e.X_test)[row, 1]:.4f}"
            assert m["Base + sum of SHAP"] == f"{e.base_value + e.shap_values[row].sum():.4f}"
            waterfall = next(s for s in chart_specs(at) if "SHAP waterfall for test row" in str(s.get("title")))
            assert f"test row {row}:" in waterfall["title"]
        assert (tree.call_count, linear.call_count, fit.call_count, model_calls.call_count) == (0, 0, 0, 0)
    with mock.patch.object(I, "lime_samples", wraps=I.lime_samples) as samples:
        at.slider(key=I.LIME_K_KEY).set_value(3).run()  # a smaller surrogate: refit on the cached samples
        assert_clean(at)
        assert samples.call_count == 0
        assert "a 3-feature linear model" in " ".join(m.value for m in at.markdown)


def test_url_sets_widgets_and_noise_adds_a_feature():
    at = open_page(PAGE, query={I.MODEL_KEY: I.LINEAR, I.NOISE_KEY: "true", I.ROW_KEY: "4",
                                "app.dataset": "wine"})
    assert_clean(at)
    assert at.selectbox(key=I.MODEL_KEY).value == I.LINEAR
    assert at.slider(key=I.ROW_KEY).value == 4
    assert metric_values(at)["Features"] == "14"
    assert any("explains the last one" in str(i.value) for i in at.info)


def test_regression_dataset_and_pdp_rank():
    at = open_page(PAGE, query={"app.dataset": "diabetes"})
    assert_clean(at)
    assert "R²" in " ".join(metric_values(at))
    specs_before = chart_specs(at)
    at.slider(key=I.PDP_RANK_KEY).set_value(10).run()
    assert_clean(at)
    assert chart_specs(at) != specs_before


def test_the_noise_column_is_always_in_the_importance_chart():
    """On breast_cancer it ranks 25th-30th by every method: the chart still shows it, so the toggle shows
    something."""
    e = I.explain(datasets.load("breast_cancer"), I.FOREST, SEED, noise_feature=True)
    table = I.importance_table(e)
    assert I.NOISE_COLUMN not in set(table.head(I.TOP_FEATURES)["feature"])
    assert I.NOISE_COLUMN in set(I.importance_long(table)["feature"])
    assert I.NOISE_COLUMN not in set(I.importance_long(I.importance_table(I.explain(
        datasets.load("breast_cancer"), I.FOREST, SEED)))["feature"])
