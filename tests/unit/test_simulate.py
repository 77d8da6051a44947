"""Schedule simulator: hand-checked orders, dependencies, bubbles. `pytest tests/unit -q`."""

from __future__ import annotations

import itertools
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from runner import simulate
from runner.simulate import Costs, DeadlockError, bubble, list_schedule, predict, rank_orders
from runner.trace import validate

MULTI = ["Interleaved1F1B", "LoopedBFS", "InterleavedZeroBubble", "ZBVZeroBubble", "DualPipeV"]


def _compact(trace: dict, rank: int) -> str:
    evs = sorted((e for e in trace["events"] if e["rank"] == rank), key=lambda e: e["start_us"])
    return " ".join(f"{e['kind']}{e['microbatch']}" for e in evs)


def test_1f1b_p2_m4_orders_hand_checked():
    t = predict("1F1B", 2, 4)
    assert _compact(t, 0) == "F0 F1 B0 F2 B1 F3 B2 B3"
    assert _compact(t, 1) == "F0 B0 F1 B1 F2 B2 F3 B3"


def test_gpipe_p2_m3_times_hand_checked():
    t = predict("GPipe", 2, 3)
    assert _compact(t, 0) == "F0 F1 F2 B0 B1 B2"
    r1 = [(e["kind"], e["start_us"]) for e in t["events"] if e["rank"] == 1]
    # rank 1 starts after F0 on rank 0; its backwards follow its forwards directly
    assert r1 == [("F", 1), ("F", 2), ("F", 3), ("B", 4), ("B", 6), ("B", 8)]
    assert t["summary"]["makespan_us"] == 12  # rank 0's last B ends at 4 + 2*3 + 2 = 12


def test_naive_is_one_rank_at_a_time():
    t = predict("naive", 3, 8)
    assert t["spec"]["microbatches"] == 1
    evs = sorted(t["events"], key=lambda e: e["start_us"])
    assert [(e["kind"], e["stage"]) for e in evs] == [
        ("F", 0), ("F", 1), ("F", 2), ("B", 2), ("B", 1), ("B", 0)
    ]  # fmt: skip
    assert bubble(t)["idle_over_total"] == pytest.approx(2 / 3)


@pytest.mark.parametrize("schedule", ["GPipe", "1F1B"])
@pytest.mark.parametrize("p", [1, 2, 3, 4, 8])
@pytest.mark.parametrize("m", [1, 2, 4, 7, 16])
def test_bubble_formulas_exact_for_unit_costs(schedule, p, m):
    b = bubble(predict(schedule, p, m))
    assert Fraction(b["idle_over_total"]).limit_denominator(1000) == Fraction(p - 1, m + p - 1)
    assert Fraction(b["idle_over_ideal"]).limit_denominator(1000) == Fraction(p - 1, m)
    assert b["textbook"] == pytest.approx((p - 1) / (m + p - 1))


@settings(max_examples=60, deadline=None)
@given(
    schedule=st.sampled_from(["GPipe", "1F1B"]),
    p=st.integers(1, 8),
    m=st.integers(1, 32),
)
def test_bubble_equals_formula_property(schedule, p, m):
    b = bubble(predict(schedule, p, m))
    assert b["idle_over_total"] == pytest.approx((p - 1) / (m + p - 1))
    assert b["idle_over_ideal"] == pytest.approx((p - 1) / m)


@pytest.mark.parametrize("p", [1, 2, 5])
def test_naive_bubble(p):
    b = bubble(predict("naive", p, 4))
    assert b["idle_over_total"] == pytest.approx((p - 1) / p)
    assert b["textbook"] == pytest.approx((p - 1) / p)


def test_peak_in_flight_memory_rows():
    g = predict("GPipe", 4, 6)["memory"]
    o = predict("1F1B", 4, 6)["memory"]
    assert [r["peak_microbatches"] for r in g] == [6, 6, 6, 6]
    assert [r["peak_microbatches"] for r in o] == [min(6, 4 - r) for r in range(4)]
    assert [r["peak_microbatches"] for r in predict("1F1B", 4, 2)["memory"]] == [2, 2, 2, 1]


