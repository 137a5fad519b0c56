"""Overfitting lab: polynomial degree and regularisation on a noisy 1-D function, learning curves,
the bias-variance decomposition, tree depth and pruning, early stopping."""
from dataclasses import replace

import streamlit as st

from components import datasets
from components import overfitting as o
from components.ui import common, controls, show

VIEWS, VIEW_KEY = o.VIEWS, o.VIEW_KEY

# "What you are seeing" for the view on screen: one paragraph covering all six views was a wall of text
TRUTH = "The data are noisy samples of **y = sin(2πx)**{}, so the best possible RMSE is the noise level itself. "
CURVE_TEXT, TRUTH_TEXT = TRUTH.format(" (the dashed curve)"), TRUTH.format("")  # views that draw the truth, and not
VERDICT_TEXT = (
    "The **one-standard-error rule** picks ONE setting: the simplest whose cross-validated error is within one "
    "standard error of the lowest (marked on the validation curve; the grey dashed line is that limit). The other "
    "settings in that band are not detectably worse, but the rule does not pick them. The verdict on a setting uses "
    "what only generated data gives: the **noise floor**. The noise added has std σ, but the noise a small sample "
    "happens to get scatters around σ, so each error is compared with the true curve's own error on the same rows. "
    "The verdicts follow the rule's order: a setting simpler than the pick whose training error is well above "
    "the floor is **under-fit** (a model that could follow the curve would fit its own training rows about as "
    "well as the truth); one more complex than the pick whose validation error is well above both its training "
    "error and the floor is **over-fit**. The pick itself is never called either: it is a **good fit** when the "
    "floor agrees, else just *the one-SE pick*, with the bias or variance the floor still sees named (a small "
    "sample cannot resolve it). Other settings in the band are a **good fit** (or *in the band* when their "
    "training error is still well above the floor), and *slightly* under- or over-fit outside it. \"Well above\" "
    f"means by more than {o.FLOOR_REL:.0%} of σ plus {o.FLOOR_SLACK:g}. On real data the floor is unknown, and the "
    "gap and the band are all there is.")
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


def shared_controls() -> tuple[o.Settings, str]:
    """The controls whose change redraws the whole view (the sample, the penalty) and the view itself. The
    degree and alpha are drawn in view_panel; the trees and early stopping draw their own controls."""
    c1, c2, c3 = st.columns(3)
    n = controls.bound(c1.slider, "Points", o.N_POINTS_MIN, o.N_POINTS_MAX, o.N_POINTS_DEFAULT, o.N_POINTS_STEP,
                       key=o.N_POINTS_KEY)
    noise = controls.bound(c2.slider, "Noise (std)", o.NOISE_MIN, o.NOISE_MAX, o.NOISE_DEFAULT, o.NOISE_STEP,
                           key=o.NOISE_KEY)
    penalty = controls.bound(c3.segmented_control, "Penalty", o.PENALTIES, default=o.PENALTY_DEFAULT, required=True,
                             key=o.PENALTY_KEY)
    view = controls.bound(st.segmented_control, "View", VIEWS, default=VIEWS[0], required=True, key=VIEW_KEY)
    ds = common.current_dataset()
    # the panels that draw the other controls put their values in; elsewhere the script shows the values
    # they were last set to
    state = st.session_state
    return o.Settings(n, noise, common.seed(), int(state.get(o.DEGREE_KEY, o.DEGREE_DEFAULT)), penalty,
                      float(state.get(o.ALPHA_KEY, o.ALPHA_DEFAULT)),
                      common.dataset_key() if ds.task == datasets.CLASSIFICATION else None,
                      int(state.get(o.TREE_DEPTH_KEY, o.TREE_DEPTH_DEFAULT)), float(state.get(o.CCP_KEY, o.CCP_DEFAULT)),
                      float(state.get(o.GB_LR_KEY, o.GB_LR_DEFAULT)),
                      int(state.get(o.PATIENCE_KEY, o.PATIENCE_DEFAULT))), view


def verdict_metric(col, label: str, verdict: o.Verdict) -> None:
    col.metric(label, verdict.label, help=verdict.sentence)


