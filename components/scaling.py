"""Scaling lab: what each scaler does to the features, to outliers, and to the models that care.

Scalers come from scikit-learn (MinMaxScaler, StandardScaler, RobustScaler, MaxAbsScaler,
QuantileTransformer). The outlier injection (a few rows pushed far beyond each feature's 75th
percentile) is written by hand here: scikit-learn has no such generator.
"""
from __future__ import annotations

import textwrap
import warnings

import numpy as np
import pandas as pd
from sklearn.exceptions import ConvergenceWarning
from sklearn.feature_selection import f_classif, f_regression
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.model_selection import KFold, StratifiedKFold, train_test_split
from sklearn.neighbors import KNeighborsClassifier, KNeighborsRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MaxAbsScaler, MinMaxScaler, QuantileTransformer, RobustScaler, StandardScaler
from sklearn.svm import SVC, SVR
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

from components import boundary, code_export
from components.datasets import TWO_D

# ---- widget keys, defaults, ranges (one source of truth; the page and the tests import them) ----
SCALER_KEY, N_OUTLIERS_KEY, EXTREME_KEY, MODEL_KEY = (
    "scaling.scaler", "scaling.n_outliers", "scaling.extreme", "scaling.model")
SCALERS = ("none", "min-max", "standard", "robust", "max-abs", "quantile")
SCALER_DEFAULT = "standard"
N_OUTLIERS_DEFAULT, N_OUTLIERS_MIN, N_OUTLIERS_MAX = 0, 0, 20
EXTREME_DEFAULT, EXTREME_MIN, EXTREME_MAX = 10, 2, 50
CLASSIFIERS = ("k-NN", "SVM (RBF)", "logistic regression", "decision tree")
REGRESSORS = ("k-NN", "SVM (RBF)", "ridge", "decision tree")
MODEL_DEFAULT = "k-NN"
CV_FOLDS = 3  # 6 scalers x 4 models are re-cross-validated whenever the outliers change
MAX_ROWS = 600
TREE_MODELS = ("decision tree",)
LINEAR_SCALERS = ("min-max", "standard", "robust", "max-abs")  # x' = (x - a) / b: only shift and stretch

FORMULAS = {
    "none": r"x' = x",
    "min-max": r"x' = \dfrac{x - \min(x)}{\max(x) - \min(x)} \in [0, 1]",
    "standard": r"x' = \dfrac{x - \mu}{\sigma}",
    "robust": r"x' = \dfrac{x - \operatorname{median}(x)}{Q_3(x) - Q_1(x)}",
    "max-abs": r"x' = \dfrac{x}{\max |x|} \in [-1, 1]",
    "quantile": r"x' = \hat F(x) \in [0, 1] \quad\text{(empirical CDF: ranks; the largest value becomes 1)}",
}


def subsample(X: pd.DataFrame, y: pd.Series, task: str, seed: int) -> tuple[pd.DataFrame, pd.Series]:
    """At most MAX_ROWS rows (stratified for classification), index reset."""
    if len(X) <= MAX_ROWS:
        return X.reset_index(drop=True).astype(float), y.reset_index(drop=True)
    Xs, _, ys, _ = train_test_split(X, y, train_size=MAX_ROWS, random_state=seed,
                                    stratify=y if task == "classification" else None)
    return Xs.reset_index(drop=True).astype(float), ys.reset_index(drop=True)


def make_scaler(name: str, seed: int = 0):
    if name == "none":
        return "passthrough"
    if name == "min-max":
        return MinMaxScaler()
    if name == "standard":
        return StandardScaler()
    if name == "robust":
        return RobustScaler()
    if name == "max-abs":
        return MaxAbsScaler()
    if name == "quantile":
        return QuantileTransformer(n_quantiles=100, output_distribution="uniform", random_state=seed)
    raise ValueError(name)


def model_names(task: str) -> tuple[str, ...]:
    return CLASSIFIERS if task == "classification" else REGRESSORS


