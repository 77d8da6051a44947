"""Honest scores on the lesson page: a revealed answer stays revealed across sessions."""

from __future__ import annotations

from lessons.grading import effective_penalty
from lessons.loader import load_lesson
from tests.app.conftest import ROOT, answer, answer_control, page

LESSON = ROOT / "content" / "lessons" / "01-pipeline-parallelism.yaml"


def test_show_answer_then_reload_keeps_the_question_closed(learner, store):
    lesson, _ = load_lesson(LESSON)
    q = next(q for q in lesson.questions() if q.type == "single_choice")
    key = f"q-{lesson.id}-{q.id}"
    wrong = next(o.id for o in q.options if not o.correct)
    at = page("lesson", learner=learner.token, lesson=lesson.id).run()
    told = f"each wrong try takes {effective_penalty(q):.0%} off"  # on the header, up front
    assert any(told in m.value for m in at.markdown)
    answer(at, key, wrong)
    at.button(key=f"{key}-submit").click().run()
    at.button(key=f"{key}-reveal").click().run()
    assert not at.exception

    again = page("lesson", learner=learner.token, lesson=lesson.id).run()  # reload
    assert not any(told in m.value for m in again.markdown if q.prompt[:30] in m.value)  # over
    assert answer_control(again, key)["disabled"]
    assert not [b for b in again.button if b.key == f"{key}-submit"]
    assert any("Answer shown" in i.value for i in again.info)
    assert store.question_state(learner.id, lesson.id)[q.id].revealed
    assert [a.correct for a in store.attempts(learner.id)] == [False]
