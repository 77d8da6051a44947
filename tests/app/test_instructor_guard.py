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
