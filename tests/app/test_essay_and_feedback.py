"""Lesson page with every question type: the essay flow (write, model answer, self-assessment,
instructor's grade) and targeted feedback for numeric wrong answers and wrong pairs."""

from __future__ import annotations

import shutil

import pytest

from tests.app.conftest import ROOT, page

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


def test_essay_write_then_model_answer_then_self_assessment(learner, store):
    at = page("lesson", learner=learner.token, lesson=LESSON).run()
    assert not at.exception
    at.text_area(key=k("q-essay", "essay")).set_value("too short")
    at.button(key=k("q-essay", "submit")).click().run()
    assert any("at least 3 words" in w.value for w in at.warning)
    assert store.essay(learner.id, LESSON, "q-essay") is None
    answer = "At a fixed global batch m per pipeline shrinks"
    at.text_area(key=k("q-essay", "essay")).set_value(answer)
    at.button(key=k("q-essay", "submit")).click().run()
    assert not at.exception
    assert store.essay(learner.id, LESSON, "q-essay").text == answer
    assert at.text_area(key=k("q-essay", "essay")).disabled
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
    at.number_input(key=k("q-num", "num")).set_value(0.125)
    at.button(key=k("q-num", "submit")).click().run()
    assert not at.exception
    assert any("Not right yet" in e.value for e in at.error)
    assert any("Megatron's convention" in c.value for c in at.caption)


def test_matching_feedback_names_the_wrong_pair(learner):
    at = page("lesson", learner=learner.token, lesson=LESSON).run()
    for left, right in {"tp": "batch", "pp": "stack", "dp": "inside"}.items():
        at.selectbox(key=k("q-match", f"m-{left}")).set_value(right)
    at.button(key=k("q-match", "submit")).click().run()
    assert not at.exception
    captions = [c.value for c in at.caption]
    assert "Not right: **Tensor** ↔ *the batch*" in captions
    assert not any("**Pipeline**" in c for c in captions)
