"""Evaluation cockpit: one threshold slider drives the confusion matrix, the metrics, the ROC and
precision-recall operating points and the metrics-vs-threshold rule, over cached predictions."""
from dataclasses import replace

import pandas as pd
import streamlit as st

from components import charts, cockpit, datasets, models
from components import evaluation as ev
from components.ui import common, threshold

QUESTIONS = [
    "Why split into training and test sets, and why stratify the split?",
    "What is k-fold cross-validation, and when do you need stratified or shuffled folds?",
    "Define accuracy, precision, recall, F1 and specificity from the confusion matrix.",
    "What does the ROC curve plot, and what does an AUC of 0.5 or 1.0 mean?",
    "When is the precision-recall curve more informative than the ROC curve?",
    "How does moving the decision threshold trade precision against recall?",
]

EXPLANATION = """
The model is fitted **once** on the training split; it gives every test row a score, the predicted
probability of the positive class. The **threshold** turns scores into decisions (positive when
score ≥ threshold), so moving it re-counts the confusion matrix without refitting: lower it and
recall rises while precision usually falls. The ROC curve and the precision-recall curve are every
threshold at once; the red dot is the one you chose. AUC is the chance that a random positive
scores above a random negative. Average precision (AP) summarises the PR curve. Its no-skill line
is the share of positives: a model that gives every row the same score has exactly that AP, a random
ranking about that (a little more when positives are few). A model's AP sits above the line when its
ranking beats chance and falls toward it only as that skill vanishes. For the same ranking quality, AP
is lower when positives are rarer (each false positive costs more precision), while ROC AUC, computed
within each class, does not depend on the class balance: AP reacts to rare classes where ROC AUC does not.
**k-fold cross-validation** refits the model k times, each time testing on a different fold:
the spread of the fold scores is the uncertainty a single split hides. Turn shuffling and
stratification off on *iris* or *wine* (rows sorted by class) to watch folds go wrong.
"""


@st.cache_data(max_entries=64, show_spinner="Fitting the model…")
def holdout_bundle(_ds: datasets.Dataset, ds_key: tuple, positive: str, positive_index: int, model: str, value,
                   test_size: float, stratify: bool, seed: int) -> dict:
    """Fit once; keep the test scores, every threshold-independent curve, and the charts' specs
    (the threshold is a parameter inside them, so a threshold move only swaps its value)."""
    y = ev.binarize(_ds.y, positive_index)
    h = ev.fit_holdout(_ds.X, y, model, value, test_size, stratify, seed)
    roc, auc = ev.roc_frame(h.y_test, h.scores)
    pr, ap = ev.pr_frame(h.y_test, h.scores)
    sweep = ev.threshold_sweep(h.y_test, h.scores)
    specs = threshold.build_specs(h.y_test, h.scores, positive, roc, auc, pr, ap, sweep)
    return {"holdout": h, "roc": roc, "auc": auc, "pr": pr, "ap": ap, "sweep": sweep, "specs": specs}


@st.cache_data(max_entries=64, show_spinner="Fitting one model per fold…")
def folds_bundle(_ds: datasets.Dataset, ds_key: tuple, positive_index: int, model: str, value, k: int,
                 stratified: bool, shuffle: bool, seed: int) -> dict:
    result = ev.cross_validate_folds(_ds.X, ev.binarize(_ds.y, positive_index), model, value, k,
                                     stratified, shuffle, seed)
    return {"scores": result.scores,
            "spec": charts.folds_spec(ev.fold_runs(result.assignment))}


def setup_controls(ds: datasets.Dataset) -> cockpit.CockpitSettings:
    c1, c2, c3, c4 = st.columns(4)
    model = c1.selectbox("Model", models.MODEL_NAMES, key=ev.MODEL_KEY, bind="query-params")
    spec = models.CLASSIFIERS[model]
    value = c2.select_slider(spec.param_label, spec.options, value=spec.default, key=spec.key,
                             bind="query-params", help=spec.why)
    lo, hi, step = ev.TEST_SIZE_RANGE
    test_size = c3.slider("Test share", lo, hi, ev.TEST_SIZE_DEFAULT, step, key=ev.TEST_SIZE_KEY,
                          bind="query-params", help="Share of rows held out for the test split.")
    stratify = c4.toggle("Stratified split", True, key=ev.STRATIFY_KEY, bind="query-params",
                         help="Keep the class shares equal in the training and test splits.")
    c1, c2, c3, c4 = st.columns(4)
    default = ev.default_positive(ds.name, ds.target_names)
    positive = c1.selectbox("Positive class", ds.target_names, index=ds.target_names.index(default),
                            key=ev.POSITIVE_KEY, bind="query-params",
                            help="The class the metrics are about; every other class is negative "
                                 "(one-vs-rest).")
    k = c2.slider("k (folds)", *ev.FOLDS_RANGE, ev.FOLDS_DEFAULT, key=ev.FOLDS_KEY, bind="query-params")
    cv_stratified = c3.toggle("Stratified folds", True, key=ev.CV_STRATIFIED_KEY, bind="query-params")
    cv_shuffle = c4.toggle("Shuffle before folding", True, key=ev.CV_SHUFFLE_KEY, bind="query-params")
    ds_key = common.dataset_key(allow_upload=True)
    generated = ds.name in datasets.TWO_D  # key: (name, n_samples, noise, seed)
    return cockpit.CockpitSettings(
        dataset=ds.name, upload_target=ds_key[2] if ds.name == datasets.UPLOAD else "", positive=positive, positive_index=ds.target_names.index(positive), model=model,
        value=value, test_size=float(test_size), stratify=stratify, k=int(k), cv_stratified=cv_stratified,
        cv_shuffle=cv_shuffle, threshold=ev.THRESHOLD_DEFAULT, seed=common.seed(),
        n_samples=ds_key[1] if generated else 300, noise=ds_key[2] if generated else 0.25)


