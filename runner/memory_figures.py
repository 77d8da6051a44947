"""Memory charts (pure: trace or estimate in, `go.Figure` out), beside runner/gantt.py.

- `parts_figure(trace, predicted)`: per rank, measured bytes of parameters, gradients,
  optimizer states and activations (solid) beside the estimate (hatched), in MiB.
- `plan_figure(estimate, gpus, gpu_bytes)`: the memory planner's stacked bar per GPU
  (weights, gradients, optimizer states, activations) under the line of the GPU's memory.
"""

from __future__ import annotations

import plotly.graph_objects as go

PARTS = ("parameters", "gradients", "optimizer", "activations")
LABELS = {
    "parameters": "weights",
    "gradients": "gradients",
    "optimizer": "optimizer states",
    "activations": "activations",
    "gathered_parameters": "gathered weights (peak)",
}
COLORS = {
    "parameters": "#0072B2",
    "gradients": "#D55E00",
    "optimizer": "#009E73",
    "activations": "#E69F00",
    "gathered_parameters": "#56B4E9",
}


def _rows(trace: dict) -> dict[tuple[int, str], int]:
    return {(m["rank"], m["kind"]): m["peak_bytes"] for m in trace.get("memory", [])}


def parts_figure(trace: dict, predicted: dict | None = None, title: str | None = None):
    """Grouped bars: x = part, one bar per rank measured, and the estimate beside it."""
    measured = _rows(trace)
    ranks = sorted({r for r, _ in measured})
    parts = [p for p in (*PARTS, "gathered_parameters") if any(k == p for _, k in measured)]
    fig = go.Figure()
    for r in ranks:
        values = [measured.get((r, p), 0) / 2**20 for p in parts]
        fig.add_bar(
            name=f"rank {r}, measured",
            x=[LABELS[p] for p in parts],
            y=values,
            marker_color=["#0072B2", "#56B4E9"][r % 2],
            text=[f"{v:.1f}" for v in values],
            textposition="outside",
        )
    if predicted is not None:
        est = _rows(predicted)
        values = [est.get((0, p), 0) / 2**20 for p in parts]
        fig.add_bar(
            name="estimate (per rank)",
            x=[LABELS[p] for p in parts],
            y=values,
            marker={
                "color": "white",
                "line": {"color": "#333333", "width": 1.5},
                "pattern": {"shape": "/", "fgcolor": "#777777"},
            },
            text=[f"{v:.1f}" if v else "" for v in values],
            textposition="outside",
        )
    fig.update_layout(
        template="plotly_white",
        barmode="group",
        height=420,
        font={"size": 14},
        title={"text": title or "Memory per rank: measured vs estimate", "x": 0.01},
        yaxis_title="MiB per rank",
        legend={"orientation": "h", "y": 1.02, "yanchor": "bottom"},
        margin={"l": 10, "r": 20, "t": 90, "b": 40},
    )
    return fig


def plan_figure(parts: dict[str, float], gpus: int, gpu_bytes: float, title: str | None = None):
    """One stacked bar per GPU (all GPUs alike), the GPU's memory as a dashed line, in GB."""
    shown = min(gpus, 16)
    x = [f"GPU {i}" for i in range(shown)] + ([f"… {gpus - shown} more"] if gpus > shown else [])
    fig = go.Figure()
    names = {
        "weights": "parameters",
        "gradients": "gradients",
        "optimizer": "optimizer",
        "activations": "activations",
    }
    for part, value in parts.items():
        key = names.get(part, part)
        fig.add_bar(
            name=LABELS[key],
            x=x,
            y=[value / 1e9] * len(x),
            marker_color=COLORS[key],
            hovertemplate=f"{LABELS[key]}: %{{y:.2f}} GB<extra></extra>",
        )
    total = sum(parts.values()) / 1e9
    fig.add_hline(
        y=gpu_bytes / 1e9,
        line={"color": "#CC0000", "dash": "dash", "width": 2},
        annotation_text=f"GPU memory {gpu_bytes / 1e9:g} GB",
        annotation_position="top left",
    )
    verdict = "fits" if total <= gpu_bytes / 1e9 else "does NOT fit"
    fig.update_layout(
        template="plotly_white",
        barmode="stack",
        height=440,
        font={"size": 14},
        title={
            "text": title or f"{total:.1f} GB per GPU — {verdict} in {gpu_bytes / 1e9:g} GB",
            "x": 0.01,
        },
        yaxis_title="GB per GPU (10⁹ bytes)",
        yaxis_range=[0, max(total, gpu_bytes / 1e9) * 1.15],
        legend={"orientation": "h", "y": 1.02, "yanchor": "bottom", "traceorder": "normal"},
        margin={"l": 10, "r": 20, "t": 90, "b": 40},
    )
    return fig
