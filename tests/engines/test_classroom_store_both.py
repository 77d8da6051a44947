"""The classroom store's test suite, run on both engines: SQLite and a real PostgreSQL 15.

The tests are the unit suite's own (tests/unit/test_classroom_store.py, the thread
concurrency test, the reveal tests and the essay tests), collected here again with a
`store` fixture that is parametrized over the two backends. Below them, what only a server
shows: migrations that apply once when replicas start together, try numbers from concurrent
processes, and an answer written through one app replica read through another.
"""

from __future__ import annotations

import multiprocessing
from pathlib import Path

import pytest

from classroom.store import MIGRATIONS, QuestionLocked, Store
from tests.unit.test_classroom_concurrency import (  # noqa: F401  (collected here again)
    test_concurrent_threads_never_lose_or_duplicate_a_try,
)
from tests.unit.test_classroom_essays import (  # noqa: F401
    test_an_essay_is_submitted_once,
    test_bad_assessments_are_refused_and_change_nothing,
    test_bad_text_is_refused_and_nothing_stored,
    test_essays_by_lesson_oldest_first_ties_by_learner,
    test_unknown_learner_or_essay_is_a_lookup_error,
)
from tests.unit.test_classroom_store import (  # noqa: F401
    test_answers_of_every_question_type_round_trip,
    test_attempt_for_unknown_learner_is_refused,
    test_attempts_filter_by_learner_and_lesson,
    test_bad_attempts_are_refused_and_nothing_is_stored,
    test_created_at_is_utc_iso8601,
    test_list_learners_oldest_first,
    test_name_is_stripped_and_need_not_be_unique,
    test_question_state_tracks_tries_best_last_and_solved,
    test_rename_learner,
    test_token_finds_the_learner_and_only_that_one,
    test_try_numbers_count_per_learner_lesson_and_question,
)
from tests.unit.test_honest_scores import (  # noqa: F401
    test_exports_carry_tries_points_and_reveals,
    test_reveal_before_any_try_is_a_state_with_no_tries,
)

LESSON = "pipeline-basics"


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request, tmp_path: Path):
    """A fresh store on each engine (PostgreSQL: a new database on the session's server)."""
    if request.param == "sqlite":
        yield Store(tmp_path / "paralab.db")
        return
    opened = Store(request.getfixturevalue("pg_url"))
    yield opened
    opened.db.close()


def test_postgres_schema_is_versioned_and_replicas_migrate_once(pg_url):
    first, second = Store(pg_url), Store(pg_url)  # two replicas starting on one database
    try:
        assert first.schema_version() == second.schema_version() == len(MIGRATIONS)
        ada = first.create_learner("Ada")
        upgraded = Store(pg_url, migrations=(*MIGRATIONS, ("ALTER TABLE learners ADD note TEXT",)))
        assert upgraded.schema_version() == len(MIGRATIONS) + 1
        assert upgraded.learner(ada.id) == ada
        with pytest.raises(RuntimeError, match="newer than this code"):
            Store(pg_url)
        upgraded.db.close()
    finally:
        first.db.close()
        second.db.close()


def test_try_numbers_stay_unique_in_the_postgres_schema(pg_url):
    import psycopg

    store = Store(pg_url)
    ada = store.create_learner("Ada")
    store.record_attempt(ada.id, LESSON, "q", "a", 0, 0, False)
    with psycopg.connect(pg_url) as raw, pytest.raises(psycopg.errors.UniqueViolation):
        raw.execute(
            "INSERT INTO attempts (learner_id, lesson_id, question_id, try_no, answer_json,"
            " raw_score, score, correct, created_at) VALUES (%s, %s, 'q', 1, '0', 0, 0, 0, '')",
            (ada.id, LESSON),
        )
    store.db.close()


PROCESSES, PER_PROCESS = 4, 20


def _replica(url: str, learner_id: int, start) -> None:
    """One 'app replica' in its own process: its own pool, answering the same question."""
    replica = Store(url)
    start.wait()
    for i in range(PER_PROCESS):
        replica.record_attempt(learner_id, LESSON, "q-shared", {"i": i}, 0.5, 0.5, False)
    replica.db.close()


def test_concurrent_replicas_get_gapless_try_numbers_on_postgres(pg_url):
    store = Store(pg_url)
    shared = store.create_learner("Shared")
    context = multiprocessing.get_context("spawn")
    start = context.Barrier(PROCESSES)
    procs = [
        context.Process(target=_replica, args=(pg_url, shared.id, start)) for _ in range(PROCESSES)
    ]
    for proc in procs:
        proc.start()
    for proc in procs:
        proc.join(120)
    assert [proc.exitcode for proc in procs] == [0] * PROCESSES
    tries = sorted(a.try_no for a in store.attempts(shared.id, LESSON))
    assert tries == list(range(1, PROCESSES * PER_PROCESS + 1))
    store.db.close()


def test_an_answer_written_through_one_replica_is_seen_through_the_other(pg_url):
    one, other = Store(pg_url), Store(pg_url)
    ada = one.create_learner("Ada")
    assert other.learner_by_token(ada.token) == ada
    one.record_attempt(ada.id, LESSON, "q-tf", True, 1.0, 1.0, True)
    state = other.question_state(ada.id, LESSON)["q-tf"]
    assert (state.tries, state.best_score, state.solved) == (1, 1.0, True)
    other.reveal(ada.id, LESSON, "q-x")  # a reveal on one replica locks the question on both
    with pytest.raises(QuestionLocked):
        one.record_attempt(ada.id, LESSON, "q-x", "a", 0, 0, False)
    one.db.close()
    other.db.close()


def test_essays_and_grades_survive_a_replica_restart_on_postgres(pg_url):
    one = Store(pg_url)
    ada = one.create_learner("Ada")
    one.submit_essay(ada.id, LESSON, "q-essay", "m per pipeline shrinks")
    one.grade_essay(ada.id, LESSON, "q-essay", [0], 0.5, "Give the formula: 50% of it.")
    one.db.close()
    again = Store(pg_url)  # a new pool, as a restarted replica has
    essay = again.essay(ada.id, LESSON, "q-essay")
    assert (essay.text, essay.grade_lines, essay.grade) == ("m per pipeline shrinks", (0,), 0.5)
    assert essay.comment == "Give the formula: 50% of it."
    again.db.close()
