"""Ensembles lab: bagging and AdaBoost numbers against direct scikit-learn fits, the round slider's
precomputed states, the page's controls, the URL and the exported script."""
import json
import warnings
from unittest import mock

import altair as alt
import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import make_blobs, make_circles, make_moons
from sklearn.ensemble import AdaBoostClassifier, BaggingClassifier, GradientBoostingClassifier
from sklearn.tree import DecisionTreeClassifier

from components import datasets
from components import ensembles as e
from components.ui import common
from tests.apptest_utils import assert_clean, metric_values, open_page, run_exported_script, widgets
from tests.chart_utils import layer_frames, shown_at, without_scrub_starts
from tests.conftest import split_70_30

PAGE = "views/models/ensembles.py"
SEED = 42


def test_bagging_matches_direct_fit(moons):
    r = e.fit_bagging(moons, 15, True, 0.8, SEED)
    X_tr, X_te, y_tr, y_te = split_70_30(moons)
    bag = BaggingClassifier(DecisionTreeClassifier(), n_estimators=15, max_samples=0.8, oob_score=True,
                            random_state=SEED).fit(X_tr, y_tr)
    assert r.test_accuracy == pytest.approx(bag.score(X_te, y_te))
    assert r.oob_score == pytest.approx(bag.oob_score_)
    # the vote of all k trees is the ensemble itself
    last = r.by_k[(r.by_k["n_trees"] == 15) & (r.by_k["split"] == "test")]["accuracy"].iloc[0]
    assert last == pytest.approx(np.mean(bag.predict(X_te) == y_te))
    assert len(r.members) == 3 and len(r.grid) == 80 * 80
    np.testing.assert_allclose(r.grid["proba"], bag.predict_proba(r.grid[["x1", "x2"]].to_numpy())[:, 1])
    no_boot = e.fit_bagging(moons, 15, False, 1.0, SEED)
    assert no_boot.oob_score is None


@pytest.mark.parametrize("bootstrap,max_samples", [(True, 1.0), (True, 0.3), (False, 0.5)])
def test_first_k_members_are_a_fresh_ensemble_of_k(moons, bootstrap, max_samples):
    """The page fits BAG_N_MAX trees once and reads smaller ensembles from the first k: each must be
    exactly what BaggingClassifier(n_estimators=k) fits (vote, accuracies, out-of-bag score)."""
    members = e.fit_bagging_members(moons, bootstrap, max_samples, SEED)
    X_tr, X_te, y_tr, y_te = split_70_30(moons)
    for k in (1, 2, 7, 25, e.BAG_N_MAX):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # few trees: rows without an out-of-bag vote
            bag = BaggingClassifier(DecisionTreeClassifier(), n_estimators=k, bootstrap=bootstrap,
                                    max_samples=max_samples, oob_score=bootstrap, random_state=SEED).fit(X_tr, y_tr)
        r = e.bagging_at(members, k)
        np.testing.assert_allclose(r.grid["proba"], bag.predict_proba(members.grid_xy)[:, 1], atol=1e-6)
        assert r.train_accuracy == pytest.approx(bag.score(X_tr, y_tr))
        assert r.test_accuracy == pytest.approx(bag.score(X_te, y_te))
        assert r.oob_score == (pytest.approx(bag.oob_score_) if bootstrap else None)
        by_k = r.by_k[(r.by_k["n_trees"] == k) & (r.by_k["split"] == "test")]["accuracy"].iloc[0]
        assert by_k == pytest.approx(bag.score(X_te, y_te))


def test_bagging_survives_one_class_samples():
    tiny = datasets.load("moons", n_samples=50, noise=0.0, seed=SEED)
    r = e.fit_bagging(tiny, 3, False, 0.1, SEED)
    assert 0 <= r.test_accuracy <= 1


def test_variance_falls_with_more_trees(moons):
    v = e.variance_by_trees(moons, True, 1.0, SEED, 0.25)
    assert len(v) == e.VARIANCE_TREES
    assert v["variance"].iloc[-1] < 0.6 * v["variance"].iloc[0]
    # without bootstrap every tree of a training set sees the same rows: averaging them removes little
    flat = e.variance_by_trees(moons, False, 1.0, SEED, 0.25)
    assert flat["variance"].iloc[-1] > 0.8 * flat["variance"].iloc[0]


def generator_draw(name: str, n: int, noise: float, seed: int, draw_seed: int):
    """A training set drawn afresh from the 2-D set's generator, written out with scikit-learn and numpy:
    the same shapes and noise as components.datasets; blobs keep the centres `seed` drew (make_blobs
    draws them first, uniform in (-10, 10)), and the points come after the same first draws."""
    if name == "moons":
        return make_moons(n_samples=n, noise=noise, random_state=draw_seed)
    if name == "circles":
        return make_circles(n_samples=n, noise=noise, factor=0.5, random_state=draw_seed)
    if name == "xor":
        rng = np.random.default_rng(draw_seed)
        corners = np.array([[-1, -1], [1, 1], [-1, 1], [1, -1]], dtype=float)
        idx = rng.integers(0, 4, size=n)
        return corners[idx] + rng.normal(scale=noise * 1.5, size=(n, 2)), np.array([0, 0, 1, 1])[idx]
    centres = np.random.RandomState(seed).uniform(-10, 10, (2, 2))
    state = np.random.RandomState(draw_seed)
    state.uniform(-10, 10, (2, 2))
    return make_blobs(n_samples=n, centers=centres, cluster_std=1.0 + 4 * noise, random_state=state)


