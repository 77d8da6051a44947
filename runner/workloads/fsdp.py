"""Sharded data parallelism, for real: ZeRO stages (Rajbhandari et al. 2020, arXiv
1910.02054) with torch's FSDP2 and ZeroRedundancyOptimizer, and the bytes each rank holds.

Run by hand (2 gloo ranks on CPU; `python -m runner run fsdp` does this):

    $ echo '{"workload": "fsdp", "stage": "zero3", "dp": 2, "device": "cpu"}' > /tmp/fsdp.json
    $ torchrun --standalone --nproc-per-node 2 -m runner.workloads.fsdp \\
          --spec /tmp/fsdp.json --out /tmp/fsdp

Stages (fields and defaults: runner/specs/fsdp.py):
- zero3: every block `fully_shard(block, reshard_after_forward=True)` — parameters,
  gradients and Adam states sharded; a block's parameters are all-gathered before its
  forward, freed after it, gathered again before its backward;
- zero2: `reshard_after_forward=False` — gathered parameters kept from forward to backward
  (one all-gather per block and step, the whole model gathered at the peak);
- zero1: DistributedDataParallel with ZeroRedundancyOptimizer (Adam states sharded, each
  rank updates its own parameters and broadcasts them);
- ddp: DistributedDataParallel with Adam, nothing sharded (the baseline).

One step: 1. forward (F per block; ALLGATHER on stream "comm" for FSDP); 2. backward (B per
block; REDUCE_SCATTER per block for FSDP, bucket ALLREDUCE for zero1/ddp, see
data_parallel_comm.py); 3. Adam step (OPT; zero1's includes its broadcast).

Memory per rank (trace `memory`, kind = part): parameters, gradients and optimizer states
are the bytes of the distinct storages behind those tensors (local shards for DTensors,
FSDP's padding included), gradients taken after backward, the others after the step;
activations are the bytes autograd saved in the forward (saved_tensors_hooks);
gathered_parameters is the largest number of unsharded parameter bytes registered at once,
sampled at every block's forward and backward hooks. On GPUs also max_memory_allocated.
"""

from __future__ import annotations

import runner.workloads.safe_env  # noqa: F401  (must run before torch is imported)

# isort: split
import warnings

import torch
import torch.distributed as dist
from torch.nn.parallel import DistributedDataParallel as DDP

from runner.workloads import common, dp_model
from runner.workloads.data_parallel_comm import BucketHook, Transfers
from runner.workloads.entry import entry_point, exit_without_destructors
from runner.workloads.timing import Recorder

warnings.filterwarnings("ignore", message="Full backward hook is firing")
warnings.filterwarnings("ignore", message="FSDP2-wrapped module")  # our output is not changed
PARTS = ("parameters", "gradients", "optimizer", "activations", "gathered_parameters")


def gathered_bytes(model) -> int:
    """Bytes of the parameters registered unsharded right now (FSDP swaps them in)."""
    return sum(p.numel() * p.element_size() for p in model.parameters() if not _sharded(p))


def _sharded(p) -> bool:
    return hasattr(p, "to_local")


def shard(model, stage: str, rec: Recorder, device_type: str, world: int):
    """FSDP2 on every block and the root; the timed collectives (fsdp_comm.py).

    The mesh is made on the run's own device type: left to itself, fully_shard builds its
    mesh on the accelerator whenever the host has one, even for a CPU (gloo) run."""
    from torch.distributed.device_mesh import init_device_mesh
    from torch.distributed.fsdp import fully_shard

    from runner.workloads.fsdp_comm import timed_collectives

    mesh = init_device_mesh(device_type, (world,), mesh_dim_names=("dp",))
    for block in model:
        fully_shard(block, mesh=mesh, reshard_after_forward=stage == "zero3")
    fully_shard(model, mesh=mesh, reshard_after_forward=stage == "zero3")
    return timed_collectives(list(model), rec)


def build(spec: dict, ctx: common.RankContext, rec: Recorder, peaks: dp_model.PartBytes):
    """The model for the stage, its optimizer and the step function."""
    stage = spec["stage"]
    model = dp_model.build_model(spec["layers"], spec["hidden"], ctx.device)
    fsdp = stage in ("zero3", "zero2")
    timer = dp_model.LayerTimer(rec, list(model), grad_hooks=not fsdp)
    acts = dp_model.ActivationBytes(model)
    for block in model:  # sample the unsharded parameters held, forward and backward
        sample = lambda *a: peaks.note("gathered_parameters", gathered_bytes(model))  # noqa: E731
        block.register_forward_hook(sample)
        block.register_full_backward_pre_hook(sample)
    flushers = []
    if fsdp:
        flushers = shard(model, stage, rec, ctx.device.type, ctx.world)
        opt = torch.optim.Adam(model.parameters(), lr=1e-4)
        wrapped = model
    else:
        wrapped = DDP(model, gradient_as_bucket_view=True)
        hook = BucketHook(Transfers(rec, timer), ctx.world)
        wrapped.register_comm_hook(None, hook.allreduce)
        flushers = [hook]
        opt = _optimizer(stage, wrapped)
    x = dp_model.make_batch(spec["batch"], spec["seq"], spec["hidden"], ctx.rank, ctx.device)
    x.requires_grad_(fsdp)  # so block 0's backward hook fires after its backward, not before

    def step() -> None:
        timer.new_step()
        with acts.saving():
            loss = dp_model.loss_fn(wrapped(x))
        loss.backward()
        for f in flushers:
            f.flush()
        peaks.after_backward(model)
        start = rec.mark()
        opt.step()
        rec.add("OPT", 0, start, rec.mark())
        peaks.after_step(model, opt, acts)
        opt.zero_grad(set_to_none=fsdp)  # DDP keeps its bucket views

    return model, step


