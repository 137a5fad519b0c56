"""Quiz: items drawn from the seed, graded against an independent computation, weak topics favoured
by the documented rule; then the page from app.py."""
from __future__ import annotations

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, confusion_matrix, f1_score, precision_score, recall_score
from sklearn.model_selection import train_test_split
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeClassifier

from components import datasets, quiz
from components import progress as pg
from components import question_bank as qb
from tests.apptest_utils import assert_clean, metric_values, open_page, run_exported_script

PAGE = "views/interview/quiz.py"
BANK = qb.load()
MIXED = quiz.QuizSettings(seed=1, mode="Mixed", topics=(), levels=(), adaptive=True)
CARDS = quiz.QuizSettings(seed=1, mode="Flash cards", topics=(), levels=(), adaptive=True)
AUTO_EVAL = quiz.QuizSettings(seed=1, mode="Auto-graded", topics=("evaluation",), levels=(), adaptive=True)

INDEPENDENT_MODELS = {  # written out here, not taken from the app
    "Logistic regression": lambda: make_pipeline(StandardScaler(), LogisticRegression(C=1.0, max_iter=5000)),
    "Decision tree": lambda: DecisionTreeClassifier(max_depth=4, random_state=42),
    "k-NN": lambda: make_pipeline(StandardScaler(), KNeighborsClassifier(n_neighbors=5)),
}
POSITIVE = {"breast_cancer": 0, "churn": 1}  # malignant is class 0 of scikit-learn's table; churned is 1


def independent_metric(dataset: str, model: str, threshold: float, metric: str) -> tuple[float, tuple]:
    ds = datasets.load(dataset)
    y = (ds.y.to_numpy() == POSITIVE[dataset]).astype(int)
    X_tr, X_te, y_tr, y_te = train_test_split(ds.X, y, test_size=0.25, random_state=42, stratify=y)
    pred = (INDEPENDENT_MODELS[model]().fit(X_tr, y_tr).predict_proba(X_te)[:, 1] >= threshold).astype(int)
    tn, fp, fn, tp = confusion_matrix(y_te, pred, labels=[0, 1]).ravel()
    value = {"precision": precision_score(y_te, pred, zero_division=0), "recall": recall_score(y_te, pred),
             "specificity": tn / (tn + fp), "accuracy": accuracy_score(y_te, pred), "F1": f1_score(y_te, pred)}[metric]
    return float(value), (int(tn), int(fp), int(fn), int(tp))


def confusion_items(count: int) -> list[quiz.Item]:
    items = [quiz.confusion_item(np.random.default_rng([seed, 0])) for seed in range(count)]
    return items


@pytest.mark.parametrize("item", confusion_items(8), ids=lambda i: f"{i.confusion.dataset}-{i.confusion.model}-"
                                                                    f"{i.confusion.threshold}-{i.metric}")
def test_confusion_items_are_graded_against_an_independent_computation(item):
    c = item.confusion
    truth, counts = independent_metric(c.dataset, c.model, c.threshold, item.metric)
    assert c.counts == counts
    assert item.value == pytest.approx(truth, abs=1e-12)
    assert quiz.grade_number(round(truth, 3), item.value)
    assert quiz.grade_number(round(100 * truth, 1), item.value)  # a percentage
    assert not quiz.grade_number(truth + 0.02, item.value)
    assert not quiz.grade_number(None, item.value)
    assert f"{truth:.3f}" in item.explanation


def test_confusion_items_vary_with_the_seed_and_cover_datasets_models_and_metrics():
    items = confusion_items(40)
    assert {i.confusion.dataset for i in items} == set(quiz.CONFUSION_DATASETS)
    assert {i.confusion.model for i in items} == set(quiz.CONFUSION_MODELS)
    assert {i.metric for i in items} == set(quiz.ASKED_METRICS)
    assert len({i.confusion.threshold for i in items}) > 5


def test_the_exported_script_prints_the_same_matrix():
    item = confusion_items(1)[0]
    printed = run_exported_script(quiz.script_for(item))
    tn, fp, fn, tp = item.confusion.counts
    assert printed["confusion"] == [[tn, fp], [fn, tp]]
    assert printed[item.metric] == pytest.approx(item.value)


def test_multiple_choice_items_have_one_right_answer_among_four():
    rng = np.random.default_rng(0)
    for _ in range(30):
        for item in (quiz.definition_item(rng), quiz.scenario_item(rng, "evaluation"),
                     quiz.scenario_item(rng, "imbalanced-data"), quiz.match_item(rng, BANK[0], BANK)):
            assert len(item.options) == len(set(item.options)) == 4
            assert item.options.count(item.answer) == 1
            assert quiz.grade_choice(item.answer, item) and not quiz.grade_choice(
                next(o for o in item.options if o != item.answer), item)
    item = quiz.definition_item(np.random.default_rng(3))
    assert quiz.DEFINITIONS[item.answer][0] in item.prompt
    match = quiz.match_item(np.random.default_rng(3), BANK[5], BANK)
    assert match.answer == BANK[5].question and match.prompt in BANK[5].answer


