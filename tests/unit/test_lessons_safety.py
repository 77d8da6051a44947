"""Hostile lesson files: each is a located problem, and every other lesson still loads."""

from __future__ import annotations

import resource
import shutil
import time
from pathlib import Path

import pytest

from lessons import loader
from lessons.loader import load_catalog, load_lesson

ROOT = Path(__file__).resolve().parents[2]
GOOD = sorted((ROOT / "content" / "lessons").glob("*.yaml"))[:5]

# 380 bytes that expand to 9**9 strings once aliases are followed ("billion laughs").
BOMB = "\n".join(
    ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    + [
        f"{n}: &{n} [{','.join([f'*{p}'] * 9)}]"
        for p, n in zip("abcdefgh", "bcdefghi", strict=True)
    ]
)


@pytest.fixture
def lessons(tmp_path) -> Path:
    folder = tmp_path / "lessons"
    folder.mkdir()
    for path in GOOD:
        shutil.copy(path, folder / path.name)
    return folder


def test_an_alias_bomb_is_refused_at_its_line_without_expanding(lessons):
    bomb = lessons / "bomb.yaml"
    bomb.write_text(BOMB)
    assert len(BOMB) < 600
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    catalog = load_catalog(lessons)
    grown_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    (problem,) = catalog.broken[str(bomb)]
    assert problem.line == 2 and "alias" in problem.message
    assert len(catalog.lessons) == len(GOOD)
    assert grown_kib < 200_000  # expanding it would take gigabytes


def test_deep_nesting_is_a_problem_not_a_recursion_error(lessons):
    deep = lessons / "deep.yaml"
    deep.write_text("id: x\nbody: " + "[" * 20_000 + "]" * 20_000 + "\n")
    catalog = load_catalog(lessons)
    (problem,) = catalog.broken[str(deep)]
    assert problem.line == 2 and "nested" in problem.message
    assert len(catalog.lessons) == len(GOOD)


def test_a_huge_file_is_refused_before_it_is_parsed(lessons):
    huge = lessons / "huge.yaml"
    huge.write_text("id: huge\ntitle: t\nbody:\n" + "  - {type: markdown, text: x}\n" * 40_000)
    started = time.perf_counter()
    lesson, problems = load_lesson(huge)
    assert lesson is None and "KiB" in problems[0].message
    assert time.perf_counter() - started < 5  # bounds a hang only; parsing it took ~40 s


def test_a_symlink_out_of_the_folder_is_not_followed(lessons, tmp_path):
    outside = tmp_path / "secret.yaml"
    outside.write_text(GOOD[0].read_text().replace("id: ", "id: leaked-", 1))
    (lessons / "link.yaml").symlink_to(outside)
    (lessons / "dangling.yaml").symlink_to(tmp_path / "missing.yaml")
    (lessons / "inside.yaml").symlink_to(lessons / GOOD[1].name)  # a link inside is fine …
    catalog = load_catalog(lessons)
    assert "outside the lessons folder" in catalog.broken[str(lessons / "link.yaml")][0].message
    assert str(lessons / "dangling.yaml") in catalog.broken
    assert not any(lesson.id.startswith("leaked-") for lesson in catalog.lessons)
    assert len(catalog.lessons) == len(GOOD)  # … and the same file is loaded once


def test_memory_and_recursion_errors_become_problems(lessons, monkeypatch):
    def exhausted(text):
        raise MemoryError

    monkeypatch.setattr(loader, "parse", exhausted)
    lesson, problems = load_lesson(lessons / GOOD[0].name)
    assert lesson is None and "too large" in problems[0].message
