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


@pytest.mark.parametrize("seed", [0, 1, 42])
def test_unsupervised_default_silhouette_finds_the_three_cultivars(seed):
    from sklearn.cluster import KMeans
    from sklearn.metrics import adjusted_rand_score, silhouette_score

    assert page_lessons.dataset("unsupervised") == "wine"
    d = datasets.load("wine")
    X, y = StandardScaler().fit_transform(d.X), d.y.to_numpy()
    fits = {k: KMeans(k, n_init=10, random_state=seed).fit_predict(X) for k in range(2, 11)}
    silhouette = {k: silhouette_score(X, labels) for k, labels in fits.items()}
    ari = {k: adjusted_rand_score(y, labels) for k, labels in fits.items()}
    assert max(silhouette, key=silhouette.get) == 3 == max(ari, key=ari.get) == len(set(y))


def test_unsupervised_page_opens_on_wine_and_says_so():
    at = open_page("views/models/unsupervised.py")
    assert_clean(at)
    text = " ".join(m.value for m in at.markdown) + " ".join(c.value for c in at.caption)
    assert "highest at k = 3" in text and "agrees with the labels' best k" in text


# --- lessons2: leakage, scalability, interpretability, transfer
# Each page's default recipe is written out here with scikit-learn (and shap) from the page's default
# constants; the page's shown numbers at the app's default seed tie the recipe to the page.
LESSON_SEEDS = [0, 1, 7, common.SEED_DEFAULT]


# leakage: feature selection on pure noise, the default experiment
def _noise_selection_scores(seed):
    from sklearn.feature_selection import SelectKBest, f_classif
    from sklearn.model_selection import StratifiedKFold, cross_val_score

    from components import leakage as lk

    rng = np.random.default_rng(seed)
    X, y = rng.normal(size=(lk.N_NOISE, lk.N_FEATURES_DEFAULT)), rng.integers(0, 2, lk.N_NOISE)
    X_hold = rng.normal(size=(lk.N_NOISE_HOLDOUT, lk.N_FEATURES_DEFAULT))
    y_hold = rng.integers(0, 2, lk.N_NOISE_HOLDOUT)
    cv = StratifiedKFold(lk.FOLDS, shuffle=True, random_state=seed)
    X_picked = SelectKBest(f_classif, k=lk.K_DEFAULT).fit_transform(X, y)  # sees every row, validation folds too
    leaky = cross_val_score(LogisticRegression(), X_picked, y, cv=cv).mean()
    pipe = make_pipeline(SelectKBest(f_classif, k=lk.K_DEFAULT), LogisticRegression())
    honest = cross_val_score(pipe, X, y, cv=cv).mean()
    return leaky, honest, pipe.fit(X, y).score(X_hold, y_hold)


@pytest.mark.parametrize("seed", LESSON_SEEDS)
def test_leakage_default_selection_before_cv_flatters_noise(seed):
    from components import leakage as lk

    assert (lk.EXPERIMENT_DEFAULT, lk.N_FEATURES_DEFAULT, lk.K_DEFAULT) == (lk.SELECTION, 2000, 20)  # as said
    leaky, honest, held = _noise_selection_scores(seed)
    assert leaky > 0.7 and leaky - honest > 0.15
    assert abs(honest - 0.5) < 0.11 and abs(held - 0.5) < 0.05


def test_leakage_page_opens_showing_the_flattered_estimate():
    at = open_page("views/pitfalls/leakage.py")
    assert_clean(at)
    shown = metric_values(at)
    leaky, honest, held = _noise_selection_scores(common.SEED_DEFAULT)
    assert shown["Leaky CV estimate"] == f"{leaky:.3f}"
    assert shown["Correct CV estimate"] == f"{honest:.3f}"
    assert shown["Truly held-out"] == f"{held:.3f}"


# scalability: one streaming pass against the batch solver, in the race at the default size
def _stream_and_batch_accuracy(seed):
    from sklearn.datasets import make_classification
    from sklearn.linear_model import SGDClassifier

    from components import scalability as S

    n, width = S.MAX_N_DEFAULT, S.WIDTH_DEFAULT
    X, y = make_classification(n_samples=max(S.MAX_N_OPTIONS) + S.TEST_N, n_features=width,
                               n_informative=S.N_INFORMATIVE, n_redundant=min(10, width - S.N_INFORMATIVE),
                               flip_y=0.02, class_sep=1.0, random_state=seed)
    X_test, y_test, X, y = X[-S.TEST_N:], y[-S.TEST_N:], X[:n], y[:n]  # every n takes a prefix of the pool
    batch = LogisticRegression(max_iter=1000).fit(X, y)
    stream = SGDClassifier(loss="log_loss", learning_rate="invscaling", eta0=0.05, shuffle=False, random_state=seed)
    for start in range(0, n, S.RACE_CHUNK):  # one chunk in memory per call
        stream.partial_fit(X[start:start + S.RACE_CHUNK], y[start:start + S.RACE_CHUNK], classes=[0, 1])
    return stream.score(X_test, y_test), batch.score(X_test, y_test)


@pytest.mark.parametrize("seed", LESSON_SEEDS)
def test_scalability_default_one_streaming_pass_nearly_matches_the_batch_solver(seed):
    from components import scalability as S

    assert (S.RACE_CHUNK, S.MAX_N_DEFAULT) == (256, 10_000)  # as the sentence says
    stream, batch = _stream_and_batch_accuracy(seed)
    assert abs(batch - stream) < 0.015


def test_scalability_page_opens_showing_both_accuracies():
    from components import scalability as S

    at = open_page("views/pitfalls/scalability.py")
    assert_clean(at)
    table = next(d.value for d in at.dataframe if "accuracy at largest n" in d.value.columns)
    shown = table.set_index("method")["accuracy at largest n"]
    stream, batch = _stream_and_batch_accuracy(common.SEED_DEFAULT)
    assert shown[S.STREAM] == pytest.approx(stream, abs=1e-12)
    assert shown[S.BATCH_LR] == pytest.approx(batch, abs=1e-12)


