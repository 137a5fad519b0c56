"""Scalability page: scores, curves and sentences against independent computations, then the page."""
import math
import re
from unittest import mock

import numpy as np
import pandas as pd
import pytest
from scipy.stats import linregress
from sklearn.datasets import make_classification
from sklearn.decomposition import PCA
from sklearn.linear_model import LogisticRegression, SGDClassifier
from sklearn.metrics import log_loss
from sklearn.neural_network import MLPClassifier

from components import scalability as S
from tests.apptest_utils import assert_clean, chart_specs, metric_values, open_page, run_exported_script

PAGE = "views/pitfalls/scalability.py"
SEED = 5
SEEDS = (0, 1, 2)
SGD_KW = dict(loss="log_loss", learning_rate="invscaling", eta0=0.05)


def _data(width, seed=SEED):
    X, y = make_classification(n_samples=max(S.MAX_N_OPTIONS) + S.TEST_N, n_features=width,
                               n_informative=S.N_INFORMATIVE, n_redundant=min(10, width - S.N_INFORMATIVE),
                               flip_y=0.02, class_sep=1.0, random_state=seed)
    pool = max(S.MAX_N_OPTIONS)
    return X[:pool], y[:pool], X[pool:], y[pool:]


def _stream(X, y, chunk, seed, shuffle=False):
    m = SGDClassifier(**SGD_KW, shuffle=shuffle, random_state=seed)
    for s in range(0, len(y), chunk):
        m.partial_fit(X[s:s + chunk], y[s:s + chunk], classes=[0, 1])
    return m


def _mlp_gd_pass(X, y, batch, learning_rate):
    """scikit-learn's own mini-batch gradient descent for logistic regression: an MLP with no hidden layer,
    plain SGD (no momentum, no penalty), batches in order, started from zero weights."""
    mlp = MLPClassifier(hidden_layer_sizes=(), solver="sgd", batch_size=batch, learning_rate_init=learning_rate,
                        momentum=0.0, alpha=0.0, shuffle=False, random_state=0)
    mlp.partial_fit(X[:batch], y[:batch], classes=[0, 1])  # sets the network up; the weights are reset below
    mlp.coefs_[0][:] = 0.0
    mlp.intercepts_[0][:] = 0.0
    return mlp.partial_fit(X, y)


def test_n_grid():
    assert S.n_grid(2_000) == [1_000, 2_000]
    assert S.n_grid(10_000) == [1_000, 2_000, 5_000, 10_000]
    assert all(S.n_grid(m)[-1] == m for m in S.MAX_N_OPTIONS)


def test_race_point_scores_match_direct_fits():
    rows = {r["method"]: r for r in S.race_point(2_000, 20, 5, SEED)}
    X, y, Xt, yt = _data(20)
    X, y = X[:2000], y[:2000]
    lr = LogisticRegression(max_iter=1000).fit(X, y)
    assert rows[S.BATCH_LR]["test accuracy"] == pytest.approx(lr.score(Xt, yt))
    assert rows[S.BATCH_LR][S.ITERATIONS] == lr.n_iter_[0]
    Z = PCA(n_components=5, random_state=SEED).fit(X)
    lr5 = LogisticRegression(max_iter=1000).fit(Z.transform(X), y)
    assert rows[S.PCA_LR]["test accuracy"] == pytest.approx(lr5.score(Z.transform(Xt), yt))
    sgd = SGDClassifier(**SGD_KW, max_iter=S.SGD_EPOCHS, tol=None, random_state=SEED).fit(X, y)
    assert rows[S.SGD]["test accuracy"] == pytest.approx(sgd.score(Xt, yt))
    assert rows[S.SGD][S.ITERATIONS] == S.SGD_EPOCHS
    assert rows[S.STREAM]["test accuracy"] == pytest.approx(_stream(X, y, S.RACE_CHUNK, SEED).score(Xt, yt))
    assert all(r["fit time (s)"] > 0 for r in rows.values())


