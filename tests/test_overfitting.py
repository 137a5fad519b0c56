"""Overfitting lab: component numbers against direct numpy / scikit-learn computations, the page's
controls and caching, the URL and the exported script."""
import json
from unittest import mock

import numpy as np
import pandas as pd
import pytest
from sklearn.ensemble import GradientBoostingRegressor
from sklearn.model_selection import (
    KFold,
    StratifiedKFold,
    cross_val_score,
    train_test_split,
)
from sklearn.tree import DecisionTreeClassifier

from components import datasets
from components import overfitting as o
from components.ui import common
from tests.apptest_utils import (
    assert_clean,
    chart_specs,
    metric_values,
    open_page,
    run_exported_script,
)

PAGE = "views/evaluation/overfitting.py"
VIEW_KEY = o.VIEW_KEY
SEED = 42


def test_make_data_is_seeded_sine():
    a, b = o.make_data(50, 0.0, 3), o.make_data(50, 0.0, 3)
    assert a.equals(b)
    np.testing.assert_allclose(a["y"], np.sin(2 * np.pi * a["x"]))


@pytest.mark.parametrize("degree", [1, 3, 6])
def test_poly_fit_and_cv_match_numpy_polyfit(degree):
    n, noise = 40, 0.3
    r = o.fit_poly(n, noise, SEED, degree, "none", 1.0)
    d = o.make_data(n, noise, SEED)
    coef = np.polyfit(d["x"], d["y"], degree)
    assert r.train_rmse == pytest.approx(np.sqrt(np.mean((np.polyval(coef, d["x"]) - d["y"]) ** 2)), rel=1e-6)
    fold_rmse = []
    for tr, te in KFold(5, shuffle=True, random_state=SEED).split(d):
        c = np.polyfit(d["x"].iloc[tr], d["y"].iloc[tr], degree)
        fold_rmse.append(np.sqrt(np.mean((np.polyval(c, d["x"].iloc[te]) - d["y"].iloc[te]) ** 2)))
    assert r.cv_rmse == pytest.approx(np.mean(fold_rmse), rel=1e-5)
    assert len(r.curve_by_degree) == o.DEGREE_MAX - o.DEGREE_MIN + 1


def test_regime_one_standard_error_rule():
    mean = np.array([5.0, 3.0, 2.0, 2.05, 4.0, 8.0])
    se = np.full(6, 0.1)
    assert o.regime(mean, se, 0) == ("under-fit", 2)
    assert o.regime(mean, se, 2)[0] == "good fit" and o.regime(mean, se, 3)[0] == "good fit"
    assert o.regime(mean, se, 5)[0] == "over-fit"
    # against a regularisation strength the complex side is the small-alpha side
    assert o.regime(mean, se, 0, complexity_increases=False)[0] == "over-fit"
    # higher-is-better scores
    assert o.regime(-mean, se, 5, lower_is_better=False)[0] == "over-fit"


def test_labels_on_the_sine():
    assert o.fit_poly(30, 0.3, SEED, 1, "none", 1.0).regime == "under-fit"
    assert o.fit_poly(30, 0.3, SEED, 3, "none", 1.0).regime == "good fit"
    assert o.fit_poly(30, 0.3, SEED, 15, "none", 1.0).regime == "over-fit"


def test_coefficient_paths_shrink():
    ridge, by_alpha = o.coefficient_path(30, 0.3, SEED, 9, "ridge (L2)")
    norms = ridge.groupby("alpha")["coefficient"].apply(lambda c: float(np.sum(c ** 2)))
    assert norms.iloc[-1] < norms.iloc[0]
    lasso, _ = o.coefficient_path(30, 0.3, SEED, 9, "lasso (L1)")
    zeros = lasso.groupby("alpha")["coefficient"].apply(lambda c: int((c.abs() < 1e-12).sum()))
    assert zeros.iloc[-1] > zeros.iloc[0]
    assert list(by_alpha["alpha"]) == list(o.ALPHAS)


