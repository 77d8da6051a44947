"""Question-bank export: the lessons' questions for the LMS a school already uses.

    >>> from lessons.loader import load_catalog
    >>> lessons = load_catalog("content/lessons").lessons
    >>> gift, notes = to_gift(lessons)      # Moodle GIFT text + what was not exported faithfully
    >>> text = to_json_bank(lessons)        # every question with its key, as JSON

GIFT (Moodle's text import format) is written as Moodle's own GIFT exporter writes it:
one `$CATEGORY: ParaLab/<lesson title>` per lesson, `::id::` question names, the
`[markdown]` text format, `\\ ~ = # { } :` escaped with a backslash and newlines written
as `\\n` (a blank line ends a question in GIFT), per-option feedback after `#` and the
explanation as general feedback after `####`.

What GIFT cannot say is reported in `notes`, one line per skipped or approximated
question (`LESSON-ID: QUESTION-ID: skipped|approximated: why`):

- ordering questions are always skipped: GIFT has no ordering type. A "position n ->
  item" matching question would grade each position on its own (Moodle matching gives
  correct pairs / pairs), which is none of our ordering rules (all_or_nothing,
  next_item, longest_subset, distance), and it cannot express a `precedes` graph (several
  right orders) at all;
- multiple choice with `all_or_nothing` scoring is exported with partial weights (Moodle
  multi-answer questions always give partial credit); weights ±100/k that are not in
  Moodle's grade list (k > 10 right options) are rounded to the nearest listed one, since
  Moodle's import rejects unlisted grades (or rounds them, by its "match grades" option);
- matching: distractors (right items in no pair) are dropped, `all_or_nothing` becomes
  Moodle's partial credit; fewer than 2 pairs or "->" in a left item: skipped;
- numeric: GIFT has no units, the unit is written into the prompt;
- fields GIFT does not carry (hint, points other than 1, penalty, max_tries, lab link)
  are named in the question's note.

`$...$` LaTeX is left as written: Moodle renders it when its MathJax filter is set to
recognise `$` delimiters.

Pure: stdlib and the lessons package only.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from typing import Any

from lessons.models import (
    Lesson,
    MatchingQuestion,
    MultipleChoiceQuestion,
    NumericQuestion,
    OrderingQuestion,
    QuestionBase,
    SingleChoiceQuestion,
    TrueFalseQuestion,
)

__all__ = ["MOODLE_GRADES", "gift_escape", "moodle_grade", "to_gift", "to_json_bank"]

GIFT_SPECIAL = "~=#{}:"
"""Characters GIFT gives a meaning to; written with a backslash before them."""

MOODLE_GRADES: tuple[float, ...] = (
    100.0,
    90.0,
    83.33333,
    80.0,
    75.0,
    70.0,
    66.66667,
    60.0,
    50.0,
    40.0,
    33.33333,
    30.0,
    25.0,
    20.0,
    16.66667,
    14.28571,
    12.5,
    11.11111,
    10.0,
    5.0,
    0.0,
)
"""Moodle's answer-grade list, in percent (negatives are the same values with a minus)."""

_GRADE_SLACK = 1e-5


