"""The memory planner (runner/memory_plan.py) against what real runs measured, same sizes.

Tolerance: 10 % for weights, gradients and optimizer states (the bench's target; the
measured bytes include Adam's step counters and FSDP's padding), 10 % for activations
(the planner counts the three tensors an MLP layer saves; runs also save the loss's input).
Each comparison is printed (pytest -s shows them).
"""

from __future__ import annotations

import pytest

from runner import memory_plan
from tests.integration.conftest import run_workload
from tests.integration.test_workload_fsdp import SIZE, fsdp_job  # noqa: F401  (fixture)

pytestmark = pytest.mark.integration
pytest.importorskip("torch")
TOLERANCE = 0.10


def check(label: str, measured: float, estimate: float) -> None:
    error = (measured - estimate) / estimate
    print(f"{label:42s} measured {measured / 2**20:9.3f} MiB  planner {estimate / 2**20:9.3f} "
          f"MiB  {error:+.1%} (tolerance ±{TOLERANCE:.0%})")  # fmt: skip
    assert abs(error) <= TOLERANCE, label


def mlp(layers: int, hidden: int, tokens: int, params: int) -> memory_plan.Model:
    return memory_plan.Model(params=params, layers=layers, hidden=hidden, seq=tokens,
                             microbatch=1, kind="mlp")  # fmt: skip


@pytest.mark.parametrize("stage", ["zero3", "zero1"])
def test_planner_matches_fsdp_runs(fsdp_job, stage):  # noqa: F811
    t = fsdp_job(stage)
    h, layers = SIZE["hidden"], SIZE["layers"]
    model = mlp(layers, h, SIZE["batch"] * SIZE["seq"], layers * 8 * h * h)
    plan = memory_plan.Plan(precision="fp32", dp=SIZE["dp"], zero=3 if stage == "zero3" else 1)
    est = memory_plan.estimate(model, plan).parts()
    mem = {m["kind"]: m["peak_bytes"] for m in t["memory"] if m["rank"] == 0}
    for part, kind in [("weights", "parameters"), ("gradients", "gradients"),
                       ("optimizer", "optimizer"), ("activations", "activations")]:  # fmt: skip
        check(f"fsdp {stage} {part}", mem[kind], est[part])


def test_planner_matches_a_data_parallel_run(tmp_path):
    spec = {"workload": "data_parallel", **SIZE}
    t = run_workload(spec, tmp_path)
    h, layers = SIZE["hidden"], SIZE["layers"]
    model = mlp(layers, h, SIZE["batch"] * SIZE["seq"], layers * 8 * h * h)
    est = memory_plan.estimate(model, memory_plan.Plan(precision="fp32", dp=2)).parts()
    mem = {m["kind"]: m["peak_bytes"] for m in t["memory"] if m["rank"] == 1}
    for part, kind in [("weights", "parameters"), ("optimizer", "optimizer"),
                       ("activations", "activations")]:  # fmt: skip
        check(f"data_parallel {part}", mem[kind], est[part])


def test_planner_matches_a_pipeline_runs_activations(tmp_path):
    """1F1B on 2 stages, 4 micro-batches: stage 0 holds min(p, m) = 2 micro-batches."""
    hidden, per_stage, batch, seq, m = 128, 2, 8, 32, 4
    spec = {"workload": "pipeline", "schedule": "1F1B", "pp": 2, "microbatches": m,
            "hidden": hidden, "layers_per_stage": per_stage, "batch": batch, "seq": seq,
            "iterations": 2, "warmup": 1}  # fmt: skip
    t = run_workload(spec, tmp_path)
    blocks = 2 * per_stage
    model = mlp(blocks, hidden, batch // m * seq, blocks * (8 * hidden**2 + 5 * hidden))
    plan = memory_plan.Plan(precision="fp32", pp=2, microbatches=m, schedule="1F1B")
    est = memory_plan.estimate(model, plan).activations
    measured = next(x["peak_bytes"] for x in t["memory"] if x["rank"] == 0)
    check("pipeline 1F1B stage 0 activations", measured, est)
