"""Data-leakage lab: each experiment measured the leaky way, the correct way and on truly held-out data.

The estimators, pipelines and cross-validation come from scikit-learn and imbalanced-learn. Written
by hand (no library has them): the pure-noise data, the target-leaking "cancellation call" feature,
the synthetic time series, and the side-by-side bookkeeping of the three numbers.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from imblearn.over_sampling import SMOTE
from imblearn.pipeline import make_pipeline as imb_make_pipeline
from sklearn import metrics
from sklearn.ensemble import RandomForestRegressor
from sklearn.feature_selection import SelectKBest, f_classif
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.model_selection import KFold, StratifiedKFold, TimeSeriesSplit, cross_val_score, train_test_split
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from components import memo
from components.applications import mean_standard_error
from components.code_export import dataset_code
from components.imbalanced import binarize, subsample_minority

# ---- widgets: one source of truth -------------------------------------------------------------
EXPERIMENT_KEY, LEAKY_KEY, N_FEATURES_KEY, K_KEY, PREP_KEY, LEAK_NOISE_KEY, TS_MODEL_KEY, TS_TREND_KEY = (
    "leakage.experiment", "leakage.leaky", "leakage.n_features", "leakage.k", "leakage.prep",
    "leakage.leak_noise", "leakage.ts_model", "leakage.ts_trend")
SELECTION, PREPROCESSING, TARGET, TIME = (  # option values are what the URL shows: keep them short
    "feature selection before CV", "preprocessing before the split", "target-leaking feature",
    "shuffled folds on a time series")
EXPERIMENTS = (SELECTION, PREPROCESSING, TARGET, TIME)
EXPERIMENT_DEFAULT = SELECTION
LEAKY_DEFAULT = True
N_FEATURES_MIN, N_FEATURES_MAX, N_FEATURES_DEFAULT, N_FEATURES_STEP = 100, 5000, 2000, 100
K_MIN, K_MAX, K_DEFAULT = 1, 100, 20
PREP_SMOTE, PREP_SCALE = "SMOTE", "mean imputation and scaling"
DATA_KEY, SIDEBAR = "leakage.data", "sidebar dataset"
DATA_OPTIONS = ("churn", SIDEBAR)  # churn: a hard problem, so SMOTE's leak has room to flatter
DATA_DEFAULT = "churn"
PREPS = (PREP_SMOTE, PREP_SCALE)
PREP_DEFAULT = PREP_SMOTE
LEAK_NOISE_MIN, LEAK_NOISE_MAX, LEAK_NOISE_DEFAULT, LEAK_NOISE_STEP = 0.0, 0.5, 0.05, 0.05
TS_FOREST, TS_LINEAR = "random forest", "linear regression"
TS_MODELS = (TS_FOREST, TS_LINEAR)
TS_MODEL_DEFAULT = TS_FOREST
TS_TREND_DEFAULT = True
TS_REPEAT_KEY, TS_REPEAT_DEFAULT, TS_REPEATS = "leakage.ts_repeat", False, 10

FOLDS = 5
N_NOISE, N_NOISE_HOLDOUT = 200, 1000
TEST_SIZE = 0.3
SMOTE_SHARE = 0.15  # minority share imposed for the SMOTE experiment
MISSING_RATE = 0.2  # MCAR share of cells blanked for the imputation experiment
TS_LENGTH, TS_HOLDOUT, TS_LAGS = 400, 80, 3
TS_SLOPE = 0.03  # the trend's rise per step: 2.4 over the held-out 80 steps, against noise of sd ~0.8
TS_ORDERED_SPLITS = 3
N_BOOTSTRAP = 1000  # resamples for the standard error of a held-out F1 (no closed form)
NOISE_SE = 2.0  # an estimate within this many standard errors of the held-out score agrees with it


@dataclass
class LeakResult:
    metric: str
    higher_is_better: bool
    leaky: float  # the leaky procedure's cross-validated estimate
    correct: float  # the correct procedure's cross-validated estimate
    held_leaky: float  # the leaky procedure's final model on truly held-out data
    held_correct: float  # the correct procedure's final model on truly held-out data
    folds: pd.DataFrame  # fold, procedure, score
    se_leaky: float = float("nan")  # standard error of held_leaky (the held-out set is a sample too)
    se_correct: float = float("nan")  # standard error of held_correct
    n_held: int = 0  # held-out rows
    n_effective: float | None = None  # what they are worth as independent rows, when neighbours correlate
    chance: float | None = None
    note: str = ""
    beyond: dict | None = None  # time series: share of each test window above its training maximum

    @property
    def same_model(self) -> bool:
        """Both procedures ship the same final model (the leak only fooled the estimate)."""
        return abs(self.held_leaky - self.held_correct) < 1e-12


def accuracy_se(accuracy: float, n: int) -> float:
    """Binomial standard error of an accuracy measured on n independent rows."""
    return float(np.sqrt(accuracy * (1 - accuracy) / n))


def f1_bootstrap_se(y_true: np.ndarray, y_pred: np.ndarray, seed: int, n_boot: int = N_BOOTSTRAP) -> float:
    """Standard error of a held-out F1 by the bootstrap: F1 has no closed-form variance, so the
    held-out rows are resampled with replacement and F1 recomputed (from the confusion counts)."""
    y_true, y_pred = np.asarray(y_true).astype(bool), np.asarray(y_pred).astype(bool)
    idx = np.random.default_rng(seed).integers(0, len(y_true), (n_boot, len(y_true)))
    t, p = y_true[idx], y_pred[idx]
    tp = (t & p).sum(axis=1)
    wrong = (t ^ p).sum(axis=1)  # false positives + false negatives
    f1 = np.divide(2 * tp, 2 * tp + wrong, out=np.zeros(n_boot), where=2 * tp + wrong > 0)
    return float(f1.std(ddof=1))


def _folds(leaky: np.ndarray, correct: np.ndarray) -> pd.DataFrame:
    names = [f"fold {i + 1}" for i in range(len(leaky))] + [f"fold {i + 1}" for i in range(len(correct))]
    return pd.DataFrame({"fold": names,
                         "procedure": ["leaky"] * len(leaky) + ["correct"] * len(correct),
                         "score": np.concatenate([leaky, correct])})


# ---- 1: feature selection on pure noise ---------------------------------------------------------
def noise_data(n_features: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Features and labels that are independent coin flips: no model can beat 50% on new data."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(N_NOISE, n_features))
    y = rng.integers(0, 2, N_NOISE)
    X_hold = rng.normal(size=(N_NOISE_HOLDOUT, n_features))
    y_hold = rng.integers(0, 2, N_NOISE_HOLDOUT)
    return X, y, X_hold, y_hold


def feature_selection_experiment(n_features: int, k: int, seed: int) -> LeakResult:
    X, y, X_hold, y_hold = noise_data(n_features, seed)
    k = min(k, n_features)
    cv = StratifiedKFold(FOLDS, shuffle=True, random_state=seed)
    # leaky: choose the k features most correlated with y using every row, then cross-validate
    X_sel = SelectKBest(f_classif, k=k).fit_transform(X, y)
    leaky = cross_val_score(LogisticRegression(), X_sel, y, cv=cv)
    # correct: the selection is a pipeline step, refitted inside each training fold
    pipe = make_pipeline(SelectKBest(f_classif, k=k), LogisticRegression())
    correct = cross_val_score(pipe, X, y, cv=cv)
    held = pipe.fit(X, y).score(X_hold, y_hold)  # both procedures ship this same model
    se = accuracy_se(held, len(y_hold))
    return LeakResult("accuracy", True, float(leaky.mean()), float(correct.mean()), float(held), float(held),
                      _folds(leaky, correct), se, se, len(y_hold), chance=0.5)


# ---- 2: preprocessing / SMOTE before the split ---------------------------------------------------
def preprocessing_experiment(X: pd.DataFrame, y: pd.Series, prep: str, seed: int) -> LeakResult:
    Xv = np.asarray(X, dtype=float)
    yb, _ = binarize(np.asarray(y))
    X_dev, X_hold, y_dev, y_hold = train_test_split(Xv, yb, test_size=TEST_SIZE, stratify=yb, random_state=seed)
    cv = StratifiedKFold(FOLDS, shuffle=True, random_state=seed)
    if prep == PREP_SMOTE:
        rng = np.random.default_rng(seed)
        i_dev, _ = subsample_minority(y_dev, SMOTE_SHARE, rng)
        i_hold, _ = subsample_minority(y_hold, SMOTE_SHARE, rng)
        X_dev, y_dev, X_hold, y_hold = X_dev[i_dev], y_dev[i_dev], X_hold[i_hold], y_hold[i_hold]
        n_pos = int(y_dev.sum())  # SMOTE's k must fit the positives of the smallest training fold
        k_smote = max(1, min(5, n_pos - -(-n_pos // FOLDS) - 1))
        # leaky: oversample the whole development set, then cross-validate on it. Each test fold is scored
        # on its real rows only: its synthetic rows would also turn the 15 % minority into half of it, and
        # F1 rises with the positive share by itself, which is not the leak (the correct CV and the held-out
        # set keep 15 %). What is left is the leak: synthetic neighbours of every test row sit in training.
        X_res, y_res = SMOTE(k_neighbors=k_smote, random_state=seed).fit_resample(
            StandardScaler().fit_transform(X_dev), y_dev)
        real = np.arange(len(y_res)) < len(y_dev)  # imblearn puts the original rows first
        leaky = np.array([metrics.f1_score(y_res[te][real[te]], KNeighborsClassifier().fit(X_res[tr], y_res[tr])
                                           .predict(X_res[te][real[te]]), zero_division=0)
                          for tr, te in cv.split(X_res, y_res)])
        pipe = imb_make_pipeline(StandardScaler(), SMOTE(k_neighbors=k_smote, random_state=seed),
                                 KNeighborsClassifier())
        correct = cross_val_score(pipe, X_dev, y_dev, cv=cv, scoring="f1")
        pred = pipe.fit(X_dev, y_dev).predict(X_hold)
        held = metrics.f1_score(y_hold, pred, zero_division=0)
        se = f1_bootstrap_se(y_hold, pred, seed)
        return LeakResult("F1 (minority class)", True, float(leaky.mean()), float(correct.mean()), float(held),
                          float(held), _folds(leaky, correct), se, se, len(y_hold),
                          note=f"Minority share set to {SMOTE_SHARE:.0%}; model: 5-nearest neighbours. Every "
                               "estimate is scored on real rows only (the leaky one's test folds also hold "
                               "synthetic rows, which would change the class share F1 depends on).")
    # imputation + scaling: blank MISSING_RATE of the cells at random (MCAR)
    rng = np.random.default_rng(seed)
    X_dev = np.where(rng.random(X_dev.shape) < MISSING_RATE, np.nan, X_dev)
    X_hold = np.where(rng.random(X_hold.shape) < MISSING_RATE, np.nan, X_hold)
    prep_steps = [SimpleImputer(strategy="mean"), StandardScaler()]
    X_prep = make_pipeline(*prep_steps).fit_transform(X_dev)  # leaky: statistics of every dev row
    leaky = cross_val_score(KNeighborsClassifier(), X_prep, y_dev, cv=cv, scoring="accuracy")
    pipe = make_pipeline(SimpleImputer(strategy="mean"), StandardScaler(), KNeighborsClassifier())
    correct = cross_val_score(pipe, X_dev, y_dev, cv=cv, scoring="accuracy")
    held = pipe.fit(X_dev, y_dev).score(X_hold, y_hold)
    se = accuracy_se(held, len(y_hold))
    return LeakResult("accuracy", True, float(leaky.mean()), float(correct.mean()), float(held), float(held),
                      _folds(leaky, correct), se, se, len(y_hold),
                      note=f"{MISSING_RATE:.0%} of cells blanked at random; model: 5-nearest neighbours.")


# ---- 3: a feature derived from the label --------------------------------------------------------
LEAK_FEATURE = "cancellation_call_logged"


def add_leak(X: pd.DataFrame, y: np.ndarray, noise: float, seed: int) -> pd.DataFrame:
    """A column written after the outcome: 1 when the customer called to cancel (i.e. churned),
    flipped at random for a `noise` share of rows. At prediction time nobody has called yet."""
    rng = np.random.default_rng(seed)
    flip = rng.random(len(y)) < noise
    return X.assign(**{LEAK_FEATURE: np.where(flip, 1 - y, y).astype(float)})


def target_leak_experiment(X: pd.DataFrame, y: pd.Series, noise: float, seed: int) -> LeakResult:
    yv = np.asarray(y).astype(int)
    X_leak = add_leak(X, yv, noise, seed)
    X_dev, X_hold, y_dev, y_hold = train_test_split(X_leak, yv, test_size=TEST_SIZE, stratify=yv, random_state=seed)
    cv = StratifiedKFold(FOLDS, shuffle=True, random_state=seed)
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000))
    leaky = cross_val_score(model, X_dev, y_dev, cv=cv)  # the leaking column is available in every fold
    X_future = X_hold.assign(**{LEAK_FEATURE: 0.0})  # at prediction time the call has not happened
    held_leaky = model.fit(X_dev, y_dev).score(X_future, y_hold)
    honest = X_dev.drop(columns=LEAK_FEATURE)
    correct = cross_val_score(model, honest, y_dev, cv=cv)
    held_correct = model.fit(honest, y_dev).score(X_hold.drop(columns=LEAK_FEATURE), y_hold)
    n = len(y_hold)
    return LeakResult("accuracy", True, float(leaky.mean()), float(correct.mean()), float(held_leaky),
                      float(held_correct), _folds(leaky, correct), accuracy_se(held_leaky, n),
                      accuracy_se(held_correct, n), n, chance=float(1 - y_hold.mean()),
                      note="The 'chance / majority class' bar is the accuracy of predicting 'stays' for everyone.")


# ---- 4: time series: shuffled K-fold vs TimeSeriesSplit ------------------------------------------
def time_series(seed: int, n: int = TS_LENGTH, trend: bool = True) -> np.ndarray:
    """Trend + seasonality (period 25) + AR(1) noise: with the trend on, the future leaves the past's range."""
    rng = np.random.default_rng(seed)
    z = rng.normal(scale=0.5, size=n)
    e = np.zeros(n)
    for i in range(1, n):
        e[i] = 0.8 * e[i - 1] + z[i]
    t = np.arange(n)
    return (TS_SLOPE if trend else 0.0) * t + 2 * np.sin(2 * np.pi * t / 25) + e