@pytest.mark.parametrize("name", datasets.TWO_D)
def test_fresh_training_sets_come_from_the_page_sets_generator(name):
    """Drawn with the page's own seed, a fresh set is the page's dataset: the same process; drawn with
    another, new points (for blobs around the same two centres)."""
    ds = datasets.load(name, n_samples=300, noise=0.3, seed=7)
    X, y = e.fresh_training_set(name, 300, 0.3, 7, 7)
    np.testing.assert_array_equal(X, ds.X.to_numpy())
    np.testing.assert_array_equal(y, ds.y.to_numpy())
    X2, y2 = e.fresh_training_set(name, 300, 0.3, 7, 8)
    want = generator_draw(name, 300, 0.3, 7, 8)
    np.testing.assert_array_equal(X2, want[0])
    np.testing.assert_array_equal(y2, want[1])
    assert not np.allclose(X2, X)
    if name == "blobs":  # the same centres: a large fresh draw's class means sit on the page set's
        big_X, big_y = e.fresh_training_set(name, 20_000, 0.3, 7, 9)
        for c in (0, 1):
            assert np.allclose(big_X[big_y == c].mean(axis=0), ds.X.to_numpy()[ds.y.to_numpy() == c].mean(axis=0),
                               atol=0.5)


def direct_replica_predictions(ds, seed: int, bootstrap: bool, max_samples: float,
                               noise: float = 0.25) -> tuple[np.ndarray, np.ndarray]:
    """The variance curve's draws done with plain numpy/scikit-learn code, step by step: for each training
    set drawn afresh from the generator, P(class 1) at the test points of the vote of its first k trees."""
    X_tr, X_te, y_tr, y_te = split_70_30(ds, seed)
    rng = np.random.default_rng(seed)
    draws = rng.integers(2 ** 31 - 1, size=e.VARIANCE_REPLICAS)
    preds = []
    for draw in draws:
        X_r, y_r = generator_draw(ds.name, len(y_tr), noise, seed, int(draw))
        X_r = X_r.astype(np.float32)  # what the trees split on (scikit-learn's own dtype)
        trees = []
        for _ in range(e.VARIANCE_TREES):
            size = max(1, int(max_samples * len(y_r)))
            rows = rng.integers(0, len(y_r), size) if bootstrap else rng.permutation(len(y_r))[:size]
            tree = DecisionTreeClassifier(random_state=int(rng.integers(2 ** 31 - 1)))
            tree.fit(X_r[rows], y_r[rows])
            trees.append(tree.predict_proba(X_te)[:, list(tree.classes_).index(1)] if 1 in tree.classes_
                         else np.zeros(len(X_te)))
        preds.append([np.mean(trees[:k], axis=0) for k in range(1, e.VARIANCE_TREES + 1)])
    return np.array(preds), y_te


def test_variance_curve_equals_a_direct_computation(moons):
    preds, y_te = direct_replica_predictions(moons, SEED, True, 0.6)  # replica x k x test point
    R = e.VARIANCE_REPLICAS
    variance = preds.var(axis=0, ddof=1)
    # the gap of the average prediction to the label, minus the variance / R its estimate carries
    bias_noise = ((preds.mean(axis=0) - y_te) ** 2 - variance / R).mean(axis=1)
    brier = np.array([[np.mean((preds[r, k] - y_te) ** 2) for r in range(R)] for k in range(e.VARIANCE_TREES)])
    got = e.variance_by_trees(moons, True, 0.6, SEED, 0.25)
    np.testing.assert_allclose(got["variance"], variance.mean(axis=1), rtol=1e-6)
    np.testing.assert_allclose(got["bias² + noise"], bias_noise, rtol=1e-5, atol=1e-9)
    np.testing.assert_allclose(got["error"], brier.mean(axis=1), rtol=1e-6)
    # the decomposition is exact: mean squared error = bias² + noise + variance
    np.testing.assert_allclose(got["error"], got["bias² + noise"] + got["variance"], rtol=1e-6)
    e.variance_chart(got).to_dict(validate=True)


def test_adaboost_weights_reproduce_sklearns_errors(moons):
    X_tr, X_te, y_tr, y_te = split_70_30(moons)
    ada = AdaBoostClassifier(DecisionTreeClassifier(max_depth=1), n_estimators=30, learning_rate=0.5,
                             random_state=SEED).fit(X_tr, y_tr)
    w = e.adaboost_weights(ada, X_tr, y_tr)
    assert w.shape == (30, len(y_tr))
    np.testing.assert_allclose(w.sum(axis=1), 1.0)
    np.testing.assert_allclose(w[0], 1 / len(y_tr))
    # sklearn's own weighted error of every round, computed with the weights we rebuilt
    errors = [np.average(est.predict(X_tr) != y_tr, weights=wm) for est, wm in zip(ada.estimators_, w)]
    np.testing.assert_allclose(errors, ada.estimator_errors_, rtol=1e-9)
    # misclassified points gain weight from round 1 to round 2
    wrong = ada.estimators_[0].predict(X_tr) != y_tr
    assert (w[1][wrong] > w[0][wrong]).all() and (w[1][~wrong] < w[0][~wrong]).all()


def test_boosting_states_are_the_staged_predictions(moons):
    b = e.fit_boosting(moons, 20, 1.0, 1, SEED)
    X_tr, X_te, y_tr, y_te = split_70_30(moons)
    ada = AdaBoostClassifier(DecisionTreeClassifier(max_depth=1), n_estimators=20, learning_rate=1.0,
                             random_state=SEED).fit(X_tr, y_tr)
    staged = list(ada.staged_predict_proba(b.grid_xy))
    grid, points, r = e.round_view(b, 7)
    assert r == 7
    np.testing.assert_allclose(grid["proba"], staged[6][:, 1], atol=1e-4)
    assert points["size"].iloc[: len(y_tr)].mean() == pytest.approx(1.0)
    assert e.round_view(b, 500)[2] == b.rounds
    test_err = b.errors[(b.errors["series"] == "AdaBoost test") & (b.errors["round"] == 20)]["error"].iloc[0]
    assert test_err == pytest.approx(1 - ada.score(X_te, y_te))
    assert {"gradient boosting train", "gradient boosting test"} <= set(b.errors["series"])


@pytest.mark.parametrize("name,noise,lr,depth", [("moons", 0.3, 1.0, 1), ("circles", 0.3, 0.5, 2),
                                                  ("blobs", 0.3, 2.0, 4), ("blobs", 0.1, 1.0, 3)])
