"""Transfer-learning page: the three approaches against independent computations, then the page."""
import copy
import re
import warnings
from unittest import mock

import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from components import charts
from components import transfer as T
from components.ui import common
from tests.apptest_utils import assert_clean, metric_values, open_page, run_exported_script

PAGE = "views/beyond/transfer.py"
SEED = 3


@pytest.fixture(scope="module")
def setup():
    source, acc = T.train_source(T.DIRECTION_DEFAULT, 32, SEED)
    return source, acc, T.task_split(T.DIRECTION_DEFAULT, SEED)


def test_task_split_separates_the_digits():
    X_src, y_src, X_pool, y_pool, X_test, y_test, tgt = T.task_split(T.DIRECTIONS[0], SEED)
    d = load_digits()
    assert len(X_src) == int(np.isin(d.target, [0, 1, 2, 3, 4]).sum())
    assert len(X_pool) + len(X_test) == int(np.isin(d.target, [5, 6, 7, 8, 9]).sum())
    assert set(np.unique(y_pool)) == set(range(5)) and tgt == (5, 6, 7, 8, 9)
    assert X_src.max() <= 1.0
    # reversed direction swaps the roles
    X_src2, *_ = T.task_split(T.DIRECTIONS[1], SEED)
    assert len(X_src2) == len(X_pool) + len(X_test)


def test_labelled_subset_is_balanced_and_nested(setup):
    _, _, (_, _, X_pool, y_pool, *_rest) = setup
    X10, y10 = T.labelled_subset(X_pool, y_pool, 10, SEED)
    assert np.bincount(y10, minlength=5).tolist() == [2, 2, 2, 2, 2]
    X50, y50 = T.labelled_subset(X_pool, y_pool, 50, SEED)
    np.testing.assert_array_equal(X50[:10], X10)


def test_hidden_features_are_the_networks_own_hidden_layer(setup):
    source, acc, split = setup
    X = split[0][:50]
    H = T.hidden_features(source, X)
    logits = H @ source.coefs_[1] + source.intercepts_[1]
    p = np.exp(logits - logits.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    np.testing.assert_allclose(p, source.predict_proba(X), rtol=1e-6, atol=1e-9)
    assert acc > 0.9


def test_fine_tuning_starts_from_the_source_weights(setup):
    source, _, split = setup
    X, y = T.labelled_subset(split[2], split[3], 20, SEED)
    ft0 = T.fine_tune(source, X, y, 0, SEED)
    np.testing.assert_array_equal(ft0.coefs_[0], source.coefs_[0])  # hidden layer copied
    assert not np.allclose(ft0.coefs_[1], source.coefs_[1])  # new head
    # the new head is the linear probe folded in: at epoch 0 fine-tuning *is* feature extraction
    H = np.maximum(split[4] @ source.coefs_[0] + source.intercepts_[0], 0.0)
    probe = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000)).fit(
        np.maximum(X @ source.coefs_[0] + source.intercepts_[0], 0.0), y)
    np.testing.assert_allclose(ft0.predict_proba(split[4]), probe.predict_proba(H), rtol=1e-9, atol=1e-12)
    ft = T.fine_tune(source, X, y, 5, SEED)
    assert not np.allclose(ft.coefs_[0], source.coefs_[0])  # fine-tuning moves every weight
    assert len(ft.loss_curve_) == 5
    np.testing.assert_array_equal(source.coefs_[0], T.train_source(T.DIRECTION_DEFAULT, 32, SEED)[0].coefs_[0])


def _sk_net(hidden, seed, n, epochs):
    return MLPClassifier(hidden_layer_sizes=(hidden,), learning_rate_init=T.LEARNING_RATE,
                         batch_size=min(T.BATCH, n), max_iter=epochs, n_iter_no_change=10**6, random_state=seed)


def _same_network(mine, sk):
    for a, b in zip(mine.coefs_ + mine.intercepts_, sk.coefs_ + sk.intercepts_):
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-12)
    np.testing.assert_allclose(mine.loss_curve_, sk.loss_curve_, rtol=0, atol=1e-12)


