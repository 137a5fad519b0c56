"""Ensembles lab: bagging (bootstrap trees, their vote, out-of-bag score, variance reduction) and
boosting (AdaBoost's sample weights round by round, staged errors, gradient boosting beside it)."""
import pandas as pd
import streamlit as st

from components import charts, datasets
from components import ensembles as e
from components.ui import common, controls

QUESTIONS = [
    "What is bagging, and why does averaging many deep trees reduce variance but not bias?",
    "What is the out-of-bag score, and why is it a free validation estimate?",
    "How does AdaBoost re-weight the training points from one round to the next?",
    "What is the difference between bagging and boosting? Which one reduces bias?",
    "How do the number of estimators and the learning rate interact in boosting? Can boosting overfit?",
    "How does gradient boosting differ from AdaBoost?",
]

EXPLANATION = {
    "Bagging": """**Bagging** (bootstrap aggregating) fits many full-depth trees, each on its own sample of the
training rows (with *bootstrap* on, drawn with replacement; *max samples* sets how many draws), and averages
their predicted probabilities (for full-depth trees, nearly 0/1 votes). Each member is jagged and fits its
own sample (the small boundaries). A bootstrap sample of n draws from n rows misses each row with chance
(1 − 1/n)ⁿ ≈ 37 %: predicting each row with only the trees whose sample missed it gives the **out-of-bag
score**, a validation estimate without a hold-out set.
The **bias-variance chart** refits the whole bagged ensemble on bootstrap resamples of the training split,
standing in for independent training sets, and measures at the test points how far the predicted
P(class 1) swings between them (**variance**) and the squared gap between its average and the test label
(**bias² + noise**; the labels' own noise is in it, and no model removes that). Their sum is the expected
squared error. Averaging k trees leaves the expected prediction where one tree has it, so averaging can
only cut the variance, and only as far as the trees differ. Switch bootstrap off and every tree sees the
same full data: the trees differ only where two splits tie and each tree's seed picks another, so the
vote removes far less variance; pasting (no bootstrap, *max samples* < 1) makes them differ again.""",
    "Boosting": """**AdaBoost** fits weak learners (depth-1 trees, stumps, by default here) one after another.
After each round the points the new learner got wrong gain weight (bigger dots) and the ones it got right
lose weight, so the next learner concentrates on the hard cases; each learner's vote (alpha) grows with
its accuracy on the weighted points. Scrub the **round** slider: the weights and the ensemble's boundary
are precomputed for every round, so nothing is refitted. **Gradient boosting** (same depth, rounds and
learning rate) fits each new regression tree to the current ensemble's residuals y − p (the negative gradient
of the log-loss with respect to its log-odds) instead of re-weighting points. Boosting mainly reduces bias:
each round corrects what the ensemble still gets wrong, so training error tends to fall round after round.
With many rounds and a large learning rate the test error can stop improving and climb again: boosting
can over-fit.""",
}


def two_d_key(name: str) -> tuple:
    ss = st.session_state
    return (name, int(ss.get(common.N_SAMPLES_KEY, common.N_SAMPLES_DEFAULT)),
            float(ss.get(common.NOISE_KEY, common.NOISE_DEFAULT)), common.seed())


def load(ds_key: tuple) -> datasets.Dataset:
    name, n_samples, noise, seed = ds_key
    return datasets.load(name, n_samples=n_samples, noise=noise, seed=seed)


# One entry: BAG_N_MAX fitted trees on up to 2,000 points, about 6 MB, the largest cache of the app
# (92 MB at 16 entries after a class): fewer entries, and gone after an hour unused.
@st.cache_resource(max_entries=8, ttl=3600, show_spinner=f"Bagging {e.BAG_N_MAX} trees once…")
def bagging_members(ds_key: tuple, bootstrap: bool, max_samples: float) -> e.BaggingMembers:
    """Every member of the largest ensemble, fitted once: smaller ensembles are its first trees.
    Held, not copied, on every rerun (read-only)."""
    return e.fit_bagging_members(load(ds_key), bootstrap, max_samples, ds_key[3])


@st.cache_data(max_entries=16, show_spinner=False)
def accuracy_by_k(ds_key: tuple, bootstrap: bool, max_samples: float) -> pd.DataFrame:
    return e.accuracy_by_k(bagging_members(ds_key, bootstrap, max_samples))


