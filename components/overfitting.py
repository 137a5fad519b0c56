"""Overfitting lab: polynomial degree, L1/L2 regularisation, tree depth and pruning, early stopping,
learning curves and the bias-variance decomposition (no streamlit here).

Most of the lab uses one noisy 1-D function, y = sin(2 pi x) + noise, where the truth is known, so
every error can be compared with the noise floor. scikit-learn does the fitting and scoring
(``validation_curve``, ``learning_curve``, gradient boosting's own ``n_iter_no_change``); written by
hand: the data generator, the bias-variance decomposition (bootstrap refits compared with the known
truth), the regime label (the one-standard-error rule) and faster validation curves over degrees
and over alpha (features expanded once per fold; tested equal to ``validation_curve``).
"""
from __future__ import annotations

import functools
import warnings
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
import sklearn
from sklearn.ensemble import GradientBoostingRegressor
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import Lasso, LinearRegression, Ridge
from sklearn.metrics import accuracy_score, mean_squared_error
from sklearn.model_selection import (
    KFold,
    StratifiedKFold,
    learning_curve,
    train_test_split,
)
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MinMaxScaler, PolynomialFeatures, StandardScaler
from sklearn.tree import DecisionTreeClassifier

from components.code_export import dataset_code

# ---- widget keys, defaults and ranges ----
VIEW_KEY = "overfit.view"
VIEWS = ("Fit & validation curve", "Regularisation path", "Learning curve", "Bias–variance", "Trees: depth & pruning",
         "Early stopping")
