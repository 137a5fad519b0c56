"""Model gallery: component numbers against direct scikit-learn fits, the page's controls, the URL and
the exported script."""
from unittest import mock

import numpy as np
import pytest
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import r2_score
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC
from sklearn.tree import DecisionTreeClassifier

from components import datasets
from components import gallery as g
from tests.apptest_utils import assert_clean, metric_values, open_page, run_exported_script, widgets
from tests.chart_utils import assert_converts_like_streamlit
from tests.conftest import split_70_30

PAGE = "views/models/gallery.py"
SEED = 42


def test_tree_matches_direct_fit(moons):
    r = g.fit_classifier(moons, g.TREE, {"max_depth": 3, "min_samples_leaf": 5, "criterion": "entropy"}, SEED)
    X_tr, X_te, y_tr, y_te = split_70_30(moons)
    tree = DecisionTreeClassifier(max_depth=3, min_samples_leaf=5, criterion="entropy", random_state=SEED).fit(X_tr, y_tr)
    assert r.train_accuracy == pytest.approx(np.mean(tree.predict(X_tr) == y_tr))
    assert r.test_accuracy == pytest.approx(np.mean(tree.predict(X_te) == y_te))
    assert r.extras["leaves"] == tree.get_n_leaves()
    assert "x1 <=" in r.extras["text"] or "x2 <=" in r.extras["text"]
    assert len(r.grid) == 80 * 80 and set(r.points["split"]) == {"train", "test"}
    assert (r.points["split"] == "test").sum() == len(y_te)


def test_svm_support_vectors_and_margin(moons):
    r = g.fit_classifier(moons, g.SVM, {"kernel": "rbf", "C": 10.0, "gamma": 2.0, "degree": 3}, SEED)
    X_tr, X_te, y_tr, y_te = split_70_30(moons)
    scaler = StandardScaler().fit(X_tr)
    svc = SVC(kernel="rbf", C=10.0, gamma=2.0).fit(scaler.transform(X_tr), y_tr)
    assert r.extras["n_support"] == svc.support_.size
    np.testing.assert_allclose(np.sort(r.extras["support"]["x1"]), np.sort(X_tr[svc.support_, 0]))
    assert r.test_accuracy == pytest.approx(np.mean(svc.predict(scaler.transform(X_te)) == y_te))
    # the margin cells lie where |decision| is close to 1
    dec = svc.decision_function(scaler.transform(r.extras["margin"][["x1", "x2"]].to_numpy()))
    assert np.median(np.abs(np.abs(dec) - 1)) < 0.15
    # larger C: fewer support vectors
    r_big = g.fit_classifier(moons, g.SVM, {"kernel": "rbf", "C": 1000.0, "gamma": 2.0, "degree": 3}, SEED)
    assert r_big.extras["n_support"] < r.extras["n_support"]


def test_level_cells_traces_a_vertical_line():
    res = 10
    xs = np.tile(np.arange(res, dtype=float), res)  # value = column index
    mask = g.level_cells(xs, res, 4.5).reshape(res, res)
    assert mask[:, 4].all() and mask.sum() == res


def test_logistic_and_forest(moons):
    X_tr, X_te, y_tr, y_te = split_70_30(moons)
    r = g.fit_classifier(moons, g.LOGISTIC, {"C": 0.1}, SEED)
    lr = LogisticRegression(C=0.1, max_iter=1000).fit(X_tr, y_tr)
    np.testing.assert_allclose(r.extras["coef"], [lr.intercept_[0], *lr.coef_[0]], rtol=1e-4)
    pts = r.extras["sigmoid_points"]
    np.testing.assert_allclose(pts["p"], 1 / (1 + np.exp(-pts["z"])))
    rf = g.fit_classifier(moons, g.FOREST, {"n_estimators": 20, "max_features": 2}, SEED)
    direct = RandomForestClassifier(n_estimators=20, max_features=2, random_state=SEED).fit(X_tr, y_tr)
    assert rf.test_accuracy == pytest.approx(np.mean(direct.predict(X_te) == y_te))
    assert len(rf.extras["members"]) == 3


def test_mlp_loss_curve(moons):
    r = g.fit_classifier(moons, g.MLP, g.default_params(g.MLP), SEED)
    loss = r.extras["loss"]["loss"].to_numpy()
    assert len(loss) == r.extras["n_iter"] and loss[-1] < loss[0]


