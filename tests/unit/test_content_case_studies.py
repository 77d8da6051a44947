"""Answer keys of the case studies (lessons 15–17), recomputed from the same formulas as the
lessons they draw on: 16 bytes per parameter and the ZeRO stages, Korthikanti et al.'s
activation bytes, m = B/(d b) and the bubble, ring all-reduce time, the KV cache. Every
quoted measurement is read from its recording; every essay has a model answer and rubric.

    $ pytest tests/unit/test_content_case_studies.py -q
"""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

from tests.unit.content_keys import GB, Keys, assert_numeric, lesson

PLAN, DIAG, ADVICE = (
    "15-case-studies-planning.yaml",
    "16-case-studies-diagnosis.yaml",
    "17-case-studies-advising.yaml",
)
ROOT = Path(__file__).resolve().parents[2]
MB = 10**6


def states_gb(params: float, *, split: int = 1, zero1_over: int = 1) -> float:
    """Model-state GB per GPU: 16 B/param over `split` model-parallel ways, ZeRO-1 optional."""
    return params / split * (2 + 2 + 12 / zero1_over) / GB


def ring(s: float, n: int, b: float) -> float:
    return 2 * (n - 1) / n * s / b


def bubble(p: int, m: int, v: int = 1) -> Fraction:
    return Fraction(p - 1, v * m + p - 1)


def test_case1_30b_single_node():
    assert_numeric(PLAN, "c1-fsdp-per-gpu", states_gb(30e9, split=8), wrong=(480, 112.5))
    per_gpu = {
        "a": 30e9 * 16 / GB,
        "b": 30e9 * (2 + 2 + 12 / 8) / GB,
        "c": 30e9 * (2 + 14 / 8) / GB,
        "d": 30e9 * 16 / 8 / GB,
        "e": 30e9 * 16 / 8 / GB,
    }
    assert (per_gpu["b"], per_gpu["c"]) == (165, 112.5)
    assert {k for k, v in per_gpu.items() if v <= 80} == KEYS[PLAN].choice["c1-which-fit"]


