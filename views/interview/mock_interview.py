"""Mock interview: a timed run of questions from the bank (technical and behavioural), a notes box per
answer, then a summary with self-ratings and the model answers, and a Markdown transcript."""
import time

import streamlit as st

from components import mock_interview as mi
from components import progress as pg
from components import question_bank as qb
from components.ui import controls, interview, progress_store, show

RUN = "_mock.run"  # session: the interview in progress (reset when its settings change)

EXPLANATION = """
Answer each question **out loud**, as you would in the room, while the countdown runs; the notes box is for
the points you want to remember, not for writing the answer. The clock runs in your browser and keeps going
when the page redraws; at zero the clock turns red and says "Time's up", and the question stays open until you
move on (the transcript marks answers that ran over). At the end, rate each answer against the model answer:
the ratings join your quiz progress, so weak topics come back in the quiz. Technical and behavioural
questions are mixed about two to one by default; the seed fixes which questions come, so a study group can
take the same interview.
"""


def mock_controls() -> mi.MockSettings:
    c1, c2, c3, c4, c5 = st.columns([2, 2, 3, 2, 2])
    n = controls.bound(c1.slider, "Questions", mi.N_MIN, mi.N_MAX, mi.N_DEFAULT, 1, key=mi.N_KEY)
    seconds = controls.bound(c2.select_slider, "Seconds per answer", mi.SECONDS_OPTIONS, value=mi.SECONDS_DEFAULT,
                             key=mi.SECONDS_KEY)
    mix = controls.bound(c3.selectbox, "Mix", mi.MIXES, key=mi.MIX_KEY)
    level = controls.bound(c4.selectbox, "Level", mi.LEVEL_OPTIONS, key=mi.LEVEL_KEY)
    seed = controls.bound(c5.number_input, "Seed", 0, mi.SEED_MAX, mi.SEED_DEFAULT, 1, key=mi.SEED_KEY,
                          help="The same seed gives the same questions.")
    return mi.MockSettings(int(n), int(seconds), mix, level, int(seed))


def _run(settings: mi.MockSettings) -> dict:
    run = st.session_state.get(RUN)
    if run is None or run["settings"] != settings:
        run = {"settings": settings, "phase": "ready", "i": 0, "started": 0.0, "answers": []}
        st.session_state[RUN] = run
    return run


def _start(qids: list[str]) -> None:
    run = st.session_state[RUN]
    run.update(phase="asking", i=0, started=time.time(), answers=[mi.Answer() for _ in qids], qids=qids)
    for key in [k for k in st.session_state if str(k).startswith(("mock.notes_", "mock.rate_"))]:
        del st.session_state[key]
    progress_store.update(pg.record_seen, qids[0])


def _advance(stop: bool = False) -> None:
    """Close the current answer (its notes and time) and ask the next question, or finish."""
    run = st.session_state[RUN]
    i = run["i"]
    notes = st.session_state.get(f"mock.notes_{i}") or ""
    run["answers"][i] = mi.Answer(notes=notes, seconds=time.time() - run["started"])
    if stop or i + 1 == len(run["qids"]):
        run["phase"] = "done"
        return
    run.update(i=i + 1, started=time.time())
    progress_store.update(pg.record_seen, run["qids"][i + 1])


def _rate(i: int) -> None:
    run = st.session_state[RUN]
    rating = st.session_state.get(f"mock.rate_{i}")
    answer = run["answers"][i]
    run["answers"][i] = mi.Answer(answer.notes, answer.seconds, rating)
    if rating:
        progress_store.update(pg.record_rating, run["qids"][i], rating)


def _restart() -> None:
    st.session_state[RUN]["phase"] = "ready"


def time_chart(questions: tuple[qb.Question, ...], answers: list[mi.Answer], limit: int) -> None:
    frame = mi.time_frame(questions, answers, limit)
    show.chart(mi.time_spec(tuple(frame.itertuples(index=False, name=None))))
    with st.expander("Time per answer (table)"):
        st.dataframe(frame, hide_index=True)