def fit_panel(s: o.Settings) -> None:
    """The data, this degree's fit and the validation curve; the charts hold every degree's fit and follow
    the slider in the browser."""
    fv = o.fit_view(s.n, s.noise, s.seed, s.penalty, s.alpha)
    r, vc = fv.fits[s.degree], fv.curve
    m = st.columns(5)
    m[0].metric("Train RMSE (CV)", error_text(vc["train_rmse"].iloc[s.degree - o.DEGREE_MIN]),
                help=f"Mean over the {o.CV_FOLDS} cross-validation folds of the training RMSE: the validation "
                     "curve's training line.")
    m[1].metric("Validation RMSE (CV)", error_text(r.cv_rmse),
                help=f"Mean over the {o.CV_FOLDS} cross-validation folds of the RMSE on the held-out fold.")
    m[2].metric("Best degree (CV)", r.best_degree)
    m[3].metric("One-SE pick", f"degree {r.pick_degree}",
                help="The simplest degree whose CV RMSE is within one standard error of the lowest.")
    verdict_metric(m[4], f"Degree {s.degree} is", r.reading.verdict)
    st.markdown(f"{r.reading.verdict.sentence}  \n{r.reading.pick_text}")
    st.caption(o.verdict_rules_text(r.floor, "degree"))
    left, right = show.columns(2)
    show.chart(fv.specs["fit"], target=left, scrub=(o.DEGREE_KEY, s.degree))
    show.chart(fv.specs["validation"], target=right, scrub=(o.DEGREE_KEY, s.degree))
    with st.expander("Numbers behind the charts"):
        st.markdown(f"Degree {s.degree} fitted on all {s.n} points (the left chart): train RMSE "
                    f"{error_text(r.train_rmse)}. The true curve's own RMSE on the CV rows: "
                    f"{error_text(r.floor.train)} (training folds), {error_text(r.floor.val)} (validation folds).")
        st.dataframe(vc.round(4), hide_index=True)
        st.dataframe(r.coefficients, hide_index=True)
    common.show_code(o.script(s))


PATH_BUTTON_KEY = "overfit.path_penalty"


def _choose_penalty(choice: str) -> None:
    st.session_state[o.PENALTY_KEY] = choice  # before the next run draws the penalty control


def path_panel(s: o.Settings) -> None:
    """Coefficients and CV error against alpha at this degree; the charts hold every alpha's point and follow
    the slider in the browser."""
    if s.penalty == "none":
        st.info("A path needs a penalty: with none, alpha changes nothing. Pick one to watch the coefficients "
                "shrink as alpha grows (lasso sets some of them exactly to 0).")
        cols = st.columns(4)
        for col, choice in zip(cols, o.PENALTIES[1:]):
            if col.button(f"Show the {choice} path", key=f"{PATH_BUTTON_KEY}.{choice}", on_click=_choose_penalty,
                          args=(choice,)):
                st.rerun()  # the penalty control is outside this panel: draw the whole page with the new penalty
        common.show_code(o.script(s))
        return
    pv = o.path_view(s.n, s.noise, s.seed, s.degree, s.penalty)
    idx = o.ALPHAS.index(s.alpha)
    reading, frames = pv.readings[s.alpha], pv.frames[s.alpha]
    best, pick = o.ALPHAS[reading.rule.best], o.ALPHAS[reading.rule.pick]
    m = st.columns(5)
    m[0].metric("Validation RMSE (CV)", error_text(pv.by_alpha["val_rmse"].iloc[idx]),
                help=f"At alpha = {s.alpha:g}: mean over the {o.CV_FOLDS} cross-validation folds.")
    m[1].metric("Best alpha (CV)", f"{best:g}")
    m[2].metric("One-SE pick", f"alpha = {pick:g}",
                help="The largest alpha (the simplest model) whose CV RMSE is within one standard error of the lowest.")
    m[3].metric("Coefficients exactly 0", int((frames[o.PATH_MARKER]["y"].abs() < 1e-12).sum()))
    verdict_metric(m[4], f"alpha = {s.alpha:g} is", reading.verdict)
    st.markdown(f"{reading.verdict.sentence}  \n{reading.pick_text}")
    st.caption(o.verdict_rules_text(pv.floor, "alpha"))
    left, right = show.columns(2)
    show.chart(pv.specs["path"], target=left, scrub=(o.ALPHA_KEY, o.alpha_position(s.alpha)))
    show.chart(pv.specs["error"], target=right, scrub=(o.ALPHA_KEY, o.alpha_position(s.alpha)))
    with st.expander("Numbers behind the charts"):
        st.dataframe(pv.by_alpha.round(4), hide_index=True)
        st.dataframe(pv.path.pivot(index="term", columns="alpha", values="coefficient").round(4))
    common.show_code(o.script(s))


