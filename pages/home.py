"""Course home: sign in, the lessons with the learner's progress, broken lesson files."""

import streamlit as st

from classroom.progress import lesson_progress
from ui.cards import broken_lesson_cards, lesson_card
from ui.identity import current_learner, sidebar_badge, sign_in_form
from ui.resources import catalog, store

learner = current_learner()
sidebar_badge(learner)

st.title("ParaLab")
st.markdown(
    "Learn how large language models are spread across many GPUs — data, tensor and "
    "pipeline parallelism, micro-batches and the pipeline *bubble* — with quizzes, and "
    "**real** multi-process PyTorch runs whose schedules you can watch."
)
if learner is None:
    sign_in_form()

course = catalog()
if not course.lessons and not course.broken:
    st.info("No lessons yet. Add a YAML file to `content/lessons/` (see the README).")

st.subheader("Lessons")
for number, lesson in enumerate(course.lessons, 1):
    states = store().question_state(learner.id, lesson.id) if learner else {}
    progress = lesson_progress([q.id for q in lesson.questions()], states)
    lesson_card(number, lesson, progress, signed_in=learner is not None)

broken_lesson_cards(course.broken)
