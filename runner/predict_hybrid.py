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

from runner import simulate
from runner.commcost import last_arrival_us, predicted_us
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


def _tp_events(spec, c: dict) -> list[dict]:
    """Every rank of a tp group runs the same chain; collectives align the group."""
    events, t = [], 0.0
    for d in range(spec.dp):
        t = 0.0
        chain = [("F", layer, "forward") for layer in range(spec.layers)]
        chain += [("B", layer, "backward") for layer in reversed(range(spec.layers))]
        for kind, layer, direction in chain:
            for j in range(spec.tp):
                r, coord = d * spec.tp + j, {"dp": d, "tp": j}
                events.append(_ev(r, kind, t, t + c[kind], coord, layer=layer))
                events.append(_ev(r, "ALLREDUCE", t + c[kind], t + c[kind] + c["tp"], coord,
                                  layer=layer, op=direction))  # fmt: skip
            t += c[kind] + c["tp"]
        for j in range(spec.tp):  # replicas are alike, so every dp peer arrives at t
            r = d * spec.tp + j
            coord = {"dp": d, "tp": j}
            events.append(_ev(r, "DP_ALLREDUCE", t, t + c["dp"], coord))
            events.append(_ev(r, "OPT", t + c["dp"], t + c["dp"] + c["OPT"], coord))
    return events


def _pp_events(spec, c: dict) -> list[dict]:
    """Each replica's schedule from runner.simulate, then each stage's dp all-reduce."""
    costs = simulate.Costs(f=c["F"], b=c["B"], i=c["B"] / 2, w=c["B"] / 2, comm=c["pp"],
                           model=c["model"])  # fmt: skip
    one = simulate.predict(spec.schedule, spec.pp, spec.microbatches, costs)["events"]
    events = []
    for d in range(spec.dp):
        for j in range(spec.pp):
            coord, r = {"dp": d, "pp": j}, d * spec.pp + j
            mine = [e for e in one if e["rank"] == j and e["kind"] != "IDLE"]
            events += [{**e, "rank": r, "mesh": coord} for e in mine]
    for j in range(spec.pp):  # the stage's last backward on every replica (all alike)
        start = max(e["end_us"] for e in one if e["rank"] == j)
        for d in range(spec.dp):
            r, coord, end = d * spec.pp + j, {"dp": d, "pp": j}, start + c["dp"]
            events.append(_ev(r, "DP_ALLREDUCE", start, end, coord, stage=j))
            events.append(_ev(r, "OPT", end, end + c["OPT"], coord, stage=j))
    return events


def hybrid(spec, measured: dict | None = None) -> dict:
    """The predicted trace (meta.source "simulated") of `spec`, on a run's costs if given."""
    inner = spec.layout
    c = _costs(spec, measured, inner)
    events = _tp_events(spec, c) if inner == "tp" else _pp_events(spec, c)
    labels = mesh_labels(spec.dp, inner, spec.inner)
    return predicted_trace(spec, c["model"], events, label=f"{inner} × dp", labels=labels,
                           collective_us={inner: c[inner], "dp": c["dp"]},
                           compute_f_us=c["F"], compute_b_us=c["B"])  # fmt: skip
