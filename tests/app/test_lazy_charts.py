"""Charts are built only when shown: lab blocks, lazy lab tabs, the memory expander."""

from __future__ import annotations

from tests.app.conftest import page, pick_view

LESSON = "interleaved-zero-bubble"
BLOCK = "labview-1f1b-m8"  # 1F1B, p = 2, m = 8: recorded on the H200s


def _charts(at) -> list:
    return at.get("plotly_chart")


def test_a_lesson_draws_no_chart_until_a_view_is_picked(learner):
    at = page(
        "lesson", learner=learner.token, lesson=LESSON, q=BLOCK.removeprefix("labview-")
    ).run()
    assert not at.exception
    assert _charts(at) == []
    assert any("Pick a view to draw its chart" in c.value for c in at.caption)
    pick_view(at, BLOCK, "Predicted").run()
    assert not at.exception
    assert len(_charts(at)) == 1


def test_a_recording_view_shows_numbers_chart_and_a_perfetto_download(learner):
    at = page(
        "lesson", learner=learner.token, lesson=LESSON, q=BLOCK.removeprefix("labview-")
    ).run()
    pick_view(at, BLOCK, "Recorded on 2× NVIDIA H200").run()
    assert not at.exception
    labels = [m.label for m in at.metric]
    assert "Measured bubble" in labels and "Step time" in labels
    assert len(_charts(at)) == 1  # the Gantt chart; memory waits in its closed expander
    assert at.get("download_button")


def test_the_lab_builds_only_the_open_tab():
    at = page("lab").run()
    assert not at.exception
    assert _charts(at) == []  # the Run tab: a form, no chart before a run
    at.session_state["lab_tab"] = "Compare two runs"
    at.run()
    assert not at.exception
    assert len(_charts(at)) == 1
    table = at.table[0].value
    assert "bubble, share of ideal compute" in table.to_string()
    assert "peak activations (busiest rank)" in table.to_string()
