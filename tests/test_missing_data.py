"""Missing-data lab: the component against direct scikit-learn/numpy computations, and the page."""
from unittest import mock

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_breast_cancer, load_wine
from sklearn.experimental import enable_iterative_imputer  # noqa: F401
from sklearn.impute import IterativeImputer, SimpleImputer
from sklearn.linear_model import BayesianRidge, LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from components import missing_data as md
from tests.apptest_utils import assert_clean, chart_specs, metric_values, open_page, run_exported_script

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
    draws = pd.DataFrame({"row": [3, 8, 3, 8, 3, 8, 3, 8], "kind": ["draw"] * 4 + ["pooled"] * 2 + ["truth"] * 2,
                          "value": [1.0, 5.0, 3.0, 7.0, 2.0, 6.0, 2.5, 6.5]})
    err = md.draw_errors(draws)
    assert list(err["kind"]) == ["draw"] * 4 + ["pooled"] * 2
    np.testing.assert_allclose(err[md.ERROR_COLUMN], [-1.5, -1.5, 0.5, 0.5, -0.5, -0.5])


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
        at.selectbox(key=md.INSPECT_KEY).select("mean")
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
    summary = md.impute_all(X, Xm, cols, 5, "bayesian ridge", 3, SEED)["summary"]
    cv = md.cv_scores(Xm, y, "classification", 5, "bayesian ridge", 3, SEED)
    expected = md.export_numbers(summary, cv)
    got = run_exported_script(md.export_code("breast_cancer", "classification", cols, 20, "MAR", 5,
                                             "bayesian ridge", 3, SEED))
    assert got["rows_lost"] == expected["rows_lost"]
    for name, value in expected["rmse"].items():
        assert got["rmse"][name] == pytest.approx(value, rel=1e-6), name
    for name, value in expected["cv"].items():
        assert got["cv"][name] == pytest.approx(value, rel=1e-6), name


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
        at.selectbox(key=md.INSPECT_KEY).select(strategy).run()
        shown = next(df.value for df in at.dataframe if df.value.index.names == ["column", "version"])
        done = pd.DataFrame(imputer.fit_transform(Xm), columns=X.columns)
        long = pd.concat([pd.DataFrame({"column": c, "value": v.to_numpy(float), "version": version})
                          for c in cols[:3] for v, version in ((X[c], md.TRUTH), (Xm[c].dropna(), md.OBSERVED),
                                                               (done[c], "after imputation"))])
        direct = long.groupby(["column", "version"])["value"].describe()
        pd.testing.assert_frame_equal(shown, direct.round(3), check_exact=False, atol=1e-9)
