"""A learner's live session: join by code, then follow the instructor's questions and runs."""

import streamlit as st

from ui.identity import current_learner, sidebar_badge
from ui.prefetch import plotly_when_idle
from ui.resources import catalog
from ui.session_common import sessions
from ui.session_learner import join_form, learner_view

learner = current_learner()
sidebar_badge(learner)
code = (st.query_params.get("code") or "").strip().upper()
live = sessions().by_code(code) if code else None
if live is None or learner is None or not sessions().is_member(live.id, learner.id):
    st.title("Live session")
    if code and live is None:
        st.error(f"No session has the code {code!r}. Check the code on the projector.")
    join_form(code if live else "", learner=learner)
    st.stop()

lessons = {lesson.id: lesson for lesson in catalog().lessons}
if live.lesson_id not in lessons:
    st.error(f"This session's lesson {live.lesson_id!r} is not on this server any more.")
    st.stop()
st.query_params["code"] = live.code
plotly_when_idle()  # distributions and a class run's chart come later: load the library now
learner_view(live, lessons[live.lesson_id], learner)
