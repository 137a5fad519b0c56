"""Overfitting lab: polynomial degree and regularisation on a noisy 1-D function, learning curves,
the bias-variance decomposition, tree depth and pruning, early stopping."""
import altair as alt
import numpy as np
import pandas as pd
import streamlit as st

from components import charts, datasets
from components import overfitting as o
from components.ui import chart_cache, common

VIEWS, VIEW_KEY = o.VIEWS, o.VIEW_KEY

QUESTIONS = [
    "What are overfitting and underfitting? How do you detect each from train and validation error?",
    "What is a validation curve, and how do you pick model complexity from it (the one-standard-error rule)?",
    "How do L1 (Lasso) and L2 (Ridge) regularisation differ? Why does Lasso set coefficients to exactly zero?",
    "What does a learning curve tell you: would more data help, or a different model?",
    "Explain the bias–variance trade-off. Which part of the error can no model remove?",
    "How do max depth and cost-complexity pruning (ccp_alpha) control a decision tree?",
    "What is early stopping, and why is it a form of regularisation?",
]

# "What you are seeing" for the view on screen: one paragraph covering all six views was a wall of text
TRUTH = "The data are noisy samples of **y = sin(2πx)**{}, so the best possible RMSE is the noise level itself. "
CURVE_TEXT, TRUTH_TEXT = TRUTH.format(" (the dashed curve)"), TRUTH.format("")  # views that draw the truth, and not
VERDICT_TEXT = (
    "The **one-standard-error rule** picks ONE setting: the simplest whose cross-validated error is within one "
    "standard error of the lowest (marked on the validation curve; the grey dashed line is that limit). The other "
    "settings in that band are not detectably worse, but the rule does not pick them. The verdict on a setting uses "
    "what only generated data gives: the **noise floor**. The noise added has std σ, but the noise a small sample "
    "happens to get scatters around σ, so each error is compared with the true curve's own error on the same rows. "
    "A training error well above it is **under-fit** (a model that could follow the curve would fit its own "
    "training rows about as well as the truth); a validation error well above both the training error and the "
    "floor is **over-fit**; a setting with neither is a **good fit** inside the band, and *slightly* under- or "
    "over-fit outside it. \"Well above\" means by more than "
    f"{o.FLOOR_REL:.0%} of σ plus {o.FLOOR_SLACK:g}. On real data the floor is unknown, and the gap and the band "
    "are all there is.")
EXPLANATIONS = (
    CURVE_TEXT + "A **low degree** cannot bend enough: training and validation errors both stay high (**under-fit**, "
    "high bias). A **high degree** bends to chase the noise: training error falls below the noise level while "
    "validation error grows, steeply with few points (**over-fit**, high variance). " + VERDICT_TEXT,
    TRUTH_TEXT + "**Ridge** (L2) shrinks the coefficients as alpha grows (their overall size falls smoothly); "
    "**Lasso** (L1) sets some exactly to zero. Both tame a wild high-degree fit; too much alpha flattens the curve "
    "itself (under-fit). Here a larger alpha is the simpler model, so the one-standard-error rule picks the largest "
    "alpha within the band. " + VERDICT_TEXT,
    TRUTH_TEXT + "The **learning curve** refits the current model on more and more rows: a gap between training and "
    "validation error that is still closing says more data would help; two flat curves near the noise level say "
    "it would not, and a model that is too simple stays above it whatever the data.",
    CURVE_TEXT + f"The **bias–variance** view draws {o.BV_SETS} independent training sets of the page's size from "
    f"the same process ({o.BV_SETS_LASSO} with lasso, which has no closed-form fit), fits each, and compares the fits "
    f"at {len(o.BV_TEST_X)} test x across [0, 1] with the truth. **Bias²** is how far the average fit is from the "
    "truth (squared, averaged over x), **variance** how much the fits spread around their average, and the "
    "**noise** σ² is what no model removes; their sum is the expected test MSE, and the page checks it against the "
    "MSE measured directly on fresh noisy test points. The average of finitely many fits misses its expectation by "
    "chance, which inflates the plain squared gap by variance / (number of fits): the page subtracts that (an "
    "unbiased estimate, which can dip below 0) and shows its Monte Carlo error. Typically bias² falls with the "
    "degree while variance grows. It is not quite so simple: for a fixed set of training x, an added least-squares "
    "term can never raise the bias at those x, but averaged over random training sets and measured at new x it "
    "can rise a little; the sentences above say what these numbers show.",
    ("Trees **over-fit with depth**: each level can split the training rows further, until every leaf is pure "
     "(training accuracy 1). **ccp_alpha** prunes back the branches whose impurity gain does not pay for their "
     "size. The verdicts come from cross-validation on the *training* split: the one-standard-error rule picks the "
     "shallowest depth (the largest ccp_alpha) whose CV accuracy is within one standard error of the best. Below "
     "that band a tree simpler than the pick is under-fit, and one more complex than the best is over-fit when its "
     "train/CV gap is wider than the best's. A real dataset has no known noise floor, so no setting is called a good fit. The test rows stay out "
     "of that choice and give the final score, as they would in practice (picking the depth on them would leak "
     "the test set into the model)."),
    ("Gradient boosting **can over-fit with stages**: the training loss keeps falling while the validation loss "
     "eventually turns back up (the sentence above says whether it does within these stages). **Early stopping** "
     "(scikit-learn's n_iter_no_change = *patience*) halts at the first stage whose validation loss is no lower "
     "than any of the previous *patience* stages' (by tol = 1e-4), and keeps every stage fitted so far: it can "
     "stop before *best + patience*, and it keeps a few stages past the lowest validation loss rather than "
     "rolling back to it."),
)


