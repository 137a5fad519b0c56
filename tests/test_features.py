"""Features lab: the component against direct scikit-learn/numpy computations, and the page."""
import json
import re
from functools import lru_cache, partial
from unittest import mock

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from scipy import stats
from sklearn.base import clone
from sklearn.compose import TransformedTargetRegressor
from sklearn.datasets import load_breast_cancer, load_diabetes, load_wine
from sklearn.decomposition import PCA
from sklearn.discriminant_analysis import LinearDiscriminantAnalysis
from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor
from sklearn.feature_selection import (
    RFE,
    SelectFromModel,
    SelectKBest,
    SequentialFeatureSelector,
    chi2,
    f_classif,
    f_regression,
    mutual_info_classif,
    mutual_info_regression,
)
from sklearn.linear_model import Lasso, LogisticRegression, Ridge, RidgeClassifier
from sklearn.manifold import TSNE
from sklearn.model_selection import KFold, StratifiedKFold, check_cv, cross_val_score, cross_validate
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MinMaxScaler, StandardScaler

from components import charts, datasets
from components import features as fe
from tests.apptest_utils import assert_clean, chart_specs, metric_values, open_page, run_exported_script
from tests.chart_utils import without_scrub_starts

PAGE = "views/data/features.py"
SEED = 42
ALPHA_DEFAULT = float(round(10 ** fe.LOG_ALPHA_DEFAULT, 6))  # as the page rounds it


def _load(loader, n_noise=3, seed=SEED):
    b = loader()
    X = pd.DataFrame(b.data, columns=[str(c) for c in b.feature_names])
    task = "regression" if loader is load_diabetes else "classification"
    return (*fe.prepare(X, pd.Series(b.target), task, n_noise, seed), task)


def _prepared_default():
    d = datasets.load(datasets.DEFAULT)
    return fe.prepare(d.X, d.y, d.task, fe.N_NOISE_DEFAULT, SEED)[0]


@pytest.fixture(scope="module")
def bc():
    return _load(load_breast_cancer)


def test_prepare_adds_standardised_noise(bc):
    X, y, _ = bc
    assert X.shape == (569, fe.MAX_FEATURES + 3)
    assert [c for c in X.columns if c.startswith(fe.NOISE_PREFIX)] == ["noise_1", "noise_2", "noise_3"]
    assert np.allclose(X.mean(), 0, atol=1e-9) and np.allclose(X.std(ddof=0), 1)


def test_filters_compute_what_they_are_named_and_reject_noise(bc):
    X, y, task = bc
    f = fe.filter_scores(X, y, task, SEED)
    assert list(f) == ["point-biserial |r|", "chi² score", "mutual information"]
    direct = [abs(stats.pointbiserialr(y, X[c]).statistic) for c in X.columns]
    assert np.allclose(f["point-biserial |r|"][0].to_numpy(), direct)
    assert np.allclose(f["chi² score"][0].to_numpy(), chi2(MinMaxScaler().fit_transform(X), y)[0])
    for name in f:
        assert not any(c.startswith(fe.NOISE_PREFIX) for c in fe.k_best(f[name][0], 5)), name
    # several classes: the ANOVA F statistic, not a correlation with the class codes 0, 1, 2
    Xw, yw, task = _load(load_wine)
    fw = fe.filter_scores(Xw, yw, task, SEED)
    assert list(fw)[0] == "ANOVA F"
    anova = [stats.f_oneway(*(Xw[c][yw == k] for k in sorted(yw.unique()))).statistic for c in Xw.columns]
    assert np.allclose(fw["ANOVA F"][0].to_numpy(), anova)
    Xd, yd, task = _load(load_diabetes)
    fd = fe.filter_scores(Xd, yd, task, SEED)
    assert list(fd)[0] == "Pearson |r|" and fd["chi² score"][0] is None
    assert np.allclose(fd["Pearson |r|"][0].to_numpy(), [abs(np.corrcoef(Xd[c], yd)[0, 1]) for c in Xd.columns])


