"""The job queue on both engines (SQLite and a real PostgreSQL 15): claims, owners, heartbeats,
and two app replicas sharing one PostgreSQL queue."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from runner.queue import JobQueue
from runner.spec import JobSpec
from runner.worker import Worker

FIXTURES = Path(__file__).resolve().parents[1] / "integration" / "fixtures"


@pytest.fixture(params=["sqlite", "postgresql"])
def target(request, tmp_path):
    """Where a queue lives: a SQLite file, or a fresh PostgreSQL database."""
    if request.param == "sqlite":
        return tmp_path / "jobs.db"
    return request.getfixturevalue("pg_url")


def _submit(queue: JobQueue, count: int, device: str = "cpu") -> list[int]:
    return [
        queue.submit(JobSpec(device=device, hidden=8 + i), "t", device).id for i in range(count)
    ]


def test_concurrent_claims_take_each_job_once_and_one_per_device(target, tmp_path):
    queues = [JobQueue(target, tmp_path / "results") for _ in range(4)]  # 4 workers' handles
    ids = _submit(queues[0], 6) + _submit(queues[0], 6, "cuda")
    claimed: list[tuple[str, int]] = []
    lock, start = threading.Lock(), threading.Barrier(len(queues))

    def work(n: int) -> None:
        start.wait()
        for _ in range(40):
            job = queues[n].claim_next(f"w{n}")
            if job is None:
                continue
            running = [j for j in queues[n].list(100) if j.state == "running"]
            assert len([j for j in running if j.device == job.device]) == 1
            with lock:
                claimed.append((job.owner, job.id))
            queues[n].finish(job.id, "done", "ok")

    threads = [threading.Thread(target=work, args=(n,)) for n in range(len(queues))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert sorted(job_id for _, job_id in claimed) == sorted(ids)  # every job, exactly once
    assert all(queues[0].get(i).state == "done" for i in ids)
    assert {owner for owner, _ in claimed} <= {f"w{n}" for n in range(len(queues))}


def test_owner_and_heartbeat_and_who_may_interrupt(target, tmp_path):
    queue = JobQueue(target, tmp_path / "results")
    (job_id,) = _submit(queue, 1)
    job = queue.claim_next("worker-a")
    assert (job.id, job.owner, job.state) == (job_id, "worker-a", "running")
    assert job.heartbeat_at is not None
    assert queue.heartbeat(job_id, "worker-a") is True
    assert queue.heartbeat(job_id, "worker-b") is False  # not its job
    queue.set_location(job_id, "local", "vm (local)")
    assert (queue.get(job_id).launcher, queue.get(job_id).location) == ("local", "vm (local)")
    assert queue.mark_interrupted(stale_after_s=3600) == 0  # heartbeat fresh: left alone
    assert queue.mark_interrupted(stale_after_s=-5) == 1  # heartbeat older than the cutoff
    assert queue.get(job_id).state == "interrupted"


def test_a_starting_postgres_replica_does_not_interrupt_a_live_job(pg_url, tmp_path):
    one = JobQueue(pg_url, tmp_path / "results")
    (job_id,) = _submit(one, 1)
    one.claim_next("replica-1")
    other = JobQueue(pg_url, tmp_path / "results")  # a second replica starts
    assert other.mark_interrupted() == 0
    assert other.get(job_id).state == "running"


def test_a_postgres_worker_recovers_only_jobs_whose_heartbeat_went_stale(pg_url, tmp_path):
    queue = JobQueue(pg_url, tmp_path / "results")
    dead, live = _submit(queue, 1) + _submit(queue, 1, "cuda")
    queue.claim_next("dead-replica")
    queue.claim_next("live-replica")
    with queue.db.write() as conn:  # the dead replica stopped beating ten minutes ago
        conn.execute("UPDATE jobs SET heartbeat_at='2000-01-01T00:00:00Z' WHERE id=?", (dead,))
    worker = Worker(JobQueue(pg_url, tmp_path / "results"))  # another replica's worker
    assert worker.recover() == 1
    assert queue.get(dead).state == "interrupted" and queue.get(live).state == "running"
    stop = threading.Event()
    stop.set()
    worker.run_forever(stop)  # no file lock on a shared queue: a second worker may start


def test_admission_caps_hold_across_replicas_submitting_at_once(pg_url, tmp_path):
    from runner import admission
    from runner.admission import GIB

    limits = admission.Limits(per_requester=1, total_queued=20, timeout_s=60, cpu_rank_bytes=GIB)
    replicas = [JobQueue(pg_url, tmp_path / "results") for _ in range(4)]
    outcomes: list = []
    start = threading.Barrier(len(replicas))

    def submit(n: int) -> None:
        start.wait()
        try:
            spec = JobSpec(device="cpu", hidden=16 + n)  # different specs: none is joined
            outcomes.append(replicas[n].submit(spec, "t", "cpu", "learner:1", limits).id)
        except admission.Refused as refused:
            outcomes.append(str(refused))

    threads = [threading.Thread(target=submit, args=(n,)) for n in range(len(replicas))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert len([o for o in outcomes if isinstance(o, int)]) == 1, outcomes
    assert len(outcomes) == len(replicas)


def test_a_job_submitted_on_one_replica_runs_exactly_once(pg_url, tmp_path):
    results = tmp_path / "results"
    replicas = [JobQueue(pg_url, results), JobQueue(pg_url, results)]
    job = replicas[0].submit(JobSpec(device="cpu"), "t", "cpu", requested_by="learner:1")
    assert replicas[1].get(job.id).state == "queued"  # seen through the other replica
    workers = [Worker(q, workload_module=str(FIXTURES / "quick.py")) for q in replicas]
    ran: list = [None, None]
    start = threading.Barrier(2)

    def run(n: int) -> None:
        start.wait()
        ran[n] = workers[n].run_once()

    threads = [threading.Thread(target=run, args=(n,)) for n in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(180)
    finished = [r for r in ran if r is not None]
    assert len(finished) == 1, ran  # one worker claimed it, the other found nothing
    assert finished[0].state == "done" and finished[0].trace_path is not None
    final = replicas[1].get(job.id)
    assert final.owner in {w.owner for w in workers}
    assert final.launcher == "local" and final.location.endswith("(local)")
