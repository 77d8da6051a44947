"""How the FSDP workload times the collectives that sharding costs.

FSDP2 (`fully_shard`, Zhao et al. 2023, arXiv 2304.11277) lets a module replace its
all-gather and reduce-scatter (`FSDPModule.set_custom_all_gather` /
`set_custom_reduce_scatter`); ours are torch's defaults with a clock around them:

- ALLGATHER (stream "comm", stage = block): the block's parameter shards gathered into
  whole parameters before its forward (and, for ZeRO-3, again before its backward);
- REDUCE_SCATTER (stream "comm", stage = block): the block's gradients summed over the
  ranks, each rank keeping its own shard, after its backward.

Each event spans from the issue to completion (a callback on the work's future when FSDP
issues it asynchronously, else the call's return), with `bytes` = the gathered (or
reduced) full size.
"""

from __future__ import annotations

import time

from torch.distributed.fsdp._fully_shard._fsdp_collectives import (
    DefaultAllGather,
    DefaultReduceScatter,
)


class _Timed:
    def __init__(self, rec, layer: int, kind: str) -> None:
        self.rec = rec
        self.layer = layer
        self.kind = kind
        self.pending: list[tuple] = []  # (issued, box, bytes), resolved by `flush`

    def _track(self, work, issued, nbytes: int):
        box: dict = {}
        if work is None:
            box["end"] = self.rec.mark()
        else:
            stamp = self.rec.mark if self.rec.cuda else time.perf_counter_ns
            work.get_future().then(lambda f: box.setdefault("end", stamp()))
        self.pending.append((issued, box, nbytes))
        return work

    def flush(self) -> None:
        """After the step: every collective of this block has completed; record them."""
        for issued, box, nbytes in self.pending:
            end = box.get("end") or self.rec.mark()
            extra = {"bytes": int(nbytes)}
            self.rec.add(self.kind, self.layer, issued, end, "comm", **extra)
        self.pending.clear()


class TimedAllGather(_Timed, DefaultAllGather):
    def __init__(self, rec, layer: int) -> None:
        _Timed.__init__(self, rec, layer, "ALLGATHER")

    def __call__(self, output_tensor, input_tensor, group, async_op=False):
        issued = self.rec.mark()
        work = DefaultAllGather.__call__(self, output_tensor, input_tensor, group, async_op)
        return self._track(work, issued, output_tensor.nbytes)


class TimedReduceScatter(_Timed, DefaultReduceScatter):
    def __init__(self, rec, layer: int) -> None:
        _Timed.__init__(self, rec, layer, "REDUCE_SCATTER")

    def __call__(self, output_tensor, input_tensor, group, op, async_op=False):
        issued = self.rec.mark()
        work = DefaultReduceScatter.__call__(self, output_tensor, input_tensor, group, op, async_op)
        return self._track(work, issued, input_tensor.nbytes)


def timed_collectives(blocks, rec) -> list[_Timed]:
    """Install timed all-gather and reduce-scatter on every FSDP block; return them."""
    comms: list[_Timed] = []
    for i, block in enumerate(blocks):
        gather, scatter = TimedAllGather(rec, i), TimedReduceScatter(rec, i)
        block.set_custom_all_gather(gather)
        block.set_custom_reduce_scatter(scatter)
        comms += [gather, scatter]
    return comms