def _optimizer(stage: str, wrapped):
    if stage == "zero1":
        from torch.distributed.optim import ZeroRedundancyOptimizer

        return ZeroRedundancyOptimizer(
            wrapped.parameters(), optimizer_class=torch.optim.Adam, lr=1e-4
        )
    return torch.optim.Adam(wrapped.parameters(), lr=1e-4)


def run(spec: dict, out: str) -> None:
    with common.rank_context(spec, out) as ctx:
        rec = Recorder(ctx.rank, ctx.device, ctx.barrier)
        peaks = dp_model.PartBytes()
        _, step = build(spec, ctx, rec, peaks)

        def warmed_up() -> None:
            peaks.on = True  # count only measured steps (FSDP's lazy init is done)
            if ctx.device.type == "cuda":
                torch.cuda.reset_peak_memory_stats(ctx.device)

        walls = common.measure(
            ctx, rec, step, spec["warmup"], spec["iterations"], after_warmup=warmed_up
        )
        memory = peaks.rows(ctx.rank, PARTS)
        if ctx.device.type == "cuda":
            peak = int(torch.cuda.max_memory_allocated(ctx.device))
            memory.append({"rank": ctx.rank, "peak_bytes": peak, "kind": "allocated"})
        meta = {
            "comm_fit": probe(ctx, spec),
            "comm_bytes": comm_bytes(spec, ctx.world),
            "memory_method": "distinct storages of params/grads/optimizer states; "
            "saved_tensors_hooks for activations",
        }
        common.finish(
            ctx, spec, rec.events, memory=memory, meta=meta, walls=walls, summarize=exposed_comm
        )


def exposed_comm(events: list[dict]) -> dict:
    """comm_exposed_us: per rank and step, the span of its events minus its compute time —
    what the compute lane spent waiting for collectives (and the Python between events)."""
    steps: dict = {}
    for e in events:
        lo, hi, busy = steps.get((e["rank"], e["iteration"]), (float("inf"), 0.0, 0.0))
        if e["stream"] == "compute":
            busy += e["end_us"] - e["start_us"]
        steps[(e["rank"], e["iteration"])] = (min(lo, e["start_us"]), max(hi, e["end_us"]), busy)
    waits = [max(0.0, hi - lo - busy) for lo, hi, busy in steps.values()]
    return {"comm_exposed_us": sum(waits) / len(waits) if waits else 0.0}


def comm_bytes(spec: dict, world: int) -> dict:
    """Bytes of one block's collective: its whole parameters (all-gather output, reduce-scatter
    input), and of the whole model's gradients (DDP's all-reduce)."""
    block = 4 * 8 * spec["hidden"] ** 2
    return {"allgather": block, "reduce_scatter": block, "allreduce": block * spec["layers"]}


def probe(ctx: common.RankContext, spec: dict) -> dict:
    """α–β fits of the collectives this stage uses, at a block's size and around it."""
    nbytes = comm_bytes(spec, ctx.world)
    if spec["stage"] in ("zero1", "ddp"):
        sizes = [max(4, nbytes["allreduce"] // 64), nbytes["allreduce"] // 8, nbytes["allreduce"]]
        return {"allreduce": common.probe_collective(ctx, lambda t: dist.all_reduce(t), sizes)}
    sizes = [
        max(4 * ctx.world, nbytes["allgather"] // 16),
        nbytes["allgather"] // 4,
        nbytes["allgather"],
    ]

    # the *_single names are torch 2.13's; 2.8-2.12 (the GPU hosts) have the *_tensor ones
    all_gather = getattr(dist, "all_gather_single", None) or dist.all_gather_into_tensor
    reduce_scatter = getattr(dist, "reduce_scatter_single", None) or dist.reduce_scatter_tensor

    def gather(t):  # t: the gathered size; each rank sends 1/world of it
        part = t[: t.numel() // ctx.world].clone()
        all_gather(t[: part.numel() * ctx.world], part)

    def scatter(t):
        out = torch.empty(t.numel() // ctx.world, device=t.device)
        reduce_scatter(out, t[: out.numel() * ctx.world])

    return {
        "allgather": common.probe_collective(ctx, gather, sizes),
        "reduce_scatter": common.probe_collective(ctx, scatter, sizes),
    }


main = entry_point("fsdp", run, __doc__.splitlines()[0])


if __name__ == "__main__":
    main()
    exit_without_destructors()