def _check_complete_and_dependencies(trace: dict, m: int) -> None:
    p = trace["spec"]["stages"]
    ev = {(e["kind"], e["stage"], e["microbatch"]): e for e in trace["events"]}
    n_stages = 1 + max(s for _, s, _ in ev)
    assert n_stages in (p, 2 * p)
    for s in range(n_stages):
        for j in range(m):
            assert ("F", s, j) in ev
            assert ("B", s, j) in ev or (("I", s, j) in ev and ("W", s, j) in ev)
            grad = ev.get(("B", s, j)) or ev[("I", s, j)]
            assert grad["start_us"] >= ev[("F", s, j)]["end_us"]
            if s > 0:
                assert ev[("F", s, j)]["start_us"] >= ev[("F", s - 1, j)]["end_us"]
            if s < n_stages - 1:
                nxt = ev.get(("B", s + 1, j)) or ev[("I", s + 1, j)]
                assert grad["start_us"] >= nxt["end_us"]
            if ("W", s, j) in ev:
                assert ev[("W", s, j)]["start_us"] >= ev[("I", s, j)]["end_us"]
    for r in range(p):  # one action at a time per rank
        evs = sorted((e for e in trace["events"] if e["rank"] == r), key=lambda e: e["start_us"])
        assert all(a["end_us"] <= b["start_us"] for a, b in itertools.pairwise(evs))


@pytest.mark.parametrize("schedule", [*MULTI, "GPipe", "1F1B"])
@pytest.mark.parametrize(("p", "m"), [(2, 4), (4, 8)])
def test_every_schedule_completes_and_respects_dependencies(schedule, p, m):
    t = predict(schedule, p, m)
    _check_complete_and_dependencies(t, m)
    validate(t)
    if schedule in MULTI:
        assert t["summary"]["bubble"]["textbook"] is None


def test_multistage_placement():
    ev = predict("ZBVZeroBubble", 2, 4)["events"]
    assert {e["stage"] for e in ev if e["rank"] == 0} == {0, 3}
    ev = predict("Interleaved1F1B", 2, 4)["events"]
    assert {e["stage"] for e in ev if e["rank"] == 1} == {1, 3}


def test_comm_delays_cross_rank_dependencies():
    t = predict("GPipe", 2, 1, Costs(f=1, b=2, comm=0.5))
    f1 = next(e for e in t["events"] if e["kind"] == "F" and e["rank"] == 1)
    assert f1["start_us"] == 1.5


def test_deadlock_is_reported():
    orders = {0: [("F", 0, 0), ("B", 0, 0)], 1: [("B", 1, 0), ("F", 1, 0)]}
    with pytest.raises(DeadlockError, match="deadlock"):
        list_schedule(orders, Costs(), {0: 0, 1: 1})


def test_unknown_schedule_and_bad_sizes():
    with pytest.raises(ValueError, match="unknown schedule"):
        predict("Nope", 2, 4)
    with pytest.raises(ValueError):
        predict("1F1B", 0, 4)


def test_costs_from_trace_and_measured_prediction():
    unit = predict("1F1B", 2, 4, Costs(f=800, b=1700, model="measured"))
    unit["memory"] = [{"rank": 0, "kind": "activations", "peak_bytes": 2048}]
    costs = Costs.from_trace(unit)
    assert (costs.f, costs.b, costs.i, costs.w, costs.model) == (800, 1700, 850, 850, "measured")
    assert costs.activation_bytes == 1024  # 2048 bytes over 2 micro-batches in flight on rank 0
    pred = predict("1F1B", 2, 4, costs)
    assert pred["meta"]["cost_model"] == "measured"
    assert pred["summary"]["makespan_us"] == unit["summary"]["makespan_us"]


def test_costs_reject_negative():
    with pytest.raises(ValueError, match=r"Costs\.b"):
        Costs(b=-1)


def test_rank_orders_of_torch_schedules_are_compute_only():
    for schedule in MULTI:
        orders = rank_orders(schedule, 2, 4)
        kinds = {k for o in orders.values() for k, _, _ in o}
        assert kinds <= set(simulate.COMPUTE_KINDS)
