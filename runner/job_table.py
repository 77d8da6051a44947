"""The jobs table: its schema (one list of migrations for SQLite and PostgreSQL), its
states, and its row as a `Job`. The queue that reads and writes it is runner/queue.py.

    from runner.job_table import Job, STATES
    job = Job.from_row(row)              # a row of `SELECT * FROM jobs`
    job.trace_path                       # the trace, once done
"""

from __future__ import annotations

import dataclasses
import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

from runner.spec import JobSpec, from_mapping
from storage.db import Database

STATES = ("queued", "running", "done", "failed", "cancelled", "interrupted")
CACHE_MESSAGE = "served from cache"
INTERRUPTED_MESSAGE = "the app stopped while this job ran; submit it again"

_ADDED_COLUMNS = {  # migration 2: the trust columns (owner, token, pid, …)
    "owner": "TEXT NOT NULL DEFAULT ''",
    "token": "TEXT NOT NULL DEFAULT ''",
    "pid": "INTEGER",
    "heartbeat_at": "TEXT",
    "timeout_s": "REAL",
    "claim_seq": "INTEGER",
}
MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (  # IF NOT EXISTS: files made before versioning already have these
        """CREATE TABLE IF NOT EXISTS jobs (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            spec_json TEXT NOT NULL, key TEXT NOT NULL, device TEXT NOT NULL,
            state TEXT NOT NULL, progress REAL NOT NULL DEFAULT 0, phase TEXT NOT NULL DEFAULT '',
            message TEXT NOT NULL DEFAULT '', created_at TEXT NOT NULL, started_at TEXT,
            finished_at TEXT, out_dir TEXT NOT NULL DEFAULT '', log_path TEXT NOT NULL DEFAULT '',
            cancel_requested INTEGER NOT NULL DEFAULT 0, requested_by TEXT NOT NULL DEFAULT '')""",
        "CREATE INDEX IF NOT EXISTS jobs_state ON jobs(state, device)",
        "CREATE INDEX IF NOT EXISTS jobs_key ON jobs(key, state)",
    ),
    tuple(f"ALTER TABLE jobs ADD COLUMN {name} {kind}" for name, kind in _ADDED_COLUMNS.items()),
    (
        "ALTER TABLE jobs ADD COLUMN launcher TEXT NOT NULL DEFAULT ''",
        "ALTER TABLE jobs ADD COLUMN location TEXT NOT NULL DEFAULT ''",
        "CREATE UNIQUE INDEX jobs_one_running_per_device ON jobs(device) WHERE state = 'running'",
    ),
)
"""`MIGRATIONS[i]` takes the jobs schema from version i to i + 1; append, never edit."""


def utc_now(delta_s: float = 0.0) -> str:
    moment = datetime.now(timezone.utc) + timedelta(seconds=delta_s)
    return moment.isoformat(timespec="seconds").replace("+00:00", "Z")


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
    launcher: str = ""  # runner/launchers: local | slurm
    location: str = ""  # where it runs, in the launcher's words ("vm (local)", "Slurm job 7")

    @property
    def trace_path(self) -> Path | None:
        path = self.out_dir / "trace.json"
        return path if self.state == "done" and path.is_file() else None

    @classmethod
    def from_row(cls, row) -> Job:
        data = dict(row)
        data["spec"] = from_mapping(json.loads(data.pop("spec_json")))
        data["out_dir"], data["log_path"] = Path(data["out_dir"]), Path(data["log_path"])
        data["cancel_requested"] = bool(data["cancel_requested"])
        return cls(**data)


def adopt_unversioned(db: Database) -> None:
    """A jobs.db made before versioned migrations (user_version 0, its columns added one by
    one): add what it lacks of migrations 1–2 and call it version 2, so migration 3 applies."""
    if db.schema_version("jobs") != 0:
        return
    with db.write() as conn:
        have = {row[1] for row in conn.execute("PRAGMA table_info(jobs)")}
        if not have or conn.execute("PRAGMA user_version").fetchone()[0] != 0:
            return  # a new file: the migrations make everything
        for name, kind in _ADDED_COLUMNS.items():
            if name not in have:
                conn.execute(f"ALTER TABLE jobs ADD COLUMN {name} {kind}")
        conn.execute("PRAGMA user_version=2")
