"""Scaling lab: min-max, standard, robust, max-abs and quantile scaling, with outliers on demand."""
import numpy as np
import pandas as pd
import streamlit as st

from components import charts, datasets
from components import scaling as sc
from components.ui import chart_cache, common


@st.cache_data(max_entries=16, show_spinner=False)
def _data(name, n_samples, noise, seed):
    d = datasets.load(name, n_samples=n_samples, noise=noise, seed=seed)
    X, y = sc.subsample(d.X, d.y, d.task, seed)
    return X, y, d.task, d.target_names


@st.cache_data(max_entries=32, show_spinner=False)
def _outliers(data_key, n, extreme):
    X = _data(*data_key)[0]
    return sc.inject_outliers(X, n, extreme, data_key[-1])


@st.cache_data(max_entries=32, show_spinner=False)
def _pair(data_key):
    X, y, task, _ = _data(*data_key)
    return sc.boundary_pair(X, y, task)


@st.cache_data(max_entries=16, show_spinner=False)
def _scaled_clean(data_key):
    """The pair under every scaler without outliers: the baseline of the squash table, whatever the outliers."""
    X = _data(*data_key)[0]
    return sc.scale_all(X, _pair(data_key), np.zeros(len(X), dtype=bool), data_key[-1])


@st.cache_data(max_entries=32, show_spinner=False)
def _scaled(data_key, n, extreme):
    X_out, mask = _outliers(data_key, n, extreme)
    pair = _pair(data_key)
    dirty = sc.scale_all(X_out, pair, mask, data_key[-1])
    return dirty, sc.squash_table(_data(*data_key)[0], X_out, mask, pair, data_key[-1],
                                  clean=_scaled_clean(data_key), dirty=dirty)


@st.cache_data(max_entries=32, show_spinner=False)
def _squash(data_key, n, extreme):
    squash = _scaled(data_key, n, extreme)[1]
    return squash, squash.round(4)


@st.cache_data(max_entries=128, show_spinner=False)
def _cv_row(data_key, n, extreme, scaler):
    X_out, _ = _outliers(data_key, n, extreme)
    _, y, task, _ = _data(*data_key)
    return sc.cv_row(X_out, y, task, scaler, data_key[-1])


@st.cache_data(max_entries=64, show_spinner=False)
def _boundary_acc(data_key, n, extreme, scaler, model):
    return _boundary(data_key, n, extreme, scaler, model)[2]


@st.cache_data(max_entries=16, show_spinner=False)
def _binary_names(data_key):
    _, y, _, names = _data(*data_key)
    return sc.binary_target(y, names)[1]


@st.cache_data(max_entries=64, show_spinner=False)
def _stats(data_key, n, extreme, scaler):
    X_out, _ = _outliers(data_key, n, extreme)
    return sc.stats_table(X_out, scaler, data_key[-1]).round(4)


@st.cache_data(max_entries=32, show_spinner=False)
def _std_ratio(data_key, n, extreme):
    """Of the table the boundary models are fitted on: the outlier rows included."""
    return sc.std_ratio(_outliers(data_key, n, extreme)[0], _pair(data_key))


@st.cache_data(max_entries=64, show_spinner=False)
def _disagreement(data_key, n, extreme, scaler, model):
    """Share of the plot where the scaled fit predicts another class than the unscaled one."""
    return sc.class_disagreement(_boundary(data_key, n, extreme, "none", model)[0],
                                 _boundary(data_key, n, extreme, scaler, model)[0])


@st.cache_data(max_entries=64, show_spinner=False)
def _boundary(data_key, n, extreme, scaler, model):
    X_out, mask = _outliers(data_key, n, extreme)
    _, y, _, names = _data(*data_key)
    y_bin, class_names = sc.binary_target(y, names)
    return sc.boundary_data(X_out[_pair(data_key)], y_bin, mask, scaler, model, data_key[-1], class_names)


st.title("Scaling lab")
st.caption("Distance- and gradient-based models see raw units; a tree splits one feature at a time, so "
           "scaling moves it little (the CV scores below say how much). Pick a scaler, inject outliers, and "
           "watch the features, the decision boundary and the CV scores respond.")

ds = common.current_dataset()
c2, c3 = st.columns(2)
n_out = c2.slider("Outlier rows", sc.N_OUTLIERS_MIN, sc.N_OUTLIERS_MAX, sc.N_OUTLIERS_DEFAULT,
                  key=sc.N_OUTLIERS_KEY, bind="query-params",
                  help="Rows pushed far out in every feature (their labels are kept).")
