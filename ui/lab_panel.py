"""The live-lab panel: submit a real run, watch its progress, show measured vs predicted.

Used by the lesson page (a `lab` block: a preset beside the text) and by the lab page.
Jobs go through `runner.queue` (a persistent queue with one worker thread), so a page
refresh finds a running job again and a finished identical run is served from the cache.
"""

from __future__ import annotations

import logging
from pathlib import Path

import streamlit as st

from runner import gallery, registry, simulate
from runner.spec import SpecError, from_mapping, validate
from ui.charts import show_prediction
from ui.controls import view_picker
from ui.resources import ROOT, TRACE_DIR, job_queue, machine, trace_at

log = logging.getLogger(__name__)
FINISHED = ("done", "failed", "cancelled", "interrupted")
SIGN_IN = (
    "Sign in on the course page to run real jobs here (one run at a time each); the recorded "
    "and predicted views need no sign-in."
)


def describe(spec) -> str:
    """`1F1B · 2 stages · 8 micro-batches` — the words the lessons use — for any workload."""
    if isinstance(spec, dict):
        try:
            spec = from_mapping(spec)
        except SpecError:
            return str(spec.get("workload", "pipeline"))
    return spec.describe()


@st.cache_data(show_spinner=False)
def recordings() -> list[gallery.Recording]:
    return gallery.scan(TRACE_DIR)


def checked_spec(raw: dict):
    """Validate a spec against this machine; (spec, None) or (None, one-line reason)."""
    try:
        return validate(from_mapping(raw), machine()), None
    except SpecError as err:
        return None, str(err)


def submit(raw: dict, slot: str) -> None:
    """Queue a run of `raw` (see `queue_run`), or say in one line why it was not queued."""
    problem = queue_run(raw, slot)
    if problem:
        st.warning(problem, icon=":material/hourglass_top:")


def queue_run(raw: dict, slot: str) -> str | None:
    """Queue a run of `raw` for the signed-in requester and remember its job id under `slot`;
    else why not. The queue joins an identical run already queued or running, and refuses
    what the requester's limits do not allow (runner/admission.py)."""
    from runner.admission import Refused
    from ui.identity import requester

    spec, problem = checked_spec(raw)
    if problem:
        return f"This run cannot start — {problem}"
    who = requester()
    if who is None:
        return SIGN_IN
    try:
        job = job_queue().submit(spec, machine().torch, spec.device, *who)
    except Refused as err:
        return f"Not queued: {err}."
    st.session_state[slot] = job.id
    return None


def _on_run(raw: dict, slot: str) -> None:
    """Run button callback: queued before the rerun, so the rerun draws the button disabled."""
    st.session_state[f"{slot}-notice"] = queue_run(raw, slot)


@st.fragment
def lab_block(block) -> None:
    """A lab preset inside a lesson, drawn by its workload's view (ui/workload_views.py).

    A fragment: switching views or starting a run reruns this card, not the whole lesson.
    No view is chosen at first and only the chosen one is drawn, so a lesson with many labs
    loads as fast as its text (a Gantt chart costs the browser ~0.1–0.3 s to draw).
    """
    from ui.workload_views import view_for

    try:
        spec = from_mapping(dict(block.spec))
    except SpecError as err:  # the loader refuses these; a lesson from elsewhere might not
        st.error(f"Lab `{block.id}` has a bad spec — {err}", icon=":material/error:")
        return
    with st.container(border=True, key=f"lab-{block.id}"):
        st.markdown(f"**:material/science: Live lab — {spec.describe()}**")
        if block.caption:
            st.caption(block.caption)
        try:
            view_for(spec.workload).lab_block(block, spec)
        except Exception as err:  # a card, never a traceback in the middle of a lesson
            log.exception("lab block %s", block.id)
            st.error(
                f"Lab `{block.id}` could not be shown — {type(err).__name__}: {err}",
                icon=":material/error:",
            )


def pipeline_lab_block(block, spec) -> None:
    """Recorded, predicted or run-here views of a pipeline preset."""
    from ui.preset_views import choose_view

    m = spec.microbatches
    rec = recording_for(spec.schedule, spec.pp, m, block.trace)
    view = choose_view(block.id, (f"Recorded on {rec.hardware}",) if rec else ())
    if view is None:  # no chart is built until a view is picked
        st.caption(_summary(rec))
    elif view == "Run it here":
        run_view(spec.to_dict(), f"lab-job-{block.id}", key=f"view-{block.id}")
    elif view == "Predicted":
        predicted_view(spec.schedule, spec.pp, m, key=f"pred-{block.id}")
    elif rec is not None:
        show_recording(rec, key=f"rec-{block.id}")


