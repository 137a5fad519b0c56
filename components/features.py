"""Features lab: selection (filter, wrapper, embedded) and extraction (PCA, LDA, t-SNE).

Everything comes from scikit-learn (r_regression, f_classif, chi2, mutual_info_*, RFE, Lasso/L1
logistic, random-forest importances, PCA, LinearDiscriminantAnalysis, TSNE) except two things
written here for speed, each tested equal to the library:

- the *path* of sequential selection: ``SequentialFeatureSelector`` returns only the subset for one
  k, so :func:`sequential_path` runs the same greedy search (same CV, same tie-breaking) once and
  records the order, which gives the subset for every k from one run;
- the cross-validated score of a selector: ``cross_val_score(Pipeline([selector, model]))`` refits
  the selector in every fold for every k. :func:`fold_rankings` ranks the features once per outer
  fold on that fold's training rows, and :func:`nested_cv_scores` fits the model on each fold's
  top k, which gives the pipeline's fold scores for every k from one ranking per fold.
"""
from __future__ import annotations

import textwrap
import time
import warnings
from dataclasses import dataclass
from functools import partial
from typing import Callable

import altair as alt
import numpy as np
import pandas as pd
from sklearn import config_context
from sklearn.base import is_classifier
from sklearn.compose import TransformedTargetRegressor
from sklearn.decomposition import PCA
from sklearn.discriminant_analysis import LinearDiscriminantAnalysis
from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor
from sklearn.exceptions import ConvergenceWarning
from sklearn.feature_selection import RFE, chi2, f_classif, mutual_info_classif, mutual_info_regression, r_regression
from sklearn.linear_model import Lasso, LogisticRegression, Ridge, RidgeClassifier
from sklearn.manifold import TSNE
from sklearn.model_selection import KFold, StratifiedKFold, check_cv, cross_val_score, train_test_split
from sklearn.preprocessing import LabelBinarizer, MinMaxScaler, StandardScaler

from components import charts, datasets, memo
from components.models import quiet_convergence

# ---- widget keys, defaults, ranges (one source of truth; the page and the tests import them) ----
N_NOISE_KEY, K_KEY, LOG_ALPHA_KEY, N_COMPONENTS_KEY, TSNE_KEY, PERPLEXITY_KEY = (
    "features.n_noise", "features.k", "features.log_alpha", "features.n_components", "features.tsne",
    "features.perplexity")
N_NOISE_DEFAULT, N_NOISE_MIN, N_NOISE_MAX = 3, 0, 10
K_DEFAULT, K_MIN, K_MAX = 5, 1, 15
LOG_ALPHA_DEFAULT, LOG_ALPHA_MIN, LOG_ALPHA_MAX, LOG_ALPHA_STEP = -1.5, -3.0, 0.0, 0.1
N_COMPONENTS_DEFAULT, N_COMPONENTS_MIN, N_COMPONENTS_MAX = 2, 1, 12
PERPLEXITY_DEFAULT, PERPLEXITY_MIN, PERPLEXITY_MAX = 30, 5, 50
MAX_FEATURES = 10  # real features kept (the first non-constant ones): wrappers stay interactive
MAX_ROWS = 600
WRAPPER_CV = 3
SCORE_CV = 3  # outer folds: every selector is refitted on each fold's training rows
PATH_ALPHAS = np.logspace(LOG_ALPHA_MIN, LOG_ALPHA_MAX, 25)
NOISE_PREFIX = "noise_"
L1_THRESHOLD = 1e-10  # L1 solvers set dropped coefficients to exactly 0; this only guards round-off
VARIANCE_TARGETS = (0.90, 0.95)  # the PCA section marks how many components reach these shares

# Each filter is named by what it computes: Pearson's r with arbitrary class codes (0, 1, 2) means
# nothing, so several classes get the ANOVA F statistic; with a 0/1 class Pearson's r is the
# point-biserial correlation.
CORRELATION_FILTER = {"regression": "Pearson |r|", "binary": "point-biserial |r|", "multiclass": "ANOVA F"}
CHI2_FILTER = "chi² score"
MI_FILTER = "mutual information"
WRAPPERS = ("RFE", "forward SFS", "backward SFS")
EMBEDDED = ("Lasso (L1)", "tree importance")


def target_kind(y: pd.Series, task: str) -> str:
    """"regression", "binary" or "multiclass": which correlation filter applies."""
    if task != "classification":
        return "regression"
    return "binary" if y.nunique() <= 2 else "multiclass"


def filter_names(kind: str) -> tuple[str, str, str]:
    return CORRELATION_FILTER[kind], CHI2_FILTER, MI_FILTER


def method_names(kind: str) -> tuple[str, ...]:
    """The eight methods in the page's order (chi² is n/a for a regression target)."""
    return filter_names(kind) + WRAPPERS + EMBEDDED


def family(method: str) -> str:
    return "wrapper" if method in WRAPPERS else "embedded" if method in EMBEDDED else "filter"


def prepare(X: pd.DataFrame, y: pd.Series, task: str, n_noise: int, seed: int) -> tuple[pd.DataFrame, pd.Series]:
    """At most MAX_ROWS rows and the first MAX_FEATURES non-constant features, plus ``n_noise``
    columns of pure Gaussian noise (named noise_1, ...), all standardised (no target involved)."""
    if len(X) > MAX_ROWS:
        X, _, y, _ = train_test_split(X, y, train_size=MAX_ROWS, random_state=seed,
                                      stratify=y if task == "classification" else None)
    X, y = X.reset_index(drop=True).astype(float), y.reset_index(drop=True)
    keep = [c for c in X.columns if X[c].nunique() > 1][:MAX_FEATURES]
    X = X[keep].copy()
    rng = np.random.default_rng(seed)
    for i in range(n_noise):
        X[f"{NOISE_PREFIX}{i + 1}"] = rng.normal(size=len(X))
    Xs = pd.DataFrame(StandardScaler().fit_transform(X), columns=X.columns)
    return Xs, y


def wrapper_model(task: str):
    """A fast closed-form linear model for the wrappers (hundreds of fits)."""
    return RidgeClassifier(alpha=1.0) if task == "classification" else Ridge(alpha=1.0)


def score_model(task: str):
    return LogisticRegression(max_iter=1000) if task == "classification" else Ridge(alpha=1.0)


def k_best(scores: pd.Series, k: int) -> list[str]:
    """SelectKBest's rule: the k highest scores, ties going to the later column (a stable argsort's
    last k), best first."""
    order = np.argsort(scores.to_numpy(), kind="mergesort")[-k:] if k > 0 else []
    return [scores.index[i] for i in order[::-1]]


def top_by_importance(scores: pd.Series, k: int) -> list[str]:
    """SelectFromModel(max_features=k, threshold=-inf)'s rule: ties going to the earlier column."""
    return list(scores.index[np.argsort(-scores.to_numpy(), kind="mergesort")[:k]])


def abs_pearson(X, y) -> np.ndarray:
    """|Pearson r| of each column with y; for a 0/1 target this is the point-biserial correlation."""
    return np.abs(np.nan_to_num(r_regression(X, y)))


def anova_f(X, y) -> np.ndarray:
    """The one-way ANOVA F statistic of each column across the classes (f_classif's first output)."""
    return np.nan_to_num(f_classif(X, y)[0])


def chi2_score(X, y) -> np.ndarray:
    """chi² statistic on the columns min-max scaled to [0, 1] (chi² needs non-negative values).

    chi² is a test for counts or frequencies; on min-max-scaled continuous features its statistic
    only ranks the features and its p-values mean nothing, so only the score is returned."""
    return np.nan_to_num(chi2(MinMaxScaler().fit_transform(X), y)[0])


def filter_functions(kind: str, seed: int) -> dict[str, Callable | None]:
    """Each filter's score function (SelectKBest's ``score_func``); None where it does not apply."""
    mi = mutual_info_regression if kind == "regression" else mutual_info_classif
    corr, chi, info = filter_names(kind)
    return {corr: anova_f if kind == "multiclass" else abs_pearson,
            chi: None if kind == "regression" else chi2_score,
            info: partial(mi, random_state=seed)}


