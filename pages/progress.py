"""My progress: every lesson and question, with tries and best score."""

import streamlit as st

from classroom.progress import lesson_progress
from ui.identity import current_learner, sidebar_badge
from ui.resources import catalog, store

learner = current_learner()
sidebar_badge(learner)
st.title("My progress")
if learner is None:
    st.info("Sign in on the course page to keep and see your progress.")
    st.stop()

for lesson in catalog().lessons:
    states = store().question_state(learner.id, lesson.id)
    questions = lesson.questions()
    progress = lesson_progress([q.id for q in questions], states)
    with st.container(border=True, key=f"progress-{lesson.id}"):
        st.markdown(f"#### {lesson.title}")
        st.progress(progress.solved_fraction, text=f"{progress.solved}/{progress.total} solved")
        rows = [
            {
                "question": q.id,
                "type": q.type.replace("_", " "),
                "tries": states[q.id].tries if q.id in states else 0,
                "best score": states[q.id].best_score if q.id in states else None,
                "solved": bool(states.get(q.id) and states[q.id].solved),
            }
            for q in questions
        ]
        st.dataframe(
            rows,
            hide_index=True,
            width="stretch",
            column_config={
                "best score": st.column_config.ProgressColumn(
                    "best score", min_value=0.0, max_value=1.0, format="percent"
                )
            },
            key=f"progress-table-{lesson.id}",
        )
