"""A learner in a live session: join by code, follow the instructor, answer, see reveals and runs.

The page is drawn from the session's row; a small fragment asks every `FOLLOW_S` seconds
whether the row's version moved (a question opened or closed, a reveal, a class run) and
reruns the page when it did, so every screen follows the instructor within about 2 s.
"""

from __future__ import annotations

import time

import streamlit as st

from classroom.sessions import AnswerRefused
from lessons.grading import grade
from ui.identity import PARAM
from ui.resources import store
from ui.session_common import (
    FOLLOW_S,
    answer_widget,
    incomplete,
    live_questions,
    sessions,
    show_key,
    show_prompt,
)
from ui.session_run import class_run_view, leaderboard_view


def join_form(code: str = "", *, learner=None, key: str = "join") -> None:
    """Code (and a display name when nobody is signed in); on success, go to the session."""
    with st.form(key, border=True):
        st.markdown("#### :material/groups: Join a live session")
        typed = st.text_input(
            "Session code", value=code, max_chars=12, key=f"{key}_code", placeholder="e.g. K7QX2M"
        )
        name = None
        if learner is None:
            name = st.text_input(
                "Display name",
                max_chars=40,
                key=f"{key}_name",
                placeholder="e.g. Ada",
                help="Shown to your instructor.",
            )
        else:
            st.caption(f"You join as **{learner.name}**; your answers are kept if you rejoin.")
        go = st.form_submit_button("Join", type="primary")
    if go:
        _join(typed, name, learner)


def _join(code: str, name: str | None, learner) -> None:
    live = sessions().by_code(code or "")
    if live is None or live.ended:
        st.error(
            f"No open session has the code {code.strip().upper()!r}. Check the code on "
            "the projector."
        )
        return
    try:
        learner = learner or store().create_learner(name or "")
    except ValueError as err:
        st.error(f"Display name: {err}")
        return
    sessions().join(live.id, learner.id)
    st.session_state["learner_token"] = learner.token
    st.switch_page("pages/session.py", query_params={PARAM: learner.token, "code": live.code})


def learner_view(live, lesson, learner) -> None:
    """The whole session screen of one learner."""
    _follow(live.id, live.version, live.closes_at if live.is_open(time.time()) else None)
    mode = "instructor-paced" if live.mode == "paced" else "self-paced"
    st.caption(f"Live session **{live.code}** · {mode} · you are **{learner.name}**")
    st.title(lesson.title)
    if live.ended:
        st.info("This session has ended. Your answers are saved; see *My progress*.")
    mine = {a.question_id: a for a in sessions().answers(live.id) if a.learner_id == learner.id}
    numbers = {q.id: i for i, q in enumerate(live_questions(lesson), 1)}
    if live.mode == "paced":
        if live.open_question is None:
            st.info(
                "Waiting for the instructor to open the first question…",
                icon=":material/hourglass_top:",
            )
        else:
            q = lesson.question(live.open_question)
            question_card(live, q, numbers[q.id], learner, mine.get(q.id))
    else:
        for q in live_questions(lesson):
            question_card(live, q, numbers[q.id], learner, mine.get(q.id))
    if live.run_job_id is not None:
        class_run_view(live, lesson, key=f"learner-run-{live.id}")
    if live.leaderboard:
        leaderboard_view(live, lesson)


@st.fragment(run_every=FOLLOW_S)
def _follow(session_id: int, seen: int, closes_at: float | None) -> None:
    """Rerun the page when the session changed; show the countdown while one runs."""
    if sessions().version(session_id) != seen:
        st.rerun(scope="app")
    if closes_at is not None:  # a countdown runs: tick, and redraw the page when it ends
        left = closes_at - time.time()
        if left <= 0:
            st.rerun(scope="app")
        st.markdown(f"### :material/timer: Closes in {left:.0f} s")


def question_card(live, question, number: int, learner, mine) -> None:
    """One question: prompt, input (while it takes answers), what happened, the key if revealed."""
    key = f"live-{live.id}-{question.id}"
    now = time.time()
    refusal = live.refusal(question.id, now)
    revealed = question.id in live.revealed
    with st.container(border=True, key=f"{key}-card"):
        show_prompt(question, number)
        # Streamlit drops the values of disabled widgets, so the widgets stay enabled for one
        # more run after the close: a click sent just before it then reaches the store, which
        # refuses it with a reason, instead of being lost without a word.
        was_open = st.session_state.get(f"{key}-accepting", False)
        st.session_state[f"{key}-accepting"] = refusal is None
        frozen = refusal is not None and not was_open
        last = mine.answer if mine else None
        answer = answer_widget(question, key, last, disabled=frozen)
        if not revealed and st.button(
            "Submit", key=f"{key}-submit", type="primary", disabled=frozen
        ):
            mine = _submit(live, question, learner, answer) or mine
        elif refusal is not None and was_open:
            st.rerun()  # the question just closed and nothing was sent: draw it frozen
        if mine and not revealed:
            note = "You can change it until the question closes." if refusal is None else ""
            st.success(f"Answer received. {note}", icon=":material/done:")
        if refusal and not revealed:
            closed = live.open_question == question.id and live.mode == "paced"
            st.warning(
                "Closed — waiting for the instructor to reveal the answer." if closed else refusal,
                icon=":material/lock:",
            )
        if revealed:
            _revealed(question, mine)


def _submit(live, question, learner, answer):
    problem = incomplete(question, answer)
    if problem:
        st.warning(problem)
        return None
    result = grade(question, answer)
    try:
        return sessions().submit(
            live.id, learner.id, question.id, answer, score=result.score, correct=result.correct
        )
    except AnswerRefused as refused:
        st.error(str(refused), icon=":material/block:")
    except ValueError as err:
        st.error(f"That answer cannot be stored: {err}")
    return None


def _revealed(question, mine) -> None:
    if mine is None:
        st.caption("You did not answer this one.")
    elif mine.correct:
        st.success(f"You were right — score {mine.score:.0%}.", icon=":material/check_circle:")
    else:
        st.error(f"Not quite — score {mine.score:.0%}.", icon=":material/cancel:")
    show_key(question)
