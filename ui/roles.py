"""The instructor role: a passcode from `PARALAB_INSTRUCTOR_PASSCODE` or Streamlit secrets.

Without a passcode configured the instructor pages are off (not shown at all), so a
fresh install never exposes everyone's scores.
"""

from __future__ import annotations

import hmac
import os

import streamlit as st

SECRET = "instructor_passcode"
ENV = "PARALAB_INSTRUCTOR_PASSCODE"


def configured_passcode() -> str | None:
    """The passcode, from the environment first, then `.streamlit/secrets.toml`."""
    code = os.environ.get(ENV)
    if code:
        return code
    try:
        return st.secrets.get(SECRET) or None
    except (FileNotFoundError, KeyError, AttributeError):
        return None
    except Exception:
        return None


def instructor_enabled() -> bool:
    return configured_passcode() is not None


def instructor_unlocked() -> bool:
    """Ask for the passcode once per session; True once it was given right."""
    expected = configured_passcode()
    if expected is None:
        st.info(f"The instructor view is off. Set `{ENV}` (or `{SECRET}` in secrets) to enable it.")
        return False
    if st.session_state.get("instructor_ok"):
        return True
    with st.form("instructor_login"):
        code = st.text_input("Instructor passcode", type="password", key="instructor_code")
        if st.form_submit_button("Unlock", type="primary"):
            if hmac.compare_digest(code.encode(), expected.encode()):
                st.session_state["instructor_ok"] = True
                st.rerun()
            st.error("That passcode is not right.")
    return False
