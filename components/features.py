"""Features lab: selection (filter, wrapper, embedded) and extraction (PCA, LDA, t-SNE).

Everything comes from scikit-learn (r_regression, chi2, mutual_info_*, RFE, Lasso/L1 logistic,
random-forest importances, PCA, LinearDiscriminantAnalysis, TSNE) except the *path* of sequential
selection: ``SequentialFeatureSelector`` returns only the subset for one k, so
:func:`sequential_path` runs the same greedy search (same CV, same tie-breaking) once and records
the order, which gives the subset for every k from one run. A test checks it against
``SequentialFeatureSelector`` for several k.
"""
from __future__ import annotations

import textwrap
import time
import warnings
from typing import Callable

import numpy as np
import pandas as pd
from sklearn import config_context
from sklearn.base import clone, is_classifier
from sklearn.decomposition import PCA
from sklearn.discriminant_analysis import LinearDiscriminantAnalysis
from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor
from sklearn.exceptions import ConvergenceWarning
from sklearn.feature_selection import RFE, chi2, mutual_info_classif, mutual_info_regression, r_regression
from sklearn.linear_model import Lasso, LogisticRegression, Ridge, RidgeClassifier
from sklearn.manifold import TSNE
from sklearn.model_selection import KFold, StratifiedKFold, check_cv, cross_val_score, train_test_split
from sklearn.preprocessing import LabelBinarizer, MinMaxScaler, StandardScaler

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
SCORE_CV = 3  # every subset's score is refitted when k or alpha picks a new subset
PATH_ALPHAS = np.logspace(LOG_ALPHA_MIN, LOG_ALPHA_MAX, 25)
NOISE_PREFIX = "noise_"

FILTERS = ("Pearson |r|", "chi²", "mutual information")
WRAPPERS = ("RFE", "forward SFS", "backward SFS")
EMBEDDED = ("Lasso (L1)", "tree importance")
METHODS = FILTERS + WRAPPERS + EMBEDDED
FAMILY = {**{m: "filter" for m in FILTERS}, **{m: "wrapper" for m in WRAPPERS}, **{m: "embedded" for m in EMBEDDED}}


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


def top_k(scores: pd.Series, k: int) -> list[str]:
    return list(scores.sort_values(ascending=False, kind="stable").index[:k])


@quiet_convergence
def filter_scores(X: pd.DataFrame, y: pd.Series, task: str, seed: int) -> dict[str, tuple[pd.Series | None, float]]:
    """Each filter's score per feature (higher = better) and its time in seconds."""
    out: dict = {}
    t = time.perf_counter()
    out["Pearson |r|"] = (pd.Series(np.abs(np.nan_to_num(r_regression(X, y))), index=X.columns),
                          time.perf_counter() - t)
    if task == "classification":
        t = time.perf_counter()
        out["chi²"] = (pd.Series(chi2(MinMaxScaler().fit_transform(X), y)[0], index=X.columns),
                       time.perf_counter() - t)
        mi = mutual_info_classif
    else:
        out["chi²"] = (None, 0.0)
        mi = mutual_info_regression
    t = time.perf_counter()
    out["mutual information"] = (pd.Series(mi(X, y, random_state=seed), index=X.columns), time.perf_counter() - t)
    return out


@quiet_convergence
def rfe_ranking(X: pd.DataFrame, y: pd.Series, task: str) -> tuple[pd.Series, float]:
    """RFE down to one feature: ranking_ <= k is exactly the subset RFE(n_features_to_select=k) keeps."""
    t = time.perf_counter()
    rfe = RFE(wrapper_model(task), n_features_to_select=1, step=1).fit(X, y)
    return pd.Series(rfe.ranking_, index=X.columns), time.perf_counter() - t


