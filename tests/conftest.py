"""Fixtures shared by the model pages' tests."""
import pytest
from sklearn.model_selection import train_test_split
from streamlit import config

from components import datasets

# Visitors see an error's type only (.streamlit/config.toml); a failing test should show it all.
config.set_option("client.showErrorDetails", "full")

SEED = 42


@pytest.fixture(scope="module")
def moons():
    """The default 2-D set of the Gallery and Ensembles labs (300 samples, noise 0.25, seed 42)."""
    return datasets.load("moons", n_samples=300, noise=0.25, seed=SEED)


def split_70_30(ds, seed: int = SEED):
    """The labs' train/test split, written out independently of their components."""
    return train_test_split(ds.X.to_numpy(), ds.y.to_numpy(), test_size=0.3, random_state=seed, stratify=ds.y)
