"""Job specs: what one lab run asks for, checked at the edge before anything is launched.

A `JobSpec` is the typed form of a lab preset or a command line. Checks that need no context
(ranges, divisibility) run in `__post_init__`; checks that depend on the machine and on the
installed torch (which schedules exist, how many GPUs, how much memory) run in `validate`,
which takes that context as arguments so it stays pure and testable (no torch import here).
Every refusal is a `SpecError` whose `str()` is one line, `FIELD: message`.

    >>> spec = from_mapping({"schedule": "1F1B", "stages": 2, "microbatches": 4})
    >>> validate(spec, schedules=["GPipe", "1F1B"], gpus=0).device
    'cpu'
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Callable, Mapping
from typing import Any

# CPU-sized defaults: big enough that compute dominates the p2p gaps on gloo, small enough
# that a 2-rank run on a shared 2-core box finishes in seconds. The workload owner tunes these.
DEFAULT_HIDDEN = 512
DEFAULT_LAYERS_PER_STAGE = 4
DEFAULT_BATCH = 32
DEFAULT_SEQ = 32
DEFAULT_ITERATIONS = 3
DEFAULT_WARMUP = 1

WORKLOADS = ("pipeline",)
DEVICES = ("auto", "cpu", "cuda")
NAIVE = "naive"
MAX_CPU_RANKS = 4
MAX_MICROBATCHES = 256
MAX_ITERATIONS = 20
MAX_WARMUP = 10
CPU_RANK_BUDGET_BYTES = 4 * 1024**3
KEY_VERSION = 1  # bump when the workload's output changes meaning, to invalidate the cache


class SpecError(ValueError):
    """A refused spec; `field` names the offending field, `str()` is `FIELD: message`."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclasses.dataclass(frozen=True)