def test_linear_regression_matches_lstsq():
    r = g.fit_linear(["bmi", "s5"], SEED)
    ds = datasets.load("diabetes")
    X_tr, X_te, y_tr, y_te = train_test_split(ds.X[["bmi", "s5"]].to_numpy(), ds.y.to_numpy(), test_size=0.3,
                                              random_state=SEED)
    A = np.column_stack([np.ones(len(X_tr)), X_tr])
    beta = np.linalg.lstsq(A, y_tr, rcond=None)[0]
    assert r.intercept == pytest.approx(beta[0])
    np.testing.assert_allclose(r.coef["coefficient"], beta[1:], rtol=1e-8)
    pred = np.column_stack([np.ones(len(X_te)), X_te]) @ beta
    assert r.r2_test == pytest.approx(r2_score(y_te, pred))
    assert r.rmse_test == pytest.approx(np.sqrt(np.mean((y_te - pred) ** 2)))
    assert r.line is None and "bmi" in r.equation
    one = g.fit_linear(["bmi"], SEED)
    assert one.line is not None and len(one.line) == 50


def test_page_default_and_every_model_renders():
    at = open_page(PAGE)
    assert_clean(at, "default")
    assert at.button_group(key=g.MODEL_KEY).value == g.MODEL_DEFAULT
    for model in g.MODELS:
        at.button_group(key=g.MODEL_KEY).set_value(model)
        at.run()
        assert_clean(at, model)
        labels = metric_values(at)
        assert ("Test accuracy" in labels) != (model == g.LINEAR), model


def test_controls_change_numbers_and_model_switch_uses_cache():
    at = open_page(PAGE, query={g.MODEL_KEY: g.TREE})
    assert at.button_group(key=g.MODEL_KEY).value == g.TREE
    shallow = metric_values(at)
    at.slider(key=g.TREE_DEPTH_KEY).set_value(12)
    at.run()
    deep = metric_values(at)
    assert float(deep["Train accuracy"]) > float(shallow["Train accuracy"])
    assert int(deep["Leaves"]) > int(shallow["Leaves"])
    # switching model away and back re-reads the cache: no refit
    with mock.patch.object(g, "fit_classifier", wraps=g.fit_classifier) as spy:
        at.button_group(key=g.MODEL_KEY).set_value(g.LOGISTIC).run()
        at.button_group(key=g.MODEL_KEY).set_value(g.TREE).run()
        calls = spy.call_count
        at.button_group(key=g.MODEL_KEY).set_value(g.LOGISTIC).run()
        assert spy.call_count == calls
    assert_clean(at)


def test_url_sets_widgets_and_svm_counts_support_vectors():
    at = open_page(PAGE, query={g.MODEL_KEY: g.SVM, g.SVM_KERNEL_KEY: "linear", g.DATASET_KEY: "blobs"})
    assert at.button_group(key=g.SVM_KERNEL_KEY).value == "linear"
    assert at.selectbox(key=g.DATASET_KEY).value == "blobs"
    assert at.select_slider(key=g.SVM_GAMMA_KEY).proto.disabled
    n_small_c = int(metric_values(at)["Support vectors"])
    at.select_slider(key=g.SVM_C_KEY).set_value(1000.0).run()
    assert int(metric_values(at)["Support vectors"]) <= n_small_c
    assert_clean(at)


@pytest.mark.parametrize("model", [m for m in g.MODELS if m != g.LOGISTIC])
def test_model_widgets_to_extremes(model):
    """The generic sweep only sees the default model's widgets; move every other model's widgets here."""
    at = open_page(PAGE, query={g.MODEL_KEY: model})
    own = {k: v for k, v in widgets(at).items() if k.startswith("gallery.") and k not in (g.MODEL_KEY, g.DATASET_KEY)}
    assert own, model
    for key, (kind, w) in own.items():
        if w.proto.disabled:
            continue
        if kind == "slider":
            values = [w.min, w.max]
        elif kind == "select_slider":
            values = [w.options[0], w.options[-1]]
        elif kind == "button_group":
            values = list(w.options)
        elif kind == "multiselect":
            values = [[], list(w.options)]
        else:
            continue
        for v in values:
            getattr(at, kind)(key=key).set_value(type(w.value)(v) if kind == "select_slider" else v).run()
            assert_clean(at, f"{model} {key}={v}")
        getattr(at, kind)(key=key).set_value(w.value).run()


