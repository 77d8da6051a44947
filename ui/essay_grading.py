"""Instructor: grade the learners' open answers (essays) by their rubric lines.

Each essay opens in an expander, ungraded ones first: the text, the learner's own
assessment, the rubric as checkboxes (pre-ticked with the grader's earlier lines, else the
learner's), a comment and "Save grade". The grade is `lessons.grading.grade` of the ticked
lines, stored by `classroom.store`. Widget keys: `eg-<learner>-<lesson>-<question>-…`.
"""

from __future__ import annotations

import streamlit as st

from lessons.grading import grade
from ui.identity import plain


def essay_grading(lessons, store) -> None:
    """Draw every essay with its grading form; nothing when there are none."""
    essays = sorted(store.essays(), key=lambda e: (e.grade is not None, e.submitted_at))
    if not essays:
        st.caption("No open answers yet. They appear here when learners submit essays.")
        return
    names = {learner.id: learner.name for learner in store.list_learners()}
    found = {(lesson.id, q.id): q for lesson in lessons for q in lesson.questions()}
    waiting = sum(e.grade is None for e in essays)
    st.caption(f"{waiting} of {len(essays)} open answers wait for a grade.")
    for essay in essays:
        status = "not graded" if essay.grade is None else f"graded {essay.grade:.0%}"
        who = plain(names.get(essay.learner_id, "?"))
        title = f"{who} · {essay.lesson_id} · {essay.question_id}"
        with st.expander(f"{title} — {status}"):
            _form(store, found.get((essay.lesson_id, essay.question_id)), essay)


def _form(store, question, essay) -> None:
    key = f"eg-{essay.learner_id}-{essay.lesson_id}-{essay.question_id}"
    st.text_area("Answer", essay.text, key=f"{key}-text", disabled=True, height=160)
    if essay.self_score is None:
        st.caption("The learner has not assessed their answer.")
    else:
        st.caption(f"The learner's self-assessment: {essay.self_score:.0%}.")
    if question is None:
        st.warning("This question is no longer in the lessons, so its rubric is unknown.")
        return
    with st.popover("Model answer"):
        st.markdown(question.model_answer)
    start = set(essay.grade_lines if essay.grade_lines is not None else essay.self_lines or ())
    ticked = [
        i
        for i, line in enumerate(question.rubric)
        if st.checkbox(f"{line.text} ({line.points:g} pt)", value=i in start, key=f"{key}-{i}")
    ]
    comment = st.text_input("Comment for the learner", essay.comment, key=f"{key}-comment")
    if st.button("Save grade", key=f"{key}-save", type="primary"):
        result = grade(question, ticked)
        try:
            store.grade_essay(
                essay.learner_id, essay.lesson_id, essay.question_id, ticked, result.score, comment
            )
        except ValueError as error:
            st.warning(str(error))
            return
        st.rerun()