def test_staged_decision_is_scikit_learns(name, noise, lr, depth):
    """One prediction per learner, then scikit-learn's running sums: every round's decision values equal
    staged_decision_function's exactly, so the staged predictions and errors are scikit-learn's."""
    ds = datasets.load(name, n_samples=200, noise=noise, seed=3)
    X_tr, X_te, y_tr, y_te = split_70_30(ds, 3)
    ada = AdaBoostClassifier(DecisionTreeClassifier(max_depth=depth), n_estimators=60, learning_rate=lr,
                             random_state=3).fit(X_tr, y_tr)
    rows = np.vstack([X_tr, X_te])
    decision, predictions = e.staged_decision(ada, rows)
    np.testing.assert_array_equal(decision, np.array(list(ada.staged_decision_function(rows))))
    np.testing.assert_array_equal(predictions, [est.predict(rows) for est in ada.estimators_])
    b = e.fit_boosting(ds, 60, lr, depth, 3)
    np.testing.assert_allclose(b.stage_proba, [p[:, 1] for p in ada.staged_predict_proba(b.grid_xy)], atol=1e-6)
    for split_name, X, y in (("train", X_tr, y_tr), ("test", X_te, y_te)):
        np.testing.assert_array_equal(e.staged_errors(b, f"AdaBoost {split_name}"),
                                      [np.mean(p != y) for p in ada.staged_predict(X)])


@pytest.mark.parametrize("name,noise,lr,depth", [("moons", 0.3, 1.0, 1), ("circles", 0.3, 0.5, 2),
                                                  ("blobs", 0.3, 2.0, 4), ("blobs", 0.1, 1.0, 3)])
def test_first_rounds_of_a_longer_run_are_a_fresh_run(name, noise, lr, depth):
    """The page reads an n-round result from a longer run: it must equal fitting n rounds, checked
    against scikit-learn's own fresh fits. Clean blobs with depth-3 learners stop early (a learner
    without error ends the run at round 9), so n = 17 and 60 read a run shorter than asked."""
    ds = datasets.load(name, n_samples=200, noise=noise, seed=3)
    long = e.fit_boosting(ds, 60, lr, depth, 3)
    if noise == 0.1:
        assert long.rounds == 9
    X_tr, X_te, y_tr, y_te = split_70_30(ds, 3)
    for n in (1, 17, 60):
        fresh = e.fit_boosting(ds, n, lr, depth, 3)
        cut = e.first_rounds(long, n)
        assert cut.rounds == fresh.rounds
        for field in ("stage_proba", "weights", "estimator_weights", "estimator_errors", "ada_staged_test_accuracy",
                      "gb_staged_test_accuracy"):
            np.testing.assert_array_equal(getattr(cut, field), getattr(fresh, field), err_msg=field)
        pd.testing.assert_frame_equal(cut.errors, fresh.errors)
        ada = AdaBoostClassifier(DecisionTreeClassifier(max_depth=depth), n_estimators=n, learning_rate=lr,
                                 random_state=3)
        gb = GradientBoostingClassifier(n_estimators=n, learning_rate=lr, max_depth=depth, random_state=3)
        assert cut.ada_test_accuracy == ada.fit(X_tr, y_tr).score(X_te, y_te)
        assert cut.gb_test_accuracy == gb.fit(X_tr, y_tr).score(X_te, y_te)
    with pytest.raises(ValueError):
        e.first_rounds(long, 61)


def test_rounds_control_never_refits():
    """Both boosters are fitted once per setting at the slider's maximum: no number of rounds refits."""
    with mock.patch.object(e, "fit_boosting", wraps=e.fit_boosting) as spy:
        # a seed no other test uses, so this process has no run of this setting yet
        at = open_page(PAGE, query={e.VIEW_KEY: "Boosting", e.DATASET_KEY: "xor", e.ADA_N_KEY: "40",
                                    common.SEED_KEY: "77"})
        assert [c.args[1] for c in spy.call_args_list] == [e.ADA_N_MAX]
        accuracy = {}
        for n in (10, 40, 41, 120, e.ADA_N_MAX, 3):
            at.slider(key=e.ADA_N_KEY).set_value(n).run()
            assert_clean(at, f"rounds={n}")
            accuracy[n] = metric_values(at)["AdaBoost test accuracy"]
        assert spy.call_count == 1
    ds = datasets.load("xor", n_samples=common.N_SAMPLES_DEFAULT, noise=common.NOISE_DEFAULT, seed=77)
    X_tr, X_te, y_tr, y_te = split_70_30(ds, 77)
    for n in (3, 41, 120):
        ada = AdaBoostClassifier(DecisionTreeClassifier(max_depth=e.BASE_DEPTH_DEFAULT), n_estimators=n,
                                 learning_rate=e.ADA_LR_DEFAULT, random_state=77)
        assert accuracy[n] == f"{ada.fit(X_tr, y_tr).score(X_te, y_te):.3f}"


def test_page_bagging_controls():
    at = open_page(PAGE)
    assert_clean(at, "default")
    assert metric_values(at)["Out-of-bag score"] != "—"
    at.toggle(key=e.BOOTSTRAP_KEY).set_value(False).run()
    assert metric_values(at)["Out-of-bag score"] == "—"
    at.toggle(key=e.BOOTSTRAP_KEY).set_value(True).run()
    at.slider(key=e.BAG_N_KEY).set_value(1).run()
    one = metric_values(at)
    at.slider(key=e.BAG_N_KEY).set_value(100).run()
    assert metric_values(at) != one
    assert_clean(at)


def test_number_of_trees_slider_does_not_refit():
    at = open_page(PAGE)
    with mock.patch.object(e, "fit_bagging_members", wraps=e.fit_bagging_members) as fit, \
            mock.patch.object(e, "variance_by_trees", wraps=e.variance_by_trees) as var:
        for n in (3, 60, 100, 1):
            at.slider(key=e.BAG_N_KEY).set_value(n).run()
            assert_clean(at, f"n={n}")
        assert fit.call_count == 0 and var.call_count == 0
        at.slider(key=e.MAX_SAMPLES_KEY).set_value(0.5).run()
        assert fit.call_count == 1
    assert_clean(at)


