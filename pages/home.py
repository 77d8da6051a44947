"""Course home: sign in, "continue where you left off", the course map (lessons grouped by
concept with prerequisites and progress), broken lesson files."""

import streamlit as st

from classroom.progress import lesson_progress
from lessons.types import auto_graded_ids
from ui.cards import broken_lesson_cards
from ui.course_map import continue_link, course_map
from ui.identity import current_learner, sidebar_badge, sign_in_form
from ui.resources import catalog, store
from ui.session_learner import join_form

learner = current_learner()
sidebar_badge(learner)

st.title("ParaLab")
st.markdown(
    "Learn how large language models are spread across many GPUs — data, tensor, "
    "pipeline, sequence and expert parallelism, memory sharding, collectives and serving — "
    "with quizzes, case studies, and **real** multi-process PyTorch runs whose schedules "
    "you can watch."
)
if learner is None:
    sign_in_form()
join_form(st.query_params.get("join", ""), learner=learner, key="home_join")

course = catalog()
if not course.lessons and not course.broken:
    st.info("No lessons yet. Add a YAML file to `content/lessons/` (see the README).")

progress = {  # essays are graded apart, as on the lesson page
    lesson.id: lesson_progress(
        auto_graded_ids(lesson), store().question_state(learner.id, lesson.id) if learner else {}
    )
    for lesson in course.lessons
}
if learner is not None and course.lessons:
    attempts = store().attempts(learner.id)
    tried: dict[str, set[str]] = {}
    for attempt in attempts:
        tried.setdefault(attempt.lesson_id, set()).add(attempt.question_id)
    last = attempts[-1].lesson_id if attempts else None
    continue_link(course.lessons, progress, last, tried)

course_map(course.lessons, progress, signed_in=learner is not None)
broken_lesson_cards(course.broken)
