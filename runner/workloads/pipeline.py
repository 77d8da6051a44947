"""Pipeline parallelism, for real: p ranks train a stack of MLP blocks cut into stages.

Run by hand (2 gloo ranks on CPU; the CLI `python -m runner run pipeline ...` does this):

    $ cat > /tmp/spec.json <<EOF
    {"workload": "pipeline", "schedule": "1F1B", "stages": 2, "microbatches": 4,
     "hidden": 256, "layers_per_stage": 2, "batch": 32, "seq": 32,
     "iterations": 3, "warmup": 1, "device": "cpu"}
    EOF
    $ torchrun --standalone --nproc-per-node=2 -m runner.workloads.pipeline \\
          --spec /tmp/spec.json --out /tmp/run

It writes /tmp/run/trace.json (trace v1, DESIGN.md) and /tmp/run/progress.json
({"phase": "warmup" | "measure" | "done", "step": i, "total": n}, rewritten after each step).
On GPUs set "device": "cuda" (NCCL, one GPU per rank, CUDA-event timing).

Events: F / B / I / W from the stage methods the schedule calls, and the waits on its P2P
work as RECV_F / RECV_B / SEND_F / SEND_B (pipeline_hooks.py); PARALAB_COMM_EVENTS=0 records
compute only. Memory: peak activation bytes per rank (and peak CUDA allocation on GPUs).

Schedules come from torch.distributed.pipelining (see runner/schedules.py for the papers):
GPipe (arXiv 1811.06965) runs all forwards then all backwards; 1F1B (arXiv 1806.03377) runs
1. warmup: p−r forwards on rank r, 2. steady: one backward then one forward, 3. cooldown:
the remaining backwards; the interleaved (arXiv 2104.04473), zero-bubble (arXiv 2401.10241)
and DualPipeV (arXiv 2412.19437) schedules hold two stages per rank. `naive` is the
layer split without micro-batches (pipeline_naive.py).

Only torch, numpy (needed by torch's shape inference) and the standard library are used;
`runner.trace` and `runner.schedules` are stdlib-only.
"""

from __future__ import annotations

import datetime
import json
import os
import socket
import tempfile
import time

import runner.workloads.safe_env  # noqa: F401  (must run before torch is imported)

# isort: split
import torch
import torch.distributed as dist

from runner import schedules as catalogue
from runner import trace as trace_v1
from runner.workloads.entry import (
    entry_point,
    exit_without_destructors,
    load_spec,
)
from runner.workloads.pipeline_model import batch_data, build_stage, mse_loss
from runner.workloads.pipeline_naive import NaiveStep
from runner.workloads.timing import ActivationMeter, Recorder

SPEC_INT_FIELDS = (
    "stages",
    "microbatches",
    "hidden",
    "layers_per_stage",
    "batch",
    "seq",
    "iterations",
    "warmup",
)


def read_spec(path: str, world_size: int) -> dict:
    """Load SPEC.json; ValueError naming the field when it cannot run on this world."""
    spec = load_spec(path, ("workload", "schedule", "device"), dict.fromkeys(SPEC_INT_FIELDS, 1))
    if spec["workload"] != "pipeline":
        raise ValueError(f"spec.workload: expected 'pipeline', got {spec['workload']!r}")
    if spec["stages"] != world_size:
        raise ValueError(f"spec.stages: {spec['stages']} but torchrun started {world_size} ranks")
    reason = catalogue.check(spec["schedule"], spec["stages"], spec["microbatches"])
    if reason:
        raise ValueError(f"spec.schedule: {reason}")
    if spec["batch"] % spec["microbatches"]:
        raise ValueError(
            f"spec.batch: {spec['batch']} does not split into {spec['microbatches']} "
            "equal micro-batches"
        )
    return spec


def write_json_atomic(obj: dict, path: str) -> None:
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=os.path.dirname(os.path.abspath(path)))
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(obj, f)
    os.replace(tmp, path)


def setup(spec: dict) -> tuple[int, int, torch.device, str]:
    """Start the process group (NCCL on GPUs, gloo on CPU), 60 s timeout."""
    rank, world = int(os.environ["RANK"]), int(os.environ["WORLD_SIZE"])
    local_rank = int(os.environ.get("LOCAL_RANK", rank))
    timeout = datetime.timedelta(seconds=60)
    if spec["device"] == "cuda":
        torch.cuda.set_device(local_rank)
        device = torch.device("cuda", local_rank)
        dist.init_process_group("nccl", timeout=timeout, device_id=device)
        return rank, world, device, "nccl"
    torch.set_num_threads(1)
    dist.init_process_group("gloo", timeout=timeout)
    return rank, world, torch.device("cpu"), "gloo"


def make_barrier(device: torch.device):
    if device.type == "cuda":
        return lambda: dist.barrier(device_ids=[device.index])
    return dist.barrier


