"""Rows named by the workload (meta.rank_labels, e.g. a mesh coordinate) and the new kinds."""

from runner import gantt, trace


def _trace(workload: str, labels: dict | None) -> dict:
    events = [
        {"rank": r, "stage": 0, "kind": kind, "microbatch": None, "iteration": 0,
         "start_us": s, "end_us": e, "stream": stream}
        for r in range(2)
        for kind, s, e, stream in (("COMPUTE", 0.0, 10.0, "compute"),
                                   ("ALLTOALL", 10.0, 12.0, "comm"),
                                   ("DP_ALLREDUCE", 12.0, 15.0, "comm"))
    ]  # fmt: skip
    meta = {"backend": "gloo", "device": "cpu", "world_size": 2, "torch": "2.13",
            "recorded_at": "x", "iterations": 1, "label": "mesh"}  # fmt: skip
    if labels is not None:
        meta["rank_labels"] = labels
    return {"version": 1, "spec": {"workload": workload}, "meta": meta, "events": events,
            "memory": [], "summary": {"makespan_us": 15.0, "bubble_fraction": 0.0}}  # fmt: skip


def test_rows_carry_the_workloads_labels_and_new_kinds_validate():
    t = trace.validate(_trace("hybrid", {"0": "dp 0 · tp 0", "1": "dp 0 · tp 1"}))
    fig = gantt.figure(t)
    rows = {y for bar in fig.data for y in bar.y}
    assert rows == {"dp 0 · tp 0", "dp 0 · tp 1"}
    assert {bar.name for bar in fig.data} >= {"all-to-all", "grad. all-reduce (dp)"}


def test_without_labels_rows_are_ranks_and_a_named_workload_is_not_tensor_parallel():
    fig = gantt.figure(_trace("expert_parallel", None))
    rows = {y for bar in fig.data for y in bar.y}
    assert all(r.startswith("rank ") for r in rows)
    assert "?" not in fig.layout.annotations[0].text
