"""Recompute the answer keys of the lesson content from first principles.

A wrong answer key is the worst bug a teaching app can have, so every numeric answer in
`content/lessons/*.yaml` is derived here again from its formula (or from a small schedule
simulation), and the dependency graph of the micro-batch ordering exercise is checked
against the GPipe timeline it describes. The YAML is read with pyyaml directly, so these
tests do not depend on the `lessons` package.

    $ pytest tests/unit/test_content_answer_keys.py
"""

from __future__ import annotations

import itertools
import math
from fractions import Fraction
from pathlib import Path

import pytest
import yaml

LESSONS = Path(__file__).resolve().parents[2] / "content" / "lessons"
PIPELINE = "01-pipeline-parallelism.yaml"
MEMORY = "02-model-parallelism-memory.yaml"
LADDER = "03-tensor-parallelism-ladder.yaml"
INFERENCE = "04-parallelism-for-inference.yaml"
GB = 10**9  # the lessons use decimal gigabytes


def question(file: str, qid: str) -> dict:
    lesson = yaml.safe_load((LESSONS / file).read_text(encoding="utf-8"))
    found = [b for b in lesson["body"] if b.get("id") == qid and b["type"] != "lab"]
    assert len(found) == 1, f"{file}: question {qid!r} found {len(found)} times"
    return found[0]


def assert_numeric(file: str, qid: str, expected: float, *, wrong: tuple[float, ...] = ()):
    """The key matches `expected`, accepts it, and rejects each plausible wrong answer."""
    q = question(file, qid)
    assert q["type"] == "numeric"
    tolerance = q.get("tolerance", 0)
    assert q["answer"] == pytest.approx(expected, abs=1e-3), f"{qid}: key {q['answer']}"
    assert abs(float(expected) - q["answer"]) <= tolerance + 1e-9
    for value in wrong:
        assert abs(value - q["answer"]) > tolerance, f"{qid}: would accept wrong {value}"


# --- a tiny pipeline-schedule simulator (equal stage times, free communication) -----------


def gpipe_ops(p: int, m: int) -> list[list[tuple[str, int]]]:
    """Per rank: all forwards, then all backwards in micro-batch order (ScheduleGPipe)."""
    return [[("F", i) for i in range(m)] + [("B", i) for i in range(m)] for _ in range(p)]


def one_f_one_b_ops(p: int, m: int) -> list[list[tuple[str, int]]]:
    """Per rank: warmup min(m, p - r) forwards, then B/F alternating, then the last Bs."""
    ranks = []
    for r in range(p):
        warmup = min(m, p - r)
        ops = [("F", i) for i in range(warmup)]
        for i in range(m):
            ops.append(("B", i))
            if warmup + i < m:
                ops.append(("F", warmup + i))
        ranks.append(ops)
    return ranks


def simulate(ops: list[list[tuple[str, int]]], t_f: float = 1.0, t_b: float = 2.0) -> dict:
    """Start/end time of every (kind, rank, microbatch), each rank running its ops in order."""
    p = len(ops)
    done: dict[tuple[str, int, int], tuple[float, float]] = {}
    cursor, free = [0] * p, [0.0] * p
    while any(cursor[r] < len(ops[r]) for r in range(p)):
        progressed = False
        for r in range(p):
            if cursor[r] == len(ops[r]):
                continue
            kind, i = ops[r][cursor[r]]
            deps = [("F", r - 1, i)] if kind == "F" and r > 0 else []
            if kind == "B":
                deps = [("F", r, i)] + ([("B", r + 1, i)] if r < p - 1 else [])
            if all(d in done for d in deps):
                start = max([free[r]] + [done[d][1] for d in deps])
                end = start + (t_f if kind == "F" else t_b)
                done[(kind, r, i)] = (start, end)
                free[r], cursor[r], progressed = end, cursor[r] + 1, True
        assert progressed, "schedule deadlocks"
    return done


def idle_fractions(done: dict) -> list[float]:
    makespan = max(end for _, end in done.values())
    ranks = sorted({r for _, r, _ in done})
    busy = [sum(e - s for (_, rr, _), (s, e) in done.items() if rr == r) for r in ranks]
    return [1 - b / makespan for b in busy]


