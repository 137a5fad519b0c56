"""Model gallery: component numbers against direct scikit-learn fits, the page's controls, the URL and
the exported script."""
import warnings
from unittest import mock

import numpy as np
import pandas as pd
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


# ---- the network: every new setting, its curves and its sentences against scikit-learn ------------------
def direct_network(X_tr, y_tr, p: dict, seed: int):
    """MLPClassifier with the page's settings, written out here: returns the scaler and the fitted network."""
    from sklearn.neural_network import MLPClassifier

    n_fit = len(y_tr) - (int(np.ceil(p["validation_fraction"] * len(y_tr))) if p["early_stopping"] else 0)
    sgd = {"momentum": 0.9, "nesterovs_momentum": True} if p["solver"] == "sgd" else {}
    net = MLPClassifier(hidden_layer_sizes=(p["width"],) * p["layers"], activation=p["activation"], solver=p["solver"],
                        learning_rate_init=p["learning_rate"], max_iter=p["epochs"], alpha=p["alpha"],
                        batch_size=min(p["batch_size"], n_fit), early_stopping=p["early_stopping"],
                        validation_fraction=p["validation_fraction"], n_iter_no_change=p["patience"],
                        random_state=seed, **sgd)
    scaler = StandardScaler().fit(X_tr)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # the epoch cap, on purpose
        net.fit(scaler.transform(X_tr), y_tr)
    return scaler, net


def replay_network(X_tr, y_tr, X_te, y_te, p: dict, seed: int, epochs: int) -> dict:
    """The same training as MLPClassifier.fit, replayed one epoch at a time with partial_fit, scoring the
    held-out rows after each epoch with sklearn.metrics: independent of the page's per-epoch hook.

    fit draws from one RandomState: the initial weights, then (early stopping) the validation split, then one
    shuffle of the running row order per epoch. partial_fit draws the same initial weights but shuffles the
    rows as given, from its own state; so each call gets the rows ordered such that its shuffle yields the
    order fit would use in that epoch."""
    from sklearn.metrics import log_loss
    from sklearn.neural_network import MLPClassifier
    from sklearn.utils import shuffle

    scaler = StandardScaler().fit(X_tr)
    A, B = scaler.transform(X_tr), scaler.transform(X_te)
    classes = np.unique(y_tr)
    units = [A.shape[1], *[p["width"]] * p["layers"], 1 if len(classes) == 2 else len(classes)]

    def after_init() -> np.random.RandomState:
        rs = np.random.RandomState(seed)
        for fan_in, fan_out in zip(units[:-1], units[1:]):  # MLPClassifier's draws: weights, then biases
            rs.uniform(-1, 1, (fan_in, fan_out))
            rs.uniform(-1, 1, fan_out)
        return rs

    fit_rs = after_init()
    if p["early_stopping"]:
        A_fit, A_val, y_fit, y_val = train_test_split(A, y_tr, random_state=fit_rs,
                                                      test_size=p["validation_fraction"], stratify=y_tr)
    else:
        A_fit, y_fit = A, y_tr
    n = len(y_fit)
    sgd = {"momentum": 0.9, "nesterovs_momentum": True} if p["solver"] == "sgd" else {}
    own_rs = np.random.RandomState(seed)
    net = MLPClassifier(hidden_layer_sizes=(p["width"],) * p["layers"], activation=p["activation"],
                        solver=p["solver"], learning_rate_init=p["learning_rate"], alpha=p["alpha"],
                        batch_size=min(p["batch_size"], n), max_iter=p["epochs"], random_state=own_rs, **sgd)
    order = np.arange(n)
    out = {"train_loss": [], "test_loss": [], "validation_loss": [], "validation_accuracy": [], "n_fit": n}
    for epoch in range(epochs):
        order = order[shuffle(np.arange(n), random_state=fit_rs)]  # fit's order this epoch
        probe = after_init()
        if epoch:
            probe.set_state(own_rs.get_state())
        own = shuffle(np.arange(n), random_state=probe)  # the shuffle partial_fit is about to draw
        feed = order[np.argsort(own)]  # feed[own] == order
        net.partial_fit(A_fit[feed], y_fit[feed], classes=classes)
        out["train_loss"].append(net.loss_curve_[-1])
        out["test_loss"].append(log_loss(y_te, net.predict_proba(B), labels=classes))
        if p["early_stopping"]:
            out["validation_loss"].append(log_loss(y_val, net.predict_proba(A_val), labels=classes))
            out["validation_accuracy"].append(np.mean(net.predict(A_val) == y_val))
    return out


