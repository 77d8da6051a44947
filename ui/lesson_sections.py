"""Which section of a lesson the page shows, and the controls that move between sections.

A lesson of several sections (`lessons.sections`) shows one at a time: the sidebar lists
them as a table of contents (a ✓ beside each whose questions are all solved) with a last
entry for the whole lesson on one page, and Previous / Next buttons end each section. The
URL carries the choice — `?lesson=ID&section=N` (1-based) or `section=all` — so a reload,
a bookmark or a link a teacher shares opens the same place; `?q=QUESTION_ID` opens the
section that holds that question (or lab block). A page holds a section's few questions,
not the lesson's dozen (each question card costs the browser ~25 ms to draw on a 2-core box:
bench/README.md).
"""

from __future__ import annotations

import re

import streamlit as st

from lessons.sections import Section, section_of
from lessons.types import question_type

ALL = -1
"""The table-of-contents value meaning "the whole lesson on one page"."""


def state_key(lesson_id: str) -> str:
    return f"section-{lesson_id}"


def from_query(parts: list[Section], query) -> int:
    """The section a URL asks for: `section=N` (1-based) or `all`, else the one holding block
    `q` (a question or lab id), else the first. Anything unreadable gives the first."""
    wanted = str(query.get("section", "")).strip().lower()
    if wanted == "all":
        return ALL
    if re.fullmatch(r"[0-9]{1,4}", wanted) and 1 <= int(wanted) <= len(parts):
        return int(wanted) - 1  # ASCII digits only: "²".isdigit() is True, int("²") raises
    found = section_of(parts, str(query.get("q", "")))
    return 0 if found is None else found


def choose(lesson, parts: list[Section], states: dict, query_matches: bool) -> int:
    """Draw the table of contents in the sidebar and return the chosen section (or ALL).

    `query_matches`: the URL's lesson is this lesson, so its `section` / `q` count."""
    key = state_key(lesson.id)
    if key not in st.session_state:  # first draw of this lesson's contents: from the URL
        st.session_state[key] = from_query(parts, st.query_params) if query_matches else 0
        st.session_state[f"{key}-drawn"] = st.session_state[key]  # arriving is not a move
    if st.session_state[key] not in (ALL, *range(len(parts))):
        st.session_state[key] = 0  # the lesson lost sections since this tab last saw it
    labels = {s.index: _label(s, states) for s in parts} | {ALL: "Whole lesson on one page"}
    chosen = st.sidebar.radio("Sections", list(labels), format_func=labels.get, key=key)
    st.query_params["section"] = "all" if chosen == ALL else str(chosen + 1)
    st.query_params.pop("q", None)  # used once; the section number now says where we are
    return chosen


def _label(section: Section, states: dict) -> str:
    """ "N. Title", with ✓ once its auto-graded questions are all solved (essays are graded
    by a person, apart, as in the lesson's progress bar)."""
    ids = [q.id for q in section.questions() if question_type(q).auto_graded]
    done = ids and all(states.get(i) is not None and states[i].solved for i in ids)
    return f"{section.index + 1}. {section.title}" + (" ✓" if done else "")


def _go(key: str, target: int) -> None:
    st.session_state[key] = target
    st.session_state[f"{key}-focus"] = True  # Previous / Next: the heading takes the focus


def pager(lesson, parts: list[Section], current: int) -> None:
    """Previous / Next at the foot of a section, naming where each goes."""
    key = state_key(lesson.id)
    prev = parts[current - 1] if current > 0 else None
    nxt = parts[current + 1] if current + 1 < len(parts) else None
    # one horizontal row: Previous on the left, Next on the right (alone too)
    align = "distribute" if prev and nxt else ("right" if nxt else "left")
    row = st.container(horizontal=True, horizontal_alignment=align, key=f"{key}-pager")
    for target, text, kind, tip in (
        (prev, "← Previous: {n}. {title}", "secondary", "Previous section"),
        (nxt, "Next: {n}. {title} →", "primary", "Next section"),
    ):
        if target is not None:
            row.button(
                text.format(n=target.index + 1, title=target.title),
                key=f"{key}-{'next' if target is nxt else 'prev'}",
                on_click=_go,
                args=(key, target.index),
                type=kind,
                help=tip,
            )


def arrive(lesson_id: str, current: int) -> None:
    """After a move to another section (or to the whole lesson) in this tab: back to the top
    of the page; after Previous / Next also keyboard focus on the section's heading, so a
    screen reader reads where it now is. Not after a move in the table of contents, whose
    arrow keys must stay in the list. Nothing on the first draw or when an answer reruns
    the same section."""
    key = state_key(lesson_id)
    moved = st.session_state.get(f"{key}-drawn", current) != current
    st.session_state[f"{key}-drawn"] = current
    focus = st.session_state.pop(f"{key}-focus", False)
    if moved:
        script = _ARRIVE_JS.replace("SECTION", str(int(current)))
        st.html(script.replace("FOCUS", "true" if focus else "false"), unsafe_allow_javascript=True)


_ARRIVE_JS = """<script>/* section SECTION */
(() => {
  const main = document.querySelector("[data-testid='stMain']");
  if (main) main.scrollTo({top: 0});
  window.scrollTo({top: 0});
  if (!FOCUS) return;
  const box = document.querySelector("[data-testid='stMainBlockContainer']");
  const h = box && (box.querySelector("h2") || box.querySelector("h1"));
  if (h) { h.setAttribute("tabindex", "-1"); h.focus({preventScroll: true}); }
})();
</script>"""
