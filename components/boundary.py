"""Decision-boundary data for 2-D classifiers: a probability grid plus the labelled points
(charts.boundary_chart draws them; charts.swap_grid swaps another grid into a converted chart)."""
from __future__ import annotations

import numpy as np
import pandas as pd

GRID_RESOLUTION = 80  # per axis: sharp enough for a projector, cheap enough to predict instantly


def grid_for(X: np.ndarray, resolution: int = GRID_RESOLUTION, margin: float = 0.1) -> np.ndarray:
    """A regular grid covering X's bounding box plus a margin, shape (resolution**2, 2)."""
    X = np.asarray(X, dtype=float)
    lo, hi = X.min(axis=0), X.max(axis=0)
    pad = (hi - lo) * margin + 1e-9
    g1 = np.linspace(lo[0] - pad[0], hi[0] + pad[0], resolution)
    g2 = np.linspace(lo[1] - pad[1], hi[1] + pad[1], resolution)
    a, b = np.meshgrid(g1, g2)
    return np.column_stack([a.ravel(), b.ravel()])


def positive_proba(model, X: np.ndarray) -> np.ndarray:
    """P(class 1) when the model has predict_proba, else a logistic squash of decision_function."""
    if hasattr(model, "predict_proba"):
        return model.predict_proba(X)[:, 1]
    return 1.0 / (1.0 + np.exp(-model.decision_function(X)))


def grid_predictions(model, X: np.ndarray, resolution: int = GRID_RESOLUTION) -> pd.DataFrame:
    grid = grid_for(X, resolution)
    return pd.DataFrame({"x1": grid[:, 0], "x2": grid[:, 1], "proba": positive_proba(model, grid)})


def points_frame(X_train, y_train, X_test=None, y_test=None, class_names=None) -> pd.DataFrame:
    """Train and test points in one frame with a readable label, the class code (charts order the
    class colours by it: class 0 blue, class 1 orange, as the P(class 1) background) and a split column."""
    def frame(X, y, split):
        X = np.asarray(X, dtype=float)
        y = np.asarray(y)
        labels = [str(class_names[int(v)]) if class_names is not None else str(v) for v in y]
        return pd.DataFrame({"x1": X[:, 0], "x2": X[:, 1], "label": labels, "class": y.astype(int), "split": split})
    parts = [frame(X_train, y_train, "train")]
    if X_test is not None:
        parts.append(frame(X_test, y_test, "test"))
    return pd.concat(parts, ignore_index=True)
