"""Start one torchrun job for a spec, watch it, and make sure no rank outlives it.

    python -m runner.tether -m torch.distributed.run --standalone --nnodes=1 \\
        --nproc-per-node=N --no-python python -m runner.tether \\
        --module runner.workloads.WORKLOAD --spec OUT/SPEC.json --out OUT

Why each step exists:
1. SPEC.json is written into the job's folder, so the ranks read exactly the validated spec
   and the folder documents its own run.
2. torchrun starts with `start_new_session=True`: it leads a process group of its own that we
   can signal without touching the app.
3. Every rank inherits `PARALAB_JOB_TOKEN=<uuid>`. torchrun starts each rank in a *session of
   its own*, so signalling torchrun's group does not reach them; the token is how we find
   them again (by scanning /proc/*/environ), even after torchrun has died and they are orphans.
   Both torchrun and each rank run through runner/tether.py (PR_SET_PDEATHSIG): the kernel
   kills torchrun when its supervisor dies, even by `kill -9`, and each rank when torchrun dies.
4. The environment pins `OMP_NUM_THREADS=1` (ranks share few cores, timing must not thrash),
   keeps NVLink multicast off (`NCCL_NVLS_ENABLE=0`, `TORCH_SYMM_MEM_DISABLE_MULTICAST=1`,
   `NVSHMEM_DISABLE_NVLS=1`, see DESIGN.md), `PYTHONUNBUFFERED=1` so the log is live, and
   `TORCHELASTIC_ERROR_FILE`, where torchrun copies the failing rank's exception. `PARALAB_*`
   variables other than the few the ranks use are left out: the instructor passcode or a
   database URL must not reach the ranks' environment (readable in /proc by the job's code).
5. Polling every ~0.2 s reads progress.json (written atomically by the workload), asks
   `should_cancel()` and checks the deadline; it never blocks on the job.
6. Stopping: SIGTERM to torchrun's group (it forwards SIGTERM to the ranks and lets them
   clean up), a grace period, then SIGKILL to every process still carrying the token, then
   reap torchrun. A rank that ignores SIGTERM or hangs in a collective cannot survive this.
7. A failed job's message is the failing rank's exception, from the error file(s) or else
   the last Traceback in the log, so the user sees "ValueError: ..." and not "exit 1".
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import math
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from runner import registry
from runner.spec import JobSpec
from runner.tether import PARENT_VAR

TOKEN_VAR = "PARALAB_JOB_TOKEN"
RANK_PARALAB_VARS = ("PARALAB_INSTRUMENT", "PARALAB_COMM_EVENTS")
"""The PARALAB_* variables the ranks read (workload switches); every other one stays out."""
POLL_S = 0.2
GRACE_S = 5.0
REPO_ROOT = Path(__file__).resolve().parent.parent


@dataclasses.dataclass(frozen=True)
class LaunchResult:
    status: str
    """done | failed | timeout | cancelled"""
    returncode: int | None
    """torchrun's exit status; negative for a signal, None if it never started."""
    message: str
    """One line for the user: the failing rank's exception, or why the job was stopped."""
    trace_path: Path | None
    """OUT/trace.json when the job finished and wrote it."""
    token: str = ""
    """The marker every process of the job carried (for checking that none survived)."""


def find_marked(token: str) -> list[int]:
    """Pids of live processes whose environment holds PARALAB_JOB_TOKEN=<token>."""
    needle = f"{TOKEN_VAR}={token}".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            environ = (entry / "environ").read_bytes()  # empty for zombies: nothing to kill
        except OSError:
            continue
        if needle in environ.split(b"\0"):
            found.append(int(entry.name))
    return found


@dataclasses.dataclass(frozen=True)
class Nodes:
    """This host's part of a multi-node job: torchrun's c10d rendezvous instead of --standalone."""

    count: int
    """How many nodes (torchrun processes) join; the ranks are split evenly over them."""
    index: int
    """This node's index in the launcher's list (0 cleans the shared folder; ranks come from
    the rendezvous, so it need not be torchrun's node rank)."""
    endpoint: str
    """host:port of the rendezvous store, served by the first node that reaches it."""
    rdzv_id: str
    """The same id on every node of one job, and a new one per job."""

    def torchrun_args(self, ranks: int) -> list[str]:
        if ranks % self.count:
            raise ValueError(f"nodes: {ranks} ranks do not split evenly over {self.count} nodes")
        is_host = "true" if self.index == 0 else "false"
        return [f"--nnodes={self.count}", f"--nproc-per-node={ranks // self.count}",
                "--rdzv-backend=c10d", f"--rdzv-endpoint={self.endpoint}",
                f"--rdzv-id={self.rdzv_id}", f"--rdzv-conf=is_host={is_host}"]  # fmt: skip