error_text, mse_text = o.error_text, o.mse_text


def clamp_cap(values, floor: float) -> float:
    return float(max(floor, 3.0 * min(values)))


@st.cache_data(max_entries=64, show_spinner="Cross-validating every degree…")
def degree_curve(n: int, noise: float, seed: int, penalty: str, alpha: float) -> pd.DataFrame:
    return o.degree_curve(o.make_data(n, noise, seed), penalty, alpha, seed)


@st.cache_data(max_entries=128, show_spinner=False)
def fit_poly(n: int, noise: float, seed: int, degree: int, penalty: str, alpha: float) -> o.PolyResult:
    return o.fit_poly(n, noise, seed, degree, penalty, alpha, degree_curve(n, noise, seed, penalty, alpha))


@st.cache_data(max_entries=64, show_spinner="Fitting every alpha…")
def coefficient_path(n: int, noise: float, seed: int, degree: int, penalty: str):
    return o.coefficient_path(n, noise, seed, degree, penalty)


@st.cache_data(max_entries=64, show_spinner=False)
def learning_curve(noise: float, seed: int, degree: int, penalty: str, alpha: float) -> pd.DataFrame:
    # the bar lives inside the cached function: a cache hit replays it already emptied
    bar = st.progress(0.0, text="Learning curve: refitting on growing training sets (first time only)…")
    lc = o.learning_curve_frame(noise, seed, degree, penalty, alpha,
                                progress=lambda f: bar.progress(f, text=f"Learning curve: {f:.0%} of the sizes"))
    bar.empty()
    return lc


@st.cache_data(max_entries=32, show_spinner=False)
def bias_variance(n: int, noise: float, seed: int, penalty: str, alpha: float) -> o.BiasVariance:
    sets = o.BV_SETS_LASSO if penalty.startswith("lasso") else o.BV_SETS
    bar = st.progress(0.0, text=f"Fitting {o.BV_DEGREE_MAX} degrees on {sets} fresh training sets (first time only)…")
    bv = o.bias_variance(n, noise, seed, penalty, alpha,
                         progress=lambda f: bar.progress(f, text=f"Bias–variance: {f:.0%} of the fits"))
    bar.empty()
    return bv


@st.cache_data(max_entries=32, show_spinner="Fitting trees at every depth…")
def tree_depth_curve(_ds: datasets.Dataset, ds_key: tuple, seed: int, ccp: float) -> pd.DataFrame:
    return o.tree_depth_curve(_ds.X, _ds.y, seed, ccp)


@st.cache_data(max_entries=64, show_spinner="Fitting trees at every pruning strength…")
def tree_ccp_curve(_ds: datasets.Dataset, ds_key: tuple, seed: int, depth: int) -> pd.DataFrame:
    return o.tree_ccp_curve(_ds.X, _ds.y, seed, depth)