def make_model(name: str, task: str, seed: int):
    clf = task == "classification"
    if name == "k-NN":
        return KNeighborsClassifier(n_neighbors=15) if clf else KNeighborsRegressor(n_neighbors=15)
    if name == "SVM (RBF)":
        return SVC(C=1.0, gamma="scale") if clf else SVR(C=1.0, gamma="scale")
    if name == "logistic regression":
        return LogisticRegression(max_iter=200)
    if name == "ridge":
        return Ridge(alpha=1.0)
    if name == "decision tree":
        return (DecisionTreeClassifier(max_depth=5, random_state=seed) if clf
                else DecisionTreeRegressor(max_depth=5, random_state=seed))
    raise ValueError(name)


def inject_outliers(X: pd.DataFrame, n: int, extreme: float, seed: int) -> tuple[pd.DataFrame, np.ndarray]:
    """Push ``n`` random rows to ``Q3 + extreme * IQR`` in every feature; return the table and the mask."""
    out = X.astype(float).copy()
    mask = np.zeros(len(X), dtype=bool)
    if n <= 0:
        return out, mask
    rng = np.random.default_rng(seed)
    rows = rng.choice(len(X), size=min(n, len(X)), replace=False)
    q1, q3 = X.quantile(0.25), X.quantile(0.75)
    iqr = (q3 - q1).where((q3 - q1) > 0, X.std().where(X.std() > 0, 1.0))
    out.iloc[rows, :] = (q3 + extreme * iqr).to_numpy()[None, :]
    mask[rows] = True
    return out, mask


def boundary_pair(X: pd.DataFrame, y: pd.Series, task: str) -> list[str]:
    """Two informative features on very different scales: among the 6 best by a univariate F-test,
    the one with the largest and the one with the smallest standard deviation."""
    if X.shape[1] <= 2:
        return list(X.columns[:2])
    with warnings.catch_warnings(), np.errstate(divide="ignore", invalid="ignore"):
        warnings.simplefilter("ignore", UserWarning)  # constant features (digits' blank pixels)
        warnings.simplefilter("ignore", RuntimeWarning)
        score = f_classif(X, y)[0] if task == "classification" else f_regression(X, y)[0]
    score = np.nan_to_num(score, nan=0.0)
    top = list(X.columns[np.argsort(-score)[:6]])
    std = X[top].std()
    big, small = std.idxmax(), std.idxmin()
    return [big, small] if big != small else top[:2]


def scale_all(X: pd.DataFrame, columns: list[str], outliers: np.ndarray, seed: int) -> pd.DataFrame:
    """Long frame (feature, scaler, value, point) of the given features under every scaler."""
    parts = []
    X = X[list(columns)]  # every scaler here works column by column: the other columns change nothing
    for name in SCALERS:
        scaler = make_scaler(name, seed)
        Z = X.to_numpy() if scaler == "passthrough" else scaler.fit_transform(X)
        Z = pd.DataFrame(Z, columns=X.columns)
        for col in columns:
            parts.append(pd.DataFrame({"feature": col, "scaler": name, "value": Z[col].to_numpy(),
                                       "point": np.where(outliers, "outlier", "inlier")}))
    return pd.concat(parts, ignore_index=True)


