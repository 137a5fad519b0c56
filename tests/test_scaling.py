"""Scaling lab: the component against direct scikit-learn/numpy computations, and the page."""
import json
import re
import warnings
from unittest import mock

import altair as alt
import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.datasets import load_breast_cancer, load_iris, load_wine
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_score
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MaxAbsScaler, MinMaxScaler, QuantileTransformer, RobustScaler, StandardScaler
from sklearn.svm import SVC
from sklearn.tree import DecisionTreeClassifier

from components import boundary, charts
from components import scaling as sc
from tests.apptest_utils import assert_clean, chart_specs, metric_values, open_page, recording, run_exported_script
from tests.chart_utils import assert_converts_like_streamlit

PAGE = "views/data/scaling.py"
SEED = 42


@pytest.fixture(scope="module")
def bc():
    b = load_breast_cancer()
    return pd.DataFrame(b.data, columns=list(b.feature_names)), pd.Series(b.target)


def test_outliers_sit_at_q3_plus_extreme_iqr(bc):
    X, _ = bc
    Xo, mask = sc.inject_outliers(X, 7, 12, SEED)
    assert mask.sum() == 7
    expected = X.quantile(0.75) + 12 * (X.quantile(0.75) - X.quantile(0.25))
    assert np.allclose(Xo[mask].to_numpy(), np.tile(expected.to_numpy(), (7, 1)))
    assert np.allclose(Xo[~mask].to_numpy(), X[~mask].to_numpy())
    X0, m0 = sc.inject_outliers(X, 0, 12, SEED)
    assert not m0.any() and np.allclose(X0.to_numpy(), X.to_numpy())


def test_outliers_squash_min_max_but_not_robust(bc):
    X, y = bc
    Xo, mask = sc.inject_outliers(X, 5, 20, SEED)
    pair = sc.boundary_pair(X, y, "classification")
    table = sc.squash_table(X, Xo, mask, pair, SEED).set_index(["feature", "scaler"])
    f = pair[0]
    z = MinMaxScaler().fit_transform(Xo[[f]])[~mask, 0]
    assert table.loc[(f, "min-max"), "inlier IQR, with outliers"] == pytest.approx(
        np.percentile(z, 75) - np.percentile(z, 25))
    r = RobustScaler().fit_transform(Xo[[f]])[~mask, 0]
    assert table.loc[(f, "robust"), "inlier IQR, with outliers"] == pytest.approx(
        np.percentile(r, 75) - np.percentile(r, 25))
    assert table.loc[(f, "min-max"), "kept"] < 0.5
    assert table.loc[(f, "robust"), "kept"] > 0.85
    assert table.loc[(f, "none"), "kept"] == pytest.approx(1.0)


def test_boundary_pair_has_very_different_scales(bc):
    X, y = bc
    a, b = sc.boundary_pair(X, y, "classification")
    assert a != b and X[a].std() > 100 * X[b].std()


def test_cv_matches_sklearn_and_the_tree_ignores_scaling(bc):
    X, y = bc
    rows = {r["model"]: r["CV score"] for r in sc.cv_row(X, y, "classification", "standard", SEED)}
    assert sc.CV_FOLDS == 3
    cv = StratifiedKFold(3, shuffle=True, random_state=SEED)
    models = {"k-NN": KNeighborsClassifier(n_neighbors=15), "SVM (RBF)": SVC(C=1.0, gamma="scale"),
              "logistic regression": LogisticRegression(max_iter=200),
              "decision tree": DecisionTreeClassifier(max_depth=5, random_state=SEED)}
    # cv_row shares one scaler fit per fold between the models: the same numbers as a pipeline per model
    for name, scaler in (("standard", StandardScaler()), ("none", "passthrough"),
                         ("quantile", QuantileTransformer(n_quantiles=100, random_state=SEED))):
        got = {r["model"]: r["CV score"] for r in sc.cv_row(X, y, "classification", name, SEED)}
        for model_name, model in models.items():
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                direct = cross_val_score(make_pipeline(scaler, model), X, y, cv=cv).mean()
            assert got[model_name] == pytest.approx(direct, rel=1e-12), (name, model_name)
    raw = {r["model"]: r["CV score"] for r in sc.cv_row(X, y, "classification", "none", SEED)}
    assert rows["k-NN"] > raw["k-NN"] + 0.01
    assert rows["decision tree"] == pytest.approx(raw["decision tree"], abs=0.01)