def test_case2_70b_plan():
    dp = 256 // (8 * 4)
    assert dp == 8
    got = states_gb(70e9, split=32, zero1_over=dp)
    assert_numeric(PLAN, "c2-states-per-gpu", got, wrong=(states_gb(70e9, split=32),))
    grads = 70e9 / 32 * 2 / GB
    assert grads == 4.375
    assert_numeric(PLAN, "c2-dp-allreduce-s", ring(grads, dp, 50), wrong=(0.0875, 0.175))
    assert round(float(bubble(4, 1024 // dp)), 3) == 0.023  # quoted in the model answer


def test_case3_refresh():
    m = 512 // (8 * 4)
    assert m == 16
    assert_numeric(PLAN, "c3-old-bubble", float(bubble(2, m)), wrong=(1 / 16,))
    assert_numeric(PLAN, "c3-hsdp-per-gpu", states_gb(13e9, split=8), wrong=(208, 52))


def test_case4_memory_bound_175b():
    s, h, a, t, layers, p = 2048, 12288, 96, 8, 96, 8
    assert_numeric(PLAN, "c4-states-per-gpu", states_gb(175e9, split=64), wrong=(35.0,))
    per_layer = s * h * (34 + 5 * a * s / h) / t
    stage0 = p * (layers // p) * per_layer / GB
    assert_numeric(PLAN, "c4-stage0-activations", stage0, wrong=(stage0 / 8,))
    assert round(stage0 + 43.75, 1) == 78.2
    selective = p * (layers // p) * 34 * s * h / t / GB
    assert_numeric(PLAN, "c4-stage0-selective", selective, wrong=(stage0,))
    assert round(stage0 - selective) == 24
    assert round(175e9 * 12 / 64 * (1 - 1 / 16) / GB) == 31  # what ZeRO-1 over DP 16 frees


def test_case5_postmortem():
    assert_numeric(DIAG, "c5-bubble", float(bubble(8, 8)), wrong=(7 / 8,))
    assert 40e9 * 16 / GB / 32 == 20  # the redesign: TP 8 x PP 4
    assert round(float(bubble(4, 16)), 2) == 0.16 and round(float(bubble(4, 16, 2)), 3) == 0.086


def test_case6_scaling_regression():
    busy = {d: 1 - bubble(8, 512 // d) for d in (16, 32, 64)}
    assert_numeric(DIAG, "c6-m-at-dp64", 512 // 64, wrong=(32, 64))
    assert_numeric(DIAG, "c6-bubble-dp64", float(bubble(8, 8)), wrong=(7 / 8,))
    ratio = busy[64] / busy[16]
    assert_numeric(DIAG, "c6-predicted-ratio", float(ratio), wrong=(0.25, 0.5))
    assert round(3200 * float(ratio)) == 2080 and round(3200 * float(busy[32] / busy[16])) == 2713
    assert round(float(bubble(8, 8, 2)), 3) == 0.304 and round(float(bubble(8, 8, 4)), 3) == 0.179
    dp_if_pp4 = 4096 // (8 * 4)  # fewer stages at a fixed GPU count raise DP instead
    assert round(float(bubble(4, 512 // dp_if_pp4)), 2) == 0.43
    assert_numeric(DIAG, "c6-predict-interleaved-m2", float(bubble(2, 2, 2)), wrong=(1 / 3,))
    text = json.dumps(lesson(DIAG), ensure_ascii=False)
    for name, printed in [("1F1B-p2-m2", "0.349"), ("Interleaved1F1B-p2-m2", "0.223")]:
        trace = json.loads((ROOT / "content/traces/h200x2" / f"{name}.json").read_text())
        assert f"{trace['summary']['bubble_fraction']:.3f}" == printed and printed in text


def test_case7_on_call():
    expected = ring(4, 64, 50)
    assert_numeric(DIAG, "c7-expected-allreduce", expected, wrong=(0.16 * 4,))
    implied = 2 * 63 / 64 * 4 / 0.633
    assert_numeric(DIAG, "c7-implied-bandwidth", implied, wrong=(50, 6.3))
    assert round(1.90 + 0.633 - 0.160, 2) == 2.37


def test_case8_two_clusters():
    assert_numeric(DIAG, "c8-cross-site-seconds", ring(26, 2, 100), wrong=(0.52, 0.13))


def test_case9_70b_on_8_gpus():
    assert_numeric(ADVICE, "c9-fsdp-per-gpu", states_gb(70e9, split=8), wrong=(1120, 35))
    assert_numeric(ADVICE, "c9-offload-cpu-gb", 70e9 * 12 / GB, wrong=(1120, 105))
    assert 70e9 * 2 / 8 / GB == 17.5 and 70e9 * 2 / GB == 140  # sharded weights; grads on CPU
    assert next(n for n in range(1, 100) if 1120 / n < 80) == 15


def test_case10_serving():
    per_token = 2 * 80 * 8 * 128 * 2
    kv = per_token * 64 * 8192 / GB
    assert_numeric(ADVICE, "c10-kv-64-requests", kv, wrong=(kv * 8, kv / 2))
    assert round(140 + kv) == 312
    assert_numeric(ADVICE, "c10-decode-tp4-ms", 140 / 4 / 4800 * 1e3, wrong=(3.65, 29.17))


KEYS = {
    PLAN: Keys(
        PLAN,
        choice={
            "c1-which-fit": {"d", "e"},
            "c2-precision": {"a"},
            "c3-first-change": {"a"},
            "c4-cheapest-fix": {"a"},
        },
        essay={"c1-plan", "c2-plan", "c3-plan", "c4-strategy"},
        recomputed={
            "c1-fsdp-per-gpu",
            "c2-states-per-gpu",
            "c2-dp-allreduce-s",
            "c3-old-bubble",
            "c3-hsdp-per-gpu",
            "c4-states-per-gpu",
            "c4-stage0-activations",
            "c4-stage0-selective",
        },
    ),
    DIAG: Keys(
        DIAG,
        choice={
            "c5-what-the-log-shows": {"a"},
            "c5-utilization-causes": {"a", "b"},
            "c8-which-degree-across": {"a"},
            "c8-why-spikes": {"a"},
        },
        true_false={"c7-one-slow-link": False},
        essay={"c5-postmortem", "c6-diagnosis", "c7-response", "c8-plan"},
        recomputed={
            "c5-bubble",
            "c6-m-at-dp64",
            "c6-bubble-dp64",
            "c6-predicted-ratio",
            "c6-predict-interleaved-m2",
            "c7-expected-allreduce",
            "c7-implied-bandwidth",
            "c8-cross-site-seconds",
        },
    ),
    ADVICE: Keys(
        ADVICE,
        choice={"c9-advice": {"a"}, "c10-what-first": {"a"}},
        essay={"c9-advice-essay", "c10-design"},
        recomputed={
            "c9-fsdp-per-gpu",
            "c9-offload-cpu-gb",
            "c10-kv-64-requests",
            "c10-decode-tp4-ms",
        },
    ),
}


def test_every_question_has_a_reviewed_key():
    for keys in KEYS.values():
        keys.check()


def test_each_case_has_graded_questions_and_one_open_answer():
    for file in KEYS:
        cases = [
            b for b in lesson(file)["body"] if b["type"] == "markdown" and "## Case" in b["text"]
        ]
        essays = [b for b in lesson(file)["body"] if b["type"] == "essay"]
        assert len(essays) == sum(b["text"].count("## Case") for b in cases)
