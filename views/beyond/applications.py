"""Applications: NLP, computer vision, time series and recommender systems, one tab each."""
import altair as alt
import pandas as pd
import streamlit as st

from components import applications as A
from components import charts
from components.ui import chart_cache, common, controls

st.title("Applications")
st.caption("Four classic application areas, each a small live experiment on data the app ships or generates.")
seed = common.seed()


@st.cache_resource(max_entries=24, show_spinner=False)
def get_nlp(kind, ngram, min_df, max_features, seed):
    return A.nlp_fit(kind, ngram, min_df, max_features, seed)


@st.cache_data(max_entries=64, show_spinner=False)
def get_text(kind, ngram, min_df, max_features, seed, text):
    return A.explain_text(get_nlp(kind, ngram, min_df, max_features, seed), text)


@st.cache_data(max_entries=16, show_spinner=False)
def get_cv(name, seed):
    return A.cv_fit(name, seed)


@st.cache_data(max_entries=32, show_spinner=False)
def get_ts(seed, noise, lags, horizon):
    return A.ts_forecasts(seed, noise, lags, horizon)


@st.cache_data(max_entries=16, show_spinner=False)
def get_arima(seed, noise, horizon):
    return A.ts_arima(seed, noise, horizon)


@st.cache_data(max_entries=32, show_spinner=False)
def get_ts_cv(seed, noise, lags):
    return A.ts_cv(seed, noise, lags)


@st.cache_data(max_entries=32, show_spinner=False)
def get_ts_future_errors(seed, noise, lags):
    return A.ts_future_errors(seed, noise, lags)


def get_ts_future(seed, noise, lags):
    return float(get_ts_future_errors(seed, noise, lags).mean())


@st.cache_data(max_entries=8, show_spinner=False)
def get_ratings(seed):
    return A.make_ratings(seed)


@st.cache_data(max_entries=8, show_spinner=False)
def get_baseline(seed):
    return A.user_mean_baseline(get_ratings(seed))


@st.cache_data(max_entries=32, show_spinner=False)
def get_factorised(seed, k, method):
    return A.factorise(get_ratings(seed), k, method, seed)


@st.cache_data(max_entries=8, show_spinner=False)
def get_error_curve(seed, method):
    return A.error_vs_factors(get_ratings(seed), method, seed)


@st.cache_data(max_entries=24, show_spinner=False)
def get_terms(kind, ngram, min_df, max_features, seed):
    return A.top_terms(get_nlp(kind, ngram, min_df, max_features, seed)["words"], 10)


@st.cache_data(max_entries=16, show_spinner=False)
def get_confusion(name, seed):
    return A.confusion_long(get_cv(name, seed)["confusion"])


@st.cache_data(max_entries=32, show_spinner=False)
def get_ts_frame(seed, noise, lags, horizon, with_arima):
    return A.ts_frame(get_ts(seed, noise, lags, horizon), get_arima(seed, noise, horizon) if with_arima else None)


@st.cache_data(max_entries=16, show_spinner=False)
def get_confusion_table(name, seed):
    """The confusion matrix as a true x predicted table (pivoted once, not on every rerun: 3 ms each)."""
    return get_confusion(name, seed).pivot(index="true", columns="predicted", values="count")


@st.cache_data(max_entries=32, show_spinner=False)
def get_ts_table(seed, noise, lags, horizon, with_arima):
    return get_ts_frame(seed, noise, lags, horizon, with_arima).pivot(index="month", columns="series", values="value")


@st.cache_data(max_entries=8, show_spinner=False)
def get_error_table(seed, method):
    return get_error_curve(seed, method).pivot(index="factors", columns="set", values="error")


@st.cache_data(max_entries=64, show_spinner=False)
def get_recommendations(seed, k, method, user):
    return A.recommend(get_ratings(seed), get_factorised(seed, k, method), user)


