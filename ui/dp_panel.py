"""Data-parallel and ZeRO/FSDP runs in the lab: timeline over prediction, memory per rank.

A lesson block `{type: lab, spec: {workload: fsdp, stage: zero3}}` offers the prediction
(unit costs, no run needed) and a live run; a finished run shows step time measured vs
predicted, the communication the compute lane waited for, and (FSDP) the bytes each rank
holds beside the estimate for fp32 Adam.
"""

from __future__ import annotations

import streamlit as st

from runner import gantt, memory_figures, registry
from ui.charts import provenance


def _predicted(trace: dict) -> dict:
    spec = registry.spec_from_trace(trace["spec"])
    return registry.get(spec.workload).predict(spec, trace)


def _step_metrics(trace: dict, predicted: dict, cols) -> None:
    s, p = trace["summary"], predicted["summary"]
    step = s.get("step_wall_us") or s["makespan_us"]
    cols[0].metric("Step, measured", f"{step / 1e3:.1f} ms")
    cols[1].metric(
        "Step, predicted",
        f"{p['step_us'] / 1e3:.1f} ms",
        f"{p['step_us'] / step - 1:+.0%}",
        delta_color="off",
        help="measured F/B/optimizer times per block, and each transfer's "
        "α + β·bytes fitted to this run's own transfers",
    )
    exposed = s.get("comm_exposed_us", 0.0)
    cols[2].metric(
        "Communication waited for",
        f"{exposed / 1e3:.1f} ms ({exposed / step:.0%})",
        f"predicted {p['comm_exposed_us'] / 1e3:.1f} ms",
        delta_color="off",
        help="per step and rank: time the compute lane waited for gradients to be averaged "
        "(data parallel: from the last gradient to the end of the last all-reduce)",
    )


def show_dp_run(trace: dict, key: str) -> None:
    """A measured data-parallel run: metrics, then measured over predicted timeline."""
    predicted = _predicted(trace)
    st.caption(f":material/memory: Measured on {provenance(trace)}")
    cols = st.columns(4)
    _step_metrics(trace, predicted, cols)
    buckets = {e["bucket"] for e in trace["events"] if e["kind"] == "ALLREDUCE" and e["rank"] == 0}
    cols[3].metric("Transfers per step", str(len(buckets)))
    st.plotly_chart(gantt.figure(trace, predicted), key=f"{key}-gantt", width="stretch")
    st.caption(
        "Each bar on a *communication* row is one all-reduce (b = bucket): DDP starts a "
        "bucket's all-reduce as soon as its last gradient exists, so it runs under the "
        "backward of earlier layers; only what is left after the last gradient is exposed."
    )


def show_fsdp_run(trace: dict, key: str) -> None:
    """A measured FSDP / ZeRO run: metrics, timeline, then memory per rank vs estimate."""
    predicted = _predicted(trace)
    st.caption(f":material/memory: Measured on {provenance(trace)}")
    cols = st.columns(4)
    _step_metrics(trace, predicted, cols)
    measured = {m["kind"]: m["peak_bytes"] for m in trace["memory"] if m["rank"] == 0}
    estimate = {m["kind"]: m["peak_bytes"] for m in predicted["memory"] if m["rank"] == 0}
    parts = ("parameters", "gradients", "optimizer")
    m_sum, e_sum = sum(measured.get(k, 0) for k in parts), sum(estimate.get(k, 0) for k in parts)
    cols[3].metric(
        "Model states, rank 0",
        f"{m_sum / 2**20:.1f} MiB",
        f"estimate {e_sum / 2**20:.1f} MiB",
        delta_color="off",
        help="weights + gradients + Adam states: 4 + 4 + 8 bytes per parameter, each divided "
        "by the shard degree where the stage shards it",
    )
    st.plotly_chart(gantt.figure(trace, predicted), key=f"{key}-gantt", width="stretch")
    st.plotly_chart(
        memory_figures.parts_figure(trace, predicted), key=f"{key}-mem", width="stretch"
    )
    st.caption(
        "Measured: bytes of the distinct tensors each rank holds (local shards for FSDP), "
        "activations as saved for backward. *Gathered weights (peak)*: whole parameters held "
        "at once — one or two blocks for ZeRO-3, the whole model for ZeRO-2."
    )


def lab_block(block, spec) -> None:
    """Predicted (unit costs) or run this preset here, for data_parallel and fsdp."""
    from ui.lab_panel import run_view
    from ui.preset_views import choose_view

    view = choose_view(block.id)
    if view is None:  # no chart is built until a view is picked (page speed)
        st.caption(f"{spec.describe()}. Pick a view to draw its chart.")
        return
    if view == "Run it here":
        run_view(spec.to_dict(), f"lab-job-{block.id}", key=f"view-{block.id}")
        return
    predicted = registry.get(spec.workload).predict(spec)
    st.caption(
        "Predicted in units (forward of one block = 1, backward = 2, one block's collective "
        "= 0.5): the shape of the step before any run."
    )
    st.plotly_chart(gantt.figure(predicted), key=f"pred-{block.id}", width="stretch")
