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
        "k-NN's cross-validated accuracy depends on the scaler, while a decision tree scores the same with "
        "every scaler that only shifts and stretches and within 0.01 after the quantile transform."),
    "features": PageLesson(
        "Of the 13 features, 3 of them added pure noise, each selector keeps 5: most keep no noise feature and "
        "none keeps more than one, where a pick at random would keep about 1.2."),
    "gallery": PageLesson(
        "On the moons logistic regression draws a straight line and a tree axis-parallel steps, while the RBF "
        "SVM and the network bend around the moons and misclassify fewer test points than the line."),
    "ensembles": PageLesson(
        "Averaging bagged deep trees cuts how much the predicted probability varies from one training set to "
        "the next to about a third of a single deep tree's, while the bias changes far less."),
    "unsupervised": PageLesson(
        "Without the labels, the silhouette over k peaks at k = 3 on the wine table, the number of "
        "cultivars, which is also where k-means agrees best with the hidden labels.", "wine"),
    "cockpit": PageLesson(
        "Raising the threshold from 0.2 to 0.8 trades recall for precision: on the churn table recall "
        "falls by more than half while precision rises.", "churn"),
    "overfitting": PageLesson(
        "As the polynomial degree grows the training error never rises, while the validation error bottoms "
        "out at a low degree and ends far above its minimum: the widening gap is over-fitting."),
    "tuning": PageLesson(
        "With a budget of 20 trials, a fifth of the full grid's 100 settings, grid, random and Bayesian search "
        "each find a setting within 0.03 of the grid's best cross-validated accuracy, while a typical setting "
        "scores about 0.2 lower."),
    "imbalanced": PageLesson(
        "With 5 % positives the plain model scores about the majority-class accuracy (0.95) while catching "
        "almost no positive; class weights or resampling catch 40 % or more of them, at the price of many false "
        "alarms (precision below 0.2) and a lower accuracy."),
    "leakage": PageLesson(
        "Selecting 20 of 2,000 pure-noise features on all rows before cross-validation makes coin-flip labels "
        "look learnable (estimates above 0.7), while selecting inside each fold gives estimates near the 0.5 "
        "that truly held-out data confirm."),
    "scalability": PageLesson(
        "One pass of out-of-core SGD, holding one chunk of 256 rows in memory at a time, ends within about "
        "0.015 of the test accuracy of the batch solver, which holds all 10,000 rows at once."),
    "fairness": PageLesson(
        "Trained without the group column on decisions that refused some creditworthy group-B applicants, "
        "the model still approves group B far less often than group A: area income carries part of the group "
        "into the model, and dropping it too narrows the gap without closing it."),
    "interpretability": PageLesson(
        "The five most important of the 30 features carry more than half of the forest's permutation "
        "importance, yet single rows lean on their own mix: for more than a quarter of the test rows the five "
        "largest SHAP contributions in size are not the five largest on average."),
    "transfer": PageLesson(
        "With 10 or 20 labelled images from a noisy scanner, a new classifier on the frozen hidden layer of a "
        "network trained on clean digits beats the same network trained from scratch by more than 0.05 "
        "accuracy."),
}


def dataset(url_path: str) -> str:
    """The dataset "each page's pick" stands for on this page."""
    lesson = LESSONS.get(url_path)
    return lesson.dataset if lesson else datasets.DEFAULT
