"""Missing-data lab: the component against direct scikit-learn/numpy computations, and the page."""
import json
import warnings
from unittest import mock

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from sklearn.datasets import load_breast_cancer, load_wine
from sklearn.exceptions import ConvergenceWarning
from sklearn.experimental import enable_iterative_imputer  # noqa: F401
from sklearn.impute import IterativeImputer, KNNImputer, SimpleImputer
from sklearn.linear_model import BayesianRidge, LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from components import datasets
from components import missing_data as md
from tests.apptest_utils import assert_clean, chart_specs, metric_values, open_page, recording, run_exported_script

PAGE = "views/data/missing_data.py"
SEED = 42


@pytest.fixture(scope="module")
def bc():
    b = load_breast_cancer()
    X = pd.DataFrame(b.data, columns=list(b.feature_names))
    return X, pd.Series(b.target)


@pytest.mark.parametrize("mechanism", md.MECHANISMS)
def test_injection_blanks_exactly_pct_of_each_affected_column(bc, mechanism):
    X, _ = bc
    cols = md.default_columns(X)
    Xm = md.inject_missing(X, cols, 30, mechanism, SEED)
    assert (Xm[cols].isna().sum() == round(0.3 * len(X))).all()
    others = [c for c in X.columns if c not in cols]
    assert Xm[others].notna().all().all()
    observed = Xm[cols].notna().to_numpy()
    assert np.allclose(Xm[cols].to_numpy()[observed], X[cols].to_numpy()[observed])


def test_mnar_hides_large_values_and_mar_follows_the_driver(bc):
    X, _ = bc
    col = "mean radius"
    mnar = md.inject_missing(X, [col], 30, "MNAR", SEED)
    gone = mnar[col].isna()
    assert X.loc[gone, col].mean() > X.loc[~gone, col].mean() * 1.2
    driver = md.driver_column(X, [col])
    assert driver not in (col,)
    mar = md.inject_missing(X, [col], 30, "MAR", SEED)
    gone = mar[col].isna()
    assert X.loc[gone, driver].mean() > X.loc[~gone, driver].mean()
    mcar = md.inject_missing(X, [col], 30, "MCAR", SEED)
    gone = mcar[col].isna()
    assert abs(X.loc[gone, col].mean() - X[col].mean()) < 0.1 * X[col].std() * 4


def test_mean_imputation_rmse_and_correlation_match_numpy(bc):
    X, _ = bc
    cols = ["mean radius", "mean texture"]
    Xm = md.inject_missing(X, cols, 25, "MCAR", SEED)
    out = md.impute_one(X, Xm, cols, "mean", 5, md.ESTIMATOR_DEFAULT, 3, SEED)
    mask = Xm[cols].isna().to_numpy()
    filled = Xm[cols].fillna(Xm[cols].mean()).to_numpy()
    expected = np.sqrt(np.mean((filled[mask] - X[cols].to_numpy()[mask]) ** 2))
    assert out["row"]["RMSE on missing cells"] == pytest.approx(expected)
    partner = md.pair_for_correlation(X, cols[0])
    assert partner == X.corr()[cols[0]].drop(cols[0]).abs().idxmax()
    direct = np.corrcoef(Xm[cols[0]].fillna(Xm[cols[0]].mean()), X[partner])[0, 1]
    assert out["row"][md.CORR_COLUMN] == pytest.approx(direct)
    # mean filling weakens the correlation with the partner column
    assert abs(direct) < abs(np.corrcoef(X[cols[0]], X[partner])[0, 1])


@pytest.mark.parametrize("loader", [load_breast_cancer, load_wine])
def test_correlation_partner_is_pandas_most_correlated_column(loader):
    X = loader(as_frame=True).data
    for col in X.columns:
        assert md.pair_for_correlation(X, col) == X.corr()[col].drop(col).abs().idxmax()
    flat = pd.DataFrame({"a": [1.0, 2.0, 4.0], "b": [5.0, 5.0, 5.0]})  # a constant column correlates with nothing
    assert md.pair_for_correlation(flat, "a") == "a"


def test_draw_errors_are_each_value_minus_its_cells_truth():
    draws = pd.DataFrame({"row": [3, 8, 3, 8, 3, 8, 3, 8],
                          "kind": ["draw"] * 4 + [md.MEAN_OF_DRAWS] * 2 + ["truth"] * 2,
                          "draw": [1, 1, 2, 2, 0, 0, 0, 0], "value": [1.0, 5.0, 3.0, 7.0, 2.0, 6.0, 2.5, 6.5]})
    err = md.draw_errors(draws)
    assert list(err["kind"]) == ["draw"] * 4 + [md.MEAN_OF_DRAWS] * 2
    np.testing.assert_allclose(err[md.ERROR_COLUMN], [-1.5, -1.5, 0.5, 0.5, -0.5, -0.5])


def test_draws_table_shows_each_draws_own_value(bc):
    """One column per draw with that draw's value (not the mean repeated), then their mean and the truth."""
    X, _ = bc
    cols = md.default_columns(X)
    Xm = md.inject_missing(X, cols, 20, "MCAR", SEED)
    tables = [IterativeImputer(estimator=BayesianRidge(), sample_posterior=True, max_iter=md.ITER_MAX_DRAW,
                               skip_complete=True, random_state=SEED + i).fit_transform(Xm) for i in range(4)]
    mi = md.impute_one(X, Xm, cols, "multiple (pooled)", 5, "bayesian ridge", 4, SEED)
    table = md.draws_table(md.draws_frame(X, Xm, cols[0], mi["draws"], n_cells=10))
    rows = np.flatnonzero(Xm[cols[0]].isna().to_numpy())[:10]
    j = X.columns.get_loc(cols[0])
    assert list(table.columns) == ["draw 1", "draw 2", "draw 3", "draw 4", md.MEAN_OF_DRAWS, "truth"]
    assert list(table.index) == list(rows)
    for i in range(4):
        np.testing.assert_allclose(table[f"draw {i + 1}"], tables[i][rows, j])
    np.testing.assert_allclose(table[md.MEAN_OF_DRAWS], np.mean([t[rows, j] for t in tables], axis=0))
    np.testing.assert_allclose(table["truth"], X[cols[0]].to_numpy()[rows])
    assert table["draw 1"].ne(table["draw 2"]).all()


