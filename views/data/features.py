"""Features lab: filter, wrapper and embedded selection with noise features; PCA, LDA and t-SNE."""
import altair as alt
import pandas as pd
import streamlit as st

from components import charts, datasets
from components import features as fe
from components.ui import chart_cache, common, controls


@st.cache_data(max_entries=16, show_spinner=False)
def _prepared(data_key, n_noise):
    name, n_samples, noise, seed = data_key
    d = datasets.load(name, n_samples=n_samples, noise=noise, seed=seed)
    X, y = fe.prepare(d.X, d.y, d.task, n_noise, seed)
    return X, y, d.task, d.target_names


@st.cache_data(max_entries=16, show_spinner=False)
def _filters(data_key, n_noise):
    X, y, task, _ = _prepared(data_key, n_noise)
    return fe.filter_scores(X, y, task, data_key[-1])


@st.cache_data(max_entries=16, show_spinner=False)
def _rfe(data_key, n_noise):
    X, y, task, _ = _prepared(data_key, n_noise)
    return fe.rfe_ranking(X, y, task)


@st.cache_data(max_entries=16, show_spinner=False)
def _folds(data_key, n_noise):
    _, y, task, _ = _prepared(data_key, n_noise)
    return fe.outer_folds(y, task, data_key[-1])


@st.cache_resource(show_spinner=False)
def _sequential_memo() -> dict:
    """Process-wide results of the sequential searches. Not st.cache_data: a progress bar updated
    from inside a cached function would be recorded and replayed on every cache hit."""
    return {}


MEMO_ENTRIES = 32


def _sequential(data_key, n_noise):
    """Forward and backward sequential selection (the page's heaviest fit: hundreds of 3-fold CVs), on
    all rows and on each CV fold's training rows, once per table, with a progress bar while it runs."""
    memo = _sequential_memo()
    key = (data_key, n_noise)
    if key not in memo:
        X, y, task, _ = _prepared(data_key, n_noise)
        folds = _folds(data_key, n_noise)
        text = "Sequential selection: scoring every candidate subset with 3-fold CV ({})…"
        bar = st.progress(0.0, text=text.format("forward, all rows"))
        out = {}
        # all rows: 1 share of the work per direction; the folds' training rows: 2/3 each
        total = 2 * (1 + len(folds) * 2 / 3)
        done = 0.0
        for direction in ("forward", "backward"):
            out[direction] = fe.sequential_path(
                X, y, task, direction,
                progress=lambda f, d=done, di=direction: bar.progress(min(1.0, (d + f) / total),
                                                                      text=text.format(f"{di}, all rows")))
            done += 1
            out[f"{direction} folds"] = fe.fold_sequential_paths(
                X, y, task, direction, folds,
                progress=lambda f, d=done, di=direction: bar.progress(
                    min(1.0, (d + f * (total / 2 - 1)) / total), text=text.format(f"{di}, inside each CV fold")))
            done += total / 2 - 1
        bar.empty()
        while len(memo) >= MEMO_ENTRIES:
            memo.pop(next(iter(memo)))
        memo[key] = out
    return memo[key]


@st.cache_data(max_entries=16, show_spinner=False)
def _fold_rankings(data_key, n_noise):
    X, y, task, _ = _prepared(data_key, n_noise)
    return fe.fold_rankings(X, y, task, data_key[-1], _folds(data_key, n_noise))


@st.cache_data(max_entries=16, show_spinner=False)
def _l1_path(data_key, n_noise):
    X, y, task, _ = _prepared(data_key, n_noise)
    return fe.l1_path(X, y, task)


@st.cache_data(max_entries=64, show_spinner=False)
def _l1_selection(data_key, n_noise, alpha):
    X, y, task, _ = _prepared(data_key, n_noise)
    return fe.l1_selection(X, y, task, alpha)


@st.cache_data(max_entries=64, show_spinner=False)
def _fold_lasso(data_key, n_noise, alpha):
    X, y, task, _ = _prepared(data_key, n_noise)
    return fe.fold_lasso(X, y, task, alpha, _folds(data_key, n_noise))


@st.cache_data(max_entries=16, show_spinner=False)
def _tree(data_key, n_noise):
    X, y, task, _ = _prepared(data_key, n_noise)
    return fe.tree_importance(X, y, task, data_key[-1])


@st.cache_data(max_entries=16, show_spinner=False)
def _all_features_score(data_key, n_noise):
    X, y, task, _ = _prepared(data_key, n_noise)
    return fe.subset_score(X, y, task, tuple(X.columns), data_key[-1])


