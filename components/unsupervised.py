"""The Unsupervised lab: clusters found beside the hidden labels, choosing k without labels, where
k-means fails, and an autoencoder against PCA on digits.

Every model comes from scikit-learn (KMeans, GaussianMixture, DBSCAN, AgglomerativeClustering, PCA,
and MLPRegressor trained to reproduce its input as the autoencoder), every score from sklearn.metrics.
Written here, because no library has them in this form: the within-cluster sum of squares of any
partition (k-means reports it as ``inertia_``, the others do not), the share of other classes inside
each cluster (for the sentences), the charts, the sentences and the "Show the code" scripts.
"""
from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, replace

import altair as alt
import numpy as np
import pandas as pd
from sklearn import datasets as skd
from sklearn.cluster import DBSCAN, AgglomerativeClustering, KMeans
from sklearn.decomposition import PCA
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import adjusted_rand_score, pairwise_distances, silhouette_score
from sklearn.mixture import GaussianMixture
from sklearn.model_selection import train_test_split
from sklearn.neighbors import NearestNeighbors
from sklearn.neural_network import MLPRegressor
from sklearn.preprocessing import StandardScaler

from components import charts, code_export, datasets, memo

# Cached results are shared (memo shared=True: one read-only object, not a pickled copy per rerun): they
# hold chart data (up to 24,000 points) that the page only reads, and copying them on every rerun cost
# about a third of the page's floor.
FIT_COUNT = {"n": 0}  # clustering models fitted in this process; tests check that k moves add none
SWEEP_COUNT = {"n": 0}  # runs of the every-k sweep; tests check that k moves start none

# --- Controls: keys, ranges, defaults --------------------------------------------------------------
KMEANS, MIXTURE, DBSCAN_NAME, AGGLOMERATIVE = "k-means", "Gaussian mixture", "DBSCAN", "agglomerative"
ALGORITHMS = (KMEANS, MIXTURE, DBSCAN_NAME, AGGLOMERATIVE)
TAKES_K = (KMEANS, MIXTURE, AGGLOMERATIVE)
ALGORITHM_KEY, ALGORITHM_DEFAULT = "unsup.algorithm", KMEANS
K_KEY, K_MIN, K_MAX, K_DEFAULT = "unsup.k", 2, 10, 3
K_RANGE = tuple(range(K_MIN, K_MAX + 1))
# eps is a distance in the units the algorithm sees: about 0.1-1 for standardised 2-D sets, a few units for
# standardised tables, tens to hundreds for raw wine or digits. Hence a roughly logarithmic grid.
EPS_KEY, EPS_DEFAULT = "unsup.eps", 0.5
EPS_OPTIONS = (0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5, 0.6, 0.8, 1.0, 1.25, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0,
               6.0, 8.0, 10.0, 15.0, 20.0, 30.0, 50.0, 100.0)
MIN_SAMPLES_KEY, MIN_SAMPLES_MIN, MIN_SAMPLES_MAX, MIN_SAMPLES_DEFAULT = "unsup.min_samples", 2, 30, 5
LINKAGE_KEY, LINKAGES, LINKAGE_DEFAULT = "unsup.linkage", ("ward", "complete", "average", "single"), "ward"
SCALE_KEY = "unsup.scale"
FAIL_NOISE_KEY, FAIL_NOISE_MIN, FAIL_NOISE_MAX, FAIL_NOISE_STEP, FAIL_NOISE_DEFAULT = (
    "unsup.fail_noise", 0.0, 0.3, 0.01, 0.05)
AE_WIDTH_KEY, AE_WIDTHS, AE_WIDTH_DEFAULT = "unsup.ae_width", (2, 4, 8, 16, 32), 4
AE_ACTIVATION_KEY, TANH, LINEAR = "unsup.ae_activation", "non-linear (tanh)", "linear (identity)"
AE_ACTIVATIONS = (TANH, LINEAR)
_SKLEARN_ACTIVATION = {TANH: "tanh", LINEAR: "identity"}
AE_TRAINING_KEY = "unsup.ae_training"
LIGHTER, FULLER = "lighter: 800 digits, 120 epochs", "fuller: all 1,347 training digits, 500 epochs"
AE_TRAININGS = (LIGHTER, FULLER)

KMEANS_N_INIT = 10  # k-means restarts from 10 k-means++ seeds and keeps the lowest inertia
DIGITS_COMPONENTS = 10  # digits are clustered on their first 10 principal components (see prepare)
RECOVERS = 0.9  # the ARI from which a sentence says an algorithm "recovers" the hidden groups
SAME = 0.02  # ARI differences below this are called "about the same"
MIXED = 0.1  # a cluster "mixes" hidden groups when at least this share of it comes from other groups

# Okabe-Ito for the first seven clusters (its yellow is too faint on white), then three of Paul Tol's
# muted colours; clusters beyond the tenth share one grey, noise a lighter grey drawn as crosses.
CLUSTER_COLOURS = [*charts.OKABE_ITO[:6], charts.BLACK, "#882255", "#44AA99", "#999933"]
OTHER_CLUSTERS, NOISE = "cluster 11+", "noise"
CLUSTER_DOMAIN = [f"cluster {i}" for i in range(1, 11)] + [OTHER_CLUSTERS, NOISE]
CLUSTER_RANGE = CLUSTER_COLOURS + ["#777777", "#BBBBBB"]
IN_A_CLUSTER = "in a cluster"


# --- Settings ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class DataSettings:
    """The data the algorithms see: the sidebar's dataset (for 2-D sets its samples, noise and seed)
    and whether features are standardised."""
    dataset: str
    n_samples: int  # 2-D sets only (0 for tables)
    noise: float  # 2-D sets only (0.0 for tables)
    seed: int
    scale: bool


@dataclass(frozen=True)
class ClusterSettings:
    data: DataSettings
    algorithm: str
    k: int  # every algorithm but DBSCAN
    eps: float  # DBSCAN
    min_samples: int  # DBSCAN
    linkage: str  # agglomerative


def data_settings(dataset: str, n_samples: int, noise: float, seed: int, scale: bool) -> DataSettings:
    """Generation parameters only where they apply, so a table's cache key ignores them."""
    two_d = dataset in datasets.TWO_D
    return DataSettings(dataset, int(n_samples) if two_d else 0, float(noise) if two_d else 0.0, int(seed),
                        bool(scale))


def cluster_settings(data: DataSettings, algorithm: str, k: int, eps: float, min_samples: int,
                     linkage: str) -> ClusterSettings:
    """The settings with what the algorithm ignores set to its default: a disabled control never refits."""
    takes_k = algorithm in TAKES_K
    return ClusterSettings(data, algorithm, int(k) if takes_k else K_DEFAULT,
                           float(eps) if algorithm == DBSCAN_NAME else EPS_DEFAULT,
                           int(min_samples) if algorithm == DBSCAN_NAME else MIN_SAMPLES_DEFAULT,
                           linkage if algorithm == AGGLOMERATIVE else LINKAGE_DEFAULT)


# --- Data ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Prepared:
    X: np.ndarray  # what the algorithms see
    y: np.ndarray  # the hidden labels (class codes); no algorithm is given them
    class_names: tuple[str, ...]
    view: np.ndarray  # n x 2: the plane drawn (a 2-D set itself, else the first two principal components of X)
    view_titles: tuple[str, str]
    view_share: float  # share of X's variance in the drawn plane (1.0 for a 2-D set)
    steps: str  # what happens to the table before clustering, in words
    spread: pd.DataFrame  # feature, std in raw units, largest first
    truth_spec: dict
    found_spec: dict  # its "found" dataset is swapped per clustering (moving=...): DBSCAN's (no k; Curves has k's)