def test_iterative_matches_sklearn_and_beats_the_mean(bc):
    X, _ = bc
    cols = md.default_columns(X)
    Xm = md.inject_missing(X, cols, 20, "MAR", SEED)
    out = md.impute_one(X, Xm, cols, "iterative", 5, "bayesian ridge", 3, SEED)
    direct = IterativeImputer(estimator=BayesianRidge(), max_iter=md.ITER_MAX, skip_complete=True,
                              random_state=SEED).fit_transform(Xm)
    assert np.allclose(out["completed"].to_numpy(), direct)
    mean = md.impute_one(X, Xm, cols, "mean", 5, "bayesian ridge", 3, SEED)
    assert out["row"]["RMSE on missing cells"] < 0.5 * mean["row"]["RMSE on missing cells"]


def test_drop_rows_and_multiple_imputation(bc):
    X, _ = bc
    cols = md.default_columns(X)
    Xm = md.inject_missing(X, cols, 20, "MCAR", SEED)
    drop = md.impute_one(X, Xm, cols, "drop rows", 5, "bayesian ridge", 3, SEED)
    assert drop["row"]["rows lost"] == int(Xm.isna().any(axis=1).sum())
    mi = md.impute_one(X, Xm, cols, "multiple (pooled)", 5, "bayesian ridge", 4, SEED)
    assert mi["draws"].shape == (4, int(Xm[cols[0]].isna().sum()))
    draws = [IterativeImputer(estimator=BayesianRidge(), sample_posterior=True, max_iter=md.ITER_MAX_DRAW,
                              skip_complete=True, random_state=SEED + i).fit_transform(Xm) for i in range(4)]
    assert np.allclose(mi["completed"].to_numpy(), np.mean(draws, axis=0))
    assert mi["spread"] > 0
    mask = Xm[cols].isna().to_numpy()
    where = [X.columns.get_loc(c) for c in cols]
    one = [np.sqrt(np.mean((d[:, where][mask] - X[cols].to_numpy()[mask]) ** 2)) for d in draws]
    assert mi["draw rmse"] == pytest.approx(np.mean(one))


def test_cv_score_fits_the_imputer_inside_the_folds(bc):
    X, y = bc
    cols = md.default_columns(X)
    Xm = md.inject_missing(X, cols, 20, "MCAR", SEED)
    got = md.cv_one(Xm, y, "classification", "median", 5, "bayesian ridge", 3, SEED)
    pipe = make_pipeline(SimpleImputer(strategy="median"), StandardScaler(), LogisticRegression(max_iter=1000))
    expected = cross_val_score(pipe, Xm, y, cv=StratifiedKFold(3, shuffle=True, random_state=SEED)).mean()
    assert md.CV_FOLDS == 3
    assert got["CV score"] == pytest.approx(expected)


def test_drop_rows_with_too_few_rows_gives_a_note_not_an_error(bc):
    X, y = bc
    Xm = md.inject_missing(X, list(X.columns), 60, "MCAR", SEED)
    got = md.cv_one(Xm, y, "classification", "drop rows", 5, "bayesian ridge", 3, SEED)
    assert np.isnan(got["CV score"]) and got["note"]


def test_page_renders_and_controls_change_numbers():
    at = open_page(PAGE)
    assert_clean(at, PAGE)
    before = metric_values(at)
    assert before["Cells blanked"] == str(3 * round(0.2 * 569))
    at.slider(key=md.PCT_KEY).set_value(40)
    at.run()
    assert_clean(at, "pct=40")
    assert metric_values(at)["Cells blanked"] == str(3 * round(0.4 * 569))
    # k only refits the k-NN strategy; the inspected strategy refits nothing
    with mock.patch.object(md, "impute_one", wraps=md.impute_one) as imp, \
            mock.patch.object(md, "cv_one", wraps=md.cv_one) as cv:
        at.slider(key=md.K_KEY).set_value(9)
        at.run()
        assert imp.call_count == 1 and cv.call_count == 1
        assert imp.call_args.args[3] == "k-NN"
        imp.reset_mock()
        cv.reset_mock()
        at.radio(key=md.INSPECT_KEY).set_value("mean")
        at.run()
        assert imp.call_count == 0 and cv.call_count == 0
    assert_clean(at, "inspect=mean")
    assert chart_specs(at)


def test_switching_dataset_resets_the_affected_columns():
    at = open_page(PAGE)
    at.selectbox(key="app.dataset").select("wine")
    at.run()
    assert_clean(at, "wine")
    wine = load_wine()
    expected = md.default_columns(pd.DataFrame(wine.data, columns=wine.feature_names))
    assert at.multiselect(key=md.COLUMNS_KEY).value == expected


def test_url_sets_the_widgets():
    at = open_page(PAGE, query={md.MECHANISM_KEY: "MNAR", md.PCT_KEY: "35", md.COLUMNS_KEY: "mean area"})
    assert_clean(at, "deep link")
    assert at.button_group(key=md.MECHANISM_KEY).value == "MNAR"
    assert at.slider(key=md.PCT_KEY).value == 35
    assert at.multiselect(key=md.COLUMNS_KEY).value == ["mean area"]
    assert metric_values(at)["Cells blanked"] == str(round(0.35 * 569))


