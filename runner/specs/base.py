"""The shape every job spec shares, and the checks that refuse a bad one before launch.

Pure Python (no torch): the app, the CLI, lesson validation and the ranks themselves read
specs through this module. A spec is a frozen dataclass; every field is declared with
`param(default, doc, ...)`, so its reason, its bounds and its choices live beside it and the
CLI, `python -m runner workloads`, the lesson JSON Schema and the lab form are all made from
the same declaration. Parallel degrees are named as torchtitan's `ParallelDims` names them —
`dp` (data), `tp` (tensor), `pp` (pipeline), `ep` (expert) — and their product is the world
size (`BaseSpec.ranks`).

Two kinds of check, both raising `SpecError` whose `str()` is one line, `FIELD: message`:
- `__post_init__`: types, bounds and choices of each field, then the spec's own `check()`
  (divisibility and the like), needing no machine facts;
- `validate(spec, machine)`: what depends on this machine (GPUs, the installed torch, memory),
  with the machine passed in, so it stays testable without torch.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
from collections.abc import Mapping
from typing import Any, ClassVar

DEVICES = ("auto", "cpu", "cuda")
DTYPES = ("auto", "float32", "bfloat16", "float16")
DEGREES = ("dp", "tp", "pp", "ep")
MAX_CPU_RANKS = 4
CPU_RANK_BUDGET_BYTES = 4 * 1024**3
KEY_VERSION = 2  # bump when a workload's output changes meaning, to invalidate the cache


class SpecError(ValueError):
    """A refused spec; `field` names the offending field, `str()` is `FIELD: message`."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def param(
    default: Any,
    doc: str,
    *,
    lo: float | None = None,
    hi: float | None = None,
    choices: tuple | None = None,
) -> Any:
    """A spec field with its reason (`doc`), bounds (`lo`..`hi`) and allowed `choices`."""
    meta = {"doc": doc, "lo": lo, "hi": hi, "choices": choices}
    return dataclasses.field(default=default, metadata=meta)


@dataclasses.dataclass(frozen=True)
class Machine:
    """Facts about where a job would run, gathered once by the caller (see runner.cli)."""

    torch: str = "n/a"
    """Installed torch version."""
    gpus: int = 0
    """CUDA devices visible."""
    schedules: tuple[str, ...] = ()
    """Pipeline schedules the installed torch offers."""
    gpu_free_bytes: int | None = None
    """Free memory of the fullest GPU, if known."""


_TYPES = {"int": int, "str": str, "float": float, "bool": bool}


