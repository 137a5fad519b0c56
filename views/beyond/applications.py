"""Applications: NLP, computer vision, time series and recommender systems, one tab each."""
import streamlit as st

from components import applications as A
from components.ui import common, controls, show

st.title("Applications")
st.caption("Four classic application areas, each a small live experiment on data the app ships or generates.")
seed = common.seed()


def settings_for_code() -> tuple:
    """Every tab's current values, for the one script that covers the four tabs (each tab reruns alone, so
    the others' values come from the session)."""
    get = st.session_state.get
    return (get(A.NLP_VEC_KEY, A.VEC_DEFAULT), get(A.NLP_NGRAM_KEY, A.NGRAM_DEFAULT),
            int(get(A.NLP_MINDF_KEY, A.MINDF_DEFAULT)), int(get(A.NLP_MAXF_KEY, A.MAXF_DEFAULT)),
            get(A.CV_MODEL_KEY, A.CV_DEFAULT), int(get(A.TS_LAGS_KEY, A.LAGS_DEFAULT)),
            int(get(A.TS_HORIZON_KEY, A.HORIZON_DEFAULT)), float(get(A.TS_NOISE_KEY, A.TS_NOISE_DEFAULT)),
            int(get(A.REC_FACTORS_KEY, A.FACTORS_DEFAULT)), get(A.REC_METHOD_KEY, A.REC_DEFAULT),
            int(get(A.REC_USER_KEY, A.USER_DEFAULT)), seed)


@st.fragment
def nlp_panel() -> None:
    a, b = st.columns(2)
    kind = controls.bound(a.selectbox, "Vectoriser", A.VECTORIZERS, index=A.VECTORIZERS.index(A.VEC_DEFAULT), key=A.NLP_VEC_KEY)
    ngram = controls.bound(b.selectbox, "n-grams", A.NGRAMS, index=A.NGRAMS.index(A.NGRAM_DEFAULT), key=A.NLP_NGRAM_KEY)
    a, b = st.columns(2)
    min_df = controls.bound(a.slider, "Minimum document frequency", A.MINDF_MIN, A.MINDF_MAX, A.MINDF_DEFAULT, key=A.NLP_MINDF_KEY, help="Drop terms that appear in fewer sentences than this.")
    max_features = controls.bound(b.select_slider, "Vocabulary cap (most frequent terms)", A.MAXF_OPTIONS, value=A.MAXF_DEFAULT,
                                   key=A.NLP_MAXF_KEY)
    nlp = A.cached_nlp(kind, ngram, int(min_df), int(max_features), seed)
    m1, m2, m3 = st.columns(3)
    m1.metric("Test accuracy", f"{nlp['accuracy']:.3f}")
    m2.metric("Vocabulary size", f"{nlp['vocab_size']:,}")
    m3.metric("Sentences (train / test)", f"{nlp['n_train']} / {nlp['n_test']}")
    show.chart(A.terms_spec(kind, ngram, int(min_df), int(max_features), seed))
    with st.expander("All term weights"):
        st.dataframe(nlp["words"], hide_index=True)
    text = controls.bound(st.text_input, "Type a sentence", value=A.TEXT_DEFAULT, max_chars=A.TEXT_MAX, key=A.NLP_TEXT_KEY)
    p_pos, contrib = A.cached_text(kind, ngram, int(min_df), int(max_features), seed, text or "")
    st.metric("P(positive) for your sentence", f"{p_pos:.3f}",
              delta="positive" if p_pos >= 0.5 else "negative", delta_color="normal" if p_pos >= 0.5 else "inverse")
    if contrib.empty:
        st.info("None of these words is in the vocabulary: the model falls back on its intercept.")
    else:
        st.caption("Each known term's contribution = its feature value × its weight (log-odds).")
        st.dataframe(contrib, hide_index=True)
    st.caption(f"Try '{A.NEGATED_EXAMPLE}' with unigrams, then with bigrams: unigrams lose word order, so "
               "'good' outweighs 'not'; a bigram model learns 'not good' as a negative term of its own.")
    common.show_code(A.cached_code(*settings_for_code()))


@st.fragment
def vision_panel() -> None:
    a, b = st.columns(2)
    cv_name = controls.bound(a.selectbox, "Model", A.CV_MODELS, index=A.CV_MODELS.index(A.CV_DEFAULT), key=A.CV_MODEL_KEY)
    cv = A.cached_vision(cv_name, seed)
    shown = len(cv["wrong"])
    if (show_range := A.show_slider_range(len(cv["wrong"]))) is not None:
        shown = controls.bound(b.slider, "Misclassified images to show", *show_range, key=A.CV_SHOW_KEY)
    m1, m2 = st.columns(2)
    m1.metric("Test accuracy (digits)", f"{cv['accuracy']:.3f}")
    m2.metric("Misclassified test images", f"{len(cv['wrong'])} of {cv['n_test']}")
    show.chart(cv["confusion_spec"])
    with st.expander("Confusion matrix numbers"):
        st.dataframe(cv["confusion_table"])
    if len(cv["wrong"]):
        show.chart(A.wrong_images_spec(cv_name, seed, int(shown)))
        with st.expander("Misclassified images table"):
            st.dataframe(cv["wrong"], hide_index=True)
    else:
        st.success("No misclassified test images.")
    st.caption("Each pixel is a feature: these models see 64 numbers, not shapes. A convolutional network learns "
               "local stroke detectors that are shared across positions, which is why CNNs win on real images.")
    common.show_code(A.cached_code(*settings_for_code()))


