"""What the textbook predicts for a hybrid (2-D mesh) run. Standard library only.

Collectives end, for every member of their group, when the last member has joined plus their
own cost: from the run's events where it has them (in each call the member that arrived last
waited for no one: commcost.last_arrival_us), else the α–β cost fitted per axis during
warm-up (meta.comm_fit.tp_allreduce or .p2p, and .dp_allreduce; runner/workloads/hybrid.py).
Pipeline transfers always use the fit (their events are waits, not transfers).

- tp × dp: per block F, then the tp all-reduce of its output; per block (last first) B,
  then the tp all-reduce of its input gradient; then the dp all-reduce of the gradients
  and the SGD update (OPT).
  Compute F and B are the run's means. Critical path: L·(F + a_tp) + L·(B + a_tp) + a_dp.
- pp × dp: each replica's pipeline is the schedule list-scheduled by runner.simulate on the
  run's F/B means with the fitted point-to-point cost; each stage's dp all-reduce starts
  when that stage's last backward is done on every replica, then its SGD update (OPT).

Without a run: unit costs (F = 1, B = 2; a tp all-reduce 0.3, a transfer 0.1, the
gradient all-reduce 1.5 and the update 0.2 forwards), the shape before any measurement.
"""

from __future__ import annotations

import dataclasses

from runner import simulate
from runner.commcost import last_arrival_us, predicted_us
from runner.gantt_panel import by_iteration, median_iteration
from runner.predict_moe import predicted_trace
from runner.specs.hybrid import mesh_labels

UNIT = {"F": 1.0, "B": 2.0, "tp": 0.3, "pp": 0.1, "dp": 1.5, "OPT": 0.2}


def _costs(spec, measured: dict | None, inner: str) -> dict:
    """F, B (µs per block or stage-micro-batch), the inner axis's and the dp collective."""
    if measured is None:
        return {**UNIT, "model": "unit"}
    means: dict[str, list[float]] = {}
    for e in measured["events"]:
        means.setdefault(e["kind"], []).append(e["end_us"] - e["start_us"])
    meta = measured.get("meta", {})
    fits, sizes = meta.get("comm_fit", {}), meta.get("comm_bytes", {})
    inner_key = "tp_allreduce" if inner == "tp" else "p2p"
    costs = {
        "F": _mean(means.get("F")), "B": _mean(means.get("B")), "OPT": _mean(means.get("OPT")),
        inner: predicted_us(fits.get(inner_key), sizes.get(inner_key, 0)),
        "dp": predicted_us(fits.get("dp_allreduce"), sizes.get("dp_allreduce", 0)),
        "model": "measured+comm",
    }  # fmt: skip
    return {**costs, **last_arrival_us(measured["events"], _call)}


def _call(e: dict):
    """(group, one call) of a blocking all-reduce event (pipeline transfers: None)."""
    mesh, group = e.get("mesh", {}), e.get("group")
    if group == "tp":
        return "tp", (e["iteration"], e.get("layer"), e.get("op"), mesh.get("dp"))
    if group == "dp":
        return "dp", (e["iteration"], *(v for k, v in sorted(mesh.items()) if k != "dp"))
    return None


def _mean(values) -> float:
    return sum(values) / len(values) if values else 0.0


def _ev(rank, kind, start, end, coord, stage=0, **fields) -> dict:
    group = {"ALLREDUCE": "tp", "DP_ALLREDUCE": "dp"}.get(kind)
    ev = {"rank": rank, "stage": stage, "kind": kind, "microbatch": None, "iteration": 0,
          "start_us": start, "end_us": end, "mesh": coord,
          "stream": "compute" if kind in ("F", "B", "OPT") else "comm", **fields}  # fmt: skip
    if group:
        ev["group"] = group
    return ev


def _durations(c: dict, it_events: list[dict] | None):
    """duration(kind, rank, index): that iteration's measured compute, else the means."""
    own = {}
    for e in it_events or []:
        index = e.get("layer") if e.get("layer") is not None else e.get("microbatch")
        own[e["kind"], e["rank"], index] = e["end_us"] - e["start_us"]
    return lambda kind, rank, index=None: own.get((kind, rank, index), c[kind])


