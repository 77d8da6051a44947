"""Question-bank export (Moodle GIFT and JSON). Run: `pytest tests/unit/test_lessons_bank.py -q`."""

from __future__ import annotations

import json
import re
import textwrap
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lessons.bank import MOODLE_GRADES, gift_escape, moodle_grade, to_gift, to_json_bank
from lessons.loader import load_catalog, load_lesson
from lessons.models import OrderingQuestion

ROOT = Path(__file__).resolve().parents[2]

_HEAD = textwrap.dedent(
    """\
    id: small
    title: Small / tricky
    summary: Questions with GIFT's special characters.
    concepts: []
    sources: []
    body:
      - type: single_choice
        id: q-special
        prompt: "Is a:b = {c} ~ #d \\\\ e?"
        explanation: "Because x = y: {z}."
        options:
          - {id: a, text: "yes = ok", correct: true, feedback: "right #1"}
          - {id: b, text: "no ~ never"}
      - type: multiple_choice
        id: q-mc3
        prompt: Pick the right ones.
        explanation: Three are right.
        options:
          - {id: a, text: A, correct: true}
          - {id: b, text: B, correct: true}
          - {id: c, text: C, correct: true}
          - {id: d, text: D}
      - type: multiple_choice
        id: q-mc11
        prompt: Eleven right ones.
        explanation: Many.
        scoring: all_or_nothing
        options:
          - {id: w, text: W}
    """
)
_ELEVEN = "".join(f"      - {{id: o{i}, text: O{i}, correct: true}}\n" for i in range(11))
_TAIL = textwrap.indent(
    textwrap.dedent(
        """\
        - type: numeric
          id: q-num
          prompt: How many GB?
          explanation: Four hundred.
          answer: 400
          tolerance: 2.5
          unit: GB
        - type: true_false
          id: q-tf
          prompt: True?
          explanation: Yes.
          answer: true
        - type: ordering
          id: q-graph
          prompt: Order them.
          explanation: a first.
          items: [{id: a, text: A}, {id: b, text: B}, {id: c, text: C}]
          precedes: [[a, b], [a, c]]
        - type: ordering
          id: q-order
          prompt: Order them.
          explanation: a, b, c.
          items: [{id: a, text: A}, {id: b, text: B}, {id: c, text: C}]
          answer: [a, b, c]
        """
    ),
    "  ",
)
SMALL = _HEAD + _ELEVEN + _TAIL


def unescape(text: str) -> str:
    """What Moodle's GIFT import reads back: `\\n` is a newline, `\\X` is X."""
    out, i = [], 0
    while i < len(text):
        if text[i] == "\\" and i + 1 < len(text):
            nxt = text[i + 1]
            out.append("\n" if nxt == "n" else nxt)
            i += 2
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


@pytest.fixture(scope="module")
def catalog():
    return load_catalog(ROOT / "content/lessons")


@pytest.fixture
def small(tmp_path):
    path = tmp_path / "small.yaml"
    path.write_text(SMALL, encoding="utf-8")
    lesson, problems = load_lesson(path)
    assert not problems, [str(p) for p in problems]
    return lesson


def _block(gift: str, qid: str) -> str:
    """The GIFT text of question `qid` (its name up to the closing brace line)."""
    match = re.search(rf"^::{re.escape(qid)}::.*?\}}$", gift, flags=re.S | re.M)
    assert match, qid
    return match.group(0)


def test_real_lessons_every_non_ordering_question_named(catalog):
    assert catalog.lessons and not catalog.broken
    gift, notes = to_gift(catalog.lessons)
    for lesson in catalog.lessons:
        assert f"$CATEGORY: ParaLab/{lesson.title.replace('/', '//')}" in gift
        for q in lesson.questions():
            if isinstance(q, OrderingQuestion):
                assert f"::{q.id}::" not in gift
                assert any(n.startswith(f"{lesson.id}: {q.id}: skipped") for n in notes)
            else:
                assert gift.count(f"::{q.id}::[markdown]") == 1, q.id


def test_real_lessons_no_blank_line_inside_a_question(catalog):
    gift, _ = to_gift(catalog.lessons)
    for chunk in gift.split("\n\n"):
        # each blank-line-separated chunk opens and closes its braces
        assert chunk.count("{") - chunk.count("\\{") == chunk.count("}") - chunk.count("\\}")


