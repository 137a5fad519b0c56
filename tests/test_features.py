"""Features lab: the component against direct scikit-learn/numpy computations, and the page."""
from unittest import mock

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_breast_cancer, load_diabetes, load_wine
from sklearn.decomposition import PCA
from sklearn.feature_selection import RFE, SequentialFeatureSelector, chi2
from sklearn.linear_model import Lasso, LogisticRegression, Ridge, RidgeClassifier
from sklearn.model_selection import StratifiedKFold, check_cv, cross_val_score
from sklearn.preprocessing import MinMaxScaler

from components import features as fe
from tests.apptest_utils import assert_clean, chart_specs, metric_values, open_page, run_exported_script

PAGE = "views/data/features.py"
SEED = 42


def _load(loader, n_noise=3):
    b = loader()
    X = pd.DataFrame(b.data, columns=[str(c) for c in b.feature_names])
    task = "regression" if loader is load_diabetes else "classification"
    return (*fe.prepare(X, pd.Series(b.target), task, n_noise, SEED), task)


@pytest.fixture(scope="module")
def bc():
    return _load(load_breast_cancer)


def test_prepare_adds_standardised_noise(bc):
    X, y, _ = bc
    assert X.shape == (569, fe.MAX_FEATURES + 3)
    assert [c for c in X.columns if c.startswith(fe.NOISE_PREFIX)] == ["noise_1", "noise_2", "noise_3"]
    assert np.allclose(X.mean(), 0, atol=1e-9) and np.allclose(X.std(ddof=0), 1)


def test_filters_match_direct_computations_and_reject_noise(bc):
    X, y, task = bc
    f = fe.filter_scores(X, y, task, SEED)
    direct = [abs(np.corrcoef(X[c], y)[0, 1]) for c in X.columns]
    assert np.allclose(f["Pearson |r|"][0].to_numpy(), direct)
    assert np.allclose(f["chi²"][0].to_numpy(), chi2(MinMaxScaler().fit_transform(X), y)[0])
    for name in fe.FILTERS:
        assert not any(c.startswith(fe.NOISE_PREFIX) for c in fe.top_k(f[name][0], 5)), name


def test_wrapper_paths_match_sklearn_for_every_k():
    X, y, task = _load(load_wine, n_noise=2)
    X = X.iloc[:, 5:]  # 7 columns keep the check quick
    ranking, _ = fe.rfe_ranking(X, y, task)
    forward, _ = fe.sequential_path(X, y, task, "forward")
    backward, _ = fe.sequential_path(X, y, task, "backward")
    for k in (1, 3, 5):
        rfe = RFE(fe.wrapper_model(task), n_features_to_select=k).fit(X, y)
        assert set(ranking[ranking <= k].index) == set(X.columns[rfe.support_])
        for direction, path in (("forward", forward), ("backward", backward)):
            sfs = SequentialFeatureSelector(fe.wrapper_model(task), n_features_to_select=k, direction=direction,
                                            cv=fe.WRAPPER_CV).fit(X, y)
            assert set(path[:k]) == set(X.columns[sfs.get_support()]), (direction, k)


@pytest.mark.parametrize("loader", [load_breast_cancer, load_wine, load_diabetes])
def test_wrapper_candidate_scores_equal_cross_val_score(loader):
    """sequential_path scores candidates without cross_val_score (RidgeClassifier taken apart):
    every score must equal cross_val_score's exactly, or the greedy path could tie-break differently."""
    X, y, task = _load(loader)
    Xv, yv = X.to_numpy(), y.to_numpy()
    est = RidgeClassifier(alpha=1.0) if task == "classification" else Ridge(alpha=1.0)
    folds = list(check_cv(3, yv, classifier=task == "classification").split(Xv, yv))
    score = fe._fold_scorer(task, Xv, yv, folds)
    rng = np.random.default_rng(0)
    for _ in range(25):
        cols = np.zeros(Xv.shape[1], dtype=bool)
        cols[rng.choice(Xv.shape[1], size=rng.integers(1, Xv.shape[1] + 1), replace=False)] = True
        assert score(cols) == cross_val_score(est, Xv[:, cols], yv, cv=3).mean()


def test_sequential_path_matches_sklearn_on_two_classes(bc):
    X, y, task = bc
    X = X.iloc[:, 4:]  # 9 columns, 3 of them noise
    forward, _ = fe.sequential_path(X, y, task, "forward")
    backward, _ = fe.sequential_path(X, y, task, "backward")
    for k in (2, 6):
        for direction, path in (("forward", forward), ("backward", backward)):
            sfs = SequentialFeatureSelector(RidgeClassifier(alpha=1.0), n_features_to_select=k, direction=direction,
                                            cv=3).fit(X, y)
            assert set(path[:k]) == set(X.columns[sfs.get_support()]), (direction, k)


