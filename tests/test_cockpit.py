"""AppTest of the Evaluation cockpit: numbers against independent sklearn computations, threshold
moves that never refit, URL state, and the exported script."""
import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score, confusion_matrix, roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from components import datasets
from components import evaluation as ev
from components.ui import common
from tests.apptest_utils import assert_clean, chart_specs, metric_values, open_page, run_exported_script

PAGE = "views/evaluation/cockpit.py"


def independent_scores(model, seed=42, test_size=0.25, dataset="churn", positive=1):
    """The page opens on the churn table (its lesson dataset) with "churned" (class 1) positive."""
    d = datasets.load(dataset)
    y = (d.y.to_numpy() == positive).astype(int)
    X_tr, X_te, y_tr, y_te = train_test_split(d.X, y, test_size=test_size, random_state=seed, stratify=y)
    return y_te, model.fit(X_tr, y_tr).predict_proba(X_te)[:, 1]


def shown_confusion(at) -> list[list[int]]:
    cells = next(df.value for df in at.dataframe if "cell" in df.value.columns).set_index("cell")["count"]
    return [[int(cells["TN"]), int(cells["FP"])], [int(cells["FN"]), int(cells["TP"])]]


def test_default_view_matches_sklearn():
    at = open_page(PAGE)
    assert_clean(at)
    y, s = independent_scores(make_pipeline(StandardScaler(), LogisticRegression(C=1.0, max_iter=5000)))
    cm = confusion_matrix(y, (s >= 0.5).astype(int))
    assert shown_confusion(at) == cm.tolist()
    (tn, fp), (fn, tp) = cm
    shown = metric_values(at)
    assert shown["precision"] == f"{tp / (tp + fp):.3f}"
    assert shown["recall"] == f"{tp / (tp + fn):.3f}"
    assert shown["specificity"] == f"{tn / (tn + fp):.3f}"
    titles = [str(spec.get("title", "")) for spec in chart_specs(at)]
    assert any(f"AUC = {roc_auc_score(y, s):.3f}" in t for t in titles)
    assert any(f"AP = {average_precision_score(y, s):.3f}" in t for t in titles)


@pytest.mark.parametrize("threshold", [0.05, 0.3, 0.77, 1.0])
def test_threshold_recounts_exactly_and_never_refits(threshold):
    at = open_page(PAGE)
    fits = ev.FIT_COUNT["n"]
    at.slider(key=ev.THRESHOLD_KEY).set_value(threshold).run()
    assert_clean(at)
    assert ev.FIT_COUNT["n"] == fits, "moving the threshold refitted a model"
    y, s = independent_scores(make_pipeline(StandardScaler(), LogisticRegression(C=1.0, max_iter=5000)))
    want = confusion_matrix(y, (s >= threshold).astype(int), labels=[0, 1])
    assert shown_confusion(at) == want.tolist()
    (tn, fp), (fn, tp) = want
    # the ROC operating point sits at (FPR, TPR) of those counts
    points = [layer for spec in chart_specs(at) for layer in spec.get("layer", [])
              if layer.get("mark", {}).get("type") == "point" and layer["encoding"]["x"]["field"] == "FPR"]
    assert points, "no ROC operating point drawn"


def test_changing_the_model_refits_and_changes_numbers():
    at = open_page(PAGE)
    fits = ev.FIT_COUNT["n"]
    at.selectbox(key=ev.MODEL_KEY).set_value("k-NN").run()
    at.select_slider(key="eval.knn_k").set_value(1).run()
    assert_clean(at)
    assert ev.FIT_COUNT["n"] > fits
    y, s = independent_scores(make_pipeline(StandardScaler(), KNeighborsClassifier(n_neighbors=1)))
    assert shown_confusion(at) == confusion_matrix(y, (s >= 0.5).astype(int)).tolist()


def test_url_restores_controls_and_numbers():
    query = {"eval.threshold": "0.3", "app.seed": "7", "eval.model": "k-NN", "eval.knn_k": "15",
             "eval.test_size": "0.3", "eval.k": "3"}
    at = open_page(PAGE, query=query)
    assert_clean(at)
    assert at.slider(key=ev.THRESHOLD_KEY).value == pytest.approx(0.3)
    assert at.selectbox(key=ev.MODEL_KEY).value == "k-NN"
    assert at.number_input(key="app.seed").value == 7
    y, s = independent_scores(make_pipeline(StandardScaler(), KNeighborsClassifier(n_neighbors=15)),
                              seed=7, test_size=0.3)
    assert shown_confusion(at) == confusion_matrix(y, (s >= 0.3).astype(int)).tolist()
    folds = next(df.value for df in at.dataframe if "fold" in df.value.columns)
    assert len(folds) == 3


