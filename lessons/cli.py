"""Command line for lesson authors.

    $ python -m lessons validate                      # every lesson in content/lessons
    $ python -m lessons validate path/a.yaml dir/     # files or directories
    $ python -m lessons schema --out content/lesson.schema.json

`validate` prints one line per problem, `FILE:LINE: QUESTION-ID: FIELD: message`, and
exits 1 if there is any; otherwise it prints `OK: N lessons` and exits 0.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from lessons.loader import Problem, load_files
from lessons.models import Lesson

DEFAULT_DIR = "content/lessons"
SCHEMA_URI = "https://json-schema.org/draft/2020-12/schema"


def json_schema() -> dict[str, Any]:
    """The lesson JSON Schema, generated from the models (what editors check YAML against)."""
    schema = Lesson.model_json_schema()
    return {"$schema": SCHEMA_URI, "title": "ParaLab lesson", **schema}


def schema_text() -> str:
    return json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n"


def _files(paths: Sequence[str]) -> tuple[list[Path], list[Problem]]:
    files: list[Path] = []
    problems: list[Problem] = []
    for name in paths:
        path = Path(name)
        if path.is_dir():
            files.extend(sorted([*path.glob("*.yaml"), *path.glob("*.yml")]))
        elif path.is_file():
            files.append(path)
        else:
            problems.append(Problem(name, 0, message="no such file or directory"))
    return files, problems


def validate(paths: Sequence[str], out: Any = None) -> int:
    """Print every problem of these files or directories; 0 if none, else 1."""
    out = out or sys.stdout
    files, problems = _files(paths or [DEFAULT_DIR])
    catalog = load_files(files)
    for file_problems in catalog.broken.values():
        problems.extend(file_problems)
    for problem in problems:
        print(problem, file=out)
    if problems:
        n, files_n = len(problems), len(catalog.broken)
        out.flush()  # the problems first, then the summary on stderr (stdout: one per line)
        print(
            f"FAILED: {n} problem{'s' * (n != 1)} in {files_n} file{'s' * (files_n != 1)}",
            file=sys.stderr,
        )
        return 1
    print(f"OK: {len(catalog.lessons)} lessons", file=out)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m lessons", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser("validate", help="check lesson files; exit 1 on any problem")
    check.add_argument("paths", nargs="*", metavar="PATH", help=f"default: {DEFAULT_DIR}")
    schema = commands.add_parser("schema", help="print the lesson JSON Schema")
    schema.add_argument("--out", metavar="FILE", help="write it to FILE instead")
    args = parser.parse_args(argv)
    if args.command == "validate":
        return validate(args.paths)
    if args.out:
        Path(args.out).write_text(schema_text(), encoding="utf-8")
    else:
        sys.stdout.write(schema_text())
    return 0
