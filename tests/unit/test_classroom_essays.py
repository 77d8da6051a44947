"""Essays in the classroom store: submitted once, self-assessed, graded, kept across restarts.

Run: `pytest tests/unit/test_classroom_essays.py -q`.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from classroom.essays import ESSAY_MIGRATION
from classroom.store import MIGRATIONS, Store

LESSON, QID = "every-type", "q-essay"


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(tmp_path / "paralab.db")


def test_submit_assess_grade_and_read_back_after_a_restart(tmp_path, store):
    ada = store.create_learner("Ada")
    first = store.submit_essay(ada.id, LESSON, QID, "m per pipeline shrinks")
    assert (first.text, first.self_lines, first.grade) == ("m per pipeline shrinks", None, None)
    store.self_assess_essay(ada.id, LESSON, QID, [2, 0], 0.75)
    store.grade_essay(ada.id, LESSON, QID, [0], 0.5, "Give the formula.")
    again = Store(tmp_path / "paralab.db").essay(ada.id, LESSON, QID)
    assert again.self_lines == (0, 2) and again.self_score == 0.75
    assert (again.grade_lines, again.grade, again.comment) == ((0,), 0.5, "Give the formula.")
    assert again.graded_at and again.submitted_at
    store.self_assess_essay(ada.id, LESSON, QID, [0], 0.5)  # redone: replaced
    assert store.essay(ada.id, LESSON, QID).self_lines == (0,)


def test_an_essay_is_submitted_once(store):
    ada = store.create_learner("Ada")
    store.submit_essay(ada.id, LESSON, QID, "first")
    with pytest.raises(ValueError, match="already submitted"):
        store.submit_essay(ada.id, LESSON, QID, "second")
    assert store.essay(ada.id, LESSON, QID).text == "first"


@pytest.mark.parametrize(
    "text", ["", "   ", 42, "a\x00b", "x" * 100_001], ids=["empty", "blank", "int", "nul", "long"]
)
def test_bad_text_is_refused_and_nothing_stored(store, text):
    ada = store.create_learner("Ada")
    with pytest.raises(ValueError):
        store.submit_essay(ada.id, LESSON, QID, text)
    assert store.essays() == []


def test_bad_assessments_are_refused_and_change_nothing(store):
    ada = store.create_learner("Ada")
    store.submit_essay(ada.id, LESSON, QID, "text")
    for lines, score in (([0, 0], 0.5), ([-1], 0.5), (["0"], 0.5), ([0], 1.5), ([0], float("nan"))):
        with pytest.raises(ValueError):
            store.grade_essay(ada.id, LESSON, QID, lines, score)
    with pytest.raises(ValueError, match="comment"):
        store.grade_essay(ada.id, LESSON, QID, [0], 0.5, "c" * 10_001)
    assert store.essay(ada.id, LESSON, QID).grade is None


def test_unknown_learner_or_essay_is_a_lookup_error(store):
    with pytest.raises(LookupError):
        store.submit_essay(999, LESSON, QID, "text")
    ada = store.create_learner("Ada")
    with pytest.raises(LookupError, match="no essay"):
        store.grade_essay(ada.id, LESSON, QID, [0], 1.0)
    assert store.essay(ada.id, LESSON, QID) is None


def test_essays_by_lesson_oldest_first_ties_by_learner(store, monkeypatch):
    """Submission times have millisecond resolution (two submits on PostgreSQL can share
    one): the clock is the test's, so "oldest" is not left to the machine's speed."""
    ada, bob, cy = (store.create_learner(n) for n in ("Ada", "Bob", "Cy"))
    clock = iter(["2026-12-02T10:00:00.001Z", "2026-12-02T10:00:00.002Z",
                  "2026-12-02T10:00:00.002Z", "2026-12-02T10:00:00.003Z"])  # fmt: skip
    monkeypatch.setattr(store, "_now", lambda: next(clock))
    store.submit_essay(bob.id, LESSON, QID, "bob's")
    store.submit_essay(cy.id, LESSON, QID, "cy's")
    store.submit_essay(ada.id, LESSON, QID, "ada's")  # same millisecond as cy's
    store.submit_essay(ada.id, "other", QID, "elsewhere")
    assert [e.text for e in store.essays(LESSON)] == ["bob's", "ada's", "cy's"]
    assert len(store.essays()) == 4


def test_a_database_from_before_essays_gains_the_table(tmp_path):
    path = tmp_path / "old.db"
    old = Store(path, migrations=MIGRATIONS[: MIGRATIONS.index(ESSAY_MIGRATION)])
    ada = old.create_learner("Ada")
    with old._write() as conn:  # an attempt as that version stored it (no try counter yet)
        conn.execute(
            "INSERT INTO attempts (learner_id, lesson_id, question_id, try_no, answer_json,"
            " raw_score, score, correct, created_at) VALUES (?, ?, 'q1', 1, '\"a\"', 1, 1, 1, '')",
            (ada.id, LESSON),
        )
    upgraded = Store(path)
    assert upgraded.schema_version() == len(MIGRATIONS)
    assert [a.question_id for a in upgraded.attempts()] == ["q1"]
    upgraded.submit_essay(ada.id, LESSON, QID, "now possible")
    with sqlite3.connect(path) as raw:
        assert raw.execute("SELECT COUNT(*) FROM essays").fetchone() == (1,)
