import streamlit as st

from components import catalog

st.title("ML Explorer")
st.markdown(
    "Every machine-learning interview topic as a live experiment. Move a control and watch what it "
    "does to the confusion matrix, the ROC curve, the overfitting curve. Every view is a link: the "
    "URL holds every setting, the seed included, so the numbers you share are the numbers others see."
)
st.caption("The sidebar's dataset and seed are shared by every page. Presenter mode enlarges the type.")
for section, pages in catalog.by_section().items():
    st.subheader(section)
    # up to three pages side by side, each link directly above its summary: a single column made a long
    # scroll where a summary sat as close to the next link as to its own
    for start in range(0, len(pages), 3):
        for col, p in zip(st.columns(3), pages[start:start + 3]):
            with col:
                st.page_link(p.path, label=p.title, icon=p.icon)
                st.caption(p.summary)
