"""A job queued in the worker's own process wakes it: the app's pages do not wait a poll.

The worker polls once an hour here, so a claim can only come from the wake-up."""

import threading
import time

from runner.queue import JobQueue, wakeup
from runner.spec import JobSpec
from runner.worker import Worker

SPEC = JobSpec(schedule="1F1B", pp=2, microbatches=4, device="cpu")


class ClaimOnly(Worker):
    """Claims like the real worker, runs nothing (the launch is not what is tested)."""

    def run_once(self):
        job = self.queue.claim_next(self.owner)
        if job is not None:
            self.claimed.append(job.id)
        return job


def wait_until(predicate, timeout_s=30.0) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return predicate()


def start(queue: JobQueue) -> tuple[ClaimOnly, threading.Event, threading.Thread]:
    worker = ClaimOnly(queue, poll_s=3600.0)
    worker.claimed = []
    stop = threading.Event()
    thread = threading.Thread(target=worker._loop, args=(stop,), daemon=True)
    thread.start()
    return worker, stop, thread


def test_a_job_queued_in_this_process_is_claimed_without_waiting_for_the_poll(tmp_path):
    queue = JobQueue(tmp_path / "jobs.db", tmp_path / "results")
    worker, stop, thread = start(queue)
    try:
        job = queue.submit(SPEC, "2.13.0", "cpu")
        assert wait_until(lambda: worker.claimed == [job.id])
        assert queue.get(job.id).state == "running"
        second = queue.submit(JobSpec(schedule="GPipe", pp=2, microbatches=4), "2.13.0", "cpu")
        assert worker.claimed == [job.id]  # one running job per device set: it waits
        queue.finish(job.id, "done", "", owner=worker.owner)
        queue.submit(JobSpec(schedule="1F1B", pp=2, microbatches=8), "2.13.0", "cpu")  # wakes it:
        assert wait_until(lambda: worker.claimed == [job.id, second.id])  # oldest first
    finally:
        stop.set()
        wakeup(queue.identity).set()
    thread.join(5.0)
    assert not thread.is_alive()  # the wake-up also ends an idle wait at the stop


def test_another_queue_object_on_the_same_file_wakes_the_worker(tmp_path):
    queue = JobQueue(tmp_path / "jobs.db", tmp_path / "results")
    worker, stop, thread = start(queue)
    try:
        job = JobQueue(tmp_path / "jobs.db", tmp_path / "results").submit(SPEC, "2.13.0", "cpu")
        assert wait_until(lambda: worker.claimed == [job.id])
    finally:
        stop.set()
        wakeup(queue.identity).set()
    thread.join(5.0)


def test_setting_only_the_stop_ends_an_idle_wait(tmp_path):
    """What `python -m runner worker`'s signal handler does: no wake-up, just the stop."""
    queue = JobQueue(tmp_path / "jobs.db", tmp_path / "results")
    _, stop, thread = start(queue)
    assert wait_until(lambda: thread.is_alive())
    stop.set()
    thread.join(30.0)
    assert not thread.is_alive()
