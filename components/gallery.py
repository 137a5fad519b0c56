"""Model gallery: fit one classic model and return everything its page draws (no streamlit here).

Classifiers are fitted on a generated 2-D set (moons, circles, blobs, xor) split 70/30, so the
decision boundary, the train points and the test points can all be drawn. Linear regression uses the
bundled diabetes table (the only regression set) with the features the learner picks. Logistic
regression on more than two classes (one-vs-rest against softmax) uses sets of its own: iris on two
of its measurements and three Gaussian blobs, built here so the registry's sets keep their numbers.

The page's cached computations are the ``*_view`` functions at the end (components.memo): each
fits once per settings and builds the charts' specs, the sentence about the screen and the code.

Written by hand (no library draws them): the sigmoid view's frame, the SVM margin lines (cells of
the prediction grid where the decision function crosses +-1), the network's held-out loss per epoch
(EpochScoredMLP: scikit-learn records only the training loss and, with early stopping, the
validation accuracy), the sentences about what is on screen (generated from the fitted numbers) and
the code export text.
"""
from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sklearn.datasets import make_blobs
from sklearn.ensemble import RandomForestClassifier
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.metrics import accuracy_score, log_loss, mean_squared_error, r2_score
from sklearn.model_selection import train_test_split
from sklearn.multiclass import OneVsRestClassifier
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC
from sklearn.tree import DecisionTreeClassifier, export_text

from components import charts, datasets, memo
from components.boundary import GRID_RESOLUTION, grid_for, grid_predictions, points_frame
from components.code_export import dataset_code
from components.wording import relation, share_text

TEST_SIZE = 0.3
MEMBER_RESOLUTION = 60  # the random forest's member trees are drawn smaller

# ---- widget keys, defaults, ranges (one source of truth; the page and the tests import them) ----
DATASET_KEY, DATASET_DEFAULT = "gallery.dataset", "moons"
MODEL_KEY = "gallery.model"
LINEAR, LOGISTIC, TREE, FOREST, SVM, MLP = ("Linear regression", "Logistic regression", "Decision tree",
                                            "Random forest", "SVM", "Neural network")
MODELS = (LINEAR, LOGISTIC, TREE, FOREST, SVM, MLP)
MODEL_DEFAULT = LOGISTIC

LIN_FEATURES_KEY = "gallery.lin_features"
LIN_FEATURES = ("age", "sex", "bmi", "bp", "s1", "s2", "s3", "s4", "s5", "s6")  # diabetes columns
LIN_FEATURES_DEFAULT = ["bmi"]

C_VALUES = (0.001, 0.01, 0.1, 1.0, 10.0, 100.0, 1000.0)
LOGIT_C_KEY, LOGIT_C_DEFAULT = "gallery.logit_c", 1.0

TREE_DEPTH_KEY, TREE_DEPTH_DEFAULT, TREE_DEPTH_MIN, TREE_DEPTH_MAX = "gallery.tree_depth", 4, 1, 15
TREE_LEAF_KEY, TREE_LEAF_DEFAULT, TREE_LEAF_MIN, TREE_LEAF_MAX = "gallery.tree_min_leaf", 1, 1, 50
TREE_CRITERION_KEY, TREE_CRITERIA, TREE_CRITERION_DEFAULT = "gallery.tree_criterion", ("gini", "entropy", "log_loss"), "gini"

RF_TREES_KEY, RF_TREES_DEFAULT, RF_TREES_MIN, RF_TREES_MAX = "gallery.rf_trees", 50, 1, 200
RF_FEATURES_KEY, RF_FEATURES, RF_FEATURES_DEFAULT = "gallery.rf_max_features", (1, 2), 1
RF_MEMBERS_SHOWN = 3

SVM_KERNEL_KEY, SVM_KERNELS, SVM_KERNEL_DEFAULT = "gallery.svm_kernel", ("linear", "poly", "rbf"), "rbf"
SVM_C_KEY, SVM_C_DEFAULT = "gallery.svm_c", 1.0
GAMMA_VALUES = (0.01, 0.1, 0.5, 1.0, 2.0, 5.0, 10.0, 50.0, 100.0)
SVM_GAMMA_KEY, SVM_GAMMA_DEFAULT = "gallery.svm_gamma", 1.0
SVM_MAX_ITER = 20_000  # caps libsvm on hard settings (large C, high degree, 2,000 noisy points)
SVM_DEGREE_KEY, SVM_DEGREE_DEFAULT, SVM_DEGREE_MIN, SVM_DEGREE_MAX = "gallery.svm_degree", 3, 2, 6

MLP_LAYERS_KEY, MLP_LAYERS_DEFAULT, MLP_LAYERS_MIN, MLP_LAYERS_MAX = "gallery.mlp_layers", 2, 1, 3
MLP_WIDTH_KEY, MLP_WIDTH_DEFAULT, MLP_WIDTH_MIN, MLP_WIDTH_MAX = "gallery.mlp_width", 16, 2, 64
MLP_ACTIVATION_KEY, MLP_ACTIVATIONS, MLP_ACTIVATION_DEFAULT = "gallery.mlp_activation", ("relu", "tanh", "logistic"), "relu"
LR_VALUES = (0.0001, 0.001, 0.01, 0.1, 0.5)
MLP_LR_KEY, MLP_LR_DEFAULT = "gallery.mlp_lr", 0.01
MLP_SOLVER_KEY, MLP_SOLVERS, MLP_SOLVER_DEFAULT = "gallery.mlp_solver", ("adam", "sgd"), "adam"
# scikit-learn's "sgd" solver defaults to momentum 0.9 with Nesterov's correction: the page keeps them and
# writes them out in the model's expression, so the "Show the code" script shows what the page fits
MLP_MOMENTUM, MLP_NESTEROV = 0.9, True
SOLVER_NAMES = {"adam": "Adam", "sgd": f"SGD with Nesterov momentum {MLP_MOMENTUM}"}
MLP_EPOCHS_KEY, MLP_EPOCHS_DEFAULT, MLP_EPOCHS_MIN, MLP_EPOCHS_MAX, MLP_EPOCHS_STEP = "gallery.mlp_epochs", 200, 10, 500, 10
# The network's settings beyond estimator_expr's (network_options sets them on the built MLPClassifier);
# each default is scikit-learn's, so a page without them in its link fits what it always fitted.
MLP_ALPHA_KEY, MLP_ALPHAS, MLP_ALPHA_DEFAULT = "gallery.mlp_alpha", (0.0, 0.0001, 0.001, 0.01, 0.1, 1.0, 10.0), 0.0001
# 200 is scikit-learn's batch_size="auto" (min(200, rows)); 2000 is above any training split: full batch
MLP_BATCH_KEY, MLP_BATCHES, MLP_BATCH_DEFAULT = "gallery.mlp_batch", (16, 32, 64, 128, 200, 500, 2000), 200
MLP_EARLY_KEY, MLP_EARLY_DEFAULT = "gallery.mlp_early_stopping", False
MLP_VALIDATION_KEY, MLP_VALIDATION_FRACTIONS, MLP_VALIDATION_DEFAULT = (
    "gallery.mlp_validation", (0.1, 0.2, 0.3, 0.4, 0.5), 0.1)
MLP_PATIENCE_KEY, MLP_PATIENCE_DEFAULT, MLP_PATIENCE_MIN, MLP_PATIENCE_MAX = "gallery.mlp_patience", 10, 1, 50
MLP_TOL = 1e-4  # scikit-learn's default tol: the improvement the stopping rule asks for

