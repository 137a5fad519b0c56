"""Scaling lab: the component against direct scikit-learn/numpy computations, and the page."""
import warnings
from unittest import mock

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_breast_cancer
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_score
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MinMaxScaler, QuantileTransformer, RobustScaler, StandardScaler
from sklearn.svm import SVC
from sklearn.tree import DecisionTreeClassifier

from components import boundary
from components import scaling as sc
from tests.apptest_utils import assert_clean, chart_specs, metric_values, open_page, run_exported_script
from tests.chart_utils import assert_converts_like_streamlit

PAGE = "views/data/scaling.py"
SEED = 42


@pytest.fixture(scope="module")
def bc():
    b = load_breast_cancer()
    return pd.DataFrame(b.data, columns=list(b.feature_names)), pd.Series(b.target)


def test_outliers_sit_at_q3_plus_extreme_iqr(bc):
    X, _ = bc
    Xo, mask = sc.inject_outliers(X, 7, 12, SEED)
    assert mask.sum() == 7
    expected = X.quantile(0.75) + 12 * (X.quantile(0.75) - X.quantile(0.25))
    assert np.allclose(Xo[mask].to_numpy(), np.tile(expected.to_numpy(), (7, 1)))
    assert np.allclose(Xo[~mask].to_numpy(), X[~mask].to_numpy())
    X0, m0 = sc.inject_outliers(X, 0, 12, SEED)
    assert not m0.any() and np.allclose(X0.to_numpy(), X.to_numpy())


def test_outliers_squash_min_max_but_not_robust(bc):
    X, y = bc
    Xo, mask = sc.inject_outliers(X, 5, 20, SEED)
    pair = sc.boundary_pair(X, y, "classification")
    table = sc.squash_table(X, Xo, mask, pair, SEED).set_index(["feature", "scaler"])
    f = pair[0]
    z = MinMaxScaler().fit_transform(Xo[[f]])[~mask, 0]
    assert table.loc[(f, "min-max"), "inlier IQR, with outliers"] == pytest.approx(
        np.percentile(z, 75) - np.percentile(z, 25))
    r = RobustScaler().fit_transform(Xo[[f]])[~mask, 0]
    assert table.loc[(f, "robust"), "inlier IQR, with outliers"] == pytest.approx(
        np.percentile(r, 75) - np.percentile(r, 25))
    assert table.loc[(f, "min-max"), "kept"] < 0.5
    assert table.loc[(f, "robust"), "kept"] > 0.85
    assert table.loc[(f, "none"), "kept"] == pytest.approx(1.0)


def test_boundary_pair_has_very_different_scales(bc):
    X, y = bc
    a, b = sc.boundary_pair(X, y, "classification")
    assert a != b and X[a].std() > 100 * X[b].std()


def test_cv_matches_sklearn_and_the_tree_ignores_scaling(bc):
    X, y = bc
    rows = {r["model"]: r["CV score"] for r in sc.cv_row(X, y, "classification", "standard", SEED)}
    assert sc.CV_FOLDS == 3
    cv = StratifiedKFold(3, shuffle=True, random_state=SEED)
    models = {"k-NN": KNeighborsClassifier(n_neighbors=15), "SVM (RBF)": SVC(C=1.0, gamma="scale"),
              "logistic regression": LogisticRegression(max_iter=200),
              "decision tree": DecisionTreeClassifier(max_depth=5, random_state=SEED)}
    # cv_row shares one scaler fit per fold between the models: the same numbers as a pipeline per model
    for name, scaler in (("standard", StandardScaler()), ("none", "passthrough"),
                         ("quantile", QuantileTransformer(n_quantiles=100, random_state=SEED))):
        got = {r["model"]: r["CV score"] for r in sc.cv_row(X, y, "classification", name, SEED)}
        for model_name, model in models.items():
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                direct = cross_val_score(make_pipeline(scaler, model), X, y, cv=cv).mean()
            assert got[model_name] == pytest.approx(direct, rel=1e-12), (name, model_name)
    raw = {r["model"]: r["CV score"] for r in sc.cv_row(X, y, "classification", "none", SEED)}
    assert rows["k-NN"] > raw["k-NN"] + 0.01
    assert rows["decision tree"] == pytest.approx(raw["decision tree"], abs=0.01)


def test_page_renders_and_controls_change_what_they_should():
    at = open_page(PAGE)
    assert_clean(at, PAGE)
    iqr_standard = metric_values(at)["Inlier IQR of worst area after scaling"]
    titles = [str(s.get("title", "")) for s in chart_specs(at)]
    assert any("standard" in t for t in titles)
    with mock.patch.object(sc, "cv_row", wraps=sc.cv_row) as cv:
        at.button_group(key=sc.SCALER_KEY).set_value("min-max")
        at.run()
        assert cv.call_count == 0  # every scaler's CV row is cached: switching does not refit them
    assert_clean(at, "min-max")
    assert metric_values(at)["Inlier IQR of worst area after scaling"] != iqr_standard
    assert any("min-max" in str(s.get("title", "")) for s in chart_specs(at))
    before = metric_values(at)["Inlier IQR of worst area after scaling"]
    at.slider(key=sc.N_OUTLIERS_KEY).set_value(10)
    at.run()
    assert_clean(at, "outliers")
    after = metric_values(at)["Inlier IQR of worst area after scaling"]
    assert float(after) < float(before)


