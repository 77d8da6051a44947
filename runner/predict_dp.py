"""What the textbook predicts for data-parallel and ZeRO/FSDP runs (registry `prediction`s).

Standard library only. Each function takes `(spec, measured_trace | None)` and returns a
trace-v1 dict with `meta.source == "simulated"`: one rank's step laid out on two lanes,
compute (F per block, B per block last first, then OPT) and communication (one collective at
a time, each starting once its data exists and the link is free), copied to every rank.

Costs: with a measured trace, its own mean F / B / OPT times per block and the α–β costs its
ranks fitted during warm-up (`meta.comm_fit`, runner/commcost.py) for the bytes of each
transfer (data_parallel: the buckets this run made); without one, unit costs (F = 1, B = 2,
OPT = 1, one block's collective = 0.5). Memory rows are the planner's estimate
(runner/memory_plan.py) for the run's sizes.
"""

from __future__ import annotations

from collections import defaultdict

from runner import memory_plan, simulate
from runner.commcost import fit_alpha_beta, predicted_us
from runner.specs.data_parallel import FLOAT_BYTES, block_params

UNIT_COMM = 0.5


def _means(measured: dict | None, layers: int) -> tuple[dict, float, str]:
    """({(kind, block): mean µs}, mean OPT µs, cost model) from a run, else unit costs."""
    if measured is None:
        costs = {("F", i): 1.0 for i in range(layers)} | {("B", i): 2.0 for i in range(layers)}
        return costs, 1.0, "unit"
    sums: dict = defaultdict(list)
    for e in measured["events"]:
        if e["kind"] in ("F", "B", "OPT"):
            sums[(e["kind"], e["stage"])].append(e["end_us"] - e["start_us"])
    means = {k: sum(v) / len(v) for k, v in sums.items()}
    return means, means.pop(("OPT", 0), 0.0), "measured+comm"


KIND_OF_FIT = {
    "allreduce": "ALLREDUCE",
    "allgather": "ALLGATHER",
    "reduce_scatter": "REDUCE_SCATTER",
}


def fits(measured: dict) -> dict[str, dict]:
    """α–β per collective, fitted to the run's own transfers (bytes, issue→completion µs).

    These include what the warm-up probe (meta.comm_fit, the link alone) cannot see: the
    collective sharing two CPU cores with backward, and waiting for the slower peer. A
    transfer issued while the previous one still runs is timed from that one's end (one link,
    first in first out). Where a run has no transfer of a kind, its probe fit is used."""
    probe = measured.get("meta", {}).get("comm_fit", {})
    points: dict[str, list] = defaultdict(list)
    lanes: dict = defaultdict(list)
    for e in measured["events"]:
        if e["kind"] in KIND_OF_FIT.values() and e.get("bytes"):
            lanes[(e["rank"], e["iteration"])].append(e)
    for lane in lanes.values():
        free = float("-inf")
        for e in sorted(lane, key=lambda e: e["start_us"]):
            points[e["kind"]].append((e["bytes"], e["end_us"] - max(e["start_us"], free)))
            free = max(free, e["end_us"])
    return {
        name: fit_alpha_beta(points[kind]) if points[kind] else probe.get(name)
        for name, kind in KIND_OF_FIT.items()
    }


def _cost(measured: dict | None, kind: str, nbytes: int, block_bytes: int) -> float:
    if measured is None:
        return UNIT_COMM * nbytes / block_bytes
    return predicted_us(fits(measured).get(kind), nbytes)


class Lanes:
    """One rank's compute lane and communication lane, filled in program order."""

    def __init__(self) -> None:
        self.t = 0.0  # compute lane free at
        self.link = 0.0  # communication lane free at
        self.events: list[dict] = []

    def compute(self, kind: str, stage: int, dur: float, after: float = 0.0) -> float:
        start = max(self.t, after)
        self.t = start + dur
        self.events.append(_ev(kind, stage, start, self.t, "compute"))
        return self.t

    def comm(self, kind: str, stage: int, dur: float, ready: float, **extra) -> float:
        start = max(self.link, ready)
        self.link = start + dur
        self.events.append({**_ev(kind, stage, start, self.link, "comm"), **extra})
        return self.link