@st.cache_data(max_entries=32, show_spinner=False)
def get_code(*args) -> str:
    return A.export_code(*args)


# ---- chart builders: module level, cached as Vega-Lite by chart_cache (arguments are plain values)
def _terms_chart(kind, ngram, min_df, max_features, seed):
    return charts.bar_chart(get_terms(kind, ngram, min_df, max_features, seed), x="weight", y="term",
                            color="direction", title="Most positive and most negative terms (logistic-regression weights)",
                            height=520, sort="-x")


def _confusion_chart(name, seed):
    cm = get_confusion(name, seed)
    tiles = charts.tile_chart(cm, x="predicted", y="true", color="count", quantitative=True,
                              title="Confusion matrix (rows: true digit, columns: predicted)", height=340)
    tiles.encoding.x.axis = alt.Axis(labelAngle=0)  # digits, not long names: no need to turn them sideways
    # The few mistakes (1–2 per cell) are all but invisible in the colour scale: write every non-zero count.
    counts = alt.Chart(cm[cm["count"] > 0]).mark_text(fontSize=12).encode(
        x=alt.X("predicted:O"), y=alt.Y("true:O"), text=alt.Text("count:Q"),
        color=alt.ColorValue(**alt.condition(alt.datum["count"] > cm["count"].max() / 2, alt.value("white"),
                                             alt.value("black"))))
    return tiles + counts


def _wrong_images_chart(name, seed, show):
    cv = get_cv(name, seed)
    return charts.pixel_images_chart(A.image_pixels(A.digits().images, cv["wrong"], show),
                                     title="Misclassified test images (8×8 pixels)")


FORECAST_HEIGHT = 380  # the legend below the plot takes about 100 px of it


def _forecast_chart(seed, noise, lags, horizon, with_arima, closeup: bool = False):
    """The whole series with the forecasts, or (closeup) the forecast window and as many months before
    it: on the 12-year chart the forecasts took its right edge, a few pixels per month."""
    frame = get_ts_frame(seed, noise, lags, horizon, with_arima)
    title = f"Monthly series (trend + seasonality) and {horizon}-month forecasts"
    if closeup:
        frame = frame[frame["month"] >= frame["month"].max() - pd.DateOffset(months=2 * horizon - 1)]
        title = f"Close-up: the last {horizon} training months and the forecasts"
    return charts.time_series_chart(frame, x="month", y="value", color="series", title=title, height=FORECAST_HEIGHT,
                                    rule_x=get_ts(seed, noise, lags, horizon)["train_end"]
                                    ).configure_legend(orient="bottom", columns=2, labelLimit=0)


def _ts_cv_chart(seed, noise, lags):
    tscv = get_ts_cv(seed, noise, lags)
    bars = charts.bar_chart(tscv.assign(fold=tscv["fold"].astype(str)), x="MAE", y="fold", color="scheme",
                            title="One-step-ahead MAE per fold (dashed: the real error on the next "
                                  f"{A.TS_FUTURE_MONTHS} months)", sort=None, height=340)
    future = alt.Chart(pd.DataFrame({"MAE": [get_ts_future(seed, noise, lags)]})).mark_rule(
        strokeDash=[6, 4], strokeWidth=2, color="black").encode(x=alt.X("MAE:Q"))
    # the scheme names are long: a legend below shows them whole
    return (bars + future).configure_legend(orient="bottom", labelLimit=0)


def _error_chart(seed, method, k):
    chart = charts.line_chart(get_error_curve(seed, method), x="factors", y="error", color="set", rule_x=k,
                              title="RMSE vs number of latent factors (dashed grey: each user's mean rating)",
                              zero_y=False)  # the U-shape spans a few hundredths: from 0 it was flat
    chart.layer[0].encoding.x.axis = alt.Axis(tickMinStep=1, format="d")  # whole factors, not 1.5
    baseline = alt.Chart(pd.DataFrame({"error": [get_baseline(seed)]})).mark_rule(
        strokeDash=[6, 4], strokeWidth=2, color="grey").encode(y=alt.Y("error:Q"))
    return chart + baseline