def bubble(p: int, m: int) -> Fraction:
    """Idle time / total step time of a rank: (p-1)/(m+p-1) (GPipe, arXiv 1811.06965)."""
    return Fraction(p - 1, m + p - 1)


@pytest.mark.parametrize(("p", "m"), [(1, 4), (2, 1), (2, 8), (4, 1), (4, 4), (4, 12), (8, 32)])
@pytest.mark.parametrize("schedule", [gpipe_ops, one_f_one_b_ops])
def test_simulated_bubble_matches_formula(schedule, p, m):
    for t_f, t_b in [(1.0, 1.0), (1.0, 2.0)]:
        for idle in idle_fractions(simulate(schedule(p, m), t_f, t_b)):
            assert idle == pytest.approx(float(bubble(p, m)))


def test_1f1b_keeps_at_most_p_minus_r_microbatches_in_flight():
    p, m = 4, 12
    for r, ops in enumerate(one_f_one_b_ops(p, m)):
        in_flight = peak = 0
        for kind, _ in ops:
            in_flight += 1 if kind == "F" else -1
            peak = max(peak, in_flight)
        assert peak == min(m, p - r)
    for ops in gpipe_ops(p, m):
        assert max(itertools.accumulate(1 if k == "F" else -1 for k, _ in ops)) == m


# --- lesson 1: pipeline parallelism ------------------------------------------------------


def test_naive_idle_fraction():
    p = 4
    for idle in idle_fractions(simulate(gpipe_ops(p, 1))):
        assert idle == pytest.approx(0.75)
    assert_numeric(PIPELINE, "naive-idle-fraction", (p - 1) / p, wrong=(0.25,))


def test_bubble_fraction_keys():
    # the other convention, (p-1)/m of ideal time (Megatron, arXiv 2104.04473), is refused
    assert_numeric(PIPELINE, "bubble-p4-m4", float(bubble(4, 4)), wrong=(3 / 4,))
    assert_numeric(PIPELINE, "bubble-p4-m12", float(bubble(4, 12)), wrong=(3 / 12,))
    assert_numeric(PIPELINE, "predict-gpipe-m8-bubble", float(bubble(2, 8)), wrong=(0.5, 1 / 8))
    assert bubble(2, 8) == Fraction(1, 9)


def test_microbatches_for_ten_percent_bubble():
    smallest = next(m for m in range(1, 1000) if bubble(4, m) <= Fraction(1, 10))
    assert smallest == 27 and bubble(4, 26) > Fraction(1, 10)
    other_convention = next(m for m in range(1, 1000) if Fraction(3, m) <= Fraction(1, 10))
    assert other_convention == 30
    assert_numeric(PIPELINE, "microbatches-for-10pct-bubble", smallest, wrong=(26, 30))


ORDER_EVENTS = {  # item id -> (kind, rank, microbatch) of the two-device exercise
    "d1f1": ("F", 0, 0),
    "d1f2": ("F", 0, 1),
    "d2f1": ("F", 1, 0),
    "d2f2": ("F", 1, 1),
    "d2b1": ("B", 1, 0),
    "d2b2": ("B", 1, 1),
    "d1b1": ("B", 0, 0),
    "d1b2": ("B", 0, 1),
}
CANONICAL_GPIPE = ["d1f1", "d1f2", "d2f1", "d2f2", "d2b1", "d1b1", "d2b2", "d1b2"]


def satisfies(order: list[str], precedes: list[list[str]]) -> bool:
    pos = {item: k for k, item in enumerate(order)}
    return all(pos[a] < pos[b] for a, b in precedes)


def timeline_orders(done: dict) -> set[tuple[str, ...]]:
    """Every listing of the events by start time, events starting together in any order."""
    start = {item: done[event][0] for item, event in ORDER_EVENTS.items()}
    return {
        perm
        for perm in itertools.permutations(ORDER_EVENTS)
        if all(start[a] <= start[b] for a, b in itertools.pairwise(perm))
    }