def _summary(rec) -> str:
    """The line shown before a view is picked (no chart is built until one is)."""
    hint = "Pick a view to draw its chart: "
    if rec is None or rec.bubble_fraction is None:
        return hint + "the simulator's prediction, or a run on this server."
    return (
        f"Recorded on {rec.hardware}: bubble **{rec.bubble_fraction:.1%}** of rank-time. "
        + hint
        + "the recording, the simulator's prediction, or a run on this server."
    )


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
    spec = from_mapping(dict(block.spec))
    rec = None
    if spec.workload == "pipeline":
        rec = recording_for(spec.schedule, spec.pp, spec.microbatches, block.trace)
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
    from ui.identity import requester

    who = requester()
    if who is None:
        st.info(SIGN_IN, icon=":material/person:")
        return
    mine = job_queue().active_for(who[0])
    st.button("Run this job", key=f"{key}-run", type="primary", disabled=mine is not None,
              on_click=_on_run, args=(spec, slot))  # fmt: skip
    notice = st.session_state.pop(f"{slot}-notice", None)
    if notice:
        st.warning(notice, icon=":material/hourglass_top:")
    if mine is not None and st.session_state.get(slot) != mine.id:
        st.caption(f"Your run {describe(mine.spec)} is {_where(mine)}; Run is back when it ends.")
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
    show_result(trace_at(rec.path), key=key)


def show_result(trace: dict, key: str) -> None:
    """A measured trace, drawn by its workload's view."""
    from ui.workload_views import view_for

    view_for(trace.get("spec", {}).get("workload", "pipeline")).show(trace, key)


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


@st.fragment(run_every=0.5)  # twice a second: the chart follows the run's end quickly
def _progress_fragment(job_id: int, key: str) -> None:
    job = job_queue().get(job_id)
    if job.state in FINISHED:
        st.rerun(scope="app")
    from ui.identity import requester

    label = {"queued": f"Waiting for the machine, {_where(job)}", "running": "Running"}
    phase = f" — {job.phase}" if job.phase and job.state == "running" else ""
    text = f"{label.get(job.state, job.state)}{phase}"
    st.progress(min(max(job.progress or 0.0, 0.0), 1.0), text=text)
    _runs_on(job)
    who = requester()
    if who is not None and job.requested_by == who[0] and st.button("Cancel", key=f"{key}-cancel"):
        job_queue().cancel(job_id, requested_by=who[0])


def _where(job) -> str:
    """`2nd in the queue` / `running`: where the job stands."""
    if job.state == "running":
        return "running"
    position = job_queue().position(job.id)
    if position is None:
        return job.state
    return "next in the queue" if position == 1 else f"number {position} in the queue"


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
    _runs_on(job)
    show_result(trace_at(job.trace_path), key=key)


def _runs_on(job) -> None:
    """Which launcher runs the job and where (runner/launchers), once a worker started it."""
    if getattr(job, "location", ""):
        st.caption(f"Launcher: {job.launcher} · runs on {job.location}")


def run_form(info) -> None:
    """Choose a workload, then its fields (from the spec class), then queue the run."""
    from ui.spec_form import spec_form
    from ui.workload_views import view_for

    names = registry.names()
    titles = {w.name: w.title for w in registry.all()}
    name = view_picker(
        "lab_workload", names, default=names[0], label="Workload", show_label=True,
        names=titles,
    ) or names[0]  # fmt: skip
    st.caption(registry.get(name).summary)
    raw, go = spec_form(registry.get(name), info, view_for(name).main_fields)
    warning = view_for(name).warning(raw)
    if warning:
        st.warning(warning, icon=":material/bubble_chart:")
    if go:
        submit(raw, "lab-job-page")


def runs_table(jobs: list) -> None:
    """Recent runs on this server, newest first: a Markdown table, not st.dataframe.

    The page redraws while a run's progress is shown; a data grid (canvas, Arrow, pandas)
    cost the server ~0.9 s and the browser ~1 s of CPU per run on 2 cores, taken from the
    run's own ranks (bench/bench_pages.py --click). Twenty short rows need none of it, and
    a table is read by screen readers."""
    if not jobs:
        st.caption("No runs yet on this server. Choose a schedule above and press Run.")
        return
    head = "| run | what | on | state | queued |\n" + "|---" * 5 + "|"  # five: fits a phone
    rows = []
    for j in jobs:
        state = j.state if j.message in ("", "finished") else f"{j.state}: {j.message}"
        queued = str(j.created_at)[5:16].replace("T", " ")  # MM-DD hh:mm, UTC
        cells = (j.id, describe(j.spec), j.device, state, queued)
        rows.append("| " + " | ".join(_cell(v) for v in cells) + " |")
    st.markdown("##### Recent runs\n\n" + "\n".join([head, *rows]))


def _cell(value) -> str:
    """Table-cell text: no Markdown or HTML from a job's message, no line breaks."""
    text = " ".join(str(value).split())
    for ch in "\\`*_{}[]()<>#+-!|~$":
        text = text.replace(ch, "\\" + ch)
    return text
