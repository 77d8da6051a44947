"""Specs of every workload: each refusal names its field; the cache key is stable; auto picks
the device; the registry is complete (spec, module, prediction, view, integration test)."""

import dataclasses
from pathlib import Path

import pytest

from runner import registry
from runner.spec import Machine, PipelineSpec, SpecError, TensorParallelSpec, from_mapping, validate
from runner.specs.base import CPU_RANK_BUDGET_BYTES, MAX_CPU_RANKS

ROOT = Path(__file__).resolve().parents[2]
CPU = Machine(torch="2.13.0", schedules=("GPipe", "1F1B", "Interleaved1F1B", "ZBVZeroBubble"))


def refused(field: str, spec: dict, machine: Machine = CPU) -> SpecError:
    with pytest.raises(SpecError) as info:
        validate(from_mapping(spec), machine)
    assert info.value.field == field, str(info.value)
    assert str(info.value).startswith(f"{field}: ")
    assert "\n" not in str(info.value)
    return info.value


@pytest.mark.parametrize("workload", registry.names())
def test_every_workload_runs_with_its_defaults_on_cpu(workload):
    spec = validate(from_mapping({"workload": workload}), CPU)
    assert spec.device == "cpu"
    assert 2 <= spec.ranks <= MAX_CPU_RANKS  # hybrid's 2-D mesh needs 4
    assert spec.dtype == "float32"
    assert from_mapping(spec.to_dict()) == spec  # what the queue stores comes back the same


def test_pipeline_defaults_to_1f1b_and_tp_to_blocking():
    assert validate(PipelineSpec(), CPU).schedule == "1F1B"
    assert TensorParallelSpec().mode == "blocking"


