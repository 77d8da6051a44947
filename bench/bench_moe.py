"""Expert-parallel and hybrid workloads: measured vs predicted step, exposed communication,
request → trace. Prints markdown; never asserts.

    $ python bench/bench_moe.py                  # every case on gloo CPU ranks (~2 min idle)
    $ python bench/bench_moe.py --only expert_parallel --iterations 8
    $ python bench/bench_moe.py --device cuda    # on a GPU host (NCCL, one GPU per rank)

Each case is one cold job through `runner.launch.run` (the supervisor the app uses): torchrun
starts, the ranks warm up, run the measured steps and fit their α–β costs, and rank 0 writes
trace.json. *request → trace* is that whole wall time. *measured* is rank 0's mean step
(summary.step_wall_us); *predicted* is the registry's prediction fed that run's own costs
(runner/predict_moe.py, runner/predict_hybrid.py); *pred/meas* is their ratio (target
0.90–1.10). *comm* is the communication per step and rank (all-to-all for MoE, every mesh
axis for hybrid), as a share of the step; both include waiting for the slowest peer. The
baseline measured in the same run is the first case of each workload (MoE: an even router;
hybrid: pipeline × data), and *vs baseline* is each case's measured step over it.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import torch  # noqa: E402

from runner import launch, registry, trace  # noqa: E402
from runner.spec import Machine, from_mapping, validate  # noqa: E402

CASES = [
    ("expert_parallel", "even router", {"skew": 0.0, "capacity_factor": 0.0}),
    ("expert_parallel", "skew 0.5, no capacity limit", {"skew": 0.5, "capacity_factor": 0.0}),
    ("expert_parallel", "skew 0.5, capacity factor 1.0", {"skew": 0.5, "capacity_factor": 1.0}),
    ("hybrid", "pipeline × data (2 × 2)", {"pp": 2, "tp": 1}),
    ("hybrid", "tensor × data (2 × 2)", {"pp": 1, "tp": 2}),
]


def run_case(workload: str, fields: dict, device: str, iterations: int, workdir: Path):
    """(trace, request → trace seconds) of one cold job, or (None, reason)."""
    spec = from_mapping({"workload": workload, **fields, "device": device,
                         "iterations": iterations})  # fmt: skip
    gpus = torch.cuda.device_count() if torch.cuda.is_available() else 0
    typed = validate(spec, Machine(torch=torch.__version__, gpus=gpus))
    out = Path(tempfile.mkdtemp(prefix=f"{workload}-", dir=workdir))
    t0 = time.perf_counter()
    result = launch.run(typed, out, timeout_s=600, log_path=out / "log.txt")
    seconds = time.perf_counter() - t0
    if result.status != "done":
        return None, f"{result.status}: {result.message}"
    return trace.load(out / "trace.json"), seconds


def comm_share(t: dict) -> float:
    s = t["summary"]
    return s.get("comm_exposed_us", 0.0) / (s.get("step_wall_us") or s["makespan_us"])


def row(label: str, t: dict, seconds: float, baseline: float | None) -> tuple[list[str], dict]:
    spec = registry.spec_from_trace(t["spec"])
    predicted = registry.get(spec.workload).predict(spec, t)["summary"]["step_us"]
    measured = t["summary"]["step_wall_us"]
    extra = ""
    if spec.workload == "expert_parallel":
        extra = f"dropped {t['summary']['dropped_fraction']:.1%}"
    else:
        extra = " · ".join(f"{g} {us / 1e3:.1f} ms" for g, us in t["summary"]["comm_us"].items())
    cells = [spec.workload, label, f"{measured / 1e3:.1f} ms", f"{predicted / 1e3:.1f} ms",
             f"{predicted / measured:.2f}", f"{comm_share(t):.0%}", extra,
             f"{measured / baseline:.2f}×" if baseline else "1 (baseline)",
             f"{seconds:.1f} s"]  # fmt: skip
    figures = {"workload": spec.workload, "case": label, "measured_us": measured,
               "predicted_us": predicted, "comm_share": comm_share(t),
               "request_to_trace_s": seconds, "device": t["meta"]["device"]}  # fmt: skip
    return cells, figures


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--device", default="cpu", choices=("cpu", "cuda"))
    ap.add_argument("--iterations", type=int, default=5)
    ap.add_argument("--only", choices=("expert_parallel", "hybrid"))
    ap.add_argument("--json", type=Path, help="also write the figures here")
    ap.add_argument("--keep", type=Path, help="copy each case's trace.json into this folder")
    args = ap.parse_args(argv)
    header = ["workload", "case", "measured", "predicted", "pred/meas", "comm", "detail",
              "vs baseline", "request → trace (cold)"]  # fmt: skip
    print(f"torch {torch.__version__} · device {args.device} · {args.iterations} measured steps")
    print("| " + " | ".join(header) + " |\n|" + "---|" * len(header))
    baselines: dict[str, float] = {}
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for workload, label, fields in CASES:
            if args.only and workload != args.only:
                continue
            t, seconds = run_case(workload, fields, args.device, args.iterations, Path(tmp))
            if t is None:
                print(f"| {workload} | {label} | failed: {seconds} |", flush=True)
                continue
            cells, figures = row(label, t, seconds, baselines.get(workload))
            baselines.setdefault(workload, t["summary"]["step_wall_us"])
            results.append(figures)
            if args.keep:
                args.keep.mkdir(parents=True, exist_ok=True)
                name = f"{workload}-{len(results)}.json"
                (args.keep / name).write_text(json.dumps(t))
            print("| " + " | ".join(cells) + " |", flush=True)
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
