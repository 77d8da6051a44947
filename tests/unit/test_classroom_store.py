"""Tests for classroom.store: learners, attempts, try numbers under concurrency, schema.

$ pytest tests/unit -q -k classroom
"""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from classroom.store import MIGRATIONS, Store, data_dir, default_store

LESSON = "pipeline-basics"


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(tmp_path / "paralab.db")


# Learners ---------------------------------------------------------------------------------


def test_learners_persist_across_a_restart(tmp_path: Path) -> None:
    first = Store(tmp_path / "paralab.db")
    ada = first.create_learner("Ada")
    first.record_attempt(ada.id, LESSON, "q1", "b", 1.0, 1.0, True)

    reopened = Store(tmp_path / "paralab.db")

    assert reopened.learner_by_token(ada.token) == ada
    assert reopened.list_learners() == [ada]
    assert [a.try_no for a in reopened.attempts(ada.id)] == [1]


def test_token_finds_the_learner_and_only_that_one(store: Store) -> None:
    ada = store.create_learner("Ada")
    bob = store.create_learner("Bob")

    assert store.learner_by_token(ada.token) == ada
    assert store.learner_by_token(bob.token) == bob
    assert store.learner_by_token("not-a-token") is None
    assert ada.token != bob.token
    assert len(ada.token) >= 22  # 16 random bytes, base64url


def test_created_at_is_utc_iso8601(store: Store) -> None:
    created = datetime.fromisoformat(store.create_learner("Ada").created_at)
    assert created.utcoffset() == timedelta(0)


