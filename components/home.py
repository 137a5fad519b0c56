"""The Home page's small pictures: one per section, each the result of a real (small) experiment of
that section's pages, so the first screen shows what the pages do rather than tells.

Home is the first page a cold server draws, and scikit-learn costs about 0.8 s to import there. The
pictures that need it (a k-NN boundary, a ROC curve, permutation importances) are drawn from the
stored output of ``experiments()`` in EXPERIMENTS_FILE, which the tests run again and compare; the
other two are computed here with NumPy. Regenerate the file after changing an experiment:
``python -m components.home``.
"""
from __future__ import annotations

import json
from pathlib import Path

import altair as alt
import numpy as np
import pandas as pd

from components import charts, memo

HEIGHT = 120  # the plot's own height: axes, title and legend are added around it (fit-x, see _picture)
EXPERIMENTS_FILE = Path(__file__).resolve().parent.parent / "assets" / "home_experiments.json"
DIGITS = 6  # stored numbers are rounded to this many decimals (the pictures show two at most)


def _picture(chart) -> dict:
    """The spec of a small picture whose width follows its column and whose plot is HEIGHT tall.
    Streamlit's default sizing ("fit") makes the whole chart HEIGHT tall instead, which left a picture
    with a title, an axis and a legend below it a plot of zero height."""
    return {**charts.to_spec(chart), "autosize": {"type": "fit-x", "contains": "padding"}}


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
    return _picture(chart)


def experiments() -> dict:
    """Run the three scikit-learn experiments behind the pictures; plain lists, rounded to DIGITS."""
    from sklearn.datasets import make_moons
    from sklearn.inspection import permutation_importance
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score, roc_curve
    from sklearn.model_selection import train_test_split
    from sklearn.neighbors import KNeighborsClassifier
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from components import datasets

    def r(values) -> list[float]:
        return [round(float(v), DIGITS) for v in np.ravel(values)]

    # Model gallery: a k-NN (k = 15) on 200 noisy moons, P(class 1) on a 40 x 30 grid around them.
    X, y = make_moons(200, noise=0.25, random_state=0)
    low, high = X.min(axis=0) - 0.2, X.max(axis=0) + 0.2
    g1, g2 = np.meshgrid(np.linspace(low[0], high[0], 40), np.linspace(low[1], high[1], 30))
    proba = KNeighborsClassifier(15).fit(X, y).predict_proba(np.column_stack([g1.ravel(), g2.ravel()]))[:, 1]
    # Evaluation and Beyond: a scaled logistic regression on churn, a stratified quarter held out.
    d = datasets.load("churn")
    X_tr, X_te, y_tr, y_te = train_test_split(d.X, d.y, test_size=0.25, random_state=42, stratify=d.y)
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000)).fit(X_tr, y_tr)
    scores = model.predict_proba(X_te)[:, 1]
    fpr, tpr, _ = roc_curve(y_te, scores)
    drops = permutation_importance(model, X_te, y_te, scoring="neg_log_loss", n_repeats=3, random_state=0, n_jobs=1)
    return {
        "moons": {"x1": r(X[:, 0]), "x2": r(X[:, 1]), "class": [int(v) for v in y],
                  "grid_x1": r(g1), "grid_x2": r(g2), "proba": r(proba)},
        "roc": {"fpr": r(fpr), "tpr": r(tpr), "auc": round(float(roc_auc_score(y_te, scores)), DIGITS)},
        "importance": {"feature": list(d.X.columns), "importance": r(drops.importances_mean)},
    }


@memo.cached(max_entries=1)
def stored_experiments() -> dict:
    return json.loads(EXPERIMENTS_FILE.read_text())


@memo.cached(max_entries=1)
def models_picture() -> dict:
    """Model gallery: a k-NN decision boundary on the moons (one image), train points on top."""
    moons = stored_experiments()["moons"]
    grid = pd.DataFrame({"x1": moons["grid_x1"], "x2": moons["grid_x2"], "proba": moons["proba"]})
    points = pd.DataFrame({"x1": moons["x1"], "x2": moons["x2"], "class": [str(c) for c in moons["class"]]})
    x_domain, y_domain = charts.image_extent(grid)
    cells = charts.image_layer(charts.probability_image(grid), x_domain, y_domain)
    dots = alt.Chart(points).mark_circle(size=14, opacity=0.9).encode(
        x=alt.X("x1:Q"), y=alt.Y("x2:Q"),
        color=alt.Color("class:N", scale=alt.Scale(range=[charts.BLUE, charts.ORANGE]), legend=None))
    chart = alt.layer(cells, dots).configure_axis(disable=True)
    return _picture(chart.properties(height=HEIGHT, width="container", title="k-NN boundary on the moons"))


@memo.cached(max_entries=1)
def evaluation_picture() -> dict:
    """Evaluation: the ROC curve of a logistic regression on the churn table, AUC in the title."""
    roc = stored_experiments()["roc"]
    frame = pd.DataFrame({"false positive rate": roc["fpr"], "true positive rate": roc["tpr"],
                          "order": range(len(roc["fpr"]))})
    curve = alt.Chart(frame).mark_line(color=charts.BLUE).encode(
        x=alt.X("false positive rate:Q", title=None), y=alt.Y("true positive rate:Q", title=None),
        order=alt.Order("order:Q"))
    chance = alt.Chart(pd.DataFrame({"a": [0, 1]})).mark_line(color="gray", strokeDash=[4, 4]).encode(
        x=alt.X("a:Q"), y=alt.Y("a:Q"))
    return _picture(alt.layer(chance, curve).properties(
        height=HEIGHT, width="container", title=f"ROC on churn, AUC {roc['auc']:.2f}"))


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
    return _picture(chart.properties(height=HEIGHT, width="container", title="Always 'no' at 5 % positives"))


@memo.cached(max_entries=1)
def beyond_picture() -> dict:
    """Interpretability: permutation importance (log loss, 3 repeats) of the churn model, top five."""
    stored = stored_experiments()["importance"]
    frame = pd.DataFrame(stored).nlargest(5, "importance")
    chart = alt.Chart(frame).mark_bar(color=charts.GREEN).encode(
        x=alt.X("importance:Q", title=None), y=alt.Y("feature:N", sort="-x", title=None))
    return _picture(chart.properties(height=HEIGHT, width="container", title="What drives churn"))


if __name__ == "__main__":
    EXPERIMENTS_FILE.write_text(json.dumps(experiments(), separators=(",", ":")) + "\n")
    print(f"wrote {EXPERIMENTS_FILE} ({EXPERIMENTS_FILE.stat().st_size:,} bytes)")