def gift_escape(text: str) -> str:
    """`text` as GIFT text: `\\` and `~ = # { } :` get a backslash, newlines become `\\n`."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    out = []
    for ch in text:
        if ch == "\\":
            out.append("\\\\")
        elif ch in GIFT_SPECIAL:
            out.append("\\" + ch)
        elif ch == "\n":
            out.append("\\n")
        else:
            out.append(ch)
    return "".join(out)


def moodle_grade(percent: float) -> tuple[float, bool]:
    """The listed Moodle grade nearest to `percent`, and whether it is exact (±1e-5)."""
    sign = -1.0 if percent < 0 else 1.0
    nearest = min(MOODLE_GRADES, key=lambda g: abs(g - abs(percent)))
    return sign * nearest, abs(nearest - abs(percent)) <= _GRADE_SLACK


def _percent(value: float) -> str:
    text = f"{value:.5f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _number(value: float) -> str:
    if math.isfinite(value) and value == int(value) and abs(value) < 1e15:
        return str(int(value))
    return repr(value)


def _category(title: str) -> str:
    name = " ".join(title.split()).replace("/", "//")  # `//` is a literal slash in Moodle
    return f"$CATEGORY: ParaLab/{name}"


def _lost_fields(q: QuestionBase) -> list[str]:
    lost = []
    if q.hint:
        lost.append("hint dropped (GIFT has no hints)")
    if q.points != 1:
        lost.append(f"points {_number(q.points)} not carried (set the mark in the quiz)")
    if q.penalty:
        lost.append(f"penalty {_number(q.penalty)} not carried (Moodle default applies)")
    if q.max_tries is not None:
        lost.append(f"max_tries {q.max_tries} not carried")
    if q.lab:
        lost.append(f"lab link {q.lab!r} dropped (no live lab in the LMS)")
    return lost


def _option(prefix: str, text: str, feedback: str | None) -> str:
    line = f"\t{prefix}{gift_escape(text)}"
    if feedback:
        line += f"#{gift_escape(feedback)}"
    return line


def _single(q: SingleChoiceQuestion) -> tuple[list[str], list[str]]:
    lines = []
    for o in q.options:
        mark = "=" if o.correct else "~"
        if o.text.startswith("%"):  # a leading % would be read as a weight
            mark += "%100%" if o.correct else "%0%"
        lines.append(_option(mark, o.text, o.feedback))
    return lines, []


def _multiple(q: MultipleChoiceQuestion) -> tuple[list[str], list[str]]:
    k = sum(o.correct for o in q.options)
    right, right_exact = moodle_grade(100.0 / k)
    wrong, wrong_exact = moodle_grade(-100.0 / k)
    why = []
    if q.scoring == "all_or_nothing":
        why.append("all_or_nothing scoring exported as partial weights (Moodle multi-answer)")
    if not (right_exact and wrong_exact):
        why.append(
            f"weights ±{100.0 / k:.5f}% (k={k}) are not in Moodle's grade list; "
            f"rounded to {_percent(right)}% / {_percent(wrong)}%"
        )
    lines = [
        _option(f"~%{_percent(right if o.correct else wrong)}%", o.text, o.feedback)
        for o in q.options
    ]
    return lines, why


def _matching(q: MatchingQuestion) -> tuple[list[str] | None, list[str]]:
    left = {i.id: i.text for i in q.left}
    right = {i.id: i.text for i in q.right}
    if len(q.pairs) < 2:
        return None, ["GIFT matching needs at least 2 pairs"]
    if any("->" in text for text in left.values()):
        return None, ['a left item contains "->", the GIFT pair separator']
    why = []
    unused = [rid for rid in right if rid not in set(q.pairs.values())]
    if unused:
        why.append(f"distractors dropped (GIFT matching has none): {', '.join(unused)}")
    if q.scoring == "all_or_nothing":
        why.append("all_or_nothing scoring becomes Moodle's partial credit per pair")
    lines = [
        f"\t={gift_escape(left[lid])} -> {gift_escape(right[rid])}" for lid, rid in q.pairs.items()
    ]
    return lines, why


def _question(q: QuestionBase) -> tuple[str | None, list[str], bool]:
    """(GIFT text or None when skipped, reasons, skipped)."""
    prompt = q.prompt.rstrip()
    why: list[str] = []
    body: list[str] | None
    if isinstance(q, OrderingQuestion):
        if q.precedes is not None:
            reason = (
                "ordering with a precedes graph (several right orders): GIFT has no "
                "ordering type and no way to accept several orders"
            )
        else:
            reason = (
                "ordering: GIFT has no ordering type, and a 'position n -> item' matching "
                f"question would grade positions one by one, not by the {q.rule!r} rule"
            )
        return None, [reason], True
    if isinstance(q, SingleChoiceQuestion):
        body, why = _single(q)
    elif isinstance(q, MultipleChoiceQuestion):
        body, why = _multiple(q)
    elif isinstance(q, TrueFalseQuestion):
        body = None
    elif isinstance(q, MatchingQuestion):
        body, why = _matching(q)
        if body is None:
            return None, why, True
    elif isinstance(q, NumericQuestion):
        body = [f"\t={_number(q.answer)}:{_number(q.tolerance)}"]
        if q.unit:
            prompt += f"\n\n(Answer in {q.unit}.)"
            why.append(f"unit {q.unit!r} written into the prompt (GIFT has no units)")
    else:  # pragma: no cover - a new question type
        return None, [f"question type {getattr(q, 'type', '?')!r} not supported"], True
    why += _lost_fields(q)
    head = f"::{q.id}::[markdown]{gift_escape(prompt)}"
    feedback = f"####{gift_escape(q.explanation.rstrip())}"
    if isinstance(q, TrueFalseQuestion):
        return f"{head}{{{'T' if q.answer else 'F'}{feedback}}}", why, False
    opener = "{#" if isinstance(q, NumericQuestion) else "{"
    text = "\n".join([head + opener, *(body or []), f"\t{feedback}", "}"])
    return text, why, False


def to_gift(lessons: Iterable[Lesson]) -> tuple[str, list[str]]:
    """Moodle GIFT text of every question, and one note per skipped/approximated question."""
    blocks = [
        "// ParaLab question bank (Moodle GIFT). Text is Markdown with $...$ LaTeX.",
        "// Not carried by GIFT: hints, points, retry penalty, max tries, lab links.",
    ]
    notes: list[str] = []
    for lesson in lessons:
        blocks.append(_category(lesson.title))
        for q in lesson.questions():
            text, why, skipped = _question(q)
            if why:
                verb = "skipped" if skipped else "approximated"
                notes.append(f"{lesson.id}: {q.id}: {verb}: {'; '.join(why)}")
            if text is None:
                blocks.append(f"// {q.id} ({q.type}) skipped: not expressible in GIFT")
            else:
                blocks.append(f"// {lesson.id} / {q.id} ({q.type})\n{text}")
    return "\n\n".join(blocks) + "\n", notes


def _key(q: QuestionBase) -> Any:
    if isinstance(q, SingleChoiceQuestion):
        return next(o.id for o in q.options if o.correct)
    if isinstance(q, MultipleChoiceQuestion):
        return [o.id for o in q.options if o.correct]
    if isinstance(q, TrueFalseQuestion):
        return q.answer
    if isinstance(q, OrderingQuestion):
        if q.answer is not None:
            return {"order": list(q.answer)}
        return {"precedes": [list(p) for p in q.precedes or []], "one_order": q.correct_order()}
    if isinstance(q, MatchingQuestion):
        return dict(q.pairs)
    if isinstance(q, NumericQuestion):
        return {"answer": q.answer, "tolerance": q.tolerance, "unit": q.unit}
    return None  # pragma: no cover


def to_json_bank(lessons: Iterable[Lesson]) -> str:
    """Every question with its key as JSON; fields in model order, stable across runs."""
    questions = []
    for lesson in lessons:
        for q in lesson.questions():
            entry: dict[str, Any] = {
                "lesson_id": lesson.id,
                "lesson_title": lesson.title,
                "id": q.id,
                "type": q.type,
            }
            for name, value in q.model_dump(mode="json").items():
                entry.setdefault(name, value)
            if isinstance(q, OrderingQuestion):
                entry["rule"] = q.rule
            entry["key"] = _key(q)
            questions.append(entry)
    bank = {"format": "paralab-question-bank", "version": 1, "questions": questions}
    return json.dumps(bank, ensure_ascii=False, indent=2) + "\n"
