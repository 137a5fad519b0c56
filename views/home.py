"""Home: two ways in (prepare for an interview, teach a class) and every section with a small live picture."""
import streamlit as st

from components import catalog, home
from components.ui import show

PICTURES = {"Data": home.data_picture, "Models": home.models_picture, "Evaluation": home.evaluation_picture,
            "Pitfalls": home.pitfalls_picture, "Beyond": home.beyond_picture}
PREPARE = ("question-bank", "quiz", "mock-interview", "star")

st.title("ML Explorer")
st.markdown(
    "Every machine-learning interview topic as a live experiment. Move a control and watch what it does to the "
    "confusion matrix, the ROC curve, the overfitting curve. Every view is a link: the URL holds every setting, the "
    "seed included, so the numbers you share are the numbers others see.")

existing = {p.url_path: p for p in catalog.PAGES}
prepare, teach = st.columns(2)
with prepare.container(border=True):
    st.subheader(":material/work: Prepare for an interview")
    st.markdown("Questions with model answers that open the page proving them, a quiz that brings weak topics "
                "back, a timed mock interview and a STAR story builder. Your progress stays in your browser.")
    for url_path in PREPARE:
        if url_path in existing:
            st.page_link(existing[url_path].path, label=existing[url_path].title, icon=existing[url_path].icon)
    st.caption("Or start with any lab below: each ends with interview questions on its topic, each linked to its answer.")
with teach.container(border=True):
    st.subheader(":material/school: Teach a class")
    st.markdown("Lesson paths walk a class through a topic one linked view at a time, with talking points and a "
                "question for the room. Presenter mode enlarges the charts' type and puts a QR code of the current "
                "view on screen for the students' phones.")
    if "lessons" in existing:
        st.page_link(existing["lessons"].path, label="Lesson paths", icon=existing["lessons"].icon)
    st.caption("Presenter mode is the last switch in the sidebar.")

for section, pages in catalog.by_section().items():
    if section == "Teach":
        continue
    st.subheader(section)
    picture = PICTURES.get(section)
    if picture is not None:
        left, right = show.columns([1, 2])  # presenting: the picture on a row of its own, full width
        # drawn as soon as its place exists: the pictures are stored numbers, and the first chart sent
        # starts the browser loading its chart library while the links are still being written
        show.chart(picture(), target=left)
    else:
        right = st.container()
    with right:
        # up to two pages side by side, each link directly above its summary
        for start in range(0, len(pages), 2):
            for col, p in zip(st.columns(2), pages[start:start + 2]):
                with col:
                    st.page_link(p.path, label=p.title, icon=p.icon)
                    st.caption(p.summary)