# ---- more than two classes: logistic regression one-vs-rest against softmax ----
MULTI_KEY = "gallery.multi_dataset"
IRIS_PETALS, IRIS_SEPALS, BLOBS3 = "iris: petals", "iris: sepals", "3 blobs"
MULTI_SETS = (IRIS_PETALS, IRIS_SEPALS, BLOBS3, *datasets.TWO_D)
MULTI_DEFAULT = IRIS_PETALS
IRIS_COLUMNS = {IRIS_PETALS: ("petal length (cm)", "petal width (cm)"),
                IRIS_SEPALS: ("sepal length (cm)", "sepal width (cm)")}
MULTI_RESOLUTION = 60  # cells per axis of the region maps (three maps of 3,600 cells each)
OVR, SOFTMAX = "one-vs-rest", "softmax"


def default_params(model: str) -> dict:
    """The default hyper-parameters of one model (what the page shows before any change)."""
    return {
        LOGISTIC: {"C": LOGIT_C_DEFAULT},
        TREE: {"max_depth": TREE_DEPTH_DEFAULT, "min_samples_leaf": TREE_LEAF_DEFAULT,
               "criterion": TREE_CRITERION_DEFAULT},
        FOREST: {"n_estimators": RF_TREES_DEFAULT, "max_features": RF_FEATURES_DEFAULT},
        SVM: {"kernel": SVM_KERNEL_DEFAULT, "C": SVM_C_DEFAULT, "gamma": SVM_GAMMA_DEFAULT,
              "degree": SVM_DEGREE_DEFAULT},
        MLP: {"layers": MLP_LAYERS_DEFAULT, "width": MLP_WIDTH_DEFAULT, "activation": MLP_ACTIVATION_DEFAULT,
              "learning_rate": MLP_LR_DEFAULT, "solver": MLP_SOLVER_DEFAULT, "epochs": MLP_EPOCHS_DEFAULT,
              "alpha": MLP_ALPHA_DEFAULT, "batch_size": MLP_BATCH_DEFAULT, "early_stopping": MLP_EARLY_DEFAULT,
              "validation_fraction": MLP_VALIDATION_DEFAULT, "patience": MLP_PATIENCE_DEFAULT},
    }[model]


# ------------------------------------------------------------------ classifiers on 2-D data
def split_2d(ds: datasets.Dataset, seed: int):
    X, y = ds.X.to_numpy(dtype=float), ds.y.to_numpy()
    return train_test_split(X, y, test_size=TEST_SIZE, random_state=seed, stratify=y)


def estimator_expr(model: str, p: dict, seed: int) -> str:
    """The scikit-learn expression for a classifier that the export prints (the page builds it: build)."""
    if model == LOGISTIC:
        return f"LogisticRegression(C={p['C']!r}, max_iter=1000)"
    if model == TREE:
        return (f"DecisionTreeClassifier(max_depth={p['max_depth']}, min_samples_leaf={p['min_samples_leaf']}, "
                f"criterion={p['criterion']!r}, random_state={seed})")
    if model == FOREST:
        return (f"RandomForestClassifier(n_estimators={p['n_estimators']}, max_features={p['max_features']}, "
                f"random_state={seed})")
    if model == SVM:
        extra = {"linear": "", "poly": f", degree={p['degree']}, coef0=1.0",
                 "rbf": f", gamma={p['gamma']!r}"}[p["kernel"]]
        return (f"make_pipeline(StandardScaler(), SVC(kernel={p['kernel']!r}, C={p['C']!r}{extra}, "
                f"max_iter={SVM_MAX_ITER}))")
    if model == MLP:
        hidden = tuple([int(p["width"])] * int(p["layers"]))
        momentum = (f", momentum={MLP_MOMENTUM!r}, nesterovs_momentum={MLP_NESTEROV!r}"
                    if p["solver"] == "sgd" else "")
        return (f"make_pipeline(StandardScaler(), MLPClassifier(hidden_layer_sizes={hidden!r}, "
                f"activation={p['activation']!r}, solver={p['solver']!r}{momentum}, "
                f"learning_rate_init={p['learning_rate']!r}, max_iter={p['epochs']}, random_state={seed}))")
    raise KeyError(model)


def _svm(p: dict, seed: int):
    extra = {"linear": {}, "poly": {"degree": p["degree"], "coef0": 1.0}, "rbf": {"gamma": p["gamma"]}}[p["kernel"]]
    return make_pipeline(StandardScaler(), SVC(kernel=p["kernel"], C=p["C"], **extra, max_iter=SVM_MAX_ITER))


def _mlp(p: dict, seed: int):
    momentum = {"momentum": MLP_MOMENTUM, "nesterovs_momentum": MLP_NESTEROV} if p["solver"] == "sgd" else {}
    return make_pipeline(StandardScaler(), MLPClassifier(
        hidden_layer_sizes=tuple([int(p["width"])] * int(p["layers"])), activation=p["activation"],
        solver=p["solver"], **momentum, learning_rate_init=p["learning_rate"], max_iter=p["epochs"],
        random_state=seed))


# The estimators estimator_expr writes, constructed directly (no text is evaluated); tests/test_no_eval.py
# checks that both agree for every model and option.
CONSTRUCTORS = {
    LOGISTIC: lambda p, seed: LogisticRegression(C=p["C"], max_iter=1000),
    TREE: lambda p, seed: DecisionTreeClassifier(max_depth=p["max_depth"], min_samples_leaf=p["min_samples_leaf"],
                                                 criterion=p["criterion"], random_state=seed),
    FOREST: lambda p, seed: RandomForestClassifier(n_estimators=p["n_estimators"], max_features=p["max_features"],
                                                   random_state=seed),
    SVM: _svm,
    MLP: _mlp,
}


def build(model: str, p: dict, seed: int):
    return CONSTRUCTORS[model](p, seed)


@dataclass
class ClassifierResult:
    model: str
    grid: pd.DataFrame  # x1, x2, proba
    points: pd.DataFrame  # x1, x2, label, split (+ marker for SVM support vectors)
    train_accuracy: float
    test_accuracy: float
    extras: dict = field(default_factory=dict)  # model-specific frames and numbers


def level_cells(values: np.ndarray, resolution: int, level: float) -> np.ndarray:
    """Boolean mask of grid cells where ``values`` crosses ``level`` towards a right/upper neighbour.

    Drawn as dots, these cells trace the level line (e.g. the SVM margins at decision = +-1).
    """
    z = (np.asarray(values).reshape(resolution, resolution) - level) > 0
    mask = np.zeros_like(z)
    mask[:, :-1] |= z[:, :-1] != z[:, 1:]
    mask[:-1, :] |= z[:-1, :] != z[1:, :]
    return mask.ravel()


def rows_trained_on(p: dict, n_train: int) -> int:
    """The rows the network's gradient steps see: with early stopping scikit-learn first holds out
    ceil(validation_fraction * n) of the training rows (train_test_split's count) to score each epoch."""
    if p["early_stopping"]:
        return n_train - math.ceil(p["validation_fraction"] * n_train)
    return n_train


