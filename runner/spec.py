"""Job specs, refused at the edge: the names the rest of the app imports.

The spec classes live in runner/specs/ (one per workload, on `BaseSpec`) and are looked up
in runner/registry.py; this module keeps the short import path.

    >>> spec = from_mapping({"schedule": "1F1B", "stages": 2, "microbatches": 4})
    >>> validate(spec, Machine(schedules=("GPipe", "1F1B"))).device
    'cpu'
"""

from __future__ import annotations

from runner.registry import spec_from_mapping as from_mapping
from runner.specs.base import (
    DEVICES,
    MAX_CPU_RANKS,
    BaseSpec,
    Machine,
    SpecError,
    validate,
)
from runner.specs.pipeline import PipelineSpec
from runner.specs.tensor_parallel import TensorParallelSpec

JobSpec = PipelineSpec  # the default workload's spec, under its first name

__all__ = [
    "DEVICES",
    "MAX_CPU_RANKS",
    "BaseSpec",
    "JobSpec",
    "Machine",
    "PipelineSpec",
    "SpecError",
    "TensorParallelSpec",
    "from_mapping",
    "validate",
]
