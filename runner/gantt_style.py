"""Fixed look of the Gantt figures: colours per kind, names, lanes and time units.

Colours are the Okabe-Ito palette (safe for the common forms of colour blindness):
forwards blue, backwards in the orange/red family, weight gradients green, communication
grey, measured waiting (IDLE) light grey and hatched.
"""

from __future__ import annotations

COLORS = {
    "F": "#0072B2",  # blue
    "B": "#D55E00",  # vermillion
    "I": "#E69F00",  # orange
    "W": "#009E73",  # bluish green
    "SEND_F": "#999999",
    "RECV_F": "#BBBBBB",
    "SEND_B": "#777777",
    "RECV_B": "#AAAAAA",
    "COMPUTE": "#56B4E9",  # sky blue
    "ALLREDUCE": "#CC79A7",  # reddish purple
    "IDLE": "#E6E6E6",
}
TEXT_COLORS = {"F": "white", "B": "white", "W": "white"}  # others: black
NAMES = {
    "F": "F · forward",
    "B": "B · backward",
    "I": "I · backward (inputs)",
    "W": "W · backward (weights)",
    "SEND_F": "send activations",
    "RECV_F": "receive activations",
    "SEND_B": "send gradients",
    "RECV_B": "receive gradients",
    "ALLREDUCE": "all-reduce",
    "COMPUTE": "compute",
    "IDLE": "waiting (measured)",
}
KIND_ORDER = tuple(COLORS)  # legend order; IDLE is drawn first (behind), see LANE_KINDS
COMPUTE_KINDS = frozenset({"F", "B", "I", "W", "COMPUTE"})
# Tensor-parallel traces get a row per (rank, stream), named by what runs on the stream.
STREAM_NAMES = {"compute": "compute", "comm": "all-reduce"}

# Vertical placement inside a rank's row (category units; rank 0 on top, axis reversed).
# Without communication events the compute bar takes the whole row.
FULL_LANE = {"width": 0.78, "offset": -0.39}
COMPUTE_LANE = {"width": 0.56, "offset": -0.39}
COMM_LANE = {"width": 0.2, "offset": 0.2}


def stream_rows(events: list[dict], ranks: list[int]):
    """Rows 'rank r · compute', 'rank r · all-reduce' (a row per rank and stream), in order."""
    streams = sorted({e.get("stream", "compute") for e in events}, key=_stream_rank)
    labels = [f"rank {r} · {STREAM_NAMES.get(s, s)}" for r in ranks for s in streams]

    def row_of(e: dict) -> str:
        stream = e.get("stream", "compute")
        return f"rank {e['rank']} · {STREAM_NAMES.get(stream, stream)}"

    return row_of, labels


def _stream_rank(stream: str) -> tuple[int, str]:
    order = list(STREAM_NAMES)
    return (order.index(stream) if stream in order else len(order), stream)


def fmt_duration(us: float) -> str:
    """Duration for hover text: ms for most, µs when tiny."""
    return f"{us / 1000:.3f} ms" if abs(us) >= 100 else f"{us:.1f} µs"


def fmt_units(units: float) -> str:
    return f"{units:g} units"


def is_unit_cost(trace: dict) -> bool:
    """True for a prediction on unit costs: its times are units, not microseconds."""
    meta = trace.get("meta", {})
    return meta.get("source") == "simulated" and meta.get("cost_model", "unit") == "unit"


def axis_title(trace: dict) -> str:
    return "time (units: F = 1)" if is_unit_cost(trace) else "time (ms)"


def panel_name(trace: dict) -> str:
    """'Measured', 'Recorded' or 'Predicted (unit costs)' for a subplot title."""
    meta = trace.get("meta", {})
    if meta.get("source") == "simulated":
        model = "unit costs" if is_unit_cost(trace) else "measured costs"
        return f"Predicted ({model})"
    return "Recorded" if meta.get("recorded") else "Measured"


def is_tensor_parallel(trace: dict) -> bool:
    """A tensor-parallel trace: its spec says so, or it holds all-reduces."""
    if trace.get("spec", {}).get("workload") == "tensor_parallel":
        return True
    return any(e["kind"] == "ALLREDUCE" for e in trace.get("events", []))


def describe_spec(trace: dict) -> str:
    spec = trace.get("spec", {})
    if is_tensor_parallel(trace):
        meta = trace.get("meta", {})
        parts = [
            "tensor parallel",
            f"{spec.get('ranks', meta.get('world_size', '?'))} ranks",
            f"{spec.get('layers', '?')} layers",
            f"hidden {spec.get('hidden', '?')}",
            f"batch {spec.get('batch', '?')} × seq {spec.get('seq', '?')}",
        ]
        parts += [str(v) for v in (meta.get("device"), meta.get("dtype")) if v]
        return " · ".join(parts)
    parts = [
        str(spec.get("schedule", "?")),
        f"{spec.get('stages', '?')} stages",
        f"{spec.get('microbatches', '?')} micro-batches",
    ]
    device = trace.get("meta", {}).get("device")
    if device and device != "none":  # a prediction has no device
        parts.append(str(device))
    return " · ".join(parts)
