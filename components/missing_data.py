"""Missing-data lab: inject missingness into a complete table, impute it several ways, compare.

The truth is known (the table starts complete), so every imputation can be scored against it:
RMSE on the injected cells, the distortion of a correlation, the rows a drop loses, and the
cross-validated score of one model with the imputer fitted *inside* the CV pipeline.

Imputers come from scikit-learn (SimpleImputer, KNNImputer, IterativeImputer). scikit-learn has
no missingness *injector* (no "ampute"), so :func:`inject_missing` is written by hand here.
"""
from __future__ import annotations

import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.experimental import enable_iterative_imputer  # noqa: F401  (registers IterativeImputer)
from sklearn.impute import IterativeImputer, KNNImputer, SimpleImputer
from sklearn.linear_model import BayesianRidge, LogisticRegression, Ridge
from sklearn.model_selection import KFold, StratifiedKFold, cross_val_score, train_test_split
from sklearn.neighbors import KNeighborsRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeRegressor

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


def driver_column(X: pd.DataFrame, affected: list[str]) -> str:
    """The fully observed column MAR missingness depends on: the first unaffected rich column."""
    others = [c for c in X.columns if c not in affected]
    rich = [c for c in others if X[c].nunique() >= 5]
    if rich:
        return rich[0]
    if others:
        return others[0]
    return affected[-1]  # every column affected: fall back to one of them (its truth)


def _selection_weights(v: np.ndarray) -> np.ndarray:
    z = (v - v.mean()) / (v.std() + 1e-12)
    return np.exp(STRENGTH * z)


def inject_missing(X: pd.DataFrame, columns: list[str], pct: float, mechanism: str, seed: int,
                   driver: str | None = None) -> pd.DataFrame:
    """Blank exactly ``round(pct% * n)`` cells in each affected column.

    MCAR draws the rows uniformly; MAR draws them with weights exp(2 z(driver)), so rows with a large
    driver value go missing more often; MNAR uses the column's own value instead of the driver.
    """
    rng = np.random.default_rng(seed)
    out = X.astype(float).copy()
    n = len(X)
    n_miss = int(round(pct / 100 * n))
    if driver is None:
        driver = driver_column(X, columns)
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
    """Pool the m completed tables of multiple imputation (their mean is the point estimate) and
    score it like :func:`impute_one`; adds "draws" (m x missing cells of the first affected column)
    and "spread" (mean std between draws over every imputed cell)."""
    mask = X_miss[columns].isna().to_numpy()
    partner = pair_for_correlation(X, columns[0])
    fills = [pd.DataFrame(f, columns=X.columns, index=X.index) for f in fills]
    done = sum(fills) / len(fills)  # pooled point estimate: the mean of the m draws
    first = X_miss[columns[0]].isna().to_numpy()
    out = {"draws": np.stack([f[columns[0]].to_numpy()[first] for f in fills]),
           "spread": float(np.mean(np.std(np.stack([f[columns].to_numpy()[mask] for f in fills]), axis=0)))}
    return _scored(X, columns, "multiple (pooled)", done, mask, partner, out)


def impute_all(X: pd.DataFrame, X_miss: pd.DataFrame, columns: list[str], k: int, estimator: str,
               m: int, seed: int) -> dict:
    """Every strategy: {"completed": {strategy: DataFrame}, "summary": DataFrame, "draws", "spread"}."""
    results = {s: impute_one(X, X_miss, columns, s, k, estimator, m, seed) for s in STRATEGIES}
    return {"completed": {s: r["completed"] for s, r in results.items()},
            "summary": pd.DataFrame([r["row"] for r in results.values()]),
            "draws": results["multiple (pooled)"]["draws"], "spread": results["multiple (pooled)"]["spread"]}


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


def draws_frame(X: pd.DataFrame, X_miss: pd.DataFrame, column: str, draws: np.ndarray,
                n_cells: int = 25) -> pd.DataFrame:
    """For the first missing cells of ``column``: every draw's value, the pooled mean and the truth."""
    rows_idx = np.flatnonzero(X_miss[column].isna().to_numpy())[:n_cells]
    truth = X[column].to_numpy(float)[rows_idx]
    parts = []
    for i in range(draws.shape[0]):
        parts.append(pd.DataFrame({"row": rows_idx, "value": draws[i, :len(rows_idx)], "kind": "draw"}))
    parts.append(pd.DataFrame({"row": rows_idx, "value": draws[:, :len(rows_idx)].mean(axis=0), "kind": "pooled"}))
    parts.append(pd.DataFrame({"row": rows_idx, "value": truth, "kind": "truth"}))
    return pd.concat(parts, ignore_index=True)


ERROR_COLUMN = "imputed − true"