def test_exported_script_reproduces_the_page_numbers(bc):
    X, y = bc
    cols = md.default_columns(X)
    Xm = md.inject_missing(X, cols, 20, "MAR", SEED)
    every = md.impute_all(X, Xm, cols, 5, "bayesian ridge", 3, SEED)
    cv = md.cv_scores(Xm, y, "classification", 5, "bayesian ridge", 3, SEED)
    intervals, pooled = md.mean_intervals(X, Xm, cols[0], every["completed"]["mean"][cols[0]],
                                          every["completed"]["iterative"][cols[0]], every["draws"])
    expected = md.export_numbers(every["summary"], cv, intervals, pooled)
    got = run_exported_script(md.export_code("breast_cancer", "classification", cols, 20, "MAR", 5,
                                             "bayesian ridge", 3, SEED))
    assert got["rows_lost"] == expected["rows_lost"]
    for name, value in expected["rmse"].items():
        assert got["rmse"][name] == pytest.approx(value, rel=1e-6), name
    for name, value in expected["cv"].items():
        assert got["cv"][name] == pytest.approx(value, rel=1e-6), name
    assert got["intervals"].keys() == expected["intervals"].keys()
    for name, value in expected["intervals"].items():
        assert got["intervals"][name] == pytest.approx(value, rel=1e-9), name
    for name, value in expected["rubin"].items():
        assert got["rubin"][name] == pytest.approx(value, rel=1e-9), name


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")  # 3 rounds, as the page runs
def test_real_table_has_genuine_gaps_and_holdout_matches_direct_imputation():
    table = md.load_fertility()
    assert table.isna().sum().sum() == 184 and table.shape == (210, 22)
    check, n_hidden = md.holdout_check(table, 5, "bayesian ridge", SEED)
    values = table.to_numpy(float)
    observed = np.argwhere(~np.isnan(values))
    pick = observed[np.random.default_rng(SEED).choice(len(observed), size=n_hidden, replace=False)]
    hidden = values.copy()
    hidden[pick[:, 0], pick[:, 1]] = np.nan
    filled = SimpleImputer(strategy="mean").fit_transform(hidden)
    expected = np.sqrt(np.mean((filled[pick[:, 0], pick[:, 1]] - values[pick[:, 0], pick[:, 1]]) ** 2))
    rmse = check.set_index("strategy")["RMSE on hidden cells"]
    assert rmse["mean"] == pytest.approx(expected)
    assert rmse["iterative"] < rmse["mean"] / 5  # neighbouring years predict a gap far better than the mean
    filled = IterativeImputer(estimator=BayesianRidge(), max_iter=3, skip_complete=True,
                              random_state=SEED).fit_transform(hidden)
    expected = np.sqrt(np.mean((filled[pick[:, 0], pick[:, 1]] - values[pick[:, 0], pick[:, 1]]) ** 2))
    assert rmse["iterative"] == pytest.approx(expected)


def test_page_cv_scores_equal_a_direct_pipeline_and_no_progress_bar_stays(bc):
    """The CV section is computed after the imputation charts (with a progress bar that is removed
    when done); its scores equal scikit-learn's cross_val_score with the imputer inside the pipeline."""
    at = open_page(PAGE, query={md.PCT_KEY: "30", md.MECHANISM_KEY: "MAR"})
    assert_clean(at)
    assert not at.get("progress")
    table = next(df.value for df in at.dataframe
                 if "strategy" in df.value and "complete data (no missing)" in set(df.value["strategy"]))
    X, y = bc
    Xm = md.inject_missing(X, md.default_columns(X), 30, "MAR", SEED)
    cv = StratifiedKFold(3, shuffle=True, random_state=SEED)
    for strategy, imputer in (("median", SimpleImputer(strategy="median")),
                              ("iterative", IterativeImputer(estimator=BayesianRidge(), max_iter=md.ITER_MAX,
                                                             skip_complete=True, random_state=SEED))):
        pipe = make_pipeline(imputer, StandardScaler(), LogisticRegression(max_iter=1000))
        expected = cross_val_score(pipe, Xm.to_numpy(), y.to_numpy(), cv=cv).mean()
        shown = table.set_index("strategy").loc[strategy, "CV score"]
        assert shown == pytest.approx(round(expected, 4), abs=1e-9)
    draws = [cross_val_score(make_pipeline(IterativeImputer(estimator=BayesianRidge(), sample_posterior=True,
                                                            max_iter=md.ITER_MAX_DRAW, skip_complete=True,
                                                            random_state=SEED + i),
                                           StandardScaler(), LogisticRegression(max_iter=1000)),
                             Xm.to_numpy(), y.to_numpy(), cv=cv).mean() for i in range(md.M_DEFAULT)]
    assert table.set_index("strategy").loc["multiple (pooled)", "CV score"] == pytest.approx(round(np.mean(draws), 4),
                                                                                            abs=1e-9)


def test_inspected_distribution_table_equals_a_direct_describe(bc):
    """The page computes every strategy's table in one groupby; the one shown must equal describing
    the truth, the observed cells and that strategy's imputed table directly."""
    at = open_page(PAGE)
    X, _ = bc
    cols = md.default_columns(X)
    Xm = md.inject_missing(X, cols, md.PCT_DEFAULT, md.MECHANISM_DEFAULT, SEED)
    for strategy, imputer in (("median", SimpleImputer(strategy="median")), ("mean", SimpleImputer())):
        at.radio(key=md.INSPECT_KEY).set_value(strategy).run()
        shown = next(df.value for df in at.dataframe if df.value.index.names == ["column", "version"])
        done = pd.DataFrame(imputer.fit_transform(Xm), columns=X.columns)
        long = pd.concat([pd.DataFrame({"column": c, "value": v.to_numpy(float), "version": version})
                          for c in cols[:3] for v, version in ((X[c], md.TRUTH), (Xm[c].dropna(), md.OBSERVED),
                                                               (done[c], "after imputation"))])
        direct = long.groupby(["column", "version"])["value"].describe()
        pd.testing.assert_frame_equal(shown, direct.round(3), check_exact=False, atol=1e-9)