@st.fragment
def time_series_panel() -> None:
    a, b, c = st.columns(3)
    lags = controls.bound(a.slider, "Lag features", A.LAGS_MIN, A.LAGS_MAX, A.LAGS_DEFAULT, key=A.TS_LAGS_KEY,
                    help="How many past months the linear model sees (12 covers one season).")
    horizon = controls.bound(b.select_slider, "Forecast horizon (months)", A.HORIZONS, value=A.HORIZON_DEFAULT, key=A.TS_HORIZON_KEY)
    noise = controls.bound(c.slider, "Noise", A.TS_NOISE_MIN, A.TS_NOISE_MAX, A.TS_NOISE_DEFAULT, A.TS_NOISE_STEP, key=A.TS_NOISE_KEY)
    with_arima = controls.bound(st.toggle, "Fit a seasonal ARIMA too (statsmodels, ~1 s the first time)", value=A.TS_ARIMA_DEFAULT,
                           key=A.TS_ARIMA_KEY)
    fc = A.cached_forecasts(seed, float(noise), int(lags), int(horizon))
    arima = A.cached_arima(seed, float(noise), int(horizon)) if with_arima else None
    cols = st.columns(3 if arima else 2)
    for col, (k, v) in zip(cols, list(fc["mae"].items()) + ([("seasonal ARIMA", arima["mae"])] if arima else [])):
        col.metric(f"MAE: {k}", f"{v:.2f}")
    forecast = A.forecast_view(seed, float(noise), int(lags), int(horizon), bool(with_arima))
    show.chart(forecast["whole"])
    show.chart(forecast["closeup"])
    with st.expander("Forecast numbers"):
        st.dataframe(forecast["table"])
    folds = A.ts_cv_view(seed, float(noise), int(lags))
    show.chart(folds["spec"])
    with st.expander("Cross-validation folds"):
        st.dataframe(folds["folds"], hide_index=True)
    st.markdown(folds["sentence"])
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
    common.show_code(A.cached_code(*settings_for_code()))


@st.fragment
def recommender_panel() -> None:
    a, b, c = st.columns(3)
    method = controls.bound(a.selectbox, "Factorisation", A.REC_METHODS, index=A.REC_METHODS.index(A.REC_DEFAULT),
                         key=A.REC_METHOD_KEY)
    k = controls.bound(b.slider, "Latent factors", A.FACTORS_MIN, A.FACTORS_MAX, A.FACTORS_DEFAULT, key=A.REC_FACTORS_KEY)
    user = controls.bound(c.slider, "User", A.USER_MIN, A.USER_MAX, A.USER_DEFAULT, key=A.REC_USER_KEY)
    r = A.cached_ratings(seed)
    pred = A.cached_factorised(seed, int(k), method)
    m1, m2, m3 = st.columns(3)
    held_out = A.rmse(r, pred)
    m1.metric("Held-out RMSE", f"{held_out:.3f}",
              delta=f"{held_out - A.cached_baseline(seed):+.3f} vs each user's mean", delta_color="inverse")
    m2.metric("Ratings seen", f"{int(r['train'].sum()):,} of {A.N_USERS * A.N_ITEMS:,}")
    m3.metric("True tastes in the data", A.TRUE_TASTES)
    errors = A.error_view(seed, method, int(k))
    curve = errors["curve"]
    show.chart(errors["spec"])
    with st.expander("Error per number of factors"):
        st.dataframe(errors["table"])
    st.markdown(f"**User {user}**'s true tastes (hidden from the model): {A.user_profile(r, int(user))}. "
                "Top 5 recommendations among the items they have not rated:")
    st.dataframe(A.cached_recommendations(seed, int(k), method, int(user)), hide_index=True)
    held = curve[curve["set"] == "held-out ratings"].set_index("factors")["error"]
    svd_note = (" TruncatedSVD factorises the ratings minus each user's mean, and that mean already carries most "
                "of one taste direction (a user's liking for all genres at once), so about one factor fewer is "
                "enough." if method == A.REC_METHODS[0] else "")
    st.caption("Too few factors cannot express the tastes; too many start fitting the noise in the few seen "
               f"ratings. Here the held-out error is lowest at **{int(held.idxmin())}** factors; the data has "
               f"{A.TRUE_TASTES} true tastes.{svd_note} The dashed line is the bar to clear: predicting each user's "
               f"mean rating scores **{A.cached_baseline(seed):.3f}**. The unseen cells are filled with that mean before "
               "factorising (most of the matrix), which pulls every prediction towards it; methods that fit only the "
               "seen ratings (alternating least squares, as in Spark MLlib) avoid that pull.")
    common.show_code(A.cached_code(*settings_for_code()))


# Each tab is a fragment: its controls rerun that tab alone
nlp_tab, cv_tab, ts_tab, rec_tab = st.tabs(["NLP: sentiment", "Vision: digits", "Time series", "Recommender"])
with nlp_tab:
    nlp_panel()
with cv_tab:
    vision_panel()
with ts_tab:
    time_series_panel()
with rec_tab:
    recommender_panel()

common.page_footer(
    code=None,  # in each tab, current with its controls
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