@st.cache_data(max_entries=16, show_spinner=False)
def _labels(data_key, n_noise):
    _, y, task, target_names = _prepared(data_key, n_noise)
    return fe.label_for(y, task, target_names)


@st.cache_data(max_entries=16, show_spinner=False)
def _pca(data_key, n_noise):
    """The PCA summary, its scree curves as a long frame, and the 2-D projection with the labels."""
    X, _, _, _ = _prepared(data_key, n_noise)
    summary, pca = fe.pca_summary(X)
    Z = pca.transform(X)
    long = summary.melt(id_vars="components", value_vars=["explained variance", "cumulative"],
                        var_name="curve", value_name="share")
    proj = pd.DataFrame({"PC1": Z[:, 0], "PC2": Z[:, 1] if Z.shape[1] > 1 else 0.0,
                         "class": _labels(data_key, n_noise)})
    return summary, long, proj


@st.cache_data(max_entries=16, show_spinner=False)
def _lda(data_key, n_noise):
    """The LDA projection with the labels, and its per-class summary table."""
    X, y, _, _ = _prepared(data_key, n_noise)
    lda = fe.lda_projection(X, y).assign(**{"class": _labels(data_key, n_noise)})
    return lda, lda.groupby("class")[["LD1", "LD2"]].describe().round(3)


@st.cache_data(max_entries=32, show_spinner=False)
def _tsne(data_key, n_noise, perplexity):
    X, _, _, _ = _prepared(data_key, n_noise)
    return fe.tsne_projection(X, perplexity, data_key[-1]).assign(**{"class": _labels(data_key, n_noise)})


@st.cache_data(max_entries=64, show_spinner=False)
def _selection_view(data_key, n_noise, k_eff, alpha):
    """Every method's subset for k on all rows (the tiles) and inside each CV fold (the scores), the
    methods table, the CV summary, every feature's scores and the generated texts: done once per
    input. (The sequential paths come from their memo, filled by the page before this is called.)"""
    X, y, task, _ = _prepared(data_key, n_noise)
    kind = fe.target_kind(y, task)
    methods = fe.method_names(kind)
    seq = _sequential(data_key, n_noise)
    (forward, t_fw), (backward, t_bw) = seq["forward"], seq["backward"]
    filters = _filters(data_key, n_noise)
    rfe, t_rfe = _rfe(data_key, n_noise)
    lasso, coef, t_l1 = _l1_selection(data_key, n_noise, alpha)
    tree, t_tree = _tree(data_key, n_noise)
    chosen = fe.selections(k_eff, filters, rfe, list(forward), list(backward), lasso, tree)
    fold_chosen = [fe.selections(k_eff, r["filters"], r["rfe"], fw, bw, fl, r["tree"]) for r, fw, bw, fl in
                   zip(_fold_rankings(data_key, n_noise), seq["forward folds"], seq["backward folds"],
                       _fold_lasso(data_key, n_noise, alpha))]
    cv = fe.nested_cv_scores(X, y, task, _folds(data_key, n_noise), fold_chosen)
    summary = fe.cv_summary(cv, methods)
    times = {**{m: filters[m][1] for m in filters}, "RFE": t_rfe, "forward SFS": t_fw,
             "backward SFS": t_bw, "Lasso (L1)": t_l1, "tree importance": t_tree}
    rows = []
    for method in methods:
        subset = chosen[method]
        rows.append({"method": method, "family": fe.family(method),
                     "kept on all rows": None if subset is None else len(subset),
                     "noise kept on all rows": None if subset is None else
                     sum(f.startswith(fe.NOISE_PREFIX) for f in subset),
                     "CV score": summary.loc[method, "CV score"], "fold SE": summary.loc[method, "fold SE"],
                     "time on all rows (s)": times[method]})
    table = pd.DataFrame(rows)
    scores = pd.DataFrame({m: filters[m][0] for m in filters if filters[m][0] is not None})
    scores["RFE rank"] = rfe
    scores["forward order"] = [list(forward).index(f) + 1 for f in X.columns]
    scores["backward order"] = [list(backward).index(f) + 1 for f in X.columns]
    scores[f"L1 coef (α={alpha:g})"] = coef
    scores["forest importance"] = tree
    return {"methods": methods, "table": table, "picks": fe.picks_frame(list(X.columns), chosen),
            "summary": summary, "table_shown": table.round(4), "scores_shown": scores.round(4),
            "n_lasso": len(lasso), "best_label": fe.best_label(summary), "best_of": fe.best_of_text(summary),
            "agreement": fe.fold_agreement_text(chosen, fold_chosen),
            "lasso": fe.lasso_text(coef, lasso, alpha, per_class=kind == "multiclass")}


