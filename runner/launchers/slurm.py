"""The `slurm` launcher: an sbatch script that runs `srun torchrun` over the allocated nodes.

    export SLURM_CONF=/etc/slurm/slurm.conf PARALAB_LAUNCHER=slurm
    export PARALAB_SLURM_NODES=2 PARALAB_SLURM_PARTITION=gpu   # optional
    launcher = SlurmLauncher.from_env()
    handle = launcher.start(spec, Path("/shared/paralab/results/7"), timeout_s=600, log_path=…)

What the script does (see SCRIPT): one task per node (`--ntasks-per-node=1`), each task is a
torchrun with `--nnodes=$SLURM_NNODES` and c10d rendezvous on the first node of the
allocation (port derived from the job id), ranks split evenly over the nodes. The trace,
progress.json and the log go to `out_dir`, which must be on a file system every node mounts
(the same path everywhere), as must this repository and its Python (PARALAB_SLURM_PYTHON).

State comes from Slurm itself (`scontrol show job -o`): PENDING with its reason, RUNNING,
COMPLETED, FAILED with the exit code, CANCELLED, TIMEOUT. Cancel and the launcher's deadline
are `scancel`; Slurm signals every process of the step (SIGTERM, then SIGKILL after the
cluster's KillWait). Slurm also enforces the time limit (`--time`, whole minutes, rounded up).
A job purged from the controller (MinJobAge) is judged by the exit_code file it left.
"""

from __future__ import annotations

import json
import math
import os
import shlex
import subprocess
import sys
import uuid
from collections.abc import Callable
from pathlib import Path

from runner import launch, registry
from runner.launch import REPO_ROOT, LaunchResult
from runner.launchers import Handle, Status, tail
from runner.spec import BaseSpec

SCRIPT = """\
#!/bin/bash
#SBATCH --job-name=paralab-{workload}
#SBATCH --nodes={nodes}
#SBATCH --ntasks-per-node=1
#SBATCH --cpus-per-task={ranks_per_node}
#SBATCH --time={minutes}
#SBATCH --output={log}
#SBATCH --open-mode=append
#SBATCH --chdir={repo}
{extra}
# Written by runner/launchers/slurm.py. One torchrun per node; c10d rendezvous on the first node.
# torchrun makes a unique folder per node under --log-dir, so the nodes can share it.
export OMP_NUM_THREADS=1 NCCL_NVLS_ENABLE=0 TORCH_SYMM_MEM_DISABLE_MULTICAST=1
export NVSHMEM_DISABLE_NVLS=1 PYTHONUNBUFFERED=1
export PYTHONPATH={repo}${{PYTHONPATH:+:$PYTHONPATH}}
export PARALAB_JOB_TOKEN={token} TORCHELASTIC_ERROR_FILE={out}/error.json
head=$(scontrol show hostnames "$SLURM_JOB_NODELIST" | head -n 1)
port=$((20000 + SLURM_JOB_ID % 20000))
echo "paralab: job $SLURM_JOB_ID on $SLURM_JOB_NODELIST, rendezvous $head:$port"
srun --kill-on-bad-exit=1 {python} -m torch.distributed.run \\
    --nnodes="$SLURM_NNODES" --nproc-per-node={ranks_per_node} \\
    --rdzv-backend=c10d --rdzv-endpoint="$head:$port" --rdzv-id="$SLURM_JOB_ID" \\
    --log-dir={out}/torchelastic {target} --spec {out}/SPEC.json --out {out}
rc=$?
echo "$rc" > {out}/exit_code
exit "$rc"
"""

FAILED_STATES = {"FAILED", "NODE_FAIL", "OUT_OF_MEMORY", "BOOT_FAIL", "DEADLINE", "PREEMPTED"}
STATE_MAP = {"PENDING": "pending", "CONFIGURING": "pending", "REQUEUED": "pending",
             "RUNNING": "running", "COMPLETING": "running", "SUSPENDED": "running",
             "COMPLETED": "done", "CANCELLED": "cancelled", "TIMEOUT": "timeout",
             **dict.fromkeys(FAILED_STATES, "failed")}  # fmt: skip


