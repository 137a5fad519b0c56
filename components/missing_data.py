"""Missing-data lab: inject missingness into a complete table, impute it several ways, compare.

The truth is known (the table starts complete), so every imputation can be scored against it:
RMSE on the injected cells, the distortion of a correlation, the rows a drop loses, and the
cross-validated score of one model with the imputer fitted *inside* the CV pipeline.

Imputers come from scikit-learn (SimpleImputer, KNNImputer, IterativeImputer). scikit-learn has
no missingness *injector* (no "ampute"), so :func:`inject_missing` is written by hand here.
"""
from __future__ import annotations

import functools
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import altair as alt
import numpy as np
import pandas as pd
from scipy import stats
from sklearn.base import clone
from sklearn.experimental import enable_iterative_imputer  # noqa: F401  (registers IterativeImputer)
from sklearn.impute import IterativeImputer, KNNImputer, SimpleImputer
from sklearn.linear_model import BayesianRidge, LogisticRegression, Ridge
from sklearn.model_selection import KFold, StratifiedKFold, cross_val_score, train_test_split
from sklearn.neighbors import KNeighborsRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeRegressor

from components import charts, code_export, datasets, memo
from components.datasets import TWO_D
from components.models import quiet_convergence

# ---- widget keys, defaults, ranges (one source of truth; the page and the tests import them) ----
MECHANISM_KEY, PCT_KEY, COLUMNS_KEY, K_KEY, ESTIMATOR_KEY, M_KEY, INSPECT_KEY = (
    "missing.mechanism", "missing.pct", "missing.columns", "missing.k", "missing.estimator",
    "missing.m", "missing.inspect")
LAST_DATASET_KEY = "missing._last_dataset"  # not a widget: remembers which dataset the columns belong to
MECHANISMS = ("MCAR", "MAR", "MNAR")
MECHANISM_HELP = {
    "MCAR": "Missing completely at random: every cell of an affected column has the same chance.",
    "MAR": "Missing at random: the chance depends on another, fully observed column (the driver).",
    "MNAR": "Missing not at random: the chance depends on the hidden value itself (large values vanish).",
}
MECHANISM_DEFAULT = "MCAR"
PCT_DEFAULT, PCT_MIN, PCT_MAX, PCT_STEP = 20, 5, 60, 5
N_DEFAULT_COLUMNS = 3
K_DEFAULT, K_MIN, K_MAX = 5, 1, 25
ESTIMATORS = ("bayesian ridge", "k-NN regressor", "decision tree")
ESTIMATOR_DEFAULT = "bayesian ridge"
M_DEFAULT, M_MIN, M_MAX = 3, 2, 10
STRATEGIES = ("drop rows", "mean", "median", "most frequent", "constant (0)", "k-NN", "iterative",
              "multiple (pooled)")
INSPECT_DEFAULT = "iterative"
CV_FOLDS = 3  # 3 folds: every strategy is re-cross-validated when the missingness changes
ITER_MAX = 10
ITER_MAX_DRAW = 3  # each draw runs every iteration (no early stop); the chain settles in 2-3 here: keep it short
MAX_ROWS = 600  # larger tables are subsampled (stratified, seeded) so every refit stays interactive
STRENGTH = 2.0  # slope of the logistic selection weights for MAR and MNAR
TRUTH, OBSERVED = "truth", "observed"


def subsample(X: pd.DataFrame, y: pd.Series, task: str, seed: int) -> tuple[pd.DataFrame, pd.Series]:
    """At most MAX_ROWS rows (stratified for classification), index reset; small tables unchanged."""
    if len(X) <= MAX_ROWS:
        return X.reset_index(drop=True), y.reset_index(drop=True)
    Xs, _, ys, _ = train_test_split(X, y, train_size=MAX_ROWS, random_state=seed,
                                    stratify=y if task == "classification" else None)
    return Xs.reset_index(drop=True), ys.reset_index(drop=True)


def default_columns(X: pd.DataFrame, n: int = N_DEFAULT_COLUMNS) -> list[str]:
    """The first columns with at least 5 distinct values (constant pixels make a dull demo)."""
    rich = [c for c in X.columns if X[c].nunique() >= 5]
    return (rich or list(X.columns))[:n]


def driver_column(X: pd.DataFrame, affected: list[str]) -> str | None:
    """The fully observed column MAR missingness depends on: the first unaffected column with at least
    5 distinct values, else the first unaffected one; None when every column is affected."""
    others = [c for c in X.columns if c not in affected]
    rich = [c for c in others if X[c].nunique() >= 5]
    return (rich or others or [None])[0]


def mar_plan(X: pd.DataFrame, columns: list[str], mechanism: str) -> tuple[list[str], str | None, str]:
    """(columns that lose values, MAR driver, a note for the screen) for the learner's choice.

    MAR means the chance of a gap depends on values that are observed. Its driver must therefore stay
    fully observed: a driver that loses values itself would make its gaps depend on its own hidden
    values, which is MNAR. So when the choice leaves no column unaffected (the two columns of a 2-D set,
    say), the last chosen column (with at least 5 distinct values, when one has) becomes the driver and
    keeps all its values, and the note says so. A table with one column cannot have MAR: nothing is
    blanked and the note says why. Other mechanisms use the choice as it is (no driver, no note).
    """
    columns = list(columns)
    if mechanism != "MAR":
        return columns, None, ""
    driver = driver_column(X, columns)
    if driver is not None:
        return columns, driver, ""
    if len(columns) < 2:
        return [], None, (f"MAR needs a second column that stays fully observed to drive the gaps, and this "
                          f"table has only **{columns[0]}**: nothing is blanked. Pick MCAR or MNAR.")
    rich = [c for c in columns if X[c].nunique() >= 5]
    driver = (rich or columns)[-1]
    affected = [c for c in columns if c != driver]
    return affected, driver, (
        f"MAR needs a column that stays fully observed to drive the gaps, and every column is chosen: "
        f"**{driver}** drives them and keeps all its values, so only {_listing(affected)} "
        f"{'loses' if len(affected) == 1 else 'lose'} values. "
        f"(Blanking {driver} too would make its gaps depend on its own hidden values: that is MNAR.)")


def _listing(items: list[str]) -> str:
    items = [f"**{i}**" for i in items]
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _selection_weights(v: np.ndarray) -> np.ndarray:
    z = (v - v.mean()) / (v.std() + 1e-12)
    return np.exp(STRENGTH * z)


def inject_missing(X: pd.DataFrame, columns: list[str], pct: float, mechanism: str, seed: int,
                   driver: str | None = None) -> pd.DataFrame:
    """Blank exactly ``round(pct% * n)`` cells in each affected column.

    MCAR draws the rows uniformly; MAR draws them with weights exp(2 z(driver)), so rows with a large
    driver value go missing more often (the driver is never an affected column: see mar_plan); MNAR
    uses the column's own value instead of the driver.
    """
    rng = np.random.default_rng(seed)
    out = X.astype(float).copy()
    n = len(X)
    n_miss = int(round(pct / 100 * n))
    if driver is None:
        driver = driver_column(X, columns)
    if mechanism == "MAR" and (driver is None or driver in columns):
        # an affected driver would make the gaps depend on hidden values: MNAR, not MAR (see mar_plan)
        raise ValueError("MAR needs a driver column outside the affected columns")
    for col in columns:
        if mechanism == "MCAR":
            p = None
        elif mechanism == "MAR":
            w = _selection_weights(X[driver].to_numpy(float))
            p = w / w.sum()
        elif mechanism == "MNAR":
            w = _selection_weights(X[col].to_numpy(float))
            p = w / w.sum()
        else:
            raise ValueError(mechanism)
        rows = rng.choice(n, size=n_miss, replace=False, p=p)
        out.iloc[rows, out.columns.get_loc(col)] = np.nan
    return out


def make_imputer(strategy: str, k: int, estimator: str, seed: int, draw: int = 0):
    """The scikit-learn imputer behind each strategy name (``None`` for drop rows)."""
    if strategy == "drop rows":
        return None
    if strategy == "mean":
        return SimpleImputer(strategy="mean")
    if strategy == "median":
        return SimpleImputer(strategy="median")
    if strategy == "most frequent":
        return SimpleImputer(strategy="most_frequent")
    if strategy == "constant (0)":
        return SimpleImputer(strategy="constant", fill_value=0.0)
    if strategy == "k-NN":
        return KNNImputer(n_neighbors=k)
    if strategy == "iterative":
        return IterativeImputer(estimator=make_estimator(estimator, seed), max_iter=ITER_MAX,
                                skip_complete=True, random_state=seed)
    if strategy == "multiple (pooled)":
        # sample_posterior needs an estimator that returns a predictive std: BayesianRidge.
        return IterativeImputer(estimator=BayesianRidge(), sample_posterior=True, max_iter=ITER_MAX_DRAW,
                                skip_complete=True, random_state=seed + draw)
    raise ValueError(strategy)


