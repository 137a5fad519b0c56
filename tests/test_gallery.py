"""Model gallery: component numbers against direct scikit-learn fits, the page's controls, the URL and
the exported script."""
import warnings
from unittest import mock

import numpy as np
import pytest
from sklearn.ensemble import RandomForestClassifier
from sklearn.exceptions import ConvergenceWarning
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


# ---- sentences about the screen: generated from the numbers, checked against direct fits --------
SENTENCE_SEEDS = (0, 1, 2)
SENTENCE_SETS = ("moons", "xor")


def shown(a: float, b: float) -> str:
    """The comparison a reader sees at three decimals, written out for the tests."""
    a, b = float(f"{a:.3f}"), float(f"{b:.3f}")
    return "above" if a > b else "below" if a < b else "equal to"


def sentence_data(name: str, seed: int):
    ds = datasets.load(name, n_samples=300, noise=0.25, seed=seed)
    return (ds, *split_70_30(ds, seed))


@pytest.mark.parametrize("name", SENTENCE_SETS)
@pytest.mark.parametrize("seed", SENTENCE_SEEDS)
def test_tree_and_forest_sentences_hold(name, seed):
    ds, X_tr, X_te, y_tr, y_te = sentence_data(name, seed)
    for depth in (2, 15):
        p = {"max_depth": depth, "min_samples_leaf": 1, "criterion": "gini"}
        text = g.observation(g.TREE, g.fit_classifier(ds, g.TREE, p, seed), p)
        tree = DecisionTreeClassifier(max_depth=depth, random_state=seed).fit(X_tr, y_tr)
        train, test = np.mean(tree.predict(X_tr) == y_tr), np.mean(tree.predict(X_te) == y_te)
        assert f"depth {tree.get_depth()} with {tree.get_n_leaves()} leaves" in text
        assert ("short of the limit" in text) == (tree.get_depth() < depth)
        assert f"Test accuracy ({test:.3f}) is {shown(test, train)} training accuracy ({train:.3f}" in text
        assert ("every training point classified correctly" in text) == (train == 1.0)
    for max_features in (1, 2):
        p = {"n_estimators": 30, "max_features": max_features}
        r = g.fit_classifier(ds, g.FOREST, p, seed)
        text = g.observation(g.FOREST, r, p)
        forest = RandomForestClassifier(n_estimators=30, max_features=max_features, random_state=seed).fit(X_tr, y_tr)
        assert forest.estimators_[0].max_features_ == max_features
        assert f"max_features = {max_features}" in text
        assert ("draws 1 of the 2 features" in text) == (max_features == 1)
        assert "max(1, int(√2)) = 1" in text and int(np.sqrt(2)) == 1  # scikit-learn's 'sqrt' on 2 features
        acc = np.mean(forest.predict(X_te) == y_te)
        members = [np.mean(t.predict(X_te) == y_te) for t in forest.estimators_[:g.RF_MEMBERS_SHOWN]]
        words = [shown(acc, m) for m in members]
        assert f"The forest's test accuracy ({acc:.3f}) is " in text
        assert "(" + ", ".join(f"{m:.3f}" for m in members) + ")" in text
        if len(set(words)) == 1:
            assert f"is {words[0]} all 3 trees" in text
        else:
            for w in set(words):
                assert f"{w} {words.count(w)}" in text
        cells = r.extras["members"][0][1][["x1", "x2"]].to_numpy()
        votes = np.array([t.predict_proba(cells)[:, 1] > 0.5 for t in forest.estimators_[:g.RF_MEMBERS_SHOWN]])
        disagree = np.mean(votes.min(axis=0) != votes.max(axis=0))
        assert f"different classes on {disagree:.0%} of the plane" in text or (0 < disagree < 0.005
                                                                              and "under 1%" in text)


@pytest.mark.parametrize("name", SENTENCE_SETS)
@pytest.mark.parametrize("seed", SENTENCE_SEEDS)
def test_logistic_svm_and_network_sentences_hold(name, seed):
    ds, X_tr, X_te, y_tr, y_te = sentence_data(name, seed)
    X_all = np.vstack([X_tr, X_te])
    for c in (0.01, 1.0):
        text = g.observation(g.LOGISTIC, g.fit_classifier(ds, g.LOGISTIC, {"C": c}, seed), {"C": c})
        lr = LogisticRegression(C=c, max_iter=1000).fit(X_tr, y_tr)
        p = lr.predict_proba(X_all)[:, 1]
        assert f"‖w‖ is {np.linalg.norm(lr.coef_):.2f}" in text
        assert f"runs from {p.min():.2f} to {p.max():.2f}" in text
    p = g.default_params(g.SVM)
    text = g.observation(g.SVM, g.fit_classifier(ds, g.SVM, p, seed), p)
    svc = SVC(C=p["C"], gamma=p["gamma"]).fit(StandardScaler().fit(X_tr).transform(X_tr), y_tr)
    assert f"{svc.support_.size} of the {len(y_tr)} training points ({svc.support_.size / len(y_tr):.0%})" in text
    from sklearn.neural_network import MLPClassifier
    for solver in g.MLP_SOLVERS:
        p = {**g.default_params(g.MLP), "solver": solver}
        text = g.observation(g.MLP, g.fit_classifier(ds, g.MLP, p, seed), p)
        # scikit-learn's own defaults: "sgd" means momentum 0.9 with Nesterov's correction, as the page says
        mlp = MLPClassifier(hidden_layer_sizes=(16, 16), learning_rate_init=0.01, solver=solver, max_iter=200,
                            random_state=seed)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the iteration cap, on purpose
            mlp.fit(StandardScaler().fit(X_tr).transform(X_tr), y_tr)
        if solver == "sgd":
            assert (mlp.momentum, mlp.nesterovs_momentum) == (0.9, True)
            assert text.startswith("SGD with Nesterov momentum 0.9 ran")
        assert f"ran {mlp.n_iter_} of at most 200 epochs" in text
        first, last = mlp.loss_curve_[0], mlp.loss_curve_[-1]
        verb = {"below": "fell", "above": "rose", "equal to": "stayed"}[shown(last, first)]
        assert f"loss {verb} from {first:.3f} after the first to {last:.3f}" in text
        assert ("stopped early" in text) == (mlp.n_iter_ < 200)


