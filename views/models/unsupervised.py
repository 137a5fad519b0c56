"""Unsupervised lab: clusters found next to the hidden labels, choosing k without labels, where k-means
fails, and an autoencoder against PCA. k scrubs: the clusterings at every k are computed once and the
charts that k moves hold every k, following the slider in the browser."""
import streamlit as st

from components import datasets
from components import unsupervised as un
from components.ui import common, controls, show

EXPLANATION = """
**Supervised** learning fits a mapping from inputs to labels it is given; **unsupervised** learning gets
the inputs only and looks for structure in them: groups (clustering) or a smaller description
(dimensionality reduction, autoencoders). Here the datasets do have labels, but no algorithm sees them:
they are kept hidden and used only afterwards to score the result.

- **k-means** places k centres and assigns each point to the nearest, minimising the within-cluster sum of
  squares (its *inertia*): compact, round clusters of similar spread are what it finds well. A **Gaussian mixture** fits
  k Gaussians with their own shapes and spreads. **DBSCAN** grows clusters from *core points* (at least
  `min_samples` points within `eps`) and calls whatever is reached from none of them *noise*; it needs no k.
  **Agglomerative** clustering merges the closest groups until k remain; *single* linkage follows chains
  of close points, *ward* merges what raises the sum of squares least.
- **Choosing k without labels**: the inertia keeps falling as k grows, so the *elbow* where it stops
  falling fast is a judgement; the **silhouette** (how much closer each point is to its own cluster than
  to the next one, from -1 to 1) can be maximised. The **adjusted Rand index** compares the clusters with
  the hidden labels (1: the same grouping; about 0: chance): a fine score for a teaching page, but a real
  unsupervised task has no labels to compute it with.
- Distances add up features in their own units: unscaled, the feature with the largest numbers decides.
- An **autoencoder** is a network trained to reproduce its input through a narrow layer, the *bottleneck*;
  what fits through it is a learned compression. With linear activations it can at best match PCA
  (the best linear bottleneck is PCA's subspace); non-linear units can do better, given enough data
  and training.
"""


def data_controls(ds: datasets.Dataset) -> tuple[un.DataSettings, str, float, int, str]:
    """The controls every clustering panel reads; k lives in the panel it scrubs."""
    c1, c2, c3, c4 = st.columns(4)
    algorithm = controls.bound(c1.selectbox, "Algorithm", un.ALGORITHMS, index=un.ALGORITHMS.index(un.ALGORITHM_DEFAULT),
                               key=un.ALGORITHM_KEY, help="k-means, a Gaussian mixture and agglomerative clustering "
                               "are asked for k clusters; DBSCAN finds its own number from eps and min_samples.")
    scale = controls.bound(c1.toggle, "Standardise features", True, key=un.SCALE_KEY,
                           help="Mean 0 and standard deviation 1 for every feature before clustering.")
    dbscan = algorithm == un.DBSCAN_NAME
    eps = controls.bound(c2.select_slider, "DBSCAN eps (neighbourhood radius)", un.EPS_OPTIONS, value=un.EPS_DEFAULT,
                         key=un.EPS_KEY, disabled=not dbscan,
                         help="A distance in the units the algorithm sees (standardised, or raw).")
    min_samples = controls.bound(c3.slider, "DBSCAN min_samples", un.MIN_SAMPLES_MIN, un.MIN_SAMPLES_MAX,
                                 un.MIN_SAMPLES_DEFAULT, key=un.MIN_SAMPLES_KEY, disabled=not dbscan,
                                 help="Points (itself included) a point needs within eps to be a core point.")
    linkage = controls.bound(c4.selectbox, "Agglomerative linkage", un.LINKAGES,
                             index=un.LINKAGES.index(un.LINKAGE_DEFAULT), key=un.LINKAGE_KEY,
                             disabled=algorithm != un.AGGLOMERATIVE,
                             help="Which distance between groups decides the next merge.")
    key = common.dataset_key()
    generated = ds.name in datasets.TWO_D  # key: (name, n_samples, noise, seed)
    data = un.data_settings(ds.name, key[1] if generated else 0, key[2] if generated else 0.0, common.seed(), scale)
    return data, algorithm, eps, min_samples, linkage


