"""The model the data-parallel and FSDP workloads train, and how they time and weigh it.

torch and stdlib only (runs inside torchrun ranks).

- `build_model`: a stack of MLP blocks, x + down(GELU(up(x))) with up [4h, h] and down
  [h, 4h] and no biases (8h² parameters a block), seeded so every rank starts equal.
- `LayerTimer`: per block, F from its forward pre-hook to its forward hook; B from its
  backward pre-hook (the gradient of its output exists) to the moment the last of its
  parameters' gradients is accumulated (`register_post_accumulate_grad_hook`), which is
  also when a DDP bucket holding that block may start its all-reduce (FSDP: to its
  backward hook, the gradient of its input computed).
- `state_bytes`: bytes of the distinct storages behind a set of tensors (a DTensor counts
  its local shard, padding included; views of one buffer count once).
- `ActivationBytes`: bytes autograd saves for backward (saved_tensors_hooks), not counting
  parameters, whose storage is counted elsewhere.
"""

from __future__ import annotations

from contextlib import contextmanager

import torch
import torch.nn.functional as F
from torch import nn

SEED = 4321


class Block(nn.Module):
    """x + down(GELU(up(x))): [b, s, h] → [b, s, 4h] → [b, s, h]."""

    def __init__(self, hidden: int) -> None:
        super().__init__()
        self.up = nn.Linear(hidden, 4 * hidden, bias=False)
        self.down = nn.Linear(4 * hidden, hidden, bias=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.down(F.gelu(self.up(x)))


def build_model(layers: int, hidden: int, device: torch.device) -> nn.Sequential:
    """The same weights on every rank (seeded); residual branches scaled by 1/sqrt(2·layers)."""
    gen_state = torch.random.get_rng_state()
    torch.manual_seed(SEED)
    model = nn.Sequential(*[Block(hidden) for _ in range(layers)])
    with torch.no_grad():
        for block in model:
            block.down.weight.mul_((2 * layers) ** -0.5)
    torch.random.set_rng_state(gen_state)
    return model.to(device)


def make_batch(batch: int, seq: int, hidden: int, rank: int, device) -> torch.Tensor:
    """This rank's own data [batch, seq, hidden] (data parallelism: a different slice each)."""
    gen = torch.Generator().manual_seed(SEED + 1 + rank)
    return torch.randn(batch, seq, hidden, generator=gen).to(device)


def loss_fn(y: torch.Tensor) -> torch.Tensor:
    return y.float().pow(2).mean()


class LayerTimer:
    """F and B events per block (see module docstring); `ready[id(param)]` marks."""

    def __init__(self, rec, blocks: list[nn.Module], grad_hooks: bool = True) -> None:
        self.rec = rec
        self.ready: dict[int, tuple[int, object]] = {}  # id(param) -> (order, mark) of its grad
        self.layer_of: dict[int, int] = {}  # id(param) -> block index
        self.last_ready = None  # mark of the latest gradient of this step (`new_step` clears)
        self._start: dict[tuple[str, int], object] = {}
        for i, block in enumerate(blocks):
            block.register_forward_pre_hook(lambda m, a, i=i: self._begin("F", i))
            block.register_forward_hook(lambda m, a, o, i=i: self._end("F", i))
            block.register_full_backward_pre_hook(lambda m, g, i=i: self._begin("B", i))
            if not grad_hooks:  # FSDP: gradients land on the sharded parameters, after a
                # reduce-scatter; B ends when the gradient of the block's input is computed
                block.register_full_backward_hook(lambda m, gi, go, i=i: self._end("B", i))
                continue
            for p in block.parameters():
                self.layer_of[id(p)] = i
                p.register_post_accumulate_grad_hook(self._grad_ready)
        self.blocks = len(blocks)
        self._left: dict[int, int] = {}

    def new_step(self) -> None:
        self.ready.clear()
        self.last_ready = None

    def params_of(self, block: int) -> int:
        return sum(1 for layer in self.layer_of.values() if layer == block)

    def _begin(self, kind: str, layer: int) -> None:
        self._start[(kind, layer)] = self.rec.mark()
        if kind == "B":
            self._left[layer] = self.params_of(layer)

    def _end(self, kind: str, layer: int) -> None:
        start = self._start.pop((kind, layer), None)
        if start is not None:
            self.rec.add(kind, layer, start, self.rec.mark())

    def _grad_ready(self, p: torch.Tensor) -> None:
        mark = self.rec.mark()
        self.ready[id(p)] = (len(self.ready), mark)
        self.last_ready = mark
        layer = self.layer_of[id(p)]
        self._left[layer] = self._left.get(layer, 1) - 1
        if self._left[layer] == 0:
            self._end("B", layer)


def state_bytes(tensors) -> int:
    """Bytes of the distinct storages behind `tensors` (DTensors: their local shard)."""
    seen: dict[int, int] = {}
    for t in tensors:
        if t is None or not torch.is_tensor(t):
            continue
        local = t.to_local() if hasattr(t, "to_local") else t
        storage = local.untyped_storage()
        seen[storage.data_ptr()] = storage.nbytes()
    return sum(seen.values())


def optimizer_tensors(optimizer) -> list[torch.Tensor]:
    """Every state tensor of a torch optimizer (Adam: step, exp_avg, exp_avg_sq per param)."""
    inner = getattr(optimizer, "optim", optimizer)  # ZeroRedundancyOptimizer wraps its shard's
    return [v for state in inner.state.values() for v in state.values() if torch.is_tensor(v)]


class ActivationBytes:
    """Peak bytes saved for backward in one forward, parameters (and their views) excluded."""

    def __init__(self, model: nn.Module) -> None:
        self.model = model
        self.peak = 0

    @contextmanager
    def saving(self):
        params = {p.data_ptr() for p in self.model.parameters()}
        seen: set[tuple[int, int]] = set()
        total = 0

        def pack(t: torch.Tensor) -> torch.Tensor:
            nonlocal total
            ident = (t.data_ptr(), t.nbytes)
            # FSDP registers each block's gathered parameters only while it runs: look again
            if ident not in seen and t.data_ptr() not in params and not _is_param(self.model, t):
                seen.add(ident)
                total += t.nbytes
                self.peak = max(self.peak, total)
            return t

        with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
            yield


def _is_param(model: nn.Module, t: torch.Tensor) -> bool:
    ptr = t.data_ptr()
    return any(p.data_ptr() == ptr for p in model.parameters() if not hasattr(p, "to_local"))


class PartBytes:
    """Per-rank peaks, over the measured steps, of the bytes of each part of the state."""

    def __init__(self) -> None:
        self.peaks: dict[str, int] = {}
        self.on = False  # set after warm-up (FSDP's lazy init and DDP's bucket rebuild)

    def note(self, part: str, value: int) -> None:
        if self.on:
            self.peaks[part] = max(self.peaks.get(part, 0), int(value))

    def after_backward(self, model: nn.Module) -> None:
        self.note("gradients", state_bytes(p.grad for p in model.parameters()))

    def after_step(self, model: nn.Module, optimizer, acts: ActivationBytes) -> None:
        self.note("parameters", state_bytes(model.parameters()))
        self.note("optimizer", state_bytes(optimizer_tensors(optimizer)))
        self.note("activations", acts.peak)

    def rows(self, rank: int, parts: tuple[str, ...]) -> list[dict]:
        return [{"rank": rank, "peak_bytes": self.peaks.get(k, 0), "kind": k} for k in parts]
