"""The answer controls in Chromium (ui/controls.py: the browser's own radio buttons,
checkboxes, selects and text field, in one component per question), mostly by keyboard:
each type answered, graded, stored, and shown again after a reload (locked once solved)."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from lessons.loader import load_lesson
from tests.browser.conftest import ROOT
from tests.browser.test_ordering_and_persistence import card, settle, sign_in

ZERO = ROOT / "content" / "lessons" / "06-data-parallel-zero.yaml"
CORRECT = re.compile(r"Correct — score 100%")


def first(lesson, qtype):
    return next(q for q in lesson.questions() if q.type == qtype)


def open_question(page, url: str, token: str, lesson, q):
    page.goto(f"{url}/lesson?learner={token}&lesson={lesson.id}&q={q.id}")
    box = card(page, lesson, q)
    box.scroll_into_view_if_needed()
    return box


def submit_by_keyboard(page, box) -> None:
    box.get_by_role("button", name="Submit").focus()
    page.keyboard.press("Enter")


def test_each_answer_control_by_keyboard_is_graded_stored_and_locked_after_reload(server, page):
    lesson, problems = load_lesson(ZERO)
    assert not problems
    token = sign_in(page, server.url, "Grace")

    # single choice: Tab reaches the group, arrows move the choice (the browser's radios)
    q = first(lesson, "single_choice")
    box = open_question(page, server.url, token, lesson, q)
    right = next(i for i, o in enumerate(q.options) if o.correct)
    radios = box.get_by_role("radiogroup", name="Your answer").get_by_role("radio")
    n = len(q.options)
    expect(radios).to_have_count(n)
    radios.first.focus()
    page.keyboard.press("Space")
    page.keyboard.press("ArrowDown")
    expect(radios.nth(1)).to_be_checked()
    expect(radios.first).not_to_be_checked()
    for _ in range((right - 1) % n):  # on round (the browser's radios wrap) to the right one
        page.keyboard.press("ArrowDown")
    expect(radios.nth(right)).to_be_checked()
    settle(page)
    submit_by_keyboard(page, box)
    box.get_by_text(CORRECT).wait_for()

    # true or false, answered wrong: the score says so and the choice stays
    tf = first(lesson, "true_false")
    box = open_question(page, server.url, token, lesson, tf)
    wrong = "False" if tf.answer else "True"
    box.get_by_role("radio", name="True").focus()
    page.keyboard.press("Space")
    if wrong == "False":
        page.keyboard.press("ArrowRight")
    expect(box.get_by_role("radio", name=wrong)).to_be_checked()
    settle(page)
    box.get_by_role("button", name="Submit").click()
    box.get_by_text(re.compile(r"Not right yet")).wait_for()
    expect(box.get_by_role("radio", name=wrong)).to_be_checked()

    # matching: each item's select is named by the item; arrows/typing pick a description
    m = first(lesson, "matching")
    box = open_question(page, server.url, token, lesson, m)
    right_ids = [r.id for r in m.right]
    first_select = box.get_by_role("combobox", name=m.left[0].text)
    first_select.focus()  # the keyboard: ↓ on a closed select steps through its options
    for _ in range(right_ids.index(m.pairs[m.left[0].id]) + 1):  # + 1: past the placeholder
        page.keyboard.press("ArrowDown")
    expect(first_select).to_have_value(m.pairs[m.left[0].id])
    for left in m.left[1:]:
        select = box.get_by_role("combobox", name=left.text)
        select.select_option(m.pairs[left.id])
    settle(page)
    submit_by_keyboard(page, box)
    box.get_by_text(CORRECT).wait_for()

    # choose all that apply: Space ticks a focused box
    mc = first(lesson, "multiple_choice")
    box = open_question(page, server.url, token, lesson, mc)
    for o in mc.options:
        if o.correct:
            box.get_by_role("checkbox", name=o.text).focus()
            page.keyboard.press("Space")
    settle(page)
    submit_by_keyboard(page, box)
    box.get_by_text(CORRECT).wait_for()

    # a number: text that is not one is said so, and Submit asks for an answer
    num = first(lesson, "numeric")
    box = open_question(page, server.url, token, lesson, num)
    field = box.get_by_role("textbox", name=re.compile(r"^Your answer"))
    field.fill("12,5")
    page.keyboard.press("Enter")
    expect(box.get_by_text("“12,5” is not a number. Use a point for decimals")).to_be_visible()
    expect(field).to_have_attribute("aria-invalid", "true")
    settle(page)
    box.get_by_role("button", name="Submit").click()
    box.get_by_text("Answer the question first.").wait_for()
    field.fill(f"{num.answer:g}")  # then straight to Submit: leaving the field commits it
    box.get_by_role("button", name="Submit").click()
    box.get_by_text(CORRECT).wait_for()

    # reload: every answer is read back from the database, shown and locked
    page.reload()
    box = card(page, lesson, num)
    box.get_by_text(CORRECT).wait_for()
    expect(box.get_by_role("textbox", name=re.compile(r"^Your answer"))).to_be_disabled()
    expect(box.get_by_role("textbox", name=re.compile(r"^Your answer"))).to_have_value(
        f"{num.answer:g}"
    )
    expect(box.get_by_role("button", name="Submit")).to_have_count(0)
    box = open_question(page, server.url, token, lesson, q)
    box.get_by_text(CORRECT).wait_for()
    radios = box.get_by_role("radiogroup", name="Your answer").get_by_role("radio")
    expect(radios.nth(right)).to_be_checked()  # (a formula's name reads "1 / N": by place)
    expect(radios.nth(right)).to_be_disabled()
    box = card(page, lesson, m)
    expect(box.get_by_role("combobox", name=m.left[0].text)).to_have_value(m.pairs[m.left[0].id])
    box = card(page, lesson, mc)
    for o in mc.options:
        tick = box.get_by_role("checkbox", name=o.text)
        expect(tick).to_be_checked() if o.correct else expect(tick).not_to_be_checked()
        expect(tick).to_be_disabled()
    box = card(page, lesson, tf)  # tried once, wrong: still open, still showing the choice
    expect(box.get_by_role("radio", name=wrong)).to_be_checked()
    expect(box.get_by_role("radio", name=wrong)).to_be_enabled()


def test_an_essay_by_keyboard_counts_words_as_typed_submits_and_is_final_after_reload(server, page):
    lesson, problems = load_lesson(ROOT / "content" / "lessons" / "15-case-studies-planning.yaml")
    assert not problems
    q = first(lesson, "essay")
    token = sign_in(page, server.url, "Ada")
    box = open_question(page, server.url, token, lesson, q)
    field = box.get_by_role("textbox", name="Your answer")
    expect(field).to_have_accessible_description(
        f"0 words (at least {q.min_words}). Once submitted, it is final and the model answer shows."
    )
    field.focus()
    page.keyboard.type("Too short to count.")
    expect(box.get_by_text(f"4 words (at least {q.min_words}).")).to_be_visible()  # live
    page.keyboard.press("Tab")  # leaving the field sends it; the next stop is Submit
    expect(box.get_by_role("button", name="Submit")).to_be_focused()
    settle(page)
    page.keyboard.press("Enter")
    box.get_by_text(f"Write at least {q.min_words} words (you have 4).").wait_for()

    text = " ".join(["Split the pipeline into fewer stages and raise the micro-batches."] * 8)
    field.fill(text)
    box.get_by_role("button", name="Submit").click()  # straight there: leaving commits it
    box.get_by_text("Model answer", exact=True).wait_for()
    expect(field).to_be_disabled()
    expect(field).to_have_value(text)
    page.reload()  # stored: shown again, final
    box = card(page, lesson, q)
    box.get_by_text("Model answer", exact=True).wait_for()
    expect(box.get_by_role("textbox", name="Your answer")).to_have_value(text)
    expect(box.get_by_role("textbox", name="Your answer")).to_be_disabled()
    expect(box.get_by_role("button", name="Submit")).to_have_count(0)
