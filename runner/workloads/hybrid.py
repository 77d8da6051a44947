"""Two parallelisms at once: a 2-D device mesh, dp × pp or dp × tp, on 4 ranks.

Run by hand (4 gloo ranks on CPU; `python -m runner run hybrid` does this):

    $ echo '{"workload": "hybrid", "dp": 2, "pp": 1, "tp": 2, "device": "cpu"}' > /tmp/h.json
    $ torchrun --standalone --nproc-per-node 4 -m runner.workloads.hybrid \\
          --spec /tmp/h.json --out /tmp/h

It writes /tmp/h/trace.json (trace v1, DESIGN.md) and progress.json. Fields and defaults:
runner/specs/hybrid.py. Training: forward, backward, gradient all-reduce, SGD; float32.

Phases of a job on every rank:
1. mesh — `init_device_mesh(device, (dp, inner), mesh_dim_names=("dp", "pp"|"tp"))`: rank
   = dp_index × inner + inner_index (Megatron's order, arXiv 2104.04473: the inner group is
   neighbouring ranks, one node; a dp group spans nodes); a process group per axis;
2. warm-up and measured steps of the layout (hybrid_pp.py or hybrid_tp.py);
3. probes — α–β fits of each axis's collective on its own group (meta.comm_fit: `p2p` or
   `tp_allreduce`, and `dp_allreduce`), used by runner/predict_hybrid.py;
4. check — the dp replicas must hold identical weights after their averaged update
   (summary.replica_max_diff);
5. every event gets `mesh` (this rank's coordinate) and, for communication, `group` (the
   axis it ran on); meta.rank_labels names the Gantt rows "dp 0 · tp 1".
"""

from __future__ import annotations

import runner.workloads.safe_env  # noqa: F401  (must run before torch is imported)

# isort: split
import torch
import torch.distributed as dist

from runner.specs.hybrid import mesh_labels
from runner.workloads import common, hybrid_pp, hybrid_tp
from runner.workloads.entry import entry_point, exit_without_destructors
from runner.workloads.timing import Recorder

GROUP_OF = {"ALLREDUCE": "tp", "DP_ALLREDUCE": "dp", "SEND_F": "pp", "RECV_F": "pp",
            "SEND_B": "pp", "RECV_B": "pp"}  # fmt: skip
LINKS = ("On one host every group uses the same link (shared memory or loopback), so the tp/pp "
         "and dp costs differ only by message size; on a cluster tp/pp would stay on a node's "
         "NVLink and dp would cross the network.")  # fmt: skip


def make_mesh(spec: dict, device: torch.device):
    """(mesh, coordinate {"dp": i, inner: j}, groups {"dp": ..., inner: ...}, inner name)."""
    from torch.distributed.device_mesh import init_device_mesh

    inner = "pp" if spec["pp"] > 1 else "tp"
    mesh = init_device_mesh(device.type, (spec["dp"], spec[inner]), mesh_dim_names=("dp", inner))
    dp_index, inner_index = mesh.get_coordinate()
    coord = {"dp": dp_index, inner: inner_index}
    groups = {"dp": mesh.get_group("dp"), inner: mesh.get_group(inner)}
    return mesh, coord, groups, inner