def test_lasso_selection_matches_sklearn_and_alpha_prunes():
    X, y, task = _load(load_diabetes)
    kept, coef, _ = fe.l1_selection(X, y, task, 0.05)
    direct = Lasso(alpha=0.05, max_iter=5000).fit(X, (y - y.mean()) / y.std()).coef_
    assert np.allclose(coef.to_numpy(), direct)
    assert kept == list(X.columns[np.abs(direct) > 1e-10])
    strong, _, _ = fe.l1_selection(X, y, task, 0.5)
    assert len(strong) < len(kept)


def test_subset_score_and_pca_match_sklearn(bc):
    X, y, task = bc
    cols = ("mean radius", "mean texture")
    expected = cross_val_score(LogisticRegression(max_iter=1000), X[list(cols)], y,
                               cv=StratifiedKFold(3, shuffle=True, random_state=SEED)).mean()
    assert fe.SCORE_CV == 3
    assert fe.subset_score(X, y, task, cols, SEED) == pytest.approx(expected)
    summary, _ = fe.pca_summary(X)
    ratio = PCA().fit(X).explained_variance_ratio_
    assert np.allclose(summary["cumulative"], np.cumsum(ratio))
    assert summary["reconstruction RMSE"].iloc[-1] == pytest.approx(0, abs=1e-9)
    assert summary["reconstruction RMSE"].is_monotonic_decreasing


def test_page_renders_and_cheap_controls_do_not_rerun_wrappers():
    at = open_page(PAGE)
    assert_clean(at, PAGE)
    before = metric_values(at)
    assert before[f"CV accuracy, all {fe.MAX_FEATURES + 3} features"]
    with mock.patch.object(fe, "sequential_path", wraps=fe.sequential_path) as seq, \
            mock.patch.object(fe, "rfe_ranking", wraps=fe.rfe_ranking) as rfe:
        at.slider(key=fe.K_KEY).set_value(2)
        at.run()
        at.slider(key=fe.LOG_ALPHA_KEY).set_value(-0.5)
        at.run()
        assert seq.call_count == 0 and rfe.call_count == 0
    assert_clean(at, "k=2")
    table = next(d.value for d in at.dataframe if "features kept" in d.value.columns)
    assert (table.set_index("method").loc[["Pearson |r|", "RFE", "forward SFS"], "features kept"] == 2).all()
    titles = " ".join(str(s.get("title", "")) for s in chart_specs(at))
    assert "At α = 0.316" in titles
    with mock.patch.object(fe, "pca_summary", wraps=fe.pca_summary) as pca, \
            mock.patch.object(fe, "subset_score", wraps=fe.subset_score) as score:
        at.slider(key=fe.N_COMPONENTS_KEY).set_value(4)
        at.run()
        assert pca.call_count == 0 and score.call_count == 0  # the components slider refits nothing
    rules = [s["params"][0]["value"] for s in chart_specs(at) if s.get("params")]
    assert rules == [4, 4]  # the scree and reconstruction charts' rule sits at the kept components
    assert metric_values(at)["Variance explained by 4 component(s)"] != before[
        "Variance explained by 2 component(s)"]


def test_tsne_on_demand_and_url_sets_the_widgets():
    at = open_page(PAGE, query={fe.N_NOISE_KEY: "0", fe.K_KEY: "4", fe.TSNE_KEY: "true", fe.PERPLEXITY_KEY: "20"})
    assert_clean(at, "deep link")
    assert at.slider(key=fe.N_NOISE_KEY).value == 0 and at.slider(key=fe.K_KEY).value == 4
    assert at.toggle(key=fe.TSNE_KEY).value is True
    assert any("t-SNE, perplexity 20" in str(s.get("title", "")) for s in chart_specs(at))
    assert metric_values(at)[f"CV accuracy, all {fe.MAX_FEATURES} features"]


def test_exported_script_reproduces_picks_and_scores(bc):
    X, y, task = bc
    k, alpha = 5, 0.0316
    chosen = fe.selections(k, fe.filter_scores(X, y, task, SEED), fe.rfe_ranking(X, y, task)[0],
                           fe.sequential_path(X, y, task, "forward")[0], fe.sequential_path(X, y, task, "backward")[0],
                           fe.l1_selection(X, y, task, alpha)[0], fe.tree_importance(X, y, task, SEED)[0])
    got = run_exported_script(fe.export_code("breast_cancer", task, 3, k, alpha, SEED))
    for name, subset in chosen.items():
        assert got["picked"][name] == sorted(subset), name
        assert got["scores"][name] == pytest.approx(fe.subset_score(X, y, task, tuple(subset), SEED)), name
    assert got["scores"]["all features"] == pytest.approx(fe.subset_score(X, y, task, tuple(X.columns), SEED))
