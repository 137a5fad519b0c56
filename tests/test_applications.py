"""Applications page: each tab's numbers against independent computations, then the page."""
import json
import warnings
from unittest import mock

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from sklearn.datasets import load_digits
from sklearn.ensemble import RandomForestClassifier
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.metrics import confusion_matrix
from sklearn.model_selection import train_test_split
from sklearn.neighbors import KNeighborsClassifier

from components import applications as A
from components.ui import common
from tests.apptest_utils import assert_clean, chart_specs, metric_values, open_page, run_exported_script

PAGE = "views/beyond/applications.py"
SEED = 11


# ---------------------------------------------------------------- corpus
def test_corpus_is_balanced_and_regenerates_identically(tmp_path):
    df = A.load_corpus()
    assert len(df) == 400 and df["label"].value_counts().tolist() == [200, 200]
    assert df["text"].is_unique
    import importlib.util
    spec = importlib.util.spec_from_file_location("mk", A.SAMPLE_DATA / "make_sentiment.py")
    mk = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mk)
    mk.main(tmp_path / "s.csv")
    pd.testing.assert_frame_equal(pd.read_csv(tmp_path / "s.csv"), df)


# ---------------------------------------------------------------- NLP
def test_nlp_matches_an_independent_pipeline():
    fit = A.nlp_fit(A.VECTORIZERS[1], A.NGRAMS[0], 2, 1000, SEED)
    df = pd.read_csv(A.SENTIMENT_CSV)
    Xtr, Xte, ytr, yte = train_test_split(df["text"], df["label"], test_size=0.25, random_state=SEED,
                                          stratify=df["label"])
    vec = CountVectorizer(min_df=2, max_features=1000).fit(Xtr)
    lr = LogisticRegression(max_iter=1000).fit(vec.transform(Xtr), ytr)
    assert fit["accuracy"] == pytest.approx(lr.score(vec.transform(Xte), yte))
    assert fit["vocab_size"] == len(vec.vocabulary_)
    # bigrams enlarge the vocabulary; the cap bounds it
    assert A.nlp_fit(A.VECTORIZERS[1], A.NGRAMS[1], 2, 5000, SEED)["vocab_size"] > fit["vocab_size"]
    assert A.nlp_fit(A.VECTORIZERS[0], A.NGRAMS[1], 1, 20, SEED)["vocab_size"] == 20


@pytest.mark.parametrize("vec", A.VECTORIZERS)
@pytest.mark.parametrize("seed", [0, SEED, 27])
def test_the_corpus_teaches_good_bad_and_their_negation(vec, seed):
    """Plain words carry their own sentiment; negated, a unigram model misreads them and a bigram
    model reads them right, as the page's caption says."""
    uni = A.nlp_fit(vec, A.NGRAMS[0], A.MINDF_DEFAULT, A.MAXF_DEFAULT, seed)
    bi = A.nlp_fit(vec, A.NGRAMS[1], A.MINDF_DEFAULT, A.MAXF_DEFAULT, seed)
    for fit in (uni, bi):
        weight = fit["words"].set_index("term")["weight"]
        assert weight["good"] > 0 > weight["bad"]
        assert A.explain_text(fit, "The food was good.")[0] > 0.5 > A.explain_text(fit, "The food was bad.")[0]
    weight = bi["words"].set_index("term")["weight"]
    assert weight["not bad"] > 0 > weight["not good"]
    assert A.explain_text(uni, A.NEGATED_EXAMPLE)[0] > 0.5  # wrong without word order
    assert A.explain_text(bi, A.NEGATED_EXAMPLE)[0] < 0.5  # right with bigrams
    assert bi["accuracy"] > uni["accuracy"]


def test_text_contributions_add_up_to_the_log_odds():
    fit = A.nlp_fit(A.VEC_DEFAULT, A.NGRAM_DEFAULT, 2, 1000, SEED)
    p, contrib = A.explain_text(fit, "The service was truly awful. Never again.")
    logit = contrib["contribution"].sum() + fit["model"][-1].intercept_[0]
    assert p == pytest.approx(1 / (1 + np.exp(-logit)))
    assert p < 0.5
    p_empty, c_empty = A.explain_text(fit, "zzz qqq")
    assert c_empty.empty and 0 < p_empty < 1
    assert A.explain_text(fit, "x" * 10_000)[1].empty  # long input is truncated, not an error