def test_top_k_rules_break_ties_as_the_selectors_do():
    scores = pd.Series([1.0, 3.0, 3.0, 2.0, 3.0], index=list("abcde"))
    X = np.eye(5)
    kbest = SelectKBest(lambda X, y: scores.to_numpy(), k=2).fit(X, np.arange(5))
    assert set(fe.k_best(scores, 2)) == set(scores.index[kbest.get_support()])

    class Fixed:  # a fitted "model" whose importances are the scores
        feature_importances_ = scores.to_numpy()

        def fit(self, X, y):
            return self

        def get_params(self, deep=True):
            return {}

    sfm = SelectFromModel(Fixed(), max_features=2, threshold=-np.inf).fit(X, np.arange(5))
    assert set(fe.top_by_importance(scores, 2)) == set(scores.index[sfm.get_support()])


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
    direct = Lasso(alpha=0.05, max_iter=5000).fit(X, (y - y.mean()) / y.std(ddof=0)).coef_
    assert np.allclose(coef.to_numpy(), direct)
    assert kept == list(X.columns[np.abs(direct) > 0])
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


# ---- selection inside the CV, checked against scikit-learn pipelines built here ----
def _direct_selectors(kind: str, k: int, alpha: float, n_rows: int, seed: int) -> dict:
    """Every method as a scikit-learn selector, written from the library's own classes. The
    correlation filters select by f_classif / f_regression, whose F is a monotone function of r²
    for two classes or a regression target, so they keep the same k features as |r|."""
    clf = kind != "regression"
    wrapper = RidgeClassifier(alpha=1.0) if clf else Ridge(alpha=1.0)
    corr = {"regression": f_regression, "binary": f_classif, "multiclass": f_classif}[kind]
    out = {fe.CORRELATION_FILTER[kind]: SelectKBest(corr, k=k)}
    if clf:
        out["chi² score"] = SelectKBest(lambda X, y: chi2(MinMaxScaler().fit_transform(X), y)[0], k=k)
    out["mutual information"] = SelectKBest(
        partial(mutual_info_classif if clf else mutual_info_regression, random_state=seed), k=k)
    out["RFE"] = RFE(wrapper, n_features_to_select=k)
    for direction in ("forward", "backward"):
        out[f"{direction} SFS"] = SequentialFeatureSelector(wrapper, n_features_to_select=k, direction=direction, cv=3)
    if clf:
        l1 = LogisticRegression(l1_ratio=1.0, solver="liblinear" if kind == "binary" else "saga",
                                C=1.0 / (alpha * n_rows), max_iter=2000, random_state=0)
        out["Lasso (L1)"] = SelectFromModel(l1, threshold=1e-10)
    else:
        out["Lasso (L1)"] = SelectFromModel(TransformedTargetRegressor(Lasso(alpha=alpha, max_iter=5000),
                                                                       transformer=StandardScaler()),
                                            threshold=1e-10, importance_getter="regressor_.coef_")
    forest = RandomForestClassifier if clf else RandomForestRegressor
    out["tree importance"] = SelectFromModel(forest(n_estimators=100, random_state=seed), max_features=k,
                                             threshold=-np.inf)
    return out


