"""Tensor × data parallelism: Megatron MLP blocks sharded over the tp axis, replicas over dp.

Each tp group (neighbouring ranks: one node in a real cluster) holds one replica of the
model, every block split as in runner/workloads/tp_model.py (the up projection by columns,
the down projection by rows) with Megatron's f and g around it (hybrid_comm.py): one tp
all-reduce per block forward, one per block backward. The dp groups (the same tp position
in every replica) then all-reduce the gradients once per step. Per step and rank:

1. forward — per block: F, then the tp ALLREDUCE of its output;
2. backward — per block, last first: B, then the tp ALLREDUCE of its input gradient;
3. gradient sync — one DP_ALLREDUCE of all of this rank's weight-shard gradients;
4. OPT — an SGD update of the shards.

Many small tp all-reduces on the critical path of every block, one large dp all-reduce per
step: why Megatron keeps tp inside a node (NVLink) and lets dp cross nodes.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F_

from runner.workloads import tp_model
from runner.workloads.hybrid_comm import F, G, TPContext, grad_allreduce
from runner.workloads.pipeline_model import batch_data

LR = 1e-3


def build(spec: dict, coord: dict, groups: dict, rec, device):
    """(step, params) of this rank: its shards of every block, its replica's data share."""
    tp_rank, tp = coord["tp"], spec["tp"]
    shards = tp_model.build_shards(spec["layers"], spec["hidden"], tp_rank, tp, device,
                                   torch.float32)  # fmt: skip
    params = []
    for s in shards:
        s.up.requires_grad_(True)
        s.down.requires_grad_(True)
        params += [s.up, s.down]
    local = spec["batch"] // spec["dp"]
    x, target = batch_data(local, spec["seq"], spec["hidden"], device, seed=coord["dp"])
    x.requires_grad_(True)  # the input gradient (an embedding's, in a real model): f of block 0
    ctx = TPContext(groups["tp"], rec)

    def step() -> None:
        h = x
        for layer, s in enumerate(shards):  # [b/dp, s, h] replicated over the tp group
            y = tp_model.block(F.apply(h, ctx, layer), s.up, s.down)
            h = h + G.apply(y, ctx, layer)
        loss = F_.mse_loss(h, target)
        loss.backward()
        grad_allreduce(params, groups["dp"], spec["dp"], rec, 0)
        start = rec.mark()
        with torch.no_grad():
            for p in params:
                p -= LR * p.grad
                p.grad = None
        rec.add("OPT", 0, start, rec.mark())
        x.grad = None

    return step, params


def tp_bytes(spec: dict) -> int:
    """One tp all-reduce: the block output of this replica's share, [b/dp, s, h] in fp32."""
    return spec["batch"] // spec["dp"] * spec["seq"] * spec["hidden"] * 4
