"""Pipeline parallelism, for real: p ranks train a stack of MLP blocks cut into stages.

Run by hand (2 gloo ranks on CPU; the CLI `python -m runner run pipeline ...` does this):

    $ cat > /tmp/spec.json <<EOF
    {"workload": "pipeline", "schedule": "1F1B", "pp": 2, "microbatches": 4,
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

import os

import runner.workloads.safe_env  # noqa: F401  (must run before torch is imported)

# isort: split
import torch

from runner import schedules as catalogue
from runner.workloads import common
from runner.workloads.entry import entry_point, exit_without_destructors
from runner.workloads.pipeline_model import batch_data, build_stage, mse_loss
from runner.workloads.pipeline_naive import NaiveStep
from runner.workloads.timing import ActivationMeter, Recorder


def build_runner(spec: dict, rank: int, device: torch.device, rec: Recorder):
    """Stage modules for this rank, the step function, and the activation meter."""
    name, p, m = spec["schedule"], spec["pp"], spec["microbatches"]
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


def run(spec: dict, out: str) -> None:
    with common.rank_context(spec, out) as ctx:
        rec = Recorder(ctx.rank, ctx.device, ctx.barrier)
        step, mem, _ = build_runner(spec, ctx.rank, ctx.device, rec)

        def warmed_up() -> None:  # shape inference and communicators are set up
            mem.reset_peak()
            if ctx.device.type == "cuda":
                torch.cuda.reset_peak_memory_stats(ctx.device)

        walls = common.measure(
            ctx, rec, step, spec["warmup"], spec["iterations"],
            instrumented=instrumentation_on(), after_warmup=warmed_up,
        )  # fmt: skip
        memory = [{"rank": ctx.rank, "peak_bytes": int(mem.peak), "kind": "activations"}]
        if ctx.device.type == "cuda":
            peak = int(torch.cuda.max_memory_allocated(ctx.device))
            memory.append({"rank": ctx.rank, "peak_bytes": peak, "kind": "allocated"})
        nbytes = spec["batch"] // spec["microbatches"] * spec["seq"] * spec["hidden"] * 4
        fit = common.probe_collective(
            ctx, common.pingpong(ctx), [nbytes // 16, nbytes // 4, nbytes]
        )
        meta = {
            "comm_fit": {"p2p": common.halved(fit)},  # one-way time of one activation send
            "comm_bytes": {"p2p": nbytes},
            "stages_per_rank": catalogue.info(spec["schedule"]).stages_per_rank,
            "comm_events": "wait on P2P work (RECV_*: time blocked waiting for the peer)",
            "instrumented": instrumentation_on(),
        }
        common.finish(ctx, trace_spec(spec), rec.events, memory=memory, meta=meta, walls=walls)


def trace_spec(spec: dict) -> dict:
    """The spec as the trace records it: trace v1 also names the depth `stages`."""
    return {**spec, "stages": spec["pp"]}


main = entry_point("pipeline", run, __doc__.splitlines()[0])


if __name__ == "__main__":
    main()
    exit_without_destructors()
