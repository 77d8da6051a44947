"""Expert parallelism, for real: ep ranks run MoE layers whose experts are spread over them.

Run by hand (2 gloo ranks on CPU; `python -m runner run expert_parallel` does this):

    $ echo '{"workload": "expert_parallel", "ep": 2, "skew": 0.5, "device": "cpu"}' \\
          > /tmp/moe.json
    $ torchrun --standalone --nproc-per-node 2 -m runner.workloads.expert_parallel \\
          --spec /tmp/moe.json --out /tmp/moe

It writes /tmp/moe/trace.json (trace v1, DESIGN.md) and progress.json. Fields and defaults:
runner/specs/expert_parallel.py. Inference: forward only, under torch.no_grad.

Phases of one MoE layer on every rank (GShard, arXiv 2006.16668; capacity factor from the
Switch Transformer, arXiv 2101.03961), each one event:
1. gate — COMPUTE op "gate": router, top-k, capacity cut, rows sorted by expert (moe_model);
2. dispatch — ALLTOALL op "dispatch": rows to the ranks of their experts
   (expert_parallel_comm.py);
3. experts — COMPUTE op "experts": this rank's experts on the rows it received
   (`tokens` = how many: the straggler is the rank whose experts got the most);
4. combine — ALLTOALL op "combine": outputs back to their tokens' ranks;
5. merge — COMPUTE op "merge": x + Σ gate × expert output.

The trace also carries the token counts per expert (summary.routing: routed before the
capacity cut, kept after it, per layer, summed over ranks; received per rank), the share of
assignments dropped, the α–β all-to-all cost the ranks fitted during warm-up
(meta.comm_fit.alltoall, used by runner/predict_moe.py) and, on CPU, the largest difference
from a one-process MoE on the same tokens (summary.max_abs_error).
"""

from __future__ import annotations

import runner.workloads.safe_env  # noqa: F401  (must run before torch is imported)

# isort: split
import torch
import torch.distributed as dist

from runner.specs.expert_parallel import expert_capacity, rank_labels
from runner.workloads import common, moe_model
from runner.workloads.entry import entry_point, exit_without_destructors
from runner.workloads.expert_parallel_comm import ExpertComm
from runner.workloads.timing import Recorder

DTYPES = {"float32": torch.float32, "bfloat16": torch.bfloat16, "float16": torch.float16}


def capacity_of(spec: dict) -> int:
    return expert_capacity(spec["capacity_factor"], spec["top_k"], spec["tokens"], spec["experts"])


def build_layers(spec: dict, rank: int, world: int, device, dtype) -> list[dict]:
    """Per layer: the router, this rank's experts (global ids first..first+local), hot tokens."""
    local = spec["experts"] // world
    layers = []
    for layer in range(spec["layers"]):
        experts = [
            moe_model.expert_weights(layer, e, spec["hidden"], spec["ffn"], device, dtype)
            for e in range(rank * local, (rank + 1) * local)
        ]
        wr = moe_model.router_weight(layer, spec["experts"], spec["hidden"], device, dtype)
        hot = moe_model.hot_tokens(rank, spec["tokens"], spec["skew"], device)
        layers.append({"router": wr, "experts": experts, "hot": hot})
    return layers


def moe_layer(x, layer: int, weights: dict, spec: dict, comm: ExpertComm, rec: Recorder):
    """One MoE layer (phases 1–5 of the module docstring); (output, routing, rows received)."""
    start = rec.mark()
    routing = moe_model.route(x, weights["router"], spec["top_k"], capacity_of(spec),
                              weights["hot"])  # fmt: skip
    rec.add("COMPUTE", 0, start, rec.mark(), op="gate", layer=layer, tokens=len(routing.token))
    got = comm.dispatch(x, routing, layer)
    start = rec.mark()
    outputs = torch.empty_like(got.rows)
    for j, (up, down) in enumerate(weights["experts"]):
        mine = got.local_expert == j
        outputs[mine] = moe_model.expert_mlp(got.rows[mine], up, down)
    rec.add("COMPUTE", 0, start, rec.mark(), op="experts", layer=layer, tokens=len(got.rows))
    back = comm.combine(outputs, got, layer)
    start = rec.mark()
    x = moe_model.merge(x, routing, back)
    rec.add("COMPUTE", 0, start, rec.mark(), op="merge", layer=layer, tokens=len(back))
    return x, routing, len(got.rows)