@st.cache_data(max_entries=64, show_spinner=False)
def tree_curves(_ds: datasets.Dataset, ds_key: tuple, seed: int, depth: int, ccp: float) -> o.TreeResult:
    """The depth slider redoes the pruning curve only, the ccp_alpha slider the depth curve only."""
    return o.tree_curves(_ds.X, _ds.y, seed, depth, ccp, tree_depth_curve(_ds, ds_key, seed, ccp),
                         tree_ccp_curve(_ds, ds_key, seed, depth))


@st.cache_data(max_entries=32, show_spinner="Boosting all the stages…")
def boosting_losses(noise: float, seed: int, lr: float) -> o.BoostingLosses:
    return o.boosting_losses(noise, seed, lr)


@st.cache_data(max_entries=64, show_spinner=False)
def early_stopping(noise: float, seed: int, lr: float, patience: int) -> o.EarlyStopResult:
    """The patience slider refits only the early-stopped model (a few stages), not the full run."""
    return o.early_stopping(noise, seed, lr, patience, boosting_losses(noise, seed, lr))


def verdict_metric(col, label: str, verdict: o.Verdict) -> None:
    col.metric(label, verdict.label, help=verdict.sentence)


def pick_marker(x, y, current: str, pick_x, pick_y, pick: str) -> pd.DataFrame:
    """Layer 0 of a validation curve: the current setting and the one-standard-error rule's pick."""
    return pd.DataFrame({"x": [x, pick_x], "y": [y, pick_y], "group": [current, f"one-SE pick: {pick}"]})


def y_domain(noise: float) -> tuple[float, float]:
    return (-1.5 - 3 * noise, 1.5 + 3 * noise)


@st.cache_data(max_entries=128, show_spinner=False)
def fit_spec(n, noise, seed, degree, penalty, alpha) -> dict:
    """The data and this degree's fit (converted once per setting: a rerun sends the cached dict)."""
    r = fit_poly(n, noise, seed, degree, penalty, alpha)
    lines = pd.concat([r.curve[["x", "fitted"]].rename(columns={"fitted": "y"}).assign(series=f"degree {degree} fit"),
                       r.curve[["x", "truth"]].rename(columns={"truth": "y"}).assign(series="true function")])
    return charts.to_spec(charts.points_lines_chart(r.data.assign(group="data"), lines, "x", "y",
                                                        f"Degree {degree}, penalty: {penalty}", y_domain=y_domain(noise)))


BAND_TITLE = "dashed: lowest CV RMSE + 1 standard error"


@st.cache_data(max_entries=64, show_spinner=False)
def validation_template(n, noise, seed, penalty, alpha, _marker: pd.DataFrame) -> dict:
    """The validation curve across every degree, built with the first marker it is drawn with."""
    vc = degree_curve(n, noise, seed, penalty, alpha)
    long = pd.concat([vc[["degree", "train_rmse"]].rename(columns={"degree": "x", "train_rmse": "y"}).assign(series="train"),
                      vc[["degree", "val_rmse"]].rename(columns={"degree": "x", "val_rmse": "y"}).assign(series="validation")])
    edge = o.one_se_rule(vc["val_rmse"], vc["val_se"]).edge
    return charts.to_spec(charts.points_lines_chart(_marker, long, "polynomial degree", "RMSE",
                                                    ["Validation curve, every degree (clipped at the top)", BAND_TITLE],
                                                    y_domain=(0, clamp_cap(vc["val_rmse"], 0.5 + noise)), rule_y=edge))


