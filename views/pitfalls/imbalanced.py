"""Imbalanced-data lab: shrink the minority class and watch accuracy lie, AP fall and remedies work."""
import time
from dataclasses import replace

import pandas as pd
import streamlit as st

from components import datasets, evaluation
from components import imbalanced as im
from components.ui import common, controls, show, threshold

EXPLANATION = (
    "The minority class is shrunk to the chosen share in both splits. The **majority-class accuracy** "
    "is what a model that never predicts the minority would score: one minus the minority share, so at "
    "small shares it is high while catching nothing (the accuracy paradox); compare the model's accuracy "
    "with it, and read recall. Resamplers run inside an imbalanced-learn pipeline, so only training rows "
    "are resampled; the class counts show what the model trained on. On a 2-D set, green diamonds are "
    "the synthetic points SMOTE/ADASYN (or SMOTE-ENN) made and black crosses mark the rows an "
    "under-sampler or cleaning step removed. ROC AUC is computed within each class (true-positive rate "
    "against false-positive rate), so the class balance itself does not enter it. Precision does: each "
    "false positive costs more when positives are rare, so the same ranking earns a lower average "
    "precision (AP, the area under the PR curve) at a smaller share. A model without skill has an AP "
    "about equal to the positive share, the no-skill line; a model's AP sits above that line when its "
    "ranking beats chance and falls toward it only as that skill vanishes. With rare positives, read the "
    "PR curve. Moving the threshold trades precision for recall without refitting.\n\n")


def shared_controls() -> im.Settings:
    """The controls every panel reads; the threshold lives in its panel, the comparison's switch in its."""
    c1, c2, c3 = st.columns(3)
    with c1:
        data_opt = controls.bound(st.selectbox, "Data", im.DATA_OPTIONS, index=im.DATA_OPTIONS.index(im.DATA_DEFAULT),
                                  key=im.DATA_KEY,
                                  help="The churn table, the sidebar's dataset, or a generated 2-D set to see the "
                                       "boundary move.")
        ratio = controls.bound(st.slider, "Minority share (both splits)", im.RATIO_MIN, im.RATIO_MAX,
                               im.RATIO_DEFAULT, im.RATIO_STEP, key=im.RATIO_KEY,
                               help="After a stratified split, minority rows are dropped at random until they make "
                                    "up this share of each split. The test split keeps the same share: that is the "
                                    "world the model will meet.")
    with c2:
        strategy = controls.bound(st.selectbox, "Strategy", im.STRATEGIES, index=im.STRATEGIES.index(im.STRATEGY_DEFAULT),
                                  key=im.STRATEGY_KEY, help="Resamplers run inside an imblearn Pipeline: training data only.")
        k = controls.bound(st.slider, "SMOTE / ADASYN neighbours (k)", im.K_MIN, im.K_MAX, im.K_DEFAULT, 1, key=im.K_KEY,
                           disabled=strategy not in im.USES_K,
                           help="How many minority neighbours a synthetic point may be interpolated towards.")
    with c3:
        weight = controls.bound(st.selectbox, "Class weight (cost-sensitive learning)", im.WEIGHTS,
                                index=im.WEIGHTS.index(im.WEIGHT_DEFAULT), key=im.WEIGHT_KEY)
        weight_ratio = controls.bound(st.slider, "Custom weight of the minority class", im.WEIGHT_RATIO_MIN,
                                      im.WEIGHT_RATIO_MAX, im.WEIGHT_RATIO_DEFAULT, 1, key=im.WEIGHT_RATIO_KEY,
                                      disabled=weight != "custom",
                                      help="Used when class weight is 'custom': a missed minority row costs this "
                                           "many majority rows.")
    name = common.dataset_name() if data_opt == im.SIDEBAR else data_opt
    if name in datasets.TWO_D:
        n_samples = int(st.session_state.get(common.N_SAMPLES_KEY, common.N_SAMPLES_DEFAULT))
        noise = float(st.session_state.get(common.NOISE_KEY, common.NOISE_DEFAULT))
    else:
        n_samples, noise = 0, 0.0
    return im.Settings(name, ratio, strategy, k, weight, weight_ratio,
                       float(st.session_state.get(im.THRESHOLD_KEY, im.THRESHOLD_DEFAULT)), common.seed(),
                       n_samples, noise)


