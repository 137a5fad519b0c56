"""The quiz: flash cards from the question bank and auto-graded items, drawn from the quiz seed.

Item ``n`` of a quiz is drawn with ``numpy.random.default_rng([seed, n])``, so a seed (it is in the URL)
gives a class the same quiz. The draw, in two steps:

1. **A topic.** Each question left by the filters counts once, and so does each family of generated
   items a topic has when the mode allows auto-graded items (evaluation: a confusion matrix, a metric's
   definition, a metric for a scenario; imbalanced data: a metric for a scenario; they have no level).
   Each count is multiplied by its topic's *multiplier*: 1 for a topic the learner has not been tested
   on, ``0.25 + 3 × weakness`` for one they have, where weakness is the share of what went wrong in
   that topic: each question's latest self-rating counts 0 for "knew it", 0.5 for "partly", 1 for
   "not yet", and each auto-graded item 0 if right, 1 if wrong. A topic rated "not yet" throughout
   comes up 3.25 times as often as an untested one of the same size, a topic known throughout 4 times
   less often. With "favour weak topics" off every multiplier is 1, and the seed alone fixes the
   sequence.
2. **An item of that topic.** A flash card (the question; the learner reveals the model answer and
   rates it) or an auto-graded item: which question a model answer replies to (any topic with
   questions), or one of the topic's generated items, reading a confusion matrix drawn from a real
   model at a random threshold among them. In a mixed quiz an item is a flash card half of the time;
   auto-graded kinds are equally likely. Cards and answer-matching items take a question of the topic
   not yet asked in this quiz when one is left.

Items are plain frozen data; a page draws one, shows it and grades the answer with :func:`grade_number`
or :func:`grade_choice`.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from components import charts, cockpit, datasets, memo, models
from components import evaluation as ev
from components import progress as pg
from components import question_bank as qb

MODES = ("Mixed", "Flash cards", "Auto-graded")
SEED_KEY, MODE_KEY, TOPICS_KEY, LEVELS_KEY, ADAPTIVE_KEY = (
    "quiz.seed", "quiz.mode", "quiz.topics", "quiz.levels", "quiz.adaptive")
SEED_DEFAULT, SEED_MAX = 1, 9999
CARD_SHARE = 0.5  # in a mixed quiz, the chance that an item is a flash card
TOLERANCE = 0.01  # a computed metric is right within ±0.01 (answers are rounded to 2–3 decimals)
UNTESTED, FLOOR, SLOPE = 1.0, 0.25, 3.0  # topic multipliers: untested; FLOOR + SLOPE × weakness

# Real models for "read the confusion matrix": the cockpit's defaults (a 25 % stratified test split,
# seed 42, each model's default hyper-parameter), so the cockpit at the same threshold shows the same matrix.
CONFUSION_DATASETS = ("breast_cancer", "churn")
CONFUSION_MODELS = ("Logistic regression", "Decision tree", "k-NN")
CONFUSION_THRESHOLDS = tuple(round(t, 2) for t in np.arange(0.1, 0.91, 0.05))
ASKED_METRICS = ("precision", "recall", "specificity", "accuracy", "F1")
SPLIT_SEED, TEST_SIZE = 42, 0.25

DEFINITIONS = {
    "precision": ("TP / (TP + FP)", "Of the rows predicted positive, the share that really are positive."),
    "recall": ("TP / (TP + FN)", "Of the actual positives, the share the model finds (also called sensitivity or "
                                 "true positive rate)."),
    "specificity": ("TN / (TN + FP)", "Of the actual negatives, the share the model correctly leaves negative "
                                      "(true negative rate)."),
    "accuracy": ("(TP + TN) / (TP + TN + FP + FN)", "The share of all rows classified correctly."),
    "F1": ("2 × precision × recall / (precision + recall)", "The harmonic mean of precision and recall: high only "
                                                           "when both are."),
    "false positive rate": ("FP / (FP + TN)", "Of the actual negatives, the share wrongly flagged: 1 − specificity, "
                                              "the x-axis of the ROC curve."),
    "negative predictive value": ("TN / (TN + FN)", "Of the rows predicted negative, the share that really are "
                                                    "negative."),
}


@dataclass(frozen=True)
class Scenario:
    topic: str
    prompt: str
    right: str
    wrong: tuple[str, str, str]
    why: str


SCENARIOS = (
    Scenario("evaluation", "A screening test for a serious disease: a missed case costs far more than a false alarm, "
             "which a follow-up test will clear. Which metric should the decision threshold protect first?",
             "recall", ("precision", "specificity", "accuracy"),
             "A missed case is a false negative, and recall, TP / (TP + FN), is the metric false negatives lower. "
             "The follow-up test absorbs the extra false positives that a lower threshold brings."),
    Scenario("evaluation", "A spam filter moves messages out of the inbox, and losing a genuine message costs far more "
             "than letting some spam through. With spam as the positive class, which metric matters most?",
             "precision", ("recall", "accuracy", "ROC AUC"),
             "A genuine message sent to the spam folder is a false positive, and precision, TP / (TP + FP), is the "
             "metric false positives lower."),
    Scenario("evaluation", "Precision and recall matter about equally and you want one number to compare thresholds. "
             "Which metric?", "F1", ("accuracy", "ROC AUC", "specificity"),
             "F1 is the harmonic mean of precision and recall, so it is high only when both are; ROC AUC does not "
             "depend on the threshold at all, and accuracy can hide a poor recall."),
    Scenario("evaluation", "You need a threshold-free measure of how well a model ranks positives above negatives, "
             "one that does not change with the share of positives. Which metric?",
             "ROC AUC", ("average precision", "F1", "accuracy"),
             "ROC AUC is the probability that a random positive scores above a random negative. Both of its axes are "
             "rates within one class, so the class balance does not move it; average precision does move with it."),
    Scenario("evaluation", "A house-price model where a few very large errors would be far worse than many small "
             "ones. Which error metric reflects that?", "RMSE", ("MAE", "R²", "accuracy"),
             "RMSE squares the errors before averaging, so large errors weigh far more than small ones; MAE weighs "
             "every unit of error the same."),
    Scenario("evaluation", "You want to report a regression model's typical error in the target's own units, without "
             "letting a handful of extreme errors dominate. Which metric?", "MAE", ("RMSE", "MSE", "R²"),
             "MAE averages the absolute errors: it is in the target's units and grows only linearly with each error. "
             "RMSE lets the few large errors dominate, and MSE is in squared units."),
    Scenario("evaluation", "Which regression metric compares the model's squared error with that of always predicting "
             "the mean, so that 0 means no better than the mean?", "R²", ("RMSE", "MAE", "MAPE"),
             "R² = 1 − SSE / SST, where SST is the squared error of predicting the mean: 1 is perfect, 0 is no better "
             "than the mean, and on test data it can even be negative."),
    Scenario("imbalanced-data", "Fraud is 0.2 % of transactions. Which metric gives a model that never flags anything "
             "a score of 0.998?", "accuracy", ("recall", "precision", "F1"),
             "Predicting \"not fraud\" for every row is right 99.8 % of the time and catches no fraud at all: its "
             "recall is 0. With imbalanced classes accuracy rewards the majority class."),
    Scenario("imbalanced-data", "Positives are 1 % of rows, and what matters is how many of the cases you flag are "
             "real. Which threshold-free summary reflects that directly?", "average precision",
             ("ROC AUC", "accuracy", "specificity"),
             "Average precision summarises the precision-recall curve, and both precision and recall are about the "
             "rare positives. ROC AUC uses the false positive rate, whose denominator is the huge negative class, so "
             "it can stay high while most flagged cases are false alarms."),
)
GENERATED = {"evaluation": ("definition", "scenario", "confusion"), "imbalanced-data": ("scenario",)}
KIND_TITLES = {"card": "Flash card", "match": "Which question?", "definition": "Which metric?",
               "scenario": "Which metric?", "confusion": "Read the confusion matrix"}


@dataclass(frozen=True)
class QuizSettings:
    seed: int
    mode: str
    topics: tuple[str, ...]  # empty: every topic
    levels: tuple[str, ...]  # empty: every level
    adaptive: bool  # favour weak topics


@dataclass(frozen=True)
class Confusion:
    dataset: str
    positive: str
    model: str
    threshold: float
    counts: tuple[int, int, int, int]  # tn, fp, fn, tp

    def link(self) -> qb.ShowMe:
        """The cockpit at the same model, data and threshold: it shows this matrix."""
        return qb.ShowMe("cockpit", (("app.dataset", self.dataset), ("eval.model", self.model),
                                     ("eval.threshold", qb.url_text(self.threshold))),
                         "The same model and threshold on the Evaluation cockpit.")

    def settings(self) -> cockpit.CockpitSettings:
        names = datasets.load(self.dataset).target_names
        spec = models.CLASSIFIERS[self.model]
        return cockpit.CockpitSettings(
            dataset=self.dataset, positive=self.positive, positive_index=names.index(self.positive),
            model=self.model, value=spec.default, test_size=TEST_SIZE, stratify=True, k=ev.FOLDS_DEFAULT,
            cv_stratified=True, cv_shuffle=True, threshold=self.threshold, seed=SPLIT_SEED)


@dataclass(frozen=True)
class Item:
    kind: str  # card | match | definition | scenario | confusion
    topic: str
    prompt: str
    qid: str = ""  # the bank question (card, match)
    options: tuple[str, ...] = ()  # multiple choice, in the order shown
    answer: str = ""  # the right option
    value: float | None = None  # the right number (confusion)
    metric: str = ""  # the metric asked for (confusion)
    explanation: str = ""
    confusion: Confusion | None = None

    @property
    def graded(self) -> bool:
        return self.kind != "card"


# ---------------------------------------------------------------------------------------- weak topics

def topic_weakness(doc: dict, bank: tuple[qb.Question, ...]) -> dict[str, float]:
    """Topic -> share of what went wrong there (only topics with a rating or a graded item)."""
    topic_of = {q.id: q.topic for q in bank}
    wrong: dict[str, float] = {}
    tested: dict[str, int] = {}
    for qid, card in doc.get("cards", {}).items():
        if card.get("rating") and qid in topic_of:
            t = topic_of[qid]
            wrong[t] = wrong.get(t, 0.0) + 1 - pg.RATING_SCORE[card["rating"]]
            tested[t] = tested.get(t, 0) + 1
    for t, tally in doc.get("graded", {}).items():
        if tally["asked"]:
            wrong[t] = wrong.get(t, 0.0) + tally["asked"] - tally["right"]
            tested[t] = tested.get(t, 0) + tally["asked"]
    return {t: wrong[t] / tested[t] for t in tested}


def multipliers(doc: dict, bank: tuple[qb.Question, ...], adaptive: bool) -> dict[str, float]:
    weakness = topic_weakness(doc, bank) if adaptive else {}
    return {t: FLOOR + SLOPE * weakness[t] if t in weakness else UNTESTED for t in qb.TOPICS}


def pool(bank: tuple[qb.Question, ...], s: QuizSettings) -> list[qb.Question]:
    return qb.select(bank, topics=s.topics, levels=s.levels)


def generated(topic: str, s: QuizSettings) -> tuple[str, ...]:
    """The generated item families of ``topic`` this quiz can draw (none in a flash-card quiz)."""
    if s.mode == "Flash cards" or (s.topics and topic not in s.topics):
        return ()
    return GENERATED.get(topic, ())


def topic_chances(questions: list[qb.Question], s: QuizSettings, mult: dict[str, float]) -> dict[str, float]:
    """Topic -> chance that the next item is of that topic (step 1 of the module docstring)."""
    weight = {t: mult[t] * (sum(q.topic == t for q in questions) + len(generated(t, s))) for t in qb.TOPICS}
    total = sum(weight.values())
    return {t: w / total for t, w in weight.items() if w > 0} if total else {}


# ---------------------------------------------------------------------------------------- items

def _shuffled(rng: np.random.Generator, right: str, wrong: list[str]) -> tuple[str, ...]:
    options = [right, *wrong]
    return tuple(options[i] for i in rng.permutation(len(options)))


def card_item(q: qb.Question) -> Item:
    return Item("card", q.topic, q.question, qid=q.id)


def match_item(rng: np.random.Generator, q: qb.Question, bank: tuple[qb.Question, ...]) -> Item:
    same = [o for o in bank if o.topic == q.topic and o.id != q.id]
    other = [o for o in bank if o.topic != q.topic]
    picked = [same[i] for i in rng.permutation(len(same))[:3]]
    picked += [other[i] for i in rng.permutation(len(other))[:3 - len(picked)]]
    excerpt = " ".join(qb.sentences(q.answer)[:2])
    return Item("match", q.topic, excerpt, qid=q.id, options=_shuffled(rng, q.question, [o.question for o in picked]),
                answer=q.question, explanation="The model answer begins this way; the whole answer is in the bank.")


def definition_item(rng: np.random.Generator) -> Item:
    names = list(DEFINITIONS)
    right = names[int(rng.integers(len(names)))]
    others = [n for n in names if n != right]
    wrong = [others[i] for i in rng.permutation(len(others))[:3]]
    formula, meaning = DEFINITIONS[right]
    return Item("definition", "evaluation", f"Which metric is computed as {formula}?",
                options=_shuffled(rng, right, wrong), answer=right, explanation=f"{right}: {meaning}")


def scenario_item(rng: np.random.Generator, topic: str) -> Item:
    choices = [s for s in SCENARIOS if s.topic == topic]
    s = choices[int(rng.integers(len(choices)))]
    return Item("scenario", topic, s.prompt, options=_shuffled(rng, s.right, list(s.wrong)), answer=s.right,
                explanation=s.why)


@memo.cached(max_entries=8, shared=True)  # one entry: a test split's labels and scores (~150-500 floats)
def holdout_scores(dataset: str, model: str) -> ev.Holdout:
    """A real model's test scores at the cockpit's default split, fitted once per dataset and model."""
    ds = datasets.load(dataset)
    positive = ev.default_positive(dataset, ds.target_names)
    y = ev.binarize(ds.y, ds.target_names.index(positive))
    return ev.fit_holdout(ds.X, y, model, models.CLASSIFIERS[model].default, TEST_SIZE, True, SPLIT_SEED)


def _denominator(metric: str, tn: int, fp: int, fn: int, tp: int) -> int:
    return {"precision": tp + fp, "recall": tp + fn, "specificity": tn + fp, "accuracy": tn + fp + fn + tp,
            "F1": 2 * tp + fp + fn}[metric]


def confusion_item(rng: np.random.Generator) -> Item:
    dataset = CONFUSION_DATASETS[int(rng.integers(len(CONFUSION_DATASETS)))]
    model = CONFUSION_MODELS[int(rng.integers(len(CONFUSION_MODELS)))]
    fit = holdout_scores(dataset, model)
    for _ in range(100):  # a metric whose denominator is 0 at the drawn threshold cannot be asked: draw again
        threshold = float(CONFUSION_THRESHOLDS[int(rng.integers(len(CONFUSION_THRESHOLDS)))])
        metric = ASKED_METRICS[int(rng.integers(len(ASKED_METRICS)))]
        (tn, fp), (fn, tp) = ev.confusion_at(fit.y_test, fit.scores, threshold)
        if _denominator(metric, tn, fp, fn, tp) > 0:
            break
    positive = ev.POSITIVE_DEFAULTS[dataset]
    value = ev.metrics_from_counts(tn, fp, fn, tp)[metric]
    formula = DEFINITIONS[metric][0]
    prompt = (f"A {model.lower() if model != 'k-NN' else model} trained on the *{dataset}* data predicts "
              f"“{positive}” when its predicted probability is at least {threshold:.2f}. Below is its confusion "
              f"matrix on {tn + fp + fn + tp} test rows. What is its **{metric}**?")
    explanation = f"{metric} = {formula} = {_worked(metric, tn, fp, fn, tp)} = {value:.3f}."
    return Item("confusion", "evaluation", prompt, value=value, metric=metric, explanation=explanation,
                confusion=Confusion(dataset, positive, model, threshold, (int(tn), int(fp), int(fn), int(tp))))


def _worked(metric: str, tn: int, fp: int, fn: int, tp: int) -> str:
    if metric == "F1":
        return f"2 × {tp} / (2 × {tp} + {fp} + {fn})"
    top = {"precision": tp, "recall": tp, "specificity": tn, "accuracy": tp + tn}[metric]
    return f"{top} / {_denominator(metric, tn, fp, fn, tp)}"


def confusion_table(c: Confusion) -> pd.DataFrame:
    tn, fp, fn, tp = c.counts
    negative = f"not {c.positive}"
    return pd.DataFrame({f"predicted {negative}": [tn, fn], f"predicted {c.positive}": [fp, tp]},
                        index=[f"actual {negative}", f"actual {c.positive}"])


def draw(bank: tuple[qb.Question, ...], s: QuizSettings, doc: dict, n: int, asked: frozenset[str] = frozenset()) \
        -> Item | None:
    """Item ``n`` of the quiz (None when the filters leave nothing to ask). ``doc`` is the learner's
    progress (weak topics); ``asked`` the bank questions already asked in this quiz."""
    questions = pool(bank, s)
    chances = topic_chances(questions, s, multipliers(doc, bank, s.adaptive))
    if not chances:
        return None
    rng = np.random.default_rng([s.seed, n])
    topics = list(chances)
    topic = topics[int(rng.choice(len(topics), p=np.array([chances[t] for t in topics])))]
    in_topic = [q for q in questions if q.topic == topic]
    auto = (("match",) if in_topic else ()) + generated(topic, s)
    if s.mode == "Flash cards" or (s.mode == "Mixed" and in_topic and rng.random() < CARD_SHARE):
        kind = "card"
    else:
        kind = auto[int(rng.integers(len(auto)))]
    if kind == "definition":
        return definition_item(rng)
    if kind == "scenario":
        return scenario_item(rng, topic)
    if kind == "confusion":
        return confusion_item(rng)
    fresh = [q for q in in_topic if q.id not in asked] or in_topic
    q = fresh[int(rng.integers(len(fresh)))]
    return card_item(q) if kind == "card" else match_item(rng, q, bank)


# ---------------------------------------------------------------------------------------- grading

def grade_number(answer: float | None, truth: float, tolerance: float = TOLERANCE) -> bool:
    """Right when within ``tolerance`` of the truth; an answer between 1 and 100 is read as a percentage."""
    if answer is None or not np.isfinite(answer):
        return False
    value = answer / 100 if 1 < answer <= 100 else answer
    return abs(value - truth) <= tolerance + 1e-12


def grade_choice(choice: str | None, item: Item) -> bool:
    return choice is not None and choice == item.answer


def score_of(item: Item, rating: str | None = None, right: bool | None = None) -> float:
    """An answered item's score in [0, 1]: the card's self-rating, or 1/0 for a graded item."""
    return pg.RATING_SCORE[rating] if not item.graded else float(bool(right))


def session_scores(history: list[dict]) -> pd.DataFrame:
    """This quiz's score by topic: items answered and the mean score (history: topic, kind, score)."""
    if not history:
        return pd.DataFrame({"topic": [], "items": [], "score": []})
    df = pd.DataFrame(history)
    out = df.groupby("topic", sort=False).agg(items=("score", "size"), score=("score", "mean")).reset_index()
    out["topic"] = out["topic"].map(qb.TOPIC_TITLES)
    return out