N_POINTS_KEY, N_POINTS_DEFAULT, N_POINTS_MIN, N_POINTS_MAX, N_POINTS_STEP = "overfit.n_points", 30, 10, 200, 5
NOISE_KEY, NOISE_DEFAULT, NOISE_MIN, NOISE_MAX, NOISE_STEP = "overfit.noise", 0.3, 0.0, 1.0, 0.05
DEGREE_KEY, DEGREE_DEFAULT, DEGREE_MIN, DEGREE_MAX = "overfit.degree", 3, 1, 20
PENALTY_KEY, PENALTIES, PENALTY_DEFAULT = "overfit.penalty", ("none", "ridge (L2)", "lasso (L1)"), "none"
ALPHAS = (0.0001, 0.0003, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
ALPHA_KEY, ALPHA_DEFAULT = "overfit.alpha", 0.01
TREE_DEPTH_KEY, TREE_DEPTH_DEFAULT, TREE_DEPTH_MIN, TREE_DEPTH_MAX = "overfit.tree_depth", 20, 1, 20
CCP_VALUES = (0.0, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1)
CCP_KEY, CCP_DEFAULT = "overfit.ccp_alpha", 0.0
GB_LR_VALUES = (0.01, 0.05, 0.1, 0.3, 0.5, 1.0)
GB_LR_KEY, GB_LR_DEFAULT = "overfit.gb_lr", 0.3
PATIENCE_KEY, PATIENCE_DEFAULT, PATIENCE_MIN, PATIENCE_MAX = "overfit.patience", 10, 1, 50
BV_DEGREE_MAX = 15

CV_FOLDS = 5
POOL_N = 300  # the larger sample from the same function for learning curves and early stopping
GB_STAGES = 300
GB_VALIDATION_FRACTION = 0.25
BOOTSTRAPS = 30
CURVES_SHOWN = 20
TEST_SIZE = 0.3
LASSO_MAX_ITER = 5000
REGIMES = ("under-fit", "good fit", "over-fit")


# ---------------------------------------------------------------- data and models
def lean(func):
    """Run ``func`` with scikit-learn's per-call parameter and finiteness checks off: the lab's models
    get constant, valid parameters and finite data, so no number changes (the tests compare with
    checked fits), and the many small fits of its curves run 25-40 % faster."""
    @functools.wraps(func)
    def run(*args, **kwargs):
        with sklearn.config_context(skip_parameter_validation=True, assume_finite=True):
            return func(*args, **kwargs)
    return run


def true_function(x: np.ndarray) -> np.ndarray:
    return np.sin(2 * np.pi * np.asarray(x, dtype=float))


def make_data(n: int, noise: float, seed: int) -> pd.DataFrame:
    """n points with x uniform on [0, 1] and y = sin(2 pi x) + Gaussian noise of std ``noise``."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(0, 1, n)
    return pd.DataFrame({"x": x, "y": true_function(x) + rng.normal(0, noise, n)})


# Least squares keeps singular values down to this fraction of the largest (LinearRegression's tol is
# scipy's lstsq cond on dense data since scikit-learn 1.9; its default 1e-6 is explained in poly_model).
LSTSQ_CUTOFF = 1e-12


def poly_model(degree: int, penalty: str = "none", alpha: float = 1.0):
    """x rescaled to [-1, 1] -> PolynomialFeatures -> StandardScaler -> least squares / Ridge / Lasso.

    Why the rescale and the small cut-off: the powers of x on [0, 1] are nearly collinear (condition
    number 3e15 at degree 20), and least squares with LinearRegression's default cut-off for small
    singular values (tol=1e-6) silently dropped the highest terms: the "degree 20" fit was about a
    degree 10 one (train RMSE 0.20 where the exact fit gives 0.11), so the page under-showed
    over-fitting. On [-1, 1] the condition number at degree 20 is about 1e8 and LSTSQ_CUTOFF keeps
    every term: the unpenalised fits equal numpy's Polynomial.fit (tests/test_overfitting.py)."""
    if penalty.startswith("ridge"):
        reg = Ridge(alpha=alpha)
    elif penalty.startswith("lasso"):
        reg = Lasso(alpha=alpha, max_iter=LASSO_MAX_ITER)
    else:
        reg = LinearRegression(tol=LSTSQ_CUTOFF)
    return make_pipeline(MinMaxScaler(feature_range=(-1, 1)), PolynomialFeatures(degree, include_bias=False),
                         StandardScaler(), reg)


def cv(seed: int) -> KFold:
    return KFold(CV_FOLDS, shuffle=True, random_state=seed)


def regime(mean: np.ndarray, se: np.ndarray, index: int, lower_is_better: bool = True,
           complexity_increases: bool = True) -> tuple[str, int]:
    """Label one setting of a validation curve as under-fit, good fit or over-fit.

    The one-standard-error rule: settings whose validation score is within one standard error of
    the best one are a good fit; the others are under-fit on the simple side of the best and
    over-fit on the complex side. No fixed cut-off: the spread of the data decides.
    """
    mean = np.asarray(mean, dtype=float)
    score = mean if lower_is_better else -mean
    best = int(np.nanargmin(score))
    if score[index] <= score[best] + float(se[best]):
        return REGIMES[1], best
    simpler = index < best if complexity_increases else index > best
    return (REGIMES[0] if simpler else REGIMES[2]), best


# ---------------------------------------------------------------- polynomial degree and penalty
@dataclass
class PolyResult:
    data: pd.DataFrame  # x, y
    curve: pd.DataFrame  # x, fitted, truth
    coefficients: pd.DataFrame  # term, coefficient (on standardised features)
    train_rmse: float
    cv_rmse: float
    curve_by_degree: pd.DataFrame  # degree, train_rmse, val_rmse, val_se
    regime: str
    best_degree: int


def _regressor(penalty: str, alpha: float):
    """The last step of poly_model on its own."""
    return poly_model(1, penalty, alpha)[-1]


@lean
def degree_curve(data: pd.DataFrame, penalty: str, alpha: float, seed: int) -> pd.DataFrame:
    """Train and cross-validated RMSE for every degree: the numbers scikit-learn's validation_curve
    gives for poly_model (the tests check that), computed faster. The features of degree d are the
    first d columns of the degree-20 features (x is rescaled the same way whatever the degree) and
    StandardScaler scales each column on its own, so each fold expands and scales once and every degree
    fits the regressor on a slice."""
    degrees = np.arange(DEGREE_MIN, DEGREE_MAX + 1)
    X, y = data[["x"]].to_numpy(), data["y"].to_numpy()
    train = np.zeros((len(degrees), CV_FOLDS))
    val = np.zeros((len(degrees), CV_FOLDS))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        for k, (tr, te) in enumerate(cv(seed).split(X)):
            steps = poly_model(DEGREE_MAX)[:-1].fit(X[tr])
            F_tr, F_te = steps.transform(X[tr]), steps.transform(X[te])
            for i, d in enumerate(degrees):
                reg = _regressor(penalty, alpha).fit(F_tr[:, :d], y[tr])
                train[i, k] = np.sqrt(mean_squared_error(y[tr], reg.predict(F_tr[:, :d])))
                val[i, k] = np.sqrt(mean_squared_error(y[te], reg.predict(F_te[:, :d])))
    return pd.DataFrame({"degree": degrees, "train_rmse": train.mean(axis=1), "val_rmse": val.mean(axis=1),
                         "val_se": val.std(axis=1, ddof=1) / np.sqrt(CV_FOLDS)})


@lean
def fit_poly(n: int, noise: float, seed: int, degree: int, penalty: str, alpha: float,
             by_degree: pd.DataFrame | None = None) -> PolyResult:
    """Fit the current degree on all n points; the regime comes from the validation curve across
    degrees (pass a precomputed ``degree_curve`` so that moving the degree does not redo it)."""
    data = make_data(n, noise, seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model = poly_model(degree, penalty, alpha).fit(data[["x"]], data["y"])
    xs = np.linspace(0, 1, 200)
    curve = pd.DataFrame({"x": xs, "fitted": model.predict(pd.DataFrame({"x": xs})), "truth": true_function(xs)})
    coefs = pd.DataFrame({"term": [f"x^{k}" for k in range(1, degree + 1)],
                          "coefficient": np.asarray(model[-1].coef_, dtype=float)})
    if by_degree is None:
        by_degree = degree_curve(data, penalty, alpha, seed)
    row = by_degree.iloc[degree - DEGREE_MIN]
    label, best = regime(by_degree["val_rmse"].to_numpy(), by_degree["val_se"].to_numpy(), degree - DEGREE_MIN)
    train_rmse = float(np.sqrt(mean_squared_error(data["y"], model.predict(data[["x"]]))))
    return PolyResult(data, curve, coefs, train_rmse, float(row["val_rmse"]), by_degree, label,
                      int(by_degree["degree"].iloc[best]))


@lean
def coefficient_path(n: int, noise: float, seed: int, degree: int, penalty: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Coefficients of every alpha (long: alpha, term, coefficient) and the CV RMSE against alpha (the numbers
    of validation_curve over alpha; each fold is expanded and scaled once, not once per alpha)."""
    data = make_data(n, noise, seed)
    X, y = data[["x"]].to_numpy(), data["y"].to_numpy()

    def expanded(rows_fit, rows_other):
        """poly_model's first two steps, fitted on rows_fit: they do not depend on alpha."""
        steps = poly_model(degree, penalty)[:-1].fit(X[rows_fit])
        return steps.transform(X[rows_fit]), steps.transform(X[rows_other])

    rows = []
    train = np.zeros((len(ALPHAS), CV_FOLDS))
    val = np.zeros((len(ALPHAS), CV_FOLDS))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        F = poly_model(degree, penalty)[:-1].fit_transform(X)
        for a in ALPHAS:
            coef = _regressor(penalty, a).fit(F, y).coef_
            rows += [(a, f"x^{k + 1}", float(c)) for k, c in enumerate(coef)]
        # scikit-learn's validation_curve over alpha, with each fold expanded and scaled once (tested equal)
        for k, (tr, te) in enumerate(cv(seed).split(X)):
            F_tr, F_te = expanded(tr, te)
            for i, a in enumerate(ALPHAS):
                reg = _regressor(penalty, a).fit(F_tr, y[tr])
                train[i, k] = np.sqrt(mean_squared_error(y[tr], reg.predict(F_tr)))
                val[i, k] = np.sqrt(mean_squared_error(y[te], reg.predict(F_te)))
    by_alpha = pd.DataFrame({"alpha": ALPHAS, "train_rmse": train.mean(axis=1), "val_rmse": val.mean(axis=1),
                             "val_se": val.std(axis=1, ddof=1) / np.sqrt(CV_FOLDS)})
    return pd.DataFrame(rows, columns=["alpha", "term", "coefficient"]), by_alpha


# ---------------------------------------------------------------- trees: depth and pruning
@dataclass
class TreeResult:
    by_depth: pd.DataFrame  # max_depth, split (train, test, CV), accuracy, se
    by_ccp: pd.DataFrame  # ccp_alpha, split, accuracy, se
    train_accuracy: float
    test_accuracy: float
    leaves: int
    regime_depth: str
    best_depth: int
    regime_ccp: str
    best_ccp: float
    n_test: int


def _tree_scores(X_tr, X_te, y_tr, y_te, seed, **params) -> tuple[float, float, int, int]:
    """Train and test accuracy, leaves and depth of one tree."""
    t = DecisionTreeClassifier(random_state=seed, **params).fit(X_tr, y_tr)
    return (float(accuracy_score(y_tr, t.predict(X_tr))), float(accuracy_score(y_te, t.predict(X_te))),
            int(t.get_n_leaves()), int(t.get_depth()))


def _fold_score(fold: tuple, seed: int, **params) -> tuple[float, int]:
    """Validation accuracy and fitted depth of one tree on one CV fold. The folds are float32 arrays
    (what trees use internally), so fit and predict skip scikit-learn's input checks; the parameters
    are constant and valid: their per-fit validation is skipped too (the curves fit ~150 trees)."""
    a, b, ya, yb = fold
    with sklearn.config_context(skip_parameter_validation=True):
        t = DecisionTreeClassifier(random_state=seed, **params).fit(a, ya, check_input=False)
        return float(np.mean(t.predict(b, check_input=False) == yb)), int(t.get_depth())


TREE_CV_FOLDS = 5
TRAIN, TEST, CV = "train", "test", f"{TREE_CV_FOLDS}-fold CV (training split)"


def tree_split(X: pd.DataFrame, y: pd.Series, seed: int) -> list[np.ndarray]:
    """The train/test split as arrays: the curves fit dozens of trees, and a DataFrame costs each fit and
    predict its feature-name checks (7.4 -> 5.4 ms a tree on breast_cancer)."""
    strat = y if y.value_counts().min() >= 2 else None
    return [np.asarray(a) for a in train_test_split(X, y, test_size=TEST_SIZE, random_state=seed, stratify=strat)]


def tree_cv_folds(X_tr: np.ndarray, y_tr: np.ndarray, seed: int) -> list[tuple[np.ndarray, ...]]:
    """The folds the regime labels are chosen on: inside the training split, so the test rows stay
    untouched until the final score (choosing the depth on them would leak the test set into the model)."""
    counts = np.unique(y_tr, return_counts=True)[1]
    cv = (StratifiedKFold(TREE_CV_FOLDS, shuffle=True, random_state=seed) if counts.min() >= TREE_CV_FOLDS
          else KFold(TREE_CV_FOLDS, shuffle=True, random_state=seed))
    X32 = np.ascontiguousarray(X_tr, dtype=np.float32)
    return [(X32[a], X32[b], y_tr[a], y_tr[b]) for a, b in cv.split(X_tr, y_tr)]


def _cv_row(scores: list[float]) -> tuple[float, float]:
    """Mean accuracy over the folds and its standard error (fold std, ddof=1, over sqrt(folds))."""
    return float(np.mean(scores)), float(np.std(scores, ddof=1) / np.sqrt(len(scores)))


def tree_depth_curve(X: pd.DataFrame, y: pd.Series, seed: int, ccp_alpha: float) -> pd.DataFrame:
    """Train, test and cross-validated accuracy against max_depth at one ccp_alpha (it does not depend
    on the depth chosen, so moving the depth slider does not redo it). Columns max_depth, split,
    accuracy, se (the CV mean's standard error; NaN for train and test).

    A tree is grown to its depth limit and then pruned. Grown without a limit it stops at some depth
    G (pure leaves); any limit >= G grows that same tree, from the same random draws, so it prunes to
    the same tree too: the scores at depth G are reused for every larger limit, on the split and in
    each fold, instead of refitted (tests/test_overfitting.py checks them against a fit at every depth
    and cross_val_score)."""
    X_tr, X_te, y_tr, y_te = tree_split(X, y, seed)
    folds = tree_cv_folds(X_tr, y_tr, seed)
    split_full = _tree_scores(X_tr, X_te, y_tr, y_te, seed)[3]  # G of the unlimited, unpruned tree
    fold_full = [_fold_score(fold, seed)[1] for fold in folds]
    split_scores: dict[int, tuple[float, float]] = {}
    fold_scores: list[dict[int, float]] = [{} for _ in folds]
    rows = []
    for d in range(TREE_DEPTH_MIN, TREE_DEPTH_MAX + 1):
        d_split = min(d, max(split_full, 1))
        if d_split not in split_scores:
            split_scores[d_split] = _tree_scores(X_tr, X_te, y_tr, y_te, seed, max_depth=d_split,
                                                 ccp_alpha=ccp_alpha)[:2]
        scores = []
        for fold, full, done in zip(folds, fold_full, fold_scores):
            d_fold = min(d, max(full, 1))
            if d_fold not in done:
                done[d_fold] = _fold_score(fold, seed, max_depth=d_fold, ccp_alpha=ccp_alpha)[0]
            scores.append(done[d_fold])
        tr, te = split_scores[d_split]
        rows += [(d, TRAIN, tr, np.nan), (d, TEST, te, np.nan), (d, CV, *_cv_row(scores))]
    return pd.DataFrame(rows, columns=["max_depth", "split", "accuracy", "se"])


def tree_ccp_curve(X: pd.DataFrame, y: pd.Series, seed: int, depth: int) -> pd.DataFrame:
    """Train, test and cross-validated accuracy against ccp_alpha at one max_depth (columns as
    tree_depth_curve's)."""
    X_tr, X_te, y_tr, y_te = tree_split(X, y, seed)
    folds = tree_cv_folds(X_tr, y_tr, seed)
    rows = []
    for a in CCP_VALUES:
        tr, te, _, _ = _tree_scores(X_tr, X_te, y_tr, y_te, seed, max_depth=depth, ccp_alpha=a)
        scores = [_fold_score(fold, seed, max_depth=depth, ccp_alpha=a)[0] for fold in folds]
        rows += [(a, TRAIN, tr, np.nan), (a, TEST, te, np.nan), (a, CV, *_cv_row(scores))]
    return pd.DataFrame(rows, columns=["ccp_alpha", "split", "accuracy", "se"])


def tree_curves(X: pd.DataFrame, y: pd.Series, seed: int, depth: int, ccp_alpha: float,
                by_depth: pd.DataFrame | None = None, by_ccp: pd.DataFrame | None = None) -> TreeResult:
    """Train, test and cross-validated accuracy against max_depth (at the chosen ccp_alpha) and against
    ccp_alpha (at the chosen depth); the regime from the CV accuracy on the training split and its
    standard error (the one-standard-error rule). Pass the curves if they are at hand
    (tree_depth_curve, tree_ccp_curve): a slider then redoes one of them."""
    X_tr, X_te, y_tr, y_te = tree_split(X, y, seed)
    by_depth = tree_depth_curve(X, y, seed, ccp_alpha) if by_depth is None else by_depth
    by_ccp = tree_ccp_curve(X, y, seed, depth) if by_ccp is None else by_ccp
    tr, te, leaves, _ = _tree_scores(X_tr, X_te, y_tr, y_te, seed, max_depth=depth, ccp_alpha=ccp_alpha)

    def label(curve: pd.DataFrame, index: int, complexity_increases: bool) -> tuple[str, int]:
        cv = curve[curve["split"] == CV]
        return regime(cv["accuracy"].to_numpy(), cv["se"].to_numpy(), index, lower_is_better=False,
                      complexity_increases=complexity_increases)

    r_depth, best_d = label(by_depth, depth - TREE_DEPTH_MIN, True)
    r_ccp, best_c = label(by_ccp, CCP_VALUES.index(ccp_alpha), False)
    return TreeResult(by_depth, by_ccp, tr, te, leaves, r_depth, best_d + TREE_DEPTH_MIN, r_ccp,
                      CCP_VALUES[best_c], len(y_te))


# ---------------------------------------------------------------- early stopping
@dataclass
class EarlyStopResult:
    losses: pd.DataFrame  # stage, split (train/validation), mse
    stopped_at: int  # stages kept by scikit-learn's n_iter_no_change
    best_stage: int  # the stage with the lowest validation loss
    test_mse_stopped: float
    test_mse_full: float


@dataclass
class BoostingLosses:
    losses: pd.DataFrame  # stage, split (train/validation), mse of the full run
    best_stage: int  # the stage with the lowest validation loss
    test_mse_full: float


def _early_stopping_split(noise: float, seed: int):
    """The POOL_N-point sample split as the lab does (test rows) and as scikit-learn's early stopping
    does inside the training rows (validation rows: train_test_split with the estimator's random_state
    and validation_fraction)."""
    data = make_data(POOL_N, noise, seed + 1)
    X, y = data[["x"]].to_numpy(), data["y"].to_numpy()
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=TEST_SIZE, random_state=seed)
    X_fit, X_val, y_fit, y_val = train_test_split(X_tr, y_tr, random_state=seed, test_size=GB_VALIDATION_FRACTION)
    return X_tr, X_te, y_tr, y_te, X_fit, X_val, y_fit, y_val


def _boosting_params(learning_rate: float, seed: int) -> dict:
    return {"n_estimators": GB_STAGES, "learning_rate": learning_rate, "max_depth": 3, "random_state": seed}


@lean
def boosting_losses(noise: float, seed: int, learning_rate: float) -> BoostingLosses:
    """The full run (GB_STAGES stages, no stopping): train and validation loss of every stage. It
    does not depend on the patience, so the patience slider does not redo it."""
    _, X_te, _, y_te, X_fit, X_val, y_fit, y_val = _early_stopping_split(noise, seed)
    full = GradientBoostingRegressor(**_boosting_params(learning_rate, seed)).fit(X_fit, y_fit)
    train = [mean_squared_error(y_fit, p) for p in full.staged_predict(X_fit)]
    val = [mean_squared_error(y_val, p) for p in full.staged_predict(X_val)]
    stages = np.arange(1, GB_STAGES + 1)
    losses = pd.concat([pd.DataFrame({"stage": stages, "split": "train", "mse": train}),
                        pd.DataFrame({"stage": stages, "split": "validation", "mse": val})], ignore_index=True)
    return BoostingLosses(losses, int(np.argmin(val)) + 1, float(mean_squared_error(y_te, full.predict(X_te))))


@lean
def early_stopping(noise: float, seed: int, learning_rate: float, patience: int,
                   full: BoostingLosses | None = None) -> EarlyStopResult:
    """Gradient boosting on a POOL_N-point sample of the same function.

    The full run (boosting_losses; pass it if at hand) gives the train and validation loss of every
    stage; the stopping point is scikit-learn's own (n_iter_no_change=patience). Both hold out the
    same validation rows (see _early_stopping_split).
    """
    full = boosting_losses(noise, seed, learning_rate) if full is None else full
    X_tr, X_te, y_tr, y_te, *_ = _early_stopping_split(noise, seed)
    stopped = GradientBoostingRegressor(**_boosting_params(learning_rate, seed), n_iter_no_change=patience,
                                        validation_fraction=GB_VALIDATION_FRACTION).fit(X_tr, y_tr)
    return EarlyStopResult(full.losses, int(stopped.n_estimators_), full.best_stage,
                           float(mean_squared_error(y_te, stopped.predict(X_te))), full.test_mse_full)


# ---------------------------------------------------------------- learning curve
LEARNING_SIZES = (10, 15, 20, 30, 45, 60, 90, 120, 180, 240)


@lean
def learning_curve_frame(noise: float, seed: int, degree: int, penalty: str, alpha: float,
                         progress: Callable[[float], None] | None = None) -> pd.DataFrame:
    """RMSE against training-set size for the current polynomial model, on the POOL_N-point sample.

    scikit-learn's learning_curve, one size at a time so that ``progress`` can report: its shuffle
    draws one permutation per fold whatever the sizes, so each call sees the same rows as a single
    call over all sizes would (the tests check that)."""
    data = make_data(POOL_N, noise, seed + 1)
    sizes, train, val = [], [], []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        for i, size in enumerate(LEARNING_SIZES):
            s, tr, va = learning_curve(poly_model(degree, penalty, alpha), data[["x"]], data["y"],
                                       train_sizes=np.array([size]), cv=cv(seed),
                                       scoring="neg_root_mean_squared_error", shuffle=True, random_state=seed)
            sizes.append(s[0])
            train.append(tr[0])
            val.append(va[0])
            if progress:
                progress((i + 1) / len(LEARNING_SIZES))
    sizes, train, val = np.array(sizes), np.array(train), np.array(val)
    se = lambda s: s.std(axis=1, ddof=1) / np.sqrt(s.shape[1])  # standard error of the fold mean
    return pd.concat([pd.DataFrame({"n_train": sizes, "split": "train", "rmse": -train.mean(axis=1), "se": se(train)}),
                      pd.DataFrame({"n_train": sizes, "split": "validation", "rmse": -val.mean(axis=1), "se": se(val)})],
                     ignore_index=True)


def still_improving(lc: pd.DataFrame) -> bool:
    """Does the validation error fall between the two largest training sizes by more than one standard
    error of the largest one's CV estimate? A smaller drop is within the noise of the estimate."""
    val = lc[lc["split"] == "validation"].sort_values("n_train")
    return bool(val["rmse"].iloc[-2] - val["rmse"].iloc[-1] > val["se"].iloc[-1])


# ---------------------------------------------------------------- bias-variance
@dataclass
class BiasVariance:
    table: pd.DataFrame  # degree, bias2, variance, noise, total, total_se
    curves: dict  # degree -> DataFrame(x, curve, fitted) of CURVES_SHOWN bootstrap fits


@lean
def bias_variance(n: int, noise: float, seed: int, penalty: str, alpha: float,
                  progress: Callable[[float], None] | None = None) -> BiasVariance:
    """Refit every degree 1..BV_DEGREE_MAX on BOOTSTRAPS bootstrap resamples of the n-point training
    set and decompose the error at 100 points of [min x, max x] against the known truth:
    bias^2 = mean over x of (average fit - truth)^2, variance = mean over x of the fits' variance,
    noise = noise^2 (the irreducible part)."""
    data = make_data(n, noise, seed)
    X, y = data[["x"]].to_numpy(), data["y"].to_numpy()
    xs = np.linspace(X.min(), X.max(), 100)
    truth = true_function(xs)
    rng = np.random.default_rng(seed)
    draws = [rng.integers(0, n, n) for _ in range(BOOTSTRAPS)]
    degrees = range(1, BV_DEGREE_MAX + 1)
    all_preds = np.zeros((BV_DEGREE_MAX, BOOTSTRAPS, len(xs)))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        for b, idx in enumerate(draws):
            # poly_model(d) for every d, with the features expanded and scaled once (see degree_curve)
            steps = poly_model(BV_DEGREE_MAX)[:-1].fit(X[idx])
            F, G = steps.transform(X[idx]), steps.transform(xs[:, None])
            for d in degrees:
                all_preds[d - 1, b] = _regressor(penalty, alpha).fit(F[:, :d], y[idx]).predict(G[:, :d])
            if progress:
                progress((b + 1) / BOOTSTRAPS)
    rows, curves = [], {}
    for d in degrees:
        preds = all_preds[d - 1]
        mean = preds.mean(axis=0)
        bias2 = float(np.mean((mean - truth) ** 2))
        var = float(np.mean(preds.var(axis=0)))
        # each refit's own expected error; their spread gives the standard error of the total
        per_fit = np.mean((preds - truth) ** 2, axis=1) + noise ** 2
        rows.append((d, bias2, var, noise ** 2, bias2 + var + noise ** 2,
                     float(per_fit.std(ddof=1) / np.sqrt(BOOTSTRAPS))))
        curves[d] = pd.DataFrame({"x": np.tile(xs, CURVES_SHOWN), "y": preds[:CURVES_SHOWN].ravel(),
                                  "series": "bootstrap fits",
                                  "line": np.repeat([f"fit {i + 1}" for i in range(CURVES_SHOWN)], len(xs))})
    return BiasVariance(pd.DataFrame(rows, columns=["degree", "bias2", "variance", "noise", "total", "total_se"]),
                        curves)


def bias_variance_regime(table: pd.DataFrame, degree: int) -> tuple[str, int]:
    """The regime of a degree from the decomposition (one-standard-error rule on the total)."""
    d = min(degree, int(table["degree"].max()))
    label, best = regime(table["total"].to_numpy(), table["total_se"].to_numpy(), d - 1)
    return label, int(table["degree"].iloc[best])


# ---------------------------------------------------------------- code export
def export_code(n: int, noise: float, seed: int, degree: int, penalty: str, alpha: float,
                dataset: tuple | None, depth: int, ccp_alpha: float, learning_rate: float, patience: int) -> str:
    """A standalone script for the current settings; its last line prints the page's numbers as JSON.

    dataset: the shared classification dataset as (name,) or (name, n_samples, noise, seed), or None."""
    if penalty.startswith("ridge"):
        reg = f"Ridge(alpha={alpha!r})"
    elif penalty.startswith("lasso"):
        reg = f"Lasso(alpha={alpha!r}, max_iter={LASSO_MAX_ITER})"
    else:
        reg = f"LinearRegression(tol={LSTSQ_CUTOFF!r})"
    code = f'''import json
import warnings

import numpy as np
import pandas as pd
from sklearn.ensemble import GradientBoostingRegressor
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import Lasso, LinearRegression, Ridge
from sklearn.metrics import accuracy_score, mean_squared_error
from sklearn.model_selection import KFold, cross_validate, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MinMaxScaler, PolynomialFeatures, StandardScaler
from sklearn.tree import DecisionTreeClassifier

warnings.simplefilter("ignore", ConvergenceWarning)


def make_data(n, noise, seed):
    rng = np.random.default_rng(seed)
    x = rng.uniform(0, 1, n)
    return pd.DataFrame({{"x": x, "y": np.sin(2 * np.pi * x) + rng.normal(0, noise, n)}})


# 1. Polynomial regression of degree {degree}, penalty: {penalty}
data = make_data({n}, {noise!r}, {seed})
# x rescaled to [-1, 1] first: the powers of x on [0, 1] are nearly collinear, and least squares would drop
# the highest ones (tol: the smallest singular value kept, relative to the largest)
model = make_pipeline(MinMaxScaler(feature_range=(-1, 1)), PolynomialFeatures({degree}, include_bias=False),
                      StandardScaler(), {reg})
scores = cross_validate(model, data[["x"]], data["y"], cv=KFold({CV_FOLDS}, shuffle=True, random_state={seed}),
                        scoring="neg_root_mean_squared_error", return_train_score=True)
model.fit(data[["x"]], data["y"])
out = {{"train_rmse": float(np.sqrt(mean_squared_error(data["y"], model.predict(data[["x"]])))),
       "cv_rmse": float(-scores["test_score"].mean()),
       "coefficients": model[-1].coef_.tolist()}}
print(f"degree {degree}: train RMSE {{out['train_rmse']:.3f}}, cross-validated RMSE {{out['cv_rmse']:.3f}}")

# 2. Early stopping: gradient boosting stops after {patience} stages without improvement
pool = make_data({POOL_N}, {noise!r}, {seed + 1})
X_tr, X_te, y_tr, y_te = train_test_split(pool[["x"]].to_numpy(), pool["y"].to_numpy(), test_size={TEST_SIZE},
                                          random_state={seed})
gb = GradientBoostingRegressor(n_estimators={GB_STAGES}, learning_rate={learning_rate!r}, max_depth=3,
                               random_state={seed}, n_iter_no_change={patience},
                               validation_fraction={GB_VALIDATION_FRACTION}).fit(X_tr, y_tr)
out["stopped_at"] = int(gb.n_estimators_)
out["test_mse_stopped"] = float(mean_squared_error(y_te, gb.predict(X_te)))
print(f"early stopping kept {{gb.n_estimators_}} of {GB_STAGES} stages")
'''
    if dataset is not None:
        code += f'''
# 3. A decision tree of max_depth={depth} pruned with ccp_alpha={ccp_alpha!r} on {dataset[0]}
{dataset_code(*dataset).rstrip()}
strat = y if y.value_counts().min() >= 2 else None
X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size={TEST_SIZE}, random_state={seed}, stratify=strat)
tree = DecisionTreeClassifier(max_depth={depth}, ccp_alpha={ccp_alpha!r}, random_state={seed}).fit(X_tr, y_tr)
out["tree_train_accuracy"] = accuracy_score(y_tr, tree.predict(X_tr))
out["tree_test_accuracy"] = accuracy_score(y_te, tree.predict(X_te))
print(f"tree: {{tree.get_n_leaves()}} leaves, train {{out['tree_train_accuracy']:.3f}}, test {{out['tree_test_accuracy']:.3f}}")
'''
    return code + "\nprint(json.dumps(out))\n"