def test_round_slider_reads_precomputed_states():
    at = open_page(PAGE, query={e.VIEW_KEY: "Boosting", e.DATASET_KEY: "circles", e.ROUND_KEY: "3"})
    assert at.button_group(key=e.VIEW_KEY).value == "Boosting"
    assert at.selectbox(key=e.DATASET_KEY).value == "circles"
    assert at.slider(key=e.ROUND_KEY).value == 3
    assert "Round 3 error" in metric_values(at)
    with mock.patch.object(e, "fit_boosting", wraps=e.fit_boosting) as spy:
        for r in (1, 10, 40):
            at.slider(key=e.ROUND_KEY).set_value(r).run()
            assert f"Round {r} error" in metric_values(at)
        assert spy.call_count == 0
    assert_clean(at)


def test_boosting_widgets_to_extremes():
    at = open_page(PAGE, query={e.VIEW_KEY: "Boosting"})
    own = {k: v for k, v in widgets(at).items() if k.startswith("ensembles.") and k not in (e.VIEW_KEY, e.DATASET_KEY)}
    assert {e.ADA_N_KEY, e.ADA_LR_KEY, e.BASE_DEPTH_KEY, e.ROUND_KEY} <= set(own)
    for key, (kind, w) in own.items():
        values = [w.min, w.max] if kind == "slider" else [w.options[0], w.options[-1]]
        for v in values:
            getattr(at, kind)(key=key).set_value(float(v) if kind == "select_slider" else v).run()
            assert_clean(at, f"{key}={v}")
        getattr(at, kind)(key=key).set_value(w.value).run()


def test_weak_learner_no_better_than_chance_gives_a_warning():
    with mock.patch.object(e, "fit_boosting", side_effect=ValueError("worse than random")):
        # a seed no other test uses: a longer run fitted by another test would be read, not refitted
        at = open_page(PAGE, query={e.VIEW_KEY: "Boosting", e.ADA_N_KEY: "137", common.SEED_KEY: "78"})
    assert_clean(at)
    assert any("coin flip" in str(w.value) for w in at.warning)


def test_exported_script_reproduces_numbers():
    ds = datasets.load("xor", n_samples=200, noise=0.3, seed=5)
    bag = e.fit_bagging(ds, 12, True, 0.7, 5)
    boost = e.fit_boosting(ds, 25, 0.5, 2, 5)
    out = run_exported_script(e.export_code("xor", 200, 0.3, 5, 12, True, 0.7, 25, 0.5, 2))
    assert out["bagging_test_accuracy"] == pytest.approx(bag.test_accuracy)
    assert out["oob_score"] == pytest.approx(bag.oob_score)
    assert out["single_tree_test_accuracy"] == pytest.approx(bag.single_tree_test_accuracy)
    assert out["adaboost_test_accuracy"] == pytest.approx(boost.ada_test_accuracy)
    assert out["adaboost_rounds"] == boost.rounds
    assert out["gradient_boosting_test_accuracy"] == pytest.approx(boost.gb_test_accuracy)


def _sent(spec: dict, moving: dict) -> dict:
    from components import charts
    return charts.with_datasets(spec, moving)


def _no_data(spec: dict) -> str:
    return json.dumps({k: v for k, v in spec.items() if k != "datasets"}, sort_keys=True)


def _no_positions(spec: dict) -> str:
    """A spec without its datasets and its sliders' positions (the parameters' starting values)."""
    return _no_data(without_scrub_starts(spec))


def assert_same_but_starts(sent: dict, before: dict) -> None:
    """Charts sent after a scrubbing move (title -> spec) equal those before, data included, apart from
    where their sliders' parameters start."""
    assert {t: _no_positions(c) for t, c in sent.items()} == {t: _no_positions(c) for t, c in before.items()}
    assert {t: c["datasets"] for t, c in sent.items()} == {t: c["datasets"] for t, c in before.items()}


STOPS = np.array([[0x00, 0x72, 0xB2], [0xF7, 0xF7, 0xF7], [0xE6, 0x9F, 0x00]], dtype=float)  # blue, grey, orange


def decoded(image_row: pd.Series) -> np.ndarray:
    """The RGBA pixels of a probability image (a data URL)."""
    import base64
    import io

    from PIL import Image
    return np.asarray(Image.open(io.BytesIO(base64.b64decode(image_row["url"].split(",", 1)[1]))))


def expected_pixels(x1: np.ndarray, x2: np.ndarray, proba: np.ndarray) -> np.ndarray:
    """The background colours written out: P(class 1) 0 -> blue, 0.5 -> light grey, 1 -> orange, linear in
    RGB, at opacity 0.55; one pixel per grid cell, the top row at the largest x2."""
    xs, ys = np.unique(x1), np.unique(x2)
    p = np.empty((len(ys), len(xs)))
    p[np.searchsorted(ys, x2), np.searchsorted(xs, x1)] = proba
    p = p[::-1]
    rgb = [np.interp(p, [0, 0.5, 1], STOPS[:, c]) for c in range(3)]
    return np.rint(np.stack(rgb + [np.full(p.shape, 0.55 * 255)], axis=-1)).astype(np.uint8)


def test_a_probability_image_is_the_grid_coloured_cell_by_cell():
    from components import charts
    from components.boundary import grid_for
    xy = grid_for(np.array([[-1.0, 0.0], [2.0, 1.0]]), 7)
    proba = 1 / (1 + np.exp(-3 * xy[:, 1] + xy[:, 0]))  # rises with x2: the top row must be the most orange
    image = charts.boundary.probability_image(pd.DataFrame({"x1": xy[:, 0], "x2": xy[:, 1], "proba": proba})).iloc[0]
    pixels = decoded(image)
    np.testing.assert_array_equal(pixels, expected_pixels(xy[:, 0], xy[:, 1], proba))
    assert pixels[0, 0, 2] < pixels[-1, 0, 2]  # orange (no blue) at the top, blue at the bottom
    step = (xy[:, 0].max() - xy[:, 0].min()) / 6
    assert image["x1"] == pytest.approx(xy[:, 0].min()) and image["x1b"] == pytest.approx(xy[:, 0].max() + step)