@lru_cache(maxsize=None)
def _direct(name: str, seed: int, n_noise: int = fe.N_NOISE_DEFAULT, k: int = fe.K_DEFAULT,
            alpha: float = ALPHA_DEFAULT) -> dict:
    """Everything the page's texts state, computed here with scikit-learn: each selector inside a
    pipeline (fold scores, fold subsets), fitted on all rows (subsets), the L1 fits, PCA."""
    d = datasets.load(name)
    X, y = fe.prepare(d.X, d.y, d.task, n_noise, seed)
    clf = d.task == "classification"
    kind = "regression" if not clf else "binary" if y.nunique() == 2 else "multiclass"
    cv = (StratifiedKFold(3, shuffle=True, random_state=seed) if clf else KFold(3, shuffle=True, random_state=seed))
    model = LogisticRegression(max_iter=1000) if clf else Ridge(alpha=1.0)
    folds, subsets, all_rows = {}, {}, {}
    for method, selector in _direct_selectors(kind, k, alpha, len(X), seed).items():
        res = cross_validate(make_pipeline(selector, model), X, y, cv=cv, return_estimator=True)
        folds[method] = res["test_score"]
        subsets[method] = [set(X.columns[e[0].get_support()]) for e in res["estimator"]]
        all_rows[method] = set(X.columns[clone(selector).fit(X, y).get_support()])
    scores = pd.DataFrame({m: {"mean": s.mean(), "se": s.std(ddof=1) / np.sqrt(3)} for m, s in folds.items()}).T
    all_features = cross_val_score(model, X, y, cv=cv).mean()

    def l1_coef(a):
        if clf:
            l1 = LogisticRegression(l1_ratio=1.0, solver="liblinear" if kind == "binary" else "saga",
                                    C=1.0 / (a * len(X)), max_iter=2000, random_state=0).fit(X, y)
            return np.atleast_2d(l1.coef_)
        return np.atleast_2d(Lasso(alpha=a, max_iter=5000).fit(X, (y - y.mean()) / y.std(ddof=0)).coef_)

    path = np.array([np.abs(l1_coef(float(a))).sum(axis=0) for a in fe.PATH_ALPHAS])  # 0 iff every class is 0
    return {"X": X, "kind": kind, "scores": scores, "all_features": all_features, "subsets": subsets,
            "all_rows": all_rows, "coef": l1_coef(alpha), "path": path,
            "cumulative": np.cumsum(PCA().fit(X).explained_variance_ratio_)}


def _count(phrase: str) -> int:
    """The number in "all 3", "both", "the one", "2 of the 5", "None of the other 4", "The other method"."""
    phrase = phrase.strip().lower()
    if phrase.startswith("none"):
        return 0
    if phrase in ("both", "both others"):
        return 2
    if phrase in ("the one", "the other method"):
        return 1
    return int(re.search(r"\d+", phrase).group())


def _captions(at) -> dict[str, str]:
    found = {}
    for c in at.caption:
        for tag, start in (("best", "Best of"), ("agreement", " on all rows"), ("lasso", "At α ="),
                           ("pca", "Of the "), ("tsne", "t-SNE keeps")):
            if start in c.value:
                found[tag] = c.value
    return found


CASES = [(name, seed) for name in ("breast_cancer", "wine") for seed in (0, 1, 2)]