def test_name_is_stripped_and_need_not_be_unique(store: Store) -> None:
    one = store.create_learner("  Ada Lovelace\t")
    two = store.create_learner("Ada Lovelace")

    assert one.name == two.name == "Ada Lovelace"
    assert one.id != two.id
    assert store.create_learner("x" * 40).name == "x" * 40


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "empty"),
        ("   \t ", "empty"),
        ("x" * 41, "at most 40"),
        ("Ada\nLovelace", "control"),
        ("Ada\x00", "control"),
        ("Ada\x1b[31m", "control"),
        ("Ada\u202eecilA", "control"),
        ("Ada\u2028Bob", "control"),
        (None, "text"),
    ],
)
def test_bad_names_are_refused_with_a_clear_message(
    store: Store, name: object, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        store.create_learner(name)  # type: ignore[arg-type]
    assert store.list_learners() == []


def test_rename_learner(store: Store) -> None:
    ada = store.create_learner("Ada")

    renamed = store.rename_learner(ada.id, " Ada L. ")

    assert renamed.name == "Ada L."
    assert (renamed.id, renamed.token) == (ada.id, ada.token)
    assert store.learner_by_token(ada.token) == renamed
    with pytest.raises(ValueError, match="empty"):
        store.rename_learner(ada.id, " ")
    assert store.learner(ada.id) == renamed
    with pytest.raises(LookupError):
        store.rename_learner(ada.id + 100, "Ghost")


def test_list_learners_oldest_first(store: Store) -> None:
    names = ["Cy", "Ada", "Bob"]
    for name in names:
        store.create_learner(name)
    assert [learner.name for learner in store.list_learners()] == names


# Attempts ---------------------------------------------------------------------------------


def test_try_numbers_count_per_learner_lesson_and_question(store: Store) -> None:
    ada = store.create_learner("Ada")
    bob = store.create_learner("Bob")

    tries = [store.record_attempt(ada.id, LESSON, "q1", i, 0, 0, False).try_no for i in range(4)]
    other_question = store.record_attempt(ada.id, LESSON, "q2", 0, 0, 0, False)
    other_lesson = store.record_attempt(ada.id, "memory", "q1", 0, 0, 0, False)
    other_learner = store.record_attempt(bob.id, LESSON, "q1", 0, 0, 0, False)

    assert tries == [1, 2, 3, 4]
    assert other_question.try_no == other_lesson.try_no == other_learner.try_no == 1


@pytest.mark.parametrize(
    "answer",
    ["b", ["a", "c"], True, ["F0", "F1", "B1", "B0"], {"dp": "replicas", "tp": "shards"}, 2.5],
)
def test_answers_of_every_question_type_round_trip(store: Store, answer: object) -> None:
    ada = store.create_learner("Ada")

    stored = store.record_attempt(ada.id, LESSON, "q", answer, 0.5, 0.25, False)

    assert stored.answer == answer
    assert store.attempts(ada.id)[0].answer == answer
    assert " " not in stored.answer_json.replace("F0", "")  # compact: no separator spaces
    assert (stored.raw_score, stored.score, stored.correct) == (0.5, 0.25, False)


@pytest.mark.parametrize(
    ("answer", "raw_score", "score", "error"),
    [
        ({1, 2}, 1.0, 1.0, "JSON"),
        (float("nan"), 1.0, 1.0, "JSON"),
        ("a", float("nan"), 1.0, "raw_score"),
        ("a", 1.0, float("inf"), "score"),
        ("a", 1.0, "1", "score"),
    ],
)
def test_bad_attempts_are_refused_and_nothing_is_stored(
    store: Store, answer: object, raw_score: object, score: object, error: str
) -> None:
    ada = store.create_learner("Ada")
    with pytest.raises(ValueError, match=error):
        store.record_attempt(ada.id, LESSON, "q", answer, raw_score, score, True)  # type: ignore[arg-type]
    assert store.attempts() == []


def test_attempt_for_unknown_learner_is_refused(store: Store) -> None:
    with pytest.raises(LookupError, match="no learner"):
        store.record_attempt(42, LESSON, "q", "a", 1.0, 1.0, True)
    assert store.attempts() == []


def test_attempts_filter_by_learner_and_lesson(store: Store) -> None:
    ada = store.create_learner("Ada")
    bob = store.create_learner("Bob")
    for learner, lesson in [(ada, "a"), (bob, "a"), (ada, "b"), (bob, "b")]:
        store.record_attempt(learner.id, lesson, "q", 0, 0, 0, False)

    def keys(attempts):
        return [(a.learner_id, a.lesson_id) for a in attempts]

    assert len(store.attempts()) == 4
    assert keys(store.attempts(ada.id)) == [(ada.id, "a"), (ada.id, "b")]
    assert keys(store.attempts(lesson_id="b")) == [(ada.id, "b"), (bob.id, "b")]
    assert keys(store.attempts(bob.id, "a")) == [(bob.id, "a")]


def test_question_state_tracks_tries_best_last_and_solved(store: Store) -> None:
    ada = store.create_learner("Ada")
    store.record_attempt(ada.id, LESSON, "q1", "a", 0.0, 0.0, False)
    store.record_attempt(ada.id, LESSON, "q1", "b", 1.0, 0.75, True)
    store.record_attempt(ada.id, LESSON, "q1", "c", 0.5, 0.5, False)
    store.record_attempt(ada.id, LESSON, "q2", ["x"], 0.5, 0.5, False)
    store.record_attempt(ada.id, "other", "q3", 1, 1.0, 1.0, True)

    states = store.question_state(ada.id, LESSON)

    assert set(states) == {"q1", "q2"}
    q1 = states["q1"]
    assert (q1.tries, q1.best_score, q1.last_score, q1.last_answer) == (3, 0.75, 0.5, "c")
    assert q1.solved  # a later wrong try does not unsolve it
    assert states["q2"].last_answer == ["x"]
    assert not states["q2"].solved
    assert store.question_state(ada.id + 1, LESSON) == {}


# Schema and files -------------------------------------------------------------------------


def test_journal_mode_is_wal_for_every_connection(store: Store) -> None:
    assert store.journal_mode() == "wal"
    with sqlite3.connect(store.path) as raw:  # a connection that set no pragmas of its own
        assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_try_numbers_are_unique_in_the_schema(store: Store) -> None:
    ada = store.create_learner("Ada")
    store.record_attempt(ada.id, LESSON, "q", "a", 0, 0, False)
    raw = sqlite3.connect(store.path)
    try:
        with pytest.raises(sqlite3.IntegrityError, match="UNIQUE"):
            raw.execute(
                "INSERT INTO attempts (learner_id, lesson_id, question_id, try_no, answer_json,"
                " raw_score, score, correct, created_at) VALUES (?, ?, 'q', 1, '0', 0, 0, 0, '')",
                (ada.id, LESSON),
            )
    finally:
        raw.close()


def test_schema_is_versioned_and_migrations_apply_once(tmp_path: Path) -> None:
    path = tmp_path / "paralab.db"
    ada = Store(path).create_learner("Ada")
    assert Store(path).schema_version() == len(MIGRATIONS)  # reopening is idempotent

    upgraded = Store(path, migrations=(*MIGRATIONS, ("ALTER TABLE learners ADD COLUMN note TEXT",)))

    assert upgraded.schema_version() == len(MIGRATIONS) + 1
    assert upgraded.learner_by_token(ada.token) == ada
    with sqlite3.connect(path) as raw:
        columns = [row[1] for row in raw.execute("PRAGMA table_info(learners)")]
    assert "note" in columns
    with pytest.raises(RuntimeError, match="newer than this code"):
        Store(path)


def test_data_dir_follows_the_environment(tmp_path: Path, monkeypatch) -> None:
    target = tmp_path / "nested" / "data"
    monkeypatch.setenv("PARALAB_DATA_DIR", str(target))

    assert data_dir() == target
    assert target.is_dir()
    store = default_store()
    assert store.path == target / "paralab.db"
    assert store.path.exists()


def test_data_dir_defaults_to_the_repository(monkeypatch) -> None:
    monkeypatch.delenv("PARALAB_DATA_DIR", raising=False)
    assert data_dir() == Path(__file__).resolve().parents[2] / "data"
