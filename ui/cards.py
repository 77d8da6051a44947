"""Cards shared by the course pages: a lesson with its progress, and broken lesson files."""

from __future__ import annotations

import streamlit as st

from ui.identity import link_params


def lesson_card(number: int, lesson, progress, *, signed_in: bool, learn_before=()) -> None:
    """One lesson: title, summary, concepts, what to learn before it (titles) and the
    learner's progress, with a link in."""
    with st.container(border=True, key=f"lesson-card-{lesson.id}"):
        left, right = st.columns([4, 1], vertical_alignment="center")
        with left:  # one element: each costs the browser a few ms, and 17 cards add up
            lines = [" · ".join(lesson.concepts)] if lesson.concepts else []
            if learn_before:
                lines.append("Learn before: " + " · ".join(learn_before))
            small = "".join(f"  \n:small[{line}]" for line in lines)
            st.markdown(f"#### {number}. {lesson.title}\n\n{lesson.summary}\n{small}")
        with right:
            if signed_in and progress.total:
                st.progress(
                    progress.solved_fraction,
                    text=f"{progress.solved}/{progress.total} solved",
                )
            else:
                st.caption(f"{progress.total} questions")
            st.page_link(
                "pages/lesson.py",
                label="Open lesson →",
                query_params={**link_params(), "lesson": lesson.id},
            )


def broken_lesson_cards(broken: dict[str, list]) -> None:
    """An error card per lesson file that failed to load, listing its located problems."""
    for path, problems in broken.items():
        with st.container(border=True, key=f"broken-{path}"):
            st.error(
                f"**{path}** could not be loaded ({len(problems)} problem"
                f"{'s' if len(problems) != 1 else ''}); the other lessons work.",
                icon=":material/error:",
            )
            st.code("\n".join(str(p) for p in problems), language="text")
            st.caption("Fix the file and reload, or run `python -m lessons validate`.")
