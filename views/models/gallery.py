"""Model gallery: six classic models, each with its main knobs, its decision boundary on a 2-D set
(train and test points) or, for linear regression, its fitted line and residuals."""
import pandas as pd
import streamlit as st

from components import charts, datasets
from components import gallery as g
from components.ui import common, controls

QUESTIONS = [
    "How does linear regression fit its coefficients, and what do R² and RMSE measure?",
    "Why does logistic regression use the sigmoid, and why is its decision boundary linear?",
    "How does a decision tree choose a split (Gini vs entropy)? Why do deep trees overfit?",
    "Why does a random forest beat a single tree? What do bootstrap samples and max_features do?",
    "What are support vectors and the margin? What do C, the kernel and gamma change?",
    "How does a neural network learn (loss, learning rate, SGD vs Adam)? Why scale the inputs?",
]

EXPLANATION = {
    g.LINEAR: """Ordinary least squares picks the intercept and coefficients that minimise the squared
residuals on the training rows (the 70 % split of the bundled *diabetes* table). With one feature
you see the fitted line; with more, the prediction is a plane (a hyperplane beyond two features), so the
page plots actual against predicted instead, and the residual plot (residual against fitted value) works
in any dimension: a good linear fit leaves a shapeless cloud around zero. On the training rows R² is the
share of the target's variance the fit explains; on the test rows it is 1 − (squared error / the rows'
variance around their own mean), which goes below 0 when the fit predicts worse than that mean. RMSE is
the typical error in the target's units. A test score far below the training score signals overfitting.""",
    g.LOGISTIC: """Logistic regression computes a linear score z = b0 + w1·x1 + w2·x2 and squashes it with
the sigmoid p = 1/(1+e^-z). The boundary p = 0.5 is where z = 0: always a straight line, so it cannot
separate *circles* (no line cuts a disc out of a ring) or *xor* (opposite corners share a class). C is the
inverse of the L2 penalty's strength: the smaller C, the smaller the weights w (the intercept b0 is not
penalised), so the scores z crowd together and the probabilities flatten towards the training share of
class 1.""",
    g.TREE: """A tree splits the plane with axis-parallel cuts, choosing at each node the threshold that
most reduces impurity (Gini or entropy; log_loss is the same criterion as entropy). Each extra level can
double the number of regions, so a deep tree can carve out single training points: training accuracy
climbs towards 100 % while test accuracy stops improving or falls. Raising the minimum samples per leaf
limits that from the other side.""",
    g.FOREST: """A random forest fits many full-depth trees, each on a bootstrap sample of the training rows
(rows drawn with replacement) and choosing each split among a random subset of the features, then
averages their predicted probabilities (for full-depth trees, nearly 0/1 votes). Averaging leaves the
trees' expected prediction, and so their bias, where it was and cuts the variance that comes from their
disagreement: the Ensembles page measures both.""",
    g.SVM: """The SVM finds the boundary (black) with the widest margin (green dotted lines, where the decision
function is ±1) between the classes. Only the ringed points, the support vectors, define it. **C** is the
penalty on margin violations: small C lets points sit inside the margin or on the wrong side cheaply, so
the margin is wide and many points are support vectors; large C makes every violation expensive, so the
margin hardens and narrows and usually fewer points are support vectors. Kernels bend the boundary:
polynomial of a chosen degree, or RBF, where a large gamma makes each point's influence local and the
boundary wiggly. Inputs are standardised first.""",
    g.MLP: """A multi-layer perceptron stacks layers of weighted sums followed by a non-linear activation; it
learns by gradient descent on the log-loss plus a small L2 penalty (alpha = 0.0001), in mini-batches of
up to 200 rows (the curve on the right: the loss averaged over each epoch). **Adam** adapts each weight's step
size from running averages of its gradients. scikit-learn's **sgd** solver is not plain SGD: by default it
adds momentum 0.9 with Nesterov's correction, which the page keeps and the code shows. Which one reaches a
lower loss depends on the data and the learning rate: switch the solver and compare. Too large a learning
rate can make the loss bounce; too small makes it crawl. Inputs are standardised first.""",
}


