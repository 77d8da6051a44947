"""Old import path, kept for code not yet moved: the queue is runner/queue.py, the worker
runner/worker.py. New code imports those."""

from runner.queue import CACHE_MESSAGE, INTERRUPTED_MESSAGE, STATES, Job, JobQueue, default_queue
from runner.worker import Worker, ensure_worker_thread, stop_worker_threads

__all__ = [
    "CACHE_MESSAGE",
    "INTERRUPTED_MESSAGE",
    "STATES",
    "Job",
    "JobQueue",
    "Worker",
    "default_queue",
    "ensure_worker_thread",
    "stop_worker_threads",
]
