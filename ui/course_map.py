"""The course map on the home page: "continue where you left off", then the lessons grouped
by concept, each card with its progress and what to learn before it (`ui.course_plan`).

The map is one light element: a Streamlit v2 component (in the page, no iframe) holding the
HTML of every group heading and lesson card. Drawn as Streamlit elements — a bordered
container, two columns, markdown, a progress bar and a page link per card, 17 cards — the
home page cost the browser's main thread ~290 ms on this 2-core box; with the map as one
element ~230 ms (Chromium's counters, 7 loads each; `bench/README.md`, sixth pass).

Each card's "Open lesson →" is a real link that opens the lesson inside the running app
(`ui/app_links.py`; click → lesson drawn: ~275 ms against ~255 ms for `st.page_link`; asking
Python through a trigger and `st.switch_page` took ~300 ms).
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from typing import Any

import streamlit as st

from ui.app_links import href, links_js
from ui.course_plan import grouped, learn_before, next_lesson
from ui.identity import link_params
from ui.inline_text import inline_html

MAP_KEY = "course-map"

CSS = """
:host { display: block; }
.paralab-map { font: inherit; color: var(--st-text-color, #0b1220); line-height: 1.6; }
h3 { font-size: 1.75rem; font-weight: 600; line-height: 1.2; letter-spacing: -0.005em;
  margin: 0; padding: 0.75rem 0 1rem; }
section + section { margin-top: 1rem; }
.cards { display: flex; flex-direction: column; gap: 1rem; }
article { display: grid; grid-template-columns: minmax(0, 4fr) minmax(0, 1fr); gap: 1rem;
  align-items: center; border: 1px solid rgba(11, 18, 32, 0.2); border-radius: 0.5rem;
  padding: calc(1rem - 1px); }
@container (max-width: 640px) { article { grid-template-columns: minmax(0, 1fr); } }
.paralab-map { container-type: inline-size; }
h4 { font-size: 1.5rem; font-weight: 600; line-height: 1.2; letter-spacing: -0.005em; margin: 0;
  padding: 0.5rem 0 1rem; }
p { margin: 0 0 1rem; }
p:last-child { margin-bottom: 0; }
.small { font-size: 0.875rem; }
.side { display: flex; flex-direction: column; gap: 0.5rem; }
.count { font-size: 0.875rem; }
.bar { height: 8px; border-radius: 4px; overflow: hidden;
  background: var(--st-secondary-background-color, #e8ebf2); }
.bar > span { display: block; height: 100%; background: var(--st-primary-color, #2a44b0); }
a.open { align-self: flex-start; color: inherit; text-decoration: none; font-size: 0.875rem;
  padding: 0.25rem 0.5rem; min-height: 24px; border-radius: 0.5rem; }
a.open:hover { background: var(--st-secondary-background-color, #e8ebf2);
  text-decoration: underline; }
a.open:focus-visible { outline: 3px solid var(--st-primary-color, #2a44b0); outline-offset: 1px; }
code { font-family: "Source Code Pro", ui-monospace, monospace; font-size: 0.9em;
  background: #f0f2f7; border-radius: 4px; padding: 0 3px; }
math .v { font-style: italic; font-family: KaTeX_Math, "Times New Roman", serif; }
"""

JS = links_js("paralab-map")

_component = st.components.v2.component("paralab_course_map", css=CSS, js=JS)

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


def _card(number: int, lesson, progress, *, signed_in: bool, learn_before=()) -> str:
    """One lesson's card: title, summary, concepts, what to learn before it, the learner's
    progress, and a link in."""
    lid = html.escape(lesson.id)  # the loader allows letters, digits, _ . - only; all the same
    title_id = f"lesson-title-{lid}"
    text = [
        f'<h4 id="{title_id}">{number}. {inline_html(lesson.title)}</h4>',
        f"<p>{inline_html(lesson.summary)}</p>",
    ]
    small = [" · ".join(inline_html(c) for c in lesson.concepts)] if lesson.concepts else []
    if learn_before:
        small.append("Learn before: " + " · ".join(inline_html(t) for t in learn_before))
    if small:
        text.append(f'<p class="small">{"<br>".join(small)}</p>')
    if signed_in and progress.total:
        percent = round(100 * progress.solved_fraction, 1)
        count = f"{progress.solved}/{progress.total} solved"
        side = [
            f'<span class="count" id="lesson-count-{lid}">{count}</span>',
            f'<div class="bar" role="progressbar" aria-valuemin="0" aria-valuemax="100" '
            f'aria-valuenow="{percent:g}" aria-labelledby="lesson-count-{lid}">'
            f'<span style="width: {percent:g}%"></span></div>',
        ]
    else:
        side = [f'<span class="count">{progress.total} questions</span>']
    link = href("lesson", lesson=lesson.id)
    side.append(
        f'<a class="open" href="{html.escape(link)}" '
        f'data-app id="lesson-open-{lid}" '
        f'aria-labelledby="lesson-open-{lid} {title_id}">Open lesson →</a>'
    )
    return (
        f'<article id="lesson-card-{lid}"><div>{"".join(text)}</div>'
        f'<div class="side">{"".join(side)}</div></article>'
    )


def map_html(lessons: Sequence[Any], progress: Mapping[str, Any], *, signed_in: bool) -> str:
    """The map's HTML: a section per concept group (its heading, then its lesson cards),
    lessons numbered in catalog order, each naming its prerequisites by title."""
    titles = {lesson.id: lesson.title for lesson in lessons}
    numbers = {lesson.id: n for n, lesson in enumerate(lessons, 1)}
    sections = []
    for title, members in grouped(lessons):
        cards = "".join(
            _card(
                numbers[lesson.id],
                lesson,
                progress[lesson.id],
                signed_in=signed_in,
                learn_before=learn_before(lesson, titles),
            )
            for lesson in members
        )
        sections.append(
            f'<section><h3>{inline_html(title)}</h3><div class="cards">{cards}</div></section>'
        )
    return "".join(sections)


def course_map(lessons: Sequence[Any], progress: Mapping[str, Any], *, signed_in: bool) -> None:
    """Lessons grouped by concept, numbered in catalog order, with prerequisites."""
    if lessons:
        _component(key=MAP_KEY, data={"html": map_html(lessons, progress, signed_in=signed_in)})
