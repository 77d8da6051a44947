"""JobSpec: every refusal names its field; the cache key is stable; auto picks the device."""

import dataclasses

import pytest

from runner.spec import (
    CPU_RANK_BUDGET_BYTES,
    JobSpec,
    SpecError,
    estimate_bytes_per_rank,
    from_mapping,
    validate,
)

SCHEDULES = ["GPipe", "1F1B", "Interleaved1F1B"]


def too_few(schedule: str, ranks: int, microbatches: int) -> str | None:
    return f"{schedule} needs microbatches >= {ranks}" if microbatches < ranks else None


def refused(field: str, **kwargs) -> SpecError:
    context = {
        k: kwargs.pop(k) for k in ("schedules", "gpus", "check", "gpu_free_bytes") if k in kwargs
    }
    with pytest.raises(SpecError) as info:
        validate(JobSpec(**kwargs), **{"schedules": SCHEDULES, "gpus": 0, **context})
    assert info.value.field == field
    assert str(info.value).startswith(f"{field}: ")
    assert "\n" not in str(info.value)
    return info.value


def test_defaults_are_valid_on_cpu():
    spec = validate(JobSpec(), schedules=SCHEDULES, gpus=0)
    assert spec.device == "cpu"
    assert spec.schedule == "1F1B"


@pytest.mark.parametrize(
    ("field", "kwargs"),
    [
        ("workload", {"workload": "tensor"}),
        ("device", {"device": "tpu"}),
        ("stages", {"stages": 1}),
        ("microbatches", {"microbatches": 0}),
        ("microbatches", {"microbatches": 257, "batch": 257 * 2}),
        ("batch", {"batch": 30, "microbatches": 4}),
        ("iterations", {"iterations": 0}),
        ("iterations", {"iterations": 21}),
        ("warmup", {"warmup": -1}),
        ("hidden", {"hidden": 0}),
        ("microbatches", {"schedule": "naive", "microbatches": 4}),
    ],
)
def test_post_init_refusals_name_the_field(field, kwargs):
    with pytest.raises(SpecError) as info:
        JobSpec(**kwargs)
    assert info.value.field == field
    assert str(info.value).startswith(f"{field}: ")


def test_unknown_schedule_lists_the_available_ones():
    error = refused("schedule", schedule="Nope")
    assert "GPipe" in str(error) and "naive" in str(error)


def test_schedule_name_is_matched_without_case_and_naive_is_always_there():
    assert validate(JobSpec(schedule="gpipe"), schedules=SCHEDULES, gpus=0).schedule == "GPipe"
    naive = JobSpec(schedule="naive", microbatches=1)
    assert validate(naive, schedules=[], gpus=0).schedule == "naive"


def test_stage_limits_on_cpu_and_cuda():
    refused("stages", stages=5, device="cpu")
    refused("stages", stages=3, device="cuda", gpus=2)
    refused("device", device="cuda", gpus=0)


def test_schedule_check_refuses_too_few_microbatches():
    error = refused("microbatches", stages=4, microbatches=2, check=too_few)
    assert "1F1B" in str(error)


def test_sizes_that_would_not_fit_are_refused():
    huge = {"hidden": 16384, "layers_per_stage": 8}
    assert estimate_bytes_per_rank(JobSpec(**huge)) > CPU_RANK_BUDGET_BYTES
    refused("hidden", device="cpu", **huge)
    refused("hidden", device="cuda", gpus=2, gpu_free_bytes=10**6)


@pytest.mark.parametrize(("gpus", "device"), [(0, "cpu"), (1, "cpu"), (2, "cuda")])
def test_auto_device_resolution(gpus, device):
    spec = validate(JobSpec(device="auto", stages=2), schedules=SCHEDULES, gpus=gpus)
    assert spec.device == device


def test_from_mapping_round_trip_and_refusals():
    spec = from_mapping({"workload": "pipeline", "schedule": "GPipe", "stages": 2})
    assert from_mapping(spec.to_dict()) == spec
    for bad, field in [
        ({"color": "red"}, "color"),
        ({"stages": "2"}, "stages"),
        ({"stages": True}, "stages"),
        ({"schedule": 3}, "schedule"),
    ]:
        with pytest.raises(SpecError) as info:
            from_mapping(bad)
        assert info.value.field == field


def test_key_is_stable_and_sensitive():
    spec = JobSpec()
    key = spec.key("2.13.0", "cpu")
    assert key == from_mapping(spec.to_dict()).key("2.13.0", "cpu")
    assert len(key) == 64
    assert key != spec.key("2.12.0", "cpu")
    assert key != spec.key("2.13.0", "cuda")
    assert key != dataclasses.replace(spec, hidden=256).key("2.13.0", "cpu")


def test_validate_refuses_a_v_schedule_on_gloo_with_an_old_torch_naming_the_schedule():
    import pytest

    from runner.spec import SpecError, from_mapping, validate

    spec = from_mapping({"schedule": "ZBVZeroBubble", "stages": 2, "microbatches": 4})
    with pytest.raises(SpecError) as err:
        validate(spec, schedules=["ZBVZeroBubble"], gpus=0, torch_version="2.11.0")
    assert err.value.field == "schedule"
    assert (
        validate(spec, schedules=["ZBVZeroBubble"], gpus=0, torch_version="2.13.0").device == "cpu"
    )