# ---- MAR keeps its driver observed, on every dataset the page offers ----

@pytest.mark.parametrize("name", datasets.NAMES)
def test_mar_driver_is_never_an_affected_column(name):
    """MAR's driver stays fully observed, whether the choice leaves columns unaffected (the default)
    or takes every column (the 2-D sets' default): then the driver is taken out of the affected
    columns and a note says so. Never MNAR labelled MAR."""
    d = datasets.load(name, seed=SEED)
    X, _ = md.subsample(d.X.astype(float), d.y, d.task, SEED)
    for chosen in (md.default_columns(X), list(X.columns)):
        affected, driver, note = md.mar_plan(X, chosen, "MAR")
        assert driver is not None and driver in X.columns and driver not in affected
        assert affected and set(affected) <= set(chosen)
        every = set(chosen) == set(X.columns)
        assert bool(note) == every and (driver in note if every else True)
        assert len(affected) == len(chosen) - every
        Xm = md.inject_missing(X, affected, 30, "MAR", SEED)
        assert Xm[driver].notna().all()
        assert (Xm[affected].isna().sum() == round(0.3 * len(X))).all()
        assert Xm.drop(columns=affected).notna().all().all()
        for mechanism in ("MCAR", "MNAR"):
            assert md.mar_plan(X, chosen, mechanism) == (chosen, None, "")
    with pytest.raises(ValueError):
        md.inject_missing(X, list(X.columns), 30, "MAR", SEED)


def test_mar_on_a_single_column_blanks_nothing_and_says_why():
    X = pd.DataFrame({"a": np.arange(10.0)})
    affected, driver, note = md.mar_plan(X, ["a"], "MAR")
    assert affected == [] and driver is None and "MAR needs a second column" in note


def test_mar_on_a_2d_set_keeps_the_driver_observed_on_the_page():
    at = open_page(PAGE, query={"app.dataset": "moons", md.MECHANISM_KEY: "MAR"})
    assert_clean(at, "moons MAR")
    assert at.multiselect(key=md.COLUMNS_KEY).value == ["x1", "x2"]
    assert any("**x2** drives them and keeps all its values" in i.value for i in at.info)
    assert any("MAR driver: rows with a large **x2** (always observed)" in c.value for c in at.caption)
    pattern = next(df.value for df in at.dataframe if "missing %" in df.value.columns)
    assert pattern.loc["x2", "missing %"] == 0 and pattern.loc["x1", "missing %"] == pytest.approx(md.PCT_DEFAULT)
    assert metric_values(at)["Cells blanked"] == str(round(md.PCT_DEFAULT / 100 * 300))
    at.button_group(key=md.MECHANISM_KEY).set_value("MNAR").run()
    assert_clean(at, "moons MNAR")
    assert not at.info and metric_values(at)["Cells blanked"] == str(2 * round(md.PCT_DEFAULT / 100 * 300))


# ---- multiple imputation: Rubin's rules ----

def _barnard_rubin(Q, W, B, m, n):
    """Rubin's rules written another way than the app: r, the relative increase in variance, and
    Barnard-Rubin's degrees of freedom through r (van Buuren, Flexible Imputation of Missing Data, 2.3)."""
    T = W * (1 + (1 + 1 / m) * B / W)
    r = (1 + 1 / m) * B / W
    df_old = (m - 1) * (1 + 1 / r) ** 2
    gamma = r / (1 + r)
    df_obs = (n - 1 + 1) / (n - 1 + 3) * (n - 1) * (1 - gamma)
    df = df_old * df_obs / (df_old + df_obs)
    return T, df, stats.t.interval(0.95, df, loc=Q, scale=np.sqrt(T))


def test_rubin_pool_matches_statsmodels_and_an_independent_formula(bc):
    """Pooling each coefficient of an OLS fit on every completed table gives statsmodels' MICE.combine
    estimate, total variance and fraction of missing information; the degrees of freedom and the
    interval equal the textbook formula written through r."""
    from statsmodels.imputation.mice import MICE
    from statsmodels.regression.linear_model import OLS

    X, _ = bc
    cols = ["mean texture", "mean smoothness"]
    Xm = md.inject_missing(X, cols, 40, "MCAR", SEED)
    m = 5
    tables = [IterativeImputer(estimator=BayesianRidge(), sample_posterior=True, max_iter=md.ITER_MAX_DRAW,
                               skip_complete=True, random_state=SEED + i).fit_transform(Xm) for i in range(m)]
    j, k = X.columns.get_loc(cols[0]), X.columns.get_loc(cols[1])
    fits = [OLS(t[:, j], np.column_stack([np.ones(len(t)), t[:, k]])).fit() for t in tables]
    mice = object.__new__(MICE)  # only combine() is used: it pools the fits in results_list
    mice.results_list, mice.exog_names, mice.endog_names, mice.model_class = fits, ["const", "x"], "y", OLS
    combined = MICE.combine(mice)
    for p in range(2):
        q = np.array([f.params[p] for f in fits])
        u = np.array([f.bse[p] ** 2 for f in fits])
        pooled = md.rubin_pool(q, u, df_complete=len(X) - 2)
        assert pooled["estimate"] == pytest.approx(combined.params[p], rel=1e-12)
        assert pooled["T"] == pytest.approx(combined.cov_params()[p, p], rel=1e-10)
        assert pooled["lambda"] == pytest.approx(combined.frac_miss_info[p], rel=1e-10)
        T, df, (low, high) = _barnard_rubin(q.mean(), u.mean(), q.var(ddof=1), m, len(X) - 1)
        assert pooled["T"] == pytest.approx(T, rel=1e-12) and pooled["df"] == pytest.approx(df, rel=1e-10)
        assert (pooled["low"], pooled["high"]) == pytest.approx((low, high), rel=1e-10)
        assert pooled["df"] < len(X) - 2 and pooled["lambda"] > 0
    # no between-imputation variance: the interval is the complete-data one with df_obs
    flat = md.rubin_pool([2.0, 2.0, 2.0], [0.01, 0.01, 0.01], df_complete=99)
    assert flat["T"] == pytest.approx(0.01) and flat["df"] == pytest.approx(100 / 102 * 99)