@st.cache_data(max_entries=64, show_spinner=False)
def bagging_at(ds_key: tuple, bootstrap: bool, max_samples: float, n: int) -> e.BaggingResult:
    """The vote of the first n trees: averages of stored predictions, no refit."""
    return e.bagging_at(bagging_members(ds_key, bootstrap, max_samples), n,
                        accuracy_by_k(ds_key, bootstrap, max_samples))


def vote_title(n: int, dataset: str) -> str:
    return f"The vote of {n} trees on {dataset}"


@st.cache_resource(max_entries=1, show_spinner=False)
def chart_templates(_m: e.BaggingMembers) -> tuple[dict, dict]:
    """The vote chart and a member chart, built and converted once per process from the first fit
    drawn. Every other dataset and fit swaps in its cells, axes, probabilities and points
    (charts.swap_boundary, tested equal to a fresh chart): building a chart costs 25-30 ms."""
    vote = charts.to_spec(charts.boundary_chart(grid_frame_of(_m), _m.points, height=400))
    member = charts.to_spec(charts.member_boundary_chart(_m.members[0][1], ""))
    return vote, member


def grid_frame_of(m: e.BaggingMembers) -> pd.DataFrame:
    return e.grid_frame(m.grid_xy, m.grid_proba[0].astype(float))


@st.cache_data(max_entries=16, show_spinner=False)
def member_specs(ds_key: tuple, bootstrap: bool, max_samples: float) -> list[dict]:
    """The small boundaries of the first trees, swapped into the member chart."""
    m = bagging_members(ds_key, bootstrap, max_samples)
    template = chart_templates(m)[1]
    return [charts.swap_boundary(template, grid, None, f"{title.capitalize()}: test acc {acc:.3f}")
            for title, grid, acc in m.members]


@st.cache_data(max_entries=16, show_spinner=False)
def vote_template(ds_key: tuple, bootstrap: bool, max_samples: float) -> dict:
    """The vote chart on this fit's cells and points: each number of trees then swaps only P(class 1)."""
    m = bagging_members(ds_key, bootstrap, max_samples)
    return charts.swap_boundary(chart_templates(m)[0], grid_frame_of(m), m.points, "")


@st.cache_data(max_entries=128, show_spinner=False)
def vote_spec(ds_key: tuple, bootstrap: bool, max_samples: float, n: int) -> dict:
    """The vote of n trees: the fit's vote chart with this P(class 1) swapped in (no Altair)."""
    template = vote_template(ds_key, bootstrap, max_samples)
    return charts.swap_grid(template, bagging_at(ds_key, bootstrap, max_samples, n).grid, vote_title(n, ds_key[0]))


@st.cache_data(max_entries=32, show_spinner=False)
def variance_spec(ds_key: tuple, bootstrap: bool, max_samples: float) -> dict:
    return charts.to_spec(e.variance_chart(variance_by_trees(ds_key, bootstrap, max_samples)))


def by_k_title(n: int) -> str:
    return f"Vote of the first k trees (dashed: k = {n})"


@st.cache_resource(max_entries=1, show_spinner=False)
def by_k_template(_by_k: pd.DataFrame) -> dict:
    """The first-k chart, built once per process from the first fit drawn (every fit has BAG_N_MAX
    rows per split, so the same marks): each fit and n swaps in its rows and rule."""
    return charts.to_spec(charts.line_chart(_by_k, "n_trees", "accuracy", color="split",
                                            title=by_k_title(e.BAG_N_DEFAULT), x_title="trees in the vote",
                                            rule_x=e.BAG_N_DEFAULT, zero_y=False))  # gains of a few points


@st.cache_data(max_entries=128, show_spinner=False)
def by_k_spec(ds_key: tuple, bootstrap: bool, max_samples: float, n: int) -> dict:
    """Accuracy of the first k trees' vote with the rule at n: rows and rule swapped in, no Altair."""
    by_k = accuracy_by_k(ds_key, bootstrap, max_samples)
    return charts.swap_layer_data(by_k_template(by_k), {0: by_k, 1: pd.DataFrame({"n_trees": [n]})},
                                  title=by_k_title(n))


@st.cache_data(max_entries=32, show_spinner=f"Refitting on {e.VARIANCE_REPLICAS} resampled training sets…")
def variance_by_trees(ds_key: tuple, bootstrap: bool, max_samples: float) -> pd.DataFrame:
    return e.variance_by_trees(load(ds_key), bootstrap, max_samples, ds_key[3])


