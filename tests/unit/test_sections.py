"""Cutting a lesson into sections (lessons/sections.py): where sections begin, their titles,
question numbers that match the whole lesson, and the blocks a deep link finds."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace as NS

import pytest

from lessons.loader import load_catalog
from lessons.sections import heading, section_of, sections

ROOT = Path(__file__).resolve().parents[2]


def md(text):
    return NS(type="markdown", text=text)


def q(qid):
    return NS(type="numeric", id=qid)


def lesson(*body, title="The lesson"):
    return NS(title=title, body=list(body))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("## The bubble\n\ntext", "The bubble"),
        ("# One\n", "One"),
        ("Intro first.\n\n## Case 1 — A model ##\n", "Case 1 — A model"),
        ("   ## Indented three\n", "Indented three"),
        ("### Third level\n\n#### Fourth", None),
        ("#hashtag is not a heading\n", None),
        ("##\n\n## Real\n", "Real"),  # an empty heading has no title
        ("## ##\n\n## ###\n\n## Foo ##\n", "Foo"),  # closing #s only: empty too
        ("##\tTabbed#\n", "Tabbed#"),  # a # not after a space is text
        ("```\n## in a fence\n```\n\n## After\n", "After"),
        ("    ## four spaces is code\n", None),
    ],
)
def test_heading_finds_the_first_level_one_or_two_heading(text, expected):
    assert heading(text) == expected


def test_a_section_starts_at_each_block_with_a_heading_and_keeps_what_follows():
    parts = sections(
        lesson(
            md("## A\n\nx"),
            q("a1"),
            NS(type="lab", id="lab-a"),
            md("### still A"),
            q("a2"),
            md("## B"),
            q("b1"),
            md("no heading: still B"),
            q("b2"),
        )
    )
    assert [(s.title, s.question_ids()) for s in parts] == [
        ("A", ["a1", "a2"]),
        ("B", ["b1", "b2"]),
    ]
    assert [s.first_number for s in parts] == [1, 3]
    assert section_of(parts, "b2") == 1 and section_of(parts, "lab-a") == 0
    assert section_of(parts, "nope") is None


def test_blocks_before_the_first_heading_open_the_first_section():
    parts = sections(lesson(q("pre"), md("## A"), q("a1")))
    assert [(s.title, s.question_ids()) for s in parts] == [("The lesson", ["pre"]), ("A", ["a1"])]


def test_a_lesson_without_headings_is_one_section_named_after_the_lesson():
    parts = sections(lesson(md("text"), q("x"), q("y")))
    assert len(parts) == 1 and parts[0].title == "The lesson" and parts[0].first_number == 1


def test_every_course_lesson_keeps_every_block_once_in_order():
    course = load_catalog(ROOT / "content" / "lessons")
    for each in course.lessons:
        parts = sections(each)
        assert [b for s in parts for b in s.blocks] == list(each.body), each.id
        numbers = [s.first_number + i for s in parts for i in range(len(s.question_ids()))]
        assert numbers == list(range(1, len(each.questions()) + 1)), each.id