@pytest.mark.parametrize("name,seed", CASES)
def test_page_texts_hold_across_seeds_and_datasets(name, seed):
    """Every comparison the page's generated texts state, against numbers computed here."""
    at = open_page(PAGE, query={"app.dataset": name, "app.seed": str(seed)})
    assert_clean(at, f"{name}, seed {seed}")
    ref = _direct(name, seed)
    texts = _captions(at)
    methods = fe.method_names(ref["kind"])

    # the methods table: every CV score is the pipeline's, the selector refitted in each fold
    table = next(d.value for d in at.dataframe if "CV score" in d.value.columns).set_index("method")
    assert list(table.index) == list(methods)
    for m in methods:
        assert table.loc[m, "CV score"] == pytest.approx(ref["scores"].loc[m, "mean"], abs=1e-4), m
        assert table.loc[m, "fold SE"] == pytest.approx(ref["scores"].loc[m, "se"], abs=1e-4), m
    assert metric_values(at)[f"CV accuracy, all {fe.MAX_FEATURES + 3} features"] == f"{ref['all_features']:.3f}"

    # best of m: who, the score, the median fold SE, how many others lie within two SE
    s = ref["scores"]
    top = s["mean"].max()
    best = set(s.index[np.isclose(s["mean"], top, rtol=0, atol=1e-9)])
    se = s["se"].median()
    others = s.drop(index=list(best))
    close = int((top - others["mean"] <= 2 * se).sum())
    text = texts["best"]
    assert text.startswith(f"Best of {len(s)}: ") and f"{top:.3f}" in text
    assert all(b in text for b in best) and not any(f" {o} at" in text for o in others.index)
    assert f"fold standard error is about {se:.3f}" in text
    said = re.search(r"\. ((?:The other method|Both others|All \d+ others|None of the other \d+|\d+ of the other \d+))"
                     r" scores? within two standard errors", text)
    assert _count(said.group(1)) == close, text
    assert "itself optimistic" in text
    label = next(lbl for lbl in metric_values(at) if lbl.startswith("Best of"))
    assert label.split(": ")[1].split(" (+")[0] in best

    # fold agreement: how many methods keep another subset in some fold than on all rows
    differ = sum(any(f != ref["all_rows"][m] for f in ref["subsets"][m]) for m in methods)
    text = texts["agreement"]
    if differ:
        assert _count(text.split(" methods keep")[0]) == differ, text
    else:
        assert "the same subset in every fold" in text

    # Lasso: exact zeros at the current alpha, and where the noise coefficients reach 0 on the path
    X = ref["X"]
    size = np.abs(ref["coef"]).sum(axis=0)
    noise = X.columns.str.startswith(fe.NOISE_PREFIX)
    zero = size == 0
    text = texts["lasso"]
    every = " in every class" if ref["kind"] == "multiclass" else ""
    assert f"{int(zero.sum())} of the {X.shape[1]} features have a coefficient of exactly 0.0{every}" in text, text
    said = re.search(r"\(([^()]*) noise features? among them\)", text)
    assert _count(said.group(1)) == int((zero & noise).sum()), text
    assert f"the smallest non-zero one is {np.abs(ref['coef'])[ref['coef'] != 0].min():.2g}" in text
    alive = ref["path"] > 0
    last = [np.flatnonzero(alive[:, j]) for j in np.flatnonzero(noise)]
    assert not any(len(a) and a[-1] == len(fe.PATH_ALPHAS) - 1 for a in last)  # these cases: all reach 0
    at_row = max(a[-1] + 1 if len(a) else 0 for a in last)
    said = re.search(r"every noise coefficient is 0 from α = ([\d.e-]+) on; at that α (.+?) real ones? (?:is|are) "
                     r"still non-zero", text)
    assert said.group(1) == f"{fe.PATH_ALPHAS[at_row]:.3g}", text
    assert _count(said.group(2)) == int(alive[at_row, ~noise].sum()), text

    # PCA: how many components reach 90 % and 95 % of the variance
    need = [int(np.argmax(ref["cumulative"] >= share - 1e-12)) + 1 for share in (0.90, 0.95)]
    said = re.search(r"the first (\d+) reach(?:es)? (?:both 90% and 95%|90% and (\d+) reach(?:es)? 95%)", texts["pca"])
    assert [int(said.group(1)), int(said.group(2) or said.group(1))] == need, texts["pca"]


def test_tsne_note_states_what_the_library_offers():
    assert not hasattr(TSNE(), "transform") and hasattr(TSNE(), "fit_transform")
    assert hasattr(PCA(), "transform") and hasattr(LinearDiscriminantAnalysis(), "transform")
    assert "no transform" in fe.TSNE_NOTE


