"""Interpretability page: component numbers against independent computations, then the page."""
import re
from unittest import mock

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
import shap
from sklearn.ensemble import RandomForestClassifier
from sklearn.inspection import partial_dependence, permutation_importance
from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge
from sklearn.metrics import r2_score
from sklearn.model_selection import train_test_split

from components import charts, datasets
from components import interpretability as I
from tests.apptest_utils import assert_clean, chart_specs, metric_values, open_page, run_exported_script
from tests.chart_utils import scrub_start, without_scrub_starts

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
    # what the label says: the log-odds of benign, log P / (1 - P), from the independent fit's probabilities
    assert linear.output_name == "log-odds of benign"
    P = lr.predict_proba(Z_te)[:, 1]
    np.testing.assert_allclose(linear.base_value + linear.shap_values.sum(axis=1), np.log(P / (1 - P)), atol=1e-6)
    # For an independent masker, a linear model's SHAP value is coef_j * (z_j - mean_train(z_j)) = coef_j * z_j
    np.testing.assert_allclose(linear.shap_values, lr.coef_[0] * Z_te.to_numpy(), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name, seed", [("wine", 0), ("wine", 5), ("iris", 42), ("digits", 1)])
def test_multiclass_linear_model_explains_the_quantity_its_label_names(name, seed):
    """Softmax regression: the label says "softmax logit z of <class>", defined on the page as
    log P(class) - the mean of log P over the classes. Base value + sum of SHAP values equals that, computed
    here from an independent fit's probabilities; the log-odds log P / (1 - P) the row's story also gives is
    another number."""
    ds = datasets.load(name)
    e = I.explain(ds, I.LINEAR, seed)
    X = ds.X.astype(float)
    X_tr, X_te, y_tr, _ = train_test_split(X, ds.y, test_size=I.TEST_SIZE, random_state=seed, stratify=ds.y)
    sd = X_tr.std(ddof=0).replace(0, 1.0)  # StandardScaler leaves constant columns (digits' blank pixels) as they are
    lr = LogisticRegression(max_iter=2000).fit((X_tr - X_tr.mean()) / sd, y_tr)
    log_P = np.log(lr.predict_proba((X_te - X_tr.mean()) / sd))
    k = ds.n_classes - 1
    assert e.output_name == f"softmax logit z of {ds.target_names[k]}"
    labelled = log_P[:, k] - log_P.mean(axis=1)
    np.testing.assert_allclose(e.base_value + e.shap_values.sum(axis=1), labelled, rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(e.outputs, labelled, rtol=1e-6, atol=1e-6)
    P = lr.predict_proba((X_te - X_tr.mean()) / sd)
    log_odds = log_P[:, k] - np.log(np.delete(P, k, axis=1).sum(axis=1))  # log P(k) - log P(not k)
    np.testing.assert_allclose(e.log_odds, log_odds, rtol=1e-6, atol=1e-6)
    assert np.abs(labelled - log_odds).max() > 0.5  # not the same quantity
    for row in (0, len(X_te) - 1):
        text = I.narrative(e, row, tuple(ds.target_names))
        assert f"is **{labelled[row]:.3f}** against" in text
        assert f"log P/(1 − P) = **{log_odds[row]:.3f}**" in text
        assert ("It is not the log-odds" in text) == (f"{labelled[row]:.3f}" != f"{log_odds[row]:.3f}")
    assert "against the rest\" model" in I.class_note(e)


def test_the_issue_example_z_is_not_the_log_odds():
    """wine, seed 5, the noise column on, test row 20: z = -5.31 where the log-odds of class_2 is -9.62."""
    ds = datasets.load("wine")
    e = I.explain(ds, I.LINEAR, 5, noise_feature=True)
    assert e.outputs[20] == pytest.approx(-5.312, abs=5e-4)
    assert e.log_odds[20] == pytest.approx(-9.623, abs=5e-4)
    P = e.model.predict_proba(e.X_test)[20]
    assert np.log(P[2] / (1 - P[2])) == pytest.approx(e.log_odds[20], abs=1e-6)
    assert np.log(P[2]) - np.log(P).mean() == pytest.approx(e.outputs[20], abs=1e-6)
    text = I.narrative(e, 20, tuple(ds.target_names))
    assert "softmax logit z of class_2 is **-5.312**" in text and "log P/(1 − P) = **-9.623**" in text


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


def _ice_by_hand(output, rows: pd.DataFrame, feature: str, grid) -> np.ndarray:
    """ICE lines written out: each row's output with the feature set to each grid value."""
    lines = np.empty((len(rows), len(grid)))
    for g, v in enumerate(grid):
        lines[:, g] = output(rows.assign(**{feature: float(v)}))
    return lines


@pytest.mark.parametrize("name, kind", [("iris", I.LINEAR), ("diabetes", I.FOREST), ("wine", I.FOREST),
                                        ("churn", I.LINEAR)])
def test_pdp_grid_and_ice_match_sklearn_on_every_feature(name, kind):
    """The frames the page draws hold partial_dependence(kind="both")'s grid (few-valued features use their
    values) and its ICE lines and average for the explained output, for every feature: the forest's
    P(class) and the regression's prediction as sklearn computes them, the logistic model's explained logit
    (the same output SHAP explains) written out by hand. The linear model's centred lines coincide."""
    e = I.explain(datasets.load(name), kind, SEED)
    k = e.class_index if e.task == datasets.CLASSIFICATION else 0
    X = e.X_train.sample(min(I.ICE_LINES, len(e.X_train)), random_state=SEED)
    if kind == I.LINEAR:
        def output(A):
            d = e.model.decision_function(A)
            return d if d.ndim == 1 else d[:, k] - d.mean(axis=1)
    for feature in e.feature_names:
        pd_df, ice_df = I.pdp_frame(e, feature, seed=SEED)
        ref = partial_dependence(e.model, X, [feature], kind="both", grid_resolution=I.PDP_GRID)
        np.testing.assert_allclose(pd_df[feature], ref["grid_values"][0], rtol=0, atol=1e-12)
        mine = ice_df.pivot(index="line", columns=feature, values="prediction").to_numpy()
        if kind == I.LINEAR:
            lines = _ice_by_hand(output, X, feature, ref["grid_values"][0])
            np.testing.assert_allclose(mine, lines, rtol=1e-9, atol=1e-9)
            np.testing.assert_allclose(pd_df["average"], lines.mean(axis=0), rtol=1e-9, atol=1e-9)
            centred = lines - lines[:, [0]]
            np.testing.assert_allclose(centred, np.broadcast_to(centred[0], centred.shape), atol=1e-9)
        else:
            avg, ind = np.asarray(ref["average"]), np.asarray(ref["individual"])
            row = k if avg.shape[0] > 1 else 0
            np.testing.assert_allclose(pd_df["average"], avg[row], rtol=1e-9, atol=1e-12)
            np.testing.assert_allclose(mine, ind[row], rtol=1e-9, atol=1e-12)


def test_exported_script_reproduces_the_numbers(forest, bc):
    out = run_exported_script(I.export_code("breast_cancer", I.FOREST, SEED, False, 7))
    mine = I.page_numbers(forest, 7)
    assert out["top_permutation_feature"] == mine["top_permutation_feature"]
    for k in ("test_score", "base_value", "row_output", "row_shap_sum"):
        assert out[k] == pytest.approx(mine[k], abs=1e-9), k
    assert out["row_log_odds"] is None
    out = run_exported_script(I.export_code("xor", I.LINEAR, SEED, True, 3, 200, 0.3))
    e = I.explain(datasets.load("xor", 200, 0.3, SEED), I.LINEAR, SEED, True)
    assert out["row_output"] == pytest.approx(I.page_numbers(e, 3)["row_output"], abs=1e-9)
    assert out["row_log_odds"] == pytest.approx(out["row_output"], abs=1e-12)  # binary: the output is the log-odds
    # multi-class: the script explains the centred softmax logit and prints the log-odds beside it
    out = run_exported_script(I.export_code("wine", I.LINEAR, 5, True, 20))
    mine = I.page_numbers(I.explain(datasets.load("wine"), I.LINEAR, 5, True), 20)
    for k in ("test_score", "base_value", "row_output", "row_shap_sum", "row_log_odds"):
        assert out[k] == pytest.approx(mine[k], abs=1e-9), k
    assert out["row_output"] == pytest.approx(-5.312, abs=5e-4)
    assert out["row_log_odds"] == pytest.approx(-9.623, abs=5e-4)


# ---------------------------------------------------------------- generated texts, across seeds and datasets
class _Reference:
    """The page's fit written out independently: split, model, explained output, SHAP values."""

    def __init__(self, name: str, seed: int, kind: str):
        ds = datasets.load(name)
        X = ds.X.astype(float)
        self.X_tr, self.X_te, y_tr, self.y_te = train_test_split(X, ds.y, test_size=I.TEST_SIZE, random_state=seed,
                                                                 stratify=ds.y)
        k = self.k = ds.n_classes - 1
        self.cls = ds.target_names[k]
        if kind == I.FOREST:
            rf = RandomForestClassifier(n_estimators=I.N_ESTIMATORS, min_samples_leaf=2, random_state=seed).fit(
                self.X_tr, y_tr)
            self.output = lambda A: rf.predict_proba(A)[:, k]
            ex = shap.TreeExplainer(rf)
            self.shap = np.asarray(ex.shap_values(self.X_te, check_additivity=False))[:, :, k]
            self.base = float(ex.expected_value[k])
            self.name = f"P({self.cls})"
            self.log_odds = None
        else:
            mu, sd = self.X_tr.mean(), self.X_tr.std(ddof=0)
            lr = LogisticRegression(max_iter=2000).fit((self.X_tr - mu) / sd, y_tr)
            def proba(A):
                return lr.predict_proba((A - mu) / sd)

            def output(A):  # the label's quantity, from probabilities
                log_P = np.log(proba(A))
                return log_P[:, 1] - log_P[:, 0] if ds.n_classes == 2 else log_P[:, k] - log_P.mean(axis=1)
            self.output = output
            coef = lr.coef_[0] if ds.n_classes == 2 else lr.coef_[k] - lr.coef_.mean(axis=0)
            self.shap = coef * ((self.X_te - mu) / sd).to_numpy()  # linear SHAP, independent masker: w_j (z_j - 0)
            self.base = float(output(self.X_tr).mean())  # linear: the mean output is the output at the mean
            self.name = f"log-odds of {self.cls}" if ds.n_classes == 2 else f"softmax logit z of {self.cls}"
            P = proba(self.X_te)
            self.log_P = np.log(P[:, k])
            self.log_odds = self.log_P - np.log(np.delete(P, k, axis=1).sum(axis=1))
        self.outputs = self.output(self.X_te)


TEXT_CASES = [(name, seed, kind) for name in ("breast_cancer", "wine") for seed in (0, 1, SEED) for kind in I.MODELS]


@pytest.fixture(scope="module")
def text_fits():
    cache = {}

    def get(name, seed, kind):
        if (name, seed, kind) not in cache:
            cache[(name, seed, kind)] = (I.explain(datasets.load(name), kind, seed), _Reference(name, seed, kind))
        return cache[(name, seed, kind)]
    return get


def _lime_by_hand(ref: _Reference, row: int, k: int, seed: int) -> tuple[list[str], float, float]:
    """The surrogate written out: Gaussian copies (LIME_SCALE training std), kernel exp(-d^2 / w^2) with
    w = 0.75 sqrt(p), the top-k features by a weighted ridge on all of them, then weighted least squares."""
    X = ref.X_tr.to_numpy()
    p = X.shape[1]
    sd = X.std(axis=0)
    Z = np.random.default_rng(seed).normal(size=(I.LIME_SAMPLES, p))
    Z[0] = 0.0
    D = Z * I.LIME_SCALE
    y = ref.output(pd.DataFrame(ref.X_te.to_numpy()[row] + D * sd, columns=ref.X_tr.columns))
    w = np.exp(-(D ** 2).sum(axis=1) / (0.75 ** 2 * p))
    full = Ridge(alpha=1e-3).fit(D, y, sample_weight=w)
    chosen = np.sort(np.argsort(-np.abs(full.coef_))[:k])
    line = LinearRegression().fit(D[:, chosen], y, sample_weight=w)
    return ([ref.X_tr.columns[j] for j in chosen], r2_score(y, line.predict(D[:, chosen]), sample_weight=w),
            r2_score(y, full.predict(D), sample_weight=w))


@pytest.mark.parametrize("name, seed, kind", TEXT_CASES)
def test_generated_texts_state_what_independent_numbers_show(text_fits, name, seed, kind):
    """Every sentence the page generates about the explained output, the row's story, the surrogate and the
    beeswarm, checked against the fit written out independently in this test, on two datasets, three seeds
    and both models."""
    e, ref = text_fits(name, seed, kind)
    assert e.output_name == ref.name
    np.testing.assert_allclose(e.outputs, ref.outputs, rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(e.base_value + e.shap_values.sum(axis=1), ref.outputs, atol=1e-6)
    names = list(ref.X_tr.columns)
    classes = tuple(datasets.load(name).target_names)
    for row in (0, 7, len(ref.X_te) - 1):
        text = I.narrative(e, row, classes)
        assert f"Its {ref.name} is **{ref.outputs[row]:.3f}** against an average of **{ref.base:.3f}**" in text
        up, down = text.split("Pushing it up:")[1].split("Pushing it down:")
        for f in names:  # a feature said to push up has a positive SHAP value, one said to push down a negative one
            if f"**{f} = " in up:
                assert ref.shap[row, names.index(f)] > 0, (row, f)
            if f"**{f} = " in down:
                assert ref.shap[row, names.index(f)] < 0, (row, f)
        if ref.log_odds is not None:
            assert f"P({ref.cls}) = {np.exp(ref.log_P[row]):.3g}" in text
            if len(classes) > 2:
                assert f"log P/(1 − P) = **{ref.log_odds[row]:.3f}**" in text
        else:
            assert "log-odds" not in text
        for k in (2, I.LIME_K_DEFAULT):
            lime = I.lime_surrogate(e, row, n_features=k, seed=seed)
            chosen, fidelity, full = _lime_by_hand(ref, row, k, seed)
            assert sorted(lime["weights"]["feature"]) == sorted(chosen)
            said = I.lime_text(lime, e)
            assert f"Local fidelity (weighted R²) **{fidelity:.2f}**" in said
            assert f"explains {fidelity:.0%} of the output's weighted variation" in said
            if fidelity >= 0.9:
                assert "it tracks the model closely" in said
            elif full >= 0.9:
                assert f"a line on all {len(names)} features explains {full:.0%}, so the features left out" in said
            else:
                assert "the model is not linear near this row" in said
                if k < len(names):
                    assert f"even a line on all {len(names)} features explains only {full:.0%}" in said
            assert f"fitted by weighted least squares to the model's {ref.name}" in said
    bees = I.beeswarm_frame(e, seed=seed)
    caption = I.beeswarm_caption(e, bees)
    n_test = len(ref.X_te)
    assert f"each dot is one of {min(n_test, I.BEESWARM_ROWS)} test rows" in caption
    assert ("a random" in caption) == (n_test > I.BEESWARM_ROWS)
    if len(classes) > 2:
        note = I.class_note(e)
        assert f"the last one, **{ref.cls}**" in note
        assert ("no \"" + ref.cls + " against the rest\" model" in note) == (kind == I.LINEAR)


@pytest.mark.parametrize("name, seed, kind", TEXT_CASES)
def test_ice_sentences_state_what_the_lines_show(text_fits, name, seed, kind):
    """The PDP's sentences for the two most important features: parallel or not, the spread of the centred
    ICE lines and the PDP's range, the most correlated feature and the share of the PDP's points off the
    data's trend, each computed here from ICE lines written out by hand."""
    e, ref = text_fits(name, seed, kind)
    rows = ref.X_tr.sample(I.ICE_LINES, random_state=seed)
    X = ref.X_tr.to_numpy()
    names = list(ref.X_tr.columns)
    for feature in I.ranked_features(e)[:2]:
        pd_df, ice_df = I.pdp_frame(e, feature, seed=seed)
        grid = pd_df[feature].to_numpy()
        lines = _ice_by_hand(ref.output, rows, feature, grid)
        np.testing.assert_allclose(pd_df["average"], lines.mean(axis=0), rtol=1e-6, atol=1e-6)
        centred = lines - lines[:, [0]]
        spread = centred.std(axis=0).mean()
        text = I.ice_text(I.ice_summary(e, feature, pd_df, ice_df, seed=seed), feature, ref.name)
        if kind == I.LINEAR:  # no interaction in the logit: the lines coincide once centred (up to the
            # rounding of log P computed here from probabilities near 0 or 1)
            assert spread < 1e-6 * max(1.0, np.abs(lines).max()) and "ICE lines are parallel" in text
        else:
            assert spread > 1e-6 and "ICE lines are not parallel" in text
            assert f"they spread by {spread:.3g} on average" in text
        assert f"range {np.ptp(lines.mean(axis=0)):.3g}" in text.replace("PDP range of", "range")
        j = names.index(feature)
        r = np.corrcoef(X, rowvar=False)[j]
        r[j] = 0.0
        m = int(np.argmax(np.abs(r)))
        assert f"**{names[m]}** (r = {r[m]:+.2f})" in text
        slope, intercept = np.polyfit(X[:, j], X[:, m], 1)
        widest = np.abs(X[:, m] - (intercept + slope * X[:, j])).max()
        off = np.abs(rows.iloc[:, m].to_numpy()[:, None] - (intercept + slope * grid)[None, :]) > widest
        share = off.mean()
        if share == 0:
            assert f"none of those {off.size} combinations" in text
        else:
            pct = f"{share:.1%}" if share < 0.01 else f"{share:.0%}"
            assert f"{pct} of those {off.size} combinations lie farther" in text


# ---------------------------------------------------------------- the page
def test_page_renders_and_adds_up():
    at = open_page(PAGE)
    assert_clean(at, PAGE)
    m = metric_values(at)
    assert m["Base + sum of SHAP"] == m["Model output"]
    assert m["Explained output"] == "P(benign)"
    assert len(at.get("vega_lite_chart")) >= 5


def test_row_change_reads_cache_and_model_change_refits():
    with mock.patch.object(I, "explain_locally", wraps=I.explain_locally) as spy, \
            mock.patch.object(I, "permutation", wraps=I.permutation) as perm:
        at = open_page(PAGE, query={"app.seed": "7"})
        calls = spy.call_count
        assert (calls, perm.call_count) == (1, 1)
        story = lambda: next(m.value for m in at.markdown if m.value.startswith("For this row"))
        before = story()
        at.slider(key=I.ROW_KEY).set_value(11).run()
        assert_clean(at)
        assert spy.call_count == calls, "changing the explained row must not refit"
        m = metric_values(at)
        assert story() != before
        assert m["Base + sum of SHAP"] == m["Model output"]
        at.slider(key=I.LIME_K_KEY).set_value(2).run()
        at.slider(key=I.PDP_RANK_KEY).set_value(3).run()
        assert (spy.call_count, perm.call_count) == (calls, 1)
        at.selectbox(key=I.MODEL_KEY).set_value(I.LINEAR).run()
        assert_clean(at)
        assert (spy.call_count, perm.call_count) == (calls + 1, 2)
        assert metric_values(at)["Explained output"].startswith("log-odds")


def test_row_switch_reads_cached_shap_values_only():
    """Another row: no refit, no explainer, no new SHAP values; the numbers still come from those values."""
    at = open_page(PAGE)
    e = I.explain(datasets.load("breast_cancer"), I.FOREST, 42)  # the page's default fit, independently
    specs = [c.proto.spec for c in at.get("vega_lite_chart")]
    data = [[d.data.data for d in c.proto.datasets] for c in at.get("vega_lite_chart")]
    with mock.patch.object(I.shap, "TreeExplainer", wraps=I.shap.TreeExplainer) as tree, \
            mock.patch.object(I.shap, "LinearExplainer", wraps=I.shap.LinearExplainer) as linear, \
            mock.patch.object(I, "explain_locally", wraps=I.explain_locally) as fit, \
            mock.patch.object(I, "permutation", wraps=I.permutation) as perm, \
            mock.patch.object(I, "output_function", wraps=I.output_function) as model_calls:
        for row in (5, 23, 5):
            at.slider(key=I.ROW_KEY).set_value(row).run()
            assert_clean(at)
            m = metric_values(at)
            assert m["Model output"] == f"{e.model.predict_proba(e.X_test)[row, 1]:.4f}"
            assert m["Base + sum of SHAP"] == f"{e.base_value + e.shap_values[row].sum():.4f}"
            assert any(c.value.startswith(f"SHAP waterfall for test row {row}:") for c in at.caption)
            # a scrubbing control: every chart keeps its spec and its data, only where the row parameter starts
            assert [without_scrub_starts(c.proto.spec) for c in at.get("vega_lite_chart")] == \
                [without_scrub_starts(spec) for spec in specs]
            assert [[d.data.data for d in c.proto.datasets] for c in at.get("vega_lite_chart")] == data
            waterfall = next(c for c in at.get("vega_lite_chart") if "SHAP waterfall" in c.proto.spec)
            assert scrub_start(waterfall.proto.spec, I.ROW_KEY) == row
            drawn = {d.name: pa.ipc.open_stream(d.data.data).read_pandas() for d in waterfall.proto.datasets}
            steps = drawn[I.WATERFALL_DATASET]
            assert np.allclose(steps[steps[charts.SCRUB_COLUMN] == row]["end"].iloc[-1], e.outputs[row])
        assert (tree.call_count, linear.call_count, fit.call_count, perm.call_count,
                model_calls.call_count) == (0, 0, 0, 0, 0)
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


def test_page_on_multiclass_linear_names_the_softmax_logit_and_gives_the_log_odds():
    """The issue's example on screen: wine, seed 5, the noise column, linear model, test row 20."""
    at = open_page(PAGE, query={"app.dataset": "wine", "app.seed": "5", I.MODEL_KEY: I.LINEAR, I.NOISE_KEY: "true",
                                I.ROW_KEY: "20"})
    assert_clean(at, PAGE)
    assert metric_values(at)["Explained output"] == "softmax logit z of class_2"
    note = " ".join(str(i.value) for i in at.info)
    assert "no \"class_2 against the rest\" model" in note and "against the rest." not in note
    texts = [m.value for m in at.markdown]
    story = next(t for t in texts if t.startswith("For this row"))
    assert "is **-5.312**" in story and "log P/(1 − P) = **-9.623**" in story
    assert any(t.startswith("**LIME-style surrogate**") and "softmax logit z of class_2" in t for t in texts)
    assert any("ICE lines are parallel" in t for t in texts)  # a linear logit has no interactions
    assert any("Not the `lime` package's weights" in str(c.value) for c in at.caption)
    titles = [str(s.get("title")) for s in chart_specs(at)]
    assert any("Partial dependence of softmax logit z of class_2" in t for t in titles)


def test_page_ice_sentence_follows_the_feature_shown():
    at = open_page(PAGE, query={"app.seed": "1"})
    assert_clean(at)
    e = I.explain(datasets.load("breast_cancer"), I.FOREST, 1)
    for rank in (1, 4):
        at.slider(key=I.PDP_RANK_KEY).set_value(rank).run()
        feature = I.ranked_features(e)[rank - 1]
        pd_df, ice_df = I.pdp_frame(e, feature, seed=1)
        expected = I.ice_text(I.ice_summary(e, feature, pd_df, ice_df, seed=1), feature, e.output_name)
        assert expected in [m.value for m in at.markdown]
        assert re.search(r"ICE lines are (not )?parallel", expected)


@pytest.mark.parametrize("dataset, seed, model", [("breast_cancer", SEED, I.FOREST), ("wine", 5, I.LINEAR),
                                                  ("diabetes", 1, I.FOREST)])
def test_the_row_charts_hold_at_every_position_what_a_row_move_showed(dataset, seed, model):
    """Each position p of the row slider keeps the rows of test row p % n: row_view's waterfall and
    lime_view's surrogate weights (lime_fit per row, with scikit-learn), and nothing else."""
    s = I.FitSettings(dataset, seed=seed, model_kind=model)
    k = 4
    specs = I.local_specs(s, k)
    n = len(I.local_fit(s).X_test)
    for name, spec in specs.items():
        assert [p["name"] for p in spec["params"]] == [charts.scrub_param(I.ROW_KEY)]
        assert spec["params"][0]["bind"] == {"input": "range", "min": I.ROW_MIN, "max": I.ROW_MAX, "step": 1}
    waterfall, lime = (pa.ipc.open_stream(specs[name]["datasets"][name]).read_pandas()
                       for name in (I.WATERFALL_DATASET, I.LIME_DATASET))
    assert set(waterfall[charts.SCRUB_COLUMN]) == set(lime[charts.SCRUB_COLUMN]) == set(map(float, I.ROW_POSITIONS))
    for position in I.ROW_POSITIONS:
        row = position % n
        at = waterfall[waterfall[charts.SCRUB_COLUMN] == position].drop(columns=charts.SCRUB_COLUMN)
        pd.testing.assert_frame_equal(at.reset_index(drop=True), pd.DataFrame(I.row_view(s, row)["records"]))
        at = lime[lime[charts.SCRUB_COLUMN] == position].drop(columns=charts.SCRUB_COLUMN).reset_index(drop=True)
        want = pd.DataFrame(I.lime_view(s, row, k)["records"])
        assert list(at["feature"]) == list(want["feature"]) and len(at) == k
        np.testing.assert_allclose(at[["weight", "value"]].to_numpy(), want[["weight", "value"]].to_numpy(),
                                   rtol=1e-9, atol=1e-12)
    # what a position draws: the row's waterfall from base to output and its surrogate's weights
    e = I.explain(datasets.load(dataset), model, seed)
    steps = waterfall[waterfall[charts.SCRUB_COLUMN] == 40 % n]
    assert steps["end"].iloc[0] == pytest.approx(e.base_value)
    assert steps["end"].iloc[-1] == pytest.approx(e.outputs[40 % n])
    assert steps["contribution"].iloc[1:-1].sum() == pytest.approx(e.shap_values[40 % n].sum())