def clusters_view(prep: un.Prepared, c: un.Clustering, s: un.ClusterSettings, curves: un.Curves | None) -> None:
    """The scores and the clusters found beside the hidden labels; ``curves`` (None for DBSCAN, which has
    no k) holds the clusters found at every k."""
    m1, m2, m3, m4 = st.columns(4)
    m1.metric("ARI against the hidden labels", f"{c.ari:.3f}",
              help="Adjusted Rand index: 1 when the clusters are the hidden classes (whatever their numbers), "
                   "about 0 for chance. Noise points count as one more cluster.")
    m2.metric("silhouette", "n/a" if c.silhouette != c.silhouette else f"{c.silhouette:.3f}",
              help="Mean over the clustered points (noise left out) of (b - a) / max(a, b), a: mean distance to "
                   "its own cluster, b: to the nearest other one. Needs no labels; undefined under two clusters.")
    m3.metric("clusters found", f"{c.n_clusters}" + (f" + {c.n_noise} noise" if s.algorithm == un.DBSCAN_NAME else ""))
    m4.metric("inertia" if s.algorithm == un.KMEANS else "within-cluster SS", f"{c.wcss:,.1f}",
              help="Squared distances from each clustered point to its cluster's mean, summed.")
    n = len(c.labels)
    st.markdown(un.clusters_sentence(s.algorithm, s.k, c.n_clusters, c.n_noise, n, c.ari, len(prep.class_names),
                                     s.min_samples))
    left, right = st.columns(2)
    if curves is None:
        show.chart(prep.found_spec, target=left, moving={"found": c.found})
    else:
        show.chart(curves.found_spec, target=left, scrub=(un.K_KEY, s.k))
    show.chart(prep.truth_spec, target=right)
    plane = ("the data itself" if prep.view_share == 1.0 else
             f"its first two principal components ({prep.view_share:.0%} of the variance)")
    st.caption(f"Clustered on {prep.steps}; drawn on {plane}. Colours number the clusters found by size, "
               "largest first; they need not match the label colours. Grey crosses: noise. The ARI needs the hidden "
               "labels, which a real unsupervised task does not have: that is what the label-free scores below are for.")
    with st.expander("Clusters found against the hidden labels (counts)"):
        st.dataframe(c.contingency)


def k_curves(curves: un.Curves, s: un.ClusterSettings) -> None:
    """Elbow and silhouette/ARI against k, marked at the k slider's position."""
    a, b = st.columns(2)
    show.chart(curves.elbow_spec, target=a, scrub=(un.K_KEY, s.k))
    show.chart(curves.scores_spec, target=b, scrub=(un.K_KEY, s.k))
    st.markdown(curves.sentence)
    with st.expander("Every k (table)"):
        st.dataframe(curves.table.rename(columns={"wcss": "within-cluster SS"}), hide_index=True)


def dbscan_curve(s: un.ClusterSettings) -> None:
    kd = un.k_distances(s.data, s.min_samples)
    show.chart(kd.spec, moving={"eps": [{"eps": float(s.eps)}]})
    st.markdown(un.dbscan_sentence(kd.distances, s.eps, s.min_samples))


def scaling_view(prep: un.Prepared, s: un.ClusterSettings) -> None:
    """The same algorithm with and without standardising; the other version's clusterings come last."""
    left, right = st.columns([3, 2])
    if s.algorithm in un.TAKES_K:
        comparison = un.scaling_comparison(un.both_ways(s.data), s.algorithm, s.linkage)
        show.chart(comparison.spec, target=left, scrub=(un.K_KEY, s.k))
        with left.expander("ARI at every k, standardised and raw (table)"):
            st.dataframe(comparison.wide)
        scaled, raw = (float(comparison.wide.loc[s.k, name]) for name in (un.SCALED, un.RAW))
        where = f"At k = {s.k}"
    else:
        table = un.dbscan_scaling(s)
        left.dataframe(table, hide_index=True)
        scaled, raw = (float(table.set_index("scaling").loc[name, "ARI"]) for name in (un.SCALED, un.RAW))
        where = f"With eps = {s.eps:g} (a distance in each version's own units)"
    right.dataframe(prep.spread, hide_index=True, height=260,
                    column_config={"std (raw units)": st.column_config.NumberColumn(format="%.4g")})
    st.markdown(un.scaling_sentence(prep.spread, scaled, raw, where))


@st.fragment
def clustering_panel(data: un.DataSettings, algorithm: str, eps: float, min_samples: int, linkage: str) -> None:
    """Everything k changes. k scrubs: the clusterings at every k are cached (the curves' sweep) and the
    charts hold every k, so they follow the slider in the browser; a move reruns this panel alone for the
    numbers and fits nothing once the curves are drawn."""
    k = controls.bound(st.slider, "k: clusters asked for (k-means, mixture, agglomerative)", un.K_MIN, un.K_MAX,
                       un.K_DEFAULT, key=un.K_KEY, disabled=algorithm not in un.TAKES_K)
    s = un.cluster_settings(data, algorithm, k, eps, min_samples, linkage)
    prep = un.prepare(data)
    curves = un.curves(data, s.algorithm, s.linkage) if algorithm in un.TAKES_K else None
    c = un.clustering(s)
    clusters_view(prep, c, s, curves)
    if curves is not None:
        st.subheader("Choosing k without the labels")
        k_curves(curves, s)
    else:
        st.subheader("Choosing eps without the labels")
        dbscan_curve(s)
    st.subheader("Scaling")
    scaling_view(prep, s)
    common.show_code(un.cluster_script(s))