@pytest.mark.filterwarnings("ignore:No features were selected")
@pytest.mark.parametrize("loader,k,alpha", [(load_diabetes, 3, 0.01), (load_wine, 1, 0.3)])
def test_nested_scores_equal_pipelines_refitted_in_each_fold(loader, k, alpha):
    """The page's per-fold rankings give the fold scores of cross_val_score(Pipeline([selector, model]))."""
    X, y, task = _load(loader, n_noise=2, seed=7)
    kind = fe.target_kind(y, task)
    folds = fe.outer_folds(y, task, 7)
    ranks = fe.fold_rankings(X, y, task, 7, folds)
    paths = {d: fe.fold_sequential_paths(X, y, task, d, folds) for d in ("forward", "backward")}
    lasso = fe.fold_lasso(X, y, task, alpha, folds)
    chosen = [fe.selections(k, r["filters"], r["rfe"], fw, bw, la, r["tree"])
              for r, fw, bw, la in zip(ranks, paths["forward"], paths["backward"], lasso)]
    cv = fe.nested_cv_scores(X, y, task, folds, chosen)
    clf = task == "classification"
    outer = StratifiedKFold(3, shuffle=True, random_state=7) if clf else KFold(3, shuffle=True, random_state=7)
    model = LogisticRegression(max_iter=1000) if clf else Ridge(alpha=1.0)
    for method, selector in _direct_selectors(kind, k, alpha, len(X), 7).items():
        try:  # a fold where the selector keeps nothing leaves the model nothing to fit: NaN on the page
            direct = cross_val_score(make_pipeline(selector, model), X, y, cv=outer, error_score=np.nan)
        except ValueError:  # every fold failed so
            direct = np.full(3, np.nan)
        assert np.allclose(cv[cv.method == method]["score"], direct, equal_nan=True), method
    if alpha >= 0.3:  # strong enough that L1 keeps nothing: the case is covered
        assert cv[cv.method == "Lasso (L1)"]["score"].isna().all()


def test_best_of_text_names_ties_and_counts_within_two_standard_errors():
    summary = pd.DataFrame({"CV score": [0.90, 0.95, 0.95, 0.80, np.nan], "fold SE": [0.02, 0.01, 0.01, 0.01, np.nan]},
                           index=["a", "b", "c", "d", "e"])
    text = fe.best_of_text(summary)
    assert text.startswith("Best of 4: b and c tie at 0.950")
    assert "about 0.010" in text and "None of the other 2 scores within two standard errors (0.020)" in text
    summary.loc["a", "CV score"] = 0.935
    assert "1 of the other 2 scores within" in fe.best_of_text(summary)
    assert fe.best_label(summary) == "Best of 4: b (+1 tied)"
    summary["empty"] = [False, False, False, False, True]  # e kept no feature in some fold
    assert fe.best_of_text(summary).startswith(
        "Best of 4 (e kept no feature in some fold, so it has no score): b and c")
    summary["CV score"] = [0.9, 0.9, 0.9, 0.9, np.nan]
    assert fe.best_label(summary) == "All 4 scored methods tie"
    assert "optimistic" not in fe.best_of_text(summary)  # nothing was picked


