"""Tensor-parallel lab presets: standard TP beside Ladder Residual, from recorded runs.

A lesson block `{type: lab, spec: {workload: tensor_parallel, ranks: 2, hidden: 8192}}`
shows the blocking and the Ladder-Residual recording of that model on one time axis, with
their step times and how much all-reduce time the compute stream still waited for.
"""

from __future__ import annotations

import streamlit as st

from runner import gallery, registry
from runner.gantt_panel import median_iteration
from ui.charts import cached, downloads, provenance
from ui.resources import TRACE_DIR, trace_at


@st.cache_data(show_spinner=False)
def tp_pairs() -> list[gallery.TPPair]:
    return gallery.tensor_parallel_pairs(TRACE_DIR)


def pair_for(spec) -> gallery.TPPair | None:
    """The recording pair of this many ranks and this width: GPUs first, then CPU."""
    for pair in tp_pairs():
        if (pair.ranks, pair.hidden, pair.tokens) == (spec.tp, spec.hidden, spec.tokens):
            return pair
    return None


def tp_lab_block(block, spec) -> None:
    """Recorded pair (standard vs ladder), the prediction, or a run of this preset here."""
    from ui.lab_panel import run_view
    from ui.preset_views import choose_view

    pair = pair_for(spec)
    view = choose_view(block.id, ("Recorded: standard vs ladder",) if pair else ())
    if view is None:  # no chart is built until a view is picked
        st.caption(_summary(pair))
    elif view == "Run it here":
        run_view(spec.to_dict(), f"lab-job-{block.id}", key=f"view-{block.id}")
    elif view == "Predicted":
        predicted = registry.get("tensor_parallel").predict(spec)
        st.caption(
            "Predicted in units of one block's compute, with an all-reduce of half a block: "
            "the shape of the schedule before any run."
        )
        st.plotly_chart(cached("predicted", predicted), key=f"pred-{block.id}", width="stretch")
    elif pair is not None:
        show_pair(pair, key=f"tp-{block.id}")


def _summary(pair: gallery.TPPair | None) -> str:
    hint = "Pick a view to draw its chart."
    if pair is None:
        return hint
    b, lad = (trace_at(p)["summary"] for p in (pair.blocking, pair.ladder))
    if not (b.get("step_wall_us") and lad.get("step_wall_us")):
        return hint
    return (
        f"Recorded: a step takes **{b['step_wall_us'] / 1e3:.2f} ms** with standard TP and "
        f"**{lad['step_wall_us'] / 1e3:.2f} ms** with Ladder Residual. {hint}"
    )


def show_tp_run(trace: dict, key: str) -> None:
    """One measured TP run: step time measured vs predicted, the exposed all-reduce share,
    and the measured timeline above the prediction made from its own fitted costs."""
    predicted, _, fig = cached("view", trace)  # once per trace content, not every rerun
    s, p = trace["summary"], predicted["summary"]
    it = median_iteration(trace)  # the step the chart draws, which the prediction lays out
    drawn = [e for e in trace["events"] if e.get("iteration", 0) == it]
    step = max(e["end_us"] for e in drawn) - min(e["start_us"] for e in drawn)
    st.caption(f":material/memory: Measured on {provenance(trace)}")
    cols = st.columns(4)
    cols[0].metric("Step, measured", f"{step / 1e3:.2f} ms")
    cols[1].metric(
        "Step, predicted", f"{p['step_us'] / 1e3:.2f} ms", f"{p['step_us'] / step - 1:+.0%}",
        delta_color="off", help="the blocks in lock-step, each all-reduce starting when the "
        "last rank issues it: this step's measured compute per rank and block, plus one "
        "all-reduce's own cost and the host's per-block overhead, both fitted from the run",
    )  # fmt: skip
    exposed = s.get("comm_exposed_us", 0.0)
    cols[2].metric(
        "Waiting for all-reduce", f"{exposed / step:.0%} of the step",
        help="time the compute side sat waiting for a sum, per step and rank",
    )  # fmt: skip
    error = s.get("max_abs_error")
    cols[3].metric("Max |error| vs 1 process", "not checked" if error is None else f"{error:.1e}")
    st.plotly_chart(fig, key=f"{key}-gantt", width="stretch")
    downloads(trace, key)


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
    std, ladder_wait = (t.get("comm_exposed_us", 0) / 1e3 for t in (b, lad))
    cols[3].metric(  # one number and a delta: "2.96 → 0.41 ms" was cut off at 1280 px
        "All-reduce wait, ladder",
        f"{ladder_wait:.2f} ms",
        delta=f"{ladder_wait - std:+.2f} ms",
        delta_color="inverse",
        help=f"Time per step the compute stream waited for all-reduces; standard TP: {std:.2f} ms.",
    )
    st.plotly_chart(cached("compare", blocking, ladder), key=f"{key}-gantt", width="stretch")
