"""Fault probe: kill and restart the runner the ways an operator (or a crash) would, with real
torchrun pipeline jobs on CPU, and print what is left. Never asserts; prints a table.

    $ python bench/fault_probe.py            # all scenarios, ~2-3 min on 2 cores
    $ python bench/fault_probe.py kill9 full # some of them

Scenarios (issue 13, items 1-3):
  kill9    `python -m runner worker` is killed with -9 mid-job, then started again
  kill9app the Streamlit server (`python -m ui.serve`, the app's own worker thread) is killed
           with -9 mid-job, then started again
  sigterm  the Streamlit server gets SIGTERM mid-job
  second   a second `python -m runner worker` is started on the same database mid-job
  full     the disk holding jobs.db fills up while a job runs, then space comes back (needs
           root to mount a 2 MiB tmpfs; skipped otherwise)
For each: processes still carrying the job's token, and the job's state, at each step.
Everything started here is stopped by pid at the end of its scenario.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from runner.launch import find_marked  # noqa: E402
from runner.queue import JobQueue  # noqa: E402
from runner.spec import JobSpec  # noqa: E402

SPEC = JobSpec(schedule="1F1B", pp=2, microbatches=4, iterations=20, device="cpu")
rows: list[tuple[str, str, str, str]] = []


def wait_for(condition, limit_s: float = 90.0) -> bool:
    deadline = time.monotonic() + limit_s
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.2)
    return True


def note(scenario: str, step: str, queue: JobQueue, job_id: int, token: str = "") -> None:
    try:
        job = queue.get(job_id)
    except Exception as err:  # a full disk fails readers too (the WAL index)
        left = find_marked(token) if token else []
        rows.append((scenario, step, str(len(left)), f"database unreadable: {err}"))
        return
    left = find_marked(job.token) if job.token else []
    rows.append((scenario, step, str(len(left)), f"{job.state} ({job.message or job.phase})"))


def start(cmd: list[str], data: Path, log: str) -> subprocess.Popen:
    env = {**os.environ, "PARALAB_DATA_DIR": str(data)}
    out = open(data / log, "ab")  # noqa: SIM115
    return subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)


def worker(data: Path, *extra: str) -> subprocess.Popen:
    return start([sys.executable, "-m", "runner", "worker", "--poll", "0.2", *extra], data,
                 "worker.log")  # fmt: skip


def running_job(queue: JobQueue) -> int:
    """Queue the long spec; return its id once torchrun and both ranks carry its token."""
    job = queue.submit(SPEC, "probe", "cpu", requested_by="probe")
    wait_for(lambda: queue.get(job.id).state == "running")
    wait_for(lambda: len(find_marked(queue.get(job.id).token)) > SPEC.stages)
    wait_for(lambda: queue.get(job.id).phase not in ("", "starting"), 60)  # ranks are working
    return job.id


def stop_all(procs: list[subprocess.Popen], queue: JobQueue, job_id: int) -> None:
    for proc in procs:
        with contextlib.suppress(ProcessLookupError):
            proc.kill()
        proc.wait()
    for pid in find_marked(queue.get(job_id).token):  # the probe must leave nothing itself
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


def kill9(data: Path) -> None:
    queue = JobQueue(data / "jobs.db", data / "results")
    first = worker(data)
    job_id = running_job(queue)
    note("kill9", "job running", queue, job_id)
    first.kill()
    first.wait()
    time.sleep(3)
    note("kill9", "3 s after kill -9 of the worker", queue, job_id)
    again = worker(data)
    wait_for(lambda: queue.get(job_id).state != "running", 30)
    note("kill9", "after the restart", queue, job_id)
    stop_all([again], queue, job_id)


def app_server(data: Path) -> subprocess.Popen:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return start([sys.executable, "-m", "ui.serve", "--server.headless=true",
                  f"--server.port={port}", "--server.address=127.0.0.1",
                  "--browser.gatherUsageStats=false"], data, "server.log")  # fmt: skip


def kill9app(data: Path) -> None:
    queue = JobQueue(data / "jobs.db", data / "results")
    server = app_server(data)
    job_id = running_job(queue)
    note("kill9app", "job running in the app's worker thread", queue, job_id)
    server.kill()
    server.wait()
    time.sleep(3)
    note("kill9app", "3 s after kill -9 of the server", queue, job_id)
    again = app_server(data)
    wait_for(lambda: queue.get(job_id).state != "running", 60)
    note("kill9app", "after the server's restart", queue, job_id)
    stop_all([again], queue, job_id)


def sigterm(data: Path) -> None:
    queue = JobQueue(data / "jobs.db", data / "results")
    server = app_server(data)
    job_id = running_job(queue)
    note("sigterm", "job running in the app's worker", queue, job_id)
    server.send_signal(signal.SIGTERM)
    server.wait(60)
    note("sigterm", "after SIGTERM of the server", queue, job_id)
    stop_all([server], queue, job_id)


def second(data: Path) -> None:
    queue = JobQueue(data / "jobs.db", data / "results")
    first = worker(data)
    job_id = running_job(queue)
    env = {**os.environ, "PARALAB_DATA_DIR": str(data)}
    other = subprocess.run([sys.executable, "-m", "runner", "worker"], cwd=ROOT, env=env,
                           capture_output=True, text=True, timeout=60)  # fmt: skip
    rows.append(
        (
            "second",
            f"second worker exit {other.returncode}",
            "-",
            other.stderr.strip().splitlines()[-1][:90] if other.stderr.strip() else "",
        )
    )
    note("second", "first worker's job after that", queue, job_id)
    wait_for(lambda: queue.get(job_id).state != "running", 120)
    note("second", "when the first worker finished it", queue, job_id)
    stop_all([first], queue, job_id)


def full(data: Path) -> None:
    mnt = data / "small-disk"
    mnt.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mnt)],
                             capture_output=True, text=True)  # fmt: skip
    if mounted.returncode != 0:
        rows.append(("full", "skipped: cannot mount a tmpfs here", "-", mounted.stderr.strip()))
        return
    try:
        queue = JobQueue(mnt / "jobs.db", data / "results")
        first = worker(data, "--db", str(mnt / "jobs.db"), "--results", str(data / "results"))
        job_id = running_job(queue)
        token = queue.get(job_id).token
        filler = mnt / "filler"
        with contextlib.suppress(OSError), open(filler, "wb") as f:
            while True:
                f.write(b"\0" * 65536)
        note("full", "disk filled while the job runs", queue, job_id, token)
        wait_for(lambda: not find_marked(token), 120)
        time.sleep(2)
        note("full", "job's processes ended, disk still full", queue, job_id, token)
        filler.unlink()
        wait_for(lambda: queue.get(job_id).state != "running", 30)
        note("full", "after space came back", queue, job_id)
        stop_all([first], queue, job_id)
    finally:
        subprocess.run(["umount", "-l", str(mnt)], check=False)


SCENARIOS = {"kill9": kill9, "kill9app": kill9app, "sigterm": sigterm, "second": second,
             "full": full}  # fmt: skip


def main(names: list[str]) -> None:
    for name in names or list(SCENARIOS):
        with tempfile.TemporaryDirectory(prefix=f"paralab-fault-{name}-") as tmp:
            SCENARIOS[name](Path(tmp))
    print("| scenario | step | processes left with the job's token | job state |")
    print("|---|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main(sys.argv[1:])
