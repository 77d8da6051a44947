"""Lab blocks checked against the runner's workload registry, and their JSON Schema.

`lessons` may import the stdlib-only spec and registry modules of `runner` (DESIGN.md,
"Lesson ↔ runner"), never anything that imports torch or plotly. A lab block's `spec` is
built by its workload's own spec class, so `{schedul: 1F1B}` is refused by
`python -m lessons validate` with its location instead of crashing the lesson page.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any

from runner import registry
from runner.specs.base import SpecError

_JSON_TYPES = {"int": "integer", "float": "number", "str": "string", "bool": "boolean"}


def spec_issues(spec: Any) -> Iterator[tuple[tuple[Any, ...], str]]:
    """(path under the block, message) for a spec its workload would refuse."""
    try:
        registry.spec_from_mapping(spec)
    except SpecError as err:
        yield ("spec", err.field), err.message


def spec_json_schema() -> dict[str, Any]:
    """One JSON Schema alternative per registered workload (`workload` defaults to pipeline)."""
    alternatives = []
    for workload in registry.all():
        cls = workload.spec_class
        props: dict[str, Any] = {"workload": {"const": workload.name}}
        for f in dataclasses.fields(cls):
            prop: dict[str, Any] = {
                "type": _JSON_TYPES[str(f.type)],
                "description": f.metadata.get("doc", ""),
                "default": f.default,
            }
            if f.metadata.get("choices"):
                prop["enum"] = list(f.metadata["choices"])
            if f.metadata.get("lo") is not None:
                prop["minimum"] = f.metadata["lo"]
            if f.metadata.get("hi") is not None:
                prop["maximum"] = f.metadata["hi"]
            props[f.name] = prop
        for alias, target in cls.ALIASES.items():
            props[alias] = {**props[target], "description": f"older name of `{target}`"}
        alt = {"title": workload.title, "type": "object", "properties": props,
               "additionalProperties": False}  # fmt: skip
        if workload.name != "pipeline":
            alt["required"] = ["workload"]
        alternatives.append(alt)
    return {"anyOf": alternatives, "description": "A runner job spec (python -m runner workloads)"}
