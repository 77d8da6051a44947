"""What a class run measured, per workload (ui/class_measures.py), on committed recordings:
every workload's view says it, headline first, and a question's `unit` picks the value."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from runner import gantt, registry, simulate
from ui.class_measures import Measured, measures_of, pick
from ui.workload_views import view_for

TRACES = Path(__file__).resolve().parents[2] / "content" / "traces"
RECORDINGS = [
    TRACES / "cpu4" / "GPipe-p4-m8.json",
    *sorted((TRACES / "cpu16-wave2").glob("*.json")),
]


def load(path: Path) -> dict:
    return json.loads(path.read_text())


def test_every_workload_has_recordings_here_and_a_measures_function():
    workloads = {load(p)["spec"].get("workload", "pipeline") for p in RECORDINGS}
    assert workloads == set(registry.names())
    for name in registry.names():
        assert callable(view_for(name).measures)


@pytest.mark.parametrize("path", RECORDINGS, ids=[p.stem for p in RECORDINGS])
def test_each_recording_gives_a_fraction_headline_then_values_with_units(path):
    found = measures_of(load(path))
    assert found and all(isinstance(m, Measured) and math.isfinite(m.value) for m in found)
    headline = found[0]
    assert headline.unit is None and 0.0 <= headline.value <= 1.0
    assert headline.text.endswith("%")
    assert pick(found, None) is headline
    assert pick(found, "ms").value == pytest.approx(load(path)["summary"]["step_wall_us"] / 1e3)
    assert len({m.unit for m in found}) == len(found)  # one value per unit: `pick` is unambiguous


def test_the_pipeline_headline_is_the_bubble_the_gantt_chart_draws():
    trace = load(RECORDINGS[0])
    bubble = simulate.bubble(trace, iteration=gantt.median_iteration(trace))["idle_over_total"]
    assert measures_of(trace)[0] == Measured("Measured bubble", bubble, f"{bubble:.1%}")


def test_shares_of_the_step_and_moe_capacity_come_from_the_trace_summary():
    tp = load(TRACES / "cpu16-wave2" / "tp-blocking-decode.json")
    s = tp["summary"]
    wait = measures_of(tp)[0]
    assert wait.label == "Waiting for all-reduce"
    assert wait.value == pytest.approx(s["comm_exposed_us"] / s["step_wall_us"])
    moe = load(TRACES / "cpu16-wave2" / "moe-skewed.json")
    capacity = pick(measures_of(moe), "tokens")  # what lesson 9's capacity question asks
    assert capacity.value == moe["summary"]["routing"]["capacity"]
    fsdp = load(TRACES / "cpu16-wave2" / "fsdp-zero1.json")
    assert pick(measures_of(fsdp), "MiB").value > 0
    assert pick(measures_of(tp), "GB/s") is None  # nothing measured in that unit: no mark