# ---------------------------------------------------------------- vision
def test_vision_matches_an_independent_fit():
    res = A.cv_fit(A.CV_MODELS[2], SEED)
    d = load_digits()
    Xa, Xb, ya, yb = train_test_split(d.data, d.target, test_size=0.25, random_state=SEED, stratify=d.target)
    knn = KNeighborsClassifier(n_neighbors=3).fit(Xa, ya)
    assert res["accuracy"] == pytest.approx(knn.score(Xb, yb))
    cm = res["confusion"]
    assert cm.sum() == len(yb) and np.trace(cm) == int((knn.predict(Xb) == yb).sum())
    assert len(res["wrong"]) == len(yb) - np.trace(cm)
    # the pictures are the misclassified rows of the original data
    first = res["wrong"].iloc[0]
    assert d.target[int(first["index"])] == first["true"]
    px = A.image_pixels(d.images, res["wrong"], 3)
    assert len(px) == 64 * min(3, len(res["wrong"]))
    # every pixel row carries its own image's ink at (row, col), read straight from the 8x8 arrays
    for (cap, r, c, ink), w in zip(px.itertuples(index=False, name=None),
                                   np.repeat(res["wrong"].head(3).to_numpy(), 64, axis=0)):
        assert cap == f"#{w[0]}: true {w[1]}, said {w[2]}" and ink == d.images[w[0]][r, c]
    assert list(px["row"].head(9)) == [0] * 8 + [1] and list(px["col"].head(9)) == [*range(8), 0]


def test_vision_forest_fitted_on_two_threads_equals_a_one_thread_fit():
    res = A.cv_fit(A.CV_MODELS[3], SEED)
    d = load_digits()
    Xa, Xb, ya, yb = train_test_split(d.data, d.target, test_size=0.25, random_state=SEED, stratify=d.target)
    pred = RandomForestClassifier(n_estimators=100, random_state=SEED, n_jobs=1).fit(Xa, ya).predict(Xb)
    assert res["accuracy"] == (pred == yb).mean()
    np.testing.assert_array_equal(res["confusion"], confusion_matrix(yb, pred, labels=range(10)))


# ---------------------------------------------------------------- time series
def test_lag_forecast_and_seasonal_naive_are_exact_on_clean_patterns():
    line = 5 + 2.0 * np.arange(50)
    np.testing.assert_allclose(A.lag_forecast(line, 6, 1), 5 + 2.0 * np.arange(50, 56), rtol=1e-9)
    season = np.tile(np.arange(12.0), 5)
    np.testing.assert_allclose(A.seasonal_naive(season, 18), np.tile(np.arange(12.0), 2)[:18])


def test_ts_cv_time_order_and_folds():
    cv = A.ts_cv(SEED, 3.0, 12)
    ordered = cv[cv["scheme"] == A.TS_ORDERED]
    assert ordered["train rows"].is_monotonic_increasing
    assert len(ordered) == A.TS_SPLITS == len(cv[cv["scheme"] == A.TS_SHUFFLED])


@pytest.mark.parametrize("seed", [0, SEED])
def test_future_error_is_the_next_months_of_the_same_process(seed):
    """The CV chart's reference: fit on the 144 months shown, then predict each of the next 24 months of
    the same random process from its real lags. Written out with numpy and LinearRegression."""
    lags, noise, months = 12, 3.0, A.TS_FUTURE_MONTHS
    t = np.arange(A.TS_LENGTH + months)
    y = (100 + 0.8 * t + 12 * np.sin(2 * np.pi * t / 12) + 8 * (t % 12 == 11)
         + np.random.default_rng(seed).normal(0, noise, len(t)))
    np.testing.assert_array_equal(y[:A.TS_LENGTH], A.make_series(seed, noise).to_numpy())  # the shown series
    rows = np.arange(lags, len(y))
    X = np.column_stack([rows] + [y[rows - k] for k in range(1, lags + 1)])
    seen = rows < A.TS_LENGTH
    model = LinearRegression().fit(X[seen], y[rows][seen])
    want = np.mean(np.abs(model.predict(X[~seen]) - y[rows][~seen]))
    assert A.ts_future_mae(seed, noise, lags) == pytest.approx(want, rel=1e-12)


