"""Imbalanced-data lab: shrink the minority class and watch accuracy lie, AP fall and remedies work."""
import altair as alt
import pandas as pd
import streamlit as st

from components import charts, datasets, evaluation
from components import imbalanced as im
from components.ui import common, controls, threshold

st.title("Imbalanced data")
st.caption("Shrink the minority class, then try the remedies: resampling inside a pipeline, class weights, "
           "balanced ensembles and moving the threshold.")

c1, c2, c3 = st.columns(3)
with c1:
    data_opt = controls.bound(st.selectbox, "Data", im.DATA_OPTIONS, index=im.DATA_OPTIONS.index(im.DATA_DEFAULT),
                            key=im.DATA_KEY,
                            help="The churn table, the sidebar's dataset, or a generated 2-D set to see the "
                                 "boundary move.")
    ratio = controls.bound(st.slider, "Minority share (both splits)", im.RATIO_MIN, im.RATIO_MAX, im.RATIO_DEFAULT,
                      im.RATIO_STEP, key=im.RATIO_KEY,
                      help="After a stratified split, minority rows are dropped at random until they make up "
                           "this share of each split. The test split keeps the same share: that is the world "
                           "the model will meet.")
with c2:
    strategy = controls.bound(st.selectbox, "Strategy", im.STRATEGIES, index=im.STRATEGIES.index(im.STRATEGY_DEFAULT),
                            key=im.STRATEGY_KEY,
                            help="Resamplers run inside an imblearn Pipeline: training data only.")
    k = controls.bound(st.slider, "SMOTE / ADASYN neighbours (k)", im.K_MIN, im.K_MAX, im.K_DEFAULT, 1, key=im.K_KEY, disabled=strategy not in im.USES_K,
                  help="How many minority neighbours a synthetic point may be interpolated towards.")
with c3:
    weight = controls.bound(st.selectbox, "Class weight (cost-sensitive learning)", im.WEIGHTS,
                          index=im.WEIGHTS.index(im.WEIGHT_DEFAULT), key=im.WEIGHT_KEY)
    weight_ratio = controls.bound(st.slider, "Custom weight of the minority class", im.WEIGHT_RATIO_MIN, im.WEIGHT_RATIO_MAX,
                             im.WEIGHT_RATIO_DEFAULT, 1, key=im.WEIGHT_RATIO_KEY,
                             disabled=weight != "custom",
                             help="Used when class weight is 'custom': a missed minority row costs this many "
                                  "majority rows.")

name = common.dataset_name() if data_opt == im.SIDEBAR else data_opt
two_d = name in datasets.TWO_D
if two_d:
    n_samples, noise = int(st.session_state.get(common.N_SAMPLES_KEY, common.N_SAMPLES_DEFAULT)), \
        float(st.session_state.get(common.NOISE_KEY, common.NOISE_DEFAULT))
else:
    n_samples, noise = 0, 0.0
seed = common.seed()
# Settings a strategy ignores are normalised so that moving them never refits (their sliders are disabled).
k_used = k if strategy in im.USES_K else im.K_DEFAULT
weight_ratio_used = weight_ratio if weight == "custom" else im.WEIGHT_RATIO_DEFAULT


@st.cache_data(max_entries=16, show_spinner=False)
def target_names(name: str, seed: int, n_samples: int, noise: float) -> tuple:
    return tuple(datasets.load(name, n_samples=n_samples, noise=noise, seed=seed).target_names)


@st.cache_data(max_entries=64, show_spinner=False)
def load_split(name: str, ratio: float, seed: int, n_samples: int, noise: float) -> im.Split:
    ds = datasets.load(name, n_samples=n_samples, noise=noise, seed=seed)
    return im.make_split(ds.X, ds.y, ratio, seed)