def test_mean_intervals_equal_scipy_intervals_on_each_table(bc):
    X, _ = bc
    cols = md.default_columns(X)
    Xm = md.inject_missing(X, cols, 30, "MAR", SEED)
    col = cols[0]
    mean_fill = Xm[col].fillna(Xm[col].mean())
    it = IterativeImputer(estimator=BayesianRidge(), max_iter=md.ITER_MAX, skip_complete=True,
                          random_state=SEED).fit_transform(Xm)[:, X.columns.get_loc(col)]
    mi = md.impute_one(X, Xm, cols, "multiple (pooled)", 5, "bayesian ridge", 4, SEED)
    table, pooled = md.mean_intervals(X, Xm, col, mean_fill, pd.Series(it), mi["draws"])
    t = table.set_index("analysis")
    for name, values in ((md.COMPLETE, X[col]), (md.OBSERVED_ONLY, Xm[col].dropna()), (md.MEAN_FILL, mean_fill),
                         (md.ITERATIVE_FILL, it)):
        values = np.asarray(values, float)
        low, high = stats.t.interval(0.95, len(values) - 1, loc=values.mean(), scale=stats.sem(values))
        assert (t.loc[name, "CI low"], t.loc[name, "CI high"]) == pytest.approx((low, high), rel=1e-12), name
    draws = [IterativeImputer(estimator=BayesianRidge(), sample_posterior=True, max_iter=md.ITER_MAX_DRAW,
                              skip_complete=True, random_state=SEED + i).fit_transform(Xm)[:, X.columns.get_loc(col)]
             for i in range(4)]
    q, u = np.array([d.mean() for d in draws]), np.array([stats.sem(d) ** 2 for d in draws])
    T, df, (low, high) = _barnard_rubin(q.mean(), u.mean(), q.var(ddof=1), 4, len(X))
    assert (t.loc[md.MULTIPLE, "estimate"], t.loc[md.MULTIPLE, "CI low"], t.loc[md.MULTIPLE, "CI high"]) == \
        pytest.approx((q.mean(), low, high), rel=1e-10)
    truth = X[col].mean()
    for name in t.index.drop(md.COMPLETE):
        assert t.loc[name, md.COVERS] == ("yes" if t.loc[name, "CI low"] <= truth <= t.loc[name, "CI high"] else "no")


# ---- every sentence about the screen, against numbers computed here, over seeds and datasets ----

def _pct(v):
    return f"{v + 0.0:.0%}".replace("-0%", "0%")


def _width_word(a, b):
    a, b = float(f"{a:.3g}"), float(f"{b:.3g}")
    return "narrower than" if a < b else "wider than" if a > b else "as wide as"


def _direct_tables(X, Xm, seed, m):
    """Every imputer's completed table and the m draws, straight from scikit-learn."""
    fit = {"mean": SimpleImputer(strategy="mean"), "median": SimpleImputer(strategy="median"),
           "most frequent": SimpleImputer(strategy="most_frequent"),
           "constant (0)": SimpleImputer(strategy="constant", fill_value=0.0), "k-NN": KNNImputer(n_neighbors=5),
           "iterative": IterativeImputer(estimator=BayesianRidge(), max_iter=md.ITER_MAX, skip_complete=True,
                                         random_state=seed)}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        done = {k: pd.DataFrame(v.fit_transform(Xm), columns=X.columns) for k, v in fit.items()}
        draws = [pd.DataFrame(IterativeImputer(estimator=BayesianRidge(), sample_posterior=True,
                                               max_iter=md.ITER_MAX_DRAW, skip_complete=True,
                                               random_state=seed + i).fit_transform(Xm), columns=X.columns)
                 for i in range(m)]
    done["multiple (pooled)"] = sum(draws) / m
    return done, draws


