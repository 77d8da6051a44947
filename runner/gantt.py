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

import statistics

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from runner import gantt_style as style
from runner.simulate_bubble import bubble, makespan


def iterations(trace: dict) -> list[int]:
    return sorted({e.get("iteration", 0) for e in trace["events"]}) or [0]


def median_iteration(trace: dict) -> int:
    """The iteration whose makespan is the median one (the lower median for an even count)."""
    spans = {
        it: makespan([e for e in trace["events"] if e.get("iteration", 0) == it])
        for it in iterations(trace)
    }
    target = statistics.median_low(spans.values())
    return min(it for it, span in spans.items() if span == target)


def rank_labels(events: list[dict], ranks: list[int]) -> dict[int, str]:
    """'rank 0 · stage 0,3' for each rank, from the stages its compute events ran."""
    stages: dict[int, set[int]] = {r: set() for r in ranks}
    for e in events:
        if e["kind"] in style.COMPUTE_KINDS and e.get("stage") is not None:
            stages[e["rank"]].add(e["stage"])
    return {
        r: f"rank {r} · stage {','.join(map(str, sorted(stages[r])))}" if stages[r] else f"rank {r}"
        for r in ranks
    }


def _panel_events(trace: dict, iteration: int | None) -> tuple[list[dict], int]:
    it = median_iteration(trace) if iteration is None else iteration
    events = [e for e in trace["events"] if e.get("iteration", 0) == it]
    return events, it


def _kind_trace(kind: str, events: list[dict], row_of, scale: dict, lane: dict, fmt, tp: bool):
    """One go.Bar holding every event of ``kind`` in a panel (text: layer for TP traces)."""
    t0 = scale["t0"]
    if tp:
        text = ["" if e.get("stage") is None else str(e["stage"]) for e in events]
        where = "layer %{customdata[2]} · rank %{customdata[3]}"
    else:
        text = ["" if e.get("microbatch") is None else str(e["microbatch"]) for e in events]
        where = "micro-batch %{customdata[1]} · stage %{customdata[2]} · rank %{customdata[3]}"
    return go.Bar(
        orientation="h",
        name=style.NAMES.get(kind, kind),
        legendgroup=kind,
        y=[row_of(e) for e in events],
        base=[(e["start_us"] - t0) / scale["div"] for e in events],
        x=[(e["end_us"] - e["start_us"]) / scale["div"] for e in events],
        width=lane["width"],
        offset=lane["offset"],
        marker={
            "color": style.COLORS.get(kind, "#444444"),
            "line": {"width": 0.5, "color": "white"},
            "pattern": {"shape": "/", "fgcolor": "#AAAAAA"} if kind == "IDLE" else None,
        },
        text=text,
        textposition="inside",
        insidetextanchor="middle",
        constraintext="inside",
        textangle=0,
        insidetextfont={"color": style.TEXT_COLORS.get(kind, "black")},
        customdata=[
            [
                style.NAMES.get(kind, kind),
                "-" if e.get("microbatch") is None else e["microbatch"],
                "-" if e.get("stage") is None else e["stage"],
                e["rank"],
                fmt(e["start_us"] - t0),
                fmt(e["end_us"] - e["start_us"]),
            ]
            for e in events
        ],
        hovertemplate=(
            f"<b>%{{customdata[0]}}</b><br>{where}<br>start %{{customdata[4]}}<br>"
            "duration %{customdata[5]}<extra></extra>"
        ),
    )


def panel_traces(trace: dict, iteration: int | None = None) -> tuple[list[go.Bar], list[str]]:
    """The bar traces of one panel and its row labels, top to bottom.

    Pipeline traces: a row per rank, communication in a thin lane under the compute bars.
    Tensor-parallel traces with more than one stream: a row per (rank, stream), so that an
    all-reduce running under compute (Ladder Residual) is visible as overlapping bars.
    """
    events, _ = _panel_events(trace, iteration)
    world = trace.get("meta", {}).get("world_size") or 0
    ranks = sorted({e["rank"] for e in events} | set(range(world)))
    unit = style.is_unit_cost(trace)
    scale = {"t0": min((e["start_us"] for e in events), default=0.0), "div": 1 if unit else 1e3}
    fmt = style.fmt_units if unit else style.fmt_duration
    tp = style.is_tensor_parallel(trace)
    split = tp and len({e.get("stream", "compute") for e in events}) > 1
    if split:
        row_of, rows = style.stream_rows(events, ranks)
    else:
        labels = rank_labels(events, ranks)
        row_of, rows = (lambda e: labels[e["rank"]]), [labels[r] for r in ranks]
    has_comm = any(e["kind"] not in style.COMPUTE_KINDS | {"IDLE"} for e in events)
    by_kind: dict[str, list[dict]] = {}
    for e in events:
        by_kind.setdefault(e["kind"], []).append(e)
    bars = []
    for kind in sorted(by_kind, key=lambda k: (k != "IDLE", _kind_rank(k))):
        comm = kind not in style.COMPUTE_KINDS | {"IDLE"}
        lane = style.COMM_LANE if comm else style.COMPUTE_LANE if has_comm else style.FULL_LANE
        lane = style.FULL_LANE if split else lane
        bars.append(_kind_trace(kind, by_kind[kind], row_of, scale, lane, fmt, tp))
    return bars, rows