def test_page_renders_and_controls_change_what_they_should():
    at = open_page(PAGE)
    assert_clean(at, PAGE)
    iqr_standard = metric_values(at)["Inlier IQR of worst area after scaling"]
    titles = [str(s.get("title", "")) for s in chart_specs(at)]
    assert any("standard" in t for t in titles)
    with mock.patch.object(sc, "fold_scores", wraps=sc.fold_scores) as cv, \
            mock.patch.object(sc, "boundary_data", wraps=sc.boundary_data) as fit:
        at.button_group(key=sc.SCALER_KEY).set_value("min-max")
        at.run()
        assert cv.call_count == 0  # the CV comparison does not depend on the chosen scaler: nothing refitted
        assert fit.call_count == 1 and fit.call_args.args[3] == "min-max"  # the unscaled boundary is cached
    assert_clean(at, "min-max")
    assert metric_values(at)["Inlier IQR of worst area after scaling"] != iqr_standard
    assert any("min-max" in str(s.get("title", "")) for s in chart_specs(at))
    before = metric_values(at)["Inlier IQR of worst area after scaling"]
    at.slider(key=sc.N_OUTLIERS_KEY).set_value(10)
    at.run()
    assert_clean(at, "outliers")
    after = metric_values(at)["Inlier IQR of worst area after scaling"]
    assert float(after) < float(before)


def test_regression_dataset_explains_instead_of_failing():
    at = open_page(PAGE, query={"app.dataset": "diabetes"})
    assert_clean(at, "diabetes")
    assert any("regression" in str(i.value) for i in at.info)


def test_url_sets_the_widgets():
    at = open_page(PAGE, query={sc.SCALER_KEY: "robust", sc.N_OUTLIERS_KEY: "6", sc.MODEL_KEY: "decision tree"})
    assert_clean(at, "deep link")
    assert at.button_group(key=sc.SCALER_KEY).value == "robust"
    assert at.slider(key=sc.N_OUTLIERS_KEY).value == 6
    assert at.selectbox(key=sc.MODEL_KEY).value == "decision tree"


def test_exported_script_reproduces_the_cv_scores(bc):
    X, y = bc
    Xo, _ = sc.inject_outliers(X, 4, 15, SEED)
    table = sc.cv_table(Xo, y, "classification", SEED)
    got = run_exported_script(sc.export_code("breast_cancer", "classification", 4, 15, SEED))
    for _, r in table.iterrows():
        assert got[f"{r['scaler']} | {r['model']}"] == pytest.approx(r["CV score"], rel=1e-9)


def test_strip_and_boundary_charts_convert_as_streamlit_converts_them(bc):
    """The page converts its strips and boundaries with charts.to_spec (frames straight to Arrow):
    the spec and the data must be what st.altair_chart would send."""
    from components import charts

    X, y = bc
    Xo, mask = sc.inject_outliers(X, 5, 10, SEED)
    pair = sc.boundary_pair(X, y, "classification")
    scaled = sc.scale_all(Xo, pair, mask, SEED)
    grid, points, _ = sc.boundary_data(Xo[pair], y.to_numpy(), mask, "standard", "k-NN", SEED, ("a", "b"))
    built = [charts.strip_chart(scaled[scaled["feature"] == pair[0]], "value", "scaler", color="point",
                                title="t", width=270).configure_legend(orient="bottom"),
             charts.boundary_chart(grid, points, title="t", height=340).configure_legend(gradientLength=80)]
    for chart in built:
        assert_converts_like_streamlit(chart, min_datasets=1)


