"""Gantt figures of pipeline traces (trace v1, see ../shared/DESIGN.md). Pure: no I/O, no state.

    $ python -c "from runner.gantt import figure; from runner.simulate import predict; \\
        figure(predict('1F1B', 4, 8)).write_html('/tmp/1f1b.html')"

One row per rank (rank 0 on top), one horizontal ``go.Bar`` trace per kind (so the legend
toggles kinds and 1000 bars stay cheap), bars placed with ``base=start, x=duration``; idle
time is the empty space between bars. Only one iteration is drawn, by default the one with
the median makespan, with its first event at time 0.

Time axes: a measured trace and a prediction on *measured* costs are both in µs, drawn in ms
on one shared x axis, so the gaps compare directly. A prediction on *unit* costs (F = 1,
B = 2) is in units, not time: it gets its own x axis titled "time (units)", never shared.
"""

from __future__ import annotations

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from runner import gantt_style as style
from runner.gantt_panel import Panel, by_iteration, median_iteration, panel

__all__ = [
    "compare_figure",
    "figure",
    "iterations",
    "median_iteration",
    "memory_figure",
    "panel",
    "tp_compare_figure",
]


def iterations(trace: dict) -> list[int]:
    return sorted(by_iteration(trace))


def _kind_bar(kind: str, bars: list, p: Panel) -> go.Bar:
    """One go.Bar holding every bar of ``kind`` in a panel (labels only where they fit)."""
    comm = kind in style.COMM_KINDS
    has_comm = any(k in style.COMM_KINDS for k in p.kinds)
    lane = style.COMM_LANE if comm else style.COMPUTE_LANE if has_comm else style.FULL_LANE
    lane = style.FULL_LANE if p.split else lane
    chunked = p.chunks > 1 and kind in style.COMPUTE_KINDS
    if kind == "IDLE":
        marker = {
            "color": style.COLORS["IDLE"],
            "pattern": style.IDLE_PATTERN,
            "line": {"width": 0.5, "color": "#8A8A8A"},
        }
    elif chunked:
        marker = {
            "color": [style.chunk_color(kind, b.chunk) for b in bars],
            "pattern": {
                "shape": [style.CHUNK_PATTERNS[min(b.chunk, 3)] for b in bars],
                "fgcolor": style.COLORS.get(kind, "#444444"),
                "fgopacity": 0.55,
                "size": 7,
            },
            "line": {"width": 0.5, "color": "white"},
        }
    else:
        marker = {
            "color": style.COLORS.get(kind, "#444444"),
            "line": {"width": 0.5, "color": "white"},
        }
    if p.tp:
        where = "layer %{customdata[2]} · rank %{customdata[3]}"
    else:
        where = "micro-batch %{customdata[1]} · stage %{customdata[2]} · rank %{customdata[3]}"
    if kind == "IDLE":
        where = "rank %{customdata[3]}"
    labelled = any(b.label for b in bars)
    return go.Bar(
        orientation="h",
        name=style.LEGEND_NAMES.get(kind, style.NAMES.get(kind, kind)),
        legendgroup=kind,
        y=[b.row for b in bars],
        base=[b.start for b in bars],
        x=[b.length for b in bars],
        width=lane["width"],
        offset=lane["offset"],
        marker=marker,
        text=[b.label for b in bars] if labelled else None,
        textposition="inside" if labelled else "none",
        insidetextanchor="middle",
        textangle=0,
        insidetextfont={"color": [style.chunk_text_color(kind, b.chunk) for b in bars]},
        customdata=[b.hover for b in bars],
        hovertemplate=(
            f"<b>%{{customdata[0]}}</b><br>{where}<br>start %{{customdata[4]}}<br>"
            "duration %{customdata[5]}<extra></extra>"
        ),
    )


def panel_bars(p: Panel) -> list[go.Bar]:
    """The go.Bar traces of one panel: one per kind, idle first (drawn behind)."""
    by_kind: dict[str, list] = {}
    for b in sorted(p.bars, key=lambda b: b.chunk):  # a rank's 1st stage first: legend swatch
        by_kind.setdefault(b.kind, []).append(b)
    order = sorted(by_kind, key=lambda k: (k != "IDLE", style.kind_rank(k)))
    return [_kind_bar(kind, by_kind[kind], p) for kind in order]


# Vertical geometry in pixels: a row per rank, room for a subplot title, an x axis, a legend.
ROW_PX, PANEL_PX, AXIS_PX, TOP_PX, LEGEND_PX = 44, 40, 70, 40, 70


