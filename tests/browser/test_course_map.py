"""The course map in Chromium: a card's "Open lesson →" opens its lesson inside the running
app (no reload, the learner kept), from the mouse and from the keyboard, and stays a real
link: Ctrl+click opens the lesson in a new tab."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.test_ordering_and_persistence import settle, sign_in

LESSON = "interleaved-zero-bubble"
TITLE = "Shrinking the bubble further"


def _link(page, lesson_id: str = LESSON):
    return page.locator(f"#lesson-card-{lesson_id}").get_by_role("link", name="Open lesson →")


def _opened(page, token: str) -> None:
    expect(page).to_have_url(re.compile(f"/lesson\\?.*lesson={LESSON}"), timeout=20_000)
    assert f"learner={token}" in page.url  # still signed in
    main = page.get_by_test_id("stMain")
    expect(main.get_by_role("heading", name=re.compile(TITLE)).first).to_be_visible(timeout=20_000)


def test_open_lesson_navigates_in_the_app_by_click_and_by_keyboard(server, page):
    token = sign_in(page, server.url, "Ada")
    settle(page)
    link = _link(page)
    assert f"learner={token}" in link.get_attribute("href")  # a new tab is signed in too
    page.evaluate("window.__stillHere = true")  # gone if the click reloads the app

    link.click()
    _opened(page, token)
    assert page.evaluate("window.__stillHere") is True
    page.wait_for_timeout(1800)  # past the fallback's 1.5 s: nothing moves the learner back
    _opened(page, token)
    assert page.evaluate("window.__stillHere") is True

    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Course").click()
    settle(page)
    link = _link(page)
    link.focus()
    page.keyboard.press("Enter")
    _opened(page, token)
    assert page.evaluate("window.__stillHere") is True


def test_ctrl_click_opens_the_lesson_in_a_new_tab(server, page):
    token = sign_in(page, server.url, "Ada")
    settle(page)
    with page.context.expect_page() as opened:
        _link(page).click(modifiers=["Control"])
    tab = opened.value
    tab.wait_for_load_state()
    _opened(tab, token)
    expect(page).to_have_url(re.compile(r"^[^?]*/\?"))  # the first tab stays on the map


def test_back_returns_to_the_map(server, page):
    sign_in(page, server.url, "Ada")
    settle(page)
    _link(page).click()
    expect(page).to_have_url(re.compile(f"lesson={LESSON}"), timeout=20_000)
    settle(page)
    page.go_back()
    expect(_link(page)).to_be_visible(timeout=20_000)
    expect(page).not_to_have_url(re.compile("/lesson"))


def test_without_history_navigation_the_click_asks_python(server, page):
    """The fallback: if Streamlit ignored the history move, the link is loaded as a page and
    the learner still gets the lesson (here the page's popstate event is swallowed)."""
    token = sign_in(page, server.url, "Ada")
    settle(page)
    page.evaluate(
        """() => {
      const real = window.dispatchEvent.bind(window);
      window.dispatchEvent = (event) => event.type === "popstate" ? true : real(event);
    }"""
    )
    _link(page).click()
    _opened(page, token)
