"""Trace v1 (see DESIGN.md): load, validate, save, and the summary shared by runs and predictions.

Standard library only: this module is imported by the app, by the simulator and by the
workload inside torchrun ranks on a GPU host.

Bubble convention used by `summary`: idle compute time / (ranks × makespan), per iteration,
averaged over iterations. It is labelled in the summary as `bubble_convention`.
"""

from __future__ import annotations

import json
import math
import os
import tempfile
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

VERSION = 1
COMPUTE_KINDS = frozenset({"F", "B", "I", "W", "COMPUTE", "OPT"})
COMM_KINDS = frozenset(
    {
        "SEND_F",
        "RECV_F",
        "SEND_B",
        "RECV_B",
        "ALLREDUCE",
        "ALLTOALL",
        "DP_ALLREDUCE",
        "ALLGATHER",
        "REDUCE_SCATTER",
    }
)
KINDS = COMPUTE_KINDS | COMM_KINDS | {"IDLE"}
BUBBLE_CONVENTION = "idle/(ranks*makespan)"

_TOP = {"version": int, "spec": dict, "meta": dict, "events": list, "memory": list, "summary": dict}
_SPEC = {"workload": str}
_PIPELINE_SPEC = {"schedule": str, "stages": int, "microbatches": int}  # pipeline traces only
_META = {
    "backend": str,
    "device": str,
    "world_size": int,
    "torch": str,
    "recorded_at": str,
    "iterations": int,
}
_EVENT = {
    "rank": int,
    "stage": int,
    "kind": str,
    "iteration": int,
    "start_us": float,
    "end_us": float,
}
_MEMORY = {"rank": int, "peak_bytes": int, "kind": str}
_SUMMARY = {"makespan_us": float, "bubble_fraction": float}


def _is(value: Any, typ: type) -> bool:
    if isinstance(value, bool):
        return False
    if typ is float:
        return isinstance(value, (int, float)) and math.isfinite(value)
    return isinstance(value, typ)


def _require(obj: dict, fields: dict[str, type], where: str) -> None:
    for name, typ in fields.items():
        if name not in obj:
            raise ValueError(f"{where}.{name}: missing")
        if not _is(obj[name], typ):
            raise ValueError(
                f"{where}.{name}: expected {typ.__name__}, got {type(obj[name]).__name__}"
            )


def validate(trace: Any) -> dict:
    """Check `trace` against v1; return it unchanged or raise ValueError naming the field."""
    if not isinstance(trace, dict):
        raise ValueError(f"trace: expected an object, got {type(trace).__name__}")
    if "version" in trace and trace["version"] != VERSION:
        raise ValueError(f"version: expected {VERSION}, got {trace['version']!r}")
    _require(trace, _TOP, "trace")
    _require(trace["spec"], _SPEC, "spec")
    if trace["spec"]["workload"] == "pipeline":
        _require(trace["spec"], _PIPELINE_SPEC, "spec")
    _require(trace["meta"], _META, "meta")
    for i, ev in enumerate(trace["events"]):
        where = f"events[{i}]"
        if not isinstance(ev, dict):
            raise ValueError(f"{where}: expected an object")
        _require(ev, _EVENT, where)
        if ev["kind"] not in KINDS:
            raise ValueError(f"{where}.kind: unknown kind {ev['kind']!r}")
        mb = ev.get("microbatch")
        if mb is not None and not _is(mb, int):
            raise ValueError(f"{where}.microbatch: expected int or null")
        if ev["end_us"] < ev["start_us"]:
            raise ValueError(f"{where}.end_us: ends before it starts")
    for i, mem in enumerate(trace["memory"]):
        if not isinstance(mem, dict):
            raise ValueError(f"memory[{i}]: expected an object")
        _require(mem, _MEMORY, f"memory[{i}]")
        if mem["peak_bytes"] < 0:
            raise ValueError(f"memory[{i}].peak_bytes: negative")
    _require(trace["summary"], _SUMMARY, "summary")
    return trace


def load(path: str | os.PathLike) -> dict:
    """Read and validate a trace file; ValueError (naming the field) when it is not v1."""
    try:
        with open(path, encoding="utf-8") as f:
            trace = json.load(f)
    except json.JSONDecodeError as e:
        raise ValueError(f"trace: not JSON ({e})") from e
    return validate(trace)


def save(trace: dict, path: str | os.PathLike) -> None:
    """Validate, then write atomically (temporary file in the same folder + os.replace)."""
    validate(trace)
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".trace-", suffix=".json", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(trace, f, indent=1)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def _busy(intervals: list[tuple[float, float]]) -> float:
    """Length of the union of intervals (robust to overlaps in hand-made traces)."""
    total, cur_s, cur_e = 0.0, None, None
    for s, e in sorted(intervals):
        if cur_e is None or s > cur_e:
            if cur_e is not None:
                total += cur_e - cur_s
            cur_s, cur_e = s, e
        else:
            cur_e = max(cur_e, e)
    if cur_e is not None:
        total += cur_e - cur_s
    return total


def summary(events: Iterable[dict], ranks: int) -> dict:
    """Makespan and bubble fraction, per iteration, averaged over iterations.

    makespan: last compute end − first compute start of the iteration (all ranks).
    bubble_fraction: Σ_ranks (makespan − busy compute time) / (ranks × makespan), where
    compute kinds are F, B, I, W, COMPUTE; waits and transfers count as idle.
    """
    by_iter: dict[int, dict[int, list]] = defaultdict(lambda: defaultdict(list))
    for ev in events:
        if ev["kind"] in COMPUTE_KINDS:
            by_iter[ev.get("iteration", 0)][ev["rank"]].append((ev["start_us"], ev["end_us"]))
    spans, bubbles = [], []
    for per_rank in by_iter.values():
        starts = [s for iv in per_rank.values() for s, _ in iv]
        ends = [e for iv in per_rank.values() for _, e in iv]
        makespan = max(ends) - min(starts)
        spans.append(makespan)
        if makespan > 0:
            idle = sum(makespan - _busy(per_rank.get(r, [])) for r in range(ranks))
            bubbles.append(idle / (ranks * makespan))
    return {
        "makespan_us": sum(spans) / len(spans) if spans else 0.0,
        "bubble_fraction": sum(bubbles) / len(bubbles) if bubbles else 0.0,
        "bubble_convention": BUBBLE_CONVENTION,
        "iterations": len(spans),
    }