def transform(raw: np.ndarray, scale: bool, dataset: str) -> tuple[np.ndarray, str]:
    """Standardise (if asked), then, for digits, keep the first DIGITS_COMPONENTS principal components:
    a Gaussian mixture with full covariances on all 64 pixels took ~11 s for k = 2..10 here, on 10
    components well under a second, and the scatter shows principal components anyway."""
    X = StandardScaler().fit_transform(raw) if scale else raw.astype(float)
    steps = "standardised features (mean 0, standard deviation 1 each)" if scale else "features in their raw units"
    if dataset == "digits":
        pca = PCA(n_components=DIGITS_COMPONENTS, svd_solver="full").fit(X)
        X = pca.transform(X)
        steps += (f", then the first {DIGITS_COMPONENTS} principal components of the 64 pixels "
                  f"({pca.explained_variance_ratio_.sum():.0%} of their variance)")
    return X, steps


@memo.cached(max_entries=16, shared=True, progress="Preparing the data…")
def prepare(data: DataSettings) -> Prepared:
    """The data as the algorithms see it, the plane to draw it in, and the two scatter charts' specs.
    One entry holds the table (at most 2,000 x 64 numbers) and two specs with the points."""
    ds = datasets.load(data.dataset, n_samples=data.n_samples or 300, noise=data.noise, seed=data.seed)
    raw = ds.X.to_numpy(dtype=float)
    X, steps = transform(raw, data.scale, data.dataset)
    y = ds.y.to_numpy().astype(int)
    if X.shape[1] == 2:
        view, share = X, 1.0
        unit = " (standardised)" if data.scale else ""
        titles = (f"{ds.feature_names[0]}{unit}", f"{ds.feature_names[1]}{unit}")
    else:
        pca = PCA(n_components=2, svd_solver="full").fit(X)
        view, share = pca.transform(X), float(pca.explained_variance_ratio_.sum())
        titles = ("principal component 1", "principal component 2")
    spread = pd.DataFrame({"feature": ds.feature_names, "std (raw units)": raw.std(axis=0)}).sort_values(
        "std (raw units)", ascending=False, kind="stable").reset_index(drop=True)
    names = tuple(ds.target_names)
    truth = pd.DataFrame({"x": view[:, 0], "y": view[:, 1], "label": np.asarray(names)[y]})
    truth_spec = charts.to_spec(_truth_chart(truth, list(names), titles))
    placeholder = _found_frame(view, np.zeros(len(y), dtype=int), y, names)
    found_spec = _named_spec(_found_chart(titles), {"found": placeholder})
    return Prepared(X, y, names, view, titles, share, steps, spread, truth_spec, found_spec)


# --- One clustering ---------------------------------------------------------------------------------
def fit_labels(X: np.ndarray, s: ClusterSettings) -> tuple[np.ndarray, float | None]:
    """Fit the chosen algorithm; its labels (-1: DBSCAN's noise) and, for k-means, its inertia_."""
    FIT_COUNT["n"] += 1
    seed = s.data.seed
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # a mixture stopping at max_iter still has labels
        if s.algorithm == KMEANS:
            model = KMeans(n_clusters=s.k, n_init=KMEANS_N_INIT, random_state=seed).fit(X)
            return model.labels_, float(model.inertia_)
        if s.algorithm == MIXTURE:
            return GaussianMixture(n_components=s.k, random_state=seed).fit(X).predict(X), None
        if s.algorithm == DBSCAN_NAME:
            return DBSCAN(eps=s.eps, min_samples=s.min_samples).fit(X).labels_, None
        if s.algorithm == AGGLOMERATIVE:
            return AgglomerativeClustering(n_clusters=s.k, linkage=s.linkage).fit(X).labels_, None
    raise KeyError(s.algorithm)


def by_size(labels: np.ndarray) -> np.ndarray:
    """The same partition numbered by size, largest cluster 0 (ties by the algorithm's own number); noise
    stays -1. Cluster numbers are arbitrary, so this only keeps colours steady from one k to the next."""
    labels = np.asarray(labels)
    ids, counts = np.unique(labels[labels >= 0], return_counts=True)
    order = ids[np.lexsort((ids, -counts))]
    lookup = np.full(labels.max() + 2 if len(labels) else 1, -1)
    lookup[order] = np.arange(len(order))
    return np.where(labels >= 0, lookup[labels], -1)


def cluster_names(labels: np.ndarray) -> np.ndarray:
    """"cluster 1" for the largest, …, "cluster 11+" beyond the tenth, "noise" for -1."""
    names = np.array(CLUSTER_DOMAIN[:10] + [OTHER_CLUSTERS])
    return np.where(labels < 0, NOISE, names[np.clip(labels, 0, 10)])


def within_cluster_ss(X: np.ndarray, labels: np.ndarray) -> float:
    """Sum over clusters of the squared distances from each point to its cluster's mean (noise left out)."""
    total = 0.0
    for c in np.unique(labels[labels >= 0]):
        members = X[labels == c]
        total += float(((members - members.mean(axis=0)) ** 2).sum())
    return total


def silhouette(X: np.ndarray, labels: np.ndarray, distances: np.ndarray | None = None) -> float:
    """Mean silhouette of the clustered points (noise left out); NaN when it is undefined (fewer than two
    clusters, or every point its own cluster)."""
    kept = labels >= 0
    found = len(np.unique(labels[kept]))
    if found < 2 or found > kept.sum() - 1:
        return math.nan
    if distances is not None:
        d = distances if kept.all() else distances[np.ix_(kept, kept)]
        return float(silhouette_score(d, labels[kept], metric="precomputed"))
    return float(silhouette_score(X[kept], labels[kept]))


@dataclass(frozen=True)
class Clustering:
    labels: np.ndarray  # numbered by size (by_size); -1 noise
    ari: float  # against the hidden labels; noise counts as one more cluster
    silhouette: float  # NaN when undefined
    n_clusters: int
    n_noise: int
    wcss: float  # within-cluster sum of squares (k-means: its inertia_)
    found: pd.DataFrame  # the found-clusters chart's "found" dataset
    contingency: pd.DataFrame  # clusters found (rows) x hidden labels (columns), counts


@memo.cached(shared=True, max_entries=64, progress="Clustering…")
def clustering(s: ClusterSettings, _distances: np.ndarray | None = None) -> Clustering:
    """One clustering and its scores. ``_distances`` (the pairwise distances of the prepared data, not
    part of the cache key) lets the every-k sweep compute silhouettes 2-3x faster; same numbers."""
    prep = prepare(s.data)
    raw, inertia = fit_labels(prep.X, s)
    labels = by_size(raw)
    kept = labels >= 0
    wcss = inertia if inertia is not None else within_cluster_ss(prep.X, labels)
    found = _found_frame(prep.view, labels, prep.y, prep.class_names)
    rows = [c for c in CLUSTER_DOMAIN if c in set(found["cluster"])]
    contingency = (pd.crosstab(found["cluster"], found["label"])
                   .reindex(index=rows, columns=list(prep.class_names), fill_value=0)
                   .rename_axis(index="cluster found", columns=None))
    return Clustering(labels, float(adjusted_rand_score(prep.y, labels)), silhouette(prep.X, labels, _distances),
                      int(len(np.unique(labels[kept]))), int((~kept).sum()), float(wcss), found, contingency)


def _found_frame(view: np.ndarray, labels: np.ndarray, y: np.ndarray, class_names) -> pd.DataFrame:
    return pd.DataFrame({"x": view[:, 0], "y": view[:, 1], "cluster": cluster_names(labels),
                         "label": np.asarray(class_names)[y],
                         "kind": np.where(labels < 0, NOISE, IN_A_CLUSTER)})


