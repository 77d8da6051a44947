"""The hybrid workload's collectives, each on one axis of the device mesh.

- `f` and `g` are Megatron's conjugate operators (arXiv 1909.08053, section 3) as autograd
  functions on the **tp** group: `f` is the identity forward and an all-reduce of the input
  gradient backward; `g` is an all-reduce forward and the identity backward. An MLP block
  between them, up split by columns and down by rows, needs one all-reduce each way. They also
  mark the block's compute: F runs from f's forward to g's forward, B from g's backward to
  f's backward.
- `grad_allreduce` is data parallelism's step: the replica's gradients flattened into one
  bucket, all-reduced on the **dp** group and divided by dp (what DDP does, in one bucket and
  after the backward, the naive form: picotron's DataParallelNaive).

Every collective is blocking and timed from its call to its return; events are ALLREDUCE
(tp, stream "comm") and DP_ALLREDUCE (dp, stream "comm"); `hybrid.py` adds each event's
mesh coordinate and group.
"""

from __future__ import annotations

import torch
import torch.distributed as dist

from runner.workloads.timing import Recorder


class TPContext:
    """What f and g need: the tp group, the recorder, and the open marks of each layer."""

    def __init__(self, group, rec: Recorder) -> None:
        self.group, self.rec = group, rec
        self.open: dict[tuple[str, int], object] = {}  # (F|B, layer) → start mark

    def reduce(self, t: torch.Tensor, layer: int, direction: str) -> torch.Tensor:
        start = self.rec.mark()
        t = t.contiguous()
        dist.all_reduce(t, group=self.group)
        self.rec.add("ALLREDUCE", 0, start, self.rec.mark(), "comm", layer=layer, op=direction)
        return t


class F(torch.autograd.Function):
    """Megatron's f: identity forward (F of `layer` starts); all-reduce backward (B ends)."""

    @staticmethod
    def forward(fctx, x, tp: TPContext, layer: int):
        fctx.tp, fctx.layer = tp, layer
        tp.open["F", layer] = tp.rec.mark()
        return x.view_as(x)

    @staticmethod
    def backward(fctx, grad):
        tp, layer = fctx.tp, fctx.layer
        tp.rec.add("B", 0, tp.open.pop(("B", layer)), tp.rec.mark(), layer=layer)
        return tp.reduce(grad, layer, "backward"), None, None


class G(torch.autograd.Function):
    """Megatron's g: all-reduce forward (after F of `layer` ends); identity backward."""

    @staticmethod
    def forward(fctx, y, tp: TPContext, layer: int):
        fctx.tp, fctx.layer = tp, layer
        tp.rec.add("F", 0, tp.open.pop(("F", layer)), tp.rec.mark(), layer=layer)
        return tp.reduce(y, layer, "forward")

    @staticmethod
    def backward(fctx, grad):
        fctx.tp.open["B", fctx.layer] = fctx.tp.rec.mark()
        return grad, None, None


def grad_allreduce(params: list[torch.Tensor], group, dp: int, rec: Recorder, stage: int):
    """All-reduce the replica's gradients in one flat bucket on the dp group, average them."""
    grads = [p.grad for p in params]
    start = rec.mark()
    flat = torch.cat([g.reshape(-1) for g in grads])
    dist.all_reduce(flat, group=group)
    flat /= dp
    offset = 0
    for g in grads:
        g.copy_(flat[offset : offset + g.numel()].view_as(g))
        offset += g.numel()
    rec.add("DP_ALLREDUCE", stage, start, rec.mark(), "comm", bytes=flat.nbytes)
    return flat.nbytes
