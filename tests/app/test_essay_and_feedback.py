"""Lesson page with every question type: the essay flow (write, model answer, self-assessment,
instructor's grade) and targeted feedback for numeric wrong answers and wrong pairs."""

from __future__ import annotations

import shutil

import pytest

from tests.app.conftest import ROOT, answer, answer_control, page, write_essay

SAMPLE = ROOT / "tests" / "samples" / "every-type.yaml"
LESSON = "every-type"


@pytest.fixture(autouse=True)
def sample_lessons(tmp_path, monkeypatch):
    folder = tmp_path / "lessons"
    folder.mkdir()
    shutil.copy(SAMPLE, folder / SAMPLE.name)
    monkeypatch.setenv("PARALAB_LESSONS", str(folder))


def k(qid: str, suffix: str) -> str:
    return f"q-{LESSON}-{qid}-{suffix}"


ESSAY = f"q-{LESSON}-q-essay"  # the essay question's widget key


def test_essay_write_then_model_answer_then_self_assessment(learner, store):
    at = page("lesson", learner=learner.token, lesson=LESSON).run()
    assert not at.exception
    assert answer_control(at, ESSAY, "essay")["value"] == ""
    write_essay(at, ESSAY, "too short")
    at.button(key=k("q-essay", "submit")).click().run()
    assert any("at least 3 words" in w.value for w in at.warning)
    assert store.essay(learner.id, LESSON, "q-essay") is None
    answer = "At a fixed global batch m per pipeline shrinks"
    write_essay(at, ESSAY, answer)
    at.button(key=k("q-essay", "submit")).click().run()
    assert not at.exception
    assert store.essay(learner.id, LESSON, "q-essay").text == answer
    shown = answer_control(at, ESSAY, "essay")
    assert shown["disabled"] and shown["value"] == answer  # final: read only
    assert any("doubling DP halves m" in i.value for i in at.info)  # the model answer
    at.checkbox(key=k("q-essay", "rubric-0")).check()
    at.checkbox(key=k("q-essay", "rubric-2")).check()
    at.button(key=k("q-essay", "self")).click().run()
    essay = store.essay(learner.id, LESSON, "q-essay")
    assert essay.self_lines == (0, 2) and essay.self_score == pytest.approx(0.75)
    assert any("Your self-assessment: 75%" in c.value for c in at.caption)


def test_a_graded_essay_shows_the_grade_in_a_new_session(learner, store):
    store.submit_essay(learner.id, LESSON, "q-essay", "m shrinks as DP grows")
    store.grade_essay(learner.id, LESSON, "q-essay", [0, 1], 0.75, "Name a fix too.")
    at = page("lesson", learner=learner.token, lesson=LESSON).run()
    assert not at.exception
    assert any("Instructor's grade: 75% — Name a fix too." in s.value for s in at.success)
    assert at.checkbox(key=k("q-essay", "rubric-0")).value is False  # not self-assessed yet


def test_numeric_known_wrong_answer_shows_its_feedback(learner):
    at = page("lesson", learner=learner.token, lesson=LESSON).run()
    answer(at, f"q-{LESSON}-q-num", 0.125)
    at.button(key=k("q-num", "submit")).click().run()
    assert not at.exception
    assert any("Not right yet" in e.value for e in at.error)
    assert any("Megatron's convention" in c.value for c in at.caption)


def test_matching_feedback_names_the_wrong_pair(learner):
    at = page("lesson", learner=learner.token, lesson=LESSON).run()
    answer(at, f"q-{LESSON}-q-match", {"tp": "batch", "pp": "stack", "dp": "inside"})
    at.button(key=k("q-match", "submit")).click().run()
    assert not at.exception
    captions = [c.value for c in at.caption]
    assert "Not right: **Tensor** ↔ *the batch*" in captions
    assert not any("**Pipeline**" in c for c in captions)


def unlocked_instructor(monkeypatch):
    monkeypatch.setenv("PARALAB_INSTRUCTOR_PASSCODE", "s3cret-passcode")
    at = page("instructor").run()
    at.text_input(key="instructor_code").input("s3cret-passcode")
    at.button(key="instructor_unlock").click().run()
    assert not at.exception
    return at