@dataclasses.dataclass(frozen=True)
class BaseSpec:
    """Fields every workload has: where it runs and how much of it is measured."""

    workload: ClassVar[str] = ""
    ALIASES: ClassVar[dict[str, str]] = {}
    """Older names still accepted on input (e.g. pipeline `stages` for `pp`)."""

    device: str = param("auto", "cpu (gloo processes), cuda (NCCL, one GPU per rank) or auto "
                        "(cuda when there is a GPU for every rank)", choices=DEVICES)  # fmt: skip
    iterations: int = param(3, "measured steps recorded in the trace", lo=1, hi=20)
    warmup: int = param(1, "unrecorded steps first, so communicator set-up and shape inference "
                        "stay out of the events", lo=0, hi=10)  # fmt: skip
    dtype: str = param("auto", "parameter and activation dtype; auto: float32 on cpu, "
                       "bfloat16 on cuda", choices=DTYPES)  # fmt: skip

    def __post_init__(self) -> None:
        for f in dataclasses.fields(self):
            _check_field(f, getattr(self, f.name))
        self.check()

    def check(self) -> None:
        """Cross-field checks of this workload (override); raise SpecError(field, ...)."""

    @property
    def degrees(self) -> dict[str, int]:
        """Parallel degrees dp, tp, pp, ep (1 where the workload has no such axis)."""
        return {d: int(getattr(self, d, 1)) for d in DEGREES}

    @property
    def ranks(self) -> int:
        """World size: the product of the parallel degrees."""
        return math.prod(self.degrees.values())

    def describe(self) -> str:
        """One line in the lessons' words, e.g. `1F1B · 2 stages · 4 micro-batches`."""
        return f"{self.workload} · {self.ranks} ranks"

    def to_dict(self) -> dict[str, Any]:
        return {"workload": self.workload, **dataclasses.asdict(self)}

    def key(self, torch_version: str, device: str) -> str:
        """Stable cache key: sha256 of canonical JSON of spec + torch version + device."""
        payload = {**self.to_dict(), "device": device}
        doc = {"key_version": KEY_VERSION, "spec": payload, "torch": torch_version}
        canonical = json.dumps(doc, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(canonical.encode()).hexdigest()

    def resolved_dtype(self, device: str) -> str:
        if self.dtype != "auto":
            return self.dtype
        return "bfloat16" if device == "cuda" else "float32"

    def estimate_bytes_per_rank(self) -> int:
        """Rough peak bytes of one rank (override); 0 = no estimate, no memory check."""
        return 0

    def machine_check(self, machine: Machine, device: str) -> dict[str, Any]:
        """Checks that need this machine's facts (override), after device resolution.

        Returns fields to replace in the validated spec (e.g. a canonical schedule name)."""
        return {}

    @classmethod
    def fields_doc(cls) -> list[tuple[str, str, Any, str]]:
        """(name, type, default, doc) of every field, for `python -m runner workloads`."""
        return [
            (f.name, str(f.type), f.default, f.metadata.get("doc", ""))
            for f in dataclasses.fields(cls)
        ]

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> BaseSpec:
        """From a lesson preset, JSON or the CLI; unknown keys and wrong types name the field."""
        if not isinstance(data, Mapping):
            raise SpecError("spec", f"must be a mapping, got {type(data).__name__}")
        known = {f.name: f for f in dataclasses.fields(cls)}
        values: dict[str, Any] = {}
        for name, value in data.items():
            if name == "workload":
                if value != cls.workload:
                    raise SpecError("workload", f"expected {cls.workload!r}, got {value!r}")
                continue
            target = cls.ALIASES.get(name, name)
            if target not in known:
                names = ", ".join(["workload", *known])
                raise SpecError(str(name), f"unknown field for {cls.workload}; known: {names}")
            if target in values and values[target] != value:
                raise SpecError(str(name), f"contradicts {target}={values[target]!r}")
            values[target] = value
        for name, value in values.items():
            _check_type(known[name], value)
        return cls(**values)


def _check_type(f: dataclasses.Field, value: Any) -> None:
    want = _TYPES[str(f.type)]
    ok = isinstance(value, want) and (want is bool or not isinstance(value, bool))
    if want is float and isinstance(value, int) and not isinstance(value, bool):
        ok = True
    if not ok:
        raise SpecError(f.name, f"must be {want.__name__}, got {type(value).__name__}")


def _check_field(f: dataclasses.Field, value: Any) -> None:
    _check_type(f, value)
    meta = f.metadata
    if meta.get("choices") and value not in meta["choices"]:
        raise SpecError(f.name, f"{value!r} is not one of {', '.join(map(str, meta['choices']))}")
    if isinstance(value, float) and not math.isfinite(value):
        raise SpecError(f.name, f"must be a finite number, got {value}")
    lo, hi = meta.get("lo"), meta.get("hi")
    if (lo is not None and value < lo) or (hi is not None and value > hi):
        bounds = f"between {lo} and {hi}" if hi is not None else f"at least {lo}"
        raise SpecError(f.name, f"must be {bounds}, got {value}")


def largest_degree(spec: BaseSpec) -> str:
    """The degree field to blame when there are too many ranks."""
    own = [d for d in DEGREES if hasattr(spec, d)]
    return max(own, key=lambda d: getattr(spec, d)) if own else "ranks"


def validate(spec: BaseSpec, machine: Machine) -> BaseSpec:
    """Check `spec` against this machine; return it with device and dtype resolved."""
    device = spec.device
    if device == "auto":
        device = "cuda" if machine.gpus >= spec.ranks else "cpu"
    blame = largest_degree(spec)
    if device == "cpu" and spec.ranks > MAX_CPU_RANKS:
        raise SpecError(
            blame, f"at most {MAX_CPU_RANKS} ranks on CPU (one process each), got {spec.ranks}"
        )
    if device == "cuda" and machine.gpus < 1:
        raise SpecError("device", "cuda was asked for but no GPU is visible; use cpu or auto")
    if device == "cuda" and spec.ranks > machine.gpus:
        raise SpecError(blame, f"{spec.ranks} ranks need {spec.ranks} GPUs, only {machine.gpus}")
    changes = spec.machine_check(machine, device)
    budget = CPU_RANK_BUDGET_BYTES if device == "cpu" else machine.gpu_free_bytes
    need = spec.estimate_bytes_per_rank()
    if budget is not None and need > budget:
        raise SpecError(
            "hidden",
            f"about {need / 2**30:.1f} GiB per rank would not fit in {budget / 2**30:.1f} GiB "
            f"on {device}; make the model or the batch smaller",
        )
    dtype = spec.resolved_dtype(device)
    return dataclasses.replace(spec, device=device, dtype=dtype, **changes)
