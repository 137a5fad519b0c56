"""Model gallery: fit one classic model and return everything its page draws (no streamlit here).

Classifiers are fitted on a generated 2-D set (moons, circles, blobs, xor) split 70/30, so the
decision boundary, the train points and the test points can all be drawn. Linear regression uses the
bundled diabetes table (the only regression set) with the features the learner picks.

Written by hand (no library draws them): the sigmoid view's frame, the SVM margin lines (cells of
the prediction grid where the decision function crosses +-1), the sentences about what is on screen
(generated from the fitted numbers) and the code export text.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sklearn.ensemble import RandomForestClassifier
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.metrics import accuracy_score, mean_squared_error, r2_score
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC
from sklearn.tree import DecisionTreeClassifier, export_text

from components import datasets
from components.boundary import GRID_RESOLUTION, grid_predictions, points_frame
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
              "learning_rate": MLP_LR_DEFAULT, "solver": MLP_SOLVER_DEFAULT, "epochs": MLP_EPOCHS_DEFAULT},
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


def fit_classifier(ds: datasets.Dataset, model: str, params: dict, seed: int,
                   resolution: int = GRID_RESOLUTION) -> ClassifierResult:
    """Fit one classifier on the 70 % training split; boundary grid, points and model-specific views."""
    X_tr, X_te, y_tr, y_te = split_2d(ds, seed)
    est = build(model, params, seed)
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
        extras["loss"] = pd.DataFrame({"epoch": np.arange(1, len(mlp.loss_curve_) + 1),
                                       "loss": mlp.loss_curve_})
        extras["n_iter"] = int(mlp.n_iter_)
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


def mlp_sentence(solver: str, n_iter: int, max_iter: int, first_loss: float, last_loss: float) -> str:
    went = "fell" if round(last_loss, 3) < round(first_loss, 3) else "rose" if round(last_loss, 3) > round(
        first_loss, 3) else "stayed"
    text = (f"{SOLVER_NAMES[solver]} ran {n_iter} of at most {max_iter} epochs; the training loss {went} from "
            f"{first_loss:.3f} after the first to {last_loss:.3f} after the last")
    if n_iter < max_iter:
        return text + (": it stopped early, as for more than 10 epochs in a row the loss had not beaten its best "
                       "by tol = 0.0001 (scikit-learn's stopping rule).")
    return text + ": it used every epoch allowed."


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
        return mlp_sentence(params["solver"], x["n_iter"], params["epochs"], float(loss.iloc[0]), float(loss.iloc[-1]))
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
        MLP: "out['epochs_run'] = int(model[-1].n_iter_); out['final_loss'] = float(model[-1].loss_)\n",
    }[model]
    return head + imports + (
        "from sklearn.metrics import accuracy_score\n"
        "from sklearn.model_selection import train_test_split\n\n"
        + dataset_code(dataset, n_samples, noise, seed) +
        f"X_train, X_test, y_train, y_test = train_test_split(X.to_numpy(), y.to_numpy(), test_size={TEST_SIZE},\n"
        f"                                                    random_state={seed}, stratify=y)\n"
        f"model = {estimator_expr(model, params, seed)}\n"
        "model.fit(X_train, y_train)\n"
        "out = {'train_accuracy': accuracy_score(y_train, model.predict(X_train)),\n"
        "       'test_accuracy': accuracy_score(y_test, model.predict(X_test))}\n"
        + extra_out +
        "print(json.dumps(out))\n")