def lag_matrix(s: np.ndarray, lags: int = TS_LAGS) -> tuple[np.ndarray, np.ndarray]:
    n = len(s)
    X = np.column_stack([s[lags - i - 1:n - i - 1] for i in range(lags)])
    return X, s[lags:]


def ts_model(name: str, seed: int):
    """A forest predicts averages of training targets, so never above the largest one it saw (it cannot
    extrapolate a trend); a linear model on the lags can."""
    if name == TS_LINEAR:
        return LinearRegression()
    return RandomForestRegressor(n_estimators=30, min_samples_leaf=2, random_state=seed)


def share_above(y_train: np.ndarray, y_test: np.ndarray) -> float:
    """Share of a test window's values above every value its model trained on: what a forest cannot reach."""
    return float((np.asarray(y_test) > np.max(y_train)).mean())


SHUFFLED_FOLDS, ORDERED_FOLDS, FUTURE = "shuffled folds", "time-ordered folds", "held-out future"


def time_series_experiment(seed: int, model_name: str = TS_MODEL_DEFAULT, trend: bool = TS_TREND_DEFAULT
                           ) -> LeakResult:
    X, y = lag_matrix(time_series(seed, trend=trend))
    cut = len(y) - TS_HOLDOUT
    X_dev, y_dev = X[:cut], y[:cut]
    model = ts_model(model_name, seed)
    shuffled = KFold(FOLDS, shuffle=True, random_state=seed)
    ordered = TimeSeriesSplit(TS_ORDERED_SPLITS, test_size=TS_HOLDOUT)
    scoring = "neg_mean_absolute_error"
    leaky = -cross_val_score(model, X_dev, y_dev, cv=shuffled, scoring=scoring)
    correct = -cross_val_score(model, X_dev, y_dev, cv=ordered, scoring=scoring)
    errors = np.abs(y[cut:] - model.fit(X_dev, y_dev).predict(X[cut:]))
    se, n_eff = mean_standard_error(errors)
    beyond = {scheme: float(np.mean([share_above(y_dev[tr], y_dev[te]) for tr, te in cv.split(X_dev)]))
              for scheme, cv in ((SHUFFLED_FOLDS, shuffled), (ORDERED_FOLDS, ordered))}
    beyond[FUTURE] = share_above(y_dev, y[cut:])
    held = float(errors.mean())
    return LeakResult("mean absolute error", False, float(leaky.mean()), float(correct.mean()), held, held,
                      _folds(leaky, correct), se, se, len(errors), n_eff, beyond=beyond,
                      note=f"{model_name.capitalize()} on the last {TS_LAGS} values of a series "
                           f"{'with' if trend else 'without'} a trend; the held-out set is the last {TS_HOLDOUT} "
                           "points, i.e. the future.")


