"""The dataset registry, the exported dataset code and the model registry."""
import numpy as np
import pandas as pd
import pytest

from components import code_export, datasets, models


@pytest.mark.parametrize("name", datasets.NAMES)
def test_every_dataset_loads_offline_with_consistent_metadata(name):
    d = datasets.load(name, n_samples=200, noise=0.2, seed=3)
    assert len(d.X) == len(d.y) > 0 and not d.X.isna().any().any()
    assert d.task == datasets.REGISTRY[name].task
    if d.task == datasets.CLASSIFICATION:
        assert set(np.unique(d.y)) == set(range(d.n_classes))


@pytest.mark.parametrize("name", datasets.NAMES)
def test_exported_dataset_code_rebuilds_the_same_data(name):
    ns: dict = {}
    exec(code_export.dataset_code(name, 200, 0.2, 3), ns)
    d = datasets.load(name, n_samples=200, noise=0.2, seed=3)
    np.testing.assert_allclose(np.asarray(ns["X"], dtype=float), d.X.to_numpy(dtype=float))
    np.testing.assert_allclose(np.asarray(ns["y"], dtype=float), d.y.to_numpy(dtype=float))


def test_known_shapes():
    assert datasets.load("breast_cancer").X.shape == (569, 30)
    assert datasets.load("wine").n_classes == 3
    assert datasets.load("digits").X.shape == (1797, 64)
    assert datasets.load("diabetes").task == datasets.REGRESSION
    assert len(datasets.load("moons", n_samples=123).X) == 123


def test_xor_label_is_xor_of_signs_at_low_noise():
    X, y = datasets.xor(500, 0.05, 1)
    np.testing.assert_array_equal(y, ((X[:, 0] > 0) ^ (X[:, 1] > 0)).astype(int))


def test_churn_csv_is_what_its_generator_makes():
    import importlib.util
    spec = importlib.util.spec_from_file_location("make_churn", datasets.SAMPLE_DATA / "make_churn.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    shipped = pd.read_csv(datasets.SAMPLE_DATA / "churn.csv")
    pd.testing.assert_frame_equal(shipped, mod.make(), check_dtype=False)


def test_models_build_from_their_code_and_reject_unoffered_values():
    for name, spec in models.CLASSIFIERS.items():
        assert models.build_model(name, spec.default, 0) is not None
        assert spec.default in spec.options
    with pytest.raises(ValueError):
        models.model_code("k-NN", "__import__('os')", 0)