@pytest.mark.parametrize("name", ["breast_cancer", "wine"])
@pytest.mark.parametrize("seed", [0, 1, 42])
def test_generated_sentences_state_what_the_numbers_say(name, seed):
    """The gap, correlation, multiple-imputation and draws sentences, made from the app's numbers as the
    page makes them, checked claim by claim against numbers computed here with scikit-learn and scipy,
    under each mechanism."""
    d = datasets.load(name)
    X, _ = md.subsample(d.X, d.y, d.task, seed)
    X = X.astype(float)
    m = 3
    for mechanism in md.MECHANISMS:
        cols, _, _ = md.mar_plan(X, md.default_columns(X), mechanism)
        col = cols[0]
        Xm = md.inject_missing(X, cols, 40, mechanism, seed)
        every = md.impute_all(X, Xm, cols, 5, "bayesian ridge", m, seed)
        done, draws = _direct_tables(X, Xm, seed, m)
        context = (name, seed, mechanism)

        # the observed mean against the truth, and the share of the gap each imputer closes
        means = {s: float(every["completed"][s][col].mean()) for s in md.IMPUTERS}
        text = md.gap_sentence(col, mechanism, float(X[col].mean()), Xm[col].dropna().to_numpy(), means)
        observed = Xm[col].dropna().to_numpy()
        truth, se = X[col].mean(), stats.sem(observed)
        gap = truth - observed.mean()
        assert f"average {observed.mean():.4g}; all its values, before blanking, average {truth:.4g}" in text
        if "within one standard error" in text:
            assert abs(gap) <= se, context
        else:
            assert abs(gap) > se, context
            assert f"lie {abs(gap):.3g} {'below' if gap > 0 else 'above'} the truth" in text, context
            assert f"{abs(gap) / se:.1f} standard errors" in text, context
            for s in md.IMPUTERS:
                closed = (done[s][col].mean() - observed.mean()) / gap
                assert f"{s} {_pct(closed)}" in text, (context, s)

        # the correlation closest to and farthest from the truth
        partner = X.corr()[col].drop(col).abs().idxmax()
        true_r = np.corrcoef(X[col], X[partner])[0, 1]
        tables = {**done, "drop rows": Xm.dropna()}
        off = {s: abs(np.corrcoef(t[col], t[partner])[0, 1] - true_r) for s, t in tables.items()}
        corr = dict(zip(every["summary"]["strategy"], every["summary"][md.CORR_COLUMN]))
        text = md.corr_sentence(corr, true_r, col, partner)
        assert f"is {true_r:.3f} in the complete table" in text
        assert f"closest with {min(off, key=off.get)} (" in text, context
        assert f"farthest with {max(off, key=off.get)} (" in text, context

        # Rubin's rules against the single-table intervals
        table, pooled = md.mean_intervals(X, Xm, col, every["completed"]["mean"][col],
                                          every["completed"]["iterative"][col], every["draws"])
        share = Xm[col].isna().mean()
        text = md.mi_sentence(table, pooled, col, share)
        q = np.array([t[col].mean() for t in draws])
        u = np.array([stats.sem(t[col]) ** 2 for t in draws])
        T, df, (low, high) = _barnard_rubin(q.mean(), u.mean(), q.var(ddof=1), m, len(X))
        for fragment in (f"the estimate {q.mean():.4g} is", f"W = {u.mean():.3g}", f"B = {q.var(ddof=1):.3g}",
                         f"(1 + 1/m)·B = {T:.3g}", f"interval is {low:.4g} to {high:.4g}", f"({df:.0f} degrees"):
            assert fragment in text, (context, fragment)
        interval = {md.COMPLETE: X[col], md.OBSERVED_ONLY: Xm[col].dropna(), md.MEAN_FILL: done["mean"][col],
                    md.ITERATIVE_FILL: done["iterative"][col]}
        bounds = {k: stats.t.interval(0.95, len(v) - 1, loc=v.mean(), scale=stats.sem(v)) for k, v in interval.items()}
        bounds[md.MULTIPLE] = (low, high)
        width = {k: b[1] - b[0] for k, b in bounds.items()}
        versus = _width_word(width[md.ITERATIVE_FILL], width[md.COMPLETE])
        assert (f"{width[md.ITERATIVE_FILL]:.3g} wide, {_width_word(width[md.ITERATIVE_FILL], width[md.MULTIPLE])} "
                f"multiple imputation's and {versus} the complete table's ({width[md.COMPLETE]:.3g})") in text, context
        assert ("although" in text) == (versus == "narrower than")
        missed = [k for k in (md.OBSERVED_ONLY, md.MEAN_FILL, md.ITERATIVE_FILL, md.MULTIPLE)
                  if not bounds[k][0] <= truth <= bounds[k][1]]
        if missed:
            assert f"Missing the complete-data mean {truth:.4g}: {'; '.join(missed)}." in text, context
        else:
            assert "Every interval covers the complete-data mean" in text, context

        # one draw's RMSE against the draws' mean's
        mask = Xm[cols].isna().to_numpy()
        def rmse(t):
            return np.sqrt(np.mean((t[cols].to_numpy()[mask] - X[cols].to_numpy()[mask]) ** 2))
        one, mean_of = np.mean([rmse(t) for t in draws]), rmse(done["multiple (pooled)"])
        first = np.stack([t[col].to_numpy()[Xm[col].isna().to_numpy()] for t in draws])
        text = md.draws_caption(m, col, float(np.mean(np.std(first, axis=0))), every["spread"], every["draw rmse"],
                                float(every["summary"].set_index("strategy").loc["multiple (pooled)",
                                                                                  "RMSE on missing cells"]))
        assert f"a single draw's RMSE is {one:.3g}" in text and f"the draws' mean's {mean_of:.3g}" in text, context
        assert ("averaging cancels" in text) == (mean_of < one), context
        assert f"**{np.mean(np.std(first, axis=0)):.3g}** for {col}" in text


