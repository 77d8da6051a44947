"""Predict a pipeline schedule: per-rank action orders, list-scheduled on a cost model.

A prediction is a trace-v1-shaped dict (see ../shared/DESIGN.md) with
``meta.source == "simulated"``, so the Gantt figures draw it exactly like a measured run.

    $ python -c "from runner.simulate import predict, bubble; print(bubble(predict('1F1B', 4, 8)))"

How it works:
1. an *order* per rank: the sequence of compute actions (F, B, or the split backward I + W)
   each rank runs. naive, GPipe and 1F1B are generated here; the multi-stage schedules come
   from torch (``runner.simulate_torch``);
2. *list scheduling*: every rank runs its order in sequence; an action starts once the rank
   is free and its dependencies are done (plus ``comm`` when the producer is on another rank):
   F(s, j) after F(s-1, j); B or I(s, j) after F(s, j) and after B/I(s+1, j); W(s, j) after
   I(s, j). An order whose dependencies can never be met raises ``DeadlockError``.

``stages`` is the pipeline width p (the number of ranks). Multi-stage schedules cut the model
into 2p stages, two per rank.
"""

from __future__ import annotations

import functools
import itertools
from dataclasses import dataclass

from runner.simulate_bubble import BUBBLE_LABELS, bubble, makespan
from runner.simulate_torch import MULTI_STAGE, stages_of_rank, torch_orders
from runner.trace import summary as trace_summary

Action = tuple[str, int, int]  # (kind, stage, microbatch)
COMPUTE_KINDS = ("F", "B", "I", "W")
__all__ = [
    "BUBBLE_LABELS",
    "SCHEDULES",
    "Costs",
    "DeadlockError",
    "bubble",
    "list_schedule",
    "makespan",
    "predict",
    "rank_orders",
]
SINGLE_STAGE = ("naive", "GPipe", "1F1B")
SCHEDULES = (*SINGLE_STAGE, *sorted(MULTI_STAGE))


class DeadlockError(RuntimeError):
    """An order whose dependencies can never be met (each rank waits on another)."""


@dataclass(frozen=True)
class Costs:
    """Duration of one action of each kind on one stage and one micro-batch, in µs."""

    f: float = 1.0
    """forward; 1 in the unit model"""
    b: float = 2.0
    """full backward (input and weight gradients); 2 in the unit model"""
    i: float = 1.0
    """backward for the inputs only (split-backward schedules); B/2 in the unit model"""
    w: float = 1.0
    """backward for the weights only (split-backward schedules); B/2 in the unit model"""
    comm: float = 0.0
    """point-to-point latency added when a dependency crosses ranks"""
    overhead: float = 0.0
    """time a rank spends between actions even when their inputs are ready: the schedule's
    own bookkeeping, posting sends and receives (fitted by `fitted_overhead`)"""
    activation_bytes: int = 0
    """activation bytes one micro-batch keeps on one stage until its backward; 0 = unknown"""
    per_stage: tuple[tuple[str, int, float], ...] = ()
    """(kind, stage, µs) measured means per stage, which override f/b/i/w for that stage:
    stages are not equal (the last one computes the loss; ranks share cores unevenly)"""
    per_action: tuple[tuple[str, int, int, float], ...] = ()
    """(kind, stage, microbatch, µs) of one measured iteration, which override the means:
    the schedule laid out with that iteration's own durations (jitter included)"""
    model: str = "unit"
    """"unit" (F=1, B=2) or "measured" (means from a real run); written to meta.cost_model"""

    def __post_init__(self) -> None:
        for name in ("f", "b", "i", "w", "comm", "overhead"):
            if getattr(self, name) < 0:
                raise ValueError(f"Costs.{name} must be >= 0, got {getattr(self, name)}")

    @functools.cached_property
    def _durations(self) -> dict[tuple, float]:
        """(kind, stage, microbatch) and (kind, stage) → µs, looked up once per action."""
        return {**{(k, s): us for k, s, us in self.per_stage},
                **{(k, s, j): us for k, s, j, us in self.per_action}}  # fmt: skip

    def of(self, kind: str, stage: int | None = None, microbatch: int | None = None) -> float:
        found = self._durations.get((kind, stage, microbatch), self._durations.get((kind, stage)))
        if found is not None:
            return found
        return {"F": self.f, "B": self.b, "I": self.i, "W": self.w}[kind]

    @classmethod
    def from_trace(cls, trace: dict, iteration: int | None = None) -> Costs:
        """Durations measured in a real run: the mean of each kind, of each (kind, stage),
        and, with ``iteration``, every action of that iteration.

        A kind the run did not use is derived: I = W = B/2, or B = I + W. ``comm`` stays 0
        here: the recorded SEND/RECV events are *waits*, mostly time spent blocked on a
        neighbour (the bubble itself), not transfer times, so their mean would count idle
        time twice; runner.predict sets it from the run's fitted P2P cost instead.
        """
        sums: dict[str, list[float]] = {}
        stage_sums: dict[tuple[str, int], list[float]] = {}
        for e in trace.get("events", []):
            sums.setdefault(e["kind"], []).append(e["end_us"] - e["start_us"])
            if e["kind"] in COMPUTE_KINDS:
                key = (e["kind"], e["stage"])
                stage_sums.setdefault(key, []).append(e["end_us"] - e["start_us"])
        mean = {k: sum(v) / len(v) for k, v in sums.items() if v}
        per_stage = tuple((k, s, sum(v) / len(v)) for (k, s), v in sorted(stage_sums.items()))
        per_action = tuple(
            (e["kind"], e["stage"], e["microbatch"], e["end_us"] - e["start_us"])
            for e in trace.get("events", [])
            if iteration is not None and e["iteration"] == iteration and e["kind"] in COMPUTE_KINDS
        )
        if "F" not in mean:
            raise ValueError("trace has no F events to measure costs from")
        b = mean.get("B", mean.get("I", 0.0) + mean.get("W", 0.0))
        return cls(
            activation_bytes=_bytes_per_microbatch(trace),
            f=mean["F"],
            b=b,
            i=mean.get("I", b / 2),
            w=mean.get("W", b / 2),
            per_stage=per_stage,
            per_action=per_action,
            model="measured",
        )


