"""Moodle XML question-bank export: well-formed, Moodle's own element names, every type.

The allowed names below are copied from Moodle's source, not guessed:
`question/format/xml/format.php` (writequestion / import_* of core types) and
`question/type/ordering/questiontype.php` (export_to_xml / import_from_xml /
set_layout_select_count_grading). Run: `pytest tests/unit/test_lessons_moodle_xml.py -q`.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from lessons.bank import MOODLE_GRADES, to_moodle_xml
from lessons.loader import load_catalog, load_lesson

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "tests" / "samples" / "every-type.yaml"

HEADER = {
    "name",
    "questiontext",
    "generalfeedback",
    "defaultgrade",
    "penalty",
    "hidden",
    "idnumber",
}
HEADER |= {"hint", "tags"}  # import_hints, import_question_tags
CHILDREN = {
    "category": {"category", "info", "idnumber"},
    "multichoice": HEADER
    | {"single", "shuffleanswers", "answernumbering", "showstandardinstruction", "answer"}
    | {"correctfeedback", "partiallycorrectfeedback", "incorrectfeedback", "shownumcorrect"},
    "truefalse": HEADER | {"answer"},
    "numerical": HEADER
    | {"answer", "units", "unitgradingtype", "unitpenalty", "showunits", "unitsleft"}
    | {"instructions"},
    "matching": HEADER
    | {"shuffleanswers", "subquestion", "shownumcorrect"}
    | {"correctfeedback", "partiallycorrectfeedback", "incorrectfeedback"},
    "essay": HEADER
    | {"responseformat", "responserequired", "responsefieldlines", "minwordlimit"}
    | {"maxwordlimit", "attachments", "attachmentsrequired", "maxbytes", "filetypeslist"}
    | {"graderinfo", "responsetemplate"},
    "ordering": HEADER
    | {"layouttype", "selecttype", "selectcount", "gradingtype", "showgrading"}
    | {"numberingstyle", "answer", "shownumcorrect"}
    | {"correctfeedback", "partiallycorrectfeedback", "incorrectfeedback"},
}
"""Children a `<question type=…>` may have, per Moodle's importer for that type."""
NESTED = {
    "answer": {"text", "feedback", "tolerance"},
    "subquestion": {"text", "answer"},
    "units": {"unit"},
    "unit": {"multiplier", "unit_name"},
    "hint": {"text", "shownumcorrect", "clearwrong", "options"},
}
TEXT_FORMATS = {"moodle_auto_format", "html", "plain_text", "wiki_like", "markdown"}  # trans_format
ORDERING_VALUES = {
    "layouttype": {"VERTICAL", "HORIZONTAL"},
    "selecttype": {"ALL", "RANDOM", "CONTIGUOUS"},
    "gradingtype": {
        "ALL_OR_NOTHING",
        "ABSOLUTE_POSITION",
        "RELATIVE_NEXT_EXCLUDE_LAST",
        "RELATIVE_NEXT_INCLUDE_LAST",
        "RELATIVE_ONE_PREVIOUS_AND_NEXT",
        "RELATIVE_ALL_PREVIOUS_AND_NEXT",
        "LONGEST_ORDERED_SUBSET",
        "LONGEST_CONTIGUOUS_SUBSET",
        "RELATIVE_TO_CORRECT",
    },
    "showgrading": {"SHOW", "HIDE"},
}
ESSAY_FORMATS = {"editor", "editorfilepicker", "plain", "monospaced", "noinline"}


@pytest.fixture(scope="module")
def sample():
    lesson, problems = load_lesson(SAMPLES)
    assert not problems
    return lesson


@pytest.fixture(scope="module")
def sample_xml(sample):
    text, notes = to_moodle_xml([sample])
    return ET.fromstring(text.encode("utf-8")), notes


def questions(root, qtype=None):
    return [q for q in root.iter("question") if qtype is None or q.get("type") == qtype]


def by_name(root, name):
    (found,) = [q for q in questions(root) if q.findtext("name/text") == name]
    return found


def assert_moodle_names(root):
    assert root.tag == "quiz"
    for q in questions(root):
        allowed = CHILDREN[q.get("type")]
        assert {c.tag for c in q} <= allowed, (q.get("type"), {c.tag for c in q} - allowed)
        for element in q.iter():
            if element.tag in NESTED:
                assert {c.tag for c in element} <= NESTED[element.tag], element.tag
            if "format" in element.attrib:
                assert element.get("format") in TEXT_FORMATS
        if q.get("type") != "category":
            for tag in ("name/text", "questiontext/text", "defaultgrade", "penalty"):
                assert q.find(tag) is not None, tag
            assert 0 <= float(q.findtext("penalty")) <= 1