@quiet_convergence
def filter_scores(X: pd.DataFrame, y: pd.Series, task: str, seed: int) -> dict[str, tuple[pd.Series | None, float]]:
    """Each filter's score per feature (higher = better) and its time in seconds."""
    out: dict = {}
    for name, func in filter_functions(target_kind(y, task), seed).items():
        t = time.perf_counter()
        out[name] = (None, 0.0) if func is None else (pd.Series(func(X, y), index=X.columns),
                                                        time.perf_counter() - t)
    return out


@quiet_convergence
def rfe_ranking(X: pd.DataFrame, y: pd.Series, task: str) -> tuple[pd.Series, float]:
    """RFE down to one feature: ranking_ <= k is exactly the subset RFE(n_features_to_select=k) keeps."""
    t = time.perf_counter()
    rfe = RFE(wrapper_model(task), n_features_to_select=1, step=1).fit(X, y)
    return pd.Series(rfe.ranking_, index=X.columns), time.perf_counter() - t


@quiet_convergence
def sequential_path(X: pd.DataFrame, y: pd.Series, task: str, direction: str,
                    progress: Callable[[float], None] | None = None,
                    known: CandidateScores | None = None) -> tuple[list[str], float]:
    """The order of greedy sequential selection, as SequentialFeatureSelector(cv=3) runs it.

    forward: features in the order they are added. backward: features in the *reverse* order they
    are removed (the last survivor first), so for both the first k are the subset of size k.
    Each candidate is scored as ``cross_val_score(est, X[:, cols], y, cv=3).mean()`` scores it
    (same folds, the same arithmetic in _ridge_predict, the same score; a test checks the paths
    against SequentialFeatureSelector), without the per-call machinery: hundreds of candidates. ``progress(fraction)`` is called after
    every step.

    ``known``: the scores of candidate subsets already cross-validated on these same rows (see
    CandidateScores); a candidate found there is not fitted again, and every new score is added. The
    search and its path are the same; the time returned is then the time its candidates took when
    they were scored, so it stays the time of a fresh search.
    """
    t = time.perf_counter()
    est = wrapper_model(task)
    Xv, yv = X.to_numpy(), np.asarray(y)
    folds = list(check_cv(WRAPPER_CV, yv, classifier=is_classifier(est)).split(Xv, yv))
    cv_score = _fold_scorer(task, Xv, yv, folds)
    known = CandidateScores() if known is None else known
    known.check(list(X.columns))
    p = Xv.shape[1]
    mask = np.zeros(p, dtype=bool)  # forward: selected so far; backward: removed so far
    order: list[int] = []
    seconds = time.perf_counter() - t  # setting up; then each candidate's own time, fresh or recorded
    with config_context(assume_finite=True, skip_parameter_validation=True):  # checked once, above
        for step in range(p - 1):
            scores = {}
            for j in np.flatnonzero(~mask):
                cand = mask.copy()
                cand[j] = True
                cols = cand if direction == "forward" else ~cand
                scores[j], took = known.score(cols, cv_score)
                seconds += took
            best = max(scores, key=lambda j: scores[j])
            mask[best] = True
            order.append(int(best))
            if progress is not None:
                progress((step + 1) / (p - 1))
    order.append(int(np.flatnonzero(~mask)[0]))
    if direction == "backward":
        order = order[::-1]
    return [X.columns[i] for i in order], seconds


class CandidateScores:
    """The wrapper's CV score of every candidate subset scored so far on one set of rows, so a search
    that meets a subset again reuses its score instead of fitting it again: fewer candidate
    evaluations, the same search.

    The page keeps one per set of rows (all rows, each outer fold's training rows) across noise
    counts: prepare() only appends noise columns, so a subset of the columns the table had before is
    the same data, and its score (the same fits on the same numbers) is the same. A subset is keyed by
    its column positions; check() starts afresh if the table's leading columns are not the ones
    recorded."""

    def __init__(self) -> None:
        self.columns: list[str] = []
        self.scores: dict[int, tuple[float, float]] = {}  # columns bitmask -> (score, seconds it took)
        self.fitted = 0  # candidates scored here (not reused)

    def check(self, columns: list[str]) -> None:
        n = min(len(columns), len(self.columns))
        if columns[:n] != self.columns[:n]:
            self.columns, self.scores = [], {}
        if len(columns) > len(self.columns):
            self.columns = list(columns)

    def score(self, cols: np.ndarray, cv_score: Callable[[np.ndarray], float]) -> tuple[float, float]:
        key = sum(1 << int(i) for i in np.flatnonzero(cols))
        if key not in self.scores:
            t = time.perf_counter()
            value = cv_score(cols)
            self.scores[key] = (value, time.perf_counter() - t)
            self.fitted += 1
        return self.scores[key]


def _fold_scorer(task: str, Xv: np.ndarray, yv: np.ndarray, folds: list) -> Callable[[np.ndarray], float]:
    """``score(columns)``: the wrapper model's mean score over ``folds`` on those columns.

    For classes this is RidgeClassifier(alpha=1) taken apart: a RidgeClassifier fit is a Ridge fit
    on the labels binarised to -1/+1 and predicts the class of the largest decision value (> 0 for
    two classes); its score is the accuracy. The binarisation is done once per fold here instead of
    once per candidate, which was most of the cost; the numbers are the same.
    """
    # columns first, then rows, as cross_val_score indexes them: the same memory layout, the same
    # floating-point sums in the solver
    if task != "classification":
        def score_regression(cols: np.ndarray) -> float:
            Xc = Xv[:, cols]
            return float(np.mean([_r2(yv[te], _ridge_predict(Xc[tr], yv[tr], Xc[te])) for tr, te in folds]))
        return score_regression
    prepared = []
    for tr, te in folds:
        lb = LabelBinarizer(pos_label=1, neg_label=-1)
        prepared.append((tr, te, lb.fit_transform(yv[tr]).astype(np.float64), yv[te], lb.classes_))

    def score(cols: np.ndarray) -> float:
        out = []
        Xc = Xv[:, cols]
        for tr, te, Y_tr, y_te, classes in prepared:
            d = _ridge_predict(Xc[tr], Y_tr, Xc[te])
            pred = classes[(d.ravel() > 0).astype(int)] if d.ndim == 1 or d.shape[1] == 1 else classes[d.argmax(axis=1)]
            out.append(np.mean(pred == y_te))
        return float(np.mean(out))
    return score


def _ridge_predict(X_train: np.ndarray, y_train: np.ndarray, X_test: np.ndarray, alpha: float = 1.0) -> np.ndarray:
    """``Ridge(alpha).fit(X_train, y_train).predict(X_test)`` on dense data, computed as scikit-learn's
    Cholesky solver computes it (centre on the training means, solve (XᵀX + αI) w = Xᵀy, put the
    intercept back) with the same operations in the same order, so the numbers are bit for bit the
    same (tested); written here because the sequential searches score thousands of candidates and
    each Ridge.fit spent most of its ~0.4 ms checking its input."""
    from scipy import linalg

    x_offset, y_offset = X_train.mean(axis=0), y_train.mean(axis=0)
    Xc, yc = X_train - x_offset, y_train - y_offset
    A = Xc.T @ Xc
    A.flat[:: A.shape[0] + 1] += alpha
    coef = linalg.solve(A, Xc.T @ yc, assume_a="pos", overwrite_a=True).T
    return X_test @ coef.T + (y_offset - x_offset @ coef.T)