def test_page_renders_and_cheap_controls_do_not_rerun_wrappers():
    at = open_page(PAGE)
    assert_clean(at, PAGE)
    before = metric_values(at)
    assert before[f"CV accuracy, all {fe.MAX_FEATURES + 3} features"]
    with mock.patch.object(fe, "sequential_path", wraps=fe.sequential_path) as seq, \
            mock.patch.object(fe, "rfe_ranking", wraps=fe.rfe_ranking) as rfe, \
            mock.patch.object(fe, "tree_importance", wraps=fe.tree_importance) as tree:
        at.slider(key=fe.K_KEY).set_value(2)
        at.run()
        at.slider(key=fe.LOG_ALPHA_KEY).set_value(-0.5)
        at.run()
        assert seq.call_count == 0 and rfe.call_count == 0 and tree.call_count == 0
    assert_clean(at, "k=2")
    table = next(d.value for d in at.dataframe if "kept on all rows" in d.value.columns)
    assert (table.set_index("method").loc[["point-biserial |r|", "RFE", "forward SFS"], "kept on all rows"] == 2).all()
    assert "At α = 0.316: " in " ".join(m.value for m in at.markdown)
    specs = [c.proto.spec for c in at.get("vega_lite_chart")]
    with mock.patch.object(fe, "pca_summary", wraps=fe.pca_summary) as pca, \
            mock.patch.object(fe, "nested_cv_scores", wraps=fe.nested_cv_scores) as score:
        at.slider(key=fe.N_COMPONENTS_KEY).set_value(4)
        at.run()
        assert pca.call_count == 0 and score.call_count == 0  # the components slider refits nothing
    # a scrubbing control: the scree and reconstruction charts hold their rule (dataset "kept") at every
    # number of components and follow the slider in the browser; a move changes only where their parameter
    # starts (in the browser, where the panel's fragment reruns alone, not even that), no other spec
    param = charts.scrub_param(fe.N_COMPONENTS_KEY)
    after = [c.proto.spec for c in at.get("vega_lite_chart")]
    assert [without_scrub_starts(a) for a in after] == [without_scrub_starts(b) for b in specs]
    assert sorted(p["value"] for a in after for p in json.loads(a).get("params", []) if p["name"] == param) == [4, 4]
    kept = [pa.ipc.open_stream(d.data.data).read_pandas() for c in at.get("vega_lite_chart")
            for d in c.proto.datasets if d.name == fe.KEPT_DATASET]
    assert [list(f[f[charts.SCRUB_COLUMN] == 4]["components"]) for f in kept] == [[4], [4]]
    assert metric_values(at)["Variance explained by 4 component(s)"] != before[
        "Variance explained by 2 component(s)"]
    scree = next(c for c in at.get("vega_lite_chart") if "scree" in str(json.loads(c.proto.spec).get("title")))
    frames = [pa.ipc.open_stream(d.data.data).read_pandas() for d in scree.proto.datasets]
    marked = next(f for f in frames if "label" in f.columns)  # the dotted 90 % and 95 % lines
    cumulative = np.cumsum(PCA().fit(_prepared_default()).explained_variance_ratio_)
    assert list(marked["share"]) == [0.90, 0.95]
    assert list(marked["label"]) == [f"{s:.0%}: {np.argmax(cumulative >= s) + 1} components" for s in (0.9, 0.95)]


def test_tsne_on_demand_and_url_sets_the_widgets():
    at = open_page(PAGE, query={fe.N_NOISE_KEY: "0", fe.K_KEY: "4", fe.TSNE_KEY: "true", fe.PERPLEXITY_KEY: "20"})
    assert_clean(at, "deep link")
    assert at.slider(key=fe.N_NOISE_KEY).value == 0 and at.slider(key=fe.K_KEY).value == 4
    assert at.toggle(key=fe.TSNE_KEY).value is True
    assert any("t-SNE, perplexity 20" in str(s.get("title", "")) for s in chart_specs(at))
    assert metric_values(at)[f"CV accuracy, all {fe.MAX_FEATURES} features"]
    assert "noise features among them" not in _captions(at)["lasso"]  # no noise: no noise clause


def test_regression_page_names_pearson_and_has_no_chi2():
    at = open_page(PAGE, query={"app.dataset": "diabetes", fe.K_KEY: "15"})
    assert_clean(at, "diabetes, k = 15")
    table = next(d.value for d in at.dataframe if "CV score" in d.value.columns).set_index("method")
    assert table.index[0] == "Pearson |r|" and np.isnan(table.loc["chi² score", "CV score"])
    assert any("every method but Lasso keeps all 13" in i.value for i in at.info)
    assert next(lbl for lbl in metric_values(at) if lbl.startswith("Best of")).startswith("Best of 7")


