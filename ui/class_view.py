"""The instructor's live view of one lesson: how the class is doing on each question.

A fragment that refreshes itself every few seconds, so a projected page follows the room's
answers without anyone pressing reload.
"""

from __future__ import annotations

import streamlit as st

from classroom.export import question_rows
from ui.resources import catalog, store

REFRESH_S = 5


def live_class_view() -> None:
    lessons = {lesson.id: lesson for lesson in catalog().lessons}
    if not lessons:
        st.info("No lessons to follow yet.")
        return
    lesson_id = st.selectbox(
        "Lesson", list(lessons), format_func=lambda i: lessons[i].title, key="class_lesson"
    )
    _class_table(lesson_id)


@st.fragment(run_every=REFRESH_S)
def _class_table(lesson_id: str) -> None:
    lesson = next(les for les in catalog().lessons if les.id == lesson_id)
    questions = lesson.questions()
    rows = question_rows(store(), lesson.id, [q.id for q in questions])
    prompts = {q.id: q.prompt.strip().splitlines()[0][:80] for q in questions}
    for row in rows:
        row["prompt"] = prompts[row["question"]]
    st.dataframe(
        rows,
        hide_index=True,
        width="stretch",
        column_order=["question", "prompt", "answered", "solved", "mean_best", "mean_tries"],
        column_config={
            "mean_best": st.column_config.ProgressColumn(
                "mean best score", min_value=0.0, max_value=1.0, format="percent"
            ),
            "mean_tries": st.column_config.NumberColumn("mean tries", format="%.1f"),
        },
        key="class_table",
    )
    st.caption(f"Refreshes every {REFRESH_S} s.")
