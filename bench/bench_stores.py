"""Store sizing: answers/s and p95 record_attempt latency, SQLite vs PostgreSQL; jobs/minute.

    .venv/bin/python bench/bench_stores.py [--seconds 3] [--jobs 6]

Starts its own PostgreSQL 15 (tests/engines/servers.py, durable: fsync and synchronous
commit on, so acknowledged = stored on both engines) on a free 127.0.0.1 port and stops it
after. Writers are threads of one process (one app replica), each answering as its own
learner for a fixed time; every call returns only after its transaction committed. The
queue figure runs real torchrun jobs of the tiny fixture workload (tests/integration/
fixtures/quick.py) through the queue and local launcher, with 1 and 3 workers: it measures
claim → launch → finish overhead, not model compute. On SQLite one worker holds the file's
lock and the others stand by (runner/queue_lock.py), so "3 workers" there is one consumer;
on PostgreSQL all three claim (one running job per device set either way). Figures print;
nothing is asserted. The scratch folder (databases, results) is removed at the end.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "engines")]

from servers import PostgresServer  # noqa: E402

from classroom.store import Store  # noqa: E402
from runner.queue import JobQueue  # noqa: E402
from runner.spec import JobSpec  # noqa: E402
from runner.worker import Worker  # noqa: E402

QUICK = str(ROOT / "tests" / "integration" / "fixtures" / "quick.py")


def writers(store: Store, count: int, seconds: float) -> tuple[float, float]:
    """(answers/s, p95 ms) with `count` threads writing for `seconds`."""
    learners = [store.create_learner(f"bench {i}") for i in range(count)]
    latencies: list[list[float]] = [[] for _ in range(count)]
    start, stop = threading.Barrier(count + 1), threading.Event()

    def write(i: int) -> None:
        start.wait()
        n = 0
        while not stop.is_set():
            t0 = time.perf_counter()
            store.record_attempt(learners[i].id, "bench", f"q{n % 20}", ["a", n], 0.5, 0.5, False)
            latencies[i].append(time.perf_counter() - t0)
            n += 1

    threads = [threading.Thread(target=write, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    time.sleep(seconds)
    stop.set()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    every = [x for per in latencies for x in per]
    stored = len(store.attempts(lesson_id="bench"))
    assert stored >= len(every), "an acknowledged answer is missing"  # acknowledged = stored
    p95 = statistics.quantiles(every, n=20)[-1] * 1000 if len(every) > 1 else float("nan")
    return len(every) / elapsed, p95


def jobs_per_minute(queue: JobQueue, workers: int, jobs: int) -> float:
    for i in range(jobs):
        queue.submit(JobSpec(device="cpu", hidden=8 + i), f"bench-{time.time()}", "cpu")
    stop = threading.Event()
    pool = [Worker(queue, poll_s=0.2, workload_module=QUICK) for _ in range(workers)]
    began = time.perf_counter()
    threads = [threading.Thread(target=w.run_forever, args=(stop, True)) for w in pool]
    for thread in threads:
        thread.start()
    while any(job.state in ("queued", "running") for job in queue.list(jobs)):
        time.sleep(0.2)
    elapsed = time.perf_counter() - began
    stop.set()
    for thread in threads:
        thread.join()
    done = [job for job in queue.list(jobs) if job.state == "done"]
    return len(done) / elapsed * 60


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0, help="per writer-count run")
    parser.add_argument("--jobs", type=int, default=6, help="jobs per queue run")
    args = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="paralab-bench-"))
    scratch.chmod(0o755)
    try:
        with PostgresServer(scratch / "pg", durable=True) as pg:
            answers(pg.url, scratch, args.seconds)
            queue_rates(pg.url, scratch, args.jobs)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def answers(pg_url: str, scratch: Path, seconds: float) -> None:
    print("engine      writers  answers/s  p95 ms")
    for count in (1, 10, 50):
        for name, target in (("sqlite", scratch / f"s{count}.db"), ("postgresql", pg_url)):
            store = Store(target)
            rate, p95 = writers(store, count, seconds)
            print(f"{name:<11} {count:>7}  {rate:>9.0f}  {p95:>6.1f}", flush=True)
            if name == "postgresql":
                with store._write() as conn:
                    conn.execute("DELETE FROM learners")


def queue_rates(pg_url: str, scratch: Path, jobs: int) -> None:
    print("\nengine      workers  jobs/min (tiny torchrun jobs, one device set)")
    for name, target in (("sqlite", scratch / "jobs.db"), ("postgresql", pg_url)):
        for workers in (1, 3):
            queue = JobQueue(target, scratch / f"results-{name}-{workers}")
            with queue._connect(write=True) as conn:
                conn.execute("DELETE FROM jobs")
            rate = jobs_per_minute(queue, workers, jobs)
            print(f"{name:<11} {workers:>7}  {rate:>8.1f}", flush=True)


if __name__ == "__main__":
    main()
