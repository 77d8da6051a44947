"""A persistent job queue on SQLite: the jobs table, its states, and atomic claims.

    queue = JobQueue("data/jobs.db", "data/results")
    job = queue.submit(validated_spec, torch.__version__, "cpu")
    queue.claim_next()                   # the worker (runner/worker.py) does this
    queue.get(job.id).state              # queued -> running -> done | failed | cancelled

Why our own queue and not huey (whose SQLite storage would persist tasks for us): huey
runs a task and records its result, but a lab job needs supervision that huey does not give —
killing a torchrun process tree whose ranks live in sessions of their own (launch.py), one
running job per *device set* ("cpu" or "cuda") so two jobs never share cores or GPUs and
skew each other's timings, live progress and cancel flags that the page reads and writes on
the job's row, and a worker that can live in the Streamlit process itself.

States: queued -> running -> done | failed | cancelled | interrupted. A job still `running`
when its worker's process died is marked `interrupted` by `mark_interrupted()`, which every
worker calls at start-up (one consuming process per database is assumed). SQLite runs in WAL
mode with one connection per call, so the page and the worker thread never share one.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import sqlite3
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

from runner.spec import JobSpec, from_mapping

STATES = ("queued", "running", "done", "failed", "cancelled", "interrupted")
CACHE_MESSAGE = "served from cache"
INTERRUPTED_MESSAGE = "the app stopped while this job ran; submit it again"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS jobs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    spec_json TEXT NOT NULL, key TEXT NOT NULL, device TEXT NOT NULL,
    state TEXT NOT NULL, progress REAL NOT NULL DEFAULT 0, phase TEXT NOT NULL DEFAULT '',
    message TEXT NOT NULL DEFAULT '', created_at TEXT NOT NULL, started_at TEXT,
    finished_at TEXT, out_dir TEXT NOT NULL DEFAULT '', log_path TEXT NOT NULL DEFAULT '',
    cancel_requested INTEGER NOT NULL DEFAULT 0, requested_by TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS jobs_state ON jobs(state, device);
CREATE INDEX IF NOT EXISTS jobs_key ON jobs(key, state);
"""


def default_queue() -> JobQueue:
    """The queue the app and `python -m runner worker` share: $PARALAB_DATA_DIR or ./data."""
    data = Path(os.environ.get("PARALAB_DATA_DIR", "data"))
    return JobQueue(data / "jobs.db", data / "results")


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


@dataclasses.dataclass(frozen=True)
class Job:
    """One row of the jobs table."""

    id: int
    spec: JobSpec
    key: str
    device: str  # the device set, "cpu" or "cuda": one running job per set
    state: str  # queued | running | done | failed | cancelled | interrupted
    progress: float  # 0..1, from the workload's progress.json
    phase: str
    message: str  # one line: the failing rank's exception, "served from cache", ...
    created_at: str
    started_at: str | None
    finished_at: str | None
    out_dir: Path
    log_path: Path
    cancel_requested: bool
    requested_by: str

    @property
    def trace_path(self) -> Path | None:
        path = self.out_dir / "trace.json"
        return path if self.state == "done" and path.is_file() else None

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> Job:
        data = dict(row)
        data["spec"] = from_mapping(json.loads(data.pop("spec_json")))
        data["out_dir"], data["log_path"] = Path(data["out_dir"]), Path(data["log_path"])
        data["cancel_requested"] = bool(data["cancel_requested"])
        return cls(**data)