def test_slopes_recover_a_power_law():
    n = np.array([1e3, 2e3, 5e3, 1e4])
    df = pd.concat([pd.DataFrame({"n": n, "method": "a", "fit time (s)": 1e-6 * n ** 1.5, "test accuracy": 0.9}),
                    pd.DataFrame({"n": n, "method": "b", "fit time (s)": 3e-5 * n, "test accuracy": 0.8})])
    sl = S.slopes(df).set_index("method")
    assert sl.loc["a", S.EXPONENT] == pytest.approx(1.5)
    assert sl.loc["b", S.EXPONENT] == pytest.approx(1.0)


def test_stream_curve_matches_an_independent_loop():
    curve = S.stream_curve(2_000, 20, 256, SEED)
    X, y, Xt, yt = _data(20)
    m = _stream(X[:2000], y[:2000], 256, SEED)
    assert curve["held-out log-loss"].iloc[-1] == pytest.approx(log_loss(yt, m.predict_proba(Xt)))
    assert curve["held-out accuracy"].iloc[-1] == pytest.approx(m.score(Xt, yt))
    assert curve["rows seen"].iloc[-1] == 2000 and curve["partial_fit calls"].iloc[-1] == 8
    assert curve["SGD updates"].iloc[-1] == 2000
    assert curve["held-out log-loss"].iloc[-1] < curve["held-out log-loss"].iloc[0]
    assert len(S.stream_curve(20_000, 20, 16, SEED)) <= 2 * S.CURVE_POINTS


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("width", [20, 50])
def test_partial_fit_chunk_size_changes_neither_the_updates_nor_the_model(seed, width):
    """What the batch sentence says of partial_fit: one update per row inside each call, so in stream order
    every chunk size ends with the model of one epoch of fit (and the default in-chunk shuffle is why the
    issue saw 0.5238 / 0.5234 / 0.5233 / 0.5266: the same updates in slightly different orders)."""
    X, y, _, _ = _data(width, seed)
    X, y = X[:3000], y[:3000]
    one_epoch = SGDClassifier(**SGD_KW, shuffle=False, max_iter=1, tol=None, random_state=seed).fit(X, y)
    for chunk in S.BATCH_OPTIONS:
        m = _stream(X, y, chunk, seed)
        assert m.t_ - 1 == len(y)
        np.testing.assert_allclose(m.coef_, one_epoch.coef_, rtol=0, atol=1e-12)
        np.testing.assert_allclose(m.intercept_, one_epoch.intercept_, rtol=0, atol=1e-12)


def test_logistic_gradient_is_the_derivative_of_sklearns_log_loss():
    rng = np.random.default_rng(SEED)
    X, y = rng.normal(size=(40, 6)), rng.integers(0, 2, 40)
    w, b = rng.normal(size=6), 0.3

    def loss(w, b):
        return log_loss(y, 1 / (1 + np.exp(-(X @ w + b))), labels=[0, 1])

    h = 1e-6
    numeric_w = [(loss(w + h * e, b) - loss(w - h * e, b)) / (2 * h) for e in np.eye(6)]
    numeric_b = (loss(w, b + h) - loss(w, b - h)) / (2 * h)
    grad_w, grad_b = S.logistic_gradient(w, b, X, y)
    np.testing.assert_allclose(grad_w, numeric_w, rtol=1e-6, atol=1e-9)
    assert grad_b == pytest.approx(numeric_b, rel=1e-6)


@pytest.mark.parametrize("batch", S.BATCH_OPTIONS)
def test_minibatch_gd_pass_takes_the_steps_of_sklearns_mlp_with_no_hidden_layer(batch):
    X, y, _, _ = _data(20)
    X, y = X[:2000], y[:2000]
    snapshots = S.minibatch_gd_pass(X, y, batch, 0.1, every=1)
    assert [s[0] for s in snapshots] == list(range(1, math.ceil(2000 / batch) + 1))
    assert snapshots[-1][1] == 2000
    mlp = _mlp_gd_pass(X, y, batch, 0.1)
    np.testing.assert_allclose(snapshots[-1][2], mlp.coefs_[0].ravel(), rtol=1e-10, atol=1e-12)
    assert snapshots[-1][3] == pytest.approx(mlp.intercepts_[0][0], rel=1e-10, abs=1e-12)