# interpretability: random forest on breast_cancer (the page's pick), permutation importance and SHAP
def _forest_importances(seed):
    import shap
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.inspection import permutation_importance

    from components import interpretability as I

    d = datasets.load(page_lessons.dataset("interpretability"))
    X_tr, X_te, y_tr, y_te = train_test_split(d.X.astype(float), d.y, test_size=I.TEST_SIZE, random_state=seed,
                                              stratify=d.y)
    forest = RandomForestClassifier(n_estimators=I.N_ESTIMATORS, min_samples_leaf=2, random_state=seed,
                                    n_jobs=1).fit(X_tr, y_tr)
    perm = permutation_importance(forest, X_te, y_te, scoring="neg_log_loss", n_repeats=3, random_state=seed,
                                  n_jobs=1).importances_mean
    shap_values = np.asarray(shap.TreeExplainer(forest).shap_values(X_te, check_additivity=False))[:, :, 1]
    return forest.score(X_te, y_te), perm, shap_values


@pytest.mark.parametrize("seed", LESSON_SEEDS)
def test_interpretability_default_few_features_globally_other_mixes_per_row(seed):
    _, perm, shap_values = _forest_importances(seed)
    assert len(perm) == 30
    share = np.sort(np.clip(perm, 0, None))[::-1] / np.clip(perm, 0, None).sum()
    assert share[:5].sum() > 0.5
    top5_on_average = set(np.argsort(-np.abs(shap_values).mean(axis=0))[:5])
    own_mix = [set(np.argsort(-np.abs(row))[:5]) != top5_on_average for row in shap_values]
    assert np.mean(own_mix) > 0.25


def test_interpretability_page_opens_on_the_forest_measured_here():
    from components import interpretability as I

    assert (I.MODEL_DEFAULT, I.NOISE_DEFAULT) == (I.FOREST, False)
    at = open_page("views/beyond/interpretability.py")
    assert_clean(at)
    accuracy, _, _ = _forest_importances(common.SEED_DEFAULT)
    assert metric_values(at)["Test accuracy"] == f"{accuracy:.3f}"


# transfer: the noisy-scanner scenario, feature extraction against from scratch with few labels
def _scanner_extraction_and_scratch(seed, label_counts):
    import warnings

    from sklearn.datasets import load_digits
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier

    from components import transfer as T

    def net(n, epochs, random_state):
        return MLPClassifier(hidden_layer_sizes=(T.HIDDEN_DEFAULT,), learning_rate_init=T.LEARNING_RATE,
                             batch_size=min(T.BATCH, n), max_iter=epochs, n_iter_no_change=10**6,
                             random_state=random_state)

    digits = load_digits()
    X, y = digits.data / 16.0, digits.target
    clean, noisy, y_clean, y_noisy = train_test_split(X[y < 5], y[y < 5], test_size=0.5, random_state=seed,
                                                      stratify=y[y < 5])
    noisy = noisy + np.random.default_rng(seed).normal(0, T.SCANNER_NOISE, noisy.shape)
    X_pool, X_test, y_pool, y_test = train_test_split(noisy, y_noisy, test_size=T.TARGET_TEST_SIZE,
                                                      random_state=seed, stratify=y_noisy)
    X_a, _, y_a, _ = train_test_split(clean, y_clean, test_size=0.25, random_state=seed, stratify=y_clean)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # a fixed number of epochs, as on the page
        source = net(len(y_a), T.SOURCE_EPOCHS, seed).fit(X_a, y_a)

        def hidden(A):  # the source's frozen hidden layer
            return np.maximum(A @ source.coefs_[0] + source.intercepts_[0], 0.0)

        rng = np.random.default_rng(seed)  # the page's labelled rows: round-robin over a seeded shuffle per class
        per_class = [rng.permutation(np.flatnonzero(y_pool == c)) for c in range(5)]
        order = [idx[i] for i in range(max(map(len, per_class))) for idx in per_class if i < len(idx)]
        out = {}
        for n in label_counts:
            X_few, y_few = X_pool[order[:n]], y_pool[order[:n]]
            extraction = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000)).fit(hidden(X_few), y_few)
            scratch = net(n, T.EPOCHS_DEFAULT, seed + 1).fit(X_few, y_few)
            out[n] = extraction.score(hidden(X_test), y_test), scratch.score(X_test, y_test)
    return out


@pytest.mark.parametrize("seed", [0, 1, 2, 7, common.SEED_DEFAULT])
def test_transfer_default_frozen_features_beat_scratch_with_few_labels(seed):
    from components import transfer as T

    assert T.DIRECTION_DEFAULT == T.DIRECTIONS[2] and T.LABELS_DEFAULT in (10, 20)
    for n, (extraction, scratch) in _scanner_extraction_and_scratch(seed, (10, 20)).items():
        assert extraction - scratch > 0.05, (n, extraction, scratch)


def test_transfer_page_opens_showing_the_gain():
    from components import transfer as T

    at = open_page("views/beyond/transfer.py")
    assert_clean(at)
    assert at.selectbox(key=T.DIRECTION_KEY).value == T.DIRECTIONS[2]
    shown = metric_values(at)
    extraction, scratch = _scanner_extraction_and_scratch(common.SEED_DEFAULT, (T.LABELS_DEFAULT,))[T.LABELS_DEFAULT]
    assert shown["Feature extraction (frozen)"] == f"{extraction:.3f}"
    assert shown["From scratch"] == f"{scratch:.3f}"
    assert extraction - scratch > 0.05
