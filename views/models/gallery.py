"""Model gallery: six classic models, each with its main knobs, its decision boundary on a 2-D set
(train and test points) or, for linear regression, its fitted line and residuals; logistic regression
on more than two classes (one-vs-rest against softmax); the network's loss curves and early stopping."""
import pandas as pd
import streamlit as st

from components import datasets
from components import gallery as g
from components.ui import common, controls, show

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
class 1.

**More than two classes.** *One-vs-rest* fits K binary logistic regressions, each class against all the
others, and rescales their K probabilities to sum to 1; the binary models never see each other. *Softmax*
(multinomial) fits one model with a linear score z_k per class and P(k) = e^(z_k) / Σ_j e^(z_j), trained on
one joint log-loss. scikit-learn's LogisticRegression fits softmax whenever there are more than two classes
(its old `multi_class` option is gone); for one-vs-rest, wrap it in `OneVsRestClassifier`. Both predict
the class with the largest linear score, so both carve the plane into regions with straight borders, but
not the same ones: where a class lies between two others (iris's versicolor on the petal measurements), no
single line cuts it from the rest, so its one-vs-rest model can only be weak. With two classes the two
are the same model.""",
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
    g.MLP: """A multi-layer perceptron stacks layers of weighted sums, each followed by a non-linear
activation; it learns by gradient descent on the log-loss plus an L2 penalty on the weights (**alpha**), one
mini-batch of rows at a time (**batch size**; an epoch is one pass over the rows it trains on, so smaller
batches take more and noisier steps per epoch). **Adam** adapts each weight's step size from running averages
of its gradients. scikit-learn's **sgd** solver is not plain SGD: by default it adds momentum 0.9 with
Nesterov's correction, which the page keeps and the code shows. Which one reaches a lower loss depends on the
data and the learning rate: switch the solver and compare. Too large a learning rate can make the loss bounce;
too small makes it crawl. Inputs are standardised first.

The chart on the right draws scikit-learn's **training loss** (`loss_curve_`: the mean log-loss over each
epoch's mini-batches, measured while the weights move, plus the penalty term, small unless alpha is
large) and the **test log-loss** of the weights after each epoch, which the page computes (scikit-learn does
not record it). Without early stopping, training ends after the epochs allowed, or once the training loss
has not improved by tol = 0.0001 for more than *patience* epochs in a row. With **early stopping**,
scikit-learn first holds out the validation share of the training rows, scores their **accuracy** (not their
loss) after every epoch, stops once it has not improved for more than *patience* epochs and keeps the weights
of the best epoch; the page adds the log-loss of those same validation rows.""",
}


def sidebar_data() -> tuple[int, float, int]:
    """The sidebar's samples, noise and seed (the generated 2-D sets read them)."""
    ss = st.session_state
    return (int(ss.get(common.N_SAMPLES_KEY, common.N_SAMPLES_DEFAULT)),
            float(ss.get(common.NOISE_KEY, common.NOISE_DEFAULT)), common.seed())


def model_controls(model: str) -> dict:
    """The chosen classifier's own widgets; returns its hyper-parameters."""
    if model == g.MLP:
        return network_controls()
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
    raise KeyError(model)


