"""The expert-parallel spec refuses what cannot run (naming the field), counts parameters,
and its prediction shows the straggler a skewed router makes, before any run."""

import pytest

from runner import registry
from runner.spec import Machine, SpecError, from_mapping, validate
from runner.specs.expert_parallel import ExpertParallelSpec, expert_capacity

CPU = Machine(torch="2.13.0")


@pytest.mark.parametrize(
    ("field", "spec"),
    [
        ("experts", {"experts": 3, "ep": 2}),  # 3 experts do not split over 2 ranks
        ("experts", {"experts": 8, "tokens": 4}),  # more experts than tokens
        ("top_k", {"top_k": 5, "experts": 4}),
        ("skew", {"skew": 1.5}),
        ("capacity_factor", {"capacity_factor": -1.0}),
        ("ep", {"ep": 8, "experts": 8}),  # more ranks than the CPU allows
        ("tokens", {"tokens": "many"}),
    ],
)
def test_bad_specs_are_refused_before_launch_naming_the_field(field, spec):
    with pytest.raises(SpecError) as info:
        validate(from_mapping({"workload": "expert_parallel", **spec}), CPU)
    assert info.value.field == field and "\n" not in str(info.value)


def test_capacity_is_the_switch_formula_times_k_and_zero_means_no_limit():
    assert expert_capacity(1.25, 1, 512, 4) == 160  # Switch: 1.25 × 512 / 4
    assert expert_capacity(1.0, 2, 512, 4) == 256  # GShard top-2: 2 × 512 / 4
    assert expert_capacity(0.0, 2, 512, 4) == 1024  # no limit: every assignment fits


def test_active_and_total_parameters_per_token():
    spec = ExpertParallelSpec(experts=8, top_k=2, hidden=256, ffn=1024, layers=2)
    expert = 2 * 256 * 1024
    assert spec.total_params() == 2 * (8 * expert + 256 * 8)
    assert spec.active_params() == 2 * (2 * expert + 256 * 8)
    assert spec.active_params() / spec.total_params() == pytest.approx(0.25, abs=0.01)


def test_unit_prediction_makes_the_hot_experts_rank_the_straggler():
    workload = registry.get("expert_parallel")
    even = workload.predict(ExpertParallelSpec(skew=0.0, capacity_factor=0.0))
    skewed = workload.predict(ExpertParallelSpec(skew=0.6, capacity_factor=0.0))
    capped = workload.predict(ExpertParallelSpec(skew=0.6, capacity_factor=1.0))
    rows = {(e["rank"], e["layer"]): e["tokens"] for e in skewed["events"] if e["op"] == "experts"}
    assert rows[0, 0] > rows[1, 0]  # rank 0 holds expert 0
    steps = [p["summary"]["step_us"] for p in (even, skewed, capped)]
    assert steps[1] > steps[0] and steps[2] < steps[1]  # the cut shortens the straggler
    assert capped["summary"]["expected_kept"][0] == ExpertParallelSpec(capacity_factor=1.0).capacity
