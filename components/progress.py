"""A learner's interview preparation: cards seen, self-ratings, auto-graded results, STAR drafts and the
preparation checklist, as one small JSON document that lives in the learner's browser.

Nothing here is stored on the server. The Interview pages keep the document in the session and hand it
to the browser (localStorage, through components/ui/progress_store.py) after every change; the learner
can also download it as a file and upload it on another machine. :func:`decode` accepts only a document
that matches :data:`SCHEMA`, so a corrupted or hostile file is refused with a message, never half-read.

Functions return new documents and never change their argument.
"""
from __future__ import annotations

import copy
import json

import jsonschema

VERSION = 1
RATINGS = ("knew it", "partly", "not yet")  # a learner's verdict on a flash card or a mock answer
RATING_SCORE = {"knew it": 1.0, "partly": 0.5, "not yet": 0.0}
STAR_PARTS = ("situation", "task", "action", "result")
MAX_TEXT = 3000  # characters in one STAR part (a two-minute story is ~300 words, ~1,800 characters)
MAX_CARDS = 5000
MAX_STORIES = 20
FILE_NAME = "ml-explorer-interview-progress.json"

_ID = {"type": "string", "pattern": r"^[a-z0-9-]{1,60}$"}
_COUNT = {"type": "integer", "minimum": 0, "maximum": 10**6}
SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "additionalProperties": False,
    "required": ["version"],
    "properties": {
        "version": {"const": VERSION},
        "cards": {"type": "object", "maxProperties": MAX_CARDS, "propertyNames": {"pattern": _ID["pattern"]},
                  "additionalProperties": {
                      "type": "object", "additionalProperties": False, "required": ["seen", "ratings"],
                      "properties": {"seen": _COUNT, "ratings": _COUNT,
                                     "rating": {"enum": [*RATINGS, None]}}}},
        "graded": {"type": "object", "maxProperties": 100, "propertyNames": {"pattern": _ID["pattern"]},
                   "additionalProperties": {"type": "object", "additionalProperties": False,
                                            "required": ["right", "asked"],
                                            "properties": {"right": _COUNT, "asked": _COUNT}}},
        "star": {"type": "object", "maxProperties": MAX_STORIES, "propertyNames": {"pattern": _ID["pattern"]},
                 "additionalProperties": {"type": "object", "additionalProperties": False,
                                          "properties": {p: {"type": "string", "maxLength": MAX_TEXT}
                                                         for p in STAR_PARTS}}},
        "checklist": {"type": "array", "maxItems": 200, "uniqueItems": True, "items": _ID},
    },
}


class ProgressError(ValueError):
    """A stored or uploaded progress document that cannot be used; the message says why."""


def empty() -> dict:
    return {"version": VERSION, "cards": {}, "graded": {}, "star": {}, "checklist": []}


def _complete(doc: dict) -> dict:
    """Every section present (a document may omit the empty ones)."""
    return {**empty(), **copy.deepcopy(doc)}


def encode(doc: dict) -> str:
    """The document as compact JSON, keys sorted: the same progress always gives the same text."""
    return json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def decode(text: str | bytes) -> dict:
    """The progress document in ``text``; raises ProgressError when it is not one."""
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ProgressError("the file is not UTF-8 text") from exc
    if len(text) > 2_000_000:
        raise ProgressError("the file is larger than any progress document (2 MB)")
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ProgressError(f"the file is not JSON ({exc.msg} at character {exc.pos})") from exc
    if not isinstance(doc, dict):
        raise ProgressError("the file is not a progress document (expected a JSON object)")
    if doc.get("version") != VERSION:
        raise ProgressError(f"the file is not a version-{VERSION} progress document of ML Explorer")
    error = jsonschema.exceptions.best_match(jsonschema.Draft202012Validator(SCHEMA).iter_errors(doc))
    if error is not None:
        where = "/".join(map(str, error.absolute_path)) or "top level"
        raise ProgressError(f"the file does not fit the progress format at {where}: {error.message[:200]}")
    return _complete(doc)


def is_empty(doc: dict) -> bool:
    return not (doc.get("cards") or doc.get("graded") or any(any(s.values()) for s in doc.get("star", {}).values())
                or doc.get("checklist"))


# ------------------------------------------------------------------------------------------------ updates

def _card(doc: dict, qid: str) -> dict:
    return doc["cards"].setdefault(qid, {"seen": 0, "ratings": 0, "rating": None})


def record_seen(doc: dict, qid: str) -> dict:
    """A flash card (or a mock-interview question) was shown."""
    out = _complete(doc)
    _card(out, qid)["seen"] += 1
    return out


def record_rating(doc: dict, qid: str, rating: str) -> dict:
    """The learner rated their answer to a question; the latest rating is the one that counts."""
    if rating not in RATINGS:
        raise ValueError(f"unknown rating {rating!r}")
    out = _complete(doc)
    card = _card(out, qid)
    card["ratings"] += 1
    card["rating"] = rating
    return out


def record_graded(doc: dict, topic: str, right: bool) -> dict:
    """An auto-graded item of ``topic`` was answered, rightly or not."""
    out = _complete(doc)
    tally = out["graded"].setdefault(topic, {"right": 0, "asked": 0})
    tally["asked"] += 1
    tally["right"] += int(bool(right))
    return out


def with_story(doc: dict, story_id: str, parts: dict[str, str]) -> dict:
    """The STAR draft ``story_id`` replaced by ``parts`` (an all-empty draft is removed)."""
    out = _complete(doc)
    kept = {p: str(parts.get(p, ""))[:MAX_TEXT] for p in STAR_PARTS if str(parts.get(p, "")).strip()}
    if kept:
        out["star"][story_id] = kept
    else:
        out["star"].pop(story_id, None)
    return out


def with_checklist(doc: dict, ticked: list[str]) -> dict:
    out = _complete(doc)
    out["checklist"] = sorted(set(ticked))
    return out


def combine(stored: dict, session: dict) -> dict:
    """What this browser had stored, plus what the learner did in this session before the stored
    document arrived (a page is usable at once; the browser answers a moment later). Counts add up,
    the session's latest rating and non-empty draft parts win, ticks are united."""
    out = _complete(stored)
    for qid, card in session.get("cards", {}).items():
        mine = _card(out, qid)
        mine["seen"] += card["seen"]
        mine["ratings"] += card["ratings"]
        if card.get("rating"):
            mine["rating"] = card["rating"]
    for topic, tally in session.get("graded", {}).items():
        mine = out["graded"].setdefault(topic, {"right": 0, "asked": 0})
        mine["right"] += tally["right"]
        mine["asked"] += tally["asked"]
    for story_id, parts in session.get("star", {}).items():
        out["star"][story_id] = {**out["star"].get(story_id, {}), **{p: t for p, t in parts.items() if t.strip()}}
    out["checklist"] = sorted(set(out["checklist"]) | set(session.get("checklist", [])))
    return out


# ------------------------------------------------------------------------------------------------ summaries

def totals(doc: dict) -> dict[str, int]:
    """Counts a learner sees: questions seen and rated, auto-graded items answered and right."""
    cards = doc.get("cards", {}).values()
    graded = doc.get("graded", {}).values()
    return {"seen": sum(1 for c in cards if c["seen"]), "rated": sum(1 for c in cards if c["rating"]),
            "ratings": sum(c["ratings"] for c in cards), "asked": sum(t["asked"] for t in graded),
            "right": sum(t["right"] for t in graded)}