def view_fit(n, noise, seed, degree, penalty, alpha) -> None:
    r = fit_poly(n, noise, seed, degree, penalty, alpha)
    vc = r.curve_by_degree
    i = degree - o.DEGREE_MIN
    m = st.columns(5)
    m[0].metric("Train RMSE (CV)", error_text(vc["train_rmse"].iloc[i]),
                help=f"Mean over the {o.CV_FOLDS} cross-validation folds of the training RMSE: the validation "
                     "curve's training line.")
    m[1].metric("Validation RMSE (CV)", error_text(r.cv_rmse),
                help=f"Mean over the {o.CV_FOLDS} cross-validation folds of the RMSE on the held-out fold.")
    m[2].metric("Best degree (CV)", r.best_degree)
    m[3].metric("One-SE pick", f"degree {r.pick_degree}",
                help="The simplest degree whose CV RMSE is within one standard error of the lowest.")
    verdict_metric(m[4], f"Degree {degree} is", r.reading.verdict)
    st.markdown(f"{r.reading.verdict.sentence}  \n{r.reading.pick_text}")
    left, right = st.columns(2)
    left.vega_lite_chart(spec=fit_spec(n, noise, seed, degree, penalty, alpha))
    pick = r.pick_degree - o.DEGREE_MIN
    marker = pick_marker(degree, r.cv_rmse, f"degree {degree}: {r.reading.verdict.label}", r.pick_degree,
                         float(vc["val_rmse"].iloc[pick]), f"degree {r.pick_degree}")
    # the degree only moves the marker on the validation curve: built once per curve, the marker swapped in
    right.vega_lite_chart(spec=charts.swap_layer_data(validation_template(n, noise, seed, penalty, alpha, marker),
                                                      {0: marker}))
    with st.expander("Numbers behind the charts"):
        st.markdown(f"Degree {degree} fitted on all {n} points (the left chart): train RMSE "
                    f"{error_text(r.train_rmse)}. The true curve's own RMSE on the CV rows: "
                    f"{error_text(r.floor.train)} (training folds), {error_text(r.floor.val)} (validation folds).")
        st.dataframe(vc.round(4), hide_index=True)
        st.dataframe(r.coefficients, hide_index=True)


@st.cache_data(max_entries=32, show_spinner=False)
def path_templates(n, noise, seed, degree, penalty, _marker: pd.DataFrame, _point: pd.DataFrame) -> tuple[dict, dict]:
    """The two charts of one coefficient path, built with the first markers they are drawn with (layer 0
    of each: the page swaps in the current alpha's)."""
    path, by_alpha = coefficient_path(n, noise, seed, degree, penalty)
    lines = path.rename(columns={"alpha": "x", "coefficient": "y", "term": "series"})
    path_chart = charts.points_lines_chart(_marker, lines, "alpha (log scale)",
                                           "coefficient (standardised)",  # longer overflows the plot
                                           f"Coefficient path, degree {degree}, {penalty}", log_x=True,
                                           # one legend line per term: grow with the degree or it is cut off
                                           height=max(charts.HEIGHT, 20 * degree + 150))
    # up to 20 terms: one hue each from a sequential scheme in order of power (x^1 ... x^20), not a repeating
    # 7-colour palette sorted as text (x^1, x^10, x^11, ... with x^1, x^9 and x^2 all black)
    terms = sorted(lines["series"].unique(), key=lambda t: int(str(t).split("^")[1]))
    path_chart.layer[-1].encoding.color = alt.Color("series:O", title="term", sort=terms,
                                                    scale=alt.Scale(scheme="viridis", domain=terms))
    long = pd.concat([by_alpha[["alpha", "train_rmse"]].rename(columns={"alpha": "x", "train_rmse": "y"}).assign(series="train"),
                      by_alpha[["alpha", "val_rmse"]].rename(columns={"alpha": "x", "val_rmse": "y"}).assign(series="validation")])
    edge = o.one_se_rule(by_alpha["val_rmse"], by_alpha["val_se"], complexity_increases=False).edge
    error_chart = charts.points_lines_chart(_point, long, "alpha (log scale)", "RMSE",
                                            ["Error against alpha", BAND_TITLE], log_x=True,
                                            y_domain=(0, clamp_cap(by_alpha["val_rmse"], 0.5 + noise)), rule_y=edge)
    return charts.to_spec(path_chart), charts.to_spec(error_chart)


PATH_BUTTON_KEY = "overfit.path_penalty"


def _choose_penalty(choice: str) -> None:
    st.session_state[o.PENALTY_KEY] = choice  # before the next run draws the penalty control