def ready(questions: tuple[qb.Question, ...], settings: mi.MockSettings) -> None:
    kinds = [q.kind for q in questions]
    topics = ", ".join(dict.fromkeys(q.topic_title for q in questions))
    st.markdown(f"**{len(questions)} questions**: {kinds.count('technical')} technical and "
                f"{kinds.count('behavioural')} behavioural, from {topics}. {mi.clock(settings.seconds)} per answer, "
                f"{mi.clock(settings.seconds * len(questions))} in all.")
    st.caption("Find a quiet place and answer out loud. The questions stay hidden until you start.")
    st.button("Start the interview", key="mock.start", on_click=_start, args=([q.id for q in questions],),
              type="primary", icon=":material/play_arrow:")
    time_chart(questions, [mi.Answer() for _ in questions], settings.seconds)


def asking(bank: tuple[qb.Question, ...], run: dict) -> None:
    settings, i = run["settings"], run["i"]
    q = qb.by_id(bank)[run["qids"][i]]
    st.caption(f"Question {i + 1} of {len(run['qids'])} · {q.topic_title} · {q.level} · {q.kind}")
    st.subheader(interview.md(q.question), anchor=False)
    st.html(mi.COUNTDOWN_CSS)
    st.html(mi.countdown_html(settings.seconds, time.time() - run["started"]))
    st.text_area("Notes (for you; they go into the transcript, not into the link)", key=f"mock.notes_{i}",
                 max_chars=pg.MAX_TEXT, height=140, placeholder="Key points, a number to mention, a follow-up to expect…")
    last = i + 1 == len(run["qids"])
    c1, c2, _ = st.columns([1, 1, 3])
    c1.button("Finish" if last else "Next question", key="mock.next", on_click=_advance, type="primary",
              icon=":material/flag:" if last else ":material/arrow_forward:")
    if not last:
        c2.button("Stop here", key="mock.stop", on_click=_advance, args=(True,), icon=":material/stop:")


def summary(bank: tuple[qb.Question, ...], run: dict) -> None:
    settings = run["settings"]
    questions = tuple(qb.by_id(bank)[qid] for qid in run["qids"])
    answers = run["answers"]
    taken = [a.seconds for a in answers if a.seconds is not None]
    c1, c2, c3 = st.columns(3)
    c1.metric("Questions answered", f"{len(taken)} of {len(questions)}")
    c2.metric("Time taken", mi.clock(sum(taken)))
    c3.metric("Over time", sum(t > settings.seconds for t in taken))
    st.markdown("**Rate each answer against the model answer.** The ratings also count in the quiz.")
    for i, (q, a) in enumerate(zip(questions, answers)):
        when = "not reached" if a.seconds is None else mi.clock(a.seconds)
        with st.expander(f"{i + 1}. {interview.md(q.question)} · {when}", expanded=i == 0):
            st.segmented_control("Your rating", pg.RATINGS, key=f"mock.rate_{i}", on_change=_rate, args=(i,))
            st.markdown("**Your notes**")
            st.text(a.notes.strip() or "(no notes)")
            st.markdown("**Model answer**")
            interview.answer(q)
    st.markdown("**By topic**")
    st.dataframe(mi.topic_summary(questions, answers), hide_index=True)
    time_chart(questions, answers, settings.seconds)
    c1, c2, _ = st.columns([2, 1, 1])
    c1.download_button("Download the transcript (Markdown)", mi.transcript(settings, questions, answers),
                       file_name="mock-interview.md", mime="text/markdown", key="mock.transcript",
                       icon=":material/download:")
    c2.button("Start again", key="mock.again", on_click=_restart, icon=":material/replay:")


@st.fragment
def interview_panel(bank: tuple[qb.Question, ...], settings: mi.MockSettings) -> None:
    """The interview itself: starting, answering and rating rerun this panel only."""
    run = _run(settings)
    if run["phase"] == "ready":
        ready(mi.plan(bank, settings), settings)
    elif run["phase"] == "asking":
        asking(bank, run)
    else:
        summary(bank, run)
    progress_store.save("mock")


st.title("Mock interview")
st.caption("A timed run of interview questions with a countdown per answer and a notes box, then a summary with "
           "your self-ratings, the model answers and a transcript to download.")
interview.drop_private_params("mock.notes_", "mock.rate_")
bank = qb.load()
progress_store.load()  # first: the browser's stored progress arrives as early as possible
settings = mock_controls()
interview_panel(bank, settings)
progress_store.file_panel()
interview.footer(bank, "mock-interview", ("preparation",), EXPLANATION)
