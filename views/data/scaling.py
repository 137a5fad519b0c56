"""Scaling lab: min-max, standard, robust, max-abs and quantile scaling, with outliers on demand.

The strips come first; the chosen scaler's formula, statistics and decision boundary are a panel of their
own (its controls rerun it alone); the CV comparison of 6 scalers x 4 models comes last, with progress,
each (scaler, model) cached on its own (components/scaling.py)."""
import pandas as pd
import streamlit as st

from components import datasets
from components import scaling as sc
from components.ui import common, controls, show

DONE_KEY = "scaling._done"  # not a widget: the CV comparisons this session has finished (keys), newest last


def shared_controls(ds: datasets.Dataset) -> sc.ScalingSettings:
    """The outlier controls: every panel reads them (the scaler and the model live in their panel)."""
    c2, c3 = st.columns(2)
    n_out = controls.bound(c2.slider, "Outlier rows", sc.N_OUTLIERS_MIN, sc.N_OUTLIERS_MAX, sc.N_OUTLIERS_DEFAULT,
                           key=sc.N_OUTLIERS_KEY, help="Rows pushed far out in every feature (their labels are kept).")
    extreme = controls.bound(c3.slider, "How extreme (× IQR beyond Q3)", sc.EXTREME_MIN, sc.EXTREME_MAX,
                             sc.EXTREME_DEFAULT, key=sc.EXTREME_KEY)
    is_2d = ds.name in datasets.TWO_D
    n_samples = int(st.session_state.get(common.N_SAMPLES_KEY, common.N_SAMPLES_DEFAULT)) if is_2d else 0
    noise = float(st.session_state.get(common.NOISE_KEY, common.NOISE_DEFAULT)) if is_2d else 0.0
    # with no outlier rows the extremity changes nothing: one cache key for all its values, so moving
    # that slider refits nothing until there are outliers to move
    return sc.ScalingSettings(sc.outliers_key(ds.name, n_samples, noise, common.seed(), n_out, extreme), extreme)


def strips_panel(strips: sc.Strips) -> None:
    st.markdown("##### Each feature under every scaler")
    for col, spec in zip(show.columns(2), strips.specs):
        show.chart(spec, target=col)
    st.caption(strips.caption)
    with st.expander("Squashing as a table: the inliers' IQR after each scaler, without and with the outliers"):
        st.dataframe(strips.squash_table, hide_index=True)


@st.fragment
def scaler_panel(ds: datasets.Dataset, s: sc.ScalingSettings, strips: sc.Strips) -> None:
    """The chosen scaler and the boundary model: their controls rerun this panel alone, and it reads cached
    fits (the CV comparison below never depends on them)."""
    o, (first, second) = s.outliers, strips.pair
    s1, s2 = st.columns([2.2, 1])
    scaler = controls.bound(s1.segmented_control, "Scaler", sc.SCALERS, default=sc.SCALER_DEFAULT, required=True,
                            key=sc.SCALER_KEY)
    f1, f2, f3 = st.columns([1, 1.2, 1.4])  # the metrics' labels and ranges need the width
    with f1:
        st.latex(sc.FORMULAS[scaler])
    iqr, kept = strips.first_iqr[scaler]
    f2.metric(f"Inlier IQR of {first} after scaling", f"{iqr:.3g}", f"{kept - 1:+.0%} vs no outliers" if o.n else None,
              delta_color="off")
    (lo1, hi1), (lo2, hi2) = strips.ranges  # the outlier rows included: they set min-max's range
    f3.metric(f"Range of {first}", f"{lo1:.3g} … {hi1:.3g}", f"vs {second}: {lo2:.3g} … {hi2:.3g}",
              delta_color="off", delta_arrow="off")  # a comparison, not a change: no up arrow
    with st.expander(f"Every feature's statistics, raw vs {scaler}"):
        st.dataframe(sc.stats(o, scaler))
    if strips.task != "classification":
        st.info(f"**{ds.name}** is a regression dataset: the decision boundary needs classes. The scores below "
                "use regressors. Pick a classification dataset in the sidebar to see the boundary.")
        return
    model = controls.bound(s2.selectbox, "Model for the boundary", sc.CLASSIFIERS,
                           index=sc.CLASSIFIERS.index(sc.MODEL_DEFAULT), key=sc.MODEL_KEY)
    unscaled, scaled = sc.boundary_fit(o, "none", model), sc.boundary_fit(o, scaler, model)
    b1, b2 = show.columns(2)
    show.chart(unscaled.spec, target=b1)
    show.chart(scaled.spec, target=b2)
    st.caption(sc.boundary_text(o, scaler, model))
    with st.expander("Boundary as a table (training accuracy)"):
        st.dataframe(pd.DataFrame({"scaler": ["none", scaler], "model": model,
                                   "training accuracy": [unscaled.accuracy, scaled.accuracy]}), hide_index=True)


def cv_panel(s: sc.ScalingSettings, task: str) -> sc.CvComparison:
    """Every model with every scaler, last: a progress bar while the 24 cross-validations run (each cached
    on its own scaler and model); a control moved meanwhile stops the run between two of them."""
    st.markdown(f"##### {sc.CV_FOLDS}-fold CV score of each model with each scaler (all features)")
    slot = st.empty()  # the bar's place, kept when there is no bar: the elements below keep theirs
    if s.outliers not in st.session_state.get(DONE_KEY, ()):
        steps = sc.cv_steps(s.outliers, task)
        bar = slot.progress(0.0, text=steps[0][0])
        for i, (text, step) in enumerate(steps):
            bar.progress(i / len(steps), text=text)
            step()
        slot.empty()
        st.session_state[DONE_KEY] = ([k for k in st.session_state.get(DONE_KEY, []) if k != s.outliers]
                                      + [s.outliers])[-32:]
    cv = sc.cv_comparison(s.outliers)
    show.chart(cv.spec)
    st.caption(cv.caption)
    with st.expander("CV scores as a table"):
        st.dataframe(cv.table)
    return cv


st.title("Scaling lab")
st.caption("Distance- and gradient-based models see raw units; a tree splits one feature at a time, so "
           "scaling moves it little (the CV scores below say how much). Pick a scaler, inject outliers, and "
           "watch the features, the decision boundary and the CV scores respond.")
ds = common.current_dataset()
settings = shared_controls(ds)
strips = sc.strips(settings.outliers)
if strips.rows < len(ds.X):
    st.caption(f"{ds.name} has {len(ds.X):,} rows; this page uses a seeded, stratified sample of {strips.rows}.")
strips_panel(strips)
st.markdown("##### One scaler up close: formula, statistics and a 2-D decision boundary")
scaler_panel(ds, settings, strips)
cv = cv_panel(settings, strips.task)
n_out, extreme = settings.outliers.n, settings.extreme
common.page_footer(
    sc.script(settings, strips.task),
    "Each strip shows one feature under every scaler; "
    + (f"{n_out} outlier row(s) sit at Q3 + {extreme}×IQR. " if n_out else
       "no outlier rows yet (the *Outlier rows* slider adds some). ") +
    "The boundary plots fit the same model on two raw features without and with the chosen scaler. "
    "The dots compare cross-validated scores on all features, the scaler fitted inside each fold. "
    "k-NN and the RBF SVM measure distances, so a feature's units weigh in them; logistic regression's "
    "lbfgs solver (200 iterations here) may stop before converging on unscaled inputs. "
    + sc.TREE_MECHANISM + " " + cv.caption)
