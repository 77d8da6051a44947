"""Real 2-rank gloo runs of runner/workloads/tensor_parallel.py: event order, never durations.

Each mode is launched once per session and shared by the tests.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from tests.integration.conftest import run_workload

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
LAYERS, ITERATIONS = 3, 2
# big enough that a block's matmuls outlast the Python between issuing a reduce and the
# next block's start, so the order checked below never depends on timer noise
SIZE = {"tp": 2, "layers": LAYERS, "hidden": 256, "batch": 4, "seq": 64,
        "iterations": ITERATIONS, "warmup": 1, "device": "cpu"}  # fmt: skip

pytest.importorskip("torch")


@pytest.fixture(scope="session")
def job(tmp_path_factory):
    cache: dict[str, dict] = {}

    def run(mode: str) -> dict:
        if mode not in cache:
            out = tmp_path_factory.mktemp(f"tp-{mode}")
            spec = {"workload": "tensor_parallel", "mode": mode, **SIZE}
            cache[mode] = run_workload(spec, out)
        return cache[mode]

    return run


def spans(t: dict, rank: int, iteration: int) -> dict[tuple[str, int], dict]:
    """{(kind, layer): event} of one rank in one iteration."""
    return {
        (e["kind"], e["stage"]): e
        for e in t["events"]
        if e["rank"] == rank and e["iteration"] == iteration
    }


@pytest.mark.parametrize("mode", ["blocking", "ladder", "torch_tp"])
def test_one_compute_and_one_allreduce_per_layer_rank_and_iteration(job, mode):
    t = job(mode)
    counts = Counter((e["rank"], e["iteration"], e["kind"], e["stage"]) for e in t["events"])
    expected = {
        (r, it, kind, layer): 1
        for r in range(2)
        for it in range(ITERATIONS)
        for kind in ("COMPUTE", "ALLREDUCE")
        for layer in range(LAYERS)
    }
    assert dict(counts) == expected
    streams = {(e["kind"], e["stream"]) for e in t["events"]}
    assert streams == {("COMPUTE", "compute"), ("ALLREDUCE", "comm")}
    assert all(e["microbatch"] is None for e in t["events"])
    assert t["spec"]["mode"] == mode and t["meta"]["world_size"] == 2
    assert t["summary"]["comm_exposed_us"] >= 0 and t["summary"]["step_wall_us"] > 0


@pytest.mark.parametrize("mode", ["blocking", "torch_tp"])
def test_blocking_each_layer_waits_for_the_previous_allreduce(job, mode):
    t = job(mode)
    for rank in range(2):
        for it in range(ITERATIONS):
            ev = spans(t, rank, it)
            for layer in range(LAYERS):
                assert ev[("ALLREDUCE", layer)]["start_us"] >= ev[("COMPUTE", layer)]["end_us"]
            for layer in range(1, LAYERS):
                assert ev[("COMPUTE", layer)]["start_us"] >= ev[("ALLREDUCE", layer - 1)]["end_us"]


def test_ladder_next_layer_computes_while_the_allreduce_runs(job):
    t = job("ladder")
    overlapped, pairs = 0, 0
    for rank in range(2):
        for it in range(ITERATIONS):
            ev = spans(t, rank, it)
            for layer in range(LAYERS):
                assert ev[("ALLREDUCE", layer)]["start_us"] >= ev[("COMPUTE", layer)]["end_us"]
            for layer in range(1, LAYERS):
                compute, prev = ev[("COMPUTE", layer)], ev[("COMPUTE", layer - 1)]
                assert compute["start_us"] >= prev["end_us"]
                pairs += 1
                overlapped += compute["start_us"] < ev[("ALLREDUCE", layer - 1)]["end_us"]
    # Order is certain (block i is issued before block i-1's sum is awaited); overlap in time
    # is not, when a loaded host lets a small reduce finish before the next block starts.
    assert overlapped >= pairs / 2, f"only {overlapped} of {pairs} blocks overlapped a reduce"


@pytest.mark.parametrize("mode", ["blocking", "ladder", "torch_tp"])
def test_sharded_output_matches_one_process_reference(job, mode):
    error = job(mode)["summary"]["max_abs_error"]
    assert error is not None and error < 1e-4


@pytest.mark.parametrize("mode", ["blocking", "ladder", "torch_tp"])
def test_the_run_records_its_allreduce_costs_and_the_prediction_uses_them(job, mode):
    from runner import registry

    t = job(mode)
    fit = t["meta"]["comm_fit"]["allreduce"]
    assert len(fit["points"]) == 3 and fit["alpha_us"] >= 0 and fit["beta_us_per_byte"] >= 0
    assert t["meta"]["comm_bytes"]["allreduce"] == 4 * 64 * 256 * 4  # [b, s, h] in fp32
    spec = registry.spec_from_trace(t["spec"])
    predicted = registry.get("tensor_parallel").predict(spec, t)
    s = predicted["summary"]
    from runner.gantt_panel import median_iteration
    from runner.predict_tp import in_step_allreduce

    drawn = [e for e in t["events"] if e["iteration"] == median_iteration(t)]
    assert s["allreduce_us"] == pytest.approx(in_step_allreduce(drawn))
    assert s["allreduce_us"] > 0
    # blocking pays every all-reduce; ladder hides all but the last behind compute
    paid = LAYERS if mode != "ladder" else 1
    assert s["step_us"] >= LAYERS * s["compute_us"] + paid * s["allreduce_us"] - 1e-6


def test_four_ranks_torch_tp_matches_the_reference(tmp_path):
    spec = {"workload": "tensor_parallel", "mode": "torch_tp", **SIZE, "tp": 4, "layers": 2,
            "iterations": 1}  # fmt: skip
    t = run_workload(spec, tmp_path)
    assert t["meta"]["world_size"] == 4
    assert {e["rank"] for e in t["events"]} == {0, 1, 2, 3}
    assert t["summary"]["max_abs_error"] < 1e-4