def test_extremity_without_outliers_refits_nothing():
    at = open_page(PAGE)
    before = metric_values(at)
    with mock.patch.object(sc, "fold_scores", wraps=sc.fold_scores) as cv, \
            mock.patch.object(sc, "scaled_folds", wraps=sc.scaled_folds) as folds, \
            mock.patch.object(sc, "boundary_data", wraps=sc.boundary_data) as bd:
        at.slider(key=sc.EXTREME_KEY).set_value(30)
        at.run()
        assert cv.call_count == 0 and bd.call_count == 0  # no outlier rows: the data did not change
        assert metric_values(at) == before
        at.slider(key=sc.N_OUTLIERS_KEY).set_value(3)
        at.run()
        # now there are outliers: every (scaler, model) pair is cross-validated again, once, and each
        # scaler is fitted on the folds once for its four models
        assert cv.call_count == len(sc.SCALERS) * len(sc.CLASSIFIERS)
        assert sorted(c.args[2] for c in cv.call_args_list) == sorted(sc.CLASSIFIERS * len(sc.SCALERS))
        assert sorted(c.args[3] for c in folds.call_args_list) == sorted(sc.SCALERS)
    assert_clean(at, "outliers at 30 x IQR")
    assert any("30×IQR" in m.value for m in at.markdown)  # the explanation names the new extremity


def test_range_metric_counts_the_outliers_and_class_colours_follow_the_codes(bc):
    X, y = bc
    at = open_page(PAGE, query={sc.N_OUTLIERS_KEY: "10"})
    assert_clean(at)
    Xs, ys = sc.subsample(X, y, "classification", SEED)
    pair = sc.boundary_pair(Xs, ys, "classification")
    X_out, _ = sc.inject_outliers(Xs, 10, sc.EXTREME_DEFAULT, SEED)
    shown = metric_values(at)[f"Range of {pair[0]}"]
    assert shown == f"{X_out[pair[0]].min():.3g} … {X_out[pair[0]].max():.3g}"
    assert X_out[pair[0]].max() > Xs[pair[0]].max()
    # breast_cancer's class 1 is "benign", which sorts first: the dots' colours follow the class code
    # (class 1 orange, like the P(class 1) background), not the alphabet
    boundary_spec = next(s for s in chart_specs(at) if "P(class 1)" in str(s))
    dots = next(layer for layer in boundary_spec["layer"] if layer["encoding"].get("color", {}).get("field") == "label")
    assert dots["encoding"]["color"]["sort"] == {"field": "class", "op": "min"}
    pts = boundary.points_frame(Xs[pair].to_numpy(), ys.to_numpy(), class_names=("malignant", "benign"))
    assert set(zip(pts["class"], pts["label"])) == {(0, "malignant"), (1, "benign")}


# ---- the tree's mechanism, as the explanation states it, over seeds and datasets ----

def _route(tree, x):
    """The leaf a row reaches and the first (node, feature) of its path (sklearn compares in float32)."""
    node, path = 0, []
    while tree.children_left[node] != -1:
        f = tree.feature[node]
        left = np.float32(x[f]) <= tree.threshold[node]
        path.append((node, f, left))
        node = tree.children_left[node] if left else tree.children_right[node]
    return path


