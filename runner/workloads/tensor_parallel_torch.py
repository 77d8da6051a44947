"""The blocking TP model sharded by torch's own API instead of by hand.

`parallelize_module(block, mesh, {"up": ColwiseParallel(), "down": RowwiseParallel()})` over
a 1-D mesh from `init_device_mesh` turns each block's weights into DTensors: `up` sharded by
output features (Megatron's `f`), `down` by input features (Megatron's `g`, whose Partial
output is all-reduced to Replicate in RowwiseParallel's output hook). The full weights are
the concatenation of the hand-written mode's shards (tp_model.build_shards for every rank),
so this mode computes exactly what `blocking` computes, and its output is checked against the
same one-process reference.

Timing: forward hooks registered *before* parallelize_module run before torch's output hook
(the all-reduce), hooks registered after run after it, so each block gives COMPUTE (block
start → matmuls done) and ALLREDUCE (→ the reduced output is ready; an AsyncCollectiveTensor
is waited for there, where the residual add would need it anyway).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from runner.workloads import common, tp_model
from runner.workloads.timing import Recorder


class Block(nn.Module):
    """One MLP block: [b, s, h] → up [b, s, 4h] → GELU → down [b, s, h] (no biases)."""

    def __init__(self, up: torch.Tensor, down: torch.Tensor) -> None:
        super().__init__()
        self.up = nn.Linear(up.shape[1], up.shape[0], bias=False)
        self.down = nn.Linear(down.shape[1], down.shape[0], bias=False)
        with torch.no_grad():
            self.up.weight.copy_(up)
            self.down.weight.copy_(down)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.down(F.gelu(self.up(x)))


class HookComm:
    """The marks the hooks take, shaped like tensor_parallel_comm's classes (`waits`)."""

    def __init__(self) -> None:
        self.waits: list[tuple] = []

    def describe(self) -> str:
        return "ALLREDUCE: RowwiseParallel's output hook, to the reduced output being ready"


def full_weights(spec: dict, world: int, device, dtype) -> list[tuple[torch.Tensor, torch.Tensor]]:
    """[(A [4h, h], B [h, 4h])] per layer: every rank's hand-written shards, concatenated."""
    per_rank = [
        tp_model.build_shards(spec["layers"], spec["hidden"], r, world, device, dtype)
        for r in range(world)
    ]
    return [
        (torch.cat([s[i].up for s in per_rank], 0), torch.cat([s[i].down for s in per_rank], 1))
        for i in range(spec["layers"])
    ]


def torch_tp(spec: dict, ctx: common.RankContext, rec: Recorder, x: torch.Tensor):
    """(step, comm, error_fn) for the torch_tp mode."""
    from torch.distributed.device_mesh import init_device_mesh
    from torch.distributed.tensor.parallel import (
        ColwiseParallel,
        RowwiseParallel,
        parallelize_module,
    )

    dtype = x.dtype
    full = full_weights(spec, ctx.world, ctx.device, dtype)
    mesh = init_device_mesh(ctx.device.type, (ctx.world,), mesh_dim_names=("tp",))
    comm = HookComm()
    blocks = []
    for layer, (up, down) in enumerate(full):
        block = Block(up, down).to(ctx.device, dtype)
        marks = _time_block(block, layer, rec)
        parallelize_module(block, mesh, {"up": ColwiseParallel(), "down": RowwiseParallel()})
        block.down.register_forward_hook(_allreduce_done(layer, rec, comm, marks))
        blocks.append(block)
    result: list[torch.Tensor] = []

    def step() -> None:
        h = x
        for block in blocks:
            h = h + block(h)
        result[:] = [h]

    def error() -> float | None:
        if ctx.rank != 0:
            return None
        ref = tp_model.reference(x.float(), [(a.float(), b.float()) for a, b in full], False)
        return float((result[0].float() - ref).abs().max())

    return step, comm, error


def _time_block(block: Block, layer: int, rec: Recorder) -> dict:
    """Hooks that run before torch's: the block's start, and its matmuls done."""
    marks: dict[str, object] = {}

    def started(_module, _inputs) -> None:
        marks["start"] = rec.mark()

    def computed(_module, _inputs, _output) -> None:
        marks["computed"] = rec.mark()
        rec.add("COMPUTE", layer, marks["start"], marks["computed"])

    block.register_forward_pre_hook(started)
    block.down.register_forward_hook(computed)
    return marks


def _allreduce_done(layer: int, rec: Recorder, comm: HookComm, marks: dict):
    """A hook that runs after torch's output hook: the reduced output is ready."""

    def hook(_module, _inputs, output):
        wait = getattr(output, "wait", None)
        if callable(wait):  # an AsyncCollectiveTensor: the all-reduce may still be running
            output = wait()
        done = rec.mark()
        computed = marks["computed"]
        rec.add("ALLREDUCE", layer, computed, done, "comm")
        comm.waits.append((computed, done))
        return output

    return hook
