"""The interview question bank: one reviewed data file, its schema and the queries the pages make.

The bank is data, not code: ``sample_data/question_bank.yaml`` (format in sample_data/README.md). While
it is being written in parts, the parts in ``sample_data/bank_parts/*.yaml`` are read in file-name order
instead; the single file wins as soon as it exists. Every entry is checked against :data:`SCHEMA`
(JSON Schema, validated with ``jsonschema``) and ids must be unique; a bank that breaks either raises
:class:`BankError` with every problem listed, so a bad edit fails the tests instead of a page.

A "Show me" link is a page (its ``url_path`` in components/catalog.py) and the URL state that
demonstrates the answer; ``checks`` are claims about the page's ``st.metric`` values at that state
that tests/test_question_bank.py opens the page to verify.
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import jsonschema
import pandas as pd
import yaml

from components import charts, memo

DATA = Path(__file__).resolve().parent.parent / "sample_data"
SINGLE_FILE = DATA / "question_bank.yaml"
PARTS_DIR = DATA / "bank_parts"

# The article's sections, in its order; every topic carries at least three questions (tested).
TOPICS = ("fundamentals", "data-preprocessing", "feature-engineering", "models", "unsupervised", "evaluation",
          "overfitting", "tuning", "imbalanced-data", "data-leakage", "scalability", "interpretability",
          "deep-learning", "applications", "ethics", "behavioural", "preparation")
TOPIC_TITLES = {
    "fundamentals": "Fundamentals", "data-preprocessing": "Data preprocessing",
    "feature-engineering": "Feature engineering", "models": "Models", "unsupervised": "Unsupervised learning",
    "evaluation": "Evaluation", "overfitting": "Overfitting", "tuning": "Tuning", "imbalanced-data": "Imbalanced data",
    "data-leakage": "Data leakage", "scalability": "Scalability", "interpretability": "Interpretability",
    "deep-learning": "Deep learning", "applications": "Applications", "ethics": "Ethics",
    "behavioural": "Behavioural", "preparation": "Preparation",
}
LEVELS = ("junior", "mid", "senior")
# The question bank page's controls (views/interview/question_bank.py); ``bank.q`` opens one question,
# which is how other pages link to an answer: /question-bank?bank.q=<id>.
SEARCH_KEY, TOPICS_KEY, LEVELS_KEY, KIND_KEY, OPEN_KEY = "bank.search", "bank.topics", "bank.levels", "bank.kind", "bank.q"
ALL_KINDS = "both"
KIND_OPTIONS = (ALL_KINDS, "technical", "behavioural")
KINDS = ("technical", "behavioural")
EXPECT_RELATIVE = ("higher", "lower")  # the metric at the link's state vs at the state with `than` applied
EXPECT_ABSOLUTE = ("above", "below")  # the metric at the link's state vs a fixed `value`

_STATE_KEY = r"^[a-z][a-z0-9_]*\.[a-z0-9_.]+$"  # a namespaced widget key: app.seed, eval.threshold
_STATE = {"type": "object", "propertyNames": {"pattern": _STATE_KEY},
          "additionalProperties": {"anyOf": [{"type": ["string", "number", "boolean"]},  # a multiselect: a list
                                             {"type": "array", "items": {"type": ["string", "number"]}}]}}
_CHECK = {
    "type": "object",
    "oneOf": [
        {"required": ["metric", "expect", "than"], "additionalProperties": False,
         "properties": {"metric": {"type": "string", "minLength": 1}, "expect": {"enum": list(EXPECT_RELATIVE)},
                        "than": {**_STATE, "minProperties": 1}}},
        {"required": ["metric", "expect", "value"], "additionalProperties": False,
         "properties": {"metric": {"type": "string", "minLength": 1}, "expect": {"enum": list(EXPECT_ABSOLUTE)},
                        "value": {"type": "number"}}},
    ],
}
_LINK = {
    "type": "object", "additionalProperties": False, "required": ["page", "state", "shows"],
    "properties": {
        "page": {"type": "string", "pattern": r"^[a-z0-9-]+$"},
        "state": _STATE,
        "shows": {"type": "string", "minLength": 10},
        "checks": {"type": "array", "minItems": 1, "items": _CHECK},
    },
}
_TEXT_LIST = {"type": "array", "items": {"type": "string", "minLength": 5}}
SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "ML Explorer question bank",
    "type": "array",
    "items": {
        "type": "object",
        "additionalProperties": False,
        "required": ["id", "topic", "level", "kind", "question", "answer", "mistakes", "follow_ups", "pages"],
        "properties": {
            "id": {"type": "string", "pattern": r"^[a-z0-9]+(-[a-z0-9]+)*$", "maxLength": 60},
            "topic": {"enum": list(TOPICS)},
            "level": {"enum": list(LEVELS)},
            "kind": {"enum": list(KINDS)},
            "question": {"type": "string", "minLength": 10},
            "answer": {"type": "string", "minLength": 80},
            "mistakes": {**_TEXT_LIST, "minItems": 1, "maxItems": 3},
            "follow_ups": {**_TEXT_LIST, "minItems": 1, "maxItems": 2},
            "show_me": {"type": "array", "minItems": 1, "items": _LINK},
            "pages": {"type": "array", "uniqueItems": True, "items": {"type": "string", "pattern": r"^[a-z0-9-]+$"}},
        },
        # technical questions link to live proof; a behavioural answer has nothing to demonstrate on a page
        "if": {"properties": {"kind": {"const": "technical"}}},
        "then": {"required": ["show_me"]},
        "else": {"not": {"required": ["show_me"]}},
    },
}


class BankError(ValueError):
    """The bank's data breaks the schema or repeats an id; the message lists every problem."""


