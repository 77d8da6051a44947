"""Lab blocks on a page: every registered workload draws its preset; a spec that slipped past
validation, or a view that fails, becomes an error card, never a traceback."""

from __future__ import annotations

import dataclasses

import pytest
from streamlit.testing.v1 import AppTest

from runner import registry


def _block_app(spec: dict, block_id: str) -> None:
    from types import SimpleNamespace

    from ui import lab_panel

    block = SimpleNamespace(id=block_id, caption="a preset", spec=spec, trace=None)
    lab_panel.lab_block(block)


@pytest.mark.parametrize("workload", registry.names())
def test_every_workload_draws_its_lab_block(workload):
    at = AppTest.from_function(_block_app, args=({"workload": workload}, "b1"))
    at.run(timeout=60)
    assert not at.exception
    assert not at.error, [e.value for e in at.error]
    assert any("Live lab" in m.value for m in at.markdown)


def test_a_bad_spec_from_outside_the_loader_is_an_error_card():
    at = AppTest.from_function(_block_app, args=({"schedul": "1F1B"}, "bad"))
    at.run(timeout=60)
    assert not at.exception
    assert "bad spec" in at.error[0].value and "schedul" in at.error[0].value


def test_a_view_that_fails_is_an_error_card(monkeypatch):
    from ui import workload_views

    def broken(block, typed):
        raise RuntimeError("the recording folder is unreadable")

    real = workload_views.view_for
    monkeypatch.setattr(
        workload_views, "view_for", lambda name: dataclasses.replace(real(name), lab_block=broken)
    )
    at = AppTest.from_function(_block_app, args=({"workload": "pipeline"}, "b2"))
    at.run(timeout=60)
    assert not at.exception
    assert "could not be shown" in at.error[0].value
    assert "unreadable" in at.error[0].value