def _independent_ts_numbers(seed, noise, lags):
    """Both CV schemes, the future errors and their standard error, written out with numpy and scikit-learn."""
    from sklearn.model_selection import KFold, TimeSeriesSplit
    months = A.TS_LENGTH + A.TS_FUTURE_MONTHS
    t = np.arange(months)
    y = (100 + 0.8 * t + 12 * np.sin(2 * np.pi * t / 12) + 8 * (t % 12 == 11)
         + np.random.default_rng(seed).normal(0, noise, months))
    rows = np.arange(lags, months)
    X = np.column_stack([rows] + [y[rows - k] for k in range(1, lags + 1)])
    seen = rows < A.TS_LENGTH
    Xs, ys = X[seen], y[rows][seen]
    means, first_last = {}, None
    for name, cv in (("ordered", TimeSeriesSplit(A.TS_SPLITS)), ("shuffled", KFold(A.TS_SPLITS, shuffle=True,
                                                                                    random_state=seed))):
        folds = [(len(tr), np.mean(np.abs(LinearRegression().fit(Xs[tr], ys[tr]).predict(Xs[te]) - ys[te])))
                 for tr, te in cv.split(Xs)]
        means[name] = np.mean([m for _, m in folds])
        if name == "ordered":
            first_last = folds[0], folds[-1]
    err = np.abs(LinearRegression().fit(Xs, ys).predict(X[~seen]) - y[rows][~seen])
    d = err - err.mean()
    r = min(max(np.sum(d[:-1] * d[1:]) / np.sum(d * d), 0.0), 0.95)
    se = err.std(ddof=1) / np.sqrt(len(err) * (1 - r) / (1 + r))
    return means["ordered"], means["shuffled"], err, se, first_last


@pytest.mark.parametrize("seed", [SEED, 4, 42])
@pytest.mark.parametrize("noise,lags", [(A.TS_NOISE_DEFAULT, A.LAGS_DEFAULT), (3.0, 1), (10.0, 24)])
def test_time_series_cv_sentence_states_what_the_numbers_say(seed, noise, lags):
    ordered, shuffled, err, se, ((n1, m1), (n5, m5)) = _independent_ts_numbers(seed, noise, lags)
    future = err.mean()
    np.testing.assert_allclose(A.ts_future_errors(seed, noise, lags), err, rtol=1e-9)
    text = A.ts_cv_sentence(A.ts_cv(seed, noise, lags), A.ts_future_errors(seed, noise, lags))
    d_o, d_s = abs(ordered - future), abs(shuffled - future)
    assert f"(mean MAE **{ordered:.2f}**)" in text and f"(mean MAE **{shuffled:.2f}**)" in text
    assert f"is **{future:.2f}**, itself a small sample (standard error {se:.2f})" in text
    assert f"Time-ordered CV is off by {d_o:.2f} ({d_o / se:.1f} standard errors), shuffled CV by {d_s:.2f}" in text
    if round(d_o, 2) == round(d_s, 2):
        assert "both estimates are equally close" in text
    else:
        assert f"the **{'time-ordered' if d_o < d_s else 'shuffled'}** estimate is closer" in text
        # the verdict flips where the real error crosses the midpoint of the two estimates
        flips_within_one_se = abs(future - (ordered + shuffled) / 2) < se
        assert ("would reverse that" in text) == flips_within_one_se
    assert f"first fold trains on {n1} months and scores {m1:.2f}; its last trains on {n5} and scores {m5:.2f}" in text


def test_time_series_cv_sentence_on_a_noiseless_series_claims_no_spread():
    text = A.ts_cv_sentence(A.ts_cv(SEED, 0.0, 12), A.ts_future_errors(SEED, 0.0, 12))
    assert "standard error" not in text and "equally close" in text


def test_mean_standard_error_is_the_textbook_one_for_independent_values_and_honest_for_correlated_ones():
    rng = np.random.default_rng(0)
    iid = rng.normal(size=400)
    se, n_eff = A.mean_standard_error(iid)
    d = iid - iid.mean()
    r = np.sum(d[:-1] * d[1:]) / np.sum(d * d)
    want_n = 400 * (1 - max(r, 0)) / (1 + max(r, 0))
    assert n_eff == pytest.approx(want_n) and se == pytest.approx(iid.std(ddof=1) / np.sqrt(want_n))
    # AR(1) errors with phi = 0.6: the spread of many series' means is what the formula promises, while the
    # textbook s / sqrt(n) would understate it by half
    n, phi, means, ses, naive = 80, 0.6, [], [], []
    for _ in range(600):
        z = rng.normal(size=n + 50)
        e = np.zeros(n + 50)
        for i in range(1, n + 50):
            e[i] = phi * e[i - 1] + z[i]
        e = e[50:]
        means.append(e.mean())
        ses.append(A.mean_standard_error(e)[0])
        naive.append(e.std(ddof=1) / np.sqrt(n))
    assert np.median(ses) == pytest.approx(np.std(means), rel=0.2)
    assert np.median(naive) < 0.65 * np.std(means)