@st.fragment
def threshold_view(bundle: dict, settings: cockpit.CockpitSettings) -> None:
    """Everything the threshold changes; reruns alone when the slider moves (no refit, no re-split)."""
    h: ev.Holdout = bundle["holdout"]
    t = threshold.snap(st.slider("Decision threshold: predict positive when P(positive) ≥ threshold", 0.0, 1.0,
                                 ev.THRESHOLD_DEFAULT, ev.THRESHOLD_STEP, key=ev.THRESHOLD_KEY,
                                 bind="query-params"))
    cm = ev.confusion_at(h.y_test, h.scores, t)
    (tn, fp), (fn, tp) = cm
    scores = ev.metrics_from_counts(tn, fp, fn, tp)
    for col, name in zip(st.columns(len(ev.METRIC_NAMES)), ev.METRIC_NAMES):
        col.metric(name, f"{scores[name]:.3f}")
    st.caption(f"Test split: {len(h.y_test)} rows, {int(h.y_test.sum())} positive (“{settings.positive}”). "
               f"Training split: {h.n_train} rows, {h.train_positive} positive. "
               + ("No row is predicted positive at this threshold: precision is undefined and shown as 0."
                  if tp + fp == 0 else ""))

    cells = ev.confusion_frame(cm, settings.positive)
    threshold.draw(bundle["specs"], t)

    with st.expander("Confusion matrix at this threshold (table)"):
        st.dataframe(cells, hide_index=True)
    common.show_code(cockpit.script(replace(settings, threshold=t)))


def curve_tables(bundle: dict) -> None:
    """The curves' numbers; outside the fragment because no threshold changes them."""
    with st.expander("Every threshold at once: ROC, precision-recall and metric tables"):
        t1, t2, t3 = st.tabs(["ROC points", "Precision-recall points", "Metrics vs threshold"])
        t1.dataframe(bundle["roc"], hide_index=True)
        t2.dataframe(bundle["pr"], hide_index=True)
        t3.dataframe(bundle["sweep"].pivot(index="threshold", columns="metric", values="value")
                     [list(ev.METRIC_NAMES)])


def folds_view(folds: dict, k: int) -> None:
    st.subheader(f"{k}-fold cross-validation")
    scores: pd.DataFrame = folds["scores"]
    summary = ev.fold_summary(scores)
    c1, c2, c3 = st.columns(3)
    for col, name in zip((c1, c2, c3), ("accuracy", "ROC AUC", "F1")):
        mean, std, defined = summary.loc[name, "mean"], summary.loc[name, "std"], int(summary.loc[name, "folds"])
        col.metric(f"mean {name} over folds", "n/a" if defined == 0 else f"{mean:.3f}",
                   help="Mean ± standard deviation (ddof=1) across the folds where the score is defined; accuracy "
                        "and F1 at threshold 0.5. ROC AUC needs both classes in a fold's test rows, F1 a positive.")
        spread = "" if defined < 2 else f"± {std:.3f} (std over folds)"
        if defined < k:
            why = "test one class only" if name == "ROC AUC" else "test no positive"
            col.caption(f"over {defined} of {k} folds: {k - defined} {why}" + (f"; {spread}" if spread else ""))
        else:
            col.caption(spread)
    st.vega_lite_chart(spec=folds["spec"])
    st.caption("Every row in file order; the top lane shows each row's class. Grey rows train, red rows test.")
    with st.expander("Per-fold scores (table)"):
        st.dataframe(scores.style.format({"positive share": "{:.1%}", "accuracy": "{:.3f}",
                                          "ROC AUC": "{:.3f}", "F1": "{:.3f}"}), hide_index=True)
        st.dataframe(summary)


st.title("Evaluation cockpit")
st.caption("Train/test split, k-fold cross-validation, the confusion matrix, ROC and precision-recall: "
           "one threshold drives them all.")
ds = common.current_dataset(allow_upload=True)
if common.require_task(ds, datasets.CLASSIFICATION):
    settings = setup_controls(ds)
    key = common.dataset_key(allow_upload=True)
    bundle = holdout_bundle(ds, key, settings.positive, settings.positive_index, settings.model, settings.value,
                            settings.test_size, settings.stratify, settings.seed)
    st.subheader("Hold-out evaluation at a threshold")
    threshold_view(bundle, settings)
    curve_tables(bundle)
    # the k fold fits come after the hold-out charts are drawn: a new model shows its curves after
    # one fit, not k + 1 (gradient boosting: ~150 ms against ~900)
    folds = folds_bundle(ds, key, settings.positive_index, settings.model, settings.value, settings.k,
                         settings.cv_stratified, settings.cv_shuffle, settings.seed)
    folds_view(folds, settings.k)
common.page_footer(QUESTIONS, None, EXPLANATION)