def test_tree_curves_match_direct_fit():
    ds = datasets.load("breast_cancer")
    r = o.tree_curves(ds.X, ds.y, SEED, 4, 0.01)
    X_tr, X_te, y_tr, y_te = train_test_split(ds.X, ds.y, test_size=0.3, random_state=SEED, stratify=ds.y)
    t = DecisionTreeClassifier(max_depth=4, ccp_alpha=0.01, random_state=SEED).fit(X_tr, y_tr)
    assert r.test_accuracy == pytest.approx(np.mean(t.predict(X_te) == y_te))
    assert r.leaves == t.get_n_leaves()
    deep = r.by_depth[(r.by_depth["split"] == "train") & (r.by_depth["max_depth"] == 20)]["accuracy"].iloc[0]
    assert deep >= r.by_depth[(r.by_depth["split"] == "train") & (r.by_depth["max_depth"] == 1)]["accuracy"].iloc[0]
    assert r.regime_depth in o.REGIMES and r.regime_ccp in o.REGIMES


@pytest.mark.parametrize("name, seed, ccp", [("breast_cancer", SEED, 0.0), ("wine", 3, 0.0), ("moons", 5, 0.0),
                                             ("breast_cancer", SEED, 0.005)])
def test_tree_depth_curve_equals_a_fit_at_every_depth(name, seed, ccp):
    """The curve reuses a tree that stopped growing before its depth limit for every larger limit: each
    depth's scores must still be what a fresh tree at that depth gives."""
    ds = datasets.load(name, seed=seed)
    curve = o.tree_depth_curve(ds.X, ds.y, seed, ccp)
    X_tr, X_te, y_tr, y_te = train_test_split(ds.X, ds.y, test_size=0.3, random_state=seed, stratify=ds.y)
    folds = StratifiedKFold(o.TREE_CV_FOLDS, shuffle=True, random_state=seed)
    for d in range(o.TREE_DEPTH_MIN, o.TREE_DEPTH_MAX + 1):
        t = DecisionTreeClassifier(max_depth=d, ccp_alpha=ccp, random_state=seed).fit(X_tr, y_tr)
        at_d = curve[curve["max_depth"] == d].set_index("split")
        assert at_d.loc[o.TRAIN, "accuracy"] == np.mean(t.predict(X_tr) == y_tr)
        assert at_d.loc[o.TEST, "accuracy"] == np.mean(t.predict(X_te) == y_te)
        cv = cross_val_score(DecisionTreeClassifier(max_depth=d, ccp_alpha=ccp, random_state=seed), X_tr, y_tr,
                             cv=folds)  # the label's folds: inside the training split only
        assert at_d.loc[o.CV, "accuracy"] == pytest.approx(cv.mean(), abs=1e-12)
        assert at_d.loc[o.CV, "se"] == pytest.approx(cv.std(ddof=1) / np.sqrt(o.TREE_CV_FOLDS), abs=1e-12)


def test_tree_ccp_curve_cv_equals_cross_val_score():
    ds = datasets.load("breast_cancer")
    curve = o.tree_ccp_curve(ds.X, ds.y, SEED, 6).query("split == @o.CV")
    X_tr, _, y_tr, _ = train_test_split(ds.X, ds.y, test_size=0.3, random_state=SEED, stratify=ds.y)
    folds = StratifiedKFold(o.TREE_CV_FOLDS, shuffle=True, random_state=SEED)
    want = [cross_val_score(DecisionTreeClassifier(max_depth=6, ccp_alpha=a, random_state=SEED), X_tr, y_tr,
                            cv=folds).mean() for a in o.CCP_VALUES]
    np.testing.assert_allclose(curve["accuracy"], want, rtol=0, atol=1e-12)


def test_tree_labels_come_from_cv_on_the_training_split():
    """On breast_cancer a full-depth tree is over-fit and a stump under-fit by the CV one-SE rule (with
    the test accuracy's binomial error every depth had been 'good fit')."""
    ds = datasets.load("breast_cancer")
    labels = {d: o.tree_curves(ds.X, ds.y, SEED, d, 0.0).regime_depth for d in (1, 20)}
    assert labels == {1: o.REGIMES[0], 20: o.REGIMES[2]}


