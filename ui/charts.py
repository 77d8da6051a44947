"""Show one trace: where it ran, its numbers, the Gantt chart, memory, a Perfetto download.

The figures come from `runner.gantt` (pure) and are built once per trace content (a
fingerprint of the trace is the cache key, so a rerun or a second visitor reuses them);
this module only places them.
"""

from __future__ import annotations

import hashlib
import json

import streamlit as st

from runner import gantt, gantt_style, numbers, perfetto, simulate

CONVENTION = (
    "**Bubble** here is idle time ÷ (ranks × step time) — the convention of the lessons, "
    "(p−1)/(m+p−1) for GPipe and 1F1B with equal stages; *of ideal compute* is idle ÷ busy, "
    "(p−1)/m. Hatched white bars are idle time; lighter, hatched bars are a rank's second "
    "stage. The *predicted* chart lays out the same "
    "schedule with this step's measured F/B/W durations, the point-to-point transfer time "
    "the ranks measured before the run (α + β·bytes) and the run's per-action overhead: "
    "waiting it cannot explain is what the two charts do not share."
)


def provenance(trace: dict) -> str:
    """`Recorded on 2× NVIDIA H200 (nccl) · torch 2.11.0 · 2026-11-21` and the like."""
    meta = trace.get("meta", {})
    where = (
        f"{meta.get('world_size')}× {meta.get('gpu_name')}"
        if meta.get("device") == "cuda"
        else f"{meta.get('world_size')} CPU processes"
    )
    when = str(meta.get("recorded_at", ""))[:10]
    return f"{where} ({meta.get('backend')}) · torch {meta.get('torch')} · {when}"


def fingerprint(*traces: dict | None) -> str:
    """A short digest of the traces' content: the cache key of everything built from them."""
    text = json.dumps(traces, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


def prediction(trace: dict) -> dict | None:
    """The registry's prediction for this run, from the costs it measured (runner.predict)."""
    from runner import registry

    try:
        spec = registry.spec_from_trace(trace["spec"])
        return registry.get(spec.workload).predict(spec, trace)
    except (ValueError, KeyError, simulate.DeadlockError):
        return None


@st.cache_resource(show_spinner=False, max_entries=64)
def _built(what: str, key: str, _traces: tuple[dict, ...]):
    """Figures and figures' inputs, once per content ``key`` (``_traces`` is not hashed)."""
    del key
    if what == "view":  # measured trace: its prediction, numbers and Gantt chart
        (trace,) = _traces
        predicted = prediction(trace)
        nums = numbers.numbers(trace)
        fig = gantt.figure(trace, predicted, iteration=nums["iteration"])
        return predicted, nums, fig
    if what == "memory":
        return gantt.memory_figure(_traces[0])
    if what == "predicted":
        return gantt.figure(_traces[0])
    if what == "compare":
        return gantt.compare_figure(*_traces)
    raise ValueError(what)


def cached(what: str, *traces: dict):
    return _built(what, fingerprint(what, *traces), traces)


def show_trace(trace: dict, key: str) -> None:
    """Metrics, then measured-over-predicted Gantt, then memory per rank (when opened)."""
    recorded = trace.get("meta", {}).get("device") == "cuda"
    badge = ":material/movie: Recorded" if recorded else ":material/memory: Measured"
    st.caption(f"{badge} on {provenance(trace)}")
    predicted, nums, fig = cached("view", trace)
    cols = st.columns(4)
    measured = numbers.fmt(nums["idle_over_total"], "pct")
    cols[0].metric("Measured bubble", measured, help="idle ÷ (ranks × step time)")
    if predicted is not None:
        pb = predicted["summary"]["bubble"]["idle_over_total"]
        cols[1].metric("Predicted bubble", numbers.fmt(pb, "pct"), help="same convention")
    if nums.get("textbook") is not None:
        cols[2].metric("Textbook (p−1)/(m+p−1)", numbers.fmt(nums["textbook"], "pct"))
    cols[3].metric("Step time", numbers.fmt(nums["step"], "time"))
    st.caption(CONVENTION)
    st.plotly_chart(fig, key=f"{key}-gantt", width="stretch")
    downloads(trace, key)
    if trace.get("memory"):
        memory = st.expander("Peak activation memory per rank", on_change="rerun", key=f"{key}-mx")
        if memory.open:  # lazy: the chart is built and sent only once the expander is opened
            with memory:
                st.plotly_chart(cached("memory", trace), key=f"{key}-mem", width="stretch")


def downloads(trace: dict, key: str) -> None:
    """The run as a Chrome/Perfetto trace, built only when the button is pressed."""
    spec = trace.get("spec", {})
    name = "-".join(str(spec.get(k, "")) for k in ("schedule", "stages", "microbatches"))
    st.download_button(
        "Download for Perfetto / chrome://tracing",
        data=lambda: perfetto.dumps(trace),
        file_name=f"paralab-{name}.perfetto.json",
        mime="application/json",
        key=f"{key}-perfetto",
        on_click="ignore",
        icon=":material/download:",
        help="A Trace Event Format file: one process per rank, one thread per stream. "
        "Open it in ui.perfetto.dev or chrome://tracing.",
    )


def show_prediction(predicted: dict, key: str) -> None:
    """A simulated schedule alone: its bubble in both conventions and its Gantt chart."""
    b = predicted["summary"]["bubble"]
    cols = st.columns(3)
    cols[0].metric("Predicted bubble", f"{b['idle_over_total']:.1%}", help="idle ÷ (ranks × step)")
    cols[1].metric("Of ideal time", f"{b['idle_over_ideal']:.1%}", help="idle ÷ busy compute")
    if b.get("textbook") is not None:
        cols[2].metric("Textbook (p−1)/(m+p−1)", f"{b['textbook']:.1%}")
    st.caption(
        "Predicted with unit costs (F = 1, B = 2, I = W = 1, transfers free): the schedule's "
        "shape, before any run. Time is in units of one forward pass. Hatched white bars are "
        "idle time; lighter, hatched bars are a rank's second stage."
    )
    st.plotly_chart(cached("predicted", predicted), key=f"{key}-gantt", width="stretch")


def show_compare(top: dict, bottom: dict, key: str) -> None:
    """Both runs' numbers side by side, then their charts one above the other."""
    names = [gantt_style.describe_spec(t) for t in (top, bottom)]
    if names[0] == names[1]:
        names = [f"{n} (top)" for n in names[:1]] + [f"{names[1]} (bottom)"]
    st.table(numbers.table(dict(zip(names, (top, bottom), strict=True))), border="horizontal")
    st.plotly_chart(cached("compare", top, bottom), key=f"{key}-chart", width="stretch")
