"""Loader: every kind of authoring mistake comes back located as FILE:LINE: QUESTION: FIELD.

Run: `pytest tests/unit/test_lessons_loader.py -q`.
"""

from __future__ import annotations

from pathlib import Path

from lessons.loader import Problem, load_catalog, load_lesson


def edit(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, f"{old!r} must occur once"
    return text.replace(old, new)


def problems_of(write_lesson, text: str | bytes) -> tuple[Path, list[Problem]]:
    path = write_lesson(text)
    lesson, problems = load_lesson(path)
    assert lesson is None
    assert problems, "a broken lesson must report problems"
    return path, problems


def assert_one(write_lesson, text, line, question, field, words):
    """Exactly one problem, at this line, question and field, whose message has `words`."""
    path, problems = problems_of(write_lesson, text)
    assert len(problems) == 1, [str(p) for p in problems]
    (p,) = problems
    assert (p.file, p.line, p.question, p.field) == (str(path), line, question, field), str(p)
    assert words in p.message, p.message


def test_valid_lesson_loads_with_every_block(write_lesson, valid_text):
    lesson, problems = load_lesson(write_lesson(valid_text))
    assert problems == []
    assert [q.id for q in lesson.questions()][:3] == ["q-bubble", "q-memory", "q-tf"]
    assert lesson.lab("gpipe-run").spec["schedule"] == "GPipe"
    assert lesson.question("q-order").rule == "precedence"
    assert lesson.question("q-order-key").rule == "next_item"


def test_problem_str_is_file_line_question_field_message():
    p = Problem("a.yaml", 7, "q1", "options.2.correct", "boom")
    assert str(p) == "a.yaml:7: q1: options.2.correct: boom"
    assert str(Problem("a.yaml", 1, message="empty")) == "a.yaml:1: -: -: empty"


def test_yaml_syntax_error_has_its_line(write_lesson, valid_text):
    text = edit(valid_text, "summary: Split", "summary: a: Split")  # line 3
    assert_one(write_lesson, text, 3, "-", "-", "YAML syntax")


def test_empty_and_comment_only_files(write_lesson):
    assert_one(write_lesson, "", 1, "-", "-", "empty file")
    assert_one(write_lesson, "# nothing yet\n\n", 1, "-", "-", "empty file")


def test_non_utf8_file_names_the_line(write_lesson, valid_text):
    raw = valid_text.encode().replace(b"Pipeline parallelism", b"Pipeline \xe9t\xe9")  # line 2
    assert_one(write_lesson, raw, 2, "-", "-", "not UTF-8")


def test_control_character_names_the_line(write_lesson, valid_text):
    text = edit(valid_text, "Split the layers", "Split\x07 the layers")  # line 3
    assert_one(write_lesson, text, 3, "-", "-", "#x0007 is not allowed")


def test_top_level_not_a_mapping(write_lesson):
    assert_one(write_lesson, "\n- id: a\n- id: b\n", 2, "-", "-", "must be a mapping")


def test_unknown_key_in_question_suggests_the_field(write_lesson, valid_text, line_of):
    text = edit(valid_text, "explanation: Stage 3", "explanation: x\n    explaination: Stage 3")
    line = line_of(text, "explaination:")
    assert_one(write_lesson, text, line, "q-memory", "explaination", "did you mean 'explanation'")


def test_unknown_key_at_lesson_level(write_lesson, valid_text):
    text = edit(valid_text, "order: 10", "ordre: 10")  # line 6
    _, problems = problems_of(write_lesson, text)
    assert [(p.line, p.question, p.field) for p in problems] == [(6, "-", "ordre")]
    assert "did you mean 'order'" in problems[0].message


def test_missing_field_points_at_the_question(write_lesson, valid_text, line_of):
    text = edit(valid_text, "    prompt: More microbatches shrink the bubble fraction.\n", "")
    line = line_of(text, "type: true_false")
    assert_one(write_lesson, text, line, "q-tf", "prompt", "missing required field 'prompt'")


def test_missing_lesson_field(write_lesson, valid_text):
    text = edit(
        valid_text, "summary: Split the layers into stages and feed them microbatches.\n", ""
    )
    assert_one(write_lesson, text, 1, "-", "summary", "missing required field")


def test_wrong_type_of_a_field(write_lesson, valid_text, line_of):
    text = edit(valid_text, "answer: true", "answer: maybe")
    assert_one(write_lesson, text, line_of(text, "answer: maybe"), "q-tf", "answer", "boolean")


def test_wrong_type_inside_an_option(write_lesson, valid_text, line_of):
    text = edit(
        valid_text,
        "{id: grads, text: Gradients, correct: true}",
        "{id: grads, text: G, correct: sure}",
    )
    line = line_of(text, "correct: sure")
    assert_one(write_lesson, text, line, "q-memory", "options.1.correct", "boolean")


def test_duplicate_question_id_points_at_the_second(write_lesson, valid_text, line_of):
    text = edit(valid_text, "id: q-tf", "id: q-bubble")
    line = line_of(text, "id: q-bubble", start=line_of(text, "type: true_false"))
    assert_one(write_lesson, text, line, "q-bubble", "id", "duplicate question id")


def test_duplicate_yaml_key_points_at_the_repeat(write_lesson, valid_text, line_of):
    text = edit(valid_text, "unit: GB", "unit: GB\n    unit: TB")
    assert_one(write_lesson, text, line_of(text, "unit: TB"), "q-num", "unit", "repeated")


def test_duplicate_option_id(write_lesson, valid_text, line_of):
    text = edit(valid_text, "{id: c, text: 1F1B}", "{id: a, text: 1F1B}")
    line = line_of(text, "{id: a, text: 1F1B}")
    assert_one(write_lesson, text, line, "q-bubble", "options.2.id", "duplicate id 'a'")


def test_single_choice_two_correct_points_at_the_second(write_lesson, valid_text, line_of):
    text = edit(valid_text, "{id: c, text: 1F1B}", "{id: c, text: 1F1B, correct: true}")
    line = line_of(text, "{id: c, text: 1F1B")
    assert_one(write_lesson, text, line, "q-bubble", "options.2.correct", "exactly one")


def test_single_choice_none_correct(write_lesson, valid_text, line_of):
    text = edit(valid_text, "Both the same, correct: true}", "Both the same}")
    line = line_of(text, "options:")
    assert_one(write_lesson, text, line, "q-bubble", "options", "no option")


def test_multiple_choice_none_correct(write_lesson, valid_text, line_of):
    text = edit(valid_text, "Parameters, correct: true}", "Parameters}")
    text = edit(text, "Gradients, correct: true}", "Gradients}")
    line = line_of(text, "options:", start=line_of(text, "id: q-memory"))
    assert_one(write_lesson, text, line, "q-memory", "options", "at least one")


def test_ordering_with_both_answer_and_precedes(write_lesson, valid_text, line_of):
    text = edit(
        valid_text,
        "answer: [warmup, steady, cooldown]",
        "answer: [warmup, steady, cooldown]\n    precedes: [[warmup, steady]]",
    )
    line = line_of(text, "answer: [warmup")
    assert_one(write_lesson, text, line, "q-order-key", "answer", "not both")


def test_ordering_with_neither(write_lesson, valid_text, line_of):
    text = edit(valid_text, "    answer: [warmup, steady, cooldown]\n", "")
    line = line_of(text, "type: ordering", start=line_of(text, "Order the phases") - 2)
    assert_one(write_lesson, text, line, "q-order-key", "answer", "not neither")


def test_ordering_answer_not_a_permutation(write_lesson, valid_text, line_of):
    text = edit(
        valid_text, "answer: [warmup, steady, cooldown]", "answer: [warmup, stedy, cooldown]"
    )
    _, problems = problems_of(write_lesson, text)
    line = line_of(text, "stedy")
    assert [(p.line, p.question, p.field) for p in problems] == [
        (line, "q-order-key", "answer.1"),
        (line, "q-order-key", "answer"),
    ]
    assert "unknown item 'stedy'" in problems[0].message
    assert "leaves out items ['steady']" in problems[1].message


def test_precedes_names_unknown_item(write_lesson, valid_text, line_of):
    text = edit(valid_text, "[[f0, f1], [f1, b0], [f1, b1]]", "[[f0, f1], [f1, b0], [f1, b2]]")
    line = line_of(text, "precedes:")
    assert_one(write_lesson, text, line, "q-order", "precedes.2.1", "unknown item 'b2'")


def test_precedes_with_a_cycle(write_lesson, valid_text, line_of):
    text = edit(valid_text, "[[f0, f1], [f1, b0], [f1, b1]]", "[[f0, f1], [f1, b0], [b0, f0]]")
    line = line_of(text, "precedes:")
    assert_one(write_lesson, text, line, "q-order", "precedes", "f0 → f1 → b0 → f0")


def test_precedence_scoring_needs_a_graph(write_lesson, valid_text, line_of):
    text = edit(valid_text, "penalty: 0.25", "penalty: 0.25\n    scoring: precedence")
    line = line_of(text, "scoring: precedence")
    assert_one(write_lesson, text, line, "q-order-key", "scoring", "needs a `precedes` graph")


def test_order_scoring_with_a_graph(write_lesson, valid_text, line_of):
    text = edit(valid_text, "lab: gpipe-run", "lab: gpipe-run\n    scoring: distance")
    line = line_of(text, "scoring: distance")
    assert_one(write_lesson, text, line, "q-order", "scoring", "needs one `answer` order")


def test_matching_pair_with_unknown_ids(write_lesson, valid_text, line_of):
    text = edit(
        valid_text,
        "pairs: {dp: batch, tp: matrices}",
        "pairs:\n      dp: batches\n      tp: matrices",
    )
    assert_one(
        write_lesson,
        text,
        line_of(text, "dp: batches"),
        "q-match",
        "pairs.dp",
        "unknown right item 'batches'",
    )


def test_matching_pairs_must_cover_every_left_item(write_lesson, valid_text, line_of):
    text = edit(valid_text, "pairs: {dp: batch, tp: matrices}", "pairs: {dp: batch, pp: matrices}")
    _, problems = problems_of(write_lesson, text)
    line = line_of(text, "pairs:")
    assert [(p.line, p.question, p.field) for p in problems] == [
        (line, "q-match", "pairs.pp"),
        (line, "q-match", "pairs"),
    ]
    assert "unknown left item 'pp'" in problems[0].message
    assert "no pair for left items ['tp']" in problems[1].message


def test_lab_reference_must_name_a_lab_block(write_lesson, valid_text, line_of):
    text = edit(valid_text, "lab: gpipe-run", "lab: gpipe")
    assert_one(write_lesson, text, line_of(text, "lab: gpipe"), "q-order", "lab", "no lab block")


def test_numeric_limits(write_lesson, valid_text, line_of):
    text = edit(valid_text, "tolerance: 1", "tolerance: -1\n    points: 0")
    text = edit(text, "penalty: 0.25", "penalty: 1.5\n    max_tries: 0")
    _, problems = problems_of(write_lesson, text)
    got = [(p.line, p.question, p.field) for p in problems]
    assert got == [
        (line_of(text, "penalty: 1.5"), "q-order-key", "penalty"),
        (line_of(text, "max_tries: 0"), "q-order-key", "max_tries"),
        (line_of(text, "tolerance: -1"), "q-num", "tolerance"),
        (line_of(text, "points: 0"), "q-num", "points"),
    ]


def test_unknown_block_type(write_lesson, valid_text, line_of):
    text = edit(valid_text, "type: numeric", "type: numerical")
    line = line_of(text, "type: numerical")
    assert_one(write_lesson, text, line, "q-num", "type", "unknown block type 'numerical'")


def test_all_problems_of_a_file_at_once(write_lesson, valid_text, line_of):
    text = edit(valid_text, "explanation: Stage 3", "explaination: Stage 3")
    text = edit(text, "id: q-tf", "id: q-memory")
    text = edit(text, "lab: gpipe-run", "lab: nope")
    _, problems = problems_of(write_lesson, text)
    lines = [p.line for p in problems]
    assert lines == sorted(lines)
    assert {(p.question, p.field) for p in problems} == {
        ("q-memory", "explanation"),  # missing, because of the typo
        ("q-memory", "explaination"),
        ("q-memory", "id"),  # the second q-memory
        ("q-order", "lab"),
    }


def test_catalog_keeps_good_lessons_beside_broken_ones(tmp_path, valid_text):
    (tmp_path / "b.yaml").write_text(valid_text)
    other = edit(edit(valid_text, "id: pipeline-basics", "id: intro"), "order: 10", "order: 1")
    (tmp_path / "a.yml").write_text(other)
    (tmp_path / "broken.yaml").write_text("id: [\n")
    (tmp_path / "same-id.yaml").write_text(valid_text)
    (tmp_path / "notes.txt").write_text("not a lesson")
    catalog = load_catalog(tmp_path)
    assert [lesson.id for lesson in catalog.lessons] == ["intro", "pipeline-basics"]
    assert sorted(Path(f).name for f in catalog.broken) == ["broken.yaml", "same-id.yaml"]
    (dup,) = catalog.broken[str(tmp_path / "same-id.yaml")]
    assert (dup.line, dup.field) == (1, "id")
    assert "duplicate lesson id" in dup.message
