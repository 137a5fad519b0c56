"""Mock interview: the plan drawn from the seed, the countdown, the transcript; then the page from app.py."""
from __future__ import annotations

import re

import pytest

from components import mock_interview as mi
from components import progress as pg
from components import question_bank as qb
from tests.apptest_utils import assert_clean, metric_values, open_page

PAGE = "views/interview/mock_interview.py"
BANK = qb.load()
DEFAULT = mi.MockSettings(mi.N_DEFAULT, mi.SECONDS_DEFAULT, mi.MIXES[0], mi.ANY_LEVEL, mi.SEED_DEFAULT)


@pytest.mark.parametrize("n", range(mi.N_MIN, mi.N_MAX + 1))
def test_the_plan_mixes_kinds_and_spreads_topics(n):
    s = mi.MockSettings(n, 120, mi.MIXES[0], mi.ANY_LEVEL, 3)
    plan = mi.plan(BANK, s)
    assert len(plan) == n == len({q.id for q in plan})
    behavioural = sum(q.kind == "behavioural" for q in plan)
    assert behavioural == max(1, round(n / 3)) and n - behavioural >= 2
    technical_topics = [q.topic for q in plan if q.kind == "technical"]
    available = {q.topic for q in BANK if q.kind == "technical"}
    assert len(set(technical_topics)) == min(len(technical_topics), len(available))  # no repeat before all are used


def test_the_plan_follows_mix_level_and_seed():
    assert all(q.kind == "technical" for q in mi.plan(BANK, mi.MockSettings(6, 120, "Technical only", mi.ANY_LEVEL, 1)))
    assert all(q.kind == "behavioural" for q in mi.plan(BANK, mi.MockSettings(4, 120, "Behavioural only",
                                                                              mi.ANY_LEVEL, 1)))
    senior = mi.plan(BANK, mi.MockSettings(4, 120, "Technical only", "senior", 1))
    available = sum(q.kind == "technical" and q.level == "senior" for q in BANK)
    assert sum(q.level == "senior" for q in senior) == min(4, available)  # topped up from other levels only if short
    assert mi.plan(BANK, DEFAULT) == mi.plan(BANK, DEFAULT)
    assert mi.plan(BANK, DEFAULT) != mi.plan(BANK, mi.MockSettings(5, 120, mi.MIXES[0], mi.ANY_LEVEL, 2))


def test_the_countdown_starts_where_the_clock_is():
    html = mi.countdown_html(120, 30.04)
    assert "animation-name: mlx-count-120" in html and "animation-duration: 120s" in html
    assert "animation-delay: -30.0s" in html  # already 30 s in: the animation starts 30 s along
    assert 'style="animation-delay: 90.0s">Time’s up' in html  # shown when the 120 s run out
    assert "animation-delay: -120.0s" in mi.countdown_html(120, 500)  # over time: stays at zero
    for n in mi.SECONDS_OPTIONS:
        assert f"@keyframes mlx-count-{n} {{ from {{ --mlx-left: {n}; }}" in mi.COUNTDOWN_CSS
    assert "<integer>" not in mi.COUNTDOWN_CSS  # st.html's sanitiser drops a style block that contains "<"
    with pytest.raises(ValueError):
        mi.countdown_html(100, 0)


def test_the_transcript_holds_questions_notes_times_ratings_and_answers():
    plan = mi.plan(BANK, DEFAULT)
    notes = "Lower the threshold\n~~~\n<b>not html</b> *not emphasis*"
    answers = [mi.Answer(notes, 75.4, "partly"), mi.Answer("", 130.0, None)] + [mi.Answer()] * (len(plan) - 2)
    text = mi.transcript(DEFAULT, plan, answers)
    for i, q in enumerate(plan, start=1):
        assert f"## {i}. {q.question}" in text and q.answer in text and q.mistakes[0] in text
    assert "time: 1:15 of 2:00" in text and "time: 2:10 of 2:00 (over time)" in text and "time: not answered" in text
    assert "**Your rating:** partly" in text and "**Your rating:** not rated" in text
    fenced = re.search(r"\n(~{4,})text\n(.*?)\n\1\n", text, re.S)  # a longer fence than the ~~~ inside the notes
    assert fenced and fenced.group(2) == notes