def probes(ctx, spec: dict, groups: dict, inner: str, dp_bytes: int) -> dict:
    """α–β fits of the inner axis's transfer and of the dp all-reduce, each on its group."""
    fits = {}
    if inner == "tp":
        nbytes = hybrid_tp.tp_bytes(spec)
        op = lambda t: dist.all_reduce(t, group=groups["tp"])  # noqa: E731
        fits["tp_allreduce"] = common.probe_collective(ctx, op, [nbytes // 16, nbytes // 4, nbytes])
    else:
        nbytes = hybrid_pp.p2p_bytes(spec)
        fits["p2p"] = halve(
            common.probe_collective(
                ctx, lambda t: ping_pong(t, groups["pp"]), [nbytes // 16, nbytes // 4, nbytes]
            )
        )
    op = lambda t: dist.all_reduce(t, group=groups["dp"])  # noqa: E731
    fits["dp_allreduce"] = common.probe_collective(
        ctx, op, [dp_bytes // 16, dp_bytes // 4, dp_bytes]
    )
    return fits


def ping_pong(t: torch.Tensor, group) -> None:
    """Stage 0 sends to stage 1 and gets it back (the other stages wait): two transfers."""
    me, ranks = dist.get_rank(group), dist.get_process_group_ranks(group)
    if me == 0:
        dist.send(t, ranks[1])
        dist.recv(t, ranks[1])
    elif me == 1:
        dist.recv(t, ranks[0])
        dist.send(t, ranks[0])


def halve(fit: dict) -> dict:
    """A one-way transfer from a round-trip fit."""
    return {**fit, "alpha_us": fit["alpha_us"] / 2, "beta_us_per_byte": fit["beta_us_per_byte"] / 2,
            "note": "ping-pong between stages 0 and 1, halved"}  # fmt: skip


def replica_max_diff(params: list[torch.Tensor], group) -> float:
    """Largest difference between dp replicas' weights (0 when their updates agreed)."""
    flat = torch.cat([p.detach().reshape(-1) for p in params])
    hi, lo = flat.clone(), flat.clone()
    dist.all_reduce(hi, op=dist.ReduceOp.MAX, group=group)
    dist.all_reduce(lo, op=dist.ReduceOp.MIN, group=group)
    return float((hi - lo).abs().max())


def annotate(events: list[dict], coord: dict) -> None:
    """Every event: this rank's mesh coordinate; communication: the axis it ran on."""
    for ev in events:
        ev["mesh"] = dict(coord)
        if ev["kind"] in GROUP_OF:
            ev["group"] = GROUP_OF[ev["kind"]]


def run(spec: dict, out: str) -> None:
    with common.rank_context(spec, out) as ctx:
        mesh, coord, groups, inner = make_mesh(spec, ctx.device)
        rec = Recorder(ctx.rank, ctx.device, ctx.barrier)
        build = hybrid_pp.build if inner == "pp" else hybrid_tp.build
        step, params = build(spec, coord, groups, rec, ctx.device)
        walls = common.measure(ctx, rec, step, spec["warmup"], spec["iterations"])
        dp_bytes = sum(p.numel() * p.element_size() for p in params)
        fits = probes(ctx, spec, groups, inner, dp_bytes)
        diff = common.gather(ctx, replica_max_diff(params, groups["dp"]))
        annotate(rec.events, coord)
        inner_n = spec[inner]
        meta = {
            "comm_fit": fits,
            "comm_bytes": {"dp_allreduce": dp_bytes, "tp_allreduce": hybrid_tp.tp_bytes(spec),
                           "p2p": hybrid_pp.p2p_bytes(spec)} if ctx.rank == 0 else {},
            "mesh": {"shape": list(mesh.shape), "dim_names": ["dp", inner],
                     "groups": {"dp": [[d * inner_n + j for d in range(spec["dp"])]
                                       for j in range(inner_n)],
                                inner: [[d * inner_n + j for j in range(inner_n)]
                                        for d in range(spec["dp"])]}},
            "rank_labels": mesh_labels(spec["dp"], inner, inner_n),
            "label": f"{inner} × dp",
            "links": LINKS,
        }  # fmt: skip
        summary = {"replica_max_diff": max(diff) if diff else None}
        trace_spec = {**spec, "stages": spec["pp"]}  # trace v1's name of the pipeline depth
        common.finish(ctx, trace_spec, rec.events, meta=meta, walls=walls, summary=summary,
                      summarize=lambda events: comm_summary(events, spec, ctx.world))  # fmt: skip


def comm_summary(events: list[dict], spec: dict, world: int) -> dict:
    """Mean time per step and rank in each axis's communication (µs)."""
    per_group: dict[str, float] = {}
    for e in events:
        if e.get("group"):
            per_group[e["group"]] = per_group.get(e["group"], 0.0) + e["end_us"] - e["start_us"]
    steps = max(1, world * spec["iterations"])
    return {"comm_us": {g: us / steps for g, us in per_group.items()},
            "comm_exposed_us": sum(per_group.values()) / steps}  # fmt: skip


main = entry_point("hybrid", run, __doc__.splitlines()[0])


if __name__ == "__main__":
    main()
    exit_without_destructors()
