"""What the runner costs and how close the simulator gets. Prints markdown; never asserts.

    $ python bench/bench_runner.py              # everything: real CPU jobs (~3 min on 2 cores)
    $ python bench/bench_runner.py --quick      # only the bubble table of the recordings
    $ python bench/bench_runner.py --repeats 5  # more runs for the overhead figure

Sections:
(a) request-to-trace through the real JobQueue + Worker: a 2-rank CPU 1F1B m=4 job, cold
    (torchrun starts and runs it) and the identical request again (served from the cache);
(b) tracing overhead: the same spec with PARALAB_INSTRUMENT=1 and =0, interleaved, comparing
    rank 0's mean step wall time (trace.summary.step_wall_us); plus the H200 figure recorded
    in bench/results/h200x2-overhead.json;
(c) measured vs predicted bubble: idle ÷ (ranks · makespan) of each run, against
    ``simulate.predict`` fed the costs measured in that same run (``Costs.from_trace``) and
    the textbook (p−1)/(m+p−1) where it applies (naive, GPipe, 1F1B).
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import torch  # noqa: E402

from runner import launch, schedules, trace  # noqa: E402
from runner.queue import JobQueue  # noqa: E402
from runner.simulate import Costs, bubble, predict  # noqa: E402
from runner.spec import JobSpec, Machine, validate  # noqa: E402
from runner.worker import Worker  # noqa: E402

mean = statistics.mean

RECORDINGS = ROOT / "content" / "traces"
GPU_OVERHEAD = ROOT / "bench" / "results" / "h200x2-overhead.json"
TEXTBOOK_FLAG = 0.03  # |measured − predicted| above this is flagged for GPipe and 1F1B
FLAGGED = ("GPipe", "1F1B")


def lab_spec(schedule: str = "1F1B", m: int = 4) -> JobSpec:
    """The lab's default CPU spec (runner/spec.py defaults), validated as the app does."""
    spec = JobSpec(schedule=schedule, pp=2, microbatches=1 if schedule == "naive" else m)
    avail = schedules.available(torch)
    return validate(spec, Machine(torch=torch.__version__, schedules=tuple(avail)))


def table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return "\n".join([*lines, *("| " + " | ".join(r) + " |" for r in rows)])


def queue_figures(workdir: Path) -> str:
    """(a) submit → trace loaded, cold and from the cache, through JobQueue + Worker."""
    queue = JobQueue(workdir / "jobs.db", workdir / "results")
    worker = Worker(queue, timeout_s=300)
    spec = lab_spec()

    def request() -> tuple[float, str]:
        t0 = time.perf_counter()
        job = queue.submit(spec, torch.__version__, spec.device)
        if job.state != "done":
            worker.run_once()  # the worker claims and runs it, as its thread would
            job = queue.get(job.id)
        if job.trace_path is None:
            return float("nan"), f"{job.state}: {job.message}"
        trace.load(job.trace_path)
        return time.perf_counter() - t0, job.message

    cold, cold_msg = request()
    warm, warm_msg = request()
    rows = [
        ["cold (torchrun runs the job)", f"{cold * 1e3:,.0f} ms", cold_msg],
        ["repeated identical request", f"{warm * 1e3:,.1f} ms", warm_msg],
        ["ratio cold / cached", f"{cold / warm:,.0f}×", ""],
    ]
    head = f"### (a) request → trace, 2-rank CPU 1F1B m=4 ({describe(spec)})"
    return head + "\n\n" + table(["request", "time", "job message"], rows)


def describe(spec: JobSpec) -> str:
    return (
        f"hidden {spec.hidden}, {spec.layers_per_stage} layers/stage, batch {spec.batch}, "
        f"seq {spec.seq}, {spec.iterations} iterations"
    )


@contextlib.contextmanager
def patched_env(env: dict[str, str]) -> Iterator[None]:
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def run_once(spec: JobSpec, workdir: Path, env: dict[str, str] | None = None) -> dict | None:
    """One launch.run of ``spec`` with extra environment; the loaded trace, or None."""
    out = Path(tempfile.mkdtemp(dir=workdir))
    with patched_env(env or {}):  # launch.run passes os.environ on to the ranks
        result = launch.run(spec, out, timeout_s=300, log_path=out / "log.txt")
    if result.status != "done":
        print(f"<!-- {spec.schedule}: {result.status}: {result.message} -->")
        return None
    return trace.load(result.trace_path)


ARMS = {
    "instrumented": {"PARALAB_INSTRUMENT": "1"},
    "compute events only": {"PARALAB_INSTRUMENT": "1", "PARALAB_COMM_EVENTS": "0"},
    "plain": {"PARALAB_INSTRUMENT": "0"},
}


def overhead_figures(workdir: Path, repeats: int, iterations: int = 3) -> str:
    """(b) mean step wall time of three arms, runs interleaved: fully instrumented, compute
    events only (no P2P wrappers), and plain; the middle arm says which part costs."""
    spec = dataclasses.replace(lab_spec(), iterations=iterations)
    walls: dict[str, list[float]] = {arm: [] for arm in ARMS}
    for _ in range(repeats):
        for arm, env in ARMS.items():
            t = run_once(spec, workdir, env)
            if t is not None:
                walls[arm].append(t["summary"]["step_wall_us"])
    rows = []
    if walls["plain"]:
        for arm in ("instrumented", "compute events only"):
            if walls[arm]:
                row = cpu_overhead_row(walls[arm], walls["plain"])
                row[0] = f"CPU gloo, {arm}, {len(walls[arm])} runs × {iterations} steps"
                rows.append(row)
    rows.append([*gpu_overhead_row(), "2 interleaved runs each, 5 steps (no spread recorded)"])
    head = f"### (b) tracing overhead, 2-rank 1F1B, rank 0 mean step wall time ({describe(spec)})"
    header = ["run", "instrumented", "plain", "overhead", "noise"]
    return head + "\n\n" + table(header, rows)


