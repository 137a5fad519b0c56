"""The Question bank page from app.py: filters, search, a question opened by its link, the "Show me" links
and the page footers' links to answers."""
from __future__ import annotations

from urllib.parse import parse_qs

from components import catalog
from components import question_bank as qb
from components.ui import interview
from tests.apptest_utils import assert_clean, open_page

PAGE = "views/interview/question_bank.py"
BANK = qb.load()


def shown_count(at) -> int:
    line = next(m.value for m in at.markdown if " of " in m.value and m.value.startswith("**"))
    return int(line.split("**")[1])


def expanders(at) -> list[str]:
    return [e.label for e in at.expander if " · *" in e.label]


def test_every_question_is_listed_by_default():
    at = open_page(PAGE)
    assert_clean(at)
    assert shown_count(at) == len(BANK) == len(expanders(at))


def test_filters_and_search_narrow_the_list():
    topic = BANK[0].topic
    at = open_page(PAGE, {qb.TOPICS_KEY: topic})
    assert_clean(at)
    assert shown_count(at) == sum(q.topic == topic for q in BANK) == len(expanders(at))
    at.multiselect(key=qb.LEVELS_KEY).set_value(["senior"]).run()
    assert shown_count(at) == sum(q.topic == topic and q.level == "senior" for q in BANK)
    at = open_page(PAGE, {qb.KIND_KEY: "behavioural"})
    assert shown_count(at) == sum(q.kind == "behavioural" for q in BANK)
    word = "STAR"
    at.text_input(key=qb.SEARCH_KEY).input(word).run()
    assert shown_count(at) == len(qb.select(BANK, kinds=("behavioural",), text=word)) > 0
    at.text_input(key=qb.SEARCH_KEY).input("zzzz nothing").run()
    assert_clean(at)
    assert shown_count(at) == 0 and at.info


def test_a_link_opens_one_question_with_its_show_me_links():
    q = next(q for q in BANK if q.show_me)
    at = open_page(PAGE, {qb.OPEN_KEY: q.id})
    assert_clean(at)
    assert q.question in [s.value for s in at.subheader]
    links = [p.proto for p in at.get("page_link")]
    for link in q.show_me:
        assert link.page in {p.url_path for p in catalog.PAGES}
        assert any(p.page == link.page and parse_qs(p.query_string) ==
                   {k: v if isinstance(v, list) else [v] for k, v in link.query().items()} for p in links), link
    assert interview.answer_url(q.id) == f"/question-bank?bank.q={q.id}"


def test_an_unknown_id_opens_nothing_and_says_so():
    at = open_page(PAGE, {qb.OPEN_KEY: "no-such-question"})
    assert_clean(at)
    assert not at.subheader or all(s.value != "" for s in at.subheader)
    assert any("The link's value for" in c.value for c in at.caption)
    assert at.selectbox(key=qb.OPEN_KEY).value is None


def test_an_answer_is_drawn_when_its_question_is_expanded_and_links_to_itself():
    q = next(q for q in BANK if q.show_me)
    at = open_page(PAGE, {qb.TOPICS_KEY: q.topic})
    assert not any(q.answer[:80] in m.value for m in at.markdown)  # closed: not drawn
    at.session_state[f"bank.open_{q.id}"] = True  # what a click on the expander does
    at.run()
    assert_clean(at)
    assert any(q.answer[:80] in m.value for m in at.markdown)
    self_links = [p.proto.query_string for p in at.get("page_link") if p.proto.label == "Link to this answer"]
    assert self_links == [f"bank.q={q.id}"]
    assert len([p for p in at.get("page_link") if p.proto.label.startswith("Show me")]) == len(q.show_me)


def test_footers_link_to_answers():
    footer = interview.footer_questions(BANK, "star", ("behavioural",))
    assert footer and all("](/question-bank?bank.q=" in f for f in footer)
