"""Overfitting lab: polynomial degree, L1/L2 regularisation, tree depth and pruning, early stopping,
learning curves and the bias-variance decomposition (no streamlit here).

Most of the lab uses one noisy 1-D function, y = sin(2 pi x) + noise, where the truth is known, so
every error can be compared with the noise floor. scikit-learn does the fitting and scoring
(``validation_curve``, ``learning_curve``, gradient boosting's own ``n_iter_no_change``); written by
hand: the data generator; the bias-variance decomposition over independent training sets drawn from
that known process (least squares and ridge fitted for all sets at once; tested equal to the pipeline
fitted set by set); the one-standard-error rule and the verdicts (under-fit / good fit / over-fit from
the noise floor, the train/validation gap and the rule's band), each with a sentence generated from its
numbers; and faster validation curves over degrees and over alpha (features expanded once per fold;
tested equal to ``validation_curve``).

The page's views are cached computations at the end of this module (fit_view, path_view, learning_view,
bias_variance_view, the trees' and boosting's): each returns its numbers with its charts' specs. The
controls that scrub pick precomputed rows: the degree's and alpha's charts hold the rows of every position
and follow their slider in the browser (charts.scrubbable); the depth and ccp_alpha on the other curve and
the patience move small named datasets in unchanged specs.
"""
from __future__ import annotations

import functools
import warnings
from dataclasses import dataclass

import altair as alt
import numpy as np
import pandas as pd
import sklearn
from sklearn.ensemble import GradientBoostingRegressor
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import Lasso, LinearRegression, Ridge, lasso_path
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

from components import charts, memo
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
CURVES_SHOWN = 20
TEST_SIZE = 0.3
LASSO_MAX_ITER = 5000


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


def mse(y, predicted) -> float:
    """Mean squared error: scikit-learn's mean_squared_error to the bit on 1-D arrays (tested), without its
    input checks, which cost more than the fits of the lab's curves (hundreds of calls per curve)."""
    return float(np.mean((np.asarray(y) - np.asarray(predicted)) ** 2))


def error_text(value: float, places: int = 3) -> str:
    """An error or a difference of errors for the page: decimals while it is small (never "-0.000": a value
    that rounds to zero is shown as zero); an exploding high-degree fit's error (it reaches millions) as a
    whole number with thousands separators, not a 15-character decimal."""
    value = float(value)
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    text = f"{value:.{places}f}"
    return text[1:] if float(text) == 0 and text.startswith("-") else text


def _above_or_below(difference: float, places: int = 3) -> str:
    """'0.012 above' / '0.012 below' for a signed difference (a - b)."""
    return f"{error_text(abs(difference), places)} {'above' if difference >= 0 else 'below'}"


# ---------------------------------------------------------------- the one-standard-error rule and the verdicts
@dataclass(frozen=True)
class OneSE:
    """The one-standard-error rule on one validation curve (settings in index order)."""
    best: int  # index of the best CV score
    pick: int  # index of the ONE setting the rule picks
    edge: float  # the band's edge: the best score plus (errors) or minus (accuracies) its standard error
    band: np.ndarray  # per setting: is its CV score within one standard error of the best?
    lower_is_better: bool


def one_se_rule(mean, se, lower_is_better: bool = True, complexity_increases: bool = True) -> OneSE:
    """The one-standard-error rule (Hastie, Tibshirani and Friedman, The Elements of Statistical Learning,
    7.10): find the setting with the best CV score; among the settings whose score is no worse than that
    best score by more than the best one's standard error (the band), pick the simplest. It picks ONE
    model; the other settings in the band are not "good fits" by this rule, only not detectably worse.

    complexity_increases: the index order is the order of complexity (degree, depth); False where a larger
    value is simpler (alpha, ccp_alpha): the pick is then the band's largest index."""
    mean = np.asarray(mean, dtype=float)
    score = mean if lower_is_better else -mean
    best = int(np.nanargmin(score))
    edge = score[best] + float(np.asarray(se, dtype=float)[best])
    band = score <= edge  # NaN scores are outside
    inside = np.flatnonzero(band)
    pick = int(inside.min() if complexity_increases else inside.max())
    return OneSE(best, pick, float(edge if lower_is_better else -edge), band, lower_is_better)


UNDER, SLIGHTLY_UNDER, GOOD, SLIGHTLY_OVER, OVER = ("under-fit", "slightly under-fit", "good fit",
                                                    "slightly over-fit", "over-fit")
PICKED, BEST_CV, IN_BAND, WORSE = "the one-SE pick", "best by CV", "in the band", "worse than the best"
FIT_LABELS = (UNDER, SLIGHTLY_UNDER, GOOD, PICKED, IN_BAND, SLIGHTLY_OVER, OVER)
FLOOR_REL = 0.15  # "at the floor": within 15 % of the noise level of what the true curve itself scores ...
FLOOR_SLACK = 0.01  # ... plus 0.01 (1 % of the sine's amplitude), so that noise 0 still leaves a margin


@dataclass(frozen=True)
class Verdict:
    label: str
    sentence: str  # generated from the numbers it compares


@dataclass(frozen=True)
class NoiseFloor:
    """The noise floor of one sample, on the rows of the validation curves: what the true curve itself
    scores there. The noise added has std ``noise`` (sigma), but the noise a sample of 30 points happens
    to get scatters around it (seed 8: an RMSE of 0.37 at sigma 0.30), and no model can be expected to
    beat the truth on new rows; so each error is compared with the truth's own error on the same rows."""
    noise: float  # sigma
    train: float  # the true curve's RMSE on the CV training folds (mean over the folds)
    val: float  # on the CV validation folds
    tolerance: float  # FLOOR_REL * sigma + FLOOR_SLACK


def noise_floor(n: int, noise: float, seed: int) -> NoiseFloor:
    """The true curve scored like a model on the folds of the page's validation curves (make_data, cv)."""
    data = make_data(n, noise, seed)
    residual = (data["y"] - true_function(data["x"])).to_numpy()
    folds = list(cv(seed).split(residual))

    def rmse(rows: np.ndarray) -> float:
        return float(np.sqrt(np.mean(residual[rows] ** 2)))

    return NoiseFloor(noise, float(np.mean([rmse(tr) for tr, _ in folds])),
                      float(np.mean([rmse(te) for _, te in folds])), FLOOR_REL * noise + FLOOR_SLACK)


def judge_against_floor(train, val, se, index: int, names: list[str], floor: NoiseFloor,
                        complexity_increases: bool = True) -> Verdict:
    """Judge one setting of a validation curve (RMSE) with the known noise floor, the train/validation gap
    and the one-standard-error rule. train, val, se: the curve's mean training and validation RMSE over the
    CV folds and the validation mean's standard error, per setting; names: each setting as text ("degree 3",
    "alpha = 0.01"); floor: the true curve's own RMSE on the same training and validation rows (noise_floor).

    The verdicts are ordered like the rule: it picks ONE setting, so a setting simpler than the pick can be
    under-fit, one more complex can be over-fit, and the pick itself is neither (a page that picked a model
    and called it under-fit would contradict itself). With tol = floor.tolerance:

    - under-fit: simpler than the pick, and the training RMSE is above the truth's on the same rows by more
      than tol (a model that could follow the curve would fit its own training rows about as well as the
      truth does: high bias);
    - over-fit: more complex than the pick, and the validation RMSE is above the training RMSE by more than
      tol (a wide gap) and above the truth's on the same rows by more than tol (high variance);
    - the pick: a good fit when the floor agrees (training RMSE within tol of the truth's, and no wide gap
      that costs accuracy), else "the one-SE pick", whose sentence says what the floor still sees (a
      sample this small cannot show the rest: every simpler setting is detectably worse);
    - in the band, not the pick, neither under- nor over-fit: a good fit, or "in the band" when its
      training RMSE is still above the truth's by more than tol;
    - the rest: slightly under-fit / slightly over-fit, outside the band, simpler / more complex than the
      best.

    A textbook "both errors high and close together" rule for bias is not used: with 24 training rows a
    cubic's validation error sits above the truth's mostly through variance, not bias (the bias-variance
    view shows it). The floor is known here because the page generates the data; on real data it is not,
    and the train/validation gap and the band are all there is."""
    tol = floor.tolerance
    rule = one_se_rule(val, se, complexity_increases=complexity_increases)
    tr, va, name = float(train[index]), float(val[index]), names[index]
    gap = va - tr

    def rank(i: int) -> int:  # position in order of complexity
        return i if complexity_increases else -i

    biased = tr > floor.train + tol
    wide = gap > tol and va > floor.val + tol
    on_train = (f"the true curve's own RMSE on the same training rows ({error_text(floor.train)}; "
                f"σ = {error_text(floor.noise, 2)})")
    on_val = f"the true curve's own on the same validation rows ({error_text(floor.val)})"
    tolerance = f"the tolerance {error_text(tol)}"
    band = (f"({error_text(val[rule.best])} at {names[rule.best]} + its standard error {error_text(se[rule.best])} "
            f"= {error_text(rule.edge)})")
    if biased and rank(index) < rank(rule.pick):
        return Verdict(UNDER, f"At {name} the training RMSE, {error_text(tr)}, is {error_text(tr - floor.train)} "
                              f"above {on_train}, more than {tolerance}: a model that could follow the curve would "
                              "fit its own training rows about as well as the truth does. Under-fit (high bias).")
    train_vs_floor = f"the training RMSE, {error_text(tr)}, is {_above_or_below(tr - floor.train)} {on_train}"
    if wide and rank(index) > rank(rule.pick):
        noise_fitted = ": it follows noise in its own rows" if tr < floor.train else ""
        return Verdict(OVER, f"At {name} the validation RMSE, {error_text(va)}, is {error_text(gap)} above the "
                             f"training RMSE, more than {tolerance}, and {error_text(va - floor.val)} above {on_val}; "
                             f"{train_vs_floor}{noise_fitted}. A wide train/validation gap that costs accuracy on "
                             "new rows, the signature of high variance: over-fit.")
    # "within the tolerance" is said only of a difference on the side the rules test
    if biased:
        train_side = f", more than {tolerance}"
    else:
        train_side = f", within {tolerance}" if tr >= floor.train else ""
    if gap < 0:
        validation = f"the validation RMSE, {error_text(va)}, is {error_text(-gap)} below it"
    elif gap <= tol:
        validation = f"the validation RMSE, {error_text(va)}, is only {error_text(gap)} above it (within {tolerance})"
    elif wide:
        validation = (f"the validation RMSE, {error_text(va)}, is {error_text(gap)} above it, more than {tolerance}, "
                      f"and {error_text(va - floor.val)} above {on_val}")
    else:
        validation = (f"the validation RMSE, {error_text(va)}, is {_above_or_below(va - floor.val)} {on_val}"
                      + (f", within {tolerance}" if va >= floor.val else ""))
    lead = f"At {name} {train_vs_floor}{train_side}, and {validation}"
    if index == rule.pick:
        if not biased and not wide:
            return Verdict(GOOD, f"{lead}; it is the one-standard-error rule's pick, its CV error within one "
                                 f"standard error of the lowest {band}. Good fit.")
        seen = " and ".join(([f"some bias (its training RMSE is more than {tolerance} above the truth's)"]
                             if biased else [])
                            + (["some variance (a train/validation gap wider than the tolerance)"] if wide else []))
        return Verdict(PICKED, f"{lead}. The noise floor still sees {seen}, but this is the one-standard-error "
                               f"rule's pick, its CV error within one standard error of the lowest {band}: no "
                               "setting is detectably better on new rows. The one-SE pick.")
    if rule.band[index]:
        if biased:
            return Verdict(IN_BAND, f"{lead}; its CV error is within one standard error of the lowest {band}, "
                                    f"but it is more complex than the rule's pick, {names[rule.pick]}. In the band.")
        return Verdict(GOOD, f"{lead}; its CV error is within one standard error of the lowest {band}. Good fit.")
    simpler = rank(index) < rank(rule.best)
    return Verdict(SLIGHTLY_UNDER if simpler else SLIGHTLY_OVER,
                   f"{lead}; but its CV error is more than one standard error above the lowest {band}, and it is "
                   f"{'simpler' if simpler else 'more complex'}. "
                   f"{'Slightly under-fit' if simpler else 'Slightly over-fit'}.")


