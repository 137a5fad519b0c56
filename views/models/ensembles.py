"""Ensembles lab: bagging (bootstrap trees, their vote, out-of-bag score, variance reduction) and
boosting (AdaBoost's sample weights round by round, staged errors, gradient boosting beside it).

The number of trees in the vote, the rounds and the round shown are scrubbing controls: they live in
their panel's fragment, and the charts, built once per fit with every position of those sliders, follow
them in the browser before the panel reruns. Fits are cached per setting (components/ensembles.py); the
bias-variance refits come last."""
from dataclasses import replace

import pandas as pd
import streamlit as st

from components import datasets
from components import ensembles as e
from components.ui import common, controls, show

EXPLANATION = {
    "Bagging": """**Bagging** (bootstrap aggregating) fits many full-depth trees, each on its own sample of the
training rows (with *bootstrap* on, drawn with replacement; *max samples* sets how many draws), and averages
their predicted probabilities (for full-depth trees, nearly 0/1 votes). Each member is jagged and fits its
own sample (the small boundaries). A bootstrap sample of n draws from n rows misses each row with chance
(1 − 1/n)ⁿ ≈ 37 %: predicting each row with only the trees whose sample missed it gives the **out-of-bag
score**, a validation estimate without a hold-out set.
The **bias-variance chart** refits the whole bagged ensemble on independent training sets, as the textbook
decomposition defines it: each is drawn afresh from the generator of the 2-D set (the same shape and noise;
for *blobs*, the same two centres), as large as the training split. At the test points it measures how far
the predicted P(class 1) swings between them (**variance**) and the squared gap between its average and the
test label (**bias² + noise**; the labels' own noise is in it, and no model removes that). Their sum is the
expected squared error. Averaging k trees leaves the expected prediction where one tree has it, so averaging can
only cut the variance, and only as far as the trees differ. Switch bootstrap off and every tree sees the
same full data: the trees differ only where two splits tie and each tree's seed picks another, so the
vote removes far less variance; pasting (no bootstrap, *max samples* < 1) makes them differ again.""",
    "Boosting": """**AdaBoost** fits weak learners (depth-1 trees, stumps, by default here) one after another.
After each round the points the new learner got wrong gain weight (bigger dots) and the ones it got right
lose weight, so the next learner concentrates on the hard cases; each learner's vote (alpha) grows with
its accuracy on the weighted points. Both boosters are fitted once with the rounds slider's maximum: any
number of rounds is the first rounds of that run, and the **round** slider scrubs through precomputed
weights and boundaries, so neither slider refits. **Gradient boosting** (same depth, rounds and
learning rate) fits each new regression tree to the current ensemble's residuals y − p (the negative gradient
of the log-loss with respect to its log-odds) instead of re-weighting points. Boosting mainly reduces bias:
each round corrects what the ensemble still gets wrong, so training error tends to fall round after round.
With many rounds and a large learning rate the test error can stop improving and climb again: boosting
can over-fit.""",
}


def shared_settings(dataset: str) -> e.EnsembleSettings:
    """The 2-D set with the sidebar's samples, noise and seed; each view adds its own controls."""
    ss = st.session_state
    return e.EnsembleSettings(dataset=dataset, n_samples=int(ss.get(common.N_SAMPLES_KEY, common.N_SAMPLES_DEFAULT)),
                              noise=float(ss.get(common.NOISE_KEY, common.NOISE_DEFAULT)), seed=common.seed())


# ------------------------------------------------------------------ bagging
def bagging_view(s: e.EnsembleSettings) -> None:
    """Max samples and bootstrap refit the trees (the vote, then the members, then the variance, last);
    the number of trees lives in its own panel."""
    c1, c2 = st.columns([2, 1])
    max_samples = controls.bound(c1.slider, "Max samples (share of training rows per tree)", e.MAX_SAMPLES_MIN,
                                 e.MAX_SAMPLES_MAX, e.MAX_SAMPLES_DEFAULT, e.MAX_SAMPLES_STEP, key=e.MAX_SAMPLES_KEY)
    bootstrap = controls.bound(c2.toggle, "Bootstrap (draw with replacement)", value=e.BOOTSTRAP_DEFAULT,
                               key=e.BOOTSTRAP_KEY)
    s = replace(s, bootstrap=bootstrap, max_samples=max_samples)
    members = e.bagging_members(*s.data, bootstrap, max_samples)
    specs = e.bagging_specs(*s.data, bootstrap, max_samples)
    trees_panel(s, members, specs)
    st.markdown("**The first bagged trees**, each on its own sample of the training rows:")
    for col, spec in zip(show.columns(len(specs["members"])), specs["members"]):
        show.chart(spec, target=col)
    variance_panel(s, len(members.y_train))