@st.cache_data(max_entries=16, show_spinner=False)
def _path_table(data_key, n_noise):
    return _l1_path(data_key, n_noise).pivot(index="feature", columns="alpha", values="coef").round(4)


@st.cache_data(max_entries=16, show_spinner=False)
def _path_noise_text(data_key, n_noise):
    return fe.path_noise_text(_l1_path(data_key, n_noise))


# Chart builders take the small keys of their inputs (not the frames) and read the cached frames
# themselves: chart_cache then hashes a tuple per rerun instead of a DataFrame.
def _picks_chart(sel_key, height):
    X = _prepared(*sel_key[:2])[0]
    view = _selection_view(*sel_key)
    return charts.tile_chart(view["picks"], "method", "feature", "picked",
                             domain=["picked", "not picked", "picked (noise!)", "n/a"],
                             palette=[charts.BLUE, "#eeeeee", charts.VERMILION, "#bbbbbb"],
                             x_sort=list(view["methods"]), y_sort=list(X.columns),
                             height=height).configure_axisY(labelOverlap=False)


def _subset_score_chart(sel_key, all_score, title):
    # dots on a zoomed axis, all features as the dashed line: subsets differ by a point or two, which
    # bars from 0 drew as equal lengths; whiskers: the fold standard error the caption compares with
    return fe.subset_score_chart(_selection_view(*sel_key)["summary"], all_score, title)


def _time_chart(sel_key):
    # two-line titles: in half the page at presenter type one line was cut off
    return charts.bar_chart(_selection_view(*sel_key)["table"], "time on all rows (s)", "method", sort=None,
                            height=300, title=["Time to select on all rows", "wrappers: the whole path, every k"])


def _path_chart(data_key, n_noise, alpha, title):
    return charts.path_chart(_l1_path(data_key, n_noise), "alpha", "coef", line="feature", color="kind",
                             rule_x=alpha, height=280, x_title="α (log scale)", y_title="coefficient", title=title)


N_COMPONENTS_PARAM = "n_components"


def _with_components_rule(line, title, height, marks=()):
    """charts.line_chart's dashed rule at the kept number of components, its position a Vega-Lite
    parameter: the components slider swaps a value in the cached spec (charts.set_param) instead of
    building two charts. ``marks``: more layers drawn between the line and the rule."""
    line = line.copy(deep=False)
    line.title = line.height = line.width = alt.Undefined  # set on the layer below
    rule = alt.Chart(pd.DataFrame({"at": [0]})).transform_calculate(components=N_COMPONENTS_PARAM).mark_rule(
        color=charts.BLACK, strokeDash=[4, 3]).encode(x=alt.X("components:Q"))
    return alt.layer(line, *marks, rule).add_params(alt.param(name=N_COMPONENTS_PARAM, value=fe.N_COMPONENTS_DEFAULT)) \
        .properties(title=title, height=height, width="container")


def _scree_chart(data_key, n_noise):
    summary, long, _ = _pca(data_key, n_noise)
    targets = pd.DataFrame({"share": list(fe.VARIANCE_TARGETS),
                            "label": [f"{s:.0%}: {fe.components_needed(summary, s)} components"
                                      for s in fe.VARIANCE_TARGETS]})
    # dotted lines at the variance shares the caption counts components for, labelled at the left, where
    # both curves are lower
    lines = alt.Chart(targets).mark_rule(color=charts.BLACK, strokeDash=[1, 3]).encode(y=alt.Y("share:Q"))
    labels = alt.Chart(targets).mark_text(align="left", baseline="bottom", dy=-1, fontSize=11).encode(
        y=alt.Y("share:Q"), x=alt.value(4), text="label:N")
    return _with_components_rule(charts.line_chart(long, "components", "share", color="curve"),
                                 "Explained variance (scree) and cumulative", 260, marks=(lines, labels))


def _reconstruction_chart(data_key, n_noise):
    # a short y title: one longer than the plot pushes the chart's title out of view
    return _with_components_rule(charts.line_chart(_pca(data_key, n_noise)[0], "components", "reconstruction RMSE",
                                                   y_title="RMSE"),
                                 "Reconstruction error with the first n components", 220)


def _pca_scatter(data_key, n_noise):
    return charts.scatter_chart(_pca(data_key, n_noise)[2], "PC1", "PC2", color="class", size=25, height=300,
                                title="PCA: the first two components (no labels used)")


