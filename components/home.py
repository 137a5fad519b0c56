"""The Home page's small live pictures: one per section, each computed here from a real (small)
experiment of that section's pages, so the first screen shows what the pages do rather than tells.

Each picture is cheap (a few small fits, under 0.2 s together on a warm process) and cached once per
process: Home is the first page a cold server draws.
"""
from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from components import charts, memo

HEIGHT = 150


@memo.cached(max_entries=1)
def data_picture() -> dict:
    """Missing data: mean imputation turns 30 % of a column's gaps into one spike at the mean."""
    rng = np.random.default_rng(0)
    truth = rng.normal(50, 12, 400)
    hidden = rng.random(400) < 0.3
    filled = np.where(hidden, truth[~hidden].mean(), truth)
    frame = pd.concat([pd.DataFrame({"value": truth, "version": "true values"}),
                       pd.DataFrame({"value": filled, "version": "mean-imputed"})])
    chart = alt.Chart(frame).mark_bar(opacity=0.7, binSpacing=0).encode(
        x=alt.X("value:Q", bin=alt.Bin(maxbins=30), title=None),
        y=alt.Y("count():Q", title=None, stack=None),
        color=alt.Color("version:N", title=None, scale=alt.Scale(range=[charts.BLUE, charts.ORANGE]),
                        legend=alt.Legend(orient="bottom")),
    ).properties(height=HEIGHT, width="container", title="Mean imputation: a spike")
    return charts.to_spec(chart)


@memo.cached(max_entries=1)
def models_picture() -> dict:
    """Model gallery: a k-NN decision boundary on the moons, train points on top."""
    from sklearn.datasets import make_moons
    from sklearn.neighbors import KNeighborsClassifier

    X, y = make_moons(200, noise=0.25, random_state=0)
    model = KNeighborsClassifier(15).fit(X, y)
    g1, g2 = np.meshgrid(np.linspace(-1.5, 2.5, 40), np.linspace(-1.0, 1.5, 30))
    grid = pd.DataFrame({"x1": g1.ravel(), "x2": g2.ravel()})
    grid["P(class 1)"] = model.predict_proba(grid[["x1", "x2"]].to_numpy())[:, 1]
    points = pd.DataFrame({"x1": X[:, 0], "x2": X[:, 1], "class": y.astype(str)})
    cells = alt.Chart(grid).mark_rect(opacity=0.5).encode(
        x=alt.X("x1:O", axis=None), y=alt.Y("x2:O", axis=None, sort="descending"),
        color=alt.Color("P(class 1):Q", scale=alt.Scale(scheme="blueorange", domain=[0, 1]), legend=None))
    dots = alt.Chart(points).mark_circle(size=14, opacity=0.9).encode(
        x=alt.X("x1:Q", axis=None), y=alt.Y("x2:Q", axis=None),
        color=alt.Color("class:N", scale=alt.Scale(range=[charts.BLUE, charts.ORANGE]), legend=None))
    chart = alt.layer(cells, dots).resolve_scale(x="independent", y="independent", color="independent")
    return charts.to_spec(chart.properties(height=HEIGHT, width="container", title="k-NN boundary on the moons"))


@memo.cached(max_entries=1)
def evaluation_picture() -> dict:
    """Evaluation: the ROC curve of a logistic regression on the churn table, AUC in the title."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score, roc_curve
    from sklearn.model_selection import train_test_split
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from components import datasets

    d = datasets.load("churn")
    X_tr, X_te, y_tr, y_te = train_test_split(d.X, d.y, test_size=0.25, random_state=42, stratify=d.y)
    scores = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000)).fit(X_tr, y_tr).predict_proba(X_te)[:, 1]
    fpr, tpr, _ = roc_curve(y_te, scores)
    frame = pd.DataFrame({"false positive rate": fpr, "true positive rate": tpr, "order": range(len(fpr))})
    curve = alt.Chart(frame).mark_line(color=charts.BLUE).encode(
        x=alt.X("false positive rate:Q", title=None), y=alt.Y("true positive rate:Q", title=None),
        order=alt.Order("order:Q"))
    chance = alt.Chart(pd.DataFrame({"a": [0, 1]})).mark_line(color="gray", strokeDash=[4, 4]).encode(
        x=alt.X("a:Q"), y=alt.Y("a:Q"))
    auc = roc_auc_score(y_te, scores)
    return charts.to_spec(alt.layer(chance, curve).properties(
        height=HEIGHT, width="container", title=f"ROC on churn, AUC {auc:.2f}"))


@memo.cached(max_entries=1)
def pitfalls_picture() -> dict:
    """Imbalanced data: at a 5 % positive share, always predicting the majority is 95 % accurate and
    catches no positive (computed, not typed)."""
    y = np.zeros(1000, dtype=int)
    y[:50] = 1
    always_no = np.zeros_like(y)
    accuracy = float((always_no == y).mean())
    recall = float((always_no[y == 1] == 1).mean())
    frame = pd.DataFrame({"metric": ["accuracy", "recall"], "value": [accuracy, recall]})
    chart = alt.Chart(frame).mark_bar().encode(
        x=alt.X("value:Q", scale=alt.Scale(domain=[0, 1]), title=None),
        y=alt.Y("metric:N", title=None),
        color=alt.Color("metric:N", scale=alt.Scale(range=[charts.BLUE, charts.VERMILION]), legend=None))
    return charts.to_spec(chart.properties(height=HEIGHT, width="container",
                                           title="Always 'no' at 5 % positives"))


@memo.cached(max_entries=1)
def beyond_picture() -> dict:
    """Interpretability: permutation importance (log loss, 3 repeats) of a logistic regression on churn."""
    from sklearn.inspection import permutation_importance
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import train_test_split
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from components import datasets

    d = datasets.load("churn")
    X_tr, X_te, y_tr, y_te = train_test_split(d.X, d.y, test_size=0.25, random_state=42, stratify=d.y)
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000)).fit(X_tr, y_tr)
    result = permutation_importance(model, X_te, y_te, scoring="neg_log_loss", n_repeats=3, random_state=0, n_jobs=1)
    frame = pd.DataFrame({"feature": d.X.columns, "importance": result.importances_mean}).nlargest(5, "importance")
    chart = alt.Chart(frame).mark_bar(color=charts.GREEN).encode(
        x=alt.X("importance:Q", title=None), y=alt.Y("feature:N", sort="-x", title=None))
    return charts.to_spec(chart.properties(height=HEIGHT, width="container", title="What drives churn"))