def network_controls() -> dict:
    """The network's widgets: its shape, its optimiser, its penalty and batches, its stopping rule."""
    c1, c2, c3, c4 = st.columns(4)
    early = controls.bound(c4.toggle, "Early stopping", g.MLP_EARLY_DEFAULT, key=g.MLP_EARLY_KEY,
                           help="Hold out a validation share of the training rows, score their accuracy after "
                                "every epoch, stop when it stops improving and keep the best epoch's weights.")
    return {"layers": controls.bound(c1.slider, "Hidden layers", g.MLP_LAYERS_MIN, g.MLP_LAYERS_MAX, g.MLP_LAYERS_DEFAULT,
                                key=g.MLP_LAYERS_KEY),
            "width": controls.bound(c1.slider, "Neurons per layer", g.MLP_WIDTH_MIN, g.MLP_WIDTH_MAX, g.MLP_WIDTH_DEFAULT,
                               key=g.MLP_WIDTH_KEY),
            "alpha": controls.bound(c1.select_slider, "L2 penalty (alpha)", g.MLP_ALPHAS, value=g.MLP_ALPHA_DEFAULT,
                                    key=g.MLP_ALPHA_KEY, help="The weight of the squared weights in the loss: "
                                                              "larger alpha, smaller weights, a smoother boundary."),
            "activation": controls.bound(c2.segmented_control, "Activation", g.MLP_ACTIVATIONS, default=g.MLP_ACTIVATION_DEFAULT,
                                               required=True, key=g.MLP_ACTIVATION_KEY),
            "solver": controls.bound(c2.segmented_control, "Solver", g.MLP_SOLVERS, default=g.MLP_SOLVER_DEFAULT, required=True,
                                           key=g.MLP_SOLVER_KEY,
                                           help=f"adam: a step size per weight. sgd: {g.SOLVER_NAMES['sgd']}, "
                                                "scikit-learn's defaults."),
            "batch_size": controls.bound(c2.select_slider, "Batch size (rows per step)", g.MLP_BATCHES,
                                         value=g.MLP_BATCH_DEFAULT, key=g.MLP_BATCH_KEY,
                                         help="Rows per gradient step, at most the rows the network trains on "
                                              "(2000 is always the full batch). 200 is scikit-learn's 'auto'."),
            "learning_rate": controls.bound(c3.select_slider, "Learning rate", g.LR_VALUES, value=g.MLP_LR_DEFAULT,
                                              key=g.MLP_LR_KEY),
            "epochs": controls.bound(c3.slider, "Epochs (max_iter)", g.MLP_EPOCHS_MIN, g.MLP_EPOCHS_MAX, g.MLP_EPOCHS_DEFAULT,
                                g.MLP_EPOCHS_STEP, key=g.MLP_EPOCHS_KEY),
            "patience": controls.bound(c3.slider, "Patience (n_iter_no_change)", g.MLP_PATIENCE_MIN, g.MLP_PATIENCE_MAX,
                                       g.MLP_PATIENCE_DEFAULT, key=g.MLP_PATIENCE_KEY,
                                       help="Stop once the watched score (the training loss, or with early "
                                            "stopping the validation accuracy) has not improved by tol = 0.0001 "
                                            "for more than this many epochs in a row."),
            "early_stopping": early,
            "validation_fraction": controls.bound(c4.select_slider, "Validation share (early stopping)",
                                                  g.MLP_VALIDATION_FRACTIONS, value=g.MLP_VALIDATION_DEFAULT,
                                                  key=g.MLP_VALIDATION_KEY, disabled=not early,
                                                  help="The share of the training rows held out to score each "
                                                       "epoch; the network trains on the rest.")}


@st.fragment
def linear_panel() -> None:
    """Linear regression on the diabetes table; its feature picker reruns this panel only."""
    feats = controls.bound(st.multiselect, "Features of the diabetes table", g.LIN_FEATURES, default=g.LIN_FEATURES_DEFAULT,
                           key=g.LIN_FEATURES_KEY,
                           help="One feature draws the fitted line; more fit a plane (see the residuals).")
    features = [f for f in g.LIN_FEATURES if f in feats]
    if not features:
        st.info("Pick at least one feature of the diabetes table to fit a line.")
        common.show_code(g.export_code(g.LINEAR, {}, common.seed(), features=g.LIN_FEATURES_DEFAULT))
        return
    v = g.linear_view(tuple(features), common.seed())
    r = v.result
    st.markdown(f"**Fitted equation:** `{r.equation}`")
    m = st.columns(4)
    m[0].metric("R² (train)", f"{r.r2_train:.3f}")
    m[1].metric("R² (test)", f"{r.r2_test:.3f}")
    m[2].metric("RMSE (train)", f"{r.rmse_train:.1f}")
    m[3].metric("RMSE (test)", f"{r.rmse_test:.1f}")
    left, right = show.columns(2)
    show.chart(v.specs["fit"], target=left)
    show.chart(v.specs["residuals"], target=right)
    show.chart(v.specs["coefficients"])
    with st.expander("Numbers behind the charts"):
        st.dataframe(pd.concat([pd.DataFrame({"feature": ["(intercept)"], "coefficient": [r.intercept]}), r.coef],
                     ignore_index=True), hide_index=True)
        st.dataframe(r.residuals, hide_index=True, height=240)
    st.markdown(f"**On screen now:** {v.sentence}")
    common.show_code(v.code)