def _r2(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """r2_score for one target, as scikit-learn computes it."""
    return float(1 - ((y_true - y_pred) ** 2).sum() / ((y_true - y_true.mean()) ** 2).sum())


@quiet_convergence
def l1_path(X: pd.DataFrame, y: pd.Series, task: str, alphas=PATH_ALPHAS) -> pd.DataFrame:
    """Coefficient path: Lasso for regression, L1 logistic regression (C = 1 / (alpha n)) for classes.

    For several classes a feature's coefficient is its largest absolute one over the classes.
    Long frame: alpha, feature, coef, kind.
    """
    rows = []
    for a in alphas:
        coef = l1_coefficients(X, y, task, float(a))
        for f, c in coef.items():
            rows.append({"alpha": float(a), "feature": f, "coef": float(c),
                         "kind": "noise" if f.startswith(NOISE_PREFIX) else "real"})
    return pd.DataFrame(rows)


def l1_model(task: str, alpha: float, n: int, n_classes: int):
    """Lasso on the target standardised inside the fit (so alpha means the same on every dataset),
    or L1 logistic regression with C = 1 / (alpha n). The model SelectFromModel wraps."""
    if task != "classification":
        return TransformedTargetRegressor(Lasso(alpha=alpha, max_iter=5000), transformer=StandardScaler())
    solver = "liblinear" if n_classes <= 2 else "saga"
    return LogisticRegression(l1_ratio=1.0, solver=solver, C=1.0 / (alpha * n), max_iter=2000, random_state=0)


def l1_coefficient_matrix(X: pd.DataFrame, y: pd.Series, task: str, alpha: float, n: int | None = None,
                          n_classes: int | None = None) -> np.ndarray:
    """L1 coefficients at ``alpha``, one row per class (one row for two classes or a regression).
    ``n`` (C's row count) and ``n_classes`` default to those of the rows given; the CV folds pass
    the whole table's, so each fold's model is the one the page fits on all rows."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        m = l1_model(task, alpha, n or len(X), n_classes or int(y.nunique())).fit(X, y)
    return np.atleast_2d(np.asarray((m.regressor_ if task != "classification" else m).coef_, dtype=float))


def l1_coefficients(X: pd.DataFrame, y: pd.Series, task: str, alpha: float) -> pd.Series:
    """One coefficient per feature: for several classes the one of largest magnitude over them."""
    coef = l1_coefficient_matrix(X, y, task, alpha)
    return pd.Series(coef[np.abs(coef).argmax(axis=0), np.arange(coef.shape[1])], index=X.columns)


def l1_kept(X: pd.DataFrame, coef: np.ndarray) -> list[str]:
    """SelectFromModel(threshold=L1_THRESHOLD)'s rule: keep a feature whose coefficients' L1 norm over
    the classes reaches the threshold."""
    return list(X.columns[np.abs(coef).sum(axis=0) >= L1_THRESHOLD])


@quiet_convergence
def l1_selection(X: pd.DataFrame, y: pd.Series, task: str, alpha: float) -> tuple[list[str], pd.Series, float]:
    t = time.perf_counter()
    coef = l1_coefficient_matrix(X, y, task, alpha)
    shown = pd.Series(coef[np.abs(coef).argmax(axis=0), np.arange(coef.shape[1])], index=X.columns)
    return l1_kept(X, coef), shown, time.perf_counter() - t


@quiet_convergence
def tree_importance(X: pd.DataFrame, y: pd.Series, task: str, seed: int) -> tuple[pd.Series, float]:
    t = time.perf_counter()
    cls = RandomForestClassifier if task == "classification" else RandomForestRegressor
    rf = cls(n_estimators=100, random_state=seed).fit(X, y)
    return pd.Series(rf.feature_importances_, index=X.columns), time.perf_counter() - t


def outer_cv(task: str, seed: int):
    """The folds every score on the page uses (all features, and each selector inside them)."""
    return (StratifiedKFold(SCORE_CV, shuffle=True, random_state=seed) if task == "classification"
            else KFold(SCORE_CV, shuffle=True, random_state=seed))


def outer_folds(y: pd.Series, task: str, seed: int) -> list[tuple[np.ndarray, np.ndarray]]:
    return list(outer_cv(task, seed).split(np.zeros((len(y), 1)), y))


@quiet_convergence
def subset_score(X: pd.DataFrame, y: pd.Series, task: str, columns: tuple[str, ...], seed: int) -> float:
    """CV score (SCORE_CV folds) of the scoring model on the given columns; NaN for an empty subset."""
    return float(np.mean(subset_fold_scores(X, y, task, columns, seed)))


@quiet_convergence
def subset_fold_scores(X: pd.DataFrame, y: pd.Series, task: str, columns: tuple[str, ...], seed: int) -> np.ndarray:
    if not columns:
        return np.full(SCORE_CV, np.nan)
    scoring = "accuracy" if task == "classification" else "r2"
    # arrays: the same numbers without scikit-learn's per-fit DataFrame checks
    return cross_val_score(score_model(task), X[list(columns)].to_numpy(), np.asarray(y), cv=outer_cv(task, seed),
                           scoring=scoring)


def selections(k: int, filters: dict, rfe: pd.Series, forward: list[str], backward: list[str],
               lasso: list[str], tree: pd.Series) -> dict[str, list[str] | None]:
    """Every method's subset for k (Lasso's size is set by alpha, not k). None = not applicable.
    ``filters`` is filter_scores' output; each subset follows its scikit-learn selector's rule."""
    out: dict[str, list[str] | None] = {}
    for name, (scores, _) in filters.items():
        out[name] = None if scores is None else k_best(scores, k)
    out["RFE"] = list(rfe[rfe <= k].sort_values(kind="stable").index)
    out["forward SFS"] = forward[:k]
    out["backward SFS"] = backward[:k]
    out["Lasso (L1)"] = lasso
    out["tree importance"] = top_by_importance(tree, k)
    return out


# ---- selection inside the CV ----
@quiet_convergence
def fold_rankings(X: pd.DataFrame, y: pd.Series, task: str, seed: int,
                  folds: list[tuple[np.ndarray, np.ndarray]]) -> list[dict]:
    """Per outer fold, the filters' scores, RFE's ranking and the forest's importances from that
    fold's training rows only (the sequential paths: :func:`fold_sequential_paths`)."""
    out = []
    for tr, _ in folds:
        Xt, yt = X.iloc[tr], y.iloc[tr]
        out.append({"filters": filter_scores(Xt, yt, task, seed), "rfe": rfe_ranking(Xt, yt, task)[0],
                    "tree": tree_importance(Xt, yt, task, seed)[0]})
    return out


def fold_sequential_paths(X: pd.DataFrame, y: pd.Series, task: str, direction: str,
                          folds: list[tuple[np.ndarray, np.ndarray]],
                          progress: Callable[[float], None] | None = None) -> list[list[str]]:
    """The sequential path on each outer fold's training rows (its inner CV splits only those)."""
    out = []
    for i, (tr, _) in enumerate(folds):
        step = None if progress is None else (lambda f, i=i: progress((i + f) / len(folds)))
        out.append(sequential_path(X.iloc[tr], y.iloc[tr], task, direction, progress=step)[0])
    return out


@quiet_convergence
def fold_lasso(X: pd.DataFrame, y: pd.Series, task: str, alpha: float,
               folds: list[tuple[np.ndarray, np.ndarray]]) -> list[list[str]]:
    """What L1 keeps on each outer fold's training rows, with the C the page uses on all rows."""
    n_classes = int(y.nunique())
    return [l1_kept(X, l1_coefficient_matrix(X.iloc[tr], y.iloc[tr], task, alpha, len(X), n_classes))
            for tr, _ in folds]


@quiet_convergence
def nested_cv_scores(X: pd.DataFrame, y: pd.Series, task: str, folds: list[tuple[np.ndarray, np.ndarray]],
                     fold_chosen: list[dict[str, list[str] | None]]) -> pd.DataFrame:
    """Each method's score on each outer fold, its subset chosen from that fold's training rows.

    These are the fold scores of ``cross_val_score(Pipeline([selector, model]), X, y, cv=folds)``
    (a test checks them against it): the model is fitted on the selected columns in the table's
    order. A method keeping no feature in a fold scores NaN there. Long frame: method, fold, score,
    kept (the number of features kept; NaN where the method does not apply).
    """
    Xv, yv = X.to_numpy(), np.asarray(y)
    position = {c: i for i, c in enumerate(X.columns)}
    rows = []
    for f, ((tr, te), chosen) in enumerate(zip(folds, fold_chosen)):
        fitted: dict[tuple[int, ...], float] = {}  # methods often agree: one fit per distinct subset
        for method, subset in chosen.items():
            cols = None if subset is None else tuple(sorted(position[c] for c in subset))
            if cols and cols not in fitted:
                model = score_model(task).fit(Xv[np.ix_(tr, cols)], yv[tr])
                fitted[cols] = float(model.score(Xv[np.ix_(te, cols)], yv[te]))
            rows.append({"method": method, "fold": f + 1, "score": fitted[cols] if cols else np.nan,
                         "kept": np.nan if cols is None else len(cols)})
    return pd.DataFrame(rows)


