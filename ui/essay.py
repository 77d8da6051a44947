"""The card body of an essay (open answer) question, as Moodle's essay with self-assessment.

1. The learner writes and submits (once: the text is final, as it is in Moodle).
2. They see the model answer and tick the rubric lines their answer meets; the ticks give a
   self-assessed score, which they may redo.
3. An instructor grades it on the instructor page; the grade and comment then show here.

Signed-out learners can write and see the model answer, but nothing is stored.
Widget keys: `q-<lesson>-<question>-essay|submit|rubric-<i>|self`; the text is the
browser's own `<textarea>` (`ui/controls.py` `essay_input`), not `st.text_area`.
"""

from __future__ import annotations

import streamlit as st

from lessons.grading import essay_text_problem, grade
from ui.controls import essay_input
from ui.resources import store


def essay_body(lesson, question, key: str, learner, state) -> None:
    """Draw the essay's input or, once submitted, the model answer and self-assessment."""
    del state  # essays are not attempts: their state is the stored essay
    essay = store().essay(learner.id, lesson.id, question.id) if learner else None
    text = essay.text if essay else st.session_state.get(f"{key}-anon")
    if text is None:
        _writing(lesson, question, key, learner)
        return
    essay_input(key, question, text, disabled=True)
    st.markdown("**Model answer**")
    st.info(question.model_answer)
    st.markdown("**Explanation**")
    st.info(question.explanation)
    if essay is None:
        st.caption("Sign in on the home page to keep your answer and assess it.")
        return
    _self_assessment(lesson, question, key, learner, essay)
    _grade(question, essay)


def _writing(lesson, question, key: str, learner) -> None:
    note = "Once submitted, it is final and the model answer shows."
    text = essay_input(key, question, None, disabled=False, note=note)
    if question.hint:
        st.caption(f":material/lightbulb: Hint: {question.hint}")
    if not st.button("Submit", key=f"{key}-submit", type="primary"):
        return
    problem = essay_text_problem(question, text)
    if problem:
        st.warning(problem)
        return
    if learner is None:
        st.session_state[f"{key}-anon"] = text
    else:
        try:
            store().submit_essay(learner.id, lesson.id, question.id, text)
        except ValueError as error:  # submitted meanwhile from another tab
            st.warning(str(error))
            return
    st.rerun()


def _self_assessment(lesson, question, key: str, learner, essay) -> None:
    st.markdown("**Assess your answer:** tick each line your answer meets.")
    met = set(essay.self_lines or ())
    ticked = [
        i
        for i, line in enumerate(question.rubric)
        if st.checkbox(f"{line.text} ({line.points:g} pt)", value=i in met, key=f"{key}-rubric-{i}")
    ]
    if st.button("Save self-assessment", key=f"{key}-self"):
        result = grade(question, ticked)
        store().self_assess_essay(learner.id, lesson.id, question.id, ticked, result.score)
        st.rerun()
    if essay.self_score is not None:
        st.caption(f"Your self-assessment: {essay.self_score:.0%}. An instructor grades it too.")


def _grade(question, essay) -> None:
    if essay.grade is None:
        st.caption(":material/hourglass_empty: Not graded by an instructor yet.")
        return
    rubric = question.rubric
    lines = ", ".join(rubric[i].text for i in essay.grade_lines or () if i < len(rubric))
    comment = f" — {essay.comment}" if essay.comment else ""
    st.success(f"Instructor's grade: {essay.grade:.0%}{comment}", icon=":material/grading:")
    if lines:
        st.caption(f"Met: {lines}")