@st.fragment
def classifier_panel(model: str, dataset: str) -> None:
    """One classifier on the chosen 2-D set; its own controls rerun this panel only."""
    params = model_controls(model)
    n_samples, noise, seed = sidebar_data()
    v = g.classifier_view(g.settings(model, dataset, params, n_samples, noise, seed))
    r, x = v.result, v.result.extras
    m = st.columns(5 if model == g.MLP else 4)
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
        m[4].metric("Test log-loss", f"{x['test_log_loss']:.3f}",
                    help="The log-loss of the network kept, on the test rows (without the penalty term).")
    if not x.get("converged", True):
        st.caption("The optimiser hit its iteration cap before converging (scikit-learn's ConvergenceWarning): "
                   "more epochs or a larger learning rate would change the result.")
    draw_classifier(model, v)
    if model == g.MLP:
        what_the_mlp_cannot_show()
    st.markdown(f"**On screen now:** {v.sentence}")
    common.show_code(v.code)
    if model == g.LOGISTIC:
        multiclass_panel(params["C"])


def draw_classifier(model: str, v: g.View) -> None:
    r, x, specs = v.result, v.result.extras, v.specs
    if model == g.SVM:  # full width: one more legend
        show.chart(specs["boundary"])
    else:
        left, right = show.columns(2)
        show.chart(specs["boundary"], target=left)
        with right:
            if model == g.TREE and "side" not in specs:
                st.markdown(f"**The tree itself** ({x['leaves']} leaves: too many to draw; each line is a "
                            "test, `class:` is the leaf's vote)")
                with st.container(height=360):
                    st.code(x["text"], language=None)
            elif model == g.FOREST:
                for spec in specs["members"]:
                    show.chart(spec)
            else:
                show.chart(specs["side"])
                if "validation" in specs:
                    show.chart(specs["validation"])
                if model == g.TREE:
                    with st.expander("The same tree as text"):
                        st.code(x["text"], language=None)
    with st.expander("Numbers behind the charts"):
        st.dataframe(r.points, hide_index=True, height=240)
        if model == g.MLP:
            curves = x["curves"].pivot(index="epoch", columns="curve", values="loss")
            if "validation" in x:
                curves = curves.join(x["validation"].set_index("epoch"))
            st.dataframe(curves, height=200)
        if model == g.SVM:
            st.write(f"Support vectors per class: {x['n_support_per_class']}")
        if model == g.FOREST:
            st.dataframe(pd.DataFrame([(lab, acc) for lab, _, acc in x["members"]],
                                      columns=["member", "test accuracy"]), hide_index=True)
        st.caption("The background has one cell per point of an 80×80 grid, coloured by P(class 1) as the legend shows.")


def what_the_mlp_cannot_show() -> None:
    st.markdown(
        "**What scikit-learn's MLP cannot show.** `MLPClassifier` is a stack of fully connected layers trained on "
        "the CPU: every neuron sees every output of the layer before. It has no convolutional layers (small "
        "filters slid across an image, sharing their weights over positions: what makes image models work), no "
        "dropout (silencing random neurons while training; here only alpha's L2 penalty and early stopping "
        "regularise), no batch normalisation, no recurrent or attention layers and no GPU. For those you need a "
        "deep-learning library such as PyTorch, TensorFlow/Keras or JAX. Read next:")
    c1, c2 = st.columns(2)
    c1.page_link("views/beyond/transfer.py", label="Transfer learning: reuse a trained network's hidden layer",
                 icon=":material/move_up:")
    c2.page_link("views/beyond/applications.py", label="Applications, Vision tab: digits as 64 pixel features",
                 icon=":material/apps:")


