"""What a learner is told about one answer, beyond its score, and the key in words.

Pure functions per question type, named in the table of `lessons/types.py`:

    >>> from lessons.types import question_type
    >>> question_type(q).feedback(q, {"tp": "split-batch", "dp": "split-layers"})
    ['Not right: **Tensor parallelism** ↔ *splits the batch*', ...]
    >>> question_type(q).answer_text(q)
    'Tensor parallelism ↔ splits each layer; ...'

Feedback lines are Markdown. A malformed answer gives no lines (grading reports it).
The `*_text` functions give the key in words (shown once a question is over), the `*_key`
functions the key as data (the JSON question bank).
"""

from __future__ import annotations

from typing import Any

from lessons.grading import known_wrong_answer
from lessons.ordering import transitive_closure


def none(q: Any, answer: Any) -> list[str]:
    """For types with nothing to say beyond the score (true_false, essay)."""
    return []


def choices(q: Any, answer: Any) -> list[str]:
    """The feedback of each chosen option that has one."""
    chosen = {answer} if isinstance(answer, str) else set(answer or [])
    return [f"*{o.text}* — {o.feedback}" for o in q.options if o.id in chosen and o.feedback]


def ordering(q: Any, answer: Any) -> list[str]:
    """Which positions are wrong (one key order) or which pairs are reversed (a graph)."""
    if not isinstance(answer, list) or sorted(answer) != sorted(q.item_ids()):
        return []
    text = {item.id: item.text for item in q.items}
    if q.answer is not None:
        pairs = enumerate(zip(answer, q.answer, strict=True))
        wrong = [i for i, (got, want) in pairs if got != want]
        if not wrong:
            return []
        where = ", ".join(f"{i + 1} (*{text[answer[i]]}*)" for i in wrong)
        return [f"Not in its place: position{'s' * (len(wrong) > 1)} {where}."]
    position = {item: i for i, item in enumerate(answer)}
    reversed_pairs = sorted(
        (a, b) for a, b in transitive_closure(q.precedes or []) if position[a] > position[b]
    )
    return [
        f"*{text[a]}* must come before *{text[b]}* "
        f"(you put them at positions {position[b] + 1} and {position[a] + 1})."
        for a, b in sorted(reversed_pairs, key=lambda p: (position[p[1]], position[p[0]]))
    ]


def matching(q: Any, answer: Any) -> list[str]:
    """Each wrong or missing pair, by the left item and what was chosen for it."""
    if not isinstance(answer, dict):
        return []
    right = {item.id: item.text for item in q.right}
    lines = []
    for left in q.left:
        chosen = answer.get(left.id)
        if chosen == q.pairs[left.id]:
            continue
        got = f"*{right[chosen]}*" if chosen in right else "nothing"
        lines.append(f"Not right: **{left.text}** ↔ {got}")
    return lines


def numeric(q: Any, answer: Any) -> list[str]:
    """The feedback of the known wrong answer the value falls on, if any."""
    if isinstance(answer, bool) or not isinstance(answer, (int, float)):
        return []
    wrong = known_wrong_answer(q, float(answer))
    return [wrong.feedback] if wrong else []


def choices_text(q: Any) -> str:
    return "; ".join(o.text for o in q.options if o.correct)


def true_false_text(q: Any) -> str:
    return "True" if q.answer else "False"


def ordering_text(q: Any) -> str:
    text = {i.id: i.text for i in q.items}
    return " → ".join(text[i] for i in q.correct_order())


def matching_text(q: Any) -> str:
    right = {r.id: r.text for r in q.right}
    return "; ".join(f"{left.text} ↔ {right[q.pairs[left.id]]}" for left in q.left)


def numeric_text(q: Any) -> str:
    unit = f" {q.unit}" if q.unit else ""
    tol = f" (± {q.tolerance:g})" if q.tolerance else ""
    return f"{q.answer:g}{unit}{tol}"


def essay_text(q: Any) -> str:
    return q.model_answer


def single_choice_key(q: Any) -> Any:
    return next(o.id for o in q.options if o.correct)


def multiple_choice_key(q: Any) -> Any:
    return [o.id for o in q.options if o.correct]


def true_false_key(q: Any) -> Any:
    return q.answer


def ordering_key(q: Any) -> Any:
    if q.answer is not None:
        return {"order": list(q.answer)}
    return {"precedes": [list(p) for p in q.precedes or []], "one_order": q.correct_order()}


def matching_key(q: Any) -> Any:
    return dict(q.pairs)


def numeric_key(q: Any) -> Any:
    key = {"answer": q.answer, "tolerance": q.tolerance, "unit": q.unit}
    if q.wrong_answers:
        key["wrong_answers"] = [w.model_dump() for w in q.wrong_answers]
    return key


def essay_key(q: Any) -> Any:
    rubric = [line.model_dump() for line in q.rubric]
    return {"model_answer": q.model_answer, "rubric": rubric, "points": q.rubric_points}
