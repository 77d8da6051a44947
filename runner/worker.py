"""The worker that runs the queue's jobs one at a time, in the app or beside it.

    queue = default_queue()
    ensure_worker_thread(queue)          # in the app; or `python -m runner worker` beside it

A worker claims the next job whose device set is idle (runner/queue.py), runs it through a
launcher (runner/launchers: `local` torchrun supervisor by default, or `slurm`), and writes
its progress, where it runs and its end state to the job's row.

Faults it is built for (tests/integration/test_faults.py reproduces each):
1. Its process dies, even by `kill -9`: torchrun and the ranks die with it (runner/tether.py);
   the next worker to start kills whatever still carries the token of a job left `running`,
   then marks the job interrupted (`recover`).
2. A second worker on the same database: on SQLite only the holder of the database's lock
   (runner/queue_lock.py) consumes it; the CLI refuses, the app's thread stands by until the
   lock is free. On PostgreSQL several workers (one per app replica) share the queue: claims
   skip each other's rows, and recovery touches only jobs whose heartbeat went stale (checked
   again every HEARTBEAT_STALE_S). `finish` only changes a row still running and this worker's.
3. The database fails under it (disk full): progress and heartbeat writes are skipped, and
   the job's end is kept and written again until it lands; nothing new is claimed meanwhile.
"""

from __future__ import annotations

import atexit
import dataclasses
import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

from runner import launch, launchers
from runner.job_table import Job
from runner.queue import HEARTBEAT_STALE_S, JobQueue, wakeup
from runner.queue_lock import QueueLock, SharedQueue
from storage.db import store_errors

log = logging.getLogger(__name__)
STOP_CHECK_S = 0.25


def owner_id() -> str:
    """`host:pid:random`: names one worker on the job rows it claims."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class WorkerBusy(RuntimeError):
    """Another worker holds the database's lock; `str()` is one line saying which."""