def make_estimator(name: str, seed: int):
    if name == "bayesian ridge":
        return BayesianRidge()
    if name == "k-NN regressor":
        return KNeighborsRegressor(n_neighbors=5)
    if name == "decision tree":
        return DecisionTreeRegressor(max_depth=6, random_state=seed)
    raise ValueError(name)


def make_model(task: str, seed: int):
    """The downstream model scored with every strategy: scaled logistic regression or ridge."""
    if task == "classification":
        return make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))
    return make_pipeline(StandardScaler(), Ridge(alpha=1.0))


def scoring(task: str) -> str:
    """The downstream model's CV scorer: accuracy for classes, R² for a number."""
    return "accuracy" if task == "classification" else "r2"


def make_cv(task: str, seed: int):
    if task == "classification":
        return StratifiedKFold(n_splits=CV_FOLDS, shuffle=True, random_state=seed)
    return KFold(n_splits=CV_FOLDS, shuffle=True, random_state=seed)


def _rmse(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.sqrt(np.mean((np.asarray(a, float) - np.asarray(b, float)) ** 2))) if len(a) else float("nan")


def pair_for_correlation(X: pd.DataFrame, col: str) -> str:
    """The column most correlated (in the truth) with ``col``: the correlation imputation distorts.
    Pearson's r of every column with ``col`` in one array pass (pandas' corrwith took 5 ms, and the page
    asks once per strategy); constant columns have no correlation and are skipped."""
    A = X.to_numpy(dtype=float)
    A = A - A.mean(axis=0)
    j = X.columns.get_loc(col)
    with np.errstate(divide="ignore", invalid="ignore"):
        r = np.abs(A.T @ A[:, j] / np.sqrt((A ** 2).sum(axis=0) * (A[:, j] ** 2).sum()))
    r[j] = np.nan
    return col if np.isnan(r).all() else str(X.columns[np.nanargmax(r)])


CORR_COLUMN = "corr after"


@quiet_convergence
def impute_one(X: pd.DataFrame, X_miss: pd.DataFrame, columns: list[str], strategy: str, k: int,
               estimator: str, m: int, seed: int) -> dict:
    """Fit one strategy on the whole table (no target involved) and score it against the truth.

    Returns {"completed": DataFrame, "row": {strategy, RMSE, rows kept, rows lost, corr after},
    and for multiple imputation "draws" (m x missing cells of the first affected column) and
    "spread" (mean std between draws over every imputed cell)}.
    """
    mask = X_miss[columns].isna().to_numpy()
    partner = pair_for_correlation(X, columns[0])
    out: dict = {}
    if strategy == "drop rows":
        done = X_miss.dropna()
    elif strategy == "multiple (pooled)":
        return pool_draws(X, X_miss, columns, [impute_draw(X_miss, seed, i) for i in range(m)])
    else:
        done = pd.DataFrame(make_imputer(strategy, k, estimator, seed).fit_transform(X_miss.to_numpy()),
                            columns=X.columns, index=X.index)
    return _scored(X, columns, strategy, done, mask, partner, out)


def _scored(X: pd.DataFrame, columns: list[str], strategy: str, done: pd.DataFrame, mask: np.ndarray,
            partner: str, out: dict) -> dict:
    rmse = float("nan") if strategy == "drop rows" else _rmse(done[columns].to_numpy()[mask],
                                                               X[columns].to_numpy()[mask])
    corr = (float(np.corrcoef(done[columns[0]], done[partner])[0, 1])
            if len(done) > 2 and partner != columns[0] else float("nan"))
    out["completed"] = done
    out["row"] = {"strategy": strategy, "RMSE on missing cells": rmse, "rows kept": len(done),
                  "rows lost": len(X) - len(done), CORR_COLUMN: corr}
    return out


@quiet_convergence
def impute_draw(X_miss: pd.DataFrame, seed: int, i: int) -> np.ndarray:
    """Draw ``i`` of multiple imputation (random_state seed + i): the same whatever m is, so a page
    can cache draws one by one and a larger m only computes the new ones."""
    return make_imputer("multiple (pooled)", 0, "", seed, i).fit_transform(X_miss.to_numpy())


def pool_draws(X: pd.DataFrame, X_miss: pd.DataFrame, columns: list[str], fills: list[np.ndarray]) -> dict:
    """The m completed tables of multiple imputation, as one point imputation for the RMSE comparison:
    each cell's mean over the draws (the table ``completed``), scored like :func:`impute_one`.

    That table is not multiple imputation's result: averaging the draws cancels the noise each draw
    adds on purpose, and any analysis of that one table is a single imputation. The m tables are
    analysed one by one and pooled with Rubin's rules in :func:`mean_intervals`. Adds "draws" (m x the
    missing cells of the first affected column), "spread" (the mean std between draws over every imputed
    cell) and "draw rmse" (a single draw's RMSE on the missing cells, averaged over the m draws)."""
    mask = X_miss[columns].isna().to_numpy()
    partner = pair_for_correlation(X, columns[0])
    where = [X.columns.get_loc(c) for c in columns]
    fills = [np.asarray(f, dtype=float) for f in fills]  # arrays: a frame's column selection costs ~1 ms
    done = pd.DataFrame(sum(fills) / len(fills), columns=X.columns, index=X.index)  # each cell's mean
    imputed = np.stack([f[:, where][mask] for f in fills])  # m x every imputed cell
    truth = X[columns].to_numpy()[mask]
    first = X_miss[columns[0]].isna().to_numpy()
    out = {"draws": np.stack([f[first, where[0]] for f in fills]),
           "spread": float(np.mean(np.std(imputed, axis=0))),
           "draw rmse": float(np.mean([_rmse(cells, truth) for cells in imputed]))}
    return _scored(X, columns, "multiple (pooled)", done, mask, partner, out)


# ---- multiple imputation done properly: one analysis per completed table, pooled by Rubin's rules ----
LEVEL = 0.95
COMPLETE, OBSERVED_ONLY, MEAN_FILL, ITERATIVE_FILL, MULTIPLE = (
    "complete data (before blanking)", "observed cells only", "mean imputation (one table)",
    "iterative imputation (one table)", "multiple imputation (Rubin's rules)")
COVERS = "covers the complete-data mean"


def mean_and_variance(values: np.ndarray) -> tuple[float, float]:
    """The mean of a column and its squared standard error s² / n (s with n - 1)."""
    values = np.asarray(values, float)
    return float(values.mean()), float(values.var(ddof=1) / len(values))


def rubin_pool(estimates: np.ndarray, variances: np.ndarray, df_complete: float, level: float = LEVEL) -> dict:
    """Rubin's rules (Rubin 1987) for one quantity estimated on each of m completed tables.

    estimates q_i and their squared standard errors u_i, one per table:
      pooled estimate      Q = mean(q_i)
      within-imputation    W = mean(u_i)
      between-imputation   B = var(q_i) with m - 1
      total variance       T = W + (1 + 1/m) B
      lambda = (1 + 1/m) B / T, the share of the variance that the missing values add
    The interval is Q ± t(df) √T with Barnard and Rubin's (1999) small-sample degrees of freedom, the
    default of R's mice: df_old = (m - 1) / lambda², df_obs = (df_com + 1) / (df_com + 3) · df_com · (1 - lambda),
    df = 1 / (1/df_old + 1/df_obs), where df_com is the complete-data analysis's (n - 1 for a mean).

    Written by hand: scikit-learn has no pooling, and statsmodels' MICE.combine pools only the models
    its MICE fitted on its own imputations (predictive mean matching, not these tables) and gives
    normal intervals. The test checks this against an independent computation.
    """
    q, u = np.asarray(estimates, float), np.asarray(variances, float)
    m = len(q)
    Q, W, B = float(q.mean()), float(u.mean()), float(q.var(ddof=1))
    T = W + (1 + 1 / m) * B
    lam = (1 + 1 / m) * B / T if T > 0 else 0.0  # T = 0: a constant column, every table the same
    df_old = np.inf if lam == 0 else (m - 1) / lam ** 2
    df_obs = (df_complete + 1) / (df_complete + 3) * df_complete * (1 - lam)
    df = float(1 / (1 / df_old + 1 / df_obs))
    half = float(stats.t.ppf(0.5 + level / 2, df)) * np.sqrt(T)
    return {"m": m, "estimate": Q, "W": W, "B": B, "T": T, "lambda": float(lam), "df": df,
            "low": Q - half, "high": Q + half}


def _single_interval(values: np.ndarray, level: float = LEVEL) -> dict:
    """mean ± t(n - 1) s/√n of one table's column, every value taken as observed."""
    mean, var = mean_and_variance(values)
    half = float(stats.t.ppf(0.5 + level / 2, len(values) - 1)) * np.sqrt(var)
    return {"estimate": mean, "std error": float(np.sqrt(var)), "low": mean - half, "high": mean + half,
            "df": float(len(values) - 1)}