@quiet_convergence
def sequential_path(X: pd.DataFrame, y: pd.Series, task: str, direction: str,
                    progress: Callable[[float], None] | None = None) -> tuple[list[str], float]:
    """The order of greedy sequential selection, as SequentialFeatureSelector(cv=3) runs it.

    forward: features in the order they are added. backward: features in the *reverse* order they
    are removed (the last survivor first), so for both the first k are the subset of size k.
    Each candidate is scored as ``cross_val_score(est, X[:, cols], y, cv=3).mean()`` scores it
    (same folds, same fits, same score; a test checks the paths against SequentialFeatureSelector),
    without the per-call machinery: hundreds of candidates. ``progress(fraction)`` is called after
    every step.
    """
    t = time.perf_counter()
    est = wrapper_model(task)
    Xv, yv = X.to_numpy(), np.asarray(y)
    folds = list(check_cv(WRAPPER_CV, yv, classifier=is_classifier(est)).split(Xv, yv))
    cv_score = _fold_scorer(task, Xv, yv, folds)
    p = Xv.shape[1]
    mask = np.zeros(p, dtype=bool)  # forward: selected so far; backward: removed so far
    order: list[int] = []
    with config_context(assume_finite=True, skip_parameter_validation=True):  # checked once, above
        for step in range(p - 1):
            scores = {}
            for j in np.flatnonzero(~mask):
                cand = mask.copy()
                cand[j] = True
                scores[j] = cv_score(cand if direction == "forward" else ~cand)
            best = max(scores, key=lambda j: scores[j])
            mask[best] = True
            order.append(int(best))
            if progress is not None:
                progress((step + 1) / (p - 1))
    order.append(int(np.flatnonzero(~mask)[0]))
    if direction == "backward":
        order = order[::-1]
    return [X.columns[i] for i in order], time.perf_counter() - t


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
        est = wrapper_model(task)
        return lambda cols: float(np.mean([clone(est).fit(Xv[:, cols][tr], yv[tr]).score(Xv[:, cols][te], yv[te])
                                           for tr, te in folds]))
    prepared = []
    for tr, te in folds:
        lb = LabelBinarizer(pos_label=1, neg_label=-1)
        prepared.append((tr, te, lb.fit_transform(yv[tr]).astype(np.float64), yv[te], lb.classes_))

    def score(cols: np.ndarray) -> float:
        out = []
        Xc = Xv[:, cols]
        for tr, te, Y_tr, y_te, classes in prepared:
            d = Ridge(alpha=1.0).fit(Xc[tr], Y_tr).predict(Xc[te])
            pred = classes[(d.ravel() > 0).astype(int)] if d.ndim == 1 or d.shape[1] == 1 else classes[d.argmax(axis=1)]
            out.append(np.mean(pred == y_te))
        return float(np.mean(out))
    return score


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
    if task != "classification":
        return Lasso(alpha=alpha, max_iter=5000)
    solver = "liblinear" if n_classes <= 2 else "saga"
    return LogisticRegression(l1_ratio=1.0, solver=solver, C=1.0 / (alpha * n), max_iter=2000, random_state=0)