@dataclasses.dataclass
class Worker:
    """Runs queued jobs one at a time through a launcher, writing progress to the job's row."""

    queue: JobQueue
    _: dataclasses.KW_ONLY
    timeout_s: float = 300.0
    """Seconds a job may run before it is killed, unless its row sets its own limit."""
    poll_s: float = 1.0
    """Seconds between looks at an empty queue (or at a database that failed); a job queued
    from this process (the app's pages) wakes the worker at once (runner.queue.wakeup)."""
    workload_module: str | None = None
    """What torchrun runs (tests pass a fixture script)."""
    heartbeat_s: float = 5.0
    """Seconds between heartbeats written on the running job's row."""
    stopping: threading.Event = dataclasses.field(default_factory=threading.Event)
    """Set to stop the job in flight (it then ends as interrupted)."""
    owner: str = dataclasses.field(default_factory=owner_id)
    """This worker's id on the rows it claims."""
    pending: list[tuple[int, str, str]] = dataclasses.field(default_factory=list)
    """Job ends (id, state, message) the database has not taken yet."""
    launcher: str | None = None
    """runner/launchers name; None: $PARALAB_LAUNCHER, else local."""
    warm_pool: Any = None
    """A runner.warm_pool.WarmPool: local CPU jobs fork their ranks from it (torch already
    imported) instead of starting torchrun; None: torchrun for every job."""

    def __post_init__(self) -> None:
        launch.check_timeout(self.timeout_s)

    def recover(self) -> int:
        """Kill what still carries the token of a job left running, then interrupt the job.

        SQLite: call only while holding the database's lock (no other worker is then alive).
        PostgreSQL: only jobs whose heartbeat went stale; the interrupt re-checks it.
        """
        queue = self.queue
        jobs = queue.running() if queue.exclusive else queue.stale_running()
        for job in jobs:
            killed = launch.kill_marked(job.token)
            if job.launcher == "slurm":
                launchers.abandon_slurm(job.out_dir)
            log.warning("job %d: left running by %s; %d process(es) killed", job.id, job.owner,
                        killed)  # fmt: skip
            queue.mark_interrupted(job.id)
        return len(jobs)

    def run_once(self) -> Job | None:
        """Claim one job and run it to its end; None when nothing could be claimed."""
        if not self.flush():
            return None  # an earlier job's end is not written yet: claim nothing new
        job = self.queue.claim_next(self.owner)
        if job is None:
            return None
        log.info(
            "job %d: %s on %d %s ranks", job.id, job.spec.describe(), job.spec.ranks, job.device
        )
        job.out_dir.mkdir(parents=True, exist_ok=True)
        queue = self.queue
        try:
            launcher = launchers.get(self.launcher)
            if self._pooled(launcher, job):
                return self._finish(job.id, *self._outcome(job.id, self._run_pooled(job)))
            result = launchers.run(
                launcher,
                job.spec,
                job.out_dir,
                timeout_s=job.timeout_s or self.timeout_s,
                log_path=job.log_path,
                should_cancel=self._should_cancel(job.id),
                on_progress=_quietly(lambda f, phase: queue.set_progress(job.id, f, phase)),
                on_pid=_quietly(lambda pid: queue.set_pid(job.id, self.owner, pid)),
                on_start=_quietly(lambda h: queue.set_location(job.id, h.launcher, h.where)),
                on_status=_quietly(lambda st: _locate(queue, job.id, launcher.name, st.where)),
                workload_module=self.workload_module,
                token=job.token,
            )
        except Exception as exc:  # a launcher bug must not leave the row "running"
            log.exception("job %d: the launcher failed", job.id)
            return self._finish(job.id, "failed", f"{type(exc).__name__}: {exc}")
        log.info("job %d: %s: %s", job.id, result.status, result.message)
        return self._finish(job.id, *self._outcome(job.id, result))

    def _pooled(self, launcher, job: Job) -> bool:
        return (
            self.warm_pool is not None
            and launcher.name == "local"
            and job.device == "cpu"
            and self.workload_module is None
        )

    def _run_pooled(self, job: Job) -> launch.LaunchResult:
        """launch.run's contract, ranks forked from the warm pool (runner/warm_pool.py)."""
        queue = self.queue
        _quietly(queue.set_location)(job.id, "local", f"{socket.gethostname()} (warm pool)")
        return self.warm_pool.run(
            job.spec,
            job.out_dir,
            timeout_s=job.timeout_s or self.timeout_s,
            log_path=job.log_path,
            should_cancel=self._should_cancel(job.id),
            on_progress=_quietly(lambda f, phase: queue.set_progress(job.id, f, phase)),
            on_start=_quietly(lambda pid: queue.set_pid(job.id, self.owner, pid)),
            token=job.token,
        )

    def _outcome(self, job_id: int, result: launch.LaunchResult) -> tuple[str, str]:
        if result.status == "timeout":
            return "failed", result.message
        if result.status == "cancelled" and not _quietly(self.queue.cancel_requested)(job_id):
            return "interrupted", "the worker stopped while it ran"
        return result.status, result.message

    def _should_cancel(self, job_id: int) -> Callable[[], bool]:
        """Stop on the worker's stop event or the row's cancel flag; heartbeat on the way."""
        last_beat = time.monotonic()

        def should_cancel() -> bool:
            nonlocal last_beat
            if time.monotonic() - last_beat >= self.heartbeat_s:
                last_beat = time.monotonic()
                _quietly(self.queue.heartbeat)(job_id, self.owner)
            return self.stopping.is_set() or bool(_quietly(self.queue.cancel_requested)(job_id))

        return should_cancel

    def _finish(self, job_id: int, state: str, message: str) -> Job | None:
        self.pending.append((job_id, state, message))
        self.flush()
        return self.queue.get(job_id) if not self.pending else None

    def flush(self) -> bool:
        """Write the job ends the database refused before; True once none is left."""
        while self.pending:
            job_id, state, message = self.pending[0]
            try:
                if self.queue.finish(job_id, state, message, owner=self.owner) is None:
                    log.warning("job %d: no longer this worker's running job; left as it is",
                                job_id)  # fmt: skip
            except store_errors() as err:
                log.error("job %d: could not record %s (%s); will retry", job_id, state, err)
                return False
            self.pending.pop(0)
        return True

    def run_forever(self, stop_event: threading.Event, wait_for_lock: bool = False) -> None:
        """Hold the database's lock, recover, then run jobs until `stop_event` is set.

        Without `wait_for_lock`, WorkerBusy if another worker holds the lock; with it, wait
        (standby) until that worker is gone. A job in flight at the stop ends as interrupted.
        """
        self.stopping = stop_event
        lock = QueueLock(self.queue.db_path) if self.queue.exclusive else SharedQueue()
        while not lock.acquire(self.owner):
            if not wait_for_lock:
                raise WorkerBusy(
                    f"another worker ({lock.holder()}) already consumes {self.queue.identity};"
                    " stop it first, or let the app's own worker run the jobs"
                )
            if stop_event.wait(self.poll_s):
                return
        try:
            if self.warm_pool is not None:  # from this thread, which lives as long as the app;
                self.warm_pool.spawn()  # torch is imported while the first visitor reads
            self._loop(stop_event)
        finally:
            lock.release()

    def _loop(self, stop_event: threading.Event) -> None:
        recovered = None  # when recover last ran; shared queues look again for stale jobs
        while not stop_event.is_set():
            try:
                due = recovered is None or (
                    not self.queue.exclusive and time.monotonic() - recovered > HEARTBEAT_STALE_S
                )
                if due:
                    count = self.recover()
                    if count or recovered is None:
                        log.info("worker %s: %d job(s) interrupted", self.owner, count)
                    recovered = time.monotonic()
                if self.run_once() is not None:
                    continue
            except Exception:  # e.g. the database is briefly unreadable: keep the worker alive
                log.exception("worker: could not claim or finish a job")
            self._idle(stop_event)
        self.flush()

    def _idle(self, stop_event: threading.Event) -> None:
        """Wait `poll_s`, or less: until a job is queued in this process or the stop (looked
        at every STOP_CHECK_S, so a signal handler that only sets the stop is heard)."""
        wake = wakeup(self.queue.identity)
        deadline = time.monotonic() + self.poll_s
        while not stop_event.is_set():
            left = deadline - time.monotonic()
            if left <= 0:
                return
            if wake.wait(min(left, STOP_CHECK_S)):
                wake.clear()
                return