def pick_sentence(scores, se, names: list[str], rule: OneSE, score: str = "CV RMSE") -> str:
    """The one-standard-error rule's pick, said with the numbers that make it."""
    best, pick = names[rule.best], names[rule.pick]
    band = (f"{error_text(scores[rule.best])} at {best} {'+' if rule.lower_is_better else '−'} its standard error "
            f"{error_text(se[rule.best])} = {error_text(rule.edge)}")
    if rule.pick == rule.best:
        return (f"The one-standard-error rule picks {pick}, the best itself: no simpler setting's {score} is "
                f"within one standard error of it ({band}).")
    return (f"The one-standard-error rule picks {pick}: the simplest setting whose {score} "
            f"({error_text(scores[rule.pick])}) is within one standard error of the best ({band}).")


@dataclass(frozen=True)
class CurveReading:
    """A validation curve read at one setting: the one-standard-error rule and the verdicts."""
    rule: OneSE
    verdict: Verdict  # on the current setting
    pick_verdict: Verdict  # on the rule's pick
    pick_text: str  # the pick, its numbers and the verdict on it


def read_rmse_curve(curve: pd.DataFrame, index: int, names: list[str], floor: NoiseFloor,
                    complexity_increases: bool = True) -> CurveReading:
    """An RMSE validation curve (columns train_rmse, val_rmse, val_se) at setting ``index``: the
    one-standard-error rule's pick and judge_against_floor's verdicts on the setting and on the pick."""
    train, val, se = (curve[c].to_numpy() for c in ("train_rmse", "val_rmse", "val_se"))
    rule = one_se_rule(val, se, complexity_increases=complexity_increases)

    def judge(i: int) -> Verdict:
        return judge_against_floor(train, val, se, i, names, floor, complexity_increases)

    pick_verdict = judge(rule.pick)
    pick = names[rule.pick]
    if pick_verdict.label == GOOD:
        verdict = f"By the noise floor and the train/validation gap, {pick} is a good fit."
    else:
        p, tol = rule.pick, floor.tolerance
        seen = " and ".join((["bias"] if train[p] > floor.train + tol else [])
                            + (["variance"] if val[p] - train[p] > tol and val[p] > floor.val + tol else []))
        verdict = (f"The noise floor still sees {seen} in {pick}, which cross-validation on this sample cannot "
                   "resolve (no setting's CV error is lower by more than the best's standard error); as the rule's "
                   "pick it is called neither under- nor over-fit.")
    return CurveReading(rule, judge(index), pick_verdict, f"{pick_sentence(val, se, names, rule)} {verdict}")


def verdict_rules_text(floor: NoiseFloor, setting: str) -> str:
    """How judge_against_floor reaches its verdicts, with this sample's numbers (setting: "degree", "alpha")."""
    simpler = "a lower degree" if setting == "degree" else "a larger alpha"
    return (f"How the verdicts are judged: against the noise floor, the true curve's own RMSE on the same rows "
            f"({error_text(floor.train)} on the training folds, {error_text(floor.val)} on the validation folds), "
            f"with a tolerance of {error_text(floor.tolerance)} (15 % of σ + 0.01), and the train/validation gap. "
            f"Simpler than the one-SE pick ({simpler}), a setting is under-fit when its training RMSE is above the "
            "truth's by more than the tolerance; more complex, it is over-fit when its validation RMSE is above its "
            "training RMSE and above the truth's, each by more than the tolerance. The pick itself is never called "
            "either.")


def degree_names(curve: pd.DataFrame) -> list[str]:
    return [f"degree {d}" for d in curve["degree"]]


def alpha_names(alphas) -> list[str]:
    return [f"alpha = {a:g}" for a in alphas]


# ---------------------------------------------------------------- polynomial degree and penalty
@dataclass
class PolyResult:
    data: pd.DataFrame  # x, y
    curve: pd.DataFrame  # x, fitted, truth
    coefficients: pd.DataFrame  # term, coefficient (on standardised features)
    train_rmse: float
    cv_rmse: float
    curve_by_degree: pd.DataFrame  # degree, train_rmse, val_rmse, val_se
    floor: NoiseFloor  # the true curve's own RMSE on the CV rows
    reading: CurveReading  # the one-standard-error rule and the verdicts at this degree
    best_degree: int  # lowest CV RMSE
    pick_degree: int  # the one-standard-error rule's pick


def _regressor(penalty: str, alpha: float):
    """The last step of poly_model on its own."""
    return poly_model(1, penalty, alpha)[-1]


def _predict(reg, X: np.ndarray) -> np.ndarray:
    """A fitted linear regressor's predict, the same arithmetic (X @ coef_ + intercept_, bit-identical:
    tested) without its per-call input checks: the curves predict hundreds of times."""
    return X @ reg.coef_ + reg.intercept_


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
                train[i, k] = np.sqrt(mse(y[tr], _predict(reg, F_tr[:, :d])))
                val[i, k] = np.sqrt(mse(y[te], _predict(reg, F_te[:, :d])))
    return pd.DataFrame({"degree": degrees, "train_rmse": train.mean(axis=1), "val_rmse": val.mean(axis=1),
                         "val_se": val.std(axis=1, ddof=1) / np.sqrt(CV_FOLDS)})


@lean
def fit_poly(n: int, noise: float, seed: int, degree: int, penalty: str, alpha: float,
             by_degree: pd.DataFrame | None = None) -> PolyResult:
    """Fit the current degree on all n points; the verdict and the one-standard-error pick come from the
    validation curve across degrees (pass a precomputed ``degree_curve`` so that moving the degree does not
    redo it) and the known noise floor."""
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
    floor = noise_floor(n, noise, seed)
    reading = read_rmse_curve(by_degree, degree - DEGREE_MIN, degree_names(by_degree), floor)
    train_rmse = float(np.sqrt(mean_squared_error(data["y"], model.predict(data[["x"]]))))
    degrees = by_degree["degree"].to_numpy()
    return PolyResult(data, curve, coefs, train_rmse, float(row["val_rmse"]), by_degree, floor, reading,
                      int(degrees[reading.rule.best]), int(degrees[reading.rule.pick]))


