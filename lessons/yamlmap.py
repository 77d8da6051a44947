"""Parse YAML once into data plus a map from every key path to its line number.

The loader uses the map to turn a pydantic error location such as
("body", 3, "options", 2, "correct") into the line an author should look at. Paths use
the key as written for mappings and the index for sequences; the line of a mapping value is
the line of its key (so a `prompt: |` block points at `prompt:`), 1-based.

Lessons come from authors, not from a trusted build: aliases (`*name`, including `<<: *a`
merges) are refused where they appear, since a few hundred bytes of nested aliases expand
to billions of nodes ("billion laughs"); nesting deeper than MAX_DEPTH is refused before
Python's recursion limit is reached. Both are a YamlError with the line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

Path = tuple[Any, ...]
MAX_DEPTH = 50
"""Deepest nesting of mappings and sequences a lesson may use (real lessons use about 6)."""


class YamlError(Exception):
    """Text that is not one YAML document; `line` is 1-based."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


@dataclass
class Parsed:
    data: Any
    lines: dict[Path, int] = field(default_factory=dict)
    duplicate_keys: list[tuple[Path, int]] = field(default_factory=list)
    """(path of the repeated key, line of its second use), for every repeat."""

    def line_of(self, path: Path) -> int:
        """Line of the longest prefix of `path` present in the document."""
        for end in range(len(path), -1, -1):
            line = self.lines.get(tuple(path[:end]))
            if line is not None:
                return line
        return 1


class _Refused(yaml.MarkedYAMLError):
    """YAML that parses but is refused in a lesson (an alias, too deep)."""


class _LessonLoader(yaml.SafeLoader):
    """SafeLoader that refuses aliases and counts nesting while composing."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        if self.check_event(yaml.AliasEvent):
            mark = self.peek_event().start_mark
            raise _Refused(problem="aliases (*name) are not allowed in lessons; write the "
                           "value out", problem_mark=mark)  # fmt: skip
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                mark = self.peek_event().start_mark
                raise _Refused(problem=f"nested more than {MAX_DEPTH} levels deep",
                               problem_mark=mark)  # fmt: skip
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def parse(text: str) -> Parsed:
    """Parse one YAML document (safe loader). Raises YamlError with the line on bad syntax."""
    try:
        loader = _LessonLoader(text)  # checks for unprintable characters already
        try:
            node = loader.get_single_node()
            data = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
    except _Refused as err:
        raise YamlError(err.problem_mark.line + 1, err.problem) from err
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line = mark.line + 1 if mark else 1
        raise YamlError(line, f"YAML syntax: {err.problem or err}".strip()) from err
    except yaml.reader.ReaderError as err:
        line = text[: err.position].count("\n") + 1
        raise YamlError(line, f"character #x{err.character:04x} is not allowed in YAML") from err
    except yaml.YAMLError as err:
        raise YamlError(1, f"YAML: {err}") from err
    parsed = Parsed(data)
    if node is not None:
        parsed.lines[()] = node.start_mark.line + 1
        _walk(node, (), parsed)
    return parsed


def _walk(node: Node, path: Path, parsed: Parsed) -> None:
    if isinstance(node, MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, ScalarNode) else str(key_node.value)
            line = key_node.start_mark.line + 1
            if key in seen:
                parsed.duplicate_keys.append(((*path, key), line))
                continue  # the first use keeps the line; the repeat is reported
            seen.add(key)
            parsed.lines[(*path, key)] = line
            _walk(value_node, (*path, key), parsed)
    elif isinstance(node, SequenceNode):
        for i, item in enumerate(node.value):
            parsed.lines[(*path, i)] = item.start_mark.line + 1
            _walk(item, (*path, i), parsed)
