"""The model the pipeline workload trains: a stack of MLP blocks cut into stages.

torch and stdlib only (runs inside torchrun ranks).
"""

from __future__ import annotations

import torch
from torch import nn


class MLPBlock(nn.Module):
    """x + Linear(GELU(Linear(x))), inner width 4 × hidden (the MLP half of a transformer layer)."""

    def __init__(self, hidden: int) -> None:
        super().__init__()
        self.up = nn.Linear(hidden, 4 * hidden)  # (b, s, h) -> (b, s, 4h)
        self.act = nn.GELU()
        self.down = nn.Linear(4 * hidden, hidden)  # (b, s, 4h) -> (b, s, h)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.down(self.act(self.up(x)))


def build_stage(stage: int, hidden: int, layers_per_stage: int, seed: int = 0) -> nn.Sequential:
    """Stage `stage` of the model: `layers_per_stage` blocks, seeded by stage index."""
    gen_state = torch.random.get_rng_state()
    torch.manual_seed(seed * 1000 + stage)
    module = nn.Sequential(*[MLPBlock(hidden) for _ in range(layers_per_stage)])
    torch.random.set_rng_state(gen_state)
    return module


def batch_data(
    batch: int, seq: int, hidden: int, device: torch.device, seed: int = 0
) -> tuple[torch.Tensor, torch.Tensor]:
    """A fixed random input and MSE target, both (batch, seq, hidden), identical on all ranks."""
    gen = torch.Generator().manual_seed(seed)
    x = torch.randn(batch, seq, hidden, generator=gen)
    target = torch.randn(batch, seq, hidden, generator=gen)
    return x.to(device), target.to(device)


def mse_loss(output: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Loss on the last stage: mean squared error to the fixed target."""
    return nn.functional.mse_loss(output, target)