def build_command(
    spec: JobSpec, out_dir: Path, workload_module: str, nodes: Nodes | None = None
) -> list[str]:
    """torchrun command line; a workload ending in .py runs as a script, else as a module."""
    target = [workload_module] if workload_module.endswith(".py") else ["--module", workload_module]
    tethered = [sys.executable, "-m", "runner.tether"]
    where = ["--standalone", "--nnodes=1", f"--nproc-per-node={spec.ranks}"]
    return [
        *tethered, "-m", "torch.distributed.run",
        *(nodes.torchrun_args(spec.ranks) if nodes else where),
        f"--log-dir={_log_dir(out_dir, nodes)}", "--no-python",
        *tethered, *target, "--spec", str(out_dir / "SPEC.json"), "--out", str(out_dir),
    ]  # fmt: skip


def _log_dir(out_dir: Path, nodes: Nodes | None) -> Path:
    return out_dir / "torchelastic" / (f"node{nodes.index}" if nodes else "")


def build_env(out_dir: Path, token: str) -> dict[str, str]:
    """This process's environment for torchrun and its ranks, without PARALAB_* secrets."""
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith("PARALAB_") or name in RANK_PARALAB_VARS
    }
    env.update(
        OMP_NUM_THREADS="1",
        NCCL_NVLS_ENABLE="0",
        TORCH_SYMM_MEM_DISABLE_MULTICAST="1",
        NVSHMEM_DISABLE_NVLS="1",
        PYTHONUNBUFFERED="1",
        TORCHELASTIC_ERROR_FILE=str(out_dir / "error.json"),
        PYTHONPATH=os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")])),
    )
    env[TOKEN_VAR] = token
    env[PARENT_VAR] = str(os.getpid())  # torchrun checks that we are still its parent
    return env


def check_timeout(timeout_s: float) -> float:
    """`timeout_s` if a finite number of seconds above 0, else ValueError (nan never fires)."""
    if isinstance(timeout_s, bool) or not isinstance(timeout_s, (int, float)):
        raise ValueError(f"timeout: must be a number of seconds, got {timeout_s!r}")
    if not math.isfinite(timeout_s) or timeout_s <= 0:
        raise ValueError(f"timeout: must be a finite number of seconds above 0, got {timeout_s}")
    return float(timeout_s)


def run(
    spec: JobSpec,
    out_dir: str | os.PathLike[str],
    *,
    timeout_s: float,
    log_path: str | os.PathLike[str],
    should_cancel: Callable[[], bool] = lambda: False,
    on_progress: Callable[[float, str], None] | None = None,
    workload_module: str | None = None,
    token: str | None = None,
    on_start: Callable[[int], None] | None = None,
    nodes: Nodes | None = None,
) -> LaunchResult:
    """Run `spec` under torchrun until it ends, times out or is cancelled; kill what remains.

    `workload_module` defaults to the registry's module for `spec.workload` (tests pass a
    fixture script ending in .py). `on_start(pid)` is called with torchrun's pid once it is
    started (the queue records it).
    """
    timeout_s = check_timeout(timeout_s)
    workload_module = workload_module or registry.get(spec.workload).module
    out, log_path = Path(out_dir).resolve(), Path(log_path).resolve()  # torchrun's cwd is REPO_ROOT
    if workload_module.endswith(".py"):
        workload_module = str(Path(workload_module).resolve())
    out.mkdir(parents=True, exist_ok=True)
    if nodes is None or nodes.index == 0:  # nodes of one job share `out`: the first cleans it
        for stale in ("trace.json", "progress.json", "error.json"):  # from an earlier run here
            (out / stale).unlink(missing_ok=True)
    shutil.rmtree(_log_dir(out, nodes), ignore_errors=True)  # old per-rank error files
    token = token or uuid.uuid4().hex
    (out / "SPEC.json").write_text(json.dumps(spec.to_dict(), indent=2))
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            build_command(spec, out, workload_module, nodes),
            stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
            env=build_env(out, token), cwd=REPO_ROOT, start_new_session=True,
        )  # fmt: skip
        try:
            if on_start is not None:
                on_start(proc.pid)
            stopped = _watch(proc, out, timeout_s, should_cancel, on_progress)
        finally:
            if proc.poll() is None:
                _stop(proc, token)
            kill_marked(token)  # a rank may outlive a torchrun that exited on its own
    return _result(proc.returncode, stopped, out, log_path, token, timeout_s)


