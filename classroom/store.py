"""Learners and their attempts, in one database shared by every page, process and replica.

The database is storage/db.py's: an embedded SQLite file (the default, `data_dir()/paralab.db`)
or PostgreSQL when `PARALAB_DATABASE_URL=postgresql://…` is set (several app replicas).
Streamlit runs each session in a thread of its own, so every operation takes a short-lived
connection (SQLite: a fresh one; PostgreSQL: one from the pool), and every write is one
transaction. Try numbers come from a counter row per question that the write locks
(`try_counters`, an `ON CONFLICT DO UPDATE … RETURNING`), so two submits of the same question
can never both read "try 2 is next" — under SQLite's `BEGIN IMMEDIATE` or PostgreSQL's row
lock alike. SQLite runs in WAL mode with `synchronous=NORMAL` and a 10 s busy timeout.

Usage:

    >>> from classroom.store import Store
    >>> store = Store(tmp_path / "paralab.db")             # creates or migrates the schema
    >>> ada = store.create_learner("  Ada ")               # name stored as "Ada"
    >>> store.record_attempt(ada.id, "pipeline-basics", "q-bubble", ["F0", "F1"],
    ...                      raw_score=0.5, score=0.5, correct=False).try_no
    1
    >>> store.question_state(ada.id, "pipeline-basics")["q-bubble"].tries
    1

The schema version is SQLite's `PRAGMA user_version` or PostgreSQL's `schema_version` row;
`MIGRATIONS[i]` moves a database from version `i` to `i + 1` on either engine. Add a
migration by appending to `MIGRATIONS`, never by editing one.
"""

from __future__ import annotations

import secrets
import sqlite3
from collections.abc import Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import datadir
from classroom.essays import ESSAY_MIGRATION, Essay, EssayStore
from classroom.models import (
    Attempt,
    Learner,
    QuestionState,
    check_score,
    encode_answer,
    states_from_attempts,
    validate_name,
)
from classroom.sessions_schema import SESSIONS_MIGRATION
from storage.db import Database, configured_url, open_database, shared

__all__ = [
    "MIGRATIONS",
    "Attempt",
    "Essay",
    "Learner",
    "QuestionLocked",
    "QuestionState",
    "Store",
    "data_dir",
    "default_store",
    "states_from_attempts",
    "validate_name",
]


MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (
        """CREATE TABLE learners (
            id INTEGER PRIMARY KEY,
            token TEXT NOT NULL UNIQUE,
            name TEXT NOT NULL,
            created_at TEXT NOT NULL)""",
        """CREATE TABLE attempts (
            id INTEGER PRIMARY KEY,
            learner_id INTEGER NOT NULL REFERENCES learners(id) ON DELETE CASCADE,
            lesson_id TEXT NOT NULL,
            question_id TEXT NOT NULL,
            try_no INTEGER NOT NULL CHECK (try_no >= 1),
            answer_json TEXT NOT NULL,
            raw_score REAL NOT NULL,
            score REAL NOT NULL,
            correct INTEGER NOT NULL CHECK (correct IN (0, 1)),
            created_at TEXT NOT NULL,
            UNIQUE (learner_id, lesson_id, question_id, try_no))""",
        "CREATE INDEX attempts_by_lesson ON attempts(lesson_id)",
    ),
    (
        """CREATE TABLE reveals (
            learner_id INTEGER NOT NULL REFERENCES learners(id) ON DELETE CASCADE,
            lesson_id TEXT NOT NULL,
            question_id TEXT NOT NULL,
            created_at TEXT NOT NULL,
            PRIMARY KEY (learner_id, lesson_id, question_id))""",
    ),
    ESSAY_MIGRATION,
    (
        # The last try number per question, bumped by an upsert that locks its row: concurrent
        # writers get 1, 2, 3 … on PostgreSQL too (MAX()+1 races there; SQLite serializes).
        """CREATE TABLE try_counters (
            learner_id INTEGER NOT NULL REFERENCES learners(id) ON DELETE CASCADE,
            lesson_id TEXT NOT NULL,
            question_id TEXT NOT NULL,
            last_try INTEGER NOT NULL,
            PRIMARY KEY (learner_id, lesson_id, question_id))""",
        """INSERT INTO try_counters (learner_id, lesson_id, question_id, last_try)
           SELECT learner_id, lesson_id, question_id, MAX(try_no) FROM attempts
           GROUP BY learner_id, lesson_id, question_id""",
    ),
    SESSIONS_MIGRATION,
)
"""Schema migrations: `MIGRATIONS[i]` holds the statements that take version `i` to `i + 1`."""


class QuestionLocked(ValueError):
    """An attempt at a question whose answer this learner has already been shown."""


def data_dir() -> Path:
    """Directory for the app's data: `$PARALAB_DATA_DIR`, else `<repo>/data` (datadir.py)."""
    return datadir.data_dir()