def two_d_key(name: str) -> tuple:
    ss = st.session_state
    return (name, int(ss.get(common.N_SAMPLES_KEY, common.N_SAMPLES_DEFAULT)),
            float(ss.get(common.NOISE_KEY, common.NOISE_DEFAULT)), common.seed())


@st.cache_data(max_entries=64, show_spinner="Fitting the model…")
def fit_classifier(ds_key: tuple, model: str, params: tuple) -> g.ClassifierResult:
    name, n_samples, noise, seed = ds_key
    ds = datasets.load(name, n_samples=n_samples, noise=noise, seed=seed)
    return g.fit_classifier(ds, model, dict(params), seed)


@st.cache_data(max_entries=32, show_spinner=False)
def fit_linear(features: tuple, seed: int) -> g.LinearResult:
    return g.fit_linear(list(features), seed)


def model_controls(model: str) -> dict:
    """The chosen model's own widgets; returns its hyper-parameters."""
    if model == g.LINEAR:
        feats = controls.bound(st.multiselect, "Features of the diabetes table", g.LIN_FEATURES, default=g.LIN_FEATURES_DEFAULT,
                               key=g.LIN_FEATURES_KEY,
                               help="One feature draws the fitted line; more fit a plane (see the residuals).")
        return {"features": [f for f in g.LIN_FEATURES if f in feats]}
    c1, c2, c3 = st.columns(3)
    if model == g.LOGISTIC:
        c = controls.bound(c1.select_slider, "C (inverse regularisation strength)", g.C_VALUES, value=g.LOGIT_C_DEFAULT,
                             key=g.LOGIT_C_KEY)
        return {"C": c}
    if model == g.TREE:
        return {"max_depth": controls.bound(c1.slider, "Max depth", g.TREE_DEPTH_MIN, g.TREE_DEPTH_MAX, g.TREE_DEPTH_DEFAULT,
                                       key=g.TREE_DEPTH_KEY),
                "min_samples_leaf": controls.bound(c2.slider, "Min samples per leaf", g.TREE_LEAF_MIN, g.TREE_LEAF_MAX,
                                              g.TREE_LEAF_DEFAULT, key=g.TREE_LEAF_KEY),
                "criterion": controls.bound(c3.segmented_control, "Split criterion", g.TREE_CRITERIA, default=g.TREE_CRITERION_DEFAULT,
                                                  required=True, key=g.TREE_CRITERION_KEY)}
    if model == g.FOREST:
        return {"n_estimators": controls.bound(c1.slider, "Number of trees", g.RF_TREES_MIN, g.RF_TREES_MAX, g.RF_TREES_DEFAULT,
                                          key=g.RF_TREES_KEY),
                "max_features": controls.bound(c2.segmented_control, "Features tried per split (max_features)", g.RF_FEATURES,
                                                     default=g.RF_FEATURES_DEFAULT, required=True,
                                                     key=g.RF_FEATURES_KEY,
                                         help="1 = one feature drawn at random per split, what scikit-learn's "
                                              "default 'sqrt' gives on 2 features (int(√2) = 1); 2 = all "
                                              "features, i.e. plain bagged trees.")}
    if model == g.SVM:
        kernel = controls.bound(c1.segmented_control, "Kernel", g.SVM_KERNELS, default=g.SVM_KERNEL_DEFAULT, required=True,
                                      key=g.SVM_KERNEL_KEY)
        c = controls.bound(c1.select_slider, "C (penalty on margin violations: large C = harder margin)", g.C_VALUES,
                             value=g.SVM_C_DEFAULT, key=g.SVM_C_KEY)
        gamma = controls.bound(c2.select_slider, "gamma (RBF)", g.GAMMA_VALUES, value=g.SVM_GAMMA_DEFAULT, key=g.SVM_GAMMA_KEY, disabled=kernel != "rbf")
        degree = controls.bound(c3.slider, "Degree (polynomial)", g.SVM_DEGREE_MIN, g.SVM_DEGREE_MAX, g.SVM_DEGREE_DEFAULT,
                           key=g.SVM_DEGREE_KEY, disabled=kernel != "poly")
        return {"kernel": kernel, "C": c, "gamma": gamma, "degree": degree}
    if model == g.MLP:
        return {"layers": controls.bound(c1.slider, "Hidden layers", g.MLP_LAYERS_MIN, g.MLP_LAYERS_MAX, g.MLP_LAYERS_DEFAULT,
                                    key=g.MLP_LAYERS_KEY),
                "width": controls.bound(c1.slider, "Neurons per layer", g.MLP_WIDTH_MIN, g.MLP_WIDTH_MAX, g.MLP_WIDTH_DEFAULT,
                                   key=g.MLP_WIDTH_KEY),
                "activation": controls.bound(c2.segmented_control, "Activation", g.MLP_ACTIVATIONS, default=g.MLP_ACTIVATION_DEFAULT,
                                                   required=True, key=g.MLP_ACTIVATION_KEY),
                "solver": controls.bound(c2.segmented_control, "Solver", g.MLP_SOLVERS, default=g.MLP_SOLVER_DEFAULT, required=True,
                                               key=g.MLP_SOLVER_KEY,
                                               help=f"adam: a step size per weight. sgd: {g.SOLVER_NAMES['sgd']}, "
                                                    "scikit-learn's defaults."),
                "learning_rate": controls.bound(c3.select_slider, "Learning rate", g.LR_VALUES, value=g.MLP_LR_DEFAULT,
                                                  key=g.MLP_LR_KEY),
                "epochs": controls.bound(c3.slider, "Epochs (max_iter)", g.MLP_EPOCHS_MIN, g.MLP_EPOCHS_MAX, g.MLP_EPOCHS_DEFAULT,
                                    g.MLP_EPOCHS_STEP, key=g.MLP_EPOCHS_KEY)}
    raise KeyError(model)


