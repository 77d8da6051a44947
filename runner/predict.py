"""What the textbook predicts for a spec, from the costs a run measured (the registry's
`prediction` entries). Standard library only (the pipeline's multi-stage orders come from
torch, imported lazily by runner.simulate_torch).

Each function takes `(spec, measured_trace | None)` and returns a trace-v1-shaped dict with
`meta.source == "simulated"`, drawn like a run. Without a measured trace the costs are the
unit model (F = 1, B = 2, transfers free: the schedule's shape); with one they are the run's
own mean compute times and the α–β communication costs its ranks fitted during warm-up
(`meta.comm_fit`, runner/commcost.py), so transfer time is part of the prediction.
"""

from __future__ import annotations

import dataclasses

from runner import simulate
from runner.commcost import predicted_us
from runner.gantt_panel import median_iteration

FLOAT_BYTES = 4


def p2p_bytes(spec) -> int:
    """Bytes of one activation (or gradient) send: one micro-batch [b/m, s, h] in fp32."""
    return spec.batch // spec.microbatches * spec.seq * spec.hidden * FLOAT_BYTES


def pipeline(spec, measured: dict | None = None) -> dict:
    """The schedule list-scheduled on the durations of the iteration the chart draws (the
    median one: each F/B/I/W as measured, so uneven stages and jitter count), the P2P
    transfer time its ranks fitted (α + β·bytes of one activation) and the per-action
    overhead the run showed (`simulate.fitted_overhead`). What is left between this and the
    measured chart is waiting the model does not explain: slow transfers, contention."""
    costs = simulate.Costs()
    if measured is not None:
        costs = simulate.Costs.from_trace(measured, iteration=median_iteration(measured))
        fit = measured.get("meta", {}).get("comm_fit", {}).get("p2p")
        comm = predicted_us(fit, p2p_bytes(spec)) if fit else 0.0
        overhead = simulate.fitted_overhead(measured, comm)
        model = "measured+comm" if fit else "measured"
        costs = dataclasses.replace(costs, comm=comm, overhead=overhead, model=model)
    return simulate.predict(spec.schedule, spec.pp, spec.microbatches, costs)


def tensor_parallel(spec, measured: dict | None = None) -> dict:
    """Per rank: COMPUTE of each block, then its all-reduce (α + β·bytes, fitted).

    blocking and torch_tp: block i+1 starts after block i's all-reduce (critical path
    Σ (c + a)); ladder: block i+1 starts when block i's compute is done and block i−1's
    all-reduce has landed, so each all-reduce hides behind the next block (the overlap bound
    c + Σ max(c, a) + a for equal blocks). Without a run: compute 1, all-reduce 0.5 units.
    """
    compute, allreduce, model = 1.0, 0.5, "unit"
    if measured is not None:
        computes = [
            e["end_us"] - e["start_us"] for e in measured["events"] if e["kind"] == "COMPUTE"
        ]
        compute = sum(computes) / len(computes) if computes else 0.0
        meta = measured.get("meta", {})
        fit = meta.get("comm_fit", {}).get("allreduce")
        nbytes = meta.get("comm_bytes", {}).get("allreduce", 0)
        allreduce, model = predicted_us(fit, nbytes), "measured+comm"
        if not fit:  # recorded before runs fitted their costs: the measured mean all-reduce
            reduces = [
                e["end_us"] - e["start_us"] for e in measured["events"] if e["kind"] == "ALLREDUCE"
            ]
            allreduce = sum(reduces) / len(reduces) if reduces else 0.0
            model = "measured"
    events = []
    for rank in range(spec.tp):
        events += _tp_rank(rank, spec.layers, compute, allreduce, spec.mode == "ladder")
    step = max(e["end_us"] for e in events)
    exposed = step - spec.layers * compute
    events = [e for e in events if e["end_us"] > e["start_us"] or e["kind"] != "IDLE"]
    return {
        "version": 1,
        "spec": {**spec.to_dict()},
        "meta": {**simulate.simulated_meta(model, spec.tp)},
        "events": events,
        "memory": [],
        "summary": {
            "makespan_us": step,
            "bubble_fraction": exposed / step if step else 0.0,
            "step_us": step,
            "comm_exposed_us": exposed,
            "allreduce_us": allreduce,
            "compute_us": compute,
        },
    }


def _tp_rank(rank: int, layers: int, c: float, a: float, ladder: bool) -> list[dict]:
    """One rank's host-side sequence (tp_model.forward_*), one collective at a time.

    blocking: compute i, all-reduce i, wait, compute i+1. ladder: compute i, wait for the
    all-reduce of i−1, issue the all-reduce of i, compute i+1, ...; a final wait."""
    events, t, reduced = [], 0.0, 0.0  # t: host time; reduced: end of the last all-reduce
    for layer in range(layers):
        start, end = t, t + c
        t = max(end, reduced) if ladder else end  # ladder waits for block i−1's sum here
        events.append(_ev(rank, layer, "COMPUTE", start, end, "compute"))
        events.append(_ev(rank, layer, "ALLREDUCE", t, t + a, "comm"))
        reduced = t + a
        t = t if ladder else reduced
    events.append(_ev(rank, layers - 1, "IDLE", t, max(t, reduced), "compute"))
    return events


def _ev(rank: int, layer: int, kind: str, start: float, end: float, stream: str) -> dict:
    return {"rank": rank, "stage": layer, "kind": kind, "microbatch": None, "iteration": 0,
            "start_us": start, "end_us": end, "stream": stream}  # fmt: skip
