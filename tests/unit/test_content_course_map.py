"""The course map's logic (ui.course_plan): groups, prerequisites, what to continue with.

$ pytest tests/unit/test_content_course_map.py -q
"""

from __future__ import annotations

from dataclasses import dataclass, field

from classroom.progress import LessonProgress
from lessons.loader import load_catalog
from tests.unit.content_keys import LESSONS
from ui.course_plan import GROUPS, OTHER, grouped, learn_before, next_lesson


@dataclass
class L:
    id: str
    group: str | None = None
    prerequisites: list[str] = field(default_factory=list)
    title: str = ""


def progress(answered: int, total: int = 2) -> LessonProgress:
    return LessonProgress(answered, answered, total, float(answered), answered / total)


def test_groups_follow_the_map_order_and_unknown_groups_come_last():
    lessons = [L("a", "cases"), L("b", "pipeline"), L("c", None), L("d", "pipeline")]
    got = [(title, [x.id for x in members]) for title, members in grouped(lessons)]
    assert got == [(GROUPS["pipeline"], ["b", "d"]), (GROUPS["cases"], ["a"]), (OTHER, ["c"])]


def test_learn_before_names_existing_prerequisites_by_title():
    lesson = L("x", prerequisites=["a", "gone", "b"])
    assert learn_before(lesson, {"a": "Alpha", "b": "Beta"}) == ["Alpha", "Beta"]


def test_next_lesson():
    lessons = [L("a"), L("b"), L("c")]
    fresh = {x.id: progress(0) for x in lessons}
    assert next_lesson(lessons, fresh, None) == (lessons[0], "start")
    half = {**fresh, "b": progress(1)}
    assert next_lesson(lessons, half, "b") == (lessons[1], "continue")
    done_b = {**fresh, "a": progress(2), "b": progress(2)}
    assert next_lesson(lessons, done_b, "b") == (lessons[2], "next")
    done_c = {**fresh, "c": progress(2)}  # wraps around to the first unfinished
    assert next_lesson(lessons, done_c, "c") == (lessons[0], "next")
    assert next_lesson(lessons, {x.id: progress(2) for x in lessons}, "a") is None
    assert next_lesson(lessons, half, "removed-lesson") == (lessons[0], "next")
    assert next_lesson([], {}, None) is None


def test_the_real_catalog_groups_every_lesson_under_a_known_title():
    course = load_catalog(LESSONS)
    assert not course.broken
    titles = [title for title, _ in grouped(course.lessons)]
    assert OTHER not in titles and len(titles) == len(GROUPS)
    assert sum(len(m) for _, m in grouped(course.lessons)) == len(course.lessons)
