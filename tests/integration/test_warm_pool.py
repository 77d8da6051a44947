"""The warm pool (runner/warm_pool.py): real gloo ranks forked from a parent with torch
imported, supervised as strictly as torchrun jobs. Checks order and outcomes, never timings."""

from __future__ import annotations

import os
import signal
import threading
import time
import types

import pytest

from runner import trace
from runner.spec import JobSpec
from runner.warm_pool import WarmPool, in_group


@pytest.fixture(scope="module")
def pool():
    p = WarmPool()
    p.start()
    yield p
    p.stop()


def spec(**kw) -> JobSpec:
    return JobSpec(**{"schedule": "1F1B", "pp": 2, "microbatches": 4, "device": "cpu", **kw})


HANG = "tests.integration.fixtures.pool_hang"


@pytest.fixture
def hung(monkeypatch):
    """Pool jobs run fixtures/pool_hang.py: ranks that ignore SIGTERM and never finish, so
    cancel, timeout and a dead zygote meet a running job however fast the machine is (a
    real 20-step job once finished inside a 3 s timeout on CI)."""
    monkeypatch.setattr(
        "runner.warm_pool.registry.get", lambda name: types.SimpleNamespace(module=HANG)
    )


def _ranks_up(out, ranks: int = 2) -> bool:
    return all((out / f"ready-{r}").exists() for r in range(ranks))


def _run_in_thread(pool, out, **kw):
    """Start a job in a thread; (thread, box) where box gets 'leader' and 'result'."""
    box: dict = {}

    def go():
        box["result"] = pool.run(
            spec(iterations=20),
            out,
            log_path=out / "log.txt",
            on_start=lambda pid: box.setdefault("leader", pid),
            **kw,
        )

    t = threading.Thread(target=go)
    t.start()
    return t, box


def _wait_for(predicate, timeout_s: float = 120.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not predicate():
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.1)


def test_a_pool_job_writes_the_same_trace_as_torchrun(pool, tmp_path):
    progress = []
    result = pool.run(
        spec(),
        tmp_path,
        timeout_s=240,
        log_path=tmp_path / "log.txt",
        on_progress=lambda f, phase: progress.append(phase),
    )
    assert result.status == "done", result.message + (tmp_path / "log.txt").read_text()[-2000:]
    t = trace.load(result.trace_path)
    assert {e["rank"] for e in t["events"]} == {0, 1}
    assert t["meta"]["world_size"] == 2 and t["meta"]["backend"] == "gloo"
    assert progress[0] == "warmup" and progress[-1] == "done"


def test_cancel_kills_every_rank(pool, tmp_path, hung):
    cancel = threading.Event()
    t, box = _run_in_thread(pool, tmp_path, timeout_s=240, should_cancel=cancel.is_set)
    _wait_for(lambda: _ranks_up(tmp_path))
    leader = box["leader"]
    assert len(in_group(leader)) == 3  # the leader and its two ranks
    cancel.set()
    t.join(60)
    assert box["result"].status == "cancelled"
    assert in_group(leader) == []


def test_timeout_kills_every_rank(pool, tmp_path, hung):
    t, box = _run_in_thread(pool, tmp_path, timeout_s=3.0)
    t.join(120)
    assert box["result"].status == "timeout"
    assert in_group(box["leader"]) == []  # SIGTERM ignored: the SIGKILL after the grace


def test_a_dead_pool_takes_its_job_along_and_is_replaced(pool, tmp_path, monkeypatch):
    with monkeypatch.context() as m:
        m.setattr("runner.warm_pool.registry.get", lambda name: types.SimpleNamespace(module=HANG))
        t, box = _run_in_thread(pool, tmp_path / "a", timeout_s=240)
        _wait_for(lambda: _ranks_up(tmp_path / "a"))
    leader, started = box["leader"], pool.started
    os.kill(pool.proc.pid, signal.SIGKILL)  # the zygote crashes mid-job
    t.join(60)
    assert box["result"].status == "failed"
    _wait_for(lambda: in_group(leader) == [], timeout_s=10)  # PDEATHSIG: no orphan rank
    again = pool.run(spec(), tmp_path / "b", timeout_s=240, log_path=tmp_path / "b.txt")
    log = (tmp_path / "b.txt").read_text()[-2000:] if (tmp_path / "b.txt").exists() else ""
    assert again.status == "done", f"{again.message}\n{log}\n{os.listdir(tmp_path / 'b')}"
    assert pool.started == started + 1


def test_the_worker_runs_cpu_jobs_through_the_pool(pool, tmp_path):
    import torch

    from runner.queue import JobQueue
    from runner.worker import Worker

    queue = JobQueue(tmp_path / "jobs.db", tmp_path / "results")
    job = queue.submit(spec(), torch.__version__, "cpu")
    started = []
    real_run = pool.run

    def run(*args, **kw):
        started.append(True)
        return real_run(*args, **kw)

    pool.run = run  # the worker's choice is what is checked; the job itself runs for real
    try:
        Worker(queue, poll_s=0.1, warm_pool=pool).run_once()
    finally:
        del pool.run
    done = queue.get(job.id)
    assert started and done.state == "done", done.message
    assert trace.load(done.trace_path)["meta"]["world_size"] == 2