def test_round_charts_validate_and_equal_a_rebuild(moons):
    """The round chart (retargeted from the process's template) and the staged errors, with the sliders at
    a number of rounds and a round shown, draw what a chart built on that round's own data draws."""
    from components import charts
    run = e.fit_boosting(moons, 30, 1.0, 1, SEED)
    specs = e.boosting_chart_specs(run)
    for n, r in ((12, 1), (12, 4), (12, 12), (30, 20), (5, 9), (30, 200)):
        b = e.first_rounds(run, n)
        moving, shown = e.boosting_frames(b, r)
        assert shown == min(n, r, run.rounds)
        grid, pts, _ = e.round_view(b, r)
        rebuilt = e.round_boundary_chart(pts, *charts.boundary.image_extent(grid))
        rebuilt.to_dict(validate=True)
        sent = layer_frames(shown_at(specs["round"], {e.ADA_N_KEY: n, e.ROUND_KEY: r}))
        fresh = layer_frames(_sent(e._with_named(charts.to_spec(rebuilt), moving), {}))
        assert sent[1] == fresh[1]
        for a, c in zip(sent[0], fresh[0]):
            pd.testing.assert_frame_equal(a, c)
        image = sent[0][0].iloc[0]
        np.testing.assert_array_equal(decoded(image), expected_pixels(run.grid_xy[:, 0], run.grid_xy[:, 1],
                                                                      run.stage_proba[shown - 1].astype(float).round(4)))
        weights = sent[0][3]
        np.testing.assert_allclose(weights["size"].iloc[:len(run.weights[0])],
                                   run.weights[shown - 1] * len(run.weights[0]))
        assert sent[0][-1]["label"].tolist() == [f"after round {shown}"]
        errors = layer_frames(shown_at(specs["errors"], {e.ADA_N_KEY: n, e.ROUND_KEY: r}))[0]
        pd.testing.assert_frame_equal(errors[0], run.errors[run.errors["round"] <= n].reset_index(drop=True))
        assert errors[1]["round"].tolist() == [shown]
    e.errors_chart().to_dict(validate=True)
    for spec in specs.values():
        alt.LayerChart.from_dict({k: v for k, v in spec.items() if k != "datasets"}, validate=True)


@pytest.mark.parametrize("seed", [SEED, 3])
def test_every_position_holds_the_rows_of_a_move(seed):
    """The charts hold their moving datasets at every position of the sliders: each position's rows are
    the rows the per-move functions (bagging_frames, boosting_frames) give at that position."""
    from components import charts
    ds = datasets.load("circles" if seed == 3 else "moons", n_samples=200, noise=0.3, seed=seed)
    m = e.fit_bagging_members(ds, True, 0.7, seed)
    stacked = e.bagging_stacked(m)
    for n in range(e.BAG_N_MIN, e.BAG_N_MAX + 1):
        for name, rows in e.bagging_frames(m, n).items():
            at = stacked[name][stacked[name][charts.SCRUB_COLUMN] == n].drop(columns=charts.SCRUB_COLUMN)
            pd.testing.assert_frame_equal(at.reset_index(drop=True), rows.reset_index(drop=True), check_exact=True)
    run = e.fit_boosting(ds, 60, 0.5, 2, seed)
    stacked = e.boosting_stacked(run)
    assert set(stacked) == set(e.BOOSTING_MOVING)
    for r in range(1, run.rounds + 1):
        moving = e.boosting_frames(run, r)[0]
        for name in (e.ROUND_IMAGE, e.ROUND_BOUNDARY, e.ROUND_LABEL, e.ROUND_RULE):
            at = stacked[name][stacked[name][charts.SCRUB_COLUMN] == r].drop(columns=charts.SCRUB_COLUMN)
            pd.testing.assert_frame_equal(at.reset_index(drop=True), moving[name].reset_index(drop=True),
                                          check_exact=True)
        points = stacked[e.ROUND_POINTS]
        pd.testing.assert_frame_equal(points[list(run.points.columns)].assign(size=points[e.weight_column(r)]),
                                      moving[e.ROUND_POINTS], check_exact=True)
    pd.testing.assert_frame_equal(stacked[e.ERRORS], run.errors)


def test_a_chart_follows_its_sliders_and_changes_nothing_else(moons):
    """The vote and first-k charts follow the number of trees, the round and error charts the rounds and
    the round shown: each has those sliders' parameters, with their ranges, and its moving datasets filtered
    by them; the specs do not depend on the sliders (built once per fit)."""
    from components import charts
    m = e.fit_bagging_members(moons, True, 1.0, SEED)
    specs = e.bagging_chart_specs(m, e.accuracy_by_k(m), "moons")
    run = e.fit_boosting(moons, e.ADA_N_MAX, 1.0, 1, SEED)
    specs |= e.boosting_chart_specs(run)
    follows = {"vote": [(e.BAG_N_KEY, e.BAG_N_MIN, e.BAG_N_MAX)], "by_k": [(e.BAG_N_KEY, e.BAG_N_MIN, e.BAG_N_MAX)],
               "round": [(e.ADA_N_KEY, e.ADA_N_MIN, e.ADA_N_MAX), (e.ROUND_KEY, e.ROUND_MIN, e.ROUND_MAX)],
               "errors": [(e.ADA_N_KEY, e.ADA_N_MIN, e.ADA_N_MAX), (e.ROUND_KEY, e.ROUND_MIN, e.ROUND_MAX)]}
    for name, sliders in follows.items():
        params = {p["name"]: p["bind"] for p in specs[name]["params"]}
        assert params == {charts.scrub_param(k): {"input": "range", "min": lo, "max": hi, "step": 1}
                          for k, lo, hi in sliders}, name
    for spec in specs["members"]:
        assert "params" not in spec
    # every position of the sliders draws one image, one label and one rule
    for n in (e.BAG_N_MIN, 2, 25, e.BAG_N_MAX):
        vote = layer_frames(shown_at(specs["vote"], {e.BAG_N_KEY: n}))[0]
        assert len(vote[0]) == 1 and vote[-1]["label"].tolist() == [e.trees_label(n)]
        assert layer_frames(shown_at(specs["by_k"], {e.BAG_N_KEY: n}))[0][1]["n_trees"].tolist() == [n]
    for n, r in ((e.ADA_N_MIN, e.ROUND_MAX), (50, 5), (7, 6), (e.ADA_N_MAX, e.ROUND_MAX)):
        frames = layer_frames(shown_at(specs["round"], {e.ADA_N_KEY: n, e.ROUND_KEY: r}))[0]
        assert len(frames[0]) == 1 and frames[-1]["label"].tolist() == [f"after round {min(n, r, run.rounds)}"]


