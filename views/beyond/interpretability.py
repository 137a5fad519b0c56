"""Interpretability: why does the model say what it says, globally and for one row?"""
import streamlit as st

from components import datasets
from components import interpretability as I
from components.ui import common, controls, show

EXPLANATION = (
    "The bars compare three answers to *which features matter*: the model's built-in importance, the drop in "
    "test score when a column is shuffled, and the mean size of SHAP contributions. The beeswarm shows each "
    "row's SHAP value per feature. The explained output is the forest's probability of the explained class, "
    "the logistic model's log-odds (two classes) or its softmax logit centred over the classes (more than two: "
    "not a log-odds), or the prediction (regression). For one row, the waterfall starts at the average output "
    "and adds each feature's SHAP contribution until it lands exactly on the model's output; the LIME-style "
    "surrogate fits a small linear model to the same output on copies of the row moved a little (not the "
    "`lime` package's quartile-based defaults). The PDP averages that output as one feature sweeps its "
    "range; ICE lines show each row separately, and their spread once centred measures the interactions.")


def fit_controls() -> I.FitSettings:
    """The controls that refit (heavy); the row, the surrogate size and the PDP feature live in their panels."""
    c1, c2 = st.columns([2, 3])
    model_kind = controls.bound(c1.selectbox, "Model", I.MODELS, index=I.MODELS.index(I.MODEL_DEFAULT),
                                key=I.MODEL_KEY,
                                help="A random forest (TreeExplainer, exact and fast) or a standardised linear model "
                                     "(LinearExplainer).")
    noise_feature = controls.bound(c2.toggle, "Add a pure-noise column", value=I.NOISE_DEFAULT, key=I.NOISE_KEY,
                                   help="A random number per row. The model cannot learn from it: watch which "
                                        "importance still gives it credit.")
    name = common.dataset_name()
    generated = name in datasets.TWO_D
    return I.FitSettings(
        name, int(st.session_state.get(common.N_SAMPLES_KEY, common.N_SAMPLES_DEFAULT)) if generated else 0,
        float(st.session_state.get(common.NOISE_KEY, common.NOISE_DEFAULT)) if generated else 0.0,
        common.seed(), model_kind, bool(noise_feature))


def fit_summary(e: I.Explained) -> None:
    m1, m2, m3 = st.columns([1, 2, 1])  # the middle value is long ("softmax logit z of class_2"): at a third it was cut
    m1.metric(f"Test {e.score_name}", f"{e.test_score:.3f}")
    m2.metric("Explained output", e.output_name)
    m3.metric("Features", len(e.feature_names))
    if e.task == datasets.CLASSIFICATION and e.n_classes > 2:
        st.info(I.class_note(e))


def shap_summary(s: I.FitSettings) -> None:
    """The beeswarm: SHAP values only, so it is drawn before permutation importance is known."""
    view = I.shap_view(s)
    st.markdown(view["caption"])
    show.chart(view["spec"])
    with st.expander("Beeswarm data"):
        st.dataframe(view["bees_shown"], hide_index=True)


@st.fragment
def local_panel(s: I.FitSettings) -> None:
    """Reruns alone when the row or the surrogate size moves: slices the cached SHAP values and the
    model's cached outputs around every row. The two charts hold every row and follow the row slider in
    the browser before this rerun (I.local_specs)."""
    st.subheader("Local: why this prediction?")
    a, b = st.columns(2)
    row_pick = controls.bound(a.slider, "Row of the test set to explain", I.ROW_MIN, I.ROW_MAX, I.ROW_DEFAULT,
                              key=I.ROW_KEY, help="Wraps around when the test set is smaller.")
    k = controls.bound(b.slider, "Features in the LIME-style surrogate", I.LIME_K_MIN, I.LIME_K_MAX, I.LIME_K_DEFAULT,
                       key=I.LIME_K_KEY)
    e = I.local_fit(s)
    row = row_pick % len(e.X_test)
    if row != row_pick:
        st.caption(f"The test set has {len(e.X_test)} rows: showing row {row}.")
    local = I.row_view(s, row)
    lime = I.lime_view(s, row, k)
    specs = I.local_specs(s, k)
    st.markdown(local["narrative"])
    x1, x2, x3 = st.columns(3)
    x1.metric("Base value", f"{e.base_value:.4f}")
    x2.metric("Base + sum of SHAP", f"{local['total']:.4f}")
    x3.metric("Model output", f"{local['output']:.4f}")
    st.caption(f"SHAP waterfall for test row {row}: from the average output, each feature's contribution, to "
               "the model's output.")
    show.chart(specs[I.WATERFALL_DATASET], scrub=(I.ROW_KEY, row_pick))
    with st.expander("Waterfall numbers"):
        st.dataframe(local["waterfall"], hide_index=True)
    st.markdown(lime["text"])
    show.chart(specs[I.LIME_DATASET], scrub=(I.ROW_KEY, row_pick))
    st.caption("SHAP and LIME answer different questions, so their signs can differ: a SHAP value compares this "
               "row with the average row (where its value sits against the typical one), a LIME weight is the "
               "slope around this row (what a small change would do). A high value can have pushed the output "
               "up and still sit where the model's curve turns down.")
    st.caption(I.LIME_VS_PACKAGE)
    with st.expander("Surrogate weights"):
        st.dataframe(lime["weights"], hide_index=True)
    common.show_code(I.code(s, row_pick))


def importance_panel(s: I.FitSettings) -> list[str]:
    """Built-in vs permutation vs SHAP importance (heavy: permutation importance); returns the features
    ranked by permutation importance for the PDP."""
    view = I.importance_view(s)
    show.chart(view["spec"])
    with st.expander("Importance table"):
        st.dataframe(view["table"], hide_index=True)
    st.markdown(view["text"])
    return view["ranked"]


@st.fragment
def pdp_panel(s: I.FitSettings, ranked: list[str]) -> None:
    st.subheader("Partial dependence and ICE")
    rank = controls.bound(st.slider, "Feature: rank by permutation importance", I.PDP_RANK_MIN, I.PDP_RANK_MAX,
                          I.PDP_RANK_DEFAULT, key=I.PDP_RANK_KEY,
                          help="1 = the feature the model relies on most (on this dataset).")
    feature = ranked[min(rank, len(ranked)) - 1]
    if rank > len(ranked):
        st.caption(f"Only {len(ranked)} features: showing the last one.")
    view = I.pdp_view(s, feature)
    show.chart(view["spec"])
    with st.expander("Partial dependence numbers"):
        st.dataframe(view["average"], hide_index=True)
    st.markdown(view["text"])


st.title("Interpretability")
st.caption("Which features matter (impurity vs permutation vs SHAP), why one prediction came out as it did "
           "(SHAP waterfall, a LIME-style surrogate) and how the output moves with one feature (PDP / ICE).")
settings = fit_controls()
fit_summary(I.local_fit(settings))
st.subheader("Global: which features matter?")
importance_box = st.container()  # filled last: permutation importance is the page's heaviest part
shap_summary(settings)
local_panel(settings)
with importance_box:
    ranked = importance_panel(settings)
pdp_panel(settings, ranked)
common.page_footer(None, EXPLANATION)