extreme = c3.slider("How extreme (× IQR beyond Q3)", sc.EXTREME_MIN, sc.EXTREME_MAX, sc.EXTREME_DEFAULT,
                    key=sc.EXTREME_KEY, bind="query-params")

seed = common.seed()
is_2d = ds.name in datasets.TWO_D
n_samples = int(st.session_state.get(common.N_SAMPLES_KEY, common.N_SAMPLES_DEFAULT)) if is_2d else 0
noise = float(st.session_state.get(common.NOISE_KEY, common.NOISE_DEFAULT)) if is_2d else 0.0
data_key = (ds.name, n_samples, noise, seed)
# with no outlier rows the extremity changes nothing: one cache key for all its values, so moving
# that slider refits nothing until there are outliers to move
ext = extreme if n_out else 0

X, y, task, target_names = _data(*data_key)
pair = _pair(data_key)
squash, squash_table = _squash(data_key, n_out, ext)
if len(X) < len(ds.X):
    st.caption(f"{ds.name} has {len(ds.X):,} rows; this page uses a seeded, stratified sample of {len(X)}.")


# Chart builders take the small keys of their inputs (not the frames) and read the cached frames
# themselves: the chart cache then hashes a tuple per rerun instead of a DataFrame (a boundary grid is
# thousands of rows).
def _boundary_chart(data_key, n, extreme, scaler, model, title):
    grid, points, _ = _boundary(data_key, n, extreme, scaler, model)
    return charts.boundary_chart(grid, points, title=title, height=340).configure_legend(
        rowPadding=0, titlePadding=2, symbolSize=60)


@st.cache_data(max_entries=32, show_spinner=False)
def _strip_rows(data_key, n, extreme, feature):
    scaled = _scaled(data_key, n, extreme)[0]
    return scaled[scaled["feature"] == feature]


def _strip_chart(data_key, n, extreme, feature):
    # half the page: the legend goes below to leave room for the row labels
    return charts.strip_chart(_strip_rows(data_key, n, extreme, feature), "value", "scaler", color="point",
                              title=f"{feature} (own axis per row)", width=270).configure_legend(orient="bottom")


@st.cache_data(max_entries=32, show_spinner=False)
def _cv_frames(data_key, n, extreme):
    """Every model x scaler CV score (each scaler's row cached alone) and the table view of it."""
    cv = pd.DataFrame([r for s in sc.SCALERS for r in _cv_row(data_key, n, extreme, s)])
    return cv, cv.pivot(index="model", columns="scaler", values="CV score")[list(sc.SCALERS)].round(4)


@st.cache_data(max_entries=32, show_spinner=False)
def _cv_caption(data_key, n, extreme):
    return sc.cv_caption(_cv_frames(data_key, n, extreme)[0])


@st.cache_data(max_entries=32, show_spinner=False)
def _strip_caption(data_key, n, extreme):
    """extreme is 0 when there are no outlier rows (one cache key); the caption names it only when n > 0."""
    feature = _pair(data_key)[0]
    return sc.strip_caption(_squash(data_key, n, extreme)[0], feature, n, extreme,
                            sc.outlier_quantile(_scaled(data_key, n, extreme)[0], feature))


def _cv_chart(data_key, n, extreme, x_title):
    # dots on a zoomed axis, scalers in the page's order: a few points' gap (k-NN unscaled) is visible
    return charts.score_dot_chart(_cv_frames(data_key, n, extreme)[0], "CV score", "model", color="scaler",
                                  color_order=list(sc.SCALERS), height=380, x_title=x_title)