def mean_intervals(X: pd.DataFrame, X_miss: pd.DataFrame, column: str, mean_filled: pd.Series,
                   iterative_filled: pd.Series, draws: np.ndarray) -> tuple[pd.DataFrame, dict]:
    """The analysis "mean of ``column``" with a 95% interval: on the complete table (before blanking),
    on the observed cells only, on one mean-imputed and one iteratively imputed table (imputed cells
    taken as observed), and by multiple imputation (``draws``: m x the column's missing cells, each row
    completing one table; each table's mean and s²/n pooled by :func:`rubin_pool`).

    Returns the table (analysis, estimate, std error, CI low, CI high, CI width, df, covers) and
    Rubin's quantities (m, estimate, W, B, T, lambda, df, low, high)."""
    truth = X[column].to_numpy(float)
    observed = X_miss[column].to_numpy(float)
    gaps = np.isnan(observed)
    per_table = []
    for fill in np.atleast_2d(draws):
        done = observed.copy()
        done[gaps] = fill
        per_table.append(mean_and_variance(done))
    pooled = rubin_pool([e for e, _ in per_table], [v for _, v in per_table], df_complete=len(truth) - 1)
    rows = {COMPLETE: _single_interval(truth), OBSERVED_ONLY: _single_interval(observed[~gaps]),
            MEAN_FILL: _single_interval(mean_filled.to_numpy(float)),
            ITERATIVE_FILL: _single_interval(iterative_filled.to_numpy(float)),
            MULTIPLE: {"estimate": pooled["estimate"], "std error": float(np.sqrt(pooled["T"])),
                       "low": pooled["low"], "high": pooled["high"], "df": pooled["df"]}}
    target = rows[COMPLETE]["estimate"]
    table = pd.DataFrame([{"analysis": name, "estimate": r["estimate"], "std error": r["std error"],
                           "CI low": r["low"], "CI high": r["high"], "CI width": r["high"] - r["low"], "df": r["df"],
                           COVERS: "(itself)" if name == COMPLETE else ("yes" if r["low"] <= target <= r["high"]
                                                                        else "no")}
                          for name, r in rows.items()])
    return table, pooled


# ---- sentences about what is on screen, generated from its numbers (tests check them) ----
IMPUTERS = tuple(s for s in STRATEGIES if s != "drop rows")


def _pct(v: float) -> str:
    return f"{v + 0.0:.0%}".replace("-0%", "0%")  # -0.001 would print as "-0%"


def _compare(a: float, b: float) -> str:
    """Width a against width b as the page prints them (three significant digits)."""
    a, b = float(f"{a:.3g}"), float(f"{b:.3g}")
    return "narrower than" if a < b else "wider than" if a > b else "as wide as"


def gap_closed(true_mean: float, observed_mean: float, imputed_mean: float) -> float:
    """The share of the observed mean's gap to the true mean that an imputed column's mean closes:
    1 at the true mean, 0 at the observed mean, below 0 further from the truth."""
    return (imputed_mean - observed_mean) / (true_mean - observed_mean)


def gap_sentence(column: str, mechanism: str, true_mean: float, observed: np.ndarray,
                 imputed_means: dict[str, float]) -> str:
    """The observed cells' mean against the true mean of the first affected column, and the share of
    that gap each imputer's completed column closes (when the gap exceeds one standard error)."""
    observed_mean, var = mean_and_variance(observed)
    se = float(np.sqrt(var))
    gap = true_mean - observed_mean
    head = (f"Under {mechanism}, the observed cells of **{column}** average {observed_mean:.4g}; all its values, "
            f"before blanking, average {true_mean:.4g}")
    if abs(gap) <= se:
        return (f"{head}: the observed mean is within one standard error ({se:.3g}) of the truth, so no imputer "
                "has a gap to close here.")
    shares = ", ".join(f"{s} {_pct(gap_closed(true_mean, observed_mean, v))}" for s, v in imputed_means.items())
    return (f"{head}: the observed cells lie {abs(gap):.3g} {'below' if gap > 0 else 'above'} the truth, "
            f"{abs(gap) / se:.1f} standard errors of their mean. The share of that gap each imputer closes in the "
            f"column's mean (100% = the true mean, 0% = the observed mean, below 0 = further away): {shares}.")


def corr_sentence(corr_after: dict[str, float], true_corr: float, column: str, partner: str) -> str:
    """Which strategy leaves corr(column, partner) closest to and farthest from the truth."""
    off = {s: abs(v - true_corr) for s, v in corr_after.items() if not np.isnan(v)}
    if np.isnan(true_corr) or not off:
        return ""
    near, far = min(off, key=off.get), max(off, key=off.get)
    return (f"corr({column}, {partner}) is {true_corr:.3f} in the complete table. After imputation it is closest "
            f"with {near} ({corr_after[near]:.3f}) and farthest with {far} ({corr_after[far]:.3f}).")


def mi_sentence(table: pd.DataFrame, pooled: dict, column: str, share_missing: float) -> str:
    """Rubin's pooled interval for the mean of ``column`` against the single-table intervals."""
    t = table.set_index("analysis")
    width = t["CI width"]
    truth = t.loc[COMPLETE, "estimate"]
    covered = [a for a in t.index if t.loc[a, COVERS] == "yes"]
    missed = [a for a in t.index if t.loc[a, COVERS] == "no"]
    level = f"{LEVEL:.0%}"
    text = (f"The analysis is the mean of **{column}**. Each of the m = {pooled['m']} completed tables gives its own "
            f"mean and squared standard error; Rubin's rules pool them: the estimate {pooled['estimate']:.4g} is "
            f"the average of the m means, W = {pooled['W']:.3g} the average squared standard error, "
            f"B = {pooled['B']:.3g} the variance between the m means, and T = W + (1 + 1/m)·B = {pooled['T']:.3g}; "
            f"the missing values add {_pct(pooled['lambda'])} of that variance. The {level} interval is "
            f"{pooled['low']:.4g} to {pooled['high']:.4g}, {width[MULTIPLE]:.3g} wide "
            f"({pooled['df']:.0f} degrees of freedom). ")
    versus_complete = _compare(width[ITERATIVE_FILL], width[COMPLETE])
    text += (f"One iteratively imputed table, its guesses taken as observed, gives an interval "
             f"{width[ITERATIVE_FILL]:.3g} wide, {_compare(width[ITERATIVE_FILL], width[MULTIPLE])} multiple "
             f"imputation's and {versus_complete} the complete table's ({width[COMPLETE]:.3g})"
             + (f" although {_pct(share_missing)} of the column was guessed" if versus_complete == "narrower than"
                else "")
             + f"; the mean-imputed table's is {width[MEAN_FILL]:.3g} wide. ")
    if missed:
        text += f"Missing the complete-data mean {truth:.4g}: {'; '.join(missed)}."
    else:
        text += f"Every interval covers the complete-data mean {truth:.4g}."
    if covered and missed:
        text += f" Covering it: {'; '.join(covered)}."
    return text


def draws_caption(m: int, column: str, first_spread: float, spread: float, draw_rmse: float,
                  pooled_rmse: float) -> str:
    """The draws chart's caption: the spread between draws, and one draw's RMSE against their mean's."""
    return (f"Each dot is one imputed cell's error (imputed − true, 0 is the truth) in one of the m = {m} draws, "
            "each drawn from the predictive distribution (`sample_posterior=True`), beside the cell's mean over the "
            f"draws. The mean std between draws is **{first_spread:.3g}** for {column} and **{spread:.3g}** over every "
            "imputed cell of the affected columns: the uncertainty one imputed table hides. On the missing cells, a "
            f"single draw's RMSE is {draw_rmse:.3g} (averaged over the draws) and the draws' mean's {pooled_rmse:.3g}"
            + (": averaging cancels part of the noise each draw adds on purpose. RMSE rewards best guesses; a draw "
               "is meant to be a plausible value." if pooled_rmse < draw_rmse else "."))


def impute_all(X: pd.DataFrame, X_miss: pd.DataFrame, columns: list[str], k: int, estimator: str,
               m: int, seed: int) -> dict:
    """Every strategy: {"completed": {strategy: DataFrame}, "summary": DataFrame, "draws", "spread",
    "draw rmse"}."""
    results = {s: impute_one(X, X_miss, columns, s, k, estimator, m, seed) for s in STRATEGIES}
    mi = results["multiple (pooled)"]
    return {"completed": {s: r["completed"] for s, r in results.items()},
            "summary": pd.DataFrame([r["row"] for r in results.values()]),
            "draws": mi["draws"], "spread": mi["spread"], "draw rmse": mi["draw rmse"]}


def true_correlation(X: pd.DataFrame, columns: list[str]) -> tuple[str, float]:
    partner = pair_for_correlation(X, columns[0])
    if partner == columns[0]:
        return partner, float("nan")
    return partner, float(np.corrcoef(X[columns[0]], X[partner])[0, 1])