@st.fragment
def multiclass_panel(C: float) -> None:
    """Logistic regression on more than two classes, with the C above; its set picker reruns this panel only."""
    st.subheader("More than two classes: one-vs-rest or softmax")
    name = controls.bound(st.selectbox, "Multi-class set", g.MULTI_SETS, index=g.MULTI_SETS.index(g.MULTI_DEFAULT),
                          key=g.MULTI_KEY,
                          help="Iris on two measurements (150 flowers, 3 species), three generated blobs, or a "
                               "two-class 2-D set (the sidebar's samples and noise apply to the generated ones).")
    n_samples, noise, seed = sidebar_data()
    v = g.multiclass_view(g.MulticlassSettings(name, float(C), n_samples, noise, seed))
    r = v.result
    m = st.columns(5)
    on_test = "On the test rows (30 % of the set)."
    m[0].metric("Accuracy (one-vs-rest)", f"{r.accuracy[g.OVR]:.3f}", help=on_test)
    m[1].metric("Accuracy (softmax)", f"{r.accuracy[g.SOFTMAX]:.3f}", help=on_test)
    m[2].metric("Log-loss (one-vs-rest)", f"{r.log_loss[g.OVR]:.3f}", help=on_test)
    m[3].metric("Log-loss (softmax)", f"{r.log_loss[g.SOFTMAX]:.3f}", help=on_test)
    m[4].metric("Where they differ", f"{r.differs.mean():.1%}",
                help="The share of the drawn grid's cells where the two models predict different classes.")
    if not r.converged:
        st.caption("An optimiser hit its iteration cap before converging (scikit-learn's ConvergenceWarning).")
    left, right = show.columns(2)
    show.chart(v.specs[g.OVR], target=left)
    show.chart(v.specs[g.SOFTMAX], target=right)
    st.caption("Each cell in the colour of the class predicted there, from pale (the largest probability near "
               "1/K, a toss-up) to strong (near 1); black crosses: the other model predicts another class there. "
               "Circles are training points, triangles test points (each point's values in its tooltip).")
    left, right = show.columns(2)
    show.chart(v.specs["gap"], target=left)
    with right:
        st.markdown(f"**Cells of the {g.MULTI_RESOLUTION}×{g.MULTI_RESOLUTION} grid by the class each model "
                    "predicts** (off the diagonal: the cells with crosses)")
        st.dataframe(r.table)
    with st.expander("The points (table)"):
        st.dataframe(r.points, hide_index=True, height=200)
    st.markdown(f"**On screen now (more than two classes):** {v.sentence}")
    st.markdown(
        "**The cockpit's positive class is one of these one-vs-rest problems.** On a multi-class table (iris, "
        "wine) the Evaluation cockpit asks for a *positive class*: it relabels that class 1 and every other class "
        "0, fits a binary model on those labels and computes precision, recall, ROC and precision-recall for "
        "that class against the rest, one of the K binary problems one-vs-rest solves here. Its numbers say how "
        "well that one class is told apart from the others, not how well the model sorts all K classes; for "
        "that, read per-class scores and their macro or weighted averages, or the multi-class log-loss above.")
    st.page_link("views/evaluation/cockpit.py", label="Evaluation cockpit: pick iris or wine in the sidebar, then a "
                 "positive class", icon=":material/speed:")
    common.show_code(v.code)


st.title("Model gallery")
st.caption("Six classic models, their knobs and what they draw. Classifiers are fitted on 70 % of a "
           "generated 2-D set (circles = train, triangles = test); sample count and noise are in the sidebar.")
top1, top2 = st.columns([6, 1])  # the six model buttons need ~680 px on one line
model = controls.bound(top1.segmented_control, "Model", g.MODELS, default=g.MODEL_DEFAULT, required=True, key=g.MODEL_KEY)
dataset = controls.bound(top2.selectbox, "2-D dataset", datasets.TWO_D, index=datasets.TWO_D.index(g.DATASET_DEFAULT),
                         key=g.DATASET_KEY, disabled=model == g.LINEAR,
                         help="Linear regression uses the diabetes table instead (a regression target).")
if model == g.LINEAR:
    linear_panel()
else:
    classifier_panel(model, dataset)
common.page_footer(None, EXPLANATION[model])