def each_with_progress(steps: list, text: str) -> None:
    """Run the cached steps one by one (each is one strategy's fit, cached on its own inputs); a progress bar
    appears once a step has to compute (cache hits show none)."""
    bar = None
    for i, (label, step) in enumerate(steps):
        started = time.perf_counter()
        step()
        if bar is None and time.perf_counter() - started > 0.05:
            bar = st.progress(0.0, text=text)
        if bar is not None:
            bar.progress((i + 1) / len(steps), text=f"{text} {label} done ({i + 1} of {len(steps)}).")
    if bar is not None:
        bar.empty()


def data_caption(s: im.Settings, res: im.Result) -> None:
    """Which class is the minority, the split's counts, and what the slider can and cannot do."""
    split = im.split_at(s.data, s.ratio, s.seed, s.n_samples, s.noise)
    names = im.target_names(s.data, s.seed, s.n_samples, s.noise)
    share = float(split.y_train.mean())
    st.caption(f"**{s.data}**: positive (minority) class = **{names[split.positive]}** "
               f"(the least frequent; one-vs-rest if there are more classes). Training: {len(split.y_train)} rows, "
               f"{int(split.y_train.sum())} positive ({share:.1%}); test: {len(split.y_test)} rows, "
               f"{int(split.y_test.sum())} positive.")
    if s.ratio > share + 0.005:
        st.caption(f"The data's own minority share is {share:.1%}: the slider only removes minority rows, so any "
                   "share above it keeps them all (resampling, below, is what adds minority points).")
    if split.floored:
        st.warning(f"At this share a split would keep fewer than {im.MIN_POSITIVES} positives; "
                   f"{im.MIN_POSITIVES} are kept so that the curves and SMOTE still have something to work on.")
    if res.note:
        st.info(res.note)


@st.fragment
def threshold_panel(board: im.Dashboard, s: im.Settings) -> None:
    """The accuracy paradox and the threshold dashboard; reruns alone when the threshold moves (no refit, no
    chart rebuild: the charts follow the slider in the browser before this rerun)."""
    res = board.res
    st.subheader("The accuracy paradox and threshold moving")
    t = threshold.snap(controls.bound(
        st.slider, "Decision threshold", im.THRESHOLD_MIN, im.THRESHOLD_MAX, im.THRESHOLD_DEFAULT, im.THRESHOLD_STEP,
        key=im.THRESHOLD_KEY, help="Predict the minority class when P(minority) ≥ threshold. Moving it needs no refit."))
    m = im.threshold_metrics(res.y_test, res.proba, t)
    # two rows of three: six columns truncate "Majority-class accuracy" at 1280 px
    cols = st.columns(3)
    cols[0].metric("Majority-class accuracy", f"{im.majority_accuracy(res.y_test):.3f}",
                   help="Always predicting the majority class: its accuracy is the majority's share of the test "
                        "split, its recall zero.")
    cols[1].metric("Model accuracy", f"{m['accuracy']:.3f}")
    cols[2].metric("Balanced accuracy", f"{m['balanced_accuracy']:.3f}")
    cols = st.columns(3)
    cols[0].metric("Recall (minority)", f"{m['recall']:.3f}")
    cols[1].metric("Precision", f"{m['precision']:.3f}")
    cols[2].metric("F1", f"{m['f1']:.3f}")
    st.caption(im.paradox_sentence(im.majority_accuracy(res.y_test), m["accuracy"], m["recall"], t))
    cm = evaluation.confusion_at(res.y_test, res.proba, t)
    threshold.draw(board.specs, im.THRESHOLD_KEY, t)
    with st.expander("Confusion matrix at this threshold (table)"):
        st.dataframe(evaluation.confusion_frame(cm, "minority"), hide_index=True)
    common.show_code(im.script(replace(s, threshold=t), res.extra["strategy"], res.extra["n_pos_train"]))


def curve_tables(board: im.Dashboard) -> None:
    """The curves' numbers; outside the threshold panel because no threshold changes them."""
    with st.expander("ROC and PR numbers (tables)"):
        st.dataframe(pd.DataFrame({"ROC AUC": [board.auc], "average precision": [board.ap],
                                   "positive share in test": [float(board.res.y_test.mean())]}), hide_index=True)
        t1, t2 = st.columns(2)
        t1.dataframe(board.roc)
        t2.dataframe(board.pr)


