"""My progress: every lesson and question, with tries and best score; a lesson's open
answers (essays) apart, with where each stands: not written, waiting for a grade, graded."""

import streamlit as st

from classroom.progress import lesson_progress
from lessons.types import auto_graded_ids
from ui.identity import current_learner, sidebar_badge
from ui.resources import catalog, store

learner = current_learner()
sidebar_badge(learner)
st.title("My progress")
if learner is None:
    st.info("Sign in on the course page to keep and see your progress.")
    st.stop()

SCORE = {"min_value": 0.0, "max_value": 1.0, "format": "percent"}


def essay_status(essay) -> str:
    if essay is None:
        return "not written"
    return "waiting for a grade" if essay.grade is None else "graded"


for lesson in catalog().lessons:
    states = store().question_state(learner.id, lesson.id)
    graded = set(auto_graded_ids(lesson))  # essays are graded by a person, not solved
    questions = [q for q in lesson.questions() if q.id in graded]
    essays = [q for q in lesson.questions() if q.id not in graded]
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
            column_config={"best score": st.column_config.ProgressColumn("best score", **SCORE)},
            key=f"progress-table-{lesson.id}",
        )
        if not essays:
            continue
        written = {q.id: store().essay(learner.id, lesson.id, q.id) for q in essays}
        st.dataframe(
            [
                {
                    "open answer": q.id,
                    "status": essay_status(written[q.id]),
                    "your self-assessment": getattr(written[q.id], "self_score", None),
                    "grade": getattr(written[q.id], "grade", None),
                }
                for q in essays
            ],
            hide_index=True,
            width="stretch",
            column_config={
                "your self-assessment": st.column_config.ProgressColumn(
                    "your self-assessment", **SCORE
                ),
                "grade": st.column_config.ProgressColumn("grade", **SCORE),
            },
            key=f"progress-essays-{lesson.id}",
        )