def test_page_networks_follow_the_plain_mlpclassifier_recipe():
    """Source, fine-tuning (the linear probe as head, warm start) and from scratch, written out independently with
    MLPClassifier: the same weights and losses as the page's networks."""
    warnings.simplefilter("ignore", ConvergenceWarning)
    hidden = 24
    X_src, y_src, X_pool, y_pool, X_test, _, _ = T.task_split(T.DIRECTIONS[1], SEED)
    Xa, Xb, ya, yb = train_test_split(X_src, y_src, test_size=0.25, random_state=SEED, stratify=y_src)
    sk_source = _sk_net(hidden, SEED, len(ya), T.SOURCE_EPOCHS).fit(Xa, ya)
    source, acc = T.train_source(T.DIRECTIONS[1], hidden, SEED)
    _same_network(source, sk_source)
    assert acc == sk_source.score(Xb, yb)
    X, y = T.labelled_subset(X_pool, y_pool, 100, SEED)  # two mini-batches per epoch, the last one short
    sk_ft = copy.deepcopy(sk_source)
    H = np.maximum(X @ sk_source.coefs_[0] + sk_source.intercepts_[0], 0.0)
    mean, std = H.mean(axis=0), H.std(axis=0)
    std[std == 0] = 1.0  # StandardScaler leaves constant (dead ReLU) columns unscaled
    lr = LogisticRegression(max_iter=2000).fit((H - mean) / std, y)
    sk_ft.coefs_[-1], sk_ft.intercepts_[-1] = (lr.coef_ / std).T, lr.intercept_ - (lr.coef_ / std) @ mean
    sk_ft.set_params(warm_start=True, max_iter=7, batch_size=min(T.BATCH, len(y)), random_state=SEED,
                     learning_rate_init=3e-4)  # ten times smaller than from scratch's 3e-3
    sk_ft.loss_curve_ = []
    sk_ft.fit(X, y)
    ft = T.fine_tune(source, X, y, 7, SEED)
    _same_network(ft, sk_ft)
    assert (ft.learning_rate_init, sk_source.learning_rate_init) == (3e-4, 3e-3)
    np.testing.assert_array_equal(ft.predict(X_test), sk_ft.predict(X_test))
    sk_sc = _sk_net(hidden, SEED + 1, len(y), 7).fit(X, y)
    sc = T.scratch(X, y, hidden, 7, SEED)
    _same_network(sc, sk_sc)
    np.testing.assert_array_equal(sc.predict_proba(X_test).argmax(1), sk_sc.predict(X_test))


def test_experiment_is_reproducible_and_matches_the_exported_script():
    new_classes = T.DIRECTIONS[0]  # the exported split of new classes (the noisy scanner has its own test)
    a = T.experiment(new_classes, 32, 10, SEED, grid=(20,))
    b = T.experiment(new_classes, 32, 10, SEED, grid=(20,))
    assert a["rows"][0] == b["rows"][0]
    out = run_exported_script(T.export_code(new_classes, 32, 10, SEED, 20))
    for m in T.METHODS:
        assert out[m] == pytest.approx(a["rows"][0][m], abs=1e-12), m
    for m in ("fine-tuning", "from scratch"):  # the loss curves the page draws, too
        np.testing.assert_allclose(out["loss " + m], a["rows"][0]["loss " + m], rtol=0, atol=1e-12)
    # cached parts (source network, feature extraction) give the same numbers as a run from nothing
    source = T.train_source(new_classes, 32, SEED)
    c = T.experiment(new_classes, 32, 10, SEED, grid=(20,), source=source,
                     extraction=T.extraction_accuracies(source[0], new_classes, SEED, grid=(20,)))
    assert c == a
    assert 0.3 < a["rows"][0][T.METHODS[2]] <= 1.0  # chance is 0.2


def test_more_labels_help():
    r = T.experiment(T.DIRECTIONS[1], 32, 10, SEED, grid=(10, 200))
    for m in T.METHODS:
        assert r["rows"][1][m] > r["rows"][0][m], m


