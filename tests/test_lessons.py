"""Lesson paths: the data file is valid, and every step opens its page with no error and with every
linked value taken as given (a value the page cannot take would be silently replaced)."""
from __future__ import annotations

import pytest

from components import catalog, lessons
from tests.apptest_utils import assert_clean, open_page, widgets

LESSONS = lessons.load()
STEPS = [(les, i) for les in LESSONS for i in range(len(les.steps))]


def as_url_text(value) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, (list, tuple)):
        return ",".join(map(str, value))
    return str(value)


def test_the_file_has_the_lessons_the_issue_names():
    ids = {les.id for les in LESSONS}
    assert {"threshold-roc", "bias-variance", "missing-data", "leakage", "imbalanced", "tuning"} <= ids
    for les in LESSONS:
        assert all(2 <= len(s.points) <= 3 and s.ask.endswith("?") for s in les.steps), les.id


def test_bad_lesson_links_name_no_step():
    assert lessons.find(LESSONS, "no-such-lesson", "1") is None
    assert lessons.find(LESSONS, LESSONS[0].id, "0") is None
    assert lessons.find(LESSONS, LESSONS[0].id, str(len(LESSONS[0].steps) + 1)) is None
    assert lessons.find(LESSONS, LESSONS[0].id, "1e9") is None


@pytest.mark.parametrize("lesson,index", STEPS, ids=[f"{les.id}-{i + 1}" for les, i in STEPS])
def test_every_step_opens_with_its_values_taken(lesson, index):
    step = lesson.steps[index]
    at = open_page(catalog.find(step.page).path, step.query(lesson.id, index + 1))
    assert_clean(at, f"{lesson.id} step {index + 1}")
    shown = widgets(at)
    for key, value in step.state:
        assert key in shown, f"{lesson.id} step {index + 1}: no control {key} on {step.page}"
        kind, w = shown[key]
        got = w.value[0] if kind == "button_group" and isinstance(w.value, list) and len(w.value) == 1 else w.value
        assert as_url_text(got) == value or (isinstance(got, float) and float(value) == got), (key, got, value)
    text = " ".join(str(m.value) for m in at.markdown)
    assert step.ask in text, "the lesson bar shows the step's question"
