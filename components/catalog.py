"""The catalogue of pages: one entry per page script, grouped by navigation section.

app.py builds the navigation from it, the Home page links from it, and the tests discover every
page from it. A page appears only once its entry is here (no "coming soon" placeholders).
Page scripts live in ``views/`` rather than ``pages/``: see the README ("Why views/").
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


# What a page takes from the sidebar's shared data controls (the seed and presenter mode serve every
# page). The sidebar greys out the ones a page never reads, so a learner does not move a slider that
# cannot change anything on screen.
SHARED_DATASET = "shared dataset"  # the sidebar's dataset (and, for a generated 2-D set, its samples and noise)
OWN_2D_SETS = "own 2-D sets"  # the page picks its 2-D set itself; the sidebar's samples and noise apply
OWN_DATA = "own data"  # the page's data is its own (digits, generated streams, a corpus): none apply


@dataclass(frozen=True)
class PageSpec:
    section: str
    title: str
    path: str  # relative to the project root
    url_path: str
    icon: str
    summary: str
    data: str = SHARED_DATASET
    # Controls the benchmark holds to their targets (README, "Measuring speed"): scrubbing controls move their
    # charts in the browser (<= 100 ms; each, a slider or a radio group, feeds a chart that follows it:
    # tests/test_page_contract.py), heavy ones feed a comparison panel drawn last (<= 2 s).
    scrub_keys: tuple[str, ...] = ()
    heavy_keys: tuple[str, ...] = ()


SECTIONS = ("Data", "Models", "Evaluation", "Pitfalls", "Beyond", "Interview", "Teach")

PAGES: tuple[PageSpec, ...] = (
    PageSpec("Data", "Missing-data lab", "views/data/missing_data.py", "missing-data", ":material/grid_off:",
             "Blank cells MCAR, MAR or MNAR, then drop, fill or impute (k-NN, iterative, multiple): error "
             "against the known truth, distorted distributions and correlations, downstream CV score.",
             scrub_keys=("missing.inspect",), heavy_keys=("missing.mechanism", "missing.pct", "missing.columns")),
    PageSpec("Data", "Scaling lab", "views/data/scaling.py", "scaling", ":material/straighten:",
             "None, min-max, standard, robust, max-abs and quantile scaling with injected outliers: "
             "distributions, the squashed bulk, k-NN/SVM/logistic vs a tree in CV and on a 2-D boundary.",
             heavy_keys=("scaling.n_outliers", "scaling.extreme")),
    PageSpec("Data", "Features lab", "views/data/features.py", "features", ":material/filter_alt:",
             "Filter, wrapper and embedded selection against added noise features (who keeps what, the CV score "
             "and the time); PCA, LDA and t-SNE projections.",
             scrub_keys=("features.n_components",),
             heavy_keys=("features.n_noise", "features.k", "features.tsne", "features.perplexity")),
    PageSpec("Models", "Model gallery", "views/models/gallery.py", "gallery", ":material/category:",
             "Linear and logistic regression, a decision tree, a random forest, an SVM and a neural network: "
             "their knobs, decision boundaries on 2-D sets, margins, support vectors, the tree, the loss curve.",
             OWN_2D_SETS),
    PageSpec("Models", "Ensembles lab", "views/models/ensembles.py", "ensembles", ":material/forest:",
             "Bagging's bootstrap trees and their vote, out-of-bag score and variance reduction; AdaBoost's sample "
             "weights round by round, staged train/test error, gradient boosting beside it.", OWN_2D_SETS,
             scrub_keys=("ensembles.bag_n", "ensembles.ada_n", "ensembles.round"),
             heavy_keys=("ensembles.dataset", "ensembles.max_samples", "ensembles.bootstrap", "ensembles.ada_lr",
                         "ensembles.base_depth")),
    PageSpec("Models", "Unsupervised lab", "views/models/unsupervised.py", "unsupervised", ":material/scatter_plot:",
             "k-means, a Gaussian mixture, DBSCAN and agglomerative clustering beside the hidden labels; elbow, "
             "silhouette and ARI against k; where k-means fails; an autoencoder against PCA on digits.",
             scrub_keys=("unsup.k",), heavy_keys=("unsup.algorithm", "unsup.scale", "unsup.linkage", "unsup.fail_noise",
                                                  "unsup.ae_width", "unsup.ae_activation", "unsup.ae_training")),
    PageSpec("Evaluation", "Evaluation cockpit", "views/evaluation/cockpit.py", "cockpit", ":material/speed:",
             "One threshold slider re-counts the confusion matrix and moves the ROC and PR operating "
             "points; train/test split and k-fold cross-validation drawn.", scrub_keys=("eval.threshold",)),
    PageSpec("Evaluation", "Overfitting lab", "views/evaluation/overfitting.py", "overfitting",
             ":material/ssid_chart:",
             "Polynomial degree, Ridge and Lasso, tree depth and pruning, early stopping: validation and learning "
             "curves, bias-variance decomposition, each setting labelled under-fit, good or over-fit.",
             scrub_keys=("overfit.degree", "overfit.alpha"), heavy_keys=("overfit.view",)),
    PageSpec("Evaluation", "Tuning", "views/evaluation/tuning.py", "tuning", ":material/tune:",
             "Grid vs random vs Bayesian search (optuna) with the same budget on one cross-validated C x gamma "
             "surface; best score so far against the number of trials.",
             scrub_keys=("tuning.step",), heavy_keys=("tuning.halving",)),
    PageSpec("Pitfalls", "Imbalanced data", "views/pitfalls/imbalanced.py", "imbalanced", ":material/balance:",
             "Shrink the minority class: the accuracy paradox, SMOTE's synthetic points, class weights, "
             "balanced ensembles, ROC vs precision-recall, threshold moving.", scrub_keys=("imbalance.threshold",),
             heavy_keys=("imbalance.data", "imbalance.compare")),
    PageSpec("Pitfalls", "Data leakage", "views/pitfalls/leakage.py", "leakage", ":material/water_drop:",
             "Feature selection, SMOTE or a target-derived column before the split, shuffled folds on a time "
             "series: the leaky estimate, the correct one and a truly held-out score side by side.",
             heavy_keys=("leakage.ts_repeat",)),
    PageSpec("Pitfalls", "Scalability", "views/pitfalls/scalability.py", "scalability", ":material/trending_up:",
             "Batch solver vs SGD vs out-of-core partial_fit as rows grow (time, score, growth exponent), PCA "
             "to shrink the width, what batch size changes, and when a distributed engine is worth it.", OWN_DATA,
             heavy_keys=("scalab.max_n", "scalab.width", "scalab.pca")),
    PageSpec("Pitfalls", "Fairness and ethics", "views/pitfalls/fairness.py", "fairness", ":material/diversity_3:",
             "Synthetic loans with a sensitive attribute, a proxy and biased labels: per-group rates live with the "
             "threshold, parity criteria and why they conflict, the accuracy-fairness frontier, fairlearn's "
             "mitigations; privacy and transparency.", OWN_DATA,
             scrub_keys=("fair.threshold", "fair.threshold_a", "fair.threshold_b"),
             heavy_keys=("fair.mitigation", "fair.constraint", "fair.compare")),
    PageSpec("Beyond", "Interpretability", "views/beyond/interpretability.py", "interpretability",
             ":material/lightbulb:",
             "Impurity vs permutation importance vs SHAP; one prediction's SHAP waterfall and a LIME-style "
             "surrogate; partial dependence and ICE.",
             scrub_keys=("interp.row",), heavy_keys=("interp.model", "interp.noise_feature")),
    PageSpec("Beyond", "Transfer learning", "views/beyond/transfer.py", "transfer", ":material/move_up:",
             "A network trained on digits 0–4 reused for 5–9: feature extraction vs fine-tuning vs from scratch "
             "as the number of labels grows.", OWN_DATA,
             heavy_keys=("transfer.direction", "transfer.hidden", "transfer.epochs")),
    PageSpec("Interview", "Question bank", "views/interview/question_bank.py", "question-bank",
             ":material/quiz:",
             "Every interview question with a model answer, common mistakes and follow-ups; technical answers open "
             "the page that shows them live. Search, filter, export as Markdown or flash cards.", OWN_DATA),
    PageSpec("Interview", "Quiz", "views/interview/quiz.py", "quiz", ":material/psychology:",
             "Flash cards and auto-graded items (a real model's confusion matrix, which metric, which question); "
             "weak topics come back more often; the seed in the link gives a class the same quiz.", OWN_DATA),
    PageSpec("Interview", "Mock interview", "views/interview/mock_interview.py", "mock-interview",
             ":material/timer:",
             "A timed run of technical and behavioural questions with a countdown and a notes box, then a "
             "summary with your self-ratings, the model answers and a Markdown transcript.", OWN_DATA),
    PageSpec("Interview", "Behavioural (STAR)", "views/interview/star.py", "star", ":material/star:",
             "Build STAR stories with checks you can act on, read worked examples of the classic stories, and "
             "tick off the preparation checklist; export your stories as Markdown.", OWN_DATA),
    PageSpec("Teach", "Lesson paths", "views/teach/lessons.py", "lessons", ":material/school:",
             "Guided sequences for a class: threshold and ROC, bias and variance, missing data, leakage, "
             "imbalanced classes, tuning. Each step a linked view with talking points and a question.", OWN_DATA),
    PageSpec("Beyond", "Applications", "views/beyond/applications.py", "applications", ":material/apps:",
             "NLP sentiment (bag of words, TF-IDF, n-grams), digits vision with its mistakes, time-series "
             "forecasts vs ARIMA with time-ordered CV, and a matrix-factorisation recommender.", OWN_DATA,
             heavy_keys=("apps.ts_arima",)),
)


def by_section() -> dict[str, list[PageSpec]]:
    out: dict[str, list[PageSpec]] = {}
    for section in SECTIONS:
        pages = [p for p in PAGES if p.section == section]
        if pages:
            out[section] = pages
    return out


def find(url_path: str) -> PageSpec:
    return next(p for p in PAGES if p.url_path == url_path)


def shared_data(url_path: str) -> str:
    """What the page at url_path takes from the sidebar's data controls (Home: the shared dataset,
    which it describes)."""
    return next((p.data for p in PAGES if p.url_path == url_path), SHARED_DATASET)