def network_options(p: dict, n_train: int) -> dict:
    """MLPClassifier settings beyond estimator_expr's: the L2 penalty, the mini-batch size (clipped to the
    rows it trains on, as scikit-learn clips it, without its warning) and the stopping rule."""
    return {"alpha": p["alpha"], "batch_size": min(int(p["batch_size"]), rows_trained_on(p, n_train)),
            "early_stopping": bool(p["early_stopping"]), "validation_fraction": p["validation_fraction"],
            "n_iter_no_change": int(p["patience"])}


class EpochScoredMLP(MLPClassifier):
    """scikit-learn's MLPClassifier that also scores the log-loss of held-out rows after every epoch.

    Written by hand because the library keeps only the training loss per epoch (``loss_curve_``: the
    mean over the epoch's mini-batches, L2 penalty included) and, with early stopping, the validation
    *accuracy* (``validation_scores_``); it has no per-epoch callback. This runs beside the step
    scikit-learn takes once at the end of each epoch (a private method: the tests check the curves
    against refits stopped at each epoch, so a change in the library fails them), so the curves belong to
    the very run on screen. Training epoch by epoch with partial_fit would not be that run: each call
    restarts the shuffle from the original row order. Adds ``test_loss_curve_`` (the rows in ``watched``)
    and, with early stopping, ``validation_loss_curve_`` (scikit-learn's own validation rows)."""

    watched: tuple | None = None  # (fitted scaler or None, X, y): held-out rows in the raw feature space

    def _update_no_improvement_count(self, early_stopping, X, y, sample_weight):
        if len(self.loss_curve_) == 1:  # the first epoch of a fit
            self.test_loss_curve_, self.validation_loss_curve_ = [], []
            if self.watched is not None:
                scaler, X_held, y_held = self.watched
                self._held_out = (scaler.transform(X_held) if scaler is not None else X_held, y_held)
        if self.watched is not None:
            self.test_loss_curve_.append(self._log_loss_now(*self._held_out))
        if early_stopping:
            self.validation_loss_curve_.append(self._log_loss_now(X, y))
        super()._update_no_improvement_count(early_stopping, X, y, sample_weight)

    def _log_loss_now(self, X: np.ndarray, y: np.ndarray) -> float:
        """sklearn.metrics.log_loss of the current weights on (X, y), without its checks: predict_proba
        and log_loss validate their inputs on every call, 20 times the cost of the forward pass."""
        out = self._forward_pass_fast(X, check_input=False)
        proba = np.column_stack([1 - out[:, 0], out[:, 0]]) if out.shape[1] == 1 else out
        eps = np.finfo(proba.dtype).eps  # log_loss clips to [eps, 1 - eps]
        true = proba[np.arange(len(y)), np.searchsorted(self.classes_, y)]
        return float(-np.mean(np.log(np.clip(true, eps, 1 - eps))))


def watch_network(est, p: dict, n_train: int, X_test: np.ndarray, y_test: np.ndarray):
    """The built network pipeline with its MLPClassifier swapped for an EpochScoredMLP of the same settings
    plus network_options, scoring the test rows after every epoch (through the pipeline's scaler)."""
    mlp = est[-1]
    watched = EpochScoredMLP(**{**mlp.get_params(), **network_options(p, n_train)})
    watched.watched = (est[0], X_test, y_test)
    est.steps[-1] = (est.steps[-1][0], watched)
    return est


def fit_classifier(ds: datasets.Dataset, model: str, params: dict, seed: int,
                   resolution: int = GRID_RESOLUTION) -> ClassifierResult:
    """Fit one classifier on the 70 % training split; boundary grid, points and model-specific views."""
    X_tr, X_te, y_tr, y_te = split_2d(ds, seed)
    est = build(model, params, seed)
    if model == MLP:
        est = watch_network(est, params, len(y_tr), X_te, y_te)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        est.fit(X_tr, y_tr)
    X_all = np.vstack([X_tr, X_te])
    grid = grid_predictions(est, X_all, resolution)
    points = points_frame(X_tr, y_tr, X_te, y_te, ds.target_names)
    extras: dict = {"converged": not any(issubclass(w.category, ConvergenceWarning) for w in caught)}
    if model == LOGISTIC:
        z = est.decision_function(X_all)
        y_all = np.concatenate([y_tr, y_te])
        extras["coef"] = [float(est.intercept_[0]), *map(float, est.coef_[0])]
        zs = np.linspace(min(z.min(), -6), max(z.max(), 6), 200)
        extras["sigmoid"] = pd.DataFrame({"z": zs, "p": 1 / (1 + np.exp(-zs))})
        extras["sigmoid_points"] = pd.DataFrame({
            "z": z, "y": y_all.astype(float), "label": points["label"], "split": points["split"],
            "p": 1 / (1 + np.exp(-z))})
        extras["proba_range"] = (float(extras["sigmoid_points"]["p"].min()), float(extras["sigmoid_points"]["p"].max()))
    elif model == TREE:
        extras["text"] = export_text(est, feature_names=["x1", "x2"], show_weights=False)
        extras["nodes"], extras["edges"] = tree_layout(est)
        extras["depth"], extras["leaves"] = int(est.get_depth()), int(est.get_n_leaves())
    elif model == FOREST:
        members = []
        for i, tree in enumerate(est.estimators_[:RF_MEMBERS_SHOWN]):
            g = grid_predictions(tree, X_all, MEMBER_RESOLUTION)
            members.append((f"tree {i + 1}", g, float(accuracy_score(y_te, tree.predict(X_te)))))
        extras["members"] = members
        extras["members_disagree"] = disagreement_share([g["proba"].to_numpy() for _, g, _ in members])
        extras["max_features_used"] = int(est.estimators_[0].max_features_)  # what each split draws
        extras["n_features"] = int(est.n_features_in_)
    elif model == SVM:
        svc = est[-1]
        dec = est.decision_function(grid[["x1", "x2"]].to_numpy())
        margin = np.zeros(len(grid), dtype=bool)
        for level in (-1.0, 1.0):
            margin |= level_cells(dec, resolution, level)
        extras["margin"] = grid.loc[margin, ["x1", "x2"]].reset_index(drop=True)
        sv = np.zeros(len(points), dtype=bool)
        sv[svc.support_] = True  # indices into the training rows, which come first in points
        points["marker"] = np.where(sv, "support vector", "")
        extras["support"] = points.loc[sv, ["x1", "x2"]].reset_index(drop=True)
        extras["n_support"] = int(sv.sum())
        extras["n_support_per_class"] = [int(v) for v in svc.n_support_]
    elif model == MLP:
        mlp = est[-1]
        epochs = np.arange(1, len(mlp.loss_curve_) + 1)
        extras["loss"] = pd.DataFrame({"epoch": epochs, "loss": mlp.loss_curve_})
        extras["n_iter"] = int(mlp.n_iter_)
        extras["n_fit"] = rows_trained_on(params, len(y_tr))
        extras["batch"] = int(mlp.batch_size)
        extras["test_loss"] = list(mlp.test_loss_curve_)
        extras["test_log_loss"] = float(log_loss(y_te, est.predict_proba(X_te), labels=mlp.classes_))
        curves = {"training loss (loss_curve_)": mlp.loss_curve_, "test log-loss": mlp.test_loss_curve_}
        if mlp.early_stopping:
            curves["validation log-loss"] = mlp.validation_loss_curve_
            extras["validation"] = pd.DataFrame({"epoch": epochs, "validation accuracy": mlp.validation_scores_})
            # scikit-learn keeps the weights of the first epoch with the best validation accuracy
            extras["best_epoch"] = int(np.argmax(mlp.validation_scores_)) + 1
            extras["best_validation"] = float(mlp.best_validation_score_)
            extras["n_validation"] = len(y_tr) - extras["n_fit"]
        extras["curves"] = pd.concat([pd.DataFrame({"epoch": epochs, "curve": name, "loss": np.asarray(v, float)})
                                      for name, v in curves.items()], ignore_index=True)
    return ClassifierResult(model, grid, points, float(accuracy_score(y_tr, est.predict(X_tr))),
                            float(accuracy_score(y_te, est.predict(X_te))), extras)


