"""Lesson paths: guided sequences for a class, each step a deep-linked view with talking points."""
import streamlit as st

from components import catalog
from components.ui import lesson_bar

st.title("Lesson paths")
st.caption("Walk a class through a topic, one view at a time. Each step opens a page in the exact state that "
           "shows its point (the link holds every setting, so a student's phone shows the same numbers), with "
           "two or three talking points and a question to ask the room. Next and Previous are buttons on the "
           "page; a presentation clicker's PageDown and PageUp work too.")
st.info("Tip: turn on Presenter mode in the sidebar before you start: larger type in the charts, the sidebar "
        "out of the way, and a QR code of the current view for the students' phones.", icon=":material/school:")

for lesson in lesson_bar._lessons():
    with st.container(border=True):
        st.subheader(lesson.title)
        st.markdown(lesson.summary)
        for number, step in enumerate(lesson.steps, start=1):
            page = catalog.find(step.page)
            st.page_link(page.path, label=f"{number}. {step.title} ({page.title})",
                         query_params=step.query(lesson.id, number), icon=page.icon)
