"""Home's pictures: the stored experiments are what scikit-learn computes now, and the pictures show them."""
import json

import numpy as np
import pytest
from sklearn.datasets import make_moons
from sklearn.inspection import permutation_importance
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score, roc_curve
from sklearn.model_selection import train_test_split
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from components import datasets, home
from tests.apptest_utils import assert_clean, open_page
from tests.chart_utils import _frame

STORED = json.loads(home.EXPERIMENTS_FILE.read_text())
TOL = 10.0 ** -home.DIGITS


def _churn_model():
    d = datasets.load("churn")
    X_tr, X_te, y_tr, y_te = train_test_split(d.X, d.y, test_size=0.25, random_state=42, stratify=d.y)
    return d, make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000)).fit(X_tr, y_tr), X_te, y_te


def test_the_stored_knn_boundary_is_a_fresh_fit():
    X, y = make_moons(200, noise=0.25, random_state=0)
    moons = STORED["moons"]
    assert np.allclose(moons["x1"], X[:, 0], atol=TOL) and np.allclose(moons["x2"], X[:, 1], atol=TOL)
    assert moons["class"] == y.tolist()
    grid = np.column_stack([moons["grid_x1"], moons["grid_x2"]])
    assert grid.shape == (40 * 30, 2)
    assert (grid.min(axis=0) < X.min(axis=0)).all() and (grid.max(axis=0) > X.max(axis=0)).all()  # every point on it
    fresh = KNeighborsClassifier(n_neighbors=15).fit(X, y).predict_proba(grid)[:, 1]
    assert np.allclose(moons["proba"], fresh, atol=TOL)


def test_the_stored_roc_curve_and_importances_are_fresh_fits():
    d, model, X_te, y_te = _churn_model()
    scores = model.predict_proba(X_te)[:, 1]
    fpr, tpr, _ = roc_curve(y_te, scores)
    assert np.allclose(STORED["roc"]["fpr"], fpr, atol=TOL) and np.allclose(STORED["roc"]["tpr"], tpr, atol=TOL)
    assert STORED["roc"]["auc"] == pytest.approx(roc_auc_score(y_te, scores), abs=TOL)
    drops = permutation_importance(model, X_te, y_te, scoring="neg_log_loss", n_repeats=3, random_state=0)
    assert STORED["importance"]["feature"] == list(d.X.columns)
    assert np.allclose(STORED["importance"]["importance"], drops.importances_mean, atol=TOL)


def test_the_file_is_what_the_experiments_write():
    """`python -m components.home` was run after the last change of an experiment."""
    assert home.experiments() == STORED


def test_home_draws_the_stored_numbers():
    at = open_page("views/home.py")
    assert_clean(at)
    charts = {json.loads(c.proto.spec).get("title"): c.proto for c in at.get("vega_lite_chart")}
    assert f"ROC on churn, AUC {STORED['roc']['auc']:.2f}" in charts
    top = sorted(zip(STORED["importance"]["importance"], STORED["importance"]["feature"]), reverse=True)[:5]
    shown = _frame(charts["What drives churn"].datasets[0].data.data)
    assert sorted(shown["feature"]) == sorted(f for _, f in top)
    assert np.allclose(sorted(shown["importance"]), sorted(v for v, _ in top))