@pytest.mark.parametrize("seed", SENTENCE_SEEDS)
def test_linear_sentence_holds(seed):
    ds = datasets.load("diabetes")
    for feats in (["bmi"], list(g.LIN_FEATURES)):
        X_tr, X_te, y_tr, y_te = train_test_split(ds.X[feats].to_numpy(), ds.y.to_numpy(), test_size=0.3,
                                                  random_state=seed)
        beta = np.linalg.lstsq(np.column_stack([np.ones(len(X_tr)), X_tr]), y_tr, rcond=None)[0]
        r2_tr = r2_score(y_tr, np.column_stack([np.ones(len(X_tr)), X_tr]) @ beta)
        r2_te = r2_score(y_te, np.column_stack([np.ones(len(X_te)), X_te]) @ beta)
        text = g.observation(g.LINEAR, g.fit_linear(feats, seed), {"features": feats})
        assert f"({r2_te:.3f}) is {shown(r2_te, r2_tr)} R² on the training rows ({r2_tr:.3f})" in text
        assert ("Below 0" in text) == (r2_te < 0)


@pytest.mark.parametrize("name", datasets.TWO_D)
@pytest.mark.parametrize("seed", SENTENCE_SEEDS)
def test_explanation_trends_hold(name, seed):
    """The explanations' general claims, on every 2-D set: a larger SVM C (harder margin) leaves no more
    support vectors, and a smaller logistic C shrinks the weights."""
    ds, X_tr, X_te, y_tr, y_te = sentence_data(name, seed)
    Xs = StandardScaler().fit(X_tr).transform(X_tr)
    for kernel, extra in (("rbf", {"gamma": 1.0}), ("linear", {}), ("poly", {"degree": 3, "coef0": 1.0})):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)  # the page's iteration cap; the trend holds with it
            counts = [SVC(kernel=kernel, C=c, max_iter=g.SVM_MAX_ITER, **extra).fit(Xs, y_tr).support_.size
                      for c in (0.01, 1.0, 100.0)]
        assert counts[0] >= counts[1] >= counts[2], (kernel, counts)
    norms = [np.linalg.norm(LogisticRegression(C=c, max_iter=5000).fit(X_tr, y_tr).coef_) for c in g.C_VALUES]
    assert all(a <= b * (1 + 1e-3) for a, b in zip(norms, norms[1:])), norms


def test_the_page_says_what_it_fits():
    """The sentence under "What you are seeing" is the one for the model on screen, and the SVM's C
    control reads the right way round."""
    at = open_page(PAGE, query={g.MODEL_KEY: g.FOREST, g.RF_FEATURES_KEY: "2"})
    assert_clean(at)
    text = " ".join(m.value for m in at.markdown)
    assert "**On screen now:** Each split tries all 2 features (max_features = 2)" in text
    assert "1 of the 2" not in text
    at = open_page(PAGE, query={g.MODEL_KEY: g.SVM})
    assert at.select_slider(key=g.SVM_C_KEY).label.startswith("C (penalty on margin violations: large C = harder")
    at = open_page(PAGE, query={g.MODEL_KEY: g.MLP, g.MLP_SOLVER_KEY: "sgd"})
    assert_clean(at)
    text = " ".join(m.value for m in at.markdown)
    assert "is not plain SGD" in text and "**On screen now:** SGD with Nesterov momentum 0.9 ran" in text
    assert any("momentum=0.9, nesterovs_momentum=True" in c.value for c in at.code)


@pytest.mark.parametrize("model,change", [(g.MLP, {"solver": "sgd"}), (g.FOREST, {"max_features": 2})])
def test_exported_script_keeps_the_settings_the_text_names(model, change):
    p = {**g.default_params(model), **change}
    ds = datasets.load("moons", n_samples=200, noise=0.3, seed=3)
    r = g.fit_classifier(ds, model, p, 3)
    out = run_exported_script(g.export_code(model, p, 3, "moons", 200, 0.3))
    assert out["test_accuracy"] == pytest.approx(r.test_accuracy)
    if model == g.MLP:
        assert out["epochs_run"] == r.extras["n_iter"]
    else:
        assert out["max_features_used"] == r.extras["max_features_used"] == 2