def test_early_stopping_uses_sklearns_own_split_and_stop():
    r = o.early_stopping(0.3, SEED, 0.5, 5)
    pool = o.make_data(o.POOL_N, 0.3, SEED + 1)
    X_tr, X_te, y_tr, y_te = train_test_split(pool[["x"]].to_numpy(), pool["y"].to_numpy(), test_size=0.3,
                                              random_state=SEED)
    gb = GradientBoostingRegressor(n_estimators=o.GB_STAGES, learning_rate=0.5, max_depth=3, random_state=SEED,
                                   n_iter_no_change=5, validation_fraction=o.GB_VALIDATION_FRACTION).fit(X_tr, y_tr)
    assert r.stopped_at == gb.n_estimators_ < o.GB_STAGES
    # the curve's training loss is the early-stopped model's own training loss: same rows held out
    train_curve = r.losses[r.losses["split"] == "train"]["mse"].to_numpy()[: r.stopped_at]
    np.testing.assert_allclose(train_curve, gb.train_score_, rtol=1e-9)
    assert r.test_mse_stopped == pytest.approx(np.mean((gb.predict(X_te) - y_te) ** 2))


def test_bias_variance_decomposition():
    bv = o.bias_variance(25, 0.3, SEED, "none", 1.0)
    t = bv.table
    np.testing.assert_allclose(t["total"], t["bias2"] + t["variance"] + t["noise"])
    assert t["bias2"].iloc[0] > t["variance"].iloc[0]  # degree 1: bias dominates
    assert t["variance"].iloc[-1] > t["variance"].iloc[2]  # degree 15: variance explodes
    # independent recomputation at degree 2 with numpy polyfit on the same bootstrap draws
    d = o.make_data(25, 0.3, SEED)
    xs = np.linspace(d["x"].min(), d["x"].max(), 100)
    rng = np.random.default_rng(SEED)
    preds = np.array([np.polyval(np.polyfit(d["x"].to_numpy()[i], d["y"].to_numpy()[i], 2), xs)
                      for i in (rng.integers(0, 25, 25) for _ in range(o.BOOTSTRAPS))])
    assert t["bias2"].iloc[1] == pytest.approx(np.mean((preds.mean(0) - np.sin(2 * np.pi * xs)) ** 2), rel=1e-6)
    assert t["variance"].iloc[1] == pytest.approx(np.mean(preds.var(0)), rel=1e-6)
    assert o.bias_variance_regime(t, 1)[0] == "under-fit"


def test_learning_curve_shape():
    lc = o.learning_curve_frame(0.3, SEED, 3, "none", 1.0)
    val = lc[lc["split"] == "validation"]["rmse"].to_numpy()
    assert val[-1] < val[0] and set(lc["split"]) == {"train", "validation"}


