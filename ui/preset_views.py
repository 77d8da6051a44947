"""What the newer workloads' panels share (ui/moe_panel.py, ui/hybrid_panel.py): a measured
run's header (provenance, measured and predicted step) and a lesson preset's two views,
"Predicted" (drawn by the workload) or "Run it here"; no chart is built until one is picked.
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from runner import registry
from ui.charts import provenance
from ui.controls import view_picker


def run_header(trace: dict, how: str):
    """Caption and the first two of four metric columns; (spec, predicted, step µs, cols).

    `how` says what the prediction was made from (the predicted metric's help)."""
    spec = registry.spec_from_trace(trace["spec"])
    predicted = registry.get(spec.workload).predict(spec, trace)
    s = trace["summary"]
    step = s.get("step_wall_us") or s["makespan_us"]
    st.caption(f":material/memory: Measured on {provenance(trace)} · {spec.describe()}")
    cols = st.columns(4)
    cols[0].metric("Step, measured", f"{step / 1e3:.2f} ms")
    p = predicted["summary"]["step_us"]
    cols[1].metric("Step, predicted", f"{p / 1e3:.2f} ms", f"{p / step - 1:+.0%}",
                   delta_color="off", help=how)  # fmt: skip
    return spec, predicted, step, cols


def choose_view(block_id: str, recorded: tuple[str, ...] = (), default: str | None = None):
    """A lab card's view picker: its recordings, then Predicted and Run it here. With no
    default nothing is picked, and no chart is built until the learner picks a view."""
    views = [*recorded, "Predicted", "Run it here"]
    return view_picker(f"labview-{block_id}", views, default, label="View")


def preset_block(block, spec, draw_prediction: Callable[[str], None]) -> None:
    """The view selector; `draw_prediction(key)` draws the "Predicted" view."""
    from ui.lab_panel import run_view

    view = choose_view(block.id)
    if view is None:
        st.caption(f"{spec.describe()}. Pick a view to draw its chart.")
    elif view == "Run it here":
        run_view(spec.to_dict(), f"lab-job-{block.id}", key=f"view-{block.id}")
    else:
        draw_prediction(f"pred-{block.id}")