def test_every_type_is_written_with_moodle_names(sample_xml):
    root, notes = sample_xml
    assert_moodle_names(root)
    kinds = [q.get("type") for q in questions(root)]
    assert kinds == [
        "category",
        "multichoice",
        "multichoice",
        "truefalse",
        "ordering",
        "matching",
        "numerical",
        "essay",
    ]
    assert notes == [
        "every-type: q-graph: skipped: ordering with a precedes graph: "
        "Moodle's ordering type accepts one order only"
    ]


def test_real_lessons_export_to_well_formed_moodle_xml():
    catalog = load_catalog(ROOT / "content" / "lessons")
    text, notes = to_moodle_xml(catalog.lessons)
    root = ET.fromstring(text.encode("utf-8"))
    assert_moodle_names(root)
    written = {q.findtext("idnumber") for q in questions(root) if q.get("type") != "category"}
    for lesson in catalog.lessons:
        for q in lesson.questions():
            skipped = any(n.startswith(f"{lesson.id}: {q.id}: skipped") for n in notes)
            assert (f"{lesson.id}/{q.id}" in written) != skipped, q.id


def test_choices_carry_fractions_and_per_option_feedback(sample_xml):
    root, _ = sample_xml
    single = by_name(root, "q-single")
    assert [a.get("fraction") for a in single.findall("answer")] == ["0", "100"]
    assert single.findtext("answer/feedback/text") == "GPipe keeps all m."
    assert single.findtext("hint/text") == "Think of memory."
    assert single.findtext("penalty") == "0.25"
    multi = by_name(root, "q-multi")
    fractions = [abs(float(a.get("fraction"))) for a in multi.findall("answer")]
    assert all(any(abs(f - g) < 1e-5 for g in MOODLE_GRADES) for f in fractions)
    assert multi.findtext("single") == "false"


def test_ordering_lists_the_key_in_order_with_our_rule(sample_xml):
    order = by_name(sample_xml[0], "q-order")
    for tag, allowed in ORDERING_VALUES.items():
        assert order.findtext(tag) in allowed
    assert order.findtext("gradingtype") == "RELATIVE_NEXT_INCLUDE_LAST"  # our next_item
    assert order.findtext("selecttype") == "ALL" and order.findtext("selectcount") == "3"
    assert [a.findtext("text") for a in order.findall("answer")] == ["F0", "F1", "F2"]


def test_matching_keeps_distractors_as_empty_subquestions(sample_xml):
    match = by_name(sample_xml[0], "q-match")
    pairs = [(s.findtext("text"), s.findtext("answer/text")) for s in match.findall("subquestion")]
    assert pairs == [
        ("Tensor", "each layer"),
        ("Pipeline", "the stack of layers"),
        ("Data", "the batch"),
        ("", "nothing"),
    ]


def test_numeric_has_key_then_wrong_answers_and_the_unit(sample_xml):
    num = by_name(sample_xml[0], "q-num")
    answers = [
        (
            a.get("fraction"),
            a.findtext("text"),
            a.findtext("tolerance"),
            a.findtext("feedback/text"),
        )
        for a in num.findall("answer")
    ]
    assert answers[0] == ("100", "0.1111", "0.005", "")
    assert answers[1][:3] == ("0", "0.125", "0.002") and "Megatron" in answers[1][3]
    assert answers[2][:3] == ("0", "0.5", "0")
    assert num.findtext("units/unit/unit_name") == "of total time"
    assert num.findtext("units/unit/multiplier") == "1"
    assert num.findtext("showunits") == "0"


def test_essay_has_model_answer_and_rubric_as_grader_info(sample_xml):
    essay = by_name(sample_xml[0], "q-essay")
    assert essay.findtext("responseformat") in ESSAY_FORMATS
    assert essay.findtext("minwordlimit") == "3"
    assert essay.findtext("defaultgrade") == "2"
    info = essay.findtext("graderinfo/text")
    assert info.startswith("**Model answer**\n\nAt a fixed global batch")
    assert "- Gives the bubble formula (1 pt)" in info


def test_markup_in_text_round_trips(tmp_path):
    text = SAMPLES.read_text(encoding="utf-8").replace(
        "prompt: The bubble shrinks as m grows.",
        "prompt: \"Is <b>1 & 2</b> ]]> a 'quote'?\"",
    )
    path = tmp_path / "markup.yaml"
    path.write_text(text, encoding="utf-8")
    lesson, problems = load_lesson(path)
    assert not problems
    root = ET.fromstring(to_moodle_xml([lesson])[0].encode("utf-8"))
    assert by_name(root, "q-tf").findtext("questiontext/text") == "Is <b>1 & 2</b> ]]> a 'quote'?"