@pytest.mark.parametrize("noise", [1.0, 3.0])
def test_one_or_two_lags_flatten_the_forecast_and_twelve_keep_the_season(noise):
    """The caption's claim, over seeds: the forecast's swing around its own trend line."""
    def swing(seed, lags):
        p = A.ts_forecasts(seed, noise, lags, 24)["preds"]["lag features + linear model"]
        h = np.arange(24)
        return np.std(p - np.polyval(np.polyfit(h, p, 1), h))
    t = np.arange(24)
    season = np.std(12 * np.sin(2 * np.pi * t / 12) + 8 * (t % 12 == 11))
    for seed in (0, 4, SEED, 42):
        flat = max(swing(seed, 1), swing(seed, 2))
        assert flat < 0.3 * season
        assert swing(seed, 12) > max(0.6 * season, 3 * flat)


def test_time_series_text_on_the_page():
    at = open_page(PAGE, query={common.SEED_KEY: str(SEED)})
    assert_clean(at)
    ordered, shuffled, err, _, _ = _independent_ts_numbers(SEED, A.TS_NOISE_DEFAULT, A.LAGS_DEFAULT)
    text = next(m.value for m in at.markdown if m.value.startswith("Time-ordered CV trains on the past"))
    assert text == A.ts_cv_sentence(A.ts_cv(SEED, A.TS_NOISE_DEFAULT, A.LAGS_DEFAULT),
                                     A.ts_future_errors(SEED, A.TS_NOISE_DEFAULT, A.LAGS_DEFAULT))
    closer = "time-ordered" if abs(ordered - err.mean()) < abs(shuffled - err.mean()) else "shuffled"
    assert f"here the **{closer}** estimate is closer" in text
    lesson = next(m.value for m in at.markdown if m.value.startswith("Shuffled folds put months"))
    assert "Data leakage page" in lesson and "random forest" in lesson


@pytest.mark.parametrize("noise", [0.0, 0.5, 3.0, 10.0])
def test_arima_matches_statsmodels_exact_likelihood_fit(noise):
    """The page estimates on the differenced series, then filters: the forecasts must agree with
    statsmodels' plain exact-likelihood fit of the same model to a few hundredths."""
    from statsmodels.tsa.statespace.sarimax import SARIMAX
    y = A.make_series(SEED, noise)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        direct = SARIMAX(y.iloc[:-12].to_numpy(), order=(0, 1, 1), seasonal_order=(0, 1, 1, 12)).fit(disp=False)
    res = A.ts_arima(SEED, noise, 12)
    np.testing.assert_allclose(res["pred"], direct.forecast(12), atol=0.05)
    if noise == 0:
        return
    assert res["mae"] == pytest.approx(np.abs(res["pred"] - y.iloc[-12:].to_numpy()).mean())
    fc = A.ts_forecasts(SEED, 3.0, 12, 12)
    assert res["mae"] < fc["mae"]["seasonal naive"]


# ---------------------------------------------------------------- recommender
def test_recommender_numbers():
    r = A.make_ratings(SEED)
    assert not (r["train"] & r["held"]).any()
    pred = A.factorise(r, 3, A.REC_METHODS[0], SEED)
    m = r["held"]
    assert A.rmse(r, pred) == pytest.approx(np.sqrt(((pred[m] - r["full"][m]) ** 2).mean()))
    rec = A.recommend(r, pred, 4)
    seen = r["train"][4] | r["held"][4]
    assert not any(seen[r["items"].index(i)] for i in rec["item"])
    assert rec["predicted rating"].is_monotonic_decreasing
    curve = A.error_vs_factors(r, A.REC_METHODS[0], SEED)
    held = curve[curve["set"] == "held-out ratings"].set_index("factors")["error"]
    train = curve[curve["set"] == "seen ratings (train)"].set_index("factors")["error"]
    assert train.is_monotonic_decreasing  # more factors always fit the seen ratings better
    assert held.idxmin() <= 5 and held.loc[A.FACTORS_MAX] > held.min()
    nmf = A.factorise(r, 3, A.REC_METHODS[1], SEED)
    assert nmf.min() >= 1 and nmf.max() <= 5


