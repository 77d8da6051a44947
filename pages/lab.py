"""Live lab: run any workload on this machine, compare runs, browse recordings, simulate."""

import streamlit as st

from ui.identity import current_learner, sidebar_badge
from ui.lab_panel import job_view, run_form, runs_table
from ui.lab_views import compare_view, recordings_view, simulator_view
from ui.prefetch import plotly_when_idle
from ui.resources import job_queue, machine

sidebar_badge(current_learner())
st.title("Live lab")
info = machine()
where = f"{info.gpus} GPUs, NCCL" if info.gpus >= 2 else "CPU processes talking over gloo"
st.markdown(
    f"Each run is a real multi-process `torch.distributed` job on this server ({where}, "
    f"torch {info.torch}; CPU ranks start from a process with torch already imported). "
    "Every rank times its computation and its communication; the chart shows what each rank "
    "did, above what the textbook predicts from the same measured costs."
)

# Lazy tabs: only the open tab's content runs, so its charts are the only ones built.
run_tab, compare_tab, rec_tab, sim_tab, mem_tab = st.tabs(
    ["Run", "Compare two runs", "Recordings", "Simulator", "Memory planner"],
    on_change="rerun",
    key="lab_tab",
)
if run_tab.open:
    plotly_when_idle()  # a run's chart appears at its end: the chart library is loaded by then
    with run_tab:
        run_form(info)
        if "lab-job-page" in st.session_state:
            job_view(st.session_state["lab-job-page"], key="lab-page")
        runs_table(job_queue().list(limit=20))
if compare_tab.open:
    with compare_tab:
        compare_view()
if rec_tab.open:
    with rec_tab:
        recordings_view()
if sim_tab.open:
    with sim_tab:
        simulator_view()
if mem_tab.open:
    with mem_tab:
        from ui.memory_panel import planner

        planner()