# ---------------------------------------------------------------- the page
def test_page_renders_and_labels_slider_does_not_retrain():
    with mock.patch.object(T, "run_one", wraps=T.run_one) as spy, \
            mock.patch.object(T, "train_source", wraps=T.train_source) as source_spy, \
            mock.patch.object(T, "extraction_accuracies", wraps=T.extraction_accuracies) as fe_spy:
        at = open_page(PAGE, query={"app.seed": str(SEED)})
        assert_clean(at, PAGE)
        grid = len(T.LABEL_GRID)
        assert spy.call_count == grid
        before = metric_values(at)
        specs = [c.proto.spec for c in at.get("vega_lite_chart")]
        at.select_slider(key=T.LABELS_KEY).set_value(200).run()
        assert_clean(at)
        assert spy.call_count == grid, "the labels slider reads the cached curve"
        after = metric_values(at)
        assert after != before
        assert "With 200 labels" in " ".join(c.value for c in at.caption)
        # the charts update in place: the same specs, only their small named datasets moved
        assert [c.proto.spec for c in at.get("vega_lite_chart")] == specs and len(specs) == 2
        assert re.search(r"SEED, HIDDEN, EPOCHS, N_LABELS = \d+, \d+, \d+, 200\n", at.code[0].value), \
            "the script follows the slider"
        sources, extractions = source_spy.call_count, fe_spy.call_count
        at.select_slider(key=T.EPOCHS_KEY).set_value(10).run()
        assert_clean(at)
        assert spy.call_count == 2 * grid
        # new epochs retrain fine-tuning and from scratch only: the source and feature extraction are cached
        assert (source_spy.call_count, fe_spy.call_count) == (sources, extractions)
        at.select_slider(key=T.HIDDEN_KEY).set_value(16).run()
        assert_clean(at)
        assert source_spy.call_count == sources + 1 and fe_spy.call_count == extractions + 1
        at.select_slider(key=T.HIDDEN_KEY).set_value(T.HIDDEN_DEFAULT).run()
    res = T.experiment(T.DIRECTION_DEFAULT, T.HIDDEN_DEFAULT, 10, SEED)
    row = next(r for r in res["rows"] if r["n"] == 200)
    assert metric_values(at)["From scratch"] == f"{row[T.METHODS[2]]:.3f}"


def test_url_sets_widgets():
    at = open_page(PAGE, query={T.LABELS_KEY: "20", T.HIDDEN_KEY: "16", T.DIRECTION_KEY: T.DIRECTIONS[1],
                                T.EPOCHS_KEY: "10"})
    assert_clean(at)
    assert at.select_slider(key=T.LABELS_KEY).value == 20
    assert at.select_slider(key=T.HIDDEN_KEY).value == 16
    assert at.selectbox(key=T.DIRECTION_KEY).value == T.DIRECTIONS[1]
    assert "With 20 labels" in " ".join(c.value for c in at.caption)


def test_reading_guide_names_what_its_tests_check():
    assert T.GUIDE_SEEDS == (0, 1, 2, 42) and "seeds 0, 1, 2 and 42" in T.READING_GUIDE
    assert f"({T.HIDDEN_DEFAULT} hidden units, {T.EPOCHS_DEFAULT} epochs)" in T.READING_GUIDE
    assert "more than 5 points" in T.READING_GUIDE and T.SCANNER_MARGIN == 0.05
    assert "500 labelled target images scores above 0.95" in T.READING_GUIDE


@pytest.mark.parametrize("seed", T.GUIDE_SEEDS)
def test_no_gain_from_0_4_to_5_9(seed):
    """The guide's finding for new classes at the default settings: with 10 or 20 labels neither transfer
    method beats from scratch."""
    for r in T.experiment(T.DIRECTIONS[0], T.HIDDEN_DEFAULT, T.EPOCHS_DEFAULT, seed, grid=(10, 20))["rows"]:
        assert r[T.METHODS[2]] >= max(r[T.METHODS[0]], r[T.METHODS[1]]), (seed, r)