class JobQueue:
    """Jobs persisted in SQLite; results of job N live in results_dir/N/ (log.txt, trace.json)."""

    def __init__(self, db_path: str | Path, results_dir: str | Path) -> None:
        self.db_path = Path(db_path)
        self.results_dir = Path(results_dir)
        self.db_path.parent.mkdir(parents=True, exist_ok=True)
        self.results_dir.mkdir(parents=True, exist_ok=True)
        with contextlib.closing(sqlite3.connect(self.db_path, timeout=30)) as db:
            db.execute("PRAGMA journal_mode=WAL")  # readers (the page) never block the worker
            db.executescript(_SCHEMA)

    @contextlib.contextmanager
    def _connect(self, write: bool = False) -> Iterator[sqlite3.Connection]:
        """One connection per call; `write` takes the write lock up front (BEGIN IMMEDIATE)."""
        db = sqlite3.connect(self.db_path, timeout=30, isolation_level=None)  # 30 s busy wait
        db.row_factory = sqlite3.Row
        try:
            db.execute("BEGIN IMMEDIATE" if write else "BEGIN")
            yield db
            db.execute("COMMIT")
        except BaseException:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise
        finally:
            db.close()

    def submit(self, spec: JobSpec, torch_version: str, device: str, requested_by: str = "") -> Job:
        """Queue a validated spec; a spec already run here returns a new row, already done."""
        if device not in ("cpu", "cuda"):
            raise ValueError(f"device: must be cpu or cuda (a resolved device), got {device!r}")
        spec = dataclasses.replace(spec, device=device)
        key = spec.key(torch_version, device)
        with self._connect(write=True) as db:
            cached = self._cached(db, key)
            now = _now()
            cur = db.execute(
                "INSERT INTO jobs (spec_json, key, device, state, created_at, requested_by)"
                " VALUES (?, ?, ?, 'queued', ?, ?)",
                (json.dumps(spec.to_dict()), key, device, now, requested_by),
            )
            job_id = cur.lastrowid
            if cached is not None:
                db.execute(
                    "UPDATE jobs SET state='done', progress=1, phase='done', message=?,"
                    " started_at=?, finished_at=?, out_dir=?, log_path=? WHERE id=?",
                    (CACHE_MESSAGE, now, now, str(cached.out_dir), str(cached.log_path), job_id),
                )
            else:
                out = self.results_dir / str(job_id)
                db.execute(
                    "UPDATE jobs SET out_dir=?, log_path=? WHERE id=?",
                    (str(out), str(out / "log.txt"), job_id),
                )
        return self.get(job_id)

    @staticmethod
    def _cached(db: sqlite3.Connection, key: str) -> Job | None:
        rows = db.execute(
            "SELECT * FROM jobs WHERE key=? AND state='done' ORDER BY id DESC", (key,)
        ).fetchall()
        jobs = (Job.from_row(row) for row in rows)
        return next((job for job in jobs if job.trace_path is not None), None)

    def _read(self, sql: str, *params: object) -> list[sqlite3.Row]:
        with self._connect() as db:
            return db.execute(sql, params).fetchall()

    def _write(self, sql: str, *params: object) -> int:
        with self._connect(write=True) as db:
            return db.execute(sql, params).rowcount

    def get(self, job_id: int) -> Job | None:
        rows = self._read("SELECT * FROM jobs WHERE id=?", job_id)
        return Job.from_row(rows[0]) if rows else None

    def list(self, limit: int = 50) -> list[Job]:
        """Newest first."""
        rows = self._read("SELECT * FROM jobs ORDER BY id DESC LIMIT ?", limit)
        return [Job.from_row(row) for row in rows]

    def cancel(self, job_id: int) -> Job | None:
        """A queued job is cancelled at once; a running one is flagged for its worker to stop."""
        with self._connect(write=True) as db:
            db.execute(
                "UPDATE jobs SET state='cancelled', message='cancelled before it started',"
                " finished_at=? WHERE id=? AND state='queued'",
                (_now(), job_id),
            )
            db.execute(
                "UPDATE jobs SET cancel_requested=1 WHERE id=? AND state='running'", (job_id,)
            )
        return self.get(job_id)

    def cancel_requested(self, job_id: int) -> bool:
        rows = self._read("SELECT cancel_requested FROM jobs WHERE id=?", job_id)
        return bool(rows and rows[0][0])

    def claim_next(self) -> Job | None:
        """Atomically move the oldest queued job whose device set is idle to `running`."""
        with self._connect(write=True) as db:
            row = db.execute(
                "SELECT id FROM jobs WHERE state='queued' AND device NOT IN"
                " (SELECT device FROM jobs WHERE state='running') ORDER BY id LIMIT 1"
            ).fetchone()
            if row is None:
                return None
            db.execute(
                "UPDATE jobs SET state='running', started_at=?, phase='starting' WHERE id=?",
                (_now(), row["id"]),
            )
        return self.get(row["id"])

    def set_progress(self, job_id: int, fraction: float, phase: str) -> None:
        sql = "UPDATE jobs SET progress=?, phase=? WHERE id=? AND state='running'"
        self._write(sql, fraction, phase, job_id)

    def finish(self, job_id: int, state: str, message: str) -> Job | None:
        """End a running job in `state` (done | failed | cancelled | interrupted)."""
        if state not in STATES[2:]:
            raise ValueError(f"state: {state!r} is not a final state")
        self._write(
            "UPDATE jobs SET state=?1, message=?2, finished_at=?3,"
            " progress=CASE WHEN ?1='done' THEN 1 ELSE progress END,"
            " phase=CASE WHEN ?1='done' THEN 'done' ELSE phase END WHERE id=?4",
            *(state, message, _now(), job_id),
        )
        return self.get(job_id)

    def mark_interrupted(self) -> int:
        """At start-up: every job left `running` by a dead worker becomes `interrupted`."""
        sql = "UPDATE jobs SET state='interrupted', message=?, finished_at=? WHERE state='running'"
        return self._write(sql, INTERRUPTED_MESSAGE, _now())
