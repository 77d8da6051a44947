"""Lesson page: each question type answered through its widgets, graded and stored."""

from __future__ import annotations

import pytest

from lessons.grading import grade
from lessons.loader import load_lesson
from tests.app.conftest import ROOT, page

LESSON = ROOT / "content" / "lessons" / "01-pipeline-parallelism.yaml"


@pytest.fixture(scope="module")
def lesson():
    found, problems = load_lesson(LESSON)
    assert not problems, problems
    return found


def question(lesson, qtype):
    return next(q for q in lesson.questions() if q.type == qtype)


def key(lesson, q, suffix):
    return f"q-{lesson.id}-{q.id}-{suffix}"


def test_lesson_renders_every_block(learner, lesson):
    at = page("lesson", learner=learner.token, lesson=lesson.id).run()
    assert not at.exception
    assert at.title[0].value == lesson.title
    for q in lesson.questions():
        submit = at.button(key=key(lesson, q, "submit"))  # KeyError if it is missing
        assert submit.label == "Submit" and not submit.disabled


def test_single_choice_right_answer_is_stored_and_shown(learner, store, lesson):
    q = question(lesson, "single_choice")
    right = next(o.id for o in q.options if o.correct)
    at = page("lesson", learner=learner.token, lesson=lesson.id).run()
    at.radio(key=key(lesson, q, "radio")).set_value(right)
    at.button(key=key(lesson, q, "submit")).click().run()
    assert not at.exception
    assert any("Correct" in s.value for s in at.success)
    state = store.question_state(learner.id, lesson.id)[q.id]
    assert state.solved and state.tries == 1 and state.best_score == 1.0


def test_numeric_wrong_then_right_applies_the_penalty(learner, store, lesson):
    q = question(lesson, "numeric")
    at = page("lesson", learner=learner.token, lesson=lesson.id).run()
    at.number_input(key=key(lesson, q, "num")).set_value(q.answer + 10 * (q.tolerance + 1))
    at.button(key=key(lesson, q, "submit")).click().run()
    assert any("Not right yet" in e.value for e in at.error)
    assert not any(q.explanation.strip()[:40] in i.value for i in at.info)
    at.number_input(key=key(lesson, q, "num")).set_value(q.answer)
    at.button(key=key(lesson, q, "submit")).click().run()
    assert not at.exception
    state = store.question_state(learner.id, lesson.id)[q.id]
    assert state.tries == 2 and state.solved
    assert state.best_score == pytest.approx(max(0.0, 1.0 - q.penalty))
    assert any(q.explanation.strip()[:40] in i.value for i in at.info)


def test_ordering_by_keyboard_buttons_reaches_a_right_order(learner, store, lesson):
    q = question(lesson, "ordering")
    at = page("lesson", learner=learner.token, lesson=lesson.id).run()
    target = q.correct_order()
    # Bubble each target item into place with "Move up", as a keyboard user would.
    for pos, item in enumerate(target):
        version = at.session_state[key(lesson, q, "version")]
        at.selectbox(key=key(lesson, q, f"pick-{version}")).set_value(item).run()
        order = at.session_state[key(lesson, q, "order")]
        for _ in range(order.index(item) - pos):
            at.button(key=key(lesson, q, "up")).click().run()
    assert at.session_state[key(lesson, q, "order")] == target
    at.button(key=key(lesson, q, "submit")).click().run()
    assert not at.exception
    assert grade(q, target).correct
    assert store.question_state(learner.id, lesson.id)[q.id].solved


def test_matching_partial_credit(learner, store, lesson):
    q = question(lesson, "matching")
    at = page("lesson", learner=learner.token, lesson=lesson.id).run()
    wrong_left = q.left[0].id
    wrong_right = next(r.id for r in q.right if r.id != q.pairs[wrong_left])
    for left in q.left:
        choice = wrong_right if left.id == wrong_left else q.pairs[left.id]
        at.selectbox(key=key(lesson, q, f"m-{left.id}")).set_value(choice)
    at.button(key=key(lesson, q, "submit")).click().run()
    assert not at.exception
    state = store.question_state(learner.id, lesson.id)[q.id]
    assert not state.solved
    assert state.last_score == pytest.approx((len(q.left) - 1) / len(q.left))
    assert any("Partly right" in w.value for w in at.warning)


def test_submitting_nothing_is_refused_without_storing(learner, store, lesson):
    q = question(lesson, "single_choice")
    at = page("lesson", learner=learner.token, lesson=lesson.id).run()
    at.button(key=key(lesson, q, "submit")).click().run()
    assert any("Answer the question first" in w.value for w in at.warning)
    assert q.id not in store.question_state(learner.id, lesson.id)


def test_answers_survive_a_new_session(learner, store, lesson):
    q = question(lesson, "single_choice")
    right = next(o.id for o in q.options if o.correct)
    store.record_attempt(learner.id, lesson.id, q.id, right, 1.0, 1.0, True)
    at = page("lesson", learner=learner.token, lesson=lesson.id).run()  # a fresh session
    assert any("Correct" in s.value for s in at.success)
    assert at.radio(key=key(lesson, q, "radio")).value == right
    assert at.radio(key=key(lesson, q, "radio")).disabled


def test_a_predict_then_run_answer_points_to_the_lab_and_its_measurement(learner, lesson):
    q = next(q for q in lesson.questions() if q.lab and q.type == "numeric")
    at = page("lesson", learner=learner.token, lesson=lesson.id).run()
    at.number_input(key=key(lesson, q, "num")).set_value(q.answer)
    at.button(key=key(lesson, q, "submit")).click().run()
    assert not at.exception
    note = next(i.value for i in at.info if "Now compare with the lab" in i.value)
    assert "Measured on 2× NVIDIA H200" in note  # the committed recording of that preset