@pytest.mark.parametrize("loader", [load_breast_cancer, load_wine, load_iris])
def test_tree_moves_with_a_scaler_only_where_the_explanation_says(loader):
    """Linear scalers: the same splits, and a test row changes side only when it sits exactly on a split
    point. Quantile transform: strictly increasing on the training values (none merge), the same
    partition of the training rows, and a test row changes side only between the raw midpoint and the
    raw value the new scale's midpoint maps back to (or exactly on the split point); clipped rows
    beyond the training range never change side."""
    b = loader()
    X, y = b.data.astype(float), b.target
    for seed in (0, 1, 42):
        for train, test in StratifiedKFold(3, shuffle=True, random_state=seed).split(X, y):
            raw = DecisionTreeClassifier(max_depth=5, random_state=seed).fit(X[train], y[train])
            for name in sc.SCALERS[1:]:
                scaler = sc.make_scaler(name, seed).fit(X[train])
                Z_train, Z_test = scaler.transform(X[train]), scaler.transform(X[test])
                if name == "quantile":
                    for j in range(X.shape[1]):
                        order = np.argsort(X[train, j], kind="stable")
                        distinct = np.diff(X[train, j][order]) > 0
                        assert (np.diff(Z_train[order, j])[distinct] > 0).all(), (name, j)
                scaled = DecisionTreeClassifier(max_depth=5, random_state=seed).fit(Z_train, y[train])
                assert (scaled.tree_.feature == raw.tree_.feature).all()
                assert (scaled.predict(Z_train) == raw.predict(X[train])).all()
                for i in np.flatnonzero(scaled.predict(Z_test) != raw.predict(X[test])):
                    a, b_ = _route(raw.tree_, X[test][i]), _route(scaled.tree_, Z_test[i])
                    node, f, _ = next(pa for pa, pb in zip(a, b_) if pa[2] != pb[2])
                    value, split = X[test][i, f], raw.tree_.threshold[node]
                    on_split = abs(value - split) <= 1e-6 * max(1.0, abs(split))
                    assert X[train, f].min() <= value <= X[train, f].max(), (name, "a clipped row moved")
                    if name in sc.LINEAR_SCALERS:
                        assert on_split, (name, value, split)
                    else:
                        back = scaler.inverse_transform(np.full((1, X.shape[1]), scaled.tree_.threshold[node]))[0, f]
                        assert on_split or min(split, back) <= value <= max(split, back), (value, split, back)


# ---- every generated sentence against numbers computed here, over seeds and datasets ----

def _times(v):
    return f"{float(f'{v:.3g}'):,.0f}×" if v >= 100 else f"{v:.3g}×"


