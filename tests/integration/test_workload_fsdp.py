"""Real 2-rank gloo runs of runner/workloads/fsdp.py: bytes per rank and order of collectives.

Each ZeRO stage is launched once per session and shared by the tests (and by
test_memory_plan_runs.py).
"""

from __future__ import annotations

import pytest

from tests.integration.conftest import run_workload

pytestmark = pytest.mark.integration
pytest.importorskip("torch")

DP, LAYERS, HIDDEN, ITERATIONS = 2, 4, 128, 2
BLOCK_BYTES = 4 * 8 * HIDDEN * HIDDEN
TOTAL = LAYERS * BLOCK_BYTES  # fp32 parameters of the whole model
STEP_COUNTERS = 8 * 2 * LAYERS  # Adam's scalar `step` per parameter, at most 8 bytes each
SIZE = {"dp": DP, "layers": LAYERS, "hidden": HIDDEN, "batch": 4, "seq": 32,
        "iterations": ITERATIONS, "warmup": 1, "device": "cpu"}  # fmt: skip
SHARDED = {"zero3": {"parameters", "gradients", "optimizer"},
           "zero2": {"parameters", "gradients", "optimizer"},
           "zero1": {"optimizer"}, "ddp": set()}  # fmt: skip


@pytest.fixture(scope="session")
def fsdp_job(tmp_path_factory):
    cache: dict[str, dict] = {}

    def run(stage: str) -> dict:
        if stage not in cache:
            spec = {"workload": "fsdp", "stage": stage, **SIZE}
            cache[stage] = run_workload(spec, tmp_path_factory.mktemp(f"fsdp-{stage}"))
        return cache[stage]

    return run


def memory(t: dict, rank: int) -> dict[str, int]:
    return {m["kind"]: m["peak_bytes"] for m in t["memory"] if m["rank"] == rank}


@pytest.mark.parametrize("stage", ["zero3", "zero2", "zero1", "ddp"])
def test_each_part_is_divided_by_the_shard_degree_only_where_the_stage_shards_it(fsdp_job, stage):
    t = fsdp_job(stage)
    want = {"parameters": TOTAL, "gradients": TOTAL, "optimizer": 2 * TOTAL}
    for rank in range(DP):
        mem = memory(t, rank)
        for part, full in want.items():
            expected = full // DP if part in SHARDED[stage] else full
            slack = STEP_COUNTERS if part == "optimizer" else 0
            slack += 4 * DP * LAYERS * 2 if part in SHARDED[stage] else 0  # FSDP's padding
            assert expected <= mem[part] <= expected + slack, (stage, rank, part, mem[part])


def test_zero2_holds_the_whole_gathered_model_and_zero3_about_one_block(fsdp_job):
    assert memory(fsdp_job("zero2"), 0)["gathered_parameters"] == TOTAL
    zero3 = memory(fsdp_job("zero3"), 0)["gathered_parameters"]
    assert BLOCK_BYTES <= zero3 <= 2 * BLOCK_BYTES  # the block running (and one prefetched)


@pytest.mark.parametrize("stage", ["zero3", "zero2"])
def test_blocks_are_gathered_before_they_run_and_their_gradients_reduce_scattered(fsdp_job, stage):
    t = fsdp_job(stage)
    for rank in range(DP):
        for it in range(ITERATIONS):
            evs = [e for e in t["events"] if (e["rank"], e["iteration"]) == (rank, it)]
            of = lambda kind, evs=evs: sorted(  # noqa: E731
                (e for e in evs if e["kind"] == kind), key=lambda e: e["start_us"]
            )
            gathers, scatters = of("ALLGATHER"), of("REDUCE_SCATTER")
            forward = {e["stage"]: e for e in of("F")}
            backward = {e["stage"]: e for e in of("B")}
            assert len(scatters) == LAYERS and {e["stage"] for e in scatters} == set(range(LAYERS))
            # ZeRO-3 gathers every block again for its backward
            assert len(gathers) == (2 * LAYERS if stage == "zero3" else LAYERS)
            first = {}
            for e in gathers:
                first.setdefault(e["stage"], e)
            for layer, f in forward.items():
                assert f["start_us"] >= first[layer]["end_us"]  # whole weights before forward
            for e in scatters:
                assert e["start_us"] >= backward[e["stage"]]["start_us"]
                assert e["bytes"] == BLOCK_BYTES
            assert all(e["stream"] == "comm" for e in gathers + scatters)


def test_zero_stages_refuse_a_layer_count_that_does_not_split():
    from runner.spec import SpecError, from_mapping

    with pytest.raises(SpecError) as err:
        from_mapping({"workload": "fsdp", "stage": "zero1", "layers": 3})
    assert err.value.field == "layers"


@pytest.mark.parametrize("stage", ["zero3", "zero1"])
def test_prediction_lays_out_the_collectives_the_run_made(fsdp_job, stage):
    from runner import registry

    t = fsdp_job(stage)
    spec = registry.spec_from_trace(t["spec"])
    predicted = registry.get("fsdp").predict(spec, t)
    kinds = lambda tr: sorted({e["kind"] for e in tr["events"] if e["stream"] == "comm"})  # noqa: E731
    assert kinds(predicted) == kinds(t)
    assert predicted["summary"]["step_us"] > 0
    est = {m["kind"]: m["peak_bytes"] for m in predicted["memory"] if m["rank"] == 0}
    assert est["optimizer"] == 2 * TOTAL // (DP if stage != "ddp" else 1)