def test_page_shows_the_generated_sentences_and_intervals(bc):
    """On the page (default settings): the interval table equals scipy's intervals and Rubin's rules
    computed here, and the captions are the generated sentences."""
    at = open_page(PAGE)
    assert_clean(at)
    X, _ = bc
    cols = md.default_columns(X)
    Xm = md.inject_missing(X, cols, md.PCT_DEFAULT, md.MECHANISM_DEFAULT, SEED)
    col = cols[0]
    shown = next(df.value for df in at.dataframe if "analysis" in df.value.columns).set_index("analysis")
    low, high = stats.t.interval(0.95, len(X) - 1, loc=X[col].mean(), scale=stats.sem(X[col]))
    assert (shown.loc[md.COMPLETE, "CI low"], shown.loc[md.COMPLETE, "CI high"]) == pytest.approx(
        (round(low, 4), round(high, 4)), abs=1e-9)
    draws = [IterativeImputer(estimator=BayesianRidge(), sample_posterior=True, max_iter=md.ITER_MAX_DRAW,
                              skip_complete=True, random_state=SEED + i).fit_transform(Xm)[:, X.columns.get_loc(col)]
             for i in range(md.M_DEFAULT)]
    q, u = np.array([d.mean() for d in draws]), np.array([stats.sem(d) ** 2 for d in draws])
    _, _, (low, high) = _barnard_rubin(q.mean(), u.mean(), q.var(ddof=1), md.M_DEFAULT, len(X))
    assert (shown.loc[md.MULTIPLE, "CI low"], shown.loc[md.MULTIPLE, "CI high"]) == pytest.approx(
        (round(low, 4), round(high, 4)), abs=1e-9)
    every = md.impute_all(X, Xm, cols, md.K_DEFAULT, md.ESTIMATOR_DEFAULT, md.M_DEFAULT, SEED)
    table, pooled = md.mean_intervals(X, Xm, col, every["completed"]["mean"][col],
                                      every["completed"]["iterative"][col], every["draws"])
    captions = " ".join(c.value for c in at.caption)
    assert md.mi_sentence(table, pooled, col, Xm[col].isna().mean()) in captions
    means = {s: float(every["completed"][s][col].mean()) for s in md.IMPUTERS}
    gap = md.gap_sentence(col, md.MECHANISM_DEFAULT, float(X[col].mean()), Xm[col].dropna().to_numpy(), means)
    assert any(gap in m.value for m in at.markdown)
    assert not any("no imputer can see" in m.value or "already biased" in m.value for m in at.markdown)


def test_exported_script_reproduces_mar_on_a_generated_2d_set():
    """moons with both columns chosen under MAR: the script blanks only x1, driven by x2, on the set
    generated with the page's size, noise and seed, and prints the page's numbers."""
    d = datasets.load("moons", n_samples=200, noise=0.3, seed=7)
    X, y = md.subsample(d.X.astype(float), d.y, d.task, 7)
    cols, driver, _ = md.mar_plan(X, ["x1", "x2"], "MAR")
    assert cols == ["x1"] and driver == "x2"
    Xm = md.inject_missing(X, cols, 30, "MAR", 7)
    every = md.impute_all(X, Xm, cols, 5, "bayesian ridge", 2, 7)
    cv = md.cv_scores(Xm, y, "classification", 5, "bayesian ridge", 2, 7)
    intervals, pooled = md.mean_intervals(X, Xm, "x1", every["completed"]["mean"]["x1"],
                                          every["completed"]["iterative"]["x1"], every["draws"])
    expected = md.export_numbers(every["summary"], cv, intervals, pooled)
    got = run_exported_script(md.export_code("moons", "classification", cols, 30, "MAR", 5, "bayesian ridge", 2, 7,
                                             200, 0.3))
    assert got["rows_lost"] == expected["rows_lost"] == round(0.3 * 200)
    for part in ("rmse", "cv", "intervals", "rubin"):
        for name, value in expected[part].items():
            assert got[part][name] == pytest.approx(value, rel=1e-6), (part, name)


# ---- the page contract: light panels first, each strategy cached on its own inputs, scrubbing in place ----

def _gaps(X, pct=md.PCT_DEFAULT, mechanism=md.MECHANISM_DEFAULT):
    return md.Gaps("breast_cancer", 0, 0.0, SEED, mechanism, pct, tuple(md.default_columns(X)))


def _clear_caches():
    """Drop this lab's cached results (the memo backend's), so a page run computes again."""
    from components import memo

    for cached in memo.registered():
        if cached.fn.__module__ == md.__name__:
            cached.clear()


def test_the_histograms_hold_every_single_imputation_at_its_radio_position(bc):
    """The histograms hold every single imputation, each strategy's rows at its index in STRATEGIES (the
    inspect radio's position, which the charts follow in the browser): the truth, the observed cells and
    that strategy's imputed column, computed here with scikit-learn; the spec is the column's histogram."""
    import json

    import pyarrow as pa

    from components import charts

    X, _ = bc
    g = _gaps(X)
    Xm = md.inject_missing(X, list(g.columns), g.pct, g.mechanism, SEED)
    direct = {"median": SimpleImputer(strategy="median").fit_transform(Xm),
              "k-NN": KNNImputer(n_neighbors=7).fit_transform(Xm)}
    ready = tuple((strategy, md.effective_params(strategy, 7, md.ESTIMATORS[0], 5)) for strategy in md.LIGHT_STRATEGIES)
    specs = md.inspect_specs(g, ready)
    for name in g.columns[:md.SHOWN]:
        spec = specs[name]
        rows = pa.ipc.open_stream(spec["datasets"][md.HISTOGRAM_DATA]).read_all().to_pandas()
        assert sorted(rows[charts.SCRUB_COLUMN].unique()) == [float(md.STRATEGIES.index(s)) for s in md.LIGHT_STRATEGIES]
        j = X.columns.get_loc(name)
        for strategy in ("median", "k-NN"):
            at = rows[rows[charts.SCRUB_COLUMN] == md.STRATEGIES.index(strategy)]
            for version, expected in ((md.TRUTH, X[name]), (md.OBSERVED, Xm[name].dropna()),
                                      ("after imputation", direct[strategy][:, j])):
                np.testing.assert_allclose(at.loc[at["version"] == version, "value"], np.asarray(expected))
        plain = md.histogram_spec(name)
        assert spec["title"] == name and spec["params"][0]["name"] == charts.scrub_param(md.INSPECT_KEY)
        assert json.dumps({k: v for k, v in spec.items() if k not in ("datasets", "params", "transform")}) == \
            json.dumps({k: v for k, v in plain.items() if k not in ("datasets", "params", "transform")})


