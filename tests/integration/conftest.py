"""Shared by the integration tests: run a workload under real torchrun (gloo, CPU)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from runner import trace

ROOT = Path(__file__).resolve().parents[2]


def run_workload(module: str, spec: dict, ranks: int, out: Path) -> dict:
    """`torchrun -m <module> --spec … --out <out>` on `ranks` CPU ranks; the trace it wrote.

    Fails the test with the end of the job's output when torchrun fails or the job did not
    report itself done.
    """
    (out / "spec.json").write_text(json.dumps(spec))
    cmd = [sys.executable, "-m", "torch.distributed.run", "--standalone",
           f"--nproc-per-node={ranks}", "-m", module,
           "--spec", str(out / "spec.json"), "--out", str(out)]  # fmt: skip
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    res = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=240)
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-3000:]
    assert json.loads((out / "progress.json").read_text())["phase"] == "done"
    return trace.load(out / "trace.json")
