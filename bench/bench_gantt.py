"""How long building Gantt figures takes. Prints only, never asserts.

    $ python bench/bench_gantt.py [RUNS]

The case that matters: 1F1B on 8 ranks with 64 micro-batches (1024 bars), alone and with a
prediction below it (2048 bars), plus the simulator itself.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from runner.gantt import figure
from runner.simulate import Costs, predict


def timed(fn, runs: int) -> tuple[float, float]:
    """Mean and standard deviation of fn() over runs, in ms (after one warm-up call)."""
    fn()
    samples = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t0) * 1e3)
    return statistics.mean(samples), statistics.pstdev(samples)


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    trace = predict("1F1B", 8, 64)
    measured_costs = predict("1F1B", 8, 64, Costs(f=800, b=1600, model="measured"))
    cases = {
        "predict 1F1B 8x64": lambda: predict("1F1B", 8, 64),
        "predict DualPipeV 8x64": lambda: predict("DualPipeV", 8, 64),
        "figure 1F1B 8x64 (1024 bars)": lambda: figure(trace),
        "figure + prediction (2048 bars)": lambda: figure(measured_costs, trace),
        "figure 8x64 to JSON": lambda: figure(trace).to_json(),
    }
    print(f"{runs} runs each, after one warm-up")
    for name, fn in cases.items():
        mean, sd = timed(fn, runs)
        print(f"{name:34s} {mean:8.1f} ms  ± {sd:.1f}")


if __name__ == "__main__":
    main()
