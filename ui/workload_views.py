"""How the lab draws each workload: one entry per registry workload (runner/registry.py).

A view names the fields its form shows first, draws a measured trace beside its prediction,
draws a lesson's lab block, says what a run measured (the values a "predict, then run"
question meets in a class run), and may warn about a choice before it runs (a pipeline with
fewer micro-batches than stages). A test checks that every registered workload has a view.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from runner import schedules


@dataclasses.dataclass(frozen=True)
class View:
    main_fields: tuple[str, ...]
    """Fields in the form's top row (the others go in an expander)."""
    show: Callable[[dict, str], None]
    """Draw a measured trace: figures, its prediction, metrics."""
    lab_block: Callable[[object, object], None]
    """Draw a lesson's lab block (block, typed spec)."""
    measures: Callable[[dict], list]
    """A measured trace's values, headline first (ui/class_measures.py): what a class run
    shows beside the class's predictions."""
    warning: Callable[[dict], str | None] = lambda raw: None
    """A warning about the form's choice before it runs, or None."""


def _pipeline_warning(raw: dict) -> str | None:
    return schedules.bubble_warning(raw["schedule"], int(raw["pp"]), int(raw["microbatches"]))


def _views() -> dict[str, View]:
    from ui import class_measures as m
    from ui import hybrid_panel, moe_panel
    from ui.charts import show_trace
    from ui.dp_panel import lab_block as dp_lab
    from ui.dp_panel import show_dp_run, show_fsdp_run
    from ui.lab_panel import pipeline_lab_block
    from ui.tp_panel import show_tp_run, tp_lab_block

    return {
        "pipeline": View(("schedule", "pp", "microbatches"), show_trace, pipeline_lab_block,
                         m.pipeline, _pipeline_warning),
        "tensor_parallel": View(("mode", "tp", "layers", "hidden"), show_tp_run, tp_lab_block,
                                m.tensor_parallel),
        "expert_parallel": View(moe_panel.MAIN_FIELDS, moe_panel.show, moe_panel.lab_block,
                                m.expert_parallel),
        "data_parallel": View(("mode", "dp", "bucket_cap_mb", "layers"), show_dp_run, dp_lab,
                              m.data_parallel),
        "fsdp": View(("stage", "dp", "layers", "hidden"), show_fsdp_run, dp_lab, m.fsdp),
        "hybrid": View(hybrid_panel.MAIN_FIELDS, hybrid_panel.show, hybrid_panel.lab_block,
                       m.data_parallel),
    }  # fmt: skip


def view_for(workload: str) -> View:
    return _views()[workload]


def names() -> list[str]:
    return list(_views())