NETWORK_CASES = [
    {},
    {"early_stopping": True},
    {"early_stopping": True, "validation_fraction": 0.3, "patience": 4, "batch_size": 32, "alpha": 0.01},
    {"solver": "sgd", "batch_size": 16, "epochs": 40, "alpha": 1.0},
    {"batch_size": 2000, "activation": "tanh", "patience": 3, "layers": 1},
]


@pytest.mark.parametrize("change", NETWORK_CASES, ids=lambda c: ",".join(f"{k}={v}" for k, v in c.items()) or "default")
def test_network_settings_and_curves_match_scikit_learn(moons, change):
    p = {**g.default_params(g.MLP), **change}
    r = g.fit_classifier(moons, g.MLP, p, SEED)
    X_tr, X_te, y_tr, y_te = split_70_30(moons)
    scaler, net = direct_network(X_tr, y_tr, p, SEED)
    x = r.extras
    assert x["n_iter"] == net.n_iter_
    np.testing.assert_allclose(x["loss"]["loss"], net.loss_curve_, rtol=1e-10)
    assert r.test_accuracy == pytest.approx(np.mean(net.predict(scaler.transform(X_te)) == y_te))
    from sklearn.metrics import log_loss
    assert x["test_log_loss"] == pytest.approx(log_loss(y_te, net.predict_proba(scaler.transform(X_te))))
    assert x["batch"] == net.batch_size or x["batch"] == min(net.batch_size, x["n_fit"])
    replay = replay_network(X_tr, y_tr, X_te, y_te, p, SEED, net.n_iter_)
    np.testing.assert_allclose(replay["train_loss"], net.loss_curve_, rtol=1e-8)  # the replay is fit's run
    np.testing.assert_allclose(x["test_loss"], replay["test_loss"], rtol=1e-7)
    assert x["n_fit"] == replay["n_fit"]
    curves = x["curves"]
    assert set(curves["curve"]) == ({"training loss (loss_curve_)", "test log-loss"}
                                     | ({"validation log-loss"} if p["early_stopping"] else set()))
    if p["early_stopping"]:
        np.testing.assert_allclose(x["validation"]["validation accuracy"], net.validation_scores_)
        np.testing.assert_allclose(x["validation"]["validation accuracy"], replay["validation_accuracy"])
        np.testing.assert_allclose(curves.loc[curves["curve"] == "validation log-loss", "loss"],
                                   replay["validation_loss"], rtol=1e-7)
        assert x["best_validation"] == net.best_validation_score_
        assert x["best_epoch"] == 1 + int(np.argmax(replay["validation_accuracy"]))
        # the network kept is the best epoch's: its test log-loss is that epoch's point on the curve
        assert x["test_log_loss"] == pytest.approx(replay["test_loss"][x["best_epoch"] - 1])
        assert x["n_validation"] == len(y_tr) - replay["n_fit"]


NETWORK_SENTENCE_CASES = [{"epochs": 60}, {"early_stopping": True, "batch_size": 64},
                          {"early_stopping": True, "validation_fraction": 0.2, "patience": 3, "batch_size": 2000}]