def test_instructor_grades_an_essay_by_rubric_and_exports_it(monkeypatch, learner, store):
    store.submit_essay(learner.id, LESSON, "q-essay", "m per pipeline shrinks as DP grows")
    store.self_assess_essay(learner.id, LESSON, "q-essay", [0, 1], 0.75)
    at = unlocked_instructor(monkeypatch)
    g = f"eg-{learner.id}-{LESSON}-q-essay"
    assert any("1 of 1 open answers wait for a grade" in c.value for c in at.caption)
    assert at.checkbox(key=f"{g}-0").value and at.checkbox(key=f"{g}-1").value  # learner's ticks
    at.checkbox(key=f"{g}-1").uncheck()
    at.text_input(key=f"{g}-comment").input("Give the formula.")
    at.button(key=f"{g}-save").click().run()
    assert not at.exception
    essay = store.essay(learner.id, LESSON, "q-essay")
    assert essay.grade_lines == (0,) and essay.grade == pytest.approx(0.5)
    assert essay.comment == "Give the formula."
    keys = {b.key for b in at.get("download_button")}
    assert {"dl_essays_csv", "dl_essays_json", "dl_moodle_xml"} <= keys


def test_the_essay_export_carries_text_self_assessment_and_grade(learner, store):
    from classroom.export import ESSAY_COLUMNS, essay_rows, to_csv

    store.submit_essay(learner.id, LESSON, "q-essay", "=HYPERLINK(evil)")
    store.self_assess_essay(learner.id, LESSON, "q-essay", [0, 2], 0.75)
    store.grade_essay(learner.id, LESSON, "q-essay", [0], 0.5, "ok")
    (row,) = essay_rows(store, {LESSON: {"q-essay": 2.0}})
    assert (row["text"], row["self_lines"], row["self_score"]) == ("=HYPERLINK(evil)", "1 3", 0.75)
    assert (row["grade_lines"], row["grade"], row["points"], row["max_points"]) == (
        "1",
        0.5,
        1.0,
        2.0,
    )
    csv_text = to_csv([row], ESSAY_COLUMNS)
    assert csv_text.splitlines()[0] == ",".join(ESSAY_COLUMNS)
    assert "'=HYPERLINK(evil)" in csv_text  # neutralised for spreadsheets


def test_signed_out_learner_can_write_and_see_the_model_answer(store):
    at = page("lesson", lesson=LESSON).run()
    write_essay(at, ESSAY, "m shrinks per pipeline")
    at.button(key=k("q-essay", "submit")).click().run()
    assert not at.exception
    assert any("doubling DP halves m" in i.value for i in at.info)
    assert store.essays() == []


def _progress_tables(at):
    """The lesson's table of questions and its table of open answers (AppTest's dataframes
    carry no key: found by their columns)."""
    tables = [d.value for d in at.dataframe]
    solved = next(t for t in tables if "question" in t.columns)
    return solved, next(t for t in tables if "open answer" in t.columns)


def _summary(at):
    return next(d.value for d in at.dataframe if "essays_to_grade" in d.value.columns)


def test_my_progress_keeps_essays_apart_with_where_each_stands(learner, store):
    """The bar counts the questions that can be solved; an essay is listed apart, as not
    written, waiting for a grade, or graded (with the grade)."""
    store.record_attempt(learner.id, LESSON, "q-tf", "true", 1.0, 1.0, True)
    at = page("progress", learner=learner.token).run()
    assert not at.exception
    solved, essays = _progress_tables(at)
    assert "q-essay" not in set(solved["question"])
    assert at.get("progress")[0].proto.text == f"1/{len(solved)} solved"
    assert list(essays["status"]) == ["not written"]

    store.submit_essay(learner.id, LESSON, "q-essay", "m per pipeline shrinks as DP grows")
    store.self_assess_essay(learner.id, LESSON, "q-essay", [0], 0.5)
    _, essays = _progress_tables(page("progress", learner=learner.token).run())
    assert (essays["status"][0], essays["your self-assessment"][0]) == ("waiting for a grade", 0.5)

    store.grade_essay(learner.id, LESSON, "q-essay", [0, 1], 0.75)
    _, essays = _progress_tables(page("progress", learner=learner.token).run())
    assert (essays["status"][0], essays["grade"][0]) == ("graded", 0.75)


def test_the_instructor_summary_counts_a_graded_essay(monkeypatch, learner, store):
    """A learner who has only written an essay is in the summary, marked as waiting for a
    grade; once graded, the essay's points are in the lesson's total."""
    store.submit_essay(learner.id, LESSON, "q-essay", "m per pipeline shrinks as DP grows")
    at = unlocked_instructor(monkeypatch)
    summary = _summary(at)
    row = summary[summary["lesson"] == LESSON].iloc[0]
    assert (row["answered"], row["essays_to_grade"], row["total_points"]) == (1, 1, 0.0)
    assert any("essays_to_grade" in c.value for c in at.caption)

    store.grade_essay(learner.id, LESSON, "q-essay", [0, 1], 0.75)
    at = unlocked_instructor(monkeypatch)
    row = _summary(at).iloc[0]
    assert (row["essays_to_grade"], row["total_points"]) == (0, 1.5)  # 0.75 × 2 points
    assert not any("essays_to_grade" in c.value for c in at.caption)
