"""The figures shown beside a chart, and side by side in the compare view. Pure.

    >>> from runner.simulate import predict
    >>> numbers(predict("GPipe", 4, 8))["textbook"]
    0.2727272727272727

For one trace, at the iteration the chart draws (the median-makespan one): the bubble in
both conventions (idle ÷ rank-time, idle ÷ busy compute) and the textbook formula where it
applies, the step time, and the peak activation memory of the busiest rank.
"""

from __future__ import annotations

from runner.gantt_panel import by_iteration, median_iteration
from runner.simulate_bubble import bubble

ROWS = (
    ("bubble, share of rank-time", "idle_over_total", "pct"),
    ("bubble, share of ideal compute", "idle_over_ideal", "pct"),
    ("textbook (p−1)/(m+p−1)", "textbook", "pct"),
    ("step time", "step", "time"),
    ("peak activations (busiest rank)", "peak", "mem"),
)


def _span(events: list[dict]) -> float:
    if not events:
        return 0.0
    return max(e["end_us"] for e in events) - min(e["start_us"] for e in events)


def numbers(trace: dict) -> dict:
    """Bubble (both conventions, textbook), step time and peak memory of one trace."""
    groups = by_iteration(trace)
    it = median_iteration(trace, groups)
    b = bubble(trace, iteration=it)
    rows = [m for m in trace.get("memory", []) if m.get("kind", "activations") == "activations"]
    peak_bytes = max((m.get("peak_bytes") or 0 for m in rows), default=0)
    peak_mb = max((m.get("peak_microbatches") or 0 for m in rows), default=0)
    unit = trace.get("meta", {}).get("cost_model", "") == "unit"
    return {
        **b,
        "iteration": it,
        "step": _span(groups.get(it, [])),
        "step_unit": "units" if unit else "us",
        "peak": peak_bytes or (peak_mb if peak_mb else None),
        "peak_unit": "bytes" if peak_bytes else "microbatches",
    }


def fmt(value, kind: str, unit: str = "") -> str:
    """A figure as the table shows it: '23.1 %', '12.3 ms', '48.0 MiB', '4 micro-batches'."""
    if value is None:
        return "—"
    if kind == "pct":
        return f"{100 * value:.1f} %"
    if kind == "time":
        return f"{value:g} units" if unit == "units" else f"{value / 1e3:.1f} ms"
    if unit == "microbatches":
        return f"{value} micro-batches"
    return f"{value / 2**20:.1f} MiB"


def table(traces: dict[str, dict]) -> list[dict[str, str]]:
    """One row per figure, one column per named trace (the compare view's table)."""
    nums = {name: numbers(t) for name, t in traces.items()}
    rows = []
    for label, key, kind in ROWS:
        row = {"": label}
        for name, n in nums.items():
            unit = n["step_unit"] if key == "step" else n["peak_unit"] if key == "peak" else ""
            row[name] = fmt(n.get(key), kind, unit)
        rows.append(row)
    return rows
