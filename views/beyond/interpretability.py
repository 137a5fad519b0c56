"""Interpretability: why does the model say what it says, globally and for one row?"""
import altair as alt
import streamlit as st

from components import charts, datasets
from components import interpretability as I
from components.ui import chart_cache, common, controls

st.title("Interpretability")
st.caption("Which features matter (impurity vs permutation vs SHAP), why one prediction came out as it did "
           "(SHAP waterfall, a LIME-style surrogate) and how the output moves with one feature (PDP / ICE).")

name, seed = common.dataset_name(), common.seed()
ds = common.current_dataset()
gen = (int(st.session_state.get(common.N_SAMPLES_KEY, common.N_SAMPLES_DEFAULT)),
       float(st.session_state.get(common.NOISE_KEY, common.NOISE_DEFAULT))) if name in datasets.TWO_D else (0, 0.0)

c1, c2 = st.columns([2, 3])
model_kind = controls.bound(c1.selectbox, "Model", I.MODELS, index=I.MODELS.index(I.MODEL_DEFAULT), key=I.MODEL_KEY,
                          help="A random forest (TreeExplainer, exact and fast) or a standardised linear model "
                               "(LinearExplainer).")
noise_feature = controls.bound(c2.toggle, "Add a pure-noise column", value=I.NOISE_DEFAULT, key=I.NOISE_KEY,
                          help="A random number per row. The model cannot learn from it: watch which "
                               "importance still gives it credit.")


@st.cache_resource(max_entries=8, show_spinner=False)
def get_explained(name: str, n_samples: int, noise: float, seed: int, model_kind: str, noise_feature: bool):
    ds = datasets.load(name, n_samples=n_samples or 300, noise=noise, seed=seed)
    return I.explain(ds, model_kind, seed, noise_feature)


# Everything below reads the cached fit: args = (name, n_samples, noise, seed, model_kind, noise_feature).
@st.cache_data(max_entries=8, show_spinner=False)
def get_global(args: tuple):
    """Importance table (and its long form), the beeswarm's points and the features ranked by permutation."""
    e = get_explained(*args)
    table = I.importance_table(e)
    return table, I.importance_long(table), I.beeswarm_frame(e, seed=args[3]), I.ranked_features(e)


@st.cache_data(max_entries=256, show_spinner=False)
def get_local(args: tuple, row: int, class_names: tuple) -> dict:
    """One row's story from the cached SHAP values: no model call, no explainer."""
    e = get_explained(*args)
    return {"narrative": I.narrative(e, row, class_names), "waterfall": I.waterfall_frame(e, row),
            "total": e.base_value + float(e.shap_values[row].sum()), "output": float(e.outputs[row])}


@st.cache_data(max_entries=8, show_spinner="Asking the model about every row's neighbourhood once…")
def get_lime_outputs(args: tuple):
    """The model's outputs around every test row, once per fit: a row switch then calls no model."""
    return I.lime_outputs(get_explained(*args), seed=args[3])


@st.cache_data(max_entries=128, show_spinner=False)
def get_lime_samples(args: tuple, row: int) -> dict:
    return I.lime_samples(get_explained(*args), row, seed=args[3], outputs=get_lime_outputs(args))


@st.cache_data(max_entries=256, show_spinner=False)
def get_lime(args: tuple, row: int, k: int) -> dict:
    return I.lime_fit(get_explained(*args).feature_names, get_lime_samples(args, row), k)


@st.cache_data(max_entries=32, show_spinner=False)
def get_pdp(args: tuple, feature: str):
    e = get_explained(*args)
    return I.pdp_frame(e, feature, seed=args[3])


@st.cache_data(max_entries=32, show_spinner=False)
def get_ice_text(args: tuple, feature: str) -> str:
    e = get_explained(*args)
    return I.ice_text(I.ice_summary(e, feature, *get_pdp(args, feature), seed=args[3]), feature, e.output_name)


@st.cache_data(max_entries=32, show_spinner=False)
def get_code(*args) -> str:
    return I.export_code(*args)


# ---- chart builders (module level, cached as Vega-Lite by chart_cache; arguments are plain values)
def _importance_chart(args: tuple):
    imp_long = get_global(args)[1]
    return charts.bar_chart(imp_long, x="share", y="feature", color="method",
                            title="Share of total importance, three ways", sort="-x",
                            height=min(700, 36 * imp_long["feature"].nunique() + 60),
                            x_title="share of the method's total")


