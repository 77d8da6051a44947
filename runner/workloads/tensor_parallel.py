"""Tensor parallelism, for real: N ranks run a stack of Megatron MLP blocks, forward only.

Run by hand (2 gloo ranks on CPU):

    $ cat > /tmp/tp.json <<EOF
    {"workload": "tensor_parallel", "mode": "ladder", "ranks": 2, "layers": 4,
     "hidden": 256, "batch": 4, "seq": 64, "iterations": 3, "warmup": 1, "device": "cpu"}
    EOF
    $ torchrun --standalone --nproc-per-node 2 -m runner.workloads.tensor_parallel \\
          --spec /tmp/tp.json --out /tmp/tp

It writes /tmp/tp/trace.json (trace v1, DESIGN.md) and /tmp/tp/progress.json. On GPUs set
"device": "cuda" (NCCL, one GPU per rank); optional keys: "dtype" (float32 | bfloat16 |
float16; default float32 on cpu, bfloat16 on cuda) and "check" (compare with a one-process
reference, default true on cpu only). Inference: forward only, under torch.no_grad.

Modes (tp_model.py): "blocking" is standard Megatron TP (arXiv 1909.08053), every all-reduce
on the critical path — the naive version; "ladder" is Ladder Residual (arXiv 2501.06589),
which overlaps block i−1's all-reduce with block i's compute (a different model, see there).

Events per rank, layer and measured iteration: COMPUTE (stream "compute", stage = layer) and
ALLREDUCE (stream "comm", stage = layer). How the all-reduce is timed:
- CPU (gloo): issued with async_op=True (gloo runs it on its own thread); it spans from the
  issue to its completion, taken by a callback on the work's future (the wait's return if
  that comes first or the callback never ran).
- GPU (NCCL): issued on a side stream that first waits for the compute stream; CUDA events
  recorded on that stream just before and after the collective bracket its execution
  (including waiting for the peer); the compute stream waits on the "after" event only where
  it needs the sum (right away in blocking mode, one block later in ladder mode).
summary.comm_exposed_us is the mean per step and rank of the time the compute side waited
for all-reduces: CPU, time inside work.wait(); GPU, events on the compute stream around its
wait (a stall only shows if the host runs ahead of the GPU, which these sizes ensure).
The trace's spec also carries schedule = mode, stages = 1, microbatches = 1 (trace v1 keys).
"""

from __future__ import annotations

import datetime
import os
import socket
import time

import runner.workloads.safe_env  # noqa: F401  (must run before torch is imported)

# isort: split
import torch
import torch.distributed as dist

from runner import trace as trace_v1
from runner.workloads import tp_model
from runner.workloads.entry import (
    entry_point,
    exit_without_destructors,
    load_spec,
)
from runner.workloads.pipeline import make_barrier, setup, timed_step, write_json_atomic
from runner.workloads.timing import Recorder

DTYPES = {"float32": torch.float32, "bfloat16": torch.bfloat16, "float16": torch.float16}
SPEC_INT_FIELDS = ("ranks", "layers", "hidden", "batch", "seq", "iterations", "warmup")


def read_spec(path: str, world_size: int) -> dict:
    """Load SPEC.json; ValueError naming the field when it cannot run on this world."""
    ints = {field: 0 if field == "warmup" else 1 for field in SPEC_INT_FIELDS}
    spec = load_spec(path, ("workload", "mode", "device"), ints)
    choices = {
        "workload": ("tensor_parallel",),
        "mode": ("blocking", "ladder"),
        "dtype": (None, *DTYPES),
    }
    for field, allowed in choices.items():
        if spec.get(field) not in allowed:
            raise ValueError(f"spec.{field}: expected one of {allowed}, got {spec.get(field)!r}")
    if spec["ranks"] != world_size:
        raise ValueError(f"spec.ranks: {spec['ranks']} but torchrun started {world_size} ranks")
    if (4 * spec["hidden"]) % spec["ranks"]:
        raise ValueError(f"spec.hidden: 4 × {spec['hidden']} does not split over the ranks")
    # trace v1 asks every spec for the pipeline keys: one stage, one micro-batch
    return {"schedule": spec["mode"], "stages": 1, "microbatches": 1, **spec}