def test_the_bagging_charts_equal_a_rebuild(moons):
    """The vote chart with n trees and the members' boundaries, retargeted from the process's templates,
    carry what charts built on this fit's own data carry; the vote's image is the vote's P(class 1)."""
    from components import charts
    m = e.fit_bagging_members(moons, True, 1.0, SEED)
    specs = e.bagging_chart_specs(m, e.accuracy_by_k(m), "moons")
    extent = charts.boundary.image_extent(e.grid_frame(m.grid_xy, np.zeros(len(m.grid_xy))))
    rebuilt = e.vote_chart(m.points, *extent, "moons")
    rebuilt.to_dict(validate=True)
    for n in (1, 7, 60):
        moving = e.bagging_frames(m, n)
        sent, fresh = layer_frames(shown_at(specs["vote"], {e.BAG_N_KEY: n})), layer_frames(
            _sent(e._with_named(charts.to_spec(rebuilt), moving), {}))
        assert sent[1] == fresh[1]
        for a, c in zip(sent[0], fresh[0]):
            pd.testing.assert_frame_equal(a, c)
        r = e.bagging_at(m, n)
        np.testing.assert_array_equal(decoded(sent[0][0].iloc[0]),
                                      expected_pixels(r.grid["x1"], r.grid["x2"], r.grid["proba"]))
        assert sent[0][-1]["label"].tolist() == [e.trees_label(n)]
        rule = layer_frames(shown_at(specs["by_k"], {e.BAG_N_KEY: n}))[0][1]
        assert rule["n_trees"].tolist() == [n]
    for spec, (title, grid, acc) in zip(specs["members"], m.members):
        built = charts.member_boundary_chart(grid, f"{title.capitalize()}: test acc {acc:.3f}")
        built.to_dict(validate=True)
        sent, fresh = layer_frames(spec), layer_frames(charts.to_spec(built))
        assert sent[1] == fresh[1]
        for a, c in zip(sent[0], fresh[0]):
            pd.testing.assert_frame_equal(a, c)


def test_swapped_boundaries_equal_a_rebuild(moons):
    """The page builds one vote chart per fit and swaps in each n's grid (and one member chart for the
    three members): every swapped spec must equal converting a freshly built chart."""
    from components import charts

    m = e.fit_bagging_members(moons, True, 1.0, SEED)
    first = e.bagging_at(m, 25)

    def vote(r, n):
        return charts.boundary_chart(r.grid, r.points, title=f"vote {n}", height=400)

    template = charts.to_spec(vote(first, 25))
    for n in (1, 2, 60):
        r = e.bagging_at(m, n)
        swapped, rebuilt = layer_frames(charts.swap_grid(template, r.grid, f"vote {n}")), layer_frames(
            charts.to_spec(vote(r, n)))
        assert swapped[1] == rebuilt[1]
        for a, b in zip(swapped[0], rebuilt[0]):
            pd.testing.assert_frame_equal(a, b)
    member = charts.to_spec(charts.boundary_chart(m.members[0][1], m.points.iloc[:0], title="a", height=210))
    for _, grid, _ in m.members[1:]:
        swapped = layer_frames(charts.swap_grid(member, grid, "b"))
        rebuilt = layer_frames(charts.to_spec(charts.boundary_chart(grid, m.points.iloc[:0], title="b", height=210)))
        assert swapped[1] == rebuilt[1]
        for a, b in zip(swapped[0], rebuilt[0]):
            pd.testing.assert_frame_equal(a, b)
    with pytest.raises(ValueError):
        charts.swap_grid(template, m.members[0][1], "another grid")


def sent_charts(at) -> dict[str, dict]:
    """The page's charts by title, each spec with its datasets as the page sent them."""
    charts_sent = {}
    for chart in at.get("vega_lite_chart"):
        spec = json.loads(chart.proto.spec)
        charts_sent[json.dumps(spec["title"])] = spec | {"datasets": {d.name: d.data.data for d in chart.proto.datasets}}
    return charts_sent


def test_page_charts_follow_the_number_of_trees():
    """The vote chart and the first-k chart hold every number of trees: at the slider's n they draw the
    vote of the first n trees of a direct fit, the label and the rule say n; a move changes no dataset and
    no spec but where the slider's parameter starts, and refits nothing."""
    from components.boundary import grid_for

    at = open_page(PAGE)
    X_tr, X_te, y_tr, y_te = split_70_30(datasets.load("moons", n_samples=300, noise=0.25, seed=SEED))
    grid = grid_for(np.vstack([X_tr, X_te]), 80)
    before = None
    with mock.patch.object(e, "fit_bagging_members", wraps=e.fit_bagging_members) as fit:
        for n in (7, 40):
            at.slider(key=e.BAG_N_KEY).set_value(n).run()
            sent = sent_charts(at)
            vote = layer_frames(shown_at(sent[json.dumps(e.vote_title("moons"))]))[0]
            bag = BaggingClassifier(DecisionTreeClassifier(), n_estimators=n, random_state=SEED).fit(X_tr, y_tr)
            want = expected_pixels(grid[:, 0], grid[:, 1], bag.predict_proba(grid)[:, 1])
            assert np.abs(decoded(vote[0].iloc[0]).astype(int) - want).max() <= 1  # float32 trees: a rounding apart
            assert vote[-1]["label"].tolist() == [f"vote of {n} trees"]
            rule = layer_frames(shown_at(sent[json.dumps(e.BY_K_TITLE)]))[0][1]
            assert rule["n_trees"].tolist() == [n]
            if before is not None:  # the same specs and data: the browser redraws in place
                assert_same_but_starts(sent, before)
            before = sent
        assert fit.call_count == 0
    assert_clean(at)