@st.fragment
def trees_panel(s: e.EnsembleSettings, members: e.BaggingMembers, specs: dict) -> None:
    """The number of trees reruns this panel alone: averages of stored predictions. The charts hold the vote
    at every number of trees and follow the slider in the browser before this rerun."""
    n = controls.bound(st.slider, "Number of trees", e.BAG_N_MIN, e.BAG_N_MAX, e.BAG_N_DEFAULT, key=e.BAG_N_KEY)
    r = e.bagging_at(members, n, specs["by_k_table"])
    m = st.columns(4)
    m[0].metric("Train accuracy", f"{r.train_accuracy:.3f}")
    m[1].metric("Test accuracy", f"{r.test_accuracy:.3f}")
    m[2].metric("Out-of-bag score", "—" if r.oob_score is None else f"{r.oob_score:.3f}",
                help="Needs bootstrap: each row is scored by the trees whose sample left it out.")
    m[3].metric("One full tree's test accuracy", f"{r.single_tree_test_accuracy:.3f}",
                help="One unpruned tree on all the training rows (not one of the bagged trees, which each see a "
                     "sample). On one test split of a small set it can match or beat the vote: what bagging "
                     "buys is steadier predictions when its trees differ, measured in the bias-variance chart "
                     "below.")
    if s.bootstrap:
        left_out, no_vote = e.out_of_bag_left_out(members, n)
        st.caption(e.out_of_bag_sentence(left_out, e.expected_left_out(len(members.y_train), s.max_samples),
                                         no_vote, n))
    left, right = show.columns([2, 1])
    show.chart(specs["vote"], target=left, scrub=(e.BAG_N_KEY, n))
    show.chart(specs["by_k"], target=right, scrub=(e.BAG_N_KEY, n))
    st.markdown("**On screen now:** " + e.vote_sentence(n, r.test_accuracy, r.single_tree_test_accuracy,
                                                        [a for _, _, a in r.members]))
    with st.expander("Numbers behind the charts"):
        st.dataframe(r.by_k.pivot(index="n_trees", columns="split", values="accuracy"), height=200)
        st.dataframe(pd.DataFrame([(t, a) for t, _, a in r.members], columns=["member", "test accuracy"]),
                     hide_index=True)
    common.show_code(e.export_code(*s.data, n, s.bootstrap, s.max_samples, e.ADA_N_DEFAULT, e.ADA_LR_DEFAULT,
                                   e.BASE_DEPTH_DEFAULT))


def variance_panel(s: e.EnsembleSettings, n_train: int) -> None:
    """The heavy comparison, last: the bagged vote refitted on fresh training sets (cached per setting)."""
    st.subheader("Bias and variance over fresh training sets")
    var, spec = e.variance(*s.data, s.bootstrap, s.max_samples)
    show.chart(spec)
    st.caption(e.variance_caption(s.dataset, s.noise, n_train, s.bootstrap, s.max_samples))
    st.markdown("**On screen now:** " + e.variance_sentence(var))
    with st.expander("Bias and variance by the number of trees (table)"):
        st.dataframe(var, hide_index=True, height=200)


# ------------------------------------------------------------------ boosting
def boosting_view(s: e.EnsembleSettings) -> None:
    """The learning rate and the depth refit both boosters once, at the rounds slider's maximum; the
    rounds and the round shown live in their own panel and never refit."""
    c1, c2 = st.columns(2)
    lr = controls.bound(c1.select_slider, "Learning rate", e.ADA_LR_VALUES, value=e.ADA_LR_DEFAULT, key=e.ADA_LR_KEY)
    depth = controls.bound(c2.slider, "Weak learner depth (1 = stumps)", e.BASE_DEPTH_MIN, e.BASE_DEPTH_MAX,
                           e.BASE_DEPTH_DEFAULT, key=e.BASE_DEPTH_KEY)
    s = replace(s, learning_rate=lr, depth=depth)
    run = e.boosting_run(*s.data, lr, depth)
    if isinstance(run, str):
        st.warning("AdaBoost could not start: its first weak learner is no better than a coin flip here "
                   f"(scikit-learn: “{run}”). Deeper weak learners (depth 2 or more) may split it.")
        common.show_code(e.export_code(*s.data, e.BAG_N_DEFAULT, e.BOOTSTRAP_DEFAULT, e.MAX_SAMPLES_DEFAULT,
                                       e.ADA_N_DEFAULT, lr, depth))
        return
    rounds_panel(s, run, e.boosting_specs(*s.data, lr, depth))


