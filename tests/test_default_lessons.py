"""Each experiment page opens in the state that shows its lesson (components/page_lessons.py):
the page is opened with no query (its default), and the lesson's claim is checked on numbers
computed here with scikit-learn, or read from the page where the claim is about what it shows."""
import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from components import catalog, datasets, page_lessons
from components import evaluation as ev
from components.ui import common
from tests.apptest_utils import assert_clean, metric_values, open_page

EXPERIMENT_PAGES = [p for p in catalog.PAGES if p.section not in ("Interview", "Teach") and p.url_path != "applications"]


def test_every_experiment_page_writes_down_its_lesson():
    assert {p.url_path for p in EXPERIMENT_PAGES} == set(page_lessons.LESSONS)
    for lesson in page_lessons.LESSONS.values():
        assert lesson.dataset in datasets.NAMES
        assert lesson.sentence.endswith(".")


def test_each_page_opens_on_its_lesson_dataset_until_one_is_picked():
    at = open_page("views/evaluation/cockpit.py")
    assert_clean(at)
    assert at.selectbox(key=common.DATASET_KEY).value == datasets.PAGE_PICK
    assert any("churn" in c.value for c in at.sidebar.caption)
    assert at.selectbox(key=ev.POSITIVE_KEY).value == "churned"
    at.switch_page("views/data/scaling.py").run()
    assert any("breast_cancer" in c.value for c in at.sidebar.caption)
    at.selectbox(key=common.DATASET_KEY).set_value("wine").run()  # a picked dataset is shared
    at.switch_page("views/evaluation/cockpit.py").run()
    assert at.selectbox(key=common.DATASET_KEY).value == "wine"
    assert "class_0" in at.selectbox(key=ev.POSITIVE_KEY).options


def _holdout_recall_precision(seed, threshold):
    d = datasets.load("churn")
    y = (d.y.to_numpy() == 1).astype(int)
    X_tr, X_te, y_tr, y_te = train_test_split(d.X, y, test_size=ev.TEST_SIZE_DEFAULT, random_state=seed, stratify=y)
    s = make_pipeline(StandardScaler(), LogisticRegression(max_iter=5000)).fit(X_tr, y_tr).predict_proba(X_te)[:, 1]
    pred = s >= threshold
    return pred[y_te == 1].mean(), y_te[pred].mean()


def test_cockpit_default_trades_recall_for_precision_visibly():
    at = open_page("views/evaluation/cockpit.py")
    shown = {}
    for t in (0.2, 0.8):
        at.slider(key=ev.THRESHOLD_KEY).set_value(t).run()
        assert_clean(at)
        m = metric_values(at)
        shown[t] = float(m["recall"]), float(m["precision"])
    assert shown[0.2][0] - shown[0.8][0] > 0.5 and shown[0.8][1] > shown[0.2][1]


@pytest.mark.parametrize("seed", [0, 1, 7, 42])
def test_cockpit_lesson_holds_on_other_seeds(seed):
    (r_lo, p_lo), (r_hi, p_hi) = _holdout_recall_precision(seed, 0.2), _holdout_recall_precision(seed, 0.8)
    assert r_lo - r_hi > 0.5 and p_hi > p_lo
    # and breast_cancer would not show it: recall barely moves there
    d = datasets.load("breast_cancer")
    y = (d.y.to_numpy() == 0).astype(int)
    X_tr, X_te, y_tr, y_te = train_test_split(d.X, y, test_size=ev.TEST_SIZE_DEFAULT, random_state=seed, stratify=y)
    s = make_pipeline(StandardScaler(), LogisticRegression(max_iter=5000)).fit(X_tr, y_tr).predict_proba(X_te)[:, 1]
    assert np.mean(s[y_te == 1] >= 0.2) - np.mean(s[y_te == 1] >= 0.8) < 0.2
