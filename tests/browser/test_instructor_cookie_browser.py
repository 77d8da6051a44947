"""The instructor passcode in Chromium: asked once per browser session, not in every tab.

Unlocking sets a signed session cookie; a second tab of the same browser context opens the
presenter without the passcode form, a new context (another browser) is asked for it, and
Lock signs every tab of the first one out.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.sessions_helpers import running_class_server, settle, unlock


@pytest.fixture
def server(tmp_path):
    with running_class_server(tmp_path) as srv:
        yield srv


def _open_presenter(context, url: str):
    tab = context.new_page()
    tab.set_default_timeout(30_000)
    tab.goto(url + "/presenter")
    return tab


def test_the_passcode_is_asked_once_per_browser_session(browser, page, server):
    unlock(page, server.url)
    expect(page.get_by_role("button", name="Start a session")).to_be_visible()
    (cookie,) = [c for c in page.context.cookies() if c["name"] == "paralab_instructor"]
    assert cookie["expires"] == -1  # a session cookie: it dies with the browser session
    assert (cookie["sameSite"], cookie["path"]) == ("Strict", "/")

    second = _open_presenter(page.context, server.url)  # another tab, same browser
    expect(second.get_by_role("button", name="Start a session")).to_be_visible()
    expect(second.locator(".st-key-instructor_code")).to_have_count(0)

    other = browser.new_context(viewport={"width": 1400, "height": 1000})
    try:  # another browser: no cookie, so the passcode is asked
        stranger = _open_presenter(other, server.url)
        expect(stranger.locator(".st-key-instructor_code input")).to_be_visible()
        expect(stranger.get_by_role("button", name="Start a session")).to_have_count(0)
    finally:
        other.close()

    second.locator(".st-key-instructor_lock button:visible").click()  # Lock, in the 2nd tab
    expect(second.locator(".st-key-instructor_code input")).to_be_visible()
    settle(second)
    assert not [c for c in page.context.cookies() if c["name"] == "paralab_instructor"]
    page.reload()  # the first tab, reloaded: its old cookie is gone, the passcode is asked
    expect(page.locator(".st-key-instructor_code input")).to_be_visible()
