"""Queue limits: who may queue, how many, duplicates joined, fair turns (no torch runs)."""

from __future__ import annotations

import dataclasses

import pytest

from runner.admission import INSTRUCTOR, LEARNER, Limits, Refused
from runner.queue import JobQueue
from runner.spec import JobSpec


@pytest.fixture
def queue(tmp_path) -> JobQueue:
    return JobQueue(tmp_path / "jobs.db", tmp_path / "results")


def spec(hidden: int = 64) -> JobSpec:
    return JobSpec(schedule="1F1B", pp=2, microbatches=4, hidden=hidden, device="cpu")


def submit(queue, who: str, hidden: int = 64, limits: Limits = LEARNER):
    return queue.submit(spec(hidden), "2.13.0", "cpu", requested_by=who, limits=limits)


def test_an_anonymous_visitor_cannot_queue(queue):
    with pytest.raises(Refused, match="sign in"):
        submit(queue, "")
    assert queue.list() == []


def test_one_run_per_learner_at_a_time_with_a_clear_reason(queue):
    first = submit(queue, "learner:1")
    with pytest.raises(Refused, match=f"job {first.id}"):
        submit(queue, "learner:1", hidden=128)
    assert len(queue.list()) == 1
    assert queue.active_for("learner:1").id == first.id
    assert first.timeout_s == LEARNER.timeout_s < INSTRUCTOR.timeout_s
    assert submit(queue, "instructor:1", 128, INSTRUCTOR).requested_by == "instructor:1"


def test_an_identical_spec_queued_or_running_is_joined(queue):
    first = submit(queue, "learner:1")
    assert submit(queue, "learner:2").id == first.id
    queue.claim_next("w")
    assert submit(queue, "learner:3").id == first.id  # running: still joined
    assert len(queue.list()) == 1


def test_the_overall_cap_refuses_once_full(queue):
    small = dataclasses.replace(LEARNER, total_queued=2)
    submit(queue, "learner:1", 64, small)
    submit(queue, "learner:2", 128, small)
    with pytest.raises(Refused, match="queue is full"):
        submit(queue, "learner:3", 256, small)


def test_turns_alternate_between_requesters(queue):
    many = dataclasses.replace(INSTRUCTOR, per_requester=5)
    a = [submit(queue, "instructor:1", h, many).id for h in (8, 16, 24)]
    b = submit(queue, "learner:2", 32).id
    assert queue.position(a[0]) == 1
    order = []
    for _ in range(4):
        job = queue.claim_next("w")
        order.append(job.id)
        queue.finish(job.id, "done", "finished", owner="w")
    assert order == [a[0], b, a[1], a[2]]  # the learner is not behind all of a's jobs


def test_queue_position_and_own_cancel(queue):
    first = submit(queue, "learner:1")
    second = submit(queue, "learner:2", 128)
    assert (queue.position(first.id), queue.position(second.id)) == (1, 2)
    assert queue.cancel(second.id, requested_by="learner:1").state == "queued"  # not theirs
    assert queue.cancel(second.id, requested_by="learner:2").state == "cancelled"
    queue.claim_next("w")
    assert queue.position(first.id) is None  # running, not waiting


def test_learners_get_a_smaller_model_budget_than_instructors(queue):
    big = JobSpec(schedule="1F1B", pp=2, microbatches=4, hidden=2048, device="cpu")  # 2.3 GiB
    assert LEARNER.cpu_rank_bytes < big.estimate_bytes_per_rank() <= INSTRUCTOR.cpu_rank_bytes
    with pytest.raises(Refused, match="GiB per rank"):
        queue.submit(big, "2.13.0", "cpu", requested_by="learner:1", limits=LEARNER)
    job = queue.submit(big, "2.13.0", "cpu", requested_by="instructor:1", limits=INSTRUCTOR)
    assert job.state == "queued"