@st.fragment
def scaler_section():
    """The chosen scaler and the boundary model: reruns alone, reads cached fits."""
    s1, s2 = st.columns([2.2, 1])
    scaler = s1.segmented_control("Scaler", sc.SCALERS, default=sc.SCALER_DEFAULT, required=True,
                                  key=sc.SCALER_KEY, bind="query-params")
    f1, f2, f3 = st.columns([1, 1.2, 1.4])  # the metrics' labels and ranges need the width
    with f1:
        st.latex(sc.FORMULAS[scaler])
    row = squash[(squash["feature"] == pair[0]) & (squash["scaler"] == scaler)].iloc[0]
    f2.metric(f"Inlier IQR of {pair[0]} after scaling", f"{row['inlier IQR, with outliers']:.3g}",
              f"{row['kept'] - 1:+.0%} vs no outliers" if n_out else None, delta_color="off")
    X_now = _outliers(data_key, n_out, ext)[0]  # the outlier rows included: they set min-max's range
    f3.metric(f"Range of {pair[0]}", f"{X_now[pair[0]].min():.3g} … {X_now[pair[0]].max():.3g}",
              f"vs {pair[1]}: {X_now[pair[1]].min():.3g} … {X_now[pair[1]].max():.3g}", delta_color="off",
              delta_arrow="off")  # a comparison, not a change: no up arrow
    with st.expander(f"Every feature's statistics, raw vs {scaler}"):
        st.dataframe(_stats(data_key, n_out, ext, scaler))
    if task != "classification":
        st.info(f"**{ds.name}** is a regression dataset: the decision boundary needs classes. The scores below "
                "use regressors. Pick a classification dataset in the sidebar to see the boundary.")
        return
    model = s2.selectbox("Model for the boundary", sc.CLASSIFIERS, index=sc.CLASSIFIERS.index(sc.MODEL_DEFAULT),
                         key=sc.MODEL_KEY, bind="query-params")
    acc_none, acc_s = _boundary_acc(data_key, n_out, ext, "none", model), _boundary_acc(
        data_key, n_out, ext, scaler, model)
    b1, b2 = st.columns(2)
    chart_cache.draw(_boundary_chart, data_key, n_out, ext, "none", model,
                     f"{model}, no scaling: train acc {acc_none:.3f}", target=b1)
    chart_cache.draw(_boundary_chart, data_key, n_out, ext, scaler, model,
                     f"{model}, {scaler}: train acc {acc_s:.3f}", target=b2)
    multi = f" ({_binary_names(data_key)[0]} vs the rest)" if len(target_names) > 2 else ""
    st.caption(sc.boundary_caption(pair, _std_ratio(data_key, n_out, ext), model, scaler,
                                   _disagreement(data_key, n_out, ext, scaler, model), multi))
    with st.expander("Boundary as a table (training accuracy)"):
        st.dataframe(pd.DataFrame({"scaler": ["none", scaler], "model": model,
                                   "training accuracy": [acc_none, acc_s]}), hide_index=True)


st.markdown("##### Each feature under every scaler")
left, right = st.columns(2)
for col, feature in zip((left, right), pair):
    with col:
        chart_cache.draw(_strip_chart, data_key, n_out, ext, feature)
st.caption(_strip_caption(data_key, n_out, ext))
with st.expander("Squashing as a table: the inliers' IQR after each scaler, without and with the outliers"):
    st.dataframe(squash_table, hide_index=True)

st.markdown("##### One scaler up close: formula, statistics and a 2-D decision boundary")
scaler_section()

st.markdown(f"##### {sc.CV_FOLDS}-fold CV score of each model with each scaler (all features)")
with st.spinner("Cross-validating every model with every scaler…"):
    cv_table = _cv_frames(data_key, n_out, ext)[1]
metric = "accuracy" if task == "classification" else "R²"
chart_cache.draw(_cv_chart, data_key, n_out, ext, f"CV {metric}")
cv_caption = _cv_caption(data_key, n_out, ext)
st.caption(cv_caption)
with st.expander("CV scores as a table"):
    st.dataframe(cv_table)

common.page_footer(
    questions=[
        "Why does feature scaling matter, and for which models?",
        "Min-max normalisation vs standardisation: what is the difference and when do you use each?",
        "How do outliers affect min-max and standard scaling, and what does a robust scaler do instead?",
        "Why are tree-based models insensitive to feature scaling?",
        "Why should the scaler be fitted on the training data only (inside the pipeline)?",
    ],
    code=sc.export_code(ds.name, task, n_out, extreme, seed, n_samples, noise),
    explanation=(
        "Each strip shows one feature under every scaler; "
        + (f"{n_out} outlier row(s) sit at Q3 + {extreme}×IQR. " if n_out else
           "no outlier rows yet (the *Outlier rows* slider adds some). ") +
        "The boundary plots fit the same model on two raw features without and with the chosen scaler. "
        "The dots compare cross-validated scores on all features, the scaler fitted inside each fold. "
        "k-NN and the RBF SVM measure distances, so a feature's units weigh in them; logistic regression's "
        "lbfgs solver (200 iterations here) may stop before converging on unscaled inputs. "
        + sc.TREE_MECHANISM + " " + cv_caption),
)
