"""Grading: hand-worked examples of every rule, and property tests.

Run: `pytest tests/unit/test_lessons_grading.py -q`.
"""

from __future__ import annotations

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from lessons.grading import (
    all_or_nothing,
    distance,
    final_score,
    grade,
    longest_subset,
    matching_score,
    multiple_choice_score,
    next_item,
    precedence,
)
from lessons.models import Lesson
from lessons.ordering import topological_order, transitive_closure

ORDER_RULES = [all_or_nothing, next_item, longest_subset, distance]


@pytest.fixture
def lesson(valid_text) -> Lesson:
    return Lesson.model_validate(yaml.safe_load(valid_text))


def test_all_or_nothing():
    assert all_or_nothing(["a", "b", "c"], ["a", "b", "c"]) == 1.0
    assert all_or_nothing(["a", "c", "b"], ["a", "b", "c"]) == 0.0


def test_next_item_hand_worked():
    key = ["a", "b", "c", "d"]  # successors: a→b, b→c, c→d, d→end
    # a→c no, c→b no, b→d no, d→end yes: 1/4
    assert next_item(["a", "c", "b", "d"], key) == pytest.approx(1 / 4)
    # b→c yes, c→d yes, d→a no, a→end no: 2/4
    assert next_item(["b", "c", "d", "a"], key) == pytest.approx(2 / 4)
    assert next_item(key, key) == 1.0
    # reversed: d→c, c→b, b→a, a→end — none is a key successor: 0/4
    assert next_item(key[::-1], key) == 0.0


def test_longest_subset_hand_worked():
    key = ["a", "b", "c", "d", "e"]
    # key positions of the answer: 2 0 1 4 3; longest increasing run 0 1 4 (or 0 1 3): 3/5
    assert longest_subset(["c", "a", "b", "e", "d"], key) == pytest.approx(3 / 5)
    # reversed: positions 4 3 2 1 0, longest increasing run has 1 item: 1/5
    assert longest_subset(key[::-1], key) == pytest.approx(1 / 5)


def test_distance_hand_worked():
    key = ["a", "b", "c", "d"]  # n = 4, each item earns up to n−1 = 3, total n(n−1) = 12
    # |Δpos|: b 1, a 1, c 0, d 0 → 2 + 2 + 3 + 3 = 10, 10/12
    assert distance(["b", "a", "c", "d"], key) == pytest.approx(10 / 12)
    # reversed |Δpos|: 3, 1, 1, 3 → 0 + 2 + 2 + 0 = 4, 4/12
    assert distance(key[::-1], key) == pytest.approx(4 / 12)
    assert distance(["x"], ["x"]) == 1.0  # n = 1: no division by zero


def test_precedence_hand_worked():
    pairs = [("f0", "f1"), ("f1", "b0"), ("f1", "b1")]
    # closure: f0<f1, f1<b0, f1<b1, f0<b0, f0<b1 (5 pairs); b0 and b1 are unordered
    assert len(transitive_closure(pairs)) == 5
    # f0 b0 f1 b1: f1<b0 fails, the other 4 hold: 4/5
    assert precedence(["f0", "b0", "f1", "b1"], pairs) == pytest.approx(4 / 5)
    assert precedence(["f0", "f1", "b1", "b0"], pairs) == 1.0  # b1 before b0 is fine too
    assert precedence(["a", "b"], []) == 1.0  # no constraint


def test_multiple_choice_partial_hand_worked():
    right = {"params", "grads"}  # k = 2
    assert multiple_choice_score({"params"}, right) == 0.5  # +1/2
    assert multiple_choice_score({"params", "acts"}, right) == 0.0  # +1/2 −1/2
    assert multiple_choice_score({"params", "grads", "acts"}, right) == 0.5  # +1 −1/2
    assert multiple_choice_score({"acts"}, right) == 0.0  # −1/2, floored at 0
    assert multiple_choice_score({"params"}, right, "all_or_nothing") == 0.0


def test_matching_hand_worked():
    pairs = {"dp": "batch", "tp": "matrices"}
    assert matching_score({"dp": "batch", "tp": "vocab"}, pairs) == 0.5  # 1 of 2
    assert matching_score({"dp": "batch"}, pairs) == 0.5  # tp unanswered counts as wrong
    assert matching_score({"dp": "batch", "tp": "vocab"}, pairs, "all_or_nothing") == 0.0


def test_final_score_subtracts_penalty_per_wrong_try():
    assert final_score(1.0, 2, 0.25) == 0.5  # 1 − 2 × 0.25
    assert final_score(0.5, 3, 0.25) == 0.0  # 0.5 − 0.75 floored at 0
    assert final_score(0.8, 0, 0.5) == 0.8
    with pytest.raises(ValueError):
        final_score(1.0, -1, 0.1)