def draw_errors(draws: pd.DataFrame) -> pd.DataFrame:
    """draws_frame as errors: each draw's and the pooled value minus the truth of its cell (row, kind,
    imputed − true). On the column's own scale the draws hid under the truth; as errors the spread
    between draws is what the axis shows."""
    truth = draws[draws["kind"] == "truth"].set_index("row")["value"]
    out = draws[draws["kind"] != "truth"].copy()
    out[ERROR_COLUMN] = out["value"] - out["row"].map(truth)
    return out[["row", "kind", ERROR_COLUMN]].reset_index(drop=True)


def export_code(dataset: str, task: str, columns: list[str], pct: int, mechanism: str, k: int,
                estimator: str, m: int, seed: int) -> str:
    """A runnable script reproducing the RMSEs and CV scores; its last line prints them as JSON."""
    loader = {"breast_cancer": "load_breast_cancer", "wine": "load_wine", "iris": "load_iris",
              "diabetes": "load_diabetes"}.get(dataset)
    if loader:
        load = (f"from sklearn.datasets import {loader}\n"
                f"b = {loader}()\nX = pd.DataFrame(b.data, columns=[str(c) for c in b.feature_names])\n"
                f"y = pd.Series(b.target)")
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
        from sklearn.experimental import enable_iterative_imputer  # noqa: F401
        from sklearn.impute import IterativeImputer, KNNImputer, SimpleImputer
        from sklearn.linear_model import BayesianRidge, LogisticRegression, Ridge
        from sklearn.model_selection import KFold, StratifiedKFold, cross_val_score, train_test_split
        from sklearn.neighbors import KNeighborsRegressor
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import StandardScaler
        from sklearn.tree import DecisionTreeRegressor

        SEED, PCT, MECHANISM = {seed}, {pct}, {mechanism!r}
        COLUMNS = {columns!r}
        DRIVER = {None!r}  # filled below
        {load.replace(chr(10), chr(10) + "        ")}
        if len(X) > {MAX_ROWS}:  # the page subsamples large tables the same way
            X, _, y, _ = train_test_split(X, y, train_size={MAX_ROWS}, random_state=SEED,
                                          stratify=y if {task == "classification"} else None)
        X, y = X.reset_index(drop=True).astype(float), y.reset_index(drop=True)

        # Inject missingness (scikit-learn has no "ampute"): exactly PCT% of each affected column.
        rich = [c for c in X.columns if c not in COLUMNS and X[c].nunique() >= 5]
        others = [c for c in X.columns if c not in COLUMNS]
        DRIVER = rich[0] if rich else (others[0] if others else COLUMNS[-1])
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

        imputers = {{
            "mean": SimpleImputer(strategy="mean"),
            "median": SimpleImputer(strategy="median"),
            "most frequent": SimpleImputer(strategy="most_frequent"),
            "constant (0)": SimpleImputer(strategy="constant", fill_value=0.0),
            "k-NN": KNNImputer(n_neighbors={k}),
            "iterative": IterativeImputer(estimator={est}, max_iter={ITER_MAX}, skip_complete=True,
                                          random_state=SEED),
        }}
        def draw(i):  # one of the m multiple-imputation draws
            return IterativeImputer(estimator=BayesianRidge(), sample_posterior=True, max_iter={ITER_MAX_DRAW},
                                    skip_complete=True, random_state=SEED + i)
        M = {m}

        rmse = {{}}
        for name, imp in imputers.items():
            filled = imp.fit_transform(X_miss)[:, [X.columns.get_loc(c) for c in COLUMNS]]
            rmse[name] = float(np.sqrt(np.mean((filled[mask] - X[COLUMNS].to_numpy()[mask]) ** 2)))
        pooled = sum(draw(i).fit_transform(X_miss) for i in range(M)) / M
        pooled = pooled[:, [X.columns.get_loc(c) for c in COLUMNS]]
        rmse["multiple (pooled)"] = float(np.sqrt(np.mean((pooled[mask] - X[COLUMNS].to_numpy()[mask]) ** 2)))

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
        scores["multiple (pooled)"] = float(np.mean([
            cross_val_score(make_pipeline(draw(i), model), X_miss, y, cv=cv, scoring="{scorer}").mean()
            for i in range(M)]))
        print("rows lost by dropping:", int((~keep).sum()))
        for name in scores:
            print(f"{{name:>18}}  RMSE {{rmse.get(name, float('nan')):8.3f}}  CV {{scores[name]}}")
        print(json.dumps({{"rmse": rmse, "cv": scores, "rows_lost": int((~keep).sum())}}))
        ''')


def export_numbers(result: pd.DataFrame, cv: pd.DataFrame) -> dict:
    """The numbers the exported script prints, from the page's summary and CV tables (for the test)."""
    s = result.set_index("strategy")
    rmse = {k: float(v) for k, v in s["RMSE on missing cells"].items() if k != "drop rows"}
    scores = {r["strategy"]: (None if np.isnan(r["CV score"]) else float(r["CV score"])) for _, r in cv.iterrows()}
    return {"rmse": rmse, "cv": scores, "rows_lost": int(s.loc["drop rows", "rows lost"])}


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
