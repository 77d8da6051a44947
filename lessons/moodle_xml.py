"""Moodle XML writers, one per question type (the table in `lessons/types.py` names them).

Element names and values follow Moodle's own exporter and importer,
`question/format/xml/format.php` (`writequestion`, `import_headers`, `import_multichoice`,
`import_truefalse`, `import_numerical`, `import_match`, `import_essay`, `import_hint`), and
for ordering questions `question/type/ordering/questiontype.php` (`export_to_xml`,
`import_from_xml`, `set_layout_select_count_grading`); `tests/unit/test_lessons_moodle_xml.py`
checks every element we write against those names.

Moodle XML carries what GIFT cannot: ordering questions (qtype_ordering, core since
Moodle 4.4), hints, units, penalties (`<penalty>`, a fraction), points (`<defaultgrade>`),
per-option feedback, matching distractors (a `<subquestion>` with empty text), essays with
their model answer and rubric as grader information (`<graderinfo>`), and known wrong
numeric answers (0 % `<answer>`s with feedback). Text is `format="markdown"`.

Each writer: `(question) -> (<question> element or None when skipped, reasons)`.
Pure: stdlib and the lessons package only.
"""

from __future__ import annotations

from xml.etree.ElementTree import Element, SubElement

from lessons.gift import moodle_grade
from lessons.grading import effective_penalty
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

Written = tuple[Element | None, list[str]]
"""A writer's result: the `<question>` element (None = skipped) and what it could not carry."""

FORMAT = "markdown"
"""Moodle's name for Markdown text (`trans_format` in format.php)."""

ORDERING_GRADING = {
    "all_or_nothing": "ALL_OR_NOTHING",
    "next_item": "RELATIVE_NEXT_INCLUDE_LAST",
    "longest_subset": "LONGEST_ORDERED_SUBSET",
    "distance": "RELATIVE_TO_CORRECT",
}
"""Our ordering rules → qtype_ordering's `gradingtype` names (same formulas: see
lessons/ordering.py and qtype_ordering's `grade_response`)."""


def number(value: float) -> str:
    """A number as Moodle writes it: no trailing `.0`, up to 7 decimals."""
    text = f"{value:.7f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _text(parent: Element, tag: str, text: str, formatted: bool = True) -> Element:
    """`<tag format="markdown"><text>…</text></tag>` (ElementTree escapes `<`, `&`)."""
    element = SubElement(parent, tag, {"format": FORMAT} if formatted else {})
    SubElement(element, "text").text = text
    return element


def _value(parent: Element, tag: str, value: str) -> Element:
    element = SubElement(parent, tag)
    element.text = value
    return element


def category(path: str, info: str) -> Element:
    """`<question type="category">`: the questions after it go into category `path`."""
    question = Element("question", {"type": "category"})
    _text(question, "category", path, formatted=False)
    _text(question, "info", info)
    return question


def _header(q: QuestionBase, qtype: str, idnumber: str = "") -> Element:
    """Name, text, general feedback, mark and penalty, in writequestion's order."""
    question = Element("question", {"type": qtype})
    _text(question, "name", q.id, formatted=False)
    _text(question, "questiontext", q.prompt.rstrip())
    _text(question, "generalfeedback", q.explanation.rstrip())
    _value(question, "defaultgrade", number(q.points))
    _value(question, "penalty", number(effective_penalty(q)))
    _value(question, "hidden", "0")
    _value(question, "idnumber", idnumber)
    return question


def _answer(parent: Element, fraction: float, text: str, feedback: str | None) -> Element:
    answer = SubElement(parent, "answer", {"fraction": number(fraction), "format": FORMAT})
    SubElement(answer, "text").text = text
    _text(answer, "feedback", feedback or "")
    return answer


def _hints(question: Element, q: QuestionBase) -> list[str]:
    """The hint as Moodle's `<hint>` (shown after a wrong try in interactive mode)."""
    if q.hint:
        _text(question, "hint", q.hint)
    lost = []
    if q.max_tries is not None:
        lost.append(f"max_tries {q.max_tries} not carried (Moodle: tries = hints + 1)")
    if q.lab:
        lost.append(f"lab link {q.lab!r} dropped (no live lab in the LMS)")
    return lost


def _choices(q: SingleChoiceQuestion | MultipleChoiceQuestion, single: bool) -> Element:
    question = _header(q, "multichoice")
    _value(question, "single", "true" if single else "false")
    _value(question, "shuffleanswers", "true")
    _value(question, "answernumbering", "abc")
    _value(question, "showstandardinstruction", "0")
    return question


def single_choice(q: SingleChoiceQuestion) -> Written:
    question = _choices(q, single=True)
    for o in q.options:
        _answer(question, 100.0 if o.correct else 0.0, o.text, o.feedback)
    return question, _hints(question, q)


