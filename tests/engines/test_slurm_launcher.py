"""The slurm launcher against a real one-node Slurm cluster (munged, slurmctld, slurmd).

A real 2-rank gloo pipeline job goes through sbatch → srun → torchrun (c10d rendezvous) and
writes a valid trace to the shared results folder; cancel and timeout are scancel, after which
no process of the job is left; a crash is FAILED with Slurm's exit code; a held job reports
PENDING with Slurm's reason. Outcomes only, never durations.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

from runner import launch, launchers, trace
from runner.launchers.slurm import SlurmLauncher
from runner.spec import JobSpec

FIXTURES = Path(__file__).resolve().parents[1] / "integration" / "fixtures"
SPEC = JobSpec(schedule="1F1B", pp=2, microbatches=4, device="cpu", hidden=128, iterations=2)


def _token(out: Path) -> str:
    return json.loads((out / "slurm.json").read_text())["token"]


def _wait(predicate, timeout_s: float = 120.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not predicate():
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.3)


def test_pipeline_job_through_slurm_writes_a_valid_trace(slurm_env, shared_dir):
    statuses: list[launchers.Status] = []
    handles: list[launchers.Handle] = []
    result = launchers.run(
        launchers.get("slurm"), SPEC, shared_dir / "job", timeout_s=240,
        log_path=shared_dir / "job" / "log.txt", on_status=statuses.append,
        on_start=handles.append,
    )  # fmt: skip
    log = (shared_dir / "job" / "log.txt").read_text()
    assert result.status == "done", f"{result.message}\n{log[-3000:]}"
    data = trace.load(result.trace_path)
    assert data["meta"]["world_size"] == 2 and data["meta"]["backend"] == "gloo"
    assert {event["rank"] for event in data["events"]} == {0, 1}
    assert [r["rank"] for r in data["meta"]["ranks"]] == [0, 1]
    assert f"job {handles[0].ref} on" in log  # the sbatch script ran under this job id
    assert handles[0].where == f"Slurm job {handles[0].ref}"
    assert any(s.state == "running" and s.detail == "RUNNING" for s in statuses), statuses
    assert statuses[-1].where.endswith(f"on {slurm_env_node(slurm_env)}")
    assert launch.find_marked(result.token) == []


def slurm_env_node(env: dict[str, str]) -> str:
    conf = Path(env["SLURM_CONF"]).read_text()
    return next(line for line in conf.splitlines() if line.startswith("NodeName=")).split()[0][9:]


def test_cancel_is_scancel_and_leaves_no_process(slurm_env, shared_dir):
    slurm = SlurmLauncher()
    out = shared_dir / "sleepy"
    handle = slurm.start(
        SPEC, out, timeout_s=600, log_path=out / "log.txt",
        workload_module=str(FIXTURES / "sleepy.py"),
    )  # fmt: skip
    _wait(lambda: (out / "ready-0").exists() and (out / "ready-1").exists())
    token = _token(out)
    seen = launch.find_marked(token)
    assert len(seen) >= 3, seen  # torchrun and both ranks (they ignore SIGTERM)
    assert slurm.poll(handle).state == "running"
    slurm.cancel(handle)
    _wait(lambda: slurm.result(handle) is not None)
    result = slurm.result(handle)
    assert result.status == "cancelled", result
    assert slurm.poll(handle).detail == "CANCELLED"
    _wait(lambda: launch.find_marked(token) == [], timeout_s=30)


def _run_fixture(out: Path, name: str, timeout_s: float) -> launch.LaunchResult:
    """A fixture workload through launchers.run and the slurm launcher; waits for its end."""
    return launchers.run(
        SlurmLauncher(), SPEC, out, timeout_s=timeout_s, log_path=out / "log.txt",
        workload_module=str(FIXTURES / name),
    )  # fmt: skip


def test_timeout_cancels_through_slurm(slurm_env, shared_dir):
    out = shared_dir / "slow"
    result = _run_fixture(out, "sleepy.py", timeout_s=4)
    assert result.status == "timeout"
    assert "4 s limit" in result.message
    _wait(lambda: launch.find_marked(_token(out)) == [], timeout_s=30)


def test_crash_is_failed_with_slurms_exit_code_and_the_ranks_exception(slurm_env, shared_dir):
    out = shared_dir / "crash"
    result = _run_fixture(out, "crashy.py", timeout_s=240)
    assert result.status == "failed"
    assert "boom from rank 1" in result.message, result.message
    assert "FAILED, exit code 1" in result.message
    _wait(lambda: launch.find_marked(_token(out)) == [], timeout_s=30)


def test_held_job_is_pending_with_slurms_reason(slurm_env, shared_dir):
    slurm = SlurmLauncher(extra_args=("--hold",))
    out = shared_dir / "held"
    handle = slurm.start(SPEC, out, timeout_s=60, log_path=out / "log.txt")
    status = slurm.poll(handle)
    assert (status.state, status.detail) == ("pending", "PENDING (JobHeldUser)")
    assert slurm.result(handle) is None
    slurm.cancel(handle)
    _wait(lambda: slurm.result(handle) is not None, timeout_s=30)
    assert slurm.result(handle).status == "cancelled"


def test_a_worker_recovering_a_dead_workers_slurm_job_scancels_it(slurm_env, shared_dir, tmp_path):
    from runner.queue import JobQueue
    from runner.worker import Worker

    queue = JobQueue(tmp_path / "jobs.db", shared_dir / "results")
    job = queue.submit(SPEC, "t", "cpu")
    job = queue.claim_next("dead-worker")
    slurm = SlurmLauncher(extra_args=("--hold",))  # held: it would wait forever
    handle = slurm.start(SPEC, job.out_dir, timeout_s=60, log_path=job.log_path, token=job.token)
    queue.set_location(job.id, "slurm", handle.where)
    assert Worker(queue).recover() == 1  # the dead worker's lock is gone: a new worker starts
    assert queue.get(job.id).state == "interrupted"
    _wait(lambda: slurm.result(handle) is not None, timeout_s=30)
    assert slurm.result(handle).status == "cancelled"


def test_ranks_that_do_not_split_over_the_nodes_are_refused_before_sbatch(shared_dir):
    slurm = SlurmLauncher(nodes=2)
    try:
        slurm.start(JobSpec(pp=3, microbatches=4), shared_dir, timeout_s=60,
                    log_path=shared_dir / "log.txt")  # fmt: skip
    except ValueError as error:
        assert "3 ranks do not split over 2 nodes" in str(error)
    else:
        raise AssertionError("a 3-rank job was submitted to 2 nodes")
    assert not (shared_dir / "slurm.json").exists()
