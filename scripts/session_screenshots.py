"""Screenshots of a live class: a presenter at 1920×1080 and three learners, through a paced
question, the reveal and a class run, on the lesson of the browser tests with its class run
at the lab's default sizes (the tests' tiny job is all overhead: its bubble is not GPipe's).

$ .venv/bin/python scripts/session_screenshots.py docs/screenshots

Starts its own server on a free 127.0.0.1 port (stopped by pid at the end) and writes
sessions-*.png into the output folder.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from playwright.sync_api import expect, sync_playwright

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.browser.sessions_helpers import (
    LESSON_DIR,
    answer_choice,
    answer_number,
    card,
    class_server,
    join,
    settle,
    start_session,
)

NAMES = ("Ada", "Grace", "Linus")


def shoot(page, out: Path, name: str) -> None:
    settle(page)
    page.wait_for_timeout(1500)  # let the charts finish drawing
    path = out / f"sessions-{name}.png"
    page.screenshot(path=str(path), full_page=False)
    from PIL import Image  # Pillow comes with Streamlit: 256 colours keep the PNGs small

    Image.open(path).convert("RGB").quantize(256).save(path, optimize=True)


def run(out: Path) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        lessons = Path(tmp) / "lessons"
        lessons.mkdir()
        for src in LESSON_DIR.glob("*.yaml"):  # the same lesson, its run at the lab's sizes
            text = src.read_text().replace(
                ", hidden: 64, layers_per_stage: 1, batch: 4, seq: 8", ""
            )
            (lessons / src.name).write_text(text.replace("A tiny GPipe run", "A GPipe run"))
        data = Path(tmp) / "data"
        data.mkdir()
        server = class_server(data, lessons)
        server.start()
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                teacher = browser.new_context(viewport={"width": 1920, "height": 1080}).new_page()
                learners = [
                    browser.new_context(viewport={"width": 1000, "height": 800}).new_page()
                    for _ in NAMES
                ]
                for page in (teacher, *learners):
                    page.set_default_timeout(120_000)
                _class(teacher, learners, server.url, out)
                browser.close()
        finally:
            server.stop()


def _class(teacher, learners, url: str, out: Path) -> None:
    code = start_session(teacher, url)
    for page, name in zip(learners, NAMES, strict=True):
        join(page, url, code, name)
    expect(teacher.get_by_text("0 / 3")).to_be_visible()
    settle(teacher)
    teacher.locator(".st-key-live-open button").click()
    for page in learners:
        card(page, "first-idle").wait_for()
    shoot(learners[0], out, "learner-1-question")
    for page, choice in zip(learners, ("Rank 1", "Rank 1", "Rank 0"), strict=True):
        answer_choice(page, "first-idle", choice)
    shoot(learners[2], out, "learner-2-answered")
    expect(teacher.get_by_text("3 / 3")).to_be_visible()
    shoot(teacher, out, "presenter-1-distribution")
    teacher.locator(".st-key-live-reveal button").click()
    for page in learners:
        page.get_by_text("Answer: Rank 1").wait_for()
    shoot(teacher, out, "presenter-2-reveal")
    shoot(learners[2], out, "learner-3-reveal")
    teacher.locator(".st-key-live-next button").click()
    for page, value in zip(learners, (0.33, 0.3, 0.5), strict=True):
        card(page, "predict-bubble").wait_for()
        answer_number(page, "predict-bubble", value)
    teacher.locator(".st-key-live-reveal button").click()
    settle(teacher)
    shoot(teacher, out, "presenter-3-numeric")
    teacher.locator(".st-key-presenter_view").get_by_text("Run for the class").click()
    teacher.locator(".st-key-live-run button").click()
    for page in learners:
        page.get_by_text("Measured bubble").first.wait_for(timeout=240_000)
        page.locator("[class*='-box'] .js-plotly-plot").nth(1).wait_for()
    learners[0].set_viewport_size({"width": 1000, "height": 1900})  # the question and the run
    shoot(learners[0], out, "learner-4-class-run")
    shoot(teacher, out, "presenter-4-class-run")
    teacher.locator(".st-key-presenter_view").get_by_text("Report").click()
    teacher.get_by_text("Per learner", exact=True).wait_for()
    shoot(teacher, out, "presenter-5-report")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", type=Path)
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    run(args.out)


if __name__ == "__main__":
    main()
