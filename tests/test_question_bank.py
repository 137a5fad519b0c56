"""The question bank: its file validates and its "Show me" links really show what the answers claim.

Tests marked ``full_bank`` state what the finished bank must hold (150 questions, every topic of the
article, 30 machine-checked links); they fail while the bank is still being written in parts.

The link tests run one test per linked page: each distinct linked state is opened from app.py as a
visitor's link would open it (no state is reused across links), must show no exception or error box,
must show every linked control at exactly the linked value (the controls layer would otherwise replace
it and say so in a caption), and every ``check`` is asserted on the page's st.metric values.
"""
from __future__ import annotations

import copy
import math
import re

import pytest
import yaml

from components import catalog
from components import question_bank as qb
from tests.apptest_utils import metric_values, open_page, problems, widgets

BANK = qb.load()
RAW = qb.read(qb.source_files())
LINKS = [(q, link) for q in BANK for link in q.show_me]
PAGES = {p.url_path: p for p in catalog.PAGES}
REJECTED_NOTE = "The link's value for"  # the controls layer's note when it replaced a link's value


# ------------------------------------------------------------------------------------------------ the file

def test_the_bank_validates_against_its_schema():
    assert qb.problems(RAW) == []
    assert len(BANK) == len(RAW) > 0


def test_ids_are_unique_and_stable_slugs():
    ids = [q.id for q in BANK]
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", i) for i in ids)


def test_answers_have_three_to_eight_sentences():
    wrong = {q.id: len(qb.sentences(q.answer)) for q in BANK if not 3 <= len(qb.sentences(q.answer)) <= 8}
    assert not wrong, wrong


def test_technical_questions_link_to_live_proof_and_behavioural_ones_do_not():
    assert all(q.show_me for q in BANK if q.kind == "technical")
    assert not any(q.show_me for q in BANK if q.kind == "behavioural")


def test_links_and_footers_name_pages_of_the_app():
    unknown = sorted({f"{q.id} -> {link.page}" for q, link in LINKS if link.page not in PAGES}
                     | {f"{q.id} footer -> {p}" for q in BANK for p in q.pages if p not in PAGES})
    assert not unknown, unknown


@pytest.mark.parametrize("change, why", [
    (lambda e: e.pop("answer"), "a missing field"),
    (lambda e: e.update(level="expert"), "an unknown level"),
    (lambda e: e.update(topic="astrology"), "an unknown topic"),
    (lambda e: e.update(id="Has Spaces"), "an id that is not a slug"),
    (lambda e: e.update(mistakes=[]), "no common mistake"),
    (lambda e: e.update(follow_ups=["a?", "b?", "c?"]), "three follow-ups"),
    (lambda e: e.pop("show_me"), "a technical question without a link"),
    (lambda e: e["show_me"][0].update(state={"threshold": 0.2}), "a state key without a namespace"),
    (lambda e: e["show_me"][0].update(checks=[{"metric": "recall", "expect": "higher", "value": 0.5}]),
     "a relative check with an absolute value"),
    (lambda e: e["show_me"][0].update(checks=[{"metric": "recall", "expect": "sideways", "than": {"a.b": 1}}]),
     "an unknown expectation"),
    (lambda e: e.update(surprise="field"), "a field the format does not have"),
])
def test_the_schema_rejects_broken_entries(change, why):
    technical = copy.deepcopy(next(e for e in RAW if e["kind"] == "technical"))
    change(technical)
    assert qb.problems([technical]), why


def test_the_schema_rejects_a_behavioural_question_with_a_link_and_repeated_ids():
    behavioural = copy.deepcopy(next(e for e in RAW if e["kind"] == "behavioural"))
    linked = {**behavioural, "show_me": [{"page": "cockpit", "state": {}, "shows": "Nothing to show here."}]}
    assert qb.problems([linked])
    assert any("more than once" in p for p in qb.problems([behavioural, behavioural]))
    with pytest.raises(qb.BankError):
        qb.parse([behavioural, behavioural])


def test_the_single_file_wins_over_the_parts(tmp_path, monkeypatch):
    entry = next(e for e in RAW if e["kind"] == "behavioural")
    parts = tmp_path / "bank_parts"
    parts.mkdir()
    for name, suffix in (("b.yaml", "two"), ("a.yaml", "one")):
        (parts / name).write_text(yaml.safe_dump([{**entry, "id": f"part-{suffix}"}]))
    monkeypatch.setattr(qb, "PARTS_DIR", parts)
    monkeypatch.setattr(qb, "SINGLE_FILE", tmp_path / "question_bank.yaml")
    assert [q.id for q in qb.parse(qb.read(qb.source_files()))] == ["part-one", "part-two"]  # file-name order
    (tmp_path / "question_bank.yaml").write_text(yaml.safe_dump([{**entry, "id": "single"}]))
    assert [q.id for q in qb.parse(qb.read(qb.source_files()))] == ["single"]


def test_queries_filter_search_and_list_page_questions():
    technical = qb.select(BANK, kinds=("technical",))
    assert technical and all(q.kind == "technical" for q in technical)
    some = BANK[0]
    assert some in qb.select(BANK, topics=(some.topic,), levels=(some.level,))
    assert qb.select(BANK, text="zzzz-no-such-word") == []
    word = some.question.split()[-1].strip("?.").upper()
    assert some in qb.select(BANK, text=word)  # case-insensitive
    for url_path in {p for q in BANK for p in q.pages}:
        assert all(url_path in q.pages for q in qb.for_page(BANK, url_path))


