"""A run for the class: one lab preset of the lesson, launched by the instructor, watched by all.

The job goes through the app's job queue (`ui.resources.job_queue`); its id is kept on the
session's row, so every learner's screen shows the same job: progress while it runs (the
lab panel's polling fragment), then the measured chart. A "predict, then run" question of
that lab (`lab:` in the lesson) gets the class's predictions beside the measured value.
"""

from __future__ import annotations

import importlib
import logging
import threading

import streamlit as st

from classroom.sessions_report import leaderboard
from classroom.sessions_stats import distribution
from ui.class_measures import Measured, measures_of, pick
from ui.lab_panel import FINISHED, checked_spec, describe, job_view
from ui.resources import job_queue, machine, trace_at
from ui.session_charts import figure
from ui.session_common import live_questions, sessions

log = logging.getLogger(__name__)
_WARM: list[threading.Thread] = []


def warm_torch() -> None:
    """Import torch in a background thread, once per process, before a run is asked for.

    Checking a preset against this machine needs torch (`ui.resources.machine`); importing
    it inside the presenter's script run, while every learner's screen polls once a second,
    held that run for a minute on 2 busy cores. Imports are process-wide, so a thread does it.
    """
    if not _WARM:
        thread = threading.Thread(target=importlib.import_module, args=("torch",), daemon=True)
        _WARM.append(thread)
        thread.start()


def torch_ready() -> bool:
    warm_torch()
    return not _WARM[0].is_alive()


def runnable_labs(lesson) -> dict[str, tuple[object, str | None]]:
    """Lab id → (lab block, why it cannot run here or None), for the lesson's labs of every
    workload: a preset runs for the class when its spec passes this machine's checks (every
    workload runs on CPU ranks; a GPU-only preset says why not)."""
    return {lab.id: (lab, checked_spec(dict(lab.spec))[1]) for lab in lesson.labs()}


def start_class_run(live, lab) -> str | None:
    """Queue the lab's job and put it on every learner's screen; a reason if it cannot run.

    Queued for the instructor (their admission limits, `runner/admission.py`); the queue
    joins an identical run already queued or running.
    """
    from runner.admission import Refused
    from ui.identity import requester

    spec, problem = checked_spec(dict(lab.spec))
    if problem:
        return problem
    who = requester()
    if who is None:
        return "unlock the instructor view first"
    try:
        job = job_queue().submit(spec, machine().torch, spec.device, *who)
    except Refused as err:
        return f"not queued: {err}"
    sessions().set_run(live.id, lab.id, job.id)
    return None


def class_run_view(live, lesson, key: str) -> None:
    """The class run: what it is, its progress then its chart, and the class's predictions."""
    try:
        lab = lesson.lab(live.run_lab)
    except KeyError:
        st.warning(f"The class run's lab {live.run_lab!r} is no longer in this lesson.")
        return
    with st.container(border=True, key=f"{key}-box"):
        st.markdown(f"### :material/science: Class run — {describe(lab.spec)}")
        st.caption(lab.caption)
        # the predictions are drawn above the run but read after it: the job can finish
        # between two reads, and a chart beside a stale "running…" would never be redrawn
        # (the progress fragment that reruns the page on the run's end is not drawn then)
        above = st.container()
        job_view(live.run_job_id, key=key)
        with above:
            predictions(live, lesson, lab)


def predictions(live, lesson, lab) -> None:
    """For each question that predicts this lab: the class's answers beside what the run
    measured (the workload's own values, ui/class_measures.py; a numeric question is marked
    with the value in its `unit`)."""
    asked = [q for q in live_questions(lesson) if q.lab == lab.id]
    if not asked:
        return
    found = measured(live.run_job_id)
    for q in asked:
        answers = sessions().answers(live.id, q.id)
        if not answers:
            continue
        dist = distribution(q, answers)
        numeric = dist["kind"] == "numeric"
        same_unit = pick(found or [], getattr(q, "unit", None)) if numeric else None
        shown = same_unit or (found[0] if found else None)  # else the run's headline
        left, right = st.columns([3, 1], vertical_alignment="center")
        with left:
            st.markdown(f"**The class predicted** — {q.id}")
            mark = same_unit.value if same_unit else None
            st.plotly_chart(
                figure(dist, revealed=q.id in live.revealed, measured=mark),
                key=f"pred-{live.id}-{q.id}-{found is not None}",
                theme=None,
            )
        with right:
            if found is None:
                st.metric("Measured", "running…")
            elif shown is not None:
                st.metric(shown.label, shown.text)
            else:
                st.metric("Measured", "no measurement")  # the run ended without a result
            if numeric and dist["values"]:
                ordered = sorted(dist["values"])
                st.metric("Class median", f"{ordered[len(ordered) // 2]:.3g}")


def measured(job_id: int | None) -> list[Measured] | None:
    """What the class run measured, headline first; None while it runs, [] when it ended
    without a trace (failed, cancelled, no longer known)."""
    job = job_queue().get(job_id) if job_id is not None else None
    if job is not None and job.state not in FINISHED:
        return None
    if job is None or job.state != "done" or not job.trace_path:
        return []
    try:
        return measures_of(trace_at(job.trace_path))
    except (KeyError, TypeError, ValueError, ZeroDivisionError):  # a trace without the values
        log.exception("class run %s: no measured values in its trace", job_id)
        return []


def leaderboard_view(live, lesson) -> None:
    """The leaderboard (points on revealed questions), when the instructor turned it on."""
    members = sessions().members(live.id)
    board = leaderboard(live, live_questions(lesson), members, sessions().answers(live.id))
    with st.container(border=True, key=f"leaderboard-{live.id}"):
        st.markdown("### :material/trophy: Leaderboard")
        if not live.revealed:
            st.caption("Points count once an answer is revealed.")
            return
        st.dataframe(board, hide_index=True, width="stretch", key=f"board-{live.id}")
