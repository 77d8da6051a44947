"""Data parallelism and ZeRO/FSDP: measured vs predicted step, exposed communication, memory
measured vs estimated, request → trace cold. Prints markdown; never asserts.

    $ python bench/bench_dp.py            # every mode and stage once, 2 gloo ranks (~2 min)

Targets (issue 10): predicted step within 10 % of measured; parameters, gradients and
optimizer states within 10 % of the estimate. The prediction uses the run's own transfers
(runner/predict_dp.fits); the warm-up probe's α–β (the link alone) is printed beside it.
"""

from __future__ import annotations

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
    {"workload": "data_parallel", "mode": "overlap"},
    {"workload": "data_parallel", "mode": "no_overlap"},
    {"workload": "data_parallel", "mode": "naive"},
    *({"workload": "fsdp", "stage": s} for s in ("zero3", "zero2", "zero1", "ddp")),
]
PARTS = ("parameters", "gradients", "optimizer", "activations")


def run(raw: dict, out: Path) -> tuple[dict, float]:
    spec = validate(from_mapping({**raw, "device": "cpu"}), Machine(torch=torch.__version__))
    t0 = time.perf_counter()
    result = launch.run(spec, out, timeout_s=300, log_path=out / "log.txt")
    cold = time.perf_counter() - t0
    if result.status != "done":
        raise SystemExit(f"{raw}: {result.status} {result.message}")
    return trace.load(out / "trace.json"), cold


def main() -> None:
    print("| run | step measured ms | predicted ms | Δ | exposed comm ms (meas / pred) |"
          " params / grads / optim / acts: measured ÷ estimate | request → trace s |")  # fmt: skip
    print("|---|---|---|---|---|---|---|")
    for raw in CASES:
        with tempfile.TemporaryDirectory() as tmp:
            t, cold = run(raw, Path(tmp))
        spec = registry.spec_from_trace(t["spec"])
        p = registry.get(spec.workload).predict(spec, t)
        step, pred = t["summary"]["step_wall_us"], p["summary"]["step_us"]
        mem = {m["kind"]: m["peak_bytes"] for m in t["memory"] if m["rank"] == 0}
        est = {m["kind"]: m["peak_bytes"] for m in p["memory"] if m["rank"] == 0}
        ratios = " / ".join(f"{mem.get(k, 0) / est[k]:.3f}" if est.get(k) else "-" for k in PARTS)
        print(f"| {spec.describe()} | {step / 1e3:.1f} | {pred / 1e3:.1f} | "
              f"{pred / step - 1:+.1%} | {t['summary'].get('comm_exposed_us', 0) / 1e3:.1f} / "
              f"{p['summary']['comm_exposed_us'] / 1e3:.1f} | {ratios} | {cold:.1f} |")  # fmt: skip


if __name__ == "__main__":
    main()
