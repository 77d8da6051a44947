"""One panel of a Gantt chart, read from a trace in one pass. Pure: no I/O, no Plotly.

    >>> from runner.simulate import predict
    >>> p = panel(predict("Interleaved1F1B", 2, 4))
    >>> p.rows, sorted({b.kind for b in p.bars})
    (['rank 0 · stage 0,2', 'rank 1 · stage 1,3'], ['B', 'F', 'IDLE'])

`panel(trace)` picks the iteration (the median-makespan one unless told), keeps its events,
names the rows (a row per rank; a row per rank and stream for tensor-parallel traces with
an all-reduce stream), and turns every event into a `Bar` in display units (ms, or units of
one forward for a unit-cost prediction) with the facts a chart needs: its row, lane, the
stage's position among the rank's stages (`chunk`, for the shade of interleaved and V
schedules), and its label only where the label fits. Idle time — the gaps between a rank's
compute — becomes `IDLE` bars, so that a chart shows waiting as waiting, not as a long
"receive" bar.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field

from runner import gantt_style as style
from runner.simulate_bubble import bubble

NOMINAL_PLOT_PX = 900  # plot width a label must fit at (narrower screens hide more: uniformtext)
LABEL_PX_PER_CHAR, LABEL_PAD_PX = 8, 8
MIN_IDLE_SHARE = 0.004  # gaps shorter than this share of the span are not drawn


@dataclass(frozen=True)
class Bar:
    """One event of the panel, in display units from the panel's time zero."""

    kind: str
    row: str
    start: float
    length: float
    label: str
    chunk: int
    """0 for a rank's first (lowest) stage, 1 for its second, …"""
    hover: tuple
    """name, micro-batch, stage, rank, start text, duration text"""


@dataclass
class Panel:
    """What one subplot draws: rows top to bottom, bars, title, axis title."""

    trace: dict
    iteration: int
    rows: list[str]
    bars: list[Bar]
    unit: bool
    tp: bool
    split: bool
    title: str = ""
    chunks: int = 1
    """most stages any one rank holds (2 for interleaved with v = 2 and for V schedules)"""
    kinds: list[str] = field(default_factory=list)


def by_iteration(trace: dict) -> dict[int, list[dict]]:
    """Events grouped by iteration (one pass)."""
    groups: dict[int, list[dict]] = {}
    for e in trace["events"]:
        groups.setdefault(e.get("iteration", 0), []).append(e)
    return groups or {0: []}


def _span(events: list[dict]) -> float:
    if not events:
        return 0.0
    return max(e["end_us"] for e in events) - min(e["start_us"] for e in events)


def median_iteration(trace: dict, groups: dict[int, list[dict]] | None = None) -> int:
    """The iteration whose makespan is the median one (the lower median for an even count)."""
    spans = {it: _span(evs) for it, evs in (groups or by_iteration(trace)).items()}
    target = statistics.median_low(spans.values())
    return min(it for it, span in spans.items() if span == target)


def _rank_stages(events: list[dict]) -> dict[int, list[int]]:
    stages: dict[int, set[int]] = {}
    for e in events:
        if e["kind"] in style.COMPUTE_KINDS and e.get("stage") is not None:
            stages.setdefault(e["rank"], set()).add(e["stage"])
    return {r: sorted(s) for r, s in stages.items()}


def _rows(trace: dict, events: list[dict], ranks: list[int], split: bool, stages: dict):
    """Row labels top to bottom and a function event → row label."""
    if split:
        return style.stream_rows(events, ranks)
    labels = {
        r: f"rank {r} · stage {','.join(map(str, stages[r]))}" if stages.get(r) else f"rank {r}"
        for r in ranks
    }
    labels.update(style.rank_labels_of(trace))  # the workload's own names (mesh coordinates)
    return (lambda e: labels[e["rank"]]), [labels[r] for r in ranks]


def _idle_gaps(events: list[dict], ranks: list[int]) -> list[dict]:
    """Gaps in each rank's compute between the panel's first and last compute, as IDLE."""
    compute = [e for e in events if e["kind"] in style.COMPUTE_KINDS]
    if not compute:
        return []
    lo, hi = min(e["start_us"] for e in compute), max(e["end_us"] for e in compute)
    gaps = []
    for r in ranks:
        t = lo
        for s, e in sorted((e["start_us"], e["end_us"]) for e in compute if e["rank"] == r):
            if s - t > MIN_IDLE_SHARE * (hi - lo):
                gaps.append({"rank": r, "kind": "IDLE", "start_us": t, "end_us": s})
            t = max(t, e)
        if hi - t > MIN_IDLE_SHARE * (hi - lo):
            gaps.append({"rank": r, "kind": "IDLE", "start_us": t, "end_us": hi})
    return gaps