def build_runner(spec: dict, rank: int, device: torch.device, rec: Recorder):
    """Stage modules for this rank, the step function, and the activation meter."""
    name, p, m = spec["schedule"], spec["stages"], spec["microbatches"]
    info = catalogue.info(name)
    n_stages = p * info.stages_per_rank
    indices = catalogue.stage_indices(name, rank, p)
    modules = [build_stage(i, spec["hidden"], spec["layers_per_stage"]).to(device) for i in indices]
    mem = ActivationMeter([q for mod in modules for q in mod.parameters()])
    shape = (spec["batch"], spec["seq"], spec["hidden"])
    x, target = batch_data(*shape, device)
    if name == "naive":
        naive = NaiveStep(modules[0], rank, p, shape, device, mse_loss, rec, mem)
        return (lambda: naive.step(x, target)), mem, n_stages

    from torch.distributed.pipelining import PipelineStage
    from torch.distributed.pipelining.schedules import get_schedule_class

    from runner.workloads.pipeline_hooks import instrument_stage, patch_p2p

    instrumented = instrumentation_on()
    if instrumented and os.environ.get("PARALAB_COMM_EVENTS", "1") != "0":  # 0: compute only
        patch_p2p(rec)
    stages = [
        PipelineStage(mod, i, n_stages, device) for mod, i in zip(modules, indices, strict=True)
    ]
    for stage in stages if instrumented else ():
        instrument_stage(stage, rec, mem)
    cls = get_schedule_class(name)
    sched = cls(stages[0] if info.stages_per_rank == 1 else stages, m, loss_fn=mse_loss)
    args = (x,) if 0 in indices else ()  # the first stage takes the whole batch
    last = n_stages - 1 in indices  # the last stage takes the target (V: rank 0 holds both)

    def step() -> None:
        sched.step(*args, **({"target": target, "losses": []} if last else {}))
        for mod in modules:
            mod.zero_grad(set_to_none=True)

    return step, mem, n_stages


def instrumentation_on() -> bool:
    """PARALAB_INSTRUMENT=0 runs the same steps with no wrappers (the overhead benchmark)."""
    return os.environ.get("PARALAB_INSTRUMENT", "1") != "0"


def timed_step(step, device: torch.device) -> float:
    """Run one step; its wall time in µs on this rank (after the GPU has finished it)."""
    t0 = time.perf_counter_ns()
    step()
    if device.type == "cuda":
        torch.cuda.synchronize()
    return (time.perf_counter_ns() - t0) / 1000.0


def run(spec: dict, out: str) -> None:
    rank, world, device, backend = setup(spec)
    try:
        rec = Recorder(rank, device, make_barrier(device))
        step, mem, _ = build_runner(spec, rank, device, rec)
        warmup, iters = spec["warmup"], spec["iterations"]
        total = warmup + iters
        walls: list[float] = []
        for i in range(total):
            rec.active = i >= warmup and instrumentation_on()
            rec.start_iteration(i - warmup)  # barrier before every step, measured or not
            wall = timed_step(step, device)
            if i >= warmup:
                walls.append(wall)
            if rec.active:
                rec.end_iteration()
            if i == warmup - 1:  # warm-up done: shape inference and communicators are set up
                mem.reset_peak()
                if device.type == "cuda":
                    torch.cuda.synchronize()
                    torch.cuda.reset_peak_memory_stats(device)
            if rank == 0:
                phase = "warmup" if i < warmup else "measure"
                write_json_atomic(
                    {"phase": phase, "step": i + 1, "total": total},
                    os.path.join(out, "progress.json"),
                )
        memory = [{"rank": rank, "peak_bytes": int(mem.peak), "kind": "activations"}]
        if device.type == "cuda":
            memory.append(
                {
                    "rank": rank,
                    "peak_bytes": int(torch.cuda.max_memory_allocated(device)),
                    "kind": "allocated",
                }
            )
        gathered = [None] * world if rank == 0 else None
        dist.gather_object((rec.events, memory), gathered, dst=0)
        if rank == 0:
            write_trace(spec, out, backend, device, gathered, walls)
            write_json_atomic(
                {"phase": "done", "step": total, "total": total},
                os.path.join(out, "progress.json"),
            )
        rec.barrier()  # leave together: a rank tearing down gloo early can abort its peer
    finally:
        dist.destroy_process_group()


def write_trace(
    spec: dict, out: str, backend: str, device: torch.device, gathered, walls: list[float]
) -> None:
    events = sorted(
        (ev for evs, _ in gathered for ev in evs),
        key=lambda e: (e["iteration"], e["rank"], e["start_us"]),
    )
    memory = [m for _, mems in gathered for m in mems]
    cuda = device.type == "cuda"
    meta = {
        "backend": backend,
        "device": device.type,
        "gpu_name": torch.cuda.get_device_name(device) if cuda else None,
        "world_size": len(gathered),
        "torch": torch.__version__,
        "recorded_at": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "iterations": spec["iterations"],
        "warmup": spec["warmup"],
        "hostname": socket.gethostname(),
        "stages_per_rank": catalogue.info(spec["schedule"]).stages_per_rank,
        "clock": "cuda_events" if cuda else "perf_counter_ns",
        "comm_events": "wait on P2P work (RECV_*: time blocked waiting for the peer)",
        "instrumented": instrumentation_on(),
    }
    summary = trace_v1.summary(events, len(gathered))
    # rank 0's wall time per measured step, barrier excluded: compares runs with and
    # without instrumentation (bench/bench_runner.py)
    summary["step_wall_us"] = sum(walls) / len(walls) if walls else 0.0
    trace = {
        "version": trace_v1.VERSION,
        "spec": spec,
        "meta": meta,
        "events": events,
        "memory": memory,
        "summary": summary,
    }
    trace_v1.save(trace, os.path.join(out, "trace.json"))


main = entry_point(read_spec, run, __doc__.splitlines()[0])


if __name__ == "__main__":
    main()
    exit_without_destructors()