def chances_frame(chances: dict[str, float], mult: dict[str, float]) -> pd.DataFrame:
    return pd.DataFrame({"topic": [qb.TOPIC_TITLES[t] for t in chances],
                         "chance of the next item (%)": [round(100 * p, 1) for p in chances.values()],
                         "multiplier": [round(mult[t], 2) for t in chances]})


@memo.cached(max_entries=32)
def chances_spec(rows: tuple[tuple[str, float, float], ...]) -> dict:
    df = pd.DataFrame(rows, columns=["topic", "chance of the next item (%)", "multiplier"])
    return charts.to_spec(charts.bar_chart(df, "chance of the next item (%)", "topic", sort=None,
                                           title="Where the next item comes from"))


@memo.cached(max_entries=32)
def scores_spec(rows: tuple[tuple[str, int, float], ...]) -> dict:
    df = pd.DataFrame(rows, columns=["topic", "items", "score"])
    df["score (%)"] = (100 * df["score"]).round(0)
    return charts.to_spec(charts.bar_chart(df[["topic", "score (%)", "items"]], "score (%)", "topic",
                                           title="This quiz's score by topic"))


def script_for(item: Item) -> str | None:
    """The cockpit's runnable script for a confusion item (None for other items)."""
    return cockpit.holdout_script(item.confusion.settings()) if item.confusion else None