nlp_tab, cv_tab, ts_tab, rec_tab = st.tabs(["NLP: sentiment", "Vision: digits", "Time series", "Recommender"])

# ---------------------------------------------------------------- NLP
with nlp_tab:
    a, b = st.columns(2)
    kind = controls.bound(a.selectbox, "Vectoriser", A.VECTORIZERS, index=A.VECTORIZERS.index(A.VEC_DEFAULT), key=A.NLP_VEC_KEY)
    ngram = controls.bound(b.selectbox, "n-grams", A.NGRAMS, index=A.NGRAMS.index(A.NGRAM_DEFAULT), key=A.NLP_NGRAM_KEY)
    a, b = st.columns(2)
    min_df = controls.bound(a.slider, "Minimum document frequency", A.MINDF_MIN, A.MINDF_MAX, A.MINDF_DEFAULT, key=A.NLP_MINDF_KEY, help="Drop terms that appear in fewer sentences than this.")
    max_features = controls.bound(b.select_slider, "Vocabulary cap (most frequent terms)", A.MAXF_OPTIONS, value=A.MAXF_DEFAULT,
                                   key=A.NLP_MAXF_KEY)
    nlp = get_nlp(kind, ngram, int(min_df), int(max_features), seed)
    m1, m2, m3 = st.columns(3)
    m1.metric("Test accuracy", f"{nlp['accuracy']:.3f}")
    m2.metric("Vocabulary size", f"{nlp['vocab_size']:,}")
    m3.metric("Sentences (train / test)", f"{nlp['n_train']} / {nlp['n_test']}")
    chart_cache.draw(_terms_chart, kind, ngram, int(min_df), int(max_features), seed)
    with st.expander("All term weights"):
        st.dataframe(nlp["words"], hide_index=True)
    text = controls.bound(st.text_input, "Type a sentence", value=A.TEXT_DEFAULT, max_chars=A.TEXT_MAX, key=A.NLP_TEXT_KEY)
    p_pos, contrib = get_text(kind, ngram, int(min_df), int(max_features), seed, text or "")
    st.metric("P(positive) for your sentence", f"{p_pos:.3f}",
              delta="positive" if p_pos >= 0.5 else "negative", delta_color="normal" if p_pos >= 0.5 else "inverse")
    if contrib.empty:
        st.info("None of these words is in the vocabulary: the model falls back on its intercept.")
    else:
        st.caption("Each known term's contribution = its feature value × its weight (log-odds).")
        st.dataframe(contrib, hide_index=True)
    st.caption(f"Try '{A.NEGATED_EXAMPLE}' with unigrams, then with bigrams: unigrams lose word order, so "
               "'good' outweighs 'not'; a bigram model learns 'not good' as a negative term of its own.")

# ---------------------------------------------------------------- vision
with cv_tab:
    a, b = st.columns(2)
    cv_name = controls.bound(a.selectbox, "Model", A.CV_MODELS, index=A.CV_MODELS.index(A.CV_DEFAULT), key=A.CV_MODEL_KEY)
    show = controls.bound(b.slider, "Misclassified images to show", A.CV_SHOW_MIN, A.CV_SHOW_MAX, A.CV_SHOW_DEFAULT,
                    key=A.CV_SHOW_KEY)
    cv = get_cv(cv_name, seed)
    m1, m2 = st.columns(2)
    m1.metric("Test accuracy (digits)", f"{cv['accuracy']:.3f}")
    m2.metric("Misclassified test images", f"{len(cv['wrong'])} of {cv['n_test']}")
    chart_cache.draw(_confusion_chart, cv_name, seed)
    with st.expander("Confusion matrix numbers"):
        st.dataframe(get_confusion_table(cv_name, seed))
    if len(cv["wrong"]):
        chart_cache.draw(_wrong_images_chart, cv_name, seed, int(show))
        with st.expander("Misclassified images table"):
            st.dataframe(cv["wrong"], hide_index=True)
    else:
        st.success("No misclassified test images.")
    st.caption("Each pixel is a feature: these models see 64 numbers, not shapes. A convolutional network learns "
               "local stroke detectors that are shared across positions, which is why CNNs win on real images.")