def cv_summary(cv: pd.DataFrame, methods: tuple[str, ...]) -> pd.DataFrame:
    """Per method: the mean fold score (NaN if a fold had no feature or the method does not apply),
    its fold standard error (the standard deviation over folds / sqrt(folds)) and ``empty``, whether
    it kept no feature in some fold."""
    g = cv.groupby("method", sort=False)
    n = g.size()
    out = pd.DataFrame({"CV score": g["score"].agg(lambda s: s.mean(skipna=False)),
                        "fold SE": g["score"].agg(lambda s: s.std(ddof=1, skipna=False)) / np.sqrt(n),
                        "empty": g["kept"].agg(lambda s: bool((s == 0).any()))})
    return out.reindex([m for m in methods if m in out.index])


def picks_frame(columns: list[str], chosen: dict[str, list[str] | None]) -> pd.DataFrame:
    """Long frame (feature, method, picked) for the which-method-picked-what tiles."""
    rows = []
    for method, subset in chosen.items():
        for f in columns:
            picked = "n/a" if subset is None else ("picked" if f in subset else "not picked")
            if picked == "picked" and f.startswith(NOISE_PREFIX):
                picked = "picked (noise!)"
            rows.append({"feature": f, "method": method, "picked": picked})
    return pd.DataFrame(rows)


def _of(count: int, total: int) -> str:
    """"all 3", "both", "2 of the 5": a count out of a total, as a sentence says it."""
    if count == total:
        return "both" if total == 2 else f"all {total}" if total > 1 else "the one"
    return f"{count} of the {total}"


def _names(methods: list[str]) -> str:
    return methods[0] if len(methods) == 1 else ", ".join(methods[:-1]) + " and " + methods[-1]


def best_methods(summary: pd.DataFrame) -> list[str]:
    """The method(s) with the highest CV score (ties: identical fold scores, e.g. the same subsets)."""
    scored = summary["CV score"].dropna()
    return list(scored.index[np.isclose(scored, scored.max(), rtol=0, atol=1e-12)])


def best_label(summary: pd.DataFrame) -> str:
    best = best_methods(summary)
    m = int(summary["CV score"].notna().sum())
    if len(best) == m > 1:
        return f"All {m} scored methods tie"
    return f"Best of {m}: {best[0]}" + (f" (+{len(best) - 1} tied)" if len(best) > 1 else "")


def best_of_text(summary: pd.DataFrame, n_folds: int = SCORE_CV) -> str:
    """The "best of m" caption, generated from the methods' CV scores and fold standard errors:
    how many others lie within two standard errors of the best, and why the best is optimistic."""
    scored = summary.dropna(subset=["CV score"])
    m = len(scored)
    best = best_methods(summary)
    top = float(scored["CV score"].max())
    others = scored.drop(index=best)
    se = float(scored["fold SE"].median())
    empty = list(summary.index[summary["empty"]]) if "empty" in summary else []
    missing = (f" ({_names(empty)} kept no feature in some fold, so {'it has' if len(empty) == 1 else 'they have'} "
               "no score)") if empty else ""
    if len(best) == m > 1:  # nothing is picked: no winner to be optimistic about
        return (f"All {m} scored methods tie at {top:.3f}{missing}, every selector refitted inside each of the "
                f"{n_folds} folds: in every fold they keep subsets that score the same.")
    who = _names(best) if len(best) <= 2 else f"{len(best)} methods"
    text = (f"Best of {m}{missing}: {_names(best)} at {top:.3f}" if len(best) == 1 else
            f"Best of {m}{missing}: {who} tie at {top:.3f}" + (f" ({_names(best)})" if len(best) > 2 else ""))
    text += f", every selector refitted inside each of the {n_folds} folds. "
    if len(others) and se > 0:
        close = int((top - others["CV score"] <= 2 * se).sum())
        verdict = ("by this yardstick the folds cannot rank the methods" if close == len(others) else
                   "by this yardstick the folds cannot tell those from the best" if close else
                   "the rest are further behind")
        n = len(others)
        count = ("The other method scores" if n == close == 1 else "Both others score" if n == close == 2 else
                 f"All {n} others score" if n == close else f"None of the other {n} scores" if close == 0 else
                 f"{close} of the other {n} score{'s' if close == 1 else ''}")
        text += (f"A score's fold standard error is about {se:.3f} (the median over the {m} methods; a rough "
                 f"yardstick from {n_folds} folds that share training rows). {count} within two standard errors "
                 f"({2 * se:.3f}) of the best: {verdict}. ")
    elif len(others):
        text += "The median fold standard error is 0: the folds give no yardstick for these differences. "
    return text + (f"Picking the highest of {m} scores measured on the same folds is itself optimistic: the "
                   f"maximum of several noisy scores is on average above the winner's true score, so read {top:.3f} "
                   f"as an optimistic estimate for {who if len(best) <= 2 else 'them'}.")


def fold_agreement_text(chosen: dict[str, list[str] | None], fold_chosen: list[dict[str, list[str] | None]]) -> str:
    """How many methods keep, in some CV fold, another subset than on all rows (the tiles)."""
    methods = [m for m, s in chosen.items() if s is not None]
    differ = [m for m in methods if any(set(fc[m]) != set(chosen[m]) for fc in fold_chosen)]
    if not differ:
        return (f"All {len(methods)} methods keep the same subset in every fold as on all rows, so here the "
                "tiles show exactly what each score was computed with.")
    verb = "keeps" if len(differ) == 1 else "keep"
    return (f"{_of(len(differ), len(methods)).capitalize()} methods {verb}, in at least one CV fold, another subset "
            "than on all rows: a score rates the selection procedure refitted per fold, not one fixed subset of the "
            "tiles.")


def lasso_text(coef: pd.Series, kept: list[str], alpha: float, per_class: bool = False) -> str:
    """Exact zeros at the current alpha, counted from the coefficients (for several classes, the
    largest over the classes, so 0 means 0 in every class: ``per_class``)."""
    p = len(coef)
    zero = coef.to_numpy() == 0.0
    noise = coef.index.str.startswith(NOISE_PREFIX)
    z = int(zero.sum())
    every = " in every class" if per_class else ""
    if z == 0:
        text = f"At α = {alpha:.3g} none of the {p} features has a coefficient of exactly 0{every}."
    elif z == p:
        text = f"At α = {alpha:.3g} all {p} features have a coefficient of exactly 0{every}: L1 keeps no feature."
    else:
        zn, nn = int((zero & noise).sum()), int(noise.sum())
        noise_part = f" ({_of(zn, nn)} noise feature{'s' if nn > 1 else ''} among them)" if nn else ""
        text = (f"At α = {alpha:.3g}, {z} of the {p} features have a coefficient of exactly 0.0{every}{noise_part}, "
                f"not merely small: the smallest non-zero one is {np.abs(coef.to_numpy()[~zero]).min():.2g}.")
    tiny = p - len(kept) - z
    if tiny > 0:
        text += f" {tiny} more are non-zero but below {L1_THRESHOLD:g} and count as dropped."
    return text


def path_noise_text(path: pd.DataFrame) -> str:
    """Where the noise coefficients reach 0 along the path, and how many real ones remain there."""
    wide = path.pivot(index="alpha", columns="feature", values="coef").sort_index()
    noise = [c for c in wide.columns if c.startswith(NOISE_PREFIX)]
    real = [c for c in wide.columns if c not in noise]
    if not noise:
        return ""
    alive = wide.to_numpy() != 0.0
    still = [c for c in noise if alive[-1, wide.columns.get_loc(c)]]
    if still:
        return (f"Even at the strongest α on this path ({wide.index[-1]:.3g}), {len(still)} of the {len(noise)} "
                "noise coefficients are non-zero.")
    # the first grid alpha from which a feature stays exactly 0
    zero_from = []
    for c in noise:
        on = np.flatnonzero(alive[:, wide.columns.get_loc(c)])
        zero_from.append(wide.index[on[-1] + 1] if len(on) else wide.index[0])
    a = max(zero_from)
    r = int((wide.loc[a, real] != 0.0).sum())
    if r == 0:
        return (f"On this path every noise coefficient is 0 from α = {a:.3g} on, and at that α every real one is "
                "0 too.")
    return (f"On this path every noise coefficient is 0 from α = {a:.3g} on; at that α {_of(r, len(real))} real "
            f"one{'s' if len(real) > 1 else ''} {'is' if r == 1 else 'are'} still non-zero.")


