"""The expert-parallel and hybrid lab views render a measured run and a preset's prediction.

Fixtures: real runs of bench/bench_moe.py on 16 CPU cores (gloo, torch 2.11): an MoE with
skew 0.5 and capacity factor 1, and both hybrid layouts.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.app.conftest import pick_view

FIXTURES = Path(__file__).parent / "fixtures"

SHOW = """
import json, sys
sys.path.insert(0, {root!r})
from ui.workload_views import view_for
trace = json.load(open({path!r}))
view_for(trace["spec"]["workload"]).show(trace, "t")
"""

PRESET = """
import sys, types
sys.path.insert(0, {root!r})
from runner import registry
from ui.workload_views import view_for
spec = registry.spec_from_mapping({spec!r})
view_for(spec.workload).lab_block(types.SimpleNamespace(id="b"), spec)
"""

ROOT = str(Path(__file__).resolve().parents[2])


def _charts(at) -> list:
    return at.get("plotly_chart")


def test_a_moe_run_shows_its_step_prediction_tokens_and_parameters():
    at = AppTest.from_string(
        SHOW.format(root=ROOT, path=str(FIXTURES / "expert_parallel-skew.json"))
    )
    at.run(timeout=30)
    assert not at.exception
    labels = {m.label: m.value for m in at.metric}
    assert {"Step, measured", "Step, predicted", "In all-to-all", "Tokens dropped"} <= set(labels)
    assert labels["Tokens dropped"] == "13.7%"
    assert len(_charts(at)) == 3  # Gantt, tokens per expert, active vs total parameters
    assert any("Mixtral 8x7B" in c.value for c in at.caption)


@pytest.mark.parametrize("name", ["hybrid-pp.json", "hybrid-tp.json"])
def test_a_hybrid_run_shows_both_axes_and_says_the_links_are_one(name):
    at = AppTest.from_string(SHOW.format(root=ROOT, path=str(FIXTURES / name)))
    at.run(timeout=30)
    assert not at.exception
    labels = [m.label for m in at.metric]
    assert "In dp all-reduce" in labels and "Step, predicted" in labels
    assert len(_charts(at)) == 1
    table = at.dataframe[0].value
    assert list(table["mesh axis"])[1] == "data (dp)"
    assert any("On one host every group uses the same link" in c.value for c in at.caption)


@pytest.mark.parametrize(
    "spec",
    [{"workload": "expert_parallel", "skew": 0.5}, {"workload": "hybrid", "pp": 1, "tp": 2}],
)
def test_a_preset_draws_nothing_until_predicted_is_picked(spec):
    at = AppTest.from_string(PRESET.format(root=ROOT, spec=spec))
    at.run(timeout=30)
    assert not at.exception and _charts(at) == []
    pick_view(at, "labview-b", "Predicted").run(timeout=30)
    assert not at.exception
    assert len(_charts(at)) == (3 if spec["workload"] == "expert_parallel" else 1)


@pytest.mark.parametrize("workload", ["expert_parallel", "hybrid"])
def test_the_lab_form_offers_each_workload_with_its_main_fields(workload):
    from tests.app.conftest import lab_form, page, pick_view

    at = page("lab").run()
    pick_view(at, "lab_workload", workload).run()
    assert not at.exception
    form = lab_form(at, workload)
    main = ("skew", "capacity_factor") if workload == "expert_parallel" else ("dp", "tp")
    assert set(main) <= {f["name"] for f in form["fields"] if f["main"]}
    assert form["button"] == "Run"
