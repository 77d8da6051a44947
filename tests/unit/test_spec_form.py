"""The lab's run form (ui/spec_form.py): fields drawn from a spec's declaration, and what
the page sends back read as values a field could hold — anything else keeps the default."""

from __future__ import annotations

import dataclasses

import pytest

from runner import registry
from runner.specs.base import Machine
from ui.spec_form import field_data, read_values, valid_field

CPU = Machine(torch="2.13.0", gpus=0, schedules=("GPipe", "1F1B"))


def fields_of(workload: str, machine: Machine = CPU) -> dict[str, dict]:
    spec_class = registry.get(workload).spec_class
    return {f.name: field_data(f, machine, main=False) for f in dataclasses.fields(spec_class)}


def defaults_of(workload: str) -> dict:
    return {f.name: f.default for f in dataclasses.fields(registry.get(workload).spec_class)}


def test_each_field_is_drawn_from_its_declaration():
    f = fields_of("pipeline")
    assert {"kind": "select", "options": ["GPipe", "1F1B"]}.items() <= f["schedule"].items()
    assert {"kind": "int", "lo": 1, "hi": 256}.items() <= f["microbatches"].items()
    assert f["microbatches"]["label"] == "Micro-batches m"
    assert "split" in f["microbatches"]["doc"]  # the field's reason, shown under it
    assert fields_of("data_parallel")["bucket_cap_mb"]["kind"] == "float"
    skew = fields_of("expert_parallel")["skew"]
    assert {"kind": "float", "lo": 0.0, "hi": 1.0}.items() <= skew.items()


def test_parallel_degrees_stop_at_what_the_machine_can_hold():
    assert fields_of("pipeline")["pp"]["hi"] == 4  # CPU ranks
    assert fields_of("pipeline", Machine(gpus=8, schedules=("1F1B",)))["pp"]["hi"] == 8
    assert fields_of("hybrid")["tp"]["hi"] == 4


@pytest.mark.parametrize(
    ("field", "value", "ok"),
    [
        ("microbatches", 8, True),
        ("microbatches", 8.0, True),  # JSON from the page: 8 and 8.0 are one number
        ("microbatches", 8.5, False),
        ("microbatches", 0, False),
        ("microbatches", 257, False),
        ("microbatches", True, False),
        ("microbatches", "8", False),
        ("microbatches", 10**400, False),
        ("microbatches", float("nan"), False),
        ("microbatches", float("inf"), False),
        ("schedule", "1F1B", True),
        ("schedule", "Interleaved1F1B", False),  # not offered by this machine
        ("schedule", 1, False),
        ("schedule", None, False),
    ],
)
def test_a_value_is_valid_only_if_its_field_could_have_sent_it(field, value, ok):
    assert valid_field(fields_of("pipeline")[field], value) is ok


def test_what_the_page_sends_is_read_field_by_field_bad_ones_keep_the_default():
    specs = list(fields_of("pipeline").values())
    defaults = defaults_of("pipeline")
    sent = {"values": {"microbatches": 8.0, "pp": 99, "schedule": "GPipe", "extra": 1,
                       "hidden": "<b>", "batch": None}, "run": "x"}  # fmt: skip
    got = read_values(specs, defaults, sent)
    assert got == defaults | {"microbatches": 8, "schedule": "GPipe"}
    assert type(got["microbatches"]) is int and "extra" not in got
    for hostile in (None, [], "x", {"values": [1, 2]}, {"values": None}):
        assert read_values(specs, defaults, hostile) == defaults
    dp = list(fields_of("data_parallel").values())
    cap = read_values(dp, defaults_of("data_parallel"), {"values": {"bucket_cap_mb": 25}})
    assert cap["bucket_cap_mb"] == 25.0 and type(cap["bucket_cap_mb"]) is float
