"""Real torchrun jobs (gloo, CPU) of runner/workloads/pipeline.py: order and dependencies only.

Never asserts durations. Each job is launched once per session and shared by the tests.
"""

from __future__ import annotations

import itertools
import json
from collections import Counter, defaultdict
from pathlib import Path

import pytest

from runner import schedules
from tests.integration.conftest import run_workload

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
SIZE = {"hidden": 128, "layers_per_stage": 1, "seq": 16, "iterations": 2, "warmup": 1}
MB_ROWS = 4  # rows per micro-batch: batch = 4 × m, so micro-batches are the same size
COMPUTE = {"F", "B", "I", "W"}

torch = pytest.importorskip("torch")
AVAILABLE = schedules.available(torch)
M_FOR = {"naive": 1, "DualPipeV": 4}  # others: 4 too, naive runs the whole batch at once


@pytest.fixture(scope="session")
def job(tmp_path_factory):
    cache: dict[tuple, dict] = {}

    def run(schedule: str, ranks: int = 2, m: int = 4) -> dict:
        key = (schedule, ranks, m)
        if key not in cache:
            out = tmp_path_factory.mktemp(f"{schedule}-{ranks}-{m}")
            spec = {"workload": "pipeline", "schedule": schedule, "pp": ranks,
                    "microbatches": m, "batch": MB_ROWS * m, "device": "cpu", **SIZE}  # fmt: skip
            cache[key] = run_workload(spec, out)
        return cache[key]

    return run


def iterations(t: dict):
    by_iter = defaultdict(list)
    for ev in t["events"]:
        by_iter[ev["iteration"]].append(ev)
    return [by_iter[i] for i in sorted(by_iter)]


def order(events: list[dict], rank: int) -> list[str]:
    """Compute actions of one rank in time order, e.g. ['F0', 'F1', 'B0', ...]."""
    mine = sorted((e for e in events if e["rank"] == rank and e["kind"] in COMPUTE),
                  key=lambda e: e["start_us"])  # fmt: skip
    return [f"{e['kind']}{e['microbatch']}" for e in mine]


def one_f_one_b(p: int, r: int, m: int) -> list[str]:
    """1F1B on rank r: warmup (p−r forwards), steady (1B then 1F), cooldown (the rest)."""
    warm = min(m, p - r)
    seq = [f"F{j}" for j in range(warm)]
    f, b = warm, 0
    while f < m:
        seq += [f"B{b}", f"F{f}"]
        b, f = b + 1, f + 1
    return seq + [f"B{j}" for j in range(b, m)]


def check_consistency(t: dict) -> None:
    spec, meta = t["spec"], t["meta"]
    p, m = spec["stages"], spec["microbatches"]
    n_stages = p * meta["stages_per_rank"]
    assert meta["world_size"] == p and meta["clock"] == "perf_counter_ns"
    assert meta["backend"] == "gloo"
    its = iterations(t)
    assert len(its) == spec["iterations"]
    assert 0 <= t["summary"]["bubble_fraction"] < 1
    assert t["summary"]["bubble_convention"] == "idle/(ranks*makespan)"
    for events in its:
        for r in range(p):  # one thread per rank: its events never overlap
            mine = sorted((e for e in events if e["rank"] == r), key=lambda e: e["start_us"])
            for a, b in itertools.pairwise(mine):
                assert b["start_us"] >= a["end_us"], (a, b)
        acts = Counter((e["stage"], e["microbatch"], e["kind"]) for e in events
                       if e["kind"] in COMPUTE)  # fmt: skip
        at = {(e["stage"], e["microbatch"], e["kind"]): e for e in events}
        for s in range(n_stages):
            for j in range(m):
                assert acts[(s, j, "F")] == 1, (s, j)
                full = acts[(s, j, "B")]
                split = (acts[(s, j, "I")], acts[(s, j, "W")])
                assert (full, split) in ((1, (0, 0)), (0, (1, 1))), (s, j, full, split)
        for j in range(m):
            for s in range(n_stages - 1):
                # forward flows down the stages, backward flows up
                assert at[(s + 1, j, "F")]["start_us"] >= at[(s, j, "F")]["end_us"]
                up = at.get((s + 1, j, "B")) or at[(s + 1, j, "I")]
                down = at.get((s, j, "B")) or at[(s, j, "I")]
                assert down["start_us"] >= up["end_us"], (s, j)
                recv = at.get((s + 1, j, "RECV_F"))
                if recv:  # a receive cannot finish before the sender's forward
                    assert recv["end_us"] >= at[(s, j, "F")]["end_us"]


