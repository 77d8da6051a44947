"""Lesson Markdown on a page, with fenced code blocks drawn as plain preformatted text.

Streamlit draws a fenced block through its syntax highlighter, whose code (Prism and its
grammars) is loaded and set up on every page load that shows one: ~0.1 s of the browser's
time on a 2-core box for one five-line diagram (a CPU profile of lesson 3's load). The
course's fences are ASCII diagrams and profiler printouts with nothing to highlight, so
`markdown()` draws each as an escaped `<pre>` (`st.html`, no script) between the Markdown
around it, which keeps its LaTeX, links and emphasis.
"""

from __future__ import annotations

import html

import streamlit as st

from lessons.fences import split

PRE_STYLE = (
    "margin:0 0 1rem;padding:0.75rem 1rem;border-radius:0.5rem;background:#f3f5fa;"
    "color:#0b1220;font-family:'Source Code Pro',ui-monospace,monospace;font-size:0.85rem;"
    "line-height:1.45;overflow-x:auto;white-space:pre"
)


def pre_html(code: str) -> str:
    """Escaped, in a `<pre>` that the keyboard can reach (it scrolls sideways on a phone)."""
    return f'<pre tabindex="0" style="{PRE_STYLE}">{html.escape(code)}</pre>'


def markdown(text: str) -> None:
    """`st.markdown(text)`, with fenced code blocks as `<pre>` (see module doc)."""
    if "```" not in text and "~~~" not in text:
        st.markdown(text)
        return
    for kind, piece in split(text):
        if kind == "pre":
            st.html(pre_html(piece))
        else:
            st.markdown(piece)