class SlurmError(RuntimeError):
    """sbatch / scontrol / scancel failed; the message is Slurm's."""


def _slurm(*args: str) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(list(args), capture_output=True, text=True, timeout=30)
    except FileNotFoundError as error:
        raise SlurmError(f"{args[0]} not found: is this a Slurm submit host?") from error


class SlurmLauncher:
    """Submits jobs with sbatch; the cluster is the one SLURM_CONF (or the default) names."""

    name = "slurm"

    def __init__(
        self, *, nodes: int = 1, partition: str = "", python: str = sys.executable,
        extra_args: tuple[str, ...] = (),
    ) -> None:  # fmt: skip
        if nodes < 1:
            raise ValueError(f"PARALAB_SLURM_NODES: must be >= 1, got {nodes}")
        self.nodes = nodes
        self.partition = partition
        self.python = python
        self.extra_args = extra_args

    @classmethod
    def from_env(cls) -> SlurmLauncher:
        """PARALAB_SLURM_NODES, _PARTITION, _PYTHON, _ARGS (extra sbatch options)."""
        nodes = os.environ.get("PARALAB_SLURM_NODES", "1")
        if not nodes.isdigit():
            raise ValueError(f"PARALAB_SLURM_NODES: expected a whole number, got {nodes!r}")
        return cls(
            nodes=int(nodes), partition=os.environ.get("PARALAB_SLURM_PARTITION", ""),
            python=os.environ.get("PARALAB_SLURM_PYTHON", sys.executable),
            extra_args=tuple(shlex.split(os.environ.get("PARALAB_SLURM_ARGS", ""))),
        )  # fmt: skip

    def script(self, spec: BaseSpec, out: Path, log: Path, timeout_s: float, token: str,
               workload_module: str) -> str:  # fmt: skip
        if spec.ranks % self.nodes:
            raise ValueError(f"nodes: {spec.ranks} ranks do not split over {self.nodes} nodes")
        module = workload_module.endswith(".py")
        target = _plain(workload_module) if module else f"--module {_plain(workload_module)}"
        extra = [f"--partition={self.partition}"] if self.partition else []
        extra += list(self.extra_args)
        return SCRIPT.format(
            workload=spec.workload, nodes=self.nodes, ranks_per_node=spec.ranks // self.nodes,
            minutes=max(1, math.ceil(timeout_s / 60)), log=_plain(log), repo=_plain(REPO_ROOT),
            extra="\n".join(f"#SBATCH {arg}" for arg in extra), token=token,
            out=_plain(out), python=_plain(self.python), target=target,
        )  # fmt: skip

    def start(
        self, spec: BaseSpec, out_dir: Path, *, timeout_s: float, log_path: Path,
        workload_module: str | None = None, token: str | None = None,
        on_pid: Callable[[int], None] | None = None,
    ) -> Handle:  # fmt: skip
        """sbatch the job; `on_pid` is unused (torchrun runs on the cluster's nodes)."""
        out, log = Path(out_dir).resolve(), Path(log_path).resolve()
        workload_module = workload_module or registry.get(spec.workload).module
        if workload_module.endswith(".py"):
            workload_module = str(Path(workload_module).resolve())
        out.mkdir(parents=True, exist_ok=True)
        for stale in ("trace.json", "progress.json", "error.json", "exit_code"):
            (out / stale).unlink(missing_ok=True)
        (out / "SPEC.json").write_text(json.dumps(spec.to_dict(), indent=2))
        token = token or uuid.uuid4().hex
        script = out / "job.sbatch"
        script.write_text(self.script(spec, out, log, timeout_s, token, workload_module))
        done = _slurm("sbatch", "--parsable", str(script))
        if done.returncode != 0:
            raise SlurmError(f"sbatch refused the job: {done.stderr.strip()}")
        job_id = done.stdout.strip().split(";")[0]
        (out / "slurm.json").write_text(json.dumps({"job_id": job_id, "token": token}))
        where = f"Slurm job {job_id}" + (f", partition {self.partition}" if self.partition else "")
        return Handle(self.name, job_id, str(out), str(log), where)

    def _job(self, handle: Handle) -> dict[str, str] | None:
        """scontrol's fields for the job, or None once the controller has forgotten it."""
        done = _slurm("scontrol", "show", "job", "-o", handle.ref)
        if done.returncode != 0:
            if "Invalid job id" in done.stderr:
                return None
            raise SlurmError(f"scontrol show job {handle.ref}: {done.stderr.strip()}")
        fields = dict(part.split("=", 1) for part in done.stdout.split() if "=" in part)
        return fields

    def poll(self, handle: Handle) -> Status:
        fields = self._job(handle)
        progress = launch._read_progress(Path(handle.out_dir) / "progress.json") or (0.0, "")
        if fields is None:
            code = self._exit_code(handle)
            state = "done" if code == 0 else "failed"
            return Status(state, f"purged from Slurm, exit code {code}", "", *progress)
        slurm_state = fields.get("JobState", "UNKNOWN")
        state = STATE_MAP.get(slurm_state, "running")
        detail = describe(fields)
        nodes = fields.get("NodeList", "")
        where = f"{handle.where} on {nodes}" if nodes and nodes != "(null)" else handle.where
        if state != "running" and _completing(fields):
            state = "running"  # processes are still being cleaned up on the nodes
        return Status(state, detail, where, *progress)

    def _exit_code(self, handle: Handle) -> int | None:
        try:
            return int((Path(handle.out_dir) / "exit_code").read_text().strip())
        except (OSError, ValueError):
            return None

    def cancel(self, handle: Handle) -> None:
        done = _slurm("scancel", handle.ref)
        if done.returncode != 0:
            raise SlurmError(f"scancel {handle.ref}: {done.stderr.strip()}")

    def result(self, handle: Handle) -> LaunchResult | None:
        status = self.poll(handle)
        if not status.final:
            return None
        out, log = Path(handle.out_dir), Path(handle.log_path)
        token = json.loads((out / "slurm.json").read_text())["token"]
        rc = self._exit_code(handle)
        trace = out / "trace.json"
        if status.state == "done" and trace.is_file():
            return LaunchResult("done", rc, "finished", trace, token)
        if status.state in ("cancelled", "timeout"):
            message = "cancelled on request" if status.state == "cancelled" else status.detail
            return LaunchResult(status.state, rc, message, None, token)
        reason = launch.failure_message(out, log, rc) if rc else "no trace.json was written"
        return LaunchResult("failed", rc, f"{reason} ({status.detail})", None, token)

    def logs(self, handle: Handle, max_bytes: int = 20_000) -> str:
        return tail(handle.log_path, max_bytes)