def test_the_same_seed_gives_the_same_quiz_and_another_seed_another():
    def sequence(s):
        asked: list[str] = []
        out = []
        for n in range(12):
            item = quiz.draw(BANK, s, pg.empty(), n, frozenset(asked))
            asked += [item.qid] if item.qid else []
            out.append((item.kind, item.prompt))
        return out

    fixed = quiz.QuizSettings(7, "Flash cards", (), (), adaptive=False)
    assert sequence(fixed) == sequence(fixed)
    assert sequence(fixed) != sequence(quiz.QuizSettings(8, "Flash cards", (), (), adaptive=False))
    # with nothing rated yet, favouring weak topics changes nothing
    assert sequence(fixed) == sequence(quiz.QuizSettings(7, "Flash cards", (), (), adaptive=True))


def test_filters_and_modes_restrict_what_is_drawn():
    topic, level = BANK[0].topic, BANK[0].level
    s = quiz.QuizSettings(3, "Flash cards", (topic,), (level,), True)
    for n in range(20):
        item = quiz.draw(BANK, s, pg.empty(), n)
        q = qb.by_id(BANK)[item.qid]
        assert item.kind == "card" and q.topic == topic and q.level == level
    kinds = {quiz.draw(BANK, AUTO_EVAL, pg.empty(), n).kind for n in range(40)}
    assert "card" not in kinds and {"definition", "scenario", "confusion"} <= kinds
    assert quiz.draw(BANK, quiz.QuizSettings(1, "Flash cards", ("evaluation",), ("junior",), True), pg.empty(), 0) \
        is None or any(q.topic == "evaluation" and q.level == "junior" for q in BANK)


def test_cards_are_not_repeated_while_the_topic_has_fresh_ones():
    topic = BANK[0].topic
    size = sum(q.topic == topic for q in BANK)
    s = quiz.QuizSettings(5, "Flash cards", (topic,), (), False)
    asked: list[str] = []
    for n in range(size):
        asked.append(quiz.draw(BANK, s, pg.empty(), n, frozenset(asked)).qid)
    assert len(set(asked)) == size


# ------------------------------------------------------------------------------------------------ weak topics

def rated(topic: str, rating: str) -> dict:
    doc = pg.empty()
    for q in BANK:
        if q.topic == topic:
            doc = pg.record_rating(doc, q.id, rating)
    return doc


def test_multipliers_follow_the_documented_rule():
    topics = sorted({q.topic for q in BANK})
    weak, strong = topics[0], topics[1]
    doc = pg.combine(rated(weak, "not yet"), rated(strong, "knew it"))
    mult = quiz.multipliers(doc, BANK, adaptive=True)
    assert mult[weak] == pytest.approx(quiz.FLOOR + quiz.SLOPE) == pytest.approx(3.25)
    assert mult[strong] == pytest.approx(quiz.FLOOR) == pytest.approx(0.25)
    assert all(mult[t] == 1 for t in topics[2:])
    half = quiz.multipliers(rated(weak, "partly"), BANK, adaptive=True)[weak]
    assert half == pytest.approx(0.25 + 3 * 0.5)
    # graded items count too: one right and three wrong answers in evaluation -> weakness 0.75
    graded = pg.empty()
    for right in (True, False, False, False):
        graded = pg.record_graded(graded, "evaluation", right)
    assert quiz.multipliers(graded, BANK, adaptive=True)["evaluation"] == pytest.approx(0.25 + 3 * 0.75)
    assert set(quiz.multipliers(doc, BANK, adaptive=False).values()) == {1.0}


def test_chances_are_the_topic_sizes_times_the_multipliers():
    topics = sorted({q.topic for q in BANK})
    weak = topics[0]
    doc = rated(weak, "not yet")
    chances = quiz.topic_chances(BANK, CARDS, quiz.multipliers(doc, BANK, True))
    size = {t: sum(q.topic == t for q in BANK) for t in topics}
    weights = {t: size[t] * (3.25 if t == weak else 1.0) for t in topics}
    assert chances == pytest.approx({t: w / sum(weights.values()) for t, w in weights.items()})
    assert sum(chances.values()) == pytest.approx(1)


def test_the_next_card_favours_weak_topics():
    """Over many draws the weak topic comes up as often as its chance says, and more often than without
    the weighting."""
    topics = sorted({q.topic for q in BANK})
    weak = topics[0]
    doc = rated(weak, "not yet")
    draws = 3000
    expected = quiz.topic_chances(BANK, CARDS, quiz.multipliers(doc, BANK, True))[weak]
    plain = quiz.topic_chances(BANK, CARDS, quiz.multipliers(doc, BANK, False))[weak]
    seen = sum(quiz.draw(BANK, CARDS, doc, n).topic == weak for n in range(draws)) / draws
    sd = (expected * (1 - expected) / draws) ** 0.5
    assert abs(seen - expected) < 4 * sd
    assert expected > plain + 8 * sd


