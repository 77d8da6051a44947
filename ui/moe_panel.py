"""Expert-parallel (MoE) lab views: a run's timeline, its tokens per expert, its parameters.

A lesson block `{type: lab, spec: {workload: expert_parallel, skew: 0.5}}` shows the
prediction for the preset (expected token counts, unit costs) or runs it here; a finished
run shows measured over predicted, the tokens each expert kept and dropped, and the
inference view: parameters in memory against parameters one token uses.
"""

from __future__ import annotations

import streamlit as st

from runner import gantt, moe_figures, registry
from ui.charts import downloads
from ui.preset_views import preset_block, run_header

MAIN_FIELDS = ("ep", "experts", "top_k", "skew", "capacity_factor")
"""The run form's top row (ui/workload_views.py)."""
MIXTRAL = (
    "For scale: Mixtral 8x7B holds **46.7 B** parameters but a token uses **12.9 B** of them "
    "(2 of 8 experts per layer, plus attention and embeddings) — the memory of a 47 B model, "
    "the compute per token of a 13 B one (lesson 9)."
)


def show(trace: dict, key: str) -> None:
    """Metrics, measured-over-predicted Gantt, tokens per expert, active vs total params."""
    how = ("from this run's tokens per rank, its expert time per token and the α–β "
           "all-to-all cost the ranks fitted during warm-up")  # fmt: skip
    spec, predicted, step, cols = run_header(trace, how)
    s = trace["summary"]
    cols[2].metric(
        "In all-to-all", f"{s.get('comm_exposed_us', 0.0) / step:.0%} of the step",
        help="dispatch + combine per step and rank; both block, so this includes waiting "
        "for the slowest rank's experts",
    )  # fmt: skip
    capacity = s["routing"]["capacity"]
    cols[3].metric("Tokens dropped", f"{s.get('dropped_fraction', 0.0):.1%}",
                   help=f"over capacity ({capacity} per expert and rank)")  # fmt: skip
    fig = gantt.figure(trace, predicted, title=spec.describe())
    st.plotly_chart(fig, key=f"{key}-gantt", width="stretch")
    layer = s["routing"]["layers"][0]
    fig = moe_figures.tokens_figure(
        layer["routed"], layer["kept"], s["routing"]["capacity"], spec.ep,
        title=f"Tokens per expert, layer 0 — {s.get('dropped_fraction', 0.0):.1%} dropped "
        "over all layers",
    )  # fmt: skip
    st.plotly_chart(fig, key=f"{key}-tokens", width="stretch")
    error = s.get("max_abs_error")
    st.caption(
        "Output vs the same MoE in one process: "
        + ("not checked" if error is None else f"max |error| {error:.1e}")
    )
    params_view(spec, key)
    downloads(trace, key)


def params_view(spec, key: str) -> None:
    """The inference view: what sits in memory against what one token computes with."""
    total, active = spec.total_params(), spec.active_params()
    title = f"Active vs total parameters — top-{spec.top_k} of {spec.experts} experts"
    st.plotly_chart(moe_figures.params_figure(total, active, title=title),
                    key=f"{key}-params", width="stretch")  # fmt: skip
    st.caption(MIXTRAL)


def lab_block(block, spec) -> None:
    """The preset's prediction (expected token counts, unit costs) or a run of it here."""
    preset_block(block, spec, lambda key: _prediction(spec, key))


def _prediction(spec, key: str) -> None:
    """The "Predicted" view: the unit-cost schedule of the preset (no run needed)."""
    predicted = registry.get("expert_parallel").predict(spec)
    st.caption(
        "Predicted before any run: the expected tokens per expert (uniform routing, plus "
        "the skew to expert 0, cut at the capacity), in units of one balanced rank's "
        "expert compute. Both all-to-alls wait for the slowest rank."
    )
    fig = gantt.figure(predicted, title=spec.describe())
    st.plotly_chart(fig, key=key, width="stretch")
    kept = predicted["summary"]["expected_kept"]
    routed = _expected_routed(spec)
    fig = moe_figures.tokens_figure(
        [r * spec.ep for r in routed], [k * spec.ep for k in kept], spec.capacity,
        spec.ep, title="Expected tokens per expert (one layer, all ranks)",
    )  # fmt: skip
    st.plotly_chart(fig, key=f"{key}-tokens", width="stretch")
    params_view(spec, key)


def _expected_routed(spec) -> list[float]:
    import dataclasses

    from runner.predict_moe import expected_counts

    return expected_counts(dataclasses.replace(spec, capacity_factor=0.0))