def test_ordering_graph_accepts_exactly_the_gpipe_timeline():
    q = question(PIPELINE, "two-device-gpipe-order")
    assert q["type"] == "ordering" and "answer" not in q
    assert {item["id"] for item in q["items"]} == set(ORDER_EVENTS)
    graph = q["precedes"]
    assert satisfies(CANONICAL_GPIPE, graph)
    accepted = {p for p in itertools.permutations(ORDER_EVENTS) if satisfies(list(p), graph)}
    for t_f, t_b in [(1.0, 1.0), (1.0, 2.0)]:
        assert accepted == timeline_orders(simulate(gpipe_ops(2, 2), t_f, t_b))
    assert len(accepted) == 4  # two pairs of concurrent events, each in either order


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("d2f1", "d1f1"),  # device 2 cannot run micro-batch 1 before device 1 has
        ("d2f2", "d1f2"),
        ("d1b1", "d2b1"),  # device 1's backward needs device 2's gradient
        ("d1b2", "d2b2"),
        ("d1f2", "d1f1"),  # micro-batches enter in order
        ("d2b1", "d2f2"),  # GPipe: all forwards before any backward (1F1B would allow it)
    ],
)
def test_ordering_graph_refuses_wrong_orders(before, after):
    graph = question(PIPELINE, "two-device-gpipe-order")["precedes"]
    wrong = [e for e in CANONICAL_GPIPE if e != before]
    wrong.insert(wrong.index(after), before)
    assert not satisfies(wrong, graph)


def test_ordering_graph_allows_the_concurrent_pairs_either_way():
    graph = question(PIPELINE, "two-device-gpipe-order")["precedes"]
    swapped = ["d1f1", "d2f1", "d1f2", "d2f2", "d2b1", "d2b2", "d1b1", "d1b2"]
    assert satisfies(swapped, graph)


# --- lesson 2: memory ----------------------------------------------------------------------


def test_memory_keys():
    params, gpu_gb = 200 * 10**9, 40
    weights_gb = params * 2 / GB
    assert_numeric(MEMORY, "weights-200b-fp16-gb", weights_gb, wrong=(200, 800))
    assert_numeric(MEMORY, "weights-200b-min-gpus", math.ceil(weights_gb / gpu_gb), wrong=(9,))
    # mixed-precision Adam (ZeRO, arXiv 1910.02054): fp16 weights + fp16 grads + fp32 master,
    # momentum and variance = 2 + 2 + 4 + 4 + 4 = 16 bytes per parameter
    bytes_per_param = 2 + 2 + 4 + 4 + 4
    assert bytes_per_param == 16
    states_gb = params * bytes_per_param / GB
    assert_numeric(MEMORY, "training-states-200b-gb", states_gb, wrong=(1600, 2400))
    gpus = math.ceil(states_gb / gpu_gb)
    assert_numeric(MEMORY, "training-states-200b-min-gpus", gpus, wrong=(79, 40))


# --- lesson 3: tensor parallelism and Ladder Residual ---------------------------------------


def test_overlap_speedup_bound():
    communication_share = 0.38
    bound = 1 / (1 - communication_share)
    assert_numeric(LADDER, "overlap-speedup-bound", bound, wrong=(1.38, 1.29))


def test_tp_mlp_order():
    q = question(LADDER, "tp-mlp-steps")
    assert q["answer"] == ["colmm", "gelu", "rowmm", "allreduce", "residual"]


# --- lesson 4: inference ----------------------------------------------------------------------


def test_inference_keys():
    weights_gb = 100 * 10**9 * 2 / GB
    assert_numeric(INFERENCE, "inference-100b-min-gpus", math.ceil(weights_gb / 80), wrong=(2,))
    busy = [1 - idle for idle in idle_fractions(simulate(gpipe_ops(4, 1), 1.0, 0.0))]
    assert busy == pytest.approx([0.25] * 4)
    assert_numeric(INFERENCE, "single-request-pipeline-busy", busy[0], wrong=(0.75,))


# --- the reviewed keys of the other questions (a change here must be deliberate) ----------