@pytest.mark.parametrize("loader", [load_breast_cancer, load_wine])
@pytest.mark.parametrize("seed, n_out", [(0, 0), (1, 5), (42, 12)])
def test_generated_sentences_state_what_the_numbers_say(loader, seed, n_out):
    b = loader()
    X, y = pd.DataFrame(b.data, columns=list(b.feature_names)), pd.Series(b.target)
    Xo, mask = sc.inject_outliers(X, n_out, sc.EXTREME_DEFAULT, seed)
    pair = sc.boundary_pair(X, y, "classification")
    cv = StratifiedKFold(3, shuffle=True, random_state=seed)
    models = {"k-NN": KNeighborsClassifier(n_neighbors=15), "SVM (RBF)": SVC(C=1.0, gamma="scale"),
              "logistic regression": LogisticRegression(max_iter=200),
              "decision tree": DecisionTreeClassifier(max_depth=5, random_state=seed)}
    scalers = {"none": "passthrough", "min-max": MinMaxScaler(), "standard": StandardScaler(),
               "robust": RobustScaler(), "max-abs": MaxAbsScaler(),
               "quantile": QuantileTransformer(n_quantiles=100, random_state=seed)}
    direct = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        for s, scaler in scalers.items():
            for m, model in models.items():
                direct[s, m] = cross_val_score(make_pipeline(scaler, model), Xo, y, cv=cv).mean()

    # the CV caption: each model's spread over the scalers, largest first, and the tree's scores
    text = sc.cv_caption(sc.cv_table(Xo, y, "classification", seed))
    spread = {m: max(direct[s, m] for s in scalers) - min(direct[s, m] for s in scalers) for m in models}
    listed = re.findall(r"(k-NN|SVM \(RBF\)|logistic regression|decision tree) (\d\.\d{3})", text.split(". ")[0])
    assert sorted(m for m, _ in listed) == sorted(models)
    assert all(spread[a] >= spread[b_] - 1e-9 for (a, _), (b_, _) in zip(listed, listed[1:]))  # largest first
    for m, v in listed:
        assert float(v) == pytest.approx(spread[m], abs=5e-4)
    tree = {s: direct[s, "decision tree"] for s in scalers}
    assert f"The decision tree scores {tree['none']:.4f} unscaled" in text
    same = [s for s in sc.SCALERS[1:] if tree[s] == pytest.approx(tree["none"], abs=1e-12)]
    if same:
        assert re.search(r"exactly the same with ([^;.]+)", text).group(1).replace(" and ", ", ").split(", ") == same
    for s in sc.SCALERS[1:]:
        if s not in same:
            assert f"{tree[s]:.4f} with {s} ({tree[s] - tree['none']:+.4f})" in text, s

    # the boundary caption: the features' scales and the share of the plot that changes class
    ratio = Xo[pair[0]].std() / Xo[pair[1]].std()
    diffs = [np.mean((v[:, None] - v[None, :]) ** 2) * len(v) / (len(v) - 1) for v in (Xo[pair[0]].to_numpy(),
                                                                                    Xo[pair[1]].to_numpy())]
    assert diffs[0] / diffs[1] == pytest.approx(ratio ** 2, rel=1e-9)  # the "over all pairs of rows" claim
    inl = Xo[pair].to_numpy()[~mask]
    lo, hi = inl.min(axis=0), inl.max(axis=0)
    pad = (hi - lo) * 0.1 + 1e-9
    g1, g2 = (np.linspace(lo[i] - pad[i], hi[i] + pad[i], 80) for i in range(2))
    grid = np.column_stack([a.ravel() for a in np.meshgrid(g1, g2)])
    y_bin = (y.to_numpy() == 1).astype(int) if len(b.target_names) == 2 else (y.to_numpy() != 0).astype(int)
    for model in ("k-NN", "decision tree"):
        unscaled = make_pipeline(clone(models[model])).fit(Xo[pair].to_numpy(), y_bin).predict_proba(grid)[:, 1] > 0.5
        for s in ("standard", "quantile"):
            fitted = make_pipeline(clone(scalers[s]), clone(models[model])).fit(Xo[pair].to_numpy(), y_bin)
            share = np.mean((fitted.predict_proba(grid)[:, 1] > 0.5) != unscaled)
            grids = [sc.boundary_data(Xo[pair], y_bin, mask, name, model, seed, ("a", "b"))[0] for name in ("none", s)]
            text = sc.boundary_caption(pair, sc.std_ratio(Xo, pair), model, s, sc.class_disagreement(*grids))
            big, small = (pair[0], pair[1]) if ratio >= 1 else (pair[1], pair[0])
            factor = max(ratio, 1 / ratio)
            assert f"The standard deviation of {big} is {_times(factor)} that of {small}" in text
            assert f"in {big} is {_times(factor ** 2)} that in {small}" in text
            assert ("dominates the distances" in text) == (factor ** 2 >= 10)
            if share == 0:
                assert "predicts the same class as unscaled everywhere" in text, (model, s)
            else:
                assert f"on {share:.1%} of the plotted area" in text, (model, s, share)
            if model == "decision tree" and s == "standard":
                assert share == 0  # a grid point exactly on a split point is the only way to move

    # the strips' caption: each scaler's share of the inliers' IQR kept, and where quantile puts outliers
    scaled = sc.scale_all(Xo, pair, mask, seed)
    text = sc.strip_caption(sc.squash_table(X, Xo, mask, pair, seed), pair[0], n_out, sc.EXTREME_DEFAULT,
                            sc.outlier_quantile(scaled, pair[0]))
    if not n_out:
        assert "Add outlier rows" in text
        return
    kept = {}
    for s, scaler in scalers.items():
        if s == "none":
            continue
        z_clean = clone(scaler).fit_transform(X[[pair[0]]])[~mask, 0]
        z_dirty = clone(scaler).fit_transform(Xo[[pair[0]]])[~mask, 0]
        kept[s] = np.subtract(*np.percentile(z_dirty, [75, 25])) / np.subtract(*np.percentile(z_clean, [75, 25]))
    listed = re.findall(r"(min-max|standard|robust|max-abs|quantile) (\d+)%", text)
    assert sorted(s for s, _ in listed) == sorted(kept)
    for s, v in listed:
        assert int(v) == pytest.approx(100 * kept[s], abs=0.5 + 1e-9), s
    assert [kept[s] for s, _ in listed] == sorted(kept[s] for s, _ in listed)
    at = QuantileTransformer(n_quantiles=100, random_state=seed).fit_transform(Xo[[pair[0]]])[mask, 0].max()
    assert f"puts the outlier rows at {at:.3g}, " in text
    assert ("the top of the range" in text) == (at >= 1) == (Xo[pair[0]][mask].max() >= Xo[pair[0]].max())