@lean
def fit_every_degree(n: int, noise: float, seed: int, penalty: str, alpha: float,
                     by_degree: pd.DataFrame | None = None) -> dict[int, PolyResult]:
    """fit_poly at every degree DEGREE_MIN..DEGREE_MAX (what the degree slider scrubs through), faster: the
    features are expanded and scaled once at DEGREE_MAX and each degree fits its regressor on the first d
    columns (see degree_curve); tests/test_overfitting.py checks each degree against fit_poly."""
    data = make_data(n, noise, seed)
    X, y = data[["x"]].to_numpy(), data["y"].to_numpy()
    xs = np.linspace(0, 1, 200)
    if by_degree is None:
        by_degree = degree_curve(data, penalty, alpha, seed)
    floor = noise_floor(n, noise, seed)
    names, degrees = degree_names(by_degree), by_degree["degree"].to_numpy()
    steps = poly_model(DEGREE_MAX)[:-1].fit(X)
    F, G = steps.transform(X), steps.transform(xs[:, None])
    truth = true_function(xs)
    out = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        for d in range(DEGREE_MIN, DEGREE_MAX + 1):
            reg = _regressor(penalty, alpha).fit(F[:, :d], y)
            reading = read_rmse_curve(by_degree, d - DEGREE_MIN, names, floor)
            out[d] = PolyResult(
                data, pd.DataFrame({"x": xs, "fitted": _predict(reg, G[:, :d]), "truth": truth}),
                pd.DataFrame({"term": [f"x^{k}" for k in range(1, d + 1)],
                              "coefficient": np.asarray(reg.coef_, dtype=float)}),
                float(np.sqrt(mse(y, _predict(reg, F[:, :d])))),
                float(by_degree["val_rmse"].iloc[d - DEGREE_MIN]), by_degree, floor, reading,
                int(degrees[reading.rule.best]), int(degrees[reading.rule.pick]))
    return out


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
                train[i, k] = np.sqrt(mse(y[tr], _predict(reg, F_tr)))
                val[i, k] = np.sqrt(mse(y[te], _predict(reg, F_te)))
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
    reading_depth: CurveReading  # the one-standard-error rule on the CV accuracy against depth, at this depth
    reading_ccp: CurveReading  # the same against ccp_alpha, at this ccp_alpha
    n_test: int

    @property
    def best_depth(self) -> int:
        return TREE_DEPTH_MIN + self.reading_depth.rule.best

    @property
    def pick_depth(self) -> int:
        return TREE_DEPTH_MIN + self.reading_depth.rule.pick

    @property
    def best_ccp(self) -> float:
        return CCP_VALUES[self.reading_ccp.rule.best]

    @property
    def pick_ccp(self) -> float:
        return CCP_VALUES[self.reading_ccp.rule.pick]


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
    """The folds the verdicts and the one-SE pick are made on: inside the training split, so the test rows stay
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


TREE_LABELS = (UNDER, PICKED, BEST_CV, IN_BAND, WORSE, OVER)


def judge_by_cv(train, cv_mean, se, index: int, names: list[str], complexity_increases: bool) -> Verdict:
    """Judge one setting of an accuracy curve where no noise floor is known (a real dataset's Bayes error is
    not): by the one-standard-error band of the CV accuracy and the train/CV gap. train: training accuracy
    (on the whole training split), cv_mean and se: the CV accuracy and its standard error, per setting.

    - the one-SE pick: the setting the rule picks;
    - best by CV: the best CV accuracy, when the rule picks a simpler setting;
    - in the band: within one standard error of the best, not detectably worse, but more complex than the pick;
    - under-fit: below the band and simpler than the pick (so simpler than the best);
    - over-fit: below the band, more complex than the best, and its train - CV gap wider than the best's
      (high variance);
    - worse than the best: the rest (below the band between the pick and the best, or more complex than the
      best without a wider gap)."""
    rule = one_se_rule(cv_mean, se, lower_is_better=False, complexity_increases=complexity_increases)
    cv_i, name, best, pick = float(cv_mean[index]), names[index], names[rule.best], names[rule.pick]
    band = (f"the one-standard-error limit {error_text(rule.edge)} (the best, {error_text(cv_mean[rule.best])} at "
            f"{best}, minus its standard error {error_text(se[rule.best])})")
    if index == rule.pick:
        return Verdict(PICKED, f"{pick_sentence(cv_mean, se, names, rule, 'CV accuracy')}")
    if index == rule.best:
        return Verdict(BEST_CV, f"At {name} the CV accuracy, {error_text(cv_i)}, is the best; the rule picks the "
                                f"simpler {pick}, whose CV accuracy, {error_text(cv_mean[rule.pick])}, is not below "
                                f"the one-standard-error limit {error_text(rule.edge)}.")
    if rule.band[index]:
        return Verdict(IN_BAND, f"At {name} the CV accuracy, {error_text(cv_i)}, is not below {band}: "
                                f"cross-validation cannot tell it from the best, and the rule picks the simpler {pick}.")

    def rank(i: int) -> int:  # position in order of complexity
        return i if complexity_increases else -i

    gap, best_gap = float(train[index]) - cv_i, float(train[rule.best] - cv_mean[rule.best])
    below = f"At {name} the CV accuracy, {error_text(cv_i)}, is below {band}"
    train_text = f"its training accuracy {error_text(train[index])} is {_above_or_below(gap)} the CV accuracy"
    if rank(index) < rank(rule.pick):
        return Verdict(UNDER, f"{below}, and the model is simpler than the rule's pick: {train_text}. Under-fit.")
    if rank(index) > rank(rule.best) and gap > best_gap:
        return Verdict(OVER, f"{below}; the model is more complex than the best and {train_text}, a wider gap than "
                             f"at {best} ({error_text(best_gap)}): the signature of high variance. Over-fit.")
    where = ("between the rule's pick and the best" if rank(index) < rank(rule.best) else
             f"more complex than the best, and {train_text}, a gap no wider than at {best} ({error_text(best_gap)})")
    return Verdict(WORSE, f"{below}; it is {where}. Worse than the best.")


def read_accuracy_curve(curve: pd.DataFrame, setting: str, index: int, names: list[str],
                        complexity_increases: bool) -> CurveReading:
    """A tree curve (columns setting, split, accuracy, se) read at ``index``: the one-standard-error rule on
    the CV accuracy and judge_by_cv's verdicts on the setting and on the pick."""
    cv_rows = curve[curve["split"] == CV].sort_values(setting)
    train = curve[curve["split"] == TRAIN].sort_values(setting)["accuracy"].to_numpy()
    cv_mean, se = cv_rows["accuracy"].to_numpy(), cv_rows["se"].to_numpy()
    rule = one_se_rule(cv_mean, se, lower_is_better=False, complexity_increases=complexity_increases)
    pick_verdict = judge_by_cv(train, cv_mean, se, rule.pick, names, complexity_increases)
    return CurveReading(rule, judge_by_cv(train, cv_mean, se, index, names, complexity_increases), pick_verdict,
                        pick_verdict.sentence)


def tree_curves(X: pd.DataFrame, y: pd.Series, seed: int, depth: int, ccp_alpha: float,
                by_depth: pd.DataFrame | None = None, by_ccp: pd.DataFrame | None = None) -> TreeResult:
    """Train, test and cross-validated accuracy against max_depth (at the chosen ccp_alpha) and against
    ccp_alpha (at the chosen depth); the verdicts from the CV accuracy on the training split, its standard
    error and the train/CV gap (read_accuracy_curve). Pass the curves if they are at hand
    (tree_depth_curve, tree_ccp_curve): a slider then redoes one of them."""
    X_tr, X_te, y_tr, y_te = tree_split(X, y, seed)
    by_depth = tree_depth_curve(X, y, seed, ccp_alpha) if by_depth is None else by_depth
    by_ccp = tree_ccp_curve(X, y, seed, depth) if by_ccp is None else by_ccp
    tr, te, leaves, _ = _tree_scores(X_tr, X_te, y_tr, y_te, seed, max_depth=depth, ccp_alpha=ccp_alpha)

    depths = range(TREE_DEPTH_MIN, TREE_DEPTH_MAX + 1)
    reading_depth = read_accuracy_curve(by_depth, "max_depth", depth - TREE_DEPTH_MIN,
                                        [f"max depth {d}" for d in depths], True)
    reading_ccp = read_accuracy_curve(by_ccp, "ccp_alpha", CCP_VALUES.index(ccp_alpha),
                                      [f"ccp_alpha = {a:g}" for a in CCP_VALUES], False)
    return TreeResult(by_depth, by_ccp, tr, te, leaves, reading_depth, reading_ccp, len(y_te))


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
    train = [mse(y_fit, p) for p in full.staged_predict(X_fit)]
    val = [mse(y_val, p) for p in full.staged_predict(X_val)]
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


def early_stopping_sentence(r: EarlyStopResult, noise: float) -> str:
    """What this run's loss curves and stopping point show, said from its numbers."""
    losses = r.losses
    train = losses[losses["split"] == "train"]["mse"].to_numpy()
    val = losses[losses["split"] == "validation"]["mse"].to_numpy()
    low, last = val[r.best_stage - 1], val[-1]
    falls = "falls" if train[-1] < train[0] else "rises"
    if last > low:
        turn = (f"after all {GB_STAGES} stages it is {last:.4f}, {last / low - 1:.1%} above that: it turned back up "
                "(over-fitting with stages)")
    else:
        turn = f"that is the last stage: within {GB_STAGES} stages it has not turned back up"
    where = ("before" if r.stopped_at < r.best_stage else "after" if r.stopped_at > r.best_stage else "at")
    than = ("lower than" if r.test_mse_stopped < r.test_mse_full else
            "higher than" if r.test_mse_stopped > r.test_mse_full else "equal to")
    return (f"In this run the training loss {falls} from {mse_text(train[0])} at stage 1 to {mse_text(train[-1])} at stage "
            f"{GB_STAGES}; the validation loss is lowest at stage {r.best_stage} ({low:.4f}), and {turn}. Early "
            f"stopping halted at stage {r.stopped_at}, {where} the lowest; its test MSE, {r.test_mse_stopped:.4f}, is "
            f"{than} all {GB_STAGES} stages' ({r.test_mse_full:.4f}). The noise floor σ² is {noise ** 2:.4f}.")


# ---------------------------------------------------------------- learning curve
LEARNING_SIZES = (10, 15, 20, 30, 45, 60, 90, 120, 180, 240)