def _lda_chart(data_key, n_noise):
    lda = _lda(data_key, n_noise)[0]
    if lda["LD2"].abs().sum() == 0:
        return charts.histogram(lda, "LD1", color="class", bins=30, height=280,
                                title="LDA: one discriminant for two classes")
    return charts.scatter_chart(lda, "LD1", "LD2", color="class", size=25, height=300,
                                title="LDA: directions that separate the classes")


def _tsne_chart(data_key, n_noise, perplexity):
    return charts.scatter_chart(_tsne(data_key, n_noise, perplexity), "tSNE1", "tSNE2", color="class", size=25,
                                height=300, title=f"t-SNE, perplexity {perplexity}")


st.title("Features lab")
st.caption("Which features matter? Filters score each feature alone, wrappers search subsets with a model, "
           "embedded methods select while fitting. Add pure-noise features and watch who rejects them.")

ds = common.current_dataset()
c1, c2, c3 = st.columns(3)
n_noise = controls.bound(c1.slider, "Pure-noise features added", fe.N_NOISE_MIN, fe.N_NOISE_MAX, fe.N_NOISE_DEFAULT,
                    key=fe.N_NOISE_KEY)
k = controls.bound(c2.slider, "Top-k features to keep", fe.K_MIN, fe.K_MAX, fe.K_DEFAULT, key=fe.K_KEY)
log_alpha = controls.bound(c3.slider, "Lasso strength log₁₀(α)", fe.LOG_ALPHA_MIN, fe.LOG_ALPHA_MAX, fe.LOG_ALPHA_DEFAULT,
                      fe.LOG_ALPHA_STEP, key=fe.LOG_ALPHA_KEY, format="%.1f")
alpha = float(round(10 ** log_alpha, 6))

seed = common.seed()
is_2d = ds.name in datasets.TWO_D
n_samples = int(st.session_state.get(common.N_SAMPLES_KEY, common.N_SAMPLES_DEFAULT)) if is_2d else 0
noise = float(st.session_state.get(common.NOISE_KEY, common.NOISE_DEFAULT)) if is_2d else 0.0
data_key = (ds.name, n_samples, noise, seed)

X, y, task, target_names = _prepared(data_key, n_noise)
p = X.shape[1]
notes = []
if ds.X.shape[1] > fe.MAX_FEATURES:
    notes.append(f"the first {fe.MAX_FEATURES} non-constant of {ds.X.shape[1]} features")
if len(ds.X) > fe.MAX_ROWS:
    notes.append(f"a seeded sample of {fe.MAX_ROWS} of {len(ds.X):,} rows")
if notes:
    st.caption(f"To keep the wrappers interactive this page uses {' and '.join(notes)}; all standardised.")
if k > p:
    st.info(f"k = {k} but there are only {p} features: every method but Lasso keeps all {p} (Lasso's count is "
            "set by α).")
k_eff = min(k, p)

selection, extraction = st.tabs(["Selection", "Extraction"])

with selection:
    _sequential(data_key, n_noise)  # the heaviest part first, with its progress bar
    sel_key = (data_key, n_noise, k_eff, alpha)
    with st.spinner("Running the filters, RFE, Lasso and a forest on all rows and inside each CV fold, and "
                    "scoring every selection…"):
        all_score = _all_features_score(data_key, n_noise)
        view = _selection_view(*sel_key)
    summary, table = view["summary"], view["table"]
    metric = "accuracy" if task == "classification" else "R²"
    m1, m2, m3 = st.columns(3)
    m1.metric(f"CV {metric}, all {p} features", f"{all_score:.3f}")
    best_score = summary["CV score"].max()
    m2.metric(view["best_label"], f"{best_score:.3f}", f"{best_score - all_score:+.3f}",
              help="Each selector refitted on the training rows of every CV fold; the change is against all features.")
    m3.metric("Noise kept on all rows", int(table["noise kept on all rows"].fillna(0).sum()),
              help="Summed over the methods, each fitted on all rows (the tiles).")
    st.caption(view["best_of"])

    st.markdown(f"##### Which features each method keeps when fitted on all rows (k = {k_eff}; Lasso keeps what α "
                "leaves non-zero)")
    # + room for the rotated method names under the tiles
    chart_cache.draw(_picks_chart, sel_key, max(220, 24 * p) + 130)  # 24 px a row: at 20 labels touched
    st.caption(view["agreement"])
    left, right = st.columns(2)
    chart_cache.draw(_subset_score_chart, sel_key, all_score,
                     [f"{fe.SCORE_CV}-fold CV {metric}, selection inside each fold",
                      f"whiskers ± 1 fold SE; dashed: all features, {all_score:.3f}"],
                     target=left)
    chart_cache.draw(_time_chart, sel_key, target=right)
    with st.expander("Methods as a table, and every feature's scores on all rows"):
        st.dataframe(view["table_shown"], hide_index=True)
        st.dataframe(view["scores_shown"])

    st.markdown("##### Embedded: the L1 coefficient path")
    chart_cache.draw(_path_chart, data_key, n_noise, alpha,
                     f"At α = {alpha:.3g}: {view['n_lasso']} of {p} features non-zero")
    st.caption(" ".join([fe.lasso_caption(fe.target_kind(y, task), len(X)), view["lasso"],
                         _path_noise_text(data_key, n_noise)]))
    with st.expander("Path as a table"):
        st.dataframe(_path_table(data_key, n_noise))