def _kind_rank(kind: str) -> int:
    return style.KIND_ORDER.index(kind) if kind in style.KIND_ORDER else len(style.KIND_ORDER)


def _pct(x: float) -> str:
    return f"{100 * x:.1f} %"


def panel_title(trace: dict, iteration: int | None = None) -> str:
    """'Measured · 1F1B — bubble 23.1 % of rank-time · 30.0 % of ideal compute'.

    Short enough for a narrow column; the textbook formula is shown beside the chart.
    """
    if style.is_tensor_parallel(trace):
        return _tp_title(trace)
    _, it = _panel_events(trace, iteration)
    b = bubble(trace, iteration=it)
    schedule = trace.get("spec", {}).get("schedule", "?")
    title = (
        f"<b>{style.panel_name(trace)} · {schedule}</b> — bubble {_pct(b['idle_over_total'])}"
        f" of rank-time · {_pct(b['idle_over_ideal'])} of ideal compute"
    )
    return title


def _tp_title(trace: dict) -> str:
    """'Measured · ladder — step 12.30 ms · all-reduce waited 1.20 ms per step' (means)."""
    summary = trace.get("summary", {})
    mode = trace.get("spec", {}).get("mode", trace.get("spec", {}).get("schedule", "?"))
    title = f"<b>{style.panel_name(trace)} · {mode}</b>"
    if "step_wall_us" in summary:
        title += f" — step {summary['step_wall_us'] / 1e3:.2f} ms"
    if "comm_exposed_us" in summary:
        title += f" · all-reduce waited {summary['comm_exposed_us'] / 1e3:.2f} ms per step"
    return title


# Vertical geometry in pixels: a row per rank, room for a subplot title, an x axis, a legend.
ROW_PX, PANEL_PX, AXIS_PX, TOP_PX, BOTTOM_PX = 44, 40, 70, 80, 60


def _stack(panels: list[tuple[dict, int | None]], title: str | None) -> go.Figure:
    """Panels one above another; x shared only when every panel is in the same unit."""
    shared = len({style.is_unit_cost(t) for t, _ in panels}) == 1
    built = [panel_traces(t, it) for t, it in panels]
    rows_px = [ROW_PX * max(len(labels), 1) for _, labels in built]
    gap_px = PANEL_PX + (0 if shared else AXIS_PX)
    plot_px = sum(rows_px) + gap_px * (len(panels) - 1)
    top_px = TOP_PX + (40 if title else 0)
    fig = make_subplots(
        rows=len(panels),
        cols=1,
        shared_xaxes=shared,
        vertical_spacing=gap_px / plot_px if len(panels) > 1 else 0,
        row_heights=[r / sum(rows_px) for r in rows_px],
        subplot_titles=[panel_title(t, it) for t, it in panels],
    )
    seen: set[str] = set()
    for row, ((bars, labels), (trace, _)) in enumerate(zip(built, panels, strict=True), 1):
        for bar in bars:
            bar.showlegend = bar.legendgroup not in seen
            seen.add(bar.legendgroup)
            fig.add_trace(bar, row=row, col=1)
        fig.update_yaxes(
            categoryorder="array", categoryarray=labels, autorange="reversed", row=row, col=1
        )
        if not shared or row == len(panels):
            fig.update_xaxes(title_text=style.axis_title(trace), row=row, col=1)
    _layout(fig, plot_px, top_px, title)
    return fig


def _layout(fig: go.Figure, plot_px: int, top_px: int, title: str | None) -> None:
    fig.update_layout(
        template="plotly_white",
        barmode="overlay",
        height=plot_px + top_px + BOTTOM_PX,
        title={"text": title, "x": 0.01, "y": 0.99, "yanchor": "top"} if title else None,
        # above the first subplot title (annotations sit just over the plot area)
        legend={
            "orientation": "h",
            "yanchor": "bottom",
            "y": 1 + 30 / plot_px,
            "x": 0,
            "title": None,
        },
        margin={"l": 10, "r": 20, "t": top_px, "b": BOTTOM_PX},
        uniformtext={"minsize": 11, "mode": "hide"},
        hoverlabel={"align": "left"},
        font={"size": 13},
    )
    fig.update_annotations(font_size=13, xanchor="left", x=0)  # subplot titles, left-aligned
    fig.update_xaxes(rangemode="tozero", showgrid=True, gridcolor="#EEEEEE", zeroline=False)
    fig.update_yaxes(showgrid=False, ticks="", ticksuffix="  ", automargin=True)


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
    return _stack([(trace_a, iteration), (trace_b, iteration)], title)


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