def run(spec: dict, out: str) -> None:
    with common.rank_context(spec, out) as ctx, torch.no_grad():
        rec = Recorder(ctx.rank, ctx.device, ctx.barrier)
        dtype = DTYPES[spec["dtype"]]
        layers = build_layers(spec, ctx.rank, ctx.world, ctx.device, dtype)
        x0 = moe_model.make_tokens(ctx.rank, spec["tokens"], spec["hidden"], ctx.device, dtype)
        comm = ExpertComm(rec, ctx.world, spec["experts"] // ctx.world)
        last: dict = {}  # the last step's output and routing (the same every step)

        def step() -> None:
            x, stats = x0, []
            for i, weights in enumerate(layers):
                x, routing, received = moe_layer(x, i, weights, spec, comm, rec)
                stats.append((routing.routed.tolist(), routing.kept.tolist(), received))
            last.update(out=x, stats=stats)

        walls = common.measure(ctx, rec, step, spec["warmup"], spec["iterations"])
        nbytes = spec["tokens"] * spec["top_k"] * spec["hidden"] * x0.element_size()
        fit = common.probe_collective(ctx, _alltoall, _probe_sizes(nbytes, ctx.world))
        error = None
        if spec["verify"] == "on" or (spec["verify"] == "auto" and spec["device"] == "cpu"):
            ref = moe_model.reference(x0, spec, ctx.rank, capacity_of(spec))
            error = float((last["out"].float() - ref.float()).abs().max())
        gathered = common.gather(ctx, (last["stats"], error))
        summary = routing_summary(gathered, spec) if gathered else {}
        meta = {
            "comm_fit": {"alltoall": fit},
            "comm_events": comm.describe(),
            "label": f"MoE skew {spec['skew']:g} · capacity ×{spec['capacity_factor']:g}",
            "rank_labels": rank_labels(spec["experts"], ctx.world),
        }
        common.finish(ctx, spec, rec.events, summary=summary, meta=meta, walls=walls,
                      summarize=lambda events: {"comm_exposed_us": exposed(events, spec,
                                                                           ctx.world)})  # fmt: skip


def _alltoall(t: torch.Tensor) -> None:
    dist.all_to_all_single(torch.empty_like(t), t)


def _probe_sizes(nbytes: int, world: int) -> list[int]:
    """Three payloads around one dispatch's, in whole float32 elements per rank."""
    unit = 4 * world
    return [max(unit, (n // unit) * unit) for n in (nbytes // 16, nbytes // 4, nbytes)]


def routing_summary(gathered: list, spec: dict) -> dict:
    """Token counts per expert (summed over ranks), received per rank, dropped share, error."""
    per_layer = []
    for layer in range(spec["layers"]):
        routed = [sum(g[0][layer][0][e] for g in gathered) for e in range(spec["experts"])]
        kept = [sum(g[0][layer][1][e] for g in gathered) for e in range(spec["experts"])]
        received = [g[0][layer][2] for g in gathered]
        per_layer.append({"routed": routed, "kept": kept, "received": received})
    routed_all = sum(sum(lay["routed"]) for lay in per_layer)
    kept_all = sum(sum(lay["kept"]) for lay in per_layer)
    errors = [g[1] for g in gathered if g[1] is not None]
    return {
        "routing": {"capacity": capacity_of(spec), "layers": per_layer},
        "dropped_fraction": 1 - kept_all / routed_all if routed_all else 0.0,
        "max_abs_error": max(errors) if errors else None,
    }


def exposed(events: list[dict], spec: dict, world: int) -> float:
    """Mean all-to-all time per measured step and rank (µs): all of it is on the critical
    path, since both all-to-alls block."""
    a2a = [e["end_us"] - e["start_us"] for e in events if e["kind"] == "ALLTOALL"]
    return sum(a2a) / max(1, world * spec["iterations"])


main = entry_point("expert_parallel", run, __doc__.splitlines()[0])


if __name__ == "__main__":
    main()
    exit_without_destructors()