# --- Choosing k: every k at once --------------------------------------------------------------------
@dataclass(frozen=True)
class Curves:
    """The every-k sweep and the charts that follow the k slider in the browser (charts.scrubbable): they
    hold what k moves at every k of the slider, so a move redraws them before the server's rerun."""
    table: pd.DataFrame  # k, wcss, silhouette, ARI
    elbow_spec: dict
    scores_spec: dict
    marks: dict[int, dict[str, list[dict]]]  # k -> the charts' moving datasets at k (k_frames), held at every k
    sentence: str  # choosing_k_sentence of the table
    found_spec: dict  # the clusters found at every k (found_at_every_k), showing those at the slider's k


@memo.cached(shared=True, max_entries=32, progress="Clustering for every k from 2 to 10…")
def curves(data: DataSettings, algorithm: str, linkage: str) -> Curves:
    """The within-cluster sum of squares, silhouette and ARI for k = 2..10 (one clustering per k, each
    cached on its own, so moving k afterwards fits nothing). The charts hold their marks at every k
    (k_frames) and the clusters found at every k, and show those of the k slider's position: moving k
    never changes their specs or data."""
    SWEEP_COUNT["n"] += 1
    prep = prepare(data)
    distances = pairwise_distances(prep.X)
    rows, found = [], {}
    for k in K_RANGE:
        c = clustering(cluster_settings(data, algorithm, k, EPS_DEFAULT, MIN_SAMPLES_DEFAULT, linkage),
                       _distances=distances)
        rows.append({"k": k, "wcss": c.wcss, "silhouette": c.silhouette, "ARI": c.ari})
        found[k] = c.found
    table = pd.DataFrame(rows)
    marks = {k: k_frames(table, k) for k in K_RANGE}
    at = marks[K_DEFAULT]
    n_true = len(prep.class_names)
    stacked = charts.slices(marks)
    elbow = _at_every_k(_named_spec(_elbow_chart(table, algorithm), {n: at[n] for n in ("at", "wcss_at")}), stacked)
    scores = _at_every_k(_named_spec(_scores_chart(_scores_long(table), n_true),
                                     {n: at[n] for n in ("at", "scores_at")}), stacked)
    return Curves(table, elbow, scores, marks, choosing_k_sentence(table, n_true, algorithm),
                  _found_at_every_k_spec(prep.view_titles, found))


def _at_every_k(spec: dict, stacked: dict[str, pd.DataFrame]) -> dict:
    """A chart whose k marks (stacked: every k's rows, charts.slices) follow the k slider in the browser."""
    return charts.scrubbable(spec, K_KEY, stacked, K_MIN, K_MAX, 1)


FOUND_COLUMNS = ("cluster", "kind")  # what moves in the found-clusters chart from one k to the next


def found_column(column: str, k: int) -> str:
    """found_at_every_k's column of ``column`` (cluster or kind) at k."""
    return f"{column} at k={k}"


def found_at_every_k(found: dict[int, pd.DataFrame]) -> pd.DataFrame:
    """The found-clusters chart's rows at every k (k -> the "found" dataset at k, Clustering.found): the
    points, their hidden labels, and each k's cluster and kind in its own column (found_column). Only
    those move, so the points come once (with the rows stacked once per k, 1.4 MB at 2,000 points; here
    under 0.1 MB), the names as categories."""
    first = next(iter(found.values()))
    categories = {"cluster": CLUSTER_DOMAIN, "kind": [IN_A_CLUSTER, NOISE]}
    moving = {found_column(column, k): pd.Categorical(frame[column], categories=categories[column])
              for k, frame in found.items() for column in FOUND_COLUMNS}
    return pd.concat([first[["x", "y", "label"]], pd.DataFrame(moving, index=first.index)], axis=1)


def _found_at_every_k_spec(titles: tuple[str, str], found: dict[int, pd.DataFrame]) -> dict:
    """The found-clusters chart holding the clusters found at every k, showing those at the k slider's
    position: each point's cluster and kind are read from that k's columns (found_at_every_k)."""
    k = charts.scrub_param(K_KEY)
    spec = charts.scrubbable(_named_spec(_found_chart(titles), {"found": found_at_every_k(found)}), K_KEY, {},
                             K_MIN, K_MAX, 1)
    pick = [{"calculate": f"datum['{found_column(column, '')}' + {k}]", "as": column} for column in FOUND_COLUMNS]
    return spec | {"transform": pick + list(spec.get("transform", []))}


SILHOUETTE_LABEL, ARI_LABEL = "silhouette (no labels)", "ARI (hidden labels)"


def _scores_long(table: pd.DataFrame) -> pd.DataFrame:
    return pd.concat([pd.DataFrame({"k": table["k"], "score": SILHOUETTE_LABEL, "value": table["silhouette"]}),
                      pd.DataFrame({"k": table["k"], "score": ARI_LABEL, "value": table["ARI"]})],
                     ignore_index=True)


def k_frames(table: pd.DataFrame, k: int) -> dict[str, list[dict]]:
    """What moving k moves in the curves' charts, as small records: the rule and the marked points at k."""
    row = table.loc[table["k"] == k].iloc[0]
    return {"at": [{"k": int(k)}],
            "wcss_at": [{"k": int(k), "wcss": float(row["wcss"])}],
            "scores_at": [{"k": int(k), "score": SILHOUETTE_LABEL, "value": _finite(row["silhouette"])},
                          {"k": int(k), "score": ARI_LABEL, "value": float(row["ARI"])}]}


def scaling_frames(table: pd.DataFrame, k: int) -> dict[str, list[dict]]:
    """What moving k moves in the scaling chart: the rule and the two ARIs at k."""
    return {"at": [{"k": int(k)}],
            "scaling_at": [{"k": int(k), "scaling": r["scaling"], "ARI": float(r["ARI"])}
                           for _, r in table.loc[table["k"] == k].iterrows()]}


def _finite(value: float) -> float | None:
    return None if value != value else float(value)


# --- Scaling: the same algorithm with and without standardising -------------------------------------
SCALED, RAW = "standardised", "raw units"


@dataclass(frozen=True)
class ScalingComparison:
    table: pd.DataFrame  # k, scaling, ARI
    wide: pd.DataFrame  # the same, one row per k, one column per scaling
    spec: dict
    marks: dict[int, dict[str, list[dict]]]  # k -> the chart's moving datasets at k (scaling_frames), held at every k


@memo.cached(shared=True, max_entries=32, progress="Clustering again without (or with) scaling…")
def scaling_comparison(data: DataSettings, algorithm: str, linkage: str) -> ScalingComparison:
    """ARI vs k with and without standardising (the other sweep is cached like the first). Call it with
    data.scale=True whatever the toggle says (both_ways), so the toggle does not rebuild it."""
    parts = []
    for scale, name in ((True, SCALED), (False, RAW)):
        t = curves(replace(data, scale=scale), algorithm, linkage).table
        parts.append(pd.DataFrame({"k": t["k"], "scaling": name, "ARI": t["ARI"]}))
    table = pd.concat(parts, ignore_index=True)
    marks = {k: scaling_frames(table, k) for k in K_RANGE}
    wide = table.pivot(index="k", columns="scaling", values="ARI")[[SCALED, RAW]].rename_axis(columns=None)
    return ScalingComparison(table, wide, _at_every_k(_named_spec(_scaling_chart(table), marks[K_DEFAULT]),
                                                      charts.slices(marks)), marks)