@st.fragment
def failures_panel() -> None:
    """Three shapes, four algorithms, each asked for the true number of groups (DBSCAN: fixed eps)."""
    noise = controls.bound(st.slider, "Noise of the moons and circles here", un.FAIL_NOISE_MIN, un.FAIL_NOISE_MAX,
                           un.FAIL_NOISE_DEFAULT, un.FAIL_NOISE_STEP, key=un.FAIL_NOISE_KEY,
                           help="Its own noise: at the sidebar's default (0.25) the moons and circles blur into "
                                "each other and no algorithm separates them. The sidebar's samples and seed apply.")
    n_samples = int(st.session_state.get(common.N_SAMPLES_KEY, common.N_SAMPLES_DEFAULT))
    seed = common.seed()
    f = un.failures(n_samples, float(noise), seed)
    st.caption(f"{n_samples} points per set, standardised. Every algorithm but DBSCAN is given the true number of "
               f"groups; DBSCAN uses eps = {un.FAILURE_EPS}, min_samples = {un.FAILURE_MIN_SAMPLES}; the agglomerative "
               "clustering uses single linkage.")
    for column, spec in zip(show.columns(len(f.specs)), f.specs, strict=True):
        show.chart(spec, target=column)
    st.markdown("\n".join(f"- {line}" for line in f.sentences))
    with st.expander("ARI of every algorithm on every shape (table)"):
        st.dataframe(f.wide, column_config={a: st.column_config.NumberColumn(format="%.3f") for a in un.FAILURE_ALGORITHMS})
    common.show_code(un.failures_script(n_samples, float(noise), seed))


@st.fragment
def autoencoder_panel() -> None:
    c1, c2, c3 = st.columns(3)
    width = controls.bound(c1.select_slider, "Bottleneck width (PCA: number of components)", un.AE_WIDTHS,
                           value=un.AE_WIDTH_DEFAULT, key=un.AE_WIDTH_KEY)
    activation = controls.bound(c2.selectbox, "Autoencoder units", un.AE_ACTIVATIONS, key=un.AE_ACTIVATION_KEY,
                                help="tanh units can bend the compression; identity units make the whole network "
                                     "linear.")
    training = controls.bound(c3.selectbox, "Training", un.AE_TRAININGS, key=un.AE_TRAINING_KEY,
                              help="The lighter training draws in about a second; the fuller one takes several "
                                   "seconds the first time (then it is cached).")
    seed = common.seed()
    r = un.autoencoder(width, activation, training, seed)
    rows, epochs = un.TRAINING_BUDGET[training]
    digits = f"{rows:,} of the 1,347 training digits" if rows else "all 1,347 training digits"
    st.caption(f"{'Lighter' if training == un.LIGHTER else 'Fuller'} training: {digits}, {epochs} epochs (Adam, batch "
               f"{un.AE_BATCH}), layers 64-{un.AE_HIDDEN}-{width}-{un.AE_HIDDEN}-64. "
               "PCA is fitted on the same digits; both are scored on 450 held-out ones (pixels scaled to [0, 1]).")
    m1, m2 = st.columns(2)
    m1.metric("autoencoder: held-out MSE", f"{r.ae_mse:.4f}")
    m2.metric(f"PCA ({width} components): held-out MSE", f"{r.pca_mse:.4f}")
    st.markdown(un.autoencoder_sentence(width, activation, training, r.ae_mse, r.pca_mse, r.ae_train_mse,
                                        r.pca_train_mse))
    show.chart(r.images_spec)
    show.chart(r.curve_spec)
    with st.expander("PCA's held-out error at every width (table)"):
        st.dataframe(r.pca_curve, hide_index=True, column_config={"PCA MSE": st.column_config.NumberColumn(format="%.5f")})
    common.show_code(un.autoencoder_script(width, activation, training, seed))


st.title("Unsupervised lab")
st.caption("Clustering without labels, scored against the labels it never saw; choosing k; where k-means fails; "
           "an autoencoder against PCA.")
ds = common.current_dataset()
if common.require_task(ds, datasets.CLASSIFICATION):
    settings = data_controls(ds)
    st.subheader("Clusters found and the hidden labels")
    clustering_panel(*settings)
st.subheader("Where k-means fails, and what finds the shapes")
failures_panel()
st.subheader("An autoencoder against PCA on digits")
autoencoder_panel()
common.page_footer(None, EXPLANATION)
