"""Question-bank export: the lessons' questions for the LMS a school already uses.

    >>> from lessons.loader import load_catalog
    >>> lessons = load_catalog("content/lessons").lessons
    >>> gift, notes = to_gift(lessons)      # Moodle GIFT text + what was not exported faithfully
    >>> text = to_json_bank(lessons)        # every question with its key, as JSON
    >>> xml, notes = to_moodle_xml(lessons) # Moodle XML: ordering, hints, units, essays too

GIFT (Moodle's text import format): one `$CATEGORY: ParaLab/<lesson title>` per lesson,
then each question as its type's writer in `lessons/gift.py` writes it (see there).

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
- numeric: GIFT has no units, the unit is written into the prompt; known wrong answers
  are 0 % answers with their feedback (`=%0%0.125:0#...`), as Moodle reads them;
- essay: braces holding only the general feedback (`{####...}`), which Moodle's GIFT import
  reads as an essay; the model answer and rubric go into that general feedback;
- fields GIFT does not carry (hint, points other than 1, penalty, max_tries, lab link)
  are named in the question's note.

Moodle XML (`to_moodle_xml`) is written by `lessons/moodle_xml.py` and carries almost
everything; its notes name the little it cannot (a `precedes` graph, all_or_nothing on
multi-answer or matching, max_tries, lab links).

`$...$` LaTeX is left as written: Moodle renders it when its MathJax filter is set to
recognise `$` delimiters.

Pure: stdlib and the lessons package only.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any
from xml.etree.ElementTree import Element, indent, tostring

from lessons import moodle_xml
from lessons.gift import MOODLE_GRADES, category, gift_escape, moodle_grade
from lessons.models import Lesson
from lessons.types import question_type

__all__ = [
    "MOODLE_GRADES",
    "gift_escape",
    "moodle_grade",
    "to_gift",
    "to_json_bank",
    "to_moodle_xml",
]


def to_gift(lessons: Iterable[Lesson]) -> tuple[str, list[str]]:
    """Moodle GIFT text of every question, and one note per skipped/approximated question."""
    blocks = [
        "// ParaLab question bank (Moodle GIFT). Text is Markdown with $...$ LaTeX.",
        "// Not carried by GIFT: hints, points, retry penalty, max tries, lab links.",
    ]
    notes: list[str] = []
    for lesson in lessons:
        blocks.append(category(lesson.title))
        for q in lesson.questions():
            text, why = question_type(q).gift(q)
            if why:
                verb = "skipped" if text is None else "approximated"
                notes.append(f"{lesson.id}: {q.id}: {verb}: {'; '.join(why)}")
            if text is None:
                blocks.append(f"// {q.id} ({q.type}) skipped: not expressible in GIFT")
            else:
                blocks.append(f"// {lesson.id} / {q.id} ({q.type})\n{text}")
    return "\n\n".join(blocks) + "\n", notes


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
            if hasattr(q, "rule"):  # ordering: the scoring rule in force, default filled in
                entry["rule"] = q.rule
            entry["key"] = question_type(q).key(q)
            questions.append(entry)
    bank = {"format": "paralab-question-bank", "version": 1, "questions": questions}
    return json.dumps(bank, ensure_ascii=False, indent=2) + "\n"


def to_moodle_xml(lessons: Iterable[Lesson]) -> tuple[str, list[str]]:
    """Moodle XML (`<quiz>`: a category per lesson, then its questions), and one note per
    skipped or approximated question, as `to_gift` gives."""
    quiz = Element("quiz")
    notes: list[str] = []
    for lesson in lessons:
        path = "ParaLab/" + " ".join(lesson.title.split()).replace("/", "//")
        quiz.append(moodle_xml.category(path, lesson.summary))
        for q in lesson.questions():
            element, why = question_type(q).moodle_xml(q)
            if why:
                verb = "skipped" if element is None else "approximated"
                notes.append(f"{lesson.id}: {q.id}: {verb}: {'; '.join(why)}")
            if element is not None:
                element.find("idnumber").text = f"{lesson.id}/{q.id}"
                quiz.append(element)
    indent(quiz)
    body = tostring(quiz, encoding="unicode", short_empty_elements=False)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n", notes
