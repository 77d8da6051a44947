"""The course as a whole: groups and prerequisites of the course map, sources, and tests.

Every lesson names a known concept group; its prerequisites are lessons that exist, come
earlier in the catalog, and form no cycle; it lists its sources; and a content test names
its file (so no lesson lands without recomputed, reviewed keys).

    $ pytest tests/unit/test_content_catalog.py -q
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
LESSONS = ROOT / "content" / "lessons"
FILES = sorted(LESSONS.glob("*.yaml"))
CATALOG = {p.name: yaml.safe_load(p.read_text(encoding="utf-8")) for p in FILES}
BY_ID = {lesson["id"]: lesson for lesson in CATALOG.values()}
GROUPS = {"pipeline", "memory", "layers", "scale", "inference", "cases"}


def test_ids_are_unique():
    assert len(BY_ID) == len(CATALOG)


@pytest.mark.parametrize("name", list(CATALOG))
def test_group_prerequisites_and_sources(name):
    lesson = CATALOG[name]
    assert lesson.get("group") in GROUPS, f"{name}: group {lesson.get('group')!r}"
    assert lesson["sources"], f"{name}: a lesson lists its sources"
    for prerequisite in lesson.get("prerequisites", []):
        assert prerequisite in BY_ID, f"{name}: unknown prerequisite {prerequisite!r}"
        assert BY_ID[prerequisite]["order"] < lesson["order"], f"{name}: {prerequisite} later"


def test_prerequisites_have_no_cycle():
    # implied by "earlier in the catalog", checked directly so the message is clear
    seen: dict[str, int] = {}

    def visit(lesson_id: str, path: tuple[str, ...]) -> None:
        assert lesson_id not in path, f"cycle: {' → '.join((*path, lesson_id))}"
        for p in BY_ID[lesson_id].get("prerequisites", []):
            visit(p, (*path, lesson_id))
        seen[lesson_id] = 1

    for lesson_id in BY_ID:
        visit(lesson_id, ())
    assert len(seen) == len(BY_ID)


def test_every_lesson_file_is_checked_by_a_content_test():
    tests = " ".join(
        p.read_text(encoding="utf-8") for p in (ROOT / "tests" / "unit").glob("test_content_*.py")
    )
    for name in CATALOG:
        assert f'"{name}"' in tests, f"{name}: no tests/unit/test_content_*.py checks its keys"


def glossary_terms() -> set[str]:
    """The README glossary's words: each row's first cell, and its comma-separated parts."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme[readme.index("## Glossary") :].split("\n## ")[0]
    cells = [row.split("|")[1].strip() for row in table.splitlines() if row.startswith("| ")]
    terms = {cell.lower() for cell in cells[1:]}  # skip the header row
    return terms | {part.strip().lower() for cell in terms for part in cell.split(", ")}


@pytest.mark.parametrize("name", list(CATALOG))
def test_concepts_are_glossary_words(name):
    terms = glossary_terms()
    for concept in CATALOG[name]["concepts"]:
        assert concept.lower() in terms, (
            f"{name}: concept {concept!r} is not in the README glossary"
        )
