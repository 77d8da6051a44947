"""Gantt figures: structure, hover, subplots, size. No timing assertions. `pytest tests/unit -q`."""

from __future__ import annotations

import json

import plotly.graph_objects as go
import pytest

from runner import gantt, gantt_style
from runner.simulate import Costs, predict


def measured(schedule: str = "1F1B", p: int = 2, m: int = 4, slow: tuple = (1.0, 1.3, 1.1)):
    """A measured-looking trace: 3 iterations of a µs prediction, stretched, plus sends."""
    base = predict(schedule, p, m, Costs(f=800, b=1600, comm=40, model="measured"))
    events = []
    for it, factor in enumerate(slow):
        offset = it * 100_000
        for e in base["events"]:
            start, end = offset + e["start_us"] * factor, offset + e["end_us"] * factor
            events.append({**e, "iteration": it, "start_us": start, "end_us": end})
            if e["kind"] == "F" and e["stage"] < p - 1:
                send = {"kind": "SEND_F", "stream": "comm", "start_us": end, "end_us": end + 40}
                events.append({**e, **send, "iteration": it})
    meta = {"backend": "gloo", "device": "cpu", "world_size": p, "iterations": len(slow)}
    memory = [{"rank": r, "kind": "activations", "peak_bytes": (p - r) * 2**21} for r in range(p)]
    return {**base, "meta": meta, "events": events, "memory": memory}


def _bars(fig: go.Figure) -> list[go.Bar]:
    return [t for t in fig.data if isinstance(t, go.Bar)]


def _events_drawn(fig: go.Figure) -> int:
    return sum(len(t.x) for t in fig.data if t.legendgroup != "IDLE")


def test_figure_one_trace_per_kind_and_one_bar_per_event():
    trace = measured()
    fig = gantt.figure(trace)
    kinds = {e["kind"] for e in trace["events"]}
    assert {t.legendgroup for t in fig.data} == kinds | {"IDLE"}
    assert len(_bars(fig)) == len(kinds) + 1
    drawn = [e for e in trace["events"] if e["iteration"] == gantt.median_iteration(trace)]
    assert _events_drawn(fig) == len(drawn)
    assert all(t.orientation == "h" for t in fig.data)


def test_bars_are_base_plus_duration_in_ms_from_iteration_start():
    trace = measured()
    fig = gantt.figure(trace, iteration=0)
    f = next(t for t in fig.data if t.legendgroup == "F")
    assert f.base[0] == 0.0 and f.x[0] == pytest.approx(0.8)  # 800 µs forward
    assert f.text[0] == "0"
    assert f.textposition == "inside"
    assert fig.layout.xaxis.title.text == "time (ms)"


def test_median_iteration_is_default():
    trace = measured(slow=(1.0, 1.3, 1.1))
    assert gantt.median_iteration(trace) == 2
    assert gantt.iterations(trace) == [0, 1, 2]


def test_hover_has_kind_microbatch_stage_rank_start_duration():
    fig = gantt.figure(measured())
    bar = next(t for t in fig.data if t.legendgroup == "B")
    assert "micro-batch" in bar.hovertemplate and "stage" in bar.hovertemplate
    assert "rank" in bar.hovertemplate and "duration" in bar.hovertemplate
    kind, mb, stage, rank, start, duration = bar.customdata[0]
    assert kind.startswith("B") and (mb, stage, rank) == (0, 0, 0)
    assert start.endswith("ms") and duration.endswith("ms")


def test_rank_rows_labelled_with_stages_rank0_on_top():
    fig = gantt.figure(predict("ZBVZeroBubble", 2, 4))
    assert list(fig.layout.yaxis.categoryarray) == ["rank 0 · stage 0,3", "rank 1 · stage 1,2"]
    assert fig.layout.yaxis.autorange == "reversed"


def test_predicted_subplot_with_measured_costs_shares_x():
    trace = measured()
    pred = predict("1F1B", 2, 4, Costs.from_trace(trace))
    fig = gantt.figure(trace, pred)
    assert fig.layout.xaxis2 is not None
    assert fig.layout.xaxis.matches == "x2"  # shared time scale
    titles = [a.text for a in fig.layout.annotations]
    assert titles[0].startswith("<b>Measured</b> · bubble ") and titles[0].endswith(" %")
    assert len(titles[0]) < 40  # one line on a phone
    assert titles[1].startswith("<b>Predicted</b>")
    assert len(_bars(fig)) <= 2 * len(gantt_style.COLORS)