def test_notes_name_lesson_and_question_once(catalog):
    _, notes = to_gift(catalog.lessons)
    keys = [tuple(n.split(": ")[:2]) for n in notes]
    assert len(keys) == len(set(keys))
    ids = {(lesson.id, q.id) for lesson in catalog.lessons for q in lesson.questions()}
    assert set(keys) <= ids


def test_special_characters_escaped(small):
    gift, _ = to_gift([small])
    block = _block(gift, "q-special")
    assert "Is a\\:b \\= \\{c\\} \\~ \\#d \\\\ e?" in block
    assert "=yes \\= ok#right \\#1" in block
    assert "~no \\~ never" in block
    assert "####Because x \\= y\\: \\{z\\}." in block
    assert "$CATEGORY: ParaLab/Small // tricky" in gift


def test_multiple_choice_weights(small):
    gift, notes = to_gift([small])
    block = _block(gift, "q-mc3")
    weights = [float(w) for w in re.findall(r"~%(-?[\d.]+)%", block)]
    assert weights == [33.33333, 33.33333, 33.33333, -33.33333]
    assert sum(w for w in weights if w > 0) == pytest.approx(100, abs=1e-3)
    assert "=" not in block.replace("\\=", "")  # no `=`: Moodle makes it multi-answer
    assert not any(": q-mc3:" in n for n in notes)
    mc11 = [n for n in notes if n.startswith("small: q-mc11: approximated")]
    assert len(mc11) == 1 and "all_or_nothing" in mc11[0] and "rounded" in mc11[0]


@pytest.mark.parametrize("k", range(1, 11))
def test_weights_of_up_to_ten_right_options_are_listed(k):
    grade, exact = moodle_grade(100 / k)
    assert exact and grade in MOODLE_GRADES
    assert moodle_grade(-100 / k) == (-grade, True)


def test_numeric_tolerance_and_unit(small):
    gift, notes = to_gift([small])
    block = _block(gift, "q-num")
    assert "{#\n\t=400:2.5\n" in block
    assert "(Answer in GB.)" in block
    assert any(n.startswith("small: q-num: approximated") and "GB" in n for n in notes)


def test_true_false(small):
    gift, _ = to_gift([small])
    assert "::q-tf::[markdown]True?{T####Yes.}" in gift


def test_orderings_skipped_with_notes(small):
    gift, notes = to_gift([small])
    assert "::q-graph::" not in gift and "::q-order::" not in gift
    graph = [n for n in notes if n.startswith("small: q-graph: skipped")]
    assert len(graph) == 1 and "precedes" in graph[0]
    assert any(n.startswith("small: q-order: skipped") for n in notes)


def test_matching_distractors_noted(catalog):
    gift, notes = to_gift(catalog.lessons)
    for lesson in catalog.lessons:
        for q in lesson.questions():
            if q.type != "matching":
                continue
            block = _block(gift, q.id)
            assert block.count(" -> ") == len(q.pairs)
            if set(i.id for i in q.right) - set(q.pairs.values()):
                assert any(
                    n.startswith(f"{lesson.id}: {q.id}:") and "distractor" in n for n in notes
                )


def test_json_bank_has_every_question_with_key(catalog, small):
    text = to_json_bank([*catalog.lessons, small])
    assert text == to_json_bank([*catalog.lessons, small])
    bank = json.loads(text)
    entries = bank["questions"]
    total = sum(len(lesson.questions()) for lesson in [*catalog.lessons, small])
    assert len(entries) == total
    for entry in entries:
        assert list(entry)[:4] == ["lesson_id", "lesson_title", "id", "type"]
        assert list(entry)[-1] == "key"
    by_id = {(e["lesson_id"], e["id"]): e for e in entries}
    assert by_id["small", "q-special"]["key"] == "a"
    assert by_id["small", "q-mc3"]["key"] == ["a", "b", "c"]
    assert by_id["small", "q-num"]["key"] == {"answer": 400.0, "tolerance": 2.5, "unit": "GB"}
    assert by_id["small", "q-graph"]["key"]["one_order"][0] == "a"
    assert by_id["small", "q-order"]["key"] == {"order": ["a", "b", "c"]}


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_characters="\r", blacklist_categories=["Cs"])))
def test_escape_round_trips(text):
    escaped = gift_escape(text)
    assert unescape(escaped) == text
    assert "\n" not in escaped
    # every special character left in the output is escaped
    assert not re.search(r"(?<!\\)(?:\\\\)*[~=#{}:]", escaped)
