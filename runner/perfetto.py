"""A trace (v1) as a Chrome / Perfetto trace: open it in https://ui.perfetto.dev or chrome://tracing.

    $ python -m runner.perfetto data/results/12/trace.json > run12.perfetto.json

The Trace Event Format (the one torch.profiler exports): a `traceEvents` list with one
*process* per rank (`pid` = rank, named "rank r") and one *thread* per stream (`tid`,
named "compute", "comm", …), every event a complete event (`ph: "X"`) with its start
(`ts`) and duration (`dur`) in microseconds. Pure: no I/O except in `main`.
"""

from __future__ import annotations

import json
import sys

from runner.gantt_style import NAMES

STREAM_ORDER = ("compute", "comm")


def _streams(events: list[dict]) -> dict[str, int]:
    """Thread id per stream: compute 1, comm 2, then others in name order."""
    names = {e.get("stream", "compute") for e in events} | {"compute"}
    order = sorted(names, key=lambda s: (STREAM_ORDER.index(s) if s in STREAM_ORDER else 9, s))
    return {s: i + 1 for i, s in enumerate(order)}


def _name(e: dict) -> str:
    name = NAMES.get(e["kind"], e["kind"])
    if e.get("microbatch") is not None:
        return f"{name} · mb {e['microbatch']}"
    return name


def to_chrome_trace(trace: dict) -> dict:
    """The `traceEvents` document of ``trace``: a process per rank, a thread per stream."""
    events = trace.get("events", [])
    ranks = sorted({e["rank"] for e in events} | set(range(trace["meta"].get("world_size", 0))))
    tids = _streams(events)
    out: list[dict] = []
    for r in ranks:
        out.append(
            {"ph": "M", "name": "process_name", "pid": r, "tid": 0, "args": {"name": f"rank {r}"}}
        )
        out.append(
            {"ph": "M", "name": "process_sort_index", "pid": r, "tid": 0, "args": {"sort_index": r}}
        )
        for stream, tid in tids.items():
            out.append(
                {"ph": "M", "name": "thread_name", "pid": r, "tid": tid, "args": {"name": stream}}
            )
    for e in sorted(events, key=lambda e: (e["rank"], e["start_us"])):
        args = {k: e[k] for k in ("stage", "microbatch", "iteration") if e.get(k) is not None}
        out.append(
            {
                "ph": "X",
                "name": _name(e),
                "cat": e["kind"],
                "pid": e["rank"],
                "tid": tids[e.get("stream", "compute")],
                "ts": e["start_us"],
                "dur": max(e["end_us"] - e["start_us"], 0.0),
                "args": args,
            }
        )
    meta = {k: v for k, v in trace.get("meta", {}).items() if isinstance(v, str | int | float)}
    return {
        "traceEvents": out,
        "displayTimeUnit": "ms",
        "otherData": {**meta, "spec": json.dumps(trace.get("spec", {}), sort_keys=True)},
    }


def dumps(trace: dict) -> str:
    return json.dumps(to_chrome_trace(trace), separators=(",", ":"))


def main(argv: list[str]) -> int:
    from runner.trace import load

    if len(argv) != 1:
        print("usage: python -m runner.perfetto TRACE.json > OUT.json", file=sys.stderr)
        return 2
    sys.stdout.write(dumps(load(argv[0])))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