def default_store() -> Store:
    """The app's store: PostgreSQL at $PARALAB_DATABASE_URL, else `data_dir() / "paralab.db"`."""
    url = configured_url()
    return Store(shared(url) if url else data_dir() / "paralab.db")


def _bump_try(conn, learner_id: int, lesson_id: str, question_id: str, step: int) -> int:
    """Add `step` to the question's try counter and return it; holds the counter row's lock
    until the transaction ends, so the try number and the reveal check cannot race."""
    row = conn.execute(
        """INSERT INTO try_counters (learner_id, lesson_id, question_id, last_try)
           VALUES (?, ?, ?, ?)
           ON CONFLICT (learner_id, lesson_id, question_id)
           DO UPDATE SET last_try = try_counters.last_try + ? RETURNING last_try""",
        (learner_id, lesson_id, question_id, step, step),
    ).fetchone()
    return row[0]


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _learner(row: sqlite3.Row) -> Learner:
    return Learner(row["id"], row["token"], row["name"], row["created_at"])


def _attempt(row: sqlite3.Row) -> Attempt:
    return Attempt(
        id=row["id"],
        learner_id=row["learner_id"],
        lesson_id=row["lesson_id"],
        question_id=row["question_id"],
        try_no=row["try_no"],
        answer_json=row["answer_json"],
        raw_score=row["raw_score"],
        score=row["score"],
        correct=bool(row["correct"]),
        created_at=row["created_at"],
    )


def attempt_values(
    learner_id: int,
    lesson_id: str,
    question_id: str,
    answer: Any,
    raw_score: float,
    score: float,
    correct: bool,
) -> tuple:
    """The checked parameters of `insert_attempt` (ValueError for a bad answer or score)."""
    return (
        learner_id,
        lesson_id,
        question_id,
        encode_answer(answer),
        check_score("raw_score", raw_score),
        check_score("score", score),
        int(bool(correct)),
        _now(),
    )


def insert_attempt(conn, values: tuple) -> Any:
    """Insert an attempt as the next try, inside the caller's write transaction.

    LookupError for an unknown learner. Shared with `classroom.sessions`, whose answers
    are attempts too and must be stored in the same transaction as the session's checks.
    """
    learner_id, lesson_id, question_id = values[:3]
    known = conn.execute("SELECT 1 FROM learners WHERE id = ?", (learner_id,)).fetchone()
    if known is None:
        raise LookupError(f"no learner with id {learner_id}")
    try_no = _bump_try(conn, learner_id, lesson_id, question_id, 1)
    return conn.execute(
        """INSERT INTO attempts (learner_id, lesson_id, question_id, answer_json,
               raw_score, score, correct, created_at, try_no)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *""",
        (*values, try_no),
    ).fetchone()


