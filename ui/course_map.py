"""The course map on the home page: "continue where you left off", then the lessons grouped
by concept, each card with its progress and what to learn before it (`ui.course_plan`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import streamlit as st

from ui.cards import lesson_card
from ui.course_plan import grouped, learn_before, next_lesson
from ui.identity import link_params

LABELS = {
    "continue": "Continue where you left off",
    "next": "Up next",
    "start": "Start here",
}


def continue_link(
    lessons: Sequence[Any],
    progress: Mapping[str, Any],
    last_lesson_id: str | None,
    tried: Mapping[str, set[str]] | None = None,
) -> None:
    """A prominent link to the lesson to continue with, or a note that all are done. With
    `tried` (lesson id → ids of questions tried), the link opens the section holding the
    lesson's first question not tried yet (`q=` on the lesson page)."""
    target = next_lesson(lessons, progress, last_lesson_id)
    with st.container(border=True, key="continue-card"):
        if target is None:
            st.success("You have answered every question of the course.", icon=":material/check:")
            return
        lesson, why = target
        p = progress[lesson.id]
        st.markdown(f"**{LABELS[why]}:** {lesson.title}")
        if p.total:
            st.caption(f"{p.answered} of {p.total} questions answered, {p.solved} solved")
        st.page_link(
            "pages/lesson.py",
            label=f"{LABELS[why]} →",
            icon=":material/play_arrow:",
            query_params={**link_params(), "lesson": lesson.id, **_first_untried(lesson, tried)},
        )


def _first_untried(lesson, tried: Mapping[str, set[str]] | None) -> dict[str, str]:
    done = (tried or {}).get(lesson.id, set())
    fresh = next((q.id for q in lesson.questions() if q.id not in done), None)
    return {"q": fresh} if done and fresh else {}


def course_map(lessons: Sequence[Any], progress: Mapping[str, Any], *, signed_in: bool) -> None:
    """Lessons grouped by concept, numbered in catalog order, with prerequisites."""
    titles = {lesson.id: lesson.title for lesson in lessons}
    numbers = {lesson.id: n for n, lesson in enumerate(lessons, 1)}
    for title, members in grouped(lessons):
        st.subheader(title)
        for lesson in members:
            before = learn_before(lesson, titles)
            lesson_card(
                numbers[lesson.id],
                lesson,
                progress[lesson.id],
                signed_in=signed_in,
                learn_before=before,
            )
