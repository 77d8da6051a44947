"""The supervisor under real torchrun (tiny fixture workloads), and the SQLite job queue.

Checks outcomes and that no process of a job survives it; never durations.
"""

import threading
import uuid
from pathlib import Path

import pytest

from runner import launch
from runner.job_table import CACHE_MESSAGE
from runner.queue import JobQueue
from runner.spec import JobSpec
from runner.worker import Worker, ensure_worker_thread, stop_worker_threads
from tests.integration.conftest import alive, wait_for

pytestmark = pytest.mark.integration

FIXTURES = Path(__file__).parent / "fixtures"
SPEC = JobSpec(schedule="1F1B", pp=2, microbatches=4, device="cpu")


class Watcher:
    """A should_cancel that records every process carrying the job's token while it runs."""

    def __init__(self, token: str, out: Path, cancel_when_ready: bool) -> None:
        self.token, self.out, self.cancel_when_ready = token, out, cancel_when_ready
        self.seen: set[int] = set()

    def ready(self) -> bool:
        return all((self.out / f"ready-{rank}").exists() for rank in range(SPEC.stages))

    def __call__(self) -> bool:
        self.seen.update(launch.find_marked(self.token))
        return self.cancel_when_ready and self.ready() and len(self.seen) > SPEC.stages


def run_fixture(tmp_path: Path, name: str, *, timeout_s: float, cancel: bool = False):
    token = uuid.uuid4().hex
    watcher = Watcher(token, tmp_path / "out", cancel)
    result = launch.run(
        SPEC,
        tmp_path / "out",
        timeout_s=timeout_s,
        log_path=tmp_path / "log.txt",
        should_cancel=watcher,
        workload_module=str(FIXTURES / name),
        token=token,
    )
    assert result.token == token
    assert launch.find_marked(token) == []
    assert not [pid for pid in watcher.seen if alive(pid)]
    return result, watcher


def test_timeout_kills_ranks_that_ignore_sigterm(tmp_path):
    result, watcher = run_fixture(tmp_path, "sleepy.py", timeout_s=15)
    assert result.status == "timeout"
    assert result.trace_path is None
    assert watcher.ready(), (tmp_path / "log.txt").read_text()[-2000:]
    assert len(watcher.seen) > SPEC.stages  # torchrun and both ranks were seen, then killed


def test_cancel_kills_the_whole_tree(tmp_path):
    result, watcher = run_fixture(tmp_path, "sleepy.py", timeout_s=120, cancel=True)
    assert result.status == "cancelled"
    assert watcher.ready()


def test_crash_reports_the_failing_ranks_exception(tmp_path):
    result, _ = run_fixture(tmp_path, "crashy.py", timeout_s=120)
    assert result.status == "failed"
    assert "boom from rank 1" in result.message
    assert "ValueError" in result.message
    assert (tmp_path / "out" / "SPEC.json").is_file()


def test_failure_message_falls_back_to_the_log(tmp_path):
    log = tmp_path / "log.txt"
    log.write_text(
        "[rank1]: Traceback (most recent call last):\n"
        '[rank1]:   File "x.py", line 3, in <module>\n'
        "[rank1]: RuntimeError: shapes do not match\n"
        "Traceback (most recent call last):\n"
        '  File "run.py", line 9, in main\n'
        "torch.distributed.elastic.multiprocessing.errors.ChildFailedError: \n"
    )
    message = launch.failure_message(tmp_path, log, 1)
    assert message == "RuntimeError: shapes do not match"
    assert "status 1" in launch.failure_message(tmp_path, tmp_path / "missing.txt", 1)


def test_queue_state_transitions(tmp_path):
    queue = JobQueue(tmp_path / "jobs.db", tmp_path / "results")
    job = queue.submit(SPEC, "2.13.0", "cpu", requested_by="learner-1")
    assert job.state == "queued" and job.requested_by == "learner-1"
    assert job.log_path == tmp_path / "results" / str(job.id) / "log.txt"
    claimed = queue.claim_next()
    assert claimed.id == job.id and claimed.state == "running" and claimed.started_at
    assert queue.claim_next() is None
    queue.set_progress(job.id, 0.5, "measure")
    assert (queue.get(job.id).progress, queue.get(job.id).phase) == (0.5, "measure")
    queue.cancel(job.id)
    assert queue.get(job.id).cancel_requested
    done = queue.finish(job.id, "failed", "ValueError: boom")
    assert (done.state, done.message) == ("failed", "ValueError: boom")
    queued = queue.submit(SPEC, "2.13.0", "cpu")
    assert queue.cancel(queued.id).state == "cancelled"
    assert [j.id for j in queue.list(10)] == [queued.id, job.id]


def test_cache_hit_returns_a_new_job_already_done(tmp_path):
    queue = JobQueue(tmp_path / "jobs.db", tmp_path / "results")
    first = queue.submit(SPEC, "2.13.0", "cpu")
    queue.claim_next()
    first.out_dir.mkdir(parents=True)
    (first.out_dir / "trace.json").write_text("{}")
    queue.finish(first.id, "done", "finished")
    again = queue.submit(SPEC, "2.13.0", "cpu")
    assert again.id != first.id
    assert (again.state, again.message, again.progress) == ("done", CACHE_MESSAGE, 1.0)
    assert again.trace_path == first.out_dir / "trace.json"
    assert queue.submit(SPEC, "2.12.0", "cpu").state == "queued"  # other torch: no hit