@st.cache_data(max_entries=32, show_spinner=False)
def linear_specs(features: tuple, seed: int) -> tuple[dict, dict, dict]:
    """The linear fit's three charts, converted once per feature set (a rerun sends the cached dicts)."""
    r = fit_linear(features, seed)
    if r.line is not None:
        pts = r.points.rename(columns={"split": "group"})
        fit_chart = charts.points_lines_chart(pts, r.line.assign(series="fitted line"), r.features[0],
                                              "disease progression", f"Disease progression vs {r.features[0]}")
    else:  # a plane in more than 2-D: actual against predicted, the diagonal is a perfect fit
        pts = r.residuals.rename(columns={"fitted": "x", "actual": "y", "split": "group"})[["x", "y", "group"]]
        lo, hi = float(min(pts["x"].min(), pts["y"].min())), float(max(pts["x"].max(), pts["y"].max()))
        diag = pd.DataFrame({"x": [lo, hi], "y": [lo, hi], "series": "perfect prediction"})
        fit_chart = charts.points_lines_chart(pts, diag, "predicted", "actual",
                                              f"Actual vs predicted ({len(r.features)} features: the fit is a hyperplane)")
    res = r.residuals.rename(columns={"fitted": "x", "residual": "y", "split": "group"})
    residual_chart = charts.points_lines_chart(res, None, "fitted value", "residual (actual − fitted)", "Residuals",
                                               rule_y=0.0)
    coef_chart = charts.bar_chart(r.coef, "coefficient", "feature", title="Coefficients",
                                  height=110 + 28 * len(r.coef))  # + title and axis
    return tuple(charts.to_spec(c) for c in (fit_chart, residual_chart, coef_chart))