class GlooComm:
    """All-reduce on CPU: gloo's thread runs it; completion time from the future's callback."""

    def __init__(self, rec: Recorder) -> None:
        self.rec = rec
        self.waits: list[tuple] = []  # (before, after) marks around each wait

    def compute(self, layer: int, fn) -> torch.Tensor:
        start = self.rec.mark()
        y = fn()
        self.rec.add("COMPUTE", layer, start, self.rec.mark())
        return y

    def start(self, y: torch.Tensor, layer: int):
        done: dict[str, int] = {}
        issued = self.rec.mark()
        work = dist.all_reduce(y, async_op=True)
        # runs on gloo's thread when the reduce finishes (or here, if it already has)
        work.get_future().then(lambda _: done.setdefault("t", time.perf_counter_ns()))
        return y, layer, issued, work, done

    def finish(self, pending) -> torch.Tensor:
        y, layer, issued, work, done = pending
        before = self.rec.mark()
        work.wait()
        after = self.rec.mark()
        self.rec.add("ALLREDUCE", layer, issued, min(done.get("t", after), after), "comm")
        self.waits.append((before, after))
        return y


class NcclComm(GlooComm):
    """All-reduce on GPUs: on a side stream, bracketed by CUDA events on that stream."""

    def __init__(self, rec: Recorder) -> None:
        super().__init__(rec)
        self.stream = torch.cuda.Stream()

    def start(self, y: torch.Tensor, layer: int):
        current = torch.cuda.current_stream()
        self.stream.wait_stream(current)  # y is computed on the current stream
        y.record_stream(self.stream)  # the allocator must not reuse y before the reduce ends
        with torch.cuda.stream(self.stream):
            begin = self.rec.mark(self.stream)
            dist.all_reduce(y)  # not async: the side stream (not the host) waits for NCCL
            end = self.rec.mark(self.stream)
        self.rec.add("ALLREDUCE", layer, begin, end, "comm")
        return y, end

    def finish(self, pending) -> torch.Tensor:
        y, end = pending
        current = torch.cuda.current_stream()
        before = self.rec.mark(current)
        current.wait_event(end)  # the compute stream needs the sum from here on
        self.waits.append((before, self.rec.mark(current)))
        return y


def resolve_dtype(spec: dict) -> torch.dtype:
    return DTYPES[spec.get("dtype") or ("bfloat16" if spec["device"] == "cuda" else "float32")]


def check_error(spec: dict, rank: int, world: int, shards, x, out: torch.Tensor) -> float | None:
    """Gather the weight shards; rank 0 returns max |sharded − one-process reference|."""
    full = []
    for shard in shards:
        ups = [torch.empty_like(shard.up) for _ in range(world)]
        downs = [torch.empty_like(shard.down) for _ in range(world)]
        dist.all_gather(ups, shard.up.contiguous())
        dist.all_gather(downs, shard.down.contiguous())
        full.append((torch.cat(ups, 0).float(), torch.cat(downs, 1).float()))
    if rank != 0:
        return None
    ref = tp_model.reference(x.float(), full, ladder=spec["mode"] == "ladder")
    return float((out.float() - ref).abs().max())