@pytest.mark.parametrize("model", [g.LINEAR, g.TREE, g.SVM, g.MLP])
def test_exported_script_reproduces_numbers(model):
    if model == g.LINEAR:
        r = g.fit_linear(["bmi", "bp"], SEED)
        out = run_exported_script(g.export_code(g.LINEAR, {}, SEED, features=["bmi", "bp"]))
        assert out["r2_test"] == pytest.approx(r.r2_test) and out["rmse_test"] == pytest.approx(r.rmse_test)
        return
    p = g.default_params(model)
    ds = datasets.load("xor", n_samples=250, noise=0.3, seed=7)
    r = g.fit_classifier(ds, model, p, 7)
    out = run_exported_script(g.export_code(model, p, 7, "xor", 250, 0.3))
    assert out["train_accuracy"] == pytest.approx(r.train_accuracy)
    assert out["test_accuracy"] == pytest.approx(r.test_accuracy)
    if model == g.SVM:
        assert out["n_support_vectors"] == r.extras["n_support"]
    if model == g.TREE:
        assert out["leaves"] == r.extras["leaves"]


def test_url_sets_numeric_widgets():
    at = open_page(PAGE, query={g.MODEL_KEY: g.FOREST, g.RF_FEATURES_KEY: "2", g.RF_TREES_KEY: "7"})
    assert at.button_group(key=g.RF_FEATURES_KEY).value == 2
    assert at.slider(key=g.RF_TREES_KEY).value == 7
    at = open_page(PAGE, query={g.MODEL_KEY: g.LOGISTIC, g.LOGIT_C_KEY: "0.01"})
    assert at.select_slider(key=g.LOGIT_C_KEY).value == 0.01
    assert_clean(at)


def test_gallery_charts_validate_against_the_vega_lite_schema(moons):
    from components import charts
    svm = g.fit_classifier(moons, g.SVM, g.default_params(g.SVM), SEED)
    charts.boundary_chart(svm.grid, svm.points, extra=charts.outline_layer(svm.extras["margin"],
                                                                            svm.extras["support"])).to_dict(validate=True)
    logit = g.fit_classifier(moons, g.LOGISTIC, {"C": 1.0}, SEED)
    pts = logit.extras["sigmoid_points"].rename(columns={"z": "x"}).assign(group=lambda d: d["label"])
    curve = logit.extras["sigmoid"].rename(columns={"z": "x", "p": "y"}).assign(series="sigmoid")
    charts.points_lines_chart(pts[["x", "y", "group"]], curve, rule_y=0.5).to_dict(validate=True)
    lin = g.fit_linear(["bmi"], SEED)
    charts.bar_chart(lin.coef, "coefficient", "feature").to_dict(validate=True)


def test_tree_layout_matches_the_fitted_tree(moons):
    from components import charts
    X_tr, X_te, y_tr, y_te = split_70_30(moons)
    tree = DecisionTreeClassifier(max_depth=3, random_state=SEED).fit(X_tr, y_tr)
    nodes, edges = g.tree_layout(tree)
    assert len(nodes) == tree.tree_.node_count and len(edges) == tree.tree_.node_count - 1
    assert nodes["leaf"].sum() == tree.get_n_leaves() and nodes["depth"].max() == tree.get_depth()
    assert nodes.loc[0, "samples"] == len(y_tr) and nodes.loc[0, "p1"] == pytest.approx(np.mean(y_tr))
    leaves = nodes[nodes["leaf"]].sort_values("x")
    assert list(leaves["x"]) == list(range(len(leaves)))  # leaves spread left to right
    # every split sits above the middle of its two children
    for parent in nodes[~nodes["leaf"]].itertuples():
        kids = edges[(edges["x"] == parent.x) & (edges["depth"] == parent.depth)]
        assert parent.x == pytest.approx(kids["x2"].mean())
    charts.tree_chart(nodes, edges).to_dict(validate=True)


@pytest.mark.parametrize("model", [g.SVM, g.FOREST])
def test_page_charts_convert_as_streamlit_converts_them(moons, model):
    """charts.to_spec (frames straight to Arrow) sends what st.altair_chart would send for the page's
    boundary (with the SVM's margin layer) and a line chart, data included."""
    from components import charts

    r = g.fit_classifier(moons, model, g.default_params(model), SEED)
    extra = charts.outline_layer(r.extras["margin"], r.extras["support"]) if model == g.SVM else None
    built = [charts.boundary_chart(r.grid, r.points, title="t", height=300, extra=extra).configure_legend(
        gradientLength=120), charts.line_chart(r.grid.assign(k=np.arange(len(r.grid))), "k", "proba", rule_x=3)]
    for chart in built:
        assert_converts_like_streamlit(chart, min_datasets=2)
