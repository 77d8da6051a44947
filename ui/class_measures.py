"""What a class run measured, per workload: the values a "predict, then run" question meets.

    >>> from ui.class_measures import measures_of, pick
    >>> found = measures_of(trace)               # a measured trace of any workload
    >>> pick(found, unit=None).label              # a fraction question: the headline
    'Measured bubble'

Each workload's function (listed in ui/workload_views.py, beside the view that draws its
run) reads the trace's summary and returns its measured values, headline first. A value's
`unit` is what a numeric question states in `unit:` to be compared with it (None: a
fraction, as the lessons ask bubbles and shares of a step); the presenter marks the value
whose unit is the question's on the class's prediction histogram. Pure: no Streamlit.
"""

from __future__ import annotations

import dataclasses


@dataclasses.dataclass(frozen=True)
class Measured:
    label: str
    """What it is, as the metric beside the class's predictions says it: `Measured bubble`."""
    value: float
    """In the question's unit (a fraction when `unit` is None)."""
    text: str
    """The value for people: `13.2%`, `2.41 ms`."""
    unit: str | None = None
    """The `unit:` of the numeric questions it answers; None for a fraction."""


def _step_us(trace: dict) -> float:
    s = trace["summary"]
    return float(s.get("step_wall_us") or s["makespan_us"])


def _share(label: str, part_us: float, trace: dict) -> Measured:
    share = part_us / _step_us(trace)
    return Measured(label, share, f"{share:.1%}")


def _step(trace: dict) -> Measured:
    ms = _step_us(trace) / 1e3
    return Measured("Step time", ms, f"{ms:.2f} ms", "ms")


def pipeline(trace: dict) -> list[Measured]:
    """The bubble (idle ÷ ranks × step, the step the Gantt chart draws), then the step."""
    from runner import gantt, simulate

    bubble = simulate.bubble(trace, iteration=gantt.median_iteration(trace))["idle_over_total"]
    return [Measured("Measured bubble", bubble, f"{bubble:.1%}"), _step(trace)]


def _waited(label: str, trace: dict) -> list[Measured]:
    """The share of a step the compute waited for communication (`comm_exposed_us`), then
    the step."""
    exposed = trace["summary"].get("comm_exposed_us", 0.0)
    return [_share(label, exposed, trace), _step(trace)]


def tensor_parallel(trace: dict) -> list[Measured]:
    """The share of a step the compute waited for all-reduces, then the step."""
    return _waited("Waiting for all-reduce", trace)


def data_parallel(trace: dict) -> list[Measured]:
    """The share of a step spent waiting for communication, then the step (data parallel:
    gradients being averaged; FSDP and hybrid meshes: every collective, waiting included)."""
    return _waited("Communication waited for", trace)


def fsdp(trace: dict) -> list[Measured]:
    """As data parallel, then rank 0's model states (weights + gradients + optimizer)."""
    parts = ("parameters", "gradients", "optimizer")
    held = sum(m["peak_bytes"] for m in trace.get("memory", [])
               if m["rank"] == 0 and m["kind"] in parts)  # fmt: skip
    mib = held / 2**20
    return [*data_parallel(trace), Measured("Model states, rank 0", mib, f"{mib:.1f} MiB", "MiB")]


def expert_parallel(trace: dict) -> list[Measured]:
    """Tokens dropped over capacity, the capacity per expert and rank, then the step."""
    s = trace["summary"]
    dropped = float(s.get("dropped_fraction", 0.0))
    capacity = float(s["routing"]["capacity"])
    return [
        Measured("Tokens dropped", dropped, f"{dropped:.1%}"),
        Measured("Capacity per expert and rank", capacity, f"{capacity:g} tokens", "tokens"),
        _step(trace),
    ]


def measures_of(trace: dict) -> list[Measured]:
    """The measured values of a trace of any workload (its workload's function)."""
    from ui.workload_views import view_for

    return view_for(trace.get("spec", {}).get("workload", "pipeline")).measures(trace)


def pick(found: list[Measured], unit: str | None) -> Measured | None:
    """The value with this unit (a question's `unit:`); None when the run measured none."""
    return next((m for m in found if m.unit == unit), None)
