"""Faults of the runner, reproduced with real torchrun jobs (fixture workloads on gloo CPU):
a worker killed with -9 mid-job, a second worker on the same database, a database that
fails under the worker, a Streamlit server stopped mid-job.

Each test checks which processes are left and what the job's row says; never durations.
Every wait is bounded, and anything a test started is killed by pid at its end.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from runner import launch
from runner.queue import JobQueue
from runner.spec import JobSpec
from runner.warm_pool import job_processes
from runner.worker import Worker
from tests.integration.conftest import alive, wait_for

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).parent / "fixtures"
SPEC = JobSpec(schedule="1F1B", pp=2, microbatches=4, device="cpu")


def rank_pids(out: Path) -> list[int]:
    return [int(p.read_text()) for p in out.glob("ready-*")]


class Procs:
    """Processes a test started, and rank pids it saw: all SIGKILLed by pid at the end."""

    def __init__(self) -> None:
        self.procs: list[subprocess.Popen] = []
        self.pids: set[int] = set()

    def worker(self, queue: JobQueue, workload: str = "sleepy.py") -> subprocess.Popen:
        cmd = [sys.executable, str(FIXTURES / "worker_proc.py"), str(queue.db_path),
               str(queue.results_dir), str(FIXTURES / workload)]  # fmt: skip
        env = {**os.environ, "PARALAB_INSTRUCTOR_PASSCODE": "must-not-reach-ranks"}
        proc = subprocess.Popen(
            cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
        )
        self.procs.append(proc)
        return proc

    def cleanup(self) -> None:
        for pid in [*(p.pid for p in self.procs), *self.pids]:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        for proc in self.procs:
            proc.wait(10)


@pytest.fixture
def procs():
    started = Procs()
    yield started
    started.cleanup()


def running_job(queue: JobQueue, procs: Procs, workload: str = "sleepy.py"):
    """Submit a job, start a worker process on it, wait until both ranks are up."""
    job = queue.submit(SPEC, "2.13.0", "cpu", requested_by="learner:1")
    worker = procs.worker(queue, workload)
    wait_for(lambda: len(rank_pids(job.out_dir)) == SPEC.stages, "both ranks to start")
    procs.pids.update(rank_pids(job.out_dir))
    return job, worker


def test_kill_9_of_the_worker_takes_its_ranks_along_and_restart_interrupts(tmp_path, procs):
    queue = JobQueue(tmp_path / "jobs.db", tmp_path / "results")
    job, worker = running_job(queue, procs)
    token = queue.get(job.id).token
    assert token and queue.get(job.id).pid  # recorded before the ranks ran
    for pid in rank_pids(job.out_dir):  # the app's secrets stay out of the ranks (item 7)
        assert b"must-not-reach-ranks" not in Path(f"/proc/{pid}/environ").read_bytes()
    worker.kill()  # kill -9: no clean-up code of the worker runs
    worker.wait(10)
    ranks = rank_pids(job.out_dir)
    # a rank in the middle of exiting has no environment left but is not a zombie yet:
    # wait for both (a rank that survived would still be alive at the limit)
    wait_for(lambda: not launch.find_marked(token) and not [p for p in ranks if alive(p)],
             "the job's processes to die", 15)  # fmt: skip
    assert queue.get(job.id).state == "running"  # nobody has looked yet
    procs.worker(queue)  # the restart
    wait_for(lambda: queue.get(job.id).state == "interrupted", "the restart to clean up")
    assert not launch.find_marked(token)


def test_restart_kills_what_still_carries_a_running_jobs_token(tmp_path, procs):
    """Defence in depth: a process that escaped its launcher (no PDEATHSIG) still dies."""
    queue = JobQueue(tmp_path / "jobs.db", tmp_path / "results")
    job = queue.submit(SPEC, "2.13.0", "cpu", requested_by="learner:1")
    claimed = queue.claim_next("dead-owner")
    env = {**os.environ, launch.TOKEN_VAR: claimed.token}
    orphan = subprocess.Popen(
        [sys.executable, "-c", "import time; time.sleep(300)"], env=env, start_new_session=True
    )
    procs.procs.append(orphan)
    wait_for(lambda: orphan.pid in launch.find_marked(claimed.token), "the orphan to start")
    stop = threading.Event()
    worker = Worker(queue, poll_s=0.1, workload_module=str(FIXTURES / "quick.py"))
    thread = threading.Thread(target=worker.run_forever, args=(stop,))
    thread.start()
    try:
        wait_for(lambda: queue.get(job.id).state == "interrupted", "the start-up clean-up")
        assert orphan.wait(10) == -signal.SIGKILL
    finally:
        stop.set()
        thread.join(30)


def test_a_second_worker_refuses_and_leaves_the_running_job_alone(tmp_path, procs):
    queue = JobQueue(tmp_path / "jobs.db", tmp_path / "results")
    job, _ = running_job(queue, procs)
    env = {**os.environ, "PARALAB_DATA_DIR": str(tmp_path)}
    second = subprocess.run(
        [sys.executable, "-m", "runner", "worker", "--db", str(queue.db_path)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert second.returncode != 0
    assert "another worker" in second.stderr and len(second.stderr.strip().splitlines()) == 1
    assert queue.get(job.id).state == "running"
    assert all(alive(pid) for pid in rank_pids(job.out_dir))


def test_finish_is_guarded_by_owner_and_state(tmp_path):
    queue = JobQueue(tmp_path / "jobs.db", tmp_path / "results")
    job = queue.submit(SPEC, "2.13.0", "cpu")
    queue.claim_next("owner-a")
    assert queue.finish(job.id, "done", "finished", owner="owner-b") is None
    assert queue.get(job.id).state == "running"
    queue.mark_interrupted()
    assert queue.finish(job.id, "done", "finished", owner="owner-a") is None
    assert queue.get(job.id).state == "interrupted"  # the row does not flip back


class FlakyQueue(JobQueue):
    """A queue whose worker-side writes (progress, pid, heartbeat, finish) fail like a full
    disk while `full` is set; the page's cancel still gets through."""

    full = False

    def _write(self, sql: str, *params: object) -> int:
        if self.full:
            raise sqlite3.OperationalError("database or disk is full")
        return super()._write(sql, *params)