def series_frame(seed: int, trend: bool = TS_TREND_DEFAULT) -> pd.DataFrame:
    s = time_series(seed, trend=trend)
    part = np.where(np.arange(len(s)) >= len(s) - TS_HOLDOUT, "held-out future", "development")
    return pd.DataFrame({"t": np.arange(len(s)), "value": s, "part": part})


def time_series_repeats(first_seed: int, model_name: str, trend: bool, n: int = TS_REPEATS,
                        progress=None) -> pd.DataFrame:
    """The experiment on n series (seeds first_seed .. first_seed + n - 1): one held-out future is a noisy
    judge, the average over many shows which estimate is biased."""
    rows = []
    for i, seed in enumerate(range(first_seed, first_seed + n)):
        r = time_series_experiment(seed, model_name, trend)
        rows.append({"seed": seed, "shuffled CV": r.leaky, "time-ordered CV": r.correct,
                     "held-out future": r.held_correct})
        if progress:
            progress((i + 1) / n)
    return pd.DataFrame(rows)


def repeats_sentence(reps: pd.DataFrame, model_name: str) -> str:
    m = reps.mean(numeric_only=True)
    below_s = int((reps["shuffled CV"] < reps["held-out future"]).sum())
    below_o = int((reps["time-ordered CV"] < reps["held-out future"]).sum())
    return (f"Over {len(reps)} series (seeds {reps['seed'].min()} to {reps['seed'].max()}), with the {model_name}: "
            f"shuffled CV averaged {_sig(m['shuffled CV'])}, time-ordered CV {_sig(m['time-ordered CV'])}, the "
            f"held-out future {_sig(m['held-out future'])}. The shuffled estimate was below the held-out error in "
            f"{below_s} of {len(reps)} series, the time-ordered one in {below_o}. An estimate whose bias outweighs "
            "the noise lands on the same side of the held-out error nearly every time; an unbiased one lands on "
            "both sides.")


