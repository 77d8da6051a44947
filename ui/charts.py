"""Show one trace: where it ran, the bubble in both conventions, Gantt and memory charts.

The figures come from `runner.gantt` (pure); this module only places them.
"""

from __future__ import annotations

import streamlit as st

from runner import gantt, simulate

CONVENTION = (
    "**Bubble** here is idle time ÷ (ranks × step time) — the convention of the lessons, "
    "(p−1)/(m+p−1) for GPipe and 1F1B with equal stages. The *predicted* chart lays out the "
    "same schedule with the mean F/B/W durations measured in this run."
)


def provenance(trace: dict) -> str:
    """`Recorded on 2× NVIDIA H200 (nccl) · torch 2.11.0 · 2026-11-21` and the like."""
    meta = trace.get("meta", {})
    where = (
        f"{meta.get('world_size')}× {meta.get('gpu_name')}"
        if meta.get("device") == "cuda"
        else f"{meta.get('world_size')} CPU processes"
    )
    when = str(meta.get("recorded_at", ""))[:10]
    return f"{where} ({meta.get('backend')}) · torch {meta.get('torch')} · {when}"


def prediction(trace: dict) -> dict | None:
    spec = trace["spec"]
    try:
        costs = simulate.Costs.from_trace(trace)
        return simulate.predict(spec["schedule"], spec["stages"], spec["microbatches"], costs)
    except (ValueError, KeyError, simulate.DeadlockError):
        return None


def show_trace(trace: dict, key: str) -> None:
    """Metrics, then measured-over-predicted Gantt, then memory per rank."""
    meta = trace.get("meta", {})
    badge = (
        ":material/movie: Recorded"
        if meta.get("device") == "cuda"
        else ":material/memory: Measured"
    )
    st.caption(f"{badge} on {provenance(trace)}")
    predicted = prediction(trace)
    it = gantt.median_iteration(trace)
    measured = simulate.bubble(trace, iteration=it)
    cols = st.columns(4)
    cols[0].metric("Measured bubble", f"{measured['idle_over_total']:.1%}")
    if predicted is not None:
        cols[1].metric("Predicted bubble", f"{predicted['summary']['bubble_fraction']:.1%}")
    if measured.get("textbook") is not None:
        cols[2].metric("Textbook (p−1)/(m+p−1)", f"{measured['textbook']:.1%}")
    step_ms = simulate.makespan([e for e in trace["events"] if e.get("iteration", 0) == it]) / 1e3
    cols[3].metric("Step time", f"{step_ms:.1f} ms")
    st.caption(CONVENTION)
    st.plotly_chart(
        gantt.figure(trace, predicted, iteration=it), key=f"{key}-gantt", width="stretch"
    )
    if trace.get("memory"):
        st.plotly_chart(gantt.memory_figure(trace), key=f"{key}-mem", width="stretch")


def show_prediction(predicted: dict, key: str) -> None:
    """A simulated schedule alone: its bubble in both conventions and its Gantt chart."""
    b = predicted["summary"]["bubble"]
    cols = st.columns(3)
    cols[0].metric("Predicted bubble", f"{b['idle_over_total']:.1%}", help="idle ÷ (ranks × step)")
    cols[1].metric("Of ideal time", f"{b['idle_over_ideal']:.1%}", help="idle ÷ busy compute")
    if b.get("textbook") is not None:
        cols[2].metric("Textbook (p−1)/(m+p−1)", f"{b['textbook']:.1%}")
    st.caption(
        "Predicted with unit costs (F = 1, B = 2, I = W = 1, transfers free): the schedule's "
        "shape, before any run. Time is in units of one forward pass."
    )
    st.plotly_chart(gantt.figure(predicted), key=f"{key}-gantt", width="stretch")
