"""ML Explorer entry point: navigation by section and the global sidebar. Nothing else."""
from pathlib import Path

import streamlit as st

from components import catalog
from components.ui import common, lesson_bar, memo_backend, memory, scrub

memo_backend.install()  # the labs' cached computations (components.memo) use Streamlit's caches
memory.give_back_freed_memory()  # once per process: freed memory goes back to the system

# Presenting: the sidebar starts collapsed, so the page's own controls and charts get the projector's width.
# A local icon: a material-symbol favicon would be fetched from fonts.gstatic.com (the app works offline).
presenting = str(st.query_params.get(common.PRESENTER_KEY, "")).lower() == "true"
st.set_page_config(page_title="ML Explorer", page_icon=str(Path(__file__).parent / "assets" / "icon.png"), layout="wide",
                   initial_sidebar_state="collapsed" if presenting else "auto")

home = st.Page("views/home.py", title="Home", icon=":material/home:", default=True)
nav = {"": [home]} | {
    section: [st.Page(p.path, title=p.title, icon=p.icon, url_path=p.url_path) for p in pages]
    for section, pages in catalog.by_section().items()
}
page = st.navigation(nav, expanded=True)  # every page visible: the sidebar is the syllabus
common.set_page(page.url_path)
common.global_sidebar(catalog.shared_data(page.url_path))
common.presenter_bar()
lesson_bar.bar(page.url_path)
with st.sidebar:
    scrub.bridge()  # scrubbing sliders move their charts in the browser (components/ui/scrub.py)
page.run()
common.share_link_box()
common.warm_up_in_background()  # once per process: the labs' libraries load while Home is read