@pytest.mark.parametrize("name", SENTENCE_SETS)
@pytest.mark.parametrize("seed", SENTENCE_SEEDS)
def test_network_sentence_holds(name, seed):
    ds, X_tr, X_te, y_tr, y_te = sentence_data(name, seed)
    for change in NETWORK_SENTENCE_CASES:
        p = {**g.default_params(g.MLP), **change}
        text = g.observation(g.MLP, g.fit_classifier(ds, g.MLP, p, seed), p)
        _, net = direct_network(X_tr, y_tr, p, seed)
        replay = replay_network(X_tr, y_tr, X_te, y_te, p, seed, net.n_iter_)
        n_fit = replay["n_fit"]
        assert f"ran {net.n_iter_} of at most {p['epochs']} epochs" in text
        assert ("stopped early" in text) == (net.n_iter_ < p["epochs"])
        if net.n_iter_ < p["epochs"]:
            assert f"for more than {p['patience']} epochs in a row" in text
            watched = f"the accuracy on its {len(y_tr) - n_fit} validation rows" if p["early_stopping"] else "the training loss"
            assert f"in a row {watched} had not beaten" in text
        steps = -(-n_fit // min(p["batch_size"], n_fit))
        assert f"Each epoch is {steps} gradient step{'s' if steps > 1 else ''} over the {n_fit} rows" in text
        assert ("full batch" in text) == (p["batch_size"] >= n_fit)
        test_loss = replay["test_loss"]
        low = int(np.argmin(test_loss))
        kept = 1 + int(np.argmax(replay["validation_accuracy"])) if p["early_stopping"] else net.n_iter_
        if p["early_stopping"]:
            assert f"the one after epoch {kept}, the first with the best validation accuracy " \
                   f"({net.best_validation_score_:.3f})" in text
        if low + 1 == kept == len(test_loss):
            assert f"lowest after the last epoch, epoch {kept} ({test_loss[low]:.3f})" in text
        else:
            assert f"lowest after epoch {low + 1} ({test_loss[low]:.3f})" in text
            if kept == len(test_loss):
                assert f"it is {test_loss[-1]:.3f}, {shown(test_loss[-1], test_loss[low])} that lowest" in text
            else:
                assert f"the network kept (epoch {kept}) has {test_loss[kept - 1]:.3f}" in text


def test_network_default_keeps_scikit_learns_defaults():
    """The new controls' defaults are scikit-learn's: a link without them fits what the page always fitted."""
    from sklearn.neural_network import MLPClassifier

    p, ref = g.default_params(g.MLP), MLPClassifier()
    assert (p["alpha"], p["early_stopping"], p["validation_fraction"], p["patience"]) == (
        ref.alpha, ref.early_stopping, ref.validation_fraction, ref.n_iter_no_change)
    assert ref.batch_size == "auto" and p["batch_size"] == 200  # "auto" is min(200, rows)
    assert g.MLP_TOL == ref.tol


# ---- more than two classes: one-vs-rest against softmax ----------------------------------------------
MULTI_SENTENCE_SETS = (g.IRIS_PETALS, g.BLOBS3, g.IRIS_SEPALS)


def direct_multiclass(name: str, seed: int, C: float):
    """The panel's data and both models, written out here (iris columns by name, make_blobs with 3 centres)."""
    from sklearn.datasets import load_iris, make_blobs
    from sklearn.multiclass import OneVsRestClassifier

    if name in (g.IRIS_PETALS, g.IRIS_SEPALS):
        iris = load_iris(as_frame=True)
        cols = ["petal length (cm)", "petal width (cm)"] if name == g.IRIS_PETALS else ["sepal length (cm)",
                                                                                         "sepal width (cm)"]
        X, y = iris.data[cols].to_numpy(), iris.target.to_numpy()
    elif name == g.BLOBS3:
        X, y = make_blobs(n_samples=300, centers=3, cluster_std=2.0, random_state=seed)
    else:
        ds = datasets.load(name, n_samples=300, noise=0.25, seed=seed)
        X, y = ds.X.to_numpy(), ds.y.to_numpy()
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.3, random_state=seed, stratify=y)
    ovr = OneVsRestClassifier(LogisticRegression(C=C, max_iter=1000)).fit(X_tr, y_tr)
    softmax = LogisticRegression(C=C, max_iter=1000).fit(X_tr, y_tr)
    X_all = np.vstack([X_tr, X_te])
    lo, hi = X_all.min(axis=0), X_all.max(axis=0)
    pad = (hi - lo) * 0.1 + 1e-9
    a, b = np.meshgrid(*(np.linspace(lo[i] - pad[i], hi[i] + pad[i], 60) for i in range(2)))
    cells = np.column_stack([a.ravel(), b.ravel()])
    return X_te, y_te, ovr, softmax, cells


