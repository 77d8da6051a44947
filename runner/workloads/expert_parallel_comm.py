"""How the expert-parallel workload moves tokens: dispatch and combine, two all-to-alls.

Expert parallelism (GShard, arXiv 2006.16668, section 2.2) puts experts / ep experts on each
rank. A rank's routed rows are sorted by expert (moe_model.route), so the rows for rank r's
experts are one contiguous block, and one `dist.all_to_all_single` with split sizes moves
them all:

1. dispatch: first the counts — an all-to-all of the [E] vector of rows per expert, so each
   rank learns how many rows each source sends to each of its local experts — then the rows
   themselves, [R, h] with `input_split_sizes` = rows per destination rank and
   `output_split_sizes` = rows per source rank;
2. combine: the expert outputs go back the same way with the split sizes swapped, so every
   row lands where it was sent from, in the same order.

Both are blocking collectives: a rank's all-to-all ends only when every peer has reached it,
so the time a fast rank spends in `combine` is mostly waiting for the slowest rank's experts
(the straggler). Each is one ALLTOALL event on stream "comm" with `op` = dispatch | combine
`layer` and `tokens` = rows this rank sent (`stage` is 0: there is no pipeline).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.distributed as dist

from runner.workloads.moe_model import Routing
from runner.workloads.timing import Recorder


@dataclass
class Received:
    """What a rank got in dispatch, and the split sizes that send it back in combine."""

    rows: torch.Tensor  # [N, h]: by source rank, then by local expert
    local_expert: torch.Tensor  # [N] long: which of this rank's experts each row is for
    send_splits: list[int]  # rows this rank sent to each rank
    recv_splits: list[int]  # rows this rank got from each rank


class ExpertComm:
    """Dispatch and combine over the world group (every rank holds `local` experts)."""

    def __init__(self, rec: Recorder, world: int, local: int) -> None:
        self.rec, self.world, self.local = rec, world, local
        self.waits: list[tuple] = []  # (start, end) marks of every all-to-all

    def describe(self) -> str:
        return "ALLTOALL: the blocking all_to_all_single calls (dispatch: counts, then rows)"

    def dispatch(self, x: torch.Tensor, routing: Routing, layer: int) -> Received:
        start = self.rec.mark()
        counts = routing.kept.to(torch.int64)  # [E]: rows for each expert, in expert order
        recv_counts = torch.empty_like(counts)
        dist.all_to_all_single(recv_counts, counts)  # chunk s: source s's rows per my expert
        matrix = recv_counts.view(self.world, self.local)  # [source rank, local expert]
        send_splits = counts.view(self.world, self.local).sum(1).tolist()
        recv_splits = matrix.sum(1).tolist()
        send = x[routing.token]  # [R, h]: rows grouped by expert, so by destination rank
        rows = x.new_empty(sum(recv_splits), x.shape[1])
        dist.all_to_all_single(rows, send, recv_splits, send_splits)
        end = self.rec.mark()
        self.rec.add(
            "ALLTOALL", 0, start, end, "comm", op="dispatch", layer=layer, tokens=len(send)
        )
        self.waits.append((start, end))
        local = torch.arange(self.local, device=x.device).repeat(self.world)
        local_expert = torch.repeat_interleave(local, matrix.reshape(-1))
        return Received(rows, local_expert, send_splits, recv_splits)

    def combine(self, outputs: torch.Tensor, got: Received, layer: int) -> torch.Tensor:
        start = self.rec.mark()
        back = outputs.new_empty(sum(got.send_splits), outputs.shape[1])
        dist.all_to_all_single(back, outputs, got.send_splits, got.recv_splits)
        end = self.rec.mark()
        self.rec.add(
            "ALLTOALL", 0, start, end, "comm", op="combine", layer=layer, tokens=len(outputs)
        )
        self.waits.append((start, end))
        return back  # [R, h]: in the order dispatch sent the rows