# ---- sentences generated from the numbers ---------------------------------------------------------
def _sig(x: float) -> str:
    return f"{x:.3f}"


def n_standard_errors(gap: float, se: float) -> float:
    """|gap| in standard errors, rounded to the one decimal the page shows (so the verdict matches it)."""
    return round(abs(gap) / se, 1) if se > 0 else float("inf")


def noise_clause(gap: float, se: float, n: int, n_effective: float | None, folds: np.ndarray, held: float) -> str:
    """Whether a gap to the held-out score is within NOISE_SE standard errors of that score; beyond it, the
    held-out set's noise alone does not explain the gap, and the estimate's folds are set against the held-out
    score (a cross-validated estimate is noisy too, and no unbiased estimate of its variance exists)."""
    k = n_standard_errors(gap, se)
    if n_effective is None:
        size = f"{n} held-out rows"
    elif round(n_effective) >= n:
        size = f"{n} held-out points whose neighbouring errors are not correlated"
    else:
        size = (f"{n} held-out points, worth about {n_effective:.0f} independent ones since neighbouring errors are "
                "alike")
    head = f"{k:.1f} standard errors of the held-out score (SE {_sig(se)}, from {size})"
    if k <= NOISE_SE:
        return f"{head}: the held-out set's own noise can explain it."
    lo, hi = _sig(np.min(folds)), _sig(np.max(folds))
    if np.all(folds > held) or np.all(folds < held):
        side = "above" if np.all(folds > held) else "below"
        return (f"{head}: more than the held-out set's noise alone explains, and all {len(folds)} of its folds "
                f"({lo} to {hi}) lie {side} the held-out score.")
    return (f"{head}: more than the held-out set's noise alone explains. The estimate is noisy too: its folds range "
            f"from {lo} to {hi}, on both sides of the held-out score.")