@pytest.mark.parametrize("seed", T.GUIDE_SEEDS)
def test_transfer_pays_on_the_noisy_scanner(seed):
    """Same classes, new domain, default settings: with 10 or 20 labels both transfer methods beat from
    scratch, the frozen source features by more than 5 points."""
    for r in T.experiment(T.DIRECTIONS[2], T.HIDDEN_DEFAULT, T.EPOCHS_DEFAULT, seed, grid=(10, 20))["rows"]:
        assert r[T.METHODS[0]] > r[T.METHODS[2]] + T.SCANNER_MARGIN, (seed, r)
        assert r[T.METHODS[1]] > r[T.METHODS[2]], (seed, r)


@pytest.mark.parametrize("direction", T.DIRECTIONS[:2])
def test_raw_pixels_are_already_good_features(direction):
    """The guide's pixel baseline, written out with load_digits: a logistic regression on the raw pixels of
    500 labelled target images (the page's labelled subset) scores above 0.95 on the target's test images."""
    d = load_digits()
    target = [5, 6, 7, 8, 9] if direction == T.DIRECTIONS[0] else [0, 1, 2, 3, 4]
    t = np.isin(d.target, target)
    X_t, y_t = d.data[t] / 16.0, d.target[t] - min(target)
    for seed in T.GUIDE_SEEDS:
        X_pool, X_test, y_pool, y_test = train_test_split(X_t, y_t, test_size=T.TARGET_TEST_SIZE, random_state=seed,
                                                          stratify=y_t)
        X, y = _round_robin(X_pool, y_pool, T.PIXEL_BASELINE_LABELS, seed)
        assert len(y) == 500
        assert LogisticRegression(max_iter=2000).fit(X, y).score(X_test, y_test) > T.PIXEL_BASELINE_FLOOR, seed


def _round_robin(X_pool, y_pool, n, seed):
    """The labelled subset: a seeded permutation per class, then one image per class in turn."""
    rng = np.random.default_rng(seed)
    per_class = [rng.permutation(np.flatnonzero(y_pool == c)) for c in np.unique(y_pool)]
    order = [idx[i] for i in range(max(map(len, per_class))) for idx in per_class if i < len(idx)]
    take = np.array(order[:n])
    return X_pool[take], y_pool[take]


def _independent_rows(direction, seed, label_counts, hidden=T.HIDDEN_DEFAULT, epochs=T.EPOCHS_DEFAULT):
    """The three accuracies (and the source used as is, same classes only) written out with load_digits,
    MLPClassifier and LogisticRegression, at the given label counts."""
    warnings.simplefilter("ignore", ConvergenceWarning)
    d = load_digits()
    X, y = d.data / 16.0, d.target
    if direction == T.DIRECTIONS[2]:
        m = y < 5
        X_src, X_t, y_src, y_t = train_test_split(X[m], y[m], test_size=0.5, random_state=seed, stratify=y[m])
        X_t = X_t + np.random.default_rng(seed).normal(0, T.SCANNER_NOISE, X_t.shape)
    else:
        src = np.arange(5) if direction == T.DIRECTIONS[0] else np.arange(5, 10)
        s = np.isin(y, src)
        X_src, y_src, X_t, y_t = X[s], y[s] - src.min(), X[~s], y[~s] - y[~s].min()
    X_pool, X_test, y_pool, y_test = train_test_split(X_t, y_t, test_size=0.3, random_state=seed, stratify=y_t)
    Xa, _, ya, _ = train_test_split(X_src, y_src, test_size=0.25, random_state=seed, stratify=y_src)
    source = _sk_net(hidden, seed, len(ya), T.SOURCE_EPOCHS).fit(Xa, ya)
    as_is = float((source.predict(X_test) == y_test).mean()) if direction == T.DIRECTIONS[2] else None

    def relu(A):
        return np.maximum(A @ source.coefs_[0] + source.intercepts_[0], 0.0)
    rows = []
    for n in label_counts:
        X_few, y_few = _round_robin(X_pool, y_pool, n, seed)
        H = relu(X_few)
        mean, std = H.mean(axis=0), H.std(axis=0)
        std[std == 0] = 1.0
        probe = LogisticRegression(max_iter=2000).fit((H - mean) / std, y_few)
        fe = probe.score((relu(X_test) - mean) / std, y_test)
        ft = copy.deepcopy(source)
        ft.coefs_[-1], ft.intercepts_[-1] = (probe.coef_ / std).T, probe.intercept_ - (probe.coef_ / std) @ mean
        ft.set_params(warm_start=True, max_iter=epochs, batch_size=min(T.BATCH, len(y_few)), random_state=seed,
                      learning_rate_init=3e-4)
        ft.loss_curve_ = []
        ft.fit(X_few, y_few)
        sc = _sk_net(hidden, seed + 1, len(y_few), epochs).fit(X_few, y_few)
        rows.append({"n": len(y_few), T.METHODS[0]: fe, T.METHODS[1]: ft.score(X_test, y_test),
                     T.METHODS[2]: sc.score(X_test, y_test)})
    return rows, as_is