def _gd_losses(X, y, Xt, yt):
    """Held-out log-loss after one pass of mini-batch GD per batch size, by scikit-learn's MLP."""
    return {b: log_loss(yt, _mlp_gd_pass(X, y, b, S.GD_LEARNING_RATE).predict_proba(Xt)) for b in S.BATCH_OPTIONS}


def test_gd_table_and_curve_match_sklearn():
    X, y, Xt, yt = _data(20)
    X, y = X[:2000], y[:2000]
    table = S.gd_table(2_000, 20, SEED).set_index("batch size")
    expected = _gd_losses(X, y, Xt, yt)
    for b in S.BATCH_OPTIONS:
        assert table.loc[b, "gradient steps per pass"] == math.ceil(2000 / b)
        assert table.loc[b, "held-out log-loss after one pass"] == pytest.approx(expected[b], rel=1e-8)
    curve = S.gd_curve(2_000, 20, 16, SEED)
    assert curve["gradient steps"].iloc[-1] == 125 and curve["rows seen"].iloc[-1] == 2000
    assert curve["held-out log-loss"].iloc[-1] == pytest.approx(expected[16], rel=1e-8)
    assert len(curve) <= 2 * S.CURVE_POINTS
    assert S.gd_curve(20_000, 20, 16, SEED)["rows seen"].iloc[-1] == S.CURVE_ROWS  # the rows the stream sees


def test_exported_script_matches():
    out = run_exported_script(S.export_code(2_000, 20, 5, 64, SEED))
    rows = {r["method"]: r for r in S.race_point(2_000, 20, 5, SEED)}
    assert out["batch"] == pytest.approx(rows[S.BATCH_LR]["test accuracy"])
    assert out["sgd"] == pytest.approx(rows[S.SGD]["test accuracy"])
    assert out["stream"] == pytest.approx(rows[S.STREAM]["test accuracy"])
    assert out["pca_batch"] == pytest.approx(rows[S.PCA_LR]["test accuracy"])
    stream = S.stream_curve(2_000, 20, 64, SEED)
    assert out["stream_log_loss"] == pytest.approx(stream["held-out log-loss"].iloc[-1])
    assert out["stream_updates"] == stream["SGD updates"].iloc[-1]
    table = S.gd_table(2_000, 20, SEED)
    assert out["gd_log_loss"] == pytest.approx({str(b): v for b, v in zip(
        table["batch size"], table["held-out log-loss after one pass"])}, rel=1e-8)


def test_binary_log_loss_is_sklearns():
    rng = np.random.default_rng(SEED)
    y = rng.integers(0, 2, 500)
    p = rng.uniform(0, 1, 500)
    p[:4] = [0.0, 1.0, 1e-30, 1 - 1e-17]  # clipped like sklearn's
    assert S.binary_log_loss(y, p) == pytest.approx(log_loss(y, np.column_stack([1 - p, p]), labels=[0, 1]),
                                                    rel=1e-12)


# ---- the sentences: every comparison they state, checked against the numbers ----

def _bold(pattern: str, text: str) -> list[str]:
    found = re.search(pattern, text)
    assert found, f"{pattern!r} not in {text!r}"
    return list(found.groups())


def _names(listed: str) -> set[str]:
    return set(re.findall(r"\*\*(.+?)\*\*", listed))


