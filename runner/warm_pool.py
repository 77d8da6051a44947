"""CPU jobs forked from a warm parent: the ranks start with torch already imported.

    pool = shared(); pool.spawn()              # once, with the worker (torch imported once)
    result = pool.run(spec, out_dir, timeout_s=600, log_path=log)   # like launch.run

A cold 2-rank CPU job spends most of its time before the first step: torchrun's own
interpreter and `import torch`, then each rank's interpreter and `import torch` again, all on
two shared cores (bench/bench_start.py prints the breakdown). Here one *zygote* process
imports torch and the workload modules once; per job it forks a *leader*, which calls
`setsid()` and forks one process per rank. The ranks meet exactly as torchrun's do
(`env://`: RANK, WORLD_SIZE, MASTER_ADDR, MASTER_PORT) and run the workload's own
`main(["--spec", ..., "--out", ...])`, so the trace is the same as under torchrun.

Supervision is as strict as launch.run's:
- the leader and its ranks form one process group that nothing else joins (no rank calls
  `setsid`): cancel or timeout is SIGTERM to the group, a grace period, SIGKILL to the group
  and to any process still in it (found by its process-group id in /proc);
- PR_SET_PDEATHSIG everywhere (runner/tether.py): a rank dies with its leader, the leader
  with the zygote, the zygote with the app; a rank that fails makes the leader kill the rest;
- a zygote that died (crashed, killed) is replaced before the next job.

Only CPU (gloo) jobs use the pool: forking a process that has touched CUDA is unsafe, and on
a GPU host the set-up is not what a learner waits for. Set `PARALAB_WARM_POOL=0` to use
torchrun for every job.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import traceback
from pathlib import Path

from runner import launch, registry
from runner.tether import PARENT_VAR, tether

STATUS = "leader-status.json"
POLL_S = 0.05


def enabled() -> bool:
    return os.environ.get("PARALAB_WARM_POOL", "1") != "0"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def in_group(pgid: int) -> list[int]:
    """Live processes of process group ``pgid`` (zombies excluded), from /proc/*/stat."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()  # after "(comm)": state ppid pgrp …
        if fields[0] != "Z" and int(fields[2]) == pgid:
            found.append(int(entry.name))
    return found


def kill_group(pgid: int) -> None:
    """SIGKILL the group until no live process is left in it."""
    for _ in range(100):
        if not in_group(pgid):
            return
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(pgid, signal.SIGKILL)
        time.sleep(0.02)


class WarmPool:
    """A zygote process (torch imported) that forks the ranks of CPU jobs, one job at a time."""

    def __init__(self) -> None:
        self.proc: subprocess.Popen | None = None
        self.ready = False
        self.lock = threading.Lock()
        self.started = 0  # zygotes started (a replaced one counts)

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def spawn(self) -> None:
        """Start a zygote if none is alive (replacing one that died); do not wait for it.

        Call from a long-lived thread: PR_SET_PDEATHSIG fires when the *thread* that started
        the zygote ends (the worker's thread, which lives as long as the app)."""
        if self.alive():
            return
        env = launch.build_env(Path("/nonexistent"), "")
        env.pop(launch.TOKEN_VAR, None)
        env.pop("TORCHELASTIC_ERROR_FILE", None)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "runner.warm_pool"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=env,
            cwd=launch.REPO_ROOT,
            text=True,
            bufsize=1,
            # a session of its own: a SIGTERM to the app's process group (a server stopped
            # by its group) must reach the worker, which then stops the job cleanly, not kill
            # the zygote under a running job; the zygote still dies with the app (tether)
            start_new_session=True,
        )
        self.ready = False
        self.started += 1

    def start(self) -> None:
        """A zygote that is alive and has imported torch (waits for it the first time)."""
        self.spawn()
        if self.ready:
            return
        line = self.proc.stdout.readline()  # "ready" once torch is imported
        if line.strip() != "ready":
            self.stop()
            raise RuntimeError("the warm pool did not start")
        self.ready = True

    def stop(self) -> None:
        if self.proc is not None:
            with contextlib.suppress(ProcessLookupError):
                self.proc.kill()
            self.proc.wait()
            self.proc = None

    def _fork_job(self, request: dict) -> int:
        """Ask the zygote for a leader; its pid (= its process group id)."""
        self.start()
        self.proc.stdin.write(json.dumps(request) + "\n")
        self.proc.stdin.flush()
        reply = self.proc.stdout.readline()
        if not reply:
            self.stop()
            raise RuntimeError("the warm pool died while starting the job")
        return int(json.loads(reply)["leader"])

    def run(
        self,
        spec,
        out_dir,
        *,
        timeout_s,
        log_path,
        should_cancel=lambda: False,
        on_progress=None,
        token=None,
        on_start=None,
    ) -> launch.LaunchResult:
        """launch.run's contract for a CPU job, ranks forked from the zygote."""
        timeout_s = launch.check_timeout(timeout_s)
        out, log_path = Path(out_dir).resolve(), Path(log_path).resolve()
        out.mkdir(parents=True, exist_ok=True)
        for stale in ("trace.json", "progress.json", "error.json", STATUS):
            (out / stale).unlink(missing_ok=True)
        (out / "SPEC.json").write_text(json.dumps(spec.to_dict(), indent=2))
        token = token or os.urandom(16).hex()
        request = {
            "module": registry.get(spec.workload).module,
            "ranks": spec.ranks,
            "out": str(out),
            "log": str(log_path),
            "port": _free_port(),
            "token": token,
        }
        with self.lock:
            try:
                leader = self._fork_job(request)
            except RuntimeError:  # the zygote died (or its starting thread ended): once more,
                self.stop()  # from this thread
                leader = self._fork_job(request)
            try:
                if on_start is not None:
                    on_start(leader)
                job = _Job(leader, out / STATUS)
                stopped = launch._watch(job, out, timeout_s, should_cancel, on_progress)
            finally:
                self._stop(leader, graceful=bool(in_group(leader)))
        rc = _leader_rc(out)
        return launch._result(rc, stopped, out, log_path, token, timeout_s)

    def _stop(self, pgid: int, graceful: bool) -> None:
        """SIGTERM the job's group, a grace period, then SIGKILL whatever is left in it."""
        if graceful:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pgid, signal.SIGTERM)
            deadline = time.monotonic() + launch.GRACE_S
            while time.monotonic() < deadline and in_group(pgid):
                time.sleep(POLL_S)
        kill_group(pgid)


class _Job:
    """What launch._watch needs of a process (poll, wait), for a job that is not our child:
    running while its group has a live process and its leader has not written its status."""

    def __init__(self, pgid: int, status: Path) -> None:
        self.pgid, self.status = pgid, status

    def poll(self) -> int | None:
        return 0 if self.status.exists() or not in_group(self.pgid) else None

    def wait(self, timeout: float) -> None:
        time.sleep(min(timeout, POLL_S))


def job_processes(token: str, pid: int | None) -> set[int]:
    """The live processes of a job, however it was started: torchrun and its ranks carry its
    token in their environment; ranks forked here share the job leader's process group."""
    return set(launch.find_marked(token)) | (set(in_group(pid)) if pid else set())


_shared: WarmPool | None = None


def shared() -> WarmPool:
    """The process's one pool (the app has one worker; a test process may have several)."""
    global _shared
    if _shared is None:
        _shared = WarmPool()
    return _shared


def _leader_rc(out: Path) -> int | None:
    try:
        return int(json.loads((out / STATUS).read_text())["rc"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


# --- inside the zygote -------------------------------------------------------------------


def _rank(request: dict, rank: int) -> None:
    """A forked rank: torchrun's environment, then the workload's own main()."""
    import importlib

    out = request["out"]
    os.environ.update(
        RANK=str(rank),
        LOCAL_RANK=str(rank),
        WORLD_SIZE=str(request["ranks"]),
        LOCAL_WORLD_SIZE=str(request["ranks"]),
        MASTER_ADDR="127.0.0.1",
        MASTER_PORT=str(request["port"]),
        GROUP_RANK="0",
        TORCHELASTIC_ERROR_FILE=os.path.join(out, "torchelastic", str(rank), "error.json"),
    )
    os.makedirs(os.path.dirname(os.environ["TORCHELASTIC_ERROR_FILE"]), exist_ok=True)
    code = 0
    try:
        module = importlib.import_module(request["module"])
        module.main(["--spec", os.path.join(out, "SPEC.json"), "--out", out])
    except BaseException:  # a rank reports every failure, then exits
        traceback.print_exc()
        code = 1
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)  # no C++ destructors (see runner/workloads/entry.py)


def _leader(request: dict, ready_fd: int) -> None:
    """Own process group; fork the ranks; if one fails, kill the rest; write the status."""
    os.setsid()
    tether()
    os.write(ready_fd, b"1")  # the zygote answers only now: the group exists to be watched
    os.close(ready_fd)
    log = os.open(request["log"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    os.dup2(log, 1)
    os.dup2(log, 2)
    children = {}
    for rank in range(request["ranks"]):
        pid = os.fork()
        if pid == 0:
            tether()
            _rank(request, rank)
        children[pid] = rank
    rc = 0
    while children:
        pid, status = os.wait()
        children.pop(pid, None)
        code = os.waitstatus_to_exitcode(status)
        if code != 0 and rc == 0:
            rc = code
            for other in children:  # like torchrun: one rank failed, stop the others
                with contextlib.suppress(ProcessLookupError):
                    os.kill(other, signal.SIGKILL)
    status_path = os.path.join(request["out"], STATUS)
    with open(status_path + ".tmp", "w") as f:
        json.dump({"rc": rc}, f)
    os.replace(status_path + ".tmp", status_path)
    os._exit(0)


def serve() -> None:
    """The zygote: import torch and every workload once, then fork a leader per request."""
    tether()
    import importlib

    importlib.import_module("torch.distributed")  # the point of the pool: imported once

    for workload in registry.all():
        with contextlib.suppress(Exception):
            __import__(workload.module)
    os.environ[PARENT_VAR] = str(os.getpid())
    print("ready", flush=True)
    for line in sys.stdin:
        with contextlib.suppress(ChildProcessError):
            while os.waitpid(-1, os.WNOHANG)[0]:  # reap finished leaders
                pass
        request = json.loads(line)
        ready_r, ready_w = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(ready_r)
            _leader(request, ready_w)
        os.close(ready_w)
        os.read(ready_r, 1)  # empty if the leader died first: the supervisor then sees no group
        os.close(ready_r)
        print(json.dumps({"leader": pid}), flush=True)


if __name__ == "__main__":
    serve()