CHOICE_KEYS = {
    (PIPELINE, "naive-inefficiency"): {"a"},
    (PIPELINE, "gpipe-first-idle-rank"): {"b"},
    (PIPELINE, "1f1b-vs-gpipe"): {"a"},
    (MEMORY, "two-setups"): {"b"},
    (MEMORY, "layerwise-split-memory"): {"a"},
    (MEMORY, "reduce-model-state-memory"): {"a", "b", "c"},
    (LADDER, "tp-what-is-split"): {"a"},
    (LADDER, "tp-allreduce-critical-path"): {"a"},
    (LADDER, "ladder-where-it-helps-most"): {"a"},
    (LADDER, "ladder-recording-why-faster"): {"a"},  # checked against the traces too
    (INFERENCE, "same-setup-for-live-service"): {"a"},
    (INFERENCE, "deploy-100b-inference"): {"a"},
    (INFERENCE, "why-retune-for-inference"): {"a", "b", "c", "d"},
}
TRUE_FALSE_KEYS = {
    (MEMORY, "data-parallel-alone-fits"): False,
    (LADDER, "ladder-needs-new-kernels"): False,
    (LADDER, "ladder-llama-8b-no-training"): False,
    (INFERENCE, "must-invent-new-methods"): False,
}
MATCHING_KEYS = {
    (PIPELINE, "strategy-matching"): {
        "dp": "r-replica",
        "tp": "r-split-matrices",
        "pp": "r-stages",
        "mb": "r-pieces",
    },
    (INFERENCE, "strategy-description-matching"): {
        "dp": "r-copies",
        "mp": "r-umbrella",
        "tp": "r-within-layer",
        "pp": "r-layers",
    },
}


@pytest.mark.parametrize(("file", "qid"), list(CHOICE_KEYS))
def test_choice_keys(file, qid):
    options = question(file, qid)["options"]
    assert {o["id"] for o in options if o.get("correct")} == CHOICE_KEYS[(file, qid)]


@pytest.mark.parametrize(("file", "qid"), list(TRUE_FALSE_KEYS))
def test_true_false_keys(file, qid):
    assert question(file, qid)["answer"] is TRUE_FALSE_KEYS[(file, qid)]


@pytest.mark.parametrize(("file", "qid"), list(MATCHING_KEYS))
def test_matching_keys(file, qid):
    assert question(file, qid)["pairs"] == MATCHING_KEYS[(file, qid)]


RECOMPUTED = {  # numeric and ordering keys derived by the tests above
    (PIPELINE, "naive-idle-fraction"),
    (PIPELINE, "bubble-p4-m4"),
    (PIPELINE, "bubble-p4-m12"),
    (PIPELINE, "microbatches-for-10pct-bubble"),
    (PIPELINE, "predict-gpipe-m8-bubble"),
    (PIPELINE, "two-device-gpipe-order"),
    (MEMORY, "weights-200b-fp16-gb"),
    (MEMORY, "weights-200b-min-gpus"),
    (MEMORY, "training-states-200b-gb"),
    (MEMORY, "training-states-200b-min-gpus"),
    (LADDER, "overlap-speedup-bound"),
    (LADDER, "tp-mlp-steps"),
    (INFERENCE, "inference-100b-min-gpus"),
    (INFERENCE, "single-request-pipeline-busy"),
}


@pytest.mark.parametrize("file", [PIPELINE, MEMORY, LADDER, INFERENCE])
def test_every_question_is_keyed_here(file):
    lesson = yaml.safe_load((LESSONS / file).read_text(encoding="utf-8"))
    questions = [b for b in lesson["body"] if b["type"] not in ("markdown", "lab")]
    assert 6 <= len(questions) <= 10
    keyed = RECOMPUTED | set(CHOICE_KEYS) | set(TRUE_FALSE_KEYS) | set(MATCHING_KEYS)
    for q in questions:
        assert (file, q["id"]) in keyed, f"{file}: {q['id']} has no reviewed key in this test"
        assert q["prompt"].strip() and q["explanation"].strip()
