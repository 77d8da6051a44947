"""A lesson: its text, questions and live-lab presets, in the order the YAML gives them."""

import streamlit as st

from classroom.progress import lesson_progress
from lessons.types import auto_graded_ids
from ui.identity import current_learner, sidebar_badge
from ui.lab_panel import lab_block
from ui.questions import render_question
from ui.resources import catalog, store
from ui.rich_text import markdown

learner = current_learner()
sidebar_badge(learner)
lessons = {lesson.id: lesson for lesson in catalog().lessons}
if not lessons:
    st.info("There are no lessons to show yet. See the course page.")
    st.stop()

wanted = st.query_params.get("lesson")
ids = list(lessons)
lesson_id = st.sidebar.selectbox(
    "Lesson",
    ids,
    index=ids.index(wanted) if wanted in ids else 0,
    format_func=lambda i: lessons[i].title,
    key="lesson_pick",
)
st.query_params["lesson"] = lesson_id
lesson = lessons[lesson_id]

states = store().question_state(learner.id, lesson.id) if learner else {}
progress = lesson_progress(auto_graded_ids(lesson), states)  # essays: graded apart
st.title(lesson.title)
if learner is None:
    st.warning("You are not signed in: answers are graded but not saved.", icon=":material/person:")
else:
    solved = f"{progress.solved} of {progress.total} questions solved"
    st.progress(progress.solved_fraction, text=solved)

number = 0
for block in lesson.body:
    if block.type == "markdown":
        markdown(block.text)
    elif block.type == "lab":
        lab_block(block)
    else:
        number += 1
        render_question(lesson, block, number, learner, states.get(block.id))

if lesson.sources:
    with st.expander("Sources"):
        st.markdown("\n".join(f"- {s}" for s in lesson.sources))
