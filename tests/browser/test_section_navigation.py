"""A lesson one section at a time in Chromium: Next from the keyboard lands at the top of
the next section with focus on its heading, the URL says where, a reload stays there, and
the sidebar's table of contents jumps anywhere."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from lessons.loader import load_lesson
from lessons.sections import sections
from tests.browser.conftest import ROOT
from tests.browser.test_ordering_and_persistence import settle, sign_in

PIPELINE = ROOT / "content" / "lessons" / "01-pipeline-parallelism.yaml"
MAIN = "[data-testid='stMain']"


def test_next_from_the_keyboard_opens_the_next_section_at_its_top(server, page):
    lesson, problems = load_lesson(PIPELINE)
    assert not problems
    parts = sections(lesson)
    token = sign_in(page, server.url, "Ada")
    page.goto(f"{server.url}/lesson?lesson={lesson.id}&learner={token}")
    main = page.get_by_test_id("stMain")
    expect(main.get_by_role("heading", name=parts[0].title)).to_be_visible(timeout=30_000)
    nxt = page.get_by_role("link", name=f"Next: 2. {parts[1].title} →")
    nxt.scroll_into_view_if_needed()
    assert page.evaluate(f'document.querySelector("{MAIN}").scrollTop') > 100
    nxt.focus()
    page.keyboard.press("Enter")
    heading = main.get_by_role("heading", name=parts[1].title)
    expect(heading).to_be_visible(timeout=20_000)
    settle(page)
    expect(page).to_have_url(re.compile(r"section=2"))
    page.wait_for_function(f'document.querySelector("{MAIN}").scrollTop < 5', timeout=10_000)
    focused = page.evaluate("document.activeElement.textContent")
    assert parts[1].title in focused  # the keyboard is at the new section's heading
    expect(main.get_by_role("heading", name=parts[0].title)).to_have_count(0)

    page.go_back()  # each move is a history entry: Back is the section before
    expect(main.get_by_role("heading", name=parts[0].title)).to_be_visible(timeout=20_000)
    expect(page).to_have_url(re.compile(r"section=1"))
    page.go_forward()
    expect(main.get_by_role("heading", name=parts[1].title)).to_be_visible(timeout=20_000)

    page.reload()  # the URL keeps the place
    expect(main.get_by_role("heading", name=parts[1].title)).to_be_visible(timeout=30_000)

    toc = page.get_by_test_id("stSidebar").get_by_role("navigation", name="Sections")
    here = toc.get_by_role("link", name=f"2. {parts[1].title}")
    expect(here).to_have_attribute("aria-current", "page")
    last = toc.get_by_role("link", name=f"{len(parts)}. {parts[-1].title}")
    last.focus()
    page.keyboard.press("Enter")  # the keyboard stays on the contents' link it followed
    expect(main.get_by_role("heading", name=parts[-1].title)).to_be_visible(timeout=20_000)
    expect(page).to_have_url(re.compile(rf"section={len(parts)}"))
    expect(last).to_have_attribute("aria-current", "page")
    expect(last).to_be_focused()
    expect(page.get_by_role("link", name=re.compile("^Next: .*→$"))).to_have_count(0)
    assert f"learner={token}" in page.url

    # another lesson from the sidebar's list, by keyboard: it opens at its first section
    other = "interleaved-zero-bubble"
    picker = page.get_by_test_id("stSidebar").get_by_label("Lesson", exact=True)
    expect(picker).to_have_value(lesson.id)
    picker.focus()
    for _ in range(4):  # lesson 1 → 5: the arrows move through the list without opening any
        page.keyboard.press("ArrowDown")
    settle(page)
    expect(page).to_have_url(re.compile(f"lesson={lesson.id}"))
    expect(picker).to_have_value(other)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(f"lesson={other}.*section=1|section=1.*lesson={other}"))
    expect(main.get_by_role("heading", level=1)).to_contain_text("Shrinking the bubble")
    expect(picker).to_have_value(other)
    assert f"learner={token}" in page.url

    picker.focus()
    page.keyboard.press("ArrowUp")  # browsing, then leaving the list: nothing opens
    page.keyboard.press("Tab")
    settle(page)
    expect(page).to_have_url(re.compile(f"lesson={other}"))
    expect(picker).to_have_value(other)  # the lesson shown, put back

    picker.focus()
    page.keyboard.press("ArrowUp")  # a pick from the open list after browsing counts at once
    page.wait_for_timeout(400)
    picker.select_option(lesson.id)  # (a change with no key just before it)
    expect(page).to_have_url(re.compile(f"lesson={lesson.id}"))
    expect(main.get_by_role("heading", name=parts[0].title)).to_be_visible(timeout=20_000)