def _beeswarm_chart(args: tuple, output_name: str):
    bees = get_global(args)[2]
    chart = charts.beeswarm_chart(bees, title=f"SHAP values for {output_name}",
                                  height=44 * bees["feature"].nunique() + 40)  # room for the jitter in each band
    # full feature names: "worst concave points" and "mean concave points" both ended in "concave po…"
    chart.encoding.y.axis = alt.Axis(labelLimit=220, labelOverlap=False)
    return chart


def _waterfall_chart(wf, height: int):
    chart = charts.waterfall_chart(wf, height=height)
    for layer in chart.layer:  # every step named in full ("worst concave points = 0.08045"), none thinned out
        layer.encoding.y.axis = alt.Axis(labelLimit=260, labelOverlap=False)
    return chart


def _lime_chart(weights, height: int):
    return charts.bar_chart(weights, x="weight", y="feature", height=height, sort="-x")


def _filled(builder, frame, height: int, title: str) -> dict:
    """builder's chart for `frame` without paying Altair per row: the layout is built and converted once
    from the frame's empty shape (columns and dtypes), then the one dataset is swapped for this frame."""
    spec = chart_cache.spec(builder, frame.iloc[:0], height)  # a fresh copy of the cached layout
    (name,) = spec["datasets"]  # one frame feeds every layer
    spec["datasets"] = {name: frame}  # st.vega_lite_chart converts it to Arrow
    spec["title"] = title
    return spec


def _ice_chart(args: tuple, feature: str, out_name: str):
    pd_df, ice_df = get_pdp(args, feature)
    return charts.ice_chart(ice_df, pd_df, feature, y_title=out_name,
                            title=f"Partial dependence of {out_name} on {feature} "
                                  f"(thick) and {ice_df['line'].nunique()} ICE lines")


args = (name, *gen, seed, model_kind, bool(noise_feature))
with st.spinner("Fitting the model, permutation importance and SHAP values (first time only)…"):
    e = get_explained(*args)

clf = e.task == datasets.CLASSIFICATION
m1, m2, m3 = st.columns([1, 2, 1])  # the middle value is long ("softmax logit z of class_2"): at a third it was cut
m1.metric(f"Test {e.score_name}", f"{e.test_score:.3f}")
m2.metric("Explained output", e.output_name)
m3.metric("Features", len(e.feature_names))
if clf and ds.n_classes > 2:
    st.info(I.class_note(e))

# ---------------------------------------------------------------- global
st.subheader("Global: which features matter?")
table, imp_long, bees, ranked = get_global(args)
chart_cache.draw(_importance_chart, args)
with st.expander("Importance table"):
    st.dataframe(table, hide_index=True)
noise_note = ""
if noise_feature:
    row_noise = table[table["feature"] == I.NOISE_COLUMN].iloc[0]
    noise_note = (f" Here the noise column gets **{row_noise['share: ' + e.builtin_name]:.1%}** of the "
                  f"{e.builtin_name} but **{row_noise['share: permutation']:.1%}** of the permutation importance.")
st.markdown(
    ("**Why they disagree.** Impurity importance is measured on the *training* data while the trees were "
     "built: it rewards features with many split points (continuous, high-cardinality, even noise) and "
     "splits that only fit noise. " if model_kind == I.FOREST else
     "**Why they disagree.** A standardised coefficient says how much the output moves per standard "
     "deviation of a feature *holding the others fixed*; correlated features share or swap that weight. ")
    + "Permutation importance shuffles one column of the *test* set and measures how much worse the "
    + ("test log loss gets (log loss, not accuracy: on a small test set accuracy moves in steps of one row): "
       if clf else "test R² gets: ")
    + "what the model really relies on to generalise, but correlated features hide each other (shuffle one "
      "and its twin still carries the signal). Mean |SHAP| is the average size of each feature's push on the "
      "output." + noise_note)

st.markdown(I.beeswarm_caption(e, bees))
chart_cache.draw(_beeswarm_chart, args, e.output_name)
with st.expander("Beeswarm data"):
    st.dataframe(bees.drop(columns=["jitter"]), hide_index=True)

class_names = tuple(ds.target_names) if clf else ()


