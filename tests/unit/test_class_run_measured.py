"""A class run whose trace lacks a workload's values shows "no measurement", not an error
on every learner's screen (ui/session_run.measured)."""

from types import SimpleNamespace

import ui.session_run as session_run


def test_a_trace_without_the_values_yields_no_measurement(monkeypatch):
    job = SimpleNamespace(state="done", trace_path="/nonexistent/trace.json")
    monkeypatch.setattr(session_run, "job_queue", lambda: SimpleNamespace(get=lambda i: job))
    broken = {"spec": {"workload": "expert_parallel"}, "summary": {"step_wall_us": 1.0}}
    monkeypatch.setattr(session_run, "trace_at", lambda path: broken)
    assert session_run.measured(7) == []


def test_a_running_job_has_no_values_yet_and_a_failed_one_none(monkeypatch):
    job = SimpleNamespace(state="running", trace_path=None)
    monkeypatch.setattr(session_run, "job_queue", lambda: SimpleNamespace(get=lambda i: job))
    assert session_run.measured(7) is None
    job.state = "failed"
    assert session_run.measured(7) == []
