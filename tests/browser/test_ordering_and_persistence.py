"""A learner in Chromium: sign in, answer ordering questions by dragging and by keyboard,
see the score, reload (and restart the server) and still see it."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from lessons.loader import load_lesson
from lessons.sections import section_of, sections
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


def at_question(url: str, lesson, q) -> str:
    """This URL (its learner token) on the section of `lesson` that holds question `q`."""
    url = re.sub(r"&section=[^&]*", "", url)
    return re.sub(r"lesson=[^&]+", f"lesson={lesson.id}&q={q.id}", url)


def card(page, lesson, q):
    return page.locator(f".st-key-q-{lesson.id}-{q.id}-card")


def cards(box):
    return box.locator("li")


def card_texts(box) -> list[str]:
    """The cards' texts, top to bottom."""
    return box.locator("li .text").all_inner_texts()


def drag_into_order(page, box, target_texts: list[str]) -> None:
    """Drag cards with the mouse (pointer events on the page itself) until they read
    `target_texts`."""
    cards(box).first.wait_for()
    for _ in range(4 * len(target_texts)):  # a drop can land one place off: re-read, retry
        current = card_texts(box)
        if current == target_texts:
            break
        pos = next(i for i, (a, b) in enumerate(zip(current, target_texts, strict=True)) if a != b)
        src = cards(box).nth(current.index(target_texts[pos]))
        src.scroll_into_view_if_needed()
        start = src.locator(".text").bounding_box()
        dst = cards(box).nth(pos).bounding_box()
        x, y = start["x"] + 10, start["y"] + start["height"] / 2
        page.mouse.move(x, y)
        page.mouse.down()
        page.mouse.move(x, y - 8, steps=3)  # past the 4 px that tell a drag from a click
        page.mouse.move(x, dst["y"] + dst["height"] * 0.25, steps=15)
        page.mouse.up()
        settle(page)
    assert card_texts(box) == target_texts


def test_ordering_by_drag_and_by_keyboard_persists_across_reload_and_restart(
    server, page, tmp_path
):
    sign_in(page, server.url, "Ada")

    # 1. Drag: the 2-device pipeline events (graded against the dependency graph).
    lesson, q = ordering_question(PIPELINE)
    page.locator(f"#lesson-card-{lesson.id}").get_by_role("link", name="Open lesson →").click()
    page.wait_for_url(re.compile(f"lesson={lesson.id}"))
    parts = sections(lesson)  # the lesson opens at section 1: on to the question's with Next
    for _ in range(section_of(parts, q.id)):
        page.get_by_role("link", name=re.compile(r"^Next: .*→$")).click()
        settle(page)
    box = card(page, lesson, q)
    box.scroll_into_view_if_needed()
    text = {i.id: i.text for i in q.items}
    drag_into_order(page, box, [text[i] for i in q.correct_order()])
    box.get_by_role("button", name="Submit").click()
    box.get_by_text(re.compile(r"Correct — score 100%")).wait_for()

    # 2. Keyboard only: the tensor-parallel MLP steps, with each card's "↑" button (Tab
    # reaches it, Enter presses it; focus stays on the moved card's button).
    tp_lesson, tp_q = ordering_question(TENSOR)
    page.goto(at_question(page.url, tp_lesson, tp_q))
    tp_box = card(page, tp_lesson, tp_q)
    tp_box.scroll_into_view_if_needed()
    order_texts = {i.id: i.text for i in tp_q.items}
    cards(tp_box).first.wait_for()
    first = card_texts(tp_box)[0]
    cards(tp_box).first.focus()
    page.keyboard.press("Alt+ArrowDown")  # a focused card moves with Alt+arrow, too
    expect(tp_box.locator(".live")).to_have_text(f"{first}: position 2 of {len(tp_q.items)}")
    settle(page)
    assert card_texts(tp_box)[1] == first
    for pos, item in enumerate(tp_q.correct_order()):
        current = card_texts(tp_box).index(order_texts[item])
        if current == pos:
            continue
        up = tp_box.get_by_role("button", name=f"Move “{order_texts[item]}” up")
        up.focus()
        for now in range(current, pos, -1):  # one press, one place up, then the next
            page.keyboard.press("Enter")
            expect(tp_box.locator(".live")).to_have_text(
                f"{order_texts[item]}: position {now} of {len(tp_q.items)}"
            )
        settle(page)
        assert card_texts(tp_box).index(order_texts[item]) == pos
    assert card_texts(tp_box) == [order_texts[i] for i in tp_q.correct_order()]
    tp_box.get_by_role("button", name="Submit").focus()
    page.keyboard.press("Enter")
    tp_box.get_by_text(re.compile(r"Correct — score 100%")).wait_for()

    # 3. Reload: both scores are still shown (read back from the database).
    page.reload()
    card(page, tp_lesson, tp_q).get_by_text(re.compile(r"Correct — score 100%")).wait_for()

    # 4. Restart the server: still there.
    server.restart()
    page.goto(at_question(page.url, lesson, q))
    card(page, lesson, q).get_by_text(re.compile(r"Correct — score 100%")).wait_for()


def test_quick_moves_are_not_undone_by_the_reruns_they_start(server, page):
    """Alt+↓ pressed every 30 ms: each press starts a rerun, and a rerun that began before
    the next press answers with the order before it. The list keeps the newest order and
    the focus (it once redrew to the older order and dropped focus to the page)."""
    lesson, q = ordering_question(TENSOR)
    page.goto(f"{server.url}/lesson?lesson={lesson.id}&q={q.id}")
    box = card(page, lesson, q)
    box.scroll_into_view_if_needed()
    cards(box).first.wait_for()
    before = card_texts(box)
    cards(box).first.focus()
    for _ in range(len(before) - 1):
        page.keyboard.press("Alt+ArrowDown")
        page.wait_for_timeout(30)
    expect(box.locator(".live")).to_have_text(f"{before[0]}: position {len(before)} of "
                                              f"{len(before)}")  # fmt: skip
    settle(page)
    page.wait_for_timeout(1000)  # any rerun still in flight has answered
    assert card_texts(box) == before[1:] + before[:1]
    focused = page.evaluate(
        "() => { let a = document.activeElement;"
        " while (a && a.shadowRoot && a.shadowRoot.activeElement) a = a.shadowRoot.activeElement;"
        " return a && a.querySelector('.text') && a.querySelector('.text').textContent; }"
    )
    assert focused == before[0]
    box.get_by_role("button", name="Submit").click()  # what is graded is what is shown
    box.get_by_text(re.compile(r"Score \d+% — sign in")).wait_for()  # not signed in: graded