def measure(spec: dict, rank: int, device: torch.device, rec: Recorder, out: str):
    """Warm-up and measured steps; returns (walls, exposed per step, last output)."""
    dtype = resolve_dtype(spec)
    shards = tp_model.build_shards(
        spec["layers"], spec["hidden"], rank, spec["ranks"], device, dtype
    )
    x = tp_model.make_input(spec["batch"], spec["seq"], spec["hidden"], device, dtype)
    comm = NcclComm(rec) if device.type == "cuda" else GlooComm(rec)
    forward = tp_model.forward_ladder if spec["mode"] == "ladder" else tp_model.forward_blocking
    result: list[torch.Tensor] = []  # the last step's output [batch, seq, hidden]

    def step() -> None:
        result[:] = [forward(x, shards, comm)]

    walls, exposed = [], []
    total = spec["warmup"] + spec["iterations"]
    for i in range(total):
        measured = i >= spec["warmup"]
        rec.active = measured
        rec.start_iteration(i - spec["warmup"])  # barrier before every step
        comm.waits.clear()
        wall = timed_step(step, device)
        if measured:
            rec.end_iteration()  # synchronizes: every CUDA event has completed
            walls.append(wall)
            exposed.append(sum(rec.elapsed_us(a, b) for a, b in comm.waits))
        if rank == 0:
            phase = "measure" if measured else "warmup"
            write_json_atomic(
                {"phase": phase, "step": i + 1, "total": total}, os.path.join(out, "progress.json")
            )
    return walls, exposed, shards, x, result[0]


def run(spec: dict, out: str) -> None:
    rank, world, device, backend = setup(spec)
    try:
        rec = Recorder(rank, device, make_barrier(device))
        with torch.no_grad():
            walls, exposed, shards, x, y = measure(spec, rank, device, rec, out)
            check = spec.get("check", device.type == "cpu")
            error = check_error(spec, rank, world, shards, x, y) if check else None
        gathered = [None] * world if rank == 0 else None
        dist.gather_object((rec.events, exposed), gathered, dst=0)
        if rank == 0:
            write_trace(spec, out, backend, device, gathered, walls, error)
            total = spec["warmup"] + spec["iterations"]
            write_json_atomic(
                {"phase": "done", "step": total, "total": total},
                os.path.join(out, "progress.json"),
            )
        rec.barrier()  # leave together: a rank tearing down gloo early can abort its peer
    finally:
        dist.destroy_process_group()


def write_trace(spec, out, backend, device, gathered, walls, error) -> None:
    """Rank 0: merge every rank's events; summary from runner.trace plus the TP numbers."""
    events = sorted(
        (ev for evs, _ in gathered for ev in evs),
        key=lambda e: (e["iteration"], e["rank"], e["start_us"]),
    )
    cuda = device.type == "cuda"
    now = datetime.datetime.now(datetime.timezone.utc)
    meta = {
        "backend": backend,
        "device": device.type,
        "gpu_name": torch.cuda.get_device_name(device) if cuda else None,
        "world_size": len(gathered),
        "torch": torch.__version__,
        "recorded_at": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "iterations": spec["iterations"],
        "warmup": spec["warmup"],
        "hostname": socket.gethostname(),
        "clock": "cuda_events" if cuda else "perf_counter_ns",
        "dtype": str(resolve_dtype(spec)).removeprefix("torch."),
        "comm_events": "ALLREDUCE: side-stream CUDA events around the collective"
        if cuda
        else "ALLREDUCE: issue to completion (future callback on gloo's thread)",
    }
    summary = trace_v1.summary(events, len(gathered))
    summary["step_wall_us"] = sum(walls) / len(walls) if walls else 0.0  # rank 0, mean
    per_step = [us for _, exposed in gathered for us in exposed]  # every rank and step
    summary["comm_exposed_us"] = sum(per_step) / len(per_step) if per_step else 0.0
    reduces = [e["end_us"] - e["start_us"] for e in events if e["kind"] == "ALLREDUCE"]
    steps = max(1, len(gathered) * spec["iterations"])
    summary["comm_us"] = sum(reduces) / steps  # all-reduce time per step and rank
    summary["max_abs_error"] = error
    trace = {"version": trace_v1.VERSION, "spec": spec, "meta": meta, "events": events,
             "memory": [], "summary": summary}  # fmt: skip
    trace_v1.save(trace, os.path.join(out, "trace.json"))


main = entry_point(read_spec, run, __doc__.splitlines()[0])


if __name__ == "__main__":
    main()
    exit_without_destructors()