def learning_panel(s: o.Settings) -> None:
    """The learning curve of the current model (refitted at ten training-set sizes: the heavy part)."""
    lv = o.learning_view(s.noise, s.seed, s.degree, s.penalty, s.alpha)
    lc = lv.curve
    val = lc[lc["split"] == "validation"].set_index("n_train")["rmse"]
    tr = lc[lc["split"] == "train"].set_index("n_train")["rmse"]
    m = st.columns(3)
    m[0].metric(f"Validation RMSE with {val.index[-1]} rows", error_text(val.iloc[-1]))
    m[1].metric("Gap (validation − train)", error_text(val.iloc[-1] - tr.iloc[-1]))
    m[2].metric("Still improving?", "yes" if lv.improving else "flat",
                help="Does the validation error fall between the two largest sizes by more than one standard "
                     "error of the cross-validated estimate? A smaller drop is noise.")
    show.chart(lv.spec)
    st.caption(f"The noise floor is {s.noise:.2f}: no model's validation RMSE can go much below it.")
    with st.expander("Numbers behind the chart"):
        st.dataframe(lc.pivot(index="n_train", columns="split", values="rmse").round(4))
    common.show_code(o.script(s))


def bias_variance_panel(s: o.Settings) -> None:
    """The decomposition over fresh training sets (the heavy part); the degree picks precomputed fits."""
    bvv = o.bias_variance_view(s.n, s.noise, s.seed, s.penalty, s.alpha)
    bv = bvv.bv
    d = min(s.degree, o.BV_DEGREE_MAX)
    if s.degree > o.BV_DEGREE_MAX:
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
    left, right = show.columns(2)
    show.chart(bvv.specs["fits"], target=left, scrub=(o.DEGREE_KEY, s.degree))  # past BV_DEGREE_MAX: that degree
    show.chart(bvv.specs["parts"], target=right, scrub=(o.DEGREE_KEY, s.degree))
    st.caption(o.bv_trend_sentence(bv, s.penalty))
    with st.expander("Numbers behind the charts"):
        st.dataframe(bv.table, hide_index=True)
    common.show_code(o.script(s))


@st.fragment
def trees_panel(s: o.Settings) -> None:
    """Depth and pruning with their own controls: moving them reruns this panel alone. The one tree's
    scores come first; then the curves (the one the moved control does not feed is cached and only its
    rule moves)."""
    ds = common.current_dataset()
    if not common.require_task(ds, datasets.CLASSIFICATION):
        common.show_code(o.script(s))
        return
    st.caption(f"This view fits trees on the sidebar's dataset, **{ds.name}** ({1 - o.TEST_SIZE:.0%} train, "
               f"{o.TEST_SIZE:.0%} test): the polynomial "
               "controls above (points, noise, degree, penalty) do not apply to it.")
    c1, c2 = st.columns(2)
    depth = controls.bound(c1.slider, "Tree max depth", o.TREE_DEPTH_MIN, o.TREE_DEPTH_MAX, o.TREE_DEPTH_DEFAULT,
                           key=o.TREE_DEPTH_KEY)
    ccp = controls.bound(c2.select_slider, "Cost-complexity pruning (ccp_alpha)", o.CCP_VALUES, value=o.CCP_DEFAULT,
                         key=o.CCP_KEY)
    key = s.tree_data
    train_accuracy, test_accuracy, leaves = o.tree_fit(ds, key, s.seed, depth, ccp)
    m = st.columns(3)
    m[0].metric("Train accuracy", f"{train_accuracy:.3f}")
    m[1].metric("Test accuracy", f"{test_accuracy:.3f}")
    m[2].metric("Leaves", leaves)
    _, depth_spec = o.tree_depth_view(ds, key, s.seed, ccp)
    _, ccp_spec = o.tree_ccp_view(ds, key, s.seed, depth)
    r = o.tree_result(ds, key, s.seed, depth, ccp)
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
    left, right = show.columns(2)
    show.chart(depth_spec, target=left, moving={o.RULE: [{"max_depth": depth}]})
    show.chart(ccp_spec, target=right, moving={o.RULE: [{"ccp_alpha": ccp}]})
    with st.expander("Numbers behind the charts"):
        st.dataframe(r.by_depth.pivot(index="max_depth", columns="split", values="accuracy"))
        st.dataframe(r.by_ccp.pivot(index="ccp_alpha", columns="split", values="accuracy"))
    common.show_code(o.script(replace(s, depth=depth, ccp_alpha=ccp)))