# ---------------------------------------------------------------- local (cheap: cached values only)
@st.fragment
def local_section():
    """Reruns alone when the row or the surrogate size moves: slices the cached SHAP values, fills the
    cached chart layouts with the row's numbers, fits the small surrogate once per (row, k)."""
    st.subheader("Local: why this prediction?")
    a, b = st.columns(2)
    row_pick = controls.bound(a.slider, "Row of the test set to explain", I.ROW_MIN, I.ROW_MAX, I.ROW_DEFAULT, key=I.ROW_KEY, help="Wraps around when the test set is smaller.")
    k = controls.bound(b.slider, "Features in the LIME-style surrogate", I.LIME_K_MIN, I.LIME_K_MAX, I.LIME_K_DEFAULT,
                 key=I.LIME_K_KEY)
    row = row_pick % len(e.X_test)
    if row != row_pick:
        st.caption(f"The test set has {len(e.X_test)} rows: showing row {row}.")
    local = get_local(args, row, class_names)
    st.markdown(local["narrative"])
    wf = local["waterfall"]
    x1, x2, x3 = st.columns(3)
    x1.metric("Base value", f"{e.base_value:.4f}")
    x2.metric("Base + sum of SHAP", f"{local['total']:.4f}")
    x3.metric("Model output", f"{local['output']:.4f}")
    st.vega_lite_chart(spec=_filled(_waterfall_chart, wf, 30 * len(wf) + 40,
                                    f"SHAP waterfall for test row {row}: base + contributions = {e.output_name}"))
    with st.expander("Waterfall numbers"):
        st.dataframe(wf.drop(columns=["order"]), hide_index=True)
    lime = get_lime(args, row, k)
    st.markdown(I.lime_text(lime, e))
    # as before: 34 px per bar + 60
    n_bars = len(lime["weights"])
    st.vega_lite_chart(spec=_filled(_lime_chart, lime["weights"], 34 * n_bars + 60,
                                    "Local surrogate weights (change in output per +1 std)"))
    st.caption("SHAP and LIME answer different questions, so their signs can differ: a SHAP value compares this "
               "row with the average row (where its value sits against the typical one), a LIME weight is the "
               "slope around this row (what a small change would do). A high value can have pushed the output "
               "up and still sit where the model's curve turns down.")
    st.caption(I.LIME_VS_PACKAGE)
    with st.expander("Surrogate weights"):
        st.dataframe(lime["weights"], hide_index=True)


local_section()


@st.fragment
def pdp_section():
    st.subheader("Partial dependence and ICE")
    rank = controls.bound(st.slider, "Feature: rank by permutation importance", I.PDP_RANK_MIN, I.PDP_RANK_MAX,
                     I.PDP_RANK_DEFAULT, key=I.PDP_RANK_KEY,
                     help="1 = the feature the model relies on most (on this dataset).")
    feature = ranked[min(rank, len(ranked)) - 1]
    if rank > len(ranked):
        st.caption(f"Only {len(ranked)} features: showing the last one.")
    pd_df, _ = get_pdp(args, feature)
    chart_cache.draw(_ice_chart, args, feature, e.output_name)
    with st.expander("Partial dependence numbers"):
        st.dataframe(pd_df, hide_index=True)
    st.markdown(get_ice_text(args, feature))


pdp_section()

row_now = int(st.session_state.get(I.ROW_KEY, I.ROW_DEFAULT))
common.page_footer(
    questions=[
        "What is the difference between impurity-based and permutation feature importance? Which is biased, and how?",
        "What are SHAP values, and what does 'additive' mean for them?",
        "How does LIME explain a single prediction, and what are its weaknesses?",
        "How would you explain to a customer why their loan (or churn flag) came out the way it did?",
        "What do partial dependence and ICE plots show, and when does a PDP mislead?",
        "How do correlated features affect feature importance?",
    ],
    code=get_code(name, model_kind, seed, bool(noise_feature), row_now, *(gen if name in datasets.TWO_D else (300, 0.25))),
    explanation=(
        "The bars compare three answers to *which features matter*: the model's built-in importance, the drop in "
        "test score when a column is shuffled, and the mean size of SHAP contributions. The beeswarm shows each "
        "row's SHAP value per feature. The explained output is the forest's probability of the explained class, "
        "the logistic model's log-odds (two classes) or its softmax logit centred over the classes (more than two: "
        "not a log-odds), or the prediction (regression). For one row, the waterfall starts at the average output "
        "and adds each feature's SHAP contribution until it lands exactly on the model's output; the LIME-style "
        "surrogate fits a small linear model to the same output on copies of the row moved a little (not the "
        "`lime` package's quartile-based defaults). The PDP averages that output as one feature sweeps its "
        "range; ICE lines show each row separately, and their spread once centred measures the interactions."),
)
