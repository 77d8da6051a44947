"""Data parallelism, for real: every rank trains the whole MLP stack on its own data and the
ranks average their gradients — DDP's buckets overlapping backward, beside the naive way.

Run by hand (2 gloo ranks on CPU; `python -m runner run data_parallel` does this):

    $ echo '{"workload": "data_parallel", "mode": "overlap", "dp": 2, "device": "cpu"}' \\
          > /tmp/dp.json
    $ torchrun --standalone --nproc-per-node 2 -m runner.workloads.data_parallel \\
          --spec /tmp/dp.json --out /tmp/dp

It writes /tmp/dp/trace.json (trace v1, DESIGN.md) and /tmp/dp/progress.json. Fields and
defaults: runner/specs/data_parallel.py.

One step on every rank: 1. forward, block by block (F events); 2. backward, last block
first (B events), gradients averaged over the ranks as data_parallel_comm.py says for the
mode (ALLREDUCE events on stream "comm", one per bucket or gradient); 3. Adam step (OPT).
`overlap` is DistributedDataParallel (Li et al. 2020, arXiv 2006.15704) with
`bucket_cap_mb` buckets and `gradient_as_bucket_view` (gradients live in the buckets, no
copy); `no_overlap` runs backward under `no_sync()` and one flat all-reduce after it;
`naive` all-reduces each gradient by hand (picotron's DataParallelNaive).

summary.comm_exposed_us: per step and rank, the time between the last gradient and the end
of the averaging (what overlap could not hide). During warm-up the ranks time all-reduces
of 3 sizes and fit α + β·bytes (meta.comm_fit.allreduce); runner/predict_dp.py predicts the
step from it, the measured F/B times and the buckets this run made.
"""

from __future__ import annotations

import runner.workloads.safe_env  # noqa: F401  (must run before torch is imported)

# isort: split
import contextlib
import warnings

import torch
import torch.distributed as dist
from torch.nn.parallel import DistributedDataParallel as DDP

from runner.workloads import common, dp_model
from runner.workloads.data_parallel_comm import (
    BucketHook,
    Transfers,
    flat_allreduce,
    naive_allreduce,
)
from runner.workloads.entry import entry_point, exit_without_destructors
from runner.workloads.timing import Recorder

warnings.filterwarnings("ignore", message="Full backward hook is firing")


def build(spec: dict, ctx: common.RankContext, rec: Recorder, peaks: dp_model.PartBytes):
    """The model (DDP-wrapped unless naive), its step function and the exposed-time list."""
    model = dp_model.build_model(spec["layers"], spec["hidden"], ctx.device)
    acts = dp_model.ActivationBytes(model)
    timer = dp_model.LayerTimer(rec, list(model))
    transfers = Transfers(rec, timer)
    mode, world = spec["mode"], ctx.world
    hook = None
    if mode != "naive":
        cap = spec["bucket_cap_mb"]
        model = DDP(model, bucket_cap_mb=cap, gradient_as_bucket_view=True)
        if mode == "overlap":
            hook = BucketHook(transfers, world)
            model.register_comm_hook(None, hook.allreduce)
    opt = torch.optim.Adam(model.parameters(), lr=1e-4)
    x = dp_model.make_batch(spec["batch"], spec["seq"], spec["hidden"], ctx.rank, ctx.device)
    exposed: list[float] = []

    def step() -> None:
        timer.new_step()
        quiet = model.no_sync() if mode == "no_overlap" else contextlib.nullcontext()
        with quiet:
            with acts.saving():
                loss = dp_model.loss_fn(model(x))
            loss.backward()  # overlap: returns once DDP has waited for every bucket
        if mode == "overlap":
            hook.flush()
        elif mode == "no_overlap":
            flat_allreduce(model.module, transfers, world)
        else:
            naive_allreduce(model, transfers, world)
        averaged = rec.mark()
        peaks.after_backward(model)
        if rec.active and timer.last_ready is not None:
            exposed.append((timer.last_ready, averaged))
        start = rec.mark()
        opt.step()
        opt.zero_grad(set_to_none=False)  # keep the bucket views DDP's gradients live in
        rec.add("OPT", 0, start, rec.mark())
        peaks.after_step(model, opt, acts)

    return model, step, exposed


def run(spec: dict, out: str) -> None:
    with common.rank_context(spec, out) as ctx:
        rec = Recorder(ctx.rank, ctx.device, ctx.barrier)
        peaks = dp_model.PartBytes()
        model, step, marks = build(spec, ctx, rec, peaks)
        exposed: list[float] = []

        def after_step(measured: bool) -> None:
            if measured:
                exposed.extend(max(0.0, rec.elapsed_us(a, b)) for a, b in marks)
            marks.clear()

        walls = common.measure(
            ctx,
            rec,
            step,
            spec["warmup"],
            spec["iterations"],
            after_step=after_step,
            after_warmup=lambda: setattr(peaks, "on", True),
        )
        nbytes = 4 * sum(p.numel() for p in model.parameters())
        fit = common.probe_collective(
            ctx, lambda t: dist.all_reduce(t), [max(4, nbytes // 64), nbytes // 8, nbytes]
        )
        per_step = [us for ranks in common.gather(ctx, exposed) or [] for us in ranks]
        summary = {"comm_exposed_us": sum(per_step) / len(per_step) if per_step else 0.0}
        meta = {
            "comm_fit": {"allreduce": fit},
            "comm_bytes": {"allreduce": nbytes},
            "comm_events": "ALLREDUCE: issue to completion, per bucket (overlap), the flat "
            "buffer (no_overlap) or each gradient (naive)",
        }
        memory = peaks.rows(ctx.rank, ("parameters", "gradients", "optimizer", "activations"))
        common.finish(ctx, spec, rec.events, memory=memory, summary=summary, meta=meta, walls=walls)


main = entry_point("data_parallel", run, __doc__.splitlines()[0])


if __name__ == "__main__":
    main()
    exit_without_destructors()
