"""Answer keys of lesson 11 (collective cost): the ring formulas recomputed, the ring
simulated chunk by chunk, and the recorded bus bandwidth read from the committed trace.

    $ pytest tests/unit/test_content_collectives.py -q
"""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

import pytest

from runner.gallery import tensor_parallel_pairs
from tests.unit.content_keys import GB, Keys, assert_numeric, question

FILE = "11-collective-cost.yaml"
ROOT = Path(__file__).resolve().parents[2]
RECORDING = ROOT / "content" / "traces" / "tp-h200x2" / "tp-blocking-n2-h4096.json"


def ring_all_reduce(s: float, n: int, b: float, alpha: float = 0.0) -> float:
    return 2 * (n - 1) * alpha + 2 * (n - 1) / n * s / b


def simulate_ring(buffers: list[list[int]]) -> tuple[list[list[int]], int]:
    """Ring reduce-scatter then all-gather on N ranks with N chunks each; chunks sent per rank."""
    n = len(buffers)
    data = [list(b) for b in buffers]
    sent = 0
    for step in range(n - 1):  # reduce-scatter: rank r sends chunk (r - step) to r + 1
        outgoing = [(r, (r - step) % n, data[r][(r - step) % n]) for r in range(n)]
        for r, c, value in outgoing:
            data[(r + 1) % n][c] += value
        sent += 1
    for step in range(n - 1):  # all-gather: rank r forwards its summed chunk (r + 1 - step)
        outgoing = [(r, (r + 1 - step) % n, data[r][(r + 1 - step) % n]) for r in range(n)]
        for r, c, value in outgoing:
            data[(r + 1) % n][c] = value
        sent += 1
    return data, sent


@pytest.mark.parametrize("n", [2, 3, 4, 8])
def test_the_ring_sums_and_sends_2_n_minus_1_chunks(n):
    buffers = [[10 * r + c for c in range(n)] for r in range(n)]
    total = [sum(buffers[r][c] for r in range(n)) for c in range(n)]
    data, sent = simulate_ring(buffers)
    assert all(row == total for row in data) and sent == 2 * (n - 1)


def test_all_reduce_keys():
    s = 7e9 * 2 / GB  # GB of bf16 gradients
    assert s == 14
    assert_numeric(FILE, "allreduce-14gb-n8", ring_all_reduce(s, 8, 100), wrong=(0.28, 0.14))
    t64 = ring_all_reduce(s, 64, 25)
    assert_numeric(FILE, "allreduce-14gb-n64", t64, wrong=(0.56, 1.12))
    assert round(t64 / ring_all_reduce(s, 8, 100), 1) == 4.5
    assert_numeric(FILE, "reduce-scatter-14gb-n8", 7 / 8 * s / 100, wrong=(0.245, 0.14))


def test_ring_factor_and_latency_keys():
    factor = Fraction(2 * 1023, 1024) / Fraction(2 * 1, 2)
    assert_numeric(FILE, "ring-factor-n2-to-n1024", float(factor), wrong=(512, 1024))
    t = ring_all_reduce(1e6, 64, 25e9, alpha=5e-6) * 1e6
    assert t == pytest.approx(630 + 78.75)
    assert_numeric(FILE, "small-message-latency-us", t, wrong=(78.75, 630, 80))
    assert_numeric(FILE, "busbw-from-algbw", 150 * 2 * 7 / 8, wrong=(150, 300, 171.4))


def test_recorded_bus_bandwidth_comes_from_the_recording():
    trace = json.loads(RECORDING.read_text(encoding="utf-8"))
    spec, summary = trace["spec"], trace["summary"]
    assert (spec["ranks"], spec["hidden"], spec["layers"]) == (2, 4096, 8)
    assert spec["batch"] * spec["seq"] == 4096 and trace["meta"]["dtype"] == "bfloat16"
    assert f"{summary['comm_us'] / 1e3:.2f}" == "1.15"
    size = spec["batch"] * spec["seq"] * spec["hidden"] * 2
    assert size == 33_554_432
    per_reduce_s = summary["comm_us"] / spec["layers"] / 1e6
    busbw = size / per_reduce_s / GB * (2 * (2 - 1) / 2)
    assert_numeric(FILE, "recorded-tp-busbw", busbw, wrong=(116.8, 467.2))
    lab = question(FILE, "recorded-tp-busbw")["lab"]
    pairs = tensor_parallel_pairs(ROOT / "content" / "traces")
    shape = (2, 4096, 8 * 512)  # the lab block's tp, hidden and tokens per step
    assert lab == "tp-ladder-h4096" and any((p.ranks, p.hidden, p.tokens) == shape for p in pairs)


KEYS = Keys(
    FILE,
    ordering={"ring-allreduce-phases": ["split", "reduce", "one-chunk", "gather", "done"]},
    true_false={"ring-time-linear-in-n": False},
    recomputed={
        "allreduce-14gb-n8",
        "allreduce-14gb-n64",
        "reduce-scatter-14gb-n8",
        "ring-factor-n2-to-n1024",
        "small-message-latency-us",
        "busbw-from-algbw",
        "recorded-tp-busbw",
    },
)


def test_every_question_has_a_reviewed_key():
    KEYS.check()