@pytest.mark.parametrize("direction, seed", [(d, s) for d in T.DIRECTIONS for s in (0, 1, 42)])
def test_generated_texts_state_what_independent_networks_show(direction, seed):
    """The caption and the scenario paragraph, generated from the page's numbers, checked against networks
    trained here independently: who is best (ties included), whether transfer pays and by how much, the gap
    with the most labels and the frozen features trailing, and the source network used as is."""
    res = T.experiment(direction, T.HIDDEN_DEFAULT, T.EPOCHS_DEFAULT, seed)
    source = T.train_source(direction, T.HIDDEN_DEFAULT, seed)[0]
    text = T.scenario_text(res, T.source_as_is(source, direction, seed))
    (few, most), as_is = _independent_rows(direction, seed, (T.LABEL_GRID[0], T.LABEL_GRID[-1]))
    for mine, ref in ((res["rows"][0], few), (res["rows"][-1], most)):
        for m in T.METHODS:
            assert mine[m] == pytest.approx(ref[m], abs=1e-12), (m, mine["n"])
        top = max(ref[m] for m in T.METHODS)
        best = [m for m in T.METHODS if ref[m] == top]
        caption = T.best_caption(mine)
        if len(best) == 1:
            assert caption == f"With {ref['n']} labels the best is **{best[0]}**."
        else:
            assert "tie for best" in caption and all((f"**{m}**" in caption) == (m in best) for m in T.METHODS)
    assert ", ".join(f"{m} {few[m]:.3f}" for m in T.METHODS) in text
    gap = max(few[T.METHODS[0]], few[T.METHODS[1]]) - few[T.METHODS[2]]
    if gap > 1e-9:
        assert f"Transfer pays here: the better transfer method is {gap:.3f} ahead" in text
    elif gap < -1e-9:
        assert f"Transfer does not pay here (from scratch is {-gap:.3f} ahead)" in text
    else:
        assert "Transfer ties with from scratch here" in text
    late = max(most[T.METHODS[0]], most[T.METHODS[1]]) - most[T.METHODS[2]]
    assert f"With {most['n']} labels the gap (better transfer method − from scratch) is {late:+.3f}" in text
    if late < -1e-9:
        assert "from scratch is ahead there" in text
    elif gap > 1e-9 and late > 1e-9:
        assert ("narrower than" in text and "no narrower" not in text) == (late < gap - 1e-9)
    trail = most[T.METHODS[2]] - most[T.METHODS[0]]
    assert (f"the frozen features trail from scratch by {trail:.3f}" in text) == (trail > 1e-9)
    if as_is is None:
        assert "as is" not in text
    else:
        assert f"used **as is**, with no target label: **{as_is:.3f}**" in text
        assert ("better than all three" in text) == (as_is > max(few[m] for m in T.METHODS))


