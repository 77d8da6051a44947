"""The course map's logic, with no Streamlit: lessons grouped by concept, what to learn
before each lesson, and which lesson to continue with.

A lesson names its concept `group` and its `prerequisites` (lesson ids, the source's "Learn
before"); progress comes from `classroom.progress.lesson_progress`.

    >>> groups = grouped(course.lessons)            # [(title, [lesson, ...]), ...]
    >>> target, why = next_lesson(course.lessons, progress_by_id, last_lesson_id)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

GROUPS = {
    "pipeline": "Pipeline parallelism",
    "memory": "Memory: sharding and activations",
    "layers": "Splitting layers: tensor, sequence and expert parallelism",
    "scale": "At scale: collectives, layout, batch and precision",
    "inference": "Inference and serving",
    "cases": "Case studies",
}
"""Concept groups in the order the map shows them; lessons of another group come last."""
OTHER = "More lessons"


def grouped(lessons: Sequence[Any]) -> list[tuple[str, list[Any]]]:
    """(group title, lessons in catalog order) for every group that has a lesson."""
    by_group: dict[str, list[Any]] = {}
    for lesson in lessons:
        key = lesson.group if lesson.group in GROUPS else None
        by_group.setdefault(key, []).append(lesson)
    order = [*GROUPS, None]
    return [(GROUPS.get(key, OTHER), by_group[key]) for key in order if key in by_group]


def learn_before(lesson: Any, titles: Mapping[str, str]) -> list[str]:
    """Titles of the lesson's prerequisites that exist in the catalog, in the order given."""
    return [titles[p] for p in lesson.prerequisites if p in titles]


def finished(progress: Any) -> bool:
    """Every graded question of the lesson answered (a lesson with none counts as finished)."""
    return progress.answered >= progress.total


def next_lesson(
    lessons: Sequence[Any], progress: Mapping[str, Any], last_lesson_id: str | None
) -> tuple[Any, str] | None:
    """The lesson to continue with and why ("continue", "next" or "start"); None when done.

    The last lesson answered in, while unfinished; else the first unfinished lesson after
    it in catalog order, then any unfinished one; with no answers yet, the first lesson.
    """
    if not lessons:
        return None
    ids = [lesson.id for lesson in lessons]
    if last_lesson_id in ids:
        start = ids.index(last_lesson_id)
        if not finished(progress[last_lesson_id]):
            return lessons[start], "continue"
        return _first_unfinished(lessons, progress, start + 1)
    if not any(p.answered for p in progress.values()):
        return lessons[0], "start"
    return _first_unfinished(lessons, progress, 0)


def _first_unfinished(
    lessons: Sequence[Any], progress: Mapping[str, Any], start: int
) -> tuple[Any, str] | None:
    rotated = [*lessons[start:], *lessons[:start]]
    for lesson in rotated:
        if not finished(progress[lesson.id]):
            return lesson, "next"
    return None
