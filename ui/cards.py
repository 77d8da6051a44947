"""Cards for the course pages: a broken lesson file's located problems (the lesson cards
themselves are the course map's HTML, `ui.course_map`)."""

from __future__ import annotations

import streamlit as st


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
