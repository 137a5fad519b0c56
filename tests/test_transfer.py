"""Transfer-learning page: the three approaches against independent computations, then the page."""
from unittest import mock

import numpy as np
import pytest
from sklearn.datasets import load_digits

from components import transfer as T
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
    ft = T.fine_tune(source, X, y, 5, SEED)
    assert not np.allclose(ft.coefs_[0], source.coefs_[0])  # fine-tuning moves every weight
    assert len(ft.loss_curve_) == 5
    np.testing.assert_array_equal(source.coefs_[0], T.train_source(T.DIRECTION_DEFAULT, 32, SEED)[0].coefs_[0])


def test_experiment_is_reproducible_and_matches_the_exported_script():
    a = T.experiment(T.DIRECTION_DEFAULT, 32, 10, SEED, grid=(20,))
    b = T.experiment(T.DIRECTION_DEFAULT, 32, 10, SEED, grid=(20,))
    assert a["rows"][0] == b["rows"][0]
    out = run_exported_script(T.export_code(T.DIRECTION_DEFAULT, 32, 10, SEED, 20))
    for m in T.METHODS:
        assert out[m] == pytest.approx(a["rows"][0][m], abs=1e-12), m
    assert 0.3 < a["rows"][0][T.METHODS[2]] <= 1.0  # chance is 0.2


def test_more_labels_help():
    r = T.experiment(T.DIRECTIONS[1], 32, 10, SEED, grid=(10, 200))
    for m in T.METHODS:
        assert r["rows"][1][m] > r["rows"][0][m], m


# ---------------------------------------------------------------- the page
def test_page_renders_and_labels_slider_does_not_retrain():
    with mock.patch.object(T, "experiment", wraps=T.experiment) as spy:
        at = open_page(PAGE, query={"app.seed": str(SEED)})
        assert_clean(at, PAGE)
        assert spy.call_count == 1
        before = metric_values(at)
        at.select_slider(key=T.LABELS_KEY).set_value(200).run()
        assert_clean(at)
        assert spy.call_count == 1, "the labels slider reads the cached curve"
        after = metric_values(at)
        assert after != before
        assert "With 200 labels" in " ".join(c.value for c in at.caption)
        at.select_slider(key=T.EPOCHS_KEY).set_value(10).run()
        assert_clean(at)
        assert spy.call_count == 2
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


def test_transfer_pays_on_the_noisy_scanner():
    """Same classes, new domain: with 10 labels the frozen source features beat training from scratch."""
    for seed in (0, 1, 2):
        r = T.experiment(T.DIRECTIONS[2], T.HIDDEN_DEFAULT, T.EPOCHS_DEFAULT, seed, grid=(10,))["rows"][0]
        assert r[T.METHODS[0]] > r[T.METHODS[2]] + 0.05, (seed, r)


def test_scanner_split_and_exported_script():
    X_src, y_src, X_pool, y_pool, X_test, y_test, tgt = T.task_split(T.DIRECTIONS[2], SEED)
    assert tgt == (0, 1, 2, 3, 4) and set(np.unique(y_src)) == set(range(5))
    assert len(X_src) + len(X_pool) + len(X_test) == int((load_digits().target < 5).sum())
    assert X_pool.min() < -0.3  # noise pushes pixels outside the clean 0..1 range
    a = T.experiment(T.DIRECTIONS[2], 16, 10, SEED, grid=(20,))["rows"][0]
    out = run_exported_script(T.export_code(T.DIRECTIONS[2], 16, 10, SEED, 20))
    for m in T.METHODS:
        assert out[m] == pytest.approx(a[m], abs=1e-12), m
