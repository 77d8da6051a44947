"""The lab page's other tabs: compare two runs, browse recordings, and the simulator."""

from __future__ import annotations

import streamlit as st

from runner import registry, schedules
from ui.charts import show_compare, show_prediction
from ui.lab_panel import describe, recordings, show_recording
from ui.resources import job_queue, trace_at


def _trace_of(item) -> dict:
    """A finished job's trace or a recording's."""
    return trace_at(item.path if hasattr(item, "path") else item.trace_path)


def compare_view() -> None:
    """Two traces one above the other, on their own time axes (e.g. GPipe m=1 vs m=8)."""
    done = [j for j in job_queue().list(limit=50) if j.state == "done" and j.trace_path]
    options = {f"run #{j.id}: {describe(j.spec)}": j for j in done}
    options |= {f"recorded: {r.label}": r for r in recordings()}
    if len(options) < 2:
        st.info("Finish two runs (or use the recordings) to compare them side by side.")
        return
    names = list(options)
    gpipe = [n for n in names if n.startswith("recorded: GPipe · p=2 · m=1 ")]
    gpipe8 = [n for n in names if n.startswith("recorded: GPipe · p=2 · m=8 ")]
    a = st.selectbox("Top", names, index=names.index(gpipe[0]) if gpipe else 0, key="cmp_a")
    b = st.selectbox("Bottom", names, index=names.index(gpipe8[0]) if gpipe8 else 1, key="cmp_b")
    show_compare(_trace_of(options[a]), _trace_of(options[b]), key="cmp")


def recordings_view() -> None:
    """Every committed recording: GPUs first, then the CPU reference runs."""
    recs = recordings()
    if not recs:
        st.info("No recordings are installed in content/traces/.")
        return
    st.caption(
        "Real runs recorded with the same workload and committed with their metadata; "
        "shown here, not run now."
    )
    titles = {w.name: w.title for w in registry.all()}
    workloads = list(dict.fromkeys(r.workload for r in recs))
    workload = st.segmented_control(
        "Workload", workloads, default=workloads[0], format_func=titles.get, key="rec_workload"
    ) or workloads[0]  # fmt: skip
    recs = [r for r in recs if r.workload == workload]
    kinds = sorted({r.hardware for r in recs}, key=lambda h: "CPU" in h)
    hardware = st.segmented_control("Hardware", kinds, default=kinds[0], key="rec_hw")
    chosen = [r for r in recs if r.hardware == hardware] or recs
    pick = st.selectbox("Recording", chosen, format_func=lambda r: r.label, key="rec_pick")
    show_recording(pick, key="gallery")


def simulator_view() -> None:
    """Any schedule at any depth (up to 8 stages, 64 micro-batches), predicted at unit cost."""
    c1, c2, c3 = st.columns(3)
    names = [n for n in schedules.NAMES]
    schedule = c1.selectbox("Schedule", names, index=names.index("1F1B"), key="sim_schedule")
    stages = c2.slider("Stages (ranks) p", 2, 8, 4, key="sim_stages")
    m = c3.slider("Micro-batches m", 1, 64, 8, key="sim_m", disabled=schedule == "naive")
    m = 1 if schedule == "naive" else m
    reason = schedules.check(schedule, stages, m) if schedule != "naive" else None
    if reason:
        st.warning(f"torch would refuse this: {reason}")
        return
    from runner import simulate

    try:
        predicted = simulate.predict(schedule, stages, m)
    except (ValueError, simulate.DeadlockError) as err:
        st.warning(f"No prediction: {err}")
        return
    show_prediction(predicted, key="sim")
