"""Tests for classroom.sessions: codes, joins, pacing, late answers, reveals, restarts, races.

$ pytest tests/unit/test_classroom_sessions.py -q
"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from classroom.sessions import CODE_ALPHABET, CODE_LENGTH, AnswerRefused, SessionStore
from classroom.store import Store

LESSON = "pipeline-basics"


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(tmp_path / "paralab.db")


@pytest.fixture
def sessions(store: Store, clock: Clock) -> SessionStore:
    return SessionStore(store, clock=clock)


def test_a_session_gets_a_short_unambiguous_code_found_again_ignoring_case(sessions) -> None:
    live = sessions.create(LESSON, mode="paced")
    assert len(live.code) == CODE_LENGTH and set(live.code) <= set(CODE_ALPHABET)
    assert sessions.by_code(f"  {live.code.lower()} ").id == live.id
    assert sessions.by_code("NOSUCH") is None
    codes = {sessions.create(LESSON).code for _ in range(50)}
    assert len(codes) == 50


def test_unknown_mode_is_refused(sessions) -> None:
    with pytest.raises(ValueError, match="mode must be one of"):
        sessions.create(LESSON, mode="chaos")


def test_joining_twice_keeps_one_membership_and_the_answers(sessions, store) -> None:
    ada = store.create_learner("Ada")
    live = sessions.create(LESSON)
    sessions.join(live.id, ada.id)
    sessions.open_question(live.id, "q-tf")
    sessions.submit(live.id, ada.id, "q-tf", True, score=1.0, correct=True)
    sessions.join(live.id, ada.id)
    assert sessions.members(live.id) == [(ada.id, "Ada")]
    assert [a.answer_json for a in sessions.answers(live.id)] == ["true"]


def test_paced_answers_only_to_the_open_question_and_only_until_it_closes(
    sessions, store, clock
) -> None:
    ada = store.create_learner("Ada")
    live = sessions.create(LESSON, mode="paced")
    sessions.join(live.id, ada.id)
    with pytest.raises(AnswerRefused, match="not open"):
        sessions.submit(live.id, ada.id, "q-tf", True, score=1.0, correct=True)
    sessions.open_question(live.id, "q-tf")
    sessions.submit(live.id, ada.id, "q-tf", False, score=0.0, correct=False)
    sessions.submit(live.id, ada.id, "q-tf", True, score=1.0, correct=True)  # changed mind
    sessions.close_question(live.id, after_s=10)
    clock.now += 9.5
    assert sessions.get(live.id).seconds_left(clock.now) == pytest.approx(0.5)
    sessions.submit(live.id, ada.id, "q-tf", False, score=0.0, correct=False)
    clock.now += 1
    with pytest.raises(AnswerRefused, match="Too late"):
        sessions.submit(live.id, ada.id, "q-tf", True, score=1.0, correct=True)
    (answer,) = sessions.answers(live.id, "q-tf")
    assert answer.answer_json == "false" and not answer.correct
    # Every accepted answer is an attempt too (progress and score exports see it); refused ones not.
    assert [a.try_no for a in store.attempts(ada.id, LESSON)] == [1, 2, 3]


def test_a_countdown_set_when_opening_closes_by_itself(sessions, store, clock) -> None:
    ada = store.create_learner("Ada")
    live = sessions.create(LESSON)
    sessions.join(live.id, ada.id)
    sessions.open_question(live.id, "q-num", seconds=30)
    assert sessions.get(live.id).is_open(clock.now)
    clock.now += 30
    assert not sessions.get(live.id).is_open(clock.now)
    with pytest.raises(AnswerRefused, match="closed"):
        sessions.submit(live.id, ada.id, "q-num", 400, score=1.0, correct=True)


def test_self_paced_takes_any_question_until_revealed_or_ended(sessions, store) -> None:
    ada = store.create_learner("Ada")
    live = sessions.create(LESSON, mode="self")
    sessions.join(live.id, ada.id)
    sessions.submit(live.id, ada.id, "q-num", 400, score=1.0, correct=True)
    sessions.submit(live.id, ada.id, "q-tf", True, score=1.0, correct=True)
    sessions.reveal(live.id, "q-tf")
    assert sessions.get(live.id).revealed == ("q-tf",)
    with pytest.raises(AnswerRefused, match="revealed"):
        sessions.submit(live.id, ada.id, "q-tf", False, score=0.0, correct=False)
    sessions.end(live.id)
    with pytest.raises(AnswerRefused, match="ended"):
        sessions.submit(live.id, ada.id, "q-num", 1, score=0.0, correct=False)
    with pytest.raises(LookupError, match="ended"):
        sessions.join(live.id, store.create_learner("Bo").id)
    assert sessions.list(active=True) == [] and len(sessions.list(active=False)) == 1


def test_strangers_and_bad_answers_are_refused_and_nothing_is_stored(sessions, store) -> None:
    ada = store.create_learner("Ada")
    live = sessions.create(LESSON, mode="self")
    with pytest.raises(AnswerRefused, match="Join"):
        sessions.submit(live.id, ada.id, "q-tf", True, score=1.0, correct=True)
    sessions.join(live.id, ada.id)
    with pytest.raises(ValueError, match="finite"):
        sessions.submit(live.id, ada.id, "q-tf", True, score=float("nan"), correct=True)
    with pytest.raises(ValueError, match="JSON"):
        sessions.submit(live.id, ada.id, "q-tf", {1, 2}, score=1.0, correct=True)
    assert sessions.answers(live.id) == [] and store.attempts() == []


def test_every_change_bumps_the_version_the_learners_poll(sessions) -> None:
    live = sessions.create(LESSON)
    seen = [sessions.version(live.id)]
    for change in (
        lambda: sessions.open_question(live.id, "q-tf"),
        lambda: sessions.close_question(live.id),
        lambda: sessions.reveal(live.id, "q-tf"),
        lambda: sessions.set_options(live.id, leaderboard=True),
        lambda: sessions.set_run(live.id, "gpipe-run", 7),
        lambda: sessions.end(live.id),
    ):
        change()
        seen.append(sessions.version(live.id))
    assert seen == sorted(set(seen)), seen
    final = sessions.get(live.id)
    assert final.leaderboard and not final.hide_names
    assert (final.run_lab, final.run_job_id) == ("gpipe-run", 7)


def test_a_session_survives_a_restart(tmp_path, clock) -> None:
    first = Store(tmp_path / "paralab.db")
    ada = first.create_learner("Ada")
    live = SessionStore(first, clock=clock).create(LESSON)
    SessionStore(first, clock=clock).join(live.id, ada.id)
    SessionStore(first, clock=clock).open_question(live.id, "q-tf")
    again = SessionStore(Store(tmp_path / "paralab.db"), clock=clock)
    assert again.get(live.id).open_question == "q-tf"
    again.submit(live.id, ada.id, "q-tf", True, score=1.0, correct=True)
    assert again.members(live.id) == [(ada.id, "Ada")]


def test_answers_racing_a_close_are_either_stored_or_refused(sessions, store, clock) -> None:
    """Threads answer while the question closes: every acknowledged answer is stored."""
    live = sessions.create(LESSON)
    learners = [store.create_learner(f"L{i}") for i in range(12)]
    for learner in learners:
        sessions.join(live.id, learner.id)
    sessions.open_question(live.id, "q-num")
    acked, refused = [], []

    def answer(learner) -> None:
        try:
            acked.append(sessions.submit(live.id, learner.id, "q-num", 3, score=0, correct=False))
        except AnswerRefused:
            refused.append(learner.id)

    threads = [threading.Thread(target=answer, args=(lr,)) for lr in learners]
    for thread in threads[:6]:
        thread.start()
    sessions.close_question(live.id)
    for thread in threads[6:]:
        thread.start()
    for thread in threads:
        thread.join()
    stored = sessions.answers(live.id, "q-num")
    assert len(acked) + len(refused) == 12 and len(refused) >= 6
    assert sorted(a.learner_id for a in acked) == sorted(a.learner_id for a in stored)
