"""Real 4-rank gloo runs of runner/workloads/hybrid.py (dp × pp and dp × tp): every event
carries its mesh coordinate, every collective runs on the right mesh group, replicas agree.

Semantics only, never durations. A collective ends on each member only after every member
has joined it, so "ends after the peers' starts" holds for the group it really ran on.
"""

from __future__ import annotations

from collections import defaultdict

import pytest

from tests.integration.conftest import run_workload

pytestmark = pytest.mark.integration
pytest.importorskip("torch")

ITERATIONS, LAYERS = 2, 2
SIZE = {"workload": "hybrid", "dp": 2, "layers": LAYERS, "hidden": 64, "batch": 8, "seq": 16,
        "microbatches": 2, "iterations": ITERATIONS, "warmup": 1}  # fmt: skip
LAYOUTS = {"tp": {"tp": 2, "pp": 1}, "pp": {"pp": 2, "tp": 1}}


@pytest.fixture(scope="module")
def job(tmp_path_factory):
    cache: dict[str, dict] = {}

    def run(inner: str) -> dict:
        if inner not in cache:
            out = tmp_path_factory.mktemp(f"hybrid-{inner}")
            cache[inner] = run_workload({**SIZE, **LAYOUTS[inner]}, out)
        return cache[inner]

    return run


@pytest.mark.parametrize("inner", ["tp", "pp"])
def test_every_event_carries_its_mesh_coordinate_and_comm_its_group(job, inner):
    t = job(inner)
    assert t["meta"]["world_size"] == 4 and {e["rank"] for e in t["events"]} == {0, 1, 2, 3}
    groups = {"ALLREDUCE": "tp", "DP_ALLREDUCE": "dp", "SEND_F": "pp", "RECV_F": "pp",
              "SEND_B": "pp", "RECV_B": "pp"}  # fmt: skip
    for e in t["events"]:
        assert e["mesh"] == {"dp": e["rank"] // 2, inner: e["rank"] % 2}  # inner axis fastest
        assert e.get("group") == groups.get(e["kind"])
    assert {e["group"] for e in t["events"] if "group" in e} == {inner, "dp"}
    assert t["meta"]["mesh"]["groups"] == {"dp": [[0, 2], [1, 3]], inner: [[0, 1], [2, 3]]}
    assert t["meta"]["rank_labels"]["1"] == f"dp 0 · {inner} 1"
    assert t["meta"]["rank_labels"]["2"] == f"dp 1 · {inner} 0"


def _peers_joined(events: list[dict], members: list[int], key) -> None:
    """Each member's copy of a collective ends after every member's copy started."""
    calls = defaultdict(dict)
    for e in events:
        if e["rank"] in members:
            calls[key(e)][e["rank"]] = e
    assert calls
    for call in calls.values():
        assert set(call) == set(members), f"not every member of {members} ran it"
        last_start = max(e["start_us"] for e in call.values())
        assert all(e["end_us"] >= last_start for e in call.values())


@pytest.mark.parametrize("inner", ["tp", "pp"])
def test_gradient_allreduce_runs_across_the_dp_group_once_per_step(job, inner):
    t = job(inner)
    dp = [e for e in t["events"] if e["kind"] == "DP_ALLREDUCE"]
    assert len(dp) == 4 * ITERATIONS
    for members in t["meta"]["mesh"]["groups"]["dp"]:
        _peers_joined(dp, members, key=lambda e: e["iteration"])
    for e in dp:  # after this rank's backward: the last compute of its step
        last_b = max(b["end_us"] for b in t["events"] if b["kind"] == "B"
                     and b["rank"] == e["rank"] and b["iteration"] == e["iteration"])  # fmt: skip
        assert e["start_us"] >= last_b


def test_tp_allreduces_run_inside_each_tp_group_twice_per_block(job):
    t = job("tp")
    tp = [e for e in t["events"] if e["kind"] == "ALLREDUCE"]
    assert len(tp) == 4 * ITERATIONS * LAYERS * 2  # forward and backward, every block
    for members in t["meta"]["mesh"]["groups"]["tp"]:
        _peers_joined(tp, members, key=lambda e: (e["iteration"], e["layer"], e["op"]))


def test_pipeline_transfers_stay_inside_each_replica(job):
    t = job("pp")
    ev = {(e["iteration"], e["rank"], e["kind"], e["microbatch"]): e for e in t["events"]}
    for it in range(ITERATIONS):
        for d in range(2):
            first, second = 2 * d, 2 * d + 1  # stage 0 and stage 1 of replica d
            for mb in range(SIZE["microbatches"]):
                # stage 1 of this replica runs F of mb after stage 0 of *this* replica
                assert ev[it, second, "F", mb]["start_us"] >= ev[it, first, "F", mb]["end_us"]
                assert ev[it, first, "B", mb]["start_us"] >= ev[it, second, "B", mb]["end_us"]


@pytest.mark.parametrize("inner", ["tp", "pp"])
def test_replicas_hold_the_same_weights_and_the_prediction_uses_both_fits(job, inner):
    from runner import registry

    t = job(inner)
    assert t["summary"]["replica_max_diff"] == 0.0
    fits = t["meta"]["comm_fit"]
    assert set(fits) == {"tp_allreduce" if inner == "tp" else "p2p", "dp_allreduce"}
    spec = registry.spec_from_trace(t["spec"])
    predicted = registry.get("hybrid").predict(spec, t)
    assert predicted["meta"]["source"] == "simulated"
    assert predicted["meta"]["rank_labels"] == t["meta"]["rank_labels"]
    assert {e.get("group") for e in predicted["events"]} >= {"dp"}
    assert predicted["summary"]["step_us"] > 0