def cancel_left(out: Path) -> None:
    """scancel the job recorded in `out`/slurm.json (a dead worker's), if there is one."""
    try:
        job_id = json.loads((out / "slurm.json").read_text())["job_id"]
    except (OSError, ValueError, KeyError):
        return
    _slurm("scancel", str(job_id))


def _plain(path: str | Path) -> str:
    """A path for #SBATCH lines and the script, which take no quoting: refuse what needs it."""
    text = str(path)
    if text != shlex.quote(text):
        raise ValueError(f"slurm: {text!r} has spaces or shell characters; use a plain path")
    return text


def describe(fields: dict[str, str]) -> str:
    """Slurm's words for a job: "PENDING (Resources)", "FAILED, exit code 1", "RUNNING"."""
    state = fields.get("JobState", "UNKNOWN")
    reason = fields.get("Reason", "None")
    if state == "PENDING":
        return f"PENDING ({reason})"
    if state in FAILED_STATES or state == "TIMEOUT":
        code, _, signal_no = fields.get("ExitCode", "0:0").partition(":")
        by_signal = f", signal {signal_no}" if signal_no not in ("", "0") else ""
        return f"{state}, exit code {code}{by_signal}"
    return state


def _completing(fields: dict[str, str]) -> bool:
    return "COMPLETING" in fields.get("Flags", "") or fields.get("JobState") == "COMPLETING"