def test_exported_script_matches():
    args = (A.VECTORIZERS[1], A.NGRAMS[2], 1, 300, A.CV_MODELS[2], 6, 12, 2.0, 4, A.REC_METHODS[1], 7, SEED)
    out = run_exported_script(A.export_code(*args))
    nlp = A.nlp_fit(args[0], args[1], args[2], args[3], SEED)
    cv = A.cv_fit(args[4], SEED)
    ts = A.ts_forecasts(SEED, 2.0, 6, 12)
    r = A.make_ratings(SEED)
    pred = A.factorise(r, 4, A.REC_METHODS[1], SEED)
    mine = A.page_numbers(nlp, cv, ts, pred, r, 7)
    assert out.keys() == mine.keys()
    for k, v in mine.items():
        assert out[k] == pytest.approx(v, rel=1e-9), k


# ---------------------------------------------------------------- the page
def test_page_renders_and_cheap_controls_do_not_refit():
    with mock.patch.object(A, "nlp_fit", wraps=A.nlp_fit) as nlp_spy, \
            mock.patch.object(A, "cv_fit", wraps=A.cv_fit) as cv_spy:
        at = open_page(PAGE, query={"app.seed": str(SEED)})
        assert_clean(at, PAGE)
        n1, c1 = nlp_spy.call_count, cv_spy.call_count
        m = metric_values(at)
        assert "MAE: seasonal ARIMA" in m
        at.slider(key=A.REC_USER_KEY).set_value(9).run()
        at.slider(key=A.CV_SHOW_KEY).set_value(3).run()
        at.text_input(key=A.NLP_TEXT_KEY).input("Never again. A waste of money.").run()
        assert_clean(at)
        assert (nlp_spy.call_count, cv_spy.call_count) == (n1, c1)
        assert float(metric_values(at)["P(positive) for your sentence"]) < 0.5
        at.selectbox(key=A.NLP_NGRAM_KEY).set_value(A.NGRAMS[0]).run()
        assert nlp_spy.call_count == n1 + 1
        assert metric_values(at)["Vocabulary size"] != m["Vocabulary size"]
        at.toggle(key=A.TS_ARIMA_KEY).set_value(False).run()
        assert_clean(at)
        assert "MAE: seasonal ARIMA" not in metric_values(at)
        # cached charts still follow their inputs
        at.select_slider(key=A.TS_HORIZON_KEY).set_value(12).run()
        assert_clean(at)
        titles = [str(s.get("title")) for s in chart_specs(at)]
        assert any("and 12-month forecasts" in t for t in titles), titles
        assert not any("and 24-month forecasts" in t for t in titles)


def test_url_sets_widgets_and_hostile_text_is_harmless():
    hostile = "<script>alert(1)</script> [link](javascript:alert(1))"
    at = open_page(PAGE, query={A.REC_FACTORS_KEY: "7", A.CV_MODEL_KEY: A.CV_MODELS[2], A.NLP_TEXT_KEY: hostile,
                                A.TS_ARIMA_KEY: "false"})
    assert_clean(at)
    assert at.slider(key=A.REC_FACTORS_KEY).value == 7
    assert at.selectbox(key=A.CV_MODEL_KEY).value == A.CV_MODELS[2]
    assert at.text_input(key=A.NLP_TEXT_KEY).value == hostile
    assert not any("script" in m.value for m in at.markdown)