def test_exports_hold_every_chosen_question():
    import csv
    import io

    chosen = list(BANK[:5])
    text = qb.to_markdown(chosen, "https://example.org/app")
    for q in chosen:
        assert f"## {q.question}" in text and q.answer in text
        for link in q.show_me:
            assert f"(https://example.org/app/{link.page}" in text
    rows = list(csv.DictReader(io.StringIO(qb.to_flashcards_csv(chosen))))
    assert [r["front"] for r in rows] == [q.question for q in chosen]
    assert [r["back"] for r in rows] == [q.answer for q in chosen]
    assert [r["id"] for r in rows] == [q.id for q in chosen]


# ------------------------------------------------------------------------------------------------ full bank

@pytest.mark.full_bank
def test_full_bank_has_at_least_150_questions():
    assert len(BANK) >= 150, f"{len(BANK)} questions"


@pytest.mark.full_bank
def test_full_bank_covers_every_topic_with_at_least_3_questions():
    counts = {t: sum(q.topic == t for q in BANK) for t in qb.TOPICS}
    assert all(n >= 3 for n in counts.values()), {t: n for t, n in counts.items() if n < 3}


@pytest.mark.full_bank
def test_full_bank_has_at_least_30_machine_checked_links():
    assert sum(bool(link.checks) for _, link in LINKS) >= 30


# ------------------------------------------------------------------------------------------------ the links

def as_url_texts(w, value) -> set[str]:
    """How a widget's value can appear in a URL: str() (true/false for flags) and its formatted label."""
    texts = set()
    values = value if isinstance(value, (list, tuple)) else [value]
    fmt = None
    try:
        fmt = getattr(w, "format_func", None)
    except Exception:  # AppTest raises when a widget saved no format_func
        fmt = None
    for form in (lambda v: str(v).lower() if isinstance(v, bool) else str(v), fmt):
        if form is None:
            continue
        try:
            shown = tuple(str(form(v)) for v in values)
        except Exception:
            continue
        texts.add(shown if isinstance(value, (list, tuple)) else shown[0])
    return texts


def taken_as_given(w, value, linked) -> bool:
    texts = as_url_texts(w, value)
    if linked in texts:
        return True
    try:  # a number the URL writes another way (0.10 for 0.1)
        return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isclose(float(linked), value)
    except (TypeError, ValueError):
        return False


def number(text: str) -> float:
    found = re.search(r"[-+−]?\d[\d,]*(\.\d+)?(e[-+]?\d+)?", text.replace("−", "-"))
    if not found:
        raise ValueError(f"no number in {text!r}")
    return float(found.group(0).replace(",", ""))


def open_state(path: str, query: dict) -> tuple[list[str], dict, dict]:
    """Open a page at a URL state: (problems, keyed widgets, metric label -> value shown)."""
    at = open_page(path, query)
    found = problems(at)
    notes = [c.value for c in at.caption if REJECTED_NOTE in str(c.value)]
    found += [f"rejected value: {n[:200]}" for n in notes]
    return found, widgets(at), metric_values(at)


def check_links(url_path: str) -> list[str]:
    """Open every link to ``url_path`` and every state its checks compare with; every failure, described."""
    path = PAGES[url_path].path
    failures: list[str] = []
    opened: dict[tuple, tuple[list[str], dict, dict]] = {}

    def state(query: dict) -> tuple[list[str], dict, dict]:
        key = tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in query.items()))
        if key not in opened:
            opened[key] = open_state(path, query)
        return opened[key]

    for q, link in LINKS:
        if link.page != url_path:
            continue
        where = f"{q.id} -> {link.url()}"
        found, shown, metrics = state(link.query())
        failures += [f"{where}: {f}" for f in found]
        for key, linked in link.state:
            if key not in shown:
                failures.append(f"{where}: no control {key} at this state")
                continue
            kind, w = shown[key]
            value = w.value[0] if kind == "button_group" and isinstance(w.value, list) and len(w.value) == 1 else w.value
            if not taken_as_given(w, value, linked):
                failures.append(f"{where}: {key} shows {value!r}, the link says {linked!r}")
        for check in link.checks:
            if check.metric not in metrics:
                failures.append(f"{where}: no metric {check.metric!r} (shown: {sorted(metrics)})")
                continue
            mine = number(metrics[check.metric])
            if check.than:
                other_found, _, other = state(link.query(check.than))
                failures += [f"{where} with {dict(check.than)}: {f}" for f in other_found]
                if check.metric not in other:
                    failures.append(f"{where}: no metric {check.metric!r} with {dict(check.than)}")
                    continue
                theirs = number(other[check.metric])
                holds = mine > theirs if check.expect == "higher" else mine < theirs
                if not holds:
                    failures.append(f"{where}: {check.describe()} does not hold ({mine} vs {theirs})")
            else:
                holds = mine > check.value if check.expect == "above" else mine < check.value
                if not holds:
                    failures.append(f"{where}: {check.describe()} does not hold ({mine})")
    return failures


@pytest.mark.parametrize("url_path", sorted({link.page for _, link in LINKS if link.page in PAGES}))
def test_show_me_links_open_their_page_as_given_and_show_what_they_claim(url_path):
    failures = check_links(url_path)
    assert not failures, f"{len(failures)} failure(s):\n" + "\n".join(failures)