@quiet_convergence
def cv_one(X_miss: pd.DataFrame, y: pd.Series, task: str, strategy: str, k: int, estimator: str, m: int,
           seed: int) -> dict:
    """Cross-validated score of the model with one strategy; the imputer is fitted inside each fold.

    Drop rows cross-validates on the complete rows only. Multiple imputation scores each of the
    m draws and pools them (mean; the std between draws is the extra uncertainty imputation adds).
    """
    model = make_model(task, seed)
    scorer = scoring(task)
    note = ""
    spread = float("nan")
    try:
        if strategy == "drop rows":
            keep = X_miss.notna().all(axis=1)
            Xk, yk = X_miss[keep], y[keep]
            smallest = int(yk.value_counts().min()) if len(yk) else 0
            if len(yk) < 2 * CV_FOLDS or (task == "classification" and smallest < CV_FOLDS):
                raise ValueError(f"only {len(yk)} complete rows: too few for {CV_FOLDS}-fold CV")
            score = float(cross_val_score(model, Xk.to_numpy(), yk.to_numpy(), cv=make_cv(task, seed),
                                          scoring=scorer).mean())
        elif strategy == "multiple (pooled)":
            return pool_cv([cv_draw(X_miss, y, task, seed, i) for i in range(m)])
        else:
            # arrays, not frames: the same numbers without scikit-learn's per-fit DataFrame checks
            score = float(cross_val_score(make_pipeline(make_imputer(strategy, k, estimator, seed), clone(model)),
                                          X_miss.to_numpy(), np.asarray(y), cv=make_cv(task, seed),
                                          scoring=scorer).mean())
    except ValueError as exc:
        score, note = float("nan"), str(exc).splitlines()[0][:160]
    return {"strategy": strategy, "CV score": score, "spread between draws": spread, "note": note}


@quiet_convergence
def cv_draw(X_miss: pd.DataFrame, y: pd.Series, task: str, seed: int, i: int) -> float:
    """CV score with draw ``i`` of multiple imputation fitted inside each fold (independent of m)."""
    scorer = scoring(task)
    pipe = make_pipeline(make_imputer("multiple (pooled)", 0, "", seed, i), make_model(task, seed))
    return float(cross_val_score(pipe, X_miss.to_numpy(), np.asarray(y), cv=make_cv(task, seed),
                                 scoring=scorer).mean())


def pool_cv(per_draw: list[float]) -> dict:
    """Multiple imputation's CV row: the mean of the per-draw scores, their std as the spread."""
    return {"strategy": "multiple (pooled)", "CV score": float(np.mean(per_draw)),
            "spread between draws": float(np.std(per_draw)), "note": ""}


def cv_scores(X_miss: pd.DataFrame, y: pd.Series, task: str, k: int, estimator: str, m: int,
              seed: int) -> pd.DataFrame:
    return pd.DataFrame([cv_one(X_miss, y, task, s, k, estimator, m, seed) for s in STRATEGIES])


@quiet_convergence
def complete_cv_score(X: pd.DataFrame, y: pd.Series, task: str, seed: int) -> float:
    """The same model on the complete table: the ceiling every strategy is measured against."""
    scorer = scoring(task)
    return float(cross_val_score(make_model(task, seed), X.to_numpy(), np.asarray(y), cv=make_cv(task, seed),
                                 scoring=scorer).mean())


def pattern_frame(X_miss: pd.DataFrame, columns: list[str], n_rows: int = 120) -> pd.DataFrame:
    """Long frame (row, column, missing) of the first rows, for the missingness-pattern chart."""
    sub = X_miss[columns].head(n_rows).isna()
    long = sub.reset_index(names="row").melt(id_vars="row", var_name="column", value_name="missing")
    long["missing"] = np.where(long["missing"], "missing", "observed")
    return long


