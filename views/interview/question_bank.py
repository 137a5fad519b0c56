"""Question bank: every interview question with a model answer, common mistakes, follow-ups and "Show me"
links that open a page at the state that demonstrates the answer. One data file feeds every page."""
import streamlit as st

from components import question_bank as qb
from components.ui import controls, interview, show

EXPLANATION = """
Every question here comes from one reviewed data file (`sample_data/question_bank.yaml`), and every page's
list of interview questions is drawn from it, so an answer is written once. A technical answer ends with
**Show me** links: each opens a page of this app at the exact settings where the answer can be seen (the
threshold at 0.2 on the cockpit for "how do you raise recall?"), in this tab; the browser's Back button
returns here. The tests open every link and check that the page takes every linked value as given, and
for many of them that the number moves the way the answer says. Levels are a guide: *junior* questions ask
for definitions, *mid* for trade-offs and practice, *senior* for design, failure modes and judgement.
The exports take the questions the filters leave: Markdown to read or print, and a CSV of flash cards
(question on the front, answer on the back) that flash-card apps such as Anki import.
"""


def filters() -> tuple[str, tuple[str, ...], tuple[str, ...], str]:
    c1, c2, c3, c4 = st.columns([3, 3, 2, 2])
    text = controls.bound(c1.text_input, "Search", key=qb.SEARCH_KEY, max_chars=100,
                          placeholder="e.g. threshold, leakage, SMOTE",
                          help="Every word must appear in the question, its answer, mistakes or follow-ups.")
    topics = controls.bound(c2.multiselect, "Topics", list(qb.TOPICS), key=qb.TOPICS_KEY,
                            placeholder="All topics")
    levels = controls.bound(c3.multiselect, "Levels", list(qb.LEVELS), key=qb.LEVELS_KEY, placeholder="All levels")
    kind = controls.bound(c4.selectbox, "Kind", qb.KIND_OPTIONS, key=qb.KIND_KEY)
    return text or "", tuple(topics), tuple(levels), kind


def opened_question(bank: tuple[qb.Question, ...]) -> None:
    """The question a link names (``bank.q``), open at the top of the page."""
    ids = [q.id for q in bank]
    qid = controls.bound(st.selectbox, "Open a question by its id", ids, index=None, key=qb.OPEN_KEY,
                         placeholder="Type an id, or use a question's “Link to this answer”",
                         help="A link to /question-bank?bank.q=<id> opens that question here.")
    if qid is None:
        return
    q = qb.by_id(bank)[qid]
    with st.container(border=True):
        st.caption(f"{q.topic_title} · {q.level} · {q.kind}")
        st.subheader(q.question, anchor=False)
        interview.answer(q)


@st.fragment
def question_list(chosen: list[qb.Question]) -> None:
    """The questions by topic, in the article's order; each expands to its answer, rerunning this list only."""
    for topic in qb.TOPICS:
        of_topic = [q for q in chosen if q.topic == topic]
        if not of_topic:
            continue
        st.markdown(f"**{qb.TOPIC_TITLES[topic]}** · {len(of_topic)}")
        for q in of_topic:
            # the answer is drawn only while its expander is open: a closed one costs the page one line
            box = st.expander(f"{interview.md(q.question)} · *{q.level}*", key=f"bank.open_{q.id}", on_change="rerun")
            if box.open:
                with box:
                    interview.answer(q)
                    st.page_link(interview.BANK_PAGE, label="Link to this answer", icon=":material/link:",
                                 query_params={qb.OPEN_KEY: q.id})


def exports(chosen: list[qb.Question], described: str) -> None:
    base = str(st.context.url or "").split("?")[0].rsplit("/question-bank", 1)[0]
    c1, c2, _ = st.columns([2, 2, 1])
    c1.download_button("Download as Markdown", qb.to_markdown(chosen, base, title=f"ML interview questions ({described})"),
                       file_name="ml-interview-questions.md", mime="text/markdown", key="bank.export_markdown",
                       icon=":material/download:", disabled=not chosen)
    c2.download_button("Download flash cards (CSV)", qb.to_flashcards_csv(chosen), file_name="ml-flash-cards.csv",
                       mime="text/csv", key="bank.export_csv", icon=":material/style:", disabled=not chosen)


def overview(chosen: list[qb.Question]) -> None:
    frame = qb.counts(chosen)
    show.chart(qb.counts_spec(tuple(frame.itertuples(index=False, name=None))))
    with st.expander("Questions per topic and level (table)"):
        st.dataframe(frame.pivot(index="topic", columns="level", values="questions")
                     .reindex(index=[qb.TOPIC_TITLES[t] for t in qb.TOPICS], columns=list(qb.LEVELS)))


st.title("Question bank")
bank = qb.load()
st.caption(f"{len(bank)} interview questions over {len({q.topic for q in bank})} topics, each with a model answer, "
           "common mistakes and follow-ups; technical answers link to the page that shows them live.")
text, topics, levels, kind = filters()
chosen = qb.select(bank, topics=topics, levels=levels, kinds=() if kind == qb.ALL_KINDS else (kind,), text=text)
opened_question(bank)
described = ", ".join(filter(None, [" / ".join(qb.TOPIC_TITLES[t] for t in topics), " / ".join(levels),
                                    "" if kind == qb.ALL_KINDS else kind,
                                    f"matching “{text}”" if text.strip() else ""])) or "all questions"
st.markdown(f"**{len(chosen)}** of {len(bank)} questions: {controls.escape(described)}.")
exports(chosen, described)
if chosen:
    question_list(chosen)
else:
    st.info("No question matches these filters. Remove a word from the search or a topic.")
st.subheader("The bank at a glance")
overview(chosen)
interview.footer(bank, "question-bank", ("preparation",), EXPLANATION)