@pytest.mark.parametrize("name", [g.IRIS_PETALS, g.IRIS_SEPALS, g.BLOBS3, "moons", "xor"])
def test_multiclass_matches_direct_fits(name):
    from sklearn.metrics import log_loss

    seed, C = 3, 1.0
    r = g.fit_multiclass(g.multiclass_data(name, 300, 0.25, seed), C, seed)
    X_te, y_te, ovr, softmax, cells = direct_multiclass(name, seed, C)
    np.testing.assert_allclose(r.cells, cells)
    for key, m in ((g.OVR, ovr), (g.SOFTMAX, softmax)):
        assert r.accuracy[key] == pytest.approx(np.mean(m.predict(X_te) == y_te))
        assert r.log_loss[key] == pytest.approx(log_loss(y_te, m.predict_proba(X_te)))
        np.testing.assert_allclose(r.proba[key], m.predict_proba(cells), rtol=1e-6, atol=1e-9)
    k = len(np.unique(y_te))
    # one-vs-rest: K binary sigmoids rescaled to sum to 1 (one model when K = 2)
    raw = np.column_stack([e.predict_proba(cells)[:, 1] for e in ovr.estimators_])
    assert r.n_binary_models == (1 if k == 2 else k) == raw.shape[1]
    np.testing.assert_allclose(r.ovr_sums, raw.sum(axis=1), rtol=1e-9)
    if k > 2:
        np.testing.assert_allclose(r.proba[g.OVR], raw / raw.sum(axis=1, keepdims=True), rtol=1e-9)
        # scikit-learn's LogisticRegression on K > 2 classes is multinomial: a softmax of its K linear scores
        z = softmax.decision_function(cells)
        np.testing.assert_allclose(r.proba[g.SOFTMAX], np.exp(z) / np.exp(z).sum(axis=1, keepdims=True), rtol=1e-6)
    else:  # two classes: the same model
        assert np.abs(r.proba[g.OVR] - r.proba[g.SOFTMAX]).max() < 1e-9
    differs = ovr.predict_proba(cells).argmax(axis=1) != softmax.predict_proba(cells).argmax(axis=1)
    assert r.differs.sum() == differs.sum()


@pytest.mark.parametrize("name", MULTI_SENTENCE_SETS)
@pytest.mark.parametrize("seed", SENTENCE_SEEDS)
def test_multiclass_sentence_holds(name, seed):
    from sklearn.metrics import log_loss

    for C in (0.01, 1.0, 100.0):
        text = g.multiclass_observation(g.fit_multiclass(g.multiclass_data(name, 300, 0.25, seed), C, seed))
        X_te, y_te, ovr, softmax, cells = direct_multiclass(name, seed, C)
        classes = g.multiclass_data(name, 300, 0.25, seed).target_names
        raw = np.column_stack([e.predict_proba(cells)[:, 1] for e in ovr.estimators_]).sum(axis=1)
        assert f"One-vs-rest fitted {len(ovr.estimators_)} binary models" in text
        assert f"summed to between {raw.min():.2f} and {raw.max():.2f}" in text
        p_ovr, p_soft = ovr.predict_proba(cells), softmax.predict_proba(cells)
        a, b = p_ovr.argmax(axis=1), p_soft.argmax(axis=1)
        d = a != b
        share = f"{d.mean():.0%}" if not 0 < d.mean() < 0.005 else "under 1%"
        assert f"a different class on {share} of the plane drawn ({d.sum():,} of {len(cells):,} cells)" in text
        if d.any():
            pairs = pd.Series(list(zip(a[d], b[d]))).value_counts()
            (i, j), n = pairs.index[0], pairs.iloc[0]
            if len(pairs) == 1 or pairs.iloc[1] < n:  # a unique most common pair
                assert f"most of it ({n:,} cells) where one-vs-rest says {classes[i]} and softmax says {classes[j]}" in text
        acc_o, acc_s = np.mean(ovr.predict(X_te) == y_te), np.mean(softmax.predict(X_te) == y_te)
        assert f"Test accuracy {acc_o:.3f} (one-vs-rest) is {shown(acc_o, acc_s)} {acc_s:.3f} (softmax)" in text
        ll_o, ll_s = log_loss(y_te, ovr.predict_proba(X_te)), log_loss(y_te, softmax.predict_proba(X_te))
        assert f"test log-loss {ll_o:.3f} is {shown(ll_o, ll_s)} {ll_s:.3f}" in text
        assert (f"the largest probability is {p_ovr.max(axis=1).mean():.2f} under one-vs-rest and "
                f"{p_soft.max(axis=1).mean():.2f} under softmax") in text


@pytest.mark.parametrize("name", ["moons", "blobs"])
@pytest.mark.parametrize("seed", SENTENCE_SEEDS)
def test_two_classes_sentence_says_the_models_coincide(name, seed):
    text = g.multiclass_observation(g.fit_multiclass(g.multiclass_data(name, 300, 0.25, seed), 1.0, seed))
    X_te, y_te, ovr, softmax, cells = direct_multiclass(name, seed, 1.0)
    assert np.abs(ovr.predict_proba(cells) - softmax.predict_proba(cells)).max() < 1e-9
    assert f"the two give the same probabilities in every one of the {len(cells):,} cells" in text


