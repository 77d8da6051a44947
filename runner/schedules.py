"""The pipeline schedules ParaLab can run, by name, and the rules torch enforces on them.

Pure Python: torch is never imported here (the app and the CLI use this module to refuse a
bad job *before* launching torchrun). `available(torch)` takes the torch module as an argument.

Schedules (p = ranks = pipeline depth, m = micro-batches):

- ``naive``: the baseline. The model is split by layers, but there are no micro-batches: the
  whole batch goes forward through stage 0, then stage 1, ..., then backward in reverse. Only
  one rank computes at a time; the others wait. Hand-written with plain send/recv.
- ``GPipe`` (arXiv 1811.06965): all m forwards, then all m backwards (fill, drain). Every rank
  holds the activations of all m micro-batches at the peak.
- ``1F1B`` (PipeDream-Flush, arXiv 1806.03377; Megatron, arXiv 2104.04473): three phases.
  1. Warmup: rank r runs p−r forwards. 2. Steady: one backward, one forward, alternating.
  3. Cooldown: the remaining backwards. A rank holds at most p micro-batches' activations.
- ``Interleaved1F1B`` (Megatron, arXiv 2104.04473): 1F1B with v stages per rank placed
  round-robin (rank r holds stages r, r+p, ...); the bubble shrinks by v.
- ``LoopedBFS`` (arXiv 2211.05953): looped placement, breadth first over micro-batches.
- ``InterleavedZeroBubble`` (Zero Bubble, arXiv 2401.10241): backward split into I (gradient
  of the input, on the critical path) and W (gradient of the weights, used to fill bubbles).
- ``ZBVZeroBubble`` (arXiv 2401.10241, section 6): zero bubble with V placement: rank r holds
  stages r and 2p−1−r.
- ``DualPipeV`` (DeepSeek-V3, arXiv 2412.19437): V placement, I/W split, forward and backward
  of different micro-batches overlapped.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ScheduleInfo:
    """What ParaLab needs to know about one schedule."""

    name: str
    """Name as the CLI and `get_schedule_class` spell it."""
    torch_class: str | None
    """Class in torch.distributed.pipelining.schedules; None for the hand-written baseline."""
    stages_per_rank: int
    """Stage modules held by each rank (1: single-stage; 2: looped or V placement)."""
    placement: str
    """'single' (rank r holds stage r), 'loop' (r, r+p, ...) or 'v' (r and 2p−1−r)."""
    split_backward: bool
    """True when backward runs as I (input grads) and W (weight grads) instead of one B."""
    paper: str
    """Where the schedule comes from."""


CATALOGUE: dict[str, ScheduleInfo] = {
    s.name: s
    for s in (
        ScheduleInfo("naive", None, 1, "single", False, "layer split, no micro-batches"),
        ScheduleInfo("GPipe", "ScheduleGPipe", 1, "single", False, "arXiv 1811.06965"),
        ScheduleInfo("1F1B", "Schedule1F1B", 1, "single", False, "arXiv 1806.03377"),
        ScheduleInfo(
            "Interleaved1F1B", "ScheduleInterleaved1F1B", 2, "loop", False, "arXiv 2104.04473"
        ),
        ScheduleInfo("LoopedBFS", "ScheduleLoopedBFS", 2, "loop", False, "arXiv 2211.05953"),
        ScheduleInfo(
            "InterleavedZeroBubble",
            "ScheduleInterleavedZeroBubble",
            2,
            "loop",
            True,
            "arXiv 2401.10241",
        ),
        ScheduleInfo("ZBVZeroBubble", "ScheduleZBVZeroBubble", 2, "v", True, "arXiv 2401.10241"),
        ScheduleInfo("DualPipeV", "ScheduleDualPipeV", 2, "v", True, "arXiv 2412.19437"),
    )
}

NAMES: list[str] = list(CATALOGUE)


def info(schedule: str) -> ScheduleInfo:
    """The catalogue entry for `schedule`; raises KeyError with the known names."""
    try:
        return CATALOGUE[schedule]
    except KeyError:
        raise KeyError(f"unknown schedule {schedule!r}; known: {', '.join(NAMES)}") from None


def available(torch_module: Any) -> list[str]:
    """Schedule names this torch can run: the baseline always, the others if the class exists."""
    mod = _schedules_module(torch_module)
    return [
        s.name
        for s in CATALOGUE.values()
        if s.torch_class is None or (mod is not None and hasattr(mod, s.torch_class))
    ]


def _schedules_module(torch_module: Any) -> Any:
    try:
        return torch_module.distributed.pipelining.schedules
    except AttributeError:
        pass
    try:
        import importlib

        return importlib.import_module(f"{torch_module.__name__}.distributed.pipelining.schedules")
    except (ImportError, AttributeError):
        return None


def stage_indices(schedule: str, rank: int, ranks: int) -> list[int]:
    """Global stage indices held by `rank`, in the order the schedule expects them."""
    s = info(schedule)
    if s.placement == "single":
        return [rank]
    if s.placement == "v":
        return [rank, 2 * ranks - 1 - rank]
    return [rank + k * ranks for k in range(s.stages_per_rank)]


def check(schedule: str, ranks: int, microbatches: int) -> str | None:
    """One-line reason torch (2.8 to 2.13) would refuse this shape, or None when it runs.

    Rules found by reading torch/distributed/pipelining/schedules.py and by constructing each
    class for p = 2..4, m = 1..12.
    """
    if schedule not in CATALOGUE:
        return f"unknown schedule {schedule!r}; known: {', '.join(NAMES)}"
    if ranks < 2:
        return f"a pipeline needs at least 2 ranks, got {ranks}"
    if microbatches < 1:
        return f"microbatches must be at least 1, got {microbatches}"
    p, m = ranks, microbatches
    if schedule == "naive" and m != 1:
        return f"naive runs the whole batch at once: microbatches must be 1, got {m}"
    if schedule == "1F1B" and m < p:
        return f"1F1B needs microbatches >= ranks ({p}), got {m}"
    if schedule in ("Interleaved1F1B", "InterleavedZeroBubble"):
        rounds = max(1, m // p)
        if m % rounds:
            return (
                f"{schedule} needs microbatches to be a multiple of max(1, m // ranks) = "
                f"{rounds} rounds, got {m} (try a multiple of {p}, or m <= {p})"
            )
    if schedule == "DualPipeV" and m < 2 * p:
        return f"DualPipeV needs microbatches >= stages (2 x {p} = {2 * p}), got {m}"
    return None


GLOO_V_MIN_TORCH = (2, 13)
"""Oldest torch seen to run V schedules on gloo. With torch 2.11, the V schedules' first step
sends between the two stages one rank holds (stage p−1 to stage p) through the process group,
and gloo has no connection from a rank to itself ("Pair is not connected"); 2.13 runs them.
NCCL can send to itself, so GPUs are not affected."""


def _version(text: str) -> tuple[int, int]:
    parts = text.split("+")[0].split(".")
    try:
        return int(parts[0]), int(parts[1])
    except (IndexError, ValueError):
        return (0, 0)


def backend_problem(schedule: str, device: str, torch_version: str) -> str | None:
    """One-line reason this schedule cannot run on `device` with this torch, or None."""
    if device != "cpu" or schedule not in CATALOGUE or info(schedule).placement != "v":
        return None
    if _version(torch_version) >= GLOO_V_MIN_TORCH:
        return None
    need = ".".join(map(str, GLOO_V_MIN_TORCH))
    return (
        f"{schedule} on CPU (gloo) needs torch {need} or later: torch {torch_version} sends "
        "between the two stages of one rank through gloo, which cannot send to itself"
    )


def bubble_warning(schedule: str, ranks: int, microbatches: int) -> str | None:
    """A warning where the choice is known to leave a large bubble (m < p)."""
    if schedule != "naive" and microbatches < ranks:
        return (
            f"{microbatches} micro-batches for {ranks} ranks: some ranks idle for most of the "
            "step (expect a large bubble)"
        )
    return None