def multiple_choice(q: MultipleChoiceQuestion) -> Written:
    """Moodle multi-answer: +100/k per right option, −100/k per wrong one (our partial rule)."""
    question = _choices(q, single=False)
    k = sum(o.correct for o in q.options)
    (right, right_exact), (wrong, wrong_exact) = moodle_grade(100 / k), moodle_grade(-100 / k)
    why = []
    if q.scoring == "all_or_nothing":
        why.append("all_or_nothing scoring exported as partial weights (Moodle multi-answer)")
    if not (right_exact and wrong_exact):
        why.append(f"weights ±{100 / k:.5f}% (k={k}) rounded to Moodle's {number(right)}%")
    for o in q.options:
        _answer(question, right if o.correct else wrong, o.text, o.feedback)
    return question, why + _hints(question, q)


def true_false(q: TrueFalseQuestion) -> Written:
    question = _header(q, "truefalse")
    _answer(question, 100.0 if q.answer else 0.0, "true", None)
    _answer(question, 0.0 if q.answer else 100.0, "false", None)
    return question, _hints(question, q)


def matching(q: MatchingQuestion) -> Written:
    """Pairs as `<subquestion>`s; distractors as subquestions with empty text (Moodle's
    "extra wrong answers")."""
    question = _header(q, "matching")
    _value(question, "shuffleanswers", "true")
    right = {item.id: item.text for item in q.right}
    for left in q.left:
        sub = _text(question, "subquestion", left.text)
        _text(sub, "answer", right[q.pairs[left.id]], formatted=False)
    for rid in [rid for rid in right if rid not in set(q.pairs.values())]:
        sub = _text(question, "subquestion", "")
        _text(sub, "answer", right[rid], formatted=False)
    why = []
    if q.scoring == "all_or_nothing":
        why.append("all_or_nothing scoring becomes Moodle's partial credit per pair")
    if len(q.pairs) < 2:
        why.append("Moodle matching needs at least 2 pairs; the import will refuse this one")
    return question, why + _hints(question, q)


def numeric(q: NumericQuestion) -> Written:
    """Key first (Moodle takes the first answer whose range holds the response), then each
    known wrong answer at 0 % with its feedback; the unit as a `<units>` entry (×1)."""
    question = _header(q, "numerical")
    for value, tolerance, fraction, feedback in [
        (q.answer, q.tolerance, 100.0, None),
        *((w.value, w.tolerance, 0.0, w.feedback) for w in q.wrong_answers),
    ]:
        answer = _answer(question, fraction, number(value), feedback)
        answer.attrib.pop("format")  # numerical answers are plain numbers
        _value(answer, "tolerance", number(tolerance))
    if q.unit:
        unit = SubElement(SubElement(question, "units"), "unit")
        _value(unit, "multiplier", "1")
        _value(unit, "unit_name", q.unit)
    _value(question, "unitgradingtype", "0")
    _value(question, "unitpenalty", "0")
    _value(question, "showunits", "0" if q.unit else "3")  # UNITOPTIONAL / UNITNONE
    _value(question, "unitsleft", "0")
    return question, _hints(question, q)


def ordering(q: OrderingQuestion) -> Written:
    """qtype_ordering: items in the right order (answer order is the key), all shown."""
    if q.precedes is not None:
        reason = "ordering with a precedes graph: Moodle's ordering type accepts one order only"
        return None, [reason]
    question = _header(q, "ordering")
    _value(question, "layouttype", "VERTICAL")
    _value(question, "selecttype", "ALL")
    _value(question, "selectcount", str(len(q.items)))
    _value(question, "gradingtype", ORDERING_GRADING[q.rule])
    _value(question, "showgrading", "SHOW")
    _value(question, "numberingstyle", "none")
    text = {item.id: item.text for item in q.items}
    for position, item in enumerate(q.correct_order(), start=1):
        answer = SubElement(question, "answer", {"fraction": str(position), "format": FORMAT})
        SubElement(answer, "text").text = text[item]
    return question, _hints(question, q)


def essay(q: EssayQuestion) -> Written:
    """Moodle essay: the model answer and rubric as grader information, word limits."""
    question = _header(q, "essay")
    _value(question, "responseformat", "plain")
    _value(question, "responserequired", "1")
    _value(question, "responsefieldlines", "10")
    _value(question, "minwordlimit", str(q.min_words) if q.min_words else "")
    _value(question, "maxwordlimit", "")
    _value(question, "attachments", "0")
    _value(question, "attachmentsrequired", "0")
    rubric = "\n".join(f"- {line.text} ({number(line.points)} pt)" for line in q.rubric)
    info = f"**Model answer**\n\n{q.model_answer.rstrip()}\n\n**Rubric**\n\n{rubric}"
    _text(question, "graderinfo", info)
    _text(question, "responsetemplate", "")
    why = []
    if q.max_chars != EssayQuestion.model_fields["max_chars"].default:
        why.append(f"max_chars {q.max_chars} not carried (Moodle limits words, not characters)")
    return question, why + _hints(question, q)
