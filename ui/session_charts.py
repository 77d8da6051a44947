"""Plotly figures of a class's answers, sized to be read on a projector.

`figure(dist, revealed=...)` takes a distribution from `classroom.sessions_stats` and draws
it; the key is marked only once it is `revealed`, so a projected chart never gives it away.
Colours are the Okabe-Ito ones of the Gantt charts (blue answers, green key, vermillion for
the measured value of a class run).
"""

from __future__ import annotations

import re

import plotly.graph_objects as go

from runner.gantt_style import COLORS

BLUE, GREEN, GREY, RED = COLORS["F"], COLORS["W"], "#999999", COLORS["B"]
FONT = 20
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def plain(text: str, limit: int = 48) -> str:
    """Markdown/LaTeX reduced to plain text for chart labels, cut at `limit` characters."""
    text = re.sub(r"[*_`$\\]|\{|\}", "", " ".join(str(text).split()))
    return text if len(text) <= limit else text[: limit - 1] + "…"


def figure(dist: dict, *, revealed: bool, measured: float | None = None) -> go.Figure:
    """The chart for this kind of distribution (choice, matching, numeric or ordering)."""
    draw = {"choice": _choice, "matching": _matching, "numeric": _numeric, "ordering": _ordering}
    fig = draw[dist["kind"]](dist, revealed, measured)
    fig.update_layout(
        font={"size": FONT},
        margin={"l": 10, "r": 30, "t": 70, "b": 70},
        plot_bgcolor="white",
        showlegend=False,
        height=max(320, fig.layout.height or 0),
    )
    return fig


def _share(count: int, total: int) -> str:
    return f"{count}  ({count / total:.0%})" if total else "0"


def _choice(dist: dict, revealed: bool, _measured) -> go.Figure:
    bars = dist["bars"]
    labels = [f"{LETTERS[i]}. {plain(b['label'])}" for i, b in enumerate(bars)]
    colors = [GREEN if revealed and b["correct"] else BLUE for b in bars]
    fig = go.Figure(
        go.Bar(
            x=[b["count"] for b in bars],
            y=labels,
            orientation="h",
            marker_color=colors,
            text=[_share(b["count"], dist["total"]) for b in bars],
            textposition="outside",
            cliponaxis=False,
        )
    )
    fig.update_yaxes(autorange="reversed", automargin=True)
    top = max([b["count"] for b in bars] + [1])
    fig.update_xaxes(
        title="learners", dtick=1 if dist["total"] <= 10 else None, range=[0, top * 1.3]
    )  # room for the "n (p%)" labels outside the bars
    fig.update_layout(height=90 + 70 * len(bars))
    return fig


def _matching(dist: dict, revealed: bool, _measured) -> go.Figure:
    right_ids = list(dist["right"])
    z = [[row["counts"][r] for r in right_ids] for row in dist["rows"]]
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=[plain(dist["right"][r], 28) for r in right_ids],
            y=[plain(row["label"], 28) for row in dist["rows"]],
            colorscale=[[0, "#F4F8FB"], [1, BLUE]],
            showscale=False,
            text=z,
            texttemplate="%{text}",
            textfont={"size": FONT + 4},
            xgap=3,
            ygap=3,
        )
    )
    if revealed:
        for y, row in enumerate(dist["rows"]):
            x = right_ids.index(row["key"])
            fig.add_shape(
                type="rect",
                x0=x - 0.5,
                x1=x + 0.5,
                y0=y - 0.5,
                y1=y + 0.5,
                line={"color": GREEN, "width": 5},
            )
    fig.update_yaxes(autorange="reversed", automargin=True)
    fig.update_xaxes(side="top", automargin=True, tickangle=0)
    fig.update_layout(height=140 + 80 * len(dist["rows"]))
    return fig


def _numeric(dist: dict, revealed: bool, measured: float | None) -> go.Figure:
    bins = dist["bins"]
    fig = go.Figure(
        go.Bar(
            x=[(b["lo"] + b["hi"]) / 2 for b in bins],
            y=[b["count"] for b in bins],
            width=[(b["hi"] - b["lo"]) * 0.95 for b in bins],
            marker_color=BLUE,
            hovertemplate="%{y} answers<extra></extra>",
        )
    )
    if revealed:
        key, tol = dist["key"], dist["tolerance"]
        if tol:
            fig.add_vrect(x0=key - tol, x1=key + tol, fillcolor=GREEN, opacity=0.15, line_width=0)
        fig.add_vline(x=key, line={"color": GREEN, "width": 4})
        _label(fig, key, 1.0, f"key {key:g}", GREEN)
    if measured is not None:
        fig.add_vline(x=measured, line={"color": RED, "width": 4, "dash": "dash"})
        _label(fig, measured, 1.09, f"measured {measured:.3g}", RED)
    fig.update_yaxes(
        title="answers",
        automargin=True,
        rangemode="tozero",
        dtick=1 if dist["total"] <= 10 else None,
    )
    fig.update_xaxes(title="answer")
    if dist["outliers"]:
        fig.update_layout(title=f"{dist['outliers']} answer(s) far outside, not drawn")
    return fig


def _label(fig: go.Figure, x: float, y: float, text: str, color: str) -> None:
    font = {"color": color, "size": FONT}
    fig.add_annotation(
        x=x, y=y, yref="paper", yanchor="bottom", text=text, showarrow=False, font=font
    )


def _ordering(dist: dict, revealed: bool, _measured) -> go.Figure:
    total = dist["total"] or 1
    pos = dist["positions"]
    if revealed:  # agreement with the key, position by position
        labels = [f"{p['position']}. {plain(p['key_label'], 36)}" for p in pos]
        values = [p["agree"] / total for p in pos]
        color = GREEN
    else:  # the class's own consensus, without showing the key
        labels = [f"{p['position']}. {plain(p['top'], 36)}" for p in pos]
        values = [p.get("top_count", 0) / total for p in pos]
        color = GREY
    fig = go.Figure(
        go.Bar(
            x=values,
            y=labels,
            orientation="h",
            marker_color=color,
            text=[f"{v:.0%}" for v in values],
            textposition="auto",
        )
    )
    fig.update_xaxes(
        range=[0, 1],
        tickformat=".0%",
        title=(
            "learners who put the key's item at this position"
            if revealed
            else "learners who agree on the commonest item at this position"
        ),
    )
    fig.update_yaxes(autorange="reversed", automargin=True)
    fig.update_layout(height=90 + 60 * len(pos))
    return fig