def url_text(value) -> str | tuple[str, ...]:
    """A YAML value as the URL carries it: true/false for booleans, str() for numbers and text, and a
    list (a multiselect's choices) as one value per choice (the URL repeats the key)."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, (list, tuple)):
        return tuple(str(v) for v in value)
    return str(value)


State = tuple[tuple[str, str | tuple[str, ...]], ...]


def _state(raw: dict | None) -> State:
    return tuple((str(k), url_text(v)) for k, v in (raw or {}).items())


@dataclass(frozen=True)
class Check:
    metric: str  # an st.metric label on the linked page, exactly as shown
    expect: str  # higher | lower (against the `than` state) or above | below (against `value`)
    than: State = ()
    value: float | None = None

    def describe(self) -> str:
        if self.than:
            changed = ", ".join(f"{k} = {v}" for k, v in self.than)
            return f"{self.metric} is {self.expect} than with {changed}"
        return f"{self.metric} is {self.expect} {self.value:g}"


@dataclass(frozen=True)
class ShowMe:
    page: str  # url_path of a page in the catalogue
    state: State  # URL query values, as the URL carries them
    shows: str  # what the learner sees there, one sentence
    checks: tuple[Check, ...] = ()

    def query(self, overrides: State = ()) -> dict[str, str | list[str]]:
        """The URL query (st.page_link's query_params): a list where the URL repeats a key."""
        return {k: list(v) if isinstance(v, tuple) else v for k, v in (*self.state, *overrides)}

    def url(self, base: str = "") -> str:
        """The link as an address: ``base`` is the app's root (empty: a path from the root)."""
        query = urlencode(self.query(), doseq=True)
        return f"{base.rstrip('/')}/{self.page}" + (f"?{query}" if query else "")


@dataclass(frozen=True)
class Question:
    id: str
    topic: str
    level: str
    kind: str
    question: str
    answer: str
    mistakes: tuple[str, ...]
    follow_ups: tuple[str, ...]
    show_me: tuple[ShowMe, ...]
    pages: tuple[str, ...]

    @property
    def topic_title(self) -> str:
        return TOPIC_TITLES[self.topic]

    def text(self) -> str:
        """Everything a search looks through, lower-cased."""
        return " ".join((self.id, self.topic, self.topic_title, self.level, self.kind, self.question, self.answer,
                         *self.mistakes, *self.follow_ups, *(s.shows for s in self.show_me))).lower()


def _question(raw: dict) -> Question:
    links = tuple(
        ShowMe(link["page"], _state(link["state"]), " ".join(str(link["shows"]).split()),
               tuple(Check(c["metric"], c["expect"], _state(c.get("than")), c.get("value")) for c in link.get("checks", ())))
        for link in raw.get("show_me", ()))
    return Question(raw["id"], raw["topic"], raw["level"], raw["kind"], " ".join(raw["question"].split()),
                    " ".join(raw["answer"].split()), tuple(" ".join(m.split()) for m in raw["mistakes"]),
                    tuple(" ".join(f.split()) for f in raw["follow_ups"]), links, tuple(raw["pages"]))


def problems(data) -> list[str]:
    """Every way ``data`` (the parsed YAML list) breaks the schema or repeats an id; [] when valid."""
    validator = jsonschema.Draft202012Validator(SCHEMA)
    found = []
    for error in sorted(validator.iter_errors(data), key=lambda e: list(map(str, e.absolute_path))):
        where = list(error.absolute_path)
        entry = data[where[0]] if where and isinstance(data, list) and isinstance(data[where[0]], dict) else {}
        name = entry.get("id", f"entry {where[0] + 1}") if where else "the file"
        found.append(f"{name} at {'/'.join(map(str, where[1:])) or 'top'}: {error.message[:300]}")
    if isinstance(data, list):
        seen: set[str] = set()
        for entry in data:
            qid = entry.get("id") if isinstance(entry, dict) else None
            if qid in seen:
                found.append(f"{qid}: the id is used more than once")
            seen.add(qid)
    return found


def parse(data) -> tuple[Question, ...]:
    found = problems(data)
    if found:
        raise BankError(f"{len(found)} problem(s) in the question bank: " + "; ".join(found[:20]))
    return tuple(_question(raw) for raw in data)


def source_files() -> tuple[Path, ...]:
    """The single bank file when it exists, else every part in file-name order."""
    if SINGLE_FILE.exists():
        return (SINGLE_FILE,)
    return tuple(sorted(PARTS_DIR.glob("*.yaml")))


def read(files: tuple[Path, ...]) -> list:
    data: list = []
    for path in files:
        part = yaml.safe_load(path.read_text(encoding="utf-8")) or []
        if not isinstance(part, list):
            raise BankError(f"{path.name}: the file must be a YAML list of questions")
        data.extend(part)
    return data


def fingerprint() -> tuple[tuple[str, int], ...]:
    """The source files and their modification times: the cache key of :func:`load_cached`."""
    return tuple((str(p), p.stat().st_mtime_ns) for p in source_files())


@memo.cached(max_entries=2, shared=True)  # one entry: the parsed bank (~150 small frozen objects)
def load_cached(files: tuple[tuple[str, int], ...]) -> tuple[Question, ...]:
    return parse(read(tuple(Path(p) for p, _ in files)))


def load() -> tuple[Question, ...]:
    """The bank, parsed once per version of its files."""
    return load_cached(fingerprint())


# ------------------------------------------------------------------------------------------------- queries

def by_id(questions: tuple[Question, ...]) -> dict[str, Question]:
    return {q.id: q for q in questions}


def for_page(questions: tuple[Question, ...], url_path: str) -> list[Question]:
    """The questions a page lists in its footer (their ``pages`` name it), in bank order."""
    return [q for q in questions if url_path in q.pages]


def matches(q: Question, text: str) -> bool:
    """True when every word of ``text`` occurs in the question's text (case-insensitive)."""
    haystack = q.text()
    return all(word in haystack for word in text.lower().split())


def select(questions: tuple[Question, ...] | list[Question], topics=(), levels=(), kinds=(),
           text: str = "") -> list[Question]:
    """The questions in any of ``topics``, ``levels`` and ``kinds`` (empty: all) whose text matches."""
    return [q for q in questions
            if (not topics or q.topic in topics) and (not levels or q.level in levels)
            and (not kinds or q.kind in kinds) and matches(q, text)]


def counts(questions: list[Question]) -> pd.DataFrame:
    """Questions per topic and level (every topic and level present, zeros included), for the chart."""
    rows = [{"topic": TOPIC_TITLES[t], "level": lv, "questions": sum(q.topic == t and q.level == lv for q in questions)}
            for t in TOPICS for lv in LEVELS]
    return pd.DataFrame(rows)


_ABBREVIATIONS = ("e.g.", "i.e.", "etc.", "vs.", "cf.", "approx.", "incl.", "no.", "fig.")


@memo.cached(max_entries=32)
def counts_spec(rows: tuple[tuple[str, str, int], ...]) -> dict:
    """Questions per topic, stacked by level (topics in the article's order)."""
    import altair as alt

    df = pd.DataFrame(rows, columns=["topic", "level", "questions"])
    order = [TOPIC_TITLES[t] for t in TOPICS]
    chart = alt.Chart(df).mark_bar().encode(
        x=alt.X("questions:Q", title="questions", stack="zero"),
        y=alt.Y("topic:N", sort=order, title=None, axis=alt.Axis(labelOverlap=False, labelLimit=220)),
        color=alt.Color("level:N", sort=list(LEVELS), scale=alt.Scale(domain=list(LEVELS), range=charts.OKABE_ITO[:3])),
        order=alt.Order("rank:Q"),
        tooltip=[alt.Tooltip("topic:N"), alt.Tooltip("level:N"), alt.Tooltip("questions:Q")],
    ).transform_calculate(rank=f"indexof({list(LEVELS)!r}, datum.level)")
    return charts.to_spec(chart.properties(height=20 * len(order), width="container",
                                           title="Questions per topic and level"))


def sentences(text: str) -> list[str]:
    """A paragraph split into sentences: at . ! or ? followed by a space, except after an abbreviation
    ("e.g. the" does not end one); a sentence may start in lower case ("t-SNE is ...")."""
    out: list[str] = []
    for piece in re.split(r"(?<=[.!?])\s+", text.strip()):
        if out and out[-1].lower().endswith(_ABBREVIATIONS):
            out[-1] += " " + piece
        elif piece:
            out.append(piece)
    return out


# ------------------------------------------------------------------------------------------------- exports

def to_markdown(questions: list[Question], base_url: str = "", title: str = "ML interview questions") -> str:
    """The questions as a Markdown study sheet: answer, mistakes, follow-ups and the "Show me" links."""
    lines = [f"# {title}", "", f"{len(questions)} question(s) from ML Explorer's question bank.", ""]
    for q in questions:
        lines += [f"## {q.question}", "", f"*{q.topic_title} · {q.level} · {q.kind}* (id `{q.id}`)", "", q.answer, "",
                  "**Common mistakes**", ""]
        lines += [f"- {m}" for m in q.mistakes]
        lines += ["", "**Follow-up questions**", ""] + [f"- {f}" for f in q.follow_ups]
        if q.show_me:
            lines += ["", "**Show me**", ""] + [f"- [{s.shows}]({s.url(base_url)})" for s in q.show_me]
        lines.append("")
    return "\n".join(lines)


FLASHCARD_COLUMNS = ("front", "back", "topic", "level", "id")


def to_flashcards_csv(questions: list[Question]) -> str:
    """One card per question: the question on the front, the model answer on the back (a CSV that
    Anki and most flash-card apps import; the extra columns can be mapped to tags)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(FLASHCARD_COLUMNS)
    for q in questions:
        writer.writerow((q.question, q.answer, q.topic_title, q.level, q.id))
    return out.getvalue()