def view_path(n, noise, seed, degree, penalty, alpha) -> None:
    if penalty == "none":
        st.info("A path needs a penalty: with none, alpha changes nothing. Pick one to watch the coefficients "
                "shrink as alpha grows (lasso sets some of them exactly to 0).")
        cols = st.columns(4)
        for col, choice in zip(cols, o.PENALTIES[1:]):
            col.button(f"Show the {choice} path", key=f"{PATH_BUTTON_KEY}.{choice}", on_click=_choose_penalty,
                       args=(choice,))
        return
    path, by_alpha = coefficient_path(n, noise, seed, degree, penalty)
    idx = o.ALPHAS.index(alpha)
    reading = o.read_rmse_curve(by_alpha, idx, o.alpha_names(o.ALPHAS), o.noise_floor(n, noise, seed),
                                complexity_increases=False)
    best, pick = o.ALPHAS[reading.rule.best], o.ALPHAS[reading.rule.pick]
    current = path[path["alpha"] == alpha]
    m = st.columns(5)
    m[0].metric("Validation RMSE (CV)", error_text(by_alpha["val_rmse"].iloc[idx]),
                help=f"At alpha = {alpha:g}: mean over the {o.CV_FOLDS} cross-validation folds.")
    m[1].metric("Best alpha (CV)", f"{best:g}")
    m[2].metric("One-SE pick", f"alpha = {pick:g}",
                help="The largest alpha (the simplest model) whose CV RMSE is within one standard error of the lowest.")
    m[3].metric("Coefficients exactly 0", int((current["coefficient"].abs() < 1e-12).sum()))
    verdict_metric(m[4], f"alpha = {alpha:g} is", reading.verdict)
    st.markdown(f"{reading.verdict.sentence}  \n{reading.pick_text}")
    left, right = st.columns(2)
    marker = current.rename(columns={"alpha": "x", "coefficient": "y"}).assign(group=f"alpha = {alpha:g}")
    marker = marker[["x", "y", "group"]]
    point = pick_marker(alpha, by_alpha["val_rmse"].iloc[idx], f"alpha = {alpha:g}: {reading.verdict.label}", pick,
                        by_alpha["val_rmse"].iloc[reading.rule.pick], f"alpha = {pick:g}")
    # alpha only moves the markers: the charts are built once per path and the markers swapped in
    path_t, error_t = path_templates(n, noise, seed, degree, penalty, marker, point)
    left.vega_lite_chart(spec=charts.swap_layer_data(path_t, {0: marker}))
    right.vega_lite_chart(spec=charts.swap_layer_data(error_t, {0: point}))
    with st.expander("Numbers behind the charts"):
        st.dataframe(by_alpha.round(4), hide_index=True)
        st.dataframe(path.pivot(index="term", columns="alpha", values="coefficient").round(4))


def view_learning(noise, seed, degree, penalty, alpha) -> None:
    lc = learning_curve(noise, seed, degree, penalty, alpha)
    val = lc[lc["split"] == "validation"].set_index("n_train")["rmse"]
    tr = lc[lc["split"] == "train"].set_index("n_train")["rmse"]
    m = st.columns(3)
    m[0].metric(f"Validation RMSE with {val.index[-1]} rows", error_text(val.iloc[-1]))
    m[1].metric("Gap (validation − train)", error_text(val.iloc[-1] - tr.iloc[-1]))
    m[2].metric("Still improving?", "yes" if o.still_improving(lc) else "flat",
                help="Does the validation error fall between the two largest sizes by more than one standard "
                     "error of the cross-validated estimate? A smaller drop is noise.")
    st.vega_lite_chart(spec=learning_spec(noise, seed, degree, penalty, alpha))
    st.caption(f"The noise floor is {noise:.2f}: no model's validation RMSE can go much below it.")
    with st.expander("Numbers behind the chart"):
        st.dataframe(lc.pivot(index="n_train", columns="split", values="rmse").round(4))


@st.cache_data(max_entries=64, show_spinner=False)
def learning_spec(noise, seed, degree, penalty, alpha) -> dict:
    lc = learning_curve(noise, seed, degree, penalty, alpha)
    val = lc[lc["split"] == "validation"]["rmse"]
    lines = lc.rename(columns={"n_train": "x", "rmse": "y", "split": "series"})
    chart = charts.points_lines_chart(None, lines, "training-set size", "RMSE",
                                      f"Learning curve, degree {degree} ({penalty}), on {o.POOL_N} fresh points from "
                                      "the same function", log_x=True, y_domain=(0, clamp_cap(val, 0.5 + noise)))
    return charts.to_spec(chart)


