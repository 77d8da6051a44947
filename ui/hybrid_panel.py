"""Hybrid (2-D mesh) lab views: both kinds of communication of every rank on one timeline.

A lesson block `{type: lab, spec: {workload: hybrid, pp: 1, tp: 2}}` shows the prediction
of the layout (unit costs) or runs it here; a finished run shows measured over predicted,
rows named by mesh coordinate ("dp 0 · tp 1"), and a table of what each mesh axis sends per
step — many small, blocking collectives on the tp (or pp) axis, one large one on dp — which
is why the inner axis is kept on a node's fast links and dp may cross the network.
"""

from __future__ import annotations

import streamlit as st

from runner import gantt, registry
from runner.commcost import predicted_us
from ui.charts import downloads
from ui.preset_views import preset_block, run_header

MAIN_FIELDS = ("dp", "pp", "tp", "schedule", "microbatches")
"""The run form's top row (ui/workload_views.py)."""
AXIS = {"tp": "tensor (tp)", "pp": "pipeline (pp)", "dp": "data (dp)"}


def per_axis(trace: dict, spec, predicted: dict) -> list[dict]:
    """Rows of the table: collectives per step and rank, bytes each, the cost of one as the
    prediction used it (the run's last member to arrive) and as the warm-up probe fitted it,
    and the time per step measured."""
    meta, s = trace["meta"], trace["summary"]
    inner = spec.layout
    calls = 2 * spec.layers if inner == "tp" else 2 * spec.microbatches
    fit_key = "tp_allreduce" if inner == "tp" else "p2p"
    rows = []
    for axis, n, key in ((inner, calls, fit_key), ("dp", 1, "dp_allreduce")):
        nbytes = meta.get("comm_bytes", {}).get(key, 0)
        probe = predicted_us(meta["comm_fit"].get(key), nbytes)
        used = predicted["summary"].get("collective_us", {}).get(axis, probe)
        measured = s.get("comm_us", {}).get(axis, 0)
        rows.append({
            "mesh axis": AXIS[axis],
            "collectives per step": n,
            "bytes each": f"{nbytes / 2**20:.2f} MiB",
            "cost each (in the run)": f"{used / 1e3:.2f} ms",
            "cost each (warm-up probe)": f"{probe / 1e3:.2f} ms",
            "measured per step (incl. waiting)": f"{measured / 1e3:.1f} ms",
        })  # fmt: skip
    return rows


def show(trace: dict, key: str) -> None:
    """Metrics, the measured-over-predicted Gantt, the per-axis table and the link note."""
    how = ("the run's mean F and B, and each axis's collective at the α–β cost its group "
           "fitted during warm-up")  # fmt: skip
    spec, predicted, step, cols = run_header(trace, how)
    s = trace["summary"]
    comm = s.get("comm_us", {})
    cols[2].metric(
        f"In {spec.layout} communication",
        f"{comm.get(spec.layout, 0) / step:.0%}",
        help="per step and rank, including waiting for the group's slowest member",
    )
    cols[3].metric("In dp all-reduce", f"{comm.get('dp', 0) / step:.0%}",
                   help="per step and rank, including waiting for the slowest replica")  # fmt: skip
    fig = gantt.figure(trace, predicted, title=spec.describe())
    st.plotly_chart(fig, key=f"{key}-gantt", width="stretch")
    st.dataframe(per_axis(trace, spec, predicted), hide_index=True, key=f"{key}-axes")
    st.caption(trace["meta"].get("links", ""))
    diff = s.get("replica_max_diff")
    if diff is not None:
        st.caption(f"Replicas after their averaged update: max |difference| {diff:.1e}.")
    downloads(trace, key)


def lab_block(block, spec) -> None:
    """The layout's prediction (unit costs) or a run of it here."""
    preset_block(block, spec, lambda key: _prediction(spec, key))


def _prediction(spec, key: str) -> None:
    """The "Predicted" view: the unit-cost schedule of the preset (no run needed)."""
    st.caption(
        "Predicted before any run, in units of one block's forward (B = 2, a tp "
        "all-reduce 0.3, a stage-to-stage transfer 0.1, the gradient all-reduce 1.5)."
    )
    predicted = registry.get("hybrid").predict(spec)
    st.plotly_chart(gantt.figure(predicted, title=spec.describe()),
                    key=key, width="stretch")  # fmt: skip