def _check_race_text(text: str, race: pd.DataFrame, max_n: int, width: int, n_comp: int, kept: float):
    last = race[race["n"] == max_n].set_index("method")
    ms = (last["fit time (s)"] * 1000).round(1)
    acc = last["test accuracy"].round(3)
    exponent = {m: linregress(np.log(g["n"]), np.log(g["fit time (s)"])).slope for m, g in race.groupby("method")}
    fastest_ms, fastest = _bold(r"the fastest fit took \*\*([\d.]+) ms\*\*: (.+?)\. The best", text)
    assert float(fastest_ms) == ms.min() and _names(fastest) == set(ms.index[ms == ms.min()])
    best_acc, best = _bold(r"The best test accuracy, \*\*([\d.]+)\*\*, is reached by (.+?)\. One pass", text)
    assert float(best_acc) == acc.max() and _names(best) == set(acc.index[acc == acc.max()])
    calls, stream_ms, stream_acc, sgd_ms, sgd_acc, lr_ms, lr_acc, its = _bold(
        r"on (\d+) chunks of \d+ rows\) took \*\*([\d.]+) ms\*\* for accuracy \*\*([\d.]+)\*\*; \d+ epochs of "
        r"`SGDClassifier.fit` took \*\*([\d.]+) ms\*\* for \*\*([\d.]+)\*\*; the batch solver took \*\*([\d.]+) ms\*\* "
        r"for \*\*([\d.]+)\*\* after \*\*(\d+)\*\* lbfgs", text)
    assert int(calls) == math.ceil(max_n / S.RACE_CHUNK)
    assert (float(stream_ms), float(stream_acc)) == (ms[S.STREAM], acc[S.STREAM])
    assert (float(sgd_ms), float(sgd_acc), float(lr_ms), float(lr_acc)) == (
        ms[S.SGD], acc[S.SGD], ms[S.BATCH_LR], acc[S.BATCH_LR])
    X, y, _, _ = _data(width, int(race.attrs["seed"]))
    assert int(its) == LogisticRegression(max_iter=1000).fit(X[:max_n], y[:max_n]).n_iter_[0]
    (stream_vs_sgd,) = _bold(r"The single streaming pass took (less time than|longer than|as long as)", text)
    assert stream_vs_sgd == {-1: "less time than", 1: "longer than", 0: "as long as"}[
        int(np.sign(ms[S.STREAM] - ms[S.SGD]))]
    lr_exp, sgd_exp, order = _bold(r"scaled as n\^\*\*(-?[\d.]+)\*\* for the batch solver and n\^\*\*(-?[\d.]+)\*\* "
                                   r"for SGD: (the batch solver's exponent is the lower|the batch solver's exponent "
                                   r"is the higher|equal exponents)", text)
    a, b = round(exponent[S.BATCH_LR], 1), round(exponent[S.SGD], 1)
    assert (float(lr_exp), float(sgd_exp)) == (a, b)
    assert order == ("the batch solver's exponent is the lower" if a < b else
                     "the batch solver's exponent is the higher" if a > b else "equal exponents")
    assert ("A negative exponent means" in text) == (min(a, b) < 0)
    assert " grew with exponent" not in text  # a negative exponent did not grow
    assert (", only two sizes" in text) == (len(S.n_grid(max_n)) == 2)
    (kept_shown,) = _bold(r"keeps \*\*([\d.]+)%\*\* of the variance", text)
    assert float(kept_shown) == round(100 * kept, 1)
    if n_comp < width:
        (pca_vs_lr,) = _bold(r"on all columns \((faster|slower|as fast)\)", text)
        assert pca_vs_lr == {-1: "faster", 1: "slower", 0: "as fast"}[int(np.sign(ms[S.PCA_LR] - ms[S.BATCH_LR]))]
    else:
        assert "shrinks nothing" in text


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("max_n, width, n_comp", [(2_000, 20, 20), (5_000, 50, 5)])
def test_race_text_states_what_the_race_measured(seed, max_n, width, n_comp):
    """Over three seeds and two settings (one where PCA keeps every column, one with only two sizes)."""
    race = S.race(max_n, width, n_comp, seed)
    race.attrs["seed"] = seed
    X, _, _, _ = _data(width, seed)
    kept = PCA(n_components=n_comp, random_state=seed).fit(X[:max_n]).explained_variance_ratio_.sum()
    _check_race_text(S.race_text(race, max_n, width, n_comp, kept), race, max_n, width, n_comp, kept)


