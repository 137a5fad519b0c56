"""Applications: NLP sentiment, computer vision on digits, time-series forecasting, a recommender.

statsmodels is imported inside the ARIMA function only (heavy; never at app start-up).
"""
from __future__ import annotations

import functools
from pathlib import Path

import numpy as np
import pandas as pd
import sklearn
from sklearn.datasets import load_digits
from sklearn.decomposition import NMF, TruncatedSVD
from sklearn.ensemble import RandomForestClassifier
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.metrics import confusion_matrix, mean_absolute_error
from sklearn.model_selection import TimeSeriesSplit, train_test_split
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from components import memo

SAMPLE_DATA = Path(__file__).resolve().parent.parent / "sample_data"
SENTIMENT_CSV = SAMPLE_DATA / "sentiment.csv"

# ---- widget keys, defaults, options (one source of truth; the tests import them) ----
NLP_VEC_KEY, NLP_NGRAM_KEY, NLP_MINDF_KEY, NLP_MAXF_KEY, NLP_TEXT_KEY = (
    "apps.nlp_vectorizer", "apps.nlp_ngram", "apps.nlp_min_df", "apps.nlp_max_features", "apps.nlp_text")
VECTORIZERS = ("TF-IDF", "bag of words (counts)")
VEC_DEFAULT = VECTORIZERS[0]
NGRAMS = ("unigrams", "unigrams + bigrams", "up to trigrams")
NGRAM_RANGE = {NGRAMS[0]: (1, 1), NGRAMS[1]: (1, 2), NGRAMS[2]: (1, 3)}
NGRAM_DEFAULT = NGRAMS[1]
MINDF_MIN, MINDF_MAX, MINDF_DEFAULT = 1, 10, 2
MAXF_OPTIONS = (20, 50, 100, 300, 1000, 5000)
MAXF_DEFAULT = 1000
TEXT_DEFAULT = "The food was not bad at all, the staff were friendly."
# a negation a unigram model gets wrong and a bigram model gets right on the shipped corpus, whatever
# the seed and vectoriser (tested on 40 seeds)
NEGATED_EXAMPLE = "The film was not good at all."
TEXT_MAX = 300

CV_MODEL_KEY, CV_SHOW_KEY = "apps.cv_model", "apps.cv_show"
CV_MODELS = ("Logistic regression", "SVM (RBF)", "k-NN (k=3)", "Random forest")
CV_DEFAULT = CV_MODELS[0]
CV_SHOW_DEFAULT = 12


def show_slider_range(n_wrong: int) -> tuple[int, int, int] | None:
    """(min, max, default) of the "images to show" slider: from one to every misclassified test image, so
    each position shows a different number of images; None when there are fewer than two to choose from."""
    if n_wrong < 2:
        return None
    return 1, n_wrong, min(CV_SHOW_DEFAULT, n_wrong)

TS_LAGS_KEY, TS_HORIZON_KEY, TS_NOISE_KEY, TS_ARIMA_KEY = ("apps.ts_lags", "apps.ts_horizon", "apps.ts_noise",
                                                           "apps.ts_arima")
TS_ARIMA_DEFAULT = True
LAGS_MIN, LAGS_MAX, LAGS_DEFAULT = 1, 24, 12
HORIZONS = (12, 24, 36)
HORIZON_DEFAULT = 24
TS_NOISE_MIN, TS_NOISE_MAX, TS_NOISE_DEFAULT, TS_NOISE_STEP = 0.0, 10.0, 3.0, 0.5
TS_LENGTH = 144  # 12 years of monthly data
TS_SPLITS = 5

REC_FACTORS_KEY, REC_USER_KEY, REC_METHOD_KEY = "apps.rec_factors", "apps.rec_user", "apps.rec_method"
FACTORS_MIN, FACTORS_MAX, FACTORS_DEFAULT = 1, 10, 3
N_USERS, N_ITEMS, TRUE_TASTES = 60, 40, 3
USER_MIN, USER_MAX, USER_DEFAULT = 0, N_USERS - 1, 0
REC_METHODS = ("TruncatedSVD", "NMF")
REC_DEFAULT = REC_METHODS[0]
OBSERVED = 0.35
GENRES = ("action", "romance", "documentary")


# ================================================================ NLP
def load_corpus() -> pd.DataFrame:
    return pd.read_csv(SENTIMENT_CSV)


def make_vectorizer(kind: str, ngram: str, min_df: int, max_features: int):
    cls = TfidfVectorizer if kind == VECTORIZERS[0] else CountVectorizer
    return cls(ngram_range=NGRAM_RANGE[ngram], min_df=min_df, max_features=max_features)


