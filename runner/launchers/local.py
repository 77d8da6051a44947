"""The `local` launcher: runner/launch.py's torchrun supervisor on this host, in a thread.

    launcher = LocalLauncher()                                   # one node: torchrun --standalone
    node0 = LocalLauncher(Nodes(2, 0, "127.0.0.1:29400", "job7"))  # or one node of several,
    node1 = LocalLauncher(Nodes(2, 1, "127.0.0.1:29400", "job7"))  # c10d rendezvous between them

launch.run blocks until the job ends, so `start` runs it in a daemon thread and the protocol's
other methods read what that thread has seen (progress, the final LaunchResult). The thread
and its cancel flag live in this process: a handle is only meaningful to the launcher that
started it. Supervision (tree kill, orphaned ranks found by token, timeout) is launch.run's.
"""

from __future__ import annotations

import dataclasses
import socket
import threading
import uuid
from collections.abc import Callable
from pathlib import Path

from runner import launch
from runner.launch import LaunchResult, Nodes
from runner.launchers import Handle, Status, tail
from runner.spec import BaseSpec


@dataclasses.dataclass
class _Running:
    thread: threading.Thread
    cancel: threading.Event = dataclasses.field(default_factory=threading.Event)
    progress: tuple[float, str] = (0.0, "")
    result: LaunchResult | None = None


class LocalLauncher:
    """torchrun on this host; with `nodes`, this host's part of a multi-node job."""

    name = "local"

    def __init__(self, nodes: Nodes | None = None) -> None:
        self.nodes = nodes
        self._jobs: dict[str, _Running] = {}
        self._lock = threading.Lock()

    def where(self) -> str:
        host = socket.gethostname()
        if self.nodes is None:
            return f"{host} (local)"
        return f"{host} (local, node {self.nodes.index + 1} of {self.nodes.count})"

    def start(
        self, spec: BaseSpec, out_dir: Path, *, timeout_s: float, log_path: Path,
        workload_module: str | None = None, token: str | None = None,
        on_pid: Callable[[int], None] | None = None,
    ) -> Handle:  # fmt: skip
        token = token or uuid.uuid4().hex
        handle = Handle(self.name, token, str(out_dir), str(log_path), self.where())
        thread = threading.Thread(
            target=self._supervise, args=(token, spec, timeout_s, workload_module, handle, on_pid),
            name=f"paralab-local-{token[:8]}", daemon=True,
        )  # fmt: skip
        with self._lock:
            self._jobs[token] = _Running(thread)
        thread.start()
        return handle

    def _supervise(self, token, spec, timeout_s, workload_module, handle: Handle, on_pid) -> None:
        job = self._jobs[token]

        def progress(fraction: float, phase: str) -> None:
            job.progress = (fraction, phase)

        try:
            job.result = launch.run(
                spec, handle.out_dir, timeout_s=timeout_s, log_path=handle.log_path,
                should_cancel=job.cancel.is_set, on_progress=progress,
                workload_module=workload_module, token=token, nodes=self.nodes,
                on_start=on_pid,
            )  # fmt: skip
        except Exception as exc:  # a launcher bug must still end the job, with its reason
            job.result = LaunchResult("failed", None, f"{type(exc).__name__}: {exc}", None, token)

    def _job(self, handle: Handle) -> _Running:
        try:
            return self._jobs[handle.ref]
        except KeyError:
            raise LookupError(f"local job {handle.ref} was not started by this launcher") from None

    def poll(self, handle: Handle) -> Status:
        job = self._job(handle)
        fraction, phase = job.progress
        if job.result is not None:
            result = job.result
            return Status(result.status, result.message, handle.where, fraction, phase)
        return Status("running", "torchrun running", handle.where, fraction, phase)

    def cancel(self, handle: Handle) -> None:
        self._job(handle).cancel.set()

    def result(self, handle: Handle) -> LaunchResult | None:
        return self._job(handle).result

    def logs(self, handle: Handle, max_bytes: int = 20_000) -> str:
        return tail(handle.log_path, max_bytes)

    def wait(self, handle: Handle, timeout_s: float | None = None) -> LaunchResult | None:
        """Block until the job's thread ends (tests and the multi-node driver)."""
        self._job(handle).thread.join(timeout_s)
        return self.result(handle)