def tree_layout(tree: DecisionTreeClassifier, feature_names=("x1", "x2")) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Nodes and edges of a fitted tree for a diagram: leaves spread left to right in order, each split
    centred over its children, depth downwards. Nodes: id, x, depth, label, samples, p1 (share of
    class 1), leaf; edges: x, depth, x2, depth2, side ("yes"/"no")."""
    t = tree.tree_
    xs: dict[int, float] = {}
    depth: dict[int, int] = {}
    next_leaf = [0]

    def place(node: int, d: int) -> float:
        depth[node] = d
        left, right = t.children_left[node], t.children_right[node]
        if left == -1:
            xs[node] = float(next_leaf[0])
            next_leaf[0] += 1
        else:
            xs[node] = (place(left, d + 1) + place(right, d + 1)) / 2
        return xs[node]

    place(0, 0)
    rows, edges = [], []
    for node in range(t.node_count):
        counts = t.value[node][0]
        p1 = float(counts[1] / counts.sum()) if len(counts) > 1 and counts.sum() > 0 else 0.0
        leaf = t.children_left[node] == -1
        label = (f"class {int(p1 >= 0.5)}" if leaf
                 # three significant digits: at two decimals two different splits both read "x2 ≤ -0.04"
                 else f"{feature_names[t.feature[node]]} ≤ {t.threshold[node]:.3g}")
        rows.append((node, xs[node], depth[node], label, int(t.n_node_samples[node]), p1, leaf))
        if not leaf:
            for child, side in ((t.children_left[node], "yes"), (t.children_right[node], "no")):
                edges.append((xs[node], depth[node], xs[child], depth[child], side))
    return (pd.DataFrame(rows, columns=["id", "x", "depth", "label", "samples", "p1", "leaf"]),
            pd.DataFrame(edges, columns=["x", "depth", "x2", "depth2", "side"]))


# ------------------------------------------------------------------ sentences about what is on screen
# Each takes the numbers the page shows and returns its sentence (comparisons: components.wording).
def disagreement_share(probas: list[np.ndarray]) -> float:
    """Share of grid cells where the given trees do not all predict the same class (P(class 1) > 0.5)."""
    votes = np.array([np.asarray(p) > 0.5 for p in probas])
    return float(np.mean(votes.any(axis=0) & ~votes.all(axis=0)))


def linear_sentence(r2_train: float, r2_test: float) -> str:
    text = (f"R² on the test rows ({r2_test:.3f}) is {relation(r2_test, r2_train)} R² on the training rows "
            f"({r2_train:.3f}).")
    if r2_test < 0:
        text += " Below 0: on the test rows the fit does worse than predicting their own mean."
    return text


def logistic_sentence(c: float, weight_norm: float, p_min: float, p_max: float) -> str:
    return (f"At C = {c:g} the weights' size ‖w‖ is {weight_norm:.2f}, and P(class 1) over the drawn points "
            f"runs from {p_min:.2f} to {p_max:.2f}.")


def tree_sentence(depth: int, leaves: int, max_depth: int, train_accuracy: float, test_accuracy: float) -> str:
    text = f"The tree reached depth {depth} with {leaves} leaves"
    if depth < max_depth:
        text += (f", short of the limit of {max_depth}: every leaf is pure or has no cut left that keeps the "
                 "minimum samples per leaf")
    every = ", every training point classified correctly" if train_accuracy == 1.0 else ""
    return text + (f". Test accuracy ({test_accuracy:.3f}) is {relation(test_accuracy, train_accuracy)} training "
                   f"accuracy ({train_accuracy:.3f}{every}).")


def forest_features_sentence(max_features: int, n_features: int) -> str:
    """What max_features means on this data; 'sqrt' rounds as scikit-learn does: max(1, int(sqrt(n)))."""
    sqrt_k = max(1, int(np.sqrt(n_features)))
    default = f"scikit-learn's default, max_features='sqrt', gives max(1, int(√{n_features})) = {sqrt_k}"
    if max_features < n_features:
        return (f"Each split draws {max_features} of the {n_features} features at random (more only when none "
                f"of those can be cut) and takes the best cut among them: max_features = {max_features}; "
                f"{default}.")
    return (f"Each split tries all {n_features} features (max_features = {n_features}), so the trees differ "
            f"only by their bootstrap samples (and how they break ties): plain bagged trees; {default}.")


def forest_members_sentence(forest_test: float, member_tests: list[float], disagree: float) -> str:
    m = len(member_tests)
    scores = ", ".join(f"{a:.3f}" for a in member_tests)
    if m == 1:
        return (f"The forest's test accuracy ({forest_test:.3f}) is {relation(forest_test, member_tests[0])} the "
                f"test accuracy of its one tree ({scores}).")
    counts = {word: sum(relation(forest_test, a) == word for a in member_tests)
              for word in ("above", "equal to", "below")}
    if max(counts.values()) == m:
        where = f"{next(w for w, c in counts.items() if c == m)} {'both' if m == 2 else f'all {m}'} trees"
    else:
        parts = [f"{w} {c}" for w, c in counts.items() if c]
        where = ", ".join(parts[:-1]) + f" and {parts[-1]} of the {m} trees"
    return (f"The forest's test accuracy ({forest_test:.3f}) is {where} drawn on the right ({scores}); those "
            f"trees predict different classes on {share_text(disagree)} of the plane.")


def svm_sentence(c: float, n_support: int, n_train: int) -> str:
    return (f"At C = {c:g}, {n_support} of the {n_train} training points ({n_support / n_train:.0%}) are support "
            "vectors: the points on the margin, inside it or on the wrong side of the boundary.")


def mlp_sentence(solver: str, n_iter: int, max_iter: int, first_loss: float, last_loss: float,
                 patience: int = MLP_PATIENCE_DEFAULT, early_stopping: bool = False, n_validation: int = 0,
                 best_epoch: int | None = None, best_validation: float | None = None) -> str:
    went = "fell" if round(last_loss, 3) < round(first_loss, 3) else "rose" if round(last_loss, 3) > round(
        first_loss, 3) else "stayed"
    text = (f"{SOLVER_NAMES[solver]} ran {n_iter} of at most {max_iter} epochs; the training loss {went} from "
            f"{first_loss:.3f} after the first to {last_loss:.3f} after the last")
    watched = (f"the accuracy on its {n_validation} validation rows" if early_stopping else "the training loss")
    if n_iter < max_iter:
        text += (f": it stopped early, as for more than {patience} epochs in a row {watched} had not beaten its "
                 f"best by tol = {MLP_TOL:g} (scikit-learn's stopping rule).")
    else:
        text += ": it used every epoch allowed."
    if early_stopping:
        text += (f" The network kept is the one after epoch {best_epoch}, the first with the best validation "
                 f"accuracy ({best_validation:.3f}): scikit-learn restores those weights at the end.")
    return text


def batch_sentence(batch: int, n_fit: int) -> str:
    """What one epoch is at this batch size (scikit-learn's last mini-batch takes the rows left over)."""
    steps = math.ceil(n_fit / batch)
    whole = "the whole training set at once (full batch)" if batch >= n_fit else f"mini-batches of {batch} rows"
    return (f"Each epoch is {steps} gradient step{'s' if steps > 1 else ''} over the {n_fit} rows the network trains "
            f"on, {whole}.")


def held_out_sentence(test_loss: list[float], kept_epoch: int) -> str:
    """Where the test log-loss curve is lowest, against the network kept (the last epoch, or with early
    stopping the best one)."""
    low = int(np.argmin(test_loss))
    kept = test_loss[kept_epoch - 1]
    if low + 1 == kept_epoch == len(test_loss):
        return f"The test log-loss was lowest after the last epoch, epoch {kept_epoch} ({kept:.3f})."
    text = f"The test log-loss was lowest after epoch {low + 1} ({test_loss[low]:.3f})"
    if kept_epoch == len(test_loss):
        return text + f"; after the last epoch it is {kept:.3f}, {relation(kept, test_loss[low])} that lowest value."
    return text + f"; the network kept (epoch {kept_epoch}) has {kept:.3f}."


def observation(model: str, r, params: dict) -> str:
    """The sentence about the fitted model on screen (r: a ClassifierResult, or a LinearResult)."""
    if model == LINEAR:
        return linear_sentence(r.r2_train, r.r2_test)
    x = r.extras
    if model == LOGISTIC:
        _, w1, w2 = x["coef"]
        return logistic_sentence(params["C"], float(np.hypot(w1, w2)), *x["proba_range"])
    if model == TREE:
        return tree_sentence(x["depth"], x["leaves"], params["max_depth"], r.train_accuracy, r.test_accuracy)
    if model == FOREST:
        return (forest_features_sentence(x["max_features_used"], x["n_features"]) + " "
                + forest_members_sentence(r.test_accuracy, [a for _, _, a in x["members"]], x["members_disagree"]))
    if model == SVM:
        return svm_sentence(params["C"], x["n_support"], int((r.points["split"] == "train").sum()))
    if model == MLP:
        loss = x["loss"]["loss"]
        early = bool(params["early_stopping"])
        kept = x["best_epoch"] if early else x["n_iter"]
        return " ".join((
            mlp_sentence(params["solver"], x["n_iter"], params["epochs"], float(loss.iloc[0]), float(loss.iloc[-1]),
                         int(params["patience"]), early, x.get("n_validation", 0), x.get("best_epoch"),
                         x.get("best_validation")),
            batch_sentence(x["batch"], x["n_fit"]),
            held_out_sentence(x["test_loss"], kept)))
    raise KeyError(model)


TREE_DIAGRAM_MAX_LEAVES = 16  # beyond this the diagram gets unreadable: the page shows the text tree


# ------------------------------------------------------------------ linear regression
@dataclass
class LinearResult:
    features: list[str]
    intercept: float
    coef: pd.DataFrame  # feature, coefficient
    r2_train: float
    r2_test: float
    rmse_train: float
    rmse_test: float
    residuals: pd.DataFrame  # fitted, residual, actual, split
    line: pd.DataFrame | None  # x, y of the fitted line when one feature is used
    points: pd.DataFrame  # x (first feature), y, split

    @property
    def equation(self) -> str:
        terms = " ".join(f"{'+' if c >= 0 else '-'} {abs(c):.1f}·{f}" for f, c in
                         zip(self.coef["feature"], self.coef["coefficient"]))
        return f"y = {self.intercept:.1f} {terms}"


def load_diabetes_frame() -> tuple[pd.DataFrame, pd.Series]:
    ds = datasets.load("diabetes")
    return ds.X, ds.y


def fit_linear(features: list[str], seed: int) -> LinearResult:
    X, y = load_diabetes_frame()
    X = X[list(features)]
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=TEST_SIZE, random_state=seed)
    est = LinearRegression().fit(X_tr, y_tr)
    p_tr, p_te = est.predict(X_tr), est.predict(X_te)
    residuals = pd.concat([
        pd.DataFrame({"fitted": p_tr, "residual": y_tr.to_numpy() - p_tr, "actual": y_tr.to_numpy(), "split": "train"}),
        pd.DataFrame({"fitted": p_te, "residual": y_te.to_numpy() - p_te, "actual": y_te.to_numpy(), "split": "test"}),
    ], ignore_index=True)
    first = features[0]
    points = pd.concat([pd.DataFrame({"x": X_tr[first].to_numpy(), "y": y_tr.to_numpy(), "split": "train"}),
                        pd.DataFrame({"x": X_te[first].to_numpy(), "y": y_te.to_numpy(), "split": "test"})],
                       ignore_index=True)
    line = None
    if len(features) == 1:
        xs = np.linspace(X[first].min(), X[first].max(), 50)
        line = pd.DataFrame({"x": xs, "y": est.predict(pd.DataFrame({first: xs}))})
    return LinearResult(
        list(features), float(est.intercept_),
        pd.DataFrame({"feature": list(features), "coefficient": est.coef_.astype(float)}),
        float(r2_score(y_tr, p_tr)), float(r2_score(y_te, p_te)),
        float(np.sqrt(mean_squared_error(y_tr, p_tr))), float(np.sqrt(mean_squared_error(y_te, p_te))),
        residuals, line, points)