def verdicts(res: LeakResult) -> dict[str, str]:
    """The leaky box, the correct box and which estimate landed closer, each from the numbers."""
    gap_l, gap_c = res.leaky - res.held_leaky, res.correct - res.held_correct
    d_l, d_c = abs(gap_l), abs(gap_c)
    fold = {p: res.folds.loc[res.folds["procedure"] == p, "score"].to_numpy() for p in ("leaky", "correct")}
    held_l = "the model scores" if res.same_model else "the leaky procedure's model scores"
    leaky = (f"**Leaky:** cross-validation promised {res.metric} = {_sig(res.leaky)}; on truly held-out data {held_l} "
             f"{_sig(res.held_leaky)}. Off by {_sig(d_l)}: "
             f"{noise_clause(gap_l, res.se_leaky, res.n_held, res.n_effective, fold['leaky'], res.held_leaky)}")
    correct = (f"**Correct:** cross-validation estimated {res.metric} = {_sig(res.correct)}; held-out data says "
               f"{_sig(res.held_correct)}. Off by {_sig(d_c)}: "
               f"{noise_clause(gap_c, res.se_correct, res.n_held, res.n_effective, fold['correct'], res.held_correct)}")
    if round(d_l, 3) == round(d_c, 3):
        closer = f"Both estimates are {_sig(d_c)} from their held-out scores."
    elif d_c < d_l:
        closer = f"The correct estimate is the closer of the two ({_sig(d_c)} off, against {_sig(d_l)})."
    else:
        closer = (f"Here the leaky estimate is the closer of the two ({_sig(d_l)} off, against {_sig(d_c)} for the "
                  "correct one).")
    if res.same_model and round(d_l, 3) != round(d_c, 3):
        # which estimate is closer flips when the held-out score crosses the midpoint between them
        k_flip = abs(res.held_correct - (res.leaky + res.correct) / 2) / res.se_correct
        if k_flip < 1:
            closer += (f" A held-out score {k_flip:.1f} standard errors away would reverse that: this held-out set "
                       "cannot tell which estimate is nearer the truth.")
    return {"leaky": leaky, "correct": correct, "closer": closer}


def within_noise(res: LeakResult) -> bool:
    """The correct estimate is within NOISE_SE standard errors of its held-out score."""
    return n_standard_errors(res.correct - res.held_correct, res.se_correct) <= NOISE_SE


def _pct(x: float) -> str:
    return f"{100 * x:.0f}%"


def time_series_story(res: LeakResult, model_name: str, other: LeakResult, other_name: str) -> str:
    """What drives the gap on screen: how far each test window climbs above its training maximum (what a
    forest cannot predict), and the same lags under the other model."""
    b = res.beyond
    if model_name == TS_FOREST:
        reach = "A forest predicts averages of the values it trained on, so never above the highest one. "
    else:
        reach = "A linear model on the lags can predict beyond the values it trained on (it extrapolates). "
    text = (reach + f"Test values above their training maximum: {_pct(b[SHUFFLED_FOLDS])} in the shuffled folds "
            f"(their training rows include later points), {_pct(b[ORDERED_FOLDS])} in the time-ordered folds, "
            f"{_pct(b[FUTURE])} in the held-out future.")
    if model_name == TS_FOREST and b[ORDERED_FOLDS] != b[FUTURE]:
        further = b[ORDERED_FOLDS] > b[FUTURE]
        above = res.correct > res.held_correct
        text += (f" The time-ordered folds climbed {'further' if further else 'less far'} past their training range "
                 f"than the held-out future did{', and' if further == above else '; nevertheless'} their estimate is "
                 f"{'above' if above else 'below'} the held-out error.")
    opt, opt_o = res.held_leaky - res.leaky, other.held_leaky - other.leaky

    def flattery(x: float) -> str:
        if round(x, 3) == 0:
            return "equal to the held-out error to three decimals"
        return f"below the held-out error by {_sig(x)}" if x > 0 else f"above the held-out error by {_sig(-x)}"
    text += (f" Same lags, {other_name}: shuffled {_sig(other.leaky)}, time-ordered {_sig(other.correct)}, held-out "
             f"{_sig(other.held_correct)}. The shuffled estimate is {flattery(opt)} for the {model_name} and "
             f"{flattery(opt_o)} for the {other_name}.")
    return text