@st.cache_data(max_entries=64, show_spinner=False)
def fit(name, ratio, strategy, k, weight, weight_ratio, seed, n_samples, noise) -> dict:
    """Fit once; keep the result, the threshold-free curves and every chart's spec (a threshold move
    swaps the threshold's tiny datasets into them: no refit, no chart rebuild, no re-embed).
    Specs skip Altair's schema validation (a third of the build time on a refit); tests validate them."""
    split = load_split(name, ratio, seed, n_samples, noise)
    res = im.fit_strategy(split, strategy, k, weight, weight_ratio, seed, name in datasets.TWO_D)
    roc, auc = evaluation.roc_frame(res.y_test, res.proba)
    pr, ap = evaluation.pr_frame(res.y_test, res.proba)
    specs = {
        "counts": charts.bar_chart(res.counts, x="count", y="stage", color="class", sort=None, height=200,
                                   title="Training rows per class").to_dict(validate=False),
        **charts.threshold_specs(res.y_test, res.proba, "minority", roc, auc, pr, ap,
                                 evaluation.threshold_sweep(res.y_test, res.proba)),
    }
    if res.grid is not None:
        base = res.points[res.points["marker"] != "synthetic"]
        extra = charts.marked_points_layer(res.points)
        if (strategy, weight) != (im.NONE, "none"):  # the plain model's boundary, to see how far the remedy moved it
            plain = fit(name, ratio, im.NONE, im.K_DEFAULT, "none", im.WEIGHT_RATIO_DEFAULT, seed, n_samples,
                        noise)["res"]
            extra = charts.reference_boundary_layer(plain.grid, "plain model (no remedy)", over=extra)
        specs["boundary"] = charts.boundary_chart(
            res.grid, base, height=380, extra=extra,
            title=f"{res.extra['strategy']}: boundary on the training data",
        ).to_dict(validate=False)
    return {"res": res, "roc": roc, "auc": auc, "pr": pr, "ap": ap, "specs": specs}


@st.cache_data(max_entries=16, show_spinner=False)
def sweep(name, seed, n_samples, noise) -> pd.DataFrame:
    ds = datasets.load(name, n_samples=n_samples, noise=noise, seed=seed)
    return im.ratio_sweep(ds.X, ds.y, seed, name in datasets.TWO_D)


@st.cache_data(max_entries=64, show_spinner=False)
def sweep_spec(name, seed, n_samples, noise, ratio) -> dict:
    """The sweep (refitted once per dataset) with a dashed rule at the share slider's value."""
    sw = sweep(name, seed, n_samples, noise)
    chart = charts.line_chart(sw, "minority share", "value", color="metric", log_x=True, y_title="score",
                              height=260, title="No resampling: ROC AUC and AP as the minority share falls")
    # the log axis would otherwise run on to 1 although the largest share is 0.5
    chart.encoding.x.scale = alt.Scale(type="log", domain=[float(sw["minority share"].min()),
                                                           float(sw["minority share"].max())], nice=False)
    here = alt.Chart(pd.DataFrame({"minority share": [ratio]})).mark_rule(color="black", strokeDash=[4, 4]).encode(
        x=alt.X("minority share:Q"))
    return (chart + here).to_dict()


@st.cache_data(max_entries=16, show_spinner=False)
def compare(name, ratio, k, seed, n_samples, noise) -> tuple[pd.DataFrame, dict]:
    split = load_split(name, ratio, seed, n_samples, noise)
    table = im.compare_strategies(split, k, seed, name in datasets.TWO_D)
    long = table.melt(id_vars="strategy", value_vars=["recall", "precision", "balanced accuracy", "AP"],
                      var_name="metric", value_name="score")
    spec = charts.bar_chart(long, x="score", y="strategy", color="metric", sort=None, height=520,
                            title="Same split, different remedies (logistic regression; the balanced "
                                  "ensembles bring their own trees)").to_dict()
    return table, spec


@st.fragment
def threshold_panel(bundle: dict) -> None:
    """Everything the threshold changes; reruns alone when the slider moves (no refit, no chart rebuild)."""
    res: im.Result = bundle["res"]
    st.subheader("The accuracy paradox and threshold moving")
    t = threshold.snap(controls.bound(st.slider,
        "Decision threshold", im.THRESHOLD_MIN, im.THRESHOLD_MAX, im.THRESHOLD_DEFAULT, im.THRESHOLD_STEP,
        key=im.THRESHOLD_KEY,
        help="Predict the minority class when P(minority) ≥ threshold. Moving it needs no refit."))
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
    threshold.draw(bundle["specs"], evaluation.threshold_frames(cm, t, "minority", bundle["roc"], bundle["pr"]))
    with st.expander("Confusion matrix, ROC and PR numbers (tables)"):
        st.dataframe(evaluation.confusion_frame(cm, "minority"), hide_index=True)
        st.dataframe(pd.DataFrame({"ROC AUC": [bundle["auc"]], "average precision": [bundle["ap"]],
                                   "positive share in test": [float(res.y_test.mean())]}), hide_index=True)
        t1, t2 = st.columns(2)
        t1.dataframe(bundle["roc"])
        t2.dataframe(bundle["pr"])