def nlp_fit(kind: str, ngram: str, min_df: int, max_features: int, seed: int) -> dict:
    """Vectorise the shipped corpus, fit a logistic regression, score it on a held-out 25%."""
    df = load_corpus()
    X_tr, X_te, y_tr, y_te = train_test_split(df["text"], df["label"], test_size=0.25, random_state=seed,
                                              stratify=df["label"])
    model = make_pipeline(make_vectorizer(kind, ngram, min_df, max_features), LogisticRegression(max_iter=1000))
    model.fit(X_tr, y_tr)
    vocab = model[0].get_feature_names_out()
    coef = model[-1].coef_[0]
    words = pd.DataFrame({"term": vocab, "weight": coef}).sort_values("weight", ignore_index=True)
    return {"model": model, "accuracy": float(model.score(X_te, y_te)), "vocab_size": len(vocab), "words": words,
            "n_train": len(y_tr), "n_test": len(y_te)}


def top_terms(words: pd.DataFrame, k: int = 10) -> pd.DataFrame:
    neg = words.head(k).assign(direction="negative")
    pos = words.tail(k).iloc[::-1].assign(direction="positive")
    return pd.concat([pos, neg], ignore_index=True)


def explain_text(fit: dict, text: str) -> tuple[float, pd.DataFrame]:
    """P(positive) of a sentence and each known term's contribution (feature value × weight)."""
    text = (text or "")[:TEXT_MAX]
    model = fit["model"]
    p = float(model.predict_proba([text])[0, 1])
    x = model[0].transform([text])
    idx = x.nonzero()[1]
    vocab = model[0].get_feature_names_out()
    coef = model[-1].coef_[0]
    contrib = pd.DataFrame({"term": vocab[idx], "value": np.asarray(x[0, idx].todense()).ravel(),
                            "weight": coef[idx]})
    contrib["contribution"] = contrib["value"] * contrib["weight"]
    return p, contrib.sort_values("contribution", key=np.abs, ascending=False, ignore_index=True)


# ================================================================ vision
def cv_model(name: str, seed: int):
    if name == CV_MODELS[0]:
        return make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000))
    if name == CV_MODELS[1]:
        return make_pipeline(StandardScaler(), SVC(gamma="scale"))
    if name == CV_MODELS[2]:
        return KNeighborsClassifier(n_neighbors=3)
    # Two threads: the trees are the same, since each tree's seed is drawn before any is built; on this
    # 2-core machine the fit takes 190 ms instead of 230 ms.
    return RandomForestClassifier(n_estimators=100, random_state=seed, n_jobs=2)


@functools.cache
def digits():
    """The digits bunch, read from disk once per process (6 ms a read); callers only read it."""
    return load_digits()


def cv_fit(name: str, seed: int) -> dict:
    d = digits()
    X_tr, X_te, y_tr, y_te, _, i_te = train_test_split(d.data, d.target, np.arange(len(d.target)),
                                                          test_size=0.25, random_state=seed, stratify=d.target)
    with sklearn.config_context(skip_parameter_validation=True):  # constant, valid parameters (100 trees' checks)
        model = cv_model(name, seed).fit(X_tr, y_tr)
    if isinstance(model, RandomForestClassifier):
        model.set_params(n_jobs=1)  # predicting 450 rows, starting threads costs more than it saves (22 vs 8 ms)
    pred = model.predict(X_te)
    wrong = np.flatnonzero(pred != y_te)
    return {"accuracy": float((pred == y_te).mean()), "confusion": confusion_matrix(y_te, pred, labels=range(10)),
            "wrong": pd.DataFrame({"index": i_te[wrong], "true": y_te[wrong], "predicted": pred[wrong]}),
            "n_test": len(y_te)}


def confusion_long(cm: np.ndarray) -> pd.DataFrame:
    return pd.DataFrame([{"true": str(i), "predicted": str(j), "count": int(cm[i, j])}
                         for i in range(cm.shape[0]) for j in range(cm.shape[1])])


def image_pixels(images: np.ndarray, wrong: pd.DataFrame, k: int) -> pd.DataFrame:
    """Long format of the first k misclassified images: one row per pixel, with a caption per image."""
    shown = wrong.head(k)
    idx = shown["index"].to_numpy(dtype=int)
    caps = [f"#{i}: true {int(t)}, said {int(p)}" for i, t, p in zip(idx, shown["true"], shown["predicted"])]
    rows, cols = np.divmod(np.arange(64), 8)  # pixel order: row by row, as images[i].ravel()
    return pd.DataFrame({"image": np.repeat(np.array(caps, dtype=object), 64),
                         "row": np.tile(rows, len(idx)), "col": np.tile(cols, len(idx)),
                         "ink": images[idx].reshape(len(idx), 64).astype(float).ravel()},
                        columns=["image", "row", "col", "ink"])


