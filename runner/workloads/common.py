"""Rank plumbing every workload shares: process group, barrier, timed steps, gather, trace.

Runs inside torchrun ranks (torch and stdlib only). A workload module is then only its
parallelism:

    from runner.workloads import common

    def run(spec: dict, out: str) -> None:
        with common.rank_context(spec, out) as ctx:          # init_process_group ... destroy
            rec = Recorder(ctx.rank, ctx.device, ctx.barrier)
            walls = common.measure(ctx, rec, step, spec["warmup"], spec["iterations"])
            common.finish(ctx, spec, rec.events, memory=[...], summary={...}, meta={...})

Phases of one job (each rank): 1. set-up: process group (NCCL on GPUs, gloo on CPU, 60 s
timeout); 2. warm-up steps, not recorded (shape inference, communicator set-up, allocator);
3. measured steps, each after a barrier, recorded by a `Recorder`; 4. rank 0 gathers every
rank's events and writes trace.json atomically, then progress.json says "done"; 5. all ranks
leave together and the process group is destroyed in `finally`.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime
import json
import os
import socket
import tempfile
import time
from collections.abc import Callable, Iterator

import torch
import torch.distributed as dist

from runner import trace as trace_v1
from runner.commcost import fit_alpha_beta

PG_TIMEOUT = datetime.timedelta(seconds=60)


@dataclasses.dataclass
class RankContext:
    """Who this process is in the job, passed explicitly to everything that needs it."""

    rank: int
    world: int
    local_rank: int
    device: torch.device
    backend: str  # "nccl" | "gloo"
    out: str  # the job's folder: trace.json, progress.json
    barrier: Callable[[], None]


def write_json_atomic(obj: dict, path: str) -> None:
    """Write JSON to a temporary file in the same folder, then rename it into place."""
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=os.path.dirname(os.path.abspath(path)))
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(obj, f)
    os.replace(tmp, path)


def make_barrier(device: torch.device, group=None) -> Callable[[], None]:
    if device.type == "cuda":
        return lambda: dist.barrier(group=group, device_ids=[device.index])
    return lambda: dist.barrier(group=group)


def setup(spec: dict, out: str) -> RankContext:
    """Start the process group: NCCL with one GPU per rank, else gloo on CPU processes."""
    rank, world = int(os.environ["RANK"]), int(os.environ["WORLD_SIZE"])
    local_rank = int(os.environ.get("LOCAL_RANK", rank))
    if spec["device"] == "cuda":
        torch.cuda.set_device(local_rank)
        device = torch.device("cuda", local_rank)
        dist.init_process_group("nccl", timeout=PG_TIMEOUT, device_id=device)
        backend = "nccl"
    else:
        torch.set_num_threads(1)  # ranks share few cores: one thread each, no thrashing
        device = torch.device("cpu")
        dist.init_process_group("gloo", timeout=PG_TIMEOUT)
        backend = "gloo"
    return RankContext(rank, world, local_rank, device, backend, out, make_barrier(device))


@contextlib.contextmanager
def rank_context(spec: dict, out: str) -> Iterator[RankContext]:
    """`setup`, then the body, then leave together and destroy the process group."""
    ctx = setup(spec, out)
    try:
        yield ctx
        ctx.barrier()  # leave together: a rank tearing down gloo early can abort its peer
    finally:
        dist.destroy_process_group()


def timed_step(step: Callable[[], object], device: torch.device) -> float:
    """Run one step; its wall time in µs on this rank (after the GPU has finished it)."""
    t0 = time.perf_counter_ns()
    step()
    if device.type == "cuda":
        torch.cuda.synchronize()
    return (time.perf_counter_ns() - t0) / 1000.0


def progress(ctx: RankContext, phase: str, step: int, total: int) -> None:
    """Rank 0 rewrites progress.json: {"phase": warmup|measure|done, "step": i, "total": n}."""
    if ctx.rank == 0:
        doc = {"phase": phase, "step": step, "total": total}
        write_json_atomic(doc, os.path.join(ctx.out, "progress.json"))


def measure(
    ctx: RankContext,
    rec,
    step: Callable[[], object],
    warmup: int,
    iterations: int,
    *,
    instrumented: bool = True,
    after_warmup: Callable[[], None] | None = None,
    after_step: Callable[[bool], None] | None = None,
) -> list[float]:
    """Warm-up then measured steps, each after a barrier; rank-local wall µs per measured step.

    `after_warmup` runs once the last warm-up step is done (reset memory peaks there);
    `after_step(measured)` runs after each step, once its events are resolved.
    """
    total = warmup + iterations
    walls: list[float] = []
    if warmup == 0 and after_warmup is not None:
        after_warmup()
    for i in range(total):
        measured = i >= warmup
        rec.active = measured and instrumented
        rec.start_iteration(i - warmup)  # barrier before every step, measured or not
        wall = timed_step(step, ctx.device)
        if measured:
            walls.append(wall)
        if rec.active:
            rec.end_iteration()
        if after_step is not None:
            after_step(measured)
        if i == warmup - 1 and after_warmup is not None:
            if ctx.device.type == "cuda":
                torch.cuda.synchronize()
            after_warmup()
        progress(ctx, "measure" if measured else "warmup", i + 1, total)
    return walls


def gather(ctx: RankContext, obj: object) -> list | None:
    """Every rank's `obj` on rank 0 (in rank order); None on the other ranks."""
    gathered = [None] * ctx.world if ctx.rank == 0 else None
    dist.gather_object(obj, gathered, dst=0)
    return gathered