def test_predicted_with_unit_costs_gets_its_own_axis():
    fig = gantt.figure(measured(), predict("1F1B", 2, 4))
    assert fig.layout.xaxis.matches is None
    assert fig.layout.xaxis2.title.text.startswith("time (units")
    assert fig.layout.xaxis.title.text == "time (ms)"


def test_legend_entry_once_per_kind():
    trace = measured()
    fig = gantt.figure(trace, predict("1F1B", 2, 4, Costs.from_trace(trace)))
    shown = [t.legendgroup for t in fig.data if t.showlegend]
    assert sorted(shown) == sorted(set(shown))


def test_figure_is_json_serialisable_and_pure():
    trace = measured()
    before = json.dumps(trace, sort_keys=True)
    fig = gantt.figure(trace, predict("1F1B", 2, 4), title="x")
    json.loads(fig.to_json())
    assert json.dumps(trace, sort_keys=True) == before


def test_big_schedule_keeps_traces_few():
    trace = predict("1F1B", 8, 64)
    fig = gantt.figure(trace)
    assert _events_drawn(fig) == len(trace["events"]) == 1024
    assert len(fig.data) <= 2 * len(gantt_style.COLORS)
    assert not fig.layout.shapes


def test_compare_figure_two_panels():
    fig = gantt.compare_figure(predict("GPipe", 4, 8), predict("1F1B", 4, 8))
    titles = [a.text for a in fig.layout.annotations]
    assert "GPipe m=8" in titles[0] and "1F1B m=8" in titles[1]
    assert len(fig.data) == 6  # idle, F and B, in each panel


def test_memory_figure_in_mib_and_in_microbatches():
    fig = gantt.memory_figure(measured())
    assert list(fig.data[0].y) == [4.0, 2.0]
    assert "MiB" in fig.layout.yaxis.title.text
    fig = gantt.memory_figure(predict("GPipe", 3, 5))
    assert list(fig.data[0].y) == [5, 5, 5]
    assert "micro-batches" in fig.layout.yaxis.title.text


def _bar(fig: go.Figure, kind: str, panel: int = 1) -> go.Bar:
    axis = "y" if panel == 1 else f"y{panel}"
    return next(t for t in fig.data if t.legendgroup == kind and t.yaxis == axis)


def test_idle_is_drawn_as_idle_where_a_rank_waits():
    # GPipe m=1: rank 0 waits for rank 1's forward and backward (3 units of 6).
    fig = gantt.figure(predict("GPipe", 2, 1))
    idle = _bar(fig, "IDLE")
    rank0 = [(b, x) for y, b, x in zip(idle.y, idle.base, idle.x, strict=True) if "rank 0" in y]
    assert rank0 == [(1.0, 3.0)]
    assert idle.name == "idle" and idle.marker.pattern.shape == "/"
    assert "idle" in idle.customdata[0][0]


def test_receive_activations_and_gradients_differ_clearly():
    def rgb(c: str) -> list[int]:
        return [int(c[i : i + 2], 16) for i in (1, 3, 5)]

    a, b = rgb(gantt_style.COLORS["RECV_F"]), rgb(gantt_style.COLORS["RECV_B"])
    assert sum(abs(x - y) for x, y in zip(a, b, strict=True)) > 150  # not two near greys
    assert gantt_style.NAMES["IDLE"] == "idle"


def test_interleaved_stages_of_a_rank_get_their_own_shade_and_pattern():
    fig = gantt.figure(predict("Interleaved1F1B", 2, 4))
    f = _bar(fig, "F")
    chunks = {(y, s) for y, s in zip(f.y, f.marker.pattern.shape, strict=True)}
    assert {s for y, s in chunks if "rank 0" in y} == {"", "/"}
    assert len(set(f.marker.color)) == 2  # a lighter tint for each rank's second stage
    one = _bar(gantt.figure(predict("1F1B", 2, 4)), "F")
    assert set(one.marker.pattern.shape or [""]) == {""} or one.marker.pattern.shape is None


def test_labels_only_where_they_fit():
    wide = _bar(gantt.figure(predict("1F1B", 2, 4)), "F")
    assert list(wide.text) == ["0", "1", "2", "3", "0", "1", "2", "3"]
    narrow = _bar(gantt.figure(predict("Interleaved1F1B", 8, 32)), "F")
    assert narrow.text is None or not any(narrow.text)  # hover only: 512 thin bars
    assert "micro-batch" in narrow.hovertemplate


def test_legend_sits_under_the_chart():
    fig = gantt.figure(predict("1F1B", 4, 8))
    assert fig.layout.legend.orientation == "h" and fig.layout.legend.y < 0
    assert len(fig.layout.title.text) <= 32  # 'title · p=4 · m=8' fits a 390 px phone
