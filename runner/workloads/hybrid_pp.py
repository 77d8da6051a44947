"""Pipeline × data parallelism: a torch.distributed.pipelining stage per pp coordinate,
replicas over dp.

Each pp group (neighbouring ranks) runs one replica of the model as a pipeline: stage i
(`layers / pp` MLP blocks, pipeline_model.build_stage) on the rank with pp coordinate i, a
`PipelineStage` on the pp sub-mesh's process group, driven by the schedule the spec names
(1F1B, arXiv 1806.03377, or GPipe, arXiv 1811.06965), the same wrappers as the pipeline
workload timing F / B and the waits on point-to-point transfers (pipeline_hooks.py). Every
replica trains on its own share of the batch; after the schedule's last backward, the ranks
holding the same stage (a dp group) all-reduce that stage's gradients (DP_ALLREDUCE,
hybrid_comm.grad_allreduce), then update it with SGD (an OPT event).

Per step and rank: 1. warm-up forwards, 2. steady 1F1B (or all F, then all B), 3. cooldown
backwards, with SEND/RECV on the pp group between them; 4. the dp gradient all-reduce.
Point-to-point transfers between neighbouring stages are small and frequent enough to stay
in a node; the gradient all-reduce is one large transfer per step that can cross nodes.
"""

from __future__ import annotations

import torch

from runner.workloads.hybrid_comm import grad_allreduce
from runner.workloads.pipeline_hooks import instrument_stage, patch_p2p
from runner.workloads.pipeline_model import batch_data, build_stage, mse_loss
from runner.workloads.timing import ActivationMeter

LR = 1e-3


def build(spec: dict, coord: dict, groups: dict, rec, device):
    """(step, params) of this rank: its pipeline stage and the schedule that drives it."""
    from torch.distributed.pipelining import PipelineStage
    from torch.distributed.pipelining.schedules import get_schedule_class

    pp_rank, pp = coord["pp"], spec["pp"]
    module = build_stage(pp_rank, spec["hidden"], spec["layers"] // pp).to(device)
    params = list(module.parameters())
    mem = ActivationMeter(params)
    patch_p2p(rec)
    stage = PipelineStage(module, pp_rank, pp, device, group=groups["pp"])
    instrument_stage(stage, rec, mem)
    sched = get_schedule_class(spec["schedule"])(stage, spec["microbatches"], loss_fn=mse_loss)
    local = spec["batch"] // spec["dp"]
    x, target = batch_data(local, spec["seq"], spec["hidden"], device, seed=coord["dp"])
    first, last = pp_rank == 0, pp_rank == pp - 1

    def step() -> None:
        args = (x,) if first else ()
        sched.step(*args, **({"target": target, "losses": []} if last else {}))
        grad_allreduce(params, groups["dp"], spec["dp"], rec, pp_rank)
        start = rec.mark()
        with torch.no_grad():
            for p in params:
                p -= LR * p.grad
                p.grad = None
        rec.add("OPT", pp_rank, start, rec.mark())

    return step, params


def p2p_bytes(spec: dict) -> int:
    """One activation send: a micro-batch of the replica's share, [b/dp/m, s, h] in fp32."""
    return spec["batch"] // spec["dp"] // spec["microbatches"] * spec["seq"] * spec["hidden"] * 4