@st.cache_resource(max_entries=8, show_spinner="Boosting: fitting every round once…")
def boosting_run(ds_key: tuple, lr: float, depth: int, n_fit: int) -> e.BoostingResult | str:
    try:
        return e.fit_boosting(load(ds_key), n_fit, lr, depth, ds_key[3])
    except ValueError as exc:  # the first weak learner is no better than chance
        return str(exc)


@st.cache_resource(max_entries=1)
def longest_runs() -> dict:
    """(dataset, learning rate, depth) -> rounds of the longest run fitted: shared by every session,
    as the runs are (a run's result does not depend on who asked first)."""
    return {}


@st.cache_resource(max_entries=32, show_spinner=False)
def fit_boosting(ds_key: tuple, n_rounds: int, lr: float, depth: int) -> e.BoostingResult | str:
    """The n-round result, read from a longer run when one exists (e.first_rounds). The first run of
    a setting fits the rounds asked for; going beyond it fits the slider's maximum at once, so
    exploring the rounds costs one longer fit, not one per new value."""
    runs = longest_runs()
    key = (ds_key, lr, depth)
    have = runs.get(key)
    n_fit = n_rounds if have is None else have if n_rounds <= have else e.ADA_N_MAX
    b = boosting_run(ds_key, lr, depth, n_fit)
    if isinstance(b, str):
        return b
    runs.pop(key, None)
    runs[key] = n_fit  # newest last: the registry keeps the 64 latest settings
    while len(runs) > 64:
        runs.pop(next(iter(runs)))
    return e.first_rounds(b, n_rounds)


def bagging_view(ds_key: tuple) -> tuple[str, str]:
    """Draw the bagging view; returns the exported code and the sentences about what is on screen."""
    c1, c2, c3 = st.columns(3)
    n = controls.bound(c1.slider, "Number of trees", e.BAG_N_MIN, e.BAG_N_MAX, e.BAG_N_DEFAULT, key=e.BAG_N_KEY)
    max_samples = controls.bound(c2.slider, "Max samples (share of training rows per tree)", e.MAX_SAMPLES_MIN, e.MAX_SAMPLES_MAX,
                            e.MAX_SAMPLES_DEFAULT, e.MAX_SAMPLES_STEP, key=e.MAX_SAMPLES_KEY)
    bootstrap = controls.bound(c3.toggle, "Bootstrap (draw with replacement)", value=e.BOOTSTRAP_DEFAULT, key=e.BOOTSTRAP_KEY)
    r = bagging_at(ds_key, bootstrap, max_samples, n)
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
    members = bagging_members(ds_key, bootstrap, max_samples)
    if bootstrap:
        left_out, no_vote = e.out_of_bag_left_out(members, n)
        st.caption(e.out_of_bag_sentence(left_out, e.expected_left_out(len(members.y_train), max_samples),
                                         no_vote, n))
    left, right = st.columns([2, 1])
    left.vega_lite_chart(spec=vote_spec(ds_key, bootstrap, max_samples, n))
    for spec in member_specs(ds_key, bootstrap, max_samples):
        right.vega_lite_chart(spec=spec)
    var = variance_by_trees(ds_key, bootstrap, max_samples)
    c_left, c_right = st.columns(2)
    c_left.vega_lite_chart(spec=by_k_spec(ds_key, bootstrap, max_samples, n))
    c_right.vega_lite_chart(spec=variance_spec(ds_key, bootstrap, max_samples))
    with st.expander("Numbers behind the charts"):
        st.dataframe(r.by_k.pivot(index="n_trees", columns="split", values="accuracy"), height=200)
        st.dataframe(var, hide_index=True, height=200)
        st.dataframe(pd.DataFrame([(t, a) for t, _, a in r.members], columns=["member", "test accuracy"]),
                     hide_index=True)
    now = (e.vote_sentence(n, r.test_accuracy, r.single_tree_test_accuracy, [a for _, _, a in r.members]) + " "
           + e.variance_sentence(var))
    return e.export_code(*ds_key, n, bootstrap, max_samples, e.ADA_N_DEFAULT, e.ADA_LR_DEFAULT,
                         e.BASE_DEPTH_DEFAULT), now