@st.fragment
def pca_section():
    """Cheap: the components slider reruns only this part and reads the cached PCA."""
    summary, long, proj = _pca(data_key, n_noise)
    n_comp = controls.bound(st.slider, "PCA components kept", fe.N_COMPONENTS_MIN, fe.N_COMPONENTS_MAX, fe.N_COMPONENTS_DEFAULT,
                       key=fe.N_COMPONENTS_KEY)
    n_eff = min(n_comp, len(summary))
    row = summary.iloc[n_eff - 1]
    e1, e2 = st.columns(2)
    e1.metric(f"Variance explained by {n_eff} component(s)", f"{row['cumulative']:.1%}")
    e2.metric("Reconstruction RMSE (standardised units)", f"{row['reconstruction RMSE']:.3f}")
    left, right = st.columns(2)
    with left:
        for builder in (_scree_chart, _reconstruction_chart):
            st.vega_lite_chart(spec=charts.set_param(chart_cache.spec(builder, data_key, n_noise),
                                                     N_COMPONENTS_PARAM, n_eff))
    with right:
        chart_cache.draw(_pca_scatter, data_key, n_noise)
    st.caption(fe.pca_text(summary))
    with st.expander("PCA as a table"):
        st.dataframe(summary.round(4), hide_index=True)


@st.fragment
def tsne_section():
    """Heavy the first time for each perplexity (cached); reruns only this part."""
    show_tsne = controls.bound(st.toggle, "Compute t-SNE", value=False, key=fe.TSNE_KEY,
                          help="Slow the first time for each perplexity (a few seconds); cached afterwards.")
    perplexity = controls.bound(st.slider, "t-SNE perplexity", fe.PERPLEXITY_MIN, fe.PERPLEXITY_MAX, fe.PERPLEXITY_DEFAULT,
                           key=fe.PERPLEXITY_KEY, disabled=not show_tsne)
    st.caption(fe.TSNE_NOTE)
    if not show_tsne:
        st.caption("Turn it on to compute.")
        return
    with st.spinner(f"t-SNE: optimising the 2-D layout (perplexity {perplexity}; a few seconds, cached afterwards)…",
                    show_time=True):
        emb = _tsne(data_key, n_noise, perplexity)
    chart_cache.draw(_tsne_chart, data_key, n_noise, perplexity)
    with st.expander("t-SNE coordinates as a table"):
        st.dataframe(emb, column_config={c: st.column_config.NumberColumn(format="%.3f")
                                         for c in ("tSNE1", "tSNE2")})


with extraction:
    pca_section()
    st.markdown("##### LDA and t-SNE projections")
    l1c, l2c = st.columns(2)
    with l1c:
        if task != "classification":
            st.info("LDA needs class labels; this is a regression dataset.")
        else:
            lda_table = _lda(data_key, n_noise)[1]
            chart_cache.draw(_lda_chart, data_key, n_noise)
            with st.expander("LDA projection as a table"):
                st.dataframe(lda_table)
    with l2c:
        tsne_section()

common.page_footer(
    questions=[
        "What is the difference between filter, wrapper and embedded feature selection?",
        "Why does L1 (Lasso) regularisation produce sparse models and select features?",
        "How does recursive feature elimination work? Forward vs backward selection?",
        "Feature selection vs feature extraction: when would you use PCA?",
        "How do you choose the number of principal components?",
        "PCA vs LDA vs t-SNE: what does each preserve, and which can be used as a model input?",
    ],
    code=fe.export_code(ds.name, task, fe.target_kind(y, task), n_noise, k_eff, alpha, seed),
    explanation=fe.explanation(fe.target_kind(y, task), p, n_noise),
)
