"""Options and items as the answer controls draw them (ui/inline_text.py): formulas as
MathML, Markdown marks as tags, everything else escaped; plain text where only text fits."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from lessons.loader import load_catalog
from ui.inline_text import inline_html, inline_plain, plain_math

COURSE = load_catalog(Path(__file__).resolve().parents[2] / "content" / "lessons")


def option_texts() -> list[str]:
    return sorted(
        {
            item.text
            for lesson in COURSE.lessons
            for q in lesson.questions()
            for field in ("options", "left", "right")
            for item in getattr(q, field, None) or []
        }
    )


def test_text_and_marks_are_escaped_and_formulas_become_mathml():
    out = inline_html("<b>x</b> & **bold** *em* `a<b` $1/N$")
    assert out.startswith("&lt;b&gt;x&lt;/b&gt; &amp; <strong>bold</strong> <em>em</em> ")
    assert "<code>a&lt;b</code>" in out
    assert re.search(r'<math [^>]*display="inline">.*<mn>1</mn>.*</math>$', out)
    assert '<mi mathvariant="normal" class="v">N</mi>' in out  # italic by CSS, not by font
    assert "<script" not in inline_html("$<script>alert(1)</script>$")
    words = "FSDP FULL_SHARD and snake_case_name"
    assert inline_html(words) == words  # an underscore inside a word is no emphasis


def test_markup_smuggled_into_a_formula_is_not_markup():
    """The converter copies `\\text{…}` through as it is and turns `\\href` into an
    attribute: what reaches `innerHTML` is MathML elements and plain attributes only."""
    for tex in (r"$\text{<img src=x onerror=alert(1)>}$", r"$\href{javascript:alert(1)}{x}$"):
        out = inline_html(tex)
        assert "<img" not in out and "javascript" not in out and "onerror" not in out, out
    assert "<b>" not in inline_html(r"$\text{a <b> c}$")  # a tag that is not MathML: dropped
    assert "&lt;" in inline_html(r"$a < b$")  # a formula's own < is escaped text


def test_dollars_and_mixed_marks():
    assert inline_html(r"costs \$5, not \$6") == "costs $5, not $6"
    assert inline_html("*a_ b") == "*a_ b"  # one star and one underscore: no emphasis
    assert inline_html("_a_ and *b*") == "<em>a</em> and <em>b</em>"
    assert plain_math(r"\dfrac{1}{v} \cdot \text{bubble}") == "1/v · bubble"


def test_a_formula_the_converter_cannot_read_is_shown_as_its_source():
    assert inline_html(r"see $x^$ here") == r"see <code>x^</code> here"
    assert inline_html(r"$\left( x$") == r"<code>\left( x</code>"


@pytest.mark.parametrize(
    ("tex", "text"),
    [
        (r"\frac{p-1}{m+p-1}", "(p−1)/(m+p−1)"),
        ("1/N", "1/N"),
        ("d_i", "dᵢ"),
        (r"2 \times 10^{9}", "2 × 10⁹"),
        ("x_{ab}", "x_(ab)"),
        (r"\alpha \le 0.5", "α ≤ 0.5"),
        (r"\frac{1}{N}", "1/N"),
    ],
)
def test_plain_math_spells_a_formula_as_text(tex, text):
    assert plain_math(tex) == text


def test_every_option_and_item_in_the_course_draws_without_a_fallback():
    """No formula of the course's options falls back to its source, and the plain text of
    each (a `<select>`'s options) keeps no `$`, backslash or Markdown mark."""
    texts = option_texts()
    assert len(texts) > 100 and sum("$" in t for t in texts) >= 10
    for text in texts:
        assert "<code>" not in inline_html(text) or "`" in text, text
        assert "\\" not in inline_html(text), text  # no command left unread
        plain = inline_plain(text)
        assert not re.search(r"[$\\`]|\*\*", plain), (text, plain)