def boosting_view(ds_key: tuple) -> tuple[str, str]:
    """Draw the boosting view; returns the exported code and the sentences about what is on screen."""
    c1, c2, c3 = st.columns(3)
    n_rounds = controls.bound(c1.slider, "Rounds (n_estimators)", e.ADA_N_MIN, e.ADA_N_MAX, e.ADA_N_DEFAULT, key=e.ADA_N_KEY)
    lr = controls.bound(c2.select_slider, "Learning rate", e.ADA_LR_VALUES, value=e.ADA_LR_DEFAULT, key=e.ADA_LR_KEY)
    depth = controls.bound(c3.slider, "Weak learner depth (1 = stumps)", e.BASE_DEPTH_MIN, e.BASE_DEPTH_MAX, e.BASE_DEPTH_DEFAULT,
                      key=e.BASE_DEPTH_KEY)
    b = fit_boosting(ds_key, n_rounds, lr, depth)
    code = e.export_code(*ds_key, e.BAG_N_DEFAULT, e.BOOTSTRAP_DEFAULT, e.MAX_SAMPLES_DEFAULT, n_rounds, lr, depth)
    if isinstance(b, str):
        st.warning("AdaBoost could not start: its first weak learner is no better than a coin flip here "
                   f"(scikit-learn: “{b}”). Deeper weak learners (depth 2 or more) may split it.")
        return code, ""
    m = st.columns(3)
    m[0].metric("AdaBoost test accuracy", f"{b.ada_test_accuracy:.3f}", help="After all the rounds fitted.")
    m[1].metric("Gradient boosting test accuracy", f"{b.gb_test_accuracy:.3f}")
    m[2].metric("Rounds fitted", b.rounds, help="AdaBoost stops early when a weak learner makes no mistake on the "
                                                "weighted points, or does no better than chance on them.")
    round_fragment(ds_key, n_rounds, lr, depth)
    return code, e.boosting_sentences(b)


# 32, not 8: exploring rounds, rate and depth made more than 8 settings, and coming back to one
# rebuilt its templates (~60 ms on a round move); each pair is ~0.2 MB
@st.cache_resource(max_entries=32, show_spinner=False)
def round_templates(ds_key: tuple, n_rounds: int, lr: float, depth: int) -> tuple[dict, dict]:
    return e.round_templates(fit_boosting(ds_key, n_rounds, lr, depth))


@st.cache_data(max_entries=256, show_spinner=False)
def round_charts(ds_key: tuple, n_rounds: int, lr: float, depth: int, round_: int):
    return e.round_charts(fit_boosting(ds_key, n_rounds, lr, depth), round_templates(ds_key, n_rounds, lr, depth),
                          round_)


@st.fragment
def round_fragment(ds_key: tuple, n_rounds: int, lr: float, depth: int) -> None:
    """The round slider reads the precomputed states: no refit, only this fragment redraws."""
    b = fit_boosting(ds_key, n_rounds, lr, depth)
    round_ = controls.bound(st.slider, "Show the state after round", e.ROUND_MIN, e.ROUND_MAX, e.ROUND_DEFAULT, key=e.ROUND_KEY, help="The dots' size is the weight AdaBoost gave each training point "
                                                 "when fitting this round's weak learner.")
    boundary, errors, points, r = round_charts(ds_key, n_rounds, lr, depth, round_)
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
    left, right = st.columns(2)
    left.vega_lite_chart(spec=boundary, width="stretch")
    right.vega_lite_chart(spec=errors, width="stretch")
    with st.expander("Numbers behind the charts"):
        st.dataframe(points, hide_index=True, height=220)
        st.dataframe(b.errors.pivot(index="round", columns="series", values="error"), height=220)


st.title("Ensembles lab")
st.caption("Many weak or wobbly models, combined. Trained on 70 % of a generated 2-D set (circles = train, "
           "triangles = test); sample count and noise are in the sidebar.")
top1, top2 = st.columns([2, 1])
view = controls.bound(top1.segmented_control, "Ensemble", e.VIEWS, default=e.VIEWS[0], required=True, key=e.VIEW_KEY)
dataset = controls.bound(top2.selectbox, "2-D dataset", datasets.TWO_D, index=datasets.TWO_D.index(e.DATASET_DEFAULT),
                         key=e.DATASET_KEY)
key = two_d_key(dataset)
code, now = bagging_view(key) if view == "Bagging" else boosting_view(key)
common.page_footer(QUESTIONS, code, EXPLANATION[view] + (f"\n\n**On screen now:** {now}" if now else ""))