# ------------------------------------------------------------------ code export
def export_code(model: str, params: dict, seed: int, dataset: str = DATASET_DEFAULT, n_samples: int = 300,
                noise: float = 0.25, features: list[str] | None = None) -> str:
    """A standalone script reproducing the page's numbers; its last line prints them as JSON."""
    head = "import json\n\nimport numpy as np\nimport pandas as pd\n"
    if model == LINEAR:
        feats = list(features or LIN_FEATURES_DEFAULT)
        return head + (
            "from sklearn.linear_model import LinearRegression\n"
            "from sklearn.metrics import mean_squared_error, r2_score\n"
            "from sklearn.model_selection import train_test_split\n\n"
            + dataset_code("diabetes") +
            f"X = X[{feats!r}]\n"
            f"X_train, X_test, y_train, y_test = train_test_split(X, y, test_size={TEST_SIZE}, random_state={seed})\n"
            "model = LinearRegression().fit(X_train, y_train)\n"
            "terms = ' '.join(f'{c:+.1f}*{f}' for f, c in zip(X.columns, model.coef_))\n"
            "print(f'y = {model.intercept_:.1f} {terms}')\n"
            "print(json.dumps({'r2_train': r2_score(y_train, model.predict(X_train)),\n"
            "                  'r2_test': r2_score(y_test, model.predict(X_test)),\n"
            "                  'rmse_test': float(np.sqrt(mean_squared_error(y_test, model.predict(X_test))))}))\n")
    imports = {
        LOGISTIC: "from sklearn.linear_model import LogisticRegression\n",
        TREE: "from sklearn.tree import DecisionTreeClassifier, export_text\n",
        FOREST: "from sklearn.ensemble import RandomForestClassifier\n",
        SVM: "from sklearn.pipeline import make_pipeline\nfrom sklearn.preprocessing import StandardScaler\n"
             "from sklearn.svm import SVC\n",
        MLP: "from sklearn.neural_network import MLPClassifier\nfrom sklearn.pipeline import make_pipeline\n"
             "from sklearn.preprocessing import StandardScaler\n",
    }[model]
    extra_out = {
        LOGISTIC: "out['intercept'] = float(model.intercept_[0]); out['coef'] = model.coef_[0].tolist()\n",
        TREE: "print(export_text(model, feature_names=['x1', 'x2']))\nout['leaves'] = int(model.get_n_leaves())\n",
        FOREST: "out['max_features_used'] = int(model.estimators_[0].max_features_)\n",
        SVM: "out['n_support_vectors'] = int(model[-1].n_support_.sum())\n",
        MLP: "out['epochs_run'] = int(model[-1].n_iter_); out['final_loss'] = float(model[-1].loss_)\n"
             "out['test_log_loss'] = log_loss(y_test, model.predict_proba(X_test))\n"
             + ("out['best_validation_accuracy'] = float(model[-1].best_validation_score_)\n"
                if model == MLP and params.get("early_stopping") else ""),
    }[model]
    configure = ""
    if model == MLP:
        n_train = n_samples - math.ceil(TEST_SIZE * n_samples)  # train_test_split's count
        options = ", ".join(f"{k}={v!r}" for k, v in network_options(params, n_train).items())
        imports += "from sklearn.metrics import log_loss\n"
        configure = f"model[-1].set_params({options})  # batch_size: at most the rows it trains on\n"
    return head + imports + (
        "from sklearn.metrics import accuracy_score\n"
        "from sklearn.model_selection import train_test_split\n\n"
        + dataset_code(dataset, n_samples, noise, seed) +
        f"X_train, X_test, y_train, y_test = train_test_split(X.to_numpy(), y.to_numpy(), test_size={TEST_SIZE},\n"
        f"                                                    random_state={seed}, stratify=y)\n"
        f"model = {estimator_expr(model, params, seed)}\n"
        + configure +
        "model.fit(X_train, y_train)\n"
        "out = {'train_accuracy': accuracy_score(y_train, model.predict(X_train)),\n"
        "       'test_accuracy': accuracy_score(y_test, model.predict(X_test))}\n"
        + extra_out +
        "print(json.dumps(out))\n")