def observed_frame(X: pd.DataFrame, X_miss: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Long frame (column, value, version) of each column's truth and its observed cells."""
    return pd.concat([pd.DataFrame({"column": col, "value": values, "version": version})
                      for col in columns
                      for values, version in ((X[col].to_numpy(float), TRUTH),
                                              (X_miss[col].dropna().to_numpy(float), OBSERVED))],
                     ignore_index=True)


def imputed_frame(completed: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Long frame (column, value, version "after imputation") of an imputed table's columns: apart from
    observed_frame, so a page builds the shared truth once and only each strategy's part per strategy."""
    return pd.concat([pd.DataFrame({"column": col, "value": completed[col].to_numpy(float),
                                    "version": "after imputation"}) for col in columns], ignore_index=True)


MEAN_OF_DRAWS = "mean of the draws"


def draws_frame(X: pd.DataFrame, X_miss: pd.DataFrame, column: str, draws: np.ndarray,
                n_cells: int = 25) -> pd.DataFrame:
    """For the first missing cells of ``column``: every draw's value (kind "draw", its number in
    ``draw``), the cells' mean over the draws and the truth (draw 0)."""
    rows_idx = np.flatnonzero(X_miss[column].isna().to_numpy())[:n_cells]
    truth = X[column].to_numpy(float)[rows_idx]
    parts = []
    for i in range(draws.shape[0]):
        parts.append(pd.DataFrame({"row": rows_idx, "value": draws[i, :len(rows_idx)], "kind": "draw", "draw": i + 1}))
    parts.append(pd.DataFrame({"row": rows_idx, "value": draws[:, :len(rows_idx)].mean(axis=0),
                               "kind": MEAN_OF_DRAWS, "draw": 0}))
    parts.append(pd.DataFrame({"row": rows_idx, "value": truth, "kind": "truth", "draw": 0}))
    return pd.concat(parts, ignore_index=True)


def draws_table(draws: pd.DataFrame) -> pd.DataFrame:
    """draws_frame as a table: one row per cell, one column per draw (its own value), then the mean
    of the draws and the truth."""
    own = draws[draws["kind"] == "draw"].pivot(index="row", columns="draw", values="value")
    own.columns = [f"draw {i}" for i in own.columns]
    for kind in (MEAN_OF_DRAWS, "truth"):
        own[kind] = draws[draws["kind"] == kind].set_index("row")["value"]
    return own


ERROR_COLUMN = "imputed − true"


def draw_errors(draws: pd.DataFrame) -> pd.DataFrame:
    """draws_frame as errors: each draw's value and the draws' mean minus the truth of its cell (row,
    kind, draw, imputed − true). On the column's own scale the draws hid under the truth; as errors the
    spread between draws is what the axis shows."""
    truth = draws[draws["kind"] == "truth"].set_index("row")["value"]
    out = draws[draws["kind"] != "truth"].copy()
    out[ERROR_COLUMN] = out["value"] - out["row"].map(truth)
    return out[["row", "kind", "draw", ERROR_COLUMN]].reset_index(drop=True)


def interval_chart(intervals: pd.DataFrame, height: int = 230) -> alt.LayerChart:
    """Each analysis's estimate with its interval (a dot on a bar), and a dashed line at the
    complete-data mean. Every layer reads the one frame (the line filters its row). Specific to this
    page, so built here rather than in components/charts.py."""
    y = alt.Y("analysis:N", title=None, sort=None, axis=alt.Axis(labelLimit=260))
    tips = [alt.Tooltip(c) for c in intervals.columns]
    base = alt.Chart(intervals)
    bars = base.mark_rule(strokeWidth=3, color=charts.BLUE).encode(
        x=alt.X("CI low:Q", title=f"mean, {LEVEL:.0%} interval", scale=alt.Scale(zero=False)), x2=alt.X2("CI high"),
        y=y, tooltip=tips)
    dots = base.mark_point(filled=True, size=90, color=charts.BLUE, opacity=1).encode(
        x=alt.X("estimate:Q"), y=y, tooltip=tips)
    truth = base.transform_filter(alt.FieldEqualPredicate(field="analysis", equal=COMPLETE)).mark_rule(
        color=charts.BLACK, strokeDash=[4, 3]).encode(x=alt.X("estimate:Q"))
    return alt.layer(bars, dots, truth).properties(height=height, width="container")


def export_code(dataset: str, task: str, columns: list[str], pct: int, mechanism: str, k: int,
                estimator: str, m: int, seed: int, n_samples: int = 300, noise: float = 0.25) -> str:
    """A runnable script reproducing the RMSEs, the CV scores and the intervals for the mean of the first
    affected column (Rubin's rules for multiple imputation); its last line prints them as JSON.
    ``columns`` are the columns that lose values (mar_plan's first item); n_samples and noise are the
    generated 2-D sets' parameters."""
    loader = {"breast_cancer": "load_breast_cancer", "wine": "load_wine", "iris": "load_iris",
              "diabetes": "load_diabetes"}.get(dataset)
    if loader:
        load = (f"from sklearn.datasets import {loader}\n"
                f"b = {loader}()\nX = pd.DataFrame(b.data, columns=[str(c) for c in b.feature_names])\n"
                f"y = pd.Series(b.target)")
    elif dataset in TWO_D:  # generated with the page's size, noise and seed
        load = code_export.dataset_code(dataset, n_samples, noise, seed).rstrip()
    else:
        load = (f"# '{dataset}' comes from ML Explorer's registry (components/datasets.py)\n"
                f"from components.datasets import load\nds = load({dataset!r})\nX, y = ds.X, ds.y")
    est = {"bayesian ridge": "BayesianRidge()", "k-NN regressor": "KNeighborsRegressor(n_neighbors=5)",
           "decision tree": f"DecisionTreeRegressor(max_depth=6, random_state={seed})"}[estimator]
    model = ("make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))" if task == "classification"
             else "make_pipeline(StandardScaler(), Ridge(alpha=1.0))")
    cv = (f"StratifiedKFold(n_splits={CV_FOLDS}, shuffle=True, random_state={seed})" if task == "classification"
          else f"KFold(n_splits={CV_FOLDS}, shuffle=True, random_state={seed})")
    scorer = scoring(task)
    return textwrap.dedent(f'''\
        import json
        import numpy as np
        import pandas as pd
        from scipy import stats
        from sklearn.experimental import enable_iterative_imputer  # noqa: F401
        from sklearn.impute import IterativeImputer, KNNImputer, SimpleImputer
        from sklearn.linear_model import BayesianRidge, LogisticRegression, Ridge
        from sklearn.model_selection import KFold, StratifiedKFold, cross_val_score, train_test_split
        from sklearn.neighbors import KNeighborsRegressor
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import StandardScaler
        from sklearn.tree import DecisionTreeRegressor

        SEED, PCT, MECHANISM = {seed}, {pct}, {mechanism!r}
        COLUMNS = {columns!r}  # the columns that lose values
        {load.replace(chr(10), chr(10) + "        ")}
        if len(X) > {MAX_ROWS}:  # the page subsamples large tables the same way
            X, _, y, _ = train_test_split(X, y, train_size={MAX_ROWS}, random_state=SEED,
                                          stratify=y if {task == "classification"} else None)
        X, y = X.reset_index(drop=True).astype(float), y.reset_index(drop=True)

        # Inject missingness (scikit-learn has no "ampute"): exactly PCT% of each affected column.
        # MAR's driver stays fully observed (an affected driver would make the gaps depend on hidden
        # values: MNAR): the first unaffected column with at least 5 distinct values, else the first.
        others = [c for c in X.columns if c not in COLUMNS]
        DRIVER = ([c for c in others if X[c].nunique() >= 5] or others or [None])[0]
        rng = np.random.default_rng(SEED)
        X_miss = X.copy()
        n_miss = int(round(PCT / 100 * len(X)))
        for col in COLUMNS:
            p = None
            if MECHANISM != "MCAR":
                v = X[DRIVER if MECHANISM == "MAR" else col].to_numpy(float)
                w = np.exp({STRENGTH} * (v - v.mean()) / (v.std() + 1e-12))
                p = w / w.sum()
            rows = rng.choice(len(X), size=n_miss, replace=False, p=p)
            X_miss.iloc[rows, X_miss.columns.get_loc(col)] = np.nan
        mask = X_miss[COLUMNS].isna().to_numpy()
        where = [X.columns.get_loc(c) for c in COLUMNS]

        imputers = {{
            "mean": SimpleImputer(strategy="mean"),
            "median": SimpleImputer(strategy="median"),
            "most frequent": SimpleImputer(strategy="most_frequent"),
            "constant (0)": SimpleImputer(strategy="constant", fill_value=0.0),
            "k-NN": KNNImputer(n_neighbors={k}),
            "iterative": IterativeImputer(estimator={est}, max_iter={ITER_MAX}, skip_complete=True,
                                          random_state=SEED),
        }}
        def draw(i):  # one of the m multiple-imputation draws: a completed table from the predictive distribution
            return IterativeImputer(estimator=BayesianRidge(), sample_posterior=True, max_iter={ITER_MAX_DRAW},
                                    skip_complete=True, random_state=SEED + i)
        M = {m}

        rmse, filled = {{}}, {{}}
        for name, imp in imputers.items():
            filled[name] = imp.fit_transform(X_miss)
            rmse[name] = float(np.sqrt(np.mean((filled[name][:, where][mask] - X[COLUMNS].to_numpy()[mask]) ** 2)))
        tables = [draw(i).fit_transform(X_miss) for i in range(M)]
        # each cell's mean over the draws: a point imputation, scored like the others (not MI's result)
        cell_means = (sum(tables) / M)[:, where]
        rmse["multiple (pooled)"] = float(np.sqrt(np.mean((cell_means[mask] - X[COLUMNS].to_numpy()[mask]) ** 2)))

        # Multiple imputation: analyse each completed table (here: the mean of the first affected column,
        # with its squared standard error s²/n), then pool with Rubin's rules.
        def mean_var(v):
            return v.mean(), v.var(ddof=1) / len(v)
        def t_interval(v):
            mean, var = mean_var(v)
            half = stats.t.ppf(0.975, len(v) - 1) * np.sqrt(var)
            return [float(mean), float(mean - half), float(mean + half)]
        first = X.columns.get_loc(COLUMNS[0])
        q, u = np.array([mean_var(t[:, first]) for t in tables]).T
        Q, W, B = q.mean(), u.mean(), q.var(ddof=1)
        T = W + (1 + 1 / M) * B                        # total variance
        lam = (1 + 1 / M) * B / T                      # share of the variance the missing values add
        df_com = len(X) - 1                            # Barnard-Rubin degrees of freedom
        df_old = np.inf if lam == 0 else (M - 1) / lam ** 2
        df_obs = (df_com + 1) / (df_com + 3) * df_com * (1 - lam)
        df = 1 / (1 / df_old + 1 / df_obs)
        half = stats.t.ppf(0.975, df) * np.sqrt(T)
        rubin = {{"estimate": Q, "W": W, "B": B, "T": T, "df": df, "low": Q - half, "high": Q + half}}
        intervals = {{"{COMPLETE}": t_interval(X[COLUMNS[0]].to_numpy()),
                     "{OBSERVED_ONLY}": t_interval(X_miss[COLUMNS[0]].dropna().to_numpy()),
                     "{MEAN_FILL}": t_interval(filled["mean"][:, first]),
                     "{ITERATIVE_FILL}": t_interval(filled["iterative"][:, first])}}
        for name, (est, low, high) in intervals.items():
            print(f"{{name:>36}}  {{est:.4g}}  [{{low:.4g}}, {{high:.4g}}]")
        name = {MULTIPLE!r}
        print(f"{{name:>36}}  {{Q:.4g}}  [{{Q - half:.4g}}, {{Q + half:.4g}}]  W={{W:.3g}} B={{B:.3g}} T={{T:.3g}}")

        # Downstream score: the imputer is fitted inside every CV fold (no leakage from the test fold).
        model = {model}
        cv = {cv}
        scores = {{}}
        keep = X_miss.notna().all(axis=1)
        try:
            scores["drop rows"] = float(cross_val_score(model, X_miss[keep], y[keep], cv=cv,
                                                        scoring="{scorer}").mean())
        except ValueError:
            scores["drop rows"] = None
        for name, imp in imputers.items():
            scores[name] = float(cross_val_score(make_pipeline(imp, model), X_miss, y, cv=cv,
                                                 scoring="{scorer}").mean())
        # multiple imputation's CV score: the model cross-validated on each draw, the scores averaged
        scores["multiple (pooled)"] = float(np.mean([
            cross_val_score(make_pipeline(draw(i), model), X_miss, y, cv=cv, scoring="{scorer}").mean()
            for i in range(M)]))
        print("rows lost by dropping:", int((~keep).sum()))
        for name in scores:
            print(f"{{name:>18}}  RMSE {{rmse.get(name, float('nan')):8.3f}}  CV {{scores[name]}}")
        print(json.dumps({{"rmse": rmse, "cv": scores, "rows_lost": int((~keep).sum()),
                          "intervals": intervals, "rubin": {{k: float(v) for k, v in rubin.items()}}}}))
        ''')


def export_numbers(result: pd.DataFrame, cv: pd.DataFrame, intervals: pd.DataFrame, pooled: dict) -> dict:
    """The numbers the exported script prints, from the page's summary, CV and interval tables and
    Rubin's quantities (for the test)."""
    s = result.set_index("strategy")
    rmse = {k: float(v) for k, v in s["RMSE on missing cells"].items() if k != "drop rows"}
    scores = {r["strategy"]: (None if np.isnan(r["CV score"]) else float(r["CV score"])) for _, r in cv.iterrows()}
    single = {r["analysis"]: [float(r["estimate"]), float(r["CI low"]), float(r["CI high"])]
              for _, r in intervals.iterrows() if r["analysis"] != MULTIPLE}
    return {"rmse": rmse, "cv": scores, "rows_lost": int(s.loc["drop rows", "rows lost"]), "intervals": single,
            "rubin": {k: float(pooled[k]) for k in ("estimate", "W", "B", "T", "df", "low", "high")}}


def effective_params(strategy: str, k: int, estimator: str, m: int) -> tuple[int, str, int]:
    """Only the parameters a strategy uses, so a cache keyed by them refits only what changed."""
    return (k if strategy == "k-NN" else 0, estimator if strategy == "iterative" else "",
            m if strategy == "multiple (pooled)" else 0)


# ---- a real table with genuine gaps (sample_data/fertility.csv) ----
SAMPLE_DATA = Path(__file__).resolve().parent.parent / "sample_data"
REAL_STRATEGIES = ("mean", "median", "k-NN", "iterative")
HOLDOUT_PCT = 10
HOLDOUT_ITER_MAX = 3


def load_fertility() -> pd.DataFrame:
    """World Bank fertility rates 1990-2011 (country x year), with the source's own missing cells."""
    return pd.read_csv(SAMPLE_DATA / "fertility.csv").set_index("country").drop(columns="code")


@quiet_convergence
def holdout_check(table: pd.DataFrame, k: int, estimator: str, seed: int) -> tuple[pd.DataFrame, int]:
    """When the truth is unknown: hide HOLDOUT_PCT% of the *observed* cells (at random), impute
    them with each strategy, and score against the hidden values. Returns (strategy, RMSE) and the
    number of hidden cells."""
    rows = [holdout_one(table, strategy, k, estimator, seed) for strategy in REAL_STRATEGIES]
    return pd.DataFrame(rows), len(holdout_cells(table, seed)[2])


def holdout_cells(table: pd.DataFrame, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(values, values with the hidden cells blanked, the hidden cells' (row, column) indices)."""
    values = table.to_numpy(float)
    observed = np.argwhere(~np.isnan(values))
    rng = np.random.default_rng(seed)
    pick = observed[rng.choice(len(observed), size=int(len(observed) * HOLDOUT_PCT / 100), replace=False)]
    hidden = values.copy()
    hidden[pick[:, 0], pick[:, 1]] = np.nan
    return values, hidden, pick


@quiet_convergence
def holdout_one(table: pd.DataFrame, strategy: str, k: int, estimator: str, seed: int) -> dict:
    """One strategy's row of :func:`holdout_check` (a page caches each, so k refits only k-NN)."""
    values, hidden, pick = holdout_cells(table, seed)
    imputer = make_imputer(strategy, k, estimator, seed)
    if strategy == "iterative":
        # every one of the 22 year columns has gaps here: 22 fits per round, and the rounds never meet
        # the stopping tolerance. Three rounds score as well as ten (RMSE 0.083 vs 0.088 births per
        # woman with bayesian ridge) at a third of the cost.
        imputer.set_params(max_iter=HOLDOUT_ITER_MAX)
    filled = imputer.fit_transform(hidden)
    return {"strategy": strategy,
            "RMSE on hidden cells": _rmse(filled[pick[:, 0], pick[:, 1]], values[pick[:, 0], pick[:, 1]])}


# ---- the page: its settings and cached computations (components.memo) ----
# Each strategy is cached on the inputs it uses (effective_params), so k refits only k-NN, the estimator
# only the iterative imputer and m only the new multiple-imputation draws. Entries hold arrays and small
# frames (the affected columns, not completed tables); the charts are built from them once per input.
SHOWN = 3  # the distributions show the first three affected columns
LIGHT_STRATEGIES = tuple(s for s in STRATEGIES if s != "multiple (pooled)")  # one fit each: drawn first


@dataclass(frozen=True)
class Gaps:
    """One table with its injected gaps: the key of everything computed from them."""
    dataset: str
    n_samples: int  # a generated 2-D set's size and noise (0 for the registry's tables, which ignore them)
    noise: float
    seed: int
    mechanism: str
    pct: int
    columns: tuple[str, ...]  # the columns that lose values (mar_plan's first item)

    @property
    def data_key(self) -> tuple:
        return self.dataset, self.n_samples, self.noise, self.seed


@dataclass(frozen=True)
class MissingSettings:
    """The page-level controls' values: what the cached computations and "Show the code" read (the
    inspected strategy is read by its own panel and feeds nothing else)."""
    gaps: Gaps
    k: int = K_DEFAULT
    estimator: str = ESTIMATOR_DEFAULT
    m: int = M_DEFAULT

    def params(self, strategy: str) -> tuple[int, str, int]:
        """Only the parameters ``strategy`` uses (effective_params): its cache key beside the gaps."""
        return effective_params(strategy, self.k, self.estimator, self.m)


@dataclass(frozen=True)
class Prepared:
    X: pd.DataFrame  # at most MAX_ROWS rows, float
    y: pd.Series
    task: str


@memo.cached(max_entries=8)
def prepared(dataset: str, n_samples: int, noise: float, seed: int) -> Prepared:
    """The shared dataset as this page uses it (subsample: at most MAX_ROWS rows); one entry is the
    table itself (breast_cancer: 140 kB)."""
    d = datasets.load(dataset, n_samples=n_samples, noise=noise, seed=seed)
    X, y = subsample(d.X, d.y, d.task, seed)
    return Prepared(X.astype(float), y, d.task)


@memo.cached(max_entries=16)
def row_count(dataset: str, n_samples: int, noise: float, seed: int) -> int:
    """How many rows the page uses (a plain number: a page reads it on every run)."""
    return len(prepared(dataset, n_samples, noise, seed).X)


@memo.cached(max_entries=16)
def registry_default_columns(dataset: str) -> list[str]:
    """default_columns of a registry table (nunique over every column: once per dataset)."""
    return default_columns(datasets.load(dataset).X)


@memo.cached(max_entries=32)
def plan(dataset: str, n_samples: int, noise: float, seed: int, mechanism: str,
         chosen: tuple[str, ...]) -> tuple[tuple[str, ...], str | None, str]:
    """mar_plan of the learner's choice: (the columns that lose values, MAR's driver, the note)."""
    affected, driver, note = mar_plan(prepared(dataset, n_samples, noise, seed).X, list(chosen), mechanism)
    return tuple(affected), driver, note


@memo.cached(max_entries=16)
def injected(g: Gaps) -> pd.DataFrame:
    """The table with its gaps (the imputers' input: a whole table, 140 kB for breast_cancer)."""
    return inject_missing(prepared(*g.data_key).X, list(g.columns), g.pct, g.mechanism, g.seed)


@dataclass(frozen=True)
class Imputation:
    """One strategy's numbers: its summary row and its completed values of the first affected columns."""
    row: dict  # strategy, RMSE on missing cells, rows kept, rows lost, corr after
    shown: pd.DataFrame  # the completed table's first SHOWN affected columns
    draws: np.ndarray | None = None  # multiple imputation: m x the first column's missing cells
    spread: float = float("nan")  # multiple imputation: mean std between draws over every imputed cell
    draw_rmse: float = float("nan")  # multiple imputation: a single draw's RMSE, averaged over the draws


@memo.cached(max_entries=64, progress="Imputing the gaps…")
def imputation(g: Gaps, strategy: str, k: int, estimator: str) -> Imputation:
    """A single imputation (every strategy but multiple imputation), scored against the truth."""
    X = prepared(*g.data_key).X
    full = impute_one(X, injected(g), list(g.columns), strategy, k, estimator, 0, g.seed)
    return Imputation(full["row"], full["completed"][list(g.columns[:SHOWN])])


def pooling_columns(X: pd.DataFrame, columns: tuple[str, ...]) -> list[str]:
    """The columns pool_draws reads: the affected ones and the first one's correlation partner, in the
    table's order (so the partner found among them is the one found in the whole table)."""
    keep = set(columns) | {pair_for_correlation(X, columns[0])}
    return [c for c in X.columns if c in keep]


@memo.cached(max_entries=64)
def draw(g: Gaps, i: int) -> np.ndarray:
    """Multiple imputation's draw ``i`` in the pooling columns (rows x a few): cached alone, so raising
    m computes only the new draws."""
    prep = prepared(*g.data_key)
    where = [prep.X.columns.get_loc(c) for c in pooling_columns(prep.X, g.columns)]
    return impute_draw(injected(g), g.seed, i)[:, where]


@memo.cached(max_entries=16, progress="Drawing multiple imputation's completed tables…")
def pooled(g: Gaps, m: int) -> Imputation:
    """Multiple imputation's point imputation (each cell's mean over the m draws), scored like the others."""
    X = prepared(*g.data_key).X
    cols = pooling_columns(X, g.columns)
    out = pool_draws(X[cols], injected(g)[cols], list(g.columns), [draw(g, i) for i in range(m)])
    return Imputation(out["row"], out["completed"][list(g.columns[:SHOWN])], out["draws"], out["spread"],
                      out["draw rmse"])


def imputation_of(s: MissingSettings, strategy: str) -> Imputation:
    """``strategy``'s imputation under the settings (multiple imputation pools s.m draws)."""
    if strategy == "multiple (pooled)":
        return pooled(s.gaps, s.m)
    k, estimator, _ = s.params(strategy)
    return imputation(s.gaps, strategy, k, estimator)


@memo.cached(max_entries=32)
def correlation(dataset: str, n_samples: int, noise: float, seed: int, column: str) -> tuple[str, float]:
    """true_correlation: the column most correlated with ``column`` in the complete table, and that r."""
    return true_correlation(prepared(dataset, n_samples, noise, seed).X, [column])


@dataclass(frozen=True)
class Overview:
    """The light panel's numbers and pattern chart (no imputation)."""
    rows: int
    task: str
    blanked: int
    rows_lost: int  # by dropping every row with a gap
    partner: str
    true_corr: float
    share_missing: float  # of the first affected column
    pattern_spec: dict
    pattern_table: pd.DataFrame


@memo.cached(max_entries=32)
def overview(g: Gaps, driver: str | None) -> Overview:
    """Cells blanked, the correlation imputation distorts and the pattern of the first 120 rows (the
    affected columns and MAR's driver, at most 15)."""
    prep = prepared(*g.data_key)
    X = prep.X
    X_miss = injected(g)
    cols = list(g.columns)
    partner, true_corr = correlation(*g.data_key, cols[0])
    shown = (cols + [c for c in [driver] if c and c not in cols])[:15]
    per_col = pd.DataFrame({"missing %": X_miss[shown].isna().mean() * 100, "mean (truth)": X[shown].mean(),
                            "mean (observed cells)": X_miss[shown].mean()})
    pattern = charts.tile_chart(pattern_frame(X_miss, shown), "column", "row", "missing",
                                domain=["observed", "missing"], palette=["#e8e8e8", charts.VERMILION], height=300,
                                y_labels=False)
    return Overview(len(X), prep.task, int(X_miss[cols].isna().to_numpy().sum()), len(X) - len(X_miss.dropna()),
                    partner, true_corr, float(np.isnan(X_miss[cols[0]].to_numpy(float)).mean()),
                    charts.stable_names(charts.to_spec(pattern), "pattern"), per_col.round(3))


@dataclass(frozen=True)
class Comparison:
    """Every strategy's imputation against the truth (or the light strategies' alone, while multiple
    imputation's draws are still being computed)."""
    complete: bool  # every strategy (False: LIGHT_STRATEGIES only)
    rmse_spec: dict  # dataset "rmse": the same spec for the light and the complete rows
    corr_spec: dict | None  # dataset "corr"; None when the correlation is undefined
    table: pd.DataFrame  # the summary rows, rounded
    best: tuple[str, float]  # the lowest RMSE and its strategy
    corr_text: str  # corr_sentence (complete only)
    gap_text: str  # gap_sentence (complete only)


@memo.cached(max_entries=32)
def comparison(s: MissingSettings, complete: bool) -> Comparison:
    """The RMSE and correlation each strategy leaves, with their charts."""
    partner, true_corr = correlation(*s.gaps.data_key, s.gaps.columns[0])
    names = STRATEGIES if complete else LIGHT_STRATEGIES
    done = {name: imputation_of(s, name) for name in names}
    summary = pd.DataFrame([d.row for d in done.values()])
    scored = summary.dropna(subset=["RMSE on missing cells"]).sort_values("RMSE on missing cells")
    rmse = scored[["strategy", "RMSE on missing cells"]]
    # a constant fill can be 50x worse than k-NN: as bars on a linear axis the good strategies were 1-3 px
    # slivers; dots on a log axis, best first
    log = bool((rmse["RMSE on missing cells"] > 0).all())
    rmse_spec = charts.stable_names(charts.to_spec(charts.score_dot_chart(
        rmse, "RMSE on missing cells", "strategy", height=210, log_x=log,
        x_title="RMSE on missing cells" + (" (log scale)" if log else ""))), "rmse")
    corr = summary.dropna(subset=[CORR_COLUMN])[["strategy", CORR_COLUMN]]
    corr_spec = None
    if len(corr) and not np.isnan(true_corr):
        corr_spec = charts.stable_names(charts.to_spec(charts.bar_chart(
            corr, CORR_COLUMN, "strategy", sort=None, height=250, title=f"corr({s.gaps.columns[0]}, {partner})",
            x_title=f"after imputation (truth {true_corr:.3f})")), "corr")
    first = s.gaps.columns[0]
    gap_text = ""
    if complete:  # the share of the observed mean's gap to the truth that each imputer closes
        X, observed = prepared(*s.gaps.data_key).X, injected(s.gaps)[first].dropna().to_numpy(float)
        gap_text = gap_sentence(first, s.gaps.mechanism, float(X[first].mean()), observed,
                                {name: float(done[name].shown[first].mean()) for name in IMPUTERS})
    return Comparison(
        complete, rmse_spec, corr_spec, summary.round(4), (str(scored.iloc[0]["strategy"]),
                                                           float(scored.iloc[0]["RMSE on missing cells"])),
        corr_sentence(dict(zip(corr["strategy"], corr[CORR_COLUMN])), true_corr, first, partner)
        if complete else "", gap_text)


# ---- inspecting one strategy: a scrubbing control (the spec never changes, its dataset does) ----
HISTOGRAM_DATA = "values"  # each histogram's one dataset: the truth, the observed cells, one strategy's table


@memo.cached(max_entries=32)
def histogram_spec(name: str) -> dict:
    """Column ``name``'s histograms (the truth, the observed cells and one strategy's completed values as
    outlines, binned by Vega-Lite), reading the dataset "values" (value, version). The spec depends on the
    column's name only: inspecting another strategy swaps the dataset (Inspection.values), and the browser
    redraws the chart in place. The legend goes below."""
    empty = pd.DataFrame({"value": pd.Series(dtype=float), "version": pd.Series(dtype=object)})
    chart = charts.histogram(empty, "value", color="version", bins=25, height=330, title=name, steps=True)
    chart = chart.configure_legend(orient="bottom", direction="horizontal", columns=1)
    return charts.stable_names(charts.to_spec(chart), HISTOGRAM_DATA)


@dataclass(frozen=True)
class Inspection:
    """What the distributions panel shows for one strategy."""
    values: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]  # per shown column: truth, observed, imputed
    table: pd.DataFrame  # describe() of the truth, the observed cells and the imputed values, per column
    caption: str


def histogram_rows(truth: np.ndarray, observed: np.ndarray, imputed: np.ndarray) -> pd.DataFrame:
    """A histogram's dataset "values" (value, version): the truth, the observed cells, the imputed table."""
    versions = np.repeat([TRUTH, OBSERVED, "after imputation"], [len(truth), len(observed), len(imputed)])
    return pd.DataFrame({"value": np.concatenate([truth, observed, imputed]), "version": versions.astype(object)})


@memo.cached(max_entries=32)
def inspect_specs(g: Gaps, ready: tuple[tuple[str, tuple], ...]) -> dict[str, dict]:
    """Each shown column's histograms holding every strategy in ``ready`` ((strategy, its effective
    params) pairs), each at its index in STRATEGIES: the inspect radio's position, which the charts follow
    in the browser (charts.scrubbable). A strategy not in ``ready`` draws nothing until the server's run
    sends it."""
    seen = {STRATEGIES.index(strategy): inspection(g, strategy, *params) for strategy, params in ready}
    return {name: charts.scrubbable(histogram_spec(name), INSPECT_KEY, charts.slices(
                {position: {HISTOGRAM_DATA: histogram_rows(*view.values[name])} for position, view in seen.items()}),
                0, len(STRATEGIES) - 1, 1)
            for name in g.columns[:SHOWN]}


def describe_long(long: pd.DataFrame) -> pd.DataFrame:
    """groupby(["column", "version"])["value"].describe(), its eight statistics each aggregated over all
    groups at once (groupby.describe runs a describe per group, about eight times slower; the test
    compares the two), rounded to 3 decimals."""
    g = long.groupby(["column", "version"])["value"]
    q = g.quantile([0.25, 0.5, 0.75]).unstack()
    return pd.DataFrame({"count": g.count().astype(float), "mean": g.mean(), "std": g.std(), "min": g.min(),
                         "25%": q[0.25], "50%": q[0.5], "75%": q[0.75], "max": g.max()}).round(3)


@memo.cached(max_entries=64)
def inspection(g: Gaps, strategy: str, k: int, estimator: str, m: int) -> Inspection:
    """``strategy``'s distributions (k, estimator, m: effective_params) beside the truth and the observed
    cells, as arrays (about 13 kB per shown column): the page builds each histogram's dataset from them
    (histogram_rows) when it draws."""
    done = pooled(g, m) if strategy == "multiple (pooled)" else imputation(g, strategy, k, estimator)
    X, X_miss = prepared(*g.data_key).X, injected(g)
    shown = list(g.columns[:SHOWN])
    values = {c: (X[c].to_numpy(float), X_miss[c].dropna().to_numpy(float), done.shown[c].to_numpy(float))
              for c in shown}
    long = pd.concat([histogram_rows(*values[c]).assign(column=c) for c in shown], ignore_index=True)
    partner, true_corr = correlation(*g.data_key, g.columns[0])
    corr_after = done.row[CORR_COLUMN]
    caption = (f"{strategy}: corr({g.columns[0]}, {partner}) = {'n/a' if np.isnan(corr_after) else f'{corr_after:.3f}'} "
               f"(truth {true_corr:.3f}); rows kept {int(done.row['rows kept']):,}.")
    return Inspection(values, describe_long(long), caption)


# ---- multiple imputation analysed properly, and the downstream CV comparison (the heavy panels) ----

@dataclass(frozen=True)
class MultipleImputation:
    interval_spec: dict
    interval_caption: str
    interval_table: pd.DataFrame
    rubin_table: pd.DataFrame
    draws_spec: dict
    draws_caption: str
    draws_table: pd.DataFrame


@memo.cached(max_entries=16, progress="Pooling the draws by Rubin's rules…")
def multiple_imputation(g: Gaps, estimator: str, m: int) -> MultipleImputation:
    """The mean of the first affected column with its interval (complete, observed, one mean-imputed and
    one iteratively imputed table, the m draws pooled by Rubin's rules) and the draws' errors."""
    X, X_miss, first = prepared(*g.data_key).X, injected(g), g.columns[0]
    mean, iterative = imputation(g, "mean", 0, ""), imputation(g, "iterative", 0, estimator)
    mi = pooled(g, m)
    table, rubin = mean_intervals(X, X_miss, first, mean.shown[first], iterative.shown[first], mi.draws)
    rubin_table = pd.DataFrame([{"m": rubin["m"], "pooled estimate": rubin["estimate"], "W (within)": rubin["W"],
                                 "B (between)": rubin["B"], "T = W + (1 + 1/m) B": rubin["T"],
                                 "share of T from the gaps": rubin["lambda"], "df": rubin["df"]}])
    share_missing = float(np.isnan(X_miss[first].to_numpy(float)).mean())
    draws = draws_frame(X, X_miss, first, mi.draws)
    draws_chart = charts.scatter_chart(draw_errors(draws), "row", ERROR_COLUMN, color="kind", height=240,
                                       x_title=f"row with a missing {first}", rule_y=0.0, y_title=ERROR_COLUMN,
                                       size=60)
    return MultipleImputation(
        charts.stable_names(charts.to_spec(interval_chart(table)), "intervals"),
        f"Dots: the mean of {first}; bars: its {LEVEL:.0%} interval; dashed: the complete table's mean. "
        + mi_sentence(table, rubin, first, share_missing),
        table.round(4), rubin_table.round(6), charts.stable_names(charts.to_spec(draws_chart), "draws"),
        draws_caption(m, first, float(np.mean(np.std(mi.draws, axis=0))), mi.spread, mi.draw_rmse,
                      float(mi.row["RMSE on missing cells"])),
        draws_table(draws).round(3))


@memo.cached(max_entries=64)
def cv_score(g: Gaps, strategy: str, k: int, estimator: str) -> dict:
    """cv_one for a single strategy (k, estimator: effective_params): the model's CV score with it."""
    prep = prepared(*g.data_key)
    return cv_one(injected(g), prep.y, prep.task, strategy, k, estimator, 0, g.seed)


@memo.cached(max_entries=128)
def cv_score_of_draw(g: Gaps, i: int) -> float:
    """cv_draw: the CV score with draw i's imputer fitted in each fold (independent of m)."""
    prep = prepared(*g.data_key)
    return cv_draw(injected(g), prep.y, prep.task, g.seed, i)


@memo.cached(max_entries=16)
def complete_score(dataset: str, n_samples: int, noise: float, seed: int) -> float:
    prep = prepared(dataset, n_samples, noise, seed)
    return complete_cv_score(prep.X, prep.y, prep.task, seed)


def cv_steps(s: MissingSettings) -> list[tuple[str, Callable[[], object]]]:
    """The CV comparison's steps, each cached on its own inputs, with the words a progress bar shows
    while it runs: every single strategy, then multiple imputation draw by draw, then the complete table."""
    steps: list[tuple[str, Callable[[], object]]] = [
        (f"Cross-validating with {name} imputation…", functools.partial(cv_score, s.gaps, name, *s.params(name)[:2]))
        for name in LIGHT_STRATEGIES]
    steps += [(f"Cross-validating with multiple imputation, draw {i + 1} of {s.m}…",
               functools.partial(cv_score_of_draw, s.gaps, i)) for i in range(s.m)]
    steps.append(("Cross-validating on the complete table…", functools.partial(complete_score, *s.gaps.data_key)))
    return steps


def draw_steps(s: MissingSettings) -> list[tuple[str, Callable[[], object]]]:
    """Multiple imputation's m draws, each cached alone, with the words of a progress bar."""
    return [(f"Multiple imputation: drawing completed table {i + 1} of {s.m}…", functools.partial(draw, s.gaps, i))
            for i in range(s.m)]


@dataclass(frozen=True)
class CvComparison:
    spec: dict
    notes: list[tuple[str, str]]  # (strategy, why it has no score)
    table: pd.DataFrame
    caption: str


def cv_model_name(task: str) -> str:
    return "logistic regression (accuracy)" if task == "classification" else "ridge regression (R²)"


def cv_caption(task: str, n_rows: int, m: int) -> str:
    """Under the CV chart: how much one test row moves a score (classification), and how drop rows and
    multiple imputation are scored."""
    # every row is tested once across the folds: one more row right moves the mean accuracy by 1 / n
    per_row = (f" One test row more or less right moves a score by {1 / n_rows:.3f}: gaps of a few rows are "
               "noise." if task == "classification" else "")
    return (f"The axis is zoomed to the scores.{per_row} Drop rows is scored on the complete rows only, a "
            "smaller test set (and under MAR or MNAR not a random one). For multiple (pooled) the model is "
            f"cross-validated on each of the m = {m} draws and the scores averaged (Rubin's pooled estimate); "
            "the table gives the spread between draws.")


@memo.cached(max_entries=32, progress="Cross-validating with each strategy…")
def cv_comparison(g: Gaps, k: int, estimator: str, m: int) -> CvComparison:
    """The model's CV score with each strategy (each cached on its own inputs: cv_steps) beside the
    complete table's, with its chart."""
    s = MissingSettings(g, k, estimator, m)
    rows = [cv_score(g, name, *s.params(name)[:2]) for name in LIGHT_STRATEGIES]
    rows.append(pool_cv([cv_score_of_draw(g, i) for i in range(m)]))
    cv = pd.DataFrame(rows)
    ceiling = complete_score(*g.data_key)
    table = pd.concat([cv, pd.DataFrame([{"strategy": "complete data (no missing)", "CV score": ceiling,
                                          "spread between draws": np.nan, "note": ""}])], ignore_index=True)
    prep = prepared(*g.data_key)
    # dots on a zoomed axis: the strategies' scores are often a few hundredths apart, and bars from 0
    # drew them as equal lengths
    chart = charts.score_dot_chart(
        cv.dropna(subset=["CV score"])[["strategy", "CV score", "spread between draws", "note"]], "CV score",
        "strategy", reference=ceiling, reference_label="complete data (no missing)", height=260,
        title=f"{CV_FOLDS}-fold CV, {cv_model_name(prep.task)}; dashed: complete data, {ceiling:.3f}")
    return CvComparison(charts.stable_names(charts.to_spec(chart), "cv"),
                        [(r["strategy"], r["note"]) for _, r in cv.iterrows() if r["note"]],
                        table.round(4), cv_caption(prep.task, len(prep.X), m))


# ---- the real table with genuine gaps ----

@memo.cached(max_entries=1)
def fertility() -> pd.DataFrame:
    return load_fertility()


@dataclass(frozen=True)
class FertilityGaps:
    spec: dict
    countries: int
    years: int
    missing: int
    rows_with_gaps: int


@memo.cached(max_entries=1)
def fertility_gaps() -> FertilityGaps:
    """Where the source's own cells are missing (the rows that have any)."""
    real = fertility()
    gaps = real[real.isna().any(axis=1)]
    long = gaps.isna().reset_index().melt(id_vars="country", var_name="year", value_name="missing")
    long["missing"] = np.where(long["missing"], "missing", "observed")
    chart = charts.tile_chart(long, "year", "country", "missing", domain=["observed", "missing"],
                              palette=["#e8e8e8", charts.VERMILION], height=max(200, 14 * len(gaps)))
    return FertilityGaps(charts.to_spec(chart), len(real), real.shape[1], int(real.isna().sum().sum()), len(gaps))


@memo.cached(max_entries=64)
def fertility_holdout(strategy: str, k: int, estimator: str, seed: int) -> dict:
    """holdout_one, cached alone: k refits only k-NN, the estimator only the iterative imputer."""
    return holdout_one(fertility(), strategy, k, estimator, seed)


@memo.cached(max_entries=32, progress="Imputing the hidden cells of the World Bank table…")
def fertility_check(k: int, estimator: str, seed: int) -> tuple[dict, pd.DataFrame]:
    """Each strategy's RMSE on the hidden observed cells: the chart and the table."""
    check = pd.DataFrame([fertility_holdout(name, *effective_params(name, k, estimator, 0)[:2], seed)
                          for name in REAL_STRATEGIES])
    n_hidden = len(holdout_cells(fertility(), seed)[2])
    chart = charts.bar_chart(check, "RMSE on hidden cells", "strategy", height=180,
                             title=f"{n_hidden} observed cells hidden and re-imputed (births per woman)")
    return charts.stable_names(charts.to_spec(chart), "holdout"), check.round(4)


def script(s: MissingSettings, task: str) -> str:
    """"Show the code" for the settings: export_code."""
    g = s.gaps
    return export_code(g.dataset, task, list(g.columns), g.pct, g.mechanism, s.k, s.estimator, s.m, g.seed,
                       g.n_samples, g.noise)
