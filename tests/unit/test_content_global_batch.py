"""Answer keys of lesson 14 (global batch × DP × PP): m = B / (d b) and the bubble in both
conventions recomputed, the bubble budget solved by search, and the quoted measurements
read from the committed H200 recordings.

    $ pytest tests/unit/test_content_global_batch.py -q
"""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

from tests.unit.content_keys import Keys, assert_numeric, lesson

FILE = "14-global-batch-dp-pp.yaml"
ROOT = Path(__file__).resolve().parents[2]
B, MICRO, P = 1024, 1, 8


def m_of(d: int) -> int:
    assert B % (d * MICRO) == 0
    return B // (d * MICRO)


def idle_total(p: int, m: int) -> Fraction:
    return Fraction(p - 1, m + p - 1)


def idle_ideal(p: int, m: int) -> Fraction:
    return Fraction(p - 1, m)


def test_micro_batches_and_bubbles():
    assert m_of(8) == 128 and m_of(64) == 16
    assert_numeric(FILE, "m-at-dp64", m_of(64), wrong=(128, 8))
    assert_numeric(FILE, "bubble-dp8", float(idle_total(P, 128)), wrong=(7 / 128,))
    assert_numeric(FILE, "bubble-dp64", float(idle_total(P, 16)), wrong=(7 / 16,))
    assert_numeric(FILE, "bubble-dp64-ideal", float(idle_ideal(P, 16)), wrong=(7 / 23,))
    speedup = Fraction(128 + P - 1, 16 + P - 1)  # step slots at d = 8 over d = 64
    assert round(float(speedup), 1) == 5.9


def test_largest_dp_degree_for_a_ten_percent_bubble():
    divisors = [d for d in range(1, B + 1) if B % d == 0]
    ok = [d for d in divisors if idle_total(P, m_of(d)) <= Fraction(1, 10)]
    assert max(ok) == 16 and idle_total(P, m_of(32)) > Fraction(1, 10)
    assert_numeric(FILE, "largest-dp-10pct", max(ok), wrong=(32, 15))


def test_predict_then_run_and_the_recordings():
    assert_numeric(FILE, "predict-1f1b-m2", float(idle_total(2, 2)), wrong=(0.5,))
    text = json.dumps(lesson(FILE), ensure_ascii=False)
    for m, printed in [(8, "0.132"), (4, "0.219"), (2, "0.349")]:
        path = ROOT / "content" / "traces" / "h200x2" / f"1F1B-p2-m{m}.json"
        trace = json.loads(path.read_text(encoding="utf-8"))
        assert trace["spec"]["batch"] == 32 and trace["spec"]["microbatches"] == m
        assert f"{trace['summary']['bubble_fraction']:.3f}" == printed
        assert printed in text
    labs = {b["id"]: b for b in lesson(FILE)["body"] if b["type"] == "lab"}
    assert labs["1f1b-m2"]["trace"].endswith("1F1B-p2-m2.json")


KEYS = Keys(
    FILE,
    choice={
        "why-bubble-grows-with-dp": {"a"},
        "bubble-remedies-fixed-batch": {"a", "b", "c"},
    },
    recomputed={
        "m-at-dp64",
        "bubble-dp8",
        "bubble-dp64",
        "bubble-dp64-ideal",
        "largest-dp-10pct",
        "predict-1f1b-m2",
    },
)


def test_every_question_has_a_reviewed_key():
    KEYS.check()
