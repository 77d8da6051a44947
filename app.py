"""ParaLab: learn how large language models are spread across GPUs.

Run it with `streamlit run app.py` (the README's one-command set-up does this for you).
This file only builds the navigation; every page is a thin file in `pages/`.
"""

from pathlib import Path

import streamlit as st

from ui.roles import instructor_enabled

# A local icon: a ":material/..." icon would make every browser fetch it from a font CDN.
st.set_page_config(
    page_title="ParaLab",
    page_icon=str(Path(__file__).parent / "content" / "favicon.png"),
    layout="wide",
)

learn = [
    st.Page(
        "pages/home.py", title="Course", icon=":material/school:", url_path="home", default=True
    ),
    st.Page("pages/lesson.py", title="Lesson", icon=":material/menu_book:", url_path="lesson"),
    st.Page("pages/lab.py", title="Live lab", icon=":material/science:", url_path="lab"),
    st.Page("pages/session.py", title="Live session", icon=":material/groups:", url_path="session"),
    st.Page(
        "pages/progress.py", title="My progress", icon=":material/insights:", url_path="progress"
    ),
]
sections = {"Learn": learn}
if instructor_enabled():
    sections["Instructor"] = [
        st.Page(
            "pages/presenter.py",
            title="Presenter",
            icon=":material/co_present:",
            url_path="presenter",
        ),
        st.Page(
            "pages/instructor.py",
            title="Scores & export",
            icon=":material/download:",
            url_path="instructor",
        ),
    ]
st.navigation(sections, expanded=True).run()