# ---- code export --------------------------------------------------------------------------------
def export_code(experiment: str, seed: int, n_features: int = N_FEATURES_DEFAULT, k: int = K_DEFAULT,
                prep: str = PREP_DEFAULT, leak_noise: float = LEAK_NOISE_DEFAULT, dataset: str = "breast_cancer",
                n_samples: int = 300, noise: float = 0.25, ts_model: str = TS_MODEL_DEFAULT,
                trend: bool = TS_TREND_DEFAULT) -> str:
    """Both versions (leaky and correct) for the current experiment; the last stdout line is JSON."""
    head = f'"""Data leakage: {experiment} — the leaky and the correct way (ML Explorer)."""\n'
    common_imports = ("import json\n\nimport numpy as np\nimport pandas as pd\nfrom sklearn import metrics\n"
                      "from sklearn.model_selection import (KFold, StratifiedKFold, TimeSeriesSplit, cross_val_score,\n"
                      "                                     train_test_split)\n")
    out = 'print(json.dumps({"leaky": float(leaky.mean()), "correct": float(correct.mean()), ' \
          '"held_out_leaky": float(held_leaky), "held_out_correct": float(held_correct), ' \
          '"se_leaky": float(se_leaky), "se_correct": float(se_correct)}))\n'
    if experiment == SELECTION:
        body = f'''from sklearn.feature_selection import SelectKBest, f_classif
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline

SEED, N_FEATURES, K = {seed}, {n_features}, {min(k, n_features)}
rng = np.random.default_rng(SEED)
X = rng.normal(size=({N_NOISE}, N_FEATURES))          # pure noise ...
y = rng.integers(0, 2, {N_NOISE})                     # ... and coin-flip labels
X_hold = rng.normal(size=({N_NOISE_HOLDOUT}, N_FEATURES))
y_hold = rng.integers(0, 2, {N_NOISE_HOLDOUT})
cv = StratifiedKFold({FOLDS}, shuffle=True, random_state=SEED)

# LEAKY: select features with every row, then cross-validate
X_sel = SelectKBest(f_classif, k=K).fit_transform(X, y)
leaky = cross_val_score(LogisticRegression(), X_sel, y, cv=cv)

# CORRECT: selection inside the pipeline, refitted on each training fold
pipe = make_pipeline(SelectKBest(f_classif, k=K), LogisticRegression())
correct = cross_val_score(pipe, X, y, cv=cv)
held_leaky = held_correct = pipe.fit(X, y).score(X_hold, y_hold)
se_leaky = se_correct = np.sqrt(held_correct * (1 - held_correct) / len(y_hold))   # binomial standard error
print(f"leaky CV {{leaky.mean():.3f}}  correct CV {{correct.mean():.3f}}  held-out {{held_correct:.3f}} "
      f"(SE {{se_correct:.3f}}; chance 0.5)")
'''
    elif experiment == PREPROCESSING:
        load = dataset_code(dataset, n_samples, noise, seed)
        if prep == PREP_SMOTE:
            body = f'''from imblearn.over_sampling import SMOTE
from imblearn.pipeline import make_pipeline
from sklearn.neighbors import KNeighborsClassifier
from sklearn.preprocessing import StandardScaler

SEED, SHARE = {seed}, {SMOTE_SHARE}
{load}
counts = np.bincount(np.asarray(y).astype(int))
present = [c for c in range(len(counts)) if counts[c] > 0]
positive = min(present, key=lambda c: (counts[c], -c))   # minority class = positive
Xv, yb = np.asarray(X, dtype=float), (np.asarray(y) == positive).astype(int)
X_dev, X_hold, y_dev, y_hold = train_test_split(Xv, yb, test_size={TEST_SIZE}, stratify=yb, random_state=SEED)


def subsample_minority(y, rng, min_pos=3):
    pos, neg = np.flatnonzero(y == 1), np.flatnonzero(y == 0)
    n_keep = min(len(pos), max(min_pos, int(round(SHARE * len(neg) / (1 - SHARE)))))
    return np.sort(np.concatenate([neg, np.sort(rng.choice(pos, size=n_keep, replace=False))]))


rng = np.random.default_rng(SEED)
i_dev, i_hold = subsample_minority(y_dev, rng), subsample_minority(y_hold, rng)
X_dev, y_dev, X_hold, y_hold = X_dev[i_dev], y_dev[i_dev], X_hold[i_hold], y_hold[i_hold]
n_pos = int(y_dev.sum())  # SMOTE's k must fit the positives of the smallest training fold
k_smote = max(1, min(5, n_pos - -(-n_pos // {FOLDS}) - 1))
cv = StratifiedKFold({FOLDS}, shuffle=True, random_state=SEED)

# LEAKY: oversample everything, then cross-validate (synthetic copies of test rows sit in training);
#        each test fold scored on its real rows only, at the real class share
X_res, y_res = SMOTE(k_neighbors=k_smote, random_state=SEED).fit_resample(StandardScaler().fit_transform(X_dev), y_dev)
real = np.arange(len(y_res)) < len(y_dev)  # imblearn puts the original rows first
leaky = np.array([metrics.f1_score(y_res[te][real[te]], KNeighborsClassifier().fit(X_res[tr], y_res[tr])
                                   .predict(X_res[te][real[te]]), zero_division=0) for tr, te in cv.split(X_res, y_res)])

# CORRECT: SMOTE inside an imblearn pipeline resamples training folds only
pipe = make_pipeline(StandardScaler(), SMOTE(k_neighbors=k_smote, random_state=SEED), KNeighborsClassifier())
correct = cross_val_score(pipe, X_dev, y_dev, cv=cv, scoring="f1")
pred = pipe.fit(X_dev, y_dev).predict(X_hold)
held_leaky = held_correct = metrics.f1_score(y_hold, pred, zero_division=0)
# F1 has no closed-form standard error: bootstrap the held-out rows ({N_BOOTSTRAP} resamples)
idx = np.random.default_rng(SEED).integers(0, len(y_hold), ({N_BOOTSTRAP}, len(y_hold)))
t, p = y_hold.astype(bool)[idx], pred.astype(bool)[idx]
tp, wrong = (t & p).sum(axis=1), (t ^ p).sum(axis=1)
f1_boot = np.divide(2 * tp, 2 * tp + wrong, out=np.zeros({N_BOOTSTRAP}), where=2 * tp + wrong > 0)
se_leaky = se_correct = f1_boot.std(ddof=1)
print(f"leaky CV F1 {{leaky.mean():.3f}}  correct CV F1 {{correct.mean():.3f}}  held-out F1 {{held_correct:.3f}} "
      f"(SE {{se_correct:.3f}})")
'''
        else:
            body = f'''from sklearn.impute import SimpleImputer
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

SEED = {seed}
{load}
counts = np.bincount(np.asarray(y).astype(int))
present = [c for c in range(len(counts)) if counts[c] > 0]
positive = min(present, key=lambda c: (counts[c], -c))
Xv, yb = np.asarray(X, dtype=float), (np.asarray(y) == positive).astype(int)
X_dev, X_hold, y_dev, y_hold = train_test_split(Xv, yb, test_size={TEST_SIZE}, stratify=yb, random_state=SEED)
rng = np.random.default_rng(SEED)
X_dev = np.where(rng.random(X_dev.shape) < {MISSING_RATE}, np.nan, X_dev)   # MCAR holes
X_hold = np.where(rng.random(X_hold.shape) < {MISSING_RATE}, np.nan, X_hold)
cv = StratifiedKFold({FOLDS}, shuffle=True, random_state=SEED)

# LEAKY: imputation means and scaling statistics computed from every row, then cross-validate
X_prep = make_pipeline(SimpleImputer(strategy="mean"), StandardScaler()).fit_transform(X_dev)
leaky = cross_val_score(KNeighborsClassifier(), X_prep, y_dev, cv=cv, scoring="accuracy")

# CORRECT: the same steps inside the pipeline, refitted on each training fold
pipe = make_pipeline(SimpleImputer(strategy="mean"), StandardScaler(), KNeighborsClassifier())
correct = cross_val_score(pipe, X_dev, y_dev, cv=cv, scoring="accuracy")
held_leaky = held_correct = pipe.fit(X_dev, y_dev).score(X_hold, y_hold)
se_leaky = se_correct = np.sqrt(held_correct * (1 - held_correct) / len(y_hold))   # binomial standard error
print(f"leaky CV {{leaky.mean():.3f}}  correct CV {{correct.mean():.3f}}  held-out {{held_correct:.3f}} "
      f"(SE {{se_correct:.3f}})")
'''
    elif experiment == TARGET:
        load = dataset_code("churn")
        body = f'''from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

SEED, NOISE = {seed}, {leak_noise}
{load}
yv = np.asarray(y).astype(int)
rng = np.random.default_rng(SEED)
flip = rng.random(len(yv)) < NOISE
# A column written AFTER the outcome: did the customer call to cancel? (= churned, with some noise)
X = X.assign({LEAK_FEATURE}=np.where(flip, 1 - yv, yv).astype(float))
X_dev, X_hold, y_dev, y_hold = train_test_split(X, yv, test_size={TEST_SIZE}, stratify=yv, random_state=SEED)
cv = StratifiedKFold({FOLDS}, shuffle=True, random_state=SEED)
model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000))

# LEAKY: the column is in every fold, so CV looks excellent ...
leaky = cross_val_score(model, X_dev, y_dev, cv=cv)
# ... but when the model is used, nobody has called yet: the column is 0 for everyone
held_leaky = model.fit(X_dev, y_dev).score(X_hold.assign({LEAK_FEATURE}=0.0), y_hold)

# CORRECT: only features known at prediction time
honest = X_dev.drop(columns="{LEAK_FEATURE}")
correct = cross_val_score(model, honest, y_dev, cv=cv)
held_correct = model.fit(honest, y_dev).score(X_hold.drop(columns="{LEAK_FEATURE}"), y_hold)
se_leaky, se_correct = (np.sqrt(a * (1 - a) / len(y_hold)) for a in (held_leaky, held_correct))   # binomial
print(f"leaky CV {{leaky.mean():.3f}} -> held-out {{held_leaky:.3f}}")
print(f"correct CV {{correct.mean():.3f}} -> held-out {{held_correct:.3f}}")
'''
    else:
        model_src = ("LinearRegression()" if ts_model == TS_LINEAR else
                     "RandomForestRegressor(n_estimators=30, min_samples_leaf=2, random_state=SEED)")
        body = f'''from sklearn.ensemble import RandomForestRegressor
from sklearn.linear_model import LinearRegression

SEED = {seed}
rng = np.random.default_rng(SEED)
z = rng.normal(scale=0.5, size={TS_LENGTH})
e = np.zeros({TS_LENGTH})
for i in range(1, {TS_LENGTH}):
    e[i] = 0.8 * e[i - 1] + z[i]          # AR(1) noise
t = np.arange({TS_LENGTH})
s = {TS_SLOPE if trend else 0.0} * t + 2 * np.sin(2 * np.pi * t / 25) + e   # trend + season + noise
LAGS = {TS_LAGS}
X = np.column_stack([s[LAGS - i - 1:len(s) - i - 1] for i in range(LAGS)])   # the last LAGS values
y = s[LAGS:]
cut = len(y) - {TS_HOLDOUT}            # the held-out set is the future
model = {model_src}

# LEAKY: shuffled K-fold trains on points that come after the ones it tests
leaky = -cross_val_score(model, X[:cut], y[:cut], cv=KFold({FOLDS}, shuffle=True, random_state=SEED),
                         scoring="neg_mean_absolute_error")
# CORRECT: TimeSeriesSplit always tests on what comes after the training window
correct = -cross_val_score(model, X[:cut], y[:cut], cv=TimeSeriesSplit({TS_ORDERED_SPLITS}, test_size={TS_HOLDOUT}),
                           scoring="neg_mean_absolute_error")
errors = np.abs(y[cut:] - model.fit(X[:cut], y[:cut]).predict(X[cut:]))
held_leaky = held_correct = errors.mean()
# standard error of a mean of correlated errors: with lag-1 autocorrelation r (clipped to [0, 0.95]) the 80
# errors are worth n (1 - r) / (1 + r) independent ones
d = errors - errors.mean()
r = min(max(d[:-1] @ d[1:] / (d @ d), 0.0), 0.95)
se_leaky = se_correct = errors.std(ddof=1) / np.sqrt(len(errors) * (1 - r) / (1 + r))
print(f"MAE: leaky CV {{leaky.mean():.3f}}  correct CV {{correct.mean():.3f}}  held-out future {{held_correct:.3f}} "
      f"(SE {{se_correct:.3f}})")
'''
    return head + common_imports + body + out


