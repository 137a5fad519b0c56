"""Behavioural (STAR): build stories with checks you can act on, read worked examples of the classic stories,
and work through the preparation checklist."""
import streamlit as st

from components import progress as pg
from components import question_bank as qb
from components import star
from components.ui import controls, interview, progress_store, show

STORY_KEY = "star.story"
EDITING, PUSHED = "_star.editing", "_star.pushed"  # session: the story in the text boxes; the document generation
PART_KEYS = {p: f"star.{p}" for p in star.PARTS}  # what the visitor types: personal, kept out of the URL
TICKED = "_star.ticked"  # session: the document generation the checklist boxes show

EXPLANATION = f"""
**STAR** gives a behavioural answer a shape the listener can follow: the **Situation** in a sentence or two,
the **Task** you owned, the **Action** you took (the heart of the answer: about half of the time, in the first
person), and the **Result**, measured, with what you learned. The checks are rules of thumb, not a grade: a
story can break one for a good reason. Time is estimated at {star.WORDS_PER_MINUTE} words a minute, a calm
interview pace; read your story out loud with a timer to be sure. Prepare six to eight stories and adapt them to
the question; interviewers ask follow-ups, so know the details behind every number you give. Your drafts and
ticks stay in this browser (download them below to keep a copy).
"""


def _parts() -> dict[str, str]:
    return {p: st.session_state.get(k) or "" for p, k in PART_KEYS.items()}


def _save_draft() -> None:
    story_id = st.session_state.get(EDITING)
    if story_id:
        progress_store.update(pg.with_story, story_id, _parts())


def _show_draft(story_id: str) -> None:
    """Put the stored draft of ``story_id`` in the text boxes when another story is chosen, when the browser's
    copy or an upload replaced the document, or when the boxes were not drawn on the last run."""
    if (st.session_state.get(EDITING) != story_id or st.session_state.get(PUSHED) != progress_store.generation()
            or any(k not in st.session_state for k in PART_KEYS.values())):
        draft = progress_store.current()["star"].get(story_id, {})
        for p, k in PART_KEYS.items():
            st.session_state[k] = draft.get(p, "")
        st.session_state[EDITING], st.session_state[PUSHED] = story_id, progress_store.generation()


def check_list(results: list[star.CheckResult]) -> None:
    for r in results:
        mark = ":green[:material/check_circle:]" if r.passed else ":orange[:material/error:]"
        st.markdown(f"{mark} **{r.name}.** {controls.escape(r.message)}")


@st.fragment
def builder(theme: star.Theme) -> None:
    """The four parts, their checks and the speaking time: typing reruns this panel only."""
    _show_draft(theme.id)
    st.info(theme.guidance, icon=":material/lightbulb:")
    left, right = st.columns(2)
    for col, p in zip((left, right, left, right), star.PARTS):
        col.text_area(star.PART_TITLES[p], key=PART_KEYS[p], height=150, max_chars=pg.MAX_TEXT,
                      help=star.PART_HELP[p], placeholder=star.PART_HELP[p], on_change=_save_draft)
    parts = _parts()
    results = star.check(parts)
    st.markdown(f"**Checks** ({sum(r.passed for r in results)} of {len(results)} pass)")
    check_list(results)
    frame = star.time_frame(parts)
    show.chart(star.time_spec(tuple(frame.itertuples(index=False, name=None))))
    with st.expander("Speaking time per part (table)"):
        st.dataframe(frame, hide_index=True)
    drafts = progress_store.current()["star"]
    st.download_button("Download your stories (Markdown)", star.stories_markdown(drafts), file_name="star-stories.md",
                       mime="text/markdown", key="star.export", icon=":material/download:", disabled=not drafts,
                       help="Every story you have drafted, with what the checks say.")
    progress_store.save("star")


def worked_examples() -> None:
    worked = [t for t in star.THEMES if t.example]
    for tab, theme in zip(st.tabs([t.title for t in worked]), worked):
        with tab:
            for p in star.PARTS:
                st.markdown(f"**{star.PART_TITLES[p]}.** {theme.example[p]}")
            results = star.check(theme.example)
            passed = [r.name.lower() for r in results if r.passed]
            st.caption(f"About {star.clock(star.seconds(theme.example))} of speech. "
                       + (f"Every check passes: {'; '.join(passed)}." if len(passed) == len(results) else
                          f"{len(passed)} of {len(results)} checks pass."))
    st.download_button("Download the worked examples (Markdown)", star.examples_markdown(),
                       file_name="star-worked-examples.md", mime="text/markdown", key="star.examples_export",
                       icon=":material/download:")


def _tick() -> None:
    progress_store.update(pg.with_checklist, [c.id for c in star.CHECKLIST
                                             if st.session_state.get(f"star.check_{c.id}")])


@st.fragment
def checklist() -> None:
    """The preparation checklist; ticks stay in this browser."""
    ticked = set(progress_store.current()["checklist"])
    keys = {c.id: f"star.check_{c.id}" for c in star.CHECKLIST}
    if st.session_state.get(TICKED) != progress_store.generation() or any(k not in st.session_state for k in keys.values()):
        for cid, key in keys.items():
            st.session_state[key] = cid in ticked
        st.session_state[TICKED] = progress_store.generation()
    st.caption(f"{len(ticked & set(star.CHECKLIST_IDS))} of {len(star.CHECKLIST)} done.")
    for group in dict.fromkeys(c.group for c in star.CHECKLIST):
        st.markdown(f"**{group}**")
        for c in star.CHECKLIST:
            if c.group == group:
                st.checkbox(c.text, key=keys[c.id], on_change=_tick)
    progress_store.save("checklist")


st.title("Behavioural interviews: STAR")
st.caption("Draft the stories behind \"tell me about a time…\": the checks say what to fix, the worked examples "
           "show the shape, and the checklist covers the rest of the preparation.")
interview.drop_private_params(*PART_KEYS.values(), "star.check_")
bank = qb.load()
progress_store.load()  # first: the browser's stored progress arrives as early as possible
theme_id = controls.bound(st.selectbox, "Story", star.THEME_IDS, key=STORY_KEY,
                          format_func=lambda t: star.THEMES_BY_ID[t].title,
                          help="Each story has its own draft; switching keeps what you wrote.")
st.subheader("Your story", anchor=False)
builder(star.THEMES_BY_ID[theme_id])
st.subheader("Worked examples", anchor=False)
worked_examples()
st.subheader("Preparation checklist", anchor=False)
checklist()
progress_store.file_panel()
interview.footer(bank, "star", ("behavioural",), EXPLANATION)