def test_page_shows_the_generated_sentences(bc):
    X, y = bc
    at = open_page(PAGE, query={sc.N_OUTLIERS_KEY: "5", sc.SCALER_KEY: "quantile"})
    assert_clean(at)
    Xo, mask = sc.inject_outliers(X, 5, sc.EXTREME_DEFAULT, SEED)
    pair = sc.boundary_pair(X, y, "classification")
    captions = [c.value for c in at.caption]
    cv_text = sc.cv_caption(sc.cv_table(Xo, y, "classification", SEED))
    assert cv_text in captions
    assert any(cv_text in m.value and sc.TREE_MECHANISM in m.value for m in at.markdown)
    strip = sc.strip_caption(sc.squash_table(X, Xo, mask, pair, SEED), pair[0], 5, sc.EXTREME_DEFAULT,
                             sc.outlier_quantile(sc.scale_all(Xo, pair, mask, SEED), pair[0]))
    assert strip in captions
    grids = [sc.boundary_data(Xo[pair], y.to_numpy(), mask, s, "k-NN", SEED, ("a", "b"))[0]
             for s in ("none", "quantile")]
    share = sc.class_disagreement(*grids)
    assert sc.boundary_caption(pair, sc.std_ratio(Xo, pair), "k-NN", "quantile", share) in captions
    assert not any("close values become equal" in m.value for m in at.markdown)


def test_exported_script_reproduces_a_generated_2d_set():
    """A 2-D set is generated with the page's size, noise and seed: the script must do the same."""
    from components import datasets

    d = datasets.load("moons", n_samples=200, noise=0.3, seed=7)
    X, y = sc.subsample(d.X, d.y, d.task, 7)
    Xo, _ = sc.inject_outliers(X, 3, 10, 7)
    table = sc.cv_table(Xo, y, "classification", 7)
    got = run_exported_script(sc.export_code("moons", "classification", 3, 10, 7, 200, 0.3))
    for _, r in table.iterrows():
        assert got[f"{r['scaler']} | {r['model']}"] == pytest.approx(r["CV score"], rel=1e-9)


# ---- the page contract: strips first, the CV comparison last, each (scaler, model) cached on its own ----

def _clear_caches():
    """Drop this lab's cached results (the memo backend's), so a page run computes again."""
    from components import memo

    for cached in memo.registered():
        if cached.fn.__module__ == sc.__name__:
            cached.clear()


def test_cv_score_is_a_pipeline_inside_the_folds(bc):
    X, y = bc
    Xo, _ = sc.inject_outliers(X, 6, 20, SEED)
    cv = StratifiedKFold(3, shuffle=True, random_state=SEED)
    for scaler_name, scaler in (("robust", RobustScaler()), ("max-abs", MaxAbsScaler())):
        for model_name, model in (("SVM (RBF)", SVC(C=1.0, gamma="scale")),
                                  ("k-NN", KNeighborsClassifier(n_neighbors=15))):
            direct = cross_val_score(make_pipeline(scaler, model), Xo, y, cv=cv).mean()
            assert sc.cv_score(Xo, y, "classification", scaler_name, model_name, SEED) == pytest.approx(
                direct, rel=1e-12)


def test_model_choice_refits_the_two_boundaries_only():
    at = open_page(PAGE)
    with mock.patch.object(sc, "fold_scores", wraps=sc.fold_scores) as cv, \
            mock.patch.object(sc, "scale_all", wraps=sc.scale_all) as strips, \
            mock.patch.object(sc, "boundary_data", wraps=sc.boundary_data) as fit:
        at.selectbox(key=sc.MODEL_KEY).select("SVM (RBF)").run()
        assert cv.call_count == 0 and strips.call_count == 0
        assert sorted(c.args[3] for c in fit.call_args_list) == ["none", sc.SCALER_DEFAULT]
        fit.reset_mock()
        at.run()  # nothing changed: nothing refitted
        assert fit.call_count == 0 and cv.call_count == 0
    assert_clean(at)
    assert any("SVM (RBF), no scaling" in str(s.get("title", "")) for s in chart_specs(at))


