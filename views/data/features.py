"""Features lab: filter, wrapper and embedded selection with noise features; PCA, LDA and t-SNE."""
import streamlit as st

from components import datasets
from components import features as fe
from components.ui import common, controls, show

REUSE_NOTE = ("Fewer fits, the same search: sequential selection cross-validates each candidate subset once per set "
              "of rows and reuses that score whenever the subset comes up again, e.g. after a change of the noise "
              "count (an added noise column leaves the other columns as they were). Its paths are those of a fresh "
              "search, and its time is what the candidates took when they were scored.")

FITTED_KEY = "_features.fitted"  # (data, noise count, where) whose selectors this session has seen fitted


def shared_controls() -> fe.FeaturesSettings:
    """The controls every selection panel reads; the PCA and t-SNE controls live in their panels."""
    c1, c2, c3 = st.columns(3)
    n_noise = controls.bound(c1.slider, "Pure-noise features added", fe.N_NOISE_MIN, fe.N_NOISE_MAX,
                             fe.N_NOISE_DEFAULT, key=fe.N_NOISE_KEY)
    k = controls.bound(c2.slider, "Top-k features to keep", fe.K_MIN, fe.K_MAX, fe.K_DEFAULT, key=fe.K_KEY)
    log_alpha = controls.bound(c3.slider, "Lasso strength log₁₀(α)", fe.LOG_ALPHA_MIN, fe.LOG_ALPHA_MAX,
                               fe.LOG_ALPHA_DEFAULT, fe.LOG_ALPHA_STEP, key=fe.LOG_ALPHA_KEY, format="%.1f")
    name = common.dataset_name()
    generated = name in datasets.TWO_D
    return fe.FeaturesSettings(
        name, int(st.session_state.get(common.N_SAMPLES_KEY, common.N_SAMPLES_DEFAULT)) if generated else 0,
        float(st.session_state.get(common.NOISE_KEY, common.NOISE_DEFAULT)) if generated else 0.0,
        common.seed(), int(n_noise), int(k), float(round(10 ** log_alpha, 6)))


def fit_selectors(s: fe.FeaturesSettings, kind: str, parts: tuple[str, ...], where: str, slot) -> None:
    """Fit every selector (but Lasso, which is cheap and set by α) on ``parts``, one cached step at a
    time with a progress bar in ``slot``; once a session has seen them done, the cached results are read
    where needed, with no bar."""
    fitted = st.session_state.setdefault(FITTED_KEY, set())
    if (s.data_key, s.n_noise, where) in fitted:
        return
    steps = [(m, part) for m in fe.method_names(kind) if m != fe.LASSO for part in parts]
    bar = slot.progress(0.0)
    for i, (method, part) in enumerate(steps):
        bar.progress(i / len(steps), text=f"{where.capitalize()}: {method} on {part} ({i + 1} of {len(steps)})…")
        fe.selector_ranking(s.data_key, s.n_noise, method, part)
    slot.empty()
    fitted.add((s.data_key, s.n_noise, where))


def l1_panel(s: fe.FeaturesSettings, t: fe.Prepared) -> None:
    """The L1 path (light: one path per noise count; α only moves its rule and re-reads Lasso's fit)."""
    st.markdown("##### Embedded: the L1 coefficient path")
    view = fe.l1_view(s.data_key, s.n_noise)
    lasso = fe.lasso_run(s.data_key, s.n_noise, s.alpha)
    st.markdown(fe.lasso_summary(len(lasso["kept"]), t.X.shape[1], s.alpha))
    show.chart(view["spec"], moving=fe.alpha_frames(s.alpha))
    st.caption(" ".join([fe.lasso_caption(t.kind, len(t.X)),
                         fe.lasso_text(lasso["coef"], lasso["kept"], s.alpha, per_class=t.kind == "multiclass"),
                         view["noise text"]]))
    with st.expander("Path as a table"):
        st.dataframe(view["table"])


def tiles_panel(s: fe.FeaturesSettings, t: fe.Prepared, k_eff: int, slot, target, noise_metric) -> None:
    """Which features each method keeps on all rows (every selector fitted once on all rows)."""
    fit_selectors(s, t.kind, fe.PARTS[:1], "selecting on all rows", slot)
    view = fe.tiles_view(s.data_key, s.n_noise, k_eff, s.alpha)
    show.chart(view["spec"], target=target)
    noise_metric.metric("Noise kept on all rows", view["noise kept"],
                        help="Summed over the methods, each fitted on all rows (the tiles).")


def comparison_panel(s: fe.FeaturesSettings, t: fe.Prepared, k_eff: int, boxes: dict) -> None:
    """The heavy comparison: every selector refitted on each CV fold's training rows, then scored."""
    fit_selectors(s, t.kind, fe.PARTS[1:], "selecting inside each CV fold", boxes["progress"])
    view = fe.comparison_view(s.data_key, s.n_noise, k_eff, s.alpha)
    all_score = fe.all_features_score(s.data_key, s.n_noise)
    boxes["best"].metric(view["best_label"], f"{view['best score']:.3f}", f"{view['best score'] - all_score:+.3f}",
                         help="Each selector refitted on the training rows of every CV fold; the change is "
                              "against all features.")
    boxes["best text"].caption(view["best_of"])
    boxes["agreement"].caption(view["agreement"])
    show.chart(view["score_spec"], target=boxes["left"])
    show.chart(view["time_spec"], target=boxes["right"])
    with boxes["table"]:
        st.caption(REUSE_NOTE)
        with st.expander("Methods as a table, and every feature's scores on all rows"):
            st.dataframe(view["table_shown"], hide_index=True)
            st.dataframe(view["scores_shown"])


