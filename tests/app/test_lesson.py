"""Lesson page: each question type answered through its widgets, graded and stored."""

from __future__ import annotations

import pytest

from lessons.grading import grade
from lessons.loader import load_lesson
from tests.app.conftest import ROOT, answer, answer_control, page


def question(lesson, qtype):
    return next(q for q in lesson.questions() if q.type == qtype)


def key(lesson, q, suffix=None):
    return f"q-{lesson.id}-{q.id}" + (f"-{suffix}" if suffix else "")


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
    answer(at, key(lesson, q), right)
    at.button(key=key(lesson, q, "submit")).click().run()
    assert not at.exception
    assert any("Correct" in s.value for s in at.success)
    state = store.question_state(learner.id, lesson.id)[q.id]
    assert state.solved and state.tries == 1 and state.best_score == 1.0


def test_numeric_wrong_then_right_applies_the_penalty(learner, store, lesson):
    q = question(lesson, "numeric")
    at = page("lesson", learner=learner.token, lesson=lesson.id, q=q.id).run()
    answer(at, key(lesson, q), q.answer + 10 * (q.tolerance + 1))
    at.button(key=key(lesson, q, "submit")).click().run()
    assert any("Not right yet" in e.value for e in at.error)
    assert not any(q.explanation.strip()[:40] in i.value for i in at.info)
    answer(at, key(lesson, q), q.answer)
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
    pairs = {left.id: q.pairs[left.id] for left in q.left} | {wrong_left: wrong_right}
    answer(at, key(lesson, q), pairs)
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
    control = answer_control(at, key(lesson, q))
    assert control["value"] == right and control["disabled"]


def test_a_predict_then_run_answer_points_to_the_lab_and_its_measurement(learner, lesson):
    q = next(q for q in lesson.questions() if q.lab and q.type == "numeric")
    at = page("lesson", learner=learner.token, lesson=lesson.id, q=q.id).run()
    answer(at, key(lesson, q), q.answer)
    at.button(key=key(lesson, q, "submit")).click().run()
    assert not at.exception
    note = next(i.value for i in at.info if "Now compare with the lab" in i.value)
    assert "Measured on 2× NVIDIA H200" in note  # the committed recording of that preset


@pytest.fixture(scope="module")
def zero():
    """Lesson 6 (data parallelism, ZeRO): choose one, true or false, match, choose all, numbers."""
    found, problems = load_lesson(ROOT / "content" / "lessons" / "06-data-parallel-zero.yaml")
    assert not problems, problems
    return found


def test_multiple_choice_and_true_false_take_what_their_controls_send(learner, store, zero):
    lesson = zero
    mc = question(lesson, "multiple_choice")
    tf = question(lesson, "true_false")
    at = page("lesson", learner=learner.token, lesson=lesson.id, section="all").run()
    right = [o.id for o in mc.options if o.correct]
    answer(at, key(lesson, mc), list(reversed(right)))  # the order ticked in does not matter
    at.button(key=key(lesson, mc, "submit")).click().run()
    answer(at, key(lesson, tf), "true" if tf.answer else "false")
    at.button(key=key(lesson, tf, "submit")).click().run()
    assert not at.exception
    states = store.question_state(learner.id, lesson.id)
    assert states[mc.id].solved and states[mc.id].last_answer == right  # in the options' order
    assert states[tf.id].solved and states[tf.id].last_answer is tf.answer
    control = answer_control(at, key(lesson, tf))
    assert control["kind"] == "tf" and control["disabled"]
    assert control["value"] == ("true" if tf.answer else "false")


HOSTILE = {
    "single_choice": ["zz", ["a"], 3, {"a": 1}, True],
    "true_false": ["yes", True, 1, ["true"]],
    "multiple_choice": ["a", ["a", "a"], ["zz"], [1], {"a": 1}],
    "matching": [["x"], {"zz": "y"}, "LEFT:zz", "LEFT:1", "a"],
    "numeric": ["12", float("nan"), float("inf"), True, [1], 10**400],
}


@pytest.mark.parametrize(
    ("qtype", "sent"), [(t, s) for t, sent in HOSTILE.items() for s in sent], ids=repr
)
def test_an_answer_the_controls_could_not_send_is_ignored(learner, store, zero, qtype, sent):
    """A hostile or stale state (unknown ids, a repeat, the wrong type, not finite) is not
    graded: the controls keep the last stored answer (here none, so Submit asks for one)."""
    lesson = zero
    q = question(lesson, qtype)
    if isinstance(sent, str) and sent.startswith("LEFT:"):
        sent = {q.left[0].id: sent[5:] if sent != "LEFT:1" else 1}
    at = page("lesson", learner=learner.token, lesson=lesson.id, q=q.id).run()
    answer(at, key(lesson, q), sent)
    at.button(key=key(lesson, q, "submit")).click().run()
    assert not at.exception
    assert any("Answer the question first" in w.value for w in at.warning)
    assert q.id not in store.question_state(learner.id, lesson.id)
    assert answer_control(at, key(lesson, q))["value"] is None


def test_a_stored_answer_the_question_no_longer_offers_is_not_resubmitted(learner, store, zero):
    """An option renamed after a learner's try: the card starts empty rather than sending
    the old id to the grader (which refuses it)."""
    q = question(zero, "single_choice")
    store.record_attempt(learner.id, zero.id, q.id, "renamed-id", 0.0, 0.0, False)
    at = page("lesson", learner=learner.token, lesson=zero.id, q=q.id).run()
    assert not at.exception and answer_control(at, key(zero, q))["value"] is None
    at.button(key=key(zero, q, "submit")).click().run()
    assert not at.exception
    assert any("Answer the question first" in w.value for w in at.warning)
    assert store.question_state(learner.id, zero.id)[q.id].tries == 1


def test_a_locked_card_shows_the_graded_answer_not_a_later_pick(learner, store, zero):
    """Answer wrong, pick another option, then Show answer: the locked card shows what
    was graded, beside its feedback."""
    q = question(zero, "single_choice")
    wrong, other = [o.id for o in q.options if not o.correct][:2]
    at = page("lesson", learner=learner.token, lesson=zero.id, q=q.id).run()
    answer(at, key(zero, q), wrong)
    at.button(key=key(zero, q, "submit")).click().run()
    answer(at, key(zero, q), other).run()
    at.button(key=key(zero, q, "reveal")).click().run()
    assert not at.exception
    control = answer_control(at, key(zero, q))
    assert control["disabled"] and control["value"] == wrong
