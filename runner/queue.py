"""A persistent job queue on SQLite or PostgreSQL: the jobs table, its states, atomic claims.

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
its caller's, and the worker refreshes `heartbeat_at` while the job runs. Admission (who may
queue what) is runner/admission.py.

Storage is storage/db.py, with the table's MIGRATIONS (runner/job_table.py) for both engines:
- SQLite (`jobs.db`, the default): WAL, one connection per call; one consuming worker per
  file (the lock of runner/queue_lock.py), so a worker that starts knows every row left
  running is a dead worker's: it kills what carries the row's token and interrupts it.
- PostgreSQL (a postgresql:// URL, $PARALAB_DATABASE_URL): several workers and app replicas
  share the queue. A claim locks its row with `SELECT … FOR UPDATE SKIP LOCKED`, a partial
  unique index allows one `running` row per device set, admission runs under an advisory
  lock; only a running row whose heartbeat is older than HEARTBEAT_STALE_S counts as left by
  a dead worker, so a replica that starts never interrupts another's job.
"""

from __future__ import annotations

import dataclasses
import json
import threading
import uuid
from pathlib import Path

from runner import admission
from runner.job_table import (
    CACHE_MESSAGE,
    INTERRUPTED_MESSAGE,
    MIGRATIONS,
    STATES,
    Job,
    adopt_unversioned,
    utc_now,
)
from runner.spec import JobSpec
from storage.db import Database, configured_url, open_database, shared

HEARTBEAT_STALE_S = 60.0
"""A running job whose heartbeat is older than this has lost its worker (workers beat every 5 s)."""

_wakeups: dict[str, threading.Event] = {}
_wakeups_lock = threading.Lock()


def wakeup(identity: str) -> threading.Event:
    """Set when a job is queued on the database `identity` by this process: a worker in the
    same process (the app's) claims it at once instead of at its next poll."""
    with _wakeups_lock:
        return _wakeups.setdefault(identity, threading.Event())


def default_queue() -> JobQueue:
    """The queue the app and `python -m runner worker` share: PostgreSQL at
    $PARALAB_DATABASE_URL, else datadir.data_dir()/jobs.db; results in $PARALAB_RESULTS_DIR
    (a folder every replica and cluster node mounts, for PostgreSQL) or data_dir()/results."""
    import os

    from datadir import data_dir

    url = configured_url()
    results = os.environ.get("PARALAB_RESULTS_DIR")
    data = data_dir() if not (url and results) else None
    return JobQueue(shared(url) if url else data / "jobs.db", results or data / "results")