def both_ways(data: DataSettings) -> DataSettings:
    """The comparison's cache key: the same for either position of the scaling toggle."""
    return replace(data, scale=True)


def dbscan_scaling(s: ClusterSettings) -> pd.DataFrame:
    """DBSCAN at the current eps and min_samples, with and without standardising (each cached)."""
    rows = []
    for scale, name in ((True, SCALED), (False, RAW)):
        c = clustering(replace(s, data=replace(s.data, scale=scale)))
        rows.append({"scaling": name, "ARI": c.ari, "clusters found": c.n_clusters, "noise points": c.n_noise})
    return pd.DataFrame(rows)


# --- DBSCAN: the k-distance curve ------------------------------------------------------------------
@dataclass(frozen=True)
class KDistance:
    distances: np.ndarray  # each point's distance to its min_samples-th nearest point (itself included), sorted
    spec: dict  # eps is the "eps" dataset (moving)


@memo.cached(shared=True, max_entries=32, progress="Measuring neighbour distances…")
def k_distances(data: DataSettings, min_samples: int) -> KDistance:
    """The usual way to read eps off the data: a point is a DBSCAN core point exactly when its
    min_samples-th nearest point, counting itself as scikit-learn does, lies within eps."""
    X = prepare(data).X
    d = NearestNeighbors(n_neighbors=min_samples).fit(X).kneighbors(X)[0][:, -1]
    d = np.sort(d)
    frame = pd.DataFrame({"rank": np.arange(1, len(d) + 1), "distance": d})
    return KDistance(d, _named_spec(_k_distance_chart(frame, min_samples), {"eps": [{"eps": EPS_DEFAULT}]}))


def core_share(distances: np.ndarray, eps: float) -> float:
    return float(np.mean(np.asarray(distances) <= eps))


# --- Where k-means fails ----------------------------------------------------------------------------
MOONS, CIRCLES, UNEQUAL = "moons", "circles", "unequal variances"
FAILURE_SETS = (MOONS, CIRCLES, UNEQUAL)
UNEQUAL_CENTERS = ((-5.0, 0.0), (1.0, 0.0), (5.0, 0.0))
UNEQUAL_STDS = (1.0, 2.5, 0.5)
FAILURE_EPS, FAILURE_MIN_SAMPLES = 0.3, 5
SINGLE = "agglomerative (single)"
FAILURE_ALGORITHMS = (KMEANS, MIXTURE, DBSCAN_NAME, SINGLE)


