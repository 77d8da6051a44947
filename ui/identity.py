"""Who is learning: a display name, no password, kept in the URL as `?learner=TOKEN`.

The token lives in the query string, so a page refresh, a bookmark or a server restart
brings the same learner back (the store keeps learners on disk). Each page calls
`current_learner()`; it re-writes the token into the URL because Streamlit clears query
parameters when the learner moves between pages.
"""

from __future__ import annotations

import re
import secrets

import streamlit as st

from classroom.store import Learner
from ui.resources import store

PARAM = "learner"
_MARKUP = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:=^&])")


def plain(text: str) -> str:
    """`text` for st.markdown (and labels, captions) shown exactly as typed: every character
    that Markdown, Streamlit's `:icon:`/`:color[...]` codes or LaTeX would read is escaped,
    so a display name never renders as bold, a link, or an image the browser would fetch."""
    return _MARKUP.sub(r"\\\1", text)


def current_learner() -> Learner | None:
    """The signed-in learner, from session state or the URL; None when nobody is."""
    token = st.session_state.get("learner_token") or st.query_params.get(PARAM)
    if not token:
        return None
    learner = store().learner_by_token(token)
    if learner is None:
        st.session_state.pop("learner_token", None)
        return None
    st.session_state["learner_token"] = token
    if st.query_params.get(PARAM) != token:
        st.query_params[PARAM] = token
    return learner


def requester():
    """(who, limits) a lab run is queued for; None for a visitor, who may not run jobs.

    An unlocked instructor gets the instructor limits (bigger demonstrations in class),
    a signed-in learner the learner limits (runner/admission.py).
    """
    from runner.admission import INSTRUCTOR, LEARNER
    from ui.roles import is_instructor

    learner = current_learner()
    if is_instructor():
        who = learner.id if learner else st.session_state.setdefault(
            "instructor_session", secrets.token_hex(4)
        )  # fmt: skip
        return f"instructor:{who}", INSTRUCTOR
    return (f"learner:{learner.id}", LEARNER) if learner else None


def link_params() -> dict[str, str]:
    """Query parameters that carry the learner across `st.page_link`s."""
    token = st.session_state.get("learner_token")
    return {PARAM: token} if token else {}


def sign_in_form() -> None:
    """Ask for a display name and create the learner; the page reruns signed in."""
    with st.form("sign_in", border=True):
        st.markdown("#### Pick a display name to keep your progress")
        name = st.text_input(
            "Display name",
            key="sign_in_name",
            max_chars=40,
            placeholder="e.g. Ada",
            help="No password. Your progress is tied to this browser's link: bookmark it.",
        )
        submitted = st.form_submit_button("Start learning", type="primary", key="sign_in_submit")
    if submitted:
        try:
            learner = store().create_learner(name)
        except ValueError as err:
            st.error(str(err))
            return
        st.session_state["learner_token"] = learner.token
        st.query_params[PARAM] = learner.token
        st.rerun()


def sidebar_badge(learner: Learner | None) -> None:
    """The learner's name in the sidebar, with a way to sign out of this browser tab."""
    with st.sidebar:
        if learner is None:
            st.caption("Not signed in — progress is not saved.")
            return
        st.markdown(f"Signed in as **{plain(learner.name)}**")
        st.caption("Bookmark this page's link to come back to your progress.")
        if st.button("Sign out", key="sign_out"):
            st.session_state.pop("learner_token", None)
            st.query_params.clear()
            st.rerun()
