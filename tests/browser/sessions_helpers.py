"""Shared steps of the live-session browser tests, the screenshots and the bench.

A class server runs the tiny lesson in `sessions_lesson/` (its lab is a real 2-rank gloo job
of a few seconds) with an instructor passcode; the instructor and each learner get a
browser context of their own (their own cookies and Streamlit sessions).
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from pathlib import Path

from playwright.sync_api import expect

from tests.browser.conftest import Server

LESSON_DIR = Path(__file__).resolve().parent / "sessions_lesson"
PASSCODE = "class-passcode"
FOLLOW_MS = 30_000
"""How long a screen may take to follow in a test (about 2 s is the target, measured in
bench/bench_sessions.py; the bound is loose because CI machines are shared)."""


def class_server(data_dir: Path, lesson_dir: Path = LESSON_DIR) -> Server:
    env = {"PARALAB_LESSONS": str(lesson_dir), "PARALAB_INSTRUCTOR_PASSCODE": PASSCODE}
    return Server(data_dir, env=env)


@contextlib.contextmanager
def running_class_server(tmp_path: Path) -> Iterator[Server]:
    """A started `class_server` on `tmp_path/data`, stopped at the end (a fixture's body)."""
    data = tmp_path / "data"
    data.mkdir()
    srv = class_server(data)
    srv.start()
    try:
        yield srv
    finally:
        srv.stop()


def settle(page) -> None:
    """Wait until Streamlit has finished the rerun that the last action started."""
    page.wait_for_timeout(300)
    expect(page.get_by_test_id("stStatusWidget")).to_have_count(0, timeout=20_000)


def unlock(page, url: str) -> None:
    page.goto(url + "/presenter")
    page.locator(".st-key-instructor_code input").fill(PASSCODE)
    page.get_by_role("button", name="Unlock").click()
    settle(page)


def start_session(page, url: str, mode: str = "I pace it") -> str:
    """Unlock the presenter, start a session on the first lesson; return its join code."""
    unlock(page, url)
    if mode != "I pace it":
        page.get_by_text(mode).click()
    page.get_by_role("button", name="Start a session").click()
    code = page.locator(".st-key-presenter-code h1")
    expect(code).to_have_text(re.compile(r"^[A-Z2-9]{6}$"), timeout=20_000)
    return code.inner_text().strip()


def join(page, url: str, code: str, name: str, *, from_home: bool = False) -> None:
    """Join by code: from the join link (`/session?code=…`) or typed on the home page."""
    if from_home:
        page.goto(url + "/", wait_until="commit")
        page.locator(".st-key-home_join_code input").fill(code)
        form = page.locator(".st-key-home_join_name input")
    else:
        page.goto(f"{url}/session?code={code}", wait_until="commit")
        form = page.locator(".st-key-join_name input")
    form.fill(name)
    page.get_by_role("button", name="Join").click()
    expect(page.get_by_text(f"you are {name}")).to_be_visible(timeout=60_000)


def card(page, question_id: str):
    return page.locator(f"[class*='-{question_id}-card']")


def answer_choice(page, question_id: str, option_text: str) -> None:
    box = card(page, question_id)
    box.get_by_text(option_text, exact=True).click()
    settle(page)
    submit_until_received(page, box)


def submit_until_received(page, box, tries: int = 4) -> None:
    """Press Submit until the answer is acknowledged.

    Under load a click can land while the rerun of the previous input is still replacing the
    button, and is then lost (Streamlit drops it with the old element); pressing again is
    what a learner does. The store keeps one current answer per learner, so a second press
    never counts twice.
    """
    received = box.get_by_text("Answer received")
    for _ in range(tries):
        box.get_by_role("button", name="Submit").click()
        try:
            expect(received).to_be_visible(timeout=15_000)
            return
        except AssertionError:
            settle(page)
    expect(received).to_be_visible(timeout=15_000)


def answer_number(page, question_id: str, value: float) -> None:
    box = card(page, question_id)
    field = box.get_by_role("textbox", name=re.compile(r"^Your answer"))
    field.fill(str(value))
    field.press("Enter")
    settle(page)
    submit_until_received(page, box)
