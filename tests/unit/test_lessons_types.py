"""The table of question types: every type complete, every column working on a real question.

Run: `pytest tests/unit/test_lessons_types.py -q`.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lessons.bank import to_gift, to_json_bank
from lessons.grading import Grade, grade
from lessons.loader import load_lesson
from lessons.models import QUESTION_MODELS, QUESTION_TYPES, Lesson
from lessons.types import TYPES, QuestionType, question_type

SAMPLES = Path(__file__).resolve().parents[1] / "samples" / "every-type.yaml"

RIGHT = {
    "q-single": "1f1b",
    "q-multi": ["tp", "pp"],
    "q-tf": True,
    "q-order": ["f0", "f1", "f2"],
    "q-graph": ["f0", "b0", "f1"],
    "q-match": {"tp": "inside", "pp": "stack", "dp": "batch"},
    "q-num": 0.1111,
    "q-essay": [0, 1, 2],
}
"""A fully right answer to each sample question."""


@pytest.fixture(scope="module")
def lesson() -> Lesson:
    found, problems = load_lesson(SAMPLES)
    assert not problems, [str(p) for p in problems]
    return found


def test_every_model_has_exactly_one_row_and_the_names_agree():
    assert [row.model for row in TYPES.values()] == list(QUESTION_MODELS)
    assert tuple(TYPES) == QUESTION_TYPES
    for name, row in TYPES.items():
        assert isinstance(row, QuestionType)
        assert row.model.model_fields["type"].annotation.__args__ == (name,)
        assert row.label and row.widget


def test_the_sample_lesson_has_a_question_of_every_type(lesson):
    assert {q.type for q in lesson.questions()} == set(TYPES)
    assert set(RIGHT) == {q.id for q in lesson.questions()}


@pytest.mark.parametrize("qid", sorted(RIGHT))
def test_every_column_works_on_a_question_of_the_type(lesson, qid):
    q = lesson.question(qid)
    row = question_type(q)
    assert list(row.check(q)) == []
    result = row.grade(q, RIGHT[qid])
    assert isinstance(result, Grade) and result.correct and result.score == 1.0
    assert grade(q, RIGHT[qid]) == result
    assert all(isinstance(line, str) for line in row.feedback(q, RIGHT[qid]))
    assert row.answer_text(q).strip()
    json.dumps(row.key(q))  # the key is JSON data
    text, why = row.gift(q)
    assert text is None or text.startswith(f"::{q.id}::")
    assert text is not None or why, "a skipped question must say why"
    element, why = row.moodle_xml(q)
    assert element is not None or why, "a skipped question must say why"
    assert element is None or element.tag == "question"


def test_every_widget_key_is_drawn_by_the_ui():
    from ui.questions import WIDGETS  # the UI side of the table (imports Streamlit)

    assert {row.widget for row in TYPES.values()} <= set(WIDGETS)
    assert set(WIDGETS) <= {row.widget for row in TYPES.values()}, "a widget no type uses"


def test_bank_exports_cover_every_type(lesson):
    gift, notes = to_gift([lesson])
    bank = json.loads(to_json_bank([lesson]))
    assert {e["type"] for e in bank["questions"]} == set(TYPES)
    for q in lesson.questions():
        assert f"::{q.id}::" in gift or any(
            n.startswith(f"every-type: {q.id}: skipped") for n in notes
        )


def test_an_unknown_type_is_refused_by_grading():
    with pytest.raises(ValueError, match="not a question"):
        grade(object(), "a")


def test_progress_counts_only_auto_graded_questions(lesson):
    from lessons.types import auto_graded_ids

    ids = auto_graded_ids(lesson)
    assert "q-essay" not in ids and len(ids) == len(lesson.questions()) - 1
