"""The expert-parallel job: a Mixture-of-Experts layer whose experts are spread over ranks.

Every rank routes its own tokens (router → top-k experts), sends each token to the rank that
holds its expert (dispatch, an all-to-all), runs its experts on what it received, and sends
the outputs back (combine, another all-to-all). An expert takes at most `capacity` tokens
from each rank (Switch Transformer, arXiv 2101.03961: capacity = capacity factor × tokens /
experts, × k for top-k as in GShard, arXiv 2006.16668); the rest are dropped and pass
through on the residual only. `skew` sends a share of every rank's tokens to expert 0 first,
to show the straggler (the rank holding expert 0) and what the capacity factor drops.

    >>> ExpertParallelSpec(skew=0.5).describe()
    'MoE · 4 experts over EP=2 · top-2 · capacity factor 1.25 · skew 0.5 · 512 tokens/rank'
    >>> ExpertParallelSpec().capacity
    320
"""

from __future__ import annotations

import dataclasses
import math
from typing import ClassVar

from runner.specs.base import BaseSpec, SpecError, param


def expert_capacity(capacity_factor: float, top_k: int, tokens: int, experts: int) -> int:
    """Most tokens one expert takes from one rank: ceil(factor × k × tokens / experts).

    A factor of 0 means no limit (every routed token is kept)."""
    if capacity_factor <= 0:
        return top_k * tokens
    return max(1, math.ceil(capacity_factor * top_k * tokens / experts))


def rank_labels(experts: int, ep: int) -> dict[str, str]:
    """Gantt row names: 'rank 0 · experts 0–1' (or 'rank 0 · expert 0') for each rank."""
    local = experts // ep
    return {
        str(r): f"rank {r} · expert {r * local}" if local == 1
        else f"rank {r} · experts {r * local}–{(r + 1) * local - 1}"
        for r in range(ep)
    }  # fmt: skip


@dataclasses.dataclass(frozen=True)
class ExpertParallelSpec(BaseSpec):
    """One MoE inference run: experts, router, capacity and the expert-parallel degree."""

    workload: ClassVar[str] = "expert_parallel"
    ALIASES: ClassVar[dict[str, str]] = {"ranks": "ep"}

    ep: int = param(2, "expert-parallel degree = number of ranks; each holds experts / ep "
                    "experts (also accepted as `ranks`)", lo=1, hi=64)  # fmt: skip
    experts: int = param(4, "experts per MoE layer, spread evenly over the ep ranks",
                         lo=1, hi=256)  # fmt: skip
    top_k: int = param(2, "experts each token is sent to (Switch: 1, GShard and Mixtral: 2)",
                       lo=1, hi=8)  # fmt: skip
    layers: int = param(2, "MoE layers, one after another on the residual stream",
                        lo=1, hi=16)  # fmt: skip
    hidden: int = param(256, "model width: the size of one token's activation", lo=8, hi=8192)
    ffn: int = param(1024, "inner width of each expert's MLP (hidden → ffn → hidden)",
                     lo=8, hi=32768)  # fmt: skip
    tokens: int = param(512, "tokens each rank routes per step (its share of the batch)",
                        lo=1, hi=65536)  # fmt: skip
    capacity_factor: float = param(1.25, "capacity = factor × k × tokens / experts per expert "
                                   "and rank; 0 = no limit, nothing dropped",
                                   lo=0.0, hi=16.0)  # fmt: skip
    skew: float = param(0.0, "share of each rank's tokens whose first choice is forced to "
                        "expert 0 (0 = the router alone decides)", lo=0.0, hi=1.0)  # fmt: skip
    verify: str = param("auto", "compare the outputs with a one-process MoE: on, off, or auto "
                        "(on for cpu only)", choices=("auto", "on", "off"))  # fmt: skip

    def check(self) -> None:
        if self.experts % self.ep:
            raise SpecError("experts", f"{self.experts} experts do not split over ep={self.ep}")
        if self.top_k > self.experts:
            raise SpecError("top_k", f"top-{self.top_k} needs at least {self.top_k} experts, "
                            f"got {self.experts}")  # fmt: skip
        if self.experts > self.tokens:
            raise SpecError("experts", f"{self.experts} experts for {self.tokens} tokens per "
                            "rank: some experts could never get a token")  # fmt: skip

    @property
    def capacity(self) -> int:
        """Most tokens one expert takes from one rank (see `expert_capacity`)."""
        return expert_capacity(self.capacity_factor, self.top_k, self.tokens, self.experts)

    def expert_params(self) -> int:
        """Weights of one expert: up [ffn, hidden] and down [hidden, ffn], no biases."""
        return 2 * self.hidden * self.ffn

    def total_params(self) -> int:
        """Every expert and router of every layer: what must sit in memory somewhere."""
        return self.layers * (self.experts * self.expert_params() + self.hidden * self.experts)

    def active_params(self) -> int:
        """What one token uses: k experts and the router of every layer (the compute)."""
        return self.layers * (self.top_k * self.expert_params() + self.hidden * self.experts)

    def describe(self) -> str:
        return (
            f"MoE · {self.experts} experts over EP={self.ep} · top-{self.top_k} · "
            f"capacity factor {self.capacity_factor:g} · skew {self.skew:g} · "
            f"{self.tokens} tokens/rank"
        )

    def estimate_bytes_per_rank(self) -> int:
        """This rank's experts, the routed copies of its tokens (worst case: all to one
        rank) with their expert activations, 4 bytes each; all experts when verifying."""
        local = self.layers * (self.experts // self.ep) * self.expert_params()
        rows = min(self.ep * self.tokens * self.top_k, self.ep * self.capacity * self.experts)
        acts = rows * (3 * self.hidden + self.ffn) + 4 * self.tokens * self.hidden
        full = self.layers * self.experts * self.expert_params() if self.verify != "off" else 0
        return 4 * (local + acts + full)