def test_running_job_becomes_interrupted_after_restart(tmp_path):
    queue = JobQueue(tmp_path / "jobs.db", tmp_path / "results")
    job = queue.submit(SPEC, "2.13.0", "cpu")
    queue.claim_next()
    restarted = JobQueue(tmp_path / "jobs.db", tmp_path / "results")
    assert restarted.mark_interrupted() == 1
    row = restarted.get(job.id)
    assert row.state == "interrupted"
    assert "stopped" in row.message


def test_one_running_job_per_device_set_under_racing_claims(tmp_path):
    queue = JobQueue(tmp_path / "jobs.db", tmp_path / "results")
    for _ in range(4):
        queue.submit(SPEC, "2.13.0", "cpu")
    queue.submit(JobSpec(device="cuda"), "2.13.0", "cuda")
    barrier = threading.Barrier(6)
    claimed = []

    def claim() -> None:
        barrier.wait()
        claimed.append(queue.claim_next())

    threads = [threading.Thread(target=claim) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    jobs = [job for job in claimed if job is not None]
    assert sorted(job.device for job in jobs) == ["cpu", "cuda"]
    running = [job for job in queue.list(10) if job.state == "running"]
    assert sorted(job.device for job in running) == ["cpu", "cuda"]


def test_two_workers_run_queued_jobs_one_at_a_time(tmp_path):
    queue = JobQueue(tmp_path / "jobs.db", tmp_path / "results")
    ids = [queue.submit(JobSpec(device="cpu", hidden=h), "2.13.0", "cpu").id for h in (8, 16)]
    options = {"timeout_s": 120, "poll_s": 0.1, "workload_module": str(FIXTURES / "quick.py")}
    workers = [Worker(queue, **options), Worker(queue, **options)]
    observed_running: list[int] = []
    stop = threading.Event()

    def watch() -> None:
        while not stop.is_set():
            observed_running.append(sum(job.state == "running" for job in queue.list(10)))
            stop.wait(0.05)

    watcher = threading.Thread(target=watch)
    watcher.start()
    threads = [threading.Thread(target=worker.run_once) for worker in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    while queue.get(ids[1]).state == "queued" or queue.get(ids[0]).state == "queued":
        Worker(queue, **options).run_once()  # whichever worker lost the race runs the rest
    stop.set()
    watcher.join()
    assert max(observed_running) <= 1
    for job_id in ids:
        job = queue.get(job_id)
        assert (job.state, job.progress, job.phase) == ("done", 1.0, "done"), job.message
        assert job.trace_path is not None and job.log_path.is_file()


def test_cancel_through_the_queue_stops_a_running_job(tmp_path):
    queue = JobQueue(tmp_path / "jobs.db", tmp_path / "results")
    job = queue.submit(SPEC, "2.13.0", "cpu")
    worker = Worker(queue, timeout_s=120, poll_s=0.1, workload_module=str(FIXTURES / "sleepy.py"))
    thread = threading.Thread(target=worker.run_once)
    thread.start()
    wait_for(lambda: (job.out_dir / "ready-1").exists(), "the ranks to start")
    queue.cancel(job.id)
    thread.join()
    assert queue.get(job.id).state == "cancelled"
    assert not [pid for pid in map(int, _ready_pids(job.out_dir)) if alive(pid)]


def _ready_pids(out: Path) -> list[str]:
    return [path.read_text() for path in out.glob("ready-*")]


def test_worker_thread_is_started_once_and_serves_the_queue(tmp_path):
    queue = JobQueue(tmp_path / "jobs.db", tmp_path / "results")
    stale = queue.submit(SPEC, "2.13.0", "cpu")
    queue.claim_next()  # left running by a previous app process
    options = {"poll_s": 0.1, "workload_module": str(FIXTURES / "quick.py")}
    try:
        first = ensure_worker_thread(queue, **options)
        assert ensure_worker_thread(JobQueue(queue.db_path, queue.results_dir), **options) is first
        wait_for(lambda: queue.get(stale.id).state == "interrupted", "the start-up clean-up")
        job = queue.submit(JobSpec(device="cpu", hidden=64), "2.13.0", "cpu")
        wait_for(lambda: queue.get(job.id).state not in ("queued", "running"), "the job to end")
        assert queue.get(job.id).state == "done", queue.get(job.id).message
    finally:
        stop_worker_threads()
    assert not first.is_alive()


def test_stopping_the_worker_interrupts_the_job_in_flight(tmp_path):
    queue = JobQueue(tmp_path / "jobs.db", tmp_path / "results")
    job = queue.submit(SPEC, "2.13.0", "cpu")
    worker = Worker(queue, timeout_s=120, poll_s=0.1, workload_module=str(FIXTURES / "sleepy.py"))
    stop = threading.Event()
    thread = threading.Thread(target=worker.run_forever, args=(stop,))
    thread.start()
    wait_for(lambda: (job.out_dir / "ready-1").exists(), "the ranks to start")
    stop.set()
    thread.join()
    assert queue.get(job.id).state == "interrupted"
    assert not [pid for pid in map(int, _ready_pids(job.out_dir)) if alive(pid)]
