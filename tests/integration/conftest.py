"""Shared by the integration tests: run a workload under real torchrun (gloo, CPU)."""

from __future__ import annotations

import json
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
