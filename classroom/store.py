"""Learners and their attempts, kept in one SQLite file shared by every page and process.

Streamlit runs each session in a thread of its own and may run several server processes,
so every operation opens a short-lived connection of its own, and every write runs in a
`BEGIN IMMEDIATE` transaction: the write lock is taken before anything is read, so two
submits of the same question can never both read "try 2 is next". The database runs in WAL
mode (readers never block the writer) with `synchronous=NORMAL` (durable across an app
crash; a power cut may lose the last commits, never corrupt the file) and a 10 s busy timeout.

Usage:

    >>> from classroom.store import Store
    >>> store = Store(tmp_path / "paralab.db")             # creates or migrates the schema
    >>> ada = store.create_learner("  Ada ")               # name stored as "Ada"
    >>> store.record_attempt(ada.id, "pipeline-basics", "q-bubble", ["F0", "F1"],
    ...                      raw_score=0.5, score=0.5, correct=False).try_no
    1
    >>> store.question_state(ada.id, "pipeline-basics")["q-bubble"].tries
    1

The schema version is SQLite's `PRAGMA user_version`; `MIGRATIONS[i]` moves a database from
version `i` to `i + 1`. Add a migration by appending to `MIGRATIONS`, never by editing one.
"""

from __future__ import annotations

import secrets
import sqlite3
import time
from collections.abc import Iterator, Sequence
from contextlib import closing, contextmanager
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

BUSY_TIMEOUT_MS = 10_000
"""How long a connection waits for another writer before giving up with `database is locked`."""

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
)
"""Schema migrations: `MIGRATIONS[i]` holds the statements that take version `i` to `i + 1`."""


class QuestionLocked(ValueError):
    """An attempt at a question whose answer this learner has already been shown."""


def data_dir() -> Path:
    """Directory for the app's data: `$PARALAB_DATA_DIR`, else `<repo>/data` (datadir.py)."""
    return datadir.data_dir()


def default_store() -> Store:
    """The app's store: `data_dir() / "paralab.db"`."""
    return Store(data_dir() / "paralab.db")


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


class Store(EssayStore):
    """Learners, attempts and essays in the SQLite file at `path` (created, with its directory)."""

    _now = staticmethod(_now)

    def __init__(self, path: Path, *, migrations: Sequence[Sequence[str]] = MIGRATIONS) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._migrations = tuple(tuple(step) for step in migrations)
        self._enable_wal()
        with self._connect() as conn:
            version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version != len(self._migrations):
            with self._write() as conn:
                self._migrate(conn)

    def _enable_wal(self) -> None:
        """Put the file in WAL mode (a property of the file, kept across connections).

        The switch needs an exclusive lock and cannot run inside a transaction; when several
        processes open a new file at the same moment SQLite answers `database is locked` at
        once instead of waiting, so this retries until the busy timeout.
        """
        deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
        while True:
            try:
                with self._connect() as conn:
                    mode = conn.execute("PRAGMA journal_mode=WAL").fetchone()[0]
                break
            except sqlite3.OperationalError as error:
                if "locked" not in str(error) or time.monotonic() > deadline:
                    raise
                time.sleep(0.01)  # back off, then try again
        if mode != "wal":
            raise RuntimeError(f"{self.path}: SQLite would not use WAL mode (got {mode!r})")

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        """A fresh connection, closed on exit; autocommit, so transactions are explicit."""
        conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
        with closing(conn):
            conn.row_factory = sqlite3.Row
            conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA foreign_keys=ON")
            yield conn

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """A connection inside `BEGIN IMMEDIATE`: committed on success, rolled back on error."""
        with self._connect() as conn:
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    def _migrate(self, conn: sqlite3.Connection) -> None:
        """Apply the migrations this file lacks; the caller holds the write lock."""
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version > len(self._migrations):
            raise RuntimeError(
                f"{self.path} has schema version {version}, newer than this code "
                f"({len(self._migrations)}); upgrade ParaLab"
            )
        for step in self._migrations[version:]:
            for statement in step:
                conn.execute(statement)
        conn.execute(f"PRAGMA user_version={len(self._migrations)}")

    def schema_version(self) -> int:
        """The database's schema version (`PRAGMA user_version`)."""
        with self._connect() as conn:
            return conn.execute("PRAGMA user_version").fetchone()[0]

    def journal_mode(self) -> str:
        """The journal mode a connection sees: `"wal"` for a working store."""
        with self._connect() as conn:
            return conn.execute("PRAGMA journal_mode").fetchone()[0]

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

        The try number is computed and inserted in one `BEGIN IMMEDIATE` transaction, so
        concurrent submits, from threads or processes, each get their own number.
        Raises ValueError for an answer that is not JSON or a score that is not a finite
        number, LookupError for an unknown learner, QuestionLocked once the answer was
        revealed to this learner (checked in the same transaction, so no race slips past).
        """
        values = (
            learner_id,
            lesson_id,
            question_id,
            encode_answer(answer),
            check_score("raw_score", raw_score),
            check_score("score", score),
            int(bool(correct)),
            _now(),
        )
        with self._write() as conn:
            known = conn.execute("SELECT 1 FROM learners WHERE id = ?", (learner_id,)).fetchone()
            if known is None:
                raise LookupError(f"no learner with id {learner_id}")
            if self._is_revealed(conn, learner_id, lesson_id, question_id):
                raise QuestionLocked(f"{question_id}: the answer was revealed; no more tries")
            cursor = conn.execute(
                """INSERT INTO attempts (learner_id, lesson_id, question_id, answer_json,
                       raw_score, score, correct, created_at, try_no)
                   SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, COALESCE(MAX(try_no), 0) + 1
                   FROM attempts WHERE learner_id = ?1 AND lesson_id = ?2 AND question_id = ?3""",
                values,
            )
            row = conn.execute(
                "SELECT * FROM attempts WHERE id = ?", (cursor.lastrowid,)
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