def failure_set(name: str, n_samples: int, noise: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """One of the three shapes, standardised. The noise applies to the moons and circles; the third set
    has three round blobs with standard deviations 1, 2.5 and 0.5 at fixed centres."""
    if name in (MOONS, CIRCLES):
        ds = datasets.load(name, n_samples=n_samples, noise=noise, seed=seed)
        X, y = ds.X.to_numpy(dtype=float), ds.y.to_numpy().astype(int)
    elif name == UNEQUAL:
        X, y = skd.make_blobs(n_samples=n_samples, centers=np.array(UNEQUAL_CENTERS), cluster_std=list(UNEQUAL_STDS),
                              random_state=seed)
    else:
        raise KeyError(name)
    return StandardScaler().fit_transform(X), y


def failure_labels(X: np.ndarray, algorithm: str, k: int, seed: int) -> np.ndarray:
    FIT_COUNT["n"] += 1
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        if algorithm == KMEANS:
            return KMeans(n_clusters=k, n_init=KMEANS_N_INIT, random_state=seed).fit(X).labels_
        if algorithm == MIXTURE:
            return GaussianMixture(n_components=k, random_state=seed).fit(X).predict(X)
        if algorithm == DBSCAN_NAME:
            return DBSCAN(eps=FAILURE_EPS, min_samples=FAILURE_MIN_SAMPLES).fit(X).labels_
        if algorithm == SINGLE:
            return AgglomerativeClustering(n_clusters=k, linkage="single").fit(X).labels_
    raise KeyError(algorithm)


def other_class_shares(labels: np.ndarray, y: np.ndarray) -> list[float]:
    """For each cluster found (noise left out), the share of its points that are not of its most common
    hidden class: 0 for a pure cluster, about one half for a cluster that straddles two classes equally."""
    out = []
    for c in np.unique(labels[labels >= 0]):
        members = y[labels == c]
        out.append(1.0 - np.bincount(members).max() / len(members))
    return out


@dataclass(frozen=True)
class Failures:
    table: pd.DataFrame  # set, algorithm, ARI, clusters found, noise points, other-class shares
    wide: pd.DataFrame  # ARI, one row per set, one column per algorithm
    specs: tuple[dict, ...]  # one chart per set (its four algorithms in a 2 x 2 grid: it fits a phone)
    sentences: tuple[str, ...]  # failure_sentences of the table


@memo.cached(shared=True, max_entries=16, progress="Clustering three shapes with four algorithms…")
def failures(n_samples: int, noise: float, seed: int) -> Failures:
    rows, specs = [], []
    for name in FAILURE_SETS:
        X, y = failure_set(name, n_samples, noise, seed)
        k = len(np.unique(y))
        frames, panels = [], []
        for algorithm in FAILURE_ALGORITHMS:
            labels = by_size(failure_labels(X, algorithm, k, seed))
            ari = float(adjusted_rand_score(y, labels))
            kept = labels >= 0
            rows.append({"set": name, "algorithm": algorithm, "ARI": ari,
                         "clusters found": int(len(np.unique(labels[kept]))), "noise points": int((~kept).sum()),
                         "other-class shares": other_class_shares(labels, y)})
            panels.append(f"{algorithm} · ARI {two(ari)}")
            frames.append(pd.DataFrame({"x": X[:, 0], "y": X[:, 1], "cluster": cluster_names(labels),
                                        "kind": np.where(kept, IN_A_CLUSTER, NOISE), "panel": panels[-1]}))
        specs.append(charts.to_spec(_failures_chart(pd.concat(frames, ignore_index=True), panels, name)))
    table = pd.DataFrame(rows)
    wide = table.pivot(index="set", columns="algorithm", values="ARI").loc[list(FAILURE_SETS), list(FAILURE_ALGORITHMS)]
    return Failures(table, wide.rename_axis(index=None, columns=None), tuple(specs),
                    tuple(failure_sentences(table)))


# --- Autoencoder against PCA -------------------------------------------------------------------------
# The lighter training (the default, about a second) uses 800 of the 1,347 training digits for 120 passes;
# the fuller one all of them for 500 passes (several seconds). tests/test_unsupervised.py checks where the
# two rank the autoencoder and PCA alike (widths 2 to 16) and where they do not (32).
TRAINING_BUDGET = {LIGHTER: (800, 120), FULLER: (None, 500)}  # (training digits, None: all; epochs)
AE_TRAIN_ROWS, AE_EPOCHS = TRAINING_BUDGET[LIGHTER]
AE_HIDDEN = 64  # encoder 64 -> 64 -> width, decoder width -> 64 -> 64
AE_LEARNING_RATE, AE_BATCH = 0.005, 50
AE_TEST_SHARE = 0.25
PCA_MAX_WIDTH = 32


def digits_split(seed: int, train_rows: int | None = AE_TRAIN_ROWS) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Digits scaled to [0, 1]; (training rows, held-out rows, held-out labels). The split is shuffled,
    so its first train_rows rows are a random subsample (None: all 1,347)."""
    X, y = skd.load_digits(return_X_y=True)
    X_train, X_test, _, y_test = train_test_split(X / 16.0, y, test_size=AE_TEST_SHARE, random_state=seed)
    return X_train[:train_rows], X_test, y_test


def make_autoencoder(width: int, activation: str, seed: int, epochs: int = AE_EPOCHS) -> MLPRegressor:
    """An MLP regressor whose target is its input, through a bottleneck of ``width`` units. tol=0 and
    n_iter_no_change=epochs: it trains exactly ``epochs`` passes."""
    return MLPRegressor(hidden_layer_sizes=(AE_HIDDEN, width, AE_HIDDEN), activation=_SKLEARN_ACTIVATION[activation],
                        solver="adam", learning_rate_init=AE_LEARNING_RATE, batch_size=AE_BATCH, max_iter=epochs,
                        tol=0.0, n_iter_no_change=epochs, random_state=seed)


def train_autoencoder(width: int, activation: str, seed: int, train_rows: int | None = AE_TRAIN_ROWS,
                      epochs: int = AE_EPOCHS) -> tuple[MLPRegressor, PCA, np.ndarray, np.ndarray, np.ndarray]:
    """The autoencoder and a PCA of the same width, both fitted on the same training digits."""
    X_train, X_test, y_test = digits_split(seed, train_rows)
    ae = make_autoencoder(width, activation, seed, epochs)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # it stops at max_iter by design
        ae.fit(X_train, X_train)
    pca = PCA(n_components=width, svd_solver="full").fit(X_train)
    return ae, pca, X_train, X_test, y_test


def mse(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.mean((np.asarray(a) - np.asarray(b)) ** 2))


@dataclass(frozen=True)
class AutoencoderResult:
    width: int
    activation: str
    training: str
    ae_mse: float  # held-out digits
    pca_mse: float
    ae_train_mse: float  # the training digits
    pca_train_mse: float
    images_spec: dict
    curve_spec: dict
    pca_curve: pd.DataFrame  # width, PCA MSE on the held-out digits, for widths 1..32


@memo.cached(shared=True, max_entries=8, progress="PCA at every width…")
def pca_curve(seed: int, train_rows: int | None) -> pd.DataFrame:
    """PCA's held-out reconstruction error for widths 1..32 from one fit (its components are nested)."""
    X_train, X_test, _ = digits_split(seed, train_rows)
    pca = PCA(n_components=PCA_MAX_WIDTH, svd_solver="full").fit(X_train)
    centred = X_test - pca.mean_
    rows = []
    for w in range(1, PCA_MAX_WIDTH + 1):
        V = pca.components_[:w]
        rows.append({"width": w, "PCA MSE": mse(centred @ V.T @ V, centred)})
    return pd.DataFrame(rows)


@memo.cached(shared=True, max_entries=16, progress="Training the autoencoder (lighter: about a second; fuller: several)…")
def autoencoder(width: int, activation: str, training: str, seed: int) -> AutoencoderResult:
    """The autoencoder and PCA at one width, fitted on the same digits; the reconstructions of ten held-out
    digits and PCA's error at every width. One entry: two small charts and a 32-row table."""
    rows, epochs = TRAINING_BUDGET[training]
    ae, pca, X_train, X_test, y_test = train_autoencoder(width, activation, seed, rows, epochs)
    ae_test, pca_test = ae.predict(X_test), pca.inverse_transform(pca.transform(X_test))
    shown = [int(np.flatnonzero(y_test == d)[0]) for d in range(10)]  # the first held-out image of each digit
    images = []
    for kind, source in (("original", X_test), ("autoencoder", ae_test), ("PCA", pca_test)):
        for d, i in enumerate(shown):
            ink = np.clip(source[i], 0.0, 1.0).reshape(8, 8)  # reconstructions can overshoot [0, 1] a little
            r, c = np.indices((8, 8))
            images.append(pd.DataFrame({"kind": kind, "digit": str(d), "row": r.ravel(), "col": c.ravel(),
                                        "ink": ink.ravel()}))
    curve = pca_curve(seed, rows)
    result_mse = mse(ae_test, X_test)
    return AutoencoderResult(
        width, activation, training, result_mse, mse(pca_test, X_test), mse(ae.predict(X_train), X_train),
        mse(pca.inverse_transform(pca.transform(X_train)), X_train),
        charts.to_spec(_images_chart(pd.concat(images, ignore_index=True))),
        charts.to_spec(_ae_curve_chart(curve, pd.DataFrame({"width": [width], "autoencoder MSE": [result_mse],
                                                            "autoencoder": [activation]}))),
        curve)


# --- Sentences (each from the numbers on screen) -------------------------------------------------------
def two(x: float) -> str:
    """A score to two decimals, as the sentences and panel titles print it ("0.00", never "-0.00")."""
    text = f"{x:.2f}"
    return "0.00" if text == "-0.00" else text


ALGORITHM_PHRASES = {KMEANS: "k-means", MIXTURE: "Gaussian mixture", AGGLOMERATIVE: "agglomerative clustering"}


def clusters_sentence(algorithm: str, k: int, n_clusters: int, n_noise: int, n: int, ari: float, n_true: int,
                      min_samples: int = MIN_SAMPLES_DEFAULT) -> str:
    """What the clustering found, against the number of hidden classes, and its ARI."""
    classes = f"the hidden labels have {n_true} classes"
    if algorithm == DBSCAN_NAME:
        if n_clusters == 0:
            return (f"DBSCAN found no cluster: all {n} points are noise, because none has {min_samples} points "
                    f"(itself included) within eps. Raise eps or lower min_samples; {classes}.")
        noise = f"left {n_noise} of {n} points ({n_noise / n:.0%}) as noise" if n_noise else "left no point as noise"
        found = "one cluster" if n_clusters == 1 else f"{n_clusters} clusters"
        head = f"DBSCAN found {found} and {noise}; {classes}."
    else:
        head = f"Asked for k = {k} clusters ({ALGORITHM_PHRASES[algorithm]}); {classes}."
    return (f"{head} Against those labels, which it never saw, the adjusted Rand index is {two(ari)} "
            "(1: the same grouping, whatever the cluster numbers; about 0: no more agreement than chance).")


def choosing_k_sentence(table: pd.DataFrame, n_true: int, algorithm: str) -> str:
    """Which k the silhouette prefers, which k the hidden labels prefer (ARI), and how the within-cluster
    sum of squares falls."""
    sil = table.dropna(subset=["silhouette"])
    best_sil = int(sil.loc[sil["silhouette"].idxmax(), "k"]) if len(sil) else None
    best_ari = int(table.loc[table["ARI"].idxmax(), "k"])
    wcss = table["wcss"].to_numpy()
    falls = bool(np.all(np.diff(wcss) < 0))
    name = "inertia" if algorithm == KMEANS else "within-cluster sum of squares"
    parts = [f"The {name} falls " + ("at every step" if falls else "overall, though not at every step")
             + f", from {wcss[0]:,.1f} at k = 2 to {wcss[-1]:,.1f} at k = 10. It tends to fall with every cluster "
             "added, real or not, so where the curve bends (the elbow) is a judgement."]
    if best_sil is not None:
        s = float(sil.loc[sil["k"] == best_sil, "silhouette"].iloc[0])
        parts.append(f"The silhouette, which needs no labels, is highest at k = {best_sil} ({two(s)}).")
    a = float(table.loc[table["k"] == best_ari, "ARI"].iloc[0])
    parts.append(f"The hidden labels have {n_true} classes, and the ARI, which needs them, is highest at "
                 f"k = {best_ari} ({two(a)}).")
    if best_sil is not None:
        parts.append("Here the label-free choice agrees with the labels' best k." if best_sil == best_ari else
                     "Here the label-free choice and the labels' best k differ: a cluster structure that fits "
                     "the data well need not be the one the labels describe.")
    return " ".join(parts)


def dbscan_sentence(distances: np.ndarray, eps: float, min_samples: int) -> str:
    share = core_share(distances, eps)
    return (f"{share:.0%} of the points have their {min_samples}th nearest point (counting themselves) within "
            f"eps = {eps:g}: those are core points, and clusters grow from them. The median such distance is "
            f"{float(np.median(distances)):.3g}. The usual heuristic puts eps near where the sorted curve turns sharply up: "
            "the dense regions are kept and the sparse points become noise.")


def scaling_sentence(spread: pd.DataFrame, ari_scaled: float, ari_raw: float, where: str) -> str:
    """How unequal the raw feature spreads are, and the ARI with and without standardising."""
    top, bottom = spread.iloc[0], spread.iloc[-1]
    small = float(bottom["std (raw units)"])
    if small > 0:
        ratio = f"{float(top['std (raw units)']) / small:,.0f} times"
        spreads = (f"The raw features' standard deviations range from {small:.3g} ({bottom['feature']}) to "
                   f"{float(top['std (raw units)']):.3g} ({top['feature']}), {ratio} apart")
    else:
        spreads = (f"The raw features' standard deviations reach {float(top['std (raw units)']):.3g} "
                   f"({top['feature']}), and some features never vary")
    diff = ari_scaled - ari_raw
    verdict = ("standardising helps here" if diff >= SAME else "standardising hurts here" if diff <= -SAME
               else f"standardising hardly matters here (the ARIs differ by less than {SAME})")
    return (f"{spreads}: without scaling, distances are dominated by the widest features. {where}, the ARI is "
            f"{two(ari_scaled)} standardised and {two(ari_raw)} in raw units: {verdict}.")


def _names(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def failure_sentences(table: pd.DataFrame) -> list[str]:
    """One sentence per shape: k-means' ARI (and, when each of its clusters mixes classes, the shares),
    and which algorithms recover the shape (ARI >= RECOVERS) or, if none does, the best."""
    out = []
    for name in FAILURE_SETS:
        rows = table[table["set"] == name].set_index("algorithm")
        km = rows.loc[KMEANS]
        shares = km["other-class shares"]
        mix = ""
        if len(shares) and min(shares) >= MIXED:
            mix = (" and every cluster it found mixes hidden groups (other groups make up "
                   + _names([f"{s:.0%}" for s in shares]) + " of them)")
        recover = [a for a in FAILURE_ALGORITHMS if rows.loc[a, "ARI"] >= RECOVERS]
        best = max(FAILURE_ALGORITHMS, key=lambda a: rows.loc[a, "ARI"])
        if recover:
            tail = f"{_names(recover)} recover{'s' if len(recover) == 1 else ''} it (ARI ≥ {RECOVERS})."
        else:
            tail = (f"None of the four recovers it (ARI ≥ {RECOVERS}); the best is {best} "
                    f"({two(rows.loc[best, 'ARI'])}).")
        out.append(f"**{name}**: k-means scores an ARI of {two(km['ARI'])}{mix}. {tail}")
    return out


def autoencoder_sentence(width: int, activation: str, training: str, ae_mse: float, pca_mse: float,
                         ae_train_mse: float, pca_train_mse: float) -> str:
    """Which reconstructs the held-out digits better at this width, by how much; for the linear network, what
    theory allows; for the lighter training, that the fuller one may rank them otherwise."""
    lower = "the autoencoder" if ae_mse < pca_mse else "PCA"
    gap = abs(ae_mse - pca_mse) / max(ae_mse, pca_mse)
    head = (f"With {width} numbers per image, the held-out reconstruction error (MSE) is {ae_mse:.4f} for the "
            f"autoencoder and {pca_mse:.4f} for PCA: {lower} is lower by {gap:.0%}.")
    if activation == TANH and training == LIGHTER and ae_mse >= pca_mse:
        head += (" This is the lighter training: a network that is still learning can trail PCA where a longer "
                 "training on more digits overtakes it; try the fuller training.")
    if activation == LINEAR:
        must = ", as it must be" if ae_train_mse >= pca_train_mse else ""
        return (f"{head} A linear autoencoder can at best match PCA: its bottleneck can only learn a "
                f"{width}-dimensional linear subspace, and the best one is PCA's. On the training digits its "
                f"error is {ae_train_mse:.4f} against PCA's {pca_train_mse:.4f}{must}.")
    return head


# --- Charts (specific to this lab) ---------------------------------------------------------------------
def _named_spec(chart: alt.TopLevelMixin, frames: dict[str, pd.DataFrame | list[dict]]) -> dict:
    """A chart's spec (charts.to_spec) with the named datasets it reads (alt.NamedData) filled in; a
    page swaps them per move with show.chart(moving=...)."""
    spec = charts.to_spec(chart)
    spec = {**spec, "datasets": {**spec.get("datasets", {}), **{name: [] for name in frames}}}
    return charts.with_datasets(spec, frames)


def _xy(titles: tuple[str, str]) -> dict:
    return dict(x=alt.X("x:Q", title=titles[0], scale=alt.Scale(zero=False)),
                y=alt.Y("y:Q", title=titles[1], scale=alt.Scale(zero=False)))


def _truth_chart(frame: pd.DataFrame, names: list[str], titles: tuple[str, str]) -> alt.Chart:
    return alt.Chart(frame).mark_point(filled=True, size=30, opacity=0.8).encode(
        **_xy(titles),
        color=alt.Color("label:N", title="hidden label", sort=names,
                        scale=alt.Scale(domain=names, range=CLUSTER_COLOURS[:len(names)])),
        tooltip=[alt.Tooltip("label:N", title="hidden label")],
    ).properties(title="Colour = the hidden label (never shown to the algorithm)", height=320, width="container")


def _found_chart(titles: tuple[str, str]) -> alt.Chart:
    return alt.Chart(alt.NamedData(name="found")).mark_point(filled=True, size=30, opacity=0.8).encode(
        **_xy(titles),
        color=alt.Color("cluster:N", legend=None, scale=alt.Scale(domain=CLUSTER_DOMAIN, range=CLUSTER_RANGE)),
        shape=alt.Shape("kind:N", legend=None, scale=alt.Scale(domain=[IN_A_CLUSTER, NOISE], range=["circle", "cross"])),
        tooltip=[alt.Tooltip("cluster:N", title="cluster found"), alt.Tooltip("label:N", title="hidden label")],
    ).properties(title="Colour = the cluster found", height=320, width="container")


def _k_axis() -> alt.X:
    return alt.X("k:Q", title="k (clusters asked for)", scale=alt.Scale(domain=[K_MIN, K_MAX]),
                 axis=alt.Axis(values=list(K_RANGE), format="d"))


def _rule_at_k() -> alt.Chart:
    return alt.Chart(alt.NamedData(name="at")).mark_rule(color=charts.BLACK, strokeDash=[4, 3]).encode(
        x=alt.X("k:Q"), tooltip=[alt.Tooltip("k:Q", title="current k")])


def _elbow_chart(table: pd.DataFrame, algorithm: str) -> alt.LayerChart:
    # short axis titles: a rotated title longer than the plot squeezes the plot (Vega fits the whole chart,
    # titles included, into its height)
    name = "inertia" if algorithm == KMEANS else "within-cluster SS"
    line = alt.Chart(table).mark_line(point=True, color=charts.BLUE).encode(
        x=_k_axis(), y=alt.Y("wcss:Q", title=name, scale=alt.Scale(zero=False)),
        tooltip=[alt.Tooltip("k:Q"), alt.Tooltip("wcss:Q", title=name, format=",.1f")])
    point = alt.Chart(alt.NamedData(name="wcss_at")).mark_point(
        size=160, filled=True, color=charts.VERMILION, stroke=charts.BLACK, opacity=1).encode(
        x=alt.X("k:Q"), y=alt.Y("wcss:Q"))
    title = "The elbow: inertia (within-cluster sum of squares) against k"
    return alt.layer(line, _rule_at_k(), point).properties(
        title=title if algorithm == KMEANS else title.replace("inertia (within-cluster sum of squares)",
                                                              "within-cluster sum of squares"),
        height=300, width="container")


def _scores_chart(long: pd.DataFrame, n_true: int) -> alt.LayerChart:
    colour = alt.Color("score:N", title=None, sort=[SILHOUETTE_LABEL, ARI_LABEL],
                       scale=alt.Scale(domain=[SILHOUETTE_LABEL, ARI_LABEL], range=[charts.BLUE, charts.ORANGE]),
                       legend=alt.Legend(orient="bottom", labelLimit=260))
    lines = alt.Chart(long).mark_line(point=True).encode(
        x=_k_axis(), y=alt.Y("value:Q", title="score"), color=colour,
        strokeDash=alt.StrokeDash("score:N", sort=[SILHOUETTE_LABEL, ARI_LABEL], legend=None),
        tooltip=[alt.Tooltip("score:N"), alt.Tooltip("k:Q"), alt.Tooltip("value:Q", format=".3f")])
    truth = alt.Chart(pd.DataFrame({"k": [n_true], "what": [f"{n_true} hidden classes"]})).mark_rule(
        color="#999999", strokeDash=[1, 3], strokeWidth=2).encode(x=alt.X("k:Q"), tooltip=[alt.Tooltip("what:N", title="")])
    points = alt.Chart(alt.NamedData(name="scores_at")).mark_point(
        size=160, filled=True, stroke=charts.BLACK, opacity=1).encode(x=alt.X("k:Q"), y=alt.Y("value:Q"), color=colour)
    return alt.layer(lines, truth, _rule_at_k(), points).properties(
        title="Silhouette (needs no labels) and ARI (needs them) against k", height=300, width="container")


def _scaling_chart(table: pd.DataFrame) -> alt.LayerChart:
    colour = alt.Color("scaling:N", title=None, sort=[SCALED, RAW],
                       scale=alt.Scale(domain=[SCALED, RAW], range=[charts.GREEN, charts.VERMILION]),
                       legend=alt.Legend(orient="bottom"))
    lines = alt.Chart(table).mark_line(point=True).encode(
        x=_k_axis(), y=alt.Y("ARI:Q", title="ARI"), color=colour,
        tooltip=[alt.Tooltip("scaling:N"), alt.Tooltip("k:Q"), alt.Tooltip("ARI:Q", format=".3f")])
    points = alt.Chart(alt.NamedData(name="scaling_at")).mark_point(
        size=160, filled=True, stroke=charts.BLACK, opacity=1).encode(x=alt.X("k:Q"), y=alt.Y("ARI:Q"), color=colour)
    return alt.layer(lines, _rule_at_k(), points).properties(
        title="ARI against the hidden labels: standardised or raw features", height=300, width="container")


def _k_distance_chart(frame: pd.DataFrame, min_samples: int) -> alt.LayerChart:
    line = alt.Chart(frame).mark_line(color=charts.BLUE).encode(
        x=alt.X("rank:Q", title="points, sorted by that distance"),
        y=alt.Y("distance:Q", title="distance"),
        tooltip=[alt.Tooltip("rank:Q"), alt.Tooltip("distance:Q", format=".3g")])
    rule = alt.Chart(alt.NamedData(name="eps")).mark_rule(color=charts.VERMILION, strokeWidth=2).encode(
        y=alt.Y("eps:Q"), tooltip=[alt.Tooltip("eps:Q")])
    return alt.layer(line, rule).properties(
        title=f"Each point's distance to its {min_samples}th nearest point (itself included), sorted; red: eps",
        height=300, width="container")


def _failures_chart(frame: pd.DataFrame, order: list[str], title: str) -> alt.FacetChart:
    """One set's four algorithms in a 2 x 2 grid of 125 px panels: 270 px wide, so it fits a phone's
    width; three of them side by side on a wide screen (one per row in presenter mode)."""
    return alt.Chart(frame).mark_point(filled=True, size=12, opacity=0.8).encode(
        x=alt.X("x:Q", title=None, axis=alt.Axis(labels=False, ticks=False)),
        y=alt.Y("y:Q", title=None, axis=alt.Axis(labels=False, ticks=False)),
        color=alt.Color("cluster:N", legend=None, scale=alt.Scale(domain=CLUSTER_DOMAIN, range=CLUSTER_RANGE)),
        shape=alt.Shape("kind:N", legend=None, scale=alt.Scale(domain=[IN_A_CLUSTER, NOISE], range=["circle", "cross"])),
        tooltip=[alt.Tooltip("cluster:N", title="cluster found")],
    ).properties(width=125, height=125).facet(
        facet=alt.Facet("panel:N", title=None, sort=order), columns=2,
    ).properties(title=title).configure_header(labelFontSize=11)


def _images_chart(frame: pd.DataFrame) -> alt.FacetChart:
    return alt.Chart(frame).mark_rect().encode(
        x=alt.X("col:O", axis=None), y=alt.Y("row:O", axis=None),
        color=alt.Color("ink:Q", legend=None, scale=alt.Scale(scheme="greys", domain=[0, 1])),
        tooltip=[alt.Tooltip("kind:N"), alt.Tooltip("digit:N"), alt.Tooltip("ink:Q", format=".2f")],
    ).properties(width=44, height=44).facet(
        # a digit per row, original | autoencoder | PCA across: about 200 px wide, so it fits a phone
        row=alt.Row("digit:N", title=None, sort=[str(d) for d in range(10)], header=alt.Header(labelAngle=0)),
        column=alt.Column("kind:N", title=None, sort=["original", "autoencoder", "PCA"]))


def _ae_curve_chart(curve: pd.DataFrame, point: pd.DataFrame) -> alt.LayerChart:
    line = alt.Chart(curve).mark_line(point=True, color=charts.BLUE).encode(
        x=alt.X("width:Q", title="numbers kept per image (bottleneck width, components)"),
        y=alt.Y("PCA MSE:Q", title="held-out MSE", scale=alt.Scale(type="log")),
        tooltip=[alt.Tooltip("width:Q"), alt.Tooltip("PCA MSE:Q", format=".4f")])
    dot = alt.Chart(point).mark_point(size=180, filled=True, color=charts.VERMILION, stroke=charts.BLACK, opacity=1).encode(
        x=alt.X("width:Q"), y=alt.Y("autoencoder MSE:Q"),
        tooltip=[alt.Tooltip("autoencoder:N"), alt.Tooltip("width:Q"), alt.Tooltip("autoencoder MSE:Q", format=".4f")])
    return alt.layer(line, dot).properties(title="PCA at every width (blue) and the autoencoder at this one (red)",
                                           height=300, width="container")


# --- "Show the code" -------------------------------------------------------------------------------------
_MODEL_CODE = {
    KMEANS: ("from sklearn.cluster import KMeans",
             "KMeans(n_clusters={k}, n_init=" + str(KMEANS_N_INIT) + ", random_state={seed})"),
    MIXTURE: ("from sklearn.mixture import GaussianMixture", "GaussianMixture(n_components={k}, random_state={seed})"),
    DBSCAN_NAME: ("from sklearn.cluster import DBSCAN", "DBSCAN(eps={eps!r}, min_samples={min_samples})"),
    AGGLOMERATIVE: ("from sklearn.cluster import AgglomerativeClustering",
                    "AgglomerativeClustering(n_clusters={k}, linkage={linkage!r})"),
}


def _data_code(d: DataSettings) -> str:
    code = code_export.dataset_code(d.dataset, d.n_samples or 300, d.noise, d.seed)
    code += "X, y = np.asarray(X, dtype=float), np.asarray(y)  # y: the hidden labels, never given to a model\n"
    if d.scale:
        code += "X = StandardScaler().fit_transform(X)\n"
    if d.dataset == "digits":
        code += (f"X = PCA(n_components={DIGITS_COMPONENTS}, svd_solver='full').fit_transform(X)"
                 "  # cluster the first 10 principal components\n")
    return code


def cluster_script(s: ClusterSettings) -> str:
    """A standalone script: the clustering at the current settings and, for algorithms with k, every k."""
    d = s.data
    imp, model = _MODEL_CODE[s.algorithm]
    fmt = dict(k="k", seed=d.seed, eps=s.eps, min_samples=s.min_samples, linkage=s.linkage)
    inertia = "model.inertia_" if s.algorithm == KMEANS else "within_cluster_ss(X, labels)"
    fit = ("model.fit(X).labels_" if s.algorithm != MIXTURE else "model.fit(X).predict(X)")
    sweep = "" if s.algorithm not in TAKES_K else f'''
# every k from {K_MIN} to {K_MAX}: the elbow, the silhouette and the ARI curves
every_k = {{str(k): scores(k) for k in range({K_MIN}, {K_MAX + 1})}}
for k, r in every_k.items():
    print(f"k = {{k:>2}}: within-cluster SS {{r['within-cluster SS']:12.3f}}  silhouette {{r['silhouette']}}  ARI {{r['ARI']:.4f}}")
results["every k"] = every_k
'''
    return f'''"""Unsupervised lab, reproduced: {s.algorithm} on {d.dataset} ({"standardised" if d.scale else "raw units"})."""
import json
import warnings

import numpy as np
{imp}
from sklearn.decomposition import PCA
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import adjusted_rand_score, silhouette_score
from sklearn.preprocessing import StandardScaler

warnings.simplefilter("ignore", ConvergenceWarning)
{_data_code(d)}

def within_cluster_ss(X, labels):
    """Squared distances from each clustered point to its cluster's mean, summed (noise, -1, left out)."""
    return float(sum(((X[labels == c] - X[labels == c].mean(axis=0)) ** 2).sum() for c in np.unique(labels[labels >= 0])))


def scores(k):
    model = {model.format(**fmt)}
    labels = {fit}
    clustered = labels >= 0  # DBSCAN marks noise with -1; the silhouette leaves it out
    found = np.unique(labels[clustered])
    defined = 2 <= len(found) <= clustered.sum() - 1
    return {{
        "clusters found": int(len(found)),
        "noise points": int((~clustered).sum()),
        "within-cluster SS": float({inertia}),
        "silhouette": float(silhouette_score(X[clustered], labels[clustered])) if defined else None,
        "ARI": float(adjusted_rand_score(y, labels)),  # the hidden labels, used only to score; noise = one more cluster
    }}


results = scores({s.k})
print("{s.algorithm} at the page's settings:", results)
{sweep}print(json.dumps(results))
'''


def failures_script(n_samples: int, noise: float, seed: int) -> str:
    return f'''"""Unsupervised lab, reproduced: where k-means fails ({n_samples} points per set, noise {noise!r}, seed {seed})."""
import json
import warnings

import numpy as np
from sklearn.cluster import DBSCAN, AgglomerativeClustering, KMeans
from sklearn.datasets import make_blobs, make_circles, make_moons
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import adjusted_rand_score
from sklearn.mixture import GaussianMixture
from sklearn.preprocessing import StandardScaler

warnings.simplefilter("ignore", ConvergenceWarning)
shapes = {{
    "{MOONS}": make_moons(n_samples={n_samples}, noise={noise!r}, random_state={seed}),
    "{CIRCLES}": make_circles(n_samples={n_samples}, noise={noise!r}, factor=0.5, random_state={seed}),
    "{UNEQUAL}": make_blobs(n_samples={n_samples}, centers=np.array({[list(c) for c in UNEQUAL_CENTERS]}),
                          cluster_std={list(UNEQUAL_STDS)}, random_state={seed}),
}}
results = {{}}
for name, (X, y) in shapes.items():
    X = StandardScaler().fit_transform(X)
    k = len(np.unique(y))
    models = {{
        "{KMEANS}": KMeans(n_clusters=k, n_init={KMEANS_N_INIT}, random_state={seed}),
        "{MIXTURE}": GaussianMixture(n_components=k, random_state={seed}),
        "{DBSCAN_NAME}": DBSCAN(eps={FAILURE_EPS}, min_samples={FAILURE_MIN_SAMPLES}),
        "{SINGLE}": AgglomerativeClustering(n_clusters=k, linkage="single"),
    }}
    for algorithm, model in models.items():
        labels = model.fit(X).predict(X) if algorithm == "{MIXTURE}" else model.fit(X).labels_
        results[f"{{name}} / {{algorithm}}"] = float(adjusted_rand_score(y, labels))
        print(f"{{name:>18}}  {{algorithm:<24}} ARI {{results[f'{{name}} / {{algorithm}}']:.3f}}")
print(json.dumps(results))
'''


def autoencoder_script(width: int, activation: str, training: str, seed: int) -> str:
    rows, epochs = TRAINING_BUDGET[training]
    subsample = ("" if rows is None else
                 f"X_train = X_train[:{rows}]  # the split is shuffled: a random subsample of the training digits\n")
    return f'''"""Unsupervised lab, reproduced: a {activation} autoencoder with a {width}-unit bottleneck against PCA
with {width} components, on digits (the {training} training)."""
import json
import warnings

import numpy as np
from sklearn.datasets import load_digits
from sklearn.decomposition import PCA
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPRegressor

X, y = load_digits(return_X_y=True)
X = X / 16.0  # pixels in [0, 1]
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size={AE_TEST_SHARE}, random_state={seed})
{subsample}
# the autoencoder: an MLP whose target is its own input, through a {width}-unit bottleneck
autoencoder = MLPRegressor(hidden_layer_sizes=({AE_HIDDEN}, {width}, {AE_HIDDEN}), activation="{_SKLEARN_ACTIVATION[activation]}",
                           solver="adam", learning_rate_init={AE_LEARNING_RATE}, batch_size={AE_BATCH},
                           max_iter={epochs}, tol=0.0, n_iter_no_change={epochs}, random_state={seed})
with warnings.catch_warnings():
    warnings.simplefilter("ignore", ConvergenceWarning)  # exactly {epochs} epochs, by design
    autoencoder.fit(X_train, X_train)
pca = PCA(n_components={width}, svd_solver="full").fit(X_train)  # the same training digits

def mse(a, b):
    return float(np.mean((a - b) ** 2))

results = {{
    "autoencoder MSE": mse(autoencoder.predict(X_test), X_test),
    "PCA MSE": mse(pca.inverse_transform(pca.transform(X_test)), X_test),
    "autoencoder training MSE": mse(autoencoder.predict(X_train), X_train),
    "PCA training MSE": mse(pca.inverse_transform(pca.transform(X_train)), X_train),
}}
for name, value in results.items():
    print(f"{{name:>26}}: {{value:.5f}}")
print(json.dumps(results))
'''