def test_a_database_error_at_the_end_of_a_job_is_retried_until_it_lands(tmp_path):
    queue = FlakyQueue(tmp_path / "jobs.db", tmp_path / "results")
    job = queue.submit(SPEC, "2.13.0", "cpu")
    stop = threading.Event()
    worker = Worker(queue, poll_s=0.1, workload_module=str(FIXTURES / "sleepy.py"))
    thread = threading.Thread(target=worker.run_forever, args=(stop,))
    thread.start()
    try:
        wait_for(lambda: len(rank_pids(job.out_dir)) == SPEC.stages, "both ranks to start")
        token = queue.get(job.id).token
        queue.full = True  # the disk fills while the job runs
        queue.cancel(job.id)
        wait_for(lambda: not launch.find_marked(token), "the job to be stopped")
        wait_for(lambda: worker.pending, "the worker to fail to record the end")
        time.sleep(0.5)  # a few more failed tries
        assert queue.get(job.id).state == "running", worker.pending
        queue.full = False  # space again
        wait_for(lambda: queue.get(job.id).state != "running", "the end to be recorded")
        ended = queue.get(job.id)
        assert (ended.state, worker.pending) == ("cancelled", []), ended.message
    finally:
        stop.set()
        thread.join(30)


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_sigterm_of_the_streamlit_server_stops_its_job_cleanly(tmp_path, procs):
    """The app's own worker (started with the server) runs a real pipeline job; SIGTERM."""
    data = tmp_path / "data"
    env = {**os.environ, "PARALAB_DATA_DIR": str(data)}
    cmd = [sys.executable, "-m", "ui.serve", "--server.headless=true",
           f"--server.port={_free_port()}", "--server.address=127.0.0.1",
           "--browser.gatherUsageStats=false"]  # fmt: skip
    log = open(tmp_path / "server.log", "wb")  # noqa: SIM115
    server = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    procs.procs.append(server)
    queue = JobQueue(data / "jobs.db", data / "results")
    long_run = JobSpec(schedule="1F1B", pp=2, microbatches=4, iterations=20, device="cpu")
    job = queue.submit(long_run, "2.13.0", "cpu", requested_by="learner:1")
    wait_for(lambda: queue.get(job.id).state == "running", "the server's worker to claim it")
    token = queue.get(job.id).token
    # the server's worker forks CPU ranks from its warm pool (no token: a process group)
    alive = lambda: job_processes(token, queue.get(job.id).pid)  # noqa: E731
    wait_for(lambda: len(alive()) > SPEC.stages, "the job's leader and its ranks")
    procs.pids.update(alive())
    server.send_signal(signal.SIGTERM)
    server.wait(60)
    assert not alive(), (tmp_path / "server.log").read_text()[-3000:]
    assert queue.get(job.id).state == "interrupted"


def test_a_second_apps_worker_thread_stands_by_then_takes_over(tmp_path, procs):
    """Two app processes on one data folder: the second's thread waits for the lock."""
    from runner.worker import ensure_worker_thread, stop_worker_threads

    queue = JobQueue(tmp_path / "jobs.db", tmp_path / "results")
    job, first = running_job(queue, procs)
    try:
        ensure_worker_thread(queue, poll_s=0.1, workload_module=str(FIXTURES / "quick.py"))
        time.sleep(1)  # it would have interrupted the live job by now, before the fix
        assert queue.get(job.id).state == "running"
        assert all(alive(pid) for pid in rank_pids(job.out_dir))
        first.kill()  # the first app dies: the standby takes the lock and cleans up
        wait_for(lambda: queue.get(job.id).state == "interrupted", "the standby to take over")
        after = queue.submit(JobSpec(hidden=64, device="cpu"), "2.13.0", "cpu")
        wait_for(lambda: queue.get(after.id).state == "done", "the standby to run a job")
    finally:
        stop_worker_threads()
