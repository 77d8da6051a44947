"""Essay questions and numeric known wrong answers: validation with lines, grading,
feedback (also matching pairs and ordering positions), and their GIFT export.

Run: `pytest tests/unit/test_lessons_essay_numeric.py -q`.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from lessons import gift
from lessons.bank import to_gift
from lessons.grading import essay_text_problem, grade
from lessons.loader import load_lesson
from lessons.types import question_type

SAMPLES = Path(__file__).resolve().parents[1] / "samples" / "every-type.yaml"
TEXT = SAMPLES.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def lesson():
    found, problems = load_lesson(SAMPLES)
    assert not problems, [str(p) for p in problems]
    return found


def problems_for(tmp_path, old: str, new: str):
    assert TEXT.count(old) == 1, old
    path = tmp_path / "broken.yaml"
    path.write_text(TEXT.replace(old, new), encoding="utf-8")
    lesson, problems = load_lesson(path)
    assert lesson is None
    return [f"{p.line}: {p.question}: {p.field}: {p.message}" for p in problems]


def line_of(text: str, needle: str) -> int:
    return text[: text.index(needle)].count("\n") + 1


def test_a_wrong_answer_inside_the_keys_range_is_located(tmp_path):
    old = "{value: 0.125, tolerance: 0.002,"
    found = problems_for(tmp_path, old, "{value: 0.125, tolerance: 0.01,")
    line = line_of(TEXT, old)
    assert len(found) == 1
    assert found[0].startswith(f"{line}: q-num: wrong_answers.0.value: wrong answer 0.125 ± 0.01")
    assert "overlaps the right answer 0.1111 ± 0.005" in found[0]


def test_overlapping_wrong_answers_are_refused(tmp_path):
    found = problems_for(tmp_path, "{value: 0.5, feedback:", "{value: 0.124, feedback:")
    assert any(
        "wrong_answers.1.value: wrong answer 0.124 ± 0 overlaps wrong answer 0" in p for p in found
    )


def test_a_wrong_answer_needs_feedback(tmp_path):
    old = "{value: 0.5, feedback: That is p/(2m)... no; recount the idle slots.}"
    found = problems_for(tmp_path, old, "{value: 0.5}")
    assert found == [
        f"{line_of(TEXT, old)}: q-num: wrong_answers.1.feedback: missing required field 'feedback'"
    ]


@pytest.mark.parametrize(
    ("old", "new", "field", "words"),
    [
        (
            "    min_words: 3\n",
            "    min_words: 3\n    max_tries: 2\n",
            "max_tries",
            "submitted once",
        ),
        ("    min_words: 3\n", "    min_words: 3\n    penalty: 0.1\n", "penalty", "no retries"),
        (
            "      - {text: Gives the bubble formula, points: 1}\n",
            "      - {text: Gives the formula, points: 0}\n",
            "rubric.1.points",
            "greater than 0",
        ),
        (
            "    model_answer: At a fixed",
            "    model_anser: At a fixed",
            "model_anser",
            "did you mean 'model_answer'",
        ),
    ],
)
def test_essay_authoring_mistakes_are_located(tmp_path, old, new, field, words):
    found = problems_for(tmp_path, old, new)
    assert any(f": q-essay: {field}: " in p and words in p for p in found), found


def test_an_essay_needs_a_rubric(tmp_path):
    start = TEXT.index("    rubric:\n")
    path = tmp_path / "no-rubric.yaml"
    path.write_text(TEXT[:start], encoding="utf-8")
    _, problems = load_lesson(path)
    assert [(p.question, p.field) for p in problems] == [("q-essay", "rubric")]


def test_numeric_known_wrong_answer_scores_zero_with_its_feedback(lesson):
    q = lesson.question("q-num")
    row = question_type(q)
    megatron = grade(q, 0.1255)
    assert (megatron.score, megatron.detail) == (0.0, "a known wrong answer")
    assert row.feedback(q, 0.1255) == [q.wrong_answers[0].feedback]
    assert row.feedback(q, 0.5) == [q.wrong_answers[1].feedback]
    assert row.feedback(q, 0.3) == [] and grade(q, 0.3).detail.startswith("expected 0.1111")
    assert row.feedback(q, 0.1111) == [] and grade(q, 0.113).correct


def test_essay_rubric_score_and_bad_assessments(lesson):
    q = lesson.question("q-essay")
    assert grade(q, [0]).score == pytest.approx(0.5)
    assert grade(q, [1, 2]).detail == "2 of 4 rubric points"
    assert grade(q, []).score == 0.0
    for bad in ([3], [0, 0], [True], "0", [-1]):
        with pytest.raises(ValueError, match="rubric lines"):
            grade(q, bad)


def test_essay_text_checks(lesson):
    q = lesson.question("q-essay")
    assert essay_text_problem(q, "   ") == "Write your answer first."
    assert "at least 3 words" in essay_text_problem(q, "too short")
    assert "under 10000 characters" in essay_text_problem(q, "word " * 2001)
    assert essay_text_problem(q, "m shrinks per pipeline") is None


def test_matching_feedback_names_each_wrong_pair(lesson):
    q = lesson.question("q-match")
    lines = question_type(q).feedback(q, {"tp": "batch", "pp": "stack", "dp": "none"})
    assert lines == ["Not right: **Tensor** ↔ *the batch*", "Not right: **Data** ↔ *nothing*"]
    assert question_type(q).feedback(q, {"tp": "inside", "pp": "stack"}) == [
        "Not right: **Data** ↔ nothing"
    ]


def test_ordering_feedback_names_wrong_positions_or_reversed_pairs(lesson):
    order = lesson.question("q-order")
    assert question_type(order).feedback(order, ["f0", "f2", "f1"]) == [
        "Not in its place: positions 2 (*F2*), 3 (*F1*)."
    ]
    assert question_type(order).feedback(order, ["f0", "f1", "f2"]) == []
    graph = lesson.question("q-graph")
    assert question_type(graph).feedback(graph, ["b0", "f0", "f1"]) == [
        "*F0* must come before *B0* (you put them at positions 1 and 2)."
    ]
    assert question_type(graph).feedback(graph, ["f0", "b0"]) == []  # malformed: no lines


def test_gift_numeric_writes_wrong_answers_as_zero_percent_answers(lesson):
    text, why = gift.numeric(lesson.question("q-num"))
    assert "\t=0.1111:0.005\n" in text
    assert "\t=%0%0.125:0.002#That is (p−1)/m, Megatron's convention (of ideal time).\n" in text
    assert "\t=%0%0.5:0#That is p/(2m)... no; recount the idle slots.\n" in text
    assert any("unit" in w for w in why)


def test_gift_essay_is_braces_with_general_feedback_only(lesson):
    q = lesson.question("q-essay")
    text, why = gift.essay(q)
    assert text.startswith("::q-essay::[markdown]Why does a larger")
    body = text[text.index("{") + 1 : text.rindex("}")]
    assert body.startswith("####")  # empty answer part → Moodle imports an essay
    assert "**Model answer**\\n\\nAt a fixed global batch" in body
    assert "- Says m per pipeline shrinks as DP grows (2 pt)" in body
    assert any("general feedback" in w for w in why)
    gift_text, notes = to_gift([lesson])
    assert any(n.startswith("every-type: q-essay: approximated:") for n in notes)
    assert "::q-essay::" in gift_text