def test_session_scores_by_topic():
    history = [{"topic": "evaluation", "kind": "confusion", "score": 1.0},
               {"topic": "evaluation", "kind": "card", "score": 0.5},
               {"topic": "fundamentals", "kind": "card", "score": 0.0}]
    out = quiz.session_scores(history).set_index("topic")
    assert out.loc["Evaluation", "items"] == 2 and out.loc["Evaluation", "score"] == pytest.approx(0.75)
    assert out.loc["Fundamentals", "score"] == 0.0
    assert quiz.session_scores([]).empty


# ------------------------------------------------------------------------------------------------ the page

def item_on_page(at) -> str:
    return " ".join([str(m.value) for m in at.markdown] + [h.value for h in at.subheader])


def first_seed(settings: quiz.QuizSettings, kind: str) -> int:
    return next(seed for seed in range(500)
                if quiz.draw(BANK, quiz.QuizSettings(seed, *list(vars(settings).values())[1:]), pg.empty(), 0).kind == kind)


def test_the_page_draws_the_seeds_first_item_and_a_new_seed_changes_it():
    at = open_page(PAGE, {"quiz.seed": "11"})
    assert_clean(at)
    first = quiz.draw(BANK, quiz.QuizSettings(11, "Mixed", (), (), True), pg.empty(), 0)
    assert qb.sentences(first.prompt)[0][:60].replace("*", "") in item_on_page(at).replace("*", "").replace("\\", "")
    at.button(key="quiz.new").click().run()
    assert at.number_input(key="quiz.seed").value != 11
    assert at.query_params["quiz.seed"] != ["11"]


def test_rating_a_card_counts_and_its_topic_comes_back_more_often():
    seed = first_seed(CARDS, "card")
    at = open_page(PAGE, {"quiz.seed": str(seed), "quiz.mode": "Flash cards"})
    item = quiz.draw(BANK, quiz.QuizSettings(seed, "Flash cards", (), (), True), pg.empty(), 0)
    assert metric_values(at)["Questions rated (all time)"] == "0"
    at.button(key="quiz.reveal").click().run()
    assert qb.by_id(BANK)[item.qid].answer[:60] in item_on_page(at)
    at.button(key="quiz.rate_not_yet").click().run()
    assert_clean(at)
    metrics = metric_values(at)
    assert metrics["Questions rated (all time)"] == "1" and metrics["Answered in this quiz"] == "1"
    assert metrics["Score in this quiz"] == "0%"
    table = next(df.value for df in at.dataframe if "multiplier" in df.value.columns).set_index("topic")
    assert table.loc[qb.TOPIC_TITLES[item.topic], "multiplier"] == pytest.approx(3.25)
    assert "Item 2" in " ".join(c.value for c in at.caption)


def test_a_confusion_item_on_the_page_is_graded_and_links_to_the_cockpit():
    seed = first_seed(AUTO_EVAL, "confusion")
    at = open_page(PAGE, {"quiz.seed": str(seed), "quiz.mode": "Auto-graded", "quiz.topics": "evaluation"})
    assert_clean(at)
    item = quiz.draw(BANK, quiz.QuizSettings(seed, "Auto-graded", ("evaluation",), (), True), pg.empty(), 0)
    truth, counts = independent_metric(item.confusion.dataset, item.confusion.model, item.confusion.threshold,
                                       item.metric)
    shown = at.table[0].value
    assert tuple(int(x) for x in shown.to_numpy().ravel()) == counts  # [[TN, FP], [FN, TP]]
    at.number_input(key="quiz.number").set_value(round(truth, 3)).run()
    at.button(key="quiz.check").click().run()
    assert_clean(at)
    assert at.success and "Right" in at.success[0].value
    assert metric_values(at)["Auto-graded right (all time)"] == "1 of 1"
    link = next(p.proto for p in at.get("page_link") if "cockpit" in p.proto.page)
    assert f"eval.threshold={qb.url_text(item.confusion.threshold)}" in link.query_string
    at.button(key="quiz.next").click().run()
    assert "Item 2" in " ".join(c.value for c in at.caption)


def test_a_wrong_choice_is_marked_and_counted():
    seed = first_seed(AUTO_EVAL, "definition")
    at = open_page(PAGE, {"quiz.seed": str(seed), "quiz.mode": "Auto-graded", "quiz.topics": "evaluation"})
    item = quiz.draw(BANK, quiz.QuizSettings(seed, "Auto-graded", ("evaluation",), (), True), pg.empty(), 0)
    at.radio(key="quiz.choice").set_value(next(o for o in item.options if o != item.answer)).run()
    at.button(key="quiz.check").click().run()
    assert at.warning and item.answer in at.warning[0].value
    assert metric_values(at)["Auto-graded right (all time)"] == "0 of 1"
    assert metric_values(at)["Score in this quiz"] == "0%"


def test_turning_weighting_off_shows_plain_chances():
    at = open_page(PAGE, {"quiz.adaptive": "false"})
    assert_clean(at)
    table = next(df.value for df in at.dataframe if "multiplier" in df.value.columns)
    assert set(table["multiplier"]) == {1.0}