@pytest.mark.parametrize("name,n_noise,k,alpha", [("wine", 2, 4, 0.01), ("diabetes", 1, 3, 0.1)])
def test_exported_script_reproduces_picks_and_fold_scores(name, n_noise, k, alpha):
    d = datasets.load(name)
    X, y = fe.prepare(d.X, d.y, d.task, n_noise, SEED)
    task, kind = d.task, fe.target_kind(y, d.task)
    chosen = fe.selections(k, fe.filter_scores(X, y, task, SEED), fe.rfe_ranking(X, y, task)[0],
                           fe.sequential_path(X, y, task, "forward")[0], fe.sequential_path(X, y, task, "backward")[0],
                           fe.l1_selection(X, y, task, alpha)[0], fe.tree_importance(X, y, task, SEED)[0])
    folds = fe.outer_folds(y, task, SEED)
    ranks = fe.fold_rankings(X, y, task, SEED, folds)
    paths = {dr: fe.fold_sequential_paths(X, y, task, dr, folds) for dr in ("forward", "backward")}
    fold_chosen = [fe.selections(k, r["filters"], r["rfe"], fw, bw, la, r["tree"]) for r, fw, bw, la in
                   zip(ranks, paths["forward"], paths["backward"], fe.fold_lasso(X, y, task, alpha, folds))]
    cv = fe.nested_cv_scores(X, y, task, folds, fold_chosen)
    got = run_exported_script(fe.export_code(name, task, kind, n_noise, k, alpha, SEED))
    applicable = [m for m, s in chosen.items() if s is not None]
    assert sorted(got["picked"]) == sorted(applicable)
    for method in applicable:
        assert got["picked"][method] == sorted(chosen[method]), method
        assert np.allclose(got["fold_scores"][method], cv[cv.method == method]["score"]), method
    assert got["scores"]["all features"] == pytest.approx(fe.subset_score(X, y, task, tuple(X.columns), SEED))


@pytest.mark.parametrize("name, n_noise, seed", [(datasets.DEFAULT, fe.N_NOISE_DEFAULT, SEED), ("wine", 0, 7),
                                                 ("diabetes", 3, 0)])
def test_the_pca_curves_hold_the_rule_at_every_number_of_components(name, n_noise, seed):
    """At every value of the components slider the scree and reconstruction charts hold the rule the page
    swapped in there before (components_frames of min(n, the number of components)), and follow the slider
    over its whole range."""
    key = (name, 0, 0.0, seed)
    view = fe.pca_view(key, n_noise)
    p = len(view["summary"])
    assert p == PCA().fit(fe.prepared(key, n_noise).X).n_components_
    param = charts.scrub_param(fe.N_COMPONENTS_KEY)
    for chart in ("scree", "reconstruction"):
        spec = view[chart]
        bind = next(q for q in spec["params"] if q["name"] == param)["bind"]
        assert bind == {"input": "range", "min": fe.N_COMPONENTS_MIN, "max": fe.N_COMPONENTS_MAX, "step": 1}
        assert param in json.dumps(spec["layer"]) and charts.SCRUB_COLUMN in json.dumps(spec["layer"])
        kept = pa.ipc.open_stream(spec["datasets"][fe.KEPT_DATASET]).read_pandas()
        assert sorted(kept[charts.SCRUB_COLUMN]) == list(range(fe.N_COMPONENTS_MIN, fe.N_COMPONENTS_MAX + 1))
        for n in range(fe.N_COMPONENTS_MIN, fe.N_COMPONENTS_MAX + 1):
            rows = kept[kept[charts.SCRUB_COLUMN] == n].drop(columns=charts.SCRUB_COLUMN).reset_index(drop=True)
            pd.testing.assert_frame_equal(rows, pd.DataFrame(fe.components_frames(min(n, p))[fe.KEPT_DATASET]),
                                          check_dtype=False)
            assert rows["components"].tolist() == [min(n, p)]