def _watch(proc, out: Path, timeout_s, should_cancel, on_progress) -> str | None:
    """Poll until torchrun exits (None) or we must stop it ("timeout" / "cancelled")."""
    deadline = time.monotonic() + timeout_s
    last = None
    while proc.poll() is None:
        progress = _read_progress(out / "progress.json")
        if progress is not None and progress != last and on_progress is not None:
            on_progress(*progress)
        last = progress or last
        if should_cancel():
            return "cancelled"
        if time.monotonic() > deadline:
            return "timeout"
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(POLL_S)
    final = _read_progress(out / "progress.json")  # the last update may land just before exit
    if final is not None and final != last and on_progress is not None:
        on_progress(*final)
    return None


def _read_progress(path: Path) -> tuple[float, str] | None:
    """(fraction, phase) from progress.json, or None while it is missing or half-written."""
    try:
        data = json.loads(path.read_text())
        phase, step, total = str(data["phase"]), int(data["step"]), int(data["total"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if phase == "done":
        return 1.0, phase
    return (min(max(step / total, 0.0), 1.0) if total > 0 else 0.0), phase


def _stop(proc: subprocess.Popen, token: str) -> None:
    """SIGTERM torchrun's group, wait the grace period, then SIGKILL and reap."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    deadline = time.monotonic() + GRACE_S
    while time.monotonic() < deadline and (proc.poll() is None or find_marked(token)):
        time.sleep(POLL_S)
    kill_marked(token)
    if proc.poll() is None:  # only while unreaped: the group id is then surely still ours
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()


def kill_marked(token: str) -> int:
    """SIGKILL every live process with the token until none is left (orphaned ranks too).

    Returns how many processes were signalled; an empty token marks nothing.
    """
    killed: set[int] = set()
    for _ in range(50):
        pids = find_marked(token) if token else []
        if not pids:
            return len(killed)
        killed.update(pids)
        for pid in pids:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)
        time.sleep(0.05)
    return len(killed)


def _result(rc, stopped, out: Path, log: Path, token: str, timeout_s: float) -> LaunchResult:
    if stopped == "timeout":
        return LaunchResult("timeout", rc, f"stopped after the {timeout_s:g} s limit", None, token)
    if stopped == "cancelled":
        return LaunchResult("cancelled", rc, "cancelled on request", None, token)
    trace = out / "trace.json"
    if rc == 0 and trace.is_file():
        return LaunchResult("done", rc, "finished", trace, token)
    if rc == 0:
        return LaunchResult("failed", rc, "the job exited without writing trace.json", None, token)
    return LaunchResult("failed", rc, failure_message(out, log, rc), None, token)


_RANK_PREFIX = re.compile(r"^\[(?:default)?(?:rank)?\d+\]: ?")
_LAUNCHER_ERRORS = ("ChildFailedError", "SignalException")


def failure_message(out: Path, log: Path, rc: int | None) -> str:
    """The failing rank's exception: per-rank error files, torchrun's copy, else the log."""
    per_rank = sorted((out / "torchelastic").glob("**/error.json"))
    for path in [*per_rank, out / "error.json"]:
        text = _error_file_message(path)
        if text:
            rank = path.parent.name
            return f"rank {rank}: {text}" if path in per_rank and rank.isdigit() else text
    return _log_exception(log) or f"torchrun exited with status {rc}; see the log"


def _error_file_message(path: Path) -> str | None:
    """message.message of a TORCHELASTIC_ERROR_FILE, or the last line of its py_callstack."""
    try:
        message = json.loads(path.read_text())["message"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if isinstance(message, str):
        return message.strip().splitlines()[-1] if message.strip() else None
    text = str(message.get("message") or "").strip()
    if not text:
        stack = str(message.get("extraInfo", {}).get("py_callstack") or "").strip()
        text = stack.splitlines()[-1] if stack else ""
    if not text or any(name in text for name in _LAUNCHER_ERRORS):
        return None
    return text.splitlines()[0]


def _log_exception(log: Path) -> str | None:
    """The first exception line that follows a Traceback in the log, skipping torchrun's own."""
    try:
        lines = log.read_text(errors="replace").splitlines()[-2000:]
    except OSError:
        return None
    in_traceback = False
    for raw in lines:
        line = _RANK_PREFIX.sub("", raw).rstrip()
        if line.lstrip().startswith("Traceback (most recent call last)"):
            in_traceback = True
        elif in_traceback and line and not line[0].isspace():
            in_traceback = False
            if not any(name in line for name in _LAUNCHER_ERRORS):
                return line
    return None