def _stack(
    panels: list[tuple[dict, int | None]], title: str | None, named: bool = False
) -> go.Figure:
    """Panels one above another; x shared only when every panel is in the same unit."""
    built = [panel(t, it, named=named) for t, it in panels]
    shared = len({p.unit for p in built}) == 1
    rows_px = [ROW_PX * max(len(p.rows), 1) for p in built]
    gap_px = PANEL_PX + (0 if shared else AXIS_PX)
    plot_px = sum(rows_px) + gap_px * (len(panels) - 1)
    top_px = TOP_PX + (36 if title else 0)
    fig = make_subplots(
        rows=len(built),
        cols=1,
        shared_xaxes=shared,
        vertical_spacing=gap_px / plot_px if len(built) > 1 else 0,
        row_heights=[r / sum(rows_px) for r in rows_px],
        subplot_titles=[p.title for p in built],
    )
    seen: set[str] = set()
    for row, p in enumerate(built, 1):
        for bar in panel_bars(p):
            bar.showlegend = bar.legendgroup not in seen
            seen.add(bar.legendgroup)
            fig.add_trace(bar, row=row, col=1)
        fig.update_yaxes(
            categoryorder="array", categoryarray=p.rows, autorange="reversed", row=row, col=1
        )
        if not shared or row == len(built):
            fig.update_xaxes(title_text=style.axis_title(p.trace), row=row, col=1)
    _layout(fig, plot_px, top_px, title)
    return fig


def _layout(fig: go.Figure, plot_px: int, top_px: int, title: str | None) -> None:
    fig.update_layout(
        template="plotly_white",
        barmode="overlay",
        height=plot_px + top_px + AXIS_PX + LEGEND_PX,
        title={"text": title, "x": 0.01, "y": 0.995, "yanchor": "top", "font": {"size": 16}}
        if title
        else None,
        # under the x axis: a legend that wraps on a phone grows down, over nothing
        legend={
            "orientation": "h",
            "yanchor": "top",
            "y": -AXIS_PX / plot_px,
            "x": 0,
            "title": None,
            "font": {"size": 13},
        },
        margin={"l": 10, "r": 16, "t": top_px, "b": AXIS_PX + LEGEND_PX - 20},
        uniformtext={"minsize": 11, "mode": "hide"},
        hoverlabel={"align": "left"},
        font={"size": 14},
    )
    fig.update_annotations(font_size=14, xanchor="left", x=0)  # subplot titles, left-aligned
    fig.update_xaxes(rangemode="tozero", showgrid=True, gridcolor="#E5E5E5", zeroline=False)
    fig.update_yaxes(showgrid=False, ticks="", ticksuffix="  ", automargin=True,
                     tickfont={"size": 13})  # fmt: skip
    fig.update_xaxes(tickfont={"size": 13})


def figure(
    trace: dict,
    predicted: dict | None = None,
    *,
    title: str | None = None,
    iteration: int | None = None,
) -> go.Figure:
    """Gantt chart of ``trace``; with ``predicted``, measured on top and the prediction below.

    ``iteration`` picks the iteration drawn (default: the median-makespan one). The two panels
    share the x axis when the prediction used measured costs; a unit-cost prediction is drawn
    on its own "time (units)" axis.
    """
    panels = [(trace, iteration)]
    if predicted is not None:
        panels.append((predicted, None))
    return _stack(panels, style.describe_spec(trace) if title is None else title)


def compare_figure(
    trace_a: dict, trace_b: dict, *, title: str | None = None, iteration: int | None = None
) -> go.Figure:
    """Two traces one above the other (e.g. GPipe against 1F1B), same rules as ``figure``."""
    return _stack([(trace_a, iteration), (trace_b, iteration)], title, named=True)


def tp_compare_figure(
    blocking: dict, ladder: dict, *, title: str | None = None, iteration: int | None = None
) -> go.Figure:
    """Blocking TP above Ladder Residual on one shared time axis (same scale, so the shorter
    step and the all-reduces hidden under compute compare directly)."""
    if title is None:
        title = style.describe_spec(blocking)
        a, b = (t.get("summary", {}).get("step_wall_us") for t in (blocking, ladder))
        if a and b:
            title += f" — ladder {a / b:.2f}× the speed of blocking"
    return _stack([(blocking, iteration), (ladder, iteration)], title)


def memory_figure(trace: dict, *, title: str | None = None) -> go.Figure:
    """Peak activation memory per rank: MiB when bytes were measured, else micro-batches."""
    rows = sorted(
        (m for m in trace.get("memory", []) if m.get("kind", "activations") == "activations"),
        key=lambda m: m["rank"],
    )
    # a prediction without a measured byte size carries only micro-batch counts
    counts = all("peak_microbatches" in m for m in rows) and not all(
        m.get("peak_bytes") for m in rows
    )
    in_bytes = not counts
    values = [m["peak_bytes"] / 2**20 if in_bytes else m["peak_microbatches"] for m in rows]
    unit = "MiB" if in_bytes else "micro-batches in flight"
    fig = go.Figure(
        go.Bar(
            x=[f"rank {m['rank']}" for m in rows],
            y=values,
            marker_color=style.COLORS["F"],
            width=0.55,
            text=[f"{v:.1f}" if in_bytes else str(v) for v in values],
            textposition="outside",
            hovertemplate="%{x}<br>peak %{y:.2f} " + unit + "<extra></extra>",
        )
    )
    fig.update_layout(
        template="plotly_white",
        title={"text": title or f"Peak activations — {style.describe_spec(trace)}", "x": 0.01},
        yaxis_title=f"peak activations ({unit})",
        height=360,
        margin={"l": 10, "r": 20, "t": 60, "b": 40},
    )
    return fig
