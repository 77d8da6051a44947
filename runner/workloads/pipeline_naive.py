"""The naive pipeline: a layer split with no micro-batches (the "before" picture).

Rank r holds stage r. One step: the whole batch goes forward through stage 0, is sent to
stage 1, ... ; the last stage computes the loss; then the gradient travels back the same way.
While one rank computes, all others wait on a receive: with p ranks each is idle for about
(p−1)/p of the step. GPipe (arXiv 1811.06965) fixes this by cutting the batch into
micro-batches. Written with plain blocking `dist.send` / `dist.recv` on purpose.

torch and stdlib only (runs inside torchrun ranks).
"""

from __future__ import annotations

import torch
import torch.distributed as dist
from torch import nn

from runner.workloads.timing import ActivationMeter, Recorder


class NaiveStep:
    """One rank of the naive pipeline: `step(x, target)` runs one forward + backward."""

    def __init__(
        self,
        module: nn.Module,
        rank: int,
        ranks: int,
        shape: tuple[int, ...],
        device: torch.device,
        loss_fn,
        rec: Recorder,
        mem: ActivationMeter,
    ) -> None:
        self.module, self.rank, self.ranks = module, rank, ranks
        self.shape, self.device, self.loss_fn = shape, device, loss_fn  # shape: (b, s, h)
        self.rec, self.mem = rec, mem

    def _recv(self, kind: str, src: int) -> torch.Tensor:
        buf = torch.empty(self.shape, device=self.device)
        with self.rec.span(kind, self.rank, 0, stream="comm"):
            dist.recv(buf, src=src)
        return buf

    def _send(self, kind: str, tensor: torch.Tensor, dst: int) -> None:
        with self.rec.span(kind, self.rank, 0, stream="comm"):
            dist.send(tensor.contiguous(), dst=dst)

    def step(self, x: torch.Tensor, target: torch.Tensor) -> None:
        r, last = self.rank, self.rank == self.ranks - 1
        inp = x if r == 0 else self._recv("RECV_F", r - 1).requires_grad_()
        with self.rec.span("F", r, 0), self.mem.saving(r, 0):
            out = self.module(inp)
            loss = self.loss_fn(out, target) if last else None
        if not last:
            self._send("SEND_F", out.detach(), r + 1)
            grad = self._recv("RECV_B", r + 1)
        with self.rec.span("B", r, 0):
            if last:
                loss.backward()
            else:
                out.backward(grad)
        self.mem.release(r, 0)
        if r > 0:
            self._send("SEND_B", inp.grad, r - 1)
        self.module.zero_grad(set_to_none=True)
