"""A persistent job queue on SQLite: the jobs table, its states, and atomic claims.

    queue = JobQueue("data/jobs.db", "data/results")
    job = queue.submit(validated_spec, torch.__version__, "cpu", "learner:7", LEARNER)
    queue.claim_next(owner)              # the worker (runner/worker.py) does this
    queue.get(job.id).state              # queued -> running -> done | failed | cancelled

Why our own queue and not huey (whose SQLite storage would persist tasks for us): huey
runs a task and records its result, but a lab job needs supervision that huey does not give —
killing a torchrun process tree whose ranks live in sessions of their own (launch.py), one
running job per *device set* ("cpu" or "cuda") so two jobs never share cores or GPUs and
skew each other's timings, live progress and cancel flags that the page reads and writes on
the job's row, and a worker that can live in the Streamlit process itself.

States: queued -> running -> done | failed | cancelled | interrupted. A claim writes the
worker's `owner` id and a fresh `token` on the row (every process of the job carries the
token), then the torchrun `pid`; `finish` only ends a row that is still running *and* still
its caller's. A worker that starts (holding the database's lock, runner/queue_lock.py) kills
whatever carries the token of a row left running, then marks it interrupted. SQLite runs in
WAL mode with one connection per call, so the page and the worker thread never share one.
Admission (who may queue what) is runner/admission.py.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import sqlite3
import uuid
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

from runner import admission
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
_ADDED_COLUMNS = {  # columns added after the first release: ALTER TABLE on older files
    "owner": "TEXT NOT NULL DEFAULT ''",
    "token": "TEXT NOT NULL DEFAULT ''",
    "pid": "INTEGER",
    "heartbeat_at": "TEXT",
    "timeout_s": "REAL",
    "claim_seq": "INTEGER",
}


def default_queue() -> JobQueue:
    """The queue the app and `python -m runner worker` share, in datadir.data_dir()."""
    from datadir import data_dir

    data = data_dir()
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
    requested_by: str  # "learner:<id>" or "instructor:<id>"; empty for CLI/bench jobs
    owner: str = ""  # the worker that claimed it (runner.worker.owner_id())
    token: str = ""  # PARALAB_JOB_TOKEN of every process of the job
    pid: int | None = None  # torchrun's pid, once started
    heartbeat_at: str | None = None  # last sign of life from the owner while it runs
    timeout_s: float | None = None  # the requester's limit; None: the worker's default
    claim_seq: int | None = None  # order of claims, for fair turns between requesters

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
            have = {row[1] for row in db.execute("PRAGMA table_info(jobs)")}
            for name, kind in _ADDED_COLUMNS.items():
                if name not in have:
                    db.execute(f"ALTER TABLE jobs ADD COLUMN {name} {kind}")
            db.commit()

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

    def submit(
        self,
        spec: JobSpec,
        torch_version: str,
        device: str,
        requested_by: str = "",
        limits: admission.Limits | None = None,
    ) -> Job:
        """Queue a validated spec; a spec already run here returns a new row, already done.

        With `limits` (the app's submits): an identical spec already queued or running is
        returned instead of queued again, and admission.Refused says why a request that
        breaks a limit was not queued. Without, nothing is capped (CLI, benchmarks).
        """
        if device not in ("cpu", "cuda"):
            raise ValueError(f"device: must be cpu or cuda (a resolved device), got {device!r}")
        spec = dataclasses.replace(spec, device=device)
        key = spec.key(torch_version, device)
        with self._connect(write=True) as db:
            cached = self._cached(db, key)
            if cached is None and limits is not None:
                joined = admission.admit(db, key, requested_by, limits)
                if joined is not None:
                    return self.get(joined)
            job_id = self._insert(db, spec, key, device, requested_by, limits, cached)
        return self.get(job_id)

    def _insert(self, db, spec, key, device, requested_by, limits, cached) -> int:
        now = _now()
        cur = db.execute(
            "INSERT INTO jobs (spec_json, key, device, state, created_at, requested_by,"
            " timeout_s) VALUES (?, ?, ?, 'queued', ?, ?, ?)",
            (json.dumps(spec.to_dict()), key, device, now, requested_by,
             limits.timeout_s if limits else None),
        )  # fmt: skip
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
        return job_id

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

    def running(self) -> list[Job]:
        return [Job.from_row(r) for r in self._read("SELECT * FROM jobs WHERE state='running'")]

    def active_for(self, requested_by: str) -> Job | None:
        """The requester's newest job still queued or running, if any."""
        rows = self._read(
            "SELECT * FROM jobs WHERE requested_by=? AND state IN ('queued', 'running')"
            " ORDER BY id DESC LIMIT 1",
            requested_by,
        )
        return Job.from_row(rows[0]) if rows else None

    def position(self, job_id: int) -> int | None:
        """1 for the next queued job to start on its device set, 2 after it, …; None if the
        job is not queued."""
        with self._connect() as db:
            row = db.execute("SELECT device, state FROM jobs WHERE id=?", (job_id,)).fetchone()
            if row is None or row["state"] != "queued":
                return None
            order = admission.fair_order(db, row["device"])
        return order.index(job_id) + 1

    def cancel(self, job_id: int, requested_by: str | None = None) -> Job | None:
        """A queued job is cancelled at once; a running one is flagged for its worker to stop.

        With `requested_by`, only that requester's own job is touched.
        """
        mine = "" if requested_by is None else " AND requested_by=?"
        extra = () if requested_by is None else (requested_by,)
        with self._connect(write=True) as db:
            db.execute(
                "UPDATE jobs SET state='cancelled', message='cancelled before it started',"
                " finished_at=? WHERE id=? AND state='queued'" + mine,
                (_now(), job_id, *extra),
            )
            db.execute(
                "UPDATE jobs SET cancel_requested=1 WHERE id=? AND state='running'" + mine,
                (job_id, *extra),
            )
        return self.get(job_id)

    def cancel_requested(self, job_id: int) -> bool:
        rows = self._read("SELECT cancel_requested FROM jobs WHERE id=?", job_id)
        return bool(rows and rows[0][0])

    def claim_next(self, owner: str = "") -> Job | None:
        """Atomically move the next queued job whose device set is idle to `running`.

        Next = fair turns: the requester served longest ago (or never) goes first, then the
        oldest job (admission.fair_order). The row gets `owner` and a fresh token.
        """
        with self._connect(write=True) as db:
            busy = {r[0] for r in db.execute("SELECT device FROM jobs WHERE state='running'")}
            queued = db.execute("SELECT DISTINCT device FROM jobs WHERE state='queued'")
            devices = [r[0] for r in queued]
            ready = [d for d in sorted(devices) if d not in busy]
            candidates = [order[0] for d in ready if (order := admission.fair_order(db, d))]
            if not candidates:
                return None
            job_id = min(candidates)
            seq = db.execute("SELECT COALESCE(MAX(claim_seq), 0) + 1 FROM jobs").fetchone()[0]
            now = _now()
            db.execute(
                "UPDATE jobs SET state='running', started_at=?, heartbeat_at=?, phase='starting',"
                " owner=?, token=?, claim_seq=? WHERE id=?",
                (now, now, owner, uuid.uuid4().hex, seq, job_id),
            )
        return self.get(job_id)

    def set_pid(self, job_id: int, owner: str, pid: int) -> None:
        self._write("UPDATE jobs SET pid=? WHERE id=? AND owner=?", pid, job_id, owner)

    def heartbeat(self, job_id: int, owner: str) -> None:
        sql = "UPDATE jobs SET heartbeat_at=? WHERE id=? AND owner=? AND state='running'"
        self._write(sql, _now(), job_id, owner)

    def set_progress(self, job_id: int, fraction: float, phase: str) -> None:
        sql = "UPDATE jobs SET progress=?, phase=? WHERE id=? AND state='running'"
        self._write(sql, fraction, phase, job_id)

    def finish(self, job_id: int, state: str, message: str, owner: str | None = None):
        """End a running job in `state` (done | failed | cancelled | interrupted).

        Only a row still `running` (and, with `owner`, still claimed by that owner) changes;
        returns the job, or None when the guard left the row alone.
        """
        if state not in STATES[2:]:
            raise ValueError(f"state: {state!r} is not a final state")
        changed = self._write(
            "UPDATE jobs SET state=?1, message=?2, finished_at=?3,"
            " progress=CASE WHEN ?1='done' THEN 1 ELSE progress END,"
            " phase=CASE WHEN ?1='done' THEN 'done' ELSE phase END"
            " WHERE id=?4 AND state='running' AND (?5 IS NULL OR owner=?5)",
            *(state, message, _now(), job_id, owner),
        )
        return self.get(job_id) if changed else None

    def mark_interrupted(self, job_id: int | None = None) -> int:
        """Every job left `running` (or just `job_id`) becomes `interrupted`.

        Only for a worker that holds the database's lock: then no other worker is alive.
        """
        sql = (
            "UPDATE jobs SET state='interrupted', message=?, finished_at=?"
            " WHERE state='running' AND (?3 IS NULL OR id=?3)"
        )
        return self._write(sql, INTERRUPTED_MESSAGE, _now(), job_id)