def components_needed(summary: pd.DataFrame, share: float) -> int:
    """The fewest leading components whose cumulative explained variance reaches ``share``."""
    return int(summary["components"][summary["cumulative"] >= share - 1e-12].iloc[0])


def pca_text(summary: pd.DataFrame) -> str:
    need = [components_needed(summary, s) for s in VARIANCE_TARGETS]
    shares = [f"{s:.0%}" for s in VARIANCE_TARGETS]
    parts = (f"{need[0]} reach{'es' if need[0] == 1 else ''} both {' and '.join(shares)}" if len(set(need)) == 1 else
             " and ".join(f"{n} reach{'es' if n == 1 else ''} {s}" for n, s in zip(need, shares)))
    return (f"Of the {len(summary)} components, the first {parts} of the variance (dotted lines). A variance "
            "share like this is one way to choose how many to keep; others are the elbow of the scree curve and, "
            "when PCA feeds a model, the number that gives the best CV score.")


TSNE_NOTE = ("t-SNE keeps near neighbours together; the distances between clusters and their sizes are not preserved. "
             "It cannot place new rows: scikit-learn's TSNE has fit_transform but no transform, so it is a way to "
             "look at data, not a preprocessing step for a model. PCA and LDA learn a projection whose transform "
             "applies to new rows.")


def lasso_caption(kind: str, n_rows: int) -> str:
    if kind == "regression":
        return "Lasso on the target standardised inside each fit (so α means the same on every dataset)."
    return (f"L1 logistic regression with C = 1/(α·n), n = {n_rows} rows of the table (the same C inside every "
            "CV fold)" + ("; for several classes the largest coefficient over the classes is drawn." if
                          kind == "multiclass" else "."))


def explanation(kind: str, p: int, n_noise: int) -> str:
    corr = {"regression": "Pearson |r| with the target",
            "binary": "the point-biserial |r| (Pearson's r with the 0/1 class)",
            "multiclass": "the ANOVA F statistic (between-class over within-class variance of the feature; "
                          "Pearson's r with arbitrary class codes would mean nothing here)"}[kind]
    chi = ("chi² (for classes: it expects non-negative counts or frequencies, so it runs on min-max-scaled "
           "features, where its statistic is only a ranking score and its p-values mean nothing)")
    ridge = "ridge regression" if kind == "regression" else "ridge classifier"
    return (
        f"{p} standardised features, {n_noise} of them pure noise. **Filters** score each feature alone, fast but "
        f"blind to redundancy: {corr}, {chi} and mutual information. **Wrappers** search with a model: RFE fits a "
        f"{ridge} on the rows it is given, drops the feature with the smallest coefficient"
        f"{' (summed squares over the classes)' if kind == 'multiclass' else ''} and repeats; its ranking "
        "uses the model's own coefficients with no CV, and k is your choice. Forward and backward sequential "
        f"selection add or remove, one at a time, the feature that gives the same model's best {WRAPPER_CV}-fold CV "
        "score. "
        "**Embedded** methods select while fitting: L1 sets coefficients to exactly 0, a forest's impurity "
        "importance ranks features. L1 gives exact zeros because its penalty has a corner at 0: a coefficient "
        "stays at exactly 0 while the loss's slope there is smaller than α (ridge's L2 penalty only shrinks "
        "coefficients towards 0).\n\n"
        "**Scores without leakage.** Every selector sits in a Pipeline before the model, so it is refitted on the "
        f"training rows of each of the {SCORE_CV} CV folds and the held-out fold never influences which features "
        "are kept. Selecting on all rows and then cross-validating the chosen subset leaks (the Data-leakage page "
        "shows how much). The tiles, the feature table and the times are of each selector fitted on all rows.\n\n"
        "**Extraction.** PCA finds directions of largest variance without looking at the labels; LDA finds "
        "directions that separate the classes (at most classes − 1 of them); t-SNE draws neighbourhoods, not "
        "distances.")


def subset_score_chart(summary: pd.DataFrame, reference: float, title) -> alt.Chart:
    """Each method's CV score as a dot with ± one fold standard error as whiskers, on an axis zoomed
    to the scores, and the all-features score as a dashed line."""
    df = summary.dropna(subset=["CV score"]).rename_axis("method").reset_index()
    df["low"], df["high"] = df["CV score"] - df["fold SE"], df["CV score"] + df["fold SE"]
    y = alt.Y("method:N", title=None, sort=list(df["method"]), axis=alt.Axis(labelOverlap=False, labelLimit=220))
    def x(field):
        return alt.X(f"{field}:Q", title="CV score", scale=alt.Scale(zero=False))
    tips = [alt.Tooltip("method:N"), alt.Tooltip("CV score:Q", format=".4f"), alt.Tooltip("fold SE:Q", format=".4f")]
    whiskers = alt.Chart(df).mark_rule(color=charts.BLUE, strokeWidth=2).encode(x=x("low"), x2="high:Q", y=y,
                                                                               tooltip=tips)
    dots = alt.Chart(df).mark_point(filled=True, size=110, opacity=1, color=charts.BLUE).encode(
        x=x("CV score"), y=y, tooltip=tips)
    ref = alt.Chart(pd.DataFrame({"CV score": [reference], "label": ["all features"]})).mark_rule(
        color=charts.BLACK, strokeDash=[4, 3]).encode(x=x("CV score"),
                                                      tooltip=[alt.Tooltip("label:N", title=""), "CV score:Q"])
    return alt.layer(whiskers, dots, ref).properties(title=title, height=max(300, 24 * len(df)), width="container")


# ---- extraction ----
@quiet_convergence
def pca_summary(X: pd.DataFrame) -> tuple[pd.DataFrame, PCA]:
    """Explained variance per component, cumulative, and reconstruction RMSE with the first n."""
    pca = PCA().fit(X)
    Z = pca.transform(X)
    rows = []
    for n in range(1, len(pca.explained_variance_ratio_) + 1):
        recon = Z[:, :n] @ pca.components_[:n] + pca.mean_
        rows.append({"components": n, "explained variance": float(pca.explained_variance_ratio_[n - 1]),
                     "cumulative": float(pca.explained_variance_ratio_[:n].sum()),
                     "reconstruction RMSE": float(np.sqrt(np.mean((X.to_numpy() - recon) ** 2)))})
    return pd.DataFrame(rows), pca


def label_for(y: pd.Series, task: str, target_names: tuple[str, ...]) -> np.ndarray:
    if task == "classification":
        return np.array([str(target_names[int(v)]) if target_names else str(v) for v in y])
    return np.asarray(pd.qcut(y, 3, labels=["low target", "mid target", "high target"]).astype(str))


@quiet_convergence
def lda_projection(X: pd.DataFrame, y: pd.Series) -> pd.DataFrame:
    n = min(2, int(y.nunique()) - 1)
    Z = LinearDiscriminantAnalysis(n_components=n).fit_transform(X, y)
    out = pd.DataFrame({"LD1": Z[:, 0]})
    out["LD2"] = Z[:, 1] if n > 1 else 0.0
    return out


@quiet_convergence
def tsne_projection(X: pd.DataFrame, perplexity: float, seed: int) -> pd.DataFrame:
    perplexity = min(float(perplexity), (len(X) - 1) / 3.0)
    Z = TSNE(n_components=2, perplexity=perplexity, init="pca", random_state=seed,
             max_iter=500).fit_transform(X.to_numpy())
    return pd.DataFrame({"tSNE1": Z[:, 0], "tSNE2": Z[:, 1]})