def cpu_overhead_row(on: list[float], off: list[float]) -> list[str]:
    """Means, their spread, and whether the difference stands out of run-to-run noise."""
    row = overhead_row(f"CPU gloo, this box, {len(on)} runs each", mean(on), mean(off))
    row[1] += f" (sd {statistics.pstdev(on) / 1e3:,.1f})"
    row[2] += f" (sd {statistics.pstdev(off) / 1e3:,.1f})"
    # standard error of the difference of the two means, as a share of the plain mean
    se = (statistics.pvariance(on) / len(on) + statistics.pvariance(off) / len(off)) ** 0.5
    rel = se / mean(off)
    resolved = abs(mean(on) - mean(off)) > 2 * se
    row.append(f"±{2 * rel:.1%} (2 s.e.): " + ("resolved" if resolved else "within noise"))
    return row


def overhead_row(label: str, on_us: float, off_us: float) -> list[str]:
    return [
        label,
        f"{on_us / 1e3:,.1f} ms",
        f"{off_us / 1e3:,.1f} ms",
        f"{on_us / off_us - 1:+.1%}",
    ]


def gpu_overhead_row() -> list[str]:
    try:
        rec = json.loads(GPU_OVERHEAD.read_text())
    except (OSError, ValueError):
        return ["2× H200 (recorded)", "—", "—", f"missing: {GPU_OVERHEAD.name}"]
    s = rec["spec"]
    label = f"2× H200 NCCL (recorded), m={s['microbatches']}, hidden {s['hidden']}"
    return overhead_row(label, rec["instrumented_us"], rec["plain_us"])


def bubble_row(source: str, t: dict) -> list[str]:
    """One row of (c): measured (mean over iterations) vs predicted with measured costs."""
    spec = t["spec"]
    p, m = spec["stages"], spec["microbatches"]
    its = sorted({e["iteration"] for e in t["events"]})
    measured = mean(bubble(t, i)["idle_over_total"] for i in its)
    pred = bubble(predict(spec["schedule"], p, m, Costs.from_trace(t)))
    diff = measured - pred["idle_over_total"]
    flag = "⚠" if spec["schedule"] in FLAGGED and abs(diff) > TEXTBOOK_FLAG else ""
    textbook = "—" if pred["textbook"] is None else f"{pred['textbook']:.3f}"
    return [
        source,
        spec["schedule"],
        str(p),
        str(m),
        f"{measured:.3f}",
        f"{pred['idle_over_total']:.3f}",
        textbook,
        f"{diff:+.3f}",
        flag,
    ]


def order(schedule: str) -> int:
    """Catalogue position: naive, GPipe, 1F1B, then the multi-stage schedules."""
    return schedules.NAMES.index(schedule) if schedule in schedules.NAMES else len(schedules.NAMES)


def recording_rows() -> list[list[str]]:
    rows = []
    for folder in ("h200x2", "cpu4"):
        paths = [(trace.load(p), p) for p in sorted((RECORDINGS / folder).glob("*.json"))]
        paths.sort(key=lambda tp: (order(tp[0]["spec"]["schedule"]), tp[0]["spec"]["microbatches"]))
        label = "H200×2 (rec.)" if folder == "h200x2" else "CPU×4 (rec.)"
        rows += [bubble_row(label, t) for t, _ in paths]
    return rows


def bubble_figures(workdir: Path | None) -> str:
    """(c) every schedule here at p=2 m=4 (unless quick), then the committed recordings."""
    rows = []
    if workdir is not None:
        for name in schedules.available(torch):
            t = run_once(lab_spec(name), workdir, {"PARALAB_INSTRUMENT": "1"})
            if t is not None:
                rows.append(bubble_row("CPU×2 (this box)", t))
    rows += recording_rows()
    header = ["source", "schedule", "p", "m", "measured", "predicted", "textbook", "diff", ""]
    head = (
        "### (c) bubble = idle ÷ (ranks · makespan): measured vs predicted with measured costs\n\n"
        f"diff = measured − predicted; ⚠ marks GPipe/1F1B rows with |diff| > {TEXTBOOK_FLAG}. "
        "textbook = (p−1)/(m+p−1), for naive, GPipe and 1F1B only."
    )
    return head + "\n\n" + table(header, rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="skip the CPU runs")
    parser.add_argument("--repeats", type=int, default=3, help="runs per arm in (b)")
    parser.add_argument("--iterations", type=int, default=3, help="measured steps per run in (b)")
    parser.add_argument("--overhead-only", action="store_true", help="only section (b)")
    args = parser.parse_args(argv)
    t0 = time.perf_counter()
    print(f"## bench_runner — torch {torch.__version__}, {os.cpu_count()} CPUs visible\n")
    with tempfile.TemporaryDirectory(prefix="bench-runner-") as tmp:
        work = Path(tmp)
        if args.overhead_only:
            print(overhead_figures(work, max(1, args.repeats), args.iterations))
            return 0
        if not args.quick:
            print(queue_figures(work) + "\n")
            print(overhead_figures(work, max(1, args.repeats), args.iterations) + "\n")
        print(bubble_figures(None if args.quick else work))
    print(f"\n_total bench time {time.perf_counter() - t0:,.0f} s_")
    return 0


if __name__ == "__main__":
    sys.exit(main())