def _ev(kind: str, stage: int, start: float, end: float, stream: str) -> dict:
    return {
        "rank": 0,
        "stage": stage,
        "kind": kind,
        "microbatch": None,
        "iteration": 0,
        "start_us": start,
        "end_us": end,
        "stream": stream,
    }


def spec_buckets(spec) -> list[tuple[int, list[int]]]:
    """(bytes, blocks) of each transfer the spec's mode makes, in backward order.

    Gradients arrive last block first, down before up; DDP closes a bucket once it holds at
    least bucket_cap_mb (Li et al. 2020, section 3.2.3)."""
    matrix = FLOAT_BYTES * block_params(spec.hidden) // 2
    grads = [(matrix, i) for i in reversed(range(spec.layers)) for _ in range(2)]
    if spec.mode == "naive":
        return [(b, [i]) for b, i in grads]
    cap = spec.bucket_cap_mb * 2**20 if spec.mode == "overlap" else float("inf")
    buckets, size, blocks = [], 0, []
    for b, i in grads:
        size, blocks = size + b, sorted({*blocks, i})
        if size >= cap:
            buckets.append((size, blocks))
            size, blocks = 0, []
    return buckets + ([(size, blocks)] if blocks else [])


def measured_buckets(measured: dict) -> list[tuple[int, list[int]]]:
    """(bytes, blocks) of rank 0's transfers in its first measured step, in issue order."""
    evs = [
        e
        for e in measured["events"]
        if e["kind"] == "ALLREDUCE" and e["rank"] == 0 and e["iteration"] == 0
    ]
    return [(e["bytes"], e["layers"]) for e in sorted(evs, key=lambda e: e["start_us"])]


def _ddp_step(lanes: Lanes, means: dict, layers: int, buckets, cost, overlap: bool) -> float:
    """Backward with each bucket all-reduced once its last block's B is done (overlap) or
    all after backward; returns the time the last gradient was produced."""
    done: dict[int, float] = {}
    for i in reversed(range(layers)):
        done[i] = lanes.compute("B", i, means.get(("B", i), 0.0))
    last = lanes.t
    for k, (nbytes, blocks) in enumerate(buckets):
        ready = min(done[b] for b in blocks) if overlap else last
        lanes.comm(
            "ALLREDUCE", min(blocks), cost(nbytes), ready, bucket=k, bytes=nbytes, layers=blocks
        )
    return last


def data_parallel(spec, measured: dict | None = None) -> dict:
    """Forward, backward with the mode's all-reduces, Adam; exposed = comm after backward."""
    means, opt, model = _means(measured, spec.layers)
    buckets = measured_buckets(measured) if measured is not None else spec_buckets(spec)
    block = FLOAT_BYTES * block_params(spec.hidden)
    lanes = Lanes()
    for i in range(spec.layers):
        lanes.compute("F", i, means.get(("F", i), 0.0))
    compute = sum(means.values())
    last = _ddp_step(
        lanes,
        means,
        spec.layers,
        buckets,
        lambda n: _cost(measured, "allreduce", n, block),
        spec.mode == "overlap",
    )
    lanes.compute("OPT", 0, opt, after=lanes.link)
    exposed = max(0.0, lanes.link - last)
    return _trace(spec, lanes, model, compute + opt, exposed, ddp_memory(spec))


