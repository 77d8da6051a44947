"""Display math in the lessons is fenced the way Streamlit's Markdown reads it.

`$$` opening a line with the formula running on over the next lines is not display math
there: KaTeX gets the rest of the block and paints it red (lesson 5's bubble formula did,
and two more in lessons 11 and 12). A `$$` block is either one line (`$$ … $$`) or fenced
by `$$` lines of their own."""

from pathlib import Path

LESSONS = Path(__file__).resolve().parents[2] / "content" / "lessons"


def unfenced(text: str) -> list[int]:
    """Numbers of the lines that open or close display math with the formula beside `$$`,
    and of opening `$$` lines glued to the paragraph before them (no blank line between)."""
    bad, inside, before = [], False, ""
    for n, line in enumerate(text.splitlines(), 1):
        if line.count("$$") % 2:
            opening = not inside
            inside = not inside
            glued = opening and before.strip() and not before.rstrip().endswith(("|", "|-", ">"))
            if line.strip() != "$$" or glued:
                bad.append(n)
        before = line
    return bad


def test_every_display_formula_is_on_one_line_or_fenced_by_lines_of_its_own():
    bad = {p.name: unfenced(p.read_text()) for p in sorted(LESSONS.glob("*.yaml"))}
    assert {name: lines for name, lines in bad.items() if lines} == {}


def test_the_broken_form_is_caught_and_the_good_forms_pass():
    assert unfenced("  $$t = \\frac{a}{b}, \\qquad\n    u = 1.$$") == [1, 2]
    assert unfenced("  $$\n  t = \\frac{a}{b},\n  u = 1.\n  $$") == []
    assert unfenced("text $$x = 1$$ and $y$") == []
    assert unfenced("  Per token:\n  $$\n  t = 1\n  $$") == [2]  # glued to its paragraph
    assert unfenced("  text: |\n    $$\n    t = 1\n    $$") == []  # a block scalar's start