def test_scanner_split_and_exported_script():
    X_src, y_src, X_pool, y_pool, X_test, y_test, tgt = T.task_split(T.DIRECTIONS[2], SEED)
    assert tgt == (0, 1, 2, 3, 4) and set(np.unique(y_src)) == set(range(5))
    assert len(X_src) + len(X_pool) + len(X_test) == int((load_digits().target < 5).sum())
    assert X_pool.min() < -0.3  # noise pushes pixels outside the clean 0..1 range
    a = T.experiment(T.DIRECTIONS[2], 16, 10, SEED, grid=(20,))["rows"][0]
    out = run_exported_script(T.export_code(T.DIRECTIONS[2], 16, 10, SEED, 20))
    for m in T.METHODS:
        assert out[m] == pytest.approx(a[m], abs=1e-12), m


@pytest.mark.parametrize("direction", T.DIRECTIONS)
def test_reading_guide_says_whether_transfer_pays_in_the_scenario_shown(direction):
    at = open_page("views/beyond/transfer.py", query={T.DIRECTION_KEY: direction, common.SEED_KEY: str(SEED)})
    assert_clean(at)
    fewest = T.experiment(direction, T.HIDDEN_DEFAULT, T.EPOCHS_DEFAULT, SEED)["rows"][0]  # the page's seed
    text = next(m.value for m in at.markdown if m.value.startswith("**In this scenario**"))
    assert text.startswith(T.scenario_text(
        T.experiment(direction, T.HIDDEN_DEFAULT, T.EPOCHS_DEFAULT, SEED),
        T.source_as_is(T.train_source(direction, T.HIDDEN_DEFAULT, SEED)[0], direction, SEED)))
    assert T.READING_GUIDE in text
    assert ("Transfer pays here" in text) == (max(fewest[T.METHODS[0]], fewest[T.METHODS[1]]) > fewest[T.METHODS[2]])
    methods = next(m.value for m in at.markdown if m.value.startswith("**Source**"))
    assert "with a learning rate 10 times smaller (0.0003)" in methods and "learning rate (0.003)" in methods


def test_scanner_guide_reports_the_source_network_used_as_is():
    """Same classes: the source network needs no target label at all; the guide gives its accuracy on
    the noisy test images (and no such line where the classes differ)."""
    at = open_page("views/beyond/transfer.py", query={T.DIRECTION_KEY: T.DIRECTIONS[2], common.SEED_KEY: str(SEED)})
    assert_clean(at)
    source, _ = T.train_source(T.DIRECTIONS[2], T.HIDDEN_DEFAULT, SEED)
    *_, X_test, y_test, _ = T.task_split(T.DIRECTIONS[2], SEED)
    as_is = (source.predict(X_test) == y_test).mean()
    text = next(m.value for m in at.markdown if m.value.startswith("**In this scenario**"))
    assert f"used **as is**, with no target label: **{as_is:.3f}**" in text
    at = open_page("views/beyond/transfer.py", query={T.DIRECTION_KEY: T.DIRECTIONS[0], common.SEED_KEY: str(SEED)})
    assert "as is" not in next(m.value for m in at.markdown if m.value.startswith("**In this scenario**"))


def test_a_labels_move_changes_only_the_labels_datasets():
    """The browser applies a change confined to named datasets in place; anything else re-embeds."""
    view = T.results(T.DIRECTION_DEFAULT, 16, 10, SEED)
    source, _ = T.train_source(T.DIRECTION_DEFAULT, 16, SEED)
    for spec in (view["accuracy_spec"], view["loss_spec"]):
        a, b = (charts.with_datasets(spec, T.label_frames(view, n)) for n in (10, 200))
        assert {k: v for k, v in a.items() if k != "datasets"} == {k: v for k, v in b.items() if k != "datasets"}
        changed = {n for n in a["datasets"] if a["datasets"][n] != b["datasets"][n]}
        assert changed and changed <= {T.AT_DATASET, T.LOSSES_DATASET}
    frames = T.label_frames(view, 200)
    assert frames[T.AT_DATASET] == [{"labelled target examples": 200}]
    row = T.label_row(source, T.DIRECTION_DEFAULT, 16, 10, SEED, 200)  # computed afresh, no cache
    for method in ("fine-tuning", "from scratch"):
        drawn = [r["training loss"] for r in frames[T.LOSSES_DATASET] if r["method"] == method]
        assert drawn == row["loss " + method]
