"""Pieces of the runnable scripts behind every "Show the code" expander.

Convention: an exported script prints a readable report, and its last line is json.dumps of the
numbers the page shows, so a test can run it and compare.
"""
from __future__ import annotations

import inspect

from components import datasets


def upload_code(target: str, filename: str) -> str:
    """Python that reads and cleans an uploaded CSV as the page did: the very functions of
    components/datasets.py that read it (their source, with the constants they use), then X, y."""
    constants = "\n".join(f"{name} = {getattr(datasets, name)!r}" for name in datasets.UPLOAD_CONSTANTS)
    functions = "\n\n".join(inspect.getsource(fn) for fn in datasets.UPLOAD_FUNCTIONS)
    return f'''import csv
import io
import re

import numpy as np
import pandas as pd

# Your file, read and cleaned exactly as ML Explorer reads it (its components/datasets.py).
{constants}


class DatasetError(ValueError):
    """A file that cannot be used, with the reason."""


{functions}

with open({filename!r}, "rb") as file:  # the file you uploaded
    X, y, class_names, notes = clean_table(read_csv(file.read()), {target!r})
'''


_BUNDLED = {"breast_cancer": "load_breast_cancer", "wine": "load_wine", "iris": "load_iris",
            "diabetes": "load_diabetes"}


def dataset_code(name: str, n_samples: int = 300, noise: float = 0.25, seed: int = 0, target: str = "",
                 filename: str = "your_file.csv") -> str:
    """Python that builds X (a DataFrame) and y (a Series) exactly as components.datasets.load does
    (for an uploaded CSV: as components.datasets.from_table cleans it)."""
    if name == datasets.UPLOAD:
        return upload_code(target, filename)
    if name in _BUNDLED:
        fn = _BUNDLED[name]
        return (f"from sklearn.datasets import {fn}\n"
                f"X, y = {fn}(return_X_y=True, as_frame=True)\n")
    if name == "digits":
        return ("from sklearn.datasets import load_digits\n"
                "X, y = load_digits(return_X_y=True, as_frame=True)\n")
    if name == "churn":
        path = datasets.SAMPLE_DATA / "churn.csv"
        return ("import pandas as pd\n"
                f"df = pd.read_csv({str(path)!r})  # ML Explorer's sample_data/churn.csv\n"
                "y = df.pop('churned')\n"
                "X = pd.get_dummies(df, columns=['contract'], dtype=float)\n")
    head = "import pandas as pd\n"
    if name == "moons":
        gen = (f"from sklearn.datasets import make_moons\n"
               f"X, y = make_moons(n_samples={n_samples}, noise={noise!r}, random_state={seed})\n")
    elif name == "circles":
        gen = (f"from sklearn.datasets import make_circles\n"
               f"X, y = make_circles(n_samples={n_samples}, noise={noise!r}, factor=0.5, random_state={seed})\n")
    elif name == "blobs":
        gen = (f"from sklearn.datasets import make_blobs\n"
               f"X, y = make_blobs(n_samples={n_samples}, centers=2, cluster_std={1.0 + 4 * noise!r}, "
               f"random_state={seed})\n")
    elif name == "xor":
        gen = ("import numpy as np\n"
               f"rng = np.random.default_rng({seed})\n"
               "corners = np.array([[-1, -1], [1, 1], [-1, 1], [1, -1]], dtype=float)\n"
               f"idx = rng.integers(0, 4, size={n_samples})\n"
               f"X = corners[idx] + rng.normal(scale={max(noise, 1e-6) * 1.5!r}, size=({n_samples}, 2))\n"
               "y = np.array([0, 0, 1, 1])[idx]  # XOR of the signs of x1 and x2\n")
    else:
        raise KeyError(name)
    return head + gen + "X, y = pd.DataFrame(X, columns=['x1', 'x2']), pd.Series(y)\n"
