"""Lesson page: each question type answered through its widgets, graded and stored."""

from __future__ import annotations

import pytest

from lessons.grading import grade
from tests.app.conftest import page


def question(lesson, qtype):
    return next(q for q in lesson.questions() if q.type == qtype)


def key(lesson, q, suffix):
    return f"q-{lesson.id}-{q.id}-{suffix}"


def test_lesson_renders_every_block(learner, lesson):
    at = page("lesson", learner=learner.token, lesson=lesson.id, section="all").run()
    assert not at.exception
    assert at.title[0].value == lesson.title
    for q in lesson.questions():
        submit = at.button(key=key(lesson, q, "submit"))  # KeyError if it is missing
        assert submit.label == "Submit" and not submit.disabled


def test_single_choice_right_answer_is_stored_and_shown(learner, store, lesson):
    q = question(lesson, "single_choice")
    right = next(o.id for o in q.options if o.correct)
    at = page("lesson", learner=learner.token, lesson=lesson.id, q=q.id).run()
    at.radio(key=key(lesson, q, "radio")).set_value(right)
    at.button(key=key(lesson, q, "submit")).click().run()
    assert not at.exception
    assert any("Correct" in s.value for s in at.success)
    state = store.question_state(learner.id, lesson.id)[q.id]
    assert state.solved and state.tries == 1 and state.best_score == 1.0


def test_numeric_wrong_then_right_applies_the_penalty(learner, store, lesson):
    q = question(lesson, "numeric")
    at = page("lesson", learner=learner.token, lesson=lesson.id, q=q.id).run()
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


def test_ordering_takes_the_order_the_cards_send(learner, store, lesson):
    """The card list (a v2 component; the browser test drags and presses its buttons) sends
    its whole order as the `order` state; Submit grades that order."""
    q = question(lesson, "ordering")
    at = page("lesson", learner=learner.token, lesson=lesson.id, q=q.id).run()
    cards = key(lesson, q, "cards")
    start = at.session_state[cards]["order"]
    assert sorted(start) == sorted(i.id for i in q.items) and not grade(q, start).correct
    at.session_state[cards] = {"order": q.correct_order()}
    at.run()
    at.button(key=key(lesson, q, "submit")).click().run()
    assert not at.exception
    state = store.question_state(learner.id, lesson.id)[q.id]
    assert state.solved and state.last_answer == q.correct_order()


@pytest.mark.parametrize("sent", [["nope"], "d1f1", None, {"a": 1}, [1, 2, 3], "dup"], ids=repr)
def test_an_order_the_page_did_not_make_is_ignored(learner, store, lesson, sent):
    """Hostile or stale states (unknown ids, a repeated card, not a list) leave the start."""
    q = question(lesson, "ordering")
    at = page("lesson", learner=learner.token, lesson=lesson.id, q=q.id).run()
    cards = key(lesson, q, "cards")
    start = at.session_state[cards]["order"]
    if sent == "dup":
        sent = [start[0]] * len(start)
    at.session_state[cards] = {"order": sent}
    at.run()
    at.button(key=key(lesson, q, "submit")).click().run()
    assert not at.exception
    assert store.question_state(learner.id, lesson.id)[q.id].last_answer == start


def test_matching_partial_credit(learner, store, lesson):
    q = question(lesson, "matching")
    at = page("lesson", learner=learner.token, lesson=lesson.id, q=q.id).run()
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
    at = page("lesson", learner=learner.token, lesson=lesson.id, q=q.id).run()
    at.button(key=key(lesson, q, "submit")).click().run()
    assert any("Answer the question first" in w.value for w in at.warning)
    assert q.id not in store.question_state(learner.id, lesson.id)


def test_answers_survive_a_new_session(learner, store, lesson):
    q = question(lesson, "single_choice")
    right = next(o.id for o in q.options if o.correct)
    store.record_attempt(learner.id, lesson.id, q.id, right, 1.0, 1.0, True)
    at = page("lesson", learner=learner.token, lesson=lesson.id, q=q.id).run()  # a fresh session
    assert any("Correct" in s.value for s in at.success)
    assert at.radio(key=key(lesson, q, "radio")).value == right
    assert at.radio(key=key(lesson, q, "radio")).disabled


def test_a_predict_then_run_answer_points_to_the_lab_and_its_measurement(learner, lesson):
    q = next(q for q in lesson.questions() if q.lab and q.type == "numeric")
    at = page("lesson", learner=learner.token, lesson=lesson.id, q=q.id).run()
    at.number_input(key=key(lesson, q, "num")).set_value(q.answer)
    at.button(key=key(lesson, q, "submit")).click().run()
    assert not at.exception
    note = next(i.value for i in at.info if "Now compare with the lab" in i.value)
    assert "Measured on 2× NVIDIA H200" in note  # the committed recording of that preset