def show_linear(p: dict) -> tuple[str, str]:
    """Draw the linear fit; returns the exported code and the sentence about what is on screen."""
    if not p["features"]:
        st.info("Pick at least one feature of the diabetes table to fit a line.")
        return g.export_code(g.LINEAR, {}, common.seed(), features=g.LIN_FEATURES_DEFAULT), ""
    r = fit_linear(tuple(p["features"]), common.seed())
    st.markdown(f"**Fitted equation:** `{r.equation}`")
    m = st.columns(4)
    m[0].metric("R² (train)", f"{r.r2_train:.3f}")
    m[1].metric("R² (test)", f"{r.r2_test:.3f}")
    m[2].metric("RMSE (train)", f"{r.rmse_train:.1f}")
    m[3].metric("RMSE (test)", f"{r.rmse_test:.1f}")
    left, right = st.columns(2)
    fit_chart, residual_chart, coef_chart = linear_specs(tuple(p["features"]), common.seed())
    left.vega_lite_chart(spec=fit_chart)
    right.vega_lite_chart(spec=residual_chart)
    st.vega_lite_chart(spec=coef_chart)
    with st.expander("Numbers behind the charts"):
        st.dataframe(pd.concat([pd.DataFrame({"feature": ["(intercept)"], "coefficient": [r.intercept]}), r.coef],
                     ignore_index=True), hide_index=True)
        st.dataframe(r.residuals, hide_index=True, height=240)
    return g.export_code(g.LINEAR, {}, common.seed(), features=p["features"]), g.observation(g.LINEAR, r, p)


def _boundary_chart(grid: pd.DataFrame, points: pd.DataFrame, title: str, height: int,
                    margin: pd.DataFrame | None = None, support: pd.DataFrame | None = None):
    extra = charts.outline_layer(margin, support) if margin is not None else None
    return charts.boundary_chart(grid, points, title=title, height=height, extra=extra)


@st.cache_data(max_entries=64, show_spinner=False)
def classifier_specs(ds_key: tuple, model: str, params: tuple) -> dict[str, dict]:
    """The boundary and the model's own chart beside it ("side": the sigmoid, the tree, the loss curve),
    converted once per fit: a rerun sends the cached dicts, no frames to hash."""
    r = fit_classifier(ds_key, model, params)
    x = r.extras
    title = f"{model} on {ds_key[0]}: P(class 1)"
    if model == g.SVM:
        out = {"boundary": charts.to_spec(_boundary_chart(r.grid, r.points, title, 460, x["margin"], x["support"]))}
    else:
        out = {"boundary": charts.to_spec(_boundary_chart(r.grid, r.points, title, 380))}
    if model == g.LOGISTIC:
        pts = x["sigmoid_points"].rename(columns={"z": "x", "y": "y"}).assign(group=lambda d: d["label"])
        curve = x["sigmoid"].rename(columns={"z": "x", "p": "y"}).assign(series="sigmoid 1/(1+e^-z)")
        out["side"] = charts.to_spec(charts.points_lines_chart(
            pts[["x", "y", "group", "split"]], curve, "linear score z", "P(class 1) / true class",
            "Each point at its score z and its true class (0 or 1)", height=380))
    elif model == g.TREE and x["leaves"] <= g.TREE_DIAGRAM_MAX_LEAVES:
        out["side"] = charts.to_spec(_tree_chart(x["nodes"], x["edges"]))
    elif model == g.MLP:
        out["side"] = charts.to_spec(charts.line_chart(x["loss"], "epoch", "loss", title="Training loss per epoch",
                                                           y_title="log-loss", height=380))
    return out


@st.cache_data(max_entries=32, show_spinner=False)
def member_specs(ds_key: tuple, params: tuple) -> list[dict]:
    """The forest's first trees: one small chart built, the others swap in their grids (same cells)."""
    members = fit_classifier(ds_key, g.FOREST, params).extras["members"]
    titles = [f"{label.capitalize()}: test acc {acc:.3f}" for label, _, acc in members]
    first = charts.to_spec(charts.member_boundary_chart(members[0][1], titles[0]))
    return [first] + [charts.swap_grid(first, grid, t) for (_, grid, _), t in zip(members[1:], titles[1:])]


def _tree_chart(nodes: pd.DataFrame, edges: pd.DataFrame):
    # legends below the tree: the leaves' labels need the whole width
    return charts.tree_chart(nodes, edges, title="The tree itself: left branch = test true (solid)",
                             height=440).configure_legend(orient="bottom", gradientLength=100)