# ------------------------------------------------------------------ more than two classes
def multiclass_data(name: str, n_samples: int = 300, noise: float = 0.25, seed: int = 0) -> datasets.Dataset:
    """The multi-class panel's sets, columns x1, x2: iris on two of its measurements, three Gaussian blobs
    (make_blobs with 3 centres; noise widens them as it widens the registry's two blobs), or one of the
    registry's two-class 2-D sets. Built here so the registry's sets keep their numbers."""
    if name in IRIS_COLUMNS:
        iris = datasets.load("iris")
        X = iris.X[list(IRIS_COLUMNS[name])].set_axis(["x1", "x2"], axis=1)
        return datasets.Dataset(name, datasets.CLASSIFICATION, X, iris.y, iris.target_names, iris.description)
    if name == BLOBS3:
        X, y = make_blobs(n_samples=n_samples, centers=3, cluster_std=1.0 + 4 * noise, random_state=seed)
        return datasets.Dataset(name, datasets.CLASSIFICATION, pd.DataFrame(X, columns=["x1", "x2"]),
                                pd.Series(y.astype(int), name="target"), ("class 0", "class 1", "class 2"),
                                "Three Gaussian blobs (generated).")
    return datasets.load(name, n_samples=n_samples, noise=noise, seed=seed)


def axis_titles(name: str) -> tuple[str, str]:
    return IRIS_COLUMNS.get(name, ("x1", "x2"))


@dataclass
class MulticlassResult:
    classes: tuple[str, ...]
    cells: np.ndarray  # (n_cells, 2): the grid the maps are drawn on
    proba: dict[str, np.ndarray]  # OVR / SOFTMAX -> (n_cells, K) probabilities
    ovr_sums: np.ndarray  # per cell: the sum of one-vs-rest's K binary probabilities before rescaling
    points: pd.DataFrame  # x1, x2, label, class, split
    accuracy: dict[str, float]  # on the test rows
    log_loss: dict[str, float]  # on the test rows
    n_binary_models: int  # binary models one-vs-rest fitted
    converged: bool
    predicted: dict[str, np.ndarray] = field(init=False)  # per model, the class code predicted in each cell
    differs: np.ndarray = field(init=False)  # per cell: do the two predict different classes?
    table: pd.DataFrame = field(init=False)  # cells per (class one-vs-rest predicts, class softmax predicts)

    def __post_init__(self):
        self.predicted = {m: p.argmax(axis=1) for m, p in self.proba.items()}
        self.differs = self.predicted[OVR] != self.predicted[SOFTMAX]
        names = np.asarray(self.classes, dtype=object)
        self.table = pd.crosstab(pd.Series(names[self.predicted[OVR]], name="one-vs-rest predicts"),
                                 pd.Series(names[self.predicted[SOFTMAX]], name="softmax predicts"))

    def most_common_difference(self) -> tuple[str, str, int] | None:
        """(class one-vs-rest predicts, class softmax predicts, cells) of the most frequent disagreement."""
        d = self.differs
        if not d.any():
            return None
        pairs = pd.Series(list(zip(self.predicted[OVR][d], self.predicted[SOFTMAX][d]))).value_counts()
        (a, b), n = pairs.index[0], int(pairs.iloc[0])
        return self.classes[a], self.classes[b], n


def fit_multiclass(ds: datasets.Dataset, C: float, seed: int, resolution: int = MULTI_RESOLUTION) -> MulticlassResult:
    """One-vs-rest (one binary logistic regression per class, their probabilities rescaled to sum to 1)
    against softmax (scikit-learn's LogisticRegression on K > 2 classes: one multinomial model), same C,
    on the 70 % training split; both predict the same grid."""
    X_tr, X_te, y_tr, y_te = split_2d(ds, seed)
    models = {OVR: OneVsRestClassifier(LogisticRegression(C=C, max_iter=1000)),
              SOFTMAX: LogisticRegression(C=C, max_iter=1000)}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        for m in models.values():
            m.fit(X_tr, y_tr)
    cells = grid_for(np.vstack([X_tr, X_te]), resolution)
    ovr = models[OVR]
    sums = np.sum([e.predict_proba(cells)[:, 1] for e in ovr.estimators_], axis=0)
    labels = np.arange(len(ds.target_names))
    return MulticlassResult(
        tuple(ds.target_names), cells, {name: m.predict_proba(cells) for name, m in models.items()}, sums,
        points_frame(X_tr, y_tr, X_te, y_te, ds.target_names),
        {name: float(accuracy_score(y_te, m.predict(X_te))) for name, m in models.items()},
        {name: float(log_loss(y_te, m.predict_proba(X_te), labels=labels)) for name, m in models.items()},
        len(ovr.estimators_), not any(issubclass(w.category, ConvergenceWarning) for w in caught))


