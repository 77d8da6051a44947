"""The presenter view: join code and QR, the open question, live counts and distribution, reveal.

Made for a projector at 1920×1080: big type (CSS on the `presenter-stage` container), the
chart beside the question, and the instructor's controls in one row above them. The counts
and the chart are a fragment that redraws itself every second.
"""

from __future__ import annotations

import time

import streamlit as st

from classroom.sessions_stats import distribution
from ui.session_charts import figure
from ui.session_common import (
    join_url,
    live_questions,
    qr_png,
    reachable_only_here,
    sessions,
    show_choices,
    show_key,
    show_prompt,
)
from ui.session_run import (
    class_run_view,
    leaderboard_view,
    runnable_labs,
    start_class_run,
    torch_ready,
)

LIVE_S = 1.0
STAGE_CSS = """
<style>
.st-key-presenter-stage p, .st-key-presenter-stage li { font-size: 1.55rem; line-height: 1.45; }
.st-key-presenter-stage h1 { font-size: 2.6rem; }
.st-key-presenter-code p { font-size: 1.2rem; margin: 0; }
.st-key-presenter-code h1 { font-size: 4.2rem; letter-spacing: 0.3rem; padding: 0; }
.st-key-presenter-stage [data-testid="stMetricValue"] { font-size: 3rem; }
</style>
"""


def header(live, lesson) -> None:
    """Lesson title, the join code in large letters, the link and its QR code."""
    url = join_url(live.code)
    left, right = st.columns([5, 1], vertical_alignment="center")
    with left, st.container(key="presenter-code"):
        st.markdown(f"Join at **{url.split('?')[0]}** with the code")
        st.title(live.code)
        st.markdown(
            f"{lesson.title} · {'instructor-paced' if live.mode == 'paced' else 'self-paced'}"
        )
        if reachable_only_here(url):
            st.caption(
                "This link names localhost: set PARALAB_PUBLIC_URL to the address "
                "learners can reach (e.g. http://10.0.0.5:8501)."
            )
    right.image(qr_png(url), width=190, caption="Scan to join")


def controls(live, lesson) -> str | None:
    """Question picker and Open / Close / countdown / Reveal; returns the question on stage."""
    qs = live_questions(lesson)
    ids = [q.id for q in qs]
    default = live.open_question if live.open_question in ids else ids[0]
    key = f"stage-q-{live.id}"
    if st.session_state.get(key) not in ids:  # "Next →" sets it; else start at the open one
        st.session_state[key] = default
    cols = st.columns([3, 4], vertical_alignment="bottom")
    shown = cols[0].selectbox(
        "Question on stage", ids, format_func=lambda i: f"{ids.index(i) + 1}. {i}", key=key,
    )  # fmt: skip
    with cols[1]:
        cols = st.columns(5)
    paced = live.mode == "paced"
    is_open = live.is_open(time.time()) and live.open_question == shown
    store = sessions()
    if paced:
        cols[0].button(
            "Open",
            key="live-open",
            type="primary",
            disabled=is_open,
            on_click=store.open_question,
            args=(live.id, shown),
        )
        cols[1].button(
            "Close",
            key="live-close",
            disabled=not is_open,
            on_click=store.close_question,
            args=(live.id,),
        )
        cols[2].button(
            "10 s",
            key="live-countdown",
            disabled=not is_open,
            help="Close after a 10 s countdown",
            on_click=store.close_question,
            args=(live.id, 10),
        )
    cols[3].button(
        "Reveal",
        key="live-reveal",
        disabled=shown in live.revealed,
        on_click=store.reveal,
        args=(live.id, shown),
    )
    nxt = ids.index(shown) + 1
    if paced:
        cols[4].button(
            "Next →",
            key="live-next",
            disabled=nxt >= len(ids),
            on_click=_open_next,
            args=(live.id, ids[min(nxt, len(ids) - 1)]),
        )
    return shown


