"""Ensembles lab: bagging and AdaBoost numbers against direct scikit-learn fits, the round slider's
precomputed states, the page's controls, the URL and the exported script."""
import warnings
from unittest import mock

import numpy as np
import pandas as pd
import pytest
from sklearn.ensemble import AdaBoostClassifier, BaggingClassifier, GradientBoostingClassifier
from sklearn.tree import DecisionTreeClassifier

from components import datasets
from components import ensembles as e
from components.ui import common
from tests.apptest_utils import assert_clean, metric_values, open_page, run_exported_script, widgets
from tests.chart_utils import layer_frames
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
    v = e.variance_by_trees(moons, True, 1.0, SEED)
    assert len(v) == e.VARIANCE_TREES
    assert v["variance"].iloc[-1] < 0.6 * v["variance"].iloc[0]
    # without bootstrap every tree of a replica sees the same rows: averaging them removes little
    flat = e.variance_by_trees(moons, False, 1.0, SEED)
    assert flat["variance"].iloc[-1] > 0.8 * flat["variance"].iloc[0]


def direct_replica_predictions(ds, seed: int, bootstrap: bool, max_samples: float) -> tuple[np.ndarray, np.ndarray]:
    """The variance curve's draws done with plain numpy/scikit-learn code, step by step: for each of the
    resamples of the training split, P(class 1) at the test points of the vote of its first k trees."""
    X_tr, X_te, y_tr, y_te = split_70_30(ds, seed)
    rng = np.random.default_rng(seed)
    preds = []
    for _ in range(e.VARIANCE_REPLICAS):
        idx = rng.integers(0, len(X_tr), len(X_tr))
        trees = []
        for _ in range(e.VARIANCE_TREES):
            size = max(1, int(max_samples * len(idx)))
            rows = rng.integers(0, len(idx), size) if bootstrap else rng.permutation(len(idx))[:size]
            tree = DecisionTreeClassifier(random_state=int(rng.integers(2 ** 31 - 1)))
            tree.fit(X_tr[idx][rows], y_tr[idx][rows])
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
    got = e.variance_by_trees(moons, True, 0.6, SEED)
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


def test_rounds_control_refits_only_beyond_the_longest_run():
    # a seed no other test uses: the registry of runs is shared by every session of the process
    at = open_page(PAGE, query={e.VIEW_KEY: "Boosting", e.DATASET_KEY: "xor", e.ADA_N_KEY: "40", common.SEED_KEY: "77"})
    accuracy = {}
    with mock.patch.object(e, "fit_boosting", wraps=e.fit_boosting) as spy:
        for n in (10, 40, 41, 120, e.ADA_N_MAX, 3):
            at.slider(key=e.ADA_N_KEY).set_value(n).run()
            assert_clean(at, f"rounds={n}")
            accuracy[n] = metric_values(at)["AdaBoost test accuracy"]
        # going down reads the 40-round run; going up fits the maximum once, then everything is read
        assert [c.args[1] for c in spy.call_args_list] == [e.ADA_N_MAX]
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


def test_round_charts_validate_and_equal_a_rebuild(moons):
    from components import charts
    b = e.fit_boosting(moons, 12, 1.0, 1, SEED)
    templates = e.round_templates(b)
    for r in (1, 4, 12):
        boundary, errors, points, r_shown = e.round_charts(b, templates, r)
        grid, pts, _ = e.round_view(b, r)
        rebuilt = e.round_boundary_chart(grid, pts, r)
        rebuilt.to_dict(validate=True)
        swapped, fresh = layer_frames(boundary), layer_frames(charts.to_spec(rebuilt))
        assert swapped[1] == fresh[1] and boundary["title"] == e.round_title(r)
        for a, c in zip(swapped[0], fresh[0]):
            pd.testing.assert_frame_equal(a, c)
        line = e.errors_chart(b.errors, r)
        line.to_dict(validate=True)
        swapped, fresh = layer_frames(errors), layer_frames(charts.to_spec(line))
        assert swapped[1] == fresh[1]
        for a, c in zip(swapped[0], fresh[0]):
            pd.testing.assert_frame_equal(a, c, check_dtype=False)
        assert swapped[0][1]["round"].tolist() == [r]


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