def _race_frame(times: dict, acc: dict, growth: dict, seed: int) -> pd.DataFrame:
    """A made-up race: time = times[m] * (n / 2,000) ** growth[m] at n = 1,000 and 2,000."""
    X, y, _, _ = _data(20, seed)
    its = LogisticRegression(max_iter=1000).fit(X[:2000], y[:2000]).n_iter_[0]
    df = pd.DataFrame([{"n": n, "method": m, "fit time (s)": times[m] * (n / 2000) ** growth[m],
                        "test accuracy": acc[m], S.ITERATIONS: its} for n in (1000, 2000) for m in S.METHODS])
    df.attrs["seed"] = seed
    return df


@pytest.mark.parametrize("case", ["stream fast, batch steep, PCA slow", "ties everywhere"])
def test_race_text_turns_with_the_numbers(case):
    """The orders the seeds happen to give, reversed: the words follow."""
    if case == "ties everywhere":
        times = dict.fromkeys(S.METHODS, 0.0041)
        acc = dict.fromkeys(S.METHODS, 0.9)
        growth = dict.fromkeys(S.METHODS, 1.0)
    else:
        times = {S.BATCH_LR: 0.02, S.SGD: 0.01, S.STREAM: 0.003, S.PCA_LR: 0.05}
        acc = {S.BATCH_LR: 0.91, S.SGD: 0.92, S.STREAM: 0.93, S.PCA_LR: 0.93}
        growth = {S.BATCH_LR: 1.8, S.SGD: -0.4, S.STREAM: 1.0, S.PCA_LR: 1.0}  # SGD's time fell: noise
    race = _race_frame(times, acc, growth, SEED)
    text = S.race_text(race, 2_000, 20, 5, 0.5)
    _check_race_text(text, race, 2_000, 20, 5, 0.5)
    if case == "ties everywhere":
        assert "as long as" in text and "equal exponents" in text and "(as fast)" in text
    else:
        assert "less time than" in text and "exponent is the higher" in text and "(slower)" in text


def _check_batch_text(text: str, X, y, Xt, yt, rows: int, chunk: int, seed: int):
    losses = {b: round(v, 4) for b, v in _gd_losses(X[:rows], y[:rows], Xt, yt).items()}
    steps_small, steps_large = _bold(r"over [\d,]+ rows takes \*\*(\d+)\*\* steps per pass at batch 16 and "
                                     r"\*\*(\d+)\*\* at batch 1,024", text)
    assert (int(steps_small), int(steps_large)) == (math.ceil(rows / 16), math.ceil(rows / 1024))
    values = [losses[b] for b in S.BATCH_OPTIONS]
    if "rises with the batch size" in text:
        assert all(a < b for a, b in zip(values, values[1:]))
    elif "falls as the batch grows" in text:
        assert all(a > b for a, b in zip(values, values[1:]))
    else:
        low, low_loss, high, high_loss = _bold(r"is lowest at batch ([\d,]+) \(\*\*([\d.]+)\*\*\) and highest at batch "
                                               r"([\d,]+) \(\*\*([\d.]+)\*\*\)", text)
        assert float(low_loss) == min(values) == losses[int(low.replace(",", ""))]
        assert float(high_loss) == max(values) == losses[int(high.replace(",", ""))]
    for shown in re.findall(r"from \*\*([\d.]+)\*\* at 16 to \*\*([\d.]+)\*\* at 1,024", text):
        assert (float(shown[0]), float(shown[1])) == (losses[16], losses[1024])
    calls, updates, stream_loss = _bold(r"chunks of [\d,]+ made \*\*([\d,]+)\*\* calls and \*\*([\d,]+)\*\* SGD updates"
                                        r".*held-out log-loss \*\*([\d.]+)\*\*", text)
    m = _stream(X[:rows], y[:rows], chunk, seed)
    assert int(calls.replace(",", "")) == math.ceil(rows / chunk)
    assert int(updates.replace(",", "")) == rows == m.t_ - 1
    assert float(stream_loss) == round(log_loss(yt, m.predict_proba(Xt)), 4)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("max_n, width, chunk", [(2_000, 20, 1024), (10_000, 50, 16)])
