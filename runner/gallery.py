"""Recorded traces shipped with the app (`content/traces/**/*.json`), found by their spec.

A machine without GPUs still shows real GPU schedules: the recordings made on two H200s
are committed here with their metadata, and every chart of one is labelled as recorded.

    >>> from runner.gallery import scan
    >>> [r.label for r in scan("content/traces")][:1]   # doctest: +SKIP
    ['1F1B · p=2 · m=4 · 2× NVIDIA H200 (cuda)']
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from runner import registry


@dataclass(frozen=True)
class Recording:
    """One committed trace file and the facts needed to list and match it."""

    path: Path
    workload: str
    description: str
    """The spec in the lessons' words (its workload's `describe()`)."""
    schedule: str
    stages: int
    microbatches: int
    device: str
    gpu_name: str | None
    world_size: int
    recorded_at: str
    bubble_fraction: float | None

    @property
    def hardware(self) -> str:
        if self.device == "cuda" and self.gpu_name:
            return f"{self.world_size}× {self.gpu_name}"
        return f"{self.world_size} CPU processes (gloo)"

    @property
    def label(self) -> str:
        if self.workload == "pipeline":
            return f"{self.schedule} · p={self.stages} · m={self.microbatches} · {self.hardware}"
        return f"{self.description} · {self.hardware}"


def _read(path: Path) -> Recording | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        spec, meta = data["spec"], data["meta"]
        typed = registry.spec_from_trace(spec)
        return Recording(
            path=path,
            workload=typed.workload,
            description=typed.describe(),
            schedule=str(spec.get("schedule", spec.get("mode", ""))),
            stages=int(spec.get("stages", typed.ranks)),
            microbatches=int(spec.get("microbatches", 1)),
            device=str(meta.get("device", "cpu")),
            gpu_name=meta.get("gpu_name"),
            world_size=int(meta.get("world_size", typed.ranks)),
            recorded_at=str(meta.get("recorded_at", "")),
            bubble_fraction=data.get("summary", {}).get("bubble_fraction"),
        )
    except (OSError, ValueError, KeyError, TypeError):  # SpecError is a ValueError
        return None


def scan(directory: str | Path) -> list[Recording]:
    """Every readable trace under `directory`, GPU recordings first, then by schedule."""
    found = [r for p in sorted(Path(directory).rglob("*.json")) if (r := _read(p)) is not None]
    order = {name: i for i, name in enumerate(registry.names())}
    return sorted(
        found,
        key=lambda r: (order.get(r.workload, 99), r.device != "cuda", r.schedule, r.stages,
                       r.microbatches),
    )  # fmt: skip


def find(
    recordings: list[Recording], schedule: str, stages: int, microbatches: int, device: str
) -> Recording | None:
    """The recording of exactly this schedule, depth and micro-batch count on `device`."""
    want = ("pipeline", schedule, stages, microbatches, device)
    for rec in recordings:
        if (rec.workload, rec.schedule, rec.stages, rec.microbatches, rec.device) == want:
            return rec
    return None


@dataclass(frozen=True)
class TPPair:
    """Blocking and Ladder-Residual recordings of the same tensor-parallel model and hardware."""

    blocking: Path
    ladder: Path
    ranks: int
    hidden: int
    tokens: int
    """Tokens per step (batch × seq): a prefill-sized and a decode-sized pair differ here."""
    device: str
    hardware: str


def tensor_parallel_pairs(directory: str | Path) -> list[TPPair]:
    """Every (blocking, ladder) pair of tensor-parallel traces under `directory`."""
    found: dict[tuple, dict[str, Path]] = {}
    names: dict[tuple, str] = {}
    for path in sorted(Path(directory).rglob("*.json")):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            spec, meta = data["spec"], data["meta"]
            if spec.get("workload") != "tensor_parallel":
                continue
            ranks = int(spec.get("tp", spec.get("ranks")))
            tokens = int(spec["batch"]) * int(spec["seq"])
            key = (ranks, int(spec["hidden"]), tokens, str(meta.get("device", "cpu")))
        except (OSError, ValueError, KeyError, TypeError):
            continue
        found.setdefault(key, {})[str(spec.get("mode"))] = path
        gpu = meta.get("gpu_name")
        names[key] = f"{key[0]}× {gpu}" if key[3] == "cuda" and gpu else f"{key[0]} CPU processes"
    return [
        TPPair(modes["blocking"], modes["ladder"], *key, names[key])
        for key, modes in sorted(found.items(), key=lambda kv: (kv[0][3] != "cuda", kv[0]))
        if {"blocking", "ladder"} <= set(modes)
    ]