def test_multiclass_sets_leave_the_registry_alone():
    """The three-class sets live in the gallery: the registry's 2-D sets and their numbers are unchanged."""
    assert datasets.TWO_D == ("moons", "circles", "blobs", "xor")
    blobs = datasets.load("blobs", n_samples=300, noise=0.25, seed=1)
    assert blobs.n_classes == 2
    same = g.multiclass_data("blobs", 300, 0.25, 1)
    pd.testing.assert_frame_equal(same.X, blobs.X)
    three = g.multiclass_data(g.BLOBS3, 300, 0.25, 1)
    assert three.n_classes == 3 and sorted(three.y.unique()) == [0, 1, 2]
    iris = g.multiclass_data(g.IRIS_SEPALS)
    assert iris.target_names == ("setosa", "versicolor", "virginica") and list(iris.X.columns) == ["x1", "x2"]


def test_class_borders_trace_a_two_region_grid():
    from components import charts

    xs, ys = np.meshgrid(np.arange(6.0), np.arange(4.0))
    cells = pd.DataFrame({"x1": xs.ravel(), "x2": ys.ravel()})
    cells["predicted"] = np.where(cells["x1"] < 2.5, "a", "b")
    border = charts.class_borders(cells)
    assert sorted(set(border["x1"])) == [2.0, 3.0] and len(border) == 8


def test_multiclass_charts_validate_and_convert_like_streamlit():
    from components import charts

    r = g.fit_multiclass(g.multiclass_data(g.IRIS_PETALS), 1.0, 0)
    frames = g.multiclass_frames(r)
    regions = charts.class_regions_chart(frames[g.OVR], r.points, list(r.classes), title="t")
    gap = charts.probability_gap_chart(frames["gap"], title="t")
    for chart, n_datasets in ((regions, 4), (gap, 1)):
        chart.to_dict(validate=True)
        assert_converts_like_streamlit(chart, min_datasets=n_datasets)
    assert frames[g.OVR]["differs"].sum() == r.differs.sum() > 0


# ---- the page: every new control changes what it should ------------------------------------------------
def on_screen(at) -> str:
    return " ".join(m.value for m in at.markdown)


def test_multiclass_panel_controls():
    at = open_page(PAGE)
    assert_clean(at)
    first = metric_values(at)
    assert at.selectbox(key=g.MULTI_KEY).value == g.MULTI_DEFAULT
    assert float(first["Where they differ"].rstrip("%")) > 0
    assert "**On screen now (more than two classes):** One-vs-rest fitted 3 binary models" in on_screen(at)
    assert any(getattr(p, "proto", None) is not None and "cockpit" in str(p.proto) for p in at.get("page_link"))
    with mock.patch.object(g, "fit_classifier", wraps=g.fit_classifier) as spy:
        at.selectbox(key=g.MULTI_KEY).set_value("moons").run()
        assert spy.call_count == 0  # the binary model above is not refitted
    moons = metric_values(at)
    assert moons["Where they differ"] == "0.0%"
    assert moons["Test accuracy"] == first["Test accuracy"]  # the binary panel is untouched
    assert "the two give the same probabilities" in on_screen(at)
    at.select_slider(key=g.LOGIT_C_KEY).set_value(0.01).run()
    small_c = metric_values(at)
    assert small_c["‖w‖ (weight size)"] != first["‖w‖ (weight size)"]
    assert small_c["Log-loss (softmax)"] != moons["Log-loss (softmax)"]  # C feeds both panels
    assert_clean(at)