# ================================================================ time series
def make_series(seed: int, noise: float = TS_NOISE_DEFAULT, length: int = TS_LENGTH) -> pd.Series:
    """Monthly series: linear trend + yearly seasonality (a sine and a December peak) + Gaussian noise."""
    rng = np.random.default_rng(seed)
    t = np.arange(length)
    y = 100 + 0.8 * t + 12 * np.sin(2 * np.pi * t / 12) + 8 * (t % 12 == 11) + rng.normal(0, noise, length)
    return pd.Series(y, index=pd.date_range("2014-01-01", periods=length, freq="MS"), name="sales")


def mean_standard_error(values: np.ndarray) -> tuple[float, float]:
    """Standard error of the mean of a sequence whose neighbours may be correlated (errors along a time
    series), and the number of independent values it is worth.

    Textbook s / sqrt(n) assumes independent values. Positively correlated neighbours carry less
    information: with lag-1 autocorrelation r, an AR(1) sequence's mean has the variance of
    n_eff = n (1 - r) / (1 + r) independent values. r is estimated from the sequence and clipped to
    [0, 0.95] (a negative r would claim more than n values' worth; near 1 the estimate is unstable).
    Written by hand: scipy.stats.sem assumes independence and statsmodels' HAC estimators need a
    regression and a bandwidth choice, more machinery than a page caption warrants."""
    v = np.asarray(values, dtype=float)
    n = len(v)
    d = v - v.mean()
    r = float(d[:-1] @ d[1:] / (d @ d)) if n > 2 and d @ d > 0 else 0.0
    r = min(max(r, 0.0), 0.95)
    n_eff = n * (1 - r) / (1 + r)
    return float(v.std(ddof=1) / np.sqrt(n_eff)) if n > 1 else float("nan"), float(n_eff)


def lag_frame(y: np.ndarray, lags: int) -> tuple[np.ndarray, np.ndarray]:
    """Rows t >= lags: features [t, y[t-1], ..., y[t-lags]], target y[t]."""
    t = np.arange(lags, len(y))
    X = np.column_stack([t] + [y[t - k] for k in range(1, lags + 1)])
    return X, y[lags:]


def lag_forecast(train: np.ndarray, horizon: int, lags: int) -> np.ndarray:
    """Fit a linear model on lag features (plus the time index for the trend), then forecast
    recursively: each prediction becomes a lag of the next."""
    X, target = lag_frame(train, lags)
    model = LinearRegression().fit(X, target)
    hist = list(train)
    out = []
    for h in range(horizon):
        t = len(hist)
        x = np.array([t] + [hist[t - k] for k in range(1, lags + 1)])
        yhat = float(model.predict(x[None, :])[0])
        out.append(yhat)
        hist.append(yhat)
    return np.array(out)


def seasonal_naive(train: np.ndarray, horizon: int, season: int = 12) -> np.ndarray:
    """Next value = the value one season earlier (repeating the last observed year)."""
    last = train[-season:]
    return np.array([last[h % season] for h in range(horizon)])


ARIMA_ORDER, ARIMA_SEASONAL_ORDER = (0, 1, 1), (0, 1, 1, 12)


def arima_forecast(train: pd.Series, horizon: int) -> np.ndarray:
    """The "airline" seasonal ARIMA(0,1,1)(0,1,1)12 from statsmodels (imported here only: it is heavy).

    Estimated in two statsmodels steps: conditional maximum likelihood on the differenced series
    (``simple_differencing=True``: a smaller state space), then the model in the original units
    filters the training series with those parameters and forecasts. The exact-likelihood fit
    (plain ``.fit()``) gives the same forecasts within a few hundredths here (tests check 0.05) and
    costs 2-4 times as long: 100-220 ms on each noise change."""
    import warnings

    from statsmodels.tsa.statespace.sarimax import SARIMAX
    y = train.to_numpy()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # convergence chatter from the optimiser on short series
        params = SARIMAX(y, order=ARIMA_ORDER, seasonal_order=ARIMA_SEASONAL_ORDER,
                         simple_differencing=True).fit(disp=False).params
        res = SARIMAX(y, order=ARIMA_ORDER, seasonal_order=ARIMA_SEASONAL_ORDER).filter(params)
    return np.asarray(res.forecast(horizon))


