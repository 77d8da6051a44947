"""A learner in Chromium: sign in, answer ordering questions by dragging and by keyboard,
see the score, reload (and restart the server) and still see it."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from lessons.loader import load_lesson
from tests.browser.conftest import ROOT

PIPELINE = ROOT / "content" / "lessons" / "01-pipeline-parallelism.yaml"
TENSOR = ROOT / "content" / "lessons" / "03-tensor-parallelism-ladder.yaml"


def ordering_question(path):
    lesson, problems = load_lesson(path)
    assert not problems
    q = next(q for q in lesson.questions() if q.type == "ordering")
    return lesson, q


def sign_in(page, url: str, name: str) -> str:
    page.goto(url + "/")
    page.locator(".st-key-sign_in_name input").fill(name)
    page.get_by_role("button", name="Start learning").click()
    page.wait_for_url(re.compile(r"learner="))
    return page.url.split("learner=")[1].split("&")[0]


def settle(page) -> None:
    """Wait until Streamlit has finished the rerun that the last action started."""
    page.wait_for_timeout(300)
    expect(page.get_by_test_id("stStatusWidget")).to_have_count(0, timeout=20_000)


def card(page, lesson, q):
    return page.locator(f".st-key-q-{lesson.id}-{q.id}-card")


def drag_into_order(page, box, target_texts: list[str]) -> None:
    """Drag cards in the sortable list (an iframe) until they read `target_texts`."""
    items = box.frame_locator("iframe").locator(".sortable-item")
    items.first.wait_for()
    for _ in range(4 * len(target_texts)):  # a drag can land one place off: re-read, retry
        current = items.all_inner_texts()
        if current == target_texts:
            break
        pos = next(i for i, (a, b) in enumerate(zip(current, target_texts, strict=True)) if a != b)
        box.locator("iframe").scroll_into_view_if_needed()
        src = items.nth(current.index(target_texts[pos])).bounding_box()
        dst = items.nth(pos).bounding_box()
        x, y = src["x"] + src["width"] / 2, src["y"] + src["height"] / 2
        page.mouse.move(x, y)
        page.mouse.down()
        page.mouse.move(x, y - 6, steps=3)  # past dnd-kit's activation distance
        page.mouse.move(x, dst["y"] + dst["height"] * 0.3, steps=15)
        page.mouse.up()
        page.wait_for_timeout(1000)
    assert items.all_inner_texts() == target_texts


def test_ordering_by_drag_and_by_keyboard_persists_across_reload_and_restart(
    server, page, tmp_path
):
    sign_in(page, server.url, "Ada")

    # 1. Drag: the 2-device pipeline events (graded against the dependency graph).
    lesson, q = ordering_question(PIPELINE)
    page.locator(f".st-key-lesson-card-{lesson.id}").get_by_test_id("stPageLink-NavLink").click()
    page.wait_for_url(re.compile(f"lesson={lesson.id}"))
    box = card(page, lesson, q)
    box.scroll_into_view_if_needed()
    text = {i.id: i.text for i in q.items}
    drag_into_order(page, box, [text[i] for i in q.correct_order()])
    box.get_by_role("button", name="Submit").click()
    box.get_by_text(re.compile(r"Correct — score 100%")).wait_for()

    # 2. Keyboard only: the tensor-parallel MLP steps, with the card picker and Move up/down.
    tp_lesson, tp_q = ordering_question(TENSOR)
    page.goto(page.url.replace(f"lesson={lesson.id}", f"lesson={tp_lesson.id}"))
    tp_box = card(page, tp_lesson, tp_q)
    tp_box.scroll_into_view_if_needed()
    order_texts = {i.id: i.text for i in tp_q.items}
    pick = f"[class*='st-key-q-{tp_lesson.id}-{tp_q.id}-pick-']"
    picker = tp_box.locator(f"{pick} input")
    up = tp_box.locator(f".st-key-q-{tp_lesson.id}-{tp_q.id}-up button")

    def picked_at(position: int | None, text: str) -> int:
        """Wait until the picker shows `text` (at `position`, if given); return its position.

        The picker is re-created on every move, and the old one lingers until the rerun
        ends: wait for a picker showing the new position, then for the old one to go.
        """
        if position is not None:
            moved = tp_box.locator(f"{pick} input[value^='{position}. ']")
            expect(moved).to_have_count(1, timeout=20_000)
        settle(page)
        expect(picker).to_have_count(1)
        value = picker.input_value()
        assert text in value, value
        return int(re.match(r"(\d+)\. ", value).group(1))

    for pos, item in enumerate(tp_q.correct_order()):
        text = order_texts[item][:25]
        picker.focus()
        page.keyboard.type(text)
        page.keyboard.press("Enter")
        current = picked_at(None, text)
        while current > pos + 1:  # "Move up" until the card sits at position pos + 1
            expect(up).to_be_enabled()
            up.focus()
            page.keyboard.press("Enter")
            current = picked_at(current - 1, text)  # the card moved up one place
    tp_box.get_by_role("button", name="Submit").focus()
    page.keyboard.press("Enter")
    tp_box.get_by_text(re.compile(r"Correct — score 100%")).wait_for()

    # 3. Reload: both scores are still shown (read back from the database).
    page.reload()
    card(page, tp_lesson, tp_q).get_by_text(re.compile(r"Correct — score 100%")).wait_for()

    # 4. Restart the server: still there.
    server.restart()
    page.goto(page.url.replace(f"lesson={tp_lesson.id}", f"lesson={lesson.id}"))
    card(page, lesson, q).get_by_text(re.compile(r"Correct — score 100%")).wait_for()