@st.fragment
def pca_panel(data_key: tuple, n_noise: int) -> None:
    """Scrubbing: the two curves hold their rule at every number of components and follow the slider in
    the browser (components/ui/scrub.py); the slider then reruns only this panel, which reads the cached
    PCA for the numbers."""
    view = fe.pca_view(data_key, n_noise)
    summary = view["summary"]
    n_comp = controls.bound(st.slider, "PCA components kept", fe.N_COMPONENTS_MIN, fe.N_COMPONENTS_MAX,
                            fe.N_COMPONENTS_DEFAULT, key=fe.N_COMPONENTS_KEY)
    n_eff = min(n_comp, len(summary))
    row = summary.iloc[n_eff - 1]
    e1, e2 = st.columns(2)
    e1.metric(f"Variance explained by {n_eff} component(s)", f"{row['cumulative']:.1%}")
    e2.metric("Reconstruction RMSE (standardised units)", f"{row['reconstruction RMSE']:.3f}")
    left, right = show.columns(2)
    show.chart(view["scree"], target=left, scrub=(fe.N_COMPONENTS_KEY, n_comp))
    show.chart(view["reconstruction"], target=left, scrub=(fe.N_COMPONENTS_KEY, n_comp))
    show.chart(view["scatter"], target=right)
    st.caption(view["text"])
    with st.expander("PCA as a table"):
        st.dataframe(view["table"], hide_index=True)


def lda_panel(data_key: tuple, n_noise: int, task: str) -> None:
    if task != "classification":
        st.info("LDA needs class labels; this is a regression dataset.")
        return
    view = fe.lda_view(data_key, n_noise)
    show.chart(view["spec"])
    with st.expander("LDA projection as a table"):
        st.dataframe(view["table"])


@st.fragment
def tsne_panel(data_key: tuple, n_noise: int) -> None:
    """Heavy the first time for each perplexity (cached, with progress); reruns only this panel."""
    show_tsne = controls.bound(st.toggle, "Compute t-SNE", value=False, key=fe.TSNE_KEY,
                               help="Slow the first time for each perplexity (a few seconds); cached afterwards.")
    perplexity = controls.bound(st.slider, "t-SNE perplexity", fe.PERPLEXITY_MIN, fe.PERPLEXITY_MAX,
                                fe.PERPLEXITY_DEFAULT, key=fe.PERPLEXITY_KEY, disabled=not show_tsne)
    st.caption(fe.TSNE_NOTE)
    if not show_tsne:
        st.caption("Turn it on to compute.")
        return
    view = fe.tsne_view(data_key, n_noise, int(perplexity))
    show.chart(view["spec"])
    with st.expander("t-SNE coordinates as a table"):
        st.dataframe(view["frame"], column_config={c: st.column_config.NumberColumn(format="%.3f")
                                                   for c in ("tSNE1", "tSNE2")})


st.title("Features lab")
st.caption("Which features matter? Filters score each feature alone, wrappers search subsets with a model, "
           "embedded methods select while fitting. Add pure-noise features and watch who rejects them.")
settings = shared_controls()
table = fe.prepared(settings.data_key, settings.n_noise)
p = table.X.shape[1]
note = fe.table_note(table.n_features_in, table.n_rows_in)
if note:
    st.caption(note)
if settings.k > p:
    st.info(f"k = {settings.k} but there are only {p} features: every method but Lasso keeps all {p} (Lasso's count "
            "is set by α).")
k_eff = min(settings.k, p)
selection, extraction = st.tabs(["Selection", "Extraction"])

# Light panels first, each where it belongs on the page; the selectors' fits come after, the CV comparison last.
with selection:
    metric = "accuracy" if table.task == "classification" else "R²"
    m1, m2, m3 = st.columns(3)
    m1.metric(f"CV {metric}, all {p} features", f"{fe.all_features_score(settings.data_key, settings.n_noise):.3f}")
    boxes = {"best": m2, "best text": st.container()}
    st.markdown(f"##### Which features each method keeps when fitted on all rows (k = {k_eff}; Lasso keeps what α "
                "leaves non-zero)")
    tiles_progress, tiles_box = st.empty(), st.container()
    boxes["agreement"], boxes["progress"] = st.container(), st.empty()
    boxes["left"], boxes["right"] = show.columns(2)
    boxes["table"] = st.container()
    l1_panel(settings, table)

with extraction:
    pca_panel(settings.data_key, settings.n_noise)
    st.markdown("##### LDA and t-SNE projections")
    lda_column, tsne_column = show.columns(2)
    with lda_column:
        lda_panel(settings.data_key, settings.n_noise, table.task)

with selection:
    tiles_panel(settings, table, k_eff, tiles_progress, tiles_box, m3)
    comparison_panel(settings, table, k_eff, boxes)

with tsne_column:
    tsne_panel(settings.data_key, settings.n_noise)

common.page_footer(fe.export_code(settings.dataset, table.task, table.kind, settings.n_noise, k_eff,
                                             settings.alpha, settings.seed),
                   fe.explanation(table.kind, p, settings.n_noise))