@st.fragment
def early_stopping_panel(s: o.Settings) -> None:
    """Gradient boosting with its own controls: moving them reruns this panel alone; the patience refits
    only the early-stopped model and moves the chart's rule."""
    st.caption(f"Gradient boosting on {o.POOL_N} fresh points of the same curve, with the noise above; the points, "
               "degree and penalty controls do not apply to this view.")
    c1, c2 = st.columns(2)
    lr = controls.bound(c1.select_slider, "Boosting learning rate", o.GB_LR_VALUES, value=o.GB_LR_DEFAULT,
                        key=o.GB_LR_KEY)
    patience = controls.bound(c2.slider, "Patience (n_iter_no_change)", o.PATIENCE_MIN, o.PATIENCE_MAX,
                              o.PATIENCE_DEFAULT, key=o.PATIENCE_KEY)
    _, spec = o.boosting_view(s.noise, s.seed, lr)
    r = o.stopped_run(s.noise, s.seed, lr, patience)
    m = st.columns(4)
    m[0].metric("Stopped at stage", r.stopped_at, help=f"of at most {o.GB_STAGES}")
    m[1].metric("Lowest validation loss at stage", r.best_stage)
    m[2].metric("Test MSE, early-stopped", f"{r.test_mse_stopped:.4f}")
    m[3].metric(f"Test MSE, all {o.GB_STAGES} stages", f"{r.test_mse_full:.4f}")
    st.markdown(o.early_stopping_sentence(r, s.noise))
    show.chart(spec, moving={o.RULE: [{"stage": r.stopped_at}]})
    with st.expander("Numbers behind the chart"):
        st.dataframe(r.losses.pivot(index="stage", columns="split", values="mse"), height=240)
    common.show_code(o.script(replace(s, learning_rate=lr, patience=patience)))


PANELS = (fit_panel, path_panel, learning_panel, bias_variance_panel, trees_panel, early_stopping_panel)


@st.fragment
def view_panel(s: o.Settings, view: str) -> None:
    """The degree and alpha, and the view they feed: moving them reruns this panel alone. The degree scrubs
    precomputed fits in the fit and bias-variance views, alpha in the regularisation path: those charts
    follow the slider in the browser before this rerun (components/ui/scrub.py)."""
    c1, c2 = st.columns(2)
    degree = controls.bound(c1.slider, "Polynomial degree", o.DEGREE_MIN, o.DEGREE_MAX, o.DEGREE_DEFAULT,
                            key=o.DEGREE_KEY)
    alpha = controls.bound(c2.select_slider, "alpha (regularisation strength)", o.ALPHAS, value=o.ALPHA_DEFAULT,
                           key=o.ALPHA_KEY, format_func=lambda a: f"{a:g}", disabled=s.penalty == "none")
    PANELS[VIEWS.index(view)](replace(s, degree=degree, alpha=alpha))


st.title("Overfitting lab")
st.caption("Noisy samples of y = sin(2πx): the truth is known, so every error can be compared with the noise.")
settings, view = shared_controls()
view_panel(settings, view)
common.page_footer(None, EXPLANATIONS[VIEWS.index(view)])
