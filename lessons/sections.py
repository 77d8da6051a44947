"""A lesson cut into sections: one idea's text with the questions and labs that follow it.

The lesson page shows one section at a time (and the whole lesson on request), so a page
holds a few questions rather than all of them. A section begins at each Markdown block
that has a level-1 or level-2 ATX heading (`# ...`, `## ...`) outside its fenced code; a
`###` block, a block without a heading, a question and a lab all belong to the section
before them. Whatever comes before the first such block belongs to the first section.
A section's title is the first level-1/2 heading in it, or the lesson's title when there is
none (a lesson without headings is one section).

Questions keep the numbers they have in the whole lesson (`Section.first_number`), so
"Question 7" means the same on the sectioned page, the whole-lesson page and in a score
export.

    >>> parts = sections(lesson)
    >>> [s.title for s in parts]
    ['Splitting a model by layers', 'Micro-batching: keep every stage busy', ...]
    >>> section_of(parts, "predict-gpipe-m8-bubble")
    2
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from lessons.fences import split

# An ATX heading of level 1 or 2 (CommonMark: up to 3 spaces of indent, then # or ##, then
# a space or the end of the line; a closing run of #s is not part of the text).
HEADING = re.compile(r"^ {0,3}#{1,2}(?:[ \t]+(?P<text>.*?))?(?:[ \t]+#+)?[ \t]*$", re.M)
CLOSING = re.compile(r"(?:^|[ \t]+)#+[ \t]*$")  # "## ##": an empty heading, not "##"


@dataclass(frozen=True)
class Section:
    """Consecutive blocks of a lesson's body."""

    index: int
    """0-based position among the lesson's sections."""
    title: str
    blocks: tuple[Any, ...]
    first_number: int
    """The number (1-based, in the whole lesson) its first question has."""

    def questions(self) -> list[Any]:
        """Its question blocks, in order."""
        return [b for b in self.blocks if b.type not in ("markdown", "lab")]

    def question_ids(self) -> list[str]:
        return [q.id for q in self.questions()]


def heading(text: str) -> str | None:
    """The text of the first level-1/2 heading of Markdown `text` outside fences, or None."""
    for kind, piece in split(text):
        if kind == "markdown":
            for match in HEADING.finditer(piece):
                title = CLOSING.sub("", (match.group("text") or "").strip())
                if title:
                    return title
    return None


def sections(lesson: Any) -> list[Section]:
    """The lesson's body cut at each Markdown block with a level-1/2 heading (module doc)."""
    groups: list[tuple[str | None, list[Any]]] = []
    for block in lesson.body:
        title = heading(block.text) if block.type == "markdown" else None
        if title is not None or not groups:
            groups.append((title, [block]))
        else:
            groups[-1][1].append(block)
    out: list[Section] = []
    number = 1
    for index, (title, blocks) in enumerate(groups):
        section = Section(index, title or lesson.title, tuple(blocks), number)
        number += len(section.question_ids())
        out.append(section)
    return out


def section_of(parts: list[Section], block_id: str) -> int | None:
    """The index of the section holding the question or lab block of this id, or None."""
    for section in parts:
        if any(getattr(b, "id", None) == block_id for b in section.blocks):
            return section.index
    return None
