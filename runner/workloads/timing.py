"""Clocks, event recording and activation accounting for the pipeline and TP workloads.

Runs inside torchrun ranks: torch and stdlib only.

- `Recorder` times spans. CPU: `time.perf_counter_ns()` (CLOCK_MONOTONIC, one clock per
  host); the zero of each iteration is rank 0's reading after a barrier, broadcast to all
  ranks (on CPU all ranks share one host). GPU: CUDA events on the current stream, converted
  with `elapsed_time` from an anchor event recorded right after barrier + synchronize; ranks
  line up within the barrier's skew.
- `ActivationMeter` counts the bytes autograd saves for backward
  (`torch.autograd.graph.saved_tensors_hooks`) per (stage, micro-batch), from its forward
  until its backward (B, or W for split schedules) has run, and keeps the running peak.
"""

from __future__ import annotations

import time
from collections import defaultdict
from contextlib import contextmanager

import torch
import torch.distributed as dist


class Recorder:
    """Collects events of the measured iterations; a no-op while `active` is False."""

    def __init__(self, rank: int, device: torch.device, barrier) -> None:
        self.rank = rank  # this process's rank in the pipeline group
        self.cuda = device.type == "cuda"  # CUDA events instead of host clock
        self.device = device
        self.barrier = barrier  # callable: a barrier on the pipeline group
        self.active = False
        self.iteration = -1
        self.events: list[dict] = []
        self._pending: list[tuple[dict, object, object, dict]] = []
        self._zero: object = None

    def now(self):
        if self.cuda:
            ev = torch.cuda.Event(enable_timing=True)
            ev.record()
            return ev
        return time.perf_counter_ns()

    def mark(self, stream=None):
        """A time mark: a CUDA event recorded on ``stream`` (default: current), else ns."""
        if not self.cuda:
            return time.perf_counter_ns()
        ev = torch.cuda.Event(enable_timing=True)
        ev.record(stream)
        return ev

    def add(
        self,
        kind: str,
        stage: int,
        start,
        end,
        stream: str = "compute",
        microbatch=None,
        *,
        at: dict | None = None,
        **fields,
    ) -> None:
        """Record a span between two marks taken by ``mark`` (events on any CUDA stream);
        ``fields`` are extra keys of the event (e.g. `op`, `tokens`, `group`); `at` adds keys
        whose values are marks, resolved to µs like the span's ends (`grads_ready_us`)."""
        if not self.active:
            return
        ev = {
            "rank": self.rank,
            "stage": stage,
            "kind": kind,
            "microbatch": microbatch,
            "iteration": self.iteration,
            "stream": stream,
            **fields,
        }
        self._pending.append((ev, start, end, at or {}))

    def elapsed_us(self, start, end) -> float:
        """µs between two marks; on GPUs only once both events have completed."""
        if self.cuda:
            return start.elapsed_time(end) * 1000.0
        return (end - start) / 1000.0

    def start_iteration(self, iteration: int) -> None:
        """Barrier, then take this iteration's zero (see module docstring)."""
        self.iteration = iteration
        self.barrier()
        if self.cuda:
            torch.cuda.synchronize()
            self._zero = self.now()
        else:
            t0 = torch.tensor([time.perf_counter_ns()], dtype=torch.int64)
            dist.broadcast(t0, src=0)  # all ranks on one host: one CLOCK_MONOTONIC
            self._zero = int(t0.item())

    def end_iteration(self) -> None:
        """Resolve this iteration's spans into microseconds from its zero."""
        if self.cuda:
            torch.cuda.synchronize()
        for ev, start, end, at in self._pending:
            ev["start_us"] = round(self._us(start), 3)
            ev["end_us"] = round(self._us(end), 3)
            ev.update({name: round(self._us(mark), 3) for name, mark in at.items()})
            self.events.append(ev)
        self._pending.clear()

    def _us(self, mark) -> float:
        if self.cuda:
            return self._zero.elapsed_time(mark) * 1000.0  # ms -> us
        return (mark - self._zero) / 1000.0  # ns -> us

    @contextmanager
    def span(self, kind: str, stage: int, microbatch: int | None, stream: str = "compute"):
        """Time the body as one event of `kind` on `stage` for `microbatch`."""
        if not self.active:
            yield
            return
        start = self.now()
        try:
            yield
        finally:
            self.add(kind, stage, start, self.now(), stream=stream, microbatch=microbatch)


class ActivationMeter:
    """Peak bytes held for backward, per rank (see module docstring)."""

    def __init__(self, params) -> None:
        # parameters (and views of them, e.g. weight.t()) are not activations
        self._param_ptrs = {p.data_ptr() for p in params}
        self.held: dict[tuple[int, int], int] = defaultdict(int)
        self.total = 0
        self.peak = 0

    @contextmanager
    def saving(self, stage: int, microbatch: int):
        """Count what autograd saves inside the body as (stage, microbatch)'s activations."""
        seen: set[tuple[int, int]] = set()
        key = (stage, microbatch)

        def pack(t: torch.Tensor) -> torch.Tensor:
            ident = (t.data_ptr(), t.nbytes)  # a reshaped view of a saved tensor counts once
            if t.data_ptr() not in self._param_ptrs and ident not in seen:
                seen.add(ident)
                self.held[key] += t.nbytes
                self.total += t.nbytes
                self.peak = max(self.peak, self.total)
            return t

        with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
            yield

    def release(self, stage: int, microbatch: int) -> None:
        """The backward of (stage, microbatch) has run: its saved tensors are freed."""
        self.total -= self.held.pop((stage, microbatch), 0)

    def reset_peak(self) -> None:
        self.peak = self.total
