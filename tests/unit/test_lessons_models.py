"""Models: strict keys, the rules when models are built directly, helpers for the UI.

Run: `pytest tests/unit/test_lessons_models.py -q`.
"""

from __future__ import annotations

import pytest
import yaml
from pydantic import ValidationError

from lessons.models import (
    LabBlock,
    Lesson,
    MatchingQuestion,
    MultipleChoiceQuestion,
    OrderingQuestion,
    SingleChoiceQuestion,
)

BASE = {"prompt": "p", "explanation": "e"}


def ordering(**fields) -> OrderingQuestion:
    items = [{"id": i, "text": i.upper()} for i in ("a", "b", "c", "d")]
    return OrderingQuestion(**{"id": "q", "type": "ordering", "items": items, **BASE, **fields})


def test_lesson_from_yaml_and_helpers(valid_text):
    lesson = Lesson.model_validate(yaml.safe_load(valid_text))
    assert len(lesson.questions()) == 7
    assert isinstance(lesson.lab("gpipe-run"), LabBlock)
    assert [lab.id for lab in lesson.labs()] == ["gpipe-run"]
    assert lesson.total_points == 7.0
    with pytest.raises(KeyError):
        lesson.lab("nope")
    with pytest.raises(KeyError):
        lesson.question("nope")


def test_typo_in_a_field_name_is_an_error():
    with pytest.raises(ValidationError, match="explaination"):
        SingleChoiceQuestion.model_validate(
            {
                "id": "q",
                "type": "single_choice",
                "prompt": "p",
                "explanation": "e",
                "explaination": "e",
                "options": [{"id": "a", "text": "A", "correct": True}, {"id": "b", "text": "B"}],
            }
        )


def test_single_choice_needs_exactly_one_correct():
    two = [{"id": "a", "text": "A", "correct": True}, {"id": "b", "text": "B", "correct": True}]
    with pytest.raises(ValidationError, match=r"options\.1\.correct: .*exactly one"):
        SingleChoiceQuestion(id="q", type="single_choice", options=two, **BASE)


def test_multiple_choice_needs_one_correct_and_unique_ids():
    options = [{"id": "a", "text": "A"}, {"id": "a", "text": "B"}]
    with pytest.raises(ValidationError) as err:
        MultipleChoiceQuestion(id="q", type="multiple_choice", options=options, **BASE)
    assert "options.1.id: duplicate id 'a'" in str(err.value)
    assert "at least one" in str(err.value)


def test_ordering_rules():
    assert ordering(answer=["b", "a", "c", "d"]).rule == "next_item"
    with pytest.raises(ValidationError, match="not both"):
        ordering(answer=["a", "b", "c", "d"], precedes=[["a", "b"]])
    with pytest.raises(ValidationError, match="not neither"):
        ordering()
    with pytest.raises(ValidationError, match="cycle: a → b → a"):
        ordering(precedes=[["a", "b"], ["b", "a"]])
    with pytest.raises(ValidationError, match="precede itself"):
        ordering(precedes=[["a", "a"]])
    with pytest.raises(ValidationError, match="needs a `precedes` graph"):
        ordering(answer=["a", "b", "c", "d"], scoring="precedence")


def test_correct_order_is_a_topological_order():
    q = ordering(precedes=[["d", "a"], ["c", "b"], ["a", "b"]])
    assert q.rule == "precedence"
    order = q.correct_order()
    assert sorted(order) == ["a", "b", "c", "d"]
    assert order.index("d") < order.index("a") < order.index("b")
    assert order.index("c") < order.index("b")


def test_matching_pairs_cover_left_and_name_known_items():
    left = [{"id": "dp", "text": "DP"}, {"id": "tp", "text": "TP"}]
    right = [{"id": "x", "text": "X"}, {"id": "y", "text": "Y"}]
    with pytest.raises(ValidationError) as err:
        MatchingQuestion(id="m", type="matching", left=left, right=right, pairs={"dp": "z"}, **BASE)
    assert "unknown right item 'z'" in str(err.value)
    assert "no pair for left items ['tp']" in str(err.value)


@pytest.mark.parametrize(
    ("field", "value"),
    [("points", 0), ("penalty", 1.5), ("penalty", -0.1), ("max_tries", 0), ("id", "has space")],
)
def test_field_limits(field, value):
    fields = {"answer": ["a", "b", "c", "d"], field: value}
    with pytest.raises(ValidationError, match=field):
        ordering(**fields)


def test_lesson_rules_when_built_directly(valid_text):
    data = yaml.safe_load(valid_text.replace("id: q-tf", "id: q-bubble"))
    with pytest.raises(ValidationError, match="duplicate question id 'q-bubble'"):
        Lesson.model_validate(data)
    data = yaml.safe_load(valid_text.replace("lab: gpipe-run", "lab: other"))
    with pytest.raises(ValidationError, match="no lab block with id 'other'"):
        Lesson.model_validate(data)


def test_schema_carries_field_descriptions_and_forbids_extra_keys():
    schema = Lesson.model_json_schema()
    assert schema["additionalProperties"] is False
    defs = schema["$defs"]
    for name in ("SingleChoiceQuestion", "OrderingQuestion", "Option", "LabBlock"):
        assert defs[name]["additionalProperties"] is False
        for field, prop in defs[name]["properties"].items():
            assert prop.get("description"), f"{name}.{field} has no description"
    assert set(schema["properties"]["body"]["items"]["discriminator"]["mapping"]) == {
        "markdown",
        "lab",
        "single_choice",
        "multiple_choice",
        "true_false",
        "ordering",
        "matching",
        "numeric",
        "essay",
    }