def test_batch_text_states_what_the_table_and_the_stream_show(seed, max_n, width, chunk):
    table = S.gd_table(max_n, width, seed)
    stream = S.stream_curve(max_n, width, chunk, seed)
    X, y, Xt, yt = _data(width, seed)
    _check_batch_text(S.batch_text(table, stream, chunk), X, y, Xt, yt, min(max_n, S.CURVE_ROWS), chunk, seed)


def test_batch_text_names_the_extremes_when_the_loss_is_not_monotone():
    stream = S.stream_curve(2_000, 20, 64, SEED)
    table = pd.DataFrame({"batch size": S.BATCH_OPTIONS, "gradient steps per pass": [125, 32, 8, 2],
                          "held-out log-loss after one pass": [0.40, 0.35, 0.37, 0.45]})
    text = S.batch_text(table, stream, 64)
    assert "is lowest at batch 64 (**0.3500**) and highest at batch 1,024 (**0.4500**)" in text
    table["held-out log-loss after one pass"] = [0.45, 0.40, 0.37, 0.35]
    assert "falls as the batch grows, from **0.4500** at 16 to **0.3500** at 1,024" in S.batch_text(table, stream, 64)


# ---- the page ----

def test_page_renders_and_controls_refit_only_what_they_change():
    with mock.patch.object(S, "race_fit", wraps=S.race_fit) as spy:
        at = open_page(PAGE, query={S.MAX_N_KEY: "2000", S.WIDTH_KEY: "20", "app.seed": str(SEED)})
        assert_clean(at, PAGE)
        assert spy.call_count == 2 * len(S.METHODS)  # n = 1,000 and 2,000
        metrics = metric_values(at)
        assert metrics["partial_fit calls"] == "32" and metrics["Mini-batch GD steps"] == "32"
        assert metrics["partial_fit updates"] == "2,000"
        at.select_slider(key=S.BATCH_KEY).set_value(16).run()
        assert_clean(at)
        assert spy.call_count == 2 * len(S.METHODS)
        metrics = metric_values(at)
        assert metrics["partial_fit calls"] == "125" and metrics["Mini-batch GD steps"] == "125"
        assert metrics["partial_fit updates"] == "2,000"
        X, y, Xt, yt = _data(20)
        mlp = _mlp_gd_pass(X[:2000], y[:2000], 16, S.GD_LEARNING_RATE)
        assert metrics["Mini-batch GD log-loss"] == f"{log_loss(yt, mlp.predict_proba(Xt)):.4f}"
        texts = [m.value for m in at.markdown]
        stream = S.stream_curve(2_000, 20, 16, SEED)
        assert S.batch_text(S.gd_table(2_000, 20, SEED), stream, 16) in texts
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
    specs = chart_specs(at)
    assert len(specs) >= 3
    curve = next(s for s in specs if "batches or chunks of 16" in str(s.get("title", "")))
    assert curve["encoding"]["color"]["sort"] == [S.gd_label(16), S.stream_label(16)]  # both curves, in that order
    assert "At n = 5,000" in " ".join(m.value for m in at.markdown)


def test_distributed_snippets_say_what_they_need():
    for engine, snippet in S.DISTRIBUTED.items():
        assert S.snippet_needs(snippet), engine
        assert "cluster" in S.snippet_needs(snippet)
    assert "from sklearn.utils import parallel_backend" not in S.DISTRIBUTED["Ray"]
    assert S.snippet_needs("import numpy") is None


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