def multiclass_sentence(classes: tuple[str, ...], n_binary_models: int, sum_range: tuple[float, float],
                        differs: int, n_cells: int, top: tuple[str, str, int] | None, accuracy: dict,
                        loss: dict, confidence: dict, max_gap: float) -> str:
    """What the two maps show, from their numbers (max_gap: the largest difference between the two
    models' probabilities over the cells and classes)."""
    k = len(classes)
    if k == 2:
        head = ("With two classes one-vs-rest fits a single binary logistic regression, and LogisticRegression "
                "fits one sigmoid model too: ")
        head += (f"the two give the same probabilities in every one of the {n_cells:,} cells (the largest "
                 f"difference is {0 if max_gap == 0 else f'{max_gap:.1e}'})." if max_gap < 1e-9 else
                 f"their probabilities differ by up to {max_gap:.3f}, and they predict a different class on "
                 f"{differs} of the {n_cells:,} cells.")
        return head + (f" Test accuracy {accuracy[OVR]:.3f} and {accuracy[SOFTMAX]:.3f}; test log-loss "
                       f"{loss[OVR]:.3f} and {loss[SOFTMAX]:.3f}.")
    text = (f"One-vs-rest fitted {n_binary_models} binary models, one per class against the rest; over the plane "
            f"their {k} probabilities summed to between {sum_range[0]:.2f} and {sum_range[1]:.2f} before scikit-learn "
            f"rescaled them to sum to 1. Softmax fitted one model whose {k} probabilities sum to 1 by construction. "
            f"The two predict a different class on {share_text(differs / n_cells)} of the plane drawn ({differs:,} of "
            f"{n_cells:,} cells)")
    if top is not None:
        a, b, n = top
        text += f", most of it ({n:,} cells) where one-vs-rest says {a} and softmax says {b}"
    return text + (
        f". Test accuracy {accuracy[OVR]:.3f} (one-vs-rest) is {relation(accuracy[OVR], accuracy[SOFTMAX])} "
        f"{accuracy[SOFTMAX]:.3f} (softmax); test log-loss {loss[OVR]:.3f} is {relation(loss[OVR], loss[SOFTMAX])} "
        f"{loss[SOFTMAX]:.3f}. Averaged over the plane, the largest probability is {confidence[OVR]:.2f} under "
        f"one-vs-rest and {confidence[SOFTMAX]:.2f} under softmax.")


def multiclass_observation(r: MulticlassResult) -> str:
    return multiclass_sentence(
        r.classes, r.n_binary_models, (float(r.ovr_sums.min()), float(r.ovr_sums.max())), int(r.differs.sum()),
        len(r.cells), r.most_common_difference(), r.accuracy, r.log_loss,
        {m: float(p.max(axis=1).mean()) for m, p in r.proba.items()},
        float(np.abs(r.proba[OVR] - r.proba[SOFTMAX]).max()))


def multiclass_frames(r: MulticlassResult) -> dict[str, pd.DataFrame]:
    """The maps' cells per model (x1, x2, predicted, confidence, differs, P(<class>)...) and the gap map's.
    Single precision and a categorical class: what the browser receives is half the size, and seven
    digits are more than a map shows."""
    differs = r.differs
    x1, x2 = r.cells[:, 0].astype(np.float32), r.cells[:, 1].astype(np.float32)
    out = {}
    for name, proba in r.proba.items():
        frame = pd.DataFrame({"x1": x1, "x2": x2,
                              "predicted": pd.Categorical.from_codes(proba.argmax(axis=1), categories=r.classes),
                              "confidence": proba.max(axis=1).astype(np.float32), "differs": differs})
        for i, c in enumerate(r.classes):
            frame[f"P({c})"] = proba[:, i].astype(np.float32)
        out[name] = frame
    out["gap"] = pd.DataFrame({"x1": x1, "x2": x2, "differs": differs,
                               "gap": np.abs(r.proba[OVR] - r.proba[SOFTMAX]).max(axis=1).astype(np.float32)})
    return out


def multiclass_code(name: str, C: float, seed: int, n_samples: int = 300, noise: float = 0.25) -> str:
    """A standalone script reproducing the multi-class panel's numbers; its last line prints them as JSON."""
    if name in IRIS_COLUMNS:
        data = ("from sklearn.datasets import load_iris\n"
                "iris = load_iris(as_frame=True)\n"
                f"X, y = iris.data[{list(IRIS_COLUMNS[name])!r}], iris.target\n")
    elif name == BLOBS3:
        data = ("import pandas as pd\n"
                "from sklearn.datasets import make_blobs\n"
                f"X, y = make_blobs(n_samples={n_samples}, centers=3, cluster_std={1.0 + 4 * noise!r}, "
                f"random_state={seed})\n"
                "X, y = pd.DataFrame(X, columns=['x1', 'x2']), pd.Series(y)\n")
    else:
        data = dataset_code(name, n_samples, noise, seed)
    return (
        '"""Model gallery, reproduced: logistic regression on more than two classes, one-vs-rest against softmax."""\n'
        "import json\n\nimport numpy as np\n"
        "from sklearn.linear_model import LogisticRegression\n"
        "from sklearn.metrics import accuracy_score, log_loss\n"
        "from sklearn.model_selection import train_test_split\n"
        "from sklearn.multiclass import OneVsRestClassifier\n\n"
        + data +
        f"X_train, X_test, y_train, y_test = train_test_split(X.to_numpy(), y.to_numpy(), test_size={TEST_SIZE},\n"
        f"                                                    random_state={seed}, stratify=y)\n"
        f"ovr = OneVsRestClassifier(LogisticRegression(C={C!r}, max_iter=1000)).fit(X_train, y_train)\n"
        f"softmax = LogisticRegression(C={C!r}, max_iter=1000).fit(X_train, y_train)  # multinomial for K > 2\n"
        f"# the plane drawn: a {MULTI_RESOLUTION}x{MULTI_RESOLUTION} grid over the points plus 10 % on each side\n"
        "X_all = np.vstack([X_train, X_test])\n"
        "lo, hi = X_all.min(axis=0), X_all.max(axis=0)\n"
        "pad = (hi - lo) * 0.1 + 1e-9\n"
        f"a, b = np.meshgrid(np.linspace(lo[0] - pad[0], hi[0] + pad[0], {MULTI_RESOLUTION}),\n"
        f"                   np.linspace(lo[1] - pad[1], hi[1] + pad[1], {MULTI_RESOLUTION}))\n"
        "cells = np.column_stack([a.ravel(), b.ravel()])\n"
        "differs = ovr.predict_proba(cells).argmax(axis=1) != softmax.predict_proba(cells).argmax(axis=1)\n"
        "labels = np.unique(y)\n"
        "print(json.dumps({'test_accuracy_ovr': accuracy_score(y_test, ovr.predict(X_test)),\n"
        "                  'test_accuracy_softmax': accuracy_score(y_test, softmax.predict(X_test)),\n"
        "                  'test_log_loss_ovr': log_loss(y_test, ovr.predict_proba(X_test), labels=labels),\n"
        "                  'test_log_loss_softmax': log_loss(y_test, softmax.predict_proba(X_test), labels=labels),\n"
        "                  'plane_predicted_differently': float(differs.mean())}))\n")


# ------------------------------------------------------------------ what the page draws (cached)
@dataclass(frozen=True)
class Settings:
    """One classifier on one generated 2-D set: the cache key of classifier_view, and what its code prints."""
    model: str
    dataset: str
    n_samples: int
    noise: float
    seed: int
    params: tuple  # (name, value) pairs of the model's hyper-parameters, sorted by name

    @property
    def p(self) -> dict:
        return dict(self.params)


def settings(model: str, dataset: str, params: dict, n_samples: int, noise: float, seed: int) -> Settings:
    return Settings(model, dataset, int(n_samples), float(noise), int(seed), tuple(sorted(params.items())))


