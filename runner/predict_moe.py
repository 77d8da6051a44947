"""What the textbook predicts for an expert-parallel run: token counts × fitted costs.

Standard library only (the registry's `prediction` for `expert_parallel`). Per MoE layer and
rank r (runner/workloads/expert_parallel.py names the phases):

    gate_r  →  dispatch ends for all at max_r(ready_r) + a2a(counts) + a2a(rows)
            →  experts_r = β_expert × rows received by r
            →  combine ends for all at max_r(experts done_r) + a2a(rows)  →  merge_r

Both all-to-alls are blocking, so every rank waits for the slowest one: the rank whose
experts got the most tokens sets the step (the straggler). An all-to-all's own cost comes
from the run's events: in each call, the rank that arrived last waited for no one, so its
duration is the transfer (commcost.last_arrival_us); where a run has none, a2a(bytes) = α +
β·bytes fitted by the ranks during warm-up (meta.comm_fit.alltoall), for the bytes of the
rank that moves the most rows. (On gloo CPU ranks the warm-up probe sees about half of the
in-run cost: buffers hot, ranks arriving together.) With a measured trace, rows per rank
come from its events and β_expert from its expert time per row; without one, token counts
are the expected ones for the spec (`expected_counts`: uniform routing plus the skew, cut
at the capacity) in units of one balanced rank's expert compute.
"""

from __future__ import annotations

from runner import simulate, trace
from runner.commcost import last_arrival_us, predicted_us
from runner.specs.expert_parallel import rank_labels

FLOAT_BYTES = 4
OPS = ("dispatch", "combine")
UNIT = {"gate": 0.03, "merge": 0.03, "alpha": 0.05, "row_comm": 0.15}  # × balanced experts


def expected_counts(spec) -> list[float]:
    """Expected rows one rank sends to each expert: uniform top-k routing, with round(skew ×
    T) tokens sending their first choice to expert 0, cut at the capacity."""
    e, k, t = spec.experts, spec.top_k, spec.tokens
    hot = round(spec.skew * t)
    base = (t - hot) * k / e
    others = base + (hot * (k - 1) / (e - 1) if e > 1 else 0.0)
    routed = [base + hot] + [others] * (e - 1)
    return [min(r, spec.capacity) for r in routed]


def _rows_from_spec(spec) -> tuple[list[list[int]], list[list[int]]]:
    """(sent, received)[layer][rank] from the expected counts (the same for every layer)."""
    kept, local = expected_counts(spec), spec.experts // spec.ep
    sent = sum(kept)
    received = [spec.ep * sum(kept[r * local : (r + 1) * local]) for r in range(spec.ep)]
    return [[sent] * spec.ep] * spec.layers, [received] * spec.layers


def _mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else 0.0


def measured_costs(spec, measured: dict) -> dict:
    """Per (op, layer, rank) mean durations and rows, and β_expert, from a run's events."""
    durations: dict[tuple, list[float]] = {}
    rows: dict[tuple, int] = {}
    for ev in measured["events"]:
        key = (ev.get("op"), ev.get("layer", 0), ev["rank"])
        durations.setdefault(key, []).append(ev["end_us"] - ev["start_us"])
        rows[key] = int(ev.get("tokens", 0))
    expert_keys = [k for k in durations if k[0] == "experts"]
    busy = sum(sum(durations[k]) for k in expert_keys)
    done = sum(rows[k] * len(durations[k]) for k in expert_keys)
    return {"mean": {k: _mean(v) for k, v in durations.items()}, "rows": rows,
            "per_row": busy / done if done else 0.0}  # fmt: skip


