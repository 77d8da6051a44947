"""No bubble question may accept the other bubble convention's value.

ParaLab states one convention per question: idle time / total step time of a rank,
(p−1)/(v·m+p−1) (GPipe, arXiv 1811.06965), or bubble time / ideal compute time,
(p−1)/(v·m) (Megatron-LM's t_pb/t_id, arXiv 2104.04473); v = 1 without interleaving.
A learner who uses the wrong one must be told so, never graded right. For every numeric
question about a bubble, in every lesson, this test recomputes the key in its convention,
checks that the tolerance refuses the other convention's value, and that a `wrong_answers`
entry gives targeted feedback for that value. A numeric question that mentions a bubble
but is missing from the table below fails the test, so a new one cannot slip through.

    $ pytest tests/unit/test_content_bubble_conventions.py -q
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest
import yaml

from runner.simulate import predict

LESSONS = Path(__file__).resolve().parents[2] / "content" / "lessons"
TOTAL, IDEAL = "idle/total", "idle/ideal"

# (lesson file, question id) -> (p, m, v, convention of the key)
BUBBLE_QUESTIONS = {
    ("01-pipeline-parallelism.yaml", "bubble-p4-m4"): (4, 4, 1, TOTAL),
    ("01-pipeline-parallelism.yaml", "bubble-p4-m12"): (4, 12, 1, TOTAL),
    ("01-pipeline-parallelism.yaml", "predict-gpipe-m8-bubble"): (2, 8, 1, TOTAL),
    ("05-interleaved-zero-bubble.yaml", "interleaved-bubble-p4-v2-m8"): (4, 8, 2, TOTAL),
    ("05-interleaved-zero-bubble.yaml", "interleaved-bubble-megatron-convention"): (
        4,
        8,
        2,
        IDEAL,
    ),
    ("05-interleaved-zero-bubble.yaml", "predict-interleaved-m8"): (2, 8, 2, TOTAL),
    ("14-global-batch-dp-pp.yaml", "bubble-dp8"): (8, 128, 1, TOTAL),
    ("14-global-batch-dp-pp.yaml", "bubble-dp64"): (8, 16, 1, TOTAL),
    ("14-global-batch-dp-pp.yaml", "bubble-dp64-ideal"): (8, 16, 1, IDEAL),
    ("14-global-batch-dp-pp.yaml", "predict-1f1b-m2"): (2, 2, 1, TOTAL),
    ("15-case-studies-planning.yaml", "c3-old-bubble"): (2, 16, 1, TOTAL),
    ("16-case-studies-diagnosis.yaml", "c5-bubble"): (8, 8, 1, TOTAL),
    ("16-case-studies-diagnosis.yaml", "c6-bubble-dp64"): (8, 8, 1, TOTAL),
    ("16-case-studies-diagnosis.yaml", "c6-predict-interleaved-m2"): (2, 2, 2, TOTAL),
}
# Numeric questions that mention the bubble but whose answer is not a bubble fraction.
NOT_A_FRACTION = {
    ("01-pipeline-parallelism.yaml", "microbatches-for-10pct-bubble"),  # a number of micro-batches
    ("14-global-batch-dp-pp.yaml", "largest-dp-10pct"),  # a DP degree
    # a throughput ratio, m/(m+p-1) in either convention: 1 / (1 + (p-1)/m) is the same
    ("16-case-studies-diagnosis.yaml", "c6-predicted-ratio"),
}


def bubble(p: int, m: int, v: int, convention: str) -> Fraction:
    if convention == TOTAL:
        return Fraction(p - 1, v * m + p - 1)
    return Fraction(p - 1, v * m)


def other(convention: str) -> str:
    return IDEAL if convention == TOTAL else TOTAL


def numeric_questions() -> dict[tuple[str, str], dict]:
    found = {}
    for path in sorted(LESSONS.glob("*.yaml")):
        lesson = yaml.safe_load(path.read_text(encoding="utf-8"))
        for block in lesson["body"]:
            if block.get("type") == "numeric":
                found[(path.name, block["id"])] = block
    return found


QUESTIONS = numeric_questions()


def test_every_numeric_bubble_question_is_in_the_table():
    for key, q in QUESTIONS.items():
        if "bubble" in q["prompt"].lower() and key not in NOT_A_FRACTION:
            assert key in BUBBLE_QUESTIONS, f"{key}: a bubble question missing from the table"
    assert set(BUBBLE_QUESTIONS) <= set(QUESTIONS), "the table names a question that is gone"


@pytest.mark.parametrize("key", list(BUBBLE_QUESTIONS))
def test_key_is_its_convention_and_refuses_the_other(key):
    p, m, v, convention = BUBBLE_QUESTIONS[key]
    q = QUESTIONS[key]
    right, wrong = bubble(p, m, v, convention), bubble(p, m, v, other(convention))
    tolerance = q.get("tolerance", 0)
    assert q["answer"] == pytest.approx(float(right), abs=1e-4), key
    assert abs(q["answer"] - float(wrong)) > tolerance, f"{key}: accepts {float(wrong):.4f}"
    # the key rounded to three places, as the prompts ask, is still accepted
    assert abs(round(float(right), 3) - q["answer"]) <= tolerance, key
    says = "ideal" if convention == IDEAL else "total"
    assert says in q["prompt"].lower(), f"{key}: the prompt must name its convention"


@pytest.mark.parametrize("key", list(BUBBLE_QUESTIONS))
def test_the_other_conventions_value_gets_targeted_feedback(key):
    p, m, v, convention = BUBBLE_QUESTIONS[key]
    q = QUESTIONS[key]
    wrong = float(bubble(p, m, v, other(convention)))
    hits = [w for w in q.get("wrong_answers", []) if abs(w["value"] - wrong) <= w["tolerance"]]
    assert len(hits) == 1, f"{key}: no wrong_answers entry for {wrong:.4f}"
    named = "ideal" if convention == TOTAL else "total"
    assert named in hits[0]["feedback"].lower(), f"{key}: the feedback must name the convention"
    assert abs(hits[0]["value"] - q["answer"]) > q.get("tolerance", 0) + hits[0]["tolerance"]


@pytest.mark.parametrize("key", list(BUBBLE_QUESTIONS))
def test_torchs_own_schedule_order_gives_the_same_bubble(key):
    # runner.simulate runs torch's 1F1B / Interleaved1F1B orders at unit costs
    p, m, v, _ = BUBBLE_QUESTIONS[key]
    schedule = {1: "1F1B", 2: "Interleaved1F1B"}[v]
    summary = predict(schedule, p, m)["summary"]
    assert summary["bubble_fraction"] == pytest.approx(float(bubble(p, m, v, TOTAL)), abs=1e-9)
    ideal = summary["bubble"]["idle_over_ideal"]
    assert ideal == pytest.approx(float(bubble(p, m, v, IDEAL)), abs=1e-9)
