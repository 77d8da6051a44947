"""Trace v1: validation names the bad field; summary's makespan and bubble (runner/trace.py)."""

from __future__ import annotations

import copy
import json
import re

import pytest

from runner import trace


def make_trace() -> dict:
    events = [
        {"rank": 0, "stage": 0, "kind": "F", "microbatch": 0, "iteration": 0,
         "start_us": 0.0, "end_us": 10.0, "stream": "compute"},
        {"rank": 1, "stage": 1, "kind": "RECV_F", "microbatch": 0, "iteration": 0,
         "start_us": 0.0, "end_us": 10.0, "stream": "comm"},
        {"rank": 1, "stage": 1, "kind": "F", "microbatch": 0, "iteration": 0,
         "start_us": 10.0, "end_us": 20.0, "stream": "compute"},
    ]  # fmt: skip
    return {
        "version": 1,
        "spec": {"workload": "pipeline", "schedule": "GPipe", "stages": 2, "microbatches": 1},
        "meta": {
            "backend": "gloo",
            "device": "cpu",
            "gpu_name": None,
            "world_size": 2,
            "torch": "2.13.0",
            "recorded_at": "2026-11-21T23:00:00Z",
            "iterations": 1,
        },
        "events": events,
        "memory": [{"rank": 0, "peak_bytes": 1024, "kind": "activations"}],
        "summary": {"makespan_us": 20.0, "bubble_fraction": 0.5},
    }


def test_valid_trace_round_trips(tmp_path):
    path = tmp_path / "trace.json"
    trace.save(make_trace(), path)
    assert trace.load(path) == make_trace()
    assert not [p for p in tmp_path.iterdir() if p.name != "trace.json"]  # no temporary left


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (lambda t: t.update(version=2), "version"),
        (lambda t: t.pop("events"), "trace.events"),
        (lambda t: t.update(meta=[]), "trace.meta"),
        (lambda t: t["spec"].pop("schedule"), "spec.schedule"),
        (lambda t: t["spec"].update(stages="2"), "spec.stages"),
        (lambda t: t["meta"].update(world_size=True), "meta.world_size"),
        (lambda t: t["events"][1].update(kind="NAP"), "events[1].kind"),
        (lambda t: t["events"][2].update(end_us=1.0), "events[2].end_us"),
        (lambda t: t["events"][0].pop("start_us"), "events[0].start_us"),
        (lambda t: t["events"][0].update(microbatch="0"), "events[0].microbatch"),
        (lambda t: t["memory"][0].update(peak_bytes=-1), "memory[0].peak_bytes"),
        (lambda t: t["summary"].pop("bubble_fraction"), "summary.bubble_fraction"),
    ],
)
def test_bad_trace_is_refused_naming_the_field(tmp_path, mutate, field):
    bad = copy.deepcopy(make_trace())
    mutate(bad)
    path = tmp_path / "trace.json"
    path.write_text(json.dumps(bad))
    with pytest.raises(ValueError, match="^" + re.escape(field)):
        trace.load(path)


def test_not_json_is_refused(tmp_path):
    path = tmp_path / "trace.json"
    path.write_text("{not json")
    with pytest.raises(ValueError, match="not JSON"):
        trace.load(path)


def test_save_refuses_an_invalid_trace(tmp_path):
    bad = make_trace()
    bad["version"] = 3
    with pytest.raises(ValueError, match="version"):
        trace.save(bad, tmp_path / "t.json")
    assert not list(tmp_path.iterdir())


def ev(rank, kind, start, end, iteration=0):
    return {"rank": rank, "stage": rank, "kind": kind, "microbatch": 0, "iteration": iteration,
            "start_us": start, "end_us": end}  # fmt: skip


def test_summary_makespan_and_bubble_ignore_comm():
    s = trace.summary(make_trace()["events"], ranks=2)
    # makespan 20; each rank computes 10 of 20: idle 20 / (2 ranks * 20)
    assert s["makespan_us"] == 20.0
    assert s["bubble_fraction"] == 0.5
    assert s["bubble_convention"] == "idle/(ranks*makespan)"


def test_summary_averages_iterations_and_merges_overlaps():
    events = [
        ev(0, "F", 0, 10), ev(1, "B", 0, 10),  # iteration 0: no bubble
        ev(0, "F", 0, 10, 1), ev(0, "W", 5, 20, 1), ev(1, "I", 10, 20, 1),  # overlap merged
    ]  # fmt: skip
    s = trace.summary(events, ranks=2)
    assert s["iterations"] == 2
    assert s["makespan_us"] == 15.0
    assert s["bubble_fraction"] == pytest.approx((0.0 + 10 / 40) / 2)


def test_summary_counts_a_silent_rank_as_idle():
    s = trace.summary([ev(0, "COMPUTE", 0, 10)], ranks=2)
    assert s["bubble_fraction"] == 0.5


def test_summary_of_nothing():
    assert trace.summary([], ranks=2)["makespan_us"] == 0.0
