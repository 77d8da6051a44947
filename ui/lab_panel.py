"""The live-lab panel: submit a real run, watch its progress, show measured vs predicted.

Used by the lesson page (a `lab` block: a preset beside the text) and by the lab page.
Jobs go through `runner.queue` (a persistent queue with one worker thread), so a page
refresh finds a running job again and a finished identical run is served from the cache.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from runner import gallery, simulate
from runner.spec import SpecError, from_mapping, validate
from ui.charts import show_prediction, show_trace
from ui.resources import ROOT, TRACE_DIR, job_queue, machine, trace_at

FINISHED = ("done", "failed", "cancelled", "interrupted")


def describe(spec) -> str:
    """`1F1B · 2 stages · 8 micro-batches` — the words the lessons use."""
    spec = spec.to_dict() if hasattr(spec, "to_dict") else spec
    m = spec.get("microbatches", 1)
    return (
        f"{spec.get('schedule')} · {spec.get('stages')} stages · "
        f"{m} micro-batch{'es' if m != 1 else ''}"
    )


@st.cache_data(show_spinner=False)
def recordings() -> list[gallery.Recording]:
    return gallery.scan(TRACE_DIR)


def checked_spec(raw: dict):
    """Validate a spec against this machine; (spec, None) or (None, one-line reason)."""
    info = machine()
    from runner import schedules

    try:
        spec = validate(
            from_mapping(raw),
            schedules=info["schedules"],
            gpus=info["gpus"],
            check=schedules.check,
            torch_version=info["torch"],
        )
    except SpecError as err:
        return None, str(err)
    return spec, None


def submit(raw: dict, slot: str) -> None:
    """Queue a run of `raw` and remember its job id under `slot` in the session."""
    spec, problem = checked_spec(raw)
    if problem:
        st.error(f"This run cannot start — {problem}")
        return
    job = job_queue().submit(spec, machine()["torch"], spec.device)
    st.session_state[slot] = job.id


@st.fragment
def lab_block(block) -> None:
    """A lab preset inside a lesson: a recording, the prediction, or a run made here.

    A fragment: switching views or starting a run reruns this card, not the whole lesson.
    Only the chosen view is drawn, so a lesson with many labs stays quick.
    """
    spec = dict(block.spec)
    if spec.get("workload") == "tensor_parallel":
        from ui.tp_panel import tp_lab_block

        tp_lab_block(block)
        return
    m = spec.get("microbatches", 1)
    with st.container(border=True, key=f"lab-{block.id}"):
        st.markdown(f"**:material/science: Live lab — {describe(spec)}**")
        if block.caption:
            st.caption(block.caption)
        rec = recording_for(spec["schedule"], spec["stages"], m, block.trace)
        views = ([f"Recorded on {rec.hardware}"] if rec else []) + ["Predicted", "Run it here"]
        view = st.segmented_control(
            "View", views, default=views[0], key=f"labview-{block.id}",
            label_visibility="collapsed",
        )  # fmt: skip
        if view == "Run it here":
            run_view(spec, f"lab-job-{block.id}", key=f"view-{block.id}")
        elif view == "Predicted":
            predicted_view(spec["schedule"], spec["stages"], m, key=f"pred-{block.id}")
        elif rec is not None:
            show_recording(rec, key=f"rec-{block.id}")


def recording_for(schedule: str, stages: int, m: int, path: str | None):
    """The block's own trace file, else the GPU recording of this spec, else the CPU one."""
    recs = recordings()
    if path:
        return next((r for r in recs if r.path.resolve() == (ROOT / path).resolve()), None)
    return gallery.find(recs, schedule, stages, m, "cuda") or gallery.find(
        recs, schedule, stages, m, "cpu"
    )


def lab_comparison(block) -> None:
    """After a "predict, then run" answer: what the lab measured, and where to look."""
    spec = dict(block.spec)
    rec = recording_for(spec["schedule"], spec["stages"], spec.get("microbatches", 1), block.trace)
    measured = ""
    if rec is not None and rec.bubble_fraction is not None:
        measured = (
            f" Measured on {rec.hardware}: bubble **{rec.bubble_fraction:.1%}** of rank-time."
        )
    st.info(
        f"Now compare with the lab **{describe(spec)}** in this lesson "
        f"(recorded, predicted, or run it yourself).{measured}",
        icon=":material/science:",
    )


