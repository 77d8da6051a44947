"""The hybrid job: two parallelisms at once on a 2-D device mesh (dp × pp or dp × tp).

Megatron-LM's 3-D layout (arXiv 2104.04473, section 3) with one axis left out, so that it
fits on 4 CPU processes: data parallelism (`dp`) on the outer axis of the mesh, and either
pipeline (`pp`) or tensor parallelism (`tp`) on the inner one. Ranks are numbered with the
inner axis fastest (rank = dp_index × inner + inner_index), as Megatron does, so a tensor-
or pipeline-parallel group is made of neighbouring ranks — the GPUs of one node — and a
data-parallel group spans the nodes.

    >>> HybridSpec().describe()
    'pp × dp = 2 × 2 · 1F1B · 4 MLP blocks · hidden 256 · batch 16 × seq 64'
    >>> HybridSpec(pp=1, tp=2).layout
    'tp'
"""

from __future__ import annotations

import dataclasses
from typing import ClassVar

from runner.specs.base import BaseSpec, SpecError, param

SCHEDULES = ("1F1B", "GPipe")


def mesh_labels(dp: int, axis: str, inner: int) -> dict[str, str]:
    """Gantt row names by mesh coordinate, inner axis fastest: {"1": "dp 0 · tp 1", ...}."""
    return {str(r): f"dp {r // inner} · {axis} {r % inner}" for r in range(dp * inner)}


@dataclasses.dataclass(frozen=True)
class HybridSpec(BaseSpec):
    """One training step of an MLP stack on a dp × pp or dp × tp mesh."""

    workload: ClassVar[str] = "hybrid"

    dp: int = param(2, "data-parallel degree: model replicas, each on its own share of the "
                    "batch, gradients all-reduced across them (the outer mesh axis)",
                    lo=1, hi=64)  # fmt: skip
    pp: int = param(2, "pipeline-parallel degree (inner axis): stages per replica; "
                    "1 when tp > 1", lo=1, hi=64)  # fmt: skip
    tp: int = param(1, "tensor-parallel degree (inner axis): each block's weights split "
                    "Megatron-style; 1 when pp > 1", lo=1, hi=64)  # fmt: skip
    schedule: str = param("1F1B", "pipeline schedule of each replica (pp > 1 only), from "
                          "torch.distributed.pipelining", choices=SCHEDULES)  # fmt: skip
    microbatches: int = param(4, "micro-batches per replica and step (pp > 1 only)",
                              lo=1, hi=64)  # fmt: skip
    layers: int = param(4, "MLP blocks in the whole model (pp splits them into stages)",
                        lo=1, hi=64)  # fmt: skip
    hidden: int = param(256, "model width; 4·hidden must split over tp", lo=8, hi=16384)
    batch: int = param(16, "global batch (sequences per step), split evenly over dp",
                       lo=1, hi=4096)  # fmt: skip
    seq: int = param(64, "tokens per sequence", lo=1, hi=8192)

    def check(self) -> None:
        if self.tp > 1 and self.pp > 1:
            raise SpecError("tp", "this workload is 2-D: set pp=1 for tensor × data, or "
                            "tp=1 for pipeline × data (3-D needs 8 ranks)")  # fmt: skip
        if self.tp == 1 and self.pp == 1:
            raise SpecError("pp", "set pp > 1 (pipeline × data) or tp > 1 (tensor × data); "
                            "dp alone is the data_parallel workload")  # fmt: skip
        if self.batch % self.dp:
            raise SpecError("batch", f"{self.batch} sequences do not split over dp={self.dp}")
        if self.pp > 1 and self.layers % self.pp:
            raise SpecError("layers", f"{self.layers} blocks do not split into pp={self.pp} "
                            "stages")  # fmt: skip
        if self.pp > 1 and (self.batch // self.dp) % self.microbatches:
            raise SpecError("microbatches", f"{self.batch // self.dp} sequences per replica "
                            f"do not split into {self.microbatches} micro-batches")  # fmt: skip
        if (4 * self.hidden) % self.tp:
            raise SpecError("hidden", f"4 × {self.hidden} does not split over tp={self.tp}")

    @property
    def trace_keys(self) -> dict:
        """Keys its traces add to the spec: trace v1 names the pipeline depth `stages`."""
        return {"stages": self.pp}

    @property
    def layout(self) -> str:
        """The inner mesh axis: 'pp' or 'tp'."""
        return "pp" if self.pp > 1 else "tp"

    @property
    def inner(self) -> int:
        return self.pp if self.layout == "pp" else self.tp

    def describe(self) -> str:
        head = f"{self.layout} × dp = {self.inner} × {self.dp}"
        if self.layout == "pp":
            head += f" · {self.schedule}"
        sizes = f"hidden {self.hidden} · batch {self.batch} × seq {self.seq}"
        return f"{head} · {self.layers} MLP blocks · {sizes}"

    def estimate_bytes_per_rank(self) -> int:
        """Parameters, gradients and a flat gradient copy of this rank's share (8h² per
        block), and the activations of its share of the batch (fp32), saved for backward."""
        blocks = self.layers // self.pp
        params = blocks * 8 * self.hidden * self.hidden // self.tp
        acts = blocks * (self.batch // self.dp) * self.seq * 6 * self.hidden
        return 4 * (3 * params + acts)
