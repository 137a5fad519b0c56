"""Classifiers the evaluation pages offer, each with its one main hyper-parameter.

Each model is written twice, side by side: a scikit-learn expression that "Show the code" prints,
and the constructor call the app makes (no text is ever evaluated). tests/test_no_eval.py builds
every model at every offered value both ways and checks that their parameters agree.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from sklearn.calibration import CalibratedClassifierCV
from sklearn.ensemble import GradientBoostingClassifier, RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC
from sklearn.tree import DecisionTreeClassifier

# Names the expressions may use; the exported script imports exactly these.
IMPORTS = """from sklearn.calibration import CalibratedClassifierCV
from sklearn.ensemble import GradientBoostingClassifier, RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC
from sklearn.tree import DecisionTreeClassifier"""


@dataclass(frozen=True)
class ModelSpec:
    name: str
    key: str  # widget key of its hyper-parameter
    param_label: str
    options: tuple
    default: object
    template: str  # a scikit-learn expression with {value} and {seed}
    why: str
    make: Callable = field(repr=False, compare=False)  # (value, seed) -> the estimator the template writes


CLASSIFIERS: dict[str, ModelSpec] = {m.name: m for m in (
    ModelSpec("Logistic regression", "eval.logreg_C", "C (inverse regularisation strength)",
              (0.001, 0.01, 0.1, 1.0, 10.0, 100.0, 1000.0), 1.0,
              "make_pipeline(StandardScaler(), LogisticRegression(C={value}, max_iter=5000))",
              "Inputs are standardised, so the L2 penalty treats every feature alike; small C = strong "
              "regularisation.",
              lambda value, seed: make_pipeline(StandardScaler(), LogisticRegression(C=value, max_iter=5000))),
    ModelSpec("k-NN", "eval.knn_k", "k (neighbours)", (1, 3, 5, 7, 9, 15, 25, 51), 5,
              "make_pipeline(StandardScaler(), KNeighborsClassifier(n_neighbors={value}))",
              "Distances need scaled inputs; probabilities are the share of the k neighbours.",
              lambda value, seed: make_pipeline(StandardScaler(), KNeighborsClassifier(n_neighbors=value))),
    ModelSpec("Decision tree", "eval.tree_depth", "max depth", (1, 2, 3, 4, 5, 6, 8, 10, 15, 20), 4,
              "DecisionTreeClassifier(max_depth={value}, random_state={seed})",
              "Probabilities are leaf class shares: few distinct values, so the ROC curve has few steps.",
              lambda value, seed: DecisionTreeClassifier(max_depth=value, random_state=seed)),
    ModelSpec("Random forest", "eval.forest_trees", "number of trees", (10, 25, 50, 100, 200), 50,
              "RandomForestClassifier(n_estimators={value}, random_state={seed})",
              "Averaging many deep trees smooths the probabilities.",
              lambda value, seed: RandomForestClassifier(n_estimators=value, random_state=seed)),
    ModelSpec("SVM (RBF)", "eval.svm_C", "C (penalty on margin violations: large C = harder margin)",
              (0.01, 0.1, 1.0, 10.0, 100.0), 1.0,
              "make_pipeline(StandardScaler(), CalibratedClassifierCV(SVC(C={value}, random_state={seed}), "
              "ensemble=False))",
              "An SVM outputs distances, not probabilities: Platt calibration (CalibratedClassifierCV) maps "
              "them to probabilities, as SVC(probability=True) did before scikit-learn 1.9 deprecated it.",
              lambda value, seed: make_pipeline(
                  StandardScaler(), CalibratedClassifierCV(SVC(C=value, random_state=seed), ensemble=False))),
    ModelSpec("Gradient boosting", "eval.boost_trees", "number of boosting rounds", (10, 25, 50, 100, 200), 50,
              "GradientBoostingClassifier(n_estimators={value}, random_state={seed})",
              "Trees added one after another, each fitting the previous rounds' errors.",
              lambda value, seed: GradientBoostingClassifier(n_estimators=value, random_state=seed)),
)}
MODEL_NAMES = tuple(CLASSIFIERS)
DEFAULT_MODEL = "Logistic regression"


def model_code(name: str, value, seed: int) -> str:
    spec = CLASSIFIERS[name]
    if value not in spec.options:
        raise ValueError(f"{value!r} is not an offered {spec.param_label} for {name}")
    return spec.template.format(value=repr(value), seed=int(seed))


def build_model(name: str, value, seed: int):
    """A fresh, unfitted estimator: the one model_code writes, constructed directly."""
    spec = CLASSIFIERS[name]
    if value not in spec.options:
        raise ValueError(f"{value!r} is not an offered {spec.param_label} for {name}")
    return spec.make(value, int(seed))


def quiet_convergence(fn):
    """Run fn with scikit-learn's ConvergenceWarning silenced: the labs cap iterations on purpose
    (e.g. IterativeImputer's short max_iter, Lasso paths) to stay interactive."""
    import functools
    import warnings

    from sklearn.exceptions import ConvergenceWarning

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            return fn(*args, **kwargs)
    return wrapper