def training_panel(board: im.Dashboard) -> None:
    """What the model trained on: the class counts before and after the remedy, and on a 2-D set the
    synthetic and removed points and the boundary."""
    res = board.res
    st.subheader("What the model trained on")
    # a wider right column when it holds the boundary chart (its legends need the room)
    left, right = show.columns([2, 3] if "boundary" in board.specs else 2)
    show.chart(board.specs["counts"], target=left)
    with left.expander("Class counts (table)"):
        st.dataframe(res.counts.pivot(index="stage", columns="class", values="count"))
    if "boundary" in board.specs:
        show.chart(board.specs["boundary"], target=right)
        with right.expander("Points (table)"):
            st.dataframe(res.points.groupby(["label", "marker"]).size().rename("points").reset_index())
    else:
        right.info("Pick a generated 2-D set under *Data* (moons, circles, blobs, xor) to see the synthetic "
                   "points SMOTE makes and how they move the decision boundary.")


def sweep_panel(s: im.Settings) -> None:
    """The plain model refitted at every share (seven fits, each cached): drawn after the light panels; the
    share slider moves only the chart's dashed rule."""
    st.subheader("ROC AUC vs average precision as the minority shrinks")
    each_with_progress([(f"share {r:g}", lambda r=r: im.plain_fit(s.data, r, s.seed, s.n_samples, s.noise))
                        for r in im.RATIO_SWEEP], "Refitting the plain model at every share:")
    sw, spec = im.sweep_view(s.data, s.seed, s.n_samples, s.noise)
    show.chart(spec, moving={im.RULE: [{"minority share": s.ratio}]})
    st.caption(f"Plain model (no remedy) refitted at each share on the same split; the dashed line is the slider "
               f"({s.ratio:.2f}). Shares with fewer than about 10 test positives rest on a handful of rows. "
               "The no-skill AP is the test split's actual positive share, the AP of a model that gives every "
               "row the same score (a random ranking scores about the same, a little more when positives are "
               "few). It stops rising at the data's own share, since dropping minority rows cannot make a split "
               "more balanced. " + im.sweep_sentence(sw))
    with st.expander("ROC AUC and AP per share (table)"):
        st.dataframe(sw.pivot(index="minority share", columns="metric", values="value"))


def comparison_panel(s: im.Settings) -> None:
    """Every remedy on the same split, on request: each strategy's fit cached on its own inputs, so the k
    slider refits only the three strategies that use it."""
    st.subheader("Every strategy on the same split")
    if not controls.bound(st.toggle, "Compare every strategy (10 fits, threshold 0.5)", value=False,
                          key=im.COMPARE_KEY):
        return
    each_with_progress([(label, lambda label=label: im.comparison_fit(s.data, s.ratio, label, s.k, s.seed,
                                                                       s.n_samples, s.noise))
                        for label in im.COMPARED], "Fitting every strategy:")
    table, spec = im.comparison(s.data, s.ratio, s.k, s.seed, s.n_samples, s.noise)
    show.chart(spec)
    st.dataframe(table.style.format(precision=3), hide_index=True)


def render() -> None:
    settings = shared_controls()
    task = datasets.REGISTRY[settings.data].task
    if task != datasets.CLASSIFICATION:
        st.info(f"This page needs a classification dataset and **{settings.data}** is {task}. Pick another dataset "
                "in the sidebar, or a generated 2-D set under *Data*.")
        return
    board = im.dashboard(settings.data, settings.ratio, *settings.fit_key, settings.seed, settings.n_samples,
                         settings.noise)
    data_caption(settings, board.res)
    # light panels first (the chosen strategy's one fit), then the comparisons that refit many models
    threshold_panel(board, settings)
    curve_tables(board)
    training_panel(board)
    sweep_panel(settings)
    comparison_panel(settings)
    common.page_footer(None, EXPLANATION + "**On screen now:** " + im.ap_sentence(
        board.auc, board.ap, float(board.res.y_test.mean())))


st.title("Imbalanced data")
st.caption("Shrink the minority class, then try the remedies: resampling inside a pipeline, class weights, "
           "balanced ensembles and moving the threshold.")
render()
