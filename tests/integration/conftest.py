"""Shared by the integration tests: run a workload under real torchrun (gloo, CPU)."""

from __future__ import annotations

import json
import time
from pathlib import Path

from runner import trace

ROOT = Path(__file__).resolve().parents[2]


def run_workload(spec: dict, out: Path, timeout_s: float = 240.0) -> dict:
    """Run `spec` (any registered workload) on CPU ranks through `runner.launch.run`, the
    supervisor the app uses, so a hung job is killed with every rank; the trace it wrote.

    Fails the test with the job's message and the end of its log when it did not finish.
    """
    from runner import launch
    from runner.spec import Machine, from_mapping, validate

    typed = validate(from_mapping({**spec, "device": "cpu"}), Machine(torch=_torch_version(),
                     schedules=_schedules()))  # fmt: skip
    result = launch.run(typed, out, timeout_s=timeout_s, log_path=out / "log.txt")
    log = (out / "log.txt").read_text(errors="replace")[-3000:]
    assert result.status == "done", f"{result.status}: {result.message}\n{log}"
    assert not launch.find_marked(result.token), "a rank outlived its job"
    assert json.loads((out / "progress.json").read_text())["phase"] == "done"
    return trace.load(out / "trace.json")


def _torch_version() -> str:
    import torch

    return torch.__version__


def _schedules() -> tuple[str, ...]:
    import torch

    from runner import schedules

    return tuple(schedules.available(torch))


def alive(pid: int) -> bool:
    """True while /proc/PID exists and is not a zombie (a zombie runs nothing)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def wait_for(condition, what: str, limit_s: float = 120) -> None:
    """Poll until `condition()`; the limit only bounds a hung test, it is not a timing check."""
    deadline = time.monotonic() + limit_s
    while not condition():
        assert time.monotonic() < deadline, f"gave up waiting for {what}"
        time.sleep(0.1)
