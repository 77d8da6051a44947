"""A class run of any workload, not only the pipeline: a tensor-parallel preset is offered,
runs for real (2 CPU ranks, gloo, the spec's defaults, through the app's own worker), and a
learner's screen draws it with the tensor-parallel view, with the class's prediction beside
what the run measured."""

from __future__ import annotations

import pytest

from classroom.sessions import SessionStore
from runner.queue import JobQueue
from tests.app.conftest import page
from tests.integration.conftest import wait_for

PASSCODE = "s3cret-passcode"
LESSON = "tp-class"
QUESTION = "predict-wait"
LESSON_YAML = """\
id: tp-class
title: Tensor parallelism for the class
summary: A tensor-parallel preset that the class runs together.
concepts: [bubble]
sources: []
body:
  - type: numeric
    id: predict-wait
    lab: tp-defaults
    prompt: "What share of a step will the ranks wait for all-reduces?"
    explanation: "It depends on the width and the tokens per step."
    answer: 0.3
    tolerance: 0.3
  - type: lab
    id: tp-defaults
    caption: Standard tensor parallelism, the spec's defaults, on 2 CPU processes.
    spec: {workload: tensor_parallel}
  - type: lab
    id: tp-on-gpus
    caption: The same on two GPUs.
    spec: {workload: tensor_parallel, device: cuda}
"""


@pytest.fixture(autouse=True)
def class_lesson(tmp_path, monkeypatch):
    folder = tmp_path / "lessons"
    folder.mkdir()
    (folder / "tp-class.yaml").write_text(LESSON_YAML)
    monkeypatch.setenv("PARALAB_LESSONS", str(folder))
    monkeypatch.setenv("PARALAB_INSTRUCTOR_PASSCODE", PASSCODE)
    monkeypatch.setenv("PARALAB_WARM_POOL", "0")  # plain torchrun: no pool outlives the test


@pytest.fixture
def workers():
    """Stops the app's worker thread this test started (it runs the class's job)."""
    yield
    from runner.worker import stop_worker_threads

    stop_worker_threads()


def presenter_run_view():
    """The presenter, unlocked, on its only session's *Run for the class* view, torch loaded."""
    import torch  # noqa: F401  (the run view waits for a background import of it)

    at = page("presenter").run()
    at.text_input(key="instructor_code").input(PASSCODE)
    at.button(key="instructor_unlock").click().run()
    at.segmented_control(key="presenter_view").set_value("Run for the class").run()
    wait_for(lambda: not at.run().exception and at.get("selectbox"), "the run view", 60)
    return at


def test_a_tensor_parallel_preset_is_offered_and_a_gpu_one_says_why_not(store):
    live = SessionStore(store).create(LESSON, "self")
    at = presenter_run_view()
    assert not at.exception
    from ui.resources import catalog
    from ui.session_run import runnable_labs

    labs = runnable_labs(next(les for les in catalog().lessons if les.id == LESSON))
    assert labs["tp-defaults"][1] is None  # runs here, on CPU ranks
    assert labs["tp-on-gpus"][1]  # a reason: no GPU on this machine
    picker = at.selectbox(key=f"run-lab-{live.id}")
    assert picker.options == [
        "tp-defaults",
        "tp-on-gpus — cannot run here: " + labs["tp-on-gpus"][1],
    ]
    assert not at.button(key="live-run").disabled


def test_a_tensor_parallel_class_run_shows_its_own_chart_on_a_learners_screen(
    store, learner, data_dir, workers
):
    sessions = SessionStore(store)
    live = sessions.create(LESSON, "self")
    sessions.join(live.id, learner.id)
    sessions.submit(live.id, learner.id, QUESTION, 0.25, score=1.0, correct=True)
    presenter = presenter_run_view()
    presenter.button(key="live-run").click().run()
    assert not presenter.exception
    job_id = sessions.get(live.id).run_job_id
    jobs = JobQueue(data_dir / "jobs.db", data_dir / "results")
    assert jobs.get(job_id).spec.workload == "tensor_parallel"
    wait_for(lambda: jobs.get(job_id).state in ("done", "failed", "cancelled"), "the run", 300)
    assert jobs.get(job_id).state == "done", jobs.get(job_id).message

    screen = page("session", learner=learner.token, code=live.code).run()
    assert not screen.exception, screen.exception
    key = f"learner-run-{live.id}"
    charts = [c for c in screen.get("plotly_chart") if key in c.proto.id]
    assert any(f"{key}-gantt" in c.proto.id for c in charts)  # show_tp_run's timeline
    labels = [m.label for m in screen.metric]
    assert "Step, measured" in labels and "Max |error| vs 1 process" in labels  # the TP view

    from ui.class_measures import tensor_parallel
    from ui.resources import trace_at

    wait = tensor_parallel(trace_at(jobs.get(job_id).trace_path))[0]  # the summary's share
    assert (wait.label, wait.unit) == ("Waiting for all-reduce", None)
    assert any((m.label, m.value) == (wait.label, wait.text) for m in screen.metric)
    everything = screen.get("plotly_chart")
    (prediction,) = [c for c in everything if f"pred-{live.id}-{QUESTION}-True" in c.proto.id]
    assert f"measured {wait.value:.3g}" in prediction.proto.spec  # marked on the histogram
