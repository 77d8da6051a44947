"""The sharded data-parallel job: ZeRO stages (Rajbhandari et al. 2020, arXiv 1910.02054) with
torch's FSDP2 `fully_shard` (Zhao et al. 2023, arXiv 2304.11277) and ZeroRedundancyOptimizer.

    >>> FsdpSpec().describe()
    'ZeRO-3 (FSDP2, reshard after forward) · DP=2 · 8 layers · hidden 256 · Adam fp32'
"""

from __future__ import annotations

import dataclasses
from typing import ClassVar

from runner.specs.base import BaseSpec, SpecError, param
from runner.specs.data_parallel import FLOAT_BYTES, block_params

STAGES = ("zero3", "zero2", "zero1", "ddp")
STAGE_LABELS = {
    "zero3": "ZeRO-3 (FSDP2, reshard after forward)",
    "zero2": "ZeRO-2 (FSDP2, keep parameters after forward)",
    "zero1": "ZeRO-1 (ZeroRedundancyOptimizer over DDP)",
    "ddp": "plain DDP (nothing sharded)",
}
SHARDED = {
    # which of (parameters, gradients, optimizer states) each stage divides by the DP degree,
    # at rest between steps (ZeRO paper, Figure 1; FSDP2 keeps sharded parameters at rest)
    "zero3": ("parameters", "gradients", "optimizer"),
    "zero2": ("parameters", "gradients", "optimizer"),
    "zero1": ("optimizer",),
    "ddp": (),
}


@dataclasses.dataclass(frozen=True)
class FsdpSpec(BaseSpec):
    """One sharded training run: the MLP stack, the ZeRO stage and the shard degree."""

    workload: ClassVar[str] = "fsdp"
    ALIASES: ClassVar[dict[str, str]] = {"ranks": "dp"}

    dtype: str = param(
        "float32", "parameter, gradient and optimizer dtype (Adam, fp32)", choices=("float32",)
    )
    stage: str = param(
        "zero3",
        "zero3 (shard parameters, gradients, optimizer; reshard after "
        "forward), zero2 (keep gathered parameters from forward to backward), "
        "zero1 (shard the optimizer only) or ddp (shard nothing)",
        choices=STAGES,
    )
    dp: int = param(2, "shard degree = data-parallel ranks (also accepted as `ranks`)", lo=2, hi=64)
    layers: int = param(
        8, "MLP blocks, one FSDP unit each (hidden → 4·hidden → hidden)", lo=1, hi=64
    )
    hidden: int = param(256, "model width: a block holds 8·hidden² parameters", lo=8, hi=8192)
    batch: int = param(8, "sequences per rank per step", lo=1, hi=1024)
    seq: int = param(32, "tokens per sequence", lo=1, hi=8192)

    def check(self) -> None:
        if self.stage == "zero1" and self.layers % self.dp:
            raise SpecError(
                "layers",
                f"ZeroRedundancyOptimizer gives whole parameters to ranks: {self.layers} blocks "
                f"do not split evenly over dp={self.dp}",
            )

    @property
    def tokens(self) -> int:
        return self.batch * self.seq

    @property
    def params(self) -> int:
        return self.layers * block_params(self.hidden)

    def describe(self) -> str:
        return (
            f"{STAGE_LABELS[self.stage]} · DP={self.dp} · {self.layers} layers · "
            f"hidden {self.hidden} · Adam fp32"
        )

    def estimate_bytes_per_rank(self) -> int:
        """4 + 4 + 8 bytes per parameter (fp32 weights, gradients, Adam moments), each divided
        by dp where the stage shards it, one gathered block, and the activations."""
        part = {"parameters": 4, "gradients": 4, "optimizer": 8}
        state = sum(
            b * self.params // (self.dp if k in SHARDED[self.stage] else 1) for k, b in part.items()
        )
        gathered = 4 * self.params if self.stage == "zero2" else 8 * block_params(self.hidden)
        acts = self.layers * 9 * self.tokens * self.hidden * FLOAT_BYTES
        return state + gathered + acts
