"""Behavioural (STAR): each check with a story that passes and one that fails, the worked examples, the
exports; then the page from app.py (drafts per story, checks live, checklist ticks kept)."""
from __future__ import annotations

import pytest

from components import progress as pg
from components import star
from components.ui import progress_store
from tests.apptest_utils import assert_clean, open_page

PAGE = "views/interview/star.py"
GOOD = star.THEMES_BY_ID["tight-deadline"].example


def with_part(part: str, text: str) -> dict[str, str]:
    return {**GOOD, part: text}


def words(n: int, word: str = "detail") -> str:
    return " ".join([word] * n)


# Each rule: a story that passes it, one that fails it, and what the failure message must say.
RULES = {
    star.check_present: (GOOD, with_part("task", "I owned it."), "Task"),
    star.check_first_person: (GOOD, with_part("action", "The team cleaned the data and we retrained the model "
                                                        "and we shipped it."), "never says"),
    star.check_measured: (GOOD, with_part("result", "The campaign went well and everybody was happy with it."),
                          "Add a number"),
    star.check_length: (GOOD, {p: words(10) for p in star.PARTS}, "too short"),
    star.check_action_leads: (GOOD, with_part("situation", words(200)), "Situation is longer than the Action"),
}


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.__name__)
def test_each_check_passes_a_good_story_and_fails_a_broken_one(rule):
    good, bad, says = RULES[rule]
    assert rule(good).passed
    result = rule(bad)
    assert not result.passed and says in result.message


def test_first_person_counts_i_against_we():
    mixed = with_part("action", "We planned it together, we split the work, we tested it, and I wrote the model.")
    result = star.check_first_person(mixed)
    assert not result.passed and "\"we\" 3 times and \"I\" 1" in result.message
    assert star.check_first_person(with_part("action", "I wrote the model and we shipped it; my tests caught a bug."))\
        .passed
    assert not star.check_first_person(with_part("action", "Improving the pipeline was key.")).passed  # "I" in a word


def test_numbers_in_digits_or_words_count_but_one_does_not():
    for result in ("Churn fell 25%.", "We shipped two weeks early.", "Costs halved.", "It ran twice as fast."):
        assert star.check_measured(with_part("result", result)).passed, result
    for result in ("No one complained.", "It was one of our best launches."):
        assert not star.check_measured(with_part("result", result)).passed, result


def test_the_length_check_uses_the_speaking_rate():
    n_min = star.MIN_SECONDS * star.WORDS_PER_MINUTE // 60  # 140 words: one minute
    n_max = star.MAX_SECONDS * star.WORDS_PER_MINUTE // 60  # 350 words: two and a half minutes
    def story(n):
        return {"situation": words(10), "task": words(10), "action": words(n - 30), "result": words(10)}
    assert star.check_length(story(n_min)).passed and not star.check_length(story(n_min - 1)).passed
    assert star.check_length(story(n_max)).passed and not star.check_length(story(n_max + 1)).passed
    assert "About 1:00 of speech (140 words" in star.check_length(story(140)).message
    assert star.seconds(story(280)) == pytest.approx(120)


@pytest.mark.parametrize("theme", [t for t in star.THEMES if t.example], ids=lambda t: t.id)
def test_every_worked_example_passes_every_check(theme):
    failed = [r for r in star.check(theme.example) if not r.passed]
    assert not failed, failed


def test_the_worked_examples_cover_the_articles_stories():
    assert {"imbalanced-model", "non-technical", "tight-deadline", "ethical-concern"} <= \
        {t.id for t in star.THEMES if t.example}


def test_exports():
    drafts = {"tight-deadline": GOOD, "failure": {"situation": "A *bad* day <b>"}}
    text = star.stories_markdown(drafts)
    assert "2 stories" in text
    assert text.index("## A tight deadline") < text.index("## A failure or a mistake")  # the themes' order
    assert GOOD["action"] in text and "**Task.** (not written yet)" in text
    assert "- ✓ It fits two minutes" in text and "- ✗ Every part is there" in text
    examples = star.examples_markdown()
    for theme in star.THEMES:
        assert (f"## {theme.title}" in examples) == bool(theme.example)


