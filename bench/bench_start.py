"""Where a cold 2-rank CPU run spends its time, under torchrun and forked from the warm pool.

    $ python bench/bench_start.py [--rounds 3]

Prints only. One job = 1F1B, p = 2, m = 4 with the lab's default sizes, run to its trace
by `launch.run` (torchrun) and by `WarmPool.run` (runner/warm_pool.py), alternating, in one
run of this script. The supervisor watches progress.json, so each phase is timed from the
moment the job is requested:
- *interpreter* and *torch import*: `python -c pass` and `python -c "import torch"` alone;
- *to first warm-up step*: processes started, torch imported, process group up
  (rendezvous), model built, first warm-up step done;
- *warm-up*, *measured steps*: from progress.json's phases;
- *trace write + exit*: from "done" (rank 0 wrote trace.json) until the job has ended.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from runner import launch  # noqa: E402
from runner.spec import JobSpec  # noqa: E402
from runner.warm_pool import WarmPool  # noqa: E402


def wall(cmd: list[str]) -> float:
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True)
    return time.perf_counter() - t0


def timed_job(runner, out: Path) -> dict[str, float]:
    """Seconds from request to each phase change of one job, and its total."""
    seen: dict[str, float] = {}
    t0 = time.perf_counter()

    def on_progress(fraction: float, phase: str) -> None:
        seen.setdefault(phase, time.perf_counter() - t0)

    spec = JobSpec(schedule="1F1B", pp=2, microbatches=4, device="cpu")
    result = runner(spec, out, timeout_s=300, log_path=out / "log.txt", on_progress=on_progress)
    total = time.perf_counter() - t0
    if result.status != "done":
        raise RuntimeError(f"{result.status}: {result.message}")
    json.loads(Path(result.trace_path).read_text())  # the chart's input, read once
    first, measure, done = seen.get("warmup"), seen.get("measure"), seen.get("done")
    return {
        "to first warm-up step": first,
        "warm-up": measure - first,
        "measured steps": done - measure,
        "trace write + exit": total - done,
        "request → trace": time.perf_counter() - t0,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    py = sys.executable
    interp = statistics.median(wall([py, "-c", "pass"]) for _ in range(3))
    torch_s = statistics.median(wall([py, "-c", "import torch"]) for _ in range(3)) - interp
    pool = WarmPool()
    t0 = time.perf_counter()
    pool.start()
    pool_start = time.perf_counter() - t0
    rows: dict[str, dict[str, list[float]]] = {"torchrun": {}, "warm pool": {}}
    runners = {"torchrun": launch.run, "warm pool": pool.run}
    try:
        with tempfile.TemporaryDirectory() as tmp:
            for i in range(args.rounds):
                for name, runner in runners.items():
                    out = Path(tmp) / f"{name}-{i}".replace(" ", "-")
                    for phase, s in timed_job(runner, out).items():
                        rows[name].setdefault(phase, []).append(s)
    finally:
        pool.stop()
    print(f"2-rank CPU 1F1B m=4, lab default sizes; medians of {args.rounds} runs each\n")
    print(
        f"interpreter start {interp * 1e3:,.0f} ms · import torch {torch_s * 1e3:,.0f} ms · "
        f"warm pool start (once, with the app) {pool_start * 1e3:,.0f} ms\n"
    )
    print("| phase | torchrun | warm pool |\n|---|---|---|")
    for phase in rows["torchrun"]:
        a, b = (statistics.median(rows[n][phase]) for n in runners)
        print(f"| {phase} | {a * 1e3:,.0f} ms | {b * 1e3:,.0f} ms |")
    total = [statistics.median(rows[n]["request → trace"]) for n in runners]
    print(f"\nwarm pool ÷ torchrun: {total[1] / total[0]:.2f}")


if __name__ == "__main__":
    main()
