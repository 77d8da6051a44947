"""The pipeline-parallel job: p ranks train a stack of MLP blocks cut into stages.

>>> spec = PipelineSpec(schedule="GPipe", pp=2, microbatches=4)
>>> spec.ranks, spec.describe()
(2, 'GPipe · 2 stages · 4 micro-batches')
"""

from __future__ import annotations

import dataclasses
from typing import ClassVar

from runner import schedules as catalogue
from runner.specs.base import BaseSpec, Machine, SpecError, param

NAIVE = "naive"
MAX_MICROBATCHES = 256


@dataclasses.dataclass(frozen=True)
class PipelineSpec(BaseSpec):
    """One pipeline-parallel run: the model shape, the schedule and the depth."""

    workload: ClassVar[str] = "pipeline"
    ALIASES: ClassVar[dict[str, str]] = {"stages": "pp"}

    dtype: str = param("float32", "parameter and activation dtype", choices=("float32",))
    schedule: str = param("1F1B", "schedule from torch.distributed.pipelining (GPipe, 1F1B, "
                          "...) or naive, the layer split without micro-batches")  # fmt: skip
    pp: int = param(2, "pipeline depth p = number of ranks (also accepted as `stages`)",
                    lo=2, hi=64)  # fmt: skip
    microbatches: int = param(4, "m: pieces the batch is split into; more shrink the bubble",
                              lo=1, hi=MAX_MICROBATCHES)  # fmt: skip
    # 256: a 2-rank CPU run reaches its trace in ~1.4 s instead of ~3.3 s at 512 (16-core
    # host), with F still 100-170× one activation transfer, the lab's prediction as close to
    # the measured bubble (0.002-0.009) and the textbook a little further (0.03-0.05 against
    # 0.025-0.041 at 512): bench/bench_lab_size.py, bench/README.md
    hidden: int = param(256, "width of each layer: sets compute per micro-batch so timings "
                        "are not all overhead", lo=8, hi=16384)  # fmt: skip
    layers_per_stage: int = param(4, "layers in each stage", lo=1, hi=64)
    batch: int = param(32, "samples per step, split evenly into micro-batches", lo=1, hi=4096)
    seq: int = param(32, "tokens per sample", lo=1, hi=8192)

    def check(self) -> None:
        if not self.schedule.strip():
            raise SpecError("schedule", "must be a schedule name")
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

    @property
    def stages(self) -> int:
        """The lessons' word for the pipeline depth (trace v1 calls it `stages`)."""
        return self.pp

    def describe(self) -> str:
        m = self.microbatches
        return f"{self.schedule} · {self.pp} stages · {m} micro-batch{'es' if m != 1 else ''}"

    def estimate_bytes_per_rank(self) -> int:
        """fp32 weights + grads + two Adam moments of an MLP stage (8h² per layer), plus the
        ~10 activation tensors of (batch/m, seq, h) per layer kept for backward, for all m
        micro-batches at once (GPipe, the worst schedule)."""
        params = self.layers_per_stage * 8 * self.hidden * self.hidden
        micro = self.batch // self.microbatches
        act = self.layers_per_stage * 10 * micro * self.seq * self.hidden * 4
        return params * 4 * 4 + act * self.microbatches

    def machine_check(self, machine: Machine, device: str) -> dict[str, str]:
        schedule = resolve_schedule(self.schedule, machine.schedules)
        if schedule != NAIVE:
            reason = catalogue.check(schedule, self.pp, self.microbatches)
            if reason:  # the schedule's rules are about how many micro-batches p ranks need
                raise SpecError("microbatches", reason)
        problem = catalogue.backend_problem(schedule, device, machine.torch)
        if problem:
            raise SpecError("schedule", problem)
        return {"schedule": schedule}  # the canonical spelling, e.g. gpipe → GPipe


def resolve_schedule(name: str, schedules: tuple[str, ...] | list[str]) -> str:
    """The canonical name of `name` among the schedules this torch offers (naive always)."""
    available = [NAIVE, *[s for s in schedules if s.lower() != NAIVE]]
    for candidate in available:
        if candidate.lower() == name.lower():
            return candidate
    raise SpecError(
        "schedule", f"{name!r} is not available here; available: {', '.join(available)}"
    )