def test_page_round_charts_follow_both_sliders():
    """The round and error charts follow the rounds and the round shown: after a move of either, they draw
    the round the page reports, and neither move changes a dataset or refits."""
    at = open_page(PAGE, query={e.VIEW_KEY: "Boosting"})
    before = None
    with mock.patch.object(e, "fit_boosting", wraps=e.fit_boosting) as spy:
        for key, value, shown in ((e.ROUND_KEY, 30, 30), (e.ADA_N_KEY, 12, 12), (e.ROUND_KEY, 3, 3)):
            at.slider(key=key).set_value(value).run()
            assert f"Round {shown} error" in metric_values(at)
            sent = sent_charts(at)
            round_chart = layer_frames(shown_at(sent[json.dumps(e.ROUND_TITLE)]))[0]
            assert round_chart[-1]["label"].tolist() == [f"after round {shown}"]
            errors = layer_frames(shown_at(sent[json.dumps("Staged train and test error")]))[0]
            assert errors[0]["round"].max() == at.slider(key=e.ADA_N_KEY).value and errors[1]["round"].tolist() == [shown]
            if before is not None:
                assert_same_but_starts(sent, before)
            before = sent
        assert spy.call_count == 0
    assert_clean(at)


def test_charts_follow_the_dataset():
    """The chart templates are built once per process and retargeted per dataset: after moons, the
    circles charts must carry circles' image extent, axes, points and rows."""
    import pyarrow as pa

    at = open_page(PAGE)
    at.selectbox(key=e.DATASET_KEY).set_value("circles").run()
    assert_clean(at)
    ds = datasets.load("circles", n_samples=300, noise=0.25, seed=SEED)
    X_tr, X_te, y_tr, y_te = split_70_30(ds)
    sent = {}
    for chart in at.get("vega_lite_chart"):
        spec = json.loads(chart.proto.spec)
        data = {d.name: pa.ipc.open_stream(d.data.data).read_pandas() for d in chart.proto.datasets}
        sent[json.dumps(spec["title"])] = (spec, [data.get(part.get("data", {}).get("name"))
                                                  for part in spec.get("layer", [spec])])
    spec, frames = sent[json.dumps(e.vote_title("circles"))]
    image, points = frames[0].iloc[0], frames[3]
    np.testing.assert_allclose(points[["x1", "x2"]].to_numpy(), np.vstack([X_tr, X_te]))
    assert spec["layer"][0]["encoding"]["x"]["scale"]["domain"] == [image["x1"], image["x1b"]]
    assert spec["layer"][0]["encoding"]["y"]["scale"]["domain"] == [image["x2"], image["x2b"]]
    assert image["x1"] < np.vstack([X_tr, X_te])[:, 0].min() and image["x1b"] > np.vstack([X_tr, X_te])[:, 0].max()
    members = [v for k, v in sent.items() if k.startswith('"Tree ')]
    assert len(members) == 3
    for member_spec, (member_image, *_) in members:
        assert member_spec["layer"][0]["encoding"]["x"]["scale"]["domain"] == [member_image["x1"].iloc[0],
                                                                                member_image["x1b"].iloc[0]]
    by_k = sent[json.dumps(e.BY_K_TITLE)][1][0]
    last = by_k[(by_k["n_trees"] == e.BAG_N_MAX) & (by_k["split"] == "test")]["accuracy"].iloc[0]
    full = BaggingClassifier(DecisionTreeClassifier(), n_estimators=e.BAG_N_MAX, random_state=SEED).fit(X_tr, y_tr)
    assert last == pytest.approx(full.score(X_te, y_te))


# ---- sentences about the screen: generated from the numbers, checked against direct fits --------
SENTENCE_SEEDS = (0, 1, 2)


def shown(a: float, b: float) -> str:
    """The comparison a reader sees at three decimals, written out for the tests."""
    a, b = float(f"{a:.3f}"), float(f"{b:.3f}")
    return "above" if a > b else "below" if a < b else "equal to"


def moved(first: float, last: float) -> str:
    word = {"below": "fell", "above": "rose", "equal to": "stayed"}[shown(last, first)]
    return f"stayed at {first:.3f}" if word == "stayed" else f"{word} from {first:.3f} to {last:.3f}"


