"""Answer keys of lesson 06 (data parallelism, ZeRO, FSDP), recomputed from the ZeRO paper's
per-rank memory formulas (arXiv 1910.02054, section 5) and communication volumes (section 7).

    $ pytest tests/unit/test_content_data_parallel.py -q
"""

from __future__ import annotations

import math
from fractions import Fraction

import pytest

from tests.unit.content_keys import GB, Keys, assert_numeric

FILE = "06-data-parallel-zero.yaml"
WEIGHTS, GRADS, OPTIMIZER = 2, 2, 12  # fp16 weights, fp16 grads, fp32 master + m + v


def per_rank_bytes(stage: int, n: int) -> Fraction:
    """Model-state bytes per parameter on one rank of a DP group of n under ZeRO-`stage`."""
    sharded = {0: (), 1: (OPTIMIZER,), 2: (OPTIMIZER, GRADS), 3: (OPTIMIZER, GRADS, WEIGHTS)}
    parts = sum(sharded[stage], 0)
    return Fraction(WEIGHTS + GRADS + OPTIMIZER - parts) + Fraction(parts, n)


def test_the_zero_papers_own_example():
    # Psi = 7.5B, N = 64: 120 GB, 31.4 GB, 16.6 GB, 1.9 GB (ZeRO, figure 1)
    got = [float(7.5e9 * per_rank_bytes(s, 64)) / GB for s in range(4)]
    assert [round(g, 1) for g in got] == [120.0, 31.4, 16.6, 1.9]


@pytest.mark.parametrize(
    ("qid", "stage"), [("zero1-70b-dp64", 1), ("zero2-70b-dp64", 2), ("zero3-70b-dp64", 3)]
)
def test_zero_stage_keys(qid, stage):
    psi, n = 70 * 10**9, 64
    others = [float(psi * per_rank_bytes(s, n)) / GB for s in range(4) if s != stage]
    assert_numeric(FILE, qid, float(psi * per_rank_bytes(stage, n)) / GB, wrong=tuple(others))


def test_values_quoted_in_the_explanations():
    psi = 70 * 10**9
    assert psi * 16 / GB == 1120  # plain DP
    assert psi * (WEIGHTS + GRADS) / GB == 280  # what ZeRO-1 leaves whole
    assert psi * WEIGHTS / GB == 140  # what ZeRO-2 leaves whole


def test_smallest_dp_degree_for_24_gb():
    total = 70 * 16  # GB
    n = math.ceil(total / 24)
    assert total / n <= 24 < total / (n - 1)
    assert round(total / n, 1) == 23.8 and round(total / (n - 1), 1) == 24.3
    assert_numeric(FILE, "zero3-min-dp-24gb", n, wrong=(46, 48, 64))


def test_communication_volumes():
    # elements moved per rank and step, in units of Psi (ring collectives, large N)
    all_reduce = 2  # reduce-scatter + all-gather
    zero12 = 1 + 1  # reduce-scatter grads + all-gather updated weights
    zero3 = 1 + 1 + 1  # all-gather weights for forward, again for backward, reduce-scatter
    assert zero12 == all_reduce and Fraction(zero3, all_reduce) == Fraction(3, 2)


KEYS = Keys(
    FILE,
    choice={"zero2-what-is-sharded": {"a"}, "ddp-facts": {"a", "b"}},
    true_false={"zero3-same-communication": False},
    matching={
        "zero-stages-matching": {
            "dp": "r-all",
            "z1": "r-os",
            "z2": "r-osg",
            "z3": "r-all-sharded",
        }
    },
    recomputed={"zero1-70b-dp64", "zero2-70b-dp64", "zero3-70b-dp64", "zero3-min-dp-24gb"},
)


def test_every_question_has_a_reviewed_key():
    KEYS.check()
