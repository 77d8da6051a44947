"""The instructor's live view of one lesson: how the class is doing on each question.

A fragment that refreshes itself every few seconds, so a projected page follows the room's
answers without anyone pressing reload. Each question is a row with its prompt rendered
(Markdown and LaTeX, as learners see it) and narrow number columns, so nothing is cut off
at 1280 px.
"""

from __future__ import annotations

import streamlit as st

from classroom.export import question_rows
from ui.resources import catalog, store

REFRESH_S = 5
WIDTHS = [0.4, 6, 1.1, 1.1, 1.6, 1.1]


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
    head = st.columns(WIDTHS)
    names = ["#", "question", "answered", "solved", "mean best", "tries"]
    for col, name in zip(head, names, strict=True):
        col.markdown(f"**{name}**")
    for number, (q, row) in enumerate(zip(questions, rows, strict=True), 1):
        with st.container(border=True, key=f"class-row-{q.id}"):
            cols = st.columns(WIDTHS, vertical_alignment="center")
            cols[0].markdown(f"**{number}**")
            with cols[1]:
                st.markdown(first_paragraph(q.prompt))
                st.caption(f"`{q.id}` · {q.type.replace('_', ' ')} · {q.points:g} pt")
            cols[2].markdown(str(row["answered"]))
            cols[3].markdown(str(row["solved"]))
            best = row["mean_best"]
            cols[4].progress(best or 0.0, text="—" if best is None else f"{best:.0%}")
            tries = row["mean_tries"]
            cols[5].markdown("—" if tries is None else f"{tries:.1f}")
    st.caption(f"Refreshes every {REFRESH_S} s.")


def first_paragraph(markdown: str, limit: int = 400) -> str:
    """The prompt's first paragraph (Markdown kept, so it renders), cut at a word."""
    text = markdown.strip().split("\n\n")[0].strip()
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0] + " …"
