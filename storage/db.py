"""One database seam for the stores: embedded SQLite (default) or PostgreSQL (for replicas).

    db = open_database(path_or_url)            # a path → SQLite, "postgresql://…" → PostgreSQL
    db.migrate("classroom", MIGRATIONS)        # versioned, one list of steps for both engines
    with db.write() as conn:                   # one transaction; writers serialize where needed
        conn.execute("INSERT INTO t (a) VALUES (?)", (1,)).lastrowid
    with db.read() as conn:
        conn.execute("SELECT * FROM t WHERE a = ?1 OR ?1 IS NULL", (1,)).fetchall()

The stores speak one SQL: SQLite's, limited to what PostgreSQL also has once a few spellings
are rewritten (`Postgres.translate`): `?` and `?N` placeholders, `INSERT OR IGNORE`, and in
migrations `INTEGER PRIMARY KEY [AUTOINCREMENT]` (→ an identity column) and `REAL` (→ double
precision). `lastrowid` works on both (Postgres: `lastval()`). Rows are read by name or index.

Why psycopg 3 with psycopg_pool and not SQLAlchemy Core: the stores already hold their SQL
(written for SQLite, reviewed, tested); SQLAlchemy would mean rewriting every query in its
expression language or passing text() through it anyway, for no engine we need beyond these
two. psycopg is the reference driver, its pool gives each replica a bounded set of
connections, and `SELECT … FOR UPDATE SKIP LOCKED` and `ON CONFLICT … RETURNING` are written
as plain SQL. Nothing outside storage/ imports psycopg, and only when a URL is configured.
"""

from __future__ import annotations

import os
import sqlite3
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any, Protocol

BUSY_TIMEOUT_MS = 10_000
"""SQLite: how long a connection waits for another writer before `database is locked`."""
URL_VAR = "PARALAB_DATABASE_URL"


class Connection(Protocol):
    dialect: str

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any: ...


class Database(Protocol):
    """What a store needs from an engine."""

    dialect: str
    """"sqlite" or "postgresql"."""
    where: str
    """The file path, or the URL without its password (for messages and the README)."""
    integrity_error: type[Exception]
    """Raised for a broken UNIQUE / FOREIGN KEY / CHECK constraint."""
    claim_lock: str
    """Appended to a SELECT that picks a row to claim ("FOR UPDATE SKIP LOCKED" on Postgres)."""

    def read(self) -> Any: ...  # context manager → Connection

    def write(self) -> Any: ...  # context manager → Connection, one transaction

    def migrate(self, schema: str, migrations: Sequence[Sequence[str]]) -> int: ...

    def schema_version(self, schema: str) -> int: ...

    def serialize(self, conn: Connection, name: str) -> None:
        """Inside a write: no other writer passes the same `name` until this one commits."""


def open_database(target: str | os.PathLike[str]) -> Database:
    """SQLite for a path, PostgreSQL for a postgresql:// (or postgres://) URL."""
    text = str(target)
    if text.startswith(("postgresql://", "postgres://")):
        from storage.postgres import Postgres

        return Postgres(text)
    return SQLite(Path(text))


def configured_url() -> str | None:
    """$PARALAB_DATABASE_URL when it names PostgreSQL; ValueError for anything else."""
    url = os.environ.get(URL_VAR, "").strip()
    if not url:
        return None
    if not url.startswith(("postgresql://", "postgres://")):
        raise ValueError(f"{URL_VAR}: expected postgresql://…, got {url.split(':', 1)[0]}:…")
    return url


def store_errors() -> tuple[type[BaseException], ...]:
    """What a failing database raises (full, locked too long, server gone), on either engine.

    psycopg's errors count only once psycopg is loaded: before that no PostgreSQL database
    is open in this process, so none can be raised.
    """
    pg = sys.modules.get("psycopg")
    return (sqlite3.Error, OSError, *((pg.Error,) if pg else ()))


def newer_than_code(where: str, version: int, known: int) -> RuntimeError:
    return RuntimeError(
        f"{where} has schema version {version}, newer than this code ({known}); upgrade ParaLab"
    )


class SQLite:
    """One file, WAL mode, a fresh connection per call; `write` is `BEGIN IMMEDIATE`.

    The write lock is taken before anything is read, so a read-then-write transaction (the
    next try number, a job claim) never races another writer. `synchronous=NORMAL`: durable
    across an app crash; a power cut may lose the last commits, never corrupt the file.
    """

    dialect = "sqlite"
    integrity_error = sqlite3.IntegrityError
    claim_lock = ""
    """SQL appended to a claim's SELECT: none, BEGIN IMMEDIATE already serializes writers."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.where = str(self.path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._enable_wal()

    def _enable_wal(self) -> None:
        """WAL is a property of the file; switching needs an exclusive lock, and SQLite
        answers `database is locked` at once (no busy wait) when several processes open a new
        file together, so this retries until the busy timeout."""
        deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
        while True:
            try:
                with self.read() as conn:
                    mode = conn.execute("PRAGMA journal_mode=WAL").fetchone()[0]
                break
            except sqlite3.OperationalError as error:
                if "locked" not in str(error) or time.monotonic() > deadline:
                    raise
                time.sleep(0.01)
        if mode != "wal":
            raise RuntimeError(f"{self.path}: SQLite would not use WAL mode (got {mode!r})")

    @contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        """A fresh connection in autocommit mode (transactions explicit), closed on exit."""
        conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
        with closing(conn):
            conn.row_factory = sqlite3.Row
            conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA foreign_keys=ON")
            yield conn

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """A connection inside `BEGIN IMMEDIATE`: committed on success, rolled back on error."""
        with self.read() as conn:
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    @staticmethod
    def serialize(conn: sqlite3.Connection, name: str) -> None:
        """Nothing to do: `BEGIN IMMEDIATE` already lets one writer in at a time."""

    def schema_version(self, schema: str) -> int:
        """`PRAGMA user_version` (one schema per file: paralab.db, jobs.db)."""
        with self.read() as conn:
            return conn.execute("PRAGMA user_version").fetchone()[0]

    def migrate(self, schema: str, migrations: Sequence[Sequence[str]]) -> int:
        """Apply the steps this file lacks, under the write lock; returns the new version."""
        if self.schema_version(schema) == len(migrations):
            return len(migrations)
        with self.write() as conn:
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if version > len(migrations):
                raise newer_than_code(self.where, version, len(migrations))
            for step in migrations[version:]:
                for statement in step:
                    conn.execute(statement)
            conn.execute(f"PRAGMA user_version={len(migrations)}")
        return len(migrations)

    def journal_mode(self) -> str:
        with self.read() as conn:
            return conn.execute("PRAGMA journal_mode").fetchone()[0]


_cache: dict[str, Database] = {}
_cache_lock = threading.Lock()


def shared(target: str | os.PathLike[str]) -> Database:
    """One Database per target in this process (a Postgres pool is opened once, not per page)."""
    key = str(target)
    with _cache_lock:
        if key not in _cache:
            _cache[key] = open_database(key)
        return _cache[key]