def test_heavy_packages_are_not_imported_at_start_up():
    """statsmodels loads only when an ARIMA is fitted; shap only with the Interpretability page."""
    import subprocess
    import sys
    code = ("import sys; import components.catalog, components.ui.common, components.charts, "
            "components.applications, components.transfer, components.scalability; "
            "print('shap' in sys.modules, 'statsmodels' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                          cwd=str(A.SAMPLE_DATA.parent))
    assert done.stdout.split() == ["False", "False"], done.stderr[-2000:]


@pytest.mark.parametrize("method", A.REC_METHODS)
def test_recommender_caption_names_the_factor_count_the_curve_shows(method):
    at = open_page("views/beyond/applications.py", query={A.REC_METHOD_KEY: method})
    assert_clean(at)
    r = A.make_ratings(SEED)
    held = [A.rmse(r, A.factorise(r, k, method, SEED)) for k in range(A.FACTORS_MIN, A.FACTORS_MAX + 1)]
    best = A.FACTORS_MIN + int(np.argmin(held))
    caption = next(c.value for c in at.caption if "held-out error is lowest" in c.value)
    assert f"lowest at **{best}** factors" in caption


def test_recommender_baseline_is_each_users_mean_seen_rating():
    r = A.make_ratings(SEED)
    want = []
    for u in range(A.N_USERS):
        seen = r["full"][u][r["train"][u]]
        guess = seen.mean() if len(seen) else 3.0
        want += [(guess - v) ** 2 for v in r["full"][u][r["held"][u]]]
    assert A.user_mean_baseline(r) == pytest.approx(np.sqrt(np.mean(want)), rel=1e-12)
    best = A.error_vs_factors(r, A.REC_DEFAULT, SEED).query("set == 'held-out ratings'")["error"].min()
    assert best < A.user_mean_baseline(r)  # the factorisation clears the bar, if not by much


def test_recommender_page_draws_the_baseline_and_says_it():
    at = open_page(PAGE, query={common.SEED_KEY: str(SEED)})
    assert_clean(at)
    base = A.user_mean_baseline(A.make_ratings(SEED))
    assert f"scores **{base:.3f}**" in " ".join(c.value for c in at.caption)
    spec = next(s for s in chart_specs(at) if "latent factors" in json.dumps(s.get("title", "")))
    assert any(layer.get("mark", {}).get("type") == "rule" and layer["encoding"].get("y") for layer in spec["layer"])


def images_shown(at) -> int:
    """How many images the drawn "misclassified images" chart holds (its Arrow dataset, as sent)."""
    chart = next(c for c in at.get("vega_lite_chart") if "Misclassified test images" in c.proto.spec)
    (dataset,) = chart.proto.datasets
    return pa.ipc.open_stream(dataset.data.data).read_pandas()["image"].nunique()


def test_images_slider_reaches_every_misclassified_image_and_follows_the_model():
    n_wrong = {m: len(A.cv_fit(m, SEED)["wrong"]) for m in A.CV_MODELS}
    most, fewest = max(n_wrong, key=n_wrong.get), min(n_wrong, key=n_wrong.get)
    assert n_wrong[fewest] >= 2 and n_wrong[fewest] < n_wrong[most]
    at = open_page(PAGE, query={"app.seed": str(SEED), A.CV_MODEL_KEY: most})
    slider = at.slider(key=A.CV_SHOW_KEY)
    assert (slider.min, slider.max, slider.value) == (1, n_wrong[most], min(A.CV_SHOW_DEFAULT, n_wrong[most]))
    # every position shows that many images: the default position is not beyond the last one
    for k in (1, 2, n_wrong[most] - 1, n_wrong[most]):
        at.slider(key=A.CV_SHOW_KEY).set_value(k).run()
        assert_clean(at)
        assert images_shown(at) == k
    # a model with fewer mistakes: the slider ends at its count and still shows a valid number
    at.selectbox(key=A.CV_MODEL_KEY).set_value(fewest).run()
    assert_clean(at)
    slider = at.slider(key=A.CV_SHOW_KEY)
    assert slider.max == n_wrong[fewest] and 1 <= slider.value <= n_wrong[fewest]
    assert images_shown(at) == slider.value


def test_a_link_asking_for_more_images_than_there_are_shows_them_all():
    n = len(A.cv_fit(A.CV_DEFAULT, SEED)["wrong"])
    at = open_page(PAGE, query={"app.seed": str(SEED), A.CV_SHOW_KEY: str(n + 50)})
    assert_clean(at)
    assert at.slider(key=A.CV_SHOW_KEY).value == n and images_shown(at) == n


def test_show_slider_range():
    assert A.show_slider_range(0) is None and A.show_slider_range(1) is None
    assert A.show_slider_range(2) == (1, 2, 2)
    assert A.show_slider_range(30) == (1, 30, A.CV_SHOW_DEFAULT)
