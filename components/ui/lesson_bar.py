"""The lesson bar: on a page opened from a lesson step, the step's talking points, its question for
the room, and Previous / Next (buttons, or the PageUp / PageDown keys a presentation clicker sends)."""
from __future__ import annotations

import streamlit as st

from components import catalog, lessons
from components.ui import controls


@st.cache_resource
def _lessons() -> tuple[lessons.Lesson, ...]:
    return lessons.load()


def go(lesson: lessons.Lesson, index: int) -> None:
    step = lesson.steps[index]
    st.switch_page(catalog.find(step.page).path, query_params=step.query(lesson.id, index + 1))


def bar(url_path: str) -> None:
    """Draw the bar when the URL names a lesson step of this page."""
    lesson_id = st.query_params.get(lessons.LESSON_PARAM)
    if lesson_id is None:
        return
    found = lessons.find(_lessons(), lesson_id, st.query_params.get(lessons.STEP_PARAM, ""))
    if found is None or found[0].steps[found[1]].page != url_path:
        st.caption(f"This link names a lesson step that does not exist here (“{controls.escape(lesson_id[:40])}”).")
        return
    lesson, i = found
    step = lesson.steps[i]
    with st.container(border=True):
        st.markdown(f"**Lesson: {lesson.title}** · step {i + 1} of {len(lesson.steps)}: **{step.title}**")
        st.markdown("\n".join(f"- {p}" for p in step.points))
        st.markdown(f"**Ask the room:** {step.ask}")
        prev_col, next_col, exit_col = st.columns([1, 1, 4])
        if i > 0 and prev_col.button("◂ Previous", key="lesson.prev", shortcut="PageUp"):
            go(lesson, i - 1)
        if i + 1 < len(lesson.steps) and next_col.button("Next ▸", key="lesson.next", type="primary",
                                                          shortcut="PageDown"):
            go(lesson, i + 1)
        exit_col.page_link("views/teach/lessons.py", label="All lesson paths", icon=":material/school:")