def test_grade_dispatches_on_every_question_type(lesson):
    q = lesson.question
    assert grade(q("q-bubble"), "b").correct and grade(q("q-bubble"), "a").score == 0.0
    assert grade(q("q-memory"), ["params"]).score == 0.5
    assert grade(q("q-tf"), True).correct and not grade(q("q-tf"), False).correct
    assert grade(q("q-order"), ["f0", "f1", "b1", "b0"]).score == 1.0
    assert grade(q("q-order"), ["f0", "b0", "f1", "b1"]).score == pytest.approx(4 / 5)
    # next_item on [warmup, steady, cooldown]: steady→warmup no, warmup→cooldown no,
    # cooldown last yes: 1/3
    assert grade(q("q-order-key"), ["steady", "warmup", "cooldown"]).score == pytest.approx(1 / 3)
    assert grade(q("q-match"), {"dp": "batch", "tp": "vocab"}).score == 0.5
    assert grade(q("q-num"), 401).correct  # 400 ± 1, inclusive
    assert not grade(q("q-num"), 401.01).correct
    assert grade(q("q-num"), 399.0).correct


@pytest.mark.parametrize(
    ("qid", "answer"),
    [
        ("q-bubble", "z"),
        ("q-bubble", ["b"]),
        ("q-memory", ["params", "nope"]),
        ("q-memory", "params"),
        ("q-tf", "true"),
        ("q-tf", 1),
        ("q-order", ["f0", "f1", "b0"]),
        ("q-order", ["f0", "f1", "b0", "b0"]),
        ("q-match", {"dp": "nope"}),
        ("q-match", [("dp", "batch")]),
        ("q-num", "400"),
        ("q-num", True),
        ("q-num", float("nan")),
    ],
)
def test_malformed_answers_raise(lesson, qid, answer):
    with pytest.raises(ValueError):
        grade(lesson.question(qid), answer)


@st.composite
def order_and_key(draw):
    n = draw(st.integers(min_value=1, max_value=9))
    key = [f"i{k}" for k in range(n)]
    return draw(st.permutations(key)), key


@given(order_and_key())
def test_every_order_rule_scores_in_unit_interval_and_key_scores_one(case):
    answer, key = case
    for rule in ORDER_RULES:
        assert 0.0 <= rule(answer, key) <= 1.0
        assert rule(key, key) == 1.0
    assert (next_item(answer, key) == 1.0) == (answer == key)


@st.composite
def dag(draw):
    """A random DAG over shuffled labels: an edge (i, j) only for i < j before shuffling."""
    n = draw(st.integers(min_value=2, max_value=8))
    labels = draw(st.permutations([f"n{k}" for k in range(n)]))
    edges = [(i, j) for i in range(n) for j in range(i + 1, n) if draw(st.booleans())]
    return labels, [(labels[i], labels[j]) for i, j in edges]


@st.composite
def dag_with_topological_order(draw):
    items, pairs = draw(dag())
    order, placed = [], set()
    while len(order) < len(items):  # Kahn's algorithm with a random choice among ready items
        ready = [
            x for x in items if x not in placed and all(a in placed for a, b in pairs if b == x)
        ]
        pick = draw(st.sampled_from(ready))
        order.append(pick)
        placed.add(pick)
    return items, pairs, order


@settings(max_examples=200)
@given(dag_with_topological_order(), st.data())
def test_every_topological_order_scores_one_and_a_reversed_pair_less(case, data):
    items, pairs, order = case
    assert precedence(order, pairs) == 1.0
    assert precedence(topological_order(items, pairs), pairs) == 1.0
    closure = sorted(transitive_closure(pairs))
    if closure:
        a, b = data.draw(st.sampled_from(closure))
        swapped = list(order)
        i, j = swapped.index(a), swapped.index(b)
        swapped[i], swapped[j] = b, a  # now b comes before a
        assert 0.0 <= precedence(swapped, pairs) < 1.0


@given(dag(), st.data())
def test_precedence_in_unit_interval_for_any_order(graph, data):
    items, pairs = graph
    assert 0.0 <= precedence(data.draw(st.permutations(items)), pairs) <= 1.0


@given(
    st.sets(st.sampled_from("abcdef"), min_size=1),
    st.sets(st.sampled_from("abcdefgh")),
)
def test_multiple_choice_in_unit_interval(right, chosen):
    score = multiple_choice_score(chosen, right)
    assert 0.0 <= score <= 1.0
    assert (score == 1.0) == (chosen == right)
