"""The one table of question types: for each, its model, rules, grader, feedback, widget
and export writers. Nothing else in ParaLab branches on a question's `type`.

    >>> from lessons.types import TYPES, question_type
    >>> question_type(q).grade(q, answer)           # a Grade (lessons.grading)
    >>> question_type(q).feedback(q, answer)        # Markdown lines for the learner
    >>> [t.name for t in TYPES.values()]            # 'single_choice', …, 'essay'

Adding a type: write its model in `lessons/models.py` (and list it in `QUESTION_MODELS`),
its rules, grader, feedback and writers, then one `QuestionType(...)` row here, and the
widget it names in `ui/questions.py`. A model without a row, or a row whose widget the UI
lacks, fails at import and in `tests/unit/test_lessons_types.py`.

`widget` is a key, not a function, so this package stays free of Streamlit: `ui/questions.py`
maps each key to the code that draws it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from lessons import feedback, gift, grading, moodle_xml, rules
from lessons.grading import Grade
from lessons.models import (
    QUESTION_MODELS,
    EssayQuestion,
    MatchingQuestion,
    MultipleChoiceQuestion,
    NumericQuestion,
    OrderingQuestion,
    QuestionBase,
    SingleChoiceQuestion,
    TrueFalseQuestion,
)
from lessons.rules import Issue


@dataclass(frozen=True)
class QuestionType:
    """One row of the table: everything ParaLab does with questions of one type."""

    name: str
    """The `type:` tag in the YAML."""
    model: type[QuestionBase]
    """The pydantic model (lessons/models.py)."""
    label: str
    """What the question card says the learner has to do, e.g. "put in order"."""
    widget: str
    """Key of the answer widget in `ui/questions.py` `WIDGETS`."""
    check: Callable[[Any], Iterator[Issue]]
    """Cross-field rules (lessons/rules.py): (path, message) issues."""
    grade: Callable[[Any, Any], Grade]
    """(question, answer) → Grade (lessons/grading.py); ValueError for a malformed answer."""
    feedback: Callable[[Any, Any], list[str]]
    """(question, answer) → Markdown lines: option feedback, wrong pairs or positions."""
    answer_text: Callable[[Any], str]
    """The key in words, shown once the question is over."""
    key: Callable[[Any], Any]
    """The key as JSON data, for the JSON question bank."""
    gift: Callable[[Any], gift.Written]
    """Moodle GIFT writer: (text or None when skipped, what it could not carry)."""
    moodle_xml: Callable[[Any], moodle_xml.Written]
    """Moodle XML writer: (<question> element or None when skipped, what it could not carry)."""
    default_penalty: Callable[[Any], float] = grading.no_penalty
    """Penalty per wrong try when the lesson sets none (`grading.effective_penalty`)."""
    auto_graded: bool = True
    """False for types a person grades (essay): no "Submit → score" loop, no retries."""


_ROWS = (
    QuestionType(
        name="single_choice",
        model=SingleChoiceQuestion,
        label="choose one",
        widget="radio",
        check=rules.single_choice,
        grade=grading.single_choice,
        feedback=feedback.choices,
        answer_text=feedback.choices_text,
        key=feedback.single_choice_key,
        gift=gift.single_choice,
        moodle_xml=moodle_xml.single_choice,
        default_penalty=grading.single_choice_penalty,
    ),
    QuestionType(
        name="multiple_choice",
        model=MultipleChoiceQuestion,
        label="choose all that apply",
        widget="checkboxes",
        check=rules.multiple_choice,
        grade=grading.multiple_choice,
        feedback=feedback.choices,
        answer_text=feedback.choices_text,
        key=feedback.multiple_choice_key,
        gift=gift.multiple_choice,
        moodle_xml=moodle_xml.multiple_choice,
        default_penalty=grading.multiple_choice_penalty,
    ),
    QuestionType(
        name="true_false",
        model=TrueFalseQuestion,
        label="true or false",
        widget="true_false",
        check=rules.no_rules,
        grade=grading.true_false,
        feedback=feedback.none,
        answer_text=feedback.true_false_text,
        key=feedback.true_false_key,
        gift=gift.true_false,
        moodle_xml=moodle_xml.true_false,
        default_penalty=grading.true_false_penalty,
    ),
    QuestionType(
        name="ordering",
        model=OrderingQuestion,
        label="put in order",
        widget="ordering",
        check=rules.ordering,
        grade=grading.ordering,
        feedback=feedback.ordering,
        answer_text=feedback.ordering_text,
        key=feedback.ordering_key,
        gift=gift.ordering,
        moodle_xml=moodle_xml.ordering,
    ),
    QuestionType(
        name="matching",
        model=MatchingQuestion,
        label="match",
        widget="matching",
        check=rules.matching,
        grade=grading.matching,
        feedback=feedback.matching,
        answer_text=feedback.matching_text,
        key=feedback.matching_key,
        gift=gift.matching,
        moodle_xml=moodle_xml.matching,
    ),
    QuestionType(
        name="numeric",
        model=NumericQuestion,
        label="numeric answer",
        widget="number",
        check=rules.numeric,
        grade=grading.numeric,
        feedback=feedback.numeric,
        answer_text=feedback.numeric_text,
        key=feedback.numeric_key,
        gift=gift.numeric,
        moodle_xml=moodle_xml.numeric,
    ),
    QuestionType(
        name="essay",
        model=EssayQuestion,
        label="open answer",
        widget="essay",
        check=rules.essay,
        grade=grading.essay,
        feedback=feedback.none,
        answer_text=feedback.essay_text,
        key=feedback.essay_key,
        gift=gift.essay,
        moodle_xml=moodle_xml.essay,
        auto_graded=False,
    ),
)

TYPES: dict[str, QuestionType] = {row.name: row for row in _ROWS}
"""Question type name → its row, in the order lessons list types."""


def _check_table() -> None:
    """Every model has exactly one row, under the name its `type` field declares."""
    for row in _ROWS:
        declared = row.model.model_fields["type"].annotation.__args__[0]
        if declared != row.name:
            raise RuntimeError(f"row {row.name!r} names model {row.model.__name__} ({declared!r})")
    missing = [m.__name__ for m in QUESTION_MODELS if m not in {r.model for r in _ROWS}]
    if missing or len(TYPES) != len(_ROWS) or len(_ROWS) != len(QUESTION_MODELS):
        raise RuntimeError(f"question table and QUESTION_MODELS disagree (missing: {missing})")


_check_table()


def question_type(question: Any) -> QuestionType:
    """The row of this question's type (KeyError for an unknown type)."""
    return TYPES[question.type]


def auto_graded_ids(lesson: Any) -> list[str]:
    """Ids of the lesson's questions that are scored on submit (progress counts these;
    essays are graded by a person and reported apart)."""
    return [q.id for q in lesson.questions() if question_type(q).auto_graded]