def ts_forecasts(seed: int, noise: float, lags: int, horizon: int) -> dict:
    y = make_series(seed, noise)
    train, test = y.iloc[:-horizon], y.iloc[-horizon:]
    preds = {"lag features + linear model": lag_forecast(train.to_numpy(), horizon, lags),
             "seasonal naive": seasonal_naive(train.to_numpy(), horizon)}
    maes = {k: float(mean_absolute_error(test, v)) for k, v in preds.items()}
    return {"series": y, "train_end": train.index[-1], "preds": preds, "mae": maes, "test_index": test.index}


def ts_arima(seed: int, noise: float, horizon: int) -> dict:
    y = make_series(seed, noise)
    train, test = y.iloc[:-horizon], y.iloc[-horizon:]
    p = arima_forecast(train, horizon)
    return {"pred": p, "mae": float(mean_absolute_error(test, p))}


def ts_frame(fc: dict, arima: dict | None) -> pd.DataFrame:
    y = fc["series"]
    parts = [pd.DataFrame({"month": y.index, "value": y.to_numpy(), "series": "actual"})]
    preds = dict(fc["preds"])
    if arima is not None:
        preds["seasonal ARIMA"] = arima["pred"]
    for k, v in preds.items():
        parts.append(pd.DataFrame({"month": fc["test_index"], "value": v, "series": k}))
    return pd.concat(parts, ignore_index=True)


TS_ORDERED, TS_SHUFFLED = "time-ordered (TimeSeriesSplit)", "shuffled KFold (trains on later months)"
TS_FUTURE_MONTHS = 24  # the "real" error: months after the series, which no CV fold has seen


def ts_cv(seed: int, noise: float, lags: int, n_splits: int = TS_SPLITS) -> pd.DataFrame:
    """Time-ordered CV (TimeSeriesSplit) of one-step-ahead lag-model predictions vs shuffled KFold,
    whose training folds hold months after the ones they test."""
    from sklearn.model_selection import KFold
    y = make_series(seed, noise).to_numpy()
    X, target = lag_frame(y, lags)
    recs = []
    for name, cv in ((TS_ORDERED, TimeSeriesSplit(n_splits=n_splits)),
                     (TS_SHUFFLED, KFold(n_splits=n_splits, shuffle=True, random_state=seed))):
        for fold, (tr, te) in enumerate(cv.split(X)):
            m = LinearRegression().fit(X[tr], target[tr])
            recs.append({"scheme": name, "fold": fold + 1, "train rows": len(tr),
                         "first test row": int(te.min()), "MAE": float(mean_absolute_error(target[te], m.predict(X[te])))})
    return pd.DataFrame(recs)


def ts_future_errors(seed: int, noise: float, lags: int, months: int = TS_FUTURE_MONTHS) -> np.ndarray:
    """What both CV estimates try to predict: the model fitted on the whole series, then its one-step-
    ahead absolute errors on the next `months` months of the same process (make_series with a longer
    length draws the same first TS_LENGTH values, then the future), each month predicted from real lags."""
    y = make_series(seed, noise, TS_LENGTH + months).to_numpy()
    X, target = lag_frame(y, lags)
    seen = TS_LENGTH - lags  # lag rows whose target lies inside the series the page shows
    model = LinearRegression().fit(X[:seen], target[:seen])
    return np.abs(target[seen:] - model.predict(X[seen:]))


def ts_future_mae(seed: int, noise: float, lags: int, months: int = TS_FUTURE_MONTHS) -> float:
    return float(ts_future_errors(seed, noise, lags, months).mean())


def ts_cv_sentence(tscv: pd.DataFrame, future_errors: np.ndarray) -> str:
    """Both CV estimates against the real error on the next months, with that error's standard error (it is
    a sample of a few months too), and how each fold of time-ordered CV fared with the data it had."""
    means = tscv.groupby("scheme")["MAE"].mean()
    ordered, shuffled = means[TS_ORDERED], means[TS_SHUFFLED]
    future = float(np.mean(future_errors))
    se, _ = mean_standard_error(future_errors)
    d_o, d_s = abs(ordered - future), abs(shuffled - future)
    tie = round(d_o, 2) == round(d_s, 2)
    closer = "both estimates are equally close" if tie else \
        f"the **{'time-ordered' if d_o < d_s else 'shuffled'}** estimate is closer"
    text = (f"Time-ordered CV trains on the past and tests on the future (mean MAE **{ordered:.2f}**); shuffled folds "
            f"train on months on both sides of each test month (mean MAE **{shuffled:.2f}**). The real one-step error "
            f"on the next {len(future_errors)} months, which no fold saw, is **{future:.2f}**")
    if round(se, 2) == 0:  # a noiseless series the lags fit exactly: no spread to measure against
        return text + f". Time-ordered CV is off by {d_o:.2f}, shuffled CV by {d_s:.2f}: {closer}."
    text += (f", itself a small sample (standard error {se:.2f}). Time-ordered CV is off by {d_o:.2f} "
             f"({d_o / se:.1f} standard errors), shuffled CV by {d_s:.2f} ({d_s / se:.1f}): here {closer}.")
    if not tie:
        k_flip = abs(future - (ordered + shuffled) / 2) / se  # the closer one changes where the truth crosses this
        if k_flip < 1:
            text += (f" A real error {k_flip:.1f} standard errors away would reverse that: these months cannot tell "
                     "which estimate is nearer the truth.")
    first = tscv[tscv["scheme"] == TS_ORDERED].sort_values("fold")
    text += (f" Time-ordered CV's first fold trains on {int(first['train rows'].iloc[0])} months and scores "
             f"{first['MAE'].iloc[0]:.2f}; its last trains on {int(first['train rows'].iloc[-1])} and scores "
             f"{first['MAE'].iloc[-1]:.2f}.")
    return text