def test_multiclass_one_vs_rest_and_regression_message():
    at = open_page(PAGE, query={"app.dataset": "wine"})
    assert_clean(at)
    assert list(at.selectbox(key=ev.POSITIVE_KEY).options) == ["class_0", "class_1", "class_2"]
    at.selectbox(key=ev.POSITIVE_KEY).set_value("class_1").run()
    y, s = independent_scores(make_pipeline(StandardScaler(), LogisticRegression(C=1.0, max_iter=5000)),
                              dataset="wine", positive=1)
    assert shown_confusion(at) == confusion_matrix(y, (s >= 0.5).astype(int)).tolist()
    at = open_page(PAGE, query={"app.dataset": "diabetes"})
    assert_clean(at)
    assert any("classification" in i.value for i in at.info)


def test_folds_table_matches_cross_val_score():
    from sklearn.model_selection import KFold, cross_val_score
    at = open_page(PAGE, query={"eval.k": "4", "eval.cv_stratified": "false", "eval.cv_shuffle": "false"})
    assert_clean(at)
    d = datasets.load("churn")  # the page's own pick, "churned" positive
    y = (d.y.to_numpy() == 1).astype(int)
    want = cross_val_score(make_pipeline(StandardScaler(), LogisticRegression(C=1.0, max_iter=5000)),
                           d.X, y, cv=KFold(4), scoring="accuracy")
    folds = next(df.value for df in at.dataframe if "fold" in df.value.columns)
    np.testing.assert_allclose(folds["accuracy"].to_numpy(), want)


@pytest.mark.parametrize("query", [
    {"eval.threshold": "0.35"},
    {"app.dataset": "iris", "eval.model": "Decision tree", "eval.cv_shuffle": "false",
     "eval.cv_stratified": "false", "eval.k": "3"},
    {"app.dataset": "xor", "eval.model": "SVM (RBF)", "app.noise": "0.4", "eval.threshold": "0.6"},
])
def test_exported_script_prints_the_numbers_the_page_shows(query):
    at = open_page(PAGE, query=query)
    assert_clean(at)
    holdout_code = next(c.value for c in at.code if "train_test_split" in c.value)
    printed = run_exported_script(holdout_code)
    assert printed["confusion"] == shown_confusion(at)
    shown = metric_values(at)
    for name in ev.METRIC_NAMES:
        assert f"{printed[name]:.3f}" == shown[name], name
    folds_code = next(c.value for c in at.code if "cv.split" in c.value)
    folds = next(df.value for df in at.dataframe if "fold" in df.value.columns)
    np.testing.assert_allclose(run_exported_script(folds_code)["fold accuracy"], folds["accuracy"].to_numpy())


def test_fold_means_say_over_how_many_folds_a_score_exists():
    """Unshuffled, unstratified folds on iris: only one fold tests both classes. The headline AUC is
    that fold's, and the page says so instead of presenting it as the mean of five."""
    at = open_page(PAGE, query={common.DATASET_KEY: "iris", ev.CV_SHUFFLE_KEY: "false",
                                ev.CV_STRATIFIED_KEY: "false", ev.FOLDS_KEY: "5"})
    assert_clean(at)
    folds = next(df.value for df in at.dataframe if "fold" in df.value.columns)
    shown = metric_values(at)
    assert folds["ROC AUC"].notna().sum() == 1
    assert shown["mean ROC AUC over folds"] == f"{folds['ROC AUC'].dropna().iloc[0]:.3f}"
    assert shown["mean F1 over folds"] == f"{folds['F1'].dropna().mean():.3f}"
    captions = [c.value for c in at.caption]
    assert "over 1 of 5 folds: 4 test one class only" in captions
    assert f"over {folds['F1'].notna().sum()} of 5 folds: {folds['F1'].isna().sum()} test no positive" in " ".join(captions)
