"""Which section of a lesson the page shows, and the controls that move between sections.

A lesson of several sections (`lessons.sections`) shows one at a time: the sidebar lists
them as a table of contents (a ✓ beside each whose questions are all solved) with a last
entry for the whole lesson on one page, and Previous / Next end each section. The URL is
the place — `?lesson=ID&section=N` (1-based) or `section=all` — so a reload, a bookmark or
a link a teacher shares opens the same place; `?q=QUESTION_ID` opens the section that holds
that question (or lab block). A page holds a section's few questions, not the lesson's
dozen (each question card costs the browser ~25 ms to draw on a 2-core box: bench/README.md).

The contents and Previous / Next are links that open inside the running app
(`ui/app_links.py`): one history entry per move, so Back returns to the section before, and
a middle click opens a section in a new tab. Drawn as one light element each, not as
Streamlit's radio and buttons (~35 ms of the browser's time on every lesson page).
"""

from __future__ import annotations

import html
import re

import streamlit as st

from lessons.sections import Section, section_of
from lessons.types import question_type
from ui.app_links import FOCUS_FLAG, href, links_js
from ui.inline_text import inline_html

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


CSS = """
:host { display: block; }
.paralab-sections { font: inherit; color: var(--st-text-color, #0b1220); line-height: 1.45; }
.title { font-size: 0.875rem; margin: 0 0 0.35rem; }
ol { list-style: none; margin: 0; padding: 0; display: flex; flex-direction: column; gap: 2px; }
a { color: inherit; text-decoration: none; border-radius: 0.5rem; }
a:focus-visible { outline: 3px solid var(--st-primary-color, #2a44b0); outline-offset: 1px; }
.toc a { display: flex; gap: 0.4rem; align-items: baseline; padding: 0.3rem 0.6rem;
  font-size: 0.95rem; min-height: 24px; }
.toc a:hover { background: rgba(42, 68, 176, 0.08); }
.toc a[aria-current="page"] { background: rgba(42, 68, 176, 0.14); font-weight: 600;
  color: var(--st-primary-color, #2a44b0); }
.toc .all { margin-top: 0.35rem; padding-top: 0.35rem;
  border-top: 1px solid rgba(11, 18, 32, 0.12); }
.tick { color: #1b6e3a; font-weight: 600; }
.sr { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%);
  white-space: nowrap; }
.pager { display: flex; flex-wrap: wrap; gap: 0.75rem; justify-content: space-between;
  margin-top: 0.5rem; }
.pager.right { justify-content: flex-end; }
.pager a { display: inline-flex; align-items: center; padding: 0.4rem 0.85rem;
  min-height: 2.5rem; box-sizing: border-box; border: 1px solid rgba(11, 18, 32, 0.2);
  font-size: 1rem; max-width: 100%; }
.pager a:hover { border-color: var(--st-primary-color, #2a44b0);
  color: var(--st-primary-color, #2a44b0); }
.pager a.next { margin-left: auto; color: #ffffff; background: var(--st-primary-color, #2a44b0);
  border-color: var(--st-primary-color, #2a44b0); }
.pager a.next:hover { color: #ffffff; filter: brightness(0.92); }
"""

JS = links_js("paralab-sections")

_component = st.components.v2.component("paralab_sections", css=CSS, js=JS)


def choose(lesson, parts: list[Section], states: dict, query_matches: bool) -> int:
    """The section the URL asks for (or ALL), with the sidebar's table of contents drawn.

    `query_matches`: the URL's lesson is this lesson, so its `section` / `q` count; else
    (another lesson picked in the sidebar) the first section."""
    chosen = from_query(parts, st.query_params) if query_matches else 0
    st.query_params["section"] = "all" if chosen == ALL else str(chosen + 1)
    st.query_params.pop("q", None)  # used once; the section number now says where we are
    with st.sidebar:
        _component(key=f"{state_key(lesson.id)}-toc", data={"html": toc_html(lesson, parts,
                   states, chosen)})  # fmt: skip
    return chosen


def _link(lesson_id: str, target: int) -> str:
    section = "all" if target == ALL else str(target + 1)
    return html.escape(href("lesson", lesson=lesson_id, section=section))