class Store(EssayStore):
    """Learners, attempts and essays in the SQLite file at `path` (created, with its directory)."""

    _now = staticmethod(_now)

    def __init__(
        self, path: Path | str | Database, *, migrations: Sequence[Sequence[str]] = MIGRATIONS
    ) -> None:
        self.db = path if hasattr(path, "dialect") else open_database(path)
        self.path = Path(self.db.where) if self.db.dialect == "sqlite" else None
        self._migrations = tuple(tuple(step) for step in migrations)
        self.db.migrate("classroom", self._migrations)

    def _connect(self):
        """A connection for reading (storage/db.py: SQLite or PostgreSQL)."""
        return self.db.read()

    def _write(self):
        """A connection inside one write transaction: committed on success, rolled back on error."""
        return self.db.write()

    def schema_version(self) -> int:
        """The database's schema version (SQLite's `user_version`, Postgres' schema_version)."""
        return self.db.schema_version("classroom")

    def journal_mode(self) -> str:
        """The journal mode a connection sees: `"wal"` for a working SQLite store."""
        return self.db.journal_mode() if self.db.dialect == "sqlite" else "postgresql"

    # Learners ---------------------------------------------------------------------------

    def create_learner(self, name: str) -> Learner:
        """Add a learner with a fresh secret token; `name` is checked by `validate_name`."""
        learner = Learner(0, secrets.token_urlsafe(16), validate_name(name), _now())
        with self._write() as conn:
            cursor = conn.execute(
                "INSERT INTO learners (token, name, created_at) VALUES (?, ?, ?)",
                (learner.token, learner.name, learner.created_at),
            )
        return Learner(cursor.lastrowid, learner.token, learner.name, learner.created_at)

    def learner_by_token(self, token: str) -> Learner | None:
        """The learner whose token this is, or None."""
        with self._connect() as conn:
            row = conn.execute("SELECT * FROM learners WHERE token = ?", (token,)).fetchone()
        return _learner(row) if row else None

    def learner(self, learner_id: int) -> Learner | None:
        """The learner with this id, or None."""
        with self._connect() as conn:
            row = conn.execute("SELECT * FROM learners WHERE id = ?", (learner_id,)).fetchone()
        return _learner(row) if row else None

    def rename_learner(self, learner_id: int, name: str) -> Learner:
        """Change a learner's display name; LookupError if there is no such learner."""
        cleaned = validate_name(name)
        with self._write() as conn:
            conn.execute("UPDATE learners SET name = ? WHERE id = ?", (cleaned, learner_id))
            row = conn.execute("SELECT * FROM learners WHERE id = ?", (learner_id,)).fetchone()
        if row is None:
            raise LookupError(f"no learner with id {learner_id}")
        return _learner(row)

    def list_learners(self) -> list[Learner]:
        """Every learner, oldest first."""
        with self._connect() as conn:
            return [_learner(row) for row in conn.execute("SELECT * FROM learners ORDER BY id")]

    # Attempts ---------------------------------------------------------------------------

    def record_attempt(
        self,
        learner_id: int,
        lesson_id: str,
        question_id: str,
        answer: Any,
        raw_score: float,
        score: float,
        correct: bool,
    ) -> Attempt:
        """Store one answer as the next try at this question (1, 2, 3, … with no gaps).

        The try number is taken from the question's locked counter row and inserted in one
        transaction, so concurrent submits, from threads, processes or replicas, each get
        their own number.
        Raises ValueError for an answer that is not JSON or a score that is not a finite
        number, LookupError for an unknown learner, QuestionLocked once the answer was
        revealed to this learner (checked in the same transaction, so no race slips past).
        """
        values = attempt_values(
            learner_id, lesson_id, question_id, answer, raw_score, score, correct
        )
        with self._write() as conn:
            known = conn.execute("SELECT 1 FROM learners WHERE id = ?", (learner_id,)).fetchone()
            if known is None:
                raise LookupError(f"no learner with id {learner_id}")
            try_no = _bump_try(conn, learner_id, lesson_id, question_id, 1)
            if self._is_revealed(conn, learner_id, lesson_id, question_id):  # after the lock
                raise QuestionLocked(f"{question_id}: the answer was revealed; no more tries")
            row = conn.execute(
                """INSERT INTO attempts (learner_id, lesson_id, question_id, answer_json,
                       raw_score, score, correct, created_at, try_no)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *""",
                (*values, try_no),
            ).fetchone()
        return _attempt(row)

    def attempts(
        self, learner_id: int | None = None, lesson_id: str | None = None
    ) -> list[Attempt]:
        """Attempts in the order they were made, optionally only one learner's or lesson's."""
        with self._connect() as conn:
            rows = conn.execute(
                """SELECT * FROM attempts
                   WHERE (?1 IS NULL OR learner_id = ?1) AND (?2 IS NULL OR lesson_id = ?2)
                   ORDER BY id""",
                (learner_id, lesson_id),
            ).fetchall()
        return [_attempt(row) for row in rows]

    def question_state(self, learner_id: int, lesson_id: str) -> dict[str, QuestionState]:
        """Per question id of the lesson: tries, best and last score, last answer, solved.

        Questions the learner neither tried nor revealed are absent.
        """
        shown = [qid for _, _, qid in self.reveals(learner_id, lesson_id)]
        return states_from_attempts(self.attempts(learner_id, lesson_id), shown)

    # Reveals ----------------------------------------------------------------------------

    def reveal(self, learner_id: int, lesson_id: str, question_id: str) -> None:
        """Record that the learner was shown the answer: the question is over for them."""
        with self._write() as conn:
            _bump_try(conn, learner_id, lesson_id, question_id, 0)  # serialize with attempts
            conn.execute(
                "INSERT OR IGNORE INTO reveals (learner_id, lesson_id, question_id, created_at)"
                " VALUES (?, ?, ?, ?)",
                (learner_id, lesson_id, question_id, _now()),
            )

    def reveals(
        self, learner_id: int | None = None, lesson_id: str | None = None
    ) -> set[tuple[int, str, str]]:
        """(learner_id, lesson_id, question_id) of every reveal, optionally of one learner
        or lesson."""
        with self._connect() as conn:
            rows = conn.execute(
                """SELECT learner_id, lesson_id, question_id FROM reveals
                   WHERE (?1 IS NULL OR learner_id = ?1) AND (?2 IS NULL OR lesson_id = ?2)""",
                (learner_id, lesson_id),
            ).fetchall()
        return {(row[0], row[1], row[2]) for row in rows}

    @staticmethod
    def _is_revealed(conn, learner_id: int, lesson_id: str, question_id: str) -> bool:
        row = conn.execute(
            "SELECT 1 FROM reveals WHERE learner_id = ? AND lesson_id = ? AND question_id = ?",
            (learner_id, lesson_id, question_id),
        ).fetchone()
        return row is not None
