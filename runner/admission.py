"""Who may queue what: per-requester and overall caps, joined duplicates, fair turns.

    queue.submit(spec, torch, "cpu", requested_by="learner:7", limits=LEARNER)
    # -> the job; the identical job already queued or running; or admission.Refused("…")

One visitor must not be able to hold the machine: the app queues only for a signed-in
requester (`learner:<id>`, `instructor:<id>`), each may have `per_requester` jobs queued or
running at once, at most `total_queued` wait overall, and an identical spec (same cache key)
already queued or running is joined, not run twice. Learners get a shorter time limit than
instructors, who run the bigger demonstrations in front of a class. Turns are fair: the next
job to start belongs to the requester whose last job started longest ago (or never).
These functions run inside the queue's write transaction (`db` holds BEGIN IMMEDIATE).
"""

from __future__ import annotations

import dataclasses
import sqlite3


@dataclasses.dataclass(frozen=True)
class Limits:
    """What one requester may ask of the queue."""

    per_requester: int
    """Jobs one requester may have queued or running at once."""
    total_queued: int
    """Jobs that may wait in the queue at once, from everyone."""
    timeout_s: float
    """Seconds one of the requester's jobs may run before it is killed."""
    cpu_rank_bytes: int
    """Estimated memory one CPU rank may need (spec.estimate_bytes_per_rank()); GPU runs are
    bounded by the GPU's memory in validation instead."""


GIB = 1024**3
LEARNER = Limits(per_requester=1, total_queued=20, timeout_s=120.0, cpu_rank_bytes=1 * GIB)
INSTRUCTOR = Limits(per_requester=3, total_queued=20, timeout_s=600.0, cpu_rank_bytes=4 * GIB)


class Refused(ValueError):
    """A request the limits do not allow; `str()` is one line for the requester."""


def admit(db: sqlite3.Connection, spec, key: str, requested_by: str, limits: Limits) -> int | None:
    """The id of an identical job to join, or None to queue a new one; Refused otherwise."""
    if not requested_by:
        raise Refused("sign in on the course page to run jobs")
    need = spec.estimate_bytes_per_rank()
    if spec.device == "cpu" and need > limits.cpu_rank_bytes:
        raise Refused(
            f"about {need / GIB:.1f} GiB per rank is more than the "
            f"{limits.cpu_rank_bytes / GIB:.0f} GiB a run of yours may use here; "
            "choose a smaller model"
        )
    same = db.execute(
        "SELECT id FROM jobs WHERE key=? AND state IN ('queued', 'running') ORDER BY id LIMIT 1",
        (key,),
    ).fetchone()
    if same is not None:
        return same[0]
    mine = db.execute(
        "SELECT id FROM jobs WHERE requested_by=? AND state IN ('queued', 'running')",
        (requested_by,),
    ).fetchall()
    if len(mine) >= limits.per_requester:
        ids = ", ".join(str(row[0]) for row in mine)
        raise Refused(
            f"you already have {len(mine)} run(s) queued or running (job {ids}); "
            "wait for it to finish or cancel it"
        )
    waiting = db.execute("SELECT COUNT(*) FROM jobs WHERE state='queued'").fetchone()[0]
    if waiting >= limits.total_queued:
        raise Refused(f"the queue is full ({waiting} runs waiting); try again in a few minutes")
    return None


def fair_order(db: sqlite3.Connection, device: str) -> list[int]:
    """Ids of the jobs queued on `device`, in the order they will start.

    Sort key: the requester's latest claim (0 if never served), then the job id; jobs with
    no requester (CLI, benchmarks) count as one requester.
    """
    rows = db.execute(
        "SELECT q.id, COALESCE((SELECT MAX(p.claim_seq) FROM jobs p"
        " WHERE p.requested_by = q.requested_by), 0) AS served"
        " FROM jobs q WHERE q.state='queued' AND q.device=? ORDER BY served, q.id",
        (device,),
    ).fetchall()
    return [row[0] for row in rows]