def show_classifier(model: str, p: dict, ds_key: tuple) -> tuple[str, str]:
    """Draw the fitted classifier; returns the exported code and the sentence about what is on screen."""
    params = tuple(sorted(p.items()))
    r = fit_classifier(ds_key, model, params)
    x = r.extras
    m = st.columns(4)
    m[0].metric("Train accuracy", f"{r.train_accuracy:.3f}")
    m[1].metric("Test accuracy", f"{r.test_accuracy:.3f}")
    if model == g.LOGISTIC:
        b0, w1, w2 = x["coef"]
        m[2].metric("‖w‖ (weight size)", f"{(w1 ** 2 + w2 ** 2) ** 0.5:.2f}")
        st.markdown(f"**Linear score:** `z = {b0:.2f} {w1:+.2f}·x1 {w2:+.2f}·x2`, and p = 1/(1+e^-z)")
    elif model == g.TREE:
        m[2].metric("Depth reached", x["depth"])
        m[3].metric("Leaves", x["leaves"])
    elif model == g.SVM:
        m[2].metric("Support vectors", x["n_support"])
        m[3].metric("Share of training points", f"{x['n_support'] / (r.points['split'] == 'train').sum():.0%}")
    elif model == g.MLP:
        m[2].metric("Epochs run", x["n_iter"])
        m[3].metric("Final training loss", f"{x['loss']['loss'].iloc[-1]:.3f}")
    if not x.get("converged", True):
        st.caption("The optimiser hit its iteration cap before converging (scikit-learn's ConvergenceWarning): "
                   "more epochs or a larger learning rate would change the result.")

    specs = classifier_specs(ds_key, model, params)
    if model in (g.LOGISTIC, g.TREE, g.MLP, g.FOREST):
        left, right = st.columns(2)
        left.vega_lite_chart(spec=specs["boundary"])
        with right:
            if model == g.TREE and "side" not in specs:
                st.markdown(f"**The tree itself** ({x['leaves']} leaves: too many to draw; each line is a "
                            "test, `class:` is the leaf's vote)")
                with st.container(height=360):
                    st.code(x["text"], language=None)
            elif model == g.FOREST:
                for spec in member_specs(ds_key, params):
                    st.vega_lite_chart(spec=spec)
            else:
                st.vega_lite_chart(spec=specs["side"])
                if model == g.TREE:
                    with st.expander("The same tree as text"):
                        st.code(x["text"], language=None)
    else:  # SVM: full width, one more legend
        st.vega_lite_chart(spec=specs["boundary"])
    with st.expander("Numbers behind the charts"):
        st.dataframe(r.points, hide_index=True, height=240)
        if model == g.MLP:
            st.dataframe(x["loss"], hide_index=True, height=200)
        if model == g.SVM:
            st.write(f"Support vectors per class: {x['n_support_per_class']}")
        if model == g.FOREST:
            st.dataframe(pd.DataFrame([(lab, acc) for lab, _, acc in x["members"]],
                                      columns=["member", "test accuracy"]), hide_index=True)
        st.caption("The background grid has one cell per 80×80 point; P(class 1) per cell is in the chart tooltip.")
    name, n_samples, noise, seed = ds_key
    return g.export_code(model, p, seed, name, n_samples, noise), g.observation(model, r, p)


st.title("Model gallery")
st.caption("Six classic models, their knobs and what they draw. Classifiers are fitted on 70 % of a "
           "generated 2-D set (circles = train, triangles = test); sample count and noise are in the sidebar.")
top1, top2 = st.columns([6, 1])  # the six model buttons need ~680 px on one line
model = controls.bound(top1.segmented_control, "Model", g.MODELS, default=g.MODEL_DEFAULT, required=True, key=g.MODEL_KEY)
dataset = controls.bound(top2.selectbox, "2-D dataset", datasets.TWO_D, index=datasets.TWO_D.index(g.DATASET_DEFAULT),
                         key=g.DATASET_KEY, disabled=model == g.LINEAR,
                         help="Linear regression uses the diabetes table instead (a regression target).")
params = model_controls(model)
if model == g.LINEAR:
    code, now = show_linear(params)
else:
    code, now = show_classifier(model, params, two_d_key(dataset))
common.page_footer(QUESTIONS, code, EXPLANATION[model] + (f"\n\n**On screen now:** {now}" if now else ""))
