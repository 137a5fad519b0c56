"""Tuning lab: grid vs random vs Bayesian (optuna TPE) search on one precomputed 2-D score surface.

A quarter of the rows is locked away first as a test set; the rest (at most MAX_ROWS) is the development
set. The surface is the cross-validated score of an RBF SVM over a log grid of C and gamma on the
development set (computed once, cached). The three searches then *replay* against it: each proposed
(C, gamma) is scored by linear interpolation of the surface in log space, so every strategy gets the same
budget on the same landscape in milliseconds. Interpolation is exact on the surface's points and elsewhere
differs from the true CV score in either direction, so each search's winner is then cross-validated for real
and scored on the test set (check_winners). Successive halving replays the same way on surfaces
cross-validated on a quarter and a half of the rows (its cheap rungs). Written by hand (no library has it):
that replay, the halving schedule over precomputed surfaces and the best-so-far bookkeeping. The Bayesian
search is optuna's TPESampler; the surface is what scikit-learn's GridSearchCV computes (the exported
script uses it).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
import pandas as pd
from scipy.interpolate import RegularGridInterpolator
from sklearn.model_selection import KFold, StratifiedKFold, cross_val_score, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC, SVR

from components import charts, datasets, memo
from components.charts import GREEN, ORANGE, SKY, VERMILION
from components.charts import tuning as tuning_charts

# ---- widgets: one source of truth -------------------------------------------------------------
BUDGET_KEY, SHOW_KEY, STEP_KEY, HALVING_KEY = "tuning.budget", "tuning.show", "tuning.step", "tuning.halving"
BUDGET_MIN, BUDGET_MAX, BUDGET_DEFAULT = 4, 60, 20
GRID, RANDOM, BAYES = "grid search", "random search", "Bayesian (optuna TPE)"
STRATEGIES = (GRID, RANDOM, BAYES)
ALL = "all three"
SHOW_OPTIONS = (ALL,) + STRATEGIES + ("successive halving",)
SHOW_DEFAULT = BAYES
STEP_MIN, STEP_MAX = 1, BUDGET_MAX  # "replay up to trial n" (clipped to the budget)
HALVING = "successive halving"
HALVING_DEFAULT = False
RUNGS = (0.25, 0.5, 1.0)  # share of the rows each successive-halving rung trains on (factor 2)

# ---- the surface --------------------------------------------------------------------------------
LOG_C = (-2.0, 3.0)
LOG_GAMMA = (-4.0, 1.0)
RESOLUTION = 10  # 10 x 10 = 100 settings x 3 folds: ~1-2 s on two slow cores, once per dataset/seed
FOLDS = 3
MAX_ROWS = 300  # development rows the surface is cross-validated on
TEST_SHARE = 0.25  # locked away before anything is tuned
N_BOOTSTRAP = 1000  # resamples for the standard error of a test R² (no closed form)
NOISE_SE = 2.0  # a gap within this many standard errors of the test score is within its noise


def axes(resolution: int = RESOLUTION) -> tuple[np.ndarray, np.ndarray]:
    return np.linspace(*LOG_C, resolution), np.linspace(*LOG_GAMMA, resolution)


def _split(X: np.ndarray, y: np.ndarray, classification: bool, seed: int, **size) -> list[np.ndarray]:
    """train_test_split, stratified when every class has enough rows for it."""
    try:
        return train_test_split(X, y, random_state=seed, stratify=y if classification else None, **size)
    except ValueError:  # a class too small to stratify
        return train_test_split(X, y, random_state=seed, **size)


def split_rows(X: pd.DataFrame, y: pd.Series, classification: bool, seed: int
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Development rows (at most MAX_ROWS, for the surface and the searches) and a test set locked away first
    (TEST_SHARE of all rows), which no search sees: X_dev, y_dev, X_test, y_test."""
    Xv, yv = np.asarray(X, dtype=float), np.asarray(y)
    X_dev, X_test, y_dev, y_test = _split(Xv, yv, classification, seed, test_size=TEST_SHARE)
    if len(y_dev) > MAX_ROWS:
        X_dev, _, y_dev, _ = _split(X_dev, y_dev, classification, seed, train_size=MAX_ROWS)
    return X_dev, y_dev, X_test, y_test


def make_model(log_c: float, log_gamma: float, classification: bool):
    est = SVC if classification else SVR
    return make_pipeline(StandardScaler(), est(C=10.0 ** log_c, gamma=10.0 ** log_gamma))


def splitter(classification: bool, seed: int):
    return (StratifiedKFold if classification else KFold)(FOLDS, shuffle=True, random_state=seed)


def score_surface(X: np.ndarray, y: np.ndarray, classification: bool, seed: int,
                  progress: Callable[[float], None] | None = None, resolution: int = RESOLUTION) -> pd.DataFrame:
    """Mean CV score (accuracy or R²) at every (log10 C, log10 gamma) of the grid, long format."""
    lc, lg = axes(resolution)
    cv = splitter(classification, seed)
    rows = []
    for i, c in enumerate(lc):
        for g in lg:
            s = cross_val_score(make_model(c, g, classification), X, y, cv=cv).mean()
            rows.append({"log10 C": float(c), "log10 gamma": float(g), "score": float(s)})
        if progress:
            progress((i + 1) / len(lc))
    return pd.DataFrame(rows)


