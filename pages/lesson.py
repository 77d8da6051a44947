"""A lesson: its text, questions and live-lab presets, in the order the YAML gives them,
one section at a time (ui/lesson_sections.py) or the whole lesson on one page."""

import streamlit as st

from classroom.progress import lesson_progress
from lessons.sections import sections
from lessons.types import auto_graded_ids
from ui.controls import select_one
from ui.identity import current_learner, sidebar_badge
from ui.inline_text import inline_plain
from ui.lab_panel import lab_block
from ui.lesson_sections import ALL, arrive, choose, pager
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
with st.sidebar:
    lesson_id = select_one(
        "lesson_pick",
        "Lesson",
        [(i, inline_plain(lessons[i].title)) for i in ids],
        default=wanted if wanted in ids else ids[0],
        hint="Enter opens the lesson chosen.",
    )
st.query_params["lesson"] = lesson_id
lesson = lessons[lesson_id]

states = store().question_state(learner.id, lesson.id) if learner else {}
progress = lesson_progress(auto_graded_ids(lesson), states)  # essays: graded apart
parts = sections(lesson)
if len(parts) > 1:
    current = choose(lesson, parts, states, wanted == lesson_id)
else:  # one section: nothing to choose, and no stale place from another lesson in the URL
    current = ALL
    st.query_params.pop("section", None)
    st.query_params.pop("q", None)
shown = parts if current == ALL else [parts[current]]
where = "" if current == ALL else f" · section {current + 1} of {len(parts)}"
st.title(lesson.title)
if learner is None:
    st.warning("You are not signed in: answers are graded but not saved.", icon=":material/person:")
else:
    solved = f"{progress.solved} of {progress.total} questions solved{where}"
    st.progress(progress.solved_fraction, text=solved)

for section in shown:
    number = section.first_number
    for block in section.blocks:
        if block.type == "markdown":
            markdown(block.text)
        elif block.type == "lab":
            lab_block(block)
        else:
            render_question(lesson, block, number, learner, states.get(block.id))
            number += 1

if current != ALL:
    pager(lesson, parts, current)
arrive(lesson.id, current)  # one section: never a move, but another lesson's place is dropped
if lesson.sources and current in (ALL, len(parts) - 1):
    with st.expander("Sources"):
        st.markdown("\n".join(f"- {s}" for s in lesson.sources))
