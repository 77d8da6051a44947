"""Load lesson YAML files into models, reporting every problem with its line.

    >>> lesson, problems = load_lesson("content/lessons/pipeline.yaml")
    >>> for p in problems: print(p)     # FILE:LINE: QUESTION-ID: FIELD: message

Nothing here raises for bad content: syntax errors, empty or non-UTF-8 files, unknown or
missing keys, wrong types and every rule of `lessons/rules.py` come back as `Problem`s, all
of a file at once. `python -m lessons validate` prints them. Hostile files too: over
MAX_BYTES, aliases and deep nesting (lessons/yamlmap.py), a link in the lessons folder to a
file outside it, and whatever still runs out of memory or recursion are each a Problem of
their file, while every other lesson loads.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path as FsPath
from types import SimpleNamespace
from typing import Any

from pydantic import TypeAdapter, ValidationError

from lessons import labs, models, rules
from lessons.models import BLOCK_TYPES, DEFER_CHECKS, QUESTION_TYPES, Block, Lesson
from lessons.yamlmap import Parsed, YamlError, parse

_CONTEXT = {DEFER_CHECKS: True}
MAX_BYTES = 512 * 1024
"""Largest lesson file read (the biggest real lesson is ~30 KiB)."""
_BLOCK = TypeAdapter(Block)


@dataclass(frozen=True)
class Problem:
    """One located problem of a lesson file.

    `str()` gives `FILE:LINE: QUESTION-ID: FIELD: message`; line 0 means no line (no file).
    """

    file: str
    line: int
    question: str = "-"
    field: str = "-"
    message: str = ""

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.question}: {self.field}: {self.message}"


@dataclass
class Catalog:
    lessons: list[Lesson] = field(default_factory=list)
    """Valid lessons, sorted by (order, id)."""
    broken: dict[str, list[Problem]] = field(default_factory=dict)
    """File path → its problems, for every file that did not load."""


def load_lesson(path: str | FsPath) -> tuple[Lesson | None, list[Problem]]:
    """Load one lesson file: (lesson, []) when valid, else (None, problems sorted by line)."""
    lesson, problems, _ = _load(FsPath(path))
    return lesson, problems


def load_catalog(directory: str | FsPath) -> Catalog:
    """Load every `*.yaml` / `*.yml` file of a directory; broken files never stop the rest."""
    directory = FsPath(directory)
    files = sorted([*directory.glob("*.yaml"), *directory.glob("*.yml")])
    inside = directory.resolve()
    outside = [p for p in files if not p.resolve().is_relative_to(inside)]
    catalog = load_files([p for p in files if p not in outside])
    for path in outside:  # a link to a system file must not be read, even to report on it
        message = "a link to a file outside the lessons folder; not followed"
        catalog.broken[str(path)] = [Problem(str(path), 0, message=message)]
    return catalog


def load_files(files: list[FsPath]) -> Catalog:
    """Load these files into one catalog; a lesson id used twice breaks the later file."""
    catalog = Catalog()
    owner: dict[str, str] = {}
    seen: set[FsPath] = set()
    for path in map(FsPath, files):
        if path.resolve() in seen:  # the same file named twice (as a file and in its folder)
            continue
        seen.add(path.resolve())
        lesson, problems, parsed = _load(path)
        if lesson is not None and lesson.id in owner:
            line = parsed.line_of(("id",)) if parsed else 1
            message = f"duplicate lesson id {lesson.id!r}, also used by {owner[lesson.id]}"
            lesson, problems = None, [Problem(str(path), line, "-", "id", message)]
        if lesson is None:
            catalog.broken[str(path)] = problems
        else:
            owner[lesson.id] = str(path)
            catalog.lessons.append(lesson)
    catalog.lessons.sort(key=lambda lesson: (lesson.order, lesson.id))
    return catalog


def _load(path: FsPath) -> tuple[Lesson | None, list[Problem], Parsed | None]:
    try:
        return _load_unguarded(path)
    except (RecursionError, MemoryError) as err:
        why = "too deeply nested" if isinstance(err, RecursionError) else "too large"
        return None, [Problem(str(path), 1, message=f"{why} to load ({type(err).__name__})")], None


def _load_unguarded(path: FsPath) -> tuple[Lesson | None, list[Problem], Parsed | None]:
    name = str(path)
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            message = f"file is {size // 1024} KiB; a lesson may be at most {MAX_BYTES // 1024} KiB"
            return None, [Problem(name, 0, message=message)], None
        raw = path.read_bytes()
    except OSError as err:
        return None, [Problem(name, 0, message=f"cannot read file: {err.strerror or err}")], None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        return None, [Problem(name, line, message=f"not UTF-8 (byte {err.start})")], None
    try:
        parsed = parse(text)
    except YamlError as err:
        return None, [Problem(name, err.line, message=err.message)], None
    if parsed.data is None:
        return None, [Problem(name, 1, message="empty file: a lesson needs id, title, …")], parsed
    if not isinstance(parsed.data, dict):
        kind = type(parsed.data).__name__
        msg = f"the top level must be a mapping (id: …, title: …), not a {kind}"
        return None, [Problem(name, parsed.line_of(()), message=msg)], parsed
    problems = _problems(name, parsed)
    if not problems:
        try:  # the models run the same rules again; a disagreement is still only a Problem
            return Lesson.model_validate(parsed.data), [], parsed
        except ValidationError as err:
            problems = [Problem(name, parsed.line_of(()), message=str(err))]
    return None, sorted(problems, key=lambda p: p.line), parsed


def _problems(name: str, parsed: Parsed) -> list[Problem]:
    """Duplicate keys, schema errors, then the rules on every block that validated."""
    locate = _Locator(name, parsed)
    repeated = "key repeated in the same mapping (YAML keeps only the last)"
    problems = [locate(path, repeated, line) for path, line in parsed.duplicate_keys]
    try:
        Lesson.model_validate(parsed.data, context=_CONTEXT)
    except ValidationError as err:
        problems.extend(locate(_clean_loc(e), _message(e)) for e in err.errors())
    body = parsed.data.get("body")
    blocks: list[tuple[int, Any]] = []
    for index, raw in enumerate(body if isinstance(body, list) else []):
        try:
            blocks.append((index, _BLOCK.validate_python(raw, context=_CONTEXT)))
        except ValidationError:
            continue  # already reported by the lesson validation above
    for index, block in blocks:
        if block.type in QUESTION_TYPES:
            for path, message in rules.question_issues(block):
                problems.append(locate(("body", index, *path), message))
        elif block.type == "lab":
            for path, message in labs.spec_issues(block.spec):
                problems.append(locate(("body", index, *path), message))
    problems.extend(locate(path, msg) for path, msg in rules.lesson_issues(_id_views(body)))
    return problems


def _id_views(body: Any) -> list[tuple[int, SimpleNamespace]]:
    """The ids of the raw body blocks, for the lesson rules: a block whose other fields are
    broken still takes part in the unique-id and lab-reference checks."""
    views = []
    for index, raw in enumerate(body if isinstance(body, list) else []):
        if isinstance(raw, dict) and raw.get("type") in BLOCK_TYPES:
            lab = raw.get("lab") if isinstance(raw.get("lab"), str) else None
            view = SimpleNamespace(type=raw["type"], id=raw.get("id"), lab=lab)
            if isinstance(view.id, str) or view.type == "markdown":
                views.append((index, view))
    return views


def _clean_loc(error: dict[str, Any]) -> tuple[Any, ...]:
    """Drop the union tag pydantic puts after a body index: ("body", 2, "ordering", "items")."""
    loc = tuple(error["loc"])
    if len(loc) > 2 and loc[0] == "body" and loc[2] in BLOCK_TYPES:
        loc = loc[:2] + loc[3:]
    if error["type"] in ("union_tag_invalid", "union_tag_not_found"):
        loc = (*loc, "type")
    return loc


def _message(error: dict[str, Any]) -> str:
    kind, loc = error["type"], error["loc"]
    if kind == "extra_forbidden":
        guess = difflib.get_close_matches(str(loc[-1]), _field_names(), n=1)
        hint = f"; did you mean {guess[0]!r}?" if guess else ""
        return f"unknown field {loc[-1]!r}{hint}"
    if kind == "missing":
        return f"missing required field {loc[-1]!r}"
    if kind == "union_tag_invalid":
        return f"unknown block type {error['input'].get('type')!r}; types are {list(BLOCK_TYPES)}"
    if kind == "union_tag_not_found":
        return f"a body block needs a `type`, one of {list(BLOCK_TYPES)}"
    return str(error["msg"])


def _field_names() -> list[str]:
    names: set[str] = set()
    for obj in vars(models).values():
        if isinstance(obj, type) and issubclass(obj, models.Strict):
            names.update(obj.model_fields)
    return sorted(names)


class _Locator:
    """Turn a path in the document into a located Problem."""

    def __init__(self, name: str, parsed: Parsed) -> None:
        self.name, self.parsed = name, parsed

    def __call__(self, path: tuple[Any, ...], message: str, line: int | None = None) -> Problem:
        line = line or self.parsed.line_of(path)
        data = self.parsed.data
        if len(path) >= 2 and path[0] == "body" and isinstance(path[1], int):
            body = data.get("body") if isinstance(data, dict) else None
            block = body[path[1]] if isinstance(body, list) and path[1] < len(body) else None
            if isinstance(block, dict) and block.get("type") != "markdown":
                qid = block.get("id")
                question = qid if isinstance(qid, str) and qid else "-"
                return Problem(self.name, line, question, _dotted(path[2:]), message)
        return Problem(self.name, line, "-", _dotted(path), message)


def _dotted(path: tuple[Any, ...]) -> str:
    return ".".join(str(p) for p in path) or "-"
