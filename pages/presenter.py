"""Presenter: run a live session — join code and QR, pace questions, reveal, run for the class."""

import streamlit as st

from classroom.sessions import MODES
from ui.resources import catalog
from ui.roles import instructor_unlocked
from ui.session_common import sessions
from ui.session_presenter import controls, header, options_panel, run_panel, stage
from ui.session_report import report_view

if not instructor_unlocked():
    st.title("Live session")
    st.stop()

lessons = {lesson.id: lesson for lesson in catalog().lessons}
active = sessions().list(active=True)
with st.sidebar:
    st.markdown("#### Live session")
    with st.form("new_session", border=True):
        lesson_id = st.selectbox(
            "Lesson",
            list(lessons),
            format_func=lambda i: lessons[i].title,
            key="new_session_lesson",
        )
        mode = st.radio(
            "Pacing",
            MODES,
            horizontal=True,
            key="new_session_mode",
            format_func={"paced": "I pace it", "self": "Self-paced"}.get,
        )
        if st.form_submit_button("Start a session", type="primary"):
            created = sessions().create(lesson_id, mode).id
            st.session_state["presenter_session"] = st.session_state["presenter_pick"] = created
            st.rerun()
    if active:
        ids = [s.id for s in active]
        picked = st.session_state.get("presenter_session")
        label = {
            s.id: f"{s.code} · {getattr(lessons.get(s.lesson_id), 'title', s.lesson_id)}"
            for s in active
        }
        chosen = st.selectbox(
            "Running sessions",
            ids,
            index=ids.index(picked) if picked in ids else 0,
            format_func=label.get,
            key="presenter_pick",
        )
        st.session_state["presenter_session"] = chosen

live = sessions().get(st.session_state.get("presenter_session") or 0)
if live is None or live.lesson_id not in lessons:
    st.title("Live session")
    st.info(
        "Start a session in the sidebar: pick a lesson and how it is paced. The class joins "
        "with the code and QR code shown here.",
        icon=":material/groups:",
    )
    st.stop()
lesson = lessons[live.lesson_id]
options_panel(live, lesson)
if st.sidebar.button("End session", key="live-end", disabled=live.ended):
    sessions().end(live.id)
    st.rerun()

# Only the chosen view is drawn: the run view checks lab presets against this machine (torch).
VIEWS = ["Stage", "Run for the class", "Report"]
view = st.segmented_control(
    "View", VIEWS, default="Stage", key="presenter_view", label_visibility="collapsed"
)
if view == "Run for the class":
    run_panel(live, lesson)
elif view == "Report":
    report_view(live, lesson)
else:
    header(live, lesson)
    shown = controls(live, lesson)
    stage(live, lesson, shown)