def test_an_alpha_move_changes_only_its_dataset():
    """The browser applies a change confined to named datasets in place; anything else re-embeds."""
    key = (datasets.DEFAULT, 0, 0.0, SEED)
    moves = [(fe.l1_view(key, fe.N_NOISE_DEFAULT)["spec"], fe.alpha_frames(0.001), fe.alpha_frames(0.5),
              fe.ALPHA_DATASET)]
    for spec, before, after, name in moves:
        a, b = charts.with_datasets(spec, before), charts.with_datasets(spec, after)
        assert {k: v for k, v in a.items() if k != "datasets"} == {k: v for k, v in b.items() if k != "datasets"}
        assert {n for n in a["datasets"] if a["datasets"][n] != b["datasets"][n]} == {name}
        assert "params" not in a


@pytest.mark.parametrize("name", ["breast_cancer", "wine", "diabetes"])
def test_reused_candidate_scores_give_the_fresh_search(name):
    """The page's lighter sequential selection: stepping the noise count with one store of candidate
    scores per set of rows (as the page does) fits fewer candidates and finds exactly the paths, and so the
    subsets, CV scores and ranking of the methods, of a fresh search, on all rows and inside each fold;
    over three seeds."""
    d = datasets.load(name)
    for seed in (0, 1, 2):
        stores, previous = {}, None
        for n_noise in (1, 2):
            X, y = fe.prepare(d.X, d.y, d.task, n_noise, seed)
            if previous is not None:  # the columns a smaller noise count had are the same numbers
                assert np.array_equal(X.iloc[:, :-1].to_numpy(), previous.to_numpy())
            previous = X
            parts = [("all", np.arange(len(y)))] + [(f, tr) for f, (tr, _) in enumerate(fe.outer_folds(y, d.task, seed))]
            fitted = 0
            for part, rows in parts:
                store = stores.setdefault(part, fe.CandidateScores())
                for direction in ("forward", "backward"):
                    before = store.fitted
                    path, _ = fe.sequential_path(X.iloc[rows], y.iloc[rows], d.task, direction, known=store)
                    fresh, _ = fe.sequential_path(X.iloc[rows], y.iloc[rows], d.task, direction)
                    assert path == fresh, (name, seed, n_noise, part, direction)
                    fitted += store.fitted - before
            p = X.shape[1]
            total = 4 * 2 * (p * (p + 1) // 2 - 1)  # every candidate of every search
            reused = total - fitted
            assert reused > (0 if n_noise == 1 else total // 4), (name, seed, n_noise, fitted, total)


def test_a_new_k_or_alpha_refits_no_selector_and_a_new_noise_count_each_once():
    """Each selector is cached on its own inputs: k and α only pick subsets from the cached rankings; a new
    noise count fits every selector once on all rows and once per fold."""
    at = open_page(PAGE, query={"app.seed": "11"})
    assert_clean(at)
    with mock.patch.object(fe, "rfe_ranking", wraps=fe.rfe_ranking) as rfe, \
            mock.patch.object(fe, "tree_importance", wraps=fe.tree_importance) as tree, \
            mock.patch.object(fe, "sequential_path", wraps=fe.sequential_path) as seq, \
            mock.patch.object(fe, "l1_coefficient_matrix", wraps=fe.l1_coefficient_matrix) as l1:
        at.slider(key=fe.K_KEY).set_value(3).run()
        assert (rfe.call_count, tree.call_count, seq.call_count, l1.call_count) == (0, 0, 0, 0)
        at.slider(key=fe.LOG_ALPHA_KEY).set_value(-1.0).run()
        assert (rfe.call_count, tree.call_count, seq.call_count) == (0, 0, 0)
        assert l1.call_count == 1 + fe.SCORE_CV  # Lasso at the new α: all rows and each fold
        at.slider(key=fe.N_NOISE_KEY).set_value(4).run()
        assert_clean(at)
        parts = len(fe.PARTS)
        assert (rfe.call_count, tree.call_count, seq.call_count) == (parts, parts, 2 * parts)
