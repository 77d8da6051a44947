"""Real 2-rank gloo runs of runner/workloads/data_parallel.py: order of events, never durations.

Each mode is launched once per session and shared by the tests.
"""

from __future__ import annotations

import itertools
from collections import Counter

import pytest

from tests.integration.conftest import run_workload

pytestmark = pytest.mark.integration
pytest.importorskip("torch")

LAYERS, HIDDEN, ITERATIONS = 4, 128, 2
BLOCK_BYTES = 4 * 8 * HIDDEN * HIDDEN  # fp32 up [4h, h] + down [h, 4h]
SIZE = {"dp": 2, "layers": LAYERS, "hidden": HIDDEN, "batch": 4, "seq": 32,
        "iterations": ITERATIONS, "warmup": 1, "device": "cpu"}  # fmt: skip
BUCKET_MB = BLOCK_BYTES / 2**20  # one block per bucket: buckets close once they hold a block


@pytest.fixture(scope="session")
def job(tmp_path_factory):
    cache: dict[str, dict] = {}

    def run(mode: str) -> dict:
        if mode not in cache:
            spec = {"workload": "data_parallel", "mode": mode, **SIZE}
            if mode == "overlap":
                spec["bucket_cap_mb"] = BUCKET_MB
            cache[mode] = run_workload(spec, tmp_path_factory.mktemp(f"dp-{mode}"))
        return cache[mode]

    return run


def step_events(t: dict, rank: int, iteration: int, kind: str) -> list[dict]:
    key = (rank, iteration, kind)
    return [e for e in t["events"] if (e["rank"], e["iteration"], e["kind"]) == key]


@pytest.mark.parametrize("mode", ["overlap", "no_overlap", "naive"])
def test_one_forward_and_backward_per_block_and_gradients_all_averaged(job, mode):
    t = job(mode)
    counts = Counter((e["rank"], e["iteration"], e["kind"], e["stage"]) for e in t["events"]
                     if e["kind"] in ("F", "B"))  # fmt: skip
    assert set(counts.values()) == {1}
    assert len(counts) == 2 * ITERATIONS * 2 * LAYERS
    for rank in range(2):
        for it in range(ITERATIONS):
            transfers = step_events(t, rank, it, "ALLREDUCE")
            assert sum(e["bytes"] for e in transfers) == LAYERS * BLOCK_BYTES  # every gradient
            assert {b for e in transfers for b in e["layers"]} == set(range(LAYERS))
            assert all(e["stream"] == "comm" for e in transfers)
            assert len(step_events(t, rank, it, "OPT")) == 1


def test_each_bucket_starts_after_its_last_gradient_and_overlaps_backward(job):
    t = job("overlap")
    overlapped = 0
    for rank in range(2):
        for it in range(ITERATIONS):
            backward = {e["stage"]: e for e in step_events(t, rank, it, "B")}
            buckets = step_events(t, rank, it, "ALLREDUCE")
            assert len(buckets) == LAYERS  # one block per bucket at this cap
            for e in buckets:
                last = backward[min(e["layers"])]  # backward runs last block first
                assert e["grads_ready_us"] >= last["start_us"]
                assert e["start_us"] >= e["grads_ready_us"]  # not before its last gradient
                assert e["start_us"] >= last["end_us"] - 1e-3  # that block's backward is done
            first_b = min(b["start_us"] for b in backward.values())
            last_b = max(b["end_us"] for b in backward.values())
            overlapped += sum(first_b <= e["start_us"] < last_b for e in buckets)
    assert overlapped >= 2 * ITERATIONS  # buckets are in flight while backward still runs


@pytest.mark.parametrize("mode", ["no_overlap", "naive"])
def test_without_overlap_every_transfer_waits_for_the_whole_backward(job, mode):
    t = job(mode)
    for rank in range(2):
        for it in range(ITERATIONS):
            last_b = max(e["end_us"] for e in step_events(t, rank, it, "B"))
            transfers = sorted(step_events(t, rank, it, "ALLREDUCE"), key=lambda e: e["start_us"])
            assert len(transfers) == (1 if mode == "no_overlap" else 2 * LAYERS)
            assert transfers[0]["start_us"] >= last_b
            for a, b in itertools.pairwise(transfers):
                assert b["start_us"] >= a["end_us"]  # blocking, one after the other
            opt = step_events(t, rank, it, "OPT")[0]
            assert opt["start_us"] >= transfers[-1]["end_us"]


@pytest.mark.parametrize("mode", ["overlap", "no_overlap", "naive"])
def test_prediction_uses_the_runs_buckets_and_fitted_costs(job, mode):
    from runner import registry
    from runner.predict_dp import fits

    t = job(mode)
    fit = t["meta"]["comm_fit"]["allreduce"]
    assert len(fit["points"]) == 3 and fit["beta_us_per_byte"] >= 0
    spec = registry.spec_from_trace(t["spec"])
    predicted = registry.get("data_parallel").predict(spec, t)
    assert predicted["meta"]["source"] == "simulated"
    mine = [e for e in predicted["events"] if e["rank"] == 0 and e["kind"] == "ALLREDUCE"]
    assert len(mine) == len(step_events(t, 0, 0, "ALLREDUCE"))
    run_fit = fits(t)["allreduce"]
    for e in mine:
        cost = run_fit["alpha_us"] + run_fit["beta_us_per_byte"] * e["bytes"]
        assert e["end_us"] - e["start_us"] == pytest.approx(cost)
    s = predicted["summary"]
    assert s["step_us"] >= s["compute_us"] - 1e-6 and s["comm_exposed_us"] >= 0


def test_memory_per_rank_is_the_whole_model_state(job):
    t = job("overlap")
    params = LAYERS * BLOCK_BYTES
    for rank in range(2):
        mem = {m["kind"]: m["peak_bytes"] for m in t["memory"] if m["rank"] == rank}
        assert mem["parameters"] == params and mem["gradients"] == params  # bucket views
        assert 2 * params <= mem["optimizer"] <= 2 * params + 8 * 2 * LAYERS  # + step counters