def test_the_topic_summary_averages_self_ratings():
    plan = mi.plan(BANK, mi.MockSettings(3, 120, "Behavioural only", mi.ANY_LEVEL, 4))
    answers = [mi.Answer(rating=r) for r in ("knew it", "not yet", None)]
    summary = mi.topic_summary(plan, answers)
    assert summary["questions"].sum() == 3 and summary["rated"].sum() == 2
    by_topic: dict[str, list[float]] = {}
    for q, a in zip(plan, answers):
        if a.rating:
            by_topic.setdefault(q.topic_title, []).append({"knew it": 100, "partly": 50, "not yet": 0}[a.rating])
    for _, row in summary.iterrows():
        values = by_topic.get(row["topic"])
        assert (row["self-rating (%)"] is None or row["self-rating (%)"] != row["self-rating (%)"]) if not values \
            else row["self-rating (%)"] == round(sum(values) / len(values))


def texts(at) -> str:
    return " ".join([m.value for m in at.markdown] + [h.value for h in at.subheader])


def test_the_page_runs_an_interview_from_start_to_summary():
    at = open_page(PAGE, {"mock.n": "3", "mock.seconds": "60", "mock.seed": "5"})
    assert_clean(at)
    s = mi.MockSettings(3, 60, mi.MIXES[0], mi.ANY_LEVEL, 5)
    plan = mi.plan(BANK, s)
    text = " ".join(m.value for m in at.markdown)
    assert "**3 questions**" in text and plan[0].question not in text  # hidden until the start
    at.button(key="mock.start").click().run()
    assert plan[0].question in texts(at)
    assert any("mlx-count-60" in h.proto.body for h in at.get("html"))
    at.text_area(key="mock.notes_0").input("<script>alert(1)</script> my *notes*").run()
    at.button(key="mock.next").click().run()
    assert plan[1].question in texts(at)
    at.button(key="mock.stop").click().run()  # stop after two answers
    assert_clean(at)
    metrics = metric_values(at)
    assert metrics["Questions answered"] == "2 of 3" and metrics["Over time"] == "0"
    assert "<script>alert(1)</script> my *notes*" in [t.value for t in at.text]  # shown as plain text
    assert not any("<script>" in m.value for m in at.markdown)
    at.button_group(key="mock.rate_0").set_value("not yet").run()
    assert_clean(at)
    summary = next(df.value for df in at.dataframe if "self-rating (%)" in df.value.columns)
    assert summary["rated"].sum() == 1
    from components.ui import progress_store
    doc = at.session_state[progress_store.DOC]
    assert doc["cards"][plan[0].id] == {"seen": 1, "ratings": 1, "rating": "not yet"}
    assert doc["cards"][plan[1].id]["seen"] == 1 and plan[2].id not in doc["cards"]
    at.button(key="mock.again").click().run()
    assert "**3 questions**" in " ".join(m.value for m in at.markdown)


def test_changing_a_control_changes_the_plan():
    at = open_page(PAGE)
    before = " ".join(m.value for m in at.markdown)
    at.slider(key="mock.n").set_value(7).run()
    assert "**7 questions**" in " ".join(m.value for m in at.markdown)
    at.selectbox(key="mock.mix").set_value("Behavioural only").run()
    assert "0 technical and 7 behavioural" in " ".join(m.value for m in at.markdown)
    at.select_slider(key="mock.seconds").set_value(60).run()
    assert "1:00 per answer, 7:00 in all" in " ".join(m.value for m in at.markdown)
    assert before != " ".join(m.value for m in at.markdown)
    assert pg.RATINGS == ("knew it", "partly", "not yet")
