"""Evaluation cockpit: one threshold slider drives the confusion matrix, the metrics, the ROC and
precision-recall operating points and the metrics-vs-threshold rule, over cached predictions."""
from dataclasses import replace

import streamlit as st

from components import cockpit, datasets, models
from components import evaluation as ev
from components.ui import common, controls, show, threshold

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


def shared_controls(ds: datasets.Dataset) -> cockpit.CockpitSettings:
    """The controls every panel reads; the threshold and the fold controls live in their panels."""
    c1, c2, c3, c4 = st.columns(4)
    model = controls.bound(c1.selectbox, "Model", models.MODEL_NAMES, key=ev.MODEL_KEY)
    spec = models.CLASSIFIERS[model]
    value = controls.bound(c2.select_slider, spec.param_label, spec.options, value=spec.default, key=spec.key, help=spec.why)
    default = ev.default_positive(ds.name, ds.target_names)
    positive = controls.bound(c3.selectbox, "Positive class", ds.target_names, index=ds.target_names.index(default),
                            key=ev.POSITIVE_KEY,
                            help="The class the metrics are about; every other class is negative "
                                 "(one-vs-rest).")
    lo, hi, step = ev.TEST_SIZE_RANGE
    with c4:
        test_size = controls.bound(st.slider, "Test share", lo, hi, ev.TEST_SIZE_DEFAULT, step, key=ev.TEST_SIZE_KEY, help="Share of rows held out for the test split.")
        stratify = controls.bound(st.toggle, "Stratified split", True, key=ev.STRATIFY_KEY,
                             help="Keep the class shares equal in the training and test splits.")
    ds_key = common.dataset_key(allow_upload=True)
    generated = ds.name in datasets.TWO_D  # key: (name, n_samples, noise, seed)
    return cockpit.CockpitSettings(
        dataset=ds.name, upload_target=ds_key[2] if ds.name == datasets.UPLOAD else "", positive=positive,
        positive_index=ds.target_names.index(positive), model=model, value=value, test_size=float(test_size),
        stratify=stratify, k=ev.FOLDS_DEFAULT, cv_stratified=True, cv_shuffle=True,
        threshold=ev.THRESHOLD_DEFAULT, seed=common.seed(), n_samples=ds_key[1] if generated else 300,
        noise=ds_key[2] if generated else 0.25, data_key=ds_key)


@st.fragment
def threshold_panel(h: cockpit.Holdout, settings: cockpit.CockpitSettings) -> None:
    """Everything the threshold changes; reruns alone when the slider moves (no refit, no re-split). The
    charts follow the slider in the browser before this rerun (components/ui/threshold.py)."""
    fit = h.fit
    t = threshold.snap(controls.bound(st.slider, "Decision threshold: predict positive when P(positive) ≥ threshold", 0.0, 1.0,
                                 ev.THRESHOLD_DEFAULT, ev.THRESHOLD_STEP, key=ev.THRESHOLD_KEY))
    cm = ev.confusion_at(fit.y_test, fit.scores, t)
    (tn, fp), (fn, tp) = cm
    scores = ev.metrics_from_counts(tn, fp, fn, tp)
    for col, name in zip(st.columns(len(ev.METRIC_NAMES)), ev.METRIC_NAMES):
        col.metric(name, f"{scores[name]:.3f}")
    st.caption(f"Test split: {len(fit.y_test)} rows, {int(fit.y_test.sum())} positive (“{controls.escape(settings.positive)}”). "
               f"Training split: {fit.n_train} rows, {fit.train_positive} positive. "
               + ("No row is predicted positive at this threshold: precision is undefined and shown as 0."
                  if tp + fp == 0 else ""))
    threshold.draw(h.specs, ev.THRESHOLD_KEY, t)
    with st.expander("Confusion matrix at this threshold (table)"):
        st.dataframe(ev.confusion_frame(cm, settings.positive), hide_index=True)
    common.show_code(cockpit.holdout_script(replace(settings, threshold=t)))


def curve_tables(h: cockpit.Holdout) -> None:
    """The curves' numbers; outside the threshold panel because no threshold changes them."""
    with st.expander("Every threshold at once: ROC, precision-recall and metric tables"):
        t1, t2, t3 = st.tabs(["ROC points", "Precision-recall points", "Metrics vs threshold"])
        t1.dataframe(h.roc, hide_index=True)
        t2.dataframe(h.pr, hide_index=True)
        t3.dataframe(h.sweep.pivot(index="threshold", columns="metric", values="value")[list(ev.METRIC_NAMES)])


@st.fragment
def folds_panel(ds: datasets.Dataset, settings: cockpit.CockpitSettings) -> None:
    """k-fold cross-validation with its own controls: they rerun this panel only."""
    c1, c2, c3 = st.columns([2, 1, 1])
    k = controls.bound(c1.slider, "k (folds)", *ev.FOLDS_RANGE, ev.FOLDS_DEFAULT, key=ev.FOLDS_KEY)
    stratified = controls.bound(c2.toggle, "Stratified folds", True, key=ev.CV_STRATIFIED_KEY)
    shuffle = controls.bound(c3.toggle, "Shuffle before folding", True, key=ev.CV_SHUFFLE_KEY)
    # the folds' chart first: it needs no fit, so it is on screen while the k models are fitted
    columns = st.columns(3)
    show.chart(cockpit.folds_layout(ds, settings.data_key, settings.positive_index, k, stratified, shuffle,
                                    settings.seed))
    st.caption("Every row in file order; the top lane shows each row's class. Grey rows train, red rows test.")
    scores = cockpit.folds(ds, settings.data_key, settings.positive_index, settings.model, settings.value,
                           k, stratified, shuffle, settings.seed)
    summary = ev.fold_summary(scores)
    for col, name in zip(columns, ("accuracy", "ROC AUC", "F1")):
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
    with st.expander("Per-fold scores (table)"):
        st.dataframe(scores.style.format({"positive share": "{:.1%}", "accuracy": "{:.3f}",
                                          "ROC AUC": "{:.3f}", "F1": "{:.3f}"}), hide_index=True)
        st.dataframe(summary)
    common.show_code(cockpit.folds_script(replace(settings, k=k, cv_stratified=stratified, cv_shuffle=shuffle)))


st.title("Evaluation cockpit")
st.caption("Train/test split, k-fold cross-validation, the confusion matrix, ROC and precision-recall: "
           "one threshold drives them all.")
ds = common.current_dataset(allow_upload=True)
if common.require_task(ds, datasets.CLASSIFICATION):
    settings = shared_controls(ds)
    h = cockpit.holdout(ds, settings.data_key, settings.positive, settings.positive_index, settings.model,
                        settings.value, settings.test_size, settings.stratify, settings.seed)
    st.subheader("Hold-out evaluation at a threshold")
    threshold_panel(h, settings)
    curve_tables(h)
    # the k fold fits come after the hold-out charts are drawn: a new model shows its curves after
    # one fit, not k + 1 (gradient boosting: ~150 ms against ~900)
    st.subheader("k-fold cross-validation")
    folds_panel(ds, settings)
common.page_footer(None, EXPLANATION)