@st.fragment
def rounds_panel(s: e.EnsembleSettings, run: e.BoostingResult, specs: dict) -> None:
    """The rounds and the round shown rerun this panel alone: both read the run fitted once. The charts
    hold every round and follow both sliders in the browser before this rerun."""
    c1, c2 = st.columns(2)
    n_rounds = controls.bound(c1.slider, "Rounds (n_estimators)", e.ADA_N_MIN, e.ADA_N_MAX, e.ADA_N_DEFAULT,
                              key=e.ADA_N_KEY)
    round_ = controls.bound(c2.slider, "Show the state after round", e.ROUND_MIN, e.ROUND_MAX, e.ROUND_DEFAULT,
                            key=e.ROUND_KEY, help="The dots' size is the weight AdaBoost gave each training point "
                                                  "when fitting this round's weak learner.")
    b = e.first_rounds(run, n_rounds)
    m = st.columns(3)
    m[0].metric("AdaBoost test accuracy", f"{b.ada_test_accuracy:.3f}", help="After all the rounds fitted.")
    m[1].metric("Gradient boosting test accuracy", f"{b.gb_test_accuracy:.3f}")
    m[2].metric("Rounds fitted", b.rounds, help="AdaBoost stops early when a weak learner makes no mistake on the "
                                                "weighted points, or does no better than chance on them.")
    _, points, r = e.round_view(b, round_)
    if r < round_:
        st.caption(f"Only {b.rounds} rounds were fitted: showing round {r}.")
    errors_now = b.errors[b.errors["round"] == r].set_index("series")["error"]
    m = st.columns(4)
    error = b.estimator_errors[r - 1]
    # a learner that is right on all but negligible weight has an error like 1e-14: 0.000 read as "perfect"
    m[0].metric(f"Round {r} error", f"{error:.3f}" if error == 0 or error >= 0.001 else f"{error:.1e}",
                help="This round's weak learner's training error, each point counted with its weight.")
    m[1].metric("Its vote (alpha)", f"{b.estimator_weights[r - 1]:.3f}")
    m[2].metric("Train error so far", f"{errors_now['AdaBoost train']:.3f}", help="AdaBoost's, after this round.")
    m[3].metric("Test error so far", f"{errors_now['AdaBoost test']:.3f}", help="AdaBoost's, after this round.")
    left, right = show.columns(2)
    for spec, target in ((specs["round"], left), (specs["errors"], right)):
        show.chart(spec, target=target, scrub=[(e.ADA_N_KEY, n_rounds), (e.ROUND_KEY, round_)])
    st.markdown("**On screen now:** " + e.boosting_sentences(b))
    with st.expander("Numbers behind the charts"):
        st.dataframe(points, hide_index=True, height=220)
        st.dataframe(b.errors.pivot(index="round", columns="series", values="error"), height=220)
    common.show_code(e.export_code(*s.data, e.BAG_N_DEFAULT, e.BOOTSTRAP_DEFAULT, e.MAX_SAMPLES_DEFAULT, n_rounds,
                                   s.learning_rate, s.depth))


st.title("Ensembles lab")
st.caption("Many weak or wobbly models, combined. Trained on 70 % of a generated 2-D set (circles = train, "
           "triangles = test); sample count and noise are in the sidebar.")
top1, top2 = st.columns([2, 1])
view = controls.bound(top1.segmented_control, "Ensemble", e.VIEWS, default=e.VIEWS[0], required=True, key=e.VIEW_KEY)
dataset = controls.bound(top2.selectbox, "2-D dataset", datasets.TWO_D, index=datasets.TWO_D.index(e.DATASET_DEFAULT),
                         key=e.DATASET_KEY)
settings = shared_settings(dataset)
if view == "Bagging":
    bagging_view(settings)
else:
    boosting_view(settings)
common.page_footer(None, EXPLANATION[view])