def bv_title(d: int, sets: int) -> str:
    return f"{o.CURVES_SHOWN} of the {sets} fits on fresh training sets, degree {d}"


@st.cache_data(max_entries=256, show_spinner=False)
def bv_lines(n, noise, seed, penalty, alpha, d: int) -> pd.DataFrame:
    """Degree d's fits on fresh training sets, their average and the true function, as
    charts.points_lines_chart draws them (its "dash" column: the true function dashed)."""
    xs = bias_variance(n, noise, seed, penalty, alpha).curves[d]
    truth = pd.DataFrame({"x": o.BV_TEST_X, "y": o.true_function(o.BV_TEST_X), "series": "true function",
                          "line": "truth"})
    lines = pd.concat([xs.assign(alpha=np.where(xs["line"] == "average", 1.0, 0.35)), truth.assign(alpha=1.0)])
    return lines.assign(dash=np.where(lines["series"].str.startswith("true"), "dashed", "solid"))


def bv_marker(bv: o.BiasVariance, d: int) -> pd.DataFrame:
    return pd.DataFrame({"x": [d], "y": [bv.table["total"].iloc[d - 1]],
                         "group": [f"degree {d}: {o.bv_verdict(bv, d).label}"]})


@st.cache_data(max_entries=32, show_spinner=False)
def bv_templates(n, noise, seed, penalty, alpha) -> tuple[dict, dict]:
    """The bias-variance view's two charts at degree 1; other degrees swap in their fits and marker."""
    bv = bias_variance(n, noise, seed, penalty, alpha)
    fits = charts.points_lines_chart(None, bv_lines(n, noise, seed, penalty, alpha, 1), "x", "y",
                                     bv_title(1, bv.sets), y_domain=y_domain(noise))
    cap = float(2 * bv.table["total"].iloc[0] + noise ** 2)
    return charts.to_spec(fits), charts.to_spec(o.bv_parts_chart(bv, bv_marker(bv, 1), cap))


def bv_points(bv: o.BiasVariance, d: int) -> pd.DataFrame:
    """Layer 0 of the parts chart: this degree's marker and the measured test MSE of every degree."""
    return pd.concat([bv_marker(bv, d), o.bv_parts_frames(bv)[1]], ignore_index=True)


def view_bias_variance(n, noise, seed, degree, penalty, alpha) -> None:
    bv = bias_variance(n, noise, seed, penalty, alpha)
    d = min(degree, o.BV_DEGREE_MAX)
    if degree > o.BV_DEGREE_MAX:
        st.caption(f"The decomposition stops at degree {o.BV_DEGREE_MAX}; showing degree {d}.")
    row = bv.table.iloc[d - 1]
    verdict = o.bv_verdict(bv, d)
    m = st.columns(3)
    m[0].metric("Bias²", mse_text(row["bias2"]),
                help=f"Its Monte Carlo standard error: {mse_text(row['bias2_se'])} (the jackknife's over the sets).")
    m[1].metric("Variance", mse_text(row["variance"]))
    m[2].metric("Noise σ² (irreducible)", mse_text(row["noise"]))
    m = st.columns(3)
    m[0].metric("Expected test MSE (the sum)", mse_text(row["total"]))
    m[1].metric("Test MSE measured on fresh points", mse_text(row["test_mse"]),
                help=f"The same {bv.sets} fits scored on fresh noisy targets at the {len(o.BV_TEST_X)} test x.")
    verdict_metric(m[2], f"Degree {d} is", verdict)
    st.markdown("  \n".join([o.bv_identity_sentence(bv, d), o.bv_bias_sentence(bv, d), verdict.sentence]))
    left, right = st.columns(2)
    # the degree only picks precomputed fits: both charts are built once, this degree's data swapped in
    fits_t, parts_t = bv_templates(n, noise, seed, penalty, alpha)
    left.vega_lite_chart(spec=charts.swap_layer_data(fits_t, {0: bv_lines(n, noise, seed, penalty, alpha, d)},
                                                     title=bv_title(d, bv.sets)))
    right.vega_lite_chart(spec=charts.swap_layer_data(parts_t, {0: bv_points(bv, d)}))
    st.caption(o.bv_trend_sentence(bv, penalty))
    with st.expander("Numbers behind the charts"):
        st.dataframe(bv.table, hide_index=True)


