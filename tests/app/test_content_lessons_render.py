"""Every lesson of the course renders on the lesson page without an exception, with all
its questions (essays included) and its lab blocks."""

from __future__ import annotations

import pytest

from lessons.loader import load_catalog
from tests.app.conftest import ROOT, answer, page, write_essay

COURSE = load_catalog(ROOT / "content" / "lessons")


def test_the_course_loads_cleanly():
    assert not COURSE.broken and len(COURSE.lessons) >= 17


@pytest.mark.parametrize("lesson", COURSE.lessons, ids=lambda lesson: lesson.id)
def test_lesson_renders(lesson, learner):
    at = page("lesson", lesson=lesson.id, learner=learner.token, section="all").run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value == lesson.title


def test_the_other_bubble_convention_gets_its_feedback_in_lesson_1(learner):
    lesson, qid = "pipeline-parallelism", "predict-gpipe-m8-bubble"
    at = page("lesson", lesson=lesson, learner=learner.token, q=qid).run()
    answer(at, f"q-{lesson}-{qid}", 0.125)
    at.button(key=f"q-{lesson}-{qid}-submit").click().run()
    assert not at.exception
    assert any("Not right yet" in e.value for e in at.error)
    assert any("Megatron's convention" in c.value for c in at.caption)
    answer(at, f"q-{lesson}-{qid}", 0.111)
    at.button(key=f"q-{lesson}-{qid}-submit").click().run()
    assert not any("Megatron's convention" in c.value for c in at.caption)


def test_a_case_study_essay_shows_its_model_answer_after_submitting(learner, store):
    lesson, qid = "case-studies-diagnosis", "c7-response"
    at = page("lesson", lesson=lesson, learner=learner.token, q=qid).run()
    text = " ".join(["node 5 has a degraded port; restart without it from a checkpoint"] * 6)
    write_essay(at, f"q-{lesson}-{qid}", text)
    at.button(key=f"q-{lesson}-{qid}-submit").click().run()
    assert not at.exception
    assert store.essay(learner.id, lesson, qid).text == text
    assert any("renegotiated down" in i.value for i in at.info)  # the model answer
