"""Answer keys of lesson 09 (mixture of experts, expert parallelism), recomputed from
Mixtral 8x7B's published sizes (arXiv 2401.04088, table 1) and the capacity formula of
Switch Transformer / GShard.

    $ pytest tests/unit/test_content_moe.py -q
"""

from __future__ import annotations

from runner.specs.expert_parallel import expert_capacity
from tests.unit.content_keys import GB, Keys, assert_numeric, lesson

FILE = "09-expert-parallelism-moe.yaml"
MIXTRAL = {"layers": 32, "dim": 4096, "ffn": 14336, "heads": 32, "kv_heads": 8, "head_dim": 128}
VOCAB, EXPERTS, TOP_K = 32000, 8, 2


def parameters(experts_used: int) -> int:
    m = MIXTRAL
    expert = 3 * m["dim"] * m["ffn"]  # SwiGLU: w1, w2, w3
    q_o = 2 * m["dim"] * m["heads"] * m["head_dim"]
    k_v = 2 * m["dim"] * m["kv_heads"] * m["head_dim"]
    embeddings = 2 * VOCAB * m["dim"]  # input and output, not tied
    return m["layers"] * (experts_used * expert + q_o + k_v) + embeddings


def test_parameter_counts_match_the_papers_47b_and_13b():
    total, active = parameters(EXPERTS), parameters(TOP_K)
    assert round(total / 1e9) == 47 and round(active / 1e9) == 13
    assert_numeric(FILE, "mixtral-total-params", total / 1e9, wrong=(56.0, 45.1))
    assert_numeric(FILE, "mixtral-active-params", active / 1e9, wrong=(11.27, 14.0, 46.7))
    expert_weights = MIXTRAL["layers"] * 3 * MIXTRAL["dim"] * MIXTRAL["ffn"]
    assert round(expert_weights * EXPERTS / 1e9, 2) == 45.10  # quoted in the explanations
    assert round(expert_weights * TOP_K / 1e9, 2) == 11.27


def test_bf16_weights():
    total = parameters(EXPERTS)
    assert_numeric(FILE, "mixtral-weights-bf16-gb", 2 * total / GB, wrong=(25.8, 46.7))
    assert 2 * total / GB > 80  # "does not fit on one 80 GB GPU"


def test_expert_capacity():
    tokens, factor = 4096, 1.25
    capacity = factor * TOP_K * tokens / EXPERTS
    assert capacity == 1280
    assert_numeric(FILE, "expert-capacity", capacity, wrong=(640, 1024))


def test_lab_capacity_matches_the_workloads_own_rule():
    lab = next(b for b in lesson(FILE)["body"] if b.get("id") == "moe-skew")
    spec = lab["spec"]
    got = expert_capacity(spec["capacity_factor"], spec["top_k"], spec["tokens"], spec["experts"])
    assert got == 320 == 1.25 * 2 * 512 / 4
    assert spec["skew"] == 0.5 and spec["ep"] == 2
    assert_numeric(FILE, "predict-lab-capacity", got, wrong=(256, 640, 1280))


KEYS = Keys(
    FILE,
    choice={"ep-communication": {"a"}, "router-imbalance": {"a", "b", "c"}},
    true_false={"moe-memory-only-active": False},
    recomputed={
        "mixtral-total-params",
        "mixtral-active-params",
        "mixtral-weights-bf16-gb",
        "expert-capacity",
        "predict-lab-capacity",
    },
)


def test_every_question_has_a_reviewed_key():
    KEYS.check()