def _open_next(session_id: int, question_id: str) -> None:
    """Button callback: show the next question on stage and open it for the class."""
    st.session_state[f"stage-q-{session_id}"] = question_id
    sessions().open_question(session_id, question_id)


def stage(live, lesson, question_id: str) -> None:
    """The projected part: the question as learners see it, then counts and distribution."""
    st.html(STAGE_CSS)
    numbers = {q.id: i for i, q in enumerate(live_questions(lesson), 1)}
    q = lesson.question(question_id)
    with st.container(key="presenter-stage"):
        left, right = st.columns([5, 6], gap="large")
        with left:
            show_prompt(q, numbers[q.id], points=False)
            show_choices(q)
            if q.id in live.revealed:
                show_key(q)
        with right:
            _live_numbers(live.id, q.id, lesson.id)


@st.fragment(run_every=LIVE_S)
def _live_numbers(session_id: int, question_id: str, lesson_id: str) -> None:
    live = sessions().get(session_id)
    from ui.resources import catalog

    lesson = next(les for les in catalog().lessons if les.id == lesson_id)
    q = lesson.question(question_id)
    answers = sessions().answers(session_id, question_id)
    joined = len(sessions().members(session_id))
    a, b, c = st.columns(3)
    a.metric("Joined", joined)
    b.metric("Answered", f"{len(answers)} / {joined}")
    state = _state_label(live, question_id)
    c.metric("Question", state)
    dist = distribution(q, answers)
    st.plotly_chart(
        figure(dist, revealed=question_id in live.revealed),
        key=f"dist-{session_id}-{question_id}",
        width="stretch",
        config={"displayModeBar": False},
        theme=None,  # our projector-sized fonts, not the app theme's small ones
    )


def _state_label(live, question_id: str) -> str:
    if question_id in live.revealed:
        return "revealed"
    if live.mode == "self":
        return "open"
    if live.open_question != question_id:
        return "not open"
    left = live.seconds_left(time.time())
    if left is None:
        return "open"
    return f"{left:.0f} s" if left > 0 else "closed"


def run_panel(live, lesson) -> None:
    """Pick a lab preset of the lesson and run it for the class; then everybody watches it."""
    if not torch_ready():
        _wait_for_torch()
        return
    labs = runnable_labs(lesson)
    if not labs:
        st.caption("This lesson has no lab presets to run.")
        return
    cols = st.columns([4, 1], vertical_alignment="bottom")
    lab_id = cols[0].selectbox(
        "Lab preset",
        list(labs),
        key=f"run-lab-{live.id}",
        format_func=lambda i: f"{i}" + (f" — cannot run here: {labs[i][1]}" if labs[i][1] else ""),
    )
    lab, problem = labs[lab_id]
    if cols[1].button("Run for the class", key="live-run", type="primary", disabled=bool(problem)):
        problem = start_class_run(live, lab)
        if problem:
            st.error(f"This run cannot start — {problem}")
        else:
            st.rerun()
    if live.run_job_id is not None:
        class_run_view(live, lesson, key=f"presenter-run-{live.id}")


@st.fragment(run_every=2.0)
def _wait_for_torch() -> None:
    if torch_ready():
        st.rerun(scope="app")
    st.info("Getting the lab ready (loading PyTorch)…", icon=":material/hourglass_top:")


def options_panel(live, lesson) -> None:
    """Leaderboard (off by default) and hidden names, in the sidebar."""
    board = st.sidebar.toggle("Show leaderboard", value=live.leaderboard, key=f"lb-{live.id}")
    hide = st.sidebar.toggle("Hide names", value=live.hide_names, key=f"hide-{live.id}")
    if (board, hide) != (live.leaderboard, live.hide_names):
        sessions().set_options(live.id, leaderboard=board, hide_names=hide)
        st.rerun()
    if live.leaderboard:
        leaderboard_view(live, lesson)
