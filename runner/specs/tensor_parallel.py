"""The tensor-parallel job: N ranks run a stack of Megatron MLP blocks, forward only.

Modes: `blocking` is standard Megatron TP (arXiv 1909.08053), hand-written, every all-reduce
on the critical path — the naive version; `ladder` is Ladder Residual (arXiv 2501.06589),
which overlaps block i−1's all-reduce with block i's compute; `torch_tp` is the same model as
`blocking` sharded by torch's own API (`parallelize_module` with ColwiseParallel and
RowwiseParallel over a 1-D device mesh).

    >>> TensorParallelSpec(mode="ladder", tp=2).describe()
    'Ladder Residual · TP=2 · 8 layers · hidden 512 · 256 tokens/step'
"""

from __future__ import annotations

import dataclasses
from typing import ClassVar

from runner.specs.base import BaseSpec, SpecError, param

MODES = ("blocking", "ladder", "torch_tp")
MODE_LABELS = {
    "blocking": "standard TP",
    "ladder": "Ladder Residual",
    "torch_tp": "torch parallelize_module",
}


@dataclasses.dataclass(frozen=True)
class TensorParallelSpec(BaseSpec):
    """One tensor-parallel inference run: the MLP stack, the mode and the TP degree."""

    workload: ClassVar[str] = "tensor_parallel"
    ALIASES: ClassVar[dict[str, str]] = {"ranks": "tp", "check": "verify"}

    mode: str = param("blocking", "blocking (standard TP), ladder (Ladder Residual) or "
                      "torch_tp (torch's parallelize_module)", choices=MODES)  # fmt: skip
    tp: int = param(2, "tensor-parallel degree = number of ranks (also accepted as `ranks`)",
                    lo=2, hi=64)  # fmt: skip
    layers: int = param(8, "MLP blocks (each: hidden → 4·hidden → hidden, one all-reduce)",
                        lo=1, hi=64)  # fmt: skip
    hidden: int = param(512, "model width; 4·hidden must split evenly over the ranks",
                        lo=8, hi=32768)  # fmt: skip
    batch: int = param(4, "sequences per step", lo=1, hi=1024)
    seq: int = param(64, "tokens per sequence in one step (a decode step has 1 per sequence)",
                     lo=1, hi=16384)  # fmt: skip
    verify: str = param("auto", "compare the sharded output with a one-process model: on, off, "
                        "or auto (on for cpu only)", choices=("auto", "on", "off"))  # fmt: skip

    def check(self) -> None:
        if (4 * self.hidden) % self.tp:
            raise SpecError("hidden", f"4 × {self.hidden} does not split over tp={self.tp} ranks")
        if self.mode == "torch_tp" and self.hidden % self.tp:
            raise SpecError("hidden", f"{self.hidden} does not split over tp={self.tp} ranks")

    @property
    def tokens(self) -> int:
        return self.batch * self.seq

    def describe(self) -> str:
        return (
            f"{MODE_LABELS[self.mode]} · TP={self.tp} · {self.layers} layers · "
            f"hidden {self.hidden} · {self.tokens} tokens/step"
        )

    def estimate_bytes_per_rank(self) -> int:
        """Weight shards (8h²/N per layer) and a few [tokens, 4h/N] activations, 4 bytes each
        (the fp32 upper bound), plus the gathered full weights when verifying."""
        weights = self.layers * 8 * self.hidden * self.hidden // self.tp
        acts = 6 * self.tokens * 4 * self.hidden // self.tp
        full = self.layers * 8 * self.hidden * self.hidden if self.verify != "off" else 0
        return 4 * (weights + acts + full)
