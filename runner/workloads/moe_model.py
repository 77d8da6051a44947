"""The model of the expert-parallel workload: a router, top-k gating with capacity, experts.

One MoE layer (GShard, arXiv 2006.16668; Switch Transformer, arXiv 2101.03961) on a rank's
tokens x [T, h]:

1. Gate: logits = x Wrᵀ [T, E]; each token picks its top-k experts, gates = softmax of the k
   chosen logits (as Mixtral does). `skew`: a seeded share of the tokens get expert 0 as
   their first choice (its logit raised just above their best).
2. Capacity: an expert keeps at most C of this rank's assignments. Priority as in GShard:
   every token's first choice (in token order) before any second choice; the rest are
   dropped — they add nothing, the token keeps only its residual.
3. Experts: expert e is an MLP hidden → ffn → GELU → hidden, no biases.
4. Merge: x + Σ over kept choices of gate × expert output.

`Routing` holds what steps 1–2 decide, in the order the rows are sent: sorted by expert, so
the rows for rank r's experts are one contiguous block (what all_to_all_single needs).
Weights are seeded per (layer, expert), so any rank can build any expert, and a one-process
`reference` can run the same layer on the same tokens.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F

SEED = 4321


@dataclass
class Routing:
    """One rank's routing decision for one layer (rows in the order they are sent)."""

    token: torch.Tensor  # [R] long: which token each sent row is
    gate: torch.Tensor  # [R]: its gate weight
    expert: torch.Tensor  # [R] long: its expert (non-decreasing)
    routed: torch.Tensor  # [E] long: assignments before the capacity cut
    kept: torch.Tensor  # [E] long: assignments kept (rows sent to each expert)


def expert_weights(layer: int, expert: int, hidden: int, ffn: int, device, dtype):
    """(up [ffn, h], down [h, ffn]) of one expert, the same on every rank."""
    gen = torch.Generator(device=device)
    gen.manual_seed(SEED + 1000 * layer + expert)
    up = torch.randn(ffn, hidden, generator=gen, device=device) * hidden**-0.5
    down = torch.randn(hidden, ffn, generator=gen, device=device) * ffn**-0.5
    return up.to(dtype), down.to(dtype)


def router_weight(layer: int, experts: int, hidden: int, device, dtype) -> torch.Tensor:
    """Wr [E, h] of one layer's router, the same on every rank."""
    gen = torch.Generator(device=device)
    gen.manual_seed(SEED - 1 - layer)
    return (torch.randn(experts, hidden, generator=gen, device=device) * hidden**-0.5).to(dtype)


def make_tokens(rank: int, tokens: int, hidden: int, device, dtype) -> torch.Tensor:
    """This rank's tokens x [T, h] (each rank routes a different share of the batch)."""
    gen = torch.Generator(device=device)
    gen.manual_seed(SEED + 7 + rank)
    return torch.randn(tokens, hidden, generator=gen, device=device).to(dtype)


def hot_tokens(rank: int, tokens: int, skew: float, device) -> torch.Tensor:
    """Indices of the round(skew × T) tokens whose first choice is forced to expert 0."""
    gen = torch.Generator(device="cpu")
    gen.manual_seed(SEED + 99 + rank)
    return torch.randperm(tokens, generator=gen)[: round(skew * tokens)].to(device)


def route(x: torch.Tensor, wr: torch.Tensor, top_k: int, capacity: int, hot) -> Routing:
    """Gate and capacity (steps 1–2 of the module docstring) for tokens x [T, h]."""
    logits = x @ wr.T  # [T, E]
    if len(hot):
        best = logits[hot].max(dim=1).values
        logits[hot, 0] = best + 1.0  # expert 0 becomes these tokens' first choice
    values, chosen = logits.topk(top_k, dim=1)  # [T, k]
    gates = torch.softmax(values.float(), dim=1).to(x.dtype)
    experts = wr.shape[0]
    # GShard priority: slot-major order (all first choices, then all second choices)
    flat_expert = chosen.T.reshape(-1)  # [k·T]
    flat_token = torch.arange(x.shape[0], device=x.device).repeat(top_k)
    flat_gate = gates.T.reshape(-1)
    onehot = F.one_hot(flat_expert, experts)  # [k·T, E]
    position = (onehot.cumsum(0) * onehot).sum(1) - 1  # place in its expert's queue
    keep = position < capacity
    order = torch.argsort(flat_expert[keep], stable=True)  # rows grouped by expert
    return Routing(
        token=flat_token[keep][order],
        gate=flat_gate[keep][order],
        expert=flat_expert[keep][order],
        routed=onehot.sum(0),
        kept=torch.bincount(flat_expert[keep], minlength=experts),
    )


def expert_mlp(rows: torch.Tensor, up: torch.Tensor, down: torch.Tensor) -> torch.Tensor:
    """[n, h] → [n, ffn] → GELU → [n, h]: one expert on the rows sent to it."""
    return F.gelu(rows @ up.T) @ down.T


def merge(x: torch.Tensor, routing: Routing, outputs: torch.Tensor) -> torch.Tensor:
    """x + Σ gate × expert output, back at each row's token (dropped choices add nothing)."""
    y = torch.zeros_like(x)
    y.index_add_(0, routing.token, outputs * routing.gate[:, None])
    return x + y


def reference(x: torch.Tensor, spec: dict, rank: int, capacity: int) -> torch.Tensor:
    """The same layers in one process, every expert local: what the sharded run must give."""
    for layer in range(spec["layers"]):
        wr = router_weight(layer, spec["experts"], spec["hidden"], x.device, x.dtype)
        hot = hot_tokens(rank, x.shape[0], spec["skew"], x.device)
        r = route(x, wr, spec["top_k"], capacity, hot)
        out = torch.empty(len(r.token), x.shape[1], dtype=x.dtype, device=x.device)
        for e in range(spec["experts"]):
            rows = r.expert == e
            up, down = expert_weights(layer, e, spec["hidden"], spec["ffn"], x.device, x.dtype)
            out[rows] = expert_mlp(x[r.token[rows]], up, down)
        x = merge(x, r, out)
    return x
