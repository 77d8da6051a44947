"""How big the lab's default pipeline job should be: time to a trace against how well its
bubble shows the schedule. Prints only.

    $ python bench/bench_lab_size.py [--hidden 512 384 256] [--reps 3]

Each job is forked from the warm pool as the lab runs it (runner/warm_pool.py), 2 ranks on
CPU, 4 layers per stage, batch 32 × seq 32, 3 measured steps after 1 warm-up, for 1F1B and
GPipe at m = 4 and m = 8. Per width it prints the median over `reps` of: request → trace,
the measured step, one micro-batch's forward F against one activation transfer (α + β·bytes
as the ranks fitted it), the measured bubble against the textbook's (p − 1)/(m + p − 1) and
against the lab's prediction (runner/predict.py: the schedule laid out on the run's own
durations). A smaller model answers sooner; it is too small once F is no longer far above
the transfer and the per-action overhead, and the measured bubble drifts from the schedule's.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from runner import predict  # noqa: E402
from runner.commcost import predicted_us  # noqa: E402
from runner.spec import JobSpec  # noqa: E402
from runner.warm_pool import WarmPool  # noqa: E402

CASES = (("1F1B", 4), ("GPipe", 4), ("1F1B", 8))


def one(pool: WarmPool, spec: JobSpec) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as d:
        out = Path(d)
        t0 = time.perf_counter()
        result = pool.run(spec, out, timeout_s=300, log_path=out / "log.txt")
        seconds = time.perf_counter() - t0
        if result.status != "done":
            raise RuntimeError(f"{spec.describe()}: {result.status}: {result.message}")
        trace = json.loads(Path(result.trace_path).read_text())
    forwards = [e["end_us"] - e["start_us"] for e in trace["events"] if e["kind"] == "F"]
    fit = trace["meta"]["comm_fit"]["p2p"]
    predicted = predict.pipeline(spec, trace)
    return {
        "seconds": seconds,
        "step_ms": trace["summary"]["step_wall_us"] / 1000,
        "f_ms": statistics.median(forwards) / 1000,
        "p2p_ms": predicted_us(fit, predict.p2p_bytes(spec)) / 1000,
        "measured": trace["summary"]["bubble_fraction"],
        "predicted": predicted["summary"]["bubble_fraction"],
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--hidden", type=int, nargs="+", default=[512, 384, 256])
    ap.add_argument("--reps", type=int, default=3)
    args = ap.parse_args()
    pool = WarmPool()
    pool.start()
    print(f"2-rank CPU pipeline, 4 layers/stage, batch 32 × seq 32; medians of {args.reps}\n")
    print(
        "| hidden | schedule | m | request → trace | step | F / transfer | bubble measured "
        "| textbook | |measured − textbook| | lab prediction | |measured − prediction| |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    try:
        for hidden in args.hidden:
            for schedule, m in CASES:
                spec = JobSpec(schedule=schedule, pp=2, microbatches=m, device="cpu",
                               hidden=hidden)  # fmt: skip
                runs = [one(pool, spec) for _ in range(args.reps)]
                med = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
                book = (spec.pp - 1) / (m + spec.pp - 1)
                gap_book = statistics.median(abs(r["measured"] - book) for r in runs)
                gap_pred = statistics.median(abs(r["measured"] - r["predicted"]) for r in runs)
                print(
                    f"| {hidden} | {schedule} | {m} | {med['seconds']:.2f} s "
                    f"| {med['step_ms']:.0f} ms | {med['f_ms']:.2f} / {med['p2p_ms']:.3f} ms "
                    f"({med['f_ms'] / max(med['p2p_ms'], 1e-9):.0f}×) | {med['measured']:.3f} "
                    f"| {book:.3f} | {gap_book:.3f} | {med['predicted']:.3f} | {gap_pred:.3f} |",
                    flush=True,
                )
    finally:
        pool.stop()


if __name__ == "__main__":
    main()