# ---------------------------------------------------------------- time series
with ts_tab:
    a, b, c = st.columns(3)
    lags = controls.bound(a.slider, "Lag features", A.LAGS_MIN, A.LAGS_MAX, A.LAGS_DEFAULT, key=A.TS_LAGS_KEY,
                    help="How many past months the linear model sees (12 covers one season).")
    horizon = controls.bound(b.select_slider, "Forecast horizon (months)", A.HORIZONS, value=A.HORIZON_DEFAULT, key=A.TS_HORIZON_KEY)
    noise = controls.bound(c.slider, "Noise", A.TS_NOISE_MIN, A.TS_NOISE_MAX, A.TS_NOISE_DEFAULT, A.TS_NOISE_STEP, key=A.TS_NOISE_KEY)
    with_arima = controls.bound(st.toggle, "Fit a seasonal ARIMA too (statsmodels, ~1 s the first time)", value=A.TS_ARIMA_DEFAULT,
                           key=A.TS_ARIMA_KEY)
    fc = get_ts(seed, float(noise), int(lags), int(horizon))
    arima = None
    if with_arima:
        with st.spinner("Fitting ARIMA(0,1,1)(0,1,1)12…"):
            arima = get_arima(seed, float(noise), int(horizon))
    cols = st.columns(3 if arima else 2)
    for col, (k, v) in zip(cols, list(fc["mae"].items()) + ([("seasonal ARIMA", arima["mae"])] if arima else [])):
        col.metric(f"MAE: {k}", f"{v:.2f}")
    chart_cache.draw(_forecast_chart, seed, float(noise), int(lags), int(horizon), bool(with_arima))
    chart_cache.draw(_forecast_chart, seed, float(noise), int(lags), int(horizon), bool(with_arima), closeup=True)
    with st.expander("Forecast numbers"):
        st.dataframe(get_ts_table(seed, float(noise), int(lags), int(horizon), bool(with_arima)))
    tscv = get_ts_cv(seed, float(noise), int(lags))
    chart_cache.draw(_ts_cv_chart, seed, float(noise), int(lags))
    with st.expander("Cross-validation folds"):
        st.dataframe(tscv, hide_index=True)
    st.markdown(A.ts_cv_sentence(tscv, get_ts_future_errors(seed, float(noise), int(lags))))
    st.markdown(
        "Shuffled folds put months that come after each test month into training. Whether that flatters the "
        "estimate depends on what the model can do with them. This linear model reads only earlier months (its "
        "lags) and the time index, and extrapolates the trend; for an autoregression whose lags capture the "
        "dependence (its errors uncorrelated), shuffled K-fold is close to valid (Bergmeir, Hyndman & Koo, 2018). "
        "A model that cannot extrapolate gets no such pass: on the Data leakage page a random forest on a trending "
        "series scores far better in shuffled folds than on the future, because the later points in training show "
        "it levels the future reaches. Features computed over a window that reaches forward (a centred moving "
        "average, a statistic of the whole series) leak in any shuffled fold. Time-ordered CV never trains on the "
        "future, which is why it is the safe default; its price is that early folds train on less data. The "
        "forecasts above are recursive: each predicted month becomes a lag for the next, so errors compound with "
        "the horizon. With one or two lags the forecast flattens towards the trend (too short a memory to "
        "reproduce the season); twelve let the model read last year's same month.")

