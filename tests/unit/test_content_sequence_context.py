"""Answer keys of lesson 08 (sequence and context parallelism): the TP-only activation
formula of Korthikanti et al. (arXiv 2205.05198, eq. 2), causal work counted pair by pair,
and the balanced 2c-chunk layout.

    $ pytest tests/unit/test_content_sequence_context.py -q
"""

from __future__ import annotations

from fractions import Fraction

import pytest

from tests.unit.content_keys import GB, Keys, assert_numeric

FILE = "08-sequence-context-parallelism.yaml"


def tp_only_bytes(s: int, b: int, h: int, a: int, t: int) -> Fraction:
    return s * b * h * (10 + Fraction(24, t) + Fraction(5 * a * s, h * t))


def causal_pairs(chunk: range) -> int:
    """(query, key) pairs with key <= query for the queries in `chunk`."""
    return sum(q + 1 for q in chunk)


def test_tp_without_sp_key():
    s, b, h, a, t = 2048, 1, 12288, 96, 8
    tp = tp_only_bytes(s, b, h, a, t)
    assert tp == 23 * s * b * h == 578_813_952
    with_sp = Fraction(s * b * h, t) * (34 + Fraction(5 * a * s, h))
    assert with_sp / (s * b * h) == Fraction(57, 4)  # 14.25
    assert round(10 / 23, 2) == 0.43
    assert_numeric(FILE, "gpt3-tp8-no-sp-gb", float(tp) / GB, wrong=(float(with_sp) / GB,))


def test_contiguous_causal_imbalance():
    c, n = 4, 4096
    work = [causal_pairs(range(j * n, (j + 1) * n)) for j in range(c)]
    ratio = max(work) / min(work)
    assert ratio == pytest.approx(7, abs=0.01)
    assert_numeric(FILE, "causal-imbalance-c4", 7, wrong=(4, 3.5))


def test_balanced_layout_and_its_claims():
    c, n = 4, 1024
    chunks = [range(k * n, (k + 1) * n) for k in range(2 * c)]
    held = {i: (i, 2 * c - 1 - i) for i in range(c)}
    assert held[1] == (1, 6) and held[3] == (3, 4) and held[0] == (0, 7)
    work = [sum(causal_pairs(chunks[k]) for k in held[i]) for i in range(c)]
    assert max(work) == min(work)  # exactly equal, not only about


def test_ring_transfers():
    c = 8
    seen, block = {0}, 0
    for _ in range(c - 1):  # rank 0 receives its left neighbour's current block each step
        block = (block - 1) % c
        seen.add(block)
    assert seen == set(range(c))
    assert_numeric(FILE, "ring-transfers-c8", c - 1, wrong=(8, 14))


KEYS = Keys(
    FILE,
    true_false={"sp-extra-communication": False},
    choice={
        "what-sp-splits": {"a"},
        "balanced-chunks-c4": {"a", "b", "c"},
        "ulysses-limit": {"a"},
    },
    recomputed={"gpt3-tp8-no-sp-gb", "causal-imbalance-c4", "ring-transfers-c8"},
)


def test_every_question_has_a_reviewed_key():
    KEYS.check()
