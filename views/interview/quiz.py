"""Quiz: flash cards from the question bank and auto-graded items, weak topics coming back more often.
The seed is in the URL, so a teacher can give a class the same quiz."""
import random

import streamlit as st

from components import progress as pg
from components import question_bank as qb
from components import quiz
from components.ui import common, controls, interview, progress_store, show

RUN = "_quiz.run"  # session: this quiz's position, current item and history (reset when its settings change)
CHOICE_KEY, NUMBER_KEY = "quiz.choice", "quiz.number"  # the learner's answer: personal, not in the URL

EXPLANATION = f"""
A **flash card** shows a question: answer it in your head or out loud, then reveal the model answer and rate
yourself honestly. **Auto-graded** items check an answer: which question a model answer replies to, which
metric a formula defines or a situation calls for, and the metric you compute from a real model's confusion
matrix at a random threshold (right within ±{quiz.TOLERANCE}; the cockpit link shows the same matrix).
Each item is drawn from the quiz seed and its position, so the same link gives a class the same items in the
same order while *favour weak topics* is off. With it on, each topic's share of the draw is multiplied by
{quiz.FLOOR:g} + {quiz.SLOPE:g} × its weakness, where weakness is 0 when everything there was known or right and 1
when everything was "not yet" or wrong; a topic you have not been tested on keeps a multiplier of {quiz.UNTESTED:g}.
Weak topics come back more often and known ones less. Your ratings are kept in this browser, so the weighting remembers you from one day to the next.
"""


def quiz_controls() -> quiz.QuizSettings:
    c1, c2, c3 = st.columns([3, 3, 2])
    with c1:
        seed_col, new_col = st.columns([1, 1], vertical_alignment="bottom")
        seed = controls.bound(seed_col.number_input, "Quiz seed", 0, quiz.SEED_MAX, quiz.SEED_DEFAULT, 1,
                              key=quiz.SEED_KEY, help="The same seed gives the same quiz: share the link with a class.")
        new_col.button("New quiz", key="quiz.new", on_click=_new_seed, icon=":material/casino:")
    mode = controls.bound(c2.segmented_control, "Items", quiz.MODES, default=quiz.MODES[0], required=True,
                          key=quiz.MODE_KEY)
    adaptive = controls.bound(c3.toggle, "Favour weak topics", True, key=quiz.ADAPTIVE_KEY,
                              help="Topics you rated “not yet” or got wrong come back more often. Turn it off to "
                                   "give everyone exactly the same sequence.")
    c1, c2 = st.columns([3, 2])
    topics = controls.bound(c1.multiselect, "Topics", list(qb.TOPICS), key=quiz.TOPICS_KEY,
                            placeholder="All topics")
    levels = controls.bound(c2.multiselect, "Levels", list(qb.LEVELS), key=quiz.LEVELS_KEY, placeholder="All levels")
    return quiz.QuizSettings(int(seed), mode, tuple(topics), tuple(levels), bool(adaptive))


def _new_seed() -> None:
    """Another seed (never the current one): the quiz starts afresh and the link changes with it."""
    current = st.session_state.get(quiz.SEED_KEY)
    st.session_state[quiz.SEED_KEY] = random.choice([s for s in range(quiz.SEED_MAX + 1) if s != current])


def _run(settings: quiz.QuizSettings) -> dict:
    run = st.session_state.get(RUN)
    if run is None or run["settings"] != settings:
        run = {"settings": settings, "n": 0, "item": None, "phase": "ask", "right": None, "response": None,
               "asked": [], "history": []}
        st.session_state[RUN] = run
        _clear_answer()
    return run


def _clear_answer() -> None:
    for key in (CHOICE_KEY, NUMBER_KEY):
        st.session_state.pop(key, None)


def _next() -> None:
    run = st.session_state[RUN]
    run.update(n=run["n"] + 1, item=None, phase="ask", right=None, response=None)
    _clear_answer()


def _reveal() -> None:
    st.session_state[RUN]["phase"] = "revealed"


def _rate(rating: str) -> None:
    run = st.session_state[RUN]
    item = run["item"]
    progress_store.update(pg.record_rating, item.qid, rating)
    run["history"].append({"topic": item.topic, "kind": item.kind, "score": quiz.score_of(item, rating=rating)})
    _next()


def _check() -> None:
    run = st.session_state[RUN]
    item = run["item"]
    response = st.session_state.get(NUMBER_KEY if item.kind == "confusion" else CHOICE_KEY)
    right = quiz.grade_number(response, item.value) if item.kind == "confusion" else quiz.grade_choice(response, item)
    progress_store.update(pg.record_graded, item.topic, right)
    run["history"].append({"topic": item.topic, "kind": item.kind, "score": quiz.score_of(item, right=right)})
    run.update(phase="answered", right=right, response=response)


def current_item(bank: tuple[qb.Question, ...], run: dict) -> quiz.Item | None:
    if run["item"] is None:
        item = quiz.draw(bank, run["settings"], progress_store.current(), run["n"], frozenset(run["asked"]))
        if item is not None and item.qid:
            run["asked"].append(item.qid)
            if item.kind == "card":
                progress_store.update(pg.record_seen, item.qid)
        run["item"] = item
    return run["item"]


