"""The hybrid spec refuses what cannot run (naming the field); its prediction has the shape
of each layout before any run, rows named by mesh coordinate."""

import pytest

from runner import registry, trace
from runner.spec import Machine, SpecError, from_mapping, validate
from runner.specs.hybrid import HybridSpec

CPU = Machine(torch="2.13.0", schedules=("GPipe", "1F1B"))


@pytest.mark.parametrize(
    ("field", "spec"),
    [
        ("tp", {"tp": 2, "pp": 2}),  # 3-D: not this workload
        ("pp", {"tp": 1, "pp": 1}),  # 1-D: not this workload
        ("batch", {"batch": 15}),  # 15 sequences over dp = 2
        ("layers", {"layers": 3}),  # 3 blocks into pp = 2 stages
        ("microbatches", {"microbatches": 3}),  # 8 sequences per replica into 3
        ("hidden", {"pp": 1, "tp": 3, "dp": 1, "hidden": 10}),  # 40 over tp = 3
        ("dp", {"dp": 4}),  # 8 ranks: more than the CPU allows
        ("schedule", {"schedule": "Interleaved1F1B"}),
    ],
)
def test_bad_specs_are_refused_before_launch_naming_the_field(field, spec):
    with pytest.raises(SpecError) as info:
        validate(from_mapping({"workload": "hybrid", **spec}), CPU)
    assert info.value.field == field and "\n" not in str(info.value)


def test_degrees_make_the_world_size_and_name_the_layout():
    assert HybridSpec().ranks == 4 and HybridSpec().layout == "pp"
    assert HybridSpec(pp=1, tp=2).layout == "tp" and HybridSpec(pp=1, tp=2).degrees["tp"] == 2


@pytest.mark.parametrize("degrees", [{"pp": 2, "tp": 1}, {"pp": 1, "tp": 2}])
def test_unit_prediction_rows_groups_and_one_gradient_allreduce_per_rank(degrees):
    spec = HybridSpec(**degrees)
    predicted = trace.validate(registry.get("hybrid").predict(spec))
    assert predicted["meta"]["rank_labels"]["3"] == f"dp 1 · {spec.layout} 1"
    dp = [e for e in predicted["events"] if e["kind"] == "DP_ALLREDUCE"]
    assert sorted(e["rank"] for e in dp) == [0, 1, 2, 3] and {e["group"] for e in dp} == {"dp"}
    for e in dp:  # after all of this rank's compute
        assert e["start_us"] >= max(
            c["end_us"]
            for c in predicted["events"]
            if c["rank"] == e["rank"] and c["kind"] in ("F", "B")
        )
    if spec.layout == "tp":  # two tp all-reduces per block on the critical path
        tp = [e for e in predicted["events"] if e["kind"] == "ALLREDUCE" and e["rank"] == 0]
        assert len(tp) == 2 * spec.layers and {e["group"] for e in tp} == {"tp"}