def render() -> None:
    ds_task = datasets.REGISTRY[name].task
    if ds_task != datasets.CLASSIFICATION:
        st.info(f"This page needs a classification dataset and **{name}** is {ds_task}. Pick another dataset in "
                "the sidebar, or a generated 2-D set under *Data*.")
        return

    split = load_split(name, ratio, seed, n_samples, noise)
    with st.spinner("Fitting…"):
        bundle = fit(name, ratio, strategy, k_used, weight, weight_ratio_used, seed, n_samples, noise)
    res: im.Result = bundle["res"]
    names = target_names(name, seed, n_samples, noise)
    share = float(split.y_train.mean())
    st.caption(f"**{name}**: positive (minority) class = **{names[split.positive]}** "
               f"(the least frequent; one-vs-rest if there are more classes). Training: {len(split.y_train)} rows, "
               f"{int(split.y_train.sum())} positive ({share:.1%}); test: {len(split.y_test)} rows, "
               f"{int(split.y_test.sum())} positive.")
    if ratio > share + 0.005:
        st.caption(f"The data's own minority share is {share:.1%}: the slider only removes minority rows, so any "
                   "share above it keeps them all (resampling, below, is what adds minority points).")
    if split.floored:
        st.warning(f"At this share a split would keep fewer than {im.MIN_POSITIVES} positives; "
                   f"{im.MIN_POSITIVES} are kept so that the curves and SMOTE still have something to work on.")
    if res.note:
        st.info(res.note)

    # a wider right column when it holds the boundary chart (its legends need the room)
    left, right = st.columns([2, 3] if "boundary" in bundle["specs"] else 2)
    with left:
        st.vega_lite_chart(spec=bundle["specs"]["counts"])
        with st.expander("Class counts (table)"):
            st.dataframe(res.counts.pivot(index="stage", columns="class", values="count"))
    with right:
        if "boundary" in bundle["specs"]:
            st.vega_lite_chart(spec=bundle["specs"]["boundary"])
            with st.expander("Points (table)"):
                st.dataframe(res.points.groupby(["label", "marker"]).size().rename("points").reset_index())
        else:
            st.info("Pick a generated 2-D set under *Data* (moons, circles, blobs, xor) to see the synthetic "
                    "points SMOTE makes and how they move the decision boundary.")

    threshold_panel(bundle)

    st.subheader("ROC AUC vs average precision as the minority shrinks")
    with st.spinner("Refitting the plain model at every share…"):
        sw = sweep(name, seed, n_samples, noise)
        st.vega_lite_chart(spec=sweep_spec(name, seed, n_samples, noise, ratio))
    st.caption(f"Plain model (no remedy) refitted at each share on the same split; the dashed line is the slider "
               f"({ratio:.2f}). Shares with fewer than about 10 test positives rest on a handful of rows. "
               "The no-skill AP is the test split's actual positive share, the AP of a model that gives every "
               "row the same score (a random ranking scores about the same, a little more when positives are "
               "few). It stops rising at the data's own share, since dropping minority rows cannot make a split "
               "more balanced. " + im.sweep_sentence(sw))
    with st.expander("ROC AUC and AP per share (table)"):
        st.dataframe(sw.pivot(index="minority share", columns="metric", values="value"))

    st.subheader("Every strategy on the same split")
    if controls.bound(st.toggle, "Compare every strategy (10 fits, threshold 0.5)", value=False, key=im.COMPARE_KEY):
        with st.spinner("Fitting every strategy…"):
            table, spec = compare(name, ratio, k, seed, n_samples, noise)
        st.vega_lite_chart(spec=spec)
        st.dataframe(table.style.format(precision=3), hide_index=True)

    common.page_footer(
        questions=[
            "Why is accuracy misleading on imbalanced data (the accuracy paradox)?",
            "Which metrics would you use instead: recall, precision, F1, balanced accuracy, PR AUC?",
            "ROC AUC or precision–recall AUC when positives are rare, and why?",
            "How does SMOTE create synthetic samples, and what can go wrong with it?",
            "Oversampling vs undersampling: trade-offs? What do Tomek links and ENN remove?",
            "What is cost-sensitive learning (class weights)?",
            "How do balanced ensembles (BalancedRandomForest, EasyEnsemble) handle imbalance?",
            "Why must resampling happen inside the cross-validation folds, never before the split?",
            "How does moving the decision threshold help with an imbalanced problem?",
        ],
        code=im.export_code(name, ratio, res.extra["strategy"], k, weight, weight_ratio,
                            float(st.session_state.get(im.THRESHOLD_KEY, im.THRESHOLD_DEFAULT)), seed,
                            n_samples or 300, noise, n_pos_train=res.extra["n_pos_train"]),
        explanation=(
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
            "PR curve. Moving the threshold trades precision for recall without refitting.\n\n"
            f"**On screen now:** {im.ap_sentence(bundle['auc'], bundle['ap'], float(res.y_test.mean()))}"),
    )


render()
