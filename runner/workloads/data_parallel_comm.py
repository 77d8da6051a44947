"""How the data-parallel workload moves gradients, and how each transfer is timed.

Three ways, from the naive one to DDP's (picotron keeps a `*_communications.py` beside each
parallelism; this is ours):

- `naive_allreduce`: after backward, all-reduce every gradient by hand, one at a time, each
  blocking (picotron's DataParallelNaive): every byte of communication is exposed.
- `flat_allreduce`: backward under DDP's `no_sync()` (no communication), then the gradients
  flattened into one buffer and all-reduced once: one big transfer, still after backward.
- `BucketHook`: DDP's own buckets (Li et al. 2020, arXiv 2006.15704, section 3.2): DDP calls
  the comm hook as soon as every gradient of a bucket is accumulated; the hook all-reduces
  the bucket asynchronously (gloo's thread, or NCCL's stream), so the all-reduce of bucket k
  runs while backward computes the gradients of bucket k+1 (`register_comm_hook`).

Every transfer is an ALLREDUCE event on stream "comm" with `bucket` (index), `bytes`,
`layers` (blocks with a gradient in it) and `grads_ready_us` (when its last gradient was
accumulated, from the LayerTimer's marks). CPU: from the issue to completion, taken by a
callback on the work's future. GPU: CUDA events on the issuing stream and in the future's
callback (which runs on a stream that waits for the collective).
"""

from __future__ import annotations

import time

import torch
import torch.distributed as dist
from torch._utils import _flatten_dense_tensors, _unflatten_dense_tensors


class Transfers:
    """Times all-reduces on the Recorder `rec`, with the LayerTimer's gradient marks."""

    def __init__(self, rec, timer) -> None:
        self.rec = rec
        self.timer = timer  # dp_model.LayerTimer: ready marks and block of every parameter
        self.cuda = rec.cuda

    def _done_mark(self, fut, box: dict) -> None:
        def stamp(f):
            box["end"] = self.rec.mark() if self.cuda else time.perf_counter_ns()
            return f.value()

        return fut.then(stamp)

    def record(self, bucket: int, params, nbytes: int, issued, end) -> None:
        layers = sorted({self.timer.layer_of[id(p)] for p in params})
        ready = [self.timer.ready[id(p)] for p in params if id(p) in self.timer.ready]
        extra = {"bucket": bucket, "bytes": int(nbytes), "layers": layers}
        at = {"grads_ready_us": max(ready, key=lambda r: r[0])[1]} if ready else {}
        self.rec.add("ALLREDUCE", layers[0], issued, end, "comm", at=at, **extra)

    def blocking(self, bucket: int, tensor: torch.Tensor, params) -> None:
        issued = self.rec.mark()
        dist.all_reduce(tensor)
        self.record(bucket, params, tensor.nbytes, issued, self.rec.mark())


def naive_allreduce(model, transfers: Transfers, world: int) -> None:
    """Each gradient on its own, in the order backward produced them (last block first)."""
    params = [p for p in model.parameters() if p.grad is not None][::-1]
    for i, p in enumerate(params):
        transfers.blocking(i, p.grad, [p])
        p.grad.div_(world)


def flat_allreduce(model, transfers: Transfers, world: int) -> None:
    """Every gradient in one flat buffer, one all-reduce, copied back."""
    params = [p for p in model.parameters() if p.grad is not None]
    flat = _flatten_dense_tensors([p.grad for p in params])
    transfers.blocking(0, flat, params)
    flat.div_(world)
    for p, g in zip(params, _unflatten_dense_tensors(flat, [p.grad for p in params]), strict=True):
        p.grad.copy_(g)


class BucketHook:
    """DDP comm hook: average one bucket asynchronously, record its ALLREDUCE event."""

    def __init__(self, transfers: Transfers, world: int) -> None:
        self.transfers = transfers
        self.world = world
        self.pending: list[tuple] = []  # (bucket, params, bytes, issued, box) of this step

    def allreduce(self, state, bucket):  # no annotations: DDP checks them; ours are strings
        issued = self.transfers.rec.mark()
        buffer = bucket.buffer()  # [numel]: the bucket's gradients, flat (bucket views)
        buffer.div_(self.world)
        box: dict = {}
        fut = dist.all_reduce(buffer, async_op=True).get_future()
        self.pending.append((bucket.index(), list(bucket.parameters()), buffer.nbytes, issued, box))
        return self.transfers._done_mark(fut, box).then(lambda f: f.value()[0])

    def flush(self) -> None:
        """After backward (DDP has waited for every bucket): record this step's buckets."""
        for index, params, nbytes, issued, box in self.pending:
            end = box.get("end") or self.transfers.rec.mark()
            self.transfers.record(index, params, nbytes, issued, end)
        self.pending.clear()
