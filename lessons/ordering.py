"""Ordering rules: pure scoring functions over lists of item ids, and graph helpers.

Each rule returns a score in [0, 1]; the key (or any order consistent with the graph) scores 1.
The rules follow Moodle's ordering question type (qtype_ordering, "grading type"), where
the names "all or nothing", "relative to next item (including last)", "longest ordered
subset" and "relative to the correct position" come from.

    >>> next_item(["a", "c", "b"], ["a", "b", "c"])  # only "b" (last, and last in the key)
    0.3333333333333333

Run the tests with `pytest tests/unit -q -k lessons`.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Sequence

Pair = tuple[str, str]


def _check_permutation(answer: Sequence[str], key: Sequence[str]) -> None:
    """Raise ValueError unless `answer` holds exactly the ids of `key`, each once."""
    if len(set(answer)) != len(answer):
        raise ValueError(f"answer repeats an item: {list(answer)}")
    unknown = [a for a in answer if a not in set(key)]
    if unknown:
        raise ValueError(f"answer names unknown items: {unknown}")
    missing = [k for k in key if k not in set(answer)]
    if missing:
        raise ValueError(f"answer leaves out items: {missing}")


def all_or_nothing(answer: Sequence[str], key: Sequence[str]) -> float:
    """1 if the answer is exactly the key, else 0."""
    _check_permutation(answer, key)
    return 1.0 if list(answer) == list(key) else 0.0


def next_item(answer: Sequence[str], key: Sequence[str]) -> float:
    """Moodle's "relative to next item (including last)": correct successors / n.

    n is the number of items. An item of the answer counts when the item that follows it in
    the answer is the one that follows it in the key; the last item of the answer counts
    when it is also the last of the key. So the key scores n/n = 1, and a correct order
    with one item moved loses at most three points.
    """
    _check_permutation(answer, key)
    n = len(key)
    if n == 0:
        return 1.0
    successor = {key[i]: key[i + 1] if i + 1 < n else None for i in range(n)}
    followers = [*answer[1:], None]  # what follows each item of the answer; None = end
    pairs = zip(answer, followers, strict=True)
    hits = sum(1 for item, follower in pairs if successor[item] == follower)
    return hits / n


def longest_subset(answer: Sequence[str], key: Sequence[str]) -> float:
    """Moodle's "longest ordered subset": length of the longest subsequence of the answer
    whose items are in their key order (not necessarily adjacent), divided by n."""
    _check_permutation(answer, key)
    if not key:
        return 1.0
    position = {item: i for i, item in enumerate(key)}
    tails: list[int] = []  # tails[k] = smallest key position ending an increasing run of k+1
    for item in answer:
        p = position[item]
        k = bisect_left(tails, p)
        if k == len(tails):
            tails.append(p)
        else:
            tails[k] = p
    return len(tails) / len(key)


def distance(answer: Sequence[str], key: Sequence[str]) -> float:
    """Distance-weighted: Σ_items max(0, n−1−|Δpos|) / (n(n−1)).

    Each item earns n−1 points in its key position and one point less per place it is away
    from it, so the key scores n(n−1) / n(n−1) = 1. With n ≤ 1 the only order is the key: 1.
    """
    _check_permutation(answer, key)
    n = len(key)
    if n <= 1:
        return 1.0
    position = {item: i for i, item in enumerate(key)}
    earned = sum(max(0, n - 1 - abs(i - position[item])) for i, item in enumerate(answer))
    return earned / (n * (n - 1))


def transitive_closure(pairs: Iterable[Pair]) -> set[Pair]:
    """All pairs (a, c) such that a path a → … → c exists in the graph of `pairs`."""
    successors: dict[str, set[str]] = {}
    for a, b in pairs:
        successors.setdefault(a, set()).add(b)
    closure: set[Pair] = set()
    for start in successors:
        stack, seen = list(successors[start]), set()
        while stack:
            node = stack.pop()
            if node in seen:
                continue
            seen.add(node)
            closure.add((start, node))
            stack.extend(successors.get(node, ()))
    return closure


def find_cycle(pairs: Iterable[Pair]) -> list[str] | None:
    """One cycle of the graph as a list of ids [a, b, …, a], or None if it is acyclic."""
    successors: dict[str, list[str]] = {}
    for a, b in pairs:
        successors.setdefault(a, []).append(b)
    state: dict[str, int] = {}  # 1 = on the current path, 2 = finished

    def visit(node: str, path: list[str]) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in successors.get(node, ()):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            if nxt not in state and (cycle := visit(nxt, path)):
                return cycle
        path.pop()
        state[node] = 2
        return None

    for node in list(successors):
        if node not in state and (cycle := visit(node, [])):
            return cycle
    return None


def topological_order(items: Sequence[str], pairs: Iterable[Pair]) -> list[str]:
    """One order of `items` consistent with `pairs` (Kahn's algorithm, ties kept in the
    order the items are listed). Raises ValueError if the graph has a cycle."""
    pairs = list(pairs)
    indegree = {item: 0 for item in items}
    for _, b in pairs:
        indegree[b] += 1
    order: list[str] = []
    ready = [item for item in items if indegree[item] == 0]
    while ready:
        node = ready.pop(0)
        order.append(node)
        for a, b in pairs:
            if a == node:
                indegree[b] -= 1
                if indegree[b] == 0:
                    ready.append(b)
        ready.sort(key=list(items).index)
    if len(order) != len(items):
        raise ValueError("the precedence graph has a cycle")
    return order


def precedence(answer: Sequence[str], pairs: Iterable[Pair]) -> float:
    """Satisfied pairs of the transitive closure / all pairs of the closure.

    A pair (a, b) of the closure is satisfied when a comes before b in the answer; items
    with no path between them may come in any order. An empty graph scores 1.
    """
    if len(set(answer)) != len(answer):
        raise ValueError(f"answer repeats an item: {list(answer)}")
    closure = transitive_closure(pairs)
    position = {item: i for i, item in enumerate(answer)}
    missing = sorted({x for pair in closure for x in pair} - set(position))
    if missing:
        raise ValueError(f"answer leaves out items: {missing}")
    if not closure:
        return 1.0
    satisfied = sum(1 for a, b in closure if position[a] < position[b])
    return satisfied / len(closure)