def view_trees(seed: int) -> None:
    ds = common.current_dataset()
    if not common.require_task(ds, datasets.CLASSIFICATION):
        return
    st.caption(f"This view fits trees on the sidebar's dataset, **{ds.name}** ({1 - o.TEST_SIZE:.0%} train, "
               f"{o.TEST_SIZE:.0%} test): the polynomial "
               "controls above (points, noise, degree, penalty) do not apply to it.")
    c1, c2 = st.columns(2)
    depth = c1.slider("Tree max depth", o.TREE_DEPTH_MIN, o.TREE_DEPTH_MAX, o.TREE_DEPTH_DEFAULT, key=o.TREE_DEPTH_KEY,
                      bind="query-params")
    ccp = c2.select_slider("Cost-complexity pruning (ccp_alpha)", o.CCP_VALUES, value=o.CCP_DEFAULT, key=o.CCP_KEY,
                           bind="query-params")
    r = tree_curves(ds, common.dataset_key(), seed, depth, ccp)
    m = st.columns(3)
    m[0].metric("Train accuracy", f"{r.train_accuracy:.3f}")
    m[1].metric("Test accuracy", f"{r.test_accuracy:.3f}")
    m[2].metric("Leaves", r.leaves)
    m = st.columns(4)
    verdict_metric(m[0], f"Depth {depth} is", r.reading_depth.verdict)
    m[1].metric("One-SE pick (depth)", r.pick_depth,
                help=f"The shallowest max_depth whose {o.TREE_CV_FOLDS}-fold CV accuracy on the training split is "
                     f"within one standard error of the best (depth {r.best_depth}).")
    verdict_metric(m[2], f"ccp_alpha {ccp:g} is", r.reading_ccp.verdict)
    m[3].metric("One-SE pick (ccp_alpha)", f"{r.pick_ccp:g}",
                help=f"The largest ccp_alpha whose CV accuracy is within one standard error of the best "
                     f"(ccp_alpha {r.best_ccp:g}).")
    sentences = [r.reading_depth.verdict.sentence, r.reading_ccp.verdict.sentence]
    sentences += [reading.pick_text for reading in (r.reading_depth, r.reading_ccp) if reading.verdict.label != o.PICKED]
    st.markdown("  \n".join(sentences))
    left, right = st.columns(2)
    # zoomed on the accuracies: on a 0-1 axis the train/test gap (1.00 vs 0.92) was a hairline
    chart_cache.draw(charts.line_chart, r.by_depth, "max_depth", "accuracy", color="split",
                     title=f"Accuracy against depth (ccp_alpha = {ccp:g})", rule_x=depth, zero_y=False, target=left)
    chart_cache.draw(charts.line_chart, r.by_ccp, "ccp_alpha", "accuracy", color="split",
                     title=f"Accuracy against pruning (max depth {depth})", rule_x=ccp, zero_y=False, target=right)
    with st.expander("Numbers behind the charts"):
        st.dataframe(r.by_depth.pivot(index="max_depth", columns="split", values="accuracy"))
        st.dataframe(r.by_ccp.pivot(index="ccp_alpha", columns="split", values="accuracy"))


@st.cache_data(max_entries=32, show_spinner=False)
def early_stopping_template(noise: float, seed: int, lr: float, _stopped_at: int) -> dict:
    """The loss curves of one learning rate, built once; the stopping rule (layer 1) is swapped in."""
    return charts.to_spec(charts.line_chart(
        boosting_losses(noise, seed, lr).losses, "stage", "mse", color="split", y_title="mean squared error",
        title=f"Gradient boosting (learning rate {lr:g}): loss per stage; the rule marks where early stopping halted",
        # log stages: the stop (often within the first 20 of 300 stages) had a few pixels on a linear axis
        rule_x=_stopped_at, log_x=True, x_title="stage (log scale)"))


def early_stopping_spec(noise: float, seed: int, lr: float, patience: int) -> dict:
    stopped_at = early_stopping(noise, seed, lr, patience).stopped_at
    return charts.swap_layer_data(early_stopping_template(noise, seed, lr, stopped_at),
                                    {1: pd.DataFrame({"stage": [stopped_at]})})