def l1_coefficients(X: pd.DataFrame, y: pd.Series, task: str, alpha: float) -> pd.Series:
    """L1 coefficients at ``alpha``; a regression target is standardised first so that alpha means
    the same on every dataset."""
    if task != "classification":
        y = (y - y.mean()) / (y.std() or 1.0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        m = l1_model(task, alpha, len(X), int(y.nunique())).fit(X, y)
    coef = np.asarray(m.coef_, dtype=float)
    if coef.ndim == 2:
        coef = coef[0] if coef.shape[0] == 1 else coef[np.abs(coef).argmax(axis=0), np.arange(coef.shape[1])]
    return pd.Series(coef, index=X.columns)


@quiet_convergence
def l1_selection(X: pd.DataFrame, y: pd.Series, task: str, alpha: float) -> tuple[list[str], pd.Series, float]:
    t = time.perf_counter()
    coef = l1_coefficients(X, y, task, alpha)
    return [f for f in X.columns if abs(coef[f]) > 1e-10], coef, time.perf_counter() - t


@quiet_convergence
def tree_importance(X: pd.DataFrame, y: pd.Series, task: str, seed: int) -> tuple[pd.Series, float]:
    t = time.perf_counter()
    cls = RandomForestClassifier if task == "classification" else RandomForestRegressor
    rf = cls(n_estimators=100, random_state=seed).fit(X, y)
    return pd.Series(rf.feature_importances_, index=X.columns), time.perf_counter() - t


@quiet_convergence
def subset_score(X: pd.DataFrame, y: pd.Series, task: str, columns: tuple[str, ...], seed: int) -> float:
    """CV score (SCORE_CV folds) of the scoring model on the given columns; NaN for an empty subset."""
    if not columns:
        return float("nan")
    cv = (StratifiedKFold(SCORE_CV, shuffle=True, random_state=seed) if task == "classification"
          else KFold(SCORE_CV, shuffle=True, random_state=seed))
    scoring = "accuracy" if task == "classification" else "r2"
    # arrays: the same numbers without scikit-learn's per-fit DataFrame checks
    return float(cross_val_score(score_model(task), X[list(columns)].to_numpy(), np.asarray(y), cv=cv,
                                 scoring=scoring).mean())


def selections(k: int, filters: dict, rfe: pd.Series, forward: list[str], backward: list[str],
               lasso: list[str], tree: pd.Series) -> dict[str, list[str] | None]:
    """Every method's subset for k (Lasso's size is set by alpha, not k). None = not applicable."""
    out: dict[str, list[str] | None] = {}
    for name in FILTERS:
        scores = filters[name][0]
        out[name] = None if scores is None else top_k(scores, k)
    out["RFE"] = list(rfe[rfe <= k].sort_values(kind="stable").index)
    out["forward SFS"] = forward[:k]
    out["backward SFS"] = backward[:k]
    out["Lasso (L1)"] = lasso
    out["tree importance"] = top_k(tree, k)
    return out


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


def export_code(dataset: str, task: str, n_noise: int, k: int, alpha: float, seed: int) -> str:
    """A runnable script: every selector's subset for k and the CV score with it (JSON last)."""
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
    return textwrap.dedent(f'''\
        import json
        import warnings
        import numpy as np
        import pandas as pd
        from sklearn.ensemble import {"RandomForestClassifier as Forest" if clf else "RandomForestRegressor as Forest"}
        from sklearn.exceptions import ConvergenceWarning
        from sklearn.feature_selection import (RFE, SequentialFeatureSelector, chi2, mutual_info_classif,
                                               mutual_info_regression, r_regression)
        from sklearn.linear_model import Lasso, LogisticRegression, Ridge, RidgeClassifier
        from sklearn.model_selection import KFold, StratifiedKFold, check_cv, cross_val_score, train_test_split
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

        def top(scores):
            return list(pd.Series(scores, index=X.columns).sort_values(ascending=False, kind="stable").index[:k])

        wrapper_model = {"RidgeClassifier(alpha=1.0)" if clf else "Ridge(alpha=1.0)"}
        picked = {{"Pearson |r|": top(np.abs(np.nan_to_num(r_regression(X, y))))}}
        {"picked['chi²'] = top(chi2(MinMaxScaler().fit_transform(X), y)[0])" if clf else "# chi² needs class labels"}
        picked["mutual information"] = top({"mutual_info_classif" if clf else "mutual_info_regression"}(X, y, random_state=SEED))
        picked["RFE"] = list(X.columns[RFE(wrapper_model, n_features_to_select=k).fit(X, y).support_])
        for direction in ("forward", "backward"):
            if k < X.shape[1]:
                sfs = SequentialFeatureSelector(wrapper_model, n_features_to_select=k, direction=direction,
                                                cv={WRAPPER_CV}).fit(X, y)
                picked[f"{{direction}} SFS"] = list(X.columns[sfs.get_support()])
            else:
                picked[f"{{direction}} SFS"] = list(X.columns)
        {"l1 = LogisticRegression(l1_ratio=1.0, solver='liblinear' if y.nunique() <= 2 else 'saga', C=1.0 / (ALPHA * len(X)), max_iter=2000, random_state=0)" if clf else "l1 = Lasso(alpha=ALPHA, max_iter=5000)"}
        coef = np.atleast_2d(l1.fit(X, {"y" if clf else "(y - y.mean()) / y.std()"}).coef_)
        picked["Lasso (L1)"] = list(X.columns[(np.abs(coef) > 1e-10).any(axis=0)])
        picked["tree importance"] = top(Forest(n_estimators=100, random_state=SEED).fit(X, y).feature_importances_)

        model = {"LogisticRegression(max_iter=1000)" if clf else "Ridge(alpha=1.0)"}
        cv = {f"StratifiedKFold({SCORE_CV}, shuffle=True, random_state=SEED)" if clf else f"KFold({SCORE_CV}, shuffle=True, random_state=SEED)"}
        scoring = "{"accuracy" if clf else "r2"}"
        scores = {{"all features": float(cross_val_score(model, X, y, cv=cv, scoring=scoring).mean())}}
        for name, cols in picked.items():
            scores[name] = float(cross_val_score(model, X[cols], y, cv=cv, scoring=scoring).mean()) if cols else None
            print(f"{{name:>20}} {{scores[name]}}  {{cols}}")
        print(json.dumps({{"picked": {{n: sorted(c) for n, c in picked.items()}}, "scores": scores}}))
        ''')