@pytest.mark.parametrize("schedule", AVAILABLE)
def test_every_schedule_runs_on_two_ranks(job, schedule):
    t = job(schedule, 2, M_FOR.get(schedule, 4))
    check_consistency(t)
    kinds = {e["kind"] for e in t["events"]}
    if schedules.info(schedule).split_backward:
        assert {"I", "W"} <= kinds
    else:
        assert "I" not in kinds and "W" not in kinds
    assert {"RECV_F", "RECV_B"} <= kinds  # waits on P2P are timed too


def test_1f1b_runs_warmup_steady_cooldown(job):
    t = job("1F1B", 2, 4)
    for events in iterations(t):
        assert order(events, 0) == ["F0", "F1", "B0", "F2", "B1", "F3", "B2", "B3"]
        assert order(events, 1) == one_f_one_b(2, 1, 4)


def test_gpipe_runs_all_forwards_then_all_backwards(job):
    t = job("GPipe", 2, 4)
    for events in iterations(t):
        for r in range(2):
            assert order(events, r) == [f"F{j}" for j in range(4)] + [f"B{j}" for j in range(4)]


def test_four_ranks_1f1b(job):
    t = job("1F1B", 4, 4)
    check_consistency(t)
    for events in iterations(t):
        for r in range(4):
            assert order(events, r) == one_f_one_b(4, r, 4)


def peak(t: dict, rank: int) -> int:
    return next(m["peak_bytes"] for m in t["memory"]
                if m["rank"] == rank and m["kind"] == "activations")  # fmt: skip


def test_gpipe_holds_every_microbatch_1f1b_at_most_p(job):
    gpipe2, gpipe4 = peak(job("GPipe", 2, 2), 0), peak(job("GPipe", 2, 4), 0)
    f1b2, f1b4 = peak(job("1F1B", 2, 2), 0), peak(job("1F1B", 2, 4), 0)
    per_mb = gpipe4 / 4  # same micro-batch size in every job
    assert gpipe2 == pytest.approx(2 * per_mb, rel=0.05)  # grows with m
    assert f1b4 == pytest.approx(f1b2, rel=0.05)  # bounded by p = 2 micro-batches
    assert f1b4 <= 2 * per_mb * 1.05


def test_naive_has_one_microbatch_and_rank1_waits(job):
    t = job("naive", 2, 1)
    check_consistency(t)
    assert t["spec"]["microbatches"] == 1
    for events in iterations(t):
        assert order(events, 0) == ["F0", "B0"] and order(events, 1) == ["F0", "B0"]
        f0 = next(e for e in events if e["rank"] == 0 and e["kind"] == "F")
        busy1 = [e for e in events if e["rank"] == 1 and e["kind"] in COMPUTE]
        assert all(e["start_us"] >= f0["end_us"] for e in busy1)  # idle during rank 0's F
        recv = next(e for e in events if e["rank"] == 1 and e["kind"] == "RECV_F")
        assert recv["end_us"] >= f0["end_us"]


def test_bad_spec_is_refused_before_any_process_group(tmp_path):
    from runner.workloads.entry import read_spec

    spec = {"workload": "pipeline", "schedule": "1F1B", "pp": 2, "microbatches": 2,
            "batch": 8, "device": "cpu", **SIZE}  # fmt: skip
    path = tmp_path / "spec.json"
    path.write_text(json.dumps({**spec, "microbatches": 3, "schedule": "GPipe"}))
    with pytest.raises(ValueError, match=r"^spec\.batch"):
        read_spec(str(path), 2, "pipeline")
    path.write_text(json.dumps({**spec, "schedul": "GPipe"}))
    with pytest.raises(ValueError, match=r"^spec\.schedul: unknown field"):
        read_spec(str(path), 2, "pipeline")
    path.write_text(json.dumps(spec))
    with pytest.raises(ValueError, match=r"^spec\.ranks: pp=2 make 2 but torchrun started 4"):
        read_spec(str(path), 4, "pipeline")
    with pytest.raises(ValueError, match=r"^spec\.workload"):
        read_spec(str(path), 2, "tensor_parallel")