def card(bank: tuple[qb.Question, ...], item: quiz.Item, run: dict) -> None:
    q = qb.by_id(bank)[item.qid]
    st.subheader(interview.md(q.question), anchor=False)
    st.caption(f"{q.level} · {q.kind}. Think it through, or say it out loud, before you reveal the model answer.")
    if run["phase"] == "ask":
        st.button("Reveal the model answer", key="quiz.reveal", on_click=_reveal, type="primary",
                  icon=":material/visibility:")
        return
    with st.container(border=True):
        interview.answer(q)
    st.markdown("**How did you do?**")
    for col, rating, icon in zip(st.columns(3), pg.RATINGS, (":material/check_circle:", ":material/contrast:",
                                                              ":material/replay:")):
        col.button(rating.capitalize(), key=f"quiz.rate_{rating.replace(' ', '_')}", on_click=_rate, args=(rating,),
                   icon=icon, width="stretch")


def graded(bank: tuple[qb.Question, ...], item: quiz.Item, run: dict) -> None:
    answered = run["phase"] == "answered"
    if item.kind == "match":
        st.markdown("**Which question does this model answer reply to?**")
        st.markdown("> " + interview.md(item.prompt))
    else:
        st.markdown("#### " + interview.md(item.prompt))
    if item.kind == "confusion":
        st.table(quiz.confusion_table(item.confusion))
        st.number_input("Your answer (a decimal such as 0.87, or a percentage)", 0.0, 100.0, value=None, step=0.001,
                        format="%.3f", key=NUMBER_KEY, disabled=answered)
        ready = st.session_state.get(NUMBER_KEY) is not None
    else:
        st.radio("Your answer", item.options, index=None, key=CHOICE_KEY, disabled=answered)
        ready = st.session_state.get(CHOICE_KEY) is not None
    if not answered:
        c1, c2, _ = st.columns([1, 1, 3])
        c1.button("Check", key="quiz.check", on_click=_check, type="primary", disabled=not ready,
                  icon=":material/task_alt:")
        c2.button("Skip", key="quiz.skip", on_click=_next, icon=":material/skip_next:")
        return
    if run["right"]:
        st.success("Right. " + item.explanation, icon=":material/check_circle:")
    else:
        right = f"{item.value:.3f}" if item.kind == "confusion" else item.answer
        st.warning(f"Not quite: the answer is **{interview.md(right)}**. {interview.md(item.explanation)}",
                   icon=":material/info:")
    if item.kind == "match":
        st.page_link(interview.BANK_PAGE, label="Read the whole answer in the question bank", icon=":material/quiz:",
                     query_params={qb.OPEN_KEY: item.qid})
    if item.confusion is not None:
        link = item.confusion.link()
        st.page_link("views/evaluation/cockpit.py", label="See this matrix on the Evaluation cockpit",
                     icon=":material/speed:", query_params=link.query())
        common.show_code(quiz.script_for(item))


def scores(bank: tuple[qb.Question, ...], run: dict) -> None:
    settings = run["settings"]
    totals = pg.totals(progress_store.current())
    history = run["history"]
    c1, c2, c3, c4 = st.columns(4)
    c1.metric("Answered in this quiz", len(history))
    c2.metric("Score in this quiz", f"{100 * sum(h['score'] for h in history) / len(history):.0f}%" if history else "–")
    c3.metric("Questions rated (all time)", totals["rated"],
              help="Distinct questions you rated, here or in a mock interview; kept in this browser.")
    c4.metric("Auto-graded right (all time)", f"{totals['right']} of {totals['asked']}")
    mult = quiz.multipliers(progress_store.current(), bank, settings.adaptive)
    chances = quiz.topic_chances(quiz.pool(bank, settings), settings, mult)
    left, right = show.columns(2)  # presenting: each chart on a full-width row
    frame = quiz.chances_frame(chances, mult)
    show.chart(quiz.chances_spec(tuple(frame.itertuples(index=False, name=None))), target=left)
    session = quiz.session_scores(history)
    if len(session):
        show.chart(quiz.scores_spec(tuple(session.itertuples(index=False, name=None))), target=right)
    else:
        right.caption("Your score by topic appears here once you answer an item.")
    with st.expander("The draw and the scores (tables)"):
        st.caption(f"A topic's chance is its number of items times its multiplier, {quiz.FLOOR:g} + {quiz.SLOPE:g} × "
                   f"weakness for a topic you were tested on, {quiz.UNTESTED:g} otherwise"
                   + ("" if settings.adaptive else " (every multiplier is 1: favour weak topics is off)") + ".")
        st.dataframe(frame, hide_index=True)
        if len(session):
            st.dataframe(session.style.format({"score": "{:.0%}"}), hide_index=True)


@st.fragment
def quiz_panel(bank: tuple[qb.Question, ...], settings: quiz.QuizSettings) -> None:
    """The current item, its grading and the scores: answering reruns this panel only."""
    run = _run(settings)
    item = current_item(bank, run)
    if item is None:
        st.info("No question matches these filters: add a topic or a level.")
    else:
        st.caption(f"Item {run['n'] + 1} · {quiz.KIND_TITLES[item.kind]} · {qb.TOPIC_TITLES[item.topic]}")
        with st.container(border=True):
            if item.kind == "card":
                card(bank, item, run)
            else:
                graded(bank, item, run)
        if run["phase"] in ("answered",):
            st.button("Next item", key="quiz.next", on_click=_next, type="primary", icon=":material/arrow_forward:")
    scores(bank, run)
    progress_store.save("quiz")


st.title("Quiz")
st.caption("Flash cards you rate yourself and items the page grades, from the question bank and from real models. "
           "Topics you find hard come back more often; your progress stays in this browser.")
interview.drop_private_params(CHOICE_KEY, NUMBER_KEY)
bank = qb.load()
progress_store.load()  # first: the browser's stored progress arrives as early as possible
settings = quiz_controls()
quiz_panel(bank, settings)
progress_store.file_panel()
interview.footer(bank, "quiz", ("preparation",), EXPLANATION)
