"""The lab's recent-runs table: job text cannot add Markdown, HTML, math or table cells."""

from types import SimpleNamespace

import pytest
from streamlit.testing.v1 import AppTest

from runner.spec import JobSpec
from ui.lab_panel import _cell


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("a | b", "a \\| b"),  # no extra cell
        ("<script>x</script>", "\\<script\\>x\\</script\\>"),
        ("$x$ and \\frac", "\\$x\\$ and \\\\frac"),
        ("**bold** [link](http://x)", "\\*\\*bold\\*\\* \\[link\\]\\(http://x\\)"),
        ("two\nlines", "two lines"),
    ],
)
def test_a_cell_neutralises_markup(raw, shown):
    assert _cell(raw) == shown


def _table():
    import streamlit as st

    from ui.lab_panel import runs_table

    runs_table(st.session_state["jobs"])


def test_the_table_shows_each_run_in_five_columns_as_typed():
    spec = JobSpec(schedule="1F1B", pp=2, microbatches=4, device="cpu")
    job = SimpleNamespace(id=3, spec=spec, device="cpu", state="failed",
                          message="rank 1: x | y", created_at="2026-12-02T01:06:58")  # fmt: skip
    at = AppTest.from_function(_table)
    at.session_state["jobs"] = [job]
    at.run()
    (md,) = [m.value for m in at.markdown if "Recent runs" in m.value]
    header, rule, row = md.split("\n\n", 1)[1].splitlines()
    assert header == "| run | what | on | state | queued |" and rule == "|---|---|---|---|---|"
    what, state = "1F1B · 2 stages · 4 micro\\-batches", "failed: rank 1: x \\| y"
    assert row == f"| 3 | {what} | cpu | {state} | 12\\-02 01:06 |"
