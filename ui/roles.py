"""The instructor role: a passcode from `PARALAB_INSTRUCTOR_PASSCODE` or Streamlit secrets.

Without a passcode configured the instructor pages are off (not shown at all), so a
fresh install never exposes everyone's scores; a passcode shorter than MIN_LENGTH keeps
them off too (and says so in the log). Wrong tries are logged and slow the next ones down:
a delay that doubles per failure in the session, and per client address after a few
(ui/throttle.py), so guessing at the form's speed (~145 tries a second) is not possible.
"""

from __future__ import annotations

import hmac
import logging
import math
import os
import secrets

import streamlit as st

from ui.throttle import Throttle

SECRET = "instructor_passcode"
ENV = "PARALAB_INSTRUCTOR_PASSCODE"
MIN_LENGTH = 12
log = logging.getLogger(__name__)


def configured_passcode() -> str | None:
    """The passcode, from the environment first, then `.streamlit/secrets.toml`; None when
    unset or shorter than MIN_LENGTH."""
    code = os.environ.get(ENV) or _secret()
    if code and len(code) < MIN_LENGTH:
        log.warning("%s is shorter than %d characters: the instructor view stays off",
                    ENV, MIN_LENGTH)  # fmt: skip
        return None
    return code or None


def _secret() -> str | None:
    try:
        return st.secrets.get(SECRET) or None
    except Exception:  # no secrets file, or one that does not parse
        return None


def instructor_enabled() -> bool:
    return configured_passcode() is not None


@st.cache_resource(show_spinner=False)
def _throttles() -> tuple[Throttle, Throttle]:
    """(per session, per client address), shared by every session of this server."""
    return Throttle(free=0), Throttle(free=5)


def _keys() -> tuple[str, str | None]:
    session = st.session_state.setdefault("instructor_session_key", secrets.token_hex(8))
    client = getattr(st.context, "ip_address", None)
    return session, client if isinstance(client, str) and client else None


def instructor_unlocked() -> bool:
    """Ask for the passcode once per session; True once it was given right."""
    expected = configured_passcode()
    if expected is None:
        st.info(
            f"The instructor view is off. Set `{ENV}` (or `{SECRET}` in secrets) to a passcode "
            f"of at least {MIN_LENGTH} characters to enable it."
        )
        return False
    if st.session_state.get("instructor_ok"):
        return True
    with st.form("instructor_login"):
        code = st.text_input("Instructor passcode", type="password", key="instructor_code")
        if st.form_submit_button("Unlock", type="primary", key="instructor_unlock"):
            _try(code, expected)
    return False


def _try(code: str, expected: str) -> None:
    (by_session, by_client), (session, client) = _throttles(), _keys()
    wait = max(by_session.wait_s(session), by_client.wait_s(client) if client else 0.0)
    if wait > 0:
        st.error(f"Too many wrong passcodes: wait {math.ceil(wait)} s, then try again.")
        return
    if hmac.compare_digest(code.encode(), expected.encode()):
        by_session.succeeded(session)
        st.session_state["instructor_ok"] = True
        st.rerun()
    failures = by_session.failed(session)
    if client:
        by_client.failed(client)
    log.warning("instructor passcode: wrong try %d in this session, from %s", failures,
                client or "an unknown address")  # fmt: skip
    st.error(f"That passcode is not right. Wait {math.ceil(by_session.wait_s(session))} s "
             "before the next try.")  # fmt: skip
