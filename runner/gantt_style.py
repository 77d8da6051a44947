"""Fixed look of the Gantt figures: colours per kind, names, lanes and time units.

Colours are the Okabe-Ito palette (safe for the common forms of colour blindness):
forwards blue, backwards in the orange/red family, weight gradients green; transfers of
activations in light blues, of gradients in light oranges; idle time white with a grey hatch.
A rank's second stage (interleaved and V schedules) is a lighter, hatched shade of its kind.
"""

from __future__ import annotations

from runner import trace as trace_v1

COLORS = {
    "F": "#0072B2",  # blue
    "B": "#D55E00",  # vermillion
    "I": "#E69F00",  # orange
    "W": "#009E73",  # bluish green
    # transfers: activations in the forward's blue family, gradients in the backward's
    # orange family; a send darker than a receive
    "SEND_F": "#6A9BC9",
    "RECV_F": "#A6CBEA",
    "SEND_B": "#D08A50",
    "RECV_B": "#F5C89A",
    "COMPUTE": "#56B4E9",  # sky blue
    "ALLREDUCE": "#CC79A7",  # reddish purple
    "ALLTOALL": "#E6C300",  # dark yellow: expert parallelism's dispatch and combine
    "DP_ALLREDUCE": "#882255",  # wine: gradients across the data-parallel group
    "ALLGATHER": "#F0E442",  # yellow: FSDP gathers a block's weights
    "REDUCE_SCATTER": "#8C6D00",  # dark olive: FSDP scatters a block's summed gradients
    "OPT": "#117733",  # dark green: the optimizer step
    "IDLE": "#FFFFFF",  # white, hatched grey: nothing to do
}
# Interleaved and V schedules: a rank's 2nd, 3rd, … stage is drawn lighter and hatched.
CHUNK_PATTERNS = ("", "/", "x", ".")
CHUNK_TINT = (0.0, 0.45, 0.6, 0.7)  # share of white mixed into the colour
IDLE_PATTERN = {"shape": "/", "fgcolor": "#8A8A8A", "bgcolor": "#FFFFFF", "size": 6}
TEXT_COLORS = {
    "F": "white",
    "B": "white",
    "W": "white",
    "OPT": "white",
    "REDUCE_SCATTER": "white",
}  # others: black
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
    "ALLTOALL": "all-to-all",
    "DP_ALLREDUCE": "gradient all-reduce (dp)",
    "ALLGATHER": "all-gather",
    "REDUCE_SCATTER": "reduce-scatter",
    "OPT": "optimizer step",
    "COMPUTE": "compute",
    "IDLE": "idle",
}
LEGEND_NAMES = {  # short: the legend fits two or three rows on a phone
    "F": "F forward",
    "B": "B backward",
    "I": "I input grad",
    "W": "W weight grad",
    "SEND_F": "send act.",
    "RECV_F": "recv act.",
    "SEND_B": "send grad.",
    "RECV_B": "recv grad.",
    "DP_ALLREDUCE": "grad. all-reduce (dp)",
    "IDLE": "idle",
}
KIND_ORDER = (
    "F",
    "B",
    "I",
    "W",
    "COMPUTE",
    "OPT",
    "ALLREDUCE",
    "ALLGATHER",
    "REDUCE_SCATTER",
    "ALLTOALL",
    "DP_ALLREDUCE",
    "IDLE",
    "SEND_F",
    "RECV_F",
    "SEND_B",
    "RECV_B",
)
COMPUTE_KINDS, COMM_KINDS = trace_v1.COMPUTE_KINDS, trace_v1.COMM_KINDS  # one definition
STREAMED = ("tensor_parallel", "data_parallel", "fsdp")  # drawn a row per (rank, stream)


def kind_rank(kind: str) -> int:
    """Legend and drawing order: compute, then idle, then transfers; unknown kinds last."""
    return KIND_ORDER.index(kind) if kind in KIND_ORDER else len(KIND_ORDER)


def tint(color: str, share: float) -> str:
    """``color`` (#RRGGBB) mixed with ``share`` of white."""
    rgb = [int(color[i : i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(c + (255 - c) * share):02X}" for c in rgb)


def chunk_color(kind: str, chunk: int) -> str:
    return tint(COLORS.get(kind, "#444444"), CHUNK_TINT[min(chunk, len(CHUNK_TINT) - 1)])


def chunk_text_color(kind: str, chunk: int) -> str:
    return TEXT_COLORS.get(kind, "black") if chunk == 0 else "black"


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
    comm = {e["kind"] for e in events if e.get("stream") == "comm"}
    names = {**STREAM_NAMES, "comm": "all-reduce" if comm <= {"ALLREDUCE"} else "communication"}
    labels = [f"rank {r} · {names.get(s, s)}" for r in ranks for s in streams]

    def row_of(e: dict) -> str:
        stream = e.get("stream", "compute")
        return f"rank {e['rank']} · {names.get(stream, stream)}"

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
    """'Measured', 'Recorded' or 'Predicted' for a subplot title (the x axis gives the unit)."""
    meta = trace.get("meta", {})
    if meta.get("source") == "simulated":
        return "Predicted"
    return "Recorded" if meta.get("recorded") else "Measured"


def is_tensor_parallel(trace: dict) -> bool:
    """A trace drawn a row per stream (tensor, data parallel, FSDP): its spec says so, or (no
    workload named) it holds all-reduces."""
    workload = trace.get("spec", {}).get("workload")
    if workload:
        return workload in STREAMED
    return any(e["kind"] == "ALLREDUCE" for e in trace.get("events", []))


def rank_labels_of(trace: dict) -> dict[int, str]:
    """Row labels a workload chose for its ranks (meta.rank_labels, e.g. 'dp 0 · tp 1')."""
    labels = trace.get("meta", {}).get("rank_labels") or {}
    return {int(r): str(label) for r, label in labels.items()}


def describe_spec(trace: dict) -> str:
    """'1F1B · p=2 · m=8 · cpu': short enough for a phone-wide figure title."""
    spec = trace.get("spec", {})
    meta = trace.get("meta", {})
    if spec.get("workload") in STREAMED[1:]:
        from runner.registry import spec_from_trace

        return spec_from_trace(spec).describe()
    if is_tensor_parallel(trace):
        parts = [
            f"tensor parallel · {spec.get('ranks', meta.get('world_size', '?'))} ranks",
            f"{spec.get('layers', '?')} layers × {spec.get('hidden', '?')}",
            f"{spec.get('batch', '?')}×{spec.get('seq', '?')} tokens",
        ]
        parts += [str(v) for v in (meta.get("device"), meta.get("dtype")) if v]
        return " · ".join(parts)
    parts = [
        str(spec.get("schedule", "?")),
        f"p={spec.get('stages', '?')}",
        f"m={spec.get('microbatches', '?')}",
    ]
    device = meta.get("device")
    if device and device != "none":  # a prediction has no device
        parts.append(str(device))
    return " · ".join(parts)
