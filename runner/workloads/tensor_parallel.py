"""Tensor parallelism, for real: N ranks run a stack of Megatron MLP blocks, forward only.

Run by hand (2 gloo ranks on CPU; `python -m runner run tensor_parallel` does this):

    $ echo '{"workload": "tensor_parallel", "mode": "ladder", "tp": 2, "device": "cpu"}' \\
          > /tmp/tp.json
    $ torchrun --standalone --nproc-per-node 2 -m runner.workloads.tensor_parallel \\
          --spec /tmp/tp.json --out /tmp/tp

It writes /tmp/tp/trace.json (trace v1, DESIGN.md) and /tmp/tp/progress.json. Fields and
defaults: runner/specs/tensor_parallel.py. Inference: forward only, under torch.no_grad.

Modes (tp_model.py): "blocking" is standard Megatron TP (arXiv 1909.08053), every all-reduce
on the critical path — the naive, hand-written version; "ladder" is Ladder Residual (arXiv
2501.06589), which overlaps block i−1's all-reduce with block i's compute (a different
model, see there); "torch_tp" is the blocking model sharded by torch's own
`parallelize_module` (ColwiseParallel up, RowwiseParallel down; tensor_parallel_torch.py).

Events per rank, layer and measured iteration: COMPUTE (stream "compute", stage = layer) and
ALLREDUCE (stream "comm", stage = layer); how they are timed: tensor_parallel_comm.py.
summary.comm_exposed_us is the mean per step and rank of the time the compute side waited
for all-reduces. During warm-up the ranks time all-reduces of 3 sizes and fit α + β·bytes
(meta.comm_fit.allreduce), which the prediction (runner/predict.py) uses.
"""

from __future__ import annotations

import runner.workloads.safe_env  # noqa: F401  (must run before torch is imported)

# isort: split
import torch
import torch.distributed as dist

from runner.workloads import common, tp_model
from runner.workloads.entry import entry_point, exit_without_destructors
from runner.workloads.tensor_parallel_comm import GlooComm, NcclComm
from runner.workloads.timing import Recorder

DTYPES = {"float32": torch.float32, "bfloat16": torch.bfloat16, "float16": torch.float16}


def verify_on(spec: dict) -> bool:
    return spec["verify"] == "on" or (spec["verify"] == "auto" and spec["device"] == "cpu")


def check_error(spec: dict, ctx: common.RankContext, shards, x, out: torch.Tensor):
    """Gather the weight shards; rank 0 returns max |sharded − one-process reference|."""
    full = []
    for shard in shards:
        ups = [torch.empty_like(shard.up) for _ in range(ctx.world)]
        downs = [torch.empty_like(shard.down) for _ in range(ctx.world)]
        dist.all_gather(ups, shard.up.contiguous())
        dist.all_gather(downs, shard.down.contiguous())
        full.append((torch.cat(ups, 0).float(), torch.cat(downs, 1).float()))
    if ctx.rank != 0:
        return None
    ref = tp_model.reference(x.float(), full, ladder=spec["mode"] == "ladder")
    return float((out.float() - ref).abs().max())


def hand_written(spec: dict, ctx: common.RankContext, rec: Recorder, x: torch.Tensor):
    """(step, comm, error_fn) for the blocking and ladder modes on this rank's shards."""
    dtype = DTYPES[spec["dtype"]]
    shards = tp_model.build_shards(
        spec["layers"], spec["hidden"], ctx.rank, ctx.world, ctx.device, dtype
    )
    comm = NcclComm(rec) if ctx.device.type == "cuda" else GlooComm(rec)
    forward = tp_model.forward_ladder if spec["mode"] == "ladder" else tp_model.forward_blocking
    result: list[torch.Tensor] = []  # the last step's output [batch, seq, hidden]

    def step() -> None:
        result[:] = [forward(x, shards, comm)]

    return step, comm, lambda: check_error(spec, ctx, shards, x, result[0])


def run(spec: dict, out: str) -> None:
    with common.rank_context(spec, out) as ctx, torch.no_grad():
        rec = Recorder(ctx.rank, ctx.device, ctx.barrier)
        dtype = DTYPES[spec["dtype"]]
        x = tp_model.make_input(spec["batch"], spec["seq"], spec["hidden"], ctx.device, dtype)
        if spec["mode"] == "torch_tp":
            from runner.workloads.tensor_parallel_torch import torch_tp

            step, comm, error_fn = torch_tp(spec, ctx, rec, x)
        else:
            step, comm, error_fn = hand_written(spec, ctx, rec, x)
        exposed: list[float] = []

        def after_step(measured: bool) -> None:
            if measured:  # every CUDA event has completed: end_iteration synchronized
                exposed.append(sum(rec.elapsed_us(a, b) for a, b in comm.waits))
            comm.waits.clear()

        walls = common.measure(
            ctx, rec, step, spec["warmup"], spec["iterations"], after_step=after_step
        )
        nbytes = x.numel() * x.element_size()  # one all-reduce: [batch, seq, hidden]
        fit = common.probe_collective(
            ctx, lambda t: dist.all_reduce(t), [max(4, nbytes // 16), nbytes // 4, nbytes]
        )
        error = error_fn() if verify_on(spec) else None
        per_step = [us for ranks in common.gather(ctx, exposed) or [] for us in ranks]
        summary = {
            "comm_exposed_us": sum(per_step) / len(per_step) if per_step else 0.0,
            "max_abs_error": error,
        }
        meta = {"comm_fit": {"allreduce": fit}, "comm_bytes": {"allreduce": nbytes},
                "comm_events": comm.describe()}  # fmt: skip
        common.finish(
            ctx, spec, rec.events, summary=summary, meta=meta, walls=walls,
            summarize=lambda events: {"comm_us": comm_per_step(events, spec, ctx.world)},
        )  # fmt: skip


def comm_per_step(events: list[dict], spec: dict, world: int) -> float:
    """Mean all-reduce time per measured step and rank (µs)."""
    reduces = [e["end_us"] - e["start_us"] for e in events if e["kind"] == "ALLREDUCE"]
    return sum(reduces) / max(1, world * spec["iterations"])


main = entry_point("tensor_parallel", run, __doc__.splitlines()[0])


if __name__ == "__main__":
    main()
    exit_without_destructors()