# ---- cached compute for the page (components.memo: Streamlit's caches on the server) -------------
def _preprocessing_run(name: str, prep: str, seed: int, n_samples: int, noise: float) -> LeakResult:
    from components import datasets

    ds = datasets.load(name, n_samples=n_samples, noise=noise, seed=seed)
    return preprocessing_experiment(ds.X, ds.y, prep, seed)


def _target_run(leak_noise: float, seed: int) -> LeakResult:
    from components import datasets

    ds = datasets.load("churn")
    return target_leak_experiment(ds.X, ds.y, leak_noise, seed)


def _run(experiment: str, params: tuple) -> LeakResult:
    runs = {SELECTION: feature_selection_experiment, PREPROCESSING: _preprocessing_run, TARGET: _target_run,
            TIME: time_series_experiment}  # looked up per call (tests wrap the module's functions)
    return runs[experiment](*params)


def summary_frame(res: LeakResult) -> pd.DataFrame:
    """The estimates beside the held-out scores (and chance, when there is one), for the chart and its table."""
    summary = pd.DataFrame({
        "estimate": ["leaky CV", "correct CV", "held-out (leaky model)", "held-out (correct model)"],
        "score": [res.leaky, res.correct, res.held_leaky, res.held_correct]})
    if res.same_model:
        summary = summary.iloc[:3].replace({"held-out (leaky model)": "truly held-out"})
    if res.chance is not None:
        summary = pd.concat([summary, pd.DataFrame({"estimate": ["chance / majority class"], "score": [res.chance]})],
                            ignore_index=True)
    return summary


