"""The worker that runs the queue's jobs one at a time, in the app or beside it.

    queue = default_queue()
    ensure_worker_thread(queue)          # in the app; or `python -m runner worker` beside it

A worker claims the oldest job whose device set is idle (runner/queue.py), runs it through
launch.run (torchrun, supervised), and writes its progress and end state to the job's row.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
from pathlib import Path
from typing import Any

from runner import launch
from runner.queue import Job, JobQueue

log = logging.getLogger(__name__)


@dataclasses.dataclass
class Worker:
    """Runs queued jobs one at a time through launch.run, writing progress to the job's row."""

    queue: JobQueue
    _: dataclasses.KW_ONLY
    timeout_s: float = 300.0
    """Seconds a job may run before it is killed."""
    poll_s: float = 1.0
    """Seconds between looks at an empty queue."""
    workload_module: str | None = None
    """What torchrun runs (tests pass a fixture script)."""
    stopping: threading.Event = dataclasses.field(default_factory=threading.Event)
    """Set to stop the job in flight (it then ends as interrupted)."""

    def run_once(self) -> Job | None:
        """Claim one job and run it to its end; None when nothing could be claimed."""
        job = self.queue.claim_next()
        if job is None:
            return None
        log.info(
            "job %d: %s on %d %s ranks", job.id, job.spec.describe(), job.spec.ranks, job.device
        )
        job.out_dir.mkdir(parents=True, exist_ok=True)
        queue, job_id, stopping = self.queue, job.id, self.stopping
        try:
            result = launch.run(
                job.spec,
                job.out_dir,
                timeout_s=self.timeout_s,
                log_path=job.log_path,
                should_cancel=lambda: stopping.is_set() or queue.cancel_requested(job_id),
                on_progress=lambda fraction, phase: queue.set_progress(job_id, fraction, phase),
                workload_module=self.workload_module,
            )
        except Exception as exc:  # a launcher bug must not leave the row "running"
            log.exception("job %d: the launcher failed", job_id)
            return queue.finish(job_id, "failed", f"{type(exc).__name__}: {exc}")
        log.info("job %d: %s: %s", job_id, result.status, result.message)
        if result.status == "cancelled" and not queue.cancel_requested(job_id):
            return queue.finish(job_id, "interrupted", "the worker stopped while it ran")
        return queue.finish(job_id, result.status, result.message)

    def run_forever(self, stop_event: threading.Event) -> None:
        """Run jobs until `stop_event` is set; a job in flight then ends as interrupted."""
        self.stopping = stop_event
        while not stop_event.is_set():
            try:
                if self.run_once() is not None:
                    continue
            except Exception:  # e.g. the database is briefly unreadable: keep the worker alive
                log.exception("worker: could not claim or finish a job")
            stop_event.wait(self.poll_s)


_workers: dict[Path, tuple[threading.Thread, threading.Event]] = {}
_workers_lock = threading.Lock()


def ensure_worker_thread(queue: JobQueue, **worker_options: Any) -> threading.Thread:
    """Start this process's single daemon worker for `queue`'s database (idempotent).

    A per-process registry is the point here: the app calls this on every session, and one
    worker per database must exist. The first call marks jobs an earlier process left
    `running` as interrupted.
    """
    db = queue.db_path.resolve()
    with _workers_lock:
        if db in _workers and _workers[db][0].is_alive():
            return _workers[db][0]
        queue.mark_interrupted()
        stop = threading.Event()
        worker = Worker(queue, **worker_options)
        thread = threading.Thread(
            target=worker.run_forever, args=(stop,), name="paralab-worker", daemon=True
        )
        thread.start()
        _workers[db] = (thread, stop)
        return thread


def stop_worker_threads(timeout_s: float = 30.0) -> None:
    """Stop the workers ensure_worker_thread started (a job in flight ends as interrupted)."""
    with _workers_lock:
        workers = list(_workers.values())
        _workers.clear()
    for _, stop in workers:
        stop.set()
    for thread, _ in workers:
        thread.join(timeout_s)