def _tp_events(spec, c: dict, it_events: list[dict] | None = None) -> list[dict]:
    """Each rank's chain of blocks; a tp all-reduce ends for its group when the group's last
    member has joined + its cost, the dp all-reduce likewise for its dp group."""
    dur, events = _durations(c, it_events), []
    t = {r: 0.0 for r in range(spec.ranks)}
    coord = {r: {"dp": r // spec.tp, "tp": r % spec.tp} for r in t}
    chain = [("F", layer, "forward") for layer in range(spec.layers)]
    chain += [("B", layer, "backward") for layer in reversed(range(spec.layers))]
    for kind, layer, direction in chain:
        done = {r: t[r] + dur(kind, r, layer) for r in t}
        for r in t:
            events.append(_ev(r, kind, t[r], done[r], coord[r], layer=layer))
        for r in t:
            group = [g for g in t if g // spec.tp == r // spec.tp]
            t[r] = max(done[g] for g in group) + c["tp"]
            events.append(_ev(r, "ALLREDUCE", done[r], t[r], coord[r], layer=layer,
                              op=direction))  # fmt: skip
    _dp_and_update(spec, c, dur, t, coord, events, stage=lambda r: 0)
    return events


def _dp_and_update(spec, c, dur, t: dict, coord: dict, events: list, stage) -> None:
    """Each dp group's gradient all-reduce (from its last member's arrival), then OPT."""
    inner = spec.inner
    for r in sorted(t):
        start = max(t[g] for g in t if g % inner == r % inner)
        end = start + c["dp"]
        events.append(_ev(r, "DP_ALLREDUCE", t[r], end, coord[r], stage=stage(r)))
        events.append(_ev(r, "OPT", end, end + dur("OPT", r), coord[r], stage=stage(r)))


def _pp_events(spec, c: dict, it_events: list[dict] | None = None) -> list[dict]:
    """Each replica's schedule from runner.simulate (on that replica's own F/B of the
    iteration, when given), then each stage's dp all-reduce and update."""
    events, t = [], {}
    coord = {r: {"dp": r // spec.pp, "pp": r % spec.pp} for r in range(spec.ranks)}
    for d in range(spec.dp):
        costs = simulate.Costs(f=c["F"], b=c["B"], i=c["B"] / 2, w=c["B"] / 2, comm=c["pp"],
                               model=c["model"])  # fmt: skip
        if it_events is not None:
            costs = _replica_costs(spec, d, it_events, c)
        one = simulate.predict(spec.schedule, spec.pp, spec.microbatches, costs)["events"]
        for j in range(spec.pp):
            r = d * spec.pp + j
            mine = [e for e in one if e["rank"] == j and e["kind"] != "IDLE"]
            events += [{**e, "rank": r, "mesh": coord[r]} for e in mine]
            t[r] = max(e["end_us"] for e in mine)
    _dp_and_update(spec, c, _durations(c, it_events), t, coord, events, lambda r: r % spec.pp)
    return events


def _replica_costs(spec, d: int, it_events: list[dict], c: dict):
    """Costs of replica d: its stages' F/B of this iteration, as runner.predict.pipeline."""
    sub = {"spec": {"schedule": spec.schedule, "stages": spec.pp,
                    "microbatches": spec.microbatches},
           "meta": {"world_size": spec.pp}, "memory": [],
           "events": [{**e, "rank": e["rank"] - d * spec.pp} for e in it_events
                      if e["rank"] // spec.pp == d and e["kind"] in ("F", "B")]}  # fmt: skip
    costs = simulate.Costs.from_trace(sub, iteration=sub["events"][0]["iteration"])
    overhead = simulate.fitted_overhead(sub, c["pp"])  # the schedule's own per-action cost
    return dataclasses.replace(costs, comm=c["pp"], overhead=overhead, model=c["model"])


def hybrid(spec, measured: dict | None = None) -> dict:
    """The predicted trace (meta.source "simulated") of `spec`, on a run's costs if given.

    With a run, every measured iteration is predicted from its own compute times (jitter and
    uneven ranks included, as runner.predict.pipeline does): the events are those of the
    iteration the chart draws (the median one), summary.step_us the mean over iterations,
    to set beside the mean measured step."""
    inner = spec.layout
    c = _costs(spec, measured, inner)
    build = _tp_events if inner == "tp" else _pp_events
    if measured is None:
        events, steps = build(spec, c), []
    else:
        groups = by_iteration(measured)
        per = {it: build(spec, c, evs) for it, evs in groups.items()}
        events = per[median_iteration(measured, groups)]
        steps = [max(e["end_us"] for e in evs) for evs in per.values()]
    for e in events:
        e["iteration"] = 0
    labels = mesh_labels(spec.dp, inner, spec.inner)
    extra = {"step_us": sum(steps) / len(steps)} if steps else {}
    return predicted_trace(spec, c["model"], events, label=f"{inner} × dp", labels=labels,
                           collective_us={inner: c[inner], "dp": c["dp"]},
                           compute_f_us=c["F"], compute_b_us=c["B"], **extra)  # fmt: skip
