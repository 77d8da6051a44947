"""Where a lab job runs: one protocol, `start / poll / cancel / result / logs`, two launchers.

    launcher = launchers.get()                 # $PARALAB_LAUNCHER: "local" (default) or "slurm"
    handle = launcher.start(spec, out_dir, timeout_s=300, log_path=out_dir / "log.txt")
    launcher.poll(handle)                      # Status(state="running", where="vm", progress=0.4 …)
    launcher.cancel(handle)                    # SIGTERM/SIGKILL locally, scancel on Slurm
    launcher.result(handle)                    # LaunchResult once finished, else None

- `local` (runner/launchers/local.py): today's torchrun supervisor (runner/launch.py) on this
  host, in a thread; cancel and timeout kill the whole process tree.
- `slurm` (runner/launchers/slurm.py): an sbatch script that runs `srun torchrun` with c10d
  rendezvous over the allocated nodes, writing trace and log to a results directory every node
  shares; cancel and timeout are `scancel`; `poll` reports Slurm's own state and reason.

`run(launcher, …)` drives any launcher to the end with launch.run's signature, so the worker
does not care which one it was given. A `Handle` is plain data (it names the launcher, its
job reference and where the job runs), so the queue can store it on the job's row.
"""

from __future__ import annotations

import dataclasses
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from runner.launch import LaunchResult
from runner.spec import BaseSpec

STATES = ("pending", "running", "done", "failed", "cancelled", "timeout")
"""`Status.state`: pending and running, then one of the final states of LaunchResult."""
FINAL = frozenset(STATES[2:])
POLL_S = 0.5


@dataclasses.dataclass(frozen=True)
class Handle:
    """A started job, as plain data (JSON-able with `to_dict`)."""

    launcher: str
    """The launcher's registry name: local | slurm."""
    ref: str
    """The launcher's own id for the job: a token (local) or the Slurm job id."""
    out_dir: str
    """The results folder (for slurm: on the shared file system)."""
    log_path: str
    """Where torchrun's output (all ranks, all nodes) is written."""
    where: str
    """Shown on the lab page: the host, or the Slurm cluster and partition."""

    def to_dict(self) -> dict[str, str]:
        return dataclasses.asdict(self)


@dataclasses.dataclass(frozen=True)
class Status:
    """What a job is doing now, in the launcher's own terms."""

    state: str
    """pending | running | done | failed | cancelled | timeout."""
    detail: str = ""
    """Slurm's state and reason ("PENDING (Resources)", "FAILED, exit code 1"), or a message."""
    where: str = ""
    """The nodes it runs on, once known."""
    progress: float = 0.0
    """0..1 from the workload's progress.json."""
    phase: str = ""
    """The workload's phase: warmup | measure | done."""

    @property
    def final(self) -> bool:
        return self.state in FINAL


class Launcher(Protocol):
    """Starts torchrun jobs somewhere and reports on them; every method is non-blocking."""

    name: str

    def start(
        self, spec: BaseSpec, out_dir: Path, *, timeout_s: float, log_path: Path,
        workload_module: str | None = None, token: str | None = None,
        on_pid: Callable[[int], None] | None = None,
    ) -> Handle: ...  # fmt: skip

    """`token` marks every process of the job (PARALAB_JOB_TOKEN; a fresh one if None);
    `on_pid` gets torchrun's pid where it runs on this host (local only)."""

    def poll(self, handle: Handle) -> Status: ...

    def cancel(self, handle: Handle) -> None: ...

    def result(self, handle: Handle) -> LaunchResult | None: ...

    def logs(self, handle: Handle, max_bytes: int = 20_000) -> str: ...


def _local():
    from runner.launchers.local import LocalLauncher

    return LocalLauncher()


def _slurm():
    from runner.launchers.slurm import SlurmLauncher

    return SlurmLauncher.from_env()


LAUNCHERS: dict[str, Callable[[], Launcher]] = {"local": _local, "slurm": _slurm}
"""The one table of launchers: name → factory (configured from the environment)."""


def get(name: str | None = None) -> Launcher:
    """The launcher called `name`, else $PARALAB_LAUNCHER, else local."""
    name = name or os.environ.get("PARALAB_LAUNCHER") or "local"
    if name not in LAUNCHERS:
        raise ValueError(f"PARALAB_LAUNCHER: {name!r} is not one of {', '.join(LAUNCHERS)}")
    return LAUNCHERS[name]()


def abandon_slurm(out_dir: str | Path) -> None:
    """scancel the Slurm job a dead worker left in `out_dir` (its slurm.json), if any."""
    from runner.launchers.slurm import cancel_left

    cancel_left(Path(out_dir))


def tail(path: str | Path, max_bytes: int) -> str:
    """The last `max_bytes` of a log file ("" while it does not exist)."""
    try:
        with open(path, "rb") as f:
            f.seek(max(0, f.seek(0, os.SEEK_END) - max_bytes))
            return f.read().decode(errors="replace")
    except OSError:
        return ""


def run(
    launcher: Launcher,
    spec: BaseSpec,
    out_dir: str | os.PathLike[str],
    *,
    timeout_s: float,
    log_path: str | os.PathLike[str],
    should_cancel: Callable[[], bool] = lambda: False,
    on_progress: Callable[[float, str], None] | None = None,
    on_start: Callable[[Handle], None] | None = None,
    on_status: Callable[[Status], None] | None = None,
    workload_module: str | None = None,
    token: str | None = None,
    on_pid: Callable[[int], None] | None = None,
) -> LaunchResult:
    """Start, poll until the job ends (cancelling on request or past the deadline), result."""
    handle = launcher.start(
        spec, Path(out_dir), timeout_s=timeout_s, log_path=Path(log_path),
        workload_module=workload_module, token=token, on_pid=on_pid,
    )  # fmt: skip
    if on_start is not None:
        on_start(handle)
    deadline, stopped, last = time.monotonic() + timeout_s, None, None
    while (result := launcher.result(handle)) is None:
        status = launcher.poll(handle)
        if status != last:
            if on_status is not None:
                on_status(status)
            if on_progress is not None and (status.progress, status.phase) != (0.0, ""):
                on_progress(status.progress, status.phase)
        last = status
        if stopped is None and (should_cancel() or time.monotonic() > deadline):
            stopped = "cancelled" if should_cancel() else "timeout"
            launcher.cancel(handle)
        time.sleep(POLL_S)
    if stopped == "timeout" and result.status == "cancelled":
        return dataclasses.replace(
            result, status="timeout", message=f"stopped after the {timeout_s:g} s limit"
        )
    return result