def squash_table(X: pd.DataFrame, X_out: pd.DataFrame, outliers: np.ndarray, columns: list[str],
                 seed: int, clean: pd.DataFrame | None = None, dirty: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per feature and scaler: the inliers' interquartile range after scaling, without and with the
    outliers. Min-max squashes the bulk as an outlier sets the maximum; robust scaling keeps it.
    clean, dirty: scale_all of X and of X_out when already at hand (the page has both)."""
    clean = scale_all(X, columns, np.zeros(len(X), dtype=bool), seed) if clean is None else clean
    dirty = scale_all(X_out, columns, outliers, seed) if dirty is None else dirty

    def iqr(frame: pd.DataFrame) -> pd.Series:
        values = frame[frame["point"] == "inlier"].groupby(["feature", "scaler"], sort=False)["value"]
        return values.quantile(0.75) - values.quantile(0.25)  # linear interpolation, as np.percentile
    # compare the same rows: the inliers of the dirty table
    clean = clean.assign(point=np.tile(np.where(outliers, "outlier", "inlier"), len(SCALERS) * len(columns)))
    out = pd.DataFrame({"inlier IQR, no outliers": iqr(clean), "inlier IQR, with outliers": iqr(dirty)})
    out["kept"] = out["inlier IQR, with outliers"] / out["inlier IQR, no outliers"]
    return out.reset_index()


def stats_table(X: pd.DataFrame, scaler_name: str, seed: int, max_features: int = 12) -> pd.DataFrame:
    """min / median / max / mean / std of each feature, raw and after the chosen scaler."""
    cols = list(X.columns[:max_features])
    scaler = make_scaler(scaler_name, seed)
    Z = X if scaler == "passthrough" else pd.DataFrame(scaler.fit_transform(X), columns=X.columns)
    parts = []
    for label, T in (("raw", X), ("scaled", Z)):
        d = T[cols].agg(["min", "median", "max", "mean", "std"]).T
        d.columns = [f"{c} ({label})" for c in d.columns]
        parts.append(d)
    return pd.concat(parts, axis=1)


def cv_row(X: pd.DataFrame, y: pd.Series, task: str, scaler_name: str, seed: int) -> list[dict]:
    """CV score of every model with one scaler (the scaler is fitted inside each fold).

    The same numbers as ``cross_val_score(make_pipeline(scaler, model), X, y, cv=cv)`` for each
    model (a test checks it), but the scaler is fitted once per fold and shared by the four models
    instead of once per model and fold: the quantile transform's fit costs as much as a model's.
    """
    cv = (StratifiedKFold(CV_FOLDS, shuffle=True, random_state=seed) if task == "classification"
          else KFold(CV_FOLDS, shuffle=True, random_state=seed))
    Xv, yv = np.asarray(X, dtype=float), np.asarray(y)  # arrays: no per-fit DataFrame checks
    names = model_names(task)
    scores: dict[str, list[float]] = {m: [] for m in names}
    for train, test in cv.split(Xv, yv):
        if scaler_name == "none":
            Z_train, Z_test = Xv[train], Xv[test]
        else:
            scaler = make_scaler(scaler_name, seed).fit(Xv[train])
            Z_train, Z_test = scaler.transform(Xv[train]), scaler.transform(Xv[test])
        for model in names:
            est = make_model(model, task, seed)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)  # unscaled lbfgs: itself a lesson
                est.fit(Z_train, yv[train])
            # a classifier's score is accuracy, a regressor's R², the scorers the page names
            scores[model].append(est.score(Z_test, yv[test]))
    return [{"scaler": scaler_name, "model": m, "CV score": float(np.mean(scores[m]))} for m in names]


def cv_table(X: pd.DataFrame, y: pd.Series, task: str, seed: int) -> pd.DataFrame:
    return pd.DataFrame([r for s in SCALERS for r in cv_row(X, y, task, s, seed)])


def binary_target(y: pd.Series, target_names: tuple[str, ...]) -> tuple[np.ndarray, tuple[str, str]]:
    """The boundary plot shows P(class 1): multi-class sets become "first class vs the rest"."""
    if len(target_names) <= 2:
        return y.to_numpy(int), tuple(target_names) if len(target_names) == 2 else ("class 0", "class 1")
    first = str(target_names[0])
    return (y.to_numpy(int) != 0).astype(int), (first, f"not {first}")


def boundary_data(X2: pd.DataFrame, y_bin: np.ndarray, outliers: np.ndarray, scaler_name: str, model: str,
                  seed: int, class_names: tuple[str, str]) -> tuple[pd.DataFrame, pd.DataFrame, float]:
    """Fit scaler + model on two raw features (outliers included); grid over the inliers' box.

    Returns the probability grid, the inlier points and the training accuracy.
    """
    pipe = make_pipeline(make_scaler(scaler_name, seed), make_model(model, "classification", seed))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        pipe.fit(X2.to_numpy(), y_bin)
    inl = X2.to_numpy()[~outliers]
    grid = boundary.grid_predictions(pipe, inl)
    points = boundary.points_frame(inl, y_bin[~outliers], class_names=class_names)
    return grid, points, float(pipe.score(X2.to_numpy(), y_bin))


# ---- sentences about what is on screen, generated from its numbers (tests check them) ----

def std_ratio(X: pd.DataFrame, pair: list[str]) -> float:
    """Standard deviation of the first boundary feature over the second's (how unequal their scales are)."""
    return float(X[pair[0]].std() / X[pair[1]].std())


def class_disagreement(grid_a: pd.DataFrame, grid_b: pd.DataFrame) -> float:
    """Share of the plotted grid (the same points in both) where the two fits predict different
    classes, a class being P(class 1) > 0.5."""
    return float(np.mean((grid_a["proba"].to_numpy() > 0.5) != (grid_b["proba"].to_numpy() > 0.5)))


def boundary_caption(pair: list[str], ratio: float, model: str, scaler: str, disagreement: float,
                     multi: str = "") -> str:
    """The boundary plots' caption: the scales of the two features and how much of the plot changes class."""
    # over all pairs of distinct rows, the mean of (a_i - a_j)^2 is exactly 2 var(a) (var with n - 1):
    # the two features' mean squared differences stand in the ratio of their variances, ratio^2
    big, small = (pair[0], pair[1]) if ratio >= 1 else (pair[1], pair[0])
    factor = max(ratio, 1 / ratio)
    scales = (f"The standard deviation of {big} is {_times(factor)} that of {small}, so over all pairs of rows "
              f"the mean squared difference in {big} is {_times(factor ** 2)} that in {small}"
              + (f": unscaled, {big} dominates the distances." if factor ** 2 >= 10 else "."))
    if scaler == "none":
        change = "Both panels fit without scaling here: pick a scaler to compare."
    elif disagreement == 0:
        change = f"With {scaler} scaling, {model} predicts the same class as unscaled everywhere on the plot."
    else:
        change = (f"With {scaler} scaling, {model} predicts a different class than unscaled on "
                  f"{disagreement:.1%} of the plotted area.")
    return (f"Decision boundary on two raw features: x1 = **{pair[0]}**, x2 = **{pair[1]}**{multi}, in raw units; "
            f"outliers are fitted but off-screen. {scales} {change}")


def _times(v: float) -> str:
    """A factor in three significant digits, thousands separated: 14,700×, 2.15×."""
    return f"{float(f'{v:.3g}'):,.0f}×" if v >= 100 else f"{v:.3g}×"


def outlier_quantile(scaled: pd.DataFrame, feature: str) -> float:
    """Where the quantile transform puts the outlier rows of ``feature`` (they share one value)."""
    # arrays, not a frame filter: three string masks over the long frame in a third of the time
    rows = ((scaled["feature"].to_numpy() == feature) & (scaled["scaler"].to_numpy() == "quantile")
            & (scaled["point"].to_numpy() == "outlier"))
    return float(scaled["value"].to_numpy()[rows].max()) if rows.any() else float("nan")


def strip_caption(squash: pd.DataFrame, feature: str, n_outliers: int, extreme: float, outlier_value: float) -> str:
    """The strips' caption. Shapes: the linear scalers only shift and stretch (true of any data); the
    squash: each scaler's share of the inliers' IQR kept, from the squash table."""
    shape = ("Each row has its own axis, so the linear scalers (min-max, standard, robust, max-abs) draw the same "
             "shape: they only shift and stretch. The quantile transform changes the shape: it maps each value to "
             "its rank (the empirical CDF), spreading the values over [0, 1] by rank.")
    if not n_outliers:
        return shape + " Add outlier rows to see which scalers they squash."
    kept = {s: v for f, s, v in zip(squash["feature"], squash["scaler"], squash["kept"])
            if f == feature and s != "none"}
    listed = ", ".join(f"{s} {v:.0%}" for s, v in sorted(kept.items(), key=lambda item: item[1]))
    where = ("the top of the range: they are the largest values" if outlier_value >= 1
             else "below 1: some inliers are larger still")
    return (f"{shape} With {n_outliers} outlier row(s) at Q3 + {extreme}×IQR, the inliers of **{feature}** keep "
            f"this share of their IQR without outliers (most squashed first): {listed}. The quantile transform "
            f"puts the outlier rows at {outlier_value:.3g}, {where}.")


def score_spread(cv: pd.DataFrame) -> dict[str, float]:
    """Per model, the largest minus the smallest CV score over the scalers, largest spread first."""
    by_model: dict[str, list[float]] = {}
    for model, score in zip(cv["model"], cv["CV score"]):  # 24 rows: plain Python beats a pivot (~5 ms)
        by_model.setdefault(model, []).append(float(score))
    spread = {m: max(v) - min(v) for m, v in by_model.items()}
    return dict(sorted(spread.items(), key=lambda item: -item[1]))  # stable: ties keep the table's order


def cv_caption(cv: pd.DataFrame) -> str:
    """What the CV dots show: how far each model moves with the scaler, and the tree's scores."""
    spread = score_spread(cv)
    listed = ", ".join(f"{m} {v:.3f}" for m, v in spread.items())
    return f"How far each model's CV score moves across the six scalers (largest − smallest): {listed}. " + \
        tree_sentence(cv)


def tree_sentence(cv: pd.DataFrame, model: str = "decision tree") -> str:
    """The tree's CV score unscaled and with each scaler: the same, or by how much it moved."""
    score = {s: v for s, m, v in zip(cv["scaler"], cv["model"], cv["CV score"]) if m == model}
    base = score["none"]
    same = [s for s in SCALERS[1:] if score[s] == base]
    moved = [s for s in SCALERS[1:] if score[s] != base]
    text = f"The decision tree scores {base:.4f} unscaled"
    if same:
        text += f"; exactly the same with {_listing(same)}"
    if moved:
        text += "; " + ", ".join(f"{score[s]:.4f} with {s} ({score[s] - base:+.4f})" for s in moved)
    return text + "."


def _listing(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


TREE_MECHANISM = (
    "A tree splits a feature at the midpoint between two neighbouring training values. A scaler that only "
    "shifts and stretches (min-max, standard, robust, max-abs) keeps the order and maps midpoints to midpoints: "
    "the tree makes the same splits, and a test row goes the other way only if it sits exactly on a split point "
    "(possible with integer or rounded values), where floating-point rounding decides the side. The quantile "
    "transform keeps the order too (it is strictly increasing on the training values: no two of them merge), so "
    "the tree splits the training rows the same way; but it bends the axis, so the midpoint in the new scale maps "
    "back to another raw value, and test rows between the two land on the other side. It also clips test values "
    "beyond the training range to 0 or 1, but that moves none across a split: every split lies inside that range.")


def export_code(dataset: str, task: str, n_outliers: int, extreme: int, seed: int, n_samples: int = 300,
                noise: float = 0.25) -> str:
    """A runnable script printing every scaler x model CV score; last line is JSON of them.
    n_samples and noise are the generated 2-D sets' parameters (their seed is the page's)."""
    loader = {"breast_cancer": "load_breast_cancer", "wine": "load_wine", "iris": "load_iris",
              "diabetes": "load_diabetes", "digits": "load_digits"}.get(dataset)
    if loader:
        load = (f"from sklearn.datasets import {loader}\nb = {loader}()\n"
                f"X = pd.DataFrame(b.data)\ny = pd.Series(b.target)")
    elif dataset in TWO_D:
        load = code_export.dataset_code(dataset, n_samples, noise, seed).rstrip()
    else:
        load = (f"# '{dataset}' comes from ML Explorer's registry (components/datasets.py)\n"
                f"from components.datasets import load\nds = load({dataset!r})\nX, y = ds.X, ds.y")
    clf = task == "classification"
    models = ('{"k-NN": KNeighborsClassifier(n_neighbors=15), "SVM (RBF)": SVC(C=1.0, gamma="scale"),\n'
              '          "logistic regression": LogisticRegression(max_iter=200),\n'
              f'          "decision tree": DecisionTreeClassifier(max_depth=5, random_state={seed})}}') if clf else (
              '{"k-NN": KNeighborsRegressor(n_neighbors=15), "SVM (RBF)": SVR(C=1.0, gamma="scale"),\n'
              '          "ridge": Ridge(alpha=1.0),\n'
              f'          "decision tree": DecisionTreeRegressor(max_depth=5, random_state={seed})}}')
    cv = (f"StratifiedKFold({CV_FOLDS}, shuffle=True, random_state={seed})" if clf
          else f"KFold({CV_FOLDS}, shuffle=True, random_state={seed})")
    return textwrap.dedent(f'''\
        import json
        import warnings
        import numpy as np
        import pandas as pd
        from sklearn.exceptions import ConvergenceWarning
        from sklearn.linear_model import LogisticRegression, Ridge
        from sklearn.model_selection import KFold, StratifiedKFold, cross_val_score, train_test_split
        from sklearn.neighbors import KNeighborsClassifier, KNeighborsRegressor
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import MaxAbsScaler, MinMaxScaler, QuantileTransformer, RobustScaler, StandardScaler
        from sklearn.svm import SVC, SVR
        from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

        SEED, N_OUTLIERS, EXTREME = {seed}, {n_outliers}, {extreme}
        {load.replace(chr(10), chr(10) + "        ")}
        if len(X) > {MAX_ROWS}:  # the page subsamples large tables the same way
            X, _, y, _ = train_test_split(X, y, train_size={MAX_ROWS}, random_state=SEED,
                                          stratify=y if {clf} else None)
        X, y = X.reset_index(drop=True).astype(float), y.reset_index(drop=True)

        # Outliers: N_OUTLIERS random rows pushed to Q3 + EXTREME * IQR in every feature.
        if N_OUTLIERS > 0:
            rows = np.random.default_rng(SEED).choice(len(X), size=min(N_OUTLIERS, len(X)), replace=False)
            q1, q3 = X.quantile(0.25), X.quantile(0.75)
            iqr = (q3 - q1).where((q3 - q1) > 0, X.std().where(X.std() > 0, 1.0))
            X.iloc[rows, :] = (q3 + EXTREME * iqr).to_numpy()[None, :]

        scalers = {{"none": "passthrough", "min-max": MinMaxScaler(), "standard": StandardScaler(),
                   "robust": RobustScaler(), "max-abs": MaxAbsScaler(),
                   "quantile": QuantileTransformer(n_quantiles=100, random_state=SEED)}}
        models = {models}
        cv = {cv}
        scores = {{}}
        for s_name, scaler in scalers.items():
            for m_name, model in models.items():
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", ConvergenceWarning)
                    score = cross_val_score(make_pipeline(scaler, model), X, y, cv=cv,
                                            scoring="{"accuracy" if clf else "r2"}").mean()
                scores[f"{{s_name}} | {{m_name}}"] = float(score)
                print(f"{{s_name:>9}}  {{m_name:<20}} {{score:.3f}}")
        print(json.dumps(scores))
        ''')