@pytest.mark.parametrize("name", ["moons", "xor"])
@pytest.mark.parametrize("seed", SENTENCE_SEEDS)
def test_bagging_sentences_hold(name, seed):
    ds = datasets.load(name, n_samples=300, noise=0.25, seed=seed)
    X_tr, X_te, y_tr, y_te = split_70_30(ds, seed)
    members = e.fit_bagging_members(ds, True, 1.0, seed)
    single = DecisionTreeClassifier(random_state=seed).fit(X_tr, y_tr).score(X_te, y_te)
    for n in (3, 25):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # few trees: rows without an out-of-bag vote
            bag = BaggingClassifier(DecisionTreeClassifier(), n_estimators=n, oob_score=True,
                                    random_state=seed).fit(X_tr, y_tr)
        r = e.bagging_at(members, n)
        vote = bag.score(X_te, y_te)
        drawn = [np.mean(t.predict(X_te) == y_te) for t in bag.estimators_[:e.MEMBERS_SHOWN]]
        text = e.vote_sentence(n, r.test_accuracy, r.single_tree_test_accuracy, [a for _, _, a in r.members])
        assert f"test accuracy of {vote:.3f}, {shown(vote, single)} one full tree" in text
        assert f"({single:.3f})" in text and ", ".join(f"{a:.3f}" for a in drawn) in text
        in_bag = np.zeros((n, len(y_tr)), dtype=bool)
        for i, rows in enumerate(bag.estimators_samples_):
            in_bag[i, rows] = True
        left_out, no_vote = e.out_of_bag_left_out(members, n)
        text = e.out_of_bag_sentence(left_out, e.expected_left_out(len(y_tr), 1.0), no_vote, n)
        assert f"left out {np.mean(~in_bag):.0%} of the training rows" in text
        assert f"(expected: {(1 - 1 / len(y_tr)) ** len(y_tr):.0%})" in text
        assert (f"{in_bag.all(axis=0).sum()} row" in text) == bool(in_bag.all(axis=0).any())


@pytest.mark.parametrize("name", ["moons", "xor", "circles", "blobs"])
@pytest.mark.parametrize("seed", SENTENCE_SEEDS)
def test_variance_sentence_and_claims_hold(name, seed):
    """The sentence reads the curve's first and last points; the explanation's claims hold on each set:
    bagging with bootstrap cuts the variance by more than half, switching bootstrap off (every tree on the
    same rows) removes far less, pasting (max samples < 1) makes the trees differ again, and bias² + noise
    moves less than the variance."""
    ds = datasets.load(name, n_samples=300, noise=0.25, seed=seed)
    cut = {}
    for bootstrap, max_samples in ((True, 1.0), (False, 1.0), (False, 0.5)):
        preds, y_te = direct_replica_predictions(ds, seed, bootstrap, max_samples)
        variance = preds.var(axis=0, ddof=1).mean(axis=1)
        bias = ((preds.mean(axis=0) - y_te) ** 2).mean(axis=1) - variance / e.VARIANCE_REPLICAS
        frame = e.variance_by_trees(ds, bootstrap, max_samples, seed, 0.25)
        text = e.variance_sentence(frame)
        assert f"the variance of P(class 1), averaged over the test points, {moved(variance[0], variance[-1])}" in text
        assert f"bias² + noise {moved(bias[0], bias[-1])}" in text
        pct = round(100 * (variance[-1] / variance[0] - 1))
        percent = "±0 %" if pct == 0 else f"{'−' if pct < 0 else '+'}{abs(pct)} %"
        assert f"({percent})" in text
        assert e.variance_title(frame) == (f"Over 8 fresh training sets: variance {percent} from 1 to "
                                           f"{e.VARIANCE_TREES} trees")
        cut[bootstrap, max_samples] = 1 - variance[-1] / variance[0]
        # well-separated blobs leave both tiny (variance 0.005 on seed 1): the bias line's estimation noise wins
        if bootstrap and name != "blobs":
            assert abs(bias[-1] - bias[0]) < abs(variance[-1] - variance[0])
    assert cut[True, 1.0] > 0.5
    assert cut[False, 1.0] < cut[True, 1.0] - 0.3 and cut[False, 1.0] < cut[False, 0.5] - 0.3


@pytest.mark.parametrize("name,depth", [("moons", 1), ("circles", 1), ("xor", 2)])
@pytest.mark.parametrize("seed", SENTENCE_SEEDS)
def test_boosting_sentences_hold(name, depth, seed):
    ds = datasets.load(name, n_samples=300, noise=0.25, seed=seed)
    X_tr, X_te, y_tr, y_te = split_70_30(ds, seed)
    text = e.boosting_sentences(e.fit_boosting(ds, 60, 1.0, depth, seed))
    ada = AdaBoostClassifier(DecisionTreeClassifier(max_depth=depth), n_estimators=60, learning_rate=1.0,
                             random_state=seed)
    gb = GradientBoostingClassifier(n_estimators=60, learning_rate=1.0, max_depth=depth, random_state=seed)
    for label, model in (("AdaBoost", ada), ("Gradient boosting", gb)):
        model.fit(X_tr, y_tr)
        train = [np.mean(p != y_tr) for p in model.staged_predict(X_tr)]
        test = np.array([np.mean(p != y_te) for p in model.staged_predict(X_te)])
        rounds = len(train)
        assert (f"{label}: over {rounds} rounds its training error {moved(train[0], train[-1])} and its test error "
                f"{moved(test[0], test[-1])}") in text
        best = min(range(rounds), key=lambda k: (float(f"{test[k]:.3f}"), k))
        rose = float(f"{test[best]:.3f}") < float(f"{test[-1]:.3f}")
        assert (f"lowest ({test[best]:.3f}) at round {best + 1} and ended higher" in text) == rose


def test_the_page_says_what_it_measures():
    at = open_page(PAGE)
    assert_clean(at)
    text = " ".join(m.value for m in at.markdown)
    assert "the bias (the average prediction)" not in text
    ds = datasets.load("moons", n_samples=300, noise=0.25, seed=SEED)
    X_tr, X_te, y_tr, y_te = split_70_30(ds)
    vote = BaggingClassifier(DecisionTreeClassifier(), n_estimators=e.BAG_N_DEFAULT, random_state=SEED).fit(
        X_tr, y_tr).score(X_te, y_te)
    assert f"**On screen now:** The vote of {e.BAG_N_DEFAULT} trees scores a test accuracy of {vote:.3f}" in text
    assert "Over 8 training sets drawn afresh from the data's generator" in text
    assert "bootstrap resamples" not in text  # the variance is over independent training sets, not resamples
    caption = " ".join(c.value for c in at.caption)
    assert "Each tree's bootstrap sample left out" in caption
    at.button_group(key=e.VIEW_KEY).set_value("Boosting").run()
    assert_clean(at)
    assert "**On screen now:** AdaBoost: over" in " ".join(m.value for m in at.markdown)
