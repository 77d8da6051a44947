"""Live lab: run any schedule on this machine, compare two runs, browse GPU recordings."""

import streamlit as st

from runner import gantt
from runner.trace import load
from ui.identity import current_learner, sidebar_badge
from ui.lab_panel import describe, job_view, recordings, run_form, runs_table, show_recording
from ui.resources import job_queue, machine

sidebar_badge(current_learner())
st.title("Live lab")
info = machine()
where = f"{info['gpus']} GPU(s), NCCL" if info["gpus"] >= 2 else "CPU processes talking over gloo"
st.markdown(
    f"Each run is a real `torchrun` job on this server ({where}, torch {info['torch']}). "
    "Ranks time every forward and backward; the chart shows what each rank did, above the "
    "schedule the simulator predicts from the same measured costs."
)

run_tab, compare_tab, gallery_tab = st.tabs(["Run", "Compare two runs", "GPU recordings"])
with run_tab:
    run_form(info)
    if "lab-job-page" in st.session_state:
        job_view(st.session_state["lab-job-page"], key="lab-page")
    runs_table(job_queue().list(limit=20))

with compare_tab:
    done = [j for j in job_queue().list(limit=50) if j.state == "done"]
    options = {f"run #{j.id}: {describe(j.spec)}": j for j in done}
    options |= {f"recorded: {r.label}": r for r in recordings()}
    if len(options) < 2:
        st.info("Finish two runs (or use the GPU recordings) to compare them side by side.")
    else:
        names = list(options)
        a = st.selectbox("Top", names, index=0, key="cmp_a")
        b = st.selectbox("Bottom", names, index=1, key="cmp_b")

        def _trace(item):
            return load(item.path if hasattr(item, "path") else item.trace_path)

        st.plotly_chart(
            gantt.compare_figure(_trace(options[a]), _trace(options[b])),
            key="cmp_chart",
            width="stretch",
        )

with gallery_tab:
    recs = [r for r in recordings() if r.device == "cuda"]
    if not recs:
        st.info("No GPU recordings are installed in content/traces/.")
    else:
        st.caption("Recorded on GPUs with the same workload; shown here, not run now.")
        pick = st.selectbox("Recording", recs, format_func=lambda r: r.label, key="gallery_pick")
        show_recording(pick, key="gallery")
