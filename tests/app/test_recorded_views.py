"""Every committed recording of the wave-2 workloads is drawn by its workload's view."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

TRACES = sorted((Path(__file__).resolve().parents[2] / "content/traces/cpu16-wave2").glob("*.json"))


def _draw(path: str) -> None:
    from ui.lab_panel import show_result
    from ui.resources import trace_at

    show_result(trace_at(path), key="rec")


@pytest.mark.parametrize("path", TRACES, ids=[p.stem for p in TRACES])
def test_a_recording_draws_without_error(path):
    at = AppTest.from_function(_draw, args=(str(path),))
    at.run(timeout=60)
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