def run_view(spec: dict, slot: str, key: str) -> None:
    """Run button (or why this spec cannot run here), then the run's progress and charts."""
    _, problem = checked_spec(spec)
    if problem:
        st.info(f"This preset cannot run on this server ({problem}). See the other views.")
        return
    if st.button("Run this job", key=f"{key}-run", type="primary"):
        submit(spec, slot)
    if slot in st.session_state:
        job_view(st.session_state[slot], key=key)
    else:
        st.caption("Runs a real multi-process PyTorch job on this server, in the background.")


def predicted_view(schedule: str, stages: int, m: int, key: str) -> None:
    """The simulator's schedule with unit costs (F = 1, B = 2), no run needed."""
    try:
        predicted = simulate.predict(schedule, stages, m)
    except (ValueError, simulate.DeadlockError) as err:
        st.warning(f"No prediction for this preset: {err}")
        return
    show_prediction(predicted, key=key)


def show_recording(rec: gallery.Recording, key: str) -> None:
    show_trace(trace_at(rec.path), key=key)


def job_view(job_id: int, key: str) -> None:
    """Progress while the job runs (a fragment that polls once a second), then the charts."""
    job = job_queue().get(job_id)
    if job is None:
        st.warning("That run is no longer known to this server.")
        return
    if job.state in FINISHED:
        _finished(job, key)
        return
    _progress_fragment(job_id, key)


@st.fragment(run_every=1.0)
def _progress_fragment(job_id: int, key: str) -> None:
    job = job_queue().get(job_id)
    if job.state in FINISHED:
        st.rerun(scope="app")
    label = {"queued": "Waiting for the machine…", "running": "Running"}.get(job.state, job.state)
    phase = f" — {job.phase}" if job.phase else ""
    st.progress(min(max(job.progress or 0.0, 0.0), 1.0), text=f"{label}{phase}")
    if st.button("Cancel", key=f"{key}-cancel"):
        job_queue().cancel(job_id)


def _finished(job, key: str) -> None:
    if job.state != "done":
        st.error(f"The run {job.state}: {job.message or 'no message'}", icon=":material/error:")
        log = Path(job.log_path) if job.log_path else None
        if log and log.exists():
            with st.expander("Job log"):
                st.code(log.read_text(errors="replace")[-6000:], language="text")
        return
    if job.message:
        st.caption(job.message)
    show_trace(trace_at(job.trace_path), key=key)


def run_form(info: dict) -> None:
    """Choose schedule, depth, micro-batches (and sizes), then queue the run."""
    from runner import schedules
    from runner.spec import JobSpec

    defaults = JobSpec()
    max_ranks = info["gpus"] if info["gpus"] >= 2 else 4
    with st.form("lab_form", border=True):
        c1, c2, c3 = st.columns(3)
        names = info["schedules"]
        default = names.index("1F1B") if "1F1B" in names else 0
        schedule = c1.selectbox("Schedule", names, index=default, key="lab_schedule")
        stages = c2.number_input("Stages (ranks) p", 2, max_ranks, 2, key="lab_stages")
        batch = defaults.batch
        divisors = [d for d in range(1, batch + 1) if batch % d == 0]
        m = c3.select_slider("Micro-batches m", divisors, value=4, key="lab_microbatches")
        with st.expander("Model size and measurement"):
            a, b, c, d = st.columns(4)
            hidden = a.number_input("Hidden size", 64, 4096, defaults.hidden, 64, key="lab_hidden")
            layers = b.number_input(
                "Layers per stage", 1, 16, defaults.layers_per_stage, key="lab_layers"
            )
            iters = c.number_input("Measured steps", 1, 20, defaults.iterations, key="lab_iters")
            device = d.selectbox("Device", ["auto", "cpu", "cuda"], key="lab_device")
        go = st.form_submit_button("Run", type="primary")
    if schedule == "naive":
        m = 1
    warning = schedules.bubble_warning(schedule, int(stages), int(m))
    if warning:
        st.warning(warning, icon=":material/bubble_chart:")
    if go:
        raw = {
            "schedule": schedule,
            "stages": int(stages),
            "microbatches": int(m),
            "hidden": int(hidden),
            "layers_per_stage": int(layers),
            "iterations": int(iters),
            "device": device,
        }
        submit(raw, "lab-job-page")


def runs_table(jobs: list) -> None:
    """Recent runs on this server, newest first."""
    if not jobs:
        st.caption("No runs yet on this server. Choose a schedule above and press Run.")
        return
    st.markdown("##### Recent runs")
    st.dataframe(
        [
            {
                "run": j.id,
                "what": describe(j.spec),
                "device": j.device,
                "state": j.state,
                "message": j.message or "",
                "queued at": str(j.created_at)[:19],
            }
            for j in jobs
        ],
        hide_index=True,
        width="stretch",
        key="runs_table",
    )