def test_network_controls_change_what_they_should():
    at = open_page(PAGE, query={g.MODEL_KEY: g.MLP})
    base = metric_values(at)
    assert len(at.get("vega_lite_chart")) == 2
    assert at.select_slider(key=g.MLP_VALIDATION_KEY).proto.disabled
    assert "What scikit-learn's MLP cannot show" in on_screen(at)
    links = " ".join(str(p.proto) for p in at.get("page_link"))
    assert "transfer" in links and "applications" in links

    at.select_slider(key=g.MLP_ALPHA_KEY).set_value(10.0).run()
    heavy = metric_values(at)
    assert float(heavy["Final training loss"]) > float(base["Final training loss"])  # the penalty term
    at.select_slider(key=g.MLP_ALPHA_KEY).set_value(g.MLP_ALPHA_DEFAULT).run()
    assert metric_values(at) == base

    at.select_slider(key=g.MLP_BATCH_KEY).set_value(16).run()
    assert "Each epoch is 14 gradient steps over the 210 rows" in on_screen(at)
    assert metric_values(at)["Epochs run"] != base["Epochs run"]
    at.select_slider(key=g.MLP_BATCH_KEY).set_value(g.MLP_BATCH_DEFAULT).run()

    at.slider(key=g.MLP_PATIENCE_KEY).set_value(2).run()
    assert int(metric_values(at)["Epochs run"]) < int(base["Epochs run"])
    assert "for more than 2 epochs in a row the training loss" in on_screen(at)
    at.slider(key=g.MLP_PATIENCE_KEY).set_value(g.MLP_PATIENCE_DEFAULT).run()

    at.toggle(key=g.MLP_EARLY_KEY).set_value(True).run()
    early = metric_values(at)
    assert not at.select_slider(key=g.MLP_VALIDATION_KEY).proto.disabled
    assert len(at.get("vega_lite_chart")) == 3  # the validation accuracy chart
    assert "over the 189 rows the network trains on" in on_screen(at)  # 210 - ceil(0.1 * 210)
    assert "the first with the best validation accuracy" in on_screen(at)
    at.select_slider(key=g.MLP_VALIDATION_KEY).set_value(0.3).run()
    assert "over the 147 rows the network trains on" in on_screen(at)
    assert metric_values(at) != early
    assert any("early_stopping=True, validation_fraction=0.3" in c.value for c in at.code)
    assert_clean(at)


@pytest.mark.parametrize("name,C", [(g.IRIS_SEPALS, 0.1), (g.BLOBS3, 10.0)])
def test_multiclass_exported_script_reproduces_numbers(name, C):
    r = g.fit_multiclass(g.multiclass_data(name, 250, 0.3, 5), C, 5)
    out = run_exported_script(g.multiclass_code(name, C, 5, 250, 0.3))
    assert out["test_accuracy_ovr"] == pytest.approx(r.accuracy[g.OVR])
    assert out["test_accuracy_softmax"] == pytest.approx(r.accuracy[g.SOFTMAX])
    assert out["test_log_loss_ovr"] == pytest.approx(r.log_loss[g.OVR])
    assert out["test_log_loss_softmax"] == pytest.approx(r.log_loss[g.SOFTMAX])
    assert out["plane_predicted_differently"] == pytest.approx(r.differs.mean())


def test_network_exported_script_reproduces_numbers_with_early_stopping():
    p = {**g.default_params(g.MLP), "early_stopping": True, "validation_fraction": 0.2, "alpha": 0.01,
         "batch_size": 32, "patience": 5}
    ds = datasets.load("circles", n_samples=400, noise=0.2, seed=4)
    r = g.fit_classifier(ds, g.MLP, p, 4)
    out = run_exported_script(g.export_code(g.MLP, p, 4, "circles", 400, 0.2))
    assert out["test_accuracy"] == pytest.approx(r.test_accuracy)
    assert out["epochs_run"] == r.extras["n_iter"]
    assert out["final_loss"] == pytest.approx(r.extras["loss"]["loss"].iloc[-1])
    assert out["test_log_loss"] == pytest.approx(r.extras["test_log_loss"])
    assert out["best_validation_accuracy"] == pytest.approx(r.extras["best_validation"])


@pytest.mark.parametrize("model,change", [(g.MLP, {"early_stopping": True}), (g.MLP, {}), (g.LOGISTIC, {}),
                                          (g.TREE, {}), (g.FOREST, {}), (g.SVM, {})])
def test_every_spec_the_page_draws_validates(model, change):
    """The cached views' specs (after to_spec) are valid Vega-Lite, legends and configs included."""
    import altair as alt

    from components import charts

    v = g.classifier_view(g.settings(model, "moons", {**g.default_params(model), **change}, 300, 0.25, SEED))
    specs = [s for spec in v.specs.values() for s in (spec if isinstance(spec, list) else [spec])]
    if model == g.LOGISTIC:
        specs += list(g.multiclass_view(g.MulticlassSettings(g.BLOBS3, 1.0, 300, 0.25, SEED)).specs.values())
    for spec in specs:
        chart = charts.as_chart(spec)
        type(chart).from_dict(chart.to_dict(validate=False), validate=True)
        assert isinstance(chart, (alt.Chart, alt.LayerChart))
