"""Figures of an expert-parallel run beside its Gantt chart. Pure: no I/O, no state.

    $ python -c "from runner.moe_figures import tokens_figure; \\
        tokens_figure([900, 400, 380, 368], [640, 400, 380, 368], 640, 2).write_html('/tmp/t.html')"

`tokens_figure`: tokens per expert in one layer, summed over ranks — kept (solid) and dropped
(hatched) stacked, with the capacity line (capacity × ranks: every rank may send that many
to each expert). `params_figure`: total parameters against those one token uses.
"""

from __future__ import annotations

import plotly.graph_objects as go

from runner import gantt_style as style

KEPT, DROPPED, CAPACITY = "#0072B2", "#D55E00", "#222222"


def tokens_figure(
    routed: list[float], kept: list[float], capacity: float | None, ep: int, *, title: str = ""
) -> go.Figure:
    """Stacked bars per expert: kept and dropped tokens; a dashed line at the capacity."""
    local = len(routed) // ep or 1
    names = [f"<b>expert {e}</b><br>on rank {e // local}" for e in range(len(routed))]
    dropped = [r - k or None for r, k in zip(routed, kept, strict=True)]  # None: no outline
    fig = go.Figure()
    fig.add_bar(x=names, y=kept, name="kept", marker_color=KEPT,
                text=[f"{k:.0f}" for k in kept], textposition="inside",
                insidetextfont={"color": "white"},
                hovertemplate="%{x}<br>kept %{y:.0f} tokens<extra></extra>")  # fmt: skip
    fig.add_bar(x=names, y=dropped, name="dropped (over capacity)", marker_color="white",
                marker_pattern={"shape": "/", "fgcolor": DROPPED, "size": 7},
                marker_line={"color": DROPPED, "width": 1.5},
                text=[f"{d:.0f} dropped" if d else "" for d in dropped], textposition="outside",
                hovertemplate="%{x}<br>dropped %{y:.0f} tokens<extra></extra>")  # fmt: skip
    if capacity:
        fig.add_hline(y=capacity * ep, line_dash="dash", line_color=CAPACITY,
                      annotation_text=f"capacity {capacity:.0f} × {ep} ranks",
                      annotation_position="top right")  # fmt: skip
    fig.update_layout(
        template="plotly_white", barmode="stack", height=380, font={"size": 14},
        title={"text": title, "x": 0.01}, yaxis_title="tokens (one layer, all ranks)",
        legend={"orientation": "h", "y": -0.25, "x": 0, "traceorder": "normal"},
        margin={"l": 10, "r": 20, "t": 60, "b": 40},
    )  # fmt: skip
    return fig


def params_figure(total: int, active: int, *, title: str = "") -> go.Figure:
    """Two horizontal bars: parameters held in memory against parameters one token uses."""
    fig = go.Figure(
        go.Bar(
            orientation="h",
            y=["in memory (all experts)", "used per token (k experts)"],
            x=[total / 1e6, active / 1e6],
            marker_color=[style.COLORS["COMPUTE"], style.COLORS["F"]],
            text=[f"{total / 1e6:.2f} M", f"{active / 1e6:.2f} M ({active / total:.0%})"],
            textposition="auto",
            hovertemplate="%{y}: %{x:.2f} M parameters<extra></extra>",
        )
    )
    fig.update_layout(
        template="plotly_white", height=200, font={"size": 14}, xaxis_title="parameters (M)",
        title={"text": title, "x": 0.01}, margin={"l": 10, "r": 20, "t": 50, "b": 40},
        yaxis={"autorange": "reversed", "ticksuffix": "  "},
    )  # fmt: skip
    return fig