def test_time_frame_adds_up_to_the_estimate():
    frame = star.time_frame(GOOD)
    assert frame["seconds"].sum() == pytest.approx(star.seconds(GOOD), abs=0.3)
    assert list(frame["words"]) == [star.words(GOOD[p]) for p in star.PARTS]


# ------------------------------------------------------------------------------------------------ the page

def passes(at) -> str:
    return next(m.value for m in at.markdown if m.value.startswith("**Checks**"))


def test_the_page_checks_a_draft_and_keeps_it_per_story():
    at = open_page(PAGE, {"star.story": "A tight deadline"})
    assert_clean(at)
    assert passes(at) == "**Checks** (0 of 5 pass)"
    for p in star.PARTS:
        at.text_area(key=f"star.{p}").input(GOOD[p])
    at.run()
    assert_clean(at)
    assert passes(at) == "**Checks** (5 of 5 pass)"
    assert at.session_state[progress_store.DOC]["star"]["tight-deadline"] == GOOD
    at.selectbox(key="star.story").set_value("ethical-concern").run()
    assert all(at.text_area(key=f"star.{p}").value == "" for p in star.PARTS)  # another story, its own draft
    at.text_area(key="star.result").input("<img src=x onerror=alert()> no figure").run()
    assert "Add a number" in " ".join(m.value for m in at.markdown)
    at.selectbox(key="star.story").set_value("tight-deadline").run()
    assert at.text_area(key="star.action").value == GOOD["action"]  # back: the draft is still there
    drafts = at.session_state[progress_store.DOC]["star"]
    assert set(drafts) == {"tight-deadline", "ethical-concern"}
    assert not any("<img" in m.value for m in at.markdown)


def test_checklist_ticks_are_kept_in_the_progress():
    at = open_page(PAGE)
    at.checkbox(key="star.check_portfolio-repo").check().run()
    at.checkbox(key="star.check_practice-mock").check().run()
    assert_clean(at)
    assert at.session_state[progress_store.DOC]["checklist"] == ["portfolio-repo", "practice-mock"]
    assert "2 of 13 done." in [c.value for c in at.caption]
    at.checkbox(key="star.check_portfolio-repo").uncheck().run()
    assert at.session_state[progress_store.DOC]["checklist"] == ["practice-mock"]


def test_an_uploaded_progress_file_fills_the_drafts_and_ticks_and_a_bad_one_changes_nothing():
    doc = pg.with_checklist(pg.with_story(pg.empty(), "tight-deadline", GOOD), ["company-team"])
    at = open_page(PAGE, {"star.story": "A tight deadline"})
    at.file_uploader(key=progress_store.UPLOAD_KEY).set_value(("mine.json", pg.encode(doc).encode(), "application/json"))
    at.run()
    assert_clean(at)
    assert at.text_area(key="star.action").value == GOOD["action"]
    assert at.checkbox(key="star.check_company-team").value
    assert "Progress loaded from mine.json." in [c.value for c in at.caption]
    at.file_uploader(key=progress_store.UPLOAD_KEY).set_value(("bad.json", b'{"version": 1, "x": 2}', "application/json"))
    at.run()
    assert_clean(at)
    assert any(c.value.startswith("bad.json was not loaded") for c in at.caption)
    assert at.session_state[progress_store.DOC] == doc


def test_a_link_cannot_set_a_draft_or_a_tick():
    at = open_page(PAGE, {"star.situation": "written by a link", "star.check_company-team": "true"})
    assert_clean(at)
    assert at.text_area(key="star.situation").value == ""
    assert not at.checkbox(key="star.check_company-team").value
    assert "star.situation" not in at.query_params and "star.check_company-team" not in at.query_params
