"""The data-parallel job: every rank holds the whole model, trains on its own slice of the
batch, and the ranks average their gradients (DDP, Li et al. 2020, arXiv 2006.15704).

    >>> DataParallelSpec().describe()
    'DDP, buckets overlap backward · DP=2 · 8 layers · hidden 256 · bucket 4 MB'
    >>> DataParallelSpec(mode="naive").ranks
    2
"""

from __future__ import annotations

import dataclasses
from typing import ClassVar

from runner.specs.base import BaseSpec, SpecError, param

MODES = ("overlap", "no_overlap", "naive")
MODE_LABELS = {
    "overlap": "DDP, buckets overlap backward",
    "no_overlap": "DDP no_sync, one all-reduce after backward",
    "naive": "naive: all-reduce each gradient after backward",
}
FLOAT_BYTES = 4


def block_params(hidden: int) -> int:
    """Parameters of one MLP block without biases: up [4h, h] + down [h, 4h] = 8h²."""
    return 8 * hidden * hidden


@dataclasses.dataclass(frozen=True)
class DataParallelSpec(BaseSpec):
    """One data-parallel training run: the MLP stack, the DP degree and how gradients move."""

    workload: ClassVar[str] = "data_parallel"
    ALIASES: ClassVar[dict[str, str]] = {"ranks": "dp"}

    dtype: str = param("float32", "parameter, gradient and activation dtype", choices=("float32",))
    mode: str = param(
        "overlap",
        "overlap (DDP buckets all-reduced during backward), "
        "no_overlap (no_sync, then one all-reduce of everything) or naive "
        "(all-reduce each gradient by hand after backward)",
        choices=MODES,
    )
    dp: int = param(
        2, "data-parallel degree = number of ranks (also accepted as `ranks`)", lo=2, hi=64
    )
    layers: int = param(8, "MLP blocks (each hidden → 4·hidden → hidden, no biases)", lo=1, hi=64)
    hidden: int = param(256, "model width: a block holds 8·hidden² parameters", lo=8, hi=8192)
    batch: int = param(8, "sequences per rank per step (each rank its own data)", lo=1, hi=1024)
    seq: int = param(32, "tokens per sequence", lo=1, hi=8192)
    bucket_cap_mb: float = param(
        4.0,
        "DDP gradient bucket size in MB (2^20 bytes); one bucket's "
        "all-reduce starts once all its gradients exist",
        lo=0.01,
        hi=4096.0,
    )

    def check(self) -> None:
        if self.mode == "naive" and self.bucket_cap_mb != 4.0:
            raise SpecError("bucket_cap_mb", "the naive mode has no buckets; leave it at 4.0")

    @property
    def tokens(self) -> int:
        return self.batch * self.seq

    @property
    def params(self) -> int:
        return self.layers * block_params(self.hidden)

    def describe(self) -> str:
        text = (
            f"{MODE_LABELS[self.mode]} · DP={self.dp} · {self.layers} layers · hidden {self.hidden}"
        )
        return text + (f" · bucket {self.bucket_cap_mb:g} MB" if self.mode == "overlap" else "")

    def estimate_bytes_per_rank(self) -> int:
        """fp32 weights, gradients and two Adam moments (16 bytes per parameter) and the
        activations kept for backward, 9·hidden floats per token and block."""
        acts = self.layers * 9 * self.tokens * self.hidden * FLOAT_BYTES
        return 16 * self.params + acts