@pytest.mark.parametrize(
    ("field", "kwargs"),
    [
        ("device", {"device": "tpu"}),
        ("pp", {"pp": 1}),
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
def test_pipeline_refusals_name_the_field(field, kwargs):
    with pytest.raises(SpecError) as info:
        PipelineSpec(**kwargs)
    assert info.value.field == field
    assert str(info.value).startswith(f"{field}: ")


@pytest.mark.parametrize(
    ("field", "spec"),
    [
        ("mode", {"mode": "fast"}),
        ("tp", {"tp": 1}),
        ("hidden", {"tp": 3}),
        ("verify", {"verify": "yes"}),
        ("dtype", {"dtype": "int8"}),
        ("layers", {"layers": 0}),
        ("tp", {"tp": 8}),  # more CPU ranks than this machine gives
    ],
)
def test_tensor_parallel_refusals_name_the_field(field, spec):
    refused(field, {"workload": "tensor_parallel", **spec})


def test_unknown_workload_and_unknown_field_are_refused_with_the_known_names():
    error = refused("workload", {"workload": "tensor"})
    assert "pipeline" in str(error) and "tensor_parallel" in str(error)
    error = refused("schedul", {"schedul": "1F1B"})
    assert "schedule" in str(error)


def test_unknown_schedule_lists_the_available_ones():
    error = refused("schedule", {"schedule": "Nope"})
    assert "GPipe" in str(error) and "naive" in str(error)


def test_schedule_name_is_matched_without_case_and_naive_is_always_there():
    assert validate(PipelineSpec(schedule="gpipe"), CPU).schedule == "GPipe"
    naive = PipelineSpec(schedule="naive", microbatches=1)
    assert validate(naive, Machine()).schedule == "naive"


def test_rank_limits_on_cpu_and_cuda_blame_the_degree():
    refused("pp", {"pp": 5, "device": "cpu"})
    refused("pp", {"pp": 3, "device": "cuda"}, Machine(gpus=2, schedules=CPU.schedules))
    refused("device", {"device": "cuda"})


def test_schedule_rules_refuse_too_few_microbatches():
    error = refused("microbatches", {"pp": 4, "microbatches": 2})
    assert "1F1B" in str(error)


def test_sizes_that_would_not_fit_are_refused():
    huge = PipelineSpec(hidden=16384, layers_per_stage=8)
    assert huge.estimate_bytes_per_rank() > CPU_RANK_BUDGET_BYTES
    refused("hidden", {"hidden": 16384, "layers_per_stage": 8, "device": "cpu"})
    tiny_gpu = Machine(gpus=2, schedules=CPU.schedules, gpu_free_bytes=10**6)
    refused("hidden", {"device": "cuda"}, tiny_gpu)
    refused("hidden", {"workload": "tensor_parallel", "hidden": 16384})


@pytest.mark.parametrize(("gpus", "device", "dtype"), [(0, "cpu", "float32"), (1, "cpu", "float32"),
                                                       (2, "cuda", "bfloat16")])  # fmt: skip
def test_auto_device_and_dtype_resolution(gpus, device, dtype):
    spec = validate(TensorParallelSpec(), Machine(gpus=gpus))
    assert (spec.device, spec.dtype) == (device, dtype)


def test_older_names_are_accepted_and_must_agree():
    assert from_mapping({"stages": 3, "microbatches": 3, "batch": 3}).pp == 3
    assert from_mapping({"workload": "tensor_parallel", "ranks": 2}).tp == 2
    with pytest.raises(SpecError) as info:
        from_mapping({"stages": 3, "pp": 2})
    assert info.value.field == "pp"


def test_from_mapping_refuses_wrong_types_naming_the_field():
    for bad, field in [
        ({"color": "red"}, "color"),
        ({"stages": "2"}, "pp"),
        ({"pp": True}, "pp"),
        ({"schedule": 3}, "schedule"),
        ({"workload": "tensor_parallel", "hidden": 512.0}, "hidden"),
    ]:
        with pytest.raises(SpecError) as info:
            from_mapping(bad)
        assert info.value.field == field
    with pytest.raises(SpecError):
        from_mapping(["not", "a", "mapping"])


def test_key_is_stable_and_sensitive():
    spec = PipelineSpec()
    key = spec.key("2.13.0", "cpu")
    assert key == from_mapping(spec.to_dict()).key("2.13.0", "cpu")
    assert len(key) == 64
    assert key != spec.key("2.12.0", "cpu")
    assert key != spec.key("2.13.0", "cuda")
    assert key != dataclasses.replace(spec, hidden=spec.hidden * 2).key("2.13.0", "cpu")
    assert TensorParallelSpec().key("2.13.0", "cpu") != TensorParallelSpec(mode="ladder").key(
        "2.13.0", "cpu"
    )


def test_validate_refuses_a_v_schedule_on_gloo_with_an_old_torch_naming_the_schedule():
    spec = from_mapping({"schedule": "ZBVZeroBubble", "pp": 2, "microbatches": 4})
    old = dataclasses.replace(CPU, torch="2.11.0")
    with pytest.raises(SpecError) as err:
        validate(spec, old)
    assert err.value.field == "schedule"
    assert validate(spec, CPU).device == "cpu"


def test_every_registry_entry_is_complete():
    """Spec class, module, prediction, lab view, integration test: nothing half-added."""
    from ui.workload_views import names as view_names

    for workload in registry.all():
        assert workload.spec_class.workload == workload.name
        module = ROOT / (workload.module.replace(".", "/") + ".py")
        assert module.is_file(), module
        assert callable(registry._resolve(workload.prediction))
        predicted = workload.predict(workload.spec_class())  # unit costs, no run needed
        assert predicted["events"] and predicted["meta"]["source"] == "simulated"
        assert workload.name in view_names()
        test = ROOT / "tests" / "integration" / f"test_workload_{workload.name}.py"
        assert test.is_file(), f"{workload.name} has no integration test at {test}"
        for name, _, _, doc in workload.spec_class.fields_doc():
            assert doc, f"{workload.name}.{name} has no reason (param(..., doc))"