class JobQueue:
    """Jobs persisted in SQLite or PostgreSQL; results of job N live in results_dir/N/."""

    def __init__(self, db_path: str | Path | Database, results_dir: str | Path) -> None:
        self.db = db_path if hasattr(db_path, "dialect") else open_database(db_path)
        self.db_path = Path(self.db.where) if self.db.dialect == "sqlite" else None
        """The SQLite file; None on PostgreSQL."""
        self.results_dir = Path(results_dir)
        self.results_dir.mkdir(parents=True, exist_ok=True)
        if self.db_path is not None:
            adopt_unversioned(self.db)
        self.db.migrate("jobs", MIGRATIONS)

    @property
    def exclusive(self) -> bool:
        """One consuming worker per database (SQLite's file lock); False: several share it."""
        return self.db.dialect == "sqlite"

    @property
    def identity(self) -> str:
        """Which database this queue is (messages, the worker registry's key)."""
        return str(self.db_path.resolve()) if self.db_path else self.db.where

    def _connect(self, write: bool = False):
        """One transaction on a connection of its own; `write` takes the write lock up front
        on SQLite (BEGIN IMMEDIATE)."""
        return self.db.write() if write else self.db.read()

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
            self.db.serialize(db, "jobs submit")  # caps are read-then-insert
            cached = self._cached(db, key)
            if cached is None and limits is not None:
                joined = admission.admit(db, spec, key, requested_by, limits)
                if joined is not None:
                    return self.get(joined)
            job_id = self._insert(db, spec, key, device, requested_by, limits, cached)
        if cached is None:  # committed: wake this process's worker
            wakeup(self.identity).set()
        return self.get(job_id)

    def _insert(self, db, spec, key, device, requested_by, limits, cached) -> int:
        now = utc_now()
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
    def _cached(db, key: str) -> Job | None:
        rows = db.execute(
            "SELECT * FROM jobs WHERE key=? AND state='done' ORDER BY id DESC", (key,)
        ).fetchall()
        jobs = (Job.from_row(row) for row in rows)
        return next((job for job in jobs if job.trace_path is not None), None)

    def _read(self, sql: str, *params: object) -> list:
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
                (utc_now(), job_id, *extra),
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
        oldest job (admission.fair_order). The row gets `owner` and a fresh token. On
        PostgreSQL a row another worker is claiming is skipped (SKIP LOCKED), and a claim
        that would make a second running job on a device set is refused by the unique index:
        None, as when nothing is claimable.
        """
        try:
            with self._connect(write=True) as db:
                job_id = self._pick(db)
                if job_id is None:
                    return None
                seq = db.execute("SELECT COALESCE(MAX(claim_seq), 0) + 1 FROM jobs").fetchone()[0]
                now = utc_now()
                db.execute(
                    "UPDATE jobs SET state='running', started_at=?, heartbeat_at=?,"
                    " phase='starting', owner=?, token=?, claim_seq=? WHERE id=?",
                    (now, now, owner, uuid.uuid4().hex, seq, job_id),
                )
        except self.db.integrity_error:
            return None
        return self.get(job_id)

    def _pick(self, db) -> int | None:
        """The id of the job to claim, its row locked (PostgreSQL) for this transaction."""
        busy = {r[0] for r in db.execute("SELECT device FROM jobs WHERE state='running'")}
        queued = db.execute("SELECT DISTINCT device FROM jobs WHERE state='queued'")
        ready = [d for d in sorted(r[0] for r in queued) if d not in busy]
        candidates = [order for d in ready if (order := admission.fair_order(db, d))]
        for job_id in sorted(order[0] for order in candidates):
            locked = db.execute(
                "SELECT id FROM jobs WHERE id=? AND state='queued'" + self.db.claim_lock,
                (job_id,),
            ).fetchone()
            if locked is not None:
                return job_id
        return None

    def set_pid(self, job_id: int, owner: str, pid: int) -> None:
        self._write("UPDATE jobs SET pid=? WHERE id=? AND owner=?", pid, job_id, owner)

    def heartbeat(self, job_id: int, owner: str) -> bool:
        """The owner is alive and still runs the job; False when it is no longer its job."""
        sql = "UPDATE jobs SET heartbeat_at=? WHERE id=? AND owner=? AND state='running'"
        return self._write(sql, utc_now(), job_id, owner) == 1

    def set_location(self, job_id: int, launcher: str, location: str) -> None:
        """Which launcher runs the job, and where (shown on the lab page)."""
        self._write("UPDATE jobs SET launcher=?, location=? WHERE id=?", launcher, location, job_id)

    def stale_running(self, stale_after_s: float = HEARTBEAT_STALE_S) -> list[Job]:
        """Running jobs whose owner has not beaten for `stale_after_s` (PostgreSQL's recovery)."""
        rows = self._read(
            "SELECT * FROM jobs WHERE state='running'"
            " AND (heartbeat_at IS NULL OR heartbeat_at < ?)",
            utc_now(-stale_after_s),
        )
        return [Job.from_row(r) for r in rows]

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
            *(state, message, utc_now(), job_id, owner),
        )
        return self.get(job_id) if changed else None

    def mark_interrupted(
        self, job_id: int | None = None, stale_after_s: float | None = None
    ) -> int:
        """Every job left `running` (or just `job_id`) becomes `interrupted`.

        SQLite: only for a worker that holds the database's lock (then no other worker is
        alive), and every running row counts. PostgreSQL, or with `stale_after_s`: only rows
        whose heartbeat is older than `stale_after_s` (HEARTBEAT_STALE_S by default), checked
        in the UPDATE itself, so a job whose worker beats in between is left alone.
        """
        if stale_after_s is None and not self.exclusive:
            stale_after_s = HEARTBEAT_STALE_S
        cutoff = None if stale_after_s is None else utc_now(-stale_after_s)
        sql = (
            "UPDATE jobs SET state='interrupted', message=?, finished_at=?"
            " WHERE state='running' AND (?3 IS NULL OR id=?3)"
            " AND (?4 IS NULL OR heartbeat_at IS NULL OR heartbeat_at < ?4)"
        )
        return self._write(sql, INTERRUPTED_MESSAGE, utc_now(), job_id, cutoff)
