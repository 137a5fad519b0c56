"""The one lesson each experiment page's default state must show, and the dataset it shows it on.

A page opens where its main effect is most visible (issue 17): the sidebar's dataset starts on
"each page's pick", which resolves to the dataset named here, so the cockpit opens on the churn
table (from threshold 0.2 to 0.8 recall falls from 0.91 to 0.14) and not on breast_cancer (AUC 0.998:
the threshold barely changes a number). Once a learner picks a dataset, every page uses that one.
tests/test_default_lessons.py opens each page in its default state and checks its sentence against
numbers computed independently.
"""
from __future__ import annotations

from dataclasses import dataclass

from components import datasets


@dataclass(frozen=True)
class PageLesson:
    sentence: str
    dataset: str = datasets.DEFAULT  # what "each page's pick" means on this page (shared-data pages)


LESSONS: dict[str, PageLesson] = {
    "missing-data": PageLesson(
        "Filling blanks with the column mean shrinks that column's spread, while a model-based imputer "
        "lands closer to the hidden true values than the mean does."),
    "scaling": PageLesson(
        "k-NN's cross-validated accuracy depends on the scaler, while a decision tree scores the same "
        "with every scaler."),
    "features": PageLesson(
        "The selectors keep far fewer of the added pure-noise features than of the real ones."),
    "gallery": PageLesson(
        "On the same points each model draws its own boundary: a straight line for the linear models, "
        "axis-parallel steps for a tree, curves for the SVM and the network."),
    "ensembles": PageLesson(
        "Averaging bagged trees makes the predictions vary less from one training set to the next than "
        "a single deep tree does."),
    "unsupervised": PageLesson(
        "k-means returns exactly k clusters whatever k is; the silhouette score is what tells a good k "
        "from a bad one."),
    "cockpit": PageLesson(
        "Raising the threshold from 0.2 to 0.8 trades recall for precision: on the churn table recall "
        "falls by more than half while precision rises.", "churn"),
    "overfitting": PageLesson(
        "As the polynomial degree grows the training error keeps falling, while the validation error "
        "stops falling and then rises: the widening gap is over-fitting."),
    "tuning": PageLesson(
        "Random search and successive halving reach a cross-validated score close to the full grid's "
        "with fewer evaluations."),
    "imbalanced": PageLesson(
        "With a rare positive class, accuracy stays high while the model misses many positives; "
        "re-weighting or resampling catches more of them at the price of precision."),
    "leakage": PageLesson(
        "Steps that see the validation rows make the validation score look better than the score of "
        "the honest pipeline."),
    "scalability": PageLesson(
        "Learning from mini-batches reaches nearly the loss of learning from the whole data set at once "
        "while holding only one batch in memory."),
    "interpretability": PageLesson(
        "A few features carry most of the model's permutation importance, and one row's explanation can "
        "rank features differently from the global picture."),
    "transfer": PageLesson(
        "With few labelled examples, a classifier on pretrained features beats the same classifier "
        "trained from scratch."),
}


def dataset(url_path: str) -> str:
    """The dataset "each page's pick" stands for on this page."""
    lesson = LESSONS.get(url_path)
    return lesson.dataset if lesson else datasets.DEFAULT
