"""Gantt figures of tensor-parallel traces: a row per (rank, stream); pipelines unchanged."""

from __future__ import annotations

import plotly.graph_objects as go

from runner import gantt
from runner.simulate import predict


def tp_trace(mode: str = "ladder", step_us: float = 9000.0) -> dict:
    """2 ranks, 3 layers: compute 1000 µs, all-reduce 600 µs (overlapping in ladder mode)."""
    events = []
    for rank in range(2):
        t = 0.0
        for layer in range(3):
            events.append({"rank": rank, "stage": layer, "kind": "COMPUTE", "microbatch": None,
                           "iteration": 0, "start_us": t, "end_us": t + 1000,
                           "stream": "compute"})  # fmt: skip
            events.append({"rank": rank, "stage": layer, "kind": "ALLREDUCE", "microbatch": None,
                           "iteration": 0, "start_us": t + 1000, "end_us": t + 1600,
                           "stream": "comm"})  # fmt: skip
            t += 1000 if mode == "ladder" else 1600
    spec = {"workload": "tensor_parallel", "mode": mode, "schedule": mode, "stages": 1,
            "microbatches": 1, "ranks": 2, "layers": 3, "hidden": 64}  # fmt: skip
    meta = {"backend": "gloo", "device": "cpu", "world_size": 2, "iterations": 1}
    summary = {"step_wall_us": step_us, "comm_exposed_us": 100.0}
    return {"spec": spec, "meta": meta, "events": events, "memory": [], "summary": summary}


def test_rows_per_rank_and_stream_with_layer_text():
    fig = gantt.figure(tp_trace())
    assert list(fig.layout.yaxis.categoryarray) == [
        "rank 0 · compute",
        "rank 0 · all-reduce",
        "rank 1 · compute",
        "rank 1 · all-reduce",
    ]
    bars = {t.legendgroup: t for t in fig.data if isinstance(t, go.Bar)}
    assert set(bars) == {"COMPUTE", "ALLREDUCE"}
    assert bars["ALLREDUCE"].name == "all-reduce" and bars["COMPUTE"].name == "compute"
    assert set(bars["ALLREDUCE"].y) == {"rank 0 · all-reduce", "rank 1 · all-reduce"}
    assert list(bars["COMPUTE"].text[:3]) == ["0", "1", "2"]  # the layer number
    assert "layer" in bars["COMPUTE"].hovertemplate
    assert "ladder" in fig.layout.annotations[0].text


def test_tp_compare_shares_one_time_axis():
    fig = gantt.tp_compare_figure(tp_trace("blocking", 12000.0), tp_trace("ladder", 9000.0))
    assert fig.layout.xaxis.matches == "x2"
    titles = [a.text for a in fig.layout.annotations]
    assert "blocking" in titles[0] and "ladder" in titles[1]
    assert "1.33×" in fig.layout.title.text


def test_pipeline_rows_stay_one_per_rank():
    fig = gantt.figure(predict("1F1B", 2, 4))
    assert list(fig.layout.yaxis.categoryarray) == ["rank 0 · stage 0", "rank 1 · stage 1"]
    bar = next(t for t in fig.data if t.legendgroup == "F")
    assert bar.text[0] == "0" and "micro-batch" in bar.hovertemplate
