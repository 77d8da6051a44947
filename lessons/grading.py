"""Grading: pure functions from (question, answer) to a score in [0, 1].

    >>> from lessons.grading import grade
    >>> grade(question, ["a", "b", "c"])     # Grade(score=1.0, correct=True, detail='…')

Answers by question type: single_choice `str` (an option id); multiple_choice `list[str]`;
true_false `bool`; ordering `list[str]` (every item id once); matching `dict[str, str]`
(left id → right id; a left item left out counts as wrong); numeric `float`; essay
`list[int]`, the indexes of the rubric lines met (a self-assessment or an instructor's).
A malformed answer (wrong type, unknown id) raises ValueError; it is never scored 0.
The ordering rules are in `lessons/ordering.py` and re-exported here.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from lessons.models import (
    EssayQuestion,
    MatchingQuestion,
    MultipleChoiceQuestion,
    NumericQuestion,
    OrderingQuestion,
    SingleChoiceQuestion,
    TrueFalseQuestion,
    WrongAnswer,
)
from lessons.ordering import (
    all_or_nothing,
    distance,
    longest_subset,
    next_item,
    precedence,
)

__all__ = [
    "Grade",
    "all_or_nothing",
    "distance",
    "effective_penalty",
    "final_score",
    "grade",
    "known_wrong_answer",
    "longest_subset",
    "matching_score",
    "multiple_choice_score",
    "next_item",
    "numeric_correct",
    "precedence",
]

ORDER_RULES: dict[str, Callable[[list[str], list[str]], float]] = {
    "all_or_nothing": all_or_nothing,
    "next_item": next_item,
    "longest_subset": longest_subset,
    "distance": distance,
}


@dataclass(frozen=True)
class Grade:
    score: float
    """Raw score in [0, 1], before any retry penalty."""
    correct: bool
    """Fully right (score 1)."""
    detail: str
    """One line for the learner, e.g. "3 of 4 pairs right"."""


def final_score(score: float, wrong_tries: int, penalty: float) -> float:
    """Moodle interactive mode: max(0, score − penalty × wrong tries before this one)."""
    if wrong_tries < 0 or not 0 <= penalty <= 1:
        raise ValueError(f"need wrong_tries ≥ 0, penalty in [0, 1]; got {wrong_tries}, {penalty}")
    return max(0.0, score - penalty * wrong_tries)


MOODLE_PENALTY = 1 / 3
"""Moodle's default "penalty for each incorrect try" (33.3 %)."""


def effective_penalty(question: Any) -> float:
    """The penalty per wrong try: the author's `penalty:` if the lesson sets one, else a
    default that makes guessing cost, as Moodle's interactive mode does.

    single_choice: 1/(options − 1), so guessing through every option ends at 0 (1/3 for four
    options, Moodle's default); true_false: 1, a second guess is worth nothing (Moodle fixes
    this for true/false); multiple_choice: 1/3. Other types default to no penalty.
    """
    if "penalty" in question.model_fields_set:
        return question.penalty
    from lessons.types import question_type  # the table imports this module's graders

    return question_type(question).default_penalty(question)


def single_choice_penalty(q: SingleChoiceQuestion) -> float:
    """1/(options − 1): guessing through every option ends at 0."""
    return 1 / (len(q.options) - 1)


def true_false_penalty(q: TrueFalseQuestion) -> float:
    """1: a second guess at true/false is worth nothing."""
    return 1.0


def multiple_choice_penalty(q: MultipleChoiceQuestion) -> float:
    return MOODLE_PENALTY


def no_penalty(q: Any) -> float:
    """The model's own default (0) for types whose retries are not guesses."""
    return q.penalty


def multiple_choice_score(chosen: set[str], right: set[str], scoring: str = "partial") -> float:
    """partial: (right chosen − wrong chosen) / k, floored at 0, k = number of right options."""
    if scoring == "all_or_nothing":
        return 1.0 if chosen == right else 0.0
    hits, misses = len(chosen & right), len(chosen - right)
    return max(0.0, (hits - misses) / len(right))


def matching_score(
    answer: dict[str, str], pairs: dict[str, str], scoring: str = "partial"
) -> float:
    """partial: correct pairs / pairs; all_or_nothing: 1 only if every pair is right."""
    hits = sum(1 for left, right in pairs.items() if answer.get(left) == right)
    if scoring == "all_or_nothing":
        return 1.0 if hits == len(pairs) else 0.0
    return hits / len(pairs)


def numeric_correct(value: float, answer: float, tolerance: float) -> bool:
    """|value − answer| ≤ tolerance, inclusive, with a 1e-9 relative slack for float rounding."""
    return abs(value - answer) <= tolerance + 1e-9 * max(1.0, abs(answer))


def known_wrong_answer(q: NumericQuestion, value: float) -> WrongAnswer | None:
    """The first of the question's known wrong answers whose range holds `value`, or None."""
    for wrong in q.wrong_answers:
        if numeric_correct(value, wrong.value, wrong.tolerance):
            return wrong
    return None