def view_early_stopping(noise: float, seed: int) -> None:
    st.caption(f"Gradient boosting on {o.POOL_N} fresh points of the same curve, with the noise above; the points, "
               "degree and penalty controls do not apply to this view.")
    c1, c2 = st.columns(2)
    lr = c1.select_slider("Boosting learning rate", o.GB_LR_VALUES, value=o.GB_LR_DEFAULT, key=o.GB_LR_KEY,
                          bind="query-params")
    patience = c2.slider("Patience (n_iter_no_change)", o.PATIENCE_MIN, o.PATIENCE_MAX, o.PATIENCE_DEFAULT,
                         key=o.PATIENCE_KEY, bind="query-params")
    r = early_stopping(noise, seed, lr, patience)
    m = st.columns(4)
    m[0].metric("Stopped at stage", r.stopped_at, help=f"of at most {o.GB_STAGES}")
    m[1].metric("Lowest validation loss at stage", r.best_stage)
    m[2].metric("Test MSE, early-stopped", f"{r.test_mse_stopped:.4f}")
    m[3].metric(f"Test MSE, all {o.GB_STAGES} stages", f"{r.test_mse_full:.4f}")
    st.markdown(o.early_stopping_sentence(r, noise))
    st.vega_lite_chart(spec=early_stopping_spec(noise, seed, lr, patience))
    with st.expander("Numbers behind the chart"):
        st.dataframe(r.losses.pivot(index="stage", columns="split", values="mse"), height=240)


st.title("Overfitting lab")
st.caption("Noisy samples of y = sin(2πx): the truth is known, so every error can be compared with the noise.")
# two rows: the penalty's three buttons need more width than a fifth of the page
c1, c2, c3 = st.columns(3)
n = c1.slider("Points", o.N_POINTS_MIN, o.N_POINTS_MAX, o.N_POINTS_DEFAULT, o.N_POINTS_STEP, key=o.N_POINTS_KEY,
              bind="query-params")
noise = c2.slider("Noise (std)", o.NOISE_MIN, o.NOISE_MAX, o.NOISE_DEFAULT, o.NOISE_STEP, key=o.NOISE_KEY,
                  bind="query-params")
degree = c3.slider("Polynomial degree", o.DEGREE_MIN, o.DEGREE_MAX, o.DEGREE_DEFAULT, key=o.DEGREE_KEY,
                   bind="query-params")
c4, c5 = st.columns(2)
penalty = c4.segmented_control("Penalty", o.PENALTIES, default=o.PENALTY_DEFAULT, required=True, key=o.PENALTY_KEY,
                               bind="query-params")
alpha = c5.select_slider("alpha (regularisation strength)", o.ALPHAS, value=o.ALPHA_DEFAULT, key=o.ALPHA_KEY,
                         format_func=lambda a: f"{a:g}", bind="query-params", disabled=penalty == "none")
view = st.segmented_control("View", VIEWS, default=VIEWS[0], required=True, key=VIEW_KEY, bind="query-params")
seed = common.seed()

if view == VIEWS[0]:
    view_fit(n, noise, seed, degree, penalty, alpha)
elif view == VIEWS[1]:
    view_path(n, noise, seed, degree, penalty, alpha)
elif view == VIEWS[2]:
    view_learning(noise, seed, degree, penalty, alpha)
elif view == VIEWS[3]:
    view_bias_variance(n, noise, seed, degree, penalty, alpha)
elif view == VIEWS[4]:
    view_trees(seed)
else:
    view_early_stopping(noise, seed)

ds = common.current_dataset()
tree_ds = common.dataset_key() if ds.task == datasets.CLASSIFICATION else None
code = o.export_code(n, noise, seed, degree, penalty, alpha, tree_ds,
                     int(st.session_state.get(o.TREE_DEPTH_KEY, o.TREE_DEPTH_DEFAULT)),
                     float(st.session_state.get(o.CCP_KEY, o.CCP_DEFAULT)),
                     float(st.session_state.get(o.GB_LR_KEY, o.GB_LR_DEFAULT)),
                     int(st.session_state.get(o.PATIENCE_KEY, o.PATIENCE_DEFAULT)))
common.page_footer(QUESTIONS, code, EXPLANATIONS[VIEWS.index(view)])
