"""The instructor role: a passcode from `PARALAB_INSTRUCTOR_PASSCODE` or Streamlit secrets.

Without a passcode configured the instructor pages are off (not shown at all), so a
fresh install never exposes everyone's scores; a passcode shorter than MIN_LENGTH keeps
them off too (and says so in the log). Wrong tries are logged and slow the next ones down:
a delay that doubles per failure in the session, and per client address after a few
(ui/throttle.py), so guessing at the form's speed (~145 tries a second) is not possible.

The passcode is asked once per browser session, not in every tab: a right one puts a signed
token (ui/instructor_token.py) in a session cookie (`paralab_instructor`, no expiry, so it
dies with the browser session; `SameSite=Strict; Path=/`), set by a script in the page
(`st.html`; a cookie set from JavaScript cannot be HttpOnly). Every tab of the browser sends
it when it connects and is let in while the token is genuine, under 12 h old and signed with
this passcode and after the last **Lock**, which signs every instructor browser out (it
clears this tab's cookie and refuses every token issued before it, instructor_token.lock).
"""

from __future__ import annotations

import functools
import hmac
import json
import logging
import math
import os
import secrets
from pathlib import Path

import streamlit as st

from datadir import data_dir
from ui import instructor_token
from ui.throttle import Throttle

SECRET = "instructor_passcode"
ENV = "PARALAB_INSTRUCTOR_PASSCODE"
MIN_LENGTH = 12
COOKIE = "paralab_instructor"
_SET_COOKIE = """<script>document.cookie = %s + "; Path=/; SameSite=Strict"
  + (location.protocol === "https:" ? "; Secure" : "");</script>"""
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


@functools.lru_cache(maxsize=8)
def _server_key(folder: Path) -> bytes:
    return instructor_token.server_key(folder)


def _signing_secret(passcode: str) -> bytes:
    return instructor_token.secret_for(passcode, _server_key(data_dir(check=False)))


def _cookie() -> str | None:
    """The instructor cookie this tab's browser sent when it connected (None in AppTest)."""
    return st.context.cookies.get(COOKIE)


def _signed_in(passcode: str) -> bool:
    """Whether this tab holds a genuine, fresh token issued after the last Lock: the one its
    passcode form issued (session state) or the one in the cookie it connected with."""
    secret = _signing_secret(passcode)
    since = instructor_token.locked_at(data_dir(check=False))
    tokens = (st.session_state.get("instructor_token"), _cookie())
    return any(instructor_token.nonce_of(t, secret, not_before=since) for t in tokens)


def is_instructor() -> bool:
    """True in a tab whose browser gave the passcode in this browser session (draws nothing)."""
    expected = configured_passcode()
    return expected is not None and _signed_in(expected)


def instructor_unlocked() -> bool:
    """Ask for the passcode once per browser session; True once it was given right."""
    expected = configured_passcode()
    if expected is None:
        st.info(
            f"The instructor view is off. Set `{ENV}` (or `{SECRET}` in secrets) to a passcode "
            f"of at least {MIN_LENGTH} characters to enable it."
        )
        return False
    if _signed_in(expected):
        _signed_in_controls()
        return True
    if st.session_state.get("instructor_locked"):  # the Lock of this tab: clear the cookie
        _write_cookie("")
    with st.form("instructor_login"):
        code = st.text_input("Instructor passcode", type="password", key="instructor_code")
        if st.form_submit_button("Unlock", type="primary", key="instructor_unlock"):
            _try(code, expected)
    return False


def _signed_in_controls() -> None:
    """The sidebar's Lock button, and (in the tab that took the passcode) the cookie."""
    token = st.session_state.get("instructor_token")
    with st.sidebar:
        if token:
            _write_cookie(token)
        st.button(
            "Lock",
            key="instructor_lock",
            icon=":material/lock:",
            on_click=_lock,
            help="Sign every browser out of the instructor pages (every tab; the passcode "
            "opens them again).",
        )


def _write_cookie(token: str) -> None:
    """Set (or, with "", clear) the session cookie from a script in the page."""
    value = f"{COOKIE}={token}" if token else f"{COOKIE}=; Max-Age=0"
    st.html(_SET_COOKIE % json.dumps(value), unsafe_allow_javascript=True, width="content")


def _lock() -> None:
    """Lock button: refuse every token issued so far (instructor_token.lock: other tabs, and
    tabs that typed the passcode themselves, send tokens of their own) and clear this tab's
    cookie on the rerun that follows."""
    instructor_token.lock(data_dir(check=False))
    st.session_state.pop("instructor_token", None)
    st.session_state["instructor_locked"] = True


def _try(code: str, expected: str) -> None:
    (by_session, by_client), (session, client) = _throttles(), _keys()
    wait = max(by_session.wait_s(session), by_client.wait_s(client) if client else 0.0)
    if wait > 0:
        st.error(f"Too many wrong passcodes: wait {math.ceil(wait)} s, then try again.")
        return
    if hmac.compare_digest(code.encode(), expected.encode()):
        by_session.succeeded(session)
        since = instructor_token.locked_at(data_dir(check=False))
        secret = _signing_secret(expected)
        st.session_state["instructor_token"] = instructor_token.issue_after(secret, since)
        st.session_state.pop("instructor_locked", None)
        st.rerun()
    failures = by_session.failed(session)
    if client:
        by_client.failed(client)
    log.warning("instructor passcode: wrong try %d in this session, from %s", failures,
                client or "an unknown address")  # fmt: skip
    st.error(f"That passcode is not right. Wait {math.ceil(by_session.wait_s(session))} s "
             "before the next try.")  # fmt: skip