# ---------------------------------------------------------------- recommender
with rec_tab:
    a, b, c = st.columns(3)
    method = controls.bound(a.selectbox, "Factorisation", A.REC_METHODS, index=A.REC_METHODS.index(A.REC_DEFAULT),
                         key=A.REC_METHOD_KEY)
    k = controls.bound(b.slider, "Latent factors", A.FACTORS_MIN, A.FACTORS_MAX, A.FACTORS_DEFAULT, key=A.REC_FACTORS_KEY)
    user = controls.bound(c.slider, "User", A.USER_MIN, A.USER_MAX, A.USER_DEFAULT, key=A.REC_USER_KEY)
    r = get_ratings(seed)
    pred = get_factorised(seed, int(k), method)
    m1, m2, m3 = st.columns(3)
    held_out = A.rmse(r, pred)
    m1.metric("Held-out RMSE", f"{held_out:.3f}",
              delta=f"{held_out - get_baseline(seed):+.3f} vs each user's mean", delta_color="inverse")
    m2.metric("Ratings seen", f"{int(r['train'].sum()):,} of {A.N_USERS * A.N_ITEMS:,}")
    m3.metric("True tastes in the data", A.TRUE_TASTES)
    curve = get_error_curve(seed, method)
    chart_cache.draw(_error_chart, seed, method, int(k))
    with st.expander("Error per number of factors"):
        st.dataframe(get_error_table(seed, method))
    st.markdown(f"**User {user}**'s true tastes (hidden from the model): {A.user_profile(r, int(user))}. "
                "Top 5 recommendations among the items they have not rated:")
    st.dataframe(get_recommendations(seed, int(k), method, int(user)), hide_index=True)
    held = curve[curve["set"] == "held-out ratings"].set_index("factors")["error"]
    svd_note = (" TruncatedSVD factorises the ratings minus each user's mean, and that mean already carries most "
                "of one taste direction (a user's liking for all genres at once), so about one factor fewer is "
                "enough." if method == A.REC_METHODS[0] else "")
    st.caption("Too few factors cannot express the tastes; too many start fitting the noise in the few seen "
               f"ratings. Here the held-out error is lowest at **{int(held.idxmin())}** factors; the data has "
               f"{A.TRUE_TASTES} true tastes.{svd_note} The dashed line is the bar to clear: predicting each user's "
               f"mean rating scores **{get_baseline(seed):.3f}**. The unseen cells are filled with that mean before "
               "factorising (most of the matrix), which pulls every prediction towards it; methods that fit only the "
               "seen ratings (alternating least squares, as in Spark MLlib) avoid that pull.")

common.page_footer(
    questions=[
        "How would you build a sentiment classifier? Bag of words vs TF-IDF vs n-grams vs embeddings?",
        "Why do CNNs beat pixel-based models on images? What does a confusion matrix tell you per class?",
        "How do you cross-validate a time-series model? Why not shuffle?",
        "Lag features vs ARIMA: how do you forecast a series with trend and seasonality?",
        "How does matrix factorisation make recommendations? How do you pick the number of factors?",
        "What is the cold-start problem in recommender systems?",
    ],
    code=get_code(kind, ngram, int(min_df), int(max_features), cv_name, int(lags), int(horizon), float(noise),
                       int(k), method, int(user), seed),
    explanation=(
        "**NLP**: sentences become vectors of word (and n-gram) weights; a logistic regression learns one weight per "
        "term, so the most positive and negative terms are readable. **Vision**: the digits' 64 pixels feed a "
        "classifier; the confusion matrix shows which digits it mixes up and the pictures show the images it got "
        "wrong. **Time series**: a lag-feature linear model, a seasonal-naive baseline and a seasonal ARIMA forecast "
        "the last months of a generated series; time-ordered and shuffled CV are compared with the real error on "
        "unseen months. **Recommender**: "
        "a sparse user–item matrix with known tastes is factorised; the held-out error against the number of factors "
        "shows the sweet spot."),
)
