"""Every workload ParaLab can run, in one table: the only place that knows them by name.

    >>> from runner import registry
    >>> [w.name for w in registry.all()][:2]
    ['pipeline', 'tensor_parallel']
    >>> registry.spec_from_mapping({"workload": "pipeline", "schedule": "GPipe"}).describe()
    'GPipe · 2 stages · 4 micro-batches'

An entry names its spec class (stdlib only, in runner/specs/), the module torchrun runs inside
every rank (runner/workloads/, torch only), and its prediction: a function
`(spec, measured_trace | None) -> predicted trace` imported lazily by dotted path, so this
module, and everything that only lists or validates workloads (the CLI's refusals, lesson
validation, the job queue), never imports torch or plotly. The CLI, the queue and its cache
key, the launcher, the lab page, the gallery and lesson `lab` blocks all look workloads up
here; tests enumerate this table, so an entry cannot be half-added (README, "Adding a
workload").
"""

from __future__ import annotations

import dataclasses
import importlib
from collections.abc import Callable, Mapping
from typing import Any

from runner.specs.base import BaseSpec, SpecError
from runner.specs.data_parallel import DataParallelSpec
from runner.specs.expert_parallel import ExpertParallelSpec
from runner.specs.fsdp import FsdpSpec
from runner.specs.hybrid import HybridSpec
from runner.specs.pipeline import PipelineSpec
from runner.specs.tensor_parallel import TensorParallelSpec


@dataclasses.dataclass(frozen=True)
class Workload:
    """One registry entry."""

    name: str
    """What specs, the CLI and lesson lab blocks call it (`workload: NAME`)."""
    spec_class: type[BaseSpec]
    """Typed spec; its degrees' product is the number of ranks torchrun starts."""
    module: str
    """Module run by torchrun in every rank (`python -m torch.distributed.run -m MODULE`)."""
    prediction: str
    """`module:function` returning the predicted trace for (spec, measured trace or None)."""
    title: str
    """Human name, for menus."""
    summary: str
    """One sentence: what a run shows."""

    def predict(self, spec: BaseSpec, measured: dict | None = None) -> dict:
        return _resolve(self.prediction)(spec, measured)


def _resolve(path: str) -> Callable[..., Any]:
    module, _, attr = path.partition(":")
    return getattr(importlib.import_module(module), attr)


_REGISTRY: dict[str, Workload] = {}


def register(workload: Workload) -> Workload:
    if workload.name in _REGISTRY:
        raise ValueError(f"workload {workload.name!r} is registered twice")
    if workload.spec_class.workload != workload.name:
        raise ValueError(f"{workload.spec_class.__name__}.workload must be {workload.name!r}")
    _REGISTRY[workload.name] = workload
    return workload


def get(name: str) -> Workload:
    """The entry for `name`; SpecError on the `workload` field when there is none."""
    try:
        return _REGISTRY[name]
    except (KeyError, TypeError):
        raise SpecError(
            "workload", f"{name!r} is not a workload; known: {', '.join(_REGISTRY)}"
        ) from None


def all() -> list[Workload]:
    return list(_REGISTRY.values())


def names() -> list[str]:
    return list(_REGISTRY)


def spec_from_mapping(data: Mapping[str, Any], default: str = "pipeline") -> BaseSpec:
    """The typed spec of a lesson preset, a job row or JSON (`workload` picks the class)."""
    if not isinstance(data, Mapping):
        raise SpecError("spec", f"must be a mapping, got {type(data).__name__}")
    return get(data.get("workload", default)).spec_class.from_mapping(data)


register(
    Workload(
        name="pipeline",
        spec_class=PipelineSpec,
        module="runner.workloads.pipeline",
        prediction="runner.predict:pipeline",
        title="Pipeline parallelism",
        summary="Stages on ranks, micro-batches through a torch.distributed.pipelining "
        "schedule: the bubble, measured beside the schedule the textbook predicts.",
    )
)
register(
    Workload(
        name="tensor_parallel",
        spec_class=TensorParallelSpec,
        module="runner.workloads.tensor_parallel",
        prediction="runner.predict_tp:tensor_parallel",
        title="Tensor parallelism",
        summary="Megatron MLP blocks sharded over ranks: every block's all-reduce, blocking "
        "or overlapped by Ladder Residual, and torch's parallelize_module beside them.",
    )
)


TRACE_ONLY_KEYS = ("schedule", "stages", "microbatches")
"""Keys trace v1 once asked every spec for; only the pipeline's spec has them."""


def spec_from_trace(spec: Mapping[str, Any]) -> BaseSpec:
    """The typed spec of a recorded trace, tolerant of what older recordings carry (the
    trace-v1 filler keys, a boolean `check`): a record to read, not input to refuse."""
    workload = get(spec.get("workload", "pipeline"))
    known = {f.name for f in dataclasses.fields(workload.spec_class)}
    known |= set(workload.spec_class.ALIASES)
    data = {k: v for k, v in spec.items() if k in known or k == "workload"}
    own = {f.name for f in dataclasses.fields(workload.spec_class)}
    if workload.name != "pipeline":  # the filler keys, unless the spec really has them
        data = {k: v for k, v in data.items() if k not in TRACE_ONLY_KEYS or k in own}
    if isinstance(data.get("check"), bool):
        data["check"] = "on" if data["check"] else "off"
    if data.get("dtype") is None:
        data.pop("dtype", None)
    return workload.spec_class.from_mapping(data)


register(
    Workload(
        name="expert_parallel",
        spec_class=ExpertParallelSpec,
        module="runner.workloads.expert_parallel",
        prediction="runner.predict_moe:expert_parallel",
        title="Expert parallelism (MoE)",
        summary="Mixture-of-Experts layers with experts spread over ranks: tokens dispatched "
        "and combined by all-to-all, the straggler a skewed router makes, and what the "
        "capacity factor drops.",
    )
)
register(
    Workload(
        name="data_parallel",
        spec_class=DataParallelSpec,
        module="runner.workloads.data_parallel",
        prediction="runner.predict_dp:data_parallel",
        title="Data parallelism",
        summary="Every rank trains the whole model on its own data; DDP's gradient buckets "
        "are all-reduced while backward still runs, beside one all-reduce after it and the "
        "naive all-reduce of each gradient.",
    )
)
register(
    Workload(
        name="fsdp",
        spec_class=FsdpSpec,
        module="runner.workloads.fsdp",
        prediction="runner.predict_dp:fsdp",
        title="ZeRO / FSDP",
        summary="Parameters, gradients and optimizer states sharded over the ranks (ZeRO-1, "
        "-2, -3 with FSDP2 and ZeroRedundancyOptimizer): bytes per rank measured beside the "
        "estimate, and the all-gathers and reduce-scatters that sharding costs.",
    )
)

register(
    Workload(
        name="hybrid",
        spec_class=HybridSpec,
        module="runner.workloads.hybrid",
        prediction="runner.predict_hybrid:hybrid",
        title="Hybrid 2-D parallelism",
        summary="Two parallelisms on one device mesh (pipeline × data or tensor × data, 4 "
        "ranks): each rank's two kinds of communication on one timeline, rows named by "
        "mesh coordinate.",
    )
)
