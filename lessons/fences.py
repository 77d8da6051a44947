"""Fenced code blocks in lesson Markdown, found as CommonMark finds them (pure text work).

`ui.rich_text` draws the pieces; `lessons.sections` looks for headings only outside them.
"""

from __future__ import annotations

import re

# A fence as CommonMark has it: 3+ backticks or tildes, indented at most 3 spaces; a backtick
# fence's info string has no backtick (so "```x``` is code" is inline code, not a fence); the
# closing fence is the same character, at least as long, nothing after it but blanks.
FENCE = re.compile(
    r"^ {0,3}(?P<fence>(?P<ch>[`~])(?P=ch){2,})(?!(?P=ch))(?P<info>[^\n]*)\n"
    r"(?P<body>.*?)(?:^ {0,3}(?P=fence)(?P=ch)*[ \t]*$\n?|\Z)",
    re.M | re.S,
)


def split(text: str) -> list[tuple[str, str]]:
    """[("markdown", text) | ("pre", code), ...] in order, empty pieces left out. A fence
    never closed runs to the end of the text, as in CommonMark."""
    parts: list[tuple[str, str]] = []
    at = search = 0
    while (match := FENCE.search(text, search)) is not None:
        if match.group("ch") == "`" and "`" in match.group("info"):
            search = match.start() + 1  # inline code on a line of its own, not a fence
            continue
        if text[at : match.start()].strip():
            parts.append(("markdown", text[at : match.start()]))
        parts.append(("pre", match.group("body").rstrip("\n")))
        at = search = match.end()
    if text[at:].strip():
        parts.append(("markdown", text[at:]))
    return parts
