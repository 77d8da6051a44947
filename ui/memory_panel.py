"""The memory planner in the lab: "does a 200B model fit on N × 40 GB with this plan?"

Widgets in, `runner.memory_plan.estimate` (pure, tested) out, drawn by
`runner.memory_figures.plan_figure`: a stacked bar per GPU and the line of its memory.
"""

from __future__ import annotations

import streamlit as st

from runner import memory_figures, memory_plan

RECOMPUTE_LABELS = {"none": "none", "selective": "selective (attention core)", "full": "full"}


def _model(key: str) -> memory_plan.Model:
    c = st.columns(6)
    params = c[0].number_input("Parameters (billions)", 0.1, 2000.0, 200.0, key=f"{key}-p")
    layers = c[1].number_input("Layers", 1, 512, 80, key=f"{key}-l")
    hidden = c[2].number_input("Hidden h", 64, 65536, 16384, step=1024, key=f"{key}-h")
    heads = c[3].number_input("Heads a", 1, 1024, 128, key=f"{key}-a")
    seq = c[4].number_input("Sequence s", 1, 1 << 20, 2048, key=f"{key}-s")
    micro = c[5].number_input("Micro-batch b", 1, 1024, 1, key=f"{key}-b")
    return memory_plan.Model(params=params * 1e9, layers=int(layers), hidden=int(hidden),
                             heads=int(heads), seq=int(seq), microbatch=int(micro))  # fmt: skip


def _plan(key: str) -> tuple[memory_plan.Plan, float]:
    c = st.columns(6)
    dp = c[0].number_input("dp", 1, 4096, 8, key=f"{key}-dp")
    tp = c[1].number_input("tp", 1, 64, 8, key=f"{key}-tp")
    pp = c[2].number_input("pp", 1, 128, 8, key=f"{key}-pp")
    zero = c[3].selectbox("ZeRO stage", [0, 1, 2, 3], index=1, key=f"{key}-zero")
    recompute = c[4].selectbox("Recomputation", list(RECOMPUTE_LABELS), index=1,
                               format_func=RECOMPUTE_LABELS.get, key=f"{key}-rc")  # fmt: skip
    gpu_gb = c[5].number_input("GPU memory (GB)", 1.0, 1024.0, 40.0, key=f"{key}-gpu")
    c = st.columns(4)
    precision = c[0].selectbox("Precision", memory_plan.PRECISIONS, index=1, key=f"{key}-prec")
    sp = c[1].toggle("Sequence parallelism", value=True, key=f"{key}-sp")
    schedule = c[2].selectbox("Pipeline schedule", memory_plan.SCHEDULES, key=f"{key}-sched")
    m = c[3].number_input("Micro-batches m", 1, 1024, 16, key=f"{key}-m")
    plan = memory_plan.Plan(precision=precision, dp=int(dp), tp=int(tp), pp=int(pp),
                            zero=int(zero), recompute=recompute, sequence_parallel=sp,
                            schedule=schedule, microbatches=int(m))  # fmt: skip
    return plan, gpu_gb * 1e9


def planner(key: str = "planner") -> None:
    """The planner's form, verdict and chart."""
    st.markdown(
        "Bytes per GPU: weights, gradients and optimizer states from the bytes per parameter "
        "(mixed-precision Adam: 2 + 2 + 12) split by `tp · pp` and, with ZeRO, by `dp`; "
        "activations from Korthikanti et al. 2022 (arXiv 2205.05198), per layer and "
        "micro-batch in flight. 1 GB = 10⁹ bytes."
    )
    model = _model(key)
    plan, gpu_bytes = _plan(key)
    est = memory_plan.estimate(model, plan)
    need = memory_plan.min_gpus_for_states(model, plan, gpu_bytes)
    c = st.columns(3)
    c[0].metric("Per GPU", f"{est.total / 1e9:.1f} GB", f"of {gpu_bytes / 1e9:g} GB",
                delta_color="off")  # fmt: skip
    c[1].metric("GPUs in the plan", f"{plan.gpus:,}", help="dp × tp × pp")
    c[2].metric("GPUs for the states alone", f"{need:,}",
                help="weights + gradients + optimizer states, perfectly divided")  # fmt: skip
    if est.fits(gpu_bytes):
        st.success(f"Fits: {est.total / 1e9:.1f} GB per GPU.", icon=":material/check_circle:")
    else:
        st.error(f"Does not fit: {est.total / 1e9:.1f} GB per GPU.", icon=":material/block:")
    fig = memory_figures.plan_figure(est.parts(), plan.gpus, gpu_bytes)
    st.plotly_chart(fig, key=f"{key}-chart", width="stretch")
