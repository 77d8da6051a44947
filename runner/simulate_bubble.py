"""The pipeline bubble of a trace, in both conventions, each labelled.

With p ranks, m micro-batches and uniform F and B (GPipe or 1F1B):
- share of all rank-time spent idle: idle / (ranks · makespan) = (p−1)/(m+p−1);
- relative to the ideal compute time: idle / busy = (p−1)/m.
The naive run (no micro-batches, m = 1) gives (p−1)/p of rank-time.

    $ python -c "from runner.simulate import predict, bubble; print(bubble(predict('GPipe', 4, 8)))"
"""

from __future__ import annotations

COMPUTE_KINDS = frozenset({"F", "B", "I", "W", "COMPUTE"})
TEXTBOOK_SCHEDULES = frozenset({"naive", "GPipe", "1F1B"})

BUBBLE_LABELS = {
    "idle_over_total": "idle ÷ (ranks · makespan): share of all rank-time spent idle",
    "textbook": "(p−1)/(m+p−1): the textbook bubble of GPipe/1F1B, uniform F and B",
    "idle_over_ideal": "idle ÷ busy: idle time relative to the ideal compute time, (p−1)/m",
}


def makespan(events: list[dict]) -> float:
    """Span from the first start to the last end, in µs (0 for no events)."""
    if not events:
        return 0.0
    return max(e["end_us"] for e in events) - min(e["start_us"] for e in events)


def _busy(intervals: list[tuple[float, float]]) -> float:
    """Length of the union of intervals (measured compute may overlap a little)."""
    total, cur_start, cur_end = 0.0, None, None
    for s, e in sorted(intervals):
        if cur_end is None or s > cur_end:
            total += 0.0 if cur_end is None else cur_end - cur_start
            cur_start, cur_end = s, e
        else:
            cur_end = max(cur_end, e)
    return total + (0.0 if cur_end is None else cur_end - cur_start)


def bubble(trace: dict, iteration: int = 0) -> dict:
    """The bubble of one iteration, in both conventions (labels in ``BUBBLE_LABELS``).

    ``idle_over_total``: idle / (ranks · makespan) — for GPipe/1F1B with uniform F and B,
    (p−1)/(m+p−1). ``idle_over_ideal``: idle / busy — (p−1)/m for the same schedules.
    ``textbook``: the formula (p−1)/(m+p−1) for naive (m = 1), GPipe and 1F1B, else None.
    """
    events = [
        e
        for e in trace["events"]
        if e.get("iteration", 0) == iteration and e["kind"] in COMPUTE_KINDS
    ]
    spec = trace.get("spec", {})
    ranks = trace.get("meta", {}).get("world_size") or len({e["rank"] for e in events}) or 1
    span = makespan(events)
    busy = sum(
        _busy([(e["start_us"], e["end_us"]) for e in events if e["rank"] == r])
        for r in {e["rank"] for e in events}
    )
    idle = ranks * span - busy
    textbook = None
    if spec.get("schedule") in TEXTBOOK_SCHEDULES:
        p, m = spec["stages"], 1 if spec["schedule"] == "naive" else spec["microbatches"]
        textbook = (p - 1) / (m + p - 1)
    return {
        "idle_over_total": idle / (ranks * span) if span else 0.0,
        "textbook": textbook,
        "idle_over_ideal": idle / busy if busy else 0.0,
    }