@lean
def learning_curve_frame(noise: float, seed: int, degree: int, penalty: str, alpha: float) -> pd.DataFrame:
    """RMSE against training-set size for the current polynomial model, on the POOL_N-point sample:
    scikit-learn's learning_curve over LEARNING_SIZES with the lab's folds (mean over the folds, and the
    standard error of that mean)."""
    data = make_data(POOL_N, noise, seed + 1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        sizes, train, val = learning_curve(poly_model(degree, penalty, alpha), data[["x"]], data["y"],
                                           train_sizes=np.array(LEARNING_SIZES), cv=cv(seed),
                                           scoring="neg_root_mean_squared_error", shuffle=True, random_state=seed)
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
BV_SETS = 100  # independent training sets per setting ...
BV_SETS_LASSO = 40  # ... and for lasso, which has no closed form: 15 coordinate-descent fits per set
BV_TEST_X = (np.arange(100) + 0.5) / 100  # the midpoints of 100 equal cells of [0, 1], where x is drawn
BV_BEST, BV_NEAR = "the best", "near the best"
BV_LABELS = (UNDER, BV_BEST, BV_NEAR, OVER)
MC_SES = 2.0  # a Monte Carlo estimate "differs" from a value when it is more than this many standard errors away
STEP_SES = 3.0  # a step of bias^2 from one degree to the next "rises" beyond this many: 14 steps are tested at once


def mse_text(value: float) -> str:
    """A squared error: 4 decimals (2 from 10 on), a small one (below 0.001, e.g. the bias^2 of a flexible fit) in
    scientific notation so that it does not read 0.0000, an exploding one with thousands separators."""
    value = float(value)
    if value != 0 and abs(value) < 0.001:
        return f"{value:.2e}"
    return error_text(value, 4 if abs(value) < 10 else 2)


@dataclass
class BiasVariance:
    """The decomposition for every degree 1..BV_DEGREE_MAX over BV_SETS fresh training sets.

    table: degree, bias2, bias2_se, variance, noise, total (= bias2 + variance + noise, the expected test
    MSE), total_se, test_mse (measured on fresh noisy targets), test_se (the standard error of test_mse -
    total). per_fit: (degrees, sets) each fit's expected test MSE (mean over x of (fit - truth)^2 + noise^2);
    bias2_loo: (degrees, sets) the bias2 estimate leaving out each set (the jackknife's)."""
    table: pd.DataFrame
    curves: dict  # degree -> DataFrame(x, y, series, line): CURVES_SHOWN of the fits and the average of all
    per_fit: np.ndarray
    bias2_loo: np.ndarray
    n: int
    sets: int


def bv_training_sets(n: int, noise: float, seed: int, sets: int = BV_SETS) -> tuple[np.ndarray, ...]:
    """``sets`` independent training sets of n points from the process the page samples (x uniform on [0, 1],
    y = sin(2 pi x) + Gaussian noise of std ``noise``) and, for each, fresh noisy test targets at BV_TEST_X.
    Set b draws, with numpy's generator seeded by np.random.SeedSequence(seed).spawn(sets)[b], its n x,
    its n training noises, then its test noises (streams independent of the page's own data, make_data).
    Returns x and y (sets, n) and the test targets (sets, len(BV_TEST_X))."""
    x, y = np.empty((sets, n)), np.empty((sets, n))
    targets = np.empty((sets, len(BV_TEST_X)))
    truth = true_function(BV_TEST_X)
    for b, child in enumerate(np.random.SeedSequence(seed).spawn(sets)):
        rng = np.random.default_rng(child)
        x[b] = rng.uniform(0, 1, n)
        y[b] = true_function(x[b]) + rng.normal(0, noise, n)
        targets[b] = truth + rng.normal(0, noise, len(BV_TEST_X))
    return x, y, targets


def _standardised_powers(x: np.ndarray, at: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """poly_model's first three steps at degree BV_DEGREE_MAX (MinMaxScaler to [-1, 1], PolynomialFeatures,
    StandardScaler) fitted on each row of x (one training set each), applied to x and to the points ``at``:
    arrays (sets, n, BV_DEGREE_MAX) and (sets, len(at), BV_DEGREE_MAX). Degree d's features are the first d
    columns (see degree_curve)."""
    lo, hi = x.min(axis=1, keepdims=True), x.max(axis=1, keepdims=True)
    scale = 2 / (hi - lo)
    shift = -1 - lo * scale  # as MinMaxScaler: x * scale_ + min_
    powers = np.arange(1, BV_DEGREE_MAX + 1)
    train, test = (x * scale + shift)[..., None] ** powers, (at[None] * scale + shift)[..., None] ** powers
    mean, std = train.mean(axis=1, keepdims=True), train.std(axis=1, keepdims=True)
    return (train - mean) / std, (test - mean) / std


def _linear_fits(F: np.ndarray, G: np.ndarray, y: np.ndarray, alpha: float) -> np.ndarray:
    """Least squares (alpha = 0) or ridge on the first d standardised features, for every degree d and every
    training set at once; predictions at G, shape (degrees, sets, points).

    What LinearRegression(tol=LSTSQ_CUTOFF) and Ridge(alpha) compute one set at a time (both centre F and y
    and fit an intercept), in the singular-value form: with F_d = U S V^T, the coefficients are
    V diag(g(s)) U^T (y - mean y), g(s) = 1/s for least squares (0 for singular values below
    LSTSQ_CUTOFF times the largest, as scipy's lstsq: the minimum-norm fit when a set has fewer points
    than terms) and s / (s^2 + alpha) for ridge. One QR of the degree-15 features per set serves every
    degree (F_d = Q R[:, :d], R upper triangular), so only small SVDs remain. Written by hand for speed:
    100 sets x 15 degrees are 1,500 fits (about 1.5 s with scikit-learn's estimators, 40-80 ms here);
    tests/test_overfitting.py checks it against poly_model fitted on each set."""
    sets, n, degrees = F.shape
    y_mean = y.mean(axis=1, keepdims=True)
    Q, R = np.linalg.qr(F)
    q_y = np.einsum("bnk,bn->bk", Q, y - y_mean)
    preds = np.empty((degrees, sets, G.shape[1]))
    for d in range(1, degrees + 1):
        k = min(n, d)  # the rows of R that F's first d columns use
        U, s, Vt = np.linalg.svd(R[:, :k, :d], full_matrices=False)
        if alpha > 0:
            gain = s / (s ** 2 + alpha)
        else:
            kept = s > LSTSQ_CUTOFF * s[:, :1]
            gain = np.where(kept, 1 / np.where(kept, s, 1.0), 0.0)
        coef = np.einsum("bjd,bj,bij,bi->bd", Vt, gain, U, q_y[:, :k])
        preds[d - 1] = np.einsum("bxd,bd->bx", G[:, :, :d], coef) + y_mean
    return preds


def _lasso_fits(F: np.ndarray, G: np.ndarray, y: np.ndarray, alpha: float) -> np.ndarray:
    """poly_model's Lasso on the first d standardised features of each set (no closed form): predictions at G,
    shape (degrees, sets, points).

    Each fit is scikit-learn's own coordinate descent (lasso_path, the solver Lasso.fit runs) on the data
    centred as Lasso.fit centres it, and the prediction is Lasso.predict's arithmetic: the numbers are
    bit-identical to Lasso(alpha, max_iter=LASSO_MAX_ITER).fit(...).predict(...) (tests/test_overfitting.py).
    What it skips is the estimator's per-fit input checks and copies, two thirds of the time of 600 small fits
    (40 sets x 15 degrees) whenever the solver itself converges in a few hundred sweeps."""
    sets, _, degrees = F.shape
    lasso = _regressor("lasso", alpha)
    preds = np.empty((degrees, sets, G.shape[1]))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        for b in range(sets):
            y_mean = np.average(y[b])
            y_centred = y[b] - y_mean
            for d in range(1, degrees + 1):
                X = np.asfortranarray(F[b, :, :d])  # Lasso.fit's copy: Fortran order, then its column means
                x_mean = np.average(X, axis=0)
                _, coef, _ = lasso_path(X - x_mean, y_centred, alphas=[alpha], precompute=False, check_input=False,
                                        max_iter=lasso.max_iter, tol=lasso.tol, coef_init=np.zeros(d))
                coef = coef[:, 0]
                preds[d - 1, b] = G[b, :, :d] @ coef + (y_mean - x_mean @ coef)
    return preds


def decompose(preds: np.ndarray, truth: np.ndarray, targets: np.ndarray, noise: float) -> dict:
    """Bias^2, variance and noise of one model's fits on independent training sets (preds: sets x test
    points), against the truth at the test points; targets: fresh noisy y at the same points, one row per set.

    variance = mean over x of the fits' variance (ddof=1, unbiased). The plain squared gap between the
    average of B fits and the truth is biased upwards: the average misses its expectation by chance, which
    adds variance / B on average. bias2 subtracts that (an unbiased estimate, so it can come out slightly
    below 0); its standard error is the jackknife's over the sets. total = bias2 + variance + noise^2
    equals the mean over the sets of each fit's expected test MSE exactly; test_mse measures the same thing
    on the fresh targets, and test_se is the standard error of test_mse - total (noise draws only)."""
    sets = preds.shape[0]
    mean = preds.mean(axis=0)
    centred = preds - mean
    squares = (centred ** 2).sum(axis=0)
    variance_at_x = squares / (sets - 1)
    gap = mean - truth
    bias2 = float(np.mean(gap ** 2 - variance_at_x / sets))
    # the jackknife: the same estimate with each set left out
    gap_loo = gap - centred / (sets - 1)
    variance_loo = (squares - centred ** 2 * sets / (sets - 1)) / (sets - 2)
    bias2_loo = np.mean(gap_loo ** 2 - variance_loo / (sets - 1), axis=1)
    bias2_se = float(np.sqrt((sets - 1) / sets * np.sum((bias2_loo - bias2_loo.mean()) ** 2)))
    per_fit = np.mean((preds - truth) ** 2, axis=1) + noise ** 2
    extra = (targets - preds) ** 2 - (truth - preds) ** 2 - noise ** 2  # the test points' own noise
    variance = float(np.mean(variance_at_x))
    return {"bias2": bias2, "bias2_se": bias2_se, "variance": variance, "noise": noise ** 2,
            "total": bias2 + variance + noise ** 2, "total_se": float(per_fit.std(ddof=1) / np.sqrt(sets)),
            "test_mse": float(np.mean((targets - preds) ** 2)),
            "test_se": float(extra.std(ddof=1) / np.sqrt(extra.size)),
            "per_fit": per_fit, "bias2_loo": bias2_loo}


def bv_curves(preds: np.ndarray) -> pd.DataFrame:
    """CURVES_SHOWN of one degree's fits and the average of all of them, at BV_TEST_X (long: x, y, series, line)."""
    shown = pd.DataFrame({"x": np.tile(BV_TEST_X, CURVES_SHOWN), "y": preds[:CURVES_SHOWN].ravel(),
                          "series": "fits on fresh training sets",
                          "line": np.repeat([f"fit {i + 1}" for i in range(CURVES_SHOWN)], len(BV_TEST_X))})
    average = pd.DataFrame({"x": BV_TEST_X, "y": preds.mean(axis=0), "series": f"average of all {len(preds)} fits",
                            "line": "average"})
    return pd.concat([shown, average], ignore_index=True)


@lean
def bias_variance(n: int, noise: float, seed: int, penalty: str, alpha: float) -> BiasVariance:
    """The bias-variance decomposition as the textbook defines it, over independent training sets: draw
    BV_SETS training sets of n points from the data-generating process (bv_training_sets), fit poly_model
    of every degree 1..BV_DEGREE_MAX on each, and decompose the fits' error at BV_TEST_X against the known
    truth (decompose). Least squares and ridge are fitted for all sets at once (_linear_fits); lasso one
    set at a time (_lasso_fits), on the first BV_SETS_LASSO sets (the same first sets: SeedSequence.spawn
    numbers its children in order): its 15 coordinate-descent fits per set take up to 25 ms when alpha is
    small (thousands of sweeps each)."""
    sets = BV_SETS_LASSO if penalty.startswith("lasso") else BV_SETS
    x, y, targets = bv_training_sets(n, noise, seed, sets)
    F, G = _standardised_powers(x, BV_TEST_X)
    if penalty.startswith("lasso"):
        preds = _lasso_fits(F, G, y, alpha)
    else:
        preds = _linear_fits(F, G, y, alpha if penalty.startswith("ridge") else 0.0)
    truth = true_function(BV_TEST_X)
    parts = [decompose(preds[d - 1], truth, targets, noise) for d in range(1, BV_DEGREE_MAX + 1)]
    table = pd.DataFrame([{k: v for k, v in p.items() if k not in ("per_fit", "bias2_loo")} for p in parts])
    table.insert(0, "degree", np.arange(1, BV_DEGREE_MAX + 1))
    return BiasVariance(table, {d: bv_curves(preds[d - 1]) for d in range(1, BV_DEGREE_MAX + 1)},
                        np.array([p["per_fit"] for p in parts]), np.array([p["bias2_loo"] for p in parts]),
                        n, sets)


def _jackknife_se(loo: np.ndarray) -> float:
    sets = len(loo)
    return float(np.sqrt((sets - 1) / sets * np.sum((loo - loo.mean()) ** 2)))


def bv_verdict(bv: BiasVariance, degree: int) -> Verdict:
    """A degree judged by the decomposition itself (the expected test MSE, known up to Monte Carlo error):

    - the best: the lowest expected test MSE of the degrees;
    - near the best: the best cannot be told apart from it, neither by the mean (its excess is within MC_SES
      standard errors of the paired difference over the same training sets) nor by a sign count (its fit is
      worse than the best's on no more than half the sets plus MC_SES binomial standard deviations; the
      count guards against a mean whose standard error a few wild fits have blown up);
    - otherwise under-fit when most of its excess over the best is bias^2, over-fit when most is variance."""
    t = bv.table
    best = int(t["total"].idxmin())
    i = degree - 1
    row, top = t.iloc[i], t.iloc[best]
    if i == best:
        return Verdict(BV_BEST, f"Degree {degree} has the lowest expected test MSE of degrees 1–{len(t)}: "
                                f"{mse_text(row['total'])}.")
    paired = bv.per_fit[i] - bv.per_fit[best]
    excess, se = float(paired.mean()), float(paired.std(ddof=1) / np.sqrt(bv.sets))
    worse = int(np.sum(paired > 0))
    worse_limit = bv.sets / 2 + MC_SES * np.sqrt(bv.sets) / 2
    lead = (f"Degree {degree}'s expected test MSE, {mse_text(row['total'])}, is {mse_text(excess)} above the lowest "
            f"(degree {best + 1}, {mse_text(top['total'])})")
    if excess <= MC_SES * se and worse <= worse_limit:
        return Verdict(BV_NEAR, f"{lead}: within {MC_SES:g} Monte Carlo standard errors of the difference "
                                f"({mse_text(MC_SES * se)}), and its fit is worse than degree {best + 1}'s on "
                                f"{worse} of the {bv.sets} training sets. As good as the best, as far as "
                                f"{bv.sets} training sets can tell.")
    d_bias, d_var = row["bias2"] - top["bias2"], row["variance"] - top["variance"]
    mostly_bias = d_bias > d_var
    return Verdict(UNDER if mostly_bias else OVER,
                   f"{lead}; against degree {best + 1}, bias² is {_mse_above_or_below(d_bias)} and variance "
                   f"{_mse_above_or_below(d_var)}: the excess is mostly "
                   f"{'bias². Under-fit (high bias)' if mostly_bias else 'variance. Over-fit (high variance)'}.")


def _mse_above_or_below(difference: float) -> str:
    return f"{mse_text(abs(difference))} {'above' if difference >= 0 else 'below'}"


def bv_identity_sentence(bv: BiasVariance, degree: int) -> str:
    """The decomposition's identity checked on screen: bias^2 + variance + noise against the test MSE
    measured directly on fresh noisy points."""
    row = bv.table.iloc[degree - 1]
    parts = (f"Degree {degree}, {bv.sets} fresh training sets of {bv.n} points: bias² {mse_text(row['bias2'])} + "
             f"variance {mse_text(row['variance'])} + noise {mse_text(row['noise'])} = {mse_text(row['total'])}, the "
             "expected test MSE.")
    if row["noise"] == 0:
        return (f"{parts} With noise 0 the test targets are the truth itself, so the test MSE measured on them, "
                f"{mse_text(row['test_mse'])}, is the same number.")
    diff, band = row["test_mse"] - row["total"], MC_SES * row["test_se"]
    within = "within" if abs(diff) <= band else "more than"
    return (f"{parts} Measured directly, the same fits' MSE on fresh noisy targets at the {len(BV_TEST_X)} test x "
            f"is {mse_text(row['test_mse'])}: {_mse_above_or_below(diff)} the sum, {within} {MC_SES:g} Monte Carlo "
            f"standard errors ({mse_text(band)}).")


def bv_bias_sentence(bv: BiasVariance, degree: int) -> str:
    """How bias^2 is estimated from finitely many fits, and whether this degree's estimate differs from 0."""
    row = bv.table.iloc[degree - 1]
    b, se = row["bias2"], row["bias2_se"]
    verdict = (f"within {MC_SES:g} standard errors of 0: no bias these {bv.sets} sets can detect"
               if abs(b) <= MC_SES * se else f"more than {MC_SES:g} standard errors from 0")
    return (f"Bias² is the squared gap between the average of the {bv.sets} fits and the truth, minus variance / "
            f"{bv.sets} = {mse_text(row['variance'] / bv.sets)}: an average of finitely many fits misses its "
            "expectation by chance, and that adds variance / (number of fits) to the squared gap on average. "
            f"The estimate is unbiased, so it can come out below 0; its Monte Carlo standard error is {mse_text(se)}, "
            f"and bias² {mse_text(b)} is {verdict}.")


def bv_trend_sentence(bv: BiasVariance, penalty: str) -> str:
    """What the bias^2 estimates do across degrees, said from the numbers: from which degree on they are
    within MC_SES Monte Carlo standard errors of 0, and every step up from one degree to the next larger
    than STEP_SES jackknife standard errors of the (paired) difference."""
    t = bv.table
    b, se = t["bias2"].to_numpy(), t["bias2_se"].to_numpy()
    last = len(t)
    resolved = np.abs(b) > MC_SES * se
    zero_from = next((d for d in range(1, last + 1) if not resolved[d - 1:].any()), None)
    text = f"Across degrees, bias² is {mse_text(b[0])} at degree 1"
    if zero_from is None:
        text += f" and {mse_text(b[-1])} at degree {last}."
    else:
        tail = slice(zero_from - 1, None)
        k = zero_from - 1 + int(np.argmax(se[tail]))
        text += (f" and within {MC_SES:g} Monte Carlo standard errors of 0 from degree {zero_from} on (estimates "
                 f"from {mse_text(b[tail].min())} to {mse_text(b[tail].max())}; the largest standard error, "
                 f"{mse_text(se[k])} at degree {k + 1}, comes with a variance of {mse_text(t['variance'].iloc[k])}: "
                 "the spread of the fits moves these estimates).")
    rises = [f"{d} to {d + 1} ({mse_text(b[d - 1])} to {mse_text(b[d])})" for d in range(1, last)
             if b[d] - b[d - 1] > STEP_SES * _jackknife_se(bv.bias2_loo[d] - bv.bias2_loo[d - 1])]
    if not rises:
        return text + (f" No step from one degree to the next raises it by more than {STEP_SES:g} Monte Carlo "
                       "standard errors.")
    why = ("For least squares, an added term can never raise the bias at the training x of one fixed set; "
           "averaged over random training sets and measured at new x there is no such guarantee"
           if penalty == "none" else "With a penalty nothing guarantees that an added term lowers the bias")
    return text + (f" It rises by more than {STEP_SES:g} Monte Carlo standard errors from degree "
                   f"{'; '.join(rises)}. {why}.")


BV_PART_NAMES = {"bias2": "bias²", "variance": "variance", "noise": "noise σ²", "total": "expected test MSE (sum)"}
BV_MEASURED = "measured test MSE"


def bv_parts_frames(bv: BiasVariance) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The parts chart's data: the parts by degree (long: x, y, series) and the measured test MSE by degree
    (points: x, y, group)."""
    long = bv.table.melt(id_vars="degree", value_vars=list(BV_PART_NAMES), var_name="series", value_name="y")
    long = long.assign(series=long["series"].map(BV_PART_NAMES)).rename(columns={"degree": "x"})
    measured = pd.DataFrame({"x": bv.table["degree"], "y": bv.table["test_mse"], "group": BV_MEASURED})
    return long, measured


def bv_parts_chart(bv: BiasVariance, marker: pd.DataFrame, cap: float, height: int | None = None) -> alt.LayerChart:
    """Bias², variance, noise and their sum by degree (lines), the test MSE measured on fresh points and the
    current degree (points; layer 0, with ``marker``: x, y, group), and a band of bias² +- MC_SES Monte
    Carlo standard errors (layer 1), all on a y axis clipped at ``cap``. Where that band is taller than the
    axis the bias² line is left out (the band says it all): a Monte Carlo swing of the estimate drawn as a
    line to the top of the chart reads as bias coming back."""
    t = bv.table
    long, measured = bv_parts_frames(bv)
    unknown = t["degree"][2 * MC_SES * t["bias2_se"] > cap]
    long.loc[(long["series"] == BV_PART_NAMES["bias2"]) & long["x"].isin(unknown), "y"] = np.nan
    points = pd.concat([marker, measured], ignore_index=True)
    chart = charts.points_lines_chart(points, long, "polynomial degree", "expected squared error",
                                      ["Bias² + variance + noise by degree (clipped)",
                                       f"shaded: bias² ± {MC_SES:g} Monte Carlo s.e.",
                                       "(no bias² line where the band fills the chart)"],
                                      y_domain=(0, cap), **({"height": height} if height else {}))
    band = pd.DataFrame({"x": t["degree"], "low": t["bias2"] - MC_SES * t["bias2_se"],
                         "high": t["bias2"] + MC_SES * t["bias2_se"]})
    chart.layer.insert(1, alt.Chart(band).mark_area(opacity=0.18, color=charts.BLACK, clip=True).encode(
        x=alt.X("x:Q"), y=alt.Y("low:Q", scale=alt.Scale(domain=[0, cap], clamp=True)), y2=alt.Y2("high:Q")))
    return chart


# ---------------------------------------------------------------- the page: settings, cached views, charts
# Each view of the page is one cached computation returning its numbers and its charts' specs (built once per
# input). The degree (fit and bias-variance views) and alpha (regularisation path) only pick precomputed rows:
# their charts hold those rows at every position of the slider and follow it in the browser, with no round
# trip (charts.scrubbable, drawn with show.chart(scrub=...)). The tree depth, ccp_alpha and the patience move
# small datasets with stable names, swapped into an unchanged spec (show.chart(moving=...)), so the browser
# updates the drawn chart in place instead of embedding it again.
FIT_LINES, MARKER, PATH_MARKER, BV_FITS, RULE = "fit_lines", "marker", "path_marker", "bv_fits", "rule"


def degree_scrubbed(spec: dict, positions: dict[int, dict[str, pd.DataFrame]]) -> dict:
    """``spec`` following the degree slider in the browser: ``positions`` maps every degree the slider can
    take (DEGREE_MIN..DEGREE_MAX) to the moving datasets at that degree."""
    return charts.scrubbable(spec, DEGREE_KEY, _labels_once(charts.slices(positions)), DEGREE_MIN, DEGREE_MAX, 1)


def _labels_once(stacked: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """Stacked datasets with their text columns categorical: Arrow then sends each label once (a dictionary),
    not once per row; the bias-variance fits at every degree fell from 4.5 MB to 1.5 MB."""
    return {name: frame.astype({c: "category" for c in frame.columns
                                if not pd.api.types.is_numeric_dtype(frame[c])}) for name, frame in stacked.items()}


def alpha_position(alpha: float) -> int:
    """Where alpha sits on its select_slider: the option's index, which is the value of the slider's
    input element in the browser (the position its charts follow)."""
    return ALPHAS.index(alpha)


@dataclass(frozen=True)
class Settings:
    """Every control of the page: the key of its computations and what "Show the code" prints."""
    n: int
    noise: float
    seed: int
    degree: int
    penalty: str
    alpha: float
    tree_data: tuple | None = None  # the sidebar's classification dataset (common.dataset_key), or None
    depth: int = TREE_DEPTH_DEFAULT
    ccp_alpha: float = CCP_DEFAULT
    learning_rate: float = GB_LR_DEFAULT
    patience: int = PATIENCE_DEFAULT


def script(s: Settings) -> str:
    """The runnable script for these settings (export_code)."""
    return export_code(s.n, s.noise, s.seed, s.degree, s.penalty, s.alpha, s.tree_data, s.depth, s.ccp_alpha,
                       s.learning_rate, s.patience)


BAND_TITLE = "dashed: lowest CV RMSE + 1 standard error"


def clamp_cap(values, floor: float) -> float:
    """The top of an error chart's y axis: three times the lowest error, at least ``floor`` (an exploding
    high-degree fit would otherwise squash every other point to the bottom)."""
    return float(max(floor, 3.0 * min(values)))


def y_domain(noise: float) -> tuple[float, float]:
    return (-1.5 - 3 * noise, 1.5 + 3 * noise)


def pick_marker(x, y, current: str, pick_x, pick_y, pick: str) -> pd.DataFrame:
    """The points of a validation curve: the current setting and the one-standard-error rule's pick."""
    return pd.DataFrame({"x": [x, pick_x], "y": [y, pick_y], "group": [current, f"one-SE pick: {pick}"]})


def _dashed(lines: pd.DataFrame) -> pd.DataFrame:
    """Lines as charts.points_lines_chart draws them: its "dash" column dashes the true function."""
    return lines.assign(dash=np.where(lines["series"].astype(str).str.startswith("true"), "dashed", "solid"))


# ---- the fit view: the data, one degree's fit and the validation curve across degrees
@dataclass
class FitView:
    """One sample and penalty at every degree: the degree slider picks from it, nothing is refitted."""
    curve: pd.DataFrame  # degree_curve: degree, train_rmse, val_rmse, val_se
    fits: dict[int, PolyResult]  # fit_every_degree
    frames: dict[int, dict[str, pd.DataFrame]]  # degree -> its moving datasets (FIT_LINES, MARKER)
    specs: dict[str, dict]  # "fit" (scrubbed: FIT_LINES), "validation" (scrubbed: MARKER), by DEGREE_KEY


def fit_lines(r: PolyResult, degree: int) -> pd.DataFrame:
    """The fit chart's lines at one degree: the fit and the true function at 200 x (x, y, series, dash)."""
    n = len(r.curve)
    return pd.DataFrame({"x": np.tile(r.curve["x"].to_numpy(), 2),
                         "y": np.concatenate([r.curve["fitted"].to_numpy(), r.curve["truth"].to_numpy()]),
                         "series": np.repeat(np.array([f"degree {degree} fit", "true function"], dtype=object), n),
                         "dash": np.repeat(np.array(["solid", "dashed"], dtype=object), n)})


def fit_marker(r: PolyResult, degree: int) -> pd.DataFrame:
    """The validation curve's points at one degree: the degree itself and the one-standard-error pick."""
    pick_rmse = float(r.curve_by_degree["val_rmse"].iloc[r.pick_degree - DEGREE_MIN])
    return pick_marker(degree, r.cv_rmse, f"degree {degree}: {r.reading.verdict.label}", r.pick_degree, pick_rmse,
                       f"degree {r.pick_degree}")


# one entry: 20 fits of n points, their curves at 200 x and two specs (about 0.5 MB); shared, read-only
@memo.cached(max_entries=16, shared=True, progress="Cross-validating every degree…")
def fit_view(n: int, noise: float, seed: int, penalty: str, alpha: float) -> FitView:
    curve = degree_curve(make_data(n, noise, seed), penalty, alpha, seed)
    fits = fit_every_degree(n, noise, seed, penalty, alpha, curve)
    frames = {d: {FIT_LINES: fit_lines(r, d), MARKER: fit_marker(r, d)} for d, r in fits.items()}
    first = frames[DEGREE_MIN]
    fit_chart = charts.points_lines_chart(fits[DEGREE_MIN].data.assign(group="data"), first[FIT_LINES], "x", "y",
                                          f"The data and the fit, penalty: {penalty}", y_domain=y_domain(noise))
    long = pd.concat([curve[["degree", "train_rmse"]].rename(columns={"degree": "x", "train_rmse": "y"}).assign(series="train"),
                      curve[["degree", "val_rmse"]].rename(columns={"degree": "x", "val_rmse": "y"}).assign(series="validation")])
    edge = one_se_rule(curve["val_rmse"], curve["val_se"]).edge
    validation = charts.points_lines_chart(first[MARKER], long, "polynomial degree", "RMSE",
                                           ["Validation curve, every degree (clipped at the top)", BAND_TITLE],
                                           y_domain=(0, clamp_cap(curve["val_rmse"], 0.5 + noise)), rule_y=edge)
    # frames has every degree of the slider: the charts hold them all and follow it in the browser
    return FitView(curve, fits, frames, {
        "fit": degree_scrubbed(charts.named_datasets(charts.to_spec(fit_chart), {1: FIT_LINES}), frames),
        "validation": degree_scrubbed(charts.named_datasets(charts.to_spec(validation), {0: MARKER}), frames)})


# ---- the regularisation path: coefficients and CV error against alpha
@dataclass
class PathView:
    """One degree's path over every alpha: the alpha slider picks from it."""
    path: pd.DataFrame  # alpha, term, coefficient
    by_alpha: pd.DataFrame  # alpha, train_rmse, val_rmse, val_se
    readings: dict[float, CurveReading]  # alpha -> the one-standard-error rule and the verdicts there
    frames: dict[float, dict[str, pd.DataFrame]]  # alpha -> its moving datasets (PATH_MARKER, MARKER)
    specs: dict[str, dict]  # "path" (scrubbed: PATH_MARKER), "error" (scrubbed: MARKER), by ALPHA_KEY's index
    floor: NoiseFloor  # the true curve's own RMSE on the CV rows (the verdicts' yardstick)


@memo.cached(max_entries=32, shared=True, progress="Fitting every alpha…")
def path_view(n: int, noise: float, seed: int, degree: int, penalty: str) -> PathView:
    path, by_alpha = coefficient_path(n, noise, seed, degree, penalty)
    floor, names = noise_floor(n, noise, seed), alpha_names(ALPHAS)
    readings, frames = {}, {}
    for i, a in enumerate(ALPHAS):
        reading = readings[a] = read_rmse_curve(by_alpha, i, names, floor, complexity_increases=False)
        pick = ALPHAS[reading.rule.pick]
        current = path[path["alpha"] == a].rename(columns={"alpha": "x", "coefficient": "y"})
        frames[a] = {PATH_MARKER: current.assign(group=f"alpha = {a:g}")[["x", "y", "group"]].reset_index(drop=True),
                     MARKER: pick_marker(a, by_alpha["val_rmse"].iloc[i], f"alpha = {a:g}: {reading.verdict.label}",
                                         pick, by_alpha["val_rmse"].iloc[reading.rule.pick], f"alpha = {pick:g}")}
    first = frames[ALPHAS[0]]
    lines = path.rename(columns={"alpha": "x", "coefficient": "y", "term": "series"})
    path_chart = charts.points_lines_chart(first[PATH_MARKER], lines, "alpha (log scale)",
                                           "coefficient (standardised)",  # longer overflows the plot
                                           f"Coefficient path, degree {degree}, {penalty}", log_x=True,
                                           # one legend line per term: grow with the degree or it is cut off
                                           height=max(charts.HEIGHT, 20 * degree + 150))
    # up to 20 terms: one hue each from a sequential scheme in order of power (x^1 ... x^20), not a repeating
    # 7-colour palette sorted as text (x^1, x^10, x^11, ... with x^1, x^9 and x^2 all black)
    terms = sorted(lines["series"].unique(), key=lambda t: int(str(t).split("^")[1]))
    path_chart.layer[-1].encoding.color = alt.Color("series:O", title="term", sort=terms,
                                                    scale=alt.Scale(scheme="viridis", domain=terms))
    long = pd.concat([by_alpha[["alpha", "train_rmse"]].rename(columns={"alpha": "x", "train_rmse": "y"}).assign(series="train"),
                      by_alpha[["alpha", "val_rmse"]].rename(columns={"alpha": "x", "val_rmse": "y"}).assign(series="validation")])
    edge = one_se_rule(by_alpha["val_rmse"], by_alpha["val_se"], complexity_increases=False).edge
    error_chart = charts.points_lines_chart(first[MARKER], long, "alpha (log scale)", "RMSE",
                                            ["Error against alpha", BAND_TITLE], log_x=True,
                                            y_domain=(0, clamp_cap(by_alpha["val_rmse"], 0.5 + noise)), rule_y=edge)
    # the alpha slider is a select_slider: its positions are the options' indices (alpha_position)
    stacked = charts.slices({alpha_position(a): frames[a] for a in ALPHAS})

    def scrubbed(spec: dict) -> dict:
        return charts.scrubbable(spec, ALPHA_KEY, stacked, 0, len(ALPHAS) - 1, 1)

    return PathView(path, by_alpha, readings, frames,
                    {"path": scrubbed(charts.named_datasets(charts.to_spec(path_chart), {0: PATH_MARKER})),
                     "error": scrubbed(charts.named_datasets(charts.to_spec(error_chart), {0: MARKER}))}, floor)


# ---- the learning curve
@dataclass
class LearningView:
    curve: pd.DataFrame  # learning_curve_frame: n_train, split, rmse, se
    improving: bool  # still_improving
    spec: dict


@memo.cached(max_entries=32, progress="Learning curve: refitting on growing training sets…")
def learning_view(noise: float, seed: int, degree: int, penalty: str, alpha: float) -> LearningView:
    lc = learning_curve_frame(noise, seed, degree, penalty, alpha)
    val = lc[lc["split"] == "validation"]["rmse"]
    lines = lc.rename(columns={"n_train": "x", "rmse": "y", "split": "series"})
    chart = charts.points_lines_chart(None, lines, "training-set size", "RMSE",
                                      f"Learning curve, degree {degree} ({penalty}), on {POOL_N} fresh points from "
                                      "the same function", log_x=True, y_domain=(0, clamp_cap(val, 0.5 + noise)))
    return LearningView(lc, still_improving(lc), charts.to_spec(chart))


# ---- bias-variance over fresh training sets
@dataclass
class BiasVarianceView:
    """The decomposition at every degree: the degree slider picks from it."""
    bv: BiasVariance
    frames: dict[int, dict[str, pd.DataFrame]]  # degree -> its moving datasets (BV_FITS, MARKER)
    specs: dict[str, dict]  # "fits" (scrubbed: BV_FITS), "parts" (scrubbed: MARKER), by DEGREE_KEY


def bv_title(sets: int) -> str:
    return f"{CURVES_SHOWN} of the {sets} fits on fresh training sets, their average and the truth"


def bv_lines(bv: BiasVariance, degree: int) -> pd.DataFrame:
    """Degree d's fits on fresh training sets, their average (the legend names the degree) and the true
    function, as charts.points_lines_chart draws them (faint fits: "alpha"; the truth dashed: "dash")."""
    xs = bv.curves[degree]
    return pd.DataFrame({
        "x": np.concatenate([xs["x"].to_numpy(), BV_TEST_X]),
        "y": np.concatenate([xs["y"].to_numpy(), true_function(BV_TEST_X)]),
        "series": np.concatenate([f"degree {degree}: " + xs["series"].to_numpy(dtype=object),
                                  np.full(len(BV_TEST_X), "true function", dtype=object)]),
        "line": np.concatenate([xs["line"].to_numpy(dtype=object), np.full(len(BV_TEST_X), "truth", dtype=object)]),
        "alpha": np.concatenate([np.where(xs["line"] == "average", 1.0, 0.35), np.ones(len(BV_TEST_X))]),
        "dash": np.repeat(np.array(["solid", "dashed"], dtype=object), [len(xs), len(BV_TEST_X)])})


def bv_marker(bv: BiasVariance, degree: int) -> pd.DataFrame:
    return pd.DataFrame({"x": [degree], "y": [bv.table["total"].iloc[degree - 1]],
                         "group": [f"degree {degree}: {bv_verdict(bv, degree).label}"]})


def bv_points(bv: BiasVariance, degree: int, measured: pd.DataFrame | None = None) -> pd.DataFrame:
    """The parts chart's points: this degree's marker and the measured test MSE of every degree (pass
    bv_parts_frames(bv)[1] if at hand)."""
    measured = bv_parts_frames(bv)[1] if measured is None else measured
    return pd.concat([bv_marker(bv, degree), measured], ignore_index=True)


# one entry: 15 degrees x (20 + 1) curves at 100 x, twice (the decomposition's and the chart's), about 3 MB
@memo.cached(max_entries=8, shared=True,
             progress=f"Bias–variance: fitting degrees 1–{BV_DEGREE_MAX} on {BV_SETS} fresh training sets "
                      f"({BV_SETS_LASSO} with lasso)…")
def bias_variance_view(n: int, noise: float, seed: int, penalty: str, alpha: float) -> BiasVarianceView:
    bv = bias_variance(n, noise, seed, penalty, alpha)
    measured = bv_parts_frames(bv)[1]
    frames = {d: {BV_FITS: bv_lines(bv, d), MARKER: bv_points(bv, d, measured)} for d in range(1, BV_DEGREE_MAX + 1)}
    fits = charts.points_lines_chart(None, frames[1][BV_FITS], "x", "y", bv_title(bv.sets), y_domain=y_domain(noise))
    cap = float(2 * bv.table["total"].iloc[0] + noise ** 2)
    # the slider goes past BV_DEGREE_MAX: there the page shows BV_DEGREE_MAX (bias_variance_panel), and so do the charts
    positions = {d: frames[min(d, BV_DEGREE_MAX)] for d in range(DEGREE_MIN, DEGREE_MAX + 1)}
    parts = charts.to_spec(bv_parts_chart(bv, bv_marker(bv, 1), cap))
    return BiasVarianceView(bv, frames, {
        "fits": degree_scrubbed(charts.named_datasets(charts.to_spec(fits), {None: BV_FITS}), positions),
        "parts": degree_scrubbed(charts.named_datasets(parts, {0: MARKER}), positions)})


# ---- trees: depth and pruning on the sidebar's dataset
def _accuracy_chart(curve: pd.DataFrame, setting: str, title: str) -> dict:
    """Train, test and CV accuracy against one setting, with a rule at the current value (RULE)."""
    # zoomed on the accuracies: on a 0-1 axis the train/test gap (1.00 vs 0.92) was a hairline
    chart = charts.line_chart(curve, setting, "accuracy", color="split", title=title,
                              rule_x=float(curve[setting].iloc[0]), zero_y=False)
    return charts.named_datasets(charts.to_spec(chart), {1: RULE})


@memo.cached(max_entries=32, progress="Fitting trees at every depth…")
def tree_depth_view(_data, data_key: tuple, seed: int, ccp_alpha: float) -> tuple[pd.DataFrame, dict]:
    """The curve against depth at one ccp_alpha and its chart: moving the depth moves the rule only."""
    curve = tree_depth_curve(_data.X, _data.y, seed, ccp_alpha)
    return curve, _accuracy_chart(curve, "max_depth", f"Accuracy against depth (ccp_alpha = {ccp_alpha:g})")


@memo.cached(max_entries=64, progress="Fitting trees at every pruning strength…")
def tree_ccp_view(_data, data_key: tuple, seed: int, depth: int) -> tuple[pd.DataFrame, dict]:
    """The curve against ccp_alpha at one depth and its chart: moving ccp_alpha moves the rule only."""
    curve = tree_ccp_curve(_data.X, _data.y, seed, depth)
    return curve, _accuracy_chart(curve, "ccp_alpha", f"Accuracy against pruning (max depth {depth})")


@memo.cached(max_entries=64)
def tree_fit(_data, data_key: tuple, seed: int, depth: int, ccp_alpha: float) -> tuple[float, float, int]:
    """Train and test accuracy and leaves of the one tree at these settings (no curve needed)."""
    X_tr, X_te, y_tr, y_te = tree_split(_data.X, _data.y, seed)
    return _tree_scores(X_tr, X_te, y_tr, y_te, seed, max_depth=depth, ccp_alpha=ccp_alpha)[:3]


@memo.cached(max_entries=64)
def tree_result(_data, data_key: tuple, seed: int, depth: int, ccp_alpha: float) -> TreeResult:
    """tree_curves over the two cached curves."""
    return tree_curves(_data.X, _data.y, seed, depth, ccp_alpha, tree_depth_view(_data, data_key, seed, ccp_alpha)[0],
                       tree_ccp_view(_data, data_key, seed, depth)[0])


# ---- early stopping
@memo.cached(max_entries=32, progress="Boosting all the stages…")
def boosting_view(noise: float, seed: int, learning_rate: float) -> tuple[BoostingLosses, dict]:
    """The full run of one learning rate and its loss chart; the stopping rule (RULE) moves with the patience."""
    full = boosting_losses(noise, seed, learning_rate)
    chart = charts.line_chart(
        full.losses, "stage", "mse", color="split", y_title="mean squared error",
        title=f"Gradient boosting (learning rate {learning_rate:g}): loss per stage; the rule marks where early "
              "stopping halted",
        # log stages: the stop (often within the first 20 of 300 stages) had a few pixels on a linear axis
        rule_x=1, log_x=True, x_title="stage (log scale)")
    return full, charts.named_datasets(charts.to_spec(chart), {1: RULE})


@memo.cached(max_entries=64, progress="Boosting with early stopping…")
def stopped_run(noise: float, seed: int, learning_rate: float, patience: int) -> EarlyStopResult:
    """The early-stopped model (a few stages) beside the cached full run: the patience refits only this."""
    return early_stopping(noise, seed, learning_rate, patience, boosting_view(noise, seed, learning_rate)[0])


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
    bv_degree = min(degree, BV_DEGREE_MAX)
    sets = BV_SETS_LASSO if penalty.startswith("lasso") else BV_SETS
    code = f'''import json
import warnings

import numpy as np
import pandas as pd
from sklearn.ensemble import GradientBoostingRegressor
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import Lasso, LinearRegression, Ridge
from sklearn.metrics import accuracy_score, mean_squared_error
from sklearn.model_selection import (
    KFold,
    StratifiedKFold,
    cross_val_score,
    cross_validate,
    train_test_split,
    validation_curve,
)
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MinMaxScaler, PolynomialFeatures, StandardScaler
from sklearn.tree import DecisionTreeClassifier

warnings.simplefilter("ignore", ConvergenceWarning)


def make_data(n, noise, seed):
    rng = np.random.default_rng(seed)
    x = rng.uniform(0, 1, n)
    return pd.DataFrame({{"x": x, "y": np.sin(2 * np.pi * x) + rng.normal(0, noise, n)}})


# 1. Polynomial regression of degree {degree}, penalty: {penalty}
def make_model(degree):
    # x rescaled to [-1, 1] first: the powers of x on [0, 1] are nearly collinear, and least squares would drop
    # the highest ones (tol: the smallest singular value kept, relative to the largest)
    return make_pipeline(MinMaxScaler(feature_range=(-1, 1)), PolynomialFeatures(degree, include_bias=False),
                         StandardScaler(), {reg})


data = make_data({n}, {noise!r}, {seed})
folds = KFold({CV_FOLDS}, shuffle=True, random_state={seed})
model = make_model({degree})
scores = cross_validate(model, data[["x"]], data["y"], cv=folds, scoring="neg_root_mean_squared_error",
                        return_train_score=True)
model.fit(data[["x"]], data["y"])
out = {{"train_rmse": float(np.sqrt(mean_squared_error(data["y"], model.predict(data[["x"]])))),
       "cv_train_rmse": float(-scores["train_score"].mean()),
       "cv_rmse": float(-scores["test_score"].mean()),
       "coefficients": model[-1].coef_.tolist()}}
print(f"degree {degree}: train RMSE {{out['train_rmse']:.3f}}, cross-validated RMSE {{out['cv_rmse']:.3f}}")

# The noise floor of this sample: the true curve's own RMSE on the same training and validation rows
residual = (data["y"] - np.sin(2 * np.pi * data["x"])).to_numpy()
out["floor_train"] = float(np.mean([np.sqrt(np.mean(residual[tr] ** 2)) for tr, _ in folds.split(residual)]))
out["floor_val"] = float(np.mean([np.sqrt(np.mean(residual[te] ** 2)) for _, te in folds.split(residual)]))

# The one-standard-error rule: the simplest degree whose CV RMSE is within one standard error of the lowest
degrees = np.arange({DEGREE_MIN}, {DEGREE_MAX + 1})
_, val_scores = validation_curve(make_model(1), data[["x"]], data["y"], param_name="polynomialfeatures__degree",
                                 param_range=degrees, cv=folds, scoring="neg_root_mean_squared_error")
val_rmse, val_se = -val_scores.mean(axis=1), val_scores.std(axis=1, ddof=1) / np.sqrt({CV_FOLDS})
best = int(np.argmin(val_rmse))
out["best_degree"] = int(degrees[best])
out["one_se_pick"] = int(degrees[np.flatnonzero(val_rmse <= val_rmse[best] + val_se[best]).min()])
print(f"lowest CV RMSE at degree {{out['best_degree']}}; the one-standard-error rule picks {{out['one_se_pick']}}")

# Bias-variance at degree {bv_degree}: {sets} fresh training sets of {n} points from the same process, each fitted
# and compared with the truth at {len(BV_TEST_X)} test x across [0, 1]
test_x = (np.arange({len(BV_TEST_X)}) + 0.5) / {len(BV_TEST_X)}
truth = np.sin(2 * np.pi * test_x)
fits, targets = [], []
for child in np.random.SeedSequence({seed}).spawn({sets}):
    rng = np.random.default_rng(child)
    x = rng.uniform(0, 1, {n})
    y = np.sin(2 * np.pi * x) + rng.normal(0, {noise!r}, {n})
    targets.append(truth + rng.normal(0, {noise!r}, test_x.size))  # fresh noisy test targets
    fits.append(make_model({bv_degree}).fit(x[:, None], y).predict(test_x[:, None]))
fits, targets = np.array(fits), np.array(targets)
variance = fits.var(axis=0, ddof=1)
# the squared gap between the average of {sets} fits and the truth is biased up by variance / {sets}: subtract it
bias2 = np.mean((fits.mean(axis=0) - truth) ** 2 - variance / len(fits))
out["bv_bias2"], out["bv_variance"], out["bv_noise"] = float(bias2), float(variance.mean()), {noise!r} ** 2
out["bv_expected_test_mse"] = out["bv_bias2"] + out["bv_variance"] + out["bv_noise"]
out["bv_measured_test_mse"] = float(np.mean((targets - fits) ** 2))
print(f"bias^2 {{bias2:.4g}} + variance {{variance.mean():.4g}} + noise {{out['bv_noise']:.4g}} = "
      f"{{out['bv_expected_test_mse']:.4g}}; measured test MSE {{out['bv_measured_test_mse']:.4g}}")

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

# The one-standard-error rule on the {TREE_CV_FOLDS}-fold CV accuracy inside the training split (the test rows stay out):
# the shallowest max_depth whose CV accuracy is within one standard error of the best
tree_folds = (StratifiedKFold({TREE_CV_FOLDS}, shuffle=True, random_state={seed}) if y_tr.value_counts().min() >= {TREE_CV_FOLDS}
              else KFold({TREE_CV_FOLDS}, shuffle=True, random_state={seed}))
depths = np.arange({TREE_DEPTH_MIN}, {TREE_DEPTH_MAX + 1})
cv_accuracy = np.array([cross_val_score(DecisionTreeClassifier(max_depth=d, ccp_alpha={ccp_alpha!r}, random_state={seed}),
                                        X_tr, y_tr, cv=tree_folds) for d in depths])
mean, se = cv_accuracy.mean(axis=1), cv_accuracy.std(axis=1, ddof=1) / np.sqrt({TREE_CV_FOLDS})
best = int(np.argmax(mean))
out["tree_best_depth"] = int(depths[best])
out["tree_one_se_pick_depth"] = int(depths[np.flatnonzero(mean >= mean[best] - se[best]).min()])
print(f"best CV accuracy at depth {{out['tree_best_depth']}}; the one-standard-error rule picks depth "
      f"{{out['tree_one_se_pick_depth']}}")
'''
    return code + "\nprint(json.dumps(out))\n"