def base_meta(spec: dict, ctx: RankContext) -> dict:
    """The trace-v1 `meta` every workload writes; workloads add their own keys."""
    cuda = ctx.device.type == "cuda"
    return {
        "backend": ctx.backend,
        "device": ctx.device.type,
        "gpu_name": torch.cuda.get_device_name(ctx.device) if cuda else None,
        "world_size": ctx.world,
        "torch": torch.__version__,
        "recorded_at": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "iterations": spec["iterations"],
        "warmup": spec["warmup"],
        "hostname": socket.gethostname(),
        "clock": "cuda_events" if cuda else "perf_counter_ns",
    }


def placement(ctx: RankContext) -> dict:
    """Where this rank runs: its torchrun node (GROUP_RANK), host and local rank.

    Gathered into `meta.ranks`, so a multi-node trace says which node ran which rank (two
    "nodes" on one host differ by `node`, not by `hostname`).
    """
    return {
        "rank": ctx.rank,
        "node": int(os.environ.get("GROUP_RANK", "0")),
        "hostname": socket.gethostname(),
        "local_rank": int(os.environ.get("LOCAL_RANK", "0")),
    }


def merge_events(per_rank_events: list[list[dict]]) -> list[dict]:
    """All ranks' events in one list, ordered by iteration, rank and start."""
    return sorted(
        (ev for evs in per_rank_events for ev in evs),
        key=lambda e: (e["iteration"], e["rank"], e["start_us"]),
    )


def finish(
    ctx: RankContext,
    spec: dict,
    events: list[dict],
    *,
    memory: list[dict] | None = None,
    summary: dict | None = None,
    meta: dict | None = None,
    walls: list[float] | None = None,
    summarize: Callable[[list[dict]], dict] | None = None,
) -> dict | None:
    """Gather events, memory and walls to rank 0, which writes trace.json; returns the trace.

    `summary` and `meta` (rank 0's, or any rank's: only rank 0's are used) extend the common
    ones; `summary.step_wall_us` is rank 0's mean wall time per measured step;
    `summarize(all_events)` adds what needs every rank's events (run on rank 0).
    """
    gathered = gather(ctx, (events, memory or [], walls or [], placement(ctx)))
    if ctx.rank != 0:
        return None
    all_events = merge_events([g[0] for g in gathered])
    all_memory = [m for g in gathered for m in g[1]]
    own_walls = gathered[0][2]
    doc = {
        "version": trace_v1.VERSION,
        "spec": spec,
        "meta": {**base_meta(spec, ctx), "ranks": [g[3] for g in gathered], **(meta or {})},
        "events": all_events,
        "memory": all_memory,
        "summary": {
            **trace_v1.summary(all_events, ctx.world),
            "step_wall_us": sum(own_walls) / len(own_walls) if own_walls else 0.0,
            **(summary or {}),
            **(summarize(all_events) if summarize else {}),
        },
    }
    trace_v1.save(doc, os.path.join(ctx.out, "trace.json"))
    total = spec["warmup"] + spec["iterations"]
    progress(ctx, "done", total, total)
    return doc


def probe_collective(
    ctx: RankContext, op: Callable[[torch.Tensor], object], sizes: list[int], reps: int = 5
) -> dict:
    """Time `op(tensor)` at each size in bytes (median of `reps`, after a barrier), fit α–β.

    Run during warm-up, so the fitted cost comes from this run's own links and load, and is
    recorded in the trace (meta.comm_fit) as what the prediction was made from.
    """
    points = []
    for size in sizes:
        t = torch.ones(max(1, size // 4), dtype=torch.float32, device=ctx.device)
        op(t)  # the first call of a size may set up buffers
        times = []
        for _ in range(reps):
            ctx.barrier()
            if ctx.device.type == "cuda":
                torch.cuda.synchronize()
            t0 = time.perf_counter_ns()
            op(t)
            if ctx.device.type == "cuda":
                torch.cuda.synchronize()
            times.append((time.perf_counter_ns() - t0) / 1000.0)
        points.append((t.nbytes, sorted(times)[len(times) // 2]))
    # every rank saw its own times; the collective ends for all at the slowest: take the max
    gathered = [None] * ctx.world
    dist.all_gather_object(gathered, points)
    worst = [(b, max(g[i][1] for g in gathered)) for i, (b, _) in enumerate(points)]
    return fit_alpha_beta(worst)


def pingpong(ctx: RankContext) -> Callable[[torch.Tensor], None]:
    """Neighbour ranks (0↔1, 2↔3, …) send a tensor there and back: the P2P probe's op.

    `probe_collective` times the round trip; `halved` turns it into the one-way cost."""
    peer = ctx.rank + 1 if ctx.rank % 2 == 0 else ctx.rank - 1

    def op(t: torch.Tensor) -> None:
        if peer >= ctx.world:  # an odd world: the last rank has no partner and sits out
            return
        if ctx.rank % 2 == 0:
            dist.send(t, peer)
            dist.recv(t, peer)
        else:
            dist.recv(t, peer)
            dist.send(t, peer)

    return op


def halved(fit: dict) -> dict:
    """A round-trip α–β fit as the one-way cost of one transfer."""
    return {
        "alpha_us": fit["alpha_us"] / 2,
        "beta_us_per_byte": fit["beta_us_per_byte"] / 2,
        "points": [(b, t / 2) for b, t in fit["points"]],
    }