def export_code(dataset: str, task: str, kind: str, n_noise: int, k: int, alpha: float, seed: int) -> str:
    """A runnable script: every selector's subset for k on all rows, and its CV score with the
    selector inside a Pipeline, refitted in each fold (JSON last)."""
    loader = {"breast_cancer": "load_breast_cancer", "wine": "load_wine", "iris": "load_iris",
              "diabetes": "load_diabetes", "digits": "load_digits"}.get(dataset)
    if loader:
        load = (f"from sklearn.datasets import {loader}\nb = {loader}()\n"
                f"names = [str(c) for c in b.feature_names] if {dataset != 'digits'} else "
                f"[f'px{{i // 8}}_{{i % 8}}' for i in range(64)]\n"
                f"X = pd.DataFrame(b.data, columns=names)\ny = pd.Series(b.target)")
    else:
        load = (f"# '{dataset}' comes from ML Explorer's registry (components/datasets.py)\n"
                f"from components.datasets import load\nds = load({dataset!r})\nX, y = ds.X, ds.y")
    clf = task == "classification"
    corr, chi, mi = filter_names(kind)
    corr_func = "anova_f" if kind == "multiclass" else "abs_pearson"
    if clf:
        solver = "liblinear" if kind == "binary" else "saga"
        l1 = ("# keeps what L1 leaves non-zero; C = 1/(α·n), n = the table's rows, the same C in every fold\n"
              f'l1 = LogisticRegression(l1_ratio=1.0, solver="{solver}", C=1.0 / (ALPHA * len(X)), max_iter=2000, '
              'random_state=0)')
        lasso = "SelectFromModel(l1, threshold=1e-10)"
    else:
        l1 = ("# keeps what L1 leaves non-zero; Lasso on the target standardised inside each fit, as on the page\n"
              "l1 = TransformedTargetRegressor(Lasso(alpha=ALPHA, max_iter=5000), transformer=StandardScaler())")
        lasso = 'SelectFromModel(l1, threshold=1e-10, importance_getter="regressor_.coef_")'
    l1 = l1.replace(chr(10), chr(10) + "        ")
    chi_line = (f'selectors["{chi}"] = SelectKBest(chi2_score, k=k)  # a ranking score, not a test' if clf
                else "# chi² needs class labels")
    return textwrap.dedent(f'''\
        import json
        import warnings
        from functools import partial

        import numpy as np
        import pandas as pd
        from sklearn.base import clone
        from sklearn.compose import TransformedTargetRegressor
        from sklearn.ensemble import {"RandomForestClassifier as Forest" if clf else "RandomForestRegressor as Forest"}
        from sklearn.exceptions import ConvergenceWarning
        from sklearn.feature_selection import (RFE, SelectFromModel, SelectKBest, SequentialFeatureSelector, chi2,
                                               f_classif, {"mutual_info_classif" if clf else "mutual_info_regression"}, r_regression)
        from sklearn.linear_model import Lasso, LogisticRegression, Ridge, RidgeClassifier
        from sklearn.model_selection import KFold, StratifiedKFold, cross_val_score, train_test_split
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import MinMaxScaler, StandardScaler
        warnings.simplefilter("ignore", ConvergenceWarning)

        SEED, N_NOISE, K, ALPHA = {seed}, {n_noise}, {k}, {alpha!r}
        {load.replace(chr(10), chr(10) + "        ")}
        if len(X) > {MAX_ROWS}:  # the page subsamples large tables the same way
            X, _, y, _ = train_test_split(X, y, train_size={MAX_ROWS}, random_state=SEED,
                                          stratify=y if {clf} else None)
        X, y = X.reset_index(drop=True).astype(float), y.reset_index(drop=True)
        X = X[[c for c in X.columns if X[c].nunique() > 1][:{MAX_FEATURES}]].copy()
        rng = np.random.default_rng(SEED)
        for i in range(N_NOISE):  # pure noise: every method should reject these
            X[f"noise_{{i + 1}}"] = rng.normal(size=len(X))
        X = pd.DataFrame(StandardScaler().fit_transform(X), columns=X.columns)
        k = min(K, X.shape[1])


        def abs_pearson(X, y):  # |Pearson r|; with a 0/1 target, the point-biserial correlation
            return np.abs(np.nan_to_num(r_regression(X, y)))


        def anova_f(X, y):  # for several classes: correlating with class codes 0, 1, 2 would mean nothing
            return np.nan_to_num(f_classif(X, y)[0])


        def chi2_score(X, y):  # chi² needs non-negative values: min-max scaled, a ranking score only
            return np.nan_to_num(chi2(MinMaxScaler().fit_transform(X), y)[0])


        wrapper_model = {"RidgeClassifier(alpha=1.0)" if clf else "Ridge(alpha=1.0)"}
        selectors = {{"{corr}": SelectKBest({corr_func}, k=k)}}
        {chi_line}
        selectors["{mi}"] = SelectKBest(partial({"mutual_info_classif" if clf else "mutual_info_regression"}, random_state=SEED), k=k)
        selectors["RFE"] = RFE(wrapper_model, n_features_to_select=k)  # the model's own coefficients, no CV
        for direction in ("forward", "backward"):  # SFS needs k < the number of features
            selectors[f"{{direction}} SFS"] = (SequentialFeatureSelector(wrapper_model, n_features_to_select=k,
                                                                        direction=direction, cv={WRAPPER_CV})
                                              if k < X.shape[1] else "passthrough")
        {l1}
        selectors["Lasso (L1)"] = {lasso}
        selectors["tree importance"] = SelectFromModel(Forest(n_estimators=100, random_state=SEED), max_features=k,
                                                       threshold=-np.inf)

        model = {"LogisticRegression(max_iter=1000)" if clf else "Ridge(alpha=1.0)"}
        cv = {f"StratifiedKFold({SCORE_CV}, shuffle=True, random_state=SEED)" if clf else f"KFold({SCORE_CV}, shuffle=True, random_state=SEED)"}
        scoring = "{"accuracy" if clf else "r2"}"
        picked, fold_scores = {{}}, {{"all features": list(cross_val_score(model, X, y, cv=cv, scoring=scoring))}}
        for name, selector in selectors.items():
            # fitted on all rows: what the page's tiles show
            picked[name] = (list(X.columns) if selector == "passthrough"
                            else list(X.columns[clone(selector).fit(X, y).get_support()]))
            # the score: the selector inside the pipeline, refitted on each training fold
            folds = []
            for train, test in cv.split(X, y):
                pipe = make_pipeline(clone(selector) if selector != "passthrough" else "passthrough", clone(model))
                try:
                    folds.append(float(pipe.fit(X.iloc[train], y.iloc[train]).score(X.iloc[test], y.iloc[test])))
                except ValueError:  # the selector kept no feature on this fold
                    folds.append(float("nan"))
            fold_scores[name] = folds
            print(f"{{name:>20}} CV {{np.mean(folds):.4f}}  all rows keep {{picked[name]}}")
        scores = {{n: None if np.isnan(np.mean(f)) else float(np.mean(f)) for n, f in fold_scores.items()}}
        print(json.dumps({{"picked": {{n: sorted(c) for n, c in picked.items()}}, "scores": scores,
                          "fold_scores": fold_scores}}))
        ''')


# ---- the page: settings, cached computations (each selector on its own inputs) and charts ----
@dataclass(frozen=True)
class FeaturesSettings:
    """The page's controls. The table depends on (dataset, n_samples, noise, seed, n_noise); each
    selector's rankings on the table only; k and alpha pick subsets from them."""
    dataset: str = datasets.DEFAULT
    n_samples: int = 0  # generated 2-D sets only (0: a bundled table)
    noise: float = 0.0
    seed: int = 0
    n_noise: int = N_NOISE_DEFAULT
    k: int = K_DEFAULT
    alpha: float = float(round(10 ** LOG_ALPHA_DEFAULT, 6))
    n_components: int = N_COMPONENTS_DEFAULT
    perplexity: int = PERPLEXITY_DEFAULT

    @property
    def data_key(self) -> tuple:
        return self.dataset, self.n_samples, self.noise, self.seed


@dataclass(frozen=True)
class Prepared:
    """The table every panel reads (prepare()) with its outer CV folds and per-row labels."""
    X: pd.DataFrame
    y: pd.Series
    task: str
    kind: str
    seed: int
    folds: list  # outer folds: (train rows, test rows)
    labels: np.ndarray  # class names (or target terciles), for the projections
    n_features_in: int  # before prepare() kept at most MAX_FEATURES
    n_rows_in: int

    def rows(self, part: str) -> np.ndarray:
        """The rows a selector is fitted on: all of them, or one outer fold's training rows."""
        return np.arange(len(self.y)) if part == ALL_ROWS else self.folds[PARTS.index(part) - 1][0]


