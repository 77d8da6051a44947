"""Moodle GIFT writers, one per question type (the table in `lessons/types.py` names them).

GIFT (Moodle's text import format) is written as Moodle's own GIFT exporter writes it:
`::id::` question names, the `[markdown]` text format, `\\ ~ = # { } :` escaped with a
backslash and newlines written as `\\n` (a blank line ends a question in GIFT), per-option
feedback after `#` and the explanation as general feedback after `####`. What each writer
cannot say faithfully it returns as reasons (see `lessons/bank.py` for the notes).

Each writer: `(question) -> (GIFT text or None when the question is skipped, reasons)`.
Pure: stdlib and the lessons package only.
"""

from __future__ import annotations

import math

from lessons.models import (
    EssayQuestion,
    MatchingQuestion,
    MultipleChoiceQuestion,
    NumericQuestion,
    OrderingQuestion,
    QuestionBase,
    SingleChoiceQuestion,
    TrueFalseQuestion,
)

Written = tuple[str | None, list[str]]
"""A writer's result: the question's text (None = skipped) and what it could not carry."""

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


def category(title: str) -> str:
    name = " ".join(title.split()).replace("/", "//")  # `//` is a literal slash in Moodle
    return f"$CATEGORY: ParaLab/{name}"


def lost_fields(q: QuestionBase) -> list[str]:
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


def _head(q: QuestionBase, prompt: str | None = None) -> str:
    return f"::{q.id}::[markdown]{gift_escape((prompt or q.prompt).rstrip())}"


def _general(q: QuestionBase, extra: str = "") -> str:
    return f"####{gift_escape((q.explanation.rstrip() + extra).rstrip())}"


def _braced(q: QuestionBase, body: list[str], prompt: str | None = None, opener="{") -> str:
    return "\n".join([_head(q, prompt) + opener, *body, f"\t{_general(q)}", "}"])


def single_choice(q: SingleChoiceQuestion) -> Written:
    lines, why = _single(q)
    return _braced(q, lines), why + lost_fields(q)


def multiple_choice(q: MultipleChoiceQuestion) -> Written:
    lines, why = _multiple(q)
    return _braced(q, lines), why + lost_fields(q)


def true_false(q: TrueFalseQuestion) -> Written:
    return f"{_head(q)}{{{'T' if q.answer else 'F'}{_general(q)}}}", lost_fields(q)


def matching(q: MatchingQuestion) -> Written:
    lines, why = _matching(q)
    if lines is None:
        return None, why
    return _braced(q, lines), why + lost_fields(q)


def numeric(q: NumericQuestion) -> Written:
    """`{#=answer:tolerance ...}`; each known wrong answer is a 0 % answer with its feedback,
    as Moodle's GIFT import reads `=%0%value:tolerance#feedback`."""
    body = [f"\t={_number(q.answer)}:{_number(q.tolerance)}"]
    body += [
        _option(f"=%0%{_number(w.value)}:{_number(w.tolerance)}", "", w.feedback)
        for w in q.wrong_answers
    ]
    prompt, why = q.prompt.rstrip(), []
    if q.unit:
        prompt += f"\n\n(Answer in {q.unit}.)"
        why.append(f"unit {q.unit!r} written into the prompt (GIFT has no units)")
    return _braced(q, body, prompt, "{#"), why + lost_fields(q)


def ordering(q: OrderingQuestion) -> Written:
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
    return None, [reason]


def essay(q: EssayQuestion) -> Written:
    """`{####...}`: braces with only general feedback make Moodle's GIFT import an essay.
    GIFT has no grader information, so the model answer and rubric go into the general
    feedback, which Moodle shows to learners after the attempt, as ours does."""
    rubric = "\n".join(f"- {line.text} ({_number(line.points)} pt)" for line in q.rubric)
    extra = f"\n\n**Model answer**\n\n{q.model_answer.rstrip()}\n\n**Rubric**\n\n{rubric}"
    text = f"{_head(q)}{{{_general(q, extra)}}}"
    why = ["model answer and rubric written into the general feedback (GIFT has no grader info)"]
    return text, why + lost_fields(q)