def grade(question: Any, answer: Any) -> Grade:
    """Score an answer to any question type (the grader of its type in `lessons.types`)."""
    from lessons.types import question_type  # the table imports this module's graders

    try:
        spec = question_type(question)
    except (KeyError, AttributeError):
        raise ValueError(f"not a question: {type(question).__name__}") from None
    return spec.grade(question, answer)


def _made(score: float, detail: str) -> Grade:
    return Grade(score, score >= 1.0, detail)


def _ids_list(answer: Any, what: str) -> list[str]:
    if not isinstance(answer, (list, tuple)) or not all(isinstance(a, str) for a in answer):
        raise ValueError(f"{what} answer must be a list of ids, got {answer!r}")
    return list(answer)


def single_choice(q: SingleChoiceQuestion, answer: Any) -> Grade:
    ids = [o.id for o in q.options]
    if not isinstance(answer, str) or answer not in ids:
        raise ValueError(f"single_choice answer must be one of {ids}, got {answer!r}")
    right = next(o.id for o in q.options if o.correct)
    return _made(1.0 if answer == right else 0.0, "right" if answer == right else "not this one")


def multiple_choice(q: MultipleChoiceQuestion, answer: Any) -> Grade:
    chosen = _ids_list(answer, "multiple_choice")
    ids = {o.id for o in q.options}
    unknown = [c for c in chosen if c not in ids]
    if unknown or len(set(chosen)) != len(chosen):
        raise ValueError(f"multiple_choice answer has unknown or repeated ids: {chosen}")
    right = {o.id for o in q.options if o.correct}
    score = multiple_choice_score(set(chosen), right, q.scoring)
    hits, misses = len(set(chosen) & right), len(set(chosen) - right)
    return _made(score, f"{hits} of {len(right)} right options chosen, {misses} wrong")


def true_false(q: TrueFalseQuestion, answer: Any) -> Grade:
    if not isinstance(answer, bool):
        raise ValueError(f"true_false answer must be true or false, got {answer!r}")
    return _made(1.0 if answer == q.answer else 0.0, f"the statement is {q.answer}".lower())


def ordering(q: OrderingQuestion, answer: Any) -> Grade:
    order = _ids_list(answer, "ordering")
    ids = q.item_ids()
    if sorted(order) != sorted(ids):
        raise ValueError(f"ordering answer must list every item once: {ids}, got {order}")
    rule = q.rule
    if q.precedes is not None:
        score = precedence(order, q.precedes)
        if rule == "all_or_nothing":
            score = 1.0 if score == 1.0 else 0.0
    else:
        score = ORDER_RULES[rule](order, q.answer or [])
    return _made(score, f"{rule.replace('_', ' ')} score {score:.0%}")


def matching(q: MatchingQuestion, answer: Any) -> Grade:
    if not isinstance(answer, dict):
        raise ValueError(f"matching answer must be a mapping left id → right id, got {answer!r}")
    left, right = {i.id for i in q.left}, {i.id for i in q.right}
    bad = {k: v for k, v in answer.items() if k not in left or v not in right}
    if bad:
        raise ValueError(f"matching answer names unknown items: {bad}")
    score = matching_score(answer, q.pairs, q.scoring)
    hits = sum(1 for k, v in q.pairs.items() if answer.get(k) == v)
    return _made(score, f"{hits} of {len(q.pairs)} pairs right")


def numeric(q: NumericQuestion, answer: Any) -> Grade:
    number = isinstance(answer, (int, float)) and not isinstance(answer, bool)
    if not number or not math.isfinite(answer):
        raise ValueError(f"numeric answer must be a finite number, got {answer!r}")
    if numeric_correct(float(answer), q.answer, q.tolerance):
        return _made(1.0, "within tolerance")
    if known_wrong_answer(q, float(answer)):
        return _made(0.0, "a known wrong answer")
    unit = f" {q.unit}" if q.unit else ""
    return _made(0.0, f"expected {q.answer:g}{unit}")


def essay(q: EssayQuestion, answer: Any) -> Grade:
    """Rubric score: points of the lines met / all points (self-assessed or by a grader)."""
    n = len(q.rubric)
    valid = isinstance(answer, (list, tuple)) and all(
        isinstance(i, int) and not isinstance(i, bool) and 0 <= i < n for i in answer
    )
    if not valid or len(set(answer)) != len(answer):
        raise ValueError(f"essay assessment must list rubric lines 0..{n - 1}, got {answer!r}")
    met = sum(q.rubric[i].points for i in answer)
    total = q.rubric_points
    return _made(met / total, f"{met:g} of {total:g} rubric points")


def essay_text_problem(q: EssayQuestion, text: Any) -> str | None:
    """Why this essay text cannot be submitted (empty, too short, too long), or None."""
    if not isinstance(text, str) or not text.strip():
        return "Write your answer first."
    words = len(text.split())
    if words < q.min_words:
        return f"Write at least {q.min_words} words (you have {words})."
    if len(text) > q.max_chars:
        return f"Keep it under {q.max_chars} characters (you have {len(text)})."
    return None