ALL_ROWS = "all rows"
PARTS = (ALL_ROWS,) + tuple(f"CV fold {i + 1}" for i in range(SCORE_CV))  # where each selector is fitted
LASSO = EMBEDDED[0]


def table_note(n_features_in: int, n_rows_in: int) -> str:
    """What prepare() left out of the dataset, or "" when nothing."""
    notes = []
    if n_features_in > MAX_FEATURES:
        notes.append(f"the first {MAX_FEATURES} non-constant of {n_features_in} features")
    if n_rows_in > MAX_ROWS:
        notes.append(f"a seeded sample of {MAX_ROWS} of {n_rows_in:,} rows")
    return f"To keep the wrappers interactive this page uses {' and '.join(notes)}; all standardised." if notes else ""


@memo.cached(max_entries=16, shared=True)  # one entry: at most 600 rows x 20 columns and its folds, read-only
def prepared(data_key: tuple, n_noise: int) -> Prepared:
    name, n_samples, noise, seed = data_key
    d = datasets.load(name, n_samples=n_samples, noise=noise, seed=seed)
    X, y = prepare(d.X, d.y, d.task, n_noise, seed)
    return Prepared(X, y, d.task, target_kind(y, d.task), seed, outer_folds(y, d.task, seed),
                    label_for(y, d.task, d.target_names), d.X.shape[1], len(d.X))


@memo.cached(max_entries=16, shared=True)
def candidate_store(data_key: tuple, part: str) -> CandidateScores:
    """The sequential searches' candidate scores on one set of rows of one dataset, shared by every noise
    count (CandidateScores). Mutable on purpose: each search adds the subsets it scores."""
    return CandidateScores()


@memo.cached(max_entries=128)  # one entry: one selector's ranking on one set of rows (<= 20 numbers), its time
def selector_ranking(data_key: tuple, n_noise: int, method: str, part: str) -> tuple[object, float]:
    """One selector fitted on one set of rows (all rows: the tiles; a fold's training rows: its CV score):
    what it ranks the features by, for every k, and its time in seconds. None where it does not apply."""
    t = prepared(data_key, n_noise)
    rows = t.rows(part)
    X, y = t.X.iloc[rows], t.y.iloc[rows]
    if family(method) == "filter":
        func = filter_functions(t.kind, t.seed)[method]
        if func is None:
            return None, 0.0
        start = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            scores = pd.Series(func(X, y), index=X.columns)
        return scores, time.perf_counter() - start
    if method == "RFE":
        return rfe_ranking(X, y, t.task)
    if method in ("forward SFS", "backward SFS"):
        return sequential_path(X, y, t.task, method.split()[0], known=candidate_store(data_key, part))
    if method == "tree importance":
        return tree_importance(X, y, t.task, t.seed)
    raise ValueError(method)


def method_subset(method: str, ranking, k: int) -> list[str] | None:
    """A selector's subset of size k from its ranking, by its scikit-learn selector's rule (selections)."""
    if ranking is None:
        return None
    if family(method) == "filter":
        return k_best(ranking, k)
    if method == "RFE":
        return list(ranking[ranking <= k].sort_values(kind="stable").index)
    if method == "tree importance":
        return top_by_importance(ranking, k)
    return list(ranking[:k])  # a sequential path


@memo.cached(max_entries=64)
def lasso_run(data_key: tuple, n_noise: int, alpha: float) -> dict:
    """Lasso (L1) at alpha: its subset and coefficients on all rows, its subset on each fold's training
    rows and its fold scores."""
    t = prepared(data_key, n_noise)
    kept, coef, seconds = l1_selection(t.X, t.y, t.task, alpha)
    folds = fold_lasso(t.X, t.y, t.task, alpha, t.folds)
    return {"kept": kept, "coef": coef, "time": seconds, "folds": folds,
            "cv": nested_cv_scores(t.X, t.y, t.task, t.folds, [{LASSO: f} for f in folds])}


@memo.cached(max_entries=64)  # one entry: three fold scores per method
def k_scores(data_key: tuple, n_noise: int, k: int) -> pd.DataFrame:
    """The fold scores at k of every selector whose subset k sets (all but Lasso): the model fitted on
    the subset each keeps from each fold's training rows. The rankings come from selector_ranking's
    cache, so a new k refits no selector; methods keeping the same subset in a fold share one fit."""
    t = prepared(data_key, n_noise)
    methods = [m for m in method_names(t.kind) if m != LASSO]
    chosen = [{m: method_subset(m, selector_ranking(data_key, n_noise, m, part)[0], k) for m in methods}
              for part in PARTS[1:]]
    return nested_cv_scores(t.X, t.y, t.task, t.folds, chosen)


@memo.cached(max_entries=16)
def all_features_score(data_key: tuple, n_noise: int) -> float:
    t = prepared(data_key, n_noise)
    return subset_score(t.X, t.y, t.task, tuple(t.X.columns), t.seed)


def tiles_spec(picks: pd.DataFrame, methods: tuple[str, ...], columns: list[str]) -> dict:
    # + room for the rotated method names under the tiles; 24 px a row: at 20 labels touched
    return charts.to_spec(charts.tile_chart(picks, "method", "feature", "picked",
                                            domain=["picked", "not picked", "picked (noise!)", "n/a"],
                                            palette=[charts.BLUE, "#eeeeee", charts.VERMILION, "#bbbbbb"],
                                            x_sort=list(methods), y_sort=columns,
                                            height=max(220, 24 * len(columns)) + 130)
                          .configure_axisY(labelOverlap=False))


def all_rows_choice(data_key: tuple, n_noise: int, k: int, alpha: float) -> dict[str, list[str] | None]:
    """Every method's subset for k when fitted on all rows (from the cached rankings)."""
    t = prepared(data_key, n_noise)
    out = {}
    for method in method_names(t.kind):
        out[method] = (lasso_run(data_key, n_noise, alpha)["kept"] if method == LASSO else
                       method_subset(method, selector_ranking(data_key, n_noise, method, ALL_ROWS)[0], k))
    return out


@memo.cached(max_entries=64, shared=True)
def tiles_view(data_key: tuple, n_noise: int, k: int, alpha: float) -> dict:
    """Which features each method keeps when fitted on all rows: the tiles and their counts."""
    t = prepared(data_key, n_noise)
    chosen = all_rows_choice(data_key, n_noise, k, alpha)
    picks = picks_frame(list(t.X.columns), chosen)
    noise_kept = sum(sum(f.startswith(NOISE_PREFIX) for f in s) for s in chosen.values() if s is not None)
    return {"spec": tiles_spec(picks, method_names(t.kind), list(t.X.columns)), "noise kept": noise_kept}


def comparison_title(metric: str, all_score: float) -> list[str]:
    return [f"{SCORE_CV}-fold CV {metric}, selection inside each fold",
            f"whiskers ± 1 fold SE; dashed: all features, {all_score:.3f}"]