def _label(e: dict, tp: bool, length: float, span: float) -> str:
    """Micro-batch (or layer) number, only if it fits in the bar at the nominal width."""
    value = e.get("stage") if tp else e.get("microbatch")
    if e.get("bucket") is not None:  # a data-parallel transfer: its gradient bucket
        value = f"b{e['bucket']}"
    elif e["kind"] not in style.COMPUTE_KINDS or e["kind"] == "OPT":
        value = None
    if value is None or not span:
        return ""
    text = str(value)
    fits = length / span * NOMINAL_PLOT_PX >= LABEL_PX_PER_CHAR * len(text) + LABEL_PAD_PX
    return text if fits else ""


def panel(trace: dict, iteration: int | None = None, *, named: bool = False) -> Panel:
    """The panel of ``trace`` at ``iteration`` (default: the median-makespan one).

    ``named``: the title names the schedule (for a stack of different runs)."""
    groups = by_iteration(trace)
    it = median_iteration(trace, groups) if iteration is None else iteration
    events = groups.get(it, [])
    world = trace.get("meta", {}).get("world_size") or 0
    ranks = sorted({e["rank"] for e in events} | set(range(world)))
    unit, tp = style.is_unit_cost(trace), style.is_tensor_parallel(trace)
    split = tp and len({e.get("stream", "compute") for e in events}) > 1
    stages = _rank_stages(events)
    row_of, rows = _rows(trace, events, ranks, split, stages)
    t0 = min((e["start_us"] for e in events), default=0.0)
    div, fmt = (1, style.fmt_units) if unit else (1e3, style.fmt_duration)
    span = _span(events) / div
    drawn = events if split else [*_idle_gaps(events, ranks), *events]
    bars = []
    for e in drawn:
        length = (e["end_us"] - e["start_us"]) / div
        stage = e.get("stage")
        own = [] if tp else stages.get(e["rank"], [])  # a TP "stage" is a layer, not a chunk
        chunk = own.index(stage) if stage in own else 0
        hover = (
            style.NAMES.get(e["kind"], e["kind"]),
            "-" if e.get("microbatch") is None else e["microbatch"],
            "-" if stage is None else stage,
            e["rank"],
            fmt(e["start_us"] - t0),
            fmt(e["end_us"] - e["start_us"]),
        )
        start = (e["start_us"] - t0) / div
        bars.append(
            Bar(e["kind"], row_of(e), start, length, _label(e, tp, length, span), chunk, hover)
        )
    kinds = sorted({b.kind for b in bars}, key=style.kind_rank)
    result = Panel(trace, it, rows, bars, unit, tp, split, kinds=kinds)
    result.chunks = max((len(s) for s in stages.values()), default=1) if not tp else 1
    result.title = _tp_title(trace) if tp else _title(trace, it, named)
    return result


def _title(trace: dict, it: int, named: bool) -> str:
    """'<b>Measured</b> · bubble 23.1 %' (short: one line on a phone); ``named`` adds the
    schedule and micro-batch count, for panels of different runs."""
    b = bubble(trace, iteration=it)
    spec = trace.get("spec", {})
    name = style.panel_name(trace)
    if named:
        name += f" · {spec.get('schedule', '?')} m={spec.get('microbatches', '?')}"
    return f"<b>{name}</b> · bubble {100 * b['idle_over_total']:.1f} %"


def _tp_title(trace: dict) -> str:
    """'<b>ladder</b> · step 12.30 ms · waits 1.20 ms' (means per step)."""
    summary = trace.get("summary", {})
    spec = trace.get("spec", {})
    mode = spec.get("mode", spec.get("stage", spec.get("schedule", "?")))
    title = f"<b>{mode}</b>"
    if "step_wall_us" in summary:
        title += f" · step {summary['step_wall_us'] / 1e3:.2f} ms"
    if "comm_exposed_us" in summary:
        title += f" · waits {summary['comm_exposed_us'] / 1e3:.2f} ms"
    return title