def test_page_charts_follow_the_number_of_trees():
    """The vote chart and the first-k chart are swapped per n, not rebuilt: the data the page sends
    must be the vote of the first n trees of a direct fit, and the rule must sit at n."""
    import json

    import pyarrow as pa

    at = open_page(PAGE)
    X_tr, X_te, y_tr, y_te = split_70_30(datasets.load("moons", n_samples=300, noise=0.25, seed=SEED))
    for n in (7, 40):
        at.slider(key=e.BAG_N_KEY).set_value(n).run()
        sent = {}
        for chart in at.get("vega_lite_chart"):
            spec = json.loads(chart.proto.spec)
            data = {d.name: pa.ipc.open_stream(d.data.data).read_pandas() for d in chart.proto.datasets}
            sent[spec["title"]] = [data.get(part.get("data", {}).get("name")) for part in spec.get("layer", [spec])]
        cells = sent[f"The vote of {n} trees on moons"][0]
        bag = BaggingClassifier(DecisionTreeClassifier(), n_estimators=n, random_state=SEED).fit(X_tr, y_tr)
        np.testing.assert_allclose(cells["proba"], bag.predict_proba(cells[["x1", "x2"]].to_numpy())[:, 1], atol=1e-6)
        rule = sent[f"Vote of the first k trees (dashed: k = {n})"][1]
        assert rule["n_trees"].tolist() == [n]
    assert_clean(at)


def test_charts_follow_the_dataset():
    """The chart templates are built once per process (on whichever dataset came first) and redrawn
    per dataset: after moons, the circles charts must carry circles' cells, axes, points and rows."""
    import json

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
        sent[spec["title"]] = (spec, [data.get(part.get("data", {}).get("name")) for part in spec.get("layer", [spec])])
    spec, (cells, _, points) = sent[f"The vote of {e.BAG_N_DEFAULT} trees on circles"]
    bag = BaggingClassifier(DecisionTreeClassifier(), n_estimators=e.BAG_N_DEFAULT, random_state=SEED).fit(X_tr, y_tr)
    np.testing.assert_allclose(cells["proba"], bag.predict_proba(cells[["x1", "x2"]].to_numpy())[:, 1], atol=1e-6)
    np.testing.assert_allclose(points[["x1", "x2"]].to_numpy(), np.vstack([X_tr, X_te]))
    x_scale = spec["layer"][0]["encoding"]["x"]["scale"]["domain"]
    assert x_scale == [cells["x1"].min(), cells["x1b"].max()]
    members = [v for k, v in sent.items() if k.startswith("Tree ")]
    assert len(members) == 3
    for member_spec, (member_cells, *_) in members:
        assert member_spec["layer"][0]["encoding"]["x"]["scale"]["domain"] == [member_cells["x1"].min(),
                                                                                member_cells["x1b"].max()]
    by_k = sent[f"Vote of the first k trees (dashed: k = {e.BAG_N_DEFAULT})"][1][0]
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


@pytest.mark.parametrize("name", ["moons", "xor", "circles"])
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
        frame = e.variance_by_trees(ds, bootstrap, max_samples, seed)
        text = e.variance_sentence(frame)
        assert f"the variance of P(class 1), averaged over the test points, {moved(variance[0], variance[-1])}" in text
        assert f"bias² + noise {moved(bias[0], bias[-1])}" in text
        pct = round(100 * (variance[-1] / variance[0] - 1))
        percent = "±0 %" if pct == 0 else f"{'−' if pct < 0 else '+'}{abs(pct)} %"
        assert f"({percent})" in text
        assert e.variance_title(frame) == f"Over 8 resamples: variance {percent} from 1 to {e.VARIANCE_TREES} trees"
        cut[bootstrap, max_samples] = 1 - variance[-1] / variance[0]
        if bootstrap:
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
    assert "Over 8 bootstrap resamples of the training split" in text
    caption = " ".join(c.value for c in at.caption)
    assert "Each tree's bootstrap sample left out" in caption
    at.button_group(key=e.VIEW_KEY).set_value("Boosting").run()
    assert_clean(at)
    assert "**On screen now:** AdaBoost: over" in " ".join(m.value for m in at.markdown)