def interpolator(surface: pd.DataFrame) -> RegularGridInterpolator:
    lc = np.sort(surface["log10 C"].unique())
    lg = np.sort(surface["log10 gamma"].unique())
    z = surface.pivot(index="log10 C", columns="log10 gamma", values="score").loc[lc, lg].to_numpy()
    return RegularGridInterpolator((lc, lg), z, method="linear", bounds_error=False, fill_value=None)


# ---- the three searches, replayed on the surface -------------------------------------------------
def grid_points(budget: int) -> np.ndarray:
    """The largest m x m grid that fits the budget (m = floor(sqrt(budget))), in row-major order."""
    m = max(1, int(np.floor(np.sqrt(budget))))
    lc = np.linspace(*LOG_C, m) if m > 1 else np.array([np.mean(LOG_C)])
    lg = np.linspace(*LOG_GAMMA, m) if m > 1 else np.array([np.mean(LOG_GAMMA)])
    return np.array([(c, g) for c in lc for g in lg])


def grid_on_surface(budget: int) -> bool:
    """Whether grid search's lattice falls on the surface's own grid points (m - 1 divides RESOLUTION - 1:
    2 x 2 and 4 x 4 here). Its trials then read exact cross-validated scores, while interpolated points
    can never score above the grid points around them: the replay favours grid search at these budgets."""
    m = max(1, int(np.floor(np.sqrt(budget))))
    return m > 1 and (RESOLUTION - 1) % (m - 1) == 0


def random_points(budget: int, seed: int) -> np.ndarray:
    """Uniform in log space (like scipy.stats.loguniform in RandomizedSearchCV)."""
    rng = np.random.default_rng(seed)
    return np.column_stack([rng.uniform(*LOG_C, budget), rng.uniform(*LOG_GAMMA, budget)])


def bayes_points(budget: int, seed: int, f: Callable[[float, float], float]) -> np.ndarray:
    """optuna's TPE: each trial proposes a point given the scores of all previous ones."""
    import optuna  # imported here so that the app starts without optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study(direction="maximize", sampler=optuna.samplers.TPESampler(seed=seed))
    study.optimize(lambda t: f(t.suggest_float("log10 C", *LOG_C), t.suggest_float("log10 gamma", *LOG_GAMMA)),
                   n_trials=budget)
    return np.array([(t.params["log10 C"], t.params["log10 gamma"]) for t in study.trials])


def surface_reader(surface: pd.DataFrame) -> Callable[[float, float], float]:
    """The objective every search evaluates: the surface's score at (log10 C, log10 gamma), interpolated."""
    interp = interpolator(surface)

    def f(c: float, g: float) -> float:
        return float(interp([[c, g]])[0])
    return f


def run_searches(surface: pd.DataFrame, budget: int, seed: int, bayes: np.ndarray | None = None) -> pd.DataFrame:
    """Every trial of every strategy: strategy, trial, log10 C, log10 gamma, score, best so far.

    bayes: the points of a longer Bayesian run on this surface with this seed (bayes_points), of which
    the first `budget` are taken. TPE proposes each trial from the trials before it and its seeded
    random state, never from the number of trials to come, so the first n trials of a longer run are
    an n-trial run (tests/test_tuning.py checks it): the budget slider never reruns optuna."""
    interp = interpolator(surface)
    if bayes is None:
        bayes = bayes_points(budget, seed, surface_reader(surface))
    elif len(bayes) < budget:
        raise ValueError(f"a Bayesian run of {len(bayes)} trials cannot serve a budget of {budget}")
    frames = []
    for name, pts in ((GRID, grid_points(budget)), (RANDOM, random_points(budget, seed)),
                      (BAYES, bayes[:budget])):
        scores = interp(pts)
        frames.append(pd.DataFrame({"strategy": name, "trial": np.arange(1, len(pts) + 1),
                                    "log10 C": pts[:, 0], "log10 gamma": pts[:, 1], "score": scores,
                                    "best so far": np.maximum.accumulate(scores)}))
    return pd.concat(frames, ignore_index=True)


# ---- successive halving, replayed on surfaces computed with fewer rows ----------------------------
def fraction_rows(X: np.ndarray, y: np.ndarray, classification: bool, seed: int,
                  fraction: float) -> tuple[np.ndarray, np.ndarray]:
    """A random `fraction` of the rows (stratified when possible): the cheap resource of a halving rung."""
    if fraction >= 1:
        return X, y
    n = max(12, int(round(len(y) * fraction)))
    if n >= len(y):
        return X, y
    Xs, _, ys, _ = _split(X, y, classification, seed, train_size=n)
    return Xs, ys


