"""data_parallel and fsdp specs: refusals name the field before launch; unit predictions."""

import pytest

from runner import registry
from runner.predict_dp import spec_buckets
from runner.spec import Machine, SpecError, from_mapping, validate
from runner.specs.data_parallel import DataParallelSpec

CPU = Machine(torch="2.13.0")


@pytest.mark.parametrize(
    ("field", "spec"),
    [
        ("mode", {"workload": "data_parallel", "mode": "fast"}),
        ("dp", {"workload": "data_parallel", "dp": 1}),
        ("dp", {"workload": "data_parallel", "dp": 8}),  # more CPU ranks than allowed
        ("bucket_cap_mb", {"workload": "data_parallel", "bucket_cap_mb": 0.0}),
        ("bucket_cap_mb", {"workload": "data_parallel", "mode": "naive", "bucket_cap_mb": 2.0}),
        ("dtype", {"workload": "data_parallel", "dtype": "bfloat16"}),
        ("stage", {"workload": "fsdp", "stage": "zero4"}),
        ("layers", {"workload": "fsdp", "stage": "zero1", "layers": 3}),
        ("dp", {"workload": "fsdp", "dp": 5}),
        ("hidden", {"workload": "fsdp", "hidden": 8192, "layers": 64}),  # would not fit
    ],
)
def test_bad_specs_are_refused_naming_the_field(field, spec):
    with pytest.raises(SpecError) as info:
        validate(from_mapping(spec), CPU)
    assert info.value.field == field, str(info.value)
    assert "\n" not in str(info.value)


def test_buckets_close_once_they_hold_the_cap():
    spec = DataParallelSpec(layers=4, hidden=128, bucket_cap_mb=0.5)  # a block is 0.5 MiB
    assert spec_buckets(spec) == [(524288, [3]), (524288, [2]), (524288, [1]), (524288, [0])]
    whole = DataParallelSpec(layers=4, hidden=128, mode="no_overlap")
    assert spec_buckets(whole) == [(4 * 524288, [0, 1, 2, 3])]
    assert len(spec_buckets(DataParallelSpec(layers=4, hidden=128, mode="naive"))) == 8


def test_unit_prediction_overlap_hides_all_but_the_last_bucket():
    dp = registry.get("data_parallel")
    overlap = dp.predict(DataParallelSpec(layers=4, hidden=128, bucket_cap_mb=0.5))["summary"]
    blocking = dp.predict(DataParallelSpec(layers=4, hidden=128, mode="no_overlap"))["summary"]
    assert overlap["comm_exposed_us"] == pytest.approx(0.5)  # one block's all-reduce
    assert blocking["comm_exposed_us"] == pytest.approx(4 * 0.5)
    assert overlap["step_us"] < blocking["step_us"]


@pytest.mark.parametrize("stage", ["zero3", "zero2", "zero1", "ddp"])
def test_unit_fsdp_prediction_has_the_stages_collectives(stage):
    predicted = registry.get("fsdp").predict(from_mapping({"workload": "fsdp", "stage": stage}))
    kinds = {e["kind"] for e in predicted["events"] if e["stream"] == "comm"}
    assert kinds == (
        {"ALLREDUCE"} if stage in ("zero1", "ddp") else {"ALLGATHER", "REDUCE_SCATTER"}
    )
    gathers = sum(e["kind"] == "ALLGATHER" and e["rank"] == 0 for e in predicted["events"])
    assert gathers == {"zero3": 16, "zero2": 8}.get(stage, 0)
