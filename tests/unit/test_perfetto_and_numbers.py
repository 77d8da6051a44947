"""Chrome/Perfetto export (runner/perfetto.py) and the figures beside a chart (numbers.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from runner import numbers, perfetto
from runner.simulate import predict
from runner.trace import load

ROOT = Path(__file__).resolve().parents[2]
TP = ROOT / "content" / "traces" / "tp-h200x2"


def test_one_process_per_rank_one_thread_per_stream():
    trace = load(ROOT / "content" / "traces" / "h200x2" / "1F1B-p2-m4.json")
    doc = json.loads(perfetto.dumps(trace))
    meta = [e for e in doc["traceEvents"] if e["ph"] == "M"]
    procs = {e["pid"]: e["args"]["name"] for e in meta if e["name"] == "process_name"}
    assert procs == {0: "rank 0", 1: "rank 1"}
    threads = {(e["pid"], e["tid"]): e["args"]["name"] for e in meta if e["name"] == "thread_name"}
    streams = {e.get("stream", "compute") for e in trace["events"]}
    assert set(threads.values()) == streams
    assert len(threads) == 2 * len(streams)
    spans = [e for e in doc["traceEvents"] if e["ph"] == "X"]
    assert len(spans) == len(trace["events"])  # every event, warm-up excluded as in the trace


def test_complete_events_keep_times_names_and_ids():
    trace = predict("1F1B", 2, 2)
    doc = perfetto.to_chrome_trace(trace)
    spans = [e for e in doc["traceEvents"] if e["ph"] == "X"]
    tid = {e["args"]["name"]: e["tid"] for e in doc["traceEvents"] if e["name"] == "thread_name"}
    first = min((e for e in trace["events"] if e["rank"] == 1), key=lambda e: e["start_us"])
    span = next(s for s in spans if s["pid"] == 1 and s["ts"] == first["start_us"])
    assert span["dur"] == pytest.approx(first["end_us"] - first["start_us"])
    assert span["tid"] == tid["compute"] and span["cat"] == first["kind"]
    assert span["name"] == f"F · forward · mb {first['microbatch']}"
    assert span["args"] == {"stage": 1, "microbatch": 0, "iteration": 0}
    assert json.loads(doc["otherData"]["spec"])["schedule"] == "1F1B"


def test_tensor_parallel_trace_gets_a_comm_thread():
    path = next(TP.glob("*.json"), None)
    if path is None:
        pytest.skip("no tensor-parallel recording installed")
    doc = perfetto.to_chrome_trace(load(path))
    names = {e["args"]["name"] for e in doc["traceEvents"] if e["name"] == "thread_name"}
    assert {"compute", "comm"} <= names


def test_cli_writes_the_document(tmp_path, capsys):
    trace = ROOT / "content" / "traces" / "h200x2" / "GPipe-p2-m1.json"
    assert perfetto.main([str(trace)]) == 0
    assert "traceEvents" in json.loads(capsys.readouterr().out)


def test_numbers_both_conventions_step_and_memory():
    n = numbers.numbers(predict("GPipe", 4, 8))
    assert n["idle_over_total"] == pytest.approx(3 / 11)
    assert n["idle_over_ideal"] == pytest.approx(3 / 8)
    assert n["textbook"] == pytest.approx(3 / 11)
    assert n["step"] == 33 and n["step_unit"] == "units"  # (m + p − 1) · (F + B)
    assert n["peak"] == 8 and n["peak_unit"] == "microbatches"


def test_compare_table_has_a_column_per_run():
    rows = numbers.table({"A": predict("GPipe", 2, 1), "B": predict("1F1B", 2, 8)})
    assert [r[""] for r in rows] == [label for label, _, _ in numbers.ROWS]
    assert rows[0]["A"] == "50.0 %" and rows[0]["B"] == "11.1 %"
    assert rows[1]["A"] == "100.0 %" and rows[1]["B"] == "12.5 %"
    assert rows[3]["A"] == "6 units"
    assert rows[4]["B"] == "2 micro-batches"