def fitted_overhead(trace: dict, comm: float = 0.0) -> float:
    """Median time a rank waited before an action although the rank was free and the
    action's inputs had arrived (their producer's end + `comm`): per-action overhead.

    Read from the measured compute events of every iteration, with the same dependency rules
    as `list_schedule`; the first action of each rank (no predecessor) is skipped."""
    slack = []
    ranks = trace["meta"]["world_size"]
    for it in sorted({e["iteration"] for e in trace["events"]}):
        events = [e for e in trace["events"] if e["iteration"] == it and e["kind"] in COMPUTE_KINDS]
        if not events:
            continue
        last_stage = max(e["stage"] for e in events)
        done = {}
        for e in events:
            done[(e["kind"], e["stage"], e["microbatch"])] = e
            if e["kind"] in ("B", "I"):
                done[("G", e["stage"], e["microbatch"])] = e
        for r in range(ranks):
            mine = sorted((e for e in events if e["rank"] == r), key=lambda e: e["start_us"])
            for prev, e in itertools.pairwise(mine):
                action = (e["kind"], e["stage"], e["microbatch"])
                deps = [done.get(d) for d in _dependencies(action, last_stage)]
                if any(d is None for d in deps):
                    continue
                ready = [d["end_us"] + (comm if d["rank"] != r else 0.0) for d in deps]
                slack.append(e["start_us"] - max([prev["end_us"], *ready]))
    if not slack:
        return 0.0
    return max(0.0, sorted(slack)[len(slack) // 2])


def _bytes_per_microbatch(trace: dict) -> int:
    """Measured peak activation bytes per rank ÷ the predicted peak in-flight count, averaged."""
    spec = trace.get("spec", {})
    rows = [m for m in trace.get("memory", []) if m.get("kind") == "activations"]
    try:
        orders = rank_orders(spec["schedule"], spec["stages"], spec["microbatches"])
    except (KeyError, ValueError, RuntimeError):
        return 0
    peaks = peak_in_flight(orders)
    ratios = [m["peak_bytes"] / peaks[m["rank"]] for m in rows if peaks.get(m["rank"])]
    return round(sum(ratios) / len(ratios)) if ratios else 0


def gpipe_order(rank: int, microbatches: int) -> list[Action]:
    """GPipe (arXiv 1811.06965): all forwards, then all backwards in micro-batch order."""
    m = microbatches
    return [("F", rank, j) for j in range(m)] + [("B", rank, j) for j in range(m)]


def one_f_one_b_order(rank: int, ranks: int, microbatches: int) -> list[Action]:
    """1F1B, the PipeDream-Flush schedule (arXiv 1806.03377; Megatron-LM arXiv 2104.04473).

    1. Warmup: rank r runs p-1-r forwards (fewer if there are fewer micro-batches).
    2. Steady: one forward, then one backward, until every forward has run.
    3. Cooldown: the remaining backwards.
    At most p-r micro-batches are in flight on rank r, against m for GPipe.
    torch's Schedule1F1B counts p-r warmup forwards and a steady "one backward, one forward";
    the sequence of compute actions is the same.
    """
    m = microbatches
    warmup = min(ranks - 1 - rank, m)
    order: list[Action] = [("F", rank, j) for j in range(warmup)]
    for j in range(m - warmup):
        order += [("F", rank, warmup + j), ("B", rank, j)]
    order += [("B", rank, j) for j in range(m - warmup, m)]
    return order


def rank_orders(schedule: str, ranks: int, microbatches: int) -> dict[int, list[Action]]:
    """The compute actions each rank runs, in order."""
    if schedule == "naive":
        # No micro-batches: the whole batch is micro-batch 0, forward 0..p-1, backward p-1..0.
        return {r: [("F", r, 0), ("B", r, 0)] for r in range(ranks)}
    if schedule == "GPipe":
        return {r: gpipe_order(r, microbatches) for r in range(ranks)}
    if schedule == "1F1B":
        return {r: one_f_one_b_order(r, ranks, microbatches) for r in range(ranks)}
    if schedule in MULTI_STAGE:
        return torch_orders(schedule, ranks, microbatches)
    raise ValueError(f"unknown schedule {schedule!r}; known: {', '.join(SCHEDULES)}")


def _dependencies(action: Action, last_stage: int) -> list[tuple[str, int, int]]:
    """Keys that must be done before ``action``; "G" stands for B-or-I (input gradient)."""
    kind, s, j = action
    if kind == "F":
        return [("F", s - 1, j)] if s > 0 else []
    if kind in ("B", "I"):
        deps = [("F", s, j)]
        return deps + ([("G", s + 1, j)] if s < last_stage else [])
    return [("I", s, j)]  # W


def list_schedule(
    orders: dict[int, list[Action]], costs: Costs, stage_rank: dict[int, int]
) -> list[dict]:
    """Start every action as early as its rank and its dependencies allow."""
    last_stage = max(stage_rank)
    done: dict[tuple[str, int, int], tuple[float, int]] = {}  # key -> (end, rank)
    free = dict.fromkeys(orders, 0.0)
    pos = dict.fromkeys(orders, 0)
    events: list[dict] = []
    remaining = sum(len(o) for o in orders.values())
    while remaining:
        progressed = False
        for r, order in orders.items():
            while pos[r] < len(order):
                action = order[pos[r]]
                deps = [done.get(d) for d in _dependencies(action, last_stage)]
                if any(d is None for d in deps):
                    break
                ready = [end + (costs.comm if dr != r else 0.0) for end, dr in deps]
                start = max([free[r], *ready]) + costs.overhead
                end = start + costs.of(*action)
                kind, s, j = action
                events.append(_event(r, s, kind, j, start, end))
                done[(kind, s, j)] = (end, r)
                if kind in ("B", "I"):
                    done[("G", s, j)] = (end, r)
                free[r], pos[r] = end, pos[r] + 1
                remaining -= 1
                progressed = True
        if not progressed:
            stuck = {r: orders[r][pos[r]] for r in orders if pos[r] < len(orders[r])}
            raise DeadlockError(f"schedule deadlocks; next action per rank: {stuck}")
    events.sort(key=lambda e: (e["rank"], e["start_us"]))
    return events


def _event(rank: int, stage: int, kind: str, mb: int, start: float, end: float) -> dict:
    return {
        "rank": rank,
        "stage": stage,
        "kind": kind,
        "microbatch": mb,
        "iteration": 0,
        "start_us": start,
        "end_us": end,
        "stream": "compute",
    }


def peak_in_flight(orders: dict[int, list[Action]]) -> dict[int, int]:
    """Peak number of micro-batch activations held per rank (F stores, B or W frees)."""
    peaks = {}
    for r, order in orders.items():
        held = peak = 0
        for kind, _, _ in order:
            held += 1 if kind == "F" else -1 if kind in ("B", "W") else 0
            peak = max(peak, held)
        peaks[r] = peak
    return peaks


def predict(schedule: str, stages: int, microbatches: int, costs: Costs | None = None) -> dict:
    """Predicted trace (version 1) of one iteration of ``schedule`` on ``stages`` ranks."""
    if stages < 1 or microbatches < 1:
        raise ValueError(f"stages and microbatches must be >= 1, got {stages}, {microbatches}")
    costs = costs or Costs()
    orders = rank_orders(schedule, stages, microbatches)
    stage_rank = {s: r for r in range(stages) for s in stages_of_rank(schedule, r, stages)}
    events = list_schedule(orders, costs, stage_rank)
    trace = {
        "version": 1,
        "spec": {
            "workload": "pipeline",
            "schedule": schedule,
            "stages": stages,
            "microbatches": 1 if schedule == "naive" else microbatches,
        },
        "meta": {
            **simulated_meta(costs.model, stages),
            "costs": {
                "f": costs.f,
                "b": costs.b,
                "i": costs.i,
                "w": costs.w,
                "comm": costs.comm,
                "overhead": costs.overhead,
            },
        },
        "events": events,
        "memory": [
            {
                "rank": r,
                "kind": "activations",
                "peak_bytes": n * costs.activation_bytes,
                "peak_microbatches": n,
            }
            for r, n in sorted(peak_in_flight(orders).items())
        ],
    }
    trace["summary"] = {**trace_summary(events, stages), "bubble": bubble(trace)}
    return trace


def simulated_meta(cost_model: str, ranks: int) -> dict:
    """Trace-v1 meta of a prediction: no backend, device or clock; times in µs or units."""
    return {
        "source": "simulated",
        "cost_model": cost_model,
        "backend": "none",
        "device": "none",
        "gpu_name": None,
        "world_size": ranks,
        "torch": "n/a",
        "recorded_at": "",
        "iterations": 1,
    }
