"""The learner's progress document: it round-trips, refuses what is not one, and merges a session into
what the browser had stored."""
from __future__ import annotations

import json

import pytest

from components import progress as pg


def sample() -> dict:
    doc = pg.empty()
    doc = pg.record_seen(doc, "eval-threshold-recall")
    doc = pg.record_rating(doc, "eval-threshold-recall", "partly")
    doc = pg.record_rating(doc, "eval-threshold-recall", "not yet")
    doc = pg.record_seen(doc, "beh-star-method")
    doc = pg.record_graded(doc, "evaluation", True)
    doc = pg.record_graded(doc, "evaluation", False)
    doc = pg.with_story(doc, "tight-deadline", {"situation": "Two weeks before… «quotes» and ünïcode",
                                                "action": "I <b>cut</b> scope; `code` $x$", "task": "", "result": "   "})
    return pg.with_checklist(doc, ["portfolio-repo", "company-team", "portfolio-repo"])


def test_encode_then_decode_gives_the_same_document():
    doc = sample()
    text = pg.encode(doc)
    assert pg.decode(text) == doc
    assert pg.decode(text.encode("utf-8")) == doc  # an uploaded file arrives as bytes
    assert pg.encode(pg.decode(text)) == text  # the text is canonical (sorted keys)


def test_updates_count_and_never_change_their_argument():
    doc = sample()
    before = json.loads(pg.encode(doc))
    card = doc["cards"]["eval-threshold-recall"]
    assert card == {"seen": 1, "ratings": 2, "rating": "not yet"}  # the latest rating counts
    assert doc["cards"]["beh-star-method"] == {"seen": 1, "ratings": 0, "rating": None}
    assert doc["graded"] == {"evaluation": {"right": 1, "asked": 2}}
    assert doc["star"] == {"tight-deadline": {"situation": "Two weeks before… «quotes» and ünïcode",
                                              "action": "I <b>cut</b> scope; `code` $x$"}}  # empty parts dropped
    assert doc["checklist"] == ["company-team", "portfolio-repo"]
    pg.record_rating(doc, "eval-threshold-recall", "knew it")
    pg.with_story(doc, "tight-deadline", {})
    assert json.loads(pg.encode(doc)) == before
    assert "tight-deadline" not in pg.with_story(doc, "tight-deadline", {"situation": " "})["star"]
    with pytest.raises(ValueError):
        pg.record_rating(doc, "x", "sort of")


def test_totals():
    assert pg.totals(sample()) == {"seen": 2, "rated": 1, "ratings": 2, "asked": 2, "right": 1}
    assert pg.is_empty(pg.empty()) and not pg.is_empty(sample())


@pytest.mark.parametrize("text, says", [
    ("not json", "not JSON"),
    ("[1, 2]", "expected a JSON object"),
    ('{"version": 2}', "version-1"),
    ('{"version": 1, "cards": {"x": {"seen": 1, "ratings": 0, "rating": "sort of"}}}', "cards/x/rating"),
    ('{"version": 1, "cards": {"x": {"seen": -1, "ratings": 0}}}', "cards/x/seen"),
    ('{"version": 1, "cards": {"Bad Id": {"seen": 1, "ratings": 0}}}', "cards"),
    ('{"version": 1, "star": {"s": {"situation": "' + "x" * (pg.MAX_TEXT + 1) + '"}}}', "star/s/situation"),
    ('{"version": 1, "star": {"s": {"plot": "twist"}}}', "star/s"),
    ('{"version": 1, "secret": "field"}', "top level"),
])
def test_decode_refuses_what_is_not_a_progress_document(text, says):
    with pytest.raises(pg.ProgressError, match=says):
        pg.decode(text)


def test_decode_refuses_bytes_that_are_not_utf8():
    with pytest.raises(pg.ProgressError, match="UTF-8"):
        pg.decode(b"\xff\xfe\x00")


def test_combine_adds_the_session_to_what_the_browser_stored():
    stored = sample()
    session = pg.empty()
    session = pg.record_seen(session, "eval-threshold-recall")
    session = pg.record_rating(session, "eval-threshold-recall", "knew it")
    session = pg.record_rating(session, "new-question", "partly")
    session = pg.record_graded(session, "evaluation", True)
    session = pg.with_story(session, "tight-deadline", {"task": "I owned the forecast.", "situation": ""})
    session = pg.with_checklist(session, ["practice-mock"])
    out = pg.combine(stored, session)
    assert out["cards"]["eval-threshold-recall"] == {"seen": 2, "ratings": 3, "rating": "knew it"}
    assert out["cards"]["new-question"] == {"seen": 0, "ratings": 1, "rating": "partly"}
    assert out["graded"]["evaluation"] == {"right": 2, "asked": 3}
    assert out["star"]["tight-deadline"] == {**stored["star"]["tight-deadline"], "task": "I owned the forecast."}
    assert out["checklist"] == ["company-team", "portfolio-repo", "practice-mock"]
    assert pg.combine(stored, pg.empty()) == stored
    assert pg.decode(pg.encode(out)) == out
