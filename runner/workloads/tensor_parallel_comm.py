"""How the tensor-parallel workload issues and times its all-reduces (picotron keeps a
`*_communications.py` beside each parallelism; this is ours).

- CPU (gloo): issued with async_op=True (gloo runs it on its own thread); it spans from the
  issue to its completion, taken by a callback on the work's future (the wait's return if
  that comes first or the callback never ran).
- GPU (NCCL): issued on a side stream that first waits for the compute stream; CUDA events
  recorded on that stream just before and after the collective bracket its execution
  (including waiting for the peer); the compute stream waits on the "after" event only where
  it needs the sum (right away in blocking mode, one block later in ladder mode).

`waits` holds (before, after) marks around each place the compute side waited for a sum.
"""

from __future__ import annotations

import time

import torch
import torch.distributed as dist

from runner.workloads.timing import Recorder


class GlooComm:
    """All-reduce on CPU: gloo's thread runs it; completion time from the future's callback."""

    def __init__(self, rec: Recorder) -> None:
        self.rec = rec
        self.waits: list[tuple] = []  # (before, after) marks around each wait

    def describe(self) -> str:
        return "ALLREDUCE: issue to completion (future callback on gloo's thread)"

    def compute(self, layer: int, fn) -> torch.Tensor:
        start = self.rec.mark()
        y = fn()
        self.rec.add("COMPUTE", layer, start, self.rec.mark())
        return y

    def start(self, y: torch.Tensor, layer: int):
        done: dict[str, int] = {}
        issued = self.rec.mark()
        work = dist.all_reduce(y, async_op=True)
        # runs on gloo's thread when the reduce finishes (or here, if it already has)
        work.get_future().then(lambda _: done.setdefault("t", time.perf_counter_ns()))
        return y, layer, issued, work, done

    def finish(self, pending) -> torch.Tensor:
        y, layer, issued, work, done = pending
        before = self.rec.mark()
        work.wait()
        after = self.rec.mark()
        self.rec.add("ALLREDUCE", layer, issued, min(done.get("t", after), after), "comm")
        self.waits.append((before, after))
        return y


class NcclComm(GlooComm):
    """All-reduce on GPUs: on a side stream, bracketed by CUDA events on that stream."""

    def __init__(self, rec: Recorder) -> None:
        super().__init__(rec)
        self.stream = torch.cuda.Stream()

    def describe(self) -> str:
        return "ALLREDUCE: side-stream CUDA events around the collective"

    def start(self, y: torch.Tensor, layer: int):
        current = torch.cuda.current_stream()
        self.stream.wait_stream(current)  # y is computed on the current stream
        y.record_stream(self.stream)  # the allocator must not reuse y before the reduce ends
        with torch.cuda.stream(self.stream):
            begin = self.rec.mark(self.stream)
            dist.all_reduce(y)  # not async: the side stream (not the host) waits for NCCL
            end = self.rec.mark(self.stream)
        self.rec.add("ALLREDUCE", layer, begin, end, "comm")
        return y, end

    def finish(self, pending) -> torch.Tensor:
        y, end = pending
        current = torch.cuda.current_stream()
        before = self.rec.mark(current)
        current.wait_event(end)  # the compute stream needs the sum from here on
        self.waits.append((before, self.rec.mark(current)))
        return y