def halving_sizes(budget: int) -> list[int]:
    """Candidates per rung (halved each rung) for the largest start whose cost fits the budget, the cost
    of one evaluation being the share of rows it trains on (a full-data fit costs 1)."""
    def sizes(n0: int) -> list[int]:
        return [max(1, -(-n0 // 2 ** r)) for r in range(len(RUNGS))]

    n0 = 1
    while sum(n * f for n, f in zip(sizes(n0 + 1), RUNGS)) <= budget:
        n0 += 1
    return sizes(n0)


def run_halving(surfaces: dict[float, pd.DataFrame], budget: int, seed: int) -> pd.DataFrame:
    """Successive halving (as in scikit-learn's HalvingRandomSearchCV, factor 2, resource = rows):
    many random candidates scored on a quarter of the rows, the better half promoted to half the rows,
    the better half of those to all rows. `trial` is the budget spent so far (full-data fits);
    `best so far` counts full-data scores only, the only ones comparable with the other strategies."""
    interps = {f: interpolator(surfaces[f]) for f in RUNGS}
    sizes = halving_sizes(budget)
    rng = np.random.default_rng(seed + 1)
    cand = np.column_stack([rng.uniform(*LOG_C, sizes[0]), rng.uniform(*LOG_GAMMA, sizes[0])])
    rows, spent, best = [], 0.0, np.nan
    for rung, (f, n) in enumerate(zip(RUNGS, sizes)):
        cand = cand[:n]
        scores = interps[f](cand)
        for (c, g), sc in zip(cand, scores):
            spent += f
            if f >= 1:
                best = sc if np.isnan(best) else max(best, sc)
            rows.append({"strategy": HALVING, "trial": round(spent, 6), "log10 C": c, "log10 gamma": g,
                         "score": float(sc), "best so far": best, "rows used": f, "rung": rung + 1})
        cand = cand[np.argsort(-scores, kind="stable")]  # the better ones first, for the next rung
    return pd.DataFrame(rows)


def halving_counts(part: pd.DataFrame) -> tuple[int, int, list[int]]:
    """Successive halving's trials so far (rows of run_halving): the distinct candidates (a (C, gamma)
    counted once however many rungs scored it), the evaluations (one candidate scored on one rung's rows)
    and the evaluations per rung, in RUNGS order."""
    candidates = len(part[["log10 C", "log10 gamma"]].drop_duplicates())
    rung = part["rung"].to_numpy(dtype=int) if len(part) else np.zeros(0, dtype=int)
    return candidates, len(part), [int((rung == r + 1).sum()) for r in range(len(RUNGS))]


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def halving_label(candidates: int, evaluations: int, on_all_rows: int) -> str:
    """The halving metric's label: candidates and evaluations are different counts (a promoted candidate
    is evaluated again on more rows), so both are stated."""
    return (f"{HALVING}: {_count(candidates, 'candidate')}, {_count(evaluations, 'evaluation')}, "
            f"{on_all_rows} on all rows")


def halving_help(per_rung: list[int]) -> str:
    """The halving metric's help: what each rung evaluated so far."""
    shares = ("a quarter of the rows", "half of the rows", "all the rows")
    parts = [f"{n} on {share}" for n, share in zip(per_rung, shares) if n]
    done = ", ".join(parts) if parts else "none yet"
    return (f"An evaluation scores one candidate on one rung's rows; evaluations so far: {done}. Only scores on "
            "all the rows count: the cheap rungs only decide who is promoted.")


def best_per_strategy(trials: pd.DataFrame) -> pd.DataFrame:
    """Each strategy's best trial (the first one at its highest score), strategies in order of appearance;
    successive halving's on all the rows only. numpy, not a pandas groupby: the replay calls it per move."""
    if "rows used" in trials:  # only full-data scores compete
        trials = trials[trials["rows used"].fillna(1.0).to_numpy() >= 1]
    strategy, score = trials["strategy"].to_numpy(dtype=object), trials["score"].to_numpy(dtype=float)
    best = [int(np.flatnonzero(strategy == name)[np.argmax(score[strategy == name])])
            for name in dict.fromkeys(strategy)]
    out = trials.iloc[best][["strategy", "trial", "log10 C", "log10 gamma", "score"]].reset_index(drop=True)
    out["C"] = 10.0 ** out["log10 C"]
    out["gamma"] = 10.0 ** out["log10 gamma"]
    return out.rename(columns={"trial": "found at trial"})


# ---- the winners, checked: true CV score and a held-out test score ---------------------------------
FULL_GRID = "full grid"
REPLAYED, TRUE_CV, TEST, TEST_SE, EXACT = "replayed score", "true CV score", "test score", "test SE", "surface point"


def test_score_se(y_true: np.ndarray, y_pred: np.ndarray, classification: bool, seed: int) -> float:
    """Standard error of a test score: binomial for accuracy; for R² (no closed form) the bootstrap over
    the test rows."""
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    n = len(y_true)
    if classification:
        acc = float((y_true == y_pred).mean())
        return float(np.sqrt(acc * (1 - acc) / n))
    idx = np.random.default_rng(seed).integers(0, n, (N_BOOTSTRAP, n))
    t, p = y_true[idx], y_pred[idx]
    ss_res = ((t - p) ** 2).sum(axis=1)
    ss_tot = ((t - t.mean(axis=1, keepdims=True)) ** 2).sum(axis=1)
    r2 = 1 - ss_res / np.where(ss_tot > 0, ss_tot, np.nan)
    return float(np.nanstd(r2, ddof=1))


def on_surface(surface: pd.DataFrame, c: float, g: float) -> float | None:
    """The surface's own score when (c, g) is one of its grid points (then the replay read the true CV
    score), else None."""
    hit = surface[np.isclose(surface["log10 C"], c) & np.isclose(surface["log10 gamma"], g)]
    return float(hit["score"].iloc[0]) if len(hit) else None


def check_setting(surface: pd.DataFrame, X_dev: np.ndarray, y_dev: np.ndarray, X_test: np.ndarray,
                  y_test: np.ndarray, classification: bool, seed: int, c: float, g: float) -> dict:
    """One setting checked: whether it is a surface point, its true cross-validated score (the same folds
    as the surface), and the score on the test set of a model fitted on every development row, with the
    test score's standard error."""
    exact = on_surface(surface, c, g)
    model = make_model(c, g, classification)
    out = {EXACT: exact is not None,
           TRUE_CV: exact if exact is not None else float(cross_val_score(
               model, X_dev, y_dev, cv=splitter(classification, seed)).mean())}
    pred = model.fit(X_dev, y_dev).predict(X_test)
    out[TEST] = float(model.score(X_test, y_test))
    out[TEST_SE] = test_score_se(y_test, pred, classification, seed)
    return out


def winner_settings(surface: pd.DataFrame, trials: pd.DataFrame) -> list[dict]:
    """The full grid's best setting and each search's best (full-data) trial, with the score the replay read."""
    best = surface.loc[surface["score"].idxmax()]
    rows = [{"search": FULL_GRID, "log10 C": float(best["log10 C"]), "log10 gamma": float(best["log10 gamma"]),
             REPLAYED: float(best["score"])}]
    for _, r in best_per_strategy(trials).iterrows():
        rows.append({"search": r["strategy"], "log10 C": float(r["log10 C"]), "log10 gamma": float(r["log10 gamma"]),
                     REPLAYED: float(r["score"])})
    return rows


def check_winners(surface: pd.DataFrame, trials: pd.DataFrame, X_dev: np.ndarray, y_dev: np.ndarray,
                  X_test: np.ndarray, y_test: np.ndarray, classification: bool, seed: int,
                  check: Callable[[float, float], dict] | None = None) -> pd.DataFrame:
    """The full grid's best setting and each search's best (full-data) trial: the score the replay read,
    the true cross-validated score at that setting (the same folds as the surface) and the score of a model
    fitted on every development row, on the test set no search saw. check(c, g): check_setting on these
    rows, e.g. cached per setting (a budget that moves one search's winner checks that one alone)."""
    rows = winner_settings(surface, trials)
    for row in rows:
        c, g = row["log10 C"], row["log10 gamma"]
        row.update(check(c, g) if check is not None else
                   check_setting(surface, X_dev, y_dev, X_test, y_test, classification, seed, c, g))
    return pd.DataFrame(rows)


def _leaders(values: pd.Series) -> str:
    """The name(s) with the highest value at the four decimals the sentence shows."""
    shown = values.round(4)
    names = list(shown.index[shown == shown.max()])
    return names[0] if len(names) == 1 else " and ".join([", ".join(names[:-1]), names[-1]]) + " (tied)"


def interpolation_sentence(checks: pd.DataFrame, budget: int) -> str:
    """What the replay's interpolation did to each search's best trial, in whichever direction it went
    (four decimals: the differences are often a few thousandths)."""
    parts = []
    searches = checks[checks["search"] != FULL_GRID]
    for _, r in searches.iterrows():
        diff = r[REPLAYED] - r[TRUE_CV]
        if r[EXACT]:
            how = "a surface point, read exactly"
        elif round(diff, 4) == 0:
            how = "the same to four decimals"
        else:
            how = f"the replay {'flattered' if diff > 0 else 'understated'} it by {abs(diff):.4f}"
        parts.append(f"{r['search']} read {r[REPLAYED]:.4f}, truly {r[TRUE_CV]:.4f} ({how})")
    text = ("The replay scores a trial by interpolating linearly between the surface's grid points: exact on those "
            "points, never above the best of the four around a trial, while the true cross-validated score between "
            "them can be higher or lower. Each search's best trial, cross-validated for real: "
            + "; ".join(parts) + ".")
    if grid_on_surface(budget):
        m = int(np.floor(np.sqrt(budget)))
        text += (f" At this budget grid search's {m} × {m} lattice falls on the surface's own points, so all its "
                 "trials read exact scores.")
    ranked = searches.set_index("search")
    by_replay, by_cv, by_test = (_leaders(ranked[col]) for col in (REPLAYED, TRUE_CV, TEST))
    text += f" Best by the replay: {by_replay}; by true CV: {by_cv}; on the test set: {by_test}."
    return text


def grid_max_sentence(checks: pd.DataFrame, n_settings: int, n_test: int) -> str:
    """The full grid's best CV score is the maximum of many noisy scores: say so, then set its test score
    against it."""
    r = checks.set_index("search").loc[FULL_GRID]
    gap = r[TEST] - r[TRUE_CV]
    text = (f"The full grid's best, {r[TRUE_CV]:.3f}, is the largest of {n_settings} cross-validated scores. Each "
            "carries noise, and the largest of many noisy scores tends to be one whose noise happened to help: as an "
            "estimate of how that setting does on new data it is biased upwards (the winner's curse), and so is each "
            f"search's best. On the {n_test} test rows no search saw, that setting scores {r[TEST]:.3f}")
    if round(gap, 3) == 0:
        return text + ", the same as its CV score to three decimals."
    k = round(abs(gap) / r[TEST_SE], 1) if r[TEST_SE] > 0 else float("inf")
    noise = "within the test set's noise" if k <= NOISE_SE else "more than the test set's noise explains"
    return (text + f": {abs(gap):.3f} {'lower' if gap < 0 else 'higher'} than its CV score, {k:.1f} standard errors "
            f"of the test score (SE {r[TEST_SE]:.3f}): {noise}.")


HYPER_VS_LEARNED = pd.DataFrame([
    ("learning rate", "gradient boosting, neural networks", "the weights each step updates"),
    ("number of trees (n_estimators)", "random forest, boosting", "each tree's splits and leaf values"),
    ("max depth", "decision trees, forests, boosting", "which feature and threshold each node splits on"),
    ("batch size", "neural networks (SGD)", "the network's weights and biases"),
    ("C and gamma", "SVM (this page)", "the support vectors and their dual coefficients"),
    ("regularisation strength (alpha, C)", "linear / logistic regression", "the coefficients and intercept"),
    ("k (neighbours)", "k-nearest neighbours", "nothing: KNN stores the training set"),
], columns=["hyper-parameter (you choose, before training)", "model", "learned parameters (fit finds them)"])


# ---- the page: settings, cached computations, what the replay moves ------------------------------
STRATEGY_COLOURS = {GRID: SKY, RANDOM: VERMILION, BAYES: ORANGE, HALVING: GREEN}  # the same in both charts


@dataclass(frozen=True)
class TuningSettings:
    """The page's shared controls and the data they apply to (the replay's controls live in its panel)."""
    dataset: str
    seed: int
    n_samples: int = 0  # a generated 2-D set's size and noise; 0 and 0.0 for a bundled table
    noise: float = 0.0
    budget: int = BUDGET_DEFAULT
    halving: bool = HALVING_DEFAULT

    @property
    def data(self) -> tuple[str, int, int, float]:
        """The cache key of the rows and the surfaces: what every control reuses."""
        return self.dataset, self.seed, self.n_samples, self.noise

    @property
    def classification(self) -> bool:
        return datasets.REGISTRY[self.dataset].task == datasets.CLASSIFICATION

    @property
    def metric(self) -> str:
        return "accuracy" if self.classification else "R²"

    @property
    def strategies(self) -> tuple[str, ...]:
        return STRATEGIES + ((HALVING,) if self.halving else ())


def _is_classification(dataset: str) -> bool:
    return datasets.REGISTRY[dataset].task == datasets.CLASSIFICATION


@memo.cached(max_entries=16)
def dev_rows(dataset: str, seed: int, n_samples: int, noise: float) -> tuple:
    """Development rows (the surface and the searches) and the test rows locked away before them."""
    ds = datasets.load(dataset, n_samples=n_samples, noise=noise, seed=seed)
    return split_rows(ds.X, ds.y, ds.task == datasets.CLASSIFICATION, seed)


@memo.cached(max_entries=16, progress=f"Computing the score surface once ({RESOLUTION ** 2} settings × {FOLDS} "
                                      "folds)…")
def surface(dataset: str, seed: int, n_samples: int, noise: float) -> pd.DataFrame:
    """The CV score surface on the development rows: the heavy first computation, reused by every control."""
    X, y = dev_rows(dataset, seed, n_samples, noise)[:2]
    return score_surface(X, y, _is_classification(dataset), seed)


@memo.cached(max_entries=16, progress="Successive halving: computing the surface on ¼ and on ½ of the rows "
                                      "(its cheap rungs, once)…")
def rung_surfaces(dataset: str, seed: int, n_samples: int, noise: float) -> dict[float, pd.DataFrame]:
    """The surface of every successive-halving rung (RUNGS): fewer rows for the cheap ones."""
    clf = _is_classification(dataset)
    X, y = dev_rows(dataset, seed, n_samples, noise)[:2]
    out = {f: score_surface(*fraction_rows(X, y, clf, seed, f), clf, seed) for f in RUNGS if f < 1}
    return out | {1.0: surface(dataset, seed, n_samples, noise)}


@memo.cached(max_entries=16, progress=f"Bayesian search: optuna proposes {BUDGET_MAX} trials once…")
def bayes_run(dataset: str, seed: int, n_samples: int, noise: float) -> np.ndarray:
    """The Bayesian search at the largest budget; every smaller budget is its first trials (run_searches)."""
    return bayes_points(BUDGET_MAX, seed, surface_reader(surface(dataset, seed, n_samples, noise)))


@memo.cached(max_entries=64)
def trials(dataset: str, seed: int, n_samples: int, noise: float, budget: int, halving: bool) -> pd.DataFrame:
    """Every trial of every strategy at this budget (successive halving's too when it is on)."""
    data = (dataset, seed, n_samples, noise)
    out = run_searches(surface(*data), budget, seed, bayes=bayes_run(*data))
    if halving:
        out = pd.concat([out.assign(**{"rows used": 1.0}), run_halving(rung_surfaces(*data), budget, seed)],
                        ignore_index=True)
    return out


@memo.cached(max_entries=256, progress="Cross-validating a winner for real and scoring it on the test set…")
def checked_setting(dataset: str, seed: int, n_samples: int, noise: float, c: float, g: float) -> dict:
    """check_setting for one (log10 C, log10 gamma), cached on its own: a budget that moves one search's
    winner checks that one alone."""
    data = (dataset, seed, n_samples, noise)
    return check_setting(surface(*data), *dev_rows(*data), _is_classification(dataset), seed, c, g)


@memo.cached(max_entries=64)
def winners(dataset: str, seed: int, n_samples: int, noise: float, budget: int, halving: bool) -> pd.DataFrame:
    """check_winners for the page's settings, each setting's check cached on its own (checked_setting)."""
    data = (dataset, seed, n_samples, noise)
    X_dev, y_dev, X_test, y_test = dev_rows(*data)
    return check_winners(surface(*data), trials(*data, budget, halving), X_dev, y_dev, X_test, y_test,
                         _is_classification(dataset), seed, check=lambda c, g: checked_setting(*data, c, g))


def shown_strategies(show: str, halving: bool) -> tuple[str, ...]:
    """The strategies the surface chart draws (its fixed colour and shape domain)."""
    if show == ALL:
        return STRATEGIES + ((HALVING,) if halving else ())
    return (show,)


@memo.cached(max_entries=32)
def replay_specs(dataset: str, seed: int, n_samples: int, noise: float, halving: bool, show: str) -> dict:
    """Both replay charts, built once per (data, halving, strategy shown): the budget and the replay step
    only change their named datasets (replay_frames), never the specs."""
    surf = surface(dataset, seed, n_samples, noise)
    clf = _is_classification(dataset)
    metric = "accuracy" if clf else "R²"
    domain = None if clf else (max(float(surf["score"].min()), float(surf["score"].max()) - 1.0),
                               float(surf["score"].max()))
    drawn = shown_strategies(show, halving)
    every = STRATEGIES + ((HALVING,) if halving else ())
    return {
        "surface": tuning_charts.surface_spec(
            surf, "log10 C", "log10 gamma", "score", strategies=drawn,
            colours=[STRATEGY_COLOURS[s] for s in drawn], label=show not in (ALL, HALVING), halving=halving,
            value_domain=domain, title=f"CV {metric} over C and gamma; trials: {show}"),
        "best": tuning_charts.best_so_far_spec(strategies=every, colours=[STRATEGY_COLOURS[s] for s in every],
                                               y_title=f"best {metric} so far"),
    }


def replay_tables(trials: pd.DataFrame, show: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The trials of the strategy shown and every strategy's best-so-far line, in the named datasets'
    columns (tuning_charts.trials_frame): what replay_frames cuts at each step."""
    drawn = trials if show == ALL else trials[trials["strategy"] == show]
    return (tuning_charts.trials_frame(drawn).reset_index(drop=True),
            tuning_charts.trials_frame(trials)[["strategy", "trial", "best so far"]])


@memo.cached(max_entries=64)
def cached_replay_tables(dataset: str, seed: int, n_samples: int, noise: float, budget: int, halving: bool,
                         show: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    return replay_tables(trials(dataset, seed, n_samples, noise, budget, halving), show)


def replay_frames(tables: tuple[pd.DataFrame, pd.DataFrame], n: int) -> dict[str, pd.DataFrame]:
    """What a replay move changes (the charts' named datasets): the trials drawn so far (trial <= n), the
    rule at trial n, and every strategy's best-so-far line (the same at every step)."""
    drawn, lines = tables
    return {tuning_charts.TRIALS_DATA: drawn[drawn["trial"].to_numpy() <= n],
            tuning_charts.STEP_DATA: pd.DataFrame({"trial": [float(n)]}),
            tuning_charts.LINES_DATA: lines}


STEPPED = (tuning_charts.TRIALS_DATA, tuning_charts.STEP_DATA)  # what a replay step changes (not the lines)


def replay_positions(tables: tuple[pd.DataFrame, pd.DataFrame], budget: int) -> dict[int, dict[str, pd.DataFrame]]:
    """The datasets a replay step changes (STEPPED) at every value of the step slider, STEP_MIN..STEP_MAX:
    replay_frames at that step, or at the budget past it (where the page's numbers stop too)."""
    return {step: {name: frame for name, frame in replay_frames(tables, min(step, budget)).items() if name in STEPPED}
            for step in range(STEP_MIN, STEP_MAX + 1)}


def replay_scrubbed(specs: dict[str, dict], tables: tuple[pd.DataFrame, pd.DataFrame], budget: int) -> dict:
    """The replay charts (replay_specs) with this budget's best-so-far lines and the trials and rule at every
    step of the replay slider (replay_positions): they follow the slider in the browser (charts.scrubbable),
    so a step moves them with no round trip and no re-embedding."""
    stacked = charts.slices(replay_positions(tables, budget))
    lines = {tuning_charts.LINES_DATA: tables[1]}
    return {name: charts.scrubbable(charts.with_datasets(spec, lines), STEP_KEY, stacked, STEP_MIN, STEP_MAX, 1)
            for name, spec in specs.items()}


@memo.cached(max_entries=64)
def replay_charts(dataset: str, seed: int, n_samples: int, noise: float, budget: int, halving: bool,
                  show: str) -> dict:
    """replay_scrubbed for these settings: built again only when the budget, halving or the strategy shown
    changes, never by a step."""
    return replay_scrubbed(replay_specs(dataset, seed, n_samples, noise, halving, show),
                           cached_replay_tables(dataset, seed, n_samples, noise, budget, halving, show), budget)


def replay_notes(step: int, budget: int, classification: bool, n_dev: int) -> list[str]:
    """The captions under the replay's numbers, from the settings on screen."""
    notes = []
    if step > budget:
        notes.append(f"Showing all {budget} trials: the budget ends the replay.")
    if classification:
        notes.append(f"A cross-validated accuracy here is a share of {n_dev} rows: one row is worth "
                     f"{1 / n_dev:.3f}, so strategies within that of each other are tied.")
    m = int(budget ** 0.5)
    if m * m < budget:
        notes.append(f"Grid search can only use a full m × m grid: {m * m} of the {budget} trials.")
    return notes


# ---- code export --------------------------------------------------------------------------------
def export_code(dataset_src: str, classification: bool, budget: int, seed: int, resolution: int = RESOLUTION,
                halving: bool = False) -> str:
    """A standalone script: a locked-away test set, the surface via GridSearchCV, the searches replayed on
    it, then each winner cross-validated for real and scored on the test set."""
    est = "SVC" if classification else "SVR"
    cv = "StratifiedKFold" if classification else "KFold"
    halving_src = f'''

# 5. Successive halving: surfaces on a quarter and a half of the rows are the cheap rungs.
def fraction_rows(X, y, fraction):
    n = max(12, int(round(len(y) * fraction)))
    if n >= len(y):
        return X, y
    Xs, _, ys, _ = split(X, y, train_size=n)
    return Xs, ys


RUNGS = {RUNGS}
rung_surface = {{1.0: surface}}
for frac in RUNGS[:-1]:
    rung_surface[frac] = cv_surface(*fraction_rows(Xv, yv, frac))[0]


def sizes(n0):
    return [max(1, -(-n0 // 2 ** r)) for r in range(len(RUNGS))]


n0 = 1
while sum(n * fr for n, fr in zip(sizes(n0 + 1), RUNGS)) <= BUDGET:  # the largest start that fits the budget
    n0 += 1
rng_h = np.random.default_rng(SEED + 1)
cand = np.column_stack([rng_h.uniform(*LOG_C, n0), rng_h.uniform(*LOG_GAMMA, n0)])
for frac, n in zip(RUNGS, sizes(n0)):
    cand = cand[:n]
    scores = rung_surface[frac](cand)
    cand = cand[np.argsort(-scores, kind="stable")]  # the better half goes on to more rows
halving_best = float(scores.max())  # the last rung used every row
print(f"halving: best {{halving_best:.4f}} ({{n0}} candidates, {{sum(sizes(n0))}} evaluations, "
      f"{{sizes(n0)[-1]}} on all rows)")
winners["halving"] = cand[0]  # sorted: the best of the last rung first
''' if halving else "\n"
    json_extra = ', "halving": halving_best' if halving else ""
    rivals = "grid vs random vs Bayesian search" + (" vs successive halving" if halving else "")
    return f'''"""Tuning an RBF {est}: {rivals}, budget {budget} (ML Explorer)."""
import json

import numpy as np
import optuna
import pandas as pd
from scipy.interpolate import RegularGridInterpolator
from sklearn.model_selection import GridSearchCV, KFold, StratifiedKFold, cross_val_score, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC, SVR

SEED, BUDGET, RES, CLASSIFICATION = {seed}, {budget}, {resolution}, {classification}
LOG_C, LOG_GAMMA = {LOG_C}, {LOG_GAMMA}

{dataset_src}


def split(X, y, **size):
    """train_test_split, stratified when every class has enough rows for it."""
    try:
        return train_test_split(X, y, random_state=SEED, stratify=y if CLASSIFICATION else None, **size)
    except ValueError:  # a class too small to stratify
        return train_test_split(X, y, random_state=SEED, **size)


# 0. Lock a test set away before anything is tuned; the development rows (at most {MAX_ROWS}) are for the search.
Xv, X_test, yv, y_test = split(np.asarray(X, dtype=float), np.asarray(y), test_size={TEST_SHARE})
if len(yv) > {MAX_ROWS}:
    Xv, _, yv, _ = split(Xv, yv, train_size={MAX_ROWS})
lc, lg = np.linspace(*LOG_C, RES), np.linspace(*LOG_GAMMA, RES)


def cv_surface(X, y):
    """1. The score surface: every (C, gamma) of a log grid, {FOLDS}-fold cross-validated (computed once)."""
    search = GridSearchCV(make_pipeline(StandardScaler(), {est}()),
                          {{"{est.lower()}__C": 10.0 ** lc, "{est.lower()}__gamma": 10.0 ** lg}},
                          cv={cv}({FOLDS}, shuffle=True, random_state=SEED))
    search.fit(X, y)
    # ParameterGrid varies the last (alphabetical) key fastest: rows are C, columns gamma
    z = search.cv_results_["mean_test_score"].reshape(RES, RES)
    return RegularGridInterpolator((lc, lg), z, method="linear", bounds_error=False, fill_value=None), z, search


surface, z, search = cv_surface(Xv, yv)


def f(c, g):  # a search "evaluates" a setting by reading the surface (log10 C, log10 gamma)
    return float(surface([[c, g]])[0])


# 2. Grid search: the largest m x m grid that fits the budget.
m = max(1, int(np.floor(np.sqrt(BUDGET))))
gc = np.linspace(*LOG_C, m) if m > 1 else np.array([np.mean(LOG_C)])
gg = np.linspace(*LOG_GAMMA, m) if m > 1 else np.array([np.mean(LOG_GAMMA)])
grid_scores = [f(c, g) for c in gc for g in gg]

# 3. Random search: uniform in log space.
rng = np.random.default_rng(SEED)
rc, rg = rng.uniform(*LOG_C, BUDGET), rng.uniform(*LOG_GAMMA, BUDGET)
random_scores = [f(c, g) for c, g in zip(rc, rg)]

# 4. Bayesian optimisation: optuna's TPE proposes each point from the previous results.
optuna.logging.set_verbosity(optuna.logging.WARNING)
study = optuna.create_study(direction="maximize", sampler=optuna.samplers.TPESampler(seed=SEED))
study.optimize(lambda t: f(t.suggest_float("log10 C", *LOG_C), t.suggest_float("log10 gamma", *LOG_GAMMA)),
               n_trials=BUDGET)
bayes_scores = [t.value for t in study.trials]

print("best CV score on the surface:", z.max(), "at", search.best_params_)
for name, s in (("grid", grid_scores), ("random", random_scores), ("bayes", bayes_scores)):
    print(f"{{name:>6}}: best {{max(s):.4f}} after {{len(s)}} trials")
i, j = np.unravel_index(np.argmax(z), z.shape)
winners = {{"surface_max": (lc[i], lg[j]), "grid": [(c, g) for c in gc for g in gg][int(np.argmax(grid_scores))],
           "random": (rc[int(np.argmax(random_scores))], rg[int(np.argmax(random_scores))]),
           "bayes": tuple(study.trials[int(np.argmax(bayes_scores))].params.values())}}
{halving_src}
# 6. The winners, checked: the replay read an interpolated score, so cross-validate each winner for real (the
#    same folds), then fit it on every development row and score it on the test set no search saw.
out = {{"surface_max": float(z.max()), "grid": max(grid_scores), "random": max(random_scores),
       "bayes": max(bayes_scores){json_extra}}}
folds = {cv}({FOLDS}, shuffle=True, random_state=SEED)  # the surface's folds
for name, (c, g) in winners.items():
    model = make_pipeline(StandardScaler(), {est}(C=10.0 ** c, gamma=10.0 ** g))
    out[name + "_true"] = float(cross_val_score(model, Xv, yv, cv=folds).mean())
    out[name + "_test"] = float(model.fit(Xv, yv).score(X_test, y_test))
    print(f"{{name:>11}}: true CV {{out[name + '_true']:.4f}}  test {{out[name + '_test']:.4f}}")
print(json.dumps(out))
'''