@memo.cached(max_entries=64, shared=True)
def comparison_view(data_key: tuple, n_noise: int, k: int, alpha: float) -> dict:
    """Every method's CV score with its selection refitted inside each fold, the methods table, every
    feature's scores on all rows and the generated texts, from the per-selector caches."""
    t = prepared(data_key, n_noise)
    methods = method_names(t.kind)
    lasso = lasso_run(data_key, n_noise, alpha)
    cv = pd.concat([k_scores(data_key, n_noise, k), lasso["cv"]], ignore_index=True)
    summary = cv_summary(cv, methods)
    chosen = all_rows_choice(data_key, n_noise, k, alpha)
    fold_chosen = [{m: (lasso["folds"][f] if m == LASSO else
                        method_subset(m, selector_ranking(data_key, n_noise, m, part)[0], k)) for m in methods}
                   for f, part in enumerate(PARTS[1:])]
    ranking = {m: selector_ranking(data_key, n_noise, m, ALL_ROWS) for m in methods if m != LASSO}
    times = {m: r[1] for m, r in ranking.items()} | {LASSO: lasso["time"]}
    rows = []
    for method in methods:
        subset = chosen[method]
        rows.append({"method": method, "family": family(method),
                     "kept on all rows": None if subset is None else len(subset),
                     "noise kept on all rows": None if subset is None else
                     sum(f.startswith(NOISE_PREFIX) for f in subset),
                     "CV score": summary.loc[method, "CV score"], "fold SE": summary.loc[method, "fold SE"],
                     "time on all rows (s)": times[method]})
    table = pd.DataFrame(rows)
    columns = list(t.X.columns)
    scores = pd.DataFrame({m: ranking[m][0] for m in filter_names(t.kind) if ranking[m][0] is not None})
    scores["RFE rank"] = ranking["RFE"][0]
    scores["forward order"] = [list(ranking["forward SFS"][0]).index(f) + 1 for f in columns]
    scores["backward order"] = [list(ranking["backward SFS"][0]).index(f) + 1 for f in columns]
    scores[f"L1 coef (α={alpha:g})"] = lasso["coef"]
    scores["forest importance"] = ranking["tree importance"][0]
    all_score = all_features_score(data_key, n_noise)
    metric = "accuracy" if t.task == "classification" else "R²"
    # two-line titles: in half the page at presenter type one line was cut off
    time_spec = charts.to_spec(charts.bar_chart(table, "time on all rows (s)", "method", sort=None, height=300,
                                                title=["Time to select on all rows",
                                                       "wrappers: the whole path, every k"]))
    return {"summary": summary, "best score": float(summary["CV score"].max()), "best_label": best_label(summary),
            "best_of": best_of_text(summary), "agreement": fold_agreement_text(chosen, fold_chosen),
            "table_shown": table.round(4), "scores_shown": scores.round(4),
            # dots on a zoomed axis, all features as the dashed line: subsets differ by a point or two, which
            # bars from 0 drew as equal lengths; whiskers: the fold standard error the caption compares with
            "score_spec": charts.to_spec(subset_score_chart(summary, all_score, comparison_title(metric, all_score))),
            "time_spec": time_spec}


ALPHA_DATASET = "alpha"  # the L1 path's rule at the current alpha


@memo.cached(max_entries=16, shared=True)
def l1_view(data_key: tuple, n_noise: int) -> dict:
    """The L1 coefficient path (alpha moves only its rule, dataset "alpha"), its table and its sentence."""
    t = prepared(data_key, n_noise)
    path = l1_path(t.X, t.y, t.task)
    chart = charts.path_chart(path, "alpha", "coef", line="feature", color="kind", rule_x=float(PATH_ALPHAS[0]),
                              height=280, x_title="α (log scale)", y_title="coefficient",
                              title="The L1 coefficient path; dashed: the current α")
    return {"spec": charts.named_datasets(charts.to_spec(chart), {1: ALPHA_DATASET}),
            "table": path.pivot(index="feature", columns="alpha", values="coef").round(4),
            "noise text": path_noise_text(path)}


def alpha_frames(alpha: float) -> dict[str, list[dict]]:
    return {ALPHA_DATASET: [{"alpha": alpha}]}


def lasso_summary(n_kept: int, p: int, alpha: float) -> str:
    return f"At α = {alpha:.3g}: {n_kept} of {p} features non-zero."


KEPT_DATASET = "kept"  # the PCA charts' rule at the number of components kept


def _with_components_rule(line: alt.Chart, title: str, height: int, marks=()) -> dict:
    """charts.line_chart with a dashed rule at the kept number of components, read from the dataset
    "kept" (one row; pca_view makes it every position of the components slider). ``marks``:
    more layers drawn between the line and the rule."""
    line = line.copy(deep=False)
    line.title = line.height = line.width = alt.Undefined  # set on the layer below
    rule = alt.Chart(pd.DataFrame({"components": [N_COMPONENTS_DEFAULT]})).mark_rule(
        color=charts.BLACK, strokeDash=[4, 3]).encode(x=alt.X("components:Q"))
    chart = alt.layer(line, *marks, rule).properties(title=title, height=height, width="container")
    return charts.named_datasets(charts.to_spec(chart), {len(marks) + 1: KEPT_DATASET})


def scree_spec(summary: pd.DataFrame) -> dict:
    long = summary.melt(id_vars="components", value_vars=["explained variance", "cumulative"],
                        var_name="curve", value_name="share")
    targets = pd.DataFrame({"share": list(VARIANCE_TARGETS),
                            "label": [f"{s:.0%}: {components_needed(summary, s)} components" for s in VARIANCE_TARGETS]})
    # dotted lines at the variance shares the caption counts components for, labelled at the left, where
    # both curves are lower
    lines = alt.Chart(targets).mark_rule(color=charts.BLACK, strokeDash=[1, 3]).encode(y=alt.Y("share:Q"))
    labels = alt.Chart(targets).mark_text(align="left", baseline="bottom", dy=-1, fontSize=11).encode(
        y=alt.Y("share:Q"), x=alt.value(4), text=alt.Text("label:N"))
    return _with_components_rule(charts.line_chart(long, "components", "share", color="curve"),
                                 "Explained variance (scree) and cumulative", 260, marks=(lines, labels))


def reconstruction_spec(summary: pd.DataFrame) -> dict:
    # a short y title: one longer than the plot pushes the chart's title out of view
    return _with_components_rule(charts.line_chart(summary, "components", "reconstruction RMSE", y_title="RMSE"),
                                 "Reconstruction error with the first n components", 220)


@memo.cached(max_entries=16, shared=True)
def pca_view(data_key: tuple, n_noise: int) -> dict:
    """PCA's summary, its two curves (their rule, dataset "kept", at every number of components the slider
    can take: they follow it in the browser) and the 2-D projection, with the sentence."""
    t = prepared(data_key, n_noise)
    summary, pca = pca_summary(t.X)
    Z = pca.transform(t.X)
    proj = pd.DataFrame({"PC1": Z[:, 0], "PC2": Z[:, 1] if Z.shape[1] > 1 else 0.0, "class": t.labels})
    # the rule at every value of the components slider (past the number of components: at the last one, as the
    # page's numbers): the two curves follow the slider in the browser
    kept = charts.slices({n: components_frames(min(n, len(summary)))
                          for n in range(N_COMPONENTS_MIN, N_COMPONENTS_MAX + 1)})

    def scrubbed(spec: dict) -> dict:
        return charts.scrubbable(spec, N_COMPONENTS_KEY, kept, N_COMPONENTS_MIN, N_COMPONENTS_MAX, 1)

    return {"summary": summary, "table": summary.round(4), "text": pca_text(summary),
            "scree": scrubbed(scree_spec(summary)), "reconstruction": scrubbed(reconstruction_spec(summary)),
            "scatter": charts.to_spec(charts.scatter_chart(proj, "PC1", "PC2", color="class", size=25, height=300,
                                                           title="PCA: the first two components (no labels used)"))}


def components_frames(n: int) -> dict[str, list[dict]]:
    return {KEPT_DATASET: [{"components": n}]}


@memo.cached(max_entries=16, shared=True)
def lda_view(data_key: tuple, n_noise: int) -> dict:
    """The LDA projection's chart and its per-class summary table."""
    t = prepared(data_key, n_noise)
    lda = lda_projection(t.X, t.y).assign(**{"class": t.labels})
    if lda["LD2"].abs().sum() == 0:
        chart = charts.histogram(lda, "LD1", color="class", bins=30, height=280,
                                 title="LDA: one discriminant for two classes")
    else:
        chart = charts.scatter_chart(lda, "LD1", "LD2", color="class", size=25, height=300,
                                     title="LDA: directions that separate the classes")
    return {"spec": charts.to_spec(chart), "table": lda.groupby("class")[["LD1", "LD2"]].describe().round(3)}


@memo.cached(max_entries=32, progress="t-SNE: optimising the 2-D layout (a few seconds the first time for each "
                                      "perplexity, cached afterwards)…")
def tsne_view(data_key: tuple, n_noise: int, perplexity: int) -> dict:
    t = prepared(data_key, n_noise)
    emb = tsne_projection(t.X, perplexity, t.seed).assign(**{"class": t.labels})
    return {"frame": emb, "spec": charts.to_spec(charts.scatter_chart(
        emb, "tSNE1", "tSNE2", color="class", size=25, height=300, title=f"t-SNE, perplexity {perplexity}"))}
