"""Scalability page: scores and curves against independent computations, then the page."""
from unittest import mock

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import make_classification
from sklearn.decomposition import PCA
from sklearn.linear_model import LogisticRegression, SGDClassifier
from sklearn.metrics import log_loss

from components import scalability as S
from tests.apptest_utils import assert_clean, chart_specs, metric_values, open_page, run_exported_script

PAGE = "views/pitfalls/scalability.py"
SEED = 5


def _data(width):
    X, y = make_classification(n_samples=max(S.MAX_N_OPTIONS) + S.TEST_N, n_features=width,
                               n_informative=S.N_INFORMATIVE, n_redundant=min(10, width - S.N_INFORMATIVE),
                               flip_y=0.02, class_sep=1.0, random_state=SEED)
    pool = max(S.MAX_N_OPTIONS)
    return X[:pool], y[:pool], X[pool:], y[pool:]


def test_n_grid():
    assert S.n_grid(2_000) == [1_000, 2_000]
    assert S.n_grid(10_000) == [1_000, 2_000, 5_000, 10_000]
    assert all(S.n_grid(m)[-1] == m for m in S.MAX_N_OPTIONS)


def test_race_point_scores_match_direct_fits():
    rows = {r["method"]: r for r in S.race_point(2_000, 20, 5, SEED)}
    X, y, Xt, yt = _data(20)
    X, y = X[:2000], y[:2000]
    lr = LogisticRegression(max_iter=1000).fit(X[:2000], y[:2000])
    assert rows[S.BATCH_LR]["test accuracy"] == pytest.approx(lr.score(Xt, yt))
    Z = PCA(n_components=5, random_state=SEED).fit(X[:2000])
    lr5 = LogisticRegression(max_iter=1000).fit(Z.transform(X[:2000]), y[:2000])
    assert rows[S.PCA_LR]["test accuracy"] == pytest.approx(lr5.score(Z.transform(Xt), yt))
    mb = SGDClassifier(loss="log_loss", learning_rate="invscaling", eta0=0.05, random_state=SEED)
    for s in range(0, 2000, S.GRID_BATCH):
        mb.partial_fit(X[s:s + S.GRID_BATCH], y[s:s + S.GRID_BATCH], classes=[0, 1])
    assert rows[S.MINI]["test accuracy"] == pytest.approx(mb.score(Xt, yt))
    assert all(r["fit time (s)"] > 0 for r in rows.values())


def test_slopes_recover_a_power_law():
    n = np.array([1e3, 2e3, 5e3, 1e4])
    df = pd.concat([pd.DataFrame({"n": n, "method": "a", "fit time (s)": 1e-6 * n ** 1.5, "test accuracy": 0.9}),
                    pd.DataFrame({"n": n, "method": "b", "fit time (s)": 3e-5 * n, "test accuracy": 0.8})])
    sl = S.slopes(df).set_index("method")
    assert sl.loc["a", "time exponent (slope of log t vs log n)"] == pytest.approx(1.5)
    assert sl.loc["b", "time exponent (slope of log t vs log n)"] == pytest.approx(1.0)


def test_minibatch_curve_matches_an_independent_loop():
    curve = S.minibatch_curve(2_000, 20, 256, SEED)
    X, y, Xt, yt = _data(20)
    X, y = X[:2000], y[:2000]
    m = SGDClassifier(loss="log_loss", learning_rate="invscaling", eta0=0.05, random_state=SEED)
    for s in range(0, 2000, 256):
        m.partial_fit(X[s:s + 256], y[s:s + 256], classes=[0, 1])
    assert curve["held-out log-loss"].iloc[-1] == pytest.approx(log_loss(yt, m.predict_proba(Xt)))
    assert curve["rows seen"].iloc[-1] == 2000 and curve["batches"].iloc[-1] == 8
    assert curve["held-out log-loss"].iloc[-1] < curve["held-out log-loss"].iloc[0]
    assert len(S.minibatch_curve(20_000, 20, 16, SEED)) <= 2 * S.CURVE_POINTS