def test_regression_dataset_explains_instead_of_failing():
    at = open_page(PAGE, query={"app.dataset": "diabetes"})
    assert_clean(at, "diabetes")
    assert any("regression" in str(i.value) for i in at.info)


def test_url_sets_the_widgets():
    at = open_page(PAGE, query={sc.SCALER_KEY: "robust", sc.N_OUTLIERS_KEY: "6", sc.MODEL_KEY: "decision tree"})
    assert_clean(at, "deep link")
    assert at.button_group(key=sc.SCALER_KEY).value == "robust"
    assert at.slider(key=sc.N_OUTLIERS_KEY).value == 6
    assert at.selectbox(key=sc.MODEL_KEY).value == "decision tree"


def test_exported_script_reproduces_the_cv_scores(bc):
    X, y = bc
    Xo, _ = sc.inject_outliers(X, 4, 15, SEED)
    table = sc.cv_table(Xo, y, "classification", SEED)
    got = run_exported_script(sc.export_code("breast_cancer", "classification", 4, 15, SEED))
    for _, r in table.iterrows():
        assert got[f"{r['scaler']} | {r['model']}"] == pytest.approx(r["CV score"], rel=1e-9)


def test_strip_and_boundary_charts_convert_as_streamlit_converts_them(bc):
    """The page converts its strips and boundaries with charts.to_spec (frames straight to Arrow):
    the spec and the data must be what st.altair_chart would send."""
    from components import charts

    X, y = bc
    Xo, mask = sc.inject_outliers(X, 5, 10, SEED)
    pair = sc.boundary_pair(X, y, "classification")
    scaled = sc.scale_all(Xo, pair, mask, SEED)
    grid, points, _ = sc.boundary_data(Xo[pair], y.to_numpy(), mask, "standard", "k-NN", SEED, ("a", "b"))
    built = [charts.strip_chart(scaled[scaled["feature"] == pair[0]], "value", "scaler", color="point",
                                title="t", width=270).configure_legend(orient="bottom"),
             charts.boundary_chart(grid, points, title="t", height=340).configure_legend(gradientLength=80)]
    for chart in built:
        assert_converts_like_streamlit(chart, min_datasets=1)


def test_extremity_without_outliers_refits_nothing():
    at = open_page(PAGE)
    before = metric_values(at)
    with mock.patch.object(sc, "cv_row", wraps=sc.cv_row) as cv, \
            mock.patch.object(sc, "boundary_data", wraps=sc.boundary_data) as bd:
        at.slider(key=sc.EXTREME_KEY).set_value(30)
        at.run()
        assert cv.call_count == 0 and bd.call_count == 0  # no outlier rows: the data did not change
        assert metric_values(at) == before
        at.slider(key=sc.N_OUTLIERS_KEY).set_value(3)
        at.run()
        assert cv.call_count == len(sc.SCALERS)  # now there are outliers: every scaler's row is refitted
    assert_clean(at, "outliers at 30 x IQR")
    assert any("30×IQR" in m.value for m in at.markdown)  # the explanation names the new extremity


def test_range_metric_counts_the_outliers_and_class_colours_follow_the_codes(bc):
    X, y = bc
    at = open_page(PAGE, query={sc.N_OUTLIERS_KEY: "10"})
    assert_clean(at)
    Xs, ys = sc.subsample(X, y, "classification", SEED)
    pair = sc.boundary_pair(Xs, ys, "classification")
    X_out, _ = sc.inject_outliers(Xs, 10, sc.EXTREME_DEFAULT, SEED)
    shown = metric_values(at)[f"Range of {pair[0]}"]
    assert shown == f"{X_out[pair[0]].min():.3g} … {X_out[pair[0]].max():.3g}"
    assert X_out[pair[0]].max() > Xs[pair[0]].max()
    # breast_cancer's class 1 is "benign", which sorts first: the dots' colours follow the class code
    # (class 1 orange, like the P(class 1) background), not the alphabet
    boundary_spec = next(s for s in chart_specs(at) if "P(class 1)" in str(s))
    dots = next(layer for layer in boundary_spec["layer"] if layer["encoding"].get("color", {}).get("field") == "label")
    assert dots["encoding"]["color"]["sort"] == {"field": "class", "op": "min"}
    pts = boundary.points_frame(Xs[pair].to_numpy(), ys.to_numpy(), class_names=("malignant", "benign"))
    assert set(zip(pts["class"], pts["label"])) == {(0, "malignant"), (1, "benign")}
