"""No text is ever evaluated to build a model; the code the app prints builds the very model it fits.

The app constructs its estimators directly and prints a scikit-learn expression for "Show the code".
Here every model at every offered option is built both ways: directly, and by executing the printed
expression in a fresh namespace, and their parameters must agree.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest
from sklearn.base import BaseEstimator

from components import gallery as g
from components import models

ROOT = Path(__file__).resolve().parent.parent

GALLERY_IMPORTS = """from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC
from sklearn.tree import DecisionTreeClassifier"""


def plain_params(est: BaseEstimator) -> dict:
    """get_params(deep=True) with every nested estimator (and pipeline step) replaced by its class name:
    comparable with ==, and complete, since deep params list each nested estimator's own params."""
    def plain(v):
        if isinstance(v, BaseEstimator):
            return type(v).__name__
        if isinstance(v, (list, tuple)):
            return type(v)(plain(x) for x in v)
        return v
    return {k: plain(v) for k, v in est.get_params(deep=True).items()} | {"<class>": type(est).__name__}


def from_printed_code(imports: str, expr: str) -> BaseEstimator:
    namespace: dict = {}
    exec(imports + "\nmodel = " + expr, namespace)  # the test runs the printed code, as a reader would
    return namespace["model"]


@pytest.mark.parametrize("name", models.MODEL_NAMES)
def test_cockpit_models_match_their_printed_code_at_every_option(name):
    spec = models.CLASSIFIERS[name]
    for value in spec.options:
        for seed in (0, 42):
            built = models.build_model(name, value, seed)
            printed = from_printed_code(models.IMPORTS, models.model_code(name, value, seed))
            assert plain_params(built) == plain_params(printed), (name, value, seed)


def gallery_settings():
    """Every option of every gallery model, one control at a time from the defaults (and every
    kernel and solver with each of its own options)."""
    ranges = {
        g.LOGISTIC: {"C": g.C_VALUES},
        g.TREE: {"max_depth": range(g.TREE_DEPTH_MIN, g.TREE_DEPTH_MAX + 1),
                 "min_samples_leaf": (g.TREE_LEAF_MIN, 7, g.TREE_LEAF_MAX), "criterion": g.TREE_CRITERIA},
        g.FOREST: {"n_estimators": (g.RF_TREES_MIN, 50, g.RF_TREES_MAX), "max_features": g.RF_FEATURES},
        g.SVM: {"C": g.C_VALUES, "gamma": g.GAMMA_VALUES, "degree": range(g.SVM_DEGREE_MIN, g.SVM_DEGREE_MAX + 1)},
        g.MLP: {"layers": range(g.MLP_LAYERS_MIN, g.MLP_LAYERS_MAX + 1), "width": (g.MLP_WIDTH_MIN, 16, g.MLP_WIDTH_MAX),
                "activation": g.MLP_ACTIVATIONS, "learning_rate": g.LR_VALUES,
                "epochs": (g.MLP_EPOCHS_MIN, 200, g.MLP_EPOCHS_MAX)},
    }
    variants = {g.SVM: [{"kernel": k} for k in g.SVM_KERNELS], g.MLP: [{"solver": s} for s in g.MLP_SOLVERS]}
    for model, params in ranges.items():
        for variant in variants.get(model, [{}]):
            base = g.default_params(model) | variant
            yield model, base
            for key, values in params.items():
                for v in values:
                    yield model, base | {key: v}


def test_gallery_models_match_their_printed_code_at_every_option():
    checked = 0
    for model, p in gallery_settings():
        built = g.build(model, p, 7)
        printed = from_printed_code(GALLERY_IMPORTS, g.estimator_expr(model, p, 7))
        assert plain_params(built) == plain_params(printed), (model, p)
        checked += 1
    assert checked > 100


def test_cockpit_model_builder_refuses_values_it_does_not_offer():
    with pytest.raises(ValueError):
        models.build_model("k-NN", "__import__('os')", 0)


def test_no_app_code_calls_eval_or_exec():
    """Nothing the server runs evaluates text: no eval, exec or compile in app.py, views/ or components/."""
    calls = []
    for path in [ROOT / "app.py", *sorted((ROOT / "views").rglob("*.py")), *sorted((ROOT / "components").rglob("*.py"))]:
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("eval", "exec",
                                                                                                 "compile"):
                calls.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.func.id}")
    assert not calls, calls
