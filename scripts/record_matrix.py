"""Record a matrix of lab runs of any registered workloads, with their metadata.

Each spec runs through runner.launch.run (the app's supervisor: killed with its ranks at the
timeout); its trace is saved as OUT/<name>.json and a row of measured vs predicted figures
is printed (markdown). Needs torch only (no Streamlit, no Plotly), so it runs on GPU hosts:

    $ python scripts/record_matrix.py --preset wave2 --device cpu --out content/traces/cpu-wave2
    $ python scripts/record_matrix.py --spec '{"workload": "tensor_parallel", "mode": "ladder"}' \\
          --out /tmp/rec

Presets: `wave2` — tensor parallelism (blocking, ladder, torch_tp) at a prefill-sized and a
decode-sized step; data parallelism with and without overlap; the four ZeRO stages; expert
parallelism with a balanced and a skewed router; both hybrid layouts (4 ranks).
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from runner import launch, registry  # noqa: E402
from runner.cli import machine  # noqa: E402
from runner.gantt_panel import median_iteration  # noqa: E402
from runner.spec import SpecError, validate  # noqa: E402
from runner.trace import load  # noqa: E402

TP = {"workload": "tensor_parallel", "tp": 2, "layers": 8, "hidden": 512, "iterations": 5}
WAVE2: dict[str, dict] = {
    **{f"tp-{m}-prefill": {**TP, "mode": m, "batch": 4, "seq": 256}
       for m in ("blocking", "ladder", "torch_tp")},
    **{f"tp-{m}-decode": {**TP, "mode": m, "batch": 4, "seq": 1}
       for m in ("blocking", "ladder", "torch_tp")},
    **{f"dp-{m}": {"workload": "data_parallel", "mode": m, "iterations": 5}
       for m in ("overlap", "no_overlap", "naive")},
    **{f"fsdp-{s}": {"workload": "fsdp", "stage": s, "iterations": 5}
       for s in ("zero3", "zero2", "zero1", "ddp")},
    "moe-balanced": {"workload": "expert_parallel", "skew": 0.0, "iterations": 5},
    "moe-skewed": {"workload": "expert_parallel", "skew": 0.5, "iterations": 5},
    "hybrid-pp-dp": {"workload": "hybrid", "dp": 2, "pp": 2, "tp": 1, "iterations": 5},
    "hybrid-tp-dp": {"workload": "hybrid", "dp": 2, "pp": 1, "tp": 2, "iterations": 5},
}  # fmt: skip


def step_of(trace: dict) -> float:
    """The measured span of the step the charts draw (the median one), all events."""
    it = median_iteration(trace)
    drawn = [e for e in trace["events"] if e["iteration"] == it]
    return max(e["end_us"] for e in drawn) - min(e["start_us"] for e in drawn)


def predicted_step(trace: dict) -> float | None:
    try:
        spec = registry.spec_from_trace(trace["spec"])
        p = registry.get(spec.workload).predict(spec, trace)["summary"]
    except Exception as err:  # a prediction that fails is reported, not fatal to a recording
        print(f"<!-- prediction failed: {type(err).__name__}: {err} -->", flush=True)
        return None
    return p.get("step_us") or p.get("makespan_us")


def record(name: str, raw: dict, out: Path, device: str, timeout: float) -> dict | None:
    try:
        spec = validate(registry.spec_from_mapping({**raw, "device": device}), machine())
    except SpecError as err:
        print(f"| {name} | refused: {err} | | | |", flush=True)
        return None
    with tempfile.TemporaryDirectory() as tmp:
        result = launch.run(spec, tmp, timeout_s=timeout, log_path=Path(tmp) / "log.txt")
        if result.status != "done":
            print(f"| {name} | {result.status}: {result.message} | | | |", flush=True)
            return None
        shutil.copy(result.trace_path, out / f"{name}.json")
    return print_row(name, load(out / f"{name}.json"))


def print_row(name: str, trace: dict) -> dict:
    """One table row: measured and predicted step of a recorded trace."""
    spec = registry.spec_from_trace(trace["spec"])
    measured, predicted = step_of(trace), predicted_step(trace)
    diff = f"{predicted / measured - 1:+.1%}" if predicted and measured else "—"
    pred = f"{predicted / 1e3:.2f} ms" if predicted else "—"
    print(f"| {name} | {spec.describe()} | {measured / 1e3:.2f} ms | {pred} | {diff} |", flush=True)
    return trace


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--preset", choices=("wave2",))
    ap.add_argument("--spec", action="append", default=[], help="a JSON spec (repeatable)")
    ap.add_argument("--only", nargs="+", help="names of the preset to run")
    ap.add_argument("--device", choices=("cpu", "cuda", "auto"), default="auto")
    ap.add_argument("--timeout", type=float, default=300.0)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument(
        "--table-only",
        action="store_true",
        help="print the table of the traces already in OUT (current prediction)",
    )
    args = ap.parse_args(argv)
    if args.table_only:
        print("| run | spec | measured step | predicted step | diff |\n|---|---|---|---|---|")
        for path in sorted(args.out.glob("*.json")):
            print_row(path.stem, load(path))
        return 0
    matrix = dict(WAVE2) if args.preset == "wave2" else {}
    matrix.update({f"spec-{i}": json.loads(s) for i, s in enumerate(args.spec)})
    if args.only:
        matrix = {k: v for k, v in matrix.items() if k in args.only}
    args.out.mkdir(parents=True, exist_ok=True)
    print("| run | spec | measured step | predicted step | diff |\n|---|---|---|---|---|")
    failed = sum(
        record(n, s, args.out, args.device, args.timeout) is None for n, s in matrix.items()
    )
    print(f"\n{len(matrix) - failed} recorded, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
