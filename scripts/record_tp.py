"""Record blocking TP, Ladder Residual and torch's parallelize_module side by side.

Runs runner/workloads/tensor_parallel.py through runner.launch.run (the app's supervisor,
one torchrun job per run, killed with its ranks at the timeout), saves
OUT/tp-<mode>-n<ranks>-h<hidden>.json and prints step time, all-reduce time the compute side
waited for, and the speed-up over blocking. Needs torch only:

    $ python scripts/record_tp.py --device cuda --ranks 2 --hidden 4096 8192 --layers 8 \\
          --batch 8 --seq 512 --out content/traces/tp-h200x2
    $ python scripts/record_tp.py --device cpu --out /tmp/tp-cpu
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from runner import launch  # noqa: E402
from runner.cli import machine  # noqa: E402
from runner.spec import SpecError, from_mapping, validate  # noqa: E402
from runner.trace import load  # noqa: E402


def parse(argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--device", choices=("cpu", "cuda"), default="cpu")
    ap.add_argument("--ranks", type=int, default=2)
    ap.add_argument("--hidden", type=int, nargs="+", default=[256, 512])
    ap.add_argument("--layers", type=int, default=4)
    ap.add_argument("--batch", type=int, default=4)
    ap.add_argument("--seq", type=int, default=128)
    ap.add_argument("--iterations", type=int, default=5)
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--dtype", choices=("float32", "bfloat16", "float16"), default=None)
    ap.add_argument("--modes", nargs="+", default=["blocking", "ladder", "torch_tp"])
    ap.add_argument("--timeout", type=float, default=300.0)
    ap.add_argument("--out", type=Path, required=True)
    return ap.parse_args(argv)


def record_one(spec: dict, path: Path, timeout: float) -> dict | None:
    """One job through runner.launch.run (the app's supervisor: a timed-out run leaves no
    rank behind); its trace copied to ``path``, or None, with the reason, on failure."""
    try:
        typed = validate(from_mapping(spec), machine())
    except SpecError as err:
        print(f"REFUSED {spec['mode']} h={spec['hidden']}: {err}", flush=True)
        return None
    with tempfile.TemporaryDirectory() as tmp:
        result = launch.run(typed, tmp, timeout_s=timeout, log_path=Path(tmp) / "log.txt")
        if result.status != "done":
            print(f"FAILED {spec['mode']} h={spec['hidden']}: {result.message}", flush=True)
            return None
        shutil.copy(Path(tmp) / "trace.json", path)
    return load(path)


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    print("| mode     | hidden | step (ms) | comm exposed (ms) | all-reduce (ms) | speed-up |")
    print("|---|---|---|---|---|---|")
    failed = 0
    for hidden in args.hidden:
        steps = {}
        for mode in args.modes:
            spec = {"workload": "tensor_parallel", "mode": mode, "tp": args.ranks,
                    "layers": args.layers, "hidden": hidden, "batch": args.batch,
                    "seq": args.seq, "iterations": args.iterations, "warmup": args.warmup,
                    "device": args.device}  # fmt: skip
            if args.dtype:
                spec["dtype"] = args.dtype
            path = args.out / f"tp-{mode}-n{args.ranks}-h{hidden}.json"
            trace = record_one(spec, path, args.timeout)
            if trace is None:
                failed += 1
                continue
            s = trace["summary"]
            steps[mode] = s["step_wall_us"]
            speedup = (
                f"{steps['blocking'] / steps['ladder']:.3f}×"
                if mode == "ladder" and "blocking" in steps
                else "-"
            )
            print(
                f"| {mode:<9} | {hidden:>6} | {s['step_wall_us'] / 1e3:9.2f} | "
                f"{s['comm_exposed_us'] / 1e3:17.2f} | {s['comm_us'] / 1e3:15.2f} | "
                f"{speedup:>8} |",
                flush=True,
            )
    print(f"{failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
