"""Fenced code blocks in lesson Markdown are drawn as escaped <pre> (ui/rich_text.py)."""

from __future__ import annotations

from pathlib import Path

import yaml

from lessons.fences import split
from ui.rich_text import pre_html

LESSONS = Path(__file__).resolve().parents[2] / "content" / "lessons"


def test_split_keeps_order_and_text_around_fences():
    text = "Before $x$\n\n```\na  <b>\n  b\n```\n\nafter **bold**\n"
    assert split(text) == [
        ("markdown", "Before $x$\n\n"),
        ("pre", "a  <b>\n  b"),
        ("markdown", "\nafter **bold**\n"),
    ]


def test_a_language_tag_and_tildes_are_fences_too_and_unclosed_runs_to_the_end():
    assert split("```python\nx = 1\n```\n") == [("pre", "x = 1")]
    assert split("~~~\ny\n~~~") == [("pre", "y")]
    assert split("a\n\n```\nnever closed\n") == [("markdown", "a\n\n"), ("pre", "never closed")]


def test_fences_as_commonmark_has_them():
    # inline code on a line of its own is not a fence; the real fence after it is
    assert split("```x``` is code\n\n```\nd\n```\n") == [
        ("markdown", "```x``` is code\n\n"),
        ("pre", "d"),
    ]
    # indented up to 3 spaces, and a longer closing fence closes
    assert split("  ```\nd\n   `````\nafter\n") == [("pre", "d"), ("markdown", "after\n")]
    # a 4-backtick fence holds a 3-backtick line
    assert split("````\n```\ninner\n```\n````\n") == [("pre", "```\ninner\n```")]
    # a tilde fence is not closed by backticks
    assert split("~~~\n```\n~~~\n") == [("pre", "```")]


def test_pre_escapes_markup():
    out = pre_html("<script>alert(1)</script> & x")
    assert "<script>" not in out and "&lt;script&gt;" in out and "&amp; x" in out


def test_every_fence_in_the_course_becomes_one_pre_with_its_lines():
    fenced = 0
    for path in sorted(LESSONS.glob("*.yaml")):
        for block in yaml.safe_load(path.read_text())["body"]:
            text = block.get("text", "")
            if "```" not in text:
                continue
            pres = [piece for kind, piece in split(text) if kind == "pre"]
            assert len(pres) == text.count("```") // 2, path.name
            assert not any("```" in piece for _, piece in split(text)), path.name
            fenced += len(pres)
    assert fenced == 4  # lesson 3 (two diagrams), 15 and 16 (a printout each)
