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
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import KFold, StratifiedKFold, TimeSeriesSplit, cross_val_score, train_test_split
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from components.code_export import dataset_code
from components.imbalanced import binarize, subsample_minority

# ---- widgets: one source of truth -------------------------------------------------------------
EXPERIMENT_KEY, LEAKY_KEY, N_FEATURES_KEY, K_KEY, PREP_KEY, LEAK_NOISE_KEY = (
    "leakage.experiment", "leakage.leaky", "leakage.n_features", "leakage.k", "leakage.prep",
    "leakage.leak_noise")
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

FOLDS = 5
N_NOISE, N_NOISE_HOLDOUT = 200, 1000
TEST_SIZE = 0.3
SMOTE_SHARE = 0.15  # minority share imposed for the SMOTE experiment
MISSING_RATE = 0.2  # MCAR share of cells blanked for the imputation experiment
TS_LENGTH, TS_HOLDOUT, TS_LAGS = 400, 80, 3


@dataclass
class LeakResult:
    metric: str
    higher_is_better: bool
    leaky: float  # the leaky procedure's cross-validated estimate
    correct: float  # the correct procedure's cross-validated estimate
    held_leaky: float  # the leaky procedure's final model on truly held-out data
    held_correct: float  # the correct procedure's final model on truly held-out data
    folds: pd.DataFrame  # fold, procedure, score
    chance: float | None = None
    note: str = ""

    @property
    def same_model(self) -> bool:
        """Both procedures ship the same final model (the leak only fooled the estimate)."""
        return abs(self.held_leaky - self.held_correct) < 1e-12


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
    return LeakResult("accuracy", True, float(leaky.mean()), float(correct.mean()), float(held), float(held),
                      _folds(leaky, correct), chance=0.5)


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
        pipe.fit(X_dev, y_dev)
        held = metrics.f1_score(y_hold, pipe.predict(X_hold), zero_division=0)
        return LeakResult("F1 (minority class)", True, float(leaky.mean()), float(correct.mean()), float(held),
                          float(held), _folds(leaky, correct),
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
    return LeakResult("accuracy", True, float(leaky.mean()), float(correct.mean()), float(held), float(held),
                      _folds(leaky, correct),
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
    return LeakResult("accuracy", True, float(leaky.mean()), float(correct.mean()), float(held_leaky),
                      float(held_correct), _folds(leaky, correct), chance=float(1 - y_hold.mean()),
                      note="The 'chance / majority class' bar is the accuracy of predicting 'stays' for everyone.")


# ---- 4: time series: shuffled K-fold vs TimeSeriesSplit ------------------------------------------
def time_series(seed: int, n: int = TS_LENGTH) -> np.ndarray:
    """Trend + seasonality (period 25) + AR(1) noise: a series whose future leaves its past's range."""
    rng = np.random.default_rng(seed)
    z = rng.normal(scale=0.5, size=n)
    e = np.zeros(n)
    for i in range(1, n):
        e[i] = 0.8 * e[i - 1] + z[i]
    t = np.arange(n)
    return 0.03 * t + 2 * np.sin(2 * np.pi * t / 25) + e


def lag_matrix(s: np.ndarray, lags: int = TS_LAGS) -> tuple[np.ndarray, np.ndarray]:
    n = len(s)
    X = np.column_stack([s[lags - i - 1:n - i - 1] for i in range(lags)])
    return X, s[lags:]


def time_series_experiment(seed: int) -> LeakResult:
    X, y = lag_matrix(time_series(seed))
    cut = len(y) - TS_HOLDOUT
    model = RandomForestRegressor(n_estimators=30, min_samples_leaf=2, random_state=seed)
    scoring = "neg_mean_absolute_error"
    leaky = -cross_val_score(model, X[:cut], y[:cut], cv=KFold(FOLDS, shuffle=True, random_state=seed),
                             scoring=scoring)
    correct = -cross_val_score(model, X[:cut], y[:cut], cv=TimeSeriesSplit(3, test_size=TS_HOLDOUT), scoring=scoring)
    held = metrics.mean_absolute_error(y[cut:], model.fit(X[:cut], y[:cut]).predict(X[cut:]))
    return LeakResult("mean absolute error", False, float(leaky.mean()), float(correct.mean()), float(held),
                      float(held), _folds(leaky, correct),
                      note=f"Random forest on the last {TS_LAGS} values; the held-out set is the last "
                           f"{TS_HOLDOUT} points, i.e. the future.")


def series_frame(seed: int) -> pd.DataFrame:
    s = time_series(seed)
    part = np.where(np.arange(len(s)) >= len(s) - TS_HOLDOUT, "held-out future", "development")
    return pd.DataFrame({"t": np.arange(len(s)), "value": s, "part": part})


# ---- code export --------------------------------------------------------------------------------
def export_code(experiment: str, seed: int, n_features: int = N_FEATURES_DEFAULT, k: int = K_DEFAULT,
                prep: str = PREP_DEFAULT, leak_noise: float = LEAK_NOISE_DEFAULT, dataset: str = "breast_cancer",
                n_samples: int = 300, noise: float = 0.25) -> str:
    """Both versions (leaky and correct) for the current experiment; the last stdout line is JSON."""
    head = f'"""Data leakage: {experiment} — the leaky and the correct way (ML Explorer)."""\n'
    common_imports = ("import json\n\nimport numpy as np\nimport pandas as pd\nfrom sklearn import metrics\n"
                      "from sklearn.model_selection import (KFold, StratifiedKFold, TimeSeriesSplit, cross_val_score,\n"
                      "                                     train_test_split)\n")
    out = 'print(json.dumps({"leaky": float(leaky.mean()), "correct": float(correct.mean()), ' \
          '"held_out_leaky": float(held_leaky), "held_out_correct": float(held_correct)}))\n'
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
print(f"leaky CV {{leaky.mean():.3f}}  correct CV {{correct.mean():.3f}}  held-out {{held_correct:.3f}} (chance 0.5)")
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
held_leaky = held_correct = metrics.f1_score(y_hold, pipe.fit(X_dev, y_dev).predict(X_hold), zero_division=0)
print(f"leaky CV F1 {{leaky.mean():.3f}}  correct CV F1 {{correct.mean():.3f}}  held-out F1 {{held_correct:.3f}}")
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
print(f"leaky CV {{leaky.mean():.3f}}  correct CV {{correct.mean():.3f}}  held-out {{held_correct:.3f}}")
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
print(f"leaky CV {{leaky.mean():.3f}} -> held-out {{held_leaky:.3f}}")
print(f"correct CV {{correct.mean():.3f}} -> held-out {{held_correct:.3f}}")
'''
    else:
        body = f'''from sklearn.ensemble import RandomForestRegressor

SEED = {seed}
rng = np.random.default_rng(SEED)
z = rng.normal(scale=0.5, size={TS_LENGTH})
e = np.zeros({TS_LENGTH})
for i in range(1, {TS_LENGTH}):
    e[i] = 0.8 * e[i - 1] + z[i]          # AR(1) noise
t = np.arange({TS_LENGTH})
s = 0.03 * t + 2 * np.sin(2 * np.pi * t / 25) + e   # trend + season + noise
LAGS = {TS_LAGS}
X = np.column_stack([s[LAGS - i - 1:len(s) - i - 1] for i in range(LAGS)])   # the last LAGS values
y = s[LAGS:]
cut = len(y) - {TS_HOLDOUT}            # the held-out set is the future
model = RandomForestRegressor(n_estimators=30, min_samples_leaf=2, random_state=SEED)

# LEAKY: shuffled K-fold trains on the future of each test point
leaky = -cross_val_score(model, X[:cut], y[:cut], cv=KFold({FOLDS}, shuffle=True, random_state=SEED),
                         scoring="neg_mean_absolute_error")
# CORRECT: TimeSeriesSplit always tests on what comes after the training window
correct = -cross_val_score(model, X[:cut], y[:cut], cv=TimeSeriesSplit(3, test_size={TS_HOLDOUT}),
                           scoring="neg_mean_absolute_error")
held_leaky = held_correct = metrics.mean_absolute_error(y[cut:], model.fit(X[:cut], y[:cut]).predict(X[cut:]))
print(f"MAE: leaky CV {{leaky.mean():.3f}}  correct CV {{correct.mean():.3f}}  held-out future {{held_correct:.3f}}")
'''
    return head + common_imports + body + out