def fsdp(spec, measured: dict | None = None) -> dict:
    """ZeRO-3/2: all-gather before each block's forward (ZeRO-3: and before its backward,
    prefetched one block ahead), reduce-scatter after its backward; ZeRO-1 / DDP: buckets."""
    means, opt, model = _means(measured, spec.layers)
    block = FLOAT_BYTES * block_params(spec.hidden)
    lanes = Lanes()
    if spec.stage in ("zero1", "ddp"):
        for i in range(spec.layers):
            lanes.compute("F", i, means.get(("F", i), 0.0))
        buckets = (
            measured_buckets(measured)
            if measured
            else [(block * spec.layers, list(range(spec.layers)))]
        )
        last = _ddp_step(
            lanes,
            means,
            spec.layers,
            buckets,
            lambda n: _cost(measured, "allreduce", n, block),
            True,
        )
    else:
        last = _fsdp_step(lanes, means, spec, lambda k: _cost(measured, k, block, block))
    lanes.compute("OPT", 0, opt, after=lanes.link)
    exposed = max(0.0, lanes.t - opt - sum(means.values()))
    return _trace(spec, lanes, model, sum(means.values()) + opt, exposed, fsdp_memory(spec), last)


def _fsdp_step(lanes: Lanes, means: dict, spec, cost) -> float:
    """Forward: gather block i, then run it. Backward, last block first: ZeRO-3 gathers
    block i again (issued when block i+1's backward starts: one block of prefetch), runs it,
    then reduce-scatters its gradients."""
    for i in range(spec.layers):
        gathered = lanes.comm("ALLGATHER", i, cost("allgather"), lanes.t)
        lanes.compute("F", i, means.get(("F", i), 0.0), after=gathered)
    issue = lanes.t  # backward starts
    for i in reversed(range(spec.layers)):
        ready = (
            lanes.comm("ALLGATHER", i, cost("allgather"), issue) if spec.stage == "zero3" else 0.0
        )
        issue = lanes.t
        end = lanes.compute("B", i, means.get(("B", i), 0.0), after=ready)
        lanes.comm("REDUCE_SCATTER", i, cost("reduce_scatter"), end)
    return lanes.t


def ddp_memory(spec) -> list[dict]:
    return _memory_rows(spec, zero=0)


def fsdp_memory(spec) -> list[dict]:
    return _memory_rows(spec, zero={"zero3": 3, "zero2": 2, "zero1": 1, "ddp": 0}[spec.stage])


def plan_for(spec, zero: int) -> tuple[memory_plan.Model, memory_plan.Plan]:
    """The planner's model and plan for a data-parallel or FSDP spec (fp32 Adam, MLP blocks).

    FSDP2's ZeRO-2-like stage keeps its parameters sharded at rest, like ZeRO-3: its extra
    cost is the gathered copy it holds from forward to backward (trace kind
    gathered_parameters), not a replicated resting copy."""
    model = memory_plan.Model(
        params=spec.params,
        layers=spec.layers,
        hidden=spec.hidden,
        seq=spec.seq,
        microbatch=spec.batch,
        kind="mlp",
    )
    return model, memory_plan.Plan(precision="fp32", dp=spec.dp, zero=3 if zero == 2 else zero)


def _memory_rows(spec, zero: int) -> list[dict]:
    model, plan = plan_for(spec, zero)
    est = memory_plan.estimate(model, plan)
    names = {
        "weights": "parameters",
        "gradients": "gradients",
        "optimizer": "optimizer",
        "activations": "activations",
    }
    return [
        {"rank": r, "peak_bytes": int(v), "kind": names[k]}
        for r in range(spec.dp)
        for k, v in est.parts().items()
    ]


def _trace(spec, lanes: Lanes, model: str, compute: float, exposed: float, memory, last=None):
    events = [{**e, "rank": r} for r in range(spec.dp) for e in lanes.events]
    step = max(e["end_us"] for e in lanes.events)
    comm = sum(e["end_us"] - e["start_us"] for e in lanes.events if e["stream"] == "comm")
    return {
        "version": 1,
        "spec": spec.to_dict(),
        "meta": simulated_meta(model, spec.dp),
        "events": events,
        "memory": memory,
        "summary": {
            "makespan_us": step,
            "bubble_fraction": 1 - compute / step if step else 0.0,
            "step_us": step,
            "comm_exposed_us": exposed,
            "comm_us": comm,
            "compute_us": compute,
        },
    }


simulated_meta = simulate.simulated_meta
