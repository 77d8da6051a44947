"""Record a matrix of real pipeline runs as committed traces (GPU recordings, CPU references).

One command records every schedule torch offers at one pipeline depth, for several
micro-batch counts, through the same launcher the app uses, and prints measured against
predicted bubbles. Used on the GPU host (device tool) and for the 4-rank CPU runs:

    $ python scripts/record_traces.py --device cuda --stages 2 --microbatches 1 2 4 8 \\
          --hidden 2048 --layers-per-stage 4 --seq 512 --out content/traces/h200x2 --overhead
    $ python scripts/record_traces.py --device cpu --stages 4 --microbatches 4 8 16 \\
          --out content/traces/cpu4

Each trace is saved as OUT/<schedule>-p<stages>-m<m>.json with its metadata (GPU name, torch,
date, sizes); combinations torch refuses are skipped with their reason. `--overhead` also
runs 1F1B at the largest m with and without instrumentation and writes OUT/overhead.json.
Needs torch and numpy only (no Streamlit or Plotly), so it runs on a bare GPU host.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from runner import launch, schedules, simulate
from runner.spec import JobSpec, Machine, SpecError, validate
from runner.trace import load


def parse(argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--device", choices=("cpu", "cuda"), required=True)
    ap.add_argument("--stages", type=int, default=2)
    ap.add_argument("--microbatches", type=int, nargs="+", default=[1, 2, 4, 8])
    ap.add_argument("--schedules", nargs="*", help="default: every schedule torch has")
    ap.add_argument("--hidden", type=int, default=JobSpec.hidden)
    ap.add_argument("--layers-per-stage", type=int, default=JobSpec.layers_per_stage)
    ap.add_argument("--batch", type=int, default=JobSpec.batch)
    ap.add_argument("--seq", type=int, default=JobSpec.seq)
    ap.add_argument("--iterations", type=int, default=5)
    ap.add_argument("--timeout", type=float, default=240.0)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--overhead", action="store_true", help="also measure tracing overhead")
    return ap.parse_args(argv)


def matrix(args: argparse.Namespace, available: list[str]) -> list[JobSpec]:
    """Every (schedule, m) the installed torch accepts; the naive baseline once, with m = 1."""
    names = args.schedules or available
    specs = []
    for name in names:
        for m in [1] if name == "naive" else args.microbatches:
            reason = None if name == "naive" else schedules.check(name, args.stages, m)
            if reason:
                print(f"skip {name} m={m}: {reason}", flush=True)
                continue
            specs.append(spec_for(args, name, m))
    return specs


def spec_for(args: argparse.Namespace, schedule: str, microbatches: int) -> JobSpec:
    return JobSpec(
        schedule=schedule, pp=args.stages, microbatches=microbatches, hidden=args.hidden,
        layers_per_stage=args.layers_per_stage, batch=args.batch, seq=args.seq,
        iterations=args.iterations, warmup=1, device=args.device,
    )  # fmt: skip


def record_one(spec: JobSpec, out: Path, timeout: float) -> dict | None:
    """Run one spec; copy its trace to OUT/<name>.json and return it (None if it failed)."""
    with tempfile.TemporaryDirectory() as tmp:
        result = launch.run(spec, tmp, timeout_s=timeout, log_path=Path(tmp) / "log.txt")
        if result.status != "done":
            print(f"FAILED {spec.schedule} m={spec.microbatches}: {result.message}", flush=True)
            return None
        name = f"{spec.schedule}-p{spec.stages}-m{spec.microbatches}.json"
        shutil.copy(result.trace_path, out / name)
    return load(out / name)


def row(trace: dict) -> str:
    spec, summary = trace["spec"], trace["summary"]
    try:
        predicted = simulate.predict(
            spec["schedule"], spec["stages"], spec["microbatches"], simulate.Costs.from_trace(trace)
        )["summary"]["bubble_fraction"]
    except (ValueError, simulate.DeadlockError) as err:
        predicted = float("nan")
        print(f"  (no prediction: {err})")
    measured = summary["bubble_fraction"]
    return (
        f"| {spec['schedule']:<22} | {spec['microbatches']:>3} | {measured:8.3f} | "
        f"{predicted:9.3f} | {measured - predicted:+7.3f} | {summary['step_wall_us'] / 1e3:9.2f} |"
    )


def overhead(spec: JobSpec, out: Path, timeout: float) -> dict:
    """Step wall time of the same run with and without instrumentation (rank 0, mean)."""
    walls = {}
    for flag in ("1", "0", "1", "0"):  # interleaved, so drift hits both alike
        os.environ["PARALAB_INSTRUMENT"] = flag
        with tempfile.TemporaryDirectory() as tmp:
            res = launch.run(spec, tmp, timeout_s=timeout, log_path=Path(tmp) / "log.txt")
            if res.status == "done":
                walls.setdefault(flag, []).append(load(res.trace_path)["summary"]["step_wall_us"])
    os.environ.pop("PARALAB_INSTRUMENT", None)
    on, off = (sum(walls.get(f, [0])) / max(1, len(walls.get(f, []))) for f in ("1", "0"))
    report = {"spec": spec.to_dict(), "instrumented_us": on, "plain_us": off,
              "overhead": (on / off - 1) if off else None}  # fmt: skip
    (out / "overhead.json").write_text(json.dumps(report, indent=1))
    return report


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    import torch

    available = schedules.available(torch)
    gpus = torch.cuda.device_count() if torch.cuda.is_available() else 0
    args.out.mkdir(parents=True, exist_ok=True)
    print(f"torch {torch.__version__}, {gpus} GPU(s), schedules: {', '.join(available)}")
    print("| schedule               |   m | measured | predicted |    diff | step (ms) |")
    print("|---|---|---|---|---|---|")
    start, failed = time.monotonic(), 0
    for spec in matrix(args, available):
        try:
            spec = validate(spec, Machine(torch=torch.__version__, gpus=gpus,
                                          schedules=tuple(available)))  # fmt: skip
        except SpecError as err:
            print(f"skip {spec.schedule} m={spec.microbatches}: {err}", flush=True)
            continue
        trace = record_one(spec, args.out, args.timeout)
        failed += trace is None
        if trace is not None:
            print(row(trace), flush=True)
    if args.overhead:
        m = max(args.microbatches)
        report = overhead(spec_for(args, "1F1B", m), args.out, args.timeout)
        print(f"tracing overhead: {report}")
    print(f"done in {time.monotonic() - start:.0f} s, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
