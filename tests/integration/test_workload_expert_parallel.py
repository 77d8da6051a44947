"""Real 2-rank gloo runs of runner/workloads/expert_parallel.py: tokens, order, outputs.

Semantics only, never durations: every routed row is sent, computed and sent back; an
expert keeps no more than its capacity; the sharded output equals a one-process MoE.
"""

from __future__ import annotations

import itertools
from collections import defaultdict

import pytest

from tests.integration.conftest import run_workload

pytestmark = pytest.mark.integration
pytest.importorskip("torch")

LAYERS, ITERATIONS, TOKENS, TOP_K, EXPERTS = 2, 2, 256, 2, 4
SIZE = {"workload": "expert_parallel", "ep": 2, "experts": EXPERTS, "top_k": TOP_K,
        "layers": LAYERS, "hidden": 64, "ffn": 256, "tokens": TOKENS,
        "iterations": ITERATIONS, "warmup": 1}  # fmt: skip


@pytest.fixture(scope="module")
def job(tmp_path_factory):
    cache: dict[tuple, dict] = {}

    def run(skew: float, capacity_factor: float) -> dict:
        key = (skew, capacity_factor)
        if key not in cache:
            out = tmp_path_factory.mktemp("moe")
            spec = {**SIZE, "skew": skew, "capacity_factor": capacity_factor}
            cache[key] = run_workload(spec, out)
        return cache[key]

    return run


def by_phase(t: dict) -> dict[tuple, dict]:
    """{(iteration, layer, rank, op): event}, one event each."""
    table: dict[tuple, dict] = {}
    for e in t["events"]:
        key = (e["iteration"], e["layer"], e["rank"], e["op"])
        assert key not in table, f"two events for {key}"
        table[key] = e
    return table


@pytest.mark.parametrize("case", [(0.5, 1.0), (0.0, 0.0)])
def test_tokens_are_conserved_across_dispatch_experts_and_combine(job, case):
    t = job(*case)
    ev = by_phase(t)
    layers = t["summary"]["routing"]["layers"]
    for it in range(ITERATIONS):
        for layer in range(LAYERS):
            sent = sum(ev[it, layer, r, "dispatch"]["tokens"] for r in range(2))
            computed = sum(ev[it, layer, r, "experts"]["tokens"] for r in range(2))
            returned = sum(ev[it, layer, r, "combine"]["tokens"] for r in range(2))
            assert sent == computed == returned == sum(layers[layer]["kept"])
            assert layers[layer]["received"] == [ev[it, layer, r, "experts"]["tokens"]
                                                 for r in range(2)]  # fmt: skip
            for r in range(2):  # each rank gets back exactly the rows it sent
                assert ev[it, layer, r, "gate"]["tokens"] == ev[it, layer, r, "dispatch"]["tokens"]
    for layer in layers:
        assert sum(layer["routed"]) == 2 * TOKENS * TOP_K  # every token chose k experts


def test_skew_overloads_expert_0_and_the_capacity_cut_drops_its_excess(job):
    t = job(0.5, 1.0)
    capacity = t["summary"]["routing"]["capacity"]
    assert capacity == TOP_K * TOKENS // EXPERTS  # factor 1: exactly the balanced share
    for layer in t["summary"]["routing"]["layers"]:
        assert layer["routed"][0] > 2 * capacity  # the hot expert is asked for more ...
        assert layer["kept"][0] == 2 * capacity  # ... and takes its capacity from each rank
        assert all(k <= 2 * capacity for k in layer["kept"])
    assert t["summary"]["dropped_fraction"] > 0
    assert job(0.0, 0.0)["summary"]["dropped_fraction"] == 0  # factor 0: no limit


@pytest.mark.parametrize("case", [(0.5, 1.0), (0.0, 0.0)])
def test_sharded_moe_output_equals_the_one_process_reference(job, case):
    error = job(*case)["summary"]["max_abs_error"]
    assert error is not None and error < 1e-5


def test_phases_in_order_and_each_all_to_all_waits_for_every_rank(job):
    ev = by_phase(job(0.5, 1.0))
    order = ("gate", "dispatch", "experts", "combine", "merge")
    for it in range(ITERATIONS):
        for layer in range(LAYERS):
            for r in range(2):
                for a, b in itertools.pairwise(order):
                    assert ev[it, layer, r, b]["start_us"] >= ev[it, layer, r, a]["end_us"]
            # a collective ends on every rank after the last rank has joined it
            last_gate = max(ev[it, layer, r, "gate"]["end_us"] for r in range(2))
            last_experts = max(ev[it, layer, r, "experts"]["end_us"] for r in range(2))
            for r in range(2):
                assert ev[it, layer, r, "dispatch"]["end_us"] >= last_gate
                assert ev[it, layer, r, "combine"]["end_us"] >= last_experts
    streams = defaultdict(set)
    for e in ev.values():
        streams[e["kind"]].add(e["stream"])
    assert streams == {"COMPUTE": {"compute"}, "ALLTOALL": {"comm"}}


def test_the_prediction_uses_the_runs_token_counts_and_fitted_alltoall_cost(job):
    from runner import registry

    t = job(0.5, 1.0)
    fit = t["meta"]["comm_fit"]["alltoall"]
    assert len(fit["points"]) == 3 and fit["alpha_us"] >= 0
    assert t["meta"]["rank_labels"] == {"0": "rank 0 · experts 0–1", "1": "rank 1 · experts 2–3"}
    spec = registry.spec_from_trace(t["spec"])
    predicted = registry.get("expert_parallel").predict(spec, t)
    assert predicted["meta"]["source"] == "simulated"
    measured_rows = {(e["layer"], e["rank"]): e["tokens"] for e in t["events"]
                     if e["op"] == "experts"}  # fmt: skip
    for e in predicted["events"]:
        if e["op"] == "experts":
            assert e["tokens"] == measured_rows[e["layer"], e["rank"]]
    assert predicted["summary"]["step_us"] > 0