def expert_parallel(spec, measured: dict | None = None) -> dict:
    """The predicted trace (meta.source "simulated") of `spec`, on a run's costs if given."""
    layers, ranks = range(spec.layers), range(spec.ep)
    if measured is None:
        sent, received = _rows_from_spec(spec)
        balanced = spec.tokens * spec.top_k
        per_row, model = 1.0 / balanced, "unit"
        gate = {(layer, r): UNIT["gate"] for layer in layers for r in ranks}
        merge = dict(gate)
        a2a = lambda rows: UNIT["alpha"] + UNIT["row_comm"] * rows / balanced  # noqa: E731
    else:
        costs = measured_costs(spec, measured)
        rows = costs["rows"]
        sent = [[rows.get(("dispatch", lay, r), 0) for r in ranks] for lay in layers]
        received = [[rows.get(("experts", lay, r), 0) for r in ranks] for lay in layers]
        per_row, model = costs["per_row"], "measured+comm"
        gate = {(lay, r): costs["mean"].get(("gate", lay, r), 0.0) for lay in layers for r in ranks}
        merge = {(lay, r): costs["mean"].get(("merge", lay, r), 0.0) for lay in layers
                 for r in ranks}  # fmt: skip
        fit = measured.get("meta", {}).get("comm_fit", {}).get("alltoall")
        row_bytes = spec.hidden * FLOAT_BYTES
        a2a = lambda n: predicted_us(fit, n * row_bytes)  # noqa: E731
        own = last_arrival_us(measured["events"], _a2a_call)
    counts_cost = a2a(0)  # the [E] counts vector: latency only
    events, t = [], {r: 0.0 for r in ranks}
    for lay in layers:
        moved = max(max(sent[lay]), max(received[lay]))
        ready = {r: t[r] + gate[lay, r] for r in ranks}
        cost = {op: counts_cost * (op == "dispatch") + a2a(moved) for op in OPS}
        if measured is not None:  # the run's own cost where it has one (see module docstring)
            cost = {op: own.get((op, lay), cost[op]) for op in OPS}
        dispatched = max(ready.values()) + cost["dispatch"]
        computed = {r: dispatched + per_row * received[lay][r] for r in ranks}
        combined = max(computed.values()) + cost["combine"]
        for r in ranks:
            t[r] = combined + merge[lay, r]
            events += [
                _ev(r, lay, "COMPUTE", ready[r] - gate[lay, r], ready[r], "gate", sent[lay][r]),
                _ev(r, lay, "ALLTOALL", ready[r], dispatched, "dispatch", sent[lay][r]),
                _ev(r, lay, "COMPUTE", dispatched, computed[r], "experts", received[lay][r]),
                _ev(r, lay, "ALLTOALL", computed[r], combined, "combine", received[lay][r]),
                _ev(r, lay, "COMPUTE", combined, t[r], "merge", sent[lay][r]),
            ]
    a2a_time = sum(e["end_us"] - e["start_us"] for e in events if e["kind"] == "ALLTOALL")
    labels = rank_labels(spec.experts, spec.ep)
    return predicted_trace(spec, model, events, label="MoE", labels=labels,
                           comm_exposed_us=a2a_time / spec.ep, expert_us_per_row=per_row,
                           expected_kept=expected_counts(spec))  # fmt: skip


def predicted_trace(spec, model: str, events: list[dict], label: str, labels: dict,
                    **summary) -> dict:  # fmt: skip
    """A trace-v1 prediction: simulated meta (with the Gantt's label and row names), the
    common summary of its events, its step time, and the workload's own `summary` keys."""
    meta = {**simulate.simulated_meta(model, spec.ranks), "label": label}
    if labels:
        meta["rank_labels"] = labels
    step = max(e["end_us"] for e in events)
    return {
        "version": 1,
        "spec": {**spec.to_dict(), **getattr(spec, "trace_keys", {})},
        "meta": meta,
        "events": events,
        "memory": [],
        "summary": {**trace.summary(events, spec.ranks), "step_us": step, **summary},
    }


def _a2a_call(e: dict):
    """(class, call) of an all-to-all event: class (op, layer), call its iteration."""
    if e["kind"] != "ALLTOALL":
        return None
    return (e["op"], e.get("layer", 0)), e["iteration"]


def _ev(rank, layer, kind, start, end, op, tokens) -> dict:
    stream = "compute" if kind == "COMPUTE" else "comm"
    return {"rank": rank, "stage": 0, "layer": layer, "kind": kind, "microbatch": None,
            "iteration": 0, "start_us": start, "end_us": end, "stream": stream, "op": op,
            "tokens": int(tokens)}  # fmt: skip
