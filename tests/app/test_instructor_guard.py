"""The instructor passcode: long enough, logged and slowed down when wrong; names as text."""

from __future__ import annotations

import logging

import pytest

from tests.app.conftest import page
from ui.identity import plain

PASSCODE = "a-long-enough-passcode"


def test_a_short_passcode_keeps_the_instructor_view_off(monkeypatch):
    monkeypatch.setenv("PARALAB_INSTRUCTOR_PASSCODE", "short")
    at = page("home").run()
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page("pages/instructor.py")


def test_wrong_tries_are_logged_and_each_waits_longer(monkeypatch, caplog):
    monkeypatch.setenv("PARALAB_INSTRUCTOR_PASSCODE", PASSCODE)
    at = page("instructor").run()
    with caplog.at_level(logging.WARNING, logger="ui.roles"):
        at.text_input(key="instructor_code").input("guess-1")
        at.button(key="instructor_unlock").click().run()
        at.text_input(key="instructor_code").input(PASSCODE)
        at.button(key="instructor_unlock").click().run()
    assert not at.exception
    assert any("wait 1 s" in e.value for e in at.error)
    assert not at.get("download_button")  # the right passcode, but too soon
    assert [r.message for r in caplog.records if "wrong try" in r.message] == [
        "instructor passcode: wrong try 1 in this session, from an unknown address"
    ]


def test_a_display_name_is_shown_as_typed_not_as_markdown(store):
    name = "![x](http://127.0.0.1:9/a.png) **b**"
    ada = store.create_learner(name)
    at = page("home", learner=ada.token).run()
    shown = next(m.value for m in at.sidebar.markdown if m.value.startswith("Signed in as"))
    assert shown == f"Signed in as **{plain(name)}**"
    assert "![" not in shown and "](" not in shown and "\\*\\*b\\*\\*" in shown


def test_plain_escapes_every_markup_character_and_nothing_else():
    text = "Ada :red[x] $x$ <b> & `c` #1 a_b"
    escaped = plain(text)
    assert escaped.replace("\\", "") == text.replace("\\", "")
    for char in ":[]$<>&`#_":
        assert f"\\{char}" in escaped
    assert plain("Grace Hopper") == "Grace Hopper"


def _unlock(at):
    at.text_input(key="instructor_code").input(PASSCODE)
    at.button(key="instructor_unlock").click().run()
    assert not at.exception
    return at


def _cookie_scripts(at) -> list[str]:
    return [h.proto.body for h in at.get("html") if "document.cookie" in h.proto.body]


def test_the_passcode_sets_a_signed_session_cookie_that_opens_another_tab(monkeypatch):
    monkeypatch.setenv("PARALAB_INSTRUCTOR_PASSCODE", PASSCODE)
    first = _unlock(page("presenter").run())
    token = first.session_state["instructor_token"]
    (script,) = _cookie_scripts(first)
    assert f"paralab_instructor={token}" in script and "SameSite=Strict" in script
    assert "Path=/" in script and "Expires" not in script and "Max-Age" not in script

    monkeypatch.setattr("ui.roles._cookie", lambda: token)  # a second tab sends the cookie
    second = page("instructor").run()
    assert not second.exception
    assert not [t for t in second.text_input if t.key == "instructor_code"]
    assert len(second.get("download_button")) == 3  # the question banks: unlocked
    assert not _cookie_scripts(second)  # only the tab that took the passcode writes it


def test_a_forged_or_other_passcodes_cookie_asks_for_the_passcode(monkeypatch):
    monkeypatch.setenv("PARALAB_INSTRUCTOR_PASSCODE", PASSCODE)
    token = _unlock(page("instructor").run()).session_state["instructor_token"]
    forged = token[:-1] + ("1" if token.endswith("0") else "0")
    monkeypatch.setattr("ui.roles._cookie", lambda: forged)
    assert page("instructor").run().text_input(key="instructor_code")
    monkeypatch.setattr("ui.roles._cookie", lambda: token)
    monkeypatch.setenv("PARALAB_INSTRUCTOR_PASSCODE", "a-new-passcode-for-term-2")
    at = page("instructor").run()
    assert not at.exception and at.text_input(key="instructor_code")


def test_lock_signs_the_browser_out_in_every_tab(monkeypatch):
    monkeypatch.setenv("PARALAB_INSTRUCTOR_PASSCODE", PASSCODE)
    first = _unlock(page("instructor").run())
    token = first.session_state["instructor_token"]
    monkeypatch.setattr("ui.roles._cookie", lambda: token)
    second = page("instructor").run()  # opened before the Lock, with the cookie
    assert not [t for t in second.text_input if t.key == "instructor_code"]

    first.button(key="instructor_lock").click().run()
    assert not first.exception and first.text_input(key="instructor_code")
    (script,) = _cookie_scripts(first)
    assert "paralab_instructor=; Max-Age=0" in script  # the cookie is cleared
    second.run()  # its next rerun still sends the old cookie: refused
    assert second.text_input(key="instructor_code") and not second.get("download_button")


def test_lock_also_signs_out_a_tab_that_typed_the_passcode_itself(monkeypatch):
    monkeypatch.setenv("PARALAB_INSTRUCTOR_PASSCODE", PASSCODE)
    first = _unlock(page("presenter").run())
    second = _unlock(page("instructor").run())  # opened before unlocking: typed it too
    other = second.session_state["instructor_token"]
    first.button(key="instructor_lock").click().run()
    second.run()
    assert second.text_input(key="instructor_code") and not second.get("download_button")
    monkeypatch.setattr("ui.roles._cookie", lambda: other)  # a new tab with that tab's cookie
    assert page("instructor").run().text_input(key="instructor_code")
    third = _unlock(page("instructor").run())  # the passcode opens the pages again
    assert len(third.get("download_button")) == 3