@memo.cached(max_entries=64, progress="Cross-validating both ways…")
def experiment_view(experiment: str, params: tuple) -> dict:
    """One experiment run both ways (params: the run's arguments, plain values), its summary table and the
    estimates chart with both per-fold charts, so the leaky/correct toggle only picks a cached spec."""
    from components import charts

    res = _run(experiment, params)
    summary = summary_frame(res)
    better = "higher" if res.higher_is_better else "lower"
    specs = {"summary": charts.to_spec(charts.bar_chart(
        summary, x="score", y="estimate", sort=None, height=220, x_title=res.metric,
        title=f"Estimates and held-out scores ({better} is better)"))}
    for proc in ("leaky", "correct"):
        specs[proc] = charts.to_spec(charts.bar_chart(
            res.folds[res.folds["procedure"] == proc], x="score", y="fold", sort=None, height=220,
            x_title=res.metric, title=f"Per-fold scores, {proc} procedure"))
    return {"res": res, "summary": summary, "specs": specs}


@memo.cached(max_entries=16)
def series_view(seed: int, trend: bool) -> dict:
    from components import charts

    frame = series_frame(seed, trend)
    return {"frame": frame, "spec": charts.to_spec(charts.line_chart(
        frame, "t", "value", color="part", height=220,
        title="The series: shuffled folds train on points later than the ones they test; the future is held out"))}


def repeats_frame(results: list[tuple[int, LeakResult]]) -> pd.DataFrame:
    """time_series_repeats' table from results the page already has (each series cached on its own)."""
    return pd.DataFrame([{"seed": seed, "shuffled CV": r.leaky, "time-ordered CV": r.correct,
                          "held-out future": r.held_correct} for seed, r in results])