def test_strips_and_boundaries_are_computed_before_the_cv_comparison():
    _clear_caches()
    calls = []

    def logged(name, fn):
        return recording(calls, name, fn)
    with mock.patch.object(sc, "scale_all", logged("strips", sc.scale_all)), \
            mock.patch.object(sc, "boundary_data", logged("boundary", sc.boundary_data)), \
            mock.patch.object(sc, "fold_scores", logged("cv", sc.fold_scores)):
        at = open_page(PAGE, query={sc.N_OUTLIERS_KEY: "9"})
    assert_clean(at)
    assert not at.get("progress")  # the bar is gone once the comparison is drawn
    heavy = calls.index("cv")
    assert "strips" in calls[:heavy] and "boundary" in calls[:heavy] and set(calls[heavy:]) == {"cv"}
    assert calls.count("cv") == len(sc.SCALERS) * len(sc.CLASSIFIERS)


def test_cached_entries_stay_small():
    """The cached entries hold one chart each at most: a boundary chart carries its 6,400-cell grid
    (about 300 kB), the strips two charts of 2 x 6 x 569 values; the rest are numbers and small tables."""
    import pickle

    o = sc.outliers_key("breast_cancer", 0, 0.0, SEED, 5, 10)
    size = {name: len(pickle.dumps(value)) for name, value in {
        "strips": sc.strips(o), "boundary": sc.boundary_fit(o, "quantile", "k-NN"), "stats": sc.stats(o, "robust"),
        "cv cell": sc.cv_cell(o, "none", "k-NN"), "cv comparison": sc.cv_comparison(o),
        "caption": sc.boundary_text(o, "quantile", "k-NN")}.items()}
    assert size["strips"] < 450_000 and size["boundary"] < 350_000, size
    assert max(v for k, v in size.items() if k not in ("strips", "boundary")) < 10_000, size


def test_catalog_names_the_heavy_controls():
    from components import catalog

    page = catalog.find("scaling")
    assert page.heavy_keys == (sc.N_OUTLIERS_KEY, sc.EXTREME_KEY) and page.scrub_keys == ()


def _body(spec: dict) -> str:
    return json.dumps({k: v for k, v in spec.items() if k != "datasets"}, sort_keys=True)


def test_stable_names_name_datasets_by_their_place_not_their_content():
    def chart(shift: float):
        a = pd.DataFrame({"x": [1.0, 2.0, 3.0], "y": [shift, 1.0, 2.0]})
        b = pd.DataFrame({"x": [0.5], "y": [shift + 1]})
        return (alt.Chart(a).mark_line().encode(x=alt.X("x:Q"), y=alt.Y("y:Q"))
                + alt.Chart(b).mark_point().encode(x=alt.X("x:Q"), y=alt.Y("y:Q")))

    before, after = (charts.stable_names(charts.to_spec(chart(s)), "demo") for s in (0.0, 5.0))
    assert sorted(before["datasets"]) == ["demo", "demo-1"]
    assert [layer["data"]["name"] for layer in before["layer"]] == ["demo", "demo-1"]
    assert _body(before) == _body(after)  # new numbers: only the datasets change
    rows = charts.as_chart(after).to_dict()["datasets"]
    assert rows["demo"][0]["y"] == 5.0 and rows["demo-1"][0]["y"] == 6.0


@pytest.mark.parametrize("other", [(5, 10, 0), (7, 30, 1)])
def test_new_outliers_change_only_the_datasets_of_strips_and_cv_chart(other):
    n, extreme, seed = other
    base = sc.outliers_key("breast_cancer", 0, 0.0, 0, 3, 10)
    moved = sc.outliers_key("breast_cancer", 0, 0.0, seed, n, extreme)
    for a, b in zip(sc.strips(base).specs, sc.strips(moved).specs):
        assert sorted(a["datasets"]) == sorted(b["datasets"]) == ["strip"]
        assert _body(a) == _body(b)
    a, b = sc.cv_comparison(base).spec, sc.cv_comparison(moved).spec
    assert sorted(a["datasets"]) == sorted(b["datasets"]) == ["cv"]
    assert _body(a) == _body(b)