class JobSpec:
    """One pipeline-parallel lab run: the model shape, the schedule and where it runs."""

    workload: str = "pipeline"
    """Which program the ranks run; only `pipeline` exists (the naive baseline is a schedule)."""
    schedule: str = "1F1B"
    """Schedule name from torch.distributed.pipelining (GPipe, 1F1B, ...) or `naive`."""
    stages: int = 2
    """Pipeline depth p = number of ranks; one stage per rank for single-stage schedules."""
    microbatches: int = 4
    """m: how many pieces the batch is split into; more micro-batches shrink the bubble."""
    hidden: int = DEFAULT_HIDDEN
    """Width of each layer; sets compute per micro-batch so timings are not all overhead."""
    layers_per_stage: int = DEFAULT_LAYERS_PER_STAGE
    """Layers in each stage; more layers make each F/B longer relative to communication."""
    batch: int = DEFAULT_BATCH
    """Samples per step, split evenly into micro-batches (must be divisible by m)."""
    seq: int = DEFAULT_SEQ
    """Tokens per sample; scales activation size and compute like batch does."""
    iterations: int = DEFAULT_ITERATIONS
    """Measured steps recorded in the trace; few, because the chart shows one step anyway."""
    warmup: int = DEFAULT_WARMUP
    """Unrecorded steps first, so shape inference and communicator set-up stay out of events."""
    device: str = "auto"
    """`cpu` (gloo processes), `cuda` (NCCL, one GPU per rank) or `auto` (cuda if enough GPUs)."""

    def __post_init__(self) -> None:
        _one_of("workload", self.workload, WORKLOADS)
        _one_of("device", self.device, DEVICES)
        if not isinstance(self.schedule, str) or not self.schedule.strip():
            raise SpecError("schedule", "must be a schedule name")
        _in_range("stages", self.stages, 2, None, "a pipeline needs at least 2 stages")
        _in_range("microbatches", self.microbatches, 1, MAX_MICROBATCHES)
        for name in ("hidden", "layers_per_stage", "batch", "seq"):
            _in_range(name, getattr(self, name), 1, None)
        _in_range("iterations", self.iterations, 1, MAX_ITERATIONS)
        _in_range("warmup", self.warmup, 0, MAX_WARMUP)
        if self.batch % self.microbatches:
            raise SpecError(
                "batch",
                f"{self.batch} is not divisible by microbatches={self.microbatches}; "
                "each micro-batch must have the same size",
            )
        if self.schedule.lower() == NAIVE and self.microbatches != 1:
            raise SpecError(
                "microbatches",
                f"the naive schedule runs the whole batch at once; use 1, not {self.microbatches}",
            )

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    def key(self, torch_version: str, device: str) -> str:
        """Stable cache key: sha256 of canonical JSON of spec + torch version + device."""
        payload = {**self.to_dict(), "device": device}
        doc = {"key_version": KEY_VERSION, "spec": payload, "torch": torch_version}
        canonical = json.dumps(doc, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(canonical.encode()).hexdigest()


def _one_of(field: str, value: object, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise SpecError(field, f"{value!r} is not one of {', '.join(allowed)}")


def _in_range(field: str, value: object, lo: int, hi: int | None, why: str = "") -> None:
    if not isinstance(value, int) or isinstance(value, bool):
        raise SpecError(field, f"must be an integer, got {value!r}")
    if value < lo or (hi is not None and value > hi):
        bounds = f"between {lo} and {hi}" if hi is not None else f"at least {lo}"
        raise SpecError(field, f"must be {bounds}, got {value}" + (f" ({why})" if why else ""))


_FIELD_TYPES = {f.name: (str if f.type == "str" else int) for f in dataclasses.fields(JobSpec)}


def from_mapping(data: Mapping[str, Any]) -> JobSpec:
    """Build a spec from a lesson preset or JSON; unknown keys and wrong types name the field."""
    if not isinstance(data, Mapping):
        raise SpecError("spec", f"must be a mapping, got {type(data).__name__}")
    for name, value in data.items():
        if name not in _FIELD_TYPES:
            raise SpecError(str(name), f"unknown field; known: {', '.join(_FIELD_TYPES)}")
        want = _FIELD_TYPES[name]
        if not isinstance(value, want) or isinstance(value, bool):
            raise SpecError(name, f"must be {want.__name__}, got {type(value).__name__}")
    return JobSpec(**data)


def estimate_bytes_per_rank(spec: JobSpec) -> int:
    """Rough fp32 footprint of one rank: weights, grads and optimizer state, plus activations.

    A layer is taken as an MLP block h -> 4h -> h (8h^2 weights); activations kept for the
    backward are ~10 tensors of (batch/m, seq, h) per layer (the 4h hidden counts 4x), and in
    the worst schedule (GPipe) all m micro-batches are in flight at once.
    """
    params = spec.layers_per_stage * 8 * spec.hidden * spec.hidden
    weight_bytes = params * 4 * 4  # weights + grads + two optimizer moments
    micro = spec.batch // spec.microbatches
    act_bytes = spec.layers_per_stage * 10 * micro * spec.seq * spec.hidden * 4
    return weight_bytes + act_bytes * spec.microbatches


def validate(
    spec: JobSpec,
    *,
    schedules: list[str],
    gpus: int,
    check: Callable[[str, int, int], str | None] | None = None,
    gpu_free_bytes: int | None = None,
    torch_version: str | None = None,
) -> JobSpec:
    """Check `spec` against this machine; return it with its schedule and device resolved.

    `schedules`: names the installed torch offers (`naive` is always available);
    `gpus`: CUDA devices visible; `check(schedule, ranks, microbatches)`: the schedule's own
    refusal reason or None; `gpu_free_bytes`: free memory of the smallest GPU, if known;
    `torch_version`: the installed torch, for schedules a backend cannot run on it.
    """
    schedule = _resolve_schedule(spec.schedule, schedules)
    device = spec.device
    if device == "auto":
        device = "cuda" if gpus >= spec.stages else "cpu"
    if device == "cpu" and spec.stages > MAX_CPU_RANKS:
        raise SpecError(
            "stages", f"at most {MAX_CPU_RANKS} ranks on CPU (one process each), got {spec.stages}"
        )
    if device == "cuda" and gpus < 1:
        raise SpecError("device", "cuda was asked for but no GPU is visible; use cpu or auto")
    if device == "cuda" and spec.stages > gpus:
        raise SpecError(
            "stages", f"{spec.stages} ranks need {spec.stages} GPUs, only {gpus} visible"
        )
    if check is not None and schedule != NAIVE:
        reason = check(schedule, spec.stages, spec.microbatches)
        if reason:  # the schedule's rules are about how many micro-batches p ranks need
            raise SpecError("microbatches", reason)
    if torch_version is not None:
        from runner.schedules import backend_problem

        problem = backend_problem(schedule, device, torch_version)
        if problem:
            raise SpecError("schedule", problem)
    _check_memory(spec, device, gpu_free_bytes)
    return dataclasses.replace(spec, schedule=schedule, device=device)


def _resolve_schedule(name: str, schedules: list[str]) -> str:
    available = [NAIVE, *[s for s in schedules if s.lower() != NAIVE]]
    for candidate in available:
        if candidate.lower() == name.lower():
            return candidate
    raise SpecError(
        "schedule", f"{name!r} is not available here; available: {', '.join(available)}"
    )


def _check_memory(spec: JobSpec, device: str, gpu_free_bytes: int | None) -> None:
    budget = CPU_RANK_BUDGET_BYTES if device == "cpu" else gpu_free_bytes
    if budget is None:
        return
    need = estimate_bytes_per_rank(spec)
    if need > budget:
        raise SpecError(
            "hidden",
            f"about {need / 2**30:.1f} GiB per rank would not fit in {budget / 2**30:.1f} GiB "
            f"on {device}; lower hidden, layers_per_stage, batch or seq",
        )