@dataclass(frozen=True)
class MulticlassSettings:
    dataset: str  # one of MULTI_SETS
    C: float
    n_samples: int
    noise: float
    seed: int


@dataclass(frozen=True)
class View:
    """Everything one fitted model puts on screen: its result, the charts' specs, the sentence, the code."""
    result: object  # ClassifierResult, LinearResult or MulticlassResult
    specs: dict  # name -> Vega-Lite spec (or a list of specs: the forest's members)
    sentence: str
    code: str


def _boundary_spec(r: ClassifierResult, title: str, height: int, svm: bool = False) -> dict:
    extra = charts.outline_layer(r.extras["margin"], r.extras["support"]) if svm else None
    # one PNG: 6,400 rectangles took Chromium 0.05-0.25 s more per move
    return charts.to_spec(charts.image_boundary_chart(
        charts.probability_image(r.grid), charts.on_boundary(r.grid)[["x1", "x2"]], r.points,
        *charts.image_extent(r.grid), title=title, height=height, extra=extra))


def _tree_spec(nodes: pd.DataFrame, edges: pd.DataFrame) -> dict:
    # legends below the tree: the leaves' labels need the whole width
    return charts.to_spec(charts.tree_chart(nodes, edges, title="The tree itself: left branch = test true (solid)",
                                            height=440).configure_legend(orient="bottom", gradientLength=100))


def _member_specs(members: list) -> list[dict]:
    """The forest's first trees, small, each background one image (charts.member_boundary_chart): three
    maps of 3,600 rectangles kept Chromium drawing about 0.5 s longer on a move to the forest."""
    return [charts.to_spec(charts.member_boundary_chart(grid, f"{label.capitalize()}: test acc {acc:.3f}"))
            for label, grid, acc in members]


def classifier_specs(s: Settings, r: ClassifierResult) -> dict:
    """The boundary and the model's own charts beside it: the sigmoid, the tree, the forest's members, the
    network's loss curves (and with early stopping its validation accuracy)."""
    x = r.extras
    title = f"{s.model} on {s.dataset}: P(class 1)"
    out = {"boundary": _boundary_spec(r, title, 460 if s.model == SVM else 380, svm=s.model == SVM)}
    if s.model == LOGISTIC:
        pts = x["sigmoid_points"].rename(columns={"z": "x", "y": "y"}).assign(group=lambda d: d["label"])
        curve = x["sigmoid"].rename(columns={"z": "x", "p": "y"}).assign(series="sigmoid 1/(1+e^-z)")
        out["side"] = charts.to_spec(charts.points_lines_chart(
            pts[["x", "y", "group", "split"]], curve, "linear score z", "P(class 1) / true class",
            "Each point at its score z and its true class (0 or 1)", height=380))
    elif s.model == TREE and x["leaves"] <= TREE_DIAGRAM_MAX_LEAVES:
        out["side"] = _tree_spec(x["nodes"], x["edges"])
    elif s.model == FOREST:
        out["members"] = _member_specs(x["members"])
    elif s.model == MLP:
        early = "best_epoch" in x
        # legends below: the series' names are long, and beside the plot they took half its width (the
        # height includes the legend)
        out["side"] = charts.to_spec(charts.line_chart(
            x["curves"], "epoch", "loss", color="curve", y_title="loss", height=340 if early else 380, zero_y=False,
            title="Loss per epoch" + (" (dashed: the epoch kept)" if early else ""),
            rule_x=x["best_epoch"] if early else None).configure_legend(orient="bottom", direction="horizontal",
                                                                         columns=2, labelLimit=260))
        if early:
            out["validation"] = charts.to_spec(charts.line_chart(
                x["validation"], "epoch", "validation accuracy", height=220, zero_y=False, rule_x=x["best_epoch"],
                title="Validation accuracy: what early stopping watches"))
    return out


@memo.cached(max_entries=32, shared=True, progress="Fitting the model…")
def classifier_view(s: Settings) -> View:
    """One classifier fitted on its 2-D set, with its charts, sentence and code (one entry: an 80×80 grid,
    the points and the specs, a few hundred kB). Shared, not copied per rerun: the page only reads it."""
    ds = datasets.load(s.dataset, n_samples=s.n_samples, noise=s.noise, seed=s.seed)
    r = fit_classifier(ds, s.model, s.p, s.seed)
    return View(r, classifier_specs(s, r), observation(s.model, r, s.p),
                export_code(s.model, s.p, s.seed, s.dataset, s.n_samples, s.noise))


@memo.cached(max_entries=32, progress="Fitting the line…")
def linear_view(features: tuple, seed: int) -> View:
    """Linear regression on the diabetes table with these features: the fit, the residuals, the coefficients."""
    r = fit_linear(list(features), seed)
    if r.line is not None:
        pts = r.points.rename(columns={"split": "group"})
        fit_chart = charts.points_lines_chart(pts, r.line.assign(series="fitted line"), r.features[0],
                                              "disease progression", f"Disease progression vs {r.features[0]}")
    else:  # a plane in more than 2-D: actual against predicted, the diagonal is a perfect fit
        pts = r.residuals.rename(columns={"fitted": "x", "actual": "y", "split": "group"})[["x", "y", "group"]]
        lo, hi = float(min(pts["x"].min(), pts["y"].min())), float(max(pts["x"].max(), pts["y"].max()))
        diag = pd.DataFrame({"x": [lo, hi], "y": [lo, hi], "series": "perfect prediction"})
        fit_chart = charts.points_lines_chart(pts, diag, "predicted", "actual",
                                              f"Actual vs predicted ({len(r.features)} features: the fit is a hyperplane)")
    res = r.residuals.rename(columns={"fitted": "x", "residual": "y", "split": "group"})
    residual_chart = charts.points_lines_chart(res, None, "fitted value", "residual (actual − fitted)", "Residuals",
                                               rule_y=0.0)
    coef_chart = charts.bar_chart(r.coef, "coefficient", "feature", title="Coefficients",
                                  height=110 + 28 * len(r.coef))  # + title and axis
    specs = {name: charts.to_spec(c) for name, c in
             (("fit", fit_chart), ("residuals", residual_chart), ("coefficients", coef_chart))}
    return View(r, specs, observation(LINEAR, r, {"features": list(features)}),
                export_code(LINEAR, {}, seed, features=list(features)))


@memo.cached(max_entries=32, shared=True, progress="Fitting one-vs-rest and softmax…")
def multiclass_view(s: MulticlassSettings) -> View:
    """One-vs-rest and softmax on one set: their region maps, the gap map, the sentence and the code
    (one entry: three grids of 3,600 cells and their specs)."""
    r = fit_multiclass(multiclass_data(s.dataset, s.n_samples, s.noise, s.seed), s.C, s.seed)
    frames = multiclass_frames(r)
    x_title, y_title = axis_titles(s.dataset)
    specs = {name: charts.to_spec(charts.class_regions_chart(
        frames[name], r.points, list(r.classes), title=f"{title} on {s.dataset}", x_title=x_title, y_title=y_title))
        for name, title in ((OVR, "One-vs-rest: K binary models, rescaled"), (SOFTMAX, "Softmax: one model"))}
    specs["gap"] = charts.to_spec(charts.probability_gap_chart(
        frames["gap"], title="The largest gap between their class probabilities", x_title=x_title,
        y_title=y_title, height=300))
    return View(r, specs, multiclass_observation(r), multiclass_code(s.dataset, s.C, s.seed, s.n_samples, s.noise))
