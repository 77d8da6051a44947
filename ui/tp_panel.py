"""Tensor-parallel lab presets: standard TP beside Ladder Residual, from recorded runs.

A lesson block `{type: lab, spec: {workload: tensor_parallel, ranks: 2, hidden: 8192}}`
shows the blocking and the Ladder-Residual recording of that model on one time axis, with
their step times and how much all-reduce time the compute stream still waited for.
"""

from __future__ import annotations

import streamlit as st

from runner import gallery, gantt
from ui.charts import provenance
from ui.resources import TRACE_DIR, trace_at


@st.cache_data(show_spinner=False)
def tp_pairs() -> list[gallery.TPPair]:
    return gallery.tensor_parallel_pairs(TRACE_DIR)


def pair_for(spec: dict) -> gallery.TPPair | None:
    """The recording pair of this many ranks and this width: GPUs first, then CPU."""
    ranks, hidden = spec.get("ranks", 2), spec.get("hidden")
    for pair in tp_pairs():
        if pair.ranks == ranks and hidden in (None, pair.hidden):
            return pair
    return None


def tp_lab_block(block) -> None:
    spec = dict(block.spec)
    with st.container(border=True, key=f"lab-{block.id}"):
        st.markdown(
            f"**:material/science: Live lab — tensor parallelism on {spec.get('ranks', 2)} ranks: "
            "standard vs Ladder Residual**"
        )
        if block.caption:
            st.caption(block.caption)
        pair = pair_for(spec)
        if pair is None:
            st.info("No recording of this preset is installed in content/traces/.")
            return
        show_pair(pair, key=f"tp-{block.id}")


def show_pair(pair: gallery.TPPair, key: str) -> None:
    """Metrics for both modes, then the two timelines on one shared time axis."""
    blocking, ladder = trace_at(pair.blocking), trace_at(pair.ladder)
    st.caption(f":material/movie: Recorded on {provenance(ladder)}")
    b, lad = blocking["summary"], ladder["summary"]
    cols = st.columns(4)
    cols[0].metric("Step, standard TP", f"{b['step_wall_us'] / 1e3:.2f} ms")
    cols[1].metric("Step, Ladder Residual", f"{lad['step_wall_us'] / 1e3:.2f} ms")
    speedup = b["step_wall_us"] / lad["step_wall_us"] - 1 if lad["step_wall_us"] else 0.0
    cols[2].metric("Ladder speed-up", f"{speedup:+.1%}")
    cols[3].metric(
        "All-reduce wait (std → ladder)",
        f"{b.get('comm_exposed_us', 0) / 1e3:.2f} → {lad.get('comm_exposed_us', 0) / 1e3:.2f} ms",
    )
    st.plotly_chart(gantt.compare_figure(blocking, ladder), key=f"{key}-gantt", width="stretch")
