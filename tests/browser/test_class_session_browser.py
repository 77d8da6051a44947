"""A live class in Chromium: one instructor and three learners, each in a browser context of
their own, through join, a paced question, reveal, a server restart and a class run."""

from __future__ import annotations

import re
import sqlite3

import pytest
from playwright.sync_api import expect

from tests.browser.sessions_helpers import (
    FOLLOW_MS,
    answer_choice,
    answer_number,
    card,
    join,
    running_class_server,
    settle,
    start_session,
)

NAMES = ("Ada", "Grace", "Linus")


@pytest.fixture
def server(tmp_path):
    with running_class_server(tmp_path) as srv:
        yield srv


@pytest.fixture
def contexts(browser, tmp_path):
    made = [browser.new_context(viewport={"width": 1280, "height": 900}) for _ in range(4)]
    pages = [context.new_page() for context in made]
    for pg in pages:
        pg.set_default_timeout(30_000)
    yield pages
    for i, pg in enumerate(pages):  # the last screen of each person, to look at after a failure
        pg.screenshot(path=str(tmp_path / f"screen-{i}.png"), full_page=True)
    for context in made:
        context.close()


def stored_answers(server, question_id: str) -> dict[str, str]:
    with sqlite3.connect(server.data_dir / "paralab.db") as db:
        rows = db.execute(
            """SELECT l.name, a.answer_json FROM live_answers a
               JOIN learners l ON l.id = a.learner_id WHERE a.question_id = ?""",
            (question_id,),
        ).fetchall()
    return dict(rows)


def test_a_paced_class_answers_sees_the_reveal_survives_a_restart_and_watches_a_run(
    server, contexts
):
    teacher, *learners = contexts
    code = start_session(teacher, server.url)
    for i, (pg, name) in enumerate(zip(learners, NAMES, strict=True)):
        join(pg, server.url, code, name, from_home=i == 2)  # the last one types it at home
        expect(pg.get_by_text("Waiting for the instructor")).to_be_visible()
    stage = teacher.locator(".st-key-presenter-stage")
    expect(stage.get_by_text("0 / 3")).to_be_visible(timeout=FOLLOW_MS)  # joined: 3

    # The instructor opens the first question: every learner's screen follows by itself.
    teacher.locator(".st-key-live-open button").click()
    for pg in learners:
        expect(card(pg, "first-idle")).to_be_visible(timeout=FOLLOW_MS)
    for pg, choice in zip(learners, ("Rank 1", "Rank 1", "Rank 0"), strict=True):
        answer_choice(pg, "first-idle", choice)
    assert stored_answers(server, "first-idle") == {"Ada": '"b"', "Grace": '"b"', "Linus": '"a"'}
    expect(stage.get_by_text("3 / 3")).to_be_visible(timeout=FOLLOW_MS)
    bars = stage.locator(".js-plotly-plot .bartext")
    expect(bars).to_have_text(["1  (33%)", "2  (67%)", "0  (0%)"], timeout=FOLLOW_MS)

    # Close: the learners' screens lock; reveal: the key appears on every screen.
    teacher.locator(".st-key-live-close button").click()
    for pg in learners:
        expect(pg.get_by_text("Closed — waiting")).to_be_visible(timeout=FOLLOW_MS)
    teacher.locator(".st-key-live-reveal button").click()
    for pg, verdict in zip(
        learners, ("You were right", "You were right", "Not quite"), strict=True
    ):
        expect(pg.get_by_text(verdict)).to_be_visible(timeout=FOLLOW_MS)
        expect(pg.get_by_text("Answer: Rank 1")).to_be_visible()
    expect(stage.get_by_text("Answer: Rank 1")).to_be_visible()

    # The server restarts mid-session: everyone comes back to the same session and state.
    server.restart()
    for pg in learners:
        pg.reload()
        expect(pg.get_by_text("Answer: Rank 1")).to_be_visible(timeout=30_000)
    teacher.goto(server.url + "/presenter")  # still unlocked: the signed cookie outlives it
    expect(teacher.locator(".st-key-presenter-code h1")).to_have_text(code, timeout=30_000)
    expect(teacher.locator(".st-key-instructor_code")).to_have_count(0)
    teacher.locator(".st-key-live-next button").click()
    for pg, value in zip(learners, (0.33, 0.3, 0.5), strict=True):
        expect(card(pg, "predict-bubble")).to_be_visible(timeout=FOLLOW_MS)
        answer_number(pg, "predict-bubble", value)
    assert set(stored_answers(server, "predict-bubble").values()) == {"0.33", "0.3", "0.5"}


@pytest.mark.timeout(600)
def test_a_class_run_shows_progress_then_the_chart_and_predictions_on_every_screen(
    server, contexts
):
    teacher, *learners = contexts
    code = start_session(teacher, server.url)
    for pg, name in zip(learners, NAMES, strict=True):
        join(pg, server.url, code, name)
    teacher.locator(".st-key-stage-q-1").get_by_role("combobox").click()
    teacher.get_by_role("option", name="2. predict-bubble").click()
    settle(teacher)
    expect(teacher.get_by_text("not open")).to_be_visible(timeout=FOLLOW_MS)
    teacher.locator(".st-key-live-open button").click()
    for pg, value in zip(learners, (0.33, 0.3, 0.5), strict=True):
        expect(card(pg, "predict-bubble")).to_be_visible(timeout=FOLLOW_MS)
        answer_number(pg, "predict-bubble", value)

    # A run for the class: a real 2-rank job; every learner sees its chart and the predictions.
    teacher.locator(".st-key-presenter_view").get_by_text("Run for the class").click()
    # The tab checks the lab presets against this machine (imports torch once): allow time.
    teacher.locator(".st-key-live-run button").click(timeout=240_000)
    settle(teacher)
    for pg in learners:
        run = pg.locator("[class*='st-key-learner-run-'][class*='-box']")
        # The job's start (torchrun + 2 ranks importing torch) loads the 2 cores: allow more.
        expect(run.get_by_text(re.compile("Class run — GPipe"))).to_be_visible(timeout=60_000)
        expect(run.get_by_text("The class predicted")).to_be_visible(timeout=60_000)
    for pg in learners:
        run = pg.locator("[class*='st-key-learner-run-'][class*='-box']")
        expect(run.get_by_text("Measured bubble").first).to_be_visible(timeout=180_000)
        expect(run.get_by_text(re.compile(r"^\d+\.\d%$")).first).to_be_visible(timeout=30_000)
        expect(run.locator(".js-plotly-plot")).to_have_count(2, timeout=30_000)  # class + Gantt
    assert len(list((server.data_dir / "results").glob("*/trace.json"))) == 1