# ================================================================ recommender
def make_ratings(seed: int) -> dict:
    """Users with known tastes for three genres; rating = 3 + taste·genre-profile + noise, clipped to
    1..5; OBSERVED of the cells are seen, and 20% of those are held out to measure error."""
    rng = np.random.default_rng(seed)
    user_taste = rng.normal(0, 1, (N_USERS, TRUE_TASTES))
    item_genre = np.eye(TRUE_TASTES)[np.arange(N_ITEMS) % TRUE_TASTES] * rng.uniform(0.6, 1.2, (N_ITEMS, 1))
    full = np.clip(3 + user_taste @ item_genre.T + rng.normal(0, 0.3, (N_USERS, N_ITEMS)), 1, 5)
    observed = rng.random((N_USERS, N_ITEMS)) < OBSERVED
    held = observed & (rng.random((N_USERS, N_ITEMS)) < 0.2)
    train = observed & ~held
    names = [f"{GENRES[j % TRUE_TASTES].capitalize()} #{j // TRUE_TASTES + 1}" for j in range(N_ITEMS)]
    return {"full": full, "train": train, "held": held, "items": names, "taste": user_taste}


def factorise(r: dict, k: int, method: str, seed: int) -> np.ndarray:
    """Fill unseen cells with the user's mean, factorise, reconstruct. TruncatedSVD works on the
    user-centred matrix; NMF needs non-negative input, so it factorises the raw 1..5 ratings."""
    R = np.where(r["train"], r["full"], np.nan)
    user_mean = np.nanmean(np.where(r["train"].any(axis=1, keepdims=True), R, 3.0), axis=1, keepdims=True)
    user_mean = np.where(np.isnan(user_mean), 3.0, user_mean)
    filled = np.where(r["train"], r["full"], user_mean)
    k = int(min(k, min(filled.shape) - 1))
    if method == REC_METHODS[0]:
        svd = TruncatedSVD(n_components=k, random_state=seed)
        centred = filled - user_mean
        return np.clip(svd.inverse_transform(svd.fit_transform(centred)) + user_mean, 1, 5)
    import warnings

    from sklearn.exceptions import ConvergenceWarning
    nmf = NMF(n_components=k, init="nndsvda", max_iter=400, random_state=seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # 400 iterations are plenty for this size
        W = nmf.fit_transform(filled)
    return np.clip(W @ nmf.components_, 1, 5)


def rmse(r: dict, pred: np.ndarray, mask_name: str = "held") -> float:
    m = r[mask_name]
    return float(np.sqrt(np.mean((pred[m] - r["full"][m]) ** 2)))


def user_mean_baseline(r: dict) -> float:
    """Held-out RMSE of predicting every rating by its user's mean seen rating (3 for a user with none):
    the bar a factorisation has to clear to have learnt anything about tastes."""
    seen = np.where(r["train"], r["full"], np.nan)
    counts = r["train"].sum(axis=1, keepdims=True)
    mean = np.where(counts > 0, np.nansum(seen, axis=1, keepdims=True) / np.maximum(counts, 1), 3.0)
    return rmse(r, np.broadcast_to(mean, r["full"].shape))


def error_vs_factors(r: dict, method: str, seed: int) -> pd.DataFrame:
    recs = []
    for k in range(FACTORS_MIN, FACTORS_MAX + 1):
        p = factorise(r, k, method, seed)
        recs.append({"factors": k, "error": rmse(r, p, "train"), "set": "seen ratings (train)"})
        recs.append({"factors": k, "error": rmse(r, p, "held"), "set": "held-out ratings"})
    return pd.DataFrame(recs)


def recommend(r: dict, pred: np.ndarray, user: int, k: int = 5) -> pd.DataFrame:
    unseen = np.flatnonzero(~(r["train"][user] | r["held"][user]))
    order = unseen[np.argsort(-pred[user, unseen])][:k]
    return pd.DataFrame({"item": [r["items"][j] for j in order], "predicted rating": pred[user, order],
                         "true (hidden) rating": r["full"][user, order]})


def user_profile(r: dict, user: int) -> str:
    t = r["taste"][user]
    return ", ".join(f"{g} {v:+.1f}" for g, v in zip(GENRES, t))


# ================================================================ exported code
def export_code(kind: str, ngram: str, min_df: int, max_features: int, cv_name: str, lags: int, horizon: int,
                noise: float, factors: int, method: str, user: int, seed: int) -> str:
    """One standalone script covering the four tabs; last stdout line = JSON of the key numbers."""
    vec = "TfidfVectorizer" if kind == VECTORIZERS[0] else "CountVectorizer"
    cv_code = {
        CV_MODELS[0]: "make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000))",
        CV_MODELS[1]: "make_pipeline(StandardScaler(), SVC(gamma='scale'))",
        CV_MODELS[2]: "KNeighborsClassifier(n_neighbors=3)",
        CV_MODELS[3]: "RandomForestClassifier(n_estimators=100, random_state=SEED, n_jobs=2)",
    }[cv_name]
    return f'''import json
import numpy as np
import pandas as pd
from sklearn.datasets import load_digits
from sklearn.decomposition import NMF, TruncatedSVD
from sklearn.ensemble import RandomForestClassifier
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.metrics import mean_absolute_error
from sklearn.model_selection import train_test_split
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

SEED = {seed}
out = {{}}

# ---- NLP: sentiment with {vec}
df = pd.read_csv({str(SENTIMENT_CSV)!r})  # ML Explorer's sample_data/sentiment.csv
X_tr, X_te, y_tr, y_te = train_test_split(df["text"], df["label"], test_size=0.25, random_state=SEED, stratify=df["label"])
nlp = make_pipeline({vec}(ngram_range={NGRAM_RANGE[ngram]}, min_df={min_df}, max_features={max_features}),
                    LogisticRegression(max_iter=1000)).fit(X_tr, y_tr)
out["nlp_accuracy"] = nlp.score(X_te, y_te)
out["nlp_vocab"] = len(nlp[0].get_feature_names_out())

# ---- Vision: digits
d = load_digits()
Xa, Xb, ya, yb = train_test_split(d.data, d.target, test_size=0.25, random_state=SEED, stratify=d.target)
out["cv_accuracy"] = {cv_code}.fit(Xa, ya).score(Xb, yb)

# ---- Time series: trend + seasonality, lag features, recursive forecast vs seasonal naive
rng = np.random.default_rng(SEED)
t = np.arange({TS_LENGTH})
y = 100 + 0.8 * t + 12 * np.sin(2 * np.pi * t / 12) + 8 * (t % 12 == 11) + rng.normal(0, {noise}, {TS_LENGTH})
LAGS, H = {lags}, {horizon}
train, test = y[:-H], y[-H:]
tt = np.arange(LAGS, len(train))
lagm = LinearRegression().fit(np.column_stack([tt] + [train[tt - k] for k in range(1, LAGS + 1)]), train[LAGS:])
hist = list(train)
for h in range(H):
    n = len(hist)
    hist.append(float(lagm.predict(np.array([[n] + [hist[n - k] for k in range(1, LAGS + 1)]]))[0]))
out["ts_mae_lags"] = mean_absolute_error(test, hist[-H:])
out["ts_mae_naive"] = mean_absolute_error(test, [train[-12:][h % 12] for h in range(H)])

# ---- Recommender: known tastes, {method} with {factors} factors
rng = np.random.default_rng(SEED)
taste = rng.normal(0, 1, ({N_USERS}, {TRUE_TASTES}))
genre = np.eye({TRUE_TASTES})[np.arange({N_ITEMS}) % {TRUE_TASTES}] * rng.uniform(0.6, 1.2, ({N_ITEMS}, 1))
full = np.clip(3 + taste @ genre.T + rng.normal(0, 0.3, ({N_USERS}, {N_ITEMS})), 1, 5)
observed = rng.random(full.shape) < {OBSERVED}
held = observed & (rng.random(full.shape) < 0.2)
seen = observed & ~held
R = np.where(seen, full, np.nan)
mean = np.nanmean(np.where(seen.any(axis=1, keepdims=True), R, 3.0), axis=1, keepdims=True)
mean = np.where(np.isnan(mean), 3.0, mean)
filled = np.where(seen, full, mean)
'''.rstrip("\n") + "\n" + ((
        f"svd = TruncatedSVD(n_components={factors}, random_state=SEED)\n"
        "pred = np.clip(svd.inverse_transform(svd.fit_transform(filled - mean)) + mean, 1, 5)\n")
        if method == REC_METHODS[0] else (
        f"nmf = NMF(n_components={factors}, init='nndsvda', max_iter=400, random_state=SEED)\n"
        "pred = np.clip(nmf.fit_transform(filled) @ nmf.components_, 1, 5)\n")) + f'''out["rec_rmse_heldout"] = float(np.sqrt(np.mean((pred[held] - full[held]) ** 2)))
USER = {user}
unseen = np.flatnonzero(~(seen[USER] | held[USER]))
out["rec_top_item"] = int(unseen[np.argmax(pred[USER, unseen])])

for k, v in out.items():
    print(f"{{k:>18}}: {{v}}")
print(json.dumps({{k: (float(v) if not isinstance(v, int) else v) for k, v in out.items()}}))
'''


def page_numbers(nlp: dict, cv: dict, ts: dict, pred: np.ndarray, r: dict, user: int) -> dict:
    unseen = np.flatnonzero(~(r["train"][user] | r["held"][user]))
    return {"nlp_accuracy": nlp["accuracy"], "nlp_vocab": nlp["vocab_size"], "cv_accuracy": cv["accuracy"],
            "ts_mae_lags": ts["mae"]["lag features + linear model"], "ts_mae_naive": ts["mae"]["seasonal naive"],
            "rec_rmse_heldout": rmse(r, pred), "rec_top_item": int(unseen[np.argmax(pred[user, unseen])])}



# ---- cached compute for the page (components.memo: Streamlit's caches on the server) -------------
# Each tab's results are cached on that tab's own controls, so a control reruns only what it feeds.
@memo.cached(max_entries=24, shared=True)  # holds a fitted vectoriser and model: one shared object
def cached_nlp(kind: str, ngram: str, min_df: int, max_features: int, seed: int) -> dict:
    return nlp_fit(kind, ngram, min_df, max_features, seed)


@memo.cached(max_entries=64)
def cached_text(kind: str, ngram: str, min_df: int, max_features: int, seed: int, text: str):
    return explain_text(cached_nlp(kind, ngram, min_df, max_features, seed), text)


@memo.cached(max_entries=24)
def terms_spec(kind: str, ngram: str, min_df: int, max_features: int, seed: int) -> dict:
    from components import charts

    terms = top_terms(cached_nlp(kind, ngram, min_df, max_features, seed)["words"], 10)
    return charts.to_spec(charts.bar_chart(
        terms, x="weight", y="term", color="direction",
        title="Most positive and most negative terms (logistic-regression weights)", height=520, sort="-x"))


@memo.cached(max_entries=16)
def cached_vision(name: str, seed: int) -> dict:
    """The fitted digits model's results, the confusion matrix as a chart and as a true x predicted table."""
    import altair as alt

    from components import charts

    cv = cv_fit(name, seed)
    cm = confusion_long(cv["confusion"])
    tiles = charts.tile_chart(cm, x="predicted", y="true", color="count", quantitative=True,
                              title="Confusion matrix (rows: true digit, columns: predicted)", height=340)
    tiles.encoding.x.axis = alt.Axis(labelAngle=0)  # digits, not long names: no need to turn them sideways
    # The few mistakes (1–2 per cell) are all but invisible in the colour scale: write every non-zero count.
    counts = alt.Chart(cm[cm["count"] > 0]).mark_text(fontSize=12).encode(
        x=alt.X("predicted:O"), y=alt.Y("true:O"), text=alt.Text("count:Q"),
        color=alt.ColorValue(**alt.condition(alt.datum["count"] > cm["count"].max() / 2, alt.value("white"),
                                             alt.value("black"))))
    return {**cv, "confusion_spec": charts.to_spec(tiles + counts),
            "confusion_table": cm.pivot(index="true", columns="predicted", values="count")}


@memo.cached(max_entries=32)
def wrong_images_spec(name: str, seed: int, show: int) -> dict:
    from components import charts

    return charts.to_spec(charts.pixel_images_chart(image_pixels(digits().images, cached_vision(name, seed)["wrong"], show),
                                                    title="Misclassified test images (8×8 pixels)"))


@memo.cached(max_entries=32)
def cached_forecasts(seed: int, noise: float, lags: int, horizon: int) -> dict:
    return ts_forecasts(seed, noise, lags, horizon)


@memo.cached(max_entries=16, progress="Fitting ARIMA(0,1,1)(0,1,1)12…")
def cached_arima(seed: int, noise: float, horizon: int) -> dict:
    return ts_arima(seed, noise, horizon)


FORECAST_HEIGHT = 380  # the legend below the plot takes about 100 px of it


@memo.cached(max_entries=32)
def forecast_view(seed: int, noise: float, lags: int, horizon: int, with_arima: bool) -> dict:
    """The whole series with the forecasts, a close-up of the forecast window and as many months before it
    (on the 12-year chart the forecasts took its right edge, a few pixels per month), and their table."""
    from components import charts

    frame = ts_frame(cached_forecasts(seed, noise, lags, horizon),
                     cached_arima(seed, noise, horizon) if with_arima else None)
    train_end = cached_forecasts(seed, noise, lags, horizon)["train_end"]

    def chart(part: pd.DataFrame, title: str) -> dict:
        return charts.to_spec(charts.time_series_chart(
            part, x="month", y="value", color="series", title=title, height=FORECAST_HEIGHT, rule_x=train_end
        ).configure_legend(orient="bottom", columns=2, labelLimit=0))

    closeup = frame[frame["month"] >= frame["month"].max() - pd.DateOffset(months=2 * horizon - 1)]
    return {"whole": chart(frame, f"Monthly series (trend + seasonality) and {horizon}-month forecasts"),
            "closeup": chart(closeup, f"Close-up: the last {horizon} training months and the forecasts"),
            "table": frame.pivot(index="month", columns="series", values="value")}


@memo.cached(max_entries=32)
def ts_cv_view(seed: int, noise: float, lags: int) -> dict:
    """Time-ordered vs shuffled folds beside the real error on the next months: table, chart, sentence."""
    import altair as alt

    from components import charts

    folds = ts_cv(seed, noise, lags)
    future = ts_future_errors(seed, noise, lags)
    bars = charts.bar_chart(folds.assign(fold=folds["fold"].astype(str)), x="MAE", y="fold", color="scheme",
                            title="One-step-ahead MAE per fold (dashed: the real error on the next "
                                  f"{TS_FUTURE_MONTHS} months)", sort=None, height=340)
    rule = alt.Chart(pd.DataFrame({"MAE": [float(future.mean())]})).mark_rule(
        strokeDash=[6, 4], strokeWidth=2, color="black").encode(x=alt.X("MAE:Q"))
    # the scheme names are long: a legend below shows them whole
    return {"folds": folds, "spec": charts.to_spec((bars + rule).configure_legend(orient="bottom", labelLimit=0)),
            "sentence": ts_cv_sentence(folds, future)}


@memo.cached(max_entries=8)
def cached_ratings(seed: int) -> dict:
    return make_ratings(seed)


@memo.cached(max_entries=8)
def cached_baseline(seed: int) -> float:
    return user_mean_baseline(cached_ratings(seed))


@memo.cached(max_entries=32)
def cached_factorised(seed: int, k: int, method: str):
    return factorise(cached_ratings(seed), k, method, seed)


@memo.cached(max_entries=32)
def error_view(seed: int, method: str, k: int) -> dict:
    """Held-out and training RMSE against the number of factors, a rule at k and the user-mean baseline."""
    import altair as alt

    from components import charts

    curve = error_vs_factors(cached_ratings(seed), method, seed)
    chart = charts.line_chart(curve, x="factors", y="error", color="set", rule_x=k,
                              title="RMSE vs number of latent factors (dashed grey: each user's mean rating)",
                              zero_y=False)  # the U-shape spans a few hundredths: from 0 it was flat
    chart.layer[0].encoding.x.axis = alt.Axis(tickMinStep=1, format="d")  # whole factors, not 1.5
    baseline = alt.Chart(pd.DataFrame({"error": [cached_baseline(seed)]})).mark_rule(
        strokeDash=[6, 4], strokeWidth=2, color="grey").encode(y=alt.Y("error:Q"))
    return {"curve": curve, "spec": charts.to_spec(chart + baseline),
            "table": curve.pivot(index="factors", columns="set", values="error")}


@memo.cached(max_entries=64)
def cached_recommendations(seed: int, k: int, method: str, user: int) -> pd.DataFrame:
    return recommend(cached_ratings(seed), cached_factorised(seed, k, method), user)


@memo.cached(max_entries=32)
def cached_code(*args) -> str:
    return export_code(*args)
