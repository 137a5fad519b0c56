"""Pieces the Interview pages share: a bank answer with its "Show me" links, and the page footer whose
questions come from the bank and link to their answers."""
from __future__ import annotations

from urllib.parse import urlencode

import streamlit as st

from components import catalog
from components import question_bank as qb
from components.ui import common

BANK_PAGE = "views/interview/question_bank.py"
MAX_FOOTER_QUESTIONS = 6


def md(text: str) -> str:
    """Reviewed bank text for st.markdown: its inline code and emphasis stay, while "$" (LaTeX in
    Streamlit) and "~" (strike-through) are shown as typed."""
    return text.replace("$", "\\$").replace("~", "\\~")


def drop_private_params(*prefixes: str) -> None:
    """What a visitor types, ticks or rates (answers, notes, drafts, checklist ticks) is never taken from a
    link, and those widgets are not bound to the URL: a parameter naming one is ignored and removed, so a
    shared link neither carries nor sets anyone's progress."""
    for key in [k for k in st.query_params if k.startswith(prefixes)]:
        del st.query_params[key]


def answer_url(qid: str) -> str:
    """The question bank opened at one question: how other pages link to an answer."""
    return f"/{catalog.find('question-bank').url_path}?{urlencode({qb.OPEN_KEY: qid})}"


def show_me_links(q: qb.Question) -> None:
    """Each "Show me" link as a page link: it opens the page at the linked state, in the same tab."""
    pages = {p.url_path: p for p in catalog.PAGES}
    for link in q.show_me:
        spec = pages.get(link.page)
        if spec is None:  # a page of a later version of the app: say what it would show
            st.caption(f"Show me ({link.page}, not in this version of the app): {md(link.shows)}")
            continue
        st.page_link(spec.path, label=f"Show me on the {spec.title}", icon=":material/play_circle:",
                     query_params=link.query(), help=link.url())
        st.caption(md(link.shows))


def answer(q: qb.Question, links: bool = True) -> None:
    """The model answer, its common mistakes, the follow-up questions and (technical) the live proof."""
    st.markdown(md(q.answer))
    st.markdown("**Common mistakes**\n\n" + "\n".join(f"- {md(m)}" for m in q.mistakes))
    st.markdown("**Follow-up questions**\n\n" + "\n".join(f"- {md(f)}" for f in q.follow_ups))
    if links and q.show_me:
        show_me_links(q)


def footer_questions(bank: tuple[qb.Question, ...], url_path: str, topics: tuple[str, ...]) -> list[str]:
    """The questions a page lists (the bank's ``pages`` name it, else its topics), each a link to its answer."""
    chosen = qb.for_page(bank, url_path) or [q for q in bank if q.topic in topics]
    return [f"[{md(q.question)}]({answer_url(q.id)})" for q in chosen[:MAX_FOOTER_QUESTIONS]]


def page_questions(url_path: str) -> list[str]:
    """What a lab's footer lists: the bank's questions for this page (its ``pages`` name it), each a link to
    its model answer, and a last link to the rest of the page's topic when there are more."""
    bank = qb.load()
    chosen = qb.for_page(bank, url_path)
    weight = {t: sum(q.topic == t for q in chosen) for t in {q.topic for q in chosen}}
    chosen = sorted(chosen, key=lambda q: -weight[q.topic])  # the page's own topic first (a stable sort)
    shown = [f"[{md(q.question)}]({answer_url(q.id)})" for q in chosen[:MAX_FOOTER_QUESTIONS]]
    if len(chosen) > MAX_FOOTER_QUESTIONS:
        topics = sorted({q.topic for q in chosen})
        query = urlencode({qb.TOPICS_KEY: topics}, doseq=True)
        shown.append(f"[{len(chosen) - MAX_FOOTER_QUESTIONS} more on this page's topics]"
                     f"(/{catalog.find('question-bank').url_path}?{query})")
    return shown


def footer(bank: tuple[qb.Question, ...], url_path: str, topics: tuple[str, ...], explanation: str) -> None:
    common.page_footer(None, explanation, questions=footer_questions(bank, url_path, topics))
