"""Cross-field rules of lessons and questions, as (path, message) issues.

A path is a tuple of keys and list indexes relative to the question (or, for lesson rules,
to the lesson), e.g. ("options", 2, "correct"). The models call these after validation and
raise; the loader calls them on each valid block so every problem gets its own line.
Works on validated models by attribute (no import of `lessons.models`, to avoid a cycle).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from lessons.ordering import find_cycle

Path = tuple[Any, ...]
Issue = tuple[Path, str]


def duplicate_ids(items: Sequence[Any], field: str) -> Iterator[Issue]:
    """Point at every item whose id was already used earlier in the list."""
    seen: set[str] = set()
    for i, item in enumerate(items):
        if item.id in seen:
            yield (field, i, "id"), f"duplicate id {item.id!r}"
        seen.add(item.id)


def question_issues(q: Any) -> Iterator[Issue]:
    """All rule violations of one validated question: its type's `check` in the table."""
    from lessons.types import question_type  # the table imports the models, which import us

    yield from question_type(q).check(q)


def no_rules(q: Any) -> Iterator[Issue]:
    """For types whose fields need no cross-field check (true_false)."""
    return iter(())


def single_choice(q: Any) -> Iterator[Issue]:
    yield from duplicate_ids(q.options, "options")
    right = [i for i, option in enumerate(q.options) if option.correct]
    if not right:
        yield ("options",), "no option is marked `correct: true`; exactly one must be"
    for i in right[1:]:
        yield ("options", i, "correct"), "a single_choice question has exactly one correct option"


def multiple_choice(q: Any) -> Iterator[Issue]:
    yield from duplicate_ids(q.options, "options")
    if not any(option.correct for option in q.options):
        yield ("options",), "no option is marked `correct: true`; at least one must be"


def ordering(q: Any) -> Iterator[Issue]:
    yield from duplicate_ids(q.items, "items")
    if (q.answer is None) == (q.precedes is None):
        which = "both" if q.answer is not None else "neither"
        yield ("answer",), f"give one of `answer` (an order) or `precedes` (a graph), not {which}"
        return
    if q.answer is not None:
        yield from _permutation(q.answer, [item.id for item in q.items])
        if q.scoring == "precedence":
            yield ("scoring",), "`precedence` scoring needs a `precedes` graph, not an order"
    else:
        yield from _graph(q.precedes, {item.id for item in q.items})
        if q.scoring not in (None, "precedence", "all_or_nothing"):
            yield (
                ("scoring",),
                (
                    f"`{q.scoring}` scoring needs one `answer` order; "
                    "with `precedes` use `precedence` or `all_or_nothing`"
                ),
            )


def _permutation(answer: list[str], ids: list[str]) -> Iterator[Issue]:
    seen: set[str] = set()
    for i, item in enumerate(answer):
        if item not in ids:
            yield ("answer", i), f"unknown item {item!r}; items are {ids}"
        elif item in seen:
            yield ("answer", i), f"item {item!r} appears twice"
        seen.add(item)
    missing = [item for item in ids if item not in seen]
    if missing:
        yield ("answer",), f"the order leaves out items {missing}; it must list every item once"


def _graph(pairs: list[tuple[str, str]], ids: set[str]) -> Iterator[Issue]:
    known = True
    for i, pair in enumerate(pairs):
        for j, item in enumerate(pair):
            if item not in ids:
                known = False
                yield ("precedes", i, j), f"unknown item {item!r}; items are {sorted(ids)}"
        if pair[0] == pair[1]:
            yield ("precedes", i), f"item {pair[0]!r} cannot precede itself"
    cycle = find_cycle(p for p in pairs if p[0] != p[1])
    if known and cycle:
        yield ("precedes",), f"the graph has a cycle: {' → '.join(cycle)}"


def matching(q: Any) -> Iterator[Issue]:
    yield from duplicate_ids(q.left, "left")
    yield from duplicate_ids(q.right, "right")
    left = [item.id for item in q.left]
    right = {item.id for item in q.right}
    for key, value in q.pairs.items():
        if key not in left:
            yield ("pairs", key), f"unknown left item {key!r}; left items are {left}"
        elif value not in right:
            yield ("pairs", key), f"unknown right item {value!r}; right items are {sorted(right)}"
    missing = [item for item in left if item not in q.pairs]
    if missing:
        yield ("pairs",), f"no pair for left items {missing}; every left item needs one"


def _overlap(a: float, a_tol: float, b: float, b_tol: float) -> bool:
    """Whether the ranges a ± a_tol and b ± b_tol share a value (inclusive ends)."""
    return abs(a - b) <= a_tol + b_tol + 1e-9 * max(1.0, abs(a), abs(b))


def numeric(q: Any) -> Iterator[Issue]:
    """Known wrong answers lie outside the key's range and outside each other's ranges,
    so every number gets one verdict and one feedback."""
    key = f"{q.answer:g} ± {q.tolerance:g}"
    for i, wrong in enumerate(q.wrong_answers):
        here = f"{wrong.value:g} ± {wrong.tolerance:g}"
        if _overlap(wrong.value, wrong.tolerance, q.answer, q.tolerance):
            yield (
                ("wrong_answers", i, "value"),
                f"wrong answer {here} overlaps the right answer {key}; "
                "narrow a tolerance so no number is both right and wrong",
            )
        for j, other in enumerate(q.wrong_answers[:i]):
            if _overlap(wrong.value, wrong.tolerance, other.value, other.tolerance):
                yield (
                    ("wrong_answers", i, "value"),
                    f"wrong answer {here} overlaps wrong answer {j} "
                    f"({other.value:g} ± {other.tolerance:g})",
                )


def essay(q: Any) -> Iterator[Issue]:
    """Essays are graded once, by a person: retry settings do not apply."""
    if q.max_tries is not None:
        yield ("max_tries",), "an essay is submitted once; remove `max_tries`"
    if q.penalty:
        yield ("penalty",), "an essay has no retries, so no retry `penalty`; remove it"


def lesson_issues(blocks: list[tuple[int, Any]]) -> Iterator[Issue]:
    """Rules across the blocks of a lesson, given as (index in body, validated block):
    question and lab ids are unique; a question's `lab` names a lab block."""
    seen: dict[str, int] = {}
    labs: set[str] = set()
    for index, block in blocks:
        if block.type != "markdown":
            if block.id in seen:
                what = "lab" if block.type == "lab" else "question"
                yield (
                    ("body", index, "id"),
                    (f"duplicate {what} id {block.id!r}; first used by body item {seen[block.id]}"),
                )
            else:
                seen[block.id] = index
        if block.type == "lab":
            labs.add(block.id)
    for index, block in blocks:
        is_question = block.type not in ("markdown", "lab")
        if is_question and block.lab is not None and block.lab not in labs:
            known = sorted(labs) or "none"
            yield ("body", index, "lab"), f"no lab block with id {block.lab!r}; lab ids: {known}"