@pytest.mark.parametrize("degree,penalty", [(3, "none"), (12, "lasso (L1)")])
def test_learning_curve_size_by_size_equals_one_call(degree, penalty):
    """The page computes one size at a time (to show progress): the same numbers as one call of
    scikit-learn's learning_curve over every size."""
    import warnings

    from sklearn.exceptions import ConvergenceWarning
    from sklearn.model_selection import learning_curve
    data = o.make_data(o.POOL_N, 0.3, SEED + 1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        sizes, train, val = learning_curve(o.poly_model(degree, penalty, 0.01), data[["x"]], data["y"],
                                           train_sizes=np.array(o.LEARNING_SIZES), cv=KFold(5, shuffle=True,
                                                                                            random_state=SEED),
                                           scoring="neg_root_mean_squared_error", shuffle=True, random_state=SEED)
    seen = []
    lc = o.learning_curve_frame(0.3, SEED, degree, penalty, 0.01, progress=seen.append)
    np.testing.assert_allclose(lc[lc["split"] == "validation"]["rmse"], -val.mean(axis=1), rtol=1e-9)
    np.testing.assert_allclose(lc[lc["split"] == "train"]["rmse"], -train.mean(axis=1), rtol=1e-9)
    assert list(lc[lc["split"] == "train"]["n_train"]) == list(sizes)
    assert seen == sorted(seen) and seen[-1] == 1.0 and len(seen) == len(o.LEARNING_SIZES)


def test_curve_views_compute_once_with_progress_then_replay():
    at = open_page(PAGE)
    with mock.patch.object(o, "learning_curve_frame", wraps=o.learning_curve_frame) as lc, \
            mock.patch.object(o, "bias_variance", wraps=o.bias_variance) as bv:
        for _ in range(2):
            for view in ("Learning curve", "Bias–variance", "Fit & validation curve"):
                at.button_group(key=VIEW_KEY).set_value(view).run()
                assert_clean(at, view)
        assert lc.call_count == 1 and bv.call_count == 1
        assert lc.call_args.kwargs["progress"] is not None and bv.call_args.kwargs["progress"] is not None
    assert not at.get("progress")  # the bars are emptied once the curves are done


def test_page_default_and_degree_labels():
    at = open_page(PAGE)
    assert_clean(at, "default")
    assert metric_values(at)["Degree 3 is"] == "good fit"
    at.slider(key=o.DEGREE_KEY).set_value(15).run()
    assert metric_values(at)["Degree 15 is"] == "over-fit"
    at.slider(key=o.DEGREE_KEY).set_value(1).run()
    assert metric_values(at)["Degree 1 is"] == "under-fit"
    assert_clean(at)


def test_degree_slider_does_not_redo_curves():
    at = open_page(PAGE, query={VIEW_KEY: "Bias–variance"})
    assert at.button_group(key=VIEW_KEY).value == "Bias–variance"
    with mock.patch.object(o, "bias_variance", wraps=o.bias_variance) as bv, \
            mock.patch.object(o, "degree_curve", wraps=o.degree_curve) as dc:
        at.slider(key=o.DEGREE_KEY).set_value(9).run()
        at.slider(key=o.DEGREE_KEY).set_value(12).run()
        assert bv.call_count == 0
        at.button_group(key=VIEW_KEY).set_value("Fit & validation curve").run()
        at.slider(key=o.DEGREE_KEY).set_value(5).run()
        at.slider(key=o.DEGREE_KEY).set_value(7).run()
        assert dc.call_count <= 1  # once for this data at most, never per degree
    assert_clean(at)


def test_url_sets_widgets():
    at = open_page(PAGE, query={o.DEGREE_KEY: "12", o.PENALTY_KEY: "ridge (L2)", o.ALPHA_KEY: "1",
                                VIEW_KEY: "Regularisation path"})
    assert at.slider(key=o.DEGREE_KEY).value == 12
    assert at.button_group(key=o.PENALTY_KEY).value == "ridge (L2)"
    assert at.select_slider(key=o.ALPHA_KEY).value == 1.0
    assert "Best alpha (CV)" in metric_values(at)
    assert_clean(at)


@pytest.mark.parametrize("choice", o.PENALTIES[1:])
def test_path_view_without_a_penalty_offers_one_click_to_each_path(choice):
    at = open_page(PAGE, query={VIEW_KEY: "Regularisation path"})
    assert at.button_group(key=o.PENALTY_KEY).value == "none" and "Best alpha (CV)" not in metric_values(at)
    at.button(key=f"overfit.path_penalty.{choice}").click().run()
    assert_clean(at)
    assert at.button_group(key=o.PENALTY_KEY).value == choice
    assert not at.select_slider(key=o.ALPHA_KEY).disabled and "Best alpha (CV)" in metric_values(at)
    assert any(f"Coefficient path, degree {o.DEGREE_DEFAULT}, {choice}" in json.dumps(spec.get("title", ""))
               for spec in chart_specs(at))


def test_every_view_and_its_widgets_to_extremes():
    at = open_page(PAGE, query={o.PENALTY_KEY: "lasso (L1)", o.DEGREE_KEY: "20", o.N_POINTS_KEY: "10"})
    for view in at.button_group(key=VIEW_KEY).options:
        at.button_group(key=VIEW_KEY).set_value(view).run()
        assert_clean(at, view)
    at.button_group(key=VIEW_KEY).set_value("Trees: depth & pruning").run()
    for key, values in ((o.TREE_DEPTH_KEY, [1, 20]),):
        for v in values:
            at.slider(key=key).set_value(v).run()
            assert_clean(at, f"{key}={v}")
    for v in (o.CCP_VALUES[0], o.CCP_VALUES[-1]):
        at.select_slider(key=o.CCP_KEY).set_value(v).run()
        assert_clean(at, f"ccp={v}")
    at.button_group(key=VIEW_KEY).set_value("Early stopping").run()
    for v in (o.PATIENCE_MIN, o.PATIENCE_MAX):
        at.slider(key=o.PATIENCE_KEY).set_value(v).run()
        assert_clean(at, f"patience={v}")
    for v in (o.GB_LR_VALUES[0], o.GB_LR_VALUES[-1]):
        at.select_slider(key=o.GB_LR_KEY).set_value(v).run()
        assert_clean(at, f"lr={v}")


def test_trees_on_a_regression_dataset_explain_instead_of_failing():
    at = open_page(PAGE, query={common.DATASET_KEY: "diabetes", VIEW_KEY: "Trees: depth & pruning"})
    assert_clean(at)
    assert any("classification" in str(i.value) for i in at.info)


def test_exported_script_reproduces_numbers():
    ds = datasets.load("wine")
    r = o.fit_poly(25, 0.4, 7, 5, "ridge (L2)", 0.1)
    es = o.early_stopping(0.4, 7, 0.3, 8)
    tree = o.tree_curves(ds.X, ds.y, 7, 3, 0.005)
    out = run_exported_script(o.export_code(25, 0.4, 7, 5, "ridge (L2)", 0.1, ("wine",), 3, 0.005, 0.3, 8))
    assert out["train_rmse"] == pytest.approx(r.train_rmse)
    assert out["cv_rmse"] == pytest.approx(r.cv_rmse)
    np.testing.assert_allclose(out["coefficients"], r.coefficients["coefficient"])
    assert out["stopped_at"] == es.stopped_at
    assert out["test_mse_stopped"] == pytest.approx(es.test_mse_stopped)
    assert out["tree_test_accuracy"] == pytest.approx(tree.test_accuracy)
    assert out["tree_train_accuracy"] == pytest.approx(tree.train_accuracy)


def test_lab_charts_validate_against_the_vega_lite_schema():
    from components import charts
    bv = o.bias_variance(20, 0.3, SEED, "none", 1.0)
    curves = bv.curves[3].assign(alpha=0.35)
    spec = charts.points_lines_chart(None, curves, y_domain=(-2, 2)).to_dict(validate=True)
    assert spec["layer"][0]["encoding"]["detail"]["field"] == "line"  # many fits, one colour
    lc = o.learning_curve_frame(0.3, SEED, 3, "none", 1.0).rename(columns={"n_train": "x", "rmse": "y",
                                                                           "split": "series"})
    marker = lc.iloc[:1].rename(columns={"series": "group"})
    charts.points_lines_chart(marker, lc, log_x=True, rule_y=0.3).to_dict(validate=True)


def test_exported_script_on_a_generated_set():
    ds = datasets.load("moons", n_samples=200, noise=0.3, seed=7)
    tree = o.tree_curves(ds.X, ds.y, 7, 5, 0.0)
    out = run_exported_script(o.export_code(20, 0.2, 7, 2, "none", 1.0, ("moons", 200, 0.3, 7), 5, 0.0, 0.1, 10))
    assert out["tree_test_accuracy"] == pytest.approx(tree.test_accuracy)
    assert out["train_rmse"] == pytest.approx(o.fit_poly(20, 0.2, 7, 2, "none", 1.0).train_rmse)


@pytest.mark.parametrize("n, seed", [(30, SEED), (30, 0), (60, 7), (200, 3)])
def test_unpenalised_fit_is_the_least_squares_polynomial_at_every_degree(n, seed):
    """Independent of scikit-learn: numpy's Polynomial.fit (its own rescaling and least squares).
    scikit-learn's default cut-off for small singular values once turned degree 20 into about degree 10."""
    data = o.make_data(n, 0.3, seed)
    x, y = data["x"].to_numpy(), data["y"].to_numpy()
    grid = np.linspace(0, 1, 50)
    for degree in range(o.DEGREE_MIN, o.DEGREE_MAX + 1):
        exact = np.polynomial.Polynomial.fit(x, y, degree)
        model = o.poly_model(degree).fit(data[["x"]], data["y"])
        np.testing.assert_allclose(model.predict(data[["x"]]), exact(x), atol=1e-6)
        np.testing.assert_allclose(model.predict(pd.DataFrame({"x": grid})), exact(grid), atol=1e-4, rtol=1e-6)
    # and the page's numbers: degree 20 on 30 points fits the noise (train RMSE well below noise 0.3)
    r = o.fit_poly(n, 0.3, seed, 20, "none", 1.0)
    assert r.train_rmse == pytest.approx(np.sqrt(np.mean((exact(x) - y) ** 2)), abs=1e-6)


@pytest.mark.parametrize("penalty,alpha", [("none", 1.0), ("ridge (L2)", 0.01), ("lasso (L1)", 0.001)])
def test_degree_curve_equals_sklearn_validation_curve(penalty, alpha):
    import warnings

    from sklearn.exceptions import ConvergenceWarning
    from sklearn.model_selection import validation_curve
    data = o.make_data(30, 0.3, SEED)
    fast = o.degree_curve(data, penalty, alpha, SEED)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        train, val = validation_curve(o.poly_model(1, penalty, alpha), data[["x"]], data["y"],
                                      param_name="polynomialfeatures__degree", param_range=fast["degree"],
                                      cv=o.cv(SEED), scoring="neg_root_mean_squared_error")
    np.testing.assert_allclose(fast["train_rmse"], -train.mean(axis=1), rtol=1e-9)
    np.testing.assert_allclose(fast["val_rmse"], -val.mean(axis=1), rtol=1e-9)
    np.testing.assert_allclose(fast["val_se"], val.std(axis=1, ddof=1) / np.sqrt(5), rtol=1e-9)


def test_bias_variance_equals_pipeline_refits_at_high_degree():
    bv = o.bias_variance(25, 0.3, SEED, "ridge (L2)", 0.01)
    d = o.make_data(25, 0.3, SEED)
    X, y = d[["x"]].to_numpy(), d["y"].to_numpy()
    xs = np.linspace(X.min(), X.max(), 100)
    rng = np.random.default_rng(SEED)
    preds = np.array([o.poly_model(9, "ridge (L2)", 0.01).fit(X[i], y[i]).predict(xs[:, None])
                      for i in (rng.integers(0, 25, 25) for _ in range(o.BOOTSTRAPS))])
    assert bv.table["variance"].iloc[8] == pytest.approx(np.mean(preds.var(0)), rel=1e-8)
    np.testing.assert_allclose(bv.curves[9]["y"].to_numpy(), preds[: o.CURVES_SHOWN].ravel(), rtol=1e-8)


@pytest.mark.parametrize("penalty,degree", [("ridge (L2)", 3), ("ridge (L2)", 20), ("lasso (L1)", 9)])
def test_coefficient_path_equals_sklearn_validation_curve_and_pipeline_fits(penalty, degree):
    """The path expands and scales each fold once for every alpha: the numbers of scikit-learn's
    validation_curve over alpha and of poly_model fitted afresh at every alpha."""
    import warnings

    from sklearn.exceptions import ConvergenceWarning
    from sklearn.model_selection import validation_curve
    path, by_alpha = o.coefficient_path(30, 0.3, SEED, degree, penalty)
    d = o.make_data(30, 0.3, SEED)
    param = "ridge__alpha" if penalty.startswith("ridge") else "lasso__alpha"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        train, val = validation_curve(o.poly_model(degree, penalty, 1.0), d[["x"]], d["y"], param_name=param,
                                      param_range=list(o.ALPHAS), cv=KFold(5, shuffle=True, random_state=SEED),
                                      scoring="neg_root_mean_squared_error")
        coefs = np.concatenate([o.poly_model(degree, penalty, a).fit(d[["x"]], d["y"])[-1].coef_ for a in o.ALPHAS])
    np.testing.assert_allclose(by_alpha["train_rmse"], -train.mean(axis=1), rtol=1e-9)
    np.testing.assert_allclose(by_alpha["val_rmse"], -val.mean(axis=1), rtol=1e-9)
    np.testing.assert_allclose(by_alpha["val_se"], val.std(axis=1, ddof=1) / np.sqrt(5), rtol=1e-9)
    np.testing.assert_allclose(path["coefficient"], coefs, rtol=1e-9, atol=1e-12)


def _sent_charts(at) -> dict:
    """Every chart on screen: title -> (its spec without data names, the frames of its parts)."""
    import json

    import pyarrow as pa
    out = {}
    for chart in at.get("vega_lite_chart"):
        spec = json.loads(chart.proto.spec)
        data = {d.name: pa.ipc.open_stream(d.data.data).read_pandas() for d in chart.proto.datasets}
        parts = spec.get("layer", [spec])
        top = spec.get("data", {}).get("name")  # Altair lifts a lone layer's data to the chart
        frames = [data.get(part.get("data", {}).get("name", top)) for part in parts]
        bare = json.dumps({**{k: v for k, v in spec.items() if k != "data"},
                           "layer": [{k: v for k, v in p.items() if k != "data"} for p in parts]}, sort_keys=True)
        out[spec.get("title")] = (bare, frames)
    return out


@pytest.mark.parametrize("view,kind,key,first,then,query", [
    ("Fit & validation curve", "slider", o.DEGREE_KEY, 3, 8, {}),
    ("Regularisation path", "select_slider", o.ALPHA_KEY, 0.001, 1.0, {o.PENALTY_KEY: "lasso (L1)", o.DEGREE_KEY: "9"}),
])
def test_scrubbed_charts_equal_freshly_built_ones(view, kind, key, first, then, query):
    """Scrubbing the degree (fit view) or alpha (path view) swaps markers into charts built for the first
    setting: what the page sends must equal what a page opened at that setting builds from scratch."""
    import streamlit as st
    st.cache_data.clear()
    at = open_page(PAGE, query={VIEW_KEY: view, key: f"{first:g}", **query})
    getattr(at, kind)(key=key).set_value(then).run()
    swapped = _sent_charts(at)
    st.cache_data.clear()
    fresh_page = open_page(PAGE, query={VIEW_KEY: view, key: f"{then:g}", **query})
    assert getattr(fresh_page, kind)(key=key).value == then
    fresh = _sent_charts(fresh_page)
    assert swapped.keys() == fresh.keys() and len(fresh) == 2
    for title, (bare, frames) in fresh.items():
        assert swapped[title][0] == bare, title
        for a, b in zip(swapped[title][1], frames):
            pd.testing.assert_frame_equal(a, b, check_dtype=False)


def test_bias_variance_charts_at_a_scrubbed_degree_equal_a_direct_build():
    """The bias-variance charts are built at degree 1 and each degree's fits swapped in: at degree 7
    they must equal charts built directly from the decomposition."""
    from components import charts
    at = open_page(PAGE, query={VIEW_KEY: "Bias–variance"})
    at.slider(key=o.DEGREE_KEY).set_value(7).run()
    sent = _sent_charts(at)
    bv = o.bias_variance(o.N_POINTS_DEFAULT, o.NOISE_DEFAULT, SEED, "none", o.ALPHA_DEFAULT)
    xs = bv.curves[7]
    truth = pd.DataFrame({"x": xs["x"].unique(), "y": np.sin(2 * np.pi * xs["x"].unique()),
                          "series": "true function", "line": "truth"})
    lines = pd.concat([xs.assign(alpha=0.35), truth.assign(alpha=1.0)])
    title = f"{o.CURVES_SHOWN} of {o.BOOTSTRAPS} bootstrap refits, degree 7"
    noise = o.NOISE_DEFAULT
    direct = charts.to_spec(charts.points_lines_chart(None, lines, "x", "y", title,
                                                      y_domain=(-1.5 - 3 * noise, 1.5 + 3 * noise)))
    import pyarrow as pa
    frame = pa.ipc.open_stream(direct["datasets"][direct["data"]["name"]]).read_pandas()  # a lone layer's data
    pd.testing.assert_frame_equal(sent[title][1][0].reset_index(drop=True), frame, check_dtype=False)
    import json
    drawn = {k: v for k, v in json.loads(sent[title][0]).items() if k != "autosize"}  # Streamlit adds autosize
    assert drawn == json.loads(json_without_data(direct))
    row = bv.table.iloc[6]
    marker = sent["Bias² + variance + noise by degree (clipped)"][1][0]
    assert marker["x"].tolist() == [7] and marker["y"].tolist() == pytest.approx([row["total"]])
    assert marker["group"].iloc[0] == f"degree 7: {o.bias_variance_regime(bv.table, 7)[0]}"


def json_without_data(spec: dict) -> str:
    import json
    parts = spec.get("layer", [spec])
    return json.dumps({**{k: v for k, v in spec.items() if k not in ("datasets", "data")},
                       "layer": [{k: v for k, v in p.items() if k != "data"} for p in parts]}, sort_keys=True)


def test_tree_sliders_redo_only_the_curve_they_change():
    """max_depth moves along the depth curve (fitted at the current ccp_alpha) and re-fits only the
    pruning curve; ccp_alpha the other way round. The page's numbers stay those of a direct fit."""
    import streamlit as st
    st.cache_data.clear()  # counts below must not depend on what earlier tests cached
    at = open_page(PAGE, query={VIEW_KEY: "Trees: depth & pruning"})
    with mock.patch.object(o, "tree_depth_curve", wraps=o.tree_depth_curve) as by_depth, \
            mock.patch.object(o, "tree_ccp_curve", wraps=o.tree_ccp_curve) as by_ccp:
        at.slider(key=o.TREE_DEPTH_KEY).set_value(5).run()
        assert by_depth.call_count == 0 and by_ccp.call_count == 1
        at.select_slider(key=o.CCP_KEY).set_value(0.01).run()
        assert by_depth.call_count == 1 and by_ccp.call_count == 1
    ds = datasets.load("breast_cancer")  # the default dataset
    X_tr, X_te, y_tr, y_te = train_test_split(ds.X, ds.y, test_size=0.3, random_state=SEED, stratify=ds.y)
    t = DecisionTreeClassifier(max_depth=5, ccp_alpha=0.01, random_state=SEED).fit(X_tr, y_tr)
    assert metric_values(at)["Test accuracy"] == f"{np.mean(t.predict(X_te) == y_te):.3f}"
    assert metric_values(at)["Leaves"] == str(t.get_n_leaves())
    assert_clean(at)


def test_patience_slider_refits_only_the_early_stopped_model():
    import streamlit as st
    st.cache_data.clear()
    at = open_page(PAGE, query={VIEW_KEY: "Early stopping"})
    with mock.patch.object(o, "boosting_losses", wraps=o.boosting_losses) as full:
        at.slider(key=o.PATIENCE_KEY).set_value(4).run()
        assert full.call_count == 0
    pool = o.make_data(o.POOL_N, o.NOISE_DEFAULT, SEED + 1)
    X_tr, X_te, y_tr, y_te = train_test_split(pool[["x"]].to_numpy(), pool["y"].to_numpy(), test_size=0.3,
                                              random_state=SEED)
    gb = GradientBoostingRegressor(n_estimators=o.GB_STAGES, learning_rate=o.GB_LR_DEFAULT, max_depth=3,
                                   random_state=SEED, n_iter_no_change=4,
                                   validation_fraction=o.GB_VALIDATION_FRACTION).fit(X_tr, y_tr)
    assert metric_values(at)["Stopped at stage"] == str(gb.n_estimators_)
    sent = _sent_charts(at)
    (title,) = sent
    assert sent[title][1][1]["stage"].tolist() == [gb.n_estimators_]  # the rule
    assert_clean(at)


def test_still_improving_needs_a_drop_larger_than_one_standard_error():
    lc = pd.DataFrame({"n_train": [60, 240, 60, 240], "split": ["validation"] * 2 + ["train"] * 2,
                       "rmse": [0.320, 0.307, 0.2, 0.25], "se": [0.02, 0.01, 0.0, 0.0]})
    assert o.still_improving(lc)  # 0.013 > 0.01
    assert not o.still_improving(lc.assign(se=[0.02, 0.02, 0.0, 0.0]))  # 0.013 < 0.02: noise
    real = o.learning_curve_frame(0.3, SEED, 3, "none", 1.0)
    val = real[real["split"] == "validation"]
    from sklearn.model_selection import learning_curve
    data = o.make_data(o.POOL_N, 0.3, SEED + 1)
    _, _, scores = learning_curve(o.poly_model(3), data[["x"]], data["y"], train_sizes=np.array(o.LEARNING_SIZES),
                                  cv=o.cv(SEED), scoring="neg_root_mean_squared_error", shuffle=True, random_state=SEED)
    np.testing.assert_allclose(val["se"], scores.std(axis=1, ddof=1) / np.sqrt(scores.shape[1]), rtol=1e-9)


def test_error_metrics_stay_readable_when_a_fit_explodes():
    at = open_page(PAGE)
    at.slider(key=o.DEGREE_KEY).set_value(20).run()
    shown = metric_values(at)["Validation RMSE (5-fold CV)"]
    cv_rmse = o.degree_curve(o.make_data(o.N_POINTS_DEFAULT, o.NOISE_DEFAULT, SEED), "none", 1.0, SEED)["val_rmse"].iloc[-1]
    assert cv_rmse > 1000 and shown == f"{cv_rmse:,.0f}"