def _locate(queue: JobQueue, job_id: int, launcher: str, where: str) -> None:
    """Keep the row's location current (Slurm knows the nodes only once the job runs)."""
    if where:
        queue.set_location(job_id, launcher, where)


def _quietly(write: Callable[..., Any]) -> Callable[..., Any]:
    """`write`, but a failing database only logs (progress, heartbeats: the job goes on)."""

    def call(*args: Any) -> Any:
        try:
            return write(*args)
        except store_errors() as err:
            log.warning("%s skipped: %s", getattr(write, "__name__", "write"), err)
            return None

    return call


_workers: dict[str, tuple[threading.Thread, threading.Event]] = {}
_workers_lock = threading.Lock()
_atexit_registered = False


def ensure_worker_thread(queue: JobQueue, **worker_options: Any) -> threading.Thread:
    """Start this process's single daemon worker for `queue`'s database (idempotent).

    A per-process registry is the point here: the app calls this on every session, and one
    worker per database must exist. The thread stands by while another process's worker
    holds the database; the first time it holds it, it cleans up after dead workers. It is
    stopped at interpreter exit (a Streamlit server's SIGTERM), so its job ends interrupted.
    """
    global _atexit_registered
    db = queue.identity
    with _workers_lock:
        if db in _workers and _workers[db][0].is_alive():
            return _workers[db][0]
        if not _atexit_registered:
            atexit.register(stop_worker_threads)
            _atexit_registered = True
        stop = threading.Event()
        worker = Worker(queue, **worker_options)
        thread = threading.Thread(
            target=worker.run_forever, args=(stop, True), name="paralab-worker", daemon=True
        )
        thread.start()
        _workers[db] = (thread, stop)
        return thread


def stop_worker_threads(timeout_s: float = 30.0) -> None:
    """Stop the workers ensure_worker_thread started (a job in flight ends as interrupted)."""
    with _workers_lock:
        workers = list(_workers.items())
        _workers.clear()
    for db, (_, stop) in workers:
        stop.set()
        wakeup(db).set()  # an idle worker sees the stop now, not at its next poll
    for _, (thread, _) in workers:
        thread.join(timeout_s)