def toc_html(lesson, parts: list[Section], states: dict, current: int) -> str:
    """The table of contents: a link per section ("N. Title", ✓ once its questions are all
    solved), the one shown marked as the current page, then the whole lesson on one page."""
    items = []
    for s in parts:
        here = ' aria-current="page"' if s.index == current else ""
        tick = (
            '<span class="tick" aria-hidden="true">✓</span><span class="sr">, solved</span>'
            if _done(s, states)
            else ""
        )
        items.append(
            f'<li><a href="{_link(lesson.id, s.index)}" data-app id="toc-{s.index + 1}"{here}>'
            f"<span>{s.index + 1}. {inline_html(s.title)}</span>{tick}</a></li>"
        )
    here = ' aria-current="page"' if current == ALL else ""
    whole = (
        f'<li class="all"><a href="{_link(lesson.id, ALL)}" data-app id="toc-all"{here}>'
        "Whole lesson on one page</a></li>"
    )
    return (
        '<nav class="toc" aria-labelledby="toc-title"><p class="title" id="toc-title">Sections'
        f"</p><ol>{''.join(items)}{whole}</ol></nav>"
    )


def _done(section: Section, states: dict) -> bool:
    """Its auto-graded questions all solved (essays are graded by a person, apart, as in the
    lesson's progress bar)."""
    ids = [q.id for q in section.questions() if question_type(q).auto_graded]
    return bool(ids) and all(states.get(i) is not None and states[i].solved for i in ids)


def pager_html(lesson, parts: list[Section], current: int) -> str:
    """Previous / Next at the foot of a section, naming where each goes (Next alone on the
    right); each asks the page it opens to put the focus on its heading."""
    links = []
    if current > 0:
        prev = parts[current - 1]
        links.append(
            f'<a class="prev" href="{_link(lesson.id, prev.index)}" data-app data-focus="heading" '
            f'id="pager-prev">← Previous: {prev.index + 1}. {inline_html(prev.title)}</a>'
        )
    if current + 1 < len(parts):
        nxt = parts[current + 1]
        links.append(
            f'<a class="next" href="{_link(lesson.id, nxt.index)}" data-app data-focus="heading" '
            f'id="pager-next">Next: {nxt.index + 1}. {inline_html(nxt.title)} →</a>'
        )
    shape = "pager right" if current == 0 else "pager"
    return f'<nav class="{shape}" aria-label="Previous and next section">{"".join(links)}</nav>'


def pager(lesson, parts: list[Section], current: int) -> None:
    """Previous / Next at the foot of a section (`pager_html`)."""
    html_ = pager_html(lesson, parts, current)
    _component(key=f"{state_key(lesson.id)}-pager", data={"html": html_})


def arrive(lesson_id: str, current: int) -> None:
    """After a move to another section (or to the whole lesson) of the lesson shown in this
    tab: back to the top of the page; after Previous / Next also keyboard focus on the
    section's heading, so a screen reader reads where it now is (their links leave
    `FOCUS_FLAG` in the tab's session storage). Not after a move in the table of contents,
    whose focused link stays focused. Nothing on the first draw, when an answer reruns the
    same section, or when another lesson is opened from the sidebar's list."""
    here = (lesson_id, current)
    before = st.session_state.get("section-drawn")
    st.session_state["section-drawn"] = here
    if before is not None and before[0] == lesson_id and before[1] != current:
        script = _ARRIVE_JS.replace("SECTION", str(int(current)))
        st.html(script.replace("FOCUS_FLAG", FOCUS_FLAG), unsafe_allow_javascript=True)


_ARRIVE_JS = """<script>/* section SECTION */
(() => {
  const main = document.querySelector("[data-testid='stMain']");
  if (main) main.scrollTo({top: 0});
  window.scrollTo({top: 0});
  const asked = Number(sessionStorage.getItem("FOCUS_FLAG") || 0);
  sessionStorage.removeItem("FOCUS_FLAG");
  if (Date.now() - asked > 5000) return;  // not asked by Previous / Next just now
  const box = document.querySelector("[data-testid='stMainBlockContainer']");
  const h = box && (box.querySelector("h2") || box.querySelector("h1"));
  if (h) { h.setAttribute("tabindex", "-1"); h.focus({preventScroll: true}); }
})();
</script>"""
