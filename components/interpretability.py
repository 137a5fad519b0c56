"""Interpretability: impurity vs permutation importance, SHAP (global and local), a LIME-style
surrogate and partial dependence / ICE, for a tree ensemble and a linear model.

shap is imported here only (never at app start-up): only the Interpretability page imports this
module. Everything is computed once per (dataset, seed, model, noise column) and cached by the page;
picking another row to explain only slices the cached SHAP values.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass, replace

import altair as alt
import numpy as np
import pandas as pd
import shap
from scipy.special import logsumexp
from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor
from sklearn.inspection import partial_dependence, permutation_importance
from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from components import charts, datasets, memo

# ---- widget keys, defaults, ranges (one source of truth; the tests import them) ----
MODEL_KEY, NOISE_KEY, ROW_KEY, LIME_K_KEY, PDP_RANK_KEY = (
    "interp.model", "interp.noise_feature", "interp.row", "interp.lime_k", "interp.pdp_rank")
FOREST, LINEAR = "Random forest", "Linear model"
MODELS = (FOREST, LINEAR)
MODEL_DEFAULT = FOREST
NOISE_DEFAULT = False
ROW_MIN, ROW_MAX, ROW_DEFAULT = 0, 99, 0
LIME_K_MIN, LIME_K_MAX, LIME_K_DEFAULT = 1, 10, 5
PDP_RANK_MIN, PDP_RANK_MAX, PDP_RANK_DEFAULT = 1, 10, 1

N_ESTIMATORS = 60
N_REPEATS = 3
# Permutation importance scores classifiers by log loss: accuracy on a ~140-row test set moves in steps of
# one row (0.007), so most features' drops were 0 or one flipped row and the ranking was noise. Log loss
# sees every change in the predicted probabilities; regressors keep R² (already continuous).
PERM_SCORING = {datasets.CLASSIFICATION: "neg_log_loss", datasets.REGRESSION: None}
TEST_SIZE = 0.25
TOP_FEATURES = 10  # shown in the beeswarm / waterfall; the rest are summed into "other"
BEESWARM_ROWS = 200
LIME_SAMPLES = 600
LIME_SCALE = 0.5  # perturbation std, in units of each feature's training std
NOISE_COLUMN = "random_noise"
PDP_GRID = 20
ICE_LINES = 60


@dataclass
class Explained:
    """A fitted model with everything the page shows, computed once."""
    dataset: str
    task: str
    model_kind: str
    model: object
    feature_names: list[str]
    X_train: pd.DataFrame
    X_test: pd.DataFrame
    y_train: pd.Series
    y_test: pd.Series
    class_index: int  # the class whose output is explained (classification), 0 for regression
    output_name: str  # what the explained number is, e.g. "P(malignant)", "log-odds of ..." (see output_function)
    test_score: float
    score_name: str
    builtin_name: str  # "impurity importance" or "|standardised coefficient|"
    builtin: np.ndarray
    shap_values: np.ndarray  # (n_test, n_features) for the explained output
    base_value: float
    outputs: np.ndarray  # the explained model output on each test row
    predictions: np.ndarray  # predicted label (classification) or value (regression)
    n_classes: int = 0  # 0 for regression
    class_name: str = ""  # the explained class (classification)
    log_prob: np.ndarray | None = None  # log P(explained class) on each test row (linear classifier)
    log_odds: np.ndarray | None = None  # log P(k) - log(1 - P(k)) on each test row (linear classifier)
    seed: int = 0
    class_names: tuple[str, ...] = ()  # every class's name (classification)
    # permutation importance on the test set: None until computed (explain_locally leaves it out)
    perm_mean: np.ndarray | None = None
    perm_std: np.ndarray | None = None


def explained_class(ds: datasets.Dataset) -> int:
    """Binary: the positive class (index 1). Multi-class: the last class."""
    return 0 if ds.task == datasets.REGRESSION else ds.n_classes - 1


def add_noise_column(X: pd.DataFrame, seed: int) -> pd.DataFrame:
    """A pure-noise continuous column: the model cannot learn from it, yet impurity importance
    gives it credit because it offers many split points."""
    rng = np.random.default_rng(seed + 7)
    return X.assign(**{NOISE_COLUMN: rng.normal(size=len(X))})


def split(ds: datasets.Dataset, seed: int, noise_feature: bool = False):
    X = ds.X.astype(float)
    if noise_feature:
        X = add_noise_column(X, seed)
    strat = ds.y if ds.task == datasets.CLASSIFICATION else None
    return train_test_split(X, ds.y, test_size=TEST_SIZE, random_state=seed, stratify=strat)


def make_model(task: str, kind: str, seed: int):
    if kind == FOREST:
        cls = RandomForestClassifier if task == datasets.CLASSIFICATION else RandomForestRegressor
        return cls(n_estimators=N_ESTIMATORS, min_samples_leaf=2, random_state=seed, n_jobs=1)
    if task == datasets.CLASSIFICATION:
        return make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000))
    return make_pipeline(StandardScaler(), Ridge(alpha=1.0))


def output_function(model, task: str, kind: str, k: int):
    """The number SHAP explains: P(class k) for the forest; for the logistic model an output linear in
    the features (what LinearExplainer is exact for): the log-odds of class 1 when binary, class k's
    softmax logit centred over the classes when multi-class (see linear_output_coefficients); the
    prediction for regression."""
    if task == datasets.REGRESSION:
        return lambda X: model.predict(X)
    if kind == FOREST:
        return lambda X: model.predict_proba(X)[:, k]

    def logit(X):
        return centred_logit(model.decision_function(X), k)
    return logit


def centred_logit(d: np.ndarray, k: int) -> np.ndarray:
    """decision_function's class-k column minus the mean over classes (multi-class); binary: d itself,
    the log-odds of class 1."""
    d = np.asarray(d, dtype=float)
    return d if d.ndim == 1 else d[:, k] - d.mean(axis=1)


def linear_output_coefficients(lin, k: int) -> tuple[np.ndarray, float]:
    """Weights and intercept, on the standardised features, of the output the linear model explains.

    Binary logistic regression: its own coefficients; the output is the log-odds log P(1) / P(0).
    Multinomial (softmax) regression: one logit z_j per class and P(k) = exp(z_k) / sum_j exp(z_j). The
    softmax compares all classes at once (there is no "class k against the rest" model) and ignores a
    constant added to every logit, so the explained output is class k's logit centred over the classes,
    z_k - mean_j z_j = log P(k) - mean_j log P(j): coefficients coef_k - mean_j coef_j. scikit-learn's
    L2-penalised fit already gives logits that sum to zero; centring makes the identity exact by
    construction. It is not the log-odds log P(k) / (1 - P(k)). Ridge regression: its coefficients."""
    coef, intercept = np.atleast_2d(lin.coef_), np.atleast_1d(lin.intercept_)
    if coef.shape[0] == 1:
        return coef[0], float(intercept[0])
    return coef[k] - coef.mean(axis=0), float(intercept[k] - intercept.mean())


def class_log_probabilities(d: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """log P(k) and the log-odds log P(k) - log(1 - P(k)) from a logistic model's decision_function,
    without rounding P to 0 or 1 (binary: d is the log-odds of class 1)."""
    d = np.asarray(d, dtype=float)
    if d.ndim == 1:
        d = np.column_stack([np.zeros_like(d), d])  # softmax of (0, d) is the sigmoid of d
    log_norm = logsumexp(d, axis=1)
    others = logsumexp(np.delete(d, k, axis=1), axis=1)
    return d[:, k] - log_norm, d[:, k] - others


def n_repeats(n_features: int) -> int:
    """Permutation repeats: N_REPEATS, fewer for wide data (digits' 64 pixels) to stay under ~1.5 s."""
    return int(max(2, min(N_REPEATS, 150 // max(n_features, 1))))


PERM_CELLS = 10_000  # permutation importance shuffles at most this many test cells (rows x features)


def perm_max_samples(n_test: int, n_features: int) -> float:
    """Fraction of test rows permutation importance uses: all of them unless the test set is wide and
    long (digits: 450 x 64), where a subsample keeps the first run under ~1 s."""
    return float(min(1.0, PERM_CELLS / max(n_test * n_features, 1)))


def explain(ds: datasets.Dataset, model_kind: str, seed: int, noise_feature: bool = False) -> Explained:
    """Fit, score, importances (impurity/coef, permutation on test), SHAP values of the test set."""
    return with_permutation(explain_locally(ds, model_kind, seed, noise_feature))


def permutation(e: Explained) -> tuple[np.ndarray, np.ndarray]:
    """Permutation importance on the test set (mean and std over the repeats): the page's heaviest part,
    one model call per feature and repeat."""
    perm = permutation_importance(e.model, e.X_test, e.y_test, scoring=PERM_SCORING[e.task],
                                  n_repeats=n_repeats(e.X_train.shape[1]),
                                  max_samples=perm_max_samples(*e.X_test.shape), random_state=e.seed, n_jobs=1)
    return perm.importances_mean, perm.importances_std


def with_permutation(e: Explained, perm: tuple[np.ndarray, np.ndarray] | None = None) -> Explained:
    mean, std = perm if perm is not None else permutation(e)
    return replace(e, perm_mean=mean, perm_std=std)


def explain_locally(ds: datasets.Dataset, model_kind: str, seed: int, noise_feature: bool = False) -> Explained:
    """Fit, score, built-in importance and the SHAP values of the test set: everything but permutation
    importance (with_permutation adds it), which is all one row's explanation needs."""
    X_train, X_test, y_train, y_test = split(ds, seed, noise_feature)
    model = make_model(ds.task, model_kind, seed).fit(X_train, y_train)
    k = explained_class(ds)
    clf = ds.task == datasets.CLASSIFICATION
    names = list(X_train.columns)
    cls_name = ds.target_names[k] if clf else ""
    if not clf:
        output_name = "predicted value"
    elif model_kind == FOREST:
        output_name = f"P({cls_name})"
    elif ds.n_classes == 2:
        output_name = f"log-odds of {cls_name}"
    else:
        output_name = f"softmax logit z of {cls_name}"
    score_name = "accuracy" if clf else "R²"
    test_score = float(model.score(X_test, y_test))
    if model_kind == FOREST:
        builtin_name = "impurity importance"
        builtin = model.feature_importances_
        explainer = shap.TreeExplainer(model)
        sv = np.asarray(explainer.shap_values(X_test, check_additivity=False))
        base = np.atleast_1d(explainer.expected_value)
        if clf:
            sv, base = sv[:, :, k], float(base[k])
        else:
            base = float(base[0])
    else:
        builtin_name = "|standardised coefficient|"
        scaler, lin = model[0], model[-1]
        weights, intercept = linear_output_coefficients(lin, k)
        builtin = np.abs(weights)
        Z_train = scaler.transform(X_train)
        explainer = shap.LinearExplainer((weights, intercept),
                                         shap.maskers.Independent(Z_train, max_samples=len(Z_train)))
        sv = np.asarray(explainer.shap_values(scaler.transform(X_test)))
        base = float(np.atleast_1d(explainer.expected_value)[0])
    f = output_function(model, ds.task, model_kind, k)
    log_prob = log_odds = None
    if clf and model_kind == LINEAR:  # what the logit means in probabilities, for the row's story
        log_prob, log_odds = class_log_probabilities(model.decision_function(X_test), k)
    return Explained(
        dataset=ds.name, task=ds.task, model_kind=model_kind, model=model, feature_names=names,
        X_train=X_train, X_test=X_test, y_train=y_train, y_test=y_test, class_index=k,
        output_name=output_name, test_score=test_score, score_name=score_name,
        builtin_name=builtin_name, builtin=np.asarray(builtin, dtype=float),
        shap_values=sv, base_value=base, outputs=np.asarray(f(X_test), dtype=float),
        predictions=np.asarray(model.predict(X_test)), n_classes=ds.n_classes, class_name=cls_name,
        log_prob=log_prob, log_odds=log_odds, seed=seed, class_names=tuple(ds.target_names) if clf else ())


def _share(v: np.ndarray) -> np.ndarray:
    v = np.clip(np.asarray(v, dtype=float), 0, None)
    s = v.sum()
    return v / s if s > 0 else v


def importance_table(e: Explained) -> pd.DataFrame:
    """Built-in vs permutation vs mean |SHAP|, each as a share of its total (so they compare)."""
    mean_abs = np.abs(e.shap_values).mean(axis=0)
    df = pd.DataFrame({
        "feature": e.feature_names,
        e.builtin_name: e.builtin,
        "permutation (test drop in score)": e.perm_mean,
        "permutation std": e.perm_std,
        "mean |SHAP|": mean_abs,
    })
    df["share: " + e.builtin_name] = _share(e.builtin)
    df["share: permutation"] = _share(e.perm_mean)
    df["share: mean |SHAP|"] = _share(mean_abs)
    return df.sort_values("share: mean |SHAP|", ascending=False, ignore_index=True)


def importance_long(table: pd.DataFrame, top: int = TOP_FEATURES) -> pd.DataFrame:
    """Long format for a grouped bar chart over the union of each method's top features, and the
    pure-noise column whenever it is there (its small or zero shares are the point of adding it)."""
    share_cols = [c for c in table.columns if c.startswith("share: ")]
    keep = set(table["feature"]) & {NOISE_COLUMN}
    for c in share_cols:
        keep |= set(table.nlargest(top, c)["feature"])
    sub = table[table["feature"].isin(keep)]
    long = sub.melt(id_vars="feature", value_vars=share_cols, var_name="method", value_name="share")
    long["method"] = long["method"].str.replace("share: ", "", regex=False)
    return long


def ranked_features(e: Explained) -> list[str]:
    """Features ordered by permutation importance (ties broken by mean |SHAP|)."""
    t = importance_table(e)
    return list(t.sort_values(["permutation (test drop in score)", "mean |SHAP|"], ascending=False)["feature"])


def beeswarm_frame(e: Explained, top: int = TOP_FEATURES, max_rows: int = BEESWARM_ROWS, seed: int = 0) -> pd.DataFrame:
    """One point per (row, feature): SHAP value on x, feature on y, the feature's value as colour
    (its rank within the feature, 0 = lowest, 1 = highest) and a jitter to spread the swarm."""
    order = np.argsort(-np.abs(e.shap_values).mean(axis=0))[:top]
    n = e.shap_values.shape[0]
    rng = np.random.default_rng(seed)
    rows = np.arange(n) if n <= max_rows else np.sort(rng.choice(n, max_rows, replace=False))
    parts = []
    for j in order:
        vals = e.X_test.iloc[rows, j].to_numpy(dtype=float)
        rank = pd.Series(vals).rank(pct=True).to_numpy() if np.ptp(vals) > 0 else np.full(len(vals), 0.5)
        parts.append(pd.DataFrame({
            "feature": e.feature_names[j], "shap": e.shap_values[rows, j], "feature value": vals,
            "value rank": rank, "jitter": rng.uniform(-1, 1, len(rows)), "row": rows}))
    return pd.concat(parts, ignore_index=True)


WATERFALL_TOP = 8  # contributions the waterfall shows one by one (the rest are summed)


def waterfall_frame(e: Explained, row: int, top: int = WATERFALL_TOP) -> pd.DataFrame:
    """Base value, the row's largest contributions, the rest summed, the model's output.

    start/end are the running total before/after each step, so the bars chain from the base
    value to the output: base + sum(contributions) == output (SHAP's additivity)."""
    sv = e.shap_values[row]
    x = e.X_test.iloc[row].to_numpy(dtype=float)  # one row lookup, not one .iloc per feature
    order = np.argsort(-np.abs(sv))
    steps = [(f"{e.feature_names[j]} = {x[j]:.4g}", float(sv[j])) for j in order[:top]]
    rest = order[top:]
    if len(rest):
        steps.append((f"{len(rest)} other features", float(sv[rest].sum())))
    recs = [{"step": "base value (average output)", "start": 0.0, "end": e.base_value,
             "contribution": e.base_value, "kind": "base"}]
    total = e.base_value
    for label, c in steps:
        recs.append({"step": label, "start": total, "end": total + c, "contribution": c,
                     "kind": "pushes up" if c >= 0 else "pushes down"})
        total += c
    recs.append({"step": "model output", "start": 0.0, "end": total, "contribution": total, "kind": "output"})
    df = pd.DataFrame(recs)
    df["order"] = np.arange(len(df))
    return df


def narrative(e: Explained, row: int, class_names: tuple[str, ...] = ()) -> str:
    """A plain-language 'why' for one prediction, e.g. why a customer is predicted to churn."""
    sv = e.shap_values[row]
    shown = set(np.argsort(-np.abs(sv))[:WATERFALL_TOP].tolist())  # the waterfall's own bars, nothing it folds away
    order = np.argsort(-sv)
    up = [j for j in order if sv[j] > 0 and j in shown][:3]
    down = [j for j in order[::-1] if sv[j] < 0 and j in shown][:3]
    x = e.X_test.iloc[row].to_numpy(dtype=float)
    fmt = lambda js: (", ".join(f"**{e.feature_names[j]} = {x[j]:.4g}** ({sv[j]:+.3g})" for j in js)
                      or f"nothing among the {WATERFALL_TOP} largest contributions")
    pred = e.predictions[row]
    if e.task == datasets.CLASSIFICATION and class_names:
        said = f"predicts **{class_names[int(pred)]}** (true: {class_names[int(e.y_test.iloc[row])]})"
    else:
        said = f"predicts **{float(pred):.4g}** (true: {float(e.y_test.iloc[row]):.4g})"
    return (f"For this row the model {said}. Its {e.output_name} is **{e.outputs[row]:.3f}** against an average "
            f"of **{e.base_value:.3f}**.{probability_note(e, row)} Pushing it up: {fmt(up)}. "
            f"Pushing it down: {fmt(down)}.")


def probability_note(e: Explained, row: int) -> str:
    """What the linear classifier's explained output means for this row in probabilities: binary, the
    probability its log-odds gives; multi-class, that the softmax logit z is not the log-odds, with both
    numbers (both are log P(k) minus something: log P(not k) for the log-odds, the mean log P over the
    classes for z). Empty for other models (the forest's output is already a probability)."""
    if e.log_odds is None:
        return ""
    cls, z, lp, lo = e.class_name, float(e.outputs[row]), float(e.log_prob[row]), float(e.log_odds[row])
    p = f"P({cls}) = {np.exp(lp):.3g}"
    if e.n_classes == 2:
        return f" In probability: {p}."
    same = round(z, 3) == round(lo, 3)
    return ((f" Here it happens to equal the log-odds of {cls}" if same else f" It is not the log-odds of {cls}")
            + f": {p} gives log P/(1 − P) = **{lo:.3f}**. Both start from log P({cls}) = {lp:.3f}: the log-odds "
            f"subtracts log P(not {cls}) = {lp - lo:.3g}, z subtracts the mean of log P over the {e.n_classes} "
            f"classes, {lp - z:.3g}.")


def class_note(e: Explained) -> str:
    """For multi-class data: which class the page explains and what the explained number is."""
    cls, n = e.class_name, e.n_classes
    head = f"**{e.dataset}** has {n} classes: the page explains the last one, **{cls}**"
    if e.model_kind == FOREST:
        return head + f", through the forest's predicted probability P({cls})."
    return (head + ". The logistic model is multinomial: one logit z per class, each linear in the features, "
            f"and the softmax turns all {n} into probabilities at once, P(class) = exp(its z) / the sum of "
            f"exp(z) over the {n} classes. There is no \"{cls} against the rest\" model. The softmax ignores a "
            "constant added to every logit, so the page explains the logit centred over the classes: "
            f"**z = log P({cls}) − the mean of log P over the {n} classes**, not the log-odds log P/(1 − P). "
            "The row's story below gives both.")


def beeswarm_caption(e: Explained, bees: pd.DataFrame) -> str:
    """The beeswarm's legend in words, with how many test rows it draws."""
    shown, n_test = bees["row"].nunique(), len(e.X_test)
    rows = f"one of {shown} test rows" + ("" if shown == n_test else f" (a random {shown} of the {n_test})")
    return (f"**SHAP summary (beeswarm)**: each dot is {rows}; right of zero pushes the {e.output_name} up. "
            "Colour is the feature's value, ranked within the feature (blue lowest, vermilion highest).")


def lime_surrogate(e: Explained, row: int, n_features: int = LIME_K_DEFAULT, seed: int = 0,
                   n_samples: int = LIME_SAMPLES, scale: float = LIME_SCALE) -> dict:
    """A LIME-style local surrogate, hand-written: perturb around the row (Gaussian, LIME_SCALE
    training std per feature), weight samples by the kernel exp(-d^2 / w^2) on the distance d in
    training standard deviations (w = 0.75·sqrt(p), LIME's default width; LIME's kernel is the square
    root of this one), pick the n_features with the largest weighted ridge weights and refit an
    unpenalised weighted linear model on them. How it differs from the lime package: LIME_VS_PACKAGE.

    Why by hand: the `lime` package is unmaintained (last release 2020), pulls matplotlib and
    scikit-image, and is not a dependency of this project; the method itself is a few lines of
    scikit-learn. Returns the weights (per training std), the local fidelity (weighted R²) and
    the surrogate's prediction at the row next to the model's."""
    return lime_fit(e.feature_names, lime_samples(e, row, seed, n_samples, scale), n_features)


def _lime_inputs(e: Explained, seed: int, n_samples: int, scale: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Standard normal draws Z (the same for every row: one seed), the training standard deviations
    and the test rows, as floats."""
    sd = e.X_train.to_numpy(dtype=float).std(axis=0)
    sd = np.where(sd > 0, sd, 1.0)
    Z = np.random.default_rng(seed).normal(size=(n_samples, len(e.feature_names)))
    Z[0] = 0.0  # the row itself
    return Z, sd, e.X_test.to_numpy(dtype=float)


def _lime_design(Z: np.ndarray, scale: float) -> tuple[np.ndarray, np.ndarray]:
    """The copies' displacements D in training standard deviations and their kernel weights exp(-d²/w²)
    (d: the standardised distance to the row, w = 0.75·sqrt(p)); the same for every row."""
    D = Z * scale
    width = 0.75 * np.sqrt(Z.shape[1])
    dist = np.sqrt((D ** 2).sum(axis=1))  # standardised distance to the row
    return D, np.exp(-(dist ** 2) / width ** 2)


def lime_outputs(e: Explained, seed: int = 0, n_samples: int = LIME_SAMPLES, scale: float = LIME_SCALE,
                 rows_per_call: int = 64) -> np.ndarray:
    """The model's output on every test row's perturbed copies, shape (test rows, n_samples): what
    lime_samples computes for one row, for all rows with one model call per block of rows. Computed
    once per fit, it makes a row switch free of model calls (a forest's predict_proba for one row's
    copies cost more than everything else a row switch does)."""
    f = output_function(e.model, e.task, e.model_kind, e.class_index)
    Z, sd, X = _lime_inputs(e, seed, n_samples, scale)
    shift = Z * sd * scale
    out = np.empty((len(X), n_samples))
    for s in range(0, len(X), rows_per_call):
        block = (X[s:s + rows_per_call, None, :] + shift[None]).reshape(-1, X.shape[1])
        out[s:s + rows_per_call] = np.asarray(f(pd.DataFrame(block, columns=e.feature_names)),
                                              dtype=float).reshape(-1, n_samples)
    return out


def lime_samples(e: Explained, row: int, seed: int = 0, n_samples: int = LIME_SAMPLES,
                 scale: float = LIME_SCALE, outputs: np.ndarray | None = None) -> dict:
    """The part of lime_surrogate that calls the model: the perturbed copies of the row (as
    displacements D in training standard deviations), the model's output on each (or the row's line
    of lime_outputs when given), their kernel weights and the full weighted ridge fit that ranks the
    features. It does not depend on how many features the surrogate keeps, so the page caches it per row."""
    Z, sd, X = _lime_inputs(e, seed, n_samples, scale)
    x = X[[row]]
    if outputs is None:
        f = output_function(e.model, e.task, e.model_kind, e.class_index)
        yp = f(pd.DataFrame(x + Z * sd * scale, columns=e.feature_names))
    else:
        yp = outputs[row]
    D, w = _lime_design(Z, scale)
    full = Ridge(alpha=1e-3).fit(D, yp, sample_weight=w)
    return {"x": x[0], "D": D, "y": np.asarray(yp, dtype=float), "w": w, "rank": np.argsort(-np.abs(full.coef_)),
            "full_fidelity": float(full.score(D, yp, sample_weight=w))}


LIME_FIDELITY_CLOSE = 0.9  # weighted R² from which the page says the line tracks the model closely


def lime_verdict(lime: dict) -> str:
    """How well the surrogate fits, and why not when it does not: compared with a line on every feature
    (lime_samples' full fit), a poor k-feature fit either leaves out features that matter here (the full
    line fits) or meets a model that curves near the row (the full line does not fit either)."""
    f, full, k, p = lime["fidelity"], lime["full_fidelity"], len(lime["weights"]), lime["n_all"]
    said = f"The {k}-feature line explains {f:.0%} of the output's weighted variation near this row"
    if f >= LIME_FIDELITY_CLOSE:
        return said + ": it tracks the model closely."
    if full >= LIME_FIDELITY_CLOSE:
        return (said + f"; a line on all {p} features explains {full:.0%}, so the features left out matter here: "
                "more features in the surrogate, or read these weights as part of the story.")
    if k < p:
        return (said + f"; even a line on all {p} features explains only {full:.0%}: the model is not linear near this "
                "row, trust the surrogate less.")
    return said + ": the model is not linear near this row, trust the surrogate less."


def lime_text(lime: dict, e: Explained) -> str:
    """What the surrogate beside it is and how well it fits: its numbers and lime_verdict."""
    p = len(e.feature_names)
    f = lime["fidelity"]
    verdict = lime_verdict(lime)
    return (f"**LIME-style surrogate**: {LIME_SAMPLES} copies of the row, each feature moved by a normal draw of "
            f"{LIME_SCALE:g} training standard deviations, weighted by closeness (exp(−d²/w²), d in training "
            f"standard deviations, w = 0.75·√{p} = {0.75 * np.sqrt(p):.2f}), and a {len(lime['weights'])}-feature "
            "linear model "
            f"fitted by weighted least squares to the model's {e.output_name} on them. Local fidelity (weighted R²) "
            f"**{f:.2f}**; surrogate at the row {lime['surrogate_at_row']:.4f} vs model {lime['model_at_row']:.4f}. "
            f"Weights are slopes: the change in output per +1 training standard deviation. {verdict}")


LIME_VS_PACKAGE = (
    "**Not the `lime` package's weights.** Its `LimeTabularExplainer`, with its defaults, cuts every feature into "
    "its training quartiles, draws each perturbed value from the training data (a quartile with its training "
    "frequency, then a value inside it), not around the row, and fits on yes/no features \"in the same quartile "
    "as this row\": its weights are the effect of sitting in the row's quartile, not slopes. Its squared distance "
    "is the number of features outside the row's quartile, its kernel is √exp(−d²/w²) (the same w = 0.75·√p), "
    "and it takes 5,000 samples, picks features by forward selection (when 6 or fewer are asked for) or by "
    "largest weights, fits "
    "Ridge(α = 1) and, for a classifier, explains probabilities. Here: copies around the row, the raw features, "
    f"exp(−d²/w²) on distance in training standard deviations, {LIME_SAMPLES} samples, largest weights, "
    "unpenalised least squares, on the same output as SHAP.")


def lime_fit(feature_names: list[str], samples: dict, n_features: int = LIME_K_DEFAULT) -> dict:
    """lime_surrogate's last step: the weighted linear model on the n_features top-ranked features."""
    D, yp, w, x = samples["D"], samples["y"], samples["w"], samples["x"]
    k = int(min(n_features, D.shape[1]))
    chosen = np.sort(samples["rank"][:k])
    sur = LinearRegression().fit(D[:, chosen], yp, sample_weight=w)
    fidelity = float(sur.score(D[:, chosen], yp, sample_weight=w))
    weights = pd.DataFrame({"feature": [feature_names[j] for j in chosen], "weight": sur.coef_,
                            "value": x[chosen]}).sort_values("weight", key=np.abs, ascending=False,
                                                              ignore_index=True)
    return {"weights": weights, "fidelity": fidelity, "surrogate_at_row": float(sur.intercept_),
            "model_at_row": float(yp[0]), "full_fidelity": samples["full_fidelity"], "n_all": D.shape[1]}


def lime_weights_every_row(e: Explained, outputs: np.ndarray, n_features: int = LIME_K_DEFAULT, seed: int = 0,
                           n_samples: int = LIME_SAMPLES, scale: float = LIME_SCALE) -> pd.DataFrame:
    """lime_fit's weights at every test row at once (outputs: lime_outputs), in long format: row, then
    lime_fit's columns and order (feature, weight, value; largest |weight| first). For the surrogate chart
    that holds every row. The copies' displacements and kernel weights are the same for every row (one
    seed), only the model's outputs differ: one multi-output ridge ranks every row's features, and the rows
    that keep the same features share one weighted least-squares solve (as LinearRegression does it:
    weighted centring, then rows scaled by the square root of their weight). tests/test_interpretability.py
    compares each row's weights with lime_fit's."""
    Z, _, X = _lime_inputs(e, seed, n_samples, scale)
    D, w = _lime_design(Z, scale)
    Y = outputs[:, :n_samples]
    rank = np.argsort(-np.abs(Ridge(alpha=1e-3).fit(D, Y.T, sample_weight=w).coef_), axis=1)
    k = int(min(n_features, D.shape[1]))
    chosen = np.sort(rank[:, :k], axis=1)
    root = np.sqrt(w)[:, None]
    centred_y = (Y - (Y @ w / w.sum())[:, None]).T * root  # (samples, rows)
    slopes = np.empty((len(Y), k))
    for features in np.unique(chosen, axis=0):
        rows = np.flatnonzero((chosen == features).all(axis=1))
        Dk = D[:, features]
        slopes[rows] = np.linalg.lstsq((Dk - np.average(Dk, axis=0, weights=w)) * root, centred_y[:, rows],
                                       rcond=None)[0].T
    order = np.argsort(-np.abs(slopes), axis=1, kind="stable")
    features = np.take_along_axis(chosen, order, axis=1)
    return pd.DataFrame({"row": np.repeat(np.arange(len(Y)), k),
                         "feature": np.asarray(e.feature_names, dtype=object)[features].ravel(),
                         "weight": np.take_along_axis(slopes, order, axis=1).ravel(),
                         "value": np.take_along_axis(X, features, axis=1).ravel()})


def pdp_rows(e: Explained, seed: int = 0) -> pd.DataFrame:
    """The training rows the ICE lines follow (ICE_LINES of them, sampled with the seed)."""
    return e.X_train.sample(ICE_LINES, random_state=seed) if len(e.X_train) > ICE_LINES else e.X_train


def pdp_response_method(e: Explained) -> str:
    """The output partial_dependence averages: the one SHAP explains (probability for the forest,
    decision_function for the logistic model, whose logits are linear in the features)."""
    if e.task == datasets.CLASSIFICATION and e.model_kind == LINEAR:
        return "decision_function"
    return "auto"


def pdp_frame(e: Explained, feature: str, seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Partial dependence (average) and ICE lines (one per sampled training row) for one feature,
    from sklearn.inspection.partial_dependence, on the output SHAP explains (e.output_name): a linear
    model's lines are then exactly parallel (no interactions in its logit), where on the probability
    scale the sigmoid would bend each row's line differently."""
    res = partial_dependence(e.model, pdp_rows(e, seed), [feature], kind="both", grid_resolution=PDP_GRID,
                             response_method=pdp_response_method(e))
    grid = res["grid_values"][0]
    avg = np.asarray(res["average"])
    ice = np.asarray(res["individual"])
    if e.task == datasets.CLASSIFICATION and avg.shape[0] > 1:
        k = e.class_index
        if e.model_kind == LINEAR:  # the centred logit (linear_output_coefficients)
            avg, ice = avg[k] - avg.mean(axis=0), ice[k] - ice.mean(axis=0)
        else:
            avg, ice = avg[k], ice[k]
    else:
        avg, ice = avg[0], ice[0]
    pd_df = pd.DataFrame({feature: grid, "average": avg})
    ice_df = pd.DataFrame(ice, columns=grid).assign(line=np.arange(ice.shape[0])).melt(
        id_vars="line", var_name=feature, value_name="prediction")
    ice_df[feature] = ice_df[feature].astype(float)
    return pd_df, ice_df


PARALLEL_TOL = 1e-9  # centred ICE lines closer than this (relative to the output's size) coincide


def ice_summary(e: Explained, feature: str, pd_df: pd.DataFrame, ice_df: pd.DataFrame, seed: int = 0) -> dict:
    """The numbers the PDP's sentences state.

    Interaction: each ICE line minus its own value at the grid's first point (centred ICE); if the
    feature acts the same in every row the centred lines coincide. `spread` is the standard deviation
    across lines of the centred curves, averaged over the grid; `pdp_range` the PDP's max - min.
    Extrapolation: the feature's most correlated other feature in the training data (`partner`, r) and
    the share of the PDP's (grid value, sampled row) pairs that lie farther from the straight-line trend
    of partner on feature than any training row (the least-squares line fitted on the training data)."""
    lines = ice_df.pivot(index="line", columns=feature, values="prediction").to_numpy(dtype=float)
    grid = pd_df[feature].to_numpy(dtype=float)
    centred = lines - lines[:, [0]]
    spread = float(centred.std(axis=0).mean())
    parallel = spread <= PARALLEL_TOL * max(1.0, float(np.abs(lines).max()))
    out = {"n_lines": lines.shape[0], "n_grid": len(grid), "spread": spread, "parallel": bool(parallel),
           "pdp_range": float(np.ptp(pd_df["average"].to_numpy(dtype=float))), "partner": None}
    X = e.X_train.to_numpy(dtype=float)
    j = e.feature_names.index(feature)
    sd = X.std(axis=0)
    others = [m for m in range(X.shape[1]) if m != j and sd[m] > 0]
    if sd[j] == 0 or not others or len(grid) < 2:
        return out
    Xc = X - X.mean(axis=0)
    r = (Xc[:, others] * Xc[:, [j]]).mean(axis=0) / (sd[others] * sd[j])
    m = others[int(np.argmax(np.abs(r)))]
    slope = float((Xc[:, m] * Xc[:, j]).mean() / sd[j] ** 2)
    centre_x, centre_partner = X[:, j].mean(), X[:, m].mean()
    widest = float(np.abs(Xc[:, m] - slope * Xc[:, j]).max())  # the training rows' largest distance from the trend
    partner_vals = pdp_rows(e, seed).iloc[:, m].to_numpy(dtype=float)
    on_trend = centre_partner + slope * (grid - centre_x)
    off = np.abs(partner_vals[:, None] - on_trend[None, :]) > widest * (1 + 1e-12)
    out.update(partner=e.feature_names[m], r=float(r[others.index(m)]), off_share=float(off.mean()),
               n_pairs=int(off.size))
    return out


def ice_text(s: dict, feature: str, output_name: str) -> str:
    """The PDP's sentences from ice_summary's numbers: how far from parallel the ICE lines are and how
    much of the average rests on combinations of values the training data does not have."""
    n = s["n_lines"]
    if s["parallel"]:
        shape = (f"The {n} ICE lines are parallel: shifted to start at 0 at the grid's first value, they coincide, so "
                 f"{feature} moves the {output_name} by the same amount in every row (no interaction with the other "
                 f"features) and the PDP, range {s['pdp_range']:.3g}, loses nothing by averaging.")
    else:
        shape = (f"The {n} ICE lines are not parallel: shifted to start at 0 at the grid's first value, they spread by "
                 f"{s['spread']:.3g} on average (standard deviation across lines) against a PDP range of "
                 f"{s['pdp_range']:.3g}. So the effect of {feature} differs from row to row: it interacts with other "
                 "features, which the average (PDP) hides. Lines need not cross for that; not being parallel is "
                 "enough.")
    if s["partner"] is None:
        return shape
    share = s["off_share"]
    pct = f"{share:.1%}" if share < 0.01 else f"{share:.0%}"  # a few pairs do not round to "0%"
    where = (f"{pct} of those {s['n_pairs']} combinations lie farther from the straight-line trend between the "
             "two than any training row does: that part of the average rests on inputs the model never saw "
             "(it extrapolates)." if share > 0 else
             f"none of those {s['n_pairs']} combinations lies farther from the straight-line trend between the two "
             "than the training rows do, so by this measure the PDP stays within the data.")
    return (shape + f" **Correlated features**: the feature most correlated with {feature} in the training data is "
            f"**{s['partner']}** (r = {s['r']:+.2f}). The PDP sets {feature} to each of its {s['n_grid']} grid "
            f"values in each of the {n} sampled rows, keeping the row's {s['partner']}: " + where)


def loader_code(dataset: str, n_samples: int = 300, noise: float = 0.25, seed: int = 0) -> str:
    """Self-contained code that builds X (DataFrame) and y (Series) exactly as components.datasets
    does, so an exported script runs anywhere (the churn CSV is read from this project's folder)."""
    bundled = {"breast_cancer": "load_breast_cancer", "wine": "load_wine", "iris": "load_iris",
               "diabetes": "load_diabetes"}
    if dataset in bundled:
        return f"d = datasets.{bundled[dataset]}(as_frame=True); X, y = d.data, d.target"
    if dataset == "digits":
        return ("d = datasets.load_digits()\n"
                "X = pd.DataFrame(d.data, columns=[f'px{i // 8}_{i % 8}' for i in range(64)]); y = pd.Series(d.target)")
    if dataset == "churn":
        path = str(datasets.SAMPLE_DATA / "churn.csv")
        return (f"df = pd.read_csv({path!r})  # ML Explorer's sample_data/churn.csv\n"
                "y = df.pop('churned').astype(int)\nX = pd.get_dummies(df, columns=['contract'], dtype=float)")
    gen = {
        "moons": f"datasets.make_moons(n_samples={n_samples}, noise={noise}, random_state={seed})",
        "circles": f"datasets.make_circles(n_samples={n_samples}, noise={noise}, factor=0.5, random_state={seed})",
        "blobs": f"datasets.make_blobs(n_samples={n_samples}, centers=2, cluster_std={1.0 + 4 * noise}, random_state={seed})",
    }
    if dataset in gen:
        return f"Xa, ya = {gen[dataset]}\nX, y = pd.DataFrame(Xa, columns=['x1', 'x2']), pd.Series(ya)"
    if dataset == "xor":
        return ("# XOR: four Gaussian blobs on the corners of a square, label = sign(x1) XOR sign(x2)\n"
                f"rng = np.random.default_rng({seed})\n"
                "corners = np.array([[-1, -1], [1, 1], [-1, 1], [1, -1]], dtype=float)\n"
                f"idx = rng.integers(0, 4, size={n_samples})\n"
                f"Xa = corners[idx] + rng.normal(scale={max(noise, 1e-6) * 1.5}, size=({n_samples}, 2))\n"
                "X, y = pd.DataFrame(Xa, columns=['x1', 'x2']), pd.Series(np.array([0, 0, 1, 1])[idx])")
    raise KeyError(dataset)


@functools.lru_cache(maxsize=32)
def _dataset_shape(dataset: str, n_samples: int, noise: float, seed: int) -> tuple[int, int, int]:
    """Rows, features and classes (export_code needs only these; loading the table took ~4 ms a call)."""
    ds = datasets.load(dataset, n_samples, noise, seed)
    return len(ds.y), len(ds.feature_names), ds.n_classes


def export_code(dataset: str, model_kind: str, seed: int, noise_feature: bool, row: int,
                n_samples: int = 300, noise: float = 0.25) -> str:
    """A runnable script for the current settings; last stdout line = JSON of the page's numbers."""
    loader = loader_code(dataset, n_samples, noise, seed)
    task = datasets.REGISTRY[dataset].task
    n_rows, n_real, n_classes = _dataset_shape(dataset, n_samples, noise, seed)
    n_features = n_real + int(noise_feature)
    reps = n_repeats(n_features)
    frac = perm_max_samples(int(np.ceil(TEST_SIZE * n_rows)), n_features)
    clf = task == datasets.CLASSIFICATION
    forest = model_kind == FOREST
    if forest:
        model = (f"RandomForestClassifier(n_estimators={N_ESTIMATORS}, min_samples_leaf=2, random_state=SEED, n_jobs=1)" if clf
                 else f"RandomForestRegressor(n_estimators={N_ESTIMATORS}, min_samples_leaf=2, random_state=SEED, n_jobs=1)")
    else:
        model = ("make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000))" if clf
                 else "make_pipeline(StandardScaler(), Ridge(alpha=1.0))")
    lines = [
        "import json", "import numpy as np", "import pandas as pd", "import shap",
        "from sklearn import datasets",
        "from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor",
        "from sklearn.inspection import permutation_importance",
        "from sklearn.linear_model import LogisticRegression, Ridge",
        "from sklearn.model_selection import train_test_split",
        "from sklearn.pipeline import make_pipeline",
        "from sklearn.preprocessing import StandardScaler", "",
        f"SEED, ROW = {seed}, {row}",
        loader,
    ]
    if noise_feature:
        lines.append(f"X = X.assign({NOISE_COLUMN}=np.random.default_rng(SEED + 7).normal(size=len(X)))  # pure noise")
    lines += [
        "X = X.astype(float)",
        f"X_train, X_test, y_train, y_test = train_test_split(X, y, test_size={TEST_SIZE}, random_state=SEED"
        + (", stratify=y)" if clf else ")"),
        f"model = {model}.fit(X_train, y_train)",
        (f"perm = permutation_importance(model, X_test, y_test, scoring={PERM_SCORING[task]!r}, n_repeats={reps}, "
         f"max_samples={frac!r}, random_state=SEED, n_jobs=1)"),
        "k = " + ("len(np.unique(y)) - 1  # explained class: the positive (binary) or last class" if clf else "0"),
    ]
    if forest:
        lines += [
            "explainer = shap.TreeExplainer(model)",
            "sv = np.asarray(explainer.shap_values(X_test, check_additivity=False))",
            "base = np.atleast_1d(explainer.expected_value)",
            ("sv, base = sv[:, :, k], float(base[k])\noutput = model.predict_proba(X_test)[:, k]" if clf
             else "base = float(base[0])\noutput = model.predict(X_test)"),
            "builtin = model.feature_importances_",
        ]
    else:
        multi = n_classes > 2
        if multi:
            weights = ("# multinomial (softmax): explain class k's logit centred over the classes,\n"
                       "# z = log P(k) - mean over classes of log P (not the log-odds log P / (1 - P))\n"
                       "w, b = coef[k] - coef.mean(axis=0), float(intercept[k] - intercept.mean())")
        else:
            weights = ("w, b = coef[0], float(intercept[0])  # "
                       + ("the log-odds of class 1" if clf else "the prediction"))
        lines += [
            "scaler, lin = model[0], model[-1]",
            "coef, intercept = np.atleast_2d(lin.coef_), np.atleast_1d(lin.intercept_)",
            weights,
            "explainer = shap.LinearExplainer((w, b), shap.maskers.Independent(scaler.transform(X_train),",
            "                                                                  max_samples=len(X_train)))",
            "sv = np.asarray(explainer.shap_values(scaler.transform(X_test)))",
            "base = float(np.atleast_1d(explainer.expected_value)[0])",
            "builtin = np.abs(w)",
        ]
        if multi:
            lines.insert(lines.index("import shap") + 1, "from scipy.special import logsumexp")
            lines += [
                "d = model.decision_function(X_test)",
                "output = d[:, k] - d.mean(axis=1)",
                "log_p = d[:, k] - logsumexp(d, axis=1)  # log P(k), without rounding P to 0",
                "log_odds = d[:, k] - logsumexp(np.delete(d, k, axis=1), axis=1)  # log P(k) - log(1 - P(k))",
            ]
        elif clf:
            lines += ["output = log_odds = model.decision_function(X_test)"]
        else:
            lines += ["output = model.predict(X_test)"]
    lines += [
        "row = ROW % len(X_test)",
        "print('test score:', round(model.score(X_test, y_test), 4))",
        "for name, b, p, s in sorted(zip(X.columns, builtin, perm.importances_mean, np.abs(sv).mean(0)), key=lambda t: -t[3])[:10]:",
        "    print(f'{name:>28}  built-in {b:.4f}  permutation {p:+.4f}  mean|SHAP| {s:.4f}')",
        "print('row', row, ': base', round(base, 4), '+ sum of SHAP', round(sv[row].sum(), 4), '= output', round(output[row], 4))",
    ]
    if clf and not forest:
        lines.append("print('row', row, ': log-odds of class k', round(log_odds[row], 4))")
    lines += [
        "print(json.dumps({'test_score': float(model.score(X_test, y_test)), 'base_value': base,",
        "                  'row_output': float(output[row]), 'row_shap_sum': float(sv[row].sum()),",
        "                  'row_log_odds': " + ("float(log_odds[row])," if clf and not forest else "None,"),
        "                  'top_permutation_feature': str(X.columns[int(np.argmax(perm.importances_mean))])}))",
    ]
    return "\n".join(lines) + "\n"


def page_numbers(e: Explained, row: int) -> dict:
    """The numbers the exported script prints, computed by the page."""
    row = row % len(e.X_test)
    return {"test_score": e.test_score, "base_value": e.base_value, "row_output": float(e.outputs[row]),
            "row_shap_sum": float(e.shap_values[row].sum()),
            "row_log_odds": None if e.log_odds is None else float(e.log_odds[row]),
            "top_permutation_feature": e.feature_names[int(np.argmax(e.perm_mean))]}



# ---- the page's settings, cached computations and charts ----
@dataclass(frozen=True)
class FitSettings:
    """What one fit depends on: the dataset (with the generation settings of a 2-D set; n_samples 0 for
    a bundled table), the seed, the model and the noise column. The row, the surrogate size and the PDP
    feature only read the fit's cached results."""
    dataset: str
    n_samples: int = 0
    noise: float = 0.0
    seed: int = 0
    model_kind: str = MODEL_DEFAULT
    noise_feature: bool = NOISE_DEFAULT

    def data(self) -> datasets.Dataset:
        return datasets.load(self.dataset, n_samples=self.n_samples or 300, noise=self.noise, seed=self.seed)


@memo.cached(max_entries=8, shared=True, progress="Fitting the model and computing its SHAP values…")
def local_fit(s: FitSettings) -> Explained:
    """The fitted model, its test outputs and SHAP values (a fitted model and arrays: shared, read-only)."""
    return explain_locally(s.data(), s.model_kind, s.seed, s.noise_feature)


@memo.cached(max_entries=8, progress="Permutation importance: shuffling each column of the test set, a few "
                                     "times (first time for this model only)…")
def permutation_scores(s: FitSettings) -> tuple[np.ndarray, np.ndarray]:
    return permutation(local_fit(s))


@memo.cached(max_entries=8, shared=True)
def full_fit(s: FitSettings) -> Explained:
    """local_fit with permutation importance: what the global panel and the PDP ranking read."""
    return with_permutation(local_fit(s), permutation_scores(s))


def disagreement_text(e: Explained, table: pd.DataFrame) -> str:
    """Why the three importances disagree, with the noise column's shares when it is there."""
    clf = e.task == datasets.CLASSIFICATION
    noise_note = ""
    if NOISE_COLUMN in e.feature_names:
        row_noise = table[table["feature"] == NOISE_COLUMN].iloc[0]
        noise_note = (f" Here the noise column gets **{row_noise['share: ' + e.builtin_name]:.1%}** of the "
                      f"{e.builtin_name} but **{row_noise['share: permutation']:.1%}** of the permutation importance.")
    return (("**Why they disagree.** Impurity importance is measured on the *training* data while the trees were "
             "built: it rewards features with many split points (continuous, high-cardinality, even noise) and "
             "splits that only fit noise. " if e.model_kind == FOREST else
             "**Why they disagree.** A standardised coefficient says how much the output moves per standard "
             "deviation of a feature *holding the others fixed*; correlated features share or swap that weight. ")
            + "Permutation importance shuffles one column of the *test* set and measures how much worse the "
            + ("test log loss gets (log loss, not accuracy: on a small test set accuracy moves in steps of one row): "
               if clf else "test R² gets: ")
            + "what the model really relies on to generalise, but correlated features hide each other (shuffle one "
              "and its twin still carries the signal). Mean |SHAP| is the average size of each feature's push on the "
              "output." + noise_note)


def importance_spec(imp_long: pd.DataFrame) -> dict:
    return charts.to_spec(charts.bar_chart(imp_long, x="share", y="feature", color="method",
                                           title="Share of total importance, three ways", sort="-x",
                                           height=min(700, 36 * imp_long["feature"].nunique() + 60),
                                           x_title="share of the method's total"))


def beeswarm_spec(bees: pd.DataFrame, output_name: str) -> dict:
    chart = charts.beeswarm_chart(bees, title=f"SHAP values for {output_name}",
                                  height=44 * bees["feature"].nunique() + 40)  # room for the jitter in each band
    # full feature names: "worst concave points" and "mean concave points" both ended in "concave po…"
    chart.encoding.y.axis = alt.Axis(labelLimit=220, labelOverlap=False)
    return charts.to_spec(chart)


@memo.cached(max_entries=8, shared=True)
def shap_view(s: FitSettings) -> dict:
    """The beeswarm (SHAP values only: drawn before permutation importance is known)."""
    e = local_fit(s)
    bees = beeswarm_frame(e, seed=s.seed)
    return {"bees": bees, "bees_shown": bees.drop(columns=["jitter"]), "caption": beeswarm_caption(e, bees),
            "spec": beeswarm_spec(bees, e.output_name)}


@memo.cached(max_entries=8, shared=True)
def importance_view(s: FitSettings) -> dict:
    """Built-in vs permutation vs SHAP importance: table, chart, the reading, the PDP's feature ranking."""
    e = full_fit(s)
    table = importance_table(e)
    return {"table": table, "spec": importance_spec(importance_long(table)), "text": disagreement_text(e, table),
            "ranked": ranked_features(e)}


# The explained row scrubs: its two charts hold every position of the row slider (each position's rows tagged
# with it, charts.scrubbable) and follow the slider in the browser; the spec never changes with the row.
WATERFALL_DATASET, LIME_DATASET = "waterfall", "lime"
ROW_POSITIONS = range(ROW_MIN, ROW_MAX + 1)  # the slider's values; position p explains test row p % n


def waterfall_spec(template: pd.DataFrame, output_name: str) -> dict:
    """The waterfall, drawn from the dataset "waterfall" (waterfall_frame's columns; every row of a fit
    has the same number of steps, so the height holds)."""
    chart = charts.waterfall_chart(template, height=30 * len(template) + 40,
                                   title=f"SHAP waterfall: base + contributions = {output_name}")
    for layer in chart.layer:  # every step named in full ("worst concave points = 0.08045"), none thinned out
        layer.encoding.y.axis = alt.Axis(labelLimit=260, labelOverlap=False)
    return charts.named_datasets(charts.to_spec(chart), {None: WATERFALL_DATASET})


def lime_spec(template: pd.DataFrame) -> dict:
    """The surrogate's weights, drawn from the dataset "lime" (lime_fit's weights; one bar per kept feature)."""
    chart = charts.bar_chart(template, x="weight", y="feature", height=34 * len(template) + 60, sort="-x",
                             title="Local surrogate weights (change in output per +1 std)")
    return charts.named_datasets(charts.to_spec(chart), {None: LIME_DATASET})


def _row_scrubbable(spec: dict, name: str, rows: pd.DataFrame) -> dict:
    """``spec`` whose dataset ``name`` holds every position of the row slider: ``rows`` has each test row's
    rows (column "row", dropped), and position p shows row p % (test rows)."""
    per_row = rows.groupby("row", sort=True).indices
    n = len(per_row)
    at = [per_row[p % n] for p in ROW_POSITIONS]
    stacked = rows.iloc[np.concatenate(at)].drop(columns="row").reset_index(drop=True)
    stacked[charts.SCRUB_COLUMN] = np.repeat(np.asarray(ROW_POSITIONS, dtype=float), [len(i) for i in at])
    return charts.scrubbable(spec, ROW_KEY, {name: stacked}, ROW_MIN, ROW_MAX, 1)


@memo.cached(max_entries=8, shared=True)
def waterfall_scrub_spec(s: FitSettings) -> dict:
    """The waterfall of every position of the row slider, following it in the browser."""
    e = local_fit(s)
    rows = pd.concat([waterfall_frame(e, row).assign(row=row) for row in range(min(len(e.X_test), len(ROW_POSITIONS)))],
                     ignore_index=True)
    return _row_scrubbable(waterfall_spec(rows[rows["row"] == 0].drop(columns="row"), e.output_name),
                           WATERFALL_DATASET, rows)


@memo.cached(max_entries=16, shared=True)
def lime_scrub_spec(s: FitSettings, k: int) -> dict:
    """The k-feature surrogate's weights at every position of the row slider, following it in the browser."""
    e = local_fit(s)
    rows = lime_weights_every_row(e, lime_model_outputs(s), k, seed=s.seed)
    return _row_scrubbable(lime_spec(rows[rows["row"] == 0].drop(columns="row")), LIME_DATASET, rows)


def local_specs(s: FitSettings, k: int) -> dict[str, dict]:
    """The two row charts of one fit and surrogate size (show.chart with scrub=(ROW_KEY, the slider's value))."""
    return {WATERFALL_DATASET: waterfall_scrub_spec(s), LIME_DATASET: lime_scrub_spec(s, k)}


@memo.cached(max_entries=8, progress="Asking the model about every row's neighbourhood once…")
def lime_model_outputs(s: FitSettings) -> np.ndarray:
    """The model's outputs around every test row, once per fit: a row switch then calls no model."""
    return lime_outputs(local_fit(s), seed=s.seed)


@memo.cached(max_entries=64)  # one entry: LIME_SAMPLES perturbations x features, ~150 kB for 30 features
def lime_row_samples(s: FitSettings, row: int) -> dict:
    return lime_samples(local_fit(s), row, seed=s.seed, outputs=lime_model_outputs(s))


@memo.cached(max_entries=256)
def lime_view(s: FitSettings, row: int, k: int) -> dict:
    """The k-feature surrogate at one row, its text and its chart's dataset."""
    e = local_fit(s)
    lime = lime_fit(e.feature_names, lime_row_samples(s, row), k)
    return {"weights": lime["weights"], "text": lime_text(lime, e), "records": lime["weights"].to_dict("records")}


@memo.cached(max_entries=256)
def row_view(s: FitSettings, row: int) -> dict:
    """One row's story from the cached SHAP values: no model call, no explainer."""
    e = local_fit(s)
    wf = waterfall_frame(e, row)
    return {"narrative": narrative(e, row, e.class_names), "waterfall": wf.drop(columns=["order"]),
            "records": wf.to_dict("records"), "total": e.base_value + float(e.shap_values[row].sum()),
            "output": float(e.outputs[row])}


def ice_spec(pd_df: pd.DataFrame, ice_df: pd.DataFrame, feature: str, output_name: str) -> dict:
    return charts.to_spec(charts.ice_chart(ice_df, pd_df, feature, y_title=output_name,
                                           title=f"Partial dependence of {output_name} on {feature} "
                                                 f"(thick) and {ice_df['line'].nunique()} ICE lines"))


@memo.cached(max_entries=32)
def pdp_view(s: FitSettings, feature: str) -> dict:
    """Partial dependence and ICE for one feature: the numbers, the chart and the sentences."""
    e = local_fit(s)
    pd_df, ice_df = pdp_frame(e, feature, seed=s.seed)
    return {"average": pd_df, "spec": ice_spec(pd_df, ice_df, feature, e.output_name),
            "text": ice_text(ice_summary(e, feature, pd_df, ice_df, seed=s.seed), feature, e.output_name)}


@memo.cached(max_entries=32)
def code(s: FitSettings, row: int) -> str:
    """export_code for the settings (bundled tables get the generator defaults, which they ignore)."""
    gen = (s.n_samples, s.noise) if s.dataset in datasets.TWO_D else (300, 0.25)
    return export_code(s.dataset, s.model_kind, s.seed, s.noise_feature, row, *gen)