def test_exported_script_matches():
    out = run_exported_script(S.export_code(2_000, 20, 5, 64, SEED))
    rows = {r["method"]: r for r in S.race_point(2_000, 20, 5, SEED)}
    assert out["batch"] == pytest.approx(rows[S.BATCH_LR]["test accuracy"])
    assert out["sgd"] == pytest.approx(rows[S.SGD]["test accuracy"])
    assert out["minibatch"] == pytest.approx(rows[S.MINI]["test accuracy"])
    assert out["pca_batch"] == pytest.approx(rows[S.PCA_LR]["test accuracy"])
    curve = S.minibatch_curve(2_000, 20, 64, SEED)
    assert out["final_log_loss"] == pytest.approx(curve["held-out log-loss"].iloc[-1])


def test_binary_log_loss_is_sklearns():
    rng = np.random.default_rng(SEED)
    y = rng.integers(0, 2, 500)
    p = rng.uniform(0, 1, 500)
    p[:4] = [0.0, 1.0, 1e-30, 1 - 1e-17]  # clipped like sklearn's
    assert S.binary_log_loss(y, p) == pytest.approx(log_loss(y, np.column_stack([1 - p, p]), labels=[0, 1]),
                                                    rel=1e-12)


def test_page_renders_and_controls_refit_only_what_they_change():
    with mock.patch.object(S, "race_fit", wraps=S.race_fit) as spy:
        at = open_page(PAGE, query={S.MAX_N_KEY: "2000", S.WIDTH_KEY: "20", "app.seed": str(SEED)})
        assert_clean(at, PAGE)
        assert spy.call_count == 2 * len(S.METHODS)  # n = 1,000 and 2,000
        calls_before = metric_values(at)["partial_fit calls"]
        at.select_slider(key=S.BATCH_KEY).set_value(16).run()
        assert_clean(at)
        assert spy.call_count == 2 * len(S.METHODS)
        assert metric_values(at)["partial_fit calls"] != calls_before == "32"
        assert metric_values(at)["partial_fit calls"] == "125"
        at.select_slider(key=S.MAX_N_KEY).set_value(5000).run()
        assert_clean(at)
        assert spy.call_count == 3 * len(S.METHODS)  # only the new n is fitted; 1,000 and 2,000 come from the cache
        at.select_slider(key=S.PCA_KEY).set_value(2).run()
        assert_clean(at)
        # a new PCA size refits "PCA → batch solver" at each n, nothing else
        assert spy.call_count == 3 * len(S.METHODS) + 3
        assert {c.args[0] for c in spy.call_args_list[-3:]} == {S.PCA_LR}
        at.select_slider(key=S.PCA_KEY).set_value(S.PCA_DEFAULT).run()
    assert at.select_slider(key=S.MAX_N_KEY).value == 5000
    assert len(chart_specs(at)) >= 3
    assert "At n = 5,000" in " ".join(m.value for m in at.markdown)


@pytest.mark.parametrize("durations, fits, best", [([0.02, 0.01, 0.015], 3, 0.01), ([0.03, 0.025], 2, 0.025),
                                                   ([0.2], 1, 0.2)])
def test_a_short_fit_is_timed_several_times_and_the_fastest_kept(durations, fits, best):
    """Repeats stop at TIMING_REPEATS fits or once TIMING_BUDGET seconds are spent; the minimum is kept."""
    S.warm_up(20, 1)
    clock = iter([t for d in durations for t in (100.0, 100.0 + d)])
    with mock.patch.object(S.time, "perf_counter", lambda: next(clock)), \
            mock.patch.object(S, "fit", wraps=S.fit) as fitted:
        row = S.race_fit(S.BATCH_LR, 1_000, 20, 1)
    assert fitted.call_count == fits and row["fit time (s)"] == pytest.approx(best)