def test_page_inspect_move_changes_no_histogram_dataset_and_computes_nothing():
    """Inspecting another single imputation changes neither the histograms' data nor their spec, only
    where their parameter starts (in the browser, where the radio's fragment reruns alone, not even that)."""
    at = open_page(PAGE)
    cols = tuple(md.default_columns(load_breast_cancer(as_frame=True).data))

    def histograms():
        out = {}
        for c in at.get("vega_lite_chart"):
            spec = json.loads(c.proto.spec)
            if spec.get("title") in cols:
                starts = [p.pop("value") for p in spec["params"]]
                out[spec["title"]] = (spec, starts, [d.data.data for d in c.proto.datasets])
        return out
    before = histograms()
    with mock.patch.object(md, "impute_one", wraps=md.impute_one) as imp, \
            mock.patch.object(md, "impute_draw", wraps=md.impute_draw) as draw:
        at.radio(key=md.INSPECT_KEY).set_value("mean").run()
        assert imp.call_count == 0 and draw.call_count == 0  # every single imputation was computed already
    after = histograms()
    assert set(before) == set(cols)
    for name in cols:
        assert after[name][0] == before[name][0], name  # the spec, apart from where the parameter starts
        assert after[name][2] == before[name][2], name  # the data: every single imputation already
        assert before[name][1] == [md.STRATEGIES.index(md.INSPECT_DEFAULT)]
        assert after[name][1] == [md.STRATEGIES.index("mean")]


def test_light_panels_are_computed_before_the_heavy_ones():
    """A fresh page computes the single imputations and the inspected strategy's distributions first, then
    multiple imputation's draws, then the cross-validations; no progress bar stays on screen."""
    _clear_caches()
    calls = []

    def logged(name, fn):
        return recording(calls, name, fn)
    with mock.patch.object(md, "impute_one", logged("single", md.impute_one)), \
            mock.patch.object(md, "inspection", logged("inspect", md.inspection)), \
            mock.patch.object(md, "impute_draw", logged("draw", md.impute_draw)), \
            mock.patch.object(md, "cv_one", logged("cv", md.cv_one)), \
            mock.patch.object(md, "cv_draw", logged("cv", md.cv_draw)):
        at = open_page(PAGE, query={md.PCT_KEY: "35"})
    assert_clean(at)
    assert not at.get("progress")
    last = {name: max(i for i, c in enumerate(calls) if c == name) for name in set(calls)}
    first = {name: calls.index(name) for name in set(calls)}
    assert last["single"] < first["draw"] and first["inspect"] < first["draw"]
    assert last["draw"] < first["cv"]
    assert calls.count("single") == len(md.LIGHT_STRATEGIES) and calls.count("draw") == md.M_DEFAULT
    assert calls.count("cv") == len(md.LIGHT_STRATEGIES) + md.M_DEFAULT


def test_each_control_recomputes_only_the_strategy_it_feeds():
    at = open_page(PAGE, query={md.PCT_KEY: "25"})
    patches = {name: mock.patch.object(md, name, wraps=getattr(md, name))
               for name in ("impute_one", "impute_draw", "cv_one", "cv_draw", "complete_cv_score")}
    mocks = {name: p.start() for name, p in patches.items()}
    try:
        def counts():
            out = {name: [c.args for c in m.call_args_list] for name, m in mocks.items()}
            for m in mocks.values():
                m.reset_mock()
            return out
        at.slider(key=md.M_KEY).set_value(md.M_DEFAULT + 1).run()  # one new draw, one new CV draw
        got = counts()
        assert [a[2] for a in got["impute_draw"]] == [md.M_DEFAULT] and [a[4] for a in got["cv_draw"]] == [md.M_DEFAULT]
        assert not got["impute_one"] and not got["cv_one"]
        at.selectbox(key=md.ESTIMATOR_KEY).select("decision tree").run()  # the iterative imputer only
        got = counts()
        assert [a[3] for a in got["impute_one"]] == ["iterative"] and [a[3] for a in got["cv_one"]] == ["iterative"]
        assert not got["impute_draw"] and not got["cv_draw"] and not got["complete_cv_score"]
        at.slider(key=md.K_KEY).set_value(11).run()  # k-NN only
        got = counts()
        assert [a[3] for a in got["impute_one"]] == ["k-NN"] and [a[3] for a in got["cv_one"]] == ["k-NN"]
        at.run()  # nothing changed: nothing computed
        assert not any(counts().values())
    finally:
        for p in patches.values():
            p.stop()
    assert_clean(at)


def test_cached_entries_stay_small(bc):
    """Each cached entry holds arrays and small frames (the page builds its charts' datasets from them),
    not completed tables or specs carrying every strategy's rows: the histogram specs were 360 kB each."""
    import pickle

    X, _ = bc
    g = _gaps(X)
    s = md.MissingSettings(g)
    size = {"imputation": md.imputation(g, "iterative", 0, md.ESTIMATOR_DEFAULT), "draw": md.draw(g, 0),
            "pooled": md.pooled(g, md.M_DEFAULT), "inspection": md.inspection(g, "iterative", 0, "bayesian ridge", 0),
            "histogram spec": md.histogram_spec(g.columns[0]), "overview": md.overview(g, None),
            "comparison": md.comparison(s, True), "multiple imputation": md.multiple_imputation(g, s.estimator, s.m),
            "cv comparison": md.cv_comparison(g, s.k, s.estimator, s.m)}
    size = {name: len(pickle.dumps(value)) for name, value in size.items()}
    assert max(size.values()) < 60_000, size
    assert size["histogram spec"] < 3_000, size


def test_catalog_names_the_scrubbing_and_heavy_controls():
    from components import catalog

    page = catalog.find("missing-data")
    assert page.scrub_keys == (md.INSPECT_KEY,)
    assert page.heavy_keys == (md.MECHANISM_KEY, md.PCT_KEY, md.COLUMNS_KEY)
