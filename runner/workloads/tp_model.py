"""The model of the tensor-parallel workload: Megatron-style MLP blocks sharded over N ranks.

Megatron-LM (arXiv 1909.08053, section 3) splits a transformer MLP so that it needs one
all-reduce in the forward pass: the up projection A (hidden → 4·hidden) is split by columns
(the paper's `f`: identity forward, each rank holds 4·hidden/N output features), GELU runs on
each shard independently, and the down projection B (4·hidden → hidden) is split by rows
(the paper's `g`: each rank produces a partial sum of the full output, all-reduced).
No biases (as in many current LLMs), so the partial sums need nothing added after the reduce.

Two ways to put the blocks on the residual stream x (the loops below take a `comm` object
with `compute(layer, fn)`, `start(y, layer) -> pending` and `finish(pending) -> y`):

- `forward_blocking` (standard TP): y = block(x); all-reduce y; x = x + y. The next block
  needs this x, so every all-reduce sits on the critical path.
- `forward_ladder` (Ladder Residual, arXiv 2501.06589): block i reads the residual stream
  *without* block i−1's output, so block i−1's all-reduce runs while block i computes; its
  result is added afterwards. This is a different model (an architecture change, trained that
  way in the paper); the weights here are random because only time is measured.

`reference` runs either structure in one process on the full (gathered) weights, to check the
sharded result. Weights come from a seeded generator per (layer, rank), so runs repeat.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F

SEED = 1234


@dataclass
class Shard:
    """One rank's slice of one MLP block."""

    up: torch.Tensor  # [4h/N, h]: rows of the full up projection A (column-parallel)
    down: torch.Tensor  # [h, 4h/N]: the matching columns of the full B (row-parallel)


def build_shards(
    layers: int, hidden: int, rank: int, ranks: int, device: torch.device, dtype: torch.dtype
) -> list[Shard]:
    """This rank's shards; the residual branch is scaled by 1/sqrt(2·layers) (GPT-2 init)."""
    ffn = 4 * hidden // ranks
    shards = []
    for layer in range(layers):
        gen = torch.Generator(device=device)
        gen.manual_seed(SEED + 1000 * layer + rank)
        up = torch.randn(ffn, hidden, generator=gen, device=device) * hidden**-0.5
        down = torch.randn(hidden, ffn, generator=gen, device=device)
        down *= (4 * hidden) ** -0.5 * (2 * layers) ** -0.5
        shards.append(Shard(up.to(dtype), down.to(dtype)))
    return shards


def make_input(batch: int, seq: int, hidden: int, device, dtype) -> torch.Tensor:
    """The same activations [batch, seq, hidden] on every rank (TP replicates its input)."""
    gen = torch.Generator(device=device)
    gen.manual_seed(SEED - 1)
    return torch.randn(batch, seq, hidden, generator=gen, device=device).to(dtype)


def block(x: torch.Tensor, up: torch.Tensor, down: torch.Tensor) -> torch.Tensor:
    """[b, s, h] → [b, s, 4h/N] → GELU → [b, s, h]: this rank's partial sum of the output."""
    return F.gelu(x @ up.T) @ down.T


def forward_blocking(x: torch.Tensor, shards: list[Shard], comm) -> torch.Tensor:
    """Standard TP: each block's all-reduce completes before the next block starts."""
    for i, shard in enumerate(shards):
        y = comm.compute(i, lambda x=x, s=shard: block(x, s.up, s.down))
        x = x + comm.finish(comm.start(y, i))
    return x


def forward_ladder(x: torch.Tensor, shards: list[Shard], comm) -> torch.Tensor:
    """Ladder Residual: block i computes while block i−1's all-reduce is in flight."""
    pending = None
    for i, shard in enumerate(shards):
        y = comm.compute(i, lambda x=x, s=shard: block(x, s.up, s.down))
        if pending is not None:
            x = x + comm.finish(pending)  # block i−1's output joins the stream only now
        pending = comm.start(y, i)
    return x + comm.finish(pending)


def reference(x: torch.Tensor, full: list[tuple[torch.Tensor, torch.Tensor]], ladder: bool):
    """The same model in one process on full weights [(A [4h, h], B [h, 4h]), ...]."""
    prev = None
    for up, down in full:
        y = block(x, up, down)
        if not ladder:
            x = x + y
            continue
        if prev is not None:
            x = x + prev
        prev = y
    return x + prev if ladder else x
